// SPDX-License-Identifier: GPL-2.0
/* Does nf_sockopt_ops.get take a sockptr_t instead of a user pointer? */
#include <linux/netfilter.h>
#include <linux/sockptr.h>

static int toa_probe_get(struct sock *sk, int optval, sockptr_t arg, int *len)
{
	return 0;
}

struct nf_sockopt_ops toa_probe_ops;
struct nf_sockopt_ops toa_probe_ops = { .get = toa_probe_get };
