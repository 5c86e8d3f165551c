/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * load.c - cli_load: toa-check load and unload. Parameters are validated
 * before the kernel sees them, "already loaded" is no error (and applies
 * no parameter), what toa-check enable wrote to /etc/modprobe.d is what
 * load applies (read by libkmod, as modprobe reads it), and without
 * --module libkmod finds no toa here.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MODPROBE_CONF "/etc/modprobe.d/toa.conf"
#define MODLOAD_CONF  "/etc/modules-load.d/toa.conf"

static int cli_load(struct vt *vt)
{
	struct cli_out *r = &cli_buf;
	char val[256], line[512];
	int before, after;

	if (vt_mod_loaded(VT_MODULE_NAME) && vt_unload(vt))
		return -1;

	/* a bad parameter is refused before the kernel sees anything */
	before = vt_kmsg_count("TOA: ");
	if (cli_run(vt, r, "load", "--module", vt->module_path, "--param", "option_kind=1", NULL) ||
	    cli_expect_usage_error(vt, r, "option_kind"))
		return -1;
	if (vt_mod_loaded(VT_MODULE_NAME))
		return vt_fail(vt, "%s: toa got loaded", r->cmd);
	if (vt_kmsg_count("TOA: ") != before)
		return vt_fail(vt, "%s: the kernel logged \"TOA: \" lines: the module was tried",
			       r->cmd);
	if (cli_run(vt, r, "load", "--module", vt->module_path, "--param",
		    "trusted_sources=1.2.3.4/40", NULL) ||
	    cli_expect_usage_error(vt, r, "trusted_sources") ||
	    cli_run(vt, r, "load", "--module", "/lib/modules/nonexistent.ko", NULL) ||
	    cli_expect_usage_error(vt, r, "no such file"))
		return -1;

	/* load with a parameter: live, parameter set, kernel log line shown */
	before = vt_kmsg_count("TOA: toa loaded");
	if (cli_run(vt, r, "load", "--module", vt->module_path, "--param",
		    "trusted_sources=" VT_LB_NET4, NULL) ||
	    cli_expect_code(vt, r, 0))
		return -1;
	after = vt_kmsg_count("TOA: toa loaded");
	if (!vt_mod_loaded(VT_MODULE_NAME) || access("/sys/module/toa", F_OK))
		return vt_fail(vt, "%s: exit 0 but toa is not loaded", r->cmd);
	if (after != before + 1)
		return vt_fail(vt, "%s: %d new \"TOA: toa loaded\" kernel lines, want 1", r->cmd,
			       after - before);
	if (vt_param_read("trusted_sources", val, sizeof(val)) || strcmp(val, VT_LB_NET4))
		return vt_fail(vt, "after %s, trusted_sources reads \"%s\", want %s", r->cmd, val,
			       VT_LB_NET4);
	snprintf(line, sizeof(line), CLI_CHECK " %s built for %s", vt->module_path, cli_release());
	if (cli_expect_line(vt, r, line) || cli_expect_line(vt, r, CLI_CHECK " Secure Boot off") ||
	    cli_expect_line(vt, r, "    options given: trusted_sources=" VT_LB_NET4) ||
	    cli_expect_line(vt, r,
			    "    parameters now: option_kinds=" TOA_DEFAULT_KINDS
			    " trusted_sources=" VT_LB_NET4 " max_entries=262144"))
		return -1;
	if (!strstr(r->out, CLI_CHECK " TOA: toa loaded (version "))
		return vt_fail(vt,
			       "%s: output lacks \"" CLI_CHECK
			       " TOA: toa loaded (version ...\": \"%.300s\"",
			       r->cmd, r->out);

	/* again: already loaded is not an error; parameters are not applied */
	if (vt_read_file("/sys/module/toa/version", val, sizeof(val)))
		return vt_fail(vt, "/sys/module/toa/version unreadable");
	snprintf(line, sizeof(line), CLI_CHECK " toa %s is already loaded", val);
	if (cli_run(vt, r, "load", NULL) || cli_expect_code(vt, r, 0) ||
	    cli_expect_line(vt, r, line))
		return -1;
	if (cli_run(vt, r, "load", "--module", vt->module_path, "--param", "max_entries=5", NULL) ||
	    cli_expect_code(vt, r, 0) || cli_expect_line(vt, r, line))
		return -1;
	if (!strstr(r->out, "parameters not applied"))
		return vt_fail(vt, "%s: no \"parameters not applied\" note: \"%.300s\"", r->cmd,
			       r->out);
	if (vt_param_read("max_entries", val, sizeof(val)) || strcmp(val, "262144"))
		return vt_fail(vt, "after %s, max_entries reads \"%s\", want 262144", r->cmd, val);

	/* validated before anything else, also while loaded */
	if (cli_run(vt, r, "load", "--param", "option_kind=1", NULL) ||
	    cli_expect_usage_error(vt, r, "option_kind '1'"))
		return -1;

	/* unload: gone, with its statistics file; twice is fine */
	before = vt_kmsg_count("TOA: toa unloaded");
	if (cli_run(vt, r, "unload", NULL) || cli_expect_code(vt, r, 0) ||
	    cli_expect_line(vt, r, CLI_CHECK " toa unloaded"))
		return -1;
	if (vt_mod_loaded(VT_MODULE_NAME) || access("/sys/module/toa", F_OK) == 0 ||
	    access(TOA_STATS_FILE, F_OK) == 0)
		return vt_fail(vt, "%s: exit 0 but toa is still there", r->cmd);
	if (vt_kmsg_count("TOA: toa unloaded") != before + 1)
		return vt_fail(vt, "%s: no new \"TOA: toa unloaded\" kernel line", r->cmd);
	if (cli_run(vt, r, "unload", NULL) || cli_expect_code(vt, r, 0) ||
	    cli_expect_line(vt, r, CLI_CHECK " toa is not loaded"))
		return -1;

	/* without --module, libkmod finds no toa: nothing in /lib/modules/<release> */
	if (cli_run(vt, r, "load", NULL) || cli_expect_code(vt, r, 1))
		return -1;
	snprintf(line, sizeof(line), CLI_CROSS " no toa module for %s (libkmod finds none)",
		 cli_release());
	if (cli_expect_line(vt, r, line))
		return -1;
	if (vt_mod_loaded(VT_MODULE_NAME))
		return vt_fail(vt, "%s: exit 1 but toa got loaded", r->cmd);

	/* enable's options are what load applies; disable takes them back */
	if ((mkdir("/etc/modprobe.d", 0755) && errno != EEXIST) ||
	    (mkdir("/etc/modules-load.d", 0755) && errno != EEXIST))
		return vt_fail(vt, "mkdir /etc/modprobe.d, /etc/modules-load.d: %s",
			       strerror(errno));
	if (cli_run(vt, r, "enable", "--trusted-sources", VT_LB_NET4, "--max-entries", "5000",
		    NULL) ||
	    cli_expect_code(vt, r, 0) ||
	    cli_run(vt, r, "load", "--module", vt->module_path, NULL) ||
	    cli_expect_code(vt, r, 0) ||
	    cli_expect_line(
		    vt, r,
		    "    options from the configuration: max_entries=5000 trusted_sources=" VT_LB_NET4))
		return -1;
	if (vt_param_read("trusted_sources", val, sizeof(val)) || strcmp(val, VT_LB_NET4))
		return vt_fail(vt, "after enable and %s, trusted_sources reads \"%s\", want %s",
			       r->cmd, val, VT_LB_NET4);
	if (vt_param_read("max_entries", val, sizeof(val)) || strcmp(val, "5000"))
		return vt_fail(vt, "after enable and %s, max_entries reads \"%s\", want 5000",
			       r->cmd, val);
	if (cli_run(vt, r, "unload", NULL) || cli_expect_code(vt, r, 0) ||
	    cli_run(vt, r, "disable", NULL) || cli_expect_code(vt, r, 0))
		return -1;
	if (access(MODPROBE_CONF, F_OK) == 0 || access(MODLOAD_CONF, F_OK) == 0)
		return vt_fail(vt, "%s left %s or %s behind", r->cmd, MODPROBE_CONF, MODLOAD_CONF);

	/* and back, with defaults, for what follows */
	if (cli_run(vt, r, "load", "--module", vt->module_path, NULL) || cli_expect_code(vt, r, 0))
		return -1;
	if (!vt_mod_loaded(VT_MODULE_NAME))
		return vt_fail(vt, "%s: exit 0 but toa is not loaded", r->cmd);
	if (vt_param_read("trusted_sources", val, sizeof(val)) || val[0])
		return vt_fail(vt, "after %s, trusted_sources reads \"%s\", want empty", r->cmd,
			       val);
	return 0;
}

/* a failed run must not leave its configuration to later scenarios */
static void remove_config(struct vt *vt)
{
	(void)vt;
	unlink(MODPROBE_CONF);
	unlink(MODLOAD_CONF);
}

/* toa-check may leave the module unloaded: the defaults are back afterwards */
VT_SCENARIO(cli_load, .order = KT_CLI_LOAD, .needs_module = true, .cli = true,
	    .reload_default = true, .teardown = remove_config);
