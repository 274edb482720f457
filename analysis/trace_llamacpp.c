/* trace_llamacpp.c — container: llama.cpp's /completion response,
 * "completion_probabilities" [{token, logprob|prob, bytes, top_logprobs|
 * top_probs}] (at the top or under "response"), or without probabilities
 * its "content" as pseudo-steps; the finish from stop_type or the
 * stopped_* flags.  Its stream form: trace_llamacpp_chunk below. */
#include "trace_container.h"

#include <string.h>

trace_finish trace_llamacpp_finish(const cJSON *o)
{
	const cJSON *st = trace_key(o, "stop_type");
	if (cJSON_IsString(st)) {
		const char *s = st->valuestring;
		if (!strcmp(s, "eos") || !strcmp(s, "word"))
			return TRACE_FINISH_STOP;
		if (!strcmp(s, "limit"))
			return TRACE_FINISH_LENGTH;
		return TRACE_FINISH_UNKNOWN;
	}
	if (cJSON_IsTrue(trace_key(o, "stopped_limit")))
		return TRACE_FINISH_LENGTH;
	if (cJSON_IsTrue(trace_key(o, "stopped_eos")) || cJSON_IsTrue(trace_key(o, "stopped_word")))
		return TRACE_FINISH_STOP;
	return TRACE_FINISH_UNKNOWN; /* "stop": true alone does not say why */
}

/* A llama.cpp /completion response without probabilities: "content" plus
 * one of the keys only that server writes. */
static int is_llamacpp_text(const cJSON *o)
{
	return cJSON_IsString(trace_key(o, "content")) &&
	       (trace_key(o, "stop_type") || trace_key(o, "stopped_eos") ||
	        trace_key(o, "stopped_limit") || trace_key(o, "stopped_word") ||
	        trace_key(o, "tokens_predicted"));
}

static ts_status parse_llamacpp(trace_ctx *c, const cJSON *o, int under_response)
{
	c->t->finish = trace_llamacpp_finish(o);
	c->t->fmt = c->t->container = TRACE_FMT_LLAMACPP;
	const cJSON *cp = trace_key(o, "completion_probabilities");
	if (cp)
		return trace_ctx_steps(c, cp, under_response ? "response.completion_probabilities"
		                                             : "completion_probabilities");
	return trace_ctx_text(c, trace_key(o, "content"),
	                      under_response ? "response.content" : "content");
}

int trace_llamacpp_detect(const cJSON *root)
{
	if (trace_key(root, "completion_probabilities"))
		return TRACE_TIER_BODY;
	const cJSON *resp = trace_key(root, "response");
	if (cJSON_IsObject(resp) &&
	    (trace_key(resp, "completion_probabilities") || is_llamacpp_text(resp)))
		return TRACE_TIER_WRAPPED;
	if (is_llamacpp_text(root))
		return TRACE_TIER_CONTENT;
	return TRACE_TIER_NONE;
}

ts_status trace_llamacpp_read(trace_ctx *c, const cJSON *root, int tier)
{
	if (tier == TRACE_TIER_WRAPPED)
		return parse_llamacpp(c, trace_key(root, "response"), 1);
	return parse_llamacpp(c, root, 0);
}

/* ---- its stream form (trace_chunk_apply) ---- */

/* One llama.cpp /completion stream chunk: {"content", "stop",
 * "completion_probabilities"}; the last one ("stop": true) may repeat every
 * probability of the stream (older servers): ignored when steps exist and
 * its content is empty. */
ts_status trace_llamacpp_chunk(trace_ctx *c, const cJSON *root, const cJSON *choice, size_t pos,
                              int *done)
{
	(void)choice, (void)pos;
	trace *t = c->t;
	int stop = cJSON_IsTrue(trace_key(root, "stop"));
	const cJSON *content = trace_key(root, "content");
	const cJSON *cp = trace_key(root, "completion_probabilities");
	int repeat = stop && t->n_steps && cJSON_IsString(content) && !content->valuestring[0];
	ts_status st = TS_OK;
	if (cp && !repeat) {
		st = trace_ctx_steps(c, cp, "completion_probabilities");
	} else if (content && !cp) {
		st = trace_ctx_delta(c, content, "content");
	}
	if (st)
		return st;
	if (stop) {
		t->finish = trace_llamacpp_finish(root);
		*done = 1;
	}
	return TS_OK;
}
