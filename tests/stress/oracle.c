/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * oracle.c - the outcome the contract gives for an option area (oracle.h).
 */
#include "oracle.h"

#include <string.h>

const char *const st_outcome_names[ST_OUT_COUNT] = {
	[ST_OUT_NONE] = "no_toa",
	[ST_OUT_MALFORMED] = "malformed",
	[ST_OUT_BAD_CLIENT] = "bad_client",
	[ST_OUT_V4] = "toa_v4",
	[ST_OUT_V6] = "toa_v6",
};

/* ---- the oracle ---- */

static bool usable(const uint8_t *a, bool v6)
{
	size_t i, n = v6 ? 16 : 4;

	if (v6 ? a[0] == 0xff : a[0] >= 224)
		return false;
	for (i = 0; i < n; i++)
		if (a[i])
			return true;
	return false;
}

void st_oracle(const uint8_t *opt, size_t len, uint8_t toa_kind, struct st_expect *e)
{
	bool wrong_len = false;
	size_t i = 0;

	memset(e, 0, sizeof(*e));
	e->out = ST_OUT_NONE;
	while (i < len) {
		uint8_t k = opt[i], l;

		if (k == 0) /* end of option list */
			break;
		if (k == 1) { /* no-operation */
			i++;
			continue;
		}
		if (len - i < 2) { /* a kind without its length byte */
			e->out = ST_OUT_MALFORMED;
			return;
		}
		l = opt[i + 1];
		if (l < 2 || l > len - i) {
			e->out = ST_OUT_MALFORMED;
			return;
		}
		/*
		 * These options ride on the handshake's ACK: the module skips
		 * an RFC 6994 experiment ID (0xf989, a TFO cookie) only on a
		 * SYN, so here 0xf989 and 0xeb9f are plain TOA ports. The module
		 * reads both kinds of its default option_kinds, 254 and 253.
		 */
		if (k == toa_kind || k == ST_KIND2) {
			/* another length: skipped, malformed if nothing else */
			if (l != 8 && l != 20) {
				wrong_len = true;
				i += l;
				continue;
			}
			e->port = (uint16_t)(opt[i + 2] << 8 | opt[i + 3]);
			memcpy(e->addr, opt + i + 4, l - 4u);
			e->out = !usable(e->addr, l == 20) ? ST_OUT_BAD_CLIENT
				: l == 20		   ? ST_OUT_V6
							   : ST_OUT_V4;
			return;
		}
		i += l;
	}
	if (wrong_len)
		e->out = ST_OUT_MALFORMED;
}

bool st_strict_reject(const uint8_t *opt, size_t len, size_t minlen)
{
	size_t i = 0, left = len;

	if (!minlen)
		return false;
	while (left >= minlen) {
		uint8_t k = opt[i++], l;

		if (k == 0)
			return false;
		if (k == 1) {
			left--;
			continue;
		}
		l = opt[i++];
		if (l < 2 || l > left)
			return true;
		i += l - 2u;
		left -= l;
	}
	return false;
}
