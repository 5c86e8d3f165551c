/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * cli_trace.c - cli_trace: "toa-check trace --json" in the booted kernel,
 * watching the emulated load balancer's handshakes while the module acts
 * on them. Each step runs the trace in the background, makes connections
 * through lbsim, and checks the trace's line for each connection against
 * what it sent, and against what the module did: accept()/getpeername()
 * and the counters the trace reports.
 *
 *   verdicts   kind 254 on the ACK (accepted), kind 200 while 254,253 is
 *              configured (wrong kind + the fix), TOA only on a data
 *              segment after the ACK (not read), no TOA, IPv6 kind 253
 *   untrusted  trusted_sources without the balancer (+ the fix)
 *   unloaded   no module: its defaults, no counters
 *   many       100 connections traced: none lost, none refused, every
 *              one on its line, the counters add up
 *   netns      in a new network namespace, on loopback, no --port
 *   sigint     Ctrl-C ends an unbounded trace with its summary
 *
 * The verdicts are toa-check's model of the module (cli/src/toa_rules.cpp);
 * the module's own answer (getpeername, counters) is checked beside them
 * where the two must agree.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACE_OUT	"/tmp/trace.out"
#define TRACE_ERR	"/tmp/trace.err"
#define TRACE_WAIT_MS	60000	/* TCG is slow: start-up, a line, the exit */
#define TRACE_OUT_CAP	(512 * 1024)

struct trace_run {
	pid_t pid;
	int code;
	char out[TRACE_OUT_CAP];
	char err[8192];
};

static struct trace_run tr;	/* one at a time */

static void t_slurp(const char *path, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		while (got < cap - 1 && (n = read(fd, buf + got, cap - 1 - got)) > 0)
			got += (size_t)n;
		close(fd);
	}
	buf[got] = '\0';
}

static int count_of(const char *text, const char *needle)
{
	int n = 0;

	while ((text = strstr(text, needle))) {
		n++;
		text += strlen(needle);
	}
	return n;
}

/* exit code of @pid within @ms, 128 + signal, -1 on timeout (then killed) */
static int t_wait(pid_t pid, int ms)
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

/* the trace's output has @n occurrences of @needle (it keeps running) */
static int wait_for(struct vt *vt, const char *needle, int n)
{
	int waited;

	for (waited = 0; waited < TRACE_WAIT_MS; waited += 20) {
		t_slurp(TRACE_OUT, tr.out, sizeof(tr.out));
		if (count_of(tr.out, needle) >= n)
			return 0;
		if (waitpid(tr.pid, NULL, WNOHANG) == tr.pid) {
			tr.pid = -1;
			t_slurp(TRACE_ERR, tr.err, sizeof(tr.err));
			return fail(vt, "toa-check trace ended early; stdout \"%.300s\" stderr \"%.300s\"",
				    tr.out, tr.err);
		}
		usleep(20000);
	}
	return fail(vt, "toa-check trace: no %d x '%s' after %d ms; stdout \"%.300s\"", n,
		    needle, TRACE_WAIT_MS, tr.out);
}

/* start "toa-check trace --json ARGS..." and wait until it captures */
static int trace_start(struct vt *vt, const char *a1, const char *a2,
		       const char *a3, const char *a4)
{
	const char *argv[] = { vt->toa_check, "trace", "--json", "--seconds", "600",
			       a1, a2, a3, a4, NULL };

	/* the previous run's start line must not be taken for this one's */
	unlink(TRACE_OUT);
	unlink(TRACE_ERR);
	tr.out[0] = tr.err[0] = '\0';
	fflush(stdout);
	tr.pid = fork();
	if (tr.pid < 0)
		return fail(vt, "fork: %s", strerror(errno));
	if (tr.pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int o = open(TRACE_OUT, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(TRACE_ERR, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 ||
		    dup2(e, 2) < 0)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return wait_for(vt, "{\"type\":\"start\"", 1);
}

/* the trace ends by itself: exit 0, nothing on stderr, a summary */
static int trace_end(struct vt *vt)
{
	if (tr.pid > 0) {
		tr.code = t_wait(tr.pid, TRACE_WAIT_MS);
		tr.pid = -1;
	}
	t_slurp(TRACE_OUT, tr.out, sizeof(tr.out));
	t_slurp(TRACE_ERR, tr.err, sizeof(tr.err));
	vlog(vt, "trace: exit %d\n%s%s", tr.code, tr.out, tr.err);
	if (tr.code != 0 || tr.err[0])
		return fail(vt, "toa-check trace: exit %d, stderr \"%.300s\"", tr.code, tr.err);
	if (!strstr(tr.out, "{\"type\":\"summary\""))
		return fail(vt, "toa-check trace: no summary line in \"%.300s\"", tr.out);
	return 0;
}

static void trace_kill(void)
{
	if (tr.pid > 0) {
		kill(tr.pid, SIGKILL);
		waitpid(tr.pid, NULL, 0);
		tr.pid = -1;
	}
}

/* copy the trace's line for the balancer @lb (with port) into @line */
static int conn_line(struct vt *vt, const char *lb, char *line, size_t cap)
{
	char needle[128];
	const char *p, *start, *end;

	snprintf(needle, sizeof(needle), "\"balancer\":\"%s\"", lb);
	p = strstr(tr.out, needle);
	if (!p)
		return fail(vt, "the trace has no line for %s: \"%.400s\"", lb, tr.out);
	for (start = p; start > tr.out && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	if (!end)
		end = p + strlen(p);
	snprintf(line, cap, "%.*s", (int)(end - start), start);
	return 0;
}

static int expect_in(struct vt *vt, const char *line, const char *needle)
{
	if (!strstr(line, needle))
		return fail(vt, "trace line without '%s': %.700s", needle, line);
	return 0;
}

/* the "counters" object of @line holds "@name":@value */
static int expect_counter(struct vt *vt, const char *line, const char *name,
			  int value)
{
	const char *c = strstr(line, "\"counters\":");
	char want[96], more[100], last[100];

	snprintf(want, sizeof(want), "\"%s\":%d", name, value);
	snprintf(more, sizeof(more), "%s,", want);
	snprintf(last, sizeof(last), "%s}", want);
	if (!c || (!strstr(c, more) && !strstr(c, last)))
		return fail(vt, "trace counters without %s: %.300s", want, c ? c : line);
	return 0;
}

static void lb_text(const struct session *s, char *out, size_t cap)
{
	addr_port(out, cap, s->c.family == AF_INET ? LB4 : LB6, s->c.lb_port);
}

/*
 * One connection: @opts in the ACK, or, with @data_opts, a data segment
 * after the handshake carrying them; accept() must give @want:@want_port
 * (port 0: the LB port). The LB address with port goes to @lb.
 */
struct lsns {
	int fd4, fd6;		/* 0.0.0.0 and [::] (IPv6 only): accept() shows plain addresses */
	uint16_t port4, port6;
	char arg[16];		/* "--port" value: both ports */
};

static int conn(struct vt *vt, const struct lsns *l, int family,
		const uint8_t *opts, size_t optlen, bool data_opts,
		const char *want, uint16_t want_port, char *lb, size_t cap)
{
	static const char data[] = "late option\n";
	struct session s = { .fd = -1 };
	char buf[64];
	size_t got = 0;
	int err;

	int lfd = family == AF_INET ? l->fd4 : l->fd6;
	uint16_t port = family == AF_INET ? l->port4 : l->port6;

	if (sess_open(vt, &s, lfd, port, family, data_opts ? NULL : opts,
		      data_opts ? 0 : optlen))
		return -1;
	lb_text(&s, lb, cap);
	if (data_opts) {
		err = lbsim_send(&s.c, data, sizeof(data) - 1, opts, optlen);
		if (err) {
			sess_abort(&s);
			return fail(vt, "emulator send: %s", strerror(-err));
		}
		while (got < sizeof(data) - 1) {
			struct pollfd pfd = { .fd = s.fd, .events = POLLIN };
			ssize_t k;

			if (poll(&pfd, 1, TIMEOUT_MS) <= 0 ||
			    (k = read(s.fd, buf + got, sizeof(buf) - got)) <= 0) {
				sess_abort(&s);
				return fail(vt, "the data segment did not arrive");
			}
			got += (size_t)k;
		}
	}
	if (sess_expect_peer(vt, &s, want, want_port) || sess_close(vt, &s)) {
		sess_abort(&s);
		return -1;
	}
	return 0;
}

#define CONN "\"type\":\"connection\""
#define C4 "\"client\":\"" CLIENT4 ":4321\""

static int params_default(struct vt *vt)
{
	int err = param_set("option_kinds", TOA_DEFAULT_KINDS);

	if (!err)
		err = param_set("trusted_sources", "");
	if (err)
		return fail(vt, "resetting option_kinds/trusted_sources: %s", strerror(-err));
	return 0;
}

static int step_verdicts(struct vt *vt, const struct lsns *l)
{
	char lb[5][96], line[4096];
	uint8_t o[20];
	size_t n;

	if (params_default(vt) || trace_start(vt, "--port", l->arg, "--count", "5"))
		return -1;
	/* each connection's line before the next begins: counters stay apart */
	n = lbsim_toa_v4(o, 254, &vt->client4, CLIENT_PORT);
	if (conn(vt, l, AF_INET, o, n, false, CLIENT4, CLIENT_PORT, lb[0], 96) ||
	    wait_for(vt, CONN, 1))
		return -1;
	n = lbsim_toa_v4(o, 200, &vt->client4, CLIENT_PORT);
	if (conn(vt, l, AF_INET, o, n, false, LB4, 0, lb[1], 96) ||
	    wait_for(vt, CONN, 2))
		return -1;
	n = lbsim_toa_v4(o, 254, &vt->client4, CLIENT_PORT);
	if (conn(vt, l, AF_INET, o, n, true, LB4, 0, lb[2], 96) ||
	    wait_for(vt, CONN, 3))
		return -1;
	if (conn(vt, l, AF_INET, NULL, 0, false, LB4, 0, lb[3], 96) ||
	    wait_for(vt, CONN, 4))
		return -1;
	n = lbsim_toa_v6(o, 253, &vt->client6, CLIENT_PORT);
	if (conn(vt, l, AF_INET6, o, n, false, CLIENT6, CLIENT_PORT, lb[4], 96) ||
	    trace_end(vt))
		return -1;

	if (expect_in(vt, tr.out, "\"module_loaded\":true,\"option_kinds\":\"254,253\",\"trusted_sources\":\"\""))
		return -1;
	/* kind 254 on the ACK */
	if (conn_line(vt, lb[0], line, sizeof(line)) ||
	    expect_in(vt, line, "\"verdict\":\"accepted\",\"packet\":\"ack\",\"kind\":254," C4) ||
	    expect_in(vt, line, "\"ack\":{\"options\":[{\"kind\":254,\"length\":8}]") ||
	    expect_in(vt, line, "\"fix\":\"\"") ||
	    expect_counter(vt, line, "syn_recv_sock_toa", 1))
		return -1;
	/* kind 200 while 254,253 is configured */
	if (conn_line(vt, lb[1], line, sizeof(line)) ||
	    expect_in(vt, line, "\"verdict\":\"wrong_kind\",\"packet\":\"ack\",\"kind\":200," C4) ||
	    expect_in(vt, line, "\"fix\":\"toa-check enable --option-kinds 254,253,200\\n"
			  "echo '254,253,200' > /sys/module/toa/parameters/option_kinds   (now, without reload)\"") ||
	    expect_counter(vt, line, "syn_recv_sock_no_toa", 1))
		return -1;
	/* TOA only on the data segment after the handshake */
	if (conn_line(vt, lb[2], line, sizeof(line)) ||
	    expect_in(vt, line, "\"verdict\":\"not_read\",\"packet\":\"data\",\"kind\":254," C4) ||
	    expect_in(vt, line, "\"read\":false,\"outcome\":\"accepted\",\"payload\":12,\"truncated\":false,"
			  "\"completes_handshake\":false") ||
	    expect_counter(vt, line, "syn_recv_sock_no_toa", 1))
		return -1;
	/* no TOA */
	if (conn_line(vt, lb[3], line, sizeof(line)) ||
	    expect_in(vt, line, "\"verdict\":\"no_toa\",\"packet\":null,\"kind\":null,\"client\":null") ||
	    expect_in(vt, line, "this balancer sends no client address: enable TOA / client address transfer on the listener") ||
	    expect_counter(vt, line, "syn_recv_sock_no_toa", 1))
		return -1;
	/* IPv6, kind 253 */
	if (conn_line(vt, lb[4], line, sizeof(line)) ||
	    expect_in(vt, line, "\"family\":6") ||
	    expect_in(vt, line, "\"verdict\":\"accepted\",\"packet\":\"ack\",\"kind\":253,"
			  "\"client\":\"[" CLIENT6 "]:4321\"") ||
	    expect_counter(vt, line, "syn_recv_sock_toa", 1))
		return -1;
	return expect_in(vt, tr.out, "\"connections\":5,\"verdicts\":{\"accepted\":2,\"no_toa\":1,"
			 "\"not_read\":1,\"wrong_kind\":1},\"incomplete\":0,\"untraced\":0,\"dropped\":0");
}

static int step_untrusted(struct vt *vt, const struct lsns *l)
{
	char lb[96], line[4096];
	uint8_t o[8];
	size_t n = lbsim_toa_v4(o, 254, &vt->client4, CLIENT_PORT);
	int err = param_set("trusted_sources", OTHER_NET4), r;

	if (err)
		return fail(vt, "trusted_sources=%s: %s", OTHER_NET4, strerror(-err));
	r = trace_start(vt, "--port", l->arg, "--count", "1") ||
	    conn(vt, l, AF_INET, o, n, false, LB4, 0, lb, sizeof(lb)) ||
	    trace_end(vt) || conn_line(vt, lb, line, sizeof(line)) ||
	    expect_in(vt, line, "\"verdict\":\"untrusted\",\"packet\":\"ack\",\"kind\":254," C4) ||
	    expect_in(vt, line, "toa-check enable --trusted-sources " OTHER_NET4 "," LB4 "/32\\n") ||
	    expect_counter(vt, line, "untrusted", 1);
	return params_default(vt) || r ? -1 : 0;
}

static int step_unloaded(struct vt *vt, const struct lsns *l)
{
	char lb[96], line[4096];
	uint8_t o[8];
	size_t n = lbsim_toa_v4(o, 254, &vt->client4, CLIENT_PORT);
	int r;

	if (vt_unload(vt))
		return -1;
	r = trace_start(vt, "--port", l->arg, "--count", "1") ||
	    expect_in(vt, tr.out, "\"module_loaded\":false,\"option_kinds\":\"254,253\",\"trusted_sources\":\"\"") ||
	    conn(vt, l, AF_INET, o, n, false, LB4, 0, lb, sizeof(lb)) ||
	    trace_end(vt) || conn_line(vt, lb, line, sizeof(line)) ||
	    expect_in(vt, line, "\"verdict\":\"accepted\",\"packet\":\"ack\",\"kind\":254," C4) ||
	    expect_in(vt, line, "\"counters\":null");
	if (r)
		trace_kill();
	return vt_load(vt, "") || r ? -1 : 0;
}

#define MANY 100

static int step_many(struct vt *vt, const struct lsns *l)
{
	struct stats a, b;
	const char *p;
	uint8_t o[8];
	size_t n = lbsim_toa_v4(o, 254, &vt->client4, CLIENT_PORT);
	long long sum = 0;
	int i;

	if (stats_read(vt, &a) || trace_start(vt, "--port", l->arg, "--count", "100"))
		return -1;
	for (i = 0; i < MANY; i++)
		if (one_conn(vt, l->fd4, l->port4, AF_INET, o, n, CLIENT4, CLIENT_PORT)) {
			vlog(vt, "connection %d of %d failed\n", i + 1, MANY);
			return -1;
		}
	if (trace_end(vt) || stats_read(vt, &b) ||
	    expect_delta(vt, &a, &b, "syn_recv_sock_toa", MANY))
		return -1;
	if (count_of(tr.out, CONN) != MANY ||
	    count_of(tr.out, "\"verdict\":\"accepted\",\"packet\":\"ack\",\"kind\":254," C4) != MANY)
		return fail(vt, "%d connection lines, %d accepted with the client; want %d",
			    count_of(tr.out, CONN),
			    count_of(tr.out, "\"verdict\":\"accepted\",\"packet\":\"ack\",\"kind\":254," C4),
			    MANY);
	/* every connection was seen, and the module counted each once */
	for (p = tr.out; (p = strstr(p, "\"syn_recv_sock_toa\":")); p++)
		sum += atoll(p + strlen("\"syn_recv_sock_toa\":"));
	if (sum != MANY)
		return fail(vt, "the trace's syn_recv_sock_toa increases add up to %lld, want %d", sum, MANY);
	if (stat_get(&b, "syn_recv_sock_toa") - stat_get(&a, "syn_recv_sock_toa") != MANY)
		return fail(vt, "syn_recv_sock_toa moved by %lld, want %d (a connection counted twice?)",
			    stat_get(&b, "syn_recv_sock_toa") - stat_get(&a, "syn_recv_sock_toa"), MANY);
	return expect_in(vt, tr.out, "\"connections\":100,\"verdicts\":{\"accepted\":100},\"incomplete\":0,"
			 "\"untraced\":0,\"dropped\":0");
}

/* the child of step_netns: a fresh namespace, loopback only */
static int netns_child(struct vt *vt)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct ifreq ifr;
	socklen_t len = sizeof(sa);
	char want[128], line[4096], peer[64];
	int s, lfd, c, afd;

	if (unshare(CLONE_NEWNET))
		return fail(vt, "unshare(CLONE_NEWNET): %s", strerror(errno));
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0))
		return fail(vt, "lo up in the new namespace: %s", strerror(errno));
	close(s);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 8) || getsockname(lfd, (struct sockaddr *)&sa, &len))
		return fail(vt, "listening on 127.0.0.1: %s", strerror(errno));
	/* no --port: the namespace's one listening port */
	if (trace_start(vt, "--count", "1", NULL, NULL))
		return -1;
	snprintf(want, sizeof(want), "\"ports\":[%u],\"all_listening\":true", ntohs(sa.sin_port));
	if (expect_in(vt, tr.out, want))
		return -1;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) || write(c, "hi\n", 3) != 3)
		return fail(vt, "connecting over loopback: %s", strerror(errno));
	afd = accept_to(vt, lfd, peer, sizeof(peer), TIMEOUT_MS);
	if (afd < 0)
		return -1;
	len = sizeof(sa);
	getsockname(c, (struct sockaddr *)&sa, &len);
	snprintf(want, sizeof(want), "127.0.0.1:%u", ntohs(sa.sin_port));
	if (trace_end(vt) || conn_line(vt, want, line, sizeof(line)) ||
	    expect_in(vt, line, "\"verdict\":\"no_toa\"") ||
	    expect_in(vt, line, "\"payload\":3"))
		return -1;
	close(afd);
	close(c);
	close(lfd);
	return 0;
}

static int step_netns(struct vt *vt)
{
	int pfd[2], code;
	pid_t pid;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC))
		return fail(vt, "pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return fail(vt, "fork: %s", strerror(errno));
	if (pid == 0) {
		int r = netns_child(vt);

		trace_kill();
		if (r && write(pfd[1], vt->err, strlen(vt->err)) < 0)
			_exit(2);
		_exit(r ? 1 : 0);
	}
	close(pfd[1]);
	code = t_wait(pid, 3 * TRACE_WAIT_MS);
	n = read(pfd[0], vt->err, sizeof(vt->err) - 1);
	close(pfd[0]);
	vt->err[n > 0 ? n : 0] = '\0';
	if (code != 0)
		return vt->err[0] ? -1 : fail(vt, "network namespace step: exit %d", code);
	return 0;
}

static int step_sigint(struct vt *vt, const struct lsns *l)
{
	if (trace_start(vt, "--port", l->arg, "--count", "0"))
		return -1;
	kill(tr.pid, SIGINT);
	if (trace_end(vt))
		return -1;
	return expect_in(vt, tr.out, "{\"type\":\"summary\",\"connections\":0,");
}

int sc_cli_trace(struct vt *vt)
{
	struct lsns l = { .fd4 = -1, .fd6 = -1 };
	int r = -1;

	tr.pid = -1;
	l.fd4 = listener(vt, LSN_V4, &l.port4);
	if (l.fd4 < 0)
		return -1;
	l.fd6 = listener(vt, LSN_V6_ONLY, &l.port6);
	if (l.fd6 < 0)
		goto out;
	snprintf(l.arg, sizeof(l.arg), "%u,%u", l.port4, l.port6);
	r = step_verdicts(vt, &l) || step_untrusted(vt, &l) || step_unloaded(vt, &l) ||
	    step_many(vt, &l) || step_netns(vt) || step_sigint(vt, &l);
out:
	trace_kill();
	close(l.fd4);
	if (l.fd6 >= 0)
		close(l.fd6);
	params_default(vt);
	return r ? -1 : 0;
}
