// SPDX-License-Identifier: GPL-2.0
/*
 * The attachments, all through stable interfaces (ftrace_ops, tracepoints,
 * kretprobes), none writing kernel text or data:
 *
 *   tcp_conn_request        ftrace, entry   a SYN for a listener
 *   tcp_check_req           ftrace, entry   a segment for a request socket
 *   cookie_v4_check/v6      ftrace, entry   an ACK that may carry a cookie
 *   inet_getname/inet6_*    ftrace, entry   getpeername() and accept(); a
 *                                           socket with a client is sent on
 *                                           to a wrapper that calls the
 *                                           function and rewrites its answer
 *                                           (FTRACE_OPS_FL_IPMODIFY, as live
 *                                           patching does). Where another
 *                                           user holds IPMODIFY there, a
 *                                           kretprobe takes over.
 *   tcp_disconnect          ftrace, entry   a socket is cut off (its peer
 *                                           port is cleared before it dies)
 *   tcp_destroy_sock        tracepoint      the socket is gone
 *
 * Entry callbacks cost far less than kprobes (docs/benchmarks.md), nest
 * across contexts without being dropped, and none of them allocates.
 */
#define pr_fmt(fmt) "TOA: " fmt

#include <linux/module.h>
#include <linux/cpumask.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/delay.h>
#include <linux/tracepoint.h>
#include <net/sock.h>
#include <net/inet_common.h>	/* after sock.h: 5.10's needs struct sock */
#include <net/ipv6.h>

#include "compat/compat.h"
#include "toa_attach.h"
#include "toa_hook.h"
#include "toa_stats.h"
#include "toa_table.h"

struct toa_fhook {
	const char *name;
	ftrace_func_t func;
	unsigned long flags;
	bool optional;			/* absent from some configurations */
	bool armed;
	struct ftrace_ops ops;
};

enum {
	TOA_H_SYN,
	TOA_H_CHECK_REQ,
	TOA_H_COOKIE4,
	TOA_H_COOKIE6,
	TOA_H_GETNAME4,
	TOA_H_GETNAME6,
	TOA_H_DISCONNECT,
	TOA_NR_FHOOKS
};

static struct toa_fhook toa_fhooks[TOA_NR_FHOOKS];

/* ---- the packet side ---- */

static void notrace toa_cb_syn(unsigned long ip, unsigned long pip,
			       struct ftrace_ops *op,
			       struct toa_ftrace_regs *fregs)
{
	/* tcp_conn_request(rsk_ops, af_ops, sk, skb) */
	toa_hook_syn((struct sock *)toa_ftrace_arg(fregs, 2),
		     (const struct sk_buff *)toa_ftrace_arg(fregs, 3));
}

static void notrace toa_cb_check_req(unsigned long ip, unsigned long pip,
				     struct ftrace_ops *op,
				     struct toa_ftrace_regs *fregs)
{
	/* tcp_check_req(sk, skb, req, fastopen, req_stolen) */
	toa_hook_handshake((struct sock *)toa_ftrace_arg(fregs, 0),
			   (const struct request_sock *)toa_ftrace_arg(fregs, 2),
			   (const struct sk_buff *)toa_ftrace_arg(fregs, 1));
}

static void notrace toa_cb_cookie(unsigned long ip, unsigned long pip,
				  struct ftrace_ops *op,
				  struct toa_ftrace_regs *fregs)
{
	/* cookie_v4_check(sk, skb), cookie_v6_check(sk, skb) */
	toa_hook_cookie((struct sock *)toa_ftrace_arg(fregs, 0),
			(const struct sk_buff *)toa_ftrace_arg(fregs, 1));
}

static void notrace toa_cb_disconnect(unsigned long ip, unsigned long pip,
				      struct ftrace_ops *op,
				      struct toa_ftrace_regs *fregs)
{
	/*
	 * tcp_disconnect(sk, flags) clears the peer's port before the socket
	 * is destroyed (a listener closing with children not accepted):
	 * forget the connection while its key can still be computed.
	 */
	toa_hook_destroy((struct sock *)toa_ftrace_arg(fregs, 0));
}

/* ---- getname: the redirect ---- */

/*
 * The wrappers run in process context and may sleep inside getname
 * (lock_sock); the module's text must stay until the last has returned.
 * Each counts itself in and out on whatever CPU it runs (the sum is what
 * counts); exit waits for the sum to fall to 0 once no callback can send
 * anyone here any more (toa_attach_undo()). Two per-CPU increments, where
 * SRCU would add a call and a full barrier to every rewritten getname.
 */
static DEFINE_PER_CPU(long, toa_in_wrapper);

static long toa_wrappers_busy(void)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(toa_in_wrapper, cpu));
	return sum;
}

/*
 * The callback that sends a getname here has found the client already and
 * passes it in the free argument registers (toa_getname_pass()): no second
 * look-up, and nothing to keep between the callback and the wrapper.
 */
static __always_inline int
toa_getname_wrap(int (*orig)(struct socket *, struct sockaddr *, int),
		 struct socket *sock, struct sockaddr *uaddr, int peer,
		 u64 addr_hi, u64 addr_lo, u64 port_family)
{
	struct toa_peer client;
	int ret;

	this_cpu_inc(toa_in_wrapper);
	ret = orig(sock, uaddr, peer);	/* its callback lets us through */
	memcpy(&client.addr.s6_addr[0], &addr_hi, 8);
	memcpy(&client.addr.s6_addr[8], &addr_lo, 8);
	client.port = (__force __be16)(port_family & 0xffff);
	client.family = (port_family >> 16) & 0xff;
	toa_hook_getname_exit(uaddr, ret, &client);
	this_cpu_dec(toa_in_wrapper);
	return ret;
}

static noinline int toa_inet_getname(struct socket *sock,
				     struct sockaddr *uaddr, int peer,
				     u64 addr_hi, u64 addr_lo, u64 port_family)
{
	return toa_getname_wrap(inet_getname, sock, uaddr, peer, addr_hi,
				addr_lo, port_family);
}

#if IS_ENABLED(CONFIG_IPV6)
static noinline int toa_inet6_getname(struct socket *sock,
				      struct sockaddr *uaddr, int peer,
				      u64 addr_hi, u64 addr_lo,
				      u64 port_family)
{
	return toa_getname_wrap(inet6_getname, sock, uaddr, peer, addr_hi,
				addr_lo, port_family);
}
#endif

/* Send this getname to @wrapper with @client in arguments 4 to 6. */
static __always_inline void toa_getname_pass(struct pt_regs *regs,
					     unsigned long wrapper,
					     const struct toa_peer *client)
{
	u64 hi, lo;

	memcpy(&hi, &client->addr.s6_addr[0], 8);
	memcpy(&lo, &client->addr.s6_addr[8], 8);
	toa_regs_set_arg(regs, 3, hi);
	toa_regs_set_arg(regs, 4, lo);
	toa_regs_set_arg(regs, 5, (__force u16)client->port |
				  (u64)client->family << 16);
	instruction_pointer_set(regs, wrapper);
}

static void notrace toa_cb_getname(unsigned long ip, unsigned long pip,
				   struct ftrace_ops *op,
				   struct toa_ftrace_regs *fregs)
{
	struct toa_fhook *h = container_of(op, struct toa_fhook, ops);
	struct pt_regs *regs = toa_ftrace_pt_regs(fregs);
	const struct socket *sock;
	struct toa_peer client;
	int peer;

	/* our wrapper calling the real function: nothing to do */
	if (toa_in_module_text(pip))
		return;
	sock = (const struct socket *)toa_regs_arg(regs, 0);
	peer = (int)toa_regs_arg(regs, 2);
	/* what has no client to show is counted here; the rest there */
	if (toa_hook_getname(sock, peer, &client, true) != TOA_GETNAME_SHOW)
		return;
#if IS_ENABLED(CONFIG_IPV6)
	if (h == &toa_fhooks[TOA_H_GETNAME6]) {
		toa_getname_pass(regs, (unsigned long)toa_inet6_getname,
				 &client);
		return;
	}
#endif
	toa_getname_pass(regs, (unsigned long)toa_inet_getname, &client);
}

#define TOA_ENTRY_FLAGS		(TOA_FTRACE_ARG_FLAGS | TOA_FTRACE_RECURSION_FLAGS)
#define TOA_REDIRECT_FLAGS	(FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY | \
				 TOA_FTRACE_RECURSION_FLAGS)

static struct toa_fhook toa_fhooks[TOA_NR_FHOOKS] = {
	[TOA_H_SYN] = { "tcp_conn_request", toa_cb_syn, TOA_ENTRY_FLAGS },
	[TOA_H_CHECK_REQ] = { "tcp_check_req", toa_cb_check_req,
			      TOA_ENTRY_FLAGS },
	[TOA_H_COOKIE4] = { "cookie_v4_check", toa_cb_cookie, TOA_ENTRY_FLAGS,
			    .optional = true },
	[TOA_H_COOKIE6] = { "cookie_v6_check", toa_cb_cookie, TOA_ENTRY_FLAGS,
			    .optional = true },
	[TOA_H_GETNAME4] = { "inet_getname", toa_cb_getname,
			     TOA_REDIRECT_FLAGS },
	[TOA_H_GETNAME6] = { "inet6_getname", toa_cb_getname,
			     TOA_REDIRECT_FLAGS, .optional = true },
	[TOA_H_DISCONNECT] = { "tcp_disconnect", toa_cb_disconnect,
			       TOA_ENTRY_FLAGS },
};

/* ---- getname: the kretprobe, where the redirect is refused ---- */

struct toa_getname_call {
	struct sockaddr *uaddr;
	struct toa_peer peer;
};

static int toa_krp_getname_entry(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct toa_getname_call *call = (struct toa_getname_call *)ri->data;

	if (toa_hook_getname((struct socket *)toa_regs_arg(regs, 0),
			     (int)toa_regs_arg(regs, 2), &call->peer, true) !=
	    TOA_GETNAME_SHOW)
		return 1;	/* no return probe for this call */
	call->uaddr = (struct sockaddr *)toa_regs_arg(regs, 1);
	return 0;
}

static int toa_krp_getname_return(struct kretprobe_instance *ri,
				  struct pt_regs *regs)
{
	struct toa_getname_call *call = (struct toa_getname_call *)ri->data;

	/* getname returns an int: the length, or a negative errno */
	toa_hook_getname_exit(call->uaddr, (int)regs_return_value(regs),
			      &call->peer);
	return 0;
}

static struct kretprobe toa_krp[2] = {
	{
		.kp.symbol_name = "inet_getname",
		.entry_handler = toa_krp_getname_entry,
		.handler = toa_krp_getname_return,
		.data_size = sizeof(struct toa_getname_call),
	},
	{
		.kp.symbol_name = "inet6_getname",
		.entry_handler = toa_krp_getname_entry,
		.handler = toa_krp_getname_return,
		.data_size = sizeof(struct toa_getname_call),
	},
};

static bool toa_krp_armed[2];
static int toa_maxactive;

int toa_attach_maxactive(void)
{
	return toa_maxactive;
}

/* ---- the destructor: a tracepoint ---- */

static void toa_tp_destroy(void *data, struct sock *sk)
{
	toa_hook_destroy(sk);
}

static struct tracepoint *toa_tp;

static void toa_tp_find(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "tcp_destroy_sock"))
		toa_tp = tp;
}

/* ---- registration ---- */

/*
 * An empty filter frees the one set before (ftrace_free_filter() is not
 * exported everywhere, 5.10 among them).
 */
static void toa_fhook_clear(struct toa_fhook *h)
{
	ftrace_set_filter(&h->ops, NULL, 0, 1);
}

static int toa_fhook_arm(struct toa_fhook *h)
{
	int err;

	h->ops.func = h->func;
	h->ops.flags = h->flags;
	err = ftrace_set_filter(&h->ops, (unsigned char *)h->name,
				strlen(h->name), 1);
	if (!err)
		err = register_ftrace_function(&h->ops);
	if (err) {
		toa_fhook_clear(h);
		return err;
	}
	h->armed = true;
	return 0;
}

static void toa_fhook_disarm(struct toa_fhook *h)
{
	if (!h->armed)
		return;
	unregister_ftrace_function(&h->ops);
	toa_fhook_clear(h);
	h->armed = false;
}

/* The kretprobe for getname hook @i, when its redirect was refused. */
static int toa_krp_arm(unsigned int i)
{
	int err;

	toa_maxactive = clamp_t(int, num_possible_cpus() * 32, 128, 4096);
	toa_krp[i].maxactive = toa_maxactive;
	err = register_kretprobe(&toa_krp[i]);
	if (!err)
		toa_krp_armed[i] = true;
	return err;
}

bool toa_attach_missed(unsigned int i, const char **name, unsigned long *n)
{
	struct toa_fhook *h;

	if (i >= TOA_NR_FHOOKS)
		return false;
	h = &toa_fhooks[i];
	*name = h->name;
	*n = 0;		/* an ftrace callback is never skipped */
	if ((i == TOA_H_GETNAME4 || i == TOA_H_GETNAME6) &&
	    toa_krp_armed[i - TOA_H_GETNAME4]) {
		struct kretprobe *rp = &toa_krp[i - TOA_H_GETNAME4];

		*n += rp->nmissed + rp->kp.nmissed;
	}
	return true;
}

/*
 * Arming order: forgetting first, then showing, learning last, so that
 * no entry is made while a hook that must forget it is not armed yet (a
 * socket closed with SO_LINGER 0 meanwhile would keep its entry: its
 * peer port is cleared before it is destroyed). Disarming: the reverse.
 */
static const u8 toa_arm_order[TOA_NR_FHOOKS] = {
	TOA_H_DISCONNECT, TOA_H_GETNAME4, TOA_H_GETNAME6, TOA_H_COOKIE4,
	TOA_H_COOKIE6, TOA_H_CHECK_REQ, TOA_H_SYN,
};

static void toa_attach_undo(void)
{
	unsigned int n = TOA_NR_FHOOKS;

	/* learning and showing stop first, forgetting last */
	while (n--)
		toa_fhook_disarm(&toa_fhooks[toa_arm_order[n]]);
	for (n = 0; n < ARRAY_SIZE(toa_krp); n++)
		if (toa_krp_armed[n]) {
			unregister_kretprobe(&toa_krp[n]);
			toa_krp_armed[n] = false;
		}
	/*
	 * No callback sends anyone to a wrapper now: unregistering waited
	 * for every task to leave the ftrace trampolines, so each getname
	 * that was sent has counted itself in. Wait until all are out.
	 */
	synchronize_rcu();
	while (toa_wrappers_busy())
		usleep_range(1000, 2000);
	if (toa_tp) {
		tracepoint_probe_unregister(toa_tp, toa_tp_destroy, NULL);
		tracepoint_synchronize_unregister();
		toa_tp = NULL;
	}
}

int toa_attach_init(void)
{
	unsigned int n;
	int err;

	/* the destructor first: no entry may exist that nobody forgets */
	for_each_kernel_tracepoint(toa_tp_find, NULL);
	if (!toa_tp) {
		pr_err("no tcp_destroy_sock tracepoint in this kernel\n");
		return -ENOENT;
	}
	err = tracepoint_probe_register(toa_tp, toa_tp_destroy, NULL);
	if (err) {
		pr_err("cannot attach to tcp_destroy_sock: error %d\n", err);
		toa_tp = NULL;
		return err;
	}
	for (n = 0; n < TOA_NR_FHOOKS; n++) {
		unsigned int i = toa_arm_order[n];
		struct toa_fhook *h = &toa_fhooks[i];

		err = toa_fhook_arm(h);
		if (err == -EBUSY &&
		    (i == TOA_H_GETNAME4 || i == TOA_H_GETNAME6)) {
			pr_info("%s: another ftrace user redirects it; using a kretprobe\n",
				h->name);
			err = toa_krp_arm(i - TOA_H_GETNAME4);
		}
		if (err == -EINVAL && h->optional) {
			pr_info("%s: not in this kernel, skipped\n", h->name);
			err = 0;
		}
		if (err) {
			pr_err("cannot attach to %s: error %d\n", h->name, err);
			toa_attach_undo();
			return err;
		}
	}
	return 0;
}

void toa_attach_exit(void)
{
	toa_attach_undo();
}
