/* The TUI without a terminal: layout arithmetic, the colour pair cache's
 * bookkeeping (with a fake "init_pair"), and the UI actions driven headless
 * over the fixture run tests/data/tui/run-a (see tests/tui/test_tui.sh for
 * what each sample holds).  Run from the repository root (make check does).
 * Expected values are worked out by hand:
 *   sample 2 (index 1): records A, B, then B x6; tokens per record: 11
 *   (first record: steps 1..11, next ones 12..22, 23..33, ...), 91 steps,
 *   truncated.  Record 3 (index 2) is the first duplicate: repeat-stop stops
 *   at step index 33 and keeps 2 records; the tail starts at index 2, whose
 *   first step is 23.  A = qwen3 [100,100,300,900] on 160x120 pixels
 *   = (16, 12, 48, 108). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "overlay.h"
#include "pairs.h"
#include "session.h"
#include "ui.h"

#define FIXTURE "tests/data/tui/run-a"

/* ---- layout ---- */

static void test_layout_sizes(void **state)
{
	(void)state;
	ui_layout l;
	ui_layout_compute(50, 160, &l);       /* full: 34 | 78 | 48, timeline 9 rows */
	assert_false(l.too_small);
	assert_false(l.reduced);
	assert_int_equal(l.samples.w, 34);
	assert_int_equal(l.image.x, 34);
	assert_int_equal(l.image.w, 78);
	assert_int_equal(l.records.x, 112);
	assert_int_equal(l.records.w, 48);
	assert_int_equal(l.timeline.y, 40);   /* 50 - 1 status - 9 */
	assert_int_equal(l.timeline.h, 9);
	assert_int_equal(l.status.y, 49);
	assert_int_equal(l.samples.h, 40);

	ui_layout_compute(15, 60, &l);        /* reduced: no image, 24 | 36, timeline 5 */
	assert_false(l.too_small);
	assert_true(l.reduced);
	assert_int_equal(l.image.w, 0);
	assert_int_equal(l.samples.w, 24);    /* 60 * 2 / 5 */
	assert_int_equal(l.records.x, 24);
	assert_int_equal(l.records.w, 36);
	assert_int_equal(l.timeline.h, 5);
	assert_int_equal(l.samples.h, 9);     /* 15 - 1 - 5 */

	ui_layout_compute_zoom(24, 80, 1, &l); /* z at 80x24: the image over the lists */
	assert_true(l.zoom);
	assert_true(l.reduced);
	assert_int_equal(l.image.y, 0);
	assert_int_equal(l.image.w, 80);
	assert_int_equal(l.image.h, 16);      /* 24 - 1 status - 7 timeline */
	assert_int_equal(l.samples.w, 0);
	assert_int_equal(l.records.w, 0);
	ui_layout_compute_zoom(12, 50, 1, &l); /* and at the minimum: 12 - 1 - 5 */
	assert_int_equal(l.image.h, 6);
	assert_int_equal(l.image.w, 50);

	ui_layout_compute(30, 120, &l);       /* full at 24..39 rows: timeline 7 */
	assert_false(l.reduced);
	assert_int_equal(l.timeline.h, 7);
	assert_int_equal(l.samples.w + l.image.w + l.records.w, 120);

	ui_layout_compute(12, 50, &l);        /* the minimum still works */
	assert_false(l.too_small);
	ui_layout_compute(12, 49, &l);
	assert_true(l.too_small);
	ui_layout_compute(11, 50, &l);
	assert_true(l.too_small);
}

/* ---- pair cache ---- */

static int inits, fail_next;
static int fake_init(void *ud, int pair, int fg, int bg)
{
	(void)ud; (void)pair; (void)fg; (void)bg;
	if (fail_next) {
		fail_next = 0;
		return -1;
	}
	inits++;
	return 0;
}

static void test_pairs_budget_and_reset(void **state)
{
	(void)state;
	inits = 0;
	pairs *p = pairs_new(32, 36, fake_init, NULL); /* 4 pairs: 32..35 */
	assert_non_null(p);
	assert_int_equal(pairs_budget(p), 4);
	assert_int_equal(pairs_get(p, 1, 2), 32);
	assert_int_equal(pairs_get(p, 1, 2), 32);     /* cached: no new init */
	assert_int_equal(inits, 1);
	assert_int_equal(pairs_get(p, 2, 1), 33);     /* order matters */
	assert_int_equal(pairs_get(p, -1, 5), 34);
	assert_int_equal(pairs_get(p, 7, -1), 35);
	assert_int_equal(pairs_used(p), 4);
	assert_int_equal(pairs_get(p, 9, 9), -1);     /* full: never recycles */
	/* the nearest defined pair: same bg first (34 = -1/5), then same fg */
	assert_int_equal(pairs_near(p, 3, 5), 34);
	assert_int_equal(pairs_near(p, 2, 2), 32);    /* bg 2 is pair 32's (1,2) */
	assert_int_equal(pairs_near(p, 7, 0), 35);    /* fg 7: pair 35 (7,-1) */
	assert_int_equal(pairs_near(p, 4, 4), -1);    /* shares nothing */
	assert_int_equal(pairs_near(p, 1, 2), 32);    /* exact */
	assert_int_equal(pairs_get(p, 1, 2), 32);     /* existing ones still served */
	assert_int_equal(pairs_generation(p), 0);
	pairs_reset(p);
	assert_int_equal(pairs_generation(p), 1);
	assert_int_equal(pairs_used(p), 0);
	assert_int_equal(pairs_get(p, 9, 9), 32);     /* numbers restart */
	fail_next = 1;
	assert_int_equal(pairs_get(p, 3, 3), -1);     /* init failed: not cached */
	assert_int_equal(pairs_get(p, 3, 3), 33);
	assert_int_equal(inits, 6);
	pairs_free(p);

	/* direct colour: RGB values below 8 would be palette indices */
	assert_int_equal(pairs_direct_color(0x000000), 8);
	assert_int_equal(pairs_direct_color(0x000007), 8);
	assert_int_equal(pairs_direct_color(0x000008), 8);
	assert_int_equal(pairs_direct_color(0x123456), 0x123456);
	assert_int_equal(pairs_direct_color(-1), -1);
}

/* ---- headless UI over the fixture ---- */

typedef struct fx {
	session s;
	ui u;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	session_opts o;
	ts_error err;
	char *paths[] = {(char *)FIXTURE};
	session_opts_default(&o);
	if (!f || session_open(&f->s, paths, 1, &o, NULL, NULL, &err) != TS_OK) {
		free(f);
		return -1;
	}
	while (session_idle(&f->s, 2) > 0)
		;
	ui_init(&f->u, &f->s, 1);
	ui_layout_compute(50, 160, &f->u.lay);
	ui_show_selected(&f->u);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	ui_free(&f->u);
	session_free(&f->s);
	free(f);
	return 0;
}

static void test_session_badges(void **state)
{
	fx *f = *state;
	session_run *r = session_cur(&f->s);
	assert_int_equal(r->n, 5);
	assert_true(session_idle_done(&f->s));
	const slist_item *it = r->items;
	assert_int_equal(it[0].records, 2);
	assert_int_equal(it[0].term, SLIST_TERM_CLOSED);
	assert_true(it[0].has_f1);
	assert_true(fabs(it[0].f1 - 1.0) < 1e-9);     /* both boxes right */
	assert_int_equal(it[1].records, 8);
	assert_int_equal(it[1].dups, 6);
	assert_int_equal(it[1].max_repeat, 7);
	assert_int_equal(it[1].term, SLIST_TERM_TRUNCATED);
	/* F1 of sample 2: TP 2 (A, B), FP 6 (repeats), FN 0 -> P 0.25 R 1 F1 0.4 */
	assert_true(fabs(it[1].f1 - 0.4) < 1e-9);
	assert_int_equal(it[3].term, SLIST_TERM_MALFORMED);
	assert_true(it[4].failed);
	assert_string_equal(it[4].name, "line 5");
	assert_string_equal(it[0].labels, "cat\ndog");
	/* run metrics over the 4 good samples: records 2+8+2+2, dups 6+1 */
	assert_int_equal(r->m[COMPARE_POL_OFF].samples, 4);
	assert_int_equal(r->m[COMPARE_POL_OFF].records, 14);
	assert_int_equal(r->m[COMPARE_POL_OFF].duplicates, 7);
	assert_int_equal(r->m[COMPARE_POL_REPEAT_STOP].records, 7);        /* 2 + 2 + 2 + 1 */
	assert_int_equal(r->m[COMPARE_POL_REPEAT_STOP].duplicates, 0);
	assert_int_equal(r->metrics_skipped, 1);
}

static void test_ui_replay_and_repeat_stop(void **state)
{
	fx *f = *state;
	ui *u = &f->u;
	session_view *v = &f->s.view;
	assert_true(v->valid);
	assert_int_equal(v->idx, 0);
	assert_int_equal(v->rp.n_steps, 24);
	assert_int_equal(v->rp.cursor, 23);           /* opens at the end */

	ui_action(u, ACT_NEXT_SAMPLE);
	assert_int_equal(v->idx, 1);
	assert_int_equal(v->rp.n_steps, 91);
	assert_int_equal(v->rp.cursor, 90);
	assert_int_equal(replay_visible(&v->rp), 8);
	assert_int_equal(u->rec.sel, 7);              /* follows the last visible record */

	ui_action(u, ACT_REPEAT_STOP);
	assert_true(v->rp.policy_on);
	assert_int_equal(v->rp.cursor, 33);
	assert_int_equal(replay_len(&v->rp), 34);
	assert_int_equal(replay_visible(&v->rp), 2);
	assert_int_equal(u->rec.sel, 1);

	/* the policy survives a sample change */
	ui_action(u, ACT_PREV_SAMPLE);
	ui_action(u, ACT_NEXT_SAMPLE);
	assert_true(v->rp.policy_on);
	assert_int_equal(v->rp.cursor, 33);

	ui_action(u, ACT_REPEAT_STOP);
	assert_false(v->rp.policy_on);
	assert_int_equal(v->rp.cursor, 90);

	ui_action(u, ACT_TERMINATION);                /* first step of the tail (record 3) */
	assert_int_equal(v->rp.cursor, 23);
	ui_action(u, ACT_TRACE_START);
	assert_int_equal(v->rp.cursor, 0);
	ui_action(u, ACT_NEXT_BOUNDARY);
	assert_int_equal(v->rp.cursor, 11);
	ui_action(u, ACT_NEXT_BOUNDARY);
	assert_int_equal(v->rp.cursor, 22);
	ui_action(u, ACT_STEP_BACK);
	assert_int_equal(v->rp.cursor, 21);
	assert_int_equal(replay_visible(&v->rp), 1);
	ui_action(u, ACT_STEP_FWD);
	ui_action(u, ACT_STEP_FWD);
	assert_int_equal(v->rp.cursor, 23);

	/* records pane: selecting a record moves the cursor to its completion */
	ui_action(u, ACT_NEXT_PANE);
	assert_int_equal(u->focus, UI_PANE_RECORDS);
	assert_int_equal(u->rec.sel, 1);
	ui_action(u, ACT_DOWN);
	assert_int_equal(u->rec.sel, 2);
	assert_int_equal(v->rp.cursor, 33);
	ui_action(u, ACT_BOTTOM);
	assert_int_equal(u->rec.sel, 7);
	assert_int_equal(v->rp.cursor, 88);           /* record 8: steps 78..88 */
	/* timeline pane: j/k step, g/G start/end */
	ui_action(u, ACT_NEXT_PANE);
	ui_action(u, ACT_BOTTOM);
	assert_int_equal(v->rp.cursor, 90);
	ui_action(u, ACT_UP);
	assert_int_equal(v->rp.cursor, 89);
	ui_action(u, ACT_PAGE_UP);                    /* a timeline page: 20 steps */
	assert_int_equal(v->rp.cursor, 69);
	ui_action(u, ACT_PAGE_DOWN);
	assert_int_equal(v->rp.cursor, 89);
	ui_action(u, ACT_NEXT_PANE);                  /* back to samples */
	assert_int_equal(u->focus, UI_PANE_SAMPLES);

	/* playing: ticks advance and stop at the end */
	ui_action(u, ACT_TRACE_END);
	ui_action(u, ACT_PLAY);                       /* at the end: restarts from 0 */
	assert_true(u->playing);
	assert_int_equal(v->rp.cursor, 0);
	ui_tick(u, 50);
	assert_int_equal(v->rp.cursor, 50);
	ui_tick(u, 50);
	assert_int_equal(v->rp.cursor, 90);
	assert_false(u->playing);
}

static void test_ui_boxes(void **state)
{
	fx *f = *state;
	ui *u = &f->u;
	const render_box *b;
	size_t n;

	/* sample 1 at its end: 2 gt boxes matched (GT) + cat, dog hits (TP) */
	n = ui_boxes(u, &b);
	assert_int_equal(n, 4);
	assert_int_equal(b[0].style, BOX_GT);
	assert_int_equal(b[1].style, BOX_GT);
	assert_int_equal(b[2].style, BOX_TP);
	assert_int_equal(b[3].style, BOX_TP);
	ui_action(u, ACT_GT);                         /* ground truth hidden */
	assert_int_equal(ui_boxes(u, &b), 2);
	ui_action(u, ACT_GT);

	ui_action(u, ACT_NEXT_SAMPLE);                /* sample 2 at the end */
	n = ui_boxes(u, &b);
	assert_int_equal(n, 4);
	assert_int_equal(b[2].style, BOX_TP);         /* A */
	assert_true(fabs(b[2].x1 - 16) < 1e-9 && fabs(b[2].y1 - 12) < 1e-9);
	assert_true(fabs(b[2].x2 - 48) < 1e-9 && fabs(b[2].y2 - 108) < 1e-9);
	assert_int_equal(b[3].style, BOX_DUP);        /* B and its 6 repeats: one box, x7 */
	assert_int_equal(b[3].count, 7);
	assert_true(b[3].selected);                   /* the last record repeats B */

	ui_action(u, ACT_REPEAT_STOP);                /* stop: A, B as hits, repeats dropped */
	n = ui_boxes(u, &b);
	assert_int_equal(n, 4);
	assert_int_equal(b[3].style, BOX_TP);
	assert_int_equal(b[3].count, 1);
	ui_action(u, ACT_REPEAT_STOP);

	ui_action(u, ACT_TRACE_START);                /* nothing decoded: both gt missed */
	n = ui_boxes(u, &b);
	assert_int_equal(n, 2);
	assert_int_equal(b[0].style, BOX_MISS);
	assert_int_equal(b[1].style, BOX_MISS);
	replay_set(&f->s.view.rp, 11);                /* A decoded: its gt box matched */
	n = ui_boxes(u, &b);
	assert_int_equal(n, 3);
	assert_int_equal(b[0].style + b[1].style, BOX_GT + BOX_MISS);
}

static void feed(ui *u, const char *s)
{
	for (; *s; s++)
		ui_key(u, 0, (unsigned char)*s);
}

static void test_ui_filter_and_sort(void **state)
{
	fx *f = *state;
	ui *u = &f->u;
	session_run *r = session_cur(&f->s);

	ui_key(u, 0, '/');
	assert_int_equal(u->overlay, UI_OV_FILTER);
	feed(u, "dup\r");
	assert_int_equal(u->overlay, UI_OV_NONE);
	assert_int_equal(r->list.n_view, 2);          /* samples 2 and 4 */
	assert_int_equal(r->list.view[0], 1);
	assert_int_equal(r->list.view[1], 3);
	assert_int_equal(f->s.view.idx, 1);           /* selection moved into the view */

	ui_key(u, 0, '/');
	ui_key(u, 0, 21);                             /* Ctrl-U clears the prompt */
	feed(u, "label:DOG\r");
	assert_int_equal(r->list.n_view, 1);
	assert_int_equal(f->s.view.idx, 0);

	ui_key(u, 0, '/');
	size_t plen = 1;
	assert_string_equal(ui_filter_prompt(u, &plen), ""); /* the prompt opens empty */
	assert_int_equal(plen, 0);
	feed(u, "xyz");
	ui_key(u, 0, 27);                             /* Esc: the old filter stays */
	assert_int_equal(r->list.n_view, 1);
	assert_int_equal(r->list.filter.kind, SLIST_FILTER_LABEL);
	assert_string_equal(r->list.filter.text, "dog");
	assert_string_equal(ui_filter_prompt(u, NULL), ""); /* and the prompt is not pre-filled */

	ui_key(u, 0, '/');
	ui_key(u, 0, 21);
	feed(u, "zzz");
	ui_key(u, 0, 127);                            /* Backspace */
	assert_string_equal(ui_filter_prompt(u, NULL), "zz");
	ui_key(u, 0, 0x1b);
	ui_key(u, 0, '/');
	ui_key(u, 0, 21);
	ui_key(u, 0, '\r');                           /* empty: cleared */
	assert_int_equal(r->list.n_view, 5);

	ui_action(u, ACT_SORT);
	assert_int_equal(r->list.sort, SLIST_SORT_DUPS);
	assert_int_equal(r->list.view[0], 1);         /* 6 dups */
	assert_int_equal(r->list.view[1], 3);         /* 1 dup */
	/* the selection and the scroll go to the top of the new order (issue 14) */
	assert_int_equal(r->list.cur.sel, 0);
	assert_int_equal(r->list.cur.top, 0);
	assert_int_equal(slist_selected(&r->list), 1);
	assert_int_equal(f->s.view.idx, 1);           /* and it is shown */
}

/* tests/data/tui/edge.jsonl, no ground truth:
 *   0: no tokens at all
 *   1: text only (no logprobs): two identical "cat" records [10,20,30,40];
 *      no image, so boxes assume a 1000x1000 canvas: (10,20)-(30,40)
 *   2: two tokens of prose, no record, cut at the limit */
static void test_ui_edge_samples(void **state)
{
	(void)state;
	session s;
	ui u;
	session_opts o;
	ts_error err;
	char *paths[] = {(char *)"tests/data/tui/edge.jsonl"};
	const render_box *b;
	session_opts_default(&o);
	assert_int_equal(session_open(&s, paths, 1, &o, NULL, NULL, &err), TS_OK);
	ui_init(&u, &s, 1);
	ui_layout_compute(50, 160, &u.lay);
	ui_show_selected(&u);

	/* empty trace: every action is a no-op on the cursor (-1 = no step) */
	assert_true(s.view.valid);
	assert_false(s.view.failed);
	assert_int_equal(s.view.rp.n_steps, 0);
	assert_int_equal(s.view.rp.cursor, -1);
	assert_int_equal(ui_boxes(&u, &b), 0);
	keys_action acts[] = {ACT_STEP_FWD, ACT_STEP_BACK, ACT_NEXT_BOUNDARY, ACT_PREV_BOUNDARY,
	                      ACT_TERMINATION, ACT_TRACE_END, ACT_REPEAT_STOP, ACT_REPEAT_STOP};
	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
		ui_action(&u, acts[i]);
		assert_int_equal(s.view.rp.cursor, -1);
	}
	ui_action(&u, ACT_PLAY);
	ui_tick(&u, 5);
	assert_false(u.playing);
	assert_int_equal(s.view.rp.cursor, -1);

	/* text-only duplicate pair */
	ui_action(&u, ACT_NEXT_SAMPLE);
	assert_int_equal(s.view.idx, 1);
	assert_int_equal(s.view.rp.n_rec, 2);
	assert_int_equal(ui_boxes(&u, &b), 1);
	assert_int_equal(b[0].style, BOX_DUP);
	assert_int_equal(b[0].count, 2);
	assert_true(fabs(b[0].x1 - 10) < 1e-9 && fabs(b[0].y2 - 40) < 1e-9);
	/* the export (x) of the pair: the whole list, record 1 (the duplicate:
	 * tail_start 1) in the tail -> one DUP x2 flagged tail */
	render_overlay_req rq;
	render_box *eb = NULL;
	size_t ecap = 0, en = 0;
	policy_cut off = {0, 2, -1, 0};
	render_overlay_req_export(&rq, s.view.s, NULL, NULL, off, NULL);
	assert_int_equal(render_overlay_boxes(&rq, &eb, &ecap, &en, NULL), TS_OK);
	assert_int_equal(en, 1);
	assert_int_equal(eb[0].style, BOX_DUP);
	assert_int_equal(eb[0].count, 2);
	assert_int_equal(eb[0].tail, 1);
	ui_action(&u, ACT_REPEAT_STOP);
	assert_int_equal(replay_visible(&s.view.rp), 1);
	assert_int_equal(ui_boxes(&u, &b), 1);
	assert_int_equal(b[0].style, BOX_PRED);
	/* ... with repeat_stop (keeps record 0): the kept box, not in the tail,
	 * and over it the cut copy: CUT x1, in the tail, at the same place */
	render_overlay_req_export(&rq, s.view.s, NULL, NULL, s.view.on.cut, NULL);
	assert_int_equal(render_overlay_boxes(&rq, &eb, &ecap, &en, NULL), TS_OK);
	assert_int_equal(en, 2);
	assert_int_equal(eb[0].style, BOX_PRED);
	assert_int_equal(eb[0].tail, 0);
	assert_int_equal(eb[1].style, BOX_CUT);
	assert_int_equal(eb[1].count, 1);
	assert_int_equal(eb[1].tail, 1);
	assert_true(fabs(eb[1].x1 - 10) < 1e-9 && fabs(eb[1].y2 - 40) < 1e-9);
	free(eb);
	ui_action(&u, ACT_REPEAT_STOP);
	int blank = 0;
	const render_image *img = ui_image_source(&u, &blank);
	assert_non_null(img);
	assert_true(blank);
	assert_int_equal(img->w, 1000);

	/* no record, cut at the limit: the termination point is the last step */
	ui_action(&u, ACT_NEXT_SAMPLE);
	assert_int_equal(s.view.idx, 2);
	assert_int_equal(s.view.rp.n_rec, 0);
	assert_int_equal(ui_boxes(&u, &b), 0);
	ui_action(&u, ACT_TRACE_START);
	ui_action(&u, ACT_TERMINATION);
	assert_int_equal(s.view.rp.cursor, 1);
	ui_action(&u, ACT_NEXT_PANE);                 /* records pane: nothing to select */
	assert_int_equal(ui_action(&u, ACT_DOWN), 0);

	ui_free(&u);
	session_free(&s);
}

/* The wheel moves the pane under the pointer, whatever has the focus
 * (layout 160x50: samples x 0-33, image 34-111, records 112-159, rows 0-39;
 * timeline rows 40-48). */
/* Where a sample is (issue 23): SHARD:LINE in a sharded run, from the
 * fixture's layout (tests/data/shards-lines: part-1.jsonl holds samples 1-2,
 * part-2.jsonl sample 3); the line stays whole when the text is cut; a
 * single traces file says "line N". */
static void test_session_where(void **state)
{
	(void)state;
	session s;
	session_opts o;
	ts_error err;
	char buf[96], shard[64];
	char *paths[] = {(char *)"tests/data/shards-lines", (char *)FIXTURE};
	session_opts_default(&o);
	assert_int_equal(session_open(&s, paths, 2, &o, NULL, NULL, &err), TS_OK);
	assert_int_equal(s.runs[0].n, 3);
	session_where_text(&s.runs[0], 0, buf, sizeof buf);
	assert_string_equal(buf, "part-1.jsonl:1");
	session_where_text(&s.runs[0], 1, buf, sizeof buf);
	assert_string_equal(buf, "part-1.jsonl:2");
	session_where_text(&s.runs[0], 2, buf, sizeof buf);
	assert_string_equal(buf, "part-2.jsonl:1");
	assert_int_equal(session_where(&s.runs[0], 2, shard, sizeof shard), 1);
	assert_string_equal(shard, "part-2.jsonl");
	/* 8 bytes: "…" (3 bytes) + the shard name's last 2 + ":1" */
	session_where_text(&s.runs[0], 2, buf, 8);
	assert_string_equal(buf, "\xe2\x80\xa6nl:1");
	session_where_text(&s.runs[1], 1, buf, sizeof buf);
	assert_string_equal(buf, "line 2");
	assert_int_equal(session_where(&s.runs[1], 1, shard, sizeof shard), 2);
	assert_string_equal(shard, "");
	session_free(&s);
}

static void test_ui_wheel_under_pointer(void **state)
{
	fx *f = *state;
	ui *u = &f->u;
	session_run *r = session_cur(&f->s);
	u->focus = UI_PANE_SAMPLES;
	assert_int_equal(r->list.cur.sel, 0);
	ui_wheel(u, 5, 5, 1);                     /* over the samples: next sample */
	assert_int_equal(r->list.cur.sel, 1);
	assert_int_equal(f->s.view.idx, 1);
	long before = f->s.view.rp.cursor;
	ui_wheel(u, 44, 20, 0);                   /* over the timeline: one step back */
	assert_int_equal(f->s.view.rp.cursor, before - 1);
	assert_int_equal(r->list.cur.sel, 1);     /* the samples did not move */
	assert_int_equal(u->focus, UI_PANE_SAMPLES);
	ui_wheel(u, 10, 130, 0);                  /* over the records: the one above */
	assert_int_equal(u->rec.sel, 6);          /* sample 2 has 8 records; cursor was on #8 */
	assert_int_equal(r->list.cur.sel, 1);
	assert_int_equal(ui_wheel(u, 10, 60, 1), 0u); /* over the whole image: nothing to pan */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_sizes),
		cmocka_unit_test(test_pairs_budget_and_reset),
		cmocka_unit_test_setup_teardown(test_session_badges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ui_replay_and_repeat_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ui_boxes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ui_filter_and_sort, setup, teardown),
		cmocka_unit_test(test_ui_edge_samples),
		cmocka_unit_test(test_session_where),
		cmocka_unit_test_setup_teardown(test_ui_wheel_under_pointer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
