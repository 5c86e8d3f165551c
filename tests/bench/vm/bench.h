/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * toa-bench: what the toa module costs, per operation, inside the test VM.
 *
 * Under QEMU with -icount shift=0,sleep=off the guest clock advances one
 * nanosecond per instruction, so CLOCK_MONOTONIC differences are
 * instruction counts: the figures are exact and repeat from boot to boot
 * (tests/bench/run). Without icount they are nanoseconds of emulation.
 */
#ifndef TOA_BENCH_H
#define TOA_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "vt.h"

#define BENCH_MAX_ROUNDS 15

/* What a phase runs with. */
enum bench_phase {
	PH_A, /* no module */
	PH_B, /* module loaded, no TOA anywhere */
	PH_C, /* module loaded, TOA in every handshake */
	PH_N
};

/* Where the TOA goes in phase C (and what stands in its place in A, B). */
enum bench_where {
	TOA_ON_ACK, /* LVS/Huawei: the handshake ACK */
	TOA_ON_SYN, /* Alibaba-style: the SYN */
};

struct bench {
	struct vt vt;
	int lfd, dfd; /* listener, TCP_DEFER_ACCEPT listener */
	uint16_t lport, dport;
	int next_host; /* LB addresses 198.51.100.10.. */
	/* sizes */
	int rounds, conns, calls, batch, live;
	bool unchecked; /* --unchecked: a module variant that shows nothing */
};

/* A fresh load balancer address (so no 4-tuple is ever reused). */
struct in_addr bench_lb(struct bench *b);

/* Per-operation figures of one phase; < 0 and vt.err set on failure. */
double bench_conn(struct bench *b, int phase, enum bench_where where, bool deferred);
/* connections bench_getpeername() spreads its calls over */
#define BENCH_GP_SOCKETS 8
double bench_getpeername(struct bench *b, int phase);
/* accept() and close() of @b->batch queued connections. */
int bench_accept_close(struct bench *b, int phase, double *accept, double *destroy);

/* ---- the figures ---- */

/* One measured value of @metric (e.g. "conn.c") in round @round. */
void bench_record(const char *metric, int round, double value);
/* Print BENCH-M lines: median, spread over the rounds, per metric. */
void bench_report(int rounds);

/* ---- memory with many live entries ---- */

struct bench_live;
/* Open @n connections of @phase and keep them; NULL and vt.err on failure. */
struct bench_live *bench_live_open(struct bench *b, int phase, int n);
void bench_live_close(struct bench *b, struct bench_live *l);
/* With the module loaded: B per entry in the toa_entry slab, live back to 0. */
int bench_memory(struct bench *b, int n);

#endif /* TOA_BENCH_H */
