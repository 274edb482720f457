/* replay.h — the replay cursor over one sample's decoding steps.  Pure state,
 * no curses, no analysis types: the caller copies in what the analysis found.
 *
 * The cursor is a step index (0-based; shown 1-based as "step i/N").  The
 * records visible at the cursor are those completed at or before it
 * (rec_last[i] <= cursor).  With the policy on and a truncating policy
 * (repeat_stop, budget, near_dup) firing, decoding ends at stop_step: the
 * cursor never passes it, N becomes stop_step + 1 and at most `kept` records
 * are visible (for repeat-stop the record that completes at stop_step, the
 * first duplicate, is dropped).  With the policy on and drop_dups (dedup),
 * nothing is cut: decoding runs to the end and the records with dup[i] != 0
 * (exact duplicates) are dropped wherever they are. */
#ifndef TS_REPLAY_H
#define TS_REPLAY_H

#include <stddef.h>
#include <stdint.h>

typedef struct replay {
	long n_steps;             /* tokens in the trace */
	const uint32_t *rec_first;/* per record: step holding its first byte */
	const uint32_t *rec_last; /* per record: completion step (non-decreasing) */
	size_t n_rec;
	int closed;               /* the list closed by itself */
	long term_step;           /* closing step, else the last step (-1: no steps) */
	long tail_first;          /* first record of the repeated tail, -1 none */
	int fired;                /* the (truncating) policy fires on this sample */
	long stop_step;           /* its step (valid when fired) */
	size_t kept;              /* records it keeps (valid when fired) */
	int drop_dups;            /* dedup: drops dup[i] != 0 records, no cut */
	const uint8_t *dup;       /* per record: exact duplicate (with drop_dups) */
	int policy_on;            /* the policy shown on */
	long cursor;              /* current step; -1 only when n_steps == 0 */
} replay;

/* Last reachable step (-1 with no steps). */
long   replay_last(const replay *r);
/* Steps under the current policy (replay_last + 1). */
long   replay_len(const replay *r);
/* Clamps and sets the cursor. */
void   replay_set(replay *r, long step);
void   replay_step(replay *r, long delta);
void   replay_home(replay *r);
void   replay_end(replay *r);
/* Moves to the next/previous record boundary (a record's completion step);
 * with none left, to the end/start.  Returns the new cursor. */
long   replay_next_boundary(replay *r);
long   replay_prev_boundary(replay *r);
/* The termination point: the stop step with the policy on and firing; else
 * the closing step of a closed list; else the first step of the first tail
 * record; else the last step. */
long   replay_termination_point(const replay *r);
/* Records visible at the cursor. */
size_t replay_visible(const replay *r);
/* Records completed by `step` (no policy cap). */
size_t replay_records_upto(const replay *r, long step);
/* Toggles the policy.  A cursor at the end stays at the (new) end; a cursor
 * past the stop step is pulled back to it. */
void   replay_set_policy(replay *r, int on);
/* Record index whose span [first, last] holds step, else -1. */
long   replay_record_at(const replay *r, long step);
/* 1 when the record is dropped by the policy: policy on and index >= kept
 * (truncation fired), or an exact duplicate (drop_dups). */
int    replay_dropped(const replay *r, size_t rec);

#endif
