/* trace_batch.c — container: an OpenAI Batch API output line,
 * {"custom_id", "response": {"status_code", "body": chat/completions},
 * "error"}; the body is read by trace_openai.c.  A failed request (error
 * set, status_code not 200, no body) is the line's message. */
#include "trace_container.h"

#include <string.h>

static ts_status parse_batch(trace_ctx *c, const cJSON *root, const cJSON *resp)
{
	const cJSON *e = trace_key(root, "error");
	if (e) {
		const cJSON *m = trace_key(e, "message");
		if (cJSON_IsString(m))
			return ts_error_set(c->err, TS_ERR_FORMAT, "batch request failed: %.200s",
			                    m->valuestring);
		if (cJSON_IsString(e))
			return ts_error_set(c->err, TS_ERR_FORMAT, "batch request failed: %.200s",
			                    e->valuestring);
		return ts_error_set(c->err, TS_ERR_FORMAT, "batch request failed (error is set)");
	}
	if (!cJSON_IsObject(resp))
		return ts_error_set(c->err, TS_ERR_FORMAT, "batch line has no response");
	const cJSON *sc = trace_key(resp, "status_code");
	if (sc && (!cJSON_IsNumber(sc) || sc->valuedouble != 200.0)) {
		if (cJSON_IsNumber(sc))
			return ts_error_set(c->err, TS_ERR_FORMAT,
			                    "batch request failed with status_code %.0f", sc->valuedouble);
		return ts_error_set(c->err, TS_ERR_FORMAT, "batch response status_code is not 200");
	}
	const cJSON *body = trace_key(resp, "body");
	if (!cJSON_IsObject(body))
		return ts_error_set(c->err, TS_ERR_FORMAT, "batch response has no body");
	return trace_openai_chat(c, body, TRACE_FMT_OPENAI_BATCH, "response.body.");
}

int trace_batch_detect(const cJSON *root)
{
	const cJSON *resp = trace_key(root, "response");
	if ((cJSON_IsObject(resp) && (trace_key(resp, "status_code") || trace_key(resp, "body"))) ||
	    (trace_key(root, "custom_id") && trace_key(root, "error")))
		return TRACE_TIER_BODY;
	return TRACE_TIER_NONE;
}

ts_status trace_batch_read(trace_ctx *c, const cJSON *root, int tier)
{
	(void)tier;
	return parse_batch(c, root, trace_key(root, "response"));
}
