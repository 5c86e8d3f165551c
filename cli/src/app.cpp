// SPDX-License-Identifier: GPL-2.0 OR MIT
// app.cpp - CLI11 wiring: one struct per subcommand, bad input -> exit 2.
#include "app.h"

#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bootcfg.h"
#include "doctor.h"
#include "load.h"
#include "report.h"
#include "selftest.h"
#include "serve.h"
#include "stats.h"
#include "version.h"

namespace toacheck {

namespace {

std::string one_line(std::string s)
{
	for (auto &c : s)
		if (c == '\n' || c == '\r')
			c = ' ';
	return trim(s);
}

} // namespace

int run_cli(int argc, const char *const *argv, System &sys, std::ostream &out, std::ostream &err)
{
	Env env{sys, out, err};
	CLI::App app{"toa-check: check, load and verify the TOA kernel module "
		     "(TCP option address: the real client behind a load balancer)",
		     "toa-check"};
	app.set_version_flag("-V,--version", fmt::format("toa-check {}", kVersion));
	app.require_subcommand(0, 1);
	app.footer("Without a subcommand, toa-check runs doctor. Exit codes: 0 ok, 1 a check or "
		   "operation failed, 2 bad input. See toa-check(8).");

	DoctorCmd doctor;
	auto *c_doctor = app.add_subcommand("doctor", "Check everything TOA needs; print the fix for each problem");
	c_doctor->add_flag("--json", doctor.json, "Machine-readable output (schema in docs/toa-check.md)");
	c_doctor->add_option("--kernel", doctor.kernel, "Check another installed kernel RELEASE instead of the running one")
		->type_name("RELEASE");

	LoadCmd load;
	auto *c_load = app.add_subcommand("load", "Preflight, then load the module through libkmod and confirm it is live");
	c_load->add_option("--module", load.module, "Load this .ko file instead of the one libkmod resolves for 'toa'")
		->type_name("PATH");
	c_load->add_option("--param", load.params,
			   "Module parameter key=value (option_kind, trusted_sources, max_entries); repeatable")
		->type_name("KEY=VALUE")
		->allow_extra_args(false);

	UnloadCmd unload;
	auto *c_unload = app.add_subcommand("unload", "Remove the module");

	EnableCmd enable;
	auto *c_enable = app.add_subcommand("enable", "Load toa at boot (/etc/modules-load.d/toa.conf) with options (/etc/modprobe.d/toa.conf)");
	c_enable->add_option_function<std::string>(
			"--trusted-sources", [&](const std::string &v) { enable.trusted_sources = v; },
			"Accept TOA only from these comma-separated CIDRs (your load balancers); \"\" clears")
		->type_name("CIDRS");
	c_enable->add_option_function<std::string>(
			"--option-kind", [&](const std::string &v) { enable.option_kind = v; },
			"TCP option kind carrying the address (default 254; 200 = legacy LVS)")
		->type_name("N");
	c_enable->add_option_function<std::string>(
			"--max-entries", [&](const std::string &v) { enable.max_entries = v; },
			"Bound on live entries (1..16777216)")
		->type_name("N");

	DisableCmd disable;
	auto *c_disable = app.add_subcommand("disable", "Undo enable: remove only the lines toa-check wrote");

	StatsCmd stats;
	auto *c_stats = app.add_subcommand("stats", "Show /proc/net/toa_stats");
	auto *o_json = c_stats->add_flag("--json", stats.json, "JSON object of name: value");
	auto *o_prom = c_stats->add_flag("--prometheus", stats.prometheus,
					 "Prometheus text format (node_exporter textfile collector)");
	o_json->excludes(o_prom);
	c_stats->add_option("--watch", stats.watch, "Print the changes every SECONDS until interrupted")
		->type_name("SECONDS");
	c_stats->add_option("--iterations", stats.iterations, "With --watch: stop after N rounds")
		->type_name("N")
		->check(CLI::Range(0, 1000000));

	ServeCmd serve;
	auto *c_serve = app.add_subcommand("serve", "HTTP server logging the client accept() returned and the network peer");
	c_serve->add_option("--port", serve.port, "TCP port (default 8080; 0 picks a free one)")
		->check(CLI::Range(0, 65535));
	c_serve->add_option("--bind", serve.bind, "Address to listen on (default :: = all, IPv4 and IPv6)")
		->type_name("ADDR");
	c_serve->add_option("--count", serve.count, "Exit after N requests (default: run until interrupted)")
		->type_name("N")
		->check(CLI::Range(0, 1000000000));

	SelftestCmd selftest;
	auto *c_selftest = app.add_subcommand("selftest", "Prove TOA end to end with an emulated load balancer on a TUN device");
	c_selftest->add_option("--timeout", selftest.timeout_ms, "Milliseconds to wait for each step (default 3000)")
		->type_name("MS");

	try {
		app.parse(argc, argv);
	} catch (const CLI::Success &e) {
		return app.exit(e, out, err);	// --help, --version
	} catch (const CLI::ParseError &e) {
		err << fmt::format("toa-check: error: {} (see toa-check --help)\n", one_line(e.what()));
		return kExitUsage;
	}

	try {
		if (c_load->parsed())
			return load.run(env);
		if (c_unload->parsed())
			return unload.run(env);
		if (c_enable->parsed())
			return enable.run(env);
		if (c_disable->parsed())
			return disable.run(env);
		if (c_stats->parsed())
			return stats.run(env);
		if (c_serve->parsed())
			return serve.run(env);
		if (c_selftest->parsed())
			return selftest.run(env);
		return doctor.run(env);
	} catch (const UsageError &e) {
		err << fmt::format("toa-check: error: {}\n", one_line(e.what()));
		return kExitUsage;
	} catch (const std::exception &e) {
		err << fmt::format("toa-check: {}\n", one_line(e.what()));
		return kExitFail;
	}
}

} // namespace toacheck
