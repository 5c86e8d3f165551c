/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt_core.h - the context every in-VM test works in (struct vt), how a
 * test records why it failed, and --only.
 */
#ifndef VT_CORE_H
#define VT_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define VT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VT_TIMEOUT_MS	 5000 /* one network step (handshake, read, close) */

struct lbsim_tun;
struct vt_session;

/* What the fixture of the running scenario set up (see vt_harness.h). */
struct vt_fixture {
	int lfd;	      /* .listener: the socket, else -1 */
	uint16_t port;	      /* ... and its port */
	struct vt_session *s; /* .sessions: the slots, else NULL */
	int n;		      /* ... and how many */
	void *data;	      /* whatever the program's .setup made */
};

struct vt {
	/* the program's settings */
	const char *module_path; /* NULL with --no-module */
	bool no_module;
	bool verbose;
	const char *toa_check; /* --toa-check PATH: the cli scenarios run */
	const void *opts;      /* the program's own options, if any */
	/* the network vt_setup_net() made */
	struct lbsim_tun *tun;
	struct in_addr srv4, lb4, client4;
	struct in6_addr srv6, lb6, client6;
	/* the scenario being run */
	const void *arg; /* its .arg, or its entry of a case table */
	struct vt_fixture fx;
	char err[512];	/* why it failed */
	char note[512]; /* shown as "PASS <name>: <note>" when set */
};

/* Record a failure reason; always returns -1 so "return vt_fail(...)" works. */
int vt_fail(struct vt *vt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "# ..." on stdout with -v, nothing otherwise */
void vt_log(struct vt *vt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Is @name one of the comma-separated names in @only (NULL: all)? */
bool vt_selected(const char *only, const char *name);

#endif /* VT_CORE_H */
