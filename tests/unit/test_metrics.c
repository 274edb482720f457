/* test_metrics.c — IoU, evaluateImg-style class-aware matching, P/R/F1.
 *
 * Boxes: detections are x1,y1,x2,y2; ground truth is x,y,w,h.  Every
 * expected value is worked out in the comment next to it.
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

#include "metrics.h"

#define assert_dbl(a, b, eps)                                                                  \
	do {                                                                                   \
		double a_ = (a), b_ = (b);                                                     \
		if (!(fabs(a_ - b_) <= (eps)))                                                 \
			fail_msg("%s = %.17g, expected %.17g", #a, a_, b_);                    \
	} while (0)

static gt_ann ann(int cat, double x, double y, double w, double h, int crowd)
{
	gt_ann a;
	memset(&a, 0, sizeof a);
	a.cat = cat;
	a.bbox[0] = x;
	a.bbox[1] = y;
	a.bbox[2] = w;
	a.bbox[3] = h;
	a.iscrowd = crowd;
	return a;
}

static metrics_det det(int cat, double x1, double y1, double x2, double y2)
{
	metrics_det d;
	d.cat = cat;
	d.point = 0;
	d.box[0] = x1;
	d.box[1] = y1;
	d.box[2] = x2;
	d.box[3] = y2;
	return d;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void expect_counts(const metrics_counts *c, size_t tp, size_t fp, size_t fn)
{
	if (c->tp != tp || c->fp != fp || c->fn != fn)
		fail_msg("counts tp=%zu fp=%zu fn=%zu, expected tp=%zu fp=%zu fn=%zu",
		         c->tp, c->fp, c->fn, tp, fp, fn);
}

/* ------------------------------------------------------------------ */

static void test_iou_simple(void **state)
{
	(void)state;
	double a[4] = { 0, 0, 10, 10 }, b[4] = { 5, 0, 10, 10 };
	/* overlap 5 x 10 = 50; union 100 + 100 - 50 = 150 */
	assert_true(metrics_iou_xywh(a, b, 0) == 50.0 / 150.0);
	assert_true(metrics_iou_xywh(b, a, 0) == 50.0 / 150.0);
	/* identical: 1 */
	assert_true(metrics_iou_xywh(a, a, 0) == 1.0);
	/* touching edges (x 0..10 and 10..15): overlap width 0 -> 0 */
	double c[4] = { 10, 0, 5, 5 };
	assert_true(metrics_iou_xywh(a, c, 0) == 0.0);
	/* apart in y only: overlap height <= 0 -> 0 */
	double d[4] = { 0, 20, 10, 10 };
	assert_true(metrics_iou_xywh(a, d, 0) == 0.0);
	/* contained [2,2,4,4] in a: 16 / (16 + 100 - 16) = 0.16 */
	double e[4] = { 2, 2, 4, 4 };
	assert_true(metrics_iou_xywh(e, a, 0) == 16.0 / 100.0);
	/* continuous, no +1: [0,0,1,1] vs [0.5,0.5,1,1]: 0.25 / (1 + 1 - 0.25) = 1/7 */
	double f[4] = { 0, 0, 1, 1 }, g[4] = { 0.5, 0.5, 1, 1 };
	assert_dbl(metrics_iou_xywh(f, g, 0), 1.0 / 7.0, 1e-15);
	/* zero-area box: overlap width 0 -> 0 */
	double z[4] = { 3, 3, 0, 5 };
	assert_true(metrics_iou_xywh(z, a, 0) == 0.0);
	/* negative width (a det with x2 < x1) never overlaps */
	double neg[4] = { 8, 0, -5, 10 };
	assert_true(metrics_iou_xywh(neg, a, 0) == 0.0);
}

static void test_iou_crowd_and_nonfinite(void **state)
{
	(void)state;
	double dt[4] = { 0, 0, 10, 10 }, crowd[4] = { 5, 0, 100, 100 };
	/* crowd: overlap 5 x 10 = 50 over the first (detection) box's area 100 */
	assert_true(metrics_iou_xywh(dt, crowd, 1) == 0.5);
	/* a small det inside a big crowd box: 16 / 16 = 1 (non-crowd would be 16/10000) */
	double small[4] = { 20, 20, 4, 4 };
	assert_true(metrics_iou_xywh(small, crowd, 1) == 1.0);
	assert_true(metrics_iou_xywh(small, crowd, 0) == 16.0 / 10000.0);

	double inf[4] = { 0, 0, INFINITY, 10 }, nan_[4] = { NAN, 0, 10, 10 };
	assert_true(metrics_iou_xywh(inf, dt, 0) == 0.0);
	assert_true(metrics_iou_xywh(dt, nan_, 0) == 0.0);
	assert_true(metrics_iou_xywh(nan_, dt, 1) == 0.0);
	/* any one coordinate of either box NaN or infinite, on a pair that
	 * overlaps (IoU 25/175 when finite): 0, never NaN */
	const double bad[3] = { NAN, INFINITY, -INFINITY };
	for (int side = 0; side < 2; side++)
		for (int k = 0; k < 4; k++)
			for (int v = 0; v < 3; v++)
				for (int cw = 0; cw < 2; cw++) {
					double p[4] = { 0, 0, 10, 10 }, q[4] = { 5, 5, 10, 10 };
					(side ? q : p)[k] = bad[v];
					assert_true(metrics_iou_xywh(p, q, cw) == 0.0);
				}
	double p5[4] = { 0, 0, 10, 10 }, q5[4] = { 5, 5, 10, 10 };
	assert_true(metrics_iou_xywh(p5, q5, 0) == 25.0 / 175.0);
	/* finite but overflowing areas: 1e200 * 1e200 = inf; inter/union -> 0, never NaN */
	double huge[4] = { 0, 0, 1e200, 1e200 };
	double r = metrics_iou_xywh(huge, huge, 0);
	assert_false(isnan(r));
}

/* IoU exactly t matches (pycocotools: `if ious < iou: continue`). */
static void test_iou_equal_to_threshold(void **state)
{
	(void)state;
	gt_ann g[] = { ann(0, 0, 0, 10, 10, 0) };
	/* det [0,0,20,10]: overlap 100, union 200 + 100 - 100 = 200 -> 0.5 exactly */
	metrics_det d[] = { det(0, 0, 0, 20, 10) };
	match_state st[1];
	long m[1];
	metrics_counts c = { 0, 0, 0 };
	metrics_match_image(d, 1, g, 1, 0.5, st, m, &c);
	assert_int_equal(st[0], MATCH_TP);
	assert_int_equal(m[0], 0);
	expect_counts(&c, 1, 0, 0);

	/* just above 0.5: no match -> the det is FP, the box FN */
	memset(&c, 0, sizeof c);
	metrics_match_image(d, 1, g, 1, nextafter(0.5, 1.0), st, m, &c);
	assert_int_equal(st[0], MATCH_FP);
	assert_int_equal(m[0], -1);
	expect_counts(&c, 0, 1, 1);

	/* 0.3: det [0,0,10,3] overlaps 30 of a union of 100; 30.0/100.0 rounds to
	 * the same double as the literal 0.3 (division is correctly rounded) */
	metrics_det d3[] = { det(0, 0, 0, 10, 3) };
	memset(&c, 0, sizeof c);
	metrics_match_image(d3, 1, g, 1, 0.3, st, m, &c);
	assert_int_equal(st[0], MATCH_TP);
	expect_counts(&c, 1, 0, 0);

	/* t = 1: evaluateImg starts at min(t, 1 - 1e-10), so a perfect box matches */
	metrics_det d1[] = { det(0, 0, 0, 10, 10) };
	memset(&c, 0, sizeof c);
	metrics_match_image(d1, 1, g, 1, 1.0, st, m, &c);
	assert_int_equal(st[0], MATCH_TP);
	expect_counts(&c, 1, 0, 0);

	/* ... and so does the same box whose IoU rounds just below 1: gt
	 * [0.1,0.3,0.1,0.6] and det [0.1,0.3,0.1+0.1,0.3+0.6]: the det's height
	 * becomes (0.3+0.6)-0.3 = 0.5999999999999999, IoU 0.9999999999999998
	 * (worked out in IEEE doubles), which is >= 1 - 1e-10 */
	gt_ann gr[] = { ann(0, 0.1, 0.3, 0.1, 0.6, 0) };
	metrics_det dr[] = { det(0, 0.1, 0.3, 0.1 + 0.1, 0.3 + 0.6) };
	double dbox[4] = { 0.1, 0.3, (0.1 + 0.1) - 0.1, (0.3 + 0.6) - 0.3 };
	assert_true(metrics_iou_xywh(dbox, gr[0].bbox, 0) < 1.0);
	assert_true(metrics_iou_xywh(dbox, gr[0].bbox, 0) >= 1.0 - 1e-10);
	memset(&c, 0, sizeof c);
	metrics_match_image(dr, 1, gr, 1, 1.0, st, m, &c);
	assert_int_equal(st[0], MATCH_TP);
	expect_counts(&c, 1, 0, 0);
}

/* Among equal IoUs the later ground-truth box wins. */
static void test_equal_ious_later_wins(void **state)
{
	(void)state;
	/* A = x 0..10, B = x 10..20; det x 5..15 overlaps each by 5 x 10 = 50,
	 * union 150 for both: IoU 1/3 each (the same arithmetic, so equal bits). */
	gt_ann g[] = { ann(0, 0, 0, 10, 10, 0), ann(0, 10, 0, 10, 10, 0) };
	metrics_det d[] = { det(0, 5, 0, 15, 10), det(0, 5, 0, 15, 10) };
	match_state st[2];
	long m[2];
	metrics_counts c = { 0, 0, 0 };
	metrics_match_image(d, 2, g, 2, 0.3, st, m, &c);
	/* first det takes B (index 1, the later one); the second gets A */
	assert_int_equal(m[0], 1);
	assert_int_equal(m[1], 0);
	assert_int_equal(st[0], MATCH_TP);
	assert_int_equal(st[1], MATCH_TP);
	expect_counts(&c, 2, 0, 0);

	/* a higher IoU earlier still beats a lower one later: det x 4..14 has
	 * 60/140 = 0.43 with A and 40/160 = 0.25 with B -> A */
	metrics_det d2[] = { det(0, 4, 0, 14, 10) };
	metrics_match_image(d2, 1, g, 2, 0.2, st, m, NULL);
	assert_int_equal(m[0], 0);
}

/* Greedy in output order: the first detection takes its best box even when a
 * later detection needed it more. */
static void test_greedy_order(void **state)
{
	(void)state;
	/* A = x 0..10, B = x 4..14 (both y 0..10).
	 * det1 x 1..11: A 9*10=90 / 110 = 0.818; B 7*10=70 / 130 = 0.538 -> A.
	 * det2 x 0..10: A 1.0 (taken); B 6*10=60 / 140 = 0.429 < 0.5 -> FP.
	 * B is then FN (the optimum det1->B, det2->A is not what COCO does). */
	gt_ann g[] = { ann(0, 0, 0, 10, 10, 0), ann(0, 4, 0, 10, 10, 0) };
	metrics_det d[] = { det(0, 1, 0, 11, 10), det(0, 0, 0, 10, 10) };
	match_state st[2];
	long m[2];
	metrics_counts c = { 0, 0, 0 };
	metrics_match_image(d, 2, g, 2, 0.5, st, m, &c);
	assert_int_equal(st[0], MATCH_TP);
	assert_int_equal(m[0], 0);
	assert_int_equal(st[1], MATCH_FP);
	assert_int_equal(m[1], -1);
	expect_counts(&c, 1, 1, 1);

	/* reversed output order: det x 0..10 takes A, det x 1..11 then takes B */
	metrics_det r[] = { det(0, 0, 0, 10, 10), det(0, 1, 0, 11, 10) };
	memset(&c, 0, sizeof c);
	metrics_match_image(r, 2, g, 2, 0.5, st, m, &c);
	assert_int_equal(m[0], 0);
	assert_int_equal(m[1], 1);
	expect_counts(&c, 2, 0, 0);
}

/* A crowd box absorbs any number of detections; they are neither TP nor FP,
 * and the crowd box is never FN. */
static void test_crowd_absorbs(void **state)
{
	(void)state;
	gt_ann g[] = { ann(0, 0, 0, 100, 100, 1) };
	/* three dets inside the crowd box: crowd IoU = area inside / det area = 1;
	 * the fourth lies outside (IoU 0): FP */
	metrics_det d[] = { det(0, 10, 10, 20, 20), det(0, 10, 10, 20, 20), det(0, 50, 50, 60, 60),
	                    det(0, 200, 200, 210, 210) };
	match_state st[4];
	long m[4];
	metrics_counts c = { 0, 0, 0 };
	metrics_match_image(d, 4, g, 1, 0.5, st, m, &c);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(st[i], MATCH_IGNORED);
		assert_int_equal(m[i], 0);
	}
	assert_int_equal(st[3], MATCH_FP);
	expect_counts(&c, 0, 1, 0);

	/* det x 50..150 over crowd x 0..100: half of the det inside -> 0.5 = t: absorbed */
	metrics_det h[] = { det(0, 50, 0, 150, 100) };
	memset(&c, 0, sizeof c);
	metrics_match_image(h, 1, g, 1, 0.5, st, m, &c);
	assert_int_equal(st[0], MATCH_IGNORED);
	expect_counts(&c, 0, 0, 0);

	/* no dets at all: the crowd box is still not FN */
	memset(&c, 0, sizeof c);
	metrics_match_image(NULL, 0, g, 1, 0.5, NULL, NULL, &c);
	expect_counts(&c, 0, 0, 0);

	/* two crowd boxes with equal IoU 1 (det inside both): the later wins */
	gt_ann g2[] = { ann(0, 0, 0, 10, 10, 1), ann(0, 0, 0, 20, 20, 1) };
	metrics_det d2[] = { det(0, 1, 1, 5, 5) };
	metrics_match_image(d2, 1, g2, 2, 0.5, st, m, NULL);
	assert_int_equal(st[0], MATCH_IGNORED);
	assert_int_equal(m[0], 1);
}

/* Crowd boxes are considered only after every non-crowd box failed, even
 * when a crowd box comes first in the file or has a higher IoU. */
static void test_crowd_after_noncrowd(void **state)
{
	(void)state;
	/* index 0: crowd x 0..100; index 1: non-crowd x 0..10 */
	gt_ann g[] = { ann(0, 0, 0, 100, 100, 1), ann(0, 0, 0, 10, 10, 0) };
	/* det1 [0,0,20,10]: non-crowd IoU 100/200 = 0.5 (= t), crowd IoU 200/200 = 1:
	 *   the non-crowd box wins (evaluateImg breaks at the first crowd box once
	 *   it holds a non-crowd match) -> TP on index 1.
	 * det2 [0,0,10,10]: non-crowd box used -> crowd IoU 100/100 = 1: ignored.
	 * det3 [0,0,10,10] again: absorbed again (crowd never used up). */
	metrics_det d[] = { det(0, 0, 0, 20, 10), det(0, 0, 0, 10, 10), det(0, 0, 0, 10, 10) };
	match_state st[3];
	long m[3];
	metrics_counts c = { 0, 0, 0 };
	metrics_match_image(d, 3, g, 2, 0.5, st, m, &c);
	assert_int_equal(st[0], MATCH_TP);
	assert_int_equal(m[0], 1);
	assert_int_equal(st[1], MATCH_IGNORED);
	assert_int_equal(m[1], 0);
	assert_int_equal(st[2], MATCH_IGNORED);
	assert_int_equal(m[2], 0);
	expect_counts(&c, 1, 0, 0);

	/* a crowd box of another category absorbs nothing: det cat 1 -> FP */
	gt_ann g2[] = { ann(0, 0, 0, 100, 100, 1) };
	metrics_det d2[] = { det(1, 0, 0, 10, 10) };
	memset(&c, 0, sizeof c);
	metrics_match_image(d2, 1, g2, 1, 0.5, st, m, &c);
	assert_int_equal(st[0], MATCH_FP);
	expect_counts(&c, 0, 1, 0);
}

static void test_unknown_label_and_class_mismatch(void **state)
{
	(void)state;
	gt_ann g[] = { ann(0, 0, 0, 10, 10, 0) };
	match_state st[1];
	long m[1];
	metrics_counts c = { 0, 0, 0 };
	/* label naming no category (cat -1), box identical to the gt box:
	 * FP, and the box is FN */
	metrics_det u[] = { det(-1, 0, 0, 10, 10) };
	metrics_match_image(u, 1, g, 1, 0.5, st, m, &c);
	assert_int_equal(st[0], MATCH_FP);
	assert_int_equal(m[0], -1);
	expect_counts(&c, 0, 1, 1);

	/* right box, wrong class (cat 1 vs gt cat 0): FP + FN */
	metrics_det w[] = { det(1, 0, 0, 10, 10) };
	memset(&c, 0, sizeof c);
	metrics_match_image(w, 1, g, 1, 0.5, st, m, &c);
	assert_int_equal(st[0], MATCH_FP);
	expect_counts(&c, 0, 1, 1);

	/* two categories at the same place: each det takes its own class's box */
	gt_ann g2[] = { ann(0, 0, 0, 10, 10, 0), ann(1, 0, 0, 10, 10, 0) };
	metrics_det d2[] = { det(1, 0, 0, 10, 10), det(0, 0, 0, 10, 10) };
	long m2[2];
	memset(&c, 0, sizeof c);
	metrics_match_image(d2, 2, g2, 2, 0.5, NULL, m2, &c);
	assert_int_equal(m2[0], 1);
	assert_int_equal(m2[1], 0);
	expect_counts(&c, 2, 0, 0);
}

/* The study's point: five exact duplicates after a correct box are 5 FPs
 * (COCO AP50 would stay 1.0). */
static void test_duplicates_after_correct_box(void **state)
{
	(void)state;
	gt_ann g[] = { ann(0, 0, 0, 10, 10, 0) };
	metrics_det d[6];
	for (int i = 0; i < 6; i++)
		d[i] = det(0, 0, 0, 10, 10);
	match_state st[6];
	metrics_counts c = { 0, 0, 0 };
	metrics_match_image(d, 6, g, 1, 0.5, st, NULL, &c);
	assert_int_equal(st[0], MATCH_TP);
	for (int i = 1; i < 6; i++)
		assert_int_equal(st[i], MATCH_FP);
	expect_counts(&c, 1, 5, 0);
	/* P = 1/6, R = 1, F1 = 2 * (1/6) / (7/6) = 2/7 */
	metrics_prf p = metrics_prf_from(&c);
	assert_dbl(p.precision, 1.0 / 6.0, 1e-15);
	assert_dbl(p.recall, 1.0, 0);
	assert_dbl(p.f1, 2.0 / 7.0, 1e-15);
}

static void test_accumulates_and_edge_inputs(void **state)
{
	(void)state;
	gt_ann g[] = { ann(0, 0, 0, 10, 10, 0), ann(0, 50, 50, 10, 10, 0) };
	metrics_det d[] = { det(0, 0, 0, 10, 10) };
	metrics_counts c = { 10, 20, 30 };
	/* adds 1 TP, 0 FP, 1 FN (the box at 50,50) to what is there */
	metrics_match_image(d, 1, g, 2, 0.5, NULL, NULL, &c);
	expect_counts(&c, 11, 20, 31);
	/* no detections: both boxes FN */
	metrics_match_image(NULL, 0, g, 2, 0.5, NULL, NULL, &c);
	expect_counts(&c, 11, 20, 33);
	/* no gt: every det FP */
	metrics_match_image(d, 1, NULL, 0, 0.5, NULL, NULL, &c);
	expect_counts(&c, 11, 21, 33);
	/* NULL acc is allowed */
	metrics_match_image(d, 1, g, 2, 0.5, NULL, NULL, NULL);
	/* degenerate det (x2 < x1) and a det with infinite coordinates: FP */
	metrics_det bad[] = { det(0, 10, 0, 0, 10), det(0, -INFINITY, 0, INFINITY, 10) };
	match_state st[2];
	memset(&c, 0, sizeof c);
	metrics_match_image(bad, 2, g, 2, 0.5, st, NULL, &c);
	assert_int_equal(st[0], MATCH_FP);
	assert_int_equal(st[1], MATCH_FP);
	expect_counts(&c, 0, 2, 2);
	/* NaN threshold matches nothing */
	memset(&c, 0, sizeof c);
	metrics_match_image(d, 1, g, 2, NAN, st, NULL, &c);
	expect_counts(&c, 0, 1, 2);
}

/* More boxes than the on-stack flag array (4096): the heap path. */
static void test_many_boxes(void **state)
{
	(void)state;
	const size_t n = 5000;
	gt_ann *g = calloc(n, sizeof *g);
	assert_non_null(g);
	/* box i at x = 20 i, 10 x 10, every 7th a crowd box */
	size_t crowd = 0;
	for (size_t i = 0; i < n; i++) {
		g[i] = ann(0, 20.0 * (double)i, 0, 10, 10, i % 7 == 0);
		crowd += i % 7 == 0;
	}
	/* crowd = ceil(5000 / 7) = 715 */
	assert_int_equal(crowd, 715);
	/* det on box 4999 (4999 % 7 = 1: non-crowd) twice, then on box 4998 (4998 = 7 * 714: crowd) */
	metrics_det d[] = { det(0, 99980, 0, 99990, 10), det(0, 99980, 0, 99990, 10), det(0, 99960, 0, 99970, 10) };
	match_state st[3];
	long m[3];
	metrics_counts c = { 0, 0, 0 };
	metrics_match_image(d, 3, g, n, 0.5, st, m, &c);
	assert_int_equal(m[0], 4999);
	assert_int_equal(st[1], MATCH_FP);
	assert_int_equal(st[2], MATCH_IGNORED);
	assert_int_equal(m[2], 4998);
	/* FN = non-crowd 5000 - 715 = 4285, minus the one matched = 4284 */
	expect_counts(&c, 1, 1, 4284);
	free(g);
}

static void test_prf(void **state)
{
	(void)state;
	metrics_counts z = { 0, 0, 0 };
	metrics_prf p = metrics_prf_from(&z);
	assert_true(p.precision == 0 && p.recall == 0 && p.f1 == 0);
	/* only FPs: P = 0/3 = 0, R undefined (0/0) -> 0, F1 -> 0 */
	metrics_counts f = { 0, 3, 0 };
	p = metrics_prf_from(&f);
	assert_true(p.precision == 0 && p.recall == 0 && p.f1 == 0);
	/* only FNs: P undefined -> 0, R = 0/4 = 0 */
	metrics_counts n = { 0, 0, 4 };
	p = metrics_prf_from(&n);
	assert_true(p.precision == 0 && p.recall == 0 && p.f1 == 0);
	/* only TPs: all 1 */
	metrics_counts t = { 5, 0, 0 };
	p = metrics_prf_from(&t);
	assert_true(p.precision == 1 && p.recall == 1 && p.f1 == 1);
	/* P = 3/4 = 0.75, R = 3/5 = 0.6, F1 = 2 * 0.45 / 1.35 = 2/3 */
	metrics_counts m = { 3, 1, 2 };
	p = metrics_prf_from(&m);
	assert_dbl(p.precision, 0.75, 0);
	assert_dbl(p.recall, 0.6, 1e-15);
	assert_dbl(p.f1, 2.0 / 3.0, 1e-15);
	p = metrics_prf_from(NULL);
	assert_true(p.precision == 0 && p.recall == 0 && p.f1 == 0);
}

/* ------------------------------------------------------------------ */
/* Differential check against a line-by-line transcription of pycocotools'
 * evaluateImg loop (one category at a time; gts stably sorted crowd-last;
 * the `break` at the first crowd box once a non-crowd match is held).  Boxes
 * on a coarse integer grid so that equal IoUs and IoU == t are frequent. */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static void reference(const metrics_det *dets, size_t nd, const gt_ann *anns, size_t ng, double t,
                      match_state *st, long *mg, metrics_counts *c)
{
	int gtm[64] = { 0 };
	for (size_t d = 0; d < nd; d++) {
		st[d] = MATCH_FP;
		mg[d] = -1;
	}
	for (int cat = -1; cat < 3; cat++) {
		/* gt = this category's boxes, crowd last, stable */
		size_t gi[64], G = 0;
		for (int pass = 0; pass < 2; pass++)
			for (size_t g = 0; g < ng; g++)
				if (anns[g].cat == cat && (anns[g].iscrowd != 0) == (pass == 1))
					gi[G++] = g;
		for (size_t d = 0; d < nd; d++) {
			if (dets[d].cat != cat || cat < 0)
				continue;
			double db[4] = { dets[d].box[0], dets[d].box[1], dets[d].box[2] - dets[d].box[0],
			                 dets[d].box[3] - dets[d].box[1] };
			double iou = t < 1 - 1e-10 ? t : 1 - 1e-10;
			long m = -1;
			for (size_t k = 0; k < G; k++) {
				const gt_ann *a = &anns[gi[k]];
				if (gtm[gi[k]] > 0 && !a->iscrowd)
					continue;
				if (m > -1 && !anns[gi[m]].iscrowd && a->iscrowd)
					break;
				double v = metrics_iou_xywh(db, a->bbox, a->iscrowd);
				if (v < iou)
					continue;
				iou = v;
				m = (long)k;
			}
			if (m == -1)
				continue;
			gtm[gi[m]] = 1;
			mg[d] = (long)gi[m];
			st[d] = anns[gi[m]].iscrowd ? MATCH_IGNORED : MATCH_TP;
		}
	}
	for (size_t d = 0; d < nd; d++) {
		c->tp += st[d] == MATCH_TP;
		c->fp += st[d] == MATCH_FP;
	}
	for (size_t g = 0; g < ng; g++)
		c->fn += !anns[g].iscrowd && !gtm[g];
}

static void test_differential_reference(void **state)
{
	(void)state;
	static const double ts[] = { 0.1, 0.3, 0.5, 0.75, 1.0 };
	size_t n_tp = 0, n_ign = 0, n_fp = 0;
	for (int iter = 0; iter < 20000; iter++) {
		gt_ann g[12];
		metrics_det d[16];
		size_t ng = rnd(13), nd = rnd(17);
		for (size_t i = 0; i < ng; i++)
			g[i] = ann((int)rnd(3), 2.0 * rnd(6), 2.0 * rnd(6), 2.0 * (1 + rnd(5)), 2.0 * (1 + rnd(5)),
			           rnd(5) == 0);
		for (size_t i = 0; i < nd; i++) {
			double x = 2.0 * rnd(6), y = 2.0 * rnd(6);
			d[i] = det((int)rnd(4) - 1, x, y, x + 2.0 * (1 + rnd(5)), y + 2.0 * (1 + rnd(5)));
		}
		double t = ts[rnd(N(ts))];
		match_state s1[16], s2[16];
		long m1[16], m2[16];
		metrics_counts c1 = { 0, 0, 0 }, c2 = { 0, 0, 0 };
		metrics_match_image(d, nd, g, ng, t, s1, m1, &c1);
		reference(d, nd, g, ng, t, s2, m2, &c2);
		for (size_t i = 0; i < nd; i++)
			if (s1[i] != s2[i] || m1[i] != m2[i])
				fail_msg("iter %d det %zu: state %d/%d gt %ld/%ld", iter, i, s1[i], s2[i], m1[i], m2[i]);
		if (c1.tp != c2.tp || c1.fp != c2.fp || c1.fn != c2.fn)
			fail_msg("iter %d: counts differ", iter);
		n_tp += c1.tp;
		n_fp += c1.fp;
		for (size_t i = 0; i < nd; i++)
			n_ign += s1[i] == MATCH_IGNORED;
	}
	/* the random cases exercise all three outcomes */
	assert_true(n_tp > 1000 && n_fp > 1000 && n_ign > 100);
}


/* A random value of one of the shapes that stress the index: small grid
 * coordinates (many exact ties and duplicates), fractions, zero, huge,
 * tiny, infinite. */
static double wild(int allow_inf)
{
	switch (rnd(12)) {
	case 0: return 0.0;
	case 1: return 1e-3 * rnd(7);
	case 2: return 1e6 + rnd(3);
	case 3: return allow_inf && rnd(4) == 0 ? INFINITY : 1e-300;
	case 4: return (double)rnd(5) + 0.5;
	default: return 2.0 * rnd(8);
	}
}

static void run_both(const metrics_det *d, size_t nd, const gt_ann *g, size_t ng, double t,
                     int iter, int vs_reference)
{
	static match_state s1[600], s2[600];
	static long m1[600], m2[600];
	metrics_counts c1 = { 0, 0, 0 }, c2 = { 0, 0, 0 };
	metrics_index *ix = metrics_index_new(g, ng);
	assert_non_null(ix);
	assert_int_equal(metrics_match_indexed(ix, d, nd, t, s1, m1, &c1), 0);
	metrics_index_free(ix);
	if (vs_reference)
		reference(d, nd, g, ng, t, s2, m2, &c2);
	else
		metrics_match_image_brute(d, nd, g, ng, t, s2, m2, &c2);
	for (size_t i = 0; i < nd; i++)
		if (s1[i] != s2[i] || m1[i] != m2[i])
			fail_msg("iter %d det %zu: state %d/%d gt %ld/%ld", iter, i, s1[i], s2[i], m1[i], m2[i]);
	if (c1.tp != c2.tp || c1.fp != c2.fp || c1.fn != c2.fn)
		fail_msg("iter %d: counts %zu/%zu/%zu vs %zu/%zu/%zu", iter, c1.tp, c1.fp, c1.fn, c2.tp, c2.fp, c2.fn);
}

/* The index gives exactly the plain loop's matches (and, where the
 * hand-written COCOeval transcription above applies, its matches too). */
static void test_index_differential(void **state)
{
	(void)state;
	static const double ts[] = { 0.1, 0.3, 0.5, 0.75, 1.0, 0.0, -1.0, NAN, 1e-9, 0.9999 };
	static gt_ann g[500];
	static metrics_det d[600];
	size_t n_tp = 0;
	for (int iter = 0; iter < 3000; iter++) {
		int small = iter % 3 == 0; /* reference() takes <= 64 boxes, cats 0..2 */
		size_t ng = small ? rnd(65) : rnd(500), nd = small ? rnd(40) : rnd(600);
		int inf_ok = !small && iter % 5 == 1;
		for (size_t i = 0; i < ng; i++) {
			if (i > 0 && rnd(4) == 0) { /* an identical box again */
				g[i] = g[rnd((unsigned)i)];
				continue;
			}
			g[i] = ann((int)rnd(3) - (small ? 0 : (int)rnd(2)), wild(inf_ok), wild(inf_ok),
			           wild(inf_ok) - (rnd(20) == 0), wild(inf_ok), rnd(6) == 0);
		}
		for (size_t i = 0; i < nd; i++) {
			if (i > 0 && rnd(3) == 0) { /* a repeated record */
				d[i] = d[rnd((unsigned)i)];
				continue;
			}
			double x = wild(inf_ok), y = wild(inf_ok);
			d[i] = det((int)rnd(4) - 1, x, y, x + wild(inf_ok), y + wild(inf_ok));
			d[i].point = !small && rnd(6) == 0; /* reference() has no points */
		}
		double t = ts[rnd(N(ts))];
		if (small && isnan(t))
			t = 0.5; /* reference() follows numpy on NaN, metrics.h matches nothing */
		run_both(d, nd, g, ng, t, iter, small);
		metrics_counts c = { 0, 0, 0 };
		metrics_match_image(d, nd, g, ng, 0.5, NULL, NULL, &c);
		n_tp += c.tp;
	}
	assert_true(n_tp > 1000);
}

/* metrics_iou_table: every pair bit for bit what the plain loop takes
 * (metrics_iou_xywh, over the detection's area for a crowd box; a point: 1
 * inside its box, edges included, else 0), on wild boxes (NaN, infinite,
 * zero and negative sizes, points, crowd); and metrics_match_image_table
 * gives the plain loop's states, boxes and counts at every threshold. */
static void test_iou_table(void **state)
{
	(void)state;
	static const double ts[] = { 0.1, 0.3, 0.5, 0.75, 1.0, 0.0, -1.0, NAN, 1e-9, 0.9999 };
	static gt_ann g[64];
	static metrics_det d[48];
	static double tab[64 * 48];
	size_t taken = 0;
	for (int iter = 0; iter < 4000; iter++) {
		int inf_ok = iter % 4 == 1;
		size_t ng = 1 + rnd(16), nd = 1 + rnd(48);
		if (iter % 7 == 0) /* more boxes, fewer records: still the plain loop */
			ng = 17 + rnd(48), nd = 1 + rnd(4096 / (unsigned)ng < 48 ? 4096 / (unsigned)ng : 48);
		for (size_t i = 0; i < ng; i++)
			g[i] = i > 0 && rnd(4) == 0 ? g[rnd((unsigned)i)]
			                            : ann((int)rnd(3), wild(inf_ok), wild(inf_ok), wild(inf_ok) - (rnd(20) == 0),
			                                  wild(inf_ok), rnd(5) == 0);
		for (size_t i = 0; i < nd; i++) {
			double x = wild(inf_ok), y = wild(inf_ok);
			d[i] = i > 0 && rnd(3) == 0 ? d[rnd((unsigned)i)]
			                            : det((int)rnd(4) - 1, x, y, x + wild(inf_ok), y + wild(inf_ok));
			d[i].point = rnd(6) == 0;
		}
		if (!metrics_table_fits(nd, ng))
			continue;
		metrics_iou_table(d, nd, g, ng, tab);
		for (size_t i = 0; i < nd; i++)
			for (size_t k = 0; k < ng; k++) {
				const double *b = g[k].bbox, *p = d[i].box;
				double db[4] = { p[0], p[1], p[2] - p[0], p[3] - p[1] }, want;
				if (d[i].point)
					want = isfinite(p[0]) && isfinite(p[1]) && p[0] >= b[0] && p[0] <= b[0] + b[2] &&
					       p[1] >= b[1] && p[1] <= b[1] + b[3];
				else
					want = metrics_iou_xywh(db, b, g[k].iscrowd);
				if (memcmp(&want, &tab[i * ng + k], sizeof want))
					fail_msg("iter %d det %zu box %zu: table %.17g, want %.17g", iter, i, k,
					         tab[i * ng + k], want);
			}
		double t = ts[rnd(N(ts))];
		match_state s1[48], s2[48];
		long m1[48], m2[48];
		metrics_counts c1 = { 0, 0, 0 }, c2 = { 0, 0, 0 };
		metrics_match_image_brute(d, nd, g, ng, t, s1, m1, &c1);
		metrics_match_image_table(d, nd, g, ng, tab, t, s2, m2, &c2);
		for (size_t i = 0; i < nd; i++)
			if (s1[i] != s2[i] || m1[i] != m2[i])
				fail_msg("iter %d det %zu at %g: table %d/%ld, plain loop %d/%ld", iter, i, t, s2[i], m2[i],
				         s1[i], m1[i]);
		assert_true(c1.tp == c2.tp && c1.fp == c2.fp && c1.fn == c2.fn);
		taken += c1.tp;
	}
	assert_true(taken > 1000);
}

/* 1M boxes on one image: the index keeps the work near-linear (this test
 * only asserts the counts; the time is in `make bench`).  A 1000 x 1000
 * grid of 10x10 boxes; the detections are 100k boxes, each the exact box
 * of cell (i mod 1000, i / 1000 ...) shifted by 1 pixel: IoU 9*9/(200-81) =
 * 81/119 = 0.68 with its own cell's box and 0 with every other. */
static void test_index_million(void **state)
{
	(void)state;
	size_t ng = 1000000, nd = 100000;
	gt_ann *g = malloc(ng * sizeof *g);
	metrics_det *d = malloc(nd * sizeof *d);
	assert_non_null(g);
	assert_non_null(d);
	for (size_t i = 0; i < ng; i++)
		g[i] = ann(0, 20.0 * (double)(i % 1000), 20.0 * (double)(i / 1000), 10, 10, 0);
	for (size_t i = 0; i < nd; i++) {
		/* half the detections repeat the first 50k (duplicates: FP) */
		size_t c = (i % 50000) * 7 % ng;
		double x = 20.0 * (double)(c % 1000) + 1, y = 20.0 * (double)(c / 1000) + 1;
		d[i] = det(0, x, y, x + 10, y + 10);
	}
	metrics_counts c5 = { 0, 0, 0 }, c7 = { 0, 0, 0 };
	metrics_match_image(d, nd, g, ng, 0.5, NULL, NULL, &c5);
	metrics_match_image(d, nd, g, ng, 0.7, NULL, NULL, &c7);
	expect_counts(&c5, 50000, 50000, ng - 50000);
	expect_counts(&c7, 0, nd, ng); /* 0.68 < 0.7 */
	free(g);
	free(d);
}

static metrics_det pt(int cat, double x, double y)
{
	metrics_det d = det(cat, x, y, x, y);
	d.point = 1;
	return d;
}

/* Points: a hit when inside a box of the class, edges included, one point
 * per box, output order, later box wins among boxes containing it, crowd
 * boxes absorb, the threshold does not matter. */
static void test_points(void **state)
{
	(void)state;
	/* boxes (x,y,w,h): A cat0 [0,0,10,10], B cat0 [5,5,10,10] (overlaps A on
	 * [5,10]x[5,10]), C cat1 [20,0,10,10], D cat0 crowd [40,0,10,10] */
	gt_ann g[] = { ann(0, 0, 0, 10, 10, 0), ann(0, 5, 5, 10, 10, 0), ann(1, 20, 0, 10, 10, 0),
	               ann(0, 40, 0, 10, 10, 1) };
	/* p0 (7,7) cat0: in A and B -> the later, B (index 1)
	 * p1 (7,7) cat0 again: B used, A contains it -> A
	 * p2 (7,7) cat0 a third time: A and B used -> FP
	 * p3 (25,10) cat1: on C's bottom edge (y = 0 + 10) -> C
	 * p4 (25,10) cat0: C is another class -> FP
	 * p5 (45,5) cat0: only the crowd box -> ignored
	 * p6 (30.000001,5) cat1: just right of C -> FP
	 * p7 NaN -> FP */
	metrics_det d[] = { pt(0, 7, 7), pt(0, 7, 7), pt(0, 7, 7), pt(1, 25, 10), pt(0, 25, 10),
	                    pt(0, 45, 5), pt(1, 30.000001, 5), pt(0, NAN, 5) };
	match_state st[N(d)];
	long m[N(d)];
	static const double ts[] = { 0.3, 0.5, 1.0 };
	for (size_t k = 0; k < N(ts); k++) {
		metrics_counts c = { 0, 0, 0 };
		metrics_match_image(d, N(d), g, N(g), ts[k], st, m, &c);
		static const match_state want[] = { MATCH_TP, MATCH_TP, MATCH_FP, MATCH_TP, MATCH_FP,
		                                    MATCH_IGNORED, MATCH_FP, MATCH_FP };
		static const long want_gt[] = { 1, 0, -1, 2, -1, 3, -1, -1 };
		for (size_t i = 0; i < N(d); i++) {
			assert_int_equal(st[i], want[i]);
			assert_int_equal(m[i], want_gt[i]);
		}
		/* TP 3 (B, A, C); FP 4; FN: 3 non-crowd boxes all matched -> 0 */
		expect_counts(&c, 3, 4, 0);
	}
	/* the same (7,7) as a degenerate box (point = 0) has IoU 0: FP */
	metrics_det b[] = { det(0, 7, 7, 7, 7) };
	metrics_counts c = { 0, 0, 0 };
	metrics_match_image(b, 1, g, N(g), 0.3, st, m, &c);
	expect_counts(&c, 0, 1, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iou_simple),
		cmocka_unit_test(test_iou_crowd_and_nonfinite),
		cmocka_unit_test(test_iou_equal_to_threshold),
		cmocka_unit_test(test_equal_ious_later_wins),
		cmocka_unit_test(test_greedy_order),
		cmocka_unit_test(test_crowd_absorbs),
		cmocka_unit_test(test_crowd_after_noncrowd),
		cmocka_unit_test(test_unknown_label_and_class_mismatch),
		cmocka_unit_test(test_duplicates_after_correct_box),
		cmocka_unit_test(test_accumulates_and_edge_inputs),
		cmocka_unit_test(test_many_boxes),
		cmocka_unit_test(test_prf),
		cmocka_unit_test(test_differential_reference),
		cmocka_unit_test(test_points),
		cmocka_unit_test(test_index_differential),
		cmocka_unit_test(test_iou_table),
		cmocka_unit_test(test_index_million),
	};
	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
