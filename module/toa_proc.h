/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/net/toa_stats: the one reader of every unit's state.
 */
#ifndef TOA_PROC_H
#define TOA_PROC_H

int toa_proc_init(void);
void toa_proc_exit(void);

#endif /* TOA_PROC_H */
