// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check selftest: its options.
#include <CLI/CLI.hpp>

#include "selftest.h"

namespace toacheck {

CLI::App *SelftestCmd::define(CLI::App &app)
{
	auto *c = app.add_subcommand(
		"selftest", "Prove TOA end to end with an emulated load balancer on a TUN device");
	c->add_option("--timeout", timeout_ms, "Milliseconds to wait for each step (default 3000)")
		->type_name("MS");
	return c;
}

} // namespace toacheck
