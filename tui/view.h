/* view.h — the debugger's panes, screens and overlays as modules (in the
 * style of tig's views and ncdu's browser): each lives in its own file,
 * registers in views.def and exports one ui_view, a table of operations
 *
 *   draw      draws it from the frame (below) into its window (a screen
 *             lists the views it shows instead: panes),
 *   requests  its request table: requests[a] takes request a (keys.h) →
 *             redraw mask; an empty entry, or *handled = 0, passes it on,
 *   click     a click on one of the regions (ui_hit) it drew → redraw mask,
 *
 * and its private state: private_size bytes, zeroed, allocated by ui_init
 * for every registered view and reached with ui_private (tig's
 * view->private); `open` resets it when an overlay opens.
 *
 * One dispatch path (ui_action in ui.c, tig's view_request → view_driver):
 * a request goes to the open overlay, then on the debugger to its focused
 * pane (the zoomed image first), then to the screen (the debugger, the
 * comparison, the diff), then to the overlays' toggles (ui_view.toggle)
 * and the global request table (quit, policy, ...): each step is a lookup
 * in that view's table, and every handler returns a redraw mask.  What no
 * one takes on the comparison or diff screen leaves a hint.
 *
 * Panes read the session through the frame: const pointers and the derived
 * values every pane needs, built once per ui_draw; the state they change is
 * their own (private state, the terminal state in ui.term). */
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

/* A request handler (a view's table entry): the redraw mask; *handled = 0
 * passes the request on (it comes in as 1). */
typedef unsigned (*ui_request)(ui *u, keys_action a, int *handled);
/* A handler's head, for handlers that need neither a nor handled. */
#define UI_REQUEST(name) \
	unsigned name(ui *u, keys_action a __attribute__((unused)), int *handled __attribute__((unused)))

typedef struct ui_view {
	const char *name;
	int id;                  /* UI_<ID> of its views.def line */
	int win;                 /* its window in ui.term.win (draw.h W_*); -1:
	                          * none or one of its own (overlays) */
	unsigned rd;             /* the UI_RD_* bits that redraw it */
	void (*draw)(ui *u, const ui_frame *f); /* NULL: a screen of panes */
	/* screens: the views it shows, in drawing order, NULL-terminated (ui_draw
	 * draws each whose rd bits are in the mask); NULL for the others */
	const struct ui_view *const *panes;
	const ui_request *requests; /* ACT_COUNT entries; NULL: takes none */
	/* the requests its table has no entry for (NULL: passed on; the metrics
	 * overlay starts at the top again after any of them) */
	unsigned (*key)(ui *u, keys_action a, int *handled);
	unsigned (*click)(ui *u, const ui_hit *h);           /* NULL: no regions */
	/* raw input before it becomes a request (the filter prompt's text, the
	 * help's "any key closes"); NULL: none */
	unsigned (*input)(ui *u, int is_key, unsigned ch);
	keys_action toggle;      /* overlays: the request that opens/closes it (ACT_NONE: none) */
	size_t private_size;     /* bytes of private state (0: none) */
	void (*open)(ui *u);     /* overlays: called when it opens; NULL: nothing */
	void (*fini)(void *priv); /* frees what the private state holds; NULL: nothing */
} ui_view;

/* every view: panes (pane_*.c), screens (screen_*.c), overlays (overlay_*.c) */
#define UI_VIEW(id, sym) extern const ui_view sym;
#include "views.def"
#undef UI_VIEW

/* The comparison screen's state (screen_compare.c's private state). */
typedef struct ui_cmp_state {
	listcur cur;           /* selected run */
	size_t mark[2];        /* runs marked for the diff (Space) */
	size_t n_mark;
	int col;               /* focused column: group * 2 + side (0 off, 1 on); h/l */
	int first;             /* first column group shown (horizontal scroll) */
	int sort_on, sort_col, sort_rev; /* s: runs sorted by sort_col; S reverses */
} ui_cmp_state;
/* The diff screen's state (screen_diff.c's private state). */
typedef struct ui_diff_state {
	compare_diff diff;
	size_t a, b;           /* its runs */
	listcur cur;           /* selected row */
	int side;              /* Enter opens the sample in run A (0) or B (1) */
	size_t done;           /* samples analysed when the diff was built */
} ui_diff_state;
/* The image pane's state (pane_image.c's private state). */
typedef struct ui_image_state {
	render_image *blank;   /* canvas for boxes when the image is missing */
	size_t blank_for_run, blank_for_idx;
	render_box *boxes;     /* boxes for the current view (ui_boxes) */
	size_t n_boxes, cap_boxes;
	int show_gt;           /* `t`: the ground-truth boxes are shown */
	int zoom;              /* `z`: the image fills the area above the timeline */
	int label_mode;        /* UI_LABELS_* */
	int crop_k;            /* crop level, 0 = the whole image */
	double crop_cx, crop_cy; /* crop centre in image pixels */
} ui_image_state;
ui_image_state *ui_img(const ui *u);
ui_cmp_state *ui_cmp(const ui *u);
ui_diff_state *ui_dif(const ui *u);

/* The overlays' table: q and Esc close them (ui_overlay_close). */
extern const ui_request ui_overlay_requests[ACT_COUNT];
unsigned ui_overlay_close(ui *u, keys_action a, int *handled);
/* The panes of the debugger that see a request before its screen: the
 * zoomed image, then the focused pane (screen_main.c); returns how many. */
size_t ui_main_panes(const ui *u, const ui_view *out[2]);

/* The registered view with id (UI_<ID>), NULL for none. */
const ui_view *ui_view_by_id(int id);
/* A view's private state (private_size bytes), NULL when it has none. */
void *ui_private(const ui *u, const ui_view *v);
/* Opens overlay ov (UI_OV_*), calling its `open`; returns the redraw mask. */
unsigned ui_overlay_open(ui *u, int ov);

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
/* A table's entries for the list motions (ui_list_motion's requests), all
 * to one handler. */
#define UI_LIST_MOTIONS(fn)                                                                       \
	[ACT_DOWN] = fn, [ACT_UP] = fn, [ACT_PAGE_DOWN] = fn, [ACT_PAGE_UP] = fn, [ACT_TOP] = fn,    \
	[ACT_BOTTOM] = fn
/* A list motion (down, up, page down/up, top, bottom): the move by delta,
 * or to the first (end < 0) / last (end > 0) row.  0 for other requests. */
int ui_list_motion(keys_action a, long page, long *delta, int *end);
/* Moves a screen's list cursor (comparison, diff); the redraw mask. */
unsigned ui_list_move(listcur *c, size_t n, long delta, int end);
/* Rows of the list on the comparison and diff screens. */
size_t ui_screen_rows(const ui *u);
/* The scrolling overlays (help, metrics): j/k, arrows, PgDn/PgUp, g/G move
 * *scroll, their first row shown (clamped when drawn); 1 when a is one of those. */
int ui_overlay_scroll(int *scroll, keys_action a);
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
/* n, p: the next or previous sample, whatever has the focus (the
 * debugger's table entry, pane_samples.c). */
unsigned ui_samples_next(ui *u, keys_action a, int *handled);
/* Moves in the samples list by delta, or to the first (end < 0) / last (end > 0) row. */
unsigned ui_move_samples(ui *u, long delta, int end);
/* Moves the replay cursor by delta steps, or to the start/end. */
unsigned ui_move_steps(ui *u, long delta, int end);
/* Applies u->pol_idx to the session and notes what it does. */
unsigned ui_apply_policy(ui *u);
/* Shows run `run`'s sample idx (COMPARE_NONE: the selected one) in the
 * debugger (the filter is cleared when it hides the sample). */
unsigned ui_drill_into(ui *u, size_t run, size_t idx);
/* Builds the diff of ui_dif(u)->a and ->b again. */
void ui_diff_build(ui *u);
/* Opens the diff screen on ui_diff_pair's runs. */
unsigned ui_open_diff(ui *u);
/* Applies the filter text of the prompt to the current run's list. */
unsigned ui_apply_filter(ui *u);
/* The global requests: 1 when a has a global handler. */
int ui_global_has(keys_action a);

#endif
