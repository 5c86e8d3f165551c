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
#include "toa_opt.h"
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

namespace {

constexpr const char *kKindRule =
	"2..255, and not 0-5, 8, 19 (TCP options the kernel parses) or 29, 30, 34 (standard options that "
	"can be 8 or 20 bytes long)";

} // namespace

std::string check_option_kind(const std::string &value)
{
	unsigned long long v = 0;
	std::string t = trim(value);
	if (!parse_uint(t, v) || v > 255 || !toa_kind_valid(static_cast<unsigned>(v)))
		throw UsageError(fmt::format("option_kind '{}' refused: a kind must be {}", value,
					     kKindRule));
	return std::to_string(v);
}

std::string check_option_kinds(const std::string &value)
{
	toa_kinds kinds{};
	unsigned int bad = 0;
	if (!toa_kinds_parse(value.data(), value.size(), &kinds, &bad)) {
		if (bad > 0)
			throw UsageError(fmt::format(
				"option_kinds '{}': item {} refused: each kind must be {}, listed once",
				value, bad, kKindRule));
		throw UsageError(
			fmt::format("option_kinds '{}' refused: want 1..{} comma-separated kinds",
				    value, TOA_MAX_KINDS));
	}
	char buf[4 * TOA_MAX_KINDS];
	toa_kinds_format(&kinds, buf, sizeof(buf));
	return buf;
}

std::string check_max_entries(const std::string &value)
{
	unsigned long long v = 0;
	std::string t = trim(value);
	if (!parse_uint(t, v) || v < 1 || v > 16777216)
		throw UsageError(
			fmt::format("max_entries '{}' is not a number in 1..16777216", value));
	return std::to_string(v);
}

std::string check_trusted_sources(const std::string &value)
{
	toa_cidr_list list{};
	unsigned int bad = 0;
	toa_cidr_error e = toa_cidr_parse(value.data(), value.size(), &list, &bad);
	if (e != TOA_CIDR_OK) {
		if (bad > 0)
			throw UsageError(fmt::format("trusted_sources '{}': item {}: {}", value,
						     bad, toa_cidr_strerror(e)));
		throw UsageError(
			fmt::format("trusted_sources '{}': {}", value, toa_cidr_strerror(e)));
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
		else if (key == "option_kinds")
			canonical = check_option_kinds(value);
		else if (key == "max_entries")
			canonical = check_max_entries(value);
		else if (key == "trusted_sources")
			canonical = check_trusted_sources(value);
		else
			throw UsageError(fmt::format(
				"unknown module parameter '{}' (known: option_kinds, option_kind, trusted_sources, max_entries)",
				key));
		bool replaced = false;
		for (auto &p : out)
			if (p.key == key) {
				p.value = canonical; // the last one wins, as in the kernel
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
			continue; // an empty list is the module's default
		if (!out.empty())
			out += ' ';
		out += p.key + "=" + p.value;
	}
	return out;
}

} // namespace toacheck
