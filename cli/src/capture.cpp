// SPDX-License-Identifier: GPL-2.0 OR MIT
// capture.cpp - libpcap, and decoding frames down to the TCP header.
#include "capture.h"

#include <cerrno>
#include <cstring>
#include <set>
#include <sstream>

#include <arpa/inet.h>
#include <poll.h>

#include <fmt/format.h>
#include <pcap/pcap.h>

namespace toacheck {

namespace {

// More ports than this: capture all TCP and pick in user space (a kernel
// filter holds at most 4096 instructions).
constexpr size_t kMaxFilterPorts = 64;

// Linux packet types (SLL headers): sent by this host, or to another host.
constexpr unsigned kPacketOtherHost = 3;
constexpr unsigned kPacketOutgoing = 4;

constexpr uint16_t kEtherIPv4 = 0x0800;
constexpr uint16_t kEtherIPv6 = 0x86dd;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88a8;

uint16_t be16(const uint8_t *p)
{
	return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

uint32_t be32(const uint8_t *p)
{
	return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
		static_cast<uint32_t>(p[2]) << 8 | p[3];
}

class PcapCapture : public Capture {
public:
	PcapCapture(pcap_t *p, bool live) : p_(p), live_(live)
	{
		linktype_ = pcap_datalink(p_);
		if (live_)
			fd_ = pcap_get_selectable_fd(p_);
	}
	~PcapCapture() override { pcap_close(p_); }
	PcapCapture(const PcapCapture &) = delete;
	PcapCapture &operator=(const PcapCapture &) = delete;

	int linktype() const override { return linktype_; }

	Next next(Frame &f, int timeout_ms) override
	{
		for (int round = 0; round < 2; ++round) {
			pcap_pkthdr *h = nullptr;
			const u_char *data = nullptr;
			int rc = pcap_next_ex(p_, &h, &data);
			if (rc == 1) {
				f.ts = static_cast<double>(h->ts.tv_sec) + h->ts.tv_usec / 1e6;
				f.data = data;
				f.caplen = h->caplen;
				f.wirelen = h->len;
				return Next::Frame;
			}
			if (rc == PCAP_ERROR_BREAK || (rc < 0 && !live_))
				return Next::End;
			if (rc < 0)
				throw std::runtime_error(
					fmt::format("capture failed: {}", pcap_geterr(p_)));
			// live, nothing queued: wait once
			if (round == 1 || fd_ < 0)
				return Next::Timeout;
			pollfd pfd{fd_, POLLIN, 0};
			int n = poll(&pfd, 1, timeout_ms);
			if (n <= 0)
				return Next::Timeout; // timeout or EINTR (Ctrl-C)
		}
		return Next::Timeout;
	}

	std::string set_ports(const std::vector<uint16_t> &ports) override
	{
		if (!live_)
			return "";
		std::string expr = capture_filter(ports);
		bpf_program prog{};
		if (pcap_compile(p_, &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
			return fmt::format("filter '{}': {}", expr, pcap_geterr(p_));
		int rc = pcap_setfilter(p_, &prog);
		pcap_freecode(&prog);
		if (rc != 0)
			return fmt::format("filter '{}': {}", expr, pcap_geterr(p_));
		return "";
	}

	uint64_t dropped() override
	{
		pcap_stat st{};
		if (!live_ || pcap_stats(p_, &st) != 0)
			return 0;
		return st.ps_drop;
	}

private:
	pcap_t *p_;
	bool live_;
	int linktype_ = 0;
	int fd_ = -1;
};

// The IP packet at @ip (@len captured bytes) as a segment.
std::optional<Segment> decode_ip(const uint8_t *ip, size_t len)
{
	if (len < 1)
		return std::nullopt;
	Segment s;
	size_t ip_hlen = 0, tcp_total = 0; // header length, TCP header + data
	switch (ip[0] >> 4) {
	case 4: {
		if (len < 20)
			return std::nullopt;
		ip_hlen = static_cast<size_t>(ip[0] & 0x0f) * 4;
		size_t total = be16(ip + 2);
		if (ip_hlen < 20 || ip[9] != 6 || (be16(ip + 6) & 0x3fff) != 0 || total < ip_hlen)
			return std::nullopt; // not TCP, a fragment, or a broken header
		s.src.family = 4;
		std::memcpy(s.src.addr, ip + 12, 4);
		if (len < ip_hlen)
			return std::nullopt;
		std::memcpy(s.dst, ip + 16, 4);
		tcp_total = total - ip_hlen;
		break;
	}
	case 6:
		if (len < 40 || ip[6] != 6)
			return std::nullopt; // not TCP right after the fixed header
		ip_hlen = 40;
		s.src.family = 6;
		std::memcpy(s.src.addr, ip + 8, 16);
		std::memcpy(s.dst, ip + 24, 16);
		tcp_total = be16(ip + 4);
		break;
	default:
		return std::nullopt;
	}
	const uint8_t *tcp = ip + ip_hlen;
	size_t have = len - ip_hlen;
	if (have < 20 || tcp_total < 20)
		return std::nullopt;
	size_t hlen = static_cast<size_t>(tcp[12] >> 4) * 4;
	if (hlen < 20 || hlen > tcp_total)
		return std::nullopt;
	s.src.port = be16(tcp);
	s.dport = be16(tcp + 2);
	s.seq = be32(tcp + 4);
	s.flags = tcp[13];
	s.payload = tcp_total - hlen;
	s.tcp = tcp;
	s.tcp_len = std::min(have, hlen);
	s.truncated = have < hlen;
	return s;
}

} // namespace

std::string Segment::dst_text() const
{
	Source d;
	d.family = src.family;
	std::memcpy(d.addr, dst, sizeof(d.addr));
	d.port = dport;
	return d.text();
}

std::string capture_filter(const std::vector<uint16_t> &ports)
{
	std::set<uint16_t> uniq(ports.begin(), ports.end());
	if (uniq.empty() || uniq.size() > kMaxFilterPorts)
		return "tcp";
	std::string expr = "tcp and (";
	bool first = true;
	for (uint16_t p : uniq) {
		expr += fmt::format("{}dst port {}", first ? "" : " or ", p);
		first = false;
	}
	return expr + ")";
}

std::optional<Segment> decode_frame(int linktype, const uint8_t *data, size_t caplen)
{
	switch (linktype) {
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return decode_ip(data, caplen);
	case DLT_LINUX_SLL: {
		if (caplen < 16)
			return std::nullopt;
		unsigned type = be16(data);
		uint16_t proto = be16(data + 14);
		if (type == kPacketOutgoing || type == kPacketOtherHost ||
		    (proto != kEtherIPv4 && proto != kEtherIPv6))
			return std::nullopt;
		return decode_ip(data + 16, caplen - 16);
	}
	case DLT_LINUX_SLL2: {
		if (caplen < 20)
			return std::nullopt;
		uint16_t proto = be16(data);
		unsigned type = data[10];
		if (type == kPacketOutgoing || type == kPacketOtherHost ||
		    (proto != kEtherIPv4 && proto != kEtherIPv6))
			return std::nullopt;
		return decode_ip(data + 20, caplen - 20);
	}
	case DLT_EN10MB: {
		size_t off = 12;
		for (int tags = 0; tags < 3; ++tags) {
			if (caplen < off + 2)
				return std::nullopt;
			uint16_t type = be16(data + off);
			if (type == kEtherVlan || type == kEtherQinQ) {
				off += 4;
				continue;
			}
			if (type != kEtherIPv4 && type != kEtherIPv6)
				return std::nullopt;
			return decode_ip(data + off + 2, caplen - off - 2);
		}
		return std::nullopt;
	}
	default:
		return std::nullopt;
	}
}

std::vector<uint16_t> parse_listening_ports(const std::string &text)
{
	std::set<uint16_t> ports;
	std::istringstream in(text);
	std::string line;
	while (std::getline(in, line)) {
		std::istringstream f(line);
		std::string sl, local, remote, state;
		if (!(f >> sl >> local >> remote >> state) || state != "0A")
			continue;
		size_t colon = local.rfind(':');
		if (colon == std::string::npos || colon + 5 != local.size())
			continue;
		unsigned long port = std::strtoul(local.c_str() + colon + 1, nullptr, 16);
		if (port > 0 && port <= 65535)
			ports.insert(static_cast<uint16_t>(port));
	}
	return {ports.begin(), ports.end()};
}

std::unique_ptr<Capture> open_live_capture(const std::vector<uint16_t> &ports, std::string &err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create("any", errbuf);
	if (!p) {
		err = fmt::format("cannot capture on any interface: {}", errbuf);
		return nullptr;
	}
	pcap_set_snaplen(p, kSnaplen);
	pcap_set_promisc(p, 0);
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, 4 << 20);
	int rc = pcap_activate(p);
	if (rc < 0) {
		err = fmt::format("cannot capture on any interface: {} ({})", pcap_statustostr(rc),
				  pcap_geterr(p));
		pcap_close(p);
		return nullptr;
	}
	// Only what arrives: our own SYN-ACKs and loopback's second copy stay out.
	pcap_setdirection(p, PCAP_D_IN);
	auto cap = std::make_unique<PcapCapture>(p, true);
	err = cap->set_ports(ports);
	if (!err.empty())
		return nullptr;
	if (pcap_setnonblock(p, 1, errbuf) != 0) {
		err = fmt::format("capture: {}", errbuf);
		return nullptr;
	}
	return cap;
}

std::unique_ptr<Capture> open_file_capture(const std::string &path, std::string &err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_offline(path.c_str(), errbuf);
	if (!p) {
		err = fmt::format("cannot read {}: {}", path, errbuf);
		return nullptr;
	}
	return std::make_unique<PcapCapture>(p, false);
}

} // namespace toacheck
