// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check enable: its options. Each is optional: only the ones given
// change the configuration.
#include <CLI/CLI.hpp>

#include "bootcfg.h"

namespace toacheck {

CLI::App *EnableCmd::define(CLI::App &app)
{
	auto *c = app.add_subcommand(
		"enable",
		"Load toa at boot (/etc/modules-load.d/toa.conf) with options (/etc/modprobe.d/toa.conf)");
	c->add_option_function<std::string>(
		 "--trusted-sources", [this](const std::string &v) { trusted_sources = v; },
		 "Accept TOA only from these comma-separated CIDRs (your load balancers); \"\" clears")
		->type_name("CIDRS");
	c->add_option_function<std::string>(
		 "--option-kinds,--option-kind", [this](const std::string &v) { option_kinds = v; },
		 "TCP option kinds carrying the address, comma-separated (default 254,253; Tencent/UCloud: 200)")
		->type_name("N[,N...]");
	c->add_option_function<std::string>(
		 "--max-entries", [this](const std::string &v) { max_entries = v; },
		 "Bound on live entries (1..16777216)")
		->type_name("N");
	return c;
}

} // namespace toacheck
