/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gen.c - random option areas for handshake ACKs (oracle.c says what the
 * module must make of each).
 */
#include "st.h"

#include <stdio.h>
#include <string.h>

const char *const st_gen_names[ST_GEN_COUNT] = {
	[ST_GEN_VALID_V4] = "valid_v4",
	[ST_GEN_VALID_V6] = "valid_v6",
	[ST_GEN_PLAIN] = "plain",
	[ST_GEN_RANDOM_BYTES] = "random_bytes",
	[ST_GEN_BAD_LEN] = "bad_len",
	[ST_GEN_TRUNCATED] = "truncated",
	[ST_GEN_BROKEN_BEFORE] = "broken_before",
	[ST_GEN_BAD_CLIENT] = "bad_client",
	[ST_GEN_EXID] = "exid",
	[ST_GEN_AFTER_EOL] = "after_eol",
	[ST_GEN_FLIPPED] = "byte_flipped",
	[ST_GEN_TWO_TOA] = "two_toa",
};

/* ---- xorshift64* ---- */

void st_rng_seed(struct st_rng *r, uint64_t seed)
{
	/* splitmix64 step, so that small seeds give well-mixed states */
	uint64_t z = seed + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	r->s = (z ^ (z >> 31)) | 1;
}

uint64_t st_rng_next(struct st_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

uint32_t st_rng_below(struct st_rng *r, uint32_t n)
{
	return n ? (uint32_t)((st_rng_next(r) >> 32) % n) : 0;
}

void st_rng_bytes(struct st_rng *r, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(st_rng_next(r) >> 56);
}

/* ---- building blocks ---- */

#define AREA LBSIM_MAX_OPTLEN

/*
 * Kinds Linux itself interprets in a handshake ACK: SACK (5), timestamps
 * (8, PAWS may drop the ACK), MD5 (19) and TCP-AO (29) (dropped without a
 * key), MPTCP (30). Kinds only read from a SYN (2, 3, 4, 34, 253/254 with
 * the TFO experiment ID) are harmless here.
 */
static bool kernel_kind(uint8_t k)
{
	return k == 5 || k == 8 || k == 19 || k == 29 || k == 30;
}

/* a kind that is neither EOL, NOP, the TOA kind nor a kernel_kind() */
static uint8_t other_kind(struct st_rng *r, uint8_t toa_kind)
{
	for (;;) {
		uint8_t k = (uint8_t)(2 + st_rng_below(r, 254));

		if (k != toa_kind && !kernel_kind(k))
			return k;
	}
}

/* a harmless item (NOP or another kind, well-formed) of at most @room bytes */
static size_t benign(struct st_rng *r, uint8_t toa_kind, uint8_t *p, size_t room)
{
	size_t len;

	if (!room)
		return 0;
	if (room < 2 || st_rng_below(r, 3) == 0) {
		p[0] = 1;
		return 1;
	}
	len = 2 + st_rng_below(r, (uint32_t)(room < 10 ? room - 1 : 9));
	p[0] = other_kind(r, toa_kind);
	p[1] = (uint8_t)len;
	st_rng_bytes(r, p + 2, len - 2);
	return len;
}

static void usable_v4(struct st_rng *r, uint8_t *a)
{
	st_rng_bytes(r, a, 4);
	a[0] = (uint8_t)(1 + st_rng_below(r, 223)); /* not 0, not >= 224 */
}

static void usable_v6(struct st_rng *r, uint8_t *a)
{
	st_rng_bytes(r, a, 16);
	if (a[0] == 0xff)
		a[0] = 0x20;
	a[15] |= 1; /* never :: */
}

static uint16_t client_port(struct st_rng *r)
{
	return (uint16_t)st_rng_next(r); /* any; 0xf989/0xeb9f are ports too */
}

/* a TOA option; @v6 picks the length; the address comes from @addr */
static size_t toa_item(uint8_t *p, uint8_t kind, bool v6, const uint8_t *addr, uint16_t port)
{
	return v6 ? lbsim_toa_v6(p, kind, addr, port) : lbsim_toa_v4(p, kind, addr, port);
}

static size_t valid_toa(struct st_rng *r, uint8_t kind, bool v6, uint8_t *p)
{
	uint8_t a[16];

	if (v6)
		usable_v6(r, a);
	else
		usable_v4(r, a);
	return toa_item(p, kind, v6, a, client_port(r));
}

/* up to @max benign items while room is left (keeping @keep bytes free) */
static size_t benign_run(struct st_rng *r, uint8_t kind, uint8_t *opt, size_t at, size_t keep,
			 unsigned int max)
{
	unsigned int n = st_rng_below(r, max + 1), i;

	for (i = 0; i < n && at + keep < AREA; i++)
		at += benign(r, kind, opt + at, AREA - keep - at);
	return at;
}

/*
 * Walk the area the way Linux's tcp_parse_options() does and replace every
 * kernel_kind() where the kernel would see it. Only kind bytes change, so
 * the structure (and what the kernel walks over) stays the same.
 */
static void sanitize(struct st_rng *r, uint8_t kind, uint8_t *opt, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t k = opt[i], l;

		if (k == 0)
			break;
		if (k == 1) {
			i++;
			continue;
		}
		if (len - i < 2)
			break;
		l = opt[i + 1];
		if (l < 2 || l > len - i)
			break;
		if (kernel_kind(k))
			opt[i] = other_kind(r, kind);
		i += l;
	}
}

size_t st_gen_options(struct st_rng *r, uint8_t kind, uint8_t *opt, enum st_gen_kind *what)
{
	uint32_t pick = st_rng_below(r, 100);
	size_t at = 0, n, keep, i;
	uint8_t a[16];
	bool v6 = st_rng_below(r, 2);

	memset(opt, 0, AREA);
	if (pick < 22) {
		*what = ST_GEN_VALID_V4;
		at = benign_run(r, kind, opt, 0, 8, 3);
		at += valid_toa(r, kind, false, opt + at);
		at = benign_run(r, kind, opt, at, 0, 2);
	} else if (pick < 40) {
		*what = ST_GEN_VALID_V6;
		at = benign_run(r, kind, opt, 0, 20, 2);
		at += valid_toa(r, kind, true, opt + at);
		at = benign_run(r, kind, opt, at, 0, 2);
	} else if (pick < 52) {
		*what = ST_GEN_PLAIN;
		at = benign_run(r, kind, opt, 0, 0, 3);
	} else if (pick < 62) {
		*what = ST_GEN_RANDOM_BYTES;
		at = 1 + st_rng_below(r, AREA);
		st_rng_bytes(r, opt, at);
		if (st_rng_below(r, 3) == 0)
			opt[0] = kind;
	} else if (pick < 70) {
		*what = ST_GEN_BAD_LEN;
		at = benign_run(r, kind, opt, 0, 12, 2);
		opt[at] = kind;
		do
			opt[at + 1] = (uint8_t)st_rng_below(r, 256);
		while (opt[at + 1] == 8 || opt[at + 1] == 20);
		n = opt[at + 1] < 2 ? 0 : opt[at + 1] - 2u;
		if (n > AREA - at - 2)
			n = st_rng_below(r, (uint32_t)(AREA - at - 1));
		st_rng_bytes(r, opt + at + 2, n);
		at += 2 + n;
	} else if (pick < 76) {
		/* the option's end lies past the end of the option area */
		uint8_t t[20];

		*what = ST_GEN_TRUNCATED;
		n = valid_toa(r, kind, v6, t);
		keep = 1 + st_rng_below(r, (uint32_t)n - 1);
		for (i = 0; i < AREA - keep; i++)
			opt[i] = 1;
		memcpy(opt + AREA - keep, t, keep);
		at = AREA;
	} else if (pick < 84) {
		*what = ST_GEN_BROKEN_BEFORE;
		at = benign_run(r, kind, opt, 0, 24, 1);
		opt[at] = other_kind(r, kind);
		switch (st_rng_below(r, 3)) {
		case 0:
			opt[at + 1] = 0;
			break;
		case 1:
			opt[at + 1] = 1;
			break;
		default: /* longer than what is left */
			opt[at + 1] = (uint8_t)(AREA - at + 1 + st_rng_below(r, 200));
			break;
		}
		at += 2;
		at += valid_toa(r, kind, false, opt + at);
	} else if (pick < 90) {
		*what = ST_GEN_BAD_CLIENT;
		memset(a, 0, sizeof(a));
		switch (st_rng_below(r, 3)) {
		case 0: /* 0.0.0.0 or :: */
			break;
		case 1: /* multicast, reserved, broadcast / ff00::/8 */
			st_rng_bytes(r, a, 16);
			a[0] = v6 ? 0xff : (uint8_t)(224 + st_rng_below(r, 32));
			break;
		default: /* 255.255.255.255 / ff02::1 */
			if (v6) {
				a[0] = 0xff;
				a[1] = 0x02;
				a[15] = 1;
			} else {
				memset(a, 0xff, 4);
			}
			break;
		}
		at = benign_run(r, kind, opt, 0, 20, 1);
		at += toa_item(opt + at, kind, v6, a, client_port(r));
	} else if (pick < 94) {
		*what = ST_GEN_EXID;
		usable_v4(r, a);
		at = toa_item(opt, kind, false, a, st_rng_below(r, 2) ? 0xf989 : 0xeb9f);
		if (st_rng_below(r, 2))
			at += valid_toa(r, kind, v6 && at + 20 <= AREA, opt + at);
	} else if (pick < 96) {
		*what = ST_GEN_AFTER_EOL;
		opt[0] = 0;
		at = 1 + st_rng_below(r, 3);
		at += valid_toa(r, kind, v6, opt + at);
	} else if (pick < 98) {
		*what = ST_GEN_FLIPPED;
		at = valid_toa(r, kind, v6, opt);
		opt[st_rng_below(r, (uint32_t)at)] = (uint8_t)st_rng_below(r, 256);
	} else {
		*what = ST_GEN_TWO_TOA;
		at = valid_toa(r, kind, false, opt);
		at += valid_toa(r, kind, v6 && at + 20 <= AREA, opt + at);
	}
	if (at > AREA)
		at = AREA;
	at = (at + 3) & ~(size_t)3; /* the padding lbsim would add */
	sanitize(r, kind, opt, at);
	return at;
}

void st_hex_opts(const uint8_t *opt, size_t len, char *out, size_t cap)
{
	size_t i, at = 0;

	out[0] = '\0';
	for (i = 0; i < len && at + 4 < cap; i++)
		at += (size_t)snprintf(out + at, cap - at, "%s%02x", i ? " " : "", opt[i]);
}
