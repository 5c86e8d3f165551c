/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * cli.h - running toa-check (cli/) in the booted kernel and checking what
 * it printed, for the cli_* scenarios of toa-vmtest ("--toa-check PATH").
 *
 * The VM is an initramfs with busybox: no kernel headers, no dkms, no
 * /lib/modules/<release> tree (so libkmod resolves no "toa" by name; load
 * uses --module), no EFI (Secure Boot off).
 */
#ifndef KT_CLI_H
#define KT_CLI_H

#include <sys/types.h>

#include "../kt.h"

#define CLI_TIMEOUT_MS 120000	      /* TCG is slow; a hung toa-check is a failure */
#define CLI_CHECK      "\xe2\x9c\x93" /* U+2713, toa-check's "passed" mark */
#define CLI_CROSS      "\xe2\x9c\x97" /* U+2717, its "failed" mark */

/* what one toa-check run did */
struct cli_out {
	int code;      /* exit code; 128 + signal when killed */
	char cmd[256]; /* "toa-check load --module ..." for messages */
	char out[65536];
	char err[8192];
};
/* the one buffer the scenarios use (they run one at a time) */
extern struct cli_out cli_buf;

/*
 * Run toa-check with the NULL-terminated argument list; fills @r. Fails
 * (returns -1 with a reason) only when it could not run, hung, or died of
 * a signal: a crash is never an acceptable answer.
 */
int cli_run(struct vt *vt, struct cli_out *r, ...);
/* fork + exec @argv with stdout/stderr into the two files */
pid_t cli_spawn(const char *const *argv, const char *out_path, const char *err_path);
/* wait up to @ms for @pid; its exit code, 128 + signal, or -1 on timeout */
int cli_wait(pid_t pid, int ms);

/* ---- what it printed ---- */
int cli_expect_code(struct vt *vt, const struct cli_out *r, int code);
/* stderr is exactly one "toa-check: error: ...@needle..." line, exit 2 */
int cli_expect_usage_error(struct vt *vt, const struct cli_out *r, const char *needle);
/* some line of stdout equals @line */
int cli_expect_line(struct vt *vt, const struct cli_out *r, const char *line);
bool cli_has_line(const char *text, const char *line);
int cli_count_lines_starting(const char *text, const char *prefix);

/* ---- its JSON ---- */
/* stdout as JSON, or vt_fail() naming the command */
struct vt_json *cli_json(struct vt *vt, const struct cli_out *r);
/* @v is an object whose members are exactly @keys, in that order */
int cli_json_keys(struct vt *vt, const char *what, const struct vt_json *v, const char *const *keys,
		  size_t n);

/* ---- the kernel side ---- */
const char *cli_release(void); /* uname -r */
/*
 * One connection through the emulator from the LB of @family, with a TOA
 * option for the test client or without one; accept() must show the
 * client or the LB accordingly.
 */
int cli_toa_conn(struct vt *vt, int family, bool with_toa);

#endif /* KT_CLI_H */
