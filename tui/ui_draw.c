/* ui_draw.c — everything that touches curses windows (see ui.h).
 *
 * Strings drawn here are either our own text or went through sanitize():
 * put() only clips already-safe UTF-8 to a column budget, putu() sanitizes
 * untrusted bytes first. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tcurses.h"
#include "confidence.h"
#include "pairs.h"
#include "plot.h"
#include "sanitize.h"
#include "term.h"
#include "ui.h"

/* UI palette: fixed pairs below UI_PAIR_FIRST_IMAGE. */
enum {
	CP_TITLE = 1, CP_TITLE_FOCUS, CP_STATUS, CP_DUP, CP_TRUNC, CP_CLOSED, CP_MALFORMED,
	CP_TP, CP_FP, CP_GT, CP_MISS, CP_TAIL, CP_CUT, CP_DIM, CP_P_MID, CP_P_LOW, CP_P_VLOW,
	CP_BOUNDARY, CP_TERM, CP_STOP, CP_OVERLAY, CP_NOTE, CP_RS_ON, CP_PRED, CP_WORST,
	CP_BETTER,
	CP_COUNT
};
#define UI_PAIR_FIRST_IMAGE 32

enum { W_SAMPLES = 0, W_IMAGE, W_RECORDS, W_TIMELINE, W_STATUS, W_SCREEN };

#define WIN(u, i) ((WINDOW *)(u)->win[i])

/* ---- colours ---- */

static int init_image_pair(void *ud, int pair, int fg, int bg)
{
	(void)ud;
	return init_extended_pair(pair, fg, bg) == OK ? 0 : -1;
}

void ui_colors_init(ui *u)
{
	u->color = term_colors();
	u->mode = u->color ? render_color_mode_for(COLORS) : RENDER_COLORS_NONE;
	if (!u->color)
		return;
	int grey = COLORS >= 256 ? 244 : COLOR_WHITE;
	int orange = COLORS >= 256 ? 208 : COLOR_RED;
	init_pair(CP_TITLE, COLOR_BLACK, COLOR_WHITE);
	init_pair(CP_TITLE_FOCUS, COLOR_BLACK, COLOR_CYAN);
	init_pair(CP_STATUS, COLOR_WHITE, COLOR_BLUE);
	init_pair(CP_DUP, COLOR_YELLOW, -1);
	init_pair(CP_TRUNC, COLOR_RED, -1);
	init_pair(CP_CLOSED, COLOR_GREEN, -1);
	init_pair(CP_MALFORMED, COLOR_MAGENTA, -1);
	init_pair(CP_TP, COLOR_CYAN, -1);
	init_pair(CP_FP, COLOR_RED, -1);
	init_pair(CP_GT, COLOR_GREEN, -1);
	init_pair(CP_MISS, COLOR_YELLOW, -1);
	init_pair(CP_TAIL, COLOR_MAGENTA, -1);
	init_pair(CP_CUT, grey, -1);
	init_pair(CP_DIM, grey, -1);
	init_pair(CP_P_MID, COLOR_YELLOW, -1);
	init_pair(CP_P_LOW, orange, -1);
	init_pair(CP_P_VLOW, COLOR_WHITE, COLOR_RED);
	init_pair(CP_BOUNDARY, COLOR_CYAN, -1);
	init_pair(CP_TERM, COLOR_GREEN, -1);
	init_pair(CP_STOP, COLOR_MAGENTA, -1);
	init_pair(CP_OVERLAY, COLOR_WHITE, COLOR_BLACK);
	init_pair(CP_NOTE, COLOR_YELLOW, COLOR_BLUE);
	init_pair(CP_RS_ON, COLOR_BLACK, COLOR_MAGENTA);
	init_pair(CP_PRED, COLOR_CYAN, -1);
	init_pair(CP_WORST, COLOR_WHITE, COLOR_RED);
	init_pair(CP_BETTER, COLOR_GREEN, -1);
	int limit = COLOR_PAIRS < 32767 ? COLOR_PAIRS : 32767;
	if (limit > UI_PAIR_FIRST_IMAGE)
		u->pairs = pairs_new(UI_PAIR_FIRST_IMAGE, limit, init_image_pair, NULL);
}

/* Attribute for a palette pair; `mono` is used without colours. */
static attr_t ca(const ui *u, int cp, attr_t extra, attr_t mono)
{
	if (u->color)
		return COLOR_PAIR(cp) | extra;
	return mono;
}

/* ---- text ---- */

/* Bytes of safe UTF-8 s that fit in maxw columns; *cols receives the width. */
static size_t fit(const char *s, int maxw, int *cols)
{
	size_t i = 0, n = strlen(s);
	int w = 0;
	while (i < n) {
		uint32_t cp;
		int l = sanitize_utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (l <= 0)
			break; /* cannot happen for sanitized text */
		int cw = sanitize_cp_width(cp);
		if (w + cw > maxw)
			break;
		w += cw;
		i += (size_t)l;
	}
	if (cols)
		*cols = w;
	return i;
}

/* Draws safe text at (y, x) within maxw columns; returns columns used. */
static int put(WINDOW *w, int y, int x, int maxw, const char *s, attr_t a)
{
	int cols, room = getmaxx(w) - x;
	if (maxw > room)
		maxw = room; /* never past the window's edge (it would wrap) */
	if (maxw <= 0)
		return 0;
	size_t b = fit(s, maxw, &cols);
	wattrset(w, a);
	if (b)
		mvwaddnstr(w, y, x, s, (int)b);
	wattrset(w, A_NORMAL);
	return cols;
}

/* Untrusted bytes: sanitized, then drawn. */
static int putu(WINDOW *w, int y, int x, int maxw, const char *raw, size_t len, attr_t a)
{
	char buf[512];
	if (maxw <= 0)
		return 0;
	sanitize(raw, len, buf, sizeof buf, (size_t)maxw);
	return put(w, y, x, maxw, buf, a);
}

static void fill_row(WINDOW *w, int y, int x, int n, attr_t a)
{
	wattrset(w, a);
	for (int i = 0; i < n; i++)
		mvwaddch(w, y, x + i, ' ');
	wattrset(w, A_NORMAL);
}

static void title(ui *u, WINDOW *w, int width, int focused, const char *text)
{
	attr_t a = focused ? ca(u, CP_TITLE_FOCUS, A_BOLD, A_REVERSE | A_BOLD)
	                   : ca(u, CP_TITLE, 0, A_REVERSE);
	fill_row(w, 0, 0, width, a);
	put(w, 0, 0, width, text, a);
}

/* Box lines as Unicode text, not the alternate character set (no SO/SI
 * shifts on the wire, same look in every UTF-8 terminal). */
static void vsep(WINDOW *w, int x, int h)
{
	wattrset(w, A_NORMAL);
	for (int y = 0; y < h; y++)
		mvwaddstr(w, y, x, "│");
}

/* ---- hits (mouse) ---- */

static void hits_clear(ui *u, int kind)
{
	size_t k = 0;
	for (size_t i = 0; i < u->n_hits; i++)
		if (u->hits[i].kind != kind)
			u->hits[k++] = u->hits[i];
	u->n_hits = k;
}

static void hit_add(ui *u, int y, int x0, int x1, int kind, long value)
{
	if (u->n_hits == u->cap_hits) {
		size_t nc = u->cap_hits ? 2 * u->cap_hits : 256;
		ui_hit *nh = realloc(u->hits, nc * sizeof *nh);
		if (!nh)
			return;
		u->hits = nh;
		u->cap_hits = nc;
	}
	u->hits[u->n_hits++] = (ui_hit){y, x0, x1, kind, value};
}

/* ---- windows ---- */

static void free_windows(ui *u)
{
	for (int i = 0; i < UI_N_WIN; i++)
		if (u->win[i]) {
			delwin(WIN(u, i));
			u->win[i] = NULL;
		}
}

static void *mk(const ui_rect *r)
{
	if (r->h <= 0 || r->w <= 0)
		return NULL;
	return newwin(r->h, r->w, r->y, r->x);
}

void ui_resize(ui *u)
{
	free_windows(u);
	ui_layout_compute(LINES, COLS, &u->lay);
	u->img_valid = 0;
	u->n_hits = 0;
	if (u->lay.too_small)
		return;
	u->win[W_SAMPLES] = mk(&u->lay.samples);
	u->win[W_IMAGE] = mk(&u->lay.image);
	u->win[W_RECORDS] = mk(&u->lay.records);
	u->win[W_TIMELINE] = mk(&u->lay.timeline);
	u->win[W_STATUS] = mk(&u->lay.status);
	ui_rect full = {0, 0, u->lay.rows - 1, u->lay.cols};
	u->win[W_SCREEN] = mk(&full);
	for (int i = 0; i < UI_N_WIN; i++)
		if (u->win[i])
			leaveok(WIN(u, i), TRUE);
}

/* ---- samples pane ---- */

static void term_badge(const ui *u, const slist_item *it, const char **txt, attr_t *a)
{
	if (!it->ready) {
		*txt = "…";
		*a = ca(u, CP_DIM, 0, A_DIM);
	} else if (it->failed) {
		*txt = "!";
		*a = ca(u, CP_FP, A_BOLD, A_BOLD);
	} else if (it->term == SLIST_TERM_CLOSED) {
		*txt = "C";
		*a = ca(u, CP_CLOSED, 0, A_NORMAL);
	} else if (it->term == SLIST_TERM_TRUNCATED) {
		*txt = "T";
		*a = ca(u, CP_TRUNC, A_BOLD, A_BOLD);
	} else {
		*txt = "M";
		*a = ca(u, CP_MALFORMED, A_BOLD, A_BOLD);
	}
}

static void draw_samples(ui *u)
{
	WINDOW *w = WIN(u, W_SAMPLES);
	session_run *r = session_cur(u->s);
	int H = u->lay.samples.h, W = u->lay.samples.w - 1;
	char buf[256];

	werase(w);
	vsep(w, W, H);
	hits_clear(u, UI_HIT_SAMPLE);
	if (!r) {
		title(u, w, W, 0, " Samples");
		return;
	}
	slist *l = &r->list;
	if (l->filter.kind != SLIST_FILTER_NONE)
		snprintf(buf, sizeof buf, " Samples %zu/%zu  %s  /%s%s", l->n_view, r->n,
		         slist_sort_name(l->sort),
		         l->filter.kind == SLIST_FILTER_DUP ? "dup" :
		         l->filter.kind == SLIST_FILTER_TRUNC ? "trunc" :
		         l->filter.kind == SLIST_FILTER_LABEL ? "label:" : "",
		         l->filter.text);
	else
		snprintf(buf, sizeof buf, " Samples %zu  sort: %s", r->n, slist_sort_name(l->sort));
	char safe[256];
	sanitize_cstr(buf, safe, sizeof safe, 0);
	title(u, w, W, u->focus == UI_PANE_SAMPLES, safe);

	int nw = W - 19;
	if (nw < 4)
		nw = 4;
	/* column heads */
	snprintf(buf, sizeof buf, "%-*s %4s %3s %3s %s %3s", nw, "sample", "rec", "dup", "rep", "T", "F1");
	put(w, 1, 0, W, buf, A_BOLD);
	size_t rows = H > 2 ? (size_t)(H - 2) : 1;
	listcur_scroll(&l->cur, l->n_view, rows);
	for (size_t k = 0; k < rows && l->cur.top + k < l->n_view; k++) {
		size_t row = l->cur.top + k;
		size_t idx = l->view[row];
		const slist_item *it = &r->items[idx];
		int y = 2 + (int)k;
		int sel = row == l->cur.sel;
		attr_t base = sel ? A_REVERSE : A_NORMAL;
		if (sel)
			fill_row(w, y, 0, W, base);
		char name[64];
		if (it->name)
			snprintf(name, sizeof name, "%s", it->name);
		else
			snprintf(name, sizeof name, "line %zu", trace_index_lineno(r->ix, idx));
		int x = 0;
		x += put(w, y, x, nw, name, base);
		x = nw + 1;
		const char *tt;
		attr_t ta;
		term_badge(u, it, &tt, &ta);
		if (it->ready && !it->failed) {
			snprintf(buf, sizeof buf, "%4zu", it->records);
			put(w, y, x, 4, buf, base);
			snprintf(buf, sizeof buf, "%3zu", it->dups);
			put(w, y, x + 5, 3, buf, sel ? base : it->dups ? ca(u, CP_DUP, A_BOLD, A_BOLD) : base);
			snprintf(buf, sizeof buf, "×%-2zu", it->max_repeat);
			if (it->max_repeat > 99)
				snprintf(buf, sizeof buf, "×99");
			put(w, y, x + 9, 3, buf, sel ? base : it->max_repeat > 1 ? ca(u, CP_DUP, A_BOLD, A_BOLD) : base);
			put(w, y, x + 13, 1, tt, sel ? base | A_BOLD : ta);
			if (it->has_f1) {
				if (it->f1 >= 0.995)
					snprintf(buf, sizeof buf, "1.0");
				else
					snprintf(buf, sizeof buf, ".%02d", (int)lround(it->f1 * 100));
			} else {
				snprintf(buf, sizeof buf, "  -");
			}
			put(w, y, x + 15, 3, buf, base);
		} else {
			put(w, y, x, W - x, it->failed ? "   error" : "      …", sel ? base : ta);
		}
		hit_add(u, u->lay.samples.y + y, u->lay.samples.x, u->lay.samples.x + W, UI_HIT_SAMPLE,
		        (long)row);
	}
	if (l->n_view == 0)
		put(w, 2, 1, W - 1, r->n ? "no sample matches the filter" : "no samples", ca(u, CP_DIM, 0, A_DIM));
}

/* ---- records pane ---- */

/* The shown policy's name: "repeat-stop" (as in the status bar) or the
 * canonical name of the one `o` selected ("budget:12", "dedup"). */
static void policy_label(const ui *u, char *out, size_t outsz)
{
	if (u->pol_idx == COMPARE_POL_REPEAT_STOP || !u->s)
		snprintf(out, outsz, "repeat-stop");
	else
		session_policy_name(u->s, u->s->pol, out, outsz);
}

static void fmt_num(double v, char *out, size_t outsz)
{
	if (fabs(v) < 1e7 && v == floor(v))
		snprintf(out, outsz, "%.0f", v);
	else
		snprintf(out, outsz, "%.4g", v);
}

static void draw_records(ui *u)
{
	WINDOW *w = WIN(u, W_RECORDS);
	int H = u->lay.records.h, W = u->lay.records.w;
	session_view *v = &u->s->view;
	char buf[256];

	werase(w);
	hits_clear(u, UI_HIT_RECORD);
	if (!v->valid) {
		title(u, w, W, u->focus == UI_PANE_RECORDS, " Records");
		return;
	}
	if (v->failed || !v->s) {
		title(u, w, W, u->focus == UI_PANE_RECORDS, " Records");
		put(w, 2, 1, W - 2, "cannot show this sample:", ca(u, CP_FP, A_BOLD, A_BOLD));
		/* error text is already sanitized; wrap it over a few lines */
		const char *e = v->error;
		for (int y = 3; y < H && *e; y++) {
			size_t b = fit(e, W - 2, NULL);
			if (b == 0)
				break;
			char line[512];
			snprintf(line, sizeof line, "%.*s", (int)b, e);
			put(w, y, 1, W - 2, line, A_NORMAL);
			e += b;
		}
		return;
	}
	const sample *sm = v->s;
	const record *recs = sample_records(sm);
	const sample_rec *ri = sample_rec_info(sm);
	const replay *rp = &v->rp;
	size_t n = rp->n_rec, vis = replay_visible(rp);
	const repeat_stats *rep = sample_repeat(sm);
	int has_gt = sample_has_gt(sm);
	int cut = rp->policy_on && rp->fired && rp->kept < n;
	int dedup = rp->policy_on && rp->drop_dups;
	char pname[64];
	policy_label(u, pname, sizeof pname);

	int tl = snprintf(buf, sizeof buf, " Records %zu/%zu shown", vis, n);
	if (rep->tail_start >= 0 && tl > 0)
		tl += snprintf(buf + tl, sizeof buf - (size_t)tl, "  tail #%ld+", rep->tail_start + 1);
	if (cut && tl > 0)
		snprintf(buf + tl, sizeof buf - (size_t)tl, "  kept %zu", rp->kept);
	else if (dedup && tl > 0)
		snprintf(buf + tl, sizeof buf - (size_t)tl, "  dedup keeps %zu", v->on.rep.records);
	title(u, w, W, u->focus == UI_PANE_RECORDS, buf);

	size_t rows = H > 1 ? (size_t)(H - 1) : 1;
	size_t total_rows = n + (cut ? 1 : 0);
	/* display row of the selected record */
	size_t sel = u->rec.sel < n ? u->rec.sel : 0;
	size_t srow = sel + (cut && sel >= rp->kept ? 1 : 0);
	if (srow < u->rec.top)
		u->rec.top = srow;
	if (srow >= u->rec.top + rows)
		u->rec.top = srow - rows + 1;
	if (total_rows >= rows && u->rec.top > total_rows - rows)
		u->rec.top = total_rows - rows;
	if (total_rows < rows)
		u->rec.top = 0;

	int lw = W / 4;
	if (lw < 6)
		lw = 6;
	if (lw > 20)
		lw = 20;
	for (size_t k = 0; k < rows; k++) {
		size_t drow = u->rec.top + k;
		if (drow >= total_rows)
			break;
		int y = 1 + (int)k;
		if (cut && drow == rp->kept) {
			snprintf(buf, sizeof buf, "┄┄ %s: cut at step %ld ┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄", pname,
			         rp->stop_step + 1);
			put(w, y, 0, W, buf, ca(u, CP_STOP, A_BOLD, A_BOLD));
			continue;
		}
		size_t i = cut && drow > rp->kept ? drow - 1 : drow;
		int dropped = replay_dropped(rp, i);
		int pending = !dropped && i >= vis;
		int selected = i == sel;
		attr_t base = dropped ? ca(u, CP_CUT, A_DIM, A_DIM)
		            : pending ? ca(u, CP_DIM, 0, A_DIM) : A_NORMAL;
		if (selected)
			base = (base & ~A_COLOR) | A_REVERSE;
		if (selected)
			fill_row(w, y, 0, W, base);
		int x = 0;
		/* tail block in the gutter */
		if (ri[i].in_tail)
			put(w, y, x, 1, "▐", ca(u, CP_TAIL, A_BOLD, A_BOLD));
		x = 1;
		snprintf(buf, sizeof buf, "%4zu ", i + 1);
		x += put(w, y, x, W - x, buf, base);
		int lx = x;
		x += putu(w, y, x, lw, recs[i].label, recs[i].label_len, selected ? base : base | A_BOLD);
		x = lx + lw + 1;
		char a[32], b[32], c[32], d[32];
		fmt_num(recs[i].v[0], a, sizeof a);
		fmt_num(recs[i].v[1], b, sizeof b);
		fmt_num(recs[i].v[2], c, sizeof c);
		fmt_num(recs[i].v[3], d, sizeof d);
		snprintf(buf, sizeof buf, "%s,%s,%s,%s ", a, b, c, d);
		x += put(w, y, x, W - x, buf, base);
		/* match state */
		const char *ms = NULL;
		attr_t ma = base;
		match_state mst = dedup && v->dd_match ? v->dd_match[i] : ri[i].match[0];
		if (dropped) {
			ms = dedup ? "drop " : "cut ";
		} else if (pending) {
			ms = "… ";
		} else if (has_gt) {
			if (mst == MATCH_TP) {
				ms = "TP ";
				ma = ca(u, CP_TP, A_BOLD, A_BOLD);
			} else if (mst == MATCH_FP) {
				ms = "FP ";
				ma = ca(u, CP_FP, A_BOLD, A_BOLD);
			} else {
				ms = "ign ";
			}
		}
		if (ms)
			x += put(w, y, x, W - x, ms, selected ? base : ma);
		if (ri[i].dup_of >= 0) {
			snprintf(buf, sizeof buf, "=#%ld %u/%u", ri[i].dup_of + 1, ri[i].occurrence,
			         ri[i].total);
			put(w, y, x, W - x, buf, selected ? base : dropped || pending ? base : ca(u, CP_DUP, A_BOLD, A_BOLD));
		} else if (ri[i].total > 1) {
			snprintf(buf, sizeof buf, "×%u", ri[i].total);
			put(w, y, x, W - x, buf, selected ? base : ca(u, CP_DUP, 0, A_NORMAL));
		}
		hit_add(u, u->lay.records.y + y, u->lay.records.x, u->lay.records.x + W, UI_HIT_RECORD,
		        (long)i);
	}
	if (n == 0)
		put(w, 2, 1, W - 2, "no complete record", ca(u, CP_DIM, 0, A_DIM));
}

/* ---- image pane ---- */

/* Copies the grid into the window.  Returns -1 when the pair budget filled
 * up (nothing is left half-drawn only if the caller redraws), unless
 * `degrade`: then cells that get no pair use the default colours. */
static int blit(ui *u, WINDOW *w, const render_grid *g, int y0, int x0, int degrade)
{
	int short_of_pairs = 0;
	for (int r = 0; r < g->rows; r++)
		for (int c = 0; c < g->cols; c++) {
			const render_cell *cell = &g->cells[(size_t)r * (size_t)g->cols + (size_t)c];
			attr_t a = A_NORMAL;
			int pair = 0;
			if (cell->attr & RENDER_ATTR_BOLD)
				a |= A_BOLD;
			if (u->mode == RENDER_COLORS_NONE || !u->pairs) {
				if (cell->attr & RENDER_ATTR_REVERSE)
					a |= A_REVERSE;
			} else {
				int fg, bg;
				if (u->mode == RENDER_COLORS_TRUECOLOR) {
					fg = pairs_direct_color(cell->fg);
					bg = pairs_direct_color(cell->bg);
				} else {
					fg = cell->fg_idx;
					bg = cell->bg_idx;
				}
				if (fg >= COLORS)
					fg = -1;
				if (bg >= COLORS)
					bg = -1;
				pair = pairs_get(u->pairs, fg, bg);
				if (pair < 0) {
					if (!degrade)
						return -1; /* budget full: caller resets and redraws */
					pair = 0;
					short_of_pairs = 1;
				}
			}
			wchar_t wc[2] = {(wchar_t)(cell->ch ? cell->ch : ' '), 0};
			cchar_t cc;
			if (wc[0] < 0x20 || wc[0] == 0x7f || (wc[0] >= 0x80 && wc[0] < 0xa0))
				wc[0] = ' '; /* never a control, whatever the renderer says */
			setcchar(&cc, wc, a, 0, NULL);
			/* pair numbers above SHRT_MAX go through the extended field */
			cc.ext_color = pair;
			mvwadd_wch(w, y0 + r, x0 + c, &cc);
		}
	return short_of_pairs ? 1 : 0;
}

static void draw_image(ui *u, int force)
{
	WINDOW *w = WIN(u, W_IMAGE);
	int H = u->lay.image.h, W = u->lay.image.w - 1;
	session_view *v = &u->s->view;
	char buf[256];
	if (!w)
		return;
	const render_box *boxes;
	size_t nb = ui_boxes(u, &boxes);
	int blank = 0;
	const render_image *img = v->valid ? ui_image_source(u, &blank) : NULL;
	uint64_t serial = img ? img->serial : 0;
	unsigned gen = u->pairs ? pairs_generation(u->pairs) : 0;

	if (!force && u->img_valid && u->img_n == nb && u->img_serial == serial && u->img_h == H &&
	    u->img_w == W && u->img_gen == gen &&
	    (nb == 0 || !memcmp(u->img_boxes, boxes, nb * sizeof *boxes)))
		return; /* same frame: leave the window alone */

	werase(w);
	vsep(w, W, H);
	if (!v->valid) {
		title(u, w, W, 0, " Image");
	} else {
		const char *what = !blank ? ""
		                 : v->image_path[0] ? "image not loaded"
		                 : v->size_assumed ? "no image: 1000×1000 canvas"
		                 : "no image file";
		if (img && !blank)
			snprintf(buf, sizeof buf, " Image %s  %u×%u  %zu box%s", v->image_id, img->w, img->h,
			         nb, nb == 1 ? "" : "es");
		else
			snprintf(buf, sizeof buf, " Image %s  (%s)  %zu box%s", v->image_id, what, nb,
			         nb == 1 ? "" : "es");
		title(u, w, W, 0, buf);
	}
	if (img && H > 1 && W > 1) {
		render_opts o;
		render_grid *g = NULL;
		ts_error e;
		render_opts_default(&o);
		o.max_cols = W;
		o.max_rows = H - 1;
		o.mode = u->mode;
		if (!u->rcache)
			u->rcache = render_cache_new(16);
		if (render_frame(u->rcache, img, boxes, nb, &o, &g, &e) == TS_OK && g) {
			int y0 = 1 + (H - 1 - g->rows) / 2, x0 = (W - g->cols) / 2;
			if (blit(u, w, g, y0, x0, 0) != 0) {
				/* budget full: forget every image pair and draw the whole
				 * image again, so no cell keeps a pair that gets redefined */
				pairs_reset(u->pairs);
				gen = pairs_generation(u->pairs);
				if (blit(u, w, g, y0, x0, 1) != 0)
					ui_note(u, "image: more colour combinations than this terminal's %d pairs; some cells in default colours",
					        COLOR_PAIRS);
			}
			render_grid_free(g);
			u->img_frames++;
		} else {
			char msg[TS_ERROR_MSG_MAX];
			sanitize_cstr(e.msg, msg, sizeof msg, 200);
			put(w, 2, 1, W - 2, msg, ca(u, CP_FP, 0, A_BOLD));
		}
		if (blank && v->img_error[0])
			put(w, H - 1, 1, W - 2, v->img_error, ca(u, CP_DIM, 0, A_DIM));
	} else if (v->valid && !v->failed) {
		put(w, 2, 1, W - 2, v->img_error[0] ? v->img_error : "no image", ca(u, CP_DIM, 0, A_DIM));
	}
	/* remember what is on screen */
	if (nb > u->img_cap) {
		render_box *nbx = realloc(u->img_boxes, nb * sizeof *nbx);
		if (!nbx) {
			u->img_valid = 0;
			return;
		}
		u->img_boxes = nbx;
		u->img_cap = nb;
	}
	if (nb)
		memcpy(u->img_boxes, boxes, nb * sizeof *boxes);
	u->img_n = nb;
	u->img_serial = serial;
	u->img_h = H;
	u->img_w = W;
	u->img_gen = gen;
	u->img_valid = 1;
	wnoutrefresh(w);
}

/* ---- timeline ---- */

static const char *const spark_chars[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

static attr_t prob_attr(const ui *u, double lp, int after_stop)
{
	if (after_stop)
		return ca(u, CP_DIM, 0, A_DIM);
	if (isnan(lp))
		return A_NORMAL;
	double p = exp(lp);
	if (p >= 0.9)
		return A_NORMAL;
	if (p >= 0.5)
		return ca(u, CP_P_MID, 0, A_NORMAL);
	if (p >= 0.2)
		return ca(u, CP_P_LOW, A_BOLD, A_UNDERLINE);
	return ca(u, CP_P_VLOW, A_BOLD, A_UNDERLINE | A_BOLD);
}

/* Token display text (sanitized; blanks made visible). */
static void token_text(const trace *t, size_t k, char *out, size_t outsz)
{
	const trace_step *st = &trace_steps(t)[k];
	const char *s = trace_text(t) + st->off;
	int blank = 1;
	if (st->len == 0) {
		snprintf(out, outsz, "∅");
		return;
	}
	for (uint32_t i = 0; i < st->len; i++)
		if (s[i] != ' ')
			blank = 0;
	if (blank) {
		size_t n = 0;
		out[0] = 0;
		for (uint32_t i = 0; i < st->len && n + 3 < outsz && i < 8; i++) {
			memcpy(out + n, "·", 2);
			n += 2;
		}
		out[n] = 0;
		return;
	}
	sanitize(s, st->len, out, outsz, 24);
}

/* 1 when a record completes at step k. */
static int is_boundary(const replay *rp, long k)
{
	size_t i = replay_records_upto(rp, k);
	return i > 0 && (long)rp->rec_last[i - 1] == k;
}

static void draw_timeline(ui *u)
{
	WINDOW *w = WIN(u, W_TIMELINE);
	int H = u->lay.timeline.h, W = u->lay.timeline.w;
	session_view *v = &u->s->view;
	char buf[512];

	werase(w);
	hits_clear(u, UI_HIT_STEP);
	if (!v->valid || v->failed || !v->s) {
		title(u, w, W, u->focus == UI_PANE_TIMELINE, " Timeline");
		return;
	}
	const trace *t = v->t;
	const trace_step *steps = trace_steps(t);
	replay *rp = &v->rp;
	long N = rp->n_steps, cur = rp->cursor;
	int stop_on = rp->policy_on && rp->fired;
	char pname[64];
	policy_label(u, pname, sizeof pname);

	/* header */
	int n = snprintf(buf, sizeof buf, " Timeline  step %ld/%ld", cur + 1, replay_len(rp));
	if (cur >= 0 && cur < N && !isnan(steps[cur].logprob) && n > 0)
		n += snprintf(buf + n, sizeof buf - (size_t)n, "  p %.2f (logprob %.2f)",
		              exp(steps[cur].logprob), steps[cur].logprob);
	long ra = replay_record_at(rp, cur);
	if (ra >= 0 && n > 0)
		n += snprintf(buf + n, sizeof buf - (size_t)n, "  in record #%ld", ra + 1);
	if (n > 0) {
		if (stop_on)
			snprintf(buf + n, sizeof buf - (size_t)n, "  ✂ %s at %ld of %ld", pname,
			         rp->stop_step + 1, N);
		else if (rp->closed)
			snprintf(buf + n, sizeof buf - (size_t)n, "  ■ closed at %ld", rp->term_step + 1);
		else
			snprintf(buf + n, sizeof buf - (size_t)n, "  ■ %s at %ld%s",
			         termination_name(sample_termination(v->s)), N,
			         rp->tail_first >= 0 ? " (repeated tail)" : "");
	}
	title(u, w, W, u->focus == UI_PANE_TIMELINE, buf);
	if (N <= 0) {
		put(w, 1, 1, W - 2, "no tokens", ca(u, CP_DIM, 0, A_DIM));
		return;
	}

	/* tokens around the cursor */
	int tr = H - 4;
	if (tr < 1)
		tr = 1;
	long budget = (long)tr * W / 2;
	long start = cur, acc = 0;
	char tok[256];
	while (start > 0) {
		token_text(t, (size_t)(start - 1), tok, sizeof tok);
		long tw = (long)sanitize_width(tok, strlen(tok)) + (is_boundary(rp, start - 1) ? 1 : 0);
		if (acc + tw > budget)
			break;
		acc += tw;
		start--;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		int y = 1, x = 0, placed = 0;
		for (int yy = 1; yy <= tr; yy++)
			wmove(w, yy, 0), wclrtoeol(w);
		hits_clear(u, UI_HIT_STEP);
		for (long k = start; k < N && y <= tr; k++) {
			token_text(t, (size_t)k, tok, sizeof tok);
			int tw = (int)sanitize_width(tok, strlen(tok));
			int bnd = is_boundary(rp, k);
			int term = (!stop_on && ((rp->closed && k == rp->term_step) || (!rp->closed && k == N - 1)));
			int stop = stop_on && k == rp->stop_step;
			int extra = bnd + term + stop;
			if (x > 0 && x + tw + extra > W) {
				y++;
				x = 0;
				if (y > tr)
					break;
			}
			attr_t a = prob_attr(u, steps[k].logprob, stop_on && k > rp->stop_step);
			if (k == cur) {
				a = (a & ~A_COLOR) | A_REVERSE | A_BOLD;
				placed = 1;
			}
			int x0 = x;
			x += put(w, y, x, W - x, tok, a);
			hit_add(u, u->lay.timeline.y + y, u->lay.timeline.x + x0, u->lay.timeline.x + x,
			        UI_HIT_STEP, k);
			if (bnd && x < W)
				x += put(w, y, x, 1, "│", ca(u, CP_BOUNDARY, A_BOLD, A_BOLD));
			if (term && x < W)
				x += put(w, y, x, 1, "■", ca(u, rp->closed ? CP_TERM : CP_TRUNC, A_BOLD, A_BOLD));
			if (stop && x < W)
				x += put(w, y, x, 1, "✂", ca(u, CP_STOP, A_BOLD, A_BOLD));
		}
		if (placed || start == cur)
			break;
		start = cur; /* long tokens pushed the cursor out: start at it */
	}

	/* alternatives at the cursor */
	int ya = H - 3 >= 2 ? H - 3 : -1;
	if (ya > 0 && cur >= 0) {
		const trace_step *st = &steps[cur];
		int x = put(w, ya, 0, W, " alts ", A_BOLD);
		if (st->n_alt == 0) {
			put(w, ya, x, W - x, trace_has_alts(t) ? "none recorded at this step" : "none in this trace",
			    ca(u, CP_DIM, 0, A_DIM));
		} else {
			const trace_alt *alts = trace_alts(t) + st->alt_first;
			const char *at = trace_alt_text(t);
			for (uint32_t k = 0; k < st->n_alt && x < W - 4; k++) {
				char tx[64];
				sanitize(at + alts[k].off, alts[k].len, tx, sizeof tx, 14);
				int cl = conf_is_end_token(at + alts[k].off, alts[k].len,
				                           sample_key(v->s) == REC_KEY_LOC);
				if (isnan(alts[k].logprob))
					snprintf(buf, sizeof buf, "'%s' ?", tx);
				else
					snprintf(buf, sizeof buf, "'%s' %.0f%%", tx, 100 * exp(alts[k].logprob));
				x += put(w, ya, x, W - x, buf, cl ? ca(u, CP_TERM, A_BOLD, A_BOLD) : A_NORMAL);
				x += put(w, ya, x, W - x, "  ", A_NORMAL);
			}
		}
	}
	/* P(close) after the records decoded so far (latest at the right) */
	int yp = H - 2 >= 2 ? H - 2 : -1;
	if (yp > 0) {
		int x = put(w, yp, 0, W, " P(close) ", A_BOLD);
		if (!trace_has_alts(t)) {
			put(w, yp, x, W - x, "needs alternatives (top_logprobs) in the trace", ca(u, CP_DIM, 0, A_DIM));
		} else {
			size_t upto = replay_visible(rp);
			/* how many fit: walk back from the latest */
			size_t first = upto;
			int need = 0;
			while (first > 0) {
				double p = session_view_closep(u->s, first - 1);
				int l = snprintf(buf, sizeof buf, "#%zu %s%.0f%%  ", first, isnan(p) ? "?" : "",
				                 isnan(p) ? 0.0 : 100 * p);
				if (x + need + l > W)
					break;
				need += l;
				first--;
			}
			if (upto == 0)
				put(w, yp, x, W - x, "no record completed yet", ca(u, CP_DIM, 0, A_DIM));
			for (size_t i = first; i < upto; i++) {
				double p = session_view_closep(u->s, i);
				if (isnan(p))
					snprintf(buf, sizeof buf, "#%zu ?  ", i + 1);
				else
					snprintf(buf, sizeof buf, "#%zu %.0f%%  ", i + 1, 100 * p);
				attr_t a = !isnan(p) && p >= 0.1 ? ca(u, CP_TERM, A_BOLD, A_BOLD) : A_NORMAL;
				x += put(w, yp, x, W - x, buf, a);
			}
		}
	}
	/* sparkline of per-step probability over the whole trace */
	int ys = H - 1;
	if (ys >= 1) {
		int x0 = put(w, ys, 0, W, " logp ", A_BOLD);
		int cols = W - x0 - 1;
		if (cols > N)
			cols = (int)N;
		if (cols < 1)
			return;
		int any = trace_has_logprobs(t);
		long cur_col = cur * cols / N;
		long stop_col = stop_on ? rp->stop_step * cols / N : -1;
		long term_col = (rp->closed ? rp->term_step : N - 1) * cols / N;
		for (int c = 0; c < cols; c++) {
			long a = (long)c * N / cols, b = (long)(c + 1) * N / cols;
			if (b <= a)
				b = a + 1;
			double pmin = NAN;
			for (long k = a; k < b && k < N; k++) {
				double lp = steps[k].logprob;
				if (isnan(lp))
					continue;
				double p = exp(lp);
				if (isnan(pmin) || p < pmin)
					pmin = p;
			}
			const char *ch = any ? (isnan(pmin) ? " " : spark_chars[(int)(pmin * 7.999)]) : "─";
			attr_t at = A_NORMAL;
			if (!isnan(pmin) && pmin < 0.2)
				at = ca(u, CP_P_LOW, 0, A_NORMAL);
			if (c == term_col)
				at = ca(u, rp->closed ? CP_TERM : CP_TRUNC, A_BOLD, A_BOLD);
			if (c == stop_col)
				at = ca(u, CP_STOP, A_BOLD, A_BOLD);
			if (stop_on && c > stop_col)
				at = ca(u, CP_DIM, 0, A_DIM);
			if (c == cur_col)
				at = A_REVERSE | A_BOLD;
			put(w, ys, x0 + c, 1, ch, at);
			hit_add(u, u->lay.timeline.y + ys, u->lay.timeline.x + x0 + c,
			        u->lay.timeline.x + x0 + c + 1, UI_HIT_STEP, a);
		}
	}
}

/* ---- status bar ---- */

static void draw_status(ui *u)
{
	WINDOW *w = WIN(u, W_STATUS);
	int W = u->lay.status.w;
	session_run *r = session_cur(u->s);
	session_view *v = &u->s->view;
	attr_t base = ca(u, CP_STATUS, 0, A_REVERSE);
	char buf[1024];

	werase(w);
	fill_row(w, 0, 0, W, base);
	if (u->overlay == UI_OV_FILTER) {
		char safe[SLIST_FILTER_TEXT_MAX * 4];
		sanitize(u->filter, u->filter_len, safe, sizeof safe, 0);
		snprintf(buf, sizeof buf, " /%s█   Enter apply · Esc cancel · dup, trunc, label:TEXT, or text", safe);
		put(w, 0, 0, W, buf, base | A_BOLD);
		return;
	}
	/* pieces, most important first in what survives a narrow terminal */
	char sample_s[64] = "", step_s[64] = "", term_s[96] = "", run_s[300] = "", img_s[128] = "",
	     play_s[48] = "", prog_s[64] = "";
	if (r) {
		slist *l = &r->list;
		if (l->filter.kind != SLIST_FILTER_NONE)
			snprintf(sample_s, sizeof sample_s, "sample %zu/%zu (of %zu)",
			         l->n_view ? l->cur.sel + 1 : 0, l->n_view, r->n);
		else
			snprintf(sample_s, sizeof sample_s, "sample %zu/%zu", l->n_view ? l->cur.sel + 1 : 0,
			         l->n_view);
		snprintf(run_s, sizeof run_s, "%s", r->name);
		if (u->s->n_runs > 1)
			snprintf(run_s, sizeof run_s, "%s [%zu/%zu]", r->name, u->s->cur + 1, u->s->n_runs);
		if (!session_idle_done(u->s)) {
			size_t done = 0, all = 0;
			for (size_t k = 0; k < u->s->n_runs; k++) {
				done += u->s->runs[k].n_done;
				all += u->s->runs[k].n;
			}
			snprintf(prog_s, sizeof prog_s, "analysing %zu%%", all ? done * 100 / all : 100);
		}
	}
	char pname[64], pol_s[80] = "";
	session_policy_name(u->s, u->s->pol, pname, sizeof pname);
	int rs_on = u->pol_idx == COMPARE_POL_REPEAT_STOP;
	if (u->pol_idx != COMPARE_POL_OFF && !rs_on)
		snprintf(pol_s, sizeof pol_s, "policy: %s", pname);
	if (u->screen != UI_SCREEN_MAIN) {
		/* comparison / diff: what is selected there instead of the sample */
		if (u->screen == UI_SCREEN_COMPARE) {
			snprintf(sample_s, sizeof sample_s, "compare: run %zu/%zu",
			         u->s->n_runs ? u->cmp.sel + 1 : 0, u->s->n_runs);
			if (u->cmp.sel < u->s->n_runs)
				snprintf(run_s, sizeof run_s, "%s", u->s->runs[u->cmp.sel].name);
		} else {
			snprintf(sample_s, sizeof sample_s, "diff: row %zu/%zu",
			         u->diff.n ? u->dcur.sel + 1 : 0, u->diff.n);
			if (u->diff_a < u->s->n_runs && u->diff_b < u->s->n_runs)
				snprintf(run_s, sizeof run_s, "%s → %s", u->s->runs[u->diff_a].name,
				         u->s->runs[u->diff_b].name);
		}
	} else if (v->valid) {
		snprintf(img_s, sizeof img_s, "image %s", v->image_id);
		if (v->failed || !v->s) {
			snprintf(step_s, sizeof step_s, "step 0/0");
			snprintf(term_s, sizeof term_s, "error");
		} else {
			snprintf(step_s, sizeof step_s, "step %ld/%ld", v->rp.cursor + 1, replay_len(&v->rp));
			if (v->rp.policy_on && v->rp.fired)
				snprintf(term_s, sizeof term_s, "closed (%s)", rs_on ? "repeat-stop" : pname);
			else
				snprintf(term_s, sizeof term_s, "%s", termination_name(sample_termination(v->s)));
		}
	}
	if (u->playing)
		snprintf(play_s, sizeof play_s, "▶ %d/s", ui_speed(u));
	const char *rs = rs_on ? "repeat-stop: on" : "repeat-stop: off";

	/* essentials: sample, step, repeat-stop, termination; then run, image,
	 * play, progress, note — dropped from the end when there is no room */
	const char *opt_after[] = {play_s, prog_s};
	int x = 1;
	int ess = (int)(strlen(sample_s) + strlen(step_s) + strlen(rs) + strlen(term_s) +
	                strlen(pol_s)) + 15;
	int room = W - ess;
	int show_run = run_s[0] && (int)sanitize_width(run_s, strlen(run_s)) + 3 <= room;
	if (show_run)
		room -= (int)sanitize_width(run_s, strlen(run_s)) + 3;
	if (show_run) {
		x += put(w, 0, x, W - x, run_s, base | A_BOLD);
		x += put(w, 0, x, W - x, " │ ", base);
	}
	if (sample_s[0]) {
		x += put(w, 0, x, W - x, sample_s, base);
		x += put(w, 0, x, W - x, " │ ", base);
	}
	int show_img = img_s[0] && (int)sanitize_width(img_s, strlen(img_s)) + 3 <= room;
	if (show_img) {
		room -= (int)sanitize_width(img_s, strlen(img_s)) + 3;
		x += put(w, 0, x, W - x, img_s, base);
		x += put(w, 0, x, W - x, " │ ", base);
	}
	if (step_s[0]) {
		x += put(w, 0, x, W - x, step_s, base);
		x += put(w, 0, x, W - x, " │ ", base);
	}
	x += put(w, 0, x, W - x, rs, rs_on ? ca(u, CP_RS_ON, A_BOLD, A_BOLD | A_REVERSE) : base | A_BOLD);
	if (pol_s[0]) {
		x += put(w, 0, x, W - x, " │ ", base);
		x += put(w, 0, x, W - x, pol_s, ca(u, CP_RS_ON, A_BOLD, A_BOLD | A_REVERSE));
	}
	if (term_s[0]) {
		x += put(w, 0, x, W - x, " │ ", base);
		attr_t ta = base;
		if (!strcmp(term_s, "truncated") || !strcmp(term_s, "error"))
			ta = base | A_BOLD;
		x += put(w, 0, x, W - x, term_s, ta);
	}
	for (size_t k = 0; k < sizeof opt_after / sizeof opt_after[0]; k++) {
		const char *p = opt_after[k];
		if (!p[0] || (int)sanitize_width(p, strlen(p)) + 3 > W - x)
			continue;
		x += put(w, 0, x, W - x, " │ ", base);
		x += put(w, 0, x, W - x, p, base);
	}
	/* the latest note, or the latest session message */
	if (u->s->msg_serial != u->note_serial) {
		u->note_serial = u->s->msg_serial;
		const char *m = session_last_msg(u->s);
		if (m)
			snprintf(u->note, sizeof u->note, "%s", m);
	}
	if (u->note[0] && W - x > 8) {
		x += put(w, 0, x, W - x, " │ ", base);
		put(w, 0, x, W - x, u->note, ca(u, CP_NOTE, A_BOLD, A_BOLD | A_REVERSE));
	}
}

/* ---- comparison screen ---- */

#define CMP_COLS 6

/* Column c of the comparison for run r under policy index p: value and
 * whether it exists (F1 needs ground truth and the threshold). */
static int cmp_value(const session_run *r, int c, size_t p, double *v)
{
	const run_metrics *m = &r->m[p];
	switch (c) {
	case 0:
	case 1:
		if (!r->g || (size_t)c >= m->n_iou)
			return 0;
		*v = m->prf[c].f1;
		return 1;
	case 2:
		*v = m->duplicate_rate;
		return 1;
	case 3:
		*v = (double)m->max_repeat;
		return 1;
	case 4:
		*v = m->termination_rate;
		return 1;
	default:
		*v = (double)m->tokens;
		return 1;
	}
}

static int cmp_higher_worse(int c)
{
	return c == 2 || c == 3 || c == 5;
}

static int cmp_decimals(int c)
{
	return c == 3 || c == 5 ? 0 : 3;
}

static int run_complete(const session_run *r)
{
	return r->n_done == r->n;
}

static void draw_compare(ui *u)
{
	WINDOW *w = WIN(u, W_SCREEN);
	session *s = u->s;
	int H = u->lay.rows - 1, W = u->lay.cols;
	size_t n = s->n_runs;
	size_t pols[2] = {COMPARE_POL_OFF, s->pol};
	char buf[512], pname[64];

	werase(w);
	hits_clear(u, UI_HIT_RUN);
	session_policy_name(s, s->pol, pname, sizeof pname);
	size_t complete = 0;
	for (size_t k = 0; k < n; k++)
		complete += run_complete(&s->runs[k]);
	int tl = snprintf(buf, sizeof buf, " Compare %zu run%s   policy off vs on = %s%s", n,
	                  n == 1 ? "" : "s", pname,
	                  s->pol == COMPARE_POL_DEDUP ? " (upper bound)" : "");
	if (complete < n && tl > 0) {
		size_t all, done = ui_done_samples(u, &all);
		snprintf(buf + tl, sizeof buf - (size_t)tl, "   computing %zu/%zu runs (%zu/%zu samples)",
		         complete, n, done, all);
	}
	title(u, w, W, 1, buf);

	/* cells: marker + value; worst marks per column and side */
	char (*cell)[CMP_COLS][2][24] = calloc(n ? n : 1, sizeof *cell);
	uint8_t (*worst)[CMP_COLS][2] = calloc(n ? n : 1, sizeof *worst);
	double *vals = malloc((n ? n : 1) * sizeof *vals);
	uint8_t *valid = malloc(n ? n : 1), *marks = malloc(n ? n : 1);
	if (!cell || !worst || !vals || !valid || !marks) {
		put(w, 2, 1, W - 2, "out of memory", ca(u, CP_FP, A_BOLD, A_BOLD));
		free(cell), free(worst), free(vals), free(valid), free(marks);
		return;
	}
	for (int c = 0; c < CMP_COLS; c++)
		for (int p = 0; p < 2; p++) {
			for (size_t k = 0; k < n; k++) {
				valid[k] = run_complete(&s->runs[k]) &&
				           cmp_value(&s->runs[k], c, pols[p], &vals[k]);
			}
			compare_worst(vals, valid, n, cmp_higher_worse(c), cmp_decimals(c), marks);
			for (size_t k = 0; k < n; k++) {
				worst[k][c][p] = marks[k];
				if (!run_complete(&s->runs[k]))
					snprintf(cell[k][c][p], sizeof cell[k][c][p], "…");
				else if (!valid[k])
					snprintf(cell[k][c][p], sizeof cell[k][c][p], "-");
				else if (cmp_decimals(c) == 0)
					snprintf(cell[k][c][p], sizeof cell[k][c][p], "%s%.0f", marks[k] ? "*" : "",
					         vals[k]);
				else
					snprintf(cell[k][c][p], sizeof cell[k][c][p], "%s%.3f", marks[k] ? "*" : "",
					         vals[k]);
			}
		}
	/* column widths */
	char heads[CMP_COLS][24];
	const analysis_opts *an = &s->runs[0].an;
	for (int c = 0; c < 2; c++) {
		if ((size_t)c < an->n_iou)
			snprintf(heads[c], sizeof heads[c], "F1@%.2g", an->iou[c]);
		else
			snprintf(heads[c], sizeof heads[c], "F1");
	}
	snprintf(heads[2], sizeof heads[2], "dup rate");
	snprintf(heads[3], sizeof heads[3], "max repeat");
	snprintf(heads[4], sizeof heads[4], "term rate");
	snprintf(heads[5], sizeof heads[5], "tokens");
	int cw[CMP_COLS][2];
	int nw = 4;
	for (size_t k = 0; k < n; k++) {
		int wd = (int)sanitize_width(s->runs[k].name, strlen(s->runs[k].name));
		if (wd > nw)
			nw = wd;
	}
	if (nw > 28)
		nw = 28;
	for (int c = 0; c < CMP_COLS; c++) {
		for (int p = 0; p < 2; p++) {
			cw[c][p] = 3;
			for (size_t k = 0; k < n; k++) {
				int l = (int)sanitize_width(cell[k][c][p], strlen(cell[k][c][p]));
				if (l > cw[c][p])
					cw[c][p] = l;
			}
		}
		int hl = (int)strlen(heads[c]);
		if (cw[c][0] + 1 + cw[c][1] < hl)
			cw[c][1] = hl - 1 - cw[c][0];
	}
	/* header */
	int x0 = 3 + nw + 1;
	attr_t hd = A_BOLD;
	put(w, 1, 3, nw, "run", hd);
	int x = x0;
	for (int c = 0; c < CMP_COLS && x < W; c++) {
		int gw = cw[c][0] + 1 + cw[c][1];
		put(w, 1, x + 1, W - x - 1, heads[c], hd);
		put(w, 2, x + 1 + cw[c][0] - 3, W - x, "off", A_DIM);
		put(w, 2, x + 1 + gw - 2, W - x, "on", A_BOLD);
		x += gw + 3;
		if (c + 1 < CMP_COLS && x - 1 < W)
			put(w, 1, x - 1, 1, "│", A_DIM), put(w, 2, x - 1, 1, "│", A_DIM);
	}
	/* rows */
	int y0 = 3;
	size_t rows = H - y0 - 3 > 1 ? (size_t)(H - y0 - 3) : 1;
	listcur_scroll(&u->cmp, n, rows);
	for (size_t i = 0; i < rows && u->cmp.top + i < n; i++) {
		size_t k = u->cmp.top + i;
		const session_run *r = &s->runs[k];
		int y = y0 + (int)i;
		int sel = k == u->cmp.sel;
		attr_t base = sel ? A_REVERSE : A_NORMAL;
		if (sel)
			fill_row(w, y, 0, W, base);
		int marked = 0;
		for (size_t q = 0; q < u->n_mark; q++)
			marked |= u->mark[q] == k;
		put(w, y, 0, 3, sel ? "▸" : " ", base | A_BOLD);
		if (marked)
			put(w, y, 1, 2, "●", base | A_BOLD);
		put(w, y, 3, nw, r->name, base | (k == s->cur ? A_BOLD : 0));
		x = x0;
		if (!run_complete(r)) {
			snprintf(buf, sizeof buf, "computing %zu/%zu samples", r->n_done, r->n);
			put(w, y, x + 1, W - x - 1, buf, sel ? base : ca(u, CP_DIM, 0, A_DIM));
		} else {
			for (int c = 0; c < CMP_COLS && x < W; c++) {
				for (int p = 0; p < 2; p++) {
					const char *t = cell[k][c][p];
					int tw = (int)sanitize_width(t, strlen(t));
					int cx = x + 1 + (p ? cw[c][0] + 1 : 0) + cw[c][p] - tw;
					attr_t a = base | (p ? A_BOLD : 0);
					if (worst[k][c][p])
						a = ca(u, CP_WORST, A_BOLD, A_BOLD | A_UNDERLINE | (sel ? A_REVERSE : 0));
					if (cx < W)
						put(w, y, cx, W - cx, t, a);
				}
				x += cw[c][0] + 1 + cw[c][1] + 3;
				if (c + 1 < CMP_COLS && x - 1 < W)
					put(w, y, x - 1, 1, "│", base | A_DIM);
			}
		}
		hit_add(u, y, 0, W, UI_HIT_RUN, (long)k);
	}
	/* footer: legend, the selected run, keys */
	int yf = y0 + (int)(n < rows ? n : rows) + 1;
	if (yf < H) {
		put(w, yf, 1, W - 2,
		    "* worst value of its column (among computed runs; none when all are equal)",
		    ca(u, CP_WORST, A_BOLD, A_BOLD | A_UNDERLINE));
		yf++;
	}
	if (yf < H && u->cmp.sel < n) {
		const session_run *r = &s->runs[u->cmp.sel];
		const run_metrics *mo = &r->m[COMPARE_POL_OFF];
		snprintf(buf, sizeof buf, "%s: %zu samples, %zu analysed%s, %zu with duplicates, %zu truncated%s",
		         r->name, r->n, mo->samples, r->metrics_skipped ? " (some skipped)" : "",
		         mo->samples_with_duplicates, mo->truncated, r->g ? "" : ", no ground truth");
		put(w, yf++, 1, W - 2, buf, A_NORMAL);
	}
	if (yf < H)
		put(w, yf, 1, W - 2,
		    "j/k move · Enter open the run · Space mark runs · d diff · o policy · r repeat-stop · c/Esc back",
		    ca(u, CP_DIM, 0, A_DIM));
	free(cell);
	free(worst);
	free(vals);
	free(valid);
	free(marks);
}

/* ---- diff screen ---- */

/* Badges of one side, DIFF_BW columns: rec dup ×rep T hits. */
#define DIFF_BW 23
static void diff_badges(const slist_item *it, int has_gt, char *out, size_t outsz)
{
	if (!it) {
		snprintf(out, outsz, "%*s", DIFF_BW, "(not in this run)");
		return;
	}
	if (!it->ready) {
		snprintf(out, outsz, "%*s…", DIFF_BW - 1, "");
		return;
	}
	if (it->failed) {
		snprintf(out, outsz, "%*s", DIFF_BW, "error");
		return;
	}
	const char *t = it->term == SLIST_TERM_CLOSED ? "C" : it->term == SLIST_TERM_TRUNCATED ? "T" : "M";
	char hits[16];
	if (has_gt && it->has_f1)
		snprintf(hits, sizeof hits, "%zu", it->hits);
	else
		snprintf(hits, sizeof hits, "-");
	char num[24];
	int nl = snprintf(num, sizeof num, "%zu", it->max_repeat);
	/* "×N" right-aligned in 5 columns ("×" is one column, two bytes) */
	snprintf(out, outsz, "%5zu %4zu %*s×%s %s %4s", it->records, it->dups, nl < 4 ? 4 - nl : 0, "",
	         num, t, hits);
}

static void diff_changes(const compare_row *r, char *out, size_t outsz)
{
	size_t n = 0;
	out[0] = 0;
#define ADD(...) do { int k_ = snprintf(out + n, outsz - n, __VA_ARGS__); \
		if (k_ > 0 && (size_t)k_ < outsz - n) n += (size_t)k_; } while (0)
	if (r->flags & COMPARE_WORSE_FAILED)
		ADD("%sline fails", n ? ", " : "");
	if (r->flags & COMPARE_BETTER_FAILED)
		ADD("%sloads now", n ? ", " : "");
	if (r->d_hits)
		ADD("%s%+ld hit%s", n ? ", " : "", r->d_hits, r->d_hits == 1 || r->d_hits == -1 ? "" : "s");
	if (r->d_dups)
		ADD("%s%+ld dup%s", n ? ", " : "", r->d_dups, r->d_dups == 1 || r->d_dups == -1 ? "" : "s");
	if (r->flags & COMPARE_WORSE_TERM)
		ADD("%slost termination", n ? ", " : "");
	if (r->flags & COMPARE_BETTER_TERM)
		ADD("%scloses now", n ? ", " : "");
#undef ADD
}

static void draw_diff(ui *u)
{
	WINDOW *w = WIN(u, W_SCREEN);
	session *s = u->s;
	int H = u->lay.rows - 1, W = u->lay.cols;
	char buf[512], ba[160], bb[160];
	const compare_diff *d = &u->diff;

	werase(w);
	hits_clear(u, UI_HIT_DIFF);
	if (u->diff_a >= s->n_runs || u->diff_b >= s->n_runs) {
		title(u, w, W, 1, " Diff");
		return;
	}
	const session_run *ra = &s->runs[u->diff_a], *rb = &s->runs[u->diff_b];
	int tl = snprintf(buf, sizeof buf, " Diff  A %s → B %s   %zu worse · %zu better · %zu unchanged",
	                  ra->name, rb->name, d->n_worse, d->n_better, d->n_same);
	if (tl > 0 && (d->n_only_a || d->n_only_b))
		tl += snprintf(buf + tl, sizeof buf - (size_t)tl, " · %zu only in A · %zu only in B",
		               d->n_only_a, d->n_only_b);
	if (tl > 0 && d->n_pending)
		snprintf(buf + tl, sizeof buf - (size_t)tl, "   computing (%zu samples left)", d->n_pending);
	title(u, w, W, 1, buf);

	int has_gt = ra->g && rb->g;
	const analysis_opts *an = &ra->an;
	double hit_t = an->n_iou ? an->iou[ra->hit_iou < an->n_iou ? ra->hit_iou : 0] : 0.3;
	int nw = 16;
	int xa = 9 + nw + 2, xb = xa + DIFF_BW + 3, xc = xb + DIFF_BW + 2;
	snprintf(buf, sizeof buf, "%5s %4s %5s %s %4s", "rec", "dup", "rep", "T", "hits");
	put(w, 2, 1, 7, "change", A_BOLD);
	put(w, 2, 9, nw, "sample", A_BOLD);
	put(w, 1, xa - 1, 1, u->diff_side ? " " : "▸", A_BOLD);
	snprintf(ba, sizeof ba, "A %s", ra->name);
	put(w, 1, xa, DIFF_BW, ba, u->diff_side ? A_NORMAL : A_BOLD | A_UNDERLINE);
	put(w, 2, xa, W - xa, buf, A_BOLD);
	put(w, 1, xb - 1, 1, u->diff_side ? "▸" : " ", A_BOLD);
	snprintf(bb, sizeof bb, "B %s", rb->name);
	put(w, 1, xb, DIFF_BW, bb, u->diff_side ? A_BOLD | A_UNDERLINE : A_NORMAL);
	put(w, 2, xb, W - xb, buf, A_BOLD);
	put(w, 2, xc, W - xc, "what changed from A to B", A_BOLD);

	int y0 = 3;
	size_t rows = H - y0 - 2 > 1 ? (size_t)(H - y0 - 2) : 1;
	listcur_scroll(&u->dcur, d->n, rows);
	for (size_t i = 0; i < rows && u->dcur.top + i < d->n; i++) {
		size_t k = u->dcur.top + i;
		const compare_row *r = &d->rows[k];
		const slist_item *ia = r->a != COMPARE_NONE ? &ra->items[r->a] : NULL;
		const slist_item *ib = r->b != COMPARE_NONE ? &rb->items[r->b] : NULL;
		int y = y0 + (int)i;
		int sel = k == u->dcur.sel;
		attr_t base = sel ? A_REVERSE : A_NORMAL;
		if (sel)
			fill_row(w, y, 0, W, base);
		const char *cls = r->cls == COMPARE_CLS_WORSE ? "worse" : r->cls == COMPARE_CLS_BETTER ? "better"
		                : r->cls == COMPARE_CLS_SAME ? "same" : r->cls == COMPARE_CLS_ONLY_A ? "only A"
		                : "only B";
		attr_t ca_cls = r->cls == COMPARE_CLS_WORSE ? ca(u, CP_FP, A_BOLD, A_BOLD)
		              : r->cls == COMPARE_CLS_BETTER ? ca(u, CP_BETTER, A_BOLD, A_NORMAL)
		              : ca(u, CP_DIM, 0, A_DIM);
		put(w, y, 1, 7, cls, sel ? base | A_BOLD : ca_cls);
		if (r->cls == COMPARE_CLS_WORSE)
			put(w, y, 0, 1, "!", sel ? base | A_BOLD : ca_cls);
		const slist_item *named = ia ? ia : ib;
		char nm[96];
		if (named && named->name)
			snprintf(nm, sizeof nm, "%s", named->name);
		else
			snprintf(nm, sizeof nm, "?");
		put(w, y, 9, nw, nm, base);
		diff_badges(ia, has_gt, ba, sizeof ba);
		diff_badges(ib, has_gt, bb, sizeof bb);
		if (sel)
			put(w, y, u->diff_side ? xb - 1 : xa - 1, 1, "▸", base | A_BOLD);
		put(w, y, xa, W - xa, ba, base | (sel && !u->diff_side ? A_BOLD : 0));
		put(w, y, xb, W - xb, bb, base | (sel && u->diff_side ? A_BOLD : 0));
		diff_changes(r, buf, sizeof buf);
		put(w, y, xc, W - xc, buf, sel ? base : r->cls == COMPARE_CLS_WORSE ? ca_cls : base);
		hit_add(u, y, 0, W, UI_HIT_DIFF, (long)k);
	}
	if (d->n == 0)
		put(w, y0, 1, W - 2, d->n_pending ? "computing the samples' badges…" : "no samples",
		    ca(u, CP_DIM, 0, A_DIM));
	int yf = H - 1;
	if (yf > y0) {
		snprintf(buf, sizeof buf,
		         "worse = fewer hits (TP at IoU %.2g), more exact duplicates, lost termination or a failing line · "
		         "Enter opens in %s (Tab/←/→: A or B) · d/Esc back",
		         hit_t, u->diff_side ? "B" : "A");
		put(w, yf, 1, W - 2, buf, ca(u, CP_DIM, 0, A_DIM));
	}
	(void)has_gt;
}

/* ---- overlays ---- */

static WINDOW *overlay_win(int h, int w)
{
	if (h > LINES - 2)
		h = LINES - 2;
	if (w > COLS - 2)
		w = COLS - 2;
	if (h < 3 || w < 10)
		return NULL;
	WINDOW *o = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2);
	return o;
}

static void overlay_frame(ui *u, WINDOW *o, const char *ttl)
{
	int h, w;
	getmaxyx(o, h, w);
	wbkgdset(o, ' ' | ca(u, CP_OVERLAY, 0, A_NORMAL));
	werase(o);
	wattrset(o, ca(u, CP_OVERLAY, A_BOLD, A_BOLD));
	for (int x = 1; x < w - 1; x++) {
		mvwaddstr(o, 0, x, "─");
		mvwaddstr(o, h - 1, x, "─");
	}
	for (int y = 1; y < h - 1; y++) {
		mvwaddstr(o, y, 0, "│");
		mvwaddstr(o, y, w - 1, "│");
	}
	mvwaddstr(o, 0, 0, "┌");
	mvwaddstr(o, 0, w - 1, "┐");
	mvwaddstr(o, h - 1, 0, "└");
	mvwaddstr(o, h - 1, w - 1, "┘");
	wattrset(o, A_NORMAL);
	put(o, 0, 2, w - 4, ttl, ca(u, CP_OVERLAY, A_BOLD, A_BOLD));
}

static void draw_help(ui *u)
{
	size_t nk;
	const keys_binding *tb = keys_table(&nk);
	int seen[ACT_COUNT] = {0};
	keys_action acts[ACT_COUNT];
	int n = 0;
	for (size_t i = 0; i < nk; i++)
		if (!seen[tb[i].act] && n < ACT_COUNT) {
			seen[tb[i].act] = 1;
			acts[n++] = tb[i].act;
		}
	int entries = n + 1; /* + mouse */
	/* one column when it fits, else two side by side (wide terminals) */
	int two = entries + 4 > LINES - 2 && COLS >= 120;
	int per_col = two ? (entries + 1) / 2 : entries;
	WINDOW *o = overlay_win(per_col + 4, two ? (COLS - 2 < 200 ? COLS - 2 : 200) : 100);
	if (!o)
		return;
	int h, w;
	getmaxyx(o, h, w);
	overlay_frame(u, o, " tailscope keys (any key closes) ");
	attr_t a = ca(u, CP_OVERLAY, 0, A_NORMAL), an = ca(u, CP_OVERLAY, A_BOLD, A_BOLD);
	int cw = two ? (w - 4) / 2 : w - 4;
	int nw = two ? 12 : 18;
	int rows = h - 3; /* frame and the boxes line */
	int shown = 0;
	for (int k = 0; k < entries; k++) {
		int col = two ? k / per_col : 0, row = two ? k % per_col : k;
		if (row >= rows)
			continue;
		int x = 2 + col * cw, y = 1 + row;
		char names[64];
		const char *help;
		if (k < n) {
			keys_names(acts[k], names, sizeof names);
			help = keys_help(acts[k]);
		} else {
			snprintf(names, sizeof names, "mouse");
			help = "click a sample, a record, a token, a run or a diff row";
		}
		put(o, y, x, nw, names, an);
		put(o, y, x + nw + 1, cw - nw - 3, help, a);
		shown++;
	}
	int y = h - 2;
	if (shown < entries)
		put(o, y, 2, w - 4, "(more keys: make the terminal taller or wider)", an);
	else
		put(o, y, 2, w - 4,
		    "boxes: gt green dashed, missed yellow, hit cyan, false red, duplicate magenta ×N, cut grey",
		    a);
	wnoutrefresh(o);
	delwin(o);
}

static void prf_s(const metrics_counts *c, char *out, size_t outsz)
{
	metrics_prf p = metrics_prf_from(c);
	snprintf(out, outsz, "%.3f/%.3f/%.3f", p.precision, p.recall, p.f1);
}

static void mrow(ui *u, WINDOW *o, int *y, int h, int w, const char *name, const char *a, const char *b)
{
	if (*y >= h - 1)
		return;
	attr_t at = ca(u, CP_OVERLAY, 0, A_NORMAL);
	put(o, *y, 3, 26, name, at);
	put(o, *y, 30, (w - 32) / 2, a, at);
	put(o, *y, 30 + (w - 32) / 2, (w - 32) / 2, b, ca(u, CP_OVERLAY, A_BOLD, A_BOLD));
	(*y)++;
}

static void draw_metrics(ui *u)
{
	session_run *r = session_cur(u->s);
	session_view *v = &u->s->view;
	int want = 18 + (r ? 3 * (int)r->an.n_iou : 0);
	WINDOW *o = overlay_win(want, 76);
	char a[96], b[96], ttl[256];
	if (!o || !r)
		return;
	int h, w;
	getmaxyx(o, h, w);
	char pname[64];
	session_policy_name(u->s, u->s->pol, pname, sizeof pname);
	snprintf(ttl, sizeof ttl, " metrics: policy off vs %s (m closes) ", pname);
	overlay_frame(u, o, ttl);
	int y = 1;
	attr_t hd = ca(u, CP_OVERLAY, A_BOLD, A_BOLD | A_UNDERLINE);
	put(o, y, 30, 20, "off", hd);
	put(o, y, 30 + (w - 32) / 2, 20, u->s->pol == COMPARE_POL_REPEAT_STOP ? "repeat-stop" : pname, hd);
	y++;
	if (v->valid && !v->failed && v->s) {
		snprintf(ttl, sizeof ttl, "sample %s", v->image_id);
		put(o, y++, 2, w - 4, ttl, hd);
		const sample_outcome *of = &v->off, *on = &v->on;
		snprintf(a, sizeof a, "%zu", of->rep.records);
		snprintf(b, sizeof b, "%zu", on->rep.records);
		mrow(u, o, &y, h, w, "records", a, b);
		snprintf(a, sizeof a, "%zu", of->rep.duplicates);
		snprintf(b, sizeof b, "%zu", on->rep.duplicates);
		mrow(u, o, &y, h, w, "duplicates", a, b);
		snprintf(a, sizeof a, "%zu", of->rep.max_repeat);
		snprintf(b, sizeof b, "%zu", on->rep.max_repeat);
		mrow(u, o, &y, h, w, "max repeat", a, b);
		mrow(u, o, &y, h, w, "termination", termination_name(of->term), termination_name(on->term));
		snprintf(a, sizeof a, "%zu", of->tokens);
		snprintf(b, sizeof b, "%zu", on->tokens);
		mrow(u, o, &y, h, w, "tokens", a, b);
		if (sample_has_gt(v->s)) {
			for (size_t j = 0; j < r->an.n_iou; j++) {
				char nm[64];
				snprintf(nm, sizeof nm, "TP/FP/FN @%.2g", r->an.iou[j]);
				snprintf(a, sizeof a, "%zu/%zu/%zu", of->counts[j].tp, of->counts[j].fp, of->counts[j].fn);
				snprintf(b, sizeof b, "%zu/%zu/%zu", on->counts[j].tp, on->counts[j].fp, on->counts[j].fn);
				mrow(u, o, &y, h, w, nm, a, b);
				snprintf(nm, sizeof nm, "P/R/F1 @%.2g", r->an.iou[j]);
				prf_s(&of->counts[j], a, sizeof a);
				prf_s(&on->counts[j], b, sizeof b);
				mrow(u, o, &y, h, w, nm, a, b);
			}
		} else {
			mrow(u, o, &y, h, w, "F1", "no ground truth", "");
		}
	}
	if (y < h - 1) {
		snprintf(ttl, sizeof ttl, "run %s  (%zu of %zu samples analysed%s)", r->name, r->n_done, r->n,
		         r->metrics_skipped ? ", some skipped" : "");
		put(o, y++, 2, w - 4, ttl, hd);
	}
	const run_metrics *mo = &r->m[COMPARE_POL_OFF], *mn = &r->m[u->s->pol];
	snprintf(a, sizeof a, "%zu", mo->samples);
	snprintf(b, sizeof b, "%zu", mn->samples);
	mrow(u, o, &y, h, w, "samples", a, b);
	snprintf(a, sizeof a, "%zu", mo->records);
	snprintf(b, sizeof b, "%zu", mn->records);
	mrow(u, o, &y, h, w, "records", a, b);
	snprintf(a, sizeof a, "%.3f", mo->duplicate_rate);
	snprintf(b, sizeof b, "%.3f", mn->duplicate_rate);
	mrow(u, o, &y, h, w, "duplicate rate", a, b);
	snprintf(a, sizeof a, "%zu", mo->max_repeat);
	snprintf(b, sizeof b, "%zu", mn->max_repeat);
	mrow(u, o, &y, h, w, "max repeat", a, b);
	snprintf(a, sizeof a, "%zu", mo->samples_with_duplicates);
	snprintf(b, sizeof b, "%zu", mn->samples_with_duplicates);
	mrow(u, o, &y, h, w, "samples with duplicates", a, b);
	snprintf(a, sizeof a, "%zu/%zu/%zu", mo->closed, mo->truncated, mo->malformed);
	snprintf(b, sizeof b, "%zu/%zu/%zu", mn->closed, mn->truncated, mn->malformed);
	mrow(u, o, &y, h, w, "closed/truncated/malformed", a, b);
	snprintf(a, sizeof a, "%zu", mo->tokens);
	snprintf(b, sizeof b, "%zu", mn->tokens);
	mrow(u, o, &y, h, w, "tokens", a, b);
	if (r->g)
		for (size_t j = 0; j < r->an.n_iou; j++) {
			char nm[64];
			snprintf(nm, sizeof nm, "P/R/F1 @%.2g", r->an.iou[j]);
			prf_s(&mo->counts[j], a, sizeof a);
			prf_s(&mn->counts[j], b, sizeof b);
			mrow(u, o, &y, h, w, nm, a, b);
		}
	wnoutrefresh(o);
	delwin(o);
}

/* ---- max-repeat histogram (M) ---- */

#define HIST_BINS 9
static const char *const hist_labels[HIST_BINS] = {"0", "1", "2", "3-4", "5-8", "9-16", "17-32",
                                                   "33-64", "65+"};

static int hist_bin(size_t v)
{
	if (v <= 2)
		return (int)v;
	int b = 3;
	for (size_t hi = 4; hi < 64 && v > hi; hi *= 2)
		b++;
	return v > 64 ? 8 : b;
}

static void draw_histogram(ui *u)
{
	session_run *r = session_cur(u->s);
	if (!r)
		return;
	double counts[HIST_BINS] = {0};
	size_t used = 0;
	for (size_t i = 0; i < r->n; i++) {
		const slist_item *it = &r->items[i];
		if (!it->ready || it->failed)
			continue;
		counts[hist_bin(it->max_repeat)] += 1;
		used++;
	}
	char ttl[256];
	snprintf(ttl, sizeof ttl, "max repeat per sample, policy off (%zu of %zu samples%s)", used, r->n,
	         r->n_done < r->n ? ", computing" : "");
	plot_series ser = {0};
	ser.name = r->info->name;
	ser.v = counts;
	plot_spec spec;
	plot_spec_init(&spec, PLOT_BARS);
	spec.title = ttl;
	spec.series = &ser;
	spec.n_series = 1;
	spec.n_groups = HIST_BINS;
	spec.group_labels = hist_labels;
	int cols = COLS - 8 < 90 ? COLS - 8 : 90;
	if (cols < 20)
		return;
	plot_text *pt = NULL;
	ts_error e;
	if (plot_text_render(&spec, cols, 8, &pt, &e) != TS_OK || !pt) {
		ui_note(u, "histogram: %s", e.msg);
		return;
	}
	WINDOW *o = overlay_win(pt->rows + 3, pt->cols + 4);
	if (!o) {
		plot_text_free(pt);
		return;
	}
	int h, wd;
	getmaxyx(o, h, wd);
	overlay_frame(u, o, " max-repeat histogram (M closes) ");
	attr_t a = ca(u, CP_OVERLAY, 0, A_NORMAL);
	for (int row = 0; row < pt->rows && row + 1 < h - 1; row++) {
		char *line = plot_text_line(pt, row, 0);
		if (line) {
			put(o, row + 1, 2, wd - 4, line, a);
			free(line);
		}
	}
	plot_text_free(pt);
	wnoutrefresh(o);
	delwin(o);
}

static void draw_overlay(ui *u)
{
	if (u->overlay == UI_OV_HELP)
		draw_help(u);
	else if (u->overlay == UI_OV_METRICS)
		draw_metrics(u);
	else if (u->overlay == UI_OV_HISTOGRAM)
		draw_histogram(u);
}

/* ---- frame ---- */

static void draw_too_small(ui *u)
{
	char buf[128];
	werase(stdscr);
	snprintf(buf, sizeof buf, "terminal too small (%dx%d)", u->lay.cols, u->lay.rows);
	mvaddnstr(u->lay.rows / 2 > 0 ? u->lay.rows / 2 - 1 : 0, 0, buf, u->lay.cols);
	snprintf(buf, sizeof buf, "need at least %dx%d; q quits", UI_MIN_COLS, UI_MIN_ROWS);
	mvaddnstr(u->lay.rows / 2, 0, buf, u->lay.cols);
	wnoutrefresh(stdscr);
	doupdate();
}

void ui_draw(ui *u, unsigned mask)
{
	if (u->lay.too_small) {
		draw_too_small(u);
		return;
	}
	int full = (mask & UI_RD_LAYOUT) != 0 || (mask & UI_RD_OVERLAY) != 0;
	if (mask & UI_RD_LAYOUT) {
		werase(stdscr);
		wnoutrefresh(stdscr); /* stdscr stays blank underneath and untouched */
	}
	if (u->screen != UI_SCREEN_MAIN) {
		/* comparison or diff: one window above the status bar */
		if (u->win[W_SCREEN]) {
			if (full)
				touchwin(WIN(u, W_SCREEN));
			if (mask & (UI_RD_COMPARE | UI_RD_LAYOUT | UI_RD_OVERLAY)) {
				hits_clear(u, UI_HIT_SAMPLE);
				hits_clear(u, UI_HIT_RECORD);
				hits_clear(u, UI_HIT_STEP);
				if (u->screen == UI_SCREEN_DIFF)
					draw_diff(u);
				else
					draw_compare(u);
			}
			wnoutrefresh(WIN(u, W_SCREEN));
		}
		if (u->win[W_STATUS]) {
			if (full)
				touchwin(WIN(u, W_STATUS));
			if (mask & (UI_RD_STATUS | UI_RD_OVERLAY | UI_RD_COMPARE))
				draw_status(u);
			wnoutrefresh(WIN(u, W_STATUS));
		}
		u->img_valid = 0; /* the image pane is covered: draw it again on return */
		draw_overlay(u);
		doupdate();
		return;
	}
	hits_clear(u, UI_HIT_RUN);
	hits_clear(u, UI_HIT_DIFF);
	if (full)
		for (int i = 0; i < W_SCREEN; i++)
			if (u->win[i])
				touchwin(WIN(u, i));
	if ((mask & UI_RD_SAMPLES) && u->win[W_SAMPLES])
		draw_samples(u);
	if ((mask & UI_RD_RECORDS) && u->win[W_RECORDS])
		draw_records(u);
	if ((mask & UI_RD_TIMELINE) && u->win[W_TIMELINE])
		draw_timeline(u);
	if (u->win[W_STATUS] && (mask & (UI_RD_STATUS | UI_RD_OVERLAY)))
		draw_status(u);
	for (int i = 0; i < W_SCREEN; i++)
		if (u->win[i] && i != W_IMAGE)
			wnoutrefresh(WIN(u, i));
	if (u->win[W_IMAGE]) {
		if (mask & UI_RD_IMAGE)
			draw_image(u, (mask & UI_RD_LAYOUT) != 0);
		if (full)
			wnoutrefresh(WIN(u, W_IMAGE));
	}
	draw_overlay(u);
	doupdate();
}
