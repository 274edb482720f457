/* trace_native.c — container: tailscope's own lines, {"tokens": [steps],
 * "finish_reason", ...}, or a line with only a "text" or a "response"
 * string (pseudo-steps), and the messages for a line nothing reads.
 * llama.cpp writes "tokens": [] or [ids...] next to its own fields, so
 * "tokens" is native steps only when it holds steps (or is not an array:
 * its message). */
#include "trace_container.h"

/* An array of step objects or strings (not of token ids). */
static int holds_steps(const cJSON *a)
{
	return cJSON_IsArray(a) && a->child && (cJSON_IsObject(a->child) || cJSON_IsString(a->child));
}

int trace_native_detect(const cJSON *root)
{
	const cJSON *tokens = trace_key(root, "tokens");
	if (tokens && (holds_steps(tokens) || !cJSON_IsArray(tokens)))
		return TRACE_TIER_STEPS;
	if (trace_key(root, "text") && !cJSON_IsObject(trace_key(root, "meta_info")))
		return TRACE_TIER_TEXT; /* with meta_info: SGLang's */
	if (cJSON_IsString(trace_key(root, "response")))
		return TRACE_TIER_RESPONSE;
	return TRACE_TIER_LAST;
}

/* Nothing else read the line: an empty "tokens", else its message. */
static ts_status read_last(trace_ctx *c, const cJSON *root)
{
	const cJSON *tokens = trace_key(root, "tokens");
	if (cJSON_IsArray(tokens) && !tokens->child) { /* native, no steps */
		c->t->finish = trace_map_finish_reason(trace_key(root, "finish_reason"));
		return TS_OK;
	}
	if (cJSON_IsArray(tokens))
		return ts_error_set(c->err, TS_ERR_FORMAT,
		                    "tokens holds token ids, not steps, and the line has no text or completion");
	return ts_error_set(c->err, TS_ERR_FORMAT, "no tokens, text or completion in line");
}

ts_status trace_native_read(trace_ctx *c, const cJSON *root, int tier)
{
	trace *t = c->t;
	switch (tier) {
	case TRACE_TIER_STEPS:
		t->fmt = TRACE_FMT_NATIVE;
		t->finish = trace_map_finish_reason(trace_key(root, "finish_reason"));
		return trace_ctx_steps(c, trace_key(root, "tokens"), "tokens");
	case TRACE_TIER_TEXT:
		t->finish = trace_map_finish_reason(trace_key(root, "finish_reason"));
		return trace_ctx_text(c, trace_key(root, "text"), "text");
	case TRACE_TIER_RESPONSE:
		t->finish = trace_map_finish_reason(trace_key(root, "finish_reason"));
		return trace_ctx_text(c, trace_key(root, "response"), "response");
	default:
		return read_last(c, root);
	}
}
