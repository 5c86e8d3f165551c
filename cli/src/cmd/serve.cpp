// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check serve: its options.
#include <CLI/CLI.hpp>

#include "serve.h"

namespace toacheck {

CLI::App *ServeCmd::define(CLI::App &app)
{
	auto *c = app.add_subcommand(
		"serve", "HTTP server logging the client accept() returned and the network peer");
	c->add_option("--port", port, "TCP port (default 8080; 0 picks a free one)")
		->check(CLI::Range(0, 65535));
	c->add_option("--bind", bind, "Address to listen on (default :: = all, IPv4 and IPv6)")
		->type_name("ADDR");
	c->add_option("--count", count, "Exit after N requests (default: run until interrupted)")
		->type_name("N")
		->check(CLI::Range(0, 1000000000));
	return c;
}

} // namespace toacheck
