/* repeat.c — exact duplicates in one record list (open-addressing hash). */
#include "repeat.h"

#include <stdlib.h>

ts_status repeat_analyze(const record *recs, size_t n, repeat_stats *out,
                         long *dup_of_out, uint32_t *occ_out, uint32_t *total_out)
{
	repeat_stats st = { .records = n, .tail_start = -1, .first_dup = -1 };
	if (n == 0) {
		*out = st;
		return TS_OK;
	}
	size_t cap = 16;
	while (cap < n * 2)
		cap <<= 1;
	long *slots = malloc(cap * sizeof *slots);   /* record index of first occurrence, -1 empty */
	long *dup_of = dup_of_out ? dup_of_out : malloc(n * sizeof *dup_of);
	uint32_t *count = calloc(n, sizeof *count);  /* by first-occurrence index */
	uint32_t *occ = occ_out ? occ_out : malloc(n * sizeof *occ);
	if (!slots || !dup_of || !count || !occ) {
		free(slots);
		if (!dup_of_out) free(dup_of);
		free(count);
		if (!occ_out) free(occ);
		return TS_ERR_NOMEM;
	}
	for (size_t i = 0; i < cap; i++)
		slots[i] = -1;
	for (size_t i = 0; i < n; i++) {
		size_t h = (size_t)record_hash(&recs[i]) & (cap - 1);
		long first = -1;
		while (slots[h] >= 0) {
			if (record_equal(&recs[slots[h]], &recs[i])) {
				first = slots[h];
				break;
			}
			h = (h + 1) & (cap - 1);
		}
		if (first < 0) {
			slots[h] = (long)i;
			first = (long)i;
			st.distinct++;
		} else if (st.first_dup < 0) {
			st.first_dup = (long)i;
		}
		dup_of[i] = first == (long)i ? -1 : first;
		occ[i] = ++count[first];
		if (count[first] > st.max_repeat)
			st.max_repeat = count[first];
	}
	st.duplicates = n - st.distinct;
	/* Longest suffix made only of duplicates of earlier records. */
	size_t t = n;
	while (t > 0 && dup_of[t - 1] >= 0)
		t--;
	st.tail_start = t < n ? (long)t : -1;
	if (total_out)
		for (size_t i = 0; i < n; i++)
			total_out[i] = count[dup_of[i] >= 0 ? (size_t)dup_of[i] : i];
	free(slots);
	free(count);
	if (!dup_of_out)
		free(dup_of);
	if (!occ_out)
		free(occ);
	*out = st;
	return TS_OK;
}

void repeat_prefix_stats(const long *dup_of, const uint32_t *occurrence, size_t k,
                         repeat_stats *out)
{
	repeat_stats st = { .records = k, .tail_start = -1, .first_dup = -1 };
	for (size_t i = 0; i < k; i++) {
		if (dup_of[i] < 0) {
			st.distinct++;
		} else if (st.first_dup < 0) {
			st.first_dup = (long)i;
		}
		if (occurrence[i] > st.max_repeat)
			st.max_repeat = occurrence[i];
	}
	st.duplicates = k - st.distinct;
	/* The prefix's tail: the longest suffix of recs[0..k) of duplicates. */
	size_t t = k;
	while (t > 0 && dup_of[t - 1] >= 0)
		t--;
	st.tail_start = t < k ? (long)t : -1;
	*out = st;
}
