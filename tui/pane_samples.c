/* pane_samples.c — the samples pane: one row per sample of the current run
 * (name, records, duplicates, max repeat, termination, F1), the sort and the
 * filter in its title; moves the selection, shows the selected sample. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "draw.h"
#include "glyphs.h"
#include "fsafe.h"
#include "marks.h"
#include "sanitize.h"

static void term_badge(const ui *u, const slist_item *it, const char **txt, attr_t *a)
{
	if (!it->ready) {
		*txt = glyph(GL_PENDING);
		*a = draw_ca(u, CP_DIM, 0, A_DIM);
	} else if (it->failed) {
		*txt = "error"; /* drawn as the word */
		*a = draw_ca(u, CP_FP, A_BOLD, A_BOLD);
	} else if (it->term == SLIST_TERM_CLOSED) {
		*txt = glyph(GL_CLOSED);
		*a = draw_ca(u, CP_CLOSED, 0, A_NORMAL);
	} else if (it->term == SLIST_TERM_STOPPED) {
		*txt = glyph(GL_STOPPED);
		*a = draw_ca(u, CP_CLOSED, 0, A_NORMAL);
	} else if (it->term == SLIST_TERM_TRUNCATED) {
		*txt = glyph(GL_TRUNC);
		*a = draw_ca(u, CP_TRUNC, A_BOLD, A_BOLD);
	} else {
		*txt = glyph(GL_MALFORMED);
		*a = draw_ca(u, CP_MALFORMED, A_BOLD, A_BOLD);
	}
}

/* "filter: dup", "filter: max_repeat>5" ... ("" without a filter) */
static const char *filter_prefix(const slist_filter *f)
{
	return f->kind == SLIST_FILTER_DUP ? "dup" : f->kind == SLIST_FILTER_TRUNC ? "trunc"
	     : f->kind == SLIST_FILTER_LABEL ? "label:" : "";
}

static void samples_title(const ui *u, WINDOW *w, int W, const session_run *r)
{
	const slist *l = &r->list;
	char buf[384], safe[384], marks[48] = "";
	size_t nm = slist_marked_count(l);
	if (nm)
		snprintf(marks, sizeof marks, "  %s%zu%s", glyph(GL_MARK), nm, l->only_marked ? " only" : "");
	if (l->filter.kind != SLIST_FILTER_NONE || l->only_marked)
		/* the filter before the sort: what survives a narrow pane */
		snprintf(buf, sizeof buf, " Samples %zu/%zu%s  filter: %s%s  sort: %s%s", l->n_view, r->n,
		         marks, filter_prefix(&l->filter), l->filter.text, slist_sort_name(l->sort),
		         l->reverse ? " rev" : "");
	else
		snprintf(buf, sizeof buf, " Samples %zu%s  sort: %s%s", r->n, marks,
		         slist_sort_name(l->sort), l->reverse ? " rev" : "");
	sanitize_cstr(buf, safe, sizeof safe, 0);
	draw_title(u, w, W, u->focus == UI_PANE_SAMPLES, safe);
}

/* The badges of a ready sample from column x (draw.h: the gallery's too). */
void ui_sample_badges(const ui *u, WINDOW *w, int y, int x, const slist_item *it, int sel, attr_t base)
{
	char buf[32];
	const char *tt;
	attr_t ta, dup = draw_ca(u, CP_DUP, A_BOLD, A_BOLD);
	term_badge(u, it, &tt, &ta);
	snprintf(buf, sizeof buf, "%4zu", it->records);
	draw_put(w, y, x, 4, buf, base);
	snprintf(buf, sizeof buf, "%3zu", it->dups);
	draw_put(w, y, x + 5, 3, buf, sel ? base : it->dups ? dup : base);
	snprintf(buf, sizeof buf, "%s%-2zu", glyph(GL_REPEAT), it->max_repeat);
	if (it->max_repeat > 99)
		snprintf(buf, sizeof buf, "%s99", glyph(GL_REPEAT));
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

/* Where sample idx is (session_where) in w columns: "line N", or SHARD:N
 * with the line whole and the shard's name cut at its front ("…"). */
static void where_fit(const session_run *r, size_t idx, int w, char *out, size_t outsz)
{
	char shard[512], num[32];
	size_t line = session_where(r, idx, shard, sizeof shard);
	if (!shard[0]) {
		snprintf(out, outsz, "line %zu", line);
		return;
	}
	int nl = snprintf(num, sizeof num, ":%zu", line), cols;
	const char *t = shard;
	draw_fit(t, 1 << 20, &cols);
	while (*t && cols + nl + (t != shard) > w) {
		t++;
		while (*t && ((unsigned char)*t & 0xC0) == 0x80)
			t++;
		draw_fit(t, 1 << 20, &cols);
	}
	snprintf(out, outsz, "%s%s%s", t == shard ? "" : "\xe2\x80\xa6", t, num);
}

static void sample_row(ui *u, WINDOW *w, int y, int W, int nw, const session_run *r, size_t row)
{
	size_t idx = r->list.view[row];
	const slist_item *it = &r->items[idx];
	int sel = row == r->list.cur.sel;
	attr_t base = sel ? A_REVERSE : A_NORMAL;
	char name[600];
	if (sel)
		draw_fill_row(w, y, 0, W, base);
	if (it->name && !it->failed)
		snprintf(name, sizeof name, "%s", it->name);
	else /* no image reference yet: where the sample is */
		where_fit(r, idx, nw - slist_is_marked(&r->list, idx), name, sizeof name);
	if (slist_is_marked(&r->list, idx)) {
		draw_put(w, y, 0, 1, glyph(GL_MARK), sel ? base | A_BOLD : draw_ca(u, CP_DUP, A_BOLD, A_BOLD));
		draw_put(w, y, 1, nw - 1, name, base);
	} else {
		draw_put(w, y, 0, nw, name, base);
	}
	if (it->ready && !it->failed) {
		ui_sample_badges(u, w, y, nw + 1, it, sel, base);
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

static unsigned mark_one(ui *u, session_run *r)
{
	int st = slist_mark_toggle(&r->list);
	if (st < 0)
		return 0;
	ui_note(u, "%s · %zu marked · W writes them", st ? "marked" : "unmarked",
	        slist_marked_count(&r->list));
	if (!st && r->list.only_marked)
		slist_rebuild(&r->list, r->items, r->n);
	else
		listcur_move(&r->list.cur, 1, r->list.n_view); /* on to the next, as in mutt */
	return UI_RD_SAMPLES | UI_RD_STATUS | ui_show_selected(u);
}

static unsigned mark_shown(ui *u, session_run *r)
{
	size_t ch = slist_mark_shown(&r->list);
	ui_note(u, "%zu samples %s · %zu marked", ch,
	        r->list.n_view && slist_is_marked(&r->list, r->list.view[0]) ? "marked" : "unmarked",
	        slist_marked_count(&r->list));
	if (r->list.only_marked)
		slist_rebuild(&r->list, r->items, r->n);
	return UI_RD_SAMPLES | UI_RD_STATUS | ui_show_selected(u);
}

static unsigned reverse_sort(ui *u, session_run *r)
{
	r->list.reverse = !r->list.reverse;
	slist_rebuild(&r->list, r->items, r->n);
	r->list.cur.sel = 0;
	r->list.cur.top = 0;
	ui_note(u, "sort: %s%s", slist_sort_name(r->list.sort), r->list.reverse ? " (reversed)" : "");
	return UI_RD_SAMPLES | UI_RD_STATUS | ui_show_selected(u);
}

/* "tailscope-marks-RUN" with the run name's unsafe characters as '_' */
static void marks_base(const session_run *r, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "tailscope-marks-%s", r->name[0] ? r->name : "run");
	for (size_t i = 16; n > 0 && i < (size_t)n && i < outsz; i++) {
		unsigned char c = (unsigned char)out[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			out[i] = '_';
	}
}

static unsigned write_marks(ui *u, session_run *r)
{
	size_t nm = slist_marked_count(&r->list), len[2] = {0, 0};
	if (!nm) {
		ui_note(u, "no sample marked: b marks one, B every one shown");
		return UI_RD_STATUS;
	}
	char base[160], path[2][200];
	marks_base(r, base, sizeof base);
	snprintf(path[0], sizeof path[0], "%s.csv", base);
	snprintf(path[1], sizeof path[1], "%s.json", base);
	char *txt[2] = { marks_csv(r, &len[0]), marks_json(r, &len[1]) };
	ts_error err = {0};
	ts_status st = !txt[0] || !txt[1] ? ts_error_set(&err, TS_ERR_NOMEM, "out of memory") : TS_OK;
	for (int k = 0; k < 2 && st == TS_OK; k++)
		st = fsafe_write_atomic(path[k], txt[k], len[k], &err);
	free(txt[0]);
	free(txt[1]);
	if (st != TS_OK)
		ui_note(u, "marks not written: %s", err.msg);
	else
		ui_note(u, "wrote %zu marked samples to %s and .json (open: --samples %s)", nm, path[0],
		        path[0]);
	return UI_RD_STATUS;
}


/* the requests on the run's list (none without a run: passed on) */
static unsigned on_list(ui *u, keys_action a, int *handled)
{
	static unsigned (*const fn[ACT_COUNT])(ui *u, session_run *r) = {
		[ACT_MARK] = mark_one,             [ACT_MARK_SHOWN] = mark_shown,
		[ACT_SORT_REVERSE] = reverse_sort, [ACT_WRITE_MARKS] = write_marks,
	};
	session_run *r = session_cur(u->s);
	if (!r)
		return *handled = 0, 0u;
	return fn[a](u, r);
}

/* Moves in the samples list: by delta, or to the first (end < 0) / last
 * (end > 0) row; shows the selected sample. */
unsigned ui_move_samples(ui *u, long delta, int end)
{
	session_run *r = session_cur(u->s);
	if (!r)
		return 0;
	if (end < 0)
		listcur_set(&r->list.cur, 0, r->list.n_view);
	else if (end > 0)
		listcur_set(&r->list.cur, r->list.n_view ? r->list.n_view - 1 : 0, r->list.n_view);
	else
		listcur_move(&r->list.cur, delta, r->list.n_view);
	return UI_RD_SAMPLES | UI_RD_STATUS | ui_show_selected(u);
}

/* j/k, PgDn/PgUp, g/G */
static UI_REQUEST(motion)
{
	long delta;
	int end;
	ui_list_motion(a, (long)ui_pane_rows(u, UI_PANE_SAMPLES), &delta, &end);
	return ui_move_samples(u, delta, end);
}

UI_REQUEST(ui_samples_next)
{
	return ui_move_samples(u, a == ACT_PREV_SAMPLE ? -1 : 1, 0);
}

static const ui_request requests[ACT_COUNT] = {
	UI_LIST_MOTIONS(motion),
	[ACT_MARK] = on_list,          [ACT_MARK_SHOWN] = on_list,  [ACT_SORT_REVERSE] = on_list,
	[ACT_WRITE_MARKS] = on_list,
};

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
	.draw = samples_draw, .requests = requests, .click = samples_click,
};
