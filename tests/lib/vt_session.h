/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_session.h - a session: one connection the emulated load balancer
 * opens to a listener of the kernel, plus the socket accept() gave for it.
 */
#ifndef VT_SESSION_H
#define VT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim.h"
#include "vt_core.h"

struct vt_session {
	struct lbsim_conn c;
	int fd;		   /* accepted socket, -1 when closed */
	char accepted[96]; /* what accept() returned */
};

/*
 * Handshake from the LB of @family (AF_INET/AF_INET6) to the listener
 * @lfd/@port (the server address is VT_SRV4/VT_SRV6 by LB family), with
 * @opts in the ACK, and accept the child.
 */
int vt_sess_open(struct vt *vt, struct vt_session *s, int lfd, uint16_t port, int family,
		 const uint8_t *opts, size_t optlen);
/*
 * accept() and getpeername() must both equal @addr:@port ("[..]:port" for
 * IPv6); @port 0 stands for the emulated connection's LB port.
 */
int vt_sess_expect_peer(struct vt *vt, struct vt_session *s, const char *addr, uint16_t port);
/* the same for getpeername() alone (accept() happened earlier) */
int vt_sess_expect_getpeername(struct vt *vt, struct vt_session *s, const char *addr,
			       uint16_t port);
/* a request/answer round trip proves the connection works */
int vt_sess_exchange(struct vt *vt, struct vt_session *s);
/* the server closes, the emulator completes the FIN handshake */
int vt_sess_close(struct vt *vt, struct vt_session *s);
/* best effort clean-up after a failure; harmless on a closed session */
void vt_sess_abort(struct vt_session *s);

/*
 * The whole routine for one connection: open with @opts, expect
 * @addr:@want_port (as in vt_sess_expect_peer) from accept and
 * getpeername, exchange data, close.
 */
int vt_one_conn(struct vt *vt, int lfd, uint16_t port, int family, const uint8_t *opts,
		size_t optlen, const char *addr, uint16_t want_port);

#endif /* VT_SESSION_H */
