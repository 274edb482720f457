/* test_render_runs.c — several runs on one image (render.h):
 * render_run_style, render_runs_boxes (the merge with per-run toggles) and
 * render_runs_legend_add, checked on hand-built images and boxes; the cell
 * grid of render_frame (headless) shows each shown run's colour at its box
 * edge and no colour of a hidden run.  Expected values are worked out by
 * hand in the comments from render.h's published rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "render.h"

#define BG 0x102030u     /* no style uses it */
#define BLUE 0x5F87FFu   /* BOX_PRED: run 1 */
#define RED 0xFF0000u    /* BOX_FP: run 2 */
#define GREEN 0x00FF00u  /* BOX_GT */

static render_image *solid(uint32_t w, uint32_t h, uint32_t rgb)
{
	render_image *img = render_image_new(w, h);
	assert_non_null(img);
	for (size_t i = 0; i < (size_t)w * h; i++) {
		img->rgba[i * 4 + 0] = (uint8_t)(rgb >> 16);
		img->rgba[i * 4 + 1] = (uint8_t)(rgb >> 8);
		img->rgba[i * 4 + 2] = (uint8_t)rgb;
		img->rgba[i * 4 + 3] = 255;
	}
	return img;
}

static uint32_t px(const render_image *img, uint32_t x, uint32_t y)
{
	const uint8_t *p = img->rgba + ((size_t)y * img->w + x) * 4;
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static render_box mk(double x1, double y1, double x2, double y2, box_style s)
{
	render_box b = {x1, y1, x2, y2, s, 0, 1, NULL, 0, 0, 0};
	return b;
}

static void test_run_styles(void **state)
{
	(void)state;
	/* six distinct styles, none of them ground truth; then none */
	for (size_t k = 0; k < RENDER_RUN_STYLES; k++) {
		assert_int_not_equal(render_run_style(k), BOX_GT);
		for (size_t m = 0; m < k; m++)
			assert_int_not_equal(render_run_style(k), render_run_style(m));
	}
	assert_int_equal(render_run_style(0), BOX_PRED);
	assert_int_equal(render_run_style(1), BOX_FP);
	assert_int_equal(render_run_style(RENDER_RUN_STYLES), BOX_STYLE_COUNT);
}

static void test_merge(void **state)
{
	(void)state;
	render_box a[] = {mk(1, 2, 3, 4, BOX_GT), mk(10, 10, 20, 20, BOX_TP), mk(5, 5, 6, 6, BOX_MISS)};
	render_box b[] = {mk(1, 2, 3, 4, BOX_GT), mk(30, 30, 40, 40, BOX_DUP)};
	render_run_boxes rb[2] = {{a, 3, 1.0, 1.0}, {b, 2, 2.0, 0.5}};
	render_box *out = NULL;
	size_t n = 0;
	ts_error err;
	/* both shown, ground truth: a's GT, a's TP (as PRED), a's MISS (as GT), b's DUP (as FP) */
	assert_int_equal(render_runs_boxes(rb, 2, 3u, 1, &out, &n, &err), TS_OK);
	assert_int_equal(n, 4);
	assert_int_equal(out[0].style, BOX_GT);
	assert_int_equal(out[1].style, BOX_PRED);
	assert_int_equal(out[2].style, BOX_GT);
	assert_int_equal(out[3].style, BOX_FP);
	/* b scaled: x by 2, y by 0.5 */
	assert_true(out[3].x1 == 60.0 && out[3].x2 == 80.0 && out[3].y1 == 15.0 && out[3].y2 == 20.0);
	free(out);
	/* run 1 hidden, no ground truth: b's DUP only */
	assert_int_equal(render_runs_boxes(rb, 2, 2u, 0, &out, &n, &err), TS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].style, BOX_FP);
	free(out);
	/* nothing shown: no boxes, no allocation */
	assert_int_equal(render_runs_boxes(rb, 2, 0u, 0, &out, &n, &err), TS_OK);
	assert_int_equal(n, 0);
	assert_null(out);
	render_run_boxes seven[7] = {{0}};
	assert_int_equal(render_runs_boxes(seven, 7, ~0u, 1, &out, &n, &err), TS_ERR_USAGE);
}

/* 1 when colour c (0xRRGGBB, -1 none) is within 0x30 of rgb in every
 * channel: chafa averages the pixels a symbol covers, so a stroke's colour
 * comes out close to, not always equal to, its style colour (0x30 keeps the
 * seven style colours and BG apart) */
static int near(int32_t c, uint32_t rgb)
{
	if (c < 0)
		return 0;
	for (int sh = 0; sh <= 16; sh += 8) {
		int d = (int)((uint32_t)c >> sh & 255) - (int)(rgb >> sh & 255);
		if (d > 0x30 || d < -0x30)
			return 0;
	}
	return 1;
}

/* 1 when the cell shows colour rgb: its foreground (not a space) or its
 * background (not a full block) */
static int cell_has(const render_grid *g, int x, int y, uint32_t rgb)
{
	const render_cell *c = &g->cells[y * g->cols + x];
	return (c->ch != ' ' && near(c->fg, rgb)) || (c->ch != 0x2588 && near(c->bg, rgb));
}

static int grid_has(const render_grid *g, uint32_t rgb)
{
	for (int y = 0; y < g->rows; y++)
		for (int x = 0; x < g->cols; x++)
			if (cell_has(g, x, y, rgb))
				return 1;
	return 0;
}

static void test_cells(void **state)
{
	(void)state;
	/* 160x120 into 40x15 cells (font ratio 0.5: 160/120 = 40/(15*2)), a
	 * cell is 4x8 pixels; stroke lw_x = round(3*4/8) = 2 (half a cell).
	 * Run 1's box left edge x=20 is cell column 5 (pixels 20..23), rows
	 * 16..96 are cell rows 2..11; run 2's left edge x=120 is column 30,
	 * rows 40..80 are cell rows 5..9. */
	render_image *img = solid(160, 120, BG);
	render_box a[] = {mk(20, 16, 100, 96, BOX_TP)};
	render_box b[] = {mk(120, 40, 152, 80, BOX_FP)};
	render_run_boxes rb[2] = {{a, 1, 1.0, 1.0}, {b, 1, 1.0, 1.0}};
	render_opts o;
	render_opts_default(&o);
	o.max_cols = 40, o.max_rows = 15, o.labels = RENDER_LABELS_NONE;
	render_cache *c = render_cache_new(4);
	render_box *bx = NULL;
	size_t n = 0;
	render_grid *g = NULL;
	assert_int_equal(render_runs_boxes(rb, 2, 3u, 0, &bx, &n, NULL), TS_OK);
	assert_int_equal(render_frame(c, img, bx, n, &o, &g, NULL), TS_OK);
	assert_int_equal(g->cols, 40);
	assert_int_equal(g->rows, 15);
	assert_true(cell_has(g, 5, 6, BLUE));
	assert_true(cell_has(g, 30, 7, RED));
	assert_false(cell_has(g, 20, 7, BLUE) || cell_has(g, 20, 7, RED)); /* inside: background */
	render_grid_free(g);
	free(bx);
	/* run 2 toggled off: no red anywhere, run 1 unchanged */
	assert_int_equal(render_runs_boxes(rb, 2, 1u, 0, &bx, &n, NULL), TS_OK);
	assert_int_equal(render_frame(c, img, bx, n, &o, &g, NULL), TS_OK);
	assert_true(cell_has(g, 5, 6, BLUE));
	assert_false(grid_has(g, RED));
	render_grid_free(g);
	free(bx);
	render_cache_free(c);
	render_image_free(img);
}

static void test_legend(void **state)
{
	(void)state;
	/* 160 wide: scale 2, line 18, pad 4, sample box 54; every item is wider
	 * than 160 so one per row: 3 rows of 22 + 8 = 74 -> 160x194.  Item 0
	 * (ground truth) box from (4+4, 120+4+2) = (8,126) to (58,140), dashed
	 * outside in 6s: column 7 at row 132 (132/6 = 22, even) is green.  Item 1
	 * (run 1) at row 148: column 8 (inside stroke) is blue. */
	render_image *img = solid(160, 120, BG), *out = NULL;
	const char *names[2] = {"a-long-run-name", "b"};
	assert_int_equal(render_runs_legend_add(img, names, 2, 1, &out, NULL), TS_OK);
	assert_int_equal(out->w, 160);
	assert_int_equal(out->h, 194);
	assert_int_equal(px(out, 7, 132), GREEN);
	assert_int_equal(px(out, 8, 150), BLUE);
	assert_int_equal(px(out, 10, 60), BG); /* the image above is untouched */
	render_image_free(out);
	assert_int_equal(render_runs_legend_add(img, names, 7, 1, &out, NULL), TS_ERR_USAGE);
	render_image_free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_styles),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_legend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
