// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Find the TOA option in a TCP header.
 *
 * Pure C: compiled into the kernel module, the unit tests and the fuzzer.
 * Every read is bounded by min(len, data offset * 4).
 */
#include "toa_opt.h"

#define TCP_FIXED_LEN	20
#define TCPOPT_EOL	0
#define TCPOPT_NOP	1

/* RFC 6994 experiment IDs in use with the shared experimental kinds */
#define EXID_TFO	0xF989
#define EXID_BPF	0xEB9F

bool toa_kind_valid(unsigned int kind)
{
	switch (kind) {
	case 2:	/* MSS */
	case 3:	/* window scale */
	case 4:	/* SACK permitted */
	case 5:	/* SACK */
	case 8:	/* timestamps */
		return false;
	default:
		return kind >= 2 && kind <= 255;
	}
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
	if (!client_usable(out))
		return TOA_PARSE_BAD_CLIENT;
	return out->family == 4 ? TOA_PARSE_V4 : TOA_PARSE_V6;
}

enum toa_parse_result toa_parse_options(const uint8_t *tcp, size_t len,
					uint8_t kind, struct toa_client *out)
{
	size_t end, i;

	out->exid_skipped = false;
	if (len < TCP_FIXED_LEN)
		return TOA_PARSE_NONE;
	end = (size_t)(tcp[12] >> 4) * 4;
	if (end > len)
		end = len;

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
		if (okind == kind) {
			unsigned int exid = olen >= 4 ?
				(unsigned int)tcp[i + 2] << 8 | tcp[i + 3] : 0;

			if (exid == EXID_TFO || exid == EXID_BPF) {
				out->exid_skipped = true;
			} else if (olen == TOA_OPT_LEN_V4 ||
				   olen == TOA_OPT_LEN_V6) {
				return take_option(tcp + i, olen, out);
			} else {
				return TOA_PARSE_MALFORMED;
			}
		}
		i += olen;
	}
	return TOA_PARSE_NONE;
}
