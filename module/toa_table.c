// SPDX-License-Identifier: GPL-2.0
/*
 * The private table: socket -> client announced by TOA.
 *
 * Never sk_user_data (sockmap, SUNRPC and SMC own it, and its low bits are
 * flags). Readers walk a bucket under RCU; writers take the bucket lock
 * with interrupts off, because entries are added and removed from probe
 * handlers, which may run in any context. An entry remembers a fingerprint
 * of the network peer it was made for, so a socket address that was freed
 * and reused without our destructor probe seeing it is detected as stale.
 */
#define pr_fmt(fmt) "TOA: " fmt

#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/inet_sock.h>
#include <net/sock.h>

#include "toa_param.h"
#include "toa_stats.h"
#include "toa_table.h"

struct toa_entry {
	struct hlist_node node;
	const struct sock *sk;
	struct rcu_head rcu;
	struct in6_addr addr;
	u32 fingerprint;
	__be16 port;
	u8 family;
};

struct toa_bucket {
	spinlock_t lock;	/* writers of this bucket's list */
	struct hlist_head head;
};

static struct toa_bucket *toa_buckets;
static unsigned int toa_bucket_bits;
static struct kmem_cache *toa_cache;
static atomic_t toa_live = ATOMIC_INIT(0);

/* The peer as the network sees it: the load balancer's address and port. */
static u32 toa_fingerprint(const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);
	u32 words[4];

#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		memcpy(words, &sk->sk_v6_daddr, sizeof(words));
		return jhash2(words, 4, (__force u32)inet->inet_dport);
	}
#endif
	words[0] = (__force u32)inet->inet_daddr;
	return jhash_1word(words[0], (__force u32)inet->inet_dport);
}

static struct toa_bucket *toa_bucket_of(const struct sock *sk)
{
	return &toa_buckets[hash_ptr(sk, toa_bucket_bits)];
}

static void toa_entry_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(toa_cache, container_of(head, struct toa_entry, rcu));
	toa_count(TOA_ENTRIES_FREED);
}

/* Caller holds the bucket lock. */
static void toa_entry_unlink(struct toa_entry *e)
{
	hlist_del_rcu(&e->node);
	atomic_dec(&toa_live);
	call_rcu(&e->rcu, toa_entry_free_rcu);
}

static struct toa_entry *toa_find(struct toa_bucket *b, const struct sock *sk)
{
	struct toa_entry *e;

	hlist_for_each_entry_rcu(e, &b->head, node, true)
		if (e->sk == sk)
			return e;
	return NULL;
}

bool toa_table_add(const struct sock *sk, const struct toa_peer *peer)
{
	struct toa_bucket *b = toa_bucket_of(sk);
	struct toa_entry *e, *old;
	unsigned long flags;

	if (atomic_inc_return(&toa_live) > toa_param_max_entries()) {
		atomic_dec(&toa_live);
		toa_count(TOA_TABLE_FULL);
		return false;
	}
	e = kmem_cache_alloc(toa_cache, GFP_ATOMIC);
	if (!e) {
		atomic_dec(&toa_live);
		toa_count(TOA_TABLE_FULL);
		return false;
	}
	e->sk = sk;
	e->addr = peer->addr;
	e->port = peer->port;
	e->family = peer->family;
	e->fingerprint = toa_fingerprint(sk);
	toa_count(TOA_ENTRIES_ALLOCATED);

	spin_lock_irqsave(&b->lock, flags);
	old = toa_find(b, sk);	/* a reused socket address */
	if (old)
		toa_entry_unlink(old);
	hlist_add_head_rcu(&e->node, &b->head);
	spin_unlock_irqrestore(&b->lock, flags);
	return true;
}

enum toa_lookup toa_table_lookup(const struct sock *sk, struct toa_peer *peer)
{
	struct toa_entry *e;
	enum toa_lookup ret = TOA_LOOKUP_NONE;

	if (!atomic_read(&toa_live))
		return TOA_LOOKUP_NONE;
	rcu_read_lock();
	e = toa_find(toa_bucket_of(sk), sk);
	if (e) {
		if (e->fingerprint == toa_fingerprint(sk)) {
			peer->addr = e->addr;
			peer->port = e->port;
			peer->family = e->family;
			ret = TOA_LOOKUP_FOUND;
		} else {
			ret = TOA_LOOKUP_STALE;
		}
	}
	rcu_read_unlock();
	if (ret == TOA_LOOKUP_STALE)
		toa_table_remove(sk);
	return ret;
}

void toa_table_remove(const struct sock *sk)
{
	struct toa_bucket *b;
	struct toa_entry *e;
	unsigned long flags;

	if (!atomic_read(&toa_live))	/* the common case: nothing to do */
		return;
	b = toa_bucket_of(sk);
	spin_lock_irqsave(&b->lock, flags);
	e = toa_find(b, sk);
	if (e)
		toa_entry_unlink(e);
	spin_unlock_irqrestore(&b->lock, flags);
}

unsigned int toa_table_live(void)
{
	return atomic_read(&toa_live);
}

int toa_table_init(void)
{
	unsigned int n, i;

	/* about 8 entries per bucket at the bound, within sane limits */
	n = clamp_t(unsigned int, toa_param_max_entries() / 8, 256, 32768);
	toa_bucket_bits = ilog2(roundup_pow_of_two(n));
	n = 1U << toa_bucket_bits;

	toa_cache = KMEM_CACHE(toa_entry, 0);
	if (!toa_cache)
		return -ENOMEM;
	toa_buckets = kvmalloc_array(n, sizeof(*toa_buckets), GFP_KERNEL);
	if (!toa_buckets) {
		kmem_cache_destroy(toa_cache);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		spin_lock_init(&toa_buckets[i].lock);
		INIT_HLIST_HEAD(&toa_buckets[i].head);
	}
	return 0;
}

/* Called once the probes are gone: nobody adds or looks up any more. */
void toa_table_exit(void)
{
	unsigned int i, n = 1U << toa_bucket_bits;

	for (i = 0; i < n; i++) {
		struct toa_bucket *b = &toa_buckets[i];
		struct hlist_node *tmp;
		struct toa_entry *e;
		unsigned long flags;

		spin_lock_irqsave(&b->lock, flags);
		hlist_for_each_entry_safe(e, tmp, &b->head, node)
			toa_entry_unlink(e);
		spin_unlock_irqrestore(&b->lock, flags);
	}
	rcu_barrier();	/* every toa_entry_free_rcu has run */
	kvfree(toa_buckets);
	toa_buckets = NULL;
	kmem_cache_destroy(toa_cache);
	toa_cache = NULL;
}
