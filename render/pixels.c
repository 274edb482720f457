/* pixels.c — sixel / kitty / iTerm2 encodings of an image with its boxes,
 * through libchafa's pixel modes, for a full-screen view outside curses. */
#include "render.h"

#include <chafa.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OUT_PX 4096

/* The arguments' checks; the chafa pixel mode of proto into *pm. */
static ts_status pixels_check(const render_image *img, const render_box *boxes, size_t n,
                              render_pixel_proto proto, int cols, int rows, int cell_w,
                              int cell_h, ChafaPixelMode *pm, ts_error *err)
{
	if (!img || !img->rgba || img->w == 0 || img->h == 0 || img->w > 1u << 28)
		return ts_error_set(err, TS_ERR_USAGE, "pixels: no image");
	if (n > 0 && !boxes)
		return ts_error_set(err, TS_ERR_USAGE, "pixels: %zu boxes but no array", n);
	if (cols < 1 || rows < 1 || cols > 1000 || rows > 1000 || cell_w < 1 || cell_h < 1 ||
	    cell_w > 256 || cell_h > 256)
		return ts_error_set(err, TS_ERR_USAGE, "pixels: bad area %dx%d cells of %dx%d pixels",
		                    cols, rows, cell_w, cell_h);
	switch (proto) {
	case RENDER_PIXELS_SIXEL: *pm = CHAFA_PIXEL_MODE_SIXELS; break;
	case RENDER_PIXELS_KITTY: *pm = CHAFA_PIXEL_MODE_KITTY; break;
	case RENDER_PIXELS_ITERM2: *pm = CHAFA_PIXEL_MODE_ITERM2; break;
	default:
		return ts_error_set(err, TS_ERR_USAGE, "pixels: unknown protocol %d", (int)proto);
	}
	return TS_OK;
}

/* The output's size in cells (*gc x *gr): the image's aspect within cols x
 * rows, at most MAX_OUT_PX pixels each way; refused under one sixel band. */
static ts_status pixels_geometry(const render_image *img, int cols, int rows, int cell_w,
                                 int cell_h, gint *gc, gint *gr, ts_error *err)
{
	if (cols * cell_w > MAX_OUT_PX)
		cols = MAX_OUT_PX / cell_w;
	if (rows * cell_h > MAX_OUT_PX)
		rows = MAX_OUT_PX / cell_h;
	*gc = cols;
	*gr = rows;
	chafa_calc_canvas_geometry((gint)img->w, (gint)(img->h > (uint32_t)INT32_MAX ? INT32_MAX : img->h),
	                           gc, gr, (gfloat)cell_w / (gfloat)cell_h, TRUE, FALSE);
	if (*gc < 1)
		*gc = 1;
	if (*gr < 1)
		*gr = 1;
	/* libchafa 1.12's sixel encoder divides by zero below one sixel band
	 * (6 pixel rows); refuse such areas for every protocol alike */
	if (*gr * cell_h < 6)
		return ts_error_set(err, TS_ERR_USAGE,
		                    "pixels: output area %dx%d pixels is under 6 pixels high",
		                    *gc * cell_w, *gr * cell_h);
	return TS_OK;
}

/* A copy of img with the boxes drawn, their strokes as render_stroke_for_size
 * would make them at the output size (ow x oh), expressed in source pixels;
 * NULL when out of memory. */
static render_image *pixels_boxed(const render_image *img, const render_box *boxes, size_t n,
                                  double ow, double oh)
{
	render_image *copy = render_image_copy(img);
	if (!copy)
		return NULL;
	double kx = img->w / ow, ky = img->h / oh;
	render_stroke st;
	render_stroke_for_size((uint32_t)ow, (uint32_t)oh, &st);
	st.lw_x = (int)fmax(1, lround(st.lw_x * kx));
	st.lw_y = (int)fmax(1, lround(st.lw_y * ky));
	st.dash_x = (int)fmax(1, lround(st.dash_x * kx));
	st.dash_y = (int)fmax(1, lround(st.dash_y * ky));
	st.dot_x = (int)fmax(1, lround(st.dot_x * kx));
	st.dot_y = (int)fmax(1, lround(st.dot_y * ky));
	render_draw_boxes_ex(copy, boxes, n, 1.0, 1.0, &st);
	return copy;
}

/* The RGBA pixels px (img's size) as chafa prints them on a gc x gr canvas in
 * pixel mode pm: a new NUL-terminated string into *out, its length *len. */
static ts_status pixels_print(const render_image *img, const uint8_t *px, ChafaPixelMode pm,
                              gint gc, gint gr, int cell_w, int cell_h, char **out, size_t *len,
                              ts_error *err)
{
	ChafaCanvasConfig *cfg = chafa_canvas_config_new();
	chafa_canvas_config_set_pixel_mode(cfg, pm);
	chafa_canvas_config_set_canvas_mode(cfg, CHAFA_CANVAS_MODE_TRUECOLOR);
	chafa_canvas_config_set_geometry(cfg, gc, gr);
	chafa_canvas_config_set_cell_geometry(cfg, cell_w, cell_h);
	ChafaCanvas *cv = chafa_canvas_new(cfg);
	ts_status st = TS_OK;
	if (!cv) {
		st = ts_error_set(err, TS_ERR_NOMEM, "pixels: chafa could not make a canvas");
	} else {
		chafa_canvas_draw_all_pixels(cv, CHAFA_PIXEL_RGBA8_UNASSOCIATED, px, (gint)img->w,
		                             (gint)img->h, (gint)img->w * 4);
		ChafaTermDb *db = chafa_term_db_get_default();
		ChafaTermInfo *ti = chafa_term_db_get_fallback_info(db);
		GString *gs = chafa_canvas_print(cv, ti);
		chafa_term_info_unref(ti);
		char *s = gs ? malloc(gs->len + 1) : NULL;
		if (!s) {
			st = ts_error_set(err, TS_ERR_NOMEM, "pixels: out of memory");
		} else {
			memcpy(s, gs->str, gs->len);
			s[gs->len] = '\0';
			*out = s;
			*len = gs->len;
		}
		if (gs)
			g_string_free(gs, TRUE);
		chafa_canvas_unref(cv);
	}
	chafa_canvas_config_unref(cfg);
	return st;
}

ts_status render_pixels_encode(const render_image *img, const render_box *boxes, size_t n,
                               render_pixel_proto proto, int cols, int rows, int cell_w,
                               int cell_h, char **out, size_t *len, int *out_cols,
                               int *out_rows, ts_error *err)
{
	if (!out || !len)
		return ts_error_set(err, TS_ERR_USAGE, "pixels: no output buffer");
	*out = NULL;
	*len = 0;
	ChafaPixelMode pm = CHAFA_PIXEL_MODE_SYMBOLS;
	ts_status st = pixels_check(img, boxes, n, proto, cols, rows, cell_w, cell_h, &pm, err);
	if (st != TS_OK)
		return st;
	gint gc, gr;
	st = pixels_geometry(img, cols, rows, cell_w, cell_h, &gc, &gr, err);
	if (st != TS_OK)
		return st;
	const uint8_t *px = img->rgba;
	render_image *copy = NULL;
	if (n > 0) {
		copy = pixels_boxed(img, boxes, n, (double)gc * cell_w, (double)gr * cell_h);
		if (!copy)
			return ts_error_set(err, TS_ERR_NOMEM, "pixels: out of memory");
		px = copy->rgba;
	}
	st = pixels_print(img, px, pm, gc, gr, cell_w, cell_h, out, len, err);
	if (st == TS_OK && out_cols)
		*out_cols = gc;
	if (st == TS_OK && out_rows)
		*out_rows = gr;
	render_image_free(copy);
	return st;
}

ts_status render_pixels_encode_id(const render_image *img, const render_box *boxes, size_t n,
                                  render_pixel_proto proto, int cols, int rows, int cell_w,
                                  int cell_h, uint32_t id, char **out, size_t *len,
                                  int *out_cols, int *out_rows, ts_error *err)
{
	ts_status st = render_pixels_encode(img, boxes, n, proto, cols, rows, cell_w, cell_h, out,
	                                    len, out_cols, out_rows, err);
	if (st != TS_OK || proto != RENDER_PIXELS_KITTY || id == 0)
		return st;
	char keys[48];
	int k = snprintf(keys, sizeof keys, "i=%u,q=2,C=1,", (unsigned)id);
	char *g = strstr(*out, "\033_G");
	char *s = g ? malloc(*len + (size_t)k + 1) : NULL;
	if (!s) {
		free(*out);
		*out = NULL;
		*len = 0;
		return g ? ts_error_set(err, TS_ERR_NOMEM, "pixels: out of memory")
		         : ts_error_set(err, TS_ERR_FORMAT, "pixels: no kitty sequence in chafa's output");
	}
	size_t head = (size_t)(g - *out) + 3;
	memcpy(s, *out, head);
	memcpy(s + head, keys, (size_t)k);
	memcpy(s + head + (size_t)k, *out + head, *len - head + 1);
	free(*out);
	*out = s;
	*len += (size_t)k;
	return TS_OK;
}

size_t render_pixels_kitty_delete(uint32_t id, char *buf, size_t bufsz)
{
	int k = snprintf(buf, bufsz, "\033_Ga=d,d=I,i=%u,q=2\033\\", (unsigned)id);
	return k < 0 ? 0 : (size_t)k;
}
