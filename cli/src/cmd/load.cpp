// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check load: its options.
#include <CLI/CLI.hpp>

#include "load.h"

namespace toacheck {

CLI::App *LoadCmd::define(CLI::App &app)
{
	auto *c = app.add_subcommand(
		"load", "Preflight, then load the module through libkmod and confirm it is live");
	c->add_option("--module", module,
		      "Load this .ko file instead of the one libkmod resolves for 'toa'")
		->type_name("PATH");
	c->add_option(
		 "--param", params,
		 "Module parameter key=value (option_kind, trusted_sources, max_entries); repeatable")
		->type_name("KEY=VALUE")
		->allow_extra_args(false);
	return c;
}

} // namespace toacheck
