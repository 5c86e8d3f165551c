// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check doctor: its options.
#include <CLI/CLI.hpp>

#include "doctor.h"

namespace toacheck {

CLI::App *DoctorCmd::define(CLI::App &app)
{
	auto *c = app.add_subcommand("doctor",
				     "Check everything TOA needs; print the fix for each problem");
	c->add_flag("--json", json, "Machine-readable output (schema in docs/toa-check.md)");
	c->add_option("--kernel", kernel,
		      "Check another installed kernel RELEASE instead of the running one")
		->type_name("RELEASE");
	return c;
}

} // namespace toacheck
