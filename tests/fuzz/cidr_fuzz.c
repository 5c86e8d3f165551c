// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for the trusted_sources parser (module/toa_cidr.c):
 * whatever a user writes to the parameter, parsing stays in bounds, and
 * a parsed list printed and parsed again gives the same list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toa_cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct toa_cidr_list a, b;
	static char text[TOA_CIDR_TEXT_MAX];
	unsigned int bad = 0;
	char *copy = malloc(size ? size : 1);
	size_t n;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (toa_cidr_parse(copy, size, &a, &bad) == TOA_CIDR_OK) {
		n = toa_cidr_format(&a, text, sizeof(text));
		if (n >= sizeof(text))
			abort();
		if (toa_cidr_parse(text, n, &b, &bad) != TOA_CIDR_OK || a.count != b.count ||
		    memcmp(a.items, b.items, a.count * sizeof(a.items[0])))
			abort();
	} else if (a.count != 0 || bad == 0) {
		abort();
	}
	free(copy);
	return 0;
}
