/* confidence.c — record scores, COCO-style AP and PR curve, termination
 * probability (see confidence.h). */
#include "confidence.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* record scores                                                       */

ts_status conf_score_parse(const char *text, conf_score_kind *out, ts_error *err)
{
	if (text && !strcmp(text, "mean")) {
		*out = CONF_SCORE_MEAN;
		return TS_OK;
	}
	if (text && !strcmp(text, "min")) {
		*out = CONF_SCORE_MIN;
		return TS_OK;
	}
	return ts_error_set(err, TS_ERR_USAGE, "unknown score '%s' (mean, min)", text ? text : "");
}

const char *conf_score_name(conf_score_kind k)
{
	return k == CONF_SCORE_MIN ? "min" : "mean";
}

double conf_record_score(const trace *t, const record *r, conf_score_kind k)
{
	size_t n = trace_n_steps(t);
	if (!r || r->first_step > r->last_step || (size_t)r->first_step >= n)
		return NAN;
	size_t last = (size_t)r->last_step < n ? (size_t)r->last_step : n - 1;
	const trace_step *st = trace_steps(t);
	double acc = k == CONF_SCORE_MIN ? INFINITY : 0.0;
	size_t used = 0;
	for (size_t i = r->first_step; i <= last; i++) {
		double lp = st[i].logprob;
		if (isnan(lp))
			continue;
		if (k == CONF_SCORE_MIN)
			acc = fmin(acc, lp);
		else
			acc += lp;
		used++;
	}
	if (!used)
		return NAN;
	return k == CONF_SCORE_MIN ? acc : acc / (double)used;
}

/* ------------------------------------------------------------------ */
/* AP                                                                  */

typedef struct ap_det {
	double score;     /* NAN mapped to -inf */
	int64_t image_id;
	size_t seq;       /* order of addition */
	int cat;          /* -1: label names no category */
	unsigned char tp;
} ap_det;

struct conf_ap {
	double t;
	ap_det *d;
	size_t n, cap;
	size_t *npig;     /* non-crowd boxes per category */
	size_t n_cat;     /* entries of npig */
	size_t seq;
};

conf_ap *conf_ap_new(double iou_threshold)
{
	conf_ap *a = calloc(1, sizeof *a);
	if (a)
		a->t = iou_threshold;
	return a;
}

void conf_ap_free(conf_ap *a)
{
	if (!a)
		return;
	free(a->d);
	free(a->npig);
	free(a);
}

typedef struct rank_key {
	double score;
	size_t idx;
} rank_key;

static int rank_key_cmp(const void *pa, const void *pb)
{
	const rank_key *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

static double score_key(double s)
{
	return isnan(s) ? -INFINITY : s;
}

/* npig holds at least nc categories (new ones at 0); -1 on OOM. */
static int grow_cats(conf_ap *a, size_t nc)
{
	if (nc <= a->n_cat)
		return 0;
	size_t *p = realloc(a->npig, nc * sizeof *p);
	if (!p)
		return -1;
	memset(p + a->n_cat, 0, (nc - a->n_cat) * sizeof *p);
	a->npig = p;
	a->n_cat = nc;
	return 0;
}

size_t conf_ap_n_dets(const conf_ap *a) { return a->n; }
size_t conf_ap_n_cats(const conf_ap *a) { return a->n_cat; }
size_t conf_ap_npig(const conf_ap *a, size_t cat) { return cat < a->n_cat ? a->npig[cat] : 0; }

void conf_ap_det(const conf_ap *a, size_t i, double *score, int64_t *image_id, int *cat, int *tp)
{
	const ap_det *d = &a->d[i];
	*score = d->score;
	*image_id = d->image_id;
	*cat = d->cat;
	*tp = d->tp;
}

ts_status conf_ap_add_det(conf_ap *a, double score, int64_t image_id, int cat, int tp)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		ap_det *p = realloc(a->d, cap * sizeof *p);
		if (!p)
			return TS_ERR_NOMEM;
		a->d = p;
		a->cap = cap;
	}
	ap_det *d = &a->d[a->n++];
	d->score = score;
	d->image_id = image_id;
	d->seq = a->seq++;
	d->cat = cat;
	d->tp = (unsigned char)(tp != 0);
	return TS_OK;
}

ts_status conf_ap_add_npig(conf_ap *a, size_t cat, size_t n)
{
	if (cat > (1u << 24))
		return TS_ERR_LIMIT;
	if (grow_cats(a, cat + 1))
		return TS_ERR_NOMEM;
	a->npig[cat] += n;
	return TS_OK;
}

ts_status conf_ap_add_image(conf_ap *a, int64_t image_id, const metrics_det *dets,
                            const double *scores, size_t n, const gt_ann *anns,
                            size_t n_ann)
{
	return conf_ap_add_image_known(a, image_id, dets, scores, n, anns, n_ann, NULL);
}

/* 1 when rank_key_cmp's order of keys[0..n) is the identity (keys[i].idx == i) */
static int rank_is_identity(const rank_key *keys, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (rank_key_cmp(&keys[i - 1], &keys[i]) > 0)
			return 0;
	return 1;
}

ts_status conf_ap_add_image_known(conf_ap *a, int64_t image_id, const metrics_det *dets,
                                  const double *scores, size_t n, const gt_ann *anns,
                                  size_t n_ann, const match_state *known)
{
	if (!a)
		return TS_ERR_USAGE;
	if (!dets || !scores)
		n = 0;
	if (!anns)
		n_ann = 0;
	/* reserve everything first so that OOM leaves a unchanged */
	int max_cat = -1;
	for (size_t g = 0; g < n_ann; g++)
		if (!anns[g].iscrowd && anns[g].cat > max_cat)
			max_cat = anns[g].cat;
	if (max_cat >= 0 && grow_cats(a, (size_t)max_cat + 1))
		return TS_ERR_NOMEM;
	if (a->n + n > a->cap) {
		size_t cap = a->cap ? a->cap : 256;
		while (cap < a->n + n)
			cap *= 2;
		ap_det *p = realloc(a->d, cap * sizeof *p);
		if (!p)
			return TS_ERR_NOMEM;
		a->d = p;
		a->cap = cap;
	}
	rank_key *keys = malloc((n ? n : 1) * sizeof *keys);
	metrics_det *sorted = malloc((n ? n : 1) * sizeof *sorted);
	match_state *ms = malloc((n ? n : 1) * sizeof *ms);
	if (!keys || !sorted || !ms) {
		free(keys);
		free(sorted);
		free(ms);
		return TS_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		keys[i].score = score_key(scores[i]);
		keys[i].idx = i;
	}
	const metrics_det *rd = sorted; /* the ranked dets and their states */
	const match_state *rs = ms;
	if (known && rank_is_identity(keys, n)) {
		rd = dets;
		rs = known;
	} else {
		qsort(keys, n, sizeof *keys, rank_key_cmp);
		for (size_t i = 0; i < n; i++)
			sorted[i] = dets[keys[i].idx];
		metrics_match_image(sorted, n, anns, n_ann, a->t, ms, NULL, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		if (rs[i] == MATCH_IGNORED)
			continue;
		ap_det *d = &a->d[a->n++];
		d->score = keys[i].score;
		d->image_id = image_id;
		d->seq = a->seq++;
		d->cat = rd[i].cat;
		d->tp = rs[i] == MATCH_TP;
	}
	for (size_t g = 0; g < n_ann; g++)
		if (!anns[g].iscrowd && anns[g].cat >= 0)
			a->npig[anns[g].cat]++;
	free(keys);
	free(sorted);
	free(ms);
	return TS_OK;
}

static int ap_det_cmp(const void *pa, const void *pb)
{
	const ap_det *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->image_id != b->image_id)
		return a->image_id < b->image_id ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* np.linspace(0, 1, 101): i * 0.01, the last one exactly 1. */
static double recall_threshold(int i)
{
	return i == CONF_N_RECALL - 1 ? 1.0 : (double)i * 0.01;
}

/* The ranked-list core with caller scratch (rc, pr: nd entries each). */
static double ranked_core(const unsigned char *is_tp, size_t nd, size_t npig,
                          double *prec, double *rc, double *pr)
{
	double q[CONF_N_RECALL];
	if (npig == 0) {
		if (prec)
			for (int i = 0; i < CONF_N_RECALL; i++)
				prec[i] = NAN;
		return NAN;
	}
	double tp = 0, fp = 0;
	for (size_t i = 0; i < nd; i++) {
		if (is_tp[i])
			tp += 1;
		else
			fp += 1;
		rc[i] = tp / (double)npig;
		pr[i] = tp / (fp + tp + DBL_EPSILON);
	}
	for (size_t i = nd; i-- > 1;)
		if (pr[i] > pr[i - 1])
			pr[i - 1] = pr[i];
	size_t pi = 0;
	double sum = 0;
	for (int r = 0; r < CONF_N_RECALL; r++) {
		double thr = recall_threshold(r);
		while (pi < nd && rc[pi] < thr)
			pi++; /* searchsorted(side='left'): first rc >= thr */
		q[r] = pi < nd ? pr[pi] : 0.0;
		sum += q[r];
	}
	if (prec)
		memcpy(prec, q, sizeof q);
	return sum / (double)CONF_N_RECALL;
}

double conf_ap_ranked(const unsigned char *is_tp, size_t nd, size_t npig,
                      double prec[CONF_N_RECALL])
{
	double *rc = malloc((nd ? nd : 1) * sizeof *rc);
	double *pr = malloc((nd ? nd : 1) * sizeof *pr);
	double ap = NAN;
	if (rc && pr)
		ap = ranked_core(is_tp, nd, npig, prec, rc, pr);
	else if (prec)
		for (int i = 0; i < CONF_N_RECALL; i++)
			prec[i] = NAN;
	free(rc);
	free(pr);
	return ap;
}

ts_status conf_ap_compute(const conf_ap *a, conf_ap_result *out, ts_error *err)
{
	memset(out, 0, sizeof *out);
	out->ap = NAN;
	out->ap_pooled = NAN;
	out->recall_max = NAN;
	for (int i = 0; i < CONF_N_RECALL; i++) {
		out->recall[i] = recall_threshold(i);
		out->precision[i] = NAN;
	}
	if (!a)
		return ts_error_set(err, TS_ERR_USAGE, "no AP accumulator");
	out->iou = a->t;
	size_t nd = a->n;
	ap_det *d = malloc((nd ? nd : 1) * sizeof *d);
	unsigned char *is_tp = malloc(nd ? nd : 1);
	double *rc = malloc((nd ? nd : 1) * sizeof *rc);
	double *pr = malloc((nd ? nd : 1) * sizeof *pr);
	size_t *off = calloc(a->n_cat + 1, sizeof *off);
	size_t *fill = calloc(a->n_cat + 1, sizeof *fill);
	if (!d || !is_tp || !rc || !pr || !off || !fill) {
		free(d); free(is_tp); free(rc); free(pr); free(off); free(fill);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory computing AP");
	}
	if (nd)
		memcpy(d, a->d, nd * sizeof *d);
	size_t kr = 1; /* added already ranked (tied scores, images in id order): no sort */
	while (kr < nd && ap_det_cmp(&d[kr - 1], &d[kr]) <= 0)
		kr++;
	if (kr < nd)
		qsort(d, nd, sizeof *d, ap_det_cmp);

	size_t npig_all = 0;
	for (size_t c = 0; c < a->n_cat; c++)
		npig_all += a->npig[c];
	out->n_det = nd;
	out->n_gt = npig_all;
	for (size_t i = 0; i < nd; i++) {
		is_tp[i] = d[i].tp;
		out->tp += d[i].tp;
	}
	out->ap_pooled = ranked_core(is_tp, nd, npig_all, out->precision, rc, pr);
	out->recall_max = npig_all ? (double)out->tp / (double)npig_all : NAN;

	/* per category: bucket the ranked list by category, keeping the order */
	for (size_t i = 0; i < nd; i++)
		if (d[i].cat >= 0 && (size_t)d[i].cat < a->n_cat)
			off[d[i].cat + 1]++;
	for (size_t c = 0; c < a->n_cat; c++)
		off[c + 1] += off[c];
	for (size_t i = 0; i < nd; i++)
		if (d[i].cat >= 0 && (size_t)d[i].cat < a->n_cat) {
			size_t c = (size_t)d[i].cat;
			is_tp[off[c] + fill[c]++] = d[i].tp;
		}
	double sum = 0;
	size_t k = 0;
	for (size_t c = 0; c < a->n_cat; c++) {
		if (a->npig[c] == 0)
			continue;
		sum += ranked_core(is_tp + off[c], off[c + 1] - off[c], a->npig[c], NULL, rc, pr);
		k++;
	}
	out->n_categories = k;
	out->ap = k ? sum / (double)k : NAN;
	free(d); free(is_tp); free(rc); free(pr); free(off); free(fill);
	return TS_OK;
}

/* ------------------------------------------------------------------ */
/* termination probability: the close decision (confidence.h owns the rule) */

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The longest EOS text (the list or extra) that ends s[0..len); 0: none. */
static size_t eos_suffix(const char *s, size_t len, const conf_eos *extra)
{
	size_t best = 0, el;
	const char *e;
	if (!len)
		return 0;
	if (s[len - 1] == TRACE_EOS_LAST) /* else no listed text can end s */
		for (size_t k = 0; (e = trace_eos_text_len(k, &el)); k++)
			if (el <= len && el > best && !memcmp(s + len - el, e, el))
				best = el;
	for (size_t k = 0; extra && k < extra->n; k++) {
		el = strlen(extra->tok[k]);
		if (el && el <= len && el > best && !memcmp(s + len - el, extra->tok[k], el))
			best = el;
	}
	return best;
}

int conf_is_eos(const char *tok, size_t len, const conf_eos *extra)
{
	return len == 0 || eos_suffix(tok, len, extra) == len;
}

size_t conf_eos_tail(const char *s, size_t len, const conf_eos *extra)
{
	size_t n = len, k;
	while (n > 0 && (k = eos_suffix(s, n, extra)) > 0)
		n -= k;
	return len - n;
}

/* JSON: text at a decision (blanks first): 1 ends the list ("]", a fence's
 * "`", an EOS), 0 goes on or is something else, -1 blank or empty. */
static int json_ends(const char *s, size_t len, const conf_eos *eos)
{
	size_t i = 0;
	while (i < len && is_blank(s[i]))
		i++;
	if (i == len)
		return -1;
	if (s[i] == ']' || s[i] == '`')
		return 1;
	return conf_is_eos(s + i, len - i, eos);
}

/* A whole token at a decision that is not inside the brace token. */
static int token_ends(const char *s, size_t len, const conf_eos *eos)
{
	return conf_is_eos(s, len, eos) ? 1 : json_ends(s, len, eos);
}

int conf_is_end_token(const char *tok, size_t len, int tagged, const conf_eos *eos)
{
	if (tagged)
		return conf_is_eos(tok, len, eos);
	return token_ends(tok, len, eos) == 1;
}

/* Index just past the record's closing brace in s[0..len) (the first "}"
 * and any "}" that follow it through blanks), 0 when there is none. */
static size_t after_brace(const char *s, size_t len)
{
	const char *b = memchr(s, '}', len);
	if (!b)
		return 0;
	size_t k = (size_t)(b - s) + 1, j = k;
	while (j < len && (is_blank(s[j]) || s[j] == '}'))
		if (s[j++] == '}')
			k = j;
	return k;
}

/* An alternative at a decision taken inside the brace token. */
static int alt_ends_in_token(const char *s, size_t len, const conf_eos *eos)
{
	if (conf_is_eos(s, len, eos))
		return 1;
	size_t k = after_brace(s, len);
	if (!k)
		return 0;
	return json_ends(s + k, len - k, eos) != 0; /* blank or nothing: no "," */
}

/* What the generated text does after byte b of step s: 1 the list ends
 * ("]", fence, an EOS step, or the model stopped there), 0 not. */
static int chosen_ends_after(const trace *t, size_t s, size_t b, const conf_eos *eos)
{
	const trace_step *st = trace_steps(t);
	const char *text = trace_text(t);
	size_t n = trace_n_steps(t);
	for (size_t k = s; k < n; k++) {
		const char *p = text + st[k].off;
		size_t len = st[k].len, i = k == s ? b : 0;
		if (k > s && conf_is_eos(p, len, eos))
			return 1;
		while (i < len && is_blank(p[i]))
			i++;
		if (i < len)
			return json_ends(p + i, len - i, eos) == 1;
	}
	return trace_get_finish(t) == TRACE_FINISH_STOP;
}

/* Decision of a JSON record completing at step s: in the brace token
 * (in_token) when text after its brace, or after any alternative's brace,
 * is not blank; else the next step whose token is not blank. */
static void json_decision(const trace *t, size_t s, const conf_eos *eos, conf_close *c)
{
	const trace_step *st = trace_steps(t);
	const char *text = trace_text(t), *at = trace_alt_text(t);
	const trace_alt *alts = trace_alts(t);
	size_t n = trace_n_steps(t), b = after_brace(text + st[s].off, st[s].len);
	int in_token = b && json_ends(text + st[s].off + b, st[s].len - b, eos) != -1;
	for (uint32_t k = 0; b && !in_token && k < st[s].n_alt; k++) {
		const trace_alt *a = &alts[st[s].alt_first + k];
		size_t ab = after_brace(at + a->off, a->len);
		in_token = ab && json_ends(at + a->off + ab, a->len - ab, eos) != -1;
	}
	c->in_token = in_token;
	if (in_token) {
		c->step = (long)s;
		c->chosen_ends = chosen_ends_after(t, s, b, eos);
		return;
	}
	for (size_t k = s + 1; k < n; k++) {
		int e = token_ends(text + st[k].off, st[k].len, eos);
		if (e != -1) {
			c->step = (long)k;
			c->chosen_ends = e;
			return;
		}
	}
}

/* Step holding the last byte of a tag record's last piece: the record's
 * completing byte (the last of done_chars in its step), then "]"s, blanks
 * and the syntax's end tag. */
static size_t tag_last_piece(const trace *t, size_t s, rec_key key)
{
	const char *done, *tag = rec_key_end_tag(key, &done);
	const trace_step *st = trace_steps(t);
	const char *text = trace_text(t);
	size_t n = trace_n_steps(t), i = 0;
	if (!tag)
		return s;
	for (size_t j = 0; j < st[s].len; j++) /* the last completing byte */
		if (strchr(done, text[st[s].off + j]))
			i = j + 1;
	size_t pos = st[s].off + (i ? i : st[s].len);
	size_t end = st[n - 1].off + st[n - 1].len, tl = strlen(tag);
	while (pos < end && (text[pos] == ']' || is_blank(text[pos])))
		pos++;
	if (pos + tl > end || memcmp(text + pos, tag, tl))
		return s;
	size_t last = pos + tl - 1, k = s;
	while (k + 1 < n && st[k].off + st[k].len <= last)
		k++;
	return k;
}

void conf_close_decide(const trace *t, const record *r, const conf_eos *eos, conf_close *c)
{
	memset(c, 0, sizeof *c);
	c->p = NAN;
	c->step = -1;
	size_t n = trace_n_steps(t), s = r->last_step;
	if (s >= n)
		return;
	const trace_step *st = trace_steps(t);
	c->tagged = rec_key_tagged(r->key);
	if (!c->tagged) {
		json_decision(t, s, eos, c);
	} else {
		size_t d = rec_key_decides_at_completion(r->key) ? s : tag_last_piece(t, s, r->key) + 1;
		if (d < n) {
			c->step = (long)d;
			c->chosen_ends = conf_is_eos(trace_text(t) + st[d].off, st[d].len, eos);
		}
	}
	if (c->step < 0 || st[c->step].n_alt == 0)
		return;
	const trace_step *d = &st[c->step];
	const trace_alt *alts = trace_alts(t) + d->alt_first;
	const char *at = trace_alt_text(t), *ct = trace_text(t) + d->off;
	double p = 0, chosen_lp = d->logprob;
	for (uint32_t k = 0; k < d->n_alt; k++) {
		if (alts[k].len == d->len && !memcmp(at + alts[k].off, ct, d->len)) {
			if (isnan(chosen_lp))
				chosen_lp = alts[k].logprob;
			continue; /* the chosen token: judged by what followed it */
		}
		if (conf_close_alt_ends(c, at + alts[k].off, alts[k].len, eos) && !isnan(alts[k].logprob))
			p += exp(alts[k].logprob);
	}
	if (c->chosen_ends && !isnan(chosen_lp))
		p += exp(chosen_lp);
	c->p = p > 1 ? 1 : p;
}

int conf_close_alt_ends(const conf_close *c, const char *s, size_t len, const conf_eos *eos)
{
	if (c->tagged)
		return conf_is_eos(s, len, eos);
	if (c->in_token)
		return alt_ends_in_token(s, len, eos);
	return token_ends(s, len, eos) == 1;
}

double conf_close_prob(const trace *t, const record *r, const conf_eos *eos)
{
	conf_close c;
	conf_close_decide(t, r, eos, &c);
	return c.p;
}

void conf_termination(const trace *t, const record *recs, size_t n, long tail_start,
                      const conf_eos *eos, double *probs, conf_term *out)
{
	conf_term r = { NAN, -1, NAN, 0 };
	size_t lim = tail_start >= 0 && (size_t)tail_start < n ? (size_t)tail_start : n;
	for (size_t i = 0; i < n; i++) {
		double p = conf_close_prob(t, &recs[i], eos);
		if (probs)
			probs[i] = p;
		if (isnan(p))
			continue;
		r.n_defined++;
		if (i < lim && (isnan(r.max_before_tail) || p > r.max_before_tail)) {
			r.max_before_tail = p;
			r.argmax = (long)i;
		}
		if (tail_start >= 1 && (size_t)tail_start < n && i == (size_t)tail_start - 1)
			r.at_tail_start = p;
	}
	*out = r;
}

void conf_term_run_init(conf_term_run *r)
{
	memset(r, 0, sizeof *r);
	r->mean_max_before_tail = NAN;
	r->mean_at_tail_start = NAN;
}

void conf_term_run_add(conf_term_run *r, const conf_term *s, int has_tail)
{
	r->samples++;
	if (!has_tail)
		return;
	r->tails++;
	if (!isnan(s->max_before_tail)) {
		r->tails_max_defined++;
		r->sum_max += s->max_before_tail;
	}
	if (!isnan(s->at_tail_start)) {
		r->tails_at_defined++;
		r->sum_at += s->at_tail_start;
	}
}

void conf_term_run_finish(conf_term_run *r)
{
	r->mean_max_before_tail = r->tails_max_defined ? r->sum_max / (double)r->tails_max_defined : NAN;
	r->mean_at_tail_start = r->tails_at_defined ? r->sum_at / (double)r->tails_at_defined : NAN;
}
