// SPDX-License-Identifier: GPL-2.0 OR MIT
// stats.h - /proc/net/toa_stats: parse, print as a table, JSON, Prometheus.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.h"
#include "report.h"

namespace toacheck {

struct Stat {
	std::string name;
	uint64_t value = 0;
};

struct Stats {
	std::vector<Stat> items; // file order; unknown names kept
	std::optional<uint64_t> get(const std::string &name) const;
};

Stats parse_stats(const std::string &text);
bool stat_is_gauge(const std::string &name);
std::string stat_help(const std::string &name); // empty for unknown names

std::string stats_table(const Stats &s);
nlohmann::ordered_json stats_json(const Stats &s);
std::string stats_prometheus(const Stats &s);
// Counters as differences since @prev, gauges as their current value.
std::string stats_deltas(const Stats &prev, const Stats &cur, double seconds);

struct StatsCmd : Command {
	bool json = false;
	bool prometheus = false;
	double watch = 0;   // seconds; 0 = print once
	int iterations = 0; // --watch rounds; 0 = until interrupted
	CLI::App *define(CLI::App &app) override;
	int run(Env &env) override;
};

// Set by the SIGINT handler that main installs; --watch stops when true.
extern std::atomic<bool> g_interrupted;

} // namespace toacheck
