/* app.c — `tailscope [OPTIONS] RUN...`: the interactive debugger.
 *
 * Opens the runs (line index only), starts curses, shows the first sample,
 * then loops: draw what changed (one doupdate), wait for a key with a
 * timeout, and in idle time compute the other samples' badges a few at a
 * time.  The terminal is restored on quit, on SIGINT/SIGTERM/SIGHUP (the
 * handler sets a flag the loop sees), on crash signals and at exit; nothing
 * is written to stderr while curses runs (messages are queued and printed
 * after endwin). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcurses.h"
#include "commands.h"
#include "cli.h"
#include "sanitize.h"
#include "session.h"
#include "term.h"
#include "charset.h"
#include "marks.h"
#include "ui.h"
#include "view.h"
#include "app.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void errf(const char *what, const char *detail)
{
	char a[512], b[512];
	fprintf(stderr, "tailscope: %s%s%s\n", sanitize_cstr(what, a, sizeof a, 0),
	        detail ? ": " : "", detail ? sanitize_cstr(detail, b, sizeof b, 0) : "");
}

/* ---- progress while indexing ---- */

typedef struct progress_state {
	double start, last, keys;
} progress_state;

static void on_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	progress_state *ps = ud;
	double t = now_ms();
	if (term_signal) {
		/* the index build cannot be interrupted: leave from here */
		int sig = (int)term_signal;
		term_stop();
		fprintf(stderr, "tailscope: interrupted while indexing\n");
		exit(128 + sig);
	}
	if (t - ps->keys >= 30) {
		/* q quits here too (the build cannot be interrupted otherwise) */
		ps->keys = t;
		nodelay(stdscr, TRUE);
		int ch;
		while ((ch = getch()) != ERR) /* other keys: nothing to act on yet */
			if (ch == 'q' || ch == 'Q') {
				term_stop();
				fprintf(stderr, "tailscope: quit while indexing\n");
				exit(0);
			}
	}
	if (t - ps->start < 150 || t - ps->last < 100)
		return; /* quick builds show nothing */
	ps->last = t;
	char line[256];
	if (total)
		snprintf(line, sizeof line, "indexing %s: %3.0f%%  (%.0f of %.0f MB)", what,
		         100.0 * (double)done / (double)total, (double)done / 1e6, (double)total / 1e6);
	else
		snprintf(line, sizeof line, "indexing %s: %.0f MB", what, (double)done / 1e6);
	werase(stdscr);
	mvaddnstr(LINES / 2, 2, line, COLS > 4 ? COLS - 4 : COLS);
	mvaddnstr(LINES / 2 + 1, 2, "(q or Ctrl-C to abort)", COLS > 4 ? COLS - 4 : COLS);
	refresh();
}

/* ---- main loop ---- */

/* k steps every 1000*k/speed ms, k the fewest that keep a tick >= 33 ms:
 * the speed is kept exactly (65/s: 3 steps every 46 ms) */
static long play_steps(const ui *u)
{
	long sps = ui_speed(u), k = (33 * sps + 999) / 1000;
	return k < 1 ? 1 : k;
}

static int play_tick_ms(const ui *u)
{
	return (int)(1000 * play_steps(u) / ui_speed(u));
}

/* A replay tick that pauses where the decisive things happen: the first
 * step of the repeated tail and the step where the policy cuts (with the
 * policy off: where it would). */
static unsigned play_tick(ui *u, long steps)
{
	session_view *v = &u->s->view;
	if (!ui_view_ok(u) || !u->playing)
		return ui_tick(u, steps);
	replay *rp = &v->rp;
	long at = rp->cursor, marks[2] = {-1, -1};
	if (rp->tail_first >= 0 && (size_t)rp->tail_first < rp->n_rec)
		marks[0] = (long)rp->rec_first[rp->tail_first];
	if (rp->fired)
		marks[1] = rp->stop_step;
	for (int i = 0; i < 2; i++) {
		long m = marks[i];
		if (m <= at || m > at + steps || m >= replay_last(rp))
			continue; /* behind, not reached in this tick, or the end (stops anyway) */
		if (i == 0 && marks[1] > at && marks[1] < m)
			continue; /* the cut comes first */
		unsigned rd = ui_tick(u, m - at);
		u->playing = 0;
		if (i == 0)
			ui_note(u, "paused: the repeated tail starts (record #%ld, step %ld); Space goes on",
			        rp->tail_first + 1, m + 1);
		else {
			char nm[64];
			session_policy_name(u->s, u->s->pol, nm, sizeof nm);
			ui_note(u, "paused: %s cuts here (step %ld); Space goes on",
			        u->s->pol == COMPARE_POL_REPEAT_STOP ? "repeat-stop" : nm, m + 1);
		}
		return rd | UI_RD_STATUS;
	}
	return ui_tick(u, steps);
}

/* The terminal went away (hung up, closed) without a SIGHUP reaching us
 * (blocked, or the tty closed some other way): input then fails at once, and
 * the loop would spin on it. */
static int tty_gone(void)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

/* The redraw when idle work showed the view's sample again (its ground
 * truth came: session_idle's view_serial moved past vs); else 0. */
static unsigned view_shown_again(ui *u, const session *s, unsigned vs)
{
	return s->view_serial != vs ? UI_RD_ALL | ui_replay_moved(u) : 0;
}

/* A slice of idle work (about 15 ms), then the new badges now and then:
 * the samples pane is sorted again only then (every 150 ms, or ten times
 * as long as the last sort took), so badges stay linear in samples. */
static unsigned idle_slice(ui *u, session *s, double t, double *last_draw)
{
	static double sort_ms, pending;
	double until = t + 15;
	size_t n = 0;
	unsigned rd = 0;
	unsigned vs = s->view_serial;
	do
		n += session_idle_quiet(s, 1);
	while (now_ms() < until && !session_idle_done(s));
	pending += (double)n;
	rd |= view_shown_again(u, s, vs);
	double gap = sort_ms * 10 > 150 ? sort_ms * 10 : 150;
	if (pending && (now_ms() - *last_draw > gap || session_idle_done(s))) {
		double t0 = now_ms();
		session_idle_sync(s);
		sort_ms = now_ms() - t0;
		pending = 0;
		*last_draw = now_ms();
		rd |= ui_idle_progress(u);
		if (u->overlay == UI_OV_METRICS || u->overlay == UI_OV_HISTOGRAM ||
		    u->overlay == UI_OV_SWEEP)
			rd |= UI_RD_OVERLAY;
	}
	return rd;
}

/* Once every badge is known: where the worst sample is, when it is not
 * the one on screen (and nothing else is being said). */
static unsigned tell_worst(ui *u, session *s)
{
	const session_run *r = session_cur(s);
	size_t w = ui_worst_sample(r);
	if (w == (size_t)-1 || u->note[0] || u->screen != UI_SCREEN_MAIN ||
	    slist_selected(&r->list) == w)
		return 0;
	ui_note(u, "worst sample: image %s, max repeat ×%zu; w opens it at its repeated tail",
	        r->items[w].name ? r->items[w].name : "?", r->items[w].max_repeat);
	return UI_RD_STATUS;
}

/* ---- how long a status message stays: UI_NOTE_MS, or
 * TAILSCOPE_NOTE_SECONDS (0: until the next key) ---- */

typedef struct note_clock {
	unsigned gen; /* the note whose time runs */
	double t, ms; /* since when, for how long (0: no expiry) */
} note_clock;

static void note_clock_init(note_clock *c, const ui *u)
{
	c->gen = u->note_gen;
	c->t = now_ms();
	c->ms = UI_NOTE_MS;
	const char *ns = getenv("TAILSCOPE_NOTE_SECONDS");
	if (ns && *ns) {
		char *end;
		double v = strtod(ns, &end);
		if (*end == '\0' && v >= 0 && v <= 3600)
			c->ms = v * 1000;
	}
}

/* The wait `to` (ms), shortened to the note's end; a new note's time starts. */
static int note_clock_wait(note_clock *c, const ui *u, double t, int to)
{
	if (u->note_gen != c->gen) {
		c->gen = u->note_gen;
		c->t = t;
	}
	if (!u->note[0] || c->ms <= 0)
		return to;
	double left = c->t + c->ms - t;
	return left >= to ? to : left < 0 ? 0 : (int)left + 1;
}

static unsigned note_clock_expire(const note_clock *c, ui *u, double t)
{
	return u->note[0] && c->ms > 0 && t >= c->t + c->ms ? ui_note_clear(u) : 0;
}

/* After a key or click: the open overlay follows any change; a new layout
 * redraws everything. */
static unsigned after_input(ui *u, unsigned rd)
{
	if ((u->overlay == UI_OV_METRICS || u->overlay == UI_OV_HISTOGRAM ||
	     u->overlay == UI_OV_SWEEP) && rd)
		rd |= UI_RD_OVERLAY;
	if (rd & UI_RD_LAYOUT) {
		ui_resize(u);
		rd = UI_RD_ALL;
	}
	return rd;
}

unsigned app_key(ui *u, int is_key, unsigned ch)
{
	unsigned rd = ui_note_clear(u); /* the next key ends the note */
	rd |= ui_key(u, is_key, ch);
	return after_input(u, rd);
}

unsigned app_settle(ui *u, session *s, int *worst_told)
{
	unsigned rd = 0;
	if (session_view_image_pending(s)) {
		while (session_view_image_pending(s)) {
			session_view_image(s);
			if (session_view_image_pending(s))
				poll(NULL, 0, 2);
		}
		rd |= UI_RD_IMAGE | UI_RD_STATUS;
	}
	if (!session_idle_done(s)) {
		unsigned vs = s->view_serial;
		while (!session_idle_done(s))
			session_idle_quiet(s, 64);
		rd |= view_shown_again(u, s, vs);
		session_idle_sync(s);
		rd |= ui_idle_progress(u);
		if (u->overlay == UI_OV_METRICS || u->overlay == UI_OV_HISTOGRAM ||
		    u->overlay == UI_OV_SWEEP)
			rd |= UI_RD_OVERLAY;
	}
	if (!*worst_told) {
		*worst_told = 1;
		rd |= tell_worst(u, s);
	}
	return rd;
}

void app_ui_open(ui *u, session *s)
{
	ui_init(u, s, 0);
	u->note_serial = 0; /* show the latest opening message, if any */
	ui_colors_init(u);
	ui_resize(u);
	ui_show_selected(u);
	if (charset_note()[0])
		ui_note(u, "%s", charset_note());
}

static void loop(ui *u, session *s)
{
	unsigned rd = UI_RD_ALL;
	double next_tick = 0, last_idle_draw = 0;
	int was_playing = 0, worst_told = 0;
	note_clock nc;
	note_clock_init(&nc, u);

	while (!u->quit && !term_signal) {
		if (rd) {
			ui_draw(u, rd);
			rd = 0;
		}
		double t = now_ms();
		int to;
		if (u->playing) {
			double d = next_tick - t;
			to = d < 0 ? 0 : (int)d;
		} else if (!session_idle_done(s)) {
			to = 0;
		} else {
			to = 250; /* wake up now and then to see signals */
		}
		int img_wait = session_view_image_pending(s);
		if (img_wait && (to < 0 || to > 50))
			to = 50; /* the image is being decoded: look again soon */
		timeout(note_clock_wait(&nc, u, t, to));
		wint_t ch;
		int r = get_wch(&ch);
		if (term_signal)
			break;
		if (r == ERR && tty_gone()) {
			term_signal = SIGHUP;
			break;
		}
		t = now_ms();
		if (img_wait) {
			session_view_image(s);
			if (!session_view_image_pending(s))
				rd |= UI_RD_IMAGE | UI_RD_STATUS;
		}
		if (r == ERR) {
			rd |= note_clock_expire(&nc, u, t);
			if (u->playing && t >= next_tick) {
				rd |= play_tick(u, play_steps(u));
				next_tick = t + play_tick_ms(u);
			} else if (!u->playing && !session_idle_done(s)) {
				rd |= idle_slice(u, s, t, &last_idle_draw);
			}
			if (!worst_told && session_idle_done(s)) {
				worst_told = 1;
				rd |= tell_worst(u, s);
			}
			continue;
		}
		if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
			ui_resize(u);
			rd = UI_RD_ALL;
			continue;
		}
		if (r == KEY_CODE_YES && ch == KEY_MOUSE) {
			rd |= ui_note_clear(u); /* a click ends the note too */
			MEVENT ev;
			if (getmouse(&ev) == OK) {
				if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
					rd |= ui_click(u, ev.y, ev.x);
				else if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED))
					rd |= ui_wheel(u, ev.y, ev.x, (ev.bstate & BUTTON5_PRESSED) != 0);
			}
			rd = after_input(u, rd);
		} else {
			rd |= app_key(u, r == KEY_CODE_YES, (unsigned)ch);
		}
		if (u->playing && !was_playing)
			next_tick = t + play_tick_ms(u);
		was_playing = u->playing;
	}
}

/* --filter and --samples (cli_lists) on every run of s: 0, or -1 with msg */
typedef struct cli_lists {
	const char *filter, *subset;
} cli_lists;

static int apply_lists(session *s, const cli_lists *cl, char *msg, size_t msgsz)
{
	for (size_t i = 0; i < s->n_runs; i++) {
		session_run *r = &s->runs[i];
		expr_err ee;
		if (cl->filter && slist_filter_set(cl->filter, &r->list.filter, &ee) < 0)
			return snprintf(msg, msgsz, "--filter: error at column %zu: %s", ee.pos + 1, ee.msg), -1;
		if (slist_rebuild(&r->list, r->items, r->n) != 0)
			return snprintf(msg, msgsz, "out of memory"), -1;
		if (!cl->subset)
			continue;
		size_t unknown = 0;
		if (marks_load_file(r, cl->subset, &unknown, msg, msgsz) < 0)
			return -1;
		r->list.only_marked = 1;
		slist_rebuild(&r->list, r->items, r->n);
		r->list.cur.sel = r->list.cur.top = 0;
		if (unknown)
			session_msg(s, "%s: %zu lines not in run %s", cl->subset, unknown, r->name);
	}
	return 0;
}

/* Checks the runs, starts curses, runs the debugger and restores the
 * terminal; returns the exit status. */
static int debug_runs(char *const *runs, size_t n_runs, const session_opts *o, const cli_lists *cl)
{
	ts_error err;
	/* cheap checks before the screen changes: a run that cannot be opened at
	 * all is reported on the plain terminal */
	size_t usable = 0;
	for (size_t i = 0; i < n_runs; i++) {
		run_info *ri;
		if (run_open(runs[i], &ri, &err) == TS_OK) {
			usable++;
			run_info_free(ri);
		} else {
			errf(err.msg, NULL);
		}
	}
	if (!usable)
		return 2;

	char terr[256];
	if (term_start(terr, sizeof terr) != 0) {
		errf(terr, NULL);
		return 2;
	}
	session s;
	progress_state ps = {now_ms(), 0, 0};
	ts_status st = session_open(&s, runs, n_runs, o, on_progress, &ps, &err);
	int rc = 0;
	if (st != TS_OK || term_signal) {
		term_stop();
		for (size_t i = 0; i < s.n_msgs; i++)
			fprintf(stderr, "tailscope: %s\n", s.msgs[i]);
		if (st != TS_OK && s.n_msgs == 0)
			errf(err.msg, NULL);
		session_free(&s);
		return term_signal ? 128 + (int)term_signal : 2;
	}
	if (s.n_runs < n_runs)
		rc = 1;
	char lmsg[512];
	if (cl->subset) /* --samples names lines: every one must be indexed */
		session_finish_loading(&s);
	if (apply_lists(&s, cl, lmsg, sizeof lmsg) != 0) {
		term_stop();
		errf(lmsg, NULL);
		session_free(&s);
		return 2;
	}

	ui u;
	app_ui_open(&u, &s);
	loop(&u, &s);
	if (term_signal)
		rc = 128 + (int)term_signal;
	ui_free(&u);
	term_stop();
	if (s.msgs_dropped)
		fprintf(stderr, "tailscope: (%zu earlier messages not kept)\n", s.msgs_dropped);
	for (size_t i = 0; i < s.n_msgs; i++)
		fprintf(stderr, "tailscope: %s\n", s.msgs[i]);
	session_free(&s);
	return rc;
}

int cmd_tui(int argc, char **argv)
{
	session_opts o;
	char **runs;
	size_t n_runs = 0;

	/* options: the shared table (tui/cli/cli.c) */
	const cli_command *cmd = cli_command_find("tui");
	cli_values cv;
	int pr = cli_parse(cmd, argc, argv, &cv);
	if (pr == 0 && cv.n_pos == 0)
		pr = cli_usage_error(cmd, "no RUN given");
	if (pr != 0) {
		cli_values_free(&cv);
		return pr == 1 ? 0 : 2;
	}
	session_opts_default(&o);
	o.gt_path = cv.ex.gt_path;
	o.images_dir = cv.images_dir;
	o.coords_set = cv.ex.coords_set;
	o.an = cv.ex.an;
	limits_set lim = cv.lim;
	o.trace_lim = &lim.trace;
	o.image_lim = &lim.image;
	o.lazy_open = 1; /* the first frame before the index and gt are complete */
	runs = (char **)cv.pos; /* taken over from cv: freed below */
	n_runs = cv.n_pos;
	cv.pos = NULL;
	cli_lists cl = { cv.filter, cv.subset };
	expr_err ee;
	slist_filter probe;
	memset(&probe, 0, sizeof probe);
	int bad = cv.filter && slist_filter_set(cv.filter, &probe, &ee) < 0;
	slist_filter_free(&probe);
	if (bad) {
		char m[200];
		snprintf(m, sizeof m, "--filter: error at column %zu: %s", ee.pos + 1, ee.msg);
		free(runs);
		return cli_usage_error(cmd, m), 2;
	}
	int rc = debug_runs(runs, n_runs, &o, &cl);
	free(runs);
	return rc;
}
