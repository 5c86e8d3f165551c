/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * kt.h - what the toa-vmtest scenarios share: their run order and the
 * helpers more than one topic file uses.
 */
#ifndef KT_H
#define KT_H

#include "vt.h"

/*
 * The run order of toa-vmtest (the .order of each registration). The
 * module is loaded first and unloaded last; the emulator alone (lb_*) is
 * checked before anything relies on it; scenarios that reload the module
 * come after those that only use it.
 */
enum kt_order {
	KT_MODULE_LOADED = 1, /* module.c */
	KT_STATS_FORMAT,
	KT_NO_TOA,	     /* toa.c */
	KT_LB_DUAL_LISTENER, /* lb.c */
	KT_LB_SYNCOOKIES,
	KT_LB_HTTP,
	KT_LB_MANY_CONNS,
	KT_LB_ODD_OPTIONS,
	KT_LB_TFO,
	KT_IPV4_TOA, /* toa.c */
	KT_IPV6_TOA,
	KT_V4_ON_DUAL_LISTENER,
	KT_SYNCOOKIES, /* handshake.c */
	KT_TFO,
	KT_BAD_OPTIONS, /* options.c: malformed_len0 ... exid_bpf */
	KT_TOA_IN_DATA_ONLY,
	KT_BAD_CLIENT,
	KT_KINDS, /* kinds.c */
	KT_EXID,
	KT_EXID_SYN,
	KT_TOA_ON_SYN, /* where.c */
	KT_SYN_TOA_COOKIE,
	KT_DEFER_ACCEPT,
	KT_DEFER_NO_TOA,
	KT_DATA_COMPLETES,
	KT_FIRST_WINS,
	KT_MPTCP, /* owner.c */
	KT_KERNEL_SOCKET,
	KT_FULL_REUSED_TUPLE,
	KT_TRUSTED_SOURCES, /* trusted.c */
	KT_NAT64,	    /* nat64.c */
	KT_HTTP,	    /* http.c */
	KT_TABLE_FULL,	    /* table.c */
	KT_LIVE_ZERO,
	KT_UNACCEPTED_FREED,
	KT_BAD_RUNTIME_PARAMS, /* module.c */
	KT_LEGACY_KIND,
	KT_BAD_LOAD_PARAMS,
	KT_RMMOD_WITH_OPEN,	   /* rmmod.c */
	KT_LIVE_ZERO_AFTER_RELOAD, /* table.c */
	KT_CLI_LOAD,		   /* cli/: toa-check, only with --toa-check */
	KT_CLI_DOCTOR_JSON,
	KT_CLI_STATS,
	KT_CLI_SELFTEST,
	KT_CLI_SERVE,
	KT_CLI_TRACE,
	KT_MODULE_UNLOADED, /* module.c */
};

/* ---- building option areas (conn.c) ---- */

/* a TOA option for @ip (the test client when @ip does not parse) */
size_t kt_toa4(struct vt *vt, uint8_t *o, uint8_t kind, const char *ip, uint16_t port);
size_t kt_toa6(struct vt *vt, uint8_t *o, uint8_t kind, const char *ip, uint16_t port);

/*
 * The argument of the routines that run with and without TOA (syncookies,
 * tfo, http and their lb_* twins): the client the option announces. No
 * argument (NULL): no TOA option; the load balancer must be shown.
 */
struct kt_client {
	const char *addr;
	uint16_t port;
};
extern const struct kt_client kt_client4; /* VT_CLIENT4:VT_CLIENT_PORT */

/*
 * One connection through a fresh listener of @kind; the peer must be
 * @addr:@port (port 0 = the LB port); with @counter set, that counter
 * must move by at least @min.
 */
int kt_check_conn(struct vt *vt, enum vt_lsn kind, int family, const uint8_t *opts, size_t optlen,
		  const char *addr, uint16_t port, const char *counter, long long min);

/* /proc/net/netstat "TcpExt:" value of @name, -1 when absent (conn.c) */
long long kt_netstat(const char *name);

/* ---- shared with lb.c and rmmod.c ---- */

/* option areas the module must refuse (options.c); lb_odd_options too */
struct kt_bad_opt {
	const char *name;
	uint8_t bytes[LBSIM_MAX_OPTLEN];
	size_t len;
	const char *counter;
};
extern const struct kt_bad_opt kt_bad_opts[];
extern const size_t kt_n_bad_opts;

/* the routines behind syncookies/tfo/http and lb_syncookies/lb_tfo/lb_http */
int kt_syncookies(struct vt *vt); /* handshake.c */
int kt_tfo(struct vt *vt);	  /* handshake.c */
int kt_http(struct vt *vt);	  /* http.c */
/* the fixtures they need, for their registrations */
#define KT_SYNCOOKIES_FIXTURE .sysctl = {"/proc/sys/net/ipv4/tcp_syncookies", "2"}
/* tcp_fastopen: client (1) + server (2) + server without cookie (0x200) */
#define KT_TFO_FIXTURE \
	.sysctl = {"/proc/sys/net/ipv4/tcp_fastopen", "515"}, .listener = VT_LSN_V4, .sessions = 1

int kt_ipv4_toa(struct vt *vt); /* toa.c: the ipv4_toa scenario */

#endif /* KT_H */
