/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lbsim.h - a small load-balancer emulator that speaks TCP itself over a
 * TUN device, so that a test can put any TCP option (well-formed or not)
 * into the handshake ACK and into data segments sent to a local server.
 *
 * Picture: the kernel under test owns the server address on the TUN
 * interface (say 198.51.100.1); the emulator plays a remote host (the
 * "load balancer", say 198.51.100.2) behind that interface. Every packet the
 * kernel routes to the LB address is read from the TUN fd; every packet the
 * emulator builds is written to it and enters the kernel's IP stack.
 *
 * Plain C, no global state: everything lives in a struct lbsim_tun (opaque)
 * and in struct lbsim_conn (one per emulated TCP connection, caller-owned).
 * Functions return 0 (or a byte count) on success and a negative errno
 * value on failure; they print nothing.
 *
 * By default a connection behaves like a Linux client behind a balancer:
 * its SYN offers MSS, SACK, timestamps and window scaling, every later
 * segment carries the timestamp option in front of the caller's options,
 * and windows are scaled both ways. LBSIM_PROFILE_BARE gives the caller
 * the whole option area instead (see lbsim_conn_set_profile()).
 *
 * Limits (deliberate, it is a test tool): no retransmission of data (the
 * TUN path does not lose packets), no SACK blocks sent (SACK-permitted is
 * only offered), the receive side accepts in-order data only, and one
 * caller thread per struct lbsim_tun. lbsim/README.md says more.
 */
#ifndef LBSIM_H
#define LBSIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* TCP header flags, as on the wire */
#define LBSIM_FIN 0x01
#define LBSIM_SYN 0x02
#define LBSIM_RST 0x04
#define LBSIM_PSH 0x08
#define LBSIM_ACK 0x10

/* Largest TCP option area (data offset 15). */
#define LBSIM_MAX_OPTLEN 40

/* Option kinds lbsim writes or reads itself */
#define LBSIM_OPT_EOL	    0
#define LBSIM_OPT_NOP	    1
#define LBSIM_OPT_MSS	    2
#define LBSIM_OPT_WSCALE    3
#define LBSIM_OPT_SACK_PERM 4
#define LBSIM_OPT_TS	    8

/* NOP, NOP, timestamps: what every segment carries once negotiated */
#define LBSIM_TS_OPTLEN 12

/*
 * What a connection adds to the caller's options (struct lbsim_conn
 * .profile, set with lbsim_conn_set_profile() after lbsim_conn_init()):
 *
 * LBSIM_PROFILE_DEFAULT (0, what lbsim_conn_init() sets): Linux-like. A
 *   SYN that lbsim composes (syn_opts NULL) is MSS 1460, SACK-permitted,
 *   timestamps, NOP, window scale 7 -- except that it leaves timestamps
 *   out when the handshake ACK's options (ack_optlen) plus the 12 bytes
 *   of the timestamp option would not fit into 40 bytes, so that such a
 *   caller still gets its option area verbatim. A SYN given by the caller
 *   goes out exactly as given; what it offers counts.
 * LBSIM_PROFILE_LINUX: the same, but timestamps are always offered by a
 *   composed SYN; handshake ACK options that leave no room for them make
 *   lbsim_connect() fail with -EMSGSIZE before any packet is sent.
 * LBSIM_PROFILE_BARE: nothing is added, nothing scaled: a composed SYN is
 *   the single option MSS 1460, every segment carries exactly the
 *   caller's options and the window field 65535 (lbsim before profiles).
 *
 * In the first two, once the SYN-ACK accepted timestamps, every segment
 * after the SYN starts with NOP, NOP, TS (TSval from a 1 ms clock, TSecr
 * the newest TSval received; a SYN cookie's TSval is echoed unchanged)
 * followed by the caller's options; options that do not fit behind it
 * fail with -EMSGSIZE (nothing is dropped silently). Our window field is
 * scaled by the window scale our SYN offered, when the peer offered one
 * too. In every profile the peer's window is read with its scale and
 * lbsim_send() keeps to it.
 */
#define LBSIM_PROFILE_DEFAULT 0
#define LBSIM_PROFILE_LINUX   1
#define LBSIM_PROFILE_BARE    2

/* Window scale and SYN window of a composed SYN; our receive window */
#define LBSIM_WSCALE	 7
#define LBSIM_SYN_WINDOW 64240
#define LBSIM_RCV_WINDOW 64240

/* How long lbsim_send() waits for the peer's window to open */
#define LBSIM_SEND_WAIT_MS 10000

struct lbsim_tun;

/*
 * Create a TUN device (IFF_TUN | IFF_NO_PI) named @name (NULL or "" lets
 * the kernel pick "tunN"), non-blocking. Needs CAP_NET_ADMIN and
 * /dev/net/tun. On success *out is set and 0 returned.
 */
int lbsim_tun_open(struct lbsim_tun **out, const char *name);

/* Close the device (it disappears) and free everything. NULL is fine. */
void lbsim_tun_close(struct lbsim_tun *tun);

/* Interface name and index of the device. */
const char *lbsim_tun_name(const struct lbsim_tun *tun);
int lbsim_tun_ifindex(const struct lbsim_tun *tun);

/* The TUN file descriptor (for poll(); do not read it behind lbsim's back). */
int lbsim_tun_fd(const struct lbsim_tun *tun);

/*
 * Forget the packets read for other connections and kept for them (up to
 * 256 are kept; each read of any connection looks through them). A caller
 * with one connection in flight at a time calls it between connections:
 * packets of finished ones are never wanted, and looking through a full
 * queue costs every read.
 */
void lbsim_tun_flush(struct lbsim_tun *tun);

/* Set IFF_UP on the device. */
int lbsim_tun_up(struct lbsim_tun *tun);

/*
 * Add a local address to the device (rtnetlink RTM_NEWADDR, replace if it
 * exists). @family is AF_INET or AF_INET6, @addr points to a struct in_addr
 * or struct in6_addr. IPv6 addresses get IFA_F_NODAD so that they are
 * usable at once. The prefix route makes the rest of the prefix reachable
 * through the device, i.e. through the emulator.
 */
int lbsim_tun_add_addr(struct lbsim_tun *tun, int family, const void *addr, unsigned int prefixlen);

/*
 * A fresh source port for an emulated connection (cycles 20000..59999), so
 * that successive connections never reuse a 4-tuple still in TIME_WAIT.
 */
uint16_t lbsim_tun_next_port(struct lbsim_tun *tun);

/* One emulated TCP connection from the LB to the server. */
struct lbsim_conn {
	struct lbsim_tun *tun;
	int family;		    /* AF_INET or AF_INET6 */
	uint8_t lb_addr[16];	    /* emulator side (IPv4: first 4 bytes) */
	uint8_t srv_addr[16];	    /* kernel side */
	uint16_t lb_port, srv_port; /* host byte order */
	uint32_t iss;		    /* our initial sequence number */
	uint32_t snd_nxt, snd_una;  /* next to send, oldest unacknowledged */
	uint32_t irs, rcv_nxt;	    /* peer's ISN, next expected */
	uint16_t peer_mss;	    /* from the SYN-ACK, 536 if absent */
	unsigned established : 1;
	unsigned fin_sent : 1;	/* our FIN went out */
	unsigned fin_acked : 1; /* ... and the peer acknowledged it */
	unsigned peer_fin : 1;	/* peer's FIN received (and acknowledged) */
	unsigned reset : 1;	/* an RST went either way */
	unsigned fin_rtx;	/* times lbsim_close sent the FIN again */

	/* the profile, and what the handshake negotiated */
	int profile;	       /* LBSIM_PROFILE_* */
	unsigned syn_ts : 1;   /* our SYN offered timestamps */
	unsigned syn_sack : 1; /* ... SACK-permitted */
	unsigned syn_ws : 1;   /* ... a window scale (rcv_wscale) */
	unsigned ts_ok : 1;    /* timestamps negotiated */
	unsigned sack_ok : 1;  /* SACK-permitted both ways */
	unsigned ws_ok : 1;    /* window scaling both ways */
	unsigned ts_sent : 1;  /* ts_last is valid */
	uint8_t rcv_wscale;    /* ours, in effect when ws_ok */
	uint8_t snd_wscale;    /* the peer's, in effect when ws_ok */
	uint32_t ts_offset;    /* TSval = 1 ms clock + ts_offset */
	uint32_t ts_last;      /* the last TSval sent */
	uint32_t ts_recent;    /* the newest TSval received (our TSecr) */
	uint32_t snd_wnd;      /* the peer's window, bytes (scaled) */
	/*
	 * Set before lbsim_connect(): the handshake ACK is "lost" (never
	 * sent); the first segment sent afterwards, e.g. data with
	 * lbsim_send(), completes the handshake.
	 */
	unsigned skip_ack : 1;
};

/*
 * Prepare @c (no packet sent; the profile is LBSIM_PROFILE_DEFAULT). @lb_port
 * 0 takes lbsim_tun_next_port(). Addresses as in lbsim_tun_add_addr().
 * Returns -EINVAL on a bad family. @tun may be NULL (with an @lb_port) for
 * a connection that only builds packets (lbsim_conn_packet(), unit tests);
 * sending on it gives -ENODEV.
 */
int lbsim_conn_init(struct lbsim_conn *c, struct lbsim_tun *tun, int family, const void *lb_addr,
		    uint16_t lb_port, const void *srv_addr, uint16_t srv_port);

/*
 * Choose the profile of @c (LBSIM_PROFILE_*), after lbsim_conn_init() and
 * before lbsim_connect(). -EINVAL for an unknown one, -EISCONN when the
 * handshake is done.
 */
int lbsim_conn_set_profile(struct lbsim_conn *c, int profile);

/*
 * Three-way handshake: send a SYN carrying @syn_opts exactly (NULL: the
 * SYN of the profile, see LBSIM_PROFILE_DEFAULT), wait for the SYN-ACK (the
 * SYN is repeated every second, each time with a fresh TSval), then send
 * the handshake ACK carrying @ack_opts verbatim (any bytes, any
 * kind/length, malformed allowed) behind the timestamp option when one
 * was negotiated, padded with zero bytes (EOL) to a multiple of 4. Option
 * areas longer than LBSIM_MAX_OPTLEN: -EINVAL; no room for the timestamp
 * option that the SYN offers: -EMSGSIZE (nothing sent).
 * Errors: -ETIMEDOUT (no SYN-ACK in @timeout_ms), -ECONNREFUSED (RST).
 */
int lbsim_connect(struct lbsim_conn *c, const uint8_t *syn_opts, size_t syn_optlen,
		  const uint8_t *ack_opts, size_t ack_optlen, int timeout_ms);

/*
 * The same, with @syn_dlen (at most 1200) bytes of data in the SYN (TCP
 * Fast Open; put the TFO option, kind 34, into @syn_opts yourself). On
 * return snd_una tells whether the server took the data with the SYN:
 * snd_una == iss + 1 + syn_dlen if it did, iss + 1 if not (then the data
 * was not delivered; send it again with lbsim_send()).
 */
int lbsim_connect_data(struct lbsim_conn *c, const uint8_t *syn_opts, size_t syn_optlen,
		       const void *syn_data, size_t syn_dlen, const uint8_t *ack_opts,
		       size_t ack_optlen, int timeout_ms);

/*
 * Send @len bytes as PSH|ACK segments (at most peer_mss each, less the
 * timestamp option when one is added); @opts go into the first segment
 * only, padded like in lbsim_connect() (-EMSGSIZE when they do not fit
 * behind the timestamp option). Keeps to the peer's window: waits up to
 * LBSIM_SEND_WAIT_MS for it to open (-ETIMEDOUT), data and FIN that
 * arrive meanwhile are kept for lbsim_recv()/lbsim_close().
 */
int lbsim_send(struct lbsim_conn *c, const void *data, size_t len, const uint8_t *opts,
	       size_t optlen);

/*
 * Receive in-order data from the server into @buf and acknowledge it (only
 * what fits into @cap is acknowledged; the rest is sent again by the
 * peer). Returns the byte count (> 0), 0 once the peer's FIN arrived,
 * -ETIMEDOUT, -ECONNRESET when the peer sent an RST, -EINVAL when @cap
 * is 0.
 */
ssize_t lbsim_recv(struct lbsim_conn *c, void *buf, size_t cap, int timeout_ms);

/* First retransmission interval of lbsim_close's FIN (doubled each time). */
#define LBSIM_FIN_RTO_MS 500

/*
 * Orderly close: send our FIN, then process segments (data is acknowledged
 * and dropped) until the peer's FIN was received and our FIN acknowledged;
 * an unacknowledged FIN is sent again after LBSIM_FIN_RTO_MS, 2x, 4x, ...
 * The server application must close its socket too, before or during the
 * call, or this ends with -ETIMEDOUT. A connection already
 * reset returns -ECONNRESET.
 */
int lbsim_close(struct lbsim_conn *c, int timeout_ms);

/* Abort: send an RST (no wait). */
int lbsim_reset(struct lbsim_conn *c);

/*
 * Low level: send one segment with the given flags, sequence numbers taken
 * from @c (seq = snd_nxt, ack = rcv_nxt when LBSIM_ACK is set), options and
 * payload, as lbsim_conn_packet() builds it (timestamp option in front when
 * negotiated). Sequence state is not advanced.
 */
int lbsim_send_segment(struct lbsim_conn *c, uint8_t flags, const uint8_t *opts, size_t optlen,
		       const void *data, size_t len);

/*
 * Build an IPv4/IPv6 + TCP packet into @out (capacity @cap) with correct
 * checksums; @src/@dst are 4 or 16 bytes per @family. Returns the packet
 * length or -EINVAL / -EMSGSIZE. Exposed for unit tests.
 */
ssize_t lbsim_build_packet(uint8_t *out, size_t cap, int family, const void *src, const void *dst,
			   uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
			   uint8_t flags, uint16_t window, const uint8_t *opts, size_t optlen,
			   const void *data, size_t len);

/*
 * The Internet checksum of an IPv4/IPv6 TCP packet as built above (0 when
 * correct, i.e. the folded sum over pseudo header and segment). Returns -1
 * for something that is not a TCP packet. Exposed for unit tests.
 */
int lbsim_tcp_checksum_check(const uint8_t *pkt, size_t len);

/*
 * Helpers to build a TOA option: kind @kind, length 8, port + IPv4
 * (@addr4 = struct in_addr *, @port host order) / length 20 with IPv6.
 * Return the option length (8 or 20).
 */
size_t lbsim_toa_v4(uint8_t *out, uint8_t kind, const void *addr4, uint16_t port);
size_t lbsim_toa_v6(uint8_t *out, uint8_t kind, const void *addr6, uint16_t port);

/*
 * NOP, NOP, timestamps (kind 8, length 10, @tsval, @tsecr): the 12-byte
 * aligned form Linux sends. Returns LBSIM_TS_OPTLEN.
 */
size_t lbsim_opt_timestamps(uint8_t *out, uint32_t tsval, uint32_t tsecr);

/*
 * The first option of kind @kind and length @len in an option area, walked
 * the way Linux does (stops at EOL or at a bad length; an option of that
 * kind with another length is passed over). NULL when there is none.
 */
const uint8_t *lbsim_opt_find(const uint8_t *opts, size_t optlen, uint8_t kind, uint8_t len);

/*
 * The option area of @c's next SYN into @out (LBSIM_MAX_OPTLEN bytes):
 * @syn_opts copied (NULL: composed for the profile, with a fresh TSval),
 * and what it offers noted in @c; @ack_optlen is the length of the options
 * the handshake ACK will carry. Returns the length, -EINVAL (more than
 * LBSIM_MAX_OPTLEN) or -EMSGSIZE (no room for the timestamp option, see
 * LBSIM_PROFILE_LINUX). lbsim_connect() uses it; exposed for unit tests.
 */
ssize_t lbsim_conn_syn_options(struct lbsim_conn *c, uint8_t *out, const uint8_t *syn_opts,
			       size_t syn_optlen, size_t ack_optlen);

/*
 * The packet lbsim writes for one segment of @c: @seq, @flags, ack =
 * rcv_nxt when LBSIM_ACK is set, the window field of the profile, and for
 * anything but a SYN the timestamp option (fresh TSval, TSecr ts_recent)
 * in front of @opts when it was negotiated; a SYN carries @opts as they
 * are (from lbsim_conn_syn_options()). Returns the length, -EINVAL or
 * -EMSGSIZE as lbsim_build_packet(), -EMSGSIZE also when @opts do not fit
 * behind the timestamp option. Exposed for unit tests.
 */
ssize_t lbsim_conn_packet(struct lbsim_conn *c, uint8_t *out, size_t cap, uint32_t seq,
			  uint8_t flags, const uint8_t *opts, size_t optlen, const void *data,
			  size_t len);

/*
 * Take the SYN-ACK @pkt (an IP packet from the server) into @c as
 * lbsim_connect() does: sequence numbers, peer_mss, and what was
 * negotiated (ts_ok/ts_recent, ws_ok/snd_wscale, sack_ok, snd_wnd).
 * -EINVAL when @pkt is not a TCP SYN-ACK. Exposed for unit tests.
 */
int lbsim_conn_synack(struct lbsim_conn *c, const uint8_t *pkt, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* LBSIM_H */
