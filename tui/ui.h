/* ui.h — the debugger's screen: layout, UI state, actions, drawing.
 *
 * Like htop, every action returns a redraw mask (UI_RD_*): only the panes
 * whose content changed are redrawn, each into its own window with
 * wnoutrefresh, then one doupdate per loop iteration, so ncurses sends only
 * the cells that changed.  The image pane is redrawn only when the set of
 * boxes (visible records, ground truth, selection), its size or the pair
 * generation changed; stepping through tokens that complete no record leaves
 * it untouched.
 *
 * The layout and the action logic are usable without a terminal (ui_layout,
 * ui_action with ui.headless = 1): unit tests drive them directly; the
 * terminal state lives apart in ui.term.  The panes, screens and overlays
 * are modules (view.h), one file each. */
#ifndef TS_UI_H
#define TS_UI_H

#include <stddef.h>
#include <stdint.h>

#include "compare.h"
#include "keys.h"
#include "listcur.h"
#include "render.h"
#include "session.h"

#define UI_RD_SAMPLES  0x01u
#define UI_RD_IMAGE    0x02u
#define UI_RD_RECORDS  0x04u
#define UI_RD_TIMELINE 0x08u
#define UI_RD_STATUS   0x10u
#define UI_RD_OVERLAY  0x20u
#define UI_RD_LAYOUT   0x40u /* windows recreated, everything redrawn */
#define UI_RD_COMPARE  0x80u /* the comparison or diff screen */
#define UI_RD_PANES    (UI_RD_SAMPLES | UI_RD_IMAGE | UI_RD_RECORDS | UI_RD_TIMELINE | UI_RD_STATUS | \
                        UI_RD_COMPARE)
#define UI_RD_ALL      (UI_RD_PANES | UI_RD_OVERLAY | UI_RD_LAYOUT)

/* Minimum terminal size (smaller: "terminal too small"); below the full
 * size the image pane is left out of the side-by-side layout (reduced
 * layout) and `z` gives it the area above the timeline instead of the
 * samples and records (at every size; the status bar says so). */
#define UI_MIN_COLS 50
#define UI_MIN_ROWS 12
#define UI_FULL_COLS 100
#define UI_FULL_ROWS 24

typedef struct ui_rect {
	int y, x, h, w;
} ui_rect;

typedef struct ui_layout {
	int rows, cols;
	int too_small;
	int reduced;      /* no image pane beside the lists */
	int zoom;         /* the image fills the area above the timeline */
	ui_rect samples, image, records, timeline, status;
} ui_layout;

void ui_layout_compute(int rows, int cols, ui_layout *l);
/* The same with the image zoomed (`z`): image {0, 0, rows-1-timeline, cols},
 * no samples or records pane. */
void ui_layout_compute_zoom(int rows, int cols, int zoom, ui_layout *l);

/* Labels on the image (`L` cycles): every box, the selected record and
 * the duplicates only, none. */
enum { UI_LABELS_ALL = 0, UI_LABELS_KEY, UI_LABELS_NONE, UI_LABELS_COUNT };
/* Crop of the image (`Z`, and +/- with arrows while zoomed): level k shows
 * 1/ZOOM_STEP^k of each side around (cx, cy), in image pixels; 0 = whole. */
#define UI_CROP_MAX 6
#define UI_CROP_STEP 1.5

enum { UI_PANE_SAMPLES = 0, UI_PANE_RECORDS, UI_PANE_TIMELINE, UI_PANE_COUNT };
/* View ids (views.def): u->overlay is one of the overlays' ids, or UI_OV_NONE. */
enum {
	UI_OV_NONE = 0,
#define UI_VIEW(id, sym) UI_##id,
#include "views.def"
#undef UI_VIEW
	UI_V_COUNT
};
/* What fills the screen above the status bar: the debugger's panes, the
 * comparison of all runs (one row per run), or the per-sample diff of two
 * runs. */
enum { UI_SCREEN_MAIN = 0, UI_SCREEN_COMPARE, UI_SCREEN_DIFF };
#define UI_N_WIN 6

struct ui_view;

/* A clickable region drawn by a pane or screen; a click goes to its click
 * op with the value. */
typedef struct ui_hit {
	int y, x0, x1;  /* screen row, columns [x0, x1) */
	const struct ui_view *view; /* who drew it (view.h) */
	long value;     /* view row, record index, step, run, diff row */
} ui_hit;

#define UI_N_SPEEDS 11

typedef struct ui ui;

/* Terminal state: windows, colours, the image pane's frame cache and the
 * mouse regions of the last frame.  Only the drawing side (ui_draw.c and
 * the panes, view.h) touches it; headless, it stays zeroed. */
typedef struct ui_term {
	int headless;          /* no terminal: actions only (ui_init) */
	void *win[UI_N_WIN];   /* WINDOW *: samples, image, records, timeline, status,
	                        * comparison/diff screen */
	int color;             /* colours in use */
	render_color_mode mode;
	void *pairs;           /* pairs * */
	render_cache *rcache;
	/* what the image pane shows now (to skip unchanged frames) */
	int img_valid;
	render_box *img_boxes;
	size_t img_n, img_cap;
	uint64_t img_serial;
	int img_h, img_w;
	unsigned img_gen;
	int img_frames;        /* frames actually rendered + blitted (stats) */
	render_image *crop;    /* the cropped image shown (UI_CROP), its source and rect */
	uint64_t crop_src;
	uint32_t crop_rect[4];
	ui_hit *hits;
	size_t n_hits, cap_hits;
} ui_term;

/* Headless state (what the unit tests drive through ui_action / ui_key)
 * and, in `term`, the terminal state. */
struct ui {
	session *s;
	ui_layout lay;
	int focus;
	int overlay;
	int screen;            /* UI_SCREEN_* */
	int pol_idx;           /* the `o` cycle: index into session.pols, 0 (COMPARE_POL_OFF) = off */
	int playing;
	listcur rec;           /* records pane: selected record, first display row */
	int rec_follow;        /* selection follows the replay cursor */
	char note[320];        /* transient status message (sanitized) */
	unsigned note_serial;  /* session message serial already shown */
	unsigned note_gen;     /* bumped by every new note (app.c times its expiry) */
	int quit;
	void *priv[UI_V_COUNT]; /* each view's private state (ui_private, view.h) */
	ui_term term;          /* terminal state */
};

void ui_init(ui *u, session *s, int headless);
void ui_free(ui *u);

/* The filter prompt's text being typed (overlay_filter.c); len nullable. */
const char *ui_filter_prompt(const ui *u, size_t *len);

/* Speed in steps per second. */
int  ui_speed(const ui *u);

/* Applies an action; returns the redraw mask. */
unsigned ui_action(ui *u, keys_action a);
/* A key press (filter prompt aware).  ch is a character (wide) or a curses
 * key code (is_key). */
unsigned ui_key(ui *u, int is_key, unsigned ch);
/* A click at screen (y, x). */
unsigned ui_click(ui *u, int y, int x);
/* The mouse wheel at screen (y, x), down or up: the pane under the
 * pointer moves (samples, records, timeline; the image pans when cropped)
 * whatever has the focus; overlays and the other screens take it as
 * Down/Up. */
unsigned ui_wheel(ui *u, int y, int x, int down);
/* One replay tick while playing; returns the redraw mask (stops at the end). */
unsigned ui_tick(ui *u, long steps);
/* Shows the selected sample of the current run (after list changes). */
unsigned ui_show_selected(ui *u);
/* After idle work analysed more samples: refreshes the diff if shown and
 * returns what to redraw. */
unsigned ui_idle_progress(ui *u);
/* The runs a diff compares now: the two marked runs (in run order), else
 * the marked one and the selected one, else the first run and the selected
 * one, else the first two.  Returns 0 with fewer than two runs. */
int ui_diff_pair(const ui *u, size_t *a, size_t *b);
/* Samples analysed over all runs, and all samples. */
size_t ui_done_samples(const ui *u, size_t *all);
/* Sets a transient status message (formatted, sanitized). */
void ui_note(ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The note's message line, when it does not fit in the status bar: the full
 * text wrapped over the rows above the bar (pane_status.c; drawn last). */
void ui_status_message_draw(ui *u);
/* Drops the note (next key, or its time is up); returns what to redraw. */
unsigned ui_note_clear(ui *u);
/* The run's worst sample (highest max repeat > 1, then most duplicates, of
 * the samples analysed so far), or (size_t)-1 (screen_main.c, key w). */
size_t ui_worst_sample(const session_run *r);
#define UI_NOTE_MS 5000 /* a note stays this long, or until the next key
                         * (TAILSCOPE_NOTE_SECONDS changes it; 0: the key only) */

/* Curses side (ui_draw.c). */
void ui_resize(ui *u);              /* recompute layout from LINES/COLS, recreate windows */
void ui_draw(ui *u, unsigned mask); /* draws the masked panes + doupdate */
void ui_colors_init(ui *u);         /* UI palette, pair cache, render mode */

/* Builds the boxes the image pane shows now (records up to the cursor,
 * ground truth when on); returns the count (array owned by u). */
size_t ui_boxes(ui *u, const render_box **out);
/* The view's image, else a blank canvas (*blank = 1) sized for its boxes;
 * NULL without a sample. */
const render_image *ui_image_source(ui *u, int *blank);
/* The crop of the image on screen, in image pixels of an image w x h:
 * [*x0, *x0 + *cw) x [*y0, *y0 + *ch); the whole image at level 0. */
void ui_crop_rect(const ui *u, uint32_t w, uint32_t h, double *x0, double *y0, double *cw,
                  double *ch);
/* What the status bar says about reaching the image: "z image" in the
 * reduced layout, the zoom keys while zoomed; NULL otherwise. */
const char *ui_image_hint(const ui *u);
/* Writes the current view (image + boxes, full size) as PNG; path into out. */
/* The boxes `x` exports (overlay.h, whole: every record under the view's
 * policy, the copies it cut drawn as cut, tail flagged, scores); the same
 * list as `tailscope png` for the sample and policy. */
size_t ui_export_boxes(ui *u, const render_box **out);
/* frame = 0: the whole list (x); 1: the current frame, ui_boxes (X). */
int ui_export_png(ui *u, int frame, char *out, size_t outsz);

#endif
