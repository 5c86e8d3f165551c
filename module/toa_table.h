/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The private table: connection -> client announced by TOA.
 *
 * Keyed by the connection (toa_tuple.h), because the client is learnt from
 * handshake packets before the connection has a socket. The first socket
 * that asks for an entry owns it from then on; a key never shows a client
 * to any other socket.
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

/* The handshake packet a client was learnt from. */
enum toa_from {
	TOA_FROM_SYN,
	TOA_FROM_ACK,		/* the bare handshake ACK */
	TOA_FROM_DATA,		/* a data segment that completed the handshake */
};

enum toa_record {
	TOA_RECORD_ADDED,	/* a new entry */
	TOA_RECORD_KEPT,	/* an earlier packet's client stays */
	TOA_RECORD_FULL,	/* max_entries reached (counted) */
	TOA_RECORD_NO_MEMORY,	/* no entry to be had (counted) */
};

enum toa_lookup {
	TOA_LOOKUP_NONE,	/* no entry for the connection */
	TOA_LOOKUP_FOUND,	/* *peer filled */
	TOA_LOOKUP_STALE,	/* the entry belongs to another socket */
};

int toa_table_init(void);
void toa_table_exit(void);

/*
 * A new connection (a SYN): drop any entry left for @key, then remember
 * @peer for it when @peer is not NULL.
 */
enum toa_record toa_table_new_conn(u64 key, const struct toa_peer *peer);
/* A later handshake packet: remember @peer unless @key has a client. */
enum toa_record toa_table_add(u64 key, const struct toa_peer *peer,
			      enum toa_from from);
/* Has @key a client (learnt from an earlier packet of its handshake)? */
bool toa_table_has(u64 key);
/*
 * The client of socket @sk, whose key is @key. With @claim, an entry no
 * socket owns yet becomes @sk's.
 */
enum toa_lookup toa_table_lookup(const struct sock *sk, u64 key,
				 struct toa_peer *peer, bool claim);
/* Socket @sk is gone: drop its entry (or the unowned one of its key). */
void toa_table_forget(const struct sock *sk, u64 key);

unsigned long toa_table_live(void);

#endif /* TOA_TABLE_H */
