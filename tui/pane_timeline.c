/* pane_timeline.c — the timeline: the replay cursor's step, the tokens
 * around it (coloured by probability, record boundaries │, termination ■,
 * the policy's stop ✂), the alternatives at the cursor, P(close) after each
 * record and a sparkline of the whole trace; moves the replay cursor. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "confidence.h"
#include "draw.h"
#include "glyphs.h"
#include "sanitize.h"

static const char *const spark_chars[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

static attr_t prob_attr(const ui *u, double lp, int after_stop)
{
	if (after_stop)
		return draw_ca(u, CP_DIM, 0, A_DIM);
	if (isnan(lp))
		return A_NORMAL;
	double p = exp(lp);
	if (p >= 0.9)
		return A_NORMAL;
	if (p >= 0.5)
		return draw_ca(u, CP_P_MID, 0, A_NORMAL);
	if (p >= 0.2)
		return draw_ca(u, CP_P_LOW, A_BOLD, A_UNDERLINE);
	return draw_ca(u, CP_P_VLOW, A_BOLD, A_UNDERLINE | A_BOLD);
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

typedef struct tl_ctx {
	WINDOW *w;
	int H, W;
	const ui_frame *f;
	const trace *t;
	const trace_step *steps;
	const replay *rp;
	long N, cur;
	int stop_on;
} tl_ctx;

static void timeline_title(const ui *u, const tl_ctx *c)
{
	char buf[512];
	const replay *rp = c->rp;
	int n = snprintf(buf, sizeof buf, " Timeline  step %ld/%ld", c->cur + 1, replay_len(rp));
	if (c->cur >= 0 && c->cur < c->N && !isnan(c->steps[c->cur].logprob) && n > 0)
		n += snprintf(buf + n, sizeof buf - (size_t)n, "  p %.2f (logprob %.2f)",
		              exp(c->steps[c->cur].logprob), c->steps[c->cur].logprob);
	long ra = replay_record_at(rp, c->cur);
	if (ra >= 0 && n > 0)
		n += snprintf(buf + n, sizeof buf - (size_t)n, "  in record #%ld", ra + 1);
	if (n > 0) {
		if (c->stop_on)
			snprintf(buf + n, sizeof buf - (size_t)n, "  %s %s at %ld of %ld", glyph(GL_STOP), c->f->pol_label,
			         rp->stop_step + 1, c->N);
		else if (rp->closed)
			snprintf(buf + n, sizeof buf - (size_t)n, "  %s closed at %ld", glyph(GL_END), rp->term_step + 1);
		else
			snprintf(buf + n, sizeof buf - (size_t)n, "  %s %s at %ld%s", glyph(GL_END),
			         termination_name(sample_termination(c->f->v->s)), c->N,
			         rp->tail_first >= 0 ? " (repeated tail)" : "");
	}
	draw_title(u, c->w, c->W, u->focus == UI_PANE_TIMELINE, buf);
}

/* The first step shown: as many tokens before the cursor as fill half the
 * token rows. */
static long first_token(const tl_ctx *c, int tr)
{
	long budget = (long)tr * c->W / 2, start = c->cur, acc = 0;
	char tok[256];
	while (start > 0) {
		token_text(c->t, (size_t)(start - 1), tok, sizeof tok);
		long tw = (long)sanitize_width(tok, strlen(tok)) + (is_boundary(c->rp, start - 1) ? 1 : 0);
		if (acc + tw > budget)
			break;
		acc += tw;
		start--;
	}
	return start;
}

/* One token at (*y, *x) with its marks; 0 when the rows are full. */
static int put_token(ui *u, const tl_ctx *c, long k, int tr, int *y, int *x, int *placed)
{
	const replay *rp = c->rp;
	char tok[256];
	token_text(c->t, (size_t)k, tok, sizeof tok);
	int tw = (int)sanitize_width(tok, strlen(tok)), W = c->W;
	int bnd = is_boundary(rp, k);
	int term = !c->stop_on && ((rp->closed && k == rp->term_step) || (!rp->closed && k == c->N - 1));
	int stop = c->stop_on && k == rp->stop_step;
	if (*x > 0 && *x + tw + bnd + term + stop > W) {
		(*y)++;
		*x = 0;
		if (*y > tr)
			return 0;
	}
	attr_t a = prob_attr(u, c->steps[k].logprob, c->stop_on && k > rp->stop_step);
	if (k == c->cur) {
		a = (a & ~A_COLOR) | A_REVERSE | A_BOLD;
		*placed = 1;
	}
	int x0 = *x;
	*x += draw_put(c->w, *y, *x, W - *x, tok, a);
	draw_hit_add(u, u->lay.timeline.y + *y, u->lay.timeline.x + x0, u->lay.timeline.x + *x,
	             &ui_pane_timeline, k);
	if (bnd && *x < W)
		*x += draw_put(c->w, *y, *x, 1, glyph(GL_BOUNDARY), draw_ca(u, CP_BOUNDARY, A_BOLD, A_BOLD));
	if (term && *x < W)
		*x += draw_put(c->w, *y, *x, 1, glyph(GL_END), draw_ca(u, rp->closed ? CP_TERM : CP_TRUNC, A_BOLD, A_BOLD));
	if (stop && *x < W)
		*x += draw_put(c->w, *y, *x, 1, glyph(GL_STOP), draw_ca(u, CP_STOP, A_BOLD, A_BOLD));
	return 1;
}

/* The tokens around the cursor in rows 1..H-4. */
static void tokens(ui *u, const tl_ctx *c)
{
	int tr = c->H - 4 < 1 ? 1 : c->H - 4;
	long start = first_token(c, tr);
	for (int attempt = 0; attempt < 2; attempt++) {
		int y = 1, x = 0, placed = 0;
		for (int yy = 1; yy <= tr; yy++)
			wmove(c->w, yy, 0), wclrtoeol(c->w);
		draw_hits_clear(u, &ui_pane_timeline);
		for (long k = start; k < c->N && y <= tr; k++)
			if (!put_token(u, c, k, tr, &y, &x, &placed))
				break;
		if (placed || start == c->cur)
			break;
		start = c->cur; /* long tokens pushed the cursor out: start at it */
	}
}

/* The close decision taken at step k, if one is (the last record completed
 * at or before k decides there): conf_close_decide's, else step -1. */
static void decision_at(const ui *u, const tl_ctx *c, long k, conf_close *out)
{
	size_t i = replay_records_upto(c->rp, k);
	out->step = -1;
	if (i == 0 || i > sample_n_records(c->f->v->s))
		return;
	conf_eos eos = session_view_eos(u->s);
	conf_close_decide(c->t, &sample_records(c->f->v->s)[i - 1], &eos, out);
	if (out->step != k)
		out->step = -1;
}

/* The alternatives at the cursor (row H-3); at a close decision the ones
 * that end the list (conf_close_alt_ends) in the P(close) colour, else EOS. */
static void alternatives(const ui *u, const tl_ctx *c)
{
	int ya = c->H - 3 >= 2 ? c->H - 3 : -1, W = c->W;
	if (ya <= 0 || c->cur < 0)
		return;
	const trace_step *st = &c->steps[c->cur];
	int x = draw_put(c->w, ya, 0, W, " alts ", A_BOLD);
	if (st->n_alt == 0) {
		draw_put(c->w, ya, x, W - x, trace_has_alts(c->t) ? "none recorded at this step" : "none in this trace",
		         draw_ca(u, CP_DIM, 0, A_DIM));
		return;
	}
	const trace_alt *alts = trace_alts(c->t) + st->alt_first;
	const char *at = trace_alt_text(c->t);
	char buf[128];
	conf_close dc;
	conf_eos eos = session_view_eos(u->s);
	decision_at(u, c, c->cur, &dc);
	for (uint32_t k = 0; k < st->n_alt && x < W - 4; k++) {
		char tx[64];
		sanitize(at + alts[k].off, alts[k].len, tx, sizeof tx, 14);
		int cl = dc.step >= 0 ? conf_close_alt_ends(&dc, at + alts[k].off, alts[k].len, &eos)
		                      : conf_is_eos(at + alts[k].off, alts[k].len, &eos);
		if (dc.step >= 0 && alts[k].len == st->len &&
		    !memcmp(at + alts[k].off, trace_text(c->t) + st->off, st->len))
			cl = dc.chosen_ends; /* the chosen token: by what followed it */
		if (isnan(alts[k].logprob))
			snprintf(buf, sizeof buf, "'%s' ?", tx);
		else
			snprintf(buf, sizeof buf, "'%s' %.0f%%", tx, 100 * exp(alts[k].logprob));
		x += draw_put(c->w, ya, x, W - x, buf, cl ? draw_ca(u, CP_TERM, A_BOLD, A_BOLD) : A_NORMAL);
		x += draw_put(c->w, ya, x, W - x, "  ", A_NORMAL);
	}
}

/* "#i p" of the boundary after record i (1-based on screen), p as report
 * prints it (3 decimals) */
static int closep_text(ui *u, size_t i, char *buf, size_t sz)
{
	double p = session_view_closep(u->s, i);
	if (isnan(p))
		return snprintf(buf, sz, "#%zu ?", i + 1);
	return snprintf(buf, sz, "#%zu %.3f", i + 1, p);
}

/* "at tail start (after #T) p": report's p_close_at_tail_start, the boundary
 * after the record before the tail (T = the tail's first record, 1-based,
 * minus one). */
static int tail_text(ui *u, long tail, char *buf, size_t sz)
{
	conf_term ct;
	if (tail < 1 || !session_view_close_term(u->s, &ct))
		return snprintf(buf, sz, "at tail start: none (the tail is the whole list)");
	if (isnan(ct.at_tail_start))
		return snprintf(buf, sz, "at tail start (after #%ld) ?", tail);
	return snprintf(buf, sz, "at tail start (after #%ld) %.3f", tail, ct.at_tail_start);
}

/* P(close) after each record (row H-2), named by the record it follows:
 * first the tail start's value (when the list has a repeated tail), then a
 * window of boundaries centred on the one at the cursor (after the last
 * record decoded, reverse video), the ones after the cursor dimmed, the
 * tail start's in the tail colour. */
static void close_probs(ui *u, const tl_ctx *c)
{
	int yp = c->H - 2 >= 2 ? c->H - 2 : -1, W = c->W;
	char buf[64];
	if (yp <= 0)
		return;
	char pc[24];
	snprintf(pc, sizeof pc, " %s ", glyph(GL_PCLOSE));
	int x = draw_put(c->w, yp, 0, W, pc, A_BOLD);
	if (!trace_has_alts(c->t)) {
		draw_put(c->w, yp, x, W - x, "needs alternatives (top_logprobs) in the trace", draw_ca(u, CP_DIM, 0, A_DIM));
		return;
	}
	const replay *rp = c->rp;
	size_t upto = replay_visible(rp), n = rp->n_rec;
	long tail = rp->tail_first;
	if (tail >= 0 && (size_t)tail < n) {
		char t[96];
		tail_text(u, tail, t, sizeof t);
		x += draw_put(c->w, yp, x, W - x, t, draw_ca(u, CP_TAIL, A_BOLD, A_BOLD));
		x += draw_put(c->w, yp, x, W - x, " │ after ", A_NORMAL);
	} else {
		x += draw_put(c->w, yp, x, W - x, "after ", A_NORMAL);
	}
	if (upto == 0) {
		draw_put(c->w, yp, x, W - x, "no record completed yet", draw_ca(u, CP_DIM, 0, A_DIM));
		return;
	}
	size_t cur = upto - 1, lo = cur, hi = cur + 1; /* window [lo, hi) */
	int room = W - x - (closep_text(u, cur, buf, sizeof buf) + 2);
	for (int grew = 1; grew && room > 0;) {
		grew = 0;
		if (hi < n) {
			int l = closep_text(u, hi, buf, sizeof buf) + 2;
			if (l <= room) {
				room -= l;
				hi++;
				grew = 1;
			}
		}
		if (lo > 0) {
			int l = closep_text(u, lo - 1, buf, sizeof buf) + 2;
			if (l <= room) {
				room -= l;
				lo--;
				grew = 1;
			}
		}
	}
	for (size_t i = lo; i < hi; i++) {
		double p = session_view_closep(u->s, i);
		closep_text(u, i, buf, sizeof buf);
		attr_t a = i == cur ? A_REVERSE | A_BOLD
		         : i >= upto ? draw_ca(u, CP_DIM, 0, A_DIM)
		         : (long)i + 1 == tail ? draw_ca(u, CP_TAIL, A_BOLD, A_BOLD)
		         : !isnan(p) && p >= 0.1 ? draw_ca(u, CP_TERM, A_BOLD, A_BOLD) : A_NORMAL;
		x += draw_put(c->w, yp, x, W - x, buf, a);
		x += draw_put(c->w, yp, x, W - x, "  ", A_NORMAL);
	}
}

/* The lowest probability of steps [a, b) (NAN: none known). */
static double min_prob(const tl_ctx *c, long a, long b)
{
	double pmin = NAN;
	for (long k = a; k < b && k < c->N; k++) {
		double lp = c->steps[k].logprob;
		if (!isnan(lp) && (isnan(pmin) || exp(lp) < pmin))
			pmin = exp(lp);
	}
	return pmin;
}

/* The `o` cycle's policy (1..COMPARE_N_POL-1, the lowest number when
 * several) that stops at column col of the sparkline, 0 none: the policy
 * sweep (O) lists the numbers. */
static const char *const marks[COMPARE_N_POL] = {" ", "1", "2", "3", "4", "5", "6", "7"};

static void stop_cols(const tl_ctx *c, int cols, long col_of[COMPARE_N_POL])
{
	const session_view *v = c->f->v;
	const sample *sn = v->s_num ? v->s_num : v->s; /* as the run's numbers count it */
	col_of[0] = -1;
	for (size_t p = 1; p < COMPARE_N_POL; p++) {
		sample_outcome oc = sample_outcome_for(sn, &c->f->s->pols[p]);
		col_of[p] = oc.cut.fired ? oc.cut.stop_step * cols / c->N : -1;
	}
}

static int stop_mark(const long col_of[COMPARE_N_POL], int col)
{
	for (size_t p = 1; p < COMPARE_N_POL; p++)
		if (col_of[p] == col)
			return (int)p;
	return 0;
}

/* Sparkline of per-step probability over the whole trace (last row); the
 * cycle's stops as their numbers. */
static void sparkline(ui *u, const tl_ctx *c)
{
	const replay *rp = c->rp;
	int ys = c->H - 1, x0;
	long N = c->N;
	if (ys < 1)
		return;
	x0 = draw_put(c->w, ys, 0, c->W, " logp ", A_BOLD);
	int cols = c->W - x0 - 1 > N ? (int)N : c->W - x0 - 1;
	if (cols < 1)
		return;
	int any = trace_has_logprobs(c->t);
	long cur_col = c->cur * cols / N, stop_col = c->stop_on ? rp->stop_step * cols / N : -1;
	long term_col = (rp->closed ? rp->term_step : N - 1) * cols / N;
	long col_of[COMPARE_N_POL];
	stop_cols(c, cols, col_of);
	for (int col = 0; col < cols; col++) {
		long a = (long)col * N / cols, b = (long)(col + 1) * N / cols;
		double pmin = min_prob(c, a, b > a ? b : a + 1);
		const char *ch = any ? (isnan(pmin) ? " " : spark_chars[(int)(pmin * 7.999)]) : "─";
		attr_t at = !isnan(pmin) && pmin < 0.2 ? draw_ca(u, CP_P_LOW, 0, A_NORMAL) : A_NORMAL;
		if (col == term_col)
			at = draw_ca(u, rp->closed ? CP_TERM : CP_TRUNC, A_BOLD, A_BOLD);
		if (col == stop_col)
			at = draw_ca(u, CP_STOP, A_BOLD, A_BOLD);
		if (c->stop_on && col > stop_col)
			at = draw_ca(u, CP_DIM, 0, A_DIM);
		int mark = stop_mark(col_of, col);
		if (mark)
			ch = marks[mark], at = draw_ca(u, CP_STOP, A_BOLD, A_BOLD);
		if (col == cur_col)
			at = A_REVERSE | A_BOLD;
		draw_put(c->w, ys, x0 + col, 1, ch, at);
		draw_hit_add(u, u->lay.timeline.y + ys, u->lay.timeline.x + x0 + col,
		             u->lay.timeline.x + x0 + col + 1, &ui_pane_timeline, a);
	}
}

static void timeline_draw(ui *u, const ui_frame *f)
{
	WINDOW *w = draw_begin(u, &ui_pane_timeline);
	int H = u->lay.timeline.h, W = u->lay.timeline.w;
	const session_view *v = f->v;

	if (!f->ok) {
		draw_title(u, w, W, u->focus == UI_PANE_TIMELINE, " Timeline");
		return;
	}
	const replay *rp = &v->rp;
	tl_ctx c = {w, H, W, f, v->t, trace_steps(v->t), rp, rp->n_steps, rp->cursor,
	            rp->policy_on && rp->fired};
	timeline_title(u, &c);
	if (c.N <= 0) {
		draw_put(w, 1, 1, W - 2, "no tokens", draw_ca(u, CP_DIM, 0, A_DIM));
		return;
	}
	tokens(u, &c);
	alternatives(u, &c);
	close_probs(u, &c);
	sparkline(u, &c);
}

/* j/k: one step, PgDn/PgUp: 20, g/G: the start, the end */
static UI_REQUEST(motion)
{
	long delta;
	int end;
	ui_list_motion(a, 20, &delta, &end);
	return ui_move_steps(u, delta, end);
}

static const ui_request requests[ACT_COUNT] = {
	UI_LIST_MOTIONS(motion),
};

static unsigned timeline_click(ui *u, const ui_hit *h)
{
	if (!ui_view_ok(u))
		return 0;
	u->focus = UI_PANE_TIMELINE;
	u->playing = 0;
	replay_set(&u->s->view.rp, h->value);
	return UI_RD_PANES | ui_replay_moved(u);
}

const ui_view ui_pane_timeline = {
	.name = "timeline", .id = UI_V_TIMELINE, .win = W_TIMELINE, .rd = UI_RD_TIMELINE,
	.draw = timeline_draw, .requests = requests, .click = timeline_click,
};
