/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * cli_scenarios.c - toa-check (cli/) against the real module in the booted
 * kernel: load/unload, doctor --json, stats, selftest and serve. Enabled by
 * "toa-vmtest --toa-check PATH"; each scenario runs the binary, captures its
 * stdout, stderr and exit code, and compares them with what the kernel
 * itself says (/proc/net/toa_stats, /sys/module/toa, the kernel log, uname).
 *
 * The VM is an initramfs with busybox: no kernel headers, no dkms, no
 * /lib/modules/<release> tree (so libkmod resolves no "toa" by name; load
 * uses --module), no EFI (Secure Boot off). cli_doctor_json asserts exactly
 * these failures and their fixes; it writes a Debian /etc/os-release first
 * so that the fixes are the apt-get ones.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "kt.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLI_TIMEOUT_MS	120000	/* TCG is slow; a hung toa-check is a failure */
#define OUT_CAP		65536
#define ERR_CAP		8192
#define MAX_ARGS	24
#define SERVE_PORT	18080
#define CHECK_MARK	"\xe2\x9c\x93"	/* U+2713 */
#define CROSS_MARK	"\xe2\x9c\x97"	/* U+2717 */

/* ---- running toa-check ---- */

struct cli_out {
	int code;		/* exit code; 128 + signal when killed */
	char cmd[256];		/* "toa-check load --module ..." for messages */
	char out[OUT_CAP];
	char err[ERR_CAP];
};

/* fork + exec @argv with stdout/stderr into @out_path/@err_path */
static pid_t spawn(const char *const *argv, const char *out_path,
		   const char *err_path)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid != 0)
		return pid;
	{
		int in = open("/dev/null", O_RDONLY);
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 ||
		    dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
}

/* wait up to @ms for @pid; its exit code, 128 + signal, or -1 on timeout */
static int wait_code(pid_t pid, int ms)
{
	int status, waited = 0;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (waited >= ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(20000);
		waited += 20;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static void join_cmd(char *dst, size_t cap, const char *const *argv)
{
	size_t used = 0;
	int i;

	dst[0] = '\0';
	for (i = 0; argv[i] && used < cap; i++) {
		const char *w = i ? argv[i] : "toa-check";
		int n = snprintf(dst + used, cap - used, "%s%s", i ? " " : "", w);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/*
 * Run toa-check with the NULL-terminated argument list; fills @r. Fails
 * (returns -1 with a reason) only when it could not run, hung, or died of
 * a signal: a crash is never an acceptable answer.
 */
static int cli(struct vt *vt, struct cli_out *r, ...)
{
	const char *argv[MAX_ARGS + 2];
	const char *a;
	va_list ap;
	int n = 0, err;
	pid_t pid;

	argv[n++] = vt->toa_check;
	va_start(ap, r);
	while ((a = va_arg(ap, const char *)) && n <= MAX_ARGS)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	join_cmd(r->cmd, sizeof(r->cmd), argv);
	r->out[0] = r->err[0] = '\0';

	pid = spawn(argv, "/tmp/cli.out", "/tmp/cli.err");
	if (pid < 0)
		return vt_fail(vt, "fork: %s", strerror(errno));
	r->code = wait_code(pid, CLI_TIMEOUT_MS);
	err = vt_read_all("/tmp/cli.out", r->out, sizeof(r->out));
	if (!err)
		err = vt_read_all("/tmp/cli.err", r->err, sizeof(r->err));
	if (err)
		return vt_fail(vt, "%s: reading its output: %s", r->cmd, strerror(-err));
	vt_log(vt, "$ %s -> %d\n%s%s", r->cmd, r->code, r->out, r->err);
	if (r->code < 0)
		return vt_fail(vt, "%s: no exit within %d ms", r->cmd, CLI_TIMEOUT_MS);
	if (r->code == 126 || r->code == 127)
		return vt_fail(vt, "%s: could not be started: %.200s", r->cmd, r->err);
	if (r->code > 128)
		return vt_fail(vt, "%s: killed by signal %d; stderr: %.300s", r->cmd,
			       r->code - 128, r->err);
	return 0;
}

/* the run must have exited with @code */
static int expect_code(struct vt *vt, const struct cli_out *r, int code)
{
	if (r->code != code)
		return vt_fail(vt, "%s: exit %d, want %d; stdout: \"%.300s\" stderr: \"%.200s\"",
			       r->cmd, r->code, code, r->out, r->err);
	return 0;
}

/* some line of @text equals @line exactly */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

static int expect_line(struct vt *vt, const struct cli_out *r, const char *line)
{
	if (!has_line(r->out, line))
		return vt_fail(vt, "%s: no line \"%s\" in its output \"%.400s\"",
			       r->cmd, line, r->out);
	return 0;
}

static int count_lines_starting(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p = text;
	int count = 0;

	while (*p) {
		if (!strncmp(p, prefix, n))
			count++;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return count;
}

/* stderr is exactly one "toa-check: error: ..." line */
static int expect_usage_error(struct vt *vt, const struct cli_out *r,
			      const char *needle)
{
	size_t n = strlen(r->err);

	if (expect_code(vt, r, 2))
		return -1;
	if (strncmp(r->err, "toa-check: error: ", 18) || n == 0 ||
	    r->err[n - 1] != '\n' || strchr(r->err, '\n') != r->err + n - 1 ||
	    !strstr(r->err, needle))
		return vt_fail(vt, "%s: stderr \"%s\", want one \"toa-check: error: ...%s...\" line",
			       r->cmd, r->err, needle);
	return 0;
}

static const char *release(void)
{
	static struct utsname u;

	if (!u.release[0] && uname(&u) != 0)
		return "?";
	return u.release;
}

/* ---- JSON (tests/lib/vt_json.h) ---- */

/* the whole of @text as JSON, or vt_fail() naming @what */
static struct vt_json *j_parse(struct vt *vt, const char *what, const char *text)
{
	char why[160];
	struct vt_json *v = vt_json_parse(text, why, sizeof(why));

	if (!v)
		vt_fail(vt, "%s: not valid JSON: %s", what, why);
	return v;
}

/* @v is an object whose members are exactly @keys, in that order */
static int j_keys(struct vt *vt, const char *what, const struct vt_json *v,
		  const char *const *keys, size_t n)
{
	const struct vt_json *k = v->kids;
	size_t i;

	if (v->t != VT_JSON_OBJ)
		return vt_fail(vt, "%s: not a JSON object", what);
	for (i = 0; i < n; i++, k = k->next)
		if (!k || strcmp(k->key, keys[i]))
			return vt_fail(vt, "%s: member %zu is \"%s\", want \"%s\"", what,
				       i + 1, k ? k->key : "(none)", keys[i]);
	if (k)
		return vt_fail(vt, "%s: unexpected member \"%s\"", what, k->key);
	return 0;
}

/* ---- module helpers ---- */

/*
 * One connection through the emulator from the LB of @family, with a TOA
 * option for the test client or without one; accept() must show the
 * client or the LB accordingly.
 */
static int toa_conn(struct vt *vt, int family, bool with_toa)
{
	bool v4 = family == AF_INET;
	uint8_t o[20];
	size_t n = 0;
	uint16_t lport;
	int lfd, r;

	if (with_toa)
		n = v4 ? lbsim_toa_v4(o, TOA_DEFAULT_KIND, &vt->client4, VT_CLIENT_PORT) :
			 lbsim_toa_v6(o, TOA_DEFAULT_KIND, &vt->client6, VT_CLIENT_PORT);
	lfd = vt_listener(vt, v4 ? VT_LSN_V4 : VT_LSN_V6_ONLY, &lport);
	if (lfd < 0)
		return -1;
	r = vt_one_conn(vt, lfd, lport, family, n ? o : NULL, n,
			with_toa ? (v4 ? VT_CLIENT4 : VT_CLIENT6) : (v4 ? VT_LB4 : VT_LB6),
			with_toa ? VT_CLIENT_PORT : 0);
	close(lfd);
	return r;
}

/* ---- cli_load ---- */

static int cli_load_steps(struct vt *vt, struct cli_out *r)
{
	char val[256], line[512];
	int before, after;

	if (vt_mod_loaded(VT_MODULE_NAME) && vt_unload(vt))
		return -1;

	/* a bad parameter is refused before the kernel sees anything */
	before = vt_kmsg_count("TOA: ");
	if (cli(vt, r, "load", "--module", vt->module_path, "--param", "option_kind=1",
		NULL) || expect_usage_error(vt, r, "option_kind"))
		return -1;
	if (vt_mod_loaded(VT_MODULE_NAME))
		return vt_fail(vt, "%s: toa got loaded", r->cmd);
	if (vt_kmsg_count("TOA: ") != before)
		return vt_fail(vt, "%s: the kernel logged \"TOA: \" lines: the module was tried",
			       r->cmd);
	if (cli(vt, r, "load", "--module", vt->module_path, "--param",
		"trusted_sources=1.2.3.4/40", NULL) ||
	    expect_usage_error(vt, r, "trusted_sources") ||
	    cli(vt, r, "load", "--module", "/lib/modules/nonexistent.ko", NULL) ||
	    expect_usage_error(vt, r, "no such file"))
		return -1;

	/* load with a parameter: live, parameter set, kernel log line shown */
	before = vt_kmsg_count("TOA: toa loaded");
	if (cli(vt, r, "load", "--module", vt->module_path, "--param",
		"trusted_sources=" VT_LB_NET4, NULL) || expect_code(vt, r, 0))
		return -1;
	after = vt_kmsg_count("TOA: toa loaded");
	if (!vt_mod_loaded(VT_MODULE_NAME) || access("/sys/module/toa", F_OK))
		return vt_fail(vt, "%s: exit 0 but toa is not loaded", r->cmd);
	if (after != before + 1)
		return vt_fail(vt, "%s: %d new \"TOA: toa loaded\" kernel lines, want 1",
			       r->cmd, after - before);
	if (vt_param_read("trusted_sources", val, sizeof(val)) || strcmp(val, VT_LB_NET4))
		return vt_fail(vt, "after %s, trusted_sources reads \"%s\", want %s",
			       r->cmd, val, VT_LB_NET4);
	snprintf(line, sizeof(line), CHECK_MARK " %s built for %s", vt->module_path,
		 release());
	if (expect_line(vt, r, line) ||
	    expect_line(vt, r, CHECK_MARK " Secure Boot off") ||
	    expect_line(vt, r, "    parameters: trusted_sources=" VT_LB_NET4))
		return -1;
	if (!strstr(r->out, CHECK_MARK " TOA: toa loaded (version "))
		return vt_fail(vt, "%s: output lacks \"" CHECK_MARK " TOA: toa loaded (version ...\": \"%.300s\"",
			       r->cmd, r->out);

	/* again: already loaded is not an error; parameters are not applied */
	if (vt_read_file("/sys/module/toa/version", val, sizeof(val)))
		return vt_fail(vt, "/sys/module/toa/version unreadable");
	snprintf(line, sizeof(line), CHECK_MARK " toa %s is already loaded", val);
	if (cli(vt, r, "load", NULL) || expect_code(vt, r, 0) || expect_line(vt, r, line))
		return -1;
	if (cli(vt, r, "load", "--module", vt->module_path, "--param", "max_entries=5",
		NULL) || expect_code(vt, r, 0) || expect_line(vt, r, line))
		return -1;
	if (!strstr(r->out, "parameters not applied"))
		return vt_fail(vt, "%s: no \"parameters not applied\" note: \"%.300s\"",
			       r->cmd, r->out);
	if (vt_param_read("max_entries", val, sizeof(val)) || strcmp(val, "262144"))
		return vt_fail(vt, "after %s, max_entries reads \"%s\", want 262144", r->cmd, val);

	/* validated before anything else, also while loaded */
	if (cli(vt, r, "load", "--param", "option_kind=1", NULL) ||
	    expect_usage_error(vt, r, "option_kind '1'"))
		return -1;

	/* unload: gone, with its statistics file; twice is fine */
	before = vt_kmsg_count("TOA: toa unloaded");
	if (cli(vt, r, "unload", NULL) || expect_code(vt, r, 0) ||
	    expect_line(vt, r, CHECK_MARK " toa unloaded"))
		return -1;
	if (vt_mod_loaded(VT_MODULE_NAME) || access("/sys/module/toa", F_OK) == 0 ||
	    access(TOA_STATS_FILE, F_OK) == 0)
		return vt_fail(vt, "%s: exit 0 but toa is still there", r->cmd);
	if (vt_kmsg_count("TOA: toa unloaded") != before + 1)
		return vt_fail(vt, "%s: no new \"TOA: toa unloaded\" kernel line", r->cmd);
	if (cli(vt, r, "unload", NULL) || expect_code(vt, r, 0) ||
	    expect_line(vt, r, CHECK_MARK " toa is not loaded"))
		return -1;

	/* without --module, libkmod finds no toa: nothing in /lib/modules/<release> */
	if (cli(vt, r, "load", NULL) || expect_code(vt, r, 1))
		return -1;
	snprintf(line, sizeof(line), CROSS_MARK " no toa module for %s (libkmod finds none)",
		 release());
	if (expect_line(vt, r, line))
		return -1;
	if (vt_mod_loaded(VT_MODULE_NAME))
		return vt_fail(vt, "%s: exit 1 but toa got loaded", r->cmd);

	/* and back, with defaults, for what follows */
	if (cli(vt, r, "load", "--module", vt->module_path, NULL) || expect_code(vt, r, 0))
		return -1;
	if (!vt_mod_loaded(VT_MODULE_NAME))
		return vt_fail(vt, "%s: exit 0 but toa is not loaded", r->cmd);
	if (vt_param_read("trusted_sources", val, sizeof(val)) || val[0])
		return vt_fail(vt, "after %s, trusted_sources reads \"%s\", want empty", r->cmd, val);
	return 0;
}

int sc_cli_load(struct vt *vt)
{
	struct cli_out *r = malloc(sizeof(*r));
	int ret;

	if (!r)
		return vt_fail(vt, "out of memory");
	ret = cli_load_steps(vt, r);
	free(r);
	if (!vt_mod_loaded(VT_MODULE_NAME) && vt_load(vt, "") && !ret)
		return -1;
	return ret;
}

/* ---- cli_doctor_json ---- */

struct want_check {
	const char *id, *status;
	const char *summary;	/* exact, or NULL */
	const char *fix;	/* exact, or NULL */
};

static int doctor_expect(struct vt *vt, const struct cli_out *r,
			 const struct want_check *want, size_t n_want,
			 const char *version)
{
	static const char *const top[] = { "version", "kernel", "checks", "ok" };
	static const char *const fields[] = { "id", "status", "summary", "fix" };
	struct vt_json *doc = j_parse(vt, r->cmd, r->out), *checks, *c, *okv;
	char what[64];
	size_t i;
	int ret = -1;
	bool any_fail = false;

	if (!doc)
		return -1;
	if (j_keys(vt, r->cmd, doc, top, 4))
		goto out;
	if (vt_json_get(doc, "version")->t != VT_JSON_STR || strcmp(vt_json_get(doc, "version")->s, version)) {
		vt_fail(vt, "%s: \"version\" is not \"%s\"", r->cmd, version);
		goto out;
	}
	if (vt_json_get(doc, "kernel")->t != VT_JSON_STR || strcmp(vt_json_get(doc, "kernel")->s, release())) {
		vt_fail(vt, "%s: \"kernel\" is \"%s\", uname -r says %s", r->cmd,
			vt_json_get(doc, "kernel")->s ? vt_json_get(doc, "kernel")->s : "?", release());
		goto out;
	}
	checks = vt_json_get(doc, "checks");
	if (checks->t != VT_JSON_ARR || vt_json_len(checks) != n_want) {
		vt_fail(vt, "%s: \"checks\" has %zu entries, want %zu", r->cmd,
			checks->t == VT_JSON_ARR ? vt_json_len(checks) : 0, n_want);
		goto out;
	}
	for (i = 0, c = checks->kids; i < n_want; i++, c = c->next) {
		const struct vt_json *id, *st, *sum, *fix;

		snprintf(what, sizeof(what), "checks[%zu]", i);
		if (j_keys(vt, what, c, fields, 4))
			goto out;
		id = vt_json_get(c, "id");
		st = vt_json_get(c, "status");
		sum = vt_json_get(c, "summary");
		fix = vt_json_get(c, "fix");
		if (id->t != VT_JSON_STR || st->t != VT_JSON_STR || sum->t != VT_JSON_STR || fix->t != VT_JSON_STR) {
			vt_fail(vt, "%s: %s has a non-string field", r->cmd, what);
			goto out;
		}
		if (strcmp(id->s, want[i].id) || strcmp(st->s, want[i].status)) {
			vt_fail(vt, "%s: %s is %s/%s (\"%s\"), want %s/%s", r->cmd, what, id->s,
				st->s, sum->s, want[i].id, want[i].status);
			goto out;
		}
		if (want[i].summary && strcmp(sum->s, want[i].summary)) {
			vt_fail(vt, "%s: %s summary \"%s\", want \"%s\"", r->cmd, id->s, sum->s,
				want[i].summary);
			goto out;
		}
		if (want[i].fix && strcmp(fix->s, want[i].fix)) {
			vt_fail(vt, "%s: %s fix \"%s\", want \"%s\"", r->cmd, id->s, fix->s,
				want[i].fix);
			goto out;
		}
		if (!strcmp(st->s, "fail") && !fix->s[0]) {
			vt_fail(vt, "%s: %s fails without a fix", r->cmd, id->s);
			goto out;
		}
		if (!strcmp(st->s, "pass") && fix->s[0]) {
			vt_fail(vt, "%s: %s passes but carries a fix \"%s\"", r->cmd, id->s, fix->s);
			goto out;
		}
		any_fail |= !strcmp(st->s, "fail");
	}
	okv = vt_json_get(doc, "ok");
	if (okv->t != VT_JSON_BOOL || okv->b != !any_fail) {
		vt_fail(vt, "%s: \"ok\" is not %s", r->cmd, any_fail ? "false" : "true");
		goto out;
	}
	if (expect_code(vt, r, any_fail ? 1 : 0))
		goto out;
	ret = 0;
out:
	vt_json_free(doc);
	return ret;
}

static int doctor_steps(struct vt *vt, struct cli_out *r)
{
	char rel[65], version[64], headers_sum[512], headers_fix[512];
	char module_sum[512], module_fix[512], loaded_sum[512], traffic_sum[512];
	char trusted_sum[512], kernel_sum[512], line[1024];
	struct vt_stats st;
	FILE *f;
	long long toa;
	bool traffic_pass;

	snprintf(rel, sizeof(rel), "%s", release());
	/* a Debian system as far as the fixes go */
	f = fopen("/etc/os-release", "we");
	if (!f || fputs("ID=debian\nPRETTY_NAME=\"toa-vmtest VM\"\nVERSION_ID=\"12\"\n", f) < 0 ||
	    fclose(f) != 0)
		return vt_fail(vt, "writing /etc/os-release: %s", strerror(errno));
	if (vt_read_file("/sys/module/toa/version", version, sizeof(version)) || !version[0])
		return vt_fail(vt, "/sys/module/toa/version unreadable");
	if (vt_param_write("trusted_sources", "\n"))
		return vt_fail(vt, "clearing trusted_sources failed");
	if (vt_stats_read(vt, &st))
		return -1;
	toa = vt_stat_get(&st, "syn_recv_sock_toa");
	traffic_pass = toa > 0;

	snprintf(headers_sum, sizeof(headers_sum),
		 "no kernel headers for %s (/lib/modules/%s/build missing)", rel, rel);
	snprintf(headers_fix, sizeof(headers_fix), "apt-get install -y linux-headers-%s", rel);
	snprintf(module_sum, sizeof(module_sum),
		 "no toa module for %s (libkmod finds none in /lib/modules/%s)", rel, rel);
	snprintf(module_fix, sizeof(module_fix), "dkms autoinstall -k %s", rel);
	snprintf(loaded_sum, sizeof(loaded_sum), "toa %s loaded", version);
	snprintf(kernel_sum, sizeof(kernel_sum), "kernel %s running", rel);
	{
		struct want_check want[] = {
			{ "kernel", "pass", kernel_sum, "" },
			{ "headers", "fail", headers_sum, headers_fix },
			{ "compiler", "warn", "compiler not checked: no kernel headers", "" },
			{ "dkms", "fail", "dkms is not installed",
			  "apt-get install -y dkms\napt-get install -y toa-dkms" },
			{ "module", "fail", module_sum, module_fix },
			{ "signature", "warn", "signature not checked: no module file", "" },
			{ "loaded", "pass", loaded_sum, "" },
			{ "hooks", "pass", "hooks live, no missed probe hits", "" },
			{ "boot", "fail", "toa is not loaded at boot (no modules-load.d entry)",
			  "toa-check enable" },
			{ "trusted_sources", "warn", NULL, NULL },
			{ "traffic", traffic_pass ? "pass" : "warn", NULL, NULL },
		};
		size_t n = VT_ARRAY_SIZE(want);

		/* 1: trusted_sources empty, counters as they are */
		if (cli(vt, r, "doctor", "--json", NULL) ||
		    doctor_expect(vt, r, want, n, version))
			return -1;

		/* the same checks for people: 4 failures, marks, fixes */
		if (cli(vt, r, "doctor", NULL) || expect_code(vt, r, 1))
			return -1;
		snprintf(line, sizeof(line), "toa-check %s: kernel %s on toa-vmtest VM",
			 version, rel);
		if (expect_line(vt, r, line) || expect_line(vt, r, "4 problems found"))
			return -1;
		snprintf(line, sizeof(line), "    fix: %s", headers_fix);
		if (expect_line(vt, r, line) ||
		    expect_line(vt, r, CROSS_MARK " dkms is not installed") ||
		    expect_line(vt, r, "    fix: apt-get install -y dkms") ||
		    expect_line(vt, r, "         apt-get install -y toa-dkms") ||
		    expect_line(vt, r, CHECK_MARK " hooks live, no missed probe hits"))
			return -1;
		if (count_lines_starting(r->out, CROSS_MARK " ") != 4 ||
		    count_lines_starting(r->out, CHECK_MARK " ") != 3 + traffic_pass ||
		    count_lines_starting(r->out, "! ") != 4 - traffic_pass)
			return vt_fail(vt, "%s: want 4 " CROSS_MARK ", %d " CHECK_MARK " and %d ! lines: \"%.600s\"",
				       r->cmd, 3 + traffic_pass, 4 - traffic_pass, r->out);
		/* no subcommand = doctor */
		if (cli(vt, r, NULL) || expect_code(vt, r, 1) ||
		    expect_line(vt, r, "4 problems found"))
			return -1;

		/* 2: TOA traffic seen, trusted_sources set */
		if (toa_conn(vt, AF_INET, true) || toa_conn(vt, AF_INET6, true))
			return -1;
		if (vt_param_write("trusted_sources", VT_LB_NET4 ",2001:db8:1::/64"))
			return vt_fail(vt, "setting trusted_sources failed");
		if (vt_stats_read(vt, &st))
			return -1;
		snprintf(traffic_sum, sizeof(traffic_sum), "TOA seen on %lld connections (%lld answers rewritten, %lld without TOA)",
			 vt_stat_get(&st, "syn_recv_sock_toa"), vt_stat_get(&st, "getname_toa_ok"),
			 vt_stat_get(&st, "syn_recv_sock_no_toa"));
		snprintf(trusted_sum, sizeof(trusted_sum), "TOA accepted only from %s",
			 VT_LB_NET4 ",2001:db8:1::/64");
		want[9] = (struct want_check){ "trusted_sources", "pass", trusted_sum, "" };
		want[10] = (struct want_check){ "traffic", "pass", traffic_sum, "" };
		if (cli(vt, r, "doctor", "--json", NULL) ||
		    doctor_expect(vt, r, want, n, version))
			return -1;

		/* 3: another kernel: the live checks are left out */
		if (cli(vt, r, "doctor", "--json", "--kernel", "9.9.9-toa-test", NULL))
			return -1;
		{
			struct vt_json *doc = j_parse(vt, r->cmd, r->out), *k;
			static const char *const ids[] = { "kernel", "headers", "compiler",
							   "dkms", "module", "signature", "boot" };
			size_t i;
			int bad = 0;

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
						bad = vt_fail(vt, "%s: check %zu is not %s", r->cmd,
							      i + 1, ids[i]);
			}
			if (!bad && (!vt_json_get(doc, "kernel") ||
				     strcmp(vt_json_get(doc, "kernel")->s, "9.9.9-toa-test")))
				bad = vt_fail(vt, "%s: \"kernel\" is not 9.9.9-toa-test", r->cmd);
			vt_json_free(doc);
			if (bad || expect_code(vt, r, 1))
				return -1;
		}
		if (cli(vt, r, "doctor", "--kernel", "../../etc", NULL) ||
		    expect_usage_error(vt, r, "--kernel"))
			return -1;
	}
	return 0;
}

int sc_cli_doctor_json(struct vt *vt)
{
	struct cli_out *r = malloc(sizeof(*r));
	int ret;

	if (!r)
		return vt_fail(vt, "out of memory");
	ret = doctor_steps(vt, r);
	free(r);
	vt_param_write("trusted_sources", "\n");
	unlink("/etc/os-release");
	return ret;
}

/* ---- cli_stats ---- */

/* what docs/toa-check.md promises for a /proc/net/toa_stats line */
static void prom_sample(const char *name, long long value, char *sample,
			size_t cap, char *type_line, size_t tcap)
{
	static const char *const gauges[] = { "entries_live", "max_entries", "maxactive" };
	size_t i;

	if (!strncmp(name, "nmissed_", 8)) {
		snprintf(sample, cap, "toa_kprobe_missed_total{probe=\"%s\"} %lld",
			 name + 8, value);
		snprintf(type_line, tcap, "# TYPE toa_kprobe_missed_total counter");
		return;
	}
	for (i = 0; i < VT_ARRAY_SIZE(gauges); i++)
		if (!strcmp(name, gauges[i])) {
			snprintf(sample, cap, "toa_%s %lld", name, value);
			snprintf(type_line, tcap, "# TYPE toa_%s gauge", name);
			return;
		}
	snprintf(sample, cap, "toa_%s_total %lld", name, value);
	snprintf(type_line, tcap, "# TYPE toa_%s_total counter", name);
}

static int stats_steps(struct vt *vt, struct cli_out *r)
{
	struct vt_stats a, b;
	struct vt_json *doc, *k;
	char sample[160], type_line[160];
	int i, ret = -1;
	long long toa;

	/* TOA connections, both families, and one without TOA */
	if (vt_stats_read(vt, &a) ||
	    toa_conn(vt, AF_INET, true) || toa_conn(vt, AF_INET6, true) ||
	    toa_conn(vt, AF_INET, false) || vt_wait_live_zero(vt, 3000) || vt_stats_read(vt, &b) ||
	    vt_expect_delta(vt, &a, &b, "syn_recv_sock_toa", 2))
		return -1;
	toa = vt_stat_get(&b, "syn_recv_sock_toa");

	/* --json: the same names in the same order, the same values */
	if (cli(vt, r, "stats", "--json", NULL) || expect_code(vt, r, 0))
		return -1;
	doc = j_parse(vt, r->cmd, r->out);
	if (!doc)
		return -1;
	if (doc->t != VT_JSON_OBJ || vt_json_len(doc) != (size_t)b.n) {
		vt_fail(vt, "%s: %zu members, /proc/net/toa_stats has %d lines", r->cmd,
			doc->t == VT_JSON_OBJ ? vt_json_len(doc) : 0, b.n);
		goto out;
	}
	for (i = 0, k = doc->kids; i < b.n; i++, k = k->next) {
		if (strcmp(k->key, b.name[i]) || k->t != VT_JSON_NUM ||
		    strtoll(k->s, NULL, 10) != b.value[i]) {
			vt_fail(vt, "%s: member %d is \"%s\": %s, /proc/net/toa_stats has %s %lld",
				r->cmd, i + 1, k->key, k->s ? k->s : "(not a number)",
				b.name[i], b.value[i]);
			goto out;
		}
	}
	if (!vt_json_get(doc, "syn_recv_sock_toa") ||
	    strtoll(vt_json_get(doc, "syn_recv_sock_toa")->s, NULL, 10) != toa) {
		vt_fail(vt, "%s: syn_recv_sock_toa differs from /proc (%lld)", r->cmd, toa);
		goto out;
	}

	/* --prometheus: documented names, types, values */
	if (cli(vt, r, "stats", "--prometheus", NULL) || expect_code(vt, r, 0))
		goto out;
	for (i = 0; i < b.n; i++) {
		prom_sample(b.name[i], b.value[i], sample, sizeof(sample), type_line,
			    sizeof(type_line));
		if (expect_line(vt, r, sample) || expect_line(vt, r, type_line))
			goto out;
	}
	snprintf(sample, sizeof(sample), "toa_syn_recv_sock_toa_total %lld", toa);
	if (expect_line(vt, r, sample) ||
	    expect_line(vt, r, "# TYPE toa_syn_recv_sock_toa_total counter") ||
	    count_lines_starting(r->out, "# TYPE toa_kprobe_missed_total ") != 1 ||
	    count_lines_starting(r->out, "toa_kprobe_missed_total{probe=\"") != 5) {
		if (!vt->err[0])
			vt_fail(vt, "%s: want one toa_kprobe_missed_total family with 5 probes: \"%.500s\"",
				r->cmd, r->out);
		goto out;
	}
	/* every line is a comment or "name[{labels}] integer" */
	{
		const char *p = r->out;
		int samples = 0;

		while (*p) {
			const char *e = strchr(p, '\n');
			size_t len = e ? (size_t)(e - p) : strlen(p);

			if (strncmp(p, "# HELP toa_", 11) && strncmp(p, "# TYPE toa_", 11)) {
				const char *sp = memchr(p, ' ', len);
				size_t j;

				if (strncmp(p, "toa_", 4) || !sp || sp + 1 >= p + len) {
					vt_fail(vt, "%s: bad line \"%.*s\"", r->cmd, (int)len, p);
					goto out;
				}
				for (j = (size_t)(sp + 1 - p); j < len; j++)
					if (!isdigit((unsigned char)p[j])) {
						vt_fail(vt, "%s: bad value in \"%.*s\"", r->cmd, (int)len, p);
						goto out;
					}
				samples++;
			}
			if (!e)
				break;
			p = e + 1;
		}
		if (samples != b.n) {
			vt_fail(vt, "%s: %d samples, /proc/net/toa_stats has %d lines", r->cmd,
				samples, b.n);
			goto out;
		}
	}

	/* the plain table and bad input */
	if (cli(vt, r, "stats", NULL) || expect_code(vt, r, 0))
		goto out;
	snprintf(sample, sizeof(sample), "syn_recv_sock_toa %lld", toa);
	{
		/* "name<spaces>value": compare with the spaces squeezed */
		char *sq = malloc(sizeof(r->out));
		size_t n = 0;
		const char *p;

		if (!sq) {
			vt_fail(vt, "out of memory");
			goto out;
		}
		for (p = r->out; *p; p++)
			if (!(*p == ' ' && n && sq[n - 1] == ' '))
				sq[n++] = *p;
		sq[n] = '\0';
		i = has_line(sq, sample);
		free(sq);
		if (!i) {
			vt_fail(vt, "%s: no \"%s\" row: \"%.400s\"", r->cmd, sample, r->out);
			goto out;
		}
	}
	if (cli(vt, r, "stats", "--json", "--prometheus", NULL) ||
	    expect_usage_error(vt, r, "prometheus"))
		goto out;
	ret = 0;
out:
	vt_json_free(doc);
	return ret;
}

int sc_cli_stats(struct vt *vt)
{
	struct cli_out *r = malloc(sizeof(*r));
	int ret;

	if (!r)
		return vt_fail(vt, "out of memory");
	ret = stats_steps(vt, r);
	free(r);
	return ret;
}

/* ---- cli_selftest ---- */

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

static int selftest_steps(struct vt *vt, struct cli_out *r)
{
	struct vt_stats a, b;
	int devs = count_netdevs();

	/* module loaded, trusted_sources empty: the client comes through */
	if (vt_param_write("trusted_sources", "\n") || vt_stats_read(vt, &a))
		return vt_fail(vt, "preparing: %s", vt->err[0] ? vt->err : "trusted_sources");
	if (cli(vt, r, "selftest", NULL) || expect_code(vt, r, 0) ||
	    expect_line(vt, r, CHECK_MARK " IPv4: accept() returned 203.0.113.7:4321, the client in the TOA option") ||
	    expect_line(vt, r, CHECK_MARK " IPv4: getpeername() returned 203.0.113.7:4321") ||
	    expect_line(vt, r, CHECK_MARK " IPv6: accept() returned [2001:db8:c11e::7]:4321, the client in the TOA option") ||
	    expect_line(vt, r, CHECK_MARK " IPv6: getpeername() returned [2001:db8:c11e::7]:4321") ||
	    expect_line(vt, r, CHECK_MARK " IPv4: syn_recv_sock_toa +1") ||
	    expect_line(vt, r, CHECK_MARK " IPv6: syn_recv_sock_toa +1") ||
	    expect_line(vt, r, "selftest passed"))
		return -1;
	if (count_lines_starting(r->out, CROSS_MARK) || count_lines_starting(r->out, "! "))
		return vt_fail(vt, "%s: " CROSS_MARK " or ! lines: \"%.600s\"", r->cmd, r->out);
	if (!strstr(r->out, CHECK_MARK " IPv4: sock_diag shows the network peer 198.51.100.2:") ||
	    !strstr(r->out, CHECK_MARK " IPv6: sock_diag shows the network peer [2001:db8:7fa::2]:"))
		return vt_fail(vt, "%s: sock_diag lines missing: \"%.600s\"", r->cmd, r->out);
	if (vt_stats_read(vt, &b) || vt_expect_delta(vt, &a, &b, "syn_recv_sock_toa", 2))
		return -1;
	if (count_netdevs() != devs)
		return vt_fail(vt, "%s: %d network devices before, %d after", r->cmd, devs,
			       count_netdevs());

	/* trusted_sources excludes its load balancer: the option is ignored */
	if (vt_param_write("trusted_sources", VT_OTHER_NET4) || vt_stats_read(vt, &a))
		return vt_fail(vt, "setting trusted_sources=%s failed", VT_OTHER_NET4);
	if (cli(vt, r, "selftest", NULL) || expect_code(vt, r, 0) ||
	    expect_line(vt, r, "selftest passed"))
		return -1;
	if (!strstr(r->out, CHECK_MARK " IPv4: TOA from 198.51.100.2 ignored as untrusted (accept() returned the load balancer 198.51.100.2:") ||
	    !strstr(r->out, CHECK_MARK " IPv6: TOA from 2001:db8:7fa::2 ignored as untrusted (accept() returned the load balancer [2001:db8:7fa::2]:") ||
	    count_lines_starting(r->out, CROSS_MARK))
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
	if (cli(vt, r, "selftest", NULL) || expect_code(vt, r, 1) ||
	    expect_line(vt, r, CROSS_MARK " toa is not loaded: connections below keep the load balancer's address") ||
	    expect_line(vt, r, "selftest failed"))
		return -1;
	if (!strstr(r->out, CROSS_MARK " IPv4: accept() returned 198.51.100.2:"))
		return vt_fail(vt, "%s: want the load balancer from accept(): \"%.600s\"",
			       r->cmd, r->out);
	if (count_netdevs() != devs)
		return vt_fail(vt, "%s: %d network devices before, %d after", r->cmd, devs,
			       count_netdevs());
	return vt_load(vt, "");
}

int sc_cli_selftest(struct vt *vt)
{
	struct cli_out *r = malloc(sizeof(*r));
	int ret;

	if (!r)
		return vt_fail(vt, "out of memory");
	ret = selftest_steps(vt, r);
	free(r);
	vt_param_write("trusted_sources", "\n");
	if (!vt_mod_loaded(VT_MODULE_NAME) && vt_load(vt, "") && !ret)
		return -1;
	return ret;
}

/* ---- cli_serve ---- */

/* the TCP state (hex, as in /proc/net/tcp*) of the server socket whose peer port is @port */
static void server_state(uint16_t port, char *out, size_t cap)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	char line[512], want[8];
	size_t i;

	snprintf(out, cap, "not in /proc/net/tcp*");
	snprintf(want, sizeof(want), ":%04X", port);
	for (i = 0; i < VT_ARRAY_SIZE(files); i++) {
		FILE *f = fopen(files[i], "re");

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			char sl[16], local[64], rem[64], st[8];

			if (sscanf(line, "%15s %63s %63s %7s", sl, local, rem, st) == 4 &&
			    strlen(rem) > 5 && !strcmp(rem + strlen(rem) - 5, want))
				snprintf(out, cap, "state %s in %s", st, files[i]);
		}
		fclose(f);
	}
}

/*
 * GET / through the emulator from the LB of @family with a TOA for the
 * test client; the answer goes to @resp, the LB port to *@lb_port.
 */
static int http_get(struct vt *vt, int family, uint16_t port, char *resp,
		    size_t cap, uint16_t *lb_port)
{
	static const char get[] = "GET /toa HTTP/1.0\r\nHost: www.example.com\r\n"
				  "User-Agent: toa-vmtest\r\n\r\n";
	struct lbsim_conn c;
	uint8_t o[20];
	size_t n = family == AF_INET ?
		lbsim_toa_v4(o, TOA_DEFAULT_KIND, &vt->client4, VT_CLIENT_PORT) :
		lbsim_toa_v6(o, TOA_DEFAULT_KIND, &vt->client6, VT_CLIENT_PORT);
	size_t got = 0;
	ssize_t k = 0;
	int err;

	memset(&c, 0, sizeof(c));
	err = lbsim_conn_init(&c, vt->tun, family,
			      family == AF_INET ? (void *)&vt->lb4 : (void *)&vt->lb6, 0,
			      family == AF_INET ? (void *)&vt->srv4 : (void *)&vt->srv6, port);
	if (!err)
		err = lbsim_connect(&c, NULL, 0, o, n, VT_TIMEOUT_MS);
	if (!err)
		err = lbsim_send(&c, get, sizeof(get) - 1, o, n);
	if (err) {
		if (c.established && !c.reset)
			lbsim_reset(&c);
		return vt_fail(vt, "emulated request to port %u: %s", port, strerror(-err));
	}
	*lb_port = c.lb_port;
	while (got < cap - 1) {
		k = lbsim_recv(&c, resp + got, cap - 1 - got, 20000);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	resp[got] = '\0';
	if (k < 0) {
		lbsim_reset(&c);
		return vt_fail(vt, "reading the answer: %s (got \"%.60s\")", strerror((int)-k), resp);
	}
	/* generous: the host running this VM under TCG may be busy */
	err = lbsim_close(&c, 4 * VT_TIMEOUT_MS);
	if (err) {
		char state[64];

		server_state(c.lb_port, state, sizeof(state));
		return vt_fail(vt, "%s: closing the request connection: %s (emulator: fin_sent %u fin_acked %u fin_rtx %u peer_fin %u snd_una %u snd_nxt %u; server socket: %s)",
			       family == AF_INET ? "IPv4" : "IPv6", strerror(-err),
			       c.fin_sent, c.fin_acked, c.fin_rtx, c.peer_fin, c.snd_una, c.snd_nxt, state);
	}
	if (c.fin_rtx)
		vt_log(vt, "%s: our FIN was sent %u more time(s) before the server acknowledged it",
		       family == AF_INET ? "IPv4" : "IPv6", c.fin_rtx);
	return 0;
}

static int serve_steps(struct vt *vt, pid_t *pid)
{
	char port_arg[16], out[8192], resp[2048], line[256];
	const char *argv[] = { vt->toa_check, "serve", "--port", port_arg, "--count", "2",
			       NULL };
	uint16_t lb4_port, lb6_port;
	int waited, code;

	snprintf(port_arg, sizeof(port_arg), "%d", SERVE_PORT);
	*pid = spawn(argv, "/tmp/serve.out", "/tmp/serve.err");
	if (*pid < 0)
		return vt_fail(vt, "fork: %s", strerror(errno));
	snprintf(line, sizeof(line), "listening on [::]:%d", SERVE_PORT);
	for (waited = 0;; waited += 50) {
		out[0] = '\0';
		vt_read_all("/tmp/serve.out", out, sizeof(out));
		if (has_line(out, line))
			break;
		if (waitpid(*pid, &code, WNOHANG) == *pid) {
			*pid = -1;
			vt_read_all("/tmp/serve.err", resp, sizeof(resp));
			return vt_fail(vt, "toa-check serve ended before listening: \"%s\" \"%s\"",
				       out, resp);
		}
		if (waited > CLI_TIMEOUT_MS)
			return vt_fail(vt, "toa-check serve: no \"%s\" after %d ms", line, waited);
		usleep(50000);
	}

	/* IPv4 through the dual-stack listener, then IPv6 */
	if (http_get(vt, AF_INET, SERVE_PORT, resp, sizeof(resp), &lb4_port))
		return -1;
	if (strncmp(resp, "HTTP/1.0 200 OK\r\n", 17) ||
	    !strstr(resp, "your address (as accept() returned it): 203.0.113.7:4321\n") ||
	    !strstr(resp, "network peer (the load balancer, from sock_diag): 198.51.100.2:"))
		return vt_fail(vt, "IPv4: unexpected answer \"%.300s\"", resp);
	if (http_get(vt, AF_INET6, SERVE_PORT, resp, sizeof(resp), &lb6_port))
		return -1;
	if (strncmp(resp, "HTTP/1.0 200 OK\r\n", 17) ||
	    !strstr(resp, "your address (as accept() returned it): [2001:db8:c0::7]:4321\n"))
		return vt_fail(vt, "IPv6: unexpected answer \"%.300s\"", resp);

	code = wait_code(*pid, CLI_TIMEOUT_MS);
	*pid = -1;
	vt_read_all("/tmp/serve.out", out, sizeof(out));
	vt_read_all("/tmp/serve.err", resp, sizeof(resp));
	vt_log(vt, "serve: exit %d\n%s%s", code, out, resp);
	if (code != 0)
		return vt_fail(vt, "toa-check serve --count 2: exit %d, want 0 (stderr \"%.200s\")",
			       code, resp);
	snprintf(line, sizeof(line), "203.0.113.7:4321 via 198.51.100.2:%u \"GET /toa HTTP/1.0\" 200",
		 lb4_port);
	if (!has_line(out, line))
		return vt_fail(vt, "access log \"%s\" lacks the line \"%s\"", out, line);
	snprintf(line, sizeof(line),
		 "[2001:db8:c0::7]:4321 via [2001:db8:1::2]:%u \"GET /toa HTTP/1.0\" 200", lb6_port);
	if (!has_line(out, line))
		return vt_fail(vt, "access log \"%s\" lacks the line \"%s\"", out, line);

	/* bad input: one line, exit 2 */
	{
		struct cli_out *r = malloc(sizeof(*r));
		int bad;

		if (!r)
			return vt_fail(vt, "out of memory");
		bad = cli(vt, r, "serve", "--port", "70000", NULL) ||
		      expect_usage_error(vt, r, "70000") ||
		      cli(vt, r, "serve", "--bind", "not-an-address", "--port", "0", NULL) ||
		      expect_usage_error(vt, r, "not-an-address");
		free(r);
		if (bad)
			return -1;
	}
	return 0;
}

int sc_cli_serve(struct vt *vt)
{
	pid_t pid = -1;
	int ret = serve_steps(vt, &pid);

	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return ret;
}
