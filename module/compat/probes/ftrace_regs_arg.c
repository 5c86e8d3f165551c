// SPDX-License-Identifier: GPL-2.0
/* Do ftrace callbacks get struct ftrace_regs (5.11+) rather than pt_regs? */
#include <linux/ftrace.h>

static void toa_probe_cb(unsigned long ip, unsigned long parent_ip,
			 struct ftrace_ops *op, struct ftrace_regs *fregs)
{
}

ftrace_func_t toa_probe_func;
ftrace_func_t toa_probe_func = toa_probe_cb;
