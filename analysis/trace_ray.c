/* trace_ray.c — Ray Data LLM output rows (ds.write_json(): one JSON object
 * per row).  Fields, from Ray's vLLMOutputData
 * (python/ray/llm/_internal/batch/stages/vllm_engine_stage.py):
 *   "prompt", "prompt_token_ids", "num_input_tokens",
 *   "generated_tokens" [ids], "generated_text", "num_generated_tokens",
 *   "logprobs" [{token_id: {"logprob", "rank", "decoded_token"}}] | null,
 *   "prompt_logprobs", "metrics", "embeddings",
 * plus the user's columns carried through the pipeline (image_id,
 * file_name... name the image as on any line).  Steps come from "logprobs"
 * with "generated_tokens" (trace_vllm_steps), else "generated_text" is read
 * as text.  A row has no finish_reason: it is inferred (trace.h:
 * trace_finish_how) from an end-of-sequence last token or from
 * num_generated_tokens against max_tokens (run.json max_new_tokens or
 * --max-tokens); a "finish_reason" column, when a pipeline adds one, is
 * used as given. */
#include "trace_container.h"

static const cJSON *get(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNull(v) ? NULL : v;
}

int trace_ray_detect(const cJSON *root)
{
	return cJSON_IsString(get(root, "generated_text")) &&
	               (cJSON_IsArray(get(root, "generated_tokens")) ||
	                cJSON_IsNumber(get(root, "num_generated_tokens")))
	           ? TRACE_TIER_STEPS
	           : TRACE_TIER_NONE;
}

static ts_status ray_parse(trace *t, const cJSON *root, const trace_limits *lim, ts_error *err)
{
	trace_build_container(t, TRACE_FMT_RAY);
	const cJSON *lp = get(root, "logprobs"), *ids = get(root, "generated_tokens");
	int no_text = 1;
	if (cJSON_IsArray(lp) && lp->child) {
		ts_status st = trace_vllm_steps(t, lp, ids, "logprobs", lim, &no_text, err);
		if (st)
			return st;
	}
	if (no_text) {
		ts_status st = trace_build_text(t, lim, get(root, "generated_text"), "generated_text", err);
		if (st)
			return st;
	}
	const cJSON *fr = get(root, "finish_reason"), *ng = get(root, "num_generated_tokens");
	size_t n = cJSON_IsNumber(ng) && ng->valuedouble >= 0 && ng->valuedouble < 1e12
	               ? (size_t)ng->valuedouble
	           : cJSON_IsArray(ids) ? (size_t)cJSON_GetArraySize(ids)
	                                : trace_n_steps(t);
	if (cJSON_IsString(fr))
		trace_build_finish(t, trace_map_finish_reason(fr), TRACE_FINISH_GIVEN);
	else
		trace_infer_finish(t, lim, n);
	return TS_OK;
}

ts_status trace_ray_read(trace_ctx *c, const cJSON *root, int tier)
{
	(void)tier;
	return ray_parse(c->t, root, c->lim, c->err);
}
