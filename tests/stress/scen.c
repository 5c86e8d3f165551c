/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * scen.c - the toa-stress scenarios:
 *
 *   bad_params       refused parameters at load time and at run time
 *   hostile_traffic  --conns connections with random (mostly hostile)
 *                    option areas, checked against the oracle, while
 *                    getpeername threads hammer the open sockets
 *   trusted_flip     trusted_sources flipped under load
 *   unload_race      --cycles rmmod/insmod cycles under traffic
 *   final_unload     rmmod with a connection open, nothing stale, no leak
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "stress.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOA_KIND TOA_DEFAULT_KIND
#define LIST_TRUSTED	"198.51.100.0/24,2001:db8:1::/64"	/* holds VT_LB4, VT_LB6 */
#define LIST_OTHER	"192.0.2.0/24,2001:db8:ffff::/48"	/* holds neither */
/* kernel complaints of a slab cache destroyed with objects in it */
#define SLAB_LEAK_1	"Objects remaining"
#define SLAB_LEAK_2	"still has objects"

/* ---- bad_params ---- */

/*
 * "10.0.0.1,10.0.0.2,...": @n host addresses, each followed by @suffix ("" as
 * written by the test, "/32" for the module's canonical form)
 */
static char *cidr_list(int n, const char *suffix, char *buf, size_t cap)
{
	size_t at = 0;
	int i;

	buf[0] = '\0';
	for (i = 1; i <= n && at < cap; i++)
		at += (size_t)snprintf(buf + at, cap - at, "%s10.0.%d.%d%s",
				       i > 1 ? "," : "", i / 256, i % 256, suffix);
	return buf;
}

struct bad {
	const char *param, *value;	/* value NULL: the 65-item list */
	const char *needle;		/* what the kernel log line must say */
};

static const struct bad bad_values[] = {
	{ "trusted_sources", "1.2.3.4/33", "trusted_sources: item 1 refused: prefix length" },
	{ "trusted_sources", "2001:db8::/129", "trusted_sources: item 1 refused: prefix length" },
	{ "trusted_sources", "10.0.0.0/8,nonsense", "trusted_sources: item 2 refused: not an IPv4 or IPv6 address" },
	{ "trusted_sources", "10.0.0.1,,10.0.0.2", "trusted_sources: item 2 refused: empty item" },
	{ "trusted_sources", NULL, "refused: more than 64 networks" },
	{ "option_kind", "0", "option_kind: '0' refused" },
	{ "option_kind", "1", "option_kind: '1' refused" },
	{ "option_kind", "8", "option_kind: '8' refused" },
	{ "option_kind", "256", "option_kind: '256' refused" },
	{ "max_entries", "0", "max_entries: '0' refused" },
	{ "max_entries", "16777217", "max_entries: '16777217' refused" },
};

/*
 * Run @try (a load or a parameter write) and check that it gave EINVAL
 * and left exactly one new "TOA: " line that contains @needle.
 */
static int expect_refused(struct vt *vt, const char *what, const char *needle,
			  int err, int toa_before, int needle_before)
{
	int toa_after = vt_kmsg_count("TOA: "), needle_after = vt_kmsg_count(needle);

	if (err != -EINVAL)
		return vt_fail(vt, "%s gave %s, want EINVAL", what,
			       err ? strerror(-err) : "success");
	if (toa_after != toa_before + 1)
		return vt_fail(vt, "%s: %d new \"TOA: \" kernel log lines, want 1", what,
			       toa_after - toa_before);
	if (needle_after != needle_before + 1)
		return vt_fail(vt, "%s: no kernel log line saying \"%s\"", what, needle);
	return 0;
}

static int bad_params_steps(struct vt *vt, char *big, size_t cap, char *canon)
{
	char what[1200], val[4096];
	size_t i;
	int n_load = 0, n_run = 0;

	/* at load time: refused, not loaded, one clear log line */
	if (vt_mod_loaded(VT_MODULE_NAME) && vt_unload(vt))
		return -1;
	for (i = 0; i < VT_ARRAY_SIZE(bad_values); i++) {
		const struct bad *b = &bad_values[i];
		int t = vt_kmsg_count("TOA: "), nd = vt_kmsg_count(b->needle), err;

		snprintf(what, sizeof(what), "%s=%s", b->param,
			 b->value ? b->value : cidr_list(65, "", big, cap));
		err = vt_mod_load(vt->module_path, what);
		if (!err)
			vt_unload(vt);
		if (b->value == NULL)
			snprintf(what, sizeof(what), "loading with %s=<65 addresses>",
				 b->param);
		else
			snprintf(what, sizeof(what), "loading with %s=%s", b->param,
				 b->value);
		if (expect_refused(vt, what, b->needle, err, t, nd))
			return -1;
		if (vt_mod_loaded(VT_MODULE_NAME))
			return vt_fail(vt, "%s: toa in /proc/modules after a refused load",
				       what);
		n_load++;
	}
	/* the bound itself is fine: 64 networks */
	snprintf(what, sizeof(what), "trusted_sources=%s", cidr_list(64, "", big, cap));
	if (vt_load(vt, what))
		return -1;
	if (vt_param_read("trusted_sources", val, sizeof(val)))
		return vt_fail(vt, "reading trusted_sources failed");
	cidr_list(64, "/32", canon, cap);
	if (strcmp(val, canon))
		return vt_fail(vt, "trusted_sources with 64 networks reads back as \"%.80s...\"",
			       val);

	/* at run time: refused, one clear log line, previous value kept */
	if (vt_param_write("trusted_sources", VT_LB_NET4) ||
	    vt_param_write("max_entries", "1000") || vt_param_write("option_kind", "254"))
		return vt_fail(vt, "setting good parameters at run time failed");
	for (i = 0; i < VT_ARRAY_SIZE(bad_values); i++) {
		const struct bad *b = &bad_values[i];
		int t = vt_kmsg_count("TOA: "), nd = vt_kmsg_count(b->needle), err;
		const char *keep = !strcmp(b->param, "trusted_sources") ? VT_LB_NET4 :
				   !strcmp(b->param, "max_entries") ? "1000" : "254";

		err = vt_param_write(b->param, b->value ? b->value : cidr_list(65, "", big, cap));
		snprintf(what, sizeof(what), "writing %s to %s",
			 b->value ? b->value : "<65 addresses>", b->param);
		if (expect_refused(vt, what, b->needle, err, t, nd))
			return -1;
		if (vt_param_read(b->param, val, sizeof(val)) || strcmp(val, keep))
			return vt_fail(vt, "%s: %s is now \"%s\", want the previous \"%s\"",
				       what, b->param, val, keep);
		n_run++;
	}
	snprintf(pass_note, sizeof(pass_note),
		 "%d bad values refused at load time and %d at run time (EINVAL, one TOA: line each, settings kept); 64 networks accepted",
		 n_load, n_run);
	fig("bad_params refused_at_load=%d refused_at_runtime=%d", n_load, n_run);
	return 0;
}

int sc_bad_params(struct vt *vt, const struct opts *o)
{
	size_t cap = 4096;
	char *big = malloc(cap), *canon = malloc(cap);
	int r;

	(void)o;
	if (!big || !canon) {
		free(big);
		free(canon);
		return vt_fail(vt, "out of memory");
	}
	r = bad_params_steps(vt, big, cap, canon);
	free(big);
	free(canon);
	/* leave the module loaded with the defaults */
	if (vt_mod_loaded(VT_MODULE_NAME) && vt_unload(vt) && !r)
		r = -1;
	if (vt_load(vt, "") && !r)
		r = -1;
	return r;
}

/* ---- hostile_traffic ---- */

struct lsnr {
	int fd;
	uint16_t port;
	enum vt_lsn kind;
};

static int open_listeners(struct vt *vt, struct lsnr *l, int n,
			  const enum vt_lsn *kinds)
{
	int i;

	for (i = 0; i < n; i++) {
		l[i].kind = kinds[i];
		l[i].fd = vt_listener(vt, kinds[i], &l[i].port);
		if (l[i].fd < 0) {
			while (i--)
				close(l[i].fd);
			return -1;
		}
	}
	return 0;
}

static void close_listeners(struct lsnr *l, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (l[i].fd >= 0)
			close(l[i].fd);
}

/* what getpeername must show for expectation @e over LB @fam to @lsn */
static void want_string(const struct vt *vt, const struct expect *e, int fam,
			enum vt_lsn lsn, uint16_t lb_port, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	if (e->out == OUT_V4) {
		inet_ntop(AF_INET, e->addr, a, sizeof(a));
		/* an IPv6 socket shows it v4-mapped */
		if (fam == AF_INET && lsn == VT_LSN_V4)
			snprintf(out, cap, "%s:%u", a, e->port);
		else
			snprintf(out, cap, "[::ffff:%s]:%u", a, e->port);
		return;
	}
	if (e->out == OUT_V6 && !(fam == AF_INET && lsn == VT_LSN_V4)) {
		inet_ntop(AF_INET6, e->addr, a, sizeof(a));
		snprintf(out, cap, "[%s]:%u", a, e->port);
		return;
	}
	/* no usable TOA, or an IPv6 client on an IPv4 socket */
	lb_string(vt, fam, lsn, lb_port, out, cap);
}

/* take the session out of @sl (under its lock) and close it */
static int slot_close(struct vt *vt, struct slot *sl, unsigned int how)
{
	struct vt_session s;

	pthread_mutex_lock(&sl->mu);
	s = sl->s;
	sl->s.fd = -1;
	pthread_mutex_unlock(&sl->mu);
	if (s.fd < 0)
		return 0;
	return close_session(vt, &s, how);
}

static void slot_put(struct slot *sl, const struct vt_session *s, const char *want,
		     const char *alt, long conn)
{
	pthread_mutex_lock(&sl->mu);
	sl->s = *s;
	snprintf(sl->want, sizeof(sl->want), "%s", want);
	snprintf(sl->alt, sizeof(sl->alt), "%s", alt ? alt : "");
	sl->conn = conn;
	pthread_mutex_unlock(&sl->mu);
}

static int close_all(struct vt *vt, struct slots *ss, struct rng *r)
{
	int i;

	for (i = 0; i < ss->n; i++)
		if (slot_close(vt, &ss->v[i], rng_below(r, 3)))
			return vt_fail(vt, "closing slot %d: %s", i, strdupa(vt->err));
	return 0;
}

static long long missed_sum(const struct vt_stats *st)
{
	long long sum = 0;
	int i;

	for (i = 0; i < st->n; i++)
		if (!strncmp(st->name[i], "nmissed_", 8))
			sum += st->value[i];
	return sum;
}

#define HOSTILE_SLOTS 256

/*
 * vt_sess_open() with one more, option-less ACK right after the handshake
 * ACK: where the kernel drops the first (see strict_reject()), the second
 * creates the child, without TOA; elsewhere it is a harmless duplicate.
 */
static int open_conn(struct vt *vt, struct vt_session *s, const struct lsnr *ln,
		     int fam, const uint8_t *opt, size_t n)
{
	const void *lb = fam == AF_INET ? (const void *)&vt->lb4 : (const void *)&vt->lb6;
	const void *srv = fam == AF_INET ? (const void *)&vt->srv4 : (const void *)&vt->srv6;
	int err;

	s->fd = -1;
	err = lbsim_conn_init(&s->c, vt->tun, fam, lb, 0, srv, ln->port);
	if (!err)
		err = lbsim_connect(&s->c, NULL, 0, n ? opt : NULL, n, VT_TIMEOUT_MS);
	if (!err)
		err = lbsim_send_segment(&s->c, LBSIM_ACK, NULL, 0, NULL, 0);
	if (err)
		return vt_fail(vt, "emulated handshake to port %u: %s", ln->port,
			       strerror(-err));
	s->fd = vt_accept(vt, ln->fd, s->accepted, sizeof(s->accepted),
			  VT_TIMEOUT_MS);
	if (s->fd < 0) {
		lbsim_reset(&s->c);
		return -1;
	}
	return 0;
}

/*
 * Does this kernel drop handshake ACKs with a broken option list, and from
 * how many option bytes on? Two probes, told apart by which counter moves:
 * malformed (toa saw the ACK) or syn_recv_sock_no_toa (the clean ACK after
 * it made the child). 0, 18 or 5 into *@minlen.
 */
static int probe_strict(struct vt *vt, const struct lsnr *ln, size_t *minlen)
{
	static const size_t lens[2] = { 20, 8 };
	bool dropped[2];
	int i;

	for (i = 0; i < 2; i++) {
		uint8_t opt[LBSIM_MAX_OPTLEN] = { 2, 0 };	/* MSS, length 0 */
		struct vt_stats a, b;
		struct vt_session s;
		long long mal, none;

		if (vt_stats_read(vt, &a) || open_conn(vt, &s, ln, AF_INET, opt, lens[i]))
			return -1;
		if (close_session(vt, &s, 0) || vt_stats_read(vt, &b))
			return -1;
		mal = vt_stat_get(&b, "malformed") - vt_stat_get(&a, "malformed");
		none = vt_stat_get(&b, "syn_recv_sock_no_toa") -
		       vt_stat_get(&a, "syn_recv_sock_no_toa");
		if (mal + none != 1)
			return vt_fail(vt, "probe %d: malformed moved by %lld, syn_recv_sock_no_toa by %lld, want one of them by 1",
				       i, mal, none);
		dropped[i] = none == 1;
	}
	if (!dropped[0] && dropped[1])
		return vt_fail(vt, "probes: a short broken option list dropped, a long one not");
	*minlen = !dropped[0] ? 0 : dropped[1] ? 5 : 18;
	return 0;
}

static int hostile_steps(struct vt *vt, const struct opts *o, struct lsnr *l,
			 struct slots *ss, struct checkers *ck)
{
	long outc[OUT_COUNT] = { 0 }, genc[GEN_COUNT] = { 0 };
	long exid = 0, exchanges = 0, closes[3] = { 0 }, kernel_dropped = 0, i;
	size_t minlen = 0;
	long long missed, destruct_missed;
	struct vt_stats a, b;
	struct rng r;
	int64_t t0;
	double secs;
	char want[96], peer[128];
	int k;

	if (vt_param_write("trusted_sources", "\n") || vt_stats_read(vt, &a))
		return vt_fail(vt, "resetting trusted_sources / reading stats: %s",
			       vt->err);
	if (probe_strict(vt, &l[0], &minlen) || vt_stats_read(vt, &a))
		return -1;
	fig("hostile_traffic kernel_drops_broken_option_lists=%s",
	    !minlen ? "no" : minlen == 18 ? "yes(md5,from_18_bytes)" : "yes(ao,from_5_bytes)");
	rng_seed(&r, o->seed);
	t0 = mono_ms();
	for (i = 0; i < o->conns; i++) {
		uint8_t opt[LBSIM_MAX_OPTLEN];
		enum gen_kind gk;
		struct expect e;
		struct vt_session s;
		unsigned int path = rng_below(&r, 4), how;
		/* VT_LB4 -> v4, VT_LB4 -> [::], VT_LB6 -> [::] only, VT_LB6 -> [::] */
		int fam = path < 2 ? AF_INET : AF_INET6;
		struct lsnr *ln = &l[path == 0 ? 0 : path == 2 ? 2 : 1];
		size_t n = gen_options(&r, TOA_KIND, opt, &gk);
		struct slot *sl = &ss->v[i % ss->n];

		oracle(opt, n, TOA_KIND, &e);
		if (strict_reject(opt, n, minlen)) {
			/* the kernel drops it; the clean ACK makes the child */
			memset(&e, 0, sizeof(e));
			e.out = OUT_NONE;
			kernel_dropped++;
		}
		how = rng_below(&r, 3);
		if (slot_close(vt, sl, how))
			return vt_fail(vt, "closing connection %ld: %s", sl->conn,
				       strdupa(vt->err));
		closes[how]++;
		if (open_conn(vt, &s, ln, fam, opt, n)) {
			char hx[160];

			hex_opts(opt, n, hx, sizeof(hx));
			return vt_fail(vt, "connection %ld (%s, options %s): %s", i,
				       gen_names[gk], hx, strdupa(vt->err));
		}
		want_string(vt, &e, fam, ln->kind, s.c.lb_port, want, sizeof(want));
		vt_peer_of(s.fd, peer, sizeof(peer));
		if (strcmp(s.accepted, want) || strcmp(peer, want)) {
			char hx[160];

			hex_opts(opt, n, hx, sizeof(hx));
			vt_fail(vt, "connection %ld (%s, %s over IPv%d to %s listener, options [%s]): accept gave %s, getpeername %s, want %s",
				i, gen_names[gk], outcome_names[e.out],
				fam == AF_INET ? 4 : 6,
				ln->kind == VT_LSN_V4 ? "IPv4" :
				ln->kind == VT_LSN_V6_DUAL ? "[::]" : "IPv6-only",
				hx, s.accepted, peer, want);
			vt_sess_abort(&s);
			return -1;
		}
		if (i % 8 == 0) {
			if (vt_sess_exchange(vt, &s)) {
				vt_sess_abort(&s);
				return vt_fail(vt, "connection %ld: %s", i,
					       strdupa(vt->err));
			}
			exchanges++;
		}
		slot_put(sl, &s, want, NULL, i);
		outc[e.out]++;
		genc[gk]++;
		exid += e.exid;
		if ((i + 1) % 10000 == 0)
			printf("# hostile_traffic: %ld connections in %.1f s\n",
			       i + 1, (double)(mono_ms() - t0) / 1000);
	}
	secs = (double)(mono_ms() - t0) / 1000;
	if (close_all(vt, ss, &r))
		return -1;
	if (checkers_stop(vt, ck))
		return -1;
	if (vt_wait_live_zero(vt, 10000) || vt_stats_read(vt, &b))
		return -1;
	/* every outcome counted exactly once, nothing dropped */
	if (vt_expect_delta_eq(vt, &a, &b, "syn_recv_sock_toa", outc[OUT_V4] + outc[OUT_V6]) ||
	    vt_expect_delta_eq(vt, &a, &b, "syn_recv_sock_no_toa", outc[OUT_NONE]) ||
	    vt_expect_delta_eq(vt, &a, &b, "malformed", outc[OUT_MALFORMED]) ||
	    vt_expect_delta_eq(vt, &a, &b, "bad_client", outc[OUT_BAD_CLIENT]) ||
	    vt_expect_delta_eq(vt, &a, &b, "exid_skipped", exid) ||
	    vt_expect_delta_eq(vt, &a, &b, "untrusted", 0) ||
	    vt_expect_delta_eq(vt, &a, &b, "table_full", 0) ||
	    vt_expect_delta_eq(vt, &a, &b, "entries_allocated", outc[OUT_V4] + outc[OUT_V6]))
		return -1;
	/*
	 * A missed probe hit is counted by the kernel, not an error in
	 * itself: a missed syn_recv_sock or getname hit would have shown up
	 * above as a wrong answer or counter, a missed inet_sock_destruct of
	 * a socket with an entry as entries_live > 0. Reported as a figure.
	 */
	missed = missed_sum(&b) - missed_sum(&a);
	destruct_missed = vt_stat_get(&b, "nmissed_inet_sock_destruct") -
			  vt_stat_get(&a, "nmissed_inet_sock_destruct");

	fig("hostile_traffic connections=%ld seconds=%.1f rate_per_s=%.0f getpeername_calls=%ld exchanges=%ld dropped_by_kernel=%ld probe_missed=%lld destruct_missed=%lld",
	    o->conns, secs, o->conns / (secs > 0 ? secs : 1), ck->calls, exchanges,
	    kernel_dropped, missed, destruct_missed);
	fig("hostile_traffic outcomes toa_v4=%ld toa_v6=%ld no_toa=%ld malformed=%ld bad_client=%ld exid_skipped=%ld",
	    outc[OUT_V4], outc[OUT_V6], outc[OUT_NONE], outc[OUT_MALFORMED],
	    outc[OUT_BAD_CLIENT], exid);
	printf("FIG hostile_traffic recipes");
	for (k = 0; k < GEN_COUNT; k++)
		printf(" %s=%ld", gen_names[k], genc[k]);
	printf("\n");
	fig("hostile_traffic closes lb_rst=%ld lb_fin_first=%ld server_abort=%ld entries_allocated=%lld entries_freed=%lld entries_live=%lld",
	    closes[0], closes[1], closes[2],
	    vt_stat_get(&b, "entries_allocated") - vt_stat_get(&a, "entries_allocated"),
	    vt_stat_get(&b, "entries_freed") - vt_stat_get(&a, "entries_freed"),
	    vt_stat_get(&b, "entries_live"));
	snprintf(pass_note, sizeof(pass_note),
		 "%ld connections in %.1f s (%.0f/s): %ld toa_v4, %ld toa_v6, %ld no_toa, %ld malformed, %ld bad_client all as the oracle said (%ld ACKs dropped by the kernel itself); %ld concurrent getpeername calls right; live 0, allocated = freed",
		 o->conns, secs, o->conns / (secs > 0 ? secs : 1), outc[OUT_V4],
		 outc[OUT_V6], outc[OUT_NONE], outc[OUT_MALFORMED],
		 outc[OUT_BAD_CLIENT], kernel_dropped, ck->calls);
	return 0;
}

int sc_hostile_traffic(struct vt *vt, const struct opts *o)
{
	static const enum vt_lsn kinds[3] = { VT_LSN_V4, VT_LSN_V6_DUAL, VT_LSN_V6_ONLY };
	struct lsnr l[3];
	struct slots ss;
	struct checkers ck;
	int r;

	if (vt_ensure_loaded(vt) || open_listeners(vt, l, 3, kinds))
		return -1;
	if (slots_init(&ss, HOSTILE_SLOTS)) {
		close_listeners(l, 3);
		return vt_fail(vt, "out of memory");
	}
	if (checkers_start(&ck, &ss, o->checkers)) {
		checkers_stop(vt, &ck);
		slots_free(&ss);
		close_listeners(l, 3);
		return vt_fail(vt, "cannot start getpeername threads");
	}
	r = hostile_steps(vt, o, l, &ss, &ck);
	if (!ck.stop)
		checkers_stop(vt, &ck);
	slots_free(&ss);
	close_listeners(l, 3);
	return r;
}

/* ---- shared by trusted_flip and unload_race: a unique client ---- */

static void client_of(long n, int fam, uint8_t *a, uint16_t *port)
{
	memset(a, 0, 16);
	if (fam == AF_INET) {	/* 10.x.y.z */
		a[0] = 10;
		a[1] = (uint8_t)(n >> 16);
		a[2] = (uint8_t)(n >> 8);
		a[3] = (uint8_t)n;
	} else {		/* 2001:db8:c1::n */
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[5] = 0xc1;
		a[13] = (uint8_t)(n >> 16);
		a[14] = (uint8_t)(n >> 8);
		a[15] = (uint8_t)n;
	}
	*port = (uint16_t)(1024 + n % 60000);
}

static size_t client_opt(uint8_t *opt, int fam, const uint8_t *a,
			 uint16_t port, struct expect *e)
{
	size_t n = fam == AF_INET ? lbsim_toa_v4(opt, TOA_KIND, a, port)
				  : lbsim_toa_v6(opt, TOA_KIND, a, port);

	oracle(opt, n, TOA_KIND, e);
	return n;
}

/* ---- trusted_flip ---- */

enum tstate { T_TRUSTED, T_OTHER, T_ANY };

struct flip {
	volatile unsigned long gen;	/* odd while a write is under way */
	volatile int state;
	volatile int stop;
	long flips;
	char err[512];
	uint64_t seed;
};

static void *flipper_main(void *p)
{
	static const char *const val[] = { LIST_TRUSTED, LIST_OTHER, "\n" };
	static const char *const canon[] = { LIST_TRUSTED, LIST_OTHER, "" };
	struct flip *f = p;
	struct rng r;

	rng_seed(&r, f->seed ^ 0x5eed);
	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
		int s = (int)rng_below(&r, 3), err;
		char back[256];

		__atomic_add_fetch(&f->gen, 1, __ATOMIC_SEQ_CST);
		err = vt_param_write("trusted_sources", val[s]);
		if (!err)
			err = vt_param_read("trusted_sources", back, sizeof(back));
		if (err || strcmp(back, canon[s])) {
			snprintf(f->err, sizeof(f->err),
				 "writing %s to trusted_sources: %s (reads back \"%s\")",
				 canon[s][0] ? canon[s] : "\"\"",
				 err ? strerror(-err) : "ok", err ? "" : back);
			__atomic_add_fetch(&f->gen, 1, __ATOMIC_SEQ_CST);
			break;
		}
		__atomic_store_n(&f->state, s, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&f->gen, 1, __ATOMIC_SEQ_CST);
		f->flips++;
		usleep(2000 + rng_below(&r, 20000));
	}
	return NULL;
}

static int flip_steps(struct vt *vt, const struct opts *o, struct lsnr *l,
		      struct slots *ss, struct flip *f, pthread_t *ft,
		      struct checkers *ck)
{
	long def_trusted = 0, def_untrusted = 0, indefinite = 0, i;
	struct vt_stats a, b;
	struct rng r;
	int64_t t0;
	double secs;

	rng_seed(&r, o->seed ^ 0xf11b);
	if (vt_stats_read(vt, &a))
		return -1;
	if (pthread_create(ft, NULL, flipper_main, f))
		return vt_fail(vt, "cannot start the flipping thread");
	t0 = mono_ms();
	for (i = 0; i < o->flip_conns && !f->err[0]; i++) {
		int fam = rng_below(&r, 3) ? AF_INET : AF_INET6;
		struct lsnr *ln = &l[fam == AF_INET ? 0 : 1];
		uint8_t a16[16], opt[20];
		char cl[96], lb[96], peer[128];
		struct expect e;
		struct vt_session s;
		unsigned long g1, g2;
		int st;
		uint16_t port;
		size_t n;
		struct slot *sl = &ss->v[i % ss->n];

		client_of(i, fam, a16, &port);
		n = client_opt(opt, fam, a16, port, &e);
		if (slot_close(vt, sl, rng_below(&r, 3)))
			return vt_fail(vt, "closing connection %ld: %s", sl->conn,
				       strdupa(vt->err));
		g1 = __atomic_load_n(&f->gen, __ATOMIC_SEQ_CST);
		st = __atomic_load_n(&f->state, __ATOMIC_SEQ_CST);
		if (vt_sess_open(vt, &s, ln->fd, ln->port, fam, opt, n))
			return vt_fail(vt, "connection %ld: %s", i, strdupa(vt->err));
		g2 = __atomic_load_n(&f->gen, __ATOMIC_SEQ_CST);
		want_string(vt, &e, fam, ln->kind, 0, cl, sizeof(cl));
		lb_string(vt, fam, ln->kind, s.c.lb_port, lb, sizeof(lb));
		vt_peer_of(s.fd, peer, sizeof(peer));
		if (strcmp(peer, s.accepted)) {
			vt_sess_abort(&s);
			return vt_fail(vt, "connection %ld: accept gave %s, getpeername %s",
				       i, s.accepted, peer);
		}
		if (g1 == g2 && !(g1 & 1)) {
			const char *want = st == T_OTHER ? lb : cl;

			if (strcmp(peer, want)) {
				vt_sess_abort(&s);
				return vt_fail(vt, "connection %ld with trusted_sources %s: getpeername %s, want %s",
					       i, st == T_TRUSTED ? LIST_TRUSTED :
					       st == T_OTHER ? LIST_OTHER : "empty",
					       peer, want);
			}
			if (st == T_OTHER)
				def_untrusted++;
			else
				def_trusted++;
		} else {
			if (strcmp(peer, cl) && strcmp(peer, lb)) {
				vt_sess_abort(&s);
				return vt_fail(vt, "connection %ld during a trusted_sources change: getpeername %s, want %s or %s",
					       i, peer, cl, lb);
			}
			indefinite++;
		}
		slot_put(sl, &s, peer, NULL, i);
	}
	secs = (double)(mono_ms() - t0) / 1000;
	__atomic_store_n(&f->stop, 1, __ATOMIC_RELEASE);
	pthread_join(*ft, NULL);
	*ft = 0;
	if (f->err[0])
		return vt_fail(vt, "%s", f->err);
	if (close_all(vt, ss, &r) || checkers_stop(vt, ck))
		return -1;
	if (vt_param_write("trusted_sources", "\n"))
		return vt_fail(vt, "clearing trusted_sources failed");
	if (vt_wait_live_zero(vt, 10000) || vt_stats_read(vt, &b))
		return -1;
	/* every connection carried a valid TOA: honoured or untrusted */
	if ((vt_stat_get(&b, "syn_recv_sock_toa") - vt_stat_get(&a, "syn_recv_sock_toa")) +
	    (vt_stat_get(&b, "untrusted") - vt_stat_get(&a, "untrusted")) != o->flip_conns)
		return vt_fail(vt, "syn_recv_sock_toa + untrusted moved by %lld, want %ld",
			       vt_stat_get(&b, "syn_recv_sock_toa") - vt_stat_get(&a, "syn_recv_sock_toa") +
			       vt_stat_get(&b, "untrusted") - vt_stat_get(&a, "untrusted"),
			       o->flip_conns);
	if (vt_stat_get(&b, "untrusted") - vt_stat_get(&a, "untrusted") < def_untrusted)
		return vt_fail(vt, "untrusted moved less than the %ld untrusted connections",
			       def_untrusted);
	if (!def_trusted || !def_untrusted)
		return vt_fail(vt, "not enough connections while the list stood still (%ld trusted, %ld untrusted): nothing proven",
			       def_trusted, def_untrusted);
	fig("trusted_flip connections=%ld seconds=%.1f flips=%ld definite_trusted=%ld definite_untrusted=%ld during_change=%ld getpeername_calls=%ld",
	    o->flip_conns, secs, f->flips, def_trusted, def_untrusted, indefinite,
	    ck->calls);
	snprintf(pass_note, sizeof(pass_note),
		 "%ld connections, %ld list changes in %.1f s: %ld trusted and %ld untrusted exactly as the list said, %ld during a change (client or LB); %ld concurrent getpeername calls right",
		 o->flip_conns, f->flips, secs, def_trusted, def_untrusted,
		 indefinite, ck->calls);
	return 0;
}

int sc_trusted_flip(struct vt *vt, const struct opts *o)
{
	static const enum vt_lsn kinds[2] = { VT_LSN_V4, VT_LSN_V6_ONLY };
	struct flip f;
	struct lsnr l[2];
	struct slots ss;
	struct checkers ck;
	pthread_t ft = 0;
	int r;

	memset(&f, 0, sizeof(f));
	f.seed = o->seed;
	f.state = T_ANY;
	if (vt_ensure_loaded(vt) || vt_param_write("trusted_sources", "\n") ||
	    open_listeners(vt, l, 2, kinds))
		return vt->err[0] ? -1 : vt_fail(vt, "resetting trusted_sources failed");
	if (slots_init(&ss, 64)) {
		close_listeners(l, 2);
		return vt_fail(vt, "out of memory");
	}
	if (checkers_start(&ck, &ss, o->checkers)) {
		checkers_stop(vt, &ck);
		slots_free(&ss);
		close_listeners(l, 2);
		return vt_fail(vt, "cannot start getpeername threads");
	}
	r = flip_steps(vt, o, l, &ss, &f, &ft, &ck);
	if (ft) {
		__atomic_store_n(&f.stop, 1, __ATOMIC_RELEASE);
		pthread_join(ft, NULL);
	}
	if (!ck.stop)
		checkers_stop(vt, &ck);
	slots_free(&ss);
	close_listeners(l, 2);
	vt_param_write("trusted_sources", "\n");
	return r;
}

/* ---- unload_race ---- */

#define RACE_HELD 16

struct race {
	struct vt vt;		/* the traffic thread's own (err buffer) */
	struct lsnr l[2];
	struct slots *ss;
	uint64_t seed;
	volatile unsigned long gen;	/* odd while insmod/rmmod runs */
	volatile int loaded;
	volatile int pause_req, paused, stop, failed;
	volatile long done;		/* connections completed */
	long def_client, def_lb, indefinite, exchanges;
	long slot_gen_ok;
};

/* the generation read after each held connection was accepted */
static unsigned long slot_gen[RACE_HELD];

static void *race_traffic(void *p)
{
	struct race *rc = p;
	struct vt *vt = &rc->vt;
	struct rng r;
	long n = 0;

	rng_seed(&r, rc->seed ^ 0x7ace);
	for (;;) {
		struct vt_session s;
		struct expect e;
		uint8_t a16[16], opt[20];
		char cl[96], lb[96], peer[128];
		unsigned long g1, g2;
		int fam, ld;
		uint16_t port;
		size_t len;
		struct lsnr *ln;
		struct slot *sl;
		int i;

		if (__atomic_load_n(&rc->stop, __ATOMIC_ACQUIRE))
			break;
		if (__atomic_load_n(&rc->pause_req, __ATOMIC_ACQUIRE)) {
			for (i = 0; i < rc->ss->n; i++)
				if (slot_close(vt, &rc->ss->v[i], rng_below(&r, 3)))
					goto failed;
			__atomic_store_n(&rc->paused, 1, __ATOMIC_RELEASE);
			while (__atomic_load_n(&rc->pause_req, __ATOMIC_ACQUIRE) &&
			       !__atomic_load_n(&rc->stop, __ATOMIC_ACQUIRE))
				usleep(1000);
			__atomic_store_n(&rc->paused, 0, __ATOMIC_RELEASE);
			continue;
		}
		fam = n % 4 == 3 ? AF_INET6 : AF_INET;
		ln = &rc->l[fam == AF_INET ? 0 : 1];
		client_of(n, fam, a16, &port);
		len = client_opt(opt, fam, a16, port, &e);
		sl = &rc->ss->v[n % rc->ss->n];
		if (slot_close(vt, sl, rng_below(&r, 3)))
			goto failed;
		g1 = __atomic_load_n(&rc->gen, __ATOMIC_SEQ_CST);
		ld = __atomic_load_n(&rc->loaded, __ATOMIC_SEQ_CST);
		if (vt_sess_open(vt, &s, ln->fd, ln->port, fam, opt, len)) {
			vt_fail(vt, "connection %ld: %s", n, strdupa(vt->err));
			goto failed;
		}
		vt_peer_of(s.fd, peer, sizeof(peer));
		g2 = __atomic_load_n(&rc->gen, __ATOMIC_SEQ_CST);
		want_string(vt, &e, fam, ln->kind, 0, cl, sizeof(cl));
		lb_string(vt, fam, ln->kind, s.c.lb_port, lb, sizeof(lb));
		if (g1 == g2 && !(g1 & 1)) {
			const char *want = ld ? cl : lb;

			if (strcmp(s.accepted, want) || strcmp(peer, want)) {
				vt_fail(vt, "connection %ld with the module %s: accept gave %s, getpeername %s, want %s",
					n, ld ? "loaded" : "unloaded", s.accepted, peer, want);
				vt_sess_abort(&s);
				goto failed;
			}
			if (ld)
				rc->def_client++;
			else
				rc->def_lb++;
		} else {
			if ((strcmp(s.accepted, cl) && strcmp(s.accepted, lb)) ||
			    (strcmp(peer, cl) && strcmp(peer, lb))) {
				vt_fail(vt, "connection %ld during insmod/rmmod: accept gave %s, getpeername %s, want %s or %s",
					n, s.accepted, peer, cl, lb);
				vt_sess_abort(&s);
				goto failed;
			}
			rc->indefinite++;
		}
		if (vt_sess_exchange(vt, &s)) {
			vt_fail(vt, "connection %ld: %s", n, strdupa(vt->err));
			vt_sess_abort(&s);
			goto failed;
		}
		rc->exchanges++;
		/*
		 * Later getpeername calls: this connection's client or the LB
		 * (a connection made during insmod may show the LB first and
		 * its client once the getname probe is armed; after rmmod the
		 * LB, which all_show_lb() checks alone). Never another client.
		 * The slot is empty until slot_put() publishes it.
		 */
		slot_gen[n % rc->ss->n] = g2;
		slot_put(sl, &s, cl, lb, n);
		n++;
		__atomic_store_n(&rc->done, n, __ATOMIC_RELEASE);
	}
	return NULL;
failed:
	__atomic_store_n(&rc->failed, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* wait until @cond holds (polled), the traffic failed, or @ms passed */
#define WAIT_FOR(cond, ms) ({						\
	int64_t _end = mono_ms() + (ms);				\
	while (!(cond) && !__atomic_load_n(&rc->failed, __ATOMIC_ACQUIRE) && \
	       mono_ms() < _end)					\
		usleep(2000);						\
	(cond);								\
})

static long done_now(struct race *rc)
{
	return __atomic_load_n(&rc->done, __ATOMIC_ACQUIRE);
}

/* every open connection must show the LB: the module is not there */
static int all_show_lb(struct vt *vt, struct race *rc, const char *when,
		       long *checked)
{
	int i;

	for (i = 0; i < rc->ss->n; i++) {
		struct slot *sl = &rc->ss->v[i];
		char peer[128];
		int bad = 0;

		pthread_mutex_lock(&sl->mu);
		if (sl->s.fd >= 0) {
			int err = vt_peer_of(sl->s.fd, peer, sizeof(peer));

			if (!err) {
				(*checked)++;
				bad = strcmp(peer, sl->alt) != 0;
			}
		}
		pthread_mutex_unlock(&sl->mu);
		if (bad)
			return vt_fail(vt, "%s: connection %ld shows %s, want the LB %s (stale client)",
				       when, sl->conn, peer, sl->alt);
	}
	return 0;
}

static int race_cycles(struct vt *vt, const struct opts *o, struct race *rc,
		       long *stale_checked, long *alloc_total, long long *missed)
{
	long per = (o->race_conns + o->cycles - 1) / o->cycles, base;
	int c;

	if (per < 4)
		per = 4;
	for (c = 0; c < o->cycles; c++) {
		struct vt_stats st;
		int leaks = vt_kmsg_count(SLAB_LEAK_1) + vt_kmsg_count(SLAB_LEAK_2);
		unsigned long gen_loaded;
		int i;

		if (!rc->loaded) {
			__atomic_add_fetch(&rc->gen, 1, __ATOMIC_SEQ_CST);
			if (vt_load(vt, "")) {
				__atomic_add_fetch(&rc->gen, 1, __ATOMIC_SEQ_CST);
				return vt_fail(vt, "cycle %d: %s", c, strdupa(vt->err));
			}
			__atomic_store_n(&rc->loaded, 1, __ATOMIC_SEQ_CST);
			gen_loaded = __atomic_add_fetch(&rc->gen, 1, __ATOMIC_SEQ_CST);
			/*
			 * Connections accepted before this load began (their
			 * generation is at most gen_loaded - 2) have no entry.
			 */
			for (i = 0; i < rc->ss->n; i++) {
				struct slot *sl = &rc->ss->v[i];
				char peer[128];
				int bad = 0;

				pthread_mutex_lock(&sl->mu);
				if (sl->s.fd >= 0 && slot_gen[i] < gen_loaded - 1 &&
				    !vt_peer_of(sl->s.fd, peer, sizeof(peer))) {
					(*stale_checked)++;
					bad = strcmp(peer, sl->alt) != 0;
				}
				pthread_mutex_unlock(&sl->mu);
				if (bad)
					return vt_fail(vt, "cycle %d, after insmod: connection %ld from before shows %s, want the LB %s",
						       c, sl->conn, peer, sl->alt);
			}
		}
		/* traffic with the module loaded */
		base = done_now(rc);
		if (!WAIT_FOR(done_now(rc) >= base + per, 60000))
			break;
		/* quiesce: everything closed, then allocations == frees */
		__atomic_store_n(&rc->pause_req, 1, __ATOMIC_RELEASE);
		if (!WAIT_FOR(__atomic_load_n(&rc->paused, __ATOMIC_ACQUIRE), 30000))
			break;
		if (vt_wait_live_zero(vt, 5000) || vt_stats_read(vt, &st)) {
			__atomic_store_n(&rc->pause_req, 0, __ATOMIC_RELEASE);
			return vt_fail(vt, "cycle %d, all connections closed: %s", c,
				       strdupa(vt->err));
		}
		if (vt_stat_get(&st, "entries_allocated") < 1) {
			__atomic_store_n(&rc->pause_req, 0, __ATOMIC_RELEASE);
			return vt_fail(vt, "cycle %d: no entry allocated for %ld TOA connections",
				       c, per);
		}
		*alloc_total += vt_stat_get(&st, "entries_allocated");
		__atomic_store_n(&rc->pause_req, 0, __ATOMIC_RELEASE);
		/* traffic again, entries live, then rmmod in the middle of it */
		base = done_now(rc);
		if (!WAIT_FOR(done_now(rc) >= base + 3, 30000))
			break;
		if (!vt_stats_read(vt, &st))
			*missed += missed_sum(&st);
		__atomic_add_fetch(&rc->gen, 1, __ATOMIC_SEQ_CST);
		if (vt_unload(vt)) {
			__atomic_add_fetch(&rc->gen, 1, __ATOMIC_SEQ_CST);
			return vt_fail(vt, "cycle %d: rmmod under traffic: %s", c,
				       strdupa(vt->err));
		}
		__atomic_store_n(&rc->loaded, 0, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&rc->gen, 1, __ATOMIC_SEQ_CST);
		if (vt_mod_loaded(VT_MODULE_NAME))
			return vt_fail(vt, "cycle %d: toa still in /proc/modules after rmmod", c);
		if (vt_kmsg_count(SLAB_LEAK_1) + vt_kmsg_count(SLAB_LEAK_2) != leaks)
			return vt_fail(vt, "cycle %d: the kernel reports toa_entry objects left at rmmod",
				       c);
		if (all_show_lb(vt, rc, "after rmmod", stale_checked))
			return vt_fail(vt, "cycle %d: %s", c, strdupa(vt->err));
		/* a little traffic without the module */
		base = done_now(rc);
		if (!WAIT_FOR(done_now(rc) >= base + 1, 30000))
			break;
	}
	if (__atomic_load_n(&rc->failed, __ATOMIC_ACQUIRE))
		return vt_fail(vt, "traffic during cycle %d: %s", c, rc->vt.err);
	if (c < o->cycles)
		return vt_fail(vt, "cycle %d: the traffic thread stalled (%ld connections done)",
			       c, done_now(rc));
	return c;
}

int sc_unload_race(struct vt *vt, const struct opts *o)
{
	static const enum vt_lsn kinds[2] = { VT_LSN_V4, VT_LSN_V6_ONLY };
	struct race *rc = calloc(1, sizeof(*rc));
	struct slots ss;
	struct checkers ck;
	pthread_t tt;
	long stale_checked = 0, alloc_total = 0;
	long long missed = 0;
	int64_t t0;
	double secs;
	int r, started = 0;

	if (!rc)
		return vt_fail(vt, "out of memory");
	memset(&ss, 0, sizeof(ss));
	memset(&ck, 0, sizeof(ck));
	ck.stop = 1;
	/* the first cycle loads it: counters start at zero */
	if ((vt_mod_loaded(VT_MODULE_NAME) && vt_unload(vt)) ||
	    open_listeners(vt, rc->l, 2, kinds)) {
		free(rc);
		return -1;
	}
	rc->vt = *vt;
	rc->seed = o->seed;
	rc->loaded = 0;
	rc->ss = &ss;
	r = slots_init(&ss, RACE_HELD);
	if (!r)
		r = checkers_start(&ck, &ss, o->checkers);
	if (!r)
		r = pthread_create(&tt, NULL, race_traffic, rc);
	if (r) {
		r = vt_fail(vt, "cannot start the test threads");
		goto out;
	}
	started = 1;
	t0 = mono_ms();
	r = race_cycles(vt, o, rc, &stale_checked, &alloc_total, &missed);
	secs = (double)(mono_ms() - t0) / 1000;
	__atomic_store_n(&rc->stop, 1, __ATOMIC_RELEASE);
	pthread_join(tt, NULL);
	started = 0;
	if (r < 0)
		goto out;
	if (__atomic_load_n(&rc->failed, __ATOMIC_ACQUIRE)) {
		r = vt_fail(vt, "traffic: %s", rc->vt.err);
		goto out;
	}
	if (done_now(rc) < o->race_conns) {
		r = vt_fail(vt, "only %ld connections in %d cycles, want at least %ld",
			    done_now(rc), o->cycles, o->race_conns);
		goto out;
	}
	r = checkers_stop(vt, &ck);
	if (r)
		goto out;
	fig("unload_race cycles=%d connections=%ld seconds=%.1f exchanges=%ld definite_client=%ld definite_lb=%ld during_insmod_rmmod=%ld stale_checks=%ld getpeername_calls=%ld entries_allocated=%ld kretprobe_missed=%lld",
	    o->cycles, done_now(rc), secs, rc->exchanges, rc->def_client,
	    rc->def_lb, rc->indefinite, stale_checked, ck.calls, alloc_total,
	    missed);
	snprintf(pass_note, sizeof(pass_note),
		 "%d rmmod/insmod cycles under traffic, %ld connections opened/read/closed in %.1f s; allocated = freed in every cycle (%ld entries); %ld getpeername checks after rmmod/insmod all showed the LB; %ld concurrent getpeername calls right",
		 o->cycles, done_now(rc), secs, alloc_total, stale_checked,
		 ck.calls);
	r = 0;
out:
	if (started) {
		__atomic_store_n(&rc->stop, 1, __ATOMIC_RELEASE);
		pthread_join(tt, NULL);
	}
	if (!ck.stop)
		checkers_stop(vt, &ck);
	slots_free(&ss);
	close_listeners(rc->l, 2);
	free(rc);
	if (!vt_mod_loaded(VT_MODULE_NAME) && vt_load(vt, "") && !r)
		r = -1;
	return r;
}

/* ---- final_unload ---- */

int sc_final_unload(struct vt *vt, const struct opts *o)
{
	uint8_t a16[16], opt[20];
	struct expect e;
	struct vt_session s;
	char cl[96], lb[96], peer[128];
	uint16_t lport, port;
	int lfd, unloaded, leaks, r = -1;
	size_t n;

	(void)o;
	if (vt_ensure_loaded(vt))
		return -1;
	lfd = vt_listener(vt, VT_LSN_V4, &lport);
	if (lfd < 0)
		return -1;
	client_of(4242, AF_INET, a16, &port);
	n = client_opt(opt, AF_INET, a16, port, &e);
	if (vt_sess_open(vt, &s, lfd, lport, AF_INET, opt, n))
		goto out_lfd;
	want_string(vt, &e, AF_INET, VT_LSN_V4, 0, cl, sizeof(cl));
	lb_string(vt, AF_INET, VT_LSN_V4, s.c.lb_port, lb, sizeof(lb));
	if (vt_peer_of(s.fd, peer, sizeof(peer)) || strcmp(peer, cl)) {
		vt_fail(vt, "before rmmod: getpeername %s, want %s", peer, cl);
		goto out;
	}
	unloaded = vt_kmsg_count("TOA: toa unloaded");
	leaks = vt_kmsg_count(SLAB_LEAK_1) + vt_kmsg_count(SLAB_LEAK_2);
	if (vt_unload(vt))
		goto out;
	if (vt_mod_loaded(VT_MODULE_NAME)) {
		vt_fail(vt, "toa still in /proc/modules");
		goto out;
	}
	if (vt_kmsg_count("TOA: toa unloaded") != unloaded + 1) {
		vt_fail(vt, "no \"TOA: toa unloaded\" kernel log line");
		goto out;
	}
	if (vt_kmsg_count(SLAB_LEAK_1) + vt_kmsg_count(SLAB_LEAK_2) != leaks) {
		vt_fail(vt, "the kernel reports toa_entry objects left at rmmod");
		goto out;
	}
	if (vt_peer_of(s.fd, peer, sizeof(peer)) || strcmp(peer, lb)) {
		vt_fail(vt, "after rmmod: getpeername %s, want the LB %s", peer, lb);
		goto out;
	}
	if (vt_sess_exchange(vt, &s) || close_session(vt, &s, 1))
		goto out;
	snprintf(pass_note, sizeof(pass_note),
		 "rmmod with a TOA connection open: \"toa unloaded\" logged, no object left, the connection shows the LB and still works");
	r = 0;
out:
	vt_sess_abort(&s);
out_lfd:
	close(lfd);
	return r;
}
