// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The trusted_sources list: parse, print, match.
 *
 * Pure C: compiled into the kernel module (the module parameter) and into
 * toa-check (which validates --trusted-sources before writing it anywhere).
 */
#include "toa_cidr.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Dotted quad, exactly four decimal parts 0..255, no leading zeros. */
static bool parse_ipv4(const char *s, size_t len, uint8_t *out)
{
	unsigned int part = 0, digits = 0, value = 0;
	size_t i;

	for (i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c >= '0' && c <= '9') {
			if (digits && value == 0)
				return false;	/* leading zero */
			value = value * 10 + (unsigned int)(c - '0');
			if (++digits > 3 || value > 255)
				return false;
		} else if (c == '.') {
			if (!digits || part > 3)
				return false;
			out[part++] = (uint8_t)value;
			value = 0;
			digits = 0;
		} else {
			return false;
		}
	}
	return part == 4;
}

/* RFC 4291 text form: hex groups, one "::", optional dotted-quad tail. */
static bool parse_ipv6(const char *s, size_t len, uint8_t *out)
{
	uint8_t words[16];
	int gap = -1;		/* byte index where "::" stands */
	unsigned int n = 0;	/* bytes filled */
	size_t i = 0;
	unsigned int k;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (len && s[0] == ':') {
		return false;
	}
	while (i < len) {
		size_t start = i;
		unsigned int value = 0;

		while (i < len && hex_value(s[i]) >= 0 && i - start < 4)
			value = value << 4 | (unsigned int)hex_value(s[i++]);
		if (i < len && s[i] == '.') {
			/* IPv4 tail: must fit and end the text */
			if (n > 12 || !parse_ipv4(s + start, len - start,
						 words + n))
				return false;
			n += 4;
			i = len;
			break;
		}
		if (i == start || n > 14)
			return false;
		words[n++] = (uint8_t)(value >> 8);
		words[n++] = (uint8_t)value;
		if (i == len)
			break;
		if (s[i] != ':')
			return false;
		i++;
		if (i < len && s[i] == ':') {
			if (gap >= 0)
				return false;
			gap = (int)n;
			i++;
		} else if (i == len) {
			return false;	/* trailing single ':' */
		}
	}
	if (gap < 0) {
		if (n != 16)
			return false;
		for (k = 0; k < 16; k++)
			out[k] = words[k];
		return true;
	}
	if (n > 14)
		return false;
	for (k = 0; k < 16; k++)
		out[k] = 0;
	for (k = 0; k < (unsigned int)gap; k++)
		out[k] = words[k];
	for (k = (unsigned int)gap; k < n; k++)
		out[16 - n + k] = words[k];
	return true;
}

static enum toa_cidr_error parse_item(const char *s, size_t len,
				      struct toa_cidr *c)
{
	size_t slash = len, i;
	unsigned int prefix = 0, max;
	uint8_t *a = c->addr;

	for (i = 0; i < len; i++)
		if (s[i] == '/')
			slash = i;
	for (i = 0; i < 16; i++)
		a[i] = 0;
	if (parse_ipv4(s, slash, a)) {
		c->family = 4;
		max = 32;
	} else if (parse_ipv6(s, slash, a)) {
		c->family = 6;
		max = 128;
	} else {
		return TOA_CIDR_BAD_ADDRESS;
	}
	if (slash == len) {
		prefix = max;
	} else {
		if (slash + 1 == len || len - slash - 1 > 3)
			return TOA_CIDR_BAD_PREFIX;
		for (i = slash + 1; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return TOA_CIDR_BAD_PREFIX;
			prefix = prefix * 10 + (unsigned int)(s[i] - '0');
		}
		if (prefix > max)
			return TOA_CIDR_BAD_PREFIX;
	}
	c->prefix = (uint8_t)prefix;
	/* keep the network only, so printing and matching are canonical */
	for (i = 0; i < max / 8; i++) {
		unsigned int bits = i * 8;

		if (bits >= prefix)
			a[i] = 0;
		else if (prefix - bits < 8)
			a[i] &= (uint8_t)(0xff << (8 - (prefix - bits)));
	}
	return TOA_CIDR_OK;
}

enum toa_cidr_error toa_cidr_parse(const char *text, size_t len,
				   struct toa_cidr_list *list,
				   unsigned int *bad_item)
{
	size_t i = 0;
	unsigned int item = 0;
	bool only_space = true;

	list->count = 0;
	for (i = 0; i < len; i++)
		if (!is_space(text[i]))
			only_space = false;
	if (only_space)
		return TOA_CIDR_OK;

	i = 0;
	for (;;) {
		size_t start, end;
		enum toa_cidr_error err;

		item++;
		while (i < len && is_space(text[i]))
			i++;
		start = i;
		while (i < len && text[i] != ',')
			i++;
		end = i;
		while (end > start && is_space(text[end - 1]))
			end--;
		if (end == start)
			err = TOA_CIDR_EMPTY_ITEM;
		else if (list->count == TOA_CIDR_MAX)
			err = TOA_CIDR_TOO_MANY;
		else
			err = parse_item(text + start, end - start,
					 &list->items[list->count]);
		if (err != TOA_CIDR_OK) {
			list->count = 0;
			if (bad_item)
				*bad_item = item;
			return err;
		}
		list->count++;
		if (i == len)
			return TOA_CIDR_OK;
		i++;	/* the comma */
	}
}

/* Append @s to @buf at *@pos, never past @size - 1. */
static void put_str(char *buf, size_t size, size_t *pos, const char *s)
{
	while (*s) {
		if (*pos + 1 < size)
			buf[*pos] = *s;
		(*pos)++;
		s++;
	}
}

static void put_uint(char *buf, size_t size, size_t *pos, unsigned int v,
		     unsigned int base)
{
	char tmp[12];
	unsigned int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n) {
		char c[2] = { tmp[--n], 0 };

		put_str(buf, size, pos, c);
	}
}

static void put_ipv6(char *buf, size_t size, size_t *pos, const uint8_t *a)
{
	unsigned int w[8], i, best = 8, best_len = 0;

	for (i = 0; i < 8; i++)
		w[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
	/* the longest run of two or more zero words becomes "::" */
	for (i = 0; i < 8; i++) {
		unsigned int j = i;

		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		if (j > i)
			i = j - 1;
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			put_str(buf, size, pos, "::");
			i += best_len - 1;
			continue;
		}
		if (i && i != best + best_len)
			put_str(buf, size, pos, ":");
		put_uint(buf, size, pos, w[i], 16);
	}
}

size_t toa_cidr_format(const struct toa_cidr_list *list, char *buf,
		       size_t size)
{
	size_t pos = 0;
	unsigned int i, k;

	for (i = 0; i < list->count; i++) {
		const struct toa_cidr *c = &list->items[i];

		if (i)
			put_str(buf, size, &pos, ",");
		if (c->family == 4) {
			for (k = 0; k < 4; k++) {
				if (k)
					put_str(buf, size, &pos, ".");
				put_uint(buf, size, &pos, c->addr[k], 10);
			}
		} else {
			put_ipv6(buf, size, &pos, c->addr);
		}
		put_str(buf, size, &pos, "/");
		put_uint(buf, size, &pos, c->prefix, 10);
	}
	if (size)
		buf[pos < size ? pos : size - 1] = '\0';
	return pos;
}

bool toa_cidr_match(const struct toa_cidr_list *list, uint8_t family,
		    const uint8_t *addr)
{
	unsigned int i, k;

	for (i = 0; i < list->count; i++) {
		const struct toa_cidr *c = &list->items[i];
		unsigned int full = c->prefix / 8, rest = c->prefix % 8;
		bool hit = true;

		if (c->family != family)
			continue;
		for (k = 0; k < full && hit; k++)
			hit = addr[k] == c->addr[k];
		if (hit && rest)
			hit = ((addr[full] ^ c->addr[full]) &
			       (uint8_t)(0xff << (8 - rest))) == 0;
		if (hit)
			return true;
	}
	return false;
}

const char *toa_cidr_strerror(enum toa_cidr_error err)
{
	switch (err) {
	case TOA_CIDR_OK:
		return "ok";
	case TOA_CIDR_BAD_ADDRESS:
		return "not an IPv4 or IPv6 address";
	case TOA_CIDR_BAD_PREFIX:
		return "prefix length missing or too long for the address family";
	case TOA_CIDR_TOO_MANY:
		return "more than 64 networks";
	case TOA_CIDR_EMPTY_ITEM:
		return "empty item (two commas, or a comma at an end)";
	}
	return "unknown error";
}
