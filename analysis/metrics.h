/* metrics.h — class-aware detection matching with COCOeval evaluateImg semantics.
 *
 * Per image and category, detections are visited in output order; each takes
 * the unmatched non-crowd ground-truth box of its category with the highest
 * IoU if that IoU >= t (equal matches; among equal IoUs the later box wins);
 * failing that, a crowd box of its category with IoU >= t (IoU denominator =
 * detection area) absorbs it: neither TP nor FP.  Crowd boxes are never FN.
 * Continuous pixels, no +1.  A detection whose label names no category is FP.
 * Unlike COCOeval's summary there is no maxDets cap (a repeated tail counts in
 * full) and no area-range ignore.  Non-finite boxes have IoU 0.
 *
 * Points (det.point = 1, box = x,y,x,y): the similarity of a point and a box
 * is 1 when the point lies in the box (x <= px <= x+w, y <= py <= y+h,
 * edges included) and 0 otherwise, and matching is the same evaluateImg
 * loop with it: visited in output order, a point takes an unmatched
 * non-crowd box of its category that contains it (among several, the later
 * box in file order wins, as on IoU ties), else a crowd box of its category
 * that contains it absorbs it; one point per box; any threshold t in (0, 1]
 * gives the same result.
 */
#ifndef TS_METRICS_H
#define TS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "gt.h"

typedef enum {
	MATCH_FP = 0,
	MATCH_TP,
	MATCH_IGNORED, /* absorbed by a crowd box */
} match_state;

typedef struct metrics_det {
	double box[4]; /* x1, y1, x2, y2 in image pixels */
	int cat;       /* gt category index, -1 = unknown label */
	int point;     /* 1: a point at box[0], box[1] (see above) */
} metrics_det;

typedef struct metrics_counts {
	size_t tp, fp, fn;
} metrics_counts;

typedef struct metrics_prf {
	double precision, recall, f1;
} metrics_prf;

/* IoU of two x,y,w,h boxes; crowd = 1 uses the first box's area as denominator. */
double metrics_iou_xywh(const double a[4], const double b[4], int crowd);

/* Matches one image's detections against its annotations (anns[0..n_ann),
 * any categories) at threshold t (through an index when the image has many
 * boxes, see below; falls back to the plain loop when out of memory).  det_state[i] receives the state of det i
 * (may be NULL); det_gt[i] the index into anns of the matched box or -1
 * (may be NULL).  Adds TP/FP/FN to *acc. */
void metrics_match_image(const metrics_det *dets, size_t n_det,
                         const gt_ann *anns, size_t n_ann, double t,
                         match_state *det_state, long *det_gt,
                         metrics_counts *acc);

/* The same matching through an index of one image's boxes (near-linear in
 * boxes): boxes are grouped by category, crowd flag and size class (powers of
 * two of width and height) and bucketed in a grid of the class's size; a
 * detection visits only the classes whose sizes can reach IoU >= t (width
 * and height within a factor t of its own) and the nearby cells, and
 * identical boxes are one entry (the latest unmatched one is taken).  Results
 * are identical to the O(D*G) loop (tests/unit/test_metrics.c compares them);
 * the worst case left is many distinct boxes that all overlap one detection
 * strongly.  The index does not depend on t: build it once per image and
 * match it at every threshold.  anns must outlive the index. */
typedef struct metrics_index metrics_index;
/* NULL when out of memory. */
metrics_index *metrics_index_new(const gt_ann *anns, size_t n_ann);
void metrics_index_free(metrics_index *ix);
/* metrics_match_image through ix (every box of ix, any categories).
 * Returns 0, or -1 when out of memory (nothing written). */
int metrics_match_indexed(const metrics_index *ix, const metrics_det *dets, size_t n_det,
                          double t, match_state *det_state, long *det_gt,
                          metrics_counts *acc);
/* How many matchings ran out of memory since the program started (their
 * detections were counted FP and their boxes FN: the numbers are wrong and
 * a front end must say "out of memory").  An image whose index cannot be
 * built falls back to the plain loop only below 1e8 box pairs. */
size_t metrics_oom_events(void);

/* The reference O(D*G) loop (tests and benchmarks compare against it). */
void metrics_match_image_brute(const metrics_det *dets, size_t n_det,
                               const gt_ann *anns, size_t n_ann, double t,
                               match_state *det_state, long *det_gt,
                               metrics_counts *acc);

/* One image matched at several thresholds (and its errors classified,
 * tide_classify): the IoU of every (detection, box) pair computed once.
 * metrics_table_fits: 1 when the image is one metrics_match_image matches
 * with the plain loop and the table has at most METRICS_TABLE_MAX pairs.
 * metrics_iou_table: iou[d * n_ann + g] = what the plain loop takes for the
 * pair (metrics_iou_xywh, over the detection's area for a crowd box; 1 or
 * 0 for a point in the box), bit for bit.  metrics_match_image_table:
 * metrics_match_image reading the table (iou NULL, or an image that does not
 * fit: metrics_match_image itself). */
#define METRICS_TABLE_MAX 65536
int  metrics_table_fits(size_t n_det, size_t n_ann);
void metrics_iou_table(const metrics_det *dets, size_t n_det, const gt_ann *anns, size_t n_ann,
                       double *iou);
void metrics_match_image_table(const metrics_det *dets, size_t n_det, const gt_ann *anns, size_t n_ann,
                               const double *iou, double t, match_state *det_state, long *det_gt,
                               metrics_counts *acc);

/* P = TP/(TP+FP), R = TP/(TP+FN), F1 = 2PR/(P+R); each 0 when undefined. */
metrics_prf metrics_prf_from(const metrics_counts *c);

#endif
