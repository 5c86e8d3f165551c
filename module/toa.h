/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module's files share.
 *
 * One file per concern:
 *   toa_main.c    load and unload, in order, with full undo
 *   toa_param.c   option_kind, trusted_sources, max_entries
 *   toa_table.c   the private socket -> client table (RCU hash)
 *   toa_stats.c   per-CPU counters and /proc/net/toa_stats
 *   toa_hook.c    the kretprobes/kprobe on the TCP stack
 *   toa_sockopt.c the NAT64 getsockopt
 *   toa_opt.c     the option parser (pure C, shared with user space)
 *   toa_cidr.c    the CIDR list (pure C, shared with user space)
 *   compat/       everything that differs between kernels
 */
#ifndef TOA_H
#define TOA_H

#include <linux/types.h>
#include <linux/in6.h>

#include "toa_opt.h"

struct sock;

/* ---- counters (toa_stats.c) ---- */
enum toa_counter {
	TOA_SYN_RECV_SOCK_TOA,
	TOA_SYN_RECV_SOCK_NO_TOA,
	TOA_GETNAME_OK,
	TOA_GETNAME_MISMATCH,
	TOA_GETNAME_BYPASS,
	TOA_GETNAME_EMPTY,
	TOA_UNTRUSTED,
	TOA_MALFORMED,
	TOA_BAD_CLIENT,
	TOA_EXID_SKIPPED,
	TOA_TABLE_FULL,
	TOA_NAT64_LOOKUP,
	TOA_ENTRIES_ALLOCATED,
	TOA_ENTRIES_FREED,
	TOA_NR_COUNTERS
};

void toa_count(enum toa_counter c);
int toa_stats_init(void);
void toa_stats_exit(void);

/* ---- parameters (toa_param.c) ---- */
u8 toa_param_kind(void);
unsigned int toa_param_max_entries(void);
/* Is @addr (4 or 16 bytes per @family) allowed to send TOA? */
bool toa_param_source_trusted(u8 family, const void *addr);

/* ---- table (toa_table.c) ---- */
struct toa_peer {
	struct in6_addr addr;	/* client; IPv4 as v4-mapped */
	__be16 port;		/* client port */
	u8 family;		/* 4 or 6: what the option carried */
};

int toa_table_init(void);
void toa_table_exit(void);
enum toa_lookup {
	TOA_LOOKUP_NONE,	/* no entry for the socket */
	TOA_LOOKUP_FOUND,	/* *peer filled */
	TOA_LOOKUP_STALE,	/* an entry for another connection (dropped) */
};

/*
 * Remember @peer for the new socket @sk (its peer fields already set);
 * false, and counted, when the table is at its bound or memory is short.
 */
bool toa_table_add(const struct sock *sk, const struct toa_peer *peer);
/* Copy the client of @sk into @peer. */
enum toa_lookup toa_table_lookup(const struct sock *sk, struct toa_peer *peer);
void toa_table_remove(const struct sock *sk);
unsigned int toa_table_live(void);

/* ---- hooks (toa_hook.c) ---- */
int toa_hook_init(void);
void toa_hook_exit(void);
int toa_hook_maxactive(void);
/* nmissed of probe @i into *@name / return value; false past the last */
bool toa_hook_nmissed(unsigned int i, const char **name, unsigned long *n);

/* ---- NAT64 getsockopt (toa_sockopt.c) ---- */
int toa_sockopt_init(void);
void toa_sockopt_exit(void);

#endif /* TOA_H */
