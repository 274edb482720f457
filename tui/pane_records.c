/* pane_records.c — the records pane: every record of the sample on screen
 * (label, coordinates, match state, duplicate of #k / ×N), the tail marked
 * in the gutter, the policy's cut line or dropped records; moves the
 * selection and the replay cursor with it. */
#include <math.h>
#include <stdio.h>

#include "draw.h"

static void fmt_num(double v, char *out, size_t outsz)
{
	if (fabs(v) < 1e7 && v == floor(v))
		snprintf(out, outsz, "%.0f", v);
	else
		snprintf(out, outsz, "%.4g", v);
}

/* A sample that failed to load: its error, wrapped. */
static void failed_view(const ui *u, WINDOW *w, int H, int W, const session_view *v)
{
	draw_put(w, 2, 1, W - 2, "cannot show this sample:", draw_ca(u, CP_FP, A_BOLD, A_BOLD));
	const char *e = v->error; /* already sanitized */
	for (int y = 3; y < H && *e; y++) {
		size_t b = draw_fit(e, W - 2, NULL);
		if (b == 0)
			break;
		char line[512];
		snprintf(line, sizeof line, "%.*s", (int)b, e);
		draw_put(w, y, 1, W - 2, line, A_NORMAL);
		e += b;
	}
}

typedef struct rec_ctx {
	WINDOW *w;
	int W, lw;
	const session_view *v;
	const replay *rp;
	size_t vis, sel;
	int cut, dedup, has_gt;
} rec_ctx;

static void records_title(const ui *u, const rec_ctx *c)
{
	char buf[256];
	const repeat_stats *rep = sample_repeat(c->v->s);
	int tl = snprintf(buf, sizeof buf, " Records %zu/%zu shown", c->vis, c->rp->n_rec);
	if (rep->tail_start >= 0 && tl > 0)
		tl += snprintf(buf + tl, sizeof buf - (size_t)tl, "  tail #%ld+", rep->tail_start + 1);
	if (c->cut && tl > 0)
		snprintf(buf + tl, sizeof buf - (size_t)tl, "  kept %zu", c->rp->kept);
	else if (c->dedup && tl > 0)
		snprintf(buf + tl, sizeof buf - (size_t)tl, "  dedup keeps %zu", c->v->on.rep.records);
	draw_title(u, c->w, c->W, u->focus == UI_PANE_RECORDS, buf);
}

/* Keeps the selected record's display row (after the cut line) in view. */
static void records_scroll(ui *u, const rec_ctx *c, size_t rows, size_t total_rows)
{
	size_t srow = c->sel + (c->cut && c->sel >= c->rp->kept ? 1 : 0);
	if (srow < u->rec.top)
		u->rec.top = srow;
	if (srow >= u->rec.top + rows)
		u->rec.top = srow - rows + 1;
	if (total_rows >= rows && u->rec.top > total_rows - rows)
		u->rec.top = total_rows - rows;
	if (total_rows < rows)
		u->rec.top = 0;
}

/* The match state column: text and attribute. */
static const char *match_text(const ui *u, const rec_ctx *c, size_t i, int dropped, int pending,
                              attr_t *ma)
{
	const sample_rec *ri = sample_rec_info(c->v->s);
	match_state mst = c->dedup && c->v->dd_match ? c->v->dd_match[i] : ri[i].match[0];
	if (dropped)
		return c->dedup ? "drop " : "cut ";
	if (pending)
		return "… ";
	if (!c->has_gt)
		return NULL;
	if (mst == MATCH_TP) {
		*ma = draw_ca(u, CP_TP, A_BOLD, A_BOLD);
		return "TP ";
	}
	if (mst == MATCH_FP) {
		*ma = draw_ca(u, CP_FP, A_BOLD, A_BOLD);
		return "FP ";
	}
	return "ign ";
}

static void record_row(ui *u, const rec_ctx *c, int y, size_t i)
{
	WINDOW *w = c->w;
	const record *recs = sample_records(c->v->s);
	const sample_rec *ri = sample_rec_info(c->v->s);
	char buf[160], a[32], b[32], cc[32], d[32];
	int dropped = replay_dropped(c->rp, i), pending = !dropped && i >= c->vis, selected = i == c->sel;
	attr_t base = dropped ? draw_ca(u, CP_CUT, A_DIM, A_DIM) : pending ? draw_ca(u, CP_DIM, 0, A_DIM)
	                                                                   : A_NORMAL;
	if (selected) {
		base = (base & ~A_COLOR) | A_REVERSE;
		draw_fill_row(w, y, 0, c->W, base);
	}
	if (ri[i].in_tail) /* tail block in the gutter */
		draw_put(w, y, 0, 1, "▐", draw_ca(u, CP_TAIL, A_BOLD, A_BOLD));
	snprintf(buf, sizeof buf, "%4zu ", i + 1);
	int x = 1 + draw_put(w, y, 1, c->W - 1, buf, base);
	draw_putu(w, y, x, c->lw, sample_rec_label(c->v->s, i, NULL), sample_rec_label_len(c->v->s, i),
	          selected ? base : base | A_BOLD);
	x += c->lw + 1;
	fmt_num(recs[i].v[0], a, sizeof a);
	fmt_num(recs[i].v[1], b, sizeof b);
	fmt_num(recs[i].v[2], cc, sizeof cc);
	fmt_num(recs[i].v[3], d, sizeof d);
	if (rec_key_n_values(recs[i].key) == 2) /* points, Kosmos-2 patch pairs */
		snprintf(buf, sizeof buf, "%s,%s ", a, b);
	else
		snprintf(buf, sizeof buf, "%s,%s,%s,%s ", a, b, cc, d);
	x += draw_put(w, y, x, c->W - x, buf, base);
	attr_t ma = base;
	const char *ms = match_text(u, c, i, dropped, pending, &ma);
	if (ms)
		x += draw_put(w, y, x, c->W - x, ms, selected ? base : ma);
	if (ri[i].dup_of >= 0) {
		snprintf(buf, sizeof buf, "=#%ld %u/%u", ri[i].dup_of + 1, ri[i].occurrence, ri[i].total);
		draw_put(w, y, x, c->W - x, buf, selected || dropped || pending ? base
		                                 : draw_ca(u, CP_DUP, A_BOLD, A_BOLD));
	} else if (ri[i].total > 1) {
		snprintf(buf, sizeof buf, "×%u", ri[i].total);
		draw_put(w, y, x, c->W - x, buf, selected ? base : draw_ca(u, CP_DUP, 0, A_NORMAL));
	}
	draw_hit_add(u, u->lay.records.y + y, u->lay.records.x, u->lay.records.x + c->W,
	             &ui_pane_records, (long)i);
}

static void records_draw(ui *u, const ui_frame *f)
{
	WINDOW *w = draw_begin(u, &ui_pane_records);
	int H = u->lay.records.h, W = u->lay.records.w;
	const session_view *v = f->v;

	if (!v->valid || v->failed || !v->s) {
		draw_title(u, w, W, u->focus == UI_PANE_RECORDS, " Records");
		if (v->valid)
			failed_view(u, w, H, W, v);
		return;
	}
	const replay *rp = &v->rp;
	size_t n = rp->n_rec;
	rec_ctx c = {w, W, W / 4 < 6 ? 6 : W / 4 > 20 ? 20 : W / 4, v, rp, replay_visible(rp),
	             u->rec.sel < n ? u->rec.sel : 0, rp->policy_on && rp->fired && rp->kept < n,
	             rp->policy_on && rp->drop_dups, sample_has_gt(v->s)};
	records_title(u, &c);
	size_t rows = H > 1 ? (size_t)(H - 1) : 1, total_rows = n + (c.cut ? 1 : 0);
	records_scroll(u, &c, rows, total_rows);
	for (size_t k = 0; k < rows && u->rec.top + k < total_rows; k++) {
		size_t drow = u->rec.top + k;
		if (c.cut && drow == rp->kept) {
			char buf[256];
			snprintf(buf, sizeof buf, "┄┄ %s: cut at step %ld ┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄",
			         f->pol_label, rp->stop_step + 1);
			draw_put(w, 1 + (int)k, 0, W, buf, draw_ca(u, CP_STOP, A_BOLD, A_BOLD));
			continue;
		}
		record_row(u, &c, 1 + (int)k, c.cut && drow > rp->kept ? drow - 1 : drow);
	}
	if (n == 0)
		draw_put(w, 2, 1, W - 2, "no complete record", draw_ca(u, CP_DIM, 0, A_DIM));
}

static unsigned records_key(ui *u, keys_action a, int *handled)
{
	long delta;
	int end;
	if (!ui_list_motion(a, (long)ui_pane_rows(u, UI_PANE_RECORDS), &delta, &end)) {
		*handled = 0;
		return 0;
	}
	*handled = 1;
	if (!ui_view_ok(u) || u->s->view.rp.n_rec == 0)
		return 0;
	size_t n = u->s->view.rp.n_rec;
	listcur c = u->rec;
	if (end)
		c.sel = end < 0 ? 0 : n - 1;
	else
		listcur_move(&c, delta, n);
	return ui_select_record(u, c.sel);
}

static unsigned records_click(ui *u, const ui_hit *h)
{
	u->focus = UI_PANE_RECORDS;
	return UI_RD_PANES | ui_select_record(u, (size_t)h->value);
}

const ui_view ui_pane_records = {
	.name = "records", .win = W_RECORDS, .rd = UI_RD_RECORDS,
	.draw = records_draw, .key = records_key, .click = records_click,
};
