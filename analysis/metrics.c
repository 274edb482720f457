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

#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* min and max as maskApi.c's (no libm call): they differ from fmin/fmax
 * only on a NaN or on zeros' signs, which give 0 below either way */
static inline double lo2(double x, double y) { return x < y ? x : y; }
static inline double hi2(double x, double y) { return x > y ? x : y; }

double metrics_iou_xywh(const double a[4], const double b[4], int crowd)
{
	/* Same arithmetic as maskApi.c bbIou.  Disjoint boxes (most pairs)
	 * return before the finiteness checks: a non-finite coordinate gives
	 * 0 either way. */
	double w = lo2(a[0] + a[2], b[0] + b[2]) - hi2(a[0], b[0]);
	if (!(w > 0))
		return 0.0;
	double h = lo2(a[1] + a[3], b[1] + b[3]) - hi2(a[1], b[1]);
	if (!(h > 0))
		return 0.0;
	for (int i = 0; i < 4; i++)
		if (!isfinite(a[i]) || !isfinite(b[i]))
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

static atomic_size_t oom_events;

size_t metrics_oom_events(void)
{
	return atomic_load(&oom_events);
}

/* brute_best's choice read from the table's row, without a branch per box
 * (which box is of the category, unused and better is data the branch
 * predictor cannot learn). */
static long row_best(const metrics_det *dt, const gt_ann *anns, size_t n_ann,
                     const unsigned char *used, double t0, int *crowd, const double *row)
{
	long m = -1;
	double best = t0;
	for (size_t g = 0; g < n_ann; g++) {
		int take = (anns[g].cat == dt->cat) & (anns[g].iscrowd == 0) & (used[g] == 0) & (row[g] >= best);
		best = take ? row[g] : best;
		m = take ? (long)g : m;
	}
	if (m >= 0)
		return m;
	for (size_t g = 0; g < n_ann; g++) {
		int take = (anns[g].cat == dt->cat) & (anns[g].iscrowd != 0) & (row[g] >= best);
		best = take ? row[g] : best;
		m = take ? (long)g : m;
	}
	*crowd = m >= 0;
	return m;
}

/* The box det dt matches at threshold t0, -1 if none: the best IoU among
 * the category's unused non-crowd boxes (file order, ties to the later),
 * else among its crowd boxes (*crowd set). */
static long brute_best(const metrics_det *dt, const gt_ann *anns, size_t n_ann,
                       const unsigned char *used, double t0, int *crowd, const double *row)
{
	long m = -1;
	if (dt->cat < 0)
		return m;
	if (row)
		return row_best(dt, anns, n_ann, used, t0, crowd, row);
	double db[4] = { dt->box[0], dt->box[1], dt->box[2] - dt->box[0], dt->box[3] - dt->box[1] };
	double best = t0;
	/* non-crowd boxes of the category, file order */
	for (size_t g = 0; g < n_ann; g++) {
		const gt_ann *a = &anns[g];
		if (a->cat != dt->cat || a->iscrowd || used[g])
			continue;
		double iou = row ? row[g] : dt->point ? point_in(dt->box, a->bbox) : metrics_iou_xywh(db, a->bbox, 0);
		if (iou < best)
			continue;
		best = iou;
		m = (long)g;
	}
	if (m >= 0)
		return m;
	/* crowd boxes only when no non-crowd box matched */
	for (size_t g = 0; g < n_ann; g++) {
		const gt_ann *a = &anns[g];
		if (a->cat != dt->cat || !a->iscrowd)
			continue;
		double iou = row ? row[g] : dt->point ? point_in(dt->box, a->bbox) : metrics_iou_xywh(db, a->bbox, 1);
		if (iou < best)
			continue;
		best = iou;
		m = (long)g;
		*crowd = 1;
	}
	return m;
}

/* The plain loop; iou: metrics_iou_table's of these dets and anns, or NULL
 * (computed pair by pair). */
static void brute_run(const metrics_det *dets, size_t n_det, const gt_ann *anns, size_t n_ann,
                      const double *iou, double t, match_state *det_state, long *det_gt,
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
			 * counts rather than crash (every det FP, every box FN),
			 * and count it for the front end's message. */
			used = stack_used;
			n_ann = 0;
			atomic_fetch_add(&oom_events, 1);
		}
	}
	if (n_ann > 0)
		memset(used, 0, n_ann);

	/* evaluateImg's starting threshold; a NaN threshold matches nothing. */
	double t0 = isnan(t) ? INFINITY : fmin(t, 1.0 - 1e-10);

	for (size_t d = 0; d < n_det; d++) {
		const metrics_det *dt = &dets[d];
		int m_crowd = 0;
		long m = brute_best(dt, anns, n_ann, used, t0, &m_crowd, iou && n_ann ? iou + d * n_ann : NULL);
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

void metrics_match_image_brute(const metrics_det *dets, size_t n_det,
                               const gt_ann *anns, size_t n_ann, double t,
                               match_state *det_state, long *det_gt,
                               metrics_counts *acc)
{
	brute_run(dets, n_det, anns, n_ann, NULL, t, det_state, det_gt, acc);
}

/* ------------------------------------------------------------------ */
/* The index (metrics.h): classes (category, crowd, width and height
 * exponents) -> groups of identical boxes, sorted by grid cell. */

#define IX_ZERO_EXP (-4000)  /* size class of a zero width or height */
#define IX_HUGE_EXP 4000     /* above every finite exponent */
#define IX_CELL_MAX 4503599627370496.0 /* 2^52: cell coordinates clamp here */

typedef struct ix_class {
	int cat, crowd, ex, ey;
	size_t first, end; /* groups [first, end) */
} ix_class;

typedef struct ix_group {
	int64_t cx, cy;
	uint32_t first, k; /* members mem[first .. first+k), increasing index */
} ix_group;

struct metrics_index {
	const gt_ann *anns;
	size_t n_ann, n_plain; /* boxes; non-crowd boxes (FN when unmatched) */
	ix_class *cls;
	size_t n_cls;
	ix_group *grp;
	size_t n_grp;
	uint32_t *mem;
	uint32_t *odd;         /* non-finite boxes: only a point can fall in one */
	size_t n_odd;
};

typedef struct ix_key {
	int cat, crowd, ex, ey;
	int64_t cx, cy;
	double b[4];
	uint32_t idx;
} ix_key;

static int exp_of(double v)
{
	if (v == 0)
		return IX_ZERO_EXP;
	if (!isfinite(v))
		return IX_HUGE_EXP;
	int e;
	frexp(v, &e); /* v in [2^(e-1), 2^e) */
	return e;
}

/* cell side of a class: above every width in it */
static double cell_side(int e)
{
	return e == IX_ZERO_EXP ? 1.0 : ldexp(1.0, e);
}

static int64_t cell_of(double x, double side)
{
	double c = floor(x / side);
	if (!(c > -IX_CELL_MAX)) /* also NaN */
		c = -IX_CELL_MAX;
	if (c > IX_CELL_MAX)
		c = IX_CELL_MAX;
	return (int64_t)c;
}

#define CMP(a, b) do { if ((a) != (b)) return (a) < (b) ? -1 : 1; } while (0)

static int ix_key_cmp(const void *pa, const void *pb)
{
	const ix_key *a = pa, *b = pb;
	CMP(a->cat, b->cat);
	CMP(a->crowd, b->crowd);
	CMP(a->ex, b->ex);
	CMP(a->ey, b->ey);
	CMP(a->cx, b->cx);
	CMP(a->cy, b->cy);
	for (int i = 0; i < 4; i++)
		CMP(a->b[i], b->b[i]);
	CMP(a->idx, b->idx);
	return 0;
}

static int box_finite(const double b[4])
{
	return isfinite(b[0]) && isfinite(b[1]) && isfinite(b[2]) && isfinite(b[3]);
}

/* Keys of the boxes that can match something: a category, no negative
 * size; non-finite ones go to ix->odd.  Returns the number of keys. */
static size_t ix_keys(metrics_index *ix, ix_key *keys)
{
	size_t n = 0;
	for (size_t g = 0; g < ix->n_ann; g++) {
		const gt_ann *a = &ix->anns[g];
		ix->n_plain += !a->iscrowd;
		if (a->cat < 0 || a->bbox[2] < 0 || a->bbox[3] < 0)
			continue; /* matches nothing (metrics.c: IoU 0, no point inside) */
		if (!box_finite(a->bbox)) {
			if (!isnan(a->bbox[0] + a->bbox[1] + a->bbox[2] + a->bbox[3]))
				ix->odd[ix->n_odd++] = (uint32_t)g; /* infinite, no NaN */
			continue;
		}
		ix_key *k = &keys[n++];
		k->cat = a->cat;
		k->crowd = a->iscrowd != 0;
		k->ex = exp_of(a->bbox[2]);
		k->ey = exp_of(a->bbox[3]);
		k->cx = cell_of(a->bbox[0], cell_side(k->ex));
		k->cy = cell_of(a->bbox[1], cell_side(k->ey));
		memcpy(k->b, a->bbox, sizeof k->b);
		k->idx = (uint32_t)g;
	}
	return n;
}

static int same_box(const ix_key *a, const ix_key *b)
{
	return a->cat == b->cat && a->crowd == b->crowd && a->b[0] == b->b[0] && a->b[1] == b->b[1] &&
	       a->b[2] == b->b[2] && a->b[3] == b->b[3];
}

static int same_class(const ix_key *a, const ix_key *b)
{
	return a->cat == b->cat && a->crowd == b->crowd && a->ex == b->ex && a->ey == b->ey;
}

/* Sorted keys -> classes, groups, members. */
static void ix_fill(metrics_index *ix, const ix_key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ix->mem[i] = keys[i].idx;
		if (i == 0 || !same_class(&keys[i - 1], &keys[i])) {
			if (ix->n_cls)
				ix->cls[ix->n_cls - 1].end = ix->n_grp;
			ix_class *c = &ix->cls[ix->n_cls++];
			c->cat = keys[i].cat;
			c->crowd = keys[i].crowd;
			c->ex = keys[i].ex;
			c->ey = keys[i].ey;
			c->first = ix->n_grp;
		} else if (same_box(&keys[i - 1], &keys[i])) {
			ix->grp[ix->n_grp - 1].k++;
			continue;
		}
		ix_group *gr = &ix->grp[ix->n_grp++];
		gr->cx = keys[i].cx;
		gr->cy = keys[i].cy;
		gr->first = (uint32_t)i;
		gr->k = 1;
	}
	if (ix->n_cls)
		ix->cls[ix->n_cls - 1].end = ix->n_grp;
}

metrics_index *metrics_index_new(const gt_ann *anns, size_t n_ann)
{
	if (!anns)
		n_ann = 0;
	if (n_ann >= UINT32_MAX)
		return NULL;
	size_t m = n_ann ? n_ann : 1;
	metrics_index *ix = calloc(1, sizeof *ix);
	ix_key *keys = malloc(m * sizeof *keys);
	if (ix) {
		ix->anns = anns;
		ix->n_ann = n_ann;
		ix->cls = malloc(m * sizeof *ix->cls);
		ix->grp = malloc(m * sizeof *ix->grp);
		ix->mem = malloc(m * sizeof *ix->mem);
		ix->odd = malloc(m * sizeof *ix->odd);
	}
	if (!ix || !keys || !ix->cls || !ix->grp || !ix->mem || !ix->odd) {
		free(keys);
		metrics_index_free(ix);
		return NULL;
	}
	size_t n = ix_keys(ix, keys);
	qsort(keys, n, sizeof *keys, ix_key_cmp);
	ix_fill(ix, keys, n);
	free(keys);
	/* give back what the groups did not use */
	ix_group *gs = realloc(ix->grp, (ix->n_grp ? ix->n_grp : 1) * sizeof *gs);
	if (gs)
		ix->grp = gs;
	ix_class *cs = realloc(ix->cls, (ix->n_cls ? ix->n_cls : 1) * sizeof *cs);
	if (cs)
		ix->cls = cs;
	return ix;
}

void metrics_index_free(metrics_index *ix)
{
	if (!ix)
		return;
	free(ix->cls);
	free(ix->grp);
	free(ix->mem);
	free(ix->odd);
	free(ix);
}

/* One detection's search. */
typedef struct ix_query {
	const metrics_index *ix;
	const metrics_det *dt;
	double db[4];       /* the detection as x, y, w, h (or the point) */
	double qx[2], qy[2]; /* where its boxes' corners can be: x1 in [qx0 - side, qx1] */
	int crowd;
	uint32_t *left;     /* per group: members not yet matched (non-crowd) */
	unsigned char *odd_used;
	double best;
	long m;             /* best box so far (-1) */
	size_t m_grp, m_odd; /* its group, or its place in ix->odd (other: SIZE_MAX) */
} ix_query;

static void ix_consider(ix_query *q, uint32_t g, size_t grp, size_t odd)
{
	const gt_ann *a = &q->ix->anns[g];
	double sim = q->dt->point ? point_in(q->db, a->bbox) : metrics_iou_xywh(q->db, a->bbox, q->crowd);
	if (sim < q->best || (sim == q->best && q->m >= 0 && (long)g < q->m))
		return;
	q->best = sim;
	q->m = (long)g;
	q->m_grp = grp;
	q->m_odd = odd;
}

static void ix_group_visit(ix_query *q, size_t gi)
{
	const ix_group *gr = &q->ix->grp[gi];
	uint32_t k = q->crowd ? gr->k : q->left[gi];
	if (k > 0)
		ix_consider(q, q->ix->mem[gr->first + k - 1], gi, SIZE_MAX);
}

/* first group in [lo, hi) at or after cell (cx, cy) */
static size_t ix_seek(const ix_group *g, size_t lo, size_t hi, int64_t cx, int64_t cy)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g[mid].cx < cx || (g[mid].cx == cx && g[mid].cy < cy))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void ix_class_visit(ix_query *q, const ix_class *c)
{
	double sx = cell_side(c->ex), sy = cell_side(c->ey);
	int64_t x0 = cell_of(q->qx[0] - sx, sx) - 1, x1 = cell_of(q->qx[1], sx) + 1;
	int64_t y0 = cell_of(q->qy[0] - sy, sy) - 1, y1 = cell_of(q->qy[1], sy) + 1;
	const ix_group *g = q->ix->grp;
	if ((double)(x1 - x0 + 1) * (double)(y1 - y0 + 1) > (double)(c->end - c->first)) {
		for (size_t i = c->first; i < c->end; i++) /* fewer groups than cells */
			if (g[i].cx >= x0 && g[i].cx <= x1 && g[i].cy >= y0 && g[i].cy <= y1)
				ix_group_visit(q, i);
		return;
	}
	for (int64_t cx = x0; cx <= x1; cx++)
		for (size_t i = ix_seek(g, c->first, c->end, cx, y0); i < c->end && g[i].cx == cx && g[i].cy <= y1; i++)
			ix_group_visit(q, i);
}

/* Classes of (cat, crowd) with ex in [ex0, ex1] and ey in [ey0, ey1]. */
static void ix_classes(ix_query *q, int ex0, int ex1, int ey0, int ey1)
{
	const metrics_index *ix = q->ix;
	int cat = q->dt->cat;
	size_t lo = 0, hi = ix->n_cls;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const ix_class *c = &ix->cls[mid];
		int less = c->cat != cat ? c->cat < cat : c->crowd != q->crowd ? c->crowd < q->crowd : c->ex < ex0;
		if (less)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < ix->n_cls; i++) {
		const ix_class *c = &ix->cls[i];
		if (c->cat != cat || c->crowd != q->crowd || c->ex > ex1)
			break;
		if (c->ey >= ey0 && c->ey <= ey1)
			ix_class_visit(q, c);
	}
}

/* One pass (non-crowd or crowd boxes) of one detection. */
static void ix_pass(ix_query *q, double t0)
{
	if (q->dt->point) {
		ix_classes(q, INT_MIN, INT_MAX, INT_MIN, INT_MAX);
		for (size_t i = 0; i < q->ix->n_odd; i++) {
			uint32_t g = q->ix->odd[i];
			const gt_ann *a = &q->ix->anns[g];
			if (a->cat == q->dt->cat && (a->iscrowd != 0) == q->crowd && (q->crowd || !q->odd_used[i]))
				ix_consider(q, g, SIZE_MAX, i);
		}
		return;
	}
	/* IoU >= t0 needs width and height within a factor t0 (one more
	 * power of two each way for rounding); crowd boxes may be larger */
	double w = q->db[2], h = q->db[3];
	int ex0 = exp_of(w * t0) - 1, ey0 = exp_of(h * t0) - 1;
	int ex1 = q->crowd ? INT_MAX : exp_of(w / t0) + 1, ey1 = q->crowd ? INT_MAX : exp_of(h / t0) + 1;
	if (w * t0 == 0)
		ex0 = IX_ZERO_EXP + 1;
	if (h * t0 == 0)
		ey0 = IX_ZERO_EXP + 1;
	ix_classes(q, ex0, ex1, ey0, ey1);
}

/* The detection as IoU (or the point) sees it; 0 when it can match nothing. */
static int ix_det_usable(ix_query *q)
{
	const metrics_det *dt = q->dt;
	if (dt->cat < 0)
		return 0;
	if (dt->point) {
		q->db[0] = q->qx[0] = q->qx[1] = dt->box[0];
		q->db[1] = q->qy[0] = q->qy[1] = dt->box[1];
		return isfinite(dt->box[0]) && isfinite(dt->box[1]);
	}
	/* as metrics_match_image_brute builds it */
	q->db[0] = dt->box[0];
	q->db[1] = dt->box[1];
	q->db[2] = dt->box[2] - dt->box[0];
	q->db[3] = dt->box[3] - dt->box[1];
	if (!box_finite(q->db) || !(q->db[2] > 0) || !(q->db[3] > 0))
		return 0; /* IoU 0 with every box */
	q->qx[0] = q->db[0];
	q->qx[1] = q->db[0] + q->db[2];
	q->qy[0] = q->db[1];
	q->qy[1] = q->db[1] + q->db[3];
	return isfinite(q->qx[1]) && isfinite(q->qy[1]);
}

/* Returns the state of one detection; *m its box or -1. */
static match_state ix_match_one(ix_query *q, double t0, long *m)
{
	q->best = t0;
	q->m = -1;
	q->m_grp = q->m_odd = SIZE_MAX;
	*m = -1;
	if (!ix_det_usable(q))
		return MATCH_FP;
	q->crowd = 0;
	ix_pass(q, t0);
	if (q->m >= 0) {
		if (q->m_grp != SIZE_MAX)
			q->left[q->m_grp]--;
		else
			q->odd_used[q->m_odd] = 1;
		*m = q->m;
		return MATCH_TP;
	}
	q->crowd = 1;
	ix_pass(q, t0);
	*m = q->m;
	return q->m >= 0 ? MATCH_IGNORED : MATCH_FP;
}

int metrics_match_indexed(const metrics_index *ix, const metrics_det *dets, size_t n_det,
                          double t, match_state *det_state, long *det_gt,
                          metrics_counts *acc)
{
	double t0 = isnan(t) ? INFINITY : fmin(t, 1.0 - 1e-10);
	if (!dets)
		n_det = 0;
	if (!(t0 > 0)) { /* every box qualifies at IoU 0: no pruning possible */
		metrics_match_image_brute(dets, n_det, ix->anns, ix->n_ann, t, det_state, det_gt, acc);
		return 0;
	}
	ix_query q;
	memset(&q, 0, sizeof q);
	q.ix = ix;
	q.left = malloc((ix->n_grp ? ix->n_grp : 1) * sizeof *q.left);
	q.odd_used = calloc(ix->n_odd ? ix->n_odd : 1, 1);
	if (!q.left || !q.odd_used) {
		free(q.left);
		free(q.odd_used);
		return -1;
	}
	for (size_t i = 0; i < ix->n_grp; i++)
		q.left[i] = ix->grp[i].k;
	size_t tp = 0, fp = 0;
	for (size_t d = 0; d < n_det; d++) {
		q.dt = &dets[d];
		long m;
		match_state s = ix_match_one(&q, t0, &m);
		tp += s == MATCH_TP;
		fp += s == MATCH_FP;
		if (det_state)
			det_state[d] = s;
		if (det_gt)
			det_gt[d] = m;
	}
	free(q.left);
	free(q.odd_used);
	if (acc) {
		acc->tp += tp;
		acc->fp += fp;
		acc->fn += ix->n_plain - tp;
	}
	return 0;
}

/* Below this many box pairs the plain loop is cheaper than an index. */
#define IX_MIN_PAIRS 4096
/* From this many boxes on, an image's index is kept with its ground truth
 * (gt_derived) and shared by every sample and threshold. */
#define IX_KEEP_BOXES 256
/* Without an index (out of memory), the plain loop up to this many pairs. */
#define IX_BRUTE_MAX_PAIRS 1e8

static void *ix_build(const gt_ann *anns, size_t n_ann)
{
	return metrics_index_new(anns, n_ann);
}

static void ix_free(void *p)
{
	metrics_index_free(p);
}

void metrics_match_image(const metrics_det *dets, size_t n_det,
                         const gt_ann *anns, size_t n_ann, double t,
                         match_state *det_state, long *det_gt,
                         metrics_counts *acc)
{
	if (dets && anns && n_det > 1 && n_ann > 16 && (double)n_det * (double)n_ann > IX_MIN_PAIRS) {
		const metrics_index *kept = n_ann >= IX_KEEP_BOXES ? gt_derived(anns, n_ann, ix_build, ix_free) : NULL;
		metrics_index *own = kept ? NULL : metrics_index_new(anns, n_ann);
		const metrics_index *ix = kept ? kept : own;
		int rc = ix ? metrics_match_indexed(ix, dets, n_det, t, det_state, det_gt, acc) : -1;
		metrics_index_free(own);
		if (rc == 0)
			return;
		if ((double)n_det * (double)n_ann > IX_BRUTE_MAX_PAIRS) {
			/* out of memory, and the plain loop would take minutes: nothing
			 * matched (every detection FP, every box FN), counted */
			metrics_match_image_brute(dets, n_det, anns, 0, t, det_state, det_gt, acc);
			size_t fn = 0;
			for (size_t g = 0; g < n_ann; g++)
				fn += !anns[g].iscrowd;
			if (acc)
				acc->fn += fn;
			atomic_fetch_add(&oom_events, 1);
			return;
		}
	}
	metrics_match_image_brute(dets, n_det, anns, n_ann, t, det_state, det_gt, acc);
}

int metrics_table_fits(size_t n_det, size_t n_ann)
{
	/* the images metrics_match_image matches with the plain loop */
	return n_det && n_ann && n_det * n_ann <= METRICS_TABLE_MAX &&
	       !(n_det > 1 && n_ann > 16 && (double)n_det * (double)n_ann > IX_MIN_PAIRS);
}

/* metrics_iou_xywh of d (x, y, w, h; fin: its four coordinates finite)
 * and a: the same operations, taken without branches (pairs of one image
 * are mostly disjoint, which a branch mispredicts) and 0 where
 * metrics_iou_xywh returns 0. */
static inline double iou_flat(const double d[4], int fin, const gt_ann *a)
{
	const double *b = a->bbox;
	double w = lo2(d[0] + d[2], b[0] + b[2]) - hi2(d[0], b[0]);
	double h = lo2(d[1] + d[3], b[1] + b[3]) - hi2(d[1], b[1]);
	double inter = w * h, da = d[2] * d[3];
	double u = a->iscrowd ? da : da + b[2] * b[3] - inter;
	double r = inter / u;
	int finb = isfinite(b[0]) & isfinite(b[1]) & isfinite(b[2]) & isfinite(b[3]);
	int ok = (w > 0) & (h > 0) & fin & finb & (r >= 0) & (r < INFINITY);
	return ok ? r : 0.0;
}

void metrics_iou_table(const metrics_det *dets, size_t n_det, const gt_ann *anns, size_t n_ann, double *iou)
{
	for (size_t d = 0; d < n_det; d++) {
		const metrics_det *dt = &dets[d];
		double *row = iou + d * n_ann;
		if (dt->point) {
			for (size_t g = 0; g < n_ann; g++)
				row[g] = point_in(dt->box, anns[g].bbox);
			continue;
		}
		double db[4] = { dt->box[0], dt->box[1], dt->box[2] - dt->box[0], dt->box[3] - dt->box[1] };
		int fin = isfinite(db[0]) & isfinite(db[1]) & isfinite(db[2]) & isfinite(db[3]);
		for (size_t g = 0; g < n_ann; g++)
			row[g] = iou_flat(db, fin, &anns[g]);
	}
}

void metrics_match_image_table(const metrics_det *dets, size_t n_det, const gt_ann *anns, size_t n_ann,
                               const double *iou, double t, match_state *det_state, long *det_gt,
                               metrics_counts *acc)
{
	if (!iou || !metrics_table_fits(n_det, n_ann) || !dets || !anns)
		metrics_match_image(dets, n_det, anns, n_ann, t, det_state, det_gt, acc);
	else
		brute_run(dets, n_det, anns, n_ann, iou, t, det_state, det_gt, acc);
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
