/* test_simgen.c — the sample_runs/ simulator: determinism, agreement with the
 * committed data, and every stress sample parsed by the analysis API.
 *
 * The generator's sources are compiled into this test (test binaries link our
 * libraries, not the tailscope-simgen objects); main.c is left out.
 *
 * Expected numbers below were counted on the committed data with an
 * independent throw-away Python 3 parser (json.raw_decode over the
 * concatenated token bytes, a regex for <loc> groups, collections.Counter for
 * duplicates), not with the analysis code under test; they agree with the
 * table in sample_runs/README.md, which comes from `tailscope report`.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <stb_image.h>

#include "../../sample_runs/gen/sg_util.c"
#include "../../sample_runs/gen/sg_scene.c"
#include "../../sample_runs/gen/sg_paint.c"
#include "../../sample_runs/gen/sg_model.c"
#include "../../sample_runs/gen/sg_runs.c"

#include "gt.h"
#include "policy.h"
#include "records.h"
#include "repeat.h"
#include "run.h"
#include "sanitize.h"
#include "trace.h"

/* ---- helpers ---- */

static char g_tmp_a[64], g_tmp_b[64];

static void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (d) {
			struct dirent *e;
			while ((e = readdir(d))) {
				if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
					continue;
				char sub[1024];
				snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
				rm_rf(sub);
			}
			closedir(d);
		}
		rmdir(path);
	} else {
		unlink(path);
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *p = malloc(cap + 1);
	size_t r;
	while (p && (r = fread(p + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *q = realloc(p, cap * 2 + 1);
			if (!q) {
				free(p);
				p = NULL;
				break;
			}
			p = q;
			cap *= 2;
		}
	}
	fclose(f);
	if (p)
		p[n] = '\0';
	*len = n;
	return p;
}

/* Asserts that a/rel and b/rel hold the same bytes. */
static void assert_same_file(const char *a, const char *b, const char *rel)
{
	char pa[512], pb[512];
	snprintf(pa, sizeof pa, "%s/%s", a, rel);
	snprintf(pb, sizeof pb, "%s/%s", b, rel);
	size_t na = 0, nb = 0;
	char *da = slurp(pa, &na), *db = slurp(pb, &nb);
	if (!da || !db)
		fail_msg("cannot read %s or %s", pa, pb);
	if (na != nb || memcmp(da, db, na) != 0)
		fail_msg("%s and %s differ (%zu vs %zu bytes)", pa, pb, na, nb);
	assert_true(na > 0);
	free(da);
	free(db);
}

/* Every file the generator writes, relative to its output directory. */
static size_t list_outputs(char rel[][64], size_t max, int with_images)
{
	size_t n = 0;
	snprintf(rel[n++], 64, "scenes/gt.json");
	simgen_sceneset set;
	ts_error err;
	assert_int_equal(simgen_scenes_build(&set, &err), TS_OK);
	for (size_t i = 0; with_images && i < set.n && n < max; i++)
		snprintf(rel[n++], 64, "scenes/images/%s", set.scenes[i].file_name);
	simgen_scenes_free(&set);
	for (size_t r = 0; r < simgen_n_runs() && n + 2 <= max; r++) {
		snprintf(rel[n++], 64, "%s/run.json", simgen_run(r)->name);
		snprintf(rel[n++], 64, "%s/traces.jsonl", simgen_run(r)->name);
	}
	return n;
}

/* The generated traces of one run (in g_tmp_a), one trace per image. */
typedef struct run_traces {
	trace *t[64];
	size_t n;
} run_traces;

static void load_run(const char *dir, const char *name, run_traces *rt)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s/traces.jsonl", dir, name);
	size_t len;
	char *data = slurp(path, &len);
	assert_non_null(data);
	trace_limits lim;
	trace_limits_default(&lim);
	rt->n = 0;
	char *line = data;
	while (*line) {
		char *nl = strchr(line, '\n');
		assert_non_null(nl); /* every line ends with a newline */
		ts_error err;
		trace *t = NULL;
		ts_status st = trace_parse_line(line, (size_t)(nl - line), &lim, &t, &err);
		if (st != TS_OK)
			fail_msg("%s line %zu: %s", name, rt->n + 1, err.msg);
		assert_true(rt->n < 64);
		rt->t[rt->n++] = t;
		line = nl + 1;
	}
	free(data);
}

static void free_run(run_traces *rt)
{
	for (size_t i = 0; i < rt->n; i++)
		trace_free(rt->t[i]);
	rt->n = 0;
}

static const trace *trace_for(const run_traces *rt, int64_t image_id)
{
	for (size_t i = 0; i < rt->n; i++) {
		int64_t id;
		if (trace_image_id(rt->t[i], &id) && id == image_id)
			return rt->t[i];
	}
	fail_msg("no trace for image %lld", (long long)image_id);
	return NULL;
}

/* Records of a trace, fed step by step as a decoder would. */
static recparse *parse_records(const trace *t)
{
	recparse *p = recparse_new(NULL);
	assert_non_null(p);
	const trace_step *s = trace_steps(t);
	const char *text = trace_text(t);
	size_t n = trace_n_steps(t);
	for (size_t i = 0; i < n; i++)
		recparse_feed(p, text + s[i].off, s[i].len, (uint32_t)i);
	recparse_finish(p, n ? (uint32_t)(n - 1) : 0, trace_get_finish(t) == TRACE_FINISH_STOP);
	return p;
}

static int has_label(const recparse *p, const char *label, size_t len)
{
	int n = 0;
	for (size_t i = 0; i < recparse_count(p); i++) {
		const record *r = &recparse_records(p)[i];
		n += r->label_len == len && memcmp(r->label, label, len) == 0;
	}
	return n;
}

/* ---- fixtures ---- */

static int setup(void **state)
{
	(void)state;
	snprintf(g_tmp_a, sizeof g_tmp_a, "/tmp/ts_simgen_a_XXXXXX");
	snprintf(g_tmp_b, sizeof g_tmp_b, "/tmp/ts_simgen_b_XXXXXX");
	if (!mkdtemp(g_tmp_a) || !mkdtemp(g_tmp_b))
		return -1;
	ts_error err;
	/* Traces and ground truth, twice (no images: painting is tested below). */
	if (simgen_write_all(g_tmp_a, NULL, 0, &err) != TS_OK)
		return -1;
	if (simgen_write_all(g_tmp_b, NULL, 0, &err) != TS_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(g_tmp_a);
	rm_rf(g_tmp_b);
	return 0;
}

/* ---- determinism ---- */

static void test_twice_same_bytes(void **state)
{
	(void)state;
	char rel[80][64];
	size_t n = list_outputs(rel, 80, 0);
	/* gt.json + (6 + 9 family) runs x (run.json, traces.jsonl) */
	assert_int_equal(n, 31);
	for (size_t i = 0; i < n; i++)
		assert_same_file(g_tmp_a, g_tmp_b, rel[i]);
}

static void test_png_deterministic_and_decodes(void **state)
{
	(void)state;
	simgen_sceneset set;
	ts_error err;
	assert_int_equal(simgen_scenes_build(&set, &err), TS_OK);
	assert_int_equal(set.n, 24);
	const simgen_scene *sc = &set.scenes[4]; /* image 5: sparse, 480x360, overcast */
	assert_int_equal(sc->id, 5);
	assert_int_equal(sc->w, 480);
	assert_int_equal(sc->h, 360);
	unsigned char *a, *b;
	assert_int_equal(simgen_paint(sc, &a, &err), TS_OK);
	assert_int_equal(simgen_paint(sc, &b, &err), TS_OK);
	assert_memory_equal(a, b, (size_t)sc->w * sc->h * 3);
	simgen_buf pa = {0}, pb = {0};
	assert_int_equal(simgen_png(a, sc->w, sc->h, &pa, &err), TS_OK);
	assert_int_equal(simgen_png(b, sc->w, sc->h, &pb, &err), TS_OK);
	assert_int_equal(pa.len, pb.len);
	assert_memory_equal(pa.p, pb.p, pa.len);
	/* Round trip through stb_image: the PNG holds exactly the pixels. */
	int w, h, comp;
	unsigned char *dec = stbi_load_from_memory((const unsigned char *)pa.p, (int)pa.len, &w, &h,
	                                           &comp, 3);
	assert_non_null(dec);
	assert_int_equal(w, 480);
	assert_int_equal(h, 360);
	assert_memory_equal(dec, a, (size_t)w * h * 3);
	/* Top-left pixel is plain overcast sky: top colour (0.60, 0.62, 0.66)
	 * mixed with at most 0.1% of the horizon colour, times 255, rounded,
	 * low bit cleared in the sky: 153 -> 152, 158, 168. */
	assert_int_equal(dec[0], 152);
	assert_int_equal(dec[1], 158);
	assert_int_equal(dec[2], 168);
	stbi_image_free(dec);
	simgen_buf_free(&pa);
	simgen_buf_free(&pb);
	free(a);
	free(b);
	simgen_scenes_free(&set);
}

/* make sample-runs must reproduce the committed files byte for byte. */
static void test_matches_committed(void **state)
{
	(void)state;
	struct stat st;
	if (stat("sample_runs/scenes/gt.json", &st) != 0) {
		print_message("sample_runs/ not found from the working directory; run from the repo root\n");
		skip();
	}
	char dir[64];
	snprintf(dir, sizeof dir, "/tmp/ts_simgen_c_XXXXXX");
	assert_non_null(mkdtemp(dir));
	ts_error err;
	assert_int_equal(simgen_write_all(dir, NULL, 1, &err), TS_OK);
	char rel[80][64];
	size_t n = list_outputs(rel, 80, 1);
	assert_int_equal(n, 55); /* gt.json, 24 PNGs, (6 + 9 family runs) x 2 run files */
	for (size_t i = 0; i < n; i++)
		assert_same_file(dir, "sample_runs", rel[i]);
	/* No stale image beside the 24 the generator writes. */
	DIR *d = opendir("sample_runs/scenes/images");
	assert_non_null(d);
	int count = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		count += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(count, 24);
	rm_rf(dir);
}

/* ---- every line of every run ---- */

static void test_every_step_has_five_alternatives(void **state)
{
	(void)state;
	for (size_t r = 0; r < simgen_n_runs(); r++) {
		run_traces rt;
		load_run(g_tmp_a, simgen_run(r)->name, &rt);
		const simgen_run_cfg *cfg = simgen_run(r);
		size_t nq = cfg->per_class ? 5 : 1; /* per-class requests: one line per category */
		assert_int_equal(rt.n, (cfg->images ? cfg->n_images : 24) * nq);
		for (size_t i = 0; i < rt.n; i++) {
			const trace *t = rt.t[i];
			int64_t id;
			assert_true(trace_image_id(t, &id));
			/* one line per image (and request), in order */
			assert_int_equal(id, cfg->images ? (int64_t)cfg->images[i / nq] : (int64_t)(i / nq) + 1);
			assert_int_equal(trace_get_format(t), TRACE_FMT_NATIVE);
			assert_true(trace_has_logprobs(t) && trace_has_alts(t));
			assert_non_null(trace_prompt(t));
			const trace_step *s = trace_steps(t);
			const trace_alt *alts = trace_alts(t);
			const char *text = trace_text(t), *atext = trace_alt_text(t);
			for (size_t k = 0; k < trace_n_steps(t); k++) {
				assert_int_equal(s[k].n_alt, 5);
				const trace_alt *a0 = &alts[s[k].alt_first];
				/* greedy: the chosen token is the first alternative */
				assert_int_equal(a0->len, s[k].len);
				assert_memory_equal(atext + a0->off, text + s[k].off, s[k].len);
				assert_true(fabs(a0->logprob - s[k].logprob) < 1e-9);
				assert_true(s[k].logprob < 0);
				double sum = 0;
				for (uint32_t j = 0; j < 5; j++) {
					sum += exp(alts[s[k].alt_first + j].logprob);
					if (j)
						assert_true(alts[s[k].alt_first + j].logprob <=
						            alts[s[k].alt_first + j - 1].logprob);
				}
				assert_true(sum <= 1.0 + 5e-4); /* 4-decimal rounding */
			}
		}
		free_run(&rt);
	}
}

/* Totals per run: records, duplicates, max repeat (policy off), counted with
 * the independent Python parser; under repeat_stop no duplicate is left. */
static void test_run_totals(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		size_t records, duplicates, max_repeat;
	} want[] = {
		{"base", 34, 0, 1},
		{"lora-qkvo-r16", 318, 27, 23},
		{"lora-qv-r4", 284, 20, 21},
		{"lora-qv-r16", 283, 21, 22},
		{"lora-qv-r64", 468, 21, 22},
		{"lora-qkvo-r16-budget12", 216, 2, 3},
	};
	for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
		run_traces rt;
		load_run(g_tmp_a, want[w].name, &rt);
		size_t recs = 0, dups = 0, maxrep = 0, kept_dups = 0;
		for (size_t i = 0; i < rt.n; i++) {
			recparse *p = parse_records(rt.t[i]);
			size_t n = recparse_count(p);
			repeat_stats rs;
			assert_int_equal(repeat_analyze(recparse_records(p), n, &rs, NULL, NULL, NULL), TS_OK);
			recs += n;
			dups += rs.duplicates;
			if (rs.max_repeat > maxrep)
				maxrep = rs.max_repeat;
			policy pol = {POLICY_REPEAT_STOP, 0};
			policy_cut cut = policy_apply(&pol, recparse_records(p), n, rs.first_dup);
			repeat_stats kept;
			assert_int_equal(repeat_analyze(recparse_records(p), cut.kept, &kept, NULL, NULL, NULL),
			                 TS_OK);
			kept_dups += kept.duplicates;
			assert_true(cut.kept == 0 || kept.max_repeat == 1);
			recparse_free(p);
		}
		assert_int_equal(recs, want[w].records);
		assert_int_equal(dups, want[w].duplicates);
		assert_int_equal(maxrep, want[w].max_repeat);
		assert_int_equal(kept_dups, 0);
		free_run(&rt);
	}
}

/* ---- the repeated tail and its missed termination point ---- */

static void test_tail_sample(void **state)
{
	(void)state;
	run_traces rt;
	load_run(g_tmp_a, "lora-qkvo-r16", &rt);
	const trace *t = trace_for(&rt, 4);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_LENGTH);
	assert_int_equal(trace_n_steps(t), 1024); /* max_new_tokens */
	recparse *p = parse_records(t);
	size_t n = recparse_count(p);
	repeat_stats rs;
	assert_int_equal(repeat_analyze(recparse_records(p), n, &rs, NULL, NULL, NULL), TS_OK);
	/* 22 distinct records, then record 21 again until the limit: 44 records,
	 * 23 occurrences of record 21, tail from index 22. */
	assert_int_equal(n, 44);
	assert_int_equal(rs.max_repeat, 23);
	assert_int_equal(rs.tail_start, 22);
	assert_int_equal(rs.first_dup, 22);
	/* Truncated mid-record: steps after the last complete record. */
	const record *last = &recparse_records(p)[n - 1];
	assert_true(last->last_step < 1023);
	assert_false(recparse_closed(p));
	/* At each boundary (the step after a record's closing token) the
	 * alternatives hold the end-of-list token "\n]".  Its probability is
	 * highest where the loop begins (after record 21, the termination point
	 * the model missed) and falls at every repetition after that. */
	const trace_step *s = trace_steps(t);
	const trace_alt *alts = trace_alts(t);
	const char *atext = trace_alt_text(t);
	double prev = 0, at_start = -INFINITY, max_before = -INFINITY;
	for (size_t i = 0; i + 1 < n; i++) {
		uint32_t b = recparse_records(p)[i].last_step + 1;
		double lp = NAN;
		for (uint32_t j = 0; j < s[b].n_alt; j++) {
			const trace_alt *a = &alts[s[b].alt_first + j];
			if (a->len == 2 && !memcmp(atext + a->off, "\n]", 2))
				lp = a->logprob;
		}
		assert_false(isnan(lp));
		if (i < 21 && lp > max_before)
			max_before = lp;
		if (i == 21)
			at_start = lp;
		if (i > 21)
			assert_true(lp < prev);
		prev = lp;
	}
	assert_true(at_start > log(0.25));   /* drawn in [0.30, 0.45] */
	assert_true(max_before < log(0.06)); /* at most 0.002 + 0.05 before */
	recparse_free(p);
	free_run(&rt);
}

/* ---- stress samples (README lists them with their image ids) ---- */

static void test_stress_empty_and_junk(void **state)
{
	(void)state;
	run_traces rt;
	load_run(g_tmp_a, "lora-qkvo-r16", &rt);
	/* image 5: "```json\n[]\n```" */
	const trace *t = trace_for(&rt, 5);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_STOP);
	assert_int_equal(trace_text_len(t), strlen("```json\n[]\n```"));
	assert_memory_equal(trace_text(t), "```json\n[]\n```", trace_text_len(t));
	recparse *p = parse_records(t);
	assert_int_equal(recparse_count(p), 0);
	assert_true(recparse_opened(p));
	assert_true(recparse_closed(p));
	assert_false(recparse_junk(p));
	recparse_free(p);
	/* image 2: prose between records 2 and 3; all 12 records still parse
	 * and the list closes. */
	t = trace_for(&rt, 2);
	assert_non_null(strstr(trace_text(t), "},\n  (note: the left insulator is partly hidden)\n  {\""));
	p = parse_records(t);
	assert_true(recparse_junk(p));
	assert_true(recparse_closed(p));
	assert_int_equal(recparse_count(p), 12);
	recparse_free(p);
	free_run(&rt);
}

static void test_stress_near_duplicate_and_hallucination(void **state)
{
	(void)state;
	run_traces rt;
	load_run(g_tmp_a, "lora-qkvo-r16", &rt);
	/* image 10: records 1 and 2 are [166, 100, 193, 159] and
	 * [166, 100, 194, 159], both "insulator": not exact duplicates. */
	recparse *p = parse_records(trace_for(&rt, 10));
	assert_true(recparse_count(p) >= 3);
	const record *a = &recparse_records(p)[1], *b = &recparse_records(p)[2];
	assert_string_equal(a->label, "insulator");
	assert_string_equal(b->label, "insulator");
	assert_true(a->v[0] == 166 && a->v[1] == 100 && a->v[2] == 193 && a->v[3] == 159);
	assert_true(b->v[0] == 166 && b->v[1] == 100 && b->v[2] == 194 && b->v[3] == 159);
	assert_false(record_equal(a, b));
	repeat_stats rs;
	assert_int_equal(repeat_analyze(recparse_records(p), recparse_count(p), &rs, NULL, NULL, NULL),
	                 TS_OK);
	assert_int_equal(rs.duplicates, 0);
	recparse_free(p);
	/* image 7: one "transformer", which names no category of gt.json. */
	p = parse_records(trace_for(&rt, 7));
	assert_int_equal(has_label(p, "transformer", 11), 1);
	char path[512];
	snprintf(path, sizeof path, "%s/scenes/gt.json", g_tmp_a);
	gt *g = NULL;
	ts_error err;
	assert_int_equal(gt_load(path, &g, NULL, &err), TS_OK);
	assert_int_equal(gt_n_images(g), 24);
	assert_int_equal(gt_n_categories(g), 5);
	assert_int_equal(gt_category_lookup(g, "transformer", 11), -1);
	assert_true(gt_category_lookup(g, "insulator", 9) >= 0);
	gt_free(g);
	recparse_free(p);
	free_run(&rt);
}

static void test_stress_non_ascii(void **state)
{
	(void)state;
	run_traces rt;
	load_run(g_tmp_a, "lora-qkvo-r16", &rt);
	const trace *t = trace_for(&rt, 12);
	recparse *p = parse_records(t);
	static const char french[] = "isolateur en verre tremp\xc3\xa9";
	static const char cjk[] = "\xe7\xbb\x9d\xe7\xbc\x98\xe5\xad\x90"; /* U+7EDD U+7F18 U+5B50 */
	assert_int_equal(has_label(p, french, sizeof french - 1), 1);
	assert_int_equal(has_label(p, cjk, sizeof cjk - 1), 1);
	/* "é" (C3 A9) is split across two tokens, each given by "bytes". */
	const trace_step *s = trace_steps(t);
	const char *text = trace_text(t);
	int split = 0;
	for (size_t k = 0; k + 1 < trace_n_steps(t); k++)
		split += s[k].len == 7 && !memcmp(text + s[k].off, " tremp\xc3", 7) &&
		         s[k + 1].len == 1 && (unsigned char)text[s[k + 1].off] == 0xa9;
	assert_int_equal(split, 1);
	recparse_free(p);
	free_run(&rt);
}

static void assert_harmless(const char *label, size_t len)
{
	char out[512];
	size_t n = sanitize(label, len, out, sizeof out, 0);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];
		assert_true(c >= 0x20 && c != 0x7f);
		if (i + 2 < n)
			assert_false(c == 0xe2 && (unsigned char)out[i + 1] == 0x80 &&
			             (unsigned char)out[i + 2] == 0xae);
	}
}

static void test_stress_hostile_labels(void **state)
{
	(void)state;
	run_traces rt;
	/* JSON: the model wrote \u001b, \u0007, \r escapes and a raw U+202E; the
	 * parser unescapes them into the label. */
	load_run(g_tmp_a, "lora-qkvo-r16", &rt);
	recparse *p = parse_records(trace_for(&rt, 13));
	static const char hostile[] = "\x1b[2J\x1b]0;owned\x07insulator\r\xe2\x80\xaerotaluzni";
	assert_int_equal(has_label(p, hostile, sizeof hostile - 1), 1);
	assert_false(recparse_junk(p));
	assert_harmless(hostile, sizeof hostile - 1);
	recparse_free(p);
	free_run(&rt);
	/* loc syntax: the raw bytes are in the token text itself. */
	load_run(g_tmp_a, "lora-qv-r64", &rt);
	const trace *t = trace_for(&rt, 17);
	assert_non_null(memchr(trace_text(t), 0x1b, trace_text_len(t)));
	assert_non_null(memchr(trace_text(t), '\r', trace_text_len(t)));
	p = parse_records(t);
	static const char raw[] = "\x1b[2J\x1b]0owned\x07insulator\r\xe2\x80\xaerotaluzni";
	assert_int_equal(has_label(p, raw, sizeof raw - 1), 1);
	assert_int_equal(recparse_key(p), REC_KEY_LOC);
	recparse_free(p);
	free_run(&rt);
}

static void test_stress_many_records(void **state)
{
	(void)state;
	run_traces rt;
	load_run(g_tmp_a, "lora-qv-r64", &rt);
	/* image 11: the 204-insulator rack; 202 listed (2 missed), no
	 * duplicates, the model ends by itself. */
	const trace *t = trace_for(&rt, 11);
	assert_int_equal(trace_get_finish(t), TRACE_FINISH_STOP);
	assert_int_equal(trace_n_steps(t), 1211);
	recparse *p = parse_records(t);
	assert_int_equal(recparse_count(p), 202);
	assert_true(recparse_closed(p));
	repeat_stats rs;
	assert_int_equal(repeat_analyze(recparse_records(p), recparse_count(p), &rs, NULL, NULL, NULL),
	                 TS_OK);
	assert_int_equal(rs.max_repeat, 1);
	recparse_free(p);
	free_run(&rt);
}

static void test_budget_and_formats(void **state)
{
	(void)state;
	run_traces rt;
	load_run(g_tmp_a, "lora-qkvo-r16-budget12", &rt);
	for (size_t i = 0; i < rt.n; i++) {
		recparse *p = parse_records(rt.t[i]);
		int64_t id;
		trace_image_id(rt.t[i], &id);
		/* at most 12, except image 4 which repeats its 12th record twice */
		assert_true(recparse_count(p) <= (id == 4 ? 14u : 12u));
		if (id == 4) {
			assert_int_equal(recparse_count(p), 14);
			assert_true(recparse_closed(p));
		}
		recparse_free(p);
	}
	free_run(&rt);
	/* Syntax per run: key of the first record. */
	static const struct {
		const char *name;
		rec_key key;
		coords_kind coords;
		long budget, max_new;
	} runs[] = {
		{"base", REC_KEY_BBOX_2D, COORDS_QWEN3, -1, 1024},
		{"lora-qkvo-r16", REC_KEY_BBOX_2D, COORDS_QWEN3, -1, 1024},
		{"lora-qv-r4", REC_KEY_BBOX_2D, COORDS_QWEN3, -1, 1024},
		{"lora-qv-r16", REC_KEY_BOX_2D, COORDS_GEMINI, -1, 1024},
		{"lora-qv-r64", REC_KEY_LOC, COORDS_PALIGEMMA, -1, 256},
		{"lora-qkvo-r16-budget12", REC_KEY_BBOX_2D, COORDS_QWEN3, 12, 1024},
	};
	for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
		load_run(g_tmp_a, runs[r].name, &rt);
		int seen = 0;
		for (size_t i = 0; i < rt.n; i++) {
			recparse *p = parse_records(rt.t[i]);
			if (recparse_count(p)) {
				assert_int_equal(recparse_key(p), runs[r].key);
				seen++;
			}
			recparse_free(p);
		}
		assert_true(seen >= 10); /* base lists something on 17 of 24 images */
		free_run(&rt);
		char dir[512];
		snprintf(dir, sizeof dir, "%s/%s", g_tmp_a, runs[r].name);
		run_info *ri = NULL;
		ts_error err;
		assert_int_equal(run_open(dir, &ri, &err), TS_OK);
		assert_string_equal(ri->name, runs[r].name);
		assert_true(ri->simulated);
		assert_int_equal(ri->coords, runs[r].coords);
		assert_int_equal(ri->budget, runs[r].budget);
		assert_int_equal(ri->max_new_tokens, runs[r].max_new);
		assert_non_null(ri->gt_path);
		gt *g = NULL;
		assert_int_equal(gt_load(ri->gt_path, &g, NULL, &err), TS_OK);
		gt_free(g);
		run_info_free(ri);
	}
	/* The q/v rank sweep writes label before bbox. */
	load_run(g_tmp_a, "lora-qv-r4", &rt);
	assert_true(strncmp(trace_text(trace_for(&rt, 1)), "```json\n[\n  {\"label\": \"", 23) == 0);
	free_run(&rt);
}

/* The family runs (issue 12): each parses as its syntax, step by step, with
 * no junk, run.json names the syntax's convention, and each has a repeated
 * tail (image 3, cut by the token limit) beside clean lists that close. */
static void test_family_runs(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		rec_key key;
		coords_kind coords;
	} fam[] = {
		{"family-florence2", REC_KEY_FLORENCE, COORDS_FLORENCE2},
		{"family-deepseek-vl2", REC_KEY_DEEPSEEK, COORDS_DEEPSEEK},
		{"family-qwen2-vl", REC_KEY_QWEN2VL, COORDS_QWEN3},
		{"family-internvl", REC_KEY_REFBOX, COORDS_QWEN3},
		{"family-kosmos2", REC_KEY_KOSMOS, COORDS_KOSMOS2},
		{"family-moondream", REC_KEY_MINMAX, COORDS_MOONDREAM},
		{"family-qwen-points", REC_KEY_POINT_2D, COORDS_QWEN3},
		{"family-molmo-points", REC_KEY_MOLMO, COORDS_MOLMO},
		{"family-gemini-extras", REC_KEY_BOX_2D, COORDS_GEMINI},
	};
	for (size_t f = 0; f < sizeof fam / sizeof fam[0]; f++) {
		run_traces rt;
		load_run(g_tmp_a, fam[f].name, &rt);
		int per_class = fam[f].key == REC_KEY_MINMAX; /* Moondream: one request per class */
		assert_int_equal(rt.n, per_class ? 3 * 5 : 3);
		for (size_t i = 0; i < rt.n; i++) {
			recparse *p = parse_records(rt.t[i]);
			int64_t id;
			assert_true(trace_image_id(rt.t[i], &id));
			if (per_class) {
				/* image order, then category order: "Detect: <class>" */
				static const char *const cls[5] = {"insulator", "damper", "spacer", "pole",
				                                   "bird nest"};
				char want[64];
				snprintf(want, sizeof want, "Detect: %s", cls[i % 5]);
				assert_string_equal(trace_prompt(rt.t[i]), want);
				/* scene 3 (spacers 5, dampers 3, insulators 2): its main class,
				 * spacer, loops; it holds no pole or bird nest, so those
				 * requests answer {"objects": []} */
				if (id == 3 && i % 5 == 2) {
					assert_int_equal(trace_get_finish(rt.t[i]), TRACE_FINISH_LENGTH);
					repeat_stats rs;
					assert_int_equal(repeat_analyze(recparse_records(p), recparse_count(p), &rs,
					                                NULL, NULL, NULL), TS_OK);
					assert_true(rs.max_repeat >= 5);
				} else {
					assert_int_equal(trace_get_finish(rt.t[i]), TRACE_FINISH_STOP);
					assert_true(recparse_closed(p));
				}
				if (id == 3 && i % 5 >= 3)
					assert_int_equal(recparse_count(p), 0);
				for (size_t k = 0; k < recparse_count(p); k++)
					assert_int_equal(recparse_records(p)[k].key, fam[f].key);
				assert_false(recparse_junk(p));
				recparse_free(p);
				continue;
			}
			assert_true(recparse_count(p) >= 3);
			assert_int_equal(recparse_key(p), fam[f].key);
			assert_false(recparse_junk(p));
			for (size_t k = 0; k < recparse_count(p); k++)
				assert_int_equal(recparse_records(p)[k].key, fam[f].key);
			repeat_stats rs;
			assert_int_equal(repeat_analyze(recparse_records(p), recparse_count(p), &rs, NULL, NULL,
			                                NULL), TS_OK);
			if (id == 3) {
				assert_int_equal(trace_get_finish(rt.t[i]), TRACE_FINISH_LENGTH);
				assert_true(rs.max_repeat >= 5);
			}
			if (id == 5) { /* the distant pole: a short clean list the model ends */
				assert_int_equal(trace_get_finish(rt.t[i]), TRACE_FINISH_STOP);
				assert_true(recparse_closed(p));
				assert_int_equal(rs.max_repeat, 1);
			}
			recparse_free(p);
		}
		free_run(&rt);
		char dir[512];
		snprintf(dir, sizeof dir, "%s/%s", g_tmp_a, fam[f].name);
		run_info *ri = NULL;
		ts_error err;
		assert_int_equal(run_open(dir, &ri, &err), TS_OK);
		assert_true(ri->simulated);
		assert_int_equal(ri->coords, fam[f].coords);
		run_info_free(ri);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twice_same_bytes),
		cmocka_unit_test(test_png_deterministic_and_decodes),
		cmocka_unit_test(test_matches_committed),
		cmocka_unit_test(test_every_step_has_five_alternatives),
		cmocka_unit_test(test_run_totals),
		cmocka_unit_test(test_tail_sample),
		cmocka_unit_test(test_stress_empty_and_junk),
		cmocka_unit_test(test_stress_near_duplicate_and_hallucination),
		cmocka_unit_test(test_stress_non_ascii),
		cmocka_unit_test(test_stress_hostile_labels),
		cmocka_unit_test(test_stress_many_records),
		cmocka_unit_test(test_budget_and_formats),
		cmocka_unit_test(test_family_runs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
