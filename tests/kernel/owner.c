/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * owner.c - whose sockets are rewritten: the socket an MPTCP listener
 * accepts (a plain TCP client through the balancer falls back to TCP),
 * never a socket of an in-kernel server (kernel_accept(), the way
 * nfsd/ksmbd accept), and a full table never shows a client that an
 * earlier connection of the same addresses and ports had.
 */
#include "kt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

static int mptcp_listener(struct vt *vt)
{
	struct vt_session s = {.fd = -1};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	uint8_t o[8];
	size_t n = kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, VT_CLIENT_PORT);
	int lfd, proto = 0, r = -1;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
	if (lfd < 0) {
		/*
		 * A kernel built without MPTCP (Debian's 5.10) refuses the
		 * protocol; then it must really have none: no net.mptcp.
		 */
		int err = errno;

		if (err == EPROTONOSUPPORT && access("/proc/sys/net/mptcp", F_OK)) {
			vt_log(vt,
			       "kernel without MPTCP (no /proc/sys/net/mptcp): no MPTCP socket to look up");
			return 0;
		}
		return vt_fail(vt, "socket(IPPROTO_MPTCP): %s", strerror(err));
	}
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 8) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len)) {
		vt_fail(vt, "MPTCP listener: %s", strerror(errno));
		goto out;
	}
	if (vt_sess_open(vt, &s, lfd, ntohs(sa.sin_port), AF_INET, o, n))
		goto out;
	/* a plain TCP client: the kernel falls back; say what it gave */
	len = sizeof(proto);
	if (getsockopt(s.fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len)) {
		vt_fail(vt, "SO_PROTOCOL: %s", strerror(errno));
		goto out;
	}
	vt_log(vt, "the MPTCP listener accepted a socket of protocol %d", proto);
	if (vt_sess_expect_peer(vt, &s, VT_CLIENT4, VT_CLIENT_PORT) || vt_sess_exchange(vt, &s) ||
	    vt_sess_close(vt, &s))
		goto out;
	r = 0;
out:
	vt_sess_abort(&s);
	close(lfd);
	return r;
}
VT_SCENARIO(mptcp_listener, .order = KT_MPTCP, .needs_module = true);

/* a connection from the LB's port @lb_port (0: the next) with TOA @ip */
static int open_from(struct vt *vt, struct vt_session *s, uint16_t lb_port, const char *ip)
{
	uint8_t o[8];
	size_t n = kt_toa4(vt, o, TOA_DEFAULT_KIND, ip, VT_CLIENT_PORT);
	int err;

	s->fd = -1;
	err = lbsim_conn_init(&s->c, vt->tun, AF_INET, &vt->lb4, lb_port, &vt->srv4, vt->fx.port);
	if (!err)
		err = lbsim_connect(&s->c, NULL, 0, o, n, VT_TIMEOUT_MS);
	if (err)
		return vt_fail(vt, "emulated handshake: %s", strerror(-err));
	s->fd = vt_accept(vt, vt->fx.lfd, s->accepted, sizeof(s->accepted), VT_TIMEOUT_MS);
	return s->fd < 0 ? -1 : 0;
}

/* the balancer resets, the server closes: the socket is gone at once */
static void kill_conn(struct vt_session *s)
{
	lbsim_reset(&s->c);
	usleep(20000);
	vt_sess_abort(s);
}

static int full_reused_tuple(struct vt *vt)
{
	struct vt_session *s = vt->fx.s;
	struct vt_stats a, b;
	uint16_t port;

	if (vt_unload(vt) || vt_load(vt, "max_entries=1"))
		return -1;
	/* 203.0.113.1 for the LB's port P, then the socket is gone */
	if (open_from(vt, &s[0], 0, "203.0.113.1") ||
	    vt_sess_expect_peer(vt, &s[0], "203.0.113.1", VT_CLIENT_PORT))
		return -1;
	port = s[0].c.lb_port;
	kill_conn(&s[0]);
	if (vt_wait_live_zero(vt, 3000))
		return -1;
	/* another connection fills the table */
	if (open_from(vt, &s[1], 0, "203.0.113.2") ||
	    vt_sess_expect_peer(vt, &s[1], "203.0.113.2", VT_CLIENT_PORT) || vt_stats_read(vt, &a))
		return -1;
	/* port P again with a third client: no room; the LB, never .1 */
	if (open_from(vt, &s[2], port, "203.0.113.3") ||
	    vt_sess_expect_peer(vt, &s[2], VT_LB4, port) || vt_stats_read(vt, &b))
		return -1;
	if (vt_expect_delta(vt, &a, &b, "table_full", 1) ||
	    vt_expect_delta_eq(vt, &a, &b, "getname_toa_ok", 0))
		return -1;
	kill_conn(&s[1]);
	kill_conn(&s[2]);
	return vt_wait_live_zero(vt, 3000);
}
VT_SCENARIO(full_reused_tuple, .order = KT_FULL_REUSED_TUPLE, .needs_module = true,
	    .listener = VT_LSN_V4, .sessions = 3, .reload_default = true);

#define KT_KSOCK_KO   "/lib/modules/toa_ksock.ko"
#define KT_KSOCK_PEER "/sys/module/toa_ksock/parameters/peer"
#define KT_KSOCK_DONE "/sys/module/toa_ksock/parameters/done"
#define KT_KSOCK_PORT 7531

/* an in-kernel server (tests/kernel/kmod/toa_ksock.c) sees the balancer */
static int kernel_socket(struct vt *vt)
{
	struct lbsim_conn c;
	struct vt_stats a, b;
	char want[64], got[64] = "", done[8] = "";
	uint8_t o[8];
	size_t n = kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, VT_CLIENT_PORT);
	int err, i, r = -1;

	if (vt_stats_read(vt, &a))
		return -1;
	err = vt_mod_load(KT_KSOCK_KO, "port=7531");
	if (err)
		return vt_fail(vt, "insmod %s: %s", KT_KSOCK_KO, strerror(-err));
	err = lbsim_conn_init(&c, vt->tun, AF_INET, &vt->lb4, 0, &vt->srv4, KT_KSOCK_PORT);
	if (!err)
		err = lbsim_connect(&c, NULL, 0, o, n, VT_TIMEOUT_MS);
	if (err) {
		vt_fail(vt, "emulated handshake to the kernel server: %s", strerror(-err));
		goto out;
	}
	/* peer only once the server says it is written whole */
	for (i = 0; i < 100 && strcmp(done, "1"); i++) {
		if (vt_read_file(KT_KSOCK_DONE, done, sizeof(done)))
			done[0] = '\0';
		if (strcmp(done, "1"))
			usleep(20000);
	}
	if (strcmp(done, "1")) {
		vt_fail(vt, "the kernel server accepted nothing within 2 s");
		goto out;
	}
	if (vt_read_file(KT_KSOCK_PEER, got, sizeof(got)))
		got[0] = '\0';
	snprintf(want, sizeof(want), "%s:%u", VT_LB4, c.lb_port);
	if (strcmp(got, want)) {
		vt_fail(vt, "kernel_getpeername() gave \"%s\", want %s", got, want);
		goto out;
	}
	if (vt_stats_read(vt, &b) || vt_expect_delta(vt, &a, &b, "getname_kernel_sock", 1) ||
	    vt_expect_delta_eq(vt, &a, &b, "getname_toa_ok", 0))
		goto out;
	r = 0;
out:
	lbsim_reset(&c);
	err = vt_mod_unload("toa_ksock");
	if (err && !r)
		return vt_fail(vt, "rmmod toa_ksock: %s", strerror(-err));
	return r;
}
VT_SCENARIO(kernel_socket, .order = KT_KERNEL_SOCKET, .needs_module = true);
