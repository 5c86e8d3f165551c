/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * final_unload.c - rmmod with a TOA connection open: "TOA: toa unloaded"
 * logged, no slab leak, the connection shows the LB and still carries
 * data.
 */
#include "st.h"

#include <stdio.h>
#include <string.h>

static int final_unload(struct vt *vt)
{
	struct vt_session *s = &vt->fx.s[0];
	uint8_t a16[16], opt[20];
	struct st_expect e;
	char cl[96], lb[96], peer[128];
	uint16_t port;
	int unloaded, leaks;
	size_t n;

	st_client_of(4242, AF_INET, a16, &port);
	n = st_client_opt(opt, AF_INET, a16, port, &e);
	if (vt_sess_open(vt, s, vt->fx.lfd, vt->fx.port, AF_INET, opt, n))
		return -1;
	st_want_string(vt, &e, AF_INET, VT_LSN_V4, 0, cl, sizeof(cl));
	st_lb_string(vt, AF_INET, VT_LSN_V4, s->c.lb_port, lb, sizeof(lb));
	if (vt_peer_of(s->fd, peer, sizeof(peer)) || strcmp(peer, cl))
		return vt_fail(vt, "before rmmod: getpeername %s, want %s", peer, cl);
	unloaded = vt_kmsg_count("TOA: toa unloaded");
	leaks = st_slab_leaks();
	if (vt_unload(vt))
		return -1;
	if (vt_mod_loaded(VT_MODULE_NAME))
		return vt_fail(vt, "toa still in /proc/modules");
	if (vt_kmsg_count("TOA: toa unloaded") != unloaded + 1)
		return vt_fail(vt, "no \"TOA: toa unloaded\" kernel log line");
	if (st_slab_leaks() != leaks)
		return vt_fail(vt, "the kernel reports toa_entry objects left at rmmod");
	if (vt_peer_of(s->fd, peer, sizeof(peer)) || strcmp(peer, lb))
		return vt_fail(vt, "after rmmod: getpeername %s, want the LB %s", peer, lb);
	if (vt_sess_exchange(vt, s) || st_close(vt, s, 1))
		return -1;
	snprintf(
		vt->note, sizeof(vt->note),
		"rmmod with a TOA connection open: \"toa unloaded\" logged, no object left, the connection shows the LB and still works");
	return 0;
}
VT_SCENARIO(final_unload, .order = ST_FINAL_UNLOAD, .load = true, .listener = VT_LSN_V4,
	    .sessions = 1);
