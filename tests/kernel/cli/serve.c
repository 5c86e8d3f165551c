/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * serve.c - cli_serve: toa-check serve answers an IPv4 and an IPv6
 * request through the emulator; its access log shows the TOA client and,
 * after "via", the emulated load balancer. The initramfs has no
 * inet_diag.ko/tcp_diag.ko, so the "via" address comes from toa-check's
 * /proc/net/tcp{,6} fallback there.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SERVE_PORT 18080

static pid_t serve_pid = -1; /* the toa-check serve child, -1 once reaped */

/* the TCP state (hex, as in /proc/net/tcp*) of the server socket whose peer port is @port */
static void server_state(uint16_t port, char *out, size_t cap)
{
	static const char *const files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
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
static int http_get(struct vt *vt, int family, uint16_t port, char *resp, size_t cap,
		    uint16_t *lb_port)
{
	static const char get[] = "GET /toa HTTP/1.0\r\nHost: www.example.com\r\n"
				  "User-Agent: toa-vmtest\r\n\r\n";
	struct lbsim_conn c;
	uint8_t o[20];
	size_t n = family == AF_INET
		? lbsim_toa_v4(o, TOA_DEFAULT_KIND, &vt->client4, VT_CLIENT_PORT)
		: lbsim_toa_v6(o, TOA_DEFAULT_KIND, &vt->client6, VT_CLIENT_PORT);
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
		return vt_fail(vt, "reading the answer: %s (got \"%.60s\")", strerror((int)-k),
			       resp);
	}
	/* generous: the host running this VM under TCG may be busy */
	err = lbsim_close(&c, 4 * VT_TIMEOUT_MS);
	if (err) {
		char state[64];

		server_state(c.lb_port, state, sizeof(state));
		return vt_fail(
			vt,
			"%s: closing the request connection: %s (emulator: fin_sent %u fin_acked %u fin_rtx %u peer_fin %u snd_una %u snd_nxt %u; server socket: %s)",
			family == AF_INET ? "IPv4" : "IPv6", strerror(-err), c.fin_sent,
			c.fin_acked, c.fin_rtx, c.peer_fin, c.snd_una, c.snd_nxt, state);
	}
	if (c.fin_rtx)
		vt_log(vt, "%s: our FIN was sent %u more time(s) before the server acknowledged it",
		       family == AF_INET ? "IPv4" : "IPv6", c.fin_rtx);
	return 0;
}

/* start toa-check serve --count 2 and wait until it listens */
static int serve_start(struct vt *vt, char *out, size_t cap)
{
	char port_arg[16], line[256], err[2048];
	const char *argv[] = {vt->toa_check, "serve", "--port", port_arg, "--count", "2", NULL};
	int waited, code;

	snprintf(port_arg, sizeof(port_arg), "%d", SERVE_PORT);
	serve_pid = cli_spawn(argv, "/tmp/serve.out", "/tmp/serve.err");
	if (serve_pid < 0)
		return vt_fail(vt, "fork: %s", strerror(errno));
	snprintf(line, sizeof(line), "listening on [::]:%d", SERVE_PORT);
	for (waited = 0;; waited += 50) {
		out[0] = '\0';
		vt_read_all("/tmp/serve.out", out, cap);
		if (cli_has_line(out, line))
			return 0;
		if (waitpid(serve_pid, &code, WNOHANG) == serve_pid) {
			serve_pid = -1;
			vt_read_all("/tmp/serve.err", err, sizeof(err));
			return vt_fail(vt, "toa-check serve ended before listening: \"%s\" \"%s\"",
				       out, err);
		}
		if (waited > CLI_TIMEOUT_MS)
			return vt_fail(vt, "toa-check serve: no \"%s\" after %d ms", line, waited);
		usleep(50000);
	}
}

static int cli_serve(struct vt *vt)
{
	char out[8192], resp[2048], line[256];
	uint16_t lb4_port, lb6_port;
	int code;

	if (serve_start(vt, out, sizeof(out)))
		return -1;
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

	code = cli_wait(serve_pid, CLI_TIMEOUT_MS);
	serve_pid = -1;
	vt_read_all("/tmp/serve.out", out, sizeof(out));
	vt_read_all("/tmp/serve.err", resp, sizeof(resp));
	vt_log(vt, "serve: exit %d\n%s%s", code, out, resp);
	if (code != 0)
		return vt_fail(vt, "toa-check serve --count 2: exit %d, want 0 (stderr \"%.200s\")",
			       code, resp);
	snprintf(line, sizeof(line),
		 "203.0.113.7:4321 via 198.51.100.2:%u \"GET /toa HTTP/1.0\" 200", lb4_port);
	if (!cli_has_line(out, line))
		return vt_fail(vt, "access log \"%s\" lacks the line \"%s\"", out, line);
	snprintf(line, sizeof(line),
		 "[2001:db8:c0::7]:4321 via [2001:db8:1::2]:%u \"GET /toa HTTP/1.0\" 200",
		 lb6_port);
	if (!cli_has_line(out, line))
		return vt_fail(vt, "access log \"%s\" lacks the line \"%s\"", out, line);

	/* bad input: one line, exit 2 */
	if (cli_run(vt, &cli_buf, "serve", "--port", "70000", NULL) ||
	    cli_expect_usage_error(vt, &cli_buf, "70000") ||
	    cli_run(vt, &cli_buf, "serve", "--bind", "not-an-address", "--port", "0", NULL) ||
	    cli_expect_usage_error(vt, &cli_buf, "not-an-address"))
		return -1;
	return 0;
}

/* a serve child still running after a failure */
static void serve_stop(struct vt *vt)
{
	(void)vt;
	if (serve_pid > 0) {
		kill(serve_pid, SIGKILL);
		waitpid(serve_pid, NULL, 0);
	}
	serve_pid = -1;
}

VT_SCENARIO(cli_serve, .order = KT_CLI_SERVE, .needs_module = true, .cli = true,
	    .teardown = serve_stop);
