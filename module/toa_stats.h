/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU event counters. Everyone bumps them; only toa_proc.c reads them.
 */
#ifndef TOA_STATS_H
#define TOA_STATS_H

#include <linux/types.h>

enum toa_counter {
	TOA_SYN_RECV_SOCK_TOA,
	TOA_SYN_RECV_SOCK_NO_TOA,
	TOA_GETNAME_OK,
	TOA_GETNAME_MISMATCH,
	TOA_GETNAME_BYPASS,
	TOA_GETNAME_EMPTY,
	TOA_UNTRUSTED,
	TOA_MALFORMED,
	TOA_BAD_CLIENT,
	TOA_EXID_SKIPPED,
	TOA_TABLE_FULL,
	TOA_NAT64_LOOKUP,
	TOA_ENTRIES_ALLOCATED,
	TOA_ENTRIES_FREED,
	TOA_NR_COUNTERS
};

/* Count one event; any context, preemption on or off. */
void toa_count(enum toa_counter c);
/* The sum over every CPU, and the counter's name in /proc/net/toa_stats. */
u64 toa_stats_sum(enum toa_counter c);
const char *toa_stats_name(enum toa_counter c);

int toa_stats_init(void);
void toa_stats_exit(void);

#endif /* TOA_STATS_H */
