// SPDX-License-Identifier: GPL-2.0 OR MIT
// The errno table: every mapping gives a cause and a fix.
#include <cerrno>
#include <cstring>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "errors.h"

using namespace toacheck;
using testing::HasSubstr;

namespace {

ErrnoContext debian()
{
	ErrnoContext c;
	c.running = "6.1.0-56-amd64";
	c.built_for = "6.1.0-50-amd64";
	c.distro = Distro(OsRelease{{"ID", "debian"}});
	return c;
}

TEST(Errors, EnoexecNamesBothKernelsAndTheFix)
{
	Advice a = explain_errno(Op::Load, ENOEXEC, debian());
	EXPECT_EQ(a.name, "ENOEXEC");
	EXPECT_FALSE(a.ok);
	EXPECT_THAT(a.cause, HasSubstr("built for 6.1.0-50-amd64 while 6.1.0-56-amd64 runs"));
	EXPECT_EQ(
		a.fix,
		"apt-get install -y linux-headers-6.1.0-56-amd64\ndkms autoinstall -k 6.1.0-56-amd64");
}

TEST(Errors, EnoexecOnRedHat)
{
	ErrnoContext c = debian();
	c.distro = Distro(OsRelease{
		{"ID", "almalinux"}, {"ID_LIKE", "rhel centos fedora"}, {"VERSION_ID", "9"}});
	EXPECT_THAT(explain_errno(Op::Load, ENOEXEC, c).fix,
		    HasSubstr("dnf install -y kernel-devel-6.1.0-56-amd64"));
}

TEST(Errors, KeyErrorsGiveMokSteps)
{
	for (int e : {EKEYREJECTED, ENOKEY}) {
		Advice a = explain_errno(Op::Load, e, debian());
		EXPECT_THAT(a.cause, HasSubstr("Secure Boot")) << e;
		EXPECT_THAT(a.fix, HasSubstr("mokutil --import /var/lib/dkms/mok.pub")) << e;
		EXPECT_THAT(a.fix, HasSubstr("Enroll MOK")) << e;
		EXPECT_THAT(a.fix, HasSubstr("apt-get install -y mokutil")) << e;
	}
	EXPECT_EQ(explain_errno(Op::Load, EKEYREJECTED, debian()).name, "EKEYREJECTED");
	EXPECT_EQ(explain_errno(Op::Load, ENOKEY, debian()).name, "ENOKEY");
}

TEST(Errors, EpermIsLockdownOrPrivileges)
{
	Advice a = explain_errno(Op::Load, EPERM, debian());
	EXPECT_THAT(a.cause, HasSubstr("not running as root"));
	EXPECT_THAT(a.cause, HasSubstr("lockdown"));
	EXPECT_THAT(a.fix, HasSubstr("/sys/kernel/security/lockdown"));
	EXPECT_EQ(explain_errno(Op::Unload, EPERM, debian()).name, "EPERM");
}

TEST(Errors, EexistIsNotAnError)
{
	Advice a = explain_errno(Op::Load, EEXIST, debian());
	EXPECT_TRUE(a.ok);
	EXPECT_THAT(a.cause, HasSubstr("already loaded"));
}

TEST(Errors, EinvalPointsAtTheKernelLog)
{
	Advice a = explain_errno(Op::Load, EINVAL, debian());
	EXPECT_FALSE(a.ok);
	EXPECT_THAT(a.cause, HasSubstr("'TOA:'"));
	EXPECT_THAT(a.fix, HasSubstr("dmesg | grep 'TOA:'"));
}

TEST(Errors, OtherLoadErrors)
{
	EXPECT_THAT(explain_errno(Op::Load, ENOSYS, debian()).cause, HasSubstr("CONFIG_MODULES"));
	EXPECT_THAT(explain_errno(Op::Load, ENOENT, debian()).fix, HasSubstr("dkms autoinstall"));
	EXPECT_THAT(explain_errno(Op::Load, EBADMSG, debian()).cause, HasSubstr("signature"));
	EXPECT_THAT(explain_errno(Op::Load, ENOMEM, debian()).fix, HasSubstr("max_entries"));
}

TEST(Errors, UnloadErrors)
{
	Advice busy = explain_errno(Op::Unload, EBUSY, debian());
	EXPECT_FALSE(busy.ok);
	EXPECT_THAT(busy.cause, HasSubstr("in use"));
	Advice gone = explain_errno(Op::Unload, ENOENT, debian());
	EXPECT_TRUE(gone.ok);
	EXPECT_THAT(gone.cause, HasSubstr("not loaded"));
	// The same errno means different things for load and unload.
	EXPECT_FALSE(explain_errno(Op::Load, ENOENT, debian()).ok);
	EXPECT_THAT(explain_errno(Op::Load, EBUSY, debian()).cause, HasSubstr("kprobe"));
}

TEST(Errors, UnknownErrnoFallsBackToStrerror)
{
	Advice a = explain_errno(Op::Load, EXDEV, debian());
	EXPECT_EQ(a.name, "errno " + std::to_string(EXDEV));
	EXPECT_EQ(a.cause, std::strerror(EXDEV));
	EXPECT_FALSE(a.ok);
}

TEST(Errors, UnknownBuildKernel)
{
	ErrnoContext c = debian();
	c.built_for.clear();
	EXPECT_THAT(explain_errno(Op::Load, ENOEXEC, c).cause,
		    HasSubstr("built for another kernel"));
}

} // namespace
