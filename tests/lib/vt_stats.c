/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_stats.c - /proc/net/toa_stats snapshots; see vt_stats.h.
 */
#include "vt_stats.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "toa_uapi.h"

int vt_stats_read(struct vt *vt, struct vt_stats *st)
{
	char line[256];
	FILE *f = fopen(TOA_STATS_FILE, "re");

	if (!f)
		return vt_fail(vt, "%s missing (%s): module not loaded?", TOA_STATS_FILE,
			       strerror(errno));
	st->n = 0;
	while (fgets(line, sizeof(line), f) && st->n < VT_STATS_MAX) {
		char name[40];
		long long v;

		if (sscanf(line, "%39s %lld", name, &v) != 2)
			continue;
		snprintf(st->name[st->n], sizeof(st->name[0]), "%s", name);
		st->value[st->n++] = v;
	}
	fclose(f);
	if (!st->n)
		return vt_fail(vt, "%s has no \"name value\" lines", TOA_STATS_FILE);
	return 0;
}

long long vt_stat_get(const struct vt_stats *st, const char *name)
{
	int i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->name[i], name))
			return st->value[i];
	return -1;
}

int vt_expect_delta(struct vt *vt, const struct vt_stats *a, const struct vt_stats *b,
		    const char *name, long long min)
{
	long long x = vt_stat_get(a, name), y = vt_stat_get(b, name);

	if (x < 0 || y < 0)
		return vt_fail(vt, "counter %s missing from %s", name, TOA_STATS_FILE);
	if (y - x < min)
		return vt_fail(vt, "counter %s moved by %lld (%lld -> %lld), want at least %lld",
			       name, y - x, x, y, min);
	return 0;
}

int vt_expect_delta_eq(struct vt *vt, const struct vt_stats *a, const struct vt_stats *b,
		       const char *name, long long want)
{
	long long x = vt_stat_get(a, name), y = vt_stat_get(b, name);

	if (x < 0 || y < 0)
		return vt_fail(vt, "counter %s missing", name);
	if (y - x != want)
		return vt_fail(vt, "counter %s moved by %lld, want %lld", name, y - x, want);
	return 0;
}

int vt_wait_live_zero(struct vt *vt, int ms)
{
	struct vt_stats st;
	int waited = 0;

	for (;;) {
		long long live, alloc, freed;

		if (vt_stats_read(vt, &st))
			return -1;
		live = vt_stat_get(&st, "entries_live");
		alloc = vt_stat_get(&st, "entries_allocated");
		freed = vt_stat_get(&st, "entries_freed");
		if (live < 0 || alloc < 0 || freed < 0)
			return vt_fail(vt, "entries_live/allocated/freed missing from %s",
				       TOA_STATS_FILE);
		if (live == 0 && alloc == freed)
			return 0;
		if (waited >= ms)
			return vt_fail(vt,
				       "after %d ms: entries_live %lld, allocated %lld, freed %lld",
				       waited, live, alloc, freed);
		usleep(100000);
		waited += 100;
	}
}

void vt_stats_dump(void)
{
	char line[256];
	FILE *f = fopen(TOA_STATS_FILE, "re");

	if (!f) {
		printf("# %s: %s\n", TOA_STATS_FILE, strerror(errno));
		return;
	}
	printf("# %s:\n", TOA_STATS_FILE);
	while (fgets(line, sizeof(line), f))
		printf("#   %s", line);
	fclose(f);
}
