/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_module.c - loading the module and its parameters; see vt_module.h.
 */
#include "vt_module.h"
#include "vt_file.h"
#include "toa_uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

int vt_mod_load(const char *path, const char *params)
{
	int fd, flags = 0, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ends_with(path, ".xz") || ends_with(path, ".zst") || ends_with(path, ".gz"))
		flags |= MODULE_INIT_COMPRESSED_FILE;
	if (syscall(SYS_finit_module, fd, params ? params : "", flags) != 0) {
		err = -errno;
		if (err == -ENOSYS && !flags) {
			/* no finit_module: read the file, init_module it */
			struct stat st;
			char *img = NULL;

			if (fstat(fd, &st) == 0 && st.st_size > 0)
				img = malloc((size_t)st.st_size);
			if (img && pread(fd, img, (size_t)st.st_size, 0) == st.st_size)
				err = syscall(SYS_init_module, img, (unsigned long)st.st_size,
					      params ? params : "")
					? -errno
					: 0;
			free(img);
		}
	}
	close(fd);
	return err;
}

int vt_mod_unload(const char *name)
{
	if (syscall(SYS_delete_module, name, O_NONBLOCK) != 0)
		return -errno;
	return 0;
}

bool vt_mod_loaded(const char *name)
{
	char line[512];
	size_t n = strlen(name);
	bool found = false;
	FILE *f = fopen("/proc/modules", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ' ')
			found = true;
	fclose(f);
	return found;
}

int vt_param_write(const char *name, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), VT_PARAM_DIR "%s", name);
	return vt_write_file(path, value);
}

int vt_param_read(const char *name, char *buf, size_t cap)
{
	char path[256];

	snprintf(path, sizeof(path), VT_PARAM_DIR "%s", name);
	return vt_read_file(path, buf, cap);
}

int vt_load(struct vt *vt, const char *params)
{
	int err;

	if (vt->no_module)
		return vt_fail(vt, "module loading disabled (--no-module)");
	err = vt_mod_load(vt->module_path, params);
	if (err)
		return vt_fail(vt, "loading %s with \"%s\": %s", vt->module_path,
			       params ? params : "", strerror(-err));
	return 0;
}

int vt_unload(struct vt *vt)
{
	int err, tries;

	if (vt->no_module)
		return vt_fail(vt, "module loading disabled (--no-module)");
	/* a module that is still initialising answers EBUSY/EAGAIN briefly */
	for (tries = 0; tries < 20; tries++) {
		err = vt_mod_unload(VT_MODULE_NAME);
		if (err != -EBUSY && err != -EAGAIN)
			break;
		usleep(100000);
	}
	if (err)
		return vt_fail(vt, "delete_module(toa): %s", strerror(-err));
	return 0;
}

int vt_ensure_loaded(struct vt *vt)
{
	if (vt_mod_loaded(VT_MODULE_NAME))
		return 0;
	return vt_load(vt, "");
}

int vt_reload_default(struct vt *vt)
{
	char kinds[32] = "", max[32] = "", trusted[32] = "x";

	if (vt_mod_loaded(VT_MODULE_NAME)) {
		/* every parameter at its default: nothing to do */
		vt_param_read("option_kinds", kinds, sizeof(kinds));
		vt_param_read("max_entries", max, sizeof(max));
		vt_param_read("trusted_sources", trusted, sizeof(trusted));
		if (!strcmp(kinds, TOA_DEFAULT_KINDS) && !trusted[0] &&
		    atoll(max) == TOA_DEFAULT_MAX_ENTRIES)
			return 0;
		if (vt_unload(vt))
			return -1;
	}
	return vt_load(vt, "");
}

int vt_param_set(struct vt *vt, const char *name, const char *value)
{
	int err = vt_param_write(name, value);

	if (err)
		return vt_fail(vt, "writing \"%s\" to %s: %s", value, name, strerror(-err));
	return 0;
}

int vt_param_expect(struct vt *vt, const char *name, const char *want)
{
	char val[512];
	int err = vt_param_read(name, val, sizeof(val));

	if (err)
		return vt_fail(vt, "reading %s: %s", name, strerror(-err));
	if (strcmp(val, want))
		return vt_fail(vt, "%s reads \"%s\", want \"%s\"", name, val, want);
	return 0;
}
