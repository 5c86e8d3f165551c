/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * conn.c - building TOA options and checking one connection, for every
 * topic of toa-vmtest; see kt.h.
 */
#include "kt.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct kt_client kt_client4 = {VT_CLIENT4, VT_CLIENT_PORT};

size_t kt_toa4(struct vt *vt, uint8_t *o, uint8_t kind, const char *ip, uint16_t port)
{
	struct in_addr a;

	if (inet_pton(AF_INET, ip, &a) != 1)
		a = vt->client4;
	return lbsim_toa_v4(o, kind, &a, port);
}

size_t kt_toa6(struct vt *vt, uint8_t *o, uint8_t kind, const char *ip, uint16_t port)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, ip, &a) != 1)
		a = vt->client6;
	return lbsim_toa_v6(o, kind, &a, port);
}

int kt_check_conn(struct vt *vt, enum vt_lsn kind, int family, const uint8_t *opts, size_t optlen,
		  const char *addr, uint16_t port, const char *counter, long long min)
{
	struct vt_stats a, b;
	uint16_t lport;
	int lfd, r;

	if (counter && vt_stats_read(vt, &a))
		return -1;
	lfd = vt_listener(vt, kind, &lport);
	if (lfd < 0)
		return -1;
	r = vt_one_conn(vt, lfd, lport, family, opts, optlen, addr, port);
	close(lfd);
	if (r)
		return -1;
	if (counter && (vt_stats_read(vt, &b) || vt_expect_delta(vt, &a, &b, counter, min)))
		return -1;
	return 0;
}

/* /proc/net/netstat "TcpExt:" value of @name, -1 when absent */
long long kt_netstat(const char *name)
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
