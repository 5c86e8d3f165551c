// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters.
 *
 * Counters are bumped with this_cpu_inc(), which is safe with preemption
 * on. toa_proc.c sums them for /proc/net/toa_stats.
 */
#define pr_fmt(fmt) "TOA: " fmt

#include <linux/percpu.h>

#include "toa_stats.h"

struct toa_cpu_stats __percpu *toa_stats;

static const char *const toa_counter_names[TOA_NR_COUNTERS] = {
	[TOA_SYN_RECV_SOCK_TOA]		= "syn_recv_sock_toa",
	[TOA_SYN_RECV_SOCK_NO_TOA]	= "syn_recv_sock_no_toa",
	[TOA_LEARNT_SYN]		= "toa_from_syn",
	[TOA_LEARNT_ACK]		= "toa_from_ack",
	[TOA_LEARNT_DATA]		= "toa_from_data",
	[TOA_SYN_COOKIE_LOST]		= "syn_cookie_toa_lost",
	[TOA_GETNAME_OK]		= "getname_toa_ok",
	[TOA_GETNAME_MISMATCH]		= "getname_toa_mismatch",
	[TOA_GETNAME_BYPASS]		= "getname_toa_bypass",
	[TOA_GETNAME_EMPTY]		= "getname_toa_empty",
	[TOA_GETNAME_KERNEL_SOCK]	= "getname_kernel_sock",
	[TOA_UNTRUSTED]			= "untrusted",
	[TOA_MALFORMED]			= "malformed",
	[TOA_BAD_CLIENT]		= "bad_client",
	[TOA_EXID_SKIPPED]		= "exid_skipped",
	[TOA_TABLE_FULL]		= "table_full",
	[TOA_NO_MEMORY]			= "no_memory",
	[TOA_NAT64_LOOKUP]		= "nat64_lookup",
	[TOA_ENTRIES_ALLOCATED]		= "entries_allocated",
	[TOA_ENTRIES_FREED]		= "entries_freed",
	[TOA_ENTRIES_EXPIRED]		= "entries_expired",
};

u64 toa_stats_sum(enum toa_counter c)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(toa_stats, cpu)->c[c];
	return sum;
}

const char *toa_stats_name(enum toa_counter c)
{
	return toa_counter_names[c];
}

int toa_stats_init(void)
{
	toa_stats = alloc_percpu(struct toa_cpu_stats);
	return toa_stats ? 0 : -ENOMEM;
}

void toa_stats_exit(void)
{
	free_percpu(toa_stats);
	toa_stats = NULL;
}
