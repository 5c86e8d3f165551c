// SPDX-License-Identifier: GPL-2.0
/*
 * The secret of the connection keys (the keys themselves are inline in
 * toa_tuple.h: every getpeername() computes one).
 */
#include <linux/random.h>

#include "toa_tuple.h"

u64 toa_tuple_secret __read_mostly;

void toa_tuple_init(void)
{
	toa_tuple_secret = get_random_u64();
}
