/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * kinds.c - which options are TOA: kinds 254 and 253 by default (Huawei
 * ELB's IPv6 TOA is 253), option_kinds for others (Tencent, UCloud: 200),
 * standard options refused as kinds; TCP Fast Open's experiment ID 0xF989
 * skipped on a SYN only, and on the handshake ACK read as the client port
 * it is (63881), like 0xEB9F (60319).
 */
#include "kt.h"

#include <errno.h>
#include <string.h>

static int conn_v4(struct vt *vt, uint8_t kind, const char *addr, uint16_t port,
		   const char *counter)
{
	uint8_t o[8];
	size_t n = kt_toa4(vt, o, kind, VT_CLIENT4, VT_CLIENT_PORT);

	return kt_check_conn(vt, VT_LSN_V4, AF_INET, o, n, addr, port, counter, 1);
}

static int kinds(struct vt *vt)
{
	uint8_t o[20];
	size_t n;
	int err;

	/* the defaults: 253 for IPv6 and IPv4 as well as 254 */
	if (vt_param_expect(vt, "option_kinds", "254,253"))
		return -1;
	n = kt_toa6(vt, o, 253, VT_CLIENT6, VT_CLIENT_PORT);
	if (kt_check_conn(vt, VT_LSN_V6_ONLY, AF_INET6, o, n, VT_CLIENT6, VT_CLIENT_PORT,
			  "syn_recv_sock_toa", 1))
		return vt_fail(vt, "IPv6, kind 253: %s", strdupa(vt->err));
	if (conn_v4(vt, 253, VT_CLIENT4, VT_CLIENT_PORT, "syn_recv_sock_toa"))
		return vt_fail(vt, "IPv4, kind 253: %s", strdupa(vt->err));
	/* 200 when configured, and then 253 no longer */
	if (vt_param_set(vt, "option_kinds", "254,200") ||
	    vt_param_expect(vt, "option_kinds", "254,200"))
		return -1;
	if (conn_v4(vt, 200, VT_CLIENT4, VT_CLIENT_PORT, "syn_recv_sock_toa"))
		return vt_fail(vt, "kind 200 in option_kinds: %s", strdupa(vt->err));
	if (conn_v4(vt, 253, VT_LB4, 0, "syn_recv_sock_no_toa"))
		return vt_fail(vt, "kind 253 not in option_kinds: %s", strdupa(vt->err));
	/* a standard option's kind is refused at load too, with one line */
	if (vt_unload(vt))
		return -1;
	err = vt_mod_load(vt->module_path, "option_kinds=254,30");
	if (err != -EINVAL)
		return vt_fail(vt, "loading with option_kinds=254,30 gave %s, want EINVAL",
			       err ? strerror(-err) : "success (module loaded)");
	if (vt_kmsg_count("TOA: option_kinds: item 2 of '254,30' refused") < 1)
		return vt_fail(vt, "no TOA: line for option_kinds=254,30");
	return 0;
}
VT_SCENARIO(kinds, .order = KT_KINDS, .needs_module = true, .load = true, .reload_default = true);

/* experiment IDs: on an ACK they are the client's port */
struct kt_exid {
	const char *name;
	uint8_t hi, lo;
};
static const struct kt_exid exids[] = {
	{"exid_tfo", 0xf9, 0x89}, /* 63881 */
	{"exid_bpf", 0xeb, 0x9f}, /* 60319 */
};

static int exid_case(struct vt *vt)
{
	const struct kt_exid *x = vt->arg;
	uint16_t port = (uint16_t)(x->hi << 8 | x->lo);
	uint8_t o[8];

	kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, port);
	if (o[2] != x->hi || o[3] != x->lo)
		return vt_fail(vt, "the option does not start with the ID");
	return kt_check_conn(vt, VT_LSN_V4, AF_INET, o, sizeof(o), VT_CLIENT4, port,
			     "syn_recv_sock_toa", 1);
}
VT_SCENARIO_CASES(exid_case, exids, .order = KT_EXID, .needs_module = true);

/* on a SYN, 254/0xF989 is a Fast Open cookie: skipped, the LB is shown */
static int exid_tfo_syn(struct vt *vt)
{
	struct vt_session *s = &vt->fx.s[0];
	uint8_t syn[12] = {2, 4, 0x05, 0xb4, 254, 8, 0xf9, 0x89, 1, 2, 3, 4};
	struct vt_stats a, b;
	int err;

	if (vt_stats_read(vt, &a))
		return -1;
	err = lbsim_conn_init(&s->c, vt->tun, AF_INET, &vt->lb4, 0, &vt->srv4, vt->fx.port);
	if (!err)
		err = lbsim_connect(&s->c, syn, sizeof(syn), NULL, 0, VT_TIMEOUT_MS);
	if (err)
		return vt_fail(vt, "emulated handshake: %s", strerror(-err));
	s->fd = vt_accept(vt, vt->fx.lfd, s->accepted, sizeof(s->accepted), VT_TIMEOUT_MS);
	if (s->fd < 0 || vt_sess_expect_peer(vt, s, VT_LB4, 0) || vt_sess_close(vt, s) ||
	    vt_stats_read(vt, &b))
		return -1;
	if (vt_expect_delta(vt, &a, &b, "exid_skipped", 1) ||
	    vt_expect_delta_eq(vt, &a, &b, "toa_from_syn", 0))
		return -1;
	return 0;
}
VT_SCENARIO(exid_tfo_syn, .order = KT_EXID_SYN, .needs_module = true, .listener = VT_LSN_V4,
	    .sessions = 1);
