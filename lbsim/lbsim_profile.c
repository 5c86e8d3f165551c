/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lbsim_profile.c - what a connection puts around the caller's options:
 * the SYN it offers, what it takes from the SYN-ACK, the timestamp option
 * of later segments and the window fields (see LBSIM_PROFILE_* in
 * lbsim.h). No I/O: lbsim_conn.c sends what is built here.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "lbsim_int.h"

#include <errno.h>
#include <string.h>

#define BARE_WINDOW 65535
#define MAX_WSCALE  14 /* RFC 7323 2.3: larger values count as 14 */
#define MIN_MSS	    64

int lbsim_conn_set_profile(struct lbsim_conn *c, int profile)
{
	if (profile != LBSIM_PROFILE_DEFAULT && profile != LBSIM_PROFILE_LINUX &&
	    profile != LBSIM_PROFILE_BARE)
		return -EINVAL;
	if (c->established)
		return -EISCONN;
	c->profile = profile;
	return 0;
}

int lbsim_adds_ts(const struct lbsim_conn *c)
{
	return c->ts_ok && c->profile != LBSIM_PROFILE_BARE;
}

/*
 * TSval: a 1 ms clock plus the connection's offset, as Linux does; never
 * behind the last one sent, so that a retransmission is never older.
 */
static uint32_t ts_now(struct lbsim_conn *c)
{
	uint32_t v = (uint32_t)lbsim_now_ms() + c->ts_offset;

	if (c->ts_sent && (int32_t)(v - c->ts_last) < 0)
		v = c->ts_last;
	c->ts_last = v;
	c->ts_sent = 1;
	return v;
}

static uint16_t our_window(const struct lbsim_conn *c, uint8_t flags)
{
	uint32_t w = LBSIM_RCV_WINDOW;

	if (c->profile == LBSIM_PROFILE_BARE)
		return BARE_WINDOW;
	if (flags & LBSIM_SYN) /* never scaled (RFC 7323 2.2) */
		return LBSIM_SYN_WINDOW;
	if (c->ws_ok)
		w >>= c->rcv_wscale;
	return (uint16_t)(w > 65535 ? 65535 : w);
}

/* Note what a SYN option area offers; a TSval in it sets the clock. */
static void note_offer(struct lbsim_conn *c, const uint8_t *o, size_t n)
{
	const uint8_t *ts = lbsim_opt_find(o, n, LBSIM_OPT_TS, 10);
	const uint8_t *ws = lbsim_opt_find(o, n, LBSIM_OPT_WSCALE, 3);

	c->syn_ts = ts != NULL;
	c->syn_sack = lbsim_opt_find(o, n, LBSIM_OPT_SACK_PERM, 2) != NULL;
	c->syn_ws = ws != NULL;
	c->rcv_wscale = ws ? (uint8_t)(ws[2] > MAX_WSCALE ? MAX_WSCALE : ws[2]) : 0;
	if (ts && !c->ts_sent) {
		uint32_t v = lbsim_get32(ts + 2);

		c->ts_offset = v - (uint32_t)lbsim_now_ms();
		c->ts_last = v;
		c->ts_sent = 1;
	}
}

/* Linux's order (tcp_options_write()): MSS, SACK_PERM+TS, NOP, WS */
static size_t linux_syn(struct lbsim_conn *c, uint8_t *o, int with_ts)
{
	size_t n = 0;

	o[n++] = LBSIM_OPT_MSS;
	o[n++] = 4;
	lbsim_put16(o + n, 1460);
	n += 2;
	if (with_ts) {
		o[n++] = LBSIM_OPT_SACK_PERM;
		o[n++] = 2;
		o[n++] = LBSIM_OPT_TS;
		o[n++] = 10;
		lbsim_put32(o + n, ts_now(c));
		lbsim_put32(o + n + 4, 0);
		n += 8;
	} else {
		o[n++] = LBSIM_OPT_NOP;
		o[n++] = LBSIM_OPT_NOP;
		o[n++] = LBSIM_OPT_SACK_PERM;
		o[n++] = 2;
	}
	o[n++] = LBSIM_OPT_NOP;
	o[n++] = LBSIM_OPT_WSCALE;
	o[n++] = 3;
	o[n++] = LBSIM_WSCALE;
	return n;
}

ssize_t lbsim_conn_syn_options(struct lbsim_conn *c, uint8_t *out, const uint8_t *syn_opts,
			       size_t syn_optlen, size_t ack_optlen)
{
	int room = ack_optlen + LBSIM_TS_OPTLEN <= LBSIM_MAX_OPTLEN;
	size_t n;

	if (syn_optlen > LBSIM_MAX_OPTLEN || ack_optlen > LBSIM_MAX_OPTLEN ||
	    (syn_optlen && !syn_opts))
		return -EINVAL;
	if (syn_opts) {
		memcpy(out, syn_opts, syn_optlen);
		n = syn_optlen;
	} else if (c->profile == LBSIM_PROFILE_BARE) {
		out[0] = LBSIM_OPT_MSS;
		out[1] = 4;
		lbsim_put16(out + 2, 1460);
		n = 4;
	} else {
		if (!room && c->profile == LBSIM_PROFILE_LINUX)
			return -EMSGSIZE;
		n = linux_syn(c, out, room);
	}
	note_offer(c, out, n);
	if (c->syn_ts && !room && c->profile != LBSIM_PROFILE_BARE)
		return -EMSGSIZE; /* a given SYN with TS, a full ACK */
	return (ssize_t)n;
}

ssize_t lbsim_conn_packet(struct lbsim_conn *c, uint8_t *out, size_t cap, uint32_t seq,
			  uint8_t flags, const uint8_t *opts, size_t optlen, const void *data,
			  size_t len)
{
	uint8_t o[LBSIM_MAX_OPTLEN];

	if (!(flags & LBSIM_SYN) && lbsim_adds_ts(c)) {
		if (optlen > LBSIM_MAX_OPTLEN || (optlen && !opts))
			return -EINVAL;
		if (optlen + LBSIM_TS_OPTLEN > LBSIM_MAX_OPTLEN)
			return -EMSGSIZE;
		lbsim_opt_timestamps(o, ts_now(c), c->ts_recent);
		if (optlen)
			memcpy(o + LBSIM_TS_OPTLEN, opts, optlen);
		opts = o;
		optlen += LBSIM_TS_OPTLEN;
	}
	return lbsim_build_packet(out, cap, c->family, c->lb_addr, c->srv_addr, c->lb_port,
				  c->srv_port, seq, (flags & LBSIM_ACK) ? c->rcv_nxt : 0, flags,
				  our_window(c, flags), opts, optlen, data, len);
}

void lbsim_take_synack(struct lbsim_conn *c, const struct lbsim_seg *s)
{
	const uint8_t *mss = lbsim_opt_find(s->opts, s->optlen, LBSIM_OPT_MSS, 4);
	const uint8_t *ts = lbsim_opt_find(s->opts, s->optlen, LBSIM_OPT_TS, 10);
	const uint8_t *ws = lbsim_opt_find(s->opts, s->optlen, LBSIM_OPT_WSCALE, 3);

	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->snd_nxt = c->snd_una = s->ack;
	c->peer_mss = mss ? lbsim_get16(mss + 2) : 536;
	if (c->peer_mss < MIN_MSS)
		c->peer_mss = MIN_MSS;
	/*
	 * A SYN cookie keeps the peer's wscale and SACK in the low bits of
	 * this TSval: it goes back unchanged as the handshake ACK's TSecr.
	 */
	c->ts_ok = c->syn_ts && ts;
	if (ts)
		c->ts_recent = lbsim_get32(ts + 2);
	c->ws_ok = c->syn_ws && ws;
	c->snd_wscale = ws ? (uint8_t)(ws[2] > MAX_WSCALE ? MAX_WSCALE : ws[2]) : 0;
	c->sack_ok = c->syn_sack && lbsim_opt_find(s->opts, s->optlen, LBSIM_OPT_SACK_PERM, 2);
	c->snd_wnd = s->window; /* a SYN's window is not scaled */
}

void lbsim_take_peer_info(struct lbsim_conn *c, const struct lbsim_seg *s)
{
	const uint8_t *ts;

	if (c->ts_ok) {
		ts = lbsim_opt_find(s->opts, s->optlen, LBSIM_OPT_TS, 10);
		if (ts && (int32_t)(lbsim_get32(ts + 2) - c->ts_recent) >= 0)
			c->ts_recent = lbsim_get32(ts + 2);
	}
	if ((s->flags & LBSIM_ACK) && !(s->flags & LBSIM_SYN) &&
	    (int32_t)(s->ack - c->snd_una) >= 0)
		c->snd_wnd = (uint32_t)s->window << (c->ws_ok ? c->snd_wscale : 0);
}

int lbsim_conn_synack(struct lbsim_conn *c, const uint8_t *pkt, size_t len)
{
	struct lbsim_seg s;

	if (lbsim_parse_seg(pkt, len, &s) < 0 ||
	    (s.flags & (LBSIM_SYN | LBSIM_ACK)) != (LBSIM_SYN | LBSIM_ACK))
		return -EINVAL;
	lbsim_take_synack(c, &s);
	return 0;
}
