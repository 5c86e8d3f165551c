/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * options.c - option parsing: option areas that hold no usable TOA
 * (malformed lengths, a TOA after the end of the list), a TOA that comes
 * only with data after the handshake, and TOA options whose client
 * address no one may have.
 */
#include "kt.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

/* port 4321 = 0x10e1; 203.0.113.7 = cb 00 71 07; 2001:db8:c0::7 */
#define P  0x10, 0xe1
#define C4 0xcb, 0x00, 0x71, 0x07
#define C6 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07

/* each is a scenario of its own name; lb_odd_options (lb.c) uses them all */
const struct kt_bad_opt kt_bad_opts[] = {
	{"malformed_len0", {254, 0}, 2, "malformed"},
	{"malformed_len1", {254, 1}, 2, "malformed"},
	{"malformed_len7", {254, 7, P, 0xcb, 0x00, 0x71}, 7, "malformed"},
	{"malformed_len9", {254, 9, P, C4, 0x00}, 9, "malformed"},
	{"malformed_len19",
	 {254, 19, P, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	 19,
	 "malformed"},
	{"malformed_len21", {254, 21, P, C6, 0x00}, 21, "malformed"},
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
	{"malformed_len255", {254, 255, P}, 4, "malformed"},
	/* NOPs, then a length-8 TOA with only 4 bytes left in the area */
	{"malformed_truncated", {1, 1, 1, 1, 254, 8, P}, 8, "malformed"},
	/* a valid TOA after the end-of-list option is not an option */
	{"toa_after_eol", {0, 0, 0, 0, 254, 8, P, C4}, 12, "syn_recv_sock_no_toa"},
	/* a TOA kind with a length other than 8 and 20 (kinds.c: the rest) */
	{"kind_other_length", {253, 12, P, C4, 0, 0, 0, 0, 0, 0}, 12, "malformed"},
};
const size_t kt_n_bad_opts = VT_ARRAY_SIZE(kt_bad_opts);

/* the LB is shown and the entry's counter moves */
static int bad_option(struct vt *vt)
{
	const struct kt_bad_opt *b = vt->arg;

	return kt_check_conn(vt, VT_LSN_V4, AF_INET, b->bytes, b->len, VT_LB4, 0, b->counter, 1);
}
VT_SCENARIO_CASES(bad_option, kt_bad_opts, .order = KT_BAD_OPTIONS, .needs_module = true);

/* TOA only in a data segment after the handshake: too late, not honoured */
static int toa_in_data_only(struct vt *vt)
{
	static const char data[] = "late option\n";
	struct vt_session *s = &vt->fx.s[0];
	char buf[64];
	uint8_t o[8];
	size_t n = kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, VT_CLIENT_PORT);
	size_t got = 0;
	int err;

	if (vt_sess_open(vt, s, vt->fx.lfd, vt->fx.port, AF_INET, NULL, 0))
		return -1;
	err = lbsim_send(&s->c, data, sizeof(data) - 1, o, n);
	if (err)
		return vt_fail(vt, "emulator send: %s", strerror(-err));
	while (got < sizeof(data) - 1) {
		struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
		ssize_t k;

		if (poll(&pfd, 1, VT_TIMEOUT_MS) <= 0 ||
		    (k = read(s->fd, buf + got, sizeof(buf) - got)) <= 0)
			return vt_fail(vt, "the data segment did not arrive");
		got += (size_t)k;
	}
	if (vt_sess_expect_peer(vt, s, VT_LB4, 0) || vt_sess_exchange(vt, s) ||
	    vt_sess_close(vt, s))
		return -1;
	return 0;
}
VT_SCENARIO(toa_in_data_only, .order = KT_TOA_IN_DATA_ONLY, .needs_module = true,
	    .listener = VT_LSN_V4, .sessions = 1);

/* unspecified, multicast and broadcast clients: the LB is shown */
static int bad_client(struct vt *vt)
{
	static const char *const v4[] = {"0.0.0.0", "224.0.0.1", "255.255.255.255"};
	static const char *const v6[] = {"::", "ff02::1"};
	uint8_t o[20];
	size_t i, n;

	for (i = 0; i < VT_ARRAY_SIZE(v4); i++) {
		n = kt_toa4(vt, o, TOA_DEFAULT_KIND, v4[i], VT_CLIENT_PORT);
		if (kt_check_conn(vt, VT_LSN_V4, AF_INET, o, n, VT_LB4, 0, "bad_client", 1))
			return vt_fail(vt, "client %s: %s", v4[i], strdupa(vt->err));
	}
	for (i = 0; i < VT_ARRAY_SIZE(v6); i++) {
		n = kt_toa6(vt, o, TOA_DEFAULT_KIND, v6[i], VT_CLIENT_PORT);
		if (kt_check_conn(vt, VT_LSN_V6_ONLY, AF_INET6, o, n, VT_LB6, 0, "bad_client", 1))
			return vt_fail(vt, "client %s: %s", v6[i], strdupa(vt->err));
	}
	return 0;
}
VT_SCENARIO(bad_client, .order = KT_BAD_CLIENT, .needs_module = true);
