/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the module is attached to the kernel: ftrace callbacks at function
 * entry, one tracepoint, and for getname a redirect through a wrapper (or
 * a kretprobe where the redirect cannot be had).
 */
#ifndef TOA_ATTACH_H
#define TOA_ATTACH_H

#include <linux/types.h>

int toa_attach_init(void);
void toa_attach_exit(void);

/* kretprobe instances per probe; 0 when no kretprobe is used. */
int toa_attach_maxactive(void);
/*
 * Calls the attachment @i missed (a kretprobe out of instances; ftrace
 * callbacks miss none), and its function's name; false past the last.
 */
bool toa_attach_missed(unsigned int i, const char **name, unsigned long *n);

#endif /* TOA_ATTACH_H */
