/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lbsim.c - load-balancer emulator over TUN; see lbsim.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "lbsim.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define PKT_MAX		2048	/* queued packets larger than this are dropped */
#define QUEUE_LEN	256	/* unmatched TCP packets kept for other conns */
#define READ_BUF	65536
#define OUR_WINDOW	65535
#define SYN_RESEND_MS	1000

struct qpkt {
	uint16_t len;
	uint8_t data[PKT_MAX];
};

struct lbsim_tun {
	int fd;
	int ifindex;
	char name[IFNAMSIZ];
	uint16_t next_port;
	uint16_t ip_id;
	uint32_t isn_seed;
	struct qpkt *queue;	/* ring of packets read for other conns */
	unsigned int qhead, qcount;
	uint8_t *rbuf;		/* READ_BUF bytes */
};

/* A parsed TCP packet read from the device. */
struct seg {
	int family;
	const uint8_t *src, *dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	const uint8_t *opts;
	size_t optlen;
	const uint8_t *data;
	size_t dlen;
};

static int addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* RFC 1071 sum, big-endian 16-bit words, odd byte padded with zero. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t pseudo_sum(int family, const uint8_t *src, const uint8_t *dst,
			   size_t tcplen)
{
	uint32_t sum = 0;
	int alen = addr_len(family);

	sum = csum_add(sum, src, (size_t)alen);
	sum = csum_add(sum, dst, (size_t)alen);
	if (family == AF_INET) {
		sum += IPPROTO_TCP;
		sum += (uint32_t)tcplen;
	} else {
		sum += (uint32_t)(tcplen >> 16);
		sum += (uint32_t)(tcplen & 0xffff);
		sum += IPPROTO_TCP;
	}
	return sum;
}

static size_t padded(size_t optlen)
{
	return (optlen + 3) & ~(size_t)3;
}

ssize_t lbsim_build_packet(uint8_t *out, size_t cap, int family,
			   const void *src, const void *dst,
			   uint16_t sport, uint16_t dport,
			   uint32_t seq, uint32_t ack, uint8_t flags,
			   uint16_t window, const uint8_t *opts, size_t optlen,
			   const void *data, size_t len)
{
	int alen = addr_len(family);
	size_t iphl = family == AF_INET ? 20 : 40;
	size_t thl, total;
	uint8_t *ip = out, *th;
	uint32_t sum;

	if (alen < 0 || optlen > LBSIM_MAX_OPTLEN || (optlen && !opts) ||
	    (len && !data))
		return -EINVAL;
	thl = 20 + padded(optlen);
	total = iphl + thl + len;
	if (total > cap || total > 65535)
		return -EMSGSIZE;

	memset(out, 0, iphl + thl);
	if (family == AF_INET) {
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)total);
		/* id stays 0 with DF set, like Linux does for TCP */
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	} else {
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(thl + len));
		ip[6] = IPPROTO_TCP;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
	}

	th = out + iphl;
	put16(th, sport);
	put16(th + 2, dport);
	put32(th + 4, seq);
	put32(th + 8, ack);
	th[12] = (uint8_t)((thl / 4) << 4);
	th[13] = flags;
	put16(th + 14, window);
	if (optlen)
		memcpy(th + 20, opts, optlen);	/* the padding stays 0 (EOL) */
	if (len)
		memcpy(th + thl, data, len);

	sum = pseudo_sum(family, (const uint8_t *)src, (const uint8_t *)dst,
			 thl + len);
	sum = csum_add(sum, th, thl + len);
	put16(th + 16, csum_fold(sum));
	return (ssize_t)total;
}

/* Parse a packet read from the device; -1 when it is not TCP. */
static int parse_seg(const uint8_t *p, size_t n, struct seg *s)
{
	const uint8_t *th;
	size_t iphl, tlen, thl;

	if (n < 1)
		return -1;
	if ((p[0] >> 4) == 4) {
		size_t tot;

		if (n < 20)
			return -1;
		iphl = (size_t)(p[0] & 0x0f) * 4;
		tot = get16(p + 2);
		if (iphl < 20 || tot > n || tot < iphl || p[9] != IPPROTO_TCP)
			return -1;
		if (get16(p + 6) & 0x3fff)	/* fragment */
			return -1;
		s->family = AF_INET;
		s->src = p + 12;
		s->dst = p + 16;
		tlen = tot - iphl;
	} else if ((p[0] >> 4) == 6) {
		size_t plen;

		if (n < 40)
			return -1;
		iphl = 40;
		plen = get16(p + 4);
		if (p[6] != IPPROTO_TCP || 40 + plen > n)
			return -1;
		s->family = AF_INET6;
		s->src = p + 8;
		s->dst = p + 24;
		tlen = plen;
	} else {
		return -1;
	}
	if (tlen < 20)
		return -1;
	th = p + iphl;
	thl = (size_t)(th[12] >> 4) * 4;
	if (thl < 20 || thl > tlen)
		return -1;
	s->sport = get16(th);
	s->dport = get16(th + 2);
	s->seq = get32(th + 4);
	s->ack = get32(th + 8);
	s->flags = th[13];
	s->opts = th + 20;
	s->optlen = thl - 20;
	s->data = th + thl;
	s->dlen = tlen - thl;
	return 0;
}

int lbsim_tcp_checksum_check(const uint8_t *pkt, size_t len)
{
	struct seg s;
	size_t tcplen;
	const uint8_t *th;

	if (parse_seg(pkt, len, &s) < 0)
		return -1;
	th = s.opts - 20;
	tcplen = (size_t)(s.data + s.dlen - th);
	return csum_fold(csum_add(pseudo_sum(s.family, s.src, s.dst, tcplen),
				  th, tcplen));
}

size_t lbsim_toa_v4(uint8_t *out, uint8_t kind, const void *addr4, uint16_t port)
{
	out[0] = kind;
	out[1] = 8;
	put16(out + 2, port);
	memcpy(out + 4, addr4, 4);
	return 8;
}

size_t lbsim_toa_v6(uint8_t *out, uint8_t kind, const void *addr6, uint16_t port)
{
	out[0] = kind;
	out[1] = 20;
	put16(out + 2, port);
	memcpy(out + 4, addr6, 16);
	return 20;
}

/* ---- the device ---- */

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

static void nl_attr(struct nlmsghdr *nh, size_t cap, unsigned short type,
		    const void *data, size_t len)
{
	struct rtattr *rta;
	size_t off = NLMSG_ALIGN(nh->nlmsg_len);

	if (off + RTA_SPACE(len) > cap)
		return;	/* cannot happen with the sizes used here */
	rta = (struct rtattr *)((char *)nh + off);
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
}

int lbsim_tun_add_addr(struct lbsim_tun *tun, int family, const void *addr,
		       unsigned int prefixlen)
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
	int alen = addr_len(family);
	int sk, err = 0;
	ssize_t n;

	if (alen < 0 || prefixlen > (unsigned int)alen * 8)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
			     NLM_F_REPLACE;
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
	if (sendto(sk, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
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
		for (nh = &ans.nh; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				err = e->error;	/* 0 = ACK, else -errno */
				goto out;
			}
		}
	}
out:
	close(sk);
	return err;
}

/* ---- reading segments ---- */

static int seg_matches(const struct lbsim_conn *c, const struct seg *s)
{
	size_t alen = (size_t)addr_len(c->family);

	return s->family == c->family && s->sport == c->srv_port &&
	       s->dport == c->lb_port && !memcmp(s->src, c->srv_addr, alen) &&
	       !memcmp(s->dst, c->lb_addr, alen);
}

static void queue_push(struct lbsim_tun *t, const uint8_t *p, size_t n)
{
	unsigned int slot;

	if (n > PKT_MAX)
		return;
	if (t->qcount == QUEUE_LEN) {	/* drop the oldest */
		t->qhead = (t->qhead + 1) % QUEUE_LEN;
		t->qcount--;
	}
	slot = (t->qhead + t->qcount) % QUEUE_LEN;
	t->queue[slot].len = (uint16_t)n;
	memcpy(t->queue[slot].data, p, n);
	t->qcount++;
}

/*
 * Take a queued packet for @c into @out; returns its length or 0. The
 * queue keeps its order; the taken slot is closed up.
 */
static size_t queue_take(struct lbsim_tun *t, const struct lbsim_conn *c,
			 uint8_t *out)
{
	unsigned int i;

	for (i = 0; i < t->qcount; i++) {
		unsigned int slot = (t->qhead + i) % QUEUE_LEN;
		struct seg s;
		size_t n = t->queue[slot].len;
		unsigned int j;

		if (parse_seg(t->queue[slot].data, n, &s) < 0 ||
		    !seg_matches(c, &s))
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

/*
 * Wait until @deadline (ms, CLOCK_MONOTONIC) for a segment of @c. The
 * packet is left in tun->rbuf and parsed into @s. Returns 0, -ETIMEDOUT or
 * a read error.
 */
static int next_seg(struct lbsim_conn *c, struct seg *s, int64_t deadline)
{
	struct lbsim_tun *t = c->tun;
	size_t n = queue_take(t, c, t->rbuf);

	if (n) {
		parse_seg(t->rbuf, n, s);
		return 0;
	}
	for (;;) {
		struct pollfd pfd = { .fd = t->fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t r;
		int pr;

		if (left < 0)
			left = 0;
		r = read(t->fd, t->rbuf, READ_BUF);
		if (r > 0) {
			if (parse_seg(t->rbuf, (size_t)r, s) < 0)
				continue;	/* not TCP: ND, MLD, ... */
			if (seg_matches(c, s))
				return 0;
			queue_push(t, t->rbuf, (size_t)r);
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

/* ---- connections ---- */

int lbsim_conn_init(struct lbsim_conn *c, struct lbsim_tun *tun, int family,
		    const void *lb_addr, uint16_t lb_port,
		    const void *srv_addr, uint16_t srv_port)
{
	int alen = addr_len(family);

	if (alen < 0 || !tun)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->tun = tun;
	c->family = family;
	memcpy(c->lb_addr, lb_addr, (size_t)alen);
	memcpy(c->srv_addr, srv_addr, (size_t)alen);
	c->lb_port = lb_port ? lb_port : lbsim_tun_next_port(tun);
	c->srv_port = srv_port;
	c->iss = tun->isn_seed ^ ((uint32_t)c->lb_port * 2246822519u);
	tun->isn_seed = tun->isn_seed * 1664525u + 1013904223u;
	c->snd_nxt = c->snd_una = c->iss;
	c->peer_mss = 536;
	return 0;
}

static int send_raw(struct lbsim_conn *c, uint32_t seq, uint8_t flags,
		    const uint8_t *opts, size_t optlen,
		    const void *data, size_t len)
{
	uint8_t pkt[PKT_MAX];
	ssize_t n;

	n = lbsim_build_packet(pkt, sizeof(pkt), c->family, c->lb_addr,
			       c->srv_addr, c->lb_port, c->srv_port, seq,
			       (flags & LBSIM_ACK) ? c->rcv_nxt : 0, flags,
			       OUR_WINDOW, opts, optlen, data, len);
	if (n < 0)
		return (int)n;
	if (write(c->tun->fd, pkt, (size_t)n) != n)
		return errno ? -errno : -EIO;
	return 0;
}

int lbsim_send_segment(struct lbsim_conn *c, uint8_t flags,
		       const uint8_t *opts, size_t optlen,
		       const void *data, size_t len)
{
	return send_raw(c, c->snd_nxt, flags, opts, optlen, data, len);
}

static int send_ack(struct lbsim_conn *c)
{
	return send_raw(c, c->snd_nxt, LBSIM_ACK, NULL, 0, NULL, 0);
}

static uint16_t find_mss(const struct seg *s)
{
	size_t i = 0;

	while (i < s->optlen) {
		uint8_t kind = s->opts[i];

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= s->optlen || s->opts[i + 1] < 2 ||
		    i + s->opts[i + 1] > s->optlen)
			break;
		if (kind == 2 && s->opts[i + 1] == 4)
			return get16(s->opts + i + 2);
		i += s->opts[i + 1];
	}
	return 536;
}

int lbsim_connect(struct lbsim_conn *c,
		  const uint8_t *syn_opts, size_t syn_optlen,
		  const uint8_t *ack_opts, size_t ack_optlen, int timeout_ms)
{
	return lbsim_connect_data(c, syn_opts, syn_optlen, NULL, 0,
				  ack_opts, ack_optlen, timeout_ms);
}

int lbsim_connect_data(struct lbsim_conn *c,
		       const uint8_t *syn_opts, size_t syn_optlen,
		       const void *syn_data, size_t syn_dlen,
		       const uint8_t *ack_opts, size_t ack_optlen,
		       int timeout_ms)
{
	static const uint8_t mss_opt[4] = { 2, 4, 0x05, 0xb4 };
	int64_t deadline = now_ms() + timeout_ms, next_syn;
	uint32_t acked;
	struct seg s;
	int err;

	if (syn_optlen > LBSIM_MAX_OPTLEN || ack_optlen > LBSIM_MAX_OPTLEN ||
	    syn_dlen > 1200 || (syn_dlen && !syn_data))
		return -EINVAL;
	if (!syn_opts) {
		syn_opts = mss_opt;
		syn_optlen = sizeof(mss_opt);
	}
	c->snd_nxt = c->iss;
	for (;;) {
		err = send_raw(c, c->iss, LBSIM_SYN, syn_opts, syn_optlen,
			       syn_data, syn_dlen);
		if (err)
			return err;
		next_syn = now_ms() + SYN_RESEND_MS;
		if (next_syn > deadline)
			next_syn = deadline;
		for (;;) {
			err = next_seg(c, &s, next_syn);
			if (err == -ETIMEDOUT)
				break;
			if (err)
				return err;
			acked = s.ack - (c->iss + 1);
			if ((s.flags & LBSIM_RST) && acked <= syn_dlen) {
				c->reset = 1;
				return -ECONNREFUSED;
			}
			/* the SYN-ACK acknowledges the SYN, and the data if taken */
			if ((s.flags & (LBSIM_SYN | LBSIM_ACK)) ==
			    (LBSIM_SYN | LBSIM_ACK) &&
			    (acked == 0 || acked == syn_dlen))
				goto got_synack;
		}
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
	}
got_synack:
	c->irs = s.seq;
	c->rcv_nxt = s.seq + 1;
	c->snd_nxt = c->snd_una = s.ack;
	c->peer_mss = find_mss(&s);
	if (c->peer_mss < 64)
		c->peer_mss = 64;
	err = send_raw(c, c->snd_nxt, LBSIM_ACK, ack_opts, ack_optlen, NULL, 0);
	if (err)
		return err;
	c->established = 1;
	return 0;
}

int lbsim_send(struct lbsim_conn *c, const void *data, size_t len,
	       const uint8_t *opts, size_t optlen)
{
	const uint8_t *p = data;
	size_t chunk_max = c->peer_mss;

	if (!c->established || c->fin_sent)
		return -ENOTCONN;
	if (c->reset)
		return -ECONNRESET;
	if (chunk_max > 1400)
		chunk_max = 1400;
	while (len) {
		size_t n = len < chunk_max ? len : chunk_max;
		int err = send_raw(c, c->snd_nxt, LBSIM_PSH | LBSIM_ACK,
				   opts, optlen, p, n);

		if (err)
			return err;
		c->snd_nxt += (uint32_t)n;
		p += n;
		len -= n;
		opts = NULL;
		optlen = 0;
	}
	return 0;
}

static int seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/*
 * Apply one segment of @c. Data goes into @buf (up to @cap; *got set).
 * Returns 0 or -ECONNRESET.
 */
static int process_seg(struct lbsim_conn *c, const struct seg *s,
		       uint8_t *buf, size_t cap, size_t *got)
{
	*got = 0;
	if (s->flags & LBSIM_RST) {
		c->reset = 1;
		return -ECONNRESET;
	}
	if (s->flags & LBSIM_SYN) {	/* a repeated SYN-ACK: ACK again */
		send_ack(c);
		return 0;
	}
	if (s->flags & LBSIM_ACK) {
		if (seq_after(s->ack, c->snd_una) &&
		    !seq_after(s->ack, c->snd_nxt))
			c->snd_una = s->ack;
		if (c->fin_sent && c->snd_una == c->snd_nxt)
			c->fin_acked = 1;
	}
	if (!s->dlen && !(s->flags & LBSIM_FIN))
		return 0;
	if (s->seq == c->rcv_nxt && !c->peer_fin) {
		size_t take = s->dlen < cap ? s->dlen : cap;

		if (take)
			memcpy(buf, s->data, take);
		c->rcv_nxt += (uint32_t)take;
		*got = take;
		if ((s->flags & LBSIM_FIN) && take == s->dlen) {
			c->rcv_nxt++;
			c->peer_fin = 1;
		}
	}
	send_ack(c);	/* new data, or a duplicate: tell where we are */
	return 0;
}

ssize_t lbsim_recv(struct lbsim_conn *c, void *buf, size_t cap, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	if (!c->established)
		return -ENOTCONN;
	if (!cap)
		return -EINVAL;
	for (;;) {
		struct seg s;
		size_t got;
		int err;

		if (c->reset)
			return -ECONNRESET;
		if (c->peer_fin)
			return 0;
		err = next_seg(c, &s, deadline);
		if (err)
			return err;
		err = process_seg(c, &s, buf, cap, &got);
		if (err)
			return err;
		if (got)
			return (ssize_t)got;
	}
}

int lbsim_close(struct lbsim_conn *c, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	int rto = LBSIM_FIN_RTO_MS;
	int64_t rtx_at = now_ms() + rto;
	uint8_t scratch[PKT_MAX];

	if (c->reset)
		return -ECONNRESET;
	if (!c->established)
		return -ENOTCONN;
	if (!c->fin_sent) {
		int err = send_raw(c, c->snd_nxt, LBSIM_FIN | LBSIM_ACK,
				   NULL, 0, NULL, 0);

		if (err)
			return err;
		c->snd_nxt++;
		c->fin_sent = 1;
	}
	while (!(c->peer_fin && c->fin_acked)) {
		int rtx = !c->fin_acked && rtx_at < deadline;
		struct seg s;
		size_t got;
		int err = next_seg(c, &s, rtx ? rtx_at : deadline);

		if (err == -ETIMEDOUT && rtx) {
			/*
			 * Our FIN (or the ACK for it) got lost, as it can be in
			 * the kernel while the peer moves to TIME_WAIT: send it
			 * again, as TCP does, with the interval doubled.
			 */
			err = send_raw(c, c->snd_nxt - 1, LBSIM_FIN | LBSIM_ACK,
				       NULL, 0, NULL, 0);
			if (err)
				return err;
			c->fin_rtx++;
			rto *= 2;
			rtx_at = now_ms() + rto;
			continue;
		}
		if (err)
			return err;
		err = process_seg(c, &s, scratch, sizeof(scratch), &got);
		if (err)
			return err;
	}
	return 0;
}

int lbsim_reset(struct lbsim_conn *c)
{
	int err = send_raw(c, c->snd_nxt, LBSIM_RST | LBSIM_ACK,
			   NULL, 0, NULL, 0);

	if (!err)
		c->reset = 1;
	return err;
}
