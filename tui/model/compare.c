/* compare.c — policy cycle, worst values, per-sample diff (see compare.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

void compare_policy_cycle(long budget, policy out[COMPARE_N_POL])
{
	out[COMPARE_POL_OFF] = (policy){POLICY_OFF, 0};
	out[COMPARE_POL_REPEAT_STOP] = (policy){POLICY_REPEAT_STOP, 0};
	out[COMPARE_POL_BUDGET] = (policy){POLICY_BUDGET, budget >= 1 ? budget : COMPARE_DEFAULT_BUDGET};
	out[COMPARE_POL_NEAR_DUP] = (policy){POLICY_NEAR_DUP, COMPARE_NEAR_DUP_IOU};
	out[COMPARE_POL_DEDUP] = (policy){POLICY_DEDUP, 0};
	out[COMPARE_POL_REP_DETECT] = (policy){POLICY_OFF, 0};
	out[COMPARE_POL_CLOSE_PROB] = (policy){POLICY_OFF, 0};
	policy_parse(COMPARE_RD_POLICY, &out[COMPARE_POL_REP_DETECT], NULL);
	out[COMPARE_POL_LADDER] = (policy){POLICY_LADDER, POLICY_LADDER_DEFAULT};
	policy_parse(COMPARE_CLOSE_PROB_POLICY, &out[COMPARE_POL_CLOSE_PROB], NULL);
}

/* v rounded to `decimals` decimals, as a comparable integer-valued double */
static double shown(double v, int decimals)
{
	double s = 1;
	for (int i = 0; i < decimals && i < 9; i++)
		s *= 10;
	return round(v * s);
}

size_t compare_worst(const double *v, const uint8_t *valid, size_t n, int higher_worse,
                     int decimals, uint8_t *out)
{
	size_t n_valid = 0, marks = 0;
	double worst = 0, best = 0;

	for (size_t i = 0; i < n; i++) {
		out[i] = 0;
		if (!valid[i] || !isfinite(v[i]))
			continue;
		double x = shown(v[i], decimals);
		if (n_valid == 0 || (higher_worse ? x > worst : x < worst))
			worst = x;
		if (n_valid == 0 || (higher_worse ? x < best : x > best))
			best = x;
		n_valid++;
	}
	if (n_valid < 2 || worst == best)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (valid[i] && isfinite(v[i]) && shown(v[i], decimals) == worst) {
			out[i] = 1;
			marks++;
		}
	return marks;
}

/* ---- which runs compare ---- */

int compare_tokens_comparable(const compare_run_desc *d, size_t n)
{
	if (n < 2)
		return 0;
	for (size_t i = 1; i < n; i++)
		if (d[i].coords != d[0].coords || d[i].max_new_tokens != d[0].max_new_tokens)
			return 0;
	return 1;
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

unsigned compare_prompt_variant(const compare_run_desc *a, const compare_run_desc *b)
{
	if (!a->model || !a->checkpoint || !same_str(a->model, b->model) ||
	    !same_str(a->checkpoint, b->checkpoint) || a->coords != b->coords ||
	    a->max_new_tokens != b->max_new_tokens)
		return 0;
	unsigned d = 0;
	if (!same_str(a->prompt, b->prompt))
		d |= COMPARE_DIFF_PROMPT;
	if (a->budget != b->budget)
		d |= COMPARE_DIFF_BUDGET;
	return d;
}

/* ---- diff ---- */

void compare_diff_init(compare_diff *d)
{
	memset(d, 0, sizeof *d);
}

void compare_diff_free(compare_diff *d)
{
	free(d->rows);
	memset(d, 0, sizeof *d);
}

int compare_severity(const compare_row *r)
{
	int s = 0;
	if (r->flags & COMPARE_WORSE_FAILED)
		s += 4;
	if (r->flags & COMPARE_WORSE_HITS)
		s++;
	if (r->flags & COMPARE_WORSE_DUPS)
		s++;
	if (r->flags & COMPARE_WORSE_TERM)
		s++;
	return s;
}

typedef struct keyed {
	const char *key;
	size_t idx;
} keyed;

static int keyed_cmp(const void *pa, const void *pb)
{
	const keyed *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);
	if (c)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int row_cmp(const void *pa, const void *pb)
{
	const compare_row *a = pa, *b = pb;
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->cls == COMPARE_CLS_WORSE) {
		int sa = compare_severity(a), sb = compare_severity(b);
		if (sa != sb)
			return sa > sb ? -1 : 1;
		if (a->d_hits != b->d_hits)
			return a->d_hits < b->d_hits ? -1 : 1; /* most hits lost first */
		if (a->d_dups != b->d_dups)
			return a->d_dups > b->d_dups ? -1 : 1; /* most duplicates added first */
	}
	if (a->cls == COMPARE_CLS_ONLY_B)
		return a->b < b->b ? -1 : a->b > b->b;
	return a->a < b->a ? -1 : a->a > b->a;
}

static int push(compare_diff *d, const compare_row *r)
{
	if (d->n == d->cap) {
		size_t nc = d->cap ? 2 * d->cap : 64;
		compare_row *nr = realloc(d->rows, nc * sizeof *nr);
		if (!nr)
			return -1;
		d->rows = nr;
		d->cap = nc;
	}
	d->rows[d->n++] = *r;
	return 0;
}

static void classify(compare_row *r, const slist_item *a, const slist_item *b)
{
	unsigned f = 0;
	r->d_hits = 0;
	r->d_dups = 0;
	if (a->failed || b->failed) {
		if (!a->failed)
			f |= COMPARE_WORSE_FAILED;
		else if (!b->failed)
			f |= COMPARE_BETTER_FAILED;
	} else {
		if (a->has_f1 && b->has_f1) {
			r->d_hits = (long)b->hits - (long)a->hits;
			if (r->d_hits < 0)
				f |= COMPARE_WORSE_HITS;
			else if (r->d_hits > 0)
				f |= COMPARE_BETTER_HITS;
		}
		r->d_dups = (long)b->dups - (long)a->dups;
		if (r->d_dups > 0)
			f |= COMPARE_WORSE_DUPS;
		else if (r->d_dups < 0)
			f |= COMPARE_BETTER_DUPS;
		/* ended cleanly: closed by the model or stopped by a policy
		 * (analysis' termination_ended) */
		int ca = a->term == SLIST_TERM_CLOSED || a->term == SLIST_TERM_STOPPED;
		int cb = b->term == SLIST_TERM_CLOSED || b->term == SLIST_TERM_STOPPED;
		if (ca && !cb)
			f |= COMPARE_WORSE_TERM;
		else if (!ca && cb)
			f |= COMPARE_BETTER_TERM;
	}
	r->flags = f;
	r->cls = (f & 0x0f) ? COMPARE_CLS_WORSE : (f & 0xf0) ? COMPARE_CLS_BETTER : COMPARE_CLS_SAME;
}

/* Ready items of a run with their keys (items without a key are keyed by
 * their index, "l:" like the line fallback but never equal to a real one). */
static keyed *collect(const slist_item *it, size_t n, size_t *out_n, size_t *pending)
{
	keyed *k = malloc((n ? n : 1) * sizeof *k);
	size_t m = 0;
	if (!k)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!it[i].ready) {
			(*pending)++;
			continue;
		}
		k[m].key = it[i].key ? it[i].key : "";
		k[m].idx = i;
		m++;
	}
	qsort(k, m, sizeof *k, keyed_cmp);
	*out_n = m;
	return k;
}

int compare_diff_build(compare_diff *d, const slist_item *a, size_t na, const slist_item *b,
                       size_t nb)
{
	size_t ka = 0, kb = 0, pending = 0;
	d->n = 0;
	d->n_worse = d->n_better = d->n_same = d->n_only_a = d->n_only_b = d->n_pending = 0;
	keyed *A = collect(a, na, &ka, &pending);
	keyed *B = collect(b, nb, &kb, &pending);
	if (!A || !B) {
		free(A);
		free(B);
		return -1;
	}
	int complete = pending == 0;
	size_t i = 0, j = 0;
	int rc = 0;
	while (rc == 0 && (i < ka || j < kb)) {
		int c = i >= ka ? 1 : j >= kb ? -1 : strcmp(A[i].key, B[j].key);
		compare_row r;
		memset(&r, 0, sizeof r);
		if (c == 0) {
			r.a = A[i].idx;
			r.b = B[j].idx;
			classify(&r, &a[r.a], &b[r.b]);
			i++, j++;
		} else if (c < 0) {
			r.a = A[i++].idx;
			r.b = COMPARE_NONE;
			r.cls = COMPARE_CLS_ONLY_A;
		} else {
			r.a = COMPARE_NONE;
			r.b = B[j++].idx;
			r.cls = COMPARE_CLS_ONLY_B;
		}
		if ((r.cls == COMPARE_CLS_ONLY_A || r.cls == COMPARE_CLS_ONLY_B) && !complete)
			continue; /* its pair may still be pending */
		rc = push(d, &r);
	}
	free(A);
	free(B);
	if (rc != 0) {
		d->n = 0;
		return -1;
	}
	qsort(d->rows, d->n, sizeof *d->rows, row_cmp);
	for (size_t k = 0; k < d->n; k++) {
		switch (d->rows[k].cls) {
		case COMPARE_CLS_WORSE: d->n_worse++; break;
		case COMPARE_CLS_BETTER: d->n_better++; break;
		case COMPARE_CLS_SAME: d->n_same++; break;
		case COMPARE_CLS_ONLY_A: d->n_only_a++; break;
		case COMPARE_CLS_ONLY_B: d->n_only_b++; break;
		}
	}
	d->n_pending = pending;
	return 0;
}

/* insertion sort (a handful of runs; stable, no context-free qsort needed) */
void compare_order(const double *v, const uint8_t *valid, size_t n, int higher_worse, int decimals,
                   int rev, size_t *order)
{
	double scale = pow(10.0, decimals);
	for (size_t i = 0; i < n; i++) {
		size_t k = i;
		while (k > 0) {
			size_t a = order[k - 1], b = i;
			int va = valid[a] && isfinite(v[a]), vb = valid[b] && isfinite(v[b]);
			int after; /* a goes after b */
			if (va != vb) {
				after = !va;
			} else if (!va) {
				after = 0;
			} else {
				double ra = round(v[a] * scale), rb = round(v[b] * scale);
				int c = ra == rb ? 0 : (ra > rb) == !!higher_worse ? -1 : 1; /* -1: a worse */
				after = rev ? c < 0 : c > 0;
			}
			if (!after)
				break;
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
}
