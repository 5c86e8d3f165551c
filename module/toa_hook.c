// SPDX-License-Identifier: GPL-2.0
/*
 * Where the module meets the TCP stack.
 *
 * A connection gets the client of the first handshake packet that carries
 * a usable TOA: its SYN, its bare handshake ACK (also the one a
 * TCP_DEFER_ACCEPT listener drops) or the segment that completed the
 * handshake (data, when the ACK was lost). A SYN starts a new connection
 * and clears whatever its key had; later packets never change a client.
 * getpeername() and accept() show it to user space; kernel-owned sockets
 * are never rewritten. Nothing in the kernel is written except the
 * sockaddr being returned.
 */
#define pr_fmt(fmt) "TOA: " fmt

#include <linux/in.h>
#include <linux/ipv6.h>
#include <linux/net.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/inet_connection_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/request_sock.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "toa_hook.h"
#include "toa_opt.h"
#include "toa_param.h"
#include "toa_stats.h"
#include "toa_table.h"
#include "toa_tuple.h"

/* ---- learning the client from a handshake packet ---- */

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

enum toa_read {
	TOA_READ_CLIENT,	/* *peer: a client from a trusted source */
	TOA_READ_NONE,		/* no TOA on the packet (not counted) */
	TOA_READ_REFUSED,	/* a TOA, unusable (counted) */
};

/*
 * Read the client @skb announces into @peer. A TOA that cannot be used is
 * counted here; a packet without one is for the caller to count.
 */
static enum toa_read toa_read_client(const struct sk_buff *skb,
				     struct toa_peer *peer)
{
	const struct tcphdr *th = tcp_hdr(skb);
	const u8 *tail = skb_tail_pointer(skb);
	enum toa_parse_result res;
	struct toa_client client;
	enum toa_read read = TOA_READ_REFUSED;
	const void *src;
	u8 src_family;

	/* TCP input pulled the whole header into the linear area; be sure */
	if ((const u8 *)th < skb->head || (const u8 *)th >= tail)
		return TOA_READ_NONE;

	rcu_read_lock_sched();
	res = toa_parse_options((const u8 *)th, tail - (const u8 *)th,
				toa_param_kinds(), &client);
	rcu_read_unlock_sched();
	switch (res) {
	case TOA_PARSE_NONE:
		read = TOA_READ_NONE;
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
		read = TOA_READ_CLIENT;
		break;
	}
	if (client.exid_skipped)
		toa_count(TOA_EXID_SKIPPED);
	return read;
}

static void toa_count_learnt(enum toa_from from)
{
	static const enum toa_counter by_from[] = {
		[TOA_FROM_SYN] = TOA_LEARNT_SYN,
		[TOA_FROM_ACK] = TOA_LEARNT_ACK,
		[TOA_FROM_DATA] = TOA_LEARNT_DATA,
	};

	toa_count(TOA_SYN_RECV_SOCK_TOA);
	toa_count(by_from[from]);
}

/*
 * Will the listener answer this SYN with a cookie (and keep no state)?
 * The test tcp_conn_request() makes; a full accept queue drops the SYN.
 */
static bool toa_syn_kept(const struct sock *sk)
{
	u8 cookies = READ_ONCE(sock_net(sk)->ipv4.sysctl_tcp_syncookies);

	if (sk_acceptq_is_full(sk))
		return false;
	return !cookies || (cookies != 2 && !inet_csk_reqsk_queue_is_full(sk));
}

void toa_hook_syn(struct sock *sk, const struct sk_buff *skb)
{
	struct toa_peer peer;
	bool toa = toa_read_client(skb, &peer) == TOA_READ_CLIENT;
	u64 key = toa_tuple_of_skb(sock_net(sk), skb);

	if (!key)
		return;
	if (toa && !toa_syn_kept(sk)) {
		toa_count(TOA_SYN_COOKIE_LOST);
		toa = false;
	}
	if (toa_table_new_conn(key, toa ? &peer : NULL) == TOA_RECORD_ADDED)
		toa_count_learnt(TOA_FROM_SYN);
}

static unsigned int toa_payload_len(const struct sk_buff *skb)
{
	int n = (int)skb->len - skb_transport_offset(skb) - tcp_hdrlen(skb);

	return n > 0 ? n : 0;
}

/*
 * Will tcp_check_req() drop this ACK, as it does a bare one while the
 * listener's TCP_DEFER_ACCEPT still waits for data? Its own test.
 */
static bool toa_ack_deferred(const struct sock *sk,
			     const struct request_sock *req,
			     const struct sk_buff *skb)
{
	return req->num_timeout <
		       READ_ONCE(inet_csk(sk)->icsk_accept_queue.rskq_defer_accept) &&
	       TCP_SKB_CB(skb)->end_seq == tcp_rsk(req)->rcv_isn + 1;
}

/*
 * A handshake ACK or data segment without TOA. The connection counts as
 * one without a client unless it has one already (from its SYN, or from
 * an ACK a deferred listener dropped), or this ACK is dropped too and the
 * data segment to come decides: one count per connection.
 */
static void toa_count_no_toa(const struct sock *sk,
			     const struct request_sock *req,
			     const struct sk_buff *skb, enum toa_from from)
{
	u64 key;

	if (from == TOA_FROM_ACK && req && toa_ack_deferred(sk, req, skb))
		return;
	key = toa_tuple_of_skb(sock_net(sk), skb);
	if (key && toa_table_has(key))
		return;
	toa_count(TOA_SYN_RECV_SOCK_NO_TOA);
}

void toa_hook_handshake(struct sock *sk, const struct request_sock *req,
			const struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct toa_peer peer;
	enum toa_from from;
	u64 key;

	if (th->rst)
		return;
	if (th->syn)
		from = TOA_FROM_SYN;		/* a SYN again */
	else
		from = toa_payload_len(skb) ? TOA_FROM_DATA : TOA_FROM_ACK;
	switch (toa_read_client(skb, &peer)) {
	case TOA_READ_CLIENT:
		break;
	case TOA_READ_NONE:
		if (from != TOA_FROM_SYN)
			toa_count_no_toa(sk, req, skb, from);
		return;
	case TOA_READ_REFUSED:
	default:
		return;
	}
	key = toa_tuple_of_skb(sock_net(sk), skb);
	if (key && toa_table_add(key, &peer, from) == TOA_RECORD_ADDED)
		toa_count_learnt(from);
}

void toa_hook_cookie(struct sock *sk, const struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);

	/* What cookie_v4_check() itself looks at first */
	if (th->rst || th->syn || !th->ack ||
	    !READ_ONCE(sock_net(sk)->ipv4.sysctl_tcp_syncookies))
		return;
	toa_hook_handshake(sk, NULL, skb);
}

/* ---- showing the client to getpeername() and accept() ---- */

static bool toa_stream_sock(const struct sock *sk)
{
	return sk && sk->sk_type == SOCK_STREAM &&
	       (sk->sk_protocol == IPPROTO_TCP ||
		sk->sk_protocol == IPPROTO_MPTCP);
}

enum toa_getname toa_hook_getname(const struct socket *sock, int peer,
				  struct toa_peer *out, bool claim)
{
	const struct sock *sk = sock ? sock->sk : NULL;

	if (!peer || !toa_stream_sock(sk)) {
		toa_count(TOA_GETNAME_BYPASS);
		return TOA_GETNAME_PASS;
	}
	if (sk->sk_kern_sock) {
		toa_count(TOA_GETNAME_KERNEL_SOCK);
		return TOA_GETNAME_PASS;
	}
	/*
	 * An MPTCP socket shares its first subflow's key: it shows the
	 * client without owning the entry, which the subflow keeps.
	 */
	switch (toa_table_lookup(sk, toa_tuple_of_sock(sk), out,
				 claim && sk->sk_protocol == IPPROTO_TCP)) {
	case TOA_LOOKUP_FOUND:
		return TOA_GETNAME_SHOW;
	case TOA_LOOKUP_STALE:
		toa_count(TOA_GETNAME_MISMATCH);
		return TOA_GETNAME_PASS;
	case TOA_LOOKUP_NONE:
	default:
		toa_count(TOA_GETNAME_EMPTY);
		return TOA_GETNAME_PASS;
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

void toa_hook_getname_exit(struct sockaddr *uaddr, int ret,
			   const struct toa_peer *peer)
{
	if (ret <= 0)
		toa_count(TOA_GETNAME_BYPASS);	/* the call failed */
	else
		toa_count(toa_show(uaddr, peer));
}

/* ---- forgetting the socket ---- */

void toa_hook_destroy(struct sock *sk)
{
	toa_table_forget(sk, toa_tuple_of_sock(sk));
}
