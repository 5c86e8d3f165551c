/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * table.c - the module's table of TOA entries: max_entries bounds it,
 * every entry is freed with its socket (closed, in TIME_WAIT, never
 * accepted, reset), and nothing is left live afterwards.
 */
#include "kt.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* with max_entries 2 the third TOA connection shows the LB */
static int table_full(struct vt *vt)
{
	struct vt_session *s = vt->fx.s;
	struct vt_stats a, b;
	uint8_t o[8];
	size_t n;
	int i;

	if (vt_wait_live_zero(vt, 3000))
		return vt_fail(vt, "entries still live before the test: %s", strdupa(vt->err));
	if (vt_param_set(vt, "max_entries", "2") || vt_param_expect(vt, "max_entries", "2") ||
	    vt_stats_read(vt, &a))
		return -1;
	if (vt_stat_get(&a, "max_entries") != 2)
		return vt_fail(vt, "toa_stats max_entries %lld after writing 2",
			       vt_stat_get(&a, "max_entries"));
	for (i = 0; i < 3; i++) {
		n = kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, (uint16_t)(VT_CLIENT_PORT + i));
		if (vt_sess_open(vt, &s[i], vt->fx.lfd, vt->fx.port, AF_INET, o, n))
			return -1;
	}
	if (vt_sess_expect_peer(vt, &s[0], VT_CLIENT4, VT_CLIENT_PORT) ||
	    vt_sess_expect_peer(vt, &s[1], VT_CLIENT4, VT_CLIENT_PORT + 1) ||
	    vt_sess_expect_peer(vt, &s[2], VT_LB4, 0))
		return -1;
	if (vt_stats_read(vt, &b) || vt_expect_delta(vt, &a, &b, "table_full", 1))
		return -1;
	if (vt_stat_get(&b, "entries_live") != 2)
		return vt_fail(vt, "entries_live %lld with max_entries 2",
			       vt_stat_get(&b, "entries_live"));
	for (i = 0; i < 3; i++)
		if (vt_sess_exchange(vt, &s[i]))
			return -1;
	return 0;
}
VT_SCENARIO(table_full, .order = KT_TABLE_FULL, .needs_module = true, .keep_param = "max_entries",
	    .listener = VT_LSN_V4, .sessions = 3);

/* TCP sockets in TIME_WAIT (state 06) in /proc/net/tcp and tcp6 */
static int count_time_wait(void)
{
	static const char *const files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
	char line[512];
	size_t i;
	int n = 0;

	for (i = 0; i < VT_ARRAY_SIZE(files); i++) {
		FILE *f = fopen(files[i], "re");
		unsigned int st;

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%*s %*s %*s %x", &st) == 1 && st == 6)
				n++;
		fclose(f);
	}
	return n;
}

static int live_zero(struct vt *vt)
{
	struct vt_stats st;
	uint8_t o[8];
	size_t n = kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, VT_CLIENT_PORT);
	int tw;

	/* one more TOA connection of our own, so that a partial run proves it too */
	if (kt_check_conn(vt, VT_LSN_V4, AF_INET, o, n, VT_CLIENT4, VT_CLIENT_PORT, NULL, 0) ||
	    vt_wait_live_zero(vt, 5000))
		return -1;
	if (vt_stats_read(vt, &st))
		return -1;
	/*
	 * The server sides closed first, so their connections sit in
	 * TIME_WAIT now: those are inet_timewait_sock, not the child sockets,
	 * which must be gone with their entries.
	 */
	tw = count_time_wait();
	vt_log(vt, "entries_allocated %lld, entries_freed %lld, %d in TIME_WAIT",
	       vt_stat_get(&st, "entries_allocated"), vt_stat_get(&st, "entries_freed"), tw);
	if (vt_stat_get(&st, "entries_allocated") <= 0)
		return vt_fail(vt, "entries_allocated is %lld: no entry was ever made",
			       vt_stat_get(&st, "entries_allocated"));
	if (tw <= 0)
		return vt_fail(vt, "no TIME_WAIT socket left to prove anything with");
	return 0;
}
VT_SCENARIO(live_zero, .order = KT_LIVE_ZERO, .needs_module = true);
/* the same once the module has been reloaded (after rmmod_with_open) */
VT_SCENARIO_AS(live_zero_after_reload, live_zero, .order = KT_LIVE_ZERO_AFTER_RELOAD,
	       .needs_module = true);

/* children never accepted, and connections reset by the LB, free their entries */
static int unaccepted_freed(struct vt *vt)
{
	struct lbsim_conn c[3];
	struct vt_session s = {.fd = -1};
	struct vt_stats a, b;
	uint8_t o[8];
	size_t n = kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, VT_CLIENT_PORT);
	int i, err;

	if (vt_wait_live_zero(vt, 3000) || vt_stats_read(vt, &a))
		return -1;
	/* one accepted, then reset by the LB, then closed by the server */
	if (vt_sess_open(vt, &s, vt->fx.lfd, vt->fx.port, AF_INET, o, n))
		return -1;
	if (vt_sess_expect_peer(vt, &s, VT_CLIENT4, VT_CLIENT_PORT)) {
		vt_sess_abort(&s);
		return -1;
	}
	lbsim_reset(&s.c);
	usleep(100000);
	close(s.fd);
	s.fd = -1;
	/* three left in the accept queue, one of them reset by the LB */
	for (i = 0; i < 3; i++) {
		err = lbsim_conn_init(&c[i], vt->tun, AF_INET, &vt->lb4, 0, &vt->srv4, vt->fx.port);
		if (!err)
			err = lbsim_connect(&c[i], NULL, 0, o, n, VT_TIMEOUT_MS);
		if (err)
			return vt_fail(vt, "emulated handshake: %s", strerror(-err));
	}
	lbsim_reset(&c[0]);
	for (i = 0; i < 20; i++) { /* the last ACK may still be in flight */
		if (vt_stats_read(vt, &b))
			return -1;
		if (vt_stat_get(&b, "entries_allocated") - vt_stat_get(&a, "entries_allocated") >=
		    4)
			break;
		usleep(50000);
	}
	if (vt_expect_delta(vt, &a, &b, "entries_allocated", 4))
		return -1;
	/* the listener goes away with its children never accepted */
	close(vt->fx.lfd);
	vt->fx.lfd = -1;
	return vt_wait_live_zero(vt, 5000);
}
VT_SCENARIO(unaccepted_freed, .order = KT_UNACCEPTED_FREED, .needs_module = true,
	    .listener = VT_LSN_V4);
