/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * stats.c - cli_stats: toa-check stats as JSON, for Prometheus and as a
 * table, each against /proc/net/toa_stats after TOA traffic.
 */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --json: the same names in the same order, the same values */
static int stats_json(struct vt *vt, struct cli_out *r, const struct vt_stats *b, long long toa)
{
	struct vt_json *doc, *k;
	int i, ret = -1;

	if (cli_run(vt, r, "stats", "--json", NULL) || cli_expect_code(vt, r, 0))
		return -1;
	doc = cli_json(vt, r);
	if (!doc)
		return -1;
	if (doc->t != VT_JSON_OBJ || vt_json_len(doc) != (size_t)b->n) {
		vt_fail(vt, "%s: %zu members, /proc/net/toa_stats has %d lines", r->cmd,
			doc->t == VT_JSON_OBJ ? vt_json_len(doc) : 0, b->n);
		goto out;
	}
	for (i = 0, k = doc->kids; i < b->n; i++, k = k->next) {
		if (strcmp(k->key, b->name[i]) || k->t != VT_JSON_NUM ||
		    strtoll(k->s, NULL, 10) != b->value[i]) {
			vt_fail(vt, "%s: member %d is \"%s\": %s, /proc/net/toa_stats has %s %lld",
				r->cmd, i + 1, k->key, k->s ? k->s : "(not a number)", b->name[i],
				b->value[i]);
			goto out;
		}
	}
	if (!vt_json_get(doc, "syn_recv_sock_toa") ||
	    strtoll(vt_json_get(doc, "syn_recv_sock_toa")->s, NULL, 10) != toa) {
		vt_fail(vt, "%s: syn_recv_sock_toa differs from /proc (%lld)", r->cmd, toa);
		goto out;
	}
	ret = 0;
out:
	vt_json_free(doc);
	return ret;
}

/* what docs/toa-check.md promises for a /proc/net/toa_stats line */
static void prom_sample(const char *name, long long value, char *sample, size_t cap,
			char *type_line, size_t tcap)
{
	static const char *const gauges[] = {"entries_live", "max_entries", "maxactive"};
	size_t i;

	if (!strncmp(name, "nmissed_", 8)) {
		snprintf(sample, cap, "toa_kprobe_missed_total{probe=\"%s\"} %lld", name + 8,
			 value);
		snprintf(type_line, tcap, "# TYPE toa_kprobe_missed_total counter");
		return;
	}
	for (i = 0; i < VT_ARRAY_SIZE(gauges); i++)
		if (!strcmp(name, gauges[i])) {
			snprintf(sample, cap, "toa_%s %lld", name, value);
			snprintf(type_line, tcap, "# TYPE toa_%s gauge", name);
			return;
		}
	snprintf(sample, cap, "toa_%s_total %lld", name, value);
	snprintf(type_line, tcap, "# TYPE toa_%s_total counter", name);
}

/* every line is a comment or "name[{labels}] integer"; one sample a counter */
static int prom_lines(struct vt *vt, const struct cli_out *r, int want_samples)
{
	const char *p = r->out;
	int samples = 0;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (strncmp(p, "# HELP toa_", 11) && strncmp(p, "# TYPE toa_", 11)) {
			const char *sp = memchr(p, ' ', len);
			size_t j;

			if (strncmp(p, "toa_", 4) || !sp || sp + 1 >= p + len)
				return vt_fail(vt, "%s: bad line \"%.*s\"", r->cmd, (int)len, p);
			for (j = (size_t)(sp + 1 - p); j < len; j++)
				if (!isdigit((unsigned char)p[j]))
					return vt_fail(vt, "%s: bad value in \"%.*s\"", r->cmd,
						       (int)len, p);
			samples++;
		}
		if (!e)
			break;
		p = e + 1;
	}
	if (samples != want_samples)
		return vt_fail(vt, "%s: %d samples, /proc/net/toa_stats has %d lines", r->cmd,
			       samples, want_samples);
	return 0;
}

/* --prometheus: documented names, types, values */
static int stats_prometheus(struct vt *vt, struct cli_out *r, const struct vt_stats *b,
			    long long toa)
{
	char sample[160], type_line[160];
	int i, missed = 0;

	/* one nmissed_<function> line per hooked function */
	for (i = 0; i < b->n; i++)
		missed += !strncmp(b->name[i], "nmissed_", 8);
	if (missed < 4)
		return vt_fail(
			vt,
			"/proc/net/toa_stats has %d nmissed_ lines, want one per hooked function (>= 4)",
			missed);
	if (cli_run(vt, r, "stats", "--prometheus", NULL) || cli_expect_code(vt, r, 0))
		return -1;
	for (i = 0; i < b->n; i++) {
		prom_sample(b->name[i], b->value[i], sample, sizeof(sample), type_line,
			    sizeof(type_line));
		if (cli_expect_line(vt, r, sample) || cli_expect_line(vt, r, type_line))
			return -1;
	}
	snprintf(sample, sizeof(sample), "toa_syn_recv_sock_toa_total %lld", toa);
	if (cli_expect_line(vt, r, sample) ||
	    cli_expect_line(vt, r, "# TYPE toa_syn_recv_sock_toa_total counter") ||
	    cli_count_lines_starting(r->out, "# TYPE toa_kprobe_missed_total ") != 1 ||
	    cli_count_lines_starting(r->out, "toa_kprobe_missed_total{probe=\"") != missed) {
		if (!vt->err[0])
			vt_fail(vt,
				"%s: want one toa_kprobe_missed_total family with %d probes: \"%.500s\"",
				r->cmd, missed, r->out);
		return -1;
	}
	return prom_lines(vt, r, b->n);
}

/* the plain table: "name<spaces>value", compared with the spaces squeezed */
static int stats_table(struct vt *vt, struct cli_out *r, long long toa)
{
	char sample[160], *sq;
	const char *p;
	size_t n = 0;
	bool found;

	if (cli_run(vt, r, "stats", NULL) || cli_expect_code(vt, r, 0))
		return -1;
	snprintf(sample, sizeof(sample), "syn_recv_sock_toa %lld", toa);
	sq = malloc(sizeof(r->out));
	if (!sq)
		return vt_fail(vt, "out of memory");
	for (p = r->out; *p; p++)
		if (!(*p == ' ' && n && sq[n - 1] == ' '))
			sq[n++] = *p;
	sq[n] = '\0';
	found = cli_has_line(sq, sample);
	free(sq);
	if (!found)
		return vt_fail(vt, "%s: no \"%s\" row: \"%.400s\"", r->cmd, sample, r->out);
	return 0;
}

static int cli_stats(struct vt *vt)
{
	struct cli_out *r = &cli_buf;
	struct vt_stats a, b;
	long long toa;

	/* TOA connections, both families, and one without TOA */
	if (vt_stats_read(vt, &a) || cli_toa_conn(vt, AF_INET, true) ||
	    cli_toa_conn(vt, AF_INET6, true) || cli_toa_conn(vt, AF_INET, false) ||
	    vt_wait_live_zero(vt, 3000) || vt_stats_read(vt, &b) ||
	    vt_expect_delta(vt, &a, &b, "syn_recv_sock_toa", 2))
		return -1;
	toa = vt_stat_get(&b, "syn_recv_sock_toa");
	if (stats_json(vt, r, &b, toa) || stats_prometheus(vt, r, &b, toa) ||
	    stats_table(vt, r, toa))
		return -1;
	/* bad input */
	if (cli_run(vt, r, "stats", "--json", "--prometheus", NULL) ||
	    cli_expect_usage_error(vt, r, "prometheus"))
		return -1;
	return 0;
}
VT_SCENARIO(cli_stats, .order = KT_CLI_STATS, .needs_module = true, .cli = true);
