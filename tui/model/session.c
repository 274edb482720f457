/* session.c — runs, lazy samples, idle badges, the sample on screen (see session.h). */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "confidence.h"
#include "sanitize.h"
#include "session.h"
#include "shards.h"

#define LABELS_MAX 256   /* bytes of distinct labels kept per sample for filtering */
#define CLOSEP_UNSET (-2.0)

void session_opts_default(session_opts *o)
{
	memset(o, 0, sizeof *o);
	analysis_opts_default(&o->an);
}

void session_msg(session *s, const char *fmt, ...)
{
	char raw[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	char *m = sanitize_dup(raw, strlen(raw), 400);
	if (!m)
		return;
	if (s->n_msgs == SESSION_MSG_MAX) {
		free(s->msgs[0]);
		memmove(s->msgs, s->msgs + 1, (SESSION_MSG_MAX - 1) * sizeof s->msgs[0]);
		s->n_msgs--;
		s->msgs_dropped++;
	}
	s->msgs[s->n_msgs++] = m;
	s->msg_serial++;
}

const char *session_last_msg(const session *s)
{
	return s->n_msgs ? s->msgs[s->n_msgs - 1] : NULL;
}

session_run *session_cur(session *s)
{
	return s->n_runs ? &s->runs[s->cur] : NULL;
}

/* ---- opening ---- */

typedef struct progress_ctx {
	session_progress_fn fn;
	void *ud;
	const char *what;
} progress_ctx;

static void index_progress(void *ud, uint64_t done, uint64_t total)
{
	progress_ctx *p = ud;
	if (p->fn)
		p->fn(p->ud, p->what, done, total);
}

/* The ground truth loads on its own thread (gt_async) while the traces are
 * indexed.  session_open waits for it (lazy_open: at most GT_WAIT_MS; a
 * longer load goes on while the debugger runs, and the run takes it in
 * session_idle). */
#define GT_WAIT_MS 100            /* lazy_open: how long the first frame waits for gt */
#define OPEN_INDEX_BYTES ((uint64_t)4 << 20) /* lazy_open: indexed before the first frame */
#define IDLE_INDEX_BYTES ((uint64_t)2 << 20) /* one idle slice of indexing */

/* The finished load into the run, its messages said. */
static void gt_job_take(session *s, session_run *r)
{
	size_t skipped = 0;
	ts_error e;
	ts_status st = gt_async_take(r->gj, &r->g, &skipped, &e);
	r->gj = NULL;
	if (st != TS_OK)
		session_msg(s, "%s: ground truth not loaded: %s", r->name, e.msg);
	else if (skipped)
		session_msg(s, "%s: %zu malformed annotation(s) or image(s) ignored%s%s", r->gt_path, skipped,
		            gt_duplicates_note(r->g)[0] ? "; " : "", gt_duplicates_note(r->g));
}

/* Samples indexed so far into the run's arrays (grown as the index grows);
 * -1 when out of memory. */
static int run_grow(session_run *r)
{
	size_t n = trace_index_count(r->ix);
	if (n > r->cap) {
		size_t cap = r->cap ? r->cap : 1024;
		while (cap < n)
			cap *= 2;
		slist_item *it = realloc(r->items, cap * sizeof *it);
		if (it)
			r->items = it;
		uint8_t *d = realloc(r->done, cap);
		if (d)
			r->done = d;
		if (!it || !d)
			return -1;
		memset(r->items + r->cap, 0, (cap - r->cap) * sizeof *it);
		memset(r->done + r->cap, 0, cap - r->cap);
		for (size_t i = r->cap; i < cap; i++)
			r->items[i].term = SLIST_TERM_UNKNOWN;
		r->cap = cap;
	}
	if (n != r->n)
		r->list_stale = 1;
	r->n = n;
	return 0;
}

/* One slice of indexing (an error ends it: the samples so far stay). */
static void run_index_step(session *s, session_run *r, uint64_t budget)
{
	ts_error e;
	if (trace_index_step(r->ix, budget, NULL, &e) != TS_OK)
		session_msg(s, "%s: indexing stopped: %s", r->name, e.msg);
	if (run_grow(r) != 0)
		session_msg(s, "%s: out of memory", r->name);
}

/* The traces: the whole index (as trace_index_build, with its progress), or
 * with lazy_open the first slice that gives sample 1 (the rest in idle). */
static ts_status open_index(session *s, session_run *r, const trace_limits *tlim,
                            session_progress_fn progress, void *ud, ts_error *err)
{
	progress_ctx pc = {progress, ud, r->name};
	if (!s->opts.lazy_open)
		return trace_index_build(r->info->traces_path, tlim, index_progress, &pc, &r->ix, err);
	ts_status st = trace_index_open(r->info->traces_path, tlim, &r->ix, err);
	int finished = 0;
	uint64_t total;
	while (!st && !finished) {
		st = trace_index_step(r->ix, OPEN_INDEX_BYTES, &finished, err);
		if (trace_index_count(r->ix) > 0)
			break;
		index_progress(&pc, trace_index_progress(r->ix, &total), total);
	}
	return st;
}

static ts_status open_run(session *s, const char *path, session_run *r,
                          session_progress_fn progress, void *ud, ts_error *err)
{
	ts_status st;

	memset(r, 0, sizeof *r);
	slist_init(&r->list);
	if ((st = run_open(path, &r->info, err)) != TS_OK)
		return st;
	if (r->info->warnings) /* run.json fields ignored: the first, named */
		session_msg(s, "%.*s", (int)strcspn(r->info->warnings, "\n"), r->info->warnings);
	sanitize_cstr(r->info->name, r->name, sizeof r->name, 40);
	r->an = s->opts.an;
	run_apply_opts(r->info, s->opts.coords_set, &r->an);
	r->gt_path = s->opts.gt_path ? s->opts.gt_path : r->info->gt_path;
	r->images_dir = s->opts.images_dir ? s->opts.images_dir : r->info->images_dir;
	if (r->gt_path && !(r->gj = gt_async_start(r->gt_path)))
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	trace_limits tlim;
	run_trace_limits(r->info, &s->lim, &tlim);
	st = open_index(s, r, &tlim, progress, ud, err);
	if (r->gj && gt_async_wait(r->gj, s->opts.lazy_open ? GT_WAIT_MS : -1))
		gt_job_take(s, r);
	if (st != TS_OK)
		return st;
	r->sharded = shards_is_set(r->info->traces_path);
	if (run_grow(r) != 0)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	for (size_t p = 0; p < COMPARE_N_POL; p++)
		run_metrics_init(&r->m[p], &r->an);
	r->hit_iou = 0;
	for (size_t j = 0; j < r->an.n_iou; j++)
		if (fabs(r->an.iou[j] - 0.3) < 1e-12) {
			r->hit_iou = j;
			break;
		}
	if (slist_rebuild(&r->list, r->items, r->n) != 0)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	r->list_stale = 0;
	return TS_OK;
}

static void free_run(session_run *r)
{
	if (r->items)
		for (size_t i = 0; i < r->n; i++) {
			free(r->items[i].name);
			free(r->items[i].labels);
			free(r->items[i].key);
		}
	free(r->items);
	free(r->done);
	slist_free(&r->list);
	gt_async_abandon(r->gj);
	trace_index_free(r->ix);
	gt_free(r->g);
	run_info_free(r->info);
	memset(r, 0, sizeof *r);
}

ts_status session_open(session *s, char *const *paths, size_t n_paths, const session_opts *o,
                       session_progress_fn progress, void *ud, ts_error *err)
{
	ts_error e;
	ts_status last = TS_ERR_USAGE;

	memset(s, 0, sizeof *s);
	s->opts = *o;
	trace_limits_default(&s->lim);
	render_limits_default(&s->rlim);
	if (o->trace_lim)
		s->lim = *o->trace_lim;
	if (o->image_lim)
		s->rlim = *o->image_lim;
	ts_error_set(err, TS_ERR_USAGE, "no run given");
	s->runs = calloc(n_paths ? n_paths : 1, sizeof *s->runs);
	if (!s->runs)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n_paths; i++) {
		session_run *r = &s->runs[s->n_runs];
		ts_error_clear(&e);
		last = open_run(s, paths[i], r, progress, ud, &e);
		if (last != TS_OK) {
			char sp[256];
			if (!strncmp(e.msg, paths[i], strlen(paths[i]))) /* names the path already */
				session_msg(s, "%s", e.msg);
			else
				session_msg(s, "%s: %s", sanitize_cstr(paths[i], sp, sizeof sp, 80), e.msg);
			if (err)
				*err = e;
			free_run(r);
			continue;
		}
		s->n_runs++;
	}
	if (s->n_runs == 0)
		return err ? err->code : last;
	long budget = -1;
	for (size_t i = 0; i < s->n_runs && budget < 1; i++)
		budget = s->runs[i].info->budget;
	compare_policy_cycle(budget, s->pols);
	s->pol = COMPARE_POL_REPEAT_STOP;
	for (size_t i = 0; i < s->n_runs; i++)
		memcpy(s->runs[i].pols, s->pols, sizeof s->pols);
	ts_error_clear(err);
	return TS_OK;
}

static void img_job_abandon(session_view *v);

static void view_clear(session_view *v)
{
	img_job_abandon(v);
	trace_free(v->t);
	sample_free(v->s);
	sample_free(v->s_num);
	render_image_free(v->img);
	free(v->rec_first);
	free(v->rec_last);
	free(v->closep);
	free(v->dup);
	free(v->dd_match);
	free(v->dd_gt);
	memset(v, 0, sizeof *v);
}

void session_free(session *s)
{
	view_clear(&s->view);
	for (size_t i = 0; i < s->n_runs; i++)
		free_run(&s->runs[i]);
	free(s->runs);
	for (size_t i = 0; i < s->n_msgs; i++)
		free(s->msgs[i]);
	memset(s, 0, sizeof *s);
}

/* ---- per-sample facts ---- */

/* Display name of a trace's image reference (sanitized); a trace naming its
 * image by file_name/custom_id shows the matched gt image's COCO id first. */
static void ref_name(const trace *t, const gt_image *img, char *out, size_t outsz)
{
	int64_t id;
	const char *p;
	if (trace_image_id(t, &id)) {
		snprintf(out, outsz, "%lld", (long long)id);
	} else if ((p = trace_file_name(t)) || (p = trace_custom_id(t))) {
		const char *b = strrchr(p, '/');
		int k = img ? snprintf(out, outsz, "%lld ", (long long)img->id) : 0;
		if (k < 0 || (size_t)k >= outsz)
			k = 0;
		sanitize_cstr(b && b[1] ? b + 1 : p, out + k, outsz - (size_t)k, 40);
	} else {
		snprintf(out, outsz, "?");
	}
}

/* Distinct labels, lower-cased, '\n'-separated, sanitized, capped. */
static char *labels_of(const sample *s)
{
	const sample_rec *ri = sample_rec_info(s);
	size_t n = sample_n_records(s);
	char buf[LABELS_MAX];
	size_t len = 0;

	for (size_t i = 0; i < n && len + 2 < sizeof buf; i++) {
		if (ri[i].dup_of >= 0)
			continue; /* exact duplicate: label already seen */
		char one[96];
		sanitize(sample_rec_label(s, i, NULL), sample_rec_label_len(s, i), one, sizeof one, 40);
		for (char *c = one; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		size_t ol = strlen(one);
		/* skip labels already listed */
		int seen = 0;
		for (size_t a = 0; a < len;) {
			size_t b = a;
			while (b < len && buf[b] != '\n')
				b++;
			if (b - a == ol && !memcmp(buf + a, one, ol)) {
				seen = 1;
				break;
			}
			a = b + 1;
		}
		if (seen)
			continue;
		if (len + ol + 2 > sizeof buf)
			break;
		if (len)
			buf[len++] = '\n';
		memcpy(buf + len, one, ol);
		len += ol;
	}
	buf[len] = 0;
	char *r = malloc(len + 1);
	if (r)
		memcpy(r, buf, len + 1);
	return r;
}

static const policy pol_off = {POLICY_OFF, 0};

/* The raw matching key of a trace's image reference (see slist_item.key). */
static char *key_of(const trace *t, size_t lineno)
{
	int64_t id;
	const char *p;
	char buf[64];
	char kind;
	if (trace_image_id(t, &id)) {
		snprintf(buf, sizeof buf, "i:%lld", (long long)id);
		return strdup(buf);
	}
	if ((p = trace_file_name(t)))
		kind = 'f';
	else if ((p = trace_custom_id(t)))
		kind = 'c';
	else {
		snprintf(buf, sizeof buf, "l:%zu", lineno);
		return strdup(buf);
	}
	size_t n = strlen(p);
	char *k = malloc(n + 3);
	if (k) {
		k[0] = kind;
		k[1] = ':';
		memcpy(k + 2, p, n + 1);
	}
	return k;
}

static void fill_item(slist_item *it, const trace *t, const sample *s, size_t lineno,
                      size_t hit_iou)
{
	char nm[96];
	const repeat_stats *rep = sample_repeat(s);
	ref_name(t, sample_image(s), nm, sizeof nm);
	free(it->name);
	it->name = strdup(nm);
	free(it->labels);
	it->labels = labels_of(s);
	free(it->key);
	it->key = key_of(t, lineno);
	int64_t id;
	it->has_id = trace_image_id(t, &id);
	it->id = it->has_id ? (long long)id : 0;
	it->ready = 1;
	it->failed = 0;
	it->records = rep->records;
	it->dups = rep->duplicates;
	it->max_repeat = rep->max_repeat;
	it->tokens = sample_n_steps(s);
	_Static_assert((int)SLIST_TERM_STOPPED == (int)TERM_STOPPED &&
	               (int)SLIST_TERM_MALFORMED == (int)TERM_MALFORMED, "slist_term mirrors termination");
	it->term = (int)sample_termination(s);
	it->has_f1 = 0;
	if (sample_has_gt(s)) {
		sample_outcome o = sample_outcome_for(s, &pol_off);
		metrics_prf prf = metrics_prf_from(&o.counts[0]);
		it->has_f1 = 1;
		it->f1 = prf.f1;
		it->hits = o.counts[hit_iou < TS_MAX_IOU ? hit_iou : 0].tp;
	}
}

size_t session_where(const session_run *r, size_t idx, char *shard, size_t shardsz)
{
	const char *p = r->sharded ? trace_index_path(r->ix, idx) : NULL;
	if (shardsz)
		shard[0] = '\0';
	if (p && shardsz)
		sanitize_cstr(shards_label(r->info->traces_path, p), shard, shardsz, 0);
	return trace_index_lineno(r->ix, idx);
}

void session_where_text(const session_run *r, size_t idx, char *out, size_t outsz)
{
	char shard[512], num[32];
	size_t line = session_where(r, idx, shard, sizeof shard);
	if (!outsz)
		return;
	if (!shard[0]) {
		snprintf(out, outsz, "line %zu", line);
		return;
	}
	int nl = snprintf(num, sizeof num, ":%zu", line);
	size_t room = outsz > (size_t)nl + 1 ? outsz - (size_t)nl - 1 : 0, k = strlen(shard);
	const char *tail = shard;
	if (k > room) { /* the line stays whole: the shard's name is cut at its front, visibly */
		tail = shard + k - (room > 3 ? room - 3 : 0);
		while (*tail && ((unsigned char)*tail & 0xC0) == 0x80)
			tail++;
	}
	snprintf(out, outsz, "%s%s%s", tail == shard ? "" : "\xe2\x80\xa6", tail, num);
}

static void fail_item(slist_item *it, size_t lineno, const char *where)
{
	char nm[48];
	free(it->name);
	it->name = strdup(where);
	snprintf(nm, sizeof nm, "l:%zu", lineno);
	free(it->key);
	it->key = strdup(nm);
	it->ready = 1;
	it->failed = 1;
	it->term = SLIST_TERM_UNKNOWN;
}

/* Records a sample's badges and, when it counts (run_sample_analyze: TS_OK),
 * adds it to the run metrics (once). */
static void record_done_(session_run *r, size_t idx, const trace *t, const sample *s, int counts)
{
	if (r->done[idx])
		return;
	r->done[idx] = 1;
	r->n_done++;
	if (!s) {
		char where[256];
		session_where_text(r, idx, where, sizeof where);
		fail_item(&r->items[idx], trace_index_lineno(r->ix, idx), where);
		r->metrics_skipped++;
		return;
	}
	fill_item(&r->items[idx], t, s, trace_index_lineno(r->ix, idx), r->hit_iou);
	if (!counts) {
		r->metrics_skipped++; /* as `tailscope report`: image not in the ground truth */
		return;
	}
	run_metrics_add_sample(r->m, r->pols, COMPARE_N_POL, s, NULL);
	const gt_image *gi = sample_image(s);
	for (size_t i = 0; i < sample_n_records(s); i++)
		coords_check_add(&r->check, &sample_records(s)[i], &r->an.coords, gi ? gi->width : 0,
		                 gi ? gi->height : 0);
}

/* Once per run, when its last sample is analysed: the convention check's
 * warning (the text `report` prints) as a session message. */
static void check_said(session *s, session_run *r)
{
	if (r->check_said || r->n_done < r->n || !trace_index_finished(r->ix))
		return;
	r->check_said = 1;
	char cw[768];
	if (coords_check_warning(&r->check, cw, sizeof cw))
		session_msg(s, "%s: %s", r->name, cw);
}

static void record_done(session *ss, session_run *r, size_t idx, const trace *t, const sample *s,
                        int counts)
{
	if (r->gj)
		return; /* analysed without the ground truth: nothing kept */
	record_done_(r, idx, t, s, counts);
	check_said(ss, r);
}

static void analyse_one(session *ss, session_run *r, size_t idx)
{
	trace *t = NULL;
	sample *sm = NULL;
	const gt_image *gi;
	ts_error e;

	if (trace_index_load(r->ix, idx, &t, &e) != TS_OK) {
		record_done(ss, r, idx, NULL, NULL, 0);
		return;
	}
	ts_status st = run_sample_analyze(t, r->g, r->gt_path, &r->an, &gi, &sm, &e);
	record_done(ss, r, idx, t, sm, st == TS_OK);
	sample_free(sm);
	trace_free(t);
}

/* The view's sample again, its replay cursor kept (the ground truth came). */
static void view_again(session *s)
{
	session_view *v = &s->view;
	long cursor = v->rp.cursor;
	int at_end = cursor == replay_last(&v->rp);
	session_show(s, v->run, v->idx);
	if (!at_end && v->valid && !v->failed && cursor >= 0 && cursor < v->rp.n_steps)
		replay_set(&v->rp, cursor);
	s->view_serial++;
}

/* lazy_open's remaining work on run r: its ground truth when it has come
 * (the view shown again), else a slice of indexing.  1 when it did some. */
static int run_pump(session *s, session_run *r, int may_wait)
{
	if (r->gj && gt_async_wait(r->gj, 0)) {
		gt_job_take(s, r);
		r->list_stale = 1;
		if (s->view.valid && &s->runs[s->view.run] == r)
			view_again(s);
		return 1;
	}
	if (!trace_index_finished(r->ix)) {
		run_index_step(s, r, IDLE_INDEX_BYTES);
		return 1;
	}
	if (r->gj && may_wait)
		gt_async_wait(r->gj, 5); /* nothing else to do here: no busy loop */
	return 0;
}

size_t session_idle_quiet(session *s, size_t max_samples)
{
	size_t done = 0;
	for (size_t k = 0; k < s->n_runs && done < max_samples; k++) {
		session_run *r = &s->runs[(s->cur + k) % s->n_runs];
		size_t before = done;
		if (run_pump(s, r, k + 1 == s->n_runs)) {
			done++;
			continue;
		}
		while (done < max_samples && !r->gj && r->n_done < r->n) {
			while (r->next_idle < r->n && r->done[r->next_idle])
				r->next_idle++;
			if (r->next_idle >= r->n)
				break;
			analyse_one(s, r, r->next_idle);
			done++;
		}
		if (done != before)
			r->list_stale = 1;
	}
	return done;
}

void session_idle_sync(session *s)
{
	for (size_t k = 0; k < s->n_runs; k++) {
		session_run *r = &s->runs[k];
		if (r->list_stale && slist_rebuild(&r->list, r->items, r->n) == 0)
			r->list_stale = 0;
	}
}

size_t session_idle(session *s, size_t max_samples)
{
	size_t done = session_idle_quiet(s, max_samples);
	session_idle_sync(s);
	return done;
}

int session_run_done(const session_run *r)
{
	return r->n_done >= r->n && !r->gj && trace_index_finished(r->ix);
}

int session_idle_done(const session *s)
{
	for (size_t k = 0; k < s->n_runs; k++)
		if (!session_run_done(&s->runs[k]))
			return 0;
	return 1;
}

int session_indexing(const session *s, unsigned *pct)
{
	uint64_t done = 0, total = 0;
	int any = 0;
	for (size_t k = 0; k < s->n_runs; k++) {
		uint64_t t;
		done += trace_index_progress(s->runs[k].ix, &t);
		total += t;
		any |= !trace_index_finished(s->runs[k].ix);
	}
	if (pct) /* never 100 before the end */
		*pct = total ? (unsigned)(done >= total ? 99 : done * 100 / total) : 0;
	return any;
}

int session_gt_loading(const session *s)
{
	for (size_t k = 0; k < s->n_runs; k++)
		if (s->runs[k].gj)
			return 1;
	return 0;
}

void session_finish_loading(session *s)
{
	for (size_t k = 0; k < s->n_runs; k++) {
		session_run *r = &s->runs[k];
		while (!trace_index_finished(r->ix))
			run_index_step(s, r, UINT64_MAX);
		if (r->gj && gt_async_wait(r->gj, -1))
			run_pump(s, r, 0);
	}
	session_idle_sync(s);
}

/* ---- the sample on screen ---- */

/* The image file (analysis/run.h: run_image_path, the rule png uses too)
 * into out, "" when none or it does not fit. */
static void image_path(const char *dir, const char *name, char *out, size_t outsz)
{
	out[0] = 0;
	char *p = run_image_path(dir, name);
	if (p && strlen(p) < outsz)
		memcpy(out, p, strlen(p) + 1);
	free(p);
}

/* The sample the view's numbers come from (see session_view.s_num). */
static const sample *view_numbers(const session_view *v)
{
	return v->s_num ? v->s_num : v->s;
}

/* The view's outcome under the compared policy and its cut in the replay;
 * for dedup, the kept records (first occurrences) matched again at the first
 * threshold, as the run metrics count them (sample_outcome_for). */
static void view_apply_policy(session *s, int on)
{
	session_view *v = &s->view;
	if (!v->valid || v->failed || !v->s) {
		v->rp.policy_on = on ? 1 : 0;
		return;
	}
	const policy *p = &s->pols[s->pol < COMPARE_N_POL ? s->pol : COMPARE_POL_REPEAT_STOP];
	replay *rp = &v->rp;
	int at_end = rp->cursor == replay_last(rp);
	v->on = sample_outcome_for(view_numbers(v), p);
	rp->fired = v->on.cut.fired;
	rp->stop_step = v->on.cut.stop_step;
	rp->kept = v->on.cut.kept;
	rp->drop_dups = v->on.cut.drop_dups;
	free(v->dd_match);
	free(v->dd_gt);
	v->dd_match = NULL;
	v->dd_gt = NULL;
	size_t n = sample_n_records(v->s);
	if (rp->drop_dups && sample_has_gt(v->s) && n) {
		v->dd_match = malloc(n * sizeof *v->dd_match);
		v->dd_gt = malloc(n * sizeof *v->dd_gt);
		if (!v->dd_match || !v->dd_gt ||
		    sample_policy_matches(v->s, &v->on.cut, 0, v->dd_match, v->dd_gt) != TS_OK) {
			free(v->dd_match);
			free(v->dd_gt);
			v->dd_match = NULL; /* out of memory: the overlay computes them itself */
			v->dd_gt = NULL;
		}
	}
	rp->policy_on = on ? 1 : 0;
	if (at_end)
		replay_end(rp);
	else
		replay_set(rp, rp->cursor);
}

/* Messages that start with a long path (an image, the traces file) show it
 * from the last component of `dir` on ("…/images/a.png: cannot open"), so
 * what matters fits in a pane wherever the data lives. */
static const char *short_path_msg(const char *msg, const char *path, const char *dir,
                                  char *buf, size_t n)
{
	size_t pl = path ? strlen(path) : 0, dl = dir ? strlen(dir) : 0;
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	if (!pl || !dl || dl >= pl || strncmp(msg, path, pl) != 0 || strncmp(path, dir, dl) != 0)
		return msg;
	size_t k = dl;
	while (k > 0 && path[k - 1] != '/')
		k--;
	if (k == 0)
		return msg;
	snprintf(buf, n, "\xE2\x80\xA6/%s", path + k);
	size_t used = strlen(buf);
	if (used < n)
		snprintf(buf + used, n - used, "%s", msg + pl);
	return buf;
}

/* ---- decoding off the input thread ---- */

/* One decode: the thread owns it once the view abandons it. */
struct img_job {
	pthread_mutex_t mu;
	int done, abandoned;
	char path[1024];
	render_limits lim;
	render_image *img;
	ts_error e;
};

static void img_job_free(struct img_job *j)
{
	render_image_free(j->img);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

static void *img_job_run(void *p)
{
	struct img_job *j = p;
	render_image *img = NULL;
	ts_error e;
	if (render_image_load(j->path, &j->lim, &img, &e) != TS_OK)
		img = NULL;
	pthread_mutex_lock(&j->mu);
	j->img = img;
	j->e = e;
	j->done = 1;
	int gone = j->abandoned;
	pthread_mutex_unlock(&j->mu);
	if (gone)
		img_job_free(j);
	return NULL;
}

static void img_fail(session *s, const char *msg)
{
	session_view *v = &s->view;
	char shortm[TS_ERROR_MSG_MAX + 8];
	v->img = NULL;
	sanitize_cstr(short_path_msg(msg, v->image_path, s->runs[v->run].images_dir, shortm, sizeof shortm),
	              v->img_error, sizeof v->img_error, 200);
}

/* The job's result into the view when it is done (1), else 0. */
static int img_job_take(session *s)
{
	session_view *v = &s->view;
	struct img_job *j = v->img_job;
	if (!j)
		return 1;
	pthread_mutex_lock(&j->mu);
	int done = j->done;
	pthread_mutex_unlock(&j->mu);
	if (!done)
		return 0;
	v->img_job = NULL;
	v->img = j->img;
	j->img = NULL;
	if (!v->img)
		img_fail(s, j->e.msg);
	img_job_free(j);
	return 1;
}

static void img_job_abandon(session_view *v)
{
	struct img_job *j = v->img_job;
	if (!j)
		return;
	v->img_job = NULL;
	pthread_mutex_lock(&j->mu);
	int done = j->done;
	j->abandoned = 1;
	pthread_mutex_unlock(&j->mu);
	if (done)
		img_job_free(j);
}

/* Starts decoding in a thread and waits up to 150 ms (most images are done
 * by then); 0 when no thread could be started. */
static int img_job_start(session *s)
{
	session_view *v = &s->view;
	struct img_job *j = calloc(1, sizeof *j);
	if (!j)
		return 0;
	pthread_mutex_init(&j->mu, NULL);
	snprintf(j->path, sizeof j->path, "%s", v->image_path);
	j->lim = s->rlim;
	pthread_t th;
	if (pthread_create(&th, NULL, img_job_run, j) != 0) {
		img_job_free(j);
		return 0;
	}
	pthread_detach(th);
	v->img_job = j;
	for (int i = 0; i < 75 && !img_job_take(s); i++)
		nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
	return 1;
}

int session_view_image_pending(const session *s)
{
	return s->view.img_job != NULL;
}

static void load_image(session *s)
{
	session_view *v = &s->view;
	ts_error e;
	if (v->img_tried)
		return;
	v->img_tried = 1;
	if (!v->image_path[0])
		return;
	if (render_image_load(v->image_path, &s->rlim, &v->img, &e) != TS_OK)
		img_fail(s, e.msg);
}

const render_image *session_view_image(session *s)
{
	session_view *v = &s->view;
	if (!v->valid || v->failed)
		return NULL;
	if (v->img_job) {
		img_job_take(s);
	} else if (!v->img_tried && v->image_path[0]) {
		v->img_tried = 1;
		if (!img_job_start(s))
			v->img_tried = 0; /* no thread: decode here */
	}
	if (!v->img_job)
		load_image(s);
	return v->img;
}

/* The replay over the view's sample: per-record steps, duplicates, the
 * termination step and the tail; the cursor at the end.  -1: out of memory. */
static int view_setup_replay(session_view *v)
{
	size_t n = sample_n_records(v->s);
	const record *recs = sample_records(v->s);
	const sample_rec *rinfo = sample_rec_info(v->s);
	v->rec_first = malloc((n ? n : 1) * sizeof *v->rec_first);
	v->rec_last = malloc((n ? n : 1) * sizeof *v->rec_last);
	v->closep = malloc((n ? n : 1) * sizeof *v->closep);
	v->dup = malloc(n ? n : 1);
	if (!v->rec_first || !v->rec_last || !v->closep || !v->dup)
		return -1;
	uint32_t prev = 0;
	for (size_t i = 0; i < n; i++) {
		v->rec_first[i] = recs[i].first_step;
		/* the replay's binary search needs non-decreasing completion steps */
		v->rec_last[i] = recs[i].last_step < prev ? prev : recs[i].last_step;
		prev = v->rec_last[i];
		v->closep[i] = CLOSEP_UNSET;
		v->dup[i] = rinfo[i].dup_of >= 0;
	}
	const repeat_stats *rep = sample_repeat(v->s);
	replay *rp = &v->rp;
	rp->n_steps = (long)sample_n_steps(v->s);
	rp->rec_first = v->rec_first;
	rp->rec_last = v->rec_last;
	rp->n_rec = n;
	rp->term_step = sample_termination_step(v->s);
	rp->closed = sample_termination(v->s) == TERM_CLOSED ||
	             (rp->term_step >= 0 && rp->term_step < rp->n_steps - 1);
	rp->tail_first = rep->tail_start;
	rp->dup = v->dup;
	rp->cursor = rp->n_steps - 1;
	return 0;
}

void session_show(session *s, size_t ri, size_t idx)
{
	session_view *v = &s->view;
	int policy_on = v->rp.policy_on;
	ts_error e;

	view_clear(v);
	v->rp.policy_on = policy_on;
	if (ri >= s->n_runs || idx >= s->runs[ri].n)
		return;
	session_run *r = &s->runs[ri];
	v->valid = 1;
	v->run = ri;
	v->idx = idx;
	v->rp.cursor = -1;
	session_where_text(r, idx, v->image_id, sizeof v->image_id);
	if (trace_index_load(r->ix, idx, &v->t, &e) != TS_OK) {
		v->t = NULL;
		v->failed = 1;
		char shortm[TS_ERROR_MSG_MAX + 8];
		sanitize_cstr(short_path_msg(e.msg, r->info->traces_path, r->info->path, shortm, sizeof shortm),
		              v->error, sizeof v->error, 300);
		record_done(s, r, idx, NULL, NULL, 0);
		return;
	}
	v->gimg = r->g ? run_find_image(r->g, v->t) : NULL;
	ref_name(v->t, v->gimg, v->image_id, sizeof v->image_id);
	const char *fname = v->gimg && v->gimg->file_name[0] ? v->gimg->file_name
	                                                      : trace_file_name(v->t);
	image_path(r->images_dir, fname, v->image_path, sizeof v->image_path);
	double w = 0, h = 0;
	if (!v->gimg || v->gimg->width <= 0 || v->gimg->height <= 0) {
		load_image(s); /* the size places relative coordinates */
		if (v->img) {
			w = v->img->w;
			h = v->img->h;
		} else {
			/* no size anywhere: relative coordinates (0-1000) are placed on
			 * a 1000x1000 canvas so the boxes can still be drawn */
			w = h = 1000;
			v->size_assumed = 1;
		}
	}
	if (sample_analyze(v->t, r->g, v->gimg, w, h, &r->an, &v->s, &e) != TS_OK) {
		v->s = NULL;
		v->failed = 1;
		sanitize_cstr(e.msg, v->error, sizeof v->error, 300);
		record_done(s, r, idx, NULL, NULL, 0);
		return;
	}
	if (w > 0 && sample_size_placed(v->s)) {
		/* the size came from the image file (or was assumed), not the ground
		 * truth, and it placed boxes: the boxes are shown placed, but the
		 * numbers (badges, run metrics, the view's outcomes) take the same
		 * inputs as `tailscope report` (run_sample_analyze: no size).  When
		 * the size placed nothing (xyxy pixels) the two analyses are the same
		 * and the one above serves both. */
		const gt_image *gi;
		ts_status st = run_sample_analyze(v->t, r->g, r->gt_path, &r->an, &gi, &v->s_num, &e);
		record_done(s, r, idx, v->t, v->s_num, st == TS_OK);
	} else {
		record_done(s, r, idx, v->t, v->s, !r->g || v->gimg);
	}
	v->off = sample_outcome_for(view_numbers(v), &pol_off);

	if (view_setup_replay(v) != 0) {
		v->failed = 1;
		snprintf(v->error, sizeof v->error, "out of memory");
		return;
	}
	replay *rp = &v->rp;
	view_apply_policy(s, rp->policy_on);
	replay_end(rp);
}

void session_view_policy(session *s, int on)
{
	replay_set_policy(&s->view.rp, on);
}

void session_set_policy(session *s, size_t pol, int on)
{
	if (pol >= 1 && pol < COMPARE_N_POL)
		s->pol = pol;
	view_apply_policy(s, on);
}

const char *session_policy_name(const session *s, size_t i, char *buf, size_t bufsz)
{
	if (i >= COMPARE_N_POL) {
		snprintf(buf, bufsz, "?");
		return buf;
	}
	char tmp[64];
	snprintf(buf, bufsz, "%s", policy_name(&s->pols[i], tmp, sizeof tmp));
	return buf;
}

/* Every boundary's P(close) and the sample's summary, as report computes
 * them (conf_termination over the records and the repeated tail). */
static void view_close_all(session *s)
{
	session_view *v = &s->view;
	conf_eos eos = session_view_eos(s);
	conf_termination(v->t, sample_records(v->s), sample_n_records(v->s), sample_repeat(v->s)->tail_start,
	                 &eos, v->closep, &v->term);
}

double session_view_closep(session *s, size_t i)
{
	session_view *v = &s->view;
	if (!v->valid || v->failed || !v->s || i >= sample_n_records(v->s))
		return NAN;
	if (v->closep[i] == CLOSEP_UNSET)
		view_close_all(s);
	return v->closep[i];
}

int session_view_close_term(session *s, conf_term *out)
{
	session_view *v = &s->view;
	if (!v->valid || v->failed || !v->s || !trace_has_alts(v->t))
		return 0;
	if (sample_n_records(v->s) && v->closep[0] == CLOSEP_UNSET)
		view_close_all(s);
	else if (!sample_n_records(v->s))
		v->term = (conf_term){ NAN, -1, NAN, 0 };
	*out = v->term;
	return 1;
}

conf_eos session_view_eos(const session *s)
{
	conf_eos e = { NULL, 0 };
	if (s->view.valid && s->view.run < s->n_runs && s->runs[s->view.run].info) {
		e = s->runs[s->view.run].an.eos;
	}
	return e;
}
