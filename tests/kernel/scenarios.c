/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * scenarios.c - what toa-vmtest checks, one function per scenario, and the
 * table that orders them (module_loaded first, module_unloaded last).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <netinet/tcp.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- small builders ---- */

static size_t toa4(struct vt *vt, uint8_t *o, uint8_t kind, const char *ip,
		   uint16_t port)
{
	struct in_addr a;

	if (inet_pton(AF_INET, ip, &a) != 1)
		a = vt->client4;
	return lbsim_toa_v4(o, kind, &a, port);
}

static size_t toa6(struct vt *vt, uint8_t *o, uint8_t kind, const char *ip,
		   uint16_t port)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, ip, &a) != 1)
		a = vt->client6;
	return lbsim_toa_v6(o, kind, &a, port);
}

/*
 * One connection through a fresh listener of @kind; the peer must be
 * @addr:@port (port 0 = the LB port); with @counter set, that counter
 * must move by at least @min.
 */
static int check_conn(struct vt *vt, enum lsn kind, int family,
		      const uint8_t *opts, size_t optlen,
		      const char *addr, uint16_t port,
		      const char *counter, long long min)
{
	struct stats a, b;
	uint16_t lport;
	int lfd, r;

	if (counter && stats_read(vt, &a))
		return -1;
	lfd = listener(vt, kind, &lport);
	if (lfd < 0)
		return -1;
	r = one_conn(vt, lfd, lport, family, opts, optlen, addr, port);
	close(lfd);
	if (r)
		return -1;
	if (counter && (stats_read(vt, &b) || expect_delta(vt, &a, &b, counter, min)))
		return -1;
	return 0;
}

/* /proc/net/netstat "TcpExt:" value of @name, -1 when absent */
static long long netstat_get(const char *name)
{
	char names[4096], values[4096];
	long long v = -1;
	FILE *f = fopen("/proc/net/netstat", "re");

	if (!f)
		return -1;
	while (fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
		char *sn = NULL, *sv = NULL, *n, *val;

		if (strncmp(names, "TcpExt:", 7))
			continue;
		n = strtok_r(names, " \n", &sn);
		val = strtok_r(values, " \n", &sv);
		while (n && val) {
			if (!strcmp(n, name))
				v = atoll(val);
			n = strtok_r(NULL, " \n", &sn);
			val = strtok_r(NULL, " \n", &sv);
		}
	}
	fclose(f);
	return v;
}

/* ---- module presence ---- */

static int sc_module_loaded(struct vt *vt)
{
	char val[256];
	int before, after;
	struct stats st;

	if (mod_loaded(MODULE_NAME) && vt_unload(vt))
		return -1;
	before = kmsg_count("TOA: toa loaded");
	if (before < 0)
		return fail(vt, "reading the kernel log: %s", strerror(-before));
	if (vt_load(vt, ""))
		return -1;
	after = kmsg_count("TOA: toa loaded");
	if (after != before + 1)
		return fail(vt, "kernel log has %d \"TOA: toa loaded\" lines after loading, %d before",
			    after, before);
	if (!mod_loaded(MODULE_NAME))
		return fail(vt, "toa not in /proc/modules after a successful load");
	if (stats_read(vt, &st))
		return -1;
	if (param_get("option_kind", val, sizeof(val)) || strcmp(val, "254"))
		return fail(vt, "option_kind reads \"%s\", want 254", val);
	if (param_get("max_entries", val, sizeof(val)) || strcmp(val, "262144"))
		return fail(vt, "max_entries reads \"%s\", want 262144", val);
	if (param_get("trusted_sources", val, sizeof(val)) || val[0])
		return fail(vt, "trusted_sources reads \"%s\", want empty", val);
	return 0;
}

static int sc_stats_format(struct vt *vt)
{
	static const char *const want[] = {
		"syn_recv_sock_toa", "syn_recv_sock_no_toa", "getname_toa_ok",
		"getname_toa_mismatch", "getname_toa_bypass",
		"getname_toa_empty", "untrusted", "malformed", "bad_client",
		"exid_skipped", "table_full", "nat64_lookup",
		"entries_allocated", "entries_freed", "entries_live",
		"max_entries", "maxactive", "nmissed_tcp_v4_syn_recv_sock",
		"nmissed_tcp_v6_syn_recv_sock", "nmissed_inet_getname",
		"nmissed_inet6_getname", "nmissed_inet_sock_destruct",
	};
	struct stats st;
	size_t i;

	if (stats_read(vt, &st))
		return -1;
	if ((size_t)st.n != ARRAY_SIZE(want))
		return fail(vt, "%d lines, want %zu", st.n, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		if (strcmp(st.name[i], want[i]))
			return fail(vt, "line %zu is \"%s\", want \"%s\"", i + 1,
				    st.name[i], want[i]);
	if (stat_get(&st, "max_entries") != TOA_DEFAULT_MAX_ENTRIES)
		return fail(vt, "max_entries %lld, want %d",
			    stat_get(&st, "max_entries"), TOA_DEFAULT_MAX_ENTRIES);
	if (stat_get(&st, "maxactive") <= 0)
		return fail(vt, "maxactive %lld, want > 0", stat_get(&st, "maxactive"));
	return 0;
}

static int sc_module_unloaded(struct vt *vt)
{
	int before, after;

	before = kmsg_count("TOA: toa unloaded");
	if (before < 0)
		return fail(vt, "reading the kernel log: %s", strerror(-before));
	if (vt_unload(vt))
		return -1;
	after = kmsg_count("TOA: toa unloaded");
	if (after != before + 1)
		return fail(vt, "kernel log has %d \"TOA: toa unloaded\" lines after unloading, %d before",
			    after, before);
	if (mod_loaded(MODULE_NAME))
		return fail(vt, "toa still in /proc/modules");
	if (access(TOA_STATS_FILE, F_OK) == 0)
		return fail(vt, "%s still exists", TOA_STATS_FILE);
	return 0;
}

/* ---- plain TOA ---- */

static int sc_no_toa(struct vt *vt)
{
	struct stats a, b;

	if (!vt->no_module && stats_read(vt, &a))
		return -1;
	if (check_conn(vt, LSN_V4, AF_INET, NULL, 0, LB4, 0, NULL, 0))
		return -1;
	if (check_conn(vt, LSN_V6_ONLY, AF_INET6, NULL, 0, LB6, 0, NULL, 0))
		return -1;
	if (vt->no_module)
		return 0;
	if (stats_read(vt, &b) ||
	    expect_delta(vt, &a, &b, "syn_recv_sock_no_toa", 2) ||
	    expect_delta(vt, &a, &b, "getname_toa_empty", 2))
		return -1;
	return 0;
}

static int ipv4_toa_steps(struct vt *vt, int lfd, uint16_t lport,
			  struct session *s)
{
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	char got[96], want[96];
	uint8_t o[8];
	size_t n = toa4(vt, o, TOA_DEFAULT_KIND, CLIENT4, CLIENT_PORT);

	if (sess_open(vt, s, lfd, lport, AF_INET, o, n) ||
	    sess_expect_peer(vt, s, CLIENT4, CLIENT_PORT))
		return -1;
	/* getsockname is not concerned: the server's own address */
	if (getsockname(s->fd, (struct sockaddr *)&me, &len) < 0)
		return fail(vt, "getsockname: %s", strerror(errno));
	fmt_sockaddr((struct sockaddr *)&me, got, sizeof(got));
	addr_port(want, sizeof(want), SRV4, lport);
	if (strcmp(got, want))
		return fail(vt, "getsockname() gave %s, want %s", got, want);
	return sess_exchange(vt, s) || sess_close(vt, s) ? -1 : 0;
}

static int sc_ipv4_toa(struct vt *vt)
{
	struct session s = { .fd = -1 };
	struct stats a, b;
	uint16_t lport;
	int lfd, r;

	if (stats_read(vt, &a))
		return -1;
	lfd = listener(vt, LSN_V4, &lport);
	if (lfd < 0)
		return -1;
	r = ipv4_toa_steps(vt, lfd, lport, &s);
	sess_abort(&s);
	close(lfd);
	if (r || stats_read(vt, &b) ||
	    expect_delta(vt, &a, &b, "syn_recv_sock_toa", 1) ||
	    expect_delta(vt, &a, &b, "getname_toa_ok", 2) ||
	    expect_delta(vt, &a, &b, "getname_toa_bypass", 1))
		return -1;
	return 0;
}

/* TOA only in a data segment after the handshake: too late, not honoured */
static int sc_toa_in_data_only(struct vt *vt)
{
	static const char data[] = "late option\n";
	struct session s = { .fd = -1 };
	char buf[64];
	uint8_t o[8];
	size_t n = toa4(vt, o, TOA_DEFAULT_KIND, CLIENT4, CLIENT_PORT), got = 0;
	uint16_t lport;
	int lfd, r = -1, err;

	lfd = listener(vt, LSN_V4, &lport);
	if (lfd < 0)
		return -1;
	if (sess_open(vt, &s, lfd, lport, AF_INET, NULL, 0))
		goto out;
	err = lbsim_send(&s.c, data, sizeof(data) - 1, o, n);
	if (err) {
		fail(vt, "emulator send: %s", strerror(-err));
		goto out;
	}
	while (got < sizeof(data) - 1) {
		struct pollfd pfd = { .fd = s.fd, .events = POLLIN };
		ssize_t k;

		if (poll(&pfd, 1, TIMEOUT_MS) <= 0 ||
		    (k = read(s.fd, buf + got, sizeof(buf) - got)) <= 0) {
			fail(vt, "the data segment did not arrive");
			goto out;
		}
		got += (size_t)k;
	}
	if (sess_expect_peer(vt, &s, LB4, 0) || sess_exchange(vt, &s) ||
	    sess_close(vt, &s))
		goto out;
	r = 0;
out:
	sess_abort(&s);
	close(lfd);
	return r;
}

static int sc_ipv6_toa(struct vt *vt)
{
	uint8_t o[20];
	size_t n = toa6(vt, o, TOA_DEFAULT_KIND, CLIENT6, CLIENT_PORT);

	return check_conn(vt, LSN_V6_ONLY, AF_INET6, o, n, CLIENT6,
			  CLIENT_PORT, "syn_recv_sock_toa", 1);
}

static int sc_v4_on_dual_listener(struct vt *vt)
{
	uint8_t o[8];
	size_t n = toa4(vt, o, TOA_DEFAULT_KIND, CLIENT4, CLIENT_PORT);

	if (check_conn(vt, LSN_V6_DUAL, AF_INET, o, n, "::ffff:" CLIENT4,
		       CLIENT_PORT, "syn_recv_sock_toa", 1))
		return -1;
	/* and without TOA the v4-mapped LB is shown */
	return check_conn(vt, LSN_V6_DUAL, AF_INET, NULL, 0, "::ffff:" LB4, 0,
			  NULL, 0);
}

static int syncookie_run(struct vt *vt, bool toa)
{
	static const char path[] = "/proc/sys/net/ipv4/tcp_syncookies";
	char old[32];
	long long sent0, recv0, sent1, recv1;
	uint8_t o[8];
	size_t n = toa4(vt, o, TOA_DEFAULT_KIND, CLIENT4, CLIENT_PORT);
	int r, err;

	if (read_file(path, old, sizeof(old)))
		return fail(vt, "cannot read %s", path);
	err = write_file(path, "2");
	if (err)
		return fail(vt, "writing 2 to %s: %s", path, strerror(-err));
	sent0 = netstat_get("SyncookiesSent");
	recv0 = netstat_get("SyncookiesRecv");
	if (toa)
		r = check_conn(vt, LSN_V4, AF_INET, o, n, CLIENT4, CLIENT_PORT,
			       "syn_recv_sock_toa", 1);
	else
		r = check_conn(vt, LSN_V4, AF_INET, NULL, 0, LB4, 0, NULL, 0);
	sent1 = netstat_get("SyncookiesSent");
	recv1 = netstat_get("SyncookiesRecv");
	err = write_file(path, old);
	if (r)
		return -1;
	if (err)
		return fail(vt, "restoring %s: %s", path, strerror(-err));
	if (sent1 <= sent0 || recv1 <= recv0)
		return fail(vt, "the cookie path was not taken: SyncookiesSent %lld -> %lld, SyncookiesRecv %lld -> %lld",
			    sent0, sent1, recv0, recv1);
	return 0;
}

static int sc_syncookies(struct vt *vt)
{
	return syncookie_run(vt, true);
}

static int sc_lb_syncookies(struct vt *vt)
{
	return syncookie_run(vt, false);
}

static int sc_lb_dual_listener(struct vt *vt)
{
	return check_conn(vt, LSN_V6_DUAL, AF_INET, NULL, 0, "::ffff:" LB4, 0,
			  NULL, 0);
}

/* ---- TCP Fast Open: the child is created from the SYN ---- */

static int tfo_steps(struct vt *vt, bool toa)
{
	static const char data[] = "data in the SYN\n";
	uint8_t opts[LBSIM_MAX_OPTLEN];
	struct session s = { .fd = -1 };
	char buf[64];
	uint16_t lport;
	size_t n = 0, got = 0;
	long long passive0, passive1;
	int lfd, qlen = 16, err, r = -1;

	opts[n++] = 2;		/* MSS 1460 */
	opts[n++] = 4;
	opts[n++] = 0x05;
	opts[n++] = 0xb4;
	if (toa)
		n += toa4(vt, opts + n, TOA_DEFAULT_KIND, CLIENT4, CLIENT_PORT);
	opts[n++] = 34;		/* TFO, empty cookie */
	opts[n++] = 2;

	lfd = listener(vt, LSN_V4, &lport);
	if (lfd < 0)
		return -1;
	if (setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)) < 0) {
		fail(vt, "TCP_FASTOPEN: %s", strerror(errno));
		goto out;
	}
	passive0 = netstat_get("TCPFastOpenPassive");
	err = lbsim_conn_init(&s.c, vt->tun, AF_INET, &vt->lb4, 0, &vt->srv4, lport);
	if (!err)	/* no TOA in the handshake ACK: only the SYN has it */
		err = lbsim_connect_data(&s.c, opts, n, data, sizeof(data) - 1,
					 NULL, 0, TIMEOUT_MS);
	if (err) {
		fail(vt, "emulated TFO handshake: %s", strerror(-err));
		goto out;
	}
	if (s.c.snd_una != s.c.iss + 1 + sizeof(data) - 1) {
		fail(vt, "the server did not take the data with the SYN (no TFO)");
		goto out;
	}
	passive1 = netstat_get("TCPFastOpenPassive");
	if (passive1 <= passive0) {
		fail(vt, "TcpExt TCPFastOpenPassive did not move (%lld -> %lld)",
		     passive0, passive1);
		goto out;
	}
	s.fd = accept_to(vt, lfd, s.accepted, sizeof(s.accepted), TIMEOUT_MS);
	if (s.fd < 0)
		goto out;
	while (got < sizeof(data) - 1) {
		ssize_t k = read(s.fd, buf + got, sizeof(buf) - got);

		if (k <= 0) {
			fail(vt, "reading the SYN data: %s", k ? strerror(errno) : "EOF");
			goto out;
		}
		got += (size_t)k;
	}
	if (memcmp(buf, data, sizeof(data) - 1)) {
		fail(vt, "the SYN data arrived changed");
		goto out;
	}
	if (sess_expect_peer(vt, &s, toa ? CLIENT4 : LB4, toa ? CLIENT_PORT : 0) ||
	    sess_exchange(vt, &s) || sess_close(vt, &s))
		goto out;
	r = 0;
out:
	sess_abort(&s);
	close(lfd);
	return r;
}

static int tfo_run(struct vt *vt, bool toa)
{
	static const char path[] = "/proc/sys/net/ipv4/tcp_fastopen";
	char old[32];
	int r, err;

	if (read_file(path, old, sizeof(old)))
		return fail(vt, "cannot read %s", path);
	/* client (1) + server (2) + server without cookie (0x200) */
	err = write_file(path, "515");
	if (err)
		return fail(vt, "writing %s: %s", path, strerror(-err));
	r = tfo_steps(vt, toa);
	err = write_file(path, old);
	if (!r && err)
		return fail(vt, "restoring %s: %s", path, strerror(-err));
	return r;
}

static int sc_tfo(struct vt *vt)
{
	struct stats a, b;

	if (stats_read(vt, &a) || tfo_run(vt, true) || stats_read(vt, &b) ||
	    expect_delta(vt, &a, &b, "syn_recv_sock_toa", 1))
		return -1;
	return 0;
}

static int sc_lb_tfo(struct vt *vt)
{
	return tfo_run(vt, false);
}

/* ---- malformed options: the LB is shown and a counter moves ---- */

struct bad_opt {
	const char *name;
	uint8_t bytes[LBSIM_MAX_OPTLEN];
	size_t len;
	const char *counter;
};

/* port 4321 = 0x10e1; 203.0.113.7 = cb 00 71 07; 2001:db8:c0::7 */
#define P 0x10, 0xe1
#define C4 0xcb, 0x00, 0x71, 0x07
#define C6 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07

static const struct bad_opt bad_opts[] = {
	{ "malformed_len0", { 254, 0 }, 2, "malformed" },
	{ "malformed_len1", { 254, 1 }, 2, "malformed" },
	{ "malformed_len7", { 254, 7, P, 0xcb, 0x00, 0x71 }, 7, "malformed" },
	{ "malformed_len9", { 254, 9, P, C4, 0x00 }, 9, "malformed" },
	{ "malformed_len19", { 254, 19, P, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xc0,
			       0, 0, 0, 0, 0, 0, 0, 0, 0 }, 19, "malformed" },
	{ "malformed_len21", { 254, 21, P, C6, 0x00 }, 21, "malformed" },
	/*
	 * Options that run past the header: newer kernels drop such a
	 * segment themselves (the MD5/TCP-AO option scan,
	 * tcp_do_parse_auth_options(), refuses an option longer than what
	 * remains while at least 5 (AO) or 18 (MD5 only) option bytes are
	 * left; measured on a 6.18 host: the handshake ACK with a 40-byte
	 * area holding {254, 255, ...} is dropped and no child is made). The
	 * overrunning option therefore starts in the last 4 bytes of the
	 * area, where that scan has stopped but a TOA parser must notice it.
	 */
	{ "malformed_len255", { 254, 255, P }, 4, "malformed" },
	/* NOPs, then a length-8 TOA with only 4 bytes left in the area */
	{ "malformed_truncated", { 1, 1, 1, 1, 254, 8, P }, 8, "malformed" },
	/* a valid TOA after the end-of-list option is not an option */
	{ "toa_after_eol", { 0, 0, 0, 0, 254, 8, P, C4 }, 12,
	  "syn_recv_sock_no_toa" },
	/* RFC 6994 experiment IDs (TFO, BPF) are not TOA */
	{ "exid_tfo", { 254, 8, 0xf9, 0x89, C4 }, 8, "exid_skipped" },
	{ "exid_bpf", { 254, 8, 0xeb, 0x9f, C4 }, 8, "exid_skipped" },
};

static int run_bad_opt(struct vt *vt, const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_opts); i++) {
		const struct bad_opt *b = &bad_opts[i];

		if (strcmp(b->name, name))
			continue;
		return check_conn(vt, LSN_V4, AF_INET, b->bytes, b->len, LB4, 0,
				  b->counter, 1);
	}
	return fail(vt, "no option table entry \"%s\"", name);
}

/* every odd option list above reaches the server; the LB is shown */
static int sc_lb_odd_options(struct vt *vt)
{
	char failed[256] = "";
	size_t i, used = 0;

	for (i = 0; i < ARRAY_SIZE(bad_opts); i++) {
		if (!check_conn(vt, LSN_V4, AF_INET, bad_opts[i].bytes,
				bad_opts[i].len, LB4, 0, NULL, 0))
			continue;
		vlog(vt, "%s: %s", bad_opts[i].name, vt->err);
		used += (size_t)snprintf(failed + used, sizeof(failed) - used,
					 "%s%s", used ? ", " : "", bad_opts[i].name);
		if (used >= sizeof(failed))
			used = sizeof(failed) - 1;
	}
	if (used)
		return fail(vt, "the LB was not shown for: %s", failed);
	return 0;
}

#define BAD_OPT_SCENARIO(n) \
	static int sc_##n(struct vt *vt) { return run_bad_opt(vt, #n); }
BAD_OPT_SCENARIO(malformed_len0)
BAD_OPT_SCENARIO(malformed_len1)
BAD_OPT_SCENARIO(malformed_len7)
BAD_OPT_SCENARIO(malformed_len9)
BAD_OPT_SCENARIO(malformed_len19)
BAD_OPT_SCENARIO(malformed_len21)
BAD_OPT_SCENARIO(malformed_len255)
BAD_OPT_SCENARIO(malformed_truncated)
BAD_OPT_SCENARIO(toa_after_eol)
BAD_OPT_SCENARIO(exid_tfo)
BAD_OPT_SCENARIO(exid_bpf)

static int sc_bad_client(struct vt *vt)
{
	static const char *const v4[] = { "0.0.0.0", "224.0.0.1",
					  "255.255.255.255" };
	static const char *const v6[] = { "::", "ff02::1" };
	uint8_t o[20];
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(v4); i++) {
		n = toa4(vt, o, TOA_DEFAULT_KIND, v4[i], CLIENT_PORT);
		if (check_conn(vt, LSN_V4, AF_INET, o, n, LB4, 0, "bad_client", 1))
			return fail(vt, "client %s: %s", v4[i], strdupa(vt->err));
	}
	for (i = 0; i < ARRAY_SIZE(v6); i++) {
		n = toa6(vt, o, TOA_DEFAULT_KIND, v6[i], CLIENT_PORT);
		if (check_conn(vt, LSN_V6_ONLY, AF_INET6, o, n, LB6, 0,
			       "bad_client", 1))
			return fail(vt, "client %s: %s", v6[i], strdupa(vt->err));
	}
	return 0;
}

/* ---- trusted_sources ---- */

static int expect_param(struct vt *vt, const char *name, const char *want)
{
	char val[512];
	int err = param_get(name, val, sizeof(val));

	if (err)
		return fail(vt, "reading %s: %s", name, strerror(-err));
	if (strcmp(val, want))
		return fail(vt, "%s reads \"%s\", want \"%s\"", name, val, want);
	return 0;
}

static int set_param(struct vt *vt, const char *name, const char *value)
{
	int err = param_set(name, value);

	if (err)
		return fail(vt, "writing \"%s\" to %s: %s", value, name,
			    strerror(-err));
	return 0;
}

static int trusted_steps(struct vt *vt)
{
	static const char *const bad[] = { "1.2.3.4/33", "nonsense",
					   "198.51.100.0/24,300.1.1.1" };
	uint8_t o4[8], o6[20];
	size_t n4 = toa4(vt, o4, TOA_DEFAULT_KIND, CLIENT4, CLIENT_PORT);
	size_t n6 = toa6(vt, o6, TOA_DEFAULT_KIND, CLIENT6, CLIENT_PORT);
	size_t i;

	/* a list without the LB: TOA ignored */
	if (set_param(vt, "trusted_sources", OTHER_NET4) ||
	    expect_param(vt, "trusted_sources", OTHER_NET4) ||
	    check_conn(vt, LSN_V4, AF_INET, o4, n4, LB4, 0, "untrusted", 1))
		return -1;
	/* with the LB's network: honoured */
	if (set_param(vt, "trusted_sources", LB_NET4) ||
	    expect_param(vt, "trusted_sources", LB_NET4) ||
	    check_conn(vt, LSN_V4, AF_INET, o4, n4, CLIENT4, CLIENT_PORT,
		       "syn_recv_sock_toa", 1))
		return -1;
	/* an IPv4-only list does not trust an IPv6 LB */
	if (check_conn(vt, LSN_V6_ONLY, AF_INET6, o6, n6, LB6, 0, "untrusted", 1))
		return -1;
	/* bad values are refused with EINVAL and change nothing */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int err = param_set("trusted_sources", bad[i]);

		if (err != -EINVAL)
			return fail(vt, "writing \"%s\" to trusted_sources gave %s, want EINVAL",
				    bad[i], err ? strerror(-err) : "success");
		if (expect_param(vt, "trusted_sources", LB_NET4))
			return -1;
	}
	/* an IPv6 prefix, written untidily: canonical form back */
	if (set_param(vt, "trusted_sources", " 192.0.2.1 , 2001:db8:1::/64\n") ||
	    expect_param(vt, "trusted_sources", "192.0.2.1/32,2001:db8:1::/64") ||
	    check_conn(vt, LSN_V6_ONLY, AF_INET6, o6, n6, CLIENT6, CLIENT_PORT,
		       "syn_recv_sock_toa", 1) ||
	    check_conn(vt, LSN_V4, AF_INET, o4, n4, LB4, 0, "untrusted", 1))
		return -1;
	/* cleared: any source again */
	if (set_param(vt, "trusted_sources", "\n") ||
	    expect_param(vt, "trusted_sources", "") ||
	    check_conn(vt, LSN_V4, AF_INET, o4, n4, CLIENT4, CLIENT_PORT, NULL, 0))
		return -1;
	return 0;
}

static int sc_trusted_sources(struct vt *vt)
{
	int r = trusted_steps(vt);

	param_set("trusted_sources", "\n");
	return r;
}

/* ---- NAT64 getsockopt ---- */

/* 0, errno (> 0) when getsockopt failed, -1 with fail() on a bad answer */
static int nat64_lookup(struct vt *vt, int fd, struct toa_nat64_peer *p)
{
	socklen_t len = sizeof(*p);

	memset(p, 0, sizeof(*p));
	if (getsockopt(fd, IPPROTO_IP, TOA_SO_GET_LOOKUP, p, &len) < 0)
		return errno;	/* positive: the call failed */
	if (len != sizeof(*p))
		return fail(vt, "TOA_SO_GET_LOOKUP returned length %u, want %zu",
			    (unsigned int)len, sizeof(*p));
	return 0;
}

static int nat64_steps(struct vt *vt, int lfd, uint16_t lport,
		       struct session *s)
{
	char got[INET6_ADDRSTRLEN], want[INET6_ADDRSTRLEN];
	struct toa_nat64_peer p;
	struct stats a, b;
	struct in6_addr mapped;
	uint8_t o[20];
	size_t n = toa6(vt, o, TOA_DEFAULT_KIND, CLIENT6, CLIENT_PORT);
	socklen_t len;
	int err;

	/* IPv6 TOA on an IPv4 socket: getpeername keeps the LB */
	if (stats_read(vt, &a) ||
	    sess_open(vt, &s[0], lfd, lport, AF_INET, o, n) ||
	    sess_expect_peer(vt, &s[0], LB4, 0))
		return -1;
	err = nat64_lookup(vt, s[0].fd, &p);
	if (err == -1)
		return -1;
	if (err)
		return fail(vt, "getsockopt(TOA_SO_GET_LOOKUP): %s", strerror(err));
	inet_ntop(AF_INET6, &p.saddr, got, sizeof(got));
	inet_ntop(AF_INET6, &vt->client6, want, sizeof(want));
	if (memcmp(&p.saddr, &vt->client6, sizeof(p.saddr)) ||
	    ntohs(p.sport) != CLIENT_PORT)
		return fail(vt, "TOA_SO_GET_LOOKUP gave [%s]:%u, want [%s]:%u",
			    got, ntohs(p.sport), want, CLIENT_PORT);
	len = sizeof(p) - 1;
	if (getsockopt(s[0].fd, IPPROTO_IP, TOA_SO_GET_LOOKUP, &p, &len) == 0 ||
	    errno != EINVAL)
		return fail(vt, "TOA_SO_GET_LOOKUP with a short buffer: %s, want EINVAL",
			    strerror(errno));
	if (stats_read(vt, &b) || expect_delta(vt, &a, &b, "nat64_lookup", 1) ||
	    expect_delta(vt, &a, &b, "getname_toa_mismatch", 1) ||
	    sess_exchange(vt, &s[0]))
		return -1;

	/* an IPv4 TOA is answered v4-mapped */
	n = toa4(vt, o, TOA_DEFAULT_KIND, CLIENT4, CLIENT_PORT);
	if (sess_open(vt, &s[1], lfd, lport, AF_INET, o, n) ||
	    sess_expect_peer(vt, &s[1], CLIENT4, CLIENT_PORT))
		return -1;
	err = nat64_lookup(vt, s[1].fd, &p);
	if (err == -1)
		return -1;
	if (err)
		return fail(vt, "getsockopt(TOA_SO_GET_LOOKUP) on an IPv4 TOA: %s",
			    strerror(err));
	inet_pton(AF_INET6, "::ffff:" CLIENT4, &mapped);
	inet_ntop(AF_INET6, &p.saddr, got, sizeof(got));
	if (memcmp(&p.saddr, &mapped, sizeof(mapped)) ||
	    ntohs(p.sport) != CLIENT_PORT)
		return fail(vt, "TOA_SO_GET_LOOKUP gave [%s]:%u, want [::ffff:%s]:%u",
			    got, ntohs(p.sport), CLIENT4, CLIENT_PORT);

	/* no TOA: ENOENT */
	if (sess_open(vt, &s[2], lfd, lport, AF_INET, NULL, 0))
		return -1;
	err = nat64_lookup(vt, s[2].fd, &p);
	if (err != ENOENT)
		return fail(vt, "TOA_SO_GET_LOOKUP without TOA: %s, want ENOENT",
			    err == -1 ? strdupa(vt->err) :
			    err ? strerror(err) : "success");
	return 0;
}

static int sc_nat64(struct vt *vt)
{
	struct session s[3];
	uint16_t lport;
	int lfd, r, i;

	for (i = 0; i < 3; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].fd = -1;
	}
	lfd = listener(vt, LSN_V4, &lport);
	if (lfd < 0)
		return -1;
	r = nat64_steps(vt, lfd, lport, s);
	for (i = 0; i < 3; i++) {
		if (!r && s[i].c.established && sess_close(vt, &s[i]))
			r = -1;
		sess_abort(&s[i]);
	}
	close(lfd);
	return r;
}

/* ---- the classic check: an HTTP server logs the client ---- */

static void http_child(int lfd, int logfd)
{
	static const char resp[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
				   "Content-Length: 6\r\n\r\nhello\n";
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	char req[1024], host[INET6_ADDRSTRLEN] = "?", *eol;
	size_t got = 0;
	int fd;

	if (poll(&pfd, 1, TIMEOUT_MS) <= 0)
		_exit(2);
	fd = accept(lfd, (struct sockaddr *)&ss, &len);
	if (fd < 0)
		_exit(3);
	while (got < sizeof(req) - 1) {
		ssize_t n = read(fd, req + got, sizeof(req) - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[got] = '\0';
	eol = strstr(req, "\r\n");
	if (eol)
		*eol = '\0';
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
			  host, sizeof(host));
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
			  host, sizeof(host));
	if (write(fd, resp, sizeof(resp) - 1) < 0)
		_exit(4);
	close(fd);
	/* a common-log-format-like access line */
	dprintf(logfd, "%s - - [vmtest] \"%s\" 200 6\n", host, req);
	_exit(0);
}

/* GET through the emulator with @opts (also in the first data segment) */
static int http_run(struct vt *vt, const uint8_t *o, size_t n, const char *want)
{
	static const char get[] = "GET / HTTP/1.0\r\nHost: www.example.com\r\n"
				  "User-Agent: toa-vmtest\r\n\r\n";
	char resp[2048], logline[512];
	char prefix[64];
	struct lbsim_conn c;
	size_t got = 0;
	uint16_t lport;
	int lfd, pfd[2], status, err, r = -1;
	ssize_t k;
	pid_t pid;

	lfd = listener(vt, LSN_V4, &lport);
	if (lfd < 0)
		return -1;
	if (pipe(pfd) < 0) {
		close(lfd);
		return fail(vt, "pipe: %s", strerror(errno));
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(lfd);
		close(pfd[0]);
		close(pfd[1]);
		return fail(vt, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(pfd[0]);
		http_child(lfd, pfd[1]);
	}
	close(pfd[1]);
	close(lfd);

	/* like a real LB: TOA in the handshake ACK and in the first data */
	err = lbsim_conn_init(&c, vt->tun, AF_INET, &vt->lb4, 0, &vt->srv4, lport);
	if (!err)
		err = lbsim_connect(&c, NULL, 0, o, n, TIMEOUT_MS);
	if (!err)
		err = lbsim_send(&c, get, sizeof(get) - 1, o, n);
	if (err) {
		fail(vt, "emulator: %s", strerror(-err));
		goto out;
	}
	for (;;) {
		k = lbsim_recv(&c, resp + got, sizeof(resp) - 1 - got, TIMEOUT_MS);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	resp[got] = '\0';
	if (k < 0) {
		fail(vt, "reading the answer: %s (got \"%.40s\")",
		     strerror((int)-k), resp);
		goto out;
	}
	if (strncmp(resp, "HTTP/1.0 200 OK\r\n", 17) || !strstr(resp, "\r\n\r\nhello\n")) {
		fail(vt, "unexpected answer \"%.60s\"", resp);
		goto out;
	}
	err = lbsim_close(&c, TIMEOUT_MS);
	if (err) {
		fail(vt, "closing: %s", strerror(-err));
		goto out;
	}
	r = 0;
out:
	if (r && c.established && !c.reset)
		lbsim_reset(&c);
	got = 0;
	while (got < sizeof(logline) - 1 &&
	       (k = read(pfd[0], logline + got, sizeof(logline) - 1 - got)) > 0)
		got += (size_t)k;
	logline[got] = '\0';
	close(pfd[0]);
	waitpid(pid, &status, 0);
	if (r)
		return r;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fail(vt, "HTTP server child ended with status 0x%x", status);
	if (got && logline[got - 1] == '\n')
		logline[got - 1] = '\0';
	vlog(vt, "access log: %s", logline);
	snprintf(prefix, sizeof(prefix), "%s ", want);
	if (strncmp(logline, prefix, strlen(prefix)) ||
	    !strstr(logline, "\"GET / HTTP/1.0\""))
		return fail(vt, "access log line \"%s\" does not start with %s",
			    logline, want);
	return 0;
}

static int sc_http(struct vt *vt)
{
	uint8_t o[8];
	size_t n = toa4(vt, o, TOA_DEFAULT_KIND, CLIENT4, CLIENT_PORT);

	return http_run(vt, o, n, CLIENT4);
}

/* the emulator alone (no TOA): the access log shows the LB */
static int sc_lb_http(struct vt *vt)
{
	return http_run(vt, NULL, 0, LB4);
}

/* ---- max_entries ---- */

static int table_full_steps(struct vt *vt, int lfd, uint16_t lport,
			    struct session *s)
{
	struct stats a, b;
	uint8_t o[8];
	size_t n;
	int i;

	if (set_param(vt, "max_entries", "2") ||
	    expect_param(vt, "max_entries", "2") || stats_read(vt, &a))
		return -1;
	if (stat_get(&a, "max_entries") != 2)
		return fail(vt, "toa_stats max_entries %lld after writing 2",
			    stat_get(&a, "max_entries"));
	for (i = 0; i < 3; i++) {
		n = toa4(vt, o, TOA_DEFAULT_KIND, CLIENT4, (uint16_t)(CLIENT_PORT + i));
		if (sess_open(vt, &s[i], lfd, lport, AF_INET, o, n))
			return -1;
	}
	if (sess_expect_peer(vt, &s[0], CLIENT4, CLIENT_PORT) ||
	    sess_expect_peer(vt, &s[1], CLIENT4, CLIENT_PORT + 1) ||
	    sess_expect_peer(vt, &s[2], LB4, 0))
		return -1;
	if (stats_read(vt, &b) || expect_delta(vt, &a, &b, "table_full", 1))
		return -1;
	if (stat_get(&b, "entries_live") != 2)
		return fail(vt, "entries_live %lld with max_entries 2",
			    stat_get(&b, "entries_live"));
	for (i = 0; i < 3; i++)
		if (sess_exchange(vt, &s[i]))
			return -1;
	return 0;
}

static int sc_table_full(struct vt *vt)
{
	struct session s[3];
	char old[64];
	uint16_t lport;
	int lfd, r, i, err;

	for (i = 0; i < 3; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].fd = -1;
	}
	if (wait_live_zero(vt, 3000))
		return fail(vt, "entries still live before the test: %s",
			    strdupa(vt->err));
	err = param_get("max_entries", old, sizeof(old));
	if (err)
		return fail(vt, "reading max_entries: %s", strerror(-err));
	lfd = listener(vt, LSN_V4, &lport);
	if (lfd < 0)
		return -1;
	r = table_full_steps(vt, lfd, lport, s);
	for (i = 0; i < 3; i++) {
		if (!r && s[i].c.established && sess_close(vt, &s[i]))
			r = -1;
		sess_abort(&s[i]);
	}
	close(lfd);
	err = param_set("max_entries", old);
	if (!r && err)
		return fail(vt, "restoring max_entries %s: %s", old, strerror(-err));
	return r;
}

/* ---- bookkeeping ---- */

/* TCP sockets in TIME_WAIT (state 06) in /proc/net/tcp and tcp6 */
static int count_time_wait(void)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	char line[512];
	size_t i;
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		FILE *f = fopen(files[i], "re");
		unsigned int st;

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%*s %*s %*s %x", &st) == 1 && st == 6)
				n++;
		fclose(f);
	}
	return n;
}

static int sc_live_zero(struct vt *vt)
{
	struct stats st;
	uint8_t o[8];
	size_t n = toa4(vt, o, TOA_DEFAULT_KIND, CLIENT4, CLIENT_PORT);
	int tw;

	/* one more TOA connection of our own, so that a partial run proves it too */
	if (check_conn(vt, LSN_V4, AF_INET, o, n, CLIENT4, CLIENT_PORT, NULL, 0) ||
	    wait_live_zero(vt, 5000))
		return -1;
	if (stats_read(vt, &st))
		return -1;
	/*
	 * The server sides closed first, so their connections sit in
	 * TIME_WAIT now: those are inet_timewait_sock, not the child sockets,
	 * which must be gone with their entries.
	 */
	tw = count_time_wait();
	vlog(vt, "entries_allocated %lld, entries_freed %lld, %d in TIME_WAIT",
	     stat_get(&st, "entries_allocated"), stat_get(&st, "entries_freed"), tw);
	if (stat_get(&st, "entries_allocated") <= 0)
		return fail(vt, "entries_allocated is %lld: no entry was ever made",
			    stat_get(&st, "entries_allocated"));
	if (tw <= 0)
		return fail(vt, "no TIME_WAIT socket left to prove anything with");
	return 0;
}

/* children never accepted, and connections reset by the LB, free their entries */
static int unaccepted_steps(struct vt *vt, int *lfd, uint16_t lport)
{
	struct lbsim_conn c[3];
	struct session s = { .fd = -1 };
	struct stats a, b;
	uint8_t o[8];
	size_t n = toa4(vt, o, TOA_DEFAULT_KIND, CLIENT4, CLIENT_PORT);
	int i, err;

	if (wait_live_zero(vt, 3000) || stats_read(vt, &a))
		return -1;
	/* one accepted, then reset by the LB, then closed by the server */
	if (sess_open(vt, &s, *lfd, lport, AF_INET, o, n))
		return -1;
	if (sess_expect_peer(vt, &s, CLIENT4, CLIENT_PORT)) {
		sess_abort(&s);
		return -1;
	}
	lbsim_reset(&s.c);
	usleep(100000);
	close(s.fd);
	s.fd = -1;
	/* three left in the accept queue, one of them reset by the LB */
	for (i = 0; i < 3; i++) {
		err = lbsim_conn_init(&c[i], vt->tun, AF_INET, &vt->lb4, 0,
				      &vt->srv4, lport);
		if (!err)
			err = lbsim_connect(&c[i], NULL, 0, o, n, TIMEOUT_MS);
		if (err)
			return fail(vt, "emulated handshake: %s", strerror(-err));
	}
	lbsim_reset(&c[0]);
	for (i = 0; i < 20; i++) {	/* the last ACK may still be in flight */
		if (stats_read(vt, &b))
			return -1;
		if (stat_get(&b, "entries_allocated") -
		    stat_get(&a, "entries_allocated") >= 4)
			break;
		usleep(50000);
	}
	if (expect_delta(vt, &a, &b, "entries_allocated", 4))
		return -1;
	/* the listener goes away with its children never accepted */
	close(*lfd);
	*lfd = -1;
	return wait_live_zero(vt, 5000);
}

static int sc_unaccepted_freed(struct vt *vt)
{
	uint16_t lport;
	int lfd, r;

	lfd = listener(vt, LSN_V4, &lport);
	if (lfd < 0)
		return -1;
	r = unaccepted_steps(vt, &lfd, lport);
	if (lfd >= 0)
		close(lfd);
	return r;
}

/* ---- parameters at load time and at run time ---- */

/* make sure the module is loaded with default parameters */
static int reload_default(struct vt *vt)
{
	char kind[16] = "";

	if (mod_loaded(MODULE_NAME)) {
		param_get("option_kind", kind, sizeof(kind));
		if (!strcmp(kind, "254"))
			return 0;
		if (vt_unload(vt))
			return -1;
	}
	return vt_load(vt, "");
}

/*
 * Run @steps, then put the default module back. The result is that of
 * @steps; a failed reload counts only when @steps passed.
 */
static int then_reload_default(struct vt *vt, int (*steps)(struct vt *vt))
{
	int r = steps(vt);

	if (reload_default(vt) && !r)
		return -1;
	return r;
}

static int legacy_steps(struct vt *vt)
{
	uint8_t o[8];
	size_t n;

	if (vt_unload(vt) || vt_load(vt, "option_kind=200") ||
	    expect_param(vt, "option_kind", "200"))
		return -1;
	n = toa4(vt, o, TOA_LEGACY_KIND, CLIENT4, CLIENT_PORT);
	if (check_conn(vt, LSN_V4, AF_INET, o, n, CLIENT4, CLIENT_PORT,
		       "syn_recv_sock_toa", 1))
		return fail(vt, "kind 200 with option_kind=200: %s", strdupa(vt->err));
	n = toa4(vt, o, TOA_DEFAULT_KIND, CLIENT4, CLIENT_PORT);
	if (check_conn(vt, LSN_V4, AF_INET, o, n, LB4, 0,
		       "syn_recv_sock_no_toa", 1))
		return fail(vt, "kind 254 with option_kind=200: %s", strdupa(vt->err));
	if (vt_unload(vt) || vt_load(vt, "") ||
	    expect_param(vt, "option_kind", "254"))
		return -1;
	n = toa4(vt, o, TOA_LEGACY_KIND, CLIENT4, CLIENT_PORT);
	if (check_conn(vt, LSN_V4, AF_INET, o, n, LB4, 0, NULL, 0))
		return fail(vt, "kind 200 with the default kind: %s", strdupa(vt->err));
	return 0;
}

static int sc_legacy_kind(struct vt *vt)
{
	return then_reload_default(vt, legacy_steps);
}

static int bad_load_steps(struct vt *vt)
{
	static const char *const bad[] = {
		"option_kind=1", "option_kind=2", "option_kind=8",
		"option_kind=300", "max_entries=0", "max_entries=16777217",
		"trusted_sources=1.2.3.4/40", "trusted_sources=nonsense",
	};
	size_t i;

	if (vt_unload(vt))
		return -1;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int lines = kmsg_count("TOA: "), err, after;

		err = mod_load(vt->module_path, bad[i]);
		if (err != -EINVAL) {
			if (!err)
				vt_unload(vt);
			return fail(vt, "loading with %s gave %s, want EINVAL", bad[i],
				    err ? strerror(-err) : "success");
		}
		if (mod_loaded(MODULE_NAME))
			return fail(vt, "toa in /proc/modules after a refused load (%s)",
				    bad[i]);
		after = kmsg_count("TOA: ");
		if (after <= lines)
			return fail(vt, "no \"TOA: \" kernel log line for %s", bad[i]);
	}
	return 0;
}

static int sc_bad_load_params(struct vt *vt)
{
	return then_reload_default(vt, bad_load_steps);
}

static int sc_bad_runtime_params(struct vt *vt)
{
	static const struct {
		const char *name, *value, *keep;
	} bad[] = {
		{ "option_kind", "1", "254" }, { "option_kind", "4", "254" },
		{ "option_kind", "256", "254" }, { "option_kind", "x", "254" },
		{ "max_entries", "0", "262144" },
		{ "max_entries", "16777217", "262144" },
		{ "max_entries", "-5", "262144" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int err = param_set(bad[i].name, bad[i].value);

		if (err != -EINVAL)
			return fail(vt, "writing \"%s\" to %s gave %s, want EINVAL",
				    bad[i].value, bad[i].name,
				    err ? strerror(-err) : "success");
		if (expect_param(vt, bad[i].name, bad[i].keep))
			return -1;
	}
	return 0;
}

/* ---- unloading with connections open ---- */

#define OPEN_CONNS 100

static int rmmod_steps(struct vt *vt, int lfd, uint16_t lport,
		       struct session *s)
{
	struct stats st;
	uint8_t o[8];
	size_t n;
	int i;

	for (i = 0; i < OPEN_CONNS; i++) {
		n = toa4(vt, o, TOA_DEFAULT_KIND, CLIENT4, (uint16_t)(10000 + i));
		if (sess_open(vt, &s[i], lfd, lport, AF_INET, o, n) ||
		    sess_expect_peer(vt, &s[i], CLIENT4, (uint16_t)(10000 + i)))
			return fail(vt, "connection %d: %s", i, strdupa(vt->err));
	}
	if (stats_read(vt, &st))
		return -1;
	if (stat_get(&st, "entries_live") < OPEN_CONNS)
		return fail(vt, "entries_live %lld with %d TOA connections open",
			    stat_get(&st, "entries_live"), OPEN_CONNS);
	if (vt_unload(vt))
		return fail(vt, "rmmod with %d connections open: %s", OPEN_CONNS,
			    strdupa(vt->err));
	if (mod_loaded(MODULE_NAME))
		return fail(vt, "toa still in /proc/modules after delete_module");
	for (i = 0; i < OPEN_CONNS; i++)
		if (sess_expect_getpeername(vt, &s[i], LB4, 0))
			return fail(vt, "after rmmod, connection %d: %s", i,
				    strdupa(vt->err));
	for (i = 0; i < OPEN_CONNS; i++)
		if ((i % 25 == 0 && sess_exchange(vt, &s[i])) ||
		    sess_close(vt, &s[i]))
			return fail(vt, "after rmmod, connection %d: %s", i,
				    strdupa(vt->err));
	if (vt_load(vt, ""))
		return -1;
	return sc_ipv4_toa(vt);
}

/*
 * Run @steps with OPEN_CONNS session slots and a listener of @kind; every
 * session and the listener are closed afterwards, whatever @steps did.
 */
static int with_open_sessions(struct vt *vt, enum lsn kind,
			      int (*steps)(struct vt *vt, int lfd,
					   uint16_t lport, struct session *s))
{
	struct session *s = calloc(OPEN_CONNS, sizeof(*s));
	uint16_t lport;
	int lfd, r, i;

	if (!s)
		return fail(vt, "out of memory");
	for (i = 0; i < OPEN_CONNS; i++)
		s[i].fd = -1;
	lfd = listener(vt, kind, &lport);
	if (lfd < 0) {
		free(s);
		return -1;
	}
	r = steps(vt, lfd, lport, s);
	for (i = 0; i < OPEN_CONNS; i++)
		sess_abort(&s[i]);
	close(lfd);
	free(s);
	return r;
}

static int rmmod_open_steps(struct vt *vt)
{
	return with_open_sessions(vt, LSN_V4, rmmod_steps);
}

static int sc_rmmod_with_open(struct vt *vt)
{
	return then_reload_default(vt, rmmod_open_steps);
}

/* the emulator alone: many connections open at once, then closed */
static int many_steps(struct vt *vt, int lfd, uint16_t lport,
		      struct session *s)
{
	int i;

	for (i = 0; i < OPEN_CONNS; i++)
		if (sess_open(vt, &s[i], lfd, lport, i % 2 ? AF_INET : AF_INET6,
			      NULL, 0) ||
		    sess_expect_peer(vt, &s[i], i % 2 ? "::ffff:" LB4 : LB6, 0))
			return fail(vt, "connection %d: %s", i, strdupa(vt->err));
	for (i = OPEN_CONNS - 1; i >= 0; i--)
		if (sess_exchange(vt, &s[i]) || sess_close(vt, &s[i]))
			return fail(vt, "connection %d: %s", i, strdupa(vt->err));
	return 0;
}

static int sc_lb_many_conns(struct vt *vt)
{
	return with_open_sessions(vt, LSN_V6_DUAL, many_steps);
}

/* ---- the table ---- */

#define S(n, m) { #n, sc_##n, m, false }
const struct scenario scenarios[] = {
	S(module_loaded, true),
	S(stats_format, true),
	S(no_toa, false),
	S(lb_dual_listener, false),
	S(lb_syncookies, false),
	S(lb_http, false),
	S(lb_many_conns, false),
	S(lb_odd_options, false),
	S(lb_tfo, false),
	S(ipv4_toa, true),
	S(ipv6_toa, true),
	S(v4_on_dual_listener, true),
	S(syncookies, true),
	S(tfo, true),
	S(malformed_len0, true),
	S(malformed_len1, true),
	S(malformed_len7, true),
	S(malformed_len9, true),
	S(malformed_len19, true),
	S(malformed_len21, true),
	S(malformed_len255, true),
	S(malformed_truncated, true),
	S(toa_after_eol, true),
	S(exid_tfo, true),
	S(exid_bpf, true),
	S(toa_in_data_only, true),
	S(bad_client, true),
	S(trusted_sources, true),
	S(nat64, true),
	S(http, true),
	S(table_full, true),
	S(live_zero, true),
	S(unaccepted_freed, true),
	S(bad_runtime_params, true),
	S(legacy_kind, true),
	S(bad_load_params, true),
	S(rmmod_with_open, true),
	{ "live_zero_after_reload", sc_live_zero, true, false },
	/* toa-check against the real module; only with --toa-check PATH */
	{ "cli_load", sc_cli_load, true, true },
	{ "cli_doctor_json", sc_cli_doctor_json, true, true },
	{ "cli_stats", sc_cli_stats, true, true },
	{ "cli_selftest", sc_cli_selftest, true, true },
	{ "cli_serve", sc_cli_serve, true, true },
	{ "cli_trace", sc_cli_trace, true, true },
	S(module_unloaded, true),
};
const size_t n_scenarios = ARRAY_SIZE(scenarios);
