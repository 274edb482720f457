/* draw.h — what the panes, screens and overlays draw with (curses side):
 * the UI palette, safe text clipped to a column budget and to the window,
 * titles, separators, overlay frames and the mouse regions of a frame.
 *
 * Strings drawn are either our own text or went through sanitize():
 * draw_put() only clips already-safe UTF-8, draw_putu() sanitizes untrusted
 * bytes first. */
#ifndef TS_DRAW_H
#define TS_DRAW_H

#include "tcurses.h"
#include "view.h"

/* UI palette: fixed pairs below UI_PAIR_FIRST_IMAGE. */
enum {
	CP_TITLE = 1, CP_TITLE_FOCUS, CP_STATUS, CP_DUP, CP_TRUNC, CP_CLOSED, CP_MALFORMED,
	CP_TP, CP_FP, CP_GT, CP_MISS, CP_TAIL, CP_CUT, CP_DIM, CP_P_MID, CP_P_LOW, CP_P_VLOW,
	CP_BOUNDARY, CP_TERM, CP_STOP, CP_OVERLAY, CP_NOTE, CP_RS_ON, CP_PRED, CP_WORST,
	CP_BETTER,
	CP_COUNT
};
#define UI_PAIR_FIRST_IMAGE 32

/* the windows in ui.term.win */
enum { W_SAMPLES = 0, W_IMAGE, W_RECORDS, W_TIMELINE, W_STATUS, W_SCREEN };
#define WIN(u, i) ((WINDOW *)(u)->term.win[i])

/* Attribute for a palette pair; `mono` is used without colours. */
attr_t draw_ca(const ui *u, int cp, attr_t extra, attr_t mono);
/* Bytes of safe UTF-8 s that fit in maxw columns; *cols receives the width. */
size_t draw_fit(const char *s, int maxw, int *cols);
/* Wraps safe text s at `cols` columns, at spaces when it can: returns the
 * number of rows; starts (nullable) receives the byte offset of each row,
 * up to max of them (a row runs to the next row's start, the last to the
 * end; leading spaces of a row are skipped). */
int draw_wrap(const char *s, int cols, size_t *starts, int max);
/* Draws safe text at (y, x) within maxw columns (and the window); returns
 * the columns used.  Text that does not fit is never cut silently: its last
 * column shows "…" ("~" without UTF-8) when more than blanks were left out. */
int draw_put(WINDOW *w, int y, int x, int maxw, const char *s, attr_t a);
/* Untrusted bytes: sanitized, then drawn. */
int draw_putu(WINDOW *w, int y, int x, int maxw, const char *raw, size_t len, attr_t a);
void draw_fill_row(WINDOW *w, int y, int x, int n, attr_t a);
/* A pane's title row (focused: highlighted). */
void draw_title(const ui *u, WINDOW *w, int width, int focused, const char *text);
/* A vertical rule in column x (Unicode text, not the alternate charset). */
void draw_vsep(WINDOW *w, int x, int h);
/* A window of h x w centred on the screen (NULL when it does not fit), and
 * its frame with a title. */
WINDOW *draw_overlay_win(int h, int w);
void draw_overlay_frame(const ui *u, WINDOW *o, const char *ttl);

/* Starts a view's frame in its window: clears the window and the view's
 * mouse regions; returns the window. */
WINDOW *draw_begin(ui *u, const ui_view *v);
/* Mouse regions: forget those of a view, add one (screen coordinates). */
void draw_hits_clear(ui *u, const ui_view *v);
void draw_hit_add(ui *u, int y, int x0, int x1, const ui_view *v, long value);

/* The image with its boxes (image pixels) as cells in the h x wd
 * rectangle of w at (y, x), centred, labels RENDER_LABELS_*: the image
 * pane's drawing for the other views (pane_image.c); the rows drawn, -1
 * when it could not (the reason drawn instead). */
int ui_image_cells(ui *u, WINDOW *w, int y, int x, int h, int wd, const render_image *img,
                   const render_box *boxes, size_t nb, int labels);

/* A ready sample's badges "rec dup ×rep T F1" (18 columns) at (y, x), as
 * the samples list draws them (pane_samples.c; the gallery reuses them). */
void ui_sample_badges(const ui *u, WINDOW *w, int y, int x, const slist_item *it, int sel,
                      attr_t base);

/* y: copies the selected sample's `report --per-sample` line to the
 * clipboard (OSC 52) and shows it in the status message (yank.c). */
unsigned ui_yank(ui *u);

#endif
