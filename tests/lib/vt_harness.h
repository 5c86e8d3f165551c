/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_harness.h - scenarios: how a test program declares them and how they
 * are run.
 *
 * A scenario is a function int fn(struct vt *vt) (0: passed; -1: failed,
 * with the reason from vt_fail()) registered next to it:
 *
 *	VT_SCENARIO(ipv6_toa, .order = KT_IPV6_TOA, .needs_module = true);
 *
 * The registration lands in the ELF section "vt_scenarios"; vt_run() finds
 * every one between __start_vt_scenarios and __stop_vt_scenarios, whatever
 * file it is in. The run order is the .order field (ascending; two
 * scenarios of one program may not share one), never the link order.
 *
 * A fixture, given by the other fields, is set up before the function and
 * taken down after it, whatever it returned, in this order:
 *
 *	.load		load the module with defaults unless it is loaded
 *	.keep_param	read this module parameter; written back afterwards
 *	.sysctl		write .value to .path; the old value back afterwards
 *	.listener	a listener of that kind: vt->fx.lfd, vt->fx.port
 *	.sessions	that many session slots vt->fx.s[]; after a pass the
 *			ones with an accepted socket left are closed orderly
 *			(a failed close fails the scenario), then all aborted
 *	.setup		the program's own set-up (may set vt->fx.data);
 *	.teardown	its take-down, run even when .setup failed (and when
 *			there is no .setup)
 *	.clear_trusted	afterwards: trusted_sources emptied
 *	.reload_default	afterwards: the module loaded with its defaults
 *
 * A set-up step that fails fails the scenario (its function does not run);
 * a take-down step that fails fails it only when it had passed.
 */
#ifndef VT_HARNESS_H
#define VT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include "vt_core.h"
#include "vt_net.h"

struct vt_scenario {
	const char *name; /* NULL for a case table: the cases name themselves */
	int (*run)(struct vt *vt);
	unsigned int order; /* run order, ascending */
	bool needs_module;  /* FAIL at once with --no-module */
	bool cli;	    /* runs toa-check: exists only with --toa-check */
	const void *arg;    /* vt->arg while it runs */
	/* VT_SCENARIO_CASES: one scenario per entry, in table order */
	const void *cases;
	size_t n_cases, case_size;
	/* the fixture, see above */
	bool load;
	const char *keep_param;
	struct {
		const char *path, *value;
	} sysctl;
	enum vt_lsn listener;
	int sessions;
	int (*setup)(struct vt *vt);
	void (*teardown)(struct vt *vt);
	bool clear_trusted;
	bool reload_default;
};

#define VT_REGISTER_(id, ...)                                             \
	static const struct vt_scenario vt_scenario_##id = {__VA_ARGS__}; \
	static const struct vt_scenario *const vt_scenario_ptr_##id       \
		__attribute__((used, section("vt_scenarios"))) = &vt_scenario_##id

/* the scenario @fn, run by the function of that name */
#define VT_SCENARIO(fn, ...)	    VT_REGISTER_(fn, .name = #fn, .run = fn, __VA_ARGS__)
/* the scenario @id, run by @fn (a function several scenarios share, told
 * apart by .arg or by their fixtures) */
#define VT_SCENARIO_AS(id, fn, ...) VT_REGISTER_(id, .name = #id, .run = fn, __VA_ARGS__)
/*
 * One scenario per entry of the array @table, all run by @fn with vt->arg
 * pointing at the entry; each is named by the entry's first member,
 * "const char *name", and they run one after the other in table order at
 * the place .order gives.
 */
#define VT_SCENARIO_CASES(fn, table, ...)                                                      \
	_Static_assert(__builtin_offsetof(__typeof__((table)[0]), name) == 0,                  \
		       #table " entries must start with their name");                          \
	VT_REGISTER_(fn##_cases, .run = fn, .cases = (table), .n_cases = VT_ARRAY_SIZE(table), \
		     .case_size = sizeof((table)[0]), __VA_ARGS__)

/* What a program puts around its scenarios. */
struct vt_prog {
	const char *tun_name;	/* the TUN device vt_run() sets up */
	const char *tun_module; /* tun.ko to load if there is no TUN */
	/* before the first scenario that runs; nonzero: "FAIL setup" */
	int (*before_first)(struct vt *vt, const char *name);
	/* after each scenario, before its PASS/FAIL line */
	void (*after_each)(struct vt *vt, const char *name, double seconds);
	/* after the last, before the "N passed, N failed" line */
	void (*after_all)(struct vt *vt);
	const char *fail_suffix; /* appended to every FAIL line */
};

/* --list: the names in run order (cli scenarios only with vt->toa_check) */
void vt_list(const struct vt *vt);
/* does the comma-separated list @only name at least one scenario? */
bool vt_only_matches(const struct vt *vt, const char *only);
/*
 * Set up the network, run the scenarios @only names (NULL: all), one
 * "PASS <name>[: <note>]" or "FAIL <name>: <reason>" line each, then
 * "N passed, N failed". Returns the exit code: 0 when all passed.
 */
int vt_run(struct vt *vt, const struct vt_prog *p, const char *only);

#endif /* VT_HARNESS_H */
