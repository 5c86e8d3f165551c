// SPDX-License-Identifier: GPL-2.0
/*
 * The NAT64 look-up.
 *
 * An IPv6 client behind a NAT64 load balancer reaches an IPv4 socket; a
 * sockaddr_in cannot hold it, so getpeername() stays unchanged and servers
 * that know ask getsockopt(IPPROTO_IP, TOA_SO_GET_LOOKUP) instead.
 */
#define pr_fmt(fmt) "TOA: " fmt

#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/uaccess.h>
#include <net/sock.h>

#include "compat/compat.h"
#include "toa_sockopt.h"
#include "toa_stats.h"
#include "toa_table.h"
#include "toa_tuple.h"
#include "toa_uapi.h"

static int toa_sockopt_get(struct sock *sk, int optval, toa_sockopt_ptr user,
			   int *len)
{
	struct toa_nat64_peer answer;
	struct toa_peer peer;

	if (optval != TOA_SO_GET_LOOKUP)
		return -EINVAL;
	if (*len < (int)sizeof(answer))
		return -EINVAL;
	if (!sk || (sk->sk_protocol != IPPROTO_TCP &&
		    sk->sk_protocol != IPPROTO_MPTCP) ||
	    toa_table_lookup(sk, toa_tuple_of_sock(sk), &peer,
			     sk->sk_protocol == IPPROTO_TCP) != TOA_LOOKUP_FOUND)
		return -ENOENT;

	memset(&answer, 0, sizeof(answer));
	answer.saddr = peer.addr;
	answer.sport = peer.port;
	if (toa_sockopt_copy_out(user, &answer, sizeof(answer)))
		return -EFAULT;
	*len = sizeof(answer);
	toa_count(TOA_NAT64_LOOKUP);
	return 0;
}

static struct nf_sockopt_ops toa_sockopt_ops = {
	.pf = PF_INET,
	.set_optmin = TOA_SO_BASE,
	.set_optmax = TOA_SO_BASE,	/* nothing to set */
	.get_optmin = TOA_SO_BASE,
	.get_optmax = TOA_SO_GET_LOOKUP + 1,
	.get = toa_sockopt_get,
	.owner = THIS_MODULE,
};

int toa_sockopt_init(void)
{
	int err = nf_register_sockopt(&toa_sockopt_ops);

	if (err)
		pr_err("cannot register getsockopt %d: error %d\n",
		       TOA_SO_GET_LOOKUP, err);
	return err;
}

void toa_sockopt_exit(void)
{
	nf_unregister_sockopt(&toa_sockopt_ops);
}
