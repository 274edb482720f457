/* sg_scene.c — layouts of the simulated power-line inspection scenes.
 *
 * Each scene is a list of drawing primitives (replayed by sg_paint.c) and the
 * ground-truth boxes of the annotated objects (insulator, damper, spacer,
 * pole, bird nest).  Geometry only: no pixels here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simgen.h"

const char *const simgen_cat_names[SIMGEN_N_CATS] = {
	"insulator", "damper", "spacer", "pole", "bird nest",
};

typedef struct sc_spec {
	simgen_scene_kind kind;
	int w, h, sky;
} sc_spec;

/* The fixed scene set.  Image ids are 1-based positions in this table. */
static const sc_spec sc_specs[] = {
	{SIMGEN_SCENE_DISTRIBUTION,  800, 600, 0}, /*  1 */
	{SIMGEN_SCENE_CLOSEUP,       640, 480, 0}, /*  2 */
	{SIMGEN_SCENE_BUNDLE,        800, 600, 1}, /*  3 */
	{SIMGEN_SCENE_CORRIDOR,     1024, 768, 0}, /*  4 */
	{SIMGEN_SCENE_SPARSE,        480, 360, 2}, /*  5 */
	{SIMGEN_SCENE_DISTRIBUTION, 1280, 720, 3}, /*  6 */
	{SIMGEN_SCENE_CLOSEUP,       640, 480, 2}, /*  7 */
	{SIMGEN_SCENE_BUNDLE,        854, 480, 1}, /*  8 */
	{SIMGEN_SCENE_SPARSE,        640, 480, 1}, /*  9 */
	{SIMGEN_SCENE_DISTRIBUTION,  640, 480, 0}, /* 10 */
	{SIMGEN_SCENE_YARD,         1280, 960, 2}, /* 11 */
	{SIMGEN_SCENE_CLOSEUP,       640, 480, 0}, /* 12 */
	{SIMGEN_SCENE_BUNDLE,        640, 480, 0}, /* 13 */
	{SIMGEN_SCENE_CLOSEUP,       800, 600, 3}, /* 14 */
	{SIMGEN_SCENE_SPARSE,        480, 360, 0}, /* 15 */
	{SIMGEN_SCENE_DISTRIBUTION,  640, 480, 2}, /* 16 */
	{SIMGEN_SCENE_CLOSEUP,       480, 360, 1}, /* 17 */
	{SIMGEN_SCENE_BUNDLE,        800, 600, 2}, /* 18 */
	{SIMGEN_SCENE_CORRIDOR,      960, 720, 0}, /* 19 */
	{SIMGEN_SCENE_DISTRIBUTION,  640, 480, 1}, /* 20 */
	{SIMGEN_SCENE_CLOSEUP,       640, 480, 3}, /* 21 */
	{SIMGEN_SCENE_BUNDLE,        640, 480, 0}, /* 22 */
	{SIMGEN_SCENE_SPARSE,        800, 450, 2}, /* 23 */
	{SIMGEN_SCENE_DISTRIBUTION,  800, 600, 0}, /* 24 */
};

#define SC_N (sizeof sc_specs / sizeof sc_specs[0])

typedef struct sc_ctx {
	simgen_scene *sc;
	simgen_rng rng;
	size_t cap_objs, cap_prims;
	int oom;
} sc_ctx;

static double sc_u(sc_ctx *c, double lo, double hi)
{
	return simgen_rng_range(&c->rng, lo, hi);
}

static void sc_prim(sc_ctx *c, simgen_prim_kind k, double a, double b, double cc, double d,
                   double sag, double width, int variant)
{
	simgen_scene *sc = c->sc;
	if (c->oom)
		return;
	if (sc->n_prims == c->cap_prims) {
		size_t cap = c->cap_prims ? c->cap_prims * 2 : 64;
		simgen_prim *p = realloc(sc->prims, cap * sizeof *p);
		if (!p) {
			c->oom = 1;
			return;
		}
		sc->prims = p;
		c->cap_prims = cap;
	}
	simgen_prim *p = &sc->prims[sc->n_prims++];
	p->kind = k;
	p->a = a;
	p->b = b;
	p->c = cc;
	p->d = d;
	p->sag = sag;
	p->width = width;
	p->variant = variant;
}

/* Adds an annotation clipped to the image; dropped when less than half of it
 * is visible or it is under 4 pixels in either direction. */
static void sc_obj(sc_ctx *c, int cat, double x1, double y1, double x2, double y2, int crowd)
{
	simgen_scene *sc = c->sc;
	if (c->oom)
		return;
	double area = (x2 - x1) * (y2 - y1);
	double cx1 = x1 < 0 ? 0 : x1, cy1 = y1 < 0 ? 0 : y1;
	double cx2 = x2 > sc->w ? sc->w : x2, cy2 = y2 > sc->h ? sc->h : y2;
	if (cx2 - cx1 < 4 || cy2 - cy1 < 4 || area <= 0)
		return;
	if ((cx2 - cx1) * (cy2 - cy1) < 0.5 * area)
		return;
	if (sc->n_objs == c->cap_objs) {
		size_t cap = c->cap_objs ? c->cap_objs * 2 : 32;
		simgen_obj *o = realloc(sc->objs, cap * sizeof *o);
		if (!o) {
			c->oom = 1;
			return;
		}
		sc->objs = o;
		c->cap_objs = cap;
	}
	simgen_obj *o = &sc->objs[sc->n_objs++];
	/* Ground truth is written with one decimal: round here so that what the
	 * simulator aims at is exactly what gt.json says. */
	o->cat = cat;
	o->x1 = floor(cx1 * 10 + 0.5) / 10;
	o->y1 = floor(cy1 * 10 + 0.5) / 10;
	o->x2 = floor(cx2 * 10 + 0.5) / 10;
	o->y2 = floor(cy2 * 10 + 0.5) / 10;
	o->crowd = crowd;
}

double simgen_wire_y(const simgen_prim *p, double x)
{
	double t = (p->c == p->a) ? 0 : (x - p->a) / (p->c - p->a);
	return p->b + (p->d - p->b) * t + p->sag * 4 * t * (1 - t);
}

/* Distant trees along the horizon (not annotated). */
static void sc_trees(sc_ctx *c, int n)
{
	simgen_scene *sc = c->sc;
	for (int i = 0; i < n; i++) {
		double x = sc_u(c, -0.05, 1.05) * sc->w;
		double hh = sc_u(c, 0.04, 0.11) * sc->h;
		double ww = hh * sc_u(c, 0.6, 1.3);
		sc_prim(c, SIMGEN_PRIM_TREE, x - ww / 2, sc->horizon - hh, x + ww / 2,
		        sc->horizon + hh * 0.08, 0, 0, (int)simgen_rng_int(&c->rng, 0, 2));
	}
}

/* A Stockbridge damper hanging on a wire at x. */
static void sc_damper(sc_ctx *c, const simgen_prim *wire, double x, double dw)
{
	double y = simgen_wire_y(wire, x);
	double dh = dw * 0.42;
	sc_prim(c, SIMGEN_PRIM_DAMPER, x - dw / 2, y - dh * 0.08, x + dw / 2, y + dh * 0.92, 0, 0, 0);
	sc_obj(c, SIMGEN_CAT_DAMPER, x - dw / 2, y - dh * 0.08, x + dw / 2, y + dh * 0.92, 0);
}

/* A wooden pole with one cross-arm and pin insulators at the given offsets
 * (fractions of the arm width).  Fills tops[] with the insulator tips. */
typedef struct sc_pole {
	double x, top, base, pw;
	double arm_y, arm_w;
	int n_ins;
	double tip_x[6], tip_y[6];
} sc_pole;

static void sc_pole_with_arm(sc_ctx *c, sc_pole *p, const double *offs, int n_ins, int ins_variant,
                             int annotate_ins, int annotate_pole)
{
	double pw = p->pw;
	sc_prim(c, SIMGEN_PRIM_POLE, p->x - pw / 2, p->top, p->x + pw / 2, p->base, 0, 0, 0);
	if (annotate_pole)
		sc_obj(c, SIMGEN_CAT_POLE, p->x - pw / 2, p->top, p->x + pw / 2, p->base, 0);
	double ah = pw * 0.55;
	sc_prim(c, SIMGEN_PRIM_ARM, p->x - p->arm_w / 2, p->arm_y, p->x + p->arm_w / 2, p->arm_y + ah,
	        0, 0, 0);
	p->n_ins = n_ins;
	double iw = pw * sc_u(c, 0.85, 1.0);
	double ih = iw * sc_u(c, 1.3, 1.55);
	for (int i = 0; i < n_ins; i++) {
		double cx = p->x + offs[i] * p->arm_w;
		sc_prim(c, SIMGEN_PRIM_PIN_INS, cx - iw / 2, p->arm_y - ih, cx + iw / 2, p->arm_y, 0, 0,
		        ins_variant);
		if (annotate_ins)
			sc_obj(c, SIMGEN_CAT_INSULATOR, cx - iw / 2, p->arm_y - ih, cx + iw / 2, p->arm_y, 0);
		p->tip_x[i] = cx;
		p->tip_y[i] = p->arm_y - ih * 0.86;
	}
}

static void sc_nest_on_arm(sc_ctx *c, double cx, double arm_y, double pw)
{
	double nw = pw * sc_u(c, 1.9, 2.4), nh = nw * sc_u(c, 0.42, 0.5);
	sc_prim(c, SIMGEN_PRIM_NEST, cx - nw / 2, arm_y - nh * 0.8, cx + nw / 2, arm_y + nh * 0.2, 0, 0, 0);
	sc_obj(c, SIMGEN_CAT_NEST, cx - nw / 2, arm_y - nh * 0.8, cx + nw / 2, arm_y + nh * 0.2, 0);
}

static const double sc_offs3[] = {-0.43, 0.2, 0.43};
static const double sc_offs4[] = {-0.44, -0.22, 0.22, 0.44};

/* Wire between two points; returns the primitive (for dampers). */
static simgen_prim sc_wire(sc_ctx *c, double x1, double y1, double x2, double y2, double sagf,
                           double width)
{
	double sag = sagf * fabs(x2 - x1);
	sc_prim(c, SIMGEN_PRIM_WIRE, x1, y1, x2, y2, sag, width, 0);
	simgen_prim w = {SIMGEN_PRIM_WIRE, x1, y1, x2, y2, sag, width, 0};
	return w;
}

/* Dampers near the ends of a wire span (at distance dist from an end). */
static void sc_span_dampers(sc_ctx *c, const simgen_prim *w, double dist, double dw, double p_left,
                            double p_right)
{
	double lo = w->a < w->c ? w->a : w->c, hi = w->a < w->c ? w->c : w->a;
	double W = c->sc->w;
	if (simgen_rng_unif(&c->rng) < p_left) {
		double x = lo + dist;
		if (x - dw > 0 && x + dw < W && hi - lo > 3 * dist)
			sc_damper(c, w, x, dw);
	}
	if (simgen_rng_unif(&c->rng) < p_right) {
		double x = hi - dist;
		if (x - dw > 0 && x + dw < W && hi - lo > 3 * dist)
			sc_damper(c, w, x, dw);
	}
}

static void sc_layout_distribution(sc_ctx *c)
{
	simgen_scene *sc = c->sc;
	double W = sc->w, H = sc->h;
	sc_trees(c, (int)simgen_rng_int(&c->rng, 2, 7));
	int np = simgen_rng_unif(&c->rng) < 0.6 ? 2 : 3;
	int n_ins = simgen_rng_unif(&c->rng) < 0.7 ? 3 : 4;
	const double *offs = n_ins == 3 ? sc_offs3 : sc_offs4;
	int variant = (int)simgen_rng_int(&c->rng, 0, 2);
	double pw = H * sc_u(c, 0.03, 0.04);
	double top = H * sc_u(c, 0.1, 0.2);
	double base = sc->horizon + (H - sc->horizon) * sc_u(c, 0.35, 0.7);
	sc_pole poles[3];
	for (int i = 0; i < np; i++) {
		sc_pole *p = &poles[i];
		double fx = np == 2 ? (i == 0 ? 0.27 : 0.75) : 0.17 + 0.33 * i;
		p->pw = pw * sc_u(c, 0.92, 1.08);
		p->top = top + sc_u(c, -0.02, 0.02) * H;
		p->base = base + sc_u(c, -0.02, 0.02) * H;
		p->arm_y = p->top + p->pw * 1.5;
		p->arm_w = p->pw * sc_u(c, 7.5, 8.5);
		p->x = W * (fx + sc_u(c, -0.03, 0.03));
		sc_pole_with_arm(c, p, offs, n_ins, variant, 1, 1);
	}
	double sagf = sc_u(c, 0.04, 0.08);
	double dw = pw * sc_u(c, 1.5, 1.8);
	for (int j = 0; j < n_ins; j++) {
		const sc_pole *l = &poles[0], *r = &poles[np - 1];
		simgen_prim w = sc_wire(c, -0.2 * W, l->tip_y[j] + 0.03 * H, l->tip_x[j], l->tip_y[j], sagf, 1.3);
		sc_span_dampers(c, &w, pw * 2.8, dw, 0, 0.35);
		w = sc_wire(c, r->tip_x[j], r->tip_y[j], 1.2 * W, r->tip_y[j] + 0.02 * H, sagf, 1.3);
		sc_span_dampers(c, &w, pw * 2.8, dw, 0.35, 0);
		for (int i = 0; i + 1 < np; i++) {
			l = &poles[i];
			r = &poles[i + 1];
			w = sc_wire(c, l->tip_x[j], l->tip_y[j], r->tip_x[j], r->tip_y[j], sagf, 1.3);
			sc_span_dampers(c, &w, pw * 2.8, dw, 0.2, 0.2);
		}
	}
	if (simgen_rng_unif(&c->rng) < 0.4) {
		const sc_pole *p = &poles[simgen_rng_int(&c->rng, 0, np - 1)];
		double off = n_ins == 3 ? -0.2 : 0.0;
		sc_nest_on_arm(c, p->x + off * p->arm_w + (off == 0 ? p->pw * 1.6 : 0), p->arm_y, p->pw);
	}
}

static void sc_layout_sparse(sc_ctx *c)
{
	simgen_scene *sc = c->sc;
	double W = sc->w, H = sc->h;
	sc_trees(c, (int)simgen_rng_int(&c->rng, 3, 8));
	sc_pole p;
	p.pw = H * sc_u(c, 0.018, 0.024);
	p.x = W * sc_u(c, 0.3, 0.7);
	p.top = sc->horizon - H * sc_u(c, 0.38, 0.45);
	p.base = sc->horizon + H * 0.03;
	p.arm_y = p.top + p.pw * 1.5;
	p.arm_w = p.pw * 8;
	int variant = (int)simgen_rng_int(&c->rng, 0, 2);
	sc_pole_with_arm(c, &p, sc_offs3, 3, variant, 1, 1);
	for (int j = 0; j < 3; j++) {
		sc_wire(c, -0.1 * W, p.tip_y[j] + 0.05 * H, p.tip_x[j], p.tip_y[j], 0.05, 1.0);
		sc_wire(c, p.tip_x[j], p.tip_y[j], 1.1 * W, p.tip_y[j] + 0.04 * H, 0.05, 1.0);
	}
	if (simgen_rng_unif(&c->rng) < 0.5)
		sc_nest_on_arm(c, p.x - 0.2 * p.arm_w, p.arm_y, p.pw);
}

static void sc_layout_closeup(sc_ctx *c)
{
	simgen_scene *sc = c->sc;
	double W = sc->w, H = sc->h;
	sc_trees(c, (int)simgen_rng_int(&c->rng, 0, 4));
	int variant = (int)simgen_rng_int(&c->rng, 0, 2);
	sc_pole p;
	p.pw = W * sc_u(c, 0.045, 0.06);
	p.x = W * sc_u(c, 0.42, 0.58);
	p.top = H * sc_u(c, 0.03, 0.1);
	p.base = H + 20;
	p.arm_y = p.top + p.pw * 1.3;
	p.arm_w = fmin(W * 0.86, p.pw * sc_u(c, 9.5, 11));
	sc_pole_with_arm(c, &p, sc_offs4, 4, variant, 1, 1);
	sc_pole q = p;
	q.arm_y = p.arm_y + H * sc_u(c, 0.26, 0.32);
	q.arm_w = p.arm_w * sc_u(c, 0.75, 0.9);
	int n2 = simgen_rng_unif(&c->rng) < 0.5 ? 2 : 3;
	static const double offs2[] = {-0.42, 0.42};
	static const double offs3b[] = {-0.42, -0.2, 0.42};
	sc_pole_with_arm(c, &q, n2 == 2 ? offs2 : offs3b, n2, variant, 1, 0);
	double dw = p.pw * sc_u(c, 1.5, 1.8);
	double sagf = sc_u(c, 0.03, 0.06);
	const sc_pole *ps[2] = {&p, &q};
	for (int k = 0; k < 2; k++) {
		for (int j = 0; j < ps[k]->n_ins; j++) {
			double tx = ps[k]->tip_x[j], ty = ps[k]->tip_y[j];
			int left = tx < p.x;
			simgen_prim w = left ? sc_wire(c, -0.15 * W, ty + sc_u(c, 0.02, 0.08) * H, tx, ty, sagf, 2.0)
			                     : sc_wire(c, tx, ty, 1.15 * W, ty + sc_u(c, 0.02, 0.08) * H, sagf, 2.0);
			sc_span_dampers(c, &w, p.pw * 2.6, dw, left ? 0 : 0.45, left ? 0.45 : 0);
		}
	}
	if (simgen_rng_unif(&c->rng) < 0.35)
		sc_nest_on_arm(c, p.x + p.pw * 1.7, q.arm_y, p.pw);
}

static void sc_layout_bundle(sc_ctx *c)
{
	simgen_scene *sc = c->sc;
	double W = sc->w, H = sc->h;
	double arm_y1 = H * sc_u(c, 0.04, 0.08), arm_y2 = arm_y1 + H * sc_u(c, 0.05, 0.07);
	double arm_x2 = W * sc_u(c, 0.8, 0.95);
	sc_prim(c, SIMGEN_PRIM_STEEL, -10, arm_y1, arm_x2, arm_y2, 0, 0, 0);
	int ns = simgen_rng_unif(&c->rng) < 0.6 ? 2 : 1;
	double sx[2];
	sx[0] = W * (ns == 2 ? sc_u(c, 0.22, 0.3) : sc_u(c, 0.4, 0.55));
	sx[1] = W * sc_u(c, 0.62, 0.72);
	double len = H * sc_u(c, 0.28, 0.36), sw = W * sc_u(c, 0.03, 0.04);
	int nsub = simgen_rng_unif(&c->rng) < 0.5 ? 2 : 3;
	double gap = H * sc_u(c, 0.028, 0.04);
	int variant = (int)simgen_rng_int(&c->rng, 0, 2);
	double yatt[2];
	for (int i = 0; i < ns; i++) {
		sc_prim(c, SIMGEN_PRIM_STRING_INS, sx[i] - sw / 2, arm_y2, sx[i] + sw / 2, arm_y2 + len, 0, 0,
		        variant);
		sc_obj(c, SIMGEN_CAT_INSULATOR, sx[i] - sw / 2, arm_y2, sx[i] + sw / 2, arm_y2 + len, 0);
		yatt[i] = arm_y2 + len + gap * 0.6;
	}
	/* Spans: left edge -> string 0 [-> string 1] -> right edge. */
	double xs[4], ys[4];
	int np = 0;
	xs[np] = -0.1 * W;
	ys[np++] = yatt[0] + H * sc_u(c, 0.06, 0.14);
	for (int i = 0; i < ns; i++) {
		xs[np] = sx[i];
		ys[np++] = yatt[i];
	}
	xs[np] = 1.1 * W;
	ys[np++] = yatt[ns - 1] + H * sc_u(c, 0.04, 0.12);
	double sagf = sc_u(c, 0.05, 0.09);
	double spacing = W * sc_u(c, 0.14, 0.19);
	double dw = sw * sc_u(c, 1.6, 2.0);
	for (int s = 0; s + 1 < np; s++) {
		simgen_prim top = {SIMGEN_PRIM_WIRE, 0, 0, 0, 0, 0, 0, 0};
		simgen_prim bot = top;
		for (int k = 0; k < nsub; k++) {
			double off = (k - (nsub - 1) / 2.0) * gap;
			simgen_prim w = sc_wire(c, xs[s], ys[s] + off, xs[s + 1], ys[s + 1] + off, sagf, 2.2);
			if (k == 0)
				top = w;
			bot = w;
		}
		/* Spacers at regular intervals along the span. */
		double x0 = xs[s], x1 = xs[s + 1];
		double start = x0 + spacing * sc_u(c, 0.6, 0.9);
		for (double x = start; x < x1 - spacing * 0.5; x += spacing * sc_u(c, 0.9, 1.1)) {
			if (x < W * 0.03 || x > W * 0.97)
				continue;
			int near = 0;
			for (int i = 0; i < ns; i++)
				near |= fabs(x - sx[i]) < W * 0.07;
			if (near)
				continue;
			double yt = simgen_wire_y(&top, x) - gap * 0.4, yb = simgen_wire_y(&bot, x) + gap * 0.4;
			double spw = gap * 0.55;
			sc_prim(c, SIMGEN_PRIM_SPACER, x - spw / 2, yt, x + spw / 2, yb, 0, 0, nsub);
			sc_obj(c, SIMGEN_CAT_SPACER, x - spw / 2, yt, x + spw / 2, yb, 0);
		}
		/* Dampers on the lowest sub-conductor near the strings. */
		int left_is_string = s > 0, right_is_string = s + 1 < np - 1;
		sc_span_dampers(c, &bot, W * 0.045, dw, left_is_string ? 0.8 : 0, right_is_string ? 0.8 : 0);
	}
}

static void sc_layout_corridor(sc_ctx *c)
{
	simgen_scene *sc = c->sc;
	double W = sc->w, H = sc->h;
	sc_trees(c, (int)simgen_rng_int(&c->rng, 4, 9));
	int np = (int)simgen_rng_int(&c->rng, 6, 7);
	int from_left = simgen_rng_unif(&c->rng) < 0.5;
	double x0 = W * (from_left ? sc_u(c, 0.1, 0.16) : sc_u(c, 0.84, 0.9));
	double vx = W * (from_left ? sc_u(c, 0.72, 0.85) : sc_u(c, 0.15, 0.28));
	double hz = sc->horizon;
	double pw0 = H * sc_u(c, 0.038, 0.046);
	double top0 = H * sc_u(c, 0.05, 0.1), base0 = H * sc_u(c, 0.93, 0.99);
	double arm_w0 = pw0 * sc_u(c, 7.5, 8.2);
	int variant = (int)simgen_rng_int(&c->rng, 0, 2);
	sc_pole poles[7];
	for (int i = 0; i < np; i++) {
		double s = 1.0 / (1.0 + 0.5 * i);
		sc_pole *p = &poles[i];
		p->x = vx + (x0 - vx) * s;
		p->pw = pw0 * s;
		p->top = hz - (hz - top0) * s;
		p->base = hz + (base0 - hz) * s;
		p->arm_y = p->top + p->pw * 1.5;
		p->arm_w = arm_w0 * s;
		sc_pole_with_arm(c, p, sc_offs4, 4, variant, 1, 1);
	}
	double sagf = sc_u(c, 0.03, 0.05);
	double dw0 = pw0 * sc_u(c, 1.5, 1.7);
	for (int j = 0; j < 4; j++) {
		const sc_pole *p0 = &poles[0];
		double ex = from_left ? -0.25 * W : 1.25 * W;
		simgen_prim w = from_left ? sc_wire(c, ex, p0->tip_y[j] - 0.08 * H, p0->tip_x[j], p0->tip_y[j], sagf, 1.8)
		                          : sc_wire(c, p0->tip_x[j], p0->tip_y[j], ex, p0->tip_y[j] - 0.08 * H, sagf, 1.8);
		(void)w;
		for (int i = 0; i + 1 < np; i++) {
			const sc_pole *a = &poles[i], *b = &poles[i + 1];
			double s = 1.0 / (1.0 + 0.5 * i);
			simgen_prim v = from_left ? sc_wire(c, a->tip_x[j], a->tip_y[j], b->tip_x[j], b->tip_y[j], sagf * 0.6, 1.6 * s)
			                          : sc_wire(c, b->tip_x[j], b->tip_y[j], a->tip_x[j], a->tip_y[j], sagf * 0.6, 1.6 * s);
			if (i < 2)
				sc_span_dampers(c, &v, a->pw * 2.6, dw0 * s, from_left ? 0.5 : 0, from_left ? 0 : 0.5);
		}
	}
}

static void sc_layout_yard(sc_ctx *c)
{
	simgen_scene *sc = c->sc;
	double W = sc->w, H = sc->h;
	int rows = 12, cols = 17;
	double y0 = H * 0.1, y1 = H * 0.97;
	double rs = (y1 - y0) / rows;
	double x0 = W * 0.035, x1 = W * 0.965;
	double cs = (x1 - x0) / cols;
	/* Vertical posts of the rack. */
	for (int k = 0; k <= 6; k++) {
		double x = x0 + (x1 - x0) * k / 6.0;
		sc_prim(c, SIMGEN_PRIM_STEEL, x - 4, y0 - rs * 0.2, x + 4, H + 5, 0, 0, 1);
	}
	for (int r = 0; r < rows; r++) {
		double beam = y0 + rs * (r + 1) - rs * 0.12;
		sc_prim(c, SIMGEN_PRIM_STEEL, x0 - 10, beam, x1 + 10, beam + rs * 0.1, 0, 0, 1);
		int variant = (r % 3 == 2) ? 1 : 0;
		for (int k = 0; k < cols; k++) {
			double cx = x0 + cs * (k + 0.5) + sc_u(c, -0.04, 0.04) * cs;
			double iw = cs * sc_u(c, 0.3, 0.36), ih = rs * sc_u(c, 0.62, 0.7);
			sc_prim(c, SIMGEN_PRIM_PIN_INS, cx - iw / 2, beam - ih, cx + iw / 2, beam, 0, 0, variant);
			sc_obj(c, SIMGEN_CAT_INSULATOR, cx - iw / 2, beam - ih, cx + iw / 2, beam, 0);
		}
	}
}

static void sc_layout(sc_ctx *c)
{
	switch (c->sc->kind) {
	case SIMGEN_SCENE_DISTRIBUTION: sc_layout_distribution(c); break;
	case SIMGEN_SCENE_CLOSEUP:      sc_layout_closeup(c); break;
	case SIMGEN_SCENE_BUNDLE:       sc_layout_bundle(c); break;
	case SIMGEN_SCENE_CORRIDOR:     sc_layout_corridor(c); break;
	case SIMGEN_SCENE_YARD:         sc_layout_yard(c); break;
	case SIMGEN_SCENE_SPARSE:       sc_layout_sparse(c); break;
	}
}

ts_status simgen_scenes_build(simgen_sceneset *set, ts_error *err)
{
	memset(set, 0, sizeof *set);
	set->scenes = calloc(SC_N, sizeof *set->scenes);
	if (!set->scenes)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	set->n = SC_N;
	for (size_t i = 0; i < SC_N; i++) {
		simgen_scene *sc = &set->scenes[i];
		sc->id = (int)i + 1;
		snprintf(sc->file_name, sizeof sc->file_name, "insp_%03d.png", sc->id);
		sc->w = sc_specs[i].w;
		sc->h = sc_specs[i].h;
		sc->kind = sc_specs[i].kind;
		sc->sky = sc_specs[i].sky;
		sc->seed = simgen_hash64(0x5ce9e5eedULL + (uint64_t)sc->id);
		sc_ctx c = {sc, {0}, 0, 0, 0};
		simgen_rng_seed(&c.rng, sc->seed, 1, 0);
		sc->horizon = sc->h * sc_u(&c, 0.7, 0.82);
		sc_layout(&c);
		if (c.oom) {
			simgen_scenes_free(set);
			return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		}
	}
	return TS_OK;
}

void simgen_scenes_free(simgen_sceneset *set)
{
	if (!set->scenes)
		return;
	for (size_t i = 0; i < set->n; i++) {
		free(set->scenes[i].objs);
		free(set->scenes[i].prims);
	}
	free(set->scenes);
	set->scenes = NULL;
	set->n = 0;
}

void simgen_scenes_gt_json(const simgen_sceneset *set, simgen_buf *out)
{
	simgen_buf_puts(out, "{\"info\":{\"description\":\"tailscope simulated power-line "
	                     "inspection scenes (tailscope-simgen; not real photographs)\","
	                     "\"version\":\"1\"},\"images\":[");
	for (size_t i = 0; i < set->n; i++) {
		const simgen_scene *sc = &set->scenes[i];
		simgen_buf_printf(out, "%s{\"id\":%d,\"file_name\":\"%s\",\"width\":%d,\"height\":%d}",
		                  i ? "," : "", sc->id, sc->file_name, sc->w, sc->h);
	}
	simgen_buf_puts(out, "],\"annotations\":[");
	int ann = 0;
	for (size_t i = 0; i < set->n; i++) {
		const simgen_scene *sc = &set->scenes[i];
		for (size_t j = 0; j < sc->n_objs; j++) {
			const simgen_obj *o = &sc->objs[j];
			double w = o->x2 - o->x1, h = o->y2 - o->y1;
			simgen_buf_printf(out, "%s{\"id\":%d,\"image_id\":%d,\"category_id\":%d,\"bbox\":[",
			                  ann ? "," : "", ann + 1, sc->id, o->cat + 1);
			simgen_buf_fixed(out, o->x1, 1);
			simgen_buf_putc(out, ',');
			simgen_buf_fixed(out, o->y1, 1);
			simgen_buf_putc(out, ',');
			simgen_buf_fixed(out, w, 1);
			simgen_buf_putc(out, ',');
			simgen_buf_fixed(out, h, 1);
			simgen_buf_puts(out, "],\"area\":");
			simgen_buf_fixed(out, w * h, 2);
			simgen_buf_printf(out, ",\"iscrowd\":%d}", o->crowd);
			ann++;
		}
	}
	simgen_buf_puts(out, "],\"categories\":[");
	for (int k = 0; k < SIMGEN_N_CATS; k++)
		simgen_buf_printf(out, "%s{\"id\":%d,\"name\":\"%s\",\"supercategory\":\"power line\"}",
		                  k ? "," : "", k + 1, simgen_cat_names[k]);
	simgen_buf_puts(out, "]}\n");
}
