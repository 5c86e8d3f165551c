// The emulator's packet builder and option helpers (lbsim/lbsim_wire.c):
// header fields read back byte by byte, checksums recomputed here from
// RFC 1071 / RFC 793 / RFC 8200 independently of lbsim's own code.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <vector>

extern "C" {
#include "lbsim.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

const uint8_t kSrc4[4] = {198, 51, 100, 2};
const uint8_t kDst4[4] = {198, 51, 100, 1};
const uint8_t kSrc6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
const uint8_t kDst6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

unsigned be16(const Bytes &b, size_t at)
{
	return static_cast<unsigned>(b[at] << 8 | b[at + 1]);
}

uint32_t be32(const Bytes &b, size_t at)
{
	return static_cast<uint32_t>(b[at]) << 24 | static_cast<uint32_t>(b[at + 1]) << 16 |
		static_cast<uint32_t>(b[at + 2]) << 8 | b[at + 3];
}

// One's complement sum of 16-bit big-endian words, computed here the long
// way: every word added into a 64-bit accumulator, carries folded at the end.
uint16_t ones_sum(const Bytes &b)
{
	uint64_t acc = 0;
	for (size_t i = 0; i < b.size(); i += 2) {
		uint64_t hi = b[i];
		uint64_t lo = i + 1 < b.size() ? b[i + 1] : 0;
		acc += hi * 256 + lo;
	}
	while (acc > 0xffff)
		acc = (acc & 0xffff) + (acc >> 16);
	return static_cast<uint16_t>(acc);
}

// The checksum a receiver expects in the TCP header of @pkt: the pseudo
// header (addresses, zero, protocol 6, TCP length) plus the segment with
// its checksum field taken as zero, complemented.
uint16_t reference_tcp_checksum(const Bytes &pkt)
{
	const bool v4 = (pkt[0] >> 4) == 4;
	const size_t iphl = v4 ? static_cast<size_t>(pkt[0] & 15) * 4 : 40;
	Bytes seg(pkt.begin() + static_cast<long>(iphl), pkt.end());
	seg[16] = seg[17] = 0;
	Bytes pseudo;
	if (v4) {
		pseudo.insert(pseudo.end(), pkt.begin() + 12, pkt.begin() + 20);
		pseudo.push_back(0);
		pseudo.push_back(IPPROTO_TCP);
		pseudo.push_back(static_cast<uint8_t>(seg.size() >> 8));
		pseudo.push_back(static_cast<uint8_t>(seg.size()));
	} else {
		pseudo.insert(pseudo.end(), pkt.begin() + 8, pkt.begin() + 40);
		const uint32_t len = static_cast<uint32_t>(seg.size());
		for (int shift = 24; shift >= 0; shift -= 8)
			pseudo.push_back(static_cast<uint8_t>(len >> shift));
		pseudo.insert(pseudo.end(), {0, 0, 0, IPPROTO_TCP});
	}
	Bytes all = pseudo;
	all.insert(all.end(), seg.begin(), seg.end());
	return static_cast<uint16_t>(~ones_sum(all));
}

uint16_t reference_ip4_checksum(const Bytes &pkt)
{
	Bytes h(pkt.begin(), pkt.begin() + 20);
	h[10] = h[11] = 0;
	return static_cast<uint16_t>(~ones_sum(h));
}

struct Seg {
	int family = AF_INET;
	uint16_t sport = 20001, dport = 8080;
	uint32_t seq = 0x01020304, ack = 0xa0b0c0d0;
	uint8_t flags = LBSIM_ACK | LBSIM_PSH;
	uint16_t window = 0x1234;
	Bytes opts;
	Bytes data;
};

ssize_t build(const Seg &s, Bytes &out, size_t cap = 2048)
{
	out.assign(cap, 0xee);
	const void *src = s.family == AF_INET6 ? static_cast<const void *>(kSrc6) : kSrc4;
	const void *dst = s.family == AF_INET6 ? static_cast<const void *>(kDst6) : kDst4;
	ssize_t n = lbsim_build_packet(out.data(), cap, s.family, src, dst, s.sport, s.dport, s.seq,
				       s.ack, s.flags, s.window,
				       s.opts.empty() ? nullptr : s.opts.data(), s.opts.size(),
				       s.data.empty() ? nullptr : s.data.data(), s.data.size());
	if (n >= 0)
		out.resize(static_cast<size_t>(n));
	return n;
}

Bytes build_ok(const Seg &s)
{
	Bytes p;
	EXPECT_GT(build(s, p), 0);
	return p;
}

TEST(LbsimPacket, Ipv4HeaderFields)
{
	Seg s;
	s.data = {'h', 'e', 'l', 'l', 'o'};
	Bytes p = build_ok(s);
	ASSERT_EQ(p.size(), 20u + 20u + 5u);
	EXPECT_EQ(p[0], 0x45);		 // version 4, IHL 5
	EXPECT_EQ(p[1], 0);		 // DSCP/ECN
	EXPECT_EQ(be16(p, 2), p.size()); // total length
	EXPECT_EQ(be16(p, 4), 0u);	 // identification
	EXPECT_EQ(be16(p, 6), 0x4000u);	 // DF, offset 0
	EXPECT_EQ(p[8], 64);		 // TTL
	EXPECT_EQ(p[9], IPPROTO_TCP);
	EXPECT_EQ(Bytes(p.begin() + 12, p.begin() + 16), Bytes(kSrc4, kSrc4 + 4));
	EXPECT_EQ(Bytes(p.begin() + 16, p.begin() + 20), Bytes(kDst4, kDst4 + 4));
	EXPECT_EQ(be16(p, 10), reference_ip4_checksum(p));
}

TEST(LbsimPacket, Ipv6HeaderFields)
{
	Seg s;
	s.family = AF_INET6;
	s.opts = {2, 4, 0x05, 0xb4};
	s.data = {1, 2, 3};
	Bytes p = build_ok(s);
	ASSERT_EQ(p.size(), 40u + 24u + 3u);
	EXPECT_EQ(be32(p, 0), 0x60000000u); // version 6, class 0, flow 0
	EXPECT_EQ(be16(p, 4), 24u + 3u);    // payload length
	EXPECT_EQ(p[6], IPPROTO_TCP);	    // next header
	EXPECT_EQ(p[7], 64);		    // hop limit
	EXPECT_EQ(Bytes(p.begin() + 8, p.begin() + 24), Bytes(kSrc6, kSrc6 + 16));
	EXPECT_EQ(Bytes(p.begin() + 24, p.begin() + 40), Bytes(kDst6, kDst6 + 16));
	EXPECT_EQ(be16(p, 40 + 16), reference_tcp_checksum(p));
}

TEST(LbsimPacket, TcpHeaderFields)
{
	Seg s;
	s.flags = LBSIM_SYN | LBSIM_ACK;
	s.data = {'x'};
	Bytes p = build_ok(s);
	const size_t t = 20;
	EXPECT_EQ(be16(p, t), s.sport);
	EXPECT_EQ(be16(p, t + 2), s.dport);
	EXPECT_EQ(be32(p, t + 4), s.seq);
	EXPECT_EQ(be32(p, t + 8), s.ack);
	EXPECT_EQ(p[t + 12], 5 << 4); // data offset 5, reserved 0
	EXPECT_EQ(p[t + 13], LBSIM_SYN | LBSIM_ACK);
	EXPECT_EQ(be16(p, t + 14), s.window);
	EXPECT_EQ(be16(p, t + 16), reference_tcp_checksum(p));
	EXPECT_EQ(be16(p, t + 18), 0u); // urgent pointer
	EXPECT_EQ(p[t + 20], 'x');
}

TEST(LbsimPacket, DataOffsetAndPaddingForEveryOptionLength)
{
	for (size_t n = 0; n <= LBSIM_MAX_OPTLEN; n++) {
		for (int family : {AF_INET, AF_INET6}) {
			Seg s;
			s.family = family;
			for (size_t i = 0; i < n; i++)
				s.opts.push_back(static_cast<uint8_t>(0x80 + i));
			s.data = {9, 8, 7};
			Bytes p = build_ok(s);
			const size_t t = family == AF_INET ? 20 : 40;
			const size_t padded = (n + 3) / 4 * 4;
			SCOPED_TRACE(testing::Message() << "optlen " << n << " family " << family);
			ASSERT_EQ(p.size(), t + 20 + padded + 3);
			EXPECT_EQ(p[t + 12] >> 4, 5 + padded / 4);
			EXPECT_EQ(Bytes(p.begin() + static_cast<long>(t + 20),
					p.begin() + static_cast<long>(t + 20 + n)),
				  s.opts);
			for (size_t i = n; i < padded; i++)
				EXPECT_EQ(p[t + 20 + i], 0) << "padding byte " << i;
			EXPECT_EQ(p[t + 20 + padded], 9); // data right behind the padding
			EXPECT_EQ(be16(p, t + 16), reference_tcp_checksum(p));
			EXPECT_EQ(lbsim_tcp_checksum_check(p.data(), p.size()), 0);
		}
	}
}

TEST(LbsimPacket, ChecksumsOfOddAndEmptyPayloads)
{
	for (int family : {AF_INET, AF_INET6}) {
		for (size_t len : {0u, 1u, 2u, 3u, 1399u, 1400u}) {
			Seg s;
			s.family = family;
			for (size_t i = 0; i < len; i++)
				s.data.push_back(static_cast<uint8_t>(i * 7 + 0xf1));
			s.opts = {1,	1, 254,	 8, 0x10, 0xe1,
				  0xcb, 0, 0x71, 7, 0xff}; // odd length too
			Bytes p = build_ok(s);
			const size_t t = family == AF_INET ? 20 : 40;
			SCOPED_TRACE(testing::Message() << "family " << family << " len " << len);
			EXPECT_EQ(be16(p, t + 16), reference_tcp_checksum(p));
			EXPECT_EQ(lbsim_tcp_checksum_check(p.data(), p.size()), 0);
			if (family == AF_INET) {
				EXPECT_EQ(be16(p, 10), reference_ip4_checksum(p));
			}
		}
	}
}

TEST(LbsimPacket, ChecksumCheckSeesEveryCorruption)
{
	Seg s;
	s.family = AF_INET6;
	s.data = {'a', 'b', 'c', 'd', 'e'};
	Bytes p = build_ok(s);
	for (size_t i = 8; i < p.size(); i++) { // addresses, TCP header, data
		Bytes q = p;
		q[i] ^= 0x01;
		EXPECT_NE(lbsim_tcp_checksum_check(q.data(), q.size()), 0) << "byte " << i;
	}
}

TEST(LbsimPacket, ChecksumCheckRefusesWhatIsNotTcp)
{
	Bytes p = build_ok(Seg{});
	Bytes udp = p;
	udp[9] = IPPROTO_UDP;
	EXPECT_EQ(lbsim_tcp_checksum_check(udp.data(), udp.size()), -1);
	EXPECT_EQ(lbsim_tcp_checksum_check(p.data(), 39), -1); // shorter than its header
	Bytes v5 = p;
	v5[0] = 0x55;
	EXPECT_EQ(lbsim_tcp_checksum_check(v5.data(), v5.size()), -1);
	EXPECT_EQ(lbsim_tcp_checksum_check(p.data(), 0), -1);
}

TEST(LbsimPacket, InvalidArguments)
{
	Bytes out;
	Seg s;
	s.family = AF_UNIX;
	EXPECT_EQ(build(s, out), -EINVAL);
	s = Seg{};
	s.opts.assign(LBSIM_MAX_OPTLEN + 1, 1);
	EXPECT_EQ(build(s, out), -EINVAL);
	uint8_t buf[128];
	EXPECT_EQ(lbsim_build_packet(buf, sizeof(buf), AF_INET, kSrc4, kDst4, 1, 2, 0, 0, LBSIM_ACK,
				     0, nullptr, 4, nullptr, 0),
		  -EINVAL);
	EXPECT_EQ(lbsim_build_packet(buf, sizeof(buf), AF_INET, kSrc4, kDst4, 1, 2, 0, 0, LBSIM_ACK,
				     0, nullptr, 0, nullptr, 3),
		  -EINVAL);
}

TEST(LbsimPacket, MessageTooLong)
{
	Seg s;
	s.data.assign(100, 0x55);
	s.opts = {1, 1, 1};
	Bytes out;
	const size_t need = 20 + 24 + 100;
	EXPECT_EQ(build(s, out, need), static_cast<ssize_t>(need));
	EXPECT_EQ(build(s, out, need - 1), -EMSGSIZE);
	s.family = AF_INET6;
	EXPECT_EQ(build(s, out, need + 20 - 1), -EMSGSIZE);
	s.data.assign(65535 - 40, 0); // over the 16-bit length fields
	EXPECT_EQ(build(s, out, 70000), -EMSGSIZE);
}

TEST(LbsimOptions, ToaV4Bytes)
{
	uint8_t out[LBSIM_MAX_OPTLEN] = {};
	in_addr a{};
	inet_pton(AF_INET, "203.0.113.7", &a);
	ASSERT_EQ(lbsim_toa_v4(out, 254, &a, 4321), 8u);
	EXPECT_EQ(Bytes(out, out + 8), (Bytes{254, 8, 0x10, 0xe1, 203, 0, 113, 7}));
	ASSERT_EQ(lbsim_toa_v4(out, 200, &a, 65535), 8u);
	EXPECT_EQ(Bytes(out, out + 4), (Bytes{200, 8, 0xff, 0xff}));
}

TEST(LbsimOptions, ToaV6Bytes)
{
	uint8_t out[LBSIM_MAX_OPTLEN] = {};
	in6_addr a{};
	inet_pton(AF_INET6, "2001:db8:c0::7", &a);
	ASSERT_EQ(lbsim_toa_v6(out, 253, &a, 1), 20u);
	EXPECT_EQ(Bytes(out, out + 20), (Bytes{253, 20, 0, 1, 0x20, 0x01, 0x0d, 0xb8, 0, 0xc0,
					       0,   0,	0, 0, 0,    0,	  0,	0,    0, 7}));
}

TEST(LbsimOptions, TimestampsBytes)
{
	uint8_t out[LBSIM_TS_OPTLEN] = {};
	ASSERT_EQ(lbsim_opt_timestamps(out, 0x11223344, 0xa5b6c7d8), 12u);
	EXPECT_EQ(Bytes(out, out + 12),
		  (Bytes{1, 1, 8, 10, 0x11, 0x22, 0x33, 0x44, 0xa5, 0xb6, 0xc7, 0xd8}));
}

TEST(LbsimOptions, FindWalksLikeLinux)
{
	const Bytes o{1, 2, 4, 0x05, 0xb4, 3, 2, 3, 3, 7, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
	const uint8_t *p = lbsim_opt_find(o.data(), o.size(), LBSIM_OPT_MSS, 4);
	ASSERT_NE(p, nullptr);
	EXPECT_EQ(p - o.data(), 1);
	// kind 3 with length 2 is passed over, the one with length 3 found
	p = lbsim_opt_find(o.data(), o.size(), LBSIM_OPT_WSCALE, 3);
	ASSERT_NE(p, nullptr);
	EXPECT_EQ(p - o.data(), 7);
	p = lbsim_opt_find(o.data(), o.size(), LBSIM_OPT_TS, 10);
	ASSERT_NE(p, nullptr);
	EXPECT_EQ(p - o.data(), 11);
	EXPECT_EQ(lbsim_opt_find(o.data(), o.size(), LBSIM_OPT_SACK_PERM, 2), nullptr);
	// cut short: the timestamp option needs 10 bytes
	EXPECT_EQ(lbsim_opt_find(o.data(), 20, LBSIM_OPT_TS, 10), nullptr);
}

TEST(LbsimOptions, FindStopsAtEolAndBadLengths)
{
	const Bytes after_eol{0, 2, 4, 0x05, 0xb4};
	EXPECT_EQ(lbsim_opt_find(after_eol.data(), after_eol.size(), LBSIM_OPT_MSS, 4), nullptr);
	const Bytes len0{254, 0, 2, 4, 0x05, 0xb4};
	EXPECT_EQ(lbsim_opt_find(len0.data(), len0.size(), LBSIM_OPT_MSS, 4), nullptr);
	const Bytes overrun{254, 9, 2, 4, 0x05, 0xb4};
	EXPECT_EQ(lbsim_opt_find(overrun.data(), overrun.size(), LBSIM_OPT_MSS, 4), nullptr);
	const Bytes lone_kind{1, 1, 1, 2};
	EXPECT_EQ(lbsim_opt_find(lone_kind.data(), lone_kind.size(), LBSIM_OPT_MSS, 4), nullptr);
	EXPECT_EQ(lbsim_opt_find(nullptr, 0, LBSIM_OPT_MSS, 4), nullptr);
}

} // namespace
