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
 * any categories) at threshold t.  det_state[i] receives the state of det i
 * (may be NULL); det_gt[i] the index into anns of the matched box or -1
 * (may be NULL).  Adds TP/FP/FN to *acc. */
void metrics_match_image(const metrics_det *dets, size_t n_det,
                         const gt_ann *anns, size_t n_ann, double t,
                         match_state *det_state, long *det_gt,
                         metrics_counts *acc);

/* P = TP/(TP+FP), R = TP/(TP+FN), F1 = 2PR/(P+R); each 0 when undefined. */
metrics_prf metrics_prf_from(const metrics_counts *c);

#endif
