/* render.h — pixels + boxes -> a grid of terminal cells, and PNG files.
 * No curses here: the TUI turns cells into ncurses output (tui/).
 *
 * Pipeline for one frame (render_frame):
 *   image (RGBA8, original size) --copy--> boxes drawn into the pixels with
 *   strokes sized for the cell grid --chafa (symbols, no wide glyphs)--> cells
 *   read back into a render_grid --> box labels / repeat counts written into
 *   the grid as text cells (sanitized) --> cached (LRU) by image serial, size,
 *   colour mode and overlay hash.
 *
 * Owned by the render module.  Extend it, don't break it without telling the
 * TUI side.
 */
#ifndef TS_RENDER_H
#define TS_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* ---- images ---- */

typedef struct render_limits {
	uint32_t max_dim;        /* max width or height (default 8192; never above 16384) */
	uint64_t max_pixels;     /* default 40 Mpixel */
	uint64_t max_file_bytes; /* default 64 MiB (never above INT_MAX) */
} render_limits;

/* Fills the defaults.  A zero field in a caller's limits also means "default". */
void render_limits_default(render_limits *lim);

typedef struct render_image {
	uint32_t w, h;
	uint8_t *rgba;   /* w*h*4, straight alpha, row-major, no padding */
	uint64_t serial; /* identity for the render cache: unique per image made by
	                    the functions below; 0 = never cached.  Call
	                    render_image_touch() after changing pixels in place. */
} render_image;

/* Reads the file (read-only, regular files only, size cap), checks the magic
 * bytes (PNG or JPEG only), walks the container (PNG chunks with CRCs of the
 * critical chunks and IEND; JPEG markers through to EOI) so truncated files
 * are refused, checks the header's dimensions against the caps, asks
 * stbi_info, then decodes to RGBA8.  Every error message names the file:
 *   TS_ERR_IO      cannot open/read, not a regular file
 *   TS_ERR_FORMAT  not PNG/JPEG (GIF, BMP, WebP, ... are named)
 *   TS_ERR_IMAGE   corrupt or truncated (with stb's reason when it failed)
 *   TS_ERR_LIMIT   file size, dimension or pixel cap exceeded (names the cap)
 * lim may be NULL (defaults). */
ts_status render_image_load(const char *path, const render_limits *lim,
                            render_image **out, ts_error *err);
/* The same from memory; name is used in messages. */
ts_status render_image_load_mem(const uint8_t *buf, size_t len, const char *name,
                                const render_limits *lim, render_image **out,
                                ts_error *err);
render_image *render_image_new(uint32_t w, uint32_t h); /* zeroed (transparent black); NULL on 0 size/overflow/OOM */
render_image *render_image_copy(const render_image *src); /* new serial */
void render_image_touch(render_image *img);               /* new serial */
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

/* How each style looks (colours are chosen to stay apart in 16 and 8 colours,
 * line patterns to stay apart in monochrome):
 *   GT    green   #00FF00  dashed, 1 line width, drawn just OUTSIDE the box
 *   MISS  yellow  #FFFF00  dashed, 1 width, outside
 *   TP    cyan    #00FFFF  solid, 1 width, inside the box edge
 *   PRED  blue    #5F87FF  solid, 1 width, inside (no ground truth: not a TP)
 *   FP    red     #FF0000  solid, 1 width, inside
 *   DUP   magenta #FF00FF  solid, 2 widths, inside
 *   CUT   grey    #808080  dotted, 1 width, inside (drawn over the others, so
 *         a kept box whose copies were cut shows grey dots on its edge)
 *   selected (any style): its own stroke plus a white #FFFFFF double line
 *         outside (line, gap, line; each 1 width, after a 1-width gap)
 *   count >= 2 (any style): the stroke is repeated, 1 width, offset by
 *         2 widths down-right per extra copy (up to 2 extra), so a stack of
 *         repeats never looks like one box; the count is written as "xN"
 *         (ASCII x) next to the label in the grid (and, for PNGs, in pixels).
 * Draw order: GT, MISS, PRED/TP, FP, DUP, CUT, then selected boxes last.
 *
 * Pixel labels (pixel_counts, images of at least 160x160 pixels): after the
 * strokes, each box except a matched GT box gets a plate filled with its
 * style colour holding, in black, the 5x7 font at scale s = max(2,
 * round(min(w,h)/400)): "label score xN tail" (missed GT: "missed: label";
 * CUT: "cut: label xN"; the score with 2 decimals when has_score, xN when
 * count >= 2, "tail" when tail; the label ASCII, at most 24 characters).
 * The plate is 10s high, 6s per character + 2s wide, at the box's left
 * edge (moved left to stay in the image), at the first of these rows where
 * it lies in the image and overlaps no earlier plate: just above the top
 * edge, just below the bottom edge, inside the top edge, 1 and 2 plate
 * heights further up / down; else the first of them in the image (plates
 * are placed in draw order, so a later one may cover an earlier one). */

typedef struct render_box {
	double x1, y1, x2, y2; /* image pixels (continuous: [0,W] covers the image) */
	box_style style;
	int selected;          /* record under the cursor */
	uint32_t count;        /* repeat count (>= 2 shows the stack and "xN"); 0/1 = once */
	const char *label;     /* untrusted; sanitized when placed (may be NULL) */
	double score;          /* confidence shown after the label when has_score */
	int has_score;
	int tail;              /* the value occurs in the repeated tail ("tail" in
	                        * pixel labels) */
} render_box;

/* Pixel geometry of strokes.  x = horizontal extent (vertical edges' width,
 * dash length along horizontal edges), y = vertical extent. */
typedef struct render_stroke {
	int lw_x, lw_y;     /* one line width */
	int dash_x, dash_y; /* dash length (dashes and gaps alternate) */
	int dot_x, dot_y;   /* dot length (dots and gaps alternate) */
	int pixel_counts;   /* also draw "xN" repeat counts into the pixels (PNG output) */
} render_stroke;

/* For an image shown at its own size (PNG output): u = max(1, round(min(w,h)/320)),
 * lw = u, dash = 6u, dot = max(2,u), pixel_counts = 1. */
void render_stroke_for_size(uint32_t w, uint32_t h, render_stroke *st);
/* For an image of w x h pixels shown in cols x rows cells: a cell is
 * cw = w/cols by ch = h/rows pixels; lw = max(1, round(3cw/8)) (3 of chafa's
 * 8 sub-pixels), dash = max(1, round(cw)) (one cell on, one off),
 * dot = max(1, round(cw/4)) (reads as a dim line), pixel_counts = 0. */
void render_stroke_for_cells(uint32_t w, uint32_t h, int cols, int rows, render_stroke *st);

/* Box edges in pixels: with X = x*scale_x (same for y),
 *   left column  L = floor(X1), right column R = ceil(X2) - 1 (R = L if less),
 *   top row      T = floor(Y1), bottom row   B = ceil(Y2) - 1.
 * Inside strokes cover columns [L, L+lw_x) and (R-lw_x, R] over rows [T, B],
 * rows [T, T+lw_y) and (B-lw_y, B] over columns [L, R]; outside strokes cover
 * [L-lw_x, L) and (R, R+lw_x] over rows [T-lw_y, B+lw_y], etc.  Patterns use
 * absolute coordinates: a pixel of a horizontal edge at column x is on when
 * (x / len) is even (len = dash_x or dot_x); vertical edges use y.
 * Everything is clipped at the image edges; NaN/inf boxes are skipped. */
void render_draw_boxes_ex(render_image *img, const render_box *boxes, size_t n,
                          double scale_x, double scale_y, const render_stroke *st);
/* render_draw_boxes_ex with render_stroke_for_size(img->w, img->h). */
void render_draw_boxes(render_image *img, const render_box *boxes, size_t n,
                       double scale_x, double scale_y);

/* The colour of a style: 0xRRGGBB, and its palette index in 16-, 8- and
 * 240-colour (xterm 256) palettes. */
typedef struct render_style_color {
	uint32_t rgb;
	int idx16, idx8, idx256;
} render_style_color;
render_style_color render_style_color_of(box_style s);
const char *render_style_name(box_style s); /* "gt", "miss", "tp", ... */
/* How a style looks and what it means, in words, for legends: "green
 * dashed, outside" (its colour's name in 16 colours, its pattern, where the
 * stroke lies) and "ground truth" (the PNG legend's text). */
void render_style_look(box_style s, char *out, size_t outsz);
const char *render_style_meaning(box_style s);

/* ---- cells ---- */

typedef enum {
	RENDER_COLORS_NONE = 0, /* monochrome (NO_COLOR, or < 8 colours) */
	RENDER_COLORS_8,
	RENDER_COLORS_16,
	RENDER_COLORS_240,
	RENDER_COLORS_TRUECOLOR,
} render_color_mode;

/* From the number of colours the terminal reports (ncurses COLORS):
 * >= 2^24 truecolor, >= 256 240 colours, >= 16 16, >= 8 8, else none. */
render_color_mode render_color_mode_for(long n_colors);
const char *render_color_mode_name(render_color_mode m); /* "none", "8", "16", "240", "truecolor" */

#define RENDER_ATTR_TEXT    1u /* label/count text, not image */
#define RENDER_ATTR_BOLD    2u
#define RENDER_ATTR_REVERSE 4u /* (monochrome) selected label */

typedef struct render_cell {
	uint32_t ch;     /* Unicode code point, never wide, never 0 or a control */
	int32_t fg;      /* 0xRRGGBB, or -1 default */
	int32_t bg;      /* 0xRRGGBB, or -1 default */
	int16_t fg_idx;  /* palette index in 8/16/240 modes (0-7, 0-15, 16-255), else -1 */
	int16_t bg_idx;  /* idem; -1 also when fg/bg is -1 */
	uint8_t attr;    /* RENDER_ATTR_* */
} render_cell;

typedef struct render_grid {
	int cols, rows;
	render_cell *cells; /* rows*cols, row-major */
} render_grid;

void render_grid_free(render_grid *g);
render_grid *render_grid_copy(const render_grid *g);

typedef struct render_opts {
	int max_cols, max_rows;   /* area available */
	render_color_mode mode;
	double font_ratio;        /* cell width / height, default 0.5 (<= 0 -> 0.5) */
	double work_factor;       /* chafa work factor 0..1, default 0.3 (clamped) */
	int ascii;                /* ASCII only (no UTF-8 locale): chafa's ASCII symbols,
	                             labels' non-ASCII characters as '?'; default 0 */
	int labels;               /* RENDER_LABELS_*: which boxes get their label */
	int gray;                 /* the image in grayscale, the boxes and labels in their
	                             colours: for 8-colour terminals, where the image's own
	                             colours dither into noise.  The image's pixels become
	                             their luma (0.299 R + 0.587 G + 0.114 B) before the
	                             boxes are drawn; in the palette modes a cell colour
	                             whose channels differ by less than 48 maps to the
	                             palette's greys only (channels within 16: black and
	                             white in 8 colours), others to the whole palette.
	                             In 8 colours a cell drawn in greys only becomes a
	                             shade " ░▒▓█" (ASCII " .:+#") of white on black for
	                             its pixels' mean luma, the rounding error diffused
	                             to the next cells.  Default 0. */
} render_opts;

enum {
	RENDER_LABELS_ALL = 0,  /* every box with a label or a count (default) */
	RENDER_LABELS_KEY,      /* the selected box and duplicates (count >= 2) only */
	RENDER_LABELS_NONE,     /* no text over the image */
};

/* max 80x24, truecolor, font ratio 0.5, work factor 0.3, not ASCII, all labels. */
void render_opts_default(render_opts *o);

/* Grid size for an image of w x h pixels in the area of o, keeping the aspect
 * ratio with the font ratio (chafa_calc_canvas_geometry, zoomed to fit). */
void render_grid_size(uint32_t w, uint32_t h, const render_opts *o, int *cols, int *rows);

/* Renders img into at most max_cols x max_rows cells keeping the aspect ratio
 * (the grid may be smaller).  The caller owns *out. */
ts_status render_grid_from_image(const render_image *img, const render_opts *o,
                                 render_grid **out, ts_error *err);

/* ---- frames through a cache ---- */

/* Holds chafa's symbol map and canvas config (reused across frames), a
 * scratch pixel buffer and an LRU of rendered grids keyed by (img->serial,
 * image size, area, mode, ASCII, font ratio, work factor, hash of the boxes). */
typedef struct render_cache render_cache;

render_cache *render_cache_new(size_t max_entries); /* 0 -> 8 entries */
void render_cache_free(render_cache *c);
void render_cache_clear(render_cache *c);
void render_cache_stats(const render_cache *c, size_t *hits, size_t *misses);

/* One frame: img (original pixels, untouched) with boxes in image pixels,
 * drawn with render_stroke_for_cells, rendered to cells, labels placed.  Each
 * box with a label or count >= 2 (o->labels says which) gets "label xN"
 * (sanitized, narrow characters only, at most 24 columns) on the row above
 * its top edge, else below its bottom edge, else the same right-aligned,
 * else two rows out (the selected box: else inside its top row): the first
 * of those where the cells hold no other label and no box edge, else the
 * first with no other label (selected boxes first, then DUP, then
 * TP/FP/PRED, then MISS and CUT, then GT, each group in array order; a label
 * that fits nowhere is left out).  A matched GT box is not labelled when a
 * TP/DUP/PRED box with the same label overlaps it at IoU >= 0.3 (the hit
 * is named once).  Text is the style
 * colour on black (selected: black on white; monochrome: reverse video).
 * *out is a copy the caller frees; a hit costs a hash of the boxes plus the
 * copy.  boxes may be NULL when n == 0. */
ts_status render_frame(render_cache *c, const render_image *img,
                       const render_box *boxes, size_t n, const render_opts *o,
                       render_grid **out, ts_error *err);

/* ---- pixel protocols (for an opt-in full-screen view outside curses) ---- */

typedef enum {
	RENDER_PIXELS_SIXEL = 0,
	RENDER_PIXELS_KITTY,
	RENDER_PIXELS_ITERM2,
} render_pixel_proto;

/* Encodes img with the boxes (drawn for the output size, counts in pixels)
 * as one terminal graphics sequence (chafa's sixel / kitty / iTerm2 encoder,
 * fallback sequences) filling at most cols x rows cells of cell_w x cell_h
 * pixels, aspect kept.  cols, rows <= 1000, cell sizes 1..256, output at
 * most 4096x4096 pixels and at least 6 pixels high (TS_ERR_USAGE otherwise).  *out is NUL-terminated, malloc'd (caller frees).
 * The caller writes it with curses suspended (def_prog_mode/endwin) and
 * restores the screen afterwards; pixel output is not tracked by curses.
 * *out_cols / *out_rows (may be NULL) receive the cells it covers. */
ts_status render_pixels_encode(const render_image *img, const render_box *boxes, size_t n,
                               render_pixel_proto proto, int cols, int rows, int cell_w,
                               int cell_h, char **out, size_t *len, int *out_cols,
                               int *out_rows, ts_error *err);

/* For images placed over a cell rectangle while curses runs (the gallery's
 * thumbnails): render_pixels_encode, and for kitty the first chunk's keys
 * get "i=ID,q=2,C=1," (its image id, so it can be deleted; no reply from
 * the terminal, which would arrive as keys; the cursor stays put).  id 0:
 * exactly render_pixels_encode. */
ts_status render_pixels_encode_id(const render_image *img, const render_box *boxes, size_t n,
                                  render_pixel_proto proto, int cols, int rows, int cell_w,
                                  int cell_h, uint32_t id, char **out, size_t *len,
                                  int *out_cols, int *out_rows, ts_error *err);
/* Kitty's delete of image id (and its data): ESC _ G a=d,d=I,i=ID,q=2 ESC \
 * into buf; returns its length (snprintf's rule). */
size_t render_pixels_kitty_delete(uint32_t id, char *buf, size_t bufsz);

/* ---- PNG output ---- */

/* Writes img as PNG atomically: temp file in the same directory, fsync,
 * rename over path, fsync of the directory.  No file is left behind on error.
 * A path that is the same file as an input of the process (fsafe.h:
 * symlinks resolved, same device and inode) is refused (TS_ERR_USAGE). */
ts_status render_png_write(const render_image *img, const char *path, ts_error *err);

/* For slides: img with a strip below it: the caption (ASCII; other
 * characters '?'; wrapped at spaces, up to 8 lines) and, with legend, one
 * sample box of each style (drawn by render_draw_boxes_ex, so it looks as
 * in the image) with what it means ("ground truth", "missed (FN)", "TP",
 * "FP", "prediction", "duplicate xN", "cut by policy").  Text is the 5x7
 * font at scale max(2, w/480): a line is >= 18 pixels high, readable at
 * 100%.  *out is new (caller frees); a copy when there is nothing to add. */
ts_status render_caption_add(const render_image *img, const char *caption, int legend,
                             render_image **out, ts_error *err);

/* Encodes img as PNG into a malloc'd buffer (caller frees). */
ts_status render_png_encode(const render_image *img, uint8_t **buf, size_t *len,
                            ts_error *err);

/* ---- several runs on one image ---- */

/* The box style run k (0-based) is drawn in when several runs' predictions
 * share one image (ground truth keeps BOX_GT): run 1 PRED (blue), 2 FP
 * (red), 3 TP (cyan), 4 DUP (magenta, thick), 5 MISS (yellow, dashed
 * outside), 6 CUT (grey, dotted).  The one owner of run -> style for the
 * debugger and png.  k >= RENDER_RUN_STYLES: BOX_STYLE_COUNT (no style). */
#define RENDER_RUN_STYLES 6
box_style render_run_style(size_t k);

/* One run's boxes (render/overlay.h's list) and its scale to image pixels. */
typedef struct render_run_boxes {
	const render_box *boxes;
	size_t n;
	double sx, sy;
} render_run_boxes;

/* The boxes of several runs on one image, in image pixels (scaled here), for
 * render_draw_boxes / render_frame with scale 1: run k's predictions (every
 * style but GT and MISS) restyled render_run_style(k) when bit k of shown is
 * set; the ground truth once, from runs[0] (GT and MISS both as BOX_GT:
 * "missed" belongs to one run), when with_gt.  n <= RENDER_RUN_STYLES.
 * *out is malloc'd (caller frees; NULL when *n_out is 0).  The one builder
 * for png's several runs and the debugger. */
ts_status render_runs_boxes(const render_run_boxes *runs, size_t n, unsigned shown, int with_gt,
                            render_box **out, size_t *n_out, ts_error *err);

/* img with a legend strip below it: with_gt: one ground-truth sample box
 * "ground truth", then for each run k a sample box in render_run_style(k)
 * and names[k] (ASCII; other characters '?'; at most 40 shown, cut ones
 * end in "~").  Same font and box sizes as render_caption_add's legend.
 * A name wider than the image is cut to fit, its last character "~".
 * n <= RENDER_RUN_STYLES (TS_ERR_USAGE otherwise).  *out new (caller frees). */
ts_status render_runs_legend_add(const render_image *img, const char *const *names, size_t n,
                                 int with_gt, render_image **out, ts_error *err);

/* A copy of src no larger than max_side pixels on its longer side (aspect
 * kept, each pixel the mean of the source pixels it covers): thumbnails
 * (the debugger's gallery keeps these, not the decoded images).  A plain
 * copy when src fits (or max_side is 0); NULL on OOM or no image. */
render_image *render_image_shrink(const render_image *src, uint32_t max_side);

#endif
