/* fuzz_capture — what a hostile server can send to `tailscope capture`.
 *
 * Input: byte 0 picks the policy (off, repeat_stop, budget:2, near_dup:0.5)
 * and small limits, bytes 1-4 seed the split, the rest is the HTTP body: an
 * SSE stream fed in random pieces through cap_sse into cap_resp, as the curl
 * write callback does.  A malformed event ends the response (the capture
 * would retry), as a stop does.  Oracles:
 *   - memory stays bounded (ASan; the SSE reader refuses events over 4 KiB here);
 *   - every line the capture writes is read back by the trace reader
 *     (trace_parse_line) with the same number of steps and the same bytes:
 *     a capture never writes a line the viewer then skips;
 *   - differential, the two readers of a chat.completion.chunk (capture's
 *     own scanner, cap_resp.c, and trace.h's trace_append_chunk, which
 *     `tailscope` uses on a recorded SSE file): every event the capture
 *     takes whole (CAP_EV_MORE) trace_append_chunk takes too, with the same
 *     steps (count, and bytes of each) — one chunk->steps rule, two readers
 *     (cap_resp.c says why).  After a stop or a limit cut mid-chunk the
 *     steps both have agree.  Not compared from an event holding an escaped
 *     NUL on (the capture keeps a NUL of delta.content, cJSON cuts there),
 *     nor from one with a repeated member name (JSON leaves it open).
 * tests/unit/test_capture.c replays the committed seeds through this
 * function in `make test` (gcc, no libFuzzer). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "capture/cap_resp.h"
#include "capture/cap_sse.h"
#include "trace.h"

#include <cJSON.h>

typedef struct ctx {
	cap_resp *r;
	int over; /* stopped, done or malformed */
	trace *t; /* the same events through trace_append_chunk */
	int t_ok; /* t took every event so far */
	const trace_limits *lim;
} ctx;

/* 1 when some object in v has two members of one name (JSON leaves their
 * meaning open: cJSON's get() takes the first, the capture's scanner the last
 * object-valued one). */
static int dup_keys(const cJSON *v)
{
	for (const cJSON *a = v ? v->child : NULL; a; a = a->next) {
		if (cJSON_IsObject(v) && a->string)
			for (const cJSON *b = a->next; b; b = b->next)
				if (b->string && !strcmp(a->string, b->string))
					return 1;
		if (dup_keys(a))
			return 1;
	}
	return 0;
}

/* The first min(n) steps of the capture and of t hold the same bytes. */
static void same_steps(const ctx *c)
{
	size_t n = trace_n_steps(c->t) < c->r->n_steps ? trace_n_steps(c->t) : c->r->n_steps;
	const trace_step *ts = trace_steps(c->t);
	for (size_t i = 0; i < n; i++) {
		const struct cap_step *cs = &c->r->steps[i];
		FZ_CHECK(ts[i].len == cs->len && !memcmp(trace_text(c->t) + ts[i].off, c->r->text.p + cs->off, cs->len),
		         "step %zu: trace_append_chunk has %u bytes, the capture %u", i, ts[i].len, cs->len);
	}
}

static int on_event(void *ud, const char *d, size_t n)
{
	ctx *c = ud;
	ts_error e;
	cap_ev ev = cap_resp_event(c->r, d, n, &e);
	/* a NUL (\u0000) in delta.content: the capture keeps it (written with
	 * "bytes"), cJSON ends the string there (trace.h) — the one known
	 * difference; stop comparing this response */
	for (size_t i = 0; i + 6 <= n && c->t_ok; i++)
		if (!memcmp(d + i, "\\u0000", 6))
			c->t_ok = 0;
	if (c->t_ok) {
		cJSON *j = cJSON_ParseWithLength(d, n);
		if (dup_keys(j))
			c->t_ok = 0;
		cJSON_Delete(j);
	}
	if (c->t_ok && (ev == CAP_EV_MORE || ev == CAP_EV_STOPPED)) {
		int done = 0;
		ts_error e2;
		ts_status st = trace_append_chunk(c->t, d, n, c->lim, 0, &done, &e2);
		if (ev == CAP_EV_MORE) {
			FZ_CHECK(st == TS_OK, "the capture took SSE event %zu whole, trace_append_chunk refused it: %s\n%.*s",
			         c->r->events, e2.msg, (int)(n > 1000 ? 1000 : n), d);
			FZ_CHECK(trace_n_steps(c->t) == c->r->n_steps, "after SSE event %zu: %zu steps from trace_append_chunk, %zu captured\n%.*s",
			         c->r->events, trace_n_steps(c->t), c->r->n_steps, (int)(n > 1000 ? 1000 : n), d);
		}
		c->t_ok = st == TS_OK && ev == CAP_EV_MORE;
		same_steps(c);
	}
	if (ev == CAP_EV_MORE)
		return 0;
	c->over = ev == CAP_EV_ERROR ? 2 : 1;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	static const char *const pols[] = { "off", "repeat_stop", "budget:2", "near_dup:0.5" };
	policy pol;
	policy_parse(pols[data[0] & 3], &pol, NULL);
	trace_limits lim;
	trace_limits_default(&lim);
	if (data[0] & 4) {
		lim.max_steps = 8;
		lim.max_token_bytes = 6;
		lim.max_alts = 2;
	}
	fz_rng rng;
	fz_rng_seed(&rng, data + 1, 4);
	const char *body = (const char *)data + 5;
	size_t n = size - 5;

	cap_resp r;
	cap_resp_init(&r, &lim, NULL, &pol);
	cap_sse s;
	cap_sse_init(&s, 4096);
	ctx c = { &r, 0, trace_new(TRACE_FMT_OPENAI_SSE), 1, &lim };
	FZ_CHECK(c.t != NULL, "out of memory");
	size_t at = 0;
	while (at < n && !c.over) {
		size_t piece = 1 + fz_rng_next(&rng) % 64;
		if (piece > n - at)
			piece = n - at;
		if (cap_sse_feed(&s, body + at, piece, on_event, &c) == CAP_SSE_TOOBIG)
			c.over = 2;
		at += piece;
	}
	if (c.over != 2) {
		cap_buf line;
		cap_buf_init(&line, 0);
		cap_ref ref = { 1, 7, "x.png" };
		FZ_CHECK(cap_resp_line(&r, &ref, "\"attempts\":1", &line) == 0, "line not written");
		trace *t = NULL;
		ts_error e;
		ts_status st = trace_parse_line(line.p, line.len - 1, &lim, &t, &e);
		FZ_CHECK(st == TS_OK, "the reader refuses the capture's line: %s\n%.*s", e.msg,
		         (int)(line.len > 2000 ? 2000 : line.len), line.p);
		FZ_CHECK(trace_n_steps(t) == r.n_steps, "%zu steps read, %zu captured",
		         trace_n_steps(t), r.n_steps);
		FZ_CHECK(trace_text_len(t) == r.text.len &&
		         (r.text.len == 0 || !memcmp(trace_text(t), r.text.p, r.text.len)),
		         "step bytes differ");
		trace_free(t);
		cap_buf_free(&line);
	}
	trace_free(c.t);
	cap_sse_free(&s);
	cap_resp_free(&r);
	return 0;
}
