/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * selftest.c - cli_selftest: toa-check selftest with the module loaded
 * (the client comes through), with trusted_sources excluding its load
 * balancer (ignored as untrusted) and with the module unloaded (a
 * documented failure); it leaves no network device behind.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static int count_netdevs(void)
{
	FILE *f = fopen("/proc/net/dev", "re");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strchr(line, ':') != NULL;
	fclose(f);
	return n;
}

static int cli_selftest(struct vt *vt)
{
	struct cli_out *r = &cli_buf;
	struct vt_stats a, b;
	int devs = count_netdevs();

	/* module loaded, trusted_sources empty: the client comes through */
	if (vt_param_write("trusted_sources", "\n") || vt_stats_read(vt, &a))
		return vt_fail(vt, "preparing: %s", vt->err[0] ? vt->err : "trusted_sources");
	if (cli_run(vt, r, "selftest", NULL) || cli_expect_code(vt, r, 0) ||
	    cli_expect_line(
		    vt, r,
		    CLI_CHECK
		    " IPv4: accept() returned 203.0.113.7:4321, the client in the TOA option") ||
	    cli_expect_line(vt, r, CLI_CHECK " IPv4: getpeername() returned 203.0.113.7:4321") ||
	    cli_expect_line(
		    vt, r,
		    CLI_CHECK
		    " IPv6: accept() returned [2001:db8:c11e::7]:4321, the client in the TOA option") ||
	    cli_expect_line(vt, r,
			    CLI_CHECK " IPv6: getpeername() returned [2001:db8:c11e::7]:4321") ||
	    cli_expect_line(vt, r, CLI_CHECK " IPv4: syn_recv_sock_toa +1") ||
	    cli_expect_line(vt, r, CLI_CHECK " IPv6: syn_recv_sock_toa +1") ||
	    cli_expect_line(vt, r, "selftest passed"))
		return -1;
	if (cli_count_lines_starting(r->out, CLI_CROSS) || cli_count_lines_starting(r->out, "! "))
		return vt_fail(vt, "%s: " CLI_CROSS " or ! lines: \"%.600s\"", r->cmd, r->out);
	if (!strstr(r->out, CLI_CHECK " IPv4: sock_diag shows the network peer 198.51.100.2:") ||
	    !strstr(r->out, CLI_CHECK " IPv6: sock_diag shows the network peer [2001:db8:7fa::2]:"))
		return vt_fail(vt, "%s: sock_diag lines missing: \"%.600s\"", r->cmd, r->out);
	if (vt_stats_read(vt, &b) || vt_expect_delta(vt, &a, &b, "syn_recv_sock_toa", 2))
		return -1;
	if (count_netdevs() != devs)
		return vt_fail(vt, "%s: %d network devices before, %d after", r->cmd, devs,
			       count_netdevs());

	/* trusted_sources excludes its load balancer: the option is ignored */
	if (vt_param_write("trusted_sources", VT_OTHER_NET4) || vt_stats_read(vt, &a))
		return vt_fail(vt, "setting trusted_sources=%s failed", VT_OTHER_NET4);
	if (cli_run(vt, r, "selftest", NULL) || cli_expect_code(vt, r, 0) ||
	    cli_expect_line(vt, r, "selftest passed"))
		return -1;
	if (!strstr(r->out,
		    CLI_CHECK
		    " IPv4: TOA from 198.51.100.2 ignored as untrusted (accept() returned the load balancer 198.51.100.2:") ||
	    !strstr(r->out,
		    CLI_CHECK
		    " IPv6: TOA from 2001:db8:7fa::2 ignored as untrusted (accept() returned the load balancer [2001:db8:7fa::2]:") ||
	    cli_count_lines_starting(r->out, CLI_CROSS))
		return vt_fail(vt, "%s: want both families ignored as untrusted: \"%.600s\"",
			       r->cmd, r->out);
	if (vt_stats_read(vt, &b) || vt_expect_delta(vt, &a, &b, "untrusted", 2))
		return -1;
	if (vt_stat_get(&b, "syn_recv_sock_toa") != vt_stat_get(&a, "syn_recv_sock_toa"))
		return vt_fail(vt, "%s: syn_recv_sock_toa moved with an untrusted load balancer",
			       r->cmd);
	if (vt_param_write("trusted_sources", "\n"))
		return vt_fail(vt, "clearing trusted_sources failed");

	/* module not loaded: documented as a failure (exit 1, marked lines) */
	if (vt_unload(vt))
		return -1;
	if (cli_run(vt, r, "selftest", NULL) || cli_expect_code(vt, r, 1) ||
	    cli_expect_line(
		    vt, r,
		    CLI_CROSS
		    " toa is not loaded: connections below keep the load balancer's address") ||
	    cli_expect_line(vt, r, "selftest failed"))
		return -1;
	if (!strstr(r->out, CLI_CROSS " IPv4: accept() returned 198.51.100.2:"))
		return vt_fail(vt, "%s: want the load balancer from accept(): \"%.600s\"", r->cmd,
			       r->out);
	if (count_netdevs() != devs)
		return vt_fail(vt, "%s: %d network devices before, %d after", r->cmd, devs,
			       count_netdevs());
	return vt_load(vt, "");
}

/* it unloads the module: trusted_sources empty and the defaults back afterwards */
VT_SCENARIO(cli_selftest, .order = KT_CLI_SELFTEST, .needs_module = true, .cli = true,
	    .clear_trusted = true, .reload_default = true);
