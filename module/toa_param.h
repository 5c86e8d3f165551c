/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module parameters, as the other units read them.
 */
#ifndef TOA_PARAM_H
#define TOA_PARAM_H

#include <linux/rcupdate.h>
#include <linux/types.h>

struct toa_kinds;

extern struct toa_kinds __rcu *toa_param_kinds_live;

/* The TOA option kinds; call with preemption off (rcu_read_lock_sched()). */
static inline const struct toa_kinds *toa_param_kinds(void)
{
	return rcu_dereference_sched(toa_param_kinds_live);
}
unsigned int toa_param_max_entries(void);
/* Is @addr (4 or 16 bytes per @family) allowed to send TOA? */
bool toa_param_source_trusted(u8 family, const void *addr);

#endif /* TOA_PARAM_H */
