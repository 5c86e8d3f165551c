/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_module.h - the module under test: loading, unloading, parameters.
 *
 * The raw calls return 0 or -errno; the vt_* calls that take a struct vt
 * record a reason with vt_fail() and return -1.
 */
#ifndef VT_MODULE_H
#define VT_MODULE_H

#include <stdbool.h>
#include <stddef.h>

#include "vt_core.h"

#define VT_MODULE_NAME "toa"
#define VT_PARAM_DIR   "/sys/module/toa/parameters/"

/* ---- raw ---- */
int vt_mod_load(const char *path, const char *params);	 /* finit_module */
int vt_mod_unload(const char *name);			 /* delete_module */
bool vt_mod_loaded(const char *name);			 /* in /proc/modules */
int vt_param_write(const char *name, const char *value); /* VT_PARAM_DIR/name */
int vt_param_read(const char *name, char *buf, size_t cap);

/* ---- the module of --module PATH ---- */
int vt_load(struct vt *vt, const char *params);
int vt_unload(struct vt *vt); /* waits out a module still initialising */
/* load it with default parameters unless it is loaded */
int vt_ensure_loaded(struct vt *vt);
/* make sure it is loaded with the default option kind (reloaded if not) */
int vt_reload_default(struct vt *vt);

/* ---- parameters, with a reason on failure ---- */
int vt_param_set(struct vt *vt, const char *name, const char *value);
/* the parameter must read back exactly @want */
int vt_param_expect(struct vt *vt, const char *name, const char *want);

#endif /* VT_MODULE_H */
