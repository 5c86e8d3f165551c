/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lbget.c - toa-lbget: one HTTP request to a server on this machine, made
 * the way a load balancer makes it: over a TUN device, from the balancer's
 * address, with the real client's address in a TOA option on the
 * handshake ACK (lbsim, Linux-like options around it). The servers under
 * test are unmodified (nginx, HAProxy, python3 -m http.server, busybox
 * httpd); what they log is what accept()/getpeername() told them.
 *
 *   toa-lbget [-6] -p PORT -c CLIENT [-P CLIENT_PORT] [-k KIND] [-d DEST]
 *
 *   -6        IPv6: the TUN device gets 2001:db8:7fa::1/126, the balancer
 *             is 2001:db8:7fa::2 (IPv4: 198.51.100.1/30 and .2, the
 *             addresses toa-check selftest uses)
 *   -p PORT   the server's port
 *   -c ADDR   the client address put into the TOA option (its family is
 *             the connection's)
 *   -P PORT   the client port in the option (default 4321)
 *   -k KIND   the option kind (default 254)
 *   -d ADDR   connect to ADDR instead of the TUN device's own address (a
 *             DNAT or IPVS virtual address routed on this machine)
 *
 * Sends "GET / HTTP/1.0", reads the answer to the server's FIN, closes.
 * Prints the status line on stdout; exit 0 for a 200, 1 for any other
 * answer or none, 2 for a bad argument; errors are one line on stderr.
 */
#include "lbsim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LBGET_TIMEOUT_MS 20000 /* TCG in a busy VM: a server's first answer */

struct lbget_args {
	int family;
	uint16_t port, client_port;
	uint8_t kind;
	uint8_t client[16], dest[16];
	int has_dest;
};

static int lbget_num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || *out > max || *s == '-' ? -1 : 0;
}

static int lbget_usage(const char *msg, const char *arg)
{
	fprintf(stderr,
		"toa-lbget: %s%s%s (usage: toa-lbget [-6] -p PORT -c CLIENT [-P PORT] [-k KIND] [-d DEST])\n",
		msg, arg ? ": " : "", arg ? arg : "");
	return 2;
}

static int lbget_parse(int argc, char **argv, struct lbget_args *a)
{
	const char *client = NULL, *dest = NULL;
	unsigned long v;
	int o;

	a->family = AF_INET;
	a->client_port = 4321;
	a->kind = 254;
	while ((o = getopt(argc, argv, "6p:c:P:k:d:")) != -1) {
		switch (o) {
		case '6':
			a->family = AF_INET6;
			break;
		case 'p':
			if (lbget_num(optarg, 65535, &v) || !v)
				return lbget_usage("-p: not a port", optarg);
			a->port = (uint16_t)v;
			break;
		case 'P':
			if (lbget_num(optarg, 65535, &v))
				return lbget_usage("-P: not a port", optarg);
			a->client_port = (uint16_t)v;
			break;
		case 'k':
			if (lbget_num(optarg, 255, &v) || v < 2)
				return lbget_usage("-k: not an option kind (2..255)", optarg);
			a->kind = (uint8_t)v;
			break;
		case 'c':
			client = optarg;
			break;
		case 'd':
			dest = optarg;
			break;
		default:
			return lbget_usage("unknown option", NULL);
		}
	}
	if (optind != argc)
		return lbget_usage("unexpected argument", argv[optind]);
	if (!a->port || !client)
		return lbget_usage("-p and -c are required", NULL);
	if (inet_pton(a->family, client, a->client) != 1)
		return lbget_usage(a->family == AF_INET ? "-c: not an IPv4 address"
							: "-c: not an IPv6 address",
				   client);
	if (dest && inet_pton(a->family, dest, a->dest) != 1)
		return lbget_usage("-d: not an address of the connection's family", dest);
	a->has_dest = dest != NULL;
	return 0;
}

static int lbget_fail(const char *what, int err)
{
	fprintf(stderr, "toa-lbget: %s: %s\n", what, strerror(-err));
	return 1;
}

/* The request and the answer; the status line goes to stdout. */
static int lbget_http(struct lbsim_conn *c)
{
	static const char req[] =
		"GET / HTTP/1.0\r\nHost: toa-test\r\nUser-Agent: toa-lbget\r\n\r\n";
	char buf[16384];
	size_t have = 0;
	ssize_t n;
	char *eol;
	int rc;

	rc = lbsim_send(c, req, sizeof(req) - 1, NULL, 0);
	if (rc < 0)
		return lbget_fail("send", rc);
	for (;;) {
		n = lbsim_recv(c, buf + have, sizeof(buf) - 1 - have, LBGET_TIMEOUT_MS);
		if (n < 0)
			return lbget_fail("receive", (int)n);
		if (n == 0)
			break;
		have += (size_t)n;
		if (have == sizeof(buf) - 1)
			break; /* the status line is in; the rest is not needed */
	}
	buf[have] = '\0';
	eol = strpbrk(buf, "\r\n");
	if (eol)
		*eol = '\0';
	printf("%s\n", buf);
	rc = lbsim_close(c, LBGET_TIMEOUT_MS);
	if (rc < 0)
		return lbget_fail("close", rc);
	return strncmp(buf, "HTTP/1.", 7) || strncmp(buf + 8, " 200", 4) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct lbget_args a = {0};
	struct lbsim_tun *tun = NULL;
	struct lbsim_conn c;
	uint8_t srv[16], lb[16], opt[20];
	size_t optlen;
	int rc;

	rc = lbget_parse(argc, argv, &a);
	if (rc)
		return rc;
	inet_pton(a.family, a.family == AF_INET ? "198.51.100.1" : "2001:db8:7fa::1", srv);
	inet_pton(a.family, a.family == AF_INET ? "198.51.100.2" : "2001:db8:7fa::2", lb);
	optlen = a.family == AF_INET ? lbsim_toa_v4(opt, a.kind, a.client, a.client_port)
				     : lbsim_toa_v6(opt, a.kind, a.client, a.client_port);

	rc = lbsim_tun_open(&tun, NULL);
	if (!rc)
		rc = lbsim_tun_up(tun);
	if (!rc)
		rc = lbsim_tun_add_addr(tun, a.family, srv, a.family == AF_INET ? 30 : 126);
	if (rc) {
		lbsim_tun_close(tun);
		return lbget_fail("TUN device", rc);
	}
	rc = lbsim_conn_init(&c, tun, a.family, lb, 0, a.has_dest ? a.dest : srv, a.port);
	if (!rc)
		rc = lbsim_connect(&c, NULL, 0, opt, optlen, LBGET_TIMEOUT_MS);
	if (rc) {
		lbsim_tun_close(tun);
		return lbget_fail("connect", rc);
	}
	rc = lbget_http(&c);
	if (rc && !c.reset)
		lbsim_reset(&c);
	lbsim_tun_close(tun);
	return rc;
}
