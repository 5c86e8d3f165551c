// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for the TOA option parser (module/toa_opt.c).
 * Input: byte 0 picks the option kinds, the rest is a TCP header as it
 * arrives. The parser must never read outside the buffer (ASan checks it)
 * and its answer must be consistent with what it reports. With the
 * default kinds on a segment that is not a SYN (what the handshake ACK
 * and data are), it must also give the same outcome, client and port as
 * an independent reading of the contract: toa-stress's oracle
 * (tests/stress/oracle.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "toa_opt.h"

#define TCP_FIXED 20

/* Does the oracle agree with @r/@c on the header @tcp of @len bytes? */
static int oracle_agrees(const uint8_t *tcp, size_t len, enum toa_parse_result r,
			 const struct toa_client *c)
{
	static const enum st_outcome want[] = {
		[TOA_PARSE_NONE] = ST_OUT_NONE,
		[TOA_PARSE_MALFORMED] = ST_OUT_MALFORMED,
		[TOA_PARSE_BAD_CLIENT] = ST_OUT_BAD_CLIENT,
		[TOA_PARSE_V4] = ST_OUT_V4,
		[TOA_PARSE_V6] = ST_OUT_V6,
	};
	size_t end = len < TCP_FIXED ? 0 : (size_t)(tcp[12] >> 4) * 4;
	struct st_expect e;

	if (end > len)
		end = len; /* the option area ends where the bytes do */
	st_oracle(tcp + TCP_FIXED, end > TCP_FIXED ? end - TCP_FIXED : 0, 254, &e);
	if (e.out != want[r])
		return 0;
	if (r != TOA_PARSE_V4 && r != TOA_PARSE_V6)
		return 1;
	return e.port == (c->port[0] << 8 | c->port[1]) &&
		!memcmp(e.addr, c->addr, r == TOA_PARSE_V4 ? 4 : 16);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toa_kinds kinds;
	struct toa_client c;
	enum toa_parse_result r;
	unsigned int bad;
	uint8_t *copy;
	char list[16];

	if (size < 1)
		return 0;
	/* odd: the default list; even: that kind alone (when it is allowed) */
	if (data[0] % 2 || !toa_kind_valid(data[0]))
		strcpy(list, "254,253");
	else
		snprintf(list, sizeof(list), "%u", data[0]);
	if (!toa_kinds_parse(list, strlen(list), &kinds, &bad))
		abort();
	/* an exact-size heap copy, so one byte too far is a reported overflow */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	memset(&c, 0xa5, sizeof(c));
	r = toa_parse_options(copy, size - 1, &kinds, &c);
	switch (r) {
	case TOA_PARSE_V4:
		if (!(kinds.map[c.kind >> 3] & (1u << (c.kind & 7))) || c.family != 4 ||
		    c.addr[0] >= 224 || !(c.addr[0] | c.addr[1] | c.addr[2] | c.addr[3]))
			abort();
		break;
	case TOA_PARSE_V6:
		if (!(kinds.map[c.kind >> 3] & (1u << (c.kind & 7))) || c.family != 6 ||
		    c.addr[0] == 0xff)
			abort();
		break;
	case TOA_PARSE_NONE:
	case TOA_PARSE_MALFORMED:
	case TOA_PARSE_BAD_CLIENT:
		break;
	default:
		abort();
	}
	if (size - 1 < 21 && r != TOA_PARSE_NONE)
		abort(); /* no option byte can be read below 21 bytes */
	if (data[0] % 2 && !(size - 1 > 13 && copy[13] & 0x02) &&
	    !oracle_agrees(copy, size - 1, r, &c)) {
		fprintf(stderr, "opt_fuzz: the parser and the oracle disagree (parser: %d)\n", r);
		abort();
	}
	free(copy);
	return 0;
}
