/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * unload_race.c - --cycles cycles; per cycle: insmod, traffic, pause and
 * close everything, check, traffic again, rmmod while a thread keeps
 * opening/reading/closing connections (at least --race-conns in total)
 * and checkers call getpeername(). Per cycle entries_live is 0 and
 * allocated == freed once all is closed, the kernel reports no slab left
 * at rmmod, every open connection shows the LB after rmmod (no stale
 * client) and still after the next insmod; connections made while the
 * module stood still show exactly the client (loaded) or the LB
 * (unloaded), during insmod/rmmod one of the two.
 */
#include "st.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RACE_HELD 16

struct race {
	struct vt vt;	   /* the traffic thread's own (err buffer) */
	struct st_lsnr *l; /* the bench's: IPv4, IPv6 only */
	struct st_slots *ss;
	uint64_t seed;
	volatile unsigned long gen; /* odd while insmod/rmmod runs */
	volatile int loaded;
	volatile int pause_req, paused, stop, failed;
	volatile long done; /* connections completed */
	long def_client, def_lb, indefinite, exchanges;
	long slot_gen_ok;
};

/* the generation read after each held connection was accepted */
static unsigned long slot_gen[RACE_HELD];

static void *race_traffic(void *p)
{
	struct race *rc = p;
	struct vt *vt = &rc->vt;
	struct st_rng r;
	long n = 0;

	st_rng_seed(&r, rc->seed ^ 0x7ace);
	for (;;) {
		struct vt_session s;
		struct st_expect e;
		uint8_t a16[16], opt[20];
		char cl[96], lb[96], peer[128];
		unsigned long g1, g2;
		int fam, ld;
		uint16_t port;
		size_t len;
		struct st_lsnr *ln;
		struct st_slot *sl;
		int i;

		if (__atomic_load_n(&rc->stop, __ATOMIC_ACQUIRE))
			break;
		if (__atomic_load_n(&rc->pause_req, __ATOMIC_ACQUIRE)) {
			for (i = 0; i < rc->ss->n; i++)
				if (st_slot_close(vt, &rc->ss->v[i], st_rng_below(&r, 3)))
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
		st_client_of(n, fam, a16, &port);
		len = st_client_opt(opt, fam, a16, port, &e);
		sl = &rc->ss->v[n % rc->ss->n];
		if (st_slot_close(vt, sl, st_rng_below(&r, 3)))
			goto failed;
		g1 = __atomic_load_n(&rc->gen, __ATOMIC_SEQ_CST);
		ld = __atomic_load_n(&rc->loaded, __ATOMIC_SEQ_CST);
		if (vt_sess_open(vt, &s, ln->fd, ln->port, fam, opt, len)) {
			vt_fail(vt, "connection %ld: %s", n, strdupa(vt->err));
			goto failed;
		}
		vt_peer_of(s.fd, peer, sizeof(peer));
		g2 = __atomic_load_n(&rc->gen, __ATOMIC_SEQ_CST);
		st_want_string(vt, &e, fam, ln->kind, 0, cl, sizeof(cl));
		st_lb_string(vt, fam, ln->kind, s.c.lb_port, lb, sizeof(lb));
		if (g1 == g2 && !(g1 & 1)) {
			const char *want = ld ? cl : lb;

			if (strcmp(s.accepted, want) || strcmp(peer, want)) {
				vt_fail(vt,
					"connection %ld with the module %s: accept gave %s, getpeername %s, want %s",
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
				vt_fail(vt,
					"connection %ld during insmod/rmmod: accept gave %s, getpeername %s, want %s or %s",
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
		 * The slot is empty until st_slot_put() publishes it.
		 */
		slot_gen[n % rc->ss->n] = g2;
		st_slot_put(sl, &s, cl, lb, n);
		n++;
		__atomic_store_n(&rc->done, n, __ATOMIC_RELEASE);
	}
	return NULL;
failed:
	__atomic_store_n(&rc->failed, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* wait until @cond holds (polled), the traffic failed, or @ms passed */
#define WAIT_FOR(cond, ms)                                                           \
	({                                                                           \
		int64_t _end = st_mono_ms() + (ms);                                  \
		while (!(cond) && !__atomic_load_n(&rc->failed, __ATOMIC_ACQUIRE) && \
		       st_mono_ms() < _end)                                          \
			usleep(2000);                                                \
		(cond);                                                              \
	})

static long done_now(struct race *rc)
{
	return __atomic_load_n(&rc->done, __ATOMIC_ACQUIRE);
}

/* every open connection must show the LB: the module is not there */
static int all_show_lb(struct vt *vt, struct race *rc, const char *when, long *checked)
{
	int i;

	for (i = 0; i < rc->ss->n; i++) {
		struct st_slot *sl = &rc->ss->v[i];
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
			return vt_fail(vt,
				       "%s: connection %ld shows %s, want the LB %s (stale client)",
				       when, sl->conn, peer, sl->alt);
	}
	return 0;
}

static int race_cycles(struct vt *vt, const struct st_opts *o, struct race *rc, long *stale_checked,
		       long *alloc_total, long long *missed)
{
	long per = (o->race_conns + o->cycles - 1) / o->cycles, base;
	int c;

	if (per < 4)
		per = 4;
	for (c = 0; c < o->cycles; c++) {
		struct vt_stats st;
		int leaks = st_slab_leaks();
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
				struct st_slot *sl = &rc->ss->v[i];
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
					return vt_fail(
						vt,
						"cycle %d, after insmod: connection %ld from before shows %s, want the LB %s",
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
			*missed += st_missed_sum(&st);
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
		if (st_slab_leaks() != leaks)
			return vt_fail(
				vt, "cycle %d: the kernel reports toa_entry objects left at rmmod",
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
		return vt_fail(vt, "cycle %d: the traffic thread stalled (%ld connections done)", c,
			       done_now(rc));
	return c;
}

/* what is left to check once the traffic thread has stopped */
static int race_verdict(struct vt *vt, const struct st_opts *o, struct race *rc,
			struct st_checkers *ck, double secs, long stale_checked, long alloc_total,
			long long missed)
{
	if (__atomic_load_n(&rc->failed, __ATOMIC_ACQUIRE))
		return vt_fail(vt, "traffic: %s", rc->vt.err);
	if (done_now(rc) < o->race_conns)
		return vt_fail(vt, "only %ld connections in %d cycles, want at least %ld",
			       done_now(rc), o->cycles, o->race_conns);
	if (st_checkers_stop(vt, ck))
		return -1;
	st_fig("unload_race cycles=%d connections=%ld seconds=%.1f exchanges=%ld definite_client=%ld definite_lb=%ld during_insmod_rmmod=%ld stale_checks=%ld getpeername_calls=%ld entries_allocated=%ld kretprobe_missed=%lld",
	       o->cycles, done_now(rc), secs, rc->exchanges, rc->def_client, rc->def_lb,
	       rc->indefinite, stale_checked, ck->calls, alloc_total, missed);
	snprintf(
		vt->note, sizeof(vt->note),
		"%d rmmod/insmod cycles under traffic, %ld connections opened/read/closed in %.1f s; allocated = freed in every cycle (%ld entries); %ld getpeername checks after rmmod/insmod all showed the LB; %ld concurrent getpeername calls right",
		o->cycles, done_now(rc), secs, alloc_total, stale_checked, ck->calls);
	return 0;
}

static int unload_race(struct vt *vt)
{
	const struct st_opts *o = vt->opts;
	struct st_bench *bench = vt->fx.data;
	struct race *rc;
	pthread_t tt;
	long stale_checked = 0, alloc_total = 0;
	long long missed = 0;
	int64_t t0;
	double secs;
	int r;

	/* the first cycle loads it: counters start at zero */
	if (vt_mod_loaded(VT_MODULE_NAME) && vt_unload(vt))
		return -1;
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return vt_fail(vt, "out of memory");
	rc->vt = *vt;
	rc->seed = o->seed;
	rc->loaded = 0;
	rc->ss = &bench->ss;
	rc->l = bench->l;
	if (pthread_create(&tt, NULL, race_traffic, rc)) {
		free(rc);
		return vt_fail(vt, "cannot start the test threads");
	}
	t0 = st_mono_ms();
	r = race_cycles(vt, o, rc, &stale_checked, &alloc_total, &missed);
	secs = (double)(st_mono_ms() - t0) / 1000;
	__atomic_store_n(&rc->stop, 1, __ATOMIC_RELEASE);
	pthread_join(tt, NULL);
	if (r >= 0)
		r = race_verdict(vt, o, rc, &bench->ck, secs, stale_checked, alloc_total, missed);
	free(rc);
	return r;
}

/* RACE_HELD connections stay open; the module is loaded again afterwards */
static const struct st_bench_spec race_bench = {{VT_LSN_V4, VT_LSN_V6_ONLY}, RACE_HELD};
VT_SCENARIO(unload_race, .order = ST_UNLOAD_RACE, ST_BENCH(race_bench), .reload_default = true);
