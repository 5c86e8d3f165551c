// SPDX-License-Identifier: GPL-2.0
/*
 * Load and unload.
 *
 * The units, each with its header, import each other as a tree:
 *   toa_main -> toa_proc, toa_attach, toa_sockopt
 *   toa_attach (how: ftrace, tracepoint, kretprobe) -> toa_hook (what)
 *   toa_hook, toa_sockopt -> toa_table, toa_tuple
 *   toa_table -> toa_pool, toa_stats, toa_param -> toa_cidr, toa_opt
 * (toa_opt and toa_cidr are pure C, shared with user space), and compat/
 * holds every difference between kernels.
 *
 * Parts start in the order they are needed and stop in reverse; a failure
 * undoes what was done and returns its negative errno. The attachments
 * start last (nothing reaches the module before) and stop first (nothing
 * reaches it after, and no getname is left in a wrapper), then one RCU
 * grace period passes and every entry left is freed (toa_table_exit).
 */
#define pr_fmt(fmt) "TOA: " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/rcupdate.h>

#include "toa_attach.h"
#include "toa_opt.h"
#include "toa_param.h"
#include "toa_proc.h"
#include "toa_sockopt.h"
#include "toa_stats.h"
#include "toa_table.h"
#include "toa_tuple.h"

#ifndef TOA_VERSION
#error "TOA_VERSION comes from the VERSION file through Kbuild"
#endif

static int __init toa_init(void)
{
	char kinds[4 * TOA_MAX_KINDS];
	int err;

	err = toa_stats_init();
	if (err)
		goto fail;
	toa_tuple_init();
	err = toa_table_init();
	if (err)
		goto undo_stats;
	err = toa_sockopt_init();
	if (err)
		goto undo_table;
	err = toa_proc_init();
	if (err)
		goto undo_sockopt;
	err = toa_attach_init();
	if (err)
		goto undo_proc;

	rcu_read_lock_sched();
	toa_kinds_format(toa_param_kinds(), kinds, sizeof(kinds));
	rcu_read_unlock_sched();
	pr_info("toa loaded (version %s, option kinds %s)\n", TOA_VERSION,
		kinds);
	return 0;

undo_proc:
	toa_proc_exit();
undo_sockopt:
	toa_sockopt_exit();
undo_table:
	toa_table_exit();
undo_stats:
	toa_stats_exit();
fail:
	pr_err("toa not loaded: error %d\n", err);
	return err;
}

static void __exit toa_exit(void)
{
	toa_attach_exit();
	toa_proc_exit();
	toa_sockopt_exit();
	toa_table_exit();
	toa_stats_exit();
	pr_info("toa unloaded\n");
}

module_init(toa_init);
module_exit(toa_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(TOA_VERSION);
MODULE_DESCRIPTION("TCP Option Address: show the client a load balancer announces in a TCP option");
MODULE_AUTHOR("toa-dkms developers");
