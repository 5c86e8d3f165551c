/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which connection: a 64-bit key of (network namespace, local address and
 * port, remote address and port), the same whether it is computed from a
 * handshake packet or from the socket the handshake made. The packet side
 * knows no socket yet and the socket side no packet any more; the key is
 * what they share. IPv4 peers of [::] sockets (v4-mapped) key as IPv4,
 * like their packets.
 *
 * The mixing is a multiply-xorshift chain seeded with a secret picked at
 * load: a few instructions a word, because every getpeername() of the
 * machine computes one, and with 64 bits a collision between two live
 * connections is about as likely as 2^-64 per pair. The first socket that
 * claims an entry owns it (toa_table.c), so a key is never shown to
 * another socket.
 */
#ifndef TOA_TUPLE_H
#define TOA_TUPLE_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/types.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>

extern u64 toa_tuple_secret;

/* Pick the secret the keys are mixed with; at load, before any hook. */
void toa_tuple_init(void);

static __always_inline u64 toa_mix(u64 h, u64 v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 31);
}

static __always_inline u64 toa_finish(u64 h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h | 1;	/* never 0: 0 means "no connection" */
}

static __always_inline u64 toa_key4(const struct net *net, __be32 raddr,
				    __be32 laddr, __be16 rport, __be16 lport)
{
	u64 h = toa_tuple_secret;

	h = toa_mix(h, (u64)(unsigned long)net);
	h = toa_mix(h, (u64)(__force u32)raddr << 32 | (__force u32)laddr);
	h = toa_mix(h, (u64)(__force u16)rport << 16 | (__force u16)lport |
		       4ULL << 32);
	return toa_finish(h);
}

static __always_inline u64 toa_key6(const struct net *net,
				    const struct in6_addr *raddr,
				    const struct in6_addr *laddr,
				    __be16 rport, __be16 lport)
{
	u64 h = toa_tuple_secret;
	u64 w[4];

	memcpy(&w[0], raddr, sizeof(*raddr));
	memcpy(&w[2], laddr, sizeof(*laddr));
	h = toa_mix(h, (u64)(unsigned long)net);
	h = toa_mix(h, w[0]);
	h = toa_mix(h, w[1]);
	h = toa_mix(h, w[2]);
	h = toa_mix(h, w[3]);
	h = toa_mix(h, (u64)(__force u16)rport << 16 | (__force u16)lport |
		       6ULL << 32);
	return toa_finish(h);
}

/*
 * The connection @skb (IPv4 or IPv6 + TCP, headers in the linear area)
 * belongs to, in @net; 0 for anything else (no key is ever 0).
 */
static inline u64 toa_tuple_of_skb(const struct net *net,
				   const struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);

	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		return toa_key4(net, iph->saddr, iph->daddr, th->source,
				th->dest);
	}
#if IS_ENABLED(CONFIG_IPV6)
	if (skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		return toa_key6(net, &ip6h->saddr, &ip6h->daddr, th->source,
				th->dest);
	}
#endif
	return 0;
}

/*
 * The connection of the TCP (or MPTCP) socket @sk. The local port is
 * inet_sport: inet_num is cleared when a closing socket leaves the bind
 * table, before it is destroyed.
 */
static inline u64 toa_tuple_of_sock(const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&sk->sk_v6_daddr))
		return toa_key6(sock_net(sk), &sk->sk_v6_daddr,
				&sk->sk_v6_rcv_saddr, inet->inet_dport,
				inet->inet_sport);
#endif
	return toa_key4(sock_net(sk), inet->inet_daddr, inet->inet_rcv_saddr,
			inet->inet_dport, inet->inet_sport);
}

#endif /* TOA_TUPLE_H */
