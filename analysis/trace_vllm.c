/* trace_vllm.c — vLLM offline RequestOutput as users dump it to JSON (one
 * object a line), and the per-step logprob dicts it shares with Ray Data
 * rows (trace_ray.c).  Fields, from vLLM's outputs.py / sequence.py:
 *   RequestOutput    {"request_id", "prompt", "prompt_token_ids", "outputs":
 *                     [CompletionOutput], "finished", ...}
 *   CompletionOutput {"index", "text", "token_ids", "cumulative_logprob",
 *                     "logprobs": [{token_id: Logprob}] | null,
 *                     "finish_reason": "stop"|"length"|"abort"|null,
 *                     "stop_reason"}
 *   Logprob          {"logprob", "rank", "decoded_token"}
 * Each completion is a sample of the same image: with n > 1, outputs[k] is
 * the line's (k+1)-th sample (trace_line_choices; the reader gives them in
 * order, as it gives an OpenAI stream's choices[]).  "request_id" names
 * each sample when the line has no custom_id.  A null finish_reason is
 * inferred (trace.h: trace_finish_how).  The user's own columns (image_id,
 * file_name) name the image as on any line. */
#include "trace_container.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 4096 /* entries of one step's dict looked at */

static const cJSON *get(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNull(v) ? NULL : v;
}

typedef struct ent {
	const cJSON *e;
	double rank;
} ent;

static int by_rank(const void *a, const void *b)
{
	double x = ((const ent *)a)->rank, y = ((const ent *)b)->rank;
	return x < y ? -1 : x > y;
}

/* The alternatives of step idx: d's entries by rank. */
static ts_status step_alts(trace *t, const cJSON *d, const cJSON *chosen, const char *where,
                           size_t idx, const trace_limits *lim, ts_error *err)
{
	ent v[64], *e = v;
	size_t n = 0, cap = sizeof v / sizeof *v;
	for (const cJSON *x = d->child; x && n < MAX_ENTRIES; x = x->next) {
		if (n == cap) {
			ent *ne = malloc(MAX_ENTRIES * sizeof *ne);
			if (!ne)
				return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
			memcpy(ne, v, n * sizeof *ne);
			e = ne;
			cap = MAX_ENTRIES;
		}
		const cJSON *r = cJSON_IsObject(x) ? get(x, "rank") : NULL;
		e[n].e = x;
		e[n].rank = cJSON_IsNumber(r) ? r->valuedouble : 1e300;
		n++;
	}
	qsort(e, n, sizeof *e, by_rank);
	ts_status st = TS_OK;
	for (size_t i = 0; i < n && !st; i++) {
		if (e[i].e == chosen && e[i].rank > (double)n)
			continue; /* the sampled token vLLM adds beyond the top-k */
		const cJSON *txt = cJSON_IsObject(e[i].e) ? get(e[i].e, "decoded_token") : NULL;
		if (cJSON_IsString(txt))
			st = trace_build_alt(t, lim, txt, get(e[i].e, "logprob"), where, idx, err);
	}
	if (e != v)
		free(e);
	return st;
}

ts_status trace_vllm_steps(trace *t, const cJSON *logprobs, const cJSON *ids, const char *where,
                           const trace_limits *lim, int *no_text, ts_error *err)
{
	*no_text = 0;
	if (!cJSON_IsArray(logprobs))
		return ts_error_set(err, TS_ERR_FIELD, "%s is not an array", where);
	if (!cJSON_IsArray(ids))
		return ts_error_set(err, TS_ERR_FIELD, "%s: the sampled token ids are missing", where);
	if (cJSON_GetArraySize(logprobs) != cJSON_GetArraySize(ids))
		return ts_error_set(err, TS_ERR_FIELD, "%s has %d steps but there are %d token ids", where,
		                    cJSON_GetArraySize(logprobs), cJSON_GetArraySize(ids));
	const cJSON *id = ids->child;
	size_t idx = 0;
	for (const cJSON *d = logprobs->child; d; d = d->next, id = id->next, idx++) {
		if (!cJSON_IsNumber(id) || !cJSON_IsObject(d)) {
			trace_build_drop_steps(t);
			if (cJSON_IsNull(d)) {
				*no_text = 1;
				return TS_OK;
			}
			return ts_error_set(err, TS_ERR_FIELD, "%s[%zu]: not a token id and a dict", where,
			                    idx);
		}
		char key[32];
		snprintf(key, sizeof key, "%" PRId64, (int64_t)id->valuedouble);
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(d, key);
		const cJSON *txt = cJSON_IsObject(ch) ? get(ch, "decoded_token") : NULL;
		if (!ch || !cJSON_IsString(txt)) {
			trace_build_drop_steps(t);
			if (ch) {
				*no_text = 1;
				return TS_OK;
			}
			return ts_error_set(err, TS_ERR_FIELD, "%s[%zu]: no entry for the sampled token %s",
			                    where, idx, key);
		}
		ts_status st = trace_build_step(t, lim, txt, get(ch, "logprob"), where, idx, err);
		if (!st)
			st = step_alts(t, d, ch, where, idx, lim, err);
		if (st) {
			trace_build_drop_steps(t);
			return st;
		}
	}
	return TS_OK;
}

int trace_vllm_detect(const cJSON *root)
{
	const cJSON *o = get(root, "outputs");
	if (!cJSON_IsArray(o) || !cJSON_IsObject(o->child))
		return TRACE_TIER_NONE;
	const cJSON *c = o->child;
	return (get(c, "token_ids") || get(c, "text")) &&
	               (get(root, "request_id") || get(root, "prompt_token_ids") || get(root, "finished"))
	           ? TRACE_TIER_STEPS
	           : TRACE_TIER_NONE;
}

static ts_status vllm_parse(trace *t, const cJSON *root, long k, const trace_limits *lim,
                            ts_error *err)
{
	const cJSON *c = cJSON_GetArrayItem(get(root, "outputs"), (int)k);
	trace_build_container(t, TRACE_FMT_VLLM_OFFLINE);
	if (!cJSON_IsObject(c))
		return ts_error_set(err, TS_ERR_FIELD, "outputs[%ld] is not an object", k);
	char where[48];
	const cJSON *rid = get(root, "request_id");
	if (cJSON_IsString(rid) && !trace_custom_id(t) &&
	    trace_set_refs(t, NULL, NULL, rid->valuestring, NULL) != TS_OK)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	const cJSON *lp = get(c, "logprobs"), *ids = get(c, "token_ids"), *text = get(c, "text");
	int no_text = 1;
	if (lp) {
		snprintf(where, sizeof where, "outputs[%ld].logprobs", k);
		ts_status st = trace_vllm_steps(t, lp, ids, where, lim, &no_text, err);
		if (st)
			return st;
	}
	if (no_text) {
		if (!text)
			return ts_error_set(err, TS_ERR_FIELD, "outputs[%ld]: no logprobs with decoded "
			                    "tokens and no text", k);
		snprintf(where, sizeof where, "outputs[%ld].text", k);
		ts_status st = trace_build_text(t, lim, text, where, err);
		if (st)
			return st;
	}
	const cJSON *fr = get(c, "finish_reason");
	if (fr)
		trace_build_finish(t, trace_map_finish_reason(fr), TRACE_FINISH_GIVEN);
	else
		trace_infer_finish(t, lim, cJSON_IsArray(ids) ? (size_t)cJSON_GetArraySize(ids)
		                                              : trace_n_steps(t));
	return TS_OK;
}

ts_status trace_vllm_read(trace_ctx *c, const cJSON *root, int tier)
{
	(void)tier;
	return vllm_parse(c->t, root, c->choice, c->lim, c->err);
}
