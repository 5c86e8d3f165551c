/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * run.c - running toa-check and reading what it printed; see cli.h.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 24

struct cli_out cli_buf;

pid_t cli_spawn(const char *const *argv, const char *out_path, const char *err_path)
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

		if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
}

int cli_wait(pid_t pid, int ms)
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

int cli_run(struct vt *vt, struct cli_out *r, ...)
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

	pid = cli_spawn(argv, "/tmp/cli.out", "/tmp/cli.err");
	if (pid < 0)
		return vt_fail(vt, "fork: %s", strerror(errno));
	r->code = cli_wait(pid, CLI_TIMEOUT_MS);
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
		return vt_fail(vt, "%s: killed by signal %d; stderr: %.300s", r->cmd, r->code - 128,
			       r->err);
	return 0;
}

int cli_expect_code(struct vt *vt, const struct cli_out *r, int code)
{
	if (r->code != code)
		return vt_fail(vt, "%s: exit %d, want %d; stdout: \"%.300s\" stderr: \"%.200s\"",
			       r->cmd, r->code, code, r->out, r->err);
	return 0;
}

bool cli_has_line(const char *text, const char *line)
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

int cli_expect_line(struct vt *vt, const struct cli_out *r, const char *line)
{
	if (!cli_has_line(r->out, line))
		return vt_fail(vt, "%s: no line \"%s\" in its output \"%.400s\"", r->cmd, line,
			       r->out);
	return 0;
}

int cli_count_lines_starting(const char *text, const char *prefix)
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

int cli_expect_usage_error(struct vt *vt, const struct cli_out *r, const char *needle)
{
	size_t n = strlen(r->err);

	if (cli_expect_code(vt, r, 2))
		return -1;
	if (strncmp(r->err, "toa-check: error: ", 18) || n == 0 || r->err[n - 1] != '\n' ||
	    strchr(r->err, '\n') != r->err + n - 1 || !strstr(r->err, needle))
		return vt_fail(vt,
			       "%s: stderr \"%s\", want one \"toa-check: error: ...%s...\" line",
			       r->cmd, r->err, needle);
	return 0;
}

struct vt_json *cli_json(struct vt *vt, const struct cli_out *r)
{
	char why[160];
	struct vt_json *doc = vt_json_parse(r->out, why, sizeof(why));

	if (!doc)
		vt_fail(vt, "%s: not valid JSON: %s", r->cmd, why);
	return doc;
}

int cli_json_keys(struct vt *vt, const char *what, const struct vt_json *v, const char *const *keys,
		  size_t n)
{
	const struct vt_json *k = v->kids;
	size_t i;

	if (v->t != VT_JSON_OBJ)
		return vt_fail(vt, "%s: not a JSON object", what);
	for (i = 0; i < n; i++, k = k->next)
		if (!k || strcmp(k->key, keys[i]))
			return vt_fail(vt, "%s: member %zu is \"%s\", want \"%s\"", what, i + 1,
				       k ? k->key : "(none)", keys[i]);
	if (k)
		return vt_fail(vt, "%s: unexpected member \"%s\"", what, k->key);
	return 0;
}

const char *cli_release(void)
{
	static struct utsname u;

	if (!u.release[0] && uname(&u) != 0)
		return "?";
	return u.release;
}

int cli_toa_conn(struct vt *vt, int family, bool with_toa)
{
	bool v4 = family == AF_INET;
	uint8_t o[20];
	size_t n = 0;
	uint16_t lport;
	int lfd, r;

	if (with_toa)
		n = v4 ? lbsim_toa_v4(o, TOA_DEFAULT_KIND, &vt->client4, VT_CLIENT_PORT)
		       : lbsim_toa_v6(o, TOA_DEFAULT_KIND, &vt->client6, VT_CLIENT_PORT);
	lfd = vt_listener(vt, v4 ? VT_LSN_V4 : VT_LSN_V6_ONLY, &lport);
	if (lfd < 0)
		return -1;
	r = vt_one_conn(vt, lfd, lport, family, n ? o : NULL, n,
			with_toa ? (v4 ? VT_CLIENT4 : VT_CLIENT6) : (v4 ? VT_LB4 : VT_LB6),
			with_toa ? VT_CLIENT_PORT : 0);
	close(lfd);
	return r;
}
