/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * trace.c - cli_trace: "toa-check trace --json" in the booted kernel,
 * watching the emulated load balancer's handshakes while the module acts
 * on them. Each step runs the trace in the background, makes connections
 * through lbsim, and checks the trace's JSON line for each connection
 * against what was sent, and against what the module did: accept() /
 * getpeername() and the counters the trace reports.
 *
 *   verdicts   kind 254 on the ACK (accepted), kind 200 while 254,253 is
 *              configured (wrong kind + the fix), TOA only on a data
 *              segment after the ACK (not read), no TOA, IPv6 kind 253
 *   untrusted  trusted_sources without the balancer (+ the fix)
 *   unloaded   no module: its defaults, no counters
 *   many       100 connections traced: none lost, none refused, every
 *              one on its line, the counters add up
 *   netns      in a new network namespace, on loopback, no --port
 *   sigint     SIGINT ends an unbounded trace with its summary
 *
 * The verdicts are toa-check's model of the module (cli/src/toa_rules.cpp);
 * the module's own answer is checked beside them where the two must agree.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cli.h"

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

#define TRACE_OUT     "/tmp/trace.out"
#define TRACE_ERR     "/tmp/trace.err"
#define TRACE_WAIT_MS 60000 /* TCG is slow: start-up, a line, the exit */
#define TRACE_OUT_CAP (512 * 1024)
#define MANY	      100

static struct {
	pid_t pid; /* the toa-check trace child, -1 once reaped */
	int code;
	char out[TRACE_OUT_CAP];
	char err[8192];
} tr = {.pid = -1};

/* the listeners: plain IPv4 and IPv6-only, so accept() shows plain addresses */
struct lsns {
	int fd4, fd6;
	uint16_t port4, port6;
	char arg[16]; /* the --port value: both */
};

static int count_of(const char *text, const char *needle)
{
	int n = 0;

	while ((text = strstr(text, needle))) {
		n++;
		text += strlen(needle);
	}
	return n;
}

/* the trace's output has @n occurrences of @needle (it keeps running) */
static int wait_for(struct vt *vt, const char *needle, int n)
{
	int waited;

	for (waited = 0; waited < TRACE_WAIT_MS; waited += 20) {
		tr.out[0] = '\0';
		vt_read_all(TRACE_OUT, tr.out, sizeof(tr.out));
		if (count_of(tr.out, needle) >= n)
			return 0;
		if (waitpid(tr.pid, NULL, WNOHANG) == tr.pid) {
			tr.pid = -1;
			vt_read_all(TRACE_ERR, tr.err, sizeof(tr.err));
			return vt_fail(
				vt,
				"toa-check trace ended early; stdout \"%.300s\" stderr \"%.300s\"",
				tr.out, tr.err);
		}
		usleep(20000);
	}
	return vt_fail(vt, "toa-check trace: no %d x '%s' after %d ms; stdout \"%.300s\"", n,
		       needle, TRACE_WAIT_MS, tr.out);
}

/* start "toa-check trace --json --seconds 600 A1..A4" and wait until it captures */
static int trace_start(struct vt *vt, const char *a1, const char *a2, const char *a3,
		       const char *a4)
{
	const char *argv[] = {vt->toa_check, "trace", "--json", "--seconds", "600", a1, a2, a3, a4,
			      NULL};

	/* the previous run's start line must not be taken for this one's */
	unlink(TRACE_OUT);
	unlink(TRACE_ERR);
	tr.out[0] = tr.err[0] = '\0';
	tr.pid = cli_spawn(argv, TRACE_OUT, TRACE_ERR);
	if (tr.pid < 0)
		return vt_fail(vt, "fork: %s", strerror(errno));
	return wait_for(vt, "{\"type\":\"start\"", 1);
}

/* the trace ends by itself: exit 0, nothing on stderr, a summary */
static int trace_end(struct vt *vt)
{
	if (tr.pid > 0) {
		tr.code = cli_wait(tr.pid, TRACE_WAIT_MS);
		tr.pid = -1;
	}
	tr.out[0] = tr.err[0] = '\0';
	vt_read_all(TRACE_OUT, tr.out, sizeof(tr.out));
	vt_read_all(TRACE_ERR, tr.err, sizeof(tr.err));
	vt_log(vt, "trace: exit %d\n%s%s", tr.code, tr.out, tr.err);
	if (tr.code != 0 || tr.err[0])
		return vt_fail(vt, "toa-check trace: exit %d, stderr \"%.300s\"", tr.code, tr.err);
	if (!strstr(tr.out, "{\"type\":\"summary\""))
		return vt_fail(vt, "toa-check trace: no summary line in \"%.300s\"", tr.out);
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

/* ---- its JSON lines ---- */

/*
 * The line of type @type (and, for "connection", with balancer @lb) as
 * JSON; every line before it must parse too. NULL with vt_fail().
 */
static struct vt_json *trace_line(struct vt *vt, const char *type, const char *lb)
{
	char *text = tr.out, *nl, err[160];

	for (; *text; text = nl + 1) {
		struct vt_json *j, *t, *b;

		nl = strchr(text, '\n');
		if (!nl)
			return vt_fail(vt, "unterminated trace line \"%.200s\"", text), NULL;
		*nl = '\0';
		j = vt_json_parse(text, err, sizeof(err));
		*nl = '\n';
		if (!j)
			return vt_fail(vt, "trace line is not JSON (%s): %.200s", err, text), NULL;
		t = vt_json_get(j, "type");
		b = vt_json_get(j, "balancer");
		if (t && t->s && !strcmp(t->s, type) && (!lb || (b && b->s && !strcmp(b->s, lb))))
			return j;
		vt_json_free(j);
	}
	return vt_fail(vt, "no %s line%s%s in the trace: \"%.400s\"", type, lb ? " for " : "",
		       lb ? lb : "", tr.out),
	       NULL;
}

/* the value at "a.b.c" below @v, NULL when absent */
static const struct vt_json *jpath(const struct vt_json *v, const char *path)
{
	char key[64];
	const char *dot;

	while (v && *path) {
		dot = strchr(path, '.');
		snprintf(key, sizeof(key), "%.*s", (int)(dot ? dot - path : (long)strlen(path)),
			 path);
		v = vt_json_get(v, key);
		path = dot ? dot + 1 : "";
	}
	return v;
}

/*
 * @path is the string @want, or null when @want is NULL; a number or a
 * bool is compared by its text ("254", "true").
 */
static int expect(struct vt *vt, const struct vt_json *line, const char *path, const char *want)
{
	const struct vt_json *v = jpath(line, path);
	const char *got;

	if (!v)
		return vt_fail(vt, "trace line without %s", path);
	if (!want) {
		if (v->t != VT_JSON_NULL)
			return vt_fail(vt, "trace %s is not null", path);
		return 0;
	}
	got = v->t == VT_JSON_BOOL ? (v->b ? "true" : "false") : v->s;
	if (!got || strcmp(got, want))
		return vt_fail(vt, "trace %s is \"%s\", want \"%s\"", path,
			       got ? got : "(null or nested)", want);
	return 0;
}

/* ---- connections ---- */

/*
 * One connection: @opts in the ACK, or, with @data_opts, a data segment
 * after the handshake carrying them; accept() must give @want:@want_port
 * (port 0: the LB port). The LB address with port goes to @lb.
 */
static int conn(struct vt *vt, const struct lsns *l, int family, const uint8_t *opts, size_t optlen,
		bool data_opts, const char *want, uint16_t want_port, char *lb, size_t cap)
{
	static const char data[] = "late option\n";
	struct vt_session s = {.fd = -1};
	int lfd = family == AF_INET ? l->fd4 : l->fd6;
	uint16_t port = family == AF_INET ? l->port4 : l->port6;
	char buf[64];
	size_t got = 0;
	int err;

	if (vt_sess_open(vt, &s, lfd, port, family, data_opts ? NULL : opts,
			 data_opts ? 0 : optlen))
		return -1;
	vt_addr_port(lb, cap, family == AF_INET ? VT_LB4 : VT_LB6, s.c.lb_port);
	if (data_opts) {
		err = lbsim_send(&s.c, data, sizeof(data) - 1, opts, optlen);
		if (err) {
			vt_sess_abort(&s);
			return vt_fail(vt, "emulator send: %s", strerror(-err));
		}
		while (got < sizeof(data) - 1) {
			struct pollfd pfd = {.fd = s.fd, .events = POLLIN};
			ssize_t k;

			if (poll(&pfd, 1, VT_TIMEOUT_MS) <= 0 ||
			    (k = read(s.fd, buf + got, sizeof(buf) - got)) <= 0) {
				vt_sess_abort(&s);
				return vt_fail(vt, "the data segment did not arrive");
			}
			got += (size_t)k;
		}
	}
	if (vt_sess_expect_peer(vt, &s, want, want_port) || vt_sess_close(vt, &s)) {
		vt_sess_abort(&s);
		return -1;
	}
	return 0;
}

#define CONN "\"type\":\"connection\""
#define C4   VT_CLIENT4 ":4321"

static int params_default(struct vt *vt)
{
	return vt_param_set(vt, "option_kinds", TOA_DEFAULT_KINDS) ||
		vt_param_set(vt, "trusted_sources", "");
}

/* @line's verdict, and the packet, kind and client that decided it */
static int expect_verdict(struct vt *vt, const struct vt_json *line, const char *verdict,
			  const char *packet, const char *kind, const char *client)
{
	return expect(vt, line, "verdict", verdict) || expect(vt, line, "packet", packet) ||
		expect(vt, line, "kind", kind) || expect(vt, line, "client", client);
}

static int check_verdicts(struct vt *vt, char lb[5][96])
{
	struct vt_json *j;
	int r;

	if (!(j = trace_line(vt, "start", NULL)))
		return -1;
	r = expect(vt, j, "module_loaded", "true") || expect(vt, j, "option_kinds", "254,253") ||
		expect(vt, j, "trusted_sources", "");
	vt_json_free(j);
	if (r)
		return -1;

	/* kind 254 on the ACK */
	if (!(j = trace_line(vt, "connection", lb[0])))
		return -1;
	r = expect_verdict(vt, j, "accepted", "ack", "254", C4) ||
		expect(vt, j, "ack.toa.kind", "254") || expect(vt, j, "ack.toa.length", "8") ||
		expect(vt, j, "ack.read", "true") || expect(vt, j, "syn.toa", NULL) ||
		expect(vt, j, "fix", "") || expect(vt, j, "counters.syn_recv_sock_toa", "1");
	vt_json_free(j);
	if (r)
		return -1;

	/* kind 200 while 254,253 is configured */
	if (!(j = trace_line(vt, "connection", lb[1])))
		return -1;
	r = expect_verdict(vt, j, "wrong_kind", "ack", "200", C4) ||
		expect(vt, j, "ack.outcome", "wrong_kind") ||
		expect(vt, j, "fix",
		       "toa-check enable --option-kinds 254,253,200\n"
		       "echo '254,253,200' > /sys/module/toa/parameters/option_kinds   (now, without reload)") ||
		expect(vt, j, "counters.syn_recv_sock_no_toa", "1");
	vt_json_free(j);
	if (r)
		return -1;

	/* TOA only on the data segment after the handshake */
	if (!(j = trace_line(vt, "connection", lb[2])))
		return -1;
	r = expect_verdict(vt, j, "not_read", "data", "254", C4) ||
		expect(vt, j, "ack.toa", NULL) || expect(vt, j, "data.read", "false") ||
		expect(vt, j, "data.outcome", "accepted") || expect(vt, j, "data.payload", "12") ||
		expect(vt, j, "data.completes_handshake", "false") ||
		expect(vt, j, "counters.syn_recv_sock_no_toa", "1");
	vt_json_free(j);
	if (r)
		return -1;

	/* no TOA */
	if (!(j = trace_line(vt, "connection", lb[3])))
		return -1;
	r = expect_verdict(vt, j, "no_toa", NULL, NULL, NULL) ||
		expect(vt, j, "summary",
		       "no TOA: this balancer sends no client address: enable TOA / "
		       "client address transfer on the listener") ||
		expect(vt, j, "counters.syn_recv_sock_no_toa", "1");
	vt_json_free(j);
	if (r)
		return -1;

	/* IPv6, kind 253 */
	if (!(j = trace_line(vt, "connection", lb[4])))
		return -1;
	r = expect(vt, j, "family", "6") ||
		expect_verdict(vt, j, "accepted", "ack", "253", "[" VT_CLIENT6 "]:4321") ||
		expect(vt, j, "ack.toa.length", "20") ||
		expect(vt, j, "counters.syn_recv_sock_toa", "1");
	vt_json_free(j);
	if (r)
		return -1;

	if (!(j = trace_line(vt, "summary", NULL)))
		return -1;
	r = expect(vt, j, "connections", "5") || expect(vt, j, "verdicts.accepted", "2") ||
		expect(vt, j, "verdicts.wrong_kind", "1") ||
		expect(vt, j, "verdicts.not_read", "1") || expect(vt, j, "verdicts.no_toa", "1") ||
		expect(vt, j, "incomplete", "0") || expect(vt, j, "untraced", "0") ||
		expect(vt, j, "dropped", "0");
	vt_json_free(j);
	return r ? -1 : 0;
}

static int step_verdicts(struct vt *vt, const struct lsns *l)
{
	char lb[5][96];
	uint8_t o[20];
	size_t n;

	if (params_default(vt) || trace_start(vt, "--port", l->arg, "--count", "5"))
		return -1;
	/* each connection's line before the next begins: counters stay apart */
	n = lbsim_toa_v4(o, 254, &vt->client4, VT_CLIENT_PORT);
	if (conn(vt, l, AF_INET, o, n, false, VT_CLIENT4, VT_CLIENT_PORT, lb[0], 96) ||
	    wait_for(vt, CONN, 1))
		return -1;
	n = lbsim_toa_v4(o, 200, &vt->client4, VT_CLIENT_PORT);
	if (conn(vt, l, AF_INET, o, n, false, VT_LB4, 0, lb[1], 96) || wait_for(vt, CONN, 2))
		return -1;
	n = lbsim_toa_v4(o, 254, &vt->client4, VT_CLIENT_PORT);
	if (conn(vt, l, AF_INET, o, n, true, VT_LB4, 0, lb[2], 96) || wait_for(vt, CONN, 3))
		return -1;
	if (conn(vt, l, AF_INET, NULL, 0, false, VT_LB4, 0, lb[3], 96) || wait_for(vt, CONN, 4))
		return -1;
	n = lbsim_toa_v6(o, 253, &vt->client6, VT_CLIENT_PORT);
	if (conn(vt, l, AF_INET6, o, n, false, VT_CLIENT6, VT_CLIENT_PORT, lb[4], 96) ||
	    trace_end(vt))
		return -1;
	return check_verdicts(vt, lb);
}

static int step_untrusted(struct vt *vt, const struct lsns *l)
{
	struct vt_json *j;
	char lb[96];
	uint8_t o[8];
	size_t n = lbsim_toa_v4(o, 254, &vt->client4, VT_CLIENT_PORT);
	int r;

	if (vt_param_set(vt, "trusted_sources", VT_OTHER_NET4) ||
	    trace_start(vt, "--port", l->arg, "--count", "1") ||
	    conn(vt, l, AF_INET, o, n, false, VT_LB4, 0, lb, sizeof(lb)) || trace_end(vt) ||
	    !(j = trace_line(vt, "connection", lb)))
		return -1;
	r = expect_verdict(vt, j, "untrusted", "ack", "254", C4) ||
		expect(vt, j, "fix",
		       "toa-check enable --trusted-sources " VT_OTHER_NET4 "," VT_LB4 "/32\n"
		       "echo '" VT_OTHER_NET4 "," VT_LB4
		       "/32' > /sys/module/toa/parameters/trusted_sources"
		       "   (now, without reload)") ||
		expect(vt, j, "counters.untrusted", "1");
	vt_json_free(j);
	return params_default(vt) || r ? -1 : 0;
}

static int step_unloaded(struct vt *vt, const struct lsns *l)
{
	struct vt_json *s = NULL, *j = NULL;
	char lb[96];
	uint8_t o[8];
	size_t n = lbsim_toa_v4(o, 254, &vt->client4, VT_CLIENT_PORT);
	int r = -1;

	if (vt_unload(vt))
		return -1;
	/* the module's defaults; the LB shown, as nothing rewrites it */
	if (trace_start(vt, "--port", l->arg, "--count", "1") ||
	    conn(vt, l, AF_INET, o, n, false, VT_LB4, 0, lb, sizeof(lb)) || trace_end(vt) ||
	    !(s = trace_line(vt, "start", NULL)) || !(j = trace_line(vt, "connection", lb)))
		goto out;
	r = expect(vt, s, "module_loaded", "false") || expect(vt, s, "option_kinds", "254,253") ||
		expect(vt, s, "trusted_sources", "") ||
		expect_verdict(vt, j, "accepted", "ack", "254", C4) ||
		expect(vt, j, "counters", NULL);
out:
	vt_json_free(s);
	vt_json_free(j);
	trace_kill();
	return vt_load(vt, "") || r ? -1 : 0;
}

static int step_many(struct vt *vt, const struct lsns *l)
{
	static const char accepted[] = "\"verdict\":\"accepted\",\"packet\":\"ack\",\"kind\":254,"
				       "\"client\":\"" C4 "\"";
	struct vt_stats a, b;
	struct vt_json *j;
	const char *p;
	uint8_t o[8];
	size_t n = lbsim_toa_v4(o, 254, &vt->client4, VT_CLIENT_PORT);
	long long sum = 0;
	int i, r;

	if (vt_stats_read(vt, &a) || trace_start(vt, "--port", l->arg, "--count", "100"))
		return -1;
	for (i = 0; i < MANY; i++)
		if (vt_one_conn(vt, l->fd4, l->port4, AF_INET, o, n, VT_CLIENT4, VT_CLIENT_PORT)) {
			vt_log(vt, "connection %d of %d failed", i + 1, MANY);
			return -1;
		}
	if (trace_end(vt) || vt_stats_read(vt, &b) ||
	    vt_expect_delta_eq(vt, &a, &b, "syn_recv_sock_toa", MANY))
		return -1;
	if (count_of(tr.out, CONN) != MANY || count_of(tr.out, accepted) != MANY)
		return vt_fail(vt, "%d connection lines, %d accepted with the client; want %d",
			       count_of(tr.out, CONN), count_of(tr.out, accepted), MANY);
	/* every connection was seen, and the module counted each once */
	for (p = tr.out; (p = strstr(p, "\"syn_recv_sock_toa\":")); p++)
		sum += atoll(p + strlen("\"syn_recv_sock_toa\":"));
	if (sum != MANY)
		return vt_fail(vt,
			       "the trace's syn_recv_sock_toa increases add up to %lld, want %d",
			       sum, MANY);
	if (!(j = trace_line(vt, "summary", NULL)))
		return -1;
	r = expect(vt, j, "connections", "100") || expect(vt, j, "verdicts.accepted", "100") ||
		expect(vt, j, "incomplete", "0") || expect(vt, j, "untraced", "0") ||
		expect(vt, j, "dropped", "0");
	vt_json_free(j);
	return r ? -1 : 0;
}

/* the child of step_netns: a fresh namespace, loopback only */
static int netns_child(struct vt *vt)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	const struct vt_json *ports;
	struct vt_json *j;
	struct ifreq ifr;
	socklen_t len = sizeof(sa);
	char want[64], peer[64];
	int s, lfd, c, afd, r;

	if (unshare(CLONE_NEWNET))
		return vt_fail(vt, "unshare(CLONE_NEWNET): %s", strerror(errno));
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0))
		return vt_fail(vt, "lo up in the new namespace: %s", strerror(errno));
	close(s);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 8) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len))
		return vt_fail(vt, "listening on 127.0.0.1: %s", strerror(errno));
	/* no --port: the namespace's one listening port */
	if (trace_start(vt, "--count", "1", NULL, NULL) || !(j = trace_line(vt, "start", NULL)))
		return -1;
	snprintf(want, sizeof(want), "%u", ntohs(sa.sin_port));
	ports = vt_json_get(j, "ports");
	r = expect(vt, j, "all_listening", "true") ||
		((!ports || vt_json_len(ports) != 1 || !ports->kids->s ||
		  strcmp(ports->kids->s, want)) &&
		 vt_fail(vt, "trace ports are not [%s]: %.200s", want, tr.out));
	vt_json_free(j);
	if (r)
		return -1;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) || write(c, "hi\n", 3) != 3)
		return vt_fail(vt, "connecting over loopback: %s", strerror(errno));
	afd = vt_accept(vt, lfd, peer, sizeof(peer), VT_TIMEOUT_MS);
	if (afd < 0)
		return -1;
	len = sizeof(sa);
	getsockname(c, (struct sockaddr *)&sa, &len);
	snprintf(want, sizeof(want), "127.0.0.1:%u", ntohs(sa.sin_port));
	if (trace_end(vt) || !(j = trace_line(vt, "connection", want)))
		return -1;
	r = expect_verdict(vt, j, "no_toa", NULL, NULL, NULL) || expect(vt, j, "data.payload", "3");
	vt_json_free(j);
	close(afd);
	close(c);
	close(lfd);
	return r ? -1 : 0;
}

static int step_netns(struct vt *vt)
{
	int pfd[2], code;
	pid_t pid;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC))
		return vt_fail(vt, "pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return vt_fail(vt, "fork: %s", strerror(errno));
	if (pid == 0) {
		int r = netns_child(vt);

		trace_kill();
		if (r && write(pfd[1], vt->err, strlen(vt->err)) < 0)
			_exit(2);
		_exit(r ? 1 : 0);
	}
	close(pfd[1]);
	code = cli_wait(pid, 3 * TRACE_WAIT_MS);
	n = read(pfd[0], vt->err, sizeof(vt->err) - 1);
	close(pfd[0]);
	vt->err[n > 0 ? n : 0] = '\0';
	if (code != 0)
		return vt->err[0] ? -1 : vt_fail(vt, "network namespace step: exit %d", code);
	return 0;
}

static int step_sigint(struct vt *vt, const struct lsns *l)
{
	struct vt_json *j;
	int r;

	if (trace_start(vt, "--port", l->arg, "--count", "0"))
		return -1;
	kill(tr.pid, SIGINT);
	if (trace_end(vt) || !(j = trace_line(vt, "summary", NULL)))
		return -1;
	r = expect(vt, j, "connections", "0");
	vt_json_free(j);
	return r;
}

static int cli_trace(struct vt *vt)
{
	struct lsns l = {.fd4 = -1, .fd6 = -1};
	int r = -1;

	l.fd4 = vt_listener(vt, VT_LSN_V4, &l.port4);
	if (l.fd4 < 0)
		return -1;
	l.fd6 = vt_listener(vt, VT_LSN_V6_ONLY, &l.port6);
	if (l.fd6 < 0)
		goto out;
	snprintf(l.arg, sizeof(l.arg), "%u,%u", l.port4, l.port6);
	r = step_verdicts(vt, &l) || step_untrusted(vt, &l) || step_unloaded(vt, &l) ||
		step_many(vt, &l) || step_netns(vt) || step_sigint(vt, &l);
out:
	close(l.fd4);
	if (l.fd6 >= 0)
		close(l.fd6);
	return r ? -1 : 0;
}

/* a trace child still running after a failure */
static void trace_stop(struct vt *vt)
{
	(void)vt;
	trace_kill();
}

VT_SCENARIO(cli_trace, .order = KT_CLI_TRACE, .needs_module = true, .cli = true,
	    .keep_param = "option_kinds", .clear_trusted = true, .teardown = trace_stop);
