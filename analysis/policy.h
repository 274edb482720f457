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
 */
#ifndef TS_POLICY_H
#define TS_POLICY_H

#include <stddef.h>

#include "metrics.h"
#include "records.h"
#include "repeat.h"
#include "status.h"

#define POLICY_KIND_LIST(X)              \
	X(POLICY_OFF,         "off")         \
	X(POLICY_REPEAT_STOP, "repeat_stop") \
	X(POLICY_BUDGET,      "budget")      \
	X(POLICY_NEAR_DUP,    "near_dup")    \
	X(POLICY_DEDUP,       "dedup")

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
	long n; /* budget: N; near_dup: the IoU threshold in billionths
	         * (0.9 -> 900000000, see policy_iou) */
} policy;

#define POLICY_IOU_UNIT 1000000000L
#define POLICY_NEAR_DUP_WINDOW 4096

/* near_dup's threshold as a double: n / 1e9 (for a threshold written with
 * at most 9 decimals this is exactly the double strtod gives for it). */
double policy_iou(const policy *p);

/* "off", "repeat_stop", "budget:12", "near_dup:0.9", "dedup" (also "none",
 * "repeat-stop", "near-dup:T").  The canonical name ("budget:12",
 * "near_dup:0.9" with %g) is written into buf (at least 40 bytes) by
 * policy_name. */
ts_status   policy_parse(const char *text, policy *out, ts_error *err);
const char *policy_name(const policy *p, char *buf, size_t bufsz);
/* "off", "repeat_stop", "budget", "near_dup", "dedup". */
const char *policy_kind_name(policy_kind k);
/* 1 for off, repeat_stop, budget, near_dup (exact replays); 0 for dedup. */
int         policy_is_truncation(const policy *p);

typedef struct policy_cut {
	int fired;       /* the policy stopped decoding */
	size_t kept;     /* records kept: the prefix recs[0..kept) */
	long stop_step;  /* step where it fired, -1 when it did not */
	int drop_dups;   /* dedup: of the prefix, only first occurrences are kept */
} policy_cut;

/* first_dup: from repeat_analyze (-1 none). */
policy_cut policy_apply(const policy *p, const record *recs, size_t n, long first_dup);

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
