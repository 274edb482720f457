/* State logic of the TUI without a terminal: list cursor, samples list
 * filter/sort/selection, replay cursor (stepping, boundaries, termination,
 * repeat-stop).  Expected values are worked
 * out by hand from the fixtures described above each test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <math.h>
#include <cmocka.h>

#include "listcur.h"
#include "replay.h"
#include "slist.h"
#include "trace.h"

/* ---- listcur ---- */

static void test_listcur_move_and_clamp(void **state)
{
	(void)state;
	listcur c = {0, 0};
	listcur_move(&c, 3, 10);
	assert_int_equal(c.sel, 3);
	listcur_move(&c, -5, 10);          /* 3-5 < 0 -> 0 */
	assert_int_equal(c.sel, 0);
	listcur_move(&c, 100, 10);         /* past the end -> 9 */
	assert_int_equal(c.sel, 9);
	listcur_move(&c, LONG_MIN, 10);    /* no overflow */
	assert_int_equal(c.sel, 0);
	listcur_move(&c, LONG_MAX, 10);
	assert_int_equal(c.sel, 9);
	listcur_move(&c, 1, 0);            /* empty list */
	assert_int_equal(c.sel, 0);
	assert_int_equal(c.top, 0);
}

static void test_listcur_scroll(void **state)
{
	(void)state;
	listcur c = {9, 0};
	listcur_scroll(&c, 10, 4);         /* rows 6..9 shown */
	assert_int_equal(c.top, 6);
	c.sel = 7;
	listcur_scroll(&c, 10, 4);         /* still inside: top unchanged */
	assert_int_equal(c.top, 6);
	c.sel = 2;
	listcur_scroll(&c, 10, 4);         /* above: top follows */
	assert_int_equal(c.top, 2);
	c.sel = 1; c.top = 8;              /* list shrank under us */
	listcur_scroll(&c, 3, 5);          /* 3 rows fit in 5: top 0 */
	assert_int_equal(c.top, 0);
	assert_int_equal(c.sel, 1);
	c.sel = 9; c.top = 9;
	listcur_scroll(&c, 10, 4);         /* no blank rows below the end: top 6 */
	assert_int_equal(c.top, 6);
}

/* ---- slist ----
 * item  name    ready  dups  max_rep  tokens  term   f1    labels
 * 0     img 1   yes    0     1        100     closed 0.8   cat, dog
 * 1     img 2   yes    5     6        2048    trunc  0.3   person
 * 2     img 3   no
 * 3     img 4   yes    2     3        500     closed 0.5   hot dog
 * 4     img 5   failed                                                  */
static char n0[] = "img 1", n1[] = "img 2", n2[] = "img 3", n3[] = "img 4", n4[] = "img 5";
static char l0[] = "cat\ndog", l1[] = "person", l3[] = "hot dog";

static void fill_items(slist_item it[5])
{
	memset(it, 0, 5 * sizeof *it);
	/* image ids 5, 7, -, 6, - (a captured run's file order is not id order) */
	it[0] = (slist_item){1, 0, 4, 0, 1, 100, SLIST_TERM_CLOSED, 1, 0.8, n0, l0, 0, NULL, 1, 5};
	it[1] = (slist_item){1, 0, 11, 5, 6, 2048, SLIST_TERM_TRUNCATED, 1, 0.3, n1, l1, 0, NULL, 1, 7};
	it[2] = (slist_item){0, 0, 0, 0, 0, 0, SLIST_TERM_UNKNOWN, 0, 0, n2, NULL, 0, NULL, 0, 0};
	it[3] = (slist_item){1, 0, 6, 2, 3, 500, SLIST_TERM_CLOSED, 1, 0.5, n3, l3, 0, NULL, 1, 6};
	it[4] = (slist_item){1, 1, 0, 0, 0, 0, SLIST_TERM_UNKNOWN, 0, 0, n4, NULL, 0, NULL, 0, 0};
}

static void expect_view(const slist *l, const size_t *want, size_t n)
{
	assert_int_equal(l->n_view, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(l->view[i], want[i]);
}

static void test_slist_sorts(void **state)
{
	(void)state;
	slist_item it[5];
	slist l;
	fill_items(it);
	slist_init(&l);

	/* default: by image id (5, 6, 7), then unready/failed in file order */
	assert_int_equal(slist_rebuild(&l, it, 5), 0);
	expect_view(&l, (size_t[]){0, 3, 1, 2, 4}, 5);
	l.sort = SLIST_SORT_FILE;
	slist_rebuild(&l, it, 5);
	expect_view(&l, (size_t[]){0, 1, 2, 3, 4}, 5);
	assert_string_equal(slist_sort_name(SLIST_SORT_FILE), "file order");

	/* ready ones by the key, then unready/failed (2, 4) in file order */
	l.sort = SLIST_SORT_DUPS;       /* 5, 2, 0 */
	slist_rebuild(&l, it, 5);
	expect_view(&l, (size_t[]){1, 3, 0, 2, 4}, 5);
	l.sort = SLIST_SORT_REPEAT;     /* 6, 3, 1 */
	slist_rebuild(&l, it, 5);
	expect_view(&l, (size_t[]){1, 3, 0, 2, 4}, 5);
	l.sort = SLIST_SORT_F1;         /* lowest first: 0.3, 0.5, 0.8 */
	slist_rebuild(&l, it, 5);
	expect_view(&l, (size_t[]){1, 3, 0, 2, 4}, 5);
	l.sort = SLIST_SORT_LENGTH;     /* 2048, 500, 100 */
	slist_rebuild(&l, it, 5);
	expect_view(&l, (size_t[]){1, 3, 0, 2, 4}, 5);

	/* F1 ties broken by file order; a sample without F1 after those with */
	it[0].f1 = 0.3;
	it[3].has_f1 = 0;
	l.sort = SLIST_SORT_F1;
	slist_rebuild(&l, it, 5);
	expect_view(&l, (size_t[]){0, 1, 3, 2, 4}, 5);

	assert_string_equal(slist_sort_name(SLIST_SORT_REPEAT), "max repeat");
	slist_free(&l);
}

static void test_slist_filters(void **state)
{
	(void)state;
	slist_item it[5];
	slist l;
	fill_items(it);
	slist_init(&l);
	l.sort = SLIST_SORT_FILE; /* filters over file order */

	slist_filter_parse("dup", &l.filter);
	assert_int_equal(l.filter.kind, SLIST_FILTER_DUP);
	slist_rebuild(&l, it, 5);
	expect_view(&l, (size_t[]){1, 3}, 2);

	slist_filter_parse("  TRUNC ", &l.filter);
	assert_int_equal(l.filter.kind, SLIST_FILTER_TRUNC);
	slist_rebuild(&l, it, 5);
	expect_view(&l, (size_t[]){1}, 1);

	slist_filter_parse("label:Dog", &l.filter); /* "cat\ndog" and "hot dog" */
	assert_int_equal(l.filter.kind, SLIST_FILTER_LABEL);
	assert_string_equal(l.filter.text, "dog");
	slist_rebuild(&l, it, 5);
	expect_view(&l, (size_t[]){0, 3}, 2);

	slist_filter_parse("label:zebra", &l.filter);
	slist_rebuild(&l, it, 5);
	expect_view(&l, NULL, 0);
	assert_int_equal(slist_selected(&l), (size_t)-1);

	slist_filter_parse("img 3", &l.filter); /* names match even before analysis */
	assert_int_equal(l.filter.kind, SLIST_FILTER_TEXT);
	slist_rebuild(&l, it, 5);
	expect_view(&l, (size_t[]){2}, 1);

	slist_filter_parse("PERSON", &l.filter); /* free text also searches labels */
	slist_rebuild(&l, it, 5);
	expect_view(&l, (size_t[]){1}, 1);

	slist_filter_parse("   ", &l.filter);    /* blank clears */
	assert_int_equal(l.filter.kind, SLIST_FILTER_NONE);
	slist_rebuild(&l, it, 5);
	assert_int_equal(l.n_view, 5);

	/* filter then sort */
	slist_filter_parse("label:dog", &l.filter);
	l.sort = SLIST_SORT_DUPS;               /* item 3 has 2 dups, item 0 none */
	slist_rebuild(&l, it, 5);
	expect_view(&l, (size_t[]){3, 0}, 2);
	slist_free(&l);
}

static void test_slist_keeps_selection(void **state)
{
	(void)state;
	slist_item it[5];
	slist l;
	fill_items(it);
	slist_init(&l);
	l.sort = SLIST_SORT_FILE;
	slist_rebuild(&l, it, 5);

	assert_true(slist_select_item(&l, 3));
	assert_int_equal(l.cur.sel, 3);
	l.sort = SLIST_SORT_DUPS;          /* view 1,3,0,2,4: item 3 now on row 1 */
	slist_rebuild(&l, it, 5);
	assert_int_equal(l.cur.sel, 1);
	assert_int_equal(slist_selected(&l), 3);

	/* item 2 selected (row 3), then filtered out: the row is clamped to the
	 * shorter view [1,3] -> row 1 -> item 3 */
	assert_true(slist_select_item(&l, 2));
	assert_int_equal(l.cur.sel, 3);
	slist_filter_parse("dup", &l.filter);
	slist_rebuild(&l, it, 5);
	assert_int_equal(l.cur.sel, 1);
	assert_int_equal(slist_selected(&l), 3);

	/* badges arrive for item 2 (5th place before): view re-sorted, selection kept */
	it[2] = (slist_item){1, 0, 30, 9, 10, 4096, SLIST_TERM_TRUNCATED, 1, 0.1, n2, NULL, 0, NULL, 1, 9};
	slist_rebuild(&l, it, 5);
	expect_view(&l, (size_t[]){2, 1, 3}, 3);
	assert_int_equal(slist_selected(&l), 3);
	assert_int_equal(l.cur.sel, 2);
	assert_false(slist_select_item(&l, 4));
	slist_free(&l);
}

/* ---- replay ----
 * 20 steps, 5 records (first..last step): r0 1..4, r1 5..8, r2 9..11,
 * r3 12..14 (= r1), r4 15..17 (= r1).  Never closed (hit the limit at step
 * 19); the repeated tail is r3, r4.  repeat-stop fires at r3's completion
 * step 14 and keeps 3 records. */
static const uint32_t rf[] = {1, 5, 9, 12, 15};
static const uint32_t rl[] = {4, 8, 11, 14, 17};

static replay make_replay(void)
{
	replay r = {0};
	r.n_steps = 20;
	r.rec_first = rf;
	r.rec_last = rl;
	r.n_rec = 5;
	r.closed = 0;
	r.term_step = 19;
	r.tail_first = 3;
	r.fired = 1;
	r.stop_step = 14;
	r.kept = 3;
	r.policy_on = 0;
	r.cursor = 0;
	return r;
}

static void test_replay_steps_and_clamp(void **state)
{
	(void)state;
	replay r = make_replay();
	assert_int_equal(replay_last(&r), 19);
	assert_int_equal(replay_len(&r), 20);
	replay_step(&r, -1);
	assert_int_equal(r.cursor, 0);
	replay_step(&r, 1);
	assert_int_equal(r.cursor, 1);
	replay_step(&r, 100);
	assert_int_equal(r.cursor, 19);
	replay_step(&r, LONG_MAX);
	assert_int_equal(r.cursor, 19);
	replay_home(&r);
	assert_int_equal(r.cursor, 0);
	replay_end(&r);
	assert_int_equal(r.cursor, 19);
	replay_set(&r, -7);
	assert_int_equal(r.cursor, 0);
}

static void test_replay_visible_records(void **state)
{
	(void)state;
	replay r = make_replay();
	/* completed at or before the cursor */
	replay_set(&r, 0);
	assert_int_equal(replay_visible(&r), 0);
	replay_set(&r, 3);
	assert_int_equal(replay_visible(&r), 0);
	replay_set(&r, 4);
	assert_int_equal(replay_visible(&r), 1);
	replay_set(&r, 10);
	assert_int_equal(replay_visible(&r), 2);
	replay_set(&r, 14);
	assert_int_equal(replay_visible(&r), 4);
	replay_end(&r);
	assert_int_equal(replay_visible(&r), 5);

	/* record spans */
	assert_int_equal(replay_record_at(&r, 0), -1);
	assert_int_equal(replay_record_at(&r, 6), 1);
	assert_int_equal(replay_record_at(&r, 12), 3);
	assert_int_equal(replay_record_at(&r, 18), -1);
}

static void test_replay_boundaries(void **state)
{
	(void)state;
	replay r = make_replay();
	replay_set(&r, 10);
	assert_int_equal(replay_next_boundary(&r), 11);
	assert_int_equal(replay_next_boundary(&r), 14);
	assert_int_equal(replay_next_boundary(&r), 17);
	assert_int_equal(replay_next_boundary(&r), 19); /* none left: end */
	assert_int_equal(replay_prev_boundary(&r), 17);
	assert_int_equal(replay_prev_boundary(&r), 14);
	replay_set(&r, 5);
	assert_int_equal(replay_prev_boundary(&r), 4);
	assert_int_equal(replay_prev_boundary(&r), 0);  /* none before: start */

	/* with repeat-stop on the replay ends at 14: boundaries beyond are unreachable */
	replay_set_policy(&r, 1);
	replay_set(&r, 12);
	assert_int_equal(replay_next_boundary(&r), 14);
	assert_int_equal(replay_next_boundary(&r), 14);
}

static void test_replay_termination_point(void **state)
{
	(void)state;
	replay r = make_replay();
	/* never closed: the first step of the first tail record (r3: 12) */
	assert_int_equal(replay_termination_point(&r), 12);
	/* repeat-stop on: where it stops */
	replay_set_policy(&r, 1);
	assert_int_equal(replay_termination_point(&r), 14);
	replay_set_policy(&r, 0);
	/* closed list: the step holding "]" */
	r.closed = 1;
	r.term_step = 18;
	assert_int_equal(replay_termination_point(&r), 18);
	/* neither closed nor a tail: the last step */
	r.closed = 0;
	r.tail_first = -1;
	assert_int_equal(replay_termination_point(&r), 19);
}

static void test_replay_repeat_stop_toggle(void **state)
{
	(void)state;
	replay r = make_replay();
	replay_end(&r);
	assert_int_equal(replay_visible(&r), 5);
	/* on: the cursor at the end follows the new end (14); records completed by
	 * 14 are 4 but only kept = 3 are shown (r3 is the dropped duplicate) */
	replay_set_policy(&r, 1);
	assert_int_equal(r.cursor, 14);
	assert_int_equal(replay_len(&r), 15);
	assert_int_equal(replay_visible(&r), 3);
	assert_true(replay_dropped(&r, 3));
	assert_false(replay_dropped(&r, 2));
	replay_step(&r, 5);
	assert_int_equal(r.cursor, 14);
	/* off again: at the end -> the full end */
	replay_set_policy(&r, 0);
	assert_int_equal(r.cursor, 19);
	assert_int_equal(replay_visible(&r), 5);
	assert_false(replay_dropped(&r, 3));
	/* a cursor before the stop does not move */
	replay_set(&r, 10);
	replay_set_policy(&r, 1);
	assert_int_equal(r.cursor, 10);
	assert_int_equal(replay_visible(&r), 2);
	/* a cursor past the stop (not at the end) is pulled back to it */
	replay_set_policy(&r, 0);
	replay_set(&r, 16);
	replay_set_policy(&r, 1);
	assert_int_equal(r.cursor, 14);
	/* a sample where the policy does not fire: toggling changes nothing */
	r = make_replay();
	r.fired = 0;
	replay_end(&r);
	replay_set_policy(&r, 1);
	assert_int_equal(r.cursor, 19);
	assert_int_equal(replay_visible(&r), 5);
}

static void test_replay_empty_trace(void **state)
{
	(void)state;
	replay r = {0};
	r.cursor = 5;
	replay_home(&r);
	assert_int_equal(r.cursor, -1);
	replay_step(&r, 1);
	assert_int_equal(r.cursor, -1);
	assert_int_equal(replay_len(&r), 0);
	assert_int_equal(replay_visible(&r), 0);
	assert_int_equal(replay_termination_point(&r), -1);
	assert_int_equal(replay_next_boundary(&r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listcur_move_and_clamp),
		cmocka_unit_test(test_listcur_scroll),
		cmocka_unit_test(test_slist_sorts),
		cmocka_unit_test(test_slist_filters),
		cmocka_unit_test(test_slist_keeps_selection),
		cmocka_unit_test(test_replay_steps_and_clamp),
		cmocka_unit_test(test_replay_visible_records),
		cmocka_unit_test(test_replay_boundaries),
		cmocka_unit_test(test_replay_termination_point),
		cmocka_unit_test(test_replay_repeat_stop_toggle),
		cmocka_unit_test(test_replay_empty_trace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
