/* pane_samples.c — the samples pane: one row per sample of the current run
 * (name, records, duplicates, max repeat, termination, F1), the sort and the
 * filter in its title; moves the selection, shows the selected sample. */
#include <math.h>
#include <stdio.h>

#include "draw.h"
#include "sanitize.h"

static void term_badge(const ui *u, const slist_item *it, const char **txt, attr_t *a)
{
	if (!it->ready) {
		*txt = "…";
		*a = draw_ca(u, CP_DIM, 0, A_DIM);
	} else if (it->failed) {
		*txt = "!";
		*a = draw_ca(u, CP_FP, A_BOLD, A_BOLD);
	} else if (it->term == SLIST_TERM_CLOSED) {
		*txt = "C";
		*a = draw_ca(u, CP_CLOSED, 0, A_NORMAL);
	} else if (it->term == SLIST_TERM_STOPPED) {
		*txt = "S";
		*a = draw_ca(u, CP_CLOSED, 0, A_NORMAL);
	} else if (it->term == SLIST_TERM_TRUNCATED) {
		*txt = "T";
		*a = draw_ca(u, CP_TRUNC, A_BOLD, A_BOLD);
	} else {
		*txt = "M";
		*a = draw_ca(u, CP_MALFORMED, A_BOLD, A_BOLD);
	}
}

static void samples_title(const ui *u, WINDOW *w, int W, const session_run *r)
{
	const slist *l = &r->list;
	char buf[256], safe[256];
	if (l->filter.kind != SLIST_FILTER_NONE)
		/* the filter before the sort: what survives a narrow pane */
		snprintf(buf, sizeof buf, " Samples %zu/%zu  filter: %s%s  sort: %s", l->n_view, r->n,
		         l->filter.kind == SLIST_FILTER_DUP ? "dup" :
		         l->filter.kind == SLIST_FILTER_TRUNC ? "trunc" :
		         l->filter.kind == SLIST_FILTER_LABEL ? "label:" : "",
		         l->filter.text, slist_sort_name(l->sort));
	else
		snprintf(buf, sizeof buf, " Samples %zu  sort: %s", r->n, slist_sort_name(l->sort));
	sanitize_cstr(buf, safe, sizeof safe, 0);
	draw_title(u, w, W, u->focus == UI_PANE_SAMPLES, safe);
}

/* The badges of a ready sample from column x. */
static void badges(const ui *u, WINDOW *w, int y, int x, const slist_item *it, int sel, attr_t base)
{
	char buf[32];
	const char *tt;
	attr_t ta, dup = draw_ca(u, CP_DUP, A_BOLD, A_BOLD);
	term_badge(u, it, &tt, &ta);
	snprintf(buf, sizeof buf, "%4zu", it->records);
	draw_put(w, y, x, 4, buf, base);
	snprintf(buf, sizeof buf, "%3zu", it->dups);
	draw_put(w, y, x + 5, 3, buf, sel ? base : it->dups ? dup : base);
	snprintf(buf, sizeof buf, "×%-2zu", it->max_repeat);
	if (it->max_repeat > 99)
		snprintf(buf, sizeof buf, "×99");
	draw_put(w, y, x + 9, 3, buf, sel ? base : it->max_repeat > 1 ? dup : base);
	draw_put(w, y, x + 13, 1, tt, sel ? base | A_BOLD : ta);
	if (!it->has_f1)
		snprintf(buf, sizeof buf, "  -");
	else if (it->f1 >= 0.995)
		snprintf(buf, sizeof buf, "1.0");
	else
		snprintf(buf, sizeof buf, ".%02d", (int)lround(it->f1 * 100));
	draw_put(w, y, x + 15, 3, buf, base);
}

static void sample_row(ui *u, WINDOW *w, int y, int W, int nw, const session_run *r, size_t row)
{
	size_t idx = r->list.view[row];
	const slist_item *it = &r->items[idx];
	int sel = row == r->list.cur.sel;
	attr_t base = sel ? A_REVERSE : A_NORMAL;
	char name[64];
	if (sel)
		draw_fill_row(w, y, 0, W, base);
	if (it->name)
		snprintf(name, sizeof name, "%s", it->name);
	else
		snprintf(name, sizeof name, "line %zu", trace_index_lineno(r->ix, idx));
	draw_put(w, y, 0, nw, name, base);
	if (it->ready && !it->failed) {
		badges(u, w, y, nw + 1, it, sel, base);
	} else {
		const char *tt;
		attr_t ta;
		term_badge(u, it, &tt, &ta);
		draw_put(w, y, nw + 1, W - nw - 1, it->failed ? "   error" : "      …", sel ? base : ta);
	}
	draw_hit_add(u, u->lay.samples.y + y, u->lay.samples.x, u->lay.samples.x + W, &ui_pane_samples,
	             (long)row);
}

static void samples_draw(ui *u, const ui_frame *f)
{
	WINDOW *w = draw_begin(u, &ui_pane_samples);
	int H = u->lay.samples.h, W = u->lay.samples.w - 1;
	char buf[256];

	draw_vsep(w, W, H);
	if (!f->run) {
		draw_title(u, w, W, 0, " Samples");
		return;
	}
	samples_title(u, w, W, f->run);
	int nw = W - 19;
	if (nw < 4)
		nw = 4;
	snprintf(buf, sizeof buf, "%-*s %4s %3s %3s %s %3s", nw, "sample", "rec", "dup", "rep", "T", "F1");
	draw_put(w, 1, 0, W, buf, A_BOLD);
	size_t rows = H > 2 ? (size_t)(H - 2) : 1;
	slist *l = &session_cur(u->s)->list; /* its scroll position */
	listcur_scroll(&l->cur, l->n_view, rows);
	for (size_t k = 0; k < rows && l->cur.top + k < l->n_view; k++)
		sample_row(u, w, 2 + (int)k, W, nw, f->run, l->cur.top + k);
	if (l->n_view == 0)
		draw_put(w, 2, 1, W - 1, f->run->n ? "no sample matches the filter" : "no samples",
		         draw_ca(u, CP_DIM, 0, A_DIM));
}

static unsigned samples_key(ui *u, keys_action a, int *handled)
{
	long delta;
	int end;
	if (!ui_list_motion(a, (long)ui_pane_rows(u, UI_PANE_SAMPLES), &delta, &end)) {
		*handled = 0;
		return 0;
	}
	*handled = 1;
	return ui_move_samples(u, delta, end);
}

static unsigned samples_click(ui *u, const ui_hit *h)
{
	session_run *r = session_cur(u->s);
	if (!r)
		return 0;
	u->focus = UI_PANE_SAMPLES;
	listcur_set(&r->list.cur, (size_t)h->value, r->list.n_view);
	return UI_RD_PANES | ui_show_selected(u);
}

const ui_view ui_pane_samples = {
	.name = "samples", .id = UI_V_SAMPLES, .win = W_SAMPLES, .rd = UI_RD_SAMPLES,
	.draw = samples_draw, .key = samples_key, .click = samples_click,
};
