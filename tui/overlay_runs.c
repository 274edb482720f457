/* overlay_runs.c — several runs on one image (i, issue 22 item 11): the
 * sample on screen with every open run's predictions of the same image
 * (the runs' matching rule: slist_item.key), each run in its run style and
 * the ground truth once, as `tailscope png RUN1 RUN2 ... --sample N` draws
 * them (render_runs_boxes, render_run_style: one owner), with a legend line
 * per run; digit keys 1..6 toggle runs, n/p move to the next sample, t
 * hides the ground truth as in the image pane.
 *
 * At most 6 runs are drawn (RENDER_RUN_STYLES styles): slot k (style k,
 * digit k+1) holds one run.  The first 6 runs take the slots at first; with
 * 7 or more runs open, the legend lists every run (a window around the
 * cursor when they do not fit; the title says which rows), the hidden ones
 * as "hidden", and j/k (Up/Down) move a cursor over them: Space on a drawn
 * run hides it (its slot becomes free), on a hidden run draws it in the
 * first free slot (none free: a note says to hide one first).  No run is
 * dropped silently.  The ground truth comes from slot 1's run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "glyphs.h"
#include "pairs.h"
#include "runimg.h"

#define SLOT_NONE ((size_t)-1)

typedef struct runs_state {
	unsigned shown;             /* bit k: slot k's boxes drawn */
	size_t slot[RENDER_RUN_STYLES]; /* the run in slot k (style k), or SLOT_NONE */
	size_t cur;                 /* 7+ runs: the run under the legend's cursor */
	int loaded;
	size_t for_run, for_idx;    /* the view's sample they were loaded for */
	runimg ri[RENDER_RUN_STYLES];
	int has[RENDER_RUN_STYLES]; /* run k has the sample and it loaded */
	size_t base;                /* the run whose image (pixel space) is used */
	render_image *canvas;       /* blank canvas when no run has an image file */
} runs_state;

static runs_state *st_of(const ui *u)
{
	return ui_private(u, &ui_overlay_runs);
}

/* Slots in use: 0..n-1 (some may be SLOT_NONE after Space). */
static size_t n_shown_runs(const session *s)
{
	return s->n_runs < RENDER_RUN_STYLES ? s->n_runs : RENDER_RUN_STYLES;
}

/* Slots holding a run. */
static size_t n_drawn(const runs_state *st)
{
	size_t n = 0;
	for (size_t k = 0; k < RENDER_RUN_STYLES; k++)
		n += st->slot[k] != SLOT_NONE;
	return n;
}

/* The slot of run j, or SLOT_NONE when it is hidden. */
static size_t slot_of(const runs_state *st, size_t j)
{
	for (size_t k = 0; k < RENDER_RUN_STYLES; k++)
		if (st->slot[k] == j)
			return k;
	return SLOT_NONE;
}

static void runs_clear(runs_state *st)
{
	for (size_t k = 0; k < RENDER_RUN_STYLES; k++)
		runimg_free(&st->ri[k]);
	memset(st->has, 0, sizeof st->has);
	render_image_free(st->canvas);
	st->canvas = NULL;
	st->loaded = 0;
}

/* Loads the view's sample in every run (its image from the first run that
 * has an image file, else the first that has the sample). */
static void runs_load(ui *u, runs_state *st)
{
	const session *s = u->s;
	const session_view *v = &s->view;
	runs_clear(st);
	st->loaded = 1;
	st->for_run = v->run;
	st->for_idx = v->idx;
	const char *key = v->run < s->n_runs && v->idx < s->runs[v->run].n ? s->runs[v->run].items[v->idx].key
	                                                                    : NULL;
	st->base = (size_t)-1;
	for (size_t k = 0; k < n_shown_runs(s); k++) {
		if (st->slot[k] == SLOT_NONE)
			continue;
		const session_run *r = &s->runs[st->slot[k]];
		size_t idx = st->slot[k] == v->run ? v->idx : runimg_find(r, key);
		if (idx == (size_t)-1)
			continue;
		int with_image = st->base == (size_t)-1 || !st->ri[st->base].img;
		st->has[k] = runimg_load(r, idx, with_image, &s->rlim, &st->ri[k]) == 0;
		if (st->has[k] && (st->base == (size_t)-1 || (!st->ri[st->base].img && st->ri[k].img)))
			st->base = k;
	}
	if (st->base != (size_t)-1 && !st->ri[st->base].img)
		st->canvas = render_image_new(st->ri[st->base].w, st->ri[st->base].h);
}

/* Every shown run's boxes in the base image's pixels (render_runs_boxes). */
static size_t runs_boxes(const runs_state *st, size_t n, int with_gt, render_box **out)
{
	render_run_boxes rb[RENDER_RUN_STYLES];
	const runimg *b = &st->ri[st->base];
	for (size_t k = 0; k < n; k++) {
		const runimg *r = &st->ri[k];
		if (!st->has[k]) {
			rb[k] = (render_run_boxes){NULL, 0, 1.0, 1.0};
			continue;
		}
		/* into the base run's pixels (its image may differ in size), as png */
		double fx = (double)b->w / r->w, fy = (double)b->h / r->h;
		rb[k] = (render_run_boxes){r->boxes, r->n_boxes, r->sx * fx, r->sy * fy};
	}
	size_t nb = 0;
	ts_error e;
	if (render_runs_boxes(rb, n, st->shown, with_gt, out, &nb, &e) != TS_OK)
		return 0;
	return nb;
}

/* The colour render gives a style (render_style_color_of) as a curses
 * attribute; bold without colours. */
static attr_t style_attr(ui *u, box_style bs)
{
	render_style_color c = render_style_color_of(bs);
	int fg = u->term.mode == RENDER_COLORS_TRUECOLOR ? pairs_direct_color((int32_t)c.rgb)
	       : u->term.mode == RENDER_COLORS_240 ? c.idx256
	       : u->term.mode == RENDER_COLORS_16 ? c.idx16 : c.idx8;
	if (u->term.mode == RENDER_COLORS_NONE || !u->term.pairs || fg >= COLORS)
		return A_BOLD;
	int pair = pairs_get(u->term.pairs, fg, -1);
	return pair > 0 ? (attr_t)COLOR_PAIR(pair) | A_BOLD : A_BOLD;
}

/* How a run style's strokes look, in words (render.h's table of styles). */
static const char *style_words(box_style bs)
{
	switch (bs) {
	case BOX_PRED: return "blue";
	case BOX_FP: return "red";
	case BOX_TP: return "cyan";
	case BOX_DUP: return "magenta, thick";
	case BOX_MISS: return "yellow, dashed";
	case BOX_CUT: return "grey, dotted";
	default: return "green, dashed";
	}
}

/* One legend entry (slot k) from column x on row y; returns the columns used. */
static int legend_item(ui *u, WINDOW *w, int y, int x, int W, size_t k, const runs_state *st)
{
	const session_run *r = &u->s->runs[st->slot[k]];
	int on = (st->shown >> k) & 1u;
	box_style bs = render_run_style(k);
	char buf[256];
	if (st->has[k])
		snprintf(buf, sizeof buf, "%s (%s) %zu box%s%s", r->name, style_words(bs), st->ri[k].stats.pred,
		         st->ri[k].stats.pred == 1 ? "" : "es", on ? "" : " · off");
	else
		snprintf(buf, sizeof buf, "%s: not in this run", r->name);
	char num[8];
	snprintf(num, sizeof num, "%zu", k + 1);
	int used = draw_put(w, y, x, W - x, num, on ? A_BOLD | A_REVERSE : A_DIM);
	used += draw_put(w, y, x + used + 1, W - x - used - 1, "■■", on ? style_attr(u, bs) : A_DIM);
	used += 2 + draw_put(w, y, x + used + 2, W - x - used - 2, buf, on ? A_NORMAL : A_DIM);
	return used;
}

/* Rows of the 7+ runs list: every run, at most a third of the screen. */
static int list_rows(const session *s)
{
	int most = (LINES - 1) / 3 > 4 ? (LINES - 1) / 3 : 4;
	return s->n_runs < (size_t)most ? (int)s->n_runs : most;
}

/* The first run the list shows (its window keeps the cursor in view). */
static size_t list_first(const session *s, const runs_state *st)
{
	size_t rows = (size_t)list_rows(s);
	size_t first = st->cur >= rows / 2 ? st->cur - rows / 2 : 0;
	return first + rows > s->n_runs ? s->n_runs - rows : first;
}

/* 7+ runs: every run a row from y, the drawn ones as in the legend (their
 * digit and style), the hidden ones named "hidden", the cursor GL_SIDE. */
static void runs_list(ui *u, WINDOW *w, int y, int W, const runs_state *st)
{
	const session *s = u->s;
	size_t first = list_first(s, st), rows = (size_t)list_rows(s);
	for (size_t j = first; j < first + rows; j++, y++) {
		size_t k = slot_of(st, j);
		draw_put(w, y, 0, 1, j == st->cur ? glyph(GL_SIDE) : " ", A_BOLD);
		if (k != SLOT_NONE) {
			legend_item(u, w, y, 1, W - 1, k, st);
			continue;
		}
		char buf[256];
		snprintf(buf, sizeof buf, "%s: hidden (Space draws it)", s->runs[j].name);
		draw_put(w, y, 1, 1, "·", A_DIM);
		draw_put(w, y, 7, W - 8, buf, j == st->cur ? A_BOLD : A_DIM);
	}
}

/* The legend rows from y: one run a row (ground truth first). */
static void runs_legend(ui *u, WINDOW *w, int y, int W, const runs_state *st, int with_gt)
{
	if (with_gt) {
		draw_put(w, y, 1, 3, "■■", style_attr(u, BOX_GT));
		draw_put(w, y, 4, W - 5, "ground truth (green, dashed, outside the box; from the first run)",
		         A_NORMAL);
		y++;
	}
	if (u->s->n_runs > RENDER_RUN_STYLES) {
		runs_list(u, w, y, W, st);
		return;
	}
	for (size_t k = 0; k < n_shown_runs(u->s); k++)
		if (st->slot[k] != SLOT_NONE)
			legend_item(u, w, y++, 1, W - 1, k, st);
}

static void runs_title(ui *u, WINDOW *w, int W, const runs_state *st)
{
	const session *s = u->s;
	char buf[512];
	if (s->n_runs > RENDER_RUN_STYLES) {
		size_t first = list_first(s, st), rows = (size_t)list_rows(s);
		snprintf(buf, sizeof buf, " Runs on one image  image %s  %zu of %zu runs drawn (at most %d), "
		         "list %zu-%zu  · j/k Space choose · 1-%d toggle · n/p sample · i/Esc close",
		         s->view.image_id, n_drawn(st), s->n_runs, RENDER_RUN_STYLES, first + 1, first + rows,
		         RENDER_RUN_STYLES);
	} else {
		snprintf(buf, sizeof buf, " Runs on one image  image %s  %zu run%s  · 1-%zu toggle · n/p sample · i/Esc close",
		         s->view.image_id, n_shown_runs(s), n_shown_runs(s) == 1 ? "" : "s", n_shown_runs(s));
	}
	draw_title(u, w, W, 1, buf);
}

static void runs_draw(ui *u, const ui_frame *f)
{
	(void)f;
	if (!u->s || LINES < 4)
		return;
	WINDOW *w = newwin(LINES - 1, COLS, 0, 0);
	if (!w)
		return;
	int H = LINES - 1, W = COLS;
	runs_state *st = st_of(u);
	const session_view *v = &u->s->view;
	runs_title(u, w, W, st);
	if (u->s->n_runs < 2)
		draw_put(w, 2, 1, W - 2, "one run open: give the debugger 2 to 6 runs (tailscope RUN1 RUN2 ...) "
		         "to see their boxes on one image", A_NORMAL);
	else if (!v->valid)
		draw_put(w, 2, 1, W - 2, "no sample selected", A_NORMAL);
	else {
		if (!st->loaded || st->for_run != v->run || st->for_idx != v->idx)
			runs_load(u, st);
		size_t n = n_shown_runs(u->s);
		int with_gt = ui_img(u)->show_gt && st->has[0] && st->ri[0].gimg; /* t */
		int leg = (u->s->n_runs > RENDER_RUN_STYLES ? list_rows(u->s) : (int)n_drawn(st)) + with_gt;
		if (st->base == (size_t)-1) {
			size_t k = slot_of(st, v->run);
			draw_put(w, 2, 1, W - 2, k == SLOT_NONE ? "the sample is in none of the drawn runs"
			         : st->ri[k].err[0] ? st->ri[k].err : "the sample did not load",
			         draw_ca(u, CP_FP, 0, A_BOLD));
		} else {
			render_box *all = NULL;
			size_t nb = runs_boxes(st, n, with_gt, &all);
			const render_image *img = st->ri[st->base].img ? st->ri[st->base].img : st->canvas;
			if (img)
				ui_image_cells(u, w, 1, 0, H - 1 - leg, W, img, all, nb, RENDER_LABELS_KEY);
			free(all);
		}
		runs_legend(u, w, H - leg, W, st, with_gt);
	}
	wnoutrefresh(w);
	delwin(w);
}

static unsigned runs_toggle(ui *u, unsigned k)
{
	runs_state *st = st_of(u);
	if (!u->s || k >= n_shown_runs(u->s) || st->slot[k] == SLOT_NONE) {
		ui_note(u, "no run %u (%zu open)", k + 1, u->s ? u->s->n_runs : (size_t)0);
		return UI_RD_STATUS;
	}
	st->shown ^= 1u << k;
	ui_note(u, "run %u %s: %s", k + 1, u->s->runs[st->slot[k]].name,
	        (st->shown >> k) & 1u ? "shown" : "hidden");
	return UI_RD_OVERLAY | UI_RD_STATUS;
}

/* 7+ runs: j/k move the list's cursor (else passed on). */
static UI_REQUEST(runs_cursor)
{
	runs_state *st = st_of(u);
	if (!u->s || u->s->n_runs <= RENDER_RUN_STYLES) {
		*handled = 0;
		return 0;
	}
	if (a == ACT_DOWN && st->cur + 1 < u->s->n_runs)
		st->cur++;
	else if (a == ACT_UP && st->cur > 0)
		st->cur--;
	return UI_RD_OVERLAY;
}

/* 7+ runs: Space draws the run under the cursor in the first free slot,
 * or hides it (its slot becomes free). */
static UI_REQUEST(runs_choose)
{
	runs_state *st = st_of(u);
	if (!u->s || u->s->n_runs <= RENDER_RUN_STYLES) {
		*handled = 0;
		return 0;
	}
	(void)a;
	size_t k = slot_of(st, st->cur);
	const char *name = u->s->runs[st->cur].name;
	if (k != SLOT_NONE) {
		st->slot[k] = SLOT_NONE;
		ui_note(u, "%s hidden (style %zu free)", name, k + 1);
	} else {
		for (k = 0; k < RENDER_RUN_STYLES && st->slot[k] != SLOT_NONE; k++)
			;
		if (k == RENDER_RUN_STYLES) {
			ui_note(u, "%d runs are drawn at most: Space on a drawn run hides it first",
			        RENDER_RUN_STYLES);
			return UI_RD_STATUS;
		}
		st->slot[k] = st->cur;
		st->shown |= 1u << k;
		ui_note(u, "%s drawn as run %zu (%s)", name, k + 1, style_words(render_run_style(k)));
	}
	st->loaded = 0; /* load the sample in the new set of runs */
	return UI_RD_OVERLAY | UI_RD_STATUS;
}

/* n/p: the next/previous sample of the list, on the comparison screen
 * too; Esc/q close (the overlays' table). */
static UI_REQUEST(runs_next)
{
	return ui_move_samples(u, a == ACT_NEXT_SAMPLE ? 1 : -1, 0) | UI_RD_OVERLAY;
}

static const ui_request requests[ACT_COUNT] = {
	[ACT_QUIT] = ui_overlay_close,   [ACT_CLOSE] = ui_overlay_close,
	[ACT_NEXT_SAMPLE] = runs_next,   [ACT_PREV_SAMPLE] = runs_next,
	[ACT_DOWN] = runs_cursor,        [ACT_UP] = runs_cursor,
	[ACT_PLAY] = runs_choose,
};

/* Digits toggle runs; every other key as the debugger takes it. */
static unsigned runs_input(ui *u, int is_key, unsigned ch)
{
	if (!is_key && ch >= '1' && ch < '1' + RENDER_RUN_STYLES)
		return runs_toggle(u, ch - '1');
	if (!is_key && ch > 0x7f)
		return 0;
	return ui_action(u, keys_lookup((int)ch));
}

static void runs_open(ui *u)
{
	runs_state *st = st_of(u);
	runs_clear(st);
	st->shown = (1u << RENDER_RUN_STYLES) - 1;
	for (size_t k = 0; k < RENDER_RUN_STYLES; k++)
		st->slot[k] = u->s && k < u->s->n_runs ? k : SLOT_NONE;
	st->cur = 0;
}

static void runs_fini(void *priv)
{
	runs_clear(priv);
}

const ui_view ui_overlay_runs = {
	.name = "runs", .id = UI_OV_RUNS, .toggle = ACT_RUNS_IMAGE, .win = -1, .rd = UI_RD_OVERLAY,
	.draw = runs_draw, .requests = requests, .input = runs_input,
	.private_size = sizeof(runs_state), .open = runs_open, .fini = runs_fini,
};
