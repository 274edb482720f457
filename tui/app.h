/* app.h — the debugger's steps, shared by its loop (app.c) and the headless
 * screen tests (tests/unit/test_tui_screens.c), so both take the same path.
 *
 * The terminal is the caller's: app_ui_open expects curses started (a real
 * terminal by term_start, or a newterm() on a file for tests). */
#ifndef TS_APP_H
#define TS_APP_H

#include "session.h"
#include "ui.h"

/* ui_init and the first screen: colours, layout, the selected sample. */
void app_ui_open(ui *u, session *s);
/* One key as the loop handles it (ends the note, ui_key, overlay refresh,
 * relayout); returns the redraw mask still to draw. */
unsigned app_key(ui *u, int is_key, unsigned ch);
/* Headless only: finishes the background work the loop does in idle time
 * (every badge, the image decode) and, once, the worst-sample note
 * (*worst_told); returns the redraw mask. */
unsigned app_settle(ui *u, session *s, int *worst_told);

#endif
