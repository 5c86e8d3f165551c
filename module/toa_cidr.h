/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The trusted_sources list: parse, print, match (pure C,
 * shared by the module and toa-check).
 */
#ifndef TOA_CIDR_H
#define TOA_CIDR_H

#include "toa_types.h"

#define TOA_CIDR_MAX		64	/* = TOA_MAX_TRUSTED */
#define TOA_CIDR_TEXT_MAX	(TOA_CIDR_MAX * 44 + 1)

struct toa_cidr {
	uint8_t addr[16];	/* IPv4 in the first 4 bytes; host bits zero */
	uint8_t family;		/* 4 or 6 */
	uint8_t prefix;		/* 0..32 or 0..128 */
};

struct toa_cidr_list {
	unsigned int count;
	struct toa_cidr items[TOA_CIDR_MAX];
};

enum toa_cidr_error {
	TOA_CIDR_OK = 0,
	TOA_CIDR_BAD_ADDRESS,	/* not an IPv4/IPv6 address */
	TOA_CIDR_BAD_PREFIX,	/* prefix missing digits or too long for the family */
	TOA_CIDR_TOO_MANY,	/* more than TOA_CIDR_MAX items */
	TOA_CIDR_EMPTY_ITEM,	/* ",," or a trailing comma */
};

/*
 * Parse @text (@len bytes, need not be NUL-terminated): comma-separated
 * CIDRs, whitespace around items ignored, an empty text gives an empty list.
 * On error @list is left with count 0 and *@bad_item (if not NULL) is the
 * 1-based index of the offending item.
 */
enum toa_cidr_error toa_cidr_parse(const char *text, size_t len,
				   struct toa_cidr_list *list,
				   unsigned int *bad_item);

/* Canonical text of @list into @buf (NUL-terminated); returns its length. */
size_t toa_cidr_format(const struct toa_cidr_list *list, char *buf,
		       size_t size);

/* Does @addr (4 or 16 bytes per @family) fall into one of the list's CIDRs? */
bool toa_cidr_match(const struct toa_cidr_list *list, uint8_t family,
		    const uint8_t *addr);

/* One-line English description of @err. */
const char *toa_cidr_strerror(enum toa_cidr_error err);

#endif /* TOA_CIDR_H */
