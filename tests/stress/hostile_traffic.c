/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * hostile_traffic.c - --conns handshakes from the emulated LB, each ACK
 * with a random option area from gen.c, over IPv4 to an IPv4 listener,
 * IPv4 to [::], IPv6 to an IPv6-only listener and IPv6 to [::]; every 8th
 * connection exchanges data; closes alternate LB RST / LB FIN first /
 * server abort. accept() and getpeername() must give exactly what the
 * oracle says, every concurrent getpeername() answer too, and the
 * counters must move by exactly the oracle's counts.
 */
#include "st.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * vt_sess_open() with one more, option-less ACK right after the handshake
 * ACK: where the kernel drops the first (see st_strict_reject()), the second
 * creates the child, without TOA; elsewhere it is a harmless duplicate.
 */
static int open_conn(struct vt *vt, struct vt_session *s, const struct st_lsnr *ln, int fam,
		     const uint8_t *opt, size_t n)
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
		return vt_fail(vt, "emulated handshake to port %u: %s", ln->port, strerror(-err));
	s->fd = vt_accept(vt, ln->fd, s->accepted, sizeof(s->accepted), VT_TIMEOUT_MS);
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
static int probe_strict(struct vt *vt, const struct st_lsnr *ln, size_t *minlen)
{
	static const size_t lens[2] = {20, 8};
	bool dropped[2];
	int i;

	for (i = 0; i < 2; i++) {
		uint8_t opt[LBSIM_MAX_OPTLEN] = {2, 0}; /* MSS, length 0 */
		struct vt_stats a, b;
		struct vt_session s;
		long long mal, none;

		if (vt_stats_read(vt, &a) || open_conn(vt, &s, ln, AF_INET, opt, lens[i]))
			return -1;
		if (st_close(vt, &s, 0) || vt_stats_read(vt, &b))
			return -1;
		mal = vt_stat_get(&b, "malformed") - vt_stat_get(&a, "malformed");
		none = vt_stat_get(&b, "syn_recv_sock_no_toa") -
			vt_stat_get(&a, "syn_recv_sock_no_toa");
		if (mal + none != 1)
			return vt_fail(
				vt,
				"probe %d: malformed moved by %lld, syn_recv_sock_no_toa by %lld, want one of them by 1",
				i, mal, none);
		dropped[i] = none == 1;
	}
	if (!dropped[0] && dropped[1])
		return vt_fail(vt, "probes: a short broken option list dropped, a long one not");
	*minlen = !dropped[0] ? 0 : dropped[1] ? 5 : 18;
	return 0;
}

static int hostile_traffic(struct vt *vt)
{
	const struct st_opts *o = vt->opts;
	struct st_bench *bench = vt->fx.data;
	struct st_lsnr *l = bench->l;
	struct st_slots *ss = &bench->ss;
	struct st_checkers *ck = &bench->ck;
	long outc[ST_OUT_COUNT] = {0}, genc[ST_GEN_COUNT] = {0};
	long exid = 0, exchanges = 0, closes[3] = {0}, kernel_dropped = 0, i;
	size_t minlen = 0;
	long long missed, destruct_missed;
	struct vt_stats a, b;
	struct st_rng r;
	int64_t t0;
	double secs;
	char want[96], peer[128];
	int k;

	if (vt_param_write("trusted_sources", "\n") || vt_stats_read(vt, &a))
		return vt_fail(vt, "resetting trusted_sources / reading stats: %s", vt->err);
	if (probe_strict(vt, &l[0], &minlen) || vt_stats_read(vt, &a))
		return -1;
	st_fig("hostile_traffic kernel_drops_broken_option_lists=%s",
	       !minlen		      ? "no"
		       : minlen == 18 ? "yes(md5,from_18_bytes)"
				      : "yes(ao,from_5_bytes)");
	st_rng_seed(&r, o->seed);
	t0 = st_mono_ms();
	for (i = 0; i < o->conns; i++) {
		uint8_t opt[LBSIM_MAX_OPTLEN];
		enum st_gen_kind gk;
		struct st_expect e;
		struct vt_session s;
		unsigned int path = st_rng_below(&r, 4), how;
		/* VT_LB4 -> v4, VT_LB4 -> [::], VT_LB6 -> [::] only, VT_LB6 -> [::] */
		int fam = path < 2 ? AF_INET : AF_INET6;
		struct st_lsnr *ln = &l[path == 0 ? 0 : path == 2 ? 2 : 1];
		size_t n = st_gen_options(&r, ST_KIND, opt, &gk);
		struct st_slot *sl = &ss->v[i % ss->n];

		st_oracle(opt, n, ST_KIND, &e);
		if (st_strict_reject(opt, n, minlen)) {
			/* the kernel drops it; the clean ACK makes the child */
			memset(&e, 0, sizeof(e));
			e.out = ST_OUT_NONE;
			kernel_dropped++;
		}
		how = st_rng_below(&r, 3);
		if (st_slot_close(vt, sl, how))
			return vt_fail(vt, "closing connection %ld: %s", sl->conn,
				       strdupa(vt->err));
		closes[how]++;
		if (open_conn(vt, &s, ln, fam, opt, n)) {
			char hx[160];

			st_hex_opts(opt, n, hx, sizeof(hx));
			return vt_fail(vt, "connection %ld (%s, options %s): %s", i,
				       st_gen_names[gk], hx, strdupa(vt->err));
		}
		st_want_string(vt, &e, fam, ln->kind, s.c.lb_port, want, sizeof(want));
		vt_peer_of(s.fd, peer, sizeof(peer));
		if (strcmp(s.accepted, want) || strcmp(peer, want)) {
			char hx[160];

			st_hex_opts(opt, n, hx, sizeof(hx));
			vt_fail(vt,
				"connection %ld (%s, %s over IPv%d to %s listener, options [%s]): accept gave %s, getpeername %s, want %s",
				i, st_gen_names[gk], st_outcome_names[e.out],
				fam == AF_INET ? 4 : 6,
				ln->kind == VT_LSN_V4		     ? "IPv4"
					: ln->kind == VT_LSN_V6_DUAL ? "[::]"
								     : "IPv6-only",
				hx, s.accepted, peer, want);
			vt_sess_abort(&s);
			return -1;
		}
		if (i % 8 == 0) {
			if (vt_sess_exchange(vt, &s)) {
				vt_sess_abort(&s);
				return vt_fail(vt, "connection %ld: %s", i, strdupa(vt->err));
			}
			exchanges++;
		}
		st_slot_put(sl, &s, want, NULL, i);
		outc[e.out]++;
		genc[gk]++;
		exid += e.exid;
		if ((i + 1) % 10000 == 0)
			printf("# hostile_traffic: %ld connections in %.1f s\n", i + 1,
			       (double)(st_mono_ms() - t0) / 1000);
	}
	secs = (double)(st_mono_ms() - t0) / 1000;
	if (st_close_all(vt, ss, &r))
		return -1;
	if (st_checkers_stop(vt, ck))
		return -1;
	if (vt_wait_live_zero(vt, 10000) || vt_stats_read(vt, &b))
		return -1;
	/* every outcome counted exactly once, nothing dropped */
	if (vt_expect_delta_eq(vt, &a, &b, "syn_recv_sock_toa",
			       outc[ST_OUT_V4] + outc[ST_OUT_V6]) ||
	    vt_expect_delta_eq(vt, &a, &b, "syn_recv_sock_no_toa", outc[ST_OUT_NONE]) ||
	    vt_expect_delta_eq(vt, &a, &b, "malformed", outc[ST_OUT_MALFORMED]) ||
	    vt_expect_delta_eq(vt, &a, &b, "bad_client", outc[ST_OUT_BAD_CLIENT]) ||
	    vt_expect_delta_eq(vt, &a, &b, "exid_skipped", exid) ||
	    vt_expect_delta_eq(vt, &a, &b, "untrusted", 0) ||
	    vt_expect_delta_eq(vt, &a, &b, "table_full", 0) ||
	    vt_expect_delta_eq(vt, &a, &b, "entries_allocated", outc[ST_OUT_V4] + outc[ST_OUT_V6]))
		return -1;
	/*
	 * A missed probe hit is counted by the kernel, not an error in
	 * itself: a missed syn_recv_sock or getname hit would have shown up
	 * above as a wrong answer or counter, a missed inet_sock_destruct of
	 * a socket with an entry as entries_live > 0. Reported as a figure.
	 */
	missed = st_missed_sum(&b) - st_missed_sum(&a);
	destruct_missed = vt_stat_get(&b, "nmissed_inet_sock_destruct") -
		vt_stat_get(&a, "nmissed_inet_sock_destruct");

	st_fig("hostile_traffic connections=%ld seconds=%.1f rate_per_s=%.0f getpeername_calls=%ld exchanges=%ld dropped_by_kernel=%ld probe_missed=%lld destruct_missed=%lld",
	       o->conns, secs, o->conns / (secs > 0 ? secs : 1), ck->calls, exchanges,
	       kernel_dropped, missed, destruct_missed);
	st_fig("hostile_traffic outcomes toa_v4=%ld toa_v6=%ld no_toa=%ld malformed=%ld bad_client=%ld exid_skipped=%ld",
	       outc[ST_OUT_V4], outc[ST_OUT_V6], outc[ST_OUT_NONE], outc[ST_OUT_MALFORMED],
	       outc[ST_OUT_BAD_CLIENT], exid);
	printf("FIG hostile_traffic recipes");
	for (k = 0; k < ST_GEN_COUNT; k++)
		printf(" %s=%ld", st_gen_names[k], genc[k]);
	printf("\n");
	st_fig("hostile_traffic closes lb_rst=%ld lb_fin_first=%ld server_abort=%ld entries_allocated=%lld entries_freed=%lld entries_live=%lld",
	       closes[0], closes[1], closes[2],
	       vt_stat_get(&b, "entries_allocated") - vt_stat_get(&a, "entries_allocated"),
	       vt_stat_get(&b, "entries_freed") - vt_stat_get(&a, "entries_freed"),
	       vt_stat_get(&b, "entries_live"));
	snprintf(
		vt->note, sizeof(vt->note),
		"%ld connections in %.1f s (%.0f/s): %ld toa_v4, %ld toa_v6, %ld no_toa, %ld malformed, %ld bad_client all as the oracle said (%ld ACKs dropped by the kernel itself); %ld concurrent getpeername calls right; live 0, allocated = freed",
		o->conns, secs, o->conns / (secs > 0 ? secs : 1), outc[ST_OUT_V4], outc[ST_OUT_V6],
		outc[ST_OUT_NONE], outc[ST_OUT_MALFORMED], outc[ST_OUT_BAD_CLIENT], kernel_dropped,
		ck->calls);
	return 0;
}

/* 256 connections stay open while checker threads call getpeername on them */
static const struct st_bench_spec hostile_bench = {{VT_LSN_V4, VT_LSN_V6_DUAL, VT_LSN_V6_ONLY},
						   256};
VT_SCENARIO(hostile_traffic, .order = ST_HOSTILE_TRAFFIC, .load = true, ST_BENCH(hostile_bench));
