/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_json.c - the JSON reader; see vt_json.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

struct parser {
	const char *p;
	char err[160];
	int depth;
};

void vt_json_free(struct vt_json *v)
{
	while (v) {
		struct vt_json *next = v->next;

		vt_json_free(v->kids);
		free(v->key);
		free(v->s);
		free(v);
		v = next;
	}
}

/* record the first error; always NULL */
static void *error(struct parser *jp, const char *what)
{
	if (!jp->err[0])
		snprintf(jp->err, sizeof(jp->err), "%s at \"%.30s\"", what, jp->p);
	return NULL;
}

static void skip_ws(struct parser *jp)
{
	while (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r')
		jp->p++;
}

static int hex4(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		int c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* append code point @u (< 0x10000) as UTF-8 */
static size_t put_utf8(char *out, int u)
{
	if (u < 0x80) {
		out[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (char)(0xc0 | (u >> 6));
		out[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | (u >> 12));
	out[1] = (char)(0x80 | ((u >> 6) & 0x3f));
	out[2] = (char)(0x80 | (u & 0x3f));
	return 3;
}

/* the character an escape letter after '\' stands for, 0 if none */
static char unescape(char c)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *at = c ? strchr(from, c) : NULL;

	return at ? to[at - from] : 0;
}

/* a JSON string at jp->p (the opening quote), decoded to UTF-8 */
static char *string(struct parser *jp)
{
	/* no escape makes more bytes than it takes */
	size_t n = 0;
	char *out = malloc(strlen(jp->p) + 1);

	if (!out)
		return error(jp, "out of memory");
	for (jp->p++;; jp->p++) {
		unsigned char c = (unsigned char)*jp->p;
		int u;

		if (c == '"') {
			jp->p++;
			out[n] = '\0';
			return out;
		}
		if (c < 0x20) {
			free(out);
			return error(jp,
				     c ? "control character in a string" : "unterminated string");
		}
		if (c != '\\') {
			out[n++] = (char)c;
			continue;
		}
		jp->p++;
		if (*jp->p != 'u') {
			if (!unescape(*jp->p)) {
				free(out);
				return error(jp, "bad escape");
			}
			out[n++] = unescape(*jp->p);
			continue;
		}
		u = hex4(jp->p + 1);
		if (u < 0 || (u >= 0xd800 && u <= 0xdfff)) {
			/* the CLI never needs surrogates: treat as an error */
			free(out);
			return error(jp, "bad or unsupported \\u escape");
		}
		n += put_utf8(out + n, u);
		jp->p += 4;
	}
}

static struct vt_json *value(struct parser *jp);

static struct vt_json *new_value(struct parser *jp, enum vt_json_type t)
{
	struct vt_json *v = calloc(1, sizeof(*v));

	if (!v)
		return error(jp, "out of memory");
	v->t = t;
	return v;
}

/* one member of an object ("name": value) or element of an array */
static struct vt_json *member(struct parser *jp, bool obj)
{
	struct vt_json *kid;
	char *key = NULL;

	skip_ws(jp);
	if (obj) {
		if (*jp->p != '"')
			return error(jp, "expected a member name");
		key = string(jp);
		if (!key)
			return NULL;
		skip_ws(jp);
		if (*jp->p != ':') {
			free(key);
			return error(jp, "expected ':'");
		}
		jp->p++;
	}
	kid = value(jp);
	if (!kid) {
		free(key);
		return NULL;
	}
	kid->key = key;
	return kid;
}

/* object or array at jp->p */
static struct vt_json *container(struct parser *jp, bool obj)
{
	struct vt_json *v = new_value(jp, obj ? VT_JSON_OBJ : VT_JSON_ARR), **tail;
	char close_ch = obj ? '}' : ']';

	if (!v)
		return NULL;
	if (++jp->depth > MAX_DEPTH) {
		vt_json_free(v);
		return error(jp, "nesting too deep");
	}
	tail = &v->kids;
	jp->p++;
	skip_ws(jp);
	if (*jp->p == close_ch) {
		jp->p++;
		jp->depth--;
		return v;
	}
	for (;;) {
		struct vt_json *kid = member(jp, obj);

		if (!kid) {
			vt_json_free(v);
			return NULL;
		}
		*tail = kid;
		tail = &kid->next;
		skip_ws(jp);
		if (*jp->p == ',') {
			jp->p++;
			continue;
		}
		if (*jp->p == close_ch) {
			jp->p++;
			jp->depth--;
			return v;
		}
		vt_json_free(v);
		return error(jp, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static void skip_digits(struct parser *jp)
{
	while (isdigit((unsigned char)*jp->p))
		jp->p++;
}

static struct vt_json *number(struct parser *jp)
{
	const char *s = jp->p;
	struct vt_json *v;

	if (*jp->p == '-')
		jp->p++;
	if (*jp->p == '0')
		jp->p++;
	else if (isdigit((unsigned char)*jp->p))
		skip_digits(jp);
	else
		return error(jp, "bad number");
	if (*jp->p == '.') {
		jp->p++;
		if (!isdigit((unsigned char)*jp->p))
			return error(jp, "bad fraction");
		skip_digits(jp);
	}
	if (*jp->p == 'e' || *jp->p == 'E') {
		jp->p++;
		if (*jp->p == '+' || *jp->p == '-')
			jp->p++;
		if (!isdigit((unsigned char)*jp->p))
			return error(jp, "bad exponent");
		skip_digits(jp);
	}
	v = new_value(jp, VT_JSON_NUM);
	if (v)
		v->s = strndup(s, (size_t)(jp->p - s));
	return v;
}

static struct vt_json *literal(struct parser *jp)
{
	static const char *const words[] = {"true", "false", "null"};
	struct vt_json *v;
	size_t i;

	for (i = 0; i < 3; i++)
		if (!strncmp(jp->p, words[i], strlen(words[i]))) {
			jp->p += strlen(words[i]);
			v = new_value(jp, i == 2 ? VT_JSON_NULL : VT_JSON_BOOL);
			if (v)
				v->b = i == 0;
			return v;
		}
	return error(jp, "bad literal");
}

static struct vt_json *value(struct parser *jp)
{
	struct vt_json *v;
	char *s;

	skip_ws(jp);
	switch (*jp->p) {
	case '{':
		return container(jp, true);
	case '[':
		return container(jp, false);
	case '"':
		s = string(jp);
		if (!s)
			return NULL;
		v = new_value(jp, VT_JSON_STR);
		if (!v)
			free(s);
		else
			v->s = s;
		return v;
	case 't':
	case 'f':
	case 'n':
		return literal(jp);
	default:
		return number(jp);
	}
}

struct vt_json *vt_json_parse(const char *text, char *err, size_t cap)
{
	struct parser jp = {.p = text};
	struct vt_json *v = value(&jp);

	if (v) {
		skip_ws(&jp);
		if (*jp.p) {
			vt_json_free(v);
			v = error(&jp, "trailing text");
		}
	}
	if (!v && cap)
		snprintf(err, cap, "%s", jp.err);
	return v;
}

struct vt_json *vt_json_get(const struct vt_json *obj, const char *key)
{
	struct vt_json *k;

	for (k = obj->kids; k; k = k->next)
		if (k->key && !strcmp(k->key, key))
			return k;
	return NULL;
}

size_t vt_json_len(const struct vt_json *v)
{
	size_t n = 0;
	const struct vt_json *k;

	for (k = v->kids; k; k = k->next)
		n++;
	return n;
}
