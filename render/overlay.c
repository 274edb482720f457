/* overlay.c — boxes over a sample's image (see overlay.h). */
#include "overlay.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void render_overlay_req_full(render_overlay_req *rq, const sample *s, const gt *g,
                             const gt_image *gimg, policy_cut cut)
{
	memset(rq, 0, sizeof *rq);
	rq->s = s;
	rq->g = g;
	rq->gimg = gimg;
	rq->cut = cut;
	size_t n = sample_n_records(s);
	rq->visible = cut.fired && !cut.drop_dups && cut.kept < n ? cut.kept : n;
	rq->show_gt = 1;
	rq->show_cut = 1;
	rq->selected = -1;
}

void render_overlay_req_export(render_overlay_req *rq, const sample *s, const gt *g,
                               const gt_image *gimg, policy_cut cut, const double *score)
{
	render_overlay_req_full(rq, s, g, gimg, cut);
	rq->score = score;
	rq->whole = 1;
}

typedef struct box_buf {
	render_box **v;
	size_t *cap, n;
	int oom;
} box_buf;

static void push(box_buf *b, render_box x)
{
	if (b->oom)
		return;
	if (b->n == *b->cap) {
		size_t cap = *b->cap ? *b->cap * 2 : 64;
		render_box *v = realloc(*b->v, cap * sizeof *v);
		if (!v) {
			b->oom = 1;
			return;
		}
		*b->v = v;
		*b->cap = cap;
	}
	(*b->v)[b->n++] = x;
}

static void gt_boxes(const render_overlay_req *rq, const uint8_t *hit, box_buf *b,
                     render_overlay_stats *st)
{
	const gt_ann *anns = gt_anns(rq->g) + rq->gimg->ann_first;
	int qc = sample_gt_cat(rq->s); /* a per-class request: other classes are not misses */
	for (size_t a = 0; a < rq->gimg->n_ann; a++) {
		const double *bb = anns[a].bbox;
		int miss = !hit[a] && !anns[a].iscrowd && (qc < 0 || anns[a].cat == qc);
		render_box x = {bb[0], bb[1], bb[0] + bb[2], bb[1] + bb[3], miss ? BOX_MISS : BOX_GT, 0, 0,
		                gt_category_name(rq->g, anns[a].cat), 0, 0, 0};
		push(b, x);
		st->gt++;
	}
}

static box_style pred_style(uint32_t count, int has_gt, match_state ms)
{
	if (count >= 2)
		return BOX_DUP;
	if (!has_gt)
		return BOX_PRED;
	return ms == MATCH_TP ? BOX_TP : ms == MATCH_FP ? BOX_FP : BOX_PRED;
}

static void set_score(const render_overlay_req *rq, size_t first, render_box *x)
{
	if (rq->score && isfinite(rq->score[first])) {
		x->score = rq->score[first];
		x->has_score = 1;
	}
}

/* What the cut drops.  Not whole: each value only in dropped records of a
 * truncation, count = its occurrences.  Whole: every value with dropped
 * copies, count = those copies (cnt, tl: scratch of n entries, zeroed). */
static void cut_boxes(const render_overlay_req *rq, long sel_first, uint32_t *cnt, uint8_t *tl,
                      box_buf *b, render_overlay_stats *st)
{
	const sample *s = rq->s;
	size_t n = sample_n_records(s);
	const sample_rec *ri = sample_rec_info(s);
	int dd = rq->cut.drop_dups;
	if (!rq->whole) {
		if (!rq->show_cut || !rq->cut.fired || dd)
			return;
		for (size_t i = rq->cut.kept; i < n; i++) {
			if (ri[i].dup_of >= 0 || !ri[i].box_ok)
				continue; /* a value first seen before the cut is drawn as kept */
			render_box x = {ri[i].box[0], ri[i].box[1], ri[i].box[2], ri[i].box[3], BOX_CUT,
			                (long)i == sel_first, ri[i].total, sample_rec_label(s, i, NULL), 0, 0, 0};
			push(b, x);
			st->cut++;
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int dropped = dd ? ri[i].dup_of >= 0 : rq->cut.fired && i >= rq->cut.kept;
		size_t first = ri[i].dup_of >= 0 ? (size_t)ri[i].dup_of : i;
		if (dropped && first < n) {
			cnt[first]++;
			tl[first] |= (uint8_t)(ri[i].in_tail != 0);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!cnt[i] || !ri[i].box_ok)
			continue;
		render_box x = {ri[i].box[0], ri[i].box[1], ri[i].box[2], ri[i].box[3], BOX_CUT,
		                (long)i == sel_first, cnt[i], sample_rec_label(s, i, NULL), 0, 0, 0};
		set_score(rq, i, &x);
		x.tail = tl[i];
		push(b, x);
		st->cut++;
	}
}

ts_status render_overlay_boxes(const render_overlay_req *rq, render_box **boxes, size_t *cap,
                               size_t *n_out, render_overlay_stats *stats)
{
	render_overlay_stats st = {0, 0, 0};
	box_buf b = {boxes, cap, 0, 0};
	*n_out = 0;
	const sample *s = rq->s;
	size_t n = sample_n_records(s);
	const sample_rec *ri = sample_rec_info(s);
	int has_gt = sample_has_gt(s) && rq->g && rq->gimg;
	int dd = rq->cut.drop_dups;
	size_t vis = rq->visible < n ? rq->visible : n;
	if (rq->cut.fired && !dd && vis > rq->cut.kept)
		vis = rq->cut.kept;
	size_t n_ann = has_gt ? rq->gimg->n_ann : 0;
	size_t m = n ? n : 1;
	uint32_t *count = calloc(m, sizeof *count);       /* visible occurrences, by first */
	uint8_t *hit = calloc(n_ann ? n_ann : 1, 1);      /* annotation matched */
	uint8_t *tl = calloc(m, 1);                       /* a visible occurrence in the tail */
	match_state *own_st = rq->state ? NULL : malloc(m * sizeof *own_st);
	long *own_gt = rq->state ? NULL : malloc(m * sizeof *own_gt);
	const match_state *ms = rq->state ? rq->state : own_st;
	const long *mg = rq->state ? rq->match_gt : own_gt;
	ts_status rc = TS_OK;
	if (!count || !hit || !tl || (!rq->state && (!own_st || !own_gt)))
		rc = TS_ERR_NOMEM;
	else if (!rq->state && sample_policy_matches(s, &rq->cut, 0, own_st, own_gt) != TS_OK)
		rc = TS_ERR_NOMEM;
	for (size_t i = 0; rc == TS_OK && i < vis; i++) {
		if (dd && ri[i].dup_of >= 0)
			continue;
		size_t first = ri[i].dup_of >= 0 ? (size_t)ri[i].dup_of : i;
		if (first < n) {
			count[first]++;
			tl[first] |= (uint8_t)(ri[i].in_tail != 0);
		}
		if (n_ann && ms[i] == MATCH_TP && mg && mg[i] >= 0 && (size_t)mg[i] < n_ann)
			hit[mg[i]] = 1;
	}
	long sel = rq->selected >= 0 && (size_t)rq->selected < n ? rq->selected : -1;
	long sel_first = sel >= 0 && ri[sel].dup_of >= 0 ? ri[sel].dup_of : sel;
	if (rc == TS_OK && rq->show_gt && n_ann)
		gt_boxes(rq, hit, &b, &st);
	for (size_t i = 0; rc == TS_OK && i < vis; i++) {
		if (ri[i].dup_of >= 0 || !ri[i].box_ok)
			continue;
		render_box x = {ri[i].box[0], ri[i].box[1], ri[i].box[2], ri[i].box[3],
		                pred_style(count[i], has_gt, ms[i]), (long)i == sel_first, count[i],
		                sample_rec_label(s, i, NULL), 0, 0, 0};
		set_score(rq, i, &x);
		x.tail = rq->whole && tl[i];
		push(&b, x);
		st.pred++;
	}
	if (rc == TS_OK) {
		memset(count, 0, m * sizeof *count);
		memset(tl, 0, m);
		cut_boxes(rq, sel_first, count, tl, &b, &st);
	}
	free(count);
	free(tl);
	free(hit);
	free(own_st);
	free(own_gt);
	if (rc == TS_OK && b.oom)
		rc = TS_ERR_NOMEM;
	*n_out = rc == TS_OK ? b.n : 0;
	if (stats)
		*stats = st;
	return rc;
}
