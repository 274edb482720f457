/* listcur.h — a cursor over a scrolling list (samples, records): selection,
 * first visible row, clamping.  Pure state, no curses. */
#ifndef TS_LISTCUR_H
#define TS_LISTCUR_H

#include <stddef.h>

typedef struct listcur {
	size_t sel; /* selected row (0 when the list is empty) */
	size_t top; /* first row shown */
} listcur;

/* Moves sel by delta rows, clamped to [0, n-1] (0 when n == 0). */
void listcur_move(listcur *c, long delta, size_t n);
/* Sets sel to row, clamped. */
void listcur_set(listcur *c, size_t row, size_t n);
/* Clamps sel to the list and adjusts top so that sel is inside a window of
 * `rows` rows (rows == 0 leaves top at sel). */
void listcur_scroll(listcur *c, size_t n, size_t rows);

#endif
