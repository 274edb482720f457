/* pane_records.c — the records pane: every record of the sample on screen
 * (label, coordinates, match state, duplicate of #k / ×N), the tail marked
 * in the gutter, the policy's cut line or dropped records; moves the
 * selection and the replay cursor with it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coords.h"
#include "draw.h"
#include "glyphs.h"
#include "sanitize.h"

/* A number as emitted: integers in full, others with the fewest digits
 * that give the same double back (never rounded for the screen). */
static void fmt_num(double v, char *out, size_t outsz)
{
	if (fabs(v) < 1e15 && v == floor(v)) {
		snprintf(out, outsz, "%.0f", v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, outsz, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* Record i's coordinates as the row shows them ("x1,y1,x2,y2" or "x,y"). */
static int coords_text(const record *r, char *buf, size_t sz)
{
	char a[32], b[32], cc[32], d[32];
	fmt_num(r->v[0], a, sizeof a);
	fmt_num(r->v[1], b, sizeof b);
	fmt_num(r->v[2], cc, sizeof cc);
	fmt_num(r->v[3], d, sizeof d);
	if (rec_key_n_values(r->key) == 2) /* points, Kosmos-2 patch pairs */
		return snprintf(buf, sz, "%s,%s", a, b);
	return snprintf(buf, sz, "%s,%s,%s,%s", a, b, cc, d);
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
	int numw;              /* digits of the highest record number, plus a blank
	                        * after the tail marker */
	const session_view *v;
	const replay *rp;
	size_t vis, sel;
	int cut, dedup, has_gt;
	int foot;              /* rows of the selected record's full label */
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

/* With a truncating cut: occurrences of record i's value among the kept
 * records (the counts the cut list has), and i's own number among them. */
static uint32_t kept_count(const rec_ctx *c, size_t i, uint32_t *nth)
{
	const sample_rec *ri = sample_rec_info(c->v->s);
	long first = ri[i].dup_of >= 0 ? ri[i].dup_of : (long)i;
	uint32_t k = 0;
	*nth = 0;
	for (size_t j = (size_t)first; j < c->rp->kept && j < c->rp->n_rec; j++)
		if (j == (size_t)first || ri[j].dup_of == first) {
			k++;
			if (j == i)
				*nth = k;
		}
	return k;
}

/* The repeat column: "=#k n/N" for a repeat, "×N" for a first occurrence
 * repeated later; with a truncating cut on, N counts the kept list only
 * (dropped rows keep the counts of the whole list).  "" when neither. */
static void repeat_text(const rec_ctx *c, size_t i, int dropped, char *buf, size_t sz)
{
	const sample_rec *ri = sample_rec_info(c->v->s);
	uint32_t nth = ri[i].occurrence, tot = ri[i].total;
	buf[0] = 0;
	if (c->cut && !dropped)
		tot = kept_count(c, i, &nth);
	if (ri[i].dup_of >= 0)
		snprintf(buf, sz, "=#%ld %u/%u", ri[i].dup_of + 1, nth, tot);
	else if (ri[i].total > 1)
		snprintf(buf, sz, "%s%u", glyph(GL_REPEAT), tot);
}

static void record_row(ui *u, const rec_ctx *c, int y, size_t i)
{
	WINDOW *w = c->w;
	const record *recs = sample_records(c->v->s);
	const sample_rec *ri = sample_rec_info(c->v->s);
	char buf[160], co[160];
	int dropped = replay_dropped(c->rp, i), pending = !dropped && i >= c->vis, selected = i == c->sel;
	attr_t base = dropped ? draw_ca(u, CP_CUT, A_DIM, A_DIM) : pending ? draw_ca(u, CP_DIM, 0, A_DIM)
	                                                                   : A_NORMAL;
	if (selected) {
		base = (base & ~A_COLOR) | A_REVERSE;
		draw_fill_row(w, y, 0, c->W, base);
	}
	if (ri[i].in_tail) /* tail block in the gutter */
		draw_put(w, y, 0, 1, glyph(GL_TAIL), draw_ca(u, CP_TAIL, A_BOLD, A_BOLD));
	/* the coordinates are never cut where the pane can hold them (the label
	 * column is sized for them); the match state and then the repeat column
	 * (right-aligned) take the room left, else show "…" */
	int cw = coords_text(&recs[i], co, sizeof co);
	int room = c->W - (c->numw + 3 + c->lw + cw + 1); /* after "# label coords " */
	char rep[48];
	repeat_text(c, i, dropped, rep, sizeof rep);
	attr_t ma = base;
	const char *ms = match_text(u, c, i, dropped, pending, &ma);
	int msw = ms ? (int)sanitize_width(ms, strlen(ms)) : 0, W = c->W;
	int rw = rep[0] ? (int)sanitize_width(rep, strlen(rep)) : 0;
	if (msw && msw > room && room >= 1)
		ms = "…", msw = 1;
	int mroom = msw && msw <= room ? msw + 1 : 0; /* the match state first */
	if (rw && rw + mroom > room && ri[i].dup_of >= 0) { /* "=#k": n/N left out */
		snprintf(rep, sizeof rep, "=#%ld", ri[i].dup_of + 1);
		rw = (int)strlen(rep);
	}
	if (rw && rw + mroom > room && room - mroom >= 1)
		snprintf(rep, sizeof rep, "…"), rw = 1;
	if (rw && rw + mroom <= room) {
		draw_put(w, y, c->W - rw, rw, rep, selected || dropped || pending ? base
		         : ri[i].dup_of >= 0 ? draw_ca(u, CP_DUP, A_BOLD, A_BOLD) : draw_ca(u, CP_DUP, 0, A_NORMAL));
		W -= rw + 1;
	}
	if (mroom) {
		W -= msw;
		draw_put(w, y, W, msw, ms, selected ? base : ma);
		W--; /* a blank before it */
	}
	snprintf(buf, sizeof buf, "%*zu ", c->numw, i + 1);
	int x = 1 + draw_put(w, y, 1, W - 1, buf, base);
	draw_putu(w, y, x, c->lw < W - x ? c->lw : W - x, sample_rec_label(c->v->s, i, NULL),
	          sample_rec_label_len(c->v->s, i),
	          selected ? base : base | A_BOLD);
	x += c->lw + 1;
	if (x >= W)
		goto hit;
	draw_put(w, y, x, W - x, co, base);
hit:
	draw_hit_add(u, u->lay.records.y + y, u->lay.records.x, u->lay.records.x + c->W,
	             &ui_pane_records, (long)i);
}

/* Row 1: what the columns are, with the coordinate order as emitted
 * (coords_describe: "1024 bins, y first" for PaliGemma). */
static void records_header(ui *u, const rec_ctx *c, const ui_frame *f, int y)
{
	const record *recs = sample_records(c->v->s);
	coords_kind k = coords_resolve(f->run ? f->run->an.coords.kind : COORDS_AUTO,
	                               c->rp->n_rec ? recs[c->sel].key : REC_KEY_NONE);
	const char *desc = coords_describe(k);
	int yfirst = strstr(desc, "y first") != NULL;
	int two = c->rp->n_rec && rec_key_n_values(recs[c->sel].key) == 2;
	const char *order = two ? (yfirst ? "y,x" : "x,y") : yfirst ? "y1,x1,y2,x2" : "x1,y1,x2,y2";
	char buf[200];
	int x = 1 + c->numw + 1;
	draw_put(c->w, y, c->numw, 1, "#", draw_ca(u, CP_DIM, 0, A_DIM));
	draw_put(c->w, y, x, c->lw, "label", draw_ca(u, CP_DIM, 0, A_DIM));
	x += c->lw + 1;
	snprintf(buf, sizeof buf, "%s (%s) %s", order, coords_name(k), desc);
	draw_put(c->w, y, x, c->W - x, buf, yfirst ? A_BOLD : draw_ca(u, CP_DIM, 0, A_DIM));
}

/* The last rows: the selected record's number and full label, wrapped. */
static void records_footer(ui *u, const rec_ctx *c, int y0, int rows)
{
	char safe[1024], line[1100];
	if (!c->rp->n_rec)
		return;
	sanitize(sample_rec_label(c->v->s, c->sel, NULL), sample_rec_label_len(c->v->s, c->sel), safe,
	         sizeof safe, 0);
	snprintf(line, sizeof line, "#%zu %s", c->sel + 1, safe);
	draw_fill_row(c->w, y0, 0, c->W, draw_ca(u, CP_TITLE, 0, A_REVERSE));
	const char *e = line;
	for (int y = y0; y < y0 + rows && *e; y++) {
		size_t b = draw_fit(e, c->W - 2, NULL);
		if (b == 0)
			break;
		char part[1100];
		snprintf(part, sizeof part, "%.*s", (int)b, e);
		if (y > y0)
			draw_fill_row(c->w, y, 0, c->W, A_NORMAL);
		draw_put(c->w, y, 1, c->W - 2, part, y == y0 ? draw_ca(u, CP_TITLE, A_BOLD, A_REVERSE) : A_BOLD);
		e += b;
	}
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
	rec_ctx c = {w, W, W / 4 < 6 ? 6 : W / 4 > 20 ? 20 : W / 4, 2, v, rp, replay_visible(rp),
	             u->rec.sel < n ? u->rec.sel : 0, rp->policy_on && rp->fired && rp->kept < n,
	             rp->policy_on && rp->drop_dups, sample_has_gt(v->s), 0};
	records_title(u, &c);
	int hdr = ui_records_extra(H, &c.foot), y0 = 1 + hdr;
	if (c.foot)
		records_footer(u, &c, H - c.foot, c.foot);
	size_t rows = H - y0 - c.foot > 0 ? (size_t)(H - y0 - c.foot) : 1, total_rows = n + (c.cut ? 1 : 0);
	records_scroll(u, &c, rows, total_rows);
	/* the label column is as wide as the labels on screen need (at most its
	 * share of the pane) and gives way to the widest coordinates and to the
	 * match and repeat columns ("TP  =#k n/N"); only then do those shorten */
	int maxcw = 0, maxlw = 5, right = 0;
	for (size_t k = 0; k < rows && u->rec.top + k < n; k++) {
		char co[160];
		size_t i = u->rec.top + k;
		int cw = coords_text(&sample_records(v->s)[i], co, sizeof co);
		maxcw = cw > maxcw ? cw : maxcw;
		sanitize(sample_rec_label(v->s, i, NULL), sample_rec_label_len(v->s, i), co, sizeof co, 40);
		int lw = (int)sanitize_width(co, strlen(co));
		maxlw = lw > maxlw ? lw : maxlw;
		repeat_text(&c, i, replay_dropped(rp, i), co, sizeof co);
		int rw = co[0] ? (int)sanitize_width(co, strlen(co)) + 1 : 0;
		right = rw + 4 > right ? rw + 4 : right; /* and " cut" */
	}
	for (size_t m = n; m >= 10; m /= 10)
		c.numw++;
	int fixed = c.numw + 4 + maxcw + right; /* gutter, number, blanks, coordinates, right */
	if (c.lw > maxlw)
		c.lw = maxlw;
	if (c.lw > W - fixed)
		c.lw = W - fixed < 2 ? 2 : W - fixed; /* at least "x…" */
	if (hdr)
		records_header(u, &c, f, 1);
	for (size_t k = 0; k < rows && u->rec.top + k < total_rows; k++) {
		size_t drow = u->rec.top + k;
		if (c.cut && drow == rp->kept) {
			char buf[256];
			snprintf(buf, sizeof buf, "┄┄ %s: cut at step %ld ┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄",
			         f->pol_label, rp->stop_step + 1);
			draw_put(w, y0 + (int)k, 0, W, buf, draw_ca(u, CP_STOP, A_BOLD, A_BOLD));
			continue;
		}
		record_row(u, &c, y0 + (int)k, c.cut && drow > rp->kept ? drow - 1 : drow);
	}
	if (n == 0)
		draw_put(w, 2, 1, W - 2, "no complete record", draw_ca(u, CP_DIM, 0, A_DIM));
}

/* j/k, PgDn/PgUp, g/G */
static UI_REQUEST(motion)
{
	long delta;
	int end;
	ui_list_motion(a, (long)ui_pane_rows(u, UI_PANE_RECORDS), &delta, &end);
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

static const ui_request requests[ACT_COUNT] = {
	UI_LIST_MOTIONS(motion),
};

static unsigned records_click(ui *u, const ui_hit *h)
{
	u->focus = UI_PANE_RECORDS;
	return UI_RD_PANES | ui_select_record(u, (size_t)h->value);
}

const ui_view ui_pane_records = {
	.name = "records", .id = UI_V_RECORDS, .win = W_RECORDS, .rd = UI_RD_RECORDS,
	.draw = records_draw, .requests = requests, .click = records_click,
};
