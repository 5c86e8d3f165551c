// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa_rules: the model of the module's rules that toa-check trace applies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "cli_fixture.h"
#include "toa_rules.h"
#include "trace_pcap.h"

using namespace toacheck;
using testing::HasSubstr;
using toatest::Bytes;
using toatest::cat;
using toatest::kMss;
using toatest::toa4;
using toatest::toa6;

namespace {

Source src4(const char *text)
{
	Source s;
	s.family = 4;
	inet_pton(AF_INET, text, s.addr);
	s.port = 40000;
	return s;
}

Source src6(const char *text)
{
	Source s;
	s.family = 6;
	inet_pton(AF_INET6, text, s.addr);
	s.port = 40000;
	return s;
}

// The TCP header of a segment with @opts.
Bytes header(const Bytes &opts, uint8_t flags = toatest::kAck)
{
	toatest::Flow f;
	Bytes p = toatest::tcp_packet(f, flags, opts);
	return Bytes(p.begin() + 20, p.end());
}

PacketEval eval(const Rules &r, Packet p, const Bytes &opts, const Source &s = src4("198.51.100.2"),
		bool cookie = false)
{
	Bytes h = header(opts, p == Packet::Syn ? toatest::kSyn : toatest::kAck);
	return r.evaluate(p, h.data(), h.size(), s, cookie);
}

TEST(Rules, DefaultsAreTheModules)
{
	Rules r;
	EXPECT_EQ(r.kinds_text(), "254,253");
	EXPECT_EQ(r.trusted_text(), "");
	EXPECT_FALSE(r.module_loaded());
	EXPECT_TRUE(r.kind_configured(254));
	EXPECT_TRUE(r.kind_configured(253));
	EXPECT_FALSE(r.kind_configured(200));
	EXPECT_TRUE(r.trusts(src4("203.0.113.1")));
}

TEST(Rules, FromSystemReadsTheLiveParameters)
{
	toatest::TempRoot root;
	toatest::FakeSystem sys(root);
	// Not loaded: the defaults.
	Rules none = Rules::from_system(sys);
	EXPECT_FALSE(none.module_loaded());
	EXPECT_EQ(none.kinds_text(), "254,253");

	root.put("/sys/module/toa/parameters/option_kinds", "200\n");
	root.put("/sys/module/toa/parameters/trusted_sources", "198.51.100.0/24,2001:db8::/32\n");
	Rules r = Rules::from_system(sys);
	EXPECT_TRUE(r.module_loaded());
	EXPECT_EQ(r.kinds_text(), "200");
	EXPECT_EQ(r.trusted_text(), "198.51.100.0/24,2001:db8::/32");
	EXPECT_TRUE(r.trusts(src4("198.51.100.77")));
	EXPECT_FALSE(r.trusts(src4("192.0.2.1")));
	EXPECT_TRUE(r.trusts(src6("2001:db8::5")));
	EXPECT_TRUE(r.warnings().empty());
}

TEST(Rules, FromSystemOlderModuleAndGarbage)
{
	toatest::TempRoot root;
	toatest::FakeSystem sys(root);
	root.put("/sys/module/toa/parameters/option_kind", "200\n"); // no option_kinds yet
	root.put("/sys/module/toa/parameters/trusted_sources", "\n");
	Rules older = Rules::from_system(sys);
	EXPECT_EQ(older.kinds_text(), "200");
	EXPECT_EQ(older.trusted_text(), "");

	root.put("/sys/module/toa/parameters/option_kinds", "banana\n");
	root.put("/sys/module/toa/parameters/trusted_sources", "not-a-cidr\n");
	Rules bad = Rules::from_system(sys);
	EXPECT_EQ(bad.kinds_text(), "254,253");
	ASSERT_EQ(bad.warnings().size(), 2u);
	EXPECT_THAT(bad.warnings()[0], HasSubstr("option_kinds"));
	EXPECT_THAT(bad.warnings()[1], HasSubstr("trusted_sources"));
}

TEST(Rules, FromTextRefusesBadValues)
{
	EXPECT_THROW(Rules::from_text("2", ""), toacheck::UsageError); // MSS
	EXPECT_THROW(Rules::from_text("254", "10.0.0.0/33"), toacheck::UsageError);
	EXPECT_NO_THROW(Rules::from_text("254, 200", " 10.0.0.0/8 "));
}

TEST(Rules, WhichPacketsTheModuleReads)
{
	Rules r;
	EXPECT_TRUE(r.reads(Packet::Syn));
	EXPECT_FALSE(r.reads(Packet::Syn, true)); // a SYN cookie keeps nothing of the SYN
	EXPECT_TRUE(r.reads(Packet::Ack));
	EXPECT_TRUE(r.reads(Packet::Completing));
	EXPECT_FALSE(r.reads(Packet::Data));
	EXPECT_FALSE(r.reads(Packet::SynAck));
}

TEST(Rules, EvaluateEachOutcome)
{
	Rules r = Rules::from_text("254,253", "198.51.100.0/24");
	auto ok = eval(r, Packet::Ack, toa4(254, "203.0.113.7", 4321));
	EXPECT_EQ(ok.outcome, Outcome::Accepted);
	ASSERT_TRUE(ok.toa);
	EXPECT_EQ(ok.toa->client(), "203.0.113.7:4321");
	EXPECT_EQ(ok.toa->kind, 254);
	EXPECT_EQ(ok.toa->length, 8);
	EXPECT_TRUE(ok.read);

	auto v6 = eval(r, Packet::Ack, toa6(253, "2001:db8:c0::7", 4321), src6("2001:db8:1::2"));
	EXPECT_EQ(v6.outcome, Outcome::Untrusted); // not in the IPv4-only list
	EXPECT_EQ(v6.toa->client(), "[2001:db8:c0::7]:4321");

	auto wrong = eval(r, Packet::Ack, cat({{1, 1}, toa4(200, "203.0.113.7", 4321)}));
	EXPECT_EQ(wrong.outcome, Outcome::WrongKind);
	EXPECT_EQ(wrong.toa->kind, 200);

	auto untrusted = eval(r, Packet::Ack, toa4(254, "203.0.113.7", 4321), src4("192.0.2.9"));
	EXPECT_EQ(untrusted.outcome, Outcome::Untrusted);
	EXPECT_FALSE(untrusted.trusted);

	auto badlen = eval(r, Packet::Ack, {254, 10, 0, 1, 2, 3, 4, 5, 6, 7});
	EXPECT_EQ(badlen.outcome, Outcome::Malformed);
	EXPECT_THAT(badlen.detail, HasSubstr("kind 254 with length 10"));

	auto broken = eval(r, Packet::Ack, {3, 30}); // runs past the header
	EXPECT_EQ(broken.outcome, Outcome::Malformed);
	EXPECT_THAT(broken.detail, HasSubstr("broken"));

	auto zero = eval(r, Packet::Ack, toa4(254, "0.0.0.0", 0));
	EXPECT_EQ(zero.outcome, Outcome::BadClient);
	auto mcast = eval(r, Packet::Ack, toa6(253, "ff02::1", 1), src6("2001:db8:1::2"));
	EXPECT_EQ(mcast.outcome, Outcome::BadClient);

	EXPECT_EQ(eval(r, Packet::Ack, kMss).outcome, Outcome::None);
	EXPECT_FALSE(eval(r, Packet::Ack, kMss).toa);
}

TEST(Rules, FastOpenCookieOnTheSynIsNotToa)
{
	Rules r;
	Bytes tfo{254, 8, 0xf9, 0x89, 1, 2, 3, 4}; // RFC 7413 experiment ID
	auto syn = eval(r, Packet::Syn, tfo);
	EXPECT_TRUE(syn.exid_skipped);
	EXPECT_EQ(syn.outcome, Outcome::None);
	// Elsewhere the same bytes are a client port 63881.
	auto ack = eval(r, Packet::Ack, tfo);
	EXPECT_EQ(ack.outcome, Outcome::Accepted);
}

TEST(Rules, FixLists)
{
	Rules r = Rules::from_text("254,253", "198.51.100.0/24");
	EXPECT_EQ(r.kinds_with(200), "254,253,200");
	EXPECT_EQ(Rules::from_text("254,253,200,201", "").kinds_with(202), "254,253,200,202");
	EXPECT_EQ(r.trusted_with(src4("192.0.2.9")), "198.51.100.0/24,192.0.2.9/32");
	EXPECT_EQ(Rules().trusted_with(src6("2001:db8::9")), "2001:db8::9/128");
}

// decide() over the packets of one connection.
struct Conn {
	explicit Conn(Rules r) : rules(std::move(r)) {}
	Rules rules;
	Source src = src4("198.51.100.2");
	std::vector<PacketEval> packets;
	Conn &add(Packet p, const Bytes &opts, bool cookie = false)
	{
		packets.push_back(eval(rules, p, opts, src, cookie));
		return *this;
	}
	Decision decide() const { return rules.decide(packets, src); }
};

TEST(RulesDecide, AcceptedOnTheAck)
{
	Conn c{Rules::from_text("254,253", "")};
	auto d = c.add(Packet::Syn, kMss).add(Packet::Ack, toa4(254, "203.0.113.7", 4321)).decide();
	EXPECT_EQ(d.verdict, Verdict::Accepted);
	EXPECT_EQ(d.packet, Packet::Ack);
	EXPECT_EQ(d.summary, "accepted: client 203.0.113.7:4321 (kind 254 on the handshake ACK)");
	EXPECT_EQ(d.fix, "");
	EXPECT_EQ(d.note, "");
}

TEST(RulesDecide, TheFirstUsablePacketWins)
{
	Conn c{Rules::from_text("254,253", "")};
	auto d = c.add(Packet::Syn, toa4(254, "203.0.113.1", 1))
			 .add(Packet::Ack, toa4(254, "203.0.113.2", 2))
			 .add(Packet::Data, toa4(254, "203.0.113.3", 3))
			 .decide();
	EXPECT_EQ(d.verdict, Verdict::Accepted);
	EXPECT_EQ(d.packet, Packet::Syn);
	EXPECT_EQ(d.toa->client(), "203.0.113.1:1");
	EXPECT_THAT(d.note, HasSubstr("SYN cookie"));

	// A malformed SYN does not stop the ACK from being used.
	Conn m{Rules::from_text("254,253", "")};
	d = m.add(Packet::Syn, {254, 9, 0, 0, 0, 0, 0, 0, 0})
		    .add(Packet::Ack, toa4(254, "203.0.113.2", 2))
		    .decide();
	EXPECT_EQ(d.verdict, Verdict::Accepted);
	EXPECT_EQ(d.packet, Packet::Ack);
}

TEST(RulesDecide, CompletingDataSegment)
{
	Conn c{Rules::from_text("254,253", "")};
	auto d = c.add(Packet::Syn, kMss)
			 .add(Packet::Completing, toa4(254, "203.0.113.7", 4321))
			 .decide();
	EXPECT_EQ(d.verdict, Verdict::Accepted);
	EXPECT_EQ(d.packet, Packet::Completing);
	EXPECT_THAT(d.summary, HasSubstr("the data segment that completed the handshake"));
}

TEST(RulesDecide, WrongKindWithTheFix)
{
	Conn c{Rules::from_text("254,253", "", true)};
	auto d = c.add(Packet::Syn, kMss).add(Packet::Ack, toa4(200, "203.0.113.7", 4321)).decide();
	EXPECT_EQ(d.verdict, Verdict::WrongKind);
	EXPECT_EQ(
		d.summary,
		"ignored: kind 200 (client 203.0.113.7:4321) on the handshake ACK is not in option_kinds 254,253");
	EXPECT_EQ(
		d.fix,
		"toa-check enable --option-kinds 254,253,200\n"
		"echo '254,253,200' > /sys/module/toa/parameters/option_kinds   (now, without reload)");
	// Not loaded: only the boot configuration.
	Conn u{Rules::from_text("254,253", "", false)};
	d = u.add(Packet::Ack, toa4(200, "203.0.113.7", 4321)).decide();
	EXPECT_EQ(d.fix, "toa-check enable --option-kinds 254,253,200");
}

TEST(RulesDecide, WrongKindAndUntrustedGivesBothFixes)
{
	Conn c{Rules::from_text("254", "10.0.0.0/8", true)};
	auto d = c.add(Packet::Ack, toa4(200, "203.0.113.7", 4321)).decide();
	EXPECT_EQ(d.verdict, Verdict::WrongKind);
	EXPECT_THAT(d.note, HasSubstr("not in trusted_sources (10.0.0.0/8) either"));
	EXPECT_THAT(d.fix, HasSubstr("toa-check enable --option-kinds 254,200\n"));
	EXPECT_THAT(d.fix,
		    HasSubstr("toa-check enable --trusted-sources 10.0.0.0/8,198.51.100.2/32\n"));
}

TEST(RulesDecide, UntrustedWithTheFix)
{
	Conn c{Rules::from_text("254,253", "10.0.0.0/8", true)};
	auto d = c.add(Packet::Syn, kMss).add(Packet::Ack, toa4(254, "203.0.113.7", 4321)).decide();
	EXPECT_EQ(d.verdict, Verdict::Untrusted);
	EXPECT_EQ(d.summary,
		  "ignored: the source 198.51.100.2 is not in trusted_sources (10.0.0.0/8); "
		  "client 203.0.113.7:4321 (kind 254 on the handshake ACK)");
	EXPECT_EQ(
		d.fix,
		"toa-check enable --trusted-sources 10.0.0.0/8,198.51.100.2/32\n"
		"echo '10.0.0.0/8,198.51.100.2/32' > /sys/module/toa/parameters/trusted_sources   "
		"(now, without reload)");
}

TEST(RulesDecide, MalformedAndBadClient)
{
	Conn c{Rules()};
	auto d = c.add(Packet::Syn, kMss).add(Packet::Ack, {254, 6, 0, 1, 2, 3}).decide();
	EXPECT_EQ(d.verdict, Verdict::Malformed);
	EXPECT_THAT(d.summary, HasSubstr("kind 254 with length 6"));
	EXPECT_EQ(d.fix, "");

	Conn b{Rules()};
	d = b.add(Packet::Ack, toa4(254, "255.255.255.255", 80)).decide();
	EXPECT_EQ(d.verdict, Verdict::BadClient);
	EXPECT_THAT(d.summary, HasSubstr("255.255.255.255:80 is unusable"));
}

TEST(RulesDecide, NotReadAfterTheHandshake)
{
	Conn c{Rules()};
	auto d = c.add(Packet::Syn, kMss)
			 .add(Packet::Ack, {})
			 .add(Packet::Data, toa4(254, "203.0.113.7", 4321))
			 .decide();
	EXPECT_EQ(d.verdict, Verdict::NotRead);
	EXPECT_EQ(d.packet, Packet::Data);
	EXPECT_THAT(d.summary, HasSubstr("only on the first data segment after the handshake"));
	EXPECT_THAT(d.fix, HasSubstr("in the TCP handshake"));

	// Of a wrong kind too: both are said.
	Conn w{Rules()};
	d = w.add(Packet::Ack, {}).add(Packet::Data, toa4(200, "203.0.113.7", 4321)).decide();
	EXPECT_EQ(d.verdict, Verdict::NotRead);
	EXPECT_THAT(d.note, HasSubstr("toa-check enable --option-kinds 254,253,200"));
}

TEST(RulesDecide, NotReadOnASynCookieSyn)
{
	Conn c{Rules()};
	auto d = c.add(Packet::Syn, toa4(254, "203.0.113.7", 4321), true)
			 .add(Packet::Ack, {})
			 .decide();
	EXPECT_EQ(d.verdict, Verdict::NotRead);
	EXPECT_EQ(d.packet, Packet::Syn);
	EXPECT_THAT(d.summary, HasSubstr("SYN cookie"));
}

TEST(RulesDecide, NoToa)
{
	Conn c{Rules()};
	auto d = c.add(Packet::Syn, kMss)
			 .add(Packet::Ack, {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2})
			 .decide();
	EXPECT_EQ(d.verdict, Verdict::NoToa);
	EXPECT_EQ(
		d.summary,
		"no TOA: this balancer sends no client address: enable TOA / client address transfer "
		"on the listener");
	EXPECT_FALSE(d.packet);
}

TEST(RulesDecide, Ipv6ClientOnAnIpv4Connection)
{
	Conn c{Rules()};
	auto d = c.add(Packet::Ack, toa6(254, "2001:db8:c0::7", 4321)).decide();
	EXPECT_EQ(d.verdict, Verdict::Accepted);
	EXPECT_THAT(d.note, HasSubstr("TOA_SO_GET_LOOKUP"));
}

TEST(RulesOptions, ListAndName)
{
	Bytes h = header(cat({kMss, {1, 1, 4, 2, 3, 3, 7}, toa4(254, "203.0.113.7", 1)}));
	OptionList ol = list_options(h.data(), h.size());
	EXPECT_FALSE(ol.broken);
	std::string text;
	for (const auto &o : ol.options)
		text += option_text(o) + " ";
	EXPECT_EQ(text, "mss nop nop sackok ws 254/8 eol ");
	Bytes bad = header({5, 1});
	EXPECT_TRUE(list_options(bad.data(), bad.size()).broken);
	// The header is read only up to min(len, data offset).
	EXPECT_TRUE(list_options(h.data(), 19).options.empty());
	EXPECT_TRUE(list_options(h.data(), 22).broken); // MSS cut short
}

} // namespace
