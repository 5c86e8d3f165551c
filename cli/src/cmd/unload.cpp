// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check unload: no options.
#include <CLI/CLI.hpp>

#include "load.h"

namespace toacheck {

CLI::App *UnloadCmd::define(CLI::App &app)
{
	return app.add_subcommand("unload", "Remove the module");
}

} // namespace toacheck
