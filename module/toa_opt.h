/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The TOA option parser (pure C, shared with user space).
 *
 * Wire format, network byte order, inside the TCP options, for each of the
 * configured kinds (254 and 253 by default):
 *   kind, length 8:  port(2) IPv4(4)
 *   kind, length 20: port(2) IPv6(16)
 * An option of a configured kind is TOA only with exactly one of those
 * lengths. On a SYN, an option whose first two data bytes are the TCP Fast
 * Open experiment ID (0xF989, RFC 7413) is Fast Open, not TOA; on any other
 * segment those bytes are a client port.
 */
#ifndef TOA_OPT_H
#define TOA_OPT_H

#include "toa_types.h"

#define TOA_OPT_LEN_V4	8
#define TOA_OPT_LEN_V6	20

/* How many kinds option_kinds may list. */
#define TOA_MAX_KINDS	4

enum toa_parse_result {
	TOA_PARSE_NONE = 0,	/* no TOA option */
	TOA_PARSE_V4,		/* IPv4 client found */
	TOA_PARSE_V6,		/* IPv6 client found */
	TOA_PARSE_MALFORMED,	/* broken list, or a TOA kind of other length */
	TOA_PARSE_BAD_CLIENT,	/* unspecified, multicast or broadcast client */
};

/* The kinds that carry TOA, in the order configured; map[] for the parser. */
struct toa_kinds {
	uint8_t count;
	uint8_t kind[TOA_MAX_KINDS];
	uint8_t map[32];	/* bit k set: kind k is one of them */
};

struct toa_client {
	uint8_t addr[16];	/* IPv4 in the first 4 bytes, or IPv6 */
	uint8_t port[2];	/* network byte order, as on the wire */
	uint8_t family;		/* 4 or 6 */
	uint8_t kind;		/* the option kind it came in */
	bool exid_skipped;	/* a Fast Open option of a TOA kind was passed over */
};

/*
 * Parse the options of a TCP header.
 * @tcp:   the TCP header (20 fixed bytes, then options)
 * @len:   bytes readable at @tcp; never read past min(@len, data offset * 4)
 * @kinds: the option kinds that carry TOA
 * @out:   filled for TOA_PARSE_V4 / TOA_PARSE_V6 / TOA_PARSE_BAD_CLIENT
 *
 * The first option of a TOA kind with length 8 or 20 (and not Fast Open on
 * a SYN) decides.
 */
enum toa_parse_result toa_parse_options(const uint8_t *tcp, size_t len,
					const struct toa_kinds *kinds,
					struct toa_client *out);

/*
 * true when @kind may carry TOA: 2..255, and neither an option the kernel
 * itself parses (MSS 2, window scale 3, SACK 4 and 5, timestamps 8, MD5 19)
 * nor a standard option that can be 8 or 20 bytes long (TCP-AO 29,
 * MPTCP 30, Fast Open 34).
 */
bool toa_kind_valid(unsigned int kind);

/*
 * Parse "254,253" (1..TOA_MAX_KINDS comma-separated kinds, no repeats) into
 * @out. On error: false, *@bad_item the 1-based item at fault (0: the list
 * as a whole: empty or too long).
 */
bool toa_kinds_parse(const char *text, size_t len, struct toa_kinds *out,
		     unsigned int *bad_item);
/* "254,253" into @buf (capacity @cap, NUL-terminated); the length. */
size_t toa_kinds_format(const struct toa_kinds *kinds, char *buf, size_t cap);
/*
 * @kinds with its first kind replaced by @kind (option_kind); false when
 * @kind is not valid or already in the list at another place.
 */
bool toa_kinds_set_first(struct toa_kinds *kinds, unsigned int kind);

#endif /* TOA_OPT_H */
