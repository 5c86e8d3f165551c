// SPDX-License-Identifier: GPL-2.0
/*
 * Where the module meets the TCP stack: probes by symbol name.
 *
 *   tcp_v4_syn_recv_sock (kretprobe)  the handshake ACK (or SYN-cookie ACK,
 *                                     or Fast Open SYN) made a child socket:
 *                                     read the option, remember the client.
 *                                     IPv4 clients of [::] listeners pass here.
 *   tcp_v6_syn_recv_sock (kretprobe)  the same for native IPv6.
 *   inet_getname, inet6_getname       getpeername() and accept(): show the
 *                       (kretprobes)  remembered client instead of the LB.
 *   inet_sock_destruct (kprobe)       the socket is gone: forget it.
 *
 * Nothing in the kernel is written except the sockaddr being returned.
 */
#define pr_fmt(fmt) "TOA: " fmt

#include <linux/cpumask.h>
#include <linux/in.h>
#include <linux/ipv6.h>
#include <linux/kprobes.h>
#include <linux/net.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "compat/compat.h"
#include "toa_hook.h"
#include "toa_opt.h"
#include "toa_param.h"
#include "toa_stats.h"
#include "toa_table.h"

/* ---- learning the client from the packet that creates the socket ---- */

static bool toa_packet_source(const struct sk_buff *skb, u8 *family,
			      const void **addr)
{
	if (skb->protocol == htons(ETH_P_IP)) {
		*family = 4;
		*addr = &ip_hdr(skb)->saddr;
		return true;
	}
#if IS_ENABLED(CONFIG_IPV6)
	if (skb->protocol == htons(ETH_P_IPV6)) {
		*family = 6;
		*addr = &ipv6_hdr(skb)->saddr;
		return true;
	}
#endif
	return false;
}

/*
 * Read the client the packet announces into @peer. Every outcome but a
 * usable client from a trusted source is counted here and gives false.
 */
static bool toa_read_client(const struct sk_buff *skb, struct toa_peer *peer)
{
	const struct tcphdr *th = tcp_hdr(skb);
	const u8 *tail = skb_tail_pointer(skb);
	enum toa_parse_result res;
	struct toa_client client;
	const void *src;
	u8 src_family;
	bool usable = false;

	/* TCP input pulled the whole header into the linear area; be sure */
	if ((const u8 *)th < skb->head || (const u8 *)th >= tail)
		return false;

	rcu_read_lock();
	res = toa_parse_options((const u8 *)th, tail - (const u8 *)th,
				toa_param_kinds(), &client);
	rcu_read_unlock();
	switch (res) {
	case TOA_PARSE_NONE:
		toa_count(TOA_SYN_RECV_SOCK_NO_TOA);
		break;
	case TOA_PARSE_MALFORMED:
		toa_count(TOA_MALFORMED);
		break;
	case TOA_PARSE_BAD_CLIENT:
		toa_count(TOA_BAD_CLIENT);
		break;
	case TOA_PARSE_V4:
	case TOA_PARSE_V6:
		if (!toa_packet_source(skb, &src_family, &src) ||
		    !toa_param_source_trusted(src_family, src)) {
			toa_count(TOA_UNTRUSTED);
			break;
		}
		if (client.family == 4)
			ipv6_addr_set_v4mapped(*(const __be32 *)client.addr,
					       &peer->addr);
		else
			memcpy(&peer->addr, client.addr, sizeof(peer->addr));
		memcpy(&peer->port, client.port, sizeof(peer->port));
		peer->family = client.family;
		usable = true;
		break;
	}
	if (client.exid_skipped)
		toa_count(TOA_EXID_SKIPPED);
	return usable;
}

/*
 * The option is read at entry, from the packet; only a connection that
 * carries a usable client arms the return probe, which gives the child.
 * An entry handler that returns non-zero leaves the return alone, so
 * connections without TOA pay for the entry probe only.
 */
struct toa_syn_call {
	struct toa_peer peer;
};

static int toa_syn_entry(struct kretprobe_instance *ri, struct pt_regs *regs,
			 __be16 protocol)
{
	struct toa_syn_call *call = (struct toa_syn_call *)ri->data;
	const struct sk_buff *skb;

	skb = (const struct sk_buff *)toa_regs_arg(regs, 1);
	if (!skb || skb->protocol != protocol)
		return 1;
	return toa_read_client(skb, &call->peer) ? 0 : 1;
}

static int toa_syn4_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return toa_syn_entry(ri, regs, htons(ETH_P_IP));
}

/* IPv4 packets reach tcp_v4_syn_recv_sock from here too: counted there */
static int toa_syn6_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return toa_syn_entry(ri, regs, htons(ETH_P_IPV6));
}

static int toa_syn_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct toa_syn_call *call = (struct toa_syn_call *)ri->data;
	struct sock *child = (struct sock *)regs_return_value(regs);

	if (child && toa_table_add(child, &call->peer))
		toa_count(TOA_SYN_RECV_SOCK_TOA);
	return 0;
}

/* ---- showing the client to getpeername() and accept() ---- */

/*
 * The socket's entry is looked up at entry; only a socket that has a
 * client to show arms the return probe, which rewrites the answer.
 */
struct toa_getname_call {
	struct sockaddr *uaddr;
	struct toa_peer peer;
};

static int toa_getname_entry(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	struct toa_getname_call *call = (struct toa_getname_call *)ri->data;
	struct socket *sock = (struct socket *)toa_regs_arg(regs, 0);
	int peer = (int)toa_regs_arg(regs, 2);
	struct sock *sk = sock ? sock->sk : NULL;

	if (!peer || !sk || sk->sk_type != SOCK_STREAM ||
	    sk->sk_protocol != IPPROTO_TCP) {
		toa_count(TOA_GETNAME_BYPASS);
		return 1;
	}
	switch (toa_table_lookup(sk, &call->peer)) {
	case TOA_LOOKUP_FOUND:
		call->uaddr = (struct sockaddr *)toa_regs_arg(regs, 1);
		return 0;
	case TOA_LOOKUP_STALE:
		toa_count(TOA_GETNAME_MISMATCH);
		return 1;
	case TOA_LOOKUP_NONE:
	default:
		toa_count(TOA_GETNAME_EMPTY);
		return 1;
	}
}

/* Rewrite the answer in place; its length does not change. */
static enum toa_counter toa_show(struct sockaddr *uaddr,
				 const struct toa_peer *peer)
{
	if (uaddr->sa_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;

		if (peer->family != 4)	/* NAT64: only the getsockopt has it */
			return TOA_GETNAME_MISMATCH;
		sin->sin_port = peer->port;
		sin->sin_addr.s_addr = peer->addr.s6_addr32[3];
		return TOA_GETNAME_OK;
	}
	if (uaddr->sa_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)uaddr;

		sin6->sin6_port = peer->port;
		sin6->sin6_addr = peer->addr;
		sin6->sin6_flowinfo = 0;
		sin6->sin6_scope_id = 0;
		return TOA_GETNAME_OK;
	}
	return TOA_GETNAME_MISMATCH;
}

static int toa_getname_return(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	struct toa_getname_call *call = (struct toa_getname_call *)ri->data;

	if ((long)regs_return_value(regs) <= 0)
		toa_count(TOA_GETNAME_BYPASS);	/* the call failed */
	else
		toa_count(toa_show(call->uaddr, &call->peer));
	return 0;
}

/* ---- forgetting the socket ---- */

static int toa_destruct_pre(struct kprobe *p, struct pt_regs *regs)
{
	toa_table_remove((const struct sock *)toa_regs_arg(regs, 0));
	return 0;
}

/* ---- registration ---- */

static struct kretprobe toa_kretprobes[] = {
	{
		.kp.symbol_name = "tcp_v4_syn_recv_sock",
		.entry_handler = toa_syn4_entry,
		.handler = toa_syn_return,
		.data_size = sizeof(struct toa_syn_call),
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.kp.symbol_name = "tcp_v6_syn_recv_sock",
		.entry_handler = toa_syn6_entry,
		.handler = toa_syn_return,
		.data_size = sizeof(struct toa_syn_call),
	},
#endif
	{
		.kp.symbol_name = "inet_getname",
		.entry_handler = toa_getname_entry,
		.handler = toa_getname_return,
		.data_size = sizeof(struct toa_getname_call),
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.kp.symbol_name = "inet6_getname",
		.entry_handler = toa_getname_entry,
		.handler = toa_getname_return,
		.data_size = sizeof(struct toa_getname_call),
	},
#endif
};

static struct kprobe toa_destruct_probe = {
	.symbol_name = "inet_sock_destruct",
	.pre_handler = toa_destruct_pre,
};

static int toa_maxactive;

/*
 * getname may sleep in lock_sock(), so many calls can be in flight at
 * once: a few dozen instances per CPU, bounded for very large machines.
 * A miss only means one answer shows the load balancer; it is counted.
 */
static int toa_pick_maxactive(void)
{
	return clamp_t(int, num_possible_cpus() * 32, 128, 4096);
}

int toa_hook_maxactive(void)
{
	return toa_maxactive;
}

bool toa_hook_nmissed(unsigned int i, const char **name, unsigned long *n)
{
	if (i < ARRAY_SIZE(toa_kretprobes)) {
		*name = toa_kretprobes[i].kp.symbol_name;
		*n = toa_kretprobes[i].nmissed + toa_kretprobes[i].kp.nmissed;
		return true;
	}
	if (i == ARRAY_SIZE(toa_kretprobes)) {
		*name = toa_destruct_probe.symbol_name;
		*n = toa_destruct_probe.nmissed;
		return true;
	}
	return false;
}

int toa_hook_init(void)
{
	unsigned int i;
	int err;

	toa_maxactive = toa_pick_maxactive();
	/* the destructor first: no entry may exist that nobody frees */
	err = register_kprobe(&toa_destruct_probe);
	if (err) {
		pr_err("cannot probe %s: error %d\n",
		       toa_destruct_probe.symbol_name, err);
		return err;
	}
	for (i = 0; i < ARRAY_SIZE(toa_kretprobes); i++) {
		toa_kretprobes[i].maxactive = toa_maxactive;
		err = register_kretprobe(&toa_kretprobes[i]);
		if (err) {
			pr_err("cannot probe %s: error %d\n",
			       toa_kretprobes[i].kp.symbol_name, err);
			goto undo;
		}
	}
	return 0;

undo:
	while (i--)
		unregister_kretprobe(&toa_kretprobes[i]);
	unregister_kprobe(&toa_destruct_probe);
	return err;
}

void toa_hook_exit(void)
{
	unsigned int i = ARRAY_SIZE(toa_kretprobes);

	/* learning and showing stop first, forgetting last */
	while (i--)
		unregister_kretprobe(&toa_kretprobes[i]);
	unregister_kprobe(&toa_destruct_probe);
}
