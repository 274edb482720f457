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

/* A whole number in [lo, hi] spelling all of s up to end char `stop`
 * ('\0' or ':'); *next past it.  0 on success. */
static int whole(const char *s, char stop, long lo, long hi, long *v, const char **next)
{
	char *end;
	errno = 0;
	long x = strtol(s, &end, 10);
	if (errno || end == s || *end != stop || x < lo || x > hi)
		return -1;
	*v = x;
	if (next)
		*next = end + (stop ? 1 : 0);
	return 0;
}

/* A threshold in (0,1] as billionths; 0 on success. */
static int threshold(const char *s, long *n)
{
	char *end;
	errno = 0;
	double t = strtod(s, &end);
	if (errno || end == s || *end || !(t > 0.0 && t <= 1.0))
		return -1;
	*n = lround(t * (double)POLICY_IOU_UNIT);
	return *n < 1 ? -1 : 0;
}

/* repetition_detection, ladder, close_prob: 1 when text names one of them
 * (*st says whether it parsed), else 0. */
static int parse_trace_kind(const char *text, policy *p, ts_error *err, ts_status *st)
{
	*st = TS_OK;
	if (!strncmp(text, "repetition_detection:", 21)) {
		long mx, mn, cnt;
		const char *a = text + 21;
		if (whole(a, ':', -POLICY_RD_MAX_PATTERN, POLICY_RD_MAX_PATTERN, &mx, &a) ||
		    whole(a, ':', -POLICY_RD_MAX_PATTERN, POLICY_RD_MAX_PATTERN, &mn, &a) ||
		    whole(a, '\0', 0, POLICY_RD_MAX_COUNT, &cnt, NULL)) {
			*st = ts_error_set(err, TS_ERR_USAGE,
			                   "policy '%s': repetition_detection takes MAX:MIN:COUNT (whole "
			                   "numbers, |MAX|, |MIN| <= %d, 0 <= COUNT <= %ld)",
			                   text, POLICY_RD_MAX_PATTERN, POLICY_RD_MAX_COUNT);
			return 1;
		}
		/* vLLM: min <= 0 means 1; a max <= 0 disables the check (kept as 0) */
		p->kind = POLICY_REP_DETECT;
		p->n = (mx > 0 ? mx : 0) | (mn > 0 ? mn : 0) << 16 | cnt << 32;
	} else if (!strcmp(text, "ladder") || !strncmp(text, "ladder:", 7)) {
		long k = POLICY_LADDER_DEFAULT;
		if (text[6] && whole(text + 7, '\0', 3, POLICY_LADDER_MAX, &k, NULL)) {
			*st = ts_error_set(err, TS_ERR_USAGE, "policy '%s': ladder takes N from 3 to %d",
			                   text, POLICY_LADDER_MAX);
			return 1;
		}
		p->kind = POLICY_LADDER;
		p->n = k;
	} else if (!strncmp(text, "close_prob:", 11) || !strncmp(text, "close-prob:", 11)) {
		if (threshold(text + 11, &p->n)) {
			*st = ts_error_set(err, TS_ERR_USAGE,
			                   "policy '%s': close_prob takes a probability in (0,1]", text);
			return 1;
		}
		p->kind = POLICY_CLOSE_PROB;
	} else {
		return 0;
	}
	return 1;
}

long policy_rd_max(const policy *p) { return p->n & 0xffff; }
long policy_rd_min(const policy *p)
{
	long m = (p->n >> 16) & 0xffff;
	return m < 1 ? 1 : m;
}
long policy_rd_count(const policy *p) { return (p->n >> 32) & 0xffffffffL; }

ts_status policy_parse(const char *text, policy *out, ts_error *err)
{
	ts_status st = TS_OK;
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
	} else if (parse_trace_kind(text, &p, err, &st)) {
		if (st != TS_OK)
			return st;
	} else {
		return ts_error_set(err, TS_ERR_USAGE,
		                    "unknown policy '%s' (off, repeat_stop, budget:N, near_dup:IOU, dedup, "
		                    "repetition_detection:MAX:MIN:COUNT, ladder[:N], close_prob:P)",
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
	else if (p->kind == POLICY_CLOSE_PROB)
		snprintf(buf, bufsz, "close_prob:%g", policy_iou(p));
	else if (p->kind == POLICY_LADDER)
		snprintf(buf, bufsz, "ladder:%ld", p->n);
	else if (p->kind == POLICY_REP_DETECT)
		snprintf(buf, bufsz, "repetition_detection:%ld:%ld:%ld", p->n & 0xffff,
		         (p->n >> 16) & 0xffff, policy_rd_count(p));
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

/* Records completed at or before step (completion steps are non-decreasing). */
static size_t records_upto(const record *recs, size_t n, long step)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((long)recs[mid].last_step <= step)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* repetition_detection: the first step where vLLM's check is true, -1.
 * run[L] counts the positions k (ending at the current step) with
 * tok[k] == tok[k - L] back to back; the last L tokens repeat COUNT times
 * exactly when the last L * (COUNT - 1) positions all have it. */
static long rd_first_step(const policy *p, const uint32_t *tok, size_t n)
{
	long mx = policy_rd_max(p), mn = policy_rd_min(p), cnt = policy_rd_count(p);
	if (mx <= 0 || cnt < 2 || mn > mx || !tok)
		return -1;
	size_t *run = calloc((size_t)mx + 1, sizeof *run);
	if (!run)
		return -1;
	long found = -1;
	for (size_t k = 0; k < n && found < 0; k++) {
		for (long L = mn; L <= mx; L++) {
			size_t l = (size_t)L;
			run[l] = k >= l && tok[k] == tok[k - l] ? run[l] + 1 : 0;
			/* vLLM stops looking at the first L with L * COUNT > length */
			if ((uint64_t)l * (uint64_t)cnt > k + 1)
				continue;
			if (found < 0 && (uint64_t)run[l] >= (uint64_t)l * (uint64_t)(cnt - 1))
				found = (long)k;
		}
	}
	free(run);
	return found;
}

static int same_values(const record *a, const record *b)
{
	int nv = rec_key_n_values(a->key);
	for (int k = 0; k < nv; k++)
		if (a->v[k] != b->v[k])
			return 0;
	return 1;
}

/* ladder: records i-N+1..i, same label, a repeated box or one constant
 * non-zero step. */
static int ladder_at(const record *recs, size_t i, size_t N)
{
	size_t s = i + 1 - N;
	for (size_t k = s; k < i; k++)
		if (!same_label(&recs[k], &recs[i]) || rec_key_n_values(recs[k].key) !=
		                                          rec_key_n_values(recs[i].key))
			return 0;
	for (size_t a = s; a <= i; a++)
		for (size_t b = a + 1; b <= i; b++)
			if (same_values(&recs[a], &recs[b]))
				return 1;
	int nv = rec_key_n_values(recs[i].key), nonzero = 0;
	for (int c = 0; c < nv; c++) {
		double d = recs[s + 1].v[c] - recs[s].v[c];
		nonzero |= d != 0;
		for (size_t k = s + 1; k < i; k++)
			if (recs[k + 1].v[c] - recs[k].v[c] != d)
				return 0;
	}
	return nonzero;
}

static long ladder_first(const record *recs, size_t n, long N)
{
	for (size_t i = (size_t)N - 1; N >= 3 && i < n; i++)
		if (ladder_at(recs, i, (size_t)N))
			return (long)i;
	return -1;
}

int policy_reads_trace(const policy *p)
{
	return p->kind == POLICY_REP_DETECT || p->kind == POLICY_CLOSE_PROB;
}

int policy_reads_tokens(const policy *p) { return p->kind == POLICY_REP_DETECT; }

/* The policies that read the trace or look at record runs. */
static void apply_lab(const policy *p, const record *recs, size_t n, const policy_trace *tr,
                      policy_cut *c)
{
	long step = -1;
	if (p->kind == POLICY_REP_DETECT && tr) {
		step = rd_first_step(p, tr->tok, tr->n_steps);
	} else if (p->kind == POLICY_LADDER) {
		long i = ladder_first(recs, n, p->n);
		step = i >= 0 ? (long)recs[i].last_step : -1;
	} else if (p->kind == POLICY_CLOSE_PROB && tr && tr->pclose) {
		double t = policy_iou(p);
		size_t lim = tr->closed && n ? n - 1 : n;
		for (size_t i = 0; i < lim && step < 0; i++)
			if (tr->pclose[i] >= t) /* NAN never fires */
				step = (long)recs[i].last_step;
	}
	if (step < 0)
		return;
	c->fired = 1;
	c->stop_step = step;
	c->kept = records_upto(recs, n, step);
}

policy_cut policy_apply(const policy *p, const record *recs, size_t n, long first_dup)
{
	return policy_apply_trace(p, recs, n, first_dup, NULL);
}

policy_cut policy_apply_trace(const policy *p, const record *recs, size_t n, long first_dup,
                              const policy_trace *tr)
{
	policy_cut c = { 0, n, -1, 0 };
	switch (p->kind) {
	case POLICY_REP_DETECT:
	case POLICY_LADDER:
	case POLICY_CLOSE_PROB:
		apply_lab(p, recs, n, tr, &c);
		break;
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

/* The interning table of policy_trace_tokens: open addressing over
 * {id + 1, 32-bit hash} slots (the stored hash skips most mismatches without
 * reading the bytes), and per id its key, length, hash and the text offset of
 * its first step's bytes.  A
 * token of up to 8 bytes is its own key (bytes packed, compared as one word);
 * a longer one keys on its hash and is compared with memcmp. */
typedef struct tok_slot {
	uint32_t id1, hash;
} tok_slot;

typedef struct tok_table {
	tok_slot *slot;
	size_t cap;           /* power of two, more than twice the ids */
	uint64_t *key;        /* per id */
	uint32_t *len, *hash, *off;
} tok_table;

/* Key of b[0..len): the packed bytes up to 8 (byte k at bits 8k), else
 * FNV-1a.  avail: the bytes readable from b (at least len); with 8 of them a
 * little-endian machine loads the word at once and masks the tail. */
static uint64_t tok_key(const unsigned char *b, uint32_t len, size_t avail)
{
	uint64_t k = 0;
	if (len <= 8) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (avail >= 8) {
			memcpy(&k, b, 8);
			return len == 8 ? k : k & ((1ULL << (8 * len)) - 1);
		}
#else
		(void)avail;
#endif
		for (uint32_t i = 0; i < len; i++)
			k |= (uint64_t)b[i] << (8 * i);
		return k;
	}
	k = 0xcbf29ce484222325ULL;
	for (uint32_t i = 0; i < len; i++) {
		k ^= b[i];
		k *= 0x100000001b3ULL;
	}
	return k;
}

static uint32_t tok_hash(uint64_t key, uint32_t len)
{
	uint64_t h = (key ^ ((uint64_t)len << 59 | len)) * 0x9e3779b97f4a7c15ULL;
	return (uint32_t)(h >> 32 ^ h >> 7);
}

/* Doubles the slots and puts ids [0, n) back; 0 on success. */
static int tok_grow(tok_table *tt, uint32_t n)
{
	size_t cap = tt->cap * 2;
	tok_slot *s = calloc(cap, sizeof *s);
	if (!s)
		return -1;
	for (uint32_t id = 0; id < n; id++) {
		size_t q = tt->hash[id] & (cap - 1);
		while (s[q].id1)
			q = (q + 1) & (cap - 1);
		s[q].id1 = id + 1;
		s[q].hash = tt->hash[id];
	}
	free(tt->slot);
	tt->slot = s;
	tt->cap = cap;
	return 0;
}

/* The id of the step bytes b[0..len) at text + off, a new one (*next) when
 * first seen. */
static uint32_t tok_intern(tok_table *tt, const char *text, size_t text_len,
                           uint32_t len, uint32_t off, uint32_t *next)
{
	const unsigned char *b = (const unsigned char *)text + off;
	uint64_t key = tok_key(b, len, text_len + 1 - off); /* the NUL after the text */
	uint32_t h = tok_hash(key, len);
	size_t mask = tt->cap - 1, q = h & mask;
	for (; tt->slot[q].id1; q = (q + 1) & mask) {
		if (tt->slot[q].hash != h)
			continue;
		uint32_t id = tt->slot[q].id1 - 1;
		if (tt->len[id] == len && tt->key[id] == key &&
		    (len <= 8 || !memcmp(text + tt->off[id], b, len)))
			return id;
	}
	uint32_t id = (*next)++;
	tt->slot[q].id1 = id + 1;
	tt->slot[q].hash = h;
	tt->key[id] = key;
	tt->len[id] = len;
	tt->hash[id] = h;
	tt->off[id] = off;
	return id;
}

static void tok_free(tok_table *tt)
{
	free(tt->slot); free(tt->key); free(tt->len); free(tt->hash); free(tt->off);
}

ts_status policy_trace_tokens(const trace *t, uint32_t *ids)
{
	size_t n = trace_n_steps(t);
	const trace_step *st = trace_steps(t);
	const char *text = trace_text(t);
	size_t text_len = trace_text_len(t);
	if (n >= UINT32_MAX)
		return TS_ERR_NOMEM; /* ids are uint32_t; max_steps keeps n far below */
	size_t m = n ? n : 1;
	tok_table tt = { calloc(256, sizeof(tok_slot)), 256, malloc(m * sizeof(uint64_t)),
	                 malloc(m * sizeof(uint32_t)), malloc(m * sizeof(uint32_t)),
	                 malloc(m * sizeof(uint32_t)) };
	ts_status rc = TS_OK;
	if (!tt.slot || !tt.key || !tt.len || !tt.hash || !tt.off)
		rc = TS_ERR_NOMEM;
	uint32_t next = 0;
	for (size_t i = 0; i < n && rc == TS_OK; i++) {
		if ((size_t)next * 2 >= tt.cap && tok_grow(&tt, next)) {
			rc = TS_ERR_NOMEM;
			break;
		}
		ids[i] = tok_intern(&tt, text, text_len, st[i].len, st[i].off, &next);
	}
	tok_free(&tt);
	return rc;
}

/* "A..B/S" into numbers; 0 on success. */
static int range_parts(const char *r, double *a, double *b, double *step)
{
	char *end, head[64];
	const char *dd = strstr(r, "..");
	if (!dd || (size_t)(dd - r) >= sizeof head)
		return -1;
	memcpy(head, r, (size_t)(dd - r)); /* "2..6": strtod would take "2." */
	head[dd - r] = '\0';
	errno = 0;
	*a = strtod(head, &end);
	if (errno || end == head || *end)
		return -1;
	r = dd + 2;
	*b = strtod(r, &end);
	if (errno || end == r || *end != '/')
		return -1;
	r = end + 1;
	*step = strtod(r, &end);
	if (errno || end == r || *end || !(*step > 0) || !(*b >= *a) || !isfinite(*b))
		return -1;
	return 0;
}

ts_status policy_parse_sweep(const char *text, policy *out, size_t max, size_t *n,
                             ts_error *err)
{
	*n = 0;
	const char *dots = strstr(text, "..");
	if (!dots) {
		if (max < 1)
			return ts_error_set(err, TS_ERR_USAGE, "policy '%s': no room", text);
		ts_status st = policy_parse(text, &out[0], err);
		*n = st == TS_OK;
		return st;
	}
	/* the range is the field holding "..": from the ':' before it to the end
	 * or the next ':' */
	const char *fs = dots;
	while (fs > text && fs[-1] != ':')
		fs--;
	const char *fe = strchr(dots, ':');
	size_t flen = fe ? (size_t)(fe - fs) : strlen(fs);
	char range[64], one[160];
	double a, b, step;
	if (fs == text || flen >= sizeof range || strlen(text) >= 100)
		return ts_error_set(err, TS_ERR_USAGE, "policy sweep '%s': expected KIND:A..B/STEP", text);
	memcpy(range, fs, flen);
	range[flen] = '\0';
	if (range_parts(range, &a, &b, &step))
		return ts_error_set(err, TS_ERR_USAGE, "policy sweep '%s': expected A..B/STEP with "
		                    "STEP > 0 and B >= A", text);
	size_t k = 0;
	for (long i = 0;; i++) {
		double v = a + (double)i * step;
		if (v > b + 1e-9 * (fabs(b) > 1 ? fabs(b) : 1))
			break;
		if (k == max)
			return ts_error_set(err, TS_ERR_USAGE, "policy sweep '%s': more than %zu values",
			                    text, max);
		snprintf(one, sizeof one, "%.*s%.10g%s", (int)(fs - text), text, v, fe ? fe : "");
		ts_status st = policy_parse(one, &out[k], err);
		if (st != TS_OK)
			return st;
		k++;
	}
	*n = k;
	return TS_OK;
}
