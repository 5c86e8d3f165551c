/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_json.h - a small JSON reader: enough to validate a document and walk
 * it (toa-check's --json output). Strings are decoded to UTF-8 (\u escapes
 * of the Basic Multilingual Plane; surrogates are refused); numbers keep
 * their text. Members keep their order; nesting deeper than 32 is refused.
 */
#ifndef VT_JSON_H
#define VT_JSON_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vt_json_type {
	VT_JSON_OBJ,
	VT_JSON_ARR,
	VT_JSON_STR,
	VT_JSON_NUM,
	VT_JSON_BOOL,
	VT_JSON_NULL
};

struct vt_json {
	enum vt_json_type t;
	char *key;	      /* member name inside an object, else NULL */
	char *s;	      /* string value / number text, else NULL */
	bool b;		      /* VT_JSON_BOOL */
	struct vt_json *kids; /* members / elements, in order */
	struct vt_json *next; /* the next sibling */
};

/*
 * The whole of @text must be one JSON value (whitespace around it).
 * NULL on error, with the reason ("what at \"where...\"") in @err.
 */
struct vt_json *vt_json_parse(const char *text, char *err, size_t cap);
void vt_json_free(struct vt_json *v); /* the value and its siblings */

/* the member @key of an object, NULL when absent */
struct vt_json *vt_json_get(const struct vt_json *obj, const char *key);
/* how many members / elements */
size_t vt_json_len(const struct vt_json *v);

#ifdef __cplusplus
}
#endif

#endif /* VT_JSON_H */
