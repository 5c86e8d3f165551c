/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vmtest_util.c - helpers of toa-vmtest; see vmtest.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

int fail(struct vt *vt, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vt->err, sizeof(vt->err), fmt, ap);
	va_end(ap);
	return -1;
}

void vlog(struct vt *vt, const char *fmt, ...)
{
	va_list ap;

	if (!vt->verbose)
		return;
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* ---- module ---- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

int mod_load(const char *path, const char *params)
{
	int fd, flags = 0, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ends_with(path, ".xz") || ends_with(path, ".zst") ||
	    ends_with(path, ".gz"))
		flags |= MODULE_INIT_COMPRESSED_FILE;
	if (syscall(SYS_finit_module, fd, params ? params : "", flags) != 0) {
		err = -errno;
		if (err == -ENOSYS && !flags) {
			/* no finit_module: read the file, init_module it */
			struct stat st;
			char *img = NULL;

			if (fstat(fd, &st) == 0 && st.st_size > 0)
				img = malloc((size_t)st.st_size);
			if (img && pread(fd, img, (size_t)st.st_size, 0) ==
			    st.st_size)
				err = syscall(SYS_init_module, img,
					      (unsigned long)st.st_size,
					      params ? params : "") ? -errno : 0;
			free(img);
		}
	}
	close(fd);
	return err;
}

int mod_unload(const char *name)
{
	if (syscall(SYS_delete_module, name, O_NONBLOCK) != 0)
		return -errno;
	return 0;
}

bool mod_loaded(const char *name)
{
	char line[512];
	size_t n = strlen(name);
	bool found = false;
	FILE *f = fopen("/proc/modules", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ' ')
			found = true;
	fclose(f);
	return found;
}

int vt_load(struct vt *vt, const char *params)
{
	int err;

	if (vt->no_module)
		return fail(vt, "module loading disabled (--no-module)");
	err = mod_load(vt->module_path, params);
	if (err)
		return fail(vt, "loading %s with \"%s\": %s", vt->module_path,
			    params ? params : "", strerror(-err));
	return 0;
}

int vt_unload(struct vt *vt)
{
	int err, tries;

	if (vt->no_module)
		return fail(vt, "module loading disabled (--no-module)");
	/* a module that is still initialising answers EBUSY/EAGAIN briefly */
	for (tries = 0; tries < 20; tries++) {
		err = mod_unload(MODULE_NAME);
		if (err != -EBUSY && err != -EAGAIN)
			break;
		usleep(100000);
	}
	if (err)
		return fail(vt, "delete_module(toa): %s", strerror(-err));
	return 0;
}

/* ---- files ---- */

int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t w;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, text, len);
	if (w < 0)
		err = -errno;
	else if ((size_t)w != len)
		err = -EIO;
	if (close(fd) != 0 && !err)
		err = -errno;
	return err;
}

int read_file(const char *path, char *buf, size_t cap)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int param_set(const char *name, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	return write_file(path, value);
}

int param_get(const char *name, char *buf, size_t cap)
{
	char path[256];

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	return read_file(path, buf, cap);
}

/* ---- statistics ---- */

int stats_read(struct vt *vt, struct stats *st)
{
	char line[256];
	FILE *f = fopen(TOA_STATS_FILE, "re");

	if (!f)
		return fail(vt, "%s missing (%s): module not loaded?",
			    TOA_STATS_FILE, strerror(errno));
	st->n = 0;
	while (fgets(line, sizeof(line), f) && st->n < STATS_MAX) {
		char name[40];
		long long v;

		if (sscanf(line, "%39s %lld", name, &v) != 2)
			continue;
		snprintf(st->name[st->n], sizeof(st->name[0]), "%s", name);
		st->value[st->n++] = v;
	}
	fclose(f);
	if (!st->n)
		return fail(vt, "%s has no \"name value\" lines", TOA_STATS_FILE);
	return 0;
}

long long stat_get(const struct stats *st, const char *name)
{
	int i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->name[i], name))
			return st->value[i];
	return -1;
}

int expect_delta(struct vt *vt, const struct stats *a, const struct stats *b,
		 const char *name, long long min)
{
	long long x = stat_get(a, name), y = stat_get(b, name);

	if (x < 0 || y < 0)
		return fail(vt, "counter %s missing from %s", name,
			    TOA_STATS_FILE);
	if (y - x < min)
		return fail(vt, "counter %s moved by %lld (%lld -> %lld), want at least %lld",
			    name, y - x, x, y, min);
	return 0;
}

void stats_dump(void)
{
	char line[256];
	FILE *f = fopen(TOA_STATS_FILE, "re");

	if (!f) {
		printf("# %s: %s\n", TOA_STATS_FILE, strerror(errno));
		return;
	}
	printf("# %s:\n", TOA_STATS_FILE);
	while (fgets(line, sizeof(line), f))
		printf("#   %s", line);
	fclose(f);
}

int wait_live_zero(struct vt *vt, int ms)
{
	struct stats st;
	int waited = 0;

	for (;;) {
		long long live, alloc, freed;

		if (stats_read(vt, &st))
			return -1;
		live = stat_get(&st, "entries_live");
		alloc = stat_get(&st, "entries_allocated");
		freed = stat_get(&st, "entries_freed");
		if (live < 0 || alloc < 0 || freed < 0)
			return fail(vt, "entries_live/allocated/freed missing from %s",
				    TOA_STATS_FILE);
		if (live == 0 && alloc == freed)
			return 0;
		if (waited >= ms)
			return fail(vt, "after %d ms: entries_live %lld, allocated %lld, freed %lld",
				    waited, live, alloc, freed);
		usleep(100000);
		waited += 100;
	}
}

/* ---- kernel log ---- */

static char *kmsg_all(int *len)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf;

	if (size <= 0)
		size = 1 << 20;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return NULL;
	*len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (*len < 0) {
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

int kmsg_count(const char *needle)
{
	int len, count = 0;
	char *buf = kmsg_all(&len), *p;

	if (!buf)
		return -errno;
	for (p = buf; (p = strstr(p, needle)); p += strlen(needle))
		count++;
	free(buf);
	return count;
}

void kmsg_dump_toa(void)
{
	int len;
	char *buf = kmsg_all(&len), *line, *save = NULL;

	if (!buf)
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strstr(line, "TOA") || strstr(line, "toa"))
			printf("# dmesg: %s\n", line);
	free(buf);
}

/* ---- server side ---- */

void fmt_sockaddr(const struct sockaddr *sa, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, cap, "%s:%u", a, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(out, cap, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		snprintf(out, cap, "<family %d>", sa->sa_family);
	}
}

void addr_port(char *out, size_t cap, const char *addr, uint16_t port)
{
	if (strchr(addr, ':'))
		snprintf(out, cap, "[%s]:%u", addr, port);
	else
		snprintf(out, cap, "%s:%u", addr, port);
}

int listener(struct vt *vt, enum lsn kind, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd;
	int family = kind == LSN_V4 ? AF_INET : AF_INET6;

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(vt, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		int v6only = kind == LSN_V6_ONLY;

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			       sizeof(v6only)) < 0) {
			close(fd);
			return fail(vt, "IPV6_V6ONLY: %s", strerror(errno));
		}
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		len = sizeof(*s4);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 512) < 0) {
		fail(vt, "bind/listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		fail(vt, "getsockname: %s", strerror(errno));
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
				       : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

int accept_to(struct vt *vt, int lfd, char *addr, size_t cap, int ms)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	if (poll(&pfd, 1, ms) <= 0)
		return fail(vt, "no connection to accept within %d ms", ms);
	fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
	if (fd < 0)
		return fail(vt, "accept: %s", strerror(errno));
	fmt_sockaddr((struct sockaddr *)&ss, addr, cap);
	return fd;
}

int peer_str(struct vt *vt, int fd, char *out, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return fail(vt, "getpeername: %s", strerror(errno));
	fmt_sockaddr((struct sockaddr *)&ss, out, cap);
	return 0;
}

/* ---- sessions ---- */

int sess_open(struct vt *vt, struct session *s, int lfd, uint16_t port,
	      int family, const uint8_t *opts, size_t optlen)
{
	const void *lb = family == AF_INET ? (const void *)&vt->lb4
					   : (const void *)&vt->lb6;
	const void *srv = family == AF_INET ? (const void *)&vt->srv4
					    : (const void *)&vt->srv6;
	int err;

	s->fd = -1;
	err = lbsim_conn_init(&s->c, vt->tun, family, lb, 0, srv, port);
	if (!err)
		err = lbsim_connect(&s->c, NULL, 0, opts, optlen, TIMEOUT_MS);
	if (err)
		return fail(vt, "emulated handshake to port %u: %s", port,
			    strerror(-err));
	s->fd = accept_to(vt, lfd, s->accepted, sizeof(s->accepted),
			  TIMEOUT_MS);
	if (s->fd < 0) {
		lbsim_reset(&s->c);
		return -1;
	}
	return 0;
}

int sess_expect_getpeername(struct vt *vt, struct session *s,
			    const char *addr, uint16_t port)
{
	char peer[96], want[96];

	addr_port(want, sizeof(want), addr, port ? port : s->c.lb_port);
	if (peer_str(vt, s->fd, peer, sizeof(peer)))
		return -1;
	if (strcmp(peer, want))
		return fail(vt, "getpeername() gave %s, want %s", peer, want);
	return 0;
}

int sess_expect_peer(struct vt *vt, struct session *s, const char *addr,
		     uint16_t port)
{
	char peer[96], want[96];

	addr_port(want, sizeof(want), addr, port ? port : s->c.lb_port);
	if (strcmp(s->accepted, want))
		return fail(vt, "accept() gave %s, want %s", s->accepted, want);
	if (peer_str(vt, s->fd, peer, sizeof(peer)))
		return -1;
	if (strcmp(peer, want))
		return fail(vt, "getpeername() gave %s, want %s", peer, want);
	return 0;
}

int sess_exchange(struct vt *vt, struct session *s)
{
	/* odd length: the checksum of an odd payload must be right too */
	static const char req[] = "ping from the load balancer!\n";
	static const char ans[] = "pong from the server\n";
	char buf[256];
	size_t got = 0;
	int err;

	err = lbsim_send(&s->c, req, sizeof(req) - 1, NULL, 0);
	if (err)
		return fail(vt, "emulator send: %s", strerror(-err));
	while (got < sizeof(req) - 1) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, TIMEOUT_MS) <= 0)
			return fail(vt, "server got %zu of %zu request bytes",
				    got, sizeof(req) - 1);
		n = read(s->fd, buf + got, sizeof(buf) - got);
		if (n <= 0)
			return fail(vt, "server read: %s",
				    n ? strerror(errno) : "EOF");
		got += (size_t)n;
	}
	if (memcmp(buf, req, sizeof(req) - 1))
		return fail(vt, "server read other bytes than were sent");
	if (write(s->fd, ans, sizeof(ans) - 1) != (ssize_t)(sizeof(ans) - 1))
		return fail(vt, "server write: %s", strerror(errno));
	got = 0;
	while (got < sizeof(ans) - 1) {
		ssize_t n = lbsim_recv(&s->c, buf + got, sizeof(buf) - got,
				       TIMEOUT_MS);

		if (n <= 0)
			return fail(vt, "emulator got %zu of %zu answer bytes: %s",
				    got, sizeof(ans) - 1,
				    n ? strerror((int)-n) : "FIN");
		got += (size_t)n;
	}
	if (memcmp(buf, ans, sizeof(ans) - 1))
		return fail(vt, "emulator read other bytes than were sent");
	return 0;
}

int sess_close(struct vt *vt, struct session *s)
{
	int err;

	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	err = lbsim_close(&s->c, TIMEOUT_MS);
	if (err)
		return fail(vt, "orderly close: %s", strerror(-err));
	return 0;
}

void sess_abort(struct session *s)
{
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	if (s->c.established && !s->c.reset &&
	    !(s->c.peer_fin && s->c.fin_acked))
		lbsim_reset(&s->c);
}

int one_conn(struct vt *vt, int lfd, uint16_t port, int family,
	     const uint8_t *opts, size_t optlen, const char *addr,
	     uint16_t want_port)
{
	struct session s;

	if (sess_open(vt, &s, lfd, port, family, opts, optlen))
		return -1;
	if (sess_expect_peer(vt, &s, addr, want_port) || sess_exchange(vt, &s) ||
	    sess_close(vt, &s)) {
		sess_abort(&s);
		return -1;
	}
	return 0;
}

static int tun_configure(struct vt *vt, const char **what)
{
	const char *knobs[] = { "accept_dad", "disable_ipv6" };
	char path[128];
	size_t i;
	int err;

	inet_pton(AF_INET, SRV4, &vt->srv4);
	inet_pton(AF_INET, LB4, &vt->lb4);
	inet_pton(AF_INET, CLIENT4, &vt->client4);
	inet_pton(AF_INET6, SRV6, &vt->srv6);
	inet_pton(AF_INET6, LB6, &vt->lb6);
	inet_pton(AF_INET6, CLIENT6, &vt->client6);

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s",
			 lbsim_tun_name(vt->tun), knobs[i]);
		write_file(path, "0");
	}
	*what = "bringing it up";
	err = lbsim_tun_up(vt->tun);
	if (err)
		return err;
	*what = "IPv4 address";
	err = lbsim_tun_add_addr(vt->tun, AF_INET, &vt->srv4, 24);
	if (err)
		return err;
	*what = "IPv6 address";
	return lbsim_tun_add_addr(vt->tun, AF_INET6, &vt->srv6, 64);
}

int vt_setup_net(struct vt *vt, const char *name, const char *tun_module)
{
	const char *what = "";
	int err;

	err = lbsim_tun_open(&vt->tun, name);
	if ((err == -ENOENT || err == -ENODEV) && tun_module) {
		int e2 = mod_load(tun_module, "");

		if (e2 && e2 != -EEXIST)
			return fail(vt, "loading %s: %s", tun_module, strerror(-e2));
		err = lbsim_tun_open(&vt->tun, name);
	}
	if (err)
		return fail(vt, "opening /dev/net/tun: %s", strerror(-err));
	err = tun_configure(vt, &what);
	if (err)
		return fail(vt, "configuring %s (%s): %s",
			    lbsim_tun_name(vt->tun), what, strerror(-err));
	return 0;
}

bool vt_selected(const char *only, const char *name)
{
	size_t n = strlen(name);
	const char *p = only;

	if (!only)
		return true;
	while ((p = strstr(p, name))) {
		if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}
