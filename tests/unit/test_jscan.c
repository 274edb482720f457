/* test_jscan.c — differential tests of the one fast scanner (analysis/jscan.h)
 * and the native fast path (analysis/trace_fast.c) against cJSON.
 *
 * The reference is cJSON itself (an independent parser), over every line
 * and every whole file of the fuzz corpora (tests/fuzz/corpus/) and the
 * trace fixtures (tests/data/traces, sample_runs/base):
 * - whatever jscan accepts, cJSON accepts, with the same values (keys in
 *   order, decoded strings byte for byte, numbers by strtod, literals);
 * - a plain document (printable ASCII and JSON white space only, no \uD8..
 *   escape, nesting under 60) that cJSON accepts, jscan accepts too (jscan is
 *   stricter only on raw control bytes, bad UTF-8, lone surrogates, \u
 *   escapes without 4 hex digits (cJSON reads them as U+0000), numbers
 *   strtod takes but the grammar does not (01, 1.) and depth);
 * - a line the fast path takes gives a trace identical to the cJSON path's
 *   (trace_json_parse + trace_parse_object): format, finish, refs, every
 *   step's bytes, logprob bits and alternatives.
 * sample_runs/base/traces.jsonl is the plain native shape on every line (its
 * keys checked with python3: image_id, file_name, finish_reason, prompt,
 * meta, tokens of {token, logprob, top_logprobs of {token, logprob}}), so the
 * fast path must take all of its 24 lines (wc -l). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "trace_int.h"

static size_t n_docs, n_jscan_ok, n_fast, n_fast_lines;

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	char *b = malloc(cap);
	size_t r;
	while (b && (r = fread(b + len, 1, cap - len, f)) > 0) {
		len += r;
		if (len == cap)
			b = realloc(b, cap *= 2);
	}
	fclose(f);
	*n = len;
	return b;
}

/* The jscan value at j equals the cJSON item c. */
static int same_value(jscan *j, const cJSON *c, char *buf, size_t cap)
{
	jscan_type ty = jscan_peek(j);
	const char *k;
	size_t kl, n;
	double v;
	switch (ty) {
	case JSCAN_OBJ: {
		if (!cJSON_IsObject(c) || jscan_obj_begin(j))
			return 0;
		const cJSON *ch = c->child;
		int r;
		while ((r = jscan_obj_next(j, &k, &kl)) == 1) {
			/* keys are raw bytes: the plain keys compared, escaped ones skipped */
			if (!ch || (!memchr(k, '\\', kl) && (strlen(ch->string) != kl || memcmp(ch->string, k, kl))))
				return 0;
			if (!same_value(j, ch, buf, cap))
				return 0;
			ch = ch->next;
		}
		return r == 0 && !ch;
	}
	case JSCAN_ARR: {
		if (!cJSON_IsArray(c) || jscan_arr_begin(j))
			return 0;
		const cJSON *ch = c->child;
		int r;
		while ((r = jscan_arr_next(j)) == 1) {
			if (!ch || !same_value(j, ch, buf, cap))
				return 0;
			ch = ch->next;
		}
		return r == 0 && !ch;
	}
	case JSCAN_STR:
		if (!cJSON_IsString(c) || jscan_str(j, buf, cap, &n))
			return 0;
		/* cJSON ends a string at an escaped NUL */
		return strlen(c->valuestring) == strnlen(buf, n) && !memcmp(c->valuestring, buf, strnlen(buf, n));
	case JSCAN_NUM:
		return cJSON_IsNumber(c) && !jscan_num(j, &v) && (v == c->valuedouble || (isnan(v) && isnan(c->valuedouble)));
	case JSCAN_TRUE: case JSCAN_FALSE: case JSCAN_NULL:
		if ((ty == JSCAN_TRUE && !cJSON_IsTrue(c)) || (ty == JSCAN_FALSE && !cJSON_IsFalse(c)) ||
		    (ty == JSCAN_NULL && !cJSON_IsNull(c)))
			return 0;
		return !jscan_skip(j, NULL, NULL);
	default:
		return 0;
	}
}

/* s[0..n) matches RFC 8259's number grammar. */
static int json_number(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && isdigit((unsigned char)s[i]))
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		if (++i >= n || !isdigit((unsigned char)s[i]))
			return 0;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !isdigit((unsigned char)s[i]))
			return 0;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
	}
	return i == n;
}

static int plain_doc(const char *s, size_t n)
{
	int depth = 0, maxd = 0, in_str = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 0x7f || (ch < 0x20 && (in_str || (ch != '\n' && ch != '\r' && ch != '\t'))))
			return 0; /* cJSON takes raw control bytes in strings, JSON does not */
		if (!in_str && (ch == '-' || isdigit(ch))) { /* cJSON reads numbers with strtod: 01, 1. */
			size_t e = i;
			while (e < n && strchr("0123456789+-.eE", s[e]))
				e++;
			if (!json_number(s + i, e - i))
				return 0;
			i = e - 1;
			continue;
		}
		if (ch == '"')
			in_str = !in_str;
		else if (!in_str && (ch == '[' || ch == '{'))
			maxd = ++depth > maxd ? depth : maxd;
		else if (!in_str && (ch == ']' || ch == '}'))
			depth--;
		if (ch == '\\' && i + 1 < n) { /* cJSON reads a \u with bad hex as U+0000 */
			if (s[i + 1] == 'u' && (i + 5 >= n || s[i + 2] == 'd' || s[i + 2] == 'D' ||
			                        !isxdigit((unsigned char)s[i + 2]) || !isxdigit((unsigned char)s[i + 3]) ||
			                        !isxdigit((unsigned char)s[i + 4]) || !isxdigit((unsigned char)s[i + 5])))
				return 0;
			i++;
		}
	}
	return maxd < 60;
}

static void check_doc(const char *s, size_t n)
{
	static char buf[1 << 20];
	jscan j;
	jscan_init(&j, s, n);
	int ok = !jscan_skip(&j, NULL, NULL) && jscan_end(&j);
	const char *end = NULL;
	cJSON *c = cJSON_ParseWithLengthOpts(s, n, &end, 0);
	if (c && end) /* only JSON white space after it, as jscan_end */
		for (const char *e = end; e < s + n; e++)
			if (*e != ' ' && *e != '\n' && *e != '\r' && *e != '\t') {
				cJSON_Delete(c);
				c = NULL;
				break;
			}
	n_docs++;
	if (ok) {
		n_jscan_ok++;
		if (!c)
			print_error("jscan accepts what cJSON refuses: %.80s\n", s);
		assert_non_null(c);
		jscan_init(&j, s, n);
		if (!same_value(&j, c, buf, sizeof buf))
			print_error("values differ: %.80s\n", s);
		jscan_init(&j, s, n);
		assert_true(same_value(&j, c, buf, sizeof buf));
	} else if (c && plain_doc(s, n)) {
		print_error("cJSON accepts a plain document jscan refuses: %.80s\n", s);
		fail();
	}
	cJSON_Delete(c);
}

static void same_trace(const trace *a, const trace *b)
{
	assert_int_equal(trace_get_format(a), trace_get_format(b));
	assert_int_equal(trace_get_container(a), trace_get_container(b));
	assert_int_equal(trace_get_finish(a), trace_get_finish(b));
	assert_int_equal(trace_get_finish_how(a), trace_get_finish_how(b));
	assert_int_equal(trace_has_logprobs(a), trace_has_logprobs(b));
	int64_t ia = -1, ib = -1;
	assert_int_equal(trace_image_id(a, &ia), trace_image_id(b, &ib));
	assert_true(ia == ib);
	const char *sa[3] = { trace_file_name(a), trace_custom_id(a), trace_prompt(a) };
	const char *sb[3] = { trace_file_name(b), trace_custom_id(b), trace_prompt(b) };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(!sa[i], !sb[i]);
		if (sa[i])
			assert_string_equal(sa[i], sb[i]);
	}
	assert_int_equal(trace_text_len(a), trace_text_len(b));
	assert_memory_equal(trace_text(a), trace_text(b), trace_text_len(a) + 1);
	assert_int_equal(trace_n_steps(a), trace_n_steps(b));
	assert_int_equal(trace_n_alts(a), trace_n_alts(b));
	const trace_step *pa = trace_steps(a), *pb = trace_steps(b);
	for (size_t i = 0; i < trace_n_steps(a); i++) {
		assert_int_equal(pa[i].off, pb[i].off);
		assert_int_equal(pa[i].len, pb[i].len);
		assert_memory_equal(&pa[i].logprob, &pb[i].logprob, sizeof(double));
		assert_int_equal(pa[i].alt_first, pb[i].alt_first);
		assert_int_equal(pa[i].n_alt, pb[i].n_alt);
	}
	const trace_alt *aa = trace_alts(a), *ab = trace_alts(b);
	for (size_t i = 0; i < trace_n_alts(a); i++) {
		assert_int_equal(aa[i].off, ab[i].off);
		assert_int_equal(aa[i].len, ab[i].len);
		assert_memory_equal(&aa[i].logprob, &ab[i].logprob, sizeof(double));
		assert_memory_equal(trace_alt_text(a) + aa[i].off, trace_alt_text(b) + ab[i].off, aa[i].len);
	}
}

static void check_line(const char *s, size_t n, const trace_limits *lim)
{
	trace *f = NULL, *c = NULL;
	n_fast_lines++;
	if (!trace_fast_parse_line(s, n, lim, &f))
		return;
	n_fast++;
	cJSON *root = NULL;
	ts_error e;
	assert_int_equal(trace_json_parse(s, n, lim, &root, &e), TS_OK);
	assert_int_equal(trace_parse_object(root, lim, &c, &e), TS_OK);
	cJSON_Delete(root);
	same_trace(f, c);
	trace_free(f);
	trace_free(c);
}

static void check_file(const char *path, const trace_limits *lim)
{
	size_t n = 0;
	char *b = slurp(path, &n);
	if (!b)
		return;
	check_doc(b, n);
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(b + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - b) : n;
		check_doc(b + i, e - i);
		check_line(b + i, e - i, lim);
		i = e + 1;
	}
	free(b);
}

static void check_dir(const char *dir, const trace_limits *lim)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	char path[4096];
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		check_file(path, lim);
	}
	closedir(d);
}

static void test_corpora(void **state)
{
	(void)state;
	static const char *const dirs[] = {
		"tests/fuzz/corpus/fuzz_trace", "tests/fuzz/corpus/fuzz_trace_file",
		"tests/fuzz/corpus/fuzz_capture", "tests/fuzz/corpus/fuzz_gt",
		"tests/fuzz/corpus/fuzz_records", "tests/data/traces",
	};
	trace_limits lim;
	trace_limits_default(&lim);
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
		check_dir(dirs[i], &lim);
	/* small limits: the fast path must give up exactly where cJSON's path fails */
	lim.max_alts = 2;
	lim.max_steps = 3;
	lim.max_token_bytes = 4;
	check_dir("tests/fuzz/corpus/fuzz_trace", &lim);
	check_dir("tests/data/traces", &lim);
	print_message("jscan: %zu documents, %zu accepted; fast path took %zu of %zu lines\n",
	              n_docs, n_jscan_ok, n_fast, n_fast_lines);
	assert_true(n_jscan_ok > 100);
}

static void test_native_all_fast(void **state)
{
	(void)state;
	trace_limits lim;
	trace_limits_default(&lim);
	size_t before = n_fast, lines = n_fast_lines;
	check_file("sample_runs/base/traces.jsonl", &lim);
	/* every one of the 24 lines */
	assert_int_equal(n_fast - before, 24);
	assert_int_equal(n_fast_lines - lines, 24);
}

/* The real model's vLLM chat completions (tests/data/realmodel, copied from
 * ../shared/realmodel): every line taken by the fast path's chat form and
 * identical to the cJSON path.  Lines and steps counted by python3's json
 * (len(choices[0].logprobs.content)): early 3 lines / 508 steps, final 5 / 1867. */
static void test_vllm_chat_all_fast(void **state)
{
	(void)state;
	static const struct { const char *path; size_t lines, steps; } runs[] = {
		{ "tests/data/realmodel/dense2-early/traces.jsonl", 3, 508 },
		{ "tests/data/realmodel/dense2-final/traces.jsonl", 5, 1867 },
	};
	trace_limits lim;
	trace_limits_default(&lim);
	for (size_t r = 0; r < sizeof runs / sizeof *runs; r++) {
		size_t before = n_fast, lines = n_fast_lines;
		check_file(runs[r].path, &lim);
		assert_int_equal(n_fast_lines - lines, runs[r].lines);
		assert_int_equal(n_fast - before, runs[r].lines);
		size_t n = 0, steps = 0;
		char *b = slurp(runs[r].path, &n);
		assert_non_null(b);
		for (size_t i = 0; i < n;) {
			const char *nl = memchr(b + i, '\n', n - i);
			size_t e = nl ? (size_t)(nl - b) : n;
			trace *t = NULL;
			if (e > i) {
				assert_true(trace_fast_parse_line(b + i, e - i, &lim, &t));
				assert_int_equal(trace_get_container(t), TRACE_FMT_OPENAI_CHAT);
				steps += trace_n_steps(t);
				trace_free(t);
			}
			i = e + 1;
		}
		free(b);
		assert_int_equal(steps, runs[r].steps);
	}
}

/* Hand-built lines: taken or not, and identical when taken. */
static void test_fast_edges(void **state)
{
	(void)state;
	trace_limits lim;
	trace_limits_default(&lim);
	static const struct { const char *line; int taken; } cases[] = {
		{ "{\"tokens\":[{\"token\":\"a\",\"logprob\":-0.5}]}", 1 },
		{ "{\"image_id\":7,\"tokens\":[{\"token\":\"\\u00e9\",\"logprob\":-1e-3,\"top_logprobs\":[{\"token\":\"b\",\"logprob\":-2}]}],\"finish_reason\":\"length\"}", 1 },
		{ "{\"tokens\":[{\"token\":\"a\",\"logprob\":null}]}", 0 },          /* null: cJSON path */
		{ "{\"tokens\":[{\"token\":\"a\",\"logprob\":-0.5}],\"text\":\"x\"}", 0 }, /* other key */
		{ "{\"tokens\":[{\"token\":\"a\"}],\"tokens\":[]}", 0 },             /* duplicate */
		{ "{\"tokens\":[{\"token\":\"a\\u0000b\"}]}", 0 },                   /* escaped NUL */
		{ "{\"tokens\":[{\"token\":\"token_id:5\"}]}", 0 },                  /* placeholder: an error */
		{ "{\"tokens\":[{\"token\":\"a\",\"logprob\":NaN}]}", 0 },           /* Python float */
		{ "{\"tokens\":[{\"token\":\"a\",\"logprob\":-1e999}]}", 1 },        /* -inf -> -9999 */
		{ "{\"tokens\":[{\"token\":\"a\"}]} x", 0 },                         /* trailing text */
		{ "{\"image_id\":1.5,\"tokens\":[{\"token\":\"a\"}]}", 0 },           /* not an integer */
		{ "{\"tokens\":[]}", 0 },
		/* the chat form (vLLM's /v1/chat/completions with logprobs) */
		{ "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"a\"},\"logprobs\":{\"content\":[{\"token\":\"a\",\"logprob\":-0.5,\"top_logprobs\":[{\"token\":\"b\",\"logprob\":-1}]}]},\"finish_reason\":\"length\",\"stop_reason\":null}],\"usage\":{\"x\":1},\"image_id\":3}", 1 },
		{ "{\"choices\":[{\"logprobs\":{\"content\":[{\"token\":\"a\",\"logprob\":-0.5}]}},{\"bad\":1}]}", 1 }, /* later choices skipped */
		{ "{\"choices\":[{\"logprobs\":null,\"message\":{\"content\":\"a\"}}]}", 0 }, /* text: cJSON path */
		{ "{\"choices\":[{\"logprobs\":{\"content\":[{\"token\":\"a\",\"bytes\":[98]}]}}]}", 1 }, /* bytes: the text (they win) */
		{ "{\"choices\":[{\"logprobs\":{\"content\":[{\"token\":\"a\",\"bytes\":[195]}]}}]}", 0 }, /* not UTF-8: cJSON */
		{ "{\"choices\":[{\"logprobs\":{\"content\":[{\"token\":\"a\"}]},\"finish_reason\":\"stop\",\"stop_reason\":\"repeat_stop\"}],\"capture\":{\"stop_step\":0}}", 0 }, /* capture's stop */
		{ "{\"choices\":[{\"logprobs\":{\"content\":[{\"token\":\"a\"}]}}],\"tokens\":[{\"token\":\"b\"}]}", 0 }, /* two shapes */
		{ "{\"choices\":[{\"logprobs\":{\"content\":[{\"token\":\"a\"}]},\"text\":\"a\"}]}", 0 }, /* unknown choice key */
		{ "{\"choices\":[]}", 0 },
		/* native text lines (pseudo-steps) */
		{ "{\"image_id\":1,\"file_name\":\"a.jpg\",\"finish_reason\":\"stop\",\"text\":\"[{\\\"bbox_2d\\\": [1, 2, 3, 4], \\\"label\\\": \\\"cat\\\"}]\"}", 1 },
		{ "{\"text\":\"a\\nb\\t\\u00e9t\\u00E9 \\ud83d\\ude00!!!!x\\r\\n\\/\\\\\"}", 1 }, /* escapes, a surrogate pair */
		{ "{\"text\":\"caf\xc3\xa9 \xf0\x9f\x98\x80 12345\",\"finish_reason\":\"length\"}", 1 }, /* raw UTF-8 */
		{ "{\"text\":\"\"}", 1 },                                                 /* empty: no steps */
		{ "{\"prompt\":\"p\",\"custom_id\":\"c\",\"meta\":{\"a\":[1]},\"text\":\"x\",\"image_id\":-3}", 1 },
		{ "{\"text\":\"a\\ud83d b\"}", 0 },                                     /* lone surrogate */
		{ "{\"text\":\"a\\ude00\"}", 0 },
		{ "{\"text\":\"a\xff\"}", 0 },                                           /* not UTF-8 */
		{ "{\"text\":\"a\xc3\"}", 0 },                                           /* cut character */
		{ "{\"text\":\"a\\u0000b\"}", 0 },                                      /* escaped NUL */
		{ "{\"text\":null}", 0 },
		{ "{\"text\":5}", 0 },
		{ "{\"text\":[\"a\"]}", 0 },
		{ "{\"text\":\"a\",\"text\":\"b\"}", 0 },                              /* duplicate */
		{ "{\"Text\":\"a\"}", 0 },                                                /* cJSON's keys ignore case */
		{ "{\"text\":\"a\",\"meta_info\":{}}", 0 },                              /* SGLang's */
		{ "{\"text\":\"a\",\"model\":\"m\"}", 0 },
		{ "{\"text\":\"a\",\"response\":\"b\"}", 0 },
		{ "{\"text\":\"a\",\"choices\":[{\"logprobs\":{\"content\":[{\"token\":\"a\"}]}}]}", 0 },
		{ "{\"text\":\"a\",\"finish_reason\":null}", 0 },
		{ "{\"text\":\"a\",\"image_id\":\"7\"}", 0 },
		{ "{\"text\":\"a\"} x", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		trace *t = NULL;
		const char *s = cases[i].line;
		int got = trace_fast_parse_line(s, strlen(s), &lim, &t);
		if (got != cases[i].taken)
			print_error("case %zu: taken %d, expected %d\n", i, got, cases[i].taken);
		assert_int_equal(got, cases[i].taken);
		trace_free(t);
		check_line(s, strlen(s), &lim);
	}
	/* -1e999 is -inf: the floor -9999 (trace.h) */
	trace *t = NULL;
	const char *s = cases[8].line;
	assert_true(trace_fast_parse_line(s, strlen(s), &lim, &t));
	assert_true(trace_steps(t)[0].logprob == -9999.0);
	trace_free(t);
	/* text under small limits: "a b" is 3 pseudo-steps (a, space, b), "a b c"
	 * 5, past max_steps 3 (the cJSON path's error); with max_token_bytes 4,
	 * "abcdefghij" is cut into abcd efgh ij and "\u00e9\u00e9\u00e9" (6
	 * bytes) into 4 + 2 bytes */
	lim.max_steps = 3;
	lim.max_token_bytes = 4;
	static const struct { const char *line; size_t steps; } small[] = {
		{ "{\"text\":\"a b\"}", 3 }, { "{\"text\":\"a b c\"}", 0 },
		{ "{\"text\":\"abcdefghij\"}", 3 }, { "{\"text\":\"\\u00e9\\u00e9\\u00e9\"}", 2 },
	};
	for (size_t i = 0; i < sizeof small / sizeof *small; i++) {
		s = small[i].line;
		t = NULL;
		assert_int_equal(trace_fast_parse_line(s, strlen(s), &lim, &t), small[i].steps > 0);
		if (t)
			assert_int_equal(trace_n_steps(t), small[i].steps);
		trace_free(t);
		check_line(s, strlen(s), &lim);
	}
	s = small[1].line;
	ts_error e;
	assert_int_equal(trace_parse_line(s, strlen(s), &lim, &t, &e), TS_ERR_LIMIT);
}

/* jscan_num against strtod, bit for bit, on numbers of every shape the
 * grammar allows (the reference is libc's correctly rounded strtod). */
static void test_numbers_strtod(void **state)
{
	(void)state;
	static const char *const fixed[] = { "0", "-0", "-0.0", "0.0004", "-8.583", "1e22", "1e23",
		"123456789012345", "1234567890123456", "9007199254740993", "1.7976931348623157e308",
		"5e-324", "-1e999", "1E+2", "0.1e-22", "0.1e-21", "12.5e-3", "-9999.0", "-9999.00001" };
	char buf[64];
	uint64_t x = 88172645463325252ull;
	for (size_t i = 0; i < 200000 + sizeof fixed / sizeof *fixed; i++) {
		const char *s = buf;
		if (i < sizeof fixed / sizeof *fixed) {
			s = fixed[i];
		} else {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			int nd = 1 + (int)(x % 17), fr = (int)((x >> 8) % (unsigned)(nd + 1));
			size_t k = 0;
			if (x & (1u << 20))
				buf[k++] = '-';
			for (int d = 0; d < nd; d++) {
				if (d == nd - fr && fr) {
					if (d == 0)
						buf[k++] = '0';
					buf[k++] = '.';
				}
				buf[k++] = (char)('0' + ((x >> (24 + d % 30)) + (uint64_t)d * 7) % 10);
			}
			if (nd - fr > 1 && buf[x & (1u << 20) ? 1 : 0] == '0')
				buf[x & (1u << 20) ? 1 : 0] = '7'; /* no leading zero */
			if (x & (1u << 21))
				k += (size_t)snprintf(buf + k, sizeof buf - k, "e%d", (int)((x >> 40) % 61) - 30);
			buf[k] = '\0';
		}
		jscan j;
		double v = 0, w = strtod(s, NULL);
		jscan_init(&j, s, strlen(s));
		if (jscan_num(&j, &v) || memcmp(&v, &w, sizeof v)) {
			print_error("%s: jscan %.17g, strtod %.17g\n", s, v, w);
			fail();
		}
	}
}

/* One string literal s read with out room for all of the rest of the input
 * (the word-at-a-time path) and with one byte less (the run-by-run path):
 * same result, length, bytes, \u0000 flag and position. */
static int str_both(const char *s, char *a, size_t *na, int *nul)
{
	size_t len = strlen(s), nb = 0;
	char b[256];
	jscan ja, jb;
	jscan_init(&ja, s, len);
	jscan_init(&jb, s, len);
	memset(a, 'A', 256);
	memset(b, 'A', sizeof b);
	*na = 0;
	int ra = jscan_str(&ja, a, 255, na);
	int rb = jscan_str(&jb, b, len - 2, &nb); /* len - 1 bytes follow the quote */
	assert_int_equal(ra, rb);
	if (ra == 0) {
		assert_int_equal(*na, nb);
		assert_memory_equal(a, b, nb);
		assert_ptr_equal(ja.p - s, jb.p - s);
		assert_int_equal(ja.nul, jb.nul);
	}
	*nul = ja.nul;
	return ra;
}

static void test_str_paths(void **state)
{
	(void)state;
	/* escapes before, on and after 8-byte boundaries, raw UTF-8, \u forms */
	static const char *ok[] = {
		"\"a\\\"b\"", "\"abcdefg\\n\"", "\"abcdefgh\\t\"", "\"abcdefghi\\\\x\"",
		"\"[{\\\"label\\\": \\\"person\\\", \\\"bbox\\\": [1.5, 2]}]\" ,",
		"\"\\/\\b\\f\\r 0123456789abcdef\\\"\"", "\"caf\xc3\xa9 and more \xe2\x82\xac!\"",
		"\"12345678\\u00e9\\u20ac\\ud83d\\ude00 tail\"", "\"x\\u0041yz0123456789\"",
	};
	static const char *want[] = {
		"a\"b", "abcdefg\n", "abcdefgh\t", "abcdefghi\\x",
		"[{\"label\": \"person\", \"bbox\": [1.5, 2]}]",
		"/\b\f\r 0123456789abcdef\"", "caf\xc3\xa9 and more \xe2\x82\xac!",
		"12345678\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 tail", "xAyz0123456789",
	};
	char a[256];
	size_t n;
	int nul;
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		assert_int_equal(str_both(ok[i], a, &n, &nul), 0);
		assert_int_equal(n, strlen(want[i]));
		assert_memory_equal(a, want[i], n);
		assert_false(nul);
		cJSON *c = cJSON_Parse(ok[i][strlen(ok[i]) - 1] == ',' ? "\"a\"" : ok[i]);
		if (ok[i][strlen(ok[i]) - 1] != ',') { /* cJSON's decoding agrees */
			assert_true(cJSON_IsString(c));
			assert_string_equal(c->valuestring, want[i]);
		}
		cJSON_Delete(c);
	}
	/* \u0000 is decoded and flagged */
	assert_int_equal(str_both("\"abcdefghij\\u0000k\"", a, &n, &nul), 0);
	assert_int_equal(n, 12);
	assert_memory_equal(a, "abcdefghij\0k", 12);
	assert_true(nul);
	/* refused: raw control byte, bad escape, lone surrogate, bad UTF-8,
	 * unterminated (with and without an escape or 8 bytes before the end) */
	static const char *bad[] = {
		"\"abcdefghij\x01\"", "\"abcdefghij\\x\"", "\"abcdefghij\\ud800x\"",
		"\"abcdefghij\\udc00\"", "\"abcdefghij\xff\"", "\"abcdefghij\xc3\"",
		"\"abcdefghijklmnop", "\"abc\\n", "\"abcdefgh\\", "\"abcdefghij\\u12\"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(str_both(bad[i], a, &n, &nul), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpora),
		cmocka_unit_test(test_native_all_fast),
		cmocka_unit_test(test_vllm_chat_all_fast),
		cmocka_unit_test(test_fast_edges),
		cmocka_unit_test(test_numbers_strtod),
		cmocka_unit_test(test_str_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
