// SPDX-License-Identifier: GPL-2.0
/*
 * Is the flag that says "this callback needs no recursion guard from
 * ftrace" called FTRACE_OPS_FL_RECURSION (5.11+; before: _RECURSION_SAFE)?
 */
#include <linux/ftrace.h>

unsigned long toa_probe_flags = FTRACE_OPS_FL_RECURSION;
