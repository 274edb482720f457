/* export.c — a run analysed under several policies; CSV and JSON output
 * (see export.h). */
#include "export.h"

#include <cJSON.h>
#include <locale.h>
#include <stdarg.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "shards.h"

void export_opts_default(export_opts *o)
{
	memset(o, 0, sizeof *o);
	analysis_opts_default(&o->an);
	o->pol[0].kind = POLICY_OFF;
	o->pol[1].kind = POLICY_REPEAT_STOP;
	o->n_pol = 2;
	o->confidence = 1;
	o->score = CONF_SCORE_MEAN;
	o->ap_iou = 0.5;
	trace_limits_default(&o->limits);
}

static char *sdup(const char *s)
{
	return sanitize_dup(s ? s : "", s ? strlen(s) : 0, 0);
}

static void say(export_warn_fn warn, void *ud, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(export_warn_fn warn, void *ud, const char *fmt, ...)
{
	if (!warn)
		return;
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	warn(ud, msg);
}

void export_run_free(export_run *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_rows; i++) {
		free(r->rows[i].image);
		free(r->rows[i].file);
	}
	free(r->rows);
	for (size_t i = 0; i < r->n_recs; i++)
		free(r->recs[i].label);
	free(r->recs);
	free(r->pol_all);
	free(r->counts_all);
	free(r->max_repeat);
	free(r->name);
	free(r->name_raw);
	free(r->path);
	free(r->traces);
	for (size_t p = 0; p < EXPORT_MAX_POLICIES; p++) {
		conf_ap_free(r->ap_state[p]);
		free(r->calib_vals[p]);
	}
	free(r->tail_vals);
	free(r);
}

/* keep_state: a pair of values appended to a growing list (partial.h) */
static int keep_pair(double **vals, size_t *n, size_t *cap, double a, double b)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		double *v = realloc(*vals, 2 * c * sizeof *v);
		if (!v)
			return -1;
		*vals = v;
		*cap = c;
	}
	(*vals)[2 * *n] = a;
	(*vals)[2 * *n + 1] = b;
	(*n)++;
	return 0;
}

/* one sample's tail values, in order */
static int keep_tail(export_run *r, const conf_term *ct)
{
	return keep_pair(&r->tail_vals, &r->n_tail_vals, &r->cap_tail_vals, ct->max_before_tail,
	                 ct->at_tail_start);
}

/* calib_add, and with keep_state the pair it took (merge replays them; a
 * NAN score, which calib_add ignores, is not kept) */
static int calib_keep_add(export_run *r, int keep, size_t p, double score, int is_tp)
{
	calib_add(&r->calib[p], score, is_tp);
	if (!keep || isnan(score))
		return 0;
	return keep_pair(&r->calib_vals[p], &r->n_calib_vals[p], &r->cap_calib_vals[p],
	                 score, is_tp);
}

/* ---- per-run working state ---- */

typedef struct work {
	size_t cap_rows, cap_samples;
	conf_ap *ap[EXPORT_MAX_POLICIES];
	/* per-sample scratch, grown as needed */
	metrics_det *dets;
	long *dup_of;
	double *scores;
	metrics_det *kdets;
	double *kscores;
	match_state *known;  /* the kept records' states at ap_iou (sample_ap) */
	size_t cap;
	sample_outcome oc[EXPORT_MAX_POLICIES]; /* the sample's, per policy (sample_job) */
} work;

static int grow_scratch(work *w, size_t n)
{
	if (n <= w->cap)
		return 0;
	size_t cap = w->cap ? w->cap : 64;
	while (cap < n)
		cap *= 2;
	metrics_det *a = realloc(w->dets, cap * sizeof *a);
	if (a) w->dets = a;
	long *b = realloc(w->dup_of, cap * sizeof *b);
	if (b) w->dup_of = b;
	double *c = realloc(w->scores, cap * sizeof *c);
	if (c) w->scores = c;
	metrics_det *d = realloc(w->kdets, cap * sizeof *d);
	if (d) w->kdets = d;
	double *e = realloc(w->kscores, cap * sizeof *e);
	if (e) w->kscores = e;
	match_state *f = realloc(w->known, cap * sizeof *f);
	if (f) w->known = f;
	if (!a || !b || !c || !d || !e || !f)
		return -1;
	w->cap = cap;
	return 0;
}

static void work_free(work *w)
{
	for (size_t p = 0; p < EXPORT_MAX_POLICIES; p++)
		conf_ap_free(w->ap[p]);
	free(w->dets);
	free(w->dup_of);
	free(w->scores);
	free(w->kdets);
	free(w->kscores);
	free(w->known);
}

static int add_sample_slot(export_run *r, work *w, uint32_t max_repeat)
{
	if (r->n_samples == w->cap_samples) {
		size_t cap = w->cap_samples ? w->cap_samples * 2 : 256;
		uint32_t *m = realloc(r->max_repeat, cap * sizeof *m);
		if (!m)
			return -1;
		r->max_repeat = m;
		w->cap_samples = cap;
	}
	r->max_repeat[r->n_samples++] = max_repeat;
	return 0;
}

static export_row *add_row(export_run *r, work *w, size_t n_pol, size_t n_iou)
{
	if (r->n_rows == w->cap_rows) {
		size_t cap = w->cap_rows ? w->cap_rows * 2 : 64;
		export_row *rows = realloc(r->rows, cap * sizeof *rows);
		if (!rows)
			return NULL;
		r->rows = rows;
		export_pol_row *pa = realloc(r->pol_all, cap * n_pol * sizeof *pa);
		if (!pa)
			return NULL;
		r->pol_all = pa;
		metrics_counts *ca = realloc(r->counts_all, cap * (1 + n_pol) * (n_iou ? n_iou : 1) * sizeof *ca);
		if (!ca)
			return NULL;
		r->counts_all = ca;
		w->cap_rows = cap;
	}
	export_row *row = &r->rows[r->n_rows++];
	memset(row, 0, sizeof *row);
	return row;
}

/* report --per-record: sample s's records, row `row`, the policies' cuts
 * oc[], the scores (w->scores when confidence is on). */
static ts_status add_recs(export_run *r, const export_opts *o, const sample *s,
                          const sample_outcome *oc, const double *scores, size_t row)
{
	size_t n = sample_n_records(s);
	const sample_rec *info = sample_rec_info(s);
	if (r->n_recs + n > r->cap_recs) {
		size_t cap = r->cap_recs ? r->cap_recs : 256;
		while (cap < r->n_recs + n)
			cap *= 2;
		export_rec *v = realloc(r->recs, cap * sizeof *v);
		if (!v)
			return TS_ERR_NOMEM;
		r->recs = v;
		r->cap_recs = cap;
	}
	for (size_t i = 0; i < n; i++) {
		export_rec *e = &r->recs[r->n_recs];
		memset(e, 0, sizeof *e);
		e->row = row;
		e->index = i;
		size_t len = sample_rec_label_len(s, i);
		const char *lab = sample_rec_label(s, i, NULL);
		e->label = lab ? sanitize_dup(lab, len, 0) : NULL;
		if (lab && !e->label)
			return TS_ERR_NOMEM;
		e->box_ok = info[i].box_ok;
		memcpy(e->box, info[i].box, sizeof e->box);
		e->score = o->confidence ? scores[i] : NAN;
		memcpy(e->match, info[i].match, sizeof e->match);
		e->dup_of = info[i].dup_of;
		e->in_tail = info[i].in_tail;
		for (size_t p = 0; p < o->n_pol && p < 32; p++) {
			const policy_cut *c = &oc[p].cut;
			int drop = c->drop_dups ? info[i].dup_of >= 0 : c->fired && i >= c->kept;
			e->cut |= (uint32_t)drop << p;
		}
		r->n_recs++;
	}
	return TS_OK;
}

/* A row's location (line, the shard of a sharded run) and image reference. */
static int row_where(export_row *row, const trace *t, const gt_image *img, size_t lineno,
                     const char *file)
{
	row->line = lineno;
	if (file && !(row->file = sdup(file)))
		return -1;
	row->has_id = trace_image_id(t, &row->image_id);
	if (!row->has_id) {
		const char *ref = trace_file_name(t);
		if (!ref)
			ref = trace_custom_id(t);
		row->image = ref ? sdup(ref) : NULL;
		if (img) { /* named by file_name/custom_id: the matched image's COCO id */
			row->image_id = img->id;
			row->has_id = 1;
		}
	}
	return 0;
}

/* One sample's analysis: its inputs, and what each step hands the next. */
typedef struct sample_job {
	export_run *r;
	work *w;
	const export_opts *o;
	const trace *t;
	const sample *s;
	const gt_image *img;
	size_t n; /* records */
	const record *recs;
	const sample_rec *info;
	const repeat_stats *rep;
	double score_sum; /* over the scored records */
	size_t scored;
	conf_term ct;
	sample_outcome *oc; /* w->oc: not in the job, which is zeroed per sample */
} sample_job;

/* The records as detections (class, box, point?) and their duplicate links. */
static void sample_dets(sample_job *j)
{
	work *w = j->w;
	for (size_t i = 0; i < j->n; i++) {
		w->dets[i].cat = j->info[i].box_ok ? j->info[i].cat : -1;
		w->dets[i].point = rec_key_point(j->recs[i].key);
		memcpy(w->dets[i].box, j->info[i].box, sizeof j->info[i].box);
		w->dup_of[i] = j->info[i].dup_of;
	}
}

/* The records' confidence scores and the termination probability (added to
 * the run; the tail kept for a partial state). */
static ts_status sample_scores(sample_job *j)
{
	export_run *r = j->r;
	const export_opts *o = j->o;
	for (size_t i = 0; i < j->n; i++) {
		j->w->scores[i] = conf_record_score(j->t, &j->recs[i], o->score);
		if (isfinite(j->w->scores[i])) {
			j->score_sum += j->w->scores[i];
			j->scored++;
		}
	}
	r->records_scored += j->scored;
	if (trace_has_alts(j->t))
		conf_termination(j->t, j->recs, j->n, j->rep->tail_start, &o->an.eos, NULL, &j->ct);
	conf_term_run_add(&r->term, &j->ct, j->rep->tail_start >= 0);
	if (o->keep_state && j->rep->tail_start >= 0 && keep_tail(r, &j->ct))
		return TS_ERR_NOMEM;
	return TS_OK;
}

/* The threshold index of ap_iou among the matching thresholds, -1 if none. */
static long ap_iou_index(const export_opts *o)
{
	for (size_t k = 0; k < o->an.n_iou; k++)
		if (o->an.iou[k] == o->ap_iou)
			return (long)k;
	return -1;
}

/* AP per policy: the kept records with their scores against the image's
 * boxes anns (an image without annotations still counts: its detections are
 * FP); the calibration points of the kept matched records.  full: anns are
 * all the image's boxes, those the sample was matched against — then a
 * policy that keeps a prefix passes its states at ap_iou along (a greedy
 * match in output order: a prefix's match is the full match's prefix). */
static ts_status sample_ap(sample_job *j, const gt_ann *anns, size_t n_ann, int full)
{
	work *w = j->w;
	long kt = full && sample_has_gt(j->s) ? ap_iou_index(j->o) : -1;
	for (size_t p = 0; p < j->o->n_pol; p++) {
		const policy_cut *cut = &j->oc[p].cut;
		size_t k = 0;
		for (size_t i = 0; i < cut->kept; i++) {
			if (cut->drop_dups && w->dup_of[i] >= 0)
				continue;
			w->kdets[k] = w->dets[i];
			w->kscores[k] = w->scores[i];
			k++;
		}
		for (size_t i = 0; i < cut->kept && !cut->drop_dups; i++)
			if (j->info[i].m50 != MATCH_IGNORED &&
			    calib_keep_add(j->r, j->o->keep_state, p, w->scores[i], j->info[i].m50 == MATCH_TP))
				return TS_ERR_NOMEM;
		int prefix = kt >= 0 && !cut->drop_dups;
		for (size_t i = 0; prefix && i < k; i++)
			w->known[i] = j->info[i].match[kt];
		ts_status st = conf_ap_add_image_known(w->ap[p], j->img->id, w->kdets, w->kscores, k, anns,
		                                       n_ann, prefix ? w->known : NULL);
		if (st != TS_OK)
			return st;
	}
	return TS_OK;
}

/* sample_ap with the image's boxes; a per-class request (sample_gt_cat)
 * counts only its category's boxes. */
static ts_status sample_ap_for_image(sample_job *j, const gt *g)
{
	const gt_ann *anns = NULL;
	size_t n_ann = 0;
	if (sample_has_gt(j->s) && g) {
		anns = gt_anns(g) + j->img->ann_first;
		n_ann = j->img->n_ann;
	}
	int cat = sample_gt_cat(j->s);
	if (cat < 0 || !n_ann)
		return sample_ap(j, anns, n_ann, 1);
	gt_ann *qanns = malloc(n_ann * sizeof *qanns);
	if (!qanns)
		return TS_ERR_NOMEM;
	size_t q = 0;
	for (size_t a = 0; a < n_ann; a++)
		if (anns[a].cat == cat)
			qanns[q++] = anns[a];
	ts_status st = sample_ap(j, qanns, q, 0);
	free(qanns);
	return st;
}

/* Row ri's counts (policy off with ground truth, then each policy's) and
 * per-policy values; pointers are set when the run is complete (arrays may
 * move). */
static void row_policies(sample_job *j, size_t ri)
{
	export_run *r = j->r;
	size_t n_pol = j->o->n_pol, n_iou = j->o->an.n_iou;
	size_t cb = ri * (1 + n_pol) * n_iou;
	if (sample_has_gt(j->s)) {
		policy off = { POLICY_OFF, 0 };
		sample_outcome oo = sample_outcome_for(j->s, &off);
		for (size_t k = 0; k < n_iou; k++)
			r->counts_all[cb + k] = oo.counts[k];
	}
	for (size_t p = 0; p < n_pol; p++) {
		const sample_outcome *oc = &j->oc[p];
		export_pol_row *pr = &r->pol_all[ri * n_pol + p];
		pr->records = oc->rep.records;
		pr->duplicates = oc->rep.duplicates;
		pr->max_repeat = oc->rep.max_repeat;
		pr->tokens = oc->tokens;
		pr->stop_step = oc->cut.stop_step;
		pr->term = oc->term;
		for (size_t k = 0; k < n_iou; k++)
			r->counts_all[cb + (1 + p) * n_iou + k] = oc->counts[k];
	}
}

/* The sample's row (and with per_record its records). */
static ts_status sample_row(sample_job *j, size_t lineno, const char *file)
{
	const repeat_stats *rep = j->rep;
	size_t ri = j->r->n_rows;
	export_row *row = add_row(j->r, j->w, j->o->n_pol, j->o->an.n_iou);
	if (!row)
		return TS_ERR_NOMEM;
	if (row_where(row, j->t, j->img, lineno, file))
		return TS_ERR_NOMEM;
	row->records = rep->records;
	row->duplicates = rep->duplicates;
	row->max_repeat = rep->max_repeat;
	row->tail_start = rep->tail_start;
	row->term = sample_termination(j->s);
	row->steps = sample_n_steps(j->s);
	policy rs = { POLICY_REPEAT_STOP, 0 };
	row->stop_step = policy_apply(&rs, j->recs, j->n, rep->first_dup).stop_step;
	row->score = j->scored ? j->score_sum / (double)j->scored : NAN;
	row->p_close_max = j->ct.max_before_tail;
	row->p_close_at_tail = j->ct.at_tail_start;
	row_policies(j, ri);
	if (j->o->per_record)
		return add_recs(j->r, j->o, j->s, j->oc, j->w->scores, ri);
	return TS_OK;
}

static ts_status analyze_sample(export_run *r, work *w, const export_opts *o, const trace *t,
                                const sample *s, const gt *g, const gt_image *img, size_t lineno,
                                const char *file)
{
	sample_job j = { .r = r, .w = w, .o = o, .t = t, .s = s, .img = img,
	                 .n = sample_n_records(s), .recs = sample_records(s),
	                 .info = sample_rec_info(s), .rep = sample_repeat(s),
	                 .ct = { NAN, -1, NAN, 0 }, .oc = w->oc };
	if (grow_scratch(w, j.n ? j.n : 1))
		return TS_ERR_NOMEM;
	sample_dets(&j);
	ts_status st;
	if (o->confidence && (st = sample_scores(&j)) != TS_OK)
		return st;
	run_metrics_add_sample(r->m, o->pol, o->n_pol, s, j.oc);
	if (o->confidence && r->has_ap && img && (st = sample_ap_for_image(&j, g)) != TS_OK)
		return st;
	if (add_sample_slot(r, w, (uint32_t)(j.rep->max_repeat > UINT32_MAX ? UINT32_MAX : j.rep->max_repeat)))
		return TS_ERR_NOMEM;
	if (o->rows)
		return sample_row(&j, lineno, file);
	return TS_OK;
}

/* ---- one run: setup, the line pipeline, finish ---- */

/* One output of the reader: read on the calling thread, parsed and analysed
 * (run_sample_analyze) on a worker, then added to the run in file order
 * (consume_item) — so every sum, warning and skip count comes out in the
 * order --jobs 1 gives. */
typedef struct ritem {
	trace *t;
	trace_raw raw;           /* deferred JSONL line (parsed by the worker) */
	size_t lineno;
	const char *path;        /* trace_file_path when it was read */
	ts_status st;            /* reading/parsing (stage 0) or analysis (1) failed */
	int stage;
	sample *s;
	const gt_image *img;
	ts_error err;
} ritem;

#define BATCH_ITEMS 32
#define BATCH_BYTES ((size_t)4 << 20)

typedef struct rbatch {
	ritem v[BATCH_ITEMS];
	size_t n;
	int done;                /* worked */
} rbatch;

/* A run being analysed. */
typedef struct arun {
	export_run *r;
	const export_opts *o;
	export_opts lo;          /* o with run.json's settings */
	export_warn_fn warn;
	export_progress_fn progress;
	void *ud;
	run_info *ri;
	gt *own;
	const gt *g;
	const char *gt_path;
	work w;
	trace_file *tf;
	ts_status fatal;
	int size_warned;         /* one warning per run for gt images without a size */
	int eof;
	size_t since;            /* outputs since the last progress call */
} arun;

/* Fills b with the next outputs (up to BATCH_ITEMS, or BATCH_BYTES of
 * deferred lines); sets a->eof at the end of the file. */
static void read_batch(arun *a, rbatch *b)
{
	size_t bytes = 0;
	b->n = 0;
	b->done = 0;
	while (b->n < BATCH_ITEMS && bytes < BATCH_BYTES) {
		ritem *it = &b->v[b->n];
		memset(it, 0, sizeof *it);
		it->st = trace_file_next_raw(a->tf, &it->t, &it->raw, &it->lineno, &it->err);
		if (it->st == TS_EOF) {
			a->eof = 1;
			return;
		}
		if (a->progress && ++a->since >= 16) {
			a->since = 0;
			a->progress(a->ud, trace_file_pos(a->tf), trace_file_size(a->tf));
		}
		it->path = trace_file_path(a->tf);
		bytes += it->raw.len;
		b->n++;
	}
}

/* Worker side: parse a deferred line, then run_sample_analyze (pure: reads
 * only the shared gt and options). */
static void work_item(const arun *a, ritem *it)
{
	if (it->st == TS_OK && it->raw.line)
		it->st = trace_raw_parse(&it->raw, it->lineno, &it->t, &it->err);
	if (it->st != TS_OK)
		return;
	it->stage = 1;
	it->st = run_sample_analyze(it->t, a->g, a->gt_path, &a->lo.an, &it->img, &it->s, &it->err);
}

static void item_clear(ritem *it)
{
	sample_free(it->s);
	trace_free(it->t);
	free(it->raw.line);
	memset(it, 0, sizeof *it);
}

/* The run's own checks of a sample (coordinates, labels, the request). */
static void check_sample(arun *a, const ritem *it)
{
	export_run *r = a->r;
	const sample *s = it->s;
	const gt_image *img = it->img;
	if (img && (img->width <= 0 || img->height <= 0) && !a->size_warned) {
		/* relative coordinates need the image size; the TUI uses the same rule */
		say(a->warn, a->ud, "%s:%zu: image %lld has no width/height in %s: its relative boxes "
		    "cannot be placed and count as false positives", it->path, it->lineno,
		    (long long)img->id, a->gt_path);
		a->size_warned = 1;
	}
	for (size_t i = 0; i < sample_n_records(s); i++) {
		coords_check_add(&r->check, &sample_records(s)[i], &a->lo.an.coords,
		                 img ? img->width : 0, img ? img->height : 0);
		r->unlabeled += sample_rec_label_len(s, i) == 0;
	}
	if (a->g && sample_query(s, NULL) && sample_gt_cat(s) < 0 && !r->query_unknown++)
		say(a->warn, a->ud, "%s:%zu: the request 'Detect: %s' names no category of %s: its "
		    "records match nothing and every ground-truth box counts", it->path,
		    it->lineno, sample_query(s, NULL), a->gt_path);
}

/* Calling thread, in file order: the item's messages, skips and sums. */
static void consume_item(arun *a, ritem *it)
{
	if (a->fatal != TS_OK)
		return;
	if (it->st != TS_OK) {
		if (it->stage == 0)
			say(a->warn, a->ud, "%s", it->err.msg);
		else
			say(a->warn, a->ud, "%s:%zu: %s", it->path, it->lineno, it->err.msg);
		a->r->skipped++;
		return;
	}
	check_sample(a, it);
	const char *file = a->r->sharded && it->path ? shards_label(a->ri->traces_path, it->path) : NULL;
	ts_status st = analyze_sample(a->r, &a->w, &a->lo, it->t, it->s, a->g, it->img, it->lineno,
	                              file);
	if (st != TS_OK) {
		say(a->warn, a->ud, "%s:%zu: out of memory", it->path, it->lineno);
		a->fatal = st;
	}
}

static void consume_batch(arun *a, rbatch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		consume_item(a, &b->v[i]);
		item_clear(&b->v[i]);
	}
	b->n = 0;
}

/* Worker threads over a ring of batches: the calling thread reads batch
 * `filled`, workers take `next` in order, the caller consumes `head`. */
typedef struct lpool {
	pthread_mutex_t mu;
	pthread_cond_t work_cv, done_cv;
	rbatch *ring;
	size_t cap, head, filled, next;
	int stop;
	const arun *a;
} lpool;

static void *lpool_worker(void *arg)
{
	lpool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->next == p->filled && !p->stop)
			pthread_cond_wait(&p->work_cv, &p->mu);
		if (p->next == p->filled)
			break;
		rbatch *b = &p->ring[p->next++ % p->cap];
		pthread_mutex_unlock(&p->mu);
		for (size_t i = 0; i < b->n; i++)
			work_item(p->a, &b->v[i]);
		pthread_mutex_lock(&p->mu);
		b->done = 1;
		pthread_cond_broadcast(&p->done_cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Reads ahead up to cap batches, consumes the oldest once worked. */
static void lpool_drive(lpool *p, arun *a)
{
	for (;;) {
		while (!a->eof && a->fatal == TS_OK && p->filled - p->head < p->cap) {
			rbatch *b = &p->ring[p->filled % p->cap];
			read_batch(a, b);
			if (!b->n)
				break;
			pthread_mutex_lock(&p->mu);
			p->filled++;
			pthread_cond_signal(&p->work_cv);
			pthread_mutex_unlock(&p->mu);
		}
		if (p->head == p->filled)
			break;
		rbatch *b = &p->ring[p->head % p->cap];
		pthread_mutex_lock(&p->mu);
		while (!b->done)
			pthread_cond_wait(&p->done_cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		consume_batch(a, b);
		p->head++;
	}
}

/* The run's lines with up to `jobs` worker threads (1, or no thread could
 * start: all on the calling thread, batch by batch). */
static void run_lines(arun *a, size_t jobs)
{
	if (jobs > 64)
		jobs = 64;
	lpool p;
	memset(&p, 0, sizeof p);
	p.a = a;
	p.cap = 2 * jobs + 1;
	pthread_t th[64];
	size_t started = 0;
	if (jobs > 1 && (p.ring = calloc(p.cap, sizeof *p.ring))) {
		pthread_mutex_init(&p.mu, NULL);
		pthread_cond_init(&p.work_cv, NULL);
		pthread_cond_init(&p.done_cv, NULL);
		trace_file_defer(a->tf, 1);
		while (started < jobs && pthread_create(&th[started], NULL, lpool_worker, &p) == 0)
			started++;
		if (started)
			lpool_drive(&p, a);
		pthread_mutex_lock(&p.mu);
		p.stop = 1;
		pthread_cond_broadcast(&p.work_cv);
		pthread_mutex_unlock(&p.mu);
		for (size_t k = 0; k < started; k++)
			pthread_join(th[k], NULL);
		pthread_cond_destroy(&p.work_cv);
		pthread_cond_destroy(&p.done_cv);
		pthread_mutex_destroy(&p.mu);
		free(p.ring);
	}
	if (started)
		return;
	rbatch *b = malloc(sizeof *b);
	if (!b) {
		a->fatal = TS_ERR_NOMEM;
		return;
	}
	while (!a->eof && a->fatal == TS_OK) {
		read_batch(a, b);
		for (size_t i = 0; i < b->n; i++)
			work_item(a, &b->v[i]);
		consume_batch(a, b);
	}
	free(b);
}

/* The run's ground truth: --gt's shared one, else its own gt.json. */
static void run_load_gt(arun *a)
{
	const export_opts *o = a->o;
	ts_error err;
	a->gt_path = o->gt_path ? o->gt_path : a->ri->gt_path;
	if (o->gt_path && (o->shared_gt || o->shared_gt_failed)) {
		a->g = o->shared_gt;
		if (!a->g)
			a->r->skipped++, a->r->skipped_run++; /* the ground truth itself is missing */
		return;
	}
	if (!a->gt_path)
		return;
	size_t gskip = 0;
	if (gt_load_jobs(a->gt_path, o->line_jobs, &a->own, &gskip, &err) != TS_OK) {
		say(a->warn, a->ud, "%s", err.msg);
		a->r->skipped++;
		a->r->skipped_run++;
		a->own = NULL;
	} else if (gskip) {
		say(a->warn, a->ud, "%s: %zu malformed annotation(s) or image(s) ignored", a->gt_path,
		    gskip);
	}
	if (a->own && gt_duplicates_note(a->own)[0])
		say(a->warn, a->ud, "%s: %s (the first of each kept)", a->gt_path,
		    gt_duplicates_note(a->own));
	a->g = a->own;
}

/* A new result named after path; NULL on OOM. */
static export_run *run_new(const char *path, const export_opts *o)
{
	export_run *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->path = sdup(path);
	r->name = sdup(path);
	r->name_raw = strdup(path);
	r->n_pol = o->n_pol;
	r->n_iou = o->an.n_iou;
	conf_term_run_init(&r->term);
	for (size_t p = 0; p < o->n_pol; p++)
		run_metrics_init(&r->m[p], &o->an);
	if (!r->path || !r->name || !r->name_raw) {
		export_run_free(r);
		return NULL;
	}
	return r;
}

/* Opens the run (run.json, its names): 1 opened, 0 not (said why), -1 OOM. */
static int run_start(arun *a, const char *path)
{
	export_run *r = a->r;
	ts_error err;
	if (run_open(path, &a->ri, &err) != TS_OK) {
		say(a->warn, a->ud, "%s", err.msg);
		r->not_run = run_not_a_run(path);
		return 0;
	}
	if (a->ri->warnings) { /* run.json fields ignored: named, the run still counts */
		for (const char *l = a->ri->warnings; *l; l += strcspn(l, "\n") + 1)
			say(a->warn, a->ud, "%.*s", (int)strcspn(l, "\n"), l);
		r->skipped++;
		r->skipped_run++;
	}
	free(r->name);
	r->name = sdup(a->ri->name);
	free(r->name_raw);
	r->name_raw = strdup(a->ri->name ? a->ri->name : "");
	if (!r->name || !r->name_raw)
		return -1;
	r->traces = sdup(a->ri->traces_path);
	r->sharded = shards_is_set(a->ri->traces_path);
	r->simulated = a->ri->simulated;
	a->lo = *a->o;
	run_apply_opts(a->ri, a->o->coords_set, &a->lo.an); /* ri outlives every sample of the run */
	a->lo.an.no_tokens = 1; /* the samples meet off, repeat_stop and o->pol only */
	for (size_t p = 0; p < a->o->n_pol; p++)
		if (policy_reads_tokens(&a->o->pol[p]))
			a->lo.an.no_tokens = 0;
	return 1;
}

/* After the lines: the once-per-run warnings, the finished sums and AP. */
static void run_finish(arun *a)
{
	export_run *r = a->r;
	const export_opts *o = a->o;
	char cw[768]; /* once per run: the numbers do not fit the convention */
	if (coords_check_warning(&r->check, cw, sizeof cw))
		say(a->warn, a->ud, "%s: %s", r->traces ? r->traces : r->path, cw);
	if (r->unlabeled && a->g)
		say(a->warn, a->ud, "%s: %zu record%s without a label and no request to name it (a "
		    "\"Detect: <class>\" prompt or run.json \"object\", as Moondream is asked): label \"\", which "
		    "matches no category (false positive)", r->traces ? r->traces : r->path,
		    r->unlabeled, r->unlabeled == 1 ? "" : "s");
	for (size_t p = 0; p < o->n_pol; p++)
		run_metrics_finish(&r->m[p]);
	conf_term_run_finish(&r->term);
	ts_error err;
	if (r->has_ap)
		for (size_t p = 0; p < o->n_pol && a->fatal == TS_OK; p++)
			if (conf_ap_compute(a->w.ap[p], &r->ap[p], &err) != TS_OK)
				a->fatal = TS_ERR_NOMEM;
	for (size_t i = 0; i < r->n_rows; i++) {
		r->rows[i].pol = &r->pol_all[i * o->n_pol];
		r->rows[i].counts = &r->counts_all[i * (1 + o->n_pol) * o->an.n_iou];
	}
	r->usable = r->m[0].samples > 0;
	if (o->keep_state && r->has_ap)
		for (size_t p = 0; p < o->n_pol; p++) {
			r->ap_state[p] = a->w.ap[p];
			a->w.ap[p] = NULL;
		}
}

/* Ground truth, accumulators, the traces file and its lines. */
static void run_body(arun *a)
{
	export_run *r = a->r;
	const export_opts *o = a->o;
	ts_error err;
	run_load_gt(a);
	r->gt_loaded = a->g != NULL;
	r->has_conf = o->confidence;
	r->has_ap = o->confidence && a->g != NULL;
	if (r->has_ap)
		for (size_t p = 0; p < o->n_pol; p++)
			if (!(a->w.ap[p] = conf_ap_new(o->ap_iou)))
				a->fatal = TS_ERR_NOMEM;
	trace_limits tlim;
	run_trace_limits(a->ri, &o->limits, &tlim);
	if (a->fatal == TS_OK && trace_file_open(a->ri->traces_path, &tlim, &a->tf, &err) != TS_OK) {
		say(a->warn, a->ud, "%s", err.msg);
		a->tf = NULL;
		return;
	}
	r->opened = a->fatal == TS_OK;
	if (a->tf) {
		run_lines(a, o->line_jobs ? o->line_jobs : 1);
		if (a->progress)
			a->progress(a->ud, trace_file_pos(a->tf), trace_file_size(a->tf));
		trace_file_close(a->tf);
		a->tf = NULL;
	}
	run_finish(a);
}

ts_status export_run_analyze(const char *path, const export_opts *o,
                             export_warn_fn warn, export_progress_fn progress, void *ud,
                             export_run **out)
{
	arun a;
	memset(&a, 0, sizeof a);
	*out = a.r = run_new(path, o);
	if (!a.r)
		return TS_ERR_NOMEM;
	a.o = o;
	a.warn = warn;
	a.progress = progress;
	a.ud = ud;
	int started = run_start(&a, path);
	if (started > 0)
		run_body(&a);
	else if (started < 0)
		a.fatal = TS_ERR_NOMEM;
	work_free(&a.w);
	gt_free(a.own);
	run_info_free(a.ri);
	if (a.fatal != TS_OK) {
		export_run_free(a.r);
		*out = NULL;
		return a.fatal;
	}
	return TS_OK;
}

/* ------------------------------------------------------------------ */
/* several runs                                                        */

typedef struct pool {
	pthread_mutex_t mu;
	const char *const *paths;
	size_t n, next;
	const export_opts *o;
	const export_pool_cb *cb;
	export_run **out;
	int oom;
} pool;

typedef struct pool_job {
	pool *pl;
	size_t run;
} pool_job;

static void pool_warn(void *ud, const char *msg)
{
	pool_job *j = ud;
	if (j->pl->cb && j->pl->cb->warn)
		j->pl->cb->warn(j->pl->cb->ud, j->run, msg);
}

static void pool_progress(void *ud, uint64_t done, uint64_t total)
{
	pool_job *j = ud;
	if (j->pl->cb && j->pl->cb->progress)
		j->pl->cb->progress(j->pl->cb->ud, j->run, done, total);
}

static void *pool_worker(void *arg)
{
	pool *pl = arg;
	for (;;) {
		pthread_mutex_lock(&pl->mu);
		size_t i = pl->next < pl->n ? pl->next++ : pl->n;
		pthread_mutex_unlock(&pl->mu);
		if (i >= pl->n)
			break;
		pool_job job = { pl, i };
		if (pl->cb && pl->cb->start)
			pl->cb->start(pl->cb->ud, i);
		export_run *r = NULL;
		ts_status st = export_run_analyze(pl->paths[i], pl->o, pool_warn, pool_progress, &job, &r);
		pthread_mutex_lock(&pl->mu);
		pl->out[i] = r;
		if (st != TS_OK || !r)
			pl->oom = 1;
		pthread_mutex_unlock(&pl->mu);
		if (pl->cb && pl->cb->done)
			pl->cb->done(pl->cb->ud, i);
	}
	return NULL;
}

ts_status export_runs_analyze(const char *const *paths, size_t n, const export_opts *o,
                              size_t jobs, const export_pool_cb *cb, export_run **out)
{
	pool pl;
	memset(&pl, 0, sizeof pl);
	pthread_mutex_init(&pl.mu, NULL);
	pl.paths = paths;
	pl.n = n;
	pl.o = o;
	pl.cb = cb;
	pl.out = out;
	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	if (jobs > n)
		jobs = n;
	if (jobs > 64)
		jobs = 64;
	pthread_t th[64];
	size_t started = 0;
	if (jobs > 1)
		for (size_t k = 0; k < jobs; k++) {
			if (pthread_create(&th[k], NULL, pool_worker, &pl) != 0)
				break;
			started++;
		}
	if (started == 0)
		pool_worker(&pl);
	for (size_t k = 0; k < started; k++)
		pthread_join(th[k], NULL);
	pthread_mutex_destroy(&pl.mu);
	return pl.oom ? TS_ERR_NOMEM : TS_OK;
}

/* ------------------------------------------------------------------ */
/* numbers                                                             */

/* Shortest %g form that reads back as the same double, with '.' whatever
 * the locale.  NAN/inf -> "" (missing). */
static void fmt_double(double v, char *buf, size_t bufsz)
{
	if (!isfinite(v)) {
		buf[0] = '\0';
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, bufsz, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	const char *dp = localeconv()->decimal_point;
	size_t dl = dp ? strlen(dp) : 0;
	if (dl == 0 || (dl == 1 && dp[0] == '.'))
		return;
	char *p = strstr(buf, dp);
	if (p) {
		*p = '.';
		memmove(p + 1, p + dl, strlen(p + dl) + 1);
	}
}

/* "0.3" -> "03", "0.75" -> "075", "1" -> "1" */
static void iou_tag(double t, char *buf, size_t bufsz)
{
	char tmp[40];
	fmt_double(t, tmp, sizeof tmp);
	size_t k = 0;
	for (const char *p = tmp; *p && k + 1 < bufsz; p++)
		if (*p != '.')
			buf[k++] = *p == '-' ? 'm' : *p;
	buf[k] = '\0';
}

/* "budget:12" -> "budget_12", "near_dup:0.9" -> "near_dup_0_9" */
static void policy_tag(const policy *p, char *buf, size_t bufsz)
{
	policy_name(p, buf, bufsz);
	for (char *c = buf; *c; c++)
		if (*c == ':' || *c == '.')
			*c = '_';
}

/* ------------------------------------------------------------------ */
/* the per-sample schema: CSV columns and JSON per-sample keys          */

/* One list for the CSV header, the CSV rows and the JSON "samples" entries:
 * X(id, name, flags).  Flags: XF_CSV / XF_JSON where it appears; XF_OMIT
 * (JSON: left out when null); XF_CONF (JSON: only with confidence); XF_SHARD
 * (CSV: only with o->file_col).  Two
 * entries are groups the writers expand: COUNTS (TP/FP/FN per IoU threshold;
 * CSV tp_T, fp_T, fn_T, empty without ground truth; JSON "counts": {T:
 * {tp, fp, fn}} only with ground truth) and POLICIES (per policy P the
 * EXPORT_POL_FIELDS; CSV P_name, JSON "policies": {P: {...}}). */
#define XF_CSV 1
#define XF_JSON 2
#define XF_BOTH 3
#define XF_OMIT 4
#define XF_CONF 8
#define XF_SHARD 16
#define EXPORT_SAMPLE_FIELDS(X)                                   \
	X(RUN, "run", XF_CSV)                                     \
	X(FILE, "file", XF_BOTH | XF_OMIT | XF_SHARD)             \
	X(LINE, "line", XF_BOTH)                                  \
	X(IMAGE_ID, "image_id", XF_BOTH)                          \
	X(IMAGE, "image", XF_BOTH | XF_OMIT)                      \
	X(RECORDS, "records", XF_BOTH)                            \
	X(DUPLICATES, "duplicates", XF_BOTH)                      \
	X(MAX_REPEAT, "max_repeat", XF_BOTH)                      \
	X(TERMINATION, "termination", XF_BOTH)                    \
	X(TAIL_START, "tail_start", XF_BOTH)                      \
	X(STOP_STEP, "stop_step", XF_BOTH)                        \
	X(STEPS, "steps", XF_BOTH)                                \
	X(COUNTS, "counts", XF_CSV)                               \
	X(SCORE, "score", XF_BOTH | XF_CONF)                      \
	X(P_CLOSE_MAX, "p_close_max_before_tail", XF_BOTH | XF_CONF) \
	X(P_CLOSE_AT, "p_close_at_tail_start", XF_BOTH | XF_CONF) \
	X(POLICIES, "policies", XF_BOTH)
/* A policy's fields (the same flags) */
#define EXPORT_POL_FIELDS(X)                                      \
	X(P_RECORDS, "records", XF_BOTH)                          \
	X(P_DUPLICATES, "duplicates", XF_BOTH)                    \
	X(P_MAX_REPEAT, "max_repeat", XF_BOTH)                    \
	X(P_TERMINATION, "termination", XF_BOTH)                  \
	X(P_STOP_STEP, "stop_step", XF_BOTH)                      \
	X(P_TOKENS, "tokens", XF_BOTH)                            \
	X(P_COUNTS, "counts", XF_BOTH)

typedef enum {
#define XF_ENUM(id, name, flags) SF_##id,
	EXPORT_SAMPLE_FIELDS(XF_ENUM)
	EXPORT_POL_FIELDS(XF_ENUM)
#undef XF_ENUM
	SF_COUNT
} sample_field;

typedef struct field_def {
	sample_field id;
	const char *name;
	int flags;
} field_def;

static const field_def sample_fields[] = {
#define XF_ROW(id, name, flags) { SF_##id, name, flags },
	EXPORT_SAMPLE_FIELDS(XF_ROW)
};
static const field_def pol_fields[] = {
	EXPORT_POL_FIELDS(XF_ROW)
#undef XF_ROW
};
#define N_SAMPLE_FIELDS (sizeof sample_fields / sizeof sample_fields[0])
#define N_POL_FIELDS (sizeof pol_fields / sizeof pol_fields[0])

/* A field's value: null, a whole number, a double or a string. */
typedef struct xval {
	enum { XV_NULL, XV_INT, XV_DOUBLE, XV_STR } t;
	long long i;
	double d;
	const char *s;
} xval;

static xval xv_int(long long v) { xval x = { XV_INT, v, 0, NULL }; return x; }
static xval xv_null(void) { xval x = { XV_NULL, 0, 0, NULL }; return x; }
static xval xv_str(const char *s) { xval x = { s ? XV_STR : XV_NULL, 0, 0, s }; return x; }
static xval xv_size(size_t v) { return xv_int((long long)v); }
static xval xv_step(long v) { return v >= 0 ? xv_int(v) : xv_null(); }
static xval xv_double(double v)
{
	xval x = { isfinite(v) ? XV_DOUBLE : XV_NULL, 0, v, NULL };
	return x;
}

/* The value of a scalar field of a sample row (p: the policy, for the
 * policy fields). */
static xval field_value(sample_field f, const export_run *r, const export_row *row, size_t p)
{
	const export_pol_row *pr = &row->pol[p];
	switch (f) {
	case SF_RUN: return xv_str(r->name ? r->name : "");
	case SF_FILE: return xv_str(row->file);
	case SF_LINE: return xv_size(row->line);
	case SF_IMAGE_ID: return row->has_id ? xv_int((long long)row->image_id) : xv_null();
	case SF_IMAGE: return xv_str(row->image);
	case SF_RECORDS: return xv_size(row->records);
	case SF_DUPLICATES: return xv_size(row->duplicates);
	case SF_MAX_REPEAT: return xv_size(row->max_repeat);
	case SF_TERMINATION: return xv_str(termination_name(row->term));
	case SF_TAIL_START: return xv_step(row->tail_start);
	case SF_STOP_STEP: return xv_step(row->stop_step);
	case SF_STEPS: return xv_size(row->steps);
	case SF_SCORE: return xv_double(row->score);
	case SF_P_CLOSE_MAX: return xv_double(row->p_close_max);
	case SF_P_CLOSE_AT: return xv_double(row->p_close_at_tail);
	case SF_P_RECORDS: return xv_size(pr->records);
	case SF_P_DUPLICATES: return xv_size(pr->duplicates);
	case SF_P_MAX_REPEAT: return xv_size(pr->max_repeat);
	case SF_P_TERMINATION: return xv_str(termination_name(pr->term));
	case SF_P_STOP_STEP: return xv_step(pr->stop_step);
	case SF_P_TOKENS: return xv_size(pr->tokens);
	default: return xv_null();
	}
}

/* ------------------------------------------------------------------ */
/* CSV                                                                 */

size_t export_csv_field(const char *field, char *buf, size_t bufsz)
{
	size_t n = strlen(field);
	int quote = n > 0 && (field[0] == ' ' || field[n - 1] == ' ');
	for (size_t i = 0; i < n && !quote; i++)
		if (field[i] == '"' || field[i] == ',' || field[i] == '\r' || field[i] == '\n')
			quote = 1;
	size_t need = n;
	if (quote) {
		need += 2;
		for (size_t i = 0; i < n; i++)
			need += field[i] == '"';
	}
	if (need + 1 > bufsz)
		return need;
	size_t k = 0;
	if (quote)
		buf[k++] = '"';
	for (size_t i = 0; i < n; i++) {
		if (quote && field[i] == '"')
			buf[k++] = '"';
		buf[k++] = field[i];
	}
	if (quote)
		buf[k++] = '"';
	buf[k] = '\0';
	return k;
}

size_t export_csv_columns(const export_opts *o, char (*names)[96], size_t max)
{
	size_t k = 0;
#define COL(...) do { if (k < max) snprintf(names[k], 96, __VA_ARGS__); k++; } while (0)
	char tag[24], ptag[40];
	for (size_t f = 0; f < N_SAMPLE_FIELDS; f++) {
		const field_def *d = &sample_fields[f];
		if (!(d->flags & XF_CSV) || ((d->flags & XF_SHARD) && !o->file_col))
			continue;
		if (d->id == SF_COUNTS) {
			for (size_t j = 0; j < o->an.n_iou; j++) {
				iou_tag(o->an.iou[j], tag, sizeof tag);
				COL("tp_%s", tag);
				COL("fp_%s", tag);
				COL("fn_%s", tag);
			}
		} else if (d->id == SF_POLICIES) {
			for (size_t p = 0; p < o->n_pol; p++) {
				policy_tag(&o->pol[p], ptag, sizeof ptag);
				for (size_t q = 0; q < N_POL_FIELDS; q++) {
					if (pol_fields[q].id != SF_P_COUNTS) {
						COL("%s_%s", ptag, pol_fields[q].name);
						continue;
					}
					for (size_t j = 0; j < o->an.n_iou; j++) {
						iou_tag(o->an.iou[j], tag, sizeof tag);
						COL("%s_tp_%s", ptag, tag);
						COL("%s_fp_%s", ptag, tag);
						COL("%s_fn_%s", ptag, tag);
					}
				}
			}
		} else {
			COL("%s", d->name);
		}
	}
#undef COL
	return k;
}

int export_any_sharded(export_run *const *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (runs[i] && runs[i]->sharded)
			return 1;
	return 0;
}

/* A line being built. */
typedef struct line_buf {
	strbuf t;
	int first;
} line_buf;
#define LINE_BUF_INIT { STRBUF_INIT, 1 }

void export_csv_put(strbuf *b, const char *field)
{
	char stack[256];
	size_t need = export_csv_field(field, stack, sizeof stack);
	if (need < sizeof stack) {
		strbuf_put(b, stack, need);
		return;
	}
	char *heap = malloc(need + 1);
	if (!heap) {
		strbuf_fail(b);
		return;
	}
	export_csv_field(field, heap, need + 1);
	strbuf_put(b, heap, need);
	free(heap);
}

int export_csv_guarded(const char *s)
{
	return s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}

/* A text cell (run and image names come from the data): one that starts
 * with = + - @ TAB or CR would be run as a formula by a spreadsheet (CSV
 * injection), so it gets a leading ' as OWASP recommends, then the usual
 * RFC 4180 quoting.  Numbers never come here. */
void export_csv_put_text(strbuf *b, const char *s)
{
	if (!export_csv_guarded(s)) {
		export_csv_put(b, s);
		return;
	}
	size_t n = strlen(s);
	char *q = malloc(n + 2);
	if (!q) {
		strbuf_fail(b);
		return;
	}
	q[0] = '\'';
	memcpy(q + 1, s, n + 1);
	export_csv_put(b, q);
	free(q);
}

static void lb_sep(line_buf *b)
{
	if (!b->first)
		strbuf_put(&b->t, ",", 1);
	b->first = 0;
}

static void lb_field(line_buf *b, const char *field)
{
	lb_sep(b);
	export_csv_put(&b->t, field);
}

static void lb_text(line_buf *b, const char *s)
{
	lb_sep(b);
	export_csv_put_text(&b->t, s);
}

static void lb_size(line_buf *b, size_t v)
{
	char t[32];
	snprintf(t, sizeof t, "%zu", v);
	lb_field(b, t);
}

static void lb_double(line_buf *b, double v)
{
	char t[64];
	fmt_double(v, t, sizeof t);
	lb_field(b, t);
}

static ts_status lb_end(line_buf *b, export_write_fn w, void *ud)
{
	strbuf_put(&b->t, "\r\n", 2);
	ts_status st = TS_OK;
	if (b->t.failed)
		st = TS_ERR_NOMEM;
	else if (w(ud, b->t.p, b->t.len) != 0)
		st = TS_ERR_IO;
	strbuf_clear(&b->t);
	b->first = 1;
	return st;
}

ts_status export_csv_header(const export_opts *o, export_write_fn w, void *ud)
{
	size_t n = export_csv_columns(o, NULL, 0);
	char (*names)[96] = malloc((n ? n : 1) * sizeof *names);
	if (!names)
		return TS_ERR_NOMEM;
	export_csv_columns(o, names, n);
	line_buf b = LINE_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		lb_field(&b, names[i]);
	ts_status st = lb_end(&b, w, ud);
	strbuf_free(&b.t);
	free(names);
	return st;
}

static void lb_value(line_buf *b, xval v)
{
	char t[64];
	switch (v.t) {
	case XV_INT:
		snprintf(t, sizeof t, "%lld", v.i);
		lb_field(b, t);
		break;
	case XV_DOUBLE:
		lb_double(b, v.d);
		break;
	case XV_STR:
		lb_text(b, v.s);
		break;
	default:
		lb_field(b, "");
	}
}

/* TP/FP/FN at every threshold (empty without ground truth) */
static void lb_counts(line_buf *b, const export_run *r, const metrics_counts *c, size_t n_iou)
{
	for (size_t j = 0; j < n_iou; j++) {
		if (r->gt_loaded) {
			lb_size(b, c[j].tp);
			lb_size(b, c[j].fp);
			lb_size(b, c[j].fn);
		} else {
			lb_field(b, "");
			lb_field(b, "");
			lb_field(b, "");
		}
	}
}

ts_status export_csv_rows(const export_opts *o, const export_run *r, export_write_fn w, void *ud)
{
	line_buf b = LINE_BUF_INIT;
	ts_status st = TS_OK;
	size_t n_iou = o->an.n_iou;
	for (size_t i = 0; i < r->n_rows && st == TS_OK; i++) {
		const export_row *row = &r->rows[i];
		for (size_t f = 0; f < N_SAMPLE_FIELDS; f++) {
			const field_def *d = &sample_fields[f];
			if (!(d->flags & XF_CSV) || ((d->flags & XF_SHARD) && !o->file_col))
				continue;
			if (d->id == SF_COUNTS) {
				lb_counts(&b, r, row->counts, n_iou);
			} else if (d->id == SF_POLICIES) {
				for (size_t p = 0; p < o->n_pol; p++)
					for (size_t q = 0; q < N_POL_FIELDS; q++) {
						if (pol_fields[q].id == SF_P_COUNTS)
							lb_counts(&b, r, &row->counts[(1 + p) * n_iou], n_iou);
						else
							lb_value(&b, field_value(pol_fields[q].id, r, row, p));
					}
			} else {
				lb_value(&b, field_value(d->id, r, row, 0));
			}
		}
		st = lb_end(&b, w, ud);
	}
	strbuf_free(&b.t);
	return st;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static void add_num_or_null(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *counts_json(const metrics_counts *c, int with_prf)
{
	cJSON *t = cJSON_CreateObject();
	cJSON_AddNumberToObject(t, "tp", (double)c->tp);
	cJSON_AddNumberToObject(t, "fp", (double)c->fp);
	cJSON_AddNumberToObject(t, "fn", (double)c->fn);
	if (with_prf) {
		metrics_prf prf = metrics_prf_from(c);
		cJSON_AddNumberToObject(t, "precision", prf.precision);
		cJSON_AddNumberToObject(t, "recall", prf.recall);
		cJSON_AddNumberToObject(t, "f1", prf.f1);
	}
	return t;
}

static cJSON *ap_json(const conf_ap_result *a, const export_opts *o)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "iou", a->iou);
	cJSON_AddStringToObject(j, "score", conf_score_name(o->score));
	add_num_or_null(j, "ap", a->ap);
	cJSON_AddNumberToObject(j, "categories", (double)a->n_categories);
	add_num_or_null(j, "ap_pooled", a->ap_pooled);
	cJSON_AddNumberToObject(j, "detections", (double)a->n_det);
	cJSON_AddNumberToObject(j, "gt", (double)a->n_gt);
	cJSON_AddNumberToObject(j, "tp", (double)a->tp);
	add_num_or_null(j, "recall_max", a->recall_max);
	cJSON *pr = cJSON_AddObjectToObject(j, "pr_curve");
	cJSON *rec = cJSON_AddArrayToObject(pr, "recall");
	cJSON *prec = cJSON_AddArrayToObject(pr, "precision");
	for (int i = 0; i < CONF_N_RECALL; i++) {
		cJSON_AddItemToArray(rec, cJSON_CreateNumber(a->recall[i]));
		cJSON_AddItemToArray(prec, isfinite(a->precision[i]) ? cJSON_CreateNumber(a->precision[i])
		                                                      : cJSON_CreateNull());
	}
	return j;
}

/* {"bins": 10, "ece", "records", "reliability": [{lo, hi, n, confidence, accuracy}]} */
static cJSON *calib_json(const calib *c)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "iou", CALIB_IOU);
	cJSON_AddNumberToObject(j, "bins", CALIB_BINS);
	add_num_or_null(j, "ece", calib_ece(c));
	cJSON_AddNumberToObject(j, "records", (double)calib_total(c));
	cJSON *a = cJSON_AddArrayToObject(j, "reliability");
	for (int b = 0; b < CALIB_BINS; b++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "lo", (double)b / CALIB_BINS);
		cJSON_AddNumberToObject(e, "hi", (double)(b + 1) / CALIB_BINS);
		cJSON_AddNumberToObject(e, "n", (double)c->n[b]);
		add_num_or_null(e, "confidence", calib_conf(c, b));
		add_num_or_null(e, "accuracy", calib_acc(c, b));
		cJSON_AddItemToArray(a, e);
	}
	return j;
}

static cJSON *metrics_json(const run_metrics *m, int with_f1)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "samples", (double)m->samples);
	cJSON_AddNumberToObject(o, "records", (double)m->records);
	cJSON_AddNumberToObject(o, "duplicates", (double)m->duplicates);
	cJSON_AddNumberToObject(o, "duplicate_rate", m->duplicate_rate);
	cJSON_AddNumberToObject(o, "max_repeat", (double)m->max_repeat);
	cJSON_AddNumberToObject(o, "samples_with_duplicates", (double)m->samples_with_duplicates);
	cJSON_AddNumberToObject(o, "closed", (double)m->closed);
	cJSON_AddNumberToObject(o, "truncated", (double)m->truncated);
	cJSON_AddNumberToObject(o, "malformed", (double)m->malformed);
	cJSON_AddNumberToObject(o, "stopped", (double)m->stopped);
	cJSON_AddNumberToObject(o, "termination_rate", m->termination_rate);
	cJSON_AddNumberToObject(o, "tokens", (double)m->tokens);
	cJSON_AddNumberToObject(o, "tokens_saved", (double)run_metrics_tokens_saved(m));
	cJSON_AddNumberToObject(o, "samples_with_tail", (double)m->tails);
	cJSON_AddNumberToObject(o, "false_stops", (double)m->false_stops);
	cJSON_AddNumberToObject(o, "early_stops", (double)m->early_stops);
	cJSON_AddNumberToObject(o, "tails_unstopped", (double)m->tails_unstopped);
	if (with_f1) {
		cJSON *lost = cJSON_AddObjectToObject(o, "tp_lost");
		for (size_t j = 0; j < m->n_iou; j++) {
			char key[40];
			snprintf(key, sizeof key, "%g", m->iou[j]);
			cJSON_AddNumberToObject(lost, key, (double)m->tp_lost[j]);
		}
	}
	if (with_f1 && m->tide_ok) {
		cJSON *td = cJSON_AddObjectToObject(o, "errors");
		cJSON_AddNumberToObject(td, "iou_fg", TIDE_FG);
		cJSON_AddNumberToObject(td, "iou_bg", TIDE_BG);
		for (int k = TIDE_CLS; k < TIDE_KIND_COUNT; k++)
			cJSON_AddNumberToObject(td, tide_kind_name((tide_kind)k), (double)m->tide.err[k]);
		cJSON_AddNumberToObject(td, "missed", (double)m->tide.missed);
		cJSON_AddNumberToObject(td, "fp", (double)m->tide.fp);
		cJSON_AddNumberToObject(td, "fn", (double)m->tide.missed);
	}
	if (with_f1) {
		cJSON *f1 = cJSON_AddObjectToObject(o, "f1");
		for (size_t j = 0; j < m->n_iou; j++) {
			char key[40];
			snprintf(key, sizeof key, "%g", m->iou[j]);
			cJSON_AddItemToObject(f1, key, counts_json(&m->counts[j], 1));
		}
	}
	return o;
}

static const char dedup_note[] =
	"exact duplicates dropped while decoding continues: an upper bound that a real decoder cannot reach";

static void add_value(cJSON *o, const char *key, xval v, int omit_null)
{
	switch (v.t) {
	case XV_INT:
		cJSON_AddNumberToObject(o, key, (double)v.i);
		break;
	case XV_DOUBLE:
		cJSON_AddNumberToObject(o, key, v.d);
		break;
	case XV_STR:
		cJSON_AddStringToObject(o, key, v.s);
		break;
	default:
		if (!omit_null)
			cJSON_AddNullToObject(o, key);
	}
}

/* {"T": {tp, fp, fn}} at every threshold */
static cJSON *counts_by_iou(const export_opts *o, const metrics_counts *c)
{
	cJSON *j = cJSON_CreateObject();
	for (size_t t = 0; j && t < o->an.n_iou; t++) {
		char key[40];
		snprintf(key, sizeof key, "%g", o->an.iou[t]);
		cJSON_AddItemToObject(j, key, counts_json(&c[t], 0));
	}
	return j;
}

/* One "samples" entry (EXPORT_SAMPLE_FIELDS with XF_JSON). */
static cJSON *sample_json(const export_opts *o, const export_run *rr, const export_row *row)
{
	char pname[48];
	size_t n_iou = o->an.n_iou;
	cJSON *s = cJSON_CreateObject();
	for (size_t f = 0; s && f < N_SAMPLE_FIELDS; f++) {
		const field_def *d = &sample_fields[f];
		if (!(d->flags & XF_JSON) || ((d->flags & XF_CONF) && !rr->has_conf))
			continue;
		if (d->id == SF_COUNTS) {
			if (rr->gt_loaded)
				cJSON_AddItemToObject(s, d->name, counts_by_iou(o, row->counts));
			continue;
		}
		if (d->id != SF_POLICIES) {
			add_value(s, d->name, field_value(d->id, rr, row, 0), d->flags & XF_OMIT);
			continue;
		}
		cJSON *pj = cJSON_AddObjectToObject(s, d->name);
		for (size_t p = 0; p < o->n_pol; p++) {
			cJSON *q = cJSON_CreateObject();
			for (size_t k = 0; q && k < N_POL_FIELDS; k++) {
				const field_def *pd = &pol_fields[k];
				if (pd->id != SF_P_COUNTS)
					add_value(q, pd->name, field_value(pd->id, rr, row, p), pd->flags & XF_OMIT);
				else if (rr->gt_loaded)
					cJSON_AddItemToObject(q, pd->name, counts_by_iou(o, &row->counts[(1 + p) * n_iou]));
			}
			cJSON_AddItemToObject(pj, policy_name(&o->pol[p], pname, sizeof pname), q);
		}
	}
	return s;
}

/* The convention check (coords.h) of a run: "syntax" (report's line),
 * "convention_warning" (null or report's warning text) and the counts. */
static void add_check_json(cJSON *r, const export_run *rr)
{
	const coords_check *c = &rr->check;
	char buf[768];
	coords_check_summary(c, buf, sizeof buf);
	cJSON_AddStringToObject(r, "syntax", buf);
	if (coords_check_warning(c, buf, sizeof buf))
		cJSON_AddStringToObject(r, "convention_warning", buf);
	else
		cJSON_AddNullToObject(r, "convention_warning");
	cJSON *j = cJSON_AddObjectToObject(r, "convention_check");
	cJSON_AddNumberToObject(j, "records", (double)c->records);
	cJSON_AddNumberToObject(j, "above", (double)c->above);
	cJSON_AddNumberToObject(j, "reversed", (double)c->reversed);
	cJSON_AddNumberToObject(j, "outside", (double)c->outside);
	cJSON_AddNumberToObject(j, "sized", (double)c->sized);
	cJSON_AddNumberToObject(j, "le1", (double)c->le1);
	cJSON_AddNumberToObject(j, "le1_of", (double)c->le1_of);
	cJSON *k = cJSON_AddObjectToObject(j, "syntaxes");
	for (size_t i = 1; i < REC_KEY_COUNT; i++)
		if (c->by_key[i])
			cJSON_AddNumberToObject(k, rec_key_name((rec_key)i), (double)c->by_key[i]);
	cJSON *v = cJSON_AddObjectToObject(j, "conventions");
	for (size_t i = 0; i < COORDS_COUNT && i < sizeof c->by_kind / sizeof c->by_kind[0]; i++)
		if (c->by_kind[i])
			cJSON_AddNumberToObject(v, coords_name((coords_kind)i), (double)c->by_kind[i]);
	cJSON_AddNumberToObject(r, "unlabeled_records", (double)rr->unlabeled);
	cJSON_AddNumberToObject(r, "unknown_requests", (double)rr->query_unknown);
}

cJSON *export_json(const export_opts *o, export_run *const *runs, size_t n, int per_sample)
{
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return NULL;
	char pname[48];
	cJSON *pols = cJSON_AddArrayToObject(root, "policies");
	for (size_t p = 0; p < o->n_pol; p++) {
		cJSON *pj = cJSON_CreateObject();
		cJSON_AddStringToObject(pj, "name", policy_name(&o->pol[p], pname, sizeof pname));
		cJSON_AddStringToObject(pj, "kind", policy_kind_name(o->pol[p].kind));
		cJSON_AddBoolToObject(pj, "truncation", policy_is_truncation(&o->pol[p]));
		cJSON_AddBoolToObject(pj, "upper_bound", !policy_is_truncation(&o->pol[p]));
		if (!policy_is_truncation(&o->pol[p]))
			cJSON_AddStringToObject(pj, "note", dedup_note);
		cJSON_AddItemToArray(pols, pj);
	}
	cJSON *arr = cJSON_AddArrayToObject(root, "runs");
	for (size_t i = 0; i < n; i++) {
		const export_run *rr = runs[i];
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", rr->name ? rr->name : "");
		cJSON_AddNumberToObject(r, "skipped", (double)rr->skipped);
		cJSON_AddBoolToObject(r, "simulated", rr->simulated);
		add_check_json(r, rr);
		for (size_t p = 0; p < o->n_pol; p++) {
			cJSON *m = metrics_json(&rr->m[p], rr->gt_loaded);
			if (!policy_is_truncation(&o->pol[p]))
				cJSON_AddBoolToObject(m, "upper_bound", 1);
			if (rr->has_ap) {
				cJSON_AddItemToObject(m, "ap", ap_json(&rr->ap[p], o));
				if (calib_total(&rr->calib[p]))
					cJSON_AddItemToObject(m, "calibration", calib_json(&rr->calib[p]));
			}
			cJSON_AddItemToObject(r, policy_name(&o->pol[p], pname, sizeof pname), m);
		}
		if (rr->has_conf) {
			cJSON_AddStringToObject(r, "score", conf_score_name(o->score));
			cJSON_AddNumberToObject(r, "records_scored", (double)rr->records_scored);
			cJSON *tp = cJSON_AddObjectToObject(r, "termination_probability");
			cJSON_AddNumberToObject(tp, "samples_with_tail", (double)rr->term.tails);
			cJSON_AddNumberToObject(tp, "tails_max_defined", (double)rr->term.tails_max_defined);
			add_num_or_null(tp, "mean_max_before_tail", rr->term.mean_max_before_tail);
			cJSON_AddNumberToObject(tp, "tails_at_defined", (double)rr->term.tails_at_defined);
			add_num_or_null(tp, "mean_at_tail_start", rr->term.mean_at_tail_start);
		}
		if (per_sample) {
			cJSON *ss = cJSON_AddArrayToObject(r, "samples");
			for (size_t k = 0; k < rr->n_rows; k++)
				cJSON_AddItemToArray(ss, sample_json(o, rr, &rr->rows[k]));
		}
		if (o->per_record)
			cJSON_AddItemToObject(r, "records", export_json_records(o, rr));
		cJSON_AddItemToArray(arr, r);
	}
	return root;
}

/* ------------------------------------------------------------------ */
/* report --per-record                                                 */

const char *export_match_name(match_state m)
{
	return m == MATCH_TP ? "tp" : m == MATCH_IGNORED ? "ignored" : "fp";
}

ts_status export_csv_records_header(const export_opts *o, export_write_fn w, void *ud)
{
	static const char *const fixed[] = {"run", "file", "line", "image_id", "image", "record",
	                                    "label", "x1", "y1", "x2", "y2", "score"};
	line_buf b = LINE_BUF_INIT;
	char name[96], tag[48];
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (i != 1 || o->file_col)
			lb_field(&b, fixed[i]);
	for (size_t j = 0; j < o->an.n_iou; j++) {
		iou_tag(o->an.iou[j], tag, sizeof tag);
		snprintf(name, sizeof name, "match_%s", tag);
		lb_field(&b, name);
	}
	lb_field(&b, "dup_of");
	lb_field(&b, "in_tail");
	for (size_t p = 0; p < o->n_pol; p++) {
		if (o->pol[p].kind == POLICY_OFF)
			continue;
		policy_tag(&o->pol[p], tag, sizeof tag);
		snprintf(name, sizeof name, "cut_%s", tag);
		lb_field(&b, name);
	}
	ts_status st = lb_end(&b, w, ud);
	strbuf_free(&b.t);
	return st;
}

static void lb_record(line_buf *b, const export_opts *o, const export_run *r, const export_rec *e)
{
	const export_row *row = &r->rows[e->row];
	lb_text(b, r->name ? r->name : "");
	if (o->file_col)
		lb_value(b, xv_str(row->file));
	lb_size(b, row->line);
	lb_value(b, row->has_id ? xv_int((long long)row->image_id) : xv_null());
	lb_value(b, xv_str(row->image));
	lb_size(b, e->index);
	lb_value(b, xv_str(e->label));
	for (int k = 0; k < 4; k++)
		lb_double(b, e->box_ok ? e->box[k] : NAN);
	lb_double(b, e->score);
	for (size_t j = 0; j < o->an.n_iou; j++)
		lb_field(b, r->gt_loaded ? export_match_name(e->match[j]) : "");
	lb_value(b, xv_step(e->dup_of));
	lb_size(b, (size_t)(e->in_tail != 0));
	for (size_t p = 0; p < o->n_pol; p++)
		if (o->pol[p].kind != POLICY_OFF)
			lb_size(b, (size_t)((e->cut >> p) & 1u));
}

ts_status export_csv_records(const export_opts *o, const export_run *r, export_write_fn w,
                             void *ud)
{
	line_buf b = LINE_BUF_INIT;
	ts_status st = TS_OK;
	for (size_t i = 0; i < r->n_recs && st == TS_OK; i++) {
		lb_record(&b, o, r, &r->recs[i]);
		st = lb_end(&b, w, ud);
	}
	strbuf_free(&b.t);
	return st;
}

static cJSON *record_json(const export_opts *o, const export_run *r, const export_rec *e)
{
	const export_row *row = &r->rows[e->row];
	cJSON *j = cJSON_CreateObject();
	char key[48];
	add_value(j, "file", xv_str(row->file), 1);
	cJSON_AddNumberToObject(j, "line", (double)row->line);
	add_value(j, "image_id", row->has_id ? xv_int((long long)row->image_id) : xv_null(), 0);
	add_value(j, "image", xv_str(row->image), 1);
	cJSON_AddNumberToObject(j, "record", (double)e->index);
	add_value(j, "label", xv_str(e->label), 0);
	if (e->box_ok) {
		double bx[4] = {e->box[0], e->box[1], e->box[2], e->box[3]};
		cJSON_AddItemToObject(j, "box", cJSON_CreateDoubleArray(bx, 4));
	} else {
		cJSON_AddNullToObject(j, "box");
	}
	add_num_or_null(j, "score", e->score);
	if (r->gt_loaded) {
		cJSON *m = cJSON_AddObjectToObject(j, "match");
		for (size_t t = 0; t < o->an.n_iou; t++) {
			fmt_double(o->an.iou[t], key, sizeof key);
			cJSON_AddStringToObject(m, key, export_match_name(e->match[t]));
		}
	} else {
		cJSON_AddNullToObject(j, "match");
	}
	add_value(j, "dup_of", xv_step(e->dup_of), 0);
	cJSON_AddBoolToObject(j, "in_tail", e->in_tail != 0);
	cJSON *c = cJSON_AddObjectToObject(j, "cut");
	for (size_t p = 0; p < o->n_pol; p++)
		if (o->pol[p].kind != POLICY_OFF)
			cJSON_AddBoolToObject(c, policy_name(&o->pol[p], key, sizeof key),
			                      (e->cut >> p) & 1u);
	return j;
}

cJSON *export_json_records(const export_opts *o, const export_run *r)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < r->n_recs; i++)
		cJSON_AddItemToArray(arr, record_json(o, r, &r->recs[i]));
	return arr;
}

/* ---- report --per-sample's text line ---- */

size_t export_row_text(const export_row *r, int gt_loaded, char *out, size_t outsz)
{
	char id[96], tail[24], stop[24];
	int k0 = r->has_id ? snprintf(id, sizeof id, r->image ? "%lld " : "%lld", (long long)r->image_id)
	                   : 0;
	if (k0 < 0)
		k0 = 0;
	if (!r->has_id || r->image) {
		/* the reference (a file name/custom_id: after the matched id), cut
		 * at 60 bytes on a character boundary: a cut inside a UTF-8
		 * sequence wrote invalid UTF-8 */
		const char *im = r->image ? r->image : "?";
		size_t k = strlen(im);
		if (k > 60)
			for (k = 60; k > 0 && ((unsigned char)im[k] & 0xC0) == 0x80; k--)
				;
		snprintf(id + k0, sizeof id - (size_t)k0, "%.*s", (int)k, im);
	}
	snprintf(tail, sizeof tail, r->tail_start >= 0 ? "%ld" : "-", r->tail_start);
	snprintf(stop, sizeof stop, r->stop_step >= 0 ? "%ld" : "-", r->stop_step);
	int n = snprintf(out, outsz, "%-10s %7zu %5zu %6zu %-10s %10s %9s %6zu", id, r->records,
	                 r->duplicates, r->max_repeat, termination_name(r->term), tail, stop, r->steps);
	if (n >= 0 && (size_t)n < outsz && gt_loaded)
		n += snprintf(out + n, outsz - (size_t)n, "  %zu/%zu/%zu", r->counts[0].tp, r->counts[0].fp,
		              r->counts[0].fn);
	return n < 0 ? 0 : (size_t)n;
}

ts_status export_sample_text(const export_opts *o, const trace *t, const sample *s,
                             const gt_image *img, int gt_loaded, size_t lineno, const char *file,
                             char *out, size_t outsz, size_t *need)
{
	export_opts lo = *o;
	lo.rows = 1;
	lo.per_record = 0;
	lo.confidence = 0;
	lo.keep_state = 0;
	if (outsz)
		out[0] = '\0';
	export_run *r = run_new("", &lo);
	if (!r)
		return TS_ERR_NOMEM;
	work w;
	memset(&w, 0, sizeof w);
	ts_status st = analyze_sample(r, &w, &lo, t, s, NULL, img, lineno, file);
	if (st == TS_OK) {
		export_row *row = &r->rows[0];
		row->pol = r->pol_all;
		row->counts = r->counts_all;
		size_t n = export_row_text(row, gt_loaded, out, outsz);
		if (need)
			*need = n;
	}
	work_free(&w);
	export_run_free(r);
	return st;
}
