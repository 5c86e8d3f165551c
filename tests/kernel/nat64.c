/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * nat64.c - getsockopt(TOA_SO_GET_LOOKUP): the TOA client of a connection
 * whose socket cannot show it (an IPv6 client on an IPv4 socket, as a
 * NAT64 gateway's server sees it), v4-mapped for an IPv4 client, ENOENT
 * without TOA.
 */
#include "kt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

/* 0, errno (> 0) when getsockopt failed, -1 with vt_fail() on a bad answer */
static int lookup(struct vt *vt, int fd, struct toa_nat64_peer *p)
{
	socklen_t len = sizeof(*p);

	memset(p, 0, sizeof(*p));
	if (getsockopt(fd, IPPROTO_IP, TOA_SO_GET_LOOKUP, p, &len) < 0)
		return errno; /* positive: the call failed */
	if (len != sizeof(*p))
		return vt_fail(vt, "TOA_SO_GET_LOOKUP returned length %u, want %zu",
			       (unsigned int)len, sizeof(*p));
	return 0;
}

/* an IPv6 TOA on an IPv4 socket: getpeername keeps the LB, the lookup tells */
static int ipv6_client(struct vt *vt, struct vt_session *s)
{
	char got[INET6_ADDRSTRLEN], want[INET6_ADDRSTRLEN];
	struct toa_nat64_peer p;
	struct vt_stats a, b;
	uint8_t o[20];
	size_t n = kt_toa6(vt, o, TOA_DEFAULT_KIND, VT_CLIENT6, VT_CLIENT_PORT);
	socklen_t len;
	int err;

	if (vt_stats_read(vt, &a) || vt_sess_open(vt, s, vt->fx.lfd, vt->fx.port, AF_INET, o, n) ||
	    vt_sess_expect_peer(vt, s, VT_LB4, 0))
		return -1;
	err = lookup(vt, s->fd, &p);
	if (err == -1)
		return -1;
	if (err)
		return vt_fail(vt, "getsockopt(TOA_SO_GET_LOOKUP): %s", strerror(err));
	inet_ntop(AF_INET6, &p.saddr, got, sizeof(got));
	inet_ntop(AF_INET6, &vt->client6, want, sizeof(want));
	if (memcmp(&p.saddr, &vt->client6, sizeof(p.saddr)) || ntohs(p.sport) != VT_CLIENT_PORT)
		return vt_fail(vt, "TOA_SO_GET_LOOKUP gave [%s]:%u, want [%s]:%u", got,
			       ntohs(p.sport), want, VT_CLIENT_PORT);
	len = sizeof(p) - 1;
	if (getsockopt(s->fd, IPPROTO_IP, TOA_SO_GET_LOOKUP, &p, &len) == 0 || errno != EINVAL)
		return vt_fail(vt, "TOA_SO_GET_LOOKUP with a short buffer: %s, want EINVAL",
			       strerror(errno));
	if (vt_stats_read(vt, &b) || vt_expect_delta(vt, &a, &b, "nat64_lookup", 1) ||
	    vt_expect_delta(vt, &a, &b, "getname_toa_mismatch", 1) || vt_sess_exchange(vt, s))
		return -1;
	return 0;
}

/* an IPv4 TOA is answered v4-mapped */
static int ipv4_client(struct vt *vt, struct vt_session *s)
{
	char got[INET6_ADDRSTRLEN];
	struct toa_nat64_peer p;
	struct in6_addr mapped;
	uint8_t o[8];
	size_t n = kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, VT_CLIENT_PORT);
	int err;

	if (vt_sess_open(vt, s, vt->fx.lfd, vt->fx.port, AF_INET, o, n) ||
	    vt_sess_expect_peer(vt, s, VT_CLIENT4, VT_CLIENT_PORT))
		return -1;
	err = lookup(vt, s->fd, &p);
	if (err == -1)
		return -1;
	if (err)
		return vt_fail(vt, "getsockopt(TOA_SO_GET_LOOKUP) on an IPv4 TOA: %s",
			       strerror(err));
	inet_pton(AF_INET6, "::ffff:" VT_CLIENT4, &mapped);
	inet_ntop(AF_INET6, &p.saddr, got, sizeof(got));
	if (memcmp(&p.saddr, &mapped, sizeof(mapped)) || ntohs(p.sport) != VT_CLIENT_PORT)
		return vt_fail(vt, "TOA_SO_GET_LOOKUP gave [%s]:%u, want [::ffff:%s]:%u", got,
			       ntohs(p.sport), VT_CLIENT4, VT_CLIENT_PORT);
	return 0;
}

/* three connections, all left open until the fixture closes them */
static int nat64(struct vt *vt)
{
	struct toa_nat64_peer p;
	int err;

	if (ipv6_client(vt, &vt->fx.s[0]) || ipv4_client(vt, &vt->fx.s[1]))
		return -1;
	/* no TOA: ENOENT */
	if (vt_sess_open(vt, &vt->fx.s[2], vt->fx.lfd, vt->fx.port, AF_INET, NULL, 0))
		return -1;
	err = lookup(vt, vt->fx.s[2].fd, &p);
	if (err != ENOENT)
		return vt_fail(vt, "TOA_SO_GET_LOOKUP without TOA: %s, want ENOENT",
			       err == -1     ? strdupa(vt->err)
				       : err ? strerror(err)
					     : "success");
	return 0;
}
VT_SCENARIO(nat64, .order = KT_NAT64, .needs_module = true, .listener = VT_LSN_V4, .sessions = 3);
