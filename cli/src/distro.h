// SPDX-License-Identifier: GPL-2.0 OR MIT
// distro.h - /etc/os-release -> the commands that fix things on this system.
#pragma once

#include <string>

#include "system.h"

namespace toacheck {

enum class Family { Debian, RedHat, Suse, Unknown };

// The name of the package the toa module ships in (deb and rpm alike).
inline constexpr const char *kPackageName = "toa-dkms";

class Distro {
public:
	Distro() = default;
	explicit Distro(const OsRelease &os);

	Family family() const { return family_; }
	const std::string &id() const { return id_; }
	const std::string &pretty() const { return pretty_; }
	// "apt-get", "dnf", "yum", "zypper"; empty when unknown.
	const std::string &package_manager() const { return pm_; }

	// "apt-get install -y PKG" and friends; a generic sentence when unknown.
	std::string install(const std::string &package) const;
	std::string install_headers(const std::string &release) const;
	std::string install_compiler(const std::string &compiler) const;
	std::string install_dkms() const { return install("dkms"); }
	std::string install_mokutil() const { return install("mokutil"); }
	std::string installed_version_cmd() const; // human-readable query command

private:
	Family family_ = Family::Unknown;
	std::string id_;
	std::string pretty_;
	std::string pm_;
};

// The flavour of a Debian or Ubuntu kernel release, whose headers
// meta-package (linux-headers-FLAVOUR) follows its updates:
// 6.1.0-57-cloud-amd64 -> cloud-amd64, 6.12.12+bpo-amd64 -> amd64,
// 6.8.0-1015-aws -> aws; "" when the release has none (5.14.0-427.el9.x86_64).
std::string kernel_flavour(const std::string &release);

// Whether dpkg-query's "${Package} ${Status}" lines show the headers
// meta-package of @flavour installed: linux-headers-FLAVOUR, or Ubuntu's
// linux-headers-FLAVOUR-hwe-* of the hardware-enablement kernels.
bool headers_meta_installed(const std::string &dpkg_lines, const std::string &flavour);

// Upstream part of a package version: drop the epoch ("1:") and the
// distribution revision ("-1", "-1.el9").
std::string upstream_version(const std::string &package_version);

// Version of the installed toa package through dpkg-query or rpm; empty
// when neither knows it.
std::string installed_package_version(System &sys);

} // namespace toacheck
