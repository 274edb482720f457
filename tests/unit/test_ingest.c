/* test_ingest.c — Ray Data LLM rows and vLLM offline RequestOutput dumps
 * (analysis/trace_ray.c, trace_vllm.c; issue 23), on the fixtures in
 * tests/data/ingest (written by make_fixtures.py from Ray's and vLLM's field
 * definitions).  Expected values were read from the fixtures with python3's
 * json module:
 *   Ray row image 1: 25 generated tokens, 25 logprob dicts, last token
 *     "<|im_end|>"; step 0 "[" logprob -0.05 rank 1.
 *   Ray row image 2: 50 tokens (= run.json max_new_tokens 50), no EOS.
 *   Ray row image 3: logprobs null, generated_text "[]", 2 tokens.
 *   Ray row image 4: 24 tokens; step 2 samples "bbox" at rank 5, its dict
 *     holding 4 entries: the three others " ", ",", "0" (ranks 1-3).
 *   vLLM dump line 1: finish_reason "stop", request_id "0"; line 2
 *     "length"; line 3 finish_reason null, logprobs null, text 
 *     '[{"bbox_2d": [9, 9, 19, 19], "label": "cat"}]' (24 token ids). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define RAY_A "tests/data/ingest/ray-run/5f2b9c0e1d7a4e3b_000000_000000.json"
#define RAY_B "tests/data/ingest/ray-run/5f2b9c0e1d7a4e3b_000001_000000.json"
#define VLLM "tests/data/ingest/vllm_offline.jsonl"

/* Line k (1-based) of path, parsed with lim. */
static trace *line_of(const char *path, int k, const trace_limits *lim)
{
	trace_file *f;
	ts_error e;
	assert_int_equal(trace_file_open(path, lim, &f, &e), TS_OK);
	trace *t = NULL;
	for (int i = 0; i < k; i++) {
		trace_free(t);
		t = NULL;
		assert_int_equal(trace_file_next(f, &t, NULL, &e), TS_OK);
	}
	trace_file_close(f);
	return t;
}

static void test_ray_steps(void **state)
{
	(void)state;
	trace_limits lim;
	trace_limits_default(&lim);
	lim.infer_max_tokens = 50;
	trace *t = line_of(RAY_A, 1, &lim);
	assert_int_equal(trace_get_container(t), TRACE_FMT_RAY);
	assert_string_equal(trace_format_name(TRACE_FMT_RAY), "ray-data");
	assert_int_equal(trace_n_steps(t), 25);
	assert_true(trace_has_logprobs(t));
	const trace_step *s = trace_steps(t);
	assert_int_equal(s[0].len, 1);
	assert_memory_equal(trace_text(t) + s[0].off, "[", 1);
	assert_true(fabs(s[0].logprob - -0.05) < 1e-12);
	assert_memory_equal(trace_text(t) + s[24].off, "<|im_end|>", 10);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_STOP);
	assert_int_equal(trace_get_finish_how(t), TRACE_FINISH_INFERRED_EOS);
	int64_t id;
	assert_true(trace_image_id(t, &id));
	assert_int_equal(id, 1);
	assert_string_equal(trace_file_name(t), "a.png");
	trace_free(t);

	t = line_of(RAY_A, 2, &lim);
	assert_int_equal(trace_n_steps(t), 50);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_LENGTH);
	assert_int_equal(trace_get_finish_how(t), TRACE_FINISH_INFERRED_MAX_TOKENS);
	trace_free(t);

	t = line_of(RAY_B, 1, &lim);
	assert_int_equal(trace_get_format(t), TRACE_FMT_TEXT);
	assert_int_equal(trace_get_container(t), TRACE_FMT_RAY);
	assert_int_equal(trace_text_len(t), 2);
	assert_memory_equal(trace_text(t), "[]", 2);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_STOP);
	assert_int_equal(trace_get_finish_how(t), TRACE_FINISH_INFERRED_BELOW_MAX);
	trace_free(t);

	/* rank beyond the top-k: the sampled token is not among the alternatives */
	t = line_of(RAY_B, 2, &lim);
	assert_int_equal(trace_n_steps(t), 24);
	s = trace_steps(t);
	assert_memory_equal(trace_text(t) + s[2].off, "bbox", 4);
	assert_int_equal(s[2].n_alt, 3);
	const char *want[3] = { " ", ",", "0" };
	for (int i = 0; i < 3; i++) {
		const trace_alt *a = &trace_alts(t)[s[2].alt_first + i];
		assert_int_equal(a->len, 1);
		assert_memory_equal(trace_alt_text(t) + a->off, want[i], 1);
	}
	assert_true(fabs(s[2].logprob - -3.5) < 1e-12);
	assert_int_equal(trace_get_finish_how(t), TRACE_FINISH_INFERRED_BELOW_MAX);
	trace_free(t);

	/* no max_tokens known: only the EOS row is inferred */
	lim.infer_max_tokens = -1;
	t = line_of(RAY_A, 2, &lim);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_UNKNOWN);
	assert_int_equal(trace_get_finish_how(t), TRACE_FINISH_NOT_INFERRED);
	trace_free(t);
	t = line_of(RAY_A, 1, &lim);
	assert_int_equal(trace_get_finish_how(t), TRACE_FINISH_INFERRED_EOS);
	trace_free(t);
}

static void test_vllm_offline(void **state)
{
	(void)state;
	trace_limits lim;
	trace_limits_default(&lim);
	trace *t = line_of(VLLM, 1, &lim);
	assert_int_equal(trace_get_container(t), TRACE_FMT_VLLM_OFFLINE);
	assert_string_equal(trace_format_name(TRACE_FMT_VLLM_OFFLINE), "vllm-offline");
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_STOP);
	assert_int_equal(trace_get_finish_how(t), TRACE_FINISH_GIVEN);
	assert_string_equal(trace_custom_id(t), "0");
	assert_true(trace_has_logprobs(t));
	trace_free(t);
	t = line_of(VLLM, 2, &lim);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_LENGTH);
	trace_free(t);
	t = line_of(VLLM, 3, &lim);
	assert_int_equal(trace_get_format(t), TRACE_FMT_TEXT);
	const char *txt = "[{\"bbox_2d\": [9, 9, 19, 19], \"label\": \"cat\"}]";
	assert_int_equal(trace_text_len(t), strlen(txt));
	assert_memory_equal(trace_text(t), txt, strlen(txt));
	assert_int_equal(trace_get_finish_how(t), TRACE_FINISH_NOT_INFERRED);
	trace_free(t);
	lim.infer_max_tokens = 24; /* exactly its 24 token ids */
	t = line_of(VLLM, 3, &lim);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_LENGTH);
	trace_free(t);
	lim.infer_max_tokens = 25;
	t = line_of(VLLM, 3, &lim);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_STOP);
	assert_int_equal(trace_get_finish_how(t), TRACE_FINISH_INFERRED_BELOW_MAX);
	trace_free(t);
}

static void test_bad_rows(void **state)
{
	(void)state;
	trace *t;
	ts_error e;
	/* logprobs and token ids of different lengths */
	const char *a = "{\"generated_text\": \"x\", \"generated_tokens\": [1, 2], "
	                "\"logprobs\": [{\"1\": {\"logprob\": -1, \"rank\": 1, \"decoded_token\": \"x\"}}]}";
	assert_int_equal(trace_parse_line(a, strlen(a), NULL, &t, &e), TS_ERR_FIELD);
	assert_non_null(strstr(e.msg, "1 steps but there are 2 token ids"));
	/* the sampled token missing from its dict */
	const char *b = "{\"generated_text\": \"x\", \"generated_tokens\": [7], "
	                "\"logprobs\": [{\"1\": {\"logprob\": -1, \"rank\": 1, \"decoded_token\": \"x\"}}]}";
	assert_int_equal(trace_parse_line(b, strlen(b), NULL, &t, &e), TS_ERR_FIELD);
	assert_non_null(strstr(e.msg, "logprobs[0]: no entry for the sampled token 7"));
	/* decoded_token null (detokenize off): the text instead */
	const char *c = "{\"generated_text\": \"ab\", \"num_generated_tokens\": 1, \"generated_tokens\": [7], "
	                "\"logprobs\": [{\"7\": {\"logprob\": -1, \"rank\": 1, \"decoded_token\": null}}]}";
	assert_int_equal(trace_parse_line(c, strlen(c), NULL, &t, &e), TS_OK);
	assert_int_equal(trace_get_format(t), TRACE_FMT_TEXT);
	assert_int_equal(trace_text_len(t), 2);
	trace_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ray_steps),
		cmocka_unit_test(test_vllm_offline),
		cmocka_unit_test(test_bad_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
