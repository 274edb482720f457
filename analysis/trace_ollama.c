/* trace_ollama.c — container: Ollama's final /api/generate or /api/chat
 * object.  Its stream form (NDJSON lines): trace_ollama_chunk below. */
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

/* ---- its stream form (trace_chunk_apply) ---- */

/* One Ollama streaming line (/api/generate or /api/chat with stream on):
 * its "logprobs" steps, else its text as one step; "done": true ends it. */
ts_status trace_ollama_chunk(trace_ctx *c, const cJSON *root, const cJSON *choice, size_t pos,
                            int *done)
{
	(void)choice, (void)pos;
	trace *t = c->t;
	ts_status st = TS_OK;
	const cJSON *lp = trace_key(root, "logprobs");
	if (lp) {
		st = trace_ctx_steps(c, lp, "logprobs");
	} else {
		const char *where = "response";
		const cJSON *r = trace_key(root, "response");
		if (!r) {
			r = trace_key(trace_key(root, "message"), "content");
			where = "message.content";
		}
		if (r) {
			st = trace_ctx_delta(c, r, where);
		}
	}
	if (st)
		return st;
	if (cJSON_IsTrue(trace_key(root, "done"))) {
		t->finish = trace_map_finish_reason(trace_key(root, "done_reason"));
		*done = 1;
	}
	return TS_OK;
}
