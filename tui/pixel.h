/* pixel.h — the opt-in full-screen pixel view (key P).
 *
 * Pixel protocols cannot go through curses cells, so the view suspends
 * curses (def_prog_mode + endwin), writes one graphics sequence made by
 * render_pixels_encode (image + boxes), waits for a key, and restores the
 * screen (reset_prog_mode + full repaint).
 *
 * Protocol: TAILSCOPE_PIXELS=sixel|kitty|iterm2|none forces it; else kitty
 * when KITTY_WINDOW_ID is set or TERM is xterm-kitty, iTerm2 when
 * TERM_PROGRAM is iTerm.app or WezTerm, else sixel when the terminal's
 * primary device attributes (ESC [ c) list attribute 4; else none. */
#ifndef TS_PIXEL_H
#define TS_PIXEL_H

#include "ui.h"

/* Detects once per process (the DA1 query runs while curses is active and
 * reads the answer through curses' input).  Returns 1 with *proto set, or 0
 * with a reason in why. */
int pixel_detect(int *proto, char *why, size_t whysz);

/* Shows the current view in pixels; returns the redraw mask. */
unsigned pixel_view(ui *u);

/* ---- images over curses cells (the gallery's thumbnails, T) ----
 *
 * While curses runs, images are written after curses has drawn the screen
 * (doupdate): for each, DECSC, the CUP to its top-left cell, the sequence,
 * DECRC (curses' idea of the cursor stays true).  Curses leaves the cells
 * under them blank, so it never writes over them.  The set on screen is
 * remembered: the same set again writes nothing; another set (a scroll)
 * first removes the old one — kitty: a delete per image id (a=d,d=I),
 * sixel/iTerm2: a full repaint by curses (clearok) — then writes the new.
 * Nothing is written when the terminal's size (TIOCGWINSZ) is no longer
 * curses' (a resize under way: the redraw that follows writes them). */

/* The protocol for images over cells: 1 with *proto, or 0 with the reason
 * (symbols are drawn then).  NO_COLOR: 0 (no colour asked for; pixels
 * would be in colour); output not a terminal (or curses not drawing on
 * it: headless): 0; inside tmux (TMUX set):
 * 0 unless TAILSCOPE_PIXELS forces a protocol (tmux passes no graphics
 * without passthrough); else pixel_detect. */
int pixel_cells_proto(int *proto, char *why, size_t whysz);
/* The terminal's cell size in pixels (TIOCGWINSZ; 10x20 when unknown). */
void pixel_cells_size(int *cell_w, int *cell_h);

typedef struct pixel_cell_img {
	int y, x;                /* top-left cell (0-based screen row, column) */
	size_t key;              /* what it shows (the same key at the same
	                          * place: already there) */
	uint32_t id;             /* kitty image id (render_pixels_encode_id) */
	const char *seq;         /* the graphics sequence */
	size_t len;
} pixel_cell_img;

/* Puts v[0..n) on screen (see above); call after doupdate.  Returns how
 * many sequences it wrote (0 when the set is unchanged). */
size_t pixel_cells_show(const pixel_cell_img *v, size_t n);
/* Removes every image pixel_cells_show put (kitty deletes; sixel/iTerm2:
 * clearok, so the next doupdate repaints); nothing when none are on
 * screen.  The debugger calls it whenever it draws without the gallery. */
void pixel_cells_clear(void);

#endif
