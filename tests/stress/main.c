/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * toa-stress - stress and race tests of the toa module inside a test VM.
 *
 *   toa-stress --module /lib/modules/toa.ko [--seed N] [--conns N]
 *              [--cycles N] [--race-conns N] [--flip-conns N]
 *              [--par-conns N] [--checkers N] [--only a,b] [-v]
 *   toa-stress --list
 *
 * Prints "PASS <name>: <figures>" or "FAIL <name>: <reason>" per scenario,
 * "FIG <name> key=value ..." lines with the measured figures, then
 * "N passed, N failed"; exits 0 only when every selected scenario passed.
 *
 * The scenarios are the VT_SCENARIO() registrations of the files here,
 * one per scenario; st.h gives their order.
 */
#include "st.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void st_fig(const char *fmt, ...)
{
	va_list ap;

	fputs("FIG ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

int64_t st_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t run_start_ms;

static void fig_seconds(struct vt *vt, const char *name, double seconds)
{
	(void)vt;
	st_fig("%s seconds=%.1f", name, seconds);
}

static void fig_total(struct vt *vt)
{
	(void)vt;
	st_fig("total seconds=%.1f", (double)(st_mono_ms() - run_start_ms) / 1000);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: toa-stress --module PATH [--seed N] [--conns N] [--cycles N]\n"
		"                  [--race-conns N] [--flip-conns N] [--par-conns N]\n"
		"                  [--checkers N]\n"
		"                  [--only NAME[,NAME...]] [-v]\n"
		"       toa-stress --list\n"
		"defaults: --conns 100000 --cycles 50 --race-conns 1000 --flip-conns 2000\n"
		"          --par-conns 20000\n"
		"          --checkers 2, --seed from the clock (printed)\n");
}

static bool num_arg(const char *s, long min, long max, long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = (long)v;
	return true;
}

int main(int argc, char **argv)
{
	struct st_opts o = {.conns = 100000,
			    .cycles = 50,
			    .race_conns = 1000,
			    .flip_conns = 2000,
			    .par_conns = 20000,
			    .checkers = 2};
	struct vt vt;
	char seed_note[48];
	struct vt_prog prog = {
		.tun_name = "toastress0",
		.after_each = fig_seconds,
		.after_all = fig_total,
		.fail_suffix = seed_note,
	};
	const char *only = NULL;
	bool seeded = false;
	int i;

	run_start_ms = st_mono_ms();
	memset(&vt, 0, sizeof(vt));
	vt.opts = &o;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long n;

		if (!strcmp(a, "--module") && v) {
			vt.module_path = v;
		} else if (!strcmp(a, "--seed") && v) {
			char *end;

			errno = 0;
			o.seed = strtoull(v, &end, 0);
			if (errno || end == v || *end) {
				fprintf(stderr, "toa-stress: --seed wants a number, got \"%s\"\n",
					v);
				return 2;
			}
			seeded = true;
		} else if ((!strcmp(a, "--conns") || !strcmp(a, "--race-conns") ||
			    !strcmp(a, "--flip-conns") || !strcmp(a, "--par-conns")) &&
			   v) {
			if (!num_arg(v, 1, 100000000, &n)) {
				fprintf(stderr, "toa-stress: %s wants 1..100000000, got \"%s\"\n",
					a, v);
				return 2;
			}
			if (!strcmp(a, "--conns"))
				o.conns = n;
			else if (!strcmp(a, "--race-conns"))
				o.race_conns = n;
			else if (!strcmp(a, "--par-conns"))
				o.par_conns = n;
			else
				o.flip_conns = n;
		} else if (!strcmp(a, "--cycles") && v) {
			if (!num_arg(v, 1, 100000, &n)) {
				fprintf(stderr,
					"toa-stress: --cycles wants 1..100000, got \"%s\"\n", v);
				return 2;
			}
			o.cycles = (int)n;
		} else if (!strcmp(a, "--checkers") && v) {
			if (!num_arg(v, 0, 64, &n)) {
				fprintf(stderr, "toa-stress: --checkers wants 0..64, got \"%s\"\n",
					v);
				return 2;
			}
			o.checkers = (int)n;
		} else if (!strcmp(a, "--only") && v) {
			only = v;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			vt.verbose = true;
			continue;
		} else if (!strcmp(a, "--list")) {
			vt_list(&vt);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "toa-stress: unknown or incomplete argument \"%s\"\n", a);
			usage(stderr);
			return 2;
		}
		i++;
	}
	if (!vt.module_path) {
		fprintf(stderr, "toa-stress: --module PATH is required\n");
		usage(stderr);
		return 2;
	}
	if (access(vt.module_path, R_OK) != 0) {
		fprintf(stderr, "toa-stress: cannot read module %s: %s\n", vt.module_path,
			strerror(errno));
		return 2;
	}
	if (only && !vt_only_matches(&vt, only)) {
		fprintf(stderr, "toa-stress: --only %s matches no scenario (see --list)\n", only);
		return 2;
	}
	if (!seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		o.seed = (uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec;
	}
	printf("# toa-stress seed %" PRIu64 " (replay: --seed %" PRIu64 ")\n", o.seed, o.seed);
	st_fig("run seed=%" PRIu64
	       " conns=%ld cycles=%d race_conns=%ld flip_conns=%ld par_conns=%ld checkers=%d cpus=%ld",
	       o.seed, o.conns, o.cycles, o.race_conns, o.flip_conns, o.par_conns, o.checkers,
	       sysconf(_SC_NPROCESSORS_ONLN));

	snprintf(seed_note, sizeof(seed_note), " (seed %" PRIu64 ")", o.seed);
	return vt_run(&vt, &prog, only);
}
