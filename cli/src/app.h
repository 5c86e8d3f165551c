// SPDX-License-Identifier: GPL-2.0 OR MIT
// app.h - the command line (CLI11) wired to the subcommands.
#pragma once

#include <iosfwd>

#include "system.h"

namespace toacheck {

// Parse @argv, run the subcommand against @sys, return the exit code:
// 0 ok, 1 a check or an operation failed, 2 bad input. Never throws.
int run_cli(int argc, const char *const *argv, System &sys, std::ostream &out, std::ostream &err);

} // namespace toacheck
