/* overlay.h — the boxes drawn over a sample's image: the one builder used by
 * the debugger's image pane, its `x` export and `tailscope png`, so that a
 * box's style is decided in one place.
 *
 * Boxes (render.h styles), in this order:
 *   ground truth (show_gt, with ground truth): BOX_GT when a visible kept
 *     record matched it at the first IoU threshold or it is a crowd box
 *     (crowd boxes are never FN, metrics.h), else BOX_MISS;
 *   each distinct value among the visible kept records once, at its first
 *     occurrence (boxes that cannot be placed are left out): BOX_DUP with
 *     count = its occurrences when emitted twice or more, else BOX_PRED
 *     without ground truth, BOX_TP / BOX_FP by its match state, BOX_PRED when
 *     a crowd box absorbed it; under dedup (cut.drop_dups) the exact
 *     duplicates are dropped, so each value counts once and the states are
 *     the kept records matched again (sample_policy_matches);
 *   show_cut and a truncating cut that fired: each value that only occurs
 *     in records the cut drops, BOX_CUT with count = its occurrences.
 * selected marks the box of the selected record's value.
 *
 * The export (whole, render_overlay_req_export; `x` and `tailscope png`):
 * every record is considered, the policy's cut included: kept values as
 * above; for each value with copies the policy drops (a truncation: the
 * records from cut.kept on; dedup: the repeated copies), one BOX_CUT at the
 * value's box with count = copies dropped (so a repeat-stopped sample shows
 * its kept box with the cut copies over it, grey and dotted).  Each box's
 * tail flag is set when one of the records it stands for lies in the
 * repeated tail (sample_rec.in_tail), and its score is score[first
 * occurrence] when score is given and finite. */
#ifndef TS_OVERLAY_H
#define TS_OVERLAY_H

#include <stddef.h>

#include "policy.h"
#include "render.h"
#include "sample.h"
#include "status.h"

typedef struct render_overlay_req {
	const sample *s;
	const gt *g;                /* nullable */
	const gt_image *gimg;       /* the sample's ground-truth image, nullable */
	policy_cut cut;             /* the policy shown; policy off: {0, n, -1, 0} */
	const match_state *state;   /* per record at the first threshold under cut
	                             * (sample_policy_matches), or NULL: computed */
	const long *match_gt;       /* ... the matched annotation, NULL with state NULL */
	size_t visible;             /* records decoded so far (clamped to n, and to
	                             * cut.kept when a truncation fired) */
	int show_gt;
	int show_cut;
	long selected;              /* record index, -1 none */
	const double *score;        /* per record (NAN: none), nullable */
	int whole;                  /* the export (above) */
} render_overlay_req;

/* A request for the whole decoded list under cut: visible = n (kept when it
 * fired), ground truth and cut records shown, nothing selected. */
void render_overlay_req_full(render_overlay_req *rq, const sample *s, const gt *g,
                             const gt_image *gimg, policy_cut cut);

/* render_overlay_req_full with whole = 1: the export's request. */
void render_overlay_req_export(render_overlay_req *rq, const sample *s, const gt *g,
                               const gt_image *gimg, policy_cut cut, const double *score);

typedef struct render_overlay_stats {
	size_t pred, cut, gt;       /* boxes of each kind written */
} render_overlay_stats;

/* Writes the boxes into *boxes (grown with realloc; *cap its capacity) and
 * their number into *n.  stats may be NULL.  TS_ERR_NOMEM: out of memory
 * (*n = 0). */
ts_status render_overlay_boxes(const render_overlay_req *rq, render_box **boxes, size_t *cap,
                               size_t *n, render_overlay_stats *stats);

#endif
