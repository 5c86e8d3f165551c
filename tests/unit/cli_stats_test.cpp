// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check stats: parsing, table, Prometheus text format, --watch deltas.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_fixture.h"
#include "stats.h"

using namespace toacheck;
using testing::HasSubstr;

namespace {

TEST(Stats, ParseKeepsUnknownNamesAndSkipsGarbage)
{
	Stats s =
		parse_stats("syn_recv_sock_toa 5\nfuture_counter   7\n\nbroken line here\nneg -1\n"
			    "big 99999999999999999999999\nentries_live\t3\n");
	ASSERT_EQ(s.items.size(), 3u);
	EXPECT_EQ(s.items[0].name, "syn_recv_sock_toa");
	EXPECT_EQ(s.items[1].name, "future_counter");
	EXPECT_EQ(s.get("future_counter"), 7u);
	EXPECT_EQ(s.get("entries_live"), 3u);
	EXPECT_FALSE(s.get("neg"));
}

TEST(Stats, FullFileInOrder)
{
	Stats s = parse_stats(toatest::stats_text({{"getname_toa_ok", 42}}));
	ASSERT_EQ(s.items.size(), 22u);
	EXPECT_EQ(s.items.front().name, "syn_recv_sock_toa");
	EXPECT_EQ(s.items.back().name, "nmissed_inet_sock_destruct");
	EXPECT_EQ(s.get("getname_toa_ok"), 42u);
	EXPECT_EQ(s.get("max_entries"), 262144u);
}

TEST(Stats, Prometheus)
{
	Stats s = parse_stats("syn_recv_sock_toa 5\nentries_live 3\nmaxactive 64\n"
			      "nmissed_inet_getname 2\nnmissed_inet6_getname 0\nnew-thing 9\n");
	std::string p = stats_prometheus(s);
	EXPECT_EQ(
		p,
		"# HELP toa_syn_recv_sock_toa_total Connections a client was learnt for (SYN, ACK or completing segment).\n"
		"# TYPE toa_syn_recv_sock_toa_total counter\n"
		"toa_syn_recv_sock_toa_total 5\n"
		"# HELP toa_entries_live Entries alive now.\n"
		"# TYPE toa_entries_live gauge\n"
		"toa_entries_live 3\n"
		"# HELP toa_maxactive Kretprobe instances per probe (only where a kretprobe is used).\n"
		"# TYPE toa_maxactive gauge\n"
		"toa_maxactive 64\n"
		"# HELP toa_kprobe_missed_total Calls an attachment missed (a kretprobe out of instances), per hooked function.\n"
		"# TYPE toa_kprobe_missed_total counter\n"
		"toa_kprobe_missed_total{probe=\"inet_getname\"} 2\n"
		"toa_kprobe_missed_total{probe=\"inet6_getname\"} 0\n"
		"# HELP toa_new_thing new-thing from /proc/net/toa_stats.\n"
		"# TYPE toa_new_thing untyped\n"
		"toa_new_thing 9\n");
}

TEST(Stats, PrometheusEveryKnownNameHasHelpAndType)
{
	std::string p = stats_prometheus(parse_stats(toatest::stats_text()));
	for (const char *name :
	     {"toa_syn_recv_sock_no_toa_total", "toa_getname_toa_ok_total", "toa_untrusted_total",
	      "toa_table_full_total", "toa_nat64_lookup_total", "toa_entries_freed_total"}) {
		EXPECT_THAT(p, HasSubstr(std::string("# TYPE ") + name + " counter\n")) << name;
		EXPECT_THAT(p, HasSubstr(std::string("# HELP ") + name + " ")) << name;
	}
	EXPECT_THAT(p, HasSubstr("# TYPE toa_max_entries gauge\ntoa_max_entries 262144\n"));
	EXPECT_THAT(p, testing::Not(HasSubstr("untyped")));
}

TEST(Stats, Deltas)
{
	Stats a = parse_stats("syn_recv_sock_toa 5\nentries_live 3\n");
	Stats b = parse_stats("syn_recv_sock_toa 12\nentries_live 1\n");
	std::string d = stats_deltas(a, b, 2);
	EXPECT_THAT(d, HasSubstr("--- last 2s\n"));
	EXPECT_THAT(d, HasSubstr("syn_recv_sock_toa  +7\n"));
	EXPECT_THAT(d, HasSubstr("entries_live       1\n"));
	// A reload (counter went down) shows the new value.
	EXPECT_THAT(stats_deltas(b, a, 1), HasSubstr("syn_recv_sock_toa  +5\n"));
}

class StatsCli : public testing::Test {
protected:
	StatsCli() : sys(root) { toatest::make_healthy(root, sys); }
	toatest::TempRoot root;
	toatest::FakeSystem sys;
};

TEST_F(StatsCli, TableAndFormats)
{
	auto r = toatest::run_cli(sys, {"stats"});
	EXPECT_EQ(r.code, 0);
	EXPECT_THAT(r.out, HasSubstr("syn_recv_sock_toa             5\n"));
	r = toatest::run_cli(sys, {"stats", "--prometheus"});
	EXPECT_EQ(r.code, 0);
	EXPECT_THAT(r.out, HasSubstr("toa_getname_toa_ok_total 9\n"));
}

TEST_F(StatsCli, NotLoaded)
{
	root.remove("/proc/net/toa_stats");
	auto r = toatest::run_cli(sys, {"stats"});
	EXPECT_EQ(r.code, 1);
	EXPECT_THAT(r.err, HasSubstr("toa is not loaded"));
}

TEST_F(StatsCli, WatchPrintsDeltas)
{
	uint64_t n = 5;
	sys.on_sleep = [&] {
		n += 10;
		root.put("/proc/net/toa_stats", toatest::stats_text({{"syn_recv_sock_toa", n}}));
	};
	auto r = toatest::run_cli(sys, {"stats", "--watch", "1", "--iterations", "2"});
	EXPECT_EQ(r.code, 0);
	EXPECT_EQ(sys.sleeps, 2);
	size_t first = r.out.find("--- last 1s");
	ASSERT_NE(first, std::string::npos);
	EXPECT_NE(r.out.find("--- last 1s", first + 1), std::string::npos);
	EXPECT_THAT(r.out, HasSubstr("syn_recv_sock_toa" + std::string(13, ' ') + "+10\n"));
}

TEST_F(StatsCli, WatchStopsWhenModuleGoesAway)
{
	sys.on_sleep = [&] { root.remove("/proc/net/toa_stats"); };
	auto r = toatest::run_cli(sys, {"stats", "--watch", "1", "--iterations", "3"});
	EXPECT_EQ(r.code, 1);
	EXPECT_EQ(sys.sleeps, 1);
}

} // namespace
