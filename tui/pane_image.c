/* pane_image.c — the image pane: the sample's image (or a blank canvas) with
 * its boxes as terminal cells (render_frame), drawn only when the boxes, the
 * image, the pane size or the colour-pair generation changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "charset.h"
#include "draw.h"
#include "pairs.h"
#include "sanitize.h"

/* One cell's attribute and colour pair; -1 when the pair budget is full. */
static int cell_pair(ui *u, const render_cell *cell, attr_t *a)
{
	*a = cell->attr & RENDER_ATTR_BOLD ? A_BOLD : A_NORMAL;
	if (u->term.mode == RENDER_COLORS_NONE || !u->term.pairs) {
		if (cell->attr & RENDER_ATTR_REVERSE)
			*a |= A_REVERSE;
		return 0;
	}
	int fg, bg;
	if (u->term.mode == RENDER_COLORS_TRUECOLOR) {
		fg = pairs_direct_color(cell->fg);
		bg = pairs_direct_color(cell->bg);
	} else {
		fg = cell->fg_idx;
		bg = cell->bg_idx;
	}
	if (fg >= COLORS)
		fg = -1;
	if (bg >= COLORS)
		bg = -1;
	return pairs_get(u->term.pairs, fg, bg);
}

/* Copies the grid into the window.  Returns -1 when the pair budget filled
 * up (nothing is left half-drawn only if the caller redraws), unless
 * `degrade`: then cells that get no pair use the default colours (1). */
static int blit(ui *u, WINDOW *w, const render_grid *g, int y0, int x0, int degrade)
{
	int short_of_pairs = 0;
	for (int r = 0; r < g->rows; r++)
		for (int c = 0; c < g->cols; c++) {
			const render_cell *cell = &g->cells[(size_t)r * (size_t)g->cols + (size_t)c];
			attr_t a;
			int pair = cell_pair(u, cell, &a);
			if (pair < 0) {
				if (!degrade)
					return -1; /* budget full: caller resets and redraws */
				pair = 0;
				short_of_pairs = 1;
			}
			wchar_t wc[2] = {(wchar_t)(cell->ch ? cell->ch : ' '), 0};
			cchar_t cc;
			if (wc[0] < 0x20 || wc[0] == 0x7f || (wc[0] >= 0x80 && wc[0] < 0xa0))
				wc[0] = ' '; /* never a control, whatever the renderer says */
			else if (wc[0] >= 0x80 && charset_ascii())
				wc[0] = '?';
			setcchar(&cc, wc, a, 0, NULL);
			/* pair numbers above SHRT_MAX go through the extended field */
			cc.ext_color = pair;
			mvwadd_wch(w, y0 + r, x0 + c, &cc);
		}
	return short_of_pairs ? 1 : 0;
}

static void image_title(const ui *u, WINDOW *w, int W, const session_view *v,
                        const render_image *img, int blank, size_t nb)
{
	char buf[256];
	if (!v->valid) {
		draw_title(u, w, W, 0, " Image");
		return;
	}
	const char *what = !blank ? "" : v->image_path[0] ? "image not loaded"
	                 : v->size_assumed ? "no image: 1000×1000 canvas" : "no image file";
	if (img && !blank)
		snprintf(buf, sizeof buf, " Image %s  %u×%u  %zu box%s", v->image_id, img->w, img->h, nb,
		         nb == 1 ? "" : "es");
	else
		snprintf(buf, sizeof buf, " Image %s  (%s)  %zu box%s", v->image_id, what, nb,
		         nb == 1 ? "" : "es");
	draw_title(u, w, W, 0, buf);
}

/* Renders the image with its boxes into the pane; returns the pair
 * generation now in use. */
static unsigned render_into(ui *u, WINDOW *w, int H, int W, const render_image *img,
                            const render_box *boxes, size_t nb, unsigned gen)
{
	render_opts o;
	render_grid *g = NULL;
	ts_error e;
	render_opts_default(&o);
	o.max_cols = W;
	o.max_rows = H - 1;
	o.mode = u->term.mode;
	o.ascii = charset_ascii();
	if (!u->term.rcache)
		u->term.rcache = render_cache_new(16);
	if (render_frame(u->term.rcache, img, boxes, nb, &o, &g, &e) != TS_OK || !g) {
		char msg[TS_ERROR_MSG_MAX];
		sanitize_cstr(e.msg, msg, sizeof msg, 200);
		draw_put(w, 2, 1, W - 2, msg, draw_ca(u, CP_FP, 0, A_BOLD));
		return gen;
	}
	int y0 = 1 + (H - 1 - g->rows) / 2, x0 = (W - g->cols) / 2;
	if (blit(u, w, g, y0, x0, 0) != 0) {
		/* budget full: forget every image pair and draw the whole image
		 * again, so no cell keeps a pair that gets redefined */
		pairs_reset(u->term.pairs);
		gen = pairs_generation(u->term.pairs);
		if (blit(u, w, g, y0, x0, 1) != 0)
			ui_note(u, "image: more colour combinations than this terminal's %d pairs; some cells in default colours",
			        COLOR_PAIRS);
	}
	render_grid_free(g);
	u->term.img_frames++;
	return gen;
}

/* 1 when the pane already shows exactly this frame. */
static int same_frame(const ui_term *t, const render_box *boxes, size_t nb, uint64_t serial, int H,
                      int W, unsigned gen)
{
	return t->img_valid && t->img_n == nb && t->img_serial == serial && t->img_h == H &&
	       t->img_w == W && t->img_gen == gen &&
	       (nb == 0 || !memcmp(t->img_boxes, boxes, nb * sizeof *boxes));
}

static void remember(ui_term *t, const render_box *boxes, size_t nb, uint64_t serial, int H, int W,
                     unsigned gen)
{
	if (nb > t->img_cap) {
		render_box *nbx = realloc(t->img_boxes, nb * sizeof *nbx);
		if (!nbx) {
			t->img_valid = 0;
			return;
		}
		t->img_boxes = nbx;
		t->img_cap = nb;
	}
	if (nb)
		memcpy(t->img_boxes, boxes, nb * sizeof *boxes);
	t->img_n = nb;
	t->img_serial = serial;
	t->img_h = H;
	t->img_w = W;
	t->img_gen = gen;
	t->img_valid = 1;
}

static void image_draw(ui *u, const ui_frame *f)
{
	WINDOW *w = WIN(u, W_IMAGE);
	int H = u->lay.image.h, W = u->lay.image.w - 1;
	const session_view *v = f->v;
	if (!w)
		return;
	const render_box *boxes;
	size_t nb = ui_boxes(u, &boxes);
	int blank = 0;
	const render_image *img = v->valid ? ui_image_source(u, &blank) : NULL;
	uint64_t serial = img ? img->serial : 0;
	unsigned gen = u->term.pairs ? pairs_generation(u->term.pairs) : 0;

	if (!(f->mask & UI_RD_LAYOUT) && same_frame(&u->term, boxes, nb, serial, H, W, gen))
		return; /* same frame: leave the window alone */
	werase(w);
	draw_vsep(w, W, H);
	image_title(u, w, W, v, img, blank, nb);
	if (img && H > 1 && W > 1) {
		gen = render_into(u, w, H, W, img, boxes, nb, gen);
		if (blank && v->img_error[0])
			draw_put(w, H - 1, 1, W - 2, v->img_error, draw_ca(u, CP_DIM, 0, A_DIM));
	} else if (v->valid && !v->failed) {
		draw_put(w, 2, 1, W - 2, v->img_error[0] ? v->img_error : "no image",
		         draw_ca(u, CP_DIM, 0, A_DIM));
	}
	remember(&u->term, boxes, nb, serial, H, W, gen);
	wnoutrefresh(w);
}

const ui_view ui_pane_image = {
	.name = "image", .win = W_IMAGE, .rd = UI_RD_IMAGE,
	.draw = image_draw,
};
