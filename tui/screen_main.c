/* screen_main.c — the debugger's screen: its panes (the table below: adding
 * a pane is a file and an entry here) and the requests that act on the
 * sample on screen (replay, samples, ground truth, sort, filter, export,
 * pixel view, speed).  List motions go to the focused pane first. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "draw.h"
#include "pixel.h"

/* in drawing order (ui_draw); the image pane last (it refreshes itself) */
static const ui_view *const panes[] = {&ui_pane_samples, &ui_pane_records, &ui_pane_timeline,
                                       &ui_pane_status, &ui_pane_image, NULL};
/* steps/s; the default, 65/s, plays a 1,000-step trace in about 15 s */
static const int speeds[UI_N_SPEEDS] = {1, 2, 5, 10, 20, 35, 65, 100, 200, 500, 1000};
#define SPEED_DEFAULT 6

/* the screen's private state */
typedef struct main_state {
	int faster; /* + and - pressed: speeds[SPEED_DEFAULT + faster] */
} main_state;

static main_state *st(const ui *u)
{
	return ui_private(u, &ui_screen_main);
}

int ui_speed(const ui *u)
{
	return speeds[SPEED_DEFAULT + st(u)->faster];
}

/* the panes Tab cycles through, by UI_PANE_* */
static const ui_view *const focusable[UI_PANE_COUNT] = {&ui_pane_samples, &ui_pane_records,
                                                        &ui_pane_timeline};

const ui_view *ui_focused_pane(const ui *u)
{
	return focusable[u->focus >= 0 && u->focus < UI_PANE_COUNT ? u->focus : 0];
}

static UI_REQUEST(play)
{
	replay *rp = &u->s->view.rp;
	if (!ui_view_ok(u))
		return 0;
	u->playing = !u->playing;
	if (u->playing && rp->cursor >= replay_last(rp))
		replay_home(rp);
	return ui_replay_moved(u);
}

static unsigned boundary(ui *u, int next)
{
	if (!ui_view_ok(u))
		return 0;
	if (next)
		replay_next_boundary(&u->s->view.rp);
	else
		replay_prev_boundary(&u->s->view.rp);
	return ui_replay_moved(u);
}

/* e: the termination point, and what it is */
static UI_REQUEST(goto_termination)
{
	replay *rp = &u->s->view.rp;
	if (!ui_view_ok(u))
		return 0;
	replay_set(rp, replay_termination_point(rp));
	if (u->pol_idx != COMPARE_POL_OFF && rp->fired) {
		char nm[64];
		session_policy_name(u->s, u->s->pol, nm, sizeof nm);
		ui_note(u, "%s fires at step %ld", u->pol_idx == COMPARE_POL_REPEAT_STOP ? "repeat-stop" : nm,
		        rp->stop_step + 1);
	} else if (rp->closed) {
		ui_note(u, "list closed at step %ld", rp->term_step + 1);
	} else if (rp->tail_first >= 0) {
		ui_note(u, "never closed: repeated tail starts with record #%ld at step %ld",
		        rp->tail_first + 1, rp->cursor + 1);
	} else {
		ui_note(u, "never closed: ends at step %ld", rp->cursor + 1);
	}
	return ui_replay_moved(u);
}

static UI_REQUEST(toggle_gt)
{
	session_run *r = session_cur(u->s);
	ui_img(u)->show_gt = !ui_img(u)->show_gt;
	if (r && !r->g)
		ui_note(u, "no ground truth loaded (--gt FILE)");
	else
		ui_note(u, "ground truth %s", ui_img(u)->show_gt ? "shown" : "hidden");
	return UI_RD_IMAGE | UI_RD_STATUS;
}

static UI_REQUEST(cycle_sort)
{
	session_run *r = session_cur(u->s);
	if (!r)
		return 0;
	r->list.sort = (slist_sort)((r->list.sort + 1) % SLIST_SORT_COUNT);
	slist_rebuild(&r->list, r->items, r->n);
	r->list.cur.sel = 0; /* the top of the new order, scrolled to it */
	r->list.cur.top = 0;
	ui_note(u, "sort: %s", slist_sort_name(r->list.sort));
	return UI_RD_SAMPLES | UI_RD_STATUS | ui_show_selected(u);
}

size_t ui_worst_sample(const session_run *r)
{
	size_t best = (size_t)-1;
	for (size_t i = 0; r && i < r->n; i++) {
		const slist_item *it = &r->items[i];
		if (!it->ready || it->failed || it->max_repeat < 2)
			continue;
		if (best == (size_t)-1 || it->max_repeat > r->items[best].max_repeat ||
		    (it->max_repeat == r->items[best].max_repeat && it->dups > r->items[best].dups))
			best = i;
	}
	return best;
}

/* w: the worst sample, shown at its repeated tail */
static UI_REQUEST(goto_worst)
{
	session_run *r = session_cur(u->s);
	size_t w = ui_worst_sample(r);
	const char *yet = session_idle_done(u->s) ? "" : " (of the samples analysed so far)";
	if (w == (size_t)-1) {
		ui_note(u, "no sample with a repeated record%s", yet);
		return UI_RD_STATUS;
	}
	if (!slist_select_item(&r->list, w)) {
		ui_note(u, "the worst sample (image %s) is hidden by the filter; / Enter clears it",
		        r->items[w].name ? r->items[w].name : "?");
		return UI_RD_STATUS;
	}
	unsigned rd = UI_RD_SAMPLES | UI_RD_STATUS | ui_show_selected(u);
	if (ui_view_ok(u)) {
		replay *rp = &u->s->view.rp;
		if (rp->tail_first >= 0 && (size_t)rp->tail_first < rp->n_rec)
			replay_set(rp, (long)rp->rec_first[rp->tail_first]);
		rd |= ui_replay_moved(u);
	}
	ui_note(u, "worst sample%s: image %s, max repeat ×%zu, %zu duplicates", yet,
	        r->items[w].name ? r->items[w].name : "?", r->items[w].max_repeat, r->items[w].dups);
	return rd;
}

static unsigned export_as(ui *u, int frame)
{
	char path[1024], cwd[1024];
	if (ui_export_png(u, frame, path, sizeof path) == 0) {
		if (getcwd(cwd, sizeof cwd))
			ui_note(u, "wrote %s in %s", path, cwd);
		else
			ui_note(u, "wrote %s", path);
	}
	return UI_RD_STATUS;
}

static UI_REQUEST(export_png) { return export_as(u, 0); }
static UI_REQUEST(export_frame) { return export_as(u, 1); }

static unsigned speed(ui *u, int faster)
{
	int k = SPEED_DEFAULT + st(u)->faster;
	if (faster && k + 1 < UI_N_SPEEDS)
		st(u)->faster++;
	else if (!faster && k > 0)
		st(u)->faster--;
	ui_note(u, "replay speed %d steps/s", ui_speed(u));
	return UI_RD_STATUS;
}

static UI_REQUEST(pixel)
{
	if (u->term.headless) {
		ui_note(u, "pixel view: needs a terminal");
		return UI_RD_STATUS;
	}
	u->playing = 0;
	return pixel_view(u);
}

/* z: the image over the samples and records, and back */
static UI_REQUEST(image_zoom)
{
	ui_img(u)->zoom = !ui_img(u)->zoom;
	if (ui_img(u)->zoom)
		ui_note(u, "z back, +/- zoom, arrows pan, Z crop");
	else
		u->note[0] = 0; /* the status bar's hint says "z image" again */
	return UI_RD_ALL | UI_RD_LAYOUT;
}

/* L: which boxes carry their labels */
static UI_REQUEST(cycle_labels)
{
	static const char *const names[UI_LABELS_COUNT] = {"all", "selected record and duplicates",
	                                                   "none"};
	ui_img(u)->label_mode = (ui_img(u)->label_mode + 1) % UI_LABELS_COUNT;
	ui_note(u, "labels: %s", names[ui_img(u)->label_mode]);
	return UI_RD_IMAGE | UI_RD_STATUS;
}

static UI_REQUEST(next_pane)
{
	u->focus = (u->focus + 1) % UI_PANE_COUNT;
	return UI_RD_PANES;
}
static UI_REQUEST(prev_pane)
{
	u->focus = (u->focus + UI_PANE_COUNT - 1) % UI_PANE_COUNT;
	return UI_RD_PANES;
}
static UI_REQUEST(step_fwd) { return ui_move_steps(u, 1, 0); }
static UI_REQUEST(step_back) { return ui_move_steps(u, -1, 0); }
static UI_REQUEST(next_boundary) { return boundary(u, 1); }
static UI_REQUEST(prev_boundary) { return boundary(u, 0); }
static UI_REQUEST(trace_start) { return ui_move_steps(u, 0, -1); }
static UI_REQUEST(trace_end) { return ui_move_steps(u, 0, 1); }
static UI_REQUEST(faster) { return speed(u, 1); }
static UI_REQUEST(slower) { return speed(u, 0); }

static UI_REQUEST(open_filter)
{
	ui_overlay_open(u, UI_OV_FILTER); /* opens empty; the filter in force is shown in it */
	return UI_RD_STATUS;
}

static UI_REQUEST(enter)
{
	(void)u;
	return 0;
}

/* Esc leaves the zoomed image when no overlay is open; else passed on */
static unsigned close_zoom(ui *u, keys_action a, int *handled)
{
	if (!ui_img(u)->zoom || u->overlay != UI_OV_NONE)
		return *handled = 0, 0u;
	return image_zoom(u, a, handled);
}

static UI_REQUEST(crop) { return ui_image_crop(u); }

/* request → the screen's handler (the same shape as every view's table);
 * list motions went to the focused pane before (ui_main_panes); a request
 * that is not here goes on to the global ones */
static UI_REQUEST(yank)
{
	return ui_yank(u);
}

static const ui_request requests[ACT_COUNT] = {
	[ACT_NEXT_PANE] = next_pane,         [ACT_PREV_PANE] = prev_pane,
	[ACT_NEXT_SAMPLE] = ui_samples_next, [ACT_PREV_SAMPLE] = ui_samples_next,
	[ACT_PLAY] = play,                   [ACT_STEP_FWD] = step_fwd,
	[ACT_STEP_BACK] = step_back,         [ACT_NEXT_BOUNDARY] = next_boundary,
	[ACT_PREV_BOUNDARY] = prev_boundary, [ACT_TRACE_START] = trace_start,
	[ACT_TRACE_END] = trace_end,         [ACT_TERMINATION] = goto_termination,
	[ACT_WORST] = goto_worst,            [ACT_GT] = toggle_gt,
	[ACT_SORT] = cycle_sort,             [ACT_FILTER] = open_filter,
	[ACT_PIXEL] = pixel,                 [ACT_EXPORT] = export_png,
	[ACT_EXPORT_FRAME] = export_frame,
	[ACT_FASTER] = faster,               [ACT_SLOWER] = slower,
	[ACT_IMAGE_ZOOM] = image_zoom,       [ACT_CROP] = crop,
	[ACT_LABELS] = cycle_labels,         [ACT_ENTER] = enter,
	[ACT_CLOSE] = close_zoom,
	[ACT_YANK] = yank, /* whichever pane has the focus */
};

size_t ui_main_panes(const ui *u, const ui_view *out[2])
{
	size_t n = 0;
	if (ui_img(u)->zoom)
		out[n++] = &ui_pane_image;
	out[n++] = ui_focused_pane(u);
	return n;
}

static unsigned main_click(ui *u, const ui_hit *h)
{
	(void)u, (void)h;
	return 0;
}

const ui_view ui_screen_main = {.name = "debugger", .id = UI_V_MAIN, .win = -1, .rd = UI_RD_ALL, .panes = panes,
                                .requests = requests, .click = main_click,
                                .private_size = sizeof(main_state)};
