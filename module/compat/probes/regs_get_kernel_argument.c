// SPDX-License-Identifier: GPL-2.0
/* Can a probe handler read a function's arguments from pt_regs? */
#include <linux/ptrace.h>

unsigned long toa_probe(struct pt_regs *regs);
unsigned long toa_probe(struct pt_regs *regs)
{
	return regs_get_kernel_argument(regs, 1);
}
