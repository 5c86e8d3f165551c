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
 *
 * The scenarios are the VT_SCENARIO() registrations of the files here
 * (one per topic, the toa-check ones in cli/); kt.h gives their order.
 */
#include "kt.h"

#include <errno.h>
#include <stdio.h>
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

/* a partial run (--only) starts with the module loaded */
static int load_first(struct vt *vt, const char *name)
{
	if (vt->module_path && strcmp(name, "module_loaded") && !vt_mod_loaded(VT_MODULE_NAME))
		return vt_load(vt, "");
	return 0;
}

int main(int argc, char **argv)
{
	struct vt vt;
	struct vt_prog prog = {
		.tun_name = "toatest0",
		.before_first = load_first,
	};
	const char *only = NULL;
	bool list = false;
	int i;

	memset(&vt, 0, sizeof(vt));
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--module") && i + 1 < argc) {
			vt.module_path = argv[++i];
		} else if (!strcmp(argv[i], "--tun-module") && i + 1 < argc) {
			prog.tun_module = argv[++i];
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
		vt_list(&vt);
		return 0;
	}
	if (!vt.module_path == !vt.no_module) {
		fprintf(stderr, "toa-vmtest: give exactly one of --module PATH and --no-module\n");
		usage(stderr);
		return 2;
	}
	if (only && !vt_only_matches(&vt, only)) {
		fprintf(stderr, "toa-vmtest: --only %s matches no scenario (see --list)\n", only);
		return 2;
	}
	if (vt.toa_check && access(vt.toa_check, X_OK) != 0) {
		fprintf(stderr, "toa-vmtest: cannot execute --toa-check %s: %s\n", vt.toa_check,
			strerror(errno));
		return 2;
	}
	if (vt.toa_check && vt.no_module) {
		fprintf(stderr, "toa-vmtest: --toa-check needs --module\n");
		return 2;
	}
	if (vt.module_path && access(vt.module_path, R_OK) != 0) {
		fprintf(stderr, "toa-vmtest: cannot read module %s: %s\n", vt.module_path,
			strerror(errno));
		return 2;
	}
	return vt_run(&vt, &prog, only);
}
