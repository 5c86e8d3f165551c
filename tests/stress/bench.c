/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * bench.c - the test bench of hostile_traffic, trusted_flip and
 * unload_race: listeners, a ring of slots that hold accepted connections,
 * and --checkers threads that call getpeername() on whatever the slots
 * hold, in a loop, and compare each answer with what it must be.
 */
#include "st.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- slots and getpeername checkers ---- */

static int slots_init(struct st_slots *ss, int n)
{
	int i;

	ss->v = calloc((size_t)n, sizeof(*ss->v));
	if (!ss->v)
		return -1;
	ss->n = n;
	for (i = 0; i < n; i++) {
		pthread_mutex_init(&ss->v[i].mu, NULL);
		ss->v[i].s.fd = -1;
	}
	return 0;
}

static void slots_free(struct st_slots *ss)
{
	int i;

	if (!ss->v)
		return;
	for (i = 0; i < ss->n; i++) {
		vt_sess_abort(&ss->v[i].s);
		pthread_mutex_destroy(&ss->v[i].mu);
	}
	free(ss->v);
	ss->v = NULL;
}

struct checker_arg {
	struct st_checkers *c;
	unsigned int id;
};

static void *checker_main(void *p)
{
	struct checker_arg *arg = p;
	struct st_checkers *c = arg->c;
	unsigned int at = arg->id * 7919u;
	long calls = 0, bad = 0, gone = 0;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		struct st_slot *sl = &c->ss->v[at++ % (unsigned int)c->ss->n];
		char peer[128];

		pthread_mutex_lock(&sl->mu);
		if (sl->s.fd >= 0) {
			int err = vt_peer_of(sl->s.fd, peer, sizeof(peer));

			calls++;
			if (err == -ENOTCONN) {
				gone++;
			} else if (strcmp(peer, sl->want) &&
				   (!sl->alt[0] || strcmp(peer, sl->alt))) {
				bad++;
				pthread_mutex_lock(&c->mu);
				if (!c->first_bad[0])
					snprintf(c->first_bad, sizeof(c->first_bad),
						 "connection %ld: getpeername gave %s, want %s%s%s",
						 sl->conn, peer, sl->want, sl->alt[0] ? " or " : "",
						 sl->alt);
				pthread_mutex_unlock(&c->mu);
			}
		}
		pthread_mutex_unlock(&sl->mu);
		if ((at & 63) == 0)
			sched_yield();
	}
	__atomic_add_fetch(&c->calls, calls, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->bad, bad, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->gone, gone, __ATOMIC_RELAXED);
	free(arg);
	return NULL;
}

static int checkers_start(struct st_checkers *c, struct st_slots *ss, int n)
{
	int i;

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	c->ss = ss;
	c->tid = calloc((size_t)(n ? n : 1), sizeof(*c->tid));
	if (!c->tid)
		return -1;
	for (i = 0; i < n; i++) {
		struct checker_arg *arg = malloc(sizeof(*arg));

		if (!arg)
			return -1;
		arg->c = c;
		arg->id = (unsigned int)i;
		if (pthread_create(&c->tid[i], NULL, checker_main, arg)) {
			free(arg);
			return -1;
		}
		c->n++;
	}
	return 0;
}

int st_checkers_stop(struct vt *vt, struct st_checkers *c)
{
	int i;

	__atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < c->n; i++)
		pthread_join(c->tid[i], NULL);
	free(c->tid);
	c->tid = NULL;
	pthread_mutex_destroy(&c->mu);
	if (c->bad)
		return vt_fail(vt, "%ld of %ld concurrent getpeername answers wrong; first: %s",
			       c->bad, c->calls, c->first_bad);
	return 0;
}

int st_slot_close(struct vt *vt, struct st_slot *sl, unsigned int how)
{
	struct vt_session s;

	pthread_mutex_lock(&sl->mu);
	s = sl->s;
	sl->s.fd = -1;
	pthread_mutex_unlock(&sl->mu);
	if (s.fd < 0)
		return 0;
	return st_close(vt, &s, how);
}

void st_slot_put(struct st_slot *sl, const struct vt_session *s, const char *want, const char *alt,
		 long conn)
{
	pthread_mutex_lock(&sl->mu);
	sl->s = *s;
	snprintf(sl->want, sizeof(sl->want), "%s", want);
	snprintf(sl->alt, sizeof(sl->alt), "%s", alt ? alt : "");
	sl->conn = conn;
	pthread_mutex_unlock(&sl->mu);
}

int st_close_all(struct vt *vt, struct st_slots *ss, struct st_rng *r)
{
	int i;

	for (i = 0; i < ss->n; i++)
		if (st_slot_close(vt, &ss->v[i], st_rng_below(r, 3)))
			return vt_fail(vt, "closing slot %d: %s", i, strdupa(vt->err));
	return 0;
}

/* ---- the fixture ---- */

static struct st_bench bench; /* one scenario at a time */

int st_bench_setup(struct vt *vt)
{
	const struct st_bench_spec *spec = vt->arg;
	const struct st_opts *o = vt->opts;
	int i;

	memset(&bench, 0, sizeof(bench));
	bench.ck.stop = 1; /* nothing to stop yet */
	for (i = 0; i < 3; i++)
		bench.l[i].fd = -1;
	vt->fx.data = &bench;
	for (i = 0; i < 3 && spec->kinds[i]; i++, bench.n_l++) {
		bench.l[i].kind = spec->kinds[i];
		bench.l[i].fd = vt_listener(vt, spec->kinds[i], &bench.l[i].port);
		if (bench.l[i].fd < 0)
			return -1;
	}
	if (slots_init(&bench.ss, spec->slots))
		return vt_fail(vt, "out of memory");
	if (checkers_start(&bench.ck, &bench.ss, o->checkers))
		return vt_fail(vt, "cannot start getpeername threads");
	return 0;
}

void st_bench_teardown(struct vt *vt)
{
	int i;

	if (!bench.ck.stop)
		st_checkers_stop(vt, &bench.ck);
	slots_free(&bench.ss);
	for (i = 0; i < bench.n_l; i++)
		if (bench.l[i].fd >= 0)
			close(bench.l[i].fd);
}
