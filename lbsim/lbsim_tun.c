/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lbsim_tun.c - the TUN device: creating it, bringing it up, giving it
 * addresses (rtnetlink), and reading packets from it for one connection
 * while those of the others wait in a queue.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "lbsim_int.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define QUEUE_LEN 256 /* unmatched TCP packets kept for other conns */
#define READ_BUF  65536

struct qpkt {
	uint16_t len;
	uint8_t data[LBSIM_PKT_MAX];
};

struct lbsim_tun {
	int fd;
	int ifindex;
	char name[IFNAMSIZ];
	uint16_t next_port;
	uint32_t isn_seed;
	uint32_t seed;	    /* fixed at open: the timestamp clock offset */
	struct qpkt *queue; /* ring of packets read for other conns */
	unsigned int qhead, qcount;
	uint8_t *rbuf; /* READ_BUF bytes */
};

int lbsim_tun_open(struct lbsim_tun **out, const char *name)
{
	struct lbsim_tun *t;
	struct ifreq ifr;
	struct timespec ts;
	int sk, err;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->queue = calloc(QUEUE_LEN, sizeof(*t->queue));
	t->rbuf = malloc(READ_BUF);
	if (!t->queue || !t->rbuf) {
		err = -ENOMEM;
		goto fail;
	}
	t->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (t->fd < 0) {
		err = -errno;
		goto fail;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (name)
		strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		goto fail_fd;
	}
	memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
	t->name[IFNAMSIZ - 1] = '\0';

	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0) {
		err = -errno;
		goto fail_fd;
	}
	if (ioctl(sk, SIOCGIFINDEX, &ifr) < 0) {
		err = -errno;
		close(sk);
		goto fail_fd;
	}
	close(sk);
	t->ifindex = ifr.ifr_ifindex;

	clock_gettime(CLOCK_REALTIME, &ts);
	t->isn_seed = (uint32_t)ts.tv_nsec * 2654435761u ^ (uint32_t)ts.tv_sec;
	t->seed = t->isn_seed * 2246822519u + 374761393u;
	t->next_port = (uint16_t)(20000 + t->isn_seed % 40000);
	*out = t;
	return 0;

fail_fd:
	close(t->fd);
fail:
	free(t->queue);
	free(t->rbuf);
	free(t);
	return err;
}

void lbsim_tun_close(struct lbsim_tun *tun)
{
	if (!tun)
		return;
	close(tun->fd);
	free(tun->queue);
	free(tun->rbuf);
	free(tun);
}

const char *lbsim_tun_name(const struct lbsim_tun *tun)
{
	return tun->name;
}

int lbsim_tun_ifindex(const struct lbsim_tun *tun)
{
	return tun->ifindex;
}

int lbsim_tun_fd(const struct lbsim_tun *tun)
{
	return tun->fd;
}

uint16_t lbsim_tun_next_port(struct lbsim_tun *tun)
{
	uint16_t p = tun->next_port;

	tun->next_port = (uint16_t)(p >= 59999 ? 20000 : p + 1);
	return p;
}

uint32_t lbsim_tun_seed(const struct lbsim_tun *tun)
{
	return tun->seed;
}

/* The seed for the next ISN; it moves on with every call. */
uint32_t lbsim_tun_take_isn_seed(struct lbsim_tun *tun)
{
	uint32_t s = tun->isn_seed;

	tun->isn_seed = tun->isn_seed * 1664525u + 1013904223u;
	return s;
}

int lbsim_tun_write(struct lbsim_tun *tun, const uint8_t *pkt, size_t n)
{
	ssize_t w;

	errno = 0;
	w = write(tun->fd, pkt, n);
	if (w != (ssize_t)n)
		return errno ? -errno : -EIO;
	return 0;
}

int lbsim_tun_up(struct lbsim_tun *tun)
{
	struct ifreq ifr;
	int sk, err = 0;

	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, tun->name, IFNAMSIZ);
	if (ioctl(sk, SIOCGIFFLAGS, &ifr) < 0) {
		err = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(sk, SIOCSIFFLAGS, &ifr) < 0)
			err = -errno;
	}
	close(sk);
	return err;
}

static void nl_attr(struct nlmsghdr *nh, size_t cap, unsigned short type, const void *data,
		    size_t len)
{
	struct rtattr *rta;
	size_t off = NLMSG_ALIGN(nh->nlmsg_len);

	if (off + RTA_SPACE(len) > cap)
		return; /* cannot happen with the sizes used here */
	rta = (struct rtattr *)((char *)nh + off);
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
}

int lbsim_tun_add_addr(struct lbsim_tun *tun, int family, const void *addr, unsigned int prefixlen)
{
	union {
		struct nlmsghdr nh;
		char buf[256];
	} req;
	union {
		struct nlmsghdr nh;
		char buf[1024];
	} ans;
	struct ifaddrmsg *ifa;
	struct sockaddr_nl sa;
	int alen = lbsim_addr_len(family);
	int sk, err = 0;
	ssize_t n;

	if (alen < 0 || prefixlen > (unsigned int)alen * 8)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	req.nh.nlmsg_seq = 1;
	ifa = NLMSG_DATA(&req.nh);
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)tun->ifindex;
	if (family == AF_INET6) {
		uint32_t fl = IFA_F_NODAD;

		ifa->ifa_flags = IFA_F_NODAD;
		nl_attr(&req.nh, sizeof(req), IFA_ADDRESS, addr, (size_t)alen);
		nl_attr(&req.nh, sizeof(req), IFA_FLAGS, &fl, sizeof(fl));
	} else {
		nl_attr(&req.nh, sizeof(req), IFA_LOCAL, addr, (size_t)alen);
		nl_attr(&req.nh, sizeof(req), IFA_ADDRESS, addr, (size_t)alen);
	}

	sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (sk < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(sk, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		struct nlmsghdr *nh;

		n = recv(sk, &ans, sizeof(ans), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		for (nh = &ans.nh; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				err = e->error; /* 0 = ACK, else -errno */
				goto out;
			}
		}
	}
out:
	close(sk);
	return err;
}

/* ---- reading segments ---- */

static int seg_matches(const struct lbsim_conn *c, const struct lbsim_seg *s)
{
	size_t alen = (size_t)lbsim_addr_len(c->family);

	return s->family == c->family && s->sport == c->srv_port && s->dport == c->lb_port &&
		!memcmp(s->src, c->srv_addr, alen) && !memcmp(s->dst, c->lb_addr, alen);
}

void lbsim_queue_push(struct lbsim_tun *t, const uint8_t *p, size_t n)
{
	unsigned int slot;

	if (n > LBSIM_PKT_MAX)
		return;
	if (t->qcount == QUEUE_LEN) { /* drop the oldest */
		t->qhead = (t->qhead + 1) % QUEUE_LEN;
		t->qcount--;
	}
	slot = (t->qhead + t->qcount) % QUEUE_LEN;
	t->queue[slot].len = (uint16_t)n;
	memcpy(t->queue[slot].data, p, n);
	t->qcount++;
}

void lbsim_tun_flush(struct lbsim_tun *tun)
{
	tun->qhead = 0;
	tun->qcount = 0;
}

void lbsim_queue_scan(struct lbsim_tun *t, struct lbsim_conn *c,
		      void (*fn)(struct lbsim_conn *c, const struct lbsim_seg *s))
{
	unsigned int i;

	for (i = 0; i < t->qcount; i++) {
		struct qpkt *q = &t->queue[(t->qhead + i) % QUEUE_LEN];
		struct lbsim_seg s;

		if (lbsim_parse_seg(q->data, q->len, &s) == 0 && seg_matches(c, &s))
			fn(c, &s);
	}
}

/*
 * Take a queued packet for @c into @out; returns its length or 0. The
 * queue keeps its order; the taken slot is closed up.
 */
static size_t queue_take(struct lbsim_tun *t, const struct lbsim_conn *c, uint8_t *out)
{
	unsigned int i;

	for (i = 0; i < t->qcount; i++) {
		unsigned int slot = (t->qhead + i) % QUEUE_LEN;
		struct lbsim_seg s;
		size_t n = t->queue[slot].len;
		unsigned int j;

		if (lbsim_parse_seg(t->queue[slot].data, n, &s) < 0 || !seg_matches(c, &s))
			continue;
		memcpy(out, t->queue[slot].data, n);
		for (j = i; j + 1 < t->qcount; j++) {
			unsigned int a = (t->qhead + j) % QUEUE_LEN;
			unsigned int b = (t->qhead + j + 1) % QUEUE_LEN;

			t->queue[a] = t->queue[b];
		}
		t->qcount--;
		return n;
	}
	return 0;
}

int lbsim_read_seg(struct lbsim_conn *c, struct lbsim_seg *s, int64_t deadline)
{
	struct lbsim_tun *t = c->tun;

	for (;;) {
		struct pollfd pfd = {.fd = t->fd, .events = POLLIN};
		int64_t left = deadline - lbsim_now_ms();
		ssize_t r;
		int pr;

		if (left < 0)
			left = 0;
		r = read(t->fd, t->rbuf, READ_BUF);
		if (r > 0) {
			if (lbsim_parse_seg(t->rbuf, (size_t)r, s) < 0)
				continue; /* not TCP: ND, MLD, ... */
			if (seg_matches(c, s))
				return 0;
			lbsim_queue_push(t, t->rbuf, (size_t)r);
			continue;
		}
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (left == 0)
			return -ETIMEDOUT;
		pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno != EINTR)
			return -errno;
	}
}

int lbsim_next_seg(struct lbsim_conn *c, struct lbsim_seg *s, int64_t deadline)
{
	struct lbsim_tun *t = c->tun;
	size_t n = queue_take(t, c, t->rbuf);

	if (n) {
		lbsim_parse_seg(t->rbuf, n, s);
		return 0;
	}
	return lbsim_read_seg(c, s, deadline);
}
