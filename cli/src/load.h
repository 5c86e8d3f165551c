// SPDX-License-Identifier: GPL-2.0 OR MIT
// load.h - load and unload the module through libkmod, with a preflight
// and an errno that becomes a cause and a fix.
#pragma once

#include <string>
#include <vector>

#include "command.h"
#include "report.h"

namespace toacheck {

struct LoadCmd : Command {
	std::string module;		 // --module PATH; empty: libkmod lookup
	std::vector<std::string> params; // --param key=value
	CLI::App *define(CLI::App &app) override;
	int run(Env &env) override;
};

struct UnloadCmd : Command {
	CLI::App *define(CLI::App &app) override;
	int run(Env &env) override;
};

// "option_kinds=254,253 trusted_sources=... max_entries=262144", as the
// running module has them.
std::string live_params(System &sys);

// Kernel log lines that start with "TOA:", newest last.
std::vector<std::string> toa_log_lines(System &sys);

} // namespace toacheck
