// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check disable: no options.
#include <CLI/CLI.hpp>

#include "bootcfg.h"

namespace toacheck {

CLI::App *DisableCmd::define(CLI::App &app)
{
	return app.add_subcommand("disable", "Undo enable: remove only the lines toa-check wrote");
}

} // namespace toacheck
