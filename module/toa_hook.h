/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What happens at each point the module hooks, whatever mechanism brought
 * it there (toa_attach.c): learn the client from the handshake, show it to
 * getpeername() and accept(), forget it with the socket.
 */
#ifndef TOA_HOOK_H
#define TOA_HOOK_H

#include <linux/types.h>

struct request_sock;
struct sk_buff;
struct sock;
struct sockaddr;
struct socket;
struct toa_peer;

/* tcp_conn_request(): a SYN reached the listener @sk. */
void toa_hook_syn(struct sock *sk, const struct sk_buff *skb);
/*
 * tcp_check_req(): a segment for the request socket @req of @sk (the
 * listener, or a Fast Open child): the handshake ACK, data, or a SYN
 * again. @req is NULL where no request socket exists (a SYN cookie).
 */
void toa_hook_handshake(struct sock *sk, const struct request_sock *req,
			const struct sk_buff *skb);
/* cookie_v4_check()/cookie_v6_check(): an ACK that may be a SYN cookie. */
void toa_hook_cookie(struct sock *sk, const struct sk_buff *skb);

enum toa_getname {
	TOA_GETNAME_PASS,	/* nothing to show (counted) */
	TOA_GETNAME_SHOW,	/* *out is the client to show */
};

/*
 * getname(@sock, ..., @peer): is there a client to show? Every answer but
 * TOA_GETNAME_SHOW is counted here; a shown one by toa_hook_getname_exit.
 * With @claim, a TCP socket becomes the owner of the entry it finds.
 */
enum toa_getname toa_hook_getname(const struct socket *sock, int peer,
				  struct toa_peer *out, bool claim);
/* After: @ret is getname's result (the address length, or -errno). */
void toa_hook_getname_exit(struct sockaddr *uaddr, int ret,
			   const struct toa_peer *peer);

/* The TCP socket @sk is being destroyed. */
void toa_hook_destroy(struct sock *sk);

#endif /* TOA_HOOK_H */
