/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The figures of the rounds: each metric's values, printed as raw lines
 * and as a median with its spread ((max - min) / median). Under icount
 * the spread is a few tenths of a percent at most.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_MAX_METRICS 48

struct metric {
	char name[32];
	double v[BENCH_MAX_ROUNDS];
	int n;
};

static struct metric metrics[BENCH_MAX_METRICS];
static int n_metrics;

void bench_record(const char *name, int round, double value)
{
	struct metric *m = NULL;
	int i;

	for (i = 0; i < n_metrics; i++)
		if (!strcmp(metrics[i].name, name))
			m = &metrics[i];
	if (!m) {
		if (n_metrics == BENCH_MAX_METRICS)
			return;
		m = &metrics[n_metrics++];
		snprintf(m->name, sizeof(m->name), "%s", name);
	}
	if (m->n < BENCH_MAX_ROUNDS)
		m->v[m->n++] = value;
	printf("BENCH-R %s %d %.1f\n", name, round + 1, value);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void bench_report(int rounds)
{
	int i;

	for (i = 0; i < n_metrics; i++) {
		struct metric *m = &metrics[i];
		double s[BENCH_MAX_ROUNDS], med;

		memcpy(s, m->v, sizeof(double) * (size_t)m->n);
		qsort(s, (size_t)m->n, sizeof(double), cmp_double);
		med = m->n % 2 ? s[m->n / 2] : (s[m->n / 2 - 1] + s[m->n / 2]) / 2;
		printf("BENCH-M %s median=%.1f min=%.1f max=%.1f spread=%.2f%% rounds=%d/%d\n",
		       m->name, med, s[0], s[m->n - 1],
		       med > 0 ? 100.0 * (s[m->n - 1] - s[0]) / med : 0.0, m->n, rounds);
	}
}
