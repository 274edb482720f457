/* The comparison view's logic without a terminal: worst-value marks, the
 * `o` policy cycle, the per-sample diff order (synthetic items), and the
 * headless UI on the fixture runs tests/data/tui/run-a and run-c (run from
 * the repository root; make check does).
 *
 * run-c (tests/data/tui/run-c, same gt and images as run-a, run.json budget
 * 2; see tests/tui/test_compare.sh) against run-a, sample by sample:
 *   line 1  image 1: cat, dog, dog (closed)      A: cat, dog (closed)
 *           hits 2 -> 2, duplicates 0 -> 1: worse on one criterion
 *   line 2  image 2: person A, person B (closed) A: A, B, B x6 (truncated)
 *           duplicates 6 -> 0 and closes now: better
 *   line 3  the hostile sample, the same line in both runs: unchanged
 *   line 4  image 4: a wrong cat box x3, cut at the limit (truncated)
 *           A: cat, cat (malformed; 1 hit).  hits 1 -> 0 (the box misses
 *           the gt cat), duplicates 1 -> 2; neither run closed the list, so
 *           no lost termination: worse on two criteria -> first row
 *   line 5  not JSON in both: unchanged
 * Every record is 11 tokens after the 1-token list opening, so record k
 * (1-based) completes at step index 11k. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "compare.h"
#include "session.h"
#include "ui.h"
#include "view.h"

#define RUN_A "tests/data/tui/run-a"
#define RUN_B "tests/data/tui/run-b"
#define RUN_C "tests/data/tui/run-c"

/* ---- worst values ---- */

static void test_worst_lowest_f1(void **state)
{
	(void)state;
	/* F1: the smallest is worst; 0.5 < 0.615 < 0.769 */
	double v[3] = {0.5, 0.7692, 0.6154};
	uint8_t ok[3] = {1, 1, 1}, m[3];
	assert_int_equal(compare_worst(v, ok, 3, 0, 3, m), 1);
	assert_int_equal(m[0], 1);
	assert_int_equal(m[1], 0);
	assert_int_equal(m[2], 0);
}

static void test_worst_ties_as_shown(void **state)
{
	(void)state;
	/* 0.5 and 0.5004 both show as 0.500: both marked */
	double v[3] = {0.5, 0.5004, 0.9};
	uint8_t ok[3] = {1, 1, 1}, m[3];
	assert_int_equal(compare_worst(v, ok, 3, 0, 3, m), 2);
	assert_int_equal(m[0] + m[1], 2);
	assert_int_equal(m[2], 0);
	/* at 4 decimals they differ: only 0.5 */
	assert_int_equal(compare_worst(v, ok, 3, 0, 4, m), 1);
	assert_int_equal(m[0], 1);
}

static void test_worst_highest_and_invalid(void **state)
{
	(void)state;
	/* tokens: the largest is worst; the invalid 999 (run not computed) and
	 * a NaN are ignored */
	double v[4] = {163, 999, 118, NAN};
	uint8_t ok[4] = {1, 0, 1, 1}, m[4];
	assert_int_equal(compare_worst(v, ok, 4, 1, 0, m), 1);
	assert_int_equal(m[0], 1);
	assert_int_equal(m[1], 0);
	assert_int_equal(m[2], 0);
	assert_int_equal(m[3], 0);
}

static void test_worst_none_when_equal_or_alone(void **state)
{
	(void)state;
	double eq[2] = {7, 7}, one[2] = {3, 5};
	uint8_t ok[2] = {1, 1}, only[2] = {1, 0}, m[2] = {9, 9};
	assert_int_equal(compare_worst(eq, ok, 2, 1, 0, m), 0);
	assert_int_equal(m[0] + m[1], 0);
	assert_int_equal(compare_worst(one, only, 2, 1, 0, m), 0); /* one valid value */
	assert_int_equal(m[0] + m[1], 0);
	assert_int_equal(compare_worst(one, ok, 0, 1, 0, m), 0);   /* empty column */
}

/* ---- policy cycle ---- */

/* ---- which runs compare (issue 14) ---- */

static void test_tokens_comparable(void **state)
{
	(void)state;
	/* run.json of sample_runs/lora-qkvo-r16 (qwen3, 1024), its budget-12
	 * variant (same) and family-florence2 (florence2, 256) */
	compare_run_desc d[3] = {
		{"sim", "lora-qkvo-r16", "Locate every", COORDS_QWEN3, 1024, -1},
		{"sim", "lora-qkvo-r16", "at most 12", COORDS_QWEN3, 1024, 12},
		{"sim", "lora-qkvo-r16", "<OD>", COORDS_FLORENCE2, 256, -1},
	};
	assert_int_equal(compare_tokens_comparable(d, 2), 1);
	assert_int_equal(compare_tokens_comparable(d, 3), 0); /* another syntax and limit */
	d[2].coords = COORDS_QWEN3;
	assert_int_equal(compare_tokens_comparable(d, 3), 0); /* the limit alone differs */
	d[2].max_new_tokens = 1024;
	assert_int_equal(compare_tokens_comparable(d, 3), 1);
	d[1].coords = COORDS_AUTO; /* no convention in run.json: compares with its equals only */
	assert_int_equal(compare_tokens_comparable(d, 2), 0);
	assert_int_equal(compare_tokens_comparable(d, 1), 0); /* one run: nothing to mark */
}

static void test_prompt_variant(void **state)
{
	(void)state;
	compare_run_desc a = {"sim", "lora-qkvo-r16", "Locate every", COORDS_QWEN3, 1024, -1};
	compare_run_desc b = {"sim", "lora-qkvo-r16", "at most 12", COORDS_QWEN3, 1024, 12};
	assert_int_equal(compare_prompt_variant(&a, &b), COMPARE_DIFF_PROMPT | COMPARE_DIFF_BUDGET);
	b.prompt = "Locate every";
	assert_int_equal(compare_prompt_variant(&a, &b), COMPARE_DIFF_BUDGET);
	b.budget = -1;
	assert_int_equal(compare_prompt_variant(&a, &b), 0); /* the same run twice */
	b.prompt = NULL;
	assert_int_equal(compare_prompt_variant(&a, &b), COMPARE_DIFF_PROMPT);
	b.checkpoint = "lora-qv-r4"; /* another checkpoint: not a variant */
	assert_int_equal(compare_prompt_variant(&a, &b), 0);
	b.checkpoint = "lora-qkvo-r16";
	b.max_new_tokens = 256;
	assert_int_equal(compare_prompt_variant(&a, &b), 0);
	a.model = NULL; /* unnamed: nothing says they are the same model */
	b.max_new_tokens = 1024;
	assert_int_equal(compare_prompt_variant(&a, &b), 0);
}

static void test_policy_cycle(void **state)
{
	(void)state;
	policy p[COMPARE_N_POL];
	char b[64];
	compare_policy_cycle(-1, p);                 /* no budget in run.json: 12 */
	assert_string_equal(policy_name(&p[0], b, sizeof b), "off");
	assert_string_equal(policy_name(&p[1], b, sizeof b), "repeat_stop");
	assert_string_equal(policy_name(&p[2], b, sizeof b), "budget:12");
	assert_string_equal(policy_name(&p[3], b, sizeof b), "near_dup:0.9");
	assert_string_equal(policy_name(&p[4], b, sizeof b), "dedup");
	assert_false(policy_is_truncation(&p[4]));
	compare_policy_cycle(5, p);
	assert_string_equal(policy_name(&p[2], b, sizeof b), "budget:5");
	compare_policy_cycle(0, p);                  /* 0 is no budget */
	assert_int_equal(p[2].n, 12);
}

/* ---- diff order, synthetic ---- */

static slist_item item(const char *key, size_t hits, size_t dups, int term)
{
	slist_item it;
	memset(&it, 0, sizeof it);
	it.ready = 1;
	it.has_f1 = 1;
	it.hits = hits;
	it.dups = dups;
	it.records = hits + dups;
	it.term = term;
	it.key = (char *)key;
	return it;
}

static void expect_row(const compare_row *r, size_t a, size_t b, compare_cls cls)
{
	assert_int_equal(r->a, a);
	assert_int_equal(r->b, b);
	assert_int_equal(r->cls, cls);
}

static void test_diff_order(void **state)
{
	(void)state;
	enum { C = SLIST_TERM_CLOSED, T = SLIST_TERM_TRUNCATED };
	slist_item a[7], b[7];
	a[0] = item("i:1", 2, 0, C);
	a[1] = item("i:2", 2, 6, T);
	a[2] = item("i:3", 1, 0, C);
	a[3] = item("i:4", 3, 0, C);
	a[4] = item("f:x.png", 1, 0, C);
	a[5] = item("i:9", 1, 0, C);              /* only in A */
	a[6] = item("i:5", 1, 0, C);
	/* B in another order */
	b[0] = item("i:4", 1, 0, C);              /* hits 3 -> 1: worse (1), -2 hits */
	b[1] = item("i:1", 1, 3, T);              /* -1 hit, +3 dups, lost close: worse (3) */
	b[2] = item("i:3", 1, 1, C);              /* +1 dup: worse (1), 0 hits lost */
	b[3] = item("i:2", 2, 0, C);              /* -6 dups, closes now: better */
	b[4] = item("f:x.png", 0, 0, SLIST_TERM_UNKNOWN);
	b[4].failed = 1;                          /* the line fails: worse (4) */
	b[5] = item("i:5", 1, 0, C);              /* unchanged */
	b[6] = item("i:8", 0, 0, C);              /* only in B */

	compare_diff d;
	compare_diff_init(&d);
	assert_int_equal(compare_diff_build(&d, a, 7, b, 7), 0);
	assert_int_equal(d.n, 8);
	expect_row(&d.rows[0], 4, 4, COMPARE_CLS_WORSE);
	assert_int_equal(d.rows[0].flags, COMPARE_WORSE_FAILED);
	assert_int_equal(compare_severity(&d.rows[0]), 4);
	expect_row(&d.rows[1], 0, 1, COMPARE_CLS_WORSE);
	assert_int_equal(d.rows[1].flags, COMPARE_WORSE_HITS | COMPARE_WORSE_DUPS | COMPARE_WORSE_TERM);
	assert_int_equal(d.rows[1].d_hits, -1);
	assert_int_equal(d.rows[1].d_dups, 3);
	/* one criterion each: most hits lost first */
	expect_row(&d.rows[2], 3, 0, COMPARE_CLS_WORSE);
	assert_int_equal(d.rows[2].d_hits, -2);
	expect_row(&d.rows[3], 2, 2, COMPARE_CLS_WORSE);
	assert_int_equal(d.rows[3].flags, COMPARE_WORSE_DUPS);
	expect_row(&d.rows[4], 1, 3, COMPARE_CLS_BETTER);
	assert_int_equal(d.rows[4].flags, COMPARE_BETTER_DUPS | COMPARE_BETTER_TERM);
	assert_int_equal(d.rows[4].d_dups, -6);
	expect_row(&d.rows[5], 6, 5, COMPARE_CLS_SAME);
	expect_row(&d.rows[6], 5, COMPARE_NONE, COMPARE_CLS_ONLY_A);
	expect_row(&d.rows[7], COMPARE_NONE, 6, COMPARE_CLS_ONLY_B);
	assert_int_equal(d.n_worse, 4);
	assert_int_equal(d.n_better, 1);
	assert_int_equal(d.n_same, 1);
	assert_int_equal(d.n_only_a, 1);
	assert_int_equal(d.n_only_b, 1);
	assert_int_equal(d.n_pending, 0);

	/* the other way round: B -> A; the failing line now "loads now"
	 * (better), and i:1 gains a hit, loses 3 dups and closes (better) */
	assert_int_equal(compare_diff_build(&d, b, 7, a, 7), 0);
	assert_int_equal(d.n_worse, 1);           /* i:2: +6 dups, lost close */
	expect_row(&d.rows[0], 3, 1, COMPARE_CLS_WORSE);
	assert_int_equal(d.rows[0].flags, COMPARE_WORSE_DUPS | COMPARE_WORSE_TERM);
	assert_int_equal(d.n_better, 4);
	/* better rows in B's (now A's) file order: 0 (i:4), 1 (i:1), 2 (i:3), 4 */
	expect_row(&d.rows[1], 0, 3, COMPARE_CLS_BETTER);
	expect_row(&d.rows[2], 1, 0, COMPARE_CLS_BETTER);
	expect_row(&d.rows[3], 2, 2, COMPARE_CLS_BETTER);
	expect_row(&d.rows[4], 4, 4, COMPARE_CLS_BETTER);
	assert_int_equal(d.rows[4].flags, COMPARE_BETTER_FAILED);
	compare_diff_free(&d);
}

static void test_diff_pending_and_repeated_keys(void **state)
{
	(void)state;
	enum { C = SLIST_TERM_CLOSED };
	slist_item a[3], b[3];
	a[0] = item("i:1", 1, 0, C);
	a[1] = item("i:1", 1, 0, C);              /* the same image twice */
	a[2] = item("i:2", 1, 0, C);
	a[2].ready = 0;                           /* not analysed yet */
	b[0] = item("i:1", 1, 2, C);              /* pairs with a[0]: +2 dups */
	b[1] = item("i:1", 1, 0, C);              /* pairs with a[1]: unchanged */
	b[2] = item("i:3", 1, 0, C);              /* no pair yet, but a[2] is pending */
	compare_diff d;
	compare_diff_init(&d);
	assert_int_equal(compare_diff_build(&d, a, 3, b, 3), 0);
	assert_int_equal(d.n, 2);
	expect_row(&d.rows[0], 0, 0, COMPARE_CLS_WORSE);
	expect_row(&d.rows[1], 1, 1, COMPARE_CLS_SAME);
	assert_int_equal(d.n_pending, 1);
	assert_int_equal(d.n_only_b, 0);

	/* once a[2] is analysed (image 2), i:2 and i:3 are unmatched */
	a[2].ready = 1;
	assert_int_equal(compare_diff_build(&d, a, 3, b, 3), 0);
	assert_int_equal(d.n, 4);
	expect_row(&d.rows[2], 2, COMPARE_NONE, COMPARE_CLS_ONLY_A);
	expect_row(&d.rows[3], COMPARE_NONE, 2, COMPARE_CLS_ONLY_B);

	/* without ground truth on one side hits are not compared */
	a[0].has_f1 = 0;
	b[0] = item("i:1", 0, 0, C);
	assert_int_equal(compare_diff_build(&d, a, 1, b, 1), 0);
	expect_row(&d.rows[0], 0, 0, COMPARE_CLS_SAME);

	/* empty runs */
	assert_int_equal(compare_diff_build(&d, a, 0, b, 0), 0);
	assert_int_equal(d.n, 0);
	compare_diff_free(&d);
}

/* ---- the fixture runs, headless ---- */

typedef struct fx {
	session s;
	ui u;
} fx;

static int open_runs(void **state, char **paths, size_t n)
{
	fx *f = calloc(1, sizeof *f);
	session_opts o;
	ts_error err;
	session_opts_default(&o);
	if (!f || session_open(&f->s, paths, n, &o, NULL, NULL, &err) != TS_OK) {
		free(f);
		return -1;
	}
	ui_init(&f->u, &f->s, 1);
	ui_layout_compute(50, 160, &f->u.lay);
	ui_show_selected(&f->u);
	while (session_idle(&f->s, 2) > 0)
		;
	*state = f;
	return 0;
}

static int setup_ac(void **state)
{
	char *paths[] = {(char *)RUN_A, (char *)RUN_C};
	return open_runs(state, paths, 2);
}

static int setup_abc(void **state)
{
	char *paths[] = {(char *)RUN_A, (char *)RUN_B, (char *)RUN_C};
	return open_runs(state, paths, 3);
}

static int teardown(void **state)
{
	fx *f = *state;
	ui_free(&f->u);
	session_free(&f->s);
	free(f);
	return 0;
}

/* The run metrics the comparison view shows, policy by policy, against the
 * numbers `tailscope report --policy off,repeat_stop,budget:2,near_dup:0.9,dedup`
 * prints for run-c (worked out from the lines above):
 *   off          records 3+2+2+3 = 10, duplicates 1+0+0+2 = 3, tokens
 *                (1 + 11 per record + 1 closing) 35+24+25+34 = 118, closed 3
 *                (lines 1-3), TP@0.3 2+2+0+0 = 4, FP 1+0+2+3 = 6 (line 3's
 *                hostile labels name no category), FN 0+0+1+1 = 2:
 *                P 4/10, R 4/6, F1 = 2PR/(P+R) = 0.5
 *   repeat_stop  line 1 keeps 2 (stop at step 34), line 4 keeps 1 (stop at
 *                23): records 2+2+2+1 = 7, tokens 34+24+25+23 = 106, TP 4,
 *                FP 3, FN 2 -> F1 8/13
 *   budget:2     (run-c's run.json; run-a has none) lines 1 and 4 stop after
 *                record 2 (step 23): records 8, duplicates 1 (line 4's two
 *                copies), tokens 23+24+25+23 = 95
 *   near_dup:0.9 as repeat_stop here (the first near duplicate is exact)
 *   dedup        records 7 (first occurrences), no duplicates, tokens 118
 *                (decoding continues), termination as off (closed 3) */
static void test_session_metrics_per_policy(void **state)
{
	fx *f = *state;
	session *s = &f->s;
	char b[64];
	assert_int_equal(s->n_runs, 2);
	assert_true(session_idle_done(s));
	assert_string_equal(session_policy_name(s, COMPARE_POL_BUDGET, b, sizeof b), "budget:2");
	const session_run *r = &s->runs[1];
	const run_metrics *m = r->m;
	assert_int_equal(m[COMPARE_POL_OFF].records, 10);
	assert_int_equal(m[COMPARE_POL_OFF].duplicates, 3);
	assert_int_equal(m[COMPARE_POL_OFF].tokens, 118);
	assert_int_equal(m[COMPARE_POL_OFF].closed, 3);
	assert_true(fabs(m[COMPARE_POL_OFF].duplicate_rate - 0.3) < 1e-12);
	assert_true(fabs(m[COMPARE_POL_OFF].termination_rate - 0.75) < 1e-12);
	assert_int_equal(m[COMPARE_POL_OFF].counts[0].tp, 4);
	assert_int_equal(m[COMPARE_POL_OFF].counts[0].fp, 6);
	assert_int_equal(m[COMPARE_POL_OFF].counts[0].fn, 2);
	assert_true(fabs(m[COMPARE_POL_OFF].prf[0].f1 - 0.5) < 1e-12);
	assert_int_equal(m[COMPARE_POL_REPEAT_STOP].records, 7);
	assert_int_equal(m[COMPARE_POL_REPEAT_STOP].tokens, 106);
	assert_true(fabs(m[COMPARE_POL_REPEAT_STOP].prf[0].f1 - 8.0 / 13.0) < 1e-12);
	assert_int_equal(m[COMPARE_POL_BUDGET].records, 8);
	assert_int_equal(m[COMPARE_POL_BUDGET].duplicates, 1);
	assert_int_equal(m[COMPARE_POL_BUDGET].tokens, 95);
	assert_int_equal(m[COMPARE_POL_NEAR_DUP].records, 7);
	assert_int_equal(m[COMPARE_POL_NEAR_DUP].tokens, 106);
	assert_int_equal(m[COMPARE_POL_DEDUP].records, 7);
	assert_int_equal(m[COMPARE_POL_DEDUP].duplicates, 0);
	assert_int_equal(m[COMPARE_POL_DEDUP].tokens, 118);
	assert_int_equal(m[COMPARE_POL_DEDUP].closed, 3);
	/* hits at 0.3 per sample (policy off) */
	assert_int_equal(r->items[0].hits, 2);
	assert_int_equal(r->items[3].hits, 0);
	assert_int_equal(s->runs[0].items[3].hits, 1);
	assert_string_equal(r->items[0].key, "i:1");
	assert_string_equal(r->items[4].key, "l:5");  /* the bad line: by line number */
}

static void test_fixture_diff(void **state)
{
	fx *f = *state;
	const session_run *ra = &f->s.runs[0], *rc = &f->s.runs[1];
	compare_diff d;
	compare_diff_init(&d);
	assert_int_equal(compare_diff_build(&d, ra->items, ra->n, rc->items, rc->n), 0);
	assert_int_equal(d.n, 5);
	expect_row(&d.rows[0], 3, 3, COMPARE_CLS_WORSE);  /* line 4: two criteria */
	assert_int_equal(d.rows[0].flags, COMPARE_WORSE_HITS | COMPARE_WORSE_DUPS);
	assert_int_equal(d.rows[0].d_hits, -1);
	assert_int_equal(d.rows[0].d_dups, 1);
	expect_row(&d.rows[1], 0, 0, COMPARE_CLS_WORSE);  /* line 1: +1 dup */
	assert_int_equal(d.rows[1].flags, COMPARE_WORSE_DUPS);
	expect_row(&d.rows[2], 1, 1, COMPARE_CLS_BETTER);
	expect_row(&d.rows[3], 2, 2, COMPARE_CLS_SAME);
	expect_row(&d.rows[4], 4, 4, COMPARE_CLS_SAME);   /* both lines fail */
	compare_diff_free(&d);
}

static void test_ui_policy_cycle(void **state)
{
	fx *f = *state;
	ui *u = &f->u;
	session_view *v = &f->s.view;
	assert_int_equal(u->screen, UI_SCREEN_COMPARE);   /* two runs: comparison first */
	ui_action(u, ACT_ENTER);                          /* run-a */
	assert_int_equal(u->screen, UI_SCREEN_MAIN);
	ui_action(u, ACT_NEXT_SAMPLE);                    /* sample 2: A, B, B x6 */
	assert_int_equal(v->idx, 1);
	assert_int_equal(v->rp.cursor, 90);

	ui_action(u, ACT_POLICY);                         /* repeat_stop */
	assert_int_equal(u->pol_idx, COMPARE_POL_REPEAT_STOP);
	assert_true(v->rp.policy_on);
	assert_int_equal(v->rp.cursor, 33);
	assert_int_equal(replay_visible(&v->rp), 2);

	ui_action(u, ACT_POLICY);                         /* budget:2: stops at record 2 */
	assert_int_equal(u->pol_idx, COMPARE_POL_BUDGET);
	assert_int_equal(f->s.pol, COMPARE_POL_BUDGET);
	assert_int_equal(v->rp.cursor, 22);               /* the end stays the end */
	assert_int_equal(replay_len(&v->rp), 23);
	assert_int_equal(v->rp.kept, 2);
	assert_int_equal(v->on.tokens, 23);
	assert_true(replay_dropped(&v->rp, 2));

	ui_action(u, ACT_POLICY);                         /* near_dup:0.9: A and B do not
	                                                   * overlap; record 3 repeats B */
	assert_int_equal(v->rp.cursor, 33);
	assert_int_equal(v->rp.kept, 2);

	ui_action(u, ACT_POLICY);                         /* dedup: no cut, duplicates dropped */
	assert_int_equal(u->pol_idx, COMPARE_POL_DEDUP);
	assert_false(v->rp.fired);
	assert_true(v->rp.drop_dups);
	assert_int_equal(v->rp.cursor, 90);
	assert_int_equal(replay_len(&v->rp), 91);
	assert_int_equal(replay_visible(&v->rp), 8);
	assert_false(replay_dropped(&v->rp, 0));
	assert_false(replay_dropped(&v->rp, 1));
	for (size_t i = 2; i < 8; i++)
		assert_true(replay_dropped(&v->rp, i));      /* not a tail: the exact duplicates */
	assert_int_equal(v->on.rep.records, 2);
	assert_int_equal(v->on.counts[0].tp, 2);
	assert_int_equal(v->on.counts[0].fp, 0);
	assert_non_null(v->dd_match);
	assert_int_equal(v->dd_match[0], MATCH_TP);
	assert_int_equal(v->dd_match[1], MATCH_TP);
	const render_box *b;
	size_t nb = ui_boxes(u, &b);                      /* 2 gt + A + B, B no longer x7 */
	assert_int_equal(nb, 4);
	assert_int_equal(b[3].style, BOX_TP);
	assert_int_equal(b[3].count, 1);

	ui_action(u, ACT_REPEAT_STOP);                    /* r from dedup: repeat-stop on */
	assert_int_equal(u->pol_idx, COMPARE_POL_REPEAT_STOP);
	assert_false(v->rp.drop_dups);
	assert_int_equal(v->rp.cursor, 33);
	ui_action(u, ACT_REPEAT_STOP);                    /* and off */
	assert_int_equal(u->pol_idx, COMPARE_POL_OFF);
	assert_false(v->rp.policy_on);
	assert_int_equal(v->rp.cursor, 90);
	assert_int_equal(f->s.pol, COMPARE_POL_REPEAT_STOP); /* off compares with repeat_stop */

	ui_action(u, ACT_POLICY);
	ui_action(u, ACT_POLICY);                         /* budget:2 ... */
	ui_action(u, ACT_NEXT_SAMPLE);                    /* ... kept across samples */
	assert_int_equal(v->idx, 2);
	assert_true(v->rp.policy_on);
	assert_int_equal(f->s.pol, COMPARE_POL_BUDGET);
	ui_action(u, ACT_POLICY);
	ui_action(u, ACT_POLICY);                         /* dedup */
	ui_action(u, ACT_POLICY);
	assert_int_equal(u->pol_idx, COMPARE_POL_REP_DETECT);
	ui_action(u, ACT_POLICY);
	assert_int_equal(u->pol_idx, COMPARE_POL_LADDER);
	ui_action(u, ACT_POLICY);
	assert_int_equal(u->pol_idx, COMPARE_POL_CLOSE_PROB);
	ui_action(u, ACT_POLICY);                         /* ... back to off */
	assert_int_equal(u->pol_idx, COMPARE_POL_OFF);
	assert_false(v->rp.policy_on);
}

static void test_ui_compare_and_diff_keys(void **state)
{
	fx *f = *state;
	ui *u = &f->u;
	session *s = &f->s;
	assert_int_equal(u->screen, UI_SCREEN_COMPARE);
	assert_int_equal(ui_cmp(u)->cur.sel, 0);
	ui_action(u, ACT_DOWN);
	assert_int_equal(ui_cmp(u)->cur.sel, 1);
	ui_action(u, ACT_DOWN);                           /* clamps at the last run */
	assert_int_equal(ui_cmp(u)->cur.sel, 1);
	ui_key(u, 0, '\r');                               /* Enter: drill into run-c */
	assert_int_equal(u->screen, UI_SCREEN_MAIN);
	assert_int_equal(s->cur, 1);
	assert_int_equal(s->view.run, 1);
	ui_key(u, 0, 'c');
	assert_int_equal(u->screen, UI_SCREEN_COMPARE);
	assert_int_equal(ui_cmp(u)->cur.sel, 1);                  /* on the current run */
	ui_key(u, 0, 27);                                 /* Esc: back to the debugger */
	assert_int_equal(u->screen, UI_SCREEN_MAIN);
	ui_key(u, 0, 'c');
	ui_action(u, ACT_UP);
	ui_key(u, 0, 'd');                                /* diff run-a -> run-c */
	assert_int_equal(u->screen, UI_SCREEN_DIFF);
	assert_int_equal(ui_dif(u)->a, 0);
	assert_int_equal(ui_dif(u)->b, 1);
	assert_int_equal(ui_dif(u)->diff.n, 5);
	assert_int_equal(ui_dif(u)->diff.rows[0].a, 3);           /* the worst sample first */
	assert_int_equal(ui_dif(u)->side, 1);
	ui_key(u, 0, '\r');                               /* opens line 4 in run-c */
	assert_int_equal(u->screen, UI_SCREEN_MAIN);
	assert_int_equal(s->cur, 1);
	assert_int_equal(s->view.idx, 3);

	ui_key(u, 0, 'd');                                /* d from the debugger too */
	assert_int_equal(u->screen, UI_SCREEN_DIFF);
	ui_action(u, ACT_DOWN);                           /* line 1 */
	ui_action(u, ACT_STEP_BACK);                      /* pick run A */
	assert_int_equal(ui_dif(u)->side, 0);
	ui_action(u, ACT_NEXT_PANE);                      /* Tab: B */
	assert_int_equal(ui_dif(u)->side, 1);
	ui_action(u, ACT_PREV_PANE);                      /* A again */
	ui_key(u, 0, '\n');
	assert_int_equal(s->cur, 0);
	assert_int_equal(s->view.idx, 0);

	/* a filter hiding the sample is cleared when drilling in */
	session_run *ra = &s->runs[0];
	slist_filter_parse("trunc", &ra->list.filter);
	slist_rebuild(&ra->list, ra->items, ra->n);
	assert_int_equal(ra->list.n_view, 1);
	ui_key(u, 0, 'd');
	ui_action(u, ACT_DOWN);
	ui_action(u, ACT_STEP_BACK);
	ui_key(u, 0, '\r');                               /* line 1 of run-a (closed) */
	assert_int_equal(ra->list.n_view, 5);
	assert_int_equal(s->view.idx, 0);

	/* d and Esc leave the diff for the comparison */
	ui_key(u, 0, 'd');
	ui_key(u, 0, 'd');
	assert_int_equal(u->screen, UI_SCREEN_COMPARE);
	ui_key(u, 0, 'd');
	ui_key(u, 0, 27);
	assert_int_equal(u->screen, UI_SCREEN_COMPARE);
	/* keys of the debugger only leave a hint */
	ui_key(u, 0, 'n');
	assert_int_equal(u->screen, UI_SCREEN_COMPARE);
	assert_non_null(strstr(u->note, "Enter opens the run"));
	/* o works here and changes the compared policy */
	ui_key(u, 0, 'o');
	ui_key(u, 0, 'o');
	assert_int_equal(s->pol, COMPARE_POL_BUDGET);
	ui_key(u, 0, 'q');
	assert_true(u->quit);
}

static void test_ui_diff_pair(void **state)
{
	fx *f = *state;
	ui *u = &f->u;
	size_t a, b;
	assert_int_equal(u->screen, UI_SCREEN_COMPARE);
	assert_true(ui_diff_pair(u, &a, &b));             /* nothing marked, run 1: 1 and 2 */
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	ui_action(u, ACT_BOTTOM);                         /* run-c selected: run 1 vs it */
	assert_true(ui_diff_pair(u, &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 2);
	ui_action(u, ACT_PLAY);                           /* Space marks run-c */
	assert_int_equal(ui_cmp(u)->n_mark, 1);
	ui_action(u, ACT_UP);                             /* run-b selected: marked vs selected */
	assert_true(ui_diff_pair(u, &a, &b));
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	ui_action(u, ACT_UP);
	ui_action(u, ACT_PLAY);                           /* mark run-a too: the marked two */
	ui_action(u, ACT_DOWN);
	assert_true(ui_diff_pair(u, &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 2);
	ui_action(u, ACT_TOP);
	ui_action(u, ACT_PLAY);                           /* unmark run-a */
	assert_int_equal(ui_cmp(u)->n_mark, 1);
	assert_int_equal(ui_cmp(u)->mark[0], 2);
	ui_action(u, ACT_BOTTOM);
	ui_action(u, ACT_PLAY);                           /* unmark run-c */
	assert_int_equal(ui_cmp(u)->n_mark, 0);
	/* run-a and run-b share their traces: every sample unchanged */
	ui_action(u, ACT_UP);                             /* run-b */
	ui_action(u, ACT_DIFF);
	assert_int_equal(ui_dif(u)->a, 0);
	assert_int_equal(ui_dif(u)->b, 1);
	assert_int_equal(ui_dif(u)->diff.n_same, 5);
	assert_int_equal(ui_dif(u)->diff.n_worse, 0);
}

/* The dispatcher routes a request to the screen first, then to the global
 * requests (ui.c's table): on the comparison and the diff screens every
 * global request must reach its handler.  The old screen_action ended in a
 * catch-all that answered any request missing from its hand-written list
 * with a hint, so a new global key was silently swallowed there; this loop
 * covers every entry of the table, present and future.  Only c, d and Esc
 * belong to these screens (they leave them). */
static int hinted(const ui *u)
{
	return strstr(u->note, "Enter opens the") != NULL;
}

static void check_global(ui *u, session *s, int screen, keys_action a)
{
	int pol = u->pol_idx;
	size_t cur = s->cur;
	u->screen = screen;
	u->overlay = UI_OV_NONE;
	u->quit = 0;
	u->note[0] = 0;
	unsigned m = ui_action(u, a);
	assert_false(hinted(u));
	switch (a) {
	case ACT_NONE: assert_int_equal(m, 0); break;
	case ACT_QUIT: assert_true(u->quit); break;
	case ACT_HELP: assert_int_equal(u->overlay, UI_OV_HELP); break;
	case ACT_METRICS: assert_int_equal(u->overlay, UI_OV_METRICS); break;
	case ACT_HISTOGRAM: assert_int_equal(u->overlay, UI_OV_HISTOGRAM); break;
	case ACT_SWEEP: assert_int_equal(u->overlay, UI_OV_SWEEP); break;
	case ACT_ABOUT: assert_int_equal(u->overlay, UI_OV_ABOUT); break;
	case ACT_INFO: assert_int_equal(u->overlay, UI_OV_INFO); break;
	case ACT_POLICY: assert_int_equal(u->pol_idx, (pol + 1) % COMPARE_N_POL); break;
	case ACT_REPEAT_STOP:
		assert_int_equal(u->pol_idx, pol == COMPARE_POL_REPEAT_STOP ? COMPARE_POL_OFF
		                                                            : COMPARE_POL_REPEAT_STOP);
		break;
	case ACT_NEXT_RUN: assert_int_equal(s->cur, (cur + 1) % s->n_runs); break;
	case ACT_REDRAW: assert_int_equal(m, UI_RD_ALL); break;
	default: break; /* a newer global request: not swallowed is all we know */
	}
	if (a != ACT_QUIT && a != ACT_NONE && a != ACT_POLICY && a != ACT_REPEAT_STOP)
		assert_int_not_equal(m, 0);
}

static void test_ui_global_requests_on_every_screen(void **state)
{
	fx *f = *state;
	ui *u = &f->u;
	session *s = &f->s;
	size_t n_global = 0;
	ui_key(u, 0, 'd'); /* build a diff */
	assert_int_equal(u->screen, UI_SCREEN_DIFF);
	for (int screen = UI_SCREEN_COMPARE; screen <= UI_SCREEN_DIFF; screen++)
		for (int a = 0; a < ACT_COUNT; a++) {
			if (!ui_global_has((keys_action)a) || a == ACT_COMPARE || a == ACT_DIFF || a == ACT_CLOSE)
				continue;
			check_global(u, s, screen, (keys_action)a);
			n_global++;
		}
	assert_int_equal(n_global, 2 * 14); /* none, q ? m M O o r R Ctrl-L A I i T */
	/* what is neither the screen's nor global still leaves the hint */
	u->screen = UI_SCREEN_COMPARE;
	u->overlay = UI_OV_NONE;
	ui_action(u, ACT_NEXT_SAMPLE);
	assert_true(hinted(u));
	assert_int_equal(u->screen, UI_SCREEN_COMPARE);
	u->note[0] = 0;
	u->screen = UI_SCREEN_DIFF;
	ui_action(u, ACT_GT);
	assert_true(hinted(u));
	/* and a global request does nothing screen-specific on the debugger */
	assert_false(ui_global_has(ACT_NEXT_SAMPLE));
	assert_true(ui_global_has(ACT_HELP));
}

/* Every view registers through views.def: its id is its line's, its name is
 * unique, its private state exists when it asks for some, and an overlay
 * with a toggle opens from its key and closes again (the about overlay was
 * added as one file plus that line and its key). */
static void test_view_registry(void **state)
{
	fx *f = *state;
	ui *u = &f->u;
	size_t nk;
	const keys_binding *tb = keys_table(&nk);
	int n_views = 0, n_toggles = 0;
	for (int id = UI_OV_NONE + 1; id < UI_V_COUNT; id++) {
		const ui_view *v = ui_view_by_id(id);
		assert_non_null(v);
		assert_int_equal(v->id, id);
		n_views++;
		for (int k = UI_OV_NONE + 1; k < id; k++)
			assert_string_not_equal(ui_view_by_id(k)->name, v->name);
		assert_true(v->private_size == 0 || ui_private(u, v) != NULL);
		/* its ops: every view draws; every view but a pane takes requests (an overlay
		 * at least closes on Esc), or raw input before they become one */
		assert_true(v->draw != NULL || v->panes != NULL); /* or a screen of panes */
		for (const ui_view *const *p = v->panes; p && *p; p++)
			assert_non_null((*p)->draw);
		assert_true(v->requests != NULL || v->input != NULL || v->win >= 0); /* or a pane that takes none (status) */
		assert_true(v->rd != 0);
		if (v->toggle == ACT_NONE)
			continue;
		int key = -1;
		for (size_t i = 0; i < nk && key < 0; i++)
			if (tb[i].act == v->toggle)
				key = tb[i].key;
		assert_true(key >= 0);
		u->screen = UI_SCREEN_MAIN;
		u->overlay = UI_OV_NONE;
		ui_key(u, 0, (unsigned)key);
		assert_int_equal(u->overlay, id);
		ui_key(u, 0, 27); /* Esc closes every overlay */
		assert_int_equal(u->overlay, UI_OV_NONE);
		n_toggles++;
	}
	assert_null(ui_view_by_id(UI_OV_NONE));
	assert_null(ui_view_by_id(UI_V_COUNT));
	assert_int_equal(n_views, 17);  /* 5 panes, 3 screens, 9 overlays */
	assert_int_equal(n_toggles, 8); /* ? m M O A I i T (the filter opens from /) */
	assert_ptr_equal(ui_view_by_id(UI_OV_INFO), &ui_overlay_info);
	assert_ptr_equal(ui_view_by_id(UI_OV_ABOUT), &ui_overlay_about);
}

/* The per-frame view the panes draw from: the current run, the sample on
 * screen and the policy names they show (repeat-stop as the status bar
 * says it, any other policy by its canonical name). */
static void test_ui_frame(void **state)
{
	fx *f = *state;
	ui *u = &f->u;
	session *s = &f->s;
	ui_frame fr;
	ui_key(u, 0, '\r');                               /* run-a in the debugger */
	ui_frame_build(u, &fr);
	assert_ptr_equal(fr.s, s);
	assert_ptr_equal(fr.run, &s->runs[0]);
	assert_ptr_equal(fr.v, &s->view);
	assert_true(fr.ok);
	assert_false(fr.rs_on);
	assert_string_equal(fr.pol_name, "repeat_stop");  /* compared with off */
	ui_key(u, 0, 'o');
	ui_frame_build(u, &fr);
	assert_true(fr.rs_on);
	assert_string_equal(fr.pol_label, "repeat-stop");
	ui_key(u, 0, 'o');
	ui_frame_build(u, &fr);
	assert_false(fr.rs_on);
	assert_string_equal(fr.pol_name, "budget:2");
	assert_string_equal(fr.pol_label, "budget:2");
	ui_key(u, 0, 'G');                                /* line 5: not JSON */
	ui_frame_build(u, &fr);
	assert_true(fr.v->valid);
	assert_false(fr.ok);
	ui_key(u, 0, 'R');                                /* next run */
	ui_frame_build(u, &fr);
	assert_ptr_equal(fr.run, &s->runs[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worst_lowest_f1),
		cmocka_unit_test(test_worst_ties_as_shown),
		cmocka_unit_test(test_worst_highest_and_invalid),
		cmocka_unit_test(test_worst_none_when_equal_or_alone),
		cmocka_unit_test(test_tokens_comparable),
		cmocka_unit_test(test_prompt_variant),
		cmocka_unit_test(test_policy_cycle),
		cmocka_unit_test(test_diff_order),
		cmocka_unit_test(test_diff_pending_and_repeated_keys),
		cmocka_unit_test_setup_teardown(test_session_metrics_per_policy, setup_ac, teardown),
		cmocka_unit_test_setup_teardown(test_fixture_diff, setup_ac, teardown),
		cmocka_unit_test_setup_teardown(test_ui_policy_cycle, setup_ac, teardown),
		cmocka_unit_test_setup_teardown(test_ui_compare_and_diff_keys, setup_ac, teardown),
		cmocka_unit_test_setup_teardown(test_ui_diff_pair, setup_abc, teardown),
		cmocka_unit_test_setup_teardown(test_view_registry, setup_ac, teardown),
		cmocka_unit_test_setup_teardown(test_ui_global_requests_on_every_screen, setup_ac, teardown),
		cmocka_unit_test_setup_teardown(test_ui_frame, setup_ac, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
