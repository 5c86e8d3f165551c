/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * toa-bench - what the toa module costs, measured inside the test VM.
 *
 *   toa-bench --module /lib/modules/toa.ko [--rounds N] [--conns N]
 *             [--gpn-ms MS] [--live N] [--warm N]
 *
 * Three phases, in one boot:
 *   a  no module
 *   b  module loaded, connections without TOA
 *   c  module loaded, TOA (kind 254, IPv4 client) in every handshake ACK
 * Each round runs every phase once, in the order a b c on even rounds and
 * c b a on odd ones (the module is loaded and unloaded inside the round),
 * so slow drift of the host does not favour one phase.
 *
 * Per phase and round:
 *   conn  connections per second: lbsim handshake -> accept -> getpeername
 *         -> request/answer -> orderly close (LB first), one after the other
 *   gpn   getpeername() calls per second on one open connection (a TOA
 *         connection in phase c)
 * Both start with an untimed warm-up (--warm connections, a tenth of
 * --gpn-ms): QEMU TCG translates code again after it was patched.
 * Then, module loaded: memory with --live connections kept open, in
 * phase b (no TOA) and c (TOA), from /sys/kernel/slab/toa_entry,
 * /proc/slabinfo and /proc/meminfo; every entry freed after close.
 *
 * Output: "BENCH-..." lines for tests/bench/run, "# ..." notes, and one
 * "PASS name" / "FAIL name: reason" line per check (the addresses seen are
 * checked on every connection, so a broken module cannot produce figures).
 * Exit status 0 only when every check passed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUNDS 30	/* LB addresses 198.51.100.10..189 */
#define PHASES 3
static const char phase_name[PHASES] = { 'a', 'b', 'c' };

struct opts {
	int rounds;
	int conns;
	int gpn_ms;
	int live;
	int warm;
};

struct results {
	double conn[PHASES][MAX_ROUNDS];
	double gpn[PHASES][MAX_ROUNDS];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool toa_phase(int phase)
{
	return phase == 2;
}

/* Distinct LB address per block of connections: no 4-tuple is ever reused
 * while its TIME_WAIT lasts, whatever the port cycle does. */
static struct in_addr lb_addr(int host)
{
	struct in_addr a;
	char s[32];

	snprintf(s, sizeof(s), "198.51.100.%d", host);
	inet_pton(AF_INET, s, &a);
	return a;
}

/* Throw away whatever the kernel sent that nobody waited for. */
static void drain_tun(struct vt *vt)
{
	static uint8_t buf[65536];

	while (read(lbsim_tun_fd(vt->tun), buf, sizeof(buf)) > 0)
		;
}

static size_t toa_opt(struct vt *vt, uint8_t *opt)
{
	return lbsim_toa_v4(opt, 254, &vt->client4, VT_CLIENT_PORT);
}

/* VT_CLIENT4 (203.0.113.7) in network order, for peer_ok() */
static const uint8_t CLIENT4_BYTES[4] = { 203, 0, 113, 7 };

/* Is @sa the address this phase must show: the client (c) or the LB? */
static bool peer_ok(const struct sockaddr_in *sa, int phase,
		    const struct lbsim_conn *c)
{
	if (sa->sin_family != AF_INET)
		return false;
	if (toa_phase(phase))
		return sa->sin_port == htons(VT_CLIENT_PORT) &&
		       !memcmp(&sa->sin_addr, CLIENT4_BYTES, 4);
	return sa->sin_port == htons(c->lb_port) &&
	       !memcmp(&sa->sin_addr, c->lb_addr, 4);
}

/* Handshake with TOA or not, accept, check the accepted address. */
static int open_conn(struct vt *vt, struct vt_session *s, int lfd, uint16_t port,
		     struct in_addr lb, int phase)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	uint8_t opt[LBSIM_MAX_OPTLEN];
	size_t optlen = toa_phase(phase) ? toa_opt(vt, opt) : 0;
	int err;

	s->fd = -1;
	err = lbsim_conn_init(&s->c, vt->tun, AF_INET, &lb, 0, &vt->srv4, port);
	if (!err)
		err = lbsim_connect(&s->c, NULL, 0, optlen ? opt : NULL, optlen,
				    VT_TIMEOUT_MS);
	if (err)
		return vt_fail(vt, "emulated handshake: %s", strerror(-err));
	if (poll(&pfd, 1, VT_TIMEOUT_MS) != 1)
		return vt_fail(vt, "nothing to accept after %d ms", VT_TIMEOUT_MS);
	s->fd = accept4(lfd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
	if (s->fd < 0)
		return vt_fail(vt, "accept: %s", strerror(errno));
	if (!peer_ok(&sa, phase, &s->c)) {
		vt_fmt_sockaddr((struct sockaddr *)&sa, s->accepted,
				sizeof(s->accepted));
		return vt_fail(vt, "phase %c: accept() gave %s", phase_name[phase],
			       s->accepted);
	}
	return 0;
}

static int check_getpeername(struct vt *vt, struct vt_session *s, int phase)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	char got[96];

	if (getpeername(s->fd, (struct sockaddr *)&sa, &len) < 0)
		return vt_fail(vt, "getpeername: %s", strerror(errno));
	if (!peer_ok(&sa, phase, &s->c)) {
		vt_fmt_sockaddr((struct sockaddr *)&sa, got, sizeof(got));
		return vt_fail(vt, "phase %c: getpeername() gave %s",
			       phase_name[phase], got);
	}
	return 0;
}

/* @n whole connections; the rate in connections per second, < 0 on error */
/*
 * The LB closes first, as a client ending its request does: the server sees
 * EOF, closes, and its socket dies at the LB's last ACK (no TIME_WAIT on
 * the server, so thousands of connections do not fill the TIME_WAIT table
 * half-way through the run and change the cost of later rounds).
 */
static int lb_close_first(struct vt *vt, struct vt_session *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	char buf[64];
	ssize_t n;
	int err;

	err = lbsim_send_segment(&s->c, LBSIM_FIN | LBSIM_ACK, NULL, 0, NULL, 0);
	if (err)
		return vt_fail(vt, "emulator FIN: %s", strerror(-err));
	s->c.snd_nxt++;
	s->c.fin_sent = 1;
	if (poll(&pfd, 1, VT_TIMEOUT_MS) != 1)
		return vt_fail(vt, "server saw no EOF within %d ms", VT_TIMEOUT_MS);
	n = read(s->fd, buf, sizeof(buf));
	if (n != 0)
		return vt_fail(vt, "server read %zd at EOF: %s", n,
			       n < 0 ? strerror(errno) : "unexpected data");
	return vt_sess_close(vt, s);
}

static int one_bench_conn(struct vt *vt, int lfd, uint16_t port, int phase,
			  struct in_addr lb)
{
	struct vt_session s;

	if (open_conn(vt, &s, lfd, port, lb, phase) ||
	    check_getpeername(vt, &s, phase) || vt_sess_exchange(vt, &s) ||
	    lb_close_first(vt, &s)) {
		vt_sess_abort(&s);
		return -1;
	}
	return 0;
}

/*
 * @warm untimed connections first: under QEMU TCG, code that has not run
 * for a while (or was just patched by a module load or unload) is
 * translated again, which would be charged to the first connections.
 */
static double conn_rate(struct vt *vt, int lfd, uint16_t port, int phase,
			int n, int warm, struct in_addr lb)
{
	double t0;
	int i;

	for (i = 0; i < warm; i++)
		if (one_bench_conn(vt, lfd, port, phase, lb))
			return -1;
	t0 = now_s();
	for (i = 0; i < n; i++)
		if (one_bench_conn(vt, lfd, port, phase, lb))
			return -1;
	return n / (now_s() - t0);
}

/* getpeername() calls per second on one open connection, for @ms */
static double gpn_rate(struct vt *vt, int lfd, uint16_t port, int phase,
		       int ms, struct in_addr lb)
{
	struct vt_session s;
	struct sockaddr_in sa;
	socklen_t len;
	double t0, t;
	long calls = 0;
	int i;

	if (open_conn(vt, &s, lfd, port, lb, phase)) {
		vt_sess_abort(&s);
		return -1;
	}
	/* untimed warm-up (TCG translation), a tenth of the time */
	for (t0 = now_s(); (now_s() - t0) * 10000 < ms;)
		for (i = 0; i < 256; i++) {
			len = sizeof(sa);
			getpeername(s.fd, (struct sockaddr *)&sa, &len);
		}
	t0 = now_s();
	do {
		for (i = 0; i < 256; i++) {
			len = sizeof(sa);
			if (getpeername(s.fd, (struct sockaddr *)&sa, &len) < 0) {
				vt_fail(vt, "getpeername: %s", strerror(errno));
				vt_sess_abort(&s);
				return -1;
			}
		}
		calls += 256;
		t = now_s() - t0;
	} while (t * 1000 < ms);
	if (check_getpeername(vt, &s, phase) || vt_sess_close(vt, &s)) {
		vt_sess_abort(&s);
		return -1;
	}
	return calls / t;
}

/* ---- statistics of the rounds ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n, double *lo, double *hi)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, sizeof(double) * (size_t)n);
	qsort(s, (size_t)n, sizeof(double), cmp_double);
	*lo = s[0];
	*hi = s[n - 1];
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void print_stats(const char *what, double v[PHASES][MAX_ROUNDS],
			int rounds)
{
	double med[PHASES], lo, hi, pr[MAX_ROUNDS];
	int p, r;

	for (p = 0; p < PHASES; p++) {
		med[p] = median(v[p], rounds, &lo, &hi);
		printf("BENCH-STAT %s %c median=%.1f min=%.1f max=%.1f spread=%.1f%%\n",
		       what, phase_name[p], med[p], lo, hi,
		       100.0 * (hi - lo) / med[p]);
	}
	for (p = 1; p < PHASES; p++) {
		/* the same ratio per round (phases of one round ran together) */
		for (r = 0; r < rounds; r++)
			pr[r] = v[p][r] / v[0][r];
		median(pr, rounds, &lo, &hi);
		printf("BENCH-RATIO %s %c/a=%.3f rounds=%.3f..%.3f\n", what,
		       phase_name[p], med[p] / med[0], lo, hi);
	}
}

/* ---- memory ---- */

static long meminfo_kb(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* First number of /sys/kernel/slab/toa_entry/@attr ("N N0=..."), -1 if absent */
static long slab_attr(const char *attr)
{
	char path[128], buf[256];

	snprintf(path, sizeof(path), "/sys/kernel/slab/toa_entry/%s", attr);
	if (vt_read_file(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

struct memsnap {
	long slab_kb, sunreclaim_kb, memfree_kb;
	long objects, slabs;
	long long live;
};

static int mem_snap(struct vt *vt, struct memsnap *m)
{
	struct vt_stats st;

	m->slab_kb = meminfo_kb("Slab");
	m->sunreclaim_kb = meminfo_kb("SUnreclaim");
	m->memfree_kb = meminfo_kb("MemFree");
	m->objects = slab_attr("objects");
	m->slabs = slab_attr("slabs");
	if (vt_stats_read(vt, &st))
		return -1;
	m->live = vt_stat_get(&st, "entries_live");
	return 0;
}

static void print_slab_identity(void)
{
	char target[256], line[512];
	ssize_t n;
	FILE *f;

	n = readlink("/sys/kernel/slab/toa_entry", target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		printf("BENCH-SLAB merged_into=%s\n", strrchr(target, '/') ?
		       strrchr(target, '/') + 1 : target);
	} else {
		printf("BENCH-SLAB merged_into=-\n");
	}
	printf("BENCH-SLAB object_size=%ld slab_size=%ld objs_per_slab=%ld order=%ld page=%ld\n",
	       slab_attr("object_size"), slab_attr("slab_size"),
	       slab_attr("objs_per_slab"), slab_attr("order"),
	       sysconf(_SC_PAGESIZE));
	f = fopen("/proc/slabinfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "toa_entry ", 10))
			printf("BENCH-SLABINFO %s", line);
	fclose(f);
}

/*
 * Keep @n connections of @phase open, snapshot memory, close them all
 * (RST from the LB side, then close: the sockets die at once), check that
 * the module's entries go back to 0.
 */
static int mem_phase(struct vt *vt, int lfd, uint16_t port, int phase, int n,
		     struct in_addr lb, struct memsnap *before,
		     struct memsnap *open, struct memsnap *after)
{
	struct vt_session *s = calloc((size_t)n, sizeof(*s));
	int i, opened = 0, err = 0;

	if (!s)
		return vt_fail(vt, "out of memory for %d sessions", n);
	drain_tun(vt);
	if (mem_snap(vt, before))
		goto out_err;
	for (i = 0; i < n; i++, opened++)
		if (open_conn(vt, &s[i], lfd, port, lb, phase) ||
		    check_getpeername(vt, &s[i], phase))
			goto out_err;
	if (mem_snap(vt, open))
		goto out_err;
	if (phase == 2 && open->live - before->live != n) {
		vt_fail(vt, "entries_live %lld -> %lld with %d TOA connections open",
			before->live, open->live, n);
		goto out_err;
	}
	if (phase != 2 && open->live != before->live) {
		vt_fail(vt, "entries_live moved (%lld -> %lld) without TOA traffic",
			before->live, open->live);
		goto out_err;
	}
	goto close_all;
out_err:
	err = -1;
	if (opened < n)
		opened++;	/* the one that failed half-way */
close_all:
	for (i = 0; i < opened; i++) {
		if (s[i].c.established && !s[i].c.reset)
			lbsim_reset(&s[i].c);
		if (s[i].fd >= 0)
			close(s[i].fd);
	}
	free(s);
	if (err)
		return -1;
	if (vt_wait_live_zero(vt, 10000))
		return -1;
	drain_tun(vt);
	return mem_snap(vt, after);
}

static int memory_bench(struct vt *vt, int lfd, uint16_t port, int n)
{
	struct memsnap m[2][3];
	long page = sysconf(_SC_PAGESIZE), order = slab_attr("order");
	long opo = slab_attr("objs_per_slab");
	double slab_bytes_per_obj, per_entry_slabs, per_entry_objs,
	       per_entry_meminfo;
	int p;

	for (p = 0; p < 2; p++) {
		if (mem_phase(vt, lfd, port, p + 1, n, lb_addr(200 + p),
			      &m[p][0], &m[p][1], &m[p][2]))
			return -1;
		printf("BENCH-MEM phase=%c open=%d live=%lld->%lld->%lld slab_kb=%ld->%ld->%ld sunreclaim_kb=%ld->%ld->%ld memfree_kb=%ld->%ld->%ld cache_objects=%ld->%ld->%ld cache_slabs=%ld->%ld->%ld\n",
		       phase_name[p + 1], n, m[p][0].live, m[p][1].live,
		       m[p][2].live, m[p][0].slab_kb, m[p][1].slab_kb,
		       m[p][2].slab_kb, m[p][0].sunreclaim_kb,
		       m[p][1].sunreclaim_kb, m[p][2].sunreclaim_kb,
		       m[p][0].memfree_kb, m[p][1].memfree_kb,
		       m[p][2].memfree_kb, m[p][0].objects, m[p][1].objects,
		       m[p][2].objects, m[p][0].slabs, m[p][1].slabs,
		       m[p][2].slabs);
	}
	if (order < 0 || opo <= 0)
		return vt_fail(vt, "/sys/kernel/slab/toa_entry missing: no kmem_cache toa_entry?");
	/* what one object occupies in its slab pages */
	slab_bytes_per_obj = (double)(page << order) / (double)opo;
	/* c minus b: what TOA adds to otherwise identical connections */
	per_entry_objs = (double)((m[1][1].objects - m[1][0].objects) -
				  (m[0][1].objects - m[0][0].objects)) / n;
	per_entry_slabs = (double)((m[1][1].slabs - m[1][0].slabs) -
				   (m[0][1].slabs - m[0][0].slabs)) *
			  (double)(page << order) / n;
	per_entry_meminfo = (double)((m[1][1].slab_kb - m[1][0].slab_kb) -
				     (m[0][1].slab_kb - m[0][0].slab_kb)) *
			    1024.0 / n;
	printf("BENCH-MEMRESULT live=%d slab_bytes_per_object=%.1f cache_objects_per_entry=%.3f cache_bytes_per_entry=%.1f meminfo_slab_bytes_per_entry=%.1f\n",
	       n, slab_bytes_per_obj, per_entry_objs, per_entry_slabs,
	       per_entry_meminfo);
	if (per_entry_objs < 0.9)
		return vt_fail(vt, "the toa_entry cache grew by %.2f objects per TOA connection, want about 1",
			       per_entry_objs);
	return 0;
}

/* ---- how the hooks are attached (kprobes list, ftrace) ---- */

static void print_hooks(void)
{
	static const char *const files[] = {
		"/sys/kernel/debug/kprobes/list",
		"/sys/kernel/debug/tracing/enabled_functions",
	};
	char line[512];
	size_t i;

	mkdir("/sys/kernel/debug", 0755);
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) &&
	    errno != EBUSY)
		printf("# mount debugfs: %s\n", strerror(errno));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f = fopen(files[i], "re");

		if (!f) {
			printf("BENCH-HOOK %s: %s\n", files[i], strerror(errno));
			continue;
		}
		while (fgets(line, sizeof(line), f))
			if (strstr(line, "syn_recv_sock") ||
			    strstr(line, "getname") ||
			    strstr(line, "inet_sock_destruct"))
				printf("BENCH-HOOK %s", line);
		fclose(f);
	}
}

/* ---- main ---- */

static int parse_int(const char *arg, const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "toa-bench: %s wants a number in %d..%d, got \"%s\"\n",
			arg, lo, hi, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: toa-bench --module PATH [--rounds N] [--conns N] [--gpn-ms MS] [--live N] [--warm N]\n");
}

static int round_phase(struct vt *vt, struct results *res, int lfd,
		       uint16_t port, const struct opts *o, int r, int p)
{
	/* per (round, phase): its own LB address for each measurement */
	struct in_addr lb = lb_addr(10 + r * 6 + p * 2);
	double rate;

	drain_tun(vt);
	rate = conn_rate(vt, lfd, port, p, o->conns, o->warm, lb);
	if (rate < 0)
		return -1;
	res->conn[p][r] = rate;
	printf("BENCH-ROUND conn %c %d %.1f\n", phase_name[p], r + 1, rate);
	rate = gpn_rate(vt, lfd, port, p, o->gpn_ms, lb_addr(11 + r * 6 + p * 2));
	if (rate < 0)
		return -1;
	res->gpn[p][r] = rate;
	printf("BENCH-ROUND gpn %c %d %.1f\n", phase_name[p], r + 1, rate);
	return 0;
}

static int load(struct vt *vt, bool report)
{
	long before = meminfo_kb("MemFree"), after;

	if (vt_load(vt, ""))
		return -1;
	after = meminfo_kb("MemFree");
	if (report)
		printf("BENCH-MODULE memfree_delta_kb=%ld\n", before - after);
	return 0;
}

static int unload(struct vt *vt)
{
	if (vt_wait_live_zero(vt, 10000))
		return -1;
	return vt_unload(vt);
}

static int rounds(struct vt *vt, struct results *res, int lfd, uint16_t port,
		  const struct opts *o)
{
	int r;

	for (r = 0; r < o->rounds; r++) {
		if (r % 2 == 0) {
			if (round_phase(vt, res, lfd, port, o, r, 0) ||
			    load(vt, r == 0) ||
			    round_phase(vt, res, lfd, port, o, r, 1) ||
			    round_phase(vt, res, lfd, port, o, r, 2))
				return -1;
			if (r == 0)
				print_hooks();
			if (unload(vt))
				return -1;
		} else {
			if (load(vt, false) ||
			    round_phase(vt, res, lfd, port, o, r, 2) ||
			    round_phase(vt, res, lfd, port, o, r, 1) ||
			    unload(vt) ||
			    round_phase(vt, res, lfd, port, o, r, 0))
				return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .rounds = 7, .conns = 1000, .gpn_ms = 500,
			  .live = 10000, .warm = 100 };
	struct rlimit rl;
	struct utsname u;
	struct results *res;
	struct vt vt;
	uint16_t port;
	int i, lfd, failed = 0;

	memset(&vt, 0, sizeof(vt));
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "toa-bench: unknown or incomplete argument \"%s\"\n", a);
			usage(stderr);
			return 2;
		}
		if (!strcmp(a, "--module"))
			vt.module_path = argv[++i];
		else if (!strcmp(a, "--rounds")) {
			if (parse_int(a, argv[++i], 1, MAX_ROUNDS, &o.rounds))
				return 2;
		} else if (!strcmp(a, "--conns")) {
			if (parse_int(a, argv[++i], 1, 100000, &o.conns))
				return 2;
		} else if (!strcmp(a, "--gpn-ms")) {
			if (parse_int(a, argv[++i], 10, 60000, &o.gpn_ms))
				return 2;
		} else if (!strcmp(a, "--warm")) {
			if (parse_int(a, argv[++i], 0, 100000, &o.warm))
				return 2;
		} else if (!strcmp(a, "--live")) {
			if (parse_int(a, argv[++i], 1, 30000, &o.live))
				return 2;
		} else {
			fprintf(stderr, "toa-bench: unknown argument \"%s\"\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (!vt.module_path) {
		fprintf(stderr, "toa-bench: --module PATH is required\n");
		usage(stderr);
		return 2;
	}
	if (access(vt.module_path, R_OK)) {
		fprintf(stderr, "toa-bench: cannot read module %s: %s\n",
			vt.module_path, strerror(errno));
		return 2;
	}
	/* --live connections: two descriptors each would not fit in 1024 */
	rl.rlim_cur = rl.rlim_max = (rlim_t)o.live + 1024;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		printf("# setrlimit(NOFILE, %d): %s\n", o.live + 1024,
		       strerror(errno));
	uname(&u);
	printf("BENCH-INFO kernel=%s cpus=%ld rounds=%d conns=%d warm=%d gpn_ms=%d live=%d\n",
	       u.release, sysconf(_SC_NPROCESSORS_ONLN), o.rounds, o.conns,
	       o.warm, o.gpn_ms, o.live);

	res = calloc(1, sizeof(*res));
	if (!res || vt_setup_net(&vt, "toabench0", NULL)) {
		printf("FAIL bench_setup: %s\n", res ? vt.err : "out of memory");
		return 1;
	}
	lfd = vt_listener(&vt, VT_LSN_V4, &port);
	if (lfd < 0) {
		printf("FAIL bench_setup: %s\n", vt.err);
		return 1;
	}
	printf("PASS bench_setup\n");

	if (rounds(&vt, res, lfd, port, &o)) {
		printf("FAIL bench_rounds: %s\n", vt.err);
		vt_stats_dump();
		vt_kmsg_dump_toa();
		failed++;
	} else {
		print_stats("conn", res->conn, o.rounds);
		print_stats("gpn", res->gpn, o.rounds);
		printf("PASS bench_rounds\n");
	}

	if (vt_mod_loaded(VT_MODULE_NAME) || !load(&vt, false)) {
		print_slab_identity();
		if (memory_bench(&vt, lfd, port, o.live)) {
			printf("FAIL bench_memory: %s\n", vt.err);
			vt_stats_dump();
			failed++;
		} else {
			printf("PASS bench_memory\n");
		}
		if (unload(&vt)) {
			printf("FAIL bench_unload: %s\n", vt.err);
			failed++;
		}
	} else {
		printf("FAIL bench_memory: %s\n", vt.err);
		failed++;
	}
	close(lfd);
	lbsim_tun_close(vt.tun);
	free(res);
	printf("TOA-BENCH-END failed=%d\n", failed);
	return failed ? 1 : 0;
}
