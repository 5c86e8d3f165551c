/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * toa-vmtest - end-to-end test of the toa module inside a test VM.
 *
 *   toa-vmtest --module /lib/modules/toa.ko [--toa-check PATH] [--only a,b] [-v]
 *   toa-vmtest --no-module [--only no_toa]     (development, e.g. unshare -n)
 *   toa-vmtest [--toa-check PATH] --list
 *
 * --toa-check PATH adds the cli_* scenarios, which run that toa-check
 * binary against the real module; without it they are not listed at all.
 *
 * Prints "PASS <name>" or "FAIL <name>: <reason>" per scenario, then
 * "N passed, N failed"; exits 0 only when every selected scenario passed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "kt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: toa-vmtest --module PATH [--tun-module PATH] [--toa-check PATH]\n"
		"                  [--only NAME[,NAME...]] [-v]\n"
		"       toa-vmtest --no-module [--only NAME[,NAME...]] [-v]\n"
		"       toa-vmtest [--toa-check PATH] --list\n");
}

/* the cli_* scenarios exist only when --toa-check was given */
static bool present(const struct vt *vt, const struct scenario *sc)
{
	return !sc->cli || vt->toa_check;
}

int main(int argc, char **argv)
{
	struct vt vt;
	const char *only = NULL, *tun_module = NULL;
	int passed = 0, failed = 0, i;
	size_t k;
	bool first = true, list = false;

	memset(&vt, 0, sizeof(vt));
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--module") && i + 1 < argc) {
			vt.module_path = argv[++i];
		} else if (!strcmp(argv[i], "--tun-module") && i + 1 < argc) {
			tun_module = argv[++i];
		} else if (!strcmp(argv[i], "--toa-check") && i + 1 < argc) {
			vt.toa_check = argv[++i];
		} else if (!strcmp(argv[i], "--no-module")) {
			vt.no_module = true;
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			vt.verbose = true;
		} else if (!strcmp(argv[i], "--list")) {
			list = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "toa-vmtest: unknown or incomplete argument \"%s\"\n",
				argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (list) {
		for (k = 0; k < n_scenarios; k++)
			if (present(&vt, &scenarios[k]))
				printf("%s\n", scenarios[k].name);
		return 0;
	}
	if (!vt.module_path == !vt.no_module) {
		fprintf(stderr, "toa-vmtest: give exactly one of --module PATH and --no-module\n");
		usage(stderr);
		return 2;
	}
	if (only) {
		for (k = 0; k < n_scenarios; k++)
			if (present(&vt, &scenarios[k]) &&
			    vt_selected(only, scenarios[k].name))
				break;
		if (k == n_scenarios) {
			fprintf(stderr, "toa-vmtest: --only %s matches no scenario (see --list)\n",
				only);
			return 2;
		}
	}
	if (vt.toa_check && access(vt.toa_check, X_OK) != 0) {
		fprintf(stderr, "toa-vmtest: cannot execute --toa-check %s: %s\n",
			vt.toa_check, strerror(errno));
		return 2;
	}
	if (vt.toa_check && vt.no_module) {
		fprintf(stderr, "toa-vmtest: --toa-check needs --module\n");
		return 2;
	}
	if (vt.module_path && access(vt.module_path, R_OK) != 0) {
		fprintf(stderr, "toa-vmtest: cannot read module %s: %s\n",
			vt.module_path, strerror(errno));
		return 2;
	}

	if (vt_setup_net(&vt, "toatest0", tun_module)) {
		printf("FAIL setup: %s\n", vt.err);
		printf("0 passed, 1 failed\n");
		return 1;
	}

	for (k = 0; k < n_scenarios; k++) {
		const struct scenario *sc = &scenarios[k];
		int r;

		if (!present(&vt, sc) || !vt_selected(only, sc->name))
			continue;
		/* a partial run (--only) starts with the module loaded */
		if (first && vt.module_path && strcmp(sc->name, "module_loaded") &&
		    !vt_mod_loaded(VT_MODULE_NAME) && vt_load(&vt, "")) {
			printf("FAIL setup: %s\n", vt.err);
			vt_kmsg_dump_toa();
			return 1;
		}
		first = false;
		vt.err[0] = '\0';
		if (sc->needs_module && vt.no_module)
			r = vt_fail(&vt, "needs the toa module (%s absent, --no-module given)",
				    TOA_STATS_FILE);
		else
			r = sc->run(&vt);
		if (r == 0) {
			printf("PASS %s\n", sc->name);
			passed++;
		} else {
			printf("FAIL %s: %s\n", sc->name,
			       vt.err[0] ? vt.err : "(no reason recorded)");
			failed++;
			if (!vt.no_module) {
				vt_stats_dump();
				vt_kmsg_dump_toa();
			}
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	lbsim_tun_close(vt.tun);
	return failed ? 1 : 0;
}
