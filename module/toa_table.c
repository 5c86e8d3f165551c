// SPDX-License-Identifier: GPL-2.0
/*
 * The private table: connection key -> client announced by TOA.
 *
 * Never sk_user_data (sockmap, SUNRPC and SMC own it, and its low bits are
 * flags). Readers walk a bucket under RCU without a lock (with preemption
 * off, which every hook runs with: rcu_read_lock_sched(), an inline
 * counter, where rcu_read_lock() is a call on preemptible kernels); the
 * grace periods of call_rcu() wait for such readers too. Writers take the
 * bucket's raw spinlock with interrupts off, because entries are added and
 * dropped from hooks that run in any context with preemption off (also on
 * PREEMPT_RT). Entries come from toa_pool.c and go back there after a
 * grace period.
 *
 * An entry nobody claimed (toa_table_lookup with claim) belongs to a
 * handshake that may never complete; the collector drops such entries
 * once they are TOA_UNCLAIMED_TTL old. A claimed entry lives until its
 * socket is destroyed.
 */
#define pr_fmt(fmt) "TOA: " fmt

#include <linux/build_bug.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "toa_param.h"
#include "toa_pool.h"
#include "toa_stats.h"
#include "toa_table.h"

/*
 * A handshake does not last this long (SYN-ACK retries: about 63 s by
 * default, TCP_DEFER_ACCEPT a few more).
 */
#define TOA_UNCLAIMED_TTL	(10 * 60 * HZ)
#define TOA_GC_PERIOD		(60 * HZ)

struct toa_entry {
	struct toa_entry __rcu *next;
	struct rcu_head rcu;
	u64 key;
	const struct sock *owner;	/* NULL until a socket claims it */
	struct in6_addr addr;
	__be16 port;
	u8 family;
	u8 from;			/* enum toa_from */
	u32 born;			/* jiffies, for the collector */
};
static_assert(sizeof(struct toa_entry) <= 64);

struct toa_bucket {
	raw_spinlock_t lock;		/* writers of this bucket's list */
	struct toa_entry __rcu *head;
};

static struct toa_bucket *toa_buckets;
static unsigned int toa_bucket_bits;

/*
 * Live entries without a global atomic per add: each CPU keeps a delta and
 * folds it into the base once it reaches TOA_LIVE_BATCH either way.
 */
#define TOA_LIVE_BATCH	32
static DEFINE_PER_CPU(long, toa_live_delta);
static atomic_long_t toa_live_base;

static void toa_live_add(long d)
{
	long v = this_cpu_add_return(toa_live_delta, d);

	if ((v >= TOA_LIVE_BATCH || v <= -TOA_LIVE_BATCH) &&
	    this_cpu_cmpxchg(toa_live_delta, v, 0) == v)
		atomic_long_add(v, &toa_live_base);
}

unsigned long toa_table_live(void)
{
	long sum = atomic_long_read(&toa_live_base);
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(toa_live_delta, cpu);
	return sum > 0 ? sum : 0;
}

/* Room for one more? Exact only near the bound. */
static bool toa_live_below(unsigned long max)
{
	long slack = (long)TOA_LIVE_BATCH * num_possible_cpus();

	if (atomic_long_read(&toa_live_base) + slack < (long)max)
		return true;
	return toa_table_live() < max;
}

static struct toa_bucket *toa_bucket_of(u64 key)
{
	return &toa_buckets[key >> (64 - toa_bucket_bits)];
}

static void toa_entry_free_rcu(struct rcu_head *head)
{
	toa_pool_free(container_of(head, struct toa_entry, rcu));
	toa_count(TOA_ENTRIES_FREED);
}

/* Caller holds the bucket lock; *@pp points at @e. */
static void toa_unlink(struct toa_bucket *b, struct toa_entry __rcu **pp,
		       struct toa_entry *e)
{
	rcu_assign_pointer(*pp, rcu_dereference_protected(e->next,
			   lockdep_is_held(&b->lock)));
	toa_live_add(-1);
	call_rcu(&e->rcu, toa_entry_free_rcu);
}

/* Under RCU: the entry of @key. */
static struct toa_entry *toa_find_rcu(struct toa_bucket *b, u64 key)
{
	struct toa_entry *e;

	for (e = rcu_dereference_sched(b->head); e;
	     e = rcu_dereference_sched(e->next))
		if (e->key == key)
			return e;
	return NULL;
}

/* Under the bucket lock: the link that points at @key's entry, or NULL. */
static struct toa_entry __rcu **toa_find_locked(struct toa_bucket *b, u64 key)
{
	struct toa_entry __rcu **pp = &b->head;
	struct toa_entry *e;

	while ((e = rcu_dereference_protected(*pp, lockdep_is_held(&b->lock)))) {
		if (e->key == key)
			return pp;
		pp = &e->next;
	}
	return NULL;
}

static bool toa_has_key(struct toa_bucket *b, u64 key)
{
	bool found;

	rcu_read_lock_sched();
	found = toa_find_rcu(b, key);
	rcu_read_unlock_sched();
	return found;
}

/* A filled, unlinked entry, or NULL with *@why set and counted. */
static struct toa_entry *toa_entry_new(u64 key, const struct toa_peer *peer,
				       enum toa_from from, enum toa_record *why)
{
	struct toa_entry *e;

	if (!toa_live_below(toa_param_max_entries())) {
		toa_count(TOA_TABLE_FULL);
		*why = TOA_RECORD_FULL;
		return NULL;
	}
	e = toa_pool_get();
	if (!e) {
		toa_count(TOA_NO_MEMORY);
		*why = TOA_RECORD_NO_MEMORY;
		return NULL;
	}
	e->key = key;
	e->owner = NULL;
	e->addr = peer->addr;
	e->port = peer->port;
	e->family = peer->family;
	e->from = from;
	e->born = (u32)jiffies;
	return e;
}

/* Caller holds the bucket lock. */
static void toa_link(struct toa_bucket *b, struct toa_entry *e)
{
	RCU_INIT_POINTER(e->next, rcu_dereference_protected(b->head,
			 lockdep_is_held(&b->lock)));
	rcu_assign_pointer(b->head, e);
	toa_live_add(1);
	toa_count(TOA_ENTRIES_ALLOCATED);
}

enum toa_record toa_table_new_conn(u64 key, const struct toa_peer *peer)
{
	struct toa_bucket *b = toa_bucket_of(key);
	enum toa_record res = TOA_RECORD_KEPT;
	struct toa_entry __rcu **pp;
	struct toa_entry *e = NULL;
	unsigned long flags;

	/* The common case: a SYN without TOA, and nothing left for it. */
	if (!peer && !toa_has_key(b, key))
		return TOA_RECORD_KEPT;
	if (peer) {
		e = toa_entry_new(key, peer, TOA_FROM_SYN, &res);
		if (e)
			res = TOA_RECORD_ADDED;
	}
	/* Whatever happened to the new one, an old client must go. */
	raw_spin_lock_irqsave(&b->lock, flags);
	while ((pp = toa_find_locked(b, key)))
		toa_unlink(b, pp, rcu_dereference_protected(*pp,
			   lockdep_is_held(&b->lock)));
	if (e)
		toa_link(b, e);
	raw_spin_unlock_irqrestore(&b->lock, flags);
	return res;
}

enum toa_record toa_table_add(u64 key, const struct toa_peer *peer,
			      enum toa_from from)
{
	struct toa_bucket *b = toa_bucket_of(key);
	enum toa_record res;
	struct toa_entry *e;
	unsigned long flags;
	bool kept;

	if (toa_has_key(b, key))
		return TOA_RECORD_KEPT;		/* the first client wins */
	e = toa_entry_new(key, peer, from, &res);
	if (!e)
		return res;
	raw_spin_lock_irqsave(&b->lock, flags);
	kept = toa_find_locked(b, key);	/* another CPU was faster */
	if (!kept)
		toa_link(b, e);
	raw_spin_unlock_irqrestore(&b->lock, flags);
	if (kept) {
		toa_pool_free(e);
		return TOA_RECORD_KEPT;
	}
	return TOA_RECORD_ADDED;
}

bool toa_table_has(u64 key)
{
	return toa_has_key(toa_bucket_of(key), key);
}

enum toa_lookup toa_table_lookup(const struct sock *sk, u64 key,
				 struct toa_peer *peer, bool claim)
{
	enum toa_lookup ret = TOA_LOOKUP_NONE;
	const struct sock *owner;
	struct toa_entry *e;

	rcu_read_lock_sched();
	e = toa_find_rcu(toa_bucket_of(key), key);
	if (e) {
		owner = READ_ONCE(e->owner);
		if (!owner && claim)
			owner = cmpxchg(&e->owner, NULL, sk) ?: sk;
		if (owner && owner != sk) {
			ret = TOA_LOOKUP_STALE;
		} else {
			peer->addr = e->addr;
			peer->port = e->port;
			peer->family = e->family;
			ret = TOA_LOOKUP_FOUND;
		}
	}
	rcu_read_unlock_sched();
	return ret;
}

void toa_table_forget(const struct sock *sk, u64 key)
{
	struct toa_bucket *b = toa_bucket_of(key);
	struct toa_entry __rcu **pp;
	const struct sock *owner;
	struct toa_entry *e;
	unsigned long flags;

	/* Lock-free first: most sockets have no entry. */
	rcu_read_lock_sched();
	e = toa_find_rcu(b, key);
	owner = e ? READ_ONCE(e->owner) : NULL;
	rcu_read_unlock_sched();
	if (!e || (owner && owner != sk))
		return;

	raw_spin_lock_irqsave(&b->lock, flags);
	pp = toa_find_locked(b, key);
	if (pp) {
		e = rcu_dereference_protected(*pp, lockdep_is_held(&b->lock));
		owner = READ_ONCE(e->owner);
		if (!owner || owner == sk)
			toa_unlink(b, pp, e);
	}
	raw_spin_unlock_irqrestore(&b->lock, flags);
}

/* ---- the collector of unclaimed entries ---- */

static void toa_gc(struct work_struct *work);
static DECLARE_DELAYED_WORK(toa_gc_work, toa_gc);

static void toa_gc_bucket(struct toa_bucket *b, u32 now)
{
	struct toa_entry __rcu **pp = &b->head;
	struct toa_entry *e;
	unsigned long flags;

	raw_spin_lock_irqsave(&b->lock, flags);
	while ((e = rcu_dereference_protected(*pp, lockdep_is_held(&b->lock)))) {
		if (!READ_ONCE(e->owner) &&
		    (s32)(now - e->born) > (s32)TOA_UNCLAIMED_TTL) {
			toa_unlink(b, pp, e);
			toa_count(TOA_ENTRIES_EXPIRED);
			continue;	/* *pp is the next one now */
		}
		pp = &e->next;
	}
	raw_spin_unlock_irqrestore(&b->lock, flags);
}

static void toa_gc(struct work_struct *work)
{
	unsigned int i, n = 1U << toa_bucket_bits;
	u32 now = (u32)jiffies;

	for (i = 0; i < n; i++) {
		if (rcu_access_pointer(toa_buckets[i].head))
			toa_gc_bucket(&toa_buckets[i], now);
		if (!(i % 1024))
			cond_resched();
	}
	schedule_delayed_work(&toa_gc_work, TOA_GC_PERIOD);
}

int toa_table_init(void)
{
	unsigned int n, i;
	int err;

	/* about 8 entries per bucket at the bound, within sane limits */
	n = clamp_t(unsigned int, toa_param_max_entries() / 8, 256, 32768);
	toa_bucket_bits = ilog2(roundup_pow_of_two(n));
	n = 1U << toa_bucket_bits;

	err = toa_pool_init(sizeof(struct toa_entry));
	if (err)
		return err;
	toa_buckets = kvmalloc_array(n, sizeof(*toa_buckets), GFP_KERNEL);
	if (!toa_buckets) {
		toa_pool_exit();
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		raw_spin_lock_init(&toa_buckets[i].lock);
		RCU_INIT_POINTER(toa_buckets[i].head, NULL);
	}
	atomic_long_set(&toa_live_base, 0);
	schedule_delayed_work(&toa_gc_work, TOA_GC_PERIOD);
	return 0;
}

/* Called once the hooks are gone: nobody adds or looks up any more. */
void toa_table_exit(void)
{
	unsigned int i, n = 1U << toa_bucket_bits;

	cancel_delayed_work_sync(&toa_gc_work);
	for (i = 0; i < n; i++) {
		struct toa_bucket *b = &toa_buckets[i];
		struct toa_entry *e;
		unsigned long flags;

		raw_spin_lock_irqsave(&b->lock, flags);
		while ((e = rcu_dereference_protected(b->head,
						      lockdep_is_held(&b->lock))))
			toa_unlink(b, &b->head, e);
		raw_spin_unlock_irqrestore(&b->lock, flags);
	}
	rcu_barrier();	/* every toa_entry_free_rcu has run */
	kvfree(toa_buckets);
	toa_buckets = NULL;
	toa_pool_exit();
}
