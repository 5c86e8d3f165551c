// SPDX-License-Identifier: GPL-2.0 OR MIT
// load.h - load and unload the module through libkmod, with a preflight
// and an errno that becomes a cause and a fix.
#pragma once

#include <string>
#include <vector>

#include "report.h"

namespace toacheck {

struct LoadCmd {
	std::string module;			// --module PATH; empty: libkmod lookup
	std::vector<std::string> params;	// --param key=value
	int run(Env &env);
};

struct UnloadCmd {
	int run(Env &env);
};

// Kernel log lines that start with "TOA:", newest last.
std::vector<std::string> toa_log_lines(System &sys);

} // namespace toacheck
