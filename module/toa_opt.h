/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The TOA option parser (pure C, shared with user space).
 *
 * Wire format, network byte order, inside the TCP options:
 *   kind, length 8:  port(2) IPv4(4)
 *   kind, length 20: port(2) IPv6(16)
 * Exact lengths only. A kind-254 option whose first two data bytes are an
 * RFC 6994 experiment ID in use (0xF989 TCP Fast Open, 0xEB9F BPF) is not
 * TOA.
 */
#ifndef TOA_OPT_H
#define TOA_OPT_H

#include "toa_types.h"

#define TOA_OPT_LEN_V4	8
#define TOA_OPT_LEN_V6	20

enum toa_parse_result {
	TOA_PARSE_NONE = 0,	/* no TOA option */
	TOA_PARSE_V4,		/* IPv4 client found */
	TOA_PARSE_V6,		/* IPv6 client found */
	TOA_PARSE_MALFORMED,	/* TOA option of a wrong length, or broken option list */
	TOA_PARSE_BAD_CLIENT,	/* unspecified, multicast or broadcast client */
};

struct toa_client {
	uint8_t addr[16];	/* IPv4 in the first 4 bytes, or IPv6 */
	uint8_t port[2];	/* network byte order, as on the wire */
	uint8_t family;		/* 4 or 6 */
	bool exid_skipped;	/* an experiment-ID option of the kind was passed over */
};

/*
 * Parse the options of a TCP header.
 * @tcp:  the TCP header (20 fixed bytes, then options)
 * @len:  bytes readable at @tcp; never read past min(@len, data offset * 4)
 * @kind: the option kind that carries TOA (254 by default, 200 legacy)
 * @out:  filled for TOA_PARSE_V4 / TOA_PARSE_V6 / TOA_PARSE_BAD_CLIENT
 *
 * The first option of @kind that is not an experiment-ID option decides.
 */
enum toa_parse_result toa_parse_options(const uint8_t *tcp, size_t len,
					uint8_t kind, struct toa_client *out);

/* true when @kind may carry TOA (2..255, not a standard TCP option kind) */
bool toa_kind_valid(unsigned int kind);

#endif /* TOA_OPT_H */
