/* pane_image.c — the image pane: the sample's image (or a blank canvas) with
 * its boxes as terminal cells (render_frame), drawn only when the boxes, the
 * image, the pane size or the colour-pair generation changed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "charset.h"
#include "draw.h"
#include "pairs.h"
#include "sanitize.h"

/* One cell's attribute and colour pair; -1 when the pair budget is full. */
static int cell_pair(ui *u, const render_cell *cell, attr_t *a, int *fgp, int *bgp)
{
	*fgp = *bgp = -1;
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
	*fgp = fg;
	*bgp = bg;
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
			int fg, bg;
			int pair = cell_pair(u, cell, &a, &fg, &bg);
			if (pair < 0) {
				if (!degrade)
					return -1; /* budget full: caller resets and redraws */
				/* the nearest pair there is (same background first) */
				pair = pairs_near(u->term.pairs, fg, bg);
				if (pair < 0)
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

/* 8-colour terminals: the image in grayscale, the boxes in their colours
 * (the image's own colours would dither into noise in 8) */
static int ui_image_gray(const ui *u)
{
	return u->term.mode == RENDER_COLORS_8;
}

static void image_title(const ui *u, WINDOW *w, int W, const session_view *v,
                        const render_image *img, int blank, size_t nb)
{
	char buf[256];
	const char *gray = ui_image_gray(u) ? "  grayscale: 8-colour terminal" : "";
	if (!v->valid) {
		draw_title(u, w, W, 0, " Image");
		return;
	}
	const char *what = !blank ? "" : v->img_job ? "decoding the image…" : v->image_path[0] ? "image not loaded"
	                 : v->size_assumed ? "no image: 1000×1000 canvas" : "no image file";
	if (img && !blank)
		snprintf(buf, sizeof buf, " Image %s  %u×%u  %zu box%s%s", v->image_id, img->w, img->h, nb,
		         nb == 1 ? "" : "es", gray);
	else
		snprintf(buf, sizeof buf, " Image %s  (%s)  %zu box%s", v->image_id, what, nb,
		         nb == 1 ? "" : "es");
	draw_title(u, w, W, 0, buf);
}

/* The image the pane shows: the source, or its crop (ui_crop_rect), kept
 * in u->term until the source or the rectangle changes.  *dx, *dy: the
 * crop's origin (boxes move by minus that). */
static const render_image *cropped(ui *u, const render_image *src, double *dx, double *dy)
{
	double x0, y0, cw, ch;
	*dx = *dy = 0;
	if (ui_img(u)->crop_k <= 0 || !src)
		return src;
	ui_crop_rect(u, src->w, src->h, &x0, &y0, &cw, &ch);
	uint32_t r[4] = {(uint32_t)floor(x0), (uint32_t)floor(y0), (uint32_t)ceil(cw), (uint32_t)ceil(ch)};
	if (r[2] < 1)
		r[2] = 1;
	if (r[3] < 1)
		r[3] = 1;
	if (r[0] + r[2] > src->w)
		r[0] = src->w - r[2];
	if (r[1] + r[3] > src->h)
		r[1] = src->h - r[3];
	*dx = r[0];
	*dy = r[1];
	ui_term *t = &u->term;
	if (t->crop && t->crop_src == src->serial && !memcmp(t->crop_rect, r, sizeof r))
		return t->crop;
	render_image_free(t->crop);
	t->crop = render_image_new(r[2], r[3]);
	if (!t->crop)
		return src;
	for (uint32_t y = 0; y < r[3]; y++)
		memcpy(t->crop->rgba + (size_t)y * r[2] * 4,
		       src->rgba + ((size_t)(r[1] + y) * src->w + r[0]) * 4, (size_t)r[2] * 4);
	render_image_touch(t->crop);
	t->crop_src = src->serial;
	memcpy(t->crop_rect, r, sizeof r);
	return t->crop;
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
	o.gray = ui_image_gray(u);
	o.labels = ui_img(u)->label_mode == UI_LABELS_NONE ? RENDER_LABELS_NONE
	         : ui_img(u)->label_mode == UI_LABELS_KEY ? RENDER_LABELS_KEY : RENDER_LABELS_ALL;
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
			ui_note(u, "image: too few terminal colours for every cell, some show the nearest");
	}
	render_grid_free(g);
	u->term.img_frames++;
	return gen;
}

/* The image with boxes (image pixels) in the rectangle of w at (y, x),
 * h x wd cells, centred, as the pane draws it (render_frame, the pair
 * budget); the other views' image (draw.h).  Returns the rows drawn, or -1
 * with the reason drawn in the rectangle. */
int ui_image_cells(ui *u, WINDOW *w, int y, int x, int h, int wd, const render_image *img,
                   const render_box *boxes, size_t nb, int labels)
{
	render_opts o;
	render_grid *g = NULL;
	ts_error e;
	render_opts_default(&o);
	o.max_cols = wd;
	o.max_rows = h;
	o.mode = u->term.mode;
	o.ascii = charset_ascii();
	o.labels = labels;
	if (!u->term.rcache)
		u->term.rcache = render_cache_new(16);
	if (h < 1 || wd < 1 || render_frame(u->term.rcache, img, boxes, nb, &o, &g, &e) != TS_OK || !g) {
		char msg[TS_ERROR_MSG_MAX];
		sanitize_cstr(h < 1 || wd < 1 ? "no room" : e.msg, msg, sizeof msg, 200);
		draw_put(w, y, x, wd, msg, draw_ca(u, CP_FP, 0, A_BOLD));
		return -1;
	}
	int y0 = y + (h - g->rows) / 2, x0 = x + (wd - g->cols) / 2, rows = g->rows;
	if (blit(u, w, g, y0, x0, 0) != 0) {
		/* budget full: as the pane does (render_into); the pane, covered,
		 * draws itself again with the new pairs */
		pairs_reset(u->term.pairs);
		u->term.img_valid = 0;
		if (blit(u, w, g, y0, x0, 1) != 0)
			ui_note(u, "image: %d pairs, nearest used", COLOR_PAIRS);
	}
	render_grid_free(g);
	return rows;
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
	const render_image *src = v->valid ? ui_image_source(u, &blank) : NULL;
	double dx, dy;
	const render_image *img = cropped(u, src, &dx, &dy);
	uint64_t serial = img ? img->serial : 0;
	render_box *moved = NULL;
	if (img && img != src && nb) {
		moved = malloc(nb * sizeof *moved);
		if (moved) {
			for (size_t i = 0; i < nb; i++) {
				moved[i] = boxes[i];
				moved[i].x1 -= dx, moved[i].x2 -= dx;
				moved[i].y1 -= dy, moved[i].y2 -= dy;
			}
			boxes = moved;
		}
	}
	unsigned gen = u->term.pairs ? pairs_generation(u->term.pairs) : 0;

	unsigned key = (unsigned)ui_img(u)->label_mode;
	if (!(f->mask & UI_RD_LAYOUT) && same_frame(&u->term, boxes, nb, serial, H, W, gen ^ key << 24)) {
		free(moved);
		return; /* same frame: leave the window alone */
	}
	werase(w);
	draw_vsep(w, W, H);
	image_title(u, w, W, v, src, blank, nb);
	if (ui_img(u)->crop_k > 0 && src && W > 40) {
		char z[48];
		snprintf(z, sizeof z, " zoom ×%.2g ", pow(UI_CROP_STEP, ui_img(u)->crop_k));
		draw_put(w, 0, W - (int)strlen(z), (int)strlen(z), z, draw_ca(u, CP_TITLE, A_BOLD, A_REVERSE));
	}
	if (img && H > 1 && W > 1) {
		gen = render_into(u, w, H, W, img, boxes, nb, gen);
		if (blank && v->img_error[0])
			draw_put(w, H - 1, 1, W - 2, v->img_error, draw_ca(u, CP_DIM, 0, A_DIM));
	} else if (v->valid && !v->failed) {
		draw_put(w, 2, 1, W - 2, v->img_error[0] ? v->img_error : "no image",
		         draw_ca(u, CP_DIM, 0, A_DIM));
	}
	remember(&u->term, boxes, nb, serial, H, W, gen ^ key << 24);
	free(moved);
	wnoutrefresh(w);
}

/* The source image's size, 0 without one. */
static int source_size(ui *u, uint32_t *w, uint32_t *h)
{
	int blank;
	const render_image *src = ui_view_ok(u) ? ui_image_source(u, &blank) : NULL;
	if (!src)
		return 0;
	*w = src->w;
	*h = src->h;
	return 1;
}

unsigned ui_image_crop(ui *u)
{
	uint32_t w, h;
	if (ui_img(u)->crop_k > 0) {
		ui_img(u)->crop_k = 0;
		ui_note(u, "image: whole");
		return UI_RD_IMAGE | UI_RD_STATUS;
	}
	if (!source_size(u, &w, &h)) {
		ui_note(u, "crop: no image shown");
		return UI_RD_STATUS;
	}
	const render_box *b;
	size_t nb = ui_boxes(u, &b), i;
	for (i = 0; i < nb && !b[i].selected; i++)
		;
	if (i == nb) {
		ui_note(u, "crop: no record selected (select one in the records pane)");
		return UI_RD_STATUS;
	}
	double bw = fabs(b[i].x2 - b[i].x1), bh = fabs(b[i].y2 - b[i].y1);
	ui_img(u)->crop_cx = (b[i].x1 + b[i].x2) / 2;
	ui_img(u)->crop_cy = (b[i].y1 + b[i].y2) / 2;
	/* the deepest level whose crop still holds the box with a margin */
	int k = 0;
	while (k < UI_CROP_MAX && w / pow(UI_CROP_STEP, k + 1) >= 1.6 * bw &&
	       h / pow(UI_CROP_STEP, k + 1) >= 1.6 * bh)
		k++;
	ui_img(u)->crop_k = k > 0 ? k : 1;
	ui_note(u, "image: cropped to record #%zu (Z: whole image)", u->rec.sel + 1);
	return UI_RD_IMAGE | UI_RD_STATUS;
}

/* While the image is zoomed (z): + / - zoom, arrows and h/j/k/l pan. */
static unsigned pan_zoom(ui *u, keys_action a, int *handled)
{
	uint32_t w, h;
	*handled = 0;
	if (!source_size(u, &w, &h))
		return 0;
	double x0, y0, cw, ch;
	ui_crop_rect(u, w, h, &x0, &y0, &cw, &ch);
	double cx = x0 + cw / 2, cy = y0 + ch / 2;
	switch (a) {
	case ACT_FASTER:
		if (ui_img(u)->crop_k >= UI_CROP_MAX)
			return UI_RD_STATUS;
		ui_img(u)->crop_k++;
		break;
	case ACT_SLOWER:
		if (ui_img(u)->crop_k <= 0)
			return UI_RD_STATUS;
		ui_img(u)->crop_k--;
		break;
	case ACT_UP: case ACT_DOWN: case ACT_STEP_BACK: case ACT_STEP_FWD:
		if (ui_img(u)->crop_k <= 0)
			return 0; /* nothing to pan: the pane below takes it */
		cx += a == ACT_STEP_BACK ? -cw / 4 : a == ACT_STEP_FWD ? cw / 4 : 0;
		cy += a == ACT_UP ? -ch / 4 : a == ACT_DOWN ? ch / 4 : 0;
		break;
	default:
		return 0;
	}
	*handled = 1;
	/* keep the centre where the crop stays inside the image */
	double f = pow(UI_CROP_STEP, ui_img(u)->crop_k), hw = w / f / 2, hh = h / f / 2;
	ui_img(u)->crop_cx = fmin(fmax(cx, hw), w - hw);
	ui_img(u)->crop_cy = fmin(fmax(cy, hh), h - hh);
	return UI_RD_IMAGE | UI_RD_STATUS;
}

static const ui_request requests[ACT_COUNT] = {
	[ACT_FASTER] = pan_zoom, [ACT_SLOWER] = pan_zoom, [ACT_UP] = pan_zoom,
	[ACT_DOWN] = pan_zoom,   [ACT_STEP_BACK] = pan_zoom, [ACT_STEP_FWD] = pan_zoom,
};

ui_image_state *ui_img(const ui *u)
{
	return ui_private(u, &ui_pane_image);
}

static void image_fini(void *priv)
{
	ui_image_state *st = priv;
	free(st->boxes);
	render_image_free(st->blank);
}

const ui_view ui_pane_image = {
	.name = "image", .id = UI_V_IMAGE, .win = W_IMAGE, .rd = UI_RD_IMAGE,
	.draw = image_draw, .requests = requests,
	.private_size = sizeof(ui_image_state), .fini = image_fini,
};
