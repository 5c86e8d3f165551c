/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lbsim_int.h - what the units of lbsim share and its callers do not see:
 * byte order helpers, the parsed form of a received segment, and the
 * entry points between the units:
 *
 *   lbsim_wire.c     packets: building, parsing, checksums, option helpers
 *   lbsim_tun.c      the TUN device, its addresses, reading and queueing
 *   lbsim_profile.c  per-connection option and window policy (no I/O)
 *   lbsim_conn.c     the TCP state machine (connect, send, recv, close)
 */
#ifndef LBSIM_INT_H
#define LBSIM_INT_H

#include "lbsim.h"

#include <stdint.h>
#include <time.h>

#define LBSIM_PKT_MAX 2048 /* the largest packet lbsim writes or queues */

static inline void lbsim_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void lbsim_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint16_t lbsim_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t lbsim_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline int64_t lbsim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 4, 16, or -1 for an unknown family */
int lbsim_addr_len(int family);

/* A TCP packet read from the device, pointing into the packet. */
struct lbsim_seg {
	const uint8_t *pkt; /* the whole IP packet */
	size_t pktlen;
	int family;
	const uint8_t *src, *dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window; /* the raw header field */
	const uint8_t *opts;
	size_t optlen;
	const uint8_t *data;
	size_t dlen;
};

/* lbsim_wire.c: parse an IPv4/IPv6 TCP packet; -1 when it is not one. */
int lbsim_parse_seg(const uint8_t *p, size_t n, struct lbsim_seg *s);

/* lbsim_tun.c */
uint32_t lbsim_tun_seed(const struct lbsim_tun *tun);
uint32_t lbsim_tun_take_isn_seed(struct lbsim_tun *tun);
int lbsim_tun_write(struct lbsim_tun *tun, const uint8_t *pkt, size_t n);
/*
 * Wait until @deadline (ms, CLOCK_MONOTONIC) for a segment of @c: first
 * from the queue of packets read for other connections, then from the
 * device. The packet stays in a buffer of the tun (valid until the next
 * call) and is parsed into @s. Returns 0, -ETIMEDOUT or a read error.
 */
int lbsim_next_seg(struct lbsim_conn *c, struct lbsim_seg *s, int64_t deadline);
/* The same, from the device only (the queue is left alone). */
int lbsim_read_seg(struct lbsim_conn *c, struct lbsim_seg *s, int64_t deadline);
/* Queue a packet (it is read later by lbsim_next_seg of its connection). */
void lbsim_queue_push(struct lbsim_tun *tun, const uint8_t *p, size_t n);
/* Call @fn for every queued segment of @c, oldest first, leaving them. */
void lbsim_queue_scan(struct lbsim_tun *tun, struct lbsim_conn *c,
		      void (*fn)(struct lbsim_conn *c, const struct lbsim_seg *s));

/* lbsim_profile.c */
/* Take what the SYN-ACK @s negotiated (and its sequence numbers) into @c. */
void lbsim_take_synack(struct lbsim_conn *c, const struct lbsim_seg *s);
/* Timestamp and window of any later segment from the peer. */
void lbsim_take_peer_info(struct lbsim_conn *c, const struct lbsim_seg *s);
/* Whether lbsim puts the timestamp option into @c's segments. */
int lbsim_adds_ts(const struct lbsim_conn *c);

#endif /* LBSIM_INT_H */
