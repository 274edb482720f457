/* tests/cmp_render.c — prints a digest of what the render library makes of
 * the images named on the command line: the load (status, message, size,
 * pixels), cell frames with generated boxes and labels in every colour mode,
 * and the sixel / kitty / iTerm2 encodings.  Linked against two builds'
 * libtsrender.a by tests/cmp_builds.sh, whose outputs must be the same.
 * usage: cmp_render [-l] IMAGE...   (-l: only the loads) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211u;
	return h;
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static const char *const labels[] = { "insulator", "pole", "bird nest", "dämper \x1b[31m", "",
                                      "a very long label that will not fit in one row", NULL };

/* n boxes over a w x h image, some outside, some repeated, every style. */
static void make_boxes(render_box *b, size_t n, uint32_t w, uint32_t h, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		double x = (double)(lcg(&seed) % (w + 40)) - 20, y = (double)(lcg(&seed) % (h + 40)) - 20;
		uint32_t part = 2 + (uint32_t)(i % 8);
		double bw = 1 + lcg(&seed) % (w / part + 1), bh = 1 + lcg(&seed) % (h / part + 1);
		if (i > 0 && lcg(&seed) % 4 == 0) {
			b[i] = b[i - 1]; /* a repeat of the previous one */
			b[i].style = BOX_DUP;
			continue;
		}
		b[i] = (render_box){ x, y, x + bw, y + bh, (box_style)(lcg(&seed) % BOX_STYLE_COUNT),
		                     lcg(&seed) % 9 == 0, lcg(&seed) % 5, labels[lcg(&seed) % 7],
		                     -(double)(lcg(&seed) % 1000) / 100.0, (int)(lcg(&seed) % 2),
		                     (int)(lcg(&seed) % 2) };
	}
}

static void frames(const render_image *img, const char *name)
{
	render_box boxes[120];
	render_cache *c = render_cache_new(0);
	for (int v = 0; v < 12; v++) {
		size_t n = (size_t)(v * 10);
		make_boxes(boxes, n, img->w, img->h, (uint32_t)v * 7919u + 1);
		render_opts o;
		render_opts_default(&o);
		o.max_cols = 20 + v * 13;
		o.max_rows = 8 + v * 4;
		o.mode = (render_color_mode)(v % 5);
		o.ascii = v % 3 == 2;
		o.labels = v % 4 == 3 ? RENDER_LABELS_KEY : v % 7 == 6 ? RENDER_LABELS_NONE : RENDER_LABELS_ALL;
		render_grid *g = NULL;
		ts_error err = { 0 };
		ts_status st = render_frame(c, img, boxes, n, &o, &g, &err);
		uint64_t h = 14695981039346656037u;
		size_t text = 0;
		if (g)
			for (size_t i = 0; i < (size_t)g->cols * (size_t)g->rows; i++) {
				const render_cell *cl = &g->cells[i];
				h = fnv(h, &cl->ch, 4);
				h = fnv(h, &cl->fg, 4);
				h = fnv(h, &cl->bg, 4);
				h = fnv(h, &cl->fg_idx, 2);
				h = fnv(h, &cl->bg_idx, 2);
				h = fnv(h, &cl->attr, 1);
				text += (cl->attr & RENDER_ATTR_TEXT) != 0;
			}
		printf("%s frame %d: %d %s %dx%d %zu label cells %016llx\n", name, v, (int)st, err.msg,
		       g ? g->cols : 0, g ? g->rows : 0, text, (unsigned long long)h);
		render_grid_free(g);
	}
	render_cache_free(c);
}

static void pixels(const render_image *img, const char *name)
{
	render_box boxes[20];
	for (int v = 0; v < 9; v++) {
		size_t n = (size_t)(v % 3) * 10;
		make_boxes(boxes, n, img->w, img->h, (uint32_t)v + 77);
		char *out = NULL;
		size_t len = 0;
		int oc = -1, orow = -1;
		ts_error err = { 0 };
		int cols = v == 8 ? 40 : 10 + v * 9, rows = v == 8 ? 1 : 4 + v * 3;
		ts_status st = render_pixels_encode(img, boxes, n, (render_pixel_proto)(v % 3), cols, rows,
		                                    8 + v, v == 8 ? 2 : 16, &out, &len, &oc, &orow, &err);
		printf("%s pixels %d: %d %s %zu %d %d %016llx\n", name, v, (int)st, err.msg, len, oc, orow,
		       (unsigned long long)fnv(14695981039346656037u, out ? out : "", len));
		free(out);
	}
}

int main(int argc, char **argv)
{
	int load_only = argc > 1 && !strcmp(argv[1], "-l");
	for (int i = 1 + load_only; i < argc; i++) {
		render_image *img = NULL;
		ts_error err = { 0 };
		ts_status st = render_image_load(argv[i], NULL, &img, &err);
		const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
		printf("%s load: %d %s", name, (int)st, err.msg);
		if (img)
			printf(" %ux%u %016llx", img->w, img->h,
			       (unsigned long long)fnv(14695981039346656037u, img->rgba,
			                               (size_t)img->w * img->h * 4));
		printf("\n");
		if (img && !load_only && img->w * (uint64_t)img->h <= 2000000u) {
			frames(img, name);
			pixels(img, name);
		}
		render_image_free(img);
	}
	return 0;
}
