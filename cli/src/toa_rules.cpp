// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa_rules.cpp - the module's rules (module/toa_hook.c: toa_read_client)
// replayed on captured TCP headers with the module's parser.
#include "toa_rules.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include "report.h"
#include "system.h"

namespace toacheck {

namespace {

constexpr const char *kParamDir = "/sys/module/toa/parameters/";
constexpr const char *kDefaultKinds = "254,253";

// Every kind the module could be configured for: finds TOA-shaped options
// of any kind with the module's own parser.
const toa_kinds &any_kind()
{
	static const toa_kinds k = [] {
		toa_kinds all{};
		for (unsigned kind = 0; kind < 256; ++kind)
			if (toa_kind_valid(kind))
				all.map[kind >> 3] |= static_cast<uint8_t>(1u << (kind & 7));
		return all;
	}();
	return k;
}

Toa toa_of(const toa_client &c, uint8_t length)
{
	Toa t;
	t.kind = c.kind;
	t.length = length;
	t.family = c.family;
	for (size_t i = 0; i < sizeof(t.addr); ++i)
		t.addr[i] = c.addr[i];
	t.port = static_cast<uint16_t>(c.port[0] << 8 | c.port[1]);
	return t;
}

std::string addr_text(int family, const uint8_t *addr)
{
	char buf[INET6_ADDRSTRLEN] = "?";
	inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf, sizeof(buf));
	return buf;
}

std::string with_port(int family, const uint8_t *addr, uint16_t port)
{
	if (family == 4)
		return fmt::format("{}:{}", addr_text(4, addr), port);
	return fmt::format("[{}]:{}", addr_text(6, addr), port);
}

std::string where(Packet p)
{
	switch (p) {
	case Packet::Syn:
		return "the SYN";
	case Packet::Ack:
		return "the handshake ACK";
	case Packet::Completing:
		return "the data segment that completed the handshake";
	case Packet::Data:
		return "the first data segment after the handshake";
	case Packet::SynAck:
		return "the SYN-ACK";
	}
	return "?";
}

std::string live_fix(const std::string &param, const std::string &value)
{
	return fmt::format("echo '{}' > {}{}   (now, without reload)", value, kParamDir, param);
}

} // namespace

const char *packet_name(Packet p)
{
	switch (p) {
	case Packet::Syn:
		return "SYN";
	case Packet::Ack:
		return "ACK";
	case Packet::Completing:
	case Packet::Data:
		return "data";
	case Packet::SynAck:
		return "SYN-ACK";
	}
	return "?";
}

const char *outcome_id(Outcome o)
{
	switch (o) {
	case Outcome::None:
		return "none";
	case Outcome::Accepted:
		return "accepted";
	case Outcome::WrongKind:
		return "wrong_kind";
	case Outcome::Untrusted:
		return "untrusted";
	case Outcome::Malformed:
		return "malformed";
	case Outcome::BadClient:
		return "bad_client";
	}
	return "?";
}

const char *verdict_id(Verdict v)
{
	switch (v) {
	case Verdict::Accepted:
		return "accepted";
	case Verdict::WrongKind:
		return "wrong_kind";
	case Verdict::Untrusted:
		return "untrusted";
	case Verdict::Malformed:
		return "malformed";
	case Verdict::BadClient:
		return "bad_client";
	case Verdict::NotRead:
		return "not_read";
	case Verdict::NoToa:
		return "no_toa";
	}
	return "?";
}

OptionList list_options(const uint8_t *tcp, size_t len)
{
	OptionList out;
	if (len < 20)
		return out;
	size_t end = std::min<size_t>(static_cast<size_t>(tcp[12] >> 4) * 4, len);
	size_t i = 20;
	while (i < end) {
		uint8_t kind = tcp[i];
		if (kind == 0 || kind == 1) {
			out.options.push_back({kind, 1});
			if (kind == 0)
				break;
			++i;
			continue;
		}
		if (end - i < 2 || tcp[i + 1] < 2 || tcp[i + 1] > end - i) {
			out.broken = true;
			break;
		}
		out.options.push_back({kind, tcp[i + 1]});
		i += tcp[i + 1];
	}
	return out;
}

std::string option_text(const TcpOption &o)
{
	struct Name {
		uint8_t kind, length;
		const char *name;
	};
	static constexpr Name kNames[] = {
		{0, 1, "eol"},	  {1, 1, "nop"}, {2, 4, "mss"},	  {3, 3, "ws"},
		{4, 2, "sackok"}, {8, 10, "ts"}, {19, 18, "md5"},
	};
	for (const auto &n : kNames)
		if (n.kind == o.kind && n.length == o.length)
			return n.name;
	if (o.kind == 5)
		return fmt::format("sack/{}", o.length);
	if (o.kind == 34)
		return fmt::format("tfo/{}", o.length);
	if (o.kind == 30)
		return fmt::format("mptcp/{}", o.length);
	return fmt::format("{}/{}", o.kind, o.length);
}

std::string Toa::client() const
{
	return with_port(family, addr, port);
}

std::string Source::text() const
{
	return with_port(family, addr, port);
}

std::string Source::address() const
{
	return addr_text(family, addr);
}

Rules::Rules()
{
	set_kinds(kDefaultKinds);
	set_trusted("");
}

bool Rules::set_kinds(const std::string &text)
{
	toa_kinds k{};
	unsigned bad = 0;
	if (!toa_kinds_parse(text.data(), text.size(), &k, &bad))
		return false;
	char buf[4 * TOA_MAX_KINDS + 1];
	toa_kinds_format(&k, buf, sizeof(buf));
	kinds_ = k;
	kinds_text_ = buf;
	return true;
}

bool Rules::set_trusted(const std::string &text)
{
	toa_cidr_list list{};
	unsigned bad = 0;
	if (toa_cidr_parse(text.data(), text.size(), &list, &bad) != TOA_CIDR_OK)
		return false;
	std::vector<char> buf(TOA_CIDR_TEXT_MAX);
	toa_cidr_format(&list, buf.data(), buf.size());
	trusted_ = list;
	trusted_text_ = buf.data();
	return true;
}

Rules Rules::from_text(const std::string &option_kinds, const std::string &trusted_sources,
		       bool module_loaded)
{
	Rules r;
	if (!r.set_kinds(option_kinds))
		throw UsageError(
			fmt::format("option_kinds '{}' is not a list of TOA kinds", option_kinds));
	if (!r.set_trusted(trusted_sources))
		throw UsageError(fmt::format("trusted_sources '{}' is not a list of CIDRs",
					     trusted_sources));
	r.loaded_ = module_loaded;
	return r;
}

Rules Rules::from_system(System &sys)
{
	Rules r;
	r.loaded_ = sys.module_loaded();
	if (!r.loaded_)
		return r;
	auto kinds = sys.read_file(std::string(kParamDir) + "option_kinds");
	if (!kinds) // a module older than option_kinds: one kind
		kinds = sys.read_file(std::string(kParamDir) + "option_kind");
	if (!kinds || !r.set_kinds(trim(*kinds)))
		r.warnings_.push_back(fmt::format(
			"cannot read the module's option_kinds; assuming {}", kDefaultKinds));
	auto trusted = sys.read_file(std::string(kParamDir) + "trusted_sources");
	if (!trusted || !r.set_trusted(trim(*trusted)))
		r.warnings_.push_back(
			"cannot read the module's trusted_sources; assuming any source");
	return r;
}

bool Rules::kind_configured(uint8_t kind) const
{
	return kinds_.map[kind >> 3] & (1u << (kind & 7));
}

bool Rules::trusts(const Source &src) const
{
	return trusted_.count == 0 ||
		toa_cidr_match(&trusted_, static_cast<uint8_t>(src.family), src.addr);
}

bool Rules::reads(Packet p, bool syn_cookie) const
{
	switch (p) {
	case Packet::Syn:
		return !syn_cookie;
	case Packet::Ack:
	case Packet::Completing:
		return true;
	case Packet::Data:
	case Packet::SynAck:
		return false;
	}
	return false;
}

PacketEval Rules::evaluate(Packet p, const uint8_t *tcp, size_t len, const Source &src,
			   bool syn_cookie) const
{
	PacketEval e;
	e.packet = p;
	e.read = reads(p, syn_cookie);
	e.trusted = trusts(src);

	toa_client mine{}, any{};
	toa_parse_result res = toa_parse_options(tcp, len, &kinds_, &mine);
	e.exid_skipped = mine.exid_skipped;
	toa_parse_result any_res = toa_parse_options(tcp, len, &any_kind(), &any);
	auto length_of = [](const toa_client &c) -> uint8_t {
		return c.family == 4 ? TOA_OPT_LEN_V4 : TOA_OPT_LEN_V6;
	};

	switch (res) {
	case TOA_PARSE_V4:
	case TOA_PARSE_V6:
		e.toa = toa_of(mine, length_of(mine));
		e.outcome = e.trusted ? Outcome::Accepted : Outcome::Untrusted;
		break;
	case TOA_PARSE_BAD_CLIENT:
		e.toa = toa_of(mine, length_of(mine));
		e.outcome = Outcome::BadClient;
		e.detail = fmt::format(
			"the client {} is unusable (unspecified, multicast or broadcast)",
			e.toa->client());
		break;
	case TOA_PARSE_MALFORMED: {
		e.outcome = Outcome::Malformed;
		OptionList ol = list_options(tcp, len);
		if (ol.broken) {
			e.detail =
				"the option list is broken (an option longer than the header or shorter than 2 bytes)";
		} else {
			for (const auto &o : ol.options)
				if (kind_configured(o.kind) && o.length != TOA_OPT_LEN_V4 &&
				    o.length != TOA_OPT_LEN_V6) {
					e.detail = fmt::format(
						"kind {} with length {} (TOA is 8 bytes for IPv4, 20 for IPv6)",
						o.kind, o.length);
					break;
				}
		}
		if (any_res == TOA_PARSE_V4 || any_res == TOA_PARSE_V6 ||
		    any_res == TOA_PARSE_BAD_CLIENT)
			e.toa = toa_of(any, length_of(any));
		break;
	}
	case TOA_PARSE_NONE:
		if (any_res == TOA_PARSE_V4 || any_res == TOA_PARSE_V6 ||
		    any_res == TOA_PARSE_BAD_CLIENT) {
			e.toa = toa_of(any, length_of(any));
			e.outcome = Outcome::WrongKind;
		}
		break;
	}
	return e;
}

std::string Rules::kinds_with(uint8_t kind) const
{
	toa_kinds k = kinds_;
	if (k.count < TOA_MAX_KINDS)
		k.kind[k.count++] = kind;
	else
		k.kind[k.count - 1] = kind;
	char buf[4 * TOA_MAX_KINDS + 1];
	toa_kinds_format(&k, buf, sizeof(buf));
	return buf;
}

std::string Rules::trusted_with(const Source &src) const
{
	std::string item = fmt::format("{}/{}", src.address(), src.family == 4 ? 32 : 128);
	return trusted_text_.empty() ? item : trusted_text_ + "," + item;
}

Decision Rules::decide(const std::vector<PacketEval> &packets, const Source &src) const
{
	Decision d;
	auto kind_fix = [&](uint8_t kind) {
		std::string list = kinds_with(kind);
		std::string fix = fmt::format("toa-check enable --option-kinds {}", list);
		if (loaded_)
			fix += fmt::format("\n{}", live_fix("option_kinds", list));
		return fix;
	};
	auto trust_fix = [&]() {
		std::string list = trusted_with(src);
		std::string fix = fmt::format("toa-check enable --trusted-sources {}", list);
		if (loaded_)
			fix += fmt::format("\n{}", live_fix("trusted_sources", list));
		return fix;
	};
	auto trusted_list = [&]() {
		return trusted_text_.empty() ? std::string("any") : trusted_text_;
	};

	// 1. The first packet the module reads with a usable client decides.
	for (const auto &e : packets) {
		if (!e.read || e.outcome != Outcome::Accepted)
			continue;
		d.verdict = Verdict::Accepted;
		d.packet = e.packet;
		d.toa = e.toa;
		d.summary = fmt::format("accepted: client {} (kind {} on {})", e.toa->client(),
					e.toa->kind, where(e.packet));
		if (e.toa->family == 6 && src.family == 4)
			d.note =
				"an IPv6 client on an IPv4 connection: accept() and getpeername() keep showing the "
				"balancer; getsockopt TOA_SO_GET_LOOKUP (NAT64) gives the client";
		else if (e.packet == Packet::Syn)
			d.note =
				"read from the SYN alone: when the kernel answers with a SYN cookie (SYN flood) it is "
				"lost; balancers that repeat it on the ACK are not affected";
		return d;
	}

	// 2. Else the most telling refusal on a packet the module reads.
	static constexpr Outcome kOrder[] = {Outcome::WrongKind, Outcome::Untrusted,
					     Outcome::Malformed, Outcome::BadClient};
	for (Outcome want : kOrder) {
		for (const auto &e : packets) {
			if (!e.read || e.outcome != want)
				continue;
			d.packet = e.packet;
			d.toa = e.toa;
			switch (want) {
			case Outcome::WrongKind:
				d.verdict = Verdict::WrongKind;
				d.summary = fmt::format(
					"ignored: kind {} (client {}) on {} is not in option_kinds {}",
					e.toa->kind, e.toa->client(), where(e.packet), kinds_text_);
				d.fix = kind_fix(e.toa->kind);
				if (!e.trusted) {
					d.note = fmt::format(
						"the source {} is not in trusted_sources ({}) either",
						src.address(), trusted_list());
					d.fix += fmt::format("\n{}", trust_fix());
				}
				break;
			case Outcome::Untrusted:
				d.verdict = Verdict::Untrusted;
				d.summary = fmt::format(
					"ignored: the source {} is not in trusted_sources ({}); "
					"client {} (kind {} on {})",
					src.address(), trusted_list(), e.toa->client(), e.toa->kind,
					where(e.packet));
				d.fix = trust_fix();
				break;
			case Outcome::Malformed:
				d.verdict = Verdict::Malformed;
				d.summary = fmt::format("ignored: malformed options on {}: {}",
							where(e.packet),
							e.detail.empty() ? "unreadable" : e.detail);
				d.note =
					"the balancer sends a broken option: check its TOA settings or report it to its vendor";
				break;
			case Outcome::BadClient:
				d.verdict = Verdict::BadClient;
				d.summary = fmt::format("ignored: kind {} on {}: {}", e.toa->kind,
							where(e.packet), e.detail);
				d.note =
					"the balancer announces no real client: check its TOA settings";
				break;
			default:
				break;
			}
			return d;
		}
	}

	// 3. TOA only where the module does not look.
	for (const auto &e : packets) {
		if (e.read || !e.toa)
			continue;
		d.verdict = Verdict::NotRead;
		d.packet = e.packet;
		d.toa = e.toa;
		if (e.packet == Packet::Syn)
			d.summary = fmt::format(
				"not read: TOA (kind {}, client {}) only on the SYN, and the handshake "
				"used a SYN cookie, which keeps nothing of the SYN",
				e.toa->kind, e.toa->client());
		else
			d.summary = fmt::format(
				"not read: TOA (kind {}, client {}) only on {}; the module reads "
				"the SYN, the handshake ACK or the segment that completes the handshake",
				e.toa->kind, e.toa->client(), where(e.packet));
		d.fix = "configure the balancer to send the client address in the TCP handshake";
		if (e.outcome == Outcome::WrongKind)
			d.note = fmt::format(
				"its kind {} is not in option_kinds {} either: {}", e.toa->kind,
				kinds_text_,
				kind_fix(e.toa->kind).substr(0, kind_fix(e.toa->kind).find('\n')));
		return d;
	}

	d.verdict = Verdict::NoToa;
	d.summary =
		"no TOA: this balancer sends no client address: enable TOA / client address transfer on the "
		"listener";
	return d;
}

} // namespace toacheck
