/* view.h — the debugger's panes, screens and overlays as modules (in the
 * style of tig's views and ncdu's browser): each lives in its own file and
 * exports one ui_view, a table of operations
 *
 *   draw   draws it from the frame (below) into its window,
 *   key    a request (keys.h) → redraw mask; *handled = 0 passes it on,
 *   click  a click on one of the regions (ui_hit) it drew → redraw mask.
 *
 * Dispatch (ui.c, tig's view_request → view_driver): a request goes to the
 * open overlay, then to the screen (the debugger, the comparison, the diff;
 * the debugger hands it to the focused pane first), then to the global
 * requests (ui_global: quit, help, policy, ...); what no one takes on the
 * comparison or diff screen leaves a hint in the status bar.  Adding a pane
 * is one file plus one entry in its screen's table (screen_main.c).
 *
 * Panes read the session through the frame: const pointers and the derived
 * values every pane needs, built once per ui_draw; the state they change is
 * their own (scroll positions, the terminal state in ui.term). */
#ifndef TS_VIEW_H
#define TS_VIEW_H

#include "keys.h"
#include "session.h"
#include "ui.h"

/* The read-only per-frame view of the session. */
typedef struct ui_frame {
	const session *s;
	const session_run *run;  /* the current run (NULL: none) */
	const session_view *v;   /* the sample on screen */
	int ok;                  /* v holds a sample that loaded */
	unsigned mask;           /* UI_RD_* being drawn */
	int rs_on;               /* the `o` cycle is at repeat_stop */
	char pol_name[64];       /* canonical name of the compared policy */
	char pol_label[64];      /* the shown one: "repeat-stop" or pol_name */
} ui_frame;

typedef struct ui_view {
	const char *name;
	int win;                 /* its window in ui.term.win (draw.h W_*); -1:
	                          * none or one of its own (overlays) */
	unsigned rd;             /* the UI_RD_* bits that redraw it */
	void (*draw)(ui *u, const ui_frame *f);
	unsigned (*key)(ui *u, keys_action a, int *handled); /* NULL: takes none */
	unsigned (*click)(ui *u, const ui_hit *h);           /* NULL: no regions */
	/* raw input before it becomes a request (the filter prompt's text, the
	 * help's "any key closes"); NULL: none */
	unsigned (*input)(ui *u, int is_key, unsigned ch);
} ui_view;

/* the debugger's panes (pane_*.c) */
extern const ui_view ui_pane_samples, ui_pane_records, ui_pane_timeline, ui_pane_image,
	ui_pane_status;
/* screens (screen_*.c) and overlays (overlay_*.c) */
extern const ui_view ui_screen_main, ui_screen_compare, ui_screen_diff;
extern const ui_view ui_overlay_help, ui_overlay_metrics, ui_overlay_histogram,
	ui_overlay_filter, ui_overlay_sweep;

void ui_frame_build(const ui *u, ui_frame *f);
/* The screen shown now and the open overlay (NULL: none). */
const ui_view *ui_screen_view(const ui *u);
const ui_view *ui_overlay_view(const ui *u);
/* The pane of the debugger with the focus (UI_PANE_*). */
const ui_view *ui_focused_pane(const ui *u);

/* ---- shared state logic of the panes and screens (ui.c) ---- */

/* The sample on screen loaded (not failed). */
int ui_view_ok(const ui *u);
/* The records selection follows the replay cursor (when rec_follow). */
void ui_follow(ui *u);
/* After the replay cursor moved: selection follows, what to redraw. */
unsigned ui_replay_moved(ui *u);
/* A list motion (down, up, page down/up, top, bottom): the move by delta,
 * or to the first (end < 0) / last (end > 0) row.  0 for other requests. */
int ui_list_motion(keys_action a, long page, long *delta, int *end);
/* Moves a screen's list cursor (comparison, diff); the redraw mask. */
unsigned ui_list_move(listcur *c, size_t n, long delta, int end);
/* Rows of the list on the comparison and diff screens. */
size_t ui_screen_rows(const ui *u);
/* Overlays: Esc and q close them. */
unsigned ui_overlay_key(ui *u, keys_action a, int *handled);
/* The scrolling overlays (help, metrics): j/k, arrows, PgDn/PgUp, g/G move
 * ui.ov_scroll (clamped when drawn); 1 when a is one of those. */
int ui_overlay_scroll(ui *u, keys_action a);
/* Z: crops the image to the selected record's box, or back to the whole
 * image; the redraw mask (pane_image.c). */
unsigned ui_image_crop(ui *u);
/* The records pane's header row (1 when the pane has >= 6 rows, else 0)
 * and, in *foot, the rows of its footer (the selected record's full
 * label: 2 from 10 rows, else 0). */
int ui_records_extra(int h, int *foot);
/* Rows of a pane's list (UI_PANE_*). */
size_t ui_pane_rows(const ui *u, int pane);
/* Selects record i and moves the replay cursor to where it completes. */
unsigned ui_select_record(ui *u, size_t i);
/* Moves in the samples list: by delta, or to the first (end < 0) / last
 * (end > 0) row; shows the selected sample. */
unsigned ui_move_samples(ui *u, long delta, int end);
/* Moves the replay cursor by delta steps, or to the start/end. */
unsigned ui_move_steps(ui *u, long delta, int end);
/* Applies u->pol_idx to the session and notes what it does. */
unsigned ui_apply_policy(ui *u);
/* Shows run `run`'s sample idx (COMPARE_NONE: the selected one) in the
 * debugger (the filter is cleared when it hides the sample). */
unsigned ui_drill_into(ui *u, size_t run, size_t idx);
/* Builds the diff of u->diff_a and u->diff_b again. */
void ui_diff_build(ui *u);
/* Opens the diff screen on ui_diff_pair's runs. */
unsigned ui_open_diff(ui *u);
/* Applies the filter text of the prompt to the current run's list. */
unsigned ui_apply_filter(ui *u);
/* The global requests: 1 when a has a global handler. */
int ui_global_has(keys_action a);

#endif
