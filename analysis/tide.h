/* tide.h — TIDE-style error breakdown (Bolya et al., "TIDE: A General
 * Toolbox for Identifying Object Detection Errors", ECCV 2020), adapted to
 * tailscope's matching.
 *
 * Detections are matched with metrics_match_image at the foreground IoU
 * (TIDE_FG = 0.5: greedy in output order, class-aware).  Every false
 * positive gets exactly one error type, checked in this order, where
 * "same class" / "other class" are the non-crowd ground-truth boxes of the
 * detection's category / of any other category, and IoU_max the largest IoU
 * with them (a point: 1 inside a box, 0 outside; a detection with an
 * unknown label has only "other class" boxes):
 *   duplicate       same-class IoU_max >= fg: the box it found was already
 *                   taken by an earlier record (a repeated tail lands here)
 *   classification  other-class IoU_max >= fg: right place, wrong label
 *   localization    same-class IoU_max >= bg (TIDE_BG = 0.1): right label,
 *                   box off
 *   both            other-class IoU_max >= bg: wrong label and box off
 *   background      everything else: no box near it
 * Each false negative (a non-crowd box of the counted categories left
 * unmatched) is "missed".  So cls + loc + both + dup + bkg = FP and
 * missed = FN, at IoU fg.  TIDE itself sorts detections by score and fixes
 * the errors to report a dAP per type; here the counts are reported (the
 * matching is the tool's own, so they add up to its FP and FN).
 *
 * Pure C: no printing, no state.
 */
#ifndef TS_TIDE_H
#define TS_TIDE_H

#include <stddef.h>

#include "gt.h"
#include "metrics.h"

#define TIDE_FG 0.5
#define TIDE_BG 0.1

#define TIDE_KIND_LIST(X)                       \
	X(TIDE_NONE,  "none")  /* TP or ignored */ \
	X(TIDE_CLS,   "classification")           \
	X(TIDE_LOC,   "localization")             \
	X(TIDE_BOTH,  "both")                     \
	X(TIDE_DUP,   "duplicate")                \
	X(TIDE_BKG,   "background")

typedef enum {
#define TIDE_KIND_ENUM(name, text) name,
	TIDE_KIND_LIST(TIDE_KIND_ENUM)
#undef TIDE_KIND_ENUM
	TIDE_KIND_COUNT
} tide_kind;

const char *tide_kind_name(tide_kind k);

typedef struct tide_counts {
	size_t err[TIDE_KIND_COUNT]; /* err[TIDE_NONE] unused (0) */
	size_t missed;               /* FN */
	size_t tp, fp;               /* at fg, for the sums */
} tide_counts;

/* Error type of each detection (kind[0..n)) given its match state at fg
 * (state[i]: from metrics_match_image at TIDE_FG with the same anns).
 * TP and ignored detections get TIDE_NONE.  iou: metrics_iou_table's for
 * these dets and anns, or NULL (computed pair by pair). */
void tide_classify(const metrics_det *dets, const match_state *state, size_t n,
                   const gt_ann *anns, size_t n_ann, double fg, double bg, const double *iou,
                   tide_kind *kind);

/* One image's records into acc: tide_add_record for each counted record
 * (its state at fg and kind), then tide_add_missed with the image's counted
 * non-crowd boxes and the TP among the records added for it. */
void tide_add_record(tide_counts *acc, match_state state, tide_kind kind);
void tide_add_missed(tide_counts *acc, size_t n_gt, size_t tp_image);
/* acc += b */
void tide_sum(tide_counts *acc, const tide_counts *b);

#endif
