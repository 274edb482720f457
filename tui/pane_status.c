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
		if (!session_idle_done(f->s)) {
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

/* When the essentials alone overflow by -spare columns with a long policy
 * name: "stopped (NAME)" becomes "stopped" (the name is in the policy
 * part), then "policy: NAME" its number in the O overlay. */
static void shorten_policy(const ui *u, status_parts *p, int spare)
{
	if (spare >= 0 || !p->pol[0])
		return;
	if (!strncmp(p->term, "stopped (", 9)) {
		spare += (int)strlen(p->term) - 7;
		snprintf(p->term, sizeof p->term, "stopped");
	}
	if (spare < 0)
		snprintf(p->pol, sizeof p->pol, "policy #%d (O)", u->pol_idx);
}

static int width(const char *s)
{
	return (int)sanitize_width(s, strlen(s));
}

/* text then " │ " */
static int piece(WINDOW *w, int x, int W, const char *s, attr_t a, attr_t base)
{
	x += draw_put(w, 0, x, W - x, s, a);
	return x + draw_put(w, 0, x, W - x, " │ ", base);
}

/* essentials: sample, step, repeat-stop, termination; then run, image, play,
 * progress, note — dropped from the end when there is no room */
static void status_draw(ui *u, const ui_frame *f)
{
	WINDOW *w = WIN(u, W_STATUS);
	int W = u->lay.status.w, x = 1;
	attr_t base = draw_ca(u, CP_STATUS, 0, A_REVERSE), em = draw_ca(u, CP_RS_ON, A_BOLD, A_BOLD | A_REVERSE);
	status_parts p;
	const char *rs = f->rs_on ? "repeat-stop: on" : "repeat-stop: off";

	werase(w);
	draw_fill_row(w, 0, 0, W, base);
	gather(u, f, &p);
	/* the image hint and "? help" (status_note) are essentials too */
	const char *hint = ui_image_hint(u);
	int room = W - ((int)(strlen(p.sample) + strlen(p.step) + strlen(rs) + strlen(p.term) +
	                      strlen(p.pol)) + 15) - (hint ? width(hint) + 3 : 0) - STATUS_HELP_W;
	shorten_policy(u, &p, room + (hint ? width(hint) + 3 : 0) + STATUS_HELP_W);
	if (p.run[0] && width(p.run) + 3 <= room) {
		room -= width(p.run) + 3;
		x = piece(w, x, W, p.run, base | A_BOLD, base);
	}
	if (p.sample[0])
		x = piece(w, x, W, p.sample, base, base);
	if (p.img[0] && width(p.img) + 3 <= room)
		x = piece(w, x, W, p.img, base, base);
	if (p.step[0])
		x = piece(w, x, W, p.step, base, base);
	x += draw_put(w, 0, x, W - x, rs, f->rs_on ? em : base | A_BOLD);
	if (p.pol[0]) {
		x += draw_put(w, 0, x, W - x, " │ ", base);
		x += draw_put(w, 0, x, W - x, p.pol, em);
	}
	if (p.term[0]) {
		x += draw_put(w, 0, x, W - x, " │ ", base);
		int bold = !strcmp(p.term, "truncated") || !strcmp(p.term, "error");
		x += draw_put(w, 0, x, W - x, p.term, bold ? base | A_BOLD : base);
	}
	/* how to reach the image (ui.c); a note that no longer fits goes to the
	 * message line above the bar */
	const char *opt_after[] = {hint ? hint : "", p.play, p.prog};
	for (size_t k = 0; k < sizeof opt_after / sizeof opt_after[0]; k++) {
		if (!opt_after[k][0] || width(opt_after[k]) + 3 > W - x)
			continue;
		x += draw_put(w, 0, x, W - x, " │ ", base);
		x += draw_put(w, 0, x, W - x, opt_after[k], base);
	}
	status_note(u, w, x, W, base);
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
	u->note_rows = 0;
	if (nw && nw > W - x) {
		u->note_rows = draw_wrap(u->note, W - 2, NULL, 0);
		if (u->note_rows > STATUS_MSG_ROWS)
			u->note_rows = STATUS_MSG_ROWS;
		if (u->note_rows > u->lay.status.y)
			u->note_rows = u->lay.status.y;
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
	int k = u->note_rows, W = u->lay.status.w;
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
	if (u->note_rows)
		rd = UI_RD_ALL; /* the rows under the message line */
	u->note_rows = 0;
	return rd;
}

const ui_view ui_pane_status = {
	.name = "status", .id = UI_V_STATUS, .win = W_STATUS, .rd = UI_RD_STATUS | UI_RD_OVERLAY,
	.draw = status_draw,
};
