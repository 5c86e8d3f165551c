/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * module.c - the module itself: loading (first of all), its statistics
 * file, its parameters at load time and at run time, the legacy option
 * kind, and unloading (last of all).
 */
#include "kt.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static int module_loaded(struct vt *vt)
{
	char val[256];
	int before, after;
	struct vt_stats st;

	if (vt_mod_loaded(VT_MODULE_NAME) && vt_unload(vt))
		return -1;
	before = vt_kmsg_count("TOA: toa loaded");
	if (before < 0)
		return vt_fail(vt, "reading the kernel log: %s", strerror(-before));
	if (vt_load(vt, ""))
		return -1;
	after = vt_kmsg_count("TOA: toa loaded");
	if (after != before + 1)
		return vt_fail(
			vt, "kernel log has %d \"TOA: toa loaded\" lines after loading, %d before",
			after, before);
	if (!vt_mod_loaded(VT_MODULE_NAME))
		return vt_fail(vt, "toa not in /proc/modules after a successful load");
	if (vt_stats_read(vt, &st))
		return -1;
	if (vt_param_read("option_kind", val, sizeof(val)) || strcmp(val, "254"))
		return vt_fail(vt, "option_kind reads \"%s\", want 254", val);
	if (vt_param_read("max_entries", val, sizeof(val)) || strcmp(val, "262144"))
		return vt_fail(vt, "max_entries reads \"%s\", want 262144", val);
	if (vt_param_read("trusted_sources", val, sizeof(val)) || val[0])
		return vt_fail(vt, "trusted_sources reads \"%s\", want empty", val);
	return 0;
}
VT_SCENARIO(module_loaded, .order = KT_MODULE_LOADED, .needs_module = true);

static int stats_format(struct vt *vt)
{
	static const char *const want[] = {
		"syn_recv_sock_toa",
		"syn_recv_sock_no_toa",
		"toa_from_syn",
		"toa_from_ack",
		"toa_from_data",
		"syn_cookie_toa_lost",
		"getname_toa_ok",
		"getname_toa_mismatch",
		"getname_toa_bypass",
		"getname_toa_empty",
		"getname_kernel_sock",
		"untrusted",
		"malformed",
		"bad_client",
		"exid_skipped",
		"table_full",
		"no_memory",
		"nat64_lookup",
		"entries_allocated",
		"entries_freed",
		"entries_expired",
		"entries_live",
		"max_entries",
		"nmissed_tcp_conn_request",
		"nmissed_tcp_check_req",
		"nmissed_cookie_v4_check",
		"nmissed_cookie_v6_check",
		"nmissed_inet_getname",
		"nmissed_inet6_getname",
		"nmissed_tcp_disconnect",
	};
	struct vt_stats st;
	size_t i;

	if (vt_stats_read(vt, &st))
		return -1;
	if ((size_t)st.n != VT_ARRAY_SIZE(want))
		return vt_fail(vt, "%d lines, want %zu", st.n, VT_ARRAY_SIZE(want));
	for (i = 0; i < VT_ARRAY_SIZE(want); i++)
		if (strcmp(st.name[i], want[i]))
			return vt_fail(vt, "line %zu is \"%s\", want \"%s\"", i + 1, st.name[i],
				       want[i]);
	if (vt_stat_get(&st, "max_entries") != TOA_DEFAULT_MAX_ENTRIES)
		return vt_fail(vt, "max_entries %lld, want %d", vt_stat_get(&st, "max_entries"),
			       TOA_DEFAULT_MAX_ENTRIES);
	/* ftrace callbacks never miss a call: every nmissed_ is 0 */
	for (i = 0; i < (size_t)st.n; i++)
		if (!strncmp(st.name[i], "nmissed_", 8) && st.value[i])
			return vt_fail(vt, "%s is %lld", st.name[i], st.value[i]);
	return 0;
}
VT_SCENARIO(stats_format, .order = KT_STATS_FORMAT, .needs_module = true);

static int bad_runtime_params(struct vt *vt)
{
	static const struct {
		const char *name, *value, *keep;
	} bad[] = {
		{"option_kind", "1", "254"},
		{"option_kind", "4", "254"},
		{"option_kind", "256", "254"},
		{"option_kind", "x", "254"},
		{"option_kind", "253", "254"}, /* already the second */
		{"option_kinds", "254,30", "254,253"},
		{"option_kinds", "19", "254,253"},
		{"option_kinds", "34", "254,253"},
		{"option_kinds", "254,254", "254,253"},
		{"option_kinds", "254,253,200,201,202", "254,253"},
		{"option_kinds", ",", "254,253"},
		{"max_entries", "0", "262144"},
		{"max_entries", "16777217", "262144"},
		{"max_entries", "-5", "262144"},
	};
	size_t i;

	for (i = 0; i < VT_ARRAY_SIZE(bad); i++) {
		int err = vt_param_write(bad[i].name, bad[i].value);

		if (err != -EINVAL)
			return vt_fail(vt, "writing \"%s\" to %s gave %s, want EINVAL",
				       bad[i].value, bad[i].name, err ? strerror(-err) : "success");
		if (vt_param_expect(vt, bad[i].name, bad[i].keep))
			return -1;
	}
	return 0;
}
VT_SCENARIO(bad_runtime_params, .order = KT_BAD_RUNTIME_PARAMS, .needs_module = true);

/*
 * option_kind=200 replaces the first of the default kinds (254,253):
 * kind 200 is honoured, 254 no longer
 */
static int legacy_kind(struct vt *vt)
{
	uint8_t o[8];
	size_t n;

	if (vt_unload(vt) || vt_load(vt, "option_kind=200") ||
	    vt_param_expect(vt, "option_kind", "200") ||
	    vt_param_expect(vt, "option_kinds", "200,253"))
		return -1;
	n = kt_toa4(vt, o, TOA_LEGACY_KIND, VT_CLIENT4, VT_CLIENT_PORT);
	if (kt_check_conn(vt, VT_LSN_V4, AF_INET, o, n, VT_CLIENT4, VT_CLIENT_PORT,
			  "syn_recv_sock_toa", 1))
		return vt_fail(vt, "kind 200 with option_kind=200: %s", strdupa(vt->err));
	n = kt_toa4(vt, o, TOA_DEFAULT_KIND, VT_CLIENT4, VT_CLIENT_PORT);
	if (kt_check_conn(vt, VT_LSN_V4, AF_INET, o, n, VT_LB4, 0, "syn_recv_sock_no_toa", 1))
		return vt_fail(vt, "kind 254 with option_kind=200: %s", strdupa(vt->err));
	if (vt_unload(vt) || vt_load(vt, "") || vt_param_expect(vt, "option_kind", "254"))
		return -1;
	n = kt_toa4(vt, o, TOA_LEGACY_KIND, VT_CLIENT4, VT_CLIENT_PORT);
	if (kt_check_conn(vt, VT_LSN_V4, AF_INET, o, n, VT_LB4, 0, NULL, 0))
		return vt_fail(vt, "kind 200 with the default kind: %s", strdupa(vt->err));
	return 0;
}
VT_SCENARIO(legacy_kind, .order = KT_LEGACY_KIND, .needs_module = true, .reload_default = true);

static int bad_load_params(struct vt *vt)
{
	static const char *const bad[] = {
		"option_kind=1",
		"option_kind=2",
		"option_kind=8",
		"option_kind=300",
		"max_entries=0",
		"max_entries=16777217",
		"trusted_sources=1.2.3.4/40",
		"trusted_sources=nonsense",
	};
	size_t i;

	if (vt_unload(vt))
		return -1;
	for (i = 0; i < VT_ARRAY_SIZE(bad); i++) {
		int lines = vt_kmsg_count("TOA: "), err, after;

		err = vt_mod_load(vt->module_path, bad[i]);
		if (err != -EINVAL) {
			if (!err)
				vt_unload(vt);
			return vt_fail(vt, "loading with %s gave %s, want EINVAL", bad[i],
				       err ? strerror(-err) : "success");
		}
		if (vt_mod_loaded(VT_MODULE_NAME))
			return vt_fail(vt, "toa in /proc/modules after a refused load (%s)",
				       bad[i]);
		after = vt_kmsg_count("TOA: ");
		if (after <= lines)
			return vt_fail(vt, "no \"TOA: \" kernel log line for %s", bad[i]);
	}
	return 0;
}
VT_SCENARIO(bad_load_params, .order = KT_BAD_LOAD_PARAMS, .needs_module = true,
	    .reload_default = true);

static int module_unloaded(struct vt *vt)
{
	int before, after;

	before = vt_kmsg_count("TOA: toa unloaded");
	if (before < 0)
		return vt_fail(vt, "reading the kernel log: %s", strerror(-before));
	if (vt_unload(vt))
		return -1;
	after = vt_kmsg_count("TOA: toa unloaded");
	if (after != before + 1)
		return vt_fail(
			vt,
			"kernel log has %d \"TOA: toa unloaded\" lines after unloading, %d before",
			after, before);
	if (vt_mod_loaded(VT_MODULE_NAME))
		return vt_fail(vt, "toa still in /proc/modules");
	if (access(TOA_STATS_FILE, F_OK) == 0)
		return vt_fail(vt, "%s still exists", TOA_STATS_FILE);
	return 0;
}
VT_SCENARIO(module_unloaded, .order = KT_MODULE_UNLOADED, .needs_module = true);
