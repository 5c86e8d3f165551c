// The TOA option parser (module/toa_opt.c), as the module compiles it.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

extern "C" {
#include "toa_opt.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

// A TCP header with @options, data offset covering them (padded with EOL).
Bytes tcp_header(const Bytes& options, int doff_override = -1) {
  Bytes h(20, 0);
  h[0] = 0x30;  // source port 12345
  h[1] = 0x39;
  h[3] = 80;
  for (uint8_t b : options) h.push_back(b);
  while (h.size() % 4) h.push_back(0);
  const size_t doff = doff_override >= 0 ? static_cast<size_t>(doff_override) : h.size() / 4;
  h[12] = static_cast<uint8_t>(doff << 4);
  h[13] = 0x10;  // ACK
  return h;
}

Bytes toa_v4(uint8_t kind, uint16_t port, std::initializer_list<uint8_t> ip) {
  Bytes o{kind, 8, static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port)};
  for (uint8_t b : ip) o.push_back(b);
  return o;
}

Bytes toa_v6(uint8_t kind, uint16_t port, const Bytes& ip) {
  Bytes o{kind, 20, static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port)};
  for (uint8_t b : ip) o.push_back(b);
  return o;
}

const Bytes kClient6{0x20, 0x01, 0x0d, 0xb8, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};

struct Parsed {
  toa_parse_result result;
  toa_client client;
};

Parsed parse(const Bytes& h, uint8_t kind = 254) {
  Parsed p{};
  p.result = toa_parse_options(h.data(), h.size(), kind, &p.client);
  return p;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts)
    for (uint8_t b : p) out.push_back(b);
  return out;
}

TEST(OptParse, FindsIpv4Client) {
  auto p = parse(tcp_header(toa_v4(254, 4321, {203, 0, 113, 7})));
  ASSERT_EQ(p.result, TOA_PARSE_V4);
  EXPECT_EQ(p.client.family, 4);
  EXPECT_EQ(p.client.port[0], 4321 >> 8);
  EXPECT_EQ(p.client.port[1], 4321 & 0xff);
  EXPECT_EQ(Bytes(p.client.addr, p.client.addr + 4), (Bytes{203, 0, 113, 7}));
  for (int i = 4; i < 16; i++) EXPECT_EQ(p.client.addr[i], 0) << i;
}

TEST(OptParse, FindsIpv6Client) {
  auto p = parse(tcp_header(toa_v6(254, 443, kClient6)));
  ASSERT_EQ(p.result, TOA_PARSE_V6);
  EXPECT_EQ(p.client.family, 6);
  EXPECT_EQ(Bytes(p.client.addr, p.client.addr + 16), kClient6);
}

TEST(OptParse, SkipsOtherOptionsAndNops) {
  // MSS, NOP, NOP, timestamps, then TOA
  Bytes opts = concat({{2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2},
                       toa_v4(254, 1, {198, 51, 100, 9})});
  EXPECT_EQ(parse(tcp_header(opts)).result, TOA_PARSE_V4);
}

TEST(OptParse, NoOptionsIsNone) {
  EXPECT_EQ(parse(tcp_header({})).result, TOA_PARSE_NONE);
  EXPECT_EQ(parse(tcp_header({2, 4, 0x05, 0xb4})).result, TOA_PARSE_NONE);
}

TEST(OptParse, KindIsAParameter) {
  auto h = tcp_header(toa_v4(200, 80, {203, 0, 113, 7}));
  EXPECT_EQ(parse(h, 254).result, TOA_PARSE_NONE);
  EXPECT_EQ(parse(h, 200).result, TOA_PARSE_V4);
}

TEST(OptParse, WrongLengthsAreMalformed) {
  for (uint8_t len : {0, 1, 7, 9, 19, 21}) {
    Bytes opt{254, len};
    const size_t body = len > 2 ? len - 2 : 0;
    for (size_t i = 0; i < body; i++) opt.push_back(static_cast<uint8_t>(0x40 + i));
    EXPECT_EQ(parse(tcp_header(opt)).result, TOA_PARSE_MALFORMED) << "length " << int(len);
  }
}

TEST(OptParse, LengthPastHeaderEndIsMalformed) {
  // claims 255 bytes, only 8 are there
  EXPECT_EQ(parse(tcp_header({254, 255, 0, 80, 203, 0, 113, 7})).result, TOA_PARSE_MALFORMED);
  // a valid TOA cut short by the data offset
  Bytes opt = toa_v6(254, 80, kClient6);
  auto h = tcp_header(opt, 5 + 4);  // 16 of the 20 option bytes are inside the header
  EXPECT_EQ(parse(h).result, TOA_PARSE_MALFORMED);
}

TEST(OptParse, KindByteAloneAtEndIsMalformed) {
  auto h = tcp_header({1, 1, 1, 254});
  EXPECT_EQ(parse(h).result, TOA_PARSE_MALFORMED);
}

TEST(OptParse, NothingAfterEolIsRead) {
  Bytes opts = concat({{0}, toa_v4(254, 80, {203, 0, 113, 7})});
  EXPECT_EQ(parse(tcp_header(opts)).result, TOA_PARSE_NONE);
}

TEST(OptParse, NeverReadsPastDataOffset) {
  // The option sits in bytes the data offset excludes: the parser must not see it.
  auto h = tcp_header(toa_v4(254, 80, {203, 0, 113, 7}), 5);
  EXPECT_EQ(parse(h).result, TOA_PARSE_NONE);
  // Nor past len, even when the data offset claims more.
  auto full = tcp_header(toa_v4(254, 80, {203, 0, 113, 7}));
  toa_client c{};
  EXPECT_EQ(toa_parse_options(full.data(), 24, 254, &c), TOA_PARSE_MALFORMED);
  EXPECT_EQ(toa_parse_options(full.data(), 21, 254, &c), TOA_PARSE_MALFORMED);
  EXPECT_EQ(toa_parse_options(full.data(), 20, 254, &c), TOA_PARSE_NONE);
}

TEST(OptParse, ShortBufferIsNone) {
  Bytes h(19, 0);
  toa_client c{};
  EXPECT_EQ(toa_parse_options(h.data(), h.size(), 254, &c), TOA_PARSE_NONE);
  EXPECT_EQ(toa_parse_options(h.data(), 0, 254, &c), TOA_PARSE_NONE);
}

TEST(OptParse, ExperimentIdsAreNotToa) {
  for (uint16_t exid : {0xF989, 0xEB9F}) {
    Bytes exp{254, 8, static_cast<uint8_t>(exid >> 8), static_cast<uint8_t>(exid), 1, 2, 3, 4};
    auto p = parse(tcp_header(exp));
    EXPECT_EQ(p.result, TOA_PARSE_NONE) << std::hex << exid;
    EXPECT_TRUE(p.client.exid_skipped);
    // a real TOA after it still counts
    p = parse(tcp_header(concat({exp, toa_v4(254, 80, {203, 0, 113, 7})})));
    EXPECT_EQ(p.result, TOA_PARSE_V4);
    EXPECT_TRUE(p.client.exid_skipped);
  }
  // a TFO cookie option of another length is passed over, not malformed
  Bytes tfo{254, 12, 0xF9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(parse(tcp_header(tfo)).result, TOA_PARSE_NONE);
}

TEST(OptParse, FirstToaWins) {
  Bytes opts = concat({toa_v4(254, 1, {203, 0, 113, 1}), toa_v4(254, 2, {203, 0, 113, 2})});
  auto p = parse(tcp_header(opts));
  ASSERT_EQ(p.result, TOA_PARSE_V4);
  EXPECT_EQ(p.client.addr[3], 1);
}

TEST(OptParse, UnusableClientsAreRefused) {
  for (auto ip : {Bytes{0, 0, 0, 0}, Bytes{224, 0, 0, 1}, Bytes{239, 1, 2, 3}, Bytes{255, 255, 255, 255}}) {
    Bytes opt{254, 8, 0, 80};
    for (uint8_t b : ip) opt.push_back(b);
    EXPECT_EQ(parse(tcp_header(opt)).result, TOA_PARSE_BAD_CLIENT) << int(ip[0]);
  }
  Bytes any6(16, 0), mcast6(16, 0);
  mcast6[0] = 0xff;
  mcast6[1] = 0x02;
  mcast6[15] = 1;
  EXPECT_EQ(parse(tcp_header(toa_v6(254, 80, any6))).result, TOA_PARSE_BAD_CLIENT);
  EXPECT_EQ(parse(tcp_header(toa_v6(254, 80, mcast6))).result, TOA_PARSE_BAD_CLIENT);
}

TEST(OptParse, OtherBrokenOptionsAreMalformed) {
  EXPECT_EQ(parse(tcp_header({2, 0, 0, 0})).result, TOA_PARSE_MALFORMED);
  EXPECT_EQ(parse(tcp_header({8, 1, 0, 0})).result, TOA_PARSE_MALFORMED);
  EXPECT_EQ(parse(tcp_header({8, 40, 0, 0})).result, TOA_PARSE_MALFORMED);
}

TEST(OptKind, Valid) {
  EXPECT_TRUE(toa_kind_valid(254));
  EXPECT_TRUE(toa_kind_valid(200));
  EXPECT_TRUE(toa_kind_valid(253));
  EXPECT_TRUE(toa_kind_valid(255));
  for (unsigned k : {0u, 1u, 2u, 3u, 4u, 5u, 8u, 256u, 1000u}) EXPECT_FALSE(toa_kind_valid(k)) << k;
}

}  // namespace
