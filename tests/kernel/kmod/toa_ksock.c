// SPDX-License-Identifier: GPL-2.0
/*
 * toa_ksock - a test-only in-kernel TCP server, the way nfsd/SUNRPC and
 * ksmbd have one: it listens with a kernel socket on port=N, accepts one
 * connection with kernel_accept() and publishes what kernel_getpeername()
 * returned in /sys/module/toa_ksock/parameters/peer, then sets done to 1
 * (peer is read only after that: a reader racing the write saw half of
 * it on PREEMPT_RT). toa must never rewrite that answer
 * (tests/kernel/owner.c).
 */
#define pr_fmt(fmt) "toa_ksock: " fmt

#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/net.h>
#include <net/sock.h>

static int port;
module_param(port, int, 0444);
MODULE_PARM_DESC(port, "TCP port to listen on (required)");

static char peer[64];
module_param_string(peer, peer, sizeof(peer), 0444);
MODULE_PARM_DESC(peer, "what kernel_getpeername() gave for the connection accepted");

static int done;
module_param(done, int, 0444);
MODULE_PARM_DESC(done, "1 once peer is written whole");

static struct socket *toa_ksock_listener;
static struct task_struct *toa_ksock_task;

static int toa_ksock_serve(void *unused)
{
	struct sockaddr_in sin;
	struct socket *conn;
	char buf[sizeof(peer)];
	int err;

	err = kernel_accept(toa_ksock_listener, &conn, 0);
	if (err) {
		snprintf(buf, sizeof(buf), "accept error %d", err);
		goto publish;
	}
	err = kernel_getpeername(conn, (struct sockaddr *)&sin);
	if (err < 0)
		snprintf(buf, sizeof(buf), "getpeername error %d", err);
	else
		snprintf(buf, sizeof(buf), "%pI4:%u", &sin.sin_addr,
			 ntohs(sin.sin_port));
	kernel_sock_shutdown(conn, SHUT_RDWR);
	sock_release(conn);
publish:
	memcpy(peer, buf, sizeof(peer));
	/* peer is whole before done reads 1 (the test reads done first) */
	smp_store_release(&done, 1);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static int __init toa_ksock_init(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int err;

	if (port <= 0 || port > 65535)
		return -EINVAL;
	sin.sin_port = htons(port);
	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &toa_ksock_listener);
	if (err)
		return err;
	/* void *: kernel_bind() takes struct sockaddr_unsized * from 6.19 */
	err = kernel_bind(toa_ksock_listener, (void *)&sin, sizeof(sin));
	if (!err)
		err = kernel_listen(toa_ksock_listener, 8);
	if (err)
		goto release;
	toa_ksock_task = kthread_run(toa_ksock_serve, NULL, "toa_ksock");
	if (IS_ERR(toa_ksock_task)) {
		err = PTR_ERR(toa_ksock_task);
		goto release;
	}
	return 0;
release:
	sock_release(toa_ksock_listener);
	return err;
}

static void __exit toa_ksock_exit(void)
{
	/* wakes a kernel_accept() still waiting */
	kernel_sock_shutdown(toa_ksock_listener, SHUT_RDWR);
	kthread_stop(toa_ksock_task);
	sock_release(toa_ksock_listener);
}

module_init(toa_ksock_init);
module_exit(toa_ksock_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("test-only in-kernel TCP server for the toa tests");
