/* metrics.c — class-aware matching with pycocotools COCOeval.evaluateImg
 * semantics (one image, every category, one IoU threshold).
 *
 * For reference, evaluateImg does, per category, with gts stably sorted so
 * that crowd (ignored) boxes come last and dts in stable score order (all
 * scores tie for VLM output, so: output order):
 *
 *     iou = min(t, 1 - 1e-10); m = -1
 *     for g in gts:
 *         if gtm[g] > 0 and not iscrowd[g]: continue     # used non-crowd
 *         if m > -1 and gtIg[m] == 0 and gtIg[g] == 1: break
 *         if ious[d, g] < iou: continue
 *         iou = ious[d, g]; m = g                        # ">=" : later wins
 *
 * which is two passes here: the unmatched non-crowd boxes of the category in
 * file order, then, only if none matched, the crowd boxes.  A detection that
 * lands on a crowd box is ignored; crowd boxes never count as FN.
 *
 * Deliberate differences from COCOeval's summary (not from evaluateImg's
 * matching): no maxDets cap (a repeated tail must be counted in full), no
 * area-range ignore of unmatched detections, and detections of a label that
 * names no category are FP instead of being dropped.
 */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double metrics_iou_xywh(const double a[4], const double b[4], int crowd)
{
	for (int i = 0; i < 4; i++)
		if (!isfinite(a[i]) || !isfinite(b[i]))
			return 0.0;
	/* Same arithmetic as maskApi.c bbIou. */
	double w = fmin(a[0] + a[2], b[0] + b[2]) - fmax(a[0], b[0]);
	if (!(w > 0))
		return 0.0;
	double h = fmin(a[1] + a[3], b[1] + b[3]) - fmax(a[1], b[1]);
	if (!(h > 0))
		return 0.0;
	double inter = w * h;
	double da = a[2] * a[3];
	double u = crowd ? da : da + b[2] * b[3] - inter;
	double r = inter / u;
	if (!(r >= 0) || !isfinite(r))
		return 0.0; /* overflowing sizes (inf/inf) */
	return r;
}

/* point-in-box similarity (metrics.h): 1 inside, edges included, else 0 */
static double point_in(const double pt[2], const double b[4])
{
	if (!isfinite(pt[0]) || !isfinite(pt[1]))
		return 0.0;
	return pt[0] >= b[0] && pt[0] <= b[0] + b[2] && pt[1] >= b[1] && pt[1] <= b[1] + b[3];
}

#define STACK_FLAGS 4096

void metrics_match_image(const metrics_det *dets, size_t n_det,
                         const gt_ann *anns, size_t n_ann, double t,
                         match_state *det_state, long *det_gt,
                         metrics_counts *acc)
{
	unsigned char stack_used[STACK_FLAGS];
	unsigned char *used = stack_used;
	size_t tp = 0, fp = 0, fn = 0;

	if (!dets)
		n_det = 0;
	if (!anns)
		n_ann = 0;
	size_t n_all = n_ann; /* boxes that count as FN when unmatched */
	if (n_ann > STACK_FLAGS) {
		used = calloc(n_ann, 1);
		if (!used) {
			/* Out of memory: nothing can be matched; say so in the
			 * counts rather than crash (every det FP, every box FN). */
			used = stack_used;
			n_ann = 0;
		}
	}
	if (n_ann > 0)
		memset(used, 0, n_ann);

	/* evaluateImg's starting threshold; a NaN threshold matches nothing. */
	double t0 = isnan(t) ? INFINITY : fmin(t, 1.0 - 1e-10);

	for (size_t d = 0; d < n_det; d++) {
		const metrics_det *dt = &dets[d];
		long m = -1;
		int m_crowd = 0;
		if (dt->cat >= 0) {
			double db[4] = { dt->box[0], dt->box[1],
			                 dt->box[2] - dt->box[0], dt->box[3] - dt->box[1] };
			double best = t0;
			/* non-crowd boxes of the category, file order */
			for (size_t g = 0; g < n_ann; g++) {
				const gt_ann *a = &anns[g];
				if (a->cat != dt->cat || a->iscrowd || used[g])
					continue;
				double iou = dt->point ? point_in(dt->box, a->bbox) : metrics_iou_xywh(db, a->bbox, 0);
				if (iou < best)
					continue;
				best = iou;
				m = (long)g;
			}
			/* crowd boxes only when no non-crowd box matched */
			if (m < 0) {
				for (size_t g = 0; g < n_ann; g++) {
					const gt_ann *a = &anns[g];
					if (a->cat != dt->cat || !a->iscrowd)
						continue;
					double iou = dt->point ? point_in(dt->box, a->bbox)
					                       : metrics_iou_xywh(db, a->bbox, 1);
					if (iou < best)
						continue;
					best = iou;
					m = (long)g;
					m_crowd = 1;
				}
			}
		}
		match_state s;
		if (m < 0) {
			s = MATCH_FP;
			fp++;
		} else if (m_crowd) {
			s = MATCH_IGNORED;
		} else {
			s = MATCH_TP;
			used[m] = 1;
			tp++;
		}
		if (det_state)
			det_state[d] = s;
		if (det_gt)
			det_gt[d] = m;
	}
	for (size_t g = 0; g < n_all; g++)
		if (!anns[g].iscrowd && (g >= n_ann || !used[g]))
			fn++;
	if (used != stack_used)
		free(used);
	if (acc) {
		acc->tp += tp;
		acc->fp += fp;
		acc->fn += fn;
	}
}

metrics_prf metrics_prf_from(const metrics_counts *c)
{
	metrics_prf r = { 0, 0, 0 };
	if (!c)
		return r;
	if (c->tp + c->fp > 0)
		r.precision = (double)c->tp / (double)(c->tp + c->fp);
	if (c->tp + c->fn > 0)
		r.recall = (double)c->tp / (double)(c->tp + c->fn);
	if (r.precision + r.recall > 0)
		r.f1 = 2.0 * r.precision * r.recall / (r.precision + r.recall);
	return r;
}
