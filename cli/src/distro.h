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

// Upstream part of a package version: drop the epoch ("1:") and the
// distribution revision ("-1", "-1.el9").
std::string upstream_version(const std::string &package_version);

// Version of the installed toa package through dpkg-query or rpm; empty
// when neither knows it.
std::string installed_package_version(System &sys);

} // namespace toacheck
