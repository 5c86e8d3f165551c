/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_harness.c - finding, ordering and running the registered scenarios,
 * with their fixtures; see vt_harness.h.
 */
#include "vt_harness.h"
#include "vt_file.h"
#include "vt_kmsg.h"
#include "vt_module.h"
#include "vt_session.h"
#include "vt_stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lbsim.h"
#include "toa_uapi.h"

/* Defined by the linker around the section; weak: a program may have none. */
extern const struct vt_scenario *const __start_vt_scenarios[] __attribute__((weak));
extern const struct vt_scenario *const __stop_vt_scenarios[] __attribute__((weak));

/* one runnable scenario: a registration, or one case of a case table */
struct item {
	const char *name;
	const struct vt_scenario *sc;
	const void *arg;
	size_t index; /* within its case table */
};

static int by_order(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;

	if (a->sc->order != b->sc->order)
		return a->sc->order < b->sc->order ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

static void add(struct item *it, size_t *n, const struct vt_scenario *sc)
{
	size_t i;

	if (!sc->cases) {
		it[(*n)++] = (struct item){sc->name, sc, sc->arg, 0};
		return;
	}
	for (i = 0; i < sc->n_cases; i++) {
		const char *entry = (const char *)sc->cases + i * sc->case_size;

		it[(*n)++] = (struct item){*(const char *const *)entry, sc, entry, i};
	}
}

/* a program whose registrations contradict each other cannot run at all */
static void refuse(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "vt_harness: scenarios %s and %s %s\n", a, b, what);
	exit(2);
}

/* every scenario present in this run (cli ones need --toa-check), in order */
static size_t collect(const struct vt *vt, struct item **out)
{
	const struct vt_scenario *const *p;
	struct item *it;
	size_t n = 0, cap = 0, i, j;

	for (p = __start_vt_scenarios; p && p < __stop_vt_scenarios; p++)
		cap += (*p)->cases ? (*p)->n_cases : 1;
	it = calloc(cap ? cap : 1, sizeof(*it));
	if (!it) {
		fprintf(stderr, "vt_harness: out of memory\n");
		exit(2);
	}
	for (p = __start_vt_scenarios; p && p < __stop_vt_scenarios; p++)
		if (!(*p)->cli || vt->toa_check)
			add(it, &n, *p);
	qsort(it, n, sizeof(*it), by_order);
	for (i = 0; i < n; i++) {
		if (i && it[i].sc != it[i - 1].sc && it[i].sc->order == it[i - 1].sc->order)
			refuse("share one .order", it[i - 1].name, it[i].name);
		for (j = 0; j < i; j++)
			if (!strcmp(it[i].name, it[j].name))
				refuse("share one name", it[j].name, it[i].name);
	}
	*out = it;
	return n;
}

void vt_list(const struct vt *vt)
{
	struct item *it;
	size_t n = collect(vt, &it), i;

	for (i = 0; i < n; i++)
		printf("%s\n", it[i].name);
	free(it);
}

bool vt_only_matches(const struct vt *vt, const char *only)
{
	struct item *it;
	size_t n = collect(vt, &it), i;
	bool any = false;

	for (i = 0; i < n && !any; i++)
		any = vt_selected(only, it[i].name);
	free(it);
	return any;
}

/* ---- fixtures ---- */

/* what the set-up changed, to be put back */
struct saved {
	bool param, sysctl, hooked;
	char param_old[512];
	char sysctl_old[64];
};

static int fixture_up(struct vt *vt, const struct vt_scenario *sc, struct saved *sv)
{
	int err, i;

	if (sc->load && vt_ensure_loaded(vt))
		return -1;
	if (sc->keep_param) {
		err = vt_param_read(sc->keep_param, sv->param_old, sizeof(sv->param_old));
		if (err)
			return vt_fail(vt, "reading %s: %s", sc->keep_param, strerror(-err));
		sv->param = true;
	}
	if (sc->sysctl.path) {
		if (vt_read_file(sc->sysctl.path, sv->sysctl_old, sizeof(sv->sysctl_old)))
			return vt_fail(vt, "cannot read %s", sc->sysctl.path);
		err = vt_write_file(sc->sysctl.path, sc->sysctl.value);
		if (err)
			return vt_fail(vt, "writing %s to %s: %s", sc->sysctl.value,
				       sc->sysctl.path, strerror(-err));
		sv->sysctl = true;
	}
	if (sc->listener) {
		vt->fx.lfd = vt_listener(vt, sc->listener, &vt->fx.port);
		if (vt->fx.lfd < 0)
			return -1;
	}
	if (sc->sessions) {
		vt->fx.s = calloc((size_t)sc->sessions, sizeof(*vt->fx.s));
		if (!vt->fx.s)
			return vt_fail(vt, "out of memory");
		vt->fx.n = sc->sessions;
		for (i = 0; i < vt->fx.n; i++)
			vt->fx.s[i].fd = -1;
	}
	/* from here on .teardown runs, whatever .setup says */
	sv->hooked = true;
	return sc->setup ? sc->setup(vt) : 0;
}

/* @r is the result so far; a failure here counts only when it was 0 */
static int fixture_down(struct vt *vt, const struct vt_scenario *sc, const struct saved *sv, int r)
{
	int err, i;

	if (sv->hooked && sc->teardown)
		sc->teardown(vt);
	for (i = 0; i < vt->fx.n; i++) {
		if (!r && vt->fx.s[i].fd >= 0 && vt_sess_close(vt, &vt->fx.s[i]))
			r = -1;
		vt_sess_abort(&vt->fx.s[i]);
	}
	free(vt->fx.s);
	if (vt->fx.lfd >= 0)
		close(vt->fx.lfd);
	if (sv->sysctl) {
		err = vt_write_file(sc->sysctl.path, sv->sysctl_old);
		if (err && !r)
			r = vt_fail(vt, "restoring %s: %s", sc->sysctl.path, strerror(-err));
	}
	if (sv->param) {
		err = vt_param_write(sc->keep_param, sv->param_old);
		if (err && !r)
			r = vt_fail(vt, "restoring %s %s: %s", sc->keep_param, sv->param_old,
				    strerror(-err));
	}
	if (sc->clear_trusted)
		vt_param_write("trusted_sources", "\n");
	if (sc->reload_default && vt_reload_default(vt) && !r)
		r = -1;
	return r;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run_one(struct vt *vt, const struct item *it)
{
	const struct vt_scenario *sc = it->sc;
	struct saved sv;
	int r;

	memset(&sv, 0, sizeof(sv));
	memset(&vt->fx, 0, sizeof(vt->fx));
	vt->fx.lfd = -1;
	vt->arg = it->arg;
	vt->err[0] = '\0';
	vt->note[0] = '\0';
	if (sc->needs_module && vt->no_module)
		return vt_fail(vt, "needs the toa module (%s absent, --no-module given)",
			       TOA_STATS_FILE);
	r = fixture_up(vt, sc, &sv);
	if (!r)
		r = sc->run(vt);
	return fixture_down(vt, sc, &sv, r);
}

int vt_run(struct vt *vt, const struct vt_prog *p, const char *only)
{
	struct item *it;
	size_t n = collect(vt, &it), k;
	int passed = 0, failed = 0;
	bool first = true;

	if (vt_setup_net(vt, p->tun_name, p->tun_module)) {
		printf("FAIL setup: %s\n", vt->err);
		printf("0 passed, 1 failed\n");
		free(it);
		return 1;
	}
	for (k = 0; k < n; k++) {
		double t0;
		int r;

		if (!vt_selected(only, it[k].name))
			continue;
		if (first && p->before_first && p->before_first(vt, it[k].name)) {
			printf("FAIL setup: %s\n", vt->err);
			vt_kmsg_dump_toa();
			free(it);
			return 1;
		}
		first = false;
		t0 = now();
		r = run_one(vt, &it[k]);
		if (p->after_each)
			p->after_each(vt, it[k].name, now() - t0);
		if (r == 0) {
			printf("PASS %s%s%s\n", it[k].name, vt->note[0] ? ": " : "", vt->note);
			passed++;
			continue;
		}
		printf("FAIL %s: %s%s\n", it[k].name, vt->err[0] ? vt->err : "(no reason recorded)",
		       p->fail_suffix ? p->fail_suffix : "");
		failed++;
		if (!vt->no_module) {
			vt_stats_dump();
			vt_kmsg_dump_toa();
		}
	}
	if (p->after_all)
		p->after_all(vt);
	printf("%d passed, %d failed\n", passed, failed);
	lbsim_tun_close(vt->tun);
	free(it);
	return failed ? 1 : 0;
}
