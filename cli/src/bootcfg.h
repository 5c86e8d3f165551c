// SPDX-License-Identifier: GPL-2.0 OR MIT
// bootcfg.h - enable/disable: load toa at boot and give it its options,
// touching only the block toa-check wrote.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "command.h"
#include "report.h"

namespace toacheck {

inline constexpr const char *kModulesLoadConf = "/etc/modules-load.d/toa.conf";
// Where packages put a modules-load.d file that /etc's masks.
inline constexpr const char *kModulesLoadPackageDirs[] = {
	"/run/modules-load.d", "/usr/lib/modules-load.d", "/lib/modules-load.d"};
inline constexpr const char *kModprobeConf = "/etc/modprobe.d/toa.conf";
inline constexpr const char *kBeginMarker =
	"# >>> managed by toa-check (toa-check enable/disable rewrite this block; edit outside it)";
inline constexpr const char *kEndMarker = "# <<< managed by toa-check";

// The text without toa-check's block(s); everything else kept byte for byte.
std::string strip_managed(const std::string &text);
// The lines inside toa-check's block, if there is one.
std::optional<std::vector<std::string>> managed_lines(const std::string &text);
// The text with toa-check's block replaced by @lines (appended at the end;
// no block at all when @lines is empty).
std::string with_managed(const std::string &text, const std::vector<std::string> &lines);

// "options toa a=1 b=2" -> {a:1, b:2}
std::map<std::string, std::string> parse_options_line(const std::string &line);

struct EnableCmd : Command {
	std::optional<std::string> trusted_sources;
	std::optional<std::string> option_kinds;
	std::optional<std::string> max_entries;
	CLI::App *define(CLI::App &app) override;
	int run(Env &env) override;
};

struct DisableCmd : Command {
	CLI::App *define(CLI::App &app) override;
	int run(Env &env) override;
};

} // namespace toacheck
