/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lb.c - the emulator alone, without TOA: what every TOA scenario relies
 * on must work without the module's help first (these also pass with
 * --no-module). lb_syncookies, lb_tfo and lb_http run the routines of
 * their TOA twins (handshake.c, http.c) with no TOA argument.
 */
#include "kt.h"

#include <stdio.h>
#include <string.h>

static int lb_dual_listener(struct vt *vt)
{
	return kt_check_conn(vt, VT_LSN_V6_DUAL, AF_INET, NULL, 0, "::ffff:" VT_LB4, 0, NULL, 0);
}
VT_SCENARIO(lb_dual_listener, .order = KT_LB_DUAL_LISTENER);

VT_SCENARIO_AS(lb_syncookies, kt_syncookies, .order = KT_LB_SYNCOOKIES, KT_SYNCOOKIES_FIXTURE);

VT_SCENARIO_AS(lb_http, kt_http, .order = KT_LB_HTTP);

/* many connections open at once, then closed */
static int lb_many_conns(struct vt *vt)
{
	struct vt_session *s = vt->fx.s;
	int i;

	for (i = 0; i < vt->fx.n; i++)
		if (vt_sess_open(vt, &s[i], vt->fx.lfd, vt->fx.port, i % 2 ? AF_INET : AF_INET6,
				 NULL, 0) ||
		    vt_sess_expect_peer(vt, &s[i], i % 2 ? "::ffff:" VT_LB4 : VT_LB6, 0))
			return vt_fail(vt, "connection %d: %s", i, strdupa(vt->err));
	for (i = vt->fx.n - 1; i >= 0; i--)
		if (vt_sess_exchange(vt, &s[i]) || vt_sess_close(vt, &s[i]))
			return vt_fail(vt, "connection %d: %s", i, strdupa(vt->err));
	return 0;
}
VT_SCENARIO(lb_many_conns, .order = KT_LB_MANY_CONNS, .listener = VT_LSN_V6_DUAL, .sessions = 100);

/* every odd option list of options.c reaches the server; the LB is shown */
static int lb_odd_options(struct vt *vt)
{
	char failed[256] = "";
	size_t i, used = 0;

	for (i = 0; i < kt_n_bad_opts; i++) {
		const struct kt_bad_opt *b = &kt_bad_opts[i];

		if (!kt_check_conn(vt, VT_LSN_V4, AF_INET, b->bytes, b->len, VT_LB4, 0, NULL, 0))
			continue;
		vt_log(vt, "%s: %s", b->name, vt->err);
		used += (size_t)snprintf(failed + used, sizeof(failed) - used, "%s%s",
					 used ? ", " : "", b->name);
		if (used >= sizeof(failed))
			used = sizeof(failed) - 1;
	}
	if (used)
		return vt_fail(vt, "the LB was not shown for: %s", failed);
	return 0;
}
VT_SCENARIO(lb_odd_options, .order = KT_LB_ODD_OPTIONS);

VT_SCENARIO_AS(lb_tfo, kt_tfo, .order = KT_LB_TFO, KT_TFO_FIXTURE);
