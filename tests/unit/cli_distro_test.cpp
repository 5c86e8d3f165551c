// SPDX-License-Identifier: GPL-2.0 OR MIT
// os-release -> distribution family -> fix commands.
#include <gtest/gtest.h>

#include "distro.h"
#include "system.h"

using namespace toacheck;

namespace {

Distro from(const std::string &text)
{
	return Distro(parse_os_release(text));
}

TEST(Distro, ParseOsRelease)
{
	auto os = parse_os_release(
		"# comment\nNAME=\"Debian GNU/Linux\"\nID=debian\nID_LIKE='a b'\nBAD LINE\n");
	EXPECT_EQ(os["NAME"], "Debian GNU/Linux");
	EXPECT_EQ(os["ID"], "debian");
	EXPECT_EQ(os["ID_LIKE"], "a b");
	EXPECT_EQ(os.size(), 3u);
}

TEST(Distro, Families)
{
	EXPECT_EQ(from("ID=debian\n").package_manager(), "apt-get");
	EXPECT_EQ(from("ID=ubuntu\nID_LIKE=debian\n").package_manager(), "apt-get");
	EXPECT_EQ(from("ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n").family(), Family::Debian);
	EXPECT_EQ(from("ID=fedora\nVERSION_ID=40\n").package_manager(), "dnf");
	EXPECT_EQ(from("ID=\"rhel\"\nVERSION_ID=\"9.4\"\n").package_manager(), "dnf");
	EXPECT_EQ(from("ID=\"rhel\"\nVERSION_ID=\"7.9\"\n").package_manager(), "yum");
	EXPECT_EQ(from("ID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\n")
			  .package_manager(),
		  "yum");
	EXPECT_EQ(from("ID=\"amzn\"\nID_LIKE=\"centos rhel fedora\"\nVERSION_ID=\"2\"\n")
			  .package_manager(),
		  "yum");
	EXPECT_EQ(from("ID=\"amzn\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"2023\"\n").package_manager(),
		  "dnf");
	EXPECT_EQ(from("ID=\"sles\"\nID_LIKE=\"suse\"\n").package_manager(), "zypper");
	EXPECT_EQ(from("ID=\"opensuse-tumbleweed\"\nID_LIKE=\"opensuse suse\"\n").package_manager(),
		  "zypper");
	EXPECT_EQ(from("ID=arch\n").family(), Family::Unknown);
	EXPECT_EQ(from("").family(), Family::Unknown);
}

TEST(Distro, Commands)
{
	Distro deb = from("ID=debian\n");
	EXPECT_EQ(deb.install_compiler("x86_64-linux-gnu-gcc-12"), "apt-get install -y gcc-12");
	EXPECT_EQ(deb.install_compiler("clang-16"), "apt-get install -y clang-16");
	Distro rh = from("ID=rocky\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=9\n");
	EXPECT_EQ(rh.install_compiler("gcc"), "dnf install -y gcc");
	EXPECT_EQ(rh.install_dkms(), "dnf install -y dkms");
	Distro suse = from("ID=sles\n");
	EXPECT_EQ(suse.install_compiler("gcc-12"), "zypper install -y gcc12");
	Distro unknown = from("ID=arch\n");
	EXPECT_NE(unknown.install_headers("6.9.1-arch1-1").find("6.9.1-arch1-1"),
		  std::string::npos);
}

TEST(Distro, UpstreamVersion)
{
	EXPECT_EQ(upstream_version("0.1.0-1"), "0.1.0");
	EXPECT_EQ(upstream_version("1:0.1.0-1+deb12u1\n"), "0.1.0");
	EXPECT_EQ(upstream_version("0.1.0"), "0.1.0");
}

} // namespace
