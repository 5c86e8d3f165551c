// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Find the TOA option in a TCP header; the list of TOA kinds.
 *
 * Pure C: compiled into the kernel module, the unit tests, the fuzzer and
 * toa-check. Every read is bounded by min(len, data offset * 4).
 */
#include "toa_opt.h"

#define TCP_FIXED_LEN	20
#define TCPOPT_EOL	0
#define TCPOPT_NOP	1
#define TCP_FLAG_SYN	0x02

/* RFC 7413: TCP Fast Open's experiment ID on the experimental kinds */
#define EXID_TFO	0xF989

bool toa_kind_valid(unsigned int kind)
{
	switch (kind) {
	case 2:		/* MSS */
	case 3:		/* window scale */
	case 4:		/* SACK permitted */
	case 5:		/* SACK */
	case 8:		/* timestamps */
	case 19:	/* TCP MD5 signature */
	case 29:	/* TCP-AO: 4 + MAC bytes */
	case 30:	/* MPTCP: 8 and 20 among its lengths */
	case 34:	/* Fast Open cookie: 6 + 2 bytes is 8 */
		return false;
	default:
		return kind >= 2 && kind <= 255;
	}
}

static bool kind_listed(const struct toa_kinds *kinds, uint8_t kind)
{
	return kinds->map[kind >> 3] & (1u << (kind & 7));
}

static void kinds_rebuild_map(struct toa_kinds *kinds)
{
	unsigned int i;

	for (i = 0; i < sizeof(kinds->map); i++)
		kinds->map[i] = 0;
	for (i = 0; i < kinds->count; i++)
		kinds->map[kinds->kind[i] >> 3] |=
			(uint8_t)(1u << (kinds->kind[i] & 7));
}

bool toa_kinds_parse(const char *text, size_t len, struct toa_kinds *out,
		     unsigned int *bad_item)
{
	struct toa_kinds k = { 0 };
	size_t i = 0;
	unsigned int item = 0;

	*bad_item = 0;
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	if (!len)
		return false;
	for (;;) {
		unsigned int v = 0, digits = 0, j;

		item++;
		while (i < len && text[i] == ' ')
			i++;
		while (i < len && text[i] >= '0' && text[i] <= '9' &&
		       digits < 4) {
			v = v * 10 + (unsigned int)(text[i++] - '0');
			digits++;
		}
		while (i < len && text[i] == ' ')
			i++;
		if (!digits || (i < len && text[i] != ',') ||
		    !toa_kind_valid(v)) {
			*bad_item = item;
			return false;
		}
		for (j = 0; j < k.count; j++)
			if (k.kind[j] == v) {
				*bad_item = item;
				return false;
			}
		if (k.count == TOA_MAX_KINDS)
			return false;
		k.kind[k.count++] = (uint8_t)v;
		if (i == len)
			break;
		i++;	/* the comma */
	}
	kinds_rebuild_map(&k);
	*out = k;
	return true;
}

size_t toa_kinds_format(const struct toa_kinds *kinds, char *buf, size_t cap)
{
	size_t n = 0;
	unsigned int i;

	if (!cap)
		return 0;
	for (i = 0; i < kinds->count; i++) {
		unsigned int v = kinds->kind[i];
		char d[4];
		int nd = 0;

		if (i && n + 1 < cap)
			buf[n++] = ',';
		do {
			d[nd++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (nd && n + 1 < cap)
			buf[n++] = d[--nd];
	}
	buf[n] = '\0';
	return n;
}

bool toa_kinds_set_first(struct toa_kinds *kinds, unsigned int kind)
{
	unsigned int i;

	if (!toa_kind_valid(kind))
		return false;
	for (i = 1; i < kinds->count; i++)
		if (kinds->kind[i] == kind)
			return false;
	kinds->kind[0] = (uint8_t)kind;
	if (!kinds->count)
		kinds->count = 1;
	kinds_rebuild_map(kinds);
	return true;
}

static bool client_usable(const struct toa_client *c)
{
	const uint8_t *a = c->addr;
	unsigned int i;

	if (c->family == 4) {
		if (a[0] >= 224)	/* multicast, reserved, broadcast */
			return false;
		return a[0] | a[1] | a[2] | a[3];
	}
	if (a[0] == 0xff)		/* multicast */
		return false;
	for (i = 0; i < 16; i++)
		if (a[i])
			return true;
	return false;			/* :: */
}

static enum toa_parse_result take_option(const uint8_t *opt, uint8_t optlen,
					 struct toa_client *out)
{
	unsigned int alen = optlen == TOA_OPT_LEN_V4 ? 4 : 16;
	unsigned int i;

	for (i = 0; i < sizeof(out->addr); i++)
		out->addr[i] = i < alen ? opt[4 + i] : 0;
	out->port[0] = opt[2];
	out->port[1] = opt[3];
	out->family = optlen == TOA_OPT_LEN_V4 ? 4 : 6;
	out->kind = opt[0];
	if (!client_usable(out))
		return TOA_PARSE_BAD_CLIENT;
	return out->family == 4 ? TOA_PARSE_V4 : TOA_PARSE_V6;
}

enum toa_parse_result toa_parse_options(const uint8_t *tcp, size_t len,
					const struct toa_kinds *kinds,
					struct toa_client *out)
{
	bool syn, wrong_len = false;
	size_t end, i;

	out->exid_skipped = false;
	if (len < TCP_FIXED_LEN)
		return TOA_PARSE_NONE;
	end = (size_t)(tcp[12] >> 4) * 4;
	if (end > len)
		end = len;
	syn = tcp[13] & TCP_FLAG_SYN;

	i = TCP_FIXED_LEN;
	while (i < end) {
		uint8_t okind = tcp[i];
		uint8_t olen;

		if (okind == TCPOPT_EOL)
			break;
		if (okind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (end - i < 2)	/* no room for the length byte */
			return TOA_PARSE_MALFORMED;
		olen = tcp[i + 1];
		if (olen < 2 || olen > end - i)
			return TOA_PARSE_MALFORMED;
		if (kind_listed(kinds, okind)) {
			bool tfo = syn && olen >= 4 &&
				   tcp[i + 2] == (EXID_TFO >> 8) &&
				   tcp[i + 3] == (EXID_TFO & 0xff);

			if (tfo)
				out->exid_skipped = true;	/* a cookie */
			else if (olen != TOA_OPT_LEN_V4 && olen != TOA_OPT_LEN_V6)
				wrong_len = true;
			else
				return take_option(tcp + i, olen, out);
		}
		i += olen;
	}
	return wrong_len ? TOA_PARSE_MALFORMED : TOA_PARSE_NONE;
}
