/* fuzz_records — the incremental record parser, differential.
 *
 * Input: byte 0 picks limits and the finish flag, bytes 1-4 seed the split,
 * the rest is the model's text.  The text is fed three ways:
 *   A  one byte per step (step = byte index; finish at step len),
 *   B  random chunks, empty ones included (step = chunk index; finish at
 *      step n_chunks), through a fresh parser,
 *   C  all of it as step 0 (finish at step 1), after recparse_reset of the
 *      parser used for A,
 *   D  B's chunks in one recparse_feed_steps call (a {off, len} table).
 * The parser promises the result does not depend on the split, and every
 * step it reports is the step holding a particular byte.  So B and C must
 * equal A with each step mapped through "which chunk holds byte i": same
 * count, labels, values, keys, opened/closed/junk flags, close and junk
 * steps, status; record_equal/record_hash agree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "records.h"

typedef struct run {
	recparse *p;
	size_t n_chunks;
	size_t *chunk_of; /* byte index (0..len) -> step */
} run;

static long map_step(const run *r, long byte_step)
{
	return byte_step < 0 ? -1 : (long)r->chunk_of[byte_step];
}

static void compare(const char *name, const run *a, const run *b)
{
	const recparse *pa = a->p, *pb = b->p;
	FZ_CHECK(recparse_status(pa) == recparse_status(pb), "%s: status %d vs %d", name,
	         (int)recparse_status(pa), (int)recparse_status(pb));
	size_t n = recparse_count(pa);
	FZ_CHECK(n == recparse_count(pb), "%s: %zu vs %zu records", name, n, recparse_count(pb));
	FZ_CHECK(recparse_key(pa) == recparse_key(pb), "%s: key", name);
	FZ_CHECK(recparse_opened(pa) == recparse_opened(pb), "%s: opened", name);
	FZ_CHECK(recparse_closed(pa) == recparse_closed(pb), "%s: closed", name);
	FZ_CHECK(recparse_junk(pa) == recparse_junk(pb), "%s: junk", name);
	FZ_CHECK(map_step(b, recparse_close_step(pa)) == recparse_close_step(pb), "%s: close step %ld vs %ld",
	         name, map_step(b, recparse_close_step(pa)), recparse_close_step(pb));
	FZ_CHECK(map_step(b, recparse_junk_step(pa)) == recparse_junk_step(pb), "%s: junk step %ld vs %ld",
	         name, map_step(b, recparse_junk_step(pa)), recparse_junk_step(pb));
	const record *ra = recparse_records(pa), *rb = recparse_records(pb);
	for (size_t i = 0; i < n; i++) {
		FZ_CHECK(ra[i].label_len == rb[i].label_len &&
		         memcmp(ra[i].label, rb[i].label, ra[i].label_len) == 0, "%s: record %zu label", name, i);
		FZ_CHECK(ra[i].label[ra[i].label_len] == '\0', "record %zu label not NUL-terminated", i);
		FZ_CHECK(memcmp(ra[i].v, rb[i].v, sizeof ra[i].v) == 0, "%s: record %zu values", name, i);
		FZ_CHECK(ra[i].key == rb[i].key, "%s: record %zu key", name, i);
		FZ_CHECK(map_step(b, ra[i].first_step) == (long)rb[i].first_step, "%s: record %zu first step %ld vs %u",
		         name, i, map_step(b, ra[i].first_step), rb[i].first_step);
		FZ_CHECK(map_step(b, ra[i].last_step) == (long)rb[i].last_step, "%s: record %zu last step %ld vs %u",
		         name, i, map_step(b, ra[i].last_step), rb[i].last_step);
		FZ_CHECK(record_equal(&ra[i], &rb[i]) && record_hash(&ra[i]) == record_hash(&rb[i]),
		         "%s: record %zu equal/hash", name, i);
		FZ_CHECK(ra[i].first_step <= ra[i].last_step, "record %zu steps %u..%u", i, ra[i].first_step,
		         ra[i].last_step);
		if (i > 0)
			FZ_CHECK(ra[i - 1].last_step <= ra[i].last_step, "record %zu completes before %zu", i, i - 1);
		/* numbers a syntax does not carry are 0; a tag stream has one syntax */
		int nv = rec_key_n_values(ra[i].key);
		FZ_CHECK(nv == 2 || nv == 4, "record %zu: %d numbers", i, nv);
		for (int k = nv; k < 4; k++)
			FZ_CHECK(ra[i].v[k] == 0, "record %zu: unused number %d is %g", i, k, ra[i].v[k]);
		if (rec_key_tagged(recparse_key(pa)))
			FZ_CHECK(ra[i].key == recparse_key(pa), "record %zu: key %d in a %d stream", i,
			         (int)ra[i].key, (int)recparse_key(pa));
	}
	/* record_equal is consistent with the hash within one list */
	for (size_t i = 1; i < n && i < 64; i++)
		if (record_equal(&ra[i], &ra[i - 1]))
			FZ_CHECK(record_hash(&ra[i]) == record_hash(&ra[i - 1]), "hash differs for equal records");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5 || size > 65536)
		return 0;
	uint8_t ctl = data[0];
	fz_rng rng;
	fz_rng_seed(&rng, data + 1, 4);
	const char *text = (const char *)data + 5;
	size_t len = size - 5;
	int stopped = ctl & 1;

	recparse_limits lim;
	recparse_limits_default(&lim);
	if (ctl & 2) { /* small caps so that the limit paths are reached */
		lim.max_records = 1 + ((ctl >> 2) & 7);
		lim.max_label_bytes = 1 + ((ctl >> 5) & 7);
		lim.max_number_chars = 1 + ((ctl >> 3) & 15);
		lim.max_depth = 1 + ((ctl >> 4) & 3);
	}

	run a = { recparse_new(&lim), len + 1, malloc((len + 1) * sizeof(size_t)) };
	run b = { recparse_new(&lim), 0, malloc((len + 1) * sizeof(size_t)) };
	run c = { NULL, 1, calloc(len + 1, sizeof(size_t)) };
	FZ_CHECK(a.p && b.p && a.chunk_of && b.chunk_of && c.chunk_of, "oom");

	/* A: byte by byte */
	for (size_t i = 0; i < len; i++) {
		a.chunk_of[i] = i;
		recparse_feed(a.p, text + i, 1, (uint32_t)i);
	}
	a.chunk_of[len] = len;
	recparse_finish(a.p, (uint32_t)len, stopped);

	/* B: random chunks of 0..16 bytes (sometimes longer) */
	size_t pos = 0, step = 0, st_cap = 0;
	uint32_t *st = NULL; /* D's table: off, len per chunk */
	while (pos < len) {
		uint32_t r = fz_rng_next(&rng);
		size_t k = (r & 0xF0) == 0xF0 ? (r >> 8) % 300 : (r >> 8) % 17;
		if (k > len - pos)
			k = len - pos;
		for (size_t i = 0; i < k; i++)
			b.chunk_of[pos + i] = step;
		recparse_feed(b.p, text + pos, k, (uint32_t)step);
		if (step == st_cap) {
			st_cap = st_cap ? 2 * st_cap : 64;
			st = realloc(st, st_cap * 2 * sizeof *st);
			FZ_CHECK(st, "oom");
		}
		st[2 * step] = (uint32_t)pos;
		st[2 * step + 1] = (uint32_t)k;
		pos += k;
		step++;
	}
	b.chunk_of[len] = step;
	b.n_chunks = step;
	recparse_finish(b.p, (uint32_t)step, stopped);
	compare("chunks", &a, &b);

	/* C: the whole text as one step, reusing B's parser after a reset */
	recparse_reset(b.p);
	c.p = b.p;
	recparse_feed(c.p, text, len, 0);
	c.chunk_of[len] = 1;
	recparse_finish(c.p, 1, stopped);
	compare("whole", &a, &c);

	/* D: B's chunks in one call, into a fresh parser */
	run d = { recparse_new(&lim), b.n_chunks, b.chunk_of };
	FZ_CHECK(d.p, "oom");
	FZ_CHECK(recparse_feed_steps(d.p, text, st, 2 * sizeof *st, b.n_chunks, len) ==
	         recparse_status(d.p), "feed_steps status");
	recparse_finish(d.p, (uint32_t)b.n_chunks, stopped);
	compare("steps", &a, &d);
	recparse_free(d.p);
	free(st);

	/* recparse_feed_split agrees with feeding chunk by chunk */
	recparse_reset(c.p);
	size_t offs[3] = { 0, len / 2, len };
	FZ_CHECK(recparse_feed_split(c.p, text, offs, 2) == recparse_status(c.p), "feed_split status");

	recparse_free(a.p);
	recparse_free(b.p);
	free(a.chunk_of);
	free(b.chunk_of);
	free(c.chunk_of);
	return 0;
}
