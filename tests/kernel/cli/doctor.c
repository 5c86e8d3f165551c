/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * doctor.c - cli_doctor_json: toa-check doctor, as JSON (its schema and
 * the exact statuses in the initramfs: kernel, loaded, hooks pass;
 * headers, dkms, module, boot fail with their apt-get fixes, after a
 * Debian /etc/os-release is written) and as text, then with TOA traffic
 * seen and trusted_sources set (through sysfs only, so params fails: the
 * configuration, here none, would load the module without it), then for
 * another kernel.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TRUSTED VT_LB_NET4 ",2001:db8:1::/64" /* both LBs */

struct want_check {
	const char *id, *status;
	const char *summary; /* exact, or NULL */
	const char *fix;     /* exact, or NULL */
};

/* one element of "checks" against what it must be */
static int expect_check(struct vt *vt, const struct cli_out *r, const char *what,
			const struct vt_json *c, const struct want_check *want)
{
	static const char *const fields[] = {"id", "status", "summary", "fix"};
	const struct vt_json *id, *st, *sum, *fix;

	if (cli_json_keys(vt, what, c, fields, 4))
		return -1;
	id = vt_json_get(c, "id");
	st = vt_json_get(c, "status");
	sum = vt_json_get(c, "summary");
	fix = vt_json_get(c, "fix");
	if (id->t != VT_JSON_STR || st->t != VT_JSON_STR || sum->t != VT_JSON_STR ||
	    fix->t != VT_JSON_STR)
		return vt_fail(vt, "%s: %s has a non-string field", r->cmd, what);
	if (strcmp(id->s, want->id) || strcmp(st->s, want->status))
		return vt_fail(vt, "%s: %s is %s/%s (\"%s\"), want %s/%s", r->cmd, what, id->s,
			       st->s, sum->s, want->id, want->status);
	if (want->summary && strcmp(sum->s, want->summary))
		return vt_fail(vt, "%s: %s summary \"%s\", want \"%s\"", r->cmd, id->s, sum->s,
			       want->summary);
	if (want->fix && strcmp(fix->s, want->fix))
		return vt_fail(vt, "%s: %s fix \"%s\", want \"%s\"", r->cmd, id->s, fix->s,
			       want->fix);
	if (!strcmp(st->s, "fail") && !fix->s[0])
		return vt_fail(vt, "%s: %s fails without a fix", r->cmd, id->s);
	if (!strcmp(st->s, "pass") && fix->s[0])
		return vt_fail(vt, "%s: %s passes but carries a fix \"%s\"", r->cmd, id->s, fix->s);
	return 0;
}

/* the whole document; "ok" and the exit code follow from the statuses */
static int expect_doc(struct vt *vt, const struct cli_out *r, const struct vt_json *doc,
		      const struct want_check *want, size_t n_want, const char *version)
{
	static const char *const top[] = {"version", "kernel", "checks", "ok"};
	const struct vt_json *checks, *c, *okv, *kernel;
	char what[64];
	size_t i;
	bool any_fail = false;

	if (cli_json_keys(vt, r->cmd, doc, top, 4))
		return -1;
	if (vt_json_get(doc, "version")->t != VT_JSON_STR ||
	    strcmp(vt_json_get(doc, "version")->s, version))
		return vt_fail(vt, "%s: \"version\" is not \"%s\"", r->cmd, version);
	kernel = vt_json_get(doc, "kernel");
	if (kernel->t != VT_JSON_STR || strcmp(kernel->s, cli_release()))
		return vt_fail(vt, "%s: \"kernel\" is \"%s\", uname -r says %s", r->cmd,
			       kernel->s ? kernel->s : "?", cli_release());
	checks = vt_json_get(doc, "checks");
	if (checks->t != VT_JSON_ARR || vt_json_len(checks) != n_want)
		return vt_fail(vt, "%s: \"checks\" has %zu entries, want %zu", r->cmd,
			       checks->t == VT_JSON_ARR ? vt_json_len(checks) : 0, n_want);
	for (i = 0, c = checks->kids; i < n_want; i++, c = c->next) {
		snprintf(what, sizeof(what), "checks[%zu]", i);
		if (expect_check(vt, r, what, c, &want[i]))
			return -1;
		any_fail |= !strcmp(vt_json_get(c, "status")->s, "fail");
	}
	okv = vt_json_get(doc, "ok");
	if (okv->t != VT_JSON_BOOL || okv->b != !any_fail)
		return vt_fail(vt, "%s: \"ok\" is not %s", r->cmd, any_fail ? "false" : "true");
	return cli_expect_code(vt, r, any_fail ? 1 : 0);
}

/* toa-check doctor --json must give exactly @want */
static int doctor_json(struct vt *vt, struct cli_out *r, const struct want_check *want,
		       size_t n_want, const char *version)
{
	struct vt_json *doc;
	int ret;

	if (cli_run(vt, r, "doctor", "--json", NULL))
		return -1;
	doc = cli_json(vt, r);
	if (!doc)
		return -1;
	ret = expect_doc(vt, r, doc, want, n_want, version);
	vt_json_free(doc);
	return ret;
}

/* the same checks for people: 4 failures, marks, fixes */
static int doctor_text(struct vt *vt, struct cli_out *r, const char *version,
		       const char *headers_fix, bool traffic_pass)
{
	char line[1024];

	if (cli_run(vt, r, "doctor", NULL) || cli_expect_code(vt, r, 1))
		return -1;
	snprintf(line, sizeof(line), "toa-check %s: kernel %s on toa-vmtest VM", version,
		 cli_release());
	if (cli_expect_line(vt, r, line) || cli_expect_line(vt, r, "4 problems found"))
		return -1;
	snprintf(line, sizeof(line), "    fix: %s", headers_fix);
	if (cli_expect_line(vt, r, line) ||
	    cli_expect_line(vt, r, CLI_CROSS " dkms is not installed") ||
	    cli_expect_line(vt, r, "    fix: apt-get install -y dkms") ||
	    cli_expect_line(vt, r, "         apt-get install -y toa-dkms") ||
	    cli_expect_line(vt, r, CLI_CHECK " hooks live, no missed probe hits"))
		return -1;
	if (cli_count_lines_starting(r->out, CLI_CROSS " ") != 4 ||
	    cli_count_lines_starting(r->out, CLI_CHECK " ") != 4 + traffic_pass ||
	    cli_count_lines_starting(r->out, "! ") != 4 - traffic_pass)
		return vt_fail(
			vt, "%s: want 4 " CLI_CROSS ", %d " CLI_CHECK " and %d ! lines: \"%.600s\"",
			r->cmd, 4 + traffic_pass, 4 - traffic_pass, r->out);
	/* no subcommand = doctor */
	if (cli_run(vt, r, NULL) || cli_expect_code(vt, r, 1) ||
	    cli_expect_line(vt, r, "4 problems found"))
		return -1;
	return 0;
}

/* another kernel: the live checks are left out */
static int doctor_other_kernel(struct vt *vt, struct cli_out *r)
{
	static const char *const ids[] = {"kernel", "headers",	 "compiler", "dkms",
					  "module", "signature", "boot"};
	struct vt_json *doc, *k;
	size_t i;
	int bad = 0;

	if (cli_run(vt, r, "doctor", "--json", "--kernel", "9.9.9-toa-test", NULL))
		return -1;
	doc = cli_json(vt, r);
	if (!doc)
		return -1;
	k = vt_json_get(doc, "checks");
	if (!k || k->t != VT_JSON_ARR || vt_json_len(k) != VT_ARRAY_SIZE(ids)) {
		bad = vt_fail(vt, "%s: %zu checks, want %zu", r->cmd,
			      k && k->t == VT_JSON_ARR ? vt_json_len(k) : 0, VT_ARRAY_SIZE(ids));
	} else {
		k = k->kids;
		for (i = 0; i < VT_ARRAY_SIZE(ids) && !bad; i++, k = k->next)
			if (!vt_json_get(k, "id") || strcmp(vt_json_get(k, "id")->s, ids[i]))
				bad = vt_fail(vt, "%s: check %zu is not %s", r->cmd, i + 1, ids[i]);
	}
	if (!bad &&
	    (!vt_json_get(doc, "kernel") ||
	     strcmp(vt_json_get(doc, "kernel")->s, "9.9.9-toa-test")))
		bad = vt_fail(vt, "%s: \"kernel\" is not 9.9.9-toa-test", r->cmd);
	vt_json_free(doc);
	if (bad || cli_expect_code(vt, r, 1))
		return -1;
	if (cli_run(vt, r, "doctor", "--kernel", "../../etc", NULL) ||
	    cli_expect_usage_error(vt, r, "--kernel"))
		return -1;
	return 0;
}

static int cli_doctor_json(struct vt *vt)
{
	struct cli_out *r = &cli_buf;
	const char *rel = cli_release();
	char version[64], headers_sum[512], headers_fix[512], module_sum[512];
	char module_fix[512], loaded_sum[512], kernel_sum[512];
	char traffic_sum[512], trusted_sum[512], params_sum[512];
	struct vt_stats st;
	FILE *f;
	bool traffic_pass;

	/* a Debian system as far as the fixes go */
	f = fopen("/etc/os-release", "we");
	if (!f || fputs("ID=debian\nPRETTY_NAME=\"toa-vmtest VM\"\nVERSION_ID=\"12\"\n", f) < 0 ||
	    fclose(f) != 0)
		return vt_fail(vt, "writing /etc/os-release: %s", strerror(errno));
	if (vt_read_file("/sys/module/toa/version", version, sizeof(version)) || !version[0])
		return vt_fail(vt, "/sys/module/toa/version unreadable");
	/* every parameter at its default: what no modprobe.d configures */
	if (vt_reload_default(vt))
		return -1;
	if (vt_stats_read(vt, &st))
		return -1;
	traffic_pass = vt_stat_get(&st, "syn_recv_sock_toa") > 0;

	snprintf(headers_sum, sizeof(headers_sum),
		 "no kernel headers for %s (/lib/modules/%s/build missing)", rel, rel);
	snprintf(headers_fix, sizeof(headers_fix), "apt-get install -y linux-headers-%s", rel);
	snprintf(module_sum, sizeof(module_sum),
		 "no toa module for %s (libkmod finds none in /lib/modules/%s)", rel, rel);
	snprintf(module_fix, sizeof(module_fix), "dkms autoinstall -k %s", rel);
	snprintf(loaded_sum, sizeof(loaded_sum), "toa %s loaded", version);
	snprintf(kernel_sum, sizeof(kernel_sum), "kernel %s running", rel);
	snprintf(
		params_sum, sizeof(params_sum),
		"the running parameters are the configured ones (option_kinds=%s trusted_sources='' max_entries=%d)",
		TOA_DEFAULT_KINDS, TOA_DEFAULT_MAX_ENTRIES);
	{
		struct want_check want[] = {
			{"kernel", "pass", kernel_sum, ""},
			{"headers", "fail", headers_sum, headers_fix},
			{"compiler", "warn", "compiler not checked: no kernel headers", ""},
			{"dkms", "fail", "dkms is not installed",
			 "apt-get install -y dkms\napt-get install -y toa-dkms"},
			{"module", "fail", module_sum, module_fix},
			{"signature", "warn", "signature not checked: no module file", ""},
			{"loaded", "pass", loaded_sum, ""},
			{"hooks", "pass", "hooks live, no missed probe hits", ""},
			{"boot", "fail", "toa is not loaded at boot (no modules-load.d entry)",
			 "toa-check enable"},
			{"trusted_sources", "warn", NULL, NULL},
			{"params", "pass", params_sum, ""},
			{"traffic", traffic_pass ? "pass" : "warn", NULL, NULL},
		};
		size_t n = VT_ARRAY_SIZE(want);

		/* 1: trusted_sources empty, counters as they are; the text form */
		if (doctor_json(vt, r, want, n, version) ||
		    doctor_text(vt, r, version, headers_fix, traffic_pass))
			return -1;

		/* 2: TOA traffic seen, trusted_sources set */
		if (cli_toa_conn(vt, AF_INET, true) || cli_toa_conn(vt, AF_INET6, true))
			return -1;
		if (vt_param_write("trusted_sources", TRUSTED))
			return vt_fail(vt, "setting trusted_sources failed");
		if (vt_stats_read(vt, &st))
			return -1;
		snprintf(traffic_sum, sizeof(traffic_sum),
			 "TOA seen on %lld connections (%lld answers rewritten, %lld without TOA)",
			 vt_stat_get(&st, "syn_recv_sock_toa"), vt_stat_get(&st, "getname_toa_ok"),
			 vt_stat_get(&st, "syn_recv_sock_no_toa"));
		snprintf(trusted_sum, sizeof(trusted_sum), "TOA accepted only from %s", TRUSTED);
		want[9] = (struct want_check){"trusted_sources", "pass", trusted_sum, ""};
		snprintf(
			params_sum, sizeof(params_sum),
			"the running module's parameters are not the configured ones (modprobe.d, kernel command line), so the next load changes them: trusted_sources is %s but the configuration gives ''",
			TRUSTED);
		want[10] = (struct want_check){
			"params", "fail", params_sum,
			"toa-check unload && toa-check load   (load with the configuration)\n"
			"toa-check enable --trusted-sources ...   (or make the configuration what runs now)"};
		want[11] = (struct want_check){"traffic", "pass", traffic_sum, ""};
		if (doctor_json(vt, r, want, n, version))
			return -1;

		/* 3: another kernel */
		return doctor_other_kernel(vt, r);
	}
}

static void remove_os_release(struct vt *vt)
{
	(void)vt;
	unlink("/etc/os-release");
}

VT_SCENARIO(cli_doctor_json, .order = KT_CLI_DOCTOR_JSON, .needs_module = true, .cli = true,
	    .teardown = remove_os_release, .clear_trusted = true);
