/* test_trace.c — trace containers, text-only pseudo-steps, the streaming
 * reader and the line index.
 *
 * Every expected value below is worked out by hand from the input line next
 * to it: step boundaries are byte counts of the quoted strings, logprobs are
 * copied from the input (probabilities: log 0.5 = -0.6931471805599453,
 * log 0.25 = -1.3862943611198906, prob 0 -> -9999).
 * Fixture tests/data/traces/containers.jsonl (relative to the repository
 * root, where `make check` runs the tests) holds one line per container.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"
#include "trace_container.h"

#define LN_HALF (-0.6931471805599453)
#define LN_QUARTER (-1.3862943611198906)

static void assert_near(double a, double b)
{
	if (!(fabs(a - b) < 1e-12)) {
		print_error("%.17g != %.17g\n", a, b);
		fail();
	}
}

static trace *parse_ok(const char *line)
{
	trace *t = NULL;
	ts_error e;
	ts_status st = trace_parse_line(line, strlen(line), NULL, &t, &e);
	if (st != TS_OK)
		print_error("unexpected error %d: %s\n", (int)st, e.msg);
	assert_int_equal(st, TS_OK);
	assert_non_null(t);
	return t;
}

static ts_status parse_err(const char *line, const trace_limits *lim, ts_error *e)
{
	trace *t = (trace *)1;
	ts_status st = trace_parse_line(line, strlen(line), lim, &t, e);
	assert_int_not_equal(st, TS_OK);
	assert_null(t);
	assert_int_equal(e->code, st);
	return st;
}

/* step i holds exactly the bytes s */
static void assert_step(const trace *t, size_t i, const char *s)
{
	assert_true(i < trace_n_steps(t));
	const trace_step *st = &trace_steps(t)[i];
	size_t n = strlen(s);
	if (st->len != n || memcmp(trace_text(t) + st->off, s, n) != 0) {
		print_error("step %zu: got %u bytes \"%.*s\", want \"%s\"\n", i, st->len, (int)st->len,
		            trace_text(t) + st->off, s);
		fail();
	}
}

static void assert_alt(const trace *t, size_t step, size_t j, const char *s, double lp)
{
	const trace_step *st = &trace_steps(t)[step];
	assert_true(j < st->n_alt);
	const trace_alt *a = &trace_alts(t)[st->alt_first + j];
	assert_int_equal(a->len, strlen(s));
	assert_memory_equal(trace_alt_text(t) + a->off, s, a->len);
	assert_near(a->logprob, lp);
}

/* ---- containers ---- */

static void test_native_tokens(void **state)
{
	(void)state;
	trace *t = parse_ok(
	    "{\"image_id\": 42, \"finish_reason\": \"length\", \"prompt\": \"find cats\", "
	    "\"meta\": {\"x\": 1}, \"tokens\": [{\"token\": \"[{\", \"logprob\": -0.5, "
	    "\"top_logprobs\": [{\"token\": \"[{\", \"logprob\": -0.5}, {\"token\": \"```\", "
	    "\"logprob\": -1.25}]}, {\"token\": \"\\\"\", \"logprob\": -9999.0}]}");
	assert_int_equal(trace_get_format(t), TRACE_FMT_NATIVE);
	assert_string_equal(trace_format_name(trace_get_format(t)), "native");
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_LENGTH);
	int64_t id = 0;
	assert_int_equal(trace_image_id(t, &id), 1);
	assert_int_equal(id, 42);
	assert_null(trace_file_name(t));
	assert_null(trace_custom_id(t));
	assert_string_equal(trace_prompt(t), "find cats");
	/* "[{" + "\"" = 3 bytes */
	assert_int_equal(trace_n_steps(t), 2);
	assert_int_equal(trace_text_len(t), 3);
	assert_string_equal(trace_text(t), "[{\"");
	assert_step(t, 0, "[{");
	assert_step(t, 1, "\"");
	assert_near(trace_steps(t)[0].logprob, -0.5);
	assert_near(trace_steps(t)[1].logprob, -9999.0); /* kept as is */
	assert_int_equal(trace_steps(t)[0].n_alt, 2);
	assert_int_equal(trace_steps(t)[0].alt_first, 0);
	assert_int_equal(trace_steps(t)[1].n_alt, 0);
	assert_int_equal(trace_steps(t)[1].alt_first, 2);
	assert_alt(t, 0, 0, "[{", -0.5);
	assert_alt(t, 0, 1, "```", -1.25);
	assert_int_equal(trace_n_alts(t), 2);
	assert_true(trace_has_logprobs(t));
	assert_true(trace_has_alts(t));
	trace_free(t);
}

static void test_native_text(void **state)
{
	(void)state;
	/* [{"bbox_2d": [12, 5]}]  ->  [{" | bbox | _ | 2 | d | ": | ' ' | [ | 12 | , | ' ' | 5 | ]}]
	 * (punctuation runs of up to 3 bytes; "_" is punctuation, "2" a digit) */
	trace *t = parse_ok("{\"file_name\": \"a.jpg\", \"finish_reason\": \"stop\", "
	                    "\"text\": \"[{\\\"bbox_2d\\\": [12, 5]}]\"}");
	assert_int_equal(trace_get_format(t), TRACE_FMT_TEXT);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_STOP);
	assert_string_equal(trace_file_name(t), "a.jpg");
	assert_int_equal(trace_image_id(t, NULL), 0);
	static const char *want[] = { "[{\"", "bbox", "_", "2", "d", "\":", " ",
	                              "[",    "12",   ",", " ", "5", "]}]" };
	assert_int_equal(trace_n_steps(t), 13);
	for (size_t i = 0; i < 13; i++) {
		assert_step(t, i, want[i]);
		assert_true(isnan(trace_steps(t)[i].logprob));
		assert_int_equal(trace_steps(t)[i].n_alt, 0);
	}
	assert_false(trace_has_logprobs(t));
	assert_false(trace_has_alts(t));
	assert_string_equal(trace_text(t), "[{\"bbox_2d\": [12, 5]}]");
	trace_free(t);
}

static void test_text_utf8_and_runs(void **state)
{
	(void)state;
	/* "café 42\n\t!!!!x" : café (c a f C3A9 = 5 bytes) | " " | 42 | "\n\t" | !!! | ! | x
	 * then "a\u0001b": a | 01 | b (a control byte is a step of its own) */
	trace *t = parse_ok("{\"text\": \"caf\xc3\xa9 42\\n\\t!!!!xa\\u0001b\"}");
	static const char *want[] = { "caf\xc3\xa9", " ", "42", "\n\t", "!!!", "!", "xa", "\x01", "b" };
	assert_int_equal(trace_n_steps(t), 9);
	for (size_t i = 0; i < 9; i++)
		assert_step(t, i, want[i]);
	assert_int_equal(trace_steps(t)[0].len, 5);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_UNKNOWN);
	trace_free(t);

	/* runs are cut at max_token_bytes (5), never inside a character:
	 * "ééé" = 6 bytes -> "éé" (4) | "é" (2); "1234567" -> "12345" | "67" */
	trace_limits lim;
	trace_limits_default(&lim);
	lim.max_token_bytes = 5;
	const char *line = "{\"text\": \"\xc3\xa9\xc3\xa9\xc3\xa9 1234567\"}";
	ts_error e;
	assert_int_equal(trace_parse_line(line, strlen(line), &lim, &t, &e), TS_OK);
	static const char *want2[] = { "\xc3\xa9\xc3\xa9", "\xc3\xa9", " ", "12345", "67" };
	assert_int_equal(trace_n_steps(t), 5);
	for (size_t i = 0; i < 5; i++)
		assert_step(t, i, want2[i]);
	trace_free(t);

	/* invalid UTF-8 in a text body is rejected */
	parse_err("{\"text\": \"ab\xff\"}", NULL, &e);
	assert_int_equal(e.code, TS_ERR_UTF8);
	/* empty text: zero steps, still a trace */
	t = parse_ok("{\"image_id\": 1, \"text\": \"\"}");
	assert_int_equal(trace_n_steps(t), 0);
	assert_string_equal(trace_text(t), "");
	trace_free(t);
}

/* Runs that reach the end of the text, whitespace runs at max_token_bytes,
 * and invalid UTF-8 after long ASCII stretches (the 8-byte ASCII skip). */
static void test_text_run_ends(void **state)
{
	(void)state;
	/* "ab!!" | "9" | "é!" : the punctuation / digit / letter run ends with the text */
	static const char *want[][3] = { { "ab", "!!", NULL }, { "9", NULL, NULL },
		                         { "\xc3\xa9", "!", NULL } };
	static const char *lines[] = { "{\"text\": \"ab!!\"}", "{\"text\": \"9\"}",
		                       "{\"text\": \"\xc3\xa9!\"}" };
	for (size_t k = 0; k < 3; k++) {
		trace *t = parse_ok(lines[k]);
		size_t n = 0;
		while (n < 3 && want[k][n])
			n++;
		assert_int_equal(trace_n_steps(t), n);
		for (size_t i = 0; i < n; i++)
			assert_step(t, i, want[k][i]);
		trace_free(t);
	}
	/* 7 spaces with max_token_bytes 4 -> 4 | 3; then "!!!!!!!" -> !!! | !!! | ! */
	trace_limits lim;
	trace_limits_default(&lim);
	lim.max_token_bytes = 4;
	const char *line = "{\"text\": \"       !!!!!!!\"}";
	ts_error e;
	trace *t = NULL;
	assert_int_equal(trace_parse_line(line, strlen(line), &lim, &t, &e), TS_OK);
	static const char *want2[] = { "    ", "   ", "!!!", "!!!", "!" };
	assert_int_equal(trace_n_steps(t), 5);
	for (size_t i = 0; i < 5; i++)
		assert_step(t, i, want2[i]);
	trace_free(t);
	/* invalid bytes after 8, 16 and 17 ASCII bytes; a sequence cut by the end */
	parse_err("{\"text\": \"abcdefgh\xff\"}", NULL, &e);
	assert_int_equal(e.code, TS_ERR_UTF8);
	parse_err("{\"text\": \"abcdefghijklmnop\x80zz\"}", NULL, &e);
	assert_int_equal(e.code, TS_ERR_UTF8);
	parse_err("{\"text\": \"abcdefghijklmnopq\xed\xa0\x80\"}", NULL, &e); /* surrogate */
	assert_int_equal(e.code, TS_ERR_UTF8);
	parse_err("{\"text\": \"abcdefghijklmnopq\xe2\x82\"}", NULL, &e);
	assert_int_equal(e.code, TS_ERR_UTF8);
	/* and valid multi-byte characters between ASCII stretches still pass */
	t = parse_ok("{\"text\": \"abcdefghij\xe2\x82\xac" "klmnopqrstu\xf0\x9f\x98\x80\"}");
	assert_string_equal(trace_text(t), "abcdefghij\xe2\x82\xac" "klmnopqrstu\xf0\x9f\x98\x80");
	trace_free(t);
}

/* The EOS list: lengths agree with the texts, and every text ends with
 * TRACE_EOS_LAST (confidence.c skips texts whose last byte differs). */
static void test_eos_texts_last_byte(void **state)
{
	(void)state;
	size_t k = 0, len = 0;
	const char *e;
	for (; (e = trace_eos_text_len(k, &len)); k++) {
		assert_int_equal(len, strlen(e));
		assert_true(len > 0);
		assert_int_equal((unsigned char)e[len - 1], (unsigned char)TRACE_EOS_LAST);
		assert_ptr_equal(trace_eos_text(k), e);
	}
	assert_true(k >= 5);
	assert_null(trace_eos_text(k));
}

static void test_openai_inline(void **state)
{
	(void)state;
	trace *t = parse_ok(
	    "{\"image_id\": \"139\", \"id\": \"chatcmpl-1\", \"choices\": [{\"index\": 0, "
	    "\"message\": {\"role\": \"assistant\", \"content\": \"[{\\\"\"}, \"logprobs\": "
	    "{\"content\": [{\"token\": \"[{\\\"\", \"logprob\": -0.02, \"bytes\": [91, 123, 34], "
	    "\"top_logprobs\": [{\"token\": \"[{\\\"\", \"logprob\": -0.02, \"bytes\": [91, 123, 34]}, "
	    "{\"token\": \"```\", \"logprob\": -4.1, \"bytes\": [96, 96, 96]}]}]}, "
	    "\"finish_reason\": \"length\"}]}");
	assert_int_equal(trace_get_format(t), TRACE_FMT_OPENAI_CHAT);
	assert_string_equal(trace_format_name(trace_get_format(t)), "openai");
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_LENGTH);
	int64_t id = 0;
	assert_int_equal(trace_image_id(t, &id), 1); /* "139" as a string of digits */
	assert_int_equal(id, 139);
	assert_int_equal(trace_n_steps(t), 1);
	assert_step(t, 0, "[{\""); /* bytes 91 123 34 */
	assert_near(trace_steps(t)[0].logprob, -0.02);
	assert_alt(t, 0, 0, "[{\"", -0.02);
	assert_alt(t, 0, 1, "```", -4.1);
	trace_free(t);
}

static void test_openai_under_response(void **state)
{
	(void)state;
	trace *t = parse_ok(
	    "{\"file_name\": \"b.jpg\", \"response\": {\"choices\": [{\"logprobs\": {\"content\": "
	    "[{\"token\": \"a\", \"logprob\": -1.0, \"bytes\": null, \"top_logprobs\": []}, "
	    "{\"token\": \"b\", \"logprob\": -2.0, \"top_logprobs\": []}]}, "
	    "\"finish_reason\": \"stop\"}]}}");
	assert_int_equal(trace_get_format(t), TRACE_FMT_OPENAI_CHAT);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_STOP);
	assert_string_equal(trace_file_name(t), "b.jpg");
	assert_int_equal(trace_n_steps(t), 2);
	assert_step(t, 0, "a"); /* bytes null -> token text */
	assert_step(t, 1, "b");
	assert_near(trace_steps(t)[1].logprob, -2.0);
	assert_false(trace_has_alts(t));
	assert_true(trace_has_logprobs(t));
	trace_free(t);

	/* no logprobs: message.content as text ("ab", " ", "12") */
	t = parse_ok("{\"image_id\": 1, \"response\": {\"choices\": [{\"message\": {\"content\": "
	             "\"ab 12\"}, \"logprobs\": null, \"finish_reason\": \"length\"}]}}");
	assert_int_equal(trace_get_format(t), TRACE_FMT_TEXT);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_LENGTH);
	assert_int_equal(trace_n_steps(t), 3);
	assert_step(t, 0, "ab");
	assert_step(t, 1, " ");
	assert_step(t, 2, "12");
	trace_free(t);

	ts_error e;
	parse_err("{\"image_id\": 1, \"choices\": []}", NULL, &e);
	assert_int_equal(e.code, TS_ERR_FORMAT);
}

static void test_openai_batch(void **state)
{
	(void)state;
	trace *t = parse_ok(
	    "{\"id\": \"batch_req_1\", \"custom_id\": \"img-000139\", \"response\": {\"status_code\": 200, "
	    "\"request_id\": \"r1\", \"body\": {\"choices\": [{\"logprobs\": {\"content\": "
	    "[{\"token\": \"x\", \"logprob\": -0.1, \"bytes\": [120], \"top_logprobs\": "
	    "[{\"token\": \"x\", \"logprob\": -0.1, \"bytes\": [120]}]}]}, "
	    "\"finish_reason\": \"length\"}]}}, \"error\": null}");
	assert_int_equal(trace_get_format(t), TRACE_FMT_OPENAI_BATCH);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_LENGTH);
	assert_string_equal(trace_custom_id(t), "img-000139");
	assert_int_equal(trace_image_id(t, NULL), 0);
	assert_int_equal(trace_n_steps(t), 1);
	assert_step(t, 0, "x");
	assert_alt(t, 0, 0, "x", -0.1);
	trace_free(t);

	ts_error e;
	parse_err("{\"custom_id\": \"img-1\", \"response\": {\"status_code\": 500, \"body\": null}, "
	          "\"error\": null}",
	          NULL, &e);
	assert_int_equal(e.code, TS_ERR_FORMAT);
	assert_non_null(strstr(e.msg, "status_code 500"));

	parse_err("{\"custom_id\": \"img-1\", \"response\": null, \"error\": {\"code\": \"x\", "
	          "\"message\": \"boom\"}}",
	          NULL, &e);
	assert_int_equal(e.code, TS_ERR_FORMAT);
	assert_string_equal(e.msg, "batch request failed: boom");
}

static void test_llamacpp_logprob(void **state)
{
	(void)state;
	trace *t = parse_ok(
	    "{\"image_id\": 7, \"content\": \"[1\", \"stop\": true, \"stop_type\": \"eos\", "
	    "\"completion_probabilities\": [{\"id\": 58, \"token\": \"[\", \"logprob\": -0.01, "
	    "\"bytes\": [91], \"top_logprobs\": [{\"id\": 58, \"token\": \"[\", \"logprob\": -0.01, "
	    "\"bytes\": [91]}, {\"id\": 90, \"token\": \"{\", \"logprob\": -4.5}]}, "
	    "{\"id\": 16, \"token\": \"1\", \"logprob\": -0.2, \"top_logprobs\": []}]}");
	assert_int_equal(trace_get_format(t), TRACE_FMT_LLAMACPP);
	assert_string_equal(trace_format_name(TRACE_FMT_LLAMACPP), "llamacpp");
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_STOP);
	assert_int_equal(trace_n_steps(t), 2);
	assert_step(t, 0, "[");
	assert_step(t, 1, "1");
	assert_near(trace_steps(t)[1].logprob, -0.2);
	assert_alt(t, 0, 1, "{", -4.5);
	trace_free(t);
}

static void test_llamacpp_probs(void **state)
{
	(void)state;
	/* under "response", prob/top_probs; stop_type limit -> length */
	trace *t = parse_ok(
	    "{\"image_id\": 8, \"response\": {\"content\": \"a\", \"stop_type\": \"limit\", "
	    "\"completion_probabilities\": [{\"token\": \"a\", \"prob\": 0.5, \"top_probs\": "
	    "[{\"token\": \"a\", \"prob\": 0.5}, {\"token\": \"b\", \"prob\": 0.0}]}]}}");
	assert_int_equal(trace_get_format(t), TRACE_FMT_LLAMACPP);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_LENGTH);
	assert_int_equal(trace_n_steps(t), 1);
	assert_near(trace_steps(t)[0].logprob, LN_HALF);
	assert_alt(t, 0, 0, "a", LN_HALF);
	assert_alt(t, 0, 1, "b", -9999.0); /* prob 0 */
	trace_free(t);

	ts_error e;
	parse_err("{\"completion_probabilities\": [{\"token\": \"a\", \"prob\": 1.5}]}", NULL, &e);
	assert_int_equal(e.code, TS_ERR_FIELD);
	parse_err("{\"completion_probabilities\": [{\"token\": \"a\", \"prob\": -0.1}]}", NULL, &e);
	assert_int_equal(e.code, TS_ERR_FIELD);
}

static void test_llamacpp_old(void **state)
{
	(void)state;
	/* old shape: the chosen token's prob is its entry among "probs" (0.5) */
	trace *t = parse_ok(
	    "{\"image_id\": 9, \"content\": \" to\", \"stopped_word\": true, "
	    "\"completion_probabilities\": [{\"content\": \" to\", \"probs\": [{\"tok_str\": "
	    "\" the\", \"prob\": 0.25}, {\"tok_str\": \" to\", \"prob\": 0.5}]}, "
	    "{\"content\": \"!\", \"probs\": [{\"tok_str\": \"?\", \"prob\": 0.25}]}]}");
	assert_int_equal(trace_get_format(t), TRACE_FMT_LLAMACPP);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_STOP);
	assert_int_equal(trace_n_steps(t), 2);
	assert_step(t, 0, " to");
	assert_near(trace_steps(t)[0].logprob, LN_HALF);
	assert_alt(t, 0, 0, " the", LN_QUARTER);
	assert_alt(t, 0, 1, " to", LN_HALF);
	assert_step(t, 1, "!");
	assert_true(isnan(trace_steps(t)[1].logprob)); /* "!" is not among its probs */
	assert_alt(t, 1, 0, "?", LN_QUARTER);
	assert_true(trace_has_logprobs(t));
	trace_free(t);
}

static void test_finish_mapping(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		trace_finish want;
	} cases[] = {
		{ "{\"finish_reason\": \"stop\", \"text\": \"a\"}", TRACE_FINISH_STOP },
		{ "{\"finish_reason\": \"length\", \"text\": \"a\"}", TRACE_FINISH_LENGTH },
		{ "{\"finish_reason\": \"eos\", \"text\": \"a\"}", TRACE_FINISH_UNKNOWN },
		{ "{\"finish_reason\": \"STOP\", \"text\": \"a\"}", TRACE_FINISH_UNKNOWN },
		{ "{\"finish_reason\": null, \"text\": \"a\"}", TRACE_FINISH_UNKNOWN },
		{ "{\"finish_reason\": 1, \"text\": \"a\"}", TRACE_FINISH_UNKNOWN },
		{ "{\"text\": \"a\"}", TRACE_FINISH_UNKNOWN },
		{ "{\"stop_type\": \"word\", \"completion_probabilities\": []}", TRACE_FINISH_STOP },
		{ "{\"stop_type\": \"none\", \"completion_probabilities\": []}", TRACE_FINISH_UNKNOWN },
		{ "{\"stop\": true, \"completion_probabilities\": []}", TRACE_FINISH_UNKNOWN },
		{ "{\"stopped_eos\": true, \"completion_probabilities\": []}", TRACE_FINISH_STOP },
		{ "{\"stopped_limit\": true, \"stopped_eos\": false, \"completion_probabilities\": []}",
		  TRACE_FINISH_LENGTH },
		/* llama.cpp without probabilities: text only, stop_type still read */
		{ "{\"content\": \"ab\", \"stop\": true, \"stop_type\": \"limit\"}", TRACE_FINISH_LENGTH },
		/* tailscope capture's live stops: stop + a stopping policy's name +
		 * capture.stop_step; any one missing is an ordinary stop */
		{ "{\"choices\": [{\"message\": {\"content\": \"a\"}, \"finish_reason\": \"stop\", \"stop_reason\": \"repeat_stop\"}], \"capture\": {\"stop_step\": 0}}",
		  TRACE_FINISH_POLICY },
		{ "{\"choices\": [{\"message\": {\"content\": \"a\"}, \"finish_reason\": \"stop\", \"stop_reason\": \"budget\"}], \"capture\": {\"stop_step\": 0}}",
		  TRACE_FINISH_POLICY },
		{ "{\"choices\": [{\"message\": {\"content\": \"a\"}, \"finish_reason\": \"stop\", \"stop_reason\": \"near_dup\"}], \"capture\": {\"stop_step\": 0}}",
		  TRACE_FINISH_POLICY },
		{ "{\"choices\": [{\"message\": {\"content\": \"a\"}, \"finish_reason\": \"stop\", \"stop_reason\": \"budget\"}]}",
		  TRACE_FINISH_STOP },
		{ "{\"choices\": [{\"message\": {\"content\": \"a\"}, \"finish_reason\": \"stop\"}], \"capture\": {\"stop_step\": 0}}",
		  TRACE_FINISH_STOP },
		{ "{\"choices\": [{\"message\": {\"content\": \"a\"}, \"finish_reason\": \"stop\", \"stop_reason\": \"dedup\"}], \"capture\": {\"stop_step\": 0}}",
		  TRACE_FINISH_STOP },
		{ "{\"choices\": [{\"message\": {\"content\": \"a\"}, \"finish_reason\": \"stop\", \"stop_reason\": \"off\"}], \"capture\": {\"stop_step\": 0}}",
		  TRACE_FINISH_STOP },
		{ "{\"choices\": [{\"message\": {\"content\": \"a\"}, \"finish_reason\": \"stop\", \"stop_reason\": \"</s>\"}], \"capture\": {\"stop_step\": 0}}",
		  TRACE_FINISH_STOP },
		{ "{\"choices\": [{\"message\": {\"content\": \"a\"}, \"finish_reason\": \"stop\", \"stop_reason\": 2}], \"capture\": {\"stop_step\": 0}}",
		  TRACE_FINISH_STOP },
		{ "{\"choices\": [{\"message\": {\"content\": \"a\"}, \"finish_reason\": \"stop\", \"stop_reason\": \"repeat_stop\"}], \"capture\": {\"stop_step\": \"0\"}}",
		  TRACE_FINISH_STOP },
		{ "{\"choices\": [{\"message\": {\"content\": \"a\"}, \"finish_reason\": \"length\", \"stop_reason\": \"repeat_stop\"}], \"capture\": {\"stop_step\": 0}}",
		  TRACE_FINISH_LENGTH },
		{ "{\"choices\": [{\"message\": {\"content\": \"a\"}, \"finish_reason\": \"length\", \"stop_reason\": \"tailscope_limit\"}], \"capture\": {\"steps\": 1}}",
		  TRACE_FINISH_LENGTH },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		trace *t = parse_ok(cases[i].line);
		if (trace_get_finish(t) != cases[i].want)
			print_error("case %zu: %s\n", i, cases[i].line);
		assert_int_equal(trace_get_finish(t), cases[i].want);
		trace_free(t);
	}
	assert_string_equal(trace_finish_name(TRACE_FINISH_STOP), "stop");
	assert_string_equal(trace_finish_name(TRACE_FINISH_LENGTH), "length");
	assert_string_equal(trace_finish_name(TRACE_FINISH_UNKNOWN), "unknown");
	assert_string_equal(trace_finish_name(TRACE_FINISH_POLICY), "policy");
}

/* ---- bytes and UTF-8 ---- */

static void test_bytes_split_utf8(void **state)
{
	(void)state;
	/* "é" = C3 A9 split across two tokens; the token strings hold U+FFFD
	 * (EF BF BD) but bytes are the truth.  The alternative of step 1 is
	 * "\xA9!" (169, 33). */
	trace *t = parse_ok(
	    "{\"image_id\": 3, \"finish_reason\": \"stop\", \"tokens\": ["
	    "{\"token\": \"\\ufffd\", \"logprob\": -0.1, \"bytes\": [195]}, "
	    "{\"token\": \"\\ufffd\", \"logprob\": -0.2, \"bytes\": [169], \"top_logprobs\": "
	    "[{\"token\": \"\\ufffd!\", \"logprob\": -3.0, \"bytes\": [169, 33]}]}]}");
	assert_int_equal(trace_n_steps(t), 2);
	assert_int_equal(trace_text_len(t), 2);
	assert_memory_equal(trace_text(t), "\xc3\xa9", 3); /* with the NUL after */
	assert_step(t, 0, "\xc3");
	assert_step(t, 1, "\xa9");
	assert_alt(t, 1, 0, "\xa9!", -3.0);
	trace_free(t);

	/* an empty bytes array wins over the token text */
	t = parse_ok("{\"tokens\": [{\"token\": \"x\", \"bytes\": []}]}");
	assert_int_equal(trace_n_steps(t), 1);
	assert_int_equal(trace_steps(t)[0].len, 0);
	trace_free(t);

	/* raw invalid UTF-8 with bytes: accepted, bytes used */
	t = parse_ok("{\"tokens\": [{\"token\": \"\xff\", \"bytes\": [255]}]}");
	assert_step(t, 0, "\xff");
	trace_free(t);
}

static void test_bytes_and_utf8_errors(void **state)
{
	(void)state;
	ts_error e;
	static const char *field_errs[] = {
		"{\"tokens\": [{\"token\": \"a\", \"bytes\": [300]}]}",
		"{\"tokens\": [{\"token\": \"a\", \"bytes\": [-1]}]}",
		"{\"tokens\": [{\"token\": \"a\", \"bytes\": [1.5]}]}",
		"{\"tokens\": [{\"token\": \"a\", \"bytes\": [\"a\"]}]}",
		"{\"tokens\": [{\"token\": \"a\", \"bytes\": \"a\"}]}",
		"{\"tokens\": [{\"token\": \"a\", \"top_logprobs\": [{\"token\": \"b\", \"bytes\": [256]}]}]}",
		"{\"tokens\": [{\"logprob\": -1}]}",                    /* no text at all */
		"{\"tokens\": [{\"token\": 5}]}",                       /* token not a string */
		"{\"tokens\": [{\"token\": \"a\", \"logprob\": \"x\"}]}", /* logprob not a number */
		"{\"tokens\": {\"token\": \"a\"}}",
		"{\"tokens\": [{\"token\": \"a\", \"top_logprobs\": 3}]}",
		"{\"tokens\": [{\"token\": \"a\", \"top_logprobs\": [\"b\"]}]}",
	};
	for (size_t i = 0; i < sizeof field_errs / sizeof field_errs[0]; i++) {
		parse_err(field_errs[i], NULL, &e);
		if (e.code != TS_ERR_FIELD)
			print_error("case %zu: %s -> %s\n", i, field_errs[i], e.msg);
		assert_int_equal(e.code, TS_ERR_FIELD);
	}
	/* an array of numbers is token ids (llama.cpp return_tokens), not steps */
	assert_int_equal(parse_err("{\"tokens\": [7]}", NULL, &e), TS_ERR_FORMAT);
	assert_string_equal(e.msg, "tokens holds token ids, not steps, and the line has no text or completion");
	parse_err("{\"tokens\": [{\"token\": \"a\"}, {\"token\": \"b\", \"bytes\": [300]}]}", NULL, &e);
	assert_string_equal(e.msg, "tokens[1]: bytes[0] is not a byte (0-255)");

	static const char *utf8_errs[] = {
		"{\"tokens\": [{\"token\": \"\xff\"}]}",             /* invalid byte */
		"{\"tokens\": [{\"token\": \"\xc3\"}]}",             /* truncated sequence */
		"{\"tokens\": [{\"token\": \"\xc0\xaf\"}]}",         /* overlong */
		"{\"tokens\": [{\"token\": \"\xed\xa0\x80\"}]}",     /* surrogate */
		"{\"tokens\": [{\"token\": \"\xf4\x90\x80\x80\"}]}", /* > U+10FFFF */
		"{\"tokens\": [{\"token\": \"a\", \"top_logprobs\": [{\"token\": \"\xfe\"}]}]}",
	};
	for (size_t i = 0; i < sizeof utf8_errs / sizeof utf8_errs[0]; i++) {
		parse_err(utf8_errs[i], NULL, &e);
		assert_int_equal(e.code, TS_ERR_UTF8);
	}
	/* well-formed 4-byte character is fine */
	trace *t = parse_ok("{\"tokens\": [{\"token\": \"\xf0\x9f\x90\xb1\"}]}");
	assert_int_equal(trace_steps(t)[0].len, 4);
	assert_false(trace_has_logprobs(t));
	trace_free(t);
}

/* ---- line-level errors, image references, limits ---- */

static void test_line_errors(void **state)
{
	(void)state;
	ts_error e;
	parse_err("{", NULL, &e);
	assert_int_equal(e.code, TS_ERR_JSON);
	parse_err("{\"text\": \"a\"} x", NULL, &e);
	assert_int_equal(e.code, TS_ERR_JSON);
	parse_err("[1, 2]", NULL, &e);
	assert_int_equal(e.code, TS_ERR_FORMAT);
	parse_err("{\"image_id\": 1}", NULL, &e);
	assert_int_equal(e.code, TS_ERR_FORMAT);
	assert_string_equal(e.msg, "no tokens, text or completion in line");
	parse_err("{\"image_id\": 1, \"tokens\": null}", NULL, &e);
	assert_int_equal(e.code, TS_ERR_FORMAT);
	parse_err("{\"image_id\": \"12a\", \"text\": \"a\"}", NULL, &e);
	assert_int_equal(e.code, TS_ERR_FIELD);
	assert_string_equal(e.msg, "image_id \"12a\" is not an integer");
	parse_err("{\"image_id\": 1.5, \"text\": \"a\"}", NULL, &e);
	assert_int_equal(e.code, TS_ERR_FIELD);
	parse_err("{\"file_name\": 3, \"text\": \"a\"}", NULL, &e);
	assert_int_equal(e.code, TS_ERR_FIELD);
	parse_err("{\"text\": 3}", NULL, &e);
	assert_int_equal(e.code, TS_ERR_FIELD);

	/* trailing whitespace is fine; "image" fills file_name; a non-string
	 * "image" is ignored; no image reference is not an error here */
	trace *t = parse_ok("{\"image\": \"c.png\", \"text\": \"a\"} \r\n");
	assert_string_equal(trace_file_name(t), "c.png");
	trace_free(t);
	t = parse_ok("{\"image\": {\"url\": \"x\"}, \"text\": \"a\"}");
	assert_null(trace_file_name(t));
	trace_free(t);
	t = parse_ok("{\"image_id\": -3, \"text\": \"a\"}");
	int64_t id = 0;
	assert_int_equal(trace_image_id(t, &id), 1);
	assert_int_equal(id, -3);
	trace_free(t);
	/* the line length is given, not NUL-terminated: only the first 12 bytes are read */
	const char *two = "{\"text\":\"a\"}{garbage";
	assert_int_equal(trace_parse_line(two, 12, NULL, &t, &e), TS_OK);
	assert_int_equal(trace_n_steps(t), 1);
	trace_free(t);
}

static void test_limits(void **state)
{
	(void)state;
	trace_limits lim;
	trace_limits_default(&lim);
	assert_int_equal(lim.max_line_bytes, 64u << 20);
	assert_int_equal(lim.max_steps, 1000000);
	assert_int_equal(lim.max_alts, 20);
	assert_int_equal(lim.max_token_bytes, 4096);
	ts_error e;
	trace *t;

	lim.max_steps = 2;
	const char *three = "{\"tokens\": [\"a\", \"b\", \"c\"]}";
	parse_err(three, &lim, &e);
	assert_int_equal(e.code, TS_ERR_LIMIT);
	parse_err("{\"text\": \"a b\"}", &lim, &e); /* 3 pseudo-steps */
	assert_int_equal(e.code, TS_ERR_LIMIT);
	lim.max_steps = 3;
	assert_int_equal(trace_parse_line(three, strlen(three), &lim, &t, &e), TS_OK);
	assert_int_equal(trace_n_steps(t), 3);
	trace_free(t);

	/* alternatives beyond max_alts are dropped silently (the third is even invalid) */
	trace_limits_default(&lim);
	lim.max_alts = 2;
	const char *alts = "{\"tokens\": [{\"token\": \"a\", \"logprob\": -1, \"top_logprobs\": "
	                   "[{\"token\": \"a\", \"logprob\": -1}, {\"token\": \"b\", \"logprob\": -2}, "
	                   "{\"token\": \"c\", \"bytes\": [999]}]}, {\"token\": \"d\", \"top_logprobs\": "
	                   "[{\"token\": \"e\", \"logprob\": -3}]}]}";
	assert_int_equal(trace_parse_line(alts, strlen(alts), &lim, &t, &e), TS_OK);
	assert_int_equal(trace_steps(t)[0].n_alt, 2);
	assert_int_equal(trace_steps(t)[1].alt_first, 2);
	assert_alt(t, 1, 0, "e", -3.0);
	assert_int_equal(trace_n_alts(t), 3);
	trace_free(t);

	trace_limits_default(&lim);
	lim.max_token_bytes = 3;
	parse_err("{\"tokens\": [\"abcd\"]}", &lim, &e);
	assert_int_equal(e.code, TS_ERR_LIMIT);
	parse_err("{\"tokens\": [{\"bytes\": [1, 2, 3, 4]}]}", &lim, &e);
	assert_int_equal(e.code, TS_ERR_LIMIT);
	t = parse_ok("{\"tokens\": [{\"bytes\": [1, 2, 3]}]}");
	trace_free(t);

	trace_limits_default(&lim);
	lim.max_line_bytes = 12;
	const char *l12 = "{\"text\":\"a\"}"; /* 12 bytes */
	assert_int_equal(trace_parse_line(l12, 12, &lim, &t, &e), TS_OK);
	trace_free(t);
	lim.max_line_bytes = 11;
	assert_int_equal(trace_parse_line(l12, 12, &lim, &t, &e), TS_ERR_LIMIT);
	assert_null(t);
}

/* ---- reader ---- */

static char *write_tmp(const char *data, size_t len)
{
	char tmpl[] = "/tmp/test_trace_XXXXXX";
	int fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		assert_true(w > 0);
		off += (size_t)w;
	}
	close(fd);
	char *p = malloc(sizeof tmpl);
	memcpy(p, tmpl, sizeof tmpl);
	return p;
}

/* lines: 1 blank, 2 CRLF, 3 spaces+CRLF (blank), 4 malformed, 5 ok, 6 ok without final "\n" */
static const char reader_data[] = "\n"
                                  "{\"image_id\": 1, \"text\": \"a\"}\r\n"
                                  " \t \r\n"
                                  "{not json\n"
                                  "{\"image_id\": 2, \"text\": \"b\"}\n"
                                  "{\"image_id\": 3, \"text\": \"c\"}";

static int64_t id_of(const trace *t)
{
	int64_t id = -1;
	assert_int_equal(trace_image_id(t, &id), 1);
	return id;
}

static void test_reader(void **state)
{
	(void)state;
	char *path = write_tmp(reader_data, sizeof reader_data - 1);
	trace_file *f;
	ts_error e;
	assert_int_equal(trace_file_open(path, NULL, &f, &e), TS_OK);
	assert_int_equal(trace_file_size(f), sizeof reader_data - 1);
	assert_int_equal(trace_file_pos(f), 0);
	trace *t;
	size_t ln = 0;
	assert_int_equal(trace_file_next(f, &t, &ln, &e), TS_OK);
	assert_int_equal(ln, 2);
	assert_int_equal(id_of(t), 1);
	assert_step(t, 0, "a"); /* the "\r" was not part of the line */
	trace_free(t);

	assert_int_equal(trace_file_next(f, &t, &ln, &e), TS_ERR_JSON);
	assert_null(t);
	assert_int_equal(ln, 4);
	char want[600];
	/* cJSON stops one byte past the 'n' that should have been a '"' (0-based 2) */
	snprintf(want, sizeof want, "%s:4: malformed JSON near byte 2", path);
	assert_string_equal(e.msg, want);

	assert_int_equal(trace_file_next(f, &t, &ln, &e), TS_OK);
	assert_int_equal(ln, 5);
	assert_int_equal(id_of(t), 2);
	trace_free(t);
	assert_int_equal(trace_file_next(f, &t, &ln, &e), TS_OK);
	assert_int_equal(ln, 6);
	assert_int_equal(id_of(t), 3);
	trace_free(t);
	assert_int_equal(trace_file_next(f, &t, &ln, &e), TS_EOF);
	assert_int_equal(trace_file_next(f, &t, NULL, &e), TS_EOF);
	assert_int_equal(trace_file_pos(f), sizeof reader_data - 1);
	trace_file_close(f);

	/* missing file */
	assert_int_equal(trace_file_open("/nonexistent/x.jsonl", NULL, &f, &e), TS_ERR_NOTFOUND);
	assert_null(f);
	/* a directory is a set of shards (shards.h): one without trace files */
	char dir[] = "/tmp/ts_trace_dir_XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_int_equal(trace_file_open(dir, NULL, &f, &e), TS_ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "no trace files"));
	rmdir(dir);
	unlink(path);
	free(path);
}

/* Line 2 is 3 MiB (more than the reader's 1 MiB buffer) with a 100-byte
 * limit: it is discarded while reading, reported once, and line 3 parses.
 * A last over-long line without "\n" is reported too. */
static void test_reader_overlong(void **state)
{
	(void)state;
	const char *l1 = "{\"image_id\": 1, \"text\": \"a\"}\n";
	const char *l3 = "{\"image_id\": 3, \"text\": \"c\"}\n";
	size_t big = (size_t)3 << 20;
	size_t tail = 200; /* line 4: 200 bytes, no newline */
	size_t total = strlen(l1) + big + 1 + strlen(l3) + tail;
	char *data = malloc(total);
	size_t o = 0;
	memcpy(data + o, l1, strlen(l1));
	o += strlen(l1);
	memset(data + o, 'x', big);
	o += big;
	data[o++] = '\n';
	memcpy(data + o, l3, strlen(l3));
	o += strlen(l3);
	memset(data + o, ' ', tail);
	data[o] = '{';
	o += tail;
	assert_int_equal(o, total);
	char *path = write_tmp(data, total);
	free(data);

	trace_limits lim;
	trace_limits_default(&lim);
	lim.max_line_bytes = 100;
	trace_file *f;
	ts_error e;
	trace *t;
	size_t ln;
	assert_int_equal(trace_file_open(path, &lim, &f, &e), TS_OK);
	assert_int_equal(trace_file_next(f, &t, &ln, &e), TS_OK);
	trace_free(t);
	assert_int_equal(trace_file_next(f, &t, &ln, &e), TS_ERR_LIMIT);
	assert_int_equal(ln, 2);
	char want[600];
	snprintf(want, sizeof want, "%s:2: line of 3145728 bytes is longer than max_line_bytes (100)",
	         path);
	assert_string_equal(e.msg, want);
	assert_int_equal(trace_file_next(f, &t, &ln, &e), TS_OK);
	assert_int_equal(ln, 3);
	assert_int_equal(id_of(t), 3);
	trace_free(t);
	assert_int_equal(trace_file_next(f, &t, &ln, &e), TS_ERR_LIMIT);
	assert_int_equal(ln, 4);
	assert_non_null(strstr(e.msg, ":4: line of 200 bytes"));
	assert_int_equal(trace_file_next(f, &t, &ln, &e), TS_EOF);
	assert_int_equal(trace_file_pos(f), total);
	trace_file_close(f);
	unlink(path);
	free(path);
}

/* A line of exactly max_line_bytes is accepted even with "\r\n"; one byte
 * more is rejected (short lines: found inside the buffer, checked at parse). */
static void test_reader_limit_boundary(void **state)
{
	(void)state;
	const char data[] = "{\"text\":\"a\"}\r\n{\"text\":\"ab\"}\n{\"text\":\"b\"}";
	char *path = write_tmp(data, sizeof data - 1);
	trace_limits lim;
	trace_limits_default(&lim);
	lim.max_line_bytes = 12;
	trace_file *f;
	ts_error e;
	trace *t;
	assert_int_equal(trace_file_open(path, &lim, &f, &e), TS_OK);
	assert_int_equal(trace_file_next(f, &t, NULL, &e), TS_OK);
	trace_free(t);
	assert_int_equal(trace_file_next(f, &t, NULL, &e), TS_ERR_LIMIT); /* 13 bytes */
	assert_int_equal(trace_file_next(f, &t, NULL, &e), TS_OK);
	assert_step(t, 0, "b");
	trace_free(t);
	assert_int_equal(trace_file_next(f, &t, NULL, &e), TS_EOF);
	trace_file_close(f);
	unlink(path);
	free(path);
}

/* The fixture: one line per container, line 2 blank, line 7 a failed batch. */
static void test_reader_fixture(void **state)
{
	(void)state;
	static const struct {
		size_t line;
		ts_status st;
		trace_format fmt;
		trace_finish fin;
		size_t steps;
	} want[] = {
		{ 1, TS_OK, TRACE_FMT_NATIVE, TRACE_FINISH_LENGTH, 2 },
		{ 3, TS_OK, TRACE_FMT_TEXT, TRACE_FINISH_STOP, 13 },
		{ 4, TS_OK, TRACE_FMT_OPENAI_CHAT, TRACE_FINISH_LENGTH, 1 },
		{ 5, TS_OK, TRACE_FMT_OPENAI_CHAT, TRACE_FINISH_STOP, 2 },
		{ 6, TS_OK, TRACE_FMT_OPENAI_BATCH, TRACE_FINISH_LENGTH, 1 },
		{ 7, TS_ERR_FORMAT, 0, 0, 0 },
		{ 8, TS_OK, TRACE_FMT_LLAMACPP, TRACE_FINISH_STOP, 2 },
		{ 9, TS_OK, TRACE_FMT_LLAMACPP, TRACE_FINISH_LENGTH, 1 },
		{ 10, TS_OK, TRACE_FMT_LLAMACPP, TRACE_FINISH_STOP, 1 },
	};
	trace_file *f;
	ts_error e;
	assert_int_equal(trace_file_open("tests/data/traces/containers.jsonl", NULL, &f, &e), TS_OK);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		trace *t;
		size_t ln;
		ts_status st = trace_file_next(f, &t, &ln, &e);
		assert_int_equal(st, want[i].st);
		assert_int_equal(ln, want[i].line);
		if (st != TS_OK) {
			assert_string_equal(e.msg, "tests/data/traces/containers.jsonl:7: batch request "
			                           "failed with status_code 500");
			continue;
		}
		assert_int_equal(trace_get_format(t), want[i].fmt);
		assert_int_equal(trace_get_finish(t), want[i].fin);
		assert_int_equal(trace_n_steps(t), want[i].steps);
		trace_free(t);
	}
	trace *t;
	assert_int_equal(trace_file_next(f, &t, NULL, &e), TS_EOF);
	trace_file_close(f);
}

/* ---- index ---- */

typedef struct progress_rec {
	int calls;
	uint64_t done, total;
} progress_rec;

static void on_progress(void *ud, uint64_t done, uint64_t total)
{
	progress_rec *p = ud;
	p->calls++;
	p->done = done;
	p->total = total;
}

static void test_index(void **state)
{
	(void)state;
	char *path = write_tmp(reader_data, sizeof reader_data - 1);
	trace_index *ix;
	ts_error e;
	progress_rec pr = { 0, 0, 0 };
	assert_int_equal(trace_index_build(path, NULL, on_progress, &pr, &ix, &e), TS_OK);
	/* non-blank lines: 2, 4, 5, 6 */
	assert_int_equal(trace_index_count(ix), 4);
	assert_int_equal(trace_index_lineno(ix, 0), 2);
	assert_int_equal(trace_index_lineno(ix, 1), 4);
	assert_int_equal(trace_index_lineno(ix, 2), 5);
	assert_int_equal(trace_index_lineno(ix, 3), 6);
	assert_int_equal(pr.calls, 1); /* a small file: only the final report */
	assert_int_equal(pr.done, sizeof reader_data - 1);
	assert_int_equal(pr.total, sizeof reader_data - 1);

	trace *t;
	/* any order */
	assert_int_equal(trace_index_load(ix, 3, &t, &e), TS_OK);
	assert_int_equal(id_of(t), 3);
	trace_free(t);
	assert_int_equal(trace_index_load(ix, 0, &t, &e), TS_OK);
	assert_int_equal(id_of(t), 1);
	assert_int_equal(trace_n_steps(t), 1);
	trace_free(t);
	assert_int_equal(trace_index_load(ix, 1, &t, &e), TS_ERR_JSON);
	assert_null(t);
	char want[600];
	snprintf(want, sizeof want, "%s:4: malformed JSON near byte 2", path);
	assert_string_equal(e.msg, want);
	assert_int_equal(trace_index_load(ix, 2, &t, &e), TS_OK);
	assert_int_equal(id_of(t), 2);
	trace_free(t);
	assert_int_equal(trace_index_load(ix, 4, &t, &e), TS_ERR_USAGE);
	trace_index_free(ix);
	unlink(path);
	free(path);

	/* empty file: no entries */
	path = write_tmp("", 0);
	assert_int_equal(trace_index_build(path, NULL, NULL, NULL, &ix, &e), TS_OK);
	assert_int_equal(trace_index_count(ix), 0);
	trace_index_free(ix);
	unlink(path);
	free(path);
}

/* Over-long lines are indexed and fail on load; progress is reported between
 * lines once 16 MiB more were read: a 40 MiB line then a short one -> one
 * report after the long line (at 40 MiB) plus the final one = 2 calls. */
/* trace_index_mentions: plain needles anywhere in the entry's bytes; a
 * needle of digits only as a whole number.  Entry 0 has 1000 only inside
 * 21000 and -0.1000; entry 1 is image 1000; entry 2 names b/pic.png. */
static void test_index_mentions(void **state)
{
	(void)state;
	const char data[] = "{\"image_id\": 21000, \"text\": \"-0.1000\"}\n"
	                    "{\"image_id\": 1000, \"text\": \"x\"}\n"
	                    "{\"file_name\": \"b/pic.png\", \"text\": \"y\"}\n";
	char *path = write_tmp(data, sizeof data - 1);
	trace_index *ix;
	ts_error e;
	assert_int_equal(trace_index_build(path, NULL, NULL, NULL, &ix, &e), TS_OK);
	assert_int_equal(trace_index_count(ix), 3);
	const char *id[] = { "1000" }, *pic[] = { "pic.png" }, *none[] = { "nothing" };
	assert_int_equal(trace_index_mentions(ix, 0, id, 1), 0);
	assert_int_equal(trace_index_mentions(ix, 1, id, 1), 1);
	assert_int_equal(trace_index_mentions(ix, 2, id, 1), 0);
	assert_int_equal(trace_index_mentions(ix, 2, pic, 1), 1);
	assert_int_equal(trace_index_mentions(ix, 0, pic, 1), 0);
	assert_int_equal(trace_index_mentions(ix, 1, none, 1), 0);
	assert_int_equal(trace_index_mentions(ix, 3, id, 1), -1);
	trace_index_free(ix);
	unlink(path);
	free(path);
}

static void test_index_overlong_and_progress(void **state)
{
	(void)state;
	size_t big = (size_t)40 << 20;
	const char *l2 = "\n{\"image_id\": 5, \"text\": \"z\"}\n";
	size_t total = big + strlen(l2);
	char *data = malloc(total);
	memset(data, 'x', big);
	memcpy(data + big, l2, strlen(l2));
	char *path = write_tmp(data, total);
	free(data);
	trace_limits lim;
	trace_limits_default(&lim);
	lim.max_line_bytes = 1000;
	trace_index *ix;
	ts_error e;
	progress_rec pr = { 0, 0, 0 };
	assert_int_equal(trace_index_build(path, &lim, on_progress, &pr, &ix, &e), TS_OK);
	assert_int_equal(pr.calls, 2);
	assert_int_equal(pr.done, total);
	assert_int_equal(trace_index_count(ix), 2);
	assert_int_equal(trace_index_lineno(ix, 1), 2);
	trace *t;
	assert_int_equal(trace_index_load(ix, 0, &t, &e), TS_ERR_LIMIT);
	assert_non_null(strstr(e.msg, ":1: line of 41943040 bytes is longer than max_line_bytes (1000)"));
	assert_int_equal(trace_index_load(ix, 1, &t, &e), TS_OK);
	assert_int_equal(id_of(t), 5);
	trace_free(t);
	trace_index_free(ix);
	unlink(path);
	free(path);
}

/* Issue 20's claim "a server format is a file, an enum value and a table
 * line": every trace_format but TEXT (a reading, not a container) belongs
 * to exactly one line of analysis/trace_containers.def, as its format or
 * its stream form; the line's file analysis/trace_<name>.c exists (with the
 * stream form's chunk reader when it has one); every
 * format has a name of its own (not "unknown", no two alike). */
static void test_container_registry(void **state)
{
	(void)state;
	size_t n = 0;
	const trace_container *tab = trace_containers(&n);
	assert_true(n >= 1);
	assert_int_equal(tab[0].fmt, TRACE_FMT_NATIVE); /* first: native always detects (LAST) */
	for (int f = 0; f < TRACE_FMT_COUNT; f++) {
		int owners = 0;
		for (size_t i = 0; i < n; i++)
			owners += (tab[i].fmt == (trace_format)f) + (tab[i].stream == (trace_format)f);
		if (f == TRACE_FMT_TEXT)
			assert_int_equal(owners, 0);
		else if (owners != 1)
			fail_msg("format %s is in %d container lines", trace_format_name((trace_format)f),
			         owners);
		const char *name = trace_format_name((trace_format)f);
		assert_string_not_equal(name, "unknown");
		for (int g = 0; g < f; g++)
			assert_string_not_equal(name, trace_format_name((trace_format)g));
	}
	for (size_t i = 0; i < n; i++) {
		char path[128];
		snprintf(path, sizeof path, "analysis/trace_%s.c", tab[i].name);
		if (access(path, R_OK))
			fail_msg("container %s has no file %s", tab[i].name, path);
		assert_non_null(tab[i].detect);
		assert_non_null(tab[i].read);
		assert_true(tab[i].stream == TRACE_FMT_COUNT || tab[i].stream != tab[i].fmt);
		/* a stream form is read in the container's file too: its chunk reader */
		assert_int_equal(tab[i].chunk != NULL, tab[i].stream != TRACE_FMT_COUNT);
	}
	assert_int_equal(trace_format_name(TRACE_FMT_COUNT), trace_format_name((trace_format)-1));
}

/* The dispatch rule (trace_container.h): lowest tier wins, then the
 * table's order.  Lines carrying two servers' keys, with the reading the
 * rule gives worked out by hand from the tiers. */
static void test_container_tiers(void **state)
{
	(void)state;
	/* "text" (TEXT) before "choices" (BODY): native text */
	trace *t = parse_ok("{\"text\": \"ab\", \"choices\": [{\"text\": \"zz\"}]}");
	assert_int_equal(trace_get_container(t), TRACE_FMT_NATIVE);
	assert_int_equal(trace_get_format(t), TRACE_FMT_TEXT);
	assert_int_equal(trace_text_len(t), 2);
	trace_free(t);
	/* "text" with meta_info: SGLang's, finish from meta_info.finish_reason.type */
	t = parse_ok("{\"text\": \"ab\", \"meta_info\": {\"finish_reason\": {\"type\": \"length\"}}}");
	assert_int_equal(trace_get_container(t), TRACE_FMT_SGLANG);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_LENGTH);
	trace_free(t);
	/* Ollama's keys (MARKERS) before "generated_text" (GENERATED) */
	t = parse_ok("{\"response\": \"ab\", \"done\": true, \"generated_text\": \"zz\"}");
	assert_int_equal(trace_get_container(t), TRACE_FMT_OLLAMA);
	trace_free(t);
	/* TGI details.tokens (STEPS) before "text" (TEXT): one step "q" */
	t = parse_ok("{\"text\": \"zz\", \"details\": {\"finish_reason\": \"eos_token\", "
	             "\"tokens\": [{\"id\": 1, \"text\": \"q\", \"logprob\": -0.5}]}}");
	assert_int_equal(trace_get_container(t), TRACE_FMT_TGI);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_STOP);
	assert_int_equal(trace_n_steps(t), 1);
	assert_step(t, 0, "q");
	trace_free(t);
	/* a batch envelope (BODY) before the same body read as a wrapped chat */
	t = parse_ok("{\"custom_id\": \"r1\", \"response\": {\"status_code\": 200, \"body\": "
	             "{\"choices\": [{\"text\": \"ab\", \"finish_reason\": \"stop\"}]}}}");
	assert_int_equal(trace_get_container(t), TRACE_FMT_OPENAI_BATCH);
	trace_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_native_tokens),
		cmocka_unit_test(test_container_registry),
		cmocka_unit_test(test_container_tiers),
		cmocka_unit_test(test_native_text),
		cmocka_unit_test(test_text_utf8_and_runs),
		cmocka_unit_test(test_text_run_ends),
		cmocka_unit_test(test_eos_texts_last_byte),
		cmocka_unit_test(test_openai_inline),
		cmocka_unit_test(test_openai_under_response),
		cmocka_unit_test(test_openai_batch),
		cmocka_unit_test(test_llamacpp_logprob),
		cmocka_unit_test(test_llamacpp_probs),
		cmocka_unit_test(test_llamacpp_old),
		cmocka_unit_test(test_finish_mapping),
		cmocka_unit_test(test_bytes_split_utf8),
		cmocka_unit_test(test_bytes_and_utf8_errors),
		cmocka_unit_test(test_line_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_reader_overlong),
		cmocka_unit_test(test_reader_limit_boundary),
		cmocka_unit_test(test_reader_fixture),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_index_overlong_and_progress),
		cmocka_unit_test(test_index_mentions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
