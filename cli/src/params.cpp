// SPDX-License-Identifier: GPL-2.0 OR MIT
// params.cpp - the same rules as docs/interfaces.md, checked before loading.
#include "params.h"

#include <cctype>
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
#include "toa_uapi.h"
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

std::vector<ModuleParam> split_options(const std::string &options)
{
	// The kernel's next_arg(): blanks separate, a double quote opens a
	// region where they do not, and the quotes are dropped.
	std::vector<ModuleParam> out;
	size_t i = 0;
	while (i < options.size()) {
		while (i < options.size() && std::isspace(static_cast<unsigned char>(options[i])))
			++i;
		if (i >= options.size())
			break;
		std::string word;
		bool quoted = false;
		for (; i < options.size(); ++i) {
			char ch = options[i];
			if (ch == '"') {
				quoted = !quoted;
				continue;
			}
			if (!quoted && std::isspace(static_cast<unsigned char>(ch)))
				break;
			word += ch;
		}
		size_t eq = word.find('=');
		if (eq == std::string::npos)
			out.push_back({word, ""});
		else
			out.push_back({word.substr(0, eq), word.substr(eq + 1)});
	}
	return out;
}

EffectiveParams effective_params(const std::string &options)
{
	toa_kinds kinds{};
	unsigned int bad = 0;
	const std::string defaults = TOA_DEFAULT_KINDS;
	toa_kinds_parse(defaults.data(), defaults.size(), &kinds, &bad);
	EffectiveParams p{"", "", std::to_string(TOA_DEFAULT_MAX_ENTRIES)};
	for (const auto &o : split_options(options)) {
		if (o.key == "option_kinds") {
			std::string canonical = check_option_kinds(o.value);
			toa_kinds_parse(canonical.data(), canonical.size(), &kinds, &bad);
		} else if (o.key == "option_kind") {
			unsigned kind =
				static_cast<unsigned>(std::stoul(check_option_kind(o.value)));
			if (!toa_kinds_set_first(&kinds, kind))
				throw UsageError(fmt::format(
					"option_kind '{}' refused: it is another element of option_kinds",
					o.value));
		} else if (o.key == "trusted_sources") {
			p.trusted_sources = check_trusted_sources(o.value);
		} else if (o.key == "max_entries") {
			p.max_entries = check_max_entries(o.value);
		}
	}
	char buf[4 * TOA_MAX_KINDS];
	toa_kinds_format(&kinds, buf, sizeof(buf));
	p.option_kinds = buf;
	return p;
}

} // namespace toacheck
