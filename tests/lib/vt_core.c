/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_core.c - failure reasons, verbose logging, --only; see vt_core.h.
 */
#include "vt_core.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int vt_fail(struct vt *vt, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vt->err, sizeof(vt->err), fmt, ap);
	va_end(ap);
	return -1;
}

void vt_log(struct vt *vt, const char *fmt, ...)
{
	va_list ap;

	if (!vt->verbose)
		return;
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

bool vt_selected(const char *only, const char *name)
{
	size_t n = strlen(name);
	const char *p = only;

	if (!only)
		return true;
	while ((p = strstr(p, name))) {
		if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}
