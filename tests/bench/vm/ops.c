/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The operations toa-bench times: whole connections, getpeername(),
 * accept() and the close() that destroys a socket. Every address the
 * server sees is checked, so a broken module cannot produce figures.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct in_addr bench_lb(struct bench *b)
{
	struct in_addr a;
	char s[32];

	if (b->next_host > 250)
		b->next_host = 10;
	snprintf(s, sizeof(s), "198.51.100.%d", b->next_host++);
	inet_pton(AF_INET, s, &a);
	return a;
}

/*
 * The options of the SYN and of the handshake ACK. In phase C the TOA
 * goes where @where says; elsewhere an unknown option of the same size
 * (kind 252) stands in, so every phase sends the same bytes but the TOA.
 */
static size_t toa_or_filler(struct bench *b, uint8_t *o, bool toa)
{
	size_t n = lbsim_toa_v4(o, 254, &b->vt.client4, VT_CLIENT_PORT);

	if (!toa)
		o[0] = 252;
	return n;
}

static int connect_lb(struct bench *b, struct lbsim_conn *c, uint16_t port, struct in_addr lb,
		      int phase, enum bench_where where)
{
	uint8_t syn[LBSIM_MAX_OPTLEN], ack[LBSIM_MAX_OPTLEN];
	size_t synlen = 0, acklen;
	int err;

	lbsim_tun_flush(b->vt.tun); /* nothing earlier is wanted */
	acklen = toa_or_filler(b, ack, phase == PH_C && where == TOA_ON_ACK);
	if (where == TOA_ON_SYN) {
		/* MSS 1460, then the option: no timestamps on this one */
		syn[0] = 2, syn[1] = 4, syn[2] = 0x05, syn[3] = 0xb4;
		synlen = 4 + toa_or_filler(b, syn + 4, phase == PH_C);
		acklen = 0;
	}
	err = lbsim_conn_init(c, b->vt.tun, AF_INET, &lb, 0, &b->vt.srv4, port);
	if (!err)
		err = lbsim_connect(c, synlen ? syn : NULL, synlen, acklen ? ack : NULL, acklen,
				    VT_TIMEOUT_MS);
	if (err)
		return vt_fail(&b->vt, "emulated handshake: %s", strerror(-err));
	return 0;
}

/* Is @sa what @phase must show: the client (C) or the balancer? */
static int check_peer(struct bench *b, const struct sockaddr_in *sa, int phase,
		      const struct lbsim_conn *c, const char *what)
{
	bool ok;
	char got[96];

	if (b->unchecked)
		return 0;
	if (phase == PH_C)
		ok = sa->sin_port == htons(VT_CLIENT_PORT) &&
			sa->sin_addr.s_addr == b->vt.client4.s_addr;
	else
		ok = sa->sin_port == htons(c->lb_port) && !memcmp(&sa->sin_addr, c->lb_addr, 4);
	if (ok)
		return 0;
	vt_fmt_sockaddr((const struct sockaddr *)sa, got, sizeof(got));
	return vt_fail(&b->vt, "phase %c: %s gave %s", 'a' + phase, what, got);
}

static int accept_checked(struct bench *b, int lfd, int phase, const struct lbsim_conn *c)
{
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd;

	if (poll(&pfd, 1, VT_TIMEOUT_MS) != 1)
		return vt_fail(&b->vt, "nothing to accept after %d ms", VT_TIMEOUT_MS);
	fd = accept4(lfd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
	if (fd < 0)
		return vt_fail(&b->vt, "accept: %s", strerror(errno));
	if (check_peer(b, &sa, phase, c, "accept()")) {
		close(fd);
		return -1;
	}
	return fd;
}

static int getpeername_checked(struct bench *b, int fd, int phase, const struct lbsim_conn *c)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if (getpeername(fd, (struct sockaddr *)&sa, &len))
		return vt_fail(&b->vt, "getpeername: %s", strerror(errno));
	return check_peer(b, &sa, phase, c, "getpeername()");
}

/*
 * The balancer closes first, as a client ending its request does: the
 * server reads EOF and closes, and its socket dies at the last ACK (no
 * TIME_WAIT on the server, so later rounds pay the same).
 */
static int close_lb_first(struct bench *b, struct vt_session *s)
{
	struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
	char buf[64];
	int err;

	err = lbsim_send_segment(&s->c, LBSIM_FIN | LBSIM_ACK, NULL, 0, NULL, 0);
	if (err)
		return vt_fail(&b->vt, "emulator FIN: %s", strerror(-err));
	s->c.snd_nxt++;
	s->c.fin_sent = 1;
	if (poll(&pfd, 1, VT_TIMEOUT_MS) != 1 || read(s->fd, buf, sizeof(buf)))
		return vt_fail(&b->vt, "the server saw no EOF");
	return vt_sess_close(&b->vt, s);
}

/*
 * A deferred-accept listener drops the bare ACK; the request completes
 * the handshake, and only then is there something to accept.
 */
static int deferred_request(struct bench *b, struct vt_session *s, int phase)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	static const char ans[] = "HTTP/1.0 204 No Content\r\n\r\n";
	char buf[128];
	size_t got = 0;
	int err;

	err = lbsim_send(&s->c, req, sizeof(req) - 1, NULL, 0);
	if (err)
		return vt_fail(&b->vt, "emulator send: %s", strerror(-err));
	s->fd = accept_checked(b, b->dfd, phase, &s->c);
	if (s->fd < 0)
		return -1;
	if (read(s->fd, buf, sizeof(buf)) != (ssize_t)(sizeof(req) - 1))
		return vt_fail(&b->vt, "the request did not arrive whole");
	if (getpeername_checked(b, s->fd, phase, &s->c))
		return -1;
	if (write(s->fd, ans, sizeof(ans) - 1) != (ssize_t)(sizeof(ans) - 1))
		return vt_fail(&b->vt, "server write: %s", strerror(errno));
	while (got < sizeof(ans) - 1) {
		ssize_t n = lbsim_recv(&s->c, buf + got, sizeof(buf) - got, VT_TIMEOUT_MS);

		if (n <= 0)
			return vt_fail(&b->vt, "the answer did not arrive");
		got += (size_t)n;
	}
	return 0;
}

static int bench_one_conn(struct bench *b, int phase, enum bench_where where, bool deferred,
			  struct in_addr lb)
{
	struct vt_session s = {.fd = -1};

	if (connect_lb(b, &s.c, deferred ? b->dport : b->lport, lb, phase, where))
		return -1;
	if (deferred) {
		if (deferred_request(b, &s, phase))
			goto bad;
	} else {
		s.fd = accept_checked(b, b->lfd, phase, &s.c);
		if (s.fd < 0 || getpeername_checked(b, s.fd, phase, &s.c) ||
		    vt_sess_exchange(&b->vt, &s))
			goto bad;
	}
	if (close_lb_first(b, &s))
		goto bad;
	return 0;
bad:
	vt_sess_abort(&s);
	return -1;
}

double bench_conn(struct bench *b, int phase, enum bench_where where, bool deferred)
{
	struct in_addr lb = bench_lb(b);
	long long t0 = 0;
	int i;

	/* a few untimed ones first: the first of a kind allocates caches */
	for (i = -10; i < b->conns; i++) {
		if (!i)
			t0 = now_ns();
		if (bench_one_conn(b, phase, where, deferred, lb))
			return -1;
	}
	return (double)(now_ns() - t0) / b->conns;
}

/*
 * getpeername() on one socket, @calls times after 100 unmeasured calls:
 * the instructions of the measured calls, or -1.
 */
static long long getpeername_one(struct bench *b, int phase, int calls)
{
	struct vt_session s = {.fd = -1};
	struct sockaddr_in sa;
	socklen_t len;
	long long t0;
	int i;

	if (connect_lb(b, &s.c, b->lport, bench_lb(b), phase, TOA_ON_ACK))
		return -1;
	s.fd = accept_checked(b, b->lfd, phase, &s.c);
	if (s.fd < 0)
		goto bad;
	for (i = 0; i < 100; i++) {
		len = sizeof(sa);
		getpeername(s.fd, (struct sockaddr *)&sa, &len);
	}
	t0 = now_ns();
	for (i = 0; i < calls; i++) {
		len = sizeof(sa);
		if (getpeername(s.fd, (struct sockaddr *)&sa, &len)) {
			vt_fail(&b->vt, "getpeername: %s", strerror(errno));
			goto bad;
		}
	}
	t0 = now_ns() - t0;
	if (getpeername_checked(b, s.fd, phase, &s.c))
		goto bad;
	vt_sess_abort(&s);
	return t0;
bad:
	vt_sess_abort(&s);
	return -1;
}

/*
 * Spread over BENCH_GP_SOCKETS connections: on a socket without TOA the
 * call costs one of two values per connection (6.1: 1033 or 1048, which
 * one is not explained), so one connection per round made the median
 * move by 1.45 % between runs; the mean of eight does not.
 */
double bench_getpeername(struct bench *b, int phase)
{
	int per = b->calls / BENCH_GP_SOCKETS > 0 ? b->calls / BENCH_GP_SOCKETS : 1;
	long long sum = 0, t;
	int k;

	for (k = 0; k < BENCH_GP_SOCKETS; k++) {
		t = getpeername_one(b, phase, per);
		if (t < 0)
			return -1;
		sum += t;
	}
	return (double)sum / ((double)per * BENCH_GP_SOCKETS);
}

int bench_accept_close(struct bench *b, int phase, double *accept, double *destroy)
{
	struct vt_session *s = calloc((size_t)b->batch, sizeof(*s));
	struct in_addr lb = bench_lb(b);
	long long ta = 0, td = 0, t;
	int i, n = 0, err = -1;

	if (!s)
		return vt_fail(&b->vt, "out of memory");
	for (n = 0; n < b->batch; n++) {
		s[n].fd = -1;
		if (connect_lb(b, &s[n].c, b->lport, lb, phase, TOA_ON_ACK))
			goto out;
	}
	for (i = 0; i < n; i++) {
		struct sockaddr_in sa;
		socklen_t len = sizeof(sa);

		t = now_ns();
		s[i].fd = accept4(b->lfd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
		ta += now_ns() - t;
		if (s[i].fd < 0) {
			vt_fail(&b->vt, "accept: %s", strerror(errno));
			goto out;
		}
		/* the queue hands them out in handshake order */
		if (check_peer(b, &sa, phase, &s[i].c, "accept()"))
			goto out;
	}
	/* reset by the balancer: close() then destroys the socket at once */
	for (i = 0; i < n; i++)
		lbsim_reset(&s[i].c);
	usleep(1000);
	for (i = 0; i < n; i++) {
		t = now_ns();
		close(s[i].fd);
		td += now_ns() - t;
		s[i].fd = -1;
	}
	*accept = (double)ta / n;
	*destroy = (double)td / n;
	err = 0;
out:
	for (i = 0; i < n; i++)
		vt_sess_abort(&s[i]);
	free(s);
	return err;
}
