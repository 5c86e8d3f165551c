/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_kmsg.h - the kernel log (klogctl), for "the module logged X" checks.
 */
#ifndef VT_KMSG_H
#define VT_KMSG_H

/* how often @needle occurs in the kernel log; -errno on error */
int vt_kmsg_count(const char *needle);
/* the lines mentioning TOA/toa as "# dmesg: ..." on stdout */
void vt_kmsg_dump_toa(void);

#endif /* VT_KMSG_H */
