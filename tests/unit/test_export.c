/* A run analysed under five policies (hand-worked fixture
 * tests/data/report/policies, paths relative to the repository root), its
 * CSV parsed back with an independent RFC 4180 reader, its JSON, and the same
 * run analysed on several threads at once.
 *
 * Fixture (qwen3 coords on 1000x1000 images, so emitted numbers = pixels):
 * image 1: cat g0 [100,100,100,100], cat g1 [100,100,100,90], dog g2
 *   [500,500,100,100] (x,y,w,h).  Line 1, finish length, 12 steps, one
 *   record per token (score = its logprob):
 *     s1 R0 cat [100,100,200,200] -0.1   s3 R1 cat [100,100,200,190] -0.2
 *     s5 R2 dog [500,500,600,600] -0.3   s7 R3 = R0 -0.15   s9 R4 = R0 -0.4
 *     s11 a partial record.  dup_of R3, R4 -> R0: duplicates 2, max_repeat 3,
 *     tail_start 3, repeat_stop at s7.
 *   Output-order matching: R0 -> g0 (IoU 1 > 0.9), R1 -> g1, R2 -> g2, R3 and
 *   R4 FP: TP 3 FP 2 FN 0 (same at 0.3 and 0.5).
 *   P(close) after R0..R4: .15, .25+.05 = .30, .08, .05, .01: max before the
 *   tail (R0..R2) .30, at the tail start (after R2) .08.  Score mean
 *   (-.1-.2-.3-.15-.4)/5 = -0.23.
 * image 2 "two, \"b\".png" (by file_name): cat g3 [0,0,100,100], g4
 *   [0,0,100,90].  Line 2, finish stop, 7 steps: s1 R0 cat [0,0,100,100]
 *   -0.1, s3 R1 = R0 -0.2, s5 R2 cat [0,0,100,90] -0.3, s6 "]".
 *   R0 -> g3, R1 (duplicate) -> g4 (IoU .9), R2 FP: TP 2 FP 1.  No tail
 *   (R2 is new); repeat_stop at s3.  P(close): .4, .5, .7 -> max .7, no
 *   tail value.  Score mean -0.2.
 * Policies (records / tokens / TP FP FN):
 *   off          8 / 19 / 5 3 0
 *   repeat_stop  3+1 = 4 / 8+4 = 12 / 4 0 1
 *   budget:2     2+2 = 4 / 4+4 = 8 / 4 0 1 (line 2 keeps R1, a duplicate)
 *   near_dup:0.9 1+1 = 2 / 4+4 = 8 / 2 0 3 (R1 of line 1 has IoU 0.9 with R0)
 *   dedup        3+2 = 5 / 19 / 5 0 0 (line 2 matched again: R2 -> g4)
 * AP@0.5 (mean score), worked out in test_ap_values below. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <cJSON.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "export.h"

#define FIXTURE "tests/data/report/policies"
#define ONE (1.0 / (1.0 + DBL_EPSILON))

static void opts_five(export_opts *o)
{
	export_opts_default(o);
	const char *names[5] = { "off", "repeat_stop", "budget:2", "near_dup:0.9", "dedup" };
	for (int i = 0; i < 5; i++)
		assert_int_equal(policy_parse(names[i], &o->pol[i], NULL), TS_OK);
	o->n_pol = 5;
	o->rows = 1;
}

static int n_warn;
static void count_warn(void *ud, const char *msg)
{
	(void)ud;
	(void)msg;
	n_warn++;
}

static export_run *analyze(const export_opts *o)
{
	export_run *r = NULL;
	n_warn = 0;
	assert_int_equal(export_run_analyze(FIXTURE, o, count_warn, NULL, NULL, &r), TS_OK);
	assert_non_null(r);
	assert_int_equal(n_warn, 0);
	assert_true(r->opened);
	assert_true(r->usable);
	assert_true(r->gt_loaded);
	assert_int_equal(r->skipped, 0);
	return r;
}

static void test_policies(void **state)
{
	(void)state;
	export_opts o;
	opts_five(&o);
	export_run *r = analyze(&o);
	assert_string_equal(r->name, "pol\"icies, test");
	assert_string_equal(r->name_raw, "pol\"icies, test");
	size_t rec[5] = { 8, 4, 4, 2, 5 }, tok[5] = { 19, 12, 8, 8, 19 };
	size_t tp[5] = { 5, 4, 4, 2, 5 }, fp[5] = { 3, 0, 0, 0, 0 }, fn[5] = { 0, 1, 1, 3, 0 };
	size_t dups[5] = { 3, 0, 1, 0, 0 }, maxr[5] = { 3, 1, 2, 1, 1 }, closed[5] = { 1, 0, 0, 0, 1 };
	/* each stopping policy fires on both samples (stopped); dedup stops
	 * nothing.  termination_rate = (closed + stopped) / samples */
	size_t stopped[5] = { 0, 2, 2, 2, 0 };
	double trate[5] = { 0.5, 1, 1, 1, 0.5 };
	for (int p = 0; p < 5; p++) {
		assert_int_equal(r->m[p].samples, 2);
		assert_int_equal(r->m[p].records, rec[p]);
		assert_int_equal(r->m[p].tokens, tok[p]);
		assert_int_equal(r->m[p].duplicates, dups[p]);
		assert_int_equal(r->m[p].max_repeat, maxr[p]);
		assert_int_equal(r->m[p].closed, closed[p]);
		assert_int_equal(r->m[p].stopped, stopped[p]);
		assert_float_equal(r->m[p].termination_rate, trate[p], 1e-12);
		for (int j = 0; j < 2; j++) {
			assert_int_equal(r->m[p].counts[j].tp, tp[p]);
			assert_int_equal(r->m[p].counts[j].fp, fp[p]);
			assert_int_equal(r->m[p].counts[j].fn, fn[p]);
		}
	}
	/* F1: off P 5/8 R 1 -> 2*.625/1.625; near_dup P 1 R .4 -> .8/1.4 */
	assert_float_equal(r->m[0].prf[0].f1, 2 * 0.625 / 1.625, 1e-12);
	assert_float_equal(r->m[3].prf[1].f1, 0.8 / 1.4, 1e-12);
	/* per-sample max_repeat values (plots) */
	assert_int_equal(r->n_samples, 2);
	assert_int_equal(r->max_repeat[0], 3);
	assert_int_equal(r->max_repeat[1], 2);
	export_run_free(r);
}

/* AP@0.5 with the records' logprobs as scores.
 * off: per image in score order, image 1: R0 -> g0, R3 (-.15) -> g1 (IoU .9),
 *   R1 FP, R2 dog TP, R4 FP; image 2: R0 TP, R1 TP, R2 FP.  Ranked over both
 *   (ties at -.1 and -.2: image 1 first): T T T F T T F F, npig 5:
 *   recall .2 .4 .6 .6 .8 1 1 1, precision 1 1 1 .75 .8 5/6 5/7 5/8 ->
 *   interpolated 1 up to recall .6 (61 thresholds), 5/6 after (40):
 *   pooled = (61 + 40*5/6)/101.  cat: T T T F T F F, npig 4: 1 up to .75
 *   (76 thresholds), then .8 (25): 96/101; dog 1: ap = (96/101 + 1)/2.
 * repeat_stop: all four kept records TP; pooled recall reaches .8: 81/101;
 *   cat recall .75: 76/101, dog 1: ap = (76/101 + 1)/2.
 * budget:2: all TP; cat recall 1 -> 1, dog 0 -> ap .5; pooled 81/101.
 * near_dup:0.9: two TP (cats): cat recall .5 -> 51/101, dog 0: ap 51/202;
 *   pooled recall .4: 41/101.
 * dedup: every kept record TP, all boxes found: 1 and 1. */
static void test_ap_values(void **state)
{
	(void)state;
	export_opts o;
	opts_five(&o);
	export_run *r = analyze(&o);
	assert_true(r->has_ap);
	double ap[5] = { (96.0 / 101.0 + 1.0) / 2.0, (76.0 / 101.0 + 1.0) / 2.0, 0.5, 51.0 / 202.0, 1.0 };
	double pooled[5] = { (61.0 + 40.0 * 5.0 / 6.0) / 101.0, 81.0 / 101.0, 81.0 / 101.0, 41.0 / 101.0, 1.0 };
	for (int p = 0; p < 5; p++) {
		assert_float_equal(r->ap[p].ap, ap[p], 1e-9);
		assert_float_equal(r->ap[p].ap_pooled, pooled[p], 1e-9);
		assert_float_equal(r->ap[p].iou, 0.5, 0);
	}
	assert_int_equal(r->ap[0].n_det, 8);
	assert_int_equal(r->ap[0].n_gt, 5);
	assert_float_equal(r->ap[0].precision[60], ONE, 1e-12);
	assert_float_equal(r->ap[0].precision[61], 5.0 / 6.0, 1e-12);
	assert_float_equal(r->ap[1].recall_max, 0.8, 1e-15);
	/* termination probability: one sample with a tail */
	assert_int_equal(r->term.tails, 1);
	assert_float_equal(r->term.mean_max_before_tail, 0.30, 1e-9);
	assert_float_equal(r->term.mean_at_tail_start, 0.08, 1e-9);
	assert_int_equal(r->records_scored, 8);
	/* min score: single-token records, same scores, same AP */
	export_run_free(r);
	o.score = CONF_SCORE_MIN;
	r = analyze(&o);
	assert_float_equal(r->ap[0].ap, ap[0], 1e-9);
	export_run_free(r);
	/* --no-confidence: nothing computed */
	o.confidence = 0;
	r = analyze(&o);
	assert_false(r->has_ap);
	assert_false(r->has_conf);
	export_run_free(r);
}

static void test_rows(void **state)
{
	(void)state;
	export_opts o;
	opts_five(&o);
	export_run *r = analyze(&o);
	assert_int_equal(r->n_rows, 2);
	const export_row *a = &r->rows[0], *b = &r->rows[1];
	assert_int_equal(a->line, 1);
	assert_true(a->has_id);
	assert_int_equal(a->image_id, 1);
	assert_null(a->image);
	assert_int_equal(a->records, 5);
	assert_int_equal(a->duplicates, 2);
	assert_int_equal(a->max_repeat, 3);
	assert_int_equal(a->tail_start, 3);
	assert_int_equal(a->stop_step, 7);
	assert_int_equal(a->steps, 12);
	assert_int_equal(a->term, TERM_TRUNCATED);
	assert_float_equal(a->score, -0.23, 1e-12);
	assert_float_equal(a->p_close_max, 0.30, 1e-9);
	assert_float_equal(a->p_close_at_tail, 0.08, 1e-9);
	/* near_dup fires at s3 keeping R0; repeat_stop at s7 keeping 3 */
	assert_int_equal(a->pol[3].records, 1);
	assert_int_equal(a->pol[3].stop_step, 3);
	assert_int_equal(a->pol[3].tokens, 4);
	assert_int_equal(a->pol[1].records, 3);
	assert_int_equal(a->pol[1].stop_step, 7);
	assert_int_equal(a->pol[4].records, 3);
	assert_int_equal(a->pol[4].term, TERM_TRUNCATED);
	assert_int_equal(a->pol[4].stop_step, -1);
	/* counts: off (block 0) TP 3 FP 2; near_dup (block 1+3) TP 1 FN 2 */
	assert_int_equal(a->counts[0].tp, 3);
	assert_int_equal(a->counts[0].fp, 2);
	assert_int_equal(a->counts[(1 + 3) * 2 + 0].tp, 1);
	assert_int_equal(a->counts[(1 + 3) * 2 + 0].fn, 2);

	/* named by file_name: the key is the matched gt image's COCO id (issue 11) */
	assert_true(b->has_id);
	assert_int_equal(b->image_id, 2);
	assert_string_equal(b->image, "two, \"b\".png");
	assert_int_equal(b->tail_start, -1);
	assert_int_equal(b->stop_step, 3);
	assert_int_equal(b->term, TERM_CLOSED);
	assert_float_equal(b->p_close_max, 0.7, 1e-9);
	assert_true(isnan(b->p_close_at_tail));
	/* dedup on line 2: R0, R2, matched again: TP 2 FP 0 FN 0 */
	assert_int_equal(b->counts[(1 + 4) * 2 + 1].tp, 2);
	assert_int_equal(b->counts[(1 + 4) * 2 + 1].fp, 0);
	assert_int_equal(b->counts[(1 + 4) * 2 + 1].fn, 0);
	export_run_free(r);
}

/* ---- an independent RFC 4180 reader ---- */

typedef struct csv_table {
	char ***rows; /* rows[i][j] */
	size_t *n_fields;
	size_t n_rows;
} csv_table;

/* Parses text fully; returns 0, or -1 on a syntax error (quote in an
 * unquoted field, text after a closing quote, bare CR, missing final CRLF). */
static int csv_parse(const char *s, size_t len, csv_table *t)
{
	memset(t, 0, sizeof *t);
	size_t i = 0;
	while (i < len) {
		char **fields = NULL;
		size_t nf = 0;
		for (;;) {
			char *f = malloc(len + 1);
			size_t k = 0;
			if (i < len && s[i] == '"') {
				i++;
				for (;;) {
					if (i >= len)
						return -1;
					if (s[i] == '"') {
						if (i + 1 < len && s[i + 1] == '"') {
							f[k++] = '"';
							i += 2;
							continue;
						}
						i++;
						break;
					}
					f[k++] = s[i++];
				}
			} else {
				while (i < len && s[i] != ',' && s[i] != '\r' && s[i] != '\n') {
					if (s[i] == '"')
						return -1;
					f[k++] = s[i++];
				}
			}
			f[k] = '\0';
			fields = realloc(fields, (nf + 1) * sizeof *fields);
			fields[nf++] = f;
			if (i < len && s[i] == ',') {
				i++;
				continue;
			}
			if (i + 1 < len && s[i] == '\r' && s[i + 1] == '\n') {
				i += 2;
				break;
			}
			return -1;
		}
		t->rows = realloc(t->rows, (t->n_rows + 1) * sizeof *t->rows);
		t->n_fields = realloc(t->n_fields, (t->n_rows + 1) * sizeof *t->n_fields);
		t->rows[t->n_rows] = fields;
		t->n_fields[t->n_rows] = nf;
		t->n_rows++;
	}
	return 0;
}

static void csv_free(csv_table *t)
{
	for (size_t i = 0; i < t->n_rows; i++) {
		for (size_t j = 0; j < t->n_fields[i]; j++)
			free(t->rows[i][j]);
		free(t->rows[i]);
	}
	free(t->rows);
	free(t->n_fields);
}

typedef struct membuf {
	char *p;
	size_t len;
} membuf;

static int mem_write(void *ud, const char *buf, size_t len)
{
	membuf *m = ud;
	m->p = realloc(m->p, m->len + len + 1);
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	m->p[m->len] = '\0';
	return 0;
}

static long col_of(const csv_table *t, const char *name)
{
	for (size_t j = 0; j < t->n_fields[0]; j++)
		if (!strcmp(t->rows[0][j], name))
			return (long)j;
	fail_msg("no column %s", name);
	return -1;
}

static const char *cell(const csv_table *t, size_t row, const char *name)
{
	return t->rows[row][col_of(t, name)];
}

static void expect_size(const csv_table *t, size_t row, const char *name, size_t v)
{
	const char *c = cell(t, row, name);
	char *end;
	unsigned long long x = strtoull(c, &end, 10);
	assert_true(*c && !*end);
	assert_int_equal(x, v);
}

static void expect_long_or_empty(const csv_table *t, size_t row, const char *name, long v)
{
	const char *c = cell(t, row, name);
	if (v < 0) {
		assert_string_equal(c, "");
		return;
	}
	char *end;
	long x = strtol(c, &end, 10);
	assert_true(*c && !*end);
	assert_int_equal(x, v);
}

/* Doubles must read back bit-exact (shortest round-trip form). */
static void expect_double(const csv_table *t, size_t row, const char *name, double v)
{
	const char *c = cell(t, row, name);
	if (isnan(v)) {
		assert_string_equal(c, "");
		return;
	}
	char *end;
	double x = strtod(c, &end);
	assert_true(*c && !*end);
	assert_true(x == v);
}

static void test_csv_round_trip(void **state)
{
	(void)state;
	export_opts o;
	opts_five(&o);
	export_run *r = analyze(&o);
	membuf m = { NULL, 0 };
	assert_int_equal(export_csv_header(&o, mem_write, &m), TS_OK);
	assert_int_equal(export_csv_rows(&o, r, mem_write, &m), TS_OK);
	csv_table t;
	assert_int_equal(csv_parse(m.p, m.len, &t), 0);
	assert_int_equal(t.n_rows, 3); /* header + 2 samples */
	/* header = export_csv_columns; every line has as many fields */
	size_t nc = export_csv_columns(&o, NULL, 0);
	char (*names)[96] = malloc(nc * sizeof *names);
	assert_int_equal(export_csv_columns(&o, names, nc), nc);
	/* 11 base + 3*2 counts + 3 confidence + 5 policies * (6 + 6) */
	assert_int_equal(nc, 11 + 6 + 3 + 5 * 12);
	for (size_t i = 0; i < t.n_rows; i++)
		assert_int_equal(t.n_fields[i], nc);
	for (size_t j = 0; j < nc; j++)
		assert_string_equal(t.rows[0][j], names[j]);
	assert_string_equal(names[11], "tp_03");
	assert_string_equal(names[16], "fn_05");
	col_of(&t, "near_dup_0_9_stop_step");
	col_of(&t, "budget_2_tp_05");
	free(names);

	for (size_t i = 0; i < r->n_rows; i++) {
		const export_row *row = &r->rows[i];
		size_t k = i + 1;
		assert_string_equal(cell(&t, k, "run"), "pol\"icies, test");
		expect_size(&t, k, "line", row->line);
		if (row->has_id)
			expect_size(&t, k, "image_id", (size_t)row->image_id);
		else
			assert_string_equal(cell(&t, k, "image_id"), "");
		assert_string_equal(cell(&t, k, "image"), row->image ? row->image : "");
		expect_size(&t, k, "records", row->records);
		expect_size(&t, k, "duplicates", row->duplicates);
		expect_size(&t, k, "max_repeat", row->max_repeat);
		assert_string_equal(cell(&t, k, "termination"), termination_name(row->term));
		expect_long_or_empty(&t, k, "tail_start", row->tail_start);
		expect_long_or_empty(&t, k, "stop_step", row->stop_step);
		expect_size(&t, k, "steps", row->steps);
		expect_size(&t, k, "tp_03", row->counts[0].tp);
		expect_size(&t, k, "fp_05", row->counts[1].fp);
		expect_double(&t, k, "score", row->score);
		expect_double(&t, k, "p_close_max_before_tail", row->p_close_max);
		expect_double(&t, k, "p_close_at_tail_start", row->p_close_at_tail);
		const char *pt[5] = { "off", "repeat_stop", "budget_2", "near_dup_0_9", "dedup" };
		for (size_t p = 0; p < 5; p++) {
			char c[96];
			snprintf(c, sizeof c, "%s_records", pt[p]);
			expect_size(&t, k, c, row->pol[p].records);
			snprintf(c, sizeof c, "%s_tokens", pt[p]);
			expect_size(&t, k, c, row->pol[p].tokens);
			snprintf(c, sizeof c, "%s_stop_step", pt[p]);
			expect_long_or_empty(&t, k, c, row->pol[p].stop_step);
			snprintf(c, sizeof c, "%s_termination", pt[p]);
			assert_string_equal(cell(&t, k, c), termination_name(row->pol[p].term));
			snprintf(c, sizeof c, "%s_fn_05", pt[p]);
			expect_size(&t, k, c, row->counts[(1 + p) * 2 + 1].fn);
		}
	}
	/* the hand-worked values, as read back */
	assert_string_equal(cell(&t, 2, "image"), "two, \"b\".png");
	assert_string_equal(cell(&t, 1, "near_dup_0_9_stop_step"), "3");
	assert_string_equal(cell(&t, 1, "dedup_stop_step"), "");
	assert_string_equal(cell(&t, 2, "dedup_tp_05"), "2");
	assert_string_equal(cell(&t, 2, "dedup_fp_05"), "0");
	/* raw text: the quoted fields and CRLF endings */
	assert_non_null(strstr(m.p, "\r\n\"pol\"\"icies, test\",1,1,,5,2,3,truncated,3,7,12,3,2,0,3,2,0,"));
	assert_non_null(strstr(m.p, ",\"two, \"\"b\"\".png\",3,1,2,closed,,3,7,"));
	csv_free(&t);
	free(m.p);
	export_run_free(r);
}

static void test_csv_field_quoting(void **state)
{
	(void)state;
	char b[64];
	assert_int_equal(export_csv_field("plain", b, sizeof b), 5);
	assert_string_equal(b, "plain");
	export_csv_field("a,b", b, sizeof b);
	assert_string_equal(b, "\"a,b\"");
	export_csv_field("say \"hi\"", b, sizeof b);
	assert_string_equal(b, "\"say \"\"hi\"\"\"");
	export_csv_field("two\r\nlines", b, sizeof b);
	assert_string_equal(b, "\"two\r\nlines\"");
	export_csv_field(" padded", b, sizeof b);
	assert_string_equal(b, "\" padded\"");
	assert_int_equal(export_csv_field("", b, sizeof b), 0);
	assert_string_equal(b, "");
	/* too small: returns the size needed, like snprintf */
	assert_int_equal(export_csv_field("a\"b", b, 3), 6);
	/* backslash escapes from sanitize() are plain characters */
	export_csv_field("evil\\x1b", b, sizeof b);
	assert_string_equal(b, "evil\\x1b");
}

static void test_json(void **state)
{
	(void)state;
	export_opts o;
	opts_five(&o);
	export_run *r = analyze(&o);
	cJSON *j = export_json(&o, &r, 1, 1);
	assert_non_null(j);
	cJSON *pols = cJSON_GetObjectItemCaseSensitive(j, "policies");
	assert_int_equal(cJSON_GetArraySize(pols), 5);
	cJSON *dd = cJSON_GetArrayItem(pols, 4);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(dd, "name")->valuestring, "dedup");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(dd, "upper_bound")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(pols, 3), "upper_bound")));
	cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "runs"), 0);
	cJSON *nd = cJSON_GetObjectItemCaseSensitive(run, "near_dup:0.9");
	assert_non_null(nd);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(nd, "records")->valueint, 2);
	cJSON *f = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(nd, "f1"), "0.5");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(f, "fn")->valueint, 3);
	cJSON *ap = cJSON_GetObjectItemCaseSensitive(nd, "ap");
	assert_float_equal(cJSON_GetObjectItemCaseSensitive(ap, "ap_pooled")->valuedouble, 41.0 / 101.0, 1e-12);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(ap, "pr_curve"), "precision")), 101);
	cJSON *ddm = cJSON_GetObjectItemCaseSensitive(run, "dedup");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ddm, "upper_bound")));
	cJSON *tp = cJSON_GetObjectItemCaseSensitive(run, "termination_probability");
	assert_float_equal(cJSON_GetObjectItemCaseSensitive(tp, "mean_at_tail_start")->valuedouble, 0.08, 1e-9);
	cJSON *s1 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(run, "samples"), 1);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(s1, "image_id")->valueint, 2);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(s1, "image")->valuestring, "two, \"b\".png");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(s1, "p_close_at_tail_start")));
	cJSON *s1nd = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s1, "policies"), "near_dup:0.9");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(s1nd, "stop_step")->valueint, 3);
	cJSON_Delete(j);
	export_run_free(r);
}

/* The CSV header and the JSON per-sample keys come from one field list: the
 * sample's scalar JSON keys, in order, are the CSV columns without "run",
 * the tp_/fp_/fn_ columns and the per-policy columns (and "image" is left
 * out of JSON when null); each policy's JSON keys are its CSV P_ suffixes. */
static void test_schema_one_list(void **state)
{
	(void)state;
	export_opts o;
	opts_five(&o);
	export_run *r = analyze(&o);
	size_t nc = export_csv_columns(&o, NULL, 0);
	char (*names)[96] = malloc(nc * sizeof *names);
	assert_non_null(names);
	export_csv_columns(&o, names, nc);
	cJSON *j = export_json(&o, &r, 1, 1);
	cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "runs"), 0);
	cJSON *sm, *samples = cJSON_GetObjectItemCaseSensitive(run, "samples");
	size_t checked = 0;
	cJSON_ArrayForEach(sm, samples) {
		cJSON *key = sm->child;
		size_t c = 1;                                  /* after "run" */
		for (; c < nc && strcmp(names[c], "off_records"); c++) {
			if (!strncmp(names[c], "tp_", 3) || !strncmp(names[c], "fp_", 3) ||
			    !strncmp(names[c], "fn_", 3))
				continue;
			if (!strcmp(names[c], "image") && strcmp(key->string, "image"))
				continue;                              /* null: not in JSON */
			assert_non_null(key);
			assert_string_equal(key->string, names[c]);
			key = key->next;
		}
		assert_string_equal(key->string, "policies");
		assert_null(key->next);
		/* the first policy's keys are the CSV off_* suffixes, counts grouped */
		cJSON *pk = key->child->child;
		for (; c < nc && !strncmp(names[c], "off_", 4); c++) {
			if (!strncmp(names[c] + 4, "tp_", 3) || !strncmp(names[c] + 4, "fp_", 3) ||
			    !strncmp(names[c] + 4, "fn_", 3))
				continue;
			assert_string_equal(pk->string, names[c] + 4);
			pk = pk->next;
		}
		assert_string_equal(pk->string, "counts");
		checked++;
	}
	assert_true(checked >= 2);
	free(names);
	cJSON_Delete(j);
	export_run_free(r);
}

/* ---- several runs at once ---- */

typedef struct th_arg {
	const export_opts *o;
	export_run *r;
} th_arg;

static void *th_main(void *p)
{
	th_arg *a = p;
	if (export_run_analyze(FIXTURE, a->o, NULL, NULL, NULL, &a->r) != TS_OK)
		a->r = NULL;
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	export_opts o;
	opts_five(&o);
	/* a shared, read-only ground truth too */
	gt *g = NULL;
	assert_int_equal(gt_load(FIXTURE "/gt.json", &g, NULL, NULL), TS_OK);
	o.gt_path = FIXTURE "/gt.json";
	o.shared_gt = g;
	enum { N = 4 };
	pthread_t th[N];
	th_arg args[N];
	for (int i = 0; i < N; i++) {
		args[i].o = &o;
		args[i].r = NULL;
		assert_int_equal(pthread_create(&th[i], NULL, th_main, &args[i]), 0);
	}
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < N; i++) {
		export_run *r = args[i].r;
		assert_non_null(r);
		assert_true(r->gt_loaded);
		for (int p = 0; p < 5; p++) {
			assert_int_equal(r->m[p].records, args[0].r->m[p].records);
			assert_int_equal(r->m[p].counts[1].tp, args[0].r->m[p].counts[1].tp);
			assert_true(r->ap[p].ap == args[0].r->ap[p].ap);
		}
		assert_int_equal(r->m[3].records, 2);
	}
	for (int i = 0; i < N; i++)
		export_run_free(args[i].r);
	gt_free(g);
}

static void test_missing_run(void **state)
{
	(void)state;
	export_opts o;
	export_opts_default(&o);
	export_run *r = NULL;
	n_warn = 0;
	assert_int_equal(export_run_analyze("tests/data/report/does-not-exist", &o, count_warn, NULL, NULL, &r), TS_OK);
	assert_non_null(r);
	assert_false(r->opened);
	assert_false(r->usable);
	assert_int_equal(n_warn, 1);
	export_run_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_ap_values),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_csv_round_trip),
		cmocka_unit_test(test_csv_field_quoting),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_schema_one_list),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_missing_run),
	};
	return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
