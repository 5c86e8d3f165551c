/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_file.h - small whole-file reads and writes (sysfs, procfs, captured
 * output). Each returns 0 or -errno.
 */
#ifndef VT_FILE_H
#define VT_FILE_H

#include <stddef.h>

/* write @text to an existing file in one write() */
int vt_write_file(const char *path, const char *text);
/* one read() into @buf, NUL-terminated, trailing newlines and spaces cut */
int vt_read_file(const char *path, char *buf, size_t cap);
/* everything up to EOF (at most @cap - 1 bytes), NUL-terminated, as it is */
int vt_read_all(const char *path, char *buf, size_t cap);

#endif /* VT_FILE_H */
