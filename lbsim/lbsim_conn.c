/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lbsim_conn.c - one emulated TCP connection from the load balancer to a
 * server: handshake, sending within the peer's window, receiving in-order
 * data, orderly close with FIN retransmission, reset. Segments are built
 * by lbsim_profile.c and travel through lbsim_tun.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "lbsim_int.h"

#include <errno.h>
#include <string.h>

#define SYN_RESEND_MS 1000
#define MAX_SYN_DATA  1200
#define MAX_CHUNK     1400

/* FNV-1a over the address pair: one timestamp clock per pair, like Linux */
static uint32_t pair_hash(uint32_t h, const uint8_t *a, const uint8_t *b, size_t alen)
{
	size_t i;

	h ^= 2166136261u;
	for (i = 0; i < alen; i++)
		h = (h ^ a[i]) * 16777619u;
	for (i = 0; i < alen; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

int lbsim_conn_init(struct lbsim_conn *c, struct lbsim_tun *tun, int family, const void *lb_addr,
		    uint16_t lb_port, const void *srv_addr, uint16_t srv_port)
{
	int alen = lbsim_addr_len(family);
	uint32_t isn_seed;

	if (alen < 0 || (!tun && !lb_port))
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->tun = tun;
	c->family = family;
	memcpy(c->lb_addr, lb_addr, (size_t)alen);
	memcpy(c->srv_addr, srv_addr, (size_t)alen);
	c->lb_port = lb_port ? lb_port : lbsim_tun_next_port(tun);
	c->srv_port = srv_port;
	isn_seed = tun ? lbsim_tun_take_isn_seed(tun) : 0;
	c->iss = isn_seed ^ ((uint32_t)c->lb_port * 2246822519u);
	c->snd_nxt = c->snd_una = c->iss;
	c->peer_mss = 536;
	c->ts_offset =
		pair_hash(tun ? lbsim_tun_seed(tun) : 0, c->lb_addr, c->srv_addr, (size_t)alen);
	return 0;
}

static int send_raw(struct lbsim_conn *c, uint32_t seq, uint8_t flags, const uint8_t *opts,
		    size_t optlen, const void *data, size_t len)
{
	uint8_t pkt[LBSIM_PKT_MAX];
	ssize_t n;

	if (!c->tun)
		return -ENODEV;
	n = lbsim_conn_packet(c, pkt, sizeof(pkt), seq, flags, opts, optlen, data, len);
	if (n < 0)
		return (int)n;
	return lbsim_tun_write(c->tun, pkt, (size_t)n);
}

int lbsim_send_segment(struct lbsim_conn *c, uint8_t flags, const uint8_t *opts, size_t optlen,
		       const void *data, size_t len)
{
	return send_raw(c, c->snd_nxt, flags, opts, optlen, data, len);
}

static int send_ack(struct lbsim_conn *c)
{
	return send_raw(c, c->snd_nxt, LBSIM_ACK, NULL, 0, NULL, 0);
}

int lbsim_connect(struct lbsim_conn *c, const uint8_t *syn_opts, size_t syn_optlen,
		  const uint8_t *ack_opts, size_t ack_optlen, int timeout_ms)
{
	return lbsim_connect_data(c, syn_opts, syn_optlen, NULL, 0, ack_opts, ack_optlen,
				  timeout_ms);
}

/* Wait for the SYN-ACK until @until; 1 when @s is one, 0 on timeout. */
static int wait_synack(struct lbsim_conn *c, struct lbsim_seg *s, size_t syn_dlen, int64_t until)
{
	for (;;) {
		uint32_t acked;
		int err = lbsim_next_seg(c, s, until);

		if (err == -ETIMEDOUT)
			return 0;
		if (err)
			return err;
		acked = s->ack - (c->iss + 1);
		if ((s->flags & LBSIM_RST) && acked <= syn_dlen) {
			c->reset = 1;
			return -ECONNREFUSED;
		}
		/* the SYN-ACK acknowledges the SYN, and the data if taken */
		if ((s->flags & (LBSIM_SYN | LBSIM_ACK)) == (LBSIM_SYN | LBSIM_ACK) &&
		    (acked == 0 || acked == syn_dlen))
			return 1;
	}
}

int lbsim_connect_data(struct lbsim_conn *c, const uint8_t *syn_opts, size_t syn_optlen,
		       const void *syn_data, size_t syn_dlen, const uint8_t *ack_opts,
		       size_t ack_optlen, int timeout_ms)
{
	int64_t deadline = lbsim_now_ms() + timeout_ms, next_syn;
	uint8_t opts[LBSIM_MAX_OPTLEN];
	struct lbsim_seg s;
	ssize_t n;
	int err;

	if (syn_optlen > LBSIM_MAX_OPTLEN || ack_optlen > LBSIM_MAX_OPTLEN ||
	    syn_dlen > MAX_SYN_DATA || (syn_dlen && !syn_data))
		return -EINVAL;
	c->snd_nxt = c->iss;
	for (;;) {
		/* composed again for every SYN: a fresh TSval each time */
		n = lbsim_conn_syn_options(c, opts, syn_opts, syn_optlen, ack_optlen);
		if (n < 0)
			return (int)n;
		err = send_raw(c, c->iss, LBSIM_SYN, opts, (size_t)n, syn_data, syn_dlen);
		if (err)
			return err;
		next_syn = lbsim_now_ms() + SYN_RESEND_MS;
		if (next_syn > deadline)
			next_syn = deadline;
		err = wait_synack(c, &s, syn_dlen, next_syn);
		if (err < 0)
			return err;
		if (err)
			break;
		if (lbsim_now_ms() >= deadline)
			return -ETIMEDOUT;
	}
	lbsim_take_synack(c, &s);
	if (!c->skip_ack) {
		err = send_raw(c, c->snd_nxt, LBSIM_ACK, ack_opts, ack_optlen, NULL, 0);
		if (err)
			return err;
	}
	c->established = 1;
	return 0;
}

/* The acknowledgment, window and timestamp of a segment, nothing else. */
static void take_ack(struct lbsim_conn *c, const struct lbsim_seg *s)
{
	lbsim_take_peer_info(c, s);
	if ((s->flags & LBSIM_ACK) && (int32_t)(s->ack - c->snd_una) > 0 &&
	    (int32_t)(s->ack - c->snd_nxt) <= 0)
		c->snd_una = s->ack;
}

/*
 * How much of the peer's window is free; waits until @deadline while none
 * is. Segments with more than an ACK in them are queued for later.
 */
static int wait_window(struct lbsim_conn *c, uint32_t *room, int64_t deadline)
{
	for (;;) {
		uint32_t flight = c->snd_nxt - c->snd_una;
		struct lbsim_seg s;
		int err;

		if (c->snd_wnd > flight) {
			*room = c->snd_wnd - flight;
			return 0;
		}
		lbsim_queue_scan(c->tun, c, take_ack);
		if (c->snd_wnd > c->snd_nxt - c->snd_una)
			continue;
		err = lbsim_read_seg(c, &s, deadline);
		if (err)
			return err;
		if (s.flags & LBSIM_RST) {
			c->reset = 1;
			return -ECONNRESET;
		}
		take_ack(c, &s);
		if (s.dlen || (s.flags & (LBSIM_SYN | LBSIM_FIN)))
			lbsim_queue_push(c->tun, s.pkt, s.pktlen);
	}
}

int lbsim_send(struct lbsim_conn *c, const void *data, size_t len, const uint8_t *opts,
	       size_t optlen)
{
	int64_t deadline = lbsim_now_ms() + LBSIM_SEND_WAIT_MS;
	const uint8_t *p = data;
	size_t chunk_max = c->peer_mss;

	if (!c->established || c->fin_sent)
		return -ENOTCONN;
	if (c->reset)
		return -ECONNRESET;
	if (chunk_max > MAX_CHUNK)
		chunk_max = MAX_CHUNK;
	if (lbsim_adds_ts(c)) {
		if (optlen <= LBSIM_MAX_OPTLEN && optlen + LBSIM_TS_OPTLEN > LBSIM_MAX_OPTLEN)
			return -EMSGSIZE;
		chunk_max -= LBSIM_TS_OPTLEN; /* as Linux's MSS does */
	}
	while (len) {
		size_t n = len < chunk_max ? len : chunk_max;
		uint32_t room;
		int err = wait_window(c, &room, deadline);

		if (err)
			return err;
		if (n > room)
			n = room;
		err = send_raw(c, c->snd_nxt, LBSIM_PSH | LBSIM_ACK, opts, optlen, p, n);
		if (err)
			return err;
		c->snd_nxt += (uint32_t)n;
		p += n;
		len -= n;
		opts = NULL;
		optlen = 0;
	}
	return 0;
}

/*
 * Apply one segment of @c. Data goes into @buf (up to @cap; *got set).
 * Returns 0 or -ECONNRESET.
 */
static int process_seg(struct lbsim_conn *c, const struct lbsim_seg *s, uint8_t *buf, size_t cap,
		       size_t *got)
{
	*got = 0;
	if (s->flags & LBSIM_RST) {
		c->reset = 1;
		return -ECONNRESET;
	}
	if (s->flags & LBSIM_SYN) { /* a repeated SYN-ACK: ACK again */
		lbsim_take_peer_info(c, s);
		send_ack(c);
		return 0;
	}
	take_ack(c, s);
	if ((s->flags & LBSIM_ACK) && c->fin_sent && c->snd_una == c->snd_nxt)
		c->fin_acked = 1;
	if (!s->dlen && !(s->flags & LBSIM_FIN))
		return 0;
	if (s->seq == c->rcv_nxt && !c->peer_fin) {
		size_t take = s->dlen < cap ? s->dlen : cap;

		if (take)
			memcpy(buf, s->data, take);
		c->rcv_nxt += (uint32_t)take;
		*got = take;
		if ((s->flags & LBSIM_FIN) && take == s->dlen) {
			c->rcv_nxt++;
			c->peer_fin = 1;
		}
	}
	send_ack(c); /* new data, or a duplicate: tell where we are */
	return 0;
}

ssize_t lbsim_recv(struct lbsim_conn *c, void *buf, size_t cap, int timeout_ms)
{
	int64_t deadline = lbsim_now_ms() + timeout_ms;

	if (!c->established)
		return -ENOTCONN;
	if (!cap)
		return -EINVAL;
	for (;;) {
		struct lbsim_seg s;
		size_t got;
		int err;

		if (c->reset)
			return -ECONNRESET;
		if (c->peer_fin)
			return 0;
		err = lbsim_next_seg(c, &s, deadline);
		if (err)
			return err;
		err = process_seg(c, &s, buf, cap, &got);
		if (err)
			return err;
		if (got)
			return (ssize_t)got;
	}
}

int lbsim_close(struct lbsim_conn *c, int timeout_ms)
{
	int64_t deadline = lbsim_now_ms() + timeout_ms;
	int rto = LBSIM_FIN_RTO_MS;
	int64_t rtx_at = lbsim_now_ms() + rto;
	uint8_t scratch[LBSIM_PKT_MAX];

	if (c->reset)
		return -ECONNRESET;
	if (!c->established)
		return -ENOTCONN;
	if (!c->fin_sent) {
		int err = send_raw(c, c->snd_nxt, LBSIM_FIN | LBSIM_ACK, NULL, 0, NULL, 0);

		if (err)
			return err;
		c->snd_nxt++;
		c->fin_sent = 1;
	}
	while (!(c->peer_fin && c->fin_acked)) {
		int rtx = !c->fin_acked && rtx_at < deadline;
		struct lbsim_seg s;
		size_t got;
		int err = lbsim_next_seg(c, &s, rtx ? rtx_at : deadline);

		if (err == -ETIMEDOUT && rtx) {
			/*
			 * Our FIN (or the ACK for it) got lost, as it can be in
			 * the kernel while the peer moves to TIME_WAIT: send it
			 * again, as TCP does, with the interval doubled. It is
			 * built anew, so its TSval is fresh (PAWS, RFC 7323 5).
			 */
			err = send_raw(c, c->snd_nxt - 1, LBSIM_FIN | LBSIM_ACK, NULL, 0, NULL, 0);
			if (err)
				return err;
			c->fin_rtx++;
			rto *= 2;
			rtx_at = lbsim_now_ms() + rto;
			continue;
		}
		if (err)
			return err;
		err = process_seg(c, &s, scratch, sizeof(scratch), &got);
		if (err)
			return err;
	}
	return 0;
}

int lbsim_reset(struct lbsim_conn *c)
{
	int err = send_raw(c, c->snd_nxt, LBSIM_RST | LBSIM_ACK, NULL, 0, NULL, 0);

	if (!err)
		c->reset = 1;
	return err;
}
