/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * toa-bench - what the toa module costs, per operation (bench.h).
 *
 *   toa-bench --module PATH [--rounds N] [--conns N] [--calls N]
 *             [--batch N] [--live N] [--unchecked]
 *
 * Each round measures phase A (no module), B (module, no TOA) and C
 * (module, TOA in every handshake): whole connections with the TOA on
 * the ACK, on the SYN and to a TCP_DEFER_ACCEPT listener; getpeername();
 * accept() and the close() that destroys the socket; then the same three
 * with --live connections open (TOA ones in C). Even rounds run A B C,
 * odd ones C B A, after one warm-up round (C B A) that is not recorded.
 * Prints BENCH-R (each round) and BENCH-M (median and
 * spread) lines, BENCH-MEM, and one PASS/FAIL line per step; exits 0 only
 * when every figure was produced with the right addresses. --unchecked
 * skips the address checks, to measure a stripped variant of the module
 * (docs/benchmarks.md); its figures are never the product's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "bench.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

static const char *const phase_name[PH_N] = {"a", "b", "c"};

static int record(struct bench *b, const char *what, int phase, int round, double v)
{
	char name[32];

	if (v < 0)
		return -1;
	if (round < 0)
		return 0; /* the warm-up round */
	snprintf(name, sizeof(name), "%s.%s", what, phase_name[phase]);
	bench_record(name, round, v);
	(void)b;
	return 0;
}

/*
 * What the phase before left to do in the background (RCU callbacks and
 * timers of the 10000 sockets it closed, the work a module load queues)
 * runs when the CPU would be idle. Under icount with sleep=off an idle CPU
 * costs no instructions and the clock jumps to the next timer, so a pause
 * lets that work finish outside the timed loops instead of being counted
 * in the first operation of the next phase (measured without it, 6.1: +2400
 * to +2700 instructions per connection in whichever phase came after a live
 * step, so the connection medians depended on the round order; spreads up
 * to 23 %).
 */
#define BENCH_SETTLE_US (500 * 1000)

/* the pause, as a step of a chain of timed steps (it cannot fail) */
static int settle(void)
{
	usleep(BENCH_SETTLE_US);
	return 0;
}

/* The operations of one phase, without and with --live connections. */
static int run_phase(struct bench *b, int phase, int round)
{
	struct bench_live *l;
	double acc, des;

	usleep(BENCH_SETTLE_US);
	if (record(b, "conn", phase, round, bench_conn(b, phase, TOA_ON_ACK, false)) ||
	    record(b, "conn_syn", phase, round, bench_conn(b, phase, TOA_ON_SYN, false)) ||
	    record(b, "conn_defer", phase, round, bench_conn(b, phase, TOA_ON_ACK, true)) ||
	    record(b, "getpeername", phase, round, bench_getpeername(b, phase)) ||
	    bench_accept_close(b, phase, &acc, &des) || record(b, "accept", phase, round, acc) ||
	    record(b, "destroy", phase, round, des))
		return -1;
	/* the same with many entries in the table (or sockets, in A and B) */
	l = bench_live_open(b, phase, b->live);
	if (!l)
		return -1;
	usleep(BENCH_SETTLE_US); /* the work 10000 new connections queued */
	if (record(b, "getpeername_live", phase, round, bench_getpeername(b, phase)) || settle() ||
	    bench_accept_close(b, phase, &acc, &des) ||
	    record(b, "accept_live", phase, round, acc) ||
	    record(b, "destroy_live", phase, round, des)) {
		bench_live_close(b, l);
		return -1;
	}
	/*
	 * A socket without TOA among the TOA ones. Before each timed step the
	 * work the one before queued (RCU callbacks and timers of the
	 * connections it closed) runs first, as between phases.
	 */
	if (phase == PH_C &&
	    (settle() ||
	     record(b, "getpeername_live_plain", PH_B, round, bench_getpeername(b, PH_B)) ||
	     settle() || bench_accept_close(b, PH_B, &acc, &des) ||
	     record(b, "accept_live_plain", PH_B, round, acc) ||
	     record(b, "destroy_live_plain", PH_B, round, des))) {
		bench_live_close(b, l);
		return -1;
	}
	bench_live_close(b, l);
	return phase == PH_A ? 0 : vt_wait_live_zero(&b->vt, 10000);
}

/*
 * Round -1 warms up and is not recorded: the first round after boot runs
 * every path for the first time (measured, 6.1: close() in phase a 4285
 * instructions in round 1, 4171 in later rounds of the same order), and
 * whether it was high or not decided which mode the 5-round median of a
 * figure with two modes took (4188 in one run, 4268 in the next).
 */
static int rounds(struct bench *b)
{
	static const int order[2][PH_N] = {{PH_A, PH_B, PH_C}, {PH_C, PH_B, PH_A}};
	int r, i;

	for (r = -1; r < b->rounds; r++) {
		for (i = 0; i < PH_N; i++) {
			int p = order[(r + 2) % 2][i];
			bool want = p != PH_A;

			if (want != vt_mod_loaded(VT_MODULE_NAME) &&
			    (want ? vt_load(&b->vt, "") : vt_unload(&b->vt)))
				return -1;
			if (run_phase(b, p, r))
				return vt_fail(&b->vt, "round %d, phase %s: %s", r + 1,
					       phase_name[p], b->vt.err);
		}
		if (vt_mod_loaded(VT_MODULE_NAME) && vt_unload(&b->vt))
			return -1;
		if (r < 0)
			printf("# warm-up round done\n");
		else
			printf("# round %d of %d done\n", r + 1, b->rounds);
	}
	return 0;
}

static int listeners(struct bench *b)
{
	int sec = 5;

	b->lfd = vt_listener(&b->vt, VT_LSN_V4, &b->lport);
	b->dfd = vt_listener(&b->vt, VT_LSN_V4, &b->dport);
	if (b->lfd < 0 || b->dfd < 0)
		return -1;
	if (setsockopt(b->dfd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &sec, sizeof(sec)))
		return vt_fail(&b->vt, "TCP_DEFER_ACCEPT: %s", strerror(errno));
	return 0;
}

static void print_info(const struct bench *b)
{
	static const char *const vuln[] = {"retbleed", "spectre_v2", "spec_rstack_overflow"};
	char path[128], text[160];
	struct utsname u;
	size_t i;

	uname(&u);
	printf("BENCH-INFO kernel=%s arch=%s cpus=%ld rounds=%d conns=%d calls=%d batch=%d live=%d\n",
	       u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN), b->rounds, b->conns, b->calls,
	       b->batch, b->live);
	/* mitigations change instruction counts: say which were on */
	for (i = 0; i < sizeof(vuln) / sizeof(vuln[0]); i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/vulnerabilities/%s", vuln[i]);
		if (!vt_read_file(path, text, sizeof(text)))
			printf("BENCH-CPU %s: %s\n", vuln[i], text);
	}
}

static int number(const char *opt, const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "toa-bench: %s wants a number in %d..%d, got \"%s\"\n", opt, lo, hi,
			s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int parse_args(struct bench *b, int argc, char **argv)
{
	static const struct {
		const char *name;
		int lo, hi;
		size_t off;
	} opts[] = {
		{"--rounds", 1, BENCH_MAX_ROUNDS, offsetof(struct bench, rounds)},
		{"--conns", 1, 100000, offsetof(struct bench, conns)},
		{"--calls", 1, 10000000, offsetof(struct bench, calls)},
		{"--batch", 1, 1000, offsetof(struct bench, batch)},
		{"--live", 1, 30000, offsetof(struct bench, live)},
	};
	int i;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--unchecked")) {
			b->unchecked = true;
			continue;
		}
		if (i + 1 >= argc)
			goto usage;
		if (!strcmp(argv[i], "--module")) {
			b->vt.module_path = argv[++i];
			continue;
		}
		for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (!strcmp(argv[i], opts[k].name))
				break;
		if (k == sizeof(opts) / sizeof(opts[0]))
			goto usage;
		if (number(argv[i], argv[i + 1], opts[k].lo, opts[k].hi,
			   (int *)((char *)b + opts[k].off)))
			return -1;
		i++;
	}
	if (b->vt.module_path && !access(b->vt.module_path, R_OK))
		return 0;
	fprintf(stderr, "toa-bench: --module PATH (a readable toa.ko) is required\n");
	return -1;
usage:
	fprintf(stderr,
		"usage: toa-bench --module PATH [--rounds N] [--conns N] [--calls N] [--batch N] [--live N]\n");
	return -1;
}

int main(int argc, char **argv)
{
	static struct bench b = {.rounds = 5,
				 .conns = 200,
				 .calls = 3000,
				 .batch = 100,
				 .live = 10000,
				 .next_host = 10};
	struct rlimit rl;
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(&b, argc, argv))
		return 2;
	rl.rlim_cur = rl.rlim_max = (rlim_t)b.live + 2 * b.batch + 1024;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		printf("# setrlimit(NOFILE): %s\n", strerror(errno));
	print_info(&b);
	if (vt_setup_net(&b.vt, "toabench0", NULL) || listeners(&b)) {
		printf("FAIL bench_setup: %s\n", b.vt.err);
		return 1;
	}
	printf("PASS bench_setup\n");
	if (rounds(&b)) {
		printf("FAIL bench_rounds: %s\n", b.vt.err);
		vt_stats_dump();
		vt_kmsg_dump_toa();
		failed++;
	} else {
		bench_report(b.rounds);
		printf("PASS bench_rounds\n");
	}
	if ((vt_mod_loaded(VT_MODULE_NAME) || !vt_load(&b.vt, "")) && !bench_memory(&b, b.live) &&
	    !vt_unload(&b.vt)) {
		printf("PASS bench_memory\n");
	} else {
		printf("FAIL bench_memory: %s\n", b.vt.err);
		failed++;
	}
	printf("TOA-BENCH-END failed=%d\n", failed);
	return failed ? 1 : 0;
}
