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

#endif
