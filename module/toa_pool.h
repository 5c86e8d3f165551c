/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Table entries for the packet hooks, which run with preemption off: on
 * PREEMPT_RT no allocator may be called there. A reserve of preallocated
 * objects is taken from under a raw spinlock and refilled from process
 * context; kernels without PREEMPT_RT fall back to GFP_ATOMIC when it is
 * empty.
 */
#ifndef TOA_POOL_H
#define TOA_POOL_H

#include <linux/types.h>

int toa_pool_init(size_t object_size);
/* Every object taken was freed (toa_pool_free) before this is called. */
void toa_pool_exit(void);

/* An object, or NULL (counted by the caller); any context. */
void *toa_pool_get(void);
/* Give back an object (RCU callbacks of the table call this). */
void toa_pool_free(void *obj);

#endif /* TOA_POOL_H */
