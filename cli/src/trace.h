// SPDX-License-Identifier: GPL-2.0 OR MIT
// trace.h - toa-check trace: the handshakes arriving at this host's
// listening ports, what the balancer put into their TCP options, and what
// the toa module did (or would do) with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "capture.h"
#include "command.h"
#include "report.h"
#include "stats.h"
#include "toa_rules.h"

namespace toacheck {

struct TraceLimits {
	size_t max_conns = 4096;       // handshakes followed at once
	double handshake_timeout = 20; // seconds from the SYN to the ACK
	double data_wait = 2;	       // seconds from the ACK to the first data
};

// One packet of a connection as seen.
struct SeenPacket {
	Packet packet = Packet::Syn;
	double ts = 0;
	OptionList options;
	PacketEval eval;
	size_t payload = 0;
	bool truncated = false; // captured TCP header cut short: not evaluated
};

struct ConnReport {
	Source src;	    // the balancer
	std::string server; // "198.51.100.1:8080"
	uint16_t port = 0;
	double ts = 0; // the SYN's capture time
	std::optional<SeenPacket> syn, ack, data;
	Decision decision;
	std::vector<Stat> counters;  // counters that moved; empty when unknown
	bool counters_known = false; // the module was loaded
};

// Follows handshakes: SYN, then the first segment with ACK (the handshake
// ACK, or a data segment completing the handshake), then the first data
// segment. A connection is finished at its first data segment, a FIN or
// RST after the handshake, or data_wait after the handshake; a handshake
// that does not complete within handshake_timeout is dropped (counted).
// At most max_conns connections are followed; SYNs beyond are counted.
class Tracker {
public:
	Tracker(const Rules &rules, TraceLimits limits) : rules_(rules), limits_(limits) {}

	// @ports: the listening ports followed (empty: all).
	void set_ports(const std::vector<uint16_t> &ports);
	void feed(const Segment &s, double now);
	// Finish what waited long enough; drop stale handshakes.
	void expire(double now);
	// At the end: every completed handshake is finished.
	void flush();
	// Finished connections, oldest first.
	std::vector<ConnReport> take_finished();

	size_t in_progress() const { return conns_.size(); }
	uint64_t incomplete() const { return incomplete_; } // SYN without a completed handshake
	uint64_t untraced() const { return untraced_; }	    // SYNs refused: table full

private:
	struct Key {
		uint8_t family;
		uint8_t src[16], dst[16];
		uint16_t sport, dport;
		bool operator==(const Key &o) const;
	};
	struct KeyHash {
		size_t operator()(const Key &k) const;
	};
	struct Conn {
		ConnReport report;
		double last = 0;	  // time of the last packet recorded
		bool established = false; // the handshake completed
	};

	const Rules &rules_;
	TraceLimits limits_;
	std::vector<bool> port_on_; // empty: all ports
	std::unordered_map<Key, Conn, KeyHash> conns_;
	std::deque<ConnReport> finished_;
	uint64_t incomplete_ = 0;
	uint64_t untraced_ = 0;

	SeenPacket see(Packet p, const Segment &s, double now) const;
	void finish(const Key &k);
};

// The report as one text line (+ note and fix lines) and as JSON.
std::string trace_text(const ConnReport &r);
nlohmann::ordered_json trace_json(const ConnReport &r);

struct TraceOptions {
	std::vector<uint16_t> ports; // --port; empty: every listening port
	int count = 10;		     // 0: no limit
	double seconds = 60;	     // 0: no limit
	bool json = false;
	std::string read_file; // --read FILE (tests): a pcap file instead of a live capture
};

// The trace loop over @cap: reports finished connections as they finish
// (live: after a short settle so the module's counters have moved).
// @live: read the module's counters and re-read the listening ports.
int run_trace(Env &env, const TraceOptions &opt, const Rules &rules, Capture &cap, bool live,
	      TraceLimits limits = {});

struct TraceCmd : Command {
	TraceOptions opt;
	CLI::App *define(CLI::App &app) override;
	int run(Env &env) override;
};

} // namespace toacheck
