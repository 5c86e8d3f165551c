/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_net.h - the test network (a TUN device whose far side is the
 * load-balancer emulator), listeners on the kernel side, accept() and
 * address formatting.
 */
#ifndef VT_NET_H
#define VT_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "vt_core.h"

/* Test addresses: documentation ranges only. */
#define VT_SRV4	       "198.51.100.1" /* kernel side of the TUN device */
#define VT_LB4	       "198.51.100.2" /* the emulated load balancer */
#define VT_SRV6	       "2001:db8:1::1"
#define VT_LB6	       "2001:db8:1::2"
#define VT_CLIENT4     "203.0.113.7" /* the client announced in TOA */
#define VT_CLIENT6     "2001:db8:c0::7"
#define VT_CLIENT_PORT 4321
#define VT_OTHER_NET4  "192.0.2.0/24" /* a CIDR that does not hold VT_LB4 */
#define VT_LB_NET4     "198.51.100.0/24"

/*
 * Open the TUN device @name into @vt->tun (loading @tun_module first when
 * the kernel has no TUN yet and @tun_module is not NULL), fill the test
 * addresses of @vt and configure the device: up, VT_SRV4/24 and VT_SRV6/64
 * on it (the rest of each prefix routes through the emulator), IPv6
 * without duplicate address detection so the address is usable at once.
 */
int vt_setup_net(struct vt *vt, const char *name, const char *tun_module);

/* listener kinds; 0 means "none" where a kind is optional */
enum vt_lsn { VT_LSN_V4 = 1, VT_LSN_V6_ONLY, VT_LSN_V6_DUAL };
/* listen on 0.0.0.0 / [::] on a free port; the socket, or -1 */
int vt_listener(struct vt *vt, enum vt_lsn kind, uint16_t *port);
/* accept with a timeout; the peer accept() gave is formatted into @addr */
int vt_accept(struct vt *vt, int lfd, char *addr, size_t cap, int ms);

/* "a.b.c.d:port" / "[v6]:port" */
void vt_fmt_sockaddr(const struct sockaddr *sa, char *out, size_t cap);
void vt_addr_port(char *out, size_t cap, const char *addr, uint16_t port);
/* getpeername() of @fd formatted, or vt_fail() */
int vt_peer_str(struct vt *vt, int fd, char *out, size_t cap);
/* the same without a struct vt: -errno, and "<getpeername: ...>" in @out */
int vt_peer_of(int fd, char *out, size_t cap);

#endif /* VT_NET_H */
