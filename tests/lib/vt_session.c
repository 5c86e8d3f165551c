/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_session.c - emulated connections and their accepted sockets; see
 * vt_session.h.
 */
#include "vt_session.h"
#include "vt_net.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

int vt_sess_open(struct vt *vt, struct vt_session *s, int lfd, uint16_t port, int family,
		 const uint8_t *opts, size_t optlen)
{
	const void *lb = family == AF_INET ? (const void *)&vt->lb4 : (const void *)&vt->lb6;
	const void *srv = family == AF_INET ? (const void *)&vt->srv4 : (const void *)&vt->srv6;
	int err;

	s->fd = -1;
	err = lbsim_conn_init(&s->c, vt->tun, family, lb, 0, srv, port);
	if (!err)
		err = lbsim_connect(&s->c, NULL, 0, opts, optlen, VT_TIMEOUT_MS);
	if (err)
		return vt_fail(vt, "emulated handshake to port %u: %s", port, strerror(-err));
	s->fd = vt_accept(vt, lfd, s->accepted, sizeof(s->accepted), VT_TIMEOUT_MS);
	if (s->fd < 0) {
		lbsim_reset(&s->c);
		return -1;
	}
	return 0;
}

int vt_sess_expect_getpeername(struct vt *vt, struct vt_session *s, const char *addr, uint16_t port)
{
	char peer[96], want[96];

	vt_addr_port(want, sizeof(want), addr, port ? port : s->c.lb_port);
	if (vt_peer_str(vt, s->fd, peer, sizeof(peer)))
		return -1;
	if (strcmp(peer, want))
		return vt_fail(vt, "getpeername() gave %s, want %s", peer, want);
	return 0;
}

int vt_sess_expect_peer(struct vt *vt, struct vt_session *s, const char *addr, uint16_t port)
{
	char want[96];

	vt_addr_port(want, sizeof(want), addr, port ? port : s->c.lb_port);
	if (strcmp(s->accepted, want))
		return vt_fail(vt, "accept() gave %s, want %s", s->accepted, want);
	return vt_sess_expect_getpeername(vt, s, addr, port);
}

int vt_sess_exchange(struct vt *vt, struct vt_session *s)
{
	/* odd length: the checksum of an odd payload must be right too */
	static const char req[] = "ping from the load balancer!\n";
	static const char ans[] = "pong from the server\n";
	char buf[256];
	size_t got = 0;
	int err;

	err = lbsim_send(&s->c, req, sizeof(req) - 1, NULL, 0);
	if (err)
		return vt_fail(vt, "emulator send: %s", strerror(-err));
	while (got < sizeof(req) - 1) {
		struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, VT_TIMEOUT_MS) <= 0)
			return vt_fail(vt, "server got %zu of %zu request bytes", got,
				       sizeof(req) - 1);
		n = read(s->fd, buf + got, sizeof(buf) - got);
		if (n <= 0)
			return vt_fail(vt, "server read: %s", n ? strerror(errno) : "EOF");
		got += (size_t)n;
	}
	if (memcmp(buf, req, sizeof(req) - 1))
		return vt_fail(vt, "server read other bytes than were sent");
	if (write(s->fd, ans, sizeof(ans) - 1) != (ssize_t)(sizeof(ans) - 1))
		return vt_fail(vt, "server write: %s", strerror(errno));
	got = 0;
	while (got < sizeof(ans) - 1) {
		ssize_t n = lbsim_recv(&s->c, buf + got, sizeof(buf) - got, VT_TIMEOUT_MS);

		if (n <= 0)
			return vt_fail(vt, "emulator got %zu of %zu answer bytes: %s", got,
				       sizeof(ans) - 1, n ? strerror((int)-n) : "FIN");
		got += (size_t)n;
	}
	if (memcmp(buf, ans, sizeof(ans) - 1))
		return vt_fail(vt, "emulator read other bytes than were sent");
	return 0;
}

int vt_sess_close(struct vt *vt, struct vt_session *s)
{
	int err;

	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	err = lbsim_close(&s->c, VT_TIMEOUT_MS);
	if (err)
		return vt_fail(vt, "orderly close: %s", strerror(-err));
	return 0;
}

void vt_sess_abort(struct vt_session *s)
{
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	if (s->c.established && !s->c.reset && !(s->c.peer_fin && s->c.fin_acked))
		lbsim_reset(&s->c);
}

int vt_one_conn(struct vt *vt, int lfd, uint16_t port, int family, const uint8_t *opts,
		size_t optlen, const char *addr, uint16_t want_port)
{
	struct vt_session s;

	if (vt_sess_open(vt, &s, lfd, port, family, opts, optlen))
		return -1;
	if (vt_sess_expect_peer(vt, &s, addr, want_port) || vt_sess_exchange(vt, &s) ||
	    vt_sess_close(vt, &s)) {
		vt_sess_abort(&s);
		return -1;
	}
	return 0;
}
