// SPDX-License-Identifier: GPL-2.0 OR MIT
// app.cpp - CLI11 wiring: one struct per subcommand, bad input -> exit 2.
#include "app.h"

#include <ostream>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bootcfg.h"
#include "doctor.h"
#include "load.h"
#include "report.h"
#include "selftest.h"
#include "serve.h"
#include "stats.h"
#include "trace.h"
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

	// One object per subcommand, in --help order; each defines its own
	// options (cmd/<name>.cpp). Without a subcommand, doctor runs.
	DoctorCmd doctor;
	LoadCmd load;
	UnloadCmd unload;
	EnableCmd enable;
	DisableCmd disable;
	StatsCmd stats;
	ServeCmd serve;
	TraceCmd trace;
	SelftestCmd selftest;
	const std::vector<Command *> commands{&doctor, &load,  &unload, &enable,  &disable,
					      &stats,  &trace, &serve,	&selftest};
	std::vector<std::pair<CLI::App *, Command *>> defined;
	for (auto *cmd : commands)
		defined.emplace_back(cmd->define(app), cmd);

	try {
		app.parse(argc, argv);
	} catch (const CLI::Success &e) {
		return app.exit(e, out, err); // --help, --version
	} catch (const CLI::ParseError &e) {
		err << fmt::format("toa-check: error: {} (see toa-check --help)\n",
				   one_line(e.what()));
		return kExitUsage;
	}

	try {
		for (auto &[sub, cmd] : defined)
			if (sub->parsed())
				return cmd->run(env);
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
