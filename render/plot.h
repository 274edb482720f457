/* plot.h — tailscope's small charts, from one description drawn two ways:
 *   - into an RGBA image (PNG output): white background, 16-colour-like
 *     palette darkened for white, text in a built-in 5x7 bitmap font of our
 *     own (ASCII only: every other character is drawn as "?");
 *   - into a grid of terminal cells: braille dots (2x4 per cell) for lines,
 *     block characters for bars, a marker and a text label per scatter point,
 *     one of 16 palette colours per cell (and series numbers at line ends,
 *     so that it stays readable without colour), returned as lines of text.
 * Every label is untrusted: it goes through sanitize() and is cut to fit.
 * No curses here.
 *
 * Kinds:
 *   PLOT_BARS     horizontal bars: n_groups rows (group_labels), each with
 *                 one bar per series (series[k].v[g]); length proportional
 *                 to the value (the longest bar fills the width; negative
 *                 and non-finite values are drawn as 0); text after each bar
 *                 (series[k].text[g], or the value).  Histograms (groups =
 *                 bins, series = runs) and per-run values (groups = runs).
 *                 In the terminal form several series' bars differ by fill
 *                 as well as colour: 8 fills (solid, 3 shades, upper and
 *                 lower half, 2 quadrant checks), repeating from the 9th.
 *   PLOT_SCATTER  one marker per point, labelled with the series name
 *                 (e.g. one series per checkpoint with one point).
 *   PLOT_LINES    one polyline per series (e.g. a PR curve per run), the
 *                 series' number written at its last point, a legend below.
 */
#ifndef TS_PLOT_H
#define TS_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "render.h"
#include "status.h"

typedef enum {
	PLOT_BARS = 0,
	PLOT_SCATTER,
	PLOT_LINES,
} plot_kind;

typedef struct plot_series {
	const char *name;         /* legend / point label (untrusted; may be NULL) */
	const double *x, *y;      /* SCATTER, LINES: n points (non-finite ones skipped) */
	size_t n;
	const double *v;          /* BARS: n_groups values */
	const char *const *text;  /* BARS: optional text after each bar (NULL or NULL entries: the value) */
} plot_series;

typedef struct plot_spec {
	plot_kind kind;
	const char *title, *xlabel, *ylabel; /* may be NULL; untrusted */
	const plot_series *series;
	size_t n_series;
	size_t n_groups;                     /* BARS */
	const char *const *group_labels;     /* BARS: n_groups labels */
	double x_min, x_max, y_min, y_max;   /* SCATTER/LINES axes; NAN: from the data */
} plot_spec;

/* Fills the defaults: everything zero/NULL, axis limits NAN. */
void plot_spec_init(plot_spec *s, plot_kind kind);

/* Series colours: palette index in 16 colours (never black/white/grey, blue
 * late since it is dark on black) and the RGB used in images. */
int      plot_series_color16(size_t i);
uint32_t plot_series_rgb(size_t i);

/* ---- terminal form ---- */

typedef struct plot_text {
	int cols, rows;
	uint32_t *ch;   /* rows*cols code points; 0 = right half of a wide character */
	int8_t *fg;     /* rows*cols: palette index 0-15, -1 = default colour */
} plot_text;

/* Lays the plot out in `cols` columns (at least 20).  height = rows of the
 * plot area for SCATTER/LINES (at least 4); BARS take one row per bar (plus
 * title, gaps, legend) whatever height is.  TS_ERR_USAGE for a bad spec. */
ts_status plot_text_render(const plot_spec *s, int cols, int height, plot_text **out,
                           ts_error *err);
void      plot_text_free(plot_text *t);
/* Row `row` as UTF-8 (malloc'd, trailing blanks removed); with sgr = 1 the
 * colours as 16-colour SGR escapes (30-37/90-97, reset at the end). */
char     *plot_text_line(const plot_text *t, int row, int sgr);
#define PLOT_LINE_SGR   1 /* 16-colour SGR escapes */
#define PLOT_LINE_ASCII 2 /* ASCII only, for terminals without UTF-8: full and
                           * half-or-more blocks "#", the fills of the 2nd..8th
                           * series' bars "=" "+" ":" "^" "_" "x" "%", braille ".", marker "o",
                           * lines "|" "-" "+", anything else "?" */
char     *plot_text_line_ex(const plot_text *t, int row, unsigned flags);

/* ---- image form ---- */

/* Draws the plot into a new w x h RGBA image (w, h in 200..8192). */
ts_status plot_image_render(const plot_spec *s, uint32_t w, uint32_t h, render_image **out,
                            ts_error *err);

/* The 5x7 font: rows[0..7) of glyph c, bit 4 = leftmost column.  Returns 1
 * for printable ASCII (0x20-0x7e), else fills "?" and returns 0. */
int plot_font_glyph(int c, uint8_t rows[7]);
/* Rows glyph c is drawn below the others: 2 for g, p, q, y (their tails go
 * under the baseline: text is 9 font rows tall), else 0. */
int plot_font_descender(int c);
/* Draws sanitized-to-ASCII text at (x, y) (top-left), each font pixel a
 * scale x scale square, advance 6*scale per character.  Returns the width
 * in pixels. */
int plot_draw_text(render_image *img, int x, int y, const char *text, int scale, uint32_t rgb);

#endif
