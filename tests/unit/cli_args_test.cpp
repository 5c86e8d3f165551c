// SPDX-License-Identifier: GPL-2.0 OR MIT
// Bad input: one line on stderr, exit code 2, nothing on stdout, nothing done.
#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_fixture.h"
#include "params.h"
#include "report.h"

using testing::HasSubstr;

namespace {

class Args : public testing::TestWithParam<std::vector<std::string>> {
protected:
	Args() : sys(root) { toatest::make_healthy(root, sys); }
	toatest::TempRoot root;
	toatest::FakeSystem sys;
};

TEST_P(Args, BadInputIsOneLineAndExitTwo)
{
	auto r = toatest::run_cli(sys, GetParam());
	EXPECT_EQ(r.code, 2) << r.out << r.err;
	EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
	EXPECT_THAT(r.err, testing::StartsWith("toa-check: error: "));
	EXPECT_EQ(r.out, "");
	EXPECT_TRUE(sys.inserted.empty());
	EXPECT_EQ(root.get("/etc/modules-load.d/toa.conf"), "toa\n");
}

INSTANTIATE_TEST_SUITE_P(
	All, Args,
	testing::Values(std::vector<std::string>{"--bogus"}, std::vector<std::string>{"frobnicate"},
			std::vector<std::string>{"doctor", "--kernel"},
			std::vector<std::string>{"doctor", "--json", "extra"},
			std::vector<std::string>{"load", "--param", "bogus=1"},
			std::vector<std::string>{"load", "--param", "noequals"},
			std::vector<std::string>{"load", "--param", "trusted_sources=10.0.0.0/33"},
			std::vector<std::string>{"load", "--param",
						 "trusted_sources=10.0.0.1,,10.0.0.2"},
			std::vector<std::string>{"load", "--param", "trusted_sources=not-an-ip"},
			std::vector<std::string>{"load", "--param", "option_kind=8"},
			std::vector<std::string>{"load", "--param", "option_kind=256"},
			std::vector<std::string>{"load", "--param", "option_kind=abc"},
			std::vector<std::string>{"load", "--param", "max_entries=0"},
			std::vector<std::string>{"load", "--param", "max_entries=16777217"},
			std::vector<std::string>{"enable", "--trusted-sources", "300.1.1.1"},
			std::vector<std::string>{"enable", "--option-kind", "2"},
			std::vector<std::string>{"enable", "--option-kinds", "254,254"},
			std::vector<std::string>{"enable", "--option-kinds", "254,30"},
			std::vector<std::string>{"enable", "--option-kinds", "254,253,200,201,202"},
			std::vector<std::string>{"load", "--param", "option_kinds="},
			std::vector<std::string>{"load", "--param", "option_kind=34"},
			std::vector<std::string>{"load", "--param", "option_kind=19"},
			std::vector<std::string>{"serve", "--port", "65536"},
			std::vector<std::string>{"serve", "--port", "-1"},
			std::vector<std::string>{"serve", "--port", "http"},
			std::vector<std::string>{"serve", "--bind", "localhost.example"},
			std::vector<std::string>{"stats", "--json", "--prometheus"},
			std::vector<std::string>{"stats", "--watch", "-3"},
			std::vector<std::string>{"selftest", "--timeout", "5"}));

TEST_F(Args, MissingPrivilegesIsExitTwo)
{
	sys.root_user = false;
	for (auto cmd : {"load", "unload", "enable", "disable", "selftest"}) {
		auto r = toatest::run_cli(sys, {cmd});
		EXPECT_EQ(r.code, 2) << cmd;
		EXPECT_THAT(r.err, HasSubstr("root")) << cmd;
		EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
	}
}

TEST_F(Args, HelpForEverySubcommand)
{
	for (auto cmd :
	     {"doctor", "load", "unload", "enable", "disable", "stats", "serve", "selftest"}) {
		auto r = toatest::run_cli(sys, {cmd, "--help"});
		EXPECT_EQ(r.code, 0) << cmd;
		EXPECT_THAT(r.out, HasSubstr("Usage:")) << cmd;
	}
	auto r = toatest::run_cli(sys, {"--help"});
	EXPECT_EQ(r.code, 0);
	EXPECT_THAT(r.out, HasSubstr("selftest"));
}

TEST_F(Args, Version)
{
	auto r = toatest::run_cli(sys, {"--version"});
	EXPECT_EQ(r.code, 0);
	EXPECT_EQ(r.out, std::string("toa-check ") + TOA_CHECK_VERSION + "\n");
}

TEST(Params, CanonicalForms)
{
	auto p = toacheck::parse_params({"max_entries=0100", "option_kind=200", "option_kind=254",
					 "trusted_sources=10.1.2.3/8"});
	ASSERT_EQ(p.size(), 3u);
	EXPECT_EQ(toacheck::params_string(p),
		  "max_entries=100 option_kind=254 trusted_sources=10.0.0.0/8");
	EXPECT_THROW(toacheck::parse_params({"option_kind=3"}), toacheck::UsageError);
	EXPECT_EQ(toacheck::check_option_kind("6"), "6");
	EXPECT_EQ(toacheck::check_option_kind("28"),
		  "28"); // user timeout's number, never 8 or 20 long
	EXPECT_EQ(toacheck::check_option_kinds(" 254 , 253 "), "254,253");
	EXPECT_EQ(toacheck::check_option_kinds("200"), "200");
	for (const char *bad :
	     {"", ",", "254,", "2", "29", "30", "34", "19", "256", "254,254", "1,2,3,4,5"})
		EXPECT_THROW(toacheck::check_option_kinds(bad), toacheck::UsageError) << bad;
	EXPECT_EQ(toacheck::check_max_entries("16777216"), "16777216");
	EXPECT_EQ(toacheck::check_trusted_sources(""), "");
}

} // namespace
