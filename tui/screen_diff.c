/* screen_diff.c — the per-sample diff of two runs over the same images
 * (compare.h): one row per sample, those that got worse first, with both
 * runs' badges and what changed; Enter opens the sample in run B or A. */
#include <stdio.h>

#include "draw.h"
#include "glyphs.h"

/* Badges of one side, DIFF_BW columns: rec dup ×rep T hits. */
#define DIFF_BW 23
static void diff_badges(const slist_item *it, int has_gt, char *out, size_t outsz)
{
	if (!it) {
		snprintf(out, outsz, "%*s", DIFF_BW, "(not in this run)");
		return;
	}
	if (!it->ready) {
		snprintf(out, outsz, "%*s%s", DIFF_BW - 1, "", glyph(GL_PENDING));
		return;
	}
	if (it->failed) {
		snprintf(out, outsz, "%*s", DIFF_BW, "error");
		return;
	}
	const char *t = glyph(it->term == SLIST_TERM_CLOSED ? GL_CLOSED : it->term == SLIST_TERM_TRUNCATED
	                      ? GL_TRUNC : it->term == SLIST_TERM_STOPPED ? GL_STOPPED : GL_MALFORMED);
	char hits[16];
	if (has_gt && it->has_f1)
		snprintf(hits, sizeof hits, "%zu", it->hits);
	else
		snprintf(hits, sizeof hits, "-");
	char num[24];
	int nl = snprintf(num, sizeof num, "%zu", it->max_repeat);
	/* "×N" right-aligned in 5 columns ("×" is one column, two bytes) */
	snprintf(out, outsz, "%5zu %4zu %*s%s%s %s %4s", it->records, it->dups, nl < 4 ? 4 - nl : 0, "",
	         glyph(GL_REPEAT), num, t, hits);
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

static void diff_title(const ui *u, WINDOW *w, int W, const session_run *ra, const session_run *rb)
{
	const compare_diff *d = &ui_dif(u)->diff;
	char buf[512];
	int tl = snprintf(buf, sizeof buf, " Diff  A %s → B %s   %zu worse · %zu better · %zu unchanged",
	                  ra->name, rb->name, d->n_worse, d->n_better, d->n_same);
	if (tl > 0 && (d->n_only_a || d->n_only_b))
		tl += snprintf(buf + tl, sizeof buf - (size_t)tl, " · %zu only in A · %zu only in B",
		               d->n_only_a, d->n_only_b);
	if (tl > 0 && d->n_pending)
		snprintf(buf + tl, sizeof buf - (size_t)tl, "   computing (%zu samples left)", d->n_pending);
	draw_title(u, w, W, 1, buf);
}

#define DIFF_NW 16
#define DIFF_XA (9 + DIFF_NW + 2)
#define DIFF_XB (DIFF_XA + DIFF_BW + 3)
#define DIFF_XC (DIFF_XB + DIFF_BW + 2)

static void diff_head(const ui *u, WINDOW *w, int W, const session_run *ra, const session_run *rb)
{
	char buf[160], ba[160], bb[160];
	snprintf(buf, sizeof buf, "%5s %4s %5s %s %4s", "rec", "dup", "rep", "T", "hits");
	draw_put(w, 2, 1, 7, "change", A_BOLD);
	draw_put(w, 2, 9, DIFF_NW, "sample", A_BOLD);
	draw_put(w, 1, DIFF_XA - 1, 1, ui_dif(u)->side ? " " : glyph(GL_SIDE), A_BOLD);
	snprintf(ba, sizeof ba, "A %s", ra->name);
	draw_put(w, 1, DIFF_XA, DIFF_BW, ba, ui_dif(u)->side ? A_NORMAL : A_BOLD | A_UNDERLINE);
	draw_put(w, 2, DIFF_XA, W - DIFF_XA, buf, A_BOLD);
	draw_put(w, 1, DIFF_XB - 1, 1, ui_dif(u)->side ? glyph(GL_SIDE) : " ", A_BOLD);
	snprintf(bb, sizeof bb, "B %s", rb->name);
	draw_put(w, 1, DIFF_XB, DIFF_BW, bb, ui_dif(u)->side ? A_BOLD | A_UNDERLINE : A_NORMAL);
	draw_put(w, 2, DIFF_XB, W - DIFF_XB, buf, A_BOLD);
	draw_put(w, 2, DIFF_XC, W - DIFF_XC, "what changed from A to B", A_BOLD);
}

static void diff_row(ui *u, WINDOW *w, int y, int W, const session_run *ra, const session_run *rb,
                     size_t k)
{
	const compare_row *r = &ui_dif(u)->diff.rows[k];
	const slist_item *ia = r->a != COMPARE_NONE ? &ra->items[r->a] : NULL;
	const slist_item *ib = r->b != COMPARE_NONE ? &rb->items[r->b] : NULL;
	int sel = k == ui_dif(u)->cur.sel, has_gt = ra->g && rb->g;
	attr_t base = sel ? A_REVERSE : A_NORMAL;
	char buf[512], ba[160], bb[160], nm[96];
	if (sel)
		draw_fill_row(w, y, 0, W, base);
	const char *cls = r->cls == COMPARE_CLS_WORSE ? "worse" : r->cls == COMPARE_CLS_BETTER ? "better"
	                : r->cls == COMPARE_CLS_SAME ? "same" : r->cls == COMPARE_CLS_ONLY_A ? "only A"
	                : "only B";
	attr_t ca_cls = r->cls == COMPARE_CLS_WORSE ? draw_ca(u, CP_FP, A_BOLD, A_BOLD)
	              : r->cls == COMPARE_CLS_BETTER ? draw_ca(u, CP_BETTER, A_BOLD, A_NORMAL)
	              : draw_ca(u, CP_DIM, 0, A_DIM);
	draw_put(w, y, 1, 7, cls, sel ? base | A_BOLD : ca_cls);
	if (r->cls == COMPARE_CLS_WORSE)
		draw_put(w, y, 0, 1, glyph(GL_WORSE), sel ? base | A_BOLD : ca_cls);
	const slist_item *named = ia ? ia : ib;
	snprintf(nm, sizeof nm, "%s", named && named->name ? named->name : "?");
	draw_put(w, y, 9, DIFF_NW, nm, base);
	diff_badges(ia, has_gt, ba, sizeof ba);
	diff_badges(ib, has_gt, bb, sizeof bb);
	if (sel)
		draw_put(w, y, ui_dif(u)->side ? DIFF_XB - 1 : DIFF_XA - 1, 1, glyph(GL_SIDE), base | A_BOLD);
	draw_put(w, y, DIFF_XA, W - DIFF_XA, ba, base | (sel && !ui_dif(u)->side ? A_BOLD : 0));
	draw_put(w, y, DIFF_XB, W - DIFF_XB, bb, base | (sel && ui_dif(u)->side ? A_BOLD : 0));
	diff_changes(r, buf, sizeof buf);
	draw_put(w, y, DIFF_XC, W - DIFF_XC, buf, sel ? base : r->cls == COMPARE_CLS_WORSE ? ca_cls : base);
	draw_hit_add(u, y, 0, W, &ui_screen_diff, (long)k);
}

static void diff_draw(ui *u, const ui_frame *f)
{
	WINDOW *w = draw_begin(u, &ui_screen_diff);
	const session *s = f->s;
	int H = u->lay.rows - 1, W = u->lay.cols, y0 = 3;
	const compare_diff *d = &ui_dif(u)->diff;

	if (ui_dif(u)->a >= s->n_runs || ui_dif(u)->b >= s->n_runs) {
		draw_title(u, w, W, 1, " Diff");
		return;
	}
	const session_run *ra = &s->runs[ui_dif(u)->a], *rb = &s->runs[ui_dif(u)->b];
	diff_title(u, w, W, ra, rb);
	diff_head(u, w, W, ra, rb);
	size_t rows = H - y0 - 2 > 1 ? (size_t)(H - y0 - 2) : 1;
	listcur_scroll(&ui_dif(u)->cur, d->n, rows);
	for (size_t i = 0; i < rows && ui_dif(u)->cur.top + i < d->n; i++)
		diff_row(u, w, y0 + (int)i, W, ra, rb, ui_dif(u)->cur.top + i);
	if (d->n == 0)
		draw_put(w, y0, 1, W - 2, d->n_pending ? "computing the samples' badges…" : "no samples",
		         draw_ca(u, CP_DIM, 0, A_DIM));
	if (H - 1 > y0) {
		const analysis_opts *an = &ra->an;
		double hit_t = an->n_iou ? an->iou[ra->hit_iou < an->n_iou ? ra->hit_iou : 0] : 0.3;
		char buf[512];
		snprintf(buf, sizeof buf,
		         "worse = fewer hits (TP at IoU %.2g), more exact duplicates, lost termination or a failing line · "
		         "Enter opens in %s (Tab/←/→: A or B) · d/Esc back",
		         hit_t, ui_dif(u)->side ? "B" : "A");
		draw_put(w, H - 1, 1, W - 2, buf, draw_ca(u, CP_DIM, 0, A_DIM));
	}
}

/* ---- keys ---- */

static unsigned diff_enter(ui *u)
{
	if (ui_dif(u)->cur.sel >= ui_dif(u)->diff.n)
		return 0;
	const compare_row *row = &ui_dif(u)->diff.rows[ui_dif(u)->cur.sel];
	size_t run = ui_dif(u)->side ? ui_dif(u)->b : ui_dif(u)->a;
	size_t idx = ui_dif(u)->side ? row->b : row->a;
	if (idx == COMPARE_NONE) {
		ui_note(u, "this sample is not in run %s (Tab picks the other run)", u->s->runs[run].name);
		return UI_RD_STATUS;
	}
	return ui_drill_into(u, run, idx);
}

static unsigned dif_enter(ui *u, keys_action a, int *handled)
{
	(void)a, (void)handled;
	return diff_enter(u);
}

/* d or Esc (or c without an overlay): back to the comparison */
static unsigned dif_leave(ui *u, keys_action a, int *handled)
{
	if (a == ACT_COMPARE && u->overlay != UI_OV_NONE)
		return *handled = 0, 0;
	u->screen = UI_SCREEN_COMPARE;
	return UI_RD_ALL;
}

static unsigned dif_ignore(ui *u, keys_action a, int *handled)
{
	(void)u, (void)a, (void)handled;
	return 0;
}

/* Tab, h/l: which run Enter opens */
static unsigned dif_side(ui *u, keys_action a, int *handled)
{
	ui_diff_state *d = ui_dif(u);
	(void)handled;
	d->side = a == ACT_STEP_FWD ? 1 : a == ACT_STEP_BACK ? 0 : !d->side;
	ui_note(u, "Enter opens the sample in %s", u->s->runs[d->side ? d->b : d->a].name);
	return UI_RD_COMPARE | UI_RD_STATUS;
}


/* j/k, PgDn/PgUp, g/G */
static UI_REQUEST(motion)
{
	long delta;
	int end;
	ui_list_motion(a, (long)ui_screen_rows(u), &delta, &end);
	return ui_list_move(&ui_dif(u)->cur, ui_dif(u)->diff.n, delta, end);
}

static const ui_request dif_requests[ACT_COUNT] = {
	UI_LIST_MOTIONS(motion),
	[ACT_ENTER] = dif_enter,     [ACT_COMPARE] = dif_leave,  [ACT_CLOSE] = dif_leave,
	[ACT_DIFF] = dif_leave,      [ACT_PLAY] = dif_ignore,    [ACT_NEXT_PANE] = dif_side,
	[ACT_PREV_PANE] = dif_side,  [ACT_STEP_FWD] = dif_side,  [ACT_STEP_BACK] = dif_side,
};

static unsigned diff_click(ui *u, const ui_hit *h)
{
	if (u->screen != UI_SCREEN_DIFF)
		return 0;
	listcur_set(&ui_dif(u)->cur, (size_t)h->value, ui_dif(u)->diff.n);
	return UI_RD_COMPARE | UI_RD_STATUS;
}

ui_diff_state *ui_dif(const ui *u)
{
	return ui_private(u, &ui_screen_diff);
}

static void diff_fini(void *priv)
{
	compare_diff_free(&((ui_diff_state *)priv)->diff);
}

/* what it shows: itself above the status bar (ui_draw) */
static const ui_view *const shown[] = {&ui_screen_diff, &ui_pane_status, NULL};

const ui_view ui_screen_diff = {
	.name = "diff", .id = UI_V_DIFF, .win = W_SCREEN, .panes = shown, .rd = UI_RD_COMPARE | UI_RD_LAYOUT | UI_RD_OVERLAY,
	.draw = diff_draw, .requests = dif_requests, .click = diff_click,
	.private_size = sizeof(ui_diff_state), .fini = diff_fini,
};
