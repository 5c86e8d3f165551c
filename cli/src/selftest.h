// SPDX-License-Identifier: GPL-2.0 OR MIT
// selftest.h - TOA end to end on this host, with lbsim playing the load
// balancer over a TUN device.
#pragma once

#include "command.h"
#include "report.h"

namespace toacheck {

struct SelftestCmd : Command {
	int timeout_ms = 3000;
	CLI::App *define(CLI::App &app) override;
	int run(Env &env) override;
};

} // namespace toacheck
