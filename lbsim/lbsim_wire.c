/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lbsim_wire.c - packets as bytes: the IPv4/IPv6 + TCP builder with its
 * checksums, the parser for what the kernel sends back, and the option
 * helpers (TOA, timestamps, finding an option). No state, no I/O.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "lbsim_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int lbsim_addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : -1;
}

/* RFC 1071 sum, big-endian 16-bit words, odd byte padded with zero. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The pseudo header: RFC 793 (IPv4) and RFC 8200 section 8.1 (IPv6). */
static uint32_t pseudo_sum(int family, const uint8_t *src, const uint8_t *dst, size_t tcplen)
{
	uint32_t sum = 0;
	size_t alen = (size_t)lbsim_addr_len(family);

	sum = csum_add(sum, src, alen);
	sum = csum_add(sum, dst, alen);
	if (family == AF_INET) {
		sum += IPPROTO_TCP;
		sum += (uint32_t)tcplen;
	} else {
		sum += (uint32_t)(tcplen >> 16);
		sum += (uint32_t)(tcplen & 0xffff);
		sum += IPPROTO_TCP;
	}
	return sum;
}

static size_t padded(size_t optlen)
{
	return (optlen + 3) & ~(size_t)3;
}

ssize_t lbsim_build_packet(uint8_t *out, size_t cap, int family, const void *src, const void *dst,
			   uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
			   uint8_t flags, uint16_t window, const uint8_t *opts, size_t optlen,
			   const void *data, size_t len)
{
	int alen = lbsim_addr_len(family);
	size_t iphl = family == AF_INET ? 20 : 40;
	size_t thl, total;
	uint8_t *ip = out, *th;
	uint32_t sum;

	if (alen < 0 || optlen > LBSIM_MAX_OPTLEN || (optlen && !opts) || (len && !data))
		return -EINVAL;
	thl = 20 + padded(optlen);
	total = iphl + thl + len;
	if (total > cap || total > 65535)
		return -EMSGSIZE;

	memset(out, 0, iphl + thl);
	if (family == AF_INET) {
		ip[0] = 0x45;
		lbsim_put16(ip + 2, (uint16_t)total);
		/* id stays 0 with DF set, like Linux does for TCP */
		lbsim_put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		lbsim_put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	} else {
		ip[0] = 0x60;
		lbsim_put16(ip + 4, (uint16_t)(thl + len));
		ip[6] = IPPROTO_TCP;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
	}

	th = out + iphl;
	lbsim_put16(th, sport);
	lbsim_put16(th + 2, dport);
	lbsim_put32(th + 4, seq);
	lbsim_put32(th + 8, ack);
	th[12] = (uint8_t)((thl / 4) << 4);
	th[13] = flags;
	lbsim_put16(th + 14, window);
	if (optlen)
		memcpy(th + 20, opts, optlen); /* the padding stays 0 (EOL) */
	if (len)
		memcpy(th + thl, data, len);

	sum = pseudo_sum(family, (const uint8_t *)src, (const uint8_t *)dst, thl + len);
	sum = csum_add(sum, th, thl + len);
	lbsim_put16(th + 16, csum_fold(sum));
	return (ssize_t)total;
}

int lbsim_parse_seg(const uint8_t *p, size_t n, struct lbsim_seg *s)
{
	const uint8_t *th;
	size_t iphl, tlen, thl;

	if (n < 1)
		return -1;
	if ((p[0] >> 4) == 4) {
		size_t tot;

		if (n < 20)
			return -1;
		iphl = (size_t)(p[0] & 0x0f) * 4;
		tot = lbsim_get16(p + 2);
		if (iphl < 20 || tot > n || tot < iphl || p[9] != IPPROTO_TCP)
			return -1;
		if (lbsim_get16(p + 6) & 0x3fff) /* fragment */
			return -1;
		s->family = AF_INET;
		s->src = p + 12;
		s->dst = p + 16;
		tlen = tot - iphl;
	} else if ((p[0] >> 4) == 6) {
		size_t plen;

		if (n < 40)
			return -1;
		iphl = 40;
		plen = lbsim_get16(p + 4);
		if (p[6] != IPPROTO_TCP || 40 + plen > n)
			return -1;
		s->family = AF_INET6;
		s->src = p + 8;
		s->dst = p + 24;
		tlen = plen;
	} else {
		return -1;
	}
	if (tlen < 20)
		return -1;
	th = p + iphl;
	thl = (size_t)(th[12] >> 4) * 4;
	if (thl < 20 || thl > tlen)
		return -1;
	s->sport = lbsim_get16(th);
	s->dport = lbsim_get16(th + 2);
	s->seq = lbsim_get32(th + 4);
	s->ack = lbsim_get32(th + 8);
	s->flags = th[13];
	s->window = lbsim_get16(th + 14);
	s->opts = th + 20;
	s->optlen = thl - 20;
	s->data = th + thl;
	s->dlen = tlen - thl;
	s->pkt = p;
	s->pktlen = iphl + tlen;
	return 0;
}

int lbsim_tcp_checksum_check(const uint8_t *pkt, size_t len)
{
	struct lbsim_seg s;
	size_t tcplen;
	const uint8_t *th;

	if (lbsim_parse_seg(pkt, len, &s) < 0)
		return -1;
	th = s.opts - 20;
	tcplen = (size_t)(s.data + s.dlen - th);
	return csum_fold(csum_add(pseudo_sum(s.family, s.src, s.dst, tcplen), th, tcplen));
}

/* kind, length, port, address: the one TOA layout, 4 + @alen bytes */
static size_t toa_put(uint8_t *out, uint8_t kind, const void *addr, size_t alen, uint16_t port)
{
	out[0] = kind;
	out[1] = (uint8_t)(4 + alen);
	lbsim_put16(out + 2, port);
	memcpy(out + 4, addr, alen);
	return 4 + alen;
}

size_t lbsim_toa_v4(uint8_t *out, uint8_t kind, const void *addr4, uint16_t port)
{
	return toa_put(out, kind, addr4, 4, port);
}

size_t lbsim_toa_v6(uint8_t *out, uint8_t kind, const void *addr6, uint16_t port)
{
	return toa_put(out, kind, addr6, 16, port);
}

size_t lbsim_opt_timestamps(uint8_t *out, uint32_t tsval, uint32_t tsecr)
{
	out[0] = LBSIM_OPT_NOP;
	out[1] = LBSIM_OPT_NOP;
	out[2] = LBSIM_OPT_TS;
	out[3] = 10;
	lbsim_put32(out + 4, tsval);
	lbsim_put32(out + 8, tsecr);
	return LBSIM_TS_OPTLEN;
}

const uint8_t *lbsim_opt_find(const uint8_t *opts, size_t optlen, uint8_t kind, uint8_t len)
{
	size_t i = 0;

	while (i < optlen) {
		uint8_t k = opts[i], l;

		if (k == LBSIM_OPT_EOL)
			break;
		if (k == LBSIM_OPT_NOP) {
			i++;
			continue;
		}
		if (optlen - i < 2)
			break;
		l = opts[i + 1];
		if (l < 2 || l > optlen - i)
			break; /* Linux stops at a bad length too */
		if (k == kind && l == len)
			return opts + i;
		i += l;
	}
	return NULL;
}
