// SPDX-License-Identifier: GPL-2.0 OR MIT
// mok: dkms's Secure Boot key from framework.conf, or the distribution's default.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_fixture.h"
#include "doctor.h"
#include "mok.h"

using namespace toacheck;
using testing::HasSubstr;

namespace {

TEST(MokDefault, DebianRedHatAndUnknownUseDkmsOwnKey)
{
	for (const char *id : {"debian", "rhel", "openEuler", ""}) {
		MokKey k = default_mok_key({{"ID", id}});
		EXPECT_EQ(k.certificate, "/var/lib/dkms/mok.pub") << id;
		EXPECT_EQ(k.signing_key, "/var/lib/dkms/mok.key") << id;
	}
}

TEST(MokDefault, UbuntuAndItsDerivativesUseShimSignedKey)
{
	for (const OsRelease &os : {OsRelease{{"ID", "ubuntu"}},
				    OsRelease{{"ID", "linuxmint"}, {"ID_LIKE", "ubuntu debian"}}}) {
		MokKey k = default_mok_key(os);
		EXPECT_EQ(k.certificate, "/var/lib/shim-signed/mok/MOK.der");
		EXPECT_EQ(k.signing_key, "/var/lib/shim-signed/mok/MOK.priv");
	}
}

TEST(MokFrameworkConf, QuotesCommentsAndOtherLines)
{
	MokKey base{"/c", "/k"};
	EXPECT_EQ(apply_framework_conf("", base).certificate, "/c");
	MokKey k = apply_framework_conf("# mok_certificate=/commented\n"
					"sign_tool=/etc/dkms/sign_helper.sh\n"
					"mok_certificate=\"/etc/keys/my cert.der\"\n"
					"  mok_signing_key='/etc/keys/my.key'  \n",
					base);
	EXPECT_EQ(k.certificate, "/etc/keys/my cert.der");
	EXPECT_EQ(k.signing_key, "/etc/keys/my.key");
	k = apply_framework_conf("mok_certificate=/plain.der # a comment\nmok_signing_key=\n",
				 base);
	EXPECT_EQ(k.certificate, "/plain.der");
	EXPECT_EQ(k.signing_key, "/k"); // empty value: dkms keeps its default
}

TEST(MokFromSystem, FrameworkConfThenConfDInNameOrder)
{
	toatest::TempRoot root;
	toatest::FakeSystem sys(root);
	root.put("/etc/os-release", "ID=ubuntu\n");
	EXPECT_EQ(dkms_mok_key(sys).certificate, "/var/lib/shim-signed/mok/MOK.der");
	root.put("/etc/dkms/framework.conf", "mok_certificate=/a.der\nmok_signing_key=/a.key\n");
	EXPECT_EQ(dkms_mok_key(sys).certificate, "/a.der");
	root.put("/etc/dkms/framework.conf.d/20-b.conf", "mok_certificate=/b.der\n");
	root.put("/etc/dkms/framework.conf.d/10-c.conf", "mok_certificate=/c.der\n");
	root.put("/etc/dkms/framework.conf.d/30-d.conf.disabled", "mok_certificate=/d.der\n");
	MokKey k = dkms_mok_key(sys);
	EXPECT_EQ(k.certificate, "/b.der");
	EXPECT_EQ(k.signing_key, "/a.key");
}

TEST(MokInDoctor, SignatureCheckAsksAboutTheConfiguredCertificate)
{
	toatest::TempRoot root;
	toatest::FakeSystem sys(root);
	toatest::make_healthy(root, sys);
	root.put("/etc/os-release", "ID=ubuntu\nPRETTY_NAME=\"Ubuntu 22.04\"\n");
	root.put("/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c",
		 std::string("\x06\x00\x00\x00\x01", 5));
	root.put("/var/lib/shim-signed/mok/MOK.der", "cert");
	root.put_exec("/usr/bin/mokutil");
	sys.commands["mokutil --test-key /var/lib/shim-signed/mok/MOK.der"] = {
		1, "/var/lib/shim-signed/mok/MOK.der is not enrolled\n"};
	DoctorContext c(sys, "");
	Check s = check_signature(c);
	EXPECT_EQ(s.status, Status::Fail);
	EXPECT_THAT(s.fix, HasSubstr("mokutil --import /var/lib/shim-signed/mok/MOK.der"));
	// unsigned: the key dkms signs with
	ModInfo mi = sys.modules["toa@" + sys.release];
	mi.signer.clear();
	sys.modules["toa@" + sys.release] = mi;
	DoctorContext c2(sys, "");
	EXPECT_THAT(check_signature(c2).fix,
		    HasSubstr("dkms >= 3 signs with /var/lib/shim-signed/mok/MOK.priv"));
}

} // namespace
