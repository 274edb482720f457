/* ui_draw.c — the curses frame (see ui.h): colours, windows, and one frame
 * of the screen on show and its overlay (view.h); the panes, screens and
 * overlays draw themselves (pane_*.c, screen_*.c, overlay_*.c). */
#include <stdio.h>

#include "draw.h"
#include "pairs.h"
#include "pixel.h"
#include "term.h"

static int init_image_pair(void *ud, int pair, int fg, int bg)
{
	(void)ud;
	return init_extended_pair(pair, fg, bg) == OK ? 0 : -1;
}
void ui_colors_init(ui *u)
{
	u->term.color = term_colors();
	u->term.mode = u->term.color ? render_color_mode_for(COLORS) : RENDER_COLORS_NONE;
	if (term_color_note()[0])
		ui_note(u, "%s", term_color_note()); /* truecolour via TERM's -direct entry, or why not */
	else if (u->term.mode == RENDER_COLORS_8) /* pane_image.c draws the image in grayscale */
		ui_note(u, "8-colour terminal: image in grayscale, boxes in colour");
	if (!u->term.color)
		return;
	int grey = COLORS >= 256 ? 244 : COLOR_WHITE;
	int orange = COLORS >= 256 ? 208 : COLOR_RED;
	init_pair(CP_TITLE, COLOR_BLACK, COLOR_WHITE);
	init_pair(CP_TITLE_FOCUS, COLOR_BLACK, COLOR_CYAN);
	init_pair(CP_STATUS, COLOR_WHITE, COLOR_BLUE);
	init_pair(CP_DUP, COLOR_YELLOW, -1);
	init_pair(CP_TRUNC, COLOR_RED, -1);
	init_pair(CP_CLOSED, COLOR_GREEN, -1);
	init_pair(CP_MALFORMED, COLOR_MAGENTA, -1);
	init_pair(CP_TP, COLOR_CYAN, -1);
	init_pair(CP_FP, COLOR_RED, -1);
	init_pair(CP_GT, COLOR_GREEN, -1);
	init_pair(CP_MISS, COLOR_YELLOW, -1);
	init_pair(CP_TAIL, COLOR_MAGENTA, -1);
	init_pair(CP_CUT, grey, -1);
	init_pair(CP_DIM, grey, -1);
	init_pair(CP_P_MID, COLOR_YELLOW, -1);
	init_pair(CP_P_LOW, orange, -1);
	init_pair(CP_P_VLOW, COLOR_WHITE, COLOR_RED);
	init_pair(CP_BOUNDARY, COLOR_CYAN, -1);
	init_pair(CP_TERM, COLOR_GREEN, -1);
	init_pair(CP_STOP, COLOR_MAGENTA, -1);
	init_pair(CP_OVERLAY, COLOR_WHITE, COLOR_BLACK);
	init_pair(CP_NOTE, COLOR_YELLOW, COLOR_BLUE);
	init_pair(CP_RS_ON, COLOR_BLACK, COLOR_MAGENTA);
	init_pair(CP_PRED, COLOR_CYAN, -1);
	init_pair(CP_WORST, COLOR_WHITE, COLOR_RED);
	init_pair(CP_BETTER, COLOR_GREEN, -1);
	int limit = COLOR_PAIRS < 32767 ? COLOR_PAIRS : 32767;
	if (limit > UI_PAIR_FIRST_IMAGE)
		u->term.pairs = pairs_new(UI_PAIR_FIRST_IMAGE, limit, init_image_pair, NULL);
}
static void free_windows(ui *u)
{
	for (int i = 0; i < UI_N_WIN; i++)
		if (u->term.win[i]) {
			delwin(WIN(u, i));
			u->term.win[i] = NULL;
		}
}
static void *mk(const ui_rect *r)
{
	if (r->h <= 0 || r->w <= 0)
		return NULL;
	return newwin(r->h, r->w, r->y, r->x);
}
void ui_resize(ui *u)
{
	free_windows(u);
	ui_layout_compute_zoom(LINES, COLS, ui_img(u)->zoom, &u->lay);
	u->term.img_valid = 0;
	u->term.n_hits = 0;
	if (u->lay.too_small)
		return;
	u->term.win[W_SAMPLES] = mk(&u->lay.samples);
	u->term.win[W_IMAGE] = mk(&u->lay.image);
	u->term.win[W_RECORDS] = mk(&u->lay.records);
	u->term.win[W_TIMELINE] = mk(&u->lay.timeline);
	u->term.win[W_STATUS] = mk(&u->lay.status);
	ui_rect full = {0, 0, u->lay.rows - 1, u->lay.cols};
	u->term.win[W_SCREEN] = mk(&full);
	for (int i = 0; i < UI_N_WIN; i++)
		if (u->term.win[i])
			leaveok(WIN(u, i), TRUE);
}
static void draw_too_small(ui *u)
{
	char buf[128];
	werase(stdscr);
	snprintf(buf, sizeof buf, "terminal too small (%dx%d)", u->lay.cols, u->lay.rows);
	mvaddnstr(u->lay.rows / 2 > 0 ? u->lay.rows / 2 - 1 : 0, 0, buf, u->lay.cols);
	snprintf(buf, sizeof buf, "need at least %dx%d; q quits", UI_MIN_COLS, UI_MIN_ROWS);
	mvaddnstr(u->lay.rows / 2, 0, buf, u->lay.cols);
	wnoutrefresh(stdscr);
	doupdate();
}

/* The screen's views (ui_view.panes), each in its window, redrawn when the
 * mask has its bits (the image pane refreshes itself); the mouse regions of
 * every other view go. */
static void draw_screen(ui *u, const ui_frame *f, const ui_view *scr)
{
	int full = (f->mask & (UI_RD_LAYOUT | UI_RD_OVERLAY)) != 0, image = 0;
	for (int id = UI_OV_NONE + 1; id < UI_V_COUNT; id++) {
		const ui_view *v = ui_view_by_id(id), *const *p = scr->panes;
		while (*p && *p != v)
			p++;
		if (!*p)
			draw_hits_clear(u, v);
	}
	for (const ui_view *const *p = scr->panes; *p; p++) {
		WINDOW *w = WIN(u, (*p)->win);
		image |= (*p)->win == W_IMAGE;
		if (!w)
			continue;
		if (full)
			touchwin(w);
		if (f->mask & (*p)->rd)
			(*p)->draw(u, f);
		if ((*p)->win != W_IMAGE || full)
			wnoutrefresh(w);
	}
	if (!image)
		u->term.img_valid = 0; /* the image pane is covered: draw it again on return */
}

void ui_draw(ui *u, unsigned mask)
{
	ui_frame f;
	if (u->lay.too_small) {
		draw_too_small(u);
		return;
	}
	ui_frame_build(u, &f);
	f.mask = mask;
	if (mask & UI_RD_LAYOUT) {
		werase(stdscr);
		wnoutrefresh(stdscr); /* stdscr stays blank underneath and untouched */
	}
	const ui_view *scr = ui_screen_view(u), *ov = ui_overlay_view(u);
	draw_screen(u, &f, scr);
	ui_status_message_draw(u);
	if (u->overlay != UI_OV_GALLERY)
		pixel_cells_clear(); /* the gallery's images go with it */
	if (ov)
		ov->draw(u, &f);
	doupdate();
}
