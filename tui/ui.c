/* ui.c — UI state and actions (no drawing; see ui.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>



#include "tcurses.h"
#include "pairs.h"
#include "pixel.h"
#include "sanitize.h"
#include "overlay.h"
#include "ui.h"

static const int speeds[UI_N_SPEEDS] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};

void ui_init(ui *u, session *s, int headless)
{
	memset(u, 0, sizeof *u);
	u->s = s;
	u->headless = headless;
	u->focus = UI_PANE_SAMPLES;
	u->show_gt = 1;
	u->speed = 3; /* 10 steps/s */
	u->rec_follow = 1;
	u->blank_for_run = (size_t)-1;
	u->note_serial = s ? s->msg_serial : 0;
	compare_diff_init(&u->diff);
	if (s && s->n_runs > 1) {
		u->screen = UI_SCREEN_COMPARE; /* several runs: start on the comparison */
		listcur_set(&u->cmp, s->cur, s->n_runs);
	}
}

void ui_free(ui *u)
{
	free(u->boxes);
	free(u->scratch);
	free(u->img_boxes);
	free(u->hits);
	render_image_free(u->blank);
	render_cache_free(u->rcache);
	pairs_free(u->pairs);
	compare_diff_free(&u->diff);
	memset(u, 0, sizeof *u);
}

int ui_speed(const ui *u)
{
	return speeds[u->speed];
}

void ui_note(ui *u, const char *fmt, ...)
{
	char raw[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	sanitize(raw, strlen(raw), u->note, sizeof u->note, 200);
}

static session_run *cur_run(ui *u)
{
	return session_cur(u->s);
}

static session_view *view(ui *u)
{
	return &u->s->view;
}

static int view_ok(ui *u)
{
	return u->s && view(u)->valid && !view(u)->failed && view(u)->s;
}

/* The records selection follows the replay cursor: the last visible record. */
static void follow(ui *u)
{
	if (!view_ok(u))
		return;
	size_t n = replay_visible(&view(u)->rp);
	if (u->rec_follow)
		listcur_set(&u->rec, n ? n - 1 : 0, view(u)->rp.n_rec);
}

unsigned ui_show_selected(ui *u)
{
	session_run *r = cur_run(u);
	if (!r)
		return 0;
	size_t idx = slist_selected(&r->list);
	session_view *v = view(u);
	if (idx == (size_t)-1) {
		if (v->valid) {
			session_show(u->s, (size_t)-1, 0); /* clears */
			u->playing = 0;
			return UI_RD_PANES;
		}
		return 0;
	}
	if (v->valid && v->run == u->s->cur && v->idx == idx)
		return 0;
	v->rp.policy_on = u->policy_on;
	session_show(u->s, u->s->cur, idx);
	u->playing = 0;
	u->rec_follow = 1;
	u->rec.top = 0;
	follow(u);
	return UI_RD_PANES;
}

static unsigned replay_moved(ui *u)
{
	u->rec_follow = 1;
	follow(u);
	return UI_RD_TIMELINE | UI_RD_RECORDS | UI_RD_IMAGE | UI_RD_STATUS;
}

static size_t pane_rows(const ui *u, int pane)
{
	const ui_rect *r = pane == UI_PANE_SAMPLES ? &u->lay.samples
	                 : pane == UI_PANE_RECORDS ? &u->lay.records : &u->lay.timeline;
	return r->h > 2 ? (size_t)(r->h - 2) : 1;
}

static unsigned move_samples(ui *u, long delta, int absolute_end)
{
	session_run *r = cur_run(u);
	if (!r)
		return 0;
	if (absolute_end < 0)
		listcur_set(&r->list.cur, 0, r->list.n_view);
	else if (absolute_end > 0)
		listcur_set(&r->list.cur, r->list.n_view ? r->list.n_view - 1 : 0, r->list.n_view);
	else
		listcur_move(&r->list.cur, delta, r->list.n_view);
	return UI_RD_SAMPLES | UI_RD_STATUS | ui_show_selected(u);
}

/* Selects record i and moves the replay cursor to where it completes. */
static unsigned select_record(ui *u, size_t i)
{
	if (!view_ok(u) || view(u)->rp.n_rec == 0)
		return 0;
	replay *rp = &view(u)->rp;
	listcur_set(&u->rec, i, rp->n_rec);
	replay_set(rp, (long)rp->rec_last[u->rec.sel]);
	u->rec_follow = 0;
	u->playing = 0;
	return UI_RD_TIMELINE | UI_RD_RECORDS | UI_RD_IMAGE | UI_RD_STATUS;
}

static unsigned move_records(ui *u, long delta, int absolute_end)
{
	if (!view_ok(u) || view(u)->rp.n_rec == 0)
		return 0;
	size_t n = view(u)->rp.n_rec;
	size_t row = u->rec.sel;
	if (absolute_end < 0)
		row = 0;
	else if (absolute_end > 0)
		row = n - 1;
	else {
		listcur c = u->rec;
		listcur_move(&c, delta, n);
		row = c.sel;
	}
	return select_record(u, row);
}

static unsigned move_steps(ui *u, long delta, int absolute_end)
{
	if (!view_ok(u))
		return 0;
	replay *rp = &view(u)->rp;
	if (absolute_end < 0)
		replay_home(rp);
	else if (absolute_end > 0)
		replay_end(rp);
	else
		replay_step(rp, delta);
	return replay_moved(u);
}

static unsigned move_focused(ui *u, long delta, int absolute_end)
{
	switch (u->focus) {
	case UI_PANE_SAMPLES:
		return move_samples(u, delta, absolute_end);
	case UI_PANE_RECORDS:
		return move_records(u, delta, absolute_end);
	default:
		return move_steps(u, delta, absolute_end);
	}
}

static long page_of(ui *u)
{
	if (u->focus == UI_PANE_TIMELINE)
		return 20;
	return (long)pane_rows(u, u->focus);
}

/* Applies u->pol_idx: the session compares off with it (repeat_stop when
 * it is off) and the view shows it on unless it is off. */
static unsigned apply_policy(ui *u)
{
	char nm[64];
	u->policy_on = u->pol_idx != COMPARE_POL_OFF;
	if (!u->s)
		return UI_RD_PANES;
	session_set_policy(u->s, u->policy_on ? (size_t)u->pol_idx : COMPARE_POL_REPEAT_STOP,
	                   u->policy_on);
	session_policy_name(u->s, u->s->pol, nm, sizeof nm);
	u->rec_follow = 1;
	follow(u);
	int rs = u->pol_idx == COMPARE_POL_REPEAT_STOP;
	const char *what = rs ? "repeat-stop on" : nm;
	if (!u->policy_on) {
		ui_note(u, "repeat-stop off (policy off)");
	} else if (u->screen != UI_SCREEN_MAIN || !view_ok(u)) {
		ui_note(u, "policy %s%s", nm,
		        u->pol_idx == COMPARE_POL_DEDUP ? " (upper bound: no real decoder reaches it)" : "");
	} else {
		replay *rp = &view(u)->rp;
		if (rp->fired)
			ui_note(u, "%s: stops at step %ld, keeps %zu of %zu records", what, rp->stop_step + 1,
			        rp->kept, rp->n_rec);
		else if (rp->drop_dups)
			ui_note(u, "%s (upper bound): drops %zu duplicate(s), keeps %zu of %zu records",
			        nm, view(u)->on.rep.records < rp->n_rec ? rp->n_rec - view(u)->on.rep.records : 0,
			        view(u)->on.rep.records, rp->n_rec);
		else if (rs)
			ui_note(u, "repeat-stop on: no exact duplicate in this sample, nothing cut");
		else
			ui_note(u, "%s: does not fire on this sample, nothing cut", nm);
	}
	return UI_RD_PANES;
}

static unsigned toggle_policy(ui *u)
{
	u->pol_idx = u->pol_idx == COMPARE_POL_REPEAT_STOP ? COMPARE_POL_OFF : COMPARE_POL_REPEAT_STOP;
	return apply_policy(u);
}

static unsigned cycle_policy(ui *u)
{
	u->pol_idx = (u->pol_idx + 1) % COMPARE_N_POL;
	return apply_policy(u);
}

/* ---- comparison and diff screens ---- */

size_t ui_done_samples(const ui *u, size_t *all)
{
	size_t done = 0, n = 0;
	for (size_t k = 0; u->s && k < u->s->n_runs; k++) {
		done += u->s->runs[k].n_done;
		n += u->s->runs[k].n;
	}
	if (all)
		*all = n;
	return done;
}

int ui_diff_pair(const ui *u, size_t *a, size_t *b)
{
	size_t n = u->s ? u->s->n_runs : 0, sel = u->cmp.sel < n ? u->cmp.sel : 0;
	if (n < 2)
		return 0;
	if (u->n_mark == 2) {
		*a = u->mark[0] < u->mark[1] ? u->mark[0] : u->mark[1];
		*b = u->mark[0] < u->mark[1] ? u->mark[1] : u->mark[0];
	} else if (u->n_mark == 1 && u->mark[0] != sel) {
		*a = u->mark[0] < sel ? u->mark[0] : sel;
		*b = u->mark[0] < sel ? sel : u->mark[0];
	} else if (u->n_mark == 0 && sel != 0) {
		*a = 0;
		*b = sel;
	} else {
		*a = 0;
		*b = 1;
	}
	return 1;
}

static void diff_build(ui *u)
{
	session *s = u->s;
	if (u->diff_a >= s->n_runs || u->diff_b >= s->n_runs)
		return;
	const session_run *ra = &s->runs[u->diff_a], *rb = &s->runs[u->diff_b];
	if (compare_diff_build(&u->diff, ra->items, ra->n, rb->items, rb->n) != 0)
		ui_note(u, "diff: out of memory");
	u->diff_done = ra->n_done + rb->n_done;
	listcur_set(&u->dcur, u->dcur.sel, u->diff.n);
}

static unsigned open_diff(ui *u)
{
	size_t a, b;
	if (!u->s || !ui_diff_pair(u, &a, &b)) {
		ui_note(u, "diff: needs two runs over the same images");
		return UI_RD_STATUS;
	}
	u->diff_a = a;
	u->diff_b = b;
	u->diff_side = 1;
	u->dcur.sel = u->dcur.top = 0;
	diff_build(u);
	u->screen = UI_SCREEN_DIFF;
	u->playing = 0;
	ui_note(u, "diff %s -> %s: %zu worse, %zu better, %zu unchanged", u->s->runs[a].name,
	        u->s->runs[b].name, u->diff.n_worse, u->diff.n_better, u->diff.n_same);
	return UI_RD_ALL;
}

unsigned ui_idle_progress(ui *u)
{
	if (u->screen == UI_SCREEN_DIFF) {
		const session_run *ra = &u->s->runs[u->diff_a], *rb = &u->s->runs[u->diff_b];
		if (ra->n_done + rb->n_done != u->diff_done)
			diff_build(u);
		return UI_RD_COMPARE | UI_RD_STATUS;
	}
	if (u->screen == UI_SCREEN_COMPARE)
		return UI_RD_COMPARE | UI_RD_STATUS;
	return UI_RD_SAMPLES | UI_RD_STATUS | ui_show_selected(u);
}

/* Shows run r's sample idx in the debugger (the filter is cleared when it
 * hides the sample). */
static unsigned drill_into(ui *u, size_t run, size_t idx)
{
	session *s = u->s;
	if (run >= s->n_runs)
		return 0;
	s->cur = run;
	session_run *r = &s->runs[run];
	if (idx != COMPARE_NONE && !slist_select_item(&r->list, idx)) {
		r->list.filter.kind = SLIST_FILTER_NONE;
		r->list.filter.text[0] = 0;
		u->filter[0] = 0;
		u->filter_len = 0;
		slist_rebuild(&r->list, r->items, r->n);
		slist_select_item(&r->list, idx);
	}
	u->screen = UI_SCREEN_MAIN;
	u->focus = UI_PANE_SAMPLES;
	u->playing = 0;
	ui_show_selected(u);
	return UI_RD_ALL;
}

static unsigned compare_enter(ui *u)
{
	if (u->screen == UI_SCREEN_COMPARE) {
		size_t run = u->cmp.sel;
		ui_note(u, "run %s", u->s->runs[run < u->s->n_runs ? run : 0].name);
		return drill_into(u, run, COMPARE_NONE);
	}
	if (u->screen == UI_SCREEN_DIFF) {
		if (u->dcur.sel >= u->diff.n)
			return 0;
		const compare_row *row = &u->diff.rows[u->dcur.sel];
		size_t run = u->diff_side ? u->diff_b : u->diff_a;
		size_t idx = u->diff_side ? row->b : row->a;
		if (idx == COMPARE_NONE) {
			ui_note(u, "this sample is not in run %s (Tab picks the other run)", u->s->runs[run].name);
			return UI_RD_STATUS;
		}
		return drill_into(u, run, idx);
	}
	return 0;
}

static unsigned toggle_mark(ui *u)
{
	size_t sel = u->cmp.sel;
	for (size_t k = 0; k < u->n_mark; k++)
		if (u->mark[k] == sel) {
			u->mark[k] = u->mark[u->n_mark - 1];
			u->n_mark--;
			ui_note(u, "unmarked %s", u->s->runs[sel].name);
			return UI_RD_COMPARE | UI_RD_STATUS;
		}
	if (u->n_mark == 2) {
		u->mark[0] = u->mark[1]; /* keep the latest two */
		u->n_mark = 1;
	}
	u->mark[u->n_mark++] = sel;
	ui_note(u, "marked %s%s", u->s->runs[sel].name, u->n_mark == 2 ? ": d compares the two marked runs" : "");
	return UI_RD_COMPARE | UI_RD_STATUS;
}

static size_t screen_rows(const ui *u)
{
	/* rows of the list in the comparison/diff screen: all above the status
	 * bar minus title, two header lines and the footer */
	int h = u->lay.rows - 1 - 5;
	return h > 1 ? (size_t)h : 1;
}

/* Keys on the comparison and diff screens; ACT_NONE-like (returns 0 and sets
 * *handled = 0) for the keys that belong to the debugger view. */
static unsigned screen_action(ui *u, keys_action a, int *handled)
{
	int diff = u->screen == UI_SCREEN_DIFF;
	listcur *c = diff ? &u->dcur : &u->cmp;
	size_t n = diff ? u->diff.n : u->s->n_runs;
	long page = (long)screen_rows(u);
	*handled = 1;
	switch (a) {
	case ACT_DOWN:
		listcur_move(c, 1, n);
		return UI_RD_COMPARE | UI_RD_STATUS;
	case ACT_UP:
		listcur_move(c, -1, n);
		return UI_RD_COMPARE | UI_RD_STATUS;
	case ACT_PAGE_DOWN:
		listcur_move(c, page, n);
		return UI_RD_COMPARE | UI_RD_STATUS;
	case ACT_PAGE_UP:
		listcur_move(c, -page, n);
		return UI_RD_COMPARE | UI_RD_STATUS;
	case ACT_TOP:
		listcur_set(c, 0, n);
		return UI_RD_COMPARE | UI_RD_STATUS;
	case ACT_BOTTOM:
		listcur_set(c, n ? n - 1 : 0, n);
		return UI_RD_COMPARE | UI_RD_STATUS;
	case ACT_ENTER:
		return compare_enter(u);
	case ACT_CLOSE:
	case ACT_COMPARE:
		if (u->overlay != UI_OV_NONE) {
			*handled = 0;
			return 0;
		}
		if (diff) {
			u->screen = UI_SCREEN_COMPARE;
			return UI_RD_ALL;
		}
		return drill_into(u, u->s->cur, COMPARE_NONE);
	case ACT_DIFF:
		if (diff) {
			u->screen = UI_SCREEN_COMPARE;
			return UI_RD_ALL;
		}
		return open_diff(u);
	case ACT_PLAY:
		if (diff)
			return 0;
		return toggle_mark(u);
	case ACT_NEXT_PANE:
	case ACT_PREV_PANE:
	case ACT_STEP_FWD:
	case ACT_STEP_BACK:
		if (!diff)
			return 0;
		if (a == ACT_STEP_FWD)
			u->diff_side = 1;
		else if (a == ACT_STEP_BACK)
			u->diff_side = 0;
		else
			u->diff_side = !u->diff_side;
		ui_note(u, "Enter opens the sample in %s", u->s->runs[u->diff_side ? u->diff_b : u->diff_a].name);
		return UI_RD_COMPARE | UI_RD_STATUS;
	case ACT_QUIT:
	case ACT_HELP:
	case ACT_METRICS:
	case ACT_REPEAT_STOP:
	case ACT_POLICY:
	case ACT_HISTOGRAM:
	case ACT_REDRAW:
	case ACT_NEXT_RUN:
	case ACT_NONE:
		*handled = 0;
		return 0;
	default:
		ui_note(u, "%s", diff ? "diff: Enter opens the sample, d or Esc returns"
		                      : "comparison: Enter opens the run, c or Esc returns");
		return UI_RD_STATUS;
	}
}

static unsigned apply_filter(ui *u)
{
	session_run *r = cur_run(u);
	u->filter[u->filter_len] = 0;
	if (!r)
		return UI_RD_ALL;
	slist_filter_parse(u->filter, &r->list.filter);
	slist_rebuild(&r->list, r->items, r->n);
	if (r->list.filter.kind == SLIST_FILTER_NONE)
		ui_note(u, "filter cleared");
	else if (r->list.n_view == 0)
		ui_note(u, "no sample matches '%s' (yet: badges are still being computed)", u->filter);
	else
		ui_note(u, "filter '%s': %zu of %zu samples", u->filter, r->list.n_view, r->n);
	return UI_RD_ALL | ui_show_selected(u);
}

unsigned ui_tick(ui *u, long steps)
{
	if (!u->playing || !view_ok(u)) {
		u->playing = 0;
		return UI_RD_STATUS;
	}
	replay *rp = &view(u)->rp;
	replay_step(rp, steps);
	if (rp->cursor >= replay_last(rp))
		u->playing = 0;
	return replay_moved(u);
}

unsigned ui_action(ui *u, keys_action a)
{
	session_run *r = cur_run(u);
	replay *rp = u->s ? &view(u)->rp : NULL;
	char path[1024];

	if (u->s && u->s->n_runs && u->screen != UI_SCREEN_MAIN) {
		int handled;
		unsigned m = screen_action(u, a, &handled);
		if (handled)
			return m;
		if ((a == ACT_METRICS || a == ACT_HISTOGRAM) && u->screen == UI_SCREEN_COMPARE &&
		    u->cmp.sel < u->s->n_runs && u->cmp.sel != u->s->cur) {
			u->s->cur = u->cmp.sel; /* the panel is about the selected run */
			r = cur_run(u);
			ui_show_selected(u);
		}
	}
	switch (a) {
	case ACT_NONE:
		return 0;
	case ACT_QUIT:
		if (u->overlay != UI_OV_NONE) {
			u->overlay = UI_OV_NONE;
			return UI_RD_ALL;
		}
		u->quit = 1;
		return 0;
	case ACT_HELP:
		u->overlay = u->overlay == UI_OV_HELP ? UI_OV_NONE : UI_OV_HELP;
		return UI_RD_ALL;
	case ACT_METRICS:
		u->overlay = u->overlay == UI_OV_METRICS ? UI_OV_NONE : UI_OV_METRICS;
		return UI_RD_ALL;
	case ACT_HISTOGRAM:
		u->overlay = u->overlay == UI_OV_HISTOGRAM ? UI_OV_NONE : UI_OV_HISTOGRAM;
		return UI_RD_ALL;
	case ACT_POLICY:
		return cycle_policy(u) | UI_RD_OVERLAY;
	case ACT_COMPARE:
		if (!u->s || !u->s->n_runs)
			return 0;
		u->screen = UI_SCREEN_COMPARE;
		u->playing = 0;
		listcur_set(&u->cmp, u->s->cur, u->s->n_runs);
		return UI_RD_ALL;
	case ACT_DIFF:
		if (!u->s)
			return 0;
		listcur_set(&u->cmp, u->s->cur, u->s->n_runs);
		return open_diff(u);
	case ACT_ENTER:
		return 0;
	case ACT_CLOSE:
		if (u->overlay == UI_OV_NONE)
			return 0;
		u->overlay = UI_OV_NONE;
		return UI_RD_ALL;
	case ACT_NEXT_PANE:
		u->focus = (u->focus + 1) % UI_PANE_COUNT;
		return UI_RD_PANES;
	case ACT_PREV_PANE:
		u->focus = (u->focus + UI_PANE_COUNT - 1) % UI_PANE_COUNT;
		return UI_RD_PANES;
	case ACT_DOWN:
		return move_focused(u, 1, 0);
	case ACT_UP:
		return move_focused(u, -1, 0);
	case ACT_PAGE_DOWN:
		return move_focused(u, page_of(u), 0);
	case ACT_PAGE_UP:
		return move_focused(u, -page_of(u), 0);
	case ACT_TOP:
		return move_focused(u, 0, -1);
	case ACT_BOTTOM:
		return move_focused(u, 0, 1);
	case ACT_NEXT_SAMPLE:
		return move_samples(u, 1, 0);
	case ACT_PREV_SAMPLE:
		return move_samples(u, -1, 0);
	case ACT_PLAY:
		if (!view_ok(u))
			return 0;
		u->playing = !u->playing;
		if (u->playing && rp->cursor >= replay_last(rp))
			replay_home(rp);
		return replay_moved(u);
	case ACT_STEP_FWD:
		return move_steps(u, 1, 0);
	case ACT_STEP_BACK:
		return move_steps(u, -1, 0);
	case ACT_NEXT_BOUNDARY:
		if (!view_ok(u))
			return 0;
		replay_next_boundary(rp);
		return replay_moved(u);
	case ACT_PREV_BOUNDARY:
		if (!view_ok(u))
			return 0;
		replay_prev_boundary(rp);
		return replay_moved(u);
	case ACT_TRACE_START:
		return move_steps(u, 0, -1);
	case ACT_TRACE_END:
		return move_steps(u, 0, 1);
	case ACT_TERMINATION:
		if (!view_ok(u))
			return 0;
		replay_set(rp, replay_termination_point(rp));
		if (u->policy_on && rp->fired) {
			char nm[64];
			session_policy_name(u->s, u->s->pol, nm, sizeof nm);
			ui_note(u, "%s fires at step %ld",
			        u->pol_idx == COMPARE_POL_REPEAT_STOP ? "repeat-stop" : nm, rp->stop_step + 1);
		}
		else if (rp->closed)
			ui_note(u, "list closed at step %ld", rp->term_step + 1);
		else if (rp->tail_first >= 0)
			ui_note(u, "never closed: repeated tail starts with record #%ld at step %ld",
			        rp->tail_first + 1, rp->cursor + 1);
		else
			ui_note(u, "never closed: ends at step %ld", rp->cursor + 1);
		return replay_moved(u);
	case ACT_REPEAT_STOP:
		return toggle_policy(u) | UI_RD_OVERLAY;
	case ACT_GT:
		u->show_gt = !u->show_gt;
		if (r && !r->g)
			ui_note(u, "no ground truth loaded (--gt FILE)");
		else
			ui_note(u, "ground truth %s", u->show_gt ? "shown" : "hidden");
		return UI_RD_IMAGE | UI_RD_STATUS;
	case ACT_SORT:
		if (!r)
			return 0;
		r->list.sort = (slist_sort)((r->list.sort + 1) % SLIST_SORT_COUNT);
		slist_rebuild(&r->list, r->items, r->n);
		ui_note(u, "sort: %s", slist_sort_name(r->list.sort));
		return UI_RD_SAMPLES | UI_RD_STATUS | ui_show_selected(u);
	case ACT_FILTER:
		u->overlay = UI_OV_FILTER;
		u->filter_len = strlen(u->filter);
		return UI_RD_STATUS;
	case ACT_PIXEL:
		if (u->headless) {
			ui_note(u, "pixel view: needs a terminal");
			return UI_RD_STATUS;
		}
		u->playing = 0;
		return pixel_view(u);
	case ACT_EXPORT:
		if (ui_export_png(u, path, sizeof path) == 0) {
			char cwd[1024];
			if (getcwd(cwd, sizeof cwd))
				ui_note(u, "wrote %s in %s", path, cwd);
			else
				ui_note(u, "wrote %s", path);
		}
		return UI_RD_STATUS;
	case ACT_FASTER:
		if (u->speed + 1 < UI_N_SPEEDS)
			u->speed++;
		ui_note(u, "replay speed %d steps/s", ui_speed(u));
		return UI_RD_STATUS;
	case ACT_SLOWER:
		if (u->speed > 0)
			u->speed--;
		ui_note(u, "replay speed %d steps/s", ui_speed(u));
		return UI_RD_STATUS;
	case ACT_NEXT_RUN:
		if (!u->s || u->s->n_runs < 2) {
			ui_note(u, "only one run open");
			return UI_RD_STATUS;
		}
		u->s->cur = (u->s->cur + 1) % u->s->n_runs;
		listcur_set(&u->cmp, u->s->cur, u->s->n_runs);
		ui_note(u, "run %s", cur_run(u)->name);
		return UI_RD_ALL | ui_show_selected(u);
	case ACT_REDRAW:
		return UI_RD_ALL;
	case ACT_COUNT:
		break;
	}
	return 0;
}

/* ---- filter prompt ---- */

static unsigned filter_key(ui *u, int is_key, unsigned ch)
{
	if ((!is_key && (ch == '\r' || ch == '\n')) || (is_key && ch == KEY_ENTER)) {
		u->overlay = UI_OV_NONE;
		return apply_filter(u);
	}
	if (!is_key && ch == 27) {
		u->overlay = UI_OV_NONE;
		u->filter_len = 0;
		u->filter[0] = 0;
		session_run *r = cur_run(u);
		/* keep the filter in force; just restore its text */
		if (r && r->list.filter.kind != SLIST_FILTER_NONE) {
			const char *pre = r->list.filter.kind == SLIST_FILTER_LABEL ? "label:"
			                : r->list.filter.kind == SLIST_FILTER_DUP ? "dup"
			                : r->list.filter.kind == SLIST_FILTER_TRUNC ? "trunc" : "";
			size_t a = strlen(pre), b = strlen(r->list.filter.text);
			if (a + b >= sizeof u->filter)
				b = sizeof u->filter - 1 - a;
			memcpy(u->filter, pre, a);
			memcpy(u->filter + a, r->list.filter.text, b);
			u->filter[a + b] = 0;
		}
		u->filter_len = strlen(u->filter);
		return UI_RD_STATUS;
	}
	if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8))) {
		while (u->filter_len > 0) {
			unsigned char c = (unsigned char)u->filter[--u->filter_len];
			if ((c & 0xC0) != 0x80)
				break; /* removed a whole UTF-8 character */
		}
		u->filter[u->filter_len] = 0;
		return UI_RD_STATUS;
	}
	if (!is_key && ch == 21) { /* Ctrl-U */
		u->filter_len = 0;
		u->filter[0] = 0;
		return UI_RD_STATUS;
	}
	if (is_key || ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0) || ch > 0x10FFFF ||
	    (ch >= 0xD800 && ch <= 0xDFFF))
		return 0;
	char enc[4];
	size_t n;
	if (ch < 0x80) {
		enc[0] = (char)ch;
		n = 1;
	} else if (ch < 0x800) {
		enc[0] = (char)(0xC0 | (ch >> 6));
		enc[1] = (char)(0x80 | (ch & 0x3F));
		n = 2;
	} else if (ch < 0x10000) {
		enc[0] = (char)(0xE0 | (ch >> 12));
		enc[1] = (char)(0x80 | ((ch >> 6) & 0x3F));
		enc[2] = (char)(0x80 | (ch & 0x3F));
		n = 3;
	} else {
		enc[0] = (char)(0xF0 | (ch >> 18));
		enc[1] = (char)(0x80 | ((ch >> 12) & 0x3F));
		enc[2] = (char)(0x80 | ((ch >> 6) & 0x3F));
		enc[3] = (char)(0x80 | (ch & 0x3F));
		n = 4;
	}
	if (u->filter_len + n + 1 > sizeof u->filter)
		return 0;
	memcpy(u->filter + u->filter_len, enc, n);
	u->filter_len += n;
	u->filter[u->filter_len] = 0;
	return UI_RD_STATUS;
}

unsigned ui_key(ui *u, int is_key, unsigned ch)
{
	if (u->overlay == UI_OV_FILTER)
		return filter_key(u, is_key, ch);
	if (u->overlay == UI_OV_HELP) {
		/* any key closes the help; ? and Esc only close it */
		u->overlay = UI_OV_NONE;
		keys_action a = keys_lookup((int)ch);
		if (a == ACT_HELP || a == ACT_CLOSE || a == ACT_QUIT)
			return UI_RD_ALL;
		return UI_RD_ALL | ui_action(u, a);
	}
	if (!is_key && ch > 0x7f)
		return 0;
	return ui_action(u, keys_lookup((int)ch));
}

unsigned ui_click(ui *u, int y, int x)
{
	for (size_t i = 0; i < u->n_hits; i++) {
		const ui_hit *h = &u->hits[i];
		if (h->y != y || x < h->x0 || x >= h->x1)
			continue;
		switch (h->kind) {
		case UI_HIT_SAMPLE: {
			session_run *r = cur_run(u);
			if (!r)
				return 0;
			u->focus = UI_PANE_SAMPLES;
			listcur_set(&r->list.cur, (size_t)h->value, r->list.n_view);
			return UI_RD_PANES | ui_show_selected(u);
		}
		case UI_HIT_RECORD:
			u->focus = UI_PANE_RECORDS;
			return UI_RD_PANES | select_record(u, (size_t)h->value);
		case UI_HIT_RUN:
			if (!u->s || u->screen != UI_SCREEN_COMPARE)
				return 0;
			listcur_set(&u->cmp, (size_t)h->value, u->s->n_runs);
			return UI_RD_COMPARE | UI_RD_STATUS;
		case UI_HIT_DIFF:
			if (u->screen != UI_SCREEN_DIFF)
				return 0;
			listcur_set(&u->dcur, (size_t)h->value, u->diff.n);
			return UI_RD_COMPARE | UI_RD_STATUS;
		case UI_HIT_STEP:
			if (!view_ok(u))
				return 0;
			u->focus = UI_PANE_TIMELINE;
			u->playing = 0;
			replay_set(&view(u)->rp, h->value);
			return UI_RD_PANES | replay_moved(u);
		default:
			return 0;
		}
	}
	return 0;
}

/* ---- layout ---- */

void ui_layout_compute(int rows, int cols, ui_layout *l)
{
	memset(l, 0, sizeof *l);
	l->rows = rows;
	l->cols = cols;
	if (cols < UI_MIN_COLS || rows < UI_MIN_ROWS) {
		l->too_small = 1;
		return;
	}
	l->reduced = cols < UI_FULL_COLS || rows < UI_FULL_ROWS;
	int th = rows >= 40 ? 9 : rows >= UI_FULL_ROWS ? 7 : 5;
	int top = rows - 1 - th;
	l->status = (ui_rect){rows - 1, 0, 1, cols};
	l->timeline = (ui_rect){top, 0, th, cols};
	if (l->reduced) {
		int sw = cols * 2 / 5;
		if (sw > 28)
			sw = 28;
		l->samples = (ui_rect){0, 0, top, sw};
		l->records = (ui_rect){0, sw, top, cols - sw};
		l->image = (ui_rect){0, 0, 0, 0};
	} else {
		int sw = cols >= 150 ? 34 : 30;
		int rw = cols >= 150 ? 48 : 40;
		l->samples = (ui_rect){0, 0, top, sw};
		l->image = (ui_rect){0, sw, top, cols - sw - rw};
		l->records = (ui_rect){0, cols - rw, top, rw};
	}
}

/* ---- boxes for the image pane ---- */

size_t ui_boxes(ui *u, const render_box **out)
{
	u->n_boxes = 0;
	*out = NULL;
	if (!view_ok(u))
		return 0;
	session_view *v = view(u);
	const replay *rp = &v->rp;
	render_overlay_req rq;
	policy_cut off = {0, sample_n_records(v->s), -1, 0};
	render_overlay_req_full(&rq, v->s, u->s->runs[v->run].g, v->gimg,
	                        rp->policy_on ? v->on.cut : off);
	/* dedup shown: the kept records matched again (cached by the session) */
	if (rp->policy_on && rp->drop_dups && v->dd_match) {
		rq.state = v->dd_match;
		rq.match_gt = v->dd_gt;
	}
	rq.visible = replay_visible(rp);
	rq.show_gt = u->show_gt;
	/* the policy reached its stop: what it drops, dimmed */
	rq.show_cut = rp->policy_on && rp->fired && rp->cursor == rp->stop_step;
	rq.selected = (long)u->rec.sel;
	if (render_overlay_boxes(&rq, &u->boxes, &u->cap_boxes, &u->n_boxes, NULL) != TS_OK)
		return 0;
	*out = u->boxes;
	return u->n_boxes;
}

/* ---- image or blank canvas ---- */

/* The view's image, else a dark canvas of the image's (or an assumed
 * 1000x1000) size so boxes can still be shown and exported. */
const render_image *ui_image_source(ui *u, int *blank)
{
	session_view *v = &u->s->view;
	const render_image *img = session_view_image(u->s);
	*blank = 0;
	if (img)
		return img;
	if (!v->valid || v->failed || !v->s)
		return NULL;
	if (u->blank && u->blank_for_run == v->run && u->blank_for_idx == v->idx) {
		*blank = 1;
		return u->blank;
	}
	render_image_free(u->blank);
	u->blank = NULL;
	double w = 0, h = 0;
	if (v->gimg && v->gimg->width > 0 && v->gimg->height > 0) {
		w = v->gimg->width;
		h = v->gimg->height;
	} else {
		/* no size known: the analysis assumed 1000x1000; grow to fit pixel boxes */
		w = h = 1000;
		const sample_rec *ri = sample_rec_info(v->s);
		for (size_t i = 0; i < sample_n_records(v->s); i++)
			if (ri[i].box_ok) {
				if (ri[i].box[2] > w)
					w = ri[i].box[2];
				if (ri[i].box[3] > h)
					h = ri[i].box[3];
			}
	}
	if (w > 4096)
		w = 4096;
	if (h > 4096)
		h = 4096;
	u->blank = render_image_new((uint32_t)ceil(w), (uint32_t)ceil(h));
	if (!u->blank)
		return NULL;
	/* a dark grey canvas so black boxes and text stay visible */
	for (size_t p = 0; p < (size_t)u->blank->w * u->blank->h; p++) {
		u->blank->rgba[4 * p + 0] = 24;
		u->blank->rgba[4 * p + 1] = 24;
		u->blank->rgba[4 * p + 2] = 24;
		u->blank->rgba[4 * p + 3] = 255;
	}
	render_image_touch(u->blank);
	u->blank_for_run = v->run;
	u->blank_for_idx = v->idx;
	*blank = 1;
	return u->blank;
}

/* ---- PNG export ---- */

static void file_part(const char *in, char *out, size_t outsz)
{
	size_t n = 0;
	for (const char *p = in; *p && n + 1 < outsz && n < 40; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		         c == '-' || c == '_' || c == '.';
		out[n++] = ok ? c : '_';
	}
	if (n == 0 && outsz > 1)
		out[n++] = '_';
	out[n] = 0;
	if (out[0] == '.')
		out[0] = '_';
}

int ui_export_png(ui *u, char *out, size_t outsz)
{
	ts_error e;
	if (!view_ok(u)) {
		ui_note(u, "export: no sample shown");
		return -1;
	}
	session_view *v = view(u);
	int blank;
	const render_image *src = ui_image_source(u, &blank);
	if (!src) {
		ui_note(u, "export: no image");
		return -1;
	}
	render_image *img = render_image_copy(src);
	if (!img) {
		ui_note(u, "export: out of memory");
		return -1;
	}
	const render_box *boxes;
	size_t nb = ui_boxes(u, &boxes);
	render_draw_boxes(img, boxes, nb, 1.0, 1.0);
	char rn[48], im[48];
	file_part(u->s->runs[v->run].name, rn, sizeof rn);
	file_part(v->image_id, im, sizeof im);
	char pol[48] = "";
	if (u->pol_idx == COMPARE_POL_REPEAT_STOP) {
		snprintf(pol, sizeof pol, "-rs");
	} else if (u->policy_on) {
		char nm[64];
		pol[0] = '-';
		file_part(session_policy_name(u->s, u->s->pol, nm, sizeof nm), pol + 1, sizeof pol - 1);
	}
	snprintf(out, outsz, "tailscope-%s-%s-step%ld%s.png", rn, im, v->rp.cursor + 1, pol);
	ts_status st = render_png_write(img, out, &e);
	render_image_free(img);
	if (st != TS_OK) {
		ui_note(u, "export failed: %s", e.msg);
		return -1;
	}
	return 0;
}
