// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check doctor: every check in its passing and failing form.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_fixture.h"
#include "doctor.h"

using namespace toacheck;
using testing::HasSubstr;
using testing::StartsWith;

namespace {

constexpr const char *kSbVar =
	"/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";

class Doctor : public testing::Test {
protected:
	Doctor() : sys(root) { toatest::make_healthy(root, sys); }
	DoctorContext ctx(const std::string &rel = "") { return DoctorContext(sys, rel); }
	toatest::TempRoot root;
	toatest::FakeSystem sys;
	std::string rel() const { return sys.release; }
};

TEST_F(Doctor, HealthyMachinePassesEverything)
{
	auto c = ctx();
	auto checks = run_checks(c);
	std::vector<std::string> ids;
	for (const auto &ch : checks) {
		ids.push_back(ch.id);
		EXPECT_EQ(ch.status, Status::Pass) << ch.id << ": " << ch.summary;
	}
	EXPECT_THAT(ids,
		    testing::ElementsAre("kernel", "headers", "compiler", "dkms", "module",
					 "signature", "loaded", "hooks", "boot", "trusted_sources",
					 "params", "traffic"));
	auto r = toatest::run_cli(sys, {"doctor"});
	EXPECT_EQ(r.code, 0) << r.out;
	EXPECT_THAT(r.out, HasSubstr("all checks passed"));
	EXPECT_THAT(r.out, HasSubstr("\u2713 headers for 6.1.0-56-amd64 installed"));
}

TEST_F(Doctor, NoSubcommandMeansDoctor)
{
	auto r = toatest::run_cli(sys, {});
	EXPECT_EQ(r.code, 0);
	EXPECT_THAT(r.out, HasSubstr("all checks passed"));
}

TEST_F(Doctor, KernelWithoutModuleSupportFails)
{
	root.remove("/proc/modules");
	auto c = ctx();
	Check k = check_kernel(c);
	EXPECT_EQ(k.status, Status::Fail);
	EXPECT_THAT(k.summary, HasSubstr("without loadable module support"));
	EXPECT_THAT(k.fix, HasSubstr("toa-check doctor --kernel RELEASE"));
	// Nothing after it could pass or be fixed on this kernel: not run.
	auto checks = run_checks(c);
	ASSERT_EQ(checks.size(), 1u);
	EXPECT_EQ(checks[0].id, "kernel");
	auto r = toatest::run_cli(sys, {"doctor"});
	EXPECT_EQ(r.code, 1);
	EXPECT_THAT(r.out, HasSubstr("\u2717 kernel"));
	EXPECT_THAT(r.out, HasSubstr("1 problem found"));
	// ... while --kernel still checks the build side for another one.
	root.put("/lib/modules/6.1.0-99-amd64/build/include/generated/utsrelease.h",
		 "#define UTS_RELEASE \"6.1.0-99-amd64\"\n");
	auto other = ctx("6.1.0-99-amd64");
	EXPECT_GT(run_checks(other).size(), 1u);
}

TEST_F(Doctor, ModulesDisabledFailsUnlessToaIsLoaded)
{
	root.put("/proc/sys/kernel/modules_disabled", "1\n");
	root.remove("/sys/module/toa");
	{
		auto c = ctx();
		Check k = check_kernel(c);
		EXPECT_EQ(k.status, Status::Fail);
		EXPECT_THAT(k.summary, HasSubstr("kernel.modules_disabled=1"));
		EXPECT_THAT(k.fix, HasSubstr("then reboot"));
	}
	root.put("/sys/module/toa/version", "0.1.0\n");
	{
		auto c = ctx();
		Check k = check_kernel(c);
		EXPECT_EQ(k.status, Status::Warn);
		EXPECT_THAT(k.summary, HasSubstr("toa stays loaded but cannot be reloaded"));
	}
}

TEST_F(Doctor, SignedOnlyKernelRefusesTheUnsignedModule)
{
	toacheck::ModInfo mi = sys.modules["toa@" + rel()];
	mi.signer.clear();
	sys.modules["toa@" + rel()] = mi;
	{
		auto c = ctx();
		EXPECT_EQ(check_signature(c).status, Status::Pass); // Secure Boot off, no lockdown
	}
	root.put("/sys/module/module/parameters/sig_enforce", "Y\n");
	{
		auto c = ctx();
		Check s = check_signature(c);
		EXPECT_EQ(s.status, Status::Fail);
		EXPECT_THAT(s.summary,
			    HasSubstr("loads only signed modules (module.sig_enforce=1)"));
		EXPECT_THAT(s.fix, HasSubstr("mokutil --import /var/lib/dkms/mok.pub"));
	}
	root.put("/sys/module/module/parameters/sig_enforce", "N\n");
	for (const char *level : {"integrity", "confidentiality"}) {
		root.put("/sys/kernel/security/lockdown",
			 std::string("none ") +
				 (level[0] == 'i' ? "[integrity] confidentiality"
						  : "integrity [confidentiality]") +
				 "\n");
		auto c = ctx();
		Check s = check_signature(c);
		EXPECT_EQ(s.status, Status::Fail) << level;
		EXPECT_THAT(s.summary, HasSubstr(std::string("(lockdown=") + level + ")"));
	}
	// Another kernel's build: the running kernel's policy does not apply.
	root.put("/lib/modules/6.1.0-99-amd64/build/include/generated/utsrelease.h",
		 "#define UTS_RELEASE \"6.1.0-99-amd64\"\n");
	auto other = ctx("6.1.0-99-amd64");
	EXPECT_EQ(signed_only_reason(sys), "lockdown=confidentiality");
	EXPECT_NE(check_signature(other).summary.find("loads only signed"), 0u);
}

TEST_F(Doctor, HeadersOfAKernelWithoutWhatToaNeeds)
{
	root.put("/lib/modules/" + rel() + "/build/include/config/auto.conf",
		 "CONFIG_MODULES=y\nCONFIG_INET=y\nCONFIG_KPROBES=y\n"
		 "CONFIG_FUNCTION_TRACER=y\nCONFIG_DYNAMIC_FTRACE=y\nCONFIG_TRACEPOINTS=y\n");
	auto c = ctx();
	Check h = check_headers(c);
	EXPECT_EQ(h.status, Status::Fail);
	EXPECT_EQ(h.summary,
		  "kernel 6.1.0-56-amd64 is configured without CONFIG_KRETPROBES "
		  "CONFIG_DYNAMIC_FTRACE_WITH_REGS/_WITH_ARGS, which toa needs: DKMS does not "
		  "build toa for it");
}

TEST_F(Doctor, OtherKernelSkipsLiveChecks)
{
	root.put("/lib/modules/6.1.0-50-amd64/build/include/generated/utsrelease.h",
		 "#define UTS_RELEASE \"6.1.0-50-amd64\"\n");
	auto c = ctx("6.1.0-50-amd64");
	EXPECT_THAT(check_kernel(c).summary,
		    HasSubstr("checking kernel 6.1.0-50-amd64 (running 6.1.0-56-amd64)"));
	EXPECT_EQ(check_headers(c).status, Status::Pass);
	Check dk = check_dkms(c);
	EXPECT_EQ(dk.status, Status::Fail);
	EXPECT_THAT(dk.fix, HasSubstr("dkms autoinstall -k 6.1.0-50-amd64"));
	for (const auto &ch : run_checks(c))
		EXPECT_TRUE(ch.id != "loaded" && ch.id != "hooks" && ch.id != "traffic") << ch.id;
}

TEST_F(Doctor, HeadersMissing)
{
	root.remove("/lib/modules/" + rel() + "/build");
	auto c = ctx();
	Check h = check_headers(c);
	EXPECT_EQ(h.status, Status::Fail);
	EXPECT_THAT(h.summary, HasSubstr("/lib/modules/6.1.0-56-amd64/build missing"));
	EXPECT_EQ(h.fix, "apt-get install -y linux-headers-6.1.0-56-amd64");
	EXPECT_EQ(check_compiler(c).status, Status::Warn);
}

TEST_F(Doctor, HeadersForAnotherRelease)
{
	root.put("/lib/modules/" + rel() + "/build/include/generated/utsrelease.h",
		 "#define UTS_RELEASE \"6.1.0-50-amd64\"\n");
	auto c = ctx();
	Check h = check_headers(c);
	EXPECT_EQ(h.status, Status::Fail);
	EXPECT_THAT(h.summary, HasSubstr("are for 6.1.0-50-amd64, not 6.1.0-56-amd64"));
}

TEST_F(Doctor, HeadersFixFollowsTheDistribution)
{
	root.remove("/lib/modules/" + rel() + "/build");
	root.put("/etc/os-release",
		 "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\n");
	{
		auto c = ctx();
		EXPECT_EQ(check_headers(c).fix, "dnf install -y kernel-devel-6.1.0-56-amd64");
	}
	root.put("/etc/os-release", "ID=centos\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\n");
	{
		auto c = ctx();
		EXPECT_EQ(check_headers(c).fix, "yum install -y kernel-devel-6.1.0-56-amd64");
	}
	root.put("/etc/os-release", "ID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\n");
	sys.release = "5.14.21-150500.55.39-default";
	{
		auto c = ctx();
		EXPECT_EQ(check_headers(c).fix,
			  "zypper install -y kernel-default-devel=5.14.21-150500.55.39");
	}
	root.put("/etc/os-release", "ID=ubuntu\nID_LIKE=debian\n");
	{
		auto c = ctx();
		EXPECT_THAT(check_headers(c).fix, StartsWith("apt-get install -y linux-headers-"));
	}
}

TEST_F(Doctor, HeadersWithoutTheFlavourMetaPackageWarn)
{
	const std::string q = "dpkg-query -W -f=${Package} ${Status}\n linux-headers-amd64*";
	{
		auto c = ctx();
		EXPECT_EQ(check_headers(c).status, Status::Pass); // the fixture has it
	}
	sys.commands[q] = {1, "dpkg-query: no packages found matching linux-headers-amd64*\n"};
	{
		auto c = ctx();
		Check h = check_headers(c);
		EXPECT_EQ(h.status, Status::Warn);
		EXPECT_EQ(h.summary,
			  "headers for 6.1.0-56-amd64 installed, but not "
			  "linux-headers-amd64: the next kernel update comes without "
			  "headers and DKMS cannot build toa for it");
		EXPECT_EQ(h.fix, "apt-get install -y linux-headers-amd64");
	}
	// removed, configuration kept: not installed
	sys.commands[q] = {0, "linux-headers-amd64 deinstall ok config-files\n"};
	{
		auto c = ctx();
		EXPECT_EQ(check_headers(c).status, Status::Warn);
	}
	// no dpkg: not a Debian system after all, nothing to say
	root.remove("/usr/bin/dpkg-query");
	{
		auto c = ctx();
		EXPECT_EQ(check_headers(c).status, Status::Pass);
	}
}

TEST(DoctorParsers, KernelFlavour)
{
	EXPECT_EQ(kernel_flavour("6.1.0-57-amd64"), "amd64");
	EXPECT_EQ(kernel_flavour("6.1.0-57-cloud-amd64"), "cloud-amd64");
	EXPECT_EQ(kernel_flavour("6.1.0-57-rt-amd64"), "rt-amd64");
	EXPECT_EQ(kernel_flavour("6.1.0-57-arm64"), "arm64");
	EXPECT_EQ(kernel_flavour("6.12.12+bpo-amd64"), "amd64");
	EXPECT_EQ(kernel_flavour("6.12.38+deb13-cloud-amd64"), "cloud-amd64");
	EXPECT_EQ(kernel_flavour("5.15.0-91-generic"), "generic");
	EXPECT_EQ(kernel_flavour("6.8.0-1015-aws"), "aws");
	EXPECT_EQ(kernel_flavour("5.15.0-1064-azure"), "azure");
	EXPECT_EQ(kernel_flavour("5.14.0-427.el9.x86_64"), "");
	EXPECT_EQ(kernel_flavour("6.7.0"), "");
	EXPECT_EQ(kernel_flavour(""), "");
}

TEST(DoctorParsers, HeadersMetaInstalled)
{
	EXPECT_TRUE(headers_meta_installed("linux-headers-aws install ok installed\n", "aws"));
	EXPECT_TRUE(headers_meta_installed("linux-headers-generic deinstall ok config-files\n"
					   "linux-headers-generic-hwe-22.04 install ok installed\n",
					   "generic"));
	EXPECT_FALSE(headers_meta_installed("linux-headers-generic deinstall ok config-files\n",
					    "generic"));
	// another flavour's package is not this one's
	EXPECT_FALSE(headers_meta_installed("linux-headers-cloud-amd64 install ok installed\n",
					    "amd64"));
	EXPECT_FALSE(headers_meta_installed("", "amd64"));
}

TEST_F(Doctor, CompilerPresent)
{
	auto c = ctx();
	Check k = check_compiler(c);
	EXPECT_EQ(k.status, Status::Pass) << k.summary;
	EXPECT_THAT(k.summary, HasSubstr("gcc-12 12.2.0"));
}

TEST_F(Doctor, CompilerMissing)
{
	root.remove("/usr/bin/gcc-12");
	auto c = ctx();
	Check k = check_compiler(c);
	EXPECT_EQ(k.status, Status::Fail);
	EXPECT_THAT(k.summary, HasSubstr("gcc-12 is missing"));
	EXPECT_EQ(k.fix, "apt-get install -y gcc-12");
}

TEST_F(Doctor, CompilerFromDotConfigWhenNoAutoConf)
{
	root.remove("/lib/modules/" + rel() + "/build/include/config");
	root.put("/lib/modules/" + rel() + "/build/.config",
		 "CONFIG_CC_VERSION_TEXT=\"x86_64-linux-gnu-gcc-13 (Debian 13.2.0-4) 13.2.0\"\n");
	auto c = ctx();
	Check k = check_compiler(c);
	EXPECT_EQ(k.status, Status::Fail);
	EXPECT_EQ(k.fix, "apt-get install -y gcc-13");
}

TEST_F(Doctor, CompilerTooOldGivesTheRetpolineHint)
{
	root.put("/lib/modules/" + rel() + "/build/include/config/auto.conf",
		 "CONFIG_CC_VERSION_TEXT=\"gcc (GCC) 11.4.1 20231218 (Red Hat 11.4.1-3)\"\n");
	root.put_exec("/usr/bin/gcc");
	sys.commands["gcc --version"] = {0, "gcc (GCC) 8.5.0 20210514 (Red Hat 8.5.0-20)\n"};
	auto c = ctx();
	Check k = check_compiler(c);
	EXPECT_EQ(k.status, Status::Fail);
	EXPECT_THAT(k.summary, HasSubstr("version 8.5.0, older than the kernel's 11.4.1"));
	EXPECT_THAT(k.summary, HasSubstr("CONFIG_RETPOLINE=y but not supported by the compiler"));
}

TEST_F(Doctor, CompilerNotNamedInConfigIsAWarning)
{
	root.put("/lib/modules/" + rel() + "/build/include/config/auto.conf", "CONFIG_X86=y\n");
	auto c = ctx();
	EXPECT_EQ(check_compiler(c).status, Status::Warn);
}

TEST_F(Doctor, DkmsMissing)
{
	root.remove("/usr/sbin/dkms");
	auto c = ctx();
	Check d = check_dkms(c);
	EXPECT_EQ(d.status, Status::Fail);
	EXPECT_THAT(d.fix, HasSubstr("apt-get install -y dkms"));
}

TEST_F(Doctor, DkmsStates)
{
	sys.commands["dkms status toa"] = {0, "toa/0.1.0, 6.1.0-56-amd64, x86_64: built\n"};
	{
		auto c = ctx();
		Check d = check_dkms(c);
		EXPECT_EQ(d.status, Status::Fail);
		EXPECT_EQ(d.fix, "dkms install toa/0.1.0 -k 6.1.0-56-amd64");
	}
	sys.commands["dkms status toa"] = {0, ""};
	{
		auto c = ctx();
		Check d = check_dkms(c);
		EXPECT_EQ(d.status, Status::Fail);
		EXPECT_EQ(d.fix, "apt-get install -y toa-dkms");
	}
	// The package's source is there but dkms lost it: add it again.
	root.put("/usr/src/toa-0.1.9/dkms.conf", "PACKAGE_NAME=\"toa\"\n");
	root.put("/usr/src/toa-0.1.10/dkms.conf", "PACKAGE_NAME=\"toa\"\n");
	root.mkdir("/usr/src/toa-0.2.0"); // no dkms.conf: not a DKMS source
	{
		auto c = ctx();
		Check d = check_dkms(c);
		EXPECT_EQ(d.status, Status::Fail);
		EXPECT_THAT(d.summary, HasSubstr("/usr/src/toa-0.1.10 is there"));
		EXPECT_EQ(d.fix, "dkms add toa/0.1.10\ndkms install toa/0.1.10 -k 6.1.0-56-amd64");
	}
	root.remove("/usr/src/toa-0.1.9");
	root.remove("/usr/src/toa-0.1.10");
	root.remove("/usr/src/toa-0.2.0");
	// dkms 2 wording.
	sys.commands["dkms status toa"] = {0, "toa, 0.1.0, 6.1.0-56-amd64, x86_64: installed\n"};
	{
		auto c = ctx();
		EXPECT_EQ(check_dkms(c).status, Status::Pass);
	}
	// Installed with a warning suffix still counts.
	sys.commands["dkms status toa"] = {
		0,
		"toa/0.1.0, 6.1.0-56-amd64, x86_64: installed (WARNING! Diff between built and installed module!)\n"};
	{
		auto c = ctx();
		EXPECT_EQ(check_dkms(c).status, Status::Pass);
	}
}

TEST_F(Doctor, DkmsStatusThatHangsFails)
{
	sys.commands["dkms status toa"] = {124, "\ndkms did not finish within 60 s: killed\n",
					   true};
	auto c = ctx();
	Check d = check_dkms(c);
	EXPECT_EQ(d.status, Status::Fail);
	EXPECT_EQ(d.summary, "dkms status toa did not finish within 60 s");
	EXPECT_THAT(d.fix, HasSubstr("dkms status toa"));
}

TEST_F(Doctor, ModuleNotFound)
{
	sys.modules.clear();
	auto c = ctx();
	Check m = check_module(c);
	EXPECT_EQ(m.status, Status::Fail);
	EXPECT_EQ(m.fix, "dkms autoinstall -k 6.1.0-56-amd64");
	EXPECT_EQ(check_signature(c).status, Status::Warn);
}

TEST_F(Doctor, ModuleBuiltForAnotherKernel)
{
	sys.modules["toa@" + rel()].vermagic = "6.1.0-50-amd64 SMP preempt mod_unload modversions ";
	auto c = ctx();
	Check m = check_module(c);
	EXPECT_EQ(m.status, Status::Fail);
	EXPECT_THAT(m.summary, HasSubstr("built for 6.1.0-50-amd64, not 6.1.0-56-amd64"));
	EXPECT_THAT(m.fix, HasSubstr("linux-headers-6.1.0-56-amd64"));
	EXPECT_THAT(m.fix, HasSubstr("dkms autoinstall -k 6.1.0-56-amd64"));
}

TEST_F(Doctor, SecureBootOnUnsignedFails)
{
	root.put(kSbVar, std::string("\x06\x00\x00\x00\x01", 5));
	sys.modules["toa@" + rel()].signer = "";
	auto c = ctx();
	Check s = check_signature(c);
	EXPECT_EQ(s.status, Status::Fail);
	EXPECT_THAT(s.fix, HasSubstr("mokutil --import /var/lib/dkms/mok.pub"));
	EXPECT_THAT(s.fix, HasSubstr("reboot"));
}

TEST_F(Doctor, SecureBootOnSignedAndEnrolledPasses)
{
	root.put(kSbVar, std::string("\x06\x00\x00\x00\x01", 5));
	root.put("/var/lib/dkms/mok.pub", "cert");
	root.put_exec("/usr/bin/mokutil");
	sys.commands["mokutil --test-key /var/lib/dkms/mok.pub"] = {
		0, "/var/lib/dkms/mok.pub is already enrolled\n"};
	auto c = ctx();
	EXPECT_EQ(check_signature(c).status, Status::Pass);
}

TEST_F(Doctor, SecureBootMokutilThatHangsWarns)
{
	root.put(kSbVar, std::string("\x06\x00\x00\x00\x01", 5));
	root.put("/var/lib/dkms/mok.pub", "cert");
	root.put_exec("/usr/bin/mokutil");
	sys.commands["mokutil --test-key /var/lib/dkms/mok.pub"] = {124, "", true};
	auto c = ctx();
	Check s = check_signature(c);
	EXPECT_EQ(s.status, Status::Warn);
	EXPECT_THAT(s.summary, HasSubstr("mokutil --test-key did not finish within 60 s"));
}

TEST_F(Doctor, SecureBootFromMokutilKeyNotEnrolled)
{
	root.remove(kSbVar); // EFI system, variable unreadable: ask mokutil
	root.mkdir("/sys/firmware/efi");
	root.put("/var/lib/dkms/mok.pub", "cert");
	root.put_exec("/usr/bin/mokutil");
	sys.commands["mokutil --sb-state"] = {0, "SecureBoot enabled\n"};
	sys.commands["mokutil --test-key /var/lib/dkms/mok.pub"] = {
		1, "/var/lib/dkms/mok.pub is not enrolled\n"};
	auto c = ctx();
	Check s = check_signature(c);
	EXPECT_EQ(s.status, Status::Fail);
	EXPECT_THAT(s.summary, HasSubstr("not enrolled"));
	EXPECT_THAT(s.fix, HasSubstr("mokutil --import /var/lib/dkms/mok.pub"));
}

TEST_F(Doctor, SecureBootStates)
{
	root.remove("/sys/firmware"); // legacy BIOS
	{
		auto c = ctx();
		EXPECT_EQ(sys.secure_boot(), SecureBoot::Disabled);
		EXPECT_EQ(check_signature(c).status, Status::Pass);
	}
	root.mkdir("/sys/firmware/efi"); // EFI, no variable, no mokutil
	{
		auto c = ctx();
		EXPECT_EQ(sys.secure_boot(), SecureBoot::Unknown);
		EXPECT_EQ(check_signature(c).status, Status::Warn);
	}
	sys.commands["mokutil --sb-state"] = {0, "SecureBoot disabled\n"};
	EXPECT_EQ(sys.secure_boot(), SecureBoot::Disabled);
}

TEST_F(Doctor, NotLoaded)
{
	root.remove("/sys/module/toa");
	root.remove("/proc/net/toa_stats");
	auto c = ctx();
	Check l = check_loaded(c);
	EXPECT_EQ(l.status, Status::Fail);
	EXPECT_EQ(l.fix, "toa-check load");
	EXPECT_FALSE(check_hooks(c));
	EXPECT_FALSE(check_trusted(c));
	EXPECT_FALSE(check_traffic(c));
}

TEST_F(Doctor, LoadedVersionDiffersFromPackage)
{
	sys.commands["dpkg-query -W -f=${Version} toa-dkms"] = {0, "1:0.2.0-1"};
	auto c = ctx();
	Check l = check_loaded(c);
	EXPECT_EQ(l.status, Status::Fail);
	EXPECT_THAT(l.summary, HasSubstr("toa 0.1.0 is loaded but package toa-dkms is 0.2.0"));
	EXPECT_EQ(l.fix, "toa-check unload && toa-check load");
}

TEST_F(Doctor, LoadedVersionFromRpm)
{
	sys.commands.erase("dpkg-query -W -f=${Version} toa-dkms");
	sys.commands["rpm -q --qf %{VERSION} toa-dkms"] = {0, "0.1.0"};
	auto c = ctx();
	EXPECT_EQ(check_loaded(c).status, Status::Pass);
	sys.commands["rpm -q --qf %{VERSION} toa-dkms"] = {0, "0.0.9"};
	EXPECT_EQ(check_loaded(c).status, Status::Fail);
}

TEST_F(Doctor, HooksNotLive)
{
	root.remove("/proc/net/toa_stats");
	auto c = ctx();
	auto h = check_hooks(c);
	ASSERT_TRUE(h);
	EXPECT_EQ(h->status, Status::Fail);
	EXPECT_THAT(h->summary, HasSubstr("hooks are not live"));
}

TEST_F(Doctor, HooksMissedHits)
{
	root.put("/proc/net/toa_stats", toatest::stats_text({{"nmissed_inet_getname", 3}}));
	auto c = ctx();
	auto h = check_hooks(c);
	ASSERT_TRUE(h);
	EXPECT_EQ(h->status, Status::Fail);
	EXPECT_THAT(h->summary, HasSubstr("nmissed_inet_getname=3"));
	EXPECT_THAT(h->summary, HasSubstr("maxactive 64"));
}

TEST_F(Doctor, BootConfiguration)
{
	root.put("/etc/modules-load.d/toa.conf", "# toa\n");
	{
		auto c = ctx();
		Check b = check_boot(c);
		EXPECT_EQ(b.status, Status::Fail);
		EXPECT_EQ(b.fix, "toa-check enable");
	}
	// /usr/lib is masked by the same name in /etc.
	root.put("/usr/lib/modules-load.d/toa.conf", "toa\n");
	{
		auto c = ctx();
		EXPECT_EQ(check_boot(c).status, Status::Fail);
	}
	root.remove("/etc/modules-load.d/toa.conf");
	{
		auto c = ctx();
		Check b = check_boot(c);
		EXPECT_EQ(b.status, Status::Pass);
		EXPECT_THAT(b.summary, HasSubstr("/usr/lib/modules-load.d/toa.conf"));
	}
	root.remove("/usr/lib/modules-load.d/toa.conf");
	root.put("/etc/modules", "loop\ntoa   # real clients\n");
	{
		auto c = ctx();
		EXPECT_EQ(check_boot(c).status, Status::Pass);
	}
	root.put("/etc/modules-load.d/other.txt", "toa\n"); // not *.conf
	root.put("/etc/modules", "loop\n");
	{
		auto c = ctx();
		EXPECT_EQ(check_boot(c).status, Status::Fail);
	}
}

TEST_F(Doctor, TrustedSourcesEmptyWarns)
{
	root.put("/sys/module/toa/parameters/trusted_sources", "\n");
	root.remove("/etc/modprobe.d/toa.conf"); // as configured: nothing
	auto c = ctx();
	auto t = check_trusted(c);
	ASSERT_TRUE(t);
	EXPECT_EQ(t->status, Status::Warn);
	EXPECT_THAT(t->summary, HasSubstr("spoof"));
	auto r = toatest::run_cli(sys, {"doctor"});
	EXPECT_EQ(r.code, 0) << "a warning is not a failure";
	EXPECT_THAT(r.out, HasSubstr("! trusted_sources is empty"));
}

// The running module's parameters against the configuration.
TEST_F(Doctor, ParamsSetOnlyThroughSysfsFail)
{
	root.remove("/etc/modprobe.d/toa.conf");
	auto c = ctx();
	auto p = check_params(c);
	ASSERT_TRUE(p);
	EXPECT_EQ(p->status, Status::Fail);
	EXPECT_THAT(p->summary,
		    HasSubstr("trusted_sources is 198.51.100.0/24 but the "
			      "configuration gives ''"));
	EXPECT_THAT(p->fix, HasSubstr("toa-check unload && toa-check load"));
	EXPECT_EQ(toatest::run_cli(sys, {"doctor"}).code, 1);
}

TEST_F(Doctor, ParamsOptionKindReplacesTheFirstKind)
{
	root.put("/etc/modprobe.d/toa.conf",
		 "options toa trusted_sources=198.51.100.0/24 option_kinds=254,253\n"
		 "options toa option_kind=200\n");
	root.put("/sys/module/toa/parameters/option_kinds", "200,253\n");
	auto c = ctx();
	auto p = check_params(c);
	ASSERT_TRUE(p);
	EXPECT_EQ(p->status, Status::Pass) << p->summary;
	EXPECT_EQ(p->summary,
		  "the running parameters are the configured ones "
		  "(option_kinds=200,253 trusted_sources=198.51.100.0/24 "
		  "max_entries=262144)");
}

TEST_F(Doctor, ParamsRefusedConfigurationFails)
{
	root.put("/etc/modprobe.d/toa.conf", "options toa option_kinds=8\n");
	auto c = ctx();
	auto p = check_params(c);
	ASSERT_TRUE(p);
	EXPECT_EQ(p->status, Status::Fail);
	EXPECT_THAT(p->summary, HasSubstr("the configured options 'option_kinds=8' are refused"));
}

TEST_F(Doctor, ParamsNotCheckedWhenNotLoaded)
{
	root.remove("/sys/module/toa");
	auto c = ctx();
	EXPECT_FALSE(check_params(c));
}

TEST_F(Doctor, NoTrafficYetWarns)
{
	root.put("/proc/net/toa_stats", toatest::stats_text({{"syn_recv_sock_no_toa", 12}}));
	root.put("/sys/module/toa/parameters/option_kinds", "200,201\n");
	auto c = ctx();
	auto t = check_traffic(c);
	ASSERT_TRUE(t);
	EXPECT_EQ(t->status, Status::Warn);
	EXPECT_THAT(t->summary, HasSubstr("12 connections without it"));
	EXPECT_THAT(t->summary, HasSubstr("option kind 200,201"));
}

TEST_F(Doctor, FixLinesArePrintedUnderFailures)
{
	root.remove("/usr/sbin/dkms");
	auto r = toatest::run_cli(sys, {"doctor"});
	EXPECT_EQ(r.code, 1);
	EXPECT_THAT(r.out,
		    HasSubstr("\u2717 dkms is not installed\n    fix: apt-get install -y dkms\n"));
}

TEST_F(Doctor, BadKernelArgumentIsUsageError)
{
	auto r = toatest::run_cli(sys, {"doctor", "--kernel", "../../etc"});
	EXPECT_EQ(r.code, 2);
}

TEST(DoctorParsers, ConfigLacks)
{
	EXPECT_THAT(config_lacks(""),
		    testing::ElementsAre("CONFIG_MODULES", "CONFIG_INET", "CONFIG_KPROBES",
					 "CONFIG_KRETPROBES", "CONFIG_FUNCTION_TRACER",
					 "CONFIG_DYNAMIC_FTRACE", "CONFIG_TRACEPOINTS",
					 "CONFIG_DYNAMIC_FTRACE_WITH_REGS/_WITH_ARGS"));
	const std::string all = "CONFIG_MODULES=y\nCONFIG_INET=y\nCONFIG_KPROBES=y\n"
				"CONFIG_KRETPROBES=y\nCONFIG_FUNCTION_TRACER=y\n"
				"CONFIG_DYNAMIC_FTRACE=y\nCONFIG_TRACEPOINTS=y\n";
	EXPECT_THAT(config_lacks(all + "CONFIG_DYNAMIC_FTRACE_WITH_ARGS=y\n"), testing::IsEmpty());
	EXPECT_THAT(config_lacks(all + "CONFIG_DYNAMIC_FTRACE_WITH_REGS=y\n"), testing::IsEmpty());
	// "=m" or a commented line is not "=y"
	EXPECT_THAT(config_lacks("# CONFIG_KPROBES is not set\nCONFIG_INET=m\n"),
		    testing::AllOf(testing::Contains("CONFIG_INET"),
				   testing::Contains("CONFIG_KPROBES")));
}

TEST(DoctorParsers, UtsRelease)
{
	EXPECT_EQ(parse_uts_release("#define UTS_RELEASE \"6.1.0-56-amd64\"\n"), "6.1.0-56-amd64");
	EXPECT_EQ(parse_uts_release("nothing"), "");
}

TEST(DoctorParsers, CompilerText)
{
	EXPECT_EQ(compiler_name("gcc-12 (Debian 12.2.0-14) 12.2.0"), "gcc-12");
	EXPECT_EQ(compiler_version("gcc-12 (Debian 12.2.0-14) 12.2.0"), "12.2.0");
	EXPECT_EQ(compiler_name("gcc (GCC) 11.4.1 20231218 (Red Hat 11.4.1-3)"), "gcc");
	EXPECT_EQ(compiler_version("gcc (GCC) 11.4.1 20231218 (Red Hat 11.4.1-3)"), "11.4.1");
	EXPECT_EQ(compiler_name("Debian clang version 14.0.6"), "clang");
	EXPECT_EQ(compiler_version("Debian clang version 14.0.6"), "14.0.6");
	EXPECT_EQ(parse_cc_version_text("A=1\nCONFIG_CC_VERSION_TEXT=\"gcc-12 (x) 12.2.0\"\n"),
		  "gcc-12 (x) 12.2.0");
	EXPECT_FALSE(parse_cc_version_text("CONFIG_X=y\n"));
}

} // namespace
