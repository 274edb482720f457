/* draw.c — box overlays drawn into RGBA pixels (see render.h for the styles
 * and the exact pixel geometry). */
#include "render.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PAT_SOLID, PAT_DASH, PAT_DOT };

typedef struct style_def {
	const char *name;
	render_style_color col;
	int pattern;
	int widths;  /* line widths */
	int outside; /* drawn outside the box edge */
	int layer;   /* draw order */
} style_def;

/* idx16: ANSI bright colours (9 red, 10 green, 11 yellow, 13 magenta,
 * 14 cyan, 8 bright black = grey, 15 white); idx8: 1 red, 2 green, 3 yellow,
 * 5 magenta, 6 cyan, 7 white, 4 blue; idx16 12 bright blue; idx256: xterm
 * cube 16 + 36r + 6g + b (levels 0..5; 69 = (1,2,5) = #5F87FF), grey 244 =
 * 0x808080. */
static const style_def styles[BOX_STYLE_COUNT] = {
	[BOX_GT]   = {"gt",   {0x00FF00, 10, 2, 46},  PAT_DASH,  1, 1, 0},
	[BOX_MISS] = {"miss", {0xFFFF00, 11, 3, 226}, PAT_DASH,  1, 1, 1},
	[BOX_TP]   = {"tp",   {0x00FFFF, 14, 6, 51},  PAT_SOLID, 1, 0, 2},
	[BOX_FP]   = {"fp",   {0xFF0000, 9, 1, 196},  PAT_SOLID, 1, 0, 3},
	[BOX_PRED] = {"pred", {0x5F87FF, 12, 4, 69},  PAT_SOLID, 1, 0, 2},
	[BOX_DUP]  = {"dup",  {0xFF00FF, 13, 5, 201}, PAT_SOLID, 2, 0, 4},
	[BOX_CUT]  = {"cut",  {0x808080, 8, 7, 244},  PAT_DOT,   1, 0, 5},
};
#define N_LAYERS 6

static const render_style_color white = {0xFFFFFF, 15, 7, 231};

render_style_color render_style_color_of(box_style s)
{
	if ((unsigned)s >= BOX_STYLE_COUNT)
		return white;
	return styles[s].col;
}

const char *render_style_name(box_style s)
{
	if ((unsigned)s >= BOX_STYLE_COUNT)
		return "?";
	return styles[s].name;
}

void render_style_look(box_style s, char *out, size_t outsz)
{
	/* names of the idx16 colours the styles use (8 bright black .. 15) */
	static const char *const names[8] = {"grey", "red", "green", "yellow", "blue", "magenta",
	                                     "cyan", "white"};
	static const char *const pats[3] = {"solid", "dashed", "dotted"};
	if (!outsz)
		return;
	if ((unsigned)s >= BOX_STYLE_COUNT) {
		snprintf(out, outsz, "?");
		return;
	}
	const style_def *d = &styles[s];
	int c = d->col.idx16 >= 8 && d->col.idx16 < 16 ? d->col.idx16 - 8 : 7;
	snprintf(out, outsz, "%s %s%s%s", names[c], d->widths > 1 ? "thick " : "", pats[d->pattern],
	         d->outside ? ", outside" : "");
}

static int iround_min1(double v)
{
	if (!(v >= 1.0))
		return 1;
	if (v > 1e6)
		return 1000000;
	return (int)lround(v);
}

void render_stroke_for_size(uint32_t w, uint32_t h, render_stroke *st)
{
	uint32_t m = w < h ? w : h;
	int u = iround_min1(m / 320.0);
	st->lw_x = st->lw_y = u;
	st->dash_x = st->dash_y = 6 * u;
	st->dot_x = st->dot_y = u < 2 ? 2 : u;
	st->pixel_counts = 1;
}

void render_stroke_for_cells(uint32_t w, uint32_t h, int cols, int rows, render_stroke *st)
{
	if (cols < 1)
		cols = 1;
	if (rows < 1)
		rows = 1;
	double cw = (double)w / cols, ch = (double)h / rows;
	st->lw_x = iround_min1(cw * 3.0 / 8.0);
	st->lw_y = iround_min1(ch * 3.0 / 8.0);
	st->dash_x = iround_min1(cw);
	st->dash_y = iround_min1(ch);
	st->dot_x = iround_min1(cw / 4.0);
	st->dot_y = iround_min1(ch / 4.0);
	st->pixel_counts = 0;
}

/* ---- pixel primitives ---- */

typedef struct canvas {
	render_image *img;
	uint8_t rgba[4];
} canvas;

/* Fills [x0,x1] x [y0,y1] (inclusive, clipped).  pattern applies along the
 * axis: horiz = 1 uses x, else y. */
static void fill(canvas *cv, long x0, long y0, long x1, long y1, int pattern, int len, int horiz)
{
	long W = cv->img->w, H = cv->img->h;
	if (x0 < 0)
		x0 = 0;
	if (y0 < 0)
		y0 = 0;
	if (x1 > W - 1)
		x1 = W - 1;
	if (y1 > H - 1)
		y1 = H - 1;
	if (x0 > x1 || y0 > y1)
		return;
	if (len < 1)
		len = 1;
	uint32_t px;
	memcpy(&px, cv->rgba, 4);
	for (long y = y0; y <= y1; y++) {
		if (pattern != PAT_SOLID && !horiz && (y / len) % 2)
			continue;
		uint8_t *row = cv->img->rgba + ((size_t)y * (size_t)W) * 4;
		for (long x = x0; x <= x1; x++) {
			if (pattern != PAT_SOLID && horiz && (x / len) % 2)
				continue;
			memcpy(row + (size_t)x * 4, &px, 4);
		}
	}
}

/* A frame at offset d (in line widths, may be negative = outward) from the
 * box edges L,T,R,B, w line widths thick. */
static void frame(canvas *cv, long L, long T, long R, long B, const render_stroke *st,
                  int outside, long d, int widths, int pattern)
{
	long tx = (long)st->lw_x * widths, ty = (long)st->lw_y * widths;
	long ox = (long)st->lw_x * d, oy = (long)st->lw_y * d;
	int lenx = pattern == PAT_DOT ? st->dot_x : st->dash_x;
	int leny = pattern == PAT_DOT ? st->dot_y : st->dash_y;
	if (!outside) {
		/* inside: bands start at the edge (moved inward by the offset) */
		long l = L + ox, r = R - ox, t = T + oy, b = B - oy;
		fill(cv, l, t, l + tx - 1, b, pattern, leny, 0);
		fill(cv, r - tx + 1, t, r, b, pattern, leny, 0);
		fill(cv, l, t, r, t + ty - 1, pattern, lenx, 1);
		fill(cv, l, b - ty + 1, r, b, pattern, lenx, 1);
	} else {
		/* outside: bands end just before the edge (moved outward) */
		long l = L - ox, r = R + ox, t = T - oy, b = B + oy;
		fill(cv, l - tx, t - ty, l - 1, b + ty, pattern, leny, 0);
		fill(cv, r + 1, t - ty, r + tx, b + ty, pattern, leny, 0);
		fill(cv, l - tx, t - ty, r + tx, t - 1, pattern, lenx, 1);
		fill(cv, l - tx, b + 1, r + tx, b + ty, pattern, lenx, 1);
	}
}

/* ---- a tiny digit font for repeat counts in PNGs (3x5, drawn here) ---- */

static const uint8_t glyph_rows[11][5] = {
	/* each row: 3 bits, MSB = left column */
	{7, 5, 5, 5, 7}, /* 0 */
	{2, 6, 2, 2, 7}, /* 1 */
	{7, 1, 7, 4, 7}, /* 2 */
	{7, 1, 7, 1, 7}, /* 3 */
	{5, 5, 7, 1, 1}, /* 4 */
	{7, 4, 7, 1, 7}, /* 5 */
	{7, 4, 7, 5, 7}, /* 6 */
	{7, 1, 2, 2, 2}, /* 7 */
	{7, 5, 7, 5, 7}, /* 8 */
	{7, 5, 7, 1, 7}, /* 9 */
	{0, 5, 2, 5, 0}, /* x */
};

static void draw_glyph(canvas *cv, int g, long x, long y, long s)
{
	for (int r = 0; r < 5; r++)
		for (int c = 0; c < 3; c++)
			if (glyph_rows[g][r] & (4 >> c))
				fill(cv, x + c * s, y + r * s, x + c * s + s - 1, y + r * s + s - 1,
				     PAT_SOLID, 1, 1);
}

/* "xN" on a black plate inside the box's top-left corner, just past its
 * stroke and stack lines: inner = max(widths, 2*extra + 1) line widths, the
 * plate starts one line width further, the glyphs one font pixel (s = 2 lw)
 * inside the plate. */
static void draw_count(canvas *cv, long L, long T, long inner_x, long inner_y, uint32_t count,
                       const render_stroke *st, const uint8_t rgba_in[4])
{
	uint8_t rgba[4];
	memcpy(rgba, rgba_in, 4); /* rgba_in may be cv->rgba, which we change */
	char digits[16];
	int n = 0;
	uint32_t v = count;
	do {
		digits[n++] = (char)(v % 10);
		v /= 10;
	} while (v && n < 15);
	long s = 2L * (st->lw_x > st->lw_y ? st->lw_y : st->lw_x); /* font pixel size */
	long gw = 4 * s;                                           /* glyph advance */
	long px0 = L + inner_x + st->lw_x, py0 = T + inner_y + st->lw_y; /* plate */
	long x = px0 + s, y = py0 + s;
	static const uint8_t black[4] = {0, 0, 0, 255};
	memcpy(cv->rgba, black, 4);
	fill(cv, px0, py0, x + gw * (n + 1) - 1, y + 6 * s - 1, PAT_SOLID, 1, 1);
	memcpy(cv->rgba, rgba, 4);
	draw_glyph(cv, 10, x, y, s);
	for (int i = 0; i < n; i++)
		draw_glyph(cv, digits[n - 1 - i], x + gw * (i + 1), y, s);
}

/* ---- boxes ---- */

static int box_edges(const render_box *b, double sx, double sy, long *L, long *T, long *R, long *B)
{
	double x1 = b->x1 * sx, x2 = b->x2 * sx, y1 = b->y1 * sy, y2 = b->y2 * sy;
	if (!isfinite(x1) || !isfinite(x2) || !isfinite(y1) || !isfinite(y2))
		return 0;
	if (x1 > x2) {
		double t = x1;
		x1 = x2;
		x2 = t;
	}
	if (y1 > y2) {
		double t = y1;
		y1 = y2;
		y2 = t;
	}
	/* far outside is as good as 1e7 away (keeps the longs sane) */
	const double lim = 1e7;
	x1 = fmax(-lim, fmin(lim, x1));
	x2 = fmax(-lim, fmin(lim, x2));
	y1 = fmax(-lim, fmin(lim, y1));
	y2 = fmax(-lim, fmin(lim, y2));
	*L = (long)floor(x1);
	*R = (long)ceil(x2) - 1;
	*T = (long)floor(y1);
	*B = (long)ceil(y2) - 1;
	if (*R < *L)
		*R = *L;
	if (*B < *T)
		*B = *T;
	return 1;
}

static void set_rgb(canvas *cv, uint32_t rgb)
{
	cv->rgba[0] = (uint8_t)(rgb >> 16);
	cv->rgba[1] = (uint8_t)(rgb >> 8);
	cv->rgba[2] = (uint8_t)rgb;
	cv->rgba[3] = 255;
}

static void draw_one(canvas *cv, const render_box *b, double sx, double sy,
                     const render_stroke *st)
{
	long L, T, R, B;
	if (!box_edges(b, sx, sy, &L, &T, &R, &B))
		return;
	box_style s = (unsigned)b->style < BOX_STYLE_COUNT ? b->style : BOX_PRED;
	const style_def *d = &styles[s];
	set_rgb(cv, d->col.rgb);
	frame(cv, L, T, R, B, st, d->outside, 0, d->widths, d->pattern);
	if (b->count >= 2) {
		/* the stack: extra copies offset down-right by 2 widths each */
		uint32_t extra = b->count - 1 > 2 ? 2 : b->count - 1;
		for (uint32_t k = 1; k <= extra; k++) {
			long dx = 2L * k * st->lw_x, dy = 2L * k * st->lw_y;
			frame(cv, L + dx, T + dy, R + dx, B + dy, st, d->outside, 0, 1, d->pattern);
		}
		if (st->pixel_counts) {
			long inner = (long)(2 * extra + 1) > d->widths ? (long)(2 * extra + 1) : d->widths;
			if (d->outside)
				inner = 0; /* outside strokes leave the inside free */
			draw_count(cv, L, T, inner * st->lw_x, inner * st->lw_y, b->count, st, cv->rgba);
		}
	}
}

static void draw_selection(canvas *cv, const render_box *b, double sx, double sy,
                           const render_stroke *st)
{
	long L, T, R, B;
	if (!box_edges(b, sx, sy, &L, &T, &R, &B))
		return;
	set_rgb(cv, white.rgb);
	/* after a 1-width gap (where GT strokes go): line, gap, line */
	frame(cv, L, T, R, B, st, 1, 1, 1, PAT_SOLID);
	frame(cv, L, T, R, B, st, 1, 3, 1, PAT_SOLID);
}

/* ---- pixel labels (render.h: "Pixel labels") ---- */

static size_t plate_text(const render_box *b, char *out, size_t sz)
{
	char lab[32] = "";
	if (b->label)
		snprintf(lab, sizeof lab, "%.24s", b->label);
	size_t k = 0;
	if (b->style == BOX_MISS)
		k += (size_t)snprintf(out + k, sz - k, "missed: ");
	else if (b->style == BOX_CUT)
		k += (size_t)snprintf(out + k, sz - k, "cut: ");
	k += (size_t)snprintf(out + k, sz - k, "%s", lab);
	if (b->has_score && isfinite(b->score) && k < sz)
		k += (size_t)snprintf(out + k, sz - k, " %.2f", b->score);
	if (b->count >= 2 && k < sz)
		k += (size_t)snprintf(out + k, sz - k, " x%u", (unsigned)b->count);
	if (b->tail && k < sz)
		k += (size_t)snprintf(out + k, sz - k, " tail");
	return k < sz ? k : sz - 1;
}

typedef struct plate {
	long x0, y0, x1, y1;
} plate;

static int plate_hits(const plate *p, size_t np, plate q)
{
	for (size_t i = 0; i < np; i++)
		if (q.x0 <= p[i].x1 && p[i].x0 <= q.x1 && q.y0 <= p[i].y1 && p[i].y0 <= q.y1)
			return 1;
	return 0;
}

/* The first free place among: above the top-left corner, below the bottom
 * edge, inside the top edge, then 1 and 2 plate heights further up and
 * down; none free: the first that lies in the image. */
static plate place_plate(const render_image *img, const plate *placed, size_t np, long L,
                         long T, long B, long w, long h)
{
	long ys[7] = {T - h, B + 1, T, T - 2 * h, B + 1 + h, T - 3 * h, B + 1 + 2 * h};
	long x0 = L + w > (long)img->w ? (long)img->w - w : L;
	if (x0 < 0)
		x0 = 0;
	plate first = {-1, -1, -1, -1};
	for (int k = 0; k < 7; k++) {
		plate q = {x0, ys[k], x0 + w - 1, ys[k] + h - 1};
		if (q.y0 < 0 || q.y1 >= (long)img->h)
			continue;
		if (!plate_hits(placed, np, q))
			return q;
		if (first.y0 < 0)
			first = q;
	}
	if (first.y0 < 0) /* taller than the image: at the top */
		first = (plate){x0, 0, x0 + w - 1, h - 1};
	return first;
}

static void draw_plates(render_image *img, const render_box *boxes, size_t n, double sx,
                        double sy)
{
	uint32_t m = img->w < img->h ? img->w : img->h;
	long s = lround(m / 400.0);
	if (s < 2)
		s = 2;
	plate *placed = malloc(n * sizeof *placed);
	if (!placed)
		return; /* labels are an extra: boxes are drawn */
	size_t np = 0;
	canvas cv = {img, {0, 0, 0, 255}};
	for (int layer = 0; layer < N_LAYERS; layer++)
		for (size_t i = 0; i < n; i++) {
			const render_box *b = &boxes[i];
			box_style st = (unsigned)b->style < BOX_STYLE_COUNT ? b->style : BOX_PRED;
			long L, T, R, B;
			char text[80];
			if (styles[st].layer != layer || st == BOX_GT || !box_edges(b, sx, sy, &L, &T, &R, &B))
				continue;
			size_t len = plate_text(b, text, sizeof text);
			if (len == 0)
				continue;
			long h = 10 * s, w = (long)len * 6 * s + 2 * s;
			plate q = place_plate(img, placed, np, L, T, B, w, h);
			set_rgb(&cv, styles[st].col.rgb);
			fill(&cv, q.x0, q.y0, q.x1, q.y1, PAT_SOLID, 1, 1);
			plot_draw_text(img, (int)(q.x0 + s), (int)(q.y0 + s), text, (int)s, 0x000000);
			placed[np++] = q;
		}
	free(placed);
}

void render_draw_boxes_ex(render_image *img, const render_box *boxes, size_t n,
                          double scale_x, double scale_y, const render_stroke *st_in)
{
	if (!img || !img->rgba || !boxes || n == 0)
		return;
	render_stroke st;
	if (st_in)
		st = *st_in;
	else
		render_stroke_for_size(img->w, img->h, &st);
	if (st.lw_x < 1) st.lw_x = 1;
	if (st.lw_y < 1) st.lw_y = 1;
	if (st.dash_x < 1) st.dash_x = 1;
	if (st.dash_y < 1) st.dash_y = 1;
	if (st.dot_x < 1) st.dot_x = 1;
	if (st.dot_y < 1) st.dot_y = 1;
	canvas cv = {img, {0, 0, 0, 255}};
	for (int layer = 0; layer < N_LAYERS; layer++)
		for (size_t i = 0; i < n; i++) {
			box_style s = (unsigned)boxes[i].style < BOX_STYLE_COUNT ? boxes[i].style : BOX_PRED;
			if (styles[s].layer == layer)
				draw_one(&cv, &boxes[i], scale_x, scale_y, &st);
		}
	for (size_t i = 0; i < n; i++)
		if (boxes[i].selected)
			draw_selection(&cv, &boxes[i], scale_x, scale_y, &st);
	if (st.pixel_counts && img->w >= 160 && img->h >= 160)
		draw_plates(img, boxes, n, scale_x, scale_y);
}

void render_draw_boxes(render_image *img, const render_box *boxes, size_t n,
                       double scale_x, double scale_y)
{
	if (!img)
		return;
	render_stroke st;
	render_stroke_for_size(img->w, img->h, &st);
	render_draw_boxes_ex(img, boxes, n, scale_x, scale_y, &st);
}
