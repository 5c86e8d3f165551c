// SPDX-License-Identifier: GPL-2.0
/* Can an ftrace callback read arguments without saving every register? */
#include <linux/ftrace.h>

unsigned long toa_probe(struct ftrace_regs *fregs);
unsigned long toa_probe(struct ftrace_regs *fregs)
{
	return ftrace_regs_get_argument(fregs, 1);
}
