/* compare.h — the logic of the comparison view and the per-sample diff:
 * the `o` stop-policy cycle, which value of a column is the worst, and the
 * samples of two runs over the same images matched and ordered with the ones
 * that got worse first.  Pure state, no curses (unit-tested headless).
 *
 * Diff: the samples of run A (the baseline) and run B are matched by their
 * image reference (slist_item.key: image_id, else file name, else custom id,
 * else the line number); a reference that occurs k times in a run is paired
 * with its k-th occurrence in the other.  A pair got worse when B has
 *   - fewer hits (TP at the run's hit threshold, 0.3 by default), both with
 *     ground truth,
 *   - more exact duplicates,
 *   - lost termination (A closed the list, B did not),
 *   - or B's line failed to load while A's did not;
 * better when, without getting worse, it improved on one of these.  Order:
 * worse (most criteria first, then most hits lost, then most duplicates
 * added, then A's file order), better, unchanged (A's order), then samples
 * found in one run only (A's, then B's, in file order).  Samples whose badges
 * are not computed yet are left out and counted (n_pending); while any are
 * pending an unmatched sample may still find its pair, so samples are
 * reported "only in A/B" only once both runs are complete. */
#ifndef TS_COMPARE_H
#define TS_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "slist.h"

/* ---- the `o` cycle ---- */

#define COMPARE_N_POL 8
enum { COMPARE_POL_OFF = 0, COMPARE_POL_REPEAT_STOP, COMPARE_POL_BUDGET, COMPARE_POL_NEAR_DUP,
       COMPARE_POL_DEDUP, COMPARE_POL_REP_DETECT, COMPARE_POL_LADDER, COMPARE_POL_CLOSE_PROB };
/* the policy lab's defaults in the cycle */
#define COMPARE_RD_POLICY "repetition_detection:64:8:3"
#define COMPARE_CLOSE_PROB_POLICY "close_prob:0.5"
#define COMPARE_DEFAULT_BUDGET 12
#define COMPARE_NEAR_DUP_IOU 900000000L /* 0.9 in policy units */

/* off, repeat_stop, budget:N (budget >= 1, else COMPARE_DEFAULT_BUDGET),
 * near_dup:0.9, dedup, repetition_detection:64:8:3, ladder:3, close_prob:0.5. */
void compare_policy_cycle(long budget, policy out[COMPARE_N_POL]);

/* ---- worst value of a column ---- */

/* Marks out[i] = 1 for every valid value equal to the worst one (the largest
 * when higher_worse, else the smallest), comparing the values rounded to
 * `decimals` decimals (as shown on screen).  Nothing is marked when fewer
 * than two values are valid or all valid values are equal (no run is worse
 * than another).  Non-finite values count as invalid.  Returns the number of
 * marks. */
size_t compare_worst(const double *v, const uint8_t *valid, size_t n, int higher_worse,
                     int decimals, uint8_t *out);

/* ---- sorting the runs by a column ---- */

/* order[0..n) receives 0..n-1 sorted by v: worst first (the largest when
 * higher_worse, else the smallest), reversed when rev; runs without a valid
 * value always last; ties in run order.  Values compare as shown (rounded
 * to `decimals`), so runs that look equal keep their order. */
void compare_order(const double *v, const uint8_t *valid, size_t n, int higher_worse, int decimals,
                   int rev, size_t *order);

/* ---- which runs compare ---- */

/* What the comparison needs of a run's run.json (run.h's run_info). */
typedef struct compare_run_desc {
	const char *model, *checkpoint, *prompt; /* NULL when absent */
	int coords;                              /* coords_kind; COORDS_AUTO when absent */
	long max_new_tokens, budget;             /* -1 when absent */
} compare_run_desc;

/* Token counts compare only between runs that emit the same output syntax
 * under the same token limit: every run has the same coords convention
 * (run.json "coords"; a run without one compares with none but its
 * equals) and the same max_new_tokens.  1 when they all do (n >= 2). */
int compare_tokens_comparable(const compare_run_desc *d, size_t n);

enum { COMPARE_DIFF_PROMPT = 1, COMPARE_DIFF_BUDGET = 2 };
/* Runs a and b are the same model and checkpoint (both named), the same
 * convention and token limit, and differ only by prompt and/or budget:
 * returns COMPARE_DIFF_PROMPT | COMPARE_DIFF_BUDGET for what differs, 0
 * when they are not such a pair (or do not differ at all). */
unsigned compare_prompt_variant(const compare_run_desc *a, const compare_run_desc *b);

/* ---- per-sample diff ---- */

enum {
	COMPARE_WORSE_HITS = 0x01,
	COMPARE_WORSE_DUPS = 0x02,
	COMPARE_WORSE_TERM = 0x04,
	COMPARE_WORSE_FAILED = 0x08,
	COMPARE_BETTER_HITS = 0x10,
	COMPARE_BETTER_DUPS = 0x20,
	COMPARE_BETTER_TERM = 0x40,
	COMPARE_BETTER_FAILED = 0x80,
};

typedef enum {
	COMPARE_CLS_WORSE = 0,
	COMPARE_CLS_BETTER,
	COMPARE_CLS_SAME,
	COMPARE_CLS_ONLY_A,
	COMPARE_CLS_ONLY_B,
} compare_cls;

#define COMPARE_NONE ((size_t)-1)

typedef struct compare_row {
	size_t a, b;       /* item indices (COMPARE_NONE: not in that run) */
	compare_cls cls;
	unsigned flags;    /* COMPARE_WORSE_* | COMPARE_BETTER_* */
	long d_hits;       /* B's hits - A's (0 without ground truth) */
	long d_dups;       /* B's duplicates - A's */
} compare_row;

typedef struct compare_diff {
	compare_row *rows;
	size_t n, cap;
	size_t n_worse, n_better, n_same, n_only_a, n_only_b;
	size_t n_pending;  /* items of A and B without badges yet */
} compare_diff;

void compare_diff_init(compare_diff *d);
void compare_diff_free(compare_diff *d);
/* Rebuilds d from the items of runs A and B.  Returns 0, or -1 when out of
 * memory (d is then empty). */
int  compare_diff_build(compare_diff *d, const slist_item *a, size_t na, const slist_item *b,
                        size_t nb);
/* Number of COMPARE_WORSE_* criteria of a row (a failed line counts 4, so
 * it comes first). */
int  compare_severity(const compare_row *r);

#endif
