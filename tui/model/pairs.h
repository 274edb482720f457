/* pairs.h — colour pairs for image cells, from a cache.
 *
 * Pair numbers below `first` are the UI palette (fixed).  Image cells get
 * pairs first..limit-1, one per distinct (fg, bg), allocated in order and
 * never recycled while they may be visible: when the budget is full,
 * pairs_get returns -1, the caller calls pairs_reset and redraws every cell
 * that uses image pairs (the image pane), so no stale pair stays on screen.
 * The curses call that defines a pair is a callback, so the bookkeeping is
 * testable without a terminal. */
#ifndef TS_PAIRS_H
#define TS_PAIRS_H

#include <stddef.h>
#include <stdint.h>

typedef int (*pairs_init_fn)(void *ud, int pair, int fg, int bg); /* 0 ok */

typedef struct pairs pairs;

pairs *pairs_new(int first, int limit, pairs_init_fn init, void *ud);
void   pairs_free(pairs *p);
/* Pair for colour numbers fg/bg (-1 = terminal default); -1 when the budget
 * is full (or the init callback failed). */
int    pairs_get(pairs *p, int fg, int bg);
/* When the budget is full: the pair already defined that is closest to
 * (fg, bg) -- same background and foreground is exact, then the same
 * background, then the same foreground (lowest pair number on ties); -1
 * when none shares either colour. */
int    pairs_near(const pairs *p, int fg, int bg);
/* Forgets every image pair (numbers restart at first); bumps the generation. */
void   pairs_reset(pairs *p);
size_t pairs_used(const pairs *p);
size_t pairs_budget(const pairs *p);
unsigned pairs_generation(const pairs *p);

/* Colour number for a 0xRRGGBB value on a direct-colour terminal: values
 * below 8 would be read as palette indices, so they are raised to 8. */
int    pairs_direct_color(int32_t rgb);

#endif
