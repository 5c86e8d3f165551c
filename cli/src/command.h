// SPDX-License-Identifier: GPL-2.0 OR MIT
// command.h - what a subcommand is: its options (defined in its own file
// under cmd/) and what it runs.
#pragma once

namespace CLI {
class App;
}

namespace toacheck {

struct Env;

struct Command {
	virtual ~Command() = default;
	// Add the subcommand, its options and their checks to @app (cmd/<name>.cpp).
	virtual CLI::App *define(CLI::App &app) = 0;
	virtual int run(Env &env) = 0;
};

} // namespace toacheck
