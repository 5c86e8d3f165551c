/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The private table: socket -> client announced by TOA.
 */
#ifndef TOA_TABLE_H
#define TOA_TABLE_H

#include <linux/types.h>
#include <linux/in6.h>

struct sock;

struct toa_peer {
	struct in6_addr addr;	/* client; IPv4 as v4-mapped */
	__be16 port;		/* client port */
	u8 family;		/* 4 or 6: what the option carried */
};

enum toa_lookup {
	TOA_LOOKUP_NONE,	/* no entry for the socket */
	TOA_LOOKUP_FOUND,	/* *peer filled */
	TOA_LOOKUP_STALE,	/* an entry for another connection (dropped) */
};

int toa_table_init(void);
void toa_table_exit(void);

/*
 * Remember @peer for the new socket @sk (its peer fields already set);
 * false, and counted, when the table is at its bound or memory is short.
 */
bool toa_table_add(const struct sock *sk, const struct toa_peer *peer);
/* Copy the client of @sk into @peer. */
enum toa_lookup toa_table_lookup(const struct sock *sk, struct toa_peer *peer);
void toa_table_remove(const struct sock *sk);
unsigned int toa_table_live(void);

#endif /* TOA_TABLE_H */
