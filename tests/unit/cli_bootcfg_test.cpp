// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check enable/disable: only toa-check's block changes, writes are atomic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bootcfg.h"
#include "cli_fixture.h"

using namespace toacheck;
using testing::HasSubstr;

namespace {

const std::string kBlockLoad = std::string(kBeginMarker) + "\ntoa\n" + kEndMarker + "\n";

class Boot : public testing::Test {
protected:
	Boot() : sys(root)
	{
		root.put("/etc/os-release", "ID=debian\n");
		root.mkdir("/etc/modules-load.d");
		root.mkdir("/etc/modprobe.d");
	}
	toatest::TempRoot root;
	toatest::FakeSystem sys;
};

TEST_F(Boot, EnableCreatesTheFile)
{
	auto r = toatest::run_cli(sys, {"enable"});
	EXPECT_EQ(r.code, 0) << r.err;
	EXPECT_EQ(root.get("/etc/modules-load.d/toa.conf"), kBlockLoad);
	EXPECT_FALSE(root.has("/etc/modprobe.d/toa.conf"));
	EXPECT_THAT(r.out, HasSubstr("toa is not loaded now: toa-check load"));
}

TEST_F(Boot, EnableKeepsAdminLinesAndIsIdempotent)
{
	const std::string admin =
		"# my modules\nloop\n  # keep this spacing\nbr_netfilter"; // no final newline
	root.put("/etc/modules-load.d/toa.conf", admin);
	ASSERT_EQ(toatest::run_cli(sys, {"enable"}).code, 0);
	EXPECT_EQ(root.get("/etc/modules-load.d/toa.conf"), admin + "\n" + kBlockLoad);
	ASSERT_EQ(toatest::run_cli(sys, {"enable"}).code, 0);
	EXPECT_EQ(root.get("/etc/modules-load.d/toa.conf"), admin + "\n" + kBlockLoad);
	// No temporary files left behind.
	EXPECT_THAT(root.list("/etc/modules-load.d"), testing::ElementsAre("toa.conf"));
}

TEST_F(Boot, EnableWritesOptionsAndMergesThem)
{
	root.put("/etc/modprobe.d/toa.conf", "# admin\noptions toa max_entries=1000\n");
	auto r = toatest::run_cli(sys,
				  {"enable", "--trusted-sources", "198.51.100.0/24, 2001:db8::/32",
				   "--option-kind", "200"});
	EXPECT_EQ(r.code, 0) << r.err;
	std::string text = root.get("/etc/modprobe.d/toa.conf");
	EXPECT_EQ(
		text,
		std::string("# admin\noptions toa max_entries=1000\n") + kBeginMarker +
			"\noptions toa option_kinds=200 trusted_sources=198.51.100.0/24,2001:db8::/32\n" +
			kEndMarker + "\n");
	// Later: change one option, the other stays.
	r = toatest::run_cli(sys, {"enable", "--max-entries", "5000"});
	EXPECT_EQ(r.code, 0);
	EXPECT_THAT(
		root.get("/etc/modprobe.d/toa.conf"),
		HasSubstr(
			"\noptions toa max_entries=5000 option_kinds=200 trusted_sources=198.51.100.0/24,2001:db8::/32\n"));
	EXPECT_THAT(
		r.out,
		HasSubstr(
			"! /etc/modprobe.d/toa.conf also sets max_entries=1000 outside toa-check's block"));
	EXPECT_THAT(root.get("/etc/modprobe.d/toa.conf"),
		    testing::StartsWith("# admin\noptions toa max_entries=1000\n"));
	// An empty list removes the key.
	r = toatest::run_cli(sys, {"enable", "--trusted-sources", ""});
	EXPECT_EQ(r.code, 0);
	EXPECT_THAT(root.get("/etc/modprobe.d/toa.conf"),
		    HasSubstr("\noptions toa max_entries=5000 option_kinds=200\n"));
}

TEST_F(Boot, EnableOptionKindsReplacesTheOlderOptionKind)
{
	root.put("/etc/modprobe.d/toa.conf",
		 std::string(kBeginMarker) + "\noptions toa option_kind=200 max_entries=7\n" +
			 kEndMarker + "\n");
	auto r = toatest::run_cli(sys, {"enable", "--option-kinds", "254, 200"});
	ASSERT_EQ(r.code, 0) << r.err;
	EXPECT_EQ(root.get("/etc/modprobe.d/toa.conf"),
		  std::string(kBeginMarker) + "\noptions toa max_entries=7 option_kinds=254,200\n" +
			  kEndMarker + "\n");
}

TEST_F(Boot, EnableWithoutOptionsLeavesModprobeAlone)
{
	const std::string before = std::string("x\n") + kBeginMarker +
		"\noptions toa option_kind=200\n" + kEndMarker + "\n";
	root.put("/etc/modprobe.d/toa.conf", before);
	ASSERT_EQ(toatest::run_cli(sys, {"enable"}).code, 0);
	EXPECT_EQ(root.get("/etc/modprobe.d/toa.conf"), before);
}

TEST_F(Boot, DisableRemovesOnlyOurBlock)
{
	root.put("/etc/modules-load.d/toa.conf", "loop\n");
	root.put("/etc/modprobe.d/toa.conf", "options toa max_entries=1000\n");
	ASSERT_EQ(toatest::run_cli(sys, {"enable", "--option-kind", "200"}).code, 0);
	auto r = toatest::run_cli(sys, {"disable"});
	EXPECT_EQ(r.code, 0);
	EXPECT_EQ(root.get("/etc/modules-load.d/toa.conf"), "loop\n");
	EXPECT_EQ(root.get("/etc/modprobe.d/toa.conf"), "options toa max_entries=1000\n");
	EXPECT_THAT(r.out, HasSubstr("\u2713 toa is no longer loaded at boot"));
}

TEST_F(Boot, DisableDeletesFilesThatOnlyHeldOurBlock)
{
	ASSERT_EQ(toatest::run_cli(sys, {"enable", "--trusted-sources", "10.0.0.0/8"}).code, 0);
	ASSERT_TRUE(root.has("/etc/modprobe.d/toa.conf"));
	ASSERT_EQ(toatest::run_cli(sys, {"disable"}).code, 0);
	EXPECT_FALSE(root.has("/etc/modules-load.d/toa.conf"));
	EXPECT_FALSE(root.has("/etc/modprobe.d/toa.conf"));
}

TEST_F(Boot, DisableWarnsAboutAdminToaLine)
{
	root.put("/etc/modules-load.d/toa.conf", "toa\n");
	auto r = toatest::run_cli(sys, {"disable"});
	EXPECT_EQ(r.code, 0);
	EXPECT_EQ(root.get("/etc/modules-load.d/toa.conf"), "toa\n");
	EXPECT_THAT(
		r.out,
		HasSubstr(
			"! toa loads at boot (/etc/modules-load.d/toa.conf), from lines toa-check did not write"));
}

// The package's /usr/lib/modules-load.d/toa.conf loads toa unless a file of
// the same name in /etc masks it (systemd-modules-load reads the first).
TEST_F(Boot, DisableMasksThePackageFileAndEnableUndoesIt)
{
	root.put("/usr/lib/modules-load.d/toa.conf", "toa\n");
	root.put("/proc/modules", ""); // doctor's boot check runs with module support
	auto r = toatest::run_cli(sys, {"disable"});
	EXPECT_EQ(r.code, 0) << r.out;
	const std::string mask = std::string(kBeginMarker) +
		"\n# toa is not loaded at boot: this file masks "
		"/usr/lib/modules-load.d/toa.conf (toa-check disable; toa-check "
		"enable undoes it)\n" +
		kEndMarker + "\n";
	EXPECT_EQ(root.get("/etc/modules-load.d/toa.conf"), mask);
	EXPECT_THAT(r.out,
		    HasSubstr("\u2713 /etc/modules-load.d/toa.conf: masks "
			      "/usr/lib/modules-load.d/toa.conf\n"));
	EXPECT_THAT(r.out, HasSubstr("\u2713 toa is no longer loaded at boot\n"));
	EXPECT_THAT(toatest::run_cli(sys, {"doctor"}).out,
		    HasSubstr("toa is not loaded at boot (no modules-load.d entry)"));

	// a second disable changes nothing
	r = toatest::run_cli(sys, {"disable"});
	EXPECT_EQ(r.code, 0);
	EXPECT_EQ(root.get("/etc/modules-load.d/toa.conf"), mask);

	r = toatest::run_cli(sys, {"enable"});
	EXPECT_EQ(r.code, 0) << r.out;
	EXPECT_EQ(root.get("/etc/modules-load.d/toa.conf"), kBlockLoad);
	EXPECT_THAT(toatest::run_cli(sys, {"doctor"}).out,
		    HasSubstr("toa loads at boot (/etc/modules-load.d/toa.conf)"));
}

TEST_F(Boot, DisableMasksAndKeepsAdminLines)
{
	root.put("/lib/modules-load.d/toa.conf", "# from the package\ntoa\n");
	root.put("/etc/modules-load.d/toa.conf", "# mine\n");
	ASSERT_EQ(toatest::run_cli(sys, {"disable"}).code, 0);
	std::string text = root.get("/etc/modules-load.d/toa.conf");
	EXPECT_EQ(text.rfind("# mine\n" + std::string(kBeginMarker), 0), 0u) << text;
	EXPECT_THAT(text, HasSubstr("masks /lib/modules-load.d/toa.conf"));
}

// Without a package file there is nothing to mask: nothing is left behind.
TEST_F(Boot, DisableWithoutPackageFileWritesNothing)
{
	ASSERT_EQ(toatest::run_cli(sys, {"disable"}).code, 0);
	EXPECT_FALSE(root.has("/etc/modules-load.d/toa.conf"));
}

TEST_F(Boot, WriteFailureIsReported)
{
	root.remove("/etc/modules-load.d");
	auto r = toatest::run_cli(sys, {"enable"});
	EXPECT_EQ(r.code, 1);
	EXPECT_THAT(r.out, HasSubstr("\u2717 cannot write /etc/modules-load.d/toa.conf"));
}

TEST(BootText, Blocks)
{
	std::string t = std::string("a\n") + kBeginMarker + "\nx\ny\n" + kEndMarker + "\nb\n";
	EXPECT_EQ(strip_managed(t), "a\nb\n");
	auto lines = managed_lines(t);
	ASSERT_TRUE(lines);
	EXPECT_EQ(*lines, (std::vector<std::string>{"x", "y"}));
	EXPECT_FALSE(managed_lines("a\nb\n"));
	EXPECT_EQ(with_managed(t, {}), "a\nb\n");
	EXPECT_EQ(parse_options_line("options toa a=1 b # c=2"),
		  (std::map<std::string, std::string>{{"a", "1"}, {"b", ""}}));
	EXPECT_TRUE(parse_options_line("options other a=1").empty());
}

} // namespace
