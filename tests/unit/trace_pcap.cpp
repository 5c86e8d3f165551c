// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "trace_pcap.h"

#include <stdexcept>

#include <arpa/inet.h>
#include <pcap/pcap.h>

namespace toatest {

namespace {

void put16(Bytes &b, size_t at, uint16_t v)
{
	b[at] = static_cast<uint8_t>(v >> 8);
	b[at + 1] = static_cast<uint8_t>(v);
}

void put32(Bytes &b, size_t at, uint32_t v)
{
	put16(b, at, static_cast<uint16_t>(v >> 16));
	put16(b, at + 2, static_cast<uint16_t>(v));
}

Bytes addr_bytes(int family, const std::string &text)
{
	Bytes a(family == 4 ? 4 : 16);
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, text.c_str(), a.data()) != 1)
		throw std::runtime_error("bad address " + text);
	return a;
}

} // namespace

Bytes tcp_packet(const Flow &f, uint8_t flags, const Bytes &opts, size_t payload, uint32_t seq)
{
	Bytes o = opts;
	while (o.size() % 4)
		o.push_back(0);
	size_t ip_len = f.family == 4 ? 20 : 40, tcp_len = 20 + o.size();
	Bytes p(ip_len + tcp_len + payload, 0);
	Bytes src = addr_bytes(f.family, f.lb), dst = addr_bytes(f.family, f.srv);
	if (f.family == 4) {
		p[0] = 0x45;
		put16(p, 2, static_cast<uint16_t>(p.size()));
		put16(p, 6, 0x4000); // DF
		p[8] = 64;
		p[9] = 6;
		std::copy(src.begin(), src.end(), p.begin() + 12);
		std::copy(dst.begin(), dst.end(), p.begin() + 16);
	} else {
		p[0] = 0x60;
		put16(p, 4, static_cast<uint16_t>(tcp_len + payload));
		p[6] = 6;
		p[7] = 64;
		std::copy(src.begin(), src.end(), p.begin() + 8);
		std::copy(dst.begin(), dst.end(), p.begin() + 24);
	}
	size_t t = ip_len;
	put16(p, t, f.lb_port);
	put16(p, t + 2, f.srv_port);
	put32(p, t + 4, seq);
	put32(p, t + 8, (flags & kAck) ? 5001 : 0);
	p[t + 12] = static_cast<uint8_t>((tcp_len / 4) << 4);
	p[t + 13] = flags;
	put16(p, t + 14, 64240);
	std::copy(o.begin(), o.end(), p.begin() + static_cast<long>(t + 20));
	for (size_t i = 0; i < payload; ++i)
		p[t + tcp_len + i] = 'x';
	return p;
}

Bytes toa4(uint8_t kind, const std::string &addr, uint16_t port)
{
	Bytes o{kind, 8, static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port)};
	Bytes a = addr_bytes(4, addr);
	o.insert(o.end(), a.begin(), a.end());
	return o;
}

Bytes toa6(uint8_t kind, const std::string &addr, uint16_t port)
{
	Bytes o{kind, 20, static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port)};
	Bytes a = addr_bytes(6, addr);
	o.insert(o.end(), a.begin(), a.end());
	return o;
}

Bytes cat(std::initializer_list<Bytes> parts)
{
	Bytes out;
	for (const auto &p : parts)
		out.insert(out.end(), p.begin(), p.end());
	return out;
}

std::vector<Frame> handshake(const Flow &f, const Bytes &syn, const Bytes &ack, const Bytes &data,
			     size_t data_len, double t)
{
	std::vector<Frame> out;
	out.push_back({t, tcp_packet(f, kSyn, syn, 0, 1000)});
	out.push_back({t + 0.001, tcp_packet(f, kAck, ack, 0, 1001)});
	if (data_len)
		out.push_back({t + 0.002, tcp_packet(f, kAck | kPsh, data, data_len, 1001)});
	return out;
}

void write_pcap(const std::string &path, const std::vector<Frame> &frames, int dlt,
		unsigned sll_type)
{
	pcap_t *dead = pcap_open_dead(dlt, 65535);
	if (!dead)
		throw std::runtime_error("pcap_open_dead");
	pcap_dumper_t *d = pcap_dump_open(dead, path.c_str());
	if (!d) {
		pcap_close(dead);
		throw std::runtime_error("pcap_dump_open " + path);
	}
	for (const auto &f : frames) {
		Bytes b;
		uint16_t proto = (f.bytes[0] >> 4) == 4 ? 0x0800 : 0x86dd;
		if (dlt == DLT_LINUX_SLL) {
			b.assign(16, 0);
			put16(b, 0, static_cast<uint16_t>(sll_type));
			put16(b, 2, 1); // ARPHRD_ETHER
			put16(b, 14, proto);
		} else if (dlt == DLT_EN10MB) {
			b.assign(18, 0); // with one VLAN tag
			put16(b, 12, 0x8100);
			put16(b, 14, 7);
			put16(b, 16, proto);
		}
		size_t link = b.size();
		b.insert(b.end(), f.bytes.begin(), f.bytes.end());
		pcap_pkthdr h{};
		h.ts.tv_sec = static_cast<time_t>(f.ts);
		h.ts.tv_usec = static_cast<suseconds_t>(
			(f.ts - static_cast<double>(h.ts.tv_sec)) * 1e6 + 0.5);
		h.len = static_cast<bpf_u_int32>(b.size());
		h.caplen = static_cast<bpf_u_int32>(f.caplen ? link + f.caplen : b.size());
		pcap_dump(reinterpret_cast<u_char *>(d), &h, b.data());
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

} // namespace toatest
