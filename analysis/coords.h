/* coords.h — from emitted numbers to boxes in image pixels.
 *
 * Conventions (--coords NAME):
 *   qwen3     bbox_2d [x1,y1,x2,y2] relative 0–1000:     x/1000*W
 *   qwen25    bbox_2d absolute pixels of the resized model input:
 *             x*W/W_in with (H_in, W_in) = smart_resize(H, W)
 *   gemini    box_2d [ymin,xmin,ymax,xmax] relative 0–1000: y/1000*H
 *   paligemma <loc> 1024 bins, y first:                  v/1024*H
 *   xyxy      bbox / bbox_2d plain pixels:               as is
 *   florence2 Florence-2 <loc_N>, 1000 bins, x first:     (v+0.5)/1000*W
 *   deepseek  DeepSeek-VL2 relative 0-999, x first:       x/999*W
 *   kosmos2   Kosmos-2 patch pair of a 32x32 grid: top-left patch p1,
 *             bottom-right p2, column p%32, row p/32; corners at the cells'
 *             edges when the two share a row or column, else at the cells'
 *             centres (as transformers' patch_index_to_coordinate)
 *   moondream relative 0-1, x first:                      x*W
 *   molmo     percent 0-100, x first:                     x/100*W
 *   auto      the record's syntax decides (rec_key_coords): bbox_2d,
 *             point_2d, Qwen2-VL and Qwen-VL/InternVL tags -> qwen3,
 *             box_2d -> gemini, loc -> paligemma, bbox -> xyxy, and each
 *             other family its own
 * A point (rec_key_point) converts its two numbers as a corner and becomes
 * the box x,y,x,y.
 */
#ifndef TS_COORDS_H
#define TS_COORDS_H

#include "records.h"
#include "status.h"

typedef enum {
	COORDS_AUTO = 0,
	COORDS_QWEN3,
	COORDS_QWEN25,
	COORDS_GEMINI,
	COORDS_PALIGEMMA,
	COORDS_XYXY,
	COORDS_FLORENCE2,
	COORDS_DEEPSEEK,
	COORDS_KOSMOS2,
	COORDS_MOONDREAM,
	COORDS_MOLMO,
	COORDS_COUNT  /* number of conventions (not one) */
} coords_kind;

typedef struct coords_opts {
	coords_kind kind;
	long factor;     /* smart_resize factor (default 28) */
	long min_pixels; /* default 56*56 = 3136 */
	long max_pixels; /* default 28*28*16384 = 12845056 */
} coords_opts;

void coords_opts_default(coords_opts *o);

/* Parses a convention's name (above). */
ts_status   coords_parse(const char *name, coords_kind *out);
const char *coords_name(coords_kind k);
const char *coords_describe(coords_kind k); /* "relative 0-1000, x first" */
const char *coords_names(void);             /* "qwen3 | qwen25 | ... | auto" for help texts */

/* The convention used for a record with key `key` under option kind (resolves
 * AUTO; REC_KEY_NONE resolves to XYXY).  An explicit kind applies to every
 * record whatever its key. */
coords_kind coords_resolve(coords_kind kind, rec_key key);

/* Qwen2.5-VL smart_resize (qwen_vl_utils), h/w the original image size:
 *   h_bar = max(factor, round(h / factor) * factor)   Python round: half to even
 *   if h_bar*w_bar > max_pixels: beta = sqrt(h*w / max_pixels),
 *        h_bar = max(factor, floor(h / beta / factor) * factor)
 *   elif h_bar*w_bar < min_pixels: beta = sqrt(min_pixels / (h*w)),
 *        h_bar = ceil(h * beta / factor) * factor        (w likewise)
 * e.g. 480x640 -> 476x644.  Returns TS_ERR_FIELD for non-positive sizes or
 * factor, max_pixels <= 0, min_pixels < 0, or a side above 2^26. */
ts_status coords_smart_resize(long h, long w, long factor, long min_pixels,
                              long max_pixels, long *h_out, long *w_out);

/* Box in image pixels, x1,y1,x2,y2 (continuous, unclipped), corners as the
 * model wrote them: a reversed box (x2 < x1 or y2 < y1) stays reversed, so
 * its width or height is negative and its IoU with anything is 0, as
 * COCOeval gives it after the usual x,y,w,h conversion.  img_w/img_h are the original image size; every
 * convention but xyxy needs them > 0 (else TS_ERR_FIELD).  o NULL = defaults. */
ts_status coords_to_box(const record *r, const coords_opts *o, double img_w,
                        double img_h, double box[4]);

/* Convention check, accumulated over a run's records:
 *   above     a value above the convention's range (qwen3/gemini 1000,
 *             paligemma 1023, florence2/deepseek 999, moondream 1, molmo 100):
 *             e.g. Qwen2.5 absolute pixels read as qwen3
 *   reversed  a box with x2 < x1 or y2 < y1 as emitted (in the convention's
 *             order): y-first read x-first, or x,y,w,h
 *   outside   a box wider or taller than the image, or beyond its edges by
 *             more than 1% of the side (needs the image size)
 *   le1       every value within [0, 1] (a 0-1 convention), counted under
 *             conventions whose range is larger
 * Points are checked for above/outside/le1.  Records per syntax and per
 * convention are counted for the report. */
typedef struct coords_check {
	size_t records, above, reversed, outside, le1, nonzero, sized;
	size_t le1_of;   /* records under a convention whose range is above 1 */
	size_t above_qwen3; /* of above: read as qwen3 (the Qwen2.5 pixel mix-up) */
	size_t by_key[REC_KEY_COUNT];
	size_t by_kind[16];
} coords_check;

void coords_check_init(coords_check *c);
void coords_check_add(coords_check *c, const record *r, const coords_opts *o, double img_w,
                      double img_h);
/* "bbox_2d (Qwen2.5/3-VL) 318 records, convention qwen3 (relative 0-1000,
 * x first)" (several syntaxes: joined by "; "), "no records" when empty. */
void coords_check_summary(const coords_check *c, char *buf, size_t n);
/* 1 and one line in buf when the numbers do not fit the convention, else 0.
 * The evidence only warns: the numbers are never converted otherwise.  Each
 * count states its share; a guessed cause ("try --coords X") is added only
 * when at least 10% of the records support it.  A run
 * read under several conventions (--coords auto on mixed syntaxes: each
 * record in its own syntax's convention) names them all ("conventions
 * qwen3, gemini") and counts values above each record's own range; "every
 * value <= 1" needs all the records under conventions wider than 0-1; the
 * outside-the-image hint is left out when values above the range explain it. */
int  coords_check_warning(const coords_check *c, char *buf, size_t n);

#endif
