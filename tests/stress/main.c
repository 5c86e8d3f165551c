/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * toa-stress - stress and race tests of the toa module inside a test VM.
 *
 *   toa-stress --module /lib/modules/toa.ko [--seed N] [--conns N]
 *              [--cycles N] [--race-conns N] [--flip-conns N]
 *              [--checkers N] [--only a,b] [-v]
 *   toa-stress --list
 *
 * Prints "PASS <name>: <figures>" or "FAIL <name>: <reason>" per scenario,
 * "FIG <name> key=value ..." lines with the measured figures, then
 * "N passed, N failed"; exits 0 only when every selected scenario passed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "stress.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

char pass_note[512];

void fig(const char *fmt, ...)
{
	va_list ap;

	fputs("FIG ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int close_session(struct vt *vt, struct vt_session *s, unsigned int how)
{
	int err = 0, fd = s->fd;

	s->fd = -1;
	switch (how % 3) {
	case 0:		/* the LB resets: one packet, no state left anywhere */
		err = lbsim_reset(&s->c);
		close(fd);
		if (err)
			return vt_fail(vt, "sending RST: %s", strerror(-err));
		return 0;
	case 1:		/* the LB closes first: the server never holds TIME_WAIT */
		err = lbsim_send_segment(&s->c, LBSIM_FIN | LBSIM_ACK, NULL, 0,
					 NULL, 0);
		if (err) {
			close(fd);
			return vt_fail(vt, "sending FIN: %s", strerror(-err));
		}
		s->c.snd_nxt++;
		s->c.fin_sent = 1;
		close(fd);
		err = lbsim_close(&s->c, VT_TIMEOUT_MS);
		if (err)
			return vt_fail(vt, "orderly close (LB first): %s",
				       strerror(-err));
		return 0;
	default: {	/* the server aborts: it sends an RST */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };
		char buf[16];
		ssize_t n;

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
		n = lbsim_recv(&s->c, buf, sizeof(buf), VT_TIMEOUT_MS);
		if (n != -ECONNRESET)
			return vt_fail(vt, "server abort: emulator got %zd, want ECONNRESET",
				       n);
		return 0;
	}
	}
}

void lb_string(const struct vt *vt, int lb_family, enum vt_lsn lsn,
	       uint16_t lb_port, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	if (lb_family == AF_INET6) {
		inet_ntop(AF_INET6, &vt->lb6, a, sizeof(a));
		snprintf(out, cap, "[%s]:%u", a, lb_port);
	} else if (lsn == VT_LSN_V4) {
		inet_ntop(AF_INET, &vt->lb4, a, sizeof(a));
		snprintf(out, cap, "%s:%u", a, lb_port);
	} else {
		inet_ntop(AF_INET, &vt->lb4, a, sizeof(a));
		snprintf(out, cap, "[::ffff:%s]:%u", a, lb_port);
	}
}

/* ---- slots and getpeername checkers ---- */

int slots_init(struct slots *ss, int n)
{
	int i;

	ss->v = calloc((size_t)n, sizeof(*ss->v));
	if (!ss->v)
		return -1;
	ss->n = n;
	for (i = 0; i < n; i++) {
		pthread_mutex_init(&ss->v[i].mu, NULL);
		ss->v[i].s.fd = -1;
	}
	return 0;
}

void slots_free(struct slots *ss)
{
	int i;

	if (!ss->v)
		return;
	for (i = 0; i < ss->n; i++) {
		vt_sess_abort(&ss->v[i].s);
		pthread_mutex_destroy(&ss->v[i].mu);
	}
	free(ss->v);
	ss->v = NULL;
}

struct checker_arg {
	struct checkers *c;
	unsigned int id;
};

static void *checker_main(void *p)
{
	struct checker_arg *arg = p;
	struct checkers *c = arg->c;
	unsigned int at = arg->id * 7919u;
	long calls = 0, bad = 0, gone = 0;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		struct slot *sl = &c->ss->v[at++ % (unsigned int)c->ss->n];
		char peer[128];

		pthread_mutex_lock(&sl->mu);
		if (sl->s.fd >= 0) {
			int err = vt_peer_of(sl->s.fd, peer, sizeof(peer));

			calls++;
			if (err == -ENOTCONN) {
				gone++;
			} else if (strcmp(peer, sl->want) &&
				   (!sl->alt[0] || strcmp(peer, sl->alt))) {
				bad++;
				pthread_mutex_lock(&c->mu);
				if (!c->first_bad[0])
					snprintf(c->first_bad, sizeof(c->first_bad),
						 "connection %ld: getpeername gave %s, want %s%s%s",
						 sl->conn, peer, sl->want,
						 sl->alt[0] ? " or " : "", sl->alt);
				pthread_mutex_unlock(&c->mu);
			}
		}
		pthread_mutex_unlock(&sl->mu);
		if ((at & 63) == 0)
			sched_yield();
	}
	__atomic_add_fetch(&c->calls, calls, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->bad, bad, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->gone, gone, __ATOMIC_RELAXED);
	free(arg);
	return NULL;
}

int checkers_start(struct checkers *c, struct slots *ss, int n)
{
	int i;

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	c->ss = ss;
	c->tid = calloc((size_t)(n ? n : 1), sizeof(*c->tid));
	if (!c->tid)
		return -1;
	for (i = 0; i < n; i++) {
		struct checker_arg *arg = malloc(sizeof(*arg));

		if (!arg)
			return -1;
		arg->c = c;
		arg->id = (unsigned int)i;
		if (pthread_create(&c->tid[i], NULL, checker_main, arg)) {
			free(arg);
			return -1;
		}
		c->n++;
	}
	return 0;
}

int checkers_stop(struct vt *vt, struct checkers *c)
{
	int i;

	__atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < c->n; i++)
		pthread_join(c->tid[i], NULL);
	free(c->tid);
	c->tid = NULL;
	pthread_mutex_destroy(&c->mu);
	if (c->bad)
		return vt_fail(vt, "%ld of %ld concurrent getpeername answers wrong; first: %s",
			       c->bad, c->calls, c->first_bad);
	return 0;
}

/* ---- main ---- */

struct sc {
	const char *name;
	int (*run)(struct vt *vt, const struct opts *o);
};

static const struct sc scs[] = {
	{ "bad_params", sc_bad_params },
	{ "hostile_traffic", sc_hostile_traffic },
	{ "trusted_flip", sc_trusted_flip },
	{ "unload_race", sc_unload_race },
	{ "final_unload", sc_final_unload },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: toa-stress --module PATH [--seed N] [--conns N] [--cycles N]\n"
		"                  [--race-conns N] [--flip-conns N] [--checkers N]\n"
		"                  [--only NAME[,NAME...]] [-v]\n"
		"       toa-stress --list\n"
		"defaults: --conns 100000 --cycles 50 --race-conns 1000 --flip-conns 2000\n"
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
	struct opts o = { .conns = 100000, .cycles = 50, .race_conns = 1000,
			  .flip_conns = 2000, .checkers = 2 };
	struct vt vt;
	const char *only = NULL;
	bool seeded = false;
	int passed = 0, failed = 0, i;
	size_t k;
	int64_t t0 = mono_ms();

	memset(&vt, 0, sizeof(vt));
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
				fprintf(stderr, "toa-stress: --seed wants a number, got \"%s\"\n", v);
				return 2;
			}
			seeded = true;
		} else if ((!strcmp(a, "--conns") || !strcmp(a, "--race-conns") ||
			    !strcmp(a, "--flip-conns")) && v) {
			if (!num_arg(v, 1, 100000000, &n)) {
				fprintf(stderr, "toa-stress: %s wants 1..100000000, got \"%s\"\n",
					a, v);
				return 2;
			}
			if (!strcmp(a, "--conns"))
				o.conns = n;
			else if (!strcmp(a, "--race-conns"))
				o.race_conns = n;
			else
				o.flip_conns = n;
		} else if (!strcmp(a, "--cycles") && v) {
			if (!num_arg(v, 1, 100000, &n)) {
				fprintf(stderr, "toa-stress: --cycles wants 1..100000, got \"%s\"\n", v);
				return 2;
			}
			o.cycles = (int)n;
		} else if (!strcmp(a, "--checkers") && v) {
			if (!num_arg(v, 0, 64, &n)) {
				fprintf(stderr, "toa-stress: --checkers wants 0..64, got \"%s\"\n", v);
				return 2;
			}
			o.checkers = (int)n;
		} else if (!strcmp(a, "--only") && v) {
			only = v;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			vt.verbose = true;
			continue;
		} else if (!strcmp(a, "--list")) {
			for (k = 0; k < VT_ARRAY_SIZE(scs); k++)
				printf("%s\n", scs[k].name);
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
		fprintf(stderr, "toa-stress: cannot read module %s: %s\n",
			vt.module_path, strerror(errno));
		return 2;
	}
	if (only) {
		for (k = 0; k < VT_ARRAY_SIZE(scs); k++)
			if (vt_selected(only, scs[k].name))
				break;
		if (k == VT_ARRAY_SIZE(scs)) {
			fprintf(stderr, "toa-stress: --only %s matches no scenario (see --list)\n",
				only);
			return 2;
		}
	}
	if (!seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		o.seed = (uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec;
	}
	printf("# toa-stress seed %" PRIu64 " (replay: --seed %" PRIu64 ")\n",
	       o.seed, o.seed);
	fig("run seed=%" PRIu64 " conns=%ld cycles=%d race_conns=%ld flip_conns=%ld checkers=%d cpus=%ld",
	    o.seed, o.conns, o.cycles, o.race_conns, o.flip_conns, o.checkers,
	    sysconf(_SC_NPROCESSORS_ONLN));

	if (vt_setup_net(&vt, "toastress0", NULL)) {
		printf("FAIL setup: %s\n", vt.err);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	for (k = 0; k < VT_ARRAY_SIZE(scs); k++) {
		int64_t s0 = mono_ms();
		int r;

		if (!vt_selected(only, scs[k].name))
			continue;
		vt.err[0] = '\0';
		pass_note[0] = '\0';
		r = scs[k].run(&vt, &o);
		fig("%s seconds=%.1f", scs[k].name, (double)(mono_ms() - s0) / 1000);
		if (r == 0) {
			printf("PASS %s%s%s\n", scs[k].name, pass_note[0] ? ": " : "",
			       pass_note);
			passed++;
		} else {
			printf("FAIL %s: %s (seed %" PRIu64 ")\n", scs[k].name,
			       vt.err[0] ? vt.err : "(no reason recorded)", o.seed);
			failed++;
			vt_stats_dump();
			vt_kmsg_dump_toa();
		}
	}
	fig("total seconds=%.1f", (double)(mono_ms() - t0) / 1000);
	printf("%d passed, %d failed\n", passed, failed);
	lbsim_tun_close(vt.tun);
	return failed ? 1 : 0;
}
