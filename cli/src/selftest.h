// SPDX-License-Identifier: GPL-2.0 OR MIT
// selftest.h - TOA end to end on this host, with lbsim playing the load
// balancer over a TUN device.
#pragma once

#include "report.h"

namespace toacheck {

struct SelftestCmd {
	int timeout_ms = 3000;
	int run(Env &env);
};

} // namespace toacheck
