// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for the TOA option parser (module/toa_opt.c).
 * Input: byte 0 picks the option kind, the rest is a TCP header as it
 * arrives. The parser must never read outside the buffer (ASan checks it)
 * and its answer must be consistent with what it reports.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toa_opt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toa_client c;
	enum toa_parse_result r;
	uint8_t kind, *copy;

	if (size < 1)
		return 0;
	kind = data[0] % 2 ? 254 : data[0];
	/* an exact-size heap copy, so one byte too far is a reported overflow */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	memset(&c, 0xa5, sizeof(c));
	r = toa_parse_options(copy, size - 1, kind, &c);
	switch (r) {
	case TOA_PARSE_V4:
		if (c.family != 4 || c.addr[0] >= 224 ||
		    !(c.addr[0] | c.addr[1] | c.addr[2] | c.addr[3]))
			abort();
		break;
	case TOA_PARSE_V6:
		if (c.family != 6 || c.addr[0] == 0xff)
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
		abort();	/* no option byte can be read below 21 bytes */
	free(copy);
	return 0;
}
