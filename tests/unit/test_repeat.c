/* Repeat statistics and stop policies on hand-built record lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>

#include "policy.h"
#include "repeat.h"

/* record with label L, numbers (a,b,c,d), completed at step `last` */
static record R(const char *label, double a, double b, double c, double d, uint32_t last)
{
	record r;
	memset(&r, 0, sizeof r);
	r.label = (char *)label;
	r.label_len = strlen(label);
	r.v[0] = a; r.v[1] = b; r.v[2] = c; r.v[3] = d;
	r.key = REC_KEY_BBOX_2D;
	r.first_step = last > 5 ? last - 5 : 0;
	r.last_step = last;
	return r;
}

static void test_empty(void **state)
{
	(void)state;
	repeat_stats st;
	assert_int_equal(repeat_analyze(NULL, 0, &st, NULL, NULL, NULL), TS_OK);
	assert_int_equal(st.records, 0);
	assert_int_equal(st.max_repeat, 0);
	assert_int_equal(st.duplicates, 0);
	assert_int_equal(st.tail_start, -1);
	assert_int_equal(st.first_dup, -1);
}

static void test_clean_list(void **state)
{
	(void)state;
	record r[3] = { R("a", 1, 2, 3, 4, 10), R("b", 1, 2, 3, 4, 20), R("a", 1, 2, 3, 5, 30) };
	repeat_stats st;
	repeat_analyze(r, 3, &st, NULL, NULL, NULL);
	assert_int_equal(st.distinct, 3);
	assert_int_equal(st.duplicates, 0);
	assert_int_equal(st.max_repeat, 1);
	assert_int_equal(st.tail_start, -1);
	assert_int_equal(st.first_dup, -1);
}

/* A B A C B B B : values A(0,2) B(1,4,5,6) C(3).
 * distinct 3, duplicates 4, max_repeat 4 (B), first_dup 2,
 * tail = longest suffix of duplicates = indices 4,5,6 -> tail_start 4. */
static void test_interleaved_and_tail(void **state)
{
	(void)state;
	record r[7] = {
		R("A", 1, 1, 2, 2, 10), R("B", 5, 5, 6, 6, 20), R("A", 1, 1, 2, 2, 30),
		R("C", 9, 9, 9, 9, 40), R("B", 5, 5, 6, 6, 50), R("B", 5, 5, 6, 6, 60),
		R("B", 5, 5, 6, 6, 70),
	};
	repeat_stats st;
	long dup_of[7];
	uint32_t occ[7], total[7];
	repeat_analyze(r, 7, &st, dup_of, occ, total);
	assert_int_equal(st.records, 7);
	assert_int_equal(st.distinct, 3);
	assert_int_equal(st.duplicates, 4);
	assert_int_equal(st.max_repeat, 4);
	assert_int_equal(st.first_dup, 2);
	assert_int_equal(st.tail_start, 4);
	long want_dup[7] = { -1, -1, 0, -1, 1, 1, 1 };
	uint32_t want_occ[7] = { 1, 1, 2, 1, 2, 3, 4 };
	uint32_t want_tot[7] = { 2, 4, 2, 1, 4, 4, 4 };
	for (int i = 0; i < 7; i++) {
		assert_int_equal(dup_of[i], want_dup[i]);
		assert_int_equal(occ[i], want_occ[i]);
		assert_int_equal(total[i], want_tot[i]);
	}
	/* prefix of 4 (A B A C): duplicates 1, max_repeat 2, no tail (C is new) */
	repeat_stats ps;
	repeat_prefix_stats(dup_of, occ, 4, &ps);
	assert_int_equal(ps.records, 4);
	assert_int_equal(ps.duplicates, 1);
	assert_int_equal(ps.max_repeat, 2);
	assert_int_equal(ps.tail_start, -1);
	assert_int_equal(ps.first_dup, 2);
	/* prefix of 3 (A B A): tail is index 2 */
	repeat_prefix_stats(dup_of, occ, 3, &ps);
	assert_int_equal(ps.tail_start, 2);
}

/* Labels differ by case or by one number: not exact duplicates. */
static void test_near_duplicates_are_distinct(void **state)
{
	(void)state;
	record r[4] = { R("cat", 1, 2, 3, 4, 1), R("Cat", 1, 2, 3, 4, 2), R("cat", 1, 2, 3, 5, 3),
	                R("cat", 1, 2, 3, 4.0, 4) };
	repeat_stats st;
	repeat_analyze(r, 4, &st, NULL, NULL, NULL);
	assert_int_equal(st.distinct, 3);
	assert_int_equal(st.duplicates, 1);
	assert_int_equal(st.first_dup, 3);
	assert_int_equal(st.tail_start, 3);
}

/* Many records: exercise hash collisions and growth (1000 distinct + 25 repeats). */
static void test_many(void **state)
{
	(void)state;
	enum { N = 1025 };
	static record r[N];
	for (int i = 0; i < 1000; i++)
		r[i] = R("obj", i, i % 7, i + 1, 3, (uint32_t)i);
	for (int i = 1000; i < N; i++)
		r[i] = R("obj", 999, 999 % 7, 1000, 3, (uint32_t)i);
	repeat_stats st;
	repeat_analyze(r, N, &st, NULL, NULL, NULL);
	assert_int_equal(st.distinct, 1000);
	assert_int_equal(st.duplicates, 25);
	assert_int_equal(st.max_repeat, 26);
	assert_int_equal(st.tail_start, 1000);
	assert_int_equal(st.first_dup, 1000);
}

static void test_policy_parse_and_names(void **state)
{
	(void)state;
	policy p;
	char buf[40];
	ts_error err;
	assert_int_equal(policy_parse("off", &p, &err), TS_OK);
	assert_int_equal(p.kind, POLICY_OFF);
	assert_int_equal(policy_parse("repeat_stop", &p, &err), TS_OK);
	assert_string_equal(policy_name(&p, buf, sizeof buf), "repeat_stop");
	assert_int_equal(policy_parse("budget:12", &p, &err), TS_OK);
	assert_int_equal(p.n, 12);
	assert_string_equal(policy_name(&p, buf, sizeof buf), "budget:12");
	assert_int_equal(policy_parse("budget:0", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("budget:x", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("stop", &p, &err), TS_ERR_USAGE);
	assert_non_null(strstr(err.msg, "stop"));
}

/* A B A C: repeat_stop fires at the step completing the first duplicate
 * (index 2, last_step 30) and keeps 2 records; budget:3 fires at record 3's
 * step (30) keeping 3; budget:4 does not fire (only 4 records). */
static void test_policy_apply(void **state)
{
	(void)state;
	record r[4] = { R("A", 1, 1, 2, 2, 10), R("B", 5, 5, 6, 6, 20), R("A", 1, 1, 2, 2, 30),
	                R("C", 9, 9, 9, 9, 40) };
	policy off = { POLICY_OFF, 0 }, rs = { POLICY_REPEAT_STOP, 0 };
	policy b3 = { POLICY_BUDGET, 3 }, b4 = { POLICY_BUDGET, 4 };
	policy_cut c = policy_apply(&off, r, 4, 2);
	assert_false(c.fired);
	assert_int_equal(c.kept, 4);
	assert_int_equal(c.stop_step, -1);
	c = policy_apply(&rs, r, 4, 2);
	assert_true(c.fired);
	assert_int_equal(c.kept, 2);
	assert_int_equal(c.stop_step, 30);
	c = policy_apply(&rs, r, 4, -1);
	assert_false(c.fired);
	assert_int_equal(c.kept, 4);
	c = policy_apply(&b3, r, 4, 2);
	assert_true(c.fired);
	assert_int_equal(c.kept, 3);
	assert_int_equal(c.stop_step, 30);
	c = policy_apply(&b4, r, 4, 2);
	assert_false(c.fired);
	assert_int_equal(c.kept, 4);
}


static void test_policy_parse_new_kinds(void **state)
{
	(void)state;
	policy p;
	char buf[40];
	ts_error err;
	assert_int_equal(policy_parse("near_dup:0.9", &p, &err), TS_OK);
	assert_int_equal(p.kind, POLICY_NEAR_DUP);
	assert_int_equal(p.n, 900000000L);
	/* n / 1e9 is the same double as the literal */
	assert_true(policy_iou(&p) == 0.9);
	assert_string_equal(policy_name(&p, buf, sizeof buf), "near_dup:0.9");
	assert_int_equal(policy_parse("near-dup:0.5", &p, &err), TS_OK);
	assert_string_equal(policy_name(&p, buf, sizeof buf), "near_dup:0.5");
	assert_int_equal(policy_parse("near_dup:1", &p, &err), TS_OK);
	assert_string_equal(policy_name(&p, buf, sizeof buf), "near_dup:1");
	assert_int_equal(policy_parse("near_dup:0", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("near_dup:1.5", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("near_dup:", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("near_dup:0.9x", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("near_dup:nan", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("near_dup", &p, &err), TS_ERR_USAGE);
	assert_int_equal(policy_parse("dedup", &p, &err), TS_OK);
	assert_int_equal(p.kind, POLICY_DEDUP);
	assert_string_equal(policy_name(&p, buf, sizeof buf), "dedup");
	assert_false(policy_is_truncation(&p));
	assert_int_equal(policy_parse("budget:3", &p, &err), TS_OK);
	assert_true(policy_is_truncation(&p));
	assert_int_equal(policy_parse("bogus", &p, &err), TS_ERR_USAGE);
	assert_non_null(strstr(err.msg, "near_dup:IOU"));
}

/* IoU on the emitted numbers, worked by hand:
 *   [0,0,10,10] vs [5,0,15,10]: inter 5x10 = 50, union 100+100-50 = 150 -> 1/3
 *   x scaled by 3 ([0,0,30,10] vs [15,0,45,10]): 150 / (300+300-150) -> 1/3
 *   axes swapped for both (y first, as gemini/loc emit): still 1/3
 *   corners given in reverse order ([10,10,0,0]) are put in order: IoU 1
 *   [0,0,10,10] vs [0,0,10,9]: 90 / (100+90-90) = 0.9
 *   two distinct zero-area boxes: 0; identical zero-area boxes: 1 */
static void test_record_iou(void **state)
{
	(void)state;
	record a = R("cat", 0, 0, 10, 10, 1), b = R("cat", 5, 0, 15, 10, 2);
	assert_float_equal(policy_record_iou(&a, &b), 1.0 / 3.0, 1e-15);
	record as = R("cat", 0, 0, 30, 10, 1), bs = R("cat", 15, 0, 45, 10, 2);
	assert_float_equal(policy_record_iou(&as, &bs), 1.0 / 3.0, 1e-15);
	record ay = R("cat", 0, 0, 10, 10, 1), by = R("cat", 0, 5, 10, 15, 2);
	assert_float_equal(policy_record_iou(&ay, &by), 1.0 / 3.0, 1e-15);
	record rev = R("cat", 10, 10, 0, 0, 3);
	assert_true(policy_record_iou(&a, &rev) == 1.0);
	record c = R("cat", 0, 0, 10, 9, 3);
	assert_true(policy_record_iou(&a, &c) == 0.9);
	record z1 = R("cat", 5, 5, 5, 9, 1), z2 = R("cat", 5, 5, 5, 8, 2), z3 = R("cat", 5, 5, 5, 9, 3);
	assert_true(policy_record_iou(&z1, &z2) == 0.0);
	assert_true(policy_record_iou(&z1, &z3) == 1.0);
	record far = R("cat", 20, 20, 30, 30, 4);
	assert_true(policy_record_iou(&a, &far) == 0.0);
	record touch = R("cat", 10, 0, 20, 10, 4); /* shares an edge only */
	assert_true(policy_record_iou(&a, &touch) == 0.0);
}

/* Where near_dup and repeat_stop differ.
 *   0 cat [100,100,200,200] step 10
 *   1 dog [100,100,200,200] step 20  same box, other label: never a near dup
 *   2 cat [100,100,200,190] step 30  IoU with 0 = 100*90 / (10000+9000-9000) = 0.9
 *   3 cat [300,300,400,400] step 40  disjoint
 *   4 cat [100,100,200,200] step 50  exact duplicate of 0 (first_dup = 4)
 *   5 cat [300,300,400,400] step 60  exact duplicate of 3
 * repeat_stop   fires at 4: kept 4, stop 50
 * near_dup:0.9  fires at 2 (IoU exactly 0.9 counts): kept 2, stop 30
 * near_dup:0.95 2 is not close enough, fires at the exact duplicate 4: kept 4, stop 50
 * budget:2      fires at record 2's step (20): kept 2
 * budget:6      6 records: does not fire
 * dedup         never fires, keeps the prefix of 6 with drop_dups */
static void test_policy_near_dup_vs_repeat_stop(void **state)
{
	(void)state;
	record r[6] = { R("cat", 100, 100, 200, 200, 10), R("dog", 100, 100, 200, 200, 20),
	                R("cat", 100, 100, 200, 190, 30), R("cat", 300, 300, 400, 400, 40),
	                R("cat", 100, 100, 200, 200, 50), R("cat", 300, 300, 400, 400, 60) };
	repeat_stats st;
	repeat_analyze(r, 6, &st, NULL, NULL, NULL);
	assert_int_equal(st.first_dup, 4);
	policy rs = { POLICY_REPEAT_STOP, 0 }, nd9, nd95, b2 = { POLICY_BUDGET, 2 },
	       b6 = { POLICY_BUDGET, 6 }, dd = { POLICY_DEDUP, 0 };
	ts_error err;
	assert_int_equal(policy_parse("near_dup:0.9", &nd9, &err), TS_OK);
	assert_int_equal(policy_parse("near_dup:0.95", &nd95, &err), TS_OK);

	policy_cut c = policy_apply(&rs, r, 6, st.first_dup);
	assert_true(c.fired);
	assert_int_equal(c.kept, 4);
	assert_int_equal(c.stop_step, 50);
	c = policy_apply(&nd9, r, 6, st.first_dup);
	assert_true(c.fired);
	assert_int_equal(c.kept, 2);
	assert_int_equal(c.stop_step, 30);
	assert_false(c.drop_dups);
	c = policy_apply(&nd95, r, 6, st.first_dup);
	assert_true(c.fired);
	assert_int_equal(c.kept, 4);
	assert_int_equal(c.stop_step, 50);
	c = policy_apply(&b2, r, 6, st.first_dup);
	assert_true(c.fired);
	assert_int_equal(c.kept, 2);
	assert_int_equal(c.stop_step, 20);
	c = policy_apply(&b6, r, 6, st.first_dup);
	assert_false(c.fired);
	assert_int_equal(c.kept, 6);
	c = policy_apply(&dd, r, 6, st.first_dup);
	assert_false(c.fired);
	assert_true(c.drop_dups);
	assert_int_equal(c.kept, 6);
	assert_int_equal(c.stop_step, -1);

	/* Without exact duplicates (first 4 records only) near_dup:0.95 does
	 * not fire at all, near_dup:0.9 still at 2; repeat_stop never. */
	repeat_analyze(r, 4, &st, NULL, NULL, NULL);
	assert_int_equal(st.first_dup, -1);
	c = policy_apply(&nd95, r, 4, st.first_dup);
	assert_false(c.fired);
	assert_int_equal(c.kept, 4);
	c = policy_apply(&nd9, r, 4, st.first_dup);
	assert_int_equal(c.kept, 2);
	c = policy_apply(&rs, r, 4, st.first_dup);
	assert_false(c.fired);

	/* A low threshold: 3 cat [300..400] vs 0 has IoU 0, but with
	 * near_dup:0.3, record 2 already fires (0.9 >= 0.3). */
	policy nd3;
	assert_int_equal(policy_parse("near_dup:0.3", &nd3, &err), TS_OK);
	c = policy_apply(&nd3, r, 6, 4);
	assert_int_equal(c.kept, 2);
	/* Empty list: nothing fires. */
	c = policy_apply(&nd9, NULL, 0, -1);
	assert_false(c.fired);
	assert_int_equal(c.kept, 0);
}

/* near_dup on y-first (gemini box_2d) records: the numbers are compared as
 * emitted; [ymin,xmin,ymax,xmax] = [0,0,10,10] vs [0,0,9,10] has IoU
 * 90/100 = 0.9 in either axis order; corners reversed count as the same box. */
static void test_policy_near_dup_y_first_and_reversed(void **state)
{
	(void)state;
	record r[3] = { R("car", 0, 0, 10, 10, 5), R("car", 0, 0, 9, 10, 9), R("car", 10, 10, 0, 0, 12) };
	for (int i = 0; i < 3; i++)
		r[i].key = REC_KEY_BOX_2D;
	policy nd;
	ts_error err;
	assert_int_equal(policy_parse("near_dup:0.91", &nd, &err), TS_OK);
	policy_cut c = policy_apply(&nd, r, 3, -1);
	/* 1 vs 0: 0.9 < 0.91; 2 vs 0: same box reversed, IoU 1 */
	assert_true(c.fired);
	assert_int_equal(c.kept, 2);
	assert_int_equal(c.stop_step, 12);
	assert_int_equal(policy_parse("near_dup:0.9", &nd, &err), TS_OK);
	c = policy_apply(&nd, r, 3, -1);
	assert_int_equal(c.kept, 1);
	assert_int_equal(c.stop_step, 9);
}

/* dedup keeps first occurrences: A B A C B B B -> A B C: 3 records, no
 * duplicates, max_repeat 1; an empty list keeps max_repeat 0. */
static void test_dedup_stats(void **state)
{
	(void)state;
	record r[7] = {
		R("A", 1, 1, 2, 2, 10), R("B", 5, 5, 6, 6, 20), R("A", 1, 1, 2, 2, 30),
		R("C", 9, 9, 9, 9, 40), R("B", 5, 5, 6, 6, 50), R("B", 5, 5, 6, 6, 60),
		R("B", 5, 5, 6, 6, 70),
	};
	repeat_stats st, d;
	repeat_analyze(r, 7, &st, NULL, NULL, NULL);
	policy_dedup_stats(&st, &d);
	assert_int_equal(d.records, 3);
	assert_int_equal(d.distinct, 3);
	assert_int_equal(d.duplicates, 0);
	assert_int_equal(d.max_repeat, 1);
	assert_int_equal(d.tail_start, -1);
	assert_int_equal(d.first_dup, -1);
	repeat_analyze(NULL, 0, &st, NULL, NULL, NULL);
	policy_dedup_stats(&st, &d);
	assert_int_equal(d.records, 0);
	assert_int_equal(d.max_repeat, 0);
}

/* Why dedup must match again.  Ground truth (one image, category 0):
 *   g0 [0,0,10,10]   g1 [0,0,10,9]   (x,y,w,h)
 * records: r0 cat [0,0,10,10], r1 = r0 again (duplicate), r2 cat [0,0,10,9].
 * Full list at t = 0.5: r0 -> g0 (IoU 1 vs 0.9), r1 -> g1 (0.9), r2 -> FP
 *   (both taken): TP 2 FP 1 FN 0.
 * Keeping r0/r2's states from the full matching would give TP 1 FP 1 FN 1.
 * dedup matched again: r0 -> g0, r2 -> g1 (IoU 1): TP 2 FP 0 FN 0. */
static void test_dedup_counts_rematch(void **state)
{
	(void)state;
	gt_ann anns[2];
	memset(anns, 0, sizeof anns);
	anns[0].cat = 0;
	anns[0].bbox[2] = 10; anns[0].bbox[3] = 10;
	anns[1].cat = 0;
	anns[1].bbox[2] = 10; anns[1].bbox[3] = 9;
	metrics_det d[3] = { { { 0, 0, 10, 10 }, 0, 0 }, { { 0, 0, 10, 10 }, 0, 0 }, { { 0, 0, 10, 9 }, 0, 0 } };
	long dup_of[3] = { -1, 0, -1 };
	metrics_counts full = { 0, 0, 0 }, dd = { 0, 0, 0 };
	metrics_match_image(d, 3, anns, 2, 0.5, NULL, NULL, &full);
	assert_int_equal(full.tp, 2);
	assert_int_equal(full.fp, 1);
	assert_int_equal(full.fn, 0);
	assert_int_equal(policy_dedup_counts(d, dup_of, 3, anns, 2, 0.5, &dd), TS_OK);
	assert_int_equal(dd.tp, 2);
	assert_int_equal(dd.fp, 0);
	assert_int_equal(dd.fn, 0);
	/* no records: both boxes are FN */
	metrics_counts none = { 0, 0, 0 };
	assert_int_equal(policy_dedup_counts(NULL, NULL, 0, anns, 2, 0.5, &none), TS_OK);
	assert_int_equal(none.fn, 2);
	assert_int_equal(none.tp + none.fp, 0);
}

/* The near_dup window (POLICY_NEAR_DUP_WINDOW = 4096 previous records of the
 * same label).  Record 0 is cat [0,0,10,10]; then m cats far apart (disjoint
 * from it), each followed by a dog (other labels do not count toward the
 * window; all boxes distinct, so no exact duplicate); then cat [10,10,0,0]:
 * the same box as record 0 with its corners reversed (not an exact duplicate,
 * IoU 1).  It sits at group position m+1 and sees positions m+1-4096 .. m:
 * record 0 is in the window for m = 4095 (fires), not for m = 4096. */
static void test_policy_near_dup_window(void **state)
{
	(void)state;
	enum { MAXN = 2 * 4096 + 2 };
	static record r[MAXN];
	assert_int_equal(POLICY_NEAR_DUP_WINDOW, 4096);
	policy nd;
	ts_error err;
	assert_int_equal(policy_parse("near_dup:0.9", &nd, &err), TS_OK);
	for (int m = 4095; m <= 4096; m++) {
		size_t k = 0;
		r[k++] = R("cat", 0, 0, 10, 10, 0);
		for (int i = 1; i <= m; i++) {
			r[k] = R("cat", 100.0 * i, 0, 100.0 * i + 10, 10, (uint32_t)k);
			k++;
			r[k] = R("dog", 0, 1000.0 + 20.0 * i, 10, 1010.0 + 20.0 * i, (uint32_t)k);
			k++;
		}
		r[k] = R("cat", 10, 10, 0, 0, (uint32_t)k);
		k++;
		repeat_stats st;
		repeat_analyze(r, k, &st, NULL, NULL, NULL);
		assert_int_equal(st.first_dup, -1);
		policy_cut c = policy_apply(&nd, r, k, st.first_dup);
		if (m == 4095) {
			assert_true(c.fired);
			assert_int_equal(c.kept, k - 1);
			assert_int_equal(c.stop_step, (long)(k - 1));
		} else {
			assert_false(c.fired);
			assert_int_equal(c.kept, k);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_clean_list),
		cmocka_unit_test(test_interleaved_and_tail),
		cmocka_unit_test(test_near_duplicates_are_distinct),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_policy_parse_and_names),
		cmocka_unit_test(test_policy_apply),
		cmocka_unit_test(test_policy_parse_new_kinds),
		cmocka_unit_test(test_record_iou),
		cmocka_unit_test(test_policy_near_dup_vs_repeat_stop),
		cmocka_unit_test(test_policy_near_dup_y_first_and_reversed),
		cmocka_unit_test(test_policy_near_dup_window),
		cmocka_unit_test(test_dedup_stats),
		cmocka_unit_test(test_dedup_counts_rematch),
	};
	return cmocka_run_group_tests_name("repeat", tests, NULL, NULL);
}
