// The trusted_sources list (module/toa_cidr.c): parse, print, match.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include "toa_cidr.h"
}

namespace {

struct Parsed {
	toa_cidr_error err;
	toa_cidr_list list;
	unsigned bad_item;
};

Parsed parse(const std::string &text)
{
	Parsed p{};
	p.err = toa_cidr_parse(text.data(), text.size(), &p.list, &p.bad_item);
	return p;
}

std::string format(const toa_cidr_list &l)
{
	std::string buf(TOA_CIDR_TEXT_MAX, '\0');
	size_t n = toa_cidr_format(&l, buf.data(), buf.size());
	buf.resize(n);
	return buf;
}

std::string canonical(const std::string &text)
{
	auto p = parse(text);
	EXPECT_EQ(p.err, TOA_CIDR_OK) << text;
	return format(p.list);
}

bool matches(const std::string &list, std::vector<uint8_t> addr)
{
	auto p = parse(list);
	EXPECT_EQ(p.err, TOA_CIDR_OK) << list;
	return toa_cidr_match(&p.list, addr.size() == 4 ? 4 : 6, addr.data());
}

TEST(CidrParse, EmptyMeansNoList)
{
	EXPECT_EQ(parse("").list.count, 0u);
	EXPECT_EQ(parse("  \n").err, TOA_CIDR_OK);
	EXPECT_EQ(parse(" \n").list.count, 0u);
}

TEST(CidrParse, Canonical)
{
	EXPECT_EQ(canonical("198.51.100.0/24"), "198.51.100.0/24");
	EXPECT_EQ(canonical("198.51.100.77/24"), "198.51.100.0/24"); // host bits dropped
	EXPECT_EQ(canonical("203.0.113.5"), "203.0.113.5/32");
	EXPECT_EQ(canonical(" 10.0.0.0/8 , 2001:DB8::/32\n"), "10.0.0.0/8,2001:db8::/32");
	EXPECT_EQ(canonical("::/0"), "::/0");
	EXPECT_EQ(canonical("0.0.0.0/0"), "0.0.0.0/0");
	EXPECT_EQ(canonical("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1/128");
	EXPECT_EQ(canonical("fe80::1/10"), "fe80::/10");
	EXPECT_EQ(canonical("::ffff:192.0.2.1"), "::ffff:c000:201/128");
	EXPECT_EQ(canonical("1:2:3:4:5:6:7::"), "1:2:3:4:5:6:7:0/128");
	EXPECT_EQ(canonical("::2:3:4:5:6:7:8"), "0:2:3:4:5:6:7:8/128");
}

TEST(CidrParse, Errors)
{
	struct Case {
		const char *text;
		toa_cidr_error err;
		unsigned item;
	} cases[] = {
		{"nonsense", TOA_CIDR_BAD_ADDRESS, 1},
		{"1.2.3.4/33", TOA_CIDR_BAD_PREFIX, 1},
		{"10.0.0.0/8,1.2.3.4/40", TOA_CIDR_BAD_PREFIX, 2},
		{"2001:db8::/129", TOA_CIDR_BAD_PREFIX, 1},
		{"1.2.3.4/", TOA_CIDR_BAD_PREFIX, 1},
		{"1.2.3.4/-1", TOA_CIDR_BAD_PREFIX, 1},
		{"1.2.3.4/0032", TOA_CIDR_BAD_PREFIX, 1},
		{"256.1.1.1", TOA_CIDR_BAD_ADDRESS, 1},
		{"1.2.3", TOA_CIDR_BAD_ADDRESS, 1},
		{"1.2.3.4.5", TOA_CIDR_BAD_ADDRESS, 1},
		{"01.2.3.4", TOA_CIDR_BAD_ADDRESS, 1},
		{"1..2.3", TOA_CIDR_BAD_ADDRESS, 1},
		{"1:2:3:4:5:6:7:8:9", TOA_CIDR_BAD_ADDRESS, 1},
		{"1::2::3", TOA_CIDR_BAD_ADDRESS, 1},
		{":1", TOA_CIDR_BAD_ADDRESS, 1},
		{"1:", TOA_CIDR_BAD_ADDRESS, 1},
		{"12345::", TOA_CIDR_BAD_ADDRESS, 1},
		{"1:2:3:4::5:6:7:8", TOA_CIDR_BAD_ADDRESS, 1},
		{"::1.2.3", TOA_CIDR_BAD_ADDRESS, 1},
		{"1.2.3.4,,5.6.7.8", TOA_CIDR_EMPTY_ITEM, 2},
		{"1.2.3.4,", TOA_CIDR_EMPTY_ITEM, 2},
		{",1.2.3.4", TOA_CIDR_EMPTY_ITEM, 1},
		{"1.2.3.4 5.6.7.8", TOA_CIDR_BAD_ADDRESS, 1},
	};
	for (const auto &c : cases) {
		auto p = parse(c.text);
		EXPECT_EQ(p.err, c.err) << c.text;
		EXPECT_EQ(p.bad_item, c.item) << c.text;
		EXPECT_EQ(p.list.count, 0u) << c.text;
		EXPECT_STRNE(toa_cidr_strerror(p.err), "ok");
	}
}

TEST(CidrParse, AtMost64)
{
	std::string text;
	// appended piece by piece: GCC 12 at -O3 warns (-Werror=restrict, a
	// false positive) about "," + std::string(...)'s inlined memcpy
	for (int i = 0; i < TOA_CIDR_MAX; i++) {
		if (i)
			text += ',';
		text += "192.0.2.";
		text += std::to_string(i);
	}
	EXPECT_EQ(parse(text).list.count, static_cast<unsigned>(TOA_CIDR_MAX));
	auto p = parse(text + ",198.51.100.1");
	EXPECT_EQ(p.err, TOA_CIDR_TOO_MANY);
	EXPECT_EQ(p.bad_item, TOA_CIDR_MAX + 1u);
}

TEST(CidrParse, LongestListFitsTheTextBound)
{
	std::string text;
	for (int i = 0; i < TOA_CIDR_MAX; i++)
		text += (i ? "," : "") + std::string("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff") +
			"0123456789abcdef"[i % 16] + "/128";
	auto p = parse(text);
	ASSERT_EQ(p.err, TOA_CIDR_OK);
	std::string buf(TOA_CIDR_TEXT_MAX, '\0');
	size_t n = toa_cidr_format(&p.list, buf.data(), buf.size());
	EXPECT_LT(n, buf.size());
}

TEST(CidrFormat, TruncatesSafely)
{
	auto p = parse("198.51.100.0/24,203.0.113.0/24");
	char small[8];
	size_t n = toa_cidr_format(&p.list, small, sizeof(small));
	EXPECT_EQ(n, std::string("198.51.100.0/24,203.0.113.0/24").size());
	EXPECT_EQ(std::string(small), "198.51.");
}

TEST(CidrMatch, Ipv4)
{
	EXPECT_TRUE(matches("198.51.100.0/24", {198, 51, 100, 200}));
	EXPECT_FALSE(matches("198.51.100.0/24", {198, 51, 101, 1}));
	EXPECT_TRUE(matches("198.51.100.128/25", {198, 51, 100, 129}));
	EXPECT_FALSE(matches("198.51.100.128/25", {198, 51, 100, 127}));
	EXPECT_TRUE(matches("0.0.0.0/0", {1, 2, 3, 4}));
	EXPECT_TRUE(matches("203.0.113.5", {203, 0, 113, 5}));
	EXPECT_FALSE(matches("203.0.113.5", {203, 0, 113, 4}));
}

TEST(CidrMatch, FamiliesDoNotMix)
{
	EXPECT_FALSE(matches("::/0", {1, 2, 3, 4}));
	EXPECT_FALSE(matches("0.0.0.0/0", std::vector<uint8_t>(16, 1)));
}

TEST(CidrMatch, Ipv6)
{
	std::vector<uint8_t> a{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	EXPECT_TRUE(matches("2001:db8::/32", a));
	EXPECT_TRUE(matches("2001:db8::/31", a));
	EXPECT_FALSE(matches("2001:db9::/32", a));
	EXPECT_TRUE(matches("198.51.100.0/24,2001:db8::1", a));
	a[15] = 2;
	EXPECT_FALSE(matches("2001:db8::1", a));
}

} // namespace
