// SPDX-License-Identifier: GPL-2.0 OR MIT
// distro.cpp - map os-release ID / ID_LIKE to a family and its commands.
#include "distro.h"

#include <cctype>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace toacheck {

namespace {

bool has_word(const std::string &list, const std::string &word)
{
	std::istringstream in(list);
	std::string w;
	while (in >> w)
		if (w == word)
			return true;
	return false;
}

int major_of(const std::string &version)
{
	int v = 0;
	for (char c : version) {
		if (!std::isdigit(static_cast<unsigned char>(c)))
			break;
		v = v * 10 + (c - '0');
		if (v > 100000)
			break;
	}
	return v;
}

// "x86_64-linux-gnu-gcc-12" -> "gcc-12"
std::string strip_triplet(const std::string &compiler)
{
	for (const char *base : {"gcc", "clang"}) {
		size_t pos = compiler.find(base);
		if (pos != std::string::npos && pos > 0 && compiler[pos - 1] == '-')
			return compiler.substr(pos);
	}
	return compiler;
}

} // namespace

Distro::Distro(const OsRelease &os)
{
	auto get = [&](const char *k) {
		auto it = os.find(k);
		return it == os.end() ? std::string() : it->second;
	};
	id_ = get("ID");
	pretty_ = get("PRETTY_NAME");
	std::string all = id_ + " " + get("ID_LIKE");
	if (has_word(all, "debian") || has_word(all, "ubuntu")) {
		family_ = Family::Debian;
		pm_ = "apt-get";
	} else if (has_word(all, "suse") || has_word(all, "opensuse") || has_word(all, "sles") ||
		   id_.rfind("opensuse", 0) == 0) {
		family_ = Family::Suse;
		pm_ = "zypper";
	} else if (has_word(all, "rhel") || has_word(all, "fedora") || has_word(all, "centos") ||
		   has_word(all, "amzn")) {
		family_ = Family::RedHat;
		int major = major_of(get("VERSION_ID"));
		bool old = (id_ != "fedora" && major > 0 && major < 8) ||
			(id_ == "amzn" && major == 2);
		pm_ = old ? "yum" : "dnf";
	}
}

std::string Distro::install(const std::string &package) const
{
	switch (family_) {
	case Family::Debian:
		return "apt-get install -y " + package;
	case Family::RedHat:
		return pm_ + " install -y " + package;
	case Family::Suse:
		return "zypper install -y " + package;
	case Family::Unknown:
		break;
	}
	return "install the package " + package + " with your distribution's package manager";
}

std::string Distro::install_headers(const std::string &release) const
{
	switch (family_) {
	case Family::Debian:
		return install("linux-headers-" + release);
	case Family::RedHat:
		return install("kernel-devel-" + release);
	case Family::Suse: {
		// 5.14.21-150500.55.39-default -> kernel-default-devel = 5.14.21-150500.55.39
		size_t dash = release.rfind('-');
		if (dash == std::string::npos)
			return install("kernel-default-devel");
		std::string flavor = release.substr(dash + 1);
		return fmt::format("zypper install -y kernel-{}-devel={}", flavor,
				   release.substr(0, dash));
	}
	case Family::Unknown:
		break;
	}
	return "install the kernel headers for " + release +
		" with your distribution's package manager";
}

std::string Distro::install_compiler(const std::string &compiler) const
{
	std::string name = strip_triplet(compiler);
	switch (family_) {
	case Family::Debian:
		return install(name);
	case Family::RedHat:
		return install(name.rfind("clang", 0) == 0 ? "clang" : "gcc");
	case Family::Suse: {
		// SUSE names versioned compilers gcc12, providing /usr/bin/gcc-12.
		std::string pkg = name;
		if (auto dash = pkg.find('-'); dash != std::string::npos)
			pkg.erase(dash, 1);
		return install(pkg);
	}
	case Family::Unknown:
		break;
	}
	return install(name);
}

std::string Distro::installed_version_cmd() const
{
	if (family_ == Family::Debian)
		return fmt::format("dpkg-query -W -f='${{Version}}' {}", kPackageName);
	return fmt::format("rpm -q --qf '%{{VERSION}}' {}", kPackageName);
}

std::string upstream_version(const std::string &package_version)
{
	std::string v = trim(package_version);
	if (auto colon = v.find(':'); colon != std::string::npos)
		v.erase(0, colon + 1);
	if (auto dash = v.rfind('-'); dash != std::string::npos)
		v.resize(dash);
	return v;
}

std::string kernel_flavour(const std::string &release)
{
	// The components after the version and the ABI number: the first one
	// that starts with a letter, and everything after it.
	size_t pos = 0;
	while (pos < release.size()) {
		size_t dash = release.find('-', pos);
		if (std::isalpha(static_cast<unsigned char>(release[pos])))
			return release.substr(pos);
		if (dash == std::string::npos)
			break;
		pos = dash + 1;
	}
	return "";
}

bool headers_meta_installed(const std::string &dpkg_lines, const std::string &flavour)
{
	const std::string meta = "linux-headers-" + flavour;
	for (const auto &line : split_lines(dpkg_lines)) {
		size_t sp = line.find(' ');
		if (sp == std::string::npos || line.find("ok installed", sp) == std::string::npos)
			continue;
		std::string pkg = line.substr(0, sp);
		if (pkg == meta || pkg.rfind(meta + "-hwe-", 0) == 0)
			return true;
	}
	return false;
}

std::string installed_package_version(System &sys)
{
	CmdResult r = sys.run({"dpkg-query", "-W", "-f=${Version}", kPackageName});
	if (r.exit_code == 0 && !trim(r.output).empty())
		return upstream_version(r.output);
	r = sys.run({"rpm", "-q", "--qf", "%{VERSION}", kPackageName});
	if (r.exit_code == 0 && !trim(r.output).empty())
		return trim(r.output);
	return "";
}

} // namespace toacheck
