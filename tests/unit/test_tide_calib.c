/* TIDE error types and the calibration error, on hand-worked cases (the
 * expected values are worked out in the comments), and the property that the
 * TIDE counts add up to the matching's FP and FN on random images. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "calib.h"
#include "tide.h"

static metrics_det det(int cat, double x1, double y1, double x2, double y2)
{
	metrics_det d = { { x1, y1, x2, y2 }, cat, 0 };
	return d;
}

static gt_ann ann(int cat, double x, double y, double w, double h)
{
	gt_ann a = { 0, 1, cat, { x, y, w, h }, 0 };
	return a;
}

/* gt: cat(0) A [0,0,10,10], dog(1) B [50,50,20,20], cat C [80,0,10,10].
 *   1 cat [0,0,10,10]     TP (A)
 *   2 cat [0,0,10,10]     FP, cat IoU 1 with A (taken): duplicate
 *   3 dog [0,0,10,10]     FP, dog IoU 0, cat A IoU 1: classification
 *   4 cat [55,55,75,75]   FP, cats 0, dog B: 15*15 / (400+400-225) = 0.391: both
 *   5 dog [60,60,80,80]   FP, dog B: 10*10 / (800-100) = 0.143: localization
 *   6 cat [30,30,40,40]   FP, nothing near: background
 *   7 unknown [0,0,10,10] FP, only other-class boxes, A IoU 1: classification
 * FP 6 = dup 1 + cls 2 + both 1 + loc 1 + bkg 1; TP 1; missed B, C = 2 = FN. */
static void test_tide_hand(void **state)
{
	(void)state;
	gt_ann anns[] = { ann(0, 0, 0, 10, 10), ann(1, 50, 50, 20, 20), ann(0, 80, 0, 10, 10) };
	metrics_det d[] = {
		det(0, 0, 0, 10, 10), det(0, 0, 0, 10, 10), det(1, 0, 0, 10, 10),
		det(0, 55, 55, 75, 75), det(1, 60, 60, 80, 80), det(0, 30, 30, 40, 40),
		det(-1, 0, 0, 10, 10),
	};
	match_state st[7];
	metrics_counts c = { 0, 0, 0 };
	metrics_match_image(d, 7, anns, 3, TIDE_FG, st, NULL, &c);
	tide_kind k[7];
	tide_classify(d, st, 7, anns, 3, TIDE_FG, TIDE_BG, NULL, k);
	static const tide_kind want[7] = { TIDE_NONE, TIDE_DUP, TIDE_CLS, TIDE_BOTH, TIDE_LOC,
	                                   TIDE_BKG, TIDE_CLS };
	for (int i = 0; i < 7; i++)
		assert_int_equal(k[i], want[i]);
	tide_counts t = { { 0 }, 0, 0, 0 };
	size_t tp = 0;
	for (int i = 0; i < 7; i++) {
		tide_add_record(&t, st[i], k[i]);
		tp += st[i] == MATCH_TP;
	}
	tide_add_missed(&t, 3, tp);
	assert_int_equal(t.err[TIDE_DUP], 1);
	assert_int_equal(t.err[TIDE_CLS], 2);
	assert_int_equal(t.err[TIDE_BOTH], 1);
	assert_int_equal(t.err[TIDE_LOC], 1);
	assert_int_equal(t.err[TIDE_BKG], 1);
	assert_int_equal(t.missed, 2);
	assert_int_equal(t.fp, 6);
	assert_int_equal(c.fp, 6);
	assert_int_equal(c.fn, 2);
	assert_string_equal(tide_kind_name(TIDE_DUP), "duplicate");
}

static double rnd(uint32_t *seed, uint32_t m)
{
	*seed = *seed * 1103515245u + 12345u;
	return (double)((*seed >> 16) % m);
}

/* Random images: the error types always add up to the matcher's FP, and
 * missed to its FN. */
static void test_tide_sums(void **state)
{
	(void)state;
	uint32_t seed = 7;
#define RND(m) rnd(&seed, (m))
	for (int trial = 0; trial < 300; trial++) {
		gt_ann anns[12];
		metrics_det d[20];
		size_t na = (size_t)RND(12);
		size_t nd = (size_t)RND(20);
		for (size_t a = 0; a < na; a++) {
			int cat = (int)RND(3);
			double x = RND(80);
			double y = RND(80);
			double w = 5 + RND(30);
			double h = 5 + RND(30);
			anns[a] = ann(cat, x, y, w, h);
			anns[a].iscrowd = RND(10) == 0;
		}
		for (size_t i = 0; i < nd; i++) {
			double x = RND(80);
			double y = RND(80);
			int cat = (int)RND(4) - 1;
			double w = 5 + RND(30);
			double h = 5 + RND(30);
			d[i] = det(cat, x, y, x + w, y + h);
			d[i].point = RND(8) == 0;
			if (i && RND(4) == 0)
				d[i] = d[i - 1]; /* a repeat */
		}
		match_state st[20];
		tide_kind k[20];
		metrics_counts c = { 0, 0, 0 };
		metrics_match_image(d, nd, anns, na, TIDE_FG, st, NULL, &c);
		tide_classify(d, st, nd, anns, na, TIDE_FG, TIDE_BG, NULL, k);
		tide_counts t = { { 0 }, 0, 0, 0 };
		size_t tp = 0, n_gt = 0;
		for (size_t a = 0; a < na; a++)
			n_gt += !anns[a].iscrowd;
		for (size_t i = 0; i < nd; i++) {
			tide_add_record(&t, st[i], k[i]);
			tp += st[i] == MATCH_TP;
			assert_true((st[i] == MATCH_FP) == (k[i] != TIDE_NONE));
		}
		tide_add_missed(&t, n_gt, tp);
		size_t sum = 0;
		for (int e = TIDE_CLS; e < TIDE_KIND_COUNT; e++)
			sum += t.err[e];
		assert_int_equal(sum, c.fp);
		assert_int_equal(t.fp, c.fp);
		assert_int_equal(t.missed, c.fn);
	}
#undef RND
}

/* Scores log(p) for p = 0.95 TP, 0.95 FP, 0.85 TP, 0.15 FP, 0.05 TP, and one
 * without a score.  Bins: 9 {0.95, 0.95} acc 0.5 conf 0.95 -> 0.45;
 * 8 {0.85} acc 1 -> 0.15; 1 {0.15} acc 0 -> 0.15; 0 {0.05} acc 1 -> 0.95.
 * ECE = 2/5*0.45 + 1/5*(0.15 + 0.15 + 0.95) = 0.18 + 0.25 = 0.43. */
static void test_ece_hand(void **state)
{
	(void)state;
	calib c;
	calib_init(&c);
	assert_true(isnan(calib_ece(&c)));
	calib_add(&c, log(0.95), 1);
	calib_add(&c, log(0.95), 0);
	calib_add(&c, log(0.85), 1);
	calib_add(&c, log(0.15), 0);
	calib_add(&c, log(0.05), 1);
	calib_add(&c, NAN, 1);
	assert_int_equal(calib_total(&c), 5);
	assert_int_equal(c.n[9], 2);
	assert_int_equal(c.n[8], 1);
	assert_int_equal(c.n[1], 1);
	assert_int_equal(c.n[0], 1);
	assert_float_equal(calib_acc(&c, 9), 0.5, 1e-12);
	assert_float_equal(calib_conf(&c, 9), 0.95, 1e-12);
	assert_true(isnan(calib_acc(&c, 5)));
	assert_float_equal(calib_ece(&c), 0.43, 1e-12);
	/* the edges: p = 1 in the last bin, p = 0.1 in bin 1, p = 0 in bin 0 */
	assert_int_equal(calib_bin(1.0), 9);
	assert_int_equal(calib_bin(0.1), 1);
	assert_int_equal(calib_bin(0.0), 0);
	/* perfectly calibrated: 10 records at p = 0.5 (log), 5 TP -> ECE 0 */
	calib_init(&c);
	for (int i = 0; i < 10; i++)
		calib_add(&c, log(0.5), i % 2);
	assert_float_equal(calib_ece(&c), 0.0, 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tide_hand),
		cmocka_unit_test(test_tide_sums),
		cmocka_unit_test(test_ece_hand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
