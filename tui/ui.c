/* ui.c — UI state, the shared state logic of the panes and screens, and the
 * request dispatcher (no drawing; see ui.h and view.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcurses.h"
#include "confidence.h"
#include "pairs.h"
#include "sanitize.h"
#include "overlay.h"
#include "ui.h"
#include "view.h"

/* the registry: every view of views.def, by id */
static const ui_view *const registry[UI_V_COUNT] = {
	[UI_OV_NONE] = NULL,
#define UI_VIEW(id, sym) [UI_##id] = &sym,
#include "views.def"
#undef UI_VIEW
};

const ui_view *ui_view_by_id(int id)
{
	return id > UI_OV_NONE && id < UI_V_COUNT ? registry[id] : NULL;
}

void *ui_private(const ui *u, const ui_view *v)
{
	return v && v->id > UI_OV_NONE && v->id < UI_V_COUNT ? u->priv[v->id] : NULL;
}

void ui_init(ui *u, session *s, int headless)
{
	memset(u, 0, sizeof *u);
	for (int id = UI_OV_NONE + 1; id < UI_V_COUNT; id++)
		if (registry[id]->private_size)
			u->priv[id] = calloc(1, registry[id]->private_size);
	u->s = s;
	u->term.headless = headless;
	u->focus = UI_PANE_SAMPLES;
	u->rec_follow = 1;
	if (ui_img(u)) {
		ui_img(u)->blank_for_run = (size_t)-1;
		ui_img(u)->show_gt = 1;
	}
	u->note_serial = s ? s->msg_serial : 0;
	if (ui_dif(u))
		compare_diff_init(&ui_dif(u)->diff);
	if (s && s->n_runs > 1) {
		u->screen = UI_SCREEN_COMPARE; /* several runs: start on the comparison */
		listcur_set(&ui_cmp(u)->cur, s->cur, s->n_runs);
	}
}

void ui_free(ui *u)
{
	free(u->term.img_boxes);
	free(u->term.hits);
	render_image_free(u->term.crop);
	render_cache_free(u->term.rcache);
	pairs_free(u->term.pairs);
	for (int id = UI_OV_NONE + 1; id < UI_V_COUNT; id++) {
		if (u->priv[id] && registry[id]->fini)
			registry[id]->fini(u->priv[id]);
		free(u->priv[id]);
	}
	memset(u, 0, sizeof *u);
}

void ui_note(ui *u, const char *fmt, ...)
{
	char raw[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	sanitize(raw, strlen(raw), u->note, sizeof u->note, 200);
	u->note_gen++;
}

static session_run *cur_run(ui *u)
{
	return session_cur(u->s);
}

static session_view *view(ui *u)
{
	return &u->s->view;
}

int ui_view_ok(const ui *u)
{
	return u->s && u->s->view.valid && !u->s->view.failed && u->s->view.s;
}

static int view_ok(ui *u)
{
	return ui_view_ok(u);
}

void ui_frame_build(const ui *u, ui_frame *f)
{
	memset(f, 0, sizeof *f);
	f->s = u->s;
	f->run = u->s && u->s->n_runs ? &u->s->runs[u->s->cur] : NULL;
	f->v = &u->s->view;
	f->ok = ui_view_ok(u);
	f->rs_on = u->pol_idx == COMPARE_POL_REPEAT_STOP;
	session_policy_name(u->s, u->s->pol, f->pol_name, sizeof f->pol_name);
	snprintf(f->pol_label, sizeof f->pol_label, "%s", f->rs_on ? "repeat-stop" : f->pol_name);
}

void ui_follow(ui *u)
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
	v->rp.policy_on = u->pol_idx != COMPARE_POL_OFF;
	session_show(u->s, u->s->cur, idx);
	u->playing = 0;
	u->rec_follow = 1;
	u->rec.top = 0;
	ui_follow(u);
	return UI_RD_PANES;
}

unsigned ui_replay_moved(ui *u)
{
	u->rec_follow = 1;
	ui_follow(u);
	return UI_RD_TIMELINE | UI_RD_RECORDS | UI_RD_IMAGE | UI_RD_STATUS;
}

int ui_records_extra(int h, int *foot)
{
	*foot = h >= 10 ? 2 : 0;
	return h >= 6;
}

size_t ui_pane_rows(const ui *u, int pane)
{
	const ui_rect *r = pane == UI_PANE_SAMPLES ? &u->lay.samples
	                 : pane == UI_PANE_RECORDS ? &u->lay.records : &u->lay.timeline;
	int extra = 0, foot = 0;
	if (pane == UI_PANE_RECORDS)
		extra = ui_records_extra(r->h, &foot) + foot;
	return r->h - extra > 2 ? (size_t)(r->h - 2 - extra) : 1;
}

size_t ui_screen_rows(const ui *u)
{
	/* rows of the list in the comparison/diff screen: all above the status
	 * bar minus title, two header lines and the footer */
	int h = u->lay.rows - 1 - 5;
	return h > 1 ? (size_t)h : 1;
}

int ui_list_motion(keys_action a, long page, long *delta, int *end)
{
	*delta = 0;
	*end = 0;
	switch (a) {
	case ACT_DOWN: *delta = 1; return 1;
	case ACT_UP: *delta = -1; return 1;
	case ACT_PAGE_DOWN: *delta = page; return 1;
	case ACT_PAGE_UP: *delta = -page; return 1;
	case ACT_TOP: *end = -1; return 1;
	case ACT_BOTTOM: *end = 1; return 1;
	default: return 0;
	}
}

unsigned ui_list_move(listcur *c, size_t n, long delta, int end)
{
	if (end)
		listcur_set(c, end < 0 ? 0 : n ? n - 1 : 0, n);
	else
		listcur_move(c, delta, n);
	return UI_RD_COMPARE | UI_RD_STATUS;
}

unsigned ui_select_record(ui *u, size_t i)
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

unsigned ui_move_steps(ui *u, long delta, int end)
{
	if (!view_ok(u))
		return 0;
	replay *rp = &view(u)->rp;
	if (end < 0)
		replay_home(rp);
	else if (end > 0)
		replay_end(rp);
	else
		replay_step(rp, delta);
	return ui_replay_moved(u);
}

/* What the policy just applied does to the sample on screen. */
static void policy_note(ui *u, const char *nm)
{
	int rs = u->pol_idx == COMPARE_POL_REPEAT_STOP;
	const char *what = rs ? "repeat-stop on" : nm;
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

/* Applies u->pol_idx: the session compares off with it (repeat_stop when
 * it is off) and the view shows it on unless it is off. */
unsigned ui_apply_policy(ui *u)
{
	char nm[64];
	int on = u->pol_idx != COMPARE_POL_OFF;
	if (!u->s)
		return UI_RD_PANES;
	session_set_policy(u->s, on ? (size_t)u->pol_idx : COMPARE_POL_REPEAT_STOP, on);
	session_policy_name(u->s, u->s->pol, nm, sizeof nm);
	u->rec_follow = 1;
	ui_follow(u);
	if (!on)
		ui_note(u, "repeat-stop off (policy off)");
	else if (u->screen != UI_SCREEN_MAIN || !view_ok(u))
		ui_note(u, "policy %s%s", nm,
		        u->pol_idx == COMPARE_POL_DEDUP ? " (upper bound: no real decoder reaches it)" : "");
	else
		policy_note(u, nm);
	return UI_RD_PANES;
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
	size_t n = u->s ? u->s->n_runs : 0, sel = ui_cmp(u)->cur.sel < n ? ui_cmp(u)->cur.sel : 0;
	if (n < 2)
		return 0;
	if (ui_cmp(u)->n_mark == 2) {
		*a = ui_cmp(u)->mark[0] < ui_cmp(u)->mark[1] ? ui_cmp(u)->mark[0] : ui_cmp(u)->mark[1];
		*b = ui_cmp(u)->mark[0] < ui_cmp(u)->mark[1] ? ui_cmp(u)->mark[1] : ui_cmp(u)->mark[0];
	} else if (ui_cmp(u)->n_mark == 1 && ui_cmp(u)->mark[0] != sel) {
		*a = ui_cmp(u)->mark[0] < sel ? ui_cmp(u)->mark[0] : sel;
		*b = ui_cmp(u)->mark[0] < sel ? sel : ui_cmp(u)->mark[0];
	} else if (ui_cmp(u)->n_mark == 0 && sel != 0) {
		*a = 0;
		*b = sel;
	} else {
		*a = 0;
		*b = 1;
	}
	return 1;
}

void ui_diff_build(ui *u)
{
	session *s = u->s;
	if (ui_dif(u)->a >= s->n_runs || ui_dif(u)->b >= s->n_runs)
		return;
	const session_run *ra = &s->runs[ui_dif(u)->a], *rb = &s->runs[ui_dif(u)->b];
	if (compare_diff_build(&ui_dif(u)->diff, ra->items, ra->n, rb->items, rb->n) != 0)
		ui_note(u, "diff: out of memory");
	ui_dif(u)->done = ra->n_done + rb->n_done;
	listcur_set(&ui_dif(u)->cur, ui_dif(u)->cur.sel, ui_dif(u)->diff.n);
}

unsigned ui_open_diff(ui *u)
{
	size_t a, b;
	if (!u->s || !ui_diff_pair(u, &a, &b)) {
		ui_note(u, "diff: needs two runs over the same images");
		return UI_RD_STATUS;
	}
	ui_dif(u)->a = a;
	ui_dif(u)->b = b;
	ui_dif(u)->side = 1;
	ui_dif(u)->cur.sel = ui_dif(u)->cur.top = 0;
	ui_diff_build(u);
	u->screen = UI_SCREEN_DIFF;
	u->playing = 0;
	ui_note(u, "diff %s -> %s: %zu worse, %zu better, %zu unchanged", u->s->runs[a].name,
	        u->s->runs[b].name, ui_dif(u)->diff.n_worse, ui_dif(u)->diff.n_better, ui_dif(u)->diff.n_same);
	return UI_RD_ALL;
}

unsigned ui_idle_progress(ui *u)
{
	if (u->screen == UI_SCREEN_DIFF) {
		const session_run *ra = &u->s->runs[ui_dif(u)->a], *rb = &u->s->runs[ui_dif(u)->b];
		if (ra->n_done + rb->n_done != ui_dif(u)->done)
			ui_diff_build(u);
		return UI_RD_COMPARE | UI_RD_STATUS;
	}
	if (u->screen == UI_SCREEN_COMPARE)
		return UI_RD_COMPARE | UI_RD_STATUS;
	return UI_RD_SAMPLES | UI_RD_STATUS | ui_show_selected(u);
}

unsigned ui_drill_into(ui *u, size_t run, size_t idx)
{
	session *s = u->s;
	if (run >= s->n_runs)
		return 0;
	s->cur = run;
	session_run *r = &s->runs[run];
	if (idx != COMPARE_NONE && !slist_select_item(&r->list, idx)) {
		r->list.filter.kind = SLIST_FILTER_NONE;
		r->list.filter.text[0] = 0;
		slist_rebuild(&r->list, r->items, r->n);
		slist_select_item(&r->list, idx);
	}
	u->screen = UI_SCREEN_MAIN;
	u->focus = UI_PANE_SAMPLES;
	u->playing = 0;
	ui_show_selected(u);
	return UI_RD_ALL;
}

unsigned ui_apply_filter(ui *u)
{
	session_run *r = cur_run(u);
	const char *text = ui_filter_prompt(u, NULL);
	if (!r)
		return UI_RD_ALL;
	slist_filter_parse(text, &r->list.filter);
	slist_rebuild(&r->list, r->items, r->n);
	if (r->list.filter.kind == SLIST_FILTER_NONE)
		ui_note(u, "filter cleared");
	else if (r->list.n_view == 0)
		ui_note(u, "no sample matches '%s'%s", text,
		        session_idle_done(u->s) ? "" : " (yet: badges are still being computed)");
	else
		ui_note(u, "filter '%s': %zu of %zu samples", text, r->list.n_view, r->n);
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
	return ui_replay_moved(u);
}

/* ---- global requests: on every screen, after the screen declined ---- */

static unsigned g_quit(ui *u)
{
	if (u->overlay != UI_OV_NONE) {
		u->overlay = UI_OV_NONE;
		return UI_RD_ALL;
	}
	u->quit = 1;
	return 0;
}

unsigned ui_overlay_open(ui *u, int ov)
{
	const ui_view *v = ui_view_by_id(ov);
	u->overlay = v ? ov : UI_OV_NONE;
	if (v && v->open)
		v->open(u);
	return UI_RD_ALL;
}

/* The overlay whose toggle is a opens, or closes when it is open; 0 when no
 * overlay toggles on a. */
static int overlay_toggle(ui *u, keys_action a, unsigned *m)
{
	for (int id = UI_OV_NONE + 1; a != ACT_NONE && id < UI_V_COUNT; id++) {
		if (registry[id]->toggle != a)
			continue;
		if (u->overlay == id) {
			u->overlay = UI_OV_NONE;
			*m = UI_RD_ALL;
		} else {
			*m = ui_overlay_open(u, id);
		}
		return 1;
	}
	return 0;
}

static unsigned g_policy(ui *u)
{
	u->pol_idx = (u->pol_idx + 1) % COMPARE_N_POL;
	return ui_apply_policy(u) | UI_RD_OVERLAY;
}

static unsigned g_repeat_stop(ui *u)
{
	u->pol_idx = u->pol_idx == COMPARE_POL_REPEAT_STOP ? COMPARE_POL_OFF : COMPARE_POL_REPEAT_STOP;
	return ui_apply_policy(u) | UI_RD_OVERLAY;
}

static unsigned g_compare(ui *u)
{
	if (!u->s || !u->s->n_runs)
		return 0;
	u->screen = UI_SCREEN_COMPARE;
	u->playing = 0;
	listcur_set(&ui_cmp(u)->cur, u->s->cur, u->s->n_runs);
	return UI_RD_ALL;
}

static unsigned g_diff(ui *u)
{
	if (!u->s)
		return 0;
	listcur_set(&ui_cmp(u)->cur, u->s->cur, u->s->n_runs);
	return ui_open_diff(u);
}

static unsigned g_close(ui *u)
{
	if (u->overlay == UI_OV_NONE)
		return 0;
	u->overlay = UI_OV_NONE;
	return UI_RD_ALL;
}

static unsigned g_next_run(ui *u)
{
	if (!u->s || u->s->n_runs < 2) {
		ui_note(u, "only one run open");
		return UI_RD_STATUS;
	}
	u->s->cur = (u->s->cur + 1) % u->s->n_runs;
	listcur_set(&ui_cmp(u)->cur, u->s->cur, u->s->n_runs);
	ui_note(u, "run %s", cur_run(u)->name);
	return UI_RD_ALL | ui_show_selected(u);
}

static unsigned g_redraw(ui *u)
{
	(void)u;
	return UI_RD_ALL;
}

static unsigned g_none(ui *u)
{
	(void)u;
	return 0;
}

/* request → global handler (htop's key → action table); a request that is
 * not here belongs to a screen or pane */
static unsigned (*const globals[ACT_COUNT])(ui *u) = {
	[ACT_NONE] = g_none,
	[ACT_QUIT] = g_quit,
	[ACT_POLICY] = g_policy,
	[ACT_REPEAT_STOP] = g_repeat_stop,
	[ACT_COMPARE] = g_compare,
	[ACT_DIFF] = g_diff,
	[ACT_CLOSE] = g_close,
	[ACT_NEXT_RUN] = g_next_run,
	[ACT_REDRAW] = g_redraw,
};

int ui_global_has(keys_action a)
{
	if ((int)a < 0 || a >= ACT_COUNT)
		return 0;
	for (int id = UI_OV_NONE + 1; a != ACT_NONE && id < UI_V_COUNT; id++)
		if (registry[id]->toggle == a)
			return 1;
	return globals[a] != NULL;
}

/* ---- dispatch ---- */

const ui_view *ui_screen_view(const ui *u)
{
	return u->screen == UI_SCREEN_COMPARE ? &ui_screen_compare
	     : u->screen == UI_SCREEN_DIFF ? &ui_screen_diff : &ui_screen_main;
}

const ui_view *ui_overlay_view(const ui *u)
{
	return ui_view_by_id(u->overlay);
}

UI_REQUEST(ui_overlay_close)
{
	u->overlay = UI_OV_NONE;
	return UI_RD_ALL;
}

const ui_request ui_overlay_requests[ACT_COUNT] = {
	[ACT_QUIT] = ui_overlay_close, [ACT_CLOSE] = ui_overlay_close,
};

/* The one dispatch path: the overlay, the debugger's focused pane, the
 * screen, the overlays' toggles, the global requests; what no one takes on
 * the comparison or diff screen leaves a hint. */
unsigned ui_action(ui *u, keys_action a)
{
	unsigned m = 0;
	const ui_view *scr = ui_screen_view(u), *chain[4] = {ui_overlay_view(u)};
	size_t n = 1;
	if ((int)a < 0 || a >= ACT_COUNT)
		return 0;
	if (u->s && scr == &ui_screen_main)
		n += ui_main_panes(u, chain + n);
	if (u->s && (u->s->n_runs || scr == &ui_screen_main))
		chain[n++] = scr;
	for (size_t i = 0; i < n; i++) {
		const ui_view *v = chain[i];
		int handled = 0;
		if (v && v->requests && v->requests[a]) { /* its table's entry */
			handled = 1;
			m |= v->requests[a](u, a, &handled);
		} else if (v && v->key) {                 /* else its catch-all */
			m |= v->key(u, a, &handled);
		}
		if (handled)
			return m;
	}
	unsigned t = 0;
	if (overlay_toggle(u, a, &t))
		return m | t;
	if (globals[a])
		return m | globals[a](u);
	if (scr == &ui_screen_main)
		return m;
	ui_note(u, "%s", scr == &ui_screen_diff ? "diff: Enter opens the sample, d or Esc returns"
	                                        : "comparison: Enter opens the run, c or Esc returns");
	return m | UI_RD_STATUS;
}

unsigned ui_key(ui *u, int is_key, unsigned ch)
{
	const ui_view *ov = ui_overlay_view(u);
	if (ov && ov->input)
		return ov->input(u, is_key, ch);
	if (!is_key && ch > 0x7f)
		return 0;
	return ui_action(u, keys_lookup((int)ch));
}

unsigned ui_click(ui *u, int y, int x)
{
	for (size_t i = 0; i < u->term.n_hits; i++) {
		const ui_hit *h = &u->term.hits[i];
		if (h->y != y || x < h->x0 || x >= h->x1)
			continue;
		return h->view && h->view->click ? h->view->click(u, h) : 0;
	}
	return 0;
}

static int in_rect(const ui_rect *r, int y, int x)
{
	return r->h > 0 && r->w > 0 && y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w;
}

unsigned ui_wheel(ui *u, int y, int x, int down)
{
	keys_action a = down ? ACT_DOWN : ACT_UP;
	if (u->overlay != UI_OV_NONE || u->screen != UI_SCREEN_MAIN || u->lay.too_small)
		return ui_action(u, a);
	const ui_view *p = in_rect(&u->lay.samples, y, x) ? &ui_pane_samples
	                 : in_rect(&u->lay.records, y, x) ? &ui_pane_records
	                 : in_rect(&u->lay.timeline, y, x) ? &ui_pane_timeline
	                 : in_rect(&u->lay.image, y, x) ? &ui_pane_image : NULL;
	int handled = 1;
	return p && p->requests && p->requests[a] ? p->requests[a](u, a, &handled) : 0;
}

/* ---- layout ---- */

void ui_layout_compute(int rows, int cols, ui_layout *l)
{
	ui_layout_compute_zoom(rows, cols, 0, l);
}

void ui_layout_compute_zoom(int rows, int cols, int zoom, ui_layout *l)
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
	if (zoom) {
		l->zoom = 1;
		l->image = (ui_rect){0, 0, top, cols};
	} else if (l->reduced) {
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

const char *ui_image_hint(const ui *u)
{
	if (u->screen != UI_SCREEN_MAIN || u->lay.too_small)
		return NULL;
	if (u->lay.zoom)
		return "z back";
	return u->lay.reduced ? "z image" : NULL;
}

void ui_crop_rect(const ui *u, uint32_t w, uint32_t h, double *x0, double *y0, double *cw,
                  double *ch)
{
	double f = pow(UI_CROP_STEP, ui_img(u)->crop_k > 0 ? ui_img(u)->crop_k : 0);
	*cw = w / f;
	*ch = h / f;
	double cx = ui_img(u)->crop_k > 0 ? ui_img(u)->crop_cx : w / 2.0, cy = ui_img(u)->crop_k > 0 ? ui_img(u)->crop_cy : h / 2.0;
	*x0 = fmin(fmax(cx - *cw / 2, 0.0), w - *cw);
	*y0 = fmin(fmax(cy - *ch / 2, 0.0), h - *ch);
}

/* ---- boxes for the image pane ---- */

size_t ui_boxes(ui *u, const render_box **out)
{
	ui_img(u)->n_boxes = 0;
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
	rq.show_gt = ui_img(u)->show_gt;
	/* the policy reached its stop: what it drops, dimmed */
	rq.show_cut = rp->policy_on && rp->fired && rp->cursor == rp->stop_step;
	rq.selected = (long)u->rec.sel;
	if (render_overlay_boxes(&rq, &ui_img(u)->boxes, &ui_img(u)->cap_boxes, &ui_img(u)->n_boxes, NULL) != TS_OK)
		return 0;
	*out = ui_img(u)->boxes;
	return ui_img(u)->n_boxes;
}

/* The export's boxes (overlay.h, whole): every record under the view's
 * policy, cut copies drawn as cut, the tail flagged, the records' scores. */
size_t ui_export_boxes(ui *u, const render_box **out)
{
	*out = NULL;
	if (!view_ok(u))
		return 0;
	session_view *v = view(u);
	const replay *rp = &v->rp;
	size_t n = sample_n_records(v->s);
	double *score = malloc((n ? n : 1) * sizeof *score);
	for (size_t i = 0; score && i < n; i++)
		score[i] = conf_record_score(v->t, &sample_records(v->s)[i], CONF_SCORE_MEAN);
	policy_cut off = {0, n, -1, 0};
	render_overlay_req rq;
	render_overlay_req_export(&rq, v->s, u->s->runs[v->run].g, v->gimg,
	                          rp->policy_on ? v->on.cut : off, score);
	if (rp->policy_on && rp->drop_dups && v->dd_match) {
		rq.state = v->dd_match;
		rq.match_gt = v->dd_gt;
	}
	rq.show_gt = ui_img(u)->show_gt;
	ts_status st = render_overlay_boxes(&rq, &ui_img(u)->boxes, &ui_img(u)->cap_boxes, &ui_img(u)->n_boxes, NULL);
	free(score);
	*out = st == TS_OK ? ui_img(u)->boxes : NULL;
	return st == TS_OK ? ui_img(u)->n_boxes : 0;
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
	if (ui_img(u)->blank && ui_img(u)->blank_for_run == v->run && ui_img(u)->blank_for_idx == v->idx) {
		*blank = 1;
		return ui_img(u)->blank;
	}
	ui_img(u)->blank = NULL;
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
	ui_img(u)->blank = render_image_new((uint32_t)ceil(w), (uint32_t)ceil(h));
	if (!ui_img(u)->blank)
		return NULL;
	/* a dark grey canvas so black boxes and text stay visible; 28 is an
	 * entry of xterm's grey ramp (8 + 10k), so a palette terminal shows it
	 * flat instead of dithering it */
	for (size_t p = 0; p < (size_t)ui_img(u)->blank->w * ui_img(u)->blank->h; p++) {
		ui_img(u)->blank->rgba[4 * p + 0] = 28;
		ui_img(u)->blank->rgba[4 * p + 1] = 28;
		ui_img(u)->blank->rgba[4 * p + 2] = 28;
		ui_img(u)->blank->rgba[4 * p + 3] = 255;
	}
	render_image_touch(ui_img(u)->blank);
	ui_img(u)->blank_for_run = v->run;
	ui_img(u)->blank_for_idx = v->idx;
	*blank = 1;
	return ui_img(u)->blank;
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

int ui_export_png(ui *u, int frame, char *out, size_t outsz)
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
	size_t nb = frame ? ui_boxes(u, &boxes) : ui_export_boxes(u, &boxes);
	render_draw_boxes(img, boxes, nb, 1.0, 1.0);
	char rn[48], im[48];
	file_part(u->s->runs[v->run].name, rn, sizeof rn);
	file_part(v->image_id, im, sizeof im);
	char pol[48] = "";
	if (u->pol_idx == COMPARE_POL_REPEAT_STOP) {
		snprintf(pol, sizeof pol, "-rs");
	} else if (u->pol_idx != COMPARE_POL_OFF) {
		char nm[64];
		pol[0] = '-';
		file_part(session_policy_name(u->s, u->s->pol, nm, sizeof nm), pol + 1, sizeof pol - 1);
	}
	if (frame)
		snprintf(out, outsz, "tailscope-%s-%s-step%ld%s.png", rn, im, v->rp.cursor + 1, pol);
	else
		snprintf(out, outsz, "tailscope-%s-%s%s.png", rn, im, pol);
	/* for slides: run, sample, step, policy and the legend under the image */
	char cap[400], nm[64];
	char stp[64];
	if (frame)
		snprintf(stp, sizeof stp, "step %ld/%ld", v->rp.cursor + 1, replay_len(&v->rp));
	else
		snprintf(stp, sizeof stp, "whole list (%zu records)", sample_n_records(v->s));
	snprintf(cap, sizeof cap, "%s  sample %s  %s  policy %s", u->s->runs[v->run].name,
	         v->image_id, stp,
	         u->pol_idx == COMPARE_POL_REPEAT_STOP ? "repeat_stop"
	         : u->pol_idx != COMPARE_POL_OFF ? session_policy_name(u->s, u->s->pol, nm, sizeof nm) : "off");
	render_image *capt = NULL;
	ts_status st = render_caption_add(img, cap, 1, &capt, &e);
	if (st == TS_OK) {
		st = render_png_write(capt, out, &e);
		render_image_free(capt);
	}
	render_image_free(img);
	if (st != TS_OK) {
		ui_note(u, "export failed: %s", e.msg);
		return -1;
	}
	return 0;
}
