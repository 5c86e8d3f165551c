// SPDX-License-Identifier: GPL-2.0 OR MIT
// trace.cpp - follow handshakes, judge them with the module's rules
// (toa_rules.cpp), print one line per connection.
#include "trace.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <ostream>
#include <set>

#include <fmt/format.h>

#include "toa_uapi.h"
#include "version.h"

namespace toacheck {

namespace {

// Live: a finished connection is reported this long after its last
// packet, so that the module (which acts on the same packet) has counted.
constexpr double kSettleSeconds = 0.2;
// Live, no --port: how often the listening ports are read again.
constexpr double kPortRefreshSeconds = 2;
// How often the table of handshakes is walked for expiry.
constexpr double kExpireEvery = 0.05;

const char *packet_id(Packet p)
{
	switch (p) {
	case Packet::Syn:
		return "syn";
	case Packet::Ack:
		return "ack";
	case Packet::Completing:
	case Packet::Data:
		return "data";
	case Packet::SynAck:
		return "syn_ack";
	}
	return "?";
}

double wall_now()
{
	using namespace std::chrono;
	return duration<double>(system_clock::now().time_since_epoch()).count();
}

double steady_now()
{
	using namespace std::chrono;
	return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::vector<uint16_t> listening_ports(System &sys)
{
	std::set<uint16_t> all;
	for (const char *f : {"/proc/net/tcp", "/proc/net/tcp6"})
		if (auto text = sys.read_file(f))
			for (uint16_t p : parse_listening_ports(*text))
				all.insert(p);
	return {all.begin(), all.end()};
}

// @out += @sep (unless empty) + @item
void add_item(std::string &out, const char *sep, const std::string &item)
{
	if (!out.empty())
		out += sep;
	out += item;
}

std::string ports_text(const std::vector<uint16_t> &ports)
{
	std::string out;
	for (uint16_t p : ports)
		add_item(out, ", ", std::to_string(p));
	return out;
}

std::string options_text(const SeenPacket &p)
{
	std::string out;
	for (const auto &o : p.options.options) {
		if (o.kind == 0)
			continue; // EOL padding
		std::string item = option_text(o);
		if (p.eval.toa && o.kind == p.eval.toa->kind && o.length == p.eval.toa->length)
			item += "=" + p.eval.toa->client();
		add_item(out, ",", item);
	}
	if (p.options.broken)
		add_item(out, ",", "broken");
	if (p.truncated)
		add_item(out, ",", "truncated");
	return out.empty() ? "none" : out;
}

nlohmann::ordered_json packet_json(const std::optional<SeenPacket> &p)
{
	if (!p)
		return nullptr;
	nlohmann::ordered_json j;
	auto opts = nlohmann::ordered_json::array();
	for (const auto &o : p->options.options)
		if (o.kind != 0)
			opts.push_back({{"kind", o.kind}, {"length", o.length}});
	j["options"] = opts;
	j["options_broken"] = p->options.broken;
	if (p->eval.toa)
		j["toa"] = {{"kind", p->eval.toa->kind},
			    {"length", p->eval.toa->length},
			    {"client", p->eval.toa->client()}};
	else
		j["toa"] = nullptr;
	j["read"] = p->eval.read;
	j["outcome"] = outcome_id(p->eval.outcome);
	j["payload"] = p->payload;
	j["truncated"] = p->truncated;
	if (p->packet == Packet::Completing || p->packet == Packet::Data)
		j["completes_handshake"] = p->packet == Packet::Completing;
	return j;
}

} // namespace

// ---- Tracker ----

bool Tracker::Key::operator==(const Key &o) const
{
	return family == o.family && sport == o.sport && dport == o.dport &&
		!std::memcmp(src, o.src, 16) && !std::memcmp(dst, o.dst, 16);
}

size_t Tracker::KeyHash::operator()(const Key &k) const
{
	uint64_t h = 1469598103934665603ull; // FNV-1a
	auto mix = [&h](const uint8_t *p, size_t n) {
		for (size_t i = 0; i < n; ++i)
			h = (h ^ p[i]) * 1099511628211ull;
	};
	mix(&k.family, 1);
	mix(k.src, 16);
	mix(k.dst, 16);
	uint8_t ports[4] = {static_cast<uint8_t>(k.sport >> 8), static_cast<uint8_t>(k.sport),
			    static_cast<uint8_t>(k.dport >> 8), static_cast<uint8_t>(k.dport)};
	mix(ports, 4);
	return static_cast<size_t>(h);
}

void Tracker::set_ports(const std::vector<uint16_t> &ports)
{
	port_on_.clear();
	if (ports.empty())
		return;
	port_on_.assign(65536, false);
	for (uint16_t p : ports)
		port_on_[p] = true;
}

SeenPacket Tracker::see(Packet p, const Segment &s, double now) const
{
	SeenPacket seen;
	seen.packet = p;
	seen.ts = now;
	seen.payload = s.payload;
	seen.truncated = s.truncated;
	seen.options = list_options(s.tcp, s.tcp_len);
	if (s.truncated) {
		// The options are not all there: judging them would be a guess.
		seen.eval.packet = p;
		seen.eval.read = rules_.reads(p);
		seen.eval.detail = "the capture cut the TCP header short";
	} else {
		seen.eval = rules_.evaluate(p, s.tcp, s.tcp_len, s.src);
	}
	return seen;
}

void Tracker::feed(const Segment &s, double now)
{
	if (!port_on_.empty() && !port_on_[s.dport])
		return;
	Key k{};
	k.family = static_cast<uint8_t>(s.src.family);
	std::memcpy(k.src, s.src.addr, 16);
	std::memcpy(k.dst, s.dst, 16);
	k.sport = s.src.port;
	k.dport = s.dport;
	const bool syn = s.flags & kTcpSyn, ack = s.flags & kTcpAck, rst = s.flags & kTcpRst,
		   fin = s.flags & kTcpFin;
	auto it = conns_.find(k);

	if (syn && !ack) {
		if (it != conns_.end()) {
			if (!it->second.established) { // a retransmitted SYN
				it->second.last = now;
				return;
			}
			finish(k); // the 4-tuple is used again
		}
		if (conns_.size() >= limits_.max_conns) {
			++untraced_;
			return;
		}
		Conn c;
		c.report.src = s.src;
		c.report.server = s.dst_text();
		c.report.port = s.dport;
		c.report.ts = now;
		c.report.syn = see(Packet::Syn, s, now);
		c.last = now;
		conns_.emplace(k, std::move(c));
		return;
	}
	if (it == conns_.end() || syn)
		return; // not a handshake we saw begin; a SYN-ACK towards a listener
	Conn &c = it->second;
	c.last = now;
	if (!c.established) {
		if (rst) {
			++incomplete_;
			conns_.erase(it);
			return;
		}
		if (!ack)
			return;
		c.established = true;
		if (s.payload > 0) {
			c.report.data = see(Packet::Completing, s, now);
			finish(k);
			return;
		}
		c.report.ack = see(Packet::Ack, s, now);
		if (fin)
			finish(k);
		return;
	}
	if (s.payload > 0) {
		c.report.data = see(Packet::Data, s, now);
		finish(k);
	} else if (rst || fin) {
		finish(k);
	}
}

void Tracker::finish(const Key &k)
{
	auto it = conns_.find(k);
	if (it == conns_.end())
		return;
	ConnReport &r = it->second.report;
	std::vector<PacketEval> evals;
	for (const auto *p : {&r.syn, &r.ack, &r.data})
		if (*p)
			evals.push_back((*p)->eval);
	r.decision = rules_.decide(evals, r.src);
	finished_.push_back(std::move(r));
	conns_.erase(it);
}

void Tracker::expire(double now)
{
	std::vector<Key> done;
	for (auto it = conns_.begin(); it != conns_.end();) {
		const Conn &c = it->second;
		if (!c.established && now - c.last > limits_.handshake_timeout) {
			++incomplete_;
			it = conns_.erase(it);
			continue;
		}
		if (c.established && now - c.last >= limits_.data_wait)
			done.push_back(it->first);
		++it;
	}
	// Oldest first, so the output follows the handshakes' order.
	std::sort(done.begin(), done.end(), [this](const Key &a, const Key &b) {
		return conns_.at(a).report.ts < conns_.at(b).report.ts;
	});
	for (const auto &k : done)
		finish(k);
}

void Tracker::flush()
{
	expire(1e300);
}

std::vector<ConnReport> Tracker::take_finished()
{
	std::vector<ConnReport> out(std::make_move_iterator(finished_.begin()),
				    std::make_move_iterator(finished_.end()));
	finished_.clear();
	return out;
}

// ---- output ----

std::string trace_text(const ConnReport &r)
{
	const Decision &d = r.decision;
	std::string line =
		fmt::format("{} -> {}  SYN [{}]", r.src.text(), r.server, options_text(*r.syn));
	line += r.ack ? fmt::format("  ACK [{}]", options_text(*r.ack)) : "  ACK -";
	if (r.data)
		line += fmt::format("  {} [{}]",
				    r.data->packet == Packet::Completing ? "data(completing)"
									 : "data",
				    options_text(*r.data));
	else
		line += "  data -";
	line += fmt::format("  {} {}",
			    d.verdict == Verdict::Accepted ? status_mark(Status::Pass)
							   : status_mark(Status::Fail),
			    d.summary);
	if (r.counters_known) {
		std::string moved;
		for (const auto &c : r.counters)
			moved +=
				fmt::format("{}{} +{}", moved.empty() ? "" : ", ", c.name, c.value);
		line += fmt::format("  [counters: {}]", moved.empty() ? "none moved" : moved);
	}
	line += "\n";
	if (!d.note.empty())
		line += fmt::format("    note: {}\n", d.note);
	bool first = true;
	for (const auto &f : split_lines(d.fix)) {
		line += fmt::format("    {} {}\n", first ? "fix:" : "    ", f);
		first = false;
	}
	return line;
}

nlohmann::ordered_json trace_json(const ConnReport &r)
{
	const Decision &d = r.decision;
	nlohmann::ordered_json j;
	j["type"] = "connection";
	j["time"] = r.ts;
	j["balancer"] = r.src.text();
	j["server"] = r.server;
	j["port"] = r.port;
	j["family"] = r.src.family;
	j["syn"] = packet_json(r.syn);
	j["ack"] = packet_json(r.ack);
	j["data"] = packet_json(r.data);
	j["verdict"] = verdict_id(d.verdict);
	j["packet"] = d.packet ? nlohmann::ordered_json(packet_id(*d.packet))
			       : nlohmann::ordered_json(nullptr);
	j["kind"] = d.toa ? nlohmann::ordered_json(d.toa->kind) : nlohmann::ordered_json(nullptr);
	j["client"] =
		d.toa ? nlohmann::ordered_json(d.toa->client()) : nlohmann::ordered_json(nullptr);
	j["summary"] = d.summary;
	j["note"] = d.note;
	j["fix"] = d.fix;
	if (r.counters_known) {
		nlohmann::ordered_json c = nlohmann::ordered_json::object();
		for (const auto &s : r.counters)
			c[s.name] = s.value;
		j["counters"] = c;
	} else {
		j["counters"] = nullptr;
	}
	return j;
}

// ---- the loop ----

namespace {

class Run {
public:
	Run(Env &env, const TraceOptions &opt, const Rules &rules, Capture &cap, bool live,
	    TraceLimits limits)
		: env_(env), opt_(opt), rules_(rules), cap_(cap), live_(live),
		  tracker_(rules, limits)
	{
	}

	int go();

private:
	Env &env_;
	const TraceOptions &opt_;
	const Rules &rules_;
	Capture &cap_;
	bool live_;
	Tracker tracker_;
	std::vector<uint16_t> ports_;
	std::optional<Stats> baseline_;
	std::deque<std::pair<double, ConnReport>> pending_; // live: waiting to settle
	std::map<std::string, uint64_t> verdicts_;
	int reported_ = 0;

	bool done() const { return opt_.count > 0 && reported_ >= opt_.count; }
	std::optional<Stats> read_stats();
	void start_line();
	void report(ConnReport r);
	void collect(double now, bool all);
	void summary();
};

std::optional<Stats> Run::read_stats()
{
	if (!live_)
		return std::nullopt;
	auto text = env_.sys.read_file(TOA_STATS_FILE);
	if (!text)
		return std::nullopt;
	return parse_stats(*text);
}

void Run::start_line()
{
	bool all = live_ && opt_.ports.empty();
	if (opt_.json) {
		nlohmann::ordered_json j;
		j["type"] = "start";
		j["version"] = kVersion;
		j["source"] = live_ ? "live" : "file";
		j["ports"] = ports_;
		j["all_listening"] = all;
		j["module_loaded"] = rules_.module_loaded();
		j["option_kinds"] = rules_.kinds_text();
		j["trusted_sources"] = rules_.trusted_text();
		j["warnings"] = rules_.warnings();
		env_.out << j.dump() << std::endl;
		return;
	}
	for (const auto &w : rules_.warnings())
		env_.out << fmt::format("{} {}\n", status_mark(Status::Warn), w);
	std::string what = ports_.empty()
		? std::string("every TCP port")
		: fmt::format("port{} {}{}", ports_.size() > 1 ? "s" : "", ports_text(ports_),
			      all ? " (every listening port)" : "");
	std::string rules =
		fmt::format("option_kinds {}, trusted_sources {}", rules_.kinds_text(),
			    rules_.trusted_text().empty() ? "any" : rules_.trusted_text());
	env_.out << fmt::format("tracing handshakes to {} with {}{}\n", what, rules,
				rules_.module_loaded() ? "" : " (toa is not loaded: its defaults)");
	if (live_) {
		std::string stop;
		if (opt_.count > 0)
			stop = fmt::format("after {} connection{}", opt_.count,
					   opt_.count > 1 ? "s" : "");
		if (opt_.seconds > 0)
			stop += fmt::format("{}after {:g} s", stop.empty() ? "" : " or ",
					    opt_.seconds);
		env_.out << fmt::format("stops {}{}\n", stop.empty() ? "" : stop + ", ",
					"on Ctrl-C");
	}
	env_.out << std::flush;
}

void Run::report(ConnReport r)
{
	if (done())
		return;
	if (baseline_) {
		auto cur = read_stats();
		if (cur) {
			r.counters_known = true;
			for (const auto &s : cur->items) {
				if (stat_is_gauge(s.name))
					continue;
				uint64_t before = baseline_->get(s.name).value_or(0);
				uint64_t delta =
					s.value >= before ? s.value - before : s.value; // reloaded
				if (delta)
					r.counters.push_back({s.name, delta});
			}
			baseline_ = cur;
		}
	}
	++verdicts_[verdict_id(r.decision.verdict)];
	++reported_;
	if (opt_.json)
		env_.out << trace_json(r).dump() << std::endl;
	else
		env_.out << trace_text(r) << std::flush;
}

void Run::collect(double now, bool all)
{
	for (auto &r : tracker_.take_finished()) {
		double last = r.ts;
		for (const auto *p : {&r.syn, &r.ack, &r.data})
			if (*p)
				last = std::max(last, (*p)->ts);
		pending_.emplace_back(live_ ? last + kSettleSeconds : 0, std::move(r));
	}
	while (!pending_.empty() && (all || pending_.front().first <= now)) {
		report(std::move(pending_.front().second));
		pending_.pop_front();
	}
}

void Run::summary()
{
	if (opt_.json) {
		nlohmann::ordered_json j;
		j["type"] = "summary";
		j["connections"] = reported_;
		nlohmann::ordered_json v = nlohmann::ordered_json::object();
		for (const auto &[k, n] : verdicts_)
			v[k] = n;
		j["verdicts"] = v;
		j["incomplete"] = tracker_.incomplete();
		j["untraced"] = tracker_.untraced();
		j["dropped"] = cap_.dropped();
		env_.out << j.dump() << std::endl;
		return;
	}
	std::string v;
	for (const auto &[k, n] : verdicts_)
		v += fmt::format("{}{} {}", v.empty() ? "" : ", ", k, n);
	std::string line =
		fmt::format("{} connection{} traced{}", reported_, reported_ == 1 ? "" : "s",
			    v.empty() ? std::string() : fmt::format(" ({})", v));
	if (tracker_.incomplete())
		line += fmt::format("; {} handshake(s) did not complete", tracker_.incomplete());
	if (tracker_.untraced())
		line += fmt::format("; {} not followed (too many at once)", tracker_.untraced());
	if (uint64_t d = cap_.dropped())
		line += fmt::format("; the kernel dropped {} packet(s) of the capture", d);
	env_.out << line << "\n" << std::flush;
}

int Run::go()
{
	ports_ = opt_.ports;
	if (live_ && ports_.empty())
		ports_ = listening_ports(env_.sys);
	std::sort(ports_.begin(), ports_.end());
	ports_.erase(std::unique(ports_.begin(), ports_.end()), ports_.end());
	tracker_.set_ports(ports_);
	if (live_ && rules_.module_loaded())
		baseline_ = read_stats();
	start_line();

	const double t0 = steady_now();
	double next_refresh = t0 + kPortRefreshSeconds;
	double clock = 0; // the tracker's time: wall clock live, packet time from a file
	double last_expire = 0;
	bool end = false;
	while (!end && !done() && !g_interrupted) {
		double left = opt_.seconds > 0 ? t0 + opt_.seconds - steady_now() : 1;
		if (left <= 0)
			break;
		Frame f;
		Capture::Next n =
			cap_.next(f, static_cast<int>(std::clamp(left * 1000, 1.0, 100.0)));
		if (n == Capture::Next::Frame) {
			if (!live_)
				clock = std::max(clock, f.ts);
			if (auto seg = decode_frame(cap_.linktype(), f.data, f.caplen))
				tracker_.feed(*seg, live_ ? f.ts : clock);
		} else if (n == Capture::Next::End) {
			end = true;
		}
		if (live_)
			clock = wall_now();
		// The table is walked at most every 50 ms, not per packet.
		if (clock - last_expire >= kExpireEvery || n != Capture::Next::Frame) {
			last_expire = clock;
			tracker_.expire(clock);
		}
		collect(clock, false);
		if (live_ && opt_.ports.empty() && steady_now() >= next_refresh) {
			next_refresh = steady_now() + kPortRefreshSeconds;
			auto now_listening = listening_ports(env_.sys);
			if (!now_listening.empty() && now_listening != ports_) {
				if (cap_.set_ports(now_listening).empty()) {
					ports_ = now_listening;
					tracker_.set_ports(ports_);
				}
			}
		}
	}
	tracker_.flush();
	collect(clock, true);
	summary();
	return kExitOk;
}

} // namespace

int run_trace(Env &env, const TraceOptions &opt, const Rules &rules, Capture &cap, bool live,
	      TraceLimits limits)
{
	Run run(env, opt, rules, cap, live, limits);
	return run.go();
}

int TraceCmd::run(Env &env)
{
	Rules rules = Rules::from_system(env.sys);
	std::string err;
	if (!opt.read_file.empty()) {
		auto cap = open_file_capture(opt.read_file, err);
		if (!cap) {
			env.err << "toa-check: " << err << "\n";
			return kExitFail;
		}
		return run_trace(env, opt, rules, *cap, false);
	}
	if (!env.sys.is_root())
		throw UsageError(
			"trace captures packets and needs root (run: sudo toa-check trace)");
	std::vector<uint16_t> ports = opt.ports;
	if (ports.empty()) {
		ports = listening_ports(env.sys);
		if (ports.empty()) {
			env.err << "toa-check: no TCP port is listening in this network namespace: start the server "
				   "first, or give --port N\n";
			return kExitFail;
		}
	}
	auto cap = open_live_capture(ports, err);
	if (!cap) {
		env.err << "toa-check: " << err << "\n";
		return kExitFail;
	}
	return run_trace(env, opt, rules, *cap, true);
}

} // namespace toacheck
