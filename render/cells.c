/* cells.c — images to terminal cells with libchafa 1.12 (symbols mode, no
 * wide glyphs), box labels placed as text cells, and the frame cache. */
#include "render.h"

#include <chafa.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

#define MAX_GRID_COLS 2000
#define MAX_GRID_ROWS 1000
#define LABEL_MAX_COLS 24
#define SCRATCH_KEEP_BYTES (64u << 20) /* larger scratch buffers are not kept */

/* ---- colour modes ---- */

render_color_mode render_color_mode_for(long n)
{
	if (n >= (1L << 24))
		return RENDER_COLORS_TRUECOLOR;
	if (n >= 256)
		return RENDER_COLORS_240;
	if (n >= 16)
		return RENDER_COLORS_16;
	if (n >= 8)
		return RENDER_COLORS_8;
	return RENDER_COLORS_NONE;
}

const char *render_color_mode_name(render_color_mode m)
{
	switch (m) {
	case RENDER_COLORS_NONE: return "none";
	case RENDER_COLORS_8: return "8";
	case RENDER_COLORS_16: return "16";
	case RENDER_COLORS_240: return "240";
	case RENDER_COLORS_TRUECOLOR: return "truecolor";
	}
	return "?";
}

static ChafaCanvasMode chafa_mode(render_color_mode m)
{
	switch (m) {
	case RENDER_COLORS_TRUECOLOR: return CHAFA_CANVAS_MODE_TRUECOLOR;
	case RENDER_COLORS_240: return CHAFA_CANVAS_MODE_INDEXED_240;
	case RENDER_COLORS_16: return CHAFA_CANVAS_MODE_INDEXED_16;
	case RENDER_COLORS_8: return CHAFA_CANVAS_MODE_INDEXED_8;
	case RENDER_COLORS_NONE: break;
	}
	return CHAFA_CANVAS_MODE_FGBG;
}

void render_opts_default(render_opts *o)
{
	o->max_cols = 80;
	o->max_rows = 24;
	o->mode = RENDER_COLORS_TRUECOLOR;
	o->font_ratio = 0.5;
	o->work_factor = 0.3;
	o->ascii = 0;
	o->labels = RENDER_LABELS_ALL;
	o->gray = 0;
}

static double eff_font_ratio(const render_opts *o)
{
	double f = o->font_ratio;
	if (!(f > 0.0) || !isfinite(f))
		return 0.5;
	if (f < 0.05)
		return 0.05;
	if (f > 20.0)
		return 20.0;
	return f;
}

static double eff_work_factor(const render_opts *o)
{
	double f = o->work_factor;
	if (!(f >= 0.0))
		return 0.0; /* also NaN */
	return f > 1.0 ? 1.0 : f;
}

static render_color_mode eff_mode(const render_opts *o)
{
	return (unsigned)o->mode <= RENDER_COLORS_TRUECOLOR ? o->mode : RENDER_COLORS_NONE;
}

void render_grid_size(uint32_t w, uint32_t h, const render_opts *o, int *cols, int *rows)
{
	int c = o->max_cols, r = o->max_rows;
	if (c > MAX_GRID_COLS)
		c = MAX_GRID_COLS;
	if (r > MAX_GRID_ROWS)
		r = MAX_GRID_ROWS;
	if (c < 1 || r < 1 || w == 0 || h == 0) {
		*cols = c < 1 ? 0 : c;
		*rows = r < 1 ? 0 : r;
		return;
	}
	gint gc = c, gr = r;
	gint sw = w > (uint32_t)INT_MAX ? INT_MAX : (gint)w;
	gint sh = h > (uint32_t)INT_MAX ? INT_MAX : (gint)h;
	chafa_calc_canvas_geometry(sw, sh, &gc, &gr, (gfloat)eff_font_ratio(o), TRUE, FALSE);
	if (gc < 1)
		gc = 1;
	if (gr < 1)
		gr = 1;
	if (gc > c)
		gc = c;
	if (gr > r)
		gr = r;
	*cols = gc;
	*rows = gr;
}

/* ---- grids ---- */

static render_grid *grid_new(int cols, int rows)
{
	render_grid *g = malloc(sizeof *g);
	if (!g)
		return NULL;
	g->cols = cols;
	g->rows = rows;
	g->cells = calloc((size_t)cols * (size_t)rows, sizeof *g->cells);
	if (!g->cells) {
		free(g);
		return NULL;
	}
	return g;
}

void render_grid_free(render_grid *g)
{
	if (!g)
		return;
	free(g->cells);
	free(g);
}

render_grid *render_grid_copy(const render_grid *src)
{
	if (!src)
		return NULL;
	render_grid *g = grid_new(src->cols, src->rows);
	if (g)
		memcpy(g->cells, src->cells, (size_t)src->cols * (size_t)src->rows * sizeof *g->cells);
	return g;
}

/* ---- the cache object (also holds chafa's state) ---- */

typedef struct frame_key {
	uint64_t serial;
	uint32_t w, h;
	int max_cols, max_rows;
	int mode, ascii, labels, gray;
	double font_ratio, work_factor;
	uint64_t overlay;
} frame_key;

typedef struct cache_entry {
	frame_key key;
	render_grid *grid;
	uint64_t used; /* LRU tick, 0 = empty slot */
} cache_entry;

struct render_cache {
	ChafaSymbolMap *map, *map_ascii;
	ChafaCanvasConfig *config;
	int config_ascii; /* which map config holds */
	uint8_t *scratch;
	size_t scratch_cap;
	cache_entry *entries;
	size_t max_entries;
	uint64_t tick;
	size_t hits, misses;
};

render_cache *render_cache_new(size_t max_entries)
{
	if (max_entries == 0)
		max_entries = 8;
	if (max_entries > 4096)
		max_entries = 4096;
	render_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->entries = calloc(max_entries, sizeof *c->entries);
	if (!c->entries) {
		free(c);
		return NULL;
	}
	c->max_entries = max_entries;
	/* Block elements, box drawing and space; no wide glyphs (get_char_at
	 * would return 0 in their right half), no inverted duplicates. */
	c->map = chafa_symbol_map_new();
	chafa_symbol_map_add_by_tags(c->map, CHAFA_SYMBOL_TAG_BLOCK | CHAFA_SYMBOL_TAG_BORDER |
	                                     CHAFA_SYMBOL_TAG_SPACE);
	chafa_symbol_map_remove_by_tags(c->map, CHAFA_SYMBOL_TAG_WIDE | CHAFA_SYMBOL_TAG_INVERTED);
	/* without a UTF-8 locale: printable ASCII only */
	c->map_ascii = chafa_symbol_map_new();
	chafa_symbol_map_add_by_tags(c->map_ascii, CHAFA_SYMBOL_TAG_ASCII | CHAFA_SYMBOL_TAG_SPACE);
	chafa_symbol_map_remove_by_tags(c->map_ascii, CHAFA_SYMBOL_TAG_WIDE);
	c->config = chafa_canvas_config_new();
	chafa_canvas_config_set_pixel_mode(c->config, CHAFA_PIXEL_MODE_SYMBOLS);
	chafa_canvas_config_set_symbol_map(c->config, c->map);
	return c;
}

void render_cache_clear(render_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->max_entries; i++) {
		render_grid_free(c->entries[i].grid);
		c->entries[i].grid = NULL;
		c->entries[i].used = 0;
	}
}

void render_cache_free(render_cache *c)
{
	if (!c)
		return;
	render_cache_clear(c);
	free(c->entries);
	free(c->scratch);
	chafa_canvas_config_unref(c->config);
	chafa_symbol_map_unref(c->map);
	chafa_symbol_map_unref(c->map_ascii);
	free(c);
}

void render_cache_stats(const render_cache *c, size_t *hits, size_t *misses)
{
	if (hits)
		*hits = c ? c->hits : 0;
	if (misses)
		*misses = c ? c->misses : 0;
}

/* ---- hashing the overlay ---- */

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
	h *= 0xFF51AFD7ED558CCDull;
	return h ^ (h >> 32);
}

static uint64_t dbits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u;
}

static uint64_t overlay_hash(const render_box *boxes, size_t n)
{
	uint64_t h = mix(0x1234567ull, n);
	for (size_t i = 0; i < n; i++) {
		const render_box *b = &boxes[i];
		h = mix(h, dbits(b->x1));
		h = mix(h, dbits(b->y1));
		h = mix(h, dbits(b->x2));
		h = mix(h, dbits(b->y2));
		h = mix(h, (uint64_t)(unsigned)b->style << 40 ^ (uint64_t)(b->selected != 0) << 32 ^ b->count);
		if (b->label) {
			size_t len = strlen(b->label);
			h = mix(h, len + 1);
			for (size_t k = 0; k < len; k += 8) {
				uint64_t v = 0;
				memcpy(&v, b->label + k, len - k < 8 ? len - k : 8);
				h = mix(h, v);
			}
		} else {
			h = mix(h, 0);
		}
	}
	return h;
}

static int key_eq(const frame_key *a, const frame_key *b)
{
	return a->serial == b->serial && a->w == b->w && a->h == b->h &&
	       a->max_cols == b->max_cols && a->max_rows == b->max_rows && a->mode == b->mode &&
	       a->ascii == b->ascii && a->labels == b->labels && a->gray == b->gray &&
	       dbits(a->font_ratio) == dbits(b->font_ratio) &&
	       dbits(a->work_factor) == dbits(b->work_factor) && a->overlay == b->overlay;
}

/* ---- labels ---- */

typedef struct label_job {
	const render_box *box;
	int prio;
} label_job;

static int label_cmp(const void *a, const void *b)
{
	const label_job *x = a, *y = b;
	if (x->prio != y->prio)
		return x->prio - y->prio;
	return x->box < y->box ? -1 : x->box > y->box;
}

static void cell_colors(render_cell *cell, render_color_mode mode, render_style_color fgc,
                        render_style_color bgc)
{
	cell->fg = (int32_t)fgc.rgb;
	cell->bg = (int32_t)bgc.rgb;
	cell->fg_idx = cell->bg_idx = -1;
	switch (mode) {
	case RENDER_COLORS_TRUECOLOR:
		break;
	case RENDER_COLORS_240:
		cell->fg_idx = (int16_t)fgc.idx256;
		cell->bg_idx = (int16_t)bgc.idx256;
		break;
	case RENDER_COLORS_16:
		cell->fg_idx = (int16_t)fgc.idx16;
		cell->bg_idx = (int16_t)bgc.idx16;
		break;
	case RENDER_COLORS_8:
		cell->fg_idx = (int16_t)fgc.idx8;
		cell->bg_idx = (int16_t)bgc.idx8;
		break;
	case RENDER_COLORS_NONE:
		cell->fg = cell->bg = -1;
		break;
	}
}

/* Text of a label as narrow code points; returns the count. */
static int label_text(const render_box *b, uint32_t *cps, int max, int ascii)
{
	char count[24] = "";
	if (b->count >= 2)
		snprintf(count, sizeof count, "%sx%u", b->label && b->label[0] ? " " : "", b->count);
	size_t clen = strlen(count);
	char buf[4 * LABEL_MAX_COLS + 64];
	size_t len = 0;
	if (b->label && b->label[0]) {
		size_t room = (size_t)max > clen + 1 ? (size_t)max - clen : 1;
		len = sanitize(b->label, strlen(b->label), buf, sizeof buf - sizeof count, room);
	}
	memcpy(buf + len, count, clen + 1);
	len += clen;
	int n = 0;
	size_t pos = 0;
	while (pos < len && n < max) {
		uint32_t cp;
		int k = sanitize_utf8_decode((const unsigned char *)buf + pos, len - pos, &cp);
		if (k <= 0) {
			pos++;
			cps[n++] = '?';
			continue;
		}
		pos += (size_t)k;
		int wdt = sanitize_cp_width(cp);
		if (wdt == 0)
			continue; /* combining: cells hold one code point each */
		cps[n++] = wdt == 1 && (!ascii || cp < 0x80) ? cp : '?';
	}
	return n;
}

/* occupancy of a grid cell: a label's text (never covered), a box edge
 * (covered only when nothing else is free) */
#define OCC_LABEL 1u
#define OCC_EDGE  2u

static int span_free(const uint8_t *occ, int cols, int row, int col, int len, unsigned avoid)
{
	for (int i = 0; i < len; i++)
		if (occ[(size_t)row * cols + col + i] & avoid)
			return 0;
	return 1;
}

/* A box in cells: columns [*c1, *c2], rows [*r1, *r2]; 0 when it is not
 * finite or entirely outside. */
static int box_cells(const render_box *b, const render_grid *g, double kx, double ky, int *c1,
                     int *r1, int *c2, int *r2)
{
	double x1 = fmin(b->x1, b->x2), x2 = fmax(b->x1, b->x2);
	double y1 = fmin(b->y1, b->y2), y2 = fmax(b->y1, b->y2);
	if (!isfinite(x1) || !isfinite(x2) || !isfinite(y1) || !isfinite(y2))
		return 0;
	x1 *= kx, x2 *= kx, y1 *= ky, y2 *= ky;
	if (x2 < 0 || y2 < 0 || x1 > g->cols || y1 > g->rows)
		return 0;
	*c1 = (int)floor(fmax(0.0, fmin(x1, g->cols - 1.0)));
	*r1 = (int)floor(fmax(0.0, fmin(y1, g->rows - 1.0)));
	*c2 = (int)ceil(fmin((double)g->cols, x2)) - 1;
	*r2 = (int)ceil(fmin((double)g->rows, y2)) - 1;
	if (*c2 < *c1)
		*c2 = *c1;
	if (*r2 < *r1)
		*r2 = *r1;
	return 1;
}

static void mark_edges(uint8_t *occ, const render_grid *g, int c1, int r1, int c2, int r2)
{
	for (int c = c1; c <= c2; c++) {
		occ[(size_t)r1 * g->cols + c] |= OCC_EDGE;
		occ[(size_t)r2 * g->cols + c] |= OCC_EDGE;
	}
	for (int r = r1; r <= r2; r++) {
		occ[(size_t)r * g->cols + c1] |= OCC_EDGE;
		occ[(size_t)r * g->cols + c2] |= OCC_EDGE;
	}
}

static double iou(const render_box *a, const render_box *b)
{
	double ix = fmin(fmax(a->x1, a->x2), fmax(b->x1, b->x2)) - fmax(fmin(a->x1, a->x2), fmin(b->x1, b->x2));
	double iy = fmin(fmax(a->y1, a->y2), fmax(b->y1, b->y2)) - fmax(fmin(a->y1, a->y2), fmin(b->y1, b->y2));
	if (!(ix > 0) || !(iy > 0))
		return 0;
	double aa = fabs(a->x2 - a->x1) * fabs(a->y2 - a->y1), ab = fabs(b->x2 - b->x1) * fabs(b->y2 - b->y1);
	return ix * iy / (aa + ab - ix * iy);
}

/* A matched ground-truth box whose prediction (same label, IoU >= 0.3)
 * already names it: labelled once, by the prediction. */
static int named_by_prediction(const render_box *gtb, const render_box *boxes, size_t n)
{
	if (gtb->style != BOX_GT || !gtb->label)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const render_box *p = &boxes[i];
		if ((p->style == BOX_TP || p->style == BOX_DUP || p->style == BOX_PRED) && p->label &&
		    !strcmp(p->label, gtb->label) && iou(p, gtb) >= 0.3)
			return 1;
	}
	return 0;
}

static int wants_label(const render_box *b, int labels)
{
	if (!((b->label && b->label[0]) || b->count >= 2))
		return 0;
	if (labels == RENDER_LABELS_NONE)
		return 0;
	if (labels == RENDER_LABELS_KEY)
		return b->selected || b->style == BOX_DUP || b->count >= 2;
	return 1;
}

/* Which labels come first: selected, then duplicates, then TP/FP/PRED, then
 * MISS and CUT, then GT. */
static int label_prio(const render_box *b)
{
	return b->selected ? 0
	     : b->style == BOX_DUP ? 1
	     : b->style == BOX_GT ? 4
	     : b->style == BOX_MISS || b->style == BOX_CUT ? 3
	     : 2;
}

/* Marks every box's edges in occ and lists the boxes that get a label in
 * jobs; returns how many. */
static size_t label_jobs(const render_grid *g, double kx, double ky, const render_box *boxes,
                         size_t n, int labels, uint8_t *occ, label_job *jobs)
{
	size_t nj = 0;
	for (size_t i = 0; i < n; i++) {
		const render_box *b = &boxes[i];
		int c1, r1, c2, r2;
		if (box_cells(b, g, kx, ky, &c1, &r1, &c2, &r2))
			mark_edges(occ, g, c1, r1, c2, r2);
		if (!wants_label(b, labels) || named_by_prediction(b, boxes, n))
			continue;
		jobs[nj].box = b;
		jobs[nj].prio = label_prio(b);
		nj++;
	}
	return nj;
}

/* Where a label of len cells goes for a box on cells [c1, c2] x [r1, r2]:
 * above the box, below it, right-aligned above/below, a row further out;
 * first where no label and no box edge is, else where no label is (covering
 * box edges is for the selected box and duplicates only, prio <= 1: on a
 * dense scene the other labels give way to the image); the selected box may
 * use its own top row.  0 when it fits nowhere. */
static int label_spot(const uint8_t *occ, const render_grid *g, int c1, int r1, int c2, int r2,
                      int len, int selected, int prio, int *row, int *col)
{
	int left = c1 + len > g->cols ? g->cols - len : c1;
	int right = c2 - len + 1 < 0 ? 0 : c2 - len + 1;
	if (right + len > g->cols)
		right = g->cols - len;
	const int cr[7] = {r1 - 1, r2 + 1, r1 - 1, r2 + 1, r1 - 2, r2 + 2, r1};
	const int cc[7] = {left, left, right, right, left, left, left};
	int nc = selected ? 7 : 6;
	int passes = prio <= 1 ? 2 : 1;
	for (int pass = 0; pass < passes; pass++)
		for (int k = 0; k < nc; k++) {
			if (cr[k] < 0 || cr[k] >= g->rows || (k == 6 && pass == 0))
				continue;
			if (span_free(occ, g->cols, cr[k], cc[k], len,
			              pass == 0 ? OCC_LABEL | OCC_EDGE : OCC_LABEL)) {
				*row = cr[k];
				*col = cc[k];
				return 1;
			}
		}
	return 0;
}

/* Writes box b's label (cps, len cells) at (row, col): the style colour on
 * black (selected: black on white; monochrome: reverse video), and marks it
 * with a blank cell each side in occ, so two labels never read as one word. */
static void label_write(render_grid *g, uint8_t *occ, const render_box *b, const uint32_t *cps,
                        int len, int row, int col, render_color_mode mode)
{
	static const render_style_color black = {0x000000, 0, 0, 16};
	static const render_style_color white = {0xFFFFFF, 15, 7, 231};
	render_style_color fgc = render_style_color_of(b->style), bgc = black;
	if (b->selected) {
		fgc = black;
		bgc = white;
	}
	for (int i = 0; i < len; i++) {
		size_t at = (size_t)row * g->cols + col + i;
		render_cell *cell = &g->cells[at];
		cell->ch = cps[i];
		cell_colors(cell, mode, fgc, bgc);
		cell->attr = RENDER_ATTR_TEXT | RENDER_ATTR_BOLD;
		if (mode == RENDER_COLORS_NONE && b->selected)
			cell->attr |= RENDER_ATTR_REVERSE;
		occ[at] |= OCC_LABEL;
	}
	if (col > 0)
		occ[(size_t)row * g->cols + col - 1] |= OCC_LABEL;
	if (col + len < g->cols)
		occ[(size_t)row * g->cols + col + len] |= OCC_LABEL;
}

static void place_labels(render_grid *g, uint32_t img_w, uint32_t img_h, const render_box *boxes,
                         size_t n, render_color_mode mode, int ascii, int labels)
{
	size_t nj = 0;
	for (size_t i = 0; i < n; i++)
		if (wants_label(&boxes[i], labels))
			nj++;
	if (nj == 0)
		return;
	label_job *jobs = malloc(nj * sizeof *jobs);
	uint8_t *occ = calloc((size_t)g->cols * (size_t)g->rows, 1);
	if (!jobs || !occ) {
		free(jobs);
		free(occ);
		return; /* labels are a nicety: the image is still right */
	}
	double kx = (double)g->cols / img_w, ky = (double)g->rows / img_h;
	nj = label_jobs(g, kx, ky, boxes, n, labels, occ, jobs);
	qsort(jobs, nj, sizeof *jobs, label_cmp);
	for (size_t j = 0; j < nj; j++) {
		const render_box *b = jobs[j].box;
		int c1, r1, c2, r2, row, col;
		if (!box_cells(b, g, kx, ky, &c1, &r1, &c2, &r2))
			continue; /* entirely outside */
		uint32_t cps[LABEL_MAX_COLS];
		int len = label_text(b, cps, LABEL_MAX_COLS, ascii);
		if (len > g->cols)
			len = g->cols;
		if (len <= 0)
			continue;
		if (label_spot(occ, g, c1, r1, c2, r2, len, b->selected, jobs[j].prio, &row, &col))
			label_write(g, occ, b, cps, len, row, col, mode);
	}
	free(jobs);
	free(occ);
}

/* ---- palettes ---- */

/* xterm's palette (what 256-colour terminals show by default): 0-15 the
 * xterm defaults, 16-231 the 6x6x6 cube of 0/95/135/175/215/255, 232-255
 * greys 8 + 10k. */
static uint32_t xterm_color(int i)
{
	static const uint32_t base[16] = {0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd,
	                                  0x00cdcd, 0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
	                                  0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff};
	static const uint32_t lv[6] = {0, 95, 135, 175, 215, 255};
	if (i < 16)
		return base[i];
	if (i < 232) {
		int k = i - 16;
		return lv[k / 36] << 16 | lv[k / 6 % 6] << 8 | lv[k % 6];
	}
	uint32_t g = 8 + 10 * (uint32_t)(i - 232);
	return g << 16 | g << 8 | g;
}

/* nearest palette entry in [lo, hi) to rgb (squared distance, weighted
 * 2/4/3 for red/green/blue, the usual cheap perceptual weights) */
#define GRAY_SPREAD 48      /* render_opts.gray: a cell colour this close to grey... */
#define GRAY_PALETTE_SPREAD 16 /* ...maps to palette entries this close */

static int spread(uint32_t c)
{
	int r = c >> 16 & 255, g = c >> 8 & 255, b = c & 255;
	int hi = r > g ? (r > b ? r : b) : (g > b ? g : b), lo = r < g ? (r < b ? r : b) : (g < b ? g : b);
	return hi - lo;
}

/* grays: only the palette's greys are candidates */
static int nearest(const double rgb[3], int lo, int hi, int grays)
{
	int best = -1;
	double bd = 1e18;
	for (int i = lo; i < hi; i++) {
		uint32_t c = xterm_color(i);
		if (grays && spread(c) >= GRAY_PALETTE_SPREAD)
			continue;
		double dr = rgb[0] - (c >> 16 & 255), dg = rgb[1] - (c >> 8 & 255), db = rgb[2] - (c & 255);
		double d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
		if (d < bd) {
			bd = d;
			best = i;
		}
	}
	return best;
}

/* Maps the truecolour cells of g to the palette of mode (240: 16-255, 16:
 * 0-15, 8: 0-7): each cell's background and foreground to the nearest
 * entry after adding the error carried from the cells before it
 * (Floyd-Steinberg across cells: 7/16 right, 3/16, 5/16, 1/16 on the next
 * row), so an area keeps its mean colour -- a muted green field alternates
 * green and grey cells instead of turning grey -- while the symbols stay
 * what chafa chose for the image (a flat area gets no stray dither
 * glyphs).  fg/bg become the palette colours shown; 0 ok, -1 no memory. */
static int quantize_cells(render_grid *g, render_color_mode mode, int gray)
{
	int lo = mode == RENDER_COLORS_240 ? 16 : 0, hi = mode == RENDER_COLORS_8 ? 8 : mode == RENDER_COLORS_16 ? 16 : 256;
	size_t n = (size_t)g->cols * (size_t)g->rows;
	double *err = calloc(n * 6, sizeof *err); /* per cell: bg rgb, fg rgb */
	if (!err)
		return -1;
	for (int y = 0; y < g->rows; y++)
		for (int x = 0; x < g->cols; x++) {
			size_t at = (size_t)y * g->cols + x;
			render_cell *cell = &g->cells[at];
			for (int layer = 0; layer < 2; layer++) {
				int32_t *v = layer ? &cell->fg : &cell->bg;
				int16_t *idx = layer ? &cell->fg_idx : &cell->bg_idx;
				if (*v < 0) {
					*idx = -1;
					continue;
				}
				double want[3], *e = err + at * 6 + layer * 3;
				for (int k = 0; k < 3; k++) {
					want[k] = (*v >> (16 - 8 * k) & 255) + e[k];
					want[k] = want[k] < 0 ? 0 : want[k] > 255 ? 255 : want[k];
				}
				int i = nearest(want, lo, hi, gray && spread((uint32_t)*v) < GRAY_SPREAD);
				if (i < 0)
					i = nearest(want, lo, hi, 0);
				uint32_t got = xterm_color(i);
				*idx = (int16_t)i;
				*v = (int32_t)got;
				static const int dx[4] = {1, -1, 0, 1}, dy[4] = {0, 1, 1, 1};
				static const double w[4] = {7 / 16.0, 3 / 16.0, 5 / 16.0, 1 / 16.0};
				for (int k = 0; k < 3; k++) {
					double d = want[k] - (got >> (16 - 8 * k) & 255);
					for (int t = 0; t < 4; t++) {
						int nx = x + dx[t], ny = y + dy[t];
						if (nx < 0 || nx >= g->cols || ny >= g->rows)
							continue;
						err[((size_t)ny * g->cols + nx) * 6 + layer * 3 + k] += d * w[t];
					}
				}
			}
		}
	free(err);
	return 0;
}

/* render_opts.gray in 8 colours: every cell chafa drew in greys only (no
 * box colour in it) becomes a shade of white on black for the mean luma of
 * its pixels -- " ░▒▓█" (ASCII: " .:+#") for 0-4 quarters, the rounding
 * error carried to the next cells (Floyd-Steinberg), so a grey sky reads as
 * an even texture, not as black and white cells that alternate.  0 ok, -1
 * no memory. */
static int shade_gray_cells(render_grid *g, const uint8_t *px, uint32_t w, uint32_t h, int ascii)
{
	static const uint32_t shades[5] = {' ', 0x2591, 0x2592, 0x2593, 0x2588};
	static const char ascii_shades[5] = {' ', '.', ':', '+', '#'};
	size_t n = (size_t)g->cols * (size_t)g->rows;
	double *lum = calloc(n, sizeof *lum);
	uint32_t *cnt = calloc(n, sizeof *cnt);
	if (!lum || !cnt) {
		free(lum);
		free(cnt);
		return -1;
	}
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			size_t at = (size_t)(y * (uint64_t)g->rows / h) * g->cols + (size_t)(x * (uint64_t)g->cols / w);
			lum[at] += px[((size_t)y * w + x) * 4] / 255.0; /* gray: R = G = B */
			cnt[at]++;
		}
	for (size_t at = 0; at < n; at++)
		lum[at] = cnt[at] ? lum[at] / cnt[at] : 0;
	for (int y = 0; y < g->rows; y++)
		for (int x = 0; x < g->cols; x++) {
			size_t at = (size_t)y * g->cols + x;
			render_cell *c = &g->cells[at];
			if ((c->fg >= 0 && spread((uint32_t)c->fg) >= GRAY_SPREAD) ||
			    (c->bg >= 0 && spread((uint32_t)c->bg) >= GRAY_SPREAD))
				continue; /* a box's colour: quantize_cells maps it */
			double v = lum[at] < 0 ? 0 : lum[at] > 1 ? 1 : lum[at];
			int k = (int)lround(v * 4);
			c->ch = ascii ? (uint32_t)ascii_shades[k] : shades[k];
			c->fg = 0xe5e5e5; /* palette 7 and 0: quantize_cells keeps them */
			c->bg = 0x000000;
			double e = v - k / 4.0;
			static const int dx[4] = {1, -1, 0, 1}, dy[4] = {0, 1, 1, 1};
			static const double wt[4] = {7 / 16.0, 3 / 16.0, 5 / 16.0, 1 / 16.0};
			for (int t = 0; t < 4; t++) {
				int nx = x + dx[t], ny = y + dy[t];
				if (nx >= 0 && nx < g->cols && ny < g->rows)
					lum[(size_t)ny * g->cols + nx] += e * wt[t];
			}
		}
	free(lum);
	free(cnt);
	return 0;
}

/* ---- chafa ---- */

static void read_back(ChafaCanvas *cv, render_grid *g, render_color_mode mode)
{
	for (int y = 0; y < g->rows; y++) {
		render_cell *row = g->cells + (size_t)y * g->cols;
		for (int x = 0; x < g->cols; x++) {
			render_cell *cell = &row[x];
			gunichar ch = chafa_canvas_get_char_at(cv, x, y);
			if (ch < 0x20 || (ch >= 0x7F && ch < 0xA0))
				ch = ' '; /* 0 would be the right half of a wide glyph */
			cell->ch = ch;
			cell->attr = 0;
			if (mode == RENDER_COLORS_NONE) {
				cell->fg = cell->bg = -1;
				cell->fg_idx = cell->bg_idx = -1;
				continue;
			}
			gint fg, bg;
			chafa_canvas_get_colors_at(cv, x, y, &fg, &bg);
			cell->fg = fg < 0 ? -1 : (fg & 0xFFFFFF);
			cell->bg = bg < 0 ? -1 : (bg & 0xFFFFFF);
			cell->fg_idx = cell->bg_idx = -1;
			if (mode != RENDER_COLORS_TRUECOLOR) {
				gint rf, rb;
				chafa_canvas_get_raw_colors_at(cv, x, y, &rf, &rb);
				if (cell->fg >= 0 && rf >= 0 && rf <= 255)
					cell->fg_idx = (int16_t)rf;
				if (cell->bg >= 0 && rb >= 0 && rb <= 255)
					cell->bg_idx = (int16_t)rb;
			}
		}
	}
}

static uint8_t *scratch_get(render_cache *c, size_t bytes)
{
	if (c->scratch_cap < bytes) {
		free(c->scratch);
		c->scratch = malloc(bytes);
		c->scratch_cap = c->scratch ? bytes : 0;
	}
	return c->scratch;
}

static void scratch_trim(render_cache *c)
{
	if (c->scratch_cap > SCRATCH_KEEP_BYTES) {
		free(c->scratch);
		c->scratch = NULL;
		c->scratch_cap = 0;
	}
}

/* RGBA pixels to their luma, 0.299 R + 0.587 G + 0.114 B (render_opts.gray) */
static void to_luma(uint8_t *px, size_t n)
{
	for (size_t i = 0; i < n; i++, px += 4) {
		uint8_t y = (uint8_t)((299u * px[0] + 587u * px[1] + 114u * px[2] + 500u) / 1000u);
		px[0] = px[1] = px[2] = y;
	}
}

static ts_status render_uncached(render_cache *c, const render_image *img,
                                 const render_box *boxes, size_t n, const render_opts *o,
                                 render_grid **out, ts_error *err)
{
	int cols, rows;
	render_grid_size(img->w, img->h, o, &cols, &rows);
	if (cols < 1 || rows < 1)
		return ts_error_set(err, TS_ERR_USAGE, "no room to draw the image (%dx%d cells)",
		                    o->max_cols, o->max_rows);
	render_color_mode mode = eff_mode(o);
	render_grid *g = grid_new(cols, rows);
	if (!g)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory for a %dx%d grid", cols, rows);

	const uint8_t *px = img->rgba;
	if (n > 0 || o->gray) {
		size_t bytes = (size_t)img->w * img->h * 4;
		uint8_t *s = scratch_get(c, bytes);
		if (!s) {
			render_grid_free(g);
			return ts_error_set(err, TS_ERR_NOMEM, "out of memory for a %ux%u overlay",
			                    img->w, img->h);
		}
		memcpy(s, img->rgba, bytes);
		if (o->gray)
			to_luma(s, (size_t)img->w * img->h);
		render_image tmp = {img->w, img->h, s, 0};
		render_stroke st;
		render_stroke_for_cells(img->w, img->h, cols, rows, &st);
		if (n > 0)
			render_draw_boxes_ex(&tmp, boxes, n, 1.0, 1.0, &st);
		px = s;
	}

	if (!o->ascii != !c->config_ascii) {
		c->config_ascii = !!o->ascii;
		chafa_canvas_config_set_symbol_map(c->config, c->config_ascii ? c->map_ascii : c->map);
	}
	chafa_canvas_config_set_geometry(c->config, cols, rows);
	/* palettes: chafa picks symbols and colours in truecolour, then
	 * quantize_cells maps each cell's colours to the palette with error
	 * diffusion across cells (see there) */
	int pal = mode == RENDER_COLORS_240 || mode == RENDER_COLORS_16 || mode == RENDER_COLORS_8;
	chafa_canvas_config_set_canvas_mode(c->config,
	                                    chafa_mode(pal ? RENDER_COLORS_TRUECOLOR : mode));
	chafa_canvas_config_set_work_factor(c->config, (gfloat)eff_work_factor(o));
	ChafaCanvas *cv = chafa_canvas_new(c->config);
	if (!cv) {
		render_grid_free(g);
		return ts_error_set(err, TS_ERR_NOMEM, "chafa could not make a %dx%d canvas", cols, rows);
	}
	chafa_canvas_draw_all_pixels(cv, CHAFA_PIXEL_RGBA8_UNASSOCIATED, px, (gint)img->w,
	                             (gint)img->h, (gint)img->w * 4);
	read_back(cv, g, pal ? RENDER_COLORS_TRUECOLOR : mode);
	if ((o->gray && mode == RENDER_COLORS_8 && shade_gray_cells(g, px, img->w, img->h, o->ascii) != 0) ||
	    (pal && quantize_cells(g, mode, o->gray) != 0)) {
		chafa_canvas_unref(cv);
		render_grid_free(g);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory mapping %dx%d cells to a palette",
		                    cols, rows);
	}
	chafa_canvas_unref(cv);
	scratch_trim(c);

	if (n > 0)
		place_labels(g, img->w, img->h, boxes, n, mode, o->ascii, o->labels);
	*out = g;
	return TS_OK;
}

static ts_status check_inputs(const render_image *img, const render_box *boxes, size_t n,
                              const render_opts *o, render_grid **out, ts_error *err)
{
	if (!out)
		return ts_error_set(err, TS_ERR_USAGE, "render: no output grid");
	*out = NULL;
	if (!img || !img->rgba || img->w == 0 || img->h == 0)
		return ts_error_set(err, TS_ERR_USAGE, "render: no image");
	if (img->w > (uint32_t)INT_MAX / 4 || img->h > (uint32_t)INT_MAX)
		return ts_error_set(err, TS_ERR_LIMIT, "render: image %ux%u too large", img->w, img->h);
	if (!o)
		return ts_error_set(err, TS_ERR_USAGE, "render: no options");
	if (n > 0 && !boxes)
		return ts_error_set(err, TS_ERR_USAGE, "render: %zu boxes but no array", n);
	return TS_OK;
}

ts_status render_frame(render_cache *c, const render_image *img, const render_box *boxes,
                       size_t n, const render_opts *o, render_grid **out, ts_error *err)
{
	ts_status st = check_inputs(img, boxes, n, o, out, err);
	if (st != TS_OK)
		return st;
	if (!c)
		return ts_error_set(err, TS_ERR_USAGE, "render: no cache");

	frame_key k;
	memset(&k, 0, sizeof k);
	k.serial = img->serial;
	k.w = img->w;
	k.h = img->h;
	k.max_cols = o->max_cols;
	k.max_rows = o->max_rows;
	k.mode = (int)eff_mode(o);
	k.ascii = !!o->ascii;
	k.labels = o->labels;
	k.gray = !!o->gray;
	k.font_ratio = eff_font_ratio(o);
	k.work_factor = eff_work_factor(o);
	k.overlay = n ? overlay_hash(boxes, n) : 0;

	if (img->serial != 0) {
		for (size_t i = 0; i < c->max_entries; i++) {
			cache_entry *e = &c->entries[i];
			if (e->used && key_eq(&e->key, &k)) {
				render_grid *g = render_grid_copy(e->grid);
				if (!g)
					return ts_error_set(err, TS_ERR_NOMEM, "out of memory copying a grid");
				e->used = ++c->tick;
				c->hits++;
				*out = g;
				return TS_OK;
			}
		}
	}
	c->misses++;
	render_grid *g = NULL;
	st = render_uncached(c, img, boxes, n, o, &g, err);
	if (st != TS_OK)
		return st;
	if (img->serial != 0) {
		render_grid *keep = render_grid_copy(g);
		if (keep) {
			cache_entry *victim = &c->entries[0];
			for (size_t i = 0; i < c->max_entries; i++) {
				if (!c->entries[i].used) {
					victim = &c->entries[i];
					break;
				}
				if (c->entries[i].used < victim->used)
					victim = &c->entries[i];
			}
			render_grid_free(victim->grid);
			victim->grid = keep;
			victim->key = k;
			victim->used = ++c->tick;
		}
	}
	*out = g;
	return TS_OK;
}

ts_status render_grid_from_image(const render_image *img, const render_opts *o,
                                 render_grid **out, ts_error *err)
{
	ts_status st = check_inputs(img, NULL, 0, o, out, err);
	if (st != TS_OK)
		return st;
	render_cache *c = render_cache_new(1);
	if (!c)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	st = render_uncached(c, img, NULL, 0, o, out, err);
	render_cache_free(c);
	return st;
}
