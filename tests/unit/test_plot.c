/* Plots: the 5x7 font, bars / lines / scatter in terminal cells, bars in
 * pixels, a PNG written and read back.  Layouts are worked out by hand from
 * the rules in render/plot.c (each test says how). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "plot.h"
#include "render.h"

static void test_font(void **state)
{
	(void)state;
	uint8_t g[7];
	assert_int_equal(plot_font_glyph('A', g), 1);
	const uint8_t A[7] = { 0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 };
	assert_memory_equal(g, A, 7);
	const uint8_t q[7] = { 0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04 };
	assert_int_equal(plot_font_glyph(0xe9, g), 0); /* not ASCII: '?' */
	assert_memory_equal(g, q, 7);
	assert_int_equal(plot_font_glyph('?', g), 1);
	assert_memory_equal(g, q, 7);
	/* every printable glyph has ink except the space, and fits in 5 bits */
	for (int c = 0x20; c <= 0x7e; c++) {
		plot_font_glyph(c, g);
		int ink = 0;
		for (int r = 0; r < 7; r++) {
			assert_true(g[r] < 32);
			ink |= g[r];
		}
		assert_true(c == ' ' ? ink == 0 : ink != 0);
	}
}

static uint32_t rgb_at(const render_image *img, int x, int y)
{
	const uint8_t *p = img->rgba + ((size_t)y * img->w + (size_t)x) * 4;
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* "I" at (0,0), scale 1: row 0 is 0x0e = .###. -> columns 1..3 inked;
 * scale 2: each font pixel is 2x2, so (2,0),(3,1) inked, (0,0),(1,1) not.
 * Advance 6 per character: "II" is 12 wide; an ESC is drawn as the four
 * characters of sanitize's "\x1b" (24); "é" as one "?" (6). */
static void test_draw_text(void **state)
{
	(void)state;
	render_image *img = render_image_new(40, 20);
	assert_non_null(img);
	memset(img->rgba, 255, (size_t)40 * 20 * 4);
	assert_int_equal(plot_draw_text(img, 0, 0, "I", 1, 0x000000), 6);
	assert_int_equal(rgb_at(img, 1, 0), 0x000000);
	assert_int_equal(rgb_at(img, 3, 0), 0x000000);
	assert_int_equal(rgb_at(img, 0, 0), 0xffffff);
	assert_int_equal(rgb_at(img, 4, 0), 0xffffff);
	assert_int_equal(rgb_at(img, 2, 3), 0x000000); /* the stem */
	assert_int_equal(rgb_at(img, 1, 3), 0xffffff);
	memset(img->rgba, 255, (size_t)40 * 20 * 4);
	assert_int_equal(plot_draw_text(img, 0, 0, "I", 2, 0x112233), 12);
	assert_int_equal(rgb_at(img, 2, 0), 0x112233);
	assert_int_equal(rgb_at(img, 3, 1), 0x112233);
	assert_int_equal(rgb_at(img, 1, 1), 0xffffff);
	assert_int_equal(plot_draw_text(img, 0, 0, "II", 1, 0), 12);
	assert_int_equal(plot_draw_text(img, 0, 0, "\x1b", 1, 0), 24);
	assert_int_equal(plot_draw_text(img, 0, 0, "\xc3\xa9", 1, 0), 6);
	/* drawing off the image is clipped, not a crash */
	plot_draw_text(img, 35, 15, "WWWW", 3, 0);
	plot_draw_text(img, -100, -100, "W", 3, 0);
	render_image_free(img);
}

static char *line(const plot_text *t, int row)
{
	char *l = plot_text_line(t, row, 0);
	assert_non_null(l);
	return l;
}

/* Bars, 30 columns: labels "a", "bb" (lw = 2), texts "4", "1.2" (tw = 3):
 * bar cells = 30 - lw - 2 - 1 - tw = 22; the axis at column lw+1 = 3, bars
 * from column 4.  4 is the longest: 22 full blocks; 1.2 -> 1.2/4*22*8 =
 * 52.8 -> 53 eighths = 6 full blocks and 5/8 (U+258B).  Text one column
 * after the bar. */
static void test_text_bars(void **state)
{
	(void)state;
	const char *groups[2] = { "a", "bb" };
	double v[2] = { 4, 1.2 };
	plot_series se = { 0 };
	se.name = "run";
	se.v = v;
	plot_spec s;
	plot_spec_init(&s, PLOT_BARS);
	s.title = "T";
	s.series = &se;
	s.n_series = 1;
	s.n_groups = 2;
	s.group_labels = groups;
	plot_text *t = NULL;
	ts_error err;
	assert_int_equal(plot_text_render(&s, 30, 10, &t, &err), TS_OK);
	assert_int_equal(t->rows, 3); /* title + 2 bars, no legend for one series */
	char *l0 = line(t, 0), *l1 = line(t, 1), *l2 = line(t, 2);
	assert_string_equal(l0, "T");
	char want1[200] = " a \xe2\x94\x82";
	for (int i = 0; i < 22; i++)
		strcat(want1, "\xe2\x96\x88");
	strcat(want1, " 4");
	assert_string_equal(l1, want1);
	char want2[200] = "bb \xe2\x94\x82";
	for (int i = 0; i < 6; i++)
		strcat(want2, "\xe2\x96\x88");
	strcat(want2, "\xe2\x96\x8b 1.2");
	assert_string_equal(l2, want2);
	/* colours: bars in series 0's colour (cyan, 6), the rest default */
	assert_int_equal(plot_series_color16(0), 6);
	assert_int_equal(t->fg[1 * 30 + 4], 6);
	assert_int_equal(t->fg[1 * 30 + 3], -1);
	char *sg = plot_text_line(t, 2, 1);
	assert_non_null(strstr(sg, "\033[36m\xe2\x96\x88"));
	assert_non_null(strstr(sg, "\033[0m"));
	/* ASCII form: blocks of half or more -> '#', the axis '|' */
	char *as = plot_text_line_ex(t, 2, PLOT_LINE_ASCII);
	assert_string_equal(as, "bb |####### 1.2");
	free(as);
	free(l0); free(l1); free(l2); free(sg);
	plot_text_free(t);
}

/* Lines, 20 columns, plot area 4 rows, axes [0,1]x[0,1]: ticks every 0.2
 * (nice step of 1/4 = 0.25 -> 0.2) labelled "0.0".."1.0" (3 wide): axis at
 * column 4, canvas 20-4-2 = 14 cells = 28 x 16 dots.  The segment (0,0) ->
 * (1,1) runs from dot (0,15) (cell 0, row 3, braille bit 0x40) to dot
 * (27,0) (cell 13, row 0), where the series number "1" is written.  Rows:
 * title, 4 plot rows (from row 1), axis, tick labels, legend "1 ── name".
 * The gutter is one wider than the labels: " 1.0┤". */
/* 8 runs (report/plot of 6 checkpoints and more): each run's bars and
 * legend mark have their own fill, in UTF-8 and in ASCII.  Layout: 1 group,
 * label "g" (lw = 1): row 0 title, rows 1..8 the bars from column lw+2 = 3,
 * row 9 the gap, rows 10..17 the legend marks at column 3. */
static void test_text_bars_fills_apart(void **state)
{
	(void)state;
	const char *groups[1] = { "g" };
	double v[1] = { 1 };
	plot_series se[8];
	memset(se, 0, sizeof se);
	for (int k = 0; k < 8; k++) {
		se[k].name = "r";
		se[k].v = v;
	}
	plot_spec s;
	plot_spec_init(&s, PLOT_BARS);
	s.series = se;
	s.n_series = 8;
	s.n_groups = 1;
	s.group_labels = groups;
	plot_text *t = NULL;
	ts_error err;
	assert_int_equal(plot_text_render(&s, 40, 10, &t, &err), TS_OK);
	assert_int_equal(t->rows, 18);
	for (int a = 0; a < 8; a++) {
		uint32_t ca = t->ch[(1 + a) * 40 + 3];
		assert_int_equal(t->ch[(10 + a) * 40 + 3], ca); /* legend = bars */
		char *la = plot_text_line_ex(t, 1 + a, PLOT_LINE_ASCII);
		for (int b = a + 1; b < 8; b++) {
			assert_true(ca != t->ch[(1 + b) * 40 + 3]);
			char *lb = plot_text_line_ex(t, 1 + b, PLOT_LINE_ASCII);
			assert_true(la[3] != lb[3]);
			assert_true(lb[3] != '?' && lb[3] != ' ');
			free(lb);
		}
		free(la);
	}
	plot_text_free(t);
}

static void test_text_lines(void **state)
{
	(void)state;
	double x[2] = { 0, 1 }, y[2] = { 0, 1 };
	plot_series se = { 0 };
	se.name = "run-a";
	se.x = x;
	se.y = y;
	se.n = 2;
	plot_spec s;
	plot_spec_init(&s, PLOT_LINES);
	s.title = "PR";
	s.series = &se;
	s.n_series = 1;
	s.x_min = 0; s.x_max = 1; s.y_min = 0; s.y_max = 1;
	plot_text *t = NULL;
	assert_int_equal(plot_text_render(&s, 20, 4, &t, NULL), TS_OK);
	assert_int_equal(t->rows, 1 + 4 + 2 + 1);
	uint32_t c0 = t->ch[(1 + 3) * 20 + 5];
	assert_true(c0 >= 0x2800 && c0 <= 0x28ff);
	assert_true((c0 - 0x2800) & 0x40);
	assert_int_equal(t->ch[(1 + 0) * 20 + 5 + 13], '1');
	assert_int_equal(t->fg[(1 + 0) * 20 + 5 + 13], plot_series_color16(0));
	/* the y axis: tick "1.0" on the top row, "0.0" on the bottom row */
	char *top = line(t, 1), *bot = line(t, 4), *ax = line(t, 5), *ticks = line(t, 6), *leg = line(t, 7);
	assert_memory_equal(top, " 1.0\xe2\x94\xa4", 7);   /* " 1.0┤": labels end left of the axis */
	assert_memory_equal(bot, " 0.0\xe2\x94\xa4", 7);
	assert_memory_equal(ax, "    \xe2\x94\x94", 7);   /* └ */
	assert_memory_equal(ticks, "    0.0", 7);
	assert_string_equal(leg, "     1 \xe2\x94\x80\xe2\x94\x80 run-a");
	free(top); free(bot); free(ax); free(ticks); free(leg);
	plot_text_free(t);
}

/* Scatter: the point (0.5, 0.5) on [0,1]^2 gets a marker U+25CF and its
 * label; a hostile name comes out sanitized (no ESC anywhere in the grid). */
static void test_text_scatter_sanitized(void **state)
{
	(void)state;
	double x = 0.5, y = 0.5;
	plot_series se = { 0 };
	se.name = "ckpt\x1b]0;pwn\x07";
	se.x = &x;
	se.y = &y;
	se.n = 1;
	plot_spec s;
	plot_spec_init(&s, PLOT_SCATTER);
	s.series = &se;
	s.n_series = 1;
	s.x_min = 0; s.x_max = 1; s.y_min = 0; s.y_max = 1;
	plot_text *t = NULL;
	assert_int_equal(plot_text_render(&s, 60, 10, &t, NULL), TS_OK);
	int markers = 0, found = 0;
	for (int i = 0; i < t->rows * t->cols; i++) {
		assert_true(t->ch[i] >= 0x20 || t->ch[i] == 0);
		assert_true(t->ch[i] != 0x7f);
		markers += t->ch[i] == 0x25CF;
	}
	assert_int_equal(markers, 1);
	for (int r = 0; r < t->rows; r++) {
		char *l = line(t, r);
		if (strstr(l, "ckpt\\x1b]0;pwn\\x07"))
			found = 1;
		free(l);
	}
	assert_true(found);
	plot_text_free(t);
}

/* Bars in pixels, 400x300: label column 2 chars * 12 px = 24, text column
 * 12: left = 14+24+10 = 48, right = 400-14-12-8 = 366; top = 14+18+10 =
 * 42; the two slots fill the area: (286-42)/2 = 122 px each, a bar
 * min(0.76 * 122, 64) = 64 px thick in the middle ((122-64)/2 = 29 from
 * the slot's top); bar 1 (value 4) spans x 48..365 and y 71..134, bar 2
 * (value 2) x 48..206 (159 px), y 193..256. */
static void test_image_bars(void **state)
{
	(void)state;
	const char *groups[2] = { "a", "bb" };
	double v[2] = { 4, 2 };
	plot_series se = { 0 };
	se.v = v;
	plot_spec s;
	plot_spec_init(&s, PLOT_BARS);
	s.series = &se;
	s.n_series = 1;
	s.n_groups = 2;
	s.group_labels = groups;
	render_image *img = NULL;
	assert_int_equal(plot_image_render(&s, 400, 300, &img, NULL), TS_OK);
	assert_int_equal(img->w, 400);
	assert_int_equal(img->h, 300);
	uint32_t c = plot_series_rgb(0);
	assert_int_equal(rgb_at(img, 200, 100), c);
	assert_int_equal(rgb_at(img, 48, 71), c);
	assert_int_equal(rgb_at(img, 48, 70), 0xffffff);
	assert_int_equal(rgb_at(img, 365, 134), c);
	assert_int_equal(rgb_at(img, 365, 135), 0xffffff);
	assert_int_equal(rgb_at(img, 206, 200), c);
	assert_int_equal(rgb_at(img, 207, 200), 0xffffff);
	assert_int_equal(rgb_at(img, 206, 256), c);
	assert_int_equal(rgb_at(img, 206, 257), 0xffffff);
	assert_int_equal(rgb_at(img, 100, 160), 0xffffff); /* the gap between bars */
	assert_int_equal(rgb_at(img, 47, 60), 0x202020); /* the axis */
	assert_int_equal(rgb_at(img, 399, 0), 0xffffff);

	/* written as a PNG and read back */
	char dir[] = "/tmp/tsplotXXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/p.png", dir);
	ts_error err;
	assert_int_equal(render_png_write(img, path, &err), TS_OK);
	render_image *back = NULL;
	assert_int_equal(render_image_load(path, NULL, &back, &err), TS_OK);
	assert_int_equal(back->w, 400);
	assert_int_equal(rgb_at(back, 200, 100), c);
	render_image_free(back);
	unlink(path);
	rmdir(dir);
	render_image_free(img);
}

static void test_bad_specs(void **state)
{
	(void)state;
	plot_spec s;
	plot_spec_init(&s, PLOT_LINES);
	s.n_series = 1; /* but no series */
	plot_text *t = NULL;
	render_image *img = NULL;
	ts_error err;
	assert_int_equal(plot_text_render(&s, 40, 10, &t, &err), TS_ERR_USAGE);
	assert_null(t);
	plot_spec_init(&s, PLOT_BARS);
	assert_int_equal(plot_image_render(&s, 100, 100, &img, &err), TS_ERR_USAGE);
	assert_null(img);
	/* an empty plot is fine */
	assert_int_equal(plot_image_render(&s, 300, 200, &img, &err), TS_OK);
	render_image_free(img);
	/* non-finite points are skipped, not drawn */
	double x[3] = { NAN, 0.5, INFINITY }, y[3] = { 0.5, NAN, 1 };
	plot_series se = { 0 };
	se.x = x;
	se.y = y;
	se.n = 3;
	plot_spec_init(&s, PLOT_SCATTER);
	s.series = &se;
	s.n_series = 1;
	assert_int_equal(plot_text_render(&s, 40, 6, &t, &err), TS_OK);
	for (int i = 0; i < t->rows * t->cols; i++)
		assert_true(t->ch[i] != 0x25CF);
	plot_text_free(t);
	assert_int_equal(plot_image_render(&s, 300, 200, &img, &err), TS_OK);
	render_image_free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_font),
		cmocka_unit_test(test_draw_text),
		cmocka_unit_test(test_text_bars),
		cmocka_unit_test(test_text_bars_fills_apart),
		cmocka_unit_test(test_text_lines),
		cmocka_unit_test(test_text_scatter_sanitized),
		cmocka_unit_test(test_image_bars),
		cmocka_unit_test(test_bad_specs),
	};
	return cmocka_run_group_tests_name("plot", tests, NULL, NULL);
}
