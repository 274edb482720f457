/* test_render.c â€” box overlays in pixels, chafa cell grids, labels, cache.
 *
 * Every expected pixel below is worked out from the geometry documented in
 * render.h: with X = x*scale, the box covers columns L = floor(X1) ..
 * R = ceil(X2)-1 (rows likewise); inside strokes start at the edge and go
 * inward, outside strokes end just before it; a dashed horizontal edge pixel
 * at column x is on when (x / dash_x) is even.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* ---- helpers ---- */

#define RED 0xFF0000u
#define GREEN 0x00FF00u
#define BLUE 0x0000FFu
#define CYAN 0x00FFFFu
#define MAGENTA 0xFF00FFu
#define WHITE 0xFFFFFFu
#define BG 0x102030u /* background: a colour no style uses */

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

/* One-pixel lines, dashes longer than any test image (so "dashed" is solid
 * here unless a test sets a short dash). */
static render_stroke thin(void)
{
	render_stroke st = {1, 1, 1000, 1000, 1000, 1000, 0};
	return st;
}

static render_box box(double x1, double y1, double x2, double y2, box_style s)
{
	render_box b = {x1, y1, x2, y2, s, 0, 0, NULL, 0, 0, 0};
	return b;
}

/* ---- colour modes ---- */

static void test_color_mode_table(void **state)
{
	(void)state;
	static const struct {
		long n;
		render_color_mode m;
	} t[] = {
		{-1, RENDER_COLORS_NONE}, {0, RENDER_COLORS_NONE}, {2, RENDER_COLORS_NONE},
		{7, RENDER_COLORS_NONE}, {8, RENDER_COLORS_8}, {15, RENDER_COLORS_8},
		{16, RENDER_COLORS_16}, {88, RENDER_COLORS_16}, {255, RENDER_COLORS_16},
		{256, RENDER_COLORS_240}, {16777215, RENDER_COLORS_240},
		{16777216, RENDER_COLORS_TRUECOLOR}, {0x7FFFFFFF, RENDER_COLORS_TRUECOLOR},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		assert_int_equal(render_color_mode_for(t[i].n), t[i].m);
	assert_string_equal(render_color_mode_name(RENDER_COLORS_240), "240");
	assert_string_equal(render_color_mode_name(RENDER_COLORS_NONE), "none");
}

static void test_style_colors(void **state)
{
	(void)state;
	/* xterm cube index 16 + 36r + 6g + b with levels 0..5: green (0,5,0) = 46,
	 * red (5,0,0) = 196, magenta (5,0,5) = 201, cyan (0,5,5) = 51. */
	assert_int_equal(render_style_color_of(BOX_GT).idx256, 46);
	assert_int_equal(render_style_color_of(BOX_FP).idx256, 196);
	assert_int_equal(render_style_color_of(BOX_DUP).idx256, 201);
	assert_int_equal(render_style_color_of(BOX_TP).idx256, 51);
	/* 16 colours: all distinct for the styles that must stay apart */
	int seen[16] = {0};
	box_style must[] = {BOX_GT, BOX_MISS, BOX_TP, BOX_FP, BOX_DUP, BOX_CUT};
	for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
		int idx = render_style_color_of(must[i]).idx16;
		assert_in_range(idx, 0, 15);
		assert_int_equal(seen[idx], 0);
		seen[idx] = 1;
	}
	assert_string_equal(render_style_name(BOX_DUP), "dup");
	/* every style its own colour, in 24-bit, 16 and 8 colours (the legend
	 * never shows two meanings in one colour; "prediction" was TP's cyan) */
	for (int a = 0; a < BOX_STYLE_COUNT; a++)
		for (int b = a + 1; b < BOX_STYLE_COUNT; b++) {
			render_style_color ca = render_style_color_of((box_style)a);
			render_style_color cb = render_style_color_of((box_style)b);
			assert_true(ca.rgb != cb.rgb);
			assert_true(ca.idx16 != cb.idx16);
			assert_true(ca.idx8 != cb.idx8);
		}
	/* PRED: #5F87FF, xterm cube (1,2,5) = 16 + 36 + 12 + 5 = 69 */
	assert_int_equal(render_style_color_of(BOX_PRED).rgb, 0x5F87FF);
	assert_int_equal(render_style_color_of(BOX_PRED).idx256, 69);
}

/* Pixel labels (render.h): 400x400 -> s = max(2, round(400/400)) = 2, a
 * plate 10s = 20 px high, 6s = 12 px per character + 2s = 4 px wide. */
static void test_pixel_label_plates(void **state)
{
	(void)state;
	render_image *img = solid(400, 400, BG);
	render_box b[4];
	b[0] = box(100, 100, 200, 200, BOX_TP);
	b[0].label = "cat";
	b[0].score = 0.914;
	b[0].has_score = 1; /* "cat 0.91": 8 chars -> 100 px: x 100..199, y 80..99 */
	b[1] = box(100, 100, 150, 150, BOX_FP);
	b[1].label = "dog"; /* "dog": 40 px; above it is the TP's plate: below its
	                     * bottom edge (B = 149): x 100..139, y 150..169 */
	b[2] = box(20, 300, 60, 340, BOX_DUP);
	b[2].label = "b";
	b[2].count = 3;
	b[2].tail = 1; /* "b x3 tail": 9 chars -> 112 px: x 20..131, y 280..299 */
	b[3] = box(300, 300, 350, 350, BOX_GT);
	b[3].label = "gt"; /* matched ground truth: no plate */
	render_draw_boxes(img, b, 4, 1.0, 1.0);
	assert_int_equal(px(img, 100, 80), CYAN);
	assert_int_equal(px(img, 199, 80), CYAN);
	assert_int_equal(px(img, 200, 80), BG);
	assert_int_equal(px(img, 100, 79), BG);
	assert_int_equal(px(img, 100, 150), RED);
	assert_int_equal(px(img, 139, 169), RED);
	assert_int_equal(px(img, 140, 169), BG);
	assert_int_equal(px(img, 139, 170), BG);
	assert_int_equal(px(img, 131, 280), MAGENTA);
	assert_int_equal(px(img, 132, 280), BG);
	assert_int_equal(px(img, 300, 280), BG);
	/* black text inside each plate (the font's glyphs, not its bitmap) */
	int black[3] = {0, 0, 0};
	for (uint32_t y = 80; y < 100; y++)
		for (uint32_t x = 100; x < 200; x++)
			black[0] += px(img, x, y) == 0;
	for (uint32_t y = 150; y < 170; y++)
		for (uint32_t x = 100; x < 140; x++)
			black[1] += px(img, x, y) == 0;
	for (uint32_t y = 280; y < 300; y++)
		for (uint32_t x = 20; x < 132; x++)
			black[2] += px(img, x, y) == 0;
	assert_true(black[0] > 20 && black[1] > 10 && black[2] > 20);
	render_image_free(img);
	/* under 160x160: no plates (a thumbnail would be all text) */
	img = solid(100, 100, BG);
	b[0] = box(50, 50, 80, 80, BOX_TP);
	b[0].label = "a";
	render_draw_boxes(img, b, 1, 1.0, 1.0);
	assert_int_equal(px(img, 50, 40), BG);
	render_image_free(img);
}

/* ---- strokes ---- */

static void test_stroke_sizes(void **state)
{
	(void)state;
	render_stroke st;
	/* 1280x960: u = round(960/320) = 3 */
	render_stroke_for_size(1280, 960, &st);
	assert_int_equal(st.lw_x, 3);
	assert_int_equal(st.lw_y, 3);
	assert_int_equal(st.dash_x, 18);
	assert_int_equal(st.dot_x, 3);
	assert_int_equal(st.pixel_counts, 1);
	/* tiny: u = max(1, round(10/320)) = 1, dot = 2 */
	render_stroke_for_size(10, 10, &st);
	assert_int_equal(st.lw_x, 1);
	assert_int_equal(st.dot_x, 2);
	/* 1280x960 in 133x50 cells: cw = 9.62, ch = 19.2; lw = round(3cw/8) = 4,
	 * round(3*19.2/8) = 7; dash = round(cw) = 10, round(ch) = 19;
	 * dot = round(cw/4) = 2, round(ch/4) = 5 */
	render_stroke_for_cells(1280, 960, 133, 50, &st);
	assert_int_equal(st.lw_x, 4);
	assert_int_equal(st.lw_y, 7);
	assert_int_equal(st.dash_x, 10);
	assert_int_equal(st.dash_y, 19);
	assert_int_equal(st.dot_x, 2);
	assert_int_equal(st.dot_y, 5);
	assert_int_equal(st.pixel_counts, 0);
}

/* ---- box edges in pixels ---- */

static void test_box_scaled_inside(void **state)
{
	(void)state;
	/* 10x10, box (1,1)-(4,4) at scale 2: X 2..8 -> L=2, R=ceil(8)-1=7; T=2, B=7.
	 * FP, inside, 1 px: columns 2 and 7 over rows 2..7, rows 2 and 7 over
	 * columns 2..7. */
	render_image *img = solid(10, 10, BG);
	render_box b = box(1, 1, 4, 4, BOX_FP);
	render_stroke st = thin();
	render_draw_boxes_ex(img, &b, 1, 2.0, 2.0, &st);
	assert_int_equal(px(img, 2, 2), RED);
	assert_int_equal(px(img, 7, 7), RED);
	assert_int_equal(px(img, 2, 5), RED);
	assert_int_equal(px(img, 7, 4), RED);
	assert_int_equal(px(img, 5, 2), RED);
	assert_int_equal(px(img, 5, 7), RED);
	assert_int_equal(px(img, 3, 3), BG); /* inside */
	assert_int_equal(px(img, 1, 1), BG); /* outside */
	assert_int_equal(px(img, 8, 5), BG);
	assert_int_equal(px(img, 5, 8), BG);
	render_image_free(img);
}

static void test_box_fractional_edges(void **state)
{
	(void)state;
	/* box (1.5, 2.2)-(5.01, 6.0), scale 1: L=floor(1.5)=1, R=ceil(5.01)-1=5,
	 * T=2, B=ceil(6)-1=5 */
	render_image *img = solid(8, 8, BG);
	render_box b = box(1.5, 2.2, 5.01, 6.0, BOX_TP);
	render_stroke st = thin();
	render_draw_boxes_ex(img, &b, 1, 1.0, 1.0, &st);
	assert_int_equal(px(img, 1, 2), CYAN);
	assert_int_equal(px(img, 5, 5), CYAN);
	assert_int_equal(px(img, 0, 3), BG);
	assert_int_equal(px(img, 6, 3), BG);
	assert_int_equal(px(img, 3, 6), BG);
	assert_int_equal(px(img, 3, 1), BG);
	/* corners given in the wrong order are put right */
	render_image *img2 = solid(8, 8, BG);
	render_box r = box(5.01, 6.0, 1.5, 2.2, BOX_TP);
	render_draw_boxes_ex(img2, &r, 1, 1.0, 1.0, &st);
	assert_memory_equal(img->rgba, img2->rgba, 8 * 8 * 4);
	render_image_free(img);
	render_image_free(img2);
}

static void test_box_clipped(void **state)
{
	(void)state;
	/* 10x10, box (-5,3)-(20,6): L=-5 (left edge off-image), R=19 (right edge
	 * off-image), T=3, B=5.  Visible: rows 3 and 5 across all 10 columns;
	 * row 4 untouched at both image edges. */
	render_image *img = solid(10, 10, BG);
	render_box b = box(-5, 3, 20, 6, BOX_FP);
	render_stroke st = thin();
	render_draw_boxes_ex(img, &b, 1, 1.0, 1.0, &st);
	for (uint32_t x = 0; x < 10; x++) {
		assert_int_equal(px(img, x, 3), RED);
		assert_int_equal(px(img, x, 5), RED);
		assert_int_equal(px(img, x, 4), BG);
	}
	assert_int_equal(px(img, 0, 2), BG);
	assert_int_equal(px(img, 0, 6), BG);
	/* entirely outside, NaN, huge: nothing drawn, no crash */
	render_image *ref = render_image_copy(img);
	render_box bad[] = {
		box(20, 20, 30, 30, BOX_FP), box(NAN, 0, 5, 5, BOX_FP),
		box(0, 0, INFINITY, 5, BOX_FP), box(-1e300, -1e300, -1e299, -1e299, BOX_FP),
	};
	render_draw_boxes_ex(img, bad, 4, 1.0, 1.0, &st);
	assert_memory_equal(img->rgba, ref->rgba, 10 * 10 * 4);
	/* huge box covering the image: edges are off-image, nothing visible */
	render_box huge = box(-1e300, -1e300, 1e300, 1e300, BOX_FP);
	render_draw_boxes_ex(img, &huge, 1, 1.0, 1.0, &st);
	assert_memory_equal(img->rgba, ref->rgba, 10 * 10 * 4);
	render_image_free(ref);
	render_image_free(img);
}

static void test_box_gt_outside_dashed(void **state)
{
	(void)state;
	/* GT (2,2)-(6,6) on 10x10: L=2, R=5, T=2, B=5.  Outside, 1 px: column 1
	 * and column 6 over rows 1..6; rows 1 and 6 over columns 1..6. */
	render_image *img = solid(10, 10, BG);
	render_box b = box(2, 2, 6, 6, BOX_GT);
	render_stroke st = thin();
	render_draw_boxes_ex(img, &b, 1, 1.0, 1.0, &st);
	assert_int_equal(px(img, 1, 1), GREEN);
	assert_int_equal(px(img, 1, 6), GREEN);
	assert_int_equal(px(img, 6, 6), GREEN);
	assert_int_equal(px(img, 4, 1), GREEN);
	assert_int_equal(px(img, 6, 3), GREEN);
	assert_int_equal(px(img, 2, 2), BG); /* the box's own edge is left free */
	assert_int_equal(px(img, 5, 5), BG);
	assert_int_equal(px(img, 0, 0), BG);
	assert_int_equal(px(img, 7, 7), BG);
	render_image_free(img);

	/* dash 2 along x: top row 1 is on at x = 0,1 | 4,5 | 8,9 (x/2 even) and
	 * off at 2,3 | 6,7; within the band x = 1..8: on 1,4,5,8, off 2,3,6,7.
	 * Left column 1 with dash_y = 3: on where y/3 is even: y = 0..2, 6..8;
	 * band rows 1..8 -> on 1,2,6,7,8, off 3,4,5. */
	img = solid(10, 10, BG);
	b = box(2, 2, 8, 8, BOX_GT); /* L=2,R=7,T=2,B=7; outside band rows 1..8 */
	st.dash_x = 2;
	st.dash_y = 3;
	render_draw_boxes_ex(img, &b, 1, 1.0, 1.0, &st);
	int on_x[10] = {0, 1, 0, 0, 1, 1, 0, 0, 1, 0};
	for (uint32_t x = 1; x <= 8; x++)
		assert_int_equal(px(img, x, 1), on_x[x] ? GREEN : BG);
	int on_y[10] = {0, 1, 1, 0, 0, 0, 1, 1, 1, 0};
	for (uint32_t y = 1; y <= 8; y++)
		assert_int_equal(px(img, 1, y), on_y[y] ? GREEN : BG);
	render_image_free(img);
}

static void test_box_selected_double(void **state)
{
	(void)state;
	/* TP (4,4)-(9,9) selected on 14x14, 1 px: L=4, R=8.  Cyan at column 4;
	 * gap at 3; white line at 2 (offset 1: [L-2, L-2]); gap at 1; white at 0
	 * (offset 3: [L-4, L-4]).  Right side: cyan 8, gap 9, white 10, gap 11,
	 * white 12. */
	render_image *img = solid(14, 14, BG);
	render_box b = box(4, 4, 9, 9, BOX_TP);
	b.selected = 1;
	render_stroke st = thin();
	render_draw_boxes_ex(img, &b, 1, 1.0, 1.0, &st);
	uint32_t want[13] = {WHITE, BG, WHITE, BG, CYAN, BG, BG, BG, CYAN, BG, WHITE, BG, WHITE};
	for (uint32_t x = 0; x < 13; x++)
		assert_int_equal(px(img, x, 6), want[x]);
	render_image_free(img);
}

static void test_box_dup_stack(void **state)
{
	(void)state;
	/* DUP count 3 at (2,2)-(10,10) on 20x20, 1 px units: L=2, R=9, T=2, B=9.
	 * Main stroke 2 px inside: columns 2,3 and 8,9 (rows 2,3 and 8,9).  Stack
	 * copies (1 px, offset 2 and 4): copy 1 has L=T=4, R=B=11 -> columns 4
	 * and 11; copy 2 has L=T=6, R=B=13 -> columns 6 and 13.  Along row 7
	 * (no horizontal edge of any of the three there):
	 *   x: 2 3 4 5 6 7 8 9 10 11 12 13 14
	 *      M M M . M . M M .  M  .  M  . */
	render_image *img = solid(20, 20, BG);
	render_box b = box(2, 2, 10, 10, BOX_DUP);
	b.count = 3;
	render_stroke st = thin();
	render_draw_boxes_ex(img, &b, 1, 1.0, 1.0, &st);
	int on[15] = {0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0};
	for (uint32_t x = 0; x < 15; x++)
		assert_int_equal(px(img, x, 7), on[x] ? MAGENTA : BG);
	/* bottom of copy 2 is row 13 (B = 9 + 4) */
	assert_int_equal(px(img, 8, 13), MAGENTA);
	assert_int_equal(px(img, 8, 14), BG);

	/* the same box once (count 1) has no stack: one box vs many differ */
	render_image *one = solid(20, 20, BG);
	b.count = 1;
	render_draw_boxes_ex(one, &b, 1, 1.0, 1.0, &st);
	assert_int_equal(px(one, 11, 7), BG);
	assert_int_equal(px(one, 13, 7), BG);
	assert_int_equal(px(one, 9, 7), MAGENTA);
	assert_memory_not_equal(one->rgba, img->rgba, 20 * 20 * 4);
	render_image_free(one);
	render_image_free(img);
}

static void test_draw_order(void **state)
{
	(void)state;
	/* FP and DUP on the same pixels: DUP is drawn later whatever the array
	 * order; a GT outside stroke never covers a prediction's inside stroke. */
	render_image *img = solid(10, 10, BG);
	render_box b[3] = {box(2, 2, 8, 8, BOX_DUP), box(2, 2, 8, 8, BOX_FP), box(3, 3, 8, 8, BOX_GT)};
	render_stroke st = thin();
	render_draw_boxes_ex(img, b, 3, 1.0, 1.0, &st);
	assert_int_equal(px(img, 2, 5), MAGENTA);
	/* GT (3,3)-(8,8) outside stroke is column 2 but drawn first: stays magenta */
	assert_int_equal(px(img, 2, 4), MAGENTA);
	render_image_free(img);
}

/* ---- cells ---- */

static const render_cell *cell(const render_grid *g, int x, int y)
{
	return &g->cells[(size_t)y * g->cols + x];
}

static render_opts opts(int cols, int rows, render_color_mode m)
{
	render_opts o;
	render_opts_default(&o);
	o.max_cols = cols;
	o.max_rows = rows;
	o.mode = m;
	return o;
}

static void test_grid_size(void **state)
{
	(void)state;
	int c, r;
	/* 1280x960 in 160x50 at font ratio 0.5: 160 cols would need
	 * 160 * 960/1280 * 0.5 = 60 rows > 50, so rows = 50 and
	 * cols = 50 / 0.5 * 1280/960 = 133.3 -> 133 */
	render_opts o = opts(160, 50, RENDER_COLORS_TRUECOLOR);
	render_grid_size(1280, 960, &o, &c, &r);
	assert_int_equal(c, 133);
	assert_int_equal(r, 50);
	/* a small square image is zoomed to fit: 8x8 -> 100x50 */
	render_grid_size(8, 8, &o, &c, &r);
	assert_int_equal(c, 100);
	assert_int_equal(r, 50);
	/* font ratio 1 (square cells): 1280x960 -> 66.7 cols at 50 rows -> 66x50 */
	o.font_ratio = 1.0;
	render_grid_size(1280, 960, &o, &c, &r);
	assert_int_equal(r, 50);
	assert_int_equal(c, 66);
}

static void test_known_pattern_truecolor(void **state)
{
	(void)state;
	/* 8x8: left half pure red, right half pure blue, into one cell.  The only
	 * exact two-colour rendering of a cell split down the middle is a half
	 * block: U+258C LEFT HALF BLOCK with fg red / bg blue (or U+2590 with the
	 * colours swapped). */
	render_image *img = solid(8, 8, BLUE);
	for (uint32_t y = 0; y < 8; y++)
		for (uint32_t x = 0; x < 4; x++) {
			uint8_t *p = img->rgba + (y * 8 + x) * 4;
			p[0] = 255;
			p[1] = 0;
			p[2] = 0;
		}
	render_opts o = opts(1, 1, RENDER_COLORS_TRUECOLOR);
	render_grid *g = NULL;
	ts_error err;
	assert_int_equal(render_grid_from_image(img, &o, &g, &err), TS_OK);
	assert_int_equal(g->cols, 1);
	assert_int_equal(g->rows, 1);
	const render_cell *c = cell(g, 0, 0);
	if (c->ch == 0x258C) {
		assert_int_equal(c->fg, RED);
		assert_int_equal(c->bg, BLUE);
	} else {
		assert_int_equal(c->ch, 0x2590);
		assert_int_equal(c->fg, BLUE);
		assert_int_equal(c->bg, RED);
	}
	assert_int_equal(c->fg_idx, -1);
	assert_int_equal(c->attr, 0);
	render_grid_free(g);

	/* 16 colours, xterm's palette: pure red is bright red (9, #ff0000);
	 * pure blue is nearest to blue (4, #0000ee: 17 away in blue) rather
	 * than bright blue (12, #5c5cff: 92 away in red and green) */
	o.mode = RENDER_COLORS_16;
	assert_int_equal(render_grid_from_image(img, &o, &g, &err), TS_OK);
	c = cell(g, 0, 0);
	if (c->ch == 0x258C) {
		assert_int_equal(c->fg_idx, 9);
		assert_int_equal(c->bg_idx, 4);
	} else {
		assert_int_equal(c->ch, 0x2590);
		assert_int_equal(c->fg_idx, 4);
		assert_int_equal(c->bg_idx, 9);
	}
	render_grid_free(g);

	/* monochrome: no colours at all */
	o.mode = RENDER_COLORS_NONE;
	assert_int_equal(render_grid_from_image(img, &o, &g, &err), TS_OK);
	assert_int_equal(cell(g, 0, 0)->fg, -1);
	assert_int_equal(cell(g, 0, 0)->bg, -1);
	render_grid_free(g);
	render_image_free(img);
}

static void test_uniform_grid(void **state)
{
	(void)state;
	/* 16x16 pure green into at most 4x2 cells (font 0.5 -> exactly 4x2):
	 * every cell is one flat green: a space on green or a full block in
	 * green. */
	render_image *img = solid(16, 16, GREEN);
	render_opts o = opts(4, 2, RENDER_COLORS_TRUECOLOR);
	render_grid *g = NULL;
	assert_int_equal(render_grid_from_image(img, &o, &g, NULL), TS_OK);
	assert_int_equal(g->cols, 4);
	assert_int_equal(g->rows, 2);
	for (int y = 0; y < 2; y++)
		for (int x = 0; x < 4; x++) {
			const render_cell *c = cell(g, x, y);
			if (c->ch == ' ')
				assert_int_equal(c->bg, GREEN);
			else {
				assert_int_equal(c->ch, 0x2588);
				assert_int_equal(c->fg, GREEN);
			}
		}
	render_grid_free(g);
	render_image_free(img);
}

static void test_no_wide_or_control_chars(void **state)
{
	(void)state;
	/* a noisy image in every mode: every cell is a printable, narrow
	 * character from the block/border/space sets */
	render_image *img = render_image_new(97, 61);
	uint32_t s = 12345;
	for (size_t i = 0; i < 97 * 61 * 4; i++) {
		s = s * 1103515245u + 12345u;
		img->rgba[i] = (uint8_t)(s >> 24);
	}
	for (int m = RENDER_COLORS_NONE; m <= RENDER_COLORS_TRUECOLOR; m++) {
		render_opts o = opts(40, 20, (render_color_mode)m);
		render_grid *g = NULL;
		assert_int_equal(render_grid_from_image(img, &o, &g, NULL), TS_OK);
		for (int i = 0; i < g->cols * g->rows; i++) {
			uint32_t ch = g->cells[i].ch;
			assert_true(ch == ' ' || (ch >= 0x2500 && ch <= 0x259F));
			/* (assert_in_range is unsigned: -1 checked by hand) */
			int fi = g->cells[i].fg_idx, bi = g->cells[i].bg_idx;
			if (m == RENDER_COLORS_16) {
				assert_true(fi >= -1 && fi <= 15);
				assert_true(bi >= -1 && bi <= 15);
			}
			if (m == RENDER_COLORS_8) {
				assert_true(fi >= -1 && fi <= 7);
				assert_true(bi >= -1 && bi <= 7);
			}
			if (m == RENDER_COLORS_TRUECOLOR || m == RENDER_COLORS_NONE) {
				assert_int_equal(fi, -1);
				assert_int_equal(bi, -1);
			}
			if (m == RENDER_COLORS_240 && g->cells[i].bg >= 0)
				assert_in_range(g->cells[i].bg_idx, 16, 255);
		}
		render_grid_free(g);
	}
	render_image_free(img);
}

static void test_bad_args(void **state)
{
	(void)state;
	render_image *img = solid(4, 4, GREEN);
	render_grid *g = (render_grid *)1;
	ts_error err;
	render_opts o = opts(0, 10, RENDER_COLORS_TRUECOLOR);
	assert_int_equal(render_grid_from_image(img, &o, &g, &err), TS_ERR_USAGE);
	assert_null(g);
	assert_int_equal(render_grid_from_image(NULL, &o, &g, &err), TS_ERR_USAGE);
	render_cache *c = render_cache_new(0);
	o = opts(10, 10, RENDER_COLORS_TRUECOLOR);
	assert_int_equal(render_frame(c, img, NULL, 3, &o, &g, &err), TS_ERR_USAGE);
	render_cache_free(c);
	render_image_free(img);
}

/* ---- labels ---- */

/* 40x20 black image in 40x10 cells (font 0.5: 40 cols need 40*20/40*0.5 = 10
 * rows): one cell = 1 x 2 pixels, so a box at x, y has its label at column
 * floor(x), the row above floor(y/2). */
static render_grid *frame_of(render_cache *c, const render_image *img, const render_box *b,
                             size_t n, render_color_mode m)
{
	render_opts o = opts(40, 10, m);
	render_grid *g = NULL;
	ts_error err;
	ts_status st = render_frame(c, img, b, n, &o, &g, &err);
	if (st != TS_OK)
		fprintf(stderr, "render_frame: %s\n", err.msg);
	assert_int_equal(st, TS_OK);
	assert_int_equal(g->cols, 40);
	assert_int_equal(g->rows, 10);
	return g;
}

static void assert_text(const render_grid *g, int x, int y, const char *ascii)
{
	for (int i = 0; ascii[i]; i++) {
		const render_cell *c = cell(g, x + i, y);
		assert_int_equal(c->ch, (uint32_t)(unsigned char)ascii[i]);
		assert_true(c->attr & RENDER_ATTR_TEXT);
	}
}

static void test_labels(void **state)
{
	(void)state;
	render_image *img = solid(40, 20, 0);
	render_cache *c = render_cache_new(0);
	/* TP "cat" at (10,10)-(30,18): top row floor(10/2) = 5 -> label row 4,
	 * column 10, cyan on black. */
	render_box b = box(10, 10, 30, 18, BOX_TP);
	b.label = "cat";
	render_grid *g = frame_of(c, img, &b, 1, RENDER_COLORS_TRUECOLOR);
	assert_text(g, 10, 4, "cat");
	assert_int_equal(cell(g, 10, 4)->fg, CYAN);
	assert_int_equal(cell(g, 10, 4)->bg, 0);
	assert_false(cell(g, 13, 4)->attr & RENDER_ATTR_TEXT);
	render_grid_free(g);

	/* 240 colours: palette indices too (cyan 51 on black 16) */
	g = frame_of(c, img, &b, 1, RENDER_COLORS_240);
	assert_int_equal(cell(g, 10, 4)->fg_idx, 51);
	assert_int_equal(cell(g, 10, 4)->bg_idx, 16);
	render_grid_free(g);

	/* DUP with count 5, no label: "x5"; a second label at the same spot goes
	 * below the box (bottom row ceil(18/2)-1 = 8 -> row 9). DUP is placed first. */
	render_box two[2] = {box(10, 10, 30, 18, BOX_FP), box(10, 10, 30, 18, BOX_DUP)};
	two[0].label = "dog";
	two[1].count = 5;
	g = frame_of(c, img, two, 2, RENDER_COLORS_16);
	assert_text(g, 10, 4, "x5");
	assert_int_equal(cell(g, 10, 4)->fg_idx, 13); /* bright magenta */
	assert_text(g, 10, 9, "dog");
	assert_int_equal(cell(g, 10, 9)->fg_idx, 9); /* bright red */
	render_grid_free(g);

	/* label and count together; selected: black on white */
	b.label = "person";
	b.count = 12;
	b.selected = 1;
	g = frame_of(c, img, &b, 1, RENDER_COLORS_TRUECOLOR);
	assert_text(g, 10, 4, "person x12");
	assert_int_equal(cell(g, 10, 4)->fg, 0);
	assert_int_equal(cell(g, 10, 4)->bg, WHITE);
	render_grid_free(g);
	/* monochrome: reverse video instead */
	g = frame_of(c, img, &b, 1, RENDER_COLORS_NONE);
	assert_true(cell(g, 10, 4)->attr & RENDER_ATTR_REVERSE);
	assert_int_equal(cell(g, 10, 4)->fg, -1);
	render_grid_free(g);

	/* priorities: a GT label and an FP label on the same spot -- the
	 * prediction wins the row above, the GT label goes below, whatever the
	 * array order */
	render_box pg[2] = {box(10, 10, 30, 18, BOX_GT), box(10, 10, 30, 18, BOX_FP)};
	pg[0].label = "gt";
	pg[1].label = "fp";
	g = frame_of(c, img, pg, 2, RENDER_COLORS_TRUECOLOR);
	assert_text(g, 10, 4, "fp");
	assert_text(g, 10, 9, "gt");
	render_grid_free(g);

	render_cache_free(c);
	render_image_free(img);
}

/* Label modes, one name per hit, and placement that keeps labels off each
 * other and off box edges (same 1 x 2 pixel cells as frame_of). */
static render_grid *frame_labels(render_cache *c, const render_image *img, const render_box *b,
                                 size_t n, int labels)
{
	render_opts o = opts(40, 10, RENDER_COLORS_TRUECOLOR);
	o.labels = labels;
	render_grid *g = NULL;
	ts_error err;
	assert_int_equal(render_frame(c, img, b, n, &o, &g, &err), TS_OK);
	return g;
}

static int text_cells(const render_grid *g)
{
	int k = 0;
	for (int i = 0; i < g->cols * g->rows; i++)
		k += (g->cells[i].attr & RENDER_ATTR_TEXT) != 0;
	return k;
}

static void test_labels_modes_and_placement(void **state)
{
	(void)state;
	render_image *img = solid(40, 20, 0);
	render_cache *c = render_cache_new(0);
	/* a TP "cat" and a DUP x3: all -> "cat" (3 cells) + "x3" (2 cells);
	 * selected + duplicates -> only "x3"; none -> no text at all */
	render_box two[2] = {box(10, 10, 30, 18, BOX_TP), box(0, 0, 6, 4, BOX_DUP)};
	two[0].label = "cat";
	two[1].count = 3;
	render_grid *g = frame_labels(c, img, two, 2, RENDER_LABELS_ALL);
	assert_int_equal(text_cells(g), 5);
	render_grid_free(g);
	g = frame_labels(c, img, two, 2, RENDER_LABELS_KEY);
	assert_int_equal(text_cells(g), 2);
	assert_text(g, 0, 2, "x3"); /* no row above: below, bottom row ceil(4/2)-1 = 1 -> 2 */
	render_grid_free(g);
	g = frame_labels(c, img, two, 2, RENDER_LABELS_NONE);
	assert_int_equal(text_cells(g), 0);
	render_grid_free(g);

	/* a hit: its GT box and TP box (same label, same place) named once */
	render_box hit[2] = {box(10, 10, 30, 18, BOX_GT), box(10, 10, 30, 18, BOX_TP)};
	hit[0].label = hit[1].label = "cat";
	g = frame_labels(c, img, hit, 2, RENDER_LABELS_ALL);
	assert_int_equal(text_cells(g), 3);
	assert_text(g, 10, 4, "cat");
	render_grid_free(g);

	/* two labels never touch: A's "abc" at row 4, columns 0-2; B (x from 3)
	 * would start in the blank cell after it, so it goes below (row 9) */
	render_box ab[2] = {box(0, 10, 8, 18, BOX_TP), box(3, 10, 20, 18, BOX_FP)};
	ab[0].label = "abc";
	ab[1].label = "xyz";
	g = frame_labels(c, img, ab, 2, RENDER_LABELS_ALL);
	assert_text(g, 0, 4, "abc");
	assert_text(g, 3, 9, "xyz");
	render_grid_free(g);

	/* off box edges: C spans rows 1-8; D's row above (1) is C's top edge,
	 * so D's label goes below D (rows 2-3 -> row 4), C's on row 0 */
	render_box cd[2] = {box(10, 2, 30, 18, BOX_TP), box(12, 4, 16, 8, BOX_FP)};
	cd[0].label = "big";
	cd[1].label = "d";
	g = frame_labels(c, img, cd, 2, RENDER_LABELS_ALL);
	assert_text(g, 10, 0, "big");
	assert_text(g, 12, 4, "d");
	assert_false(cell(g, 12, 1)->attr & RENDER_ATTR_TEXT);
	render_grid_free(g);

	render_cache_free(c);
	render_image_free(img);
}

/* Caption + legend strip: sizes worked out from the layout rules (scale
 * max(2, w/480), line 9*scale, pad 2*scale, legend items of 3 lines'
 * swatch + text + 3 blanks, wrapped when past the width). */
static void test_caption_strip(void **state)
{
	(void)state;
	render_image *img = solid(480, 100, 0x336699), *o = NULL;
	ts_error err;
	/* 480 wide: scale 2, line 18, pad 4; caption "run-a  sample 7" fits a
	 * line (39 characters); legend rows: [gt 240, miss 228] [tp 120, fp 120,
	 * prediction 216] [duplicate xN 240] [cut by policy 252] = 4 rows of 22:
	 * strip = 18 + 88 + 8 = 114 */
	assert_int_equal(render_caption_add(img, "run-a  sample 7", 1, &o, &err), TS_OK);
	assert_int_equal(o->w, 480);
	assert_int_equal(o->h, 214);
	assert_memory_equal(o->rgba, img->rgba, 480 * 100 * 4); /* the image untouched */
	const uint8_t *p = o->rgba + ((size_t)100 * 480) * 4;   /* strip: #101010 */
	assert_int_equal(p[0], 0x10);
	int white = 0, green = 0;
	for (uint32_t y = 104; y < 122; y++)        /* caption line: white text */
		for (uint32_t x = 0; x < 480; x++)
			white += o->rgba[(y * 480 + x) * 4] == 255 && o->rgba[(y * 480 + x) * 4 + 2] == 255;
	for (uint32_t y = 122; y < 144; y++)        /* legend row 1: the GT swatch, green */
		for (uint32_t x = 0; x < 60; x++) {
			const uint8_t *q = o->rgba + (y * 480 + x) * 4;
			green += q[0] == 0 && q[1] == 255 && q[2] == 0;
		}
	assert_true(white > 50);
	assert_true(green > 20);
	render_image_free(o);
	/* no caption, no legend: a copy */
	assert_int_equal(render_caption_add(img, "", 0, &o, &err), TS_OK);
	assert_int_equal(o->h, 100);
	render_image_free(o);
	/* a long caption wraps at spaces: 2 lines, no legend: 36 + 8 */
	assert_int_equal(render_caption_add(img, "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd", 0, &o, &err),
	                 TS_OK);
	assert_int_equal(o->h, 144);
	render_image_free(o);
	render_image_free(img);
}

static void test_labels_sanitized_and_clipped(void **state)
{
	(void)state;
	render_image *img = solid(40, 20, 0);
	render_cache *c = render_cache_new(0);
	/* ESC becomes the visible escape \x1b (sanitize.h); a wide CJK
	 * character becomes '?' (cells are never wide).  Box at the top: no row
	 * above, so the label goes below (bottom row ceil(8/2)-1 = 3 -> row 4). */
	render_box b = box(2, 0, 12, 8, BOX_FP);
	b.label = "a\x1b" "b\xe7\x8c\xab";
	render_grid *g = frame_of(c, img, &b, 1, RENDER_COLORS_TRUECOLOR);
	assert_text(g, 2, 4, "a\\x1bb?");
	render_grid_free(g);

	/* near the right edge: the label is shifted left to fit (40 - 7 = 33) */
	render_box r = box(38, 10, 40, 14, BOX_FP);
	r.label = "giraffe";
	g = frame_of(c, img, &r, 1, RENDER_COLORS_TRUECOLOR);
	assert_text(g, 33, 4, "giraffe");
	render_grid_free(g);

	/* long labels are capped at 24 columns, ending in an ellipsis */
	render_box l = box(0, 10, 10, 14, BOX_FP);
	l.label = "abcdefghijklmnopqrstuvwxyz0123456789";
	g = frame_of(c, img, &l, 1, RENDER_COLORS_TRUECOLOR);
	assert_text(g, 0, 4, "abcdefghijklmnopqrstuvw");
	assert_int_equal(cell(g, 23, 4)->ch, 0x2026);
	assert_false(cell(g, 24, 4)->attr & RENDER_ATTR_TEXT);
	render_grid_free(g);

	/* a box entirely outside the image gets no label */
	render_box out = box(100, 100, 120, 120, BOX_FP);
	out.label = "ghost";
	g = frame_of(c, img, &out, 1, RENDER_COLORS_TRUECOLOR);
	for (int i = 0; i < g->cols * g->rows; i++)
		assert_false(g->cells[i].attr & RENDER_ATTR_TEXT);
	render_grid_free(g);
	render_cache_free(c);
	render_image_free(img);
}

static void test_frame_leaves_source_alone(void **state)
{
	(void)state;
	render_image *img = solid(64, 48, BG);
	render_image *ref = render_image_copy(img);
	render_cache *c = render_cache_new(0);
	render_box b = box(5, 5, 40, 30, BOX_DUP);
	b.count = 9;
	render_opts o = opts(32, 12, RENDER_COLORS_TRUECOLOR);
	render_grid *g = NULL;
	assert_int_equal(render_frame(c, img, &b, 1, &o, &g, NULL), TS_OK);
	assert_memory_equal(img->rgba, ref->rgba, 64 * 48 * 4);
	/* the box shows up: some cell on the box's left edge column holds magenta */
	int found = 0;
	for (int i = 0; i < g->cols * g->rows; i++)
		if (!(g->cells[i].attr & RENDER_ATTR_TEXT) &&
		    (g->cells[i].fg == (int32_t)MAGENTA || g->cells[i].bg == (int32_t)MAGENTA))
			found++;
	assert_true(found >= 10);
	render_grid_free(g);
	render_cache_free(c);
	render_image_free(ref);
	render_image_free(img);
}

/* Without a UTF-8 locale (opts.ascii): chafa's ASCII symbols only, a label's
 * non-ASCII characters as '?', and ASCII frames cached apart from UTF-8 ones. */
static void test_frame_ascii(void **state)
{
	(void)state;
	render_image *img = solid(64, 48, BG);
	for (uint32_t y = 0; y < 48; y++) /* a gradient, so chafa has shapes to pick */
		for (uint32_t x = 0; x < 64; x++)
			img->rgba[(y * 64 + x) * 4] = (uint8_t)(x * 4);
	render_image_touch(img);
	render_cache *c = render_cache_new(0);
	render_box b = box(5, 5, 40, 30, BOX_TP);
	b.label = "caf\xc3\xa9";
	render_opts o = opts(32, 12, RENDER_COLORS_16);
	render_grid *gu = NULL, *ga = NULL;
	assert_int_equal(render_frame(c, img, &b, 1, &o, &gu, NULL), TS_OK);
	o.ascii = 1;
	assert_int_equal(render_frame(c, img, &b, 1, &o, &ga, NULL), TS_OK);
	size_t hits, misses;
	render_cache_stats(c, &hits, &misses);
	assert_int_equal(misses, 2); /* not served the UTF-8 frame */
	int non_ascii_utf8 = 0, label_q = 0;
	for (int i = 0; i < ga->cols * ga->rows; i++) {
		assert_true(ga->cells[i].ch >= 0x20 && ga->cells[i].ch < 0x7f);
		if (gu->cells[i].ch >= 0x80)
			non_ascii_utf8++;
	}
	assert_true(non_ascii_utf8 > 0); /* the UTF-8 frame does use block symbols */
	/* the label reads "caf?" in ASCII, "café" in UTF-8 */
	for (int r = 0; r < ga->rows; r++)
		for (int col = 0; col + 3 < ga->cols; col++) {
			const render_cell *a = &ga->cells[r * ga->cols + col];
			const render_cell *u = &gu->cells[r * gu->cols + col];
			if (a[0].ch == 'c' && a[1].ch == 'a' && a[2].ch == 'f' && a[3].ch == '?' &&
			    (a[0].attr & RENDER_ATTR_TEXT) && u[3].ch == 0xE9)
				label_q++;
		}
	assert_int_equal(label_q, 1);
	render_grid_free(gu);
	render_grid_free(ga);
	render_cache_free(c);
	render_image_free(img);
}

/* ---- cache ---- */

static void test_cache(void **state)
{
	(void)state;
	render_image *img = solid(64, 48, BG);
	render_cache *c = render_cache_new(2);
	render_opts o = opts(32, 12, RENDER_COLORS_TRUECOLOR);
	render_box b = box(5, 5, 40, 30, BOX_FP);
	b.label = "x";
	render_grid *g1, *g2, *g3;
	size_t hits, misses;

	assert_int_equal(render_frame(c, img, &b, 1, &o, &g1, NULL), TS_OK);
	assert_int_equal(render_frame(c, img, &b, 1, &o, &g2, NULL), TS_OK);
	render_cache_stats(c, &hits, &misses);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, 1);
	assert_ptr_not_equal(g1, g2); /* each call hands out its own copy */
	assert_int_equal(g1->cols, g2->cols);
	assert_memory_equal(g1->cells, g2->cells, sizeof(render_cell) * g1->cols * g1->rows);
	render_grid_free(g2);

	/* a different overlay (label text), mode or size is a miss */
	render_box b2 = b;
	b2.label = "y";
	assert_int_equal(render_frame(c, img, &b2, 1, &o, &g2, NULL), TS_OK);
	render_grid_free(g2);
	o.mode = RENDER_COLORS_16;
	assert_int_equal(render_frame(c, img, &b, 1, &o, &g2, NULL), TS_OK);
	render_grid_free(g2);
	render_cache_stats(c, &hits, &misses);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, 3);

	/* budget 2: the first frame (truecolor, "x") was evicted by the two
	 * after it -> miss; then the 16-colour one is still there -> hit */
	o.mode = RENDER_COLORS_TRUECOLOR;
	assert_int_equal(render_frame(c, img, &b, 1, &o, &g3, NULL), TS_OK);
	render_cache_stats(c, &hits, &misses);
	assert_int_equal(misses, 4);
	assert_memory_equal(g1->cells, g3->cells, sizeof(render_cell) * g1->cols * g1->rows);
	render_grid_free(g3);
	o.mode = RENDER_COLORS_16;
	assert_int_equal(render_frame(c, img, &b, 1, &o, &g3, NULL), TS_OK);
	render_cache_stats(c, &hits, &misses);
	assert_int_equal(hits, 2);
	render_grid_free(g3);

	/* pixels changed in place + touch: a new serial, so a miss */
	img->rgba[0] ^= 0xFF;
	render_image_touch(img);
	assert_int_equal(render_frame(c, img, &b, 1, &o, &g3, NULL), TS_OK);
	render_cache_stats(c, &hits, &misses);
	assert_int_equal(hits, 2);
	assert_int_equal(misses, 5);
	render_grid_free(g3);

	/* serial 0 is never cached */
	render_image tmp = {img->w, img->h, img->rgba, 0};
	assert_int_equal(render_frame(c, &tmp, &b, 1, &o, &g3, NULL), TS_OK);
	render_grid_free(g3);
	assert_int_equal(render_frame(c, &tmp, &b, 1, &o, &g3, NULL), TS_OK);
	render_grid_free(g3);
	render_cache_stats(c, &hits, &misses);
	assert_int_equal(hits, 2);
	assert_int_equal(misses, 7);

	render_cache_clear(c);
	assert_int_equal(render_frame(c, img, &b, 1, &o, &g3, NULL), TS_OK);
	render_cache_stats(c, &hits, &misses);
	assert_int_equal(misses, 8);
	render_grid_free(g3);

	render_grid_free(g1);
	render_cache_free(c);
	render_image_free(img);
}

/* ---- pixel protocols ---- */

static void test_pixels_encode(void **state)
{
	(void)state;
	/* 64x48 into at most 8x3 cells of 10x20 px: the area is 80x60 px, the
	 * image's 4:3 fills it exactly -> 8x3 cells, 80x60 output pixels. */
	render_image *img = solid(64, 48, BG);
	render_box b = box(5, 5, 40, 30, BOX_DUP);
	b.count = 4;
	char *out = NULL;
	size_t len = 0;
	int oc = 0, orow = 0;
	ts_error err;
	assert_int_equal(render_pixels_encode(img, &b, 1, RENDER_PIXELS_SIXEL, 8, 3, 10, 20, &out,
	                                      &len, &oc, &orow, &err), TS_OK);
	assert_int_equal(oc, 8);
	assert_int_equal(orow, 3);
	assert_int_equal(strlen(out), len);
	assert_true(len > 4);
	assert_memory_equal(out, "\x1bP", 2);          /* DCS */
	assert_memory_equal(out + len - 2, "\x1b\\", 2); /* ST */
	assert_non_null(strstr(out, "\"1;1;80;60"));     /* raster attributes */
	free(out);

	assert_int_equal(render_pixels_encode(img, NULL, 0, RENDER_PIXELS_KITTY, 8, 3, 10, 20, &out,
	                                      &len, NULL, NULL, &err), TS_OK);
	assert_non_null(strstr(out, "s=80,v=60,c=8,r=3"));
	free(out);

	/* a wide area: height limits -> 3 rows of 20 px = 60 px high, 80 px wide */
	assert_int_equal(render_pixels_encode(img, NULL, 0, RENDER_PIXELS_SIXEL, 100, 3, 10, 20,
	                                      &out, &len, &oc, &orow, &err), TS_OK);
	assert_int_equal(oc, 8);
	free(out);

	assert_int_equal(render_pixels_encode(img, NULL, 0, RENDER_PIXELS_SIXEL, 0, 3, 10, 20, &out,
	                                      &len, NULL, NULL, &err), TS_ERR_USAGE);
	assert_null(out);
	/* under one sixel band (6 px rows): refused (chafa 1.12 would divide by
	 * zero); 1 row of 5 px */
	assert_int_equal(render_pixels_encode(img, NULL, 0, RENDER_PIXELS_SIXEL, 11, 1, 4, 5, &out,
	                                      &len, NULL, NULL, &err), TS_ERR_USAGE);
	assert_null(out);
	assert_int_equal(render_pixels_encode(img, NULL, 0, RENDER_PIXELS_SIXEL, 11, 1, 4, 6, &out,
	                                      &len, NULL, NULL, &err), TS_OK);
	free(out);
	assert_int_equal(render_pixels_encode(img, NULL, 0, (render_pixel_proto)9, 8, 3, 10, 20,
	                                      &out, &len, NULL, NULL, &err), TS_ERR_USAGE);
	render_image_free(img);
}

/* The gallery's encode over a cell rectangle: kitty's first chunk gets the
 * image id, q=2 (no reply) and C=1 (cursor stays) right after ESC _ G, the
 * rest byte for byte render_pixels_encode's; sixel and id 0 unchanged; the
 * delete is kitty's documented a=d,d=I form (kitty graphics protocol). */
static void test_pixels_encode_id(void **state)
{
	(void)state;
	render_image *img = solid(64, 48, BG);
	char *plain = NULL, *tagged = NULL;
	size_t lp = 0, lt = 0;
	ts_error err;
	assert_int_equal(render_pixels_encode(img, NULL, 0, RENDER_PIXELS_KITTY, 8, 3, 10, 20, &plain,
	                                      &lp, NULL, NULL, &err), TS_OK);
	assert_int_equal(render_pixels_encode_id(img, NULL, 0, RENDER_PIXELS_KITTY, 8, 3, 10, 20, 7,
	                                         &tagged, &lt, NULL, NULL, &err), TS_OK);
	static const char keys[] = "i=7,q=2,C=1,";
	assert_int_equal(lt, lp + strlen(keys));
	assert_int_equal(strlen(tagged), lt);
	assert_memory_equal(tagged, "\x1b_Gi=7,q=2,C=1,a=T,", 19);
	assert_memory_equal(tagged + 3 + strlen(keys), plain + 3, lp - 3);
	free(tagged);
	free(plain);
	assert_int_equal(render_pixels_encode(img, NULL, 0, RENDER_PIXELS_SIXEL, 8, 3, 10, 20, &plain,
	                                      &lp, NULL, NULL, &err), TS_OK);
	assert_int_equal(render_pixels_encode_id(img, NULL, 0, RENDER_PIXELS_SIXEL, 8, 3, 10, 20, 7,
	                                         &tagged, &lt, NULL, NULL, &err), TS_OK);
	assert_int_equal(lt, lp);
	assert_memory_equal(tagged, plain, lp);
	free(tagged);
	free(plain);
	char d[64];
	size_t n = render_pixels_kitty_delete(268435461u, d, sizeof d);
	assert_string_equal(d, "\x1b_Ga=d,d=I,i=268435461,q=2\x1b\\");
	assert_int_equal(n, strlen(d));
	render_image_free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_color_mode_table),
		cmocka_unit_test(test_frame_ascii),
		cmocka_unit_test(test_style_colors),
		cmocka_unit_test(test_pixel_label_plates),
		cmocka_unit_test(test_stroke_sizes),
		cmocka_unit_test(test_box_scaled_inside),
		cmocka_unit_test(test_box_fractional_edges),
		cmocka_unit_test(test_box_clipped),
		cmocka_unit_test(test_box_gt_outside_dashed),
		cmocka_unit_test(test_box_selected_double),
		cmocka_unit_test(test_box_dup_stack),
		cmocka_unit_test(test_draw_order),
		cmocka_unit_test(test_grid_size),
		cmocka_unit_test(test_known_pattern_truecolor),
		cmocka_unit_test(test_uniform_grid),
		cmocka_unit_test(test_no_wide_or_control_chars),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_caption_strip),
		cmocka_unit_test(test_labels_modes_and_placement),
		cmocka_unit_test(test_labels_sanitized_and_clipped),
		cmocka_unit_test(test_frame_leaves_source_alone),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_pixels_encode),
		cmocka_unit_test(test_pixels_encode_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
