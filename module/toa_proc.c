// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/toa_stats, in every network namespace (containers read
 * /proc/net of their own namespace); it shows the module-wide values.
 *
 * The only file that reads the state of every other unit: the counters,
 * the table, the parameters and the attachments. Nothing reads it back.
 */
#define pr_fmt(fmt) "TOA: " fmt

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "toa_attach.h"
#include "toa_param.h"
#include "toa_proc.h"
#include "toa_stats.h"
#include "toa_table.h"

static int toa_proc_show(struct seq_file *seq, void *v)
{
	const char *name;
	unsigned long missed;
	unsigned int i;

	for (i = 0; i < TOA_NR_COUNTERS; i++)
		seq_printf(seq, "%-30s %llu\n", toa_stats_name(i),
			   toa_stats_sum(i));
	seq_printf(seq, "%-30s %lu\n", "entries_live", toa_table_live());
	seq_printf(seq, "%-30s %u\n", "max_entries", toa_param_max_entries());
	if (toa_attach_maxactive())
		seq_printf(seq, "%-30s %d\n", "maxactive",
			   toa_attach_maxactive());
	for (i = 0; toa_attach_missed(i, &name, &missed); i++)
		seq_printf(seq, "nmissed_%-22s %lu\n", name, missed);
	return 0;
}

static int __net_init toa_proc_net_init(struct net *net)
{
	if (!proc_create_single("toa_stats", 0444, net->proc_net,
				toa_proc_show))
		return -ENOMEM;
	return 0;
}

static void __net_exit toa_proc_net_exit(struct net *net)
{
	remove_proc_entry("toa_stats", net->proc_net);
}

static struct pernet_operations toa_proc_net_ops = {
	.init = toa_proc_net_init,
	.exit = toa_proc_net_exit,
};

int toa_proc_init(void)
{
	return register_pernet_subsys(&toa_proc_net_ops);
}

void toa_proc_exit(void)
{
	unregister_pernet_subsys(&toa_proc_net_ops);
}
