// SPDX-License-Identifier: GPL-2.0 OR MIT
// bootcfg.cpp - /etc/modules-load.d/toa.conf and /etc/modprobe.d/toa.conf.
#include "bootcfg.h"

#include <cstring>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

#include "doctor.h"
#include "params.h"

namespace toacheck {

namespace {

// Split keeping each line's newline, so untouched text is kept exactly.
std::vector<std::string> raw_lines(const std::string &text)
{
	std::vector<std::string> out;
	size_t pos = 0;
	while (pos < text.size()) {
		size_t nl = text.find('\n', pos);
		size_t end = nl == std::string::npos ? text.size() : nl + 1;
		out.push_back(text.substr(pos, end - pos));
		pos = end;
	}
	return out;
}

bool is_marker(const std::string &line, const char *marker)
{
	return trim(line) == marker;
}

// Write @text, or remove the file when nothing but blank lines remains.
bool update_file(Env &env, const std::string &path, const std::optional<std::string> &before,
		 const std::string &after)
{
	if (before && *before == after)
		return true;
	if (trim(after).empty()) {
		if (!before)
			return true;
		int err = env.sys.remove_file(path);
		if (err != 0) {
			print_check(env.out,
				    {"", Status::Fail,
				     fmt::format("cannot remove {}: {}", path, std::strerror(err)),
				     ""});
			return false;
		}
		return true;
	}
	int err = env.sys.write_file_atomic(path, after);
	if (err != 0) {
		print_check(env.out,
			    {"", Status::Fail,
			     fmt::format("cannot write {}: {}", path, std::strerror(err)), ""});
		return false;
	}
	return true;
}

// Keys set by "options toa ..." lines outside our block.
std::map<std::string, std::string> admin_options(const std::string &text)
{
	std::map<std::string, std::string> out;
	for (const auto &line : split_lines(strip_managed(text))) {
		auto opts = parse_options_line(line);
		out.insert(opts.begin(), opts.end());
	}
	return out;
}

} // namespace

std::string strip_managed(const std::string &text)
{
	std::string out;
	bool inside = false;
	for (const auto &line : raw_lines(text)) {
		if (!inside && is_marker(line, kBeginMarker)) {
			inside = true;
			continue;
		}
		if (inside) {
			if (is_marker(line, kEndMarker))
				inside = false;
			continue;
		}
		out += line;
	}
	return out;
}

std::optional<std::vector<std::string>> managed_lines(const std::string &text)
{
	std::optional<std::vector<std::string>> result;
	bool inside = false;
	for (const auto &line : split_lines(text)) {
		if (!inside && is_marker(line, kBeginMarker)) {
			inside = true;
			if (!result)
				result.emplace();
			continue;
		}
		if (inside) {
			if (is_marker(line, kEndMarker))
				inside = false;
			else
				result->push_back(line);
		}
	}
	return result;
}

std::string with_managed(const std::string &text, const std::vector<std::string> &lines)
{
	std::string out = strip_managed(text);
	if (lines.empty())
		return out;
	if (!out.empty() && out.back() != '\n')
		out += '\n';
	out += std::string(kBeginMarker) + "\n";
	for (const auto &l : lines)
		out += l + "\n";
	out += std::string(kEndMarker) + "\n";
	return out;
}

std::map<std::string, std::string> parse_options_line(const std::string &line)
{
	std::map<std::string, std::string> out;
	std::istringstream in(line);
	std::string word, module;
	if (!(in >> word) || word != "options" || !(in >> module) || module != "toa")
		return out;
	while (in >> word) {
		if (word[0] == '#')
			break;
		size_t eq = word.find('=');
		if (eq == std::string::npos)
			out[word] = "";
		else
			out[word.substr(0, eq)] = word.substr(eq + 1);
	}
	return out;
}

int EnableCmd::run(Env &env)
{
	// Validate everything before writing anything.
	std::map<std::string, std::string> set;
	if (option_kinds)
		set["option_kinds"] = check_option_kinds(*option_kinds);
	if (max_entries)
		set["max_entries"] = check_max_entries(*max_entries);
	if (trusted_sources)
		set["trusted_sources"] = check_trusted_sources(*trusted_sources);
	if (!env.sys.is_root())
		throw UsageError(
			"writing /etc/modules-load.d and /etc/modprobe.d needs root (run: sudo toa-check enable)");

	auto load_before = env.sys.read_file(kModulesLoadConf);
	std::string load_after = with_managed(load_before.value_or(""), {"toa"});
	if (!update_file(env, kModulesLoadConf, load_before, load_after))
		return kExitFail;
	print_check(
		env.out,
		{"boot", Status::Pass, fmt::format("{}: toa loads at boot", kModulesLoadConf), ""});

	if (!set.empty()) {
		auto probe_before = env.sys.read_file(kModprobeConf);
		std::map<std::string, std::string> opts;
		if (probe_before)
			if (auto lines = managed_lines(*probe_before))
				for (const auto &l : *lines)
					for (const auto &[k, v] : parse_options_line(l))
						opts[k] = v;
		if (set.count("option_kinds"))
			opts.erase("option_kind"); // the older name of the same setting
		for (const auto &[k, v] : set) {
			if (v.empty())
				opts.erase(k); // an empty list = the module's default
			else
				opts[k] = v;
		}
		std::vector<std::string> block;
		if (!opts.empty()) {
			std::string line = "options toa";
			for (const auto &[k, v] : opts)
				line += " " + k + "=" + v;
			block.push_back(line);
		}
		std::string probe_after = with_managed(probe_before.value_or(""), block);
		if (!update_file(env, kModprobeConf, probe_before, probe_after))
			return kExitFail;
		print_check(env.out,
			    {"options", Status::Pass,
			     block.empty() ? fmt::format("{}: no options (module defaults)",
							 kModprobeConf)
					   : fmt::format("{}: {}", kModprobeConf, block[0]),
			     ""});
		if (probe_before) {
			auto admin = admin_options(*probe_before);
			for (const auto &[k, v] : set)
				if (admin.count(k))
					print_check(
						env.out,
						{"options", Status::Warn,
						 fmt::format(
							 "{} also sets {}={} outside toa-check's block; modprobe passes both and the last one wins",
							 kModprobeConf, k, admin[k]),
						 ""});
		}
		if (env.sys.module_loaded())
			env.out << "    the options apply at the next load: toa-check unload && toa-check load\n";
	}
	if (!env.sys.module_loaded())
		env.out << "    toa is not loaded now: toa-check load\n";
	return kExitOk;
}

int DisableCmd::run(Env &env)
{
	if (!env.sys.is_root())
		throw UsageError(
			"writing /etc/modules-load.d and /etc/modprobe.d needs root (run: sudo toa-check disable)");
	// systemd-modules-load reads one file per name, the first of /etc,
	// /run, /usr/lib, /lib: the package's /usr/lib/modules-load.d/toa.conf
	// is masked by a file of that name in /etc, which enable rewrites.
	std::string masked;
	for (const char *dir : kModulesLoadPackageDirs) {
		std::string path = std::string(dir) + "/toa.conf";
		auto text = env.sys.read_file(path);
		if (text && config_lists_module(*text, "toa")) {
			masked = path;
			break;
		}
	}
	for (const char *path : {kModulesLoadConf, kModprobeConf}) {
		auto before = env.sys.read_file(path);
		bool mask = path == kModulesLoadConf && !masked.empty();
		if (!before && !mask)
			continue;
		std::string after = mask
			? with_managed(
				  before.value_or(""),
				  {fmt::format("# toa is not loaded at boot: this file masks {} "
					       "(toa-check disable; toa-check enable undoes it)",
					       masked)})
			: strip_managed(*before);
		if (!update_file(env, path, before, after))
			return kExitFail;
		if (mask && before.value_or("") != after)
			print_check(
				env.out,
				{"", Status::Pass, fmt::format("{}: masks {}", path, masked), ""});
		else if (before && after != *before)
			print_check(env.out,
				    {"", Status::Pass,
				     fmt::format("{}: toa-check's lines removed", path), ""});
	}
	// What boots now, read as doctor reads it (the first file of a name).
	DoctorContext ctx(env.sys, "");
	Check boot = check_boot(ctx);
	if (boot.status == Status::Pass)
		print_check(env.out,
			    {"boot", Status::Warn,
			     fmt::format("{}, from lines toa-check did not write", boot.summary),
			     ""});
	else
		print_check(env.out, {"boot", Status::Pass, "toa is no longer loaded at boot", ""});
	return kExitOk;
}

} // namespace toacheck
