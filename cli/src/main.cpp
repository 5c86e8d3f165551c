// SPDX-License-Identifier: GPL-2.0 OR MIT
// main.cpp - toa-check: the real system, signals, and the command line.
#include <csignal>
#include <clocale>
#include <iostream>

#include "app.h"
#include "stats.h"
#include "system.h"

namespace {

void on_signal(int)
{
	toacheck::g_interrupted = true;
}

} // namespace

int main(int argc, char **argv)
{
	std::setlocale(LC_ALL, "");
	// No SA_RESTART: a blocking accept() or sleep returns EINTR, so serve
	// and stats --watch end cleanly on Ctrl-C.
	struct sigaction sa {};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, nullptr);
	sigaction(SIGTERM, &sa, nullptr);

	toacheck::RealSystem sys("/");
	return toacheck::run_cli(argc, argv, sys, std::cout, std::cerr);
}
