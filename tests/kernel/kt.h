/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * kt.h - what the files of toa-vmtest share: the scenario table and the
 * toa-check scenarios.
 */
#ifndef KT_H
#define KT_H

#include "vt.h"

struct scenario {
	const char *name;
	int (*run)(struct vt *vt);
	bool needs_module;	/* FAIL at once with --no-module */
	bool cli;		/* runs toa-check: listed only with --toa-check */
};
extern const struct scenario scenarios[];
extern const size_t n_scenarios;

/* ---- toa-check scenarios (cli_scenarios.c) ---- */
int sc_cli_load(struct vt *vt);
int sc_cli_doctor_json(struct vt *vt);
int sc_cli_stats(struct vt *vt);
int sc_cli_selftest(struct vt *vt);
int sc_cli_serve(struct vt *vt);

#endif /* KT_H */
