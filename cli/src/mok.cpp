// SPDX-License-Identifier: GPL-2.0 OR MIT
// mok.cpp - dkms's Secure Boot key, from framework.conf or the default.
#include "mok.h"

#include <algorithm>
#include <sstream>

namespace toacheck {

namespace {

bool has_word(const std::string &text, const std::string &word)
{
	std::istringstream in(text);
	std::string w;
	while (in >> w)
		if (w == word)
			return true;
	return false;
}

// The value of a shell assignment: "x", 'x' or x up to a # comment.
std::string shell_value(std::string v)
{
	v = trim(v);
	if (!v.empty() && (v.front() == '"' || v.front() == '\'')) {
		size_t end = v.find(v.front(), 1);
		return end == std::string::npos ? v.substr(1) : v.substr(1, end - 1);
	}
	size_t hash = v.find('#');
	if (hash != std::string::npos)
		v.resize(hash);
	return trim(v);
}

} // namespace

MokKey default_mok_key(const OsRelease &os)
{
	auto get = [&](const char *k) {
		auto it = os.find(k);
		return it == os.end() ? std::string() : it->second;
	};
	if (has_word(get("ID") + " " + get("ID_LIKE"), "ubuntu"))
		return {kUbuntuMokCertificate, kUbuntuMokSigningKey};
	return {kDkmsMokCertificate, kDkmsMokSigningKey};
}

MokKey apply_framework_conf(const std::string &text, MokKey base)
{
	for (const auto &raw : split_lines(text)) {
		std::string line = trim(raw);
		if (line.empty() || line.front() == '#')
			continue;
		size_t eq = line.find('=');
		if (eq == std::string::npos)
			continue;
		std::string key = trim(line.substr(0, eq));
		std::string value = shell_value(line.substr(eq + 1));
		if (value.empty())
			continue;
		if (key == "mok_certificate")
			base.certificate = value;
		else if (key == "mok_signing_key")
			base.signing_key = value;
	}
	return base;
}

MokKey dkms_mok_key(System &sys)
{
	MokKey key = default_mok_key(sys.os_release());
	if (auto text = sys.read_file("/etc/dkms/framework.conf"))
		key = apply_framework_conf(*text, key);
	std::vector<std::string> names = sys.list_dir("/etc/dkms/framework.conf.d");
	std::sort(names.begin(), names.end());
	for (const auto &n : names) {
		if (n.size() < 5 || n.compare(n.size() - 5, 5, ".conf") != 0)
			continue;
		if (auto text = sys.read_file("/etc/dkms/framework.conf.d/" + n))
			key = apply_framework_conf(*text, key);
	}
	return key;
}

} // namespace toacheck
