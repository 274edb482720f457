/* pane_status.c — the status bar: run, sample k/n (or the comparison's run,
 * the diff's row), image, step, repeat-stop / policy, termination, replay
 * speed, analysis progress and the latest note, the least important dropped
 * first when the terminal is narrow. */
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "sanitize.h"

typedef struct status_parts {
	char sample[64], step[64], term[96], run[300], img[128], play[48], prog[64], pol[80];
	char load[64], load_short[24]; /* lazy opening: indexing N%, ground truth loading… */
} status_parts;

static void main_parts(const ui *u, const ui_frame *f, status_parts *p)
{
	const session_view *v = f->v;
	if (!v->valid)
		return;
	snprintf(p->img, sizeof p->img, "image %s", v->image_id);
	if (!f->ok) {
		snprintf(p->step, sizeof p->step, "step 0/0");
		snprintf(p->term, sizeof p->term, "error");
		return;
	}
	snprintf(p->step, sizeof p->step, "step %ld/%ld", v->rp.cursor + 1, replay_len(&v->rp));
	if (v->rp.policy_on && v->rp.fired)
		snprintf(p->term, sizeof p->term, "stopped (%s)", f->rs_on ? "repeat-stop" : f->pol_name);
	else
		snprintf(p->term, sizeof p->term, "%s", termination_name(sample_termination(v->s)));
	(void)u;
}

/* comparison / diff: what is selected there instead of the sample */
static void screen_parts(const ui *u, const ui_frame *f, status_parts *p)
{
	const session *s = f->s;
	if (u->screen == UI_SCREEN_COMPARE) {
		snprintf(p->sample, sizeof p->sample, "compare: run %zu/%zu", s->n_runs ? ui_cmp(u)->cur.sel + 1 : 0,
		         s->n_runs);
		if (ui_cmp(u)->cur.sel < s->n_runs)
			snprintf(p->run, sizeof p->run, "%s", s->runs[ui_cmp(u)->cur.sel].name);
		return;
	}
	snprintf(p->sample, sizeof p->sample, "diff: row %zu/%zu", ui_dif(u)->diff.n ? ui_dif(u)->cur.sel + 1 : 0,
	         ui_dif(u)->diff.n);
	if (ui_dif(u)->a < s->n_runs && ui_dif(u)->b < s->n_runs)
		snprintf(p->run, sizeof p->run, "%s → %s", s->runs[ui_dif(u)->a].name, s->runs[ui_dif(u)->b].name);
}

static void gather(const ui *u, const ui_frame *f, status_parts *p)
{
	const session_run *r = f->run;
	memset(p, 0, sizeof *p);
	if (r) {
		const slist *l = &r->list;
		if (l->filter.kind != SLIST_FILTER_NONE)
			snprintf(p->sample, sizeof p->sample, "sample %zu/%zu (of %zu)",
			         l->n_view ? l->cur.sel + 1 : 0, l->n_view, r->n);
		else
			snprintf(p->sample, sizeof p->sample, "sample %zu/%zu", l->n_view ? l->cur.sel + 1 : 0,
			         l->n_view);
		snprintf(p->run, sizeof p->run, "%s", r->name);
		if (f->s->n_runs > 1)
			snprintf(p->run, sizeof p->run, "%s [%zu/%zu]", r->name, f->s->cur + 1, f->s->n_runs);
		unsigned pct = 0;
		int ix = session_indexing(f->s, &pct), gl = session_gt_loading(f->s);
		char ixs[24] = "";
		if (ix)
			snprintf(ixs, sizeof ixs, "indexing %u%%", pct);
		if (ix || gl) { /* lazy opening (session_open lazy_open): what is still coming */
			snprintf(p->load, sizeof p->load, "%s%s%s", ixs, ix && gl ? ", " : "",
			         gl ? "ground truth loading…" : "");
			snprintf(p->load_short, sizeof p->load_short, "%s", gl ? "gt loading…" : ixs);
		} else if (!session_idle_done(f->s)) {
			size_t all, done = ui_done_samples(u, &all);
			snprintf(p->prog, sizeof p->prog, "analysing %zu%%", all ? done * 100 / all : 100);
		}
	}
	if (u->pol_idx != COMPARE_POL_OFF && !f->rs_on)
		snprintf(p->pol, sizeof p->pol, "policy: %s", f->pol_name);
	if (u->screen != UI_SCREEN_MAIN)
		screen_parts(u, f, p);
	else
		main_parts(u, f, p);
	if (u->playing)
		snprintf(p->play, sizeof p->play, "▶ %d/s", ui_speed(u));
}

#define STATUS_MSG_ROWS 8 /* the message line's most rows: a whole note (320 bytes) at 50 columns */

static void status_note(ui *u, WINDOW *w, int x, int W, attr_t base);

#define STATUS_HELP_W 9 /* " │ ? help" */

/* The bar's parts, left to right.  Never dropped: the run (cut with "…" to
 * the room left, never under STATUS_RUN_MIN columns), the sample (or the
 * comparison's run / the diff's row), the policy state, the termination and
 * "? help".  The rest goes in the order of status_steps when the row is
 * short, and the essentials take their short forms there. */
enum { SP_RUN, SP_SAMPLE, SP_IMG, SP_STEP, SP_POL, SP_TERM, SP_HINT, SP_PLAY, SP_PROG, SP_LOAD, SP_N };
#define STATUS_RUN_MIN 6

typedef struct status_bar {
	const char *text[SP_N];
	char shortv[SP_N][64];
	attr_t a[SP_N];
	int run_w; /* columns given to the run (cut when narrower than it) */
} status_bar;

/* what goes first when the row is short: (part, 0 drop it / 1 its short form) */
static const struct {
	int part, shorten;
} status_steps[] = {
	{SP_PROG, 0}, {SP_IMG, 0}, {SP_TERM, 1}, {SP_STEP, 0}, {SP_LOAD, 1}, {SP_PLAY, 0},
	{SP_POL, 1},  {SP_SAMPLE, 1}, {SP_HINT, 0},
};

static int width(const char *s)
{
	return (int)sanitize_width(s, strlen(s));
}

/* columns the bar needs: " " parts joined by " │ ", then " │ ? help" */
static int bar_need(const status_bar *b)
{
	int need = 1 + STATUS_HELP_W, n = 0;
	for (int k = 0; k < SP_N; k++)
		if (b->text[k] && b->text[k][0]) {
			need += (k == SP_RUN ? b->run_w : width(b->text[k])) + (n ? 3 : 0);
			n++;
		}
	return need;
}

/* the short forms: "1/24", "rs: on", "budget:12", "stopped" */
static void bar_short(const ui *u, const ui_frame *f, const status_parts *p, status_bar *b)
{
	const char *slash = strchr(p->sample, '/');
	const char *sp = slash ? slash : p->sample;
	while (sp > p->sample && sp[-1] != ' ')
		sp--;
	if (u->screen == UI_SCREEN_MAIN) /* "sample 3/9 (of 24)" → "3/9" */
		snprintf(b->shortv[SP_SAMPLE], sizeof b->shortv[0], "%.*s", (int)strcspn(sp, " "), sp);
	else /* "compare: run 2/5" → "run 2/5" */
		snprintf(b->shortv[SP_SAMPLE], sizeof b->shortv[0], "%s", strchr(p->sample, ' ') ? strchr(p->sample, ' ') + 1 : p->sample);
	if (f->rs_on || u->pol_idx == COMPARE_POL_OFF)
		snprintf(b->shortv[SP_POL], sizeof b->shortv[0], "rs: %s", f->rs_on ? "on" : "off");
	else
		snprintf(b->shortv[SP_POL], sizeof b->shortv[0], "%s", f->pol_name);
	snprintf(b->shortv[SP_TERM], sizeof b->shortv[0], "%.*s", (int)strcspn(p->term, " "), p->term);
}

/* applies status_steps until the bar fits W columns; the run is cut last */
static void bar_fit(status_bar *b, int W)
{
	for (size_t k = 0; k < sizeof status_steps / sizeof status_steps[0] && bar_need(b) > W; k++) {
		int i = status_steps[k].part;
		if (!b->text[i] || !b->text[i][0])
			continue;
		b->text[i] = status_steps[k].shorten ? b->shortv[i] : NULL;
	}
	int over = bar_need(b) - W;
	if (over > 0 && b->text[SP_RUN] && b->text[SP_RUN][0])
		b->run_w = b->run_w - over > STATUS_RUN_MIN ? b->run_w - over : STATUS_RUN_MIN;
}

/* essentials: run, sample, policy, termination, "? help"; the rest dropped
 * in the order of status_steps when there is no room */
static void status_draw(ui *u, const ui_frame *f)
{
	WINDOW *w = WIN(u, W_STATUS);
	int W = u->lay.status.w, x = 1;
	attr_t base = draw_ca(u, CP_STATUS, 0, A_REVERSE), em = draw_ca(u, CP_RS_ON, A_BOLD, A_BOLD | A_REVERSE);
	status_parts p;
	char pol[96];

	werase(w);
	draw_fill_row(w, 0, 0, W, base);
	gather(u, f, &p);
	if (p.pol[0])
		snprintf(pol, sizeof pol, "%s", p.pol);
	else
		snprintf(pol, sizeof pol, "repeat-stop: %s", f->rs_on ? "on" : "off");
	status_bar b;
	const char *text[SP_N] = {p.run, p.sample, p.img, p.step, pol, p.term, ui_image_hint(u), p.play, p.prog,
	                          p.load};
	memset(&b, 0, sizeof b);
	for (int k = 0; k < SP_N; k++) {
		b.text[k] = text[k];
		b.a[k] = base;
	}
	b.a[SP_RUN] = base | A_BOLD;
	b.a[SP_POL] = f->rs_on || p.pol[0] ? em : base | A_BOLD;
	if (!strcmp(p.term, "truncated") || !strcmp(p.term, "error"))
		b.a[SP_TERM] = base | A_BOLD;
	b.run_w = width(p.run);
	bar_short(u, f, &p, &b);
	snprintf(b.shortv[SP_LOAD], sizeof b.shortv[0], "%s", p.load_short);
	bar_fit(&b, W);
	for (int k = 0, n = 0; k < SP_N; k++) {
		if (!b.text[k] || !b.text[k][0])
			continue;
		if (n++)
			x += draw_put(w, 0, x, W - x, " │ ", base);
		x += draw_put(w, 0, x, k == SP_RUN ? b.run_w : W - x, b.text[k], b.a[k]);
	}
	status_note(u, w, x, W, base);
}

/* the status bar's private state */
typedef struct status_state {
	int note_rows; /* rows of the message line above the bar, 0 when the note
	                * fits in the bar */
} status_state;

static status_state *st(const ui *u)
{
	return ui_private(u, &ui_pane_status);
}

/* The latest note (or session message) from column x: in the bar when it
 * fits whole, else in the message line above it (never cut); "? help"
 * right-aligned when there is room. */
static void status_note(ui *u, WINDOW *w, int x, int W, attr_t base)
{
	if (u->s->msg_serial != u->note_serial) {
		u->note_serial = u->s->msg_serial;
		const char *m = session_last_msg(u->s);
		if (m) {
			snprintf(u->note, sizeof u->note, "%s", m);
			u->note_gen++;
		}
	}
	static const char hint[] = "? help";
	int hw = STATUS_HELP_W, nw = u->note[0] ? width(u->note) + 3 : 0;
	st(u)->note_rows = 0;
	if (nw && nw > W - x) {
		st(u)->note_rows = draw_wrap(u->note, W - 2, NULL, 0);
		if (st(u)->note_rows > STATUS_MSG_ROWS)
			st(u)->note_rows = STATUS_MSG_ROWS;
		if (st(u)->note_rows > u->lay.status.y)
			st(u)->note_rows = u->lay.status.y;
		nw = 0;
	}
	if (nw) {
		x += draw_put(w, 0, x, W - x, " │ ", base);
		x += draw_put(w, 0, x, W - x, u->note, draw_ca(u, CP_NOTE, A_BOLD, A_BOLD | A_REVERSE));
	}
	if (hw <= W - x) { /* right-aligned */
		draw_put(w, 0, W - hw, 3, " │ ", base);
		draw_put(w, 0, W - hw + 3, hw - 3, hint, base | A_BOLD);
	}
}

void ui_status_message_draw(ui *u)
{
	int k = st(u)->note_rows, W = u->lay.status.w;
	if (k <= 0 || !u->note[0] || u->lay.too_small)
		return;
	WINDOW *w = newwin(k, W, u->lay.status.y - k, 0);
	if (!w)
		return;
	size_t starts[STATUS_MSG_ROWS];
	int rows = draw_wrap(u->note, W - 2, starts, STATUS_MSG_ROWS);
	size_t len = strlen(u->note);
	attr_t a = draw_ca(u, CP_NOTE, A_BOLD, A_BOLD | A_REVERSE);
	for (int r = 0; r < k; r++) {
		draw_fill_row(w, r, 0, W, a);
		if (r >= rows)
			continue;
		size_t end = r + 1 < rows ? starts[r + 1] : len;
		char line[sizeof u->note];
		size_t n = end - starts[r];
		memcpy(line, u->note + starts[r], n);
		line[n] = '\0';
		draw_put(w, r, 1, W - 2, line, a);
	}
	wnoutrefresh(w);
	delwin(w);
}

unsigned ui_note_clear(ui *u)
{
	if (!u->note[0])
		return 0;
	u->note[0] = '\0';
	unsigned rd = UI_RD_STATUS;
	if (st(u)->note_rows)
		rd = UI_RD_ALL; /* the rows under the message line */
	st(u)->note_rows = 0;
	return rd;
}

const ui_view ui_pane_status = {
	.name = "status", .id = UI_V_STATUS, .win = W_STATUS, .rd = UI_RD_STATUS | UI_RD_OVERLAY,
	.draw = status_draw, .private_size = sizeof(status_state),
};
