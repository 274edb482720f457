/* sg_paint.c — rasterises a simulated scene: sky gradient, ground, and the
 * scene's primitives as antialiased, shaded and textured shapes.
 *
 * Every shape is built as a coverage mask (max of its parts, each part with
 * analytic antialiasing: exact area for boxes, a 1-pixel ramp on the signed
 * distance for ellipses and strokes), then blended once with a paint (base
 * colour, cylinder shading, value-noise texture).  Only IEEE arithmetic and
 * sqrt/floor: the pixels are the same on every conforming platform.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>

#include "simgen.h"

typedef struct pt_canvas {
	int w, h;
	float *rgb;
	float *mask;
	unsigned char *sky; /* 1 where the pixel is still plain sky gradient */
	int x0, y0, x1, y1; /* dirty bounds of the mask, inclusive-exclusive */
	uint64_t seed;
} pt_canvas;

typedef enum { PT_FLAT = 0, PT_CYL_X, PT_CYL_Y } pt_shade;

typedef struct pt_paint {
	double r, g, b;
	pt_shade shade;
	double s0, s1;      /* extent across the cylinder (x for CYL_X, y for CYL_Y) */
	double nsx, nsy;    /* noise cell size in pixels */
	double namp;        /* noise amplitude (fraction of the colour) */
	double alpha;
	uint64_t nseed;
} pt_paint;

/* ---- helpers ---- */

static double pt_clamp01(double v)
{
	return v < 0 ? 0 : (v > 1 ? 1 : v);
}

static double pt_lattice(uint64_t seed, long ix, long iy)
{
	uint64_t h = simgen_hash64(seed ^ ((uint64_t)ix * 0x9e3779b97f4a7c15ULL) ^
	                           ((uint64_t)iy * 0xc2b2ae3d27d4eb4fULL));
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

/* Value noise in [0, 1) with smoothstep interpolation. */
static double pt_noise(uint64_t seed, double x, double y)
{
	double fx = floor(x), fy = floor(y);
	long ix = (long)fx, iy = (long)fy;
	double tx = x - fx, ty = y - fy;
	tx = tx * tx * (3 - 2 * tx);
	ty = ty * ty * (3 - 2 * ty);
	double a = pt_lattice(seed, ix, iy), b = pt_lattice(seed, ix + 1, iy);
	double c = pt_lattice(seed, ix, iy + 1), d = pt_lattice(seed, ix + 1, iy + 1);
	double top = a + (b - a) * tx, bot = c + (d - c) * tx;
	return top + (bot - top) * ty;
}

static double pt_fbm(uint64_t seed, double x, double y)
{
	return 0.65 * pt_noise(seed, x, y) + 0.35 * pt_noise(seed + 17, x * 2.3, y * 2.3);
}

/* ---- masks ---- */

static void pt_mask_bounds(pt_canvas *cv, double x1, double y1, double x2, double y2, int *ax,
                           int *ay, int *bx, int *by)
{
	int a = (int)floor(x1) - 1, b = (int)floor(y1) - 1;
	int c = (int)ceil(x2) + 1, d = (int)ceil(y2) + 1;
	if (a < 0) a = 0;
	if (b < 0) b = 0;
	if (c > cv->w) c = cv->w;
	if (d > cv->h) d = cv->h;
	*ax = a; *ay = b; *bx = c; *by = d;
	if (a < c && b < d) {
		if (a < cv->x0) cv->x0 = a;
		if (b < cv->y0) cv->y0 = b;
		if (c > cv->x1) cv->x1 = c;
		if (d > cv->y1) cv->y1 = d;
	}
}

static void pt_mask_put(pt_canvas *cv, int x, int y, double cov)
{
	float *m = &cv->mask[(size_t)y * cv->w + x];
	if (cov > *m)
		*m = (float)cov;
}

/* Exact pixel-area coverage of an axis-aligned box. */
static void pt_mask_rect(pt_canvas *cv, double x1, double y1, double x2, double y2, double alpha)
{
	int ax, ay, bx, by;
	if (x2 <= x1 || y2 <= y1)
		return;
	pt_mask_bounds(cv, x1, y1, x2, y2, &ax, &ay, &bx, &by);
	for (int y = ay; y < by; y++) {
		double oy = fmin(y + 1.0, y2) - fmax((double)y, y1);
		if (oy <= 0)
			continue;
		for (int x = ax; x < bx; x++) {
			double ox = fmin(x + 1.0, x2) - fmax((double)x, x1);
			if (ox > 0)
				pt_mask_put(cv, x, y, ox * oy * alpha);
		}
	}
}

static void pt_mask_ellipse(pt_canvas *cv, double cx, double cy, double rx, double ry, double alpha)
{
	int ax, ay, bx, by;
	if (rx <= 0 || ry <= 0)
		return;
	pt_mask_bounds(cv, cx - rx, cy - ry, cx + rx, cy + ry, &ax, &ay, &bx, &by);
	double rmin = rx < ry ? rx : ry;
	for (int y = ay; y < by; y++) {
		double dy = (y + 0.5 - cy) / ry;
		for (int x = ax; x < bx; x++) {
			double dx = (x + 0.5 - cx) / rx;
			double d = (sqrt(dx * dx + dy * dy) - 1) * rmin;
			double cov = pt_clamp01(0.5 - d);
			if (cov > 0)
				pt_mask_put(cv, x, y, cov * alpha);
		}
	}
}

/* A stroke of width w from (x1,y1) to (x2,y2) with round caps.  Coverage is
 * the overlap of the stroke's cross-section with the pixel's extent, so thin
 * wires fade instead of breaking up. */
static void pt_mask_stroke(pt_canvas *cv, double x1, double y1, double x2, double y2, double w,
                           double alpha)
{
	int ax, ay, bx, by;
	double r = w / 2;
	pt_mask_bounds(cv, fmin(x1, x2) - r, fmin(y1, y2) - r, fmax(x1, x2) + r, fmax(y1, y2) + r,
	               &ax, &ay, &bx, &by);
	double vx = x2 - x1, vy = y2 - y1, vv = vx * vx + vy * vy;
	for (int y = ay; y < by; y++) {
		for (int x = ax; x < bx; x++) {
			double px = x + 0.5 - x1, py = y + 0.5 - y1;
			double t = vv > 0 ? (px * vx + py * vy) / vv : 0;
			t = t < 0 ? 0 : (t > 1 ? 1 : t);
			double dx = px - t * vx, dy = py - t * vy;
			double d = sqrt(dx * dx + dy * dy);
			double cov = fmin(0.5, d + r) - fmax(-0.5, d - r);
			if (cov > 0)
				pt_mask_put(cv, x, y, pt_clamp01(cov) * alpha);
		}
	}
}

static void pt_mask_wire(pt_canvas *cv, const simgen_prim *p)
{
	double x1 = p->a, x2 = p->c;
	double len = fabs(x2 - x1);
	int n = (int)(len / 6) + 1;
	if (n > 4000)
		n = 4000;
	double px = x1, py = simgen_wire_y(p, x1);
	for (int i = 1; i <= n; i++) {
		double x = x1 + (x2 - x1) * i / n;
		double y = simgen_wire_y(p, x);
		/* Skip segments entirely off the canvas. */
		if (!((px < -4 && x < -4) || (px > cv->w + 4 && x > cv->w + 4)))
			pt_mask_stroke(cv, px, py, x, y, p->width, 1.0);
		px = x;
		py = y;
	}
}

/* Blends the mask with a paint and clears it. */
static void pt_commit(pt_canvas *cv, const pt_paint *pp)
{
	for (int y = cv->y0; y < cv->y1; y++) {
		for (int x = cv->x0; x < cv->x1; x++) {
			float *m = &cv->mask[(size_t)y * cv->w + x];
			double cov = *m * pp->alpha;
			*m = 0;
			if (cov <= 0)
				continue;
			cv->sky[(size_t)y * cv->w + x] = 0;
			double px = x + 0.5, py = y + 0.5;
			double k = 1;
			if (pp->shade != PT_FLAT && pp->s1 > pp->s0) {
				double u = ((pp->shade == PT_CYL_X ? px : py) - pp->s0) / (pp->s1 - pp->s0);
				u = 2 * pt_clamp01(u) - 1;                 /* -1 .. 1 across */
				double n = sqrt(fmax(0, 1 - u * u));     /* surface normal facing us */
				k = 0.55 + 0.45 * n + 0.25 * pt_clamp01(1 - fabs(u + 0.35) * 4) * n;
			}
			if (pp->namp > 0)
				k *= 1 + pp->namp * (pt_fbm(pp->nseed, px / pp->nsx, py / pp->nsy) - 0.5);
			float *c = &cv->rgb[((size_t)y * cv->w + x) * 3];
			c[0] = (float)(c[0] * (1 - cov) + pt_clamp01(pp->r * k) * cov);
			c[1] = (float)(c[1] * (1 - cov) + pt_clamp01(pp->g * k) * cov);
			c[2] = (float)(c[2] * (1 - cov) + pt_clamp01(pp->b * k) * cov);
		}
	}
	cv->x0 = cv->w;
	cv->y0 = cv->h;
	cv->x1 = cv->y1 = 0;
}

static pt_paint pt_flat(double r, double g, double b)
{
	pt_paint p = {r, g, b, PT_FLAT, 0, 0, 1, 1, 0, 1, 0};
	return p;
}

static pt_paint pt_tex(double r, double g, double b, pt_shade sh, double s0, double s1, double nsx,
                       double nsy, double namp, uint64_t seed)
{
	pt_paint p = {r, g, b, sh, s0, s1, nsx, nsy, namp, 1, seed};
	return p;
}

/* ---- background ---- */

static void pt_sky_colors(int sky, double top[3], double hor[3])
{
	static const double t[4][3] = {{0.33, 0.55, 0.86}, {0.55, 0.67, 0.82}, {0.60, 0.62, 0.66},
	                               {0.24, 0.33, 0.58}};
	static const double h[4][3] = {{0.80, 0.88, 0.96}, {0.86, 0.88, 0.90}, {0.80, 0.81, 0.83},
	                               {0.98, 0.74, 0.50}};
	memcpy(top, t[sky & 3], sizeof t[0]);
	memcpy(hor, h[sky & 3], sizeof h[0]);
}

static void pt_background(pt_canvas *cv, const simgen_scene *sc, simgen_rng *rng)
{
	double top[3], hor[3];
	pt_sky_colors(sc->sky, top, hor);
	int W = cv->w, H = cv->h;
	double hz = sc->horizon;
	/* Sky: one colour per row (compresses to almost nothing). */
	for (int y = 0; y < H; y++) {
		double t = pt_clamp01((y + 0.5) / hz);
		t = t * t * (3 - 2 * t) * 0.7 + t * 0.3;
		for (int x = 0; x < W; x++) {
			float *c = &cv->rgb[((size_t)y * W + x) * 3];
			for (int k = 0; k < 3; k++)
				c[k] = (float)(top[k] + (hor[k] - top[k]) * t);
		}
	}
	/* Clouds: flat, translucent clusters of ellipses. */
	if (sc->sky != 2) {
		int nc = (int)simgen_rng_int(rng, 1, 3);
		for (int i = 0; i < nc; i++) {
			double cx = simgen_rng_range(rng, 0, W), cy = simgen_rng_range(rng, 0.05, 0.45) * hz;
			double s = simgen_rng_range(rng, 0.05, 0.1) * W;
			for (int j = 0; j < 5; j++)
				pt_mask_ellipse(cv, cx + simgen_rng_range(rng, -1.6, 1.6) * s,
				                cy + simgen_rng_range(rng, -0.3, 0.2) * s,
				                s * simgen_rng_range(rng, 0.7, 1.3), s * simgen_rng_range(rng, 0.3, 0.5), 1);
			pt_paint p = sc->sky == 3 ? pt_flat(1.0, 0.85, 0.75) : pt_flat(0.97, 0.97, 0.98);
			p.alpha = simgen_rng_range(rng, 0.45, 0.7);
			pt_commit(cv, &p);
		}
	}
	/* Distant hills: a silhouette a little above the horizon. */
	uint64_t hs = simgen_rng_next(rng);
	double hh = H * simgen_rng_range(rng, 0.03, 0.07);
	for (int x = 0; x < W; x++) {
		double n = pt_fbm(hs, x / (W * 0.12), 0.5);
		double ytop = hz - hh * (0.3 + n);
		pt_mask_rect(cv, x, ytop, x + 1, hz + 1, 1);
	}
	pt_paint hills = sc->sky == 3 ? pt_flat(0.42, 0.40, 0.46) : pt_flat(0.52, 0.60, 0.62);
	pt_commit(cv, &hills);
	/* Ground: rows of a ploughed field (one colour per row, stripes widening
	 * towards the viewer) with large blotches of darker grass.  Both compress
	 * well: runs of equal pixels. */
	double g0[3] = {0.46, 0.55, 0.32}, g1[3] = {0.30, 0.42, 0.20};
	if (sc->sky == 3) {
		g0[0] = 0.50; g0[1] = 0.46; g0[2] = 0.30;
		g1[0] = 0.30; g1[1] = 0.30; g1[2] = 0.20;
	}
	uint64_t fs = simgen_rng_next(rng), bs = simgen_rng_next(rng);
	double bscale = W * simgen_rng_range(rng, 0.12, 0.18);
	int y0 = (int)floor(hz);
	for (int y = y0 < 0 ? 0 : y0; y < H; y++) {
		double t = (y + 0.5 - hz) / (H - hz);
		double cov = pt_clamp01(y + 1.0 - hz);
		double depth = 1.0 / (0.02 + t);            /* perspective: far rows are thin */
		double stripe = pt_noise(fs, depth * 1.5, 0.5);
		double k = 0.9 + 0.2 * stripe;
		for (int x = 0; x < W; x++) {
			float *c = &cv->rgb[((size_t)y * W + x) * 3];
			cv->sky[(size_t)y * W + x] = 0;
			double n = pt_fbm(bs, x / bscale, (y - hz) / (bscale * (0.15 + 0.5 * t)));
			double dark = pt_clamp01((n - 0.55) * 24 + 0.5);
			double kk = k * (1 - 0.16 * dark);
			for (int ch = 0; ch < 3; ch++) {
				double g = (g0[ch] + (g1[ch] - g0[ch]) * t) * kk;
				c[ch] = (float)(c[ch] * (1 - cov) + pt_clamp01(g) * cov);
			}
		}
	}
}

/* ---- objects ---- */

static int pt_layer(simgen_prim_kind k)
{
	switch (k) {
	case SIMGEN_PRIM_TREE: return 0;
	case SIMGEN_PRIM_POLE: case SIMGEN_PRIM_STEEL: return 1;
	case SIMGEN_PRIM_ARM: return 2;
	case SIMGEN_PRIM_WIRE: return 3;
	case SIMGEN_PRIM_PIN_INS: case SIMGEN_PRIM_STRING_INS: return 4;
	default: return 5;
	}
}

static void pt_ins_color(int variant, double c[3])
{
	static const double cols[3][3] = {{0.30, 0.62, 0.58}, {0.52, 0.26, 0.16}, {0.88, 0.87, 0.84}};
	memcpy(c, cols[((variant % 3) + 3) % 3], sizeof cols[0]);
}

static void pt_prim(pt_canvas *cv, const simgen_prim *p, uint64_t seed)
{
	double a = p->a, b = p->b, c = p->c, d = p->d;
	double w = c - a, h = d - b, cx = (a + c) / 2;
	pt_paint pp;
	double col[3];
	switch (p->kind) {
	case SIMGEN_PRIM_TREE:
		pt_mask_rect(cv, cx - w * 0.05, b + h * 0.7, cx + w * 0.05, d, 1);
		pt_commit(cv, &(pt_paint){0.25, 0.18, 0.12, PT_FLAT, 0, 0, 1, 1, 0, 1, 0});
		pt_mask_ellipse(cv, cx, b + h * 0.42, w / 2, h * 0.42, 1);
		pt_mask_ellipse(cv, cx - w * 0.2, b + h * 0.55, w * 0.32, h * 0.28, 1);
		pt_mask_ellipse(cv, cx + w * 0.22, b + h * 0.5, w * 0.3, h * 0.3, 1);
		pp = pt_tex(0.16 + 0.04 * p->variant, 0.30 + 0.03 * p->variant, 0.16, PT_CYL_X, a, c,
		            4, 4, 0.35, seed);
		pt_commit(cv, &pp);
		break;
	case SIMGEN_PRIM_POLE:
		pt_mask_rect(cv, a, b + w * 0.3, c, d, 1);
		pt_mask_ellipse(cv, cx, b + w * 0.3, w / 2, w * 0.3, 1);
		pp = pt_tex(0.42, 0.31, 0.20, PT_CYL_X, a, c, 3, 30, 0.22, seed);
		pt_commit(cv, &pp);
		break;
	case SIMGEN_PRIM_ARM:
		pt_mask_rect(cv, a, b, c, d, 1);
		pp = pt_tex(0.47, 0.35, 0.23, PT_CYL_Y, b, d, 26, 3, 0.2, seed);
		pt_commit(cv, &pp);
		break;
	case SIMGEN_PRIM_STEEL:
		if (p->variant == 0) {
			/* Lattice arm: two chords and a zig-zag of diagonals. */
			double t = h * 0.16;
			pt_mask_rect(cv, a, b, c, b + t, 1);
			pt_mask_rect(cv, a, d - t, c, d, 1);
			double step = h * 1.1;
			int n = (int)(w / step);
			for (int i = 0; i < n && i < 400; i++) {
				double x0 = a + i * step;
				pt_mask_stroke(cv, x0, b + t / 2, x0 + step, d - t / 2, t * 0.7, 1);
				pt_mask_stroke(cv, x0 + step, b + t / 2, x0 + step, d - t / 2, t * 0.6, 1);
			}
			pp = pt_tex(0.50, 0.52, 0.55, PT_FLAT, 0, 0, 1, 1, 0, seed);
		} else {
			pt_mask_rect(cv, a, b, c, d, 1);
			pp = w > h ? pt_tex(0.62, 0.64, 0.66, PT_CYL_Y, b, d, 1, 1, 0, seed)
			           : pt_tex(0.62, 0.64, 0.66, PT_CYL_X, a, c, 1, 1, 0, seed);
		}
		pt_commit(cv, &pp);
		break;
	case SIMGEN_PRIM_WIRE:
		pt_mask_wire(cv, p);
		pp = pt_flat(0.16, 0.16, 0.18);
		pt_commit(cv, &pp);
		break;
	case SIMGEN_PRIM_PIN_INS:
		/* Steel pin, then the body: core, three sheds, cap. */
		pt_mask_rect(cv, cx - w * 0.09, d - h * 0.22, cx + w * 0.09, d, 1);
		pt_commit(cv, &(pt_paint){0.45, 0.46, 0.48, PT_CYL_X, cx - w * 0.09, cx + w * 0.09, 1, 1,
		                          0, 1, 0});
		pt_mask_rect(cv, cx - w * 0.2, b + h * 0.1, cx + w * 0.2, d - h * 0.2, 1);
		for (int k = 0; k < 3; k++)
			pt_mask_ellipse(cv, cx, d - h * (0.27 + 0.21 * k), w / 2 * (1 - 0.13 * k), h * 0.085, 1);
		pt_mask_ellipse(cv, cx, b + h * 0.1, w * 0.22, h * 0.1, 1);
		pt_ins_color(p->variant, col);
		pp = pt_tex(col[0], col[1], col[2], PT_CYL_X, a, c, 1, 1, 0, seed);
		pt_commit(cv, &pp);
		break;
	case SIMGEN_PRIM_STRING_INS: {
		pt_mask_stroke(cv, cx, b, cx, d, w * 0.12, 1);
		pt_commit(cv, &(pt_paint){0.3, 0.3, 0.32, PT_FLAT, 0, 0, 1, 1, 0, 1, 0});
		int n = (int)(h / (w * 0.42));
		if (n < 3)
			n = 3;
		if (n > 200)
			n = 200;
		double top = b + w * 0.1, span = h - w * 0.2;
		for (int k = 0; k < n; k++)
			pt_mask_ellipse(cv, cx, top + span * (k + 0.5) / n + w * 0.04, w / 2, w * 0.11, 1);
		pt_commit(cv, &(pt_paint){0.12, 0.14, 0.15, PT_FLAT, 0, 0, 1, 1, 0, 0.6, 0});
		for (int k = 0; k < n; k++)
			pt_mask_ellipse(cv, cx, top + span * (k + 0.5) / n, w / 2, w * 0.11, 1);
		pt_ins_color(p->variant, col);
		pp = pt_tex(col[0], col[1], col[2], PT_CYL_X, a, c, 1, 1, 0, seed);
		pt_commit(cv, &pp);
		break;
	}
	case SIMGEN_PRIM_DAMPER:
		pt_mask_rect(cv, cx - w * 0.07, b, cx + w * 0.07, b + h * 0.5, 1);
		pt_mask_stroke(cv, a + w * 0.12, b + h * 0.5, c - w * 0.12, b + h * 0.5, h * 0.13, 1);
		pt_mask_ellipse(cv, a + w * 0.16, b + h * 0.64, w * 0.16, h * 0.34, 1);
		pt_mask_ellipse(cv, c - w * 0.16, b + h * 0.64, w * 0.16, h * 0.34, 1);
		pp = pt_tex(0.34, 0.34, 0.36, PT_CYL_Y, b + h * 0.3, d, 1, 1, 0, seed);
		pt_commit(cv, &pp);
		break;
	case SIMGEN_PRIM_SPACER: {
		int nsub = p->variant < 2 ? 2 : p->variant;
		double gap = h / (nsub - 0.2);
		pt_mask_rect(cv, cx - w * 0.17, b + gap * 0.25, cx + w * 0.17, d - gap * 0.25, 1);
		for (int k = 0; k < nsub; k++)
			pt_mask_ellipse(cv, cx, b + gap * 0.4 + k * gap, w / 2, gap * 0.4, 1);
		pp = pt_tex(0.70, 0.72, 0.74, PT_CYL_X, a, c, 1, 1, 0, seed);
		pt_commit(cv, &pp);
		break;
	}
	case SIMGEN_PRIM_NEST:
		pt_mask_ellipse(cv, cx, b + h * 0.58, w / 2, h * 0.42, 1);
		pt_mask_ellipse(cv, cx - w * 0.18, b + h * 0.35, w * 0.26, h * 0.35, 1);
		pt_mask_ellipse(cv, cx + w * 0.2, b + h * 0.4, w * 0.24, h * 0.3, 1);
		pp = pt_tex(0.42, 0.31, 0.18, PT_CYL_Y, b, d, 1.3, 1.3, 0.7, seed);
		pt_commit(cv, &pp);
		break;
	}
}

ts_status simgen_paint(const simgen_scene *sc, unsigned char **rgb, ts_error *err)
{
	*rgb = NULL;
	if (sc->w <= 0 || sc->h <= 0 || sc->w > 4096 || sc->h > 4096)
		return ts_error_set(err, TS_ERR_FIELD, "scene %d: bad size %dx%d", sc->id, sc->w, sc->h);
	pt_canvas cv;
	size_t n = (size_t)sc->w * (size_t)sc->h;
	cv.w = sc->w;
	cv.h = sc->h;
	cv.rgb = calloc(n * 3, sizeof *cv.rgb);
	cv.mask = calloc(n, sizeof *cv.mask);
	cv.sky = malloc(n);
	unsigned char *out = malloc(n * 3);
	if (!cv.rgb || !cv.mask || !cv.sky || !out) {
		free(cv.rgb);
		free(cv.mask);
		free(cv.sky);
		free(out);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}
	memset(cv.sky, 1, n);
	cv.x0 = cv.w;
	cv.y0 = cv.h;
	cv.x1 = cv.y1 = 0;
	cv.seed = sc->seed;
	simgen_rng rng;
	simgen_rng_seed(&rng, sc->seed, 2, 0);
	pt_background(&cv, sc, &rng);
	for (int layer = 0; layer <= 5; layer++)
		for (size_t i = 0; i < sc->n_prims; i++)
			if (pt_layer(sc->prims[i].kind) == layer)
				pt_prim(&cv, &sc->prims[i], simgen_hash64(sc->seed + 1000 + i));
	for (size_t i = 0; i < n * 3; i++) {
		/* 6 bits per channel (7 in the plain sky, where banding would
		 * show): invisible at terminal resolution and a quarter smaller
		 * once compressed (stb_image_write has fixed Huffman codes only). */
		int v = (int)(pt_clamp01(cv.rgb[i]) * 255.0 + 0.5);
		out[i] = (unsigned char)(v & (cv.sky[i / 3] ? ~1 : ~3));
	}
	free(cv.rgb);
	free(cv.mask);
	free(cv.sky);
	*rgb = out;
	return TS_OK;
}

static void pt_png_sink(void *ctx, void *data, int size)
{
	if (size > 0)
		simgen_buf_put((simgen_buf *)ctx, data, (size_t)size);
}

ts_status simgen_png(const unsigned char *rgb, int w, int h, simgen_buf *out, ts_error *err)
{
	int saved = stbi_write_png_compression_level;
	stbi_write_png_compression_level = 9;
	int ok = stbi_write_png_to_func(pt_png_sink, out, w, h, 3, rgb, w * 3);
	stbi_write_png_compression_level = saved;
	if (!ok || out->oom)
		return ts_error_set(err, TS_ERR_IMAGE, "PNG encoding failed (%dx%d)", w, h);
	return TS_OK;
}
