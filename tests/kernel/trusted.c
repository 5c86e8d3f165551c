/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * trusted.c - trusted_sources: TOA is honoured only from the networks it
 * lists (any source when it is empty); bad lists are refused and change
 * nothing; what is written reads back in canonical form.
 */
#include "kt.h"

#include <errno.h>
#include <string.h>

static int trusted_sources(struct vt *vt)
{
	static const char *const bad[] = {"1.2.3.4/33", "nonsense", "198.51.100.0/24,300.1.1.1"};
	uint8_t o4[8], o6[20];
	size_t n4 = kt_toa4(vt, o4, TOA_DEFAULT_KIND, VT_CLIENT4, VT_CLIENT_PORT);
	size_t n6 = kt_toa6(vt, o6, TOA_DEFAULT_KIND, VT_CLIENT6, VT_CLIENT_PORT);
	size_t i;

	/* a list without the LB: TOA ignored */
	if (vt_param_set(vt, "trusted_sources", VT_OTHER_NET4) ||
	    vt_param_expect(vt, "trusted_sources", VT_OTHER_NET4) ||
	    kt_check_conn(vt, VT_LSN_V4, AF_INET, o4, n4, VT_LB4, 0, "untrusted", 1))
		return -1;
	/* with the LB's network: honoured */
	if (vt_param_set(vt, "trusted_sources", VT_LB_NET4) ||
	    vt_param_expect(vt, "trusted_sources", VT_LB_NET4) ||
	    kt_check_conn(vt, VT_LSN_V4, AF_INET, o4, n4, VT_CLIENT4, VT_CLIENT_PORT,
			  "syn_recv_sock_toa", 1))
		return -1;
	/* an IPv4-only list does not trust an IPv6 LB */
	if (kt_check_conn(vt, VT_LSN_V6_ONLY, AF_INET6, o6, n6, VT_LB6, 0, "untrusted", 1))
		return -1;
	/* bad values are refused with EINVAL and change nothing */
	for (i = 0; i < VT_ARRAY_SIZE(bad); i++) {
		int err = vt_param_write("trusted_sources", bad[i]);

		if (err != -EINVAL)
			return vt_fail(vt, "writing \"%s\" to trusted_sources gave %s, want EINVAL",
				       bad[i], err ? strerror(-err) : "success");
		if (vt_param_expect(vt, "trusted_sources", VT_LB_NET4))
			return -1;
	}
	/* an IPv6 prefix, written untidily: canonical form back */
	if (vt_param_set(vt, "trusted_sources", " 192.0.2.1 , 2001:db8:1::/64\n") ||
	    vt_param_expect(vt, "trusted_sources", "192.0.2.1/32,2001:db8:1::/64") ||
	    kt_check_conn(vt, VT_LSN_V6_ONLY, AF_INET6, o6, n6, VT_CLIENT6, VT_CLIENT_PORT,
			  "syn_recv_sock_toa", 1) ||
	    kt_check_conn(vt, VT_LSN_V4, AF_INET, o4, n4, VT_LB4, 0, "untrusted", 1))
		return -1;
	/* cleared: any source again */
	if (vt_param_set(vt, "trusted_sources", "\n") ||
	    vt_param_expect(vt, "trusted_sources", "") ||
	    kt_check_conn(vt, VT_LSN_V4, AF_INET, o4, n4, VT_CLIENT4, VT_CLIENT_PORT, NULL, 0))
		return -1;
	return 0;
}
VT_SCENARIO(trusted_sources, .order = KT_TRUSTED_SOURCES, .needs_module = true,
	    .clear_trusted = true);
