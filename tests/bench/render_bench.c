/* render_bench — one frame of the image view against libchafa alone.
 *
 * A 1280x960 synthetic photo (smooth gradients, shapes, grain) with 24 boxes
 * (every style, labels, a duplicate stack x37, a selected box) into a
 * 160x50 area at font ratio 0.5 (-> 133x50 cells), work factor 0.3, in the
 * same process, alternating, N rounds of:
 *   chafa     chafa_canvas_new + chafa_canvas_draw_all_pixels on the very
 *             pixels our overlay produces, same symbol map, mode, geometry
 *             and work factor (the library doing only its own job), + unref
 *   cold      render_frame after render_cache_clear: copy, overlay, chafa,
 *             read-back of every cell, labels, cache insert + the copy out
 *   hit       render_frame again with the same inputs (cache hit)
 * Prints medians and the ratio cold/chafa.  Goals (issue 4): ratio <= 1.2,
 * hit < 1 ms.  Load time is excluded (the image is made in memory).
 *
 * usage: render_bench [--rounds N] [--mode truecolor|240|16|8|none]
 */
#include <chafa.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint32_t rng = 2463534242u;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static render_image *photo(uint32_t w, uint32_t h)
{
	render_image *img = render_image_new(w, h);
	if (!img)
		return NULL;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint8_t *p = img->rgba + ((size_t)y * w + x) * 4;
			double sky = (double)y / h;
			double r = 90 + 80 * sin(x / 97.0) * cos(y / 71.0) + 40 * sky;
			double g = 110 + 60 * cos(x / 53.0 + y / 131.0);
			double b = 150 - 90 * sky + 30 * sin((x + y) / 37.0);
			/* a few solid shapes */
			double dx = x - 400.0, dy = y - 500.0;
			if (dx * dx + dy * dy < 150.0 * 150.0) {
				r = 200;
				g = 160;
				b = 60;
			}
			if (x > 800 && x < 1100 && y > 200 && y < 700) {
				r = 40 + (x % 64 < 32 ? 30 : 0);
				g = 60;
				b = 90;
			}
			int n = (int)(rnd() % 17) - 8; /* grain */
			p[0] = (uint8_t)fmax(0, fmin(255, r + n));
			p[1] = (uint8_t)fmax(0, fmin(255, g + n));
			p[2] = (uint8_t)fmax(0, fmin(255, b + n));
			p[3] = 255;
		}
	return img;
}

int main(int argc, char **argv)
{
	int rounds = 21;
	render_color_mode mode = RENDER_COLORS_TRUECOLOR;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
			const char *m = argv[++i];
			mode = !strcmp(m, "240") ? RENDER_COLORS_240 : !strcmp(m, "16") ? RENDER_COLORS_16
			     : !strcmp(m, "8") ? RENDER_COLORS_8 : !strcmp(m, "none") ? RENDER_COLORS_NONE
			     : RENDER_COLORS_TRUECOLOR;
		} else {
			fprintf(stderr, "usage: render_bench [--rounds N] [--mode truecolor|240|16|8|none]\n");
			return 2;
		}
	}
	if (rounds < 1)
		rounds = 1;

	const uint32_t W = 1280, H = 960;
	render_image *img = photo(W, H);
	if (!img)
		return 1;
	render_box boxes[24];
	static const char *names[] = {"insulator", "damper", "spacer", "pole", "bird nest", "cat"};
	for (int i = 0; i < 24; i++) {
		double x = 40 + (i % 6) * 205, y = 40 + (i / 6) * 225;
		boxes[i] = (render_box){ .x1 = x, .y1 = y, .x2 = x + 150 + (i % 3) * 20, .y2 = y + 160,
		                         .style = (box_style)(i % BOX_STYLE_COUNT), .label = names[i % 6] };
	}
	boxes[5].style = BOX_DUP;
	boxes[5].count = 37;
	boxes[9].selected = 1;

	render_opts o;
	render_opts_default(&o);
	o.max_cols = 160;
	o.max_rows = 50;
	o.mode = mode;
	int cols, rows;
	render_grid_size(W, H, &o, &cols, &rows);

	/* The exact pixels our overlay feeds chafa, for the baseline. */
	render_image *over = render_image_copy(img);
	render_stroke st;
	render_stroke_for_cells(W, H, cols, rows, &st);
	render_draw_boxes_ex(over, boxes, 24, 1.0, 1.0, &st);

	/* chafa alone, same settings as render/cells.c */
	ChafaSymbolMap *map = chafa_symbol_map_new();
	chafa_symbol_map_add_by_tags(map, CHAFA_SYMBOL_TAG_BLOCK | CHAFA_SYMBOL_TAG_BORDER |
	                                  CHAFA_SYMBOL_TAG_SPACE);
	chafa_symbol_map_remove_by_tags(map, CHAFA_SYMBOL_TAG_WIDE | CHAFA_SYMBOL_TAG_INVERTED);
	ChafaCanvasConfig *cfg = chafa_canvas_config_new();
	chafa_canvas_config_set_symbol_map(cfg, map);
	chafa_canvas_config_set_geometry(cfg, cols, rows);
	static const ChafaCanvasMode cm[] = {CHAFA_CANVAS_MODE_FGBG, CHAFA_CANVAS_MODE_INDEXED_8,
	                                     CHAFA_CANVAS_MODE_INDEXED_16,
	                                     CHAFA_CANVAS_MODE_INDEXED_240,
	                                     CHAFA_CANVAS_MODE_TRUECOLOR};
	chafa_canvas_config_set_canvas_mode(cfg, cm[mode]);
	chafa_canvas_config_set_work_factor(cfg, (gfloat)o.work_factor);

	render_cache *cache = render_cache_new(8);
	double *tc = malloc(sizeof(double) * (size_t)rounds);
	double *tr = malloc(sizeof(double) * (size_t)rounds);
	int hit_n = rounds * 10;
	double *th = malloc(sizeof(double) * (size_t)hit_n);
	if (!cache || !tc || !tr || !th)
		return 1;

	/* warm-up: thread pool, symbol map preparation, page faults */
	for (int i = 0; i < 2; i++) {
		ChafaCanvas *cv = chafa_canvas_new(cfg);
		chafa_canvas_draw_all_pixels(cv, CHAFA_PIXEL_RGBA8_UNASSOCIATED, over->rgba, (gint)W,
		                             (gint)H, (gint)W * 4);
		chafa_canvas_unref(cv);
		render_grid *g = NULL;
		render_cache_clear(cache);
		if (render_frame(cache, img, boxes, 24, &o, &g, NULL) != TS_OK)
			return 1;
		render_grid_free(g);
	}

	for (int r = 0; r < rounds; r++) {
		double t0 = now_ms();
		ChafaCanvas *cv = chafa_canvas_new(cfg);
		chafa_canvas_draw_all_pixels(cv, CHAFA_PIXEL_RGBA8_UNASSOCIATED, over->rgba, (gint)W,
		                             (gint)H, (gint)W * 4);
		chafa_canvas_unref(cv);
		double t1 = now_ms();
		render_cache_clear(cache);
		render_grid *g = NULL;
		double t2 = now_ms();
		if (render_frame(cache, img, boxes, 24, &o, &g, NULL) != TS_OK)
			return 1;
		double t3 = now_ms();
		render_grid_free(g);
		tc[r] = t1 - t0;
		tr[r] = t3 - t2;
	}
	for (int i = 0; i < hit_n; i++) {
		render_grid *g = NULL;
		double t0 = now_ms();
		if (render_frame(cache, img, boxes, 24, &o, &g, NULL) != TS_OK)
			return 1;
		double t1 = now_ms();
		render_grid_free(g);
		th[i] = t1 - t0;
	}
	size_t hits, misses;
	render_cache_stats(cache, &hits, &misses);

	double mc = median(tc, rounds), mr = median(tr, rounds), mh = median(th, hit_n);
	printf("render_bench: %ux%u image, 24 boxes -> %dx%d cells, %s, work factor %.1f, %d rounds\n",
	       W, H, cols, rows, render_color_mode_name(mode), o.work_factor, rounds);
	printf("  chafa alone (new+draw)     median %8.3f ms\n", mc);
	printf("  render_frame, cache cold   median %8.3f ms   ratio %.3f (goal <= 1.2)\n", mr, mr / mc);
	printf("  render_frame, cache hit    median %8.3f ms   (goal < 1 ms; %zu hits)\n", mh, hits);
	printf("ROW|render_frame cold, ms|%.3f|chafa alone %.3f|%.3f|<= 1.2\n", mr, mc, mr / mc);

	free(tc);
	free(tr);
	free(th);
	render_cache_free(cache);
	chafa_canvas_config_unref(cfg);
	chafa_symbol_map_unref(map);
	render_image_free(over);
	render_image_free(img);
	return 0;
}
