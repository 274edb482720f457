/* confidence.h — what the trace's logprobs say about the records.
 *
 * 1. A score per record: the mean (or the minimum) of the chosen tokens'
 *    logprobs over the record's steps first_step..last_step inclusive.  Steps
 *    without a logprob (NAN) are skipped; a record with none scores NAN
 *    (text-only traces).  Scores are <= 0 (natural log).
 *
 * 2. COCO-style AP at one IoU threshold from those scores, pycocotools
 *    COCOeval semantics:
 *    - per image, detections are sorted by score, descending, with a stable
 *      sort (ties keep output order; NAN sorts as -inf) and then matched with
 *      metrics_match_image (evaluateImg semantics: crowd-absorbed detections
 *      are ignored, neither TP nor FP);
 *    - per category, the detections of all images are ordered by score,
 *      descending, stable over the images taken in ascending image id (as
 *      COCOeval concatenates p.imgIds = sorted ids), then by the order they
 *      were added; TP/FP are accumulated in that order;
 *      recall = TP/npig, precision = TP/(TP+FP+eps) with eps = 2^-52
 *      (np.spacing(1)); precision is made non-increasing from the end; at the
 *      101 recall thresholds r_i = i*0.01 (i < 100; r_100 = 1, as
 *      np.linspace makes them) the interpolated precision is the precision at
 *      the first point whose recall >= r_i (0 past the last point); the
 *      category's AP is the mean of the 101 values;
 *    - ap = mean over categories with at least one non-crowd ground-truth box
 *      on the added images (a category with boxes but no detections scores 0);
 *      NAN when there is none.
 *    Deliberate differences from COCOeval (the same as metrics.h): no maxDets
 *    cap, no area ranges, only the images that were added count.
 *    Pooled ("micro") AP and its PR curve: the same computation over all
 *    detections of all categories as one list, where a detection whose label
 *    names no category is a false positive (COCOeval drops those; a
 *    class-aware VLM metric must not), npig = all non-crowd boxes.
 *
 * 3. Termination probability at a record boundary: how much probability the
 *    model gave to ending the list right after record i completed.  The
 *    decision step is the step after the record's completion step; when the
 *    completing token itself carries non-blank text after its last "}" (a
 *    merged "}," or "}]" token), the decision was taken in that token: the
 *    decision step is the completion step and an alternative is judged by its
 *    text after its first "}".  P = sum of exp(logprob) of the alternatives
 *    at the decision step that end the list (the chosen token is added when
 *    it is not among the alternatives), capped at 1:
 *      JSON lists: text starting (after optional white space) with "]", text
 *      containing "```" (closing fence), or an EOS-like token;
 *      loc lists: EOS-like tokens only;
 *      EOS-like: empty text (servers report EOS so), "<eos>", "<|im_end|>",
 *      "<end_of_turn>", "</s>", "<|endoftext|>", "<|eot_id|>", "<|end|>",
 *      "<|end_of_text|>".
 *    NAN when the decision step has no alternatives or the trace ends there.
 *    (Same rules as tui/closep.c.)
 *    Per sample: max_before_tail = max over the boundaries after records
 *    0..tail_start-1 (all boundaries when there is no tail); at_tail_start =
 *    the value at the boundary after record tail_start-1, the decision that
 *    began the repeated tail instead of closing (NAN without a tail).
 *
 * Pure C: no printing, no static mutable state (thread-safe on distinct
 * objects).
 */
#ifndef TS_CONFIDENCE_H
#define TS_CONFIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "gt.h"
#include "metrics.h"
#include "records.h"
#include "status.h"
#include "trace.h"

/* ---- record scores ---- */

typedef enum {
	CONF_SCORE_MEAN = 0,
	CONF_SCORE_MIN,
} conf_score_kind;

/* "mean" | "min". */
ts_status   conf_score_parse(const char *text, conf_score_kind *out, ts_error *err);
const char *conf_score_name(conf_score_kind k);

/* Score of one record (NAN when none of its steps has a logprob or its
 * steps lie outside the trace). */
double conf_record_score(const trace *t, const record *r, conf_score_kind k);

/* ---- AP and PR curve ---- */

#define CONF_N_RECALL 101

typedef struct conf_ap conf_ap;

conf_ap *conf_ap_new(double iou_threshold); /* NULL on OOM */
void     conf_ap_free(conf_ap *a);

/* Adds one image: dets[0..n) with scores[0..n) (in output order; scores may
 * be NAN) matched against its annotations anns[0..n_ann).  image_id orders
 * tied scores across images.  TS_ERR_NOMEM leaves the accumulator as it was. */
ts_status conf_ap_add_image(conf_ap *a, int64_t image_id, const metrics_det *dets,
                            const double *scores, size_t n, const gt_ann *anns,
                            size_t n_ann);

typedef struct conf_ap_result {
	double iou;                 /* threshold */
	double ap;                  /* mean over categories with ground truth; NAN if none */
	size_t n_categories;        /* categories averaged */
	double ap_pooled;           /* all categories as one list; NAN without ground truth */
	size_t n_det;               /* detections counted (crowd-absorbed ones excluded) */
	size_t n_gt;                /* non-crowd ground-truth boxes */
	size_t tp;                  /* true positives over all detections */
	double recall_max;          /* pooled recall with every detection kept */
	double precision[CONF_N_RECALL]; /* pooled interpolated precision at r_i */
	double recall[CONF_N_RECALL];    /* the thresholds r_i */
} conf_ap_result;

ts_status conf_ap_compute(const conf_ap *a, conf_ap_result *out, ts_error *err);

/* The accumulator's state, for report --partial / tailscope merge
 * (partial.h): the counted detections in the order they were added (score
 * with NAN as -inf, image id, category or -1, true positive) and the
 * non-crowd ground-truth boxes per category.  Adding them in the same order
 * to a new accumulator gives the same conf_ap_compute result, bit for bit. */
size_t    conf_ap_n_dets(const conf_ap *a);
void      conf_ap_det(const conf_ap *a, size_t i, double *score, int64_t *image_id, int *cat,
                      int *tp);
size_t    conf_ap_n_cats(const conf_ap *a);
size_t    conf_ap_npig(const conf_ap *a, size_t cat);
ts_status conf_ap_add_det(conf_ap *a, double score, int64_t image_id, int cat, int tp);
ts_status conf_ap_add_npig(conf_ap *a, size_t cat, size_t n);

/* The 101-point interpolated AP of one ranked list (the core of the above,
 * exposed for tests): is_tp[0..nd) in rank order (ignored detections already
 * removed), npig ground-truth boxes.  Fills prec[101] when not NULL.
 * Returns NAN when npig == 0. */
double conf_ap_ranked(const unsigned char *is_tp, size_t nd, size_t npig,
                      double prec[CONF_N_RECALL]);

/* ---- termination probability ---- */

/* 1 when a token's text ends the list (rules above); loc = 1 for loc lists. */
int    conf_is_end_token(const char *tok, size_t len, int loc);

/* P(end of list) at the boundary after a record completing at step rec_last;
 * NAN when unknown. */
double conf_close_prob(const trace *t, long rec_last, int loc);

typedef struct conf_term {
	double max_before_tail; /* NAN when no boundary before the tail is defined */
	long   argmax;          /* record index of that boundary, -1 */
	double at_tail_start;   /* NAN without a tail or when undefined */
	size_t n_defined;       /* boundaries with a defined value */
} conf_term;

/* probs (may be NULL): receives P for each of the n boundaries. */
void conf_termination(const trace *t, const record *recs, size_t n, long tail_start,
                      double *probs, conf_term *out);

/* Per-run summary over samples with a repeated tail ("how close did the
 * model come to stopping before its tail?"). */
typedef struct conf_term_run {
	size_t samples;            /* samples added */
	size_t tails;              /* samples with a tail */
	size_t tails_max_defined;  /* ... whose max_before_tail is defined */
	size_t tails_at_defined;   /* ... whose at_tail_start is defined */
	double mean_max_before_tail; /* over tails_max_defined (NAN if 0) */
	double mean_at_tail_start;   /* over tails_at_defined (NAN if 0) */
	double sum_max, sum_at;      /* running sums */
} conf_term_run;

void conf_term_run_init(conf_term_run *r);
void conf_term_run_add(conf_term_run *r, const conf_term *s, int has_tail);
void conf_term_run_finish(conf_term_run *r);

#endif
