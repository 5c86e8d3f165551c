// SPDX-License-Identifier: GPL-2.0
/*
 * The reserve of table entries. Objects come from one kmem_cache; the
 * reserve holds up to TOA_POOL_HIGH of them, and a work item tops it up
 * whenever a taker leaves fewer than TOA_POOL_LOW.
 */
#define pr_fmt(fmt) "TOA: " fmt

#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "toa_pool.h"

/*
 * 512 objects of 64 bytes: 32 KiB kept ready, several milliseconds of a
 * fast balancer's new connections between two refills.
 */
#define TOA_POOL_HIGH	512
#define TOA_POOL_LOW	256

static struct kmem_cache *toa_pool_cache;
static DEFINE_RAW_SPINLOCK(toa_pool_lock);
static void *toa_pool_slot[TOA_POOL_HIGH];
static unsigned int toa_pool_count;	/* under toa_pool_lock */
static bool toa_pool_closing;		/* no refill once exit began */

static void toa_pool_refill(struct work_struct *work)
{
	unsigned long flags;

	for (;;) {
		void *obj;
		bool full;

		raw_spin_lock_irqsave(&toa_pool_lock, flags);
		full = toa_pool_count >= TOA_POOL_HIGH || toa_pool_closing;
		raw_spin_unlock_irqrestore(&toa_pool_lock, flags);
		if (full)
			return;
		obj = kmem_cache_alloc(toa_pool_cache, GFP_KERNEL);
		if (!obj)
			return;	/* takers count what they miss */
		raw_spin_lock_irqsave(&toa_pool_lock, flags);
		if (toa_pool_count < TOA_POOL_HIGH && !toa_pool_closing) {
			toa_pool_slot[toa_pool_count++] = obj;
			obj = NULL;
		}
		raw_spin_unlock_irqrestore(&toa_pool_lock, flags);
		if (obj) {
			kmem_cache_free(toa_pool_cache, obj);
			return;
		}
	}
}

static DECLARE_WORK(toa_pool_work, toa_pool_refill);

void *toa_pool_get(void)
{
	unsigned long flags;
	void *obj = NULL;
	bool low;

	raw_spin_lock_irqsave(&toa_pool_lock, flags);
	if (toa_pool_count)
		obj = toa_pool_slot[--toa_pool_count];
	low = toa_pool_count < TOA_POOL_LOW && !toa_pool_closing;
	raw_spin_unlock_irqrestore(&toa_pool_lock, flags);
	if (low)
		queue_work(system_wq, &toa_pool_work);
	if (!obj && !IS_ENABLED(CONFIG_PREEMPT_RT))
		obj = kmem_cache_alloc(toa_pool_cache, GFP_ATOMIC | __GFP_NOWARN);
	return obj;
}

void toa_pool_free(void *obj)
{
	kmem_cache_free(toa_pool_cache, obj);
}

int toa_pool_init(size_t object_size)
{
	toa_pool_cache = kmem_cache_create("toa_entry", object_size, 0, 0,
					   NULL);
	if (!toa_pool_cache)
		return -ENOMEM;
	toa_pool_closing = false;
	toa_pool_refill(NULL);	/* ready before the first connection */
	return 0;
}

void toa_pool_exit(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&toa_pool_lock, flags);
	toa_pool_closing = true;
	raw_spin_unlock_irqrestore(&toa_pool_lock, flags);
	cancel_work_sync(&toa_pool_work);
	while (toa_pool_count)
		kmem_cache_free(toa_pool_cache, toa_pool_slot[--toa_pool_count]);
	kmem_cache_destroy(toa_pool_cache);
	toa_pool_cache = NULL;
}
