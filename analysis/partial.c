/* partial.c — report's mergeable state per shard and the merge (partial.h). */
#include "partial.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_CHECK (9 + REC_KEY_COUNT + 16)
#define N_MET 15
#define N_TIDE (1 + TIDE_KIND_COUNT + 3) /* tide_ok, err[], missed, tp, fp */

/* ---- writing ---- */

static void check_vals(const coords_check *c, double *v)
{
	size_t k = 0;
	v[k++] = (double)c->records;
	v[k++] = (double)c->above;
	v[k++] = (double)c->reversed;
	v[k++] = (double)c->outside;
	v[k++] = (double)c->le1;
	v[k++] = (double)c->nonzero;
	v[k++] = (double)c->sized;
	v[k++] = (double)c->le1_of;
	v[k++] = (double)c->above_qwen3;
	for (size_t i = 0; i < REC_KEY_COUNT; i++)
		v[k++] = (double)c->by_key[i];
	for (size_t i = 0; i < 16; i++)
		v[k++] = (double)c->by_kind[i];
}

static size_t *met_field(run_metrics *m, size_t i)
{
	size_t *f[N_MET] = { &m->samples, &m->records, &m->duplicates, &m->max_repeat,
	                     &m->samples_with_duplicates, &m->closed, &m->truncated,
	                     &m->malformed, &m->stopped, &m->tokens, &m->tokens_all, &m->tails,
	                     &m->false_stops, &m->early_stops, &m->tails_unstopped };
	return f[i];
}

static cJSON *metrics_state(const run_metrics *m)
{
	cJSON *j = cJSON_CreateArray();
	run_metrics *mm = (run_metrics *)(uintptr_t)m; /* read only */
	for (size_t i = 0; j && i < N_MET; i++)
		cJSON_AddItemToArray(j, cJSON_CreateNumber((double)*met_field(mm, i)));
	cJSON *c = cJSON_CreateArray();
	for (size_t t = 0; c && t < m->n_iou; t++) {
		double v[4] = { (double)m->counts[t].tp, (double)m->counts[t].fp,
		                (double)m->counts[t].fn, (double)m->tp_lost[t] };
		cJSON_AddItemToArray(c, cJSON_CreateDoubleArray(v, 4));
	}
	cJSON_AddItemToArray(j, c);
	double tv[N_TIDE];
	size_t k = 0;
	tv[k++] = m->tide_ok;
	for (size_t i = 0; i < TIDE_KIND_COUNT; i++)
		tv[k++] = (double)m->tide.err[i];
	tv[k++] = (double)m->tide.missed;
	tv[k++] = (double)m->tide.tp;
	tv[k++] = (double)m->tide.fp;
	cJSON_AddItemToArray(j, cJSON_CreateDoubleArray(tv, N_TIDE));
	return j;
}

/* A double exactly, whatever the locale: its 64 bits as 16 hex digits
 * (cJSON's printer keeps 15 significant digits when they read back within
 * an epsilon, which is not bit for bit); null for NAN. */
static cJSON *num_or_null(double v)
{
	if (isnan(v))
		return cJSON_CreateNull();
	uint64_t b;
	char hex[17];
	memcpy(&b, &v, sizeof b);
	snprintf(hex, sizeof hex, "%016llx", (unsigned long long)b);
	return cJSON_CreateString(hex);
}

static cJSON *ap_state(const conf_ap *a)
{
	cJSON *j = cJSON_CreateObject();
	cJSON *d = cJSON_AddArrayToObject(j, "dets");
	for (size_t i = 0; d && i < conf_ap_n_dets(a); i++) {
		double score;
		int64_t id;
		int cat, tp;
		conf_ap_det(a, i, &score, &id, &cat, &tp);
		cJSON *e = cJSON_CreateArray();
		cJSON_AddItemToArray(e, num_or_null(score)); /* only -inf is not finite */
		cJSON_AddItemToArray(e, cJSON_CreateNumber((double)id));
		cJSON_AddItemToArray(e, cJSON_CreateNumber(cat));
		cJSON_AddItemToArray(e, cJSON_CreateNumber(tp));
		cJSON_AddItemToArray(d, e);
	}
	cJSON *np = cJSON_AddArrayToObject(j, "npig");
	for (size_t c = 0; np && c < conf_ap_n_cats(a); c++)
		cJSON_AddItemToArray(np, cJSON_CreateNumber((double)conf_ap_npig(a, c)));
	return j;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *calib_state(const double *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < n; i++) {
		cJSON_AddItemToArray(a, num_or_null(v[2 * i]));
		cJSON_AddItemToArray(a, cJSON_CreateNumber(v[2 * i + 1]));
	}
	return a;
}

static cJSON *run_state(const export_opts *o, const export_run *r)
{
	cJSON *j = cJSON_CreateObject();
	if (!j)
		return NULL;
	add_str(j, "name", r->name);
	add_str(j, "name_raw", r->name_raw);
	add_str(j, "path", r->path);
	add_str(j, "traces", r->traces);
	static const char *const flags[] = { "opened", "simulated", "gt_loaded", "has_conf", "has_ap" };
	int fv[] = { r->opened, r->simulated, r->gt_loaded, r->has_conf, r->has_ap };
	for (size_t i = 0; i < 5; i++)
		cJSON_AddBoolToObject(j, flags[i], fv[i]);
	cJSON_AddNumberToObject(j, "skipped", (double)r->skipped);
	cJSON_AddNumberToObject(j, "skipped_run", (double)r->skipped_run);
	cJSON_AddNumberToObject(j, "records_scored", (double)r->records_scored);
	cJSON_AddNumberToObject(j, "unlabeled", (double)r->unlabeled);
	cJSON_AddNumberToObject(j, "query_unknown", (double)r->query_unknown);
	double cv[N_CHECK];
	check_vals(&r->check, cv);
	cJSON_AddItemToObject(j, "check", cJSON_CreateDoubleArray(cv, N_CHECK));
	cJSON *m = cJSON_AddArrayToObject(j, "metrics");
	for (size_t p = 0; m && p < o->n_pol; p++)
		cJSON_AddItemToArray(m, metrics_state(&r->m[p]));
	cJSON *t = cJSON_AddObjectToObject(j, "term");
	cJSON_AddNumberToObject(t, "samples", (double)r->term.samples);
	cJSON *tl = cJSON_AddArrayToObject(t, "tails");
	for (size_t i = 0; tl && i < r->n_tail_vals; i++) {
		cJSON *e = cJSON_CreateArray();
		cJSON_AddItemToArray(e, num_or_null(r->tail_vals[2 * i]));
		cJSON_AddItemToArray(e, num_or_null(r->tail_vals[2 * i + 1]));
		cJSON_AddItemToArray(tl, e);
	}
	cJSON *cal = cJSON_AddArrayToObject(j, "calib");
	for (size_t p = 0; cal && p < o->n_pol; p++)
		cJSON_AddItemToArray(cal, calib_state(r->calib_vals[p], r->n_calib_vals[p]));
	cJSON *ap = cJSON_AddArrayToObject(j, "ap");
	for (size_t p = 0; ap && r->has_ap && p < o->n_pol; p++)
		cJSON_AddItemToArray(ap, r->ap_state[p] ? ap_state(r->ap_state[p]) : cJSON_CreateNull());
	return j;
}

cJSON *partial_json(const export_opts *o, export_run *const *runs, size_t n, size_t shard_k,
                    size_t shard_n, const char *const *options, size_t n_opt)
{
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return NULL;
	cJSON_AddNumberToObject(root, "tailscope_partial", 1);
	double sh[2] = { (double)shard_k, (double)shard_n };
	cJSON_AddItemToObject(root, "shard", cJSON_CreateDoubleArray(sh, 2));
	cJSON *op = cJSON_AddArrayToObject(root, "options");
	for (size_t i = 0; op && i < n_opt; i++)
		cJSON_AddItemToArray(op, cJSON_CreateString(options[i]));
	cJSON *arr = cJSON_AddArrayToObject(root, "runs");
	for (size_t i = 0; arr && i < n; i++)
		cJSON_AddItemToArray(arr, run_state(o, runs[i]));
	char *probe = cJSON_PrintUnformatted(root); /* any failed allocation shows as a short tree */
	if (!probe) {
		cJSON_Delete(root);
		return NULL;
	}
	free(probe);
	return root;
}

/* ---- reading ---- */

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* A whole number 0 .. 2^53 (what the writer wrote from a size_t). */
static int get_size(const cJSON *v, size_t *out)
{
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 9007199254740992.0 ||
	    v->valuedouble != floor(v->valuedouble))
		return -1;
	*out = (size_t)v->valuedouble;
	return 0;
}

ts_status partial_header(const cJSON *p, size_t *k, size_t *n, const cJSON **options,
                         ts_error *err)
{
	const cJSON *sh = get(p, "shard");
	if (!cJSON_IsObject(p) || !cJSON_IsNumber(get(p, "tailscope_partial")) ||
	    cJSON_GetArraySize(sh) != 2 || get_size(cJSON_GetArrayItem(sh, 0), k) ||
	    get_size(cJSON_GetArrayItem(sh, 1), n) || *k < 1 || *k > *n ||
	    !cJSON_IsArray(get(p, "options")) || !cJSON_IsArray(get(p, "runs")))
		return ts_error_set(err, TS_ERR_FORMAT,
		                    "not a partial state (tailscope report --json --partial output)");
	*options = get(p, "options");
	for (const cJSON *o = (*options)->child; o; o = o->next)
		if (!cJSON_IsString(o))
			return ts_error_set(err, TS_ERR_FORMAT, "options: not a list of strings");
	return TS_OK;
}

static int bool_of(const cJSON *r, const char *k)
{
	return cJSON_IsTrue(get(r, k));
}

static char *str_of(const cJSON *r, const char *k)
{
	const cJSON *v = get(r, k);
	return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

static int same_str(const cJSON *a, const cJSON *b, const char *k)
{
	const cJSON *x = get(a, k), *y = get(b, k);
	if (cJSON_IsString(x) && cJSON_IsString(y))
		return !strcmp(x->valuestring, y->valuestring);
	return cJSON_IsNull(x) && cJSON_IsNull(y);
}

static int add_check(coords_check *c, const cJSON *a)
{
	size_t v[N_CHECK], k = 0;
	if (cJSON_GetArraySize(a) != N_CHECK)
		return -1;
	for (const cJSON *e = a->child; e; e = e->next)
		if (get_size(e, &v[k++]))
			return -1;
	k = 0;
	size_t *f[9] = { &c->records, &c->above, &c->reversed, &c->outside, &c->le1, &c->nonzero,
	                 &c->sized, &c->le1_of, &c->above_qwen3 };
	for (size_t i = 0; i < 9; i++)
		*f[i] += v[k++];
	for (size_t i = 0; i < REC_KEY_COUNT; i++)
		c->by_key[i] += v[k++];
	for (size_t i = 0; i < 16; i++)
		c->by_kind[i] += v[k++];
	return 0;
}

/* metrics_state's TIDE array added to m */
static int add_tide(run_metrics *m, const cJSON *a)
{
	size_t v[N_TIDE];
	if (cJSON_GetArraySize(a) != N_TIDE)
		return -1;
	for (int i = 0; i < N_TIDE; i++)
		if (get_size(cJSON_GetArrayItem(a, i), &v[i]))
			return -1;
	if (!v[0])
		return 0;
	tide_counts t = { .missed = v[1 + TIDE_KIND_COUNT], .tp = v[2 + TIDE_KIND_COUNT],
	                  .fp = v[3 + TIDE_KIND_COUNT] };
	for (size_t i = 0; i < TIDE_KIND_COUNT; i++)
		t.err[i] = v[1 + i];
	tide_sum(&m->tide, &t);
	m->tide_ok = 1;
	return 0;
}

static int add_metrics(run_metrics *m, const cJSON *a)
{
	if (cJSON_GetArraySize(a) != N_MET + 2)
		return -1;
	const cJSON *e = a->child;
	for (size_t i = 0; i < N_MET; i++, e = e->next) {
		size_t v;
		if (get_size(e, &v))
			return -1;
		size_t *f = met_field(m, i);
		if (i == 3) /* max_repeat */
			*f = v > *f ? v : *f;
		else
			*f += v;
	}
	if (cJSON_GetArraySize(e) != (int)m->n_iou)
		return -1;
	size_t t = 0;
	for (const cJSON *c = e->child; c; c = c->next, t++) {
		size_t v[5];
		if (cJSON_GetArraySize(c) != 4)
			return -1;
		for (int i = 0; i < 4; i++)
			if (get_size(cJSON_GetArrayItem(c, i), &v[i]))
				return -1;
		m->counts[t].tp += v[0];
		m->counts[t].fp += v[1];
		m->counts[t].fn += v[2];
		m->tp_lost[t] += v[3];
	}
	return add_tide(m, e->next);
}

/* num_or_null's value back: null_as for null (and for anything else but
 * 16 hex digits, which no partial writes) */
static double val_or_nan(const cJSON *v, double null_as)
{
	const char *h = cJSON_GetStringValue(v);
	if (!h || strlen(h) != 16 || strspn(h, "0123456789abcdef") != 16)
		return null_as;
	uint64_t b = (uint64_t)strtoull(h, NULL, 16);
	double d;
	memcpy(&d, &b, sizeof d);
	return d;
}

static int add_term(conf_term_run *t, const cJSON *j)
{
	size_t samples;
	const cJSON *tl = get(j, "tails");
	if (get_size(get(j, "samples"), &samples) || !cJSON_IsArray(tl))
		return -1;
	size_t before = t->samples;
	for (const cJSON *e = tl->child; e; e = e->next) {
		if (cJSON_GetArraySize(e) != 2)
			return -1;
		conf_term ct = { val_or_nan(cJSON_GetArrayItem(e, 0), NAN), -1,
		                 val_or_nan(cJSON_GetArrayItem(e, 1), NAN), 0 };
		conf_term_run_add(t, &ct, 1);
	}
	t->samples = before + samples; /* the replay counted only the tails */
	return 0;
}

static int add_ap(conf_ap *a, const cJSON *j)
{
	const cJSON *d = get(j, "dets"), *np = get(j, "npig");
	if (!cJSON_IsArray(d) || !cJSON_IsArray(np))
		return -1;
	for (const cJSON *e = d->child; e; e = e->next) {
		const cJSON *id = cJSON_GetArrayItem(e, 1), *cat = cJSON_GetArrayItem(e, 2);
		if (cJSON_GetArraySize(e) != 4 || !cJSON_IsNumber(id) || !cJSON_IsNumber(cat))
			return -1;
		if (conf_ap_add_det(a, val_or_nan(cJSON_GetArrayItem(e, 0), -INFINITY),
		                    (int64_t)id->valuedouble, (int)cat->valuedouble,
		                    cJSON_GetArrayItem(e, 3)->valuedouble != 0) != TS_OK)
			return -1;
	}
	size_t c = 0;
	for (const cJSON *e = np->child; e; e = e->next, c++) {
		size_t v;
		if (get_size(e, &v) || (v && conf_ap_add_npig(a, c, v) != TS_OK))
			return -1;
	}
	return 0;
}

/* A shard's calib_add calls replayed in order: (score, is_tp) pairs. */
static int add_calib(calib *c, const cJSON *a)
{
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) % 2)
		return -1;
	for (const cJSON *e = a->child; e; e = e->next->next) {
		if (!cJSON_IsString(e) || !cJSON_IsNumber(e->next))
			return -1;
		calib_add(c, val_or_nan(e, NAN), e->next->valuedouble != 0);
	}
	return 0;
}

/* Run i of every part into r (allocated, strings from part 0). */
static ts_status merge_run(const export_opts *o, const cJSON *const *runs, size_t n_parts,
                           export_run *r, ts_error *err)
{
	const cJSON *r0 = runs[0];
	r->name = str_of(r0, "name");
	r->name_raw = str_of(r0, "name_raw");
	r->path = str_of(r0, "path");
	r->traces = str_of(r0, "traces");
	r->opened = bool_of(r0, "opened");
	r->simulated = bool_of(r0, "simulated");
	r->gt_loaded = bool_of(r0, "gt_loaded");
	r->has_conf = bool_of(r0, "has_conf");
	r->has_ap = bool_of(r0, "has_ap");
	r->n_pol = o->n_pol;
	r->n_iou = o->an.n_iou;
	conf_term_run_init(&r->term);
	coords_check_init(&r->check);
	conf_ap *acc[EXPORT_MAX_POLICIES] = { 0 };
	for (size_t p = 0; p < o->n_pol; p++) {
		run_metrics_init(&r->m[p], &o->an);
		if (r->has_ap && !(acc[p] = conf_ap_new(o->ap_iou)))
			goto nomem;
	}
	for (size_t k = 0; k < n_parts; k++) {
		const cJSON *rj = runs[k];
		size_t v[5];
		const char *bad = NULL;
		if (!same_str(rj, r0, "name_raw") || !same_str(rj, r0, "path"))
			bad = "another run";
		else if (get_size(get(rj, "skipped"), &v[0]) || get_size(get(rj, "skipped_run"), &v[4]) ||
		         v[4] > v[0] || get_size(get(rj, "records_scored"), &v[1]) ||
		         get_size(get(rj, "unlabeled"), &v[2]) || get_size(get(rj, "query_unknown"), &v[3]) ||
		         add_check(&r->check, get(rj, "check")) || add_term(&r->term, get(rj, "term")))
			bad = "a malformed field";
		else if (cJSON_GetArraySize(get(rj, "metrics")) != (int)o->n_pol ||
		         bool_of(rj, "has_ap") != r->has_ap ||
		         (r->has_ap && cJSON_GetArraySize(get(rj, "ap")) != (int)o->n_pol))
			bad = "other policies";
		else if (cJSON_GetArraySize(get(rj, "calib")) != (int)o->n_pol)
			bad = "other policies";
		for (size_t p = 0; !bad && p < o->n_pol; p++)
			if (add_metrics(&r->m[p], cJSON_GetArrayItem(get(rj, "metrics"), (int)p)) ||
			    add_calib(&r->calib[p], cJSON_GetArrayItem(get(rj, "calib"), (int)p)) ||
			    (r->has_ap && add_ap(acc[p], cJSON_GetArrayItem(get(rj, "ap"), (int)p))))
				bad = "malformed metrics or AP state (other IoU thresholds?)";
		if (bad) {
			for (size_t p = 0; p < o->n_pol; p++)
				conf_ap_free(acc[p]);
			return ts_error_set(err, TS_ERR_FORMAT, "shard %zu, run %s: %s", k + 1,
			                    r->name ? r->name : "?", bad);
		}
		/* run-level skips (run.json, ground truth) are seen by every shard:
		 * counted once, as one report over all shards counts them */
		r->skipped += v[0] - v[4] + (k == 0 ? v[4] : 0);
		r->skipped_run = v[4];
		r->records_scored += v[1];
		r->unlabeled += v[2];
		r->query_unknown += v[3];
	}
	for (size_t p = 0; p < o->n_pol; p++)
		run_metrics_finish(&r->m[p]);
	conf_term_run_finish(&r->term);
	ts_status st = TS_OK;
	for (size_t p = 0; p < o->n_pol && r->has_ap && !st; p++)
		st = conf_ap_compute(acc[p], &r->ap[p], err);
	for (size_t p = 0; p < o->n_pol; p++)
		conf_ap_free(acc[p]);
	r->usable = r->m[0].samples > 0;
	return st;
nomem:
	for (size_t p = 0; p < o->n_pol; p++)
		conf_ap_free(acc[p]);
	return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
}

ts_status partial_merge(const export_opts *o, const cJSON *const *parts, size_t n_parts,
                        export_run ***out, size_t *n_out, ts_error *err)
{
	*out = NULL;
	*n_out = 0;
	if (n_parts == 0)
		return ts_error_set(err, TS_ERR_USAGE, "no partial state");
	int n_runs = cJSON_GetArraySize(get(parts[0], "runs"));
	for (size_t k = 1; k < n_parts; k++)
		if (cJSON_GetArraySize(get(parts[k], "runs")) != n_runs)
			return ts_error_set(err, TS_ERR_FORMAT, "shard %zu has %d runs, shard 1 has %d",
			                    k + 1, cJSON_GetArraySize(get(parts[k], "runs")), n_runs);
	export_run **res = calloc(n_runs ? (size_t)n_runs : 1, sizeof *res);
	const cJSON **runs = calloc(n_parts, sizeof *runs);
	ts_status st = res && runs ? TS_OK : ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	for (int i = 0; !st && i < n_runs; i++) {
		for (size_t k = 0; k < n_parts; k++)
			runs[k] = cJSON_GetArrayItem(get(parts[k], "runs"), i);
		if (!(res[i] = calloc(1, sizeof *res[i])))
			st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		else
			st = merge_run(o, runs, n_parts, res[i], err);
	}
	free(runs);
	if (st) {
		for (int i = 0; res && i < n_runs; i++)
			export_run_free(res[i]);
		free(res);
		return st;
	}
	*out = res;
	*n_out = (size_t)n_runs;
	return TS_OK;
}
