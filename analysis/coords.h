/* coords.h — from emitted numbers to boxes in image pixels.
 *
 * Conventions (--coords NAME):
 *   qwen3     bbox_2d [x1,y1,x2,y2] relative 0–1000:     x/1000*W
 *   qwen25    bbox_2d absolute pixels of the resized model input:
 *             x*W/W_in with (H_in, W_in) = smart_resize(H, W)
 *   gemini    box_2d [ymin,xmin,ymax,xmax] relative 0–1000: y/1000*H
 *   paligemma <loc> 1024 bins, y first:                  v/1024*H
 *   xyxy      bbox / bbox_2d plain pixels:               as is
 *   auto      by record key: bbox_2d -> qwen3, box_2d -> gemini,
 *             loc -> paligemma, bbox -> xyxy
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
} coords_kind;

typedef struct coords_opts {
	coords_kind kind;
	long factor;     /* smart_resize factor (default 28) */
	long min_pixels; /* default 56*56 = 3136 */
	long max_pixels; /* default 28*28*16384 = 12845056 */
} coords_opts;

void coords_opts_default(coords_opts *o);

/* Parses "qwen3", "qwen25", "gemini", "paligemma", "xyxy", "auto". */
ts_status   coords_parse(const char *name, coords_kind *out);
const char *coords_name(coords_kind k);

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

/* Box in image pixels, x1,y1,x2,y2 (continuous, unclipped, corners ordered so
 * x1 <= x2, y1 <= y2).  img_w/img_h are the original image size; every
 * convention but xyxy needs them > 0 (else TS_ERR_FIELD).  o NULL = defaults. */
ts_status coords_to_box(const record *r, const coords_opts *o, double img_w,
                        double img_h, double box[4]);

#endif
