/* Repeat statistics and stop policies on hand-built record lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

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
	};
	return cmocka_run_group_tests_name("repeat", tests, NULL, NULL);
}
