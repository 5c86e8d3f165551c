/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * parallel_conns.c - many balancers at once: ST_PAR_THREADS threads, each
 * an emulated balancer with a TUN device, addresses and a listener of its
 * own, open --par-conns TOA connections between them as fast as they can,
 * so that the module's hooks run on every vCPU at the same time (a TUN
 * write runs the receive path on the writer's CPU). Every accept() and
 * getpeername() must show the connection's own client; at the end every
 * connection was counted in syn_recv_sock_toa, no hook missed a call
 * (nmissed_* +0, where a kretprobe would run out of instances), nothing
 * was refused or misread, and the table is empty again. That it ran in
 * parallel is checked too: every CPU received at least a tenth of the
 * packets (/proc/net/softnet_stat, per CPU).
 */
#include "st.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ST_PAR_THREADS	4
#define ST_PAR_MAX_CPUS 64

struct par_worker {
	struct vt vt; /* the scenario's, with this balancer's TUN and addresses */
	int idx;
	int lfd;
	uint16_t port;
	long first, conns; /* clients first .. first + conns - 1 */
	long done;
	volatile int *stop; /* set by the first worker that fails */
	pthread_t tid;
	bool started;
};

/* 10.201.<idx>.1/30 here, the balancer at .2 behind the TUN device */
static int par_net(struct par_worker *w)
{
	struct in_addr srv;
	char a[32];
	int err;

	err = lbsim_tun_open(&w->vt.tun, NULL);
	if (err)
		return vt_fail(&w->vt, "balancer %d: opening a TUN device: %s", w->idx,
			       strerror(-err));
	snprintf(a, sizeof(a), "10.201.%d.1", w->idx);
	inet_pton(AF_INET, a, &srv);
	w->vt.srv4 = srv;
	snprintf(a, sizeof(a), "10.201.%d.2", w->idx);
	inet_pton(AF_INET, a, &w->vt.lb4);
	err = lbsim_tun_add_addr(w->vt.tun, AF_INET, &srv, 30);
	if (!err)
		err = lbsim_tun_up(w->vt.tun);
	if (err)
		return vt_fail(&w->vt, "balancer %d: configuring %s: %s", w->idx,
			       lbsim_tun_name(w->vt.tun), strerror(-err));
	w->lfd = vt_listener(&w->vt, VT_LSN_V4, &w->port);
	return w->lfd < 0 ? -1 : 0;
}

static int par_conn(struct par_worker *w, long n)
{
	struct vt *vt = &w->vt;
	uint8_t a16[16], opt[20];
	char want[96], peer[96];
	struct st_expect e;
	struct vt_session s;
	uint16_t cport;
	size_t len;

	st_client_of(n, AF_INET, a16, &cport);
	len = st_client_opt(opt, AF_INET, a16, cport, &e);
	if (vt_sess_open(vt, &s, w->lfd, w->port, AF_INET, opt, len))
		return vt_fail(vt, "balancer %d, connection %ld: %s", w->idx, n, strdupa(vt->err));
	st_want_string(vt, &e, AF_INET, VT_LSN_V4, 0, want, sizeof(want));
	vt_peer_of(s.fd, peer, sizeof(peer));
	if (strcmp(s.accepted, want) || strcmp(peer, want)) {
		vt_sess_abort(&s);
		return vt_fail(
			vt, "balancer %d, connection %ld: accept gave %s, getpeername %s, want %s",
			w->idx, n, s.accepted, peer, want);
	}
	if (st_close(vt, &s, (unsigned int)n))
		return vt_fail(vt, "balancer %d, connection %ld: %s", w->idx, n, strdupa(vt->err));
	lbsim_tun_flush(vt->tun);
	return 0;
}

static void *par_main(void *p)
{
	struct par_worker *w = p;
	long i;

	for (i = 0; i < w->conns && !__atomic_load_n(w->stop, __ATOMIC_ACQUIRE); i++) {
		if (par_conn(w, w->first + i)) {
			__atomic_store_n(w->stop, 1, __ATOMIC_RELEASE);
			break;
		}
		w->done++;
	}
	return NULL;
}

/* packets each CPU's receive path has taken (softnet_stat, 1st column) */
static int par_softnet(unsigned long long *out, int max)
{
	FILE *f = fopen("/proc/net/softnet_stat", "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx", &out[n]) == 1)
			n++;
	fclose(f);
	return n;
}

static int par_check(struct vt *vt, const struct vt_stats *a, const struct vt_stats *b, long total)
{
	static const char *const still[] = {
		"syn_recv_sock_no_toa", "untrusted",	      "malformed",
		"bad_client",		"table_full",	      "no_memory",
		"getname_toa_mismatch", "syn_cookie_toa_lost"};
	long long missed = st_missed_sum(b) - st_missed_sum(a);
	size_t i;

	if (vt_expect_delta_eq(vt, a, b, "syn_recv_sock_toa", total) ||
	    vt_expect_delta_eq(vt, a, b, "entries_allocated",
			       vt_stat_get(b, "entries_freed") - vt_stat_get(a, "entries_freed")))
		return -1;
	for (i = 0; i < VT_ARRAY_SIZE(still); i++)
		if (vt_expect_delta_eq(vt, a, b, still[i], 0))
			return -1;
	if (missed)
		return vt_fail(vt, "the hooks missed %lld calls (nmissed_*)", missed);
	return 0;
}

static int parallel_conns(struct vt *vt)
{
	const struct st_opts *o = vt->opts;
	struct par_worker w[ST_PAR_THREADS];
	volatile int stop = 0;
	long per = o->par_conns / ST_PAR_THREADS, total = 0;
	unsigned long long rx0[ST_PAR_MAX_CPUS], rx1[ST_PAR_MAX_CPUS], rx_all = 0;
	char rx_note[128] = "";
	int ncpu0, ncpu1, at = 0;
	struct vt_stats a, b;
	int64_t t0;
	double secs;
	int i, err = 0;

	memset(w, 0, sizeof(w));
	for (i = 0; i < ST_PAR_THREADS; i++) {
		w[i].vt = *vt;
		w[i].vt.tun = NULL;
		w[i].lfd = -1;
		w[i].idx = i;
		w[i].first = (long)i * per;
		w[i].conns = i < ST_PAR_THREADS - 1 ? per : o->par_conns - (long)i * per;
		w[i].stop = &stop;
	}
	for (i = 0; i < ST_PAR_THREADS && !err; i++)
		err = par_net(&w[i]);
	if (!err)
		err = vt_stats_read(vt, &a);
	ncpu0 = par_softnet(rx0, ST_PAR_MAX_CPUS);
	t0 = st_mono_ms();
	for (i = 0; i < ST_PAR_THREADS && !err; i++) {
		if (pthread_create(&w[i].tid, NULL, par_main, &w[i])) {
			stop = 1;
			err = vt_fail(vt, "cannot start balancer thread %d", i);
			break;
		}
		w[i].started = true;
	}
	for (i = 0; i < ST_PAR_THREADS; i++) {
		if (w[i].started)
			pthread_join(w[i].tid, NULL);
		total += w[i].done;
		if (!err && w[i].vt.err[0])
			err = vt_fail(vt, "%s", w[i].vt.err);
	}
	secs = (double)(st_mono_ms() - t0) / 1000;
	ncpu1 = par_softnet(rx1, ST_PAR_MAX_CPUS);
	for (i = 0; i < ST_PAR_THREADS; i++) {
		if (w[i].lfd >= 0)
			close(w[i].lfd);
		lbsim_tun_close(w[i].vt.tun);
	}
	if (err)
		return -1;
	if (total != o->par_conns)
		return vt_fail(vt, "%ld of %ld connections made", total, o->par_conns);
	if (vt_wait_live_zero(vt, 10000) || vt_stats_read(vt, &b) || par_check(vt, &a, &b, total))
		return -1;
	if (ncpu0 < 1 || ncpu1 != ncpu0)
		return vt_fail(vt, "/proc/net/softnet_stat: %d CPUs before, %d after", ncpu0,
			       ncpu1);
	for (i = 0; i < ncpu1; i++)
		rx_all += rx1[i] - rx0[i];
	for (i = 0; i < ncpu1; i++) {
		at += snprintf(rx_note + at, sizeof(rx_note) - (size_t)at, "%s%llu", i ? "/" : "",
			       rx1[i] - rx0[i]);
		if (at >= (int)sizeof(rx_note))
			at = (int)sizeof(rx_note) - 1;
	}
	if (ncpu1 < 2)
		return vt_fail(vt, "one CPU only: nothing ran in parallel");
	for (i = 0; i < ncpu1; i++)
		if ((rx1[i] - rx0[i]) * 10 < rx_all)
			return vt_fail(
				vt,
				"CPU %d received %llu of %llu packets (per CPU: %s): not parallel",
				i, rx1[i] - rx0[i], rx_all, rx_note);
	st_fig("parallel_conns threads=%d connections=%ld seconds=%.1f rate_per_s=%.0f cpus=%d packets_per_cpu=%s probe_missed=0",
	       ST_PAR_THREADS, total, secs, total / (secs > 0 ? secs : 1), ncpu1, rx_note);
	snprintf(
		vt->note, sizeof(vt->note),
		"%d balancers on %d CPUs (packets per CPU %s): %ld TOA connections in %.1f s, each showing its own client; nmissed +0, nothing refused",
		ST_PAR_THREADS, ncpu1, rx_note, total, secs);
	return 0;
}
VT_SCENARIO(parallel_conns, .order = ST_PARALLEL_CONNS, .load = true, .clear_trusted = true);
