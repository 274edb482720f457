/* screen_compare.c — the comparison screen: one row per run with F1@0.3,
 * F1@0.5, duplicate rate, max repeat, termination rate and tokens, each with
 * the policy off and on (the same numbers as `tailscope report`), the worst
 * value of each column marked where lower/higher is worse for runs that
 * compare (tokens only between runs of one output syntax and token limit:
 * compare.h), runs that differ only by prompt/budget named as such under
 * the table; Enter opens a run, Space marks runs for the diff, d opens the
 * diff. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "sanitize.h"

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
	char (*cell)[CMP_COLS][2][24];
	uint8_t (*worst)[CMP_COLS][2];
	char heads[CMP_COLS][24];
	int cw[CMP_COLS][2], nw;
	int tokens_ok; /* the tokens column compares (tokens_comparable) */
} cmp_table;

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
			snprintf(cell, 24, "…");
		else if (!valid[k])
			snprintf(cell, 24, "-");
		else
			snprintf(cell, 24, "%s%.*f", marks[k] ? "*" : "", cmp_decimals(c), vals[k]);
	}
}

static void widths(cmp_table *t, const session *s)
{
	const analysis_opts *an = &s->runs[0].an;
	static const char *const fixed[CMP_COLS] = {"", "", "dup rate", "max repeat", "term rate", "tokens"};
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
	for (int c = 0; c < CMP_COLS; c++) {
		for (int p = 0; p < 2; p++) {
			t->cw[c][p] = 3;
			for (size_t k = 0; k < t->n; k++) {
				int l = (int)sanitize_width(t->cell[k][c][p], strlen(t->cell[k][c][p]));
				t->cw[c][p] = l > t->cw[c][p] ? l : t->cw[c][p];
			}
		}
		int hl = (int)strlen(t->heads[c]);
		if (t->cw[c][0] + 1 + t->cw[c][1] < hl)
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
	if (complete < n && tl > 0) {
		size_t all, done = ui_done_samples(u, &all);
		snprintf(buf + tl, sizeof buf - (size_t)tl, "   computing %zu/%zu runs (%zu/%zu samples)",
		         complete, n, done, all);
	}
	draw_title(u, w, W, 1, buf);
}

static void table_head(WINDOW *w, int W, const cmp_table *t)
{
	int x = 3 + t->nw + 1;
	draw_put(w, 1, 3, t->nw, "run", A_BOLD);
	for (int c = 0; c < CMP_COLS && x < W; c++) {
		int gw = t->cw[c][0] + 1 + t->cw[c][1];
		draw_put(w, 1, x + 1, W - x - 1, t->heads[c], A_BOLD);
		draw_put(w, 2, x + 1 + t->cw[c][0] - 3, W - x, "off", A_DIM);
		draw_put(w, 2, x + 1 + gw - 2, W - x, "on", A_BOLD);
		x += gw + 3;
		if (c + 1 < CMP_COLS && x - 1 < W)
			draw_put(w, 1, x - 1, 1, "│", A_DIM), draw_put(w, 2, x - 1, 1, "│", A_DIM);
	}
}

static void run_cells(const ui *u, WINDOW *w, int y, int W, const cmp_table *t, size_t k, int sel,
                      attr_t base)
{
	int x = 3 + t->nw + 1;
	for (int c = 0; c < CMP_COLS && x < W; c++) {
		for (int p = 0; p < 2; p++) {
			const char *s = t->cell[k][c][p];
			int cx = x + 1 + (p ? t->cw[c][0] + 1 : 0) + t->cw[c][p] - (int)sanitize_width(s, strlen(s));
			attr_t a = base | (p ? A_BOLD : 0);
			if (t->worst[k][c][p])
				a = draw_ca(u, CP_WORST, A_BOLD, A_BOLD | A_UNDERLINE | (sel ? A_REVERSE : 0));
			if (cx < W)
				draw_put(w, y, cx, W - cx, s, a);
		}
		x += t->cw[c][0] + 1 + t->cw[c][1] + 3;
		if (c + 1 < CMP_COLS && x - 1 < W)
			draw_put(w, y, x - 1, 1, "│", base | A_DIM);
	}
}

static void run_row(ui *u, WINDOW *w, int y, int W, const cmp_table *t, const session *s, size_t k)
{
	const session_run *r = &s->runs[k];
	int sel = k == ui_cmp(u)->cur.sel, marked = 0;
	attr_t base = sel ? A_REVERSE : A_NORMAL;
	if (sel)
		draw_fill_row(w, y, 0, W, base);
	for (size_t q = 0; q < ui_cmp(u)->n_mark; q++)
		marked |= ui_cmp(u)->mark[q] == k;
	draw_put(w, y, 0, 3, sel ? "▸" : " ", base | A_BOLD);
	if (marked)
		draw_put(w, y, 1, 2, "●", base | A_BOLD);
	draw_put(w, y, 3, t->nw, r->name, base | (k == s->cur ? A_BOLD : 0));
	if (!run_complete(r)) {
		char buf[96];
		int x = 3 + t->nw + 1;
		snprintf(buf, sizeof buf, "computing %zu/%zu samples", r->n_done, r->n);
		draw_put(w, y, x + 1, W - x - 1, buf, sel ? base : draw_ca(u, CP_DIM, 0, A_DIM));
	} else {
		run_cells(u, w, y, W, t, k, sel, base);
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

/* legend, prompt/budget variants, the selected run, keys */
static void footer(const ui *u, WINDOW *w, int yf, int H, int W, const session *s, int tokens_ok)
{
	char buf[512];
	if (yf < H)
		draw_put(w, yf++, 1, W - 2,
		         tokens_ok || s->n_runs < 2
		                 ? "* worst value of its column (among computed runs; none when all are equal)"
		                 : "* worst value of its column; tokens not marked: the runs differ in "
		                   "output syntax or token limit",
		         draw_ca(u, CP_WORST, A_BOLD, A_BOLD | A_UNDERLINE));
	for (size_t k = 0; k < s->n_runs && yf < H - 2; k++)
		if (variant_line(s, k, buf, sizeof buf))
			draw_put(w, yf++, 1, W - 2, buf, A_NORMAL);
	if (yf < H && ui_cmp(u)->cur.sel < s->n_runs) {
		const session_run *r = &s->runs[ui_cmp(u)->cur.sel];
		const run_metrics *mo = &r->m[COMPARE_POL_OFF];
		snprintf(buf, sizeof buf, "%s: %zu samples, %zu analysed%s, %zu with duplicates, %zu truncated%s",
		         r->name, r->n, mo->samples, r->metrics_skipped ? " (some skipped)" : "",
		         mo->samples_with_duplicates, mo->truncated, r->g ? "" : ", no ground truth");
		draw_put(w, yf++, 1, W - 2, buf, A_NORMAL);
	}
	if (yf < H)
		draw_put(w, yf, 1, W - 2,
		         "j/k move · Enter open the run · Space mark runs · d diff · o policy · r repeat-stop · c/Esc back",
		         draw_ca(u, CP_DIM, 0, A_DIM));
}

static void compare_draw(ui *u, const ui_frame *f)
{
	WINDOW *w = draw_begin(u, &ui_screen_compare);
	int H = u->lay.rows - 1, W = u->lay.cols, y0 = 3;
	size_t n = f->s->n_runs;
	cmp_table t;

	compare_title(u, w, W, f);
	if (table_build(&t, f->s) != 0) {
		draw_put(w, 2, 1, W - 2, "out of memory", draw_ca(u, CP_FP, A_BOLD, A_BOLD));
		return;
	}
	table_head(w, W, &t);
	size_t rows = H - y0 - 3 > 1 ? (size_t)(H - y0 - 3) : 1;
	listcur_scroll(&ui_cmp(u)->cur, n, rows);
	for (size_t i = 0; i < rows && ui_cmp(u)->cur.top + i < n; i++)
		run_row(u, w, y0 + (int)i, W, &t, f->s, ui_cmp(u)->cur.top + i);
	footer(u, w, y0 + (int)(n < rows ? n : rows) + 1, H, W, f->s, t.tokens_ok);
	table_free(&t);
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

static const ui_request cmp_requests[ACT_COUNT] = {
	[ACT_ENTER] = cmp_enter,          [ACT_COMPARE] = cmp_leave,
	[ACT_CLOSE] = cmp_leave,          [ACT_DIFF] = cmp_diff,
	[ACT_PLAY] = cmp_mark,            [ACT_NEXT_PANE] = cmp_ignore,
	[ACT_PREV_PANE] = cmp_ignore,     [ACT_STEP_FWD] = cmp_ignore,
	[ACT_STEP_BACK] = cmp_ignore,     [ACT_METRICS] = cmp_select_run,
	[ACT_HISTOGRAM] = cmp_select_run, [ACT_SWEEP] = cmp_select_run,
};

static unsigned compare_key(ui *u, keys_action a, int *handled)
{
	long delta;
	int end;
	*handled = 1;
	if (ui_list_motion(a, (long)ui_screen_rows(u), &delta, &end))
		return ui_list_move(&ui_cmp(u)->cur, u->s->n_runs, delta, end);
	return ui_request_run(cmp_requests, u, a, handled);
}

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

const ui_view ui_screen_compare = {
	.name = "compare", .id = UI_V_COMPARE, .win = W_SCREEN, .rd = UI_RD_COMPARE | UI_RD_LAYOUT | UI_RD_OVERLAY,
	.draw = compare_draw, .key = compare_key, .click = compare_click,
	.private_size = sizeof(ui_cmp_state),
};
