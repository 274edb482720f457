/* render.h — pixels + boxes -> a grid of terminal cells, and PNG files.
 * No curses here: the TUI turns cells into ncurses output (tui/).
 *
 * Owned by the render module; this first version is the contract the TUI
 * codes against.  Extend it, don't break it without telling the TUI side.
 */
#ifndef TS_RENDER_H
#define TS_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* ---- images ---- */

typedef struct render_limits {
	uint32_t max_dim;        /* max width or height (default 8192) */
	uint64_t max_pixels;     /* default 40 Mpixel */
	uint64_t max_file_bytes; /* default 64 MiB */
} render_limits;

void render_limits_default(render_limits *lim);

typedef struct render_image {
	uint32_t w, h;
	uint8_t *rgba; /* w*h*4, straight alpha */
} render_image;

/* PNG/JPEG only (magic bytes), stbi_info first, caps enforced.  Errors name
 * the file. */
ts_status render_image_load(const char *path, const render_limits *lim,
                            render_image **out, ts_error *err);
ts_status render_image_load_mem(const uint8_t *buf, size_t len, const char *name,
                                const render_limits *lim, render_image **out,
                                ts_error *err);
render_image *render_image_new(uint32_t w, uint32_t h); /* zeroed (transparent black) */
render_image *render_image_copy(const render_image *src);
void render_image_free(render_image *img);

/* ---- boxes ---- */

typedef enum {
	BOX_GT = 0,     /* ground truth (missed ones drawn as BOX_MISS) */
	BOX_MISS,       /* ground truth not matched */
	BOX_TP,         /* prediction matched */
	BOX_FP,         /* prediction not matched */
	BOX_PRED,       /* prediction, no ground truth loaded */
	BOX_DUP,        /* exact duplicate (count = its repeat count) */
	BOX_CUT,        /* dropped by the stop policy (dimmed) */
	BOX_STYLE_COUNT
} box_style;

typedef struct render_box {
	double x1, y1, x2, y2; /* image pixels */
	box_style style;
	int selected;          /* record under the cursor */
	uint32_t count;        /* repeat count shown for BOX_DUP (>= 2) */
	const char *label;     /* untrusted; sanitized when placed (may be NULL) */
} render_box;

/* Draws boxes into img's pixels (already scaled to img's size by the caller
 * via scale = img->w / original width).  Clipped at the edges. */
void render_draw_boxes(render_image *img, const render_box *boxes, size_t n,
                       double scale_x, double scale_y);

/* ---- cells ---- */

typedef enum {
	RENDER_COLORS_NONE = 0, /* monochrome */
	RENDER_COLORS_8,
	RENDER_COLORS_16,
	RENDER_COLORS_240,
	RENDER_COLORS_TRUECOLOR,
} render_color_mode;

/* From the number of colours the terminal reports (ncurses COLORS). */
render_color_mode render_color_mode_for(long n_colors);

typedef struct render_cell {
	uint32_t ch;   /* Unicode code point (never wide) */
	int32_t fg;    /* 0xRRGGBB, or -1 default */
	int32_t bg;    /* 0xRRGGBB, or -1 default */
} render_cell;

typedef struct render_grid {
	int cols, rows;
	render_cell *cells; /* rows*cols, row-major */
} render_grid;

void render_grid_free(render_grid *g);

typedef struct render_opts {
	int max_cols, max_rows;   /* area available */
	render_color_mode mode;
	double font_ratio;        /* cell width / height, default 0.5 */
	double work_factor;       /* chafa work factor, default 0.3 */
} render_opts;

/* Renders img into at most max_cols x max_rows cells keeping the aspect ratio
 * (the grid may be smaller).  The caller owns *out. */
ts_status render_grid_from_image(const render_image *img, const render_opts *o,
                                 render_grid **out, ts_error *err);

/* ---- PNG output ---- */

/* Writes img as PNG atomically (temp file in the same directory + rename). */
ts_status render_png_write(const render_image *img, const char *path, ts_error *err);

#endif
