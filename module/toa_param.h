/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module parameters, as the other units read them.
 */
#ifndef TOA_PARAM_H
#define TOA_PARAM_H

#include <linux/types.h>

struct toa_kinds;

/* The TOA option kinds; call under rcu_read_lock() (or preemption off). */
const struct toa_kinds *toa_param_kinds(void);
unsigned int toa_param_max_entries(void);
/* Is @addr (4 or 16 bytes per @family) allowed to send TOA? */
bool toa_param_source_trusted(u8 family, const void *addr);

#endif /* TOA_PARAM_H */
