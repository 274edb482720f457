/* screen_compare.c — the comparison screen: one row per run with F1@0.3,
 * F1@0.5, duplicate rate, max repeat, termination rate and tokens, each with
 * the policy off and on (the same numbers as `tailscope report`), the worst
 * value of each column marked where lower/higher is worse for runs that
 * compare (tokens only between runs of one output syntax and token limit:
 * compare.h), runs that differ only by prompt/budget named as such under
 * the table; Enter opens a run, Space marks runs for the diff, d opens the
 * diff.  h/l (Left/Right) move the focused column and scroll the columns
 * that do not fit ("← more" / "more →" say where more are); s sorts the runs
 * by the focused column (worst first, S reverses); / filters every run's
 * samples with the expression language and adds a "filter" column (samples
 * shown per run); the notes under the table wrap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "glyphs.h"
#include "sanitize.h"

#define CMP_COLS 6                /* metric groups */
#define CMP_FILTER CMP_COLS       /* the "filter" group (a filter is set) */
#define CMP_GROUPS (CMP_COLS + 1)
#define CMP_MORE 7                /* room kept for "more →" */

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
	return session_run_done(r);
}

static compare_run_desc run_desc(const session_run *r)
{
	const run_info *i = r->info;
	compare_run_desc d = {i->model, i->checkpoint, i->prompt, (int)i->coords, i->max_new_tokens,
	                      i->budget};
	return d;
}

/* tokens: marked only when every run compares (one syntax and token limit) */
static int tokens_comparable(const session *s)
{
	compare_run_desc *d = malloc((s->n_runs ? s->n_runs : 1) * sizeof *d);
	if (!d)
		return 0;
	for (size_t k = 0; k < s->n_runs; k++)
		d[k] = run_desc(&s->runs[k]);
	int ok = compare_tokens_comparable(d, s->n_runs);
	free(d);
	return ok;
}

/* The table's text: per run, column and side (off, on) the cell and whether
 * it is the worst of its column; column widths and heads. */
typedef struct cmp_table {
	size_t n;
	char (*cell)[CMP_GROUPS][2][24];
	uint8_t (*worst)[CMP_GROUPS][2];
	char heads[CMP_GROUPS][24];
	int cw[CMP_GROUPS][2], nw;
	int tokens_ok; /* the tokens column compares (tokens_comparable) */
	int ng;        /* groups: CMP_COLS, + 1 with a filter */
} cmp_table;

/* some run's samples list has a filter (the / of this screen sets all) */
static int any_filter(const session *s)
{
	for (size_t k = 0; k < s->n_runs; k++)
		if (s->runs[k].list.filter.kind != SLIST_FILTER_NONE)
			return 1;
	return 0;
}

static int group_w(const cmp_table *t, int c)
{
	return c == CMP_FILTER ? t->cw[c][0] : t->cw[c][0] + 1 + t->cw[c][1];
}

static void table_free(cmp_table *t)
{
	free(t->cell);
	free(t->worst);
}

static void fill_column(cmp_table *t, const session *s, int c, int p, size_t pol, double *vals,
                        uint8_t *valid, uint8_t *marks)
{
	for (size_t k = 0; k < t->n; k++)
		valid[k] = run_complete(&s->runs[k]) && cmp_value(&s->runs[k], c, pol, &vals[k]);
	compare_worst(vals, valid, t->n, cmp_higher_worse(c), cmp_decimals(c), marks);
	if (c == 5 && !t->tokens_ok)
		memset(marks, 0, t->n); /* not comparable: no worst */
	for (size_t k = 0; k < t->n; k++) {
		char *cell = t->cell[k][c][p];
		t->worst[k][c][p] = marks[k];
		if (!run_complete(&s->runs[k]))
			snprintf(cell, 24, "%s", glyph(GL_PENDING));
		else if (!valid[k])
			snprintf(cell, 24, "-");
		else
			snprintf(cell, 24, "%s%.*f", marks[k] ? glyph(GL_WORST) : "", cmp_decimals(c), vals[k]);
	}
}

static void widths(cmp_table *t, const session *s)
{
	const analysis_opts *an = &s->runs[0].an;
	static const char *const fixed[CMP_COLS] = {"", "", "dup rate", "max repeat", "term rate", "tokens"};
	snprintf(t->heads[CMP_FILTER], sizeof t->heads[CMP_FILTER], "filter");
	for (int c = 0; c < CMP_COLS; c++) {
		if (c < 2 && (size_t)c < an->n_iou)
			snprintf(t->heads[c], sizeof t->heads[c], "F1@%.2g", an->iou[c]);
		else
			snprintf(t->heads[c], sizeof t->heads[c], "%s", c < 2 ? "F1" : fixed[c]);
	}
	t->nw = 4;
	for (size_t k = 0; k < t->n; k++) {
		int wd = (int)sanitize_width(s->runs[k].name, strlen(s->runs[k].name));
		t->nw = wd > t->nw ? wd : t->nw;
	}
	t->nw = t->nw > 28 ? 28 : t->nw;
	for (int c = 0; c < t->ng; c++) {
		for (int p = 0; p < 2; p++) {
			t->cw[c][p] = c == CMP_FILTER && p ? 0 : 3;
			for (size_t k = 0; k < t->n; k++) {
				int l = (int)sanitize_width(t->cell[k][c][p], strlen(t->cell[k][c][p]));
				t->cw[c][p] = l > t->cw[c][p] ? l : t->cw[c][p];
			}
		}
		int hl = (int)strlen(t->heads[c]);
		if (c == CMP_FILTER && t->cw[c][0] < hl)
			t->cw[c][0] = hl;
		else if (c != CMP_FILTER && t->cw[c][0] + 1 + t->cw[c][1] < hl)
			t->cw[c][1] = hl - 1 - t->cw[c][0];
	}
}

static int table_build(cmp_table *t, const session *s)
{
	size_t n = s->n_runs, m = n ? n : 1;
	size_t pols[2] = {COMPARE_POL_OFF, s->pol};
	memset(t, 0, sizeof *t);
	t->n = n;
	t->tokens_ok = tokens_comparable(s);
	t->cell = calloc(m, sizeof *t->cell);
	t->worst = calloc(m, sizeof *t->worst);
	double *vals = malloc(m * sizeof *vals);
	uint8_t *valid = malloc(m), *marks = malloc(m);
	int ok = t->cell && t->worst && vals && valid && marks;
	for (int c = 0; ok && c < CMP_COLS; c++)
		for (int p = 0; p < 2; p++)
			fill_column(t, s, c, p, pols[p], vals, valid, marks);
	free(vals), free(valid), free(marks);
	t->ng = any_filter(s) ? CMP_GROUPS : CMP_COLS;
	for (size_t k = 0; ok && k < n && t->ng > CMP_COLS; k++)
		snprintf(t->cell[k][CMP_FILTER][0], 24, "%zu/%zu", s->runs[k].list.n_view, s->runs[k].n);
	if (!ok) {
		table_free(t);
		return -1;
	}
	widths(t, s);
	return 0;
}

static void compare_title(const ui *u, WINDOW *w, int W, const ui_frame *f)
{
	const session *s = f->s;
	size_t n = s->n_runs, complete = 0;
	char buf[512];
	for (size_t k = 0; k < n; k++)
		complete += run_complete(&s->runs[k]);
	int tl = snprintf(buf, sizeof buf, " Compare %zu run%s   policy off vs on = %s%s", n,
	                  n == 1 ? "" : "s", f->pol_name, s->pol == COMPARE_POL_DEDUP ? " (upper bound)" : "");
	const ui_cmp_state *cs = ui_cmp(u);
	if (cs->sort_on && tl > 0 && (size_t)tl < sizeof buf) {
		int g = cs->sort_col / 2;
		static const char *const hd[CMP_GROUPS] = {"F1 a", "F1 b", "dup rate", "max repeat",
		                                           "term rate", "tokens", "filter"};
		char h[24];
		if (g < 2 && (size_t)g < s->runs[0].an.n_iou)
			snprintf(h, sizeof h, "F1@%.2g", s->runs[0].an.iou[g]);
		else
			snprintf(h, sizeof h, "%s", hd[g]);
		tl += snprintf(buf + tl, sizeof buf - (size_t)tl, "   sort: %s%s %s", h,
		               g == CMP_FILTER ? "" : cs->sort_col % 2 ? " on" : " off",
		               cs->sort_rev ? "↑" : "↓");
	}
	if (complete < n && tl > 0 && (size_t)tl < sizeof buf) {
		size_t all, done = ui_done_samples(u, &all);
		snprintf(buf + tl, sizeof buf - (size_t)tl, "   computing %zu/%zu runs (%zu/%zu samples)",
		         complete, n, done, all);
	}
	draw_title(u, w, W, 1, buf);
}

/* the groups [first, end) that fit in W columns: every group but the last
 * keeps CMP_MORE columns free for "more →"; at least one is shown */
static int visible_end(const cmp_table *t, int first, int W)
{
	int x = 3 + t->nw + 1, c = first;
	while (c < t->ng) {
		int gw = group_w(t, c) + 3;
		if (x + gw > (c == t->ng - 1 ? W : W - CMP_MORE))
			break;
		x += gw;
		c++;
	}
	return c > first ? c : first + 1;
}

/* scrolls so that the focused column's group is shown; returns the end */
static int scroll_to_focus(ui_cmp_state *cs, const cmp_table *t, int W)
{
	int max_col = 2 * t->ng - 1 - (t->ng > CMP_COLS); /* the filter group has one side */
	cs->col = cs->col < 0 ? 0 : cs->col > max_col ? max_col : cs->col;
	int fg = cs->col / 2;
	if (cs->first > fg)
		cs->first = fg;
	if (cs->first >= t->ng)
		cs->first = t->ng - 1;
	while (cs->first < fg && fg >= visible_end(t, cs->first, W))
		cs->first++;
	return visible_end(t, cs->first, W);
}

static void table_head(const ui *u, WINDOW *w, int W, const cmp_table *t, int first, int end)
{
	const ui_cmp_state *cs = ui_cmp(u);
	int x = 3 + t->nw + 1;
	draw_put(w, 1, 3, t->nw, "run", A_BOLD);
	if (first > 0)
		draw_put(w, 2, 3, t->nw, "← more", draw_ca(u, CP_DIM, A_BOLD, A_BOLD));
	for (int c = first; c < end && x < W; c++) {
		int gw = group_w(t, c), foc = cs->col / 2 == c;
		draw_put(w, 1, x + 1, W - x - 1, t->heads[c], A_BOLD | (foc ? A_UNDERLINE : 0));
		if (c == CMP_FILTER) {
			draw_put(w, 2, x + 1 + gw - 3, W - x, "n/N", A_DIM | (foc ? A_REVERSE : 0));
		} else {
			draw_put(w, 2, x + 1 + t->cw[c][0] - 3, W - x, "off",
			         A_DIM | (foc && cs->col % 2 == 0 ? A_REVERSE : 0));
			draw_put(w, 2, x + 1 + gw - 2, W - x, "on", A_BOLD | (foc && cs->col % 2 ? A_REVERSE : 0));
		}
		x += gw + 3;
		if (c + 1 < end && x - 1 < W)
			draw_put(w, 1, x - 1, 1, "│", A_DIM), draw_put(w, 2, x - 1, 1, "│", A_DIM);
	}
	if (end < t->ng)
		draw_put(w, 1, W - CMP_MORE + 1, CMP_MORE - 1, "more →", draw_ca(u, CP_DIM, A_BOLD, A_BOLD));
}

static void run_cells(const ui *u, WINDOW *w, int y, int W, const cmp_table *t, size_t k, int sel,
                      attr_t base, int first, int end)
{
	int x = 3 + t->nw + 1;
	for (int c = first; c < end && x < W; c++) {
		for (int p = 0; p < (c == CMP_FILTER ? 1 : 2); p++) {
			const char *s = t->cell[k][c][p];
			int cx = x + 1 + (p ? t->cw[c][0] + 1 : 0) + t->cw[c][p] - (int)sanitize_width(s, strlen(s));
			attr_t a = base | (p ? A_BOLD : 0);
			if (t->worst[k][c][p])
				a = draw_ca(u, CP_WORST, A_BOLD, A_BOLD | A_UNDERLINE | (sel ? A_REVERSE : 0));
			if (cx < W)
				draw_put(w, y, cx, W - cx, s, a);
		}
		x += group_w(t, c) + 3;
		if (c + 1 < end && x - 1 < W)
			draw_put(w, y, x - 1, 1, "│", base | A_DIM);
	}
}

static void run_row(ui *u, WINDOW *w, int y, int W, const cmp_table *t, const session *s, size_t k,
                    int first, int end)
{
	const session_run *r = &s->runs[k];
	int sel = k == ui_cmp(u)->cur.sel, marked = 0;
	attr_t base = sel ? A_REVERSE : A_NORMAL;
	if (sel)
		draw_fill_row(w, y, 0, W, base);
	for (size_t q = 0; q < ui_cmp(u)->n_mark; q++)
		marked |= ui_cmp(u)->mark[q] == k;
	draw_put(w, y, 0, 3, sel ? glyph(GL_SIDE) : " ", base | A_BOLD);
	if (marked)
		draw_put(w, y, 1, 2, glyph(GL_MARK), base | A_BOLD);
	draw_put(w, y, 3, t->nw, r->name, base | (k == s->cur ? A_BOLD : 0));
	if (!run_complete(r)) {
		char buf[96];
		int x = 3 + t->nw + 1;
		if (!trace_index_finished(r->ix)) /* the count still grows: marked */
			snprintf(buf, sizeof buf, "indexing, computing %zu/%zu%s samples", r->n_done, r->n,
			         glyph(GL_CUT));
		else if (r->gj)
			snprintf(buf, sizeof buf, "ground truth loading, %zu samples", r->n);
		else
			snprintf(buf, sizeof buf, "computing %zu/%zu samples", r->n_done, r->n);
		draw_put(w, y, x + 1, W - x - 1, buf, sel ? base : draw_ca(u, CP_DIM, 0, A_DIM));
	} else {
		run_cells(u, w, y, W, t, k, sel, base, first, end);
	}
	draw_hit_add(u, y, 0, W, &ui_screen_compare, (long)k);
}

/* "lora-qkvo-r16-budget12: same model and checkpoint as lora-qkvo-r16,
 * differs only by prompt and budget (12 vs none)" for the first earlier run
 * k is such a variant of (each pair once); 0 if none */
static int variant_line(const session *s, size_t k, char *buf, size_t bufsz)
{
	compare_run_desc a = run_desc(&s->runs[k]);
	for (size_t j = 0; j < k; j++) {
		compare_run_desc b = run_desc(&s->runs[j]);
		unsigned d = compare_prompt_variant(&b, &a);
		if (!d)
			continue;
		char ba[24], bb[24];
		snprintf(ba, sizeof ba, a.budget >= 0 ? "%ld" : "none", a.budget);
		snprintf(bb, sizeof bb, b.budget >= 0 ? "%ld" : "none", b.budget);
		int n = snprintf(buf, bufsz, "%s: same model and checkpoint as %s, differs only by %s",
		                 s->runs[k].name, s->runs[j].name,
		                 d == (COMPARE_DIFF_PROMPT | COMPARE_DIFF_BUDGET) ? "prompt and budget"
		                 : d == COMPARE_DIFF_BUDGET ? "budget" : "prompt");
		if ((d & COMPARE_DIFF_BUDGET) && n > 0 && (size_t)n < bufsz)
			snprintf(buf + n, bufsz - (size_t)n, " (%s vs %s)", ba, bb);
		return 1;
	}
	return 0;
}

/* safe text wrapped from row *y over at most H - *y rows (the last one it
 * gets shows the rest, cut visibly by draw_put) */
static void wrap_put(WINDOW *w, int *y, int H, int W, const char *text, attr_t a)
{
	size_t starts[16], len = strlen(text);
	int rows = draw_wrap(text, W - 2, starts, 16);
	for (int i = 0; i < rows && i < 16 && *y < H; i++, (*y)++) {
		int last = i + 1 == rows || i + 1 == 16 || *y + 1 == H;
		size_t end = last ? len : starts[i + 1];
		char row[512];
		size_t n = end - starts[i] < sizeof row - 1 ? end - starts[i] : sizeof row - 1;
		memcpy(row, text + starts[i], n);
		row[n] = 0;
		draw_put(w, *y, 1, W - 2, row, a);
		if (last) {
			(*y)++;
			return;
		}
	}
}

/* legend, prompt/budget variants, the selected run, keys: wrapped */
static void footer(const ui *u, WINDOW *w, int yf, int H, int W, const session *s, int tokens_ok)
{
	char buf[512], safe[1024];
	wrap_put(w, &yf, H, W,
	         tokens_ok || s->n_runs < 2
	                 ? "* worst value of its column (among computed runs; none when all are equal)"
	                 : "* worst value of its column; tokens not marked: the runs differ in "
	                   "output syntax or token limit",
	         draw_ca(u, CP_WORST, A_BOLD, A_BOLD | A_UNDERLINE));
	for (size_t k = 0; k < s->n_runs && yf < H - 2; k++)
		if (variant_line(s, k, buf, sizeof buf))
			wrap_put(w, &yf, H - 2, W, sanitize_cstr(buf, safe, sizeof safe, 0), A_NORMAL);
	if (yf < H && ui_cmp(u)->cur.sel < s->n_runs) {
		const session_run *r = &s->runs[ui_cmp(u)->cur.sel];
		const run_metrics *mo = &r->m[COMPARE_POL_OFF];
		snprintf(buf, sizeof buf, "%s: %zu samples, %zu analysed%s, %zu with duplicates, %zu truncated%s",
		         r->name, r->n, mo->samples, r->metrics_skipped ? " (some skipped)" : "",
		         mo->samples_with_duplicates, mo->truncated, r->g ? "" : ", no ground truth");
		wrap_put(w, &yf, H - 1, W, sanitize_cstr(buf, safe, sizeof safe, 0), A_NORMAL);
	}
	if (yf < H)
		wrap_put(w, &yf, H, W,
		         "j/k move · h/l column · s sort by it, S reverse · / filter samples · Enter open "
		         "the run · Space mark runs · d diff · o policy · r repeat-stop · c/Esc back",
		         draw_ca(u, CP_DIM, 0, A_DIM));
}

/* the value run k sorts by under column col (group * 2 + side) */
static int sort_value(const session *s, size_t k, int col, double *v)
{
	const session_run *r = &s->runs[k];
	size_t pols[2] = {COMPARE_POL_OFF, s->pol};
	if (!run_complete(r))
		return 0;
	if (col / 2 == CMP_FILTER) {
		*v = (double)r->list.n_view;
		return 1;
	}
	return cmp_value(r, col / 2, pols[col % 2], v);
}

/* the runs in display order (s: sorted by a column); 0, -1 out of memory */
static int run_order(const ui *u, const session *s, size_t *order)
{
	const ui_cmp_state *cs = ui_cmp(u);
	size_t n = s->n_runs;
	for (size_t k = 0; k < n; k++)
		order[k] = k;
	if (!cs->sort_on || n < 2)
		return 0;
	double *v = malloc(n * sizeof *v);
	uint8_t *valid = malloc(n);
	if (!v || !valid) {
		free(v), free(valid);
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		valid[k] = (uint8_t)sort_value(s, k, cs->sort_col, &v[k]);
	int g = cs->sort_col / 2;
	compare_order(v, valid, n, g == CMP_FILTER || cmp_higher_worse(g), g == CMP_FILTER ? 0 : cmp_decimals(g),
	              cs->sort_rev, order);
	free(v), free(valid);
	return 0;
}

/* position of run sel in order */
static size_t order_pos(const size_t *order, size_t n, size_t sel)
{
	for (size_t i = 0; i < n; i++)
		if (order[i] == sel)
			return i;
	return 0;
}

static void compare_draw(ui *u, const ui_frame *f)
{
	WINDOW *w = draw_begin(u, &ui_screen_compare);
	int H = u->lay.rows - 1, W = u->lay.cols, y0 = 3;
	size_t n = f->s->n_runs;
	cmp_table t;
	ui_cmp_state *cs = ui_cmp(u);

	compare_title(u, w, W, f);
	size_t *order = malloc((n ? n : 1) * sizeof *order);
	if (!order || run_order(u, f->s, order) != 0 || table_build(&t, f->s) != 0) {
		free(order);
		draw_put(w, 2, 1, W - 2, "out of memory", draw_ca(u, CP_FP, A_BOLD, A_BOLD));
		return;
	}
	int end = scroll_to_focus(cs, &t, W);
	table_head(u, w, W, &t, cs->first, end);
	size_t rows = H - y0 - 3 > 1 ? (size_t)(H - y0 - 3) : 1;
	listcur disp = {order_pos(order, n, cs->cur.sel), cs->cur.top};
	listcur_scroll(&disp, n, rows);
	cs->cur.top = disp.top;
	for (size_t i = 0; i < rows && disp.top + i < n; i++)
		run_row(u, w, y0 + (int)i, W, &t, f->s, order[disp.top + i], cs->first, end);
	footer(u, w, y0 + (int)(n < rows ? n : rows) + 1, H, W, f->s, t.tokens_ok);
	table_free(&t);
	free(order);
}

/* ---- keys ---- */

static unsigned toggle_mark(ui *u)
{
	size_t sel = ui_cmp(u)->cur.sel;
	for (size_t k = 0; k < ui_cmp(u)->n_mark; k++)
		if (ui_cmp(u)->mark[k] == sel) {
			ui_cmp(u)->mark[k] = ui_cmp(u)->mark[ui_cmp(u)->n_mark - 1];
			ui_cmp(u)->n_mark--;
			ui_note(u, "unmarked %s", u->s->runs[sel].name);
			return UI_RD_COMPARE | UI_RD_STATUS;
		}
	if (ui_cmp(u)->n_mark == 2) {
		ui_cmp(u)->mark[0] = ui_cmp(u)->mark[1]; /* keep the latest two */
		ui_cmp(u)->n_mark = 1;
	}
	ui_cmp(u)->mark[ui_cmp(u)->n_mark++] = sel;
	ui_note(u, "marked %s%s", u->s->runs[sel].name, ui_cmp(u)->n_mark == 2 ? ": d compares the two marked runs" : "");
	return UI_RD_COMPARE | UI_RD_STATUS;
}

static unsigned cmp_enter(ui *u, keys_action a, int *handled)
{
	(void)a, (void)handled;
	ui_note(u, "run %s", u->s->runs[ui_cmp(u)->cur.sel < u->s->n_runs ? ui_cmp(u)->cur.sel : 0].name);
	return ui_drill_into(u, ui_cmp(u)->cur.sel, COMPARE_NONE);
}

/* c or Esc: back to the debugger (c with an overlay open is the global one) */
static unsigned cmp_leave(ui *u, keys_action a, int *handled)
{
	if (a == ACT_COMPARE && u->overlay != UI_OV_NONE)
		return *handled = 0, 0;
	return ui_drill_into(u, u->s->cur, COMPARE_NONE);
}

static unsigned cmp_diff(ui *u, keys_action a, int *handled)
{
	(void)a, (void)handled;
	return ui_open_diff(u);
}

static unsigned cmp_mark(ui *u, keys_action a, int *handled)
{
	(void)a, (void)handled;
	return toggle_mark(u);
}

/* the debugger's pane and step keys do nothing here */
static unsigned cmp_ignore(ui *u, keys_action a, int *handled)
{
	(void)u, (void)a, (void)handled;
	return 0;
}

/* m, M, O: the panel is about the selected run; the global request opens it */
static unsigned cmp_select_run(ui *u, keys_action a, int *handled)
{
	(void)a;
	if (ui_cmp(u)->cur.sel < u->s->n_runs && ui_cmp(u)->cur.sel != u->s->cur) {
		u->s->cur = ui_cmp(u)->cur.sel;
		ui_show_selected(u);
	}
	*handled = 0;
	return 0;
}

/* h/l: the focused column (draw scrolls the groups to it) */
static unsigned cmp_column(ui *u, keys_action a, int *handled)
{
	(void)handled;
	ui_cmp(u)->col += a == ACT_STEP_FWD ? 1 : -1;
	if (ui_cmp(u)->col < 0)
		ui_cmp(u)->col = 0;
	if (ui_cmp(u)->col >= 2 * CMP_GROUPS)
		ui_cmp(u)->col = 2 * CMP_GROUPS - 1; /* clamped to the groups shown when drawn */
	return UI_RD_COMPARE | UI_RD_STATUS;
}

/* s: sort by the focused column, worst first; S: the other way */
static unsigned cmp_sort(ui *u, keys_action a, int *handled)
{
	(void)handled;
	ui_cmp_state *cs = ui_cmp(u);
	if (a == ACT_SORT_REVERSE) {
		if (!cs->sort_on)
			cs->sort_on = 1, cs->sort_col = cs->col;
		cs->sort_rev = !cs->sort_rev;
	} else if (cs->sort_on && cs->sort_col == cs->col) {
		cs->sort_on = 0; /* s again on the same column: run order */
		ui_note(u, "sort: run order (as given)");
		return UI_RD_COMPARE | UI_RD_STATUS;
	} else {
		cs->sort_on = 1, cs->sort_col = cs->col, cs->sort_rev = 0;
	}
	ui_note(u, "sorted by the focused column, %s first; s again: run order",
	        cs->sort_rev ? "best" : "worst");
	return UI_RD_COMPARE | UI_RD_STATUS;
}

static unsigned cmp_filter(ui *u, keys_action a, int *handled)
{
	(void)a, (void)handled;
	return ui_overlay_open(u, UI_OV_FILTER) | UI_RD_STATUS;
}


/* j/k and friends move in the order shown (sorted or not) */
static unsigned move_in_order(ui *u, long delta, int end)
{
	ui_cmp_state *cs = ui_cmp(u);
	size_t n = u->s->n_runs, *order = malloc((n ? n : 1) * sizeof *order);
	if (!order || run_order(u, u->s, order) != 0) {
		free(order);
		return ui_list_move(&cs->cur, n, delta, end);
	}
	listcur disp = {order_pos(order, n, cs->cur.sel), cs->cur.top};
	unsigned rd = ui_list_move(&disp, n, delta, end);
	if (n)
		cs->cur.sel = order[disp.sel];
	cs->cur.top = disp.top;
	free(order);
	return rd;
}

/* j/k, PgDn/PgUp, g/G */
static UI_REQUEST(motion)
{
	long delta;
	int end;
	ui_list_motion(a, (long)ui_screen_rows(u), &delta, &end);
	return move_in_order(u, delta, end);
}

static const ui_request cmp_requests[ACT_COUNT] = {
	UI_LIST_MOTIONS(motion),
	[ACT_SORT] = cmp_sort,            [ACT_SORT_REVERSE] = cmp_sort,
	[ACT_FILTER] = cmp_filter,
	[ACT_ENTER] = cmp_enter,          [ACT_COMPARE] = cmp_leave,
	[ACT_CLOSE] = cmp_leave,          [ACT_DIFF] = cmp_diff,
	[ACT_PLAY] = cmp_mark,            [ACT_NEXT_PANE] = cmp_ignore,
	[ACT_PREV_PANE] = cmp_ignore,     [ACT_STEP_FWD] = cmp_column,
	[ACT_STEP_BACK] = cmp_column,     [ACT_METRICS] = cmp_select_run,
	[ACT_HISTOGRAM] = cmp_select_run, [ACT_SWEEP] = cmp_select_run,
};

static unsigned compare_click(ui *u, const ui_hit *h)
{
	if (!u->s || u->screen != UI_SCREEN_COMPARE)
		return 0;
	listcur_set(&ui_cmp(u)->cur, (size_t)h->value, u->s->n_runs);
	return UI_RD_COMPARE | UI_RD_STATUS;
}

ui_cmp_state *ui_cmp(const ui *u)
{
	return ui_private(u, &ui_screen_compare);
}

/* what it shows: itself above the status bar (ui_draw) */
static const ui_view *const shown[] = {&ui_screen_compare, &ui_pane_status, NULL};

const ui_view ui_screen_compare = {
	.name = "compare", .id = UI_V_COMPARE, .win = W_SCREEN, .panes = shown, .rd = UI_RD_COMPARE | UI_RD_LAYOUT | UI_RD_OVERLAY,
	.draw = compare_draw, .requests = cmp_requests, .click = compare_click,
	.private_size = sizeof(ui_cmp_state),
};
