/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * oracle.h - what the module must make of a handshake ACK's option area,
 * written from the contract (docs/interfaces.md), independently of
 * module/toa_opt.c. Pure C with no other dependency: toa-stress checks
 * every connection it makes against it, and the option-parser fuzzer
 * (tests/fuzz/opt_fuzz.c) every input.
 */
#ifndef ST_ORACLE_H
#define ST_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_KIND2 253 /* the second kind of the default option_kinds */

enum st_outcome {
	ST_OUT_NONE,	   /* no usable TOA: syn_recv_sock_no_toa */
	ST_OUT_MALFORMED,  /* malformed */
	ST_OUT_BAD_CLIENT, /* bad_client */
	ST_OUT_V4,	   /* an IPv4 client: syn_recv_sock_toa */
	ST_OUT_V6,	   /* an IPv6 client: syn_recv_sock_toa */
	ST_OUT_COUNT
};
extern const char *const st_outcome_names[ST_OUT_COUNT];

struct st_expect {
	enum st_outcome out;
	bool exid;	  /* an RFC 6994 experiment ID was skipped */
	uint8_t addr[16]; /* ST_OUT_V4: first 4 bytes */
	uint16_t port;	  /* host order */
};

/*
 * The outcome the contract (docs/interfaces.md) gives for the option
 * area @opt/@len read with TOA kind @toa_kind. Written from the contract,
 * independently of module/toa_opt.c.
 */
void st_oracle(const uint8_t *opt, size_t len, uint8_t toa_kind, struct st_expect *e);
/*
 * Linux 6.7 and later (tcp_inbound_hash(), with TCP-MD5 or TCP-AO built
 * in) drop a segment whose option list breaks (a length < 2 or past the
 * end) while at least @minlen option bytes are left: 18 with MD5 only, 5
 * with TCP-AO. Such a handshake ACK never reaches toa. 0 = no such check.
 */
bool st_strict_reject(const uint8_t *opt, size_t len, size_t minlen);
#endif /* ST_ORACLE_H */
