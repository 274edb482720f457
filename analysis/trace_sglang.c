/* trace_sglang.c — container: SGLang native /generate. */
#include "trace_container.h"

#include <math.h>
#include <string.h>

/* SGLang native /generate with return_logprob:
 * meta_info.output_token_logprobs [[logprob, token_id, text|null], ...],
 * meta_info.output_top_logprobs [[[logprob, id, text], ...] | null, ...],
 * meta_info.finish_reason {"type": "stop"|"length"|"abort", ...}.  The
 * token text is there only with return_text_in_logprobs; without it the
 * sample is the top-level "text" as pseudo-steps. */
static ts_status sglang_tuple(trace_ctx *c, const cJSON *e, size_t idx, const char *what,
                              trace_tbuf *b, double *lp, uint32_t *off, uint32_t *len,
                              int *no_text)
{
	if (!cJSON_IsArray(e) || !e->child)
		return ts_error_set(c->err, TS_ERR_FIELD, "%s[%zu]%s is not a [logprob, id, text] array",
		                    c->where, idx, what);
	const cJSON *l = e->child, *id = l->next, *tx = id ? id->next : NULL;
	ts_status st = trace_ctx_logprob(c, l, idx, what, lp);
	if (st)
		return st;
	if (!tx || cJSON_IsNull(tx)) {
		*no_text = 1;
		return TS_OK;
	}
	size_t o = b->len, n = 0;
	st = trace_ctx_put_token(c, b, tx, NULL, idx, what, &n);
	if (st)
		return st;
	*off = (uint32_t)o;
	*len = (uint32_t)n;
	return TS_OK;
}

/* Step idx's alternatives tp, a list of [logprob, id, text] (or null), the
 * first max_alts with text kept; none when the step had no text. */
static ts_status sglang_alts(trace_ctx *c, const cJSON *tp, size_t idx, int no_text)
{
	trace *t = c->t;
	if (!cJSON_IsArray(tp)) {
		if (cJSON_IsNull(tp))
			return TS_OK;
		return ts_error_set(c->err, TS_ERR_FIELD,
		                    "meta_info.output_top_logprobs[%zu] is not an array", idx);
	}
	size_t na = 0;
	for (const cJSON *a = tp->child; a && na < c->lim->max_alts && !no_text; a = a->next) {
		ts_status st = trace_ctx_alt_room(c);
		if (st)
			return st;
		trace_alt *al = &t->alts[t->n_alts];
		int alt_no_text = 0;
		st = sglang_tuple(c, a, idx, " alternative", &t->alt_text, &al->logprob, &al->off,
		                  &al->len, &alt_no_text);
		if (st)
			return st;
		if (alt_no_text)
			continue; /* an alternative without text cannot be shown: left out */
		t->n_alts++;
		na++;
	}
	t->steps[t->n_steps - 1].n_alt = (uint32_t)na;
	return TS_OK;
}

/* The steps of output_token_logprobs; *no_text when a token has no text. */
static ts_status sglang_steps(trace_ctx *c, const cJSON *arr, const cJSON *top, int *no_text)
{
	trace *t = c->t;
	const cJSON *tp = top ? top->child : NULL;
	size_t idx = 0;
	for (const cJSON *e = arr->child; e && !*no_text; e = e->next, idx++) {
		trace_step *step;
		ts_status st = trace_ctx_push_step(c, &step);
		if (st)
			return st;
		memset(step, 0, sizeof *step);
		step->alt_first = (uint32_t)t->n_alts;
		double lp;
		uint32_t off = 0, len = 0;
		st = sglang_tuple(c, e, idx, "", &t->text, &lp, &off, &len, no_text);
		if (st)
			return st;
		step->off = off;
		step->len = len;
		step->logprob = lp;
		if (!isnan(lp))
			t->has_lp = 1;
		if (tp && (st = sglang_alts(c, tp, idx, *no_text)))
			return st;
		if (tp)
			tp = tp->next;
	}
	return TS_OK;
}

static trace_finish sglang_finish(const cJSON *meta)
{
	const cJSON *fr = trace_key(meta, "finish_reason");
	return trace_map_finish_reason(cJSON_IsObject(fr) ? trace_key(fr, "type") : fr);
}

static ts_status parse_sglang(trace_ctx *c, const cJSON *root, const cJSON *meta)
{
	trace *t = c->t;
	t->fmt = t->container = TRACE_FMT_SGLANG;
	t->finish = sglang_finish(meta);
	const cJSON *arr = trace_key(meta, "output_token_logprobs");
	const cJSON *top = trace_key(meta, "output_top_logprobs");
	c->where = "meta_info.output_token_logprobs";
	if (!cJSON_IsArray(arr))
		return ts_error_set(c->err, TS_ERR_FIELD, "%s is not an array", c->where);
	if (top && !cJSON_IsArray(top))
		return ts_error_set(c->err, TS_ERR_FIELD, "meta_info.output_top_logprobs is not an array");
	int no_text = 0;
	ts_status st = sglang_steps(c, arr, top, &no_text);
	if (st)
		return st;
	if (no_text) {
		/* no token text: the generated text as pseudo-steps */
		t->n_steps = t->n_alts = 0;
		t->text.len = t->alt_text.len = 0;
		t->has_lp = 0;
		return trace_ctx_text(c, trace_key(root, "text"), "text");
	}
	return TS_OK;
}

int trace_sglang_detect(const cJSON *root)
{
	const cJSON *meta = trace_key(root, "meta_info");
	if (cJSON_IsObject(meta) && trace_key(meta, "output_token_logprobs"))
		return TRACE_TIER_STEPS;
	if (cJSON_IsObject(meta) && trace_key(root, "text"))
		return TRACE_TIER_TEXT; /* without logprobs */
	return TRACE_TIER_NONE;
}

ts_status trace_sglang_read(trace_ctx *c, const cJSON *root, int tier)
{
	const cJSON *meta = trace_key(root, "meta_info");
	if (tier == TRACE_TIER_STEPS)
		return parse_sglang(c, root, meta);
	c->t->container = TRACE_FMT_SGLANG;
	c->t->finish = sglang_finish(meta);
	return trace_ctx_text(c, trace_key(root, "text"), "text");
}
