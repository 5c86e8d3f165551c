// The TOA option parser (module/toa_opt.c), as the module compiles it.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "toa_opt.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

// A TCP header with @options, data offset covering them (padded with EOL).
Bytes tcp_header(const Bytes &options, int doff_override = -1, uint8_t flags = 0x10)
{
	Bytes h(20, 0);
	h[0] = 0x30; // source port 12345
	h[1] = 0x39;
	h[3] = 80;
	for (uint8_t b : options)
		h.push_back(b);
	while (h.size() % 4)
		h.push_back(0);
	const size_t doff = doff_override >= 0 ? static_cast<size_t>(doff_override) : h.size() / 4;
	h[12] = static_cast<uint8_t>(doff << 4);
	h[13] = flags; // ACK by default
	return h;
}

Bytes toa_v4(uint8_t kind, uint16_t port, std::initializer_list<uint8_t> ip)
{
	Bytes o{kind, 8, static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port)};
	for (uint8_t b : ip)
		o.push_back(b);
	return o;
}

Bytes toa_v6(uint8_t kind, uint16_t port, const Bytes &ip)
{
	Bytes o{kind, 20, static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port)};
	for (uint8_t b : ip)
		o.push_back(b);
	return o;
}

const Bytes kClient6{0x20, 0x01, 0x0d, 0xb8, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};

struct Parsed {
	toa_parse_result result;
	toa_client client;
};

toa_kinds kinds_of(const char *text)
{
	toa_kinds k{};
	unsigned bad = 0;
	EXPECT_TRUE(toa_kinds_parse(text, strlen(text), &k, &bad)) << text;
	return k;
}

Parsed parse(const Bytes &h, const char *kinds = "254,253")
{
	Parsed p{};
	const toa_kinds k = kinds_of(kinds);
	p.result = toa_parse_options(h.data(), h.size(), &k, &p.client);
	return p;
}

const toa_kinds kDefault = kinds_of("254,253");

Bytes concat(std::initializer_list<Bytes> parts)
{
	Bytes out;
	for (const auto &p : parts)
		for (uint8_t b : p)
			out.push_back(b);
	return out;
}

TEST(OptParse, FindsIpv4Client)
{
	auto p = parse(tcp_header(toa_v4(254, 4321, {203, 0, 113, 7})));
	ASSERT_EQ(p.result, TOA_PARSE_V4);
	EXPECT_EQ(p.client.family, 4);
	EXPECT_EQ(p.client.port[0], 4321 >> 8);
	EXPECT_EQ(p.client.port[1], 4321 & 0xff);
	EXPECT_EQ(Bytes(p.client.addr, p.client.addr + 4), (Bytes{203, 0, 113, 7}));
	for (int i = 4; i < 16; i++)
		EXPECT_EQ(p.client.addr[i], 0) << i;
}

TEST(OptParse, FindsIpv6Client)
{
	auto p = parse(tcp_header(toa_v6(254, 443, kClient6)));
	ASSERT_EQ(p.result, TOA_PARSE_V6);
	EXPECT_EQ(p.client.family, 6);
	EXPECT_EQ(Bytes(p.client.addr, p.client.addr + 16), kClient6);
}

TEST(OptParse, SkipsOtherOptionsAndNops)
{
	// MSS, NOP, NOP, timestamps, then TOA
	Bytes opts = concat({{2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2},
			     toa_v4(254, 1, {198, 51, 100, 9})});
	EXPECT_EQ(parse(tcp_header(opts)).result, TOA_PARSE_V4);
}

TEST(OptParse, NoOptionsIsNone)
{
	EXPECT_EQ(parse(tcp_header({})).result, TOA_PARSE_NONE);
	EXPECT_EQ(parse(tcp_header({2, 4, 0x05, 0xb4})).result, TOA_PARSE_NONE);
}

TEST(OptParse, KindIsAParameter)
{
	auto h = tcp_header(toa_v4(200, 80, {203, 0, 113, 7}));
	EXPECT_EQ(parse(h, "254").result, TOA_PARSE_NONE);
	EXPECT_EQ(parse(h).result, TOA_PARSE_NONE);
	EXPECT_EQ(parse(h, "200").result, TOA_PARSE_V4);
	EXPECT_EQ(parse(h, "254,200").result, TOA_PARSE_V4);
}

TEST(OptParse, DefaultKindsAre254And253)
{
	auto p = parse(tcp_header(toa_v6(253, 443, kClient6)));
	ASSERT_EQ(p.result, TOA_PARSE_V6);
	EXPECT_EQ(p.client.kind, 253);
	p = parse(tcp_header(toa_v4(254, 80, {203, 0, 113, 7})));
	ASSERT_EQ(p.result, TOA_PARSE_V4);
	EXPECT_EQ(p.client.kind, 254);
	EXPECT_EQ(parse(tcp_header(toa_v4(253, 80, {203, 0, 113, 7})), "254").result,
		  TOA_PARSE_NONE);
}

TEST(OptParse, OtherLengthOfAToaKindIsPassedOver)
{
	// 254 is shared by experiments: one of another length before the TOA
	Bytes other{254, 12, 0x12, 0x34, 1, 2, 3, 4, 5, 6, 7, 8};
	auto p = parse(tcp_header(concat({other, toa_v4(253, 80, {203, 0, 113, 7})})));
	EXPECT_EQ(p.result, TOA_PARSE_V4);
	// alone, it is reported (most likely a balancer's TOA of the wrong size)
	EXPECT_EQ(parse(tcp_header(other)).result, TOA_PARSE_MALFORMED);
}

TEST(OptParse, WrongLengthsAreMalformed)
{
	for (uint8_t len : {0, 1, 7, 9, 19, 21}) {
		Bytes opt{254, len};
		const size_t body = len > 2 ? len - 2 : 0;
		for (size_t i = 0; i < body; i++)
			opt.push_back(static_cast<uint8_t>(0x40 + i));
		EXPECT_EQ(parse(tcp_header(opt)).result, TOA_PARSE_MALFORMED)
			<< "length " << int(len);
	}
}

TEST(OptParse, LengthPastHeaderEndIsMalformed)
{
	// claims 255 bytes, only 8 are there
	EXPECT_EQ(parse(tcp_header({254, 255, 0, 80, 203, 0, 113, 7})).result, TOA_PARSE_MALFORMED);
	// a valid TOA cut short by the data offset
	Bytes opt = toa_v6(254, 80, kClient6);
	auto h = tcp_header(opt, 5 + 4); // 16 of the 20 option bytes are inside the header
	EXPECT_EQ(parse(h).result, TOA_PARSE_MALFORMED);
}

TEST(OptParse, KindByteAloneAtEndIsMalformed)
{
	auto h = tcp_header({1, 1, 1, 254});
	EXPECT_EQ(parse(h).result, TOA_PARSE_MALFORMED);
}

TEST(OptParse, NothingAfterEolIsRead)
{
	Bytes opts = concat({{0}, toa_v4(254, 80, {203, 0, 113, 7})});
	EXPECT_EQ(parse(tcp_header(opts)).result, TOA_PARSE_NONE);
}

TEST(OptParse, NeverReadsPastDataOffset)
{
	// The option sits in bytes the data offset excludes: the parser must not see it.
	auto h = tcp_header(toa_v4(254, 80, {203, 0, 113, 7}), 5);
	EXPECT_EQ(parse(h).result, TOA_PARSE_NONE);
	// Nor past len, even when the data offset claims more.
	auto full = tcp_header(toa_v4(254, 80, {203, 0, 113, 7}));
	toa_client c{};
	EXPECT_EQ(toa_parse_options(full.data(), 24, &kDefault, &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(toa_parse_options(full.data(), 21, &kDefault, &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(toa_parse_options(full.data(), 20, &kDefault, &c), TOA_PARSE_NONE);
}

TEST(OptParse, ShortBufferIsNone)
{
	Bytes h(19, 0);
	toa_client c{};
	EXPECT_EQ(toa_parse_options(h.data(), h.size(), &kDefault, &c), TOA_PARSE_NONE);
	EXPECT_EQ(toa_parse_options(h.data(), 0, &kDefault, &c), TOA_PARSE_NONE);
}

TEST(OptParse, FastOpenIdIsSkippedOnlyOnASyn)
{
	const uint8_t syn = 0x02, ack = 0x10;
	Bytes tfo8{254, 8, 0xF9, 0x89, 1, 2, 3, 4};
	auto p = parse(tcp_header(tfo8, -1, syn));
	EXPECT_EQ(p.result, TOA_PARSE_NONE);
	EXPECT_TRUE(p.client.exid_skipped);
	// a real TOA after it still counts
	p = parse(tcp_header(concat({tfo8, toa_v4(254, 80, {203, 0, 113, 7})}), -1, syn));
	EXPECT_EQ(p.result, TOA_PARSE_V4);
	EXPECT_TRUE(p.client.exid_skipped);
	// a Fast Open cookie of another length on a SYN is neither TOA nor malformed
	Bytes tfo12{254, 12, 0xF9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8};
	EXPECT_EQ(parse(tcp_header(tfo12, -1, syn)).result, TOA_PARSE_NONE);
	// on the handshake ACK (no Fast Open there) the bytes are the client port 63881
	p = parse(tcp_header(tfo8, -1, ack));
	ASSERT_EQ(p.result, TOA_PARSE_V4);
	EXPECT_FALSE(p.client.exid_skipped);
	EXPECT_EQ(p.client.port[0] << 8 | p.client.port[1], 63881);
	// SYN-ACK too (flags SYN|ACK): Fast Open, skipped
	EXPECT_EQ(parse(tcp_header(tfo8, -1, syn | ack)).result, TOA_PARSE_NONE);
}

TEST(OptParse, BpfExampleIdIsAClientPort)
{
	// 0xEB9F is the magic of the kernel's BPF header-option selftests, not an
	// ID the kernel's own stack uses: on any segment it is port 60319.
	for (uint8_t flags : {0x02, 0x10}) {
		auto p = parse(tcp_header({254, 8, 0xEB, 0x9F, 203, 0, 113, 7}, -1, flags));
		ASSERT_EQ(p.result, TOA_PARSE_V4) << int(flags);
		EXPECT_EQ(p.client.port[0] << 8 | p.client.port[1], 60319);
	}
}

TEST(OptParse, FirstToaWins)
{
	Bytes opts = concat({toa_v4(254, 1, {203, 0, 113, 1}), toa_v4(254, 2, {203, 0, 113, 2})});
	auto p = parse(tcp_header(opts));
	ASSERT_EQ(p.result, TOA_PARSE_V4);
	EXPECT_EQ(p.client.addr[3], 1);
}

TEST(OptParse, UnusableClientsAreRefused)
{
	for (auto ip : {Bytes{0, 0, 0, 0}, Bytes{224, 0, 0, 1}, Bytes{239, 1, 2, 3},
			Bytes{255, 255, 255, 255}}) {
		Bytes opt{254, 8, 0, 80};
		for (uint8_t b : ip)
			opt.push_back(b);
		EXPECT_EQ(parse(tcp_header(opt)).result, TOA_PARSE_BAD_CLIENT) << int(ip[0]);
	}
	Bytes any6(16, 0), mcast6(16, 0);
	mcast6[0] = 0xff;
	mcast6[1] = 0x02;
	mcast6[15] = 1;
	EXPECT_EQ(parse(tcp_header(toa_v6(254, 80, any6))).result, TOA_PARSE_BAD_CLIENT);
	EXPECT_EQ(parse(tcp_header(toa_v6(254, 80, mcast6))).result, TOA_PARSE_BAD_CLIENT);
}

TEST(OptParse, OtherBrokenOptionsAreMalformed)
{
	EXPECT_EQ(parse(tcp_header({2, 0, 0, 0})).result, TOA_PARSE_MALFORMED);
	EXPECT_EQ(parse(tcp_header({8, 1, 0, 0})).result, TOA_PARSE_MALFORMED);
	EXPECT_EQ(parse(tcp_header({8, 40, 0, 0})).result, TOA_PARSE_MALFORMED);
}

TEST(OptKind, Valid)
{
	for (unsigned k : {254u, 253u, 200u, 201u, 255u, 28u, 6u})
		EXPECT_TRUE(toa_kind_valid(k)) << k;
	for (unsigned k : {0u, 1u, 2u, 3u, 4u, 5u, 8u, 19u, 29u, 30u, 34u, 256u, 1000u})
		EXPECT_FALSE(toa_kind_valid(k)) << k;
}

std::string format(const toa_kinds &k)
{
	char buf[32];
	toa_kinds_format(&k, buf, sizeof(buf));
	return buf;
}

TEST(OptKinds, ParseAndFormat)
{
	EXPECT_EQ(format(kinds_of("254,253")), "254,253");
	EXPECT_EQ(format(kinds_of(" 200 , 254\n")), "200,254");
	EXPECT_EQ(format(kinds_of("254,253,200,201")), "254,253,200,201");
}

// A refused list names the 1-based position of the entry at fault (0: the
// list as a whole: empty, or more kinds than fit).
TEST(OptKinds, ParseRefusals)
{
	const struct {
		const char *list;
		unsigned bad;
	} refused[] = {
		{"", 0},	 {"254,253,200,201,202", 0},
		{"254,30", 2},	 {"254,254", 2},
		{"254,,253", 2}, {"0254x", 1},
		{"25400", 1},
	};
	for (const auto &r : refused) {
		toa_kinds k{};
		unsigned bad = 99;
		EXPECT_FALSE(toa_kinds_parse(r.list, strlen(r.list), &k, &bad)) << r.list;
		EXPECT_EQ(bad, r.bad) << r.list;
	}
}

TEST(OptKinds, SetFirstIsTheOptionKindAlias)
{
	toa_kinds k = kinds_of("254,253");
	ASSERT_TRUE(toa_kinds_set_first(&k, 200));
	EXPECT_EQ(format(k), "200,253");
	EXPECT_EQ(parse(tcp_header(toa_v4(200, 80, {203, 0, 113, 7})), "200,253").result,
		  TOA_PARSE_V4);
	EXPECT_FALSE(toa_kinds_set_first(&k, 253)); // already the second one
	EXPECT_FALSE(toa_kinds_set_first(&k, 8));
	EXPECT_EQ(format(k), "200,253");
	const Bytes h = tcp_header(toa_v4(254, 80, {203, 0, 113, 7}));
	toa_client c{};
	EXPECT_EQ(toa_parse_options(h.data(), h.size(), &k, &c), TOA_PARSE_NONE); // the map follows
}

} // namespace
