/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * bad_params.c - 11 bad values (bad CIDRs, an empty item, 65 CIDRs, kind
 * 0/1/8/256, max_entries 0 and 2^24+1) at insmod time, then the same
 * written to /sys/module/toa/parameters/: EINVAL, exactly one new "TOA: "
 * kernel log line naming the parameter and the reason, the module not
 * loaded / the previous value kept; a 64-CIDR list is accepted.
 */
#include "st.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * "10.0.0.1,10.0.0.2,...": @n host addresses, each followed by @suffix ("" as
 * written by the test, "/32" for the module's canonical form)
 */
static char *cidr_list(int n, const char *suffix, char *buf, size_t cap)
{
	size_t at = 0;
	int i;

	buf[0] = '\0';
	for (i = 1; i <= n && at < cap; i++)
		at += (size_t)snprintf(buf + at, cap - at, "%s10.0.%d.%d%s", i > 1 ? "," : "",
				       i / 256, i % 256, suffix);
	return buf;
}

struct bad {
	const char *param, *value; /* value NULL: the 65-item list */
	const char *needle;	   /* what the kernel log line must say */
};

static const struct bad bad_values[] = {
	{"trusted_sources", "1.2.3.4/33", "trusted_sources: item 1 refused: prefix length"},
	{"trusted_sources", "2001:db8::/129", "trusted_sources: item 1 refused: prefix length"},
	{"trusted_sources", "10.0.0.0/8,nonsense",
	 "trusted_sources: item 2 refused: not an IPv4 or IPv6 address"},
	{"trusted_sources", "10.0.0.1,,10.0.0.2", "trusted_sources: item 2 refused: empty item"},
	{"trusted_sources", NULL, "refused: more than 64 networks"},
	{"option_kind", "0", "option_kind: '0' refused"},
	{"option_kind", "1", "option_kind: '1' refused"},
	{"option_kind", "8", "option_kind: '8' refused"},
	{"option_kind", "256", "option_kind: '256' refused"},
	{"max_entries", "0", "max_entries: '0' refused"},
	{"max_entries", "16777217", "max_entries: '16777217' refused"},
};

/*
 * Run @try (a load or a parameter write) and check that it gave EINVAL
 * and left exactly one new "TOA: " line that contains @needle.
 */
static int expect_refused(struct vt *vt, const char *what, const char *needle, int err,
			  int toa_before, int needle_before)
{
	int toa_after = vt_kmsg_count("TOA: "), needle_after = vt_kmsg_count(needle);

	if (err != -EINVAL)
		return vt_fail(vt, "%s gave %s, want EINVAL", what,
			       err ? strerror(-err) : "success");
	if (toa_after != toa_before + 1)
		return vt_fail(vt, "%s: %d new \"TOA: \" kernel log lines, want 1", what,
			       toa_after - toa_before);
	if (needle_after != needle_before + 1)
		return vt_fail(vt, "%s: no kernel log line saying \"%s\"", what, needle);
	return 0;
}

/* the 64- and 65-address lists are long */
static char big[4096], canon[4096];

/* at load time: refused, not loaded, one clear log line; 64 networks load */
static int refused_at_load(struct vt *vt, int *n)
{
	char what[1200], val[4096];
	size_t i;

	if (vt_mod_loaded(VT_MODULE_NAME) && vt_unload(vt))
		return -1;
	for (i = 0; i < VT_ARRAY_SIZE(bad_values); i++) {
		const struct bad *b = &bad_values[i];
		int t = vt_kmsg_count("TOA: "), nd = vt_kmsg_count(b->needle), err;

		snprintf(what, sizeof(what), "%s=%s", b->param,
			 b->value ? b->value : cidr_list(65, "", big, sizeof(big)));
		err = vt_mod_load(vt->module_path, what);
		if (!err)
			vt_unload(vt);
		if (b->value == NULL)
			snprintf(what, sizeof(what), "loading with %s=<65 addresses>", b->param);
		else
			snprintf(what, sizeof(what), "loading with %s=%s", b->param, b->value);
		if (expect_refused(vt, what, b->needle, err, t, nd))
			return -1;
		if (vt_mod_loaded(VT_MODULE_NAME))
			return vt_fail(vt, "%s: toa in /proc/modules after a refused load", what);
		(*n)++;
	}
	/* the bound itself is fine: 64 networks */
	snprintf(what, sizeof(what), "trusted_sources=%s", cidr_list(64, "", big, sizeof(big)));
	if (vt_load(vt, what))
		return -1;
	if (vt_param_read("trusted_sources", val, sizeof(val)))
		return vt_fail(vt, "reading trusted_sources failed");
	cidr_list(64, "/32", canon, sizeof(canon));
	if (strcmp(val, canon))
		return vt_fail(vt, "trusted_sources with 64 networks reads back as \"%.80s...\"",
			       val);
	return 0;
}

/* at run time: refused, one clear log line, previous value kept */
static int refused_at_run_time(struct vt *vt, int *n)
{
	char what[1200], val[4096];
	size_t i;

	if (vt_param_write("trusted_sources", VT_LB_NET4) ||
	    vt_param_write("max_entries", "1000") || vt_param_write("option_kind", "254"))
		return vt_fail(vt, "setting good parameters at run time failed");
	for (i = 0; i < VT_ARRAY_SIZE(bad_values); i++) {
		const struct bad *b = &bad_values[i];
		int t = vt_kmsg_count("TOA: "), nd = vt_kmsg_count(b->needle), err;
		const char *keep = !strcmp(b->param, "trusted_sources") ? VT_LB_NET4
			: !strcmp(b->param, "max_entries")		? "1000"
									: "254";

		err = vt_param_write(b->param,
				     b->value ? b->value : cidr_list(65, "", big, sizeof(big)));
		snprintf(what, sizeof(what), "writing %s to %s",
			 b->value ? b->value : "<65 addresses>", b->param);
		if (expect_refused(vt, what, b->needle, err, t, nd))
			return -1;
		if (vt_param_read(b->param, val, sizeof(val)) || strcmp(val, keep))
			return vt_fail(vt, "%s: %s is now \"%s\", want the previous \"%s\"", what,
				       b->param, val, keep);
		(*n)++;
	}
	return 0;
}

static int bad_params(struct vt *vt)
{
	int n_load = 0, n_run = 0, r;

	r = refused_at_load(vt, &n_load) || refused_at_run_time(vt, &n_run) ? -1 : 0;
	if (!r) {
		snprintf(
			vt->note, sizeof(vt->note),
			"%d bad values refused at load time and %d at run time (EINVAL, one TOA: line each, settings kept); 64 networks accepted",
			n_load, n_run);
		st_fig("bad_params refused_at_load=%d refused_at_runtime=%d", n_load, n_run);
	}
	/* leave the module loaded with the defaults */
	if (vt_mod_loaded(VT_MODULE_NAME) && vt_unload(vt) && !r)
		r = -1;
	if (vt_load(vt, "") && !r)
		r = -1;
	return r;
}
VT_SCENARIO(bad_params, .order = ST_BAD_PARAMS);
