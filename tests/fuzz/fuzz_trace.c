/* fuzz_trace — one JSONL line through trace_parse_line, then the whole
 * per-sample analysis (record parser, repeats, stop policies) on the trace.
 *
 * Oracles besides ASan/UBSan:
 *   - an error leaves *out NULL, err.code equal to the status and a
 *     non-empty message, which sanitizes to clean text;
 *   - a trace's steps tile trace_text() exactly (step i starts where step
 *     i-1 ended), the text is NUL-terminated, every step's alternatives lie
 *     inside trace_alts(), at most max_alts per step, at most max_steps steps,
 *     no token over max_token_bytes;
 *   - image reference, prompt and every token sanitize to clean text;
 *   - sample_analyze succeeds or fails with a message; records_upto is
 *     monotonic and ends at the record count; each policy's outcome keeps at
 *     most all records;
 *   - the native fast path (trace_fast.c): when it takes the line, the
 *     cJSON path (trace_json_parse + trace_parse_object) succeeds with the
 *     same trace (format, finish, refs, text, every step and alternative);
 *   - the input as a streaming chunk (trace_append_chunk, twice, for each
 *     streaming container): a failure leaves the trace unchanged, steps
 *     tile the NUL-terminated text. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "policy.h"
#include "sample.h"
#include "sanitize.h"
#include "trace.h"
#include "trace_int.h"

static void clean(const char *what, const char *s, size_t n)
{
	char *d = sanitize_dup(s, n, 0);
	FZ_CHECK(d, "oom");
	fz_check_clean(what, d, strlen(d));
	free(d);
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The fast path and the cJSON path agree on this line (see the header). */
static void fast_vs_cjson(const char *line, size_t n, const trace_limits *lim)
{
	trace *f = NULL, *c = NULL;
	if (!trace_fast_parse_line(line, n, lim, &f))
		return;
	cJSON *root = NULL;
	ts_error e;
	FZ_CHECK(trace_json_parse(line, n, lim, &root, &e) == TS_OK, "fast path took what cJSON refuses");
	FZ_CHECK(trace_parse_object(root, lim, &c, &e) == TS_OK, "fast path took a line the cJSON path fails: %s", e.msg);
	cJSON_Delete(root);
	int64_t ia = -1, ib = -1;
	FZ_CHECK(trace_get_format(f) == trace_get_format(c) && trace_get_finish(f) == trace_get_finish(c) &&
	         trace_get_container(f) == trace_get_container(c) && trace_has_logprobs(f) == trace_has_logprobs(c) &&
	         trace_image_id(f, &ia) == trace_image_id(c, &ib) && ia == ib &&
	         same_str(trace_file_name(f), trace_file_name(c)) && same_str(trace_custom_id(f), trace_custom_id(c)) &&
	         same_str(trace_prompt(f), trace_prompt(c)), "fast path: header differs");
	FZ_CHECK(trace_n_steps(f) == trace_n_steps(c) && trace_n_alts(f) == trace_n_alts(c) &&
	         trace_text_len(f) == trace_text_len(c) &&
	         !memcmp(trace_text(f), trace_text(c), trace_text_len(f) + 1), "fast path: text differs");
	for (size_t i = 0; i < trace_n_steps(f); i++) {
		const trace_step *a = &trace_steps(f)[i], *b = &trace_steps(c)[i];
		FZ_CHECK(a->off == b->off && a->len == b->len && a->alt_first == b->alt_first &&
		         a->n_alt == b->n_alt && !memcmp(&a->logprob, &b->logprob, sizeof a->logprob),
		         "fast path: step %zu differs", i);
	}
	for (size_t i = 0; i < trace_n_alts(f); i++) {
		const trace_alt *a = &trace_alts(f)[i], *b = &trace_alts(c)[i];
		FZ_CHECK(a->off == b->off && a->len == b->len && !memcmp(&a->logprob, &b->logprob, sizeof a->logprob) &&
		         !memcmp(trace_alt_text(f) + a->off, trace_alt_text(c) + b->off, a->len),
		         "fast path: alternative %zu differs", i);
	}
	trace_free(f);
	trace_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	trace_limits lim;
	trace_limits_default(&lim);
	/* small caps so that the limit paths are reached by small inputs */
	lim.max_steps = 512;
	lim.max_alts = 4;
	lim.max_token_bytes = 64;
	lim.max_line_bytes = 1u << 20;

	/* the chunk API (tailscope capture): the input as one streaming chunk,
	 * appended twice to a trace of each streaming container; a failed
	 * append leaves the trace as it was; the text stays NUL-terminated and
	 * tiled by the steps */
	static const trace_format conts[] = { TRACE_FMT_OPENAI_SSE, TRACE_FMT_LLAMACPP_SSE,
	                                      TRACE_FMT_OLLAMA_STREAM, TRACE_FMT_TGI_SSE };
	for (size_t k = 0; k < sizeof conts / sizeof conts[0]; k++) {
		trace *c = trace_new(conts[k]);
		FZ_CHECK(c, "oom");
		for (int rep = 0; rep < 2; rep++) {
			size_t n0 = trace_n_steps(c), l0 = trace_text_len(c);
			int done = 0;
			ts_error ce;
			ts_status cs = trace_append_chunk(c, (const char *)data, size, &lim, 0, &done, &ce);
			if (cs != TS_OK) {
				FZ_CHECK(trace_n_steps(c) == n0 && trace_text_len(c) == l0 && !done,
				         "failed append changed the trace");
				FZ_CHECK(ce.msg[0] != '\0', "chunk error without a message");
			}
			size_t pos = 0;
			for (size_t i = 0; i < trace_n_steps(c); i++) {
				FZ_CHECK(trace_steps(c)[i].off == pos, "chunk step %zu misplaced", i);
				pos += trace_steps(c)[i].len;
			}
			FZ_CHECK(pos == trace_text_len(c) && trace_text(c)[pos] == '\0', "chunk text not tiled");
		}
		trace_free(c);
	}

	fast_vs_cjson((const char *)data, size, &lim);

	trace *t = (trace *)0x1;
	ts_error err;
	ts_status st = trace_parse_line((const char *)data, size, &lim, &t, &err);
	if (st != TS_OK) {
		FZ_CHECK(t == NULL, "error %d but a trace was returned", (int)st);
		FZ_CHECK(err.code == st, "err.code %d != status %d", (int)err.code, (int)st);
		FZ_CHECK(err.msg[0] != '\0', "empty error message for status %d", (int)st);
		clean("error message", err.msg, strlen(err.msg));
		return 0;
	}
	FZ_CHECK(t != NULL, "TS_OK without a trace");

	size_t n = trace_n_steps(t), tl = trace_text_len(t), na = trace_n_alts(t);
	const trace_step *steps = trace_steps(t);
	const trace_alt *alts = trace_alts(t);
	const char *text = trace_text(t);
	FZ_CHECK(n <= lim.max_steps, "%zu steps > max_steps", n);
	FZ_CHECK(text != NULL && text[tl] == '\0', "text not NUL-terminated");
	size_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		FZ_CHECK(steps[i].off == pos, "step %zu starts at %u, expected %zu", i, steps[i].off, pos);
		FZ_CHECK(steps[i].len <= lim.max_token_bytes, "step %zu has %u bytes", i, steps[i].len);
		pos += steps[i].len;
		FZ_CHECK(pos <= tl, "step %zu ends past the text", i);
		FZ_CHECK(steps[i].n_alt <= lim.max_alts, "step %zu has %u alternatives", i, steps[i].n_alt);
		FZ_CHECK((size_t)steps[i].alt_first + steps[i].n_alt <= na, "step %zu alternatives out of range", i);
		for (uint32_t k = 0; k < steps[i].n_alt; k++) {
			const trace_alt *a = &alts[steps[i].alt_first + k];
			clean("alternative", trace_alt_text(t) + a->off, a->len);
		}
		clean("token", text + steps[i].off, steps[i].len);
	}
	FZ_CHECK(pos == tl, "steps cover %zu of %zu text bytes", pos, tl);
	if (trace_file_name(t))
		clean("file_name", trace_file_name(t), strlen(trace_file_name(t)));
	if (trace_custom_id(t))
		clean("custom_id", trace_custom_id(t), strlen(trace_custom_id(t)));
	if (trace_prompt(t))
		clean("prompt", trace_prompt(t), strlen(trace_prompt(t)));
	FZ_CHECK(trace_format_name(trace_get_format(t)) != NULL, "format name");
	FZ_CHECK(trace_finish_name(trace_get_finish(t)) != NULL, "finish name");

	analysis_opts o;
	analysis_opts_default(&o);
	o.rec_limits.max_records = 64;
	o.rec_limits.max_label_bytes = 32;
	sample *s = NULL;
	st = sample_analyze(t, NULL, NULL, 640, 480, &o, &s, &err);
	if (st != TS_OK) {
		FZ_CHECK(s == NULL && err.msg[0], "sample_analyze error %d", (int)st);
	} else {
		size_t nr = sample_n_records(s);
		FZ_CHECK(nr <= o.rec_limits.max_records, "%zu records", nr);
		const record *r = sample_records(s);
		for (size_t i = 0; i < nr; i++) {
			FZ_CHECK(r[i].label_len <= o.rec_limits.max_label_bytes, "label of %zu bytes", r[i].label_len);
			FZ_CHECK(r[i].first_step <= r[i].last_step && (n == 0 || r[i].last_step < n),
			         "record %zu steps %u..%u of %zu", i, r[i].first_step, r[i].last_step, n);
			for (int k = 0; k < 4; k++)
				FZ_CHECK(isfinite(r[i].v[k]), "record %zu value %d not finite", i, k);
			clean("label", r[i].label, r[i].label_len);
		}
		size_t prev = 0;
		for (long step = -1; step <= (long)n; step++) {
			size_t u = sample_records_upto(s, step);
			FZ_CHECK(u >= prev && u <= nr, "records_upto(%ld) = %zu", step, u);
			prev = u;
		}
		FZ_CHECK(prev == nr, "records_upto(end) = %zu of %zu", prev, nr);
		const policy pols[] = { { POLICY_OFF, 0 }, { POLICY_REPEAT_STOP, 0 }, { POLICY_BUDGET, 3 },
		                       { POLICY_NEAR_DUP, POLICY_IOU_UNIT / 2 }, { POLICY_DEDUP, 0 } };
		for (size_t k = 0; k < sizeof pols / sizeof pols[0]; k++) {
			sample_outcome oc = sample_outcome_for(s, &pols[k]);
			FZ_CHECK(oc.rep.records <= nr, "policy %zu keeps %zu of %zu records", k, oc.rep.records, nr);
			FZ_CHECK(oc.tokens <= n || n == 0, "policy %zu counts %zu of %zu tokens", k, oc.tokens, n);
		}
		sample_free(s);
	}
	trace_free(t);
	return 0;
}
