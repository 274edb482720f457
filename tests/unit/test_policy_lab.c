/* The policy lab's replayed policies (repetition_detection, ladder,
 * close_prob) and the sweep syntax, each against an independent
 * implementation written here from the rule's own description:
 *   - repetition_detection: vLLM's check_sequence_repetition transcribed
 *     literally (the check on every prefix, pattern lengths in order, the
 *     early "return False" when L * COUNT exceeds the length);
 *   - ladder: every window of N records checked by brute force;
 *   - close_prob: hand-worked traces with alternatives.
 * Expected stop steps of the hand-worked traces are counted by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include <cJSON.h>

#include "policy.h"
#include "sample.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- an independent vLLM check, written from its Python ---- */

static int has_pattern(const uint32_t *ids, size_t len, long L, long count)
{
	for (long n = 1; n <= L; n++) {
		uint32_t target = ids[len - (size_t)n];
		for (long m = 1; m < count; m++)
			if (ids[len - (size_t)(L * m + n)] != target)
				return 0;
	}
	return 1;
}

static int vllm_check(const uint32_t *ids, size_t len, long mx, long mn, long count)
{
	if (mn <= 0)
		mn = 1;
	if (mx <= 0 || count < 2 || mn > mx)
		return 0;
	for (long L = mn; L <= mx; L++) {
		if ((size_t)(L * count) > len)
			return 0;
		if (has_pattern(ids, len, L, count))
			return 1;
	}
	return 0;
}

/* run after every token: the first step (0-based) where it is true */
static long vllm_first(const uint32_t *ids, size_t n, long mx, long mn, long count)
{
	for (size_t len = 1; len <= n; len++)
		if (vllm_check(ids, len, mx, mn, count))
			return (long)len - 1;
	return -1;
}

static policy pol(const char *text)
{
	policy p;
	ts_error err;
	assert_int_equal(policy_parse(text, &p, &err), TS_OK);
	return p;
}

static void test_rd_random_against_vllm(void **state)
{
	(void)state;
	uint32_t seed = 12345;
	uint32_t ids[200];
	static const long params[][3] = {
		{ 1, 1, 2 }, { 4, 1, 3 }, { 8, 2, 2 }, { 16, 1, 4 }, { 3, 3, 5 },
		{ 5, 0, 2 }, { 0, 1, 3 }, { 4, 6, 2 }, { 6, 1, 1 }, { 20, 4, 2 },
	};
	for (int trial = 0; trial < 400; trial++) {
		size_t n = 1 + trial % 200;
		uint32_t alphabet = 2 + (uint32_t)(trial % 5);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			ids[i] = (seed >> 16) % alphabet;
		}
		/* sometimes plant a loop at the end */
		if (trial % 3 == 0 && n > 24)
			for (size_t i = n - 18; i < n; i++)
				ids[i] = ids[i - 6];
		for (size_t k = 0; k < N(params); k++) {
			char txt[96];
			snprintf(txt, sizeof txt, "repetition_detection:%ld:%ld:%ld", params[k][0],
			         params[k][1], params[k][2]);
			policy p = pol(txt);
			policy_trace tr = { ids, n, NULL, 0 };
			policy_cut c = policy_apply_trace(&p, NULL, 0, -1, &tr);
			long want = vllm_first(ids, n, params[k][0], params[k][1], params[k][2]);
			assert_int_equal(c.stop_step, want);
			assert_int_equal(c.fired, want >= 0);
		}
	}
}

static void test_rd_hand(void **state)
{
	(void)state;
	/* a b c a b c a b: pattern "a b c" twice is complete at step 5 (MIN 3);
	 * with MIN 1 and COUNT 2 no two equal neighbours appear: also 5 (L=3) */
	uint32_t ids[] = { 0, 1, 2, 0, 1, 2, 0, 1 };
	policy_trace tr = { ids, N(ids), NULL, 0 };
	policy p = pol("repetition_detection:3:3:2");
	assert_int_equal(policy_apply_trace(&p, NULL, 0, -1, &tr).stop_step, 5);
	p = pol("repetition_detection:3:1:2");
	assert_int_equal(policy_apply_trace(&p, NULL, 0, -1, &tr).stop_step, 5);
	/* COUNT 3 needs 9 tokens of "abc abc abc": never here */
	p = pol("repetition_detection:3:1:3");
	assert_int_equal(policy_apply_trace(&p, NULL, 0, -1, &tr).fired, 0);
	/* MAX 2 cannot see a pattern of 3 */
	p = pol("repetition_detection:2:1:2");
	assert_int_equal(policy_apply_trace(&p, NULL, 0, -1, &tr).fired, 0);
	/* disabled settings (vLLM: max <= 0, count < 2, min > max) */
	p = pol("repetition_detection:0:1:2");
	assert_int_equal(policy_apply_trace(&p, NULL, 0, -1, &tr).fired, 0);
	p = pol("repetition_detection:3:1:1");
	assert_int_equal(policy_apply_trace(&p, NULL, 0, -1, &tr).fired, 0);
	/* without the trace it never fires */
	p = pol("repetition_detection:3:1:2");
	assert_int_equal(policy_apply(&p, NULL, 0, -1).fired, 0);
}

static void test_parse(void **state)
{
	(void)state;
	policy p;
	ts_error err;
	char b[64];
	assert_int_equal(policy_parse("repetition_detection:20:1:8", &p, &err), TS_OK);
	assert_int_equal(p.kind, POLICY_REP_DETECT);
	assert_int_equal(policy_rd_max(&p), 20);
	assert_int_equal(policy_rd_min(&p), 1);
	assert_int_equal(policy_rd_count(&p), 8);
	assert_string_equal(policy_name(&p, b, sizeof b), "repetition_detection:20:1:8");
	assert_int_equal(policy_parse("repetition_detection:20:-3:8", &p, &err), TS_OK);
	assert_int_equal(policy_rd_min(&p), 1);
	assert_int_equal(policy_parse("repetition_detection:20:1", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("repetition_detection:20:1:8:9", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("repetition_detection:5000:1:8", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("ladder", &p, &err), TS_OK);
	assert_string_equal(policy_name(&p, b, sizeof b), "ladder:3");
	assert_int_equal(policy_parse("ladder:5", &p, &err), TS_OK);
	assert_int_equal(p.n, 5);
	assert_int_equal(policy_parse("ladder:2", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("ladderx", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("close_prob:0.4", &p, &err), TS_OK);
	assert_string_equal(policy_name(&p, b, sizeof b), "close_prob:0.4");
	assert_int_equal(policy_parse("close_prob:0", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("close_prob:1.1", &p, &err), TS_ERR_USAGE);
	assert_true(policy_is_truncation(&p));
}

static void test_sweep(void **state)
{
	(void)state;
	policy out[16];
	size_t n = 0;
	ts_error err;
	char b[64];
	assert_int_equal(policy_parse_sweep("close_prob:0.2..0.6/0.1", out, 16, &n, &err), TS_OK);
	assert_int_equal(n, 5);
	static const char *const want[] = { "close_prob:0.2", "close_prob:0.3", "close_prob:0.4",
	                                    "close_prob:0.5", "close_prob:0.6" };
	for (size_t i = 0; i < n; i++)
		assert_string_equal(policy_name(&out[i], b, sizeof b), want[i]);
	assert_int_equal(policy_parse_sweep("repetition_detection:8:1:2..6/2", out, 16, &n, &err),
	                 TS_OK);
	assert_int_equal(n, 3);
	assert_string_equal(policy_name(&out[2], b, sizeof b), "repetition_detection:8:1:6");
	assert_int_equal(policy_parse_sweep("budget:4..6/1", out, 16, &n, &err), TS_OK);
	assert_int_equal(n, 3);
	assert_int_equal(policy_parse_sweep("ladder", out, 16, &n, &err), TS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(policy_parse_sweep("close_prob:0.1..0.9/0.01", out, 16, &n, &err),
	                 TS_ERR_USAGE);
	assert_int_equal(policy_parse_sweep("close_prob:0.6..0.2/0.1", out, 16, &n, &err),
	                 TS_ERR_USAGE);
	assert_int_equal(policy_parse_sweep("close_prob:0.2..0.6/0", out, 16, &n, &err),
	                 TS_ERR_USAGE);
	assert_int_equal(policy_parse_sweep("close_prob:0.2..0.6", out, 16, &n, &err),
	                 TS_ERR_USAGE);
}

/* ---- ladder against brute force ---- */

static record rec(const char *label, double a, double b, double c, double d, uint32_t step)
{
	record r;
	memset(&r, 0, sizeof r);
	r.label = (char *)label;
	r.label_len = strlen(label);
	r.v[0] = a; r.v[1] = b; r.v[2] = c; r.v[3] = d;
	r.key = REC_KEY_BBOX_2D;
	r.first_step = step;
	r.last_step = step;
	return r;
}

static int brute_ladder(const record *r, size_t n, size_t N, size_t *at)
{
	for (size_t i = N - 1; i < n; i++) {
		size_t s = i + 1 - N;
		int ok = 1;
		for (size_t k = s; k <= i; k++)
			ok &= !strcmp(r[k].label, r[s].label);
		if (!ok)
			continue;
		int dup = 0;
		for (size_t a = s; a <= i; a++)
			for (size_t b = s; b <= i; b++)
				if (a != b && !memcmp(r[a].v, r[b].v, sizeof r[a].v))
					dup = 1;
		double d[4];
		int step = 1, nz = 0;
		for (int c = 0; c < 4; c++) {
			d[c] = r[s + 1].v[c] - r[s].v[c];
			nz |= d[c] != 0;
		}
		for (size_t k = s + 1; k < i; k++)
			for (int c = 0; c < 4; c++)
				step &= r[k + 1].v[c] - r[k].v[c] == d[c];
		if (dup || (step && nz)) {
			*at = i;
			return 1;
		}
	}
	return 0;
}

static void test_ladder(void **state)
{
	(void)state;
	/* hand-worked: a ladder stepping 10 down the page (same x), label car */
	record r[8] = {
		rec("car", 0, 0, 5, 5, 3), rec("car", 10, 0, 15, 5, 7), rec("cat", 1, 1, 2, 2, 11),
		rec("car", 0, 0, 5, 5, 15), rec("car", 0, 10, 5, 15, 19), rec("car", 0, 20, 5, 25, 23),
		rec("car", 0, 30, 5, 35, 27), rec("car", 0, 40, 5, 45, 31),
	};
	policy p = pol("ladder");
	policy_cut c = policy_apply(&p, r, 8, -1);
	/* records 3,4,5 step (0,10,0,10): fires at record 5's step, 23; keeps 0..5 */
	assert_int_equal(c.fired, 1);
	assert_int_equal(c.stop_step, 23);
	assert_int_equal(c.kept, 6);
	p = pol("ladder:5");
	c = policy_apply(&p, r, 8, -1);
	assert_int_equal(c.stop_step, 31); /* records 3..7 */
	p = pol("ladder:6");
	assert_int_equal(policy_apply(&p, r, 8, -1).fired, 0);

	/* random lists against brute force */
	uint32_t seed = 99;
	static const char *const labels[] = { "car", "cat" };
	for (int trial = 0; trial < 500; trial++) {
		record q[30];
		size_t n = 3 + (size_t)trial % 28;
		for (size_t i = 0; i < n; i++) {
			double v[4];
			for (int k = 0; k < 4; k++) {
				seed = seed * 1103515245u + 12345u;
				v[k] = (double)((seed >> 16) % 3);
			}
			seed = seed * 1103515245u + 12345u;
			q[i] = rec(labels[(seed >> 16) % 2], v[0], v[1], v[2], v[3], (uint32_t)(4 * i + 2));
			if (i >= 2 && (seed >> 20) % 4 == 0) { /* a step */
				for (int k = 0; k < 4; k++)
					q[i].v[k] = 2 * q[i - 1].v[k] - q[i - 2].v[k];
				q[i].label = q[i - 1].label;
				q[i].label_len = q[i - 1].label_len;
			}
		}
		for (size_t NN = 3; NN <= 5; NN++) {
			char t[32];
			snprintf(t, sizeof t, "ladder:%zu", NN);
			p = pol(t);
			size_t at = 0;
			int f = brute_ladder(q, n, NN, &at);
			c = policy_apply(&p, q, n, -1);
			assert_int_equal(c.fired, f);
			if (f) {
				assert_int_equal(c.stop_step, (long)q[at].last_step);
				assert_int_equal(c.kept, at + 1);
			}
		}
	}
}

/* ---- traces: close_prob, and the long legitimate list ---- */

typedef struct tok {
	const char *text;
	double lp;
	const char *alt;  /* an alternative (NULL none) */
	double alt_lp;
} tok;

static trace *mk(const char *finish, const tok *t, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "image_id", 1);
	cJSON_AddStringToObject(o, "finish_reason", finish);
	cJSON *a = cJSON_AddArrayToObject(o, "tokens");
	for (size_t i = 0; i < n; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "token", t[i].text);
		cJSON_AddNumberToObject(x, "logprob", t[i].lp);
		cJSON *tl = cJSON_AddArrayToObject(x, "top_logprobs");
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "token", t[i].text);
		cJSON_AddNumberToObject(c, "logprob", t[i].lp);
		cJSON_AddItemToArray(tl, c);
		if (t[i].alt) {
			c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "token", t[i].alt);
			cJSON_AddNumberToObject(c, "logprob", t[i].alt_lp);
			cJSON_AddItemToArray(tl, c);
		}
		cJSON_AddItemToArray(a, x);
	}
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	trace *tr = NULL;
	ts_error err;
	assert_int_equal(trace_parse_line(s, strlen(s), NULL, &tr, &err), TS_OK);
	free(s);
	return tr;
}

static sample *analyze(const trace *t)
{
	analysis_opts o;
	analysis_opts_default(&o);
	sample *s = NULL;
	ts_error err;
	assert_int_equal(sample_analyze(t, NULL, NULL, 1000, 1000, &o, &s, &err), TS_OK);
	return s;
}

/* policy_trace_tokens against the definition: step i's id is the number of
 * distinct byte strings among the steps before the first step equal to it. */
static void check_tokens(const trace *tr)
{
	size_t n = trace_n_steps(tr);
	const trace_step *st = trace_steps(tr);
	const char *text = trace_text(tr);
	uint32_t *ids = malloc((n ? n : 1) * sizeof *ids);
	assert_non_null(ids);
	assert_int_equal(policy_trace_tokens(tr, ids), TS_OK);
	uint32_t distinct = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (st[j].len != st[i].len || memcmp(text + st[j].off, text + st[i].off, st[i].len))
			j++;
		if (j == i)
			assert_int_equal(ids[i], distinct++);
		else
			assert_int_equal(ids[i], ids[j]);
	}
	free(ids);
}

static void test_trace_tokens(void **state)
{
	(void)state;
	/* hand-worked: a=0 ab=1 a=0 abcdefgh=2 (8 bytes, packed) abcdefgh=2
	 * abcdefghi=3 abcdefghj=4 (9 bytes, hashed, differ in the last byte)
	 * abcdefghi=3 ab=1 b=5 ""=6 (empty) ""=6 */
	tok h[] = {
		{ "a", -0.1, NULL, 0 },         { "ab", -0.1, NULL, 0 },
		{ "a", -0.1, NULL, 0 },         { "abcdefgh", -0.1, NULL, 0 },
		{ "abcdefgh", -0.1, NULL, 0 },  { "abcdefghi", -0.1, NULL, 0 },
		{ "abcdefghj", -0.1, NULL, 0 }, { "abcdefghi", -0.1, NULL, 0 },
		{ "ab", -0.1, NULL, 0 },        { "b", -0.1, NULL, 0 },
		{ "", -0.1, NULL, 0 },          { "", -0.1, NULL, 0 },
	};
	const uint32_t want[] = { 0, 1, 0, 2, 2, 3, 4, 3, 1, 5, 6, 6 };
	trace *tr = mk("stop", h, N(h));
	uint32_t ids[N(h)];
	assert_int_equal(trace_n_steps(tr), N(h));
	assert_int_equal(policy_trace_tokens(tr, ids), TS_OK);
	for (size_t i = 0; i < N(h); i++)
		assert_int_equal(ids[i], want[i]);
	trace_free(tr);
	/* 1,000 distinct tokens (the table grows several times), each seen
	 * three times, of lengths 1 to 20 */
	enum { K = 1000, R = 3 };
	static char buf[K * R][24];
	static tok many[K * R];
	for (size_t i = 0; i < K * R; i++) {
		size_t k = (i * 7919) % K, len = 1 + k % 20;
		snprintf(buf[i], sizeof buf[i], "%0*zu", (int)len, k);
		many[i] = (tok){ buf[i], -0.1, NULL, 0 };
	}
	tr = mk("stop", many, K * R);
	check_tokens(tr);
	trace_free(tr);
}

static void test_close_prob(void **state)
{
	(void)state;
	/* three records; after record 0 the model gave "]" 0.2, after record 1
	 * 0.5, then it repeats record 1 and closes. Steps:
	 * 0 "[" 1 rec0 2 "," 3 rec1 4 "," 5 rec1 again 6 "]" */
	tok t[] = {
		{ "[", -0.1, NULL, 0 },
		{ "{\"label\":\"a\",\"bbox_2d\":[1,2,3,4]}", -0.1, NULL, 0 },
		{ ",", log(0.8), "]", log(0.2) },
		{ "{\"label\":\"a\",\"bbox_2d\":[5,6,7,8]}", -0.1, NULL, 0 },
		{ ",", log(0.5), "]", log(0.5) },
		{ "{\"label\":\"a\",\"bbox_2d\":[5,6,7,8]}", -0.1, NULL, 0 },
		{ "]", -0.01, ",", log(0.01) },
	};
	trace *tr = mk("stop", t, N(t));
	sample *s = analyze(tr);
	assert_int_equal(sample_n_records(s), 3);
	policy p = pol("close_prob:0.15");
	sample_outcome oc = sample_outcome_for(s, &p);
	assert_int_equal(oc.cut.fired, 1);
	assert_int_equal(oc.cut.stop_step, 1);
	assert_int_equal(oc.cut.kept, 1);
	assert_int_equal(oc.tokens, 2);
	assert_int_equal(oc.early_stop, 1); /* before record 2 (the duplicate, step 5) */
	assert_int_equal(oc.false_stop, 0);  /* the list has a repeated tail */
	p = pol("close_prob:0.5");
	oc = sample_outcome_for(s, &p);
	assert_int_equal(oc.cut.stop_step, 3);
	assert_int_equal(oc.cut.kept, 2);
	assert_int_equal(oc.early_stop, 1);
	/* the boundary after the last record is where the model closed: 0.99
	 * there does not count as a stop */
	p = pol("close_prob:0.6");
	oc = sample_outcome_for(s, &p);
	assert_int_equal(oc.cut.fired, 0);
	assert_int_equal(oc.tail_unstopped, 1);
	p = pol("repeat_stop");
	oc = sample_outcome_for(s, &p);
	assert_int_equal(oc.cut.stop_step, 5);
	assert_int_equal(oc.early_stop, 0);
	sample_free(s);
	trace_free(tr);
}

/* A long legitimate list: 12 distinct cars in a row, digits one token each
 * (Qwen's tokenizer splits numbers into digits), closed by the model.
 * repeat_stop never fires (no exact duplicate); a loose
 * repetition_detection (any token twice in a row: 1:1:2) fires at the first
 * "00"; a strict one (a whole record pattern 8 times) does not. */
static void test_long_legit_list(void **state)
{
	(void)state;
	tok t[600];
	char texts[600][16];
	size_t n = 0;
	t[n++] = (tok){ "[", -0.1, NULL, 0 };
	for (int r = 0; r < 12; r++) {
		char box[64];
		snprintf(box, sizeof box, "%d,%d,%d,%d", 10 + 70 * r, 500, 60 + 70 * r, 560);
		const char *head[] = { "{\"", "label", "\":\"", "car", "\",\"", "bbox_2d", "\":[" };
		for (size_t k = 0; k < N(head); k++)
			t[n++] = (tok){ head[k], -0.1, NULL, 0 };
		for (const char *c = box; *c; c++) {
			snprintf(texts[n], sizeof texts[n], "%c", *c);
			t[n] = (tok){ texts[n], -0.1, NULL, 0 };
			n++;
		}
		t[n++] = (tok){ "]}", -0.1, NULL, 0 };
		if (r < 11)
			t[n++] = (tok){ ",", -0.1, NULL, 0 };
	}
	t[n++] = (tok){ "]", -0.1, NULL, 0 };
	trace *tr = mk("stop", t, n);
	sample *s = analyze(tr);
	assert_int_equal(sample_n_records(s), 12);
	assert_int_equal(sample_repeat(s)->first_dup, -1);
	policy p = pol("repeat_stop");
	assert_int_equal(sample_outcome_for(s, &p).cut.fired, 0);
	p = pol("ladder"); /* x steps by 70, y fixed: a ladder by Docling's rule */
	sample_outcome oc = sample_outcome_for(s, &p);
	assert_int_equal(oc.cut.fired, 1);
	assert_int_equal(oc.false_stop, 1);
	/* the first two equal tokens in a row: record 0's box "10,500,60,560":
	 * step 1 + 7 head tokens = 8 '1', 9 '0', 10 ',', 11 '5', 12 '0', 13 '0' */
	p = pol("repetition_detection:1:1:2");
	oc = sample_outcome_for(s, &p);
	assert_int_equal(oc.cut.fired, 1);
	assert_int_equal(oc.cut.stop_step, 13);
	assert_int_equal(oc.cut.kept, 0);
	assert_int_equal(oc.false_stop, 1);
	assert_int_equal(oc.tokens, 14);
	p = pol("repetition_detection:40:10:8");
	assert_int_equal(sample_outcome_for(s, &p).cut.fired, 0);
	sample_free(s);
	trace_free(tr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rd_random_against_vllm),
		cmocka_unit_test(test_rd_hand),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_ladder),
		cmocka_unit_test(test_close_prob),
		cmocka_unit_test(test_trace_tokens),
		cmocka_unit_test(test_long_legit_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
