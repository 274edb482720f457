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
 * 3. P(close), the list-closing decision at a record boundary: the
 *    probability the model gave to ending the list right after record i.
 *    This function owns the rule (README "P(close)"); every view asks it.
 *    The decision point comes from the grammar, not from token boundaries:
 *    JSON lists: after the record's closing "}" the first non-blank
 *      character decides: "," goes on; "]", a closing fence ("`") or an EOS
 *      ends the list.  When the completion step's token (the one holding the
 *      "}") has non-blank text after the brace, or any alternative at that
 *      step has (a merged "},\n" / "}]" vocabulary), the decision is that
 *      step: an alternative ends the list when it is an EOS or when its text
 *      after its "}" is blank or empty (it declined the comma offered in the
 *      same token) or starts, after blanks, with "]", "`" or an EOS; the
 *      chosen token ends it when the generated text after the brace reaches
 *      "]", "`" or an EOS step first (or the trace ends with finish "stop").
 *      Otherwise the decision is the first later step whose token is not
 *      blank-only; there a token (chosen or alternative) ends the list when
 *      after blanks it starts with "]" or "`", or is an EOS.
 *    Tag syntaxes: the step after the record's last piece (its completing
 *      byte, then the end tag: "</box>", "<|/det|>", "<|box_end|>",
 *      "</object>"; a Florence-2 record's 4th <loc_N>; a Molmo element's
 *      ">"), or for PaliGemma the completion step itself (the " ;"
 *      separator, or the final step of a stream the model ended).  Only an
 *      EOS ends the list.
 *    EOS: empty text (servers report EOS so), "<eos>", "<end_of_turn>",
 *      "<|im_end|>", "<|endoftext|>", "</s>", "<\uFF5Cend\u2581of\u2581
 *      sentence\uFF5C>" (DeepSeek), "<|eot_id|>", "<|end_of_text|>",
 *      "<|end|>", plus a run's own (run.json "eos_tokens"): exact text.
 *    P = the sum of exp(logprob) of the tokens at the decision step that
 *    end the list (the chosen token once, judged as above, with its own
 *    logprob), capped at 1.  NAN when the decision step has no
 *    alternatives or the trace ends before it.
 *    Per sample: max_before_tail = max over the boundaries after records
 *    0..tail_start-1 (all boundaries when there is no tail); at_tail_start =
 *    the value at the boundary after record tail_start-1 (shown as "after
 *    #tail_start" counting records from 1), the decision that began the
 *    repeated tail instead of closing (NAN without a tail or when the tail
 *    is the whole list).
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
/* The same, given known[0..n): dets matched in output order at a's
 * threshold against the same anns (metrics_match_image), or NULL.  When the
 * scores rank the dets in output order (non-increasing; ties keep it) that
 * is the ranked match too and the image is not matched again. */
ts_status conf_ap_add_image_known(conf_ap *a, int64_t image_id, const metrics_det *dets,
                                  const double *scores, size_t n, const gt_ann *anns,
                                  size_t n_ann, const match_state *known);

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

/* ---- P(close) ---- */

/* Extra EOS tokens (run.json "eos_tokens"); NULL or n == 0: none. */
typedef struct conf_eos {
	const char *const *tok;
	size_t n;
} conf_eos;

/* 1 when a token's text is an EOS (the list above or extra). */
int    conf_is_eos(const char *tok, size_t len, const conf_eos *extra);
/* Bytes at the end of s[0..len) that are EOS texts one after another
 * ("...dog<end_of_turn><eos>": 18); 0 when s does not end in one.  A
 * text-only trace (no token boundaries) ends its stream there. */
size_t conf_eos_tail(const char *s, size_t len, const conf_eos *extra);
/* 1 when a token starting a decision ends the list (tagged: EOS only). */
int    conf_is_end_token(const char *tok, size_t len, int tagged, const conf_eos *eos);

typedef struct conf_close {
	double p;        /* P(close), NAN when unknown */
	long   step;     /* the decision step, -1 when none */
	int    tagged;   /* a tag syntax: only EOS ends */
	int    in_token; /* JSON: decided inside the brace token */
	int    chosen_ends; /* the chosen token ended the list */
} conf_close;

/* The decision after record r (rules above). */
void   conf_close_decide(const trace *t, const record *r, const conf_eos *eos, conf_close *out);
/* 1 when an alternative with text s ends the list at decision c (the chosen
 * token is judged by what followed it: c->chosen_ends). */
int    conf_close_alt_ends(const conf_close *c, const char *s, size_t len, const conf_eos *eos);
/* conf_close_decide's p. */
double conf_close_prob(const trace *t, const record *r, const conf_eos *eos);

typedef struct conf_term {
	double max_before_tail; /* NAN when no boundary before the tail is defined */
	long   argmax;          /* record index of that boundary, -1 */
	double at_tail_start;   /* NAN without a tail or when undefined */
	size_t n_defined;       /* boundaries with a defined value */
} conf_term;

/* probs (may be NULL): receives P for each of the n boundaries. */
void conf_termination(const trace *t, const record *recs, size_t n, long tail_start,
                      const conf_eos *eos, double *probs, conf_term *out);

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
