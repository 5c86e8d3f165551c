// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check trace: its options.
#include <CLI/CLI.hpp>

#include "trace.h"

namespace toacheck {

CLI::App *TraceCmd::define(CLI::App &app)
{
	auto *c = app.add_subcommand(
		"trace",
		"Watch handshakes arriving at listening ports: the TOA option the "
		"balancer sends and what toa does with it");
	c->add_option("--port", opt.ports,
		      "Only this port (repeatable; default: every listening TCP port)")
		->type_name("N")
		->delimiter(',')
		->check(CLI::Range(1, 65535));
	c->add_option("--count", opt.count, "Stop after N connections (default 10; 0: no limit)")
		->type_name("N")
		->check(CLI::Range(0, 1000000));
	c->add_option("--seconds", opt.seconds, "Stop after SECONDS (default 60; 0: no limit)")
		->type_name("SECONDS")
		->check(CLI::Range(0.0, 86400.0));
	c->add_flag("--json", opt.json,
		    "JSON Lines: a start object, one object per connection, a summary");
	// Undocumented: a pcap file instead of the live capture (the unit tests).
	c->add_option("--read", opt.read_file)->group("");
	return c;
}

} // namespace toacheck
