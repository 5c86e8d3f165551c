/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * stress.h - shared pieces of toa-stress, the in-VM stress and race test of
 * the toa module. It reuses toa-vmtest's helpers (../prog/vmtest_util.c)
 * and load-balancer emulator (../prog/lbsim.c).
 */
#ifndef STRESS_H
#define STRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vt.h"

/* ---- options of a run ---- */
struct opts {
	uint64_t seed;		/* --seed; printed so that a failure replays */
	long conns;		/* --conns: hostile_traffic connections */
	int cycles;		/* --cycles: unload_race rmmod/insmod cycles */
	long race_conns;	/* --race-conns: unload_race minimum connections */
	long flip_conns;	/* --flip-conns: trusted_flip connections */
	int checkers;		/* --checkers: concurrent getpeername threads */
};

/* ---- deterministic random numbers (xorshift64*) ---- */
struct rng {
	uint64_t s;
};
void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
uint32_t rng_below(struct rng *r, uint32_t n);	/* 0..n-1 */
void rng_bytes(struct rng *r, uint8_t *out, size_t n);

/* ---- the option generator and its oracle (gen.c) ---- */
enum outcome {
	OUT_NONE,		/* no usable TOA: syn_recv_sock_no_toa */
	OUT_MALFORMED,		/* malformed */
	OUT_BAD_CLIENT,		/* bad_client */
	OUT_V4,			/* an IPv4 client: syn_recv_sock_toa */
	OUT_V6,			/* an IPv6 client: syn_recv_sock_toa */
	OUT_COUNT
};
extern const char *const outcome_names[OUT_COUNT];

struct expect {
	enum outcome out;
	bool exid;		/* an RFC 6994 experiment ID was skipped */
	uint8_t addr[16];	/* OUT_V4: first 4 bytes */
	uint16_t port;		/* host order */
};

/* What the generator was asked to make (for the figures only). */
enum gen_kind {
	GEN_VALID_V4, GEN_VALID_V6, GEN_PLAIN, GEN_RANDOM_BYTES, GEN_BAD_LEN,
	GEN_TRUNCATED, GEN_BROKEN_BEFORE, GEN_BAD_CLIENT, GEN_EXID,
	GEN_AFTER_EOL, GEN_FLIPPED, GEN_TWO_TOA, GEN_COUNT
};
extern const char *const gen_names[GEN_COUNT];

/*
 * Fill @opt (LBSIM_MAX_OPTLEN bytes) with a random option area for a
 * handshake ACK, padded with EOL to a multiple of 4; returns its length
 * (0 = no option at all). *@kind says which recipe was used. Option kinds
 * the kernel itself acts on in a handshake ACK (SACK, timestamps, MD5,
 * TCP-AO, MPTCP) never appear where the kernel would parse them: they
 * could make the kernel drop the ACK, which tests the kernel, not toa.
 */
size_t gen_options(struct rng *r, uint8_t toa_kind, uint8_t *opt,
		   enum gen_kind *kind);
/*
 * The outcome the contract (docs/interfaces.md) gives for the option
 * area @opt/@len read with TOA kind @toa_kind. Written from the contract,
 * independently of module/toa_opt.c.
 */
void oracle(const uint8_t *opt, size_t len, uint8_t toa_kind,
	    struct expect *e);
/*
 * Linux 6.7 and later (tcp_inbound_hash(), with TCP-MD5 or TCP-AO built
 * in) drop a segment whose option list breaks (a length < 2 or past the
 * end) while at least @minlen option bytes are left: 18 with MD5 only, 5
 * with TCP-AO. Such a handshake ACK never reaches toa. 0 = no such check.
 */
bool strict_reject(const uint8_t *opt, size_t len, size_t minlen);
/* "fe 08 12 34 ..." */
void hex_opts(const uint8_t *opt, size_t len, char *out, size_t cap);

/* ---- accepted connections that checker threads call getpeername on ---- */
struct slot {
	pthread_mutex_t mu;
	struct vt_session s;	/* s.fd < 0: empty */
	char want[128];		/* getpeername must give this ... */
	char alt[128];		/* ... or this, when not empty */
	long conn;		/* connection number, for messages */
};

struct slots {
	struct slot *v;
	int n;
};
int slots_init(struct slots *ss, int n);
void slots_free(struct slots *ss);	/* aborts what is still open */

struct checkers {
	struct slots *ss;
	pthread_t *tid;
	int n;
	volatile int stop;
	long calls;			/* getpeername calls made */
	long bad;			/* answers neither want nor alt */
	long gone;			/* ENOTCONN etc. (peer reset meanwhile) */
	pthread_mutex_t mu;
	char first_bad[448];
};
int checkers_start(struct checkers *c, struct slots *ss, int n);
/* join; 0 when every answer was right, else vt_fail() with the first one */
int checkers_stop(struct vt *vt, struct checkers *c);

/* ---- helpers (main.c) ---- */
int64_t mono_ms(void);
/*
 * Close a session in one of three ways chosen by @how: 0 the LB resets,
 * 1 the LB closes first (orderly, no TIME_WAIT on the server), 2 the server
 * aborts (SO_LINGER 0). 0 or vt_fail().
 */
int close_session(struct vt *vt, struct vt_session *s, unsigned int how);
/* textual address of the LB as a socket of @lsn shows it */
void lb_string(const struct vt *vt, int lb_family, enum vt_lsn lsn,
	       uint16_t lb_port, char *out, size_t cap);

/* ---- scenarios ---- */
int sc_bad_params(struct vt *vt, const struct opts *o);
int sc_hostile_traffic(struct vt *vt, const struct opts *o);
int sc_trusted_flip(struct vt *vt, const struct opts *o);
int sc_unload_race(struct vt *vt, const struct opts *o);
int sc_final_unload(struct vt *vt, const struct opts *o);

/* a figure line: "FIG <scenario> key=value ..." (on the console log) */
void fig(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* the summary shown in the PASS line of the current scenario */
extern char pass_note[512];

#endif /* STRESS_H */
