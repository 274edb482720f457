/* policy.c — stop policies on a recorded trace (see policy.h). */
#include "policy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
#define POLICY_KIND_NAME(name, text) text,
	POLICY_KIND_LIST(POLICY_KIND_NAME)
#undef POLICY_KIND_NAME
};

ts_status policy_parse(const char *text, policy *out, ts_error *err)
{
	policy p;
	memset(&p, 0, sizeof p);
	p.kind = POLICY_OFF;
	if (!text)
		return ts_error_set(err, TS_ERR_USAGE, "no policy given");
	if (!strcmp(text, "off") || !strcmp(text, "none")) {
		p.kind = POLICY_OFF;
	} else if (!strcmp(text, "repeat_stop") || !strcmp(text, "repeat-stop")) {
		p.kind = POLICY_REPEAT_STOP;
	} else if (!strcmp(text, "dedup")) {
		p.kind = POLICY_DEDUP;
	} else if (!strncmp(text, "budget:", 7)) {
		char *end;
		errno = 0;
		long n = strtol(text + 7, &end, 10);
		if (errno || end == text + 7 || *end || n < 1)
			return ts_error_set(err, TS_ERR_USAGE,
			                    "policy '%s': budget takes a whole number >= 1", text);
		p.kind = POLICY_BUDGET;
		p.n = n;
	} else if (!strncmp(text, "near_dup:", 9) || !strncmp(text, "near-dup:", 9)) {
		char *end;
		errno = 0;
		double t = strtod(text + 9, &end);
		if (errno || end == text + 9 || *end || !(t > 0.0 && t <= 1.0))
			return ts_error_set(err, TS_ERR_USAGE,
			                    "policy '%s': near_dup takes an IoU in (0,1]", text);
		p.kind = POLICY_NEAR_DUP;
		p.n = lround(t * (double)POLICY_IOU_UNIT);
		if (p.n < 1)
			return ts_error_set(err, TS_ERR_USAGE,
			                    "policy '%s': near_dup IoU below 1e-9", text);
	} else {
		return ts_error_set(err, TS_ERR_USAGE,
		                    "unknown policy '%s' (off, repeat_stop, budget:N, near_dup:IOU, dedup)",
		                    text);
	}
	*out = p;
	return TS_OK;
}

const char *policy_name(const policy *p, char *buf, size_t bufsz)
{
	if (p->kind == POLICY_BUDGET)
		snprintf(buf, bufsz, "budget:%ld", p->n);
	else if (p->kind == POLICY_NEAR_DUP)
		snprintf(buf, bufsz, "near_dup:%g", policy_iou(p));
	else
		snprintf(buf, bufsz, "%s", (unsigned)p->kind < POLICY_KIND_COUNT ? kind_names[p->kind] : "?");
	return buf;
}

const char *policy_kind_name(policy_kind k)
{
	return (unsigned)k < POLICY_KIND_COUNT ? kind_names[k] : "?";
}

double policy_iou(const policy *p)
{
	return (double)p->n / (double)POLICY_IOU_UNIT;
}

int policy_is_truncation(const policy *p)
{
	return p->kind != POLICY_DEDUP;
}

/* The emitted numbers as two ordered intervals: [a0,a1] on the axis of
 * (v0,v2), [b0,b1] on the axis of (v1,v3). */
static void norm_box(const record *r, double o[4])
{
	if (rec_key_n_values(r->key) == 2) { /* points, Kosmos-2 patch pairs: equal or not */
		o[0] = o[2] = r->v[0];
		o[1] = o[3] = r->v[1];
		return;
	}
	o[0] = fmin(r->v[0], r->v[2]);
	o[2] = fmax(r->v[0], r->v[2]);
	o[1] = fmin(r->v[1], r->v[3]);
	o[3] = fmax(r->v[1], r->v[3]);
}

static double iou_norm(const double a[4], const double b[4])
{
	if (a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3])
		return 1.0;
	double w = fmin(a[2], b[2]) - fmax(a[0], b[0]);
	double h = fmin(a[3], b[3]) - fmax(a[1], b[1]);
	if (!(w > 0) || !(h > 0))
		return 0.0;
	double inter = w * h;
	double u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
	double r = inter / u;
	if (!(r >= 0) || !isfinite(r))
		return 0.0;
	return r > 1.0 ? 1.0 : r;
}

double policy_record_iou(const record *a, const record *b)
{
	double na[4], nb[4];
	norm_box(a, na);
	norm_box(b, nb);
	return iou_norm(na, nb);
}

static int same_label(const record *a, const record *b)
{
	return a->label_len == b->label_len &&
	       (a->label_len == 0 || memcmp(a->label, b->label, a->label_len) == 0);
}

/* Same-label records grouped contiguously, in output order, with their
 * normalised boxes. */
typedef struct label_groups {
	double (*box)[4];   /* by position in the grouped order */
	size_t *pos;        /* record index -> position */
	size_t *start;      /* record index -> first position of its group */
} label_groups;

static uint64_t label_hash(const record *r)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < r->label_len; i++) {
		h ^= (unsigned char)r->label[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static int groups_build(label_groups *g, const record *recs, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap <<= 1;
	long *slots = malloc(cap * sizeof *slots);   /* first record of a label */
	size_t *gid = malloc(n * sizeof *gid);       /* record -> group (its first record) */
	size_t *count = calloc(n, sizeof *count);    /* by first record */
	g->box = malloc(n * sizeof *g->box);
	g->pos = malloc(n * sizeof *g->pos);
	g->start = malloc(n * sizeof *g->start);
	if (!slots || !gid || !count || !g->box || !g->pos || !g->start) {
		free(slots); free(gid); free(count);
		free(g->box); free(g->pos); free(g->start);
		return -1;
	}
	for (size_t i = 0; i < cap; i++)
		slots[i] = -1;
	for (size_t i = 0; i < n; i++) {
		size_t h = (size_t)label_hash(&recs[i]) & (cap - 1);
		while (slots[h] >= 0 && !same_label(&recs[slots[h]], &recs[i]))
			h = (h + 1) & (cap - 1);
		if (slots[h] < 0)
			slots[h] = (long)i;
		gid[i] = (size_t)slots[h];
		count[gid[i]]++;
	}
	/* group starts in order of first appearance; count becomes the fill cursor */
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		if (gid[i] != i)
			continue;
		size_t c = count[i];
		count[i] = off;
		g->start[i] = off;
		off += c;
	}
	for (size_t i = 0; i < n; i++) {
		size_t p = count[gid[i]]++;
		g->pos[i] = p;
		g->start[i] = g->start[gid[i]];
		norm_box(&recs[i], g->box[p]);
	}
	free(slots);
	free(gid);
	free(count);
	return 0;
}

static void groups_free(label_groups *g)
{
	free(g->box);
	free(g->pos);
	free(g->start);
}

/* First index i whose record is a near duplicate (same label, IoU >= t) of
 * one of the POLICY_NEAR_DUP_WINDOW previous records of its label; exact
 * duplicates count whatever the distance, so the scan only needs the records
 * before first_dup.  -1 when there is none. */
static long first_near_dup(const record *recs, size_t n, long first_dup, double t)
{
	size_t lim = first_dup >= 0 && (size_t)first_dup < n ? (size_t)first_dup : n;
	long found = first_dup >= 0 && (size_t)first_dup < n ? first_dup : -1;
	if (lim < 2)
		return found;
	label_groups g;
	if (groups_build(&g, recs, lim) == 0) {
		for (size_t i = 1; i < lim; i++) {
			size_t p = g.pos[i], s = g.start[i];
			size_t lo = p - s > POLICY_NEAR_DUP_WINDOW ? p - POLICY_NEAR_DUP_WINDOW : s;
			const double *bi = g.box[p];
			for (size_t q = p; q-- > lo;) {
				const double *bj = g.box[q];
				/* quick reject: no overlap on x and not the same box */
				if ((bj[0] >= bi[2] || bi[0] >= bj[2]) &&
				    !(bi[0] == bj[0] && bi[2] == bj[2]))
					continue;
				if (iou_norm(bi, bj) >= t) {
					groups_free(&g);
					return (long)i;
				}
			}
		}
		groups_free(&g);
		return found;
	}
	/* out of memory: the same rule without the grouping */
	for (size_t i = 1; i < lim; i++) {
		double bi[4];
		norm_box(&recs[i], bi);
		size_t seen = 0;
		for (size_t j = i; j-- > 0 && seen < POLICY_NEAR_DUP_WINDOW;) {
			if (!same_label(&recs[i], &recs[j]))
				continue;
			seen++;
			double bj[4];
			norm_box(&recs[j], bj);
			if (iou_norm(bi, bj) >= t)
				return (long)i;
		}
	}
	return found;
}

policy_cut policy_apply(const policy *p, const record *recs, size_t n, long first_dup)
{
	policy_cut c = { 0, n, -1, 0 };
	switch (p->kind) {
	case POLICY_REPEAT_STOP:
		if (first_dup >= 0 && (size_t)first_dup < n) {
			c.fired = 1;
			c.kept = (size_t)first_dup;
			c.stop_step = recs[first_dup].last_step;
		}
		break;
	case POLICY_BUDGET:
		if (p->n >= 1 && (size_t)p->n < n) {
			c.fired = 1;
			c.kept = (size_t)p->n;
			c.stop_step = recs[p->n - 1].last_step;
		}
		break;
	case POLICY_NEAR_DUP: {
		long i = first_near_dup(recs, n, first_dup, policy_iou(p));
		if (i >= 0) {
			c.fired = 1;
			c.kept = (size_t)i;
			c.stop_step = recs[i].last_step;
		}
		break;
	}
	case POLICY_DEDUP:
		c.drop_dups = 1;
		break;
	case POLICY_OFF:
	default:
		break;
	}
	return c;
}

void policy_dedup_stats(const repeat_stats *prefix, repeat_stats *out)
{
	repeat_stats st = { .tail_start = -1, .first_dup = -1 };
	st.records = prefix->distinct;
	st.distinct = prefix->distinct;
	st.max_repeat = prefix->distinct ? 1 : 0;
	*out = st;
}

ts_status policy_dedup_counts(const metrics_det *dets, const long *dup_of, size_t n,
                              const gt_ann *anns, size_t n_ann, double t,
                              metrics_counts *acc)
{
	return policy_dedup_match(dets, dup_of, n, anns, n_ann, t, NULL, NULL, acc);
}

ts_status policy_dedup_match(const metrics_det *dets, const long *dup_of, size_t n,
                             const gt_ann *anns, size_t n_ann, double t,
                             match_state *state, long *ann, metrics_counts *acc)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += dup_of[i] < 0;
	size_t m = k ? k : 1;
	metrics_det *kept = calloc(m, sizeof *kept);
	size_t *map = malloc(m * sizeof *map);
	match_state *ks = malloc(m * sizeof *ks);
	long *kg = malloc(m * sizeof *kg);
	if (!kept || !map || !ks || !kg) {
		free(kept); free(map); free(ks); free(kg);
		return TS_ERR_NOMEM;
	}
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (dup_of[i] < 0) {
			map[k] = i;
			kept[k++] = dets[i];
		}
	metrics_match_image(kept, k, anns, n_ann, t, ks, kg, acc);
	for (size_t i = 0; i < n; i++) {
		if (state)
			state[i] = MATCH_FP; /* dropped duplicates: never matched */
		if (ann)
			ann[i] = -1;
	}
	for (size_t q = 0; q < k; q++) {
		if (state)
			state[map[q]] = ks[q];
		if (ann)
			ann[map[q]] = kg[q];
	}
	free(kept); free(map); free(ks); free(kg);
	return TS_OK;
}
