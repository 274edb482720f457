/* trace_ollama.c — container: Ollama's final /api/generate or /api/chat
 * object.  Streamed lines: trace.c (trace_chunk_apply). */
#include "trace_container.h"

/* Ollama /api/generate ("response") or /api/chat ("message".content) with
 * logprobs: top-level "logprobs" [{token, logprob, bytes, top_logprobs}],
 * "done_reason" stop | length. */
static int is_ollama(const cJSON *root)
{
	const cJSON *r = trace_key(root, "response"), *m = trace_key(root, "message");
	return (cJSON_IsString(r) || cJSON_IsObject(m)) &&
	       (trace_key(root, "done_reason") || trace_key(root, "done") ||
	        trace_key(root, "created_at"));
}

static ts_status parse_ollama(trace_ctx *c, const cJSON *root)
{
	trace *t = c->t;
	t->fmt = t->container = TRACE_FMT_OLLAMA;
	t->finish = trace_map_finish_reason(trace_key(root, "done_reason"));
	const cJSON *lp = trace_key(root, "logprobs");
	if (lp)
		return trace_ctx_steps(c, lp, "logprobs");
	const cJSON *r = trace_key(root, "response");
	if (cJSON_IsString(r))
		return trace_ctx_text(c, r, "response");
	return trace_ctx_text(c, trace_key(trace_key(root, "message"), "content"), "message.content");
}

int trace_ollama_detect(const cJSON *root)
{
	if (!is_ollama(root))
		return TRACE_TIER_NONE;
	return trace_key(root, "logprobs") ? TRACE_TIER_STEPS : TRACE_TIER_MARKERS;
}

ts_status trace_ollama_read(trace_ctx *c, const cJSON *root, int tier)
{
	(void)tier;
	return parse_ollama(c, root);
}
