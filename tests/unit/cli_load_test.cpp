// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check load/unload: preflight, the libkmod insert (faked), confirmation.
#include <cerrno>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_fixture.h"

using testing::HasSubstr;

namespace {

class Load : public testing::Test {
protected:
	Load() : sys(root)
	{
		toatest::make_healthy(root, sys);
		root.remove("/sys/module/toa");
		root.remove("/proc/net/toa_stats");
	}
	toatest::TempRoot root;
	toatest::FakeSystem sys;
};

TEST_F(Load, LoadsAndConfirms)
{
	auto r = toatest::run_cli(sys,
				  {"load", "--param",
				   "trusted_sources= 198.51.100.7 , 2001:db8::/32", "--param",
				   "option_kind=200"});
	EXPECT_EQ(r.code, 0) << r.out << r.err;
	ASSERT_EQ(sys.inserted.size(), 1u);
	EXPECT_EQ(sys.inserted[0].first, "/lib/modules/6.1.0-56-amd64/updates/dkms/toa.ko");
	// modprobe.d's options first, then --param, which the kernel lets win
	EXPECT_EQ(sys.inserted[0].second,
		  "trusted_sources=198.51.100.0/24 "
		  "trusted_sources=198.51.100.7/32,2001:db8::/32 option_kind=200");
	EXPECT_THAT(r.out,
		    HasSubstr("    options from the configuration: "
			      "trusted_sources=198.51.100.0/24\n"));
	EXPECT_THAT(r.out,
		    HasSubstr("    parameters now: option_kinds=200,253 "
			      "trusted_sources=198.51.100.7/32,2001:db8::/32 "
			      "max_entries=262144\n"));
	EXPECT_THAT(r.out,
		    HasSubstr("\u2713 TOA: toa loaded (version 0.1.0, option kinds 254,253)"));
}

// The options toa-check enable wrote are what the module is loaded with.
TEST_F(Load, AppliesWhatEnableConfigured)
{
	root.remove("/etc/modprobe.d/toa.conf");
	ASSERT_EQ(toatest::run_cli(
			  sys,
			  {"enable", "--trusted-sources", "192.0.2.0/24", "--option-kinds", "200"})
			  .code,
		  0);
	auto r = toatest::run_cli(sys, {"load"});
	EXPECT_EQ(r.code, 0) << r.out << r.err;
	ASSERT_EQ(sys.inserted.size(), 1u);
	EXPECT_EQ(sys.inserted[0].second, "option_kinds=200 trusted_sources=192.0.2.0/24");
	EXPECT_THAT(r.out,
		    HasSubstr("    parameters now: option_kinds=200 "
			      "trusted_sources=192.0.2.0/24 max_entries=262144\n"));
	// and doctor agrees that what runs is what is configured
	EXPECT_THAT(toatest::run_cli(sys, {"doctor"}).out,
		    HasSubstr("\u2713 the running parameters are the configured ones"));
}

TEST_F(Load, ConfiguredOptionsFromEveryModprobeDirectory)
{
	root.remove("/etc/modprobe.d/toa.conf");
	root.put("/usr/lib/modprobe.d/toa-vendor.conf", "options toa max_entries=1000\n");
	root.put("/etc/modprobe.d/zz-site.conf",
		 "# site\noptions toa trusted_sources=\"203.0.113.0/24,2001:db8::/32\"\n");
	auto r = toatest::run_cli(sys, {"load"});
	EXPECT_EQ(r.code, 0) << r.out;
	ASSERT_EQ(sys.inserted.size(), 1u);
	EXPECT_THAT(sys.inserted[0].second, HasSubstr("max_entries=1000"));
	EXPECT_THAT(sys.inserted[0].second,
		    HasSubstr("trusted_sources=\"203.0.113.0/24,2001:db8::/32\""));
	EXPECT_THAT(r.out,
		    HasSubstr("trusted_sources=203.0.113.0/24,2001:db8::/32 "
			      "max_entries=1000\n"));
}

// A configuration the module would refuse: nothing is inserted.
TEST_F(Load, RefusedConfigurationDoesNotInsert)
{
	root.put("/etc/modprobe.d/toa.conf", "options toa trusted_sources=10.0.0.0/33\n");
	auto r = toatest::run_cli(sys, {"load"});
	EXPECT_EQ(r.code, 1);
	EXPECT_TRUE(sys.inserted.empty());
	EXPECT_THAT(r.out,
		    HasSubstr("\u2717 the configured options are refused: "
			      "trusted_sources '10.0.0.0/33'"));
}

TEST_F(Load, ExplicitModulePath)
{
	root.put("/tmp/toa.ko", "elf");
	toacheck::ModInfo mi = sys.modules["toa@6.1.0-56-amd64"];
	mi.path = "/tmp/toa.ko";
	sys.modules["/tmp/toa.ko"] = mi;
	auto r = toatest::run_cli(sys, {"load", "--module", "/tmp/toa.ko"});
	EXPECT_EQ(r.code, 0) << r.out;
	ASSERT_EQ(sys.inserted.size(), 1u);
	EXPECT_EQ(sys.inserted[0].first, "/tmp/toa.ko");
}

TEST_F(Load, MissingModuleFileIsUsageError)
{
	auto r = toatest::run_cli(sys, {"load", "--module", "/nope/toa.ko"});
	EXPECT_EQ(r.code, 2);
	EXPECT_TRUE(sys.inserted.empty());
}

TEST_F(Load, PreflightVermagicMismatchDoesNotInsert)
{
	sys.modules["toa@6.1.0-56-amd64"].vermagic = "6.1.0-50-amd64 SMP preempt mod_unload ";
	auto r = toatest::run_cli(sys, {"load"});
	EXPECT_EQ(r.code, 1);
	EXPECT_TRUE(sys.inserted.empty());
	EXPECT_THAT(
		r.out,
		HasSubstr(
			"ENOEXEC: the module was built for 6.1.0-50-amd64 while 6.1.0-56-amd64 runs"));
	EXPECT_THAT(r.out, HasSubstr("dkms autoinstall -k 6.1.0-56-amd64"));
}

TEST_F(Load, PreflightUnsignedUnderSecureBootDoesNotInsert)
{
	root.put("/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c",
		 std::string("\x06\x00\x00\x00\x01", 5));
	sys.modules["toa@6.1.0-56-amd64"].signer = "";
	auto r = toatest::run_cli(sys, {"load"});
	EXPECT_EQ(r.code, 1);
	EXPECT_TRUE(sys.inserted.empty());
	EXPECT_THAT(r.out, HasSubstr("mokutil --import"));
}

TEST_F(Load, KernelWithoutModuleSupport)
{
	root.remove("/proc/modules");
	auto r = toatest::run_cli(sys, {"load"});
	EXPECT_EQ(r.code, 1);
	EXPECT_TRUE(sys.inserted.empty());
	EXPECT_THAT(
		r.out,
		HasSubstr("\u2717 ENOSYS: this kernel was built without loadable module support"));
}

TEST_F(Load, NoModuleForThisKernel)
{
	sys.modules.clear();
	auto r = toatest::run_cli(sys, {"load"});
	EXPECT_EQ(r.code, 1);
	EXPECT_THAT(r.out, HasSubstr("no toa module for 6.1.0-56-amd64"));
}

struct ErrnoCase {
	int err;
	int exit_code;
	const char *text;
};

class LoadErrno : public Load, public testing::WithParamInterface<ErrnoCase> {};

TEST_P(LoadErrno, MapsToCauseAndExitCode)
{
	sys.insert_errno = GetParam().err;
	sys.log = {"TOA: option_kind=8 refused: standard option"};
	auto r = toatest::run_cli(sys, {"load"});
	EXPECT_EQ(r.code, GetParam().exit_code) << r.out;
	EXPECT_THAT(r.out, HasSubstr(GetParam().text));
}

INSTANTIATE_TEST_SUITE_P(
	All, LoadErrno,
	testing::Values(ErrnoCase{ENOEXEC, 1, "ENOEXEC"}, ErrnoCase{EKEYREJECTED, 1, "Enroll MOK"},
			ErrnoCase{ENOKEY, 1, "Required key not available"},
			ErrnoCase{EPERM, 1, "lockdown"}, ErrnoCase{EEXIST, 0, "already loaded"},
			ErrnoCase{EINVAL, 1, "EINVAL"}, ErrnoCase{ENOSYS, 1, "CONFIG_MODULES"}));

TEST_F(Load, EinvalShowsTheNewKernelLogLines)
{
	sys.log = {"TOA: an old line"};
	sys.log_on_insert = {"TOA: trusted_sources refused: item 2 is not an address"};
	sys.insert_errno = EINVAL;
	auto r = toatest::run_cli(sys, {"load"});
	EXPECT_EQ(r.code, 1);
	EXPECT_THAT(
		r.out,
		HasSubstr("    kernel: TOA: trusted_sources refused: item 2 is not an address\n"));
	EXPECT_THAT(r.out, testing::Not(HasSubstr("an old line")));
}

TEST_F(Load, AlreadyLoadedIsSuccess)
{
	root.put("/sys/module/toa/version", "0.1.0\n");
	auto r = toatest::run_cli(sys, {"load"});
	EXPECT_EQ(r.code, 0);
	EXPECT_TRUE(sys.inserted.empty());
	EXPECT_THAT(r.out, HasSubstr("toa 0.1.0 is already loaded"));
}

TEST_F(Load, MissingLogLineIsAWarningOnly)
{
	struct Quiet : toatest::FakeSystem {
		using FakeSystem::FakeSystem;
		std::vector<std::string> kernel_log() override { return {}; }
	} quiet(root);
	quiet.modules = sys.modules;
	auto r = toatest::run_cli(quiet, {"load"});
	EXPECT_EQ(r.code, 0);
	EXPECT_THAT(r.out,
		    HasSubstr("! toa is loaded but the kernel log shows no 'TOA: toa loaded'"));
}

TEST_F(Load, NotRootIsUsageError)
{
	sys.root_user = false;
	auto r = toatest::run_cli(sys, {"load"});
	EXPECT_EQ(r.code, 2);
	EXPECT_THAT(r.err, HasSubstr("needs root"));
	EXPECT_TRUE(sys.inserted.empty());
}

TEST_F(Load, Unload)
{
	root.put("/sys/module/toa/version", "0.1.0\n");
	auto r = toatest::run_cli(sys, {"unload"});
	EXPECT_EQ(r.code, 0);
	EXPECT_EQ(sys.removed, 1);
	EXPECT_THAT(r.out, HasSubstr("\u2713 toa unloaded"));
}

TEST_F(Load, UnloadBusy)
{
	root.put("/sys/module/toa/version", "0.1.0\n");
	sys.remove_errno = EBUSY;
	auto r = toatest::run_cli(sys, {"unload"});
	EXPECT_EQ(r.code, 1);
	EXPECT_THAT(r.out, HasSubstr("\u2717 EBUSY: toa is in use"));
}

TEST_F(Load, UnloadWhenNotLoaded)
{
	auto r = toatest::run_cli(sys, {"unload"});
	EXPECT_EQ(r.code, 0);
	EXPECT_EQ(sys.removed, 0);
	EXPECT_THAT(r.out, HasSubstr("not loaded"));
}

} // namespace

namespace {

// The real libkmod path of the seam, over a fixture tree.
TEST(RealKmod, NoModuleInAnEmptyTree)
{
	toatest::TempRoot root;
	root.mkdir("/lib/modules/6.1.0-56-amd64");
	toacheck::RealSystem sys(root.path());
	toacheck::ModInfo mi = sys.module_info("toa", "6.1.0-56-amd64");
	EXPECT_FALSE(mi.found);
	EXPECT_NE(mi.error, 0);
}

TEST(RealKmod, GarbageFileIsNotAModule)
{
	toatest::TempRoot root;
	root.put("/tmp/toa.ko", "this is not an ELF file");
	toacheck::RealSystem sys(root.path());
	toacheck::ModInfo mi = sys.module_info("/tmp/toa.ko", "6.1.0-56-amd64");
	EXPECT_FALSE(mi.found);
	EXPECT_NE(mi.error, 0);
}

} // namespace
