/* tide.c — TIDE-style error breakdown (see tide.h). */
#include "tide.h"

static const char *const names[] = {
#define TIDE_KIND_NAME(name, text) text,
	TIDE_KIND_LIST(TIDE_KIND_NAME)
#undef TIDE_KIND_NAME
};

const char *tide_kind_name(tide_kind k)
{
	return (unsigned)k < TIDE_KIND_COUNT ? names[k] : "?";
}

/* db: d's box as x, y, w, h */
static double overlap(const metrics_det *d, const double db[4], const gt_ann *a)
{
	if (d->point) {
		const double *b = a->bbox;
		return d->box[0] >= b[0] && d->box[0] <= b[0] + b[2] && d->box[1] >= b[1] &&
		       d->box[1] <= b[1] + b[3];
	}
	return metrics_iou_xywh(db, a->bbox, 0);
}

void tide_classify(const metrics_det *dets, const match_state *state, size_t n,
                   const gt_ann *anns, size_t n_ann, double fg, double bg, const double *iou,
                   tide_kind *kind)
{
	for (size_t i = 0; i < n; i++) {
		kind[i] = TIDE_NONE;
		if (state[i] != MATCH_FP)
			continue;
		double same = 0, other = 0;
		const double *b = dets[i].box;
		double db[4] = { b[0], b[1], b[2] - b[0], b[3] - b[1] };
		for (size_t g = 0; g < n_ann; g++) {
			if (anns[g].iscrowd)
				continue;
			double v = iou ? iou[i * n_ann + g] : overlap(&dets[i], db, &anns[g]);
			if (dets[i].cat >= 0 && anns[g].cat == dets[i].cat) {
				if (v > same)
					same = v;
			} else if (v > other) {
				other = v;
			}
		}
		if (same >= fg)
			kind[i] = TIDE_DUP;
		else if (other >= fg)
			kind[i] = TIDE_CLS;
		else if (same >= bg)
			kind[i] = TIDE_LOC;
		else if (other >= bg)
			kind[i] = TIDE_BOTH;
		else
			kind[i] = TIDE_BKG;
	}
}

void tide_add_record(tide_counts *acc, match_state state, tide_kind kind)
{
	if (state == MATCH_TP) {
		acc->tp++;
	} else if (state == MATCH_FP) {
		acc->fp++;
		acc->err[(unsigned)kind < TIDE_KIND_COUNT ? kind : TIDE_BKG]++;
	}
}

void tide_add_missed(tide_counts *acc, size_t n_gt, size_t tp_image)
{
	acc->missed += n_gt > tp_image ? n_gt - tp_image : 0;
}

void tide_sum(tide_counts *acc, const tide_counts *b)
{
	for (int k = 0; k < TIDE_KIND_COUNT; k++)
		acc->err[k] += b->err[k];
	acc->missed += b->missed;
	acc->tp += b->tp;
	acc->fp += b->fp;
}
