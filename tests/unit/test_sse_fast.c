/* test_sse_fast.c — differential test of the scanner's SSE path
 * (analysis/trace_fast.c trace_sse_*, used by trace_file.c's assembler)
 * against the cJSON path (trace_sse_fast_enable(0)).
 *
 * The reference is the cJSON path itself: every SSE fixture in tests/data,
 * every input of the fuzz corpora (tests/fuzz/corpus/fuzz_trace_file,
 * fuzz_capture), hand-built chunks (key orders, duplicates, nulls, several
 * choices, completions chunks, limits) and a generated stream are read with
 * the reader, and indexed then loaded entry by entry, once with the scanner
 * and once without, under the default limits and small ones: the outputs
 * must be the same — status, message, line range, and the whole trace
 * (format, finish, refs, every step's bytes, logprob bits, alternatives).
 * How many data: lines the scanner takes is counted independently (python3's
 * json over the fixtures: the chunks whose every "bytes" list decodes as
 * UTF-8 without a 0 byte; the others go to cJSON): stream_vllm.sse 6 of 8,
 * same.sse 38 of 38, stream_sglang.sse 3 of 3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace_int.h"

typedef struct out {
	ts_status st;
	trace *t;
	size_t lineno, first, last;
	char msg[TS_ERROR_MSG_MAX];
} out;

typedef struct outs {
	out *v;
	size_t n;
} outs;

static void outs_free(outs *o)
{
	for (size_t i = 0; i < o->n; i++)
		trace_free(o->v[i].t);
	free(o->v);
	memset(o, 0, sizeof *o);
}

static void push(outs *o, const out *x)
{
	o->v = realloc(o->v, (o->n + 1) * sizeof *o->v);
	assert_non_null(o->v);
	o->v[o->n++] = *x;
}

static void read_all(const char *path, const trace_limits *lim, outs *o)
{
	trace_file *f;
	ts_error e;
	memset(o, 0, sizeof *o);
	if (trace_file_open(path, lim, &f, &e) != TS_OK)
		return;
	for (;;) {
		out x;
		memset(&x, 0, sizeof x);
		x.st = trace_file_next(f, &x.t, &x.lineno, &e);
		if (x.st == TS_EOF)
			break;
		trace_file_lines(f, &x.first, &x.last);
		if (x.st)
			snprintf(x.msg, sizeof x.msg, "%s", e.msg);
		push(o, &x);
		if (x.st == TS_ERR_IO)
			break;
	}
	trace_file_close(f);
}

/* The index's entries, each loaded. */
static void index_all(const char *path, const trace_limits *lim, outs *o)
{
	trace_index *ix;
	ts_error e;
	memset(o, 0, sizeof *o);
	if (trace_index_build(path, lim, NULL, NULL, &ix, &e) != TS_OK)
		return;
	for (size_t i = 0; i < trace_index_count(ix); i++) {
		out x;
		memset(&x, 0, sizeof x);
		x.first = trace_index_lines(ix, i, &x.last);
		x.lineno = trace_index_lineno(ix, i);
		x.st = trace_index_load(ix, i, &x.t, &e);
		if (x.st)
			snprintf(x.msg, sizeof x.msg, "%s", e.msg);
		push(o, &x);
	}
	trace_index_free(ix);
}

static void same_trace(const trace *a, const trace *b)
{
	assert_int_equal(!a, !b);
	if (!a)
		return;
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
	}
	for (size_t i = 0; i < trace_n_alts(a); i++)
		assert_memory_equal(trace_alt_text(a) + aa[i].off, trace_alt_text(b) + ab[i].off, aa[i].len);
}

static void same_outs(const outs *a, const outs *b, const char *path)
{
	if (a->n != b->n)
		print_error("%s: %zu outputs with the scanner, %zu without\n", path, a->n, b->n);
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const out *x = &a->v[i], *y = &b->v[i];
		if (x->st != y->st || strcmp(x->msg, y->msg))
			print_error("%s output %zu: %d \"%s\" vs %d \"%s\"\n", path, i, x->st, x->msg, y->st,
			            y->msg);
		assert_int_equal(x->st, y->st);
		assert_string_equal(x->msg, y->msg);
		assert_int_equal(x->lineno, y->lineno);
		assert_int_equal(x->first, y->first);
		assert_int_equal(x->last, y->last);
		same_trace(x->t, y->t);
	}
}

static size_t n_files;

/* Reader and index, with and without the scanner: the same. */
static void check_file(const char *path, const trace_limits *lim)
{
	outs fr, cr, fi, ci;
	trace_sse_fast_enable(1);
	read_all(path, lim, &fr);
	index_all(path, lim, &fi);
	trace_sse_fast_enable(0);
	read_all(path, lim, &cr);
	index_all(path, lim, &ci);
	trace_sse_fast_enable(1);
	same_outs(&fr, &cr, path);
	same_outs(&fi, &ci, path);
	outs_free(&fr);
	outs_free(&cr);
	outs_free(&fi);
	outs_free(&ci);
	n_files++;
}

static void check_dir(const char *dir, const trace_limits *lim, const char *suffix)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	char path[4096];
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name), sl = suffix ? strlen(suffix) : 0;
		if (de->d_name[0] == '.' || (suffix && (l < sl || strcmp(de->d_name + l - sl, suffix))))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		check_file(path, lim);
	}
	closedir(d);
}

static void limits_small(trace_limits *lim)
{
	trace_limits_default(lim);
	lim->max_alts = 2;
	lim->max_steps = 3;
	lim->max_token_bytes = 4;
}

static void test_corpora(void **state)
{
	(void)state;
	trace_limits lim[2];
	trace_limits_default(&lim[0]);
	limits_small(&lim[1]);
	for (int k = 0; k < 2; k++) {
		check_dir("tests/data/traces", &lim[k], ".sse");
		check_dir("tests/fuzz/corpus/fuzz_trace_file", &lim[k], NULL);
		check_dir("tests/fuzz/corpus/fuzz_capture", &lim[k], NULL);
	}
	print_message("sse: %zu files read and indexed with and without the scanner\n", n_files);
}

static char tmp[64];

static const char *write_tmp(const char *text)
{
	snprintf(tmp, sizeof tmp, "/tmp/test_sse_fast.XXXXXX");
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return tmp;
}

/* Hand-built recordings: every shape the scanner takes or leaves to cJSON. */
static void test_edges(void **state)
{
	(void)state;
	static const char *const files[] = {
		/* keys in other orders: delta after logprobs, top_logprobs before
		 * token, bytes after top_logprobs, index last, refs after choices */
		"data: {\"choices\":[{\"logprobs\":{\"content\":[{\"top_logprobs\":[{\"token\":\"b\",\"logprob\":-2}],"
		"\"token\":\"a\",\"logprob\":-1}]},\"delta\":{\"content\":\"zz\"},\"index\":0}],\"id\":\"q\","
		"\"image_id\":7,\"file_name\":\"x.jpg\",\"prompt\":\"p\",\"custom_id\":\"c\"}\n"
		"data: {\"id\":\"q\",\"choices\":[{\"index\":0,\"logprobs\":{\"content\":[{\"token\":\"c\",\"logprob\":-0.5,"
		"\"top_logprobs\":[{\"token\":\"c\",\"logprob\":-0.5,\"bytes\":[99]}],\"bytes\":[67]}]},"
		"\"finish_reason\":\"length\"}],\"image_id\":8}\n",
		/* deltas only (SGLang, several choices), role chunks, text chunks, empty choices */
		"data: {\"id\":\"s\",\"choices\":[{\"index\":1,\"delta\":{\"role\":\"assistant\",\"content\":\"[1\"}},"
		"{\"index\":0,\"delta\":{\"content\":\"[2\"},\"logprobs\":null,\"finish_reason\":null}]}\n"
		"data: {\"id\":\"s\",\"choices\":[]}\n"
		"data: {\"id\":\"t\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"ab c\","
		"\"logprobs\":null,\"finish_reason\":null}]}\n"
		"data: {\"id\":\"s\",\"choices\":[{\"index\":0,\"delta\":{\"content\":null},\"text\":\"t\","
		"\"finish_reason\":\"stop\",\"stop_reason\":151645},{\"index\":1,\"delta\":{},\"finish_reason\":7}]}\n"
		"data: {\"id\":\"t\",\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":\"length\"}],"
		"\"usage\":{\"prompt_tokens\":3}}\n",
		/* left to cJSON: duplicates, nulls, legacy lists, message, bad bytes,
		 * token_id placeholders, Python's NaN, image_id as a string, "image" */
		"data: {\"id\":\"d\",\"id\":\"e\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n"
		"data: {\"id\":\"d\",\"choices\":[{\"index\":0,\"index\":1,\"delta\":{\"content\":\"b\"}}]}\n"
		"data: {\"id\":\"d\",\"choices\":[{\"index\":0,\"logprobs\":{\"content\":[{\"token\":\"x\",\"logprob\":null}]}}]}\n"
		"data: {\"id\":\"d\",\"choices\":[{\"index\":0,\"logprobs\":{\"tokens\":[\"q\"],\"token_logprobs\":[-1]}}]}\n"
		"data: {\"id\":\"d\",\"choices\":[{\"index\":0,\"logprobs\":{\"content\":[{\"token\":\"x\",\"logprob\":-1,"
		"\"bytes\":[300]}]}}]}\n"
		"data: {\"id\":\"d\",\"choices\":[{\"index\":0,\"logprobs\":{\"content\":[{\"token\":\"x\",\"logprob\":-1,"
		"\"bytes\":[255,254]}]}}]}\n"
		"data: {\"id\":\"d\",\"choices\":[{\"index\":0,\"logprobs\":{\"content\":[{\"token\":\"token_id:5\","
		"\"logprob\":-1}]}}]}\n"
		"data: {\"id\":\"d\",\"choices\":[{\"index\":0,\"logprobs\":{\"content\":[{\"token\":\"token_id:5\","
		"\"logprob\":-1,\"bytes\":[104,105]}]}}]}\n"
		"data: {\"id\":\"d\",\"choices\":[{\"index\":0,\"logprobs\":{\"content\":[{\"token\":\"y\",\"logprob\":NaN}]}}]}\n"
		"data: {\"id\":\"d\",\"image_id\":\"12\",\"image\":\"i.png\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"c\"}}]}\n"
		"data: {\"id\":\"d\",\"image_id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"c\"}}]}\n"
		"data: {\"id\":\"d\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"n\\u0000m\"}}]}\n"
		"data: {\"id\":\"d\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"whole\"}}]}\n"
		"data: {\"id\":\"d\",\"choices\":[{\"index\":1e12,\"delta\":{\"content\":\"big\"}},7]}\n"
		"data: {\"id\":null,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\ud83d\\ude00\"},"
		"\"finish_reason\":\"stop\"}]}\n"
		"data: {\"id\":\"d\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"e\"},\"finish_reason\":\"stop\"}]}\n",
		/* a request past max_steps after a few chunks (small limits) */
		"data: {\"id\":\"m\",\"choices\":[{\"index\":0,\"logprobs\":{\"content\":[{\"token\":\"a\",\"logprob\":-1},"
		"{\"token\":\"b\",\"logprob\":-1}]}}]}\n"
		"data: {\"id\":\"m\",\"choices\":[{\"index\":0,\"logprobs\":{\"content\":[{\"token\":\"c\",\"logprob\":-1},"
		"{\"token\":\"d\",\"logprob\":-1}]}}]}\n"
		"data: {\"id\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"e\"},\"finish_reason\":\"stop\"}]}\n"
		"data: {\"id\":\"m2\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"abcdefgh\"}}]}\n",
	};
	trace_limits lim[2];
	trace_limits_default(&lim[0]);
	limits_small(&lim[1]);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++)
		for (int k = 0; k < 2; k++) {
			const char *p = write_tmp(files[i]);
			check_file(p, &lim[k]);
			unlink(p);
		}
}

/* The data: lines the scanner takes (counted by python3, see the top). */
static void test_taken(void **state)
{
	(void)state;
	static const struct { const char *path; size_t lines, taken; } f[] = {
		{ "tests/data/traces/stream_vllm.sse", 8, 6 },
		{ "tests/data/traces/same.sse", 38, 38 },
		{ "tests/data/traces/stream_sglang.sse", 3, 3 },
	};
	trace_limits lim;
	trace_limits_default(&lim);
	trace_sse *s = trace_sse_new();
	assert_non_null(s);
	for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
		FILE *fp = fopen(f[i].path, "r");
		assert_non_null(fp);
		char line[8192];
		size_t n = 0, taken = 0;
		while (fgets(line, sizeof line, fp)) {
			if (strncmp(line, "data: {", 7))
				continue;
			n++;
			taken += trace_sse_scan(s, line + 6, strlen(line + 6), &lim, 1) &&
			         trace_sse_scan(s, line + 6, strlen(line + 6), &lim, 0);
		}
		fclose(fp);
		assert_int_equal(n, f[i].lines);
		assert_int_equal(taken, f[i].taken);
	}
	trace_sse_free(s);
}

/* A generated stream: 6 requests x 40 chunks interleaved, 3 alternatives
 * each, the usual vLLM key order, and one request ended by length. */
static void test_generated(void **state)
{
	(void)state;
	size_t cap = 1 << 20, len = 0;
	char *b = malloc(cap);
	assert_non_null(b);
	for (int s = 0; s < 40; s++)
		for (int r = 0; r < 6; r++)
			len += (size_t)snprintf(b + len, cap - len,
			                        "data: {\"id\":\"chatcmpl-%d\",\"object\":\"chat.completion.chunk\","
			                        "\"created\":1,\"model\":\"m\",%s\"choices\":[{\"index\":0,\"delta\":"
			                        "{\"content\":\"t%d\"},\"logprobs\":{\"content\":[{\"token\":\"t%d\","
			                        "\"logprob\":-%d.%03d,\"bytes\":[116,%d],\"top_logprobs\":[{\"token\":\"t%d\","
			                        "\"logprob\":-%d.%03d},{\"token\":\"u\",\"logprob\":-9.5},{\"token\":\"v\","
			                        "\"logprob\":-1e400}]}]},\"finish_reason\":%s}]}\n\n",
			                        r, s == 0 ? "\"image_id\":3," : "", s % 10, s % 10, r, s * 7,
			                        48 + s % 10, s % 10, r, s * 7,
			                        s == 39 ? (r == 2 ? "\"length\"" : "\"stop\"") : "null");
	assert_true(len < cap);
	b[len] = '\0';
	trace_limits lim[2];
	trace_limits_default(&lim[0]);
	limits_small(&lim[1]);
	for (int k = 0; k < 2; k++) {
		const char *p = write_tmp(b);
		check_file(p, &lim[k]);
		if (k == 0) { /* 6 samples of 40 steps, 3 alternatives each */
			outs o;
			read_all(p, &lim[0], &o);
			assert_int_equal(o.n, 6);
			for (size_t i = 0; i < o.n; i++) {
				assert_int_equal(o.v[i].st, TS_OK);
				assert_int_equal(trace_n_steps(o.v[i].t), 40);
				assert_int_equal(trace_n_alts(o.v[i].t), 120);
			}
			outs_free(&o);
		}
		unlink(p);
	}
	free(b);
}

/* vLLM n > 1 streamed (tests/data/traces/stream_vllm_n2.sse, written by a
 * python3 script from serving_chat.py's stream format: one choice per
 * chunk, role chunks first, finish chunks with stop_reason, a usage chunk
 * with "choices": []): each choice index is its own sample, in finish
 * order.  Expected values worked out by that script: choice 0 "[{\"bbox}]",
 * 3 steps, 6 alternatives, logprobs summing to -0.4375, stop, lines 1-17;
 * choice 1 "[{\"label\u00e9", 3 steps, 6 alternatives, -2.75, length,
 * lines 3-19.  The same through the index and without the scanner. */
static void test_vllm_n2(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		double lp;
		trace_finish fin;
		size_t first, last;
	} want[] = {
		{ "[{\"bbox}]", -0.4375, TRACE_FINISH_STOP, 1, 17 },
		{ "[{\"label\xc3\xa9", -2.75, TRACE_FINISH_LENGTH, 3, 19 },
	};
	const char *path = "tests/data/traces/stream_vllm_n2.sse";
	trace_limits lim;
	trace_limits_default(&lim);
	check_file(path, &lim);
	outs o[2];
	read_all(path, &lim, &o[0]);
	index_all(path, &lim, &o[1]);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(o[k].n, 2);
		for (size_t i = 0; i < 2; i++) {
			const trace *t = o[k].v[i].t;
			assert_int_equal(o[k].v[i].st, TS_OK);
			assert_int_equal(trace_get_container(t), TRACE_FMT_OPENAI_SSE);
			assert_string_equal(trace_text(t), want[i].text);
			assert_int_equal(trace_n_steps(t), 3);
			assert_int_equal(trace_n_alts(t), 6);
			double sum = 0;
			for (size_t j = 0; j < 3; j++)
				sum += trace_steps(t)[j].logprob;
			assert_true(sum == want[i].lp); /* binary fractions: exact */
			assert_int_equal(trace_get_finish(t), want[i].fin);
			assert_int_equal(o[k].v[i].first, want[i].first);
			assert_int_equal(o[k].v[i].last, want[i].last);
		}
		outs_free(&o[k]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpora),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_taken),
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_vllm_n2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
