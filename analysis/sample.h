/* sample.h — one trace analysed: records, repeats, termination, policy
 * replays and matches against ground truth.
 *
 * termination (policy off):
 *   closed     the list was closed ("]" for JSON; end of stream for loc lists)
 *              and the model stopped by itself
 *   truncated  finish_reason "length" (token limit)
 *   stopped    a stop policy ended the list: tailscope capture closed the
 *              stream live (the trace's finish is TRACE_FINISH_POLICY), so
 *              neither the model closed it nor the token limit cut it
 *   malformed  the model stopped by itself but the list never closed or held
 *              junk between records (also: unknown finish reason and no close)
 * Under a policy that fires (any truncation: repeat_stop, budget, near_dup,
 * repetition_detection, ladder, close_prob) the sample is
 * "stopped" too, and tokens = stop_step + 1; otherwise tokens = all steps and
 * the termination is the trace's own.  A live capture's trace and the replay
 * of the same policy on the full recording therefore agree.
 *
 * Matching is greedy in output order, so a record's match state does not
 * depend on records after it: a policy's kept prefix keeps the states computed
 * for the full list, and FN = non-crowd ground truth boxes - TP of the prefix.
 */
#ifndef TS_SAMPLE_H
#define TS_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "confidence.h"
#include "coords.h"
#include "gt.h"
#include "metrics.h"
#include "policy.h"
#include "records.h"
#include "repeat.h"
#include "status.h"
#include "tide.h"
#include "trace.h"

#define TS_MAX_IOU 8

typedef enum {
	TERM_CLOSED = 0,
	TERM_TRUNCATED,
	TERM_MALFORMED,
	TERM_STOPPED,
} termination;

/* "closed", "truncated", "malformed", "stopped" */
const char *termination_name(termination t);
/* The termination rate counts these: the list ended cleanly, by the model
 * (closed) or by a stop policy (stopped) — not truncated, not malformed. */
int termination_ended(termination t);

typedef struct analysis_opts {
	coords_opts coords;
	double iou[TS_MAX_IOU]; /* thresholds, default {0.3, 0.5} */
	size_t n_iou;
	recparse_limits rec_limits;
	const char *object;     /* the run's request (run.json "object"), for traces
	                         * whose prompt is no request (sample_query); NULL none.
	                         * Borrowed: must outlive the samples. */
	conf_eos eos;           /* the run's extra EOS texts (run.json "eos_tokens") for
	                         * P(close); borrowed like object */
	int no_tokens;          /* 1: the samples keep no token ids, so a policy that reads
	                         * them (policy_reads_tokens) never fires on them; set by a
	                         * caller whose policies are all known and none reads them */
} analysis_opts;

void analysis_opts_default(analysis_opts *o);
/* Parses "0.3,0.5,0.75" into o->iou (each in (0,1]). */
ts_status analysis_parse_iou(const char *list, analysis_opts *o, ts_error *err);

/* Derived facts for one record. */
typedef struct sample_rec {
	double box[4];       /* x1,y1,x2,y2 in image pixels (valid when box_ok) */
	int box_ok;          /* image size known (or xyxy) */
	int cat;             /* gt category index, -1 unknown / no gt */
	long dup_of;         /* first occurrence index, -1 if this is it */
	uint32_t occurrence; /* 1-based occurrence of this value so far */
	uint32_t total;      /* occurrences of this value in the sample */
	int in_tail;         /* index >= tail_start */
	match_state match[TS_MAX_IOU]; /* per threshold (when gt loaded) */
	long match_gt[TS_MAX_IOU];     /* matched annotation (offset within the image's anns) or -1 */
	match_state m50;     /* match at TIDE_FG (0.5), for TIDE and calibration (with gt) */
	tide_kind tide;      /* TIDE error type at TIDE_FG / TIDE_BG (TIDE_NONE: TP, ignored, no gt) */
} sample_rec;

/* A policy's outcome on this sample. */
typedef struct sample_outcome {
	policy_cut cut;
	termination term;
	size_t tokens;
	repeat_stats rep;             /* over the kept records */
	metrics_counts counts[TS_MAX_IOU];
	/* for comparing policies (report --policy, the sweep):
	 *   steps_all      the trace's steps (tokens saved = steps_all - tokens)
	 *   has_tail       the full list (policy off) has a repeated tail
	 *   false_stop     the policy fired in a sample without a repeated tail
	 *   tail_unstopped a repeated tail and the policy did not fire
	 *   early_stop     it fired before the step completing the first exact
	 *                  duplicate (close_prob can; repeat_stop never does)
	 *   tp_lost[j]     TP of the full list at threshold j minus the policy's TP */
	size_t steps_all;
	int has_tail, false_stop, tail_unstopped, early_stop;
	size_t tp_lost[TS_MAX_IOU];
	/* TIDE error counts of the kept records (tide.h; with gt; tide_ok = 0
	 * for dedup, whose kept records are matched again) */
	tide_counts tide;
	int tide_ok;
} sample_outcome;

typedef struct sample sample;

/* Analyses trace t.  img (nullable) is the ground-truth image it refers to,
 * which gives the size and the annotations; g (nullable) resolves labels.
 * Without img, img_w/img_h (0 if unknown) give the size for pixel boxes. */
ts_status sample_analyze(const trace *t, const gt *g, const gt_image *img,
                         double img_w, double img_h, const analysis_opts *o,
                         sample **out, ts_error *err);
void sample_free(sample *s);
/* 1 when a record's box was placed only because the image size was known
 * (a convention other than xyxy pixels): analysed without the size (as
 * `report` does without a ground-truth size) the sample's facts would
 * differ.  0: the size changed nothing, the two analyses are the same. */
int sample_size_placed(const sample *s);

size_t             sample_n_records(const sample *s);
const record      *sample_records(const sample *s);
const sample_rec  *sample_rec_info(const sample *s);
const repeat_stats*sample_repeat(const sample *s);  /* policy off */
termination        sample_termination(const sample *s); /* policy off */
size_t             sample_n_steps(const sample *s);
rec_key            sample_key(const sample *s);
int                sample_has_gt(const sample *s);
const gt_image    *sample_image(const sample *s);   /* may be NULL */
const analysis_opts *sample_opts(const sample *s);
/* The sample's query: a prompt that asks for one object class the way
 * Moondream does ("Detect: insulator", "Point: insulator": Moondream 2's
 * detect/point template is "\n\nDetect: " + object + "\n\n"; the word is
 * matched without regard to case, white space around is trimmed, the object
 * must be one line), else the run's (analysis_opts.object, run.json
 * "object"); NULL when there is neither.
 *   - a record without a label (Moondream's {"x_min", ...} objects) takes the
 *     query as its label (sample_rec_label: the one place this is decided);
 *     without a query it keeps "" and matches nothing (a false positive);
 *   - when the query names a ground-truth category, the sample is a
 *     per-class request: only that category's boxes count (FN, AP), so one
 *     trace per (image, class) adds up to the class-aware F1 of the image. */
const char        *sample_query(const sample *s, size_t *len);
/* -1: every category's ground truth counts; else the query's category. */
int                sample_gt_cat(const sample *s);
/* Record i's label (raw bytes, untrusted: sanitize before printing) and
 * length: its own, or the query's when it has none (*from_query = 1). */
const char        *sample_rec_label(const sample *s, size_t i, int *from_query);
size_t             sample_rec_label_len(const sample *s, size_t i);
/* Parses a prompt as above: 1 and the object (q, len) when it is a request. */
int                sample_prompt_query(const char *prompt, const char **q, size_t *len);
/* Step where the list closed ("]"), else the last step; -1 with no steps. */
long               sample_termination_step(const sample *s);
/* Number of records completed at or before step. */
size_t             sample_records_upto(const sample *s, long step);

/* Outcome under a policy (computed on demand; cheap).  The one owner of a
 * policy's per-sample numbers, dedup included (report, plot, the debugger
 * and png all take them from here). */
sample_outcome     sample_outcome_for(const sample *s, const policy *p);

/* Per record (n entries each; ann may be NULL), the match state at threshold
 * index j under a policy's cut, as the outcome counts it: for truncations the
 * full list's states (matching is greedy in output order, so a kept prefix
 * keeps them); for dedup (drop_dups) the kept first occurrences matched
 * again and MATCH_FP / -1 for the dropped duplicates.  Without ground truth
 * every record is MATCH_FP / -1.  TS_ERR_NOMEM: out of memory (the arrays
 * then hold the full list's states). */
ts_status          sample_policy_matches(const sample *s, const policy_cut *cut, size_t j,
                                         match_state *state, long *ann);

#endif
