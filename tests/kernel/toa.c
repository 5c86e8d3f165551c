/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * toa.c - the plain cases: no TOA, an IPv4 TOA, an IPv6 TOA, and an IPv4
 * connection to a dual-stack listener.
 */
#include "kt.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* without TOA the LB is shown; the only scenario that needs no module */
static int no_toa(struct vt *vt)
{
	struct vt_stats a, b;

	if (!vt->no_module && vt_stats_read(vt, &a))
		return -1;
	if (kt_check_conn(vt, VT_LSN_V4, AF_INET, NULL, 0, VT_LB4, 0, NULL, 0))
		return -1;
	if (kt_check_conn(vt, VT_LSN_V6_ONLY, AF_INET6, NULL, 0, VT_LB6, 0, NULL, 0))
		return -1;
	if (vt->no_module)
		return 0;
	if (vt_stats_read(vt, &b) || vt_expect_delta(vt, &a, &b, "syn_recv_sock_no_toa", 2) ||
	    vt_expect_delta(vt, &a, &b, "getname_toa_empty", 2))
		return -1;
	return 0;
}
VT_SCENARIO(no_toa, .order = KT_NO_TOA);

static int ipv4_toa_steps(struct vt *vt, int lfd, uint16_t lport, struct vt_session *s)
{
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	char got[96], want[96];
	uint8_t o[8];
	size_t n = kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, VT_CLIENT_PORT);

	if (vt_sess_open(vt, s, lfd, lport, AF_INET, o, n) ||
	    vt_sess_expect_peer(vt, s, VT_CLIENT4, VT_CLIENT_PORT))
		return -1;
	/* getsockname is not concerned: the server's own address */
	if (getsockname(s->fd, (struct sockaddr *)&me, &len) < 0)
		return vt_fail(vt, "getsockname: %s", strerror(errno));
	vt_fmt_sockaddr((struct sockaddr *)&me, got, sizeof(got));
	vt_addr_port(want, sizeof(want), VT_SRV4, lport);
	if (strcmp(got, want))
		return vt_fail(vt, "getsockname() gave %s, want %s", got, want);
	return vt_sess_exchange(vt, s) || vt_sess_close(vt, s) ? -1 : 0;
}

/* its own listener: rmmod_with_open runs it again after a reload */
int kt_ipv4_toa(struct vt *vt)
{
	struct vt_session s = {.fd = -1};
	struct vt_stats a, b;
	uint16_t lport;
	int lfd, r;

	if (vt_stats_read(vt, &a))
		return -1;
	lfd = vt_listener(vt, VT_LSN_V4, &lport);
	if (lfd < 0)
		return -1;
	r = ipv4_toa_steps(vt, lfd, lport, &s);
	vt_sess_abort(&s);
	close(lfd);
	if (r || vt_stats_read(vt, &b) || vt_expect_delta(vt, &a, &b, "syn_recv_sock_toa", 1) ||
	    vt_expect_delta(vt, &a, &b, "getname_toa_ok", 2) ||
	    vt_expect_delta(vt, &a, &b, "getname_toa_bypass", 1))
		return -1;
	return 0;
}
VT_SCENARIO_AS(ipv4_toa, kt_ipv4_toa, .order = KT_IPV4_TOA, .needs_module = true);

static int ipv6_toa(struct vt *vt)
{
	uint8_t o[20];
	size_t n = kt_toa6(vt, o, TOA_DEFAULT_KIND, VT_CLIENT6, VT_CLIENT_PORT);

	return kt_check_conn(vt, VT_LSN_V6_ONLY, AF_INET6, o, n, VT_CLIENT6, VT_CLIENT_PORT,
			     "syn_recv_sock_toa", 1);
}
VT_SCENARIO(ipv6_toa, .order = KT_IPV6_TOA, .needs_module = true);

static int v4_on_dual_listener(struct vt *vt)
{
	uint8_t o[8];
	size_t n = kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, VT_CLIENT_PORT);

	if (kt_check_conn(vt, VT_LSN_V6_DUAL, AF_INET, o, n, "::ffff:" VT_CLIENT4, VT_CLIENT_PORT,
			  "syn_recv_sock_toa", 1))
		return -1;
	/* and without TOA the v4-mapped LB is shown */
	return kt_check_conn(vt, VT_LSN_V6_DUAL, AF_INET, NULL, 0, "::ffff:" VT_LB4, 0, NULL, 0);
}
VT_SCENARIO(v4_on_dual_listener, .order = KT_V4_ON_DUAL_LISTENER, .needs_module = true);
