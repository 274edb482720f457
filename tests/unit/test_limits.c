/* Every limit on untrusted input: just under or at the limit works, just
 * over it gives TS_ERR_LIMIT with a message naming the input (file, line,
 * field) and the limit (its name and value), or, for the limits that
 * degrade instead of failing (alternatives, label bytes, number length,
 * record nesting), the documented degraded result.
 *
 * Expected messages are worked out from the formats in analysis/trace.c,
 * trace_file.c, sample.c, gt.c, run.c and render/image.c; the inputs are
 * built here so that each is exactly one byte/item over (or at) its limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_helpers.h"

#include <cJSON.h>

#include "gt.h"
#include "records.h"
#include "render.h"
#include "run.h"
#include "sample.h"
#include "trace.h"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/ts-limits.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
}


/* A native text-only line of exactly n bytes: {"text":"[]","p":"xxx..."} */
static char *line_of(size_t n)
{
	static const char head[] = "{\"text\":\"[]\",\"p\":\"";
	static const char tail[] = "\"}";
	size_t fixed = sizeof head - 1 + sizeof tail - 1;
	assert_true(n >= fixed);
	char *s = malloc(n + 1);
	assert_non_null(s);
	memcpy(s, head, sizeof head - 1);
	memset(s + sizeof head - 1, 'x', n - fixed);
	memcpy(s + n - (sizeof tail - 1), tail, sizeof tail - 1);
	s[n] = '\0';
	return s;
}

static trace_limits lim_with(size_t line, size_t steps, size_t alts, size_t tok)
{
	trace_limits l;
	trace_limits_default(&l);
	if (line)
		l.max_line_bytes = line;
	if (steps)
		l.max_steps = steps;
	if (alts)
		l.max_alts = alts;
	if (tok)
		l.max_token_bytes = tok;
	return l;
}

/* ---- defaults (the table in the report) ---- */

static void test_defaults(void **state)
{
	(void)state;
	trace_limits t;
	trace_limits_default(&t);
	assert_int_equal(t.max_line_bytes, 64u << 20);
	assert_int_equal(t.max_steps, 1000000);
	assert_int_equal(t.max_alts, 20);
	assert_int_equal(t.max_token_bytes, 4096);
	recparse_limits r;
	recparse_limits_default(&r);
	assert_int_equal(r.max_records, 100000);
	assert_int_equal(r.max_label_bytes, 4096);
	assert_int_equal(r.max_number_chars, 64);
	assert_int_equal(r.max_depth, 64);
	render_limits i;
	render_limits_default(&i);
	assert_int_equal(i.max_dim, 8192);
	assert_int_equal(i.max_pixels, 40000000);
	assert_int_equal(i.max_file_bytes, 64u << 20);
	assert_int_equal(CJSON_NESTING_LIMIT, 1000);
}

/* ---- line length ---- */

static void test_line_length_parse(void **state)
{
	(void)state;
	trace_limits l = lim_with(100, 0, 0, 0);
	char *at = line_of(100), *over = line_of(101);
	trace *t;
	ts_error err;
	assert_int_equal(trace_parse_line(at, 100, &l, &t, &err), TS_OK);
	trace_free(t);
	assert_int_equal(trace_parse_line(over, 101, &l, &t, &err), TS_ERR_LIMIT);
	assert_null(t);
	assert_string_equal(err.msg, "line of 101 bytes is longer than max_line_bytes (100)");
	free(at);
	free(over);
}

/* Lines 1 (100 bytes, at the limit), 2 (250 bytes, over), 3 (ok): the reader
 * names file and line 2, then goes on with line 3. */
static void test_line_length_reader_and_index(void **state)
{
	(void)state;
	char path[128], *l1 = line_of(100), *l2 = line_of(250), *l3 = line_of(40);
	path_of(path, sizeof path, "long.jsonl");
	size_t n1 = strlen(l1), n2 = strlen(l2), n3 = strlen(l3);
	char *all = malloc(n1 + n2 + n3 + 4);
	assert_non_null(all);
	sprintf(all, "%s\n%s\n%s\n", l1, l2, l3);
	th_write_file(path, all, strlen(all));
	trace_limits l = lim_with(100, 0, 0, 0);
	char want[512];
	snprintf(want, sizeof want, "%s:2: line of 250 bytes is longer than max_line_bytes (100)", path);

	trace_file *f;
	ts_error err;
	assert_int_equal(trace_file_open(path, &l, &f, &err), TS_OK);
	trace *t;
	size_t lineno;
	assert_int_equal(trace_file_next(f, &t, &lineno, &err), TS_OK);
	assert_int_equal(lineno, 1);
	trace_free(t);
	assert_int_equal(trace_file_next(f, &t, &lineno, &err), TS_ERR_LIMIT);
	assert_int_equal(lineno, 2);
	assert_string_equal(err.msg, want);
	assert_int_equal(trace_file_next(f, &t, &lineno, &err), TS_OK);
	assert_int_equal(lineno, 3);
	trace_free(t);
	assert_int_equal(trace_file_next(f, &t, &lineno, &err), TS_EOF);
	trace_file_close(f);

	trace_index *ix;
	assert_int_equal(trace_index_build(path, &l, NULL, NULL, &ix, &err), TS_OK);
	assert_int_equal(trace_index_count(ix), 3);
	assert_int_equal(trace_index_load(ix, 1, &t, &err), TS_ERR_LIMIT);
	assert_string_equal(err.msg, want);
	assert_int_equal(trace_index_load(ix, 2, &t, &err), TS_OK);
	trace_free(t);
	trace_index_free(ix);
	free(all);
	free(l1);
	free(l2);
	free(l3);
}

/* ---- tokens per sample ---- */

static void test_tokens_per_sample(void **state)
{
	(void)state;
	trace_limits l = lim_with(0, 3, 0, 0);
	const char *three = "{\"tokens\": [\"a\", \"b\", \"c\"]}";
	const char *four = "{\"tokens\": [\"a\", \"b\", \"c\", \"d\"]}";
	trace *t;
	ts_error err;
	assert_int_equal(trace_parse_line(three, strlen(three), &l, &t, &err), TS_OK);
	assert_int_equal(trace_n_steps(t), 3);
	trace_free(t);
	assert_int_equal(trace_parse_line(four, strlen(four), &l, &t, &err), TS_ERR_LIMIT);
	assert_string_equal(err.msg, "tokens: 4 steps, more than max_steps (3)");
	/* text only: "ab 12" is 3 pseudo-steps (ab, " ", 12), "ab 12 c" is 5 */
	const char *t3 = "{\"text\": \"ab 12\"}", *t5 = "{\"text\": \"ab 12 c\"}";
	assert_int_equal(trace_parse_line(t3, strlen(t3), &l, &t, &err), TS_OK);
	assert_int_equal(trace_n_steps(t), 3);
	trace_free(t);
	assert_int_equal(trace_parse_line(t5, strlen(t5), &l, &t, &err), TS_ERR_LIMIT);
	assert_string_equal(err.msg, "text: more than max_steps (3) steps");

	/* through the reader: the file and line are named */
	char path[128], want[512];
	path_of(path, sizeof path, "steps.jsonl");
	char body[256];
	snprintf(body, sizeof body, "%s\n%s\n", three, four);
	th_write_file(path, body, strlen(body));
	trace_file *f;
	assert_int_equal(trace_file_open(path, &l, &f, &err), TS_OK);
	assert_int_equal(trace_file_next(f, &t, NULL, &err), TS_OK);
	trace_free(t);
	assert_int_equal(trace_file_next(f, &t, NULL, &err), TS_ERR_LIMIT);
	snprintf(want, sizeof want, "%s:2: tokens: 4 steps, more than max_steps (3)", path);
	assert_string_equal(err.msg, want);
	trace_file_close(f);
}

/* ---- token bytes ---- */

static void test_token_bytes(void **state)
{
	(void)state;
	trace_limits l = lim_with(0, 0, 0, 4);
	trace *t;
	ts_error err;
	const char *ok = "{\"tokens\": [\"abcd\", {\"bytes\": [1, 2, 3, 4]}]}";
	assert_int_equal(trace_parse_line(ok, strlen(ok), &l, &t, &err), TS_OK);
	assert_int_equal(trace_text_len(t), 8);
	trace_free(t);
	const char *s5 = "{\"tokens\": [\"abcd\", \"abcde\"]}";
	assert_int_equal(trace_parse_line(s5, strlen(s5), &l, &t, &err), TS_ERR_LIMIT);
	assert_string_equal(err.msg, "tokens[1]: token longer than max_token_bytes (4)");
	const char *b5 = "{\"tokens\": [{\"bytes\": [1, 2, 3, 4, 5]}]}";
	assert_int_equal(trace_parse_line(b5, strlen(b5), &l, &t, &err), TS_ERR_LIMIT);
	assert_string_equal(err.msg, "tokens[0]: token longer than max_token_bytes (4)");
	/* an alternative over the limit is named as such */
	const char *a5 = "{\"tokens\": [{\"token\": \"a\", \"top_logprobs\": [{\"token\": \"abcde\", \"logprob\": -1}]}]}";
	assert_int_equal(trace_parse_line(a5, strlen(a5), &l, &t, &err), TS_ERR_LIMIT);
	assert_string_equal(err.msg, "tokens[0] alternative: token longer than max_token_bytes (4)");
}

/* ---- alternatives per step: extra ones are ignored, not an error ---- */

static void test_alternatives_capped(void **state)
{
	(void)state;
	trace_limits l = lim_with(0, 0, 2, 0);
	const char *s = "{\"tokens\": [{\"token\": \"a\", \"logprob\": -0.5, \"top_logprobs\": ["
	                "{\"token\": \"a\", \"logprob\": -0.5}, {\"token\": \"b\", \"logprob\": -1.5},"
	                "{\"token\": \"c\", \"logprob\": -2.5}]}]}";
	trace *t;
	ts_error err;
	assert_int_equal(trace_parse_line(s, strlen(s), &l, &t, &err), TS_OK);
	assert_int_equal(trace_steps(t)[0].n_alt, 2);
	assert_int_equal(trace_n_alts(t), 2);
	const trace_alt *a = trace_alts(t);
	assert_memory_equal(trace_alt_text(t) + a[1].off, "b", 1);
	assert_true(a[1].logprob == -1.5);
	trace_free(t);
}

/* ---- records per sample ---- */

static const char rec3[] = "[{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}, "
                           "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"b\"}, "
                           "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"c\"}]";

static void test_records_per_sample(void **state)
{
	(void)state;
	char line[512];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "text", rec3);
	cJSON_AddStringToObject(o, "finish_reason", "stop");
	char *js = cJSON_PrintUnformatted(o);
	snprintf(line, sizeof line, "%s", js);
	free(js);
	cJSON_Delete(o);
	trace *t;
	ts_error err;
	assert_int_equal(trace_parse_line(line, strlen(line), NULL, &t, &err), TS_OK);
	analysis_opts opt;
	analysis_opts_default(&opt);
	opt.rec_limits.max_records = 3;
	sample *s;
	assert_int_equal(sample_analyze(t, NULL, NULL, 0, 0, &opt, &s, &err), TS_OK);
	assert_int_equal(sample_n_records(s), 3);
	sample_free(s);
	opt.rec_limits.max_records = 2;
	assert_int_equal(sample_analyze(t, NULL, NULL, 0, 0, &opt, &s, &err), TS_ERR_LIMIT);
	assert_null(s);
	assert_string_equal(err.msg, "more than 2 records in one sample (max_records)");
	trace_free(t);

	/* the parser itself: sticky, further input ignored */
	recparse_limits rl = { 2, 0, 0, 0 };
	recparse *p = recparse_new(&rl);
	assert_int_equal(recparse_feed(p, rec3, strlen(rec3), 0), TS_ERR_LIMIT);
	assert_int_equal(recparse_count(p), 2);
	assert_int_equal(recparse_status(p), TS_ERR_LIMIT);
	assert_int_equal(recparse_feed(p, "x", 1, 1), TS_ERR_LIMIT);
	recparse_free(p);
}

/* ---- label bytes: cut at a character boundary, the record still counts ---- */

static void test_label_bytes(void **state)
{
	(void)state;
	recparse_limits rl = { 0, 5, 0, 0 };
	recparse *p = recparse_new(&rl);
	/* "ééé" is 6 bytes: 5 would split the third é, so "éé" (4 bytes) */
	const char *s = "[{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"\xc3\xa9\xc3\xa9\xc3\xa9\"}, "
	                "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"abcdefg\"}, "
	                "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"abcde\"}]";
	assert_int_equal(recparse_feed(p, s, strlen(s), 0), TS_OK);
	recparse_finish(p, 0, 1);
	assert_int_equal(recparse_count(p), 3);
	const record *r = recparse_records(p);
	assert_int_equal(r[0].label_len, 4);
	assert_string_equal(r[0].label, "\xc3\xa9\xc3\xa9");
	assert_int_equal(r[1].label_len, 5);
	assert_string_equal(r[1].label, "abcde");
	/* a cut label equals the label that is exactly the cut */
	assert_true(record_equal(&r[1], &r[2]));
	recparse_free(p);
}

/* ---- number length: a longer number makes the record junk ---- */

static void test_number_chars(void **state)
{
	(void)state;
	recparse_limits rl = { 0, 0, 5, 0 };
	recparse *p = recparse_new(&rl);
	const char *s = "[{\"bbox_2d\": [12345, 1.5e1, -1234, 4], \"label\": \"ok\"}, "
	                "{\"bbox_2d\": [123456, 2, 3, 4], \"label\": \"long\"}, "
	                "{\"bbox_2d\": [1, 2, 3, 1.5e+1], \"label\": \"exp\"}]";
	assert_int_equal(recparse_feed(p, s, strlen(s), 0), TS_OK);
	recparse_finish(p, 0, 1);
	assert_int_equal(recparse_count(p), 1);
	assert_string_equal(recparse_records(p)[0].label, "ok");
	assert_true(recparse_records(p)[0].v[1] == 15.0);
	assert_true(recparse_junk(p));
	recparse_free(p);
}

/* ---- nesting inside a record: deeper than max_depth is junk ---- */

static void test_record_depth(void **state)
{
	(void)state;
	recparse_limits rl = { 0, 0, 0, 2 };
	recparse *p = recparse_new(&rl);
	/* the coordinate array is depth 1; [[1]] under "x" reaches depth 2, [[[1]]] 3 */
	const char *s = "[{\"bbox_2d\": [1, 2, 3, 4], \"x\": [[1]], \"label\": \"two\"}, "
	                "{\"bbox_2d\": [1, 2, 3, 4], \"x\": [[[1]]], \"label\": \"three\"}, "
	                "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"after\"}]";
	assert_int_equal(recparse_feed(p, s, strlen(s), 0), TS_OK);
	recparse_finish(p, 0, 1);
	assert_int_equal(recparse_count(p), 2);
	assert_string_equal(recparse_records(p)[0].label, "two");
	assert_string_equal(recparse_records(p)[1].label, "after");
	assert_true(recparse_junk(p));
	recparse_free(p);
}

/* ---- JSON nesting in a trace line and a ground-truth file (cJSON: 1000) ---- */

static char *nested(size_t depth, const char *pre, const char *post)
{
	size_t np = strlen(pre), nq = strlen(post);
	char *s = malloc(np + 2 * depth + nq + 1);
	assert_non_null(s);
	memcpy(s, pre, np);
	memset(s + np, '[', depth);
	memset(s + np + depth, ']', depth);
	memcpy(s + np + 2 * depth, post, nq + 1);
	return s;
}

static void test_json_nesting(void **state)
{
	(void)state;
	trace *t;
	ts_error err;
	/* the object is level 1, so 999 arrays fit; the prefix {"meta": is 9 bytes */
	char *ok = nested(999, "{\"meta\": ", ", \"text\": \"[]\"}");
	assert_int_equal(trace_parse_line(ok, strlen(ok), NULL, &t, &err), TS_OK);
	trace_free(t);
	char *deep = nested(1000, "{\"meta\": ", ", \"text\": \"[]\"}");
	assert_int_equal(trace_parse_line(deep, strlen(deep), NULL, &t, &err), TS_ERR_LIMIT);
	/* the 1000th "[" is byte 9 + 999 = 1008 */
	assert_string_equal(err.msg, "JSON nested deeper than 1000 levels at byte 1008");

	char path[128], want[512];
	path_of(path, sizeof path, "deep.jsonl");
	size_t n = strlen(deep);
	deep[n] = '\n';
	th_write_file(path, deep, n + 1);
	trace_file *f;
	assert_int_equal(trace_file_open(path, NULL, &f, &err), TS_OK);
	assert_int_equal(trace_file_next(f, &t, NULL, &err), TS_ERR_LIMIT);
	snprintf(want, sizeof want, "%s:1: JSON nested deeper than 1000 levels at byte 1008", path);
	assert_string_equal(err.msg, want);
	trace_file_close(f);

	gt *g;
	char *gdeep = nested(1000, "{\"images\": [], \"x\": ", "}");
	assert_int_equal(gt_load_buffer(gdeep, strlen(gdeep), "deep.json", &g, NULL, &err), TS_ERR_LIMIT);
	/* the prefix is 20 bytes and leaves the object open (level 1); the
	 * 1000th "[" is byte 20 + 999 = 1019: line 1, column 1020 */
	assert_string_equal(err.msg, "deep.json: JSON nested deeper than 1000 levels (line 1, column 1020)");
	free(gdeep);
	free(ok);
	free(deep);
}

/* ---- images: file bytes, dimensions, pixels ---- */

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xFFFFFFFFu;
}

static void test_image_caps(void **state)
{
	(void)state;
	render_image *img = render_image_new(4, 3);
	assert_non_null(img);
	uint8_t *png;
	size_t len;
	ts_error err;
	assert_int_equal(render_png_encode(img, &png, &len, &err), TS_OK);
	render_image_free(img);

	render_limits at = { 4, 12, len };
	assert_int_equal(render_image_load_mem(png, len, "x.png", &at, &img, &err), TS_OK);
	assert_int_equal(img->w, 4);
	render_image_free(img);

	render_limits dim = { 3, 0, 0 };
	assert_int_equal(render_image_load_mem(png, len, "x.png", &dim, &img, &err), TS_ERR_LIMIT);
	assert_null(img);
	assert_string_equal(err.msg, "x.png: image is 4x3, over the limit of 3 pixels per side");

	render_limits px = { 0, 11, 0 };
	assert_int_equal(render_image_load_mem(png, len, "x.png", &px, &img, &err), TS_ERR_LIMIT);
	assert_string_equal(err.msg, "x.png: image is 4x3 = 12 pixels, over the limit of 11 pixels");

	/* a caller's cap above stb's compile-time 16384 is clamped to it: the
	 * IHDR width set to 16385 (CRC recomputed) is refused before decoding */
	uint8_t *wide = malloc(len);
	assert_non_null(wide);
	memcpy(wide, png, len);
	assert_memory_equal(wide + 12, "IHDR", 4);
	wide[16] = 0x00;
	wide[17] = 0x00;
	wide[18] = 0x40;
	wide[19] = 0x01; /* 16385 */
	uint32_t c = crc32_png(wide + 12, 4 + 13);
	wide[29] = (uint8_t)(c >> 24);
	wide[30] = (uint8_t)(c >> 16);
	wide[31] = (uint8_t)(c >> 8);
	wide[32] = (uint8_t)c;
	render_limits big = { 100000, 1ull << 40, 0 };
	assert_int_equal(render_image_load_mem(wide, len, "x.png", &big, &img, &err), TS_ERR_LIMIT);
	assert_string_equal(err.msg, "x.png: image is 16385x3, over the limit of 16384 pixels per side");
	free(wide);

	render_limits fb = { 0, 0, len - 1 };
	assert_int_equal(render_image_load_mem(png, len, "x.png", &fb, &img, &err), TS_ERR_LIMIT);
	char want[256];
	snprintf(want, sizeof want, "x.png: file is %zu bytes, over the limit of %zu bytes", len, len - 1);
	assert_string_equal(err.msg, want);
	free(png);
}

/* ---- ground truth file size (1 GiB) and run.json size (1 MiB) ---- */

static void test_gt_and_run_json_size(void **state)
{
	(void)state;
	char path[128], want[512];
	path_of(path, sizeof path, "huge.json");
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	/* sparse: 1 GiB + 1 byte without writing them */
	assert_int_equal(ftruncate(fileno(f), (off_t)(1u << 30) + 1), 0);
	fclose(f);
	gt *g;
	ts_error err;
	assert_int_equal(gt_load(path, &g, NULL, &err), TS_ERR_LIMIT);
	assert_null(g);
	snprintf(want, sizeof want, "%s: too large (1073741825 bytes; the limit is 1 GiB)", path);
	assert_string_equal(err.msg, want);
	unlink(path);

	char dir[128], rj[160], tr[160];
	path_of(dir, sizeof dir, "bigrun");
	snprintf(rj, sizeof rj, "%s/run.json", dir);
	snprintf(tr, sizeof tr, "%s/traces.jsonl", dir);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
	assert_int_equal(system(cmd), 0);
	th_write_file(tr, "", 0);
	size_t n = (1u << 20) + 1;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	th_write_file(rj, big, n);
	free(big);
	run_info *ri;
	assert_int_equal(run_open(dir, &ri, &err), TS_ERR_LIMIT);
	snprintf(want, sizeof want, "%s: larger than 1048576 bytes", rj);
	assert_string_equal(err.msg, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_line_length_parse),
		cmocka_unit_test(test_line_length_reader_and_index),
		cmocka_unit_test(test_tokens_per_sample),
		cmocka_unit_test(test_token_bytes),
		cmocka_unit_test(test_alternatives_capped),
		cmocka_unit_test(test_records_per_sample),
		cmocka_unit_test(test_label_bytes),
		cmocka_unit_test(test_number_chars),
		cmocka_unit_test(test_record_depth),
		cmocka_unit_test(test_json_nesting),
		cmocka_unit_test(test_image_caps),
		cmocka_unit_test(test_gt_and_run_json_size),
	};
	return cmocka_run_group_tests_name("limits", tests, setup, teardown);
}
