/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * st.h - what the toa-stress scenarios share: the run order, the options
 * of a run, the option generator (its oracle: oracle.h), the getpeername
 * checker threads and the test bench they run on. Everything in tests/lib
 * (vt_*) is there too.
 */
#ifndef ST_H
#define ST_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "oracle.h"
#include "vt.h"

/* the run order of toa-stress (the .order of each registration) */
enum st_order {
	ST_BAD_PARAMS = 1,  /* bad_params.c */
	ST_HOSTILE_TRAFFIC, /* hostile_traffic.c */
	ST_PARALLEL_CONNS,  /* parallel_conns.c */
	ST_TRUSTED_FLIP,    /* trusted_flip.c */
	ST_UNLOAD_RACE,	    /* unload_race.c */
	ST_FINAL_UNLOAD,    /* final_unload.c */
};

#define ST_KIND TOA_DEFAULT_KIND /* the option kind of every run */

/* ---- options of a run (vt->opts) ---- */
struct st_opts {
	uint64_t seed;	 /* --seed; printed so that a failure replays */
	long conns;	 /* --conns: hostile_traffic connections */
	int cycles;	 /* --cycles: unload_race rmmod/insmod cycles */
	long race_conns; /* --race-conns: unload_race minimum connections */
	long flip_conns; /* --flip-conns: trusted_flip connections */
	long par_conns;	 /* --par-conns: parallel_conns connections */
	int checkers;	 /* --checkers: concurrent getpeername threads */
};

/* a figure line: "FIG <scenario> key=value ..." (on the console log) */
void st_fig(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t st_mono_ms(void);

/* ---- deterministic random numbers (xorshift64*, gen.c) ---- */
struct st_rng {
	uint64_t s;
};
void st_rng_seed(struct st_rng *r, uint64_t seed);
uint64_t st_rng_next(struct st_rng *r);
uint32_t st_rng_below(struct st_rng *r, uint32_t n); /* 0..n-1 */
void st_rng_bytes(struct st_rng *r, uint8_t *out, size_t n);

/* ---- the option generator and its oracle (gen.c) ---- */

/* What the generator was asked to make (for the figures only). */
enum st_gen_kind {
	ST_GEN_VALID_V4,
	ST_GEN_VALID_V6,
	ST_GEN_PLAIN,
	ST_GEN_RANDOM_BYTES,
	ST_GEN_BAD_LEN,
	ST_GEN_TRUNCATED,
	ST_GEN_BROKEN_BEFORE,
	ST_GEN_BAD_CLIENT,
	ST_GEN_EXID,
	ST_GEN_AFTER_EOL,
	ST_GEN_FLIPPED,
	ST_GEN_TWO_TOA,
	ST_GEN_COUNT
};
extern const char *const st_gen_names[ST_GEN_COUNT];

/*
 * Fill @opt (LBSIM_MAX_OPTLEN bytes) with a random option area for a
 * handshake ACK, padded with EOL to a multiple of 4; returns its length
 * (0 = no option at all). *@kind says which recipe was used. Option kinds
 * the kernel itself acts on in a handshake ACK (SACK, timestamps, MD5,
 * TCP-AO, MPTCP) never appear where the kernel would parse them: they
 * could make the kernel drop the ACK, which tests the kernel, not toa.
 */
size_t st_gen_options(struct st_rng *r, uint8_t toa_kind, uint8_t *opt, enum st_gen_kind *kind);
/* "fe 08 12 34 ..." */
void st_hex_opts(const uint8_t *opt, size_t len, char *out, size_t cap);

/* ---- accepted connections that checker threads call getpeername on ---- */
struct st_slot {
	pthread_mutex_t mu;
	struct vt_session s; /* s.fd < 0: empty */
	char want[128];	     /* getpeername must give this ... */
	char alt[128];	     /* ... or this, when not empty */
	long conn;	     /* connection number, for messages */
};

struct st_slots {
	struct st_slot *v;
	int n;
};

struct st_checkers {
	struct st_slots *ss;
	pthread_t *tid;
	int n;
	volatile int stop;
	long calls; /* getpeername calls made */
	long bad;   /* answers neither want nor alt */
	long gone;  /* ENOTCONN etc. (peer reset meanwhile) */
	pthread_mutex_t mu;
	char first_bad[448];
};
/* join; 0 when every answer was right, else vt_fail() with the first one */
int st_checkers_stop(struct vt *vt, struct st_checkers *c);

/* take the session out of @sl (under its lock) and close it (as st_close) */
int st_slot_close(struct vt *vt, struct st_slot *sl, unsigned int how);
/* publish @s in @sl with what getpeername must give */
void st_slot_put(struct st_slot *sl, const struct vt_session *s, const char *want, const char *alt,
		 long conn);
/* close every slot, each a random way */
int st_close_all(struct vt *vt, struct st_slots *ss, struct st_rng *r);

/* ---- the test bench (bench.c) ---- */

/* a listener of the bench */
struct st_lsnr {
	int fd;
	uint16_t port;
	enum vt_lsn kind;
};

/* what a scenario's bench holds: its .arg */
struct st_bench_spec {
	enum vt_lsn kinds[3]; /* the listeners, up to the first 0 */
	int slots;	      /* session slots the checkers look at */
};

/* listeners, slots and --checkers threads calling getpeername on them */
struct st_bench {
	struct st_lsnr l[3];
	int n_l;
	struct st_slots ss;
	struct st_checkers ck;
};

/* the fixture: vt->arg is the spec, vt->fx.data the bench */
int st_bench_setup(struct vt *vt);
void st_bench_teardown(struct vt *vt);
#define ST_BENCH(spec) .arg = &(spec), .setup = st_bench_setup, .teardown = st_bench_teardown

/* ---- connections (conn.c) ---- */

/*
 * Close a session in one of three ways chosen by @how: 0 the LB resets,
 * 1 the LB closes first (orderly, no TIME_WAIT on the server), 2 the server
 * aborts (SO_LINGER 0). 0 or vt_fail().
 */
int st_close(struct vt *vt, struct vt_session *s, unsigned int how);
/* textual address of the LB as a socket of @lsn shows it */
void st_lb_string(const struct vt *vt, int lb_family, enum vt_lsn lsn, uint16_t lb_port, char *out,
		  size_t cap);
/* what getpeername must show for expectation @e over LB @fam to @lsn */
void st_want_string(const struct vt *vt, const struct st_expect *e, int fam, enum vt_lsn lsn,
		    uint16_t lb_port, char *out, size_t cap);
/* a unique client for connection @n: 10.x.y.z or 2001:db8:c1::n */
void st_client_of(long n, int fam, uint8_t *a, uint16_t *port);
/* its TOA option, and what the oracle expects of it */
size_t st_client_opt(uint8_t *opt, int fam, const uint8_t *a, uint16_t port, struct st_expect *e);
/* the nmissed_* counters added up */
long long st_missed_sum(const struct vt_stats *st);
/* how often the kernel log complains of a slab cache destroyed non-empty */
int st_slab_leaks(void);

#endif /* ST_H */
