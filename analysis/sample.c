/* sample.c — one trace analysed end to end (see sample.h). */
#include "sample.h"

#include "confidence.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct sample {
	recparse *parser;        /* owns the records */
	const record *recs;
	size_t n;
	sample_rec *info;
	long *dup_of;
	uint32_t *occ;
	repeat_stats rep;
	termination term;
	size_t n_steps;
	long close_step;
	rec_key key;
	const gt_image *img;
	const gt_ann *anns;      /* the image's annotations (with gt) */
	size_t n_ann;
	size_t n_gt;             /* non-crowd ground-truth boxes of the image */
	int has_gt;
	char *query;             /* the sample's query (sample_query), NULL: none */
	size_t query_len;
	int gt_cat;              /* -1: every category counts, else the query's */
	analysis_opts opts;
	uint32_t *tok;           /* n_steps token ids (policy_trace_tokens) */
	double *pclose;          /* n: P(close) after each record (conf_termination) */
	policy_trace ptr;        /* the two above, for the policies that read the trace */
};

static const char *const term_names[] = { "closed", "truncated", "malformed", "stopped" };

const char *termination_name(termination t)
{
	return (unsigned)t <= TERM_STOPPED ? term_names[t] : "?";
}

int termination_ended(termination t) { return t == TERM_CLOSED || t == TERM_STOPPED; }

void analysis_opts_default(analysis_opts *o)
{
	memset(o, 0, sizeof *o);
	coords_opts_default(&o->coords);
	o->iou[0] = 0.3;
	o->iou[1] = 0.5;
	o->n_iou = 2;
	recparse_limits_default(&o->rec_limits);
}

ts_status analysis_parse_iou(const char *list, analysis_opts *o, ts_error *err)
{
	double v[TS_MAX_IOU];
	size_t n = 0;
	const char *p = list;
	while (*p) {
		if (n == TS_MAX_IOU)
			return ts_error_set(err, TS_ERR_USAGE, "--iou takes at most %d thresholds", TS_MAX_IOU);
		char *end;
		errno = 0;
		double t = strtod(p, &end);
		if (end == p || errno || !(t > 0.0 && t <= 1.0) || (*end && *end != ','))
			return ts_error_set(err, TS_ERR_USAGE,
			                    "--iou '%s': expected thresholds in (0,1] separated by commas", list);
		v[n++] = t;
		p = *end ? end + 1 : end;
	}
	if (n == 0)
		return ts_error_set(err, TS_ERR_USAGE, "--iou: no threshold given");
	memcpy(o->iou, v, n * sizeof v[0]);
	o->n_iou = n;
	return TS_OK;
}

int sample_prompt_query(const char *prompt, const char **q, size_t *len)
{
	static const char *const verbs[] = { "detect:", "point:" };
	if (!prompt)
		return 0;
	const char *p = prompt;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	size_t v = 0;
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0] && !v; i++) {
		size_t n = strlen(verbs[i]), k = 0;
		while (k < n && p[k] && (p[k] | 0x20) == verbs[i][k])
			k++;
		if (k == n)
			v = n;
	}
	if (!v)
		return 0;
	p += v;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	if (!n || memchr(p, '\n', n) || memchr(p, '\r', n))
		return 0;
	*q = p;
	*len = n;
	return 1;
}

static termination classify(const trace *t, const recparse *p)
{
	trace_finish f = trace_get_finish(t);
	if (f == TRACE_FINISH_LENGTH)
		return TERM_TRUNCATED;
	if (f == TRACE_FINISH_POLICY)
		return TERM_STOPPED;
	if (recparse_closed(p) && !recparse_junk(p))
		return TERM_CLOSED;
	return TERM_MALFORMED;
}

/* Match at TIDE_FG and each record's TIDE error type (ms, mg: scratch of
 * n; fg: ms already holds the match at TIDE_FG, one of the thresholds). */
static void tide_facts(sample *s, const metrics_det *dets, match_state *ms, long *mg, int fg,
                       const double *iou)
{
	metrics_counts c = { 0, 0, 0 };
	if (!fg)
		metrics_match_image_table(dets, s->n, s->anns, s->n_ann, iou, TIDE_FG, ms, mg, &c);
	tide_kind *k = malloc((s->n ? s->n : 1) * sizeof *k);
	if (k)
		tide_classify(dets, ms, s->n, s->anns, s->n_ann, TIDE_FG, TIDE_BG, iou, k);
	for (size_t i = 0; i < s->n; i++) {
		s->info[i].m50 = ms[i];
		s->info[i].tide = k ? k[i] : TIDE_BKG; /* out of memory: every FP background */
	}
	free(k);
}

/* What the trace-reading policies need (policy_trace). */
static ts_status trace_facts(sample *s, const trace *t, const analysis_opts *o)
{
	if (!o->no_tokens) {
		s->tok = malloc((s->n_steps ? s->n_steps : 1) * sizeof *s->tok);
		if (!s->tok || policy_trace_tokens(t, s->tok) != TS_OK)
			return TS_ERR_NOMEM;
	}
	s->pclose = malloc((s->n ? s->n : 1) * sizeof *s->pclose);
	if (!s->pclose)
		return TS_ERR_NOMEM;
	conf_term ct;
	conf_termination(t, s->recs, s->n, -1, &o->eos, s->pclose, &ct);
	s->ptr.tok = s->tok;
	s->ptr.n_steps = s->n_steps;
	s->ptr.pclose = s->pclose;
	s->ptr.closed = s->term == TERM_CLOSED;
	return TS_OK;
}

/* The steps whose text is fed to the record parser ([0, returned)), and
 * the text offset where the feeding stops (*cut).  The trailing EOS
 * ("<eos>" as some dumps decode PaliGemma's; confidence.c owns the list,
 * run.json "eos_tokens" included) ends the stream: its text is no record's
 * (no label ends in "<eos>").  With tokens: the trailing steps that are EOS
 * tokens (conf_is_eos); text only (pseudo-steps split "<eos>" into "<",
 * "eos", ">"): the text's trailing EOS texts (conf_eos_tail), a step
 * across the cut fed up to it. */
static size_t fed_steps(const trace *t, const analysis_opts *o, size_t *cut)
{
	const trace_step *steps = trace_steps(t);
	const char *text = trace_text(t);
	size_t end = trace_n_steps(t), len = trace_text_len(t);
	*cut = len;
	if (trace_get_format(t) == TRACE_FMT_TEXT) {
		*cut = len - conf_eos_tail(text, len, &o->eos);
		while (end > 0 && steps[end - 1].off >= *cut)
			end--;
		return end;
	}
	while (end > 0 && conf_is_eos(text + steps[end - 1].off, steps[end - 1].len, &o->eos))
		end--;
	return end;
}

/* The records of t's steps, read by s->parser; err set on failure. */
static ts_status read_records(sample *s, const trace *t, const analysis_opts *o, ts_error *err)
{
	const trace_step *steps = trace_steps(t);
	const char *text = trace_text(t);
	s->n_steps = trace_n_steps(t);
	size_t cut, end = fed_steps(t, o, &cut);
	ts_status st = recparse_feed_steps(s->parser, text, steps, sizeof *steps, end, cut);
	if (st != TS_OK) {
		size_t max = o->rec_limits.max_records;
		if (st == TS_ERR_LIMIT)
			return ts_error_set(err, st, "more than %zu records in one sample (max_records)", max);
		return ts_error_set(err, st, "record parser: %s", ts_status_text(st));
	}
	trace_finish fin = trace_get_finish(t);
	recparse_finish(s->parser, s->n_steps ? (uint32_t)(s->n_steps - 1) : 0,
	                fin != TRACE_FINISH_LENGTH && fin != TRACE_FINISH_POLICY);
	s->recs = recparse_records(s->parser);
	s->n = recparse_count(s->parser);
	s->key = recparse_key(s->parser);
	s->close_step = recparse_close_step(s->parser);
	s->term = classify(t, s->parser);
	return TS_OK;
}

/* The object asked for (the prompt's, else o->object) and, when it names
 * a category, that category; TS_ERR_NOMEM on failure. */
static ts_status set_query(sample *s, const trace *t, const gt *g, const analysis_opts *o)
{
	const char *q = o->object;
	size_t qlen = q ? strlen(q) : 0;
	if (sample_prompt_query(trace_prompt(t), &q, &qlen) || qlen) {
		if (!(s->query = malloc(qlen + 1)))
			return TS_ERR_NOMEM;
		memcpy(s->query, q, qlen);
		s->query[qlen] = '\0';
		s->query_len = qlen;
		/* a query that names a category makes the sample a per-class
		 * request: only that category's ground truth counts */
		if (g)
			s->gt_cat = gt_category_lookup(g, s->query, qlen);
	}
	return TS_OK;
}

/* Each record's repeat facts, category and box, and its det for matching. */
/* The one convention placed without the image's size (pixels, x first);
 * every other needs the size (rec_facts, sample_size_placed). */
static int box_without_size(coords_kind k)
{
	return k == COORDS_XYXY;
}

/* The last labels looked up in one sample and their categories: a sample
 * names a few classes many times. */
#define LABEL_CACHE 8
typedef struct label_cache {
	const char *lab[LABEL_CACHE];
	size_t len[LABEL_CACHE];
	int cat[LABEL_CACHE];
	size_t n, next;
} label_cache;

static int label_cat(label_cache *c, const gt *g, const char *lab, size_t len)
{
	for (size_t k = 0; k < c->n; k++)
		if (c->len[k] == len && (!len || !memcmp(c->lab[k], lab, len)))
			return c->cat[k];
	int cat = gt_category_lookup(g, lab, len);
	size_t k = c->n < LABEL_CACHE ? c->n++ : c->next++ % LABEL_CACHE;
	c->lab[k] = lab;
	c->len[k] = len;
	c->cat[k] = cat;
	return cat;
}

static void rec_facts(sample *s, const gt *g, const analysis_opts *o, const uint32_t *total,
                      double img_w, double img_h, metrics_det *dets)
{
	label_cache lc = { .n = 0 };
	for (size_t i = 0; i < s->n; i++) {
		sample_rec *r = &s->info[i];
		r->dup_of = s->dup_of[i];
		r->occurrence = s->occ[i];
		r->total = total[i];
		r->in_tail = s->rep.tail_start >= 0 && (long)i >= s->rep.tail_start;
		r->cat = g ? label_cat(&lc, g, sample_rec_label(s, i, NULL), sample_rec_label_len(s, i)) : -1;
		coords_kind k = coords_resolve(o->coords.kind, s->recs[i].key);
		if ((img_w > 0 && img_h > 0) || box_without_size(k))
			r->box_ok = coords_to_box(&s->recs[i], &o->coords, img_w, img_h, r->box) == TS_OK;
		for (size_t j = 0; j < TS_MAX_IOU; j++) {
			r->match[j] = MATCH_FP;
			r->match_gt[j] = -1;
		}
		dets[i].cat = r->box_ok ? r->cat : -1;
		dets[i].point = rec_key_point(s->recs[i].key);
		memcpy(dets[i].box, r->box, sizeof r->box);
	}
}

/* The records against the image's ground truth at each IoU threshold. */
static void match_gt(sample *s, const gt *g, const gt_image *img, const analysis_opts *o,
                     const metrics_det *dets, match_state *ms, long *mg)
{
	size_t n = s->n;
	const gt_ann *anns = gt_anns(g) + img->ann_first;
	s->anns = anns;
	s->n_ann = img->n_ann;
	for (size_t a = 0; a < img->n_ann; a++)
		s->n_gt += !anns[a].iscrowd && (s->gt_cat < 0 || anns[a].cat == s->gt_cat);
	long fg = -1; /* the threshold that is TIDE_FG: its match is TIDE's */
	/* the pairs' IoU once for every threshold and TIDE (a small image; NULL:
	 * out of memory or a large one, matched through the index) */
	double *iou = metrics_table_fits(n, img->n_ann) ? malloc(n * img->n_ann * sizeof *iou) : NULL;
	if (iou)
		metrics_iou_table(dets, n, anns, img->n_ann, iou);
	for (size_t j = 0; j < o->n_iou; j++) {
		metrics_counts c = { 0, 0, 0 };
		metrics_match_image_table(dets, n, anns, img->n_ann, iou, o->iou[j], ms, mg, &c);
		for (size_t i = 0; i < n; i++) {
			s->info[i].match[j] = ms[i];
			s->info[i].match_gt[j] = mg[i];
		}
		if (o->iou[j] == TIDE_FG)
			fg = (long)j;
	}
	for (size_t i = 0; fg >= 0 && i < n; i++)
		ms[i] = s->info[i].match[fg];
	tide_facts(s, dets, ms, mg, fg >= 0, iou);
	free(iou);
}

ts_status sample_analyze(const trace *t, const gt *g, const gt_image *img,
                         double img_w, double img_h, const analysis_opts *o,
                         sample **out, ts_error *err)
{
	*out = NULL;
	sample *s = calloc(1, sizeof *s);
	if (!s)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	s->opts = *o;
	s->parser = recparse_new(&o->rec_limits);
	if (!s->parser) {
		free(s);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}
	ts_status st = read_records(s, t, o, err);
	if (st != TS_OK) {
		sample_free(s);
		return st;
	}
	s->img = img;
	s->has_gt = g != NULL && img != NULL;
	s->gt_cat = -1;
	if (set_query(s, t, g, o) != TS_OK) {
		sample_free(s);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}

	size_t n = s->n;
	s->info = calloc(n ? n : 1, sizeof *s->info);
	s->dup_of = malloc((n ? n : 1) * sizeof *s->dup_of);
	s->occ = malloc((n ? n : 1) * sizeof *s->occ);
	uint32_t *total = malloc((n ? n : 1) * sizeof *total);
	metrics_det *dets = malloc((n ? n : 1) * sizeof *dets);
	match_state *ms = malloc((n ? n : 1) * sizeof *ms);
	long *mg = malloc((n ? n : 1) * sizeof *mg);
	if (!s->info || !s->dup_of || !s->occ || !total || !dets || !ms || !mg) {
		free(total); free(dets); free(ms); free(mg);
		sample_free(s);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}
	repeat_analyze(s->recs, n, &s->rep, s->dup_of, s->occ, total);

	if (img && img->width > 0 && img->height > 0) {
		img_w = img->width;
		img_h = img->height;
	}
	rec_facts(s, g, o, total, img_w, img_h, dets);
	if (s->has_gt)
		match_gt(s, g, img, o, dets, ms, mg);
	free(total); free(dets); free(ms); free(mg);
	if (trace_facts(s, t, o) != TS_OK) {
		sample_free(s);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}
	*out = s;
	return TS_OK;
}

int sample_size_placed(const sample *s)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (s->info[i].box_ok && !box_without_size(coords_resolve(s->opts.coords.kind, s->recs[i].key)))
			return 1;
	return 0;
}

void sample_free(sample *s)
{
	if (!s)
		return;
	recparse_free(s->parser);
	free(s->query);
	free(s->info);
	free(s->dup_of);
	free(s->occ);
	free(s->tok);
	free(s->pclose);
	free(s);
}

size_t sample_n_records(const sample *s) { return s->n; }
const record *sample_records(const sample *s) { return s->recs; }
const sample_rec *sample_rec_info(const sample *s) { return s->info; }
const repeat_stats *sample_repeat(const sample *s) { return &s->rep; }
termination sample_termination(const sample *s) { return s->term; }
size_t sample_n_steps(const sample *s) { return s->n_steps; }
rec_key sample_key(const sample *s) { return s->key; }
int sample_has_gt(const sample *s) { return s->has_gt; }
const gt_image *sample_image(const sample *s) { return s->img; }
const analysis_opts *sample_opts(const sample *s) { return &s->opts; }
const char *sample_query(const sample *s, size_t *len)
{
	if (len)
		*len = s->query_len;
	return s->query;
}
int sample_gt_cat(const sample *s) { return s->gt_cat; }

/* The one rule for a record's label: its own, or the query's when it has
 * none (Moondream's detect answers carry no label). */
const char *sample_rec_label(const sample *s, size_t i, int *from_query)
{
	const record *r = &s->recs[i];
	int q = r->label_len == 0 && s->query;
	if (from_query)
		*from_query = q;
	return q ? s->query : r->label;
}

size_t sample_rec_label_len(const sample *s, size_t i)
{
	const record *r = &s->recs[i];
	return r->label_len == 0 && s->query ? s->query_len : r->label_len;
}

long sample_termination_step(const sample *s)
{
	if (s->n_steps == 0)
		return -1;
	if (s->close_step >= 0)
		return s->close_step;
	return (long)s->n_steps - 1;
}

size_t sample_records_upto(const sample *s, long step)
{
	/* completion steps are non-decreasing: binary search */
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((long)s->recs[mid].last_step <= step)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The records as detections for matching (unplaceable boxes: category -1). */
static void fill_dets(const sample *s, metrics_det *dets, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		dets[i].cat = s->info[i].box_ok ? s->info[i].cat : -1;
		dets[i].point = rec_key_point(s->recs[i].key);
		memcpy(dets[i].box, s->info[i].box, sizeof dets[i].box);
	}
}

ts_status sample_policy_matches(const sample *s, const policy_cut *cut, size_t j,
                                match_state *state, long *ann)
{
	size_t jj = j < TS_MAX_IOU ? j : 0;
	for (size_t i = 0; i < s->n; i++) {
		state[i] = s->has_gt ? s->info[i].match[jj] : MATCH_FP;
		if (ann)
			ann[i] = s->has_gt ? s->info[i].match_gt[jj] : -1;
	}
	if (!cut->drop_dups || !s->has_gt || jj >= s->opts.n_iou)
		return TS_OK;
	size_t kept = cut->kept < s->n ? cut->kept : s->n;
	metrics_det *dets = malloc((kept ? kept : 1) * sizeof *dets);
	if (!dets)
		return TS_ERR_NOMEM;
	fill_dets(s, dets, kept);
	metrics_counts c = { 0, 0, 0 };
	ts_status st = policy_dedup_match(dets, s->dup_of, kept, s->anns, s->n_ann, s->opts.iou[jj],
	                                  state, ann, &c);
	free(dets);
	return st;
}

/* TP of the full list (policy off) that the policy's records do not have. */
static void outcome_lost(const sample *s, sample_outcome *oc)
{
	for (size_t j = 0; s->has_gt && j < s->opts.n_iou; j++) {
		size_t all = 0;
		for (size_t i = 0; i < s->n; i++)
			all += s->info[i].match[j] == MATCH_TP;
		oc->tp_lost[j] = all > oc->counts[j].tp ? all - oc->counts[j].tp : 0;
	}
}

static sample_outcome outcome_core(const sample *s, const policy *p)
{
	sample_outcome oc;
	memset(&oc, 0, sizeof oc);
	oc.cut = policy_apply_trace(p, s->recs, s->n, s->rep.first_dup, &s->ptr);
	oc.term = oc.cut.fired ? TERM_STOPPED : s->term;
	oc.tokens = oc.cut.fired ? (size_t)oc.cut.stop_step + 1 : s->n_steps;
	oc.steps_all = s->n_steps;
	oc.has_tail = s->rep.tail_start >= 0;
	oc.false_stop = oc.cut.fired && !oc.has_tail;
	oc.tail_unstopped = oc.has_tail && !oc.cut.fired;
	oc.early_stop = oc.cut.fired && s->rep.first_dup >= 0 && (size_t)s->rep.first_dup < s->n &&
	                oc.cut.stop_step < (long)s->recs[s->rep.first_dup].last_step;
	if (oc.cut.drop_dups) {
		/* dedup keeps the first occurrences of recs[0..kept) (kept == n):
		 * no duplicates left, and the kept records matched again, since a
		 * dropped duplicate may have taken a box a later record now gets */
		repeat_stats pre = s->rep;
		if (oc.cut.kept != s->n)
			repeat_prefix_stats(s->dup_of, s->occ, oc.cut.kept, &pre);
		policy_dedup_stats(&pre, &oc.rep);
		if (s->has_gt) {
			metrics_det *dets = malloc((oc.cut.kept ? oc.cut.kept : 1) * sizeof *dets);
			if (dets)
				fill_dets(s, dets, oc.cut.kept);
			for (size_t j = 0; j < s->opts.n_iou; j++) {
				metrics_counts c = { 0, 0, 0 };
				if (dets && policy_dedup_counts(dets, s->dup_of, oc.cut.kept, s->anns, s->n_ann,
				                                s->opts.iou[j], &c) == TS_OK) {
					c.fn = s->n_gt - c.tp; /* a query counts its category's boxes only */
					oc.counts[j] = c;
					continue;
				}
				/* out of memory: the first occurrences' states from the full matching */
				for (size_t i = 0; i < oc.cut.kept; i++) {
					if (s->dup_of[i] >= 0)
						continue;
					c.tp += s->info[i].match[j] == MATCH_TP;
					c.fp += s->info[i].match[j] == MATCH_FP;
				}
				c.fn = s->n_gt - c.tp;
				oc.counts[j] = c;
			}
			free(dets);
		}
		return oc;
	}
	if (oc.cut.kept == s->n)
		oc.rep = s->rep;
	else
		repeat_prefix_stats(s->dup_of, s->occ, oc.cut.kept, &oc.rep);
	if (s->has_gt) {
		for (size_t j = 0; j < s->opts.n_iou; j++) {
			metrics_counts *c = &oc.counts[j];
			for (size_t i = 0; i < oc.cut.kept; i++) {
				if (s->info[i].match[j] == MATCH_TP)
					c->tp++;
				else if (s->info[i].match[j] == MATCH_FP)
					c->fp++;
			}
			c->fn = s->n_gt - c->tp;
		}
	}
	return oc;
}

sample_outcome sample_outcome_for(const sample *s, const policy *p)
{
	sample_outcome oc = outcome_core(s, p);
	outcome_lost(s, &oc);
	if (s->has_gt && !oc.cut.drop_dups) {
		oc.tide_ok = 1;
		for (size_t i = 0; i < oc.cut.kept; i++)
			tide_add_record(&oc.tide, s->info[i].m50, s->info[i].tide);
		tide_add_missed(&oc.tide, s->n_gt, oc.tide.tp);
	}
	return oc;
}
