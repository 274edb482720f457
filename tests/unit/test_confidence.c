/* Record scores, COCO-style AP / PR curve and termination probability, on
 * small cases worked out by hand (each test says how). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <cJSON.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "confidence.h"
#include "records.h"
#include "repeat.h"
#include "trace.h"

/* ---- a tiny trace builder: native container via cJSON ---- */

typedef struct alt_spec {
	const char *text;
	double p; /* probability; logprob = log(p) */
} alt_spec;

typedef struct tok_spec {
	const char *text;
	double p;           /* chosen token probability; 0 = no logprob */
	alt_spec alts[6];   /* terminated by text == NULL */
} tok_spec;

static trace *make_trace(const tok_spec *toks, size_t n, const char *finish)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "image_id", 1);
	cJSON_AddStringToObject(o, "finish_reason", finish);
	cJSON *arr = cJSON_AddArrayToObject(o, "tokens");
	for (size_t i = 0; i < n; i++) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "token", toks[i].text);
		if (toks[i].p > 0)
			cJSON_AddNumberToObject(t, "logprob", log(toks[i].p));
		if (toks[i].alts[0].text) {
			cJSON *tl = cJSON_AddArrayToObject(t, "top_logprobs");
			for (size_t k = 0; k < 6 && toks[i].alts[k].text; k++) {
				cJSON *a = cJSON_CreateObject();
				cJSON_AddStringToObject(a, "token", toks[i].alts[k].text);
				cJSON_AddNumberToObject(a, "logprob", log(toks[i].alts[k].p));
				cJSON_AddItemToArray(tl, a);
			}
		}
		cJSON_AddItemToArray(arr, t);
	}
	char *line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	trace *tr = NULL;
	ts_error err;
	assert_int_equal(trace_parse_line(line, strlen(line), NULL, &tr, &err), TS_OK);
	free(line);
	return tr;
}

/* Parses the trace's steps into records (as sample.c does). */
static recparse *parse_records(const trace *t, int stopped)
{
	recparse *p = recparse_new(NULL);
	const trace_step *st = trace_steps(t);
	for (size_t i = 0; i < trace_n_steps(t); i++)
		assert_int_equal(recparse_feed(p, trace_text(t) + st[i].off, st[i].len, (uint32_t)i), TS_OK);
	recparse_finish(p, (uint32_t)(trace_n_steps(t) - 1), stopped);
	return p;
}

/* ---- record scores ---- */

/* steps: "[" p=.5, "{\"bbox_2d\": [1, 2, 3, 4], " p=e^-0.2, "\"label\": \"a\"}" p=e^-0.4,
 * "," no logprob, "{\"bbox_2d\": [5, 6, 7, 8], \"label\": \"b\"}" p=e^-1, "]" p=1.
 * record 0 spans steps 1..2: mean (-0.2-0.4)/2 = -0.3, min -0.4;
 * record 1 is step 4: mean = min = -1. */
static void test_record_scores(void **state)
{
	(void)state;
	tok_spec toks[] = {
		{ "[", 0.5, { { NULL, 0 } } },
		{ "{\"bbox_2d\": [1, 2, 3, 4], ", exp(-0.2), { { NULL, 0 } } },
		{ "\"label\": \"a\"}", exp(-0.4), { { NULL, 0 } } },
		{ ",", 0, { { NULL, 0 } } },
		{ "{\"bbox_2d\": [5, 6, 7, 8], \"label\": \"b\"}", exp(-1.0), { { NULL, 0 } } },
		{ "]", 1.0, { { NULL, 0 } } },
	};
	trace *t = make_trace(toks, 6, "stop");
	recparse *p = parse_records(t, 1);
	assert_int_equal(recparse_count(p), 2);
	const record *r = recparse_records(p);
	assert_int_equal(r[0].first_step, 1);
	assert_int_equal(r[0].last_step, 2);
	assert_float_equal(conf_record_score(t, &r[0], CONF_SCORE_MEAN), -0.3, 1e-12);
	assert_float_equal(conf_record_score(t, &r[0], CONF_SCORE_MIN), -0.4, 1e-12);
	assert_float_equal(conf_record_score(t, &r[1], CONF_SCORE_MEAN), -1.0, 1e-12);
	assert_float_equal(conf_record_score(t, &r[1], CONF_SCORE_MIN), -1.0, 1e-12);
	/* a record on the step without logprob only: NAN; outside the trace: NAN */
	record x = r[1];
	x.first_step = x.last_step = 3;
	assert_true(isnan(conf_record_score(t, &x, CONF_SCORE_MEAN)));
	x.first_step = x.last_step = 99;
	assert_true(isnan(conf_record_score(t, &x, CONF_SCORE_MIN)));
	/* steps 3..4: the NAN step is skipped: -1 */
	x.first_step = 3;
	x.last_step = 4;
	assert_float_equal(conf_record_score(t, &x, CONF_SCORE_MEAN), -1.0, 1e-12);

	conf_score_kind k;
	ts_error err;
	assert_int_equal(conf_score_parse("min", &k, &err), TS_OK);
	assert_int_equal(k, CONF_SCORE_MIN);
	assert_string_equal(conf_score_name(k), "min");
	assert_int_equal(conf_score_parse("median", &k, &err), TS_ERR_USAGE);
	recparse_free(p);
	trace_free(t);
}

/* ---- AP ---- */

static gt_ann ann(int cat, double x, double y, double w, double h, int crowd)
{
	gt_ann a;
	memset(&a, 0, sizeof a);
	a.cat = cat;
	a.bbox[0] = x; a.bbox[1] = y; a.bbox[2] = w; a.bbox[3] = h;
	a.iscrowd = crowd;
	return a;
}

static metrics_det det(int cat, double x1, double y1, double x2, double y2)
{
	metrics_det d = { { x1, y1, x2, y2 }, cat, 0 };
	return d;
}

#define ONE (1.0 / (1.0 + DBL_EPSILON)) /* precision 1 as COCOeval computes it */

/* One image; category 0 has g0 [0,0,10,10] and g1 [20,0,10,10], category 1
 * has g2 [0,20,10,10] (x,y,w,h).  Detections (output order, score):
 *   d0 cat0 [0,0,10,10]   -0.5   -> g0
 *   d1 cat0 [50,50,60,60] -0.1   -> FP
 *   d2 cat0 [20,0,30,10]  -0.3   -> g1
 *   d3 cat1 [0,20,10,30]  -0.2   -> g2
 *   d4 unknown label      -0.05  -> FP (pooled only)
 * Category 0 ranked: d1 FP, d2 TP, d0 TP; npig 2: recall 0, .5, 1; precision
 *   0, 1/2, 2/3 -> made non-increasing from the end: 2/3, 2/3, 2/3; every
 *   recall threshold lands on one of them: AP0 = 2/3.
 * Category 1: d3 TP, npig 1: AP1 = 1.  ap = (2/3 + 1) / 2 = 5/6.
 * Pooled: d4 FP, d1 FP, d3 TP, d2 TP, d0 TP; npig 3: precision 0, 0, 1/3,
 *   1/2, 3/5 -> all 3/5 after interpolation: ap_pooled = 0.6, recall_max 1. */
static void test_ap_by_hand(void **state)
{
	(void)state;
	gt_ann g[3] = { ann(0, 0, 0, 10, 10, 0), ann(0, 20, 0, 10, 10, 0), ann(1, 0, 20, 10, 10, 0) };
	metrics_det d[5] = { det(0, 0, 0, 10, 10), det(0, 50, 50, 60, 60), det(0, 20, 0, 30, 10),
	                     det(1, 0, 20, 10, 30), det(-1, 0, 0, 5, 5) };
	double sc[5] = { -0.5, -0.1, -0.3, -0.2, -0.05 };
	conf_ap *a = conf_ap_new(0.5);
	assert_non_null(a);
	assert_int_equal(conf_ap_add_image(a, 1, d, sc, 5, g, 3), TS_OK);
	conf_ap_result r;
	ts_error err;
	assert_int_equal(conf_ap_compute(a, &r, &err), TS_OK);
	assert_int_equal(r.n_categories, 2);
	assert_float_equal(r.ap, (2.0 / 3.0 + 1.0) / 2.0, 1e-12);
	assert_float_equal(r.ap_pooled, 0.6, 1e-12);
	assert_int_equal(r.n_det, 5);
	assert_int_equal(r.n_gt, 3);
	assert_int_equal(r.tp, 3);
	assert_float_equal(r.recall_max, 1.0, 1e-15);
	for (int i = 0; i < CONF_N_RECALL; i++)
		assert_float_equal(r.precision[i], 0.6, 1e-12);
	assert_true(r.recall[100] == 1.0);
	assert_true(r.recall[7] == 7 * 0.01);
	conf_ap_free(a);
}

/* Exact duplicates and AP.  One image, category 0: g0 [0,0,10,10], g1
 * [20,0,10,10].  d0 [0,0,10,10] TP, d1 = d0 again (g0 taken, g1 IoU 0: FP),
 * d2 [20,0,30,10] TP.
 * a) duplicate scored between the two hits (-0.1, -0.2, -0.3): ranked TP FP TP,
 *    recall .5 .5 1, precision 1 .5 2/3 -> 1 2/3 2/3; thresholds 0..0.50 (51 of
 *    them; 50*0.01 == 0.5) take 1, 0.51..1 (50) take 2/3:
 *    AP = (51 + 50*2/3) / 101 = 0.834983...
 * b) duplicate scored last (-0.1, -0.5, -0.3): ranked TP TP FP, precision
 *    1 1 2/3 -> every threshold is reached by the second TP: AP = 1 (the
 *    "duplicates after a correct box leave AP50 at 1.0" case).
 * c) without the duplicate: AP = 1. */
static void test_ap_duplicates_lower_precision(void **state)
{
	(void)state;
	gt_ann g[2] = { ann(0, 0, 0, 10, 10, 0), ann(0, 20, 0, 10, 10, 0) };
	metrics_det d[3] = { det(0, 0, 0, 10, 10), det(0, 0, 0, 10, 10), det(0, 20, 0, 30, 10) };
	double sa[3] = { -0.1, -0.2, -0.3 }, sb[3] = { -0.1, -0.5, -0.3 };
	conf_ap_result r;
	ts_error err;

	conf_ap *a = conf_ap_new(0.5);
	assert_int_equal(conf_ap_add_image(a, 7, d, sa, 3, g, 2), TS_OK);
	assert_int_equal(conf_ap_compute(a, &r, &err), TS_OK);
	assert_float_equal(r.ap, (51.0 * ONE + 50.0 * (2.0 / 3.0)) / 101.0, 1e-12);
	assert_float_equal(r.ap, 0.834983498349835, 1e-9);
	assert_float_equal(r.ap_pooled, r.ap, 1e-15);
	assert_float_equal(r.precision[50], ONE, 1e-15);
	assert_float_equal(r.precision[51], 2.0 / 3.0, 1e-12);
	conf_ap_free(a);

	a = conf_ap_new(0.5);
	assert_int_equal(conf_ap_add_image(a, 7, d, sb, 3, g, 2), TS_OK);
	assert_int_equal(conf_ap_compute(a, &r, &err), TS_OK);
	assert_float_equal(r.ap, 1.0, 1e-12);
	conf_ap_free(a);

	metrics_det d2[2] = { d[0], d[2] };
	double s2[2] = { -0.1, -0.3 };
	a = conf_ap_new(0.5);
	assert_int_equal(conf_ap_add_image(a, 7, d2, s2, 2, g, 2), TS_OK);
	assert_int_equal(conf_ap_compute(a, &r, &err), TS_OK);
	assert_float_equal(r.ap, 1.0, 1e-12);
	conf_ap_free(a);
}

/* conf_ap_add_image_known: the caller's states stand for the ranked match
 * only when the scores rank the dets in output order.  The image of the
 * duplicates test: output-order match TP, FP, TP (by hand above).
 * a) scores -0.1 -0.2 -0.3 (output order) with those states: AP 0.834983...
 *    as matched; with states all FP the states are taken as given: no TP,
 *    AP 0 (the skipped match is what the fast path saves).
 * b) scores -0.1 -0.5 -0.3 (not output order) with states all FP: ignored,
 *    the image is matched in score order: AP 1 as in the test above. */
static void test_ap_known_states(void **state)
{
	(void)state;
	gt_ann g[2] = { ann(0, 0, 0, 10, 10, 0), ann(0, 20, 0, 10, 10, 0) };
	metrics_det d[3] = { det(0, 0, 0, 10, 10), det(0, 0, 0, 10, 10), det(0, 20, 0, 30, 10) };
	double sa[3] = { -0.1, -0.2, -0.3 }, sb[3] = { -0.1, -0.5, -0.3 };
	match_state ok[3] = { MATCH_TP, MATCH_FP, MATCH_TP }, bad[3] = { MATCH_FP, MATCH_FP, MATCH_FP };
	conf_ap_result r;
	ts_error err;

	conf_ap *a = conf_ap_new(0.5);
	assert_int_equal(conf_ap_add_image_known(a, 7, d, sa, 3, g, 2, ok), TS_OK);
	assert_int_equal(conf_ap_compute(a, &r, &err), TS_OK);
	assert_float_equal(r.ap, 0.834983498349835, 1e-9);
	assert_int_equal(r.tp, 2);
	conf_ap_free(a);

	a = conf_ap_new(0.5);
	assert_int_equal(conf_ap_add_image_known(a, 7, d, sa, 3, g, 2, bad), TS_OK);
	assert_int_equal(conf_ap_compute(a, &r, &err), TS_OK);
	assert_int_equal(r.tp, 0);
	assert_float_equal(r.ap, 0.0, 1e-15);
	conf_ap_free(a);

	a = conf_ap_new(0.5);
	assert_int_equal(conf_ap_add_image_known(a, 7, d, sb, 3, g, 2, bad), TS_OK);
	assert_int_equal(conf_ap_compute(a, &r, &err), TS_OK);
	assert_int_equal(r.tp, 2);
	assert_float_equal(r.ap, 1.0, 1e-12);
	conf_ap_free(a);
}

/* Matching follows score order, not output order.  g0 [0,0,10,10];
 * d0 [0,0,10,8] (IoU 0.8) scored -0.9, d1 [0,0,10,10] (IoU 1) scored -0.1.
 * Score order: d1 takes g0 (TP), d0 is FP: ranked TP FP -> AP 1.
 * (Matching in output order would rank d1 as FP first: AP 0.5.) */
static void test_ap_matches_in_score_order(void **state)
{
	(void)state;
	gt_ann g[1] = { ann(0, 0, 0, 10, 10, 0) };
	metrics_det d[2] = { det(0, 0, 0, 10, 8), det(0, 0, 0, 10, 10) };
	double s[2] = { -0.9, -0.1 };
	conf_ap *a = conf_ap_new(0.5);
	assert_int_equal(conf_ap_add_image(a, 1, d, s, 2, g, 1), TS_OK);
	conf_ap_result r;
	assert_int_equal(conf_ap_compute(a, &r, NULL), TS_OK);
	assert_float_equal(r.ap, 1.0, 1e-12);
	conf_ap_free(a);
}

/* Crowd and ties.
 * Image 3: category 0 crowd box [0,0,100,100] and g [200,200,10,10]; a
 *   detection inside the crowd box is ignored (not ranked at all), the other
 *   is a TP: n_det 1, AP 1.
 * Ties across images: image 5 is added first with an FP scored -0.5, image 4
 *   second with a TP scored -0.5 (npig 1, on image 4).  COCOeval ranks tied
 *   scores by ascending image id: TP then FP -> AP 1 (addition order would
 *   give FP then TP -> 0.5).  NAN scores tie at the bottom. */
static void test_ap_crowd_and_ties(void **state)
{
	(void)state;
	gt_ann g[2] = { ann(0, 0, 0, 100, 100, 1), ann(0, 200, 200, 10, 10, 0) };
	metrics_det d[2] = { det(0, 10, 10, 20, 20), det(0, 200, 200, 210, 210) };
	double s[2] = { -0.1, -0.2 };
	conf_ap *a = conf_ap_new(0.5);
	assert_int_equal(conf_ap_add_image(a, 3, d, s, 2, g, 2), TS_OK);
	conf_ap_result r;
	assert_int_equal(conf_ap_compute(a, &r, NULL), TS_OK);
	assert_int_equal(r.n_det, 1);
	assert_int_equal(r.n_gt, 1);
	assert_float_equal(r.ap, 1.0, 1e-12);
	conf_ap_free(a);

	gt_ann g4[1] = { ann(0, 0, 0, 10, 10, 0) };
	metrics_det fp = det(0, 50, 50, 60, 60), tp = det(0, 0, 0, 10, 10);
	double tie = -0.5, nan_s = NAN;
	a = conf_ap_new(0.5);
	assert_int_equal(conf_ap_add_image(a, 5, &fp, &tie, 1, NULL, 0), TS_OK);
	assert_int_equal(conf_ap_add_image(a, 4, &tp, &tie, 1, g4, 1), TS_OK);
	assert_int_equal(conf_ap_compute(a, &r, NULL), TS_OK);
	assert_float_equal(r.ap, 1.0, 1e-12);
	conf_ap_free(a);

	/* NAN scores: image 5's FP is NAN (bottom), image 4's TP too: the tie is
	 * again broken by image id: AP 1.  With the TP at -0.5 and the FP NAN:
	 * TP first: AP 1. */
	a = conf_ap_new(0.5);
	assert_int_equal(conf_ap_add_image(a, 5, &fp, &nan_s, 1, NULL, 0), TS_OK);
	assert_int_equal(conf_ap_add_image(a, 4, &tp, &nan_s, 1, g4, 1), TS_OK);
	assert_int_equal(conf_ap_compute(a, &r, NULL), TS_OK);
	assert_float_equal(r.ap, 1.0, 1e-12);
	conf_ap_free(a);

	/* A category with ground truth but no detection scores 0 and counts in
	 * the mean: category 0 AP 1 (above) + category 1 AP 0 -> 0.5. */
	gt_ann g2[2] = { ann(0, 0, 0, 10, 10, 0), ann(1, 30, 30, 10, 10, 0) };
	a = conf_ap_new(0.5);
	assert_int_equal(conf_ap_add_image(a, 4, &tp, &tie, 1, g2, 2), TS_OK);
	assert_int_equal(conf_ap_compute(a, &r, NULL), TS_OK);
	assert_int_equal(r.n_categories, 2);
	assert_float_equal(r.ap, 0.5, 1e-12);
	/* pooled: TP, npig 2: recall .5 max: thresholds 0..0.5 (51) -> 1: 51/101 */
	assert_float_equal(r.ap_pooled, 51.0 * ONE / 101.0, 1e-12);
	assert_float_equal(r.recall_max, 0.5, 1e-15);
	assert_float_equal(r.precision[51], 0.0, 0.0);
	conf_ap_free(a);

	/* No ground truth at all: NAN */
	a = conf_ap_new(0.5);
	assert_int_equal(conf_ap_add_image(a, 4, &tp, &tie, 1, NULL, 0), TS_OK);
	assert_int_equal(conf_ap_compute(a, &r, NULL), TS_OK);
	assert_true(isnan(r.ap));
	assert_true(isnan(r.ap_pooled));
	conf_ap_free(a);
}

/* The recall thresholds are np.linspace's i*0.01, not i/100: 35 hits among
 * 100 boxes give recall 35/100 = 0.35 < 35*0.01 = 0.35000000000000003, so the
 * threshold 0.35 is not reached: 35 thresholds (0..0.34) at precision 1:
 * AP = 35/101 (with i/100 it would be 36/101). */
static void test_ap_recall_thresholds_like_numpy(void **state)
{
	(void)state;
	unsigned char tp[40];
	memset(tp, 1, 35);
	memset(tp + 35, 0, 5);
	double prec[CONF_N_RECALL];
	assert_true(35.0 / 100.0 < 35 * 0.01);
	assert_float_equal(conf_ap_ranked(tp, 40, 100, prec), 35.0 * ONE / 101.0, 1e-12);
	assert_float_equal(prec[34], ONE, 1e-15);
	assert_float_equal(prec[35], 0.0, 0.0);
	/* 0 detections: 0; npig 0: NAN */
	assert_float_equal(conf_ap_ranked(tp, 0, 3, NULL), 0.0, 0.0);
	assert_true(isnan(conf_ap_ranked(tp, 3, 0, NULL)));
}

/* ---- termination probability ---- */

#define END_TOK(s, n, tagged) conf_is_end_token(s, n, tagged, NULL)

static void test_end_tokens(void **state)
{
	(void)state;
	assert_true(END_TOK("]", 1, 0));
	assert_true(END_TOK("  ]", 3, 0));
	assert_true(END_TOK("\n]\n", 3, 0));
	assert_true(END_TOK("]}", 2, 0));
	assert_false(END_TOK("x]", 2, 0));
	assert_false(END_TOK(",", 1, 0));
	assert_true(END_TOK("<eos>", 5, 0));
	assert_true(END_TOK("<|im_end|>", 10, 0));
	assert_true(END_TOK("<end_of_turn>", 13, 0));
	assert_true(END_TOK("</s>", 4, 0));
	assert_true(END_TOK("<|endoftext|>", 13, 0));
	assert_false(END_TOK("<eos> ", 6, 0));
	assert_true(END_TOK("", 0, 0));
	assert_true(END_TOK("\n```", 4, 0));
	/* loc lists: EOS-like only */
	assert_false(END_TOK("]", 1, 1));
	assert_false(END_TOK("```", 3, 1));
	assert_true(END_TOK("<eos>", 5, 1));
	assert_true(END_TOK("", 0, 1));
}

#define REC_A "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}"
#define REC_B "{\"bbox_2d\": [5, 6, 7, 8], \"label\": \"b\"}"

/* JSON list A B B B, truncated:
 *   step 1 completes A; step 2 ", " alternatives ", " .7, "]" .2, " ]" .05,
 *     "<|im_end|>" .03, "x" .02  -> P0 = .2 + .05 + .03 = 0.28
 *   step 3 completes B; step 4 ", " alternatives "]" .06, "<eos>" .01 (the
 *     chosen ", " is not listed and does not end the list) -> P1 = 0.07
 *   step 5..6: B again, completed by the merged token "\"}," at step 6:
 *     the decision is in that token: alternatives "\"}," .5, "\"}]" .4,
 *     "\"}" .1 -> "}]" ends the list, and so does "}" (nothing after the
 *     brace: it declined the comma offered in the same step) -> P2 = 0.5
 *   step 7 completes B, the trace ends: P3 = NAN
 * tail_start = 2 (B B after the first B): max_before_tail = max(P0, P1) =
 * 0.28 at record 0; at_tail_start = P1 = 0.07; 3 boundaries defined. */
static void test_termination_json(void **state)
{
	(void)state;
	tok_spec toks[] = {
		{ "[", 0.9, { { NULL, 0 } } },
		{ REC_A, 0.9, { { NULL, 0 } } },
		{ ", ", 0.7, { { ", ", 0.7 }, { "]", 0.2 }, { " ]", 0.05 }, { "<|im_end|>", 0.03 }, { "x", 0.02 }, { NULL, 0 } } },
		{ REC_B, 0.9, { { NULL, 0 } } },
		{ ", ", 0.9, { { "]", 0.06 }, { "<eos>", 0.01 }, { NULL, 0 } } },
		{ "{\"bbox_2d\": [5, 6, 7, 8], \"label\": \"b", 0.9, { { NULL, 0 } } },
		{ "\"},", 0.5, { { "\"},", 0.5 }, { "\"}]", 0.4 }, { "\"}", 0.1 }, { NULL, 0 } } },
		{ " " REC_B, 0.9, { { NULL, 0 } } },
	};
	trace *t = make_trace(toks, 8, "length");
	recparse *p = parse_records(t, 0);
	assert_int_equal(recparse_count(p), 4);
	const record *r = recparse_records(p);
	assert_int_equal(r[2].last_step, 6);
	repeat_stats st;
	repeat_analyze(r, 4, &st, NULL, NULL, NULL);
	assert_int_equal(st.tail_start, 2);
	double probs[4];
	conf_term ct;
	conf_termination(t, r, 4, st.tail_start, NULL, probs, &ct);
	assert_float_equal(probs[0], 0.28, 1e-12);
	assert_float_equal(probs[1], 0.07, 1e-12);
	assert_float_equal(probs[2], 0.5, 1e-12);
	assert_true(isnan(probs[3]));
	assert_float_equal(ct.max_before_tail, 0.28, 1e-12);
	assert_int_equal(ct.argmax, 0);
	assert_float_equal(ct.at_tail_start, 0.07, 1e-12);
	assert_int_equal(ct.n_defined, 3);
	/* without a tail, every boundary counts: max 0.5 at record 2 */
	conf_termination(t, r, 4, -1, NULL, NULL, &ct);
	assert_float_equal(ct.max_before_tail, 0.5, 1e-12);
	assert_int_equal(ct.argmax, 2);
	assert_true(isnan(ct.at_tail_start));
	recparse_free(p);
	trace_free(t);
}

/* A clean JSON list closed by "]" that is the chosen token but not among the
 * alternatives (", " .6 listed only): P = .3 (the chosen token's own
 * probability).  A step without alternatives: NAN. */
static void test_termination_chosen_not_listed(void **state)
{
	(void)state;
	tok_spec toks[] = {
		{ "[", 0.9, { { NULL, 0 } } },
		{ REC_A, 0.9, { { NULL, 0 } } },
		{ "]", 0.3, { { ", ", 0.6 }, { NULL, 0 } } },
	};
	trace *t = make_trace(toks, 3, "stop");
	recparse *p = parse_records(t, 1);
	const record *r = recparse_records(p);
	assert_float_equal(conf_close_prob(t, &r[0], NULL), 0.3, 1e-12);
	record q = r[0];
	q.last_step = 0; /* the decision would be step 1: no alternatives */
	assert_true(isnan(conf_close_prob(t, &q, NULL)));
	q.last_step = 2; /* the trace ends */
	assert_true(isnan(conf_close_prob(t, &q, NULL)));
	q.last_step = 3; /* outside the trace */
	assert_true(isnan(conf_close_prob(t, &q, NULL)));
	recparse_free(p);
	trace_free(t);
}

/* PaliGemma loc list: "<loc0100><loc0200><loc0300><loc0400>", " cat", " ;"
 * completes record 0 at step 2, which is the decision (the label ends at
 * " ;" or at EOS): alternatives " ;" .5, "<eos>" .3, "]" .1, "" .05 -> only
 * EOS tokens count: .3 + .05 = 0.35.  The last record ends the stream at
 * step 5, which has no alternatives: NAN. */
static void test_termination_loc(void **state)
{
	(void)state;
	tok_spec toks[] = {
		{ "<loc0100><loc0200><loc0300><loc0400>", 0.9, { { NULL, 0 } } },
		{ " cat", 0.9, { { NULL, 0 } } },
		{ " ;", 0.5, { { " ;", 0.5 }, { "<eos>", 0.3 }, { "]", 0.1 }, { "", 0.05 }, { NULL, 0 } } },
		{ " <loc0100>", 0.5, { { " <loc0100>", 0.5 }, { "<eos>", 0.4 }, { NULL, 0 } } },
		{ "<loc0200><loc0300><loc0400>", 0.9, { { NULL, 0 } } },
		{ " dog", 0.9, { { NULL, 0 } } },
	};
	trace *t = make_trace(toks, 6, "stop");
	recparse *p = parse_records(t, 1);
	assert_int_equal(recparse_count(p), 2);
	const record *r = recparse_records(p);
	assert_int_equal(r[0].key, REC_KEY_LOC);
	assert_int_equal(r[0].last_step, 2);
	double probs[2];
	conf_term ct;
	conf_termination(t, r, 2, -1, NULL, probs, &ct);
	assert_float_equal(probs[0], 0.35, 1e-12);
	assert_true(isnan(probs[1]));
	assert_float_equal(ct.max_before_tail, 0.35, 1e-12);
	recparse_free(p);
	trace_free(t);
}

/* ---- P(close) on files: every syntax by hand, and real decoding ---- */

/* assert_float_equal passes on NAN: this one does not. */
#define assert_p(v, want)                                                   \
	do {                                                                \
		double v_ = (v);                                            \
		assert_false(isnan(v_));                                    \
		assert_true(fabs(v_ - (want)) <= 1e-12);                    \
	} while (0)

/* Line `lineno` (1-based) of a JSONL file, parsed. */
static trace *load_line(const char *path, size_t lineno)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len = -1;
	for (size_t i = 0; i < lineno; i++)
		len = getline(&line, &cap, f);
	fclose(f);
	assert_true(len > 0);
	trace *t = NULL;
	ts_error err;
	assert_int_equal(trace_parse_line(line, (size_t)len, NULL, &t, &err), TS_OK);
	free(line);
	return t;
}

/* tests/data/syntaxes/pclose (make.py): per syntax, records A B B whose
 * decision steps offer an ending token with 0.3, 0.2, 0.1; the tail starts
 * at record 2 (0-based): at tail start 0.2, max before tail 0.3 at record
 * 0.  Line 11 ends with a custom EOS that only its run.json declares. */
static void test_pclose_every_syntax(void **state)
{
	(void)state;
	static const char *const names[] = { "json", "json", "json", "loc", "qwen2vl", "ref-box",
	                                     "deepseek", "kosmos2", "florence2", "molmo", "bbox_2d" };
	const char *const mine[] = { "<|my_stop|>" };
	conf_eos eos = { mine, 1 };
	for (size_t l = 1; l <= 11; l++) {
		trace *t = load_line("tests/data/syntaxes/pclose/traces.jsonl", l);
		recparse *p = parse_records(t, 1);
		assert_int_equal(recparse_count(p), 3);
		const record *r = recparse_records(p);
		if (strcmp(names[l - 1], "json"))
			assert_string_equal(rec_key_name(r[0].key), names[l - 1]);
		repeat_stats st;
		repeat_analyze(r, 3, &st, NULL, NULL, NULL);
		assert_int_equal(st.tail_start, 2);
		double probs[3];
		conf_term ct;
		conf_termination(t, r, 3, st.tail_start, &eos, probs, &ct);
		assert_p(probs[0], 0.3);
		assert_p(probs[1], 0.2);
		assert_p(probs[2], 0.1);
		assert_p(ct.at_tail_start, 0.2);
		assert_p(ct.max_before_tail, 0.3);
		assert_int_equal(ct.argmax, 0);
		if (l == 11) { /* undeclared, "<|my_stop|>" ends nothing */
			assert_p(conf_close_prob(t, &r[0], NULL), 0.0);
			assert_p(conf_close_prob(t, &r[2], NULL), 0.0);
		}
		recparse_free(p);
		trace_free(t);
	}
}

/* Real decoding (tests/data/realmodel, lines copied from
 * ../shared/realmodel): the values tests/pclose_ref.py computes from the
 * raw JSON, independently of this code (python3 tests/pclose_ref.py
 * tests/data/realmodel/dense2-final/traces.jsonl). */
static void test_pclose_real_model(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		size_t line, n;
		long tail;
		double p[6];
	} cases[] = {
		{ "tests/data/realmodel/dense2-final/traces.jsonl", 1, 6, -1,
		  { 3.473370558333705e-05, 0.0020764408099898943, 0.008429650221000132, 0.023952082665796768,
		    0.1764531282852288, 0.5810607305314481 } },
		{ "tests/data/realmodel/dense2-final/traces.jsonl", 4, 5, 3,
		  { 0.00011988231556639862, 0.0001879001224253182, 0.00034354240642209635,
		    0.0020989879058983456, 0.8471309430481909 } },
		{ "tests/data/realmodel/dense2-final/traces.jsonl", 5, 5, 4,
		  { 7.854805145494928e-05, 0.00015104994715238633, 0.002021531270589751, 0.0014429004352668148,
		    0.5206381543092018 } },
		{ "tests/data/realmodel/dense2-early/traces.jsonl", 2, 5, -1,
		  { 0.0010955486401062256, 0.004773860367628751, 0.23621804051561368, 0.336586535335394,
		    0.6991429858095082 } },
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		trace *t = load_line(cases[c].file, cases[c].line);
		recparse *p = parse_records(t, trace_get_finish(t) == TRACE_FINISH_STOP);
		assert_int_equal(recparse_count(p), cases[c].n);
		const record *r = recparse_records(p);
		repeat_stats st;
		repeat_analyze(r, cases[c].n, &st, NULL, NULL, NULL);
		assert_int_equal(st.tail_start, cases[c].tail);
		for (size_t i = 0; i < cases[c].n; i++) {
			double v = conf_close_prob(t, &r[i], NULL);
			assert_false(isnan(v));
			assert_true(fabs(v - cases[c].p[i]) <= 1e-12 * (1 + cases[c].p[i]));
		}
		recparse_free(p);
		trace_free(t);
	}
}

/* Per run: three samples, (tail, max .28, at .07), (tail, both NAN), (no
 * tail, max .9): tails 2, means over the defined ones: .28 and .07. */
static void test_termination_run(void **state)
{
	(void)state;
	conf_term_run r;
	conf_term_run_init(&r);
	conf_term a = { 0.28, 0, 0.07, 3 }, b = { NAN, -1, NAN, 0 }, c = { 0.9, 1, NAN, 2 };
	conf_term_run_add(&r, &a, 1);
	conf_term_run_add(&r, &b, 1);
	conf_term_run_add(&r, &c, 0);
	conf_term_run_finish(&r);
	assert_int_equal(r.samples, 3);
	assert_int_equal(r.tails, 2);
	assert_int_equal(r.tails_max_defined, 1);
	assert_float_equal(r.mean_max_before_tail, 0.28, 1e-15);
	assert_float_equal(r.mean_at_tail_start, 0.07, 1e-15);
	conf_term_run_init(&r);
	conf_term_run_finish(&r);
	assert_true(isnan(r.mean_max_before_tail));
}

/* conf_eos_tail: the trailing EOS texts of a text-only trace, counted by
 * hand (strlen of each EOS text of the list in confidence.h). */
static void test_eos_tail(void **state)
{
	(void)state;
	const char *own[] = { "<|my_stop|>" };
	conf_eos ex = { own, 1 };
	assert_int_equal(conf_eos_tail("dog<eos>", 8, NULL), 5);
	assert_int_equal(conf_eos_tail("dog<end_of_turn><eos>", 21, NULL), 13 + 5);
	assert_int_equal(conf_eos_tail("dog<|my_stop|>", 14, NULL), 0);
	assert_int_equal(conf_eos_tail("dog<|my_stop|>", 14, &ex), 11);
	assert_int_equal(conf_eos_tail("<eos>dog", 8, NULL), 0);
	assert_int_equal(conf_eos_tail("dog", 3, NULL), 0);
	assert_int_equal(conf_eos_tail("<eos>", 5, NULL), 5);
	assert_int_equal(conf_eos_tail("", 0, NULL), 0);
	/* "<|end|>" and "<|end_of_text|>" both listed: the longer one ends it */
	assert_int_equal(conf_eos_tail("x<|end_of_text|>", 16, NULL), 15);
	/* conf_is_eos keeps its exact-text rule */
	assert_true(conf_is_eos("<eos>", 5, NULL));
	assert_false(conf_is_eos(" <eos>", 6, NULL));
	assert_false(conf_is_eos("s>", 2, NULL));
	assert_true(conf_is_eos("", 0, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_scores),
		cmocka_unit_test(test_ap_by_hand),
		cmocka_unit_test(test_ap_duplicates_lower_precision),
		cmocka_unit_test(test_ap_known_states),
		cmocka_unit_test(test_ap_matches_in_score_order),
		cmocka_unit_test(test_ap_crowd_and_ties),
		cmocka_unit_test(test_ap_recall_thresholds_like_numpy),
		cmocka_unit_test(test_end_tokens),
		cmocka_unit_test(test_eos_tail),
		cmocka_unit_test(test_termination_json),
		cmocka_unit_test(test_termination_chosen_not_listed),
		cmocka_unit_test(test_termination_loc),
		cmocka_unit_test(test_termination_run),
		cmocka_unit_test(test_pclose_every_syntax),
		cmocka_unit_test(test_pclose_real_model),
	};
	return cmocka_run_group_tests_name("confidence", tests, NULL, NULL);
}
