/* trace_tgi.c — container: Hugging Face TGI /generate.  With details the
 * steps; without, "generated_text" as pseudo-steps.  Its stream form
 * (/generate_stream events): trace_tgi_chunk below. */
#include "trace_container.h"

/* TGI /generate with details: details.tokens [{id, text, logprob, special}],
 * details.top_tokens [[{id, text, logprob, special}, ...], ...] (one list
 * per step), details.finish_reason length | eos_token | stop_sequence. */
static ts_status parse_tgi(trace_ctx *c, const cJSON *details)
{
	trace *t = c->t;
	t->fmt = t->container = TRACE_FMT_TGI;
	t->finish = trace_map_finish_reason(trace_key(details, "finish_reason"));
	return trace_ctx_steps_top(c, trace_key(details, "tokens"), "details.tokens",
	                           trace_key(details, "top_tokens"));
}

int trace_tgi_detect(const cJSON *root)
{
	const cJSON *details = trace_key(root, "details");
	if (cJSON_IsObject(details) && trace_key(details, "tokens"))
		return TRACE_TIER_STEPS;
	if (cJSON_IsString(trace_key(root, "generated_text")))
		return TRACE_TIER_GENERATED;
	return TRACE_TIER_NONE;
}

ts_status trace_tgi_read(trace_ctx *c, const cJSON *root, int tier)
{
	const cJSON *details = trace_key(root, "details");
	if (tier == TRACE_TIER_STEPS)
		return parse_tgi(c, details);
	c->t->container = TRACE_FMT_TGI; /* without details */
	c->t->finish = trace_map_finish_reason(trace_key(details, "finish_reason"));
	return trace_ctx_text(c, trace_key(root, "generated_text"), "generated_text");
}

/* ---- its stream form (trace_chunk_apply) ---- */

/* One TGI /generate_stream event: {"index", "token": {id, text, logprob,
 * special}, "top_tokens": [...], "generated_text": null | the whole text,
 * "details": null | {"finish_reason", ...}}. */
ts_status trace_tgi_chunk(trace_ctx *c, const cJSON *root, const cJSON *choice, size_t pos, int *done)
{
	(void)choice, (void)pos;
	trace *t = c->t;
	c->where = "token";
	const cJSON *top = trace_key(root, "top_tokens");
	if (top && !cJSON_IsArray(top))
		return ts_error_set(c->err, TS_ERR_FIELD, "top_tokens is not an array");
	ts_status st = trace_ctx_step(c, trace_key(root, "token"), t->n_steps, top);
	if (st)
		return st;
	if (trace_key(root, "generated_text")) {
		t->finish = trace_map_finish_reason(trace_key(trace_key(root, "details"), "finish_reason"));
		*done = 1;
	}
	return TS_OK;
}
