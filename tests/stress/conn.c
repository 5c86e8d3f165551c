/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * conn.c - connections of the stress scenarios: closing them in one of
 * three ways, what their peer must read as, the unique clients of
 * trusted_flip, unload_race and final_unload; see st.h.
 */
#include "st.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* kernel complaints of a slab cache destroyed with objects in it */
#define SLAB_LEAK_1 "Objects remaining"
#define SLAB_LEAK_2 "still has objects"

int st_close(struct vt *vt, struct vt_session *s, unsigned int how)
{
	int err = 0, fd = s->fd;

	s->fd = -1;
	switch (how % 3) {
	case 0: /* the LB resets: one packet, no state left anywhere */
		err = lbsim_reset(&s->c);
		close(fd);
		if (err)
			return vt_fail(vt, "sending RST: %s", strerror(-err));
		return 0;
	case 1: /* the LB closes first: the server never holds TIME_WAIT */
		err = lbsim_send_segment(&s->c, LBSIM_FIN | LBSIM_ACK, NULL, 0, NULL, 0);
		if (err) {
			close(fd);
			return vt_fail(vt, "sending FIN: %s", strerror(-err));
		}
		s->c.snd_nxt++;
		s->c.fin_sent = 1;
		close(fd);
		err = lbsim_close(&s->c, VT_TIMEOUT_MS);
		if (err)
			return vt_fail(vt, "orderly close (LB first): %s", strerror(-err));
		return 0;
	default: { /* the server aborts: it sends an RST */
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		char buf[16];
		ssize_t n;

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
		n = lbsim_recv(&s->c, buf, sizeof(buf), VT_TIMEOUT_MS);
		if (n != -ECONNRESET)
			return vt_fail(vt, "server abort: emulator got %zd, want ECONNRESET", n);
		return 0;
	}
	}
}

void st_lb_string(const struct vt *vt, int lb_family, enum vt_lsn lsn, uint16_t lb_port, char *out,
		  size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	if (lb_family == AF_INET6) {
		inet_ntop(AF_INET6, &vt->lb6, a, sizeof(a));
		snprintf(out, cap, "[%s]:%u", a, lb_port);
	} else if (lsn == VT_LSN_V4) {
		inet_ntop(AF_INET, &vt->lb4, a, sizeof(a));
		snprintf(out, cap, "%s:%u", a, lb_port);
	} else {
		inet_ntop(AF_INET, &vt->lb4, a, sizeof(a));
		snprintf(out, cap, "[::ffff:%s]:%u", a, lb_port);
	}
}

void st_want_string(const struct vt *vt, const struct st_expect *e, int fam, enum vt_lsn lsn,
		    uint16_t lb_port, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	if (e->out == ST_OUT_V4) {
		inet_ntop(AF_INET, e->addr, a, sizeof(a));
		/* an IPv6 socket shows it v4-mapped */
		if (fam == AF_INET && lsn == VT_LSN_V4)
			snprintf(out, cap, "%s:%u", a, e->port);
		else
			snprintf(out, cap, "[::ffff:%s]:%u", a, e->port);
		return;
	}
	if (e->out == ST_OUT_V6 && !(fam == AF_INET && lsn == VT_LSN_V4)) {
		inet_ntop(AF_INET6, e->addr, a, sizeof(a));
		snprintf(out, cap, "[%s]:%u", a, e->port);
		return;
	}
	/* no usable TOA, or an IPv6 client on an IPv4 socket */
	st_lb_string(vt, fam, lsn, lb_port, out, cap);
}

void st_client_of(long n, int fam, uint8_t *a, uint16_t *port)
{
	memset(a, 0, 16);
	if (fam == AF_INET) { /* 10.x.y.z */
		a[0] = 10;
		a[1] = (uint8_t)(n >> 16);
		a[2] = (uint8_t)(n >> 8);
		a[3] = (uint8_t)n;
	} else { /* 2001:db8:c1::n */
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[5] = 0xc1;
		a[13] = (uint8_t)(n >> 16);
		a[14] = (uint8_t)(n >> 8);
		a[15] = (uint8_t)n;
	}
	*port = (uint16_t)(1024 + n % 60000);
}

size_t st_client_opt(uint8_t *opt, int fam, const uint8_t *a, uint16_t port, struct st_expect *e)
{
	size_t n = fam == AF_INET ? lbsim_toa_v4(opt, ST_KIND, a, port)
				  : lbsim_toa_v6(opt, ST_KIND, a, port);

	st_oracle(opt, n, ST_KIND, e);
	return n;
}

long long st_missed_sum(const struct vt_stats *st)
{
	long long sum = 0;
	int i;

	for (i = 0; i < st->n; i++)
		if (!strncmp(st->name[i], "nmissed_", 8))
			sum += st->value[i];
	return sum;
}

int st_slab_leaks(void)
{
	return vt_kmsg_count(SLAB_LEAK_1) + vt_kmsg_count(SLAB_LEAK_2);
}
