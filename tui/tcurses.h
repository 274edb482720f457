/* tcurses.h — include curses through this header.  ncurses declares a
 * debugging function named trace(), which collides with analysis' `trace`
 * type (trace.h); the macro renames that declaration away.  Works whether
 * trace.h is included before or after. */
#ifndef TS_TCURSES_H
#define TS_TCURSES_H

#define trace ts_ncurses_trace_unused
#include <curses.h>
#undef trace

#endif
