/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the toa module shows to user space.
 *
 * Shared by the module, toa-check and the tests. Plain C, no kernel
 * headers beyond the type shim, so both worlds can include it.
 */
#ifndef TOA_UAPI_H
#define TOA_UAPI_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/in6.h>
#else
#include <stdint.h>
#include <netinet/in.h>
#endif

/*
 * NAT64 look-up: getsockopt(fd, IPPROTO_IP, TOA_SO_GET_LOOKUP, &peer, &len)
 * on a TCP socket returns the client the load balancer announced, as an
 * IPv6 address (an IPv4 client is returned v4-mapped, ::ffff:a.b.c.d).
 * Fails with ENOENT when the connection carried no usable TOA, EINVAL when
 * len is smaller than the structure. The number and layout are the ones
 * other TOA modules use, so existing NAT64-aware servers keep working.
 */
#define TOA_SO_BASE		4096
#define TOA_SO_GET_LOOKUP	TOA_SO_BASE

struct toa_nat64_peer {
	struct in6_addr saddr;	/* client address */
	uint16_t sport;		/* client port, network byte order */
};

/* /proc/net/toa_stats: one "name value" pair per line, in this order. */
#define TOA_STATS_FILE "/proc/net/toa_stats"

/* Defaults and limits of the module parameters. */
#define TOA_DEFAULT_KIND	254
#define TOA_DEFAULT_KIND2	253	/* Huawei ELB IPv6 */
#define TOA_DEFAULT_KINDS	"254,253"
#define TOA_LEGACY_KIND		200
#define TOA_DEFAULT_MAX_ENTRIES	262144
#define TOA_MAX_TRUSTED		64

#endif /* TOA_UAPI_H */
