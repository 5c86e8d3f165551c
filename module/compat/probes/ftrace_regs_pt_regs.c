// SPDX-License-Identifier: GPL-2.0
/*
 * Do the argument registers of an ftrace callback sit in a pt_regs inside
 * struct ftrace_regs, also without FTRACE_OPS_FL_SAVE_REGS (x86 with
 * DYNAMIC_FTRACE_WITH_ARGS before ftrace_regs_get_argument() existed)?
 */
#include <linux/ftrace.h>
#include <linux/ptrace.h>

#if !defined(CONFIG_X86_64) || !defined(CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS)
#error "only x86_64 with DYNAMIC_FTRACE_WITH_ARGS saves arguments there"
#endif

unsigned long toa_probe(struct ftrace_regs *fregs);
unsigned long toa_probe(struct ftrace_regs *fregs)
{
	return regs_get_kernel_argument(&fregs->regs, 1);
}
