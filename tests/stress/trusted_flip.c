/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * trusted_flip.c - a thread writes trusted_sources every 2-22 ms (a list
 * with the LB, one without, empty) while --flip-conns TOA connections
 * flow and checkers run. A connection made while the list stood still
 * shows the client or the LB exactly as the list says; one made during a
 * change shows one of the two; the value reads back canonical after each
 * write; syn_recv_sock_toa + untrusted moved by the connection count.
 */
#include "st.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LIST_TRUSTED "198.51.100.0/24,2001:db8:1::/64" /* holds VT_LB4, VT_LB6 */
#define LIST_OTHER   "192.0.2.0/24,2001:db8:ffff::/48" /* holds neither */

enum tstate { T_TRUSTED, T_OTHER, T_ANY };

struct flip {
	volatile unsigned long gen; /* odd while a write is under way */
	volatile int state;
	volatile int stop;
	long flips;
	char err[512];
	uint64_t seed;
};

static void *flipper_main(void *p)
{
	static const char *const val[] = {LIST_TRUSTED, LIST_OTHER, "\n"};
	static const char *const canon[] = {LIST_TRUSTED, LIST_OTHER, ""};
	struct flip *f = p;
	struct st_rng r;

	st_rng_seed(&r, f->seed ^ 0x5eed);
	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
		int s = (int)st_rng_below(&r, 3), err;
		char back[256];

		__atomic_add_fetch(&f->gen, 1, __ATOMIC_SEQ_CST);
		err = vt_param_write("trusted_sources", val[s]);
		if (!err)
			err = vt_param_read("trusted_sources", back, sizeof(back));
		if (err || strcmp(back, canon[s])) {
			snprintf(f->err, sizeof(f->err),
				 "writing %s to trusted_sources: %s (reads back \"%s\")",
				 canon[s][0] ? canon[s] : "\"\"", err ? strerror(-err) : "ok",
				 err ? "" : back);
			__atomic_add_fetch(&f->gen, 1, __ATOMIC_SEQ_CST);
			break;
		}
		__atomic_store_n(&f->state, s, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&f->gen, 1, __ATOMIC_SEQ_CST);
		f->flips++;
		usleep(2000 + st_rng_below(&r, 20000));
	}
	return NULL;
}

/* connections counted by what the list said while they were made */
struct flip_counts {
	long trusted, untrusted; /* the list stood still: exactly so */
	long indefinite;	 /* made during a change: either */
};

/* --flip-conns TOA connections while the flipper runs */
static int flip_traffic(struct vt *vt, const struct st_opts *o, struct st_bench *bench,
			struct flip *f, struct st_rng *r, struct flip_counts *cnt)
{
	long i;

	for (i = 0; i < o->flip_conns && !f->err[0]; i++) {
		int fam = st_rng_below(r, 3) ? AF_INET : AF_INET6;
		struct st_lsnr *ln = &bench->l[fam == AF_INET ? 0 : 1];
		uint8_t a16[16], opt[20];
		char cl[96], lb[96], peer[128];
		struct st_expect e;
		struct vt_session s;
		unsigned long g1, g2;
		int st;
		uint16_t port;
		size_t n;
		struct st_slot *sl = &bench->ss.v[i % bench->ss.n];

		st_client_of(i, fam, a16, &port);
		n = st_client_opt(opt, fam, a16, port, &e);
		if (st_slot_close(vt, sl, st_rng_below(r, 3)))
			return vt_fail(vt, "closing connection %ld: %s", sl->conn,
				       strdupa(vt->err));
		g1 = __atomic_load_n(&f->gen, __ATOMIC_SEQ_CST);
		st = __atomic_load_n(&f->state, __ATOMIC_SEQ_CST);
		if (vt_sess_open(vt, &s, ln->fd, ln->port, fam, opt, n))
			return vt_fail(vt, "connection %ld: %s", i, strdupa(vt->err));
		g2 = __atomic_load_n(&f->gen, __ATOMIC_SEQ_CST);
		st_want_string(vt, &e, fam, ln->kind, 0, cl, sizeof(cl));
		st_lb_string(vt, fam, ln->kind, s.c.lb_port, lb, sizeof(lb));
		vt_peer_of(s.fd, peer, sizeof(peer));
		if (strcmp(peer, s.accepted)) {
			vt_sess_abort(&s);
			return vt_fail(vt, "connection %ld: accept gave %s, getpeername %s", i,
				       s.accepted, peer);
		}
		if (g1 == g2 && !(g1 & 1)) {
			const char *want = st == T_OTHER ? lb : cl;

			if (strcmp(peer, want)) {
				vt_sess_abort(&s);
				return vt_fail(
					vt,
					"connection %ld with trusted_sources %s: getpeername %s, want %s",
					i,
					st == T_TRUSTED		? LIST_TRUSTED
						: st == T_OTHER ? LIST_OTHER
								: "empty",
					peer, want);
			}
			if (st == T_OTHER)
				cnt->untrusted++;
			else
				cnt->trusted++;
		} else {
			if (strcmp(peer, cl) && strcmp(peer, lb)) {
				vt_sess_abort(&s);
				return vt_fail(
					vt,
					"connection %ld during a trusted_sources change: getpeername %s, want %s or %s",
					i, peer, cl, lb);
			}
			cnt->indefinite++;
		}
		st_slot_put(sl, &s, peer, NULL, i);
	}
	return 0;
}

static int trusted_flip(struct vt *vt)
{
	const struct st_opts *o = vt->opts;
	struct st_bench *bench = vt->fx.data;
	struct flip_counts n = {0};
	struct vt_stats a, b;
	struct st_rng r;
	struct flip f;
	pthread_t ft;
	int64_t t0;
	double secs;
	int err;

	memset(&f, 0, sizeof(f));
	f.seed = o->seed;
	f.state = T_ANY;
	if (vt_param_write("trusted_sources", "\n"))
		return vt_fail(vt, "resetting trusted_sources failed");
	st_rng_seed(&r, o->seed ^ 0xf11b);
	if (vt_stats_read(vt, &a))
		return -1;
	if (pthread_create(&ft, NULL, flipper_main, &f))
		return vt_fail(vt, "cannot start the flipping thread");
	t0 = st_mono_ms();
	err = flip_traffic(vt, o, bench, &f, &r, &n);
	secs = (double)(st_mono_ms() - t0) / 1000;
	__atomic_store_n(&f.stop, 1, __ATOMIC_RELEASE);
	pthread_join(ft, NULL);
	if (err)
		return -1;
	if (f.err[0])
		return vt_fail(vt, "%s", f.err);
	if (st_close_all(vt, &bench->ss, &r) || st_checkers_stop(vt, &bench->ck))
		return -1;
	if (vt_param_write("trusted_sources", "\n"))
		return vt_fail(vt, "clearing trusted_sources failed");
	if (vt_wait_live_zero(vt, 10000) || vt_stats_read(vt, &b))
		return -1;
	/* every connection carried a valid TOA: honoured or untrusted */
	if ((vt_stat_get(&b, "syn_recv_sock_toa") - vt_stat_get(&a, "syn_recv_sock_toa")) +
		    (vt_stat_get(&b, "untrusted") - vt_stat_get(&a, "untrusted")) !=
	    o->flip_conns)
		return vt_fail(vt, "syn_recv_sock_toa + untrusted moved by %lld, want %ld",
			       vt_stat_get(&b, "syn_recv_sock_toa") -
				       vt_stat_get(&a, "syn_recv_sock_toa") +
				       vt_stat_get(&b, "untrusted") - vt_stat_get(&a, "untrusted"),
			       o->flip_conns);
	if (vt_stat_get(&b, "untrusted") - vt_stat_get(&a, "untrusted") < n.untrusted)
		return vt_fail(vt, "untrusted moved less than the %ld untrusted connections",
			       n.untrusted);
	if (!n.trusted || !n.untrusted)
		return vt_fail(
			vt,
			"not enough connections while the list stood still (%ld trusted, %ld untrusted): nothing proven",
			n.trusted, n.untrusted);
	st_fig("trusted_flip connections=%ld seconds=%.1f flips=%ld definite_trusted=%ld definite_untrusted=%ld during_change=%ld getpeername_calls=%ld",
	       o->flip_conns, secs, f.flips, n.trusted, n.untrusted, n.indefinite, bench->ck.calls);
	snprintf(
		vt->note, sizeof(vt->note),
		"%ld connections, %ld list changes in %.1f s: %ld trusted and %ld untrusted exactly as the list said, %ld during a change (client or LB); %ld concurrent getpeername calls right",
		o->flip_conns, f.flips, secs, n.trusted, n.untrusted, n.indefinite,
		bench->ck.calls);
	return 0;
}

static const struct st_bench_spec flip_bench = {{VT_LSN_V4, VT_LSN_V6_ONLY}, 64};
VT_SCENARIO(trusted_flip, .order = ST_TRUSTED_FLIP, .load = true, ST_BENCH(flip_bench),
	    .clear_trusted = true);
