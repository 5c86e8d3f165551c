/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Many connections at once: the table with 10 000 live entries, and the
 * memory an entry costs (from the toa_entry slab), back to 0 after close.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "bench.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct bench_live {
	int n;
	struct vt_session s[];
};

struct bench_live *bench_live_open(struct bench *b, int phase, int n)
{
	uint8_t o[LBSIM_MAX_OPTLEN];
	size_t olen = lbsim_toa_v4(o, 254, &b->vt.client4, VT_CLIENT_PORT);
	struct bench_live *l = calloc(1, sizeof(*l) + sizeof(l->s[0]) * n);
	struct in_addr lb = bench_lb(b);
	int i;

	if (!l) {
		vt_fail(&b->vt, "out of memory for %d connections", n);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		struct vt_session *s = &l->s[i];
		int err;

		s->fd = -1;
		l->n = i + 1;
		lbsim_tun_flush(b->vt.tun);
		err = lbsim_conn_init(&s->c, b->vt.tun, AF_INET, &lb, 0, &b->vt.srv4, b->lport);
		if (!err)
			err = lbsim_connect(&s->c, NULL, 0, phase == PH_C ? o : NULL,
					    phase == PH_C ? olen : 0, VT_TIMEOUT_MS);
		if (err) {
			vt_fail(&b->vt, "connection %d of %d: %s", i + 1, n, strerror(-err));
			goto bad;
		}
		s->fd = accept4(b->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (s->fd < 0) {
			vt_fail(&b->vt, "accept %d: %s", i + 1, strerror(errno));
			goto bad;
		}
		/* the emulator keeps no state for these: drain what it got */
		if (i % 64 == 63) {
			uint8_t buf[2048];

			while (read(lbsim_tun_fd(b->vt.tun), buf, sizeof(buf)) > 0)
				;
		}
	}
	return l;
bad:
	bench_live_close(b, l);
	return NULL;
}

void bench_live_close(struct bench *b, struct bench_live *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->s[i].c.established && !l->s[i].c.reset)
			lbsim_reset(&l->s[i].c);
	usleep(1000);
	for (i = 0; i < l->n; i++)
		if (l->s[i].fd >= 0)
			close(l->s[i].fd);
	free(l);
	(void)b;
}

/* First number of /sys/kernel/slab/toa_entry/@attr, -1 when absent. */
static long slab_attr(const char *attr)
{
	char path[128], buf[256];

	snprintf(path, sizeof(path), "/sys/kernel/slab/toa_entry/%s", attr);
	if (vt_read_file(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

int bench_memory(struct bench *b, int n)
{
	long page = sysconf(_SC_PAGESIZE), order, per_slab, before, open;
	struct bench_live *l;
	struct vt_stats st;
	long long live;

	if (vt_wait_live_zero(&b->vt, 10000))
		return -1;
	before = slab_attr("objects");
	l = bench_live_open(b, PH_C, n);
	if (!l)
		return -1;
	open = slab_attr("objects");
	if (vt_stats_read(&b->vt, &st)) {
		bench_live_close(b, l);
		return -1;
	}
	live = vt_stat_get(&st, "entries_live");
	bench_live_close(b, l);
	order = slab_attr("order");
	per_slab = slab_attr("objs_per_slab");
	if (before < 0 || order < 0 || per_slab <= 0)
		return vt_fail(&b->vt, "no /sys/kernel/slab/toa_entry (SLUB merged the cache?)");
	printf("BENCH-MEM live=%lld of %d object_size=%ld bytes_per_entry=%.1f cache_objects_per_entry=%.3f\n",
	       live, n, slab_attr("object_size"), (double)(page << order) / (double)per_slab,
	       (double)(open - before) / n);
	if (live != n)
		return vt_fail(&b->vt, "entries_live %lld with %d TOA connections open", live, n);
	return vt_wait_live_zero(&b->vt, 10000);
}
