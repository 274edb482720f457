/* overlay_metrics.c — the metrics overlay (m): the sample on screen and the
 * current run, policy off next to the compared policy. */
#include <stdio.h>

#include "draw.h"

typedef struct mtab {
	ui *u;
	WINDOW *o;
	int y, h, w;
} mtab;

static void prf_s(const metrics_counts *c, char *out, size_t outsz)
{
	metrics_prf p = metrics_prf_from(c);
	snprintf(out, outsz, "%.3f/%.3f/%.3f", p.precision, p.recall, p.f1);
}

static void mrow(mtab *t, const char *name, const char *a, const char *b)
{
	if (t->y >= t->h - 1)
		return;
	attr_t at = draw_ca(t->u, CP_OVERLAY, 0, A_NORMAL);
	draw_put(t->o, t->y, 3, 26, name, at);
	draw_put(t->o, t->y, 30, (t->w - 32) / 2, a, at);
	draw_put(t->o, t->y, 30 + (t->w - 32) / 2, (t->w - 32) / 2, b, draw_ca(t->u, CP_OVERLAY, A_BOLD, A_BOLD));
	t->y++;
}

/* a row of two counts */
static void mrow_zu(mtab *t, const char *name, size_t a, size_t b)
{
	char sa[32], sb[32];
	snprintf(sa, sizeof sa, "%zu", a);
	snprintf(sb, sizeof sb, "%zu", b);
	mrow(t, name, sa, sb);
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

static void metrics_draw(ui *u, const ui_frame *f)
{
	const session_run *r = f->run;
	const session_view *v = f->v;
	WINDOW *o = draw_overlay_win(18 + (r ? 3 * (int)r->an.n_iou : 0), 76);
	char ttl[256];
	if (!o || !r)
		return;
	mtab t = {u, o, 1, 0, 0};
	getmaxyx(o, t.h, t.w);
	snprintf(ttl, sizeof ttl, " metrics: policy off vs %s (m closes) ", f->pol_name);
	draw_overlay_frame(u, o, ttl);
	attr_t hd = draw_ca(u, CP_OVERLAY, A_BOLD, A_BOLD | A_UNDERLINE);
	draw_put(o, t.y, 30, 20, "off", hd);
	draw_put(o, t.y, 30 + (t.w - 32) / 2, 20, f->s->pol == COMPARE_POL_REPEAT_STOP ? "repeat-stop" : f->pol_name, hd);
	t.y++;
	if (f->ok) {
		snprintf(ttl, sizeof ttl, "sample %s", v->image_id);
		draw_put(o, t.y++, 2, t.w - 4, ttl, hd);
		sample_rows(&t, r, v);
	}
	if (t.y < t.h - 1) {
		snprintf(ttl, sizeof ttl, "run %s  (%zu of %zu samples analysed%s)", r->name, r->n_done, r->n,
		         r->metrics_skipped ? ", some skipped" : "");
		draw_put(o, t.y++, 2, t.w - 4, ttl, hd);
	}
	run_rows(&t, r, f->s->pol);
	wnoutrefresh(o);
	delwin(o);
}

const ui_view ui_overlay_metrics = {
	.name = "metrics", .win = -1, .rd = UI_RD_OVERLAY,
	.draw = metrics_draw, .key = ui_overlay_key,
};
