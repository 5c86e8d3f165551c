/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * where.c - TOA wherever balancers put it: on the SYN (also when a SYN
 * cookie makes the handshake keep nothing), on the handshake ACK of a
 * TCP_DEFER_ACCEPT listener, which drops that ACK, on the data segment
 * that completes a handshake whose ACK was lost; and the first client of
 * a handshake wins. Every scenario checks accept() and getpeername() and
 * the counters that must move and those that must not; among them
 * syn_recv_sock_no_toa, which counts connections, not packets: a deferred
 * listener's dropped ACK and the data after it are one connection.
 */
#include "kt.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#define KT_OTHER_CLIENT4 "203.0.113.99"

/* MSS 1460 and a TOA for @ip:@port: a SYN's options */
static size_t syn_with_toa(struct vt *vt, uint8_t *o, const char *ip, uint16_t port)
{
	o[0] = 2, o[1] = 4, o[2] = 0x05, o[3] = 0xb4;
	return 4 + kt_toa4(vt, o + 4, TOA_DEFAULT_KIND, ip, port);
}

/* deltas that must be exactly @want (the others of a connection) */
static int expect_deltas(struct vt *vt, const struct vt_stats *a, const struct vt_stats *b,
			 const char *const *names, const long long *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (vt_expect_delta_eq(vt, a, b, names[i], want[i]))
			return -1;
	return 0;
}

/* open the connection @s through the fixture's listener and check it */
static int conn_shows(struct vt *vt, struct vt_session *s, const char *addr, uint16_t port)
{
	s->fd = vt_accept(vt, vt->fx.lfd, s->accepted, sizeof(s->accepted), VT_TIMEOUT_MS);
	if (s->fd < 0)
		return -1;
	if (vt_sess_expect_peer(vt, s, addr, port) || vt_sess_exchange(vt, s))
		return -1;
	return vt_sess_close(vt, s);
}

static int syn_connect(struct vt *vt, struct vt_session *s, const uint8_t *syn, size_t synlen,
		       const uint8_t *ack, size_t acklen)
{
	int err = lbsim_conn_init(&s->c, vt->tun, AF_INET, &vt->lb4, 0, &vt->srv4, vt->fx.port);

	if (!err)
		err = lbsim_connect(&s->c, syn, synlen, ack, acklen, VT_TIMEOUT_MS);
	if (err)
		return vt_fail(vt, "emulated handshake: %s", strerror(-err));
	return 0;
}

/* Alibaba-style: the client only in the SYN, nothing in the ACK */
static int toa_on_syn(struct vt *vt)
{
	static const char *const names[] = {"toa_from_syn",	 "toa_from_ack",
					    "toa_from_data",	 "getname_toa_ok",
					    "syn_recv_sock_toa", "syn_recv_sock_no_toa"};
	static const long long want[] = {1, 0, 0, 2, 1, 0};
	struct vt_session *s = &vt->fx.s[0];
	uint8_t syn[LBSIM_MAX_OPTLEN];
	size_t n = syn_with_toa(vt, syn, VT_CLIENT4, VT_CLIENT_PORT);
	struct vt_stats a, b;

	if (vt_stats_read(vt, &a) || syn_connect(vt, s, syn, n, NULL, 0) ||
	    conn_shows(vt, s, VT_CLIENT4, VT_CLIENT_PORT) || vt_stats_read(vt, &b))
		return -1;
	return expect_deltas(vt, &a, &b, names, want, VT_ARRAY_SIZE(names));
}
VT_SCENARIO(toa_on_syn, .order = KT_TOA_ON_SYN, .needs_module = true, .listener = VT_LSN_V4,
	    .sessions = 1);

/* a SYN cookie keeps no SYN: its TOA is lost, counted; the LB is shown */
static int syn_toa_with_cookie(struct vt *vt)
{
	static const char *const names[] = {"syn_cookie_toa_lost", "toa_from_syn",
					    "getname_toa_ok"};
	static const long long want[] = {1, 0, 0};
	struct vt_session *s = &vt->fx.s[0];
	uint8_t syn[LBSIM_MAX_OPTLEN];
	size_t n = syn_with_toa(vt, syn, VT_CLIENT4, VT_CLIENT_PORT);
	struct vt_stats a, b;

	if (vt_stats_read(vt, &a) || syn_connect(vt, s, syn, n, NULL, 0) ||
	    conn_shows(vt, s, VT_LB4, 0) || vt_stats_read(vt, &b))
		return -1;
	return expect_deltas(vt, &a, &b, names, want, VT_ARRAY_SIZE(names));
}
VT_SCENARIO(syn_toa_with_cookie, .order = KT_SYN_TOA_COOKIE, .needs_module = true,
	    .listener = VT_LSN_V4, .sessions = 1, KT_SYNCOOKIES_FIXTURE);

/* nginx "listen ... deferred": the bare ACK carries TOA and is dropped */
static int deferred_setup(struct vt *vt)
{
	int sec = 5;

	if (setsockopt(vt->fx.lfd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &sec, sizeof(sec)))
		return vt_fail(vt, "TCP_DEFER_ACCEPT: %s", strerror(errno));
	return 0;
}

/* the data that completes a handshake of @s; accept() only then */
static int data_then_accept(struct vt *vt, struct vt_session *s, const uint8_t *opts, size_t optlen,
			    const char *addr, uint16_t port)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	struct pollfd pfd = {.fd = vt->fx.lfd, .events = POLLIN};
	char buf[64];
	int err;

	if (poll(&pfd, 1, 200) != 0)
		return vt_fail(vt, "a connection to accept before any data");
	err = lbsim_send(&s->c, req, sizeof(req) - 1, opts, optlen);
	if (err)
		return vt_fail(vt, "emulator send: %s", strerror(-err));
	s->fd = vt_accept(vt, vt->fx.lfd, s->accepted, sizeof(s->accepted), VT_TIMEOUT_MS);
	if (s->fd < 0)
		return -1;
	if (read(s->fd, buf, sizeof(buf)) != (ssize_t)(sizeof(req) - 1))
		return vt_fail(vt, "the request did not arrive whole");
	if (vt_sess_expect_peer(vt, s, addr, port))
		return -1;
	return vt_sess_close(vt, s);
}

static int defer_accept(struct vt *vt)
{
	static const char *const names[] = {"toa_from_ack", "toa_from_data", "getname_toa_ok",
					    "syn_recv_sock_toa", "syn_recv_sock_no_toa"};
	static const long long want[] = {1, 0, 2, 1, 0};
	struct vt_session *s = &vt->fx.s[0];
	uint8_t o[8];
	size_t n = kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, VT_CLIENT_PORT);
	long long drop0 = kt_netstat("TCPDeferAcceptDrop");
	struct vt_stats a, b;

	if (vt_stats_read(vt, &a) || syn_connect(vt, s, NULL, 0, o, n) ||
	    data_then_accept(vt, s, NULL, 0, VT_CLIENT4, VT_CLIENT_PORT) || vt_stats_read(vt, &b))
		return -1;
	if (kt_netstat("TCPDeferAcceptDrop") <= drop0)
		return vt_fail(vt,
			       "TcpExt TCPDeferAcceptDrop did not move: the ACK was not dropped");
	return expect_deltas(vt, &a, &b, names, want, VT_ARRAY_SIZE(names));
}
VT_SCENARIO(defer_accept, .order = KT_DEFER_ACCEPT, .needs_module = true, .listener = VT_LSN_V4,
	    .sessions = 1, .setup = deferred_setup);

/* a deferred listener and no TOA at all: one connection without, not two */
static int defer_no_toa(struct vt *vt)
{
	static const char *const names[] = {"syn_recv_sock_toa", "syn_recv_sock_no_toa",
					    "getname_toa_empty"};
	static const long long want[] = {0, 1, 2};
	struct vt_session *s = &vt->fx.s[0];
	long long drop0 = kt_netstat("TCPDeferAcceptDrop");
	struct vt_stats a, b;

	if (vt_stats_read(vt, &a) || syn_connect(vt, s, NULL, 0, NULL, 0) ||
	    data_then_accept(vt, s, NULL, 0, VT_LB4, 0) || vt_stats_read(vt, &b))
		return -1;
	if (kt_netstat("TCPDeferAcceptDrop") <= drop0)
		return vt_fail(vt,
			       "TcpExt TCPDeferAcceptDrop did not move: the ACK was not dropped");
	return expect_deltas(vt, &a, &b, names, want, VT_ARRAY_SIZE(names));
}
VT_SCENARIO(defer_no_toa, .order = KT_DEFER_NO_TOA, .needs_module = true, .listener = VT_LSN_V4,
	    .sessions = 1, .setup = deferred_setup);

/* the handshake ACK is lost: the data segment with TOA completes it */
static int data_completes(struct vt *vt)
{
	static const char *const names[] = {"toa_from_ack", "toa_from_data", "getname_toa_ok",
					    "syn_recv_sock_no_toa"};
	static const long long want[] = {0, 1, 2, 0};
	struct vt_session *s = &vt->fx.s[0];
	uint8_t o[8];
	size_t n = kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, VT_CLIENT_PORT);
	struct vt_stats a, b;
	int err;

	if (vt_stats_read(vt, &a))
		return -1;
	err = lbsim_conn_init(&s->c, vt->tun, AF_INET, &vt->lb4, 0, &vt->srv4, vt->fx.port);
	s->c.skip_ack = 1;
	if (!err)
		err = lbsim_connect(&s->c, NULL, 0, NULL, 0, VT_TIMEOUT_MS);
	if (err)
		return vt_fail(vt, "emulated handshake: %s", strerror(-err));
	if (data_then_accept(vt, s, o, n, VT_CLIENT4, VT_CLIENT_PORT) || vt_stats_read(vt, &b))
		return -1;
	return expect_deltas(vt, &a, &b, names, want, VT_ARRAY_SIZE(names));
}
VT_SCENARIO(data_completes, .order = KT_DATA_COMPLETES, .needs_module = true, .listener = VT_LSN_V4,
	    .sessions = 1);

/* TOA on the SYN and another client on the ACK: the SYN's stays */
static int first_wins(struct vt *vt)
{
	static const char *const names[] = {"toa_from_syn", "toa_from_ack", "syn_recv_sock_toa",
					    "syn_recv_sock_no_toa"};
	static const long long want[] = {1, 0, 1, 0};
	struct vt_session *s = &vt->fx.s[0];
	uint8_t syn[LBSIM_MAX_OPTLEN], ack[8];
	size_t n = syn_with_toa(vt, syn, VT_CLIENT4, VT_CLIENT_PORT);
	size_t m = kt_toa4(vt, ack, TOA_DEFAULT_KIND, KT_OTHER_CLIENT4, 999);
	struct vt_stats a, b;

	if (vt_stats_read(vt, &a) || syn_connect(vt, s, syn, n, ack, m) ||
	    conn_shows(vt, s, VT_CLIENT4, VT_CLIENT_PORT) || vt_stats_read(vt, &b))
		return -1;
	return expect_deltas(vt, &a, &b, names, want, VT_ARRAY_SIZE(names));
}
VT_SCENARIO(first_wins, .order = KT_FIRST_WINS, .needs_module = true, .listener = VT_LSN_V4,
	    .sessions = 1);
