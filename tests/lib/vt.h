/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vmtest.h - shared pieces of toa-vmtest: the test context, helpers for the
 * module (load/unload, parameters, statistics, kernel log) and for the
 * server side (listeners, accept, address formatting), and one emulated
 * "session" = LB connection + accepted server socket.
 */
#ifndef VMTEST_H
#define VMTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "lbsim.h"
#include "toa_uapi.h"

#define MODULE_NAME	"toa"
#define PARAM_DIR	"/sys/module/toa/parameters/"
#define TIMEOUT_MS	5000

/* Test addresses: documentation ranges only. */
#define SRV4	"198.51.100.1"	/* kernel side of the TUN device */
#define LB4	"198.51.100.2"	/* the emulated load balancer */
#define SRV6	"2001:db8:1::1"
#define LB6	"2001:db8:1::2"
#define CLIENT4	"203.0.113.7"	/* the client announced in TOA */
#define CLIENT6	"2001:db8:c0::7"
#define CLIENT_PORT 4321
#define OTHER_NET4 "192.0.2.0/24"	/* a CIDR that does not hold LB4 */
#define LB_NET4	"198.51.100.0/24"

struct vt {
	const char *module_path;	/* NULL with --no-module */
	bool no_module;
	bool verbose;
	const char *toa_check;		/* --toa-check PATH: the CLI scenarios */
	struct lbsim_tun *tun;
	struct in_addr srv4, lb4, client4;
	struct in6_addr srv6, lb6, client6;
	char err[512];			/* reason of the last failure */
};

/* Record a failure reason; always returns -1 so "return fail(...)" works. */
int fail(struct vt *vt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vlog(struct vt *vt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- module ---- */
int mod_load(const char *path, const char *params);	/* 0 or -errno */
int mod_unload(const char *name);			/* 0 or -errno */
bool mod_loaded(const char *name);
/* load the module under test with @params; fail() with a reason */
int vt_load(struct vt *vt, const char *params);
int vt_unload(struct vt *vt);

/* ---- files ---- */
int write_file(const char *path, const char *text);	/* 0 or -errno */

/*
 * Open the TUN device @name into @vt->tun (loading @tun_module first when
 * the kernel has no TUN yet and @tun_module is not NULL), fill the test
 * addresses of @vt (SRV4, LB4, CLIENT4 and the IPv6 ones) and configure the
 * device: up, SRV4/24 and SRV6/64 on it (the rest of each prefix routes
 * through the emulator), IPv6 without duplicate address detection so the
 * address is usable at once. 0, or -1 with the reason in @vt->err.
 */
int vt_setup_net(struct vt *vt, const char *name, const char *tun_module);

/* Is @name one of the comma-separated names in @only (NULL: all)? */
bool vt_selected(const char *only, const char *name);
int read_file(const char *path, char *buf, size_t cap);	/* 0 or -errno, trailing newline cut */
int param_set(const char *name, const char *value);	/* write PARAM_DIR/name */
int param_get(const char *name, char *buf, size_t cap);

/* ---- /proc/net/toa_stats ---- */
#define STATS_MAX 48
struct stats {
	int n;
	char name[STATS_MAX][40];
	long long value[STATS_MAX];
};
/* 0, or fail() with "module statistics missing" when the file is absent */
int stats_read(struct vt *vt, struct stats *st);
long long stat_get(const struct stats *st, const char *name);	/* -1 absent */
/* fail unless @name moved by at least @min between @a and @b */
int expect_delta(struct vt *vt, const struct stats *a, const struct stats *b,
		 const char *name, long long min);
void stats_dump(void);	/* print /proc/net/toa_stats as "# ..." lines */
/* wait up to @ms for entries_live == 0 and allocated == freed */
int wait_live_zero(struct vt *vt, int ms);

/* ---- kernel log ---- */
/* how many kernel log lines contain @needle; -errno on error */
int kmsg_count(const char *needle);
void kmsg_dump_toa(void);	/* print the "TOA:" lines as "# ..." */

/* ---- server side ---- */
enum lsn { LSN_V4, LSN_V6_ONLY, LSN_V6_DUAL };
/* listen on 0.0.0.0 / [::] on a free port; -1 with fail() set */
int listener(struct vt *vt, enum lsn kind, uint16_t *port);
/* accept with a timeout; the returned address is formatted into @addr */
int accept_to(struct vt *vt, int lfd, char *addr, size_t cap, int ms);
void fmt_sockaddr(const struct sockaddr *sa, char *out, size_t cap);
int peer_str(struct vt *vt, int fd, char *out, size_t cap);

/* ---- sessions: one emulated connection + its accepted socket ---- */
struct session {
	struct lbsim_conn c;
	int fd;			/* accepted socket, -1 when closed */
	char accepted[96];	/* what accept() returned */
};
/*
 * Handshake from the LB of @family (AF_INET/AF_INET6) to the listener
 * @lfd/@port (the server address is SRV4/SRV6 by LB family), with @opts in
 * the ACK, and accept the child.
 */
int sess_open(struct vt *vt, struct session *s, int lfd, uint16_t port,
	      int family, const uint8_t *opts, size_t optlen);
/*
 * accept()/getpeername() must both equal @addr:@port ("[..]:port" for
 * IPv6); @port 0 stands for the emulated connection's LB port.
 */
int sess_expect_peer(struct vt *vt, struct session *s, const char *addr,
		     uint16_t port);
/* the same for getpeername() alone (accept() happened earlier) */
int sess_expect_getpeername(struct vt *vt, struct session *s,
			    const char *addr, uint16_t port);
/* a request/answer round trip proves the connection works */
int sess_exchange(struct vt *vt, struct session *s);
/* server closes, emulator completes the FIN handshake */
int sess_close(struct vt *vt, struct session *s);
/* best effort cleanup after a failure */
void sess_abort(struct session *s);

/*
 * The whole routine for one connection: open with @opts, expect
 * @addr:@want_port (as in sess_expect_peer) from accept and getpeername,
 * exchange data, close.
 */
int one_conn(struct vt *vt, int lfd, uint16_t port, int family,
	     const uint8_t *opts, size_t optlen, const char *addr,
	     uint16_t want_port);

/* "a.b.c.d:port" / "[v6]:port" of the test addresses */
void addr_port(char *out, size_t cap, const char *addr, uint16_t port);

/* ---- scenarios ---- */
struct scenario {
	const char *name;
	int (*run)(struct vt *vt);
	bool needs_module;	/* FAIL at once with --no-module */
	bool cli;		/* runs toa-check: listed only with --toa-check */
};
extern const struct scenario scenarios[];
extern const size_t n_scenarios;

/* ---- toa-check scenarios (cli_scenarios.c) ---- */
int sc_cli_load(struct vt *vt);
int sc_cli_doctor_json(struct vt *vt);
int sc_cli_stats(struct vt *vt);
int sc_cli_selftest(struct vt *vt);
int sc_cli_serve(struct vt *vt);
int sc_cli_trace(struct vt *vt);	/* cli_trace.c */

#endif /* VMTEST_H */
