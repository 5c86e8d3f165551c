/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_kmsg.c - reading the kernel log; see vt_kmsg.h.
 */
#include "vt_kmsg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>

static char *kmsg_all(int *len)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf;

	if (size <= 0)
		size = 1 << 20;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return NULL;
	*len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (*len < 0) {
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

int vt_kmsg_count(const char *needle)
{
	int len, count = 0;
	char *buf = kmsg_all(&len), *p;

	if (!buf)
		return -errno;
	for (p = buf; (p = strstr(p, needle)); p += strlen(needle))
		count++;
	free(buf);
	return count;
}

void vt_kmsg_dump_toa(void)
{
	int len;
	char *buf = kmsg_all(&len), *line, *save = NULL;

	if (!buf)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, "TOA") || strstr(line, "toa"))
			printf("# dmesg: %s\n", line);
	free(buf);
}
