/* repeat.h — exact-duplicate analysis of one sample's record list.
 *
 *   duplicates  = records - distinct records
 *   max_repeat  = most occurrences of one record (0 with no records)
 *   tail_start  = first index of the longest suffix made only of exact
 *                 duplicates of earlier records; -1 when there is none
 *   first_dup   = index of the first record that duplicates an earlier one; -1
 */
#ifndef TS_REPEAT_H
#define TS_REPEAT_H

#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "status.h"

typedef struct repeat_stats {
	size_t records;
	size_t distinct;
	size_t duplicates;
	size_t max_repeat;
	long tail_start;
	long first_dup;
} repeat_stats;

/* Per-record facts (arrays of n entries, caller-allocated, any may be NULL):
 *   dup_of[i]     index of the first occurrence of record i's value, -1 if i is it
 *   occurrence[i] 1-based occurrence number of record i's value so far
 *   total[i]      occurrences of record i's value in the whole list */
ts_status repeat_analyze(const record *recs, size_t n, repeat_stats *out,
                         long *dup_of, uint32_t *occurrence, uint32_t *total);

/* Stats of the prefix recs[0..k) given dup_of/occurrence computed over the
 * whole list (no re-hashing). */
void repeat_prefix_stats(const long *dup_of, const uint32_t *occurrence, size_t k,
                         repeat_stats *out);

#endif
