/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * handshake.c - children the kernel makes another way than from a queued
 * SYN: from a SYN cookie, and from a TCP Fast Open SYN. kt_syncookies()
 * and kt_tfo() also run without TOA as lb_syncookies and lb_tfo (lb.c).
 */
#include "kt.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* with tcp_syncookies=2 (KT_SYNCOOKIES_FIXTURE) every child comes from a cookie */
int kt_syncookies(struct vt *vt)
{
	const struct kt_client *cl = vt->arg;
	long long sent0, recv0, sent1, recv1;
	uint8_t o[8];
	size_t n = 0;
	int r;

	if (cl)
		n = kt_toa4(vt, o, TOA_DEFAULT_KIND, cl->addr, cl->port);
	sent0 = kt_netstat("SyncookiesSent");
	recv0 = kt_netstat("SyncookiesRecv");
	r = kt_check_conn(vt, VT_LSN_V4, AF_INET, n ? o : NULL, n, cl ? cl->addr : VT_LB4,
			  cl ? cl->port : 0, cl ? "syn_recv_sock_toa" : NULL, 1);
	sent1 = kt_netstat("SyncookiesSent");
	recv1 = kt_netstat("SyncookiesRecv");
	if (r)
		return -1;
	if (sent1 <= sent0 || recv1 <= recv0)
		return vt_fail(
			vt,
			"the cookie path was not taken: SyncookiesSent %lld -> %lld, SyncookiesRecv %lld -> %lld",
			sent0, sent1, recv0, recv1);
	return 0;
}
VT_SCENARIO_AS(syncookies, kt_syncookies, .order = KT_SYNCOOKIES, .needs_module = true,
	       .arg = &kt_client4, KT_SYNCOOKIES_FIXTURE);

/* the TFO handshake with data in the SYN; the child is made from the SYN */
static int tfo_conn(struct vt *vt, const struct kt_client *cl, int lfd, uint16_t lport,
		    struct vt_session *s)
{
	static const char data[] = "data in the SYN\n";
	uint8_t opts[LBSIM_MAX_OPTLEN];
	char buf[64];
	size_t n = 0, got = 0;
	long long passive0, passive1;
	int qlen = 16, err;

	opts[n++] = 2; /* MSS 1460 */
	opts[n++] = 4;
	opts[n++] = 0x05;
	opts[n++] = 0xb4;
	if (cl)
		n += kt_toa4(vt, opts + n, TOA_DEFAULT_KIND, cl->addr, cl->port);
	opts[n++] = 34; /* TFO, empty cookie */
	opts[n++] = 2;

	if (setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)) < 0)
		return vt_fail(vt, "TCP_FASTOPEN: %s", strerror(errno));
	passive0 = kt_netstat("TCPFastOpenPassive");
	err = lbsim_conn_init(&s->c, vt->tun, AF_INET, &vt->lb4, 0, &vt->srv4, lport);
	if (!err) /* no TOA in the handshake ACK: only the SYN has it */
		err = lbsim_connect_data(&s->c, opts, n, data, sizeof(data) - 1, NULL, 0,
					 VT_TIMEOUT_MS);
	if (err)
		return vt_fail(vt, "emulated TFO handshake: %s", strerror(-err));
	if (s->c.snd_una != s->c.iss + 1 + sizeof(data) - 1)
		return vt_fail(vt, "the server did not take the data with the SYN (no TFO)");
	passive1 = kt_netstat("TCPFastOpenPassive");
	if (passive1 <= passive0)
		return vt_fail(vt, "TcpExt TCPFastOpenPassive did not move (%lld -> %lld)",
			       passive0, passive1);
	s->fd = vt_accept(vt, lfd, s->accepted, sizeof(s->accepted), VT_TIMEOUT_MS);
	if (s->fd < 0)
		return -1;
	while (got < sizeof(data) - 1) {
		ssize_t k = read(s->fd, buf + got, sizeof(buf) - got);

		if (k <= 0)
			return vt_fail(vt, "reading the SYN data: %s", k ? strerror(errno) : "EOF");
		got += (size_t)k;
	}
	if (memcmp(buf, data, sizeof(data) - 1))
		return vt_fail(vt, "the SYN data arrived changed");
	return vt_sess_expect_peer(vt, s, cl ? cl->addr : VT_LB4, cl ? cl->port : 0);
}

/* with KT_TFO_FIXTURE: tcp_fastopen=515, an IPv4 listener, one session */
int kt_tfo(struct vt *vt)
{
	const struct kt_client *cl = vt->arg;
	struct vt_session *s = &vt->fx.s[0];
	struct vt_stats a, b;

	if (cl && vt_stats_read(vt, &a))
		return -1;
	if (tfo_conn(vt, cl, vt->fx.lfd, vt->fx.port, s) || vt_sess_exchange(vt, s) ||
	    vt_sess_close(vt, s))
		return -1;
	if (cl && (vt_stats_read(vt, &b) || vt_expect_delta(vt, &a, &b, "syn_recv_sock_toa", 1)))
		return -1;
	return 0;
}
VT_SCENARIO_AS(tfo, kt_tfo, .order = KT_TFO, .needs_module = true, .arg = &kt_client4,
	       KT_TFO_FIXTURE);
