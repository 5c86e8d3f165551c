// SPDX-License-Identifier: GPL-2.0 OR MIT
// stats.cpp - the module's counters for people, scripts and Prometheus.
#include "stats.h"

#include <cctype>
#include <map>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

#include "toa_uapi.h"

namespace toacheck {

std::atomic<bool> g_interrupted{false};

namespace {

struct Known {
	const char *name;
	bool gauge;
	const char *help;
};

// Names and meanings from docs/interfaces.md.
constexpr Known kKnown[] = {
	{"syn_recv_sock_toa", false,
	 "Connections a client was learnt for (SYN, ACK or completing segment)."},
	{"syn_recv_sock_no_toa", false,
	 "Handshake ACK or data segments read without a TOA option."},
	{"toa_from_syn", false, "Clients learnt from the SYN."},
	{"toa_from_ack", false, "Clients learnt from the bare handshake ACK."},
	{"toa_from_data", false,
	 "Clients learnt from the data segment that completed the handshake."},
	{"syn_cookie_toa_lost", false,
	 "SYN-only TOA lost because the handshake used a SYN cookie."},
	{"getname_toa_ok", false, "getpeername/accept answers rewritten to the client."},
	{"getname_toa_mismatch", false,
	 "Entries that exist but cannot be shown (family or owner mismatch)."},
	{"getname_toa_bypass", false,
	 "getname calls not concerned (getsockname, non-TCP, failed call)."},
	{"getname_toa_empty", false, "Peer getname calls on TCP sockets with no entry."},
	{"getname_kernel_sock", false,
	 "getname calls on in-kernel servers' sockets, never rewritten."},
	{"untrusted", false, "TOA options ignored because the source is not in trusted_sources."},
	{"malformed", false, "TOA options ignored because they were malformed."},
	{"bad_client", false, "TOA options ignored because the client address is unusable."},
	{"exid_skipped", false,
	 "TOA-kind options on a SYN carrying TCP Fast Open's experiment ID."},
	{"table_full", false, "TOA options ignored because max_entries entries were live."},
	{"no_memory", false, "TOA options ignored because no table entry could be had."},
	{"nat64_lookup", false, "Successful TOA_SO_GET_LOOKUP answers."},
	{"entries_allocated", false, "Entries created since load."},
	{"entries_freed", false, "Entries freed since load."},
	{"entries_expired", false,
	 "Unclaimed entries of handshakes that never completed, dropped."},
	{"entries_live", true, "Entries alive now."},
	{"max_entries", true, "The current bound on live entries."},
	{"maxactive", true, "Kretprobe instances per probe (only where a kretprobe is used)."},
};

const Known *known(const std::string &name)
{
	for (const auto &k : kKnown)
		if (name == k.name)
			return &k;
	return nullptr;
}

constexpr const char *kMissedPrefix = "nmissed_";

std::string sanitize(const std::string &name)
{
	std::string out;
	for (char c : name)
		out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
	return out;
}

bool is_missed(const std::string &name)
{
	return name.rfind(kMissedPrefix, 0) == 0 && name.size() > 8;
}

} // namespace

std::optional<uint64_t> Stats::get(const std::string &name) const
{
	for (const auto &s : items)
		if (s.name == name)
			return s.value;
	return std::nullopt;
}

Stats parse_stats(const std::string &text)
{
	Stats s;
	for (const auto &line : split_lines(text)) {
		std::istringstream in(line);
		std::string name, value, extra;
		if (!(in >> name >> value) || (in >> extra))
			continue;
		if (value.empty() || value.size() > 20 ||
		    value.find_first_not_of("0123456789") != std::string::npos)
			continue;
		try {
			s.items.push_back({name, std::stoull(value)});
		} catch (const std::exception &) {
			continue; // out of range
		}
	}
	return s;
}

bool stat_is_gauge(const std::string &name)
{
	const Known *k = known(name);
	return k && k->gauge;
}

std::string stat_help(const std::string &name)
{
	const Known *k = known(name);
	return k ? k->help : "";
}

std::string stats_table(const Stats &s)
{
	size_t width = 0;
	for (const auto &i : s.items)
		width = std::max(width, i.name.size());
	std::string out;
	for (const auto &i : s.items)
		out += fmt::format("{:<{}}  {}\n", i.name, width, i.value);
	return out;
}

nlohmann::ordered_json stats_json(const Stats &s)
{
	nlohmann::ordered_json j = nlohmann::ordered_json::object();
	for (const auto &i : s.items)
		j[i.name] = i.value;
	return j;
}

std::string stats_prometheus(const Stats &s)
{
	struct Family {
		std::string type, help;
		std::vector<std::string> samples;
	};
	std::vector<std::string> order;
	std::map<std::string, Family> families;
	auto add = [&](const std::string &fam, const std::string &type, const std::string &help,
		       const std::string &sample) {
		if (!families.count(fam)) {
			order.push_back(fam);
			families[fam] = {type, help, {}};
		}
		families[fam].samples.push_back(sample);
	};
	for (const auto &i : s.items) {
		if (is_missed(i.name)) {
			std::string probe = sanitize(i.name.substr(8));
			add("toa_kprobe_missed_total", "counter",
			    "Calls an attachment missed (a kretprobe out of instances), per hooked function.",
			    fmt::format("toa_kprobe_missed_total{{probe=\"{}\"}} {}", probe,
					i.value));
			continue;
		}
		const Known *k = known(i.name);
		std::string base = "toa_" + sanitize(i.name);
		if (k && k->gauge)
			add(base, "gauge", k->help, fmt::format("{} {}", base, i.value));
		else if (k)
			add(base + "_total", "counter", k->help,
			    fmt::format("{}_total {}", base, i.value));
		else
			add(base, "untyped", fmt::format("{} from {}.", i.name, TOA_STATS_FILE),
			    fmt::format("{} {}", base, i.value));
	}
	std::string out;
	for (const auto &name : order) {
		const Family &f = families[name];
		out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, f.type);
		for (const auto &sample : f.samples)
			out += sample + "\n";
	}
	return out;
}

std::string stats_deltas(const Stats &prev, const Stats &cur, double seconds)
{
	size_t width = 0;
	for (const auto &i : cur.items)
		width = std::max(width, i.name.size());
	std::string out = fmt::format("--- last {:g}s\n", seconds);
	for (const auto &i : cur.items) {
		if (stat_is_gauge(i.name)) {
			out += fmt::format("{:<{}}  {}\n", i.name, width, i.value);
			continue;
		}
		uint64_t before = prev.get(i.name).value_or(0);
		// A counter that went down means the module was reloaded.
		uint64_t delta = i.value >= before ? i.value - before : i.value;
		out += fmt::format("{:<{}}  +{}\n", i.name, width, delta);
	}
	return out;
}

int StatsCmd::run(Env &env)
{
	if (json && prometheus)
		throw UsageError("--json and --prometheus exclude each other");
	if (watch < 0 || (watch > 0 && watch < 0.1) || watch > 86400)
		throw UsageError("--watch wants a number of seconds between 0.1 and 86400");
	auto read = [&]() -> std::optional<Stats> {
		auto text = env.sys.read_file(TOA_STATS_FILE);
		if (!text)
			return std::nullopt;
		return parse_stats(*text);
	};
	auto first = read();
	if (!first) {
		env.err << fmt::format(
			"toa-check: {} is missing: toa is not loaded (run: toa-check load)\n",
			TOA_STATS_FILE);
		return kExitFail;
	}
	if (watch <= 0) {
		if (json)
			env.out << stats_json(*first).dump(2) << "\n";
		else if (prometheus)
			env.out << stats_prometheus(*first);
		else
			env.out << stats_table(*first);
		return kExitOk;
	}
	env.out << stats_table(*first) << std::flush;
	Stats prev = *first;
	for (int round = 0; iterations == 0 || round < iterations; ++round) {
		env.sys.sleep_seconds(watch);
		if (g_interrupted)
			break;
		auto cur = read();
		if (!cur) {
			env.err << "toa-check: toa was unloaded\n";
			return kExitFail;
		}
		env.out << stats_deltas(prev, *cur, watch) << std::flush;
		prev = *cur;
	}
	return kExitOk;
}

} // namespace toacheck
