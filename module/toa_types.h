/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Fixed-width types for the pure C files (toa_opt.c,
 * toa_cidr.c), which are compiled both into the kernel module and into
 * user-space tests, and therefore include no kernel headers themselves.
 */
#ifndef TOA_TYPES_H
#define TOA_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/stddef.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

#endif /* TOA_TYPES_H */
