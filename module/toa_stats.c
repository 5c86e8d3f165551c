// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters, summed into /proc/net/toa_stats.
 *
 * Counters are bumped with this_cpu_inc(), which is safe with preemption
 * on. The file exists in every network namespace (containers read
 * /proc/net of their own namespace) and shows the module-wide values.
 */
#define pr_fmt(fmt) "TOA: " fmt

#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "toa.h"

struct toa_cpu_stats {
	u64 c[TOA_NR_COUNTERS];
};

static struct toa_cpu_stats __percpu *toa_stats;

static const char *const toa_counter_names[TOA_NR_COUNTERS] = {
	[TOA_SYN_RECV_SOCK_TOA]		= "syn_recv_sock_toa",
	[TOA_SYN_RECV_SOCK_NO_TOA]	= "syn_recv_sock_no_toa",
	[TOA_GETNAME_OK]		= "getname_toa_ok",
	[TOA_GETNAME_MISMATCH]		= "getname_toa_mismatch",
	[TOA_GETNAME_BYPASS]		= "getname_toa_bypass",
	[TOA_GETNAME_EMPTY]		= "getname_toa_empty",
	[TOA_UNTRUSTED]			= "untrusted",
	[TOA_MALFORMED]			= "malformed",
	[TOA_BAD_CLIENT]		= "bad_client",
	[TOA_EXID_SKIPPED]		= "exid_skipped",
	[TOA_TABLE_FULL]		= "table_full",
	[TOA_NAT64_LOOKUP]		= "nat64_lookup",
	[TOA_ENTRIES_ALLOCATED]		= "entries_allocated",
	[TOA_ENTRIES_FREED]		= "entries_freed",
};

void toa_count(enum toa_counter c)
{
	this_cpu_inc(toa_stats->c[c]);
}

static u64 toa_sum(enum toa_counter c)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(toa_stats, cpu)->c[c];
	return sum;
}

static int toa_stats_show(struct seq_file *seq, void *v)
{
	const char *name;
	unsigned long missed;
	unsigned int i;

	for (i = 0; i < TOA_NR_COUNTERS; i++)
		seq_printf(seq, "%-30s %llu\n", toa_counter_names[i],
			   toa_sum(i));
	seq_printf(seq, "%-30s %u\n", "entries_live", toa_table_live());
	seq_printf(seq, "%-30s %u\n", "max_entries", toa_param_max_entries());
	seq_printf(seq, "%-30s %d\n", "maxactive", toa_hook_maxactive());
	for (i = 0; toa_hook_nmissed(i, &name, &missed); i++)
		seq_printf(seq, "nmissed_%-22s %lu\n", name, missed);
	return 0;
}

static int __net_init toa_stats_net_init(struct net *net)
{
	if (!proc_create_single("toa_stats", 0444, net->proc_net,
				toa_stats_show))
		return -ENOMEM;
	return 0;
}

static void __net_exit toa_stats_net_exit(struct net *net)
{
	remove_proc_entry("toa_stats", net->proc_net);
}

static struct pernet_operations toa_stats_net_ops = {
	.init = toa_stats_net_init,
	.exit = toa_stats_net_exit,
};

int toa_stats_init(void)
{
	int err;

	toa_stats = alloc_percpu(struct toa_cpu_stats);
	if (!toa_stats)
		return -ENOMEM;
	err = register_pernet_subsys(&toa_stats_net_ops);
	if (err) {
		free_percpu(toa_stats);
		toa_stats = NULL;
	}
	return err;
}

void toa_stats_exit(void)
{
	unregister_pernet_subsys(&toa_stats_net_ops);
	free_percpu(toa_stats);
	toa_stats = NULL;
}
