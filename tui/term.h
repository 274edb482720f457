/* term.h — the terminal's life cycle around curses.
 *
 *  - term_start: newterm on the controlling tty (stdin/stdout must be one),
 *    cbreak, noecho, keypad, mouse, colours (none when NO_COLOR is set);
 *    captures stderr into a temporary file so nothing is written across the
 *    screen while curses runs.
 *  - SIGINT/SIGTERM/SIGHUP only set term_signal; the main loop sees it and
 *    leaves through term_stop.  Crash signals (SEGV, BUS, FPE, ILL, ABRT)
 *    restore the tty with async-signal-safe calls (saved termios, prepared
 *    reset string) and re-raise.  An atexit handler calls term_stop as a
 *    last resort.
 *  - term_stop: endwin, delscreen, puts stderr back and prints what was
 *    captured (sanitized), then the session's messages. */
#ifndef TS_TERM_H
#define TS_TERM_H

#include <signal.h>
#include <stdio.h>

extern volatile sig_atomic_t term_signal; /* last SIGINT/SIGTERM/SIGHUP received, 0 none */

/* 0 ok; -1 with a message in err (not a terminal, unknown TERM...). */
int  term_start(char *err, size_t errsz);
/* Headless (tests): curses on the files with terminfo `type` and the size
 * of $LINES x $COLUMNS, set up as term_start does (modes, keys, colours by
 * NO_COLOR) without signals or stderr capture; 0 ok, -1 unknown type.
 * term_stop ends it. */
int  term_start_file(const char *type, FILE *out, FILE *in);
/* Idempotent.  Prints captured stderr after restoring the terminal. */
void term_stop(void);
int  term_active(void);
/* 1 when curses draws on the terminal (term_start), 0 for term_start_file
 * (headless) or when stopped: what writes to the terminal beside curses asks. */
int  term_on_tty(void);
/* How the colour depth was chosen when it is not just TERM's: a terminal
 * that advertises truecolour (COLORTERM=truecolor|24bit, terminfo RGB/Tc)
 * runs on TERM's -direct sibling entry ("" otherwise; see term.c). */
const char *term_color_note(void);
/* 1 when colours are used (terminal has them and NO_COLOR is unset). */
int  term_colors(void);

#endif
