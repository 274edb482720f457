/* policy.h — stop policies replayed on a recorded trace.
 *
 * Truncating policies stop decoding at an exact step, so replaying a recorded
 * trace under them is exact: the kept prefix is what the model would have
 * produced.
 *   off          keep everything
 *   repeat_stop  stop at the step that completes the first record that exactly
 *                duplicates an earlier one; that record and all after it are
 *                dropped, and the sample counts as closed
 *   budget:N     stop at the step that completes record N (1-based); records
 *                after it are dropped; closed (prompt-level budget replayed).
 *                Does not fire when the sample has N records or fewer.
 *   near_dup:T   stop at the step that completes the first record with the
 *                same label (exact unescaped bytes) as an earlier record and
 *                IoU >= T with it (0 < T <= 1); that record and all after it
 *                are dropped; closed.  An exact duplicate always counts (IoU
 *                taken as 1, even for a zero-area box), so near_dup never
 *                fires later than repeat_stop; with T = 1 it fires at the
 *                first record whose box equals an earlier one of the same
 *                label up to the order of corners.
 *                IoU is computed on the numbers as emitted: the axis pairs
 *                (v[0],v[2]) and (v[1],v[3]), each put in ascending order.
 *                That is the IoU in image pixels for every convention
 *                (qwen3, qwen25, gemini, paligemma, xyxy): each maps an
 *                emitted number to pixels by a positive per-axis scale
 *                (x/1000*W, x*W/W_in, v/1024*H, 1), IoU is invariant under
 *                per-axis scaling, and swapping the x and y axes of both boxes
 *                (gemini, loc are y first) does not change it either.  So no
 *                image size is needed.  Two distinct zero-area boxes have IoU 0.
 *                Each record is compared with the POLICY_NEAR_DUP_WINDOW
 *                (4096) previous records of its label (exact duplicates are
 *                found whatever the distance): real lists are far shorter;
 *                the window only keeps a crafted 100,000-record sample from
 *                costing minutes (cost O(r * min(r, 4096)) for the r records
 *                before the first exact duplicate).
 *   dedup        drop every exact duplicate but keep decoding: NOT a
 *                truncation, and an upper bound that a real decoder cannot
 *                reach (it needs the future to know what it would have
 *                emitted instead).  Never fires; tokens = all steps; the
 *                termination is the trace's own.  Its cut has drop_dups = 1:
 *                the kept records are the first occurrences (dup_of < 0) in
 *                recs[0..kept), and because a dropped duplicate may have taken
 *                a second ground-truth box that a later record now gets, the
 *                kept records must be matched again (policy_dedup_counts).
 *
 * Policies that read the trace (they need a policy_trace; without one they
 * never fire).  Each stops decoding after the token at stop_step, and, like a
 * server that ends the stream there, keeps every record completed at or
 * before that step (kept = records with last_step <= stop_step):
 *   repetition_detection:MAX:MIN:COUNT
 *                vLLM's repetition check (vllm/v1/core/sched/utils.py,
 *                check_sequence_repetition), run after every generated token
 *                on the output tokens so far: it fires at the first step t
 *                where, for some pattern length L with MIN <= L <= MAX and
 *                L * COUNT <= t + 1, the last L tokens occur COUNT times back
 *                to back at the end (tok[k] == tok[k - L] for every one of
 *                the last L * (COUNT - 1) positions k).  Tokens are compared
 *                by their exact bytes (policy_trace.tok: equal bytes, equal
 *                id), which is vLLM's token-id comparison whenever one token
 *                id has one text (traces that carried ids, vLLM's
 *                "token_id:N", are read as their bytes).  vLLM's rules on
 *                the parameters: MIN <= 0 counts as 1; MAX <= 0, COUNT < 2 or
 *                MIN > MAX disable it (never fires).  Here MAX <= 4096 and
 *                COUNT <= 65535 (cost O(steps * (MAX - MIN + 1))).
 *   ladder[:N]   Docling's DocTagsRepetitionStopper adapted to every record
 *                syntax and run after every record (default N = 3, 3..64):
 *                fires at the step completing record i when records
 *                i-N+1..i all have the same label (exact bytes) and either
 *                two of their boxes are equal (the emitted numbers) or the
 *                boxes step at one constant non-zero offset (box[k+1] -
 *                box[k] the same vector of emitted numbers for every k).
 *                Docling's own check allows 20% slack in the step and runs
 *                every 32 tokens; here the step is exact and the check runs
 *                at every record.
 *   close_prob:P stops the list at the first record boundary where the
 *                model's probability of closing the list there (P(close),
 *                conf_close_prob in confidence.h) is >= P (0 < P <= 1): the
 *                records up to that boundary are kept and the list closes;
 *                stop_step = that record's completion step.  A boundary
 *                whose P(close) is unknown (NAN) never fires, nor does the boundary after
 *                the last record when the model closed the list there.
 */
#ifndef TS_POLICY_H
#define TS_POLICY_H

#include <stddef.h>

#include "metrics.h"
#include "records.h"
#include "repeat.h"
#include "status.h"
#include "trace.h"

#define POLICY_KIND_LIST(X)              \
	X(POLICY_OFF,         "off")         \
	X(POLICY_REPEAT_STOP, "repeat_stop") \
	X(POLICY_BUDGET,      "budget")      \
	X(POLICY_NEAR_DUP,    "near_dup")    \
	X(POLICY_DEDUP,       "dedup")       \
	X(POLICY_REP_DETECT,  "repetition_detection") \
	X(POLICY_LADDER,      "ladder")      \
	X(POLICY_CLOSE_PROB,  "close_prob")

typedef enum {
#define POLICY_KIND_ENUM(name, text) name,
	POLICY_KIND_LIST(POLICY_KIND_ENUM)
#undef POLICY_KIND_ENUM
	POLICY_KIND_COUNT
} policy_kind;

/* Two fields only, so that positional initializers like { POLICY_OFF, 0 }
 * stay complete (-Wmissing-field-initializers). */
typedef struct policy {
	policy_kind kind;
	long n; /* budget: N; near_dup, close_prob: the threshold in billionths
	         * (0.9 -> 900000000, see policy_iou); ladder: N;
	         * repetition_detection: MAX | MIN << 16 | COUNT << 32 (as given,
	         * MIN may be <= 0 stored as 0: see policy_rd_*) */
} policy;

#define POLICY_LADDER_DEFAULT 3
#define POLICY_LADDER_MAX 64
#define POLICY_RD_MAX_PATTERN 4096
#define POLICY_RD_MAX_COUNT 65535L

/* repetition_detection's parameters (after vLLM's adjustments: min >= 1). */
long policy_rd_max(const policy *p);
long policy_rd_min(const policy *p);
long policy_rd_count(const policy *p);

#define POLICY_IOU_UNIT 1000000000L
#define POLICY_NEAR_DUP_WINDOW 4096

/* near_dup's threshold as a double: n / 1e9 (for a threshold written with
 * at most 9 decimals this is exactly the double strtod gives for it). */
double policy_iou(const policy *p);

/* "off", "repeat_stop", "budget:12", "near_dup:0.9", "dedup",
 * "repetition_detection:20:1:8", "ladder", "ladder:4", "close_prob:0.4"
 * (also "none", "repeat-stop", "near-dup:T").  The canonical name
 * ("budget:12", "near_dup:0.9" and "close_prob:0.4" with %g, "ladder:3")
 * is written into buf (at least 40 bytes) by policy_name. */
ts_status   policy_parse(const char *text, policy *out, ts_error *err);
const char *policy_name(const policy *p, char *buf, size_t bufsz);
/* "off", "repeat_stop", "budget", "near_dup", "dedup". */
const char *policy_kind_name(policy_kind k);
/* 1 for every policy but dedup (exact replays); 0 for dedup. */
int         policy_is_truncation(const policy *p);

typedef struct policy_cut {
	int fired;       /* the policy stopped decoding */
	size_t kept;     /* records kept: the prefix recs[0..kept) */
	long stop_step;  /* step where it fired, -1 when it did not */
	int drop_dups;   /* dedup: of the prefix, only first occurrences are kept */
} policy_cut;

/* What the trace-reading policies need of a sample's trace. */
typedef struct policy_trace {
	const uint32_t *tok;   /* n_steps token ids (policy_trace_tokens), NULL: none */
	size_t n_steps;
	const double *pclose;  /* per record: P(close) at the boundary after it
	                        * (NAN unknown), NULL: none */
	int closed;            /* the model closed the list right after its last
	                        * record (close_prob does not fire there: closing
	                        * is what the model did) */
} policy_trace;

/* first_dup: from repeat_analyze (-1 none).  tr may be NULL: the policies
 * that read the trace then never fire. */
policy_cut policy_apply(const policy *p, const record *recs, size_t n, long first_dup);
policy_cut policy_apply_trace(const policy *p, const record *recs, size_t n, long first_dup,
                              const policy_trace *tr);
/* 1 when the policy needs a policy_trace (repetition_detection, close_prob). */
int        policy_reads_trace(const policy *p);
/* 1 when it reads the trace's token ids (repetition_detection). */
int        policy_reads_tokens(const policy *p);

/* Token ids for repetition_detection: ids[i] for step i, equal ids exactly
 * when the steps' bytes are equal (first appearance order, from 0).
 * TS_ERR_NOMEM leaves ids unspecified. */
ts_status  policy_trace_tokens(const trace *t, uint32_t *ids);

/* A parameter sweep: "KIND:A..B/S" (close_prob, near_dup: A, A+S, ... <= B
 * (+1e-9); budget, ladder: whole numbers) or, for repetition_detection,
 * one of its three fields as a range ("repetition_detection:8:1:2..6/1").
 * Writes at most max policies into out; *n receives the count.  A text
 * without ".." is one policy (policy_parse).  TS_ERR_USAGE on a bad range
 * or more than max values. */
ts_status  policy_parse_sweep(const char *text, policy *out, size_t max, size_t *n,
                              ts_error *err);

/* IoU of two records' emitted numbers (see near_dup above); 1 when the four
 * numbers are equal. */
double policy_record_iou(const record *a, const record *b);

/* Repeat stats of what a drop_dups cut keeps, given the stats of the prefix:
 * records = distinct, duplicates 0, max_repeat 1 (0 with no records), no
 * tail, no first duplicate. */
void policy_dedup_stats(const repeat_stats *prefix, repeat_stats *out);

/* Matches the first occurrences among dets[0..n) (those with dup_of[i] < 0),
 * in output order, against one image's annotations at threshold t and adds
 * TP/FP/FN to *acc (metrics_match_image semantics).  TS_ERR_NOMEM leaves
 * *acc untouched. */
ts_status policy_dedup_counts(const metrics_det *dets, const long *dup_of, size_t n,
                              const gt_ann *anns, size_t n_ann, double t,
                              metrics_counts *acc);
/* The same matching with each record's state: state[i] / ann[i] (n entries,
 * either may be NULL) get the kept records' states and MATCH_FP / -1 for the
 * dropped duplicates.  TS_ERR_NOMEM leaves everything untouched. */
ts_status policy_dedup_match(const metrics_det *dets, const long *dup_of, size_t n,
                             const gt_ann *anns, size_t n_ann, double t,
                             match_state *state, long *ann, metrics_counts *acc);

#endif
