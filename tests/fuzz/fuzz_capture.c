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
 *     a capture never writes a line the viewer then skips. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "capture/cap_resp.h"
#include "capture/cap_sse.h"
#include "trace.h"

typedef struct ctx {
	cap_resp *r;
	int over; /* stopped, done or malformed */
} ctx;

static int on_event(void *ud, const char *d, size_t n)
{
	ctx *c = ud;
	ts_error e;
	cap_ev ev = cap_resp_event(c->r, d, n, &e);
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
	ctx c = { &r, 0 };
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
	cap_sse_free(&s);
	cap_resp_free(&r);
	return 0;
}
