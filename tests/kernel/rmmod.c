/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rmmod.c - unloading the module with TOA connections open: they keep
 * working and show the LB from then on; a reloaded module works again.
 */
#include "kt.h"

#include <string.h>

#define OPEN_CONNS 100

static int rmmod_with_open(struct vt *vt)
{
	struct vt_session *s = vt->fx.s;
	struct vt_stats st;
	uint8_t o[8];
	size_t n;
	int i;

	for (i = 0; i < OPEN_CONNS; i++) {
		n = kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, (uint16_t)(10000 + i));
		if (vt_sess_open(vt, &s[i], vt->fx.lfd, vt->fx.port, AF_INET, o, n) ||
		    vt_sess_expect_peer(vt, &s[i], VT_CLIENT4, (uint16_t)(10000 + i)))
			return vt_fail(vt, "connection %d: %s", i, strdupa(vt->err));
	}
	if (vt_stats_read(vt, &st))
		return -1;
	if (vt_stat_get(&st, "entries_live") < OPEN_CONNS)
		return vt_fail(vt, "entries_live %lld with %d TOA connections open",
			       vt_stat_get(&st, "entries_live"), OPEN_CONNS);
	if (vt_unload(vt))
		return vt_fail(vt, "rmmod with %d connections open: %s", OPEN_CONNS,
			       strdupa(vt->err));
	if (vt_mod_loaded(VT_MODULE_NAME))
		return vt_fail(vt, "toa still in /proc/modules after delete_module");
	for (i = 0; i < OPEN_CONNS; i++)
		if (vt_sess_expect_getpeername(vt, &s[i], VT_LB4, 0))
			return vt_fail(vt, "after rmmod, connection %d: %s", i, strdupa(vt->err));
	for (i = 0; i < OPEN_CONNS; i++)
		if ((i % 25 == 0 && vt_sess_exchange(vt, &s[i])) || vt_sess_close(vt, &s[i]))
			return vt_fail(vt, "after rmmod, connection %d: %s", i, strdupa(vt->err));
	if (vt_load(vt, ""))
		return -1;
	return kt_ipv4_toa(vt);
}
VT_SCENARIO(rmmod_with_open, .order = KT_RMMOD_WITH_OPEN, .needs_module = true,
	    .listener = VT_LSN_V4, .sessions = OPEN_CONNS, .reload_default = true);
