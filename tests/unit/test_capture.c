/* test_capture.c — the capture module's pieces without a network:
 * SSE framing split at every byte, the live stop on a hand-written chunk
 * stream, and the trace reader (trace.h) accepting the lines it writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/cap_buf.h"
#include "capture/cap_resp.h"
#include "capture/cap_sse.h"
#include "trace.h"

#include <dirent.h>

/* the libFuzzer harness, its oracles included (read-back, and the
 * differential against trace_append_chunk), replayed below over its seeds */
#include "../fuzz/fuzz_capture.c"

/* ---- SSE framing ---- */

typedef struct evlog {
	char all[1024]; /* events joined by '|' */
	size_t n;
} evlog;

static int log_event(void *ud, const char *d, size_t len)
{
	evlog *l = ud;
	size_t k = strlen(l->all);
	snprintf(l->all + k, sizeof l->all - k, "%.*s|", (int)len, d);
	l->n++;
	return 0;
}

/* comments, CRLF, a lone CR, "event:", a field without a colon, two data
 * lines joined by "\n", "data:" without a space, an event with no data */
static const char sse_stream[] =
	": keep-alive\r\n\r\n"
	"event: message\r\ndata: {\"a\":1}\r\n\r\n"
	"data: one\ndata: two\n\n"
	"data:nospace\rid: 7\r\r"
	"retry: 10\n\n"
	"data\n\n"
	"data: [DONE]\n\n";
static const char sse_expect[] = "{\"a\":1}|one\ntwo|nospace||[DONE]|";

static void test_sse_every_split(void **st)
{
	(void)st;
	size_t n = strlen(sse_stream);
	for (size_t cut = 0; cut <= n; cut++) {
		cap_sse s;
		cap_sse_init(&s, 1024);
		evlog l = { "", 0 };
		assert_int_equal(cap_sse_feed(&s, sse_stream, cut, log_event, &l), CAP_SSE_OK);
		assert_int_equal(cap_sse_feed(&s, sse_stream + cut, n - cut, log_event, &l), CAP_SSE_OK);
		assert_string_equal(l.all, sse_expect);
		assert_int_equal(l.n, 5);
		assert_int_equal(cap_sse_pending(&s), 0);
		cap_sse_free(&s);
	}
	/* byte by byte */
	cap_sse s;
	cap_sse_init(&s, 1024);
	evlog l = { "", 0 };
	for (size_t i = 0; i < n; i++)
		cap_sse_feed(&s, sse_stream + i, 1, log_event, &l);
	assert_string_equal(l.all, sse_expect);
	/* a stream cut inside an event leaves bytes pending */
	cap_sse_feed(&s, "data: {\"x\"", 10, log_event, &l);
	assert_true(cap_sse_pending(&s) > 0);
	cap_sse_free(&s);
}

static void test_sse_bounded(void **st)
{
	(void)st;
	cap_sse s;
	cap_sse_init(&s, 16);
	evlog l = { "", 0 };
	assert_int_equal(cap_sse_feed(&s, "data: 0123456789\n\n", 18, log_event, &l), CAP_SSE_OK);
	assert_int_equal(l.n, 1);
	/* 17 data bytes in one line, with no line end yet: refused, not buffered */
	assert_int_equal(cap_sse_feed(&s, "data: 0123456789abcdefghijklmnopqrstuvwxyz", 42, log_event, &l),
	                 CAP_SSE_TOOBIG);
	assert_int_equal(cap_sse_feed(&s, "\n\n", 2, log_event, &l), CAP_SSE_TOOBIG);
	assert_int_equal(l.n, 1);
	cap_sse_free(&s);
}

/* ---- JSON writers ---- */

static void test_json_writers(void **st)
{
	(void)st;
	cap_buf b;
	cap_buf_init(&b, 0);
	/* ", \, newline, 0x01, a valid "é", a lone 0xff, a truncated 0xc3 */
	cap_json_str(&b, "a\"\\\n\x01\xc3\xa9\xff\xc3", 9);
	cap_buf_terminate(&b);
	assert_string_equal(b.p, "\"a\\\"\\\\\\n\\u0001\xc3\xa9\\ufffd\\ufffd\"");
	cap_buf_reset(&b);
	cap_json_num(&b, 0.1);
	cap_buf_add(&b, " ", 1);
	cap_json_num(&b, -9999.0);
	cap_buf_add(&b, " ", 1);
	cap_json_num(&b, NAN);
	cap_buf_add(&b, " ", 1);
	cap_json_num(&b, 1.0 / 3.0);
	cap_buf_terminate(&b);
	assert_string_equal(b.p, "0.1 -9999 null 0.3333333333333333");
	assert_true(strtod("0.3333333333333333", NULL) == 1.0 / 3.0);
	cap_buf_free(&b);
	/* the cap */
	cap_buf_init(&b, 4);
	assert_int_equal(cap_buf_add(&b, "abcd", 4), 0);
	assert_int_equal(cap_buf_add(&b, "e", 1), -1);
	assert_true(b.over);
	assert_int_equal(b.len, 4);
	cap_buf_free(&b);
}

/* ---- live stop ---- */

/* One chunk per token, vLLM's shape. */
static void chunk(char *out, size_t cap, const char *tok_json, const char *bytes, double lp)
{
	snprintf(out, cap,
	         "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\","
	         "\"choices\":[{\"index\":0,\"delta\":{\"content\":%s},\"logprobs\":{\"content\":"
	         "[{\"token\":%s,\"logprob\":%g,\"bytes\":%s,\"top_logprobs\":[{\"token\":%s,"
	         "\"logprob\":%g},{\"token\":\"]\",\"logprob\":-4.5}]}]},\"finish_reason\":null}]}",
	         tok_json, tok_json, lp, bytes, tok_json, lp);
}

/* Tokens of [{"bbox": [1, 2, 3, 4], "label": "a"}, {"bbox": [1, 2, 3, 4], "label": "a"}, ...
 * The second record's "}" is token 13 (0-based): tokens 0..6 are the first
 * record, 7 is ", ", 8..13 the second. */
static const char *const toks[] = {
	"\"[{\\\"\"", "\"bbox\"", "\"\\\": [\"", "\"1, 2, 3, 4\"", "\"], \\\"\"", "\"label\\\": \\\"\"",
	"\"a\\\"}\"",
	"\", \"",
	"\"{\\\"bbox\\\": [\"", "\"1, 2, 3, 4\"", "\"], \\\"\"", "\"label\"", "\"\\\": \\\"a\"",
	"\"\\\"}\"",
	"\", {\\\"\"", "\"bbox\"",
};

static void test_live_repeat_stop(void **st)
{
	(void)st;
	policy pol;
	assert_int_equal(policy_parse("repeat_stop", &pol, NULL), TS_OK);
	cap_resp r;
	cap_resp_init(&r, NULL, NULL, &pol);
	ts_error e;
	char buf[1024];
	size_t n = sizeof toks / sizeof toks[0];
	size_t i;
	cap_ev ev = CAP_EV_MORE;
	for (i = 0; i < n && ev == CAP_EV_MORE; i++) {
		/* token text as bytes too (JSON decoded by hand is not needed:
		 * "bytes" null lets the reader use the token) */
		chunk(buf, sizeof buf, toks[i], "null", -0.25 * (double)i);
		ev = cap_resp_event(&r, buf, strlen(buf), &e);
	}
	assert_int_equal(ev, CAP_EV_STOPPED);
	assert_int_equal(i, 14); /* stopped on token 13 */
	assert_int_equal(r.stop_step, 13);
	assert_int_equal(r.n_steps, 14);
	assert_int_equal(cap_resp_records(&r), 2);
	assert_int_equal(cap_resp_duplicates(&r), 1);
	/* later events are ignored */
	chunk(buf, sizeof buf, toks[14], "null", -1);
	assert_int_equal(cap_resp_event(&r, buf, strlen(buf), &e), CAP_EV_STOPPED);
	assert_int_equal(r.n_steps, 14);

	/* the line, read back by the trace reader */
	cap_buf line;
	cap_buf_init(&line, 0);
	cap_ref ref = { 1, 42, "img 42.png" };
	assert_int_equal(cap_resp_line(&r, &ref, "\"attempts\":1", &line), 0);
	assert_true(line.len > 0 && line.p[line.len - 1] == '\n');
	trace *t = NULL;
	assert_int_equal(trace_parse_line(line.p, line.len - 1, NULL, &t, &e), TS_OK);
	assert_int_equal(trace_get_format(t), TRACE_FMT_OPENAI_CHAT);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_POLICY); /* read back as a live stop */
	assert_int_equal(trace_n_steps(t), 14);
	int64_t id = 0;
	assert_true(trace_image_id(t, &id));
	assert_int_equal(id, 42);
	assert_string_equal(trace_file_name(t), "img 42.png");
	const char *want = "[{\"bbox\": [1, 2, 3, 4], \"label\": \"a\"}, {\"bbox\": [1, 2, 3, 4], \"label\": \"a\"}";
	assert_int_equal(trace_text_len(t), strlen(want));
	assert_memory_equal(trace_text(t), want, strlen(want));
	const trace_step *s = trace_steps(t);
	for (size_t k = 0; k < 14; k++) {
		assert_true(s[k].logprob == -0.25 * (double)k);
		assert_int_equal(s[k].n_alt, 2);
		assert_true(trace_alts(t)[s[k].alt_first + 1].logprob == -4.5);
	}
	trace_free(t);
	/* and the line says why it ended */
	cJSON *j = cJSON_ParseWithLength(line.p, line.len);
	const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "choices"), 0);
	assert_string_equal(cJSON_GetObjectItem(c0, "finish_reason")->valuestring, "stop");
	assert_string_equal(cJSON_GetObjectItem(c0, "stop_reason")->valuestring, "repeat_stop");
	const cJSON *cap = cJSON_GetObjectItem(j, "capture");
	assert_int_equal(cJSON_GetObjectItem(cap, "stop_step")->valueint, 13);
	assert_int_equal(cJSON_GetObjectItem(cap, "attempts")->valueint, 1);
	cJSON_Delete(j);
	cap_buf_free(&line);

	/* policy off reads on through the duplicate */
	assert_int_equal(policy_parse("off", &pol, NULL), TS_OK);
	cap_resp_free(&r);
	cap_resp_init(&r, NULL, NULL, &pol);
	for (i = 0; i < n; i++) {
		chunk(buf, sizeof buf, toks[i], "null", -1);
		assert_int_equal(cap_resp_event(&r, buf, strlen(buf), &e), CAP_EV_MORE);
	}
	assert_int_equal(r.n_steps, n);
	assert_false(r.fired);
	cap_resp_free(&r);
}

/* A token split inside a UTF-8 character: "é" = c3 a9 over two steps, each
 * given by "bytes" (its "token" text is U+FFFD).  The line keeps the bytes;
 * the reader rebuilds the character. */
static void test_split_utf8_and_finish(void **st)
{
	(void)st;
	policy pol = { POLICY_OFF, 0 };
	cap_resp r;
	cap_resp_init(&r, NULL, NULL, &pol);
	ts_error e;
	char buf[1024];
	chunk(buf, sizeof buf, "\"caf\"", "[99,97,102]", -0.5);
	assert_int_equal(cap_resp_event(&r, buf, strlen(buf), &e), CAP_EV_MORE);
	chunk(buf, sizeof buf, "\"\\ufffd\"", "[195]", -0.75);
	assert_int_equal(cap_resp_event(&r, buf, strlen(buf), &e), CAP_EV_MORE);
	chunk(buf, sizeof buf, "\"\\ufffd\"", "[169]", -1.0);
	assert_int_equal(cap_resp_event(&r, buf, strlen(buf), &e), CAP_EV_MORE);
	const char *fin = "{\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"length\"}]}";
	assert_int_equal(cap_resp_event(&r, fin, strlen(fin), &e), CAP_EV_MORE);
	assert_string_equal(r.finish, "length");
	assert_int_equal(cap_resp_event(&r, "[DONE]", 6, &e), CAP_EV_DONE);
	/* not JSON, and a server error object mid-stream */
	assert_int_equal(cap_resp_event(&r, "{\"choices\": [", 13, &e), CAP_EV_ERROR);
	const char *err = "{\"error\":{\"message\":\"out of KV cache\"}}";
	assert_int_equal(cap_resp_event(&r, err, strlen(err), &e), CAP_EV_ERROR);
	assert_non_null(strstr(e.msg, "out of KV cache"));

	cap_buf line;
	cap_buf_init(&line, 0);
	cap_ref ref = { 0, 0, "x.png" };
	assert_int_equal(cap_resp_line(&r, &ref, NULL, &line), 0);
	assert_non_null(strstr(line.p, "\"bytes\":[195]"));
	trace *t = NULL;
	assert_int_equal(trace_parse_line(line.p, line.len, NULL, &t, &e), TS_OK);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_LENGTH);
	assert_int_equal(trace_n_steps(t), 3);
	assert_int_equal(trace_text_len(t), 5);
	assert_memory_equal(trace_text(t), "caf\xc3\xa9", 5);
	assert_int_equal(trace_steps(t)[1].len, 1);
	assert_false(trace_image_id(t, NULL));
	trace_free(t);
	cap_buf_free(&line);
	cap_resp_free(&r);
}

/* Limits: the response is cut, recorded as finish_reason "length". */
static void test_limit_cut(void **st)
{
	(void)st;
	policy pol = { POLICY_OFF, 0 };
	trace_limits lim;
	trace_limits_default(&lim);
	lim.max_steps = 2;
	cap_resp r;
	cap_resp_init(&r, &lim, NULL, &pol);
	ts_error e;
	char buf[1024];
	chunk(buf, sizeof buf, "\"a\"", "null", -1);
	assert_int_equal(cap_resp_event(&r, buf, strlen(buf), &e), CAP_EV_MORE);
	assert_int_equal(cap_resp_event(&r, buf, strlen(buf), &e), CAP_EV_MORE);
	assert_int_equal(cap_resp_event(&r, buf, strlen(buf), &e), CAP_EV_STOPPED);
	assert_true(r.limit_cut);
	cap_buf line;
	cap_buf_init(&line, 0);
	cap_ref ref = { 0, 0, NULL };
	assert_int_equal(cap_resp_line(&r, &ref, NULL, &line), 0);
	assert_non_null(strstr(line.p, "\"finish_reason\":\"length\",\"stop_reason\":\"tailscope_limit\""));
	trace *t = NULL;
	assert_int_equal(trace_parse_line(line.p, line.len, NULL, &t, &e), TS_OK);
	assert_int_equal(trace_n_steps(t), 2);
	trace_free(t);
	cap_buf_free(&line);
	cap_resp_free(&r);

	/* line_bytes: each chunk below adds 6 + 4 * 6 + item bytes; with 5000
	 * the 4 KiB reserve leaves room for a few steps only, and the line
	 * written then fits the reader's limit */
	trace_limits_default(&lim);
	lim.max_line_bytes = 5000;
	cap_resp_init(&r, &lim, NULL, &pol);
	size_t i;
	for (i = 0; i < 100; i++) {
		chunk(buf, sizeof buf, "\"abcd\"", "null", -1);
		if (cap_resp_event(&r, buf, strlen(buf), &e) != CAP_EV_MORE)
			break;
	}
	assert_true(i > 0 && i < 100);
	assert_true(r.limit_cut);
	assert_non_null(strstr(r.limit_what, "line_bytes"));
	cap_buf_init(&line, 0);
	assert_int_equal(cap_resp_line(&r, &ref, NULL, &line), 0);
	assert_true(line.len <= 5000);
	assert_int_equal(trace_parse_line(line.p, line.len, &lim, &t, &e), TS_OK);
	assert_int_equal(trace_n_steps(t), i);
	trace_free(t);
	cap_buf_free(&line);
	cap_resp_free(&r);
}

/* Differential: an item the capture accepts is an item the trace reader
 * accepts, with the same step bytes; one it refuses, the reader refuses too
 * (or, for a limit, the reader would cut it the same way). */
static const char *const items[] = {
	/* accepted by both */
	"{\"token\":\"ab\",\"logprob\":-0.5}",
	"{\"token\":\"ab\",\"logprob\":-0.5,\"bytes\":[97,98],\"top_logprobs\":[]}",
	"{\"token\":\"\\ufffd\",\"bytes\":[195],\"logprob\":-1e-3,\"top_logprobs\":[{\"token\":\"x\",\"logprob\":-2}]}",
	"{\"bytes\":[0,255],\"logprob\":null}",
	"{\"token\":\"\\u00e9\\ud83d\\ude00\",\"logprob\":-0.25,\"top_logprobs\":null}",
	"{ \"logprob\" : -9999.0 , \"token\" : \"q\" , \"id\" : 12 }",
	"{\"token\":\"a\",\"bytes\":null}",
	/* vLLM's return_tokens_as_token_ids placeholder with other bytes (its text) */
	"{\"bytes\":[104,105],\"token\":\"token_id:17\",\"logprob\":-1}",
	"{\"token\":\"token_id:17\",\"bytes\":[104,105],\"logprob\":-1}",
	"{\"token\":\"token_id:\",\"logprob\":-1}", /* no digits: a plain token */
	"{\"token\":\"token_id:1x\",\"logprob\":-1}",
	"{\"token\":\"token_id:17\",\"logprob\":-1,\"bytes\":[104,105]}", /* the compact shape */
	/* refused by both */
	"{\"logprob\":-0.5}",
	"{\"token\":5}",
	"{\"token\":\"a\",\"logprob\":\"-1\"}",
	"{\"token\":\"a\",\"bytes\":[256]}",
	"{\"token\":\"a\",\"bytes\":[-1]}",
	"{\"token\":\"a\",\"bytes\":\"97\"}",
	"{\"token\":\"a\",\"top_logprobs\":{}}",
	"{\"token\":\"a\",\"top_logprobs\":[{\"logprob\":-1}]}",
	"{\"token\":\"a\",\"top_logprobs\":[\"b\"]}",
	"{\"token\":\"a\",\"prob\":2}",
	/* the placeholder alone, or with its own bytes: the text is unknown */
	"{\"token\":\"token_id:17\",\"logprob\":-1}",
	"{\"token\":\"token_id:17\",\"bytes\":[116,111,107,101,110,95,105,100,58,49,55]}",
	"{\"bytes\":[116,111,107,101,110,95,105,100,58,49,55],\"token\":\"token_id:17\"}",
	"{\"token\":\"token_id:3\\u00005\",\"logprob\":-1}", /* cJSON ends it at the NUL */
	"{\"token\":\"token_id:17\",\"logprob\":-1,\"bytes\":[116,111,107,101,110,95,105,100,58,49,55]}",
	/* the reader's native shorthand (a plain string step): the capture,
	 * reading OpenAI chunks, is stricter and refuses it */
	"\"a\"",
};
/* which of them the capture accepts: the first 12; the reader: those too, and the last */
#define N_ITEMS_OK 12
#define N_ITEMS 28

static void test_items_agree_with_reader(void **st)
{
	(void)st;
	assert_int_equal(sizeof items / sizeof items[0], N_ITEMS);
	char chunkbuf[1024], line[1024];
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
		policy pol = { POLICY_OFF, 0 };
		cap_resp r;
		cap_resp_init(&r, NULL, NULL, &pol);
		ts_error e;
		snprintf(chunkbuf, sizeof chunkbuf,
		         "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},"
		         "\"logprobs\":{\"content\":[%s]},\"finish_reason\":\"stop\"}]}", items[i]);
		cap_ev ev = cap_resp_event(&r, chunkbuf, strlen(chunkbuf), &e);
		snprintf(line, sizeof line,
		         "{\"choices\":[{\"logprobs\":{\"content\":[%s]},\"finish_reason\":\"stop\"}]}",
		         items[i]);
		trace *t = NULL;
		ts_status rs = trace_parse_line(line, strlen(line), NULL, &t, &e);
		int reader_ok = i < N_ITEMS_OK || i == N_ITEMS - 1;
		if ((ev == CAP_EV_MORE) != (i < N_ITEMS_OK) || (rs == TS_OK) != reader_ok)
			fail_msg("item %zu: capture %d, reader %d: %s", i, (int)ev, (int)rs, items[i]);
		if (ev == CAP_EV_MORE) {
			/* the capture's own line reads back to the same step */
			cap_buf out;
			cap_buf_init(&out, 0);
			cap_ref ref = { 0, 0, NULL };
			assert_int_equal(cap_resp_line(&r, &ref, NULL, &out), 0);
			trace *t2 = NULL;
			assert_int_equal(trace_parse_line(out.p, out.len, NULL, &t2, &e), TS_OK);
			assert_int_equal(trace_n_steps(t2), 1);
			assert_int_equal(trace_text_len(t2), trace_text_len(t));
			assert_memory_equal(trace_text(t2), trace_text(t), trace_text_len(t));
			assert_int_equal(r.steps[0].len, trace_text_len(t));
			assert_int_equal(trace_steps(t2)[0].n_alt, trace_steps(t)[0].n_alt);
			assert_true(trace_steps(t2)[0].logprob == trace_steps(t)[0].logprob ||
			            (isnan(trace_steps(t2)[0].logprob) && isnan(trace_steps(t)[0].logprob)));
			trace_free(t2);
			cap_buf_free(&out);
		}
		trace_free(t);
		cap_resp_free(&r);
	}
}

/* The choice taken is the one trace_append_chunk takes: choice index 0
 * (trace_choice_index: "index", truncated, else the position), not simply
 * the first element. */
static void test_choice_index_as_reader(void **st)
{
	(void)st;
	static const struct {
		const char *chunk;
		const char *want; /* the step's bytes, NULL: no step */
	} cases[] = {
		{ "{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"x\"}},{\"index\":0,\"delta\":{\"content\":\"y\"}}]}", "y" },
		{ "{\"choices\":[{\"delta\":{\"content\":\"x\"},\"index\":5}]}", NULL },
		{ "{\"choices\":[{\"delta\":{\"content\":\"x\"},\"index\":0.5}]}", "x" },
		{ "{\"choices\":[{\"delta\":{\"content\":\"x\"},\"index\":\"0\"}]}", "x" },
		{ "{\"choices\":[{\"delta\":{\"content\":\"x\"},\"index\":-1}]}", "x" },
		{ "{\"choices\":[{\"delta\":{\"content\":\"x\"},\"index\":1e12}]}", "x" },
		{ "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}},{\"index\":0,\"delta\":{\"content\":\"y\"}}]}", "x" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		policy pol = { POLICY_OFF, 0 };
		cap_resp r;
		cap_resp_init(&r, NULL, NULL, &pol);
		ts_error e;
		assert_int_equal(cap_resp_event(&r, cases[i].chunk, strlen(cases[i].chunk), &e), CAP_EV_MORE);
		trace *t = trace_new(TRACE_FMT_OPENAI_SSE);
		int done = 0;
		assert_int_equal(trace_append_chunk(t, cases[i].chunk, strlen(cases[i].chunk), NULL, 0, &done, &e), TS_OK);
		size_t want = cases[i].want ? 1 : 0;
		if (r.n_steps != want || trace_n_steps(t) != want)
			fail_msg("case %zu: capture %zu steps, reader %zu, want %zu", i, r.n_steps, trace_n_steps(t), want);
		if (want) {
			assert_memory_equal(r.text.p, cases[i].want, 1);
			assert_memory_equal(trace_text(t), cases[i].want, 1);
		}
		trace_free(t);
		cap_resp_free(&r);
	}
}

/* A chunk without logprobs whose delta.content is a "token_id:N"
 * placeholder: the reader would refuse the line the capture writes (the
 * fuzzer found it), so the capture refuses the event with the reader's rule. */
static void test_placeholder_delta(void **st)
{
	(void)st;
	static const struct {
		const char *content;
		cap_ev want;
	} cases[] = {
		{ "token_id:3333333333333333333333333333333316", CAP_EV_ERROR },
		{ "token_id:0", CAP_EV_ERROR },
		{ "token_id:", CAP_EV_MORE },
		{ "token_id: 5", CAP_EV_MORE },
		{ "atoken_id:5", CAP_EV_MORE },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		policy pol = { POLICY_OFF, 0 };
		cap_resp r;
		cap_resp_init(&r, NULL, NULL, &pol);
		ts_error e;
		char chunk[256];
		snprintf(chunk, sizeof chunk, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"}}]}",
		         cases[i].content);
		cap_ev ev = cap_resp_event(&r, chunk, strlen(chunk), &e);
		if (ev != cases[i].want)
			fail_msg("case %zu (%s): %d, want %d", i, cases[i].content, (int)ev, (int)cases[i].want);
		if (ev == CAP_EV_ERROR)
			assert_non_null(strstr(e.msg, "return_tokens_as_token_ids"));
		else { /* the line reads back */
			cap_buf out;
			cap_buf_init(&out, 0);
			cap_ref ref = { 0, 0, NULL };
			assert_int_equal(cap_resp_line(&r, &ref, NULL, &out), 0);
			trace *t = NULL;
			assert_int_equal(trace_parse_line(out.p, out.len, NULL, &t, &e), TS_OK);
			assert_int_equal(trace_text_len(t), strlen(cases[i].content));
			trace_free(t);
			cap_buf_free(&out);
		}
		cap_resp_free(&r);
	}
}

/* Every committed seed of tests/fuzz/fuzz_capture.c through the harness
 * (gcc build, no libFuzzer): the capture's lines read back, and the capture
 * and trace_append_chunk agree on the steps of every event (an oracle
 * failure aborts). */
static void test_seeds_differential(void **st)
{
	(void)st;
	const char *dir = "tests/fuzz/corpus/fuzz_capture";
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t n = 0;
	static unsigned char buf[1 << 16];
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		size_t len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		n++;
	}
	closedir(d);
	assert_true(n > 100);
}

/* The scanner refuses what is not JSON (the reader's cJSON too). */
static void test_scanner_rejects(void **st)
{
	(void)st;
	static const char *const bad[] = {
		"{\"choices\":[],}", "{\"choices\":[] \"id\":1}", "{\"choices\":[1,]}",
		"{\"choices\":[{\"delta\":{\"content\":\"\\ud800\"}}]}",
		"{\"choices\":[{\"delta\":{\"content\":\"a\x01\"}}]}",
		"{\"choices\":[{\"delta\":{\"content\":\"\xc3\"}}]}",
		"{\"choices\":[{\"index\":01}]}", "{\"choices\":[{\"index\":1.}]}",
		"{\"choices\":[]} x", "{\"choices\":tru}", "{\"id\":\"a\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		policy pol = { POLICY_OFF, 0 };
		cap_resp r;
		cap_resp_init(&r, NULL, NULL, &pol);
		ts_error e;
		if (cap_resp_event(&r, bad[i], strlen(bad[i]), &e) != CAP_EV_ERROR)
			fail_msg("accepted: %s", bad[i]);
		/* the structural errors are cJSON's too (it is lenient about raw
		 * control bytes, invalid UTF-8, lone surrogates and numbers like
		 * 01 or 1., which the scanner refuses) */
		cJSON *j = cJSON_ParseWithOpts(bad[i], NULL, 1);
		if (j && (i <= 2 || i == 8 || i == 9))
			fail_msg("cJSON accepts %s", bad[i]);
		cJSON_Delete(j);
		cap_resp_free(&r);
	}
	/* and accepts white space everywhere, a usage chunk with no choices */
	const char *ok = " { \"choices\" : [ ] , \"usage\" : { \"prompt_tokens\" : 3 } } ";
	policy pol = { POLICY_OFF, 0 };
	cap_resp r;
	cap_resp_init(&r, NULL, NULL, &pol);
	ts_error e;
	assert_int_equal(cap_resp_event(&r, ok, strlen(ok), &e), CAP_EV_MORE);
	cap_resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sse_every_split),
		cmocka_unit_test(test_sse_bounded),
		cmocka_unit_test(test_json_writers),
		cmocka_unit_test(test_live_repeat_stop),
		cmocka_unit_test(test_split_utf8_and_finish),
		cmocka_unit_test(test_limit_cut),
		cmocka_unit_test(test_items_agree_with_reader),
		cmocka_unit_test(test_scanner_rejects),
		cmocka_unit_test(test_choice_index_as_reader),
		cmocka_unit_test(test_seeds_differential),
		cmocka_unit_test(test_placeholder_delta),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
