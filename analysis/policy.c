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

/* First index i whose record is a near duplicate (same label, IoU >= t) of
 * an earlier one; exact duplicates count, so the scan only needs the records
 * before first_dup.  -1 when there is none. */
static long first_near_dup(const record *recs, size_t n, long first_dup, double t)
{
	size_t lim = first_dup >= 0 && (size_t)first_dup < n ? (size_t)first_dup : n;
	for (size_t i = 1; i < lim; i++) {
		double bi[4];
		norm_box(&recs[i], bi);
		for (size_t j = 0; j < i; j++) {
			if (!same_label(&recs[i], &recs[j]))
				continue;
			double bj[4];
			norm_box(&recs[j], bj);
			if (iou_norm(bi, bj) >= t)
				return (long)i;
		}
	}
	return first_dup >= 0 && (size_t)first_dup < n ? first_dup : -1;
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
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += dup_of[i] < 0;
	metrics_det *kept = malloc((k ? k : 1) * sizeof *kept);
	if (!kept)
		return TS_ERR_NOMEM;
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (dup_of[i] < 0)
			kept[k++] = dets[i];
	metrics_match_image(kept, k, anns, n_ann, t, NULL, NULL, acc);
	free(kept);
	return TS_OK;
}
