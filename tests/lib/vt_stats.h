/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_stats.h - the module's counters in /proc/net/toa_stats ("name value"
 * lines), read into a snapshot and compared between two snapshots.
 */
#ifndef VT_STATS_H
#define VT_STATS_H

#include "vt_core.h"

#define VT_STATS_MAX 48

struct vt_stats {
	int n;
	char name[VT_STATS_MAX][40];
	long long value[VT_STATS_MAX];
};

/* 0, or vt_fail() with "module not loaded?" when the file is absent */
int vt_stats_read(struct vt *vt, struct vt_stats *st);
long long vt_stat_get(const struct vt_stats *st, const char *name); /* -1: absent */
/* fail unless @name moved by at least @min from @a to @b */
int vt_expect_delta(struct vt *vt, const struct vt_stats *a, const struct vt_stats *b,
		    const char *name, long long min);
/* fail unless @name moved by exactly @want from @a to @b */
int vt_expect_delta_eq(struct vt *vt, const struct vt_stats *a, const struct vt_stats *b,
		       const char *name, long long want);
/* wait up to @ms for entries_live == 0 and entries_allocated == entries_freed */
int vt_wait_live_zero(struct vt *vt, int ms);
void vt_stats_dump(void); /* the file as "# ..." lines on stdout */

#endif /* VT_STATS_H */
