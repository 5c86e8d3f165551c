/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The probes on the TCP stack.
 */
#ifndef TOA_HOOK_H
#define TOA_HOOK_H

#include <linux/types.h>

int toa_hook_init(void);
void toa_hook_exit(void);

int toa_hook_maxactive(void);
/* nmissed of probe @i into *@name / *@n; false past the last */
bool toa_hook_nmissed(unsigned int i, const char **name, unsigned long *n);

#endif /* TOA_HOOK_H */
