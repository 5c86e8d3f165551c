/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * http.c - the classic check: an HTTP server (a child process) logs the
 * address accept() gave it. kt_http() also runs without TOA as lb_http
 * (lb.c).
 */
#include "kt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void http_child(int lfd, int logfd)
{
	static const char resp[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
				   "Content-Length: 6\r\n\r\nhello\n";
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};
	char req[1024], host[INET6_ADDRSTRLEN] = "?", *eol;
	size_t got = 0;
	int fd;

	if (poll(&pfd, 1, VT_TIMEOUT_MS) <= 0)
		_exit(2);
	fd = accept(lfd, (struct sockaddr *)&ss, &len);
	if (fd < 0)
		_exit(3);
	while (got < sizeof(req) - 1) {
		ssize_t n = read(fd, req + got, sizeof(req) - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[got] = '\0';
	eol = strstr(req, "\r\n");
	if (eol)
		*eol = '\0';
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof(host));
	if (write(fd, resp, sizeof(resp) - 1) < 0)
		_exit(4);
	close(fd);
	/* a common-log-format-like access line */
	dprintf(logfd, "%s - - [vmtest] \"%s\" 200 6\n", host, req);
	_exit(0);
}

/* GET through the emulator with @o (also in the first data segment) */
static int http_get(struct vt *vt, uint16_t lport, const uint8_t *o, size_t n)
{
	static const char get[] = "GET / HTTP/1.0\r\nHost: www.example.com\r\n"
				  "User-Agent: toa-vmtest\r\n\r\n";
	char resp[2048];
	struct lbsim_conn c;
	size_t got = 0;
	ssize_t k;
	int err, r = -1;

	/* like a real LB: TOA in the handshake ACK and in the first data */
	err = lbsim_conn_init(&c, vt->tun, AF_INET, &vt->lb4, 0, &vt->srv4, lport);
	if (!err)
		err = lbsim_connect(&c, NULL, 0, o, n, VT_TIMEOUT_MS);
	if (!err)
		err = lbsim_send(&c, get, sizeof(get) - 1, o, n);
	if (err) {
		vt_fail(vt, "emulator: %s", strerror(-err));
		goto out;
	}
	for (;;) {
		k = lbsim_recv(&c, resp + got, sizeof(resp) - 1 - got, VT_TIMEOUT_MS);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	resp[got] = '\0';
	if (k < 0) {
		vt_fail(vt, "reading the answer: %s (got \"%.40s\")", strerror((int)-k), resp);
		goto out;
	}
	if (strncmp(resp, "HTTP/1.0 200 OK\r\n", 17) || !strstr(resp, "\r\n\r\nhello\n")) {
		vt_fail(vt, "unexpected answer \"%.60s\"", resp);
		goto out;
	}
	err = lbsim_close(&c, VT_TIMEOUT_MS);
	if (err) {
		vt_fail(vt, "closing: %s", strerror(-err));
		goto out;
	}
	r = 0;
out:
	if (r && c.established && !c.reset)
		lbsim_reset(&c);
	return r;
}

/* the access line the child wrote, without its newline */
static size_t read_log(int fd, char *line, size_t cap)
{
	size_t got = 0;
	ssize_t k;

	while (got < cap - 1 && (k = read(fd, line + got, cap - 1 - got)) > 0)
		got += (size_t)k;
	line[got] = '\0';
	if (got && line[got - 1] == '\n')
		line[got - 1] = '\0';
	return got;
}

int kt_http(struct vt *vt)
{
	const struct kt_client *cl = vt->arg;
	const char *want = cl ? cl->addr : VT_LB4;
	char logline[512], prefix[64];
	uint8_t o[8];
	size_t n = cl ? kt_toa4(vt, o, TOA_DEFAULT_KIND, cl->addr, cl->port) : 0;
	uint16_t lport;
	int lfd, pfd[2], status, r;
	pid_t pid;

	lfd = vt_listener(vt, VT_LSN_V4, &lport);
	if (lfd < 0)
		return -1;
	if (pipe(pfd) < 0) {
		close(lfd);
		return vt_fail(vt, "pipe: %s", strerror(errno));
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(lfd);
		close(pfd[0]);
		close(pfd[1]);
		return vt_fail(vt, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(pfd[0]);
		http_child(lfd, pfd[1]);
	}
	close(pfd[1]);
	close(lfd);
	r = http_get(vt, lport, n ? o : NULL, n);
	read_log(pfd[0], logline, sizeof(logline));
	close(pfd[0]);
	waitpid(pid, &status, 0);
	if (r)
		return r;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return vt_fail(vt, "HTTP server child ended with status 0x%x", status);
	vt_log(vt, "access log: %s", logline);
	snprintf(prefix, sizeof(prefix), "%s ", want);
	if (strncmp(logline, prefix, strlen(prefix)) || !strstr(logline, "\"GET / HTTP/1.0\""))
		return vt_fail(vt, "access log line \"%s\" does not start with %s", logline, want);
	return 0;
}
VT_SCENARIO_AS(http, kt_http, .order = KT_HTTP, .needs_module = true, .arg = &kt_client4);
