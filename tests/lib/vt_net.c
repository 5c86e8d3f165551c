/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_net.c - the test network, listeners and addresses; see vt_net.h.
 */
#include "vt_net.h"
#include "vt_file.h"
#include "vt_module.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lbsim.h"

static int tun_configure(struct vt *vt, const char **what)
{
	const char *knobs[] = {"accept_dad", "disable_ipv6"};
	char path[128];
	size_t i;
	int err;

	inet_pton(AF_INET, VT_SRV4, &vt->srv4);
	inet_pton(AF_INET, VT_LB4, &vt->lb4);
	inet_pton(AF_INET, VT_CLIENT4, &vt->client4);
	inet_pton(AF_INET6, VT_SRV6, &vt->srv6);
	inet_pton(AF_INET6, VT_LB6, &vt->lb6);
	inet_pton(AF_INET6, VT_CLIENT6, &vt->client6);

	for (i = 0; i < VT_ARRAY_SIZE(knobs); i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s",
			 lbsim_tun_name(vt->tun), knobs[i]);
		vt_write_file(path, "0");
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
		int e2 = vt_mod_load(tun_module, "");

		if (e2 && e2 != -EEXIST)
			return vt_fail(vt, "loading %s: %s", tun_module, strerror(-e2));
		err = lbsim_tun_open(&vt->tun, name);
	}
	if (err)
		return vt_fail(vt, "opening /dev/net/tun: %s", strerror(-err));
	err = tun_configure(vt, &what);
	if (err)
		return vt_fail(vt, "configuring %s (%s): %s", lbsim_tun_name(vt->tun), what,
			       strerror(-err));
	return 0;
}

void vt_fmt_sockaddr(const struct sockaddr *sa, char *out, size_t cap)
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

void vt_addr_port(char *out, size_t cap, const char *addr, uint16_t port)
{
	if (strchr(addr, ':'))
		snprintf(out, cap, "[%s]:%u", addr, port);
	else
		snprintf(out, cap, "%s:%u", addr, port);
}

int vt_listener(struct vt *vt, enum vt_lsn kind, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd;
	int family = kind == VT_LSN_V4 ? AF_INET : AF_INET6;

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vt_fail(vt, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		int v6only = kind == VT_LSN_V6_ONLY;

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0) {
			close(fd);
			return vt_fail(vt, "IPV6_V6ONLY: %s", strerror(errno));
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
		vt_fail(vt, "bind/listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		vt_fail(vt, "getsockname: %s", strerror(errno));
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

int vt_accept(struct vt *vt, int lfd, char *addr, size_t cap, int ms)
{
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	if (poll(&pfd, 1, ms) <= 0)
		return vt_fail(vt, "no connection to accept within %d ms", ms);
	fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
	if (fd < 0)
		return vt_fail(vt, "accept: %s", strerror(errno));
	vt_fmt_sockaddr((struct sockaddr *)&ss, addr, cap);
	return fd;
}

int vt_peer_of(int fd, char *out, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0) {
		int e = errno;

		snprintf(out, cap, "<getpeername: %s>", strerror(e));
		return -e;
	}
	vt_fmt_sockaddr((struct sockaddr *)&ss, out, cap);
	return 0;
}

int vt_peer_str(struct vt *vt, int fd, char *out, size_t cap)
{
	int err = vt_peer_of(fd, out, cap);

	if (err)
		return vt_fail(vt, "getpeername: %s", strerror(-err));
	return 0;
}
