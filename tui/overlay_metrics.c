/* overlay_metrics.c — the metrics overlay (m): the sample on screen and the
 * current run, policy off next to the compared policy.  Positions are shown
 * as on the rest of the screen (1-based: record #23, step 528) next to the
 * JSON field of `report --json --per-sample` they cross-check with (0-based:
 * tail_start 22, stop_step 527).  Scrolls (j/k, PgDn/PgUp) when the
 * terminal is too small for it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "sanitize.h"

/* private state: the first row shown, and whether it holds since the
 * last opening (else the drawing starts at the top) */
typedef struct metrics_state {
	int scroll, at;
} metrics_state;

static void metrics_open(ui *u)
{
	((metrics_state *)ui_private(u, &ui_overlay_metrics))->at = 0;
}

typedef struct mtab {
	ui *u;
	WINDOW *o;
	int y, h, w;
	int row, skip, y0; /* rows counted, rows scrolled off, first row's y */
	int colw, colb;    /* widest value of the first / the second column */
	int wide;          /* widest value of a wide row
	                    * (measured in the counting pass: columns are sized
	                    * from the values they hold) */
	int stack;         /* narrow panel: 0 name and values on one row, 1 the
	                    * values on the row below the name, 2 each value on
	                    * its own row */
} mtab;

#define MNAME_W 26 /* the row names' column */
#define METRICS_MIN_W 76 /* the panel's least width (the terminal's when narrower) */

static int text_w(const char *s)
{
	return (int)sanitize_width(s, strlen(s));
}

/* x of the first / second value column */
static int col_a(const mtab *t)
{
	return t->stack ? 4 : 30;
}
static int col_b(const mtab *t)
{
	if (t->stack)
		return 4 + t->colw + 2;
	int half = (t->w - 32) / 2, need = t->colw + 2;
	if (half > need && t->w - 1 - (30 + half) >= t->colb)
		return 30 + half; /* the usual halves when the values fit them */
	return 30 + need;
}

/* The window row for the next table row, or -1 when it is scrolled off or
 * below the frame (still counted). */
static int next_y(mtab *t)
{
	int r = t->row++;
	if (!t->o || r < t->skip) /* counting only, or scrolled off */
		return -1;
	int y = t->y0 + r - t->skip;
	return y < t->h - 1 ? y : -1;
}

static void prf_s(const metrics_counts *c, char *out, size_t outsz)
{
	metrics_prf p = metrics_prf_from(c);
	snprintf(out, outsz, "%.3f/%.3f/%.3f", p.precision, p.recall, p.f1);
}

static void mrow(mtab *t, const char *name, const char *a, const char *b)
{
	if (!t->o) {
		t->colw = text_w(a) > t->colw ? text_w(a) : t->colw;
		t->colb = text_w(b) > t->colb ? text_w(b) : t->colb;
	}
	attr_t at = draw_ca(t->u, CP_OVERLAY, 0, A_NORMAL), bt = draw_ca(t->u, CP_OVERLAY, A_BOLD, A_BOLD);
	int y = next_y(t), xa = col_a(t), xb = col_b(t);
	if (t->stack) { /* the name, then the values below it */
		if (y >= 0)
			draw_put(t->o, y, 2, t->w - 3, name, at);
		y = next_y(t);
		if (t->stack == 2) {
			if (y >= 0)
				draw_put(t->o, y, xa, t->w - 1 - xa, a, at);
			y = next_y(t);
			xb = xa;
		}
	}
	if (y < 0)
		return;
	if (t->stack != 2) {
		draw_put(t->o, y, 3, MNAME_W, t->stack ? "" : name, at);
		draw_put(t->o, y, xa, xb - xa - 1, a, at);
	}
	draw_put(t->o, y, xb, t->w - 1 - xb, b, bt);
}

/* a row whose one value spans both columns */
static void mrow_wide(mtab *t, const char *name, const char *a)
{
	if (!t->o && text_w(a) > t->wide)
		t->wide = text_w(a);
	int y = next_y(t);
	if (t->stack) {
		if (y >= 0)
			draw_put(t->o, y, 2, t->w - 3, name, draw_ca(t->u, CP_OVERLAY, 0, A_NORMAL));
		y = next_y(t);
		if (y >= 0)
			draw_put(t->o, y, col_a(t), t->w - 1 - col_a(t), a, draw_ca(t->u, CP_OVERLAY, 0, A_NORMAL));
		return;
	}
	if (y < 0)
		return;
	attr_t at = draw_ca(t->u, CP_OVERLAY, 0, A_NORMAL);
	draw_put(t->o, y, 3, 26, name, at);
	draw_put(t->o, y, 30, t->w - 32, a, at);
}

/* a heading row across the panel */
static void mhead(mtab *t, const char *text)
{
	int y = next_y(t);
	if (y >= 0)
		draw_put(t->o, y, 2, t->w - 4, text, draw_ca(t->u, CP_OVERLAY, A_BOLD, A_BOLD | A_UNDERLINE));
}

/* "record #23 (tail_start 22)": the screen's 1-based number and the JSON
 * field's 0-based value; "-" for none (null in the JSON) */
static void pos_s(const char *what, const char *field, long v, char *out, size_t outsz)
{
	if (v < 0)
		snprintf(out, outsz, "- (%s null)", field);
	else
		snprintf(out, outsz, "%s%ld (%s %ld)", what, v + 1, field, v);
}

/* a row of two counts */
static void mrow_zu(mtab *t, const char *name, size_t a, size_t b)
{
	char sa[32], sb[32];
	snprintf(sa, sizeof sa, "%zu", a);
	snprintf(sb, sizeof sb, "%zu", b);
	mrow(t, name, sa, sb);
}

/* P(close) as report --json names it: at the tail start (the boundary
 * after record #tail_start, 1-based) and the max before the tail. */
static void close_rows(mtab *t, long tail)
{
	conf_term ct;
	char a[96];
	if (!session_view_close_term(t->u->s, &ct)) {
		mrow_wide(t, "P(close)", "needs alternatives (top_logprobs) in the trace");
		return;
	}
	if (tail < 1)
		snprintf(a, sizeof a, "- (p_close_at_tail_start null)");
	else if (isnan(ct.at_tail_start))
		snprintf(a, sizeof a, "after #%ld: ? (p_close_at_tail_start null)", tail);
	else
		snprintf(a, sizeof a, "after #%ld: %.3f (p_close_at_tail_start)", tail, ct.at_tail_start);
	mrow_wide(t, "P(close) at tail start", a);
	if (isnan(ct.max_before_tail))
		snprintf(a, sizeof a, "- (p_close_max_before_tail null)");
	else
		snprintf(a, sizeof a, "after #%ld: %.3f (p_close_max_before_tail)", ct.argmax + 1, ct.max_before_tail);
	mrow_wide(t, tail >= 0 ? "P(close) max before tail" : "P(close) max", a);
}

static void sample_rows(mtab *t, const session_run *r, const session_view *v)
{
	const sample_outcome *of = &v->off, *on = &v->on;
	char a[96], b[96], nm[64];
	mrow_zu(t, "records", of->rep.records, on->rep.records);
	mrow_zu(t, "duplicates", of->rep.duplicates, on->rep.duplicates);
	mrow_zu(t, "max repeat", of->rep.max_repeat, on->rep.max_repeat);
	mrow(t, "termination", termination_name(of->term), termination_name(on->term));
	mrow_zu(t, "tokens", of->tokens, on->tokens);
	pos_s("record #", "tail_start", of->rep.tail_start, a, sizeof a);
	mrow_wide(t, "repeated tail starts at", a);
	pos_s("step ", "stop_step", on->cut.fired ? on->cut.stop_step : -1, b, sizeof b);
	mrow(t, "policy stops at", "", b);
	close_rows(t, of->rep.tail_start);
	if (!sample_has_gt(v->s)) {
		mrow(t, "F1", "no ground truth", "");
		return;
	}
	for (size_t j = 0; j < r->an.n_iou; j++) {
		snprintf(nm, sizeof nm, "TP/FP/FN @%.2g", r->an.iou[j]);
		snprintf(a, sizeof a, "%zu/%zu/%zu", of->counts[j].tp, of->counts[j].fp, of->counts[j].fn);
		snprintf(b, sizeof b, "%zu/%zu/%zu", on->counts[j].tp, on->counts[j].fp, on->counts[j].fn);
		mrow(t, nm, a, b);
		snprintf(nm, sizeof nm, "P/R/F1 @%.2g", r->an.iou[j]);
		prf_s(&of->counts[j], a, sizeof a);
		prf_s(&on->counts[j], b, sizeof b);
		mrow(t, nm, a, b);
	}
}

static void run_rows(mtab *t, const session_run *r, size_t pol)
{
	const run_metrics *mo = &r->m[COMPARE_POL_OFF], *mn = &r->m[pol];
	char a[96], b[96], nm[64];
	mrow_zu(t, "samples", mo->samples, mn->samples);
	mrow_zu(t, "records", mo->records, mn->records);
	snprintf(a, sizeof a, "%.3f", mo->duplicate_rate);
	snprintf(b, sizeof b, "%.3f", mn->duplicate_rate);
	mrow(t, "duplicate rate", a, b);
	mrow_zu(t, "max repeat", mo->max_repeat, mn->max_repeat);
	mrow_zu(t, "samples with duplicates", mo->samples_with_duplicates, mn->samples_with_duplicates);
	snprintf(a, sizeof a, "%zu/%zu/%zu/%zu", mo->closed, mo->truncated, mo->malformed, mo->stopped);
	snprintf(b, sizeof b, "%zu/%zu/%zu/%zu", mn->closed, mn->truncated, mn->malformed, mn->stopped);
	mrow(t, "closed/trunc/malf/stopped", a, b);
	mrow_zu(t, "tokens", mo->tokens, mn->tokens);
	for (size_t j = 0; r->g && j < r->an.n_iou; j++) {
		snprintf(nm, sizeof nm, "P/R/F1 @%.2g", r->an.iou[j]);
		prf_s(&mo->counts[j], a, sizeof a);
		prf_s(&mn->counts[j], b, sizeof b);
		mrow(t, nm, a, b);
	}
}

static void metrics_rows(mtab *t, const ui_frame *f)
{
	const session_run *r = f->run;
	char ttl[256];
	if (f->ok) {
		snprintf(ttl, sizeof ttl, "sample %s", f->v->image_id);
		mhead(t, ttl);
		sample_rows(t, r, f->v);
	}
	snprintf(ttl, sizeof ttl, "run %s  (%zu of %zu samples analysed%s)", r->name, r->n_done, r->n,
	         r->metrics_skipped ? ", some skipped" : "");
	mhead(t, ttl);
	run_rows(t, r, f->s->pol);
}

static void metrics_draw(ui *u, const ui_frame *f)
{
	const session_run *r = f->run;
	if (!r)
		return;
	/* count the rows first (no window): the panel's height and the scroll */
	mtab t = {u, NULL, 0, 1 << 20, METRICS_MIN_W, 0, 0, 0, 0, 0, 0, 0};
	metrics_rows(&t, f);
	int colw = t.colw, colb = t.colb, wide = t.wide, avail = COLS - 2, stack = 0;
	int need = 30 + (colw + 2) + colb + 2, needw = 30 + wide + 2;
	need = need > needw ? need : needw;
	if (need > avail) /* too narrow for names and values side by side */
		stack = 4 + (colw + 2) + colb + 1 <= avail ? 1 : 2;
	t = (mtab){u, NULL, 0, 1 << 20, METRICS_MIN_W, 0, 0, 0, colw, colb, wide, stack};
	metrics_rows(&t, f);
	int total = t.row;
	/* sized to the terminal: three quarters of its width (wider value
	 * columns), at least METRICS_MIN_W or what the values need */
	int ow = COLS * 3 / 4;
	ow = ow > need ? ow : need;
	WINDOW *o = draw_overlay_win(total + 3, ow > METRICS_MIN_W ? ow : METRICS_MIN_W);
	char ttl[256];
	if (!o)
		return;
	int h, w;
	getmaxyx(o, h, w);
	int vis = h - 3; /* frame, the column heads */
	metrics_state *ms = ui_private(u, &ui_overlay_metrics);
	if (!ms->at) {
		ms->at = 1;
		ms->scroll = 0;
	}
	if (ms->scroll > total - vis)
		ms->scroll = total - vis;
	if (ms->scroll < 0)
		ms->scroll = 0;
	t = (mtab){u, o, 0, h, w, 0, ms->scroll, 2, colw, colb, wide, stack};
	if (total > vis)
		snprintf(ttl, sizeof ttl, " metrics: off vs %s (rows %d-%d of %d, j/k scroll, m closes) ",
		         f->pol_name, ms->scroll + 1, ms->scroll + vis, total);
	else
		snprintf(ttl, sizeof ttl, " metrics: policy off vs %s (m closes) ", f->pol_name);
	draw_overlay_frame(u, o, ttl);
	attr_t hd = draw_ca(u, CP_OVERLAY, A_BOLD, A_BOLD | A_UNDERLINE);
	draw_put(o, 1, col_a(&t), 20, stack == 2 ? "off, then (bold)" : "off", hd);
	draw_put(o, 1, stack == 2 ? col_a(&t) + 17 : col_b(&t), 20, f->s->pol == COMPARE_POL_REPEAT_STOP ? "repeat-stop" : f->pol_name, hd);
	metrics_rows(&t, f);
	wnoutrefresh(o);
	delwin(o);
}

/* j/k, arrows, PgDn/PgUp, g/G scroll */
static UI_REQUEST(metrics_scroll)
{
	metrics_state *ms = ui_private(u, &ui_overlay_metrics);
	ui_overlay_scroll(&ms->scroll, a);
	return UI_RD_OVERLAY;
}

/* q/Esc close it; after them and every request passed on, the next
 * drawing starts at the top */
static unsigned metrics_other(ui *u, keys_action a, int *handled)
{
	((metrics_state *)ui_private(u, &ui_overlay_metrics))->at = 0;
	*handled = a == ACT_QUIT || a == ACT_CLOSE;
	return *handled ? ui_overlay_close(u, a, handled) : 0;
}

static const ui_request requests[ACT_COUNT] = {
	UI_LIST_MOTIONS(metrics_scroll),
};

const ui_view ui_overlay_metrics = {
	.name = "metrics", .id = UI_OV_METRICS, .win = -1, .rd = UI_RD_OVERLAY,
	.draw = metrics_draw, .requests = requests, .key = metrics_other,
	.toggle = ACT_METRICS, .private_size = sizeof(metrics_state), .open = metrics_open,
};
