// SPDX-License-Identifier: GPL-2.0 OR MIT
// params.cpp - the same rules as docs/interfaces.md, checked before loading.
#include "params.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "report.h"
#include "system.h"

extern "C" {
#include "toa_cidr.h"
}

namespace toacheck {

namespace {

bool parse_uint(const std::string &text, unsigned long long &out)
{
	if (text.empty() || text.size() > 12 ||
	    text.find_first_not_of("0123456789") != std::string::npos)
		return false;
	errno = 0;
	out = std::strtoull(text.c_str(), nullptr, 10);
	return errno == 0;
}

} // namespace

std::string check_option_kind(const std::string &value)
{
	unsigned long long v = 0;
	std::string t = trim(value);
	if (!parse_uint(t, v) || v < 2 || v > 255)
		throw UsageError(fmt::format("option_kind '{}' is not a number in 2..255", value));
	if (v == 2 || v == 3 || v == 4 || v == 5 || v == 8)
		throw UsageError(fmt::format(
			"option_kind {} is a standard TCP option (2 MSS, 3 window scale, 4 SACK-permitted, 5 SACK, 8 timestamps)",
			v));
	return std::to_string(v);
}

std::string check_max_entries(const std::string &value)
{
	unsigned long long v = 0;
	std::string t = trim(value);
	if (!parse_uint(t, v) || v < 1 || v > 16777216)
		throw UsageError(fmt::format("max_entries '{}' is not a number in 1..16777216", value));
	return std::to_string(v);
}

std::string check_trusted_sources(const std::string &value)
{
	toa_cidr_list list{};
	unsigned int bad = 0;
	toa_cidr_error e = toa_cidr_parse(value.data(), value.size(), &list, &bad);
	if (e != TOA_CIDR_OK) {
		if (bad > 0)
			throw UsageError(fmt::format("trusted_sources '{}': item {}: {}", value, bad,
						     toa_cidr_strerror(e)));
		throw UsageError(fmt::format("trusted_sources '{}': {}", value, toa_cidr_strerror(e)));
	}
	std::vector<char> buf(TOA_CIDR_TEXT_MAX);
	toa_cidr_format(&list, buf.data(), buf.size());
	return std::string(buf.data());
}

std::vector<ModuleParam> parse_params(const std::vector<std::string> &items)
{
	std::vector<ModuleParam> out;
	for (const auto &item : items) {
		size_t eq = item.find('=');
		if (eq == std::string::npos)
			throw UsageError(fmt::format("--param '{}' is not key=value", item));
		std::string key = trim(item.substr(0, eq));
		std::string value = item.substr(eq + 1);
		std::string canonical;
		if (key == "option_kind")
			canonical = check_option_kind(value);
		else if (key == "max_entries")
			canonical = check_max_entries(value);
		else if (key == "trusted_sources")
			canonical = check_trusted_sources(value);
		else
			throw UsageError(fmt::format(
				"unknown module parameter '{}' (known: option_kind, trusted_sources, max_entries)",
				key));
		bool replaced = false;
		for (auto &p : out)
			if (p.key == key) {
				p.value = canonical;	// the last one wins, as in the kernel
				replaced = true;
			}
		if (!replaced)
			out.push_back({key, canonical});
	}
	return out;
}

std::string params_string(const std::vector<ModuleParam> &params)
{
	std::string out;
	for (const auto &p : params) {
		if (p.value.empty())
			continue;	// an empty list is the module's default
		if (!out.empty())
			out += ' ';
		out += p.key + "=" + p.value;
	}
	return out;
}

} // namespace toacheck
