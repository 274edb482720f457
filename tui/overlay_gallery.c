/* overlay_gallery.c — the gallery (T, issue 22 item 12): the current run's
 * samples as a grid of thumbnails, worst first (the samples list's own
 * "max repeat" sort, slist.h), each with its name and the list's badges
 * (ui_sample_badges: one owner) under its image and the export's boxes
 * (runimg.h, as `tailscope png` draws them).  Needs 120 columns (below: a
 * message saying so).  Arrows/hjkl move, Enter opens the sample in the
 * debugger, P in the pixel view.
 *
 * Thumbnails are pixel graphics where the terminal takes them
 * (pixel_cells_proto: kitty, iTerm2 or sixel; not with NO_COLOR, not inside
 * tmux unless forced), else symbols (chafa cells).  Geometry (0-based
 * screen cells): cols = COLS / 30 thumbnails a row, rows = (LINES - 3) / 11
 * (at most 64 on a page); thumbnail k of the page is at row 2 + (k / cols)
 * * 11, column 1 + (k % cols) * 30; its image takes the 28 x 8 cells there
 * (pixels: placed at that top-left cell, aspect kept within 28 x 8), its
 * name the row below, its badges the next.  In pixels, curses draws the
 * frame (title, names, badges, a load error's reason) and leaves the image
 * cells blank; then each image is written there (pixel_cells_show), each
 * encoded once per thumbnail and cell size (kept with the thumbnail), the
 * kitty ones with image id GAL_KITTY_ID + the sample's index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "pixel.h"
#include "runimg.h"

#define GAL_MIN_COLS 120
#define GAL_TW 30          /* columns of a thumbnail (with its gap) */
#define GAL_IMG_ROWS 8     /* rows of its image */
#define GAL_TH (GAL_IMG_ROWS + 3) /* + name, badges, gap */
#define GAL_MAX 64         /* thumbnails on one page at most */
#define GAL_KITTY_ID 0x10000000u /* kitty image ids: this + the sample's index */
#define GAL_SIDE 320       /* pixels kept per thumbnail (longer side): a
                            * 28 x 8 cell thumbnail needs fewer */

typedef struct gal_state {
	slist order;           /* the run's samples, worst first */
	int has_order;
	size_t sel;            /* selected position in order.view */
	size_t top;            /* first position shown (a row start) */
	size_t for_run;
	size_t idx[GAL_MAX];   /* loaded thumbnails: sample index, ... */
	runimg th[GAL_MAX];    /* ... and what loaded */
	int ok[GAL_MAX];
	char *seq[GAL_MAX];    /* ... its graphics sequence (pixels), encoded for */
	size_t seq_len[GAL_MAX];
	int seq_key[GAL_MAX];  /* ... this protocol and cell size (seq_of) */
	size_t n_th;
	int pix, proto, cw, ch; /* this frame: pixels (protocol, cell pixels) */
	pixel_cell_img place[GAL_MAX]; /* ... the images to put on screen */
	size_t n_place;
} gal_state;

static gal_state *gs(const ui *u)
{
	return ui_private(u, &ui_overlay_gallery);
}

static void thumbs_clear(gal_state *g)
{
	for (size_t i = 0; i < g->n_th; i++) {
		runimg_free(&g->th[i]);
		free(g->seq[i]);
		g->seq[i] = NULL;
	}
	g->n_th = 0;
}

/* The gallery's order: the samples list's sort by max repeat (worst first). */
static void gal_order(ui *u, gal_state *g)
{
	session_run *r = session_cur(u->s);
	if (!g->has_order) {
		slist_init(&g->order);
		g->has_order = 1;
	}
	g->order.sort = SLIST_SORT_REPEAT;
	g->order.reverse = 0;
	if (g->for_run != u->s->cur) {
		thumbs_clear(g);
		g->for_run = u->s->cur;
		g->sel = g->top = 0;
	}
	slist_rebuild(&g->order, r->items, r->n);
}

/* Columns and rows of thumbnails on screen. */
static void gal_grid(int *cols, int *rows)
{
	*cols = COLS / GAL_TW;
	*rows = (LINES - 3) / GAL_TH;
	if (*cols * *rows > GAL_MAX)
		*rows = GAL_MAX / *cols;
	if (*rows < 1)
		*rows = 1;
}

/* The slot of sample idx's thumbnail (loaded once while it stays on the page). */
static size_t gal_thumb(ui *u, gal_state *g, size_t idx)
{
	for (size_t i = 0; i < g->n_th; i++)
		if (g->idx[i] == idx)
			return i;
	if (g->n_th >= GAL_MAX)
		thumbs_clear(g);
	size_t i = g->n_th++;
	g->idx[i] = idx;
	g->seq[i] = NULL;
	g->ok[i] = runimg_load(session_cur(u->s), idx, GAL_SIDE, &u->s->rlim, &g->th[i]) == 0;
	return i;
}

/* A load error without its "FILE:LINE: " head: the thumbnail's name says
 * which line, and a path would fill the thumbnail's width. */
static const char *err_reason(const char *m)
{
	for (const char *p = m; (p = strchr(p, ':')) != NULL; p++) {
		const char *d = p + 1;
		while (*d >= '0' && *d <= '9')
			d++;
		if (d > p + 1 && d[0] == ':' && d[1] == ' ')
			return d + 2;
	}
	return m;
}

/* Sample idx's kitty image id (one per sample: a scroll keeps it). */
static uint32_t kitty_id(size_t idx)
{
	return GAL_KITTY_ID + (uint32_t)(idx & 0xfffffff);
}

/* Thumbnail slot i as a graphics sequence for this frame's protocol and
 * cell size (encoded once, kept with the thumbnail); NULL when it cannot be
 * encoded (symbols then). */
static const char *seq_of(gal_state *g, size_t i, const render_image *img, const render_box *b)
{
	int key = g->proto * 1000000 + g->cw * 1000 + g->ch;
	if (g->seq[i] && g->seq_key[i] == key)
		return g->seq[i];
	free(g->seq[i]);
	g->seq[i] = NULL;
	const runimg *t = &g->th[i];
	ts_error e;
	if (render_pixels_encode_id(img, b, t->n_boxes, (render_pixel_proto)g->proto, GAL_TW - 2,
	                            GAL_IMG_ROWS, g->cw, g->ch, kitty_id(g->idx[i]), &g->seq[i],
	                            &g->seq_len[i], NULL, NULL, &e) != TS_OK)
		return NULL;
	g->seq_key[i] = key;
	return g->seq[i];
}

/* In pixels: slot i's image to be written at (y, x) after curses has drawn;
 * 0, or -1 when it cannot be encoded. */
static int thumb_place(gal_state *g, size_t i, int y, int x, const render_image *img,
                       const render_box *b)
{
	const char *seq = g->n_place < GAL_MAX ? seq_of(g, i, img, b) : NULL;
	if (!seq)
		return -1;
	pixel_cell_img *p = &g->place[g->n_place++];
	p->y = y;
	p->x = x;
	p->key = g->idx[i];
	p->id = g->proto == RENDER_PIXELS_KITTY ? kitty_id(g->idx[i]) : 0;
	p->seq = seq;
	p->len = g->seq_len[i];
	return 0;
}

/* The image with its boxes (scaled into its pixels) in symbols or, in
 * pixels, left blank for its graphics; or the reason it did not load. */
static void thumb_image(ui *u, WINDOW *w, int y, int x, gal_state *g, size_t i)
{
	const runimg *t = &g->th[i];
	if (!g->ok[i]) {
		draw_put(w, y + GAL_IMG_ROWS / 2, x, GAL_TW - 2, err_reason(t->err),
		         draw_ca(u, CP_FP, 0, A_BOLD));
		return;
	}
	render_image *canvas = t->img ? NULL : render_image_new(t->w, t->h);
	const render_image *img = t->img ? t->img : canvas;
	render_box *b = malloc((t->n_boxes ? t->n_boxes : 1) * sizeof *b);
	if (img && b) {
		for (size_t k = 0; k < t->n_boxes; k++) {
			b[k] = t->boxes[k];
			b[k].x1 *= t->sx, b[k].x2 *= t->sx, b[k].y1 *= t->sy, b[k].y2 *= t->sy;
		}
		if (!g->pix || thumb_place(g, i, y, x, img, b) != 0)
			ui_image_cells(u, w, y, x, GAL_IMG_ROWS, GAL_TW - 2, img, b, t->n_boxes,
			               RENDER_LABELS_NONE);
	}
	free(b);
	render_image_free(canvas);
}

/* Thumbnail at position pos of the order, at (y, x). */
static void thumb_draw(ui *u, WINDOW *w, int y, int x, gal_state *g, size_t pos)
{
	const session_run *r = session_cur(u->s);
	size_t idx = g->order.view[pos];
	const slist_item *it = &r->items[idx];
	int sel = pos == g->sel;
	attr_t base = sel ? A_REVERSE : A_NORMAL;
	thumb_image(u, w, y, x, g, gal_thumb(u, g, idx));
	char name[96];
	if (it->name)
		snprintf(name, sizeof name, "%zu %s", pos + 1, it->name);
	else
		snprintf(name, sizeof name, "%zu line %zu", pos + 1, trace_index_lineno(r->ix, idx));
	if (sel)
		draw_fill_row(w, y + GAL_IMG_ROWS, x, GAL_TW - 2, base);
	draw_put(w, y + GAL_IMG_ROWS, x, GAL_TW - 2, name, base | (sel ? A_BOLD : 0));
	if (it->ready && !it->failed)
		ui_sample_badges(u, w, y + GAL_IMG_ROWS + 1, x + 4, it, 0, A_NORMAL);
	else
		draw_put(w, y + GAL_IMG_ROWS + 1, x + 4, GAL_TW - 6, it->failed ? "error" : "…",
		         draw_ca(u, CP_DIM, 0, A_DIM));
	draw_hit_add(u, y + GAL_IMG_ROWS, x, x + GAL_TW - 2, &ui_overlay_gallery, (long)pos);
}

static void gal_title(ui *u, WINDOW *w, int W, const gal_state *g)
{
	char buf[512];
	const session_run *r = session_cur(u->s);
	snprintf(buf, sizeof buf, " Gallery %s  %zu/%zu  worst first (max repeat)  · arrows · Enter opens "
	         "· P pixels · T/Esc close · %s", r->name, g->order.n_view ? g->sel + 1 : 0,
	         g->order.n_view, !g->pix ? "symbols" : g->proto == RENDER_PIXELS_KITTY ? "pixels (kitty)"
	         : g->proto == RENDER_PIXELS_SIXEL ? "pixels (sixel)" : "pixels (iTerm2)");
	draw_title(u, w, W, 1, buf);
}

/* After curses has drawn the frame: the images in pixels (pixel.h), or
 * none (symbols, too narrow: the ones on screen go).  A new layout may
 * have repainted the screen: they are written again. */
static void gal_pixels(gal_state *g, unsigned mask, int wide)
{
	if (!wide || !g->pix) {
		pixel_cells_clear();
		return;
	}
	if (mask & UI_RD_LAYOUT)
		pixel_cells_clear();
	doupdate();
	pixel_cells_show(g->place, g->n_place);
}

static void gal_draw(ui *u, const ui_frame *f)
{
	if (!u->s || LINES < 4 || !session_cur(u->s))
		return;
	WINDOW *w = newwin(LINES - 1, COLS, 0, 0);
	if (!w)
		return;
	gal_state *g = gs(u);
	draw_hits_clear(u, &ui_overlay_gallery);
	/* the panes under it take no clicks while it covers them (they add
	 * theirs again when they are drawn after it closes) */
	draw_hits_clear(u, &ui_pane_samples);
	draw_hits_clear(u, &ui_pane_records);
	draw_hits_clear(u, &ui_pane_timeline);
	draw_hits_clear(u, &ui_screen_compare);
	draw_hits_clear(u, &ui_screen_diff);
	if (COLS < GAL_MIN_COLS) {
		char buf[160];
		draw_title(u, w, COLS, 1, " Gallery");
		snprintf(buf, sizeof buf, "the gallery needs a terminal at least %d columns wide (now %d): "
		         "widen it, or use the samples list · T/Esc close", GAL_MIN_COLS, COLS);
		draw_put(w, 2, 1, COLS - 2, buf, A_NORMAL);
	} else {
		char why[200];
		g->pix = pixel_cells_proto(&g->proto, why, sizeof why);
		if (g->pix)
			pixel_cells_size(&g->cw, &g->ch);
		g->n_place = 0;
		gal_order(u, g);
		int cols, rows;
		gal_grid(&cols, &rows);
		size_t per = (size_t)cols * (size_t)rows, n = g->order.n_view;
		if (g->sel >= n)
			g->sel = n ? n - 1 : 0;
		if (g->sel < g->top)
			g->top = g->sel - g->sel % (size_t)cols;
		while (g->sel >= g->top + per)
			g->top += (size_t)cols;
		gal_title(u, w, COLS, g);
		for (size_t k = 0; k < per && g->top + k < n; k++)
			thumb_draw(u, w, 2 + (int)(k / (size_t)cols) * GAL_TH, 1 + (int)(k % (size_t)cols) * GAL_TW,
			           g, g->top + k);
		if (n == 0)
			draw_put(w, 2, 1, COLS - 2, "no samples", A_NORMAL);
	}
	wnoutrefresh(w);
	delwin(w);
	gal_pixels(g, f->mask, COLS >= GAL_MIN_COLS);
}

/* Opens the selected sample in the debugger (the gallery closes). */
static unsigned gal_open(ui *u, gal_state *g)
{
	if (!g->has_order || g->sel >= g->order.n_view)
		return 0;
	u->overlay = UI_OV_NONE;
	return ui_drill_into(u, u->s->cur, g->order.view[g->sel]) | UI_RD_ALL;
}

/* Moves the selection by d thumbnails (clamped). */
static unsigned gal_move(ui *u, long d)
{
	gal_state *g = gs(u);
	size_t n = g->has_order ? g->order.n_view : 0;
	long s = (long)g->sel + d;
	g->sel = n == 0 || s < 0 ? 0 : s >= (long)n ? n - 1 : (size_t)s;
	return UI_RD_OVERLAY;
}

/* arrows, h/j/k/l, PgDn/PgUp, g/G: by a thumbnail, a row, a page, to an end */
static UI_REQUEST(gal_motion)
{
	int cols, rows;
	gal_grid(&cols, &rows);
	long per = (long)cols * rows, n = (long)(gs(u)->has_order ? gs(u)->order.n_view : 0);
	long d = a == ACT_STEP_FWD ? 1 : a == ACT_STEP_BACK ? -1 : a == ACT_DOWN ? cols
	       : a == ACT_UP ? -cols : a == ACT_PAGE_DOWN ? per : a == ACT_PAGE_UP ? -per
	       : a == ACT_TOP ? -n : n;
	return gal_move(u, d);
}

static UI_REQUEST(gal_enter)
{
	return gal_open(u, gs(u));
}

static UI_REQUEST(gal_pixel)
{
	unsigned m = gal_open(u, gs(u));
	return m ? m | pixel_view(u) : 0;
}

static const ui_request requests[ACT_COUNT] = {
	[ACT_QUIT] = ui_overlay_close,  [ACT_CLOSE] = ui_overlay_close,
	[ACT_ENTER] = gal_enter,        [ACT_PIXEL] = gal_pixel,
	[ACT_STEP_FWD] = gal_motion,    [ACT_STEP_BACK] = gal_motion,
	[ACT_DOWN] = gal_motion,        [ACT_UP] = gal_motion,
	[ACT_PAGE_DOWN] = gal_motion,   [ACT_PAGE_UP] = gal_motion,
	[ACT_TOP] = gal_motion,         [ACT_BOTTOM] = gal_motion,
};

static unsigned gal_click(ui *u, const ui_hit *h)
{
	gal_state *g = gs(u);
	if (u->overlay != UI_OV_GALLERY)
		return 0;
	if ((size_t)h->value == g->sel)
		return gal_open(u, g);
	g->sel = (size_t)h->value;
	return UI_RD_OVERLAY;
}

static void gal_open_hook(ui *u)
{
	gal_state *g = gs(u);
	thumbs_clear(g);
	g->for_run = (size_t)-1;
	g->sel = g->top = 0;
}

static void gal_fini(void *priv)
{
	gal_state *g = priv;
	pixel_cells_clear(); /* kitty: its images go when the debugger ends */
	thumbs_clear(g);
	if (g->has_order)
		slist_free(&g->order);
}

const ui_view ui_overlay_gallery = {
	.name = "gallery", .id = UI_OV_GALLERY, .toggle = ACT_GALLERY, .win = -1, .rd = UI_RD_OVERLAY,
	.draw = gal_draw, .requests = requests, .click = gal_click,
	.private_size = sizeof(gal_state), .open = gal_open_hook, .fini = gal_fini,
};
