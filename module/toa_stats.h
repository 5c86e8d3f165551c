/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU event counters. Everyone bumps them; only toa_proc.c reads them.
 */
#ifndef TOA_STATS_H
#define TOA_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>

enum toa_counter {
	TOA_SYN_RECV_SOCK_TOA,		/* connections a client was learnt for */
	TOA_SYN_RECV_SOCK_NO_TOA,	/* connections completed without any TOA */
	TOA_LEARNT_SYN,			/* ... the client came with the SYN */
	TOA_LEARNT_ACK,			/* ... with the bare handshake ACK */
	TOA_LEARNT_DATA,		/* ... with the segment that completed it */
	TOA_SYN_COOKIE_LOST,		/* SYN-only TOA of a SYN-cookie handshake */
	TOA_GETNAME_OK,
	TOA_GETNAME_MISMATCH,
	TOA_GETNAME_BYPASS,
	TOA_GETNAME_EMPTY,
	TOA_GETNAME_KERNEL_SOCK,	/* sockets of in-kernel servers, untouched */
	TOA_UNTRUSTED,
	TOA_MALFORMED,
	TOA_BAD_CLIENT,
	TOA_EXID_SKIPPED,
	TOA_TABLE_FULL,
	TOA_NO_MEMORY,
	TOA_NAT64_LOOKUP,
	TOA_ENTRIES_ALLOCATED,
	TOA_ENTRIES_FREED,
	TOA_ENTRIES_EXPIRED,		/* unclaimed entries of lost handshakes */
	TOA_NR_COUNTERS
};

struct toa_cpu_stats {
	u64 c[TOA_NR_COUNTERS];
};

extern struct toa_cpu_stats __percpu *toa_stats;

/* Count one event; any context, preemption on or off. */
static inline void toa_count(enum toa_counter c)
{
	this_cpu_inc(toa_stats->c[c]);
}
/* The sum over every CPU, and the counter's name in /proc/net/toa_stats. */
u64 toa_stats_sum(enum toa_counter c);
const char *toa_stats_name(enum toa_counter c);

int toa_stats_init(void);
void toa_stats_exit(void);

#endif /* TOA_STATS_H */
