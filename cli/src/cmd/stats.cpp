// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check stats: its options.
#include <CLI/CLI.hpp>

#include "stats.h"

namespace toacheck {

CLI::App *StatsCmd::define(CLI::App &app)
{
	auto *c = app.add_subcommand("stats", "Show /proc/net/toa_stats");
	auto *o_json = c->add_flag("--json", json, "JSON object of name: value");
	auto *o_prom = c->add_flag("--prometheus", prometheus,
				   "Prometheus text format (node_exporter textfile collector)");
	o_json->excludes(o_prom);
	c->add_option("--watch", watch, "Print the changes every SECONDS until interrupted")
		->type_name("SECONDS");
	c->add_option("--iterations", iterations, "With --watch: stop after N rounds")
		->type_name("N")
		->check(CLI::Range(0, 1000000));
	return c;
}

} // namespace toacheck
