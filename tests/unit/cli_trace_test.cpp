// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check trace on recorded packets: pcap files written by the test
// (trace_pcap.cpp), read back through libpcap by the trace engine.
#include <chrono>
#include <cstring>
#include <random>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pcap/pcap.h>

#include "capture.h"
#include "cli_fixture.h"
#include "trace.h"
#include "trace_pcap.h"

using namespace toacheck;
using nlohmann::json;
using testing::HasSubstr;
using toatest::Bytes;
using toatest::cat;
using toatest::Flow;
using toatest::handshake;
using toatest::kAck;
using toatest::kFin;
using toatest::kMss;
using toatest::kPsh;
using toatest::kRst;
using toatest::kSyn;
using toatest::tcp_packet;
using toatest::toa4;
using toatest::toa6;

namespace {

struct Traced {
	int code = -1;
	std::string out, err;
	json start, summary;
	std::vector<json> conns;
	// The connection from balancer port @port.
	json by_port(uint16_t port) const
	{
		// built piece by piece: GCC 12 at -O3 warns (-Werror=restrict, a
		// false positive) about ":" + std::to_string()'s inlined memcpy
		std::string suffix(1, ':');
		suffix += std::to_string(port);
		for (const auto &c : conns)
			if (c["balancer"].get<std::string>().ends_with(suffix))
				return c;
		ADD_FAILURE() << "no connection from port " << port << " in " << out;
		return json::object();
	}
};

Traced parse_lines(const toatest::CliResult &r)
{
	Traced t;
	t.code = r.code;
	t.out = r.out;
	t.err = r.err;
	std::istringstream in(r.out);
	std::string line;
	while (std::getline(in, line)) {
		json j = json::parse(line); // every line is one JSON object
		if (j["type"] == "start")
			t.start = j;
		else if (j["type"] == "summary")
			t.summary = j;
		else if (j["type"] == "connection")
			t.conns.push_back(j);
		else
			ADD_FAILURE() << "unknown line " << line;
	}
	return t;
}

class Trace : public testing::Test {
protected:
	toatest::TempRoot root;
	toatest::FakeSystem sys{root};
	std::string pcap = root.path() + "/capture.pcap";

	void load_module(const std::string &kinds = "254,253",
			 const std::string &trusted = "198.51.100.0/24,2001:db8:1::/64")
	{
		root.put("/sys/module/toa/parameters/option_kinds", kinds + "\n");
		root.put("/sys/module/toa/parameters/trusted_sources", trusted + "\n");
		root.put("/proc/net/toa_stats", toatest::stats_text());
	}

	Traced trace(const std::vector<toatest::Frame> &frames, std::vector<std::string> extra = {},
		     int dlt = DLT_RAW, unsigned sll_type = 0)
	{
		toatest::write_pcap(pcap, frames, dlt, sll_type);
		std::vector<std::string> args{"trace", "--read", pcap, "--json"};
		args.insert(args.end(), extra.begin(), extra.end());
		if (std::find(args.begin(), args.end(), "--count") == args.end())
			args.insert(args.end(), {"--count", "0"});
		Traced t = parse_lines(toatest::run_cli(sys, args));
		EXPECT_EQ(t.code, 0) << t.err;
		return t;
	}
};

Flow flow(uint16_t lb_port, const std::string &lb = "198.51.100.2")
{
	Flow f;
	f.lb = lb;
	f.lb_port = lb_port;
	return f;
}

Flow flow6(uint16_t lb_port)
{
	Flow f;
	f.family = 6;
	f.lb = "2001:db8:1::2";
	f.srv = "2001:db8:1::1";
	f.lb_port = lb_port;
	return f;
}

void append(std::vector<toatest::Frame> &all, std::vector<toatest::Frame> more)
{
	all.insert(all.end(), more.begin(), more.end());
}

TEST_F(Trace, EveryVerdictFromRecordedPackets)
{
	load_module();
	std::vector<toatest::Frame> f;
	double t = 1000;
	const Bytes client = toa4(254, "203.0.113.7", 4321);
	append(f, handshake(flow(40001), kMss, client, {}, 10, t += 1)); // accepted
	append(f,
	       handshake(flow(40002), kMss, toa4(200, "203.0.113.7", 4321), {}, 10,
			 t += 1));						      // wrong kind
	append(f, handshake(flow(40003, "192.0.2.9"), kMss, client, {}, 10, t += 1)); // untrusted
	append(f,
	       handshake(flow(40004), kMss, {254, 10, 0, 1, 2, 3, 4, 5, 6, 7}, {}, 10,
			 t += 1)); // malformed
	append(f,
	       handshake(flow(40005), kMss, toa4(254, "0.0.0.0", 0), {}, 10, t += 1)); // bad client
	append(f, handshake(flow(40006), kMss, {}, client, 10, t += 1)); // only on data
	append(f, handshake(flow(40007), kMss, {}, {}, 10, t += 1));	 // none
	append(f,
	       handshake(flow6(40008), kMss, toa6(253, "2001:db8:c0::7", 4321), {}, 10,
			 t += 1)); // IPv6, 253
	// The ACK lost: the data segment completes the handshake and carries TOA.
	f.push_back({t += 1, tcp_packet(flow(40009), kSyn, kMss, 0, 1000)});
	f.push_back({t + 0.001, tcp_packet(flow(40009), kAck | kPsh, client, 10, 1001)});
	append(f, handshake(flow(40010), cat({kMss, client}), {}, {}, 10, t += 1)); // on the SYN

	Traced r = trace(f);
	ASSERT_EQ(r.conns.size(), 10u) << r.out;
	EXPECT_EQ(r.start["source"], "file");
	EXPECT_EQ(r.start["module_loaded"], true);
	EXPECT_EQ(r.start["option_kinds"], "254,253");
	EXPECT_EQ(r.start["trusted_sources"], "198.51.100.0/24,2001:db8:1::/64");

	json c = r.by_port(40001);
	EXPECT_EQ(c["verdict"], "accepted");
	EXPECT_EQ(c["packet"], "ack");
	EXPECT_EQ(c["kind"], 254);
	EXPECT_EQ(c["client"], "203.0.113.7:4321");
	EXPECT_EQ(c["balancer"], "198.51.100.2:40001");
	EXPECT_EQ(c["server"], "198.51.100.1:8080");
	EXPECT_EQ(c["port"], 8080);
	EXPECT_EQ(c["syn"]["options"], json::parse(R"([{"kind":2,"length":4}])"));
	EXPECT_EQ(c["syn"]["toa"], nullptr);
	EXPECT_EQ(c["ack"]["toa"],
		  json::parse(R"({"kind":254,"length":8,"client":"203.0.113.7:4321"})"));
	EXPECT_EQ(c["ack"]["read"], true);
	EXPECT_EQ(c["ack"]["outcome"], "accepted");
	EXPECT_EQ(c["data"]["read"], false);
	EXPECT_EQ(c["data"]["payload"], 10);
	EXPECT_EQ(c["data"]["completes_handshake"], false);
	EXPECT_EQ(c["fix"], "");
	EXPECT_EQ(c["counters"], nullptr); // from a file: no counters

	c = r.by_port(40002);
	EXPECT_EQ(c["verdict"], "wrong_kind");
	EXPECT_EQ(c["kind"], 200);
	EXPECT_EQ(c["client"], "203.0.113.7:4321");
	EXPECT_EQ(c["ack"]["outcome"], "wrong_kind");
	EXPECT_EQ(
		c["fix"],
		"toa-check enable --option-kinds 254,253,200\n"
		"echo '254,253,200' > /sys/module/toa/parameters/option_kinds   (now, without reload)");

	c = r.by_port(40003);
	EXPECT_EQ(c["verdict"], "untrusted");
	EXPECT_EQ(c["balancer"], "192.0.2.9:40003");
	EXPECT_THAT(
		c["fix"].get<std::string>(),
		HasSubstr(
			"toa-check enable --trusted-sources 198.51.100.0/24,2001:db8:1::/64,192.0.2.9/32"));

	c = r.by_port(40004);
	EXPECT_EQ(c["verdict"], "malformed");
	EXPECT_EQ(c["ack"]["options"], json::parse(R"([{"kind":254,"length":10}])"));
	EXPECT_THAT(c["summary"].get<std::string>(), HasSubstr("kind 254 with length 10"));

	c = r.by_port(40005);
	EXPECT_EQ(c["verdict"], "bad_client");
	EXPECT_EQ(c["client"], "0.0.0.0:0");

	c = r.by_port(40006);
	EXPECT_EQ(c["verdict"], "not_read");
	EXPECT_EQ(c["packet"], "data");
	EXPECT_EQ(c["data"]["read"], false);
	EXPECT_EQ(c["data"]["outcome"], "accepted"); // what it would be, were it read
	EXPECT_EQ(c["ack"]["toa"], nullptr);

	c = r.by_port(40007);
	EXPECT_EQ(c["verdict"], "no_toa");
	EXPECT_EQ(c["packet"], nullptr);
	EXPECT_EQ(c["client"], nullptr);
	EXPECT_THAT(c["summary"].get<std::string>(),
		    HasSubstr("this balancer sends no client address"));

	c = r.by_port(40008);
	EXPECT_EQ(c["verdict"], "accepted");
	EXPECT_EQ(c["family"], 6);
	EXPECT_EQ(c["kind"], 253);
	EXPECT_EQ(c["client"], "[2001:db8:c0::7]:4321");
	EXPECT_EQ(c["balancer"], "[2001:db8:1::2]:40008");
	EXPECT_EQ(c["server"], "[2001:db8:1::1]:8080");

	c = r.by_port(40009);
	EXPECT_EQ(c["verdict"], "accepted");
	EXPECT_EQ(c["packet"], "data");
	EXPECT_EQ(c["ack"], nullptr);
	EXPECT_EQ(c["data"]["completes_handshake"], true);
	EXPECT_EQ(c["data"]["read"], true);

	c = r.by_port(40010);
	EXPECT_EQ(c["verdict"], "accepted");
	EXPECT_EQ(c["packet"], "syn");

	EXPECT_EQ(r.summary["connections"], 10);
	EXPECT_EQ(r.summary["verdicts"],
		  json::parse(R"({"accepted":4,"bad_client":1,"malformed":1,"no_toa":1,"not_read":1,
				  "untrusted":1,"wrong_kind":1})"));
	EXPECT_EQ(r.summary["incomplete"], 0);
	EXPECT_EQ(r.summary["untraced"], 0);
}

TEST_F(Trace, Kind200WhileTheModuleTakes200)
{
	load_module("200", "");
	Traced r = trace(handshake(flow(40001), kMss, toa4(200, "203.0.113.7", 4321)));
	ASSERT_EQ(r.conns.size(), 1u);
	EXPECT_EQ(r.conns[0]["verdict"], "accepted");
	// ... and 254 is then the wrong kind.
	r = trace(handshake(flow(40001), kMss, toa4(254, "203.0.113.7", 4321)));
	EXPECT_EQ(r.conns[0]["verdict"], "wrong_kind");
	EXPECT_THAT(r.conns[0]["fix"].get<std::string>(), HasSubstr("--option-kinds 200,254\n"));
}

TEST_F(Trace, ModuleNotLoadedUsesItsDefaults)
{
	Traced r = trace(handshake(flow(40001, "192.0.2.9"), kMss, toa4(254, "203.0.113.7", 4321)));
	EXPECT_EQ(r.start["module_loaded"], false);
	EXPECT_EQ(r.start["option_kinds"], "254,253");
	EXPECT_EQ(r.start["trusted_sources"], "");
	ASSERT_EQ(r.conns.size(), 1u);
	EXPECT_EQ(r.conns[0]["verdict"], "accepted"); // empty trusted_sources: any source
	r = trace(handshake(flow(40001), kMss, toa4(200, "203.0.113.7", 4321)));
	EXPECT_EQ(r.conns[0]["fix"],
		  "toa-check enable --option-kinds 254,253,200"); // nothing live to change
}

TEST_F(Trace, TextOutput)
{
	load_module();
	std::vector<toatest::Frame> f =
		handshake(flow(40001), kMss, toa4(254, "203.0.113.7", 4321));
	append(f,
	       handshake(flow(40002), kMss, cat({{1, 1}, toa4(200, "203.0.113.7", 4321)}), {}, 0,
			 1001));
	toatest::write_pcap(pcap, f);
	auto r = toatest::run_cli(sys, {"trace", "--read", pcap, "--count", "0"});
	EXPECT_EQ(r.code, 0) << r.err;
	EXPECT_EQ(
		r.out,
		"tracing handshakes to every TCP port with option_kinds 254,253, trusted_sources "
		"198.51.100.0/24,2001:db8:1::/64\n"
		"198.51.100.2:40001 -> 198.51.100.1:8080  SYN [mss]  ACK [254/8=203.0.113.7:4321]  data -  "
		"\u2713 accepted: client 203.0.113.7:4321 (kind 254 on the handshake ACK)\n"
		"198.51.100.2:40002 -> 198.51.100.1:8080  SYN [mss]  ACK [nop,nop,200/8=203.0.113.7:4321]  data -  "
		"\u2717 ignored: kind 200 (client 203.0.113.7:4321) on the handshake ACK is not in option_kinds "
		"254,253\n"
		"    fix: toa-check enable --option-kinds 254,253,200\n"
		"         echo '254,253,200' > /sys/module/toa/parameters/option_kinds   (now, without reload)\n"
		"2 connections traced (accepted 1, wrong_kind 1)\n");
}

TEST_F(Trace, CookedAndEthernetFrames)
{
	const auto hs = handshake(flow(40001), kMss, toa4(254, "203.0.113.7", 4321));
	Traced sll = trace(hs, {}, DLT_LINUX_SLL, 0 /* to us */);
	ASSERT_EQ(sll.conns.size(), 1u);
	EXPECT_EQ(sll.conns[0]["verdict"], "accepted");
	// What this host sent (PACKET_OUTGOING) is not the balancer's.
	Traced out = trace(hs, {}, DLT_LINUX_SLL, 4);
	EXPECT_TRUE(out.conns.empty());
	Traced eth = trace(hs, {}, DLT_EN10MB);
	ASSERT_EQ(eth.conns.size(), 1u);
	EXPECT_EQ(eth.conns[0]["client"], "203.0.113.7:4321");
}

TEST_F(Trace, PortsAndCount)
{
	std::vector<toatest::Frame> f;
	Flow other = flow(40002);
	other.srv_port = 9090;
	append(f, handshake(flow(40001), kMss, {}, {}, 0, 1000));
	append(f, handshake(other, kMss, {}, {}, 0, 1001));
	append(f, handshake(flow(40003), kMss, {}, {}, 0, 1002));
	Traced only = trace(f, {"--port", "9090"});
	ASSERT_EQ(only.conns.size(), 1u);
	EXPECT_EQ(only.conns[0]["port"], 9090);
	Traced both = trace(f, {"--port", "8080,9090"});
	EXPECT_EQ(both.conns.size(), 3u);
	// --count stops early.
	Traced one = trace(f, {"--count", "2"});
	EXPECT_EQ(one.conns.size(), 2u);
	EXPECT_EQ(one.summary["connections"], 2);
}

TEST_F(Trace, HandshakesThatDoNotCompleteAndTheirEnds)
{
	std::vector<toatest::Frame> f;
	f.push_back({1000, tcp_packet(flow(40001), kSyn, kMss)});   // SYN only
	f.push_back({1000.5, tcp_packet(flow(40001), kSyn, kMss)}); // retransmitted
	f.push_back({1001, tcp_packet(flow(40002), kSyn, kMss)});
	f.push_back({1001.1, tcp_packet(flow(40002), kRst, {})}); // reset in the handshake
	append(f, handshake(flow(40003), kMss, toa4(254, "203.0.113.7", 1), {}, 0, 1002));
	f.push_back({1002.5, tcp_packet(flow(40003), kFin | kAck, {}, 0, 1001)}); // FIN before data
	append(f, handshake(flow(40004), kMss, {}, {}, 0, 1003)); // waits for data ...
	append(f, handshake(flow(40005), kMss, {}, {}, 5, 1010)); // ... this comes later
	Traced r = trace(f);
	ASSERT_EQ(r.conns.size(), 3u);
	EXPECT_EQ(r.by_port(40003)["verdict"], "accepted");
	EXPECT_EQ(r.by_port(40003)["data"], nullptr);
	// 40004 finished by data_wait (2 s) before 40005's data arrived.
	EXPECT_THAT(r.conns[1]["balancer"].get<std::string>(), HasSubstr(":40004"));
	EXPECT_THAT(r.conns[2]["balancer"].get<std::string>(), HasSubstr(":40005"));
	EXPECT_EQ(r.summary["incomplete"], 2);
}

TEST_F(Trace, TheSameFourTupleAgain)
{
	std::vector<toatest::Frame> f = handshake(flow(40001), kMss, {}, {}, 0, 1000);
	append(f, handshake(flow(40001), kMss, toa4(254, "203.0.113.7", 1), {}, 0, 1000.5));
	Traced r = trace(f);
	ASSERT_EQ(r.conns.size(), 2u);
	EXPECT_EQ(r.conns[0]["verdict"], "no_toa");
	EXPECT_EQ(r.conns[1]["verdict"], "accepted");
}

TEST_F(Trace, TruncatedCaptureIsNotJudged)
{
	std::vector<toatest::Frame> f =
		handshake(flow(40001), kMss, toa4(254, "203.0.113.7", 4321));
	f[1].caplen = 20 + 20 + 4; // the ACK's TOA cut in the middle
	Traced r = trace(f);
	ASSERT_EQ(r.conns.size(), 1u);
	EXPECT_EQ(r.conns[0]["ack"]["truncated"], true);
	EXPECT_EQ(r.conns[0]["ack"]["outcome"], "none");
}

TEST(TraceTracker, BoundedTable)
{
	Rules rules;
	TraceLimits lim;
	lim.max_conns = 3;
	Tracker t(rules, lim);
	for (uint16_t p = 1; p <= 5; ++p) {
		Bytes pkt = tcp_packet(flow(p), kSyn, kMss);
		auto s = decode_frame(DLT_RAW, pkt.data(), pkt.size());
		ASSERT_TRUE(s);
		t.feed(*s, 1000);
	}
	EXPECT_EQ(t.in_progress(), 3u);
	EXPECT_EQ(t.untraced(), 2u);
	t.expire(1000 + lim.handshake_timeout + 1);
	EXPECT_EQ(t.in_progress(), 0u);
	EXPECT_EQ(t.incomplete(), 3u);
	EXPECT_TRUE(t.take_finished().empty());
}

// A live-like source: frames stamped now; a hook runs after each frame.
class FakeCapture : public Capture {
public:
	std::vector<Bytes> frames;
	std::function<void(size_t)> after;
	size_t next_ = 0;
	Next next(Frame &f, int) override
	{
		if (next_ > 0 && after)
			after(next_ - 1);
		if (next_ >= frames.size())
			return Next::End;
		using namespace std::chrono;
		f.ts = duration<double>(system_clock::now().time_since_epoch()).count();
		f.data = frames[next_].data();
		f.caplen = f.wirelen = frames[next_].size();
		++next_;
		return Next::Frame;
	}
	int linktype() const override { return DLT_RAW; }
	std::string set_ports(const std::vector<uint16_t> &) override { return ""; }
};

TEST_F(Trace, CountersThatMovedForTheConnection)
{
	load_module();
	root.put("/proc/net/toa_stats",
		 toatest::stats_text({{"syn_recv_sock_toa", 5}, {"entries_live", 2}}));
	FakeCapture cap;
	for (const auto &fr : handshake(flow(40001), kMss, toa4(254, "203.0.113.7", 4321), {}, 3))
		cap.frames.push_back(fr.bytes);
	cap.after = [&](size_t i) {
		if (i == 1) // the module counts the ACK; a counter new to toa-check moves too
			root.put("/proc/net/toa_stats",
				 toatest::stats_text({{"syn_recv_sock_toa", 6},
						      {"entries_allocated", 1},
						      {"entries_live", 3}}) +
					 "future_counter 2\n");
	};
	TraceOptions opt;
	opt.ports = {8080};
	opt.json = true;
	std::ostringstream out, err;
	Env env{sys, out, err};
	Rules rules = Rules::from_system(sys);
	EXPECT_EQ(run_trace(env, opt, rules, cap, true), 0);
	Traced r = parse_lines({0, out.str(), err.str()});
	ASSERT_EQ(r.conns.size(), 1u) << out.str();
	EXPECT_EQ(r.start["source"], "live");
	EXPECT_EQ(
		r.conns[0]["counters"],
		json::parse(R"({"syn_recv_sock_toa":1,"entries_allocated":1,"future_counter":2})"));
}

TEST(TraceDecode, NothingPastTheTcpHeaderIsRead)
{
	Bytes full = tcp_packet(flow(40001), kAck | kPsh, toa4(254, "203.0.113.7", 4321), 1000);
	// Only the headers, in a buffer of exactly that size: a read past it
	// is an AddressSanitizer error in the unit-asan suite.
	size_t headers = 20 + 20 + 8;
	auto *exact = new uint8_t[headers];
	std::memcpy(exact, full.data(), headers);
	auto s = decode_frame(DLT_RAW, exact, headers);
	ASSERT_TRUE(s);
	EXPECT_EQ(s->payload, 1000u); // from the IP length
	EXPECT_EQ(s->tcp_len, 28u);
	EXPECT_FALSE(s->truncated);
	Rules rules;
	auto e = rules.evaluate(Packet::Data, s->tcp, s->tcp_len, s->src);
	EXPECT_EQ(e.toa->client(), "203.0.113.7:4321");
	delete[] exact;
}

TEST(TraceDecode, RefusesWhatIsNotAnInboundTcpSegment)
{
	Bytes p = tcp_packet(flow(1), kSyn, kMss);
	EXPECT_TRUE(decode_frame(DLT_RAW, p.data(), p.size()));
	Bytes udp = p;
	udp[9] = 17;
	EXPECT_FALSE(decode_frame(DLT_RAW, udp.data(), udp.size()));
	Bytes frag = p;
	frag[6] = 0x20; // more fragments
	EXPECT_FALSE(decode_frame(DLT_RAW, frag.data(), frag.size()));
	Bytes shortdoff = p;
	shortdoff[20 + 12] = 0x40; // data offset 16 bytes
	EXPECT_FALSE(decode_frame(DLT_RAW, shortdoff.data(), shortdoff.size()));
	Bytes overdoff = p;
	overdoff[20 + 12] = 0xf0; // 60 bytes, more than the IP length holds
	EXPECT_FALSE(decode_frame(DLT_RAW, overdoff.data(), overdoff.size()));
	EXPECT_FALSE(decode_frame(DLT_RAW, p.data(), 39));
	EXPECT_FALSE(decode_frame(DLT_PPP, p.data(), p.size()));
	Flow f6 = flow6(1);
	Bytes v6 = tcp_packet(f6, kSyn, kMss);
	EXPECT_TRUE(decode_frame(DLT_RAW, v6.data(), v6.size()));
	v6[6] = 0; // a hop-by-hop header first: not followed
	EXPECT_FALSE(decode_frame(DLT_RAW, v6.data(), v6.size()));
}

TEST(TraceDecode, RandomBytesNeverCrash)
{
	std::mt19937 rng(7);
	Rules rules;
	Tracker t(rules, {});
	for (int round = 0; round < 20000; ++round) {
		Bytes base =
			tcp_packet(flow(static_cast<uint16_t>(round % 50)), kSyn, kMss, round % 3);
		size_t n = rng() % (base.size() + 8);
		Bytes b(n);
		for (size_t i = 0; i < n; ++i)
			b[i] = (i < base.size() && rng() % 4) ? base[i]
							      : static_cast<uint8_t>(rng());
		for (int dlt : {DLT_RAW, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_EN10MB})
			if (auto s = decode_frame(dlt, b.data(), b.size())) {
				ASSERT_LE(s->tcp + s->tcp_len, b.data() + b.size());
				t.feed(*s, 1000 + round * 0.001);
			}
	}
	t.flush();
	t.take_finished();
}

TEST(TraceListening, PortsInListenStateOnly)
{
	std::string tcp =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n"
		"   1: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2\n"
		"   2: 0101A8C0:1F90 0201A8C0:C350 01 00000000:00000000 00:00000000 00000000     0        0 3\n";
	EXPECT_EQ(parse_listening_ports(tcp), (std::vector<uint16_t>{22, 8080}));
	std::string tcp6 =
		"  sl  local_address                         remote_address                        st\n"
		"   0: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 0 0\n";
	EXPECT_EQ(parse_listening_ports(tcp6), (std::vector<uint16_t>{443}));
	EXPECT_TRUE(parse_listening_ports("garbage\n:\n").empty());
}

TEST(TraceFilter, KernelFilterExpression)
{
	EXPECT_EQ(capture_filter({}), "tcp");
	EXPECT_EQ(capture_filter({443, 80, 443}), "tcp and (dst port 80 or dst port 443)");
	std::vector<uint16_t> many;
	for (uint16_t p = 1; p <= 100; ++p)
		many.push_back(p);
	EXPECT_EQ(capture_filter(many), "tcp");
	// libpcap compiles it.
	pcap_t *dead = pcap_open_dead(DLT_LINUX_SLL, kSnaplen);
	bpf_program prog{};
	EXPECT_EQ(pcap_compile(dead, &prog, capture_filter({80, 443, 8080}).c_str(), 1,
			       PCAP_NETMASK_UNKNOWN),
		  0);
	pcap_freecode(&prog);
	pcap_close(dead);
}

TEST_F(Trace, CommandLineErrors)
{
	sys.root_user = false;
	auto r = toatest::run_cli(sys, {"trace"});
	EXPECT_EQ(r.code, 2);
	EXPECT_EQ(
		r.err,
		"toa-check: error: trace captures packets and needs root (run: sudo toa-check trace)\n");
	sys.root_user = true;
	root.put("/proc/net/tcp", "  sl  local_address rem_address   st\n");
	r = toatest::run_cli(sys, {"trace"});
	EXPECT_EQ(r.code, 1);
	EXPECT_THAT(r.err, HasSubstr("no TCP port is listening"));
	for (auto bad : std::vector<std::vector<std::string>>{{"trace", "--port", "0"},
							      {"trace", "--port", "70000"},
							      {"trace", "--count", "-1"},
							      {"trace", "--seconds", "x"}}) {
		r = toatest::run_cli(sys, bad);
		EXPECT_EQ(r.code, 2) << bad[1] << " " << bad[2];
	}
	r = toatest::run_cli(sys, {"trace", "--read", root.path() + "/missing.pcap"});
	EXPECT_EQ(r.code, 1);
	EXPECT_THAT(r.err, HasSubstr("cannot read"));
}

} // namespace
