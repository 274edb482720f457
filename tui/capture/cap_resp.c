/* cap_resp.c — a streamed chat completion into steps, live policy, and the
 * traces.jsonl line (see cap_resp.h). */
#include "cap_resp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"


void cap_resp_init(cap_resp *r, const trace_limits *lim, const recparse_limits *rl,
                   const policy *pol)
{
	memset(r, 0, sizeof *r);
	if (lim)
		r->lim = *lim;
	else
		trace_limits_default(&r->lim);
	r->pol = *pol;
	r->rp = recparse_new(rl);
	r->tok_cap = r->lim.max_token_bytes < ((size_t)1 << 20) ? r->lim.max_token_bytes : (size_t)1 << 20;
	r->tok = malloc(r->tok_cap + 1);
	r->tok2 = malloc(r->tok_cap + 1);
	cap_buf_init(&r->text, 0);
	cap_buf_init(&r->items, 0);
	cap_buf_init(&r->delta, r->tok_cap);
	r->first_dup = -1;
	r->stop_step = -1;
}

void cap_resp_free(cap_resp *r)
{
	recparse_free(r->rp);
	free(r->steps);
	free(r->dup_tab);
	free(r->tok);
	free(r->tok2);
	cap_buf_free(&r->text);
	cap_buf_free(&r->items);
	cap_buf_free(&r->delta);
	memset(r, 0, sizeof *r);
}

void cap_resp_reset(cap_resp *r)
{
	if (r->rp)
		recparse_reset(r->rp);
	r->n_steps = 0;
	cap_buf_reset(&r->text);
	cap_buf_reset(&r->items);
	if (r->dup_tab)
		memset(r->dup_tab, 0, r->dup_cap * sizeof *r->dup_tab);
	r->recs_seen = 0;
	r->distinct = 0;
	r->first_dup = -1;
	r->fired = 0;
	r->stop_step = -1;
	r->limit_cut = 0;
	r->limit_what[0] = '\0';
	r->done = 0;
	r->finish[0] = r->id[0] = r->model[0] = '\0';
	r->events = 0;
}

static cap_ev limit_cut(cap_resp *r, const char *what)
{
	if (!r->limit_cut) {
		r->limit_cut = 1;
		snprintf(r->limit_what, sizeof r->limit_what, "%s", what);
	}
	return CAP_EV_STOPPED;
}

static cap_ev step_end(cap_resp *r);

cap_ev cap_resp_step(cap_resp *r, const char *bytes, size_t len, const char *item, size_t item_len)
{
	if (r->fired || r->limit_cut)
		return CAP_EV_STOPPED;
	if (r->n_steps >= r->lim.max_steps)
		return limit_cut(r, "more than max_steps steps");
	if (len > r->lim.max_token_bytes)
		return limit_cut(r, "a token longer than max_token_bytes");
	if (r->text.len + len > UINT32_MAX)
		return limit_cut(r, "more than 4 GiB of token text");
	/* the line must stay within line_bytes: its items, message.content
	 * (at most 6 bytes per text byte once escaped) and 4 KiB of the rest */
	size_t room = r->lim.max_line_bytes;
	size_t need = 4096 + r->items.len + (item ? item_len : 6 * len + 64) + 6 * (r->text.len + len);
	if (need > room)
		return limit_cut(r, "the line would be longer than line_bytes");
	if (r->n_steps == r->cap_steps) {
		size_t cap = r->cap_steps ? r->cap_steps * 2 : 256;
		struct cap_step *s = realloc(r->steps, cap * sizeof *s);
		if (!s)
			return limit_cut(r, "out of memory");
		r->steps = s;
		r->cap_steps = cap;
	}
	size_t at = r->items.len;
	int bad = r->n_steps && cap_buf_add(&r->items, ",", 1);
	if (item)
		bad |= cap_buf_add(&r->items, item, item_len);
	else {
		/* delta text is valid UTF-8 (the scanner checked it) but may hold
		 * NUL (\u0000), which only "bytes" carries to the reader */
		bad |= cap_buf_add(&r->items, "{\"token\":", 9) || cap_json_str(&r->items, bytes, len);
		if (len && memchr(bytes, '\0', len)) {
			bad |= cap_buf_add(&r->items, ",\"bytes\":[", 10);
			for (size_t i = 0; i < len; i++)
				bad |= cap_buf_printf(&r->items, i ? ",%u" : "%u", (unsigned)(unsigned char)bytes[i]);
			bad |= cap_buf_add(&r->items, "]", 1);
		}
		bad |= cap_buf_add(&r->items, ",\"logprob\":null}", 16);
	}
	if (bad || cap_buf_add(&r->text, bytes, len)) {
		r->items.len = at;
		return limit_cut(r, "out of memory");
	}
	r->steps[r->n_steps].off = (uint32_t)(r->text.len - len);
	r->steps[r->n_steps].len = (uint32_t)len;
	r->n_steps++;
	return step_end(r);
}

/* Inserts record i into the duplicate table; returns 1 when it exactly
 * duplicates an earlier record. */
static int dup_insert(cap_resp *r, const record *recs, size_t i)
{
	if ((r->distinct + 1) * 2 > r->dup_cap) {
		size_t cap = r->dup_cap ? r->dup_cap * 2 : 64;
		uint32_t *t = calloc(cap, sizeof *t);
		if (!t && !r->dup_tab)
			return 0; /* out of memory: no duplicate is found (progress figures only) */
		if (!t)
			goto probe;
		for (size_t k = 0; k < r->dup_cap; k++) {
			uint32_t v = r->dup_tab[k];
			if (!v)
				continue;
			size_t h = (size_t)record_hash(&recs[v - 1]) & (cap - 1);
			while (t[h])
				h = (h + 1) & (cap - 1);
			t[h] = v;
		}
		free(r->dup_tab);
		r->dup_tab = t;
		r->dup_cap = cap;
	}
probe:;
	size_t h = (size_t)record_hash(&recs[i]) & (r->dup_cap - 1);
	while (r->dup_tab[h]) {
		if (record_equal(&recs[r->dup_tab[h] - 1], &recs[i]))
			return 1;
		h = (h + 1) & (r->dup_cap - 1);
	}
	r->dup_tab[h] = (uint32_t)(i + 1);
	r->distinct++;
	return 0;
}


/* Feeds the last step to the record parser and asks the policy. */
static cap_ev step_end(cap_resp *r)
{
	size_t k = r->n_steps - 1;
	const struct cap_step *s = &r->steps[k];
	if (recparse_feed(r->rp, r->text.p + s->off, s->len, (uint32_t)k) != TS_OK)
		return limit_cut(r, "more records than the records limit");
	size_t n = recparse_count(r->rp);
	if (n == r->recs_seen)
		return CAP_EV_MORE;
	const record *recs = recparse_records(r->rp);
	for (size_t i = r->recs_seen; i < n; i++)
		if (dup_insert(r, recs, i) && r->first_dup < 0)
			r->first_dup = (long)i;
	r->recs_seen = n;
	if (r->pol.kind == POLICY_OFF)
		return CAP_EV_MORE;
	policy_cut c = policy_apply(&r->pol, recs, n, r->first_dup);
	if (!c.fired || c.stop_step < 0 || (size_t)c.stop_step > k)
		return CAP_EV_MORE;
	/* The steps received so far stay: for repeat_stop and near_dup the
	 * stop step is this step; budget:N is known to cut only once record
	 * N+1 completes (policy.h: it does not fire on N records), so its
	 * trace runs to that step and a replay of it cuts at stop_step. */
	r->fired = 1;
	r->stop_step = c.stop_step;
	return CAP_EV_STOPPED;
}

size_t cap_resp_records(const cap_resp *r)
{
	return r->recs_seen;
}

size_t cap_resp_duplicates(const cap_resp *r)
{
	return r->recs_seen - r->distinct;
}

/* ---- chat.completion.chunk -> steps ---- */

#define key_is(k, n, lit) ((n) == sizeof(lit) - 1 && !memcmp((k), (lit), sizeof(lit) - 1))

/* "bytes": an array of integers 0..255 (digits only) into buf; -1 bad, -2 too long. */
static int read_bytes(jscan *j, char *buf, size_t cap, size_t *n)
{
	if (jscan_arr_begin(j))
		return -1;
	size_t k = 0;
	int r, over = 0;
	while ((r = jscan_arr_next(j)) == 1) {
		unsigned v;
		if (jscan_small_uint(j, &v) || v > 255)
			return -1;
		if (!buf)
			k++; /* count only */
		else if (k == cap)
			over = 1;
		else
			buf[k++] = (char)v;
	}
	if (r < 0)
		return -1;
	*n = k;
	return over ? -2 : 0;
}

static int read_token_obj(jscan *j, char *buf, char *tk, size_t cap, size_t *n, int top,
                          const char **what);

/* read_token_obj's reading of the compact form servers write,
 * {"token":S,"logprob":N,"bytes":[...]} then (top) ,"top_logprobs":[...],
 * then "}", without the object machinery (the generic reading's result:
 * the token goes to buf first, then the bytes over it, and they win).
 * 1: not that form or anything doubtful, j unchanged (the caller reads
 * the item generically, messages included); else read_token_obj's result. */
static int read_token_compact(jscan *j, char *buf, char *tk, size_t cap, size_t *n, int top,
                              const char **what)
{
	jscan save = *j;
	size_t tn = 0, bn = 0;
	int b = 0, e = 0, alt_over = 0;
	if (j->depth + 3 >= JSCAN_MAX_DEPTH || jscan_peek(j) != JSCAN_OBJ ||
	    !jscan_lit(j, "{\"token\":", 9) || jscan_peek(j) != JSCAN_STR ||
	    jscan_str(j, tk, tk ? cap : 0, &tn) == -1 || !jscan_lit(j, ",\"logprob\":", 11) ||
	    jscan_peek(j) != JSCAN_NUM || jscan_skip(j, NULL, NULL) || !jscan_lit(j, ",\"bytes\":", 9))
		goto generic;
	j->depth++; /* the object's level, as jscan_obj_begin counts it */
	if (jscan_peek(j) != JSCAN_ARR || (b = read_bytes(j, buf, cap, &bn)) == -1)
		goto generic;
	if (top && jscan_lit(j, ",\"top_logprobs\":", 16)) {
		if (jscan_peek(j) != JSCAN_ARR || jscan_arr_begin(j))
			goto generic;
		while ((e = jscan_arr_next(j)) == 1) {
			size_t an;
			int a = read_token_obj(j, NULL, NULL, cap, &an, 0, what);
			if (a == -1)
				goto generic;
			alt_over |= a == -2;
		}
		if (e < 0)
			goto generic;
	}
	j->depth--;
	if (!jscan_lit(j, "}", 1))
		goto generic;
	/* a placeholder step (the generic reading says why it is refused) */
	if (tk && (tn > cap || trace_step_text_unknown(tk, strnlen(tk, tn), buf, bn)))
		goto generic;
	*n = bn;
	return b == -2 || bn > cap || alt_over ? -2 : 0;
generic:
	*j = save;
	return 1;
}

/* One token object (a logprobs.content item or one of its top_logprobs),
 * checked as the trace reader will read it.  The chosen token's bytes go to
 * buf (*n) when buf is not NULL.  Returns 0, -1 malformed (why in *what),
 * -2 a token over the limit. */
/* One logprobs.content item (top: a step, else an alternative).  A step's
 * token string goes to tk, its bytes to buf; *n is the length of what the
 * reader takes (in buf).  -1 malformed (*what), -2 over cap, 0 taken. */
static int read_token_obj(jscan *j, char *buf, char *tk, size_t cap, size_t *n, int top,
                          const char **what)
{
	int c = read_token_compact(j, buf, tk, cap, n, top, what);
	if (c != 1)
		return c;
	if (jscan_obj_begin(j)) {
		*what = "is not an object";
		return -1;
	}
	const char *k;
	size_t kl, tn = 0, bn = 0;
	int r, have_tok = 0, have_bytes = 0, tok_over = 0, bytes_over = 0, alt_over = 0;
	char *tokbuf = tk, *bbuf = buf;
	while ((r = jscan_obj_next(j, &k, &kl)) == 1) {
		jscan_type t = jscan_peek(j);
		if (key_is(k, kl, "bytes") && t != JSCAN_NULL && !have_bytes) {
			int b = t == JSCAN_ARR ? read_bytes(j, bbuf, cap, &bn) : -1;
			if (b == -1) {
				*what = "has bytes that are not an array of integers 0-255";
				return -1;
			}
			bytes_over = b == -2 || bn > cap;
			have_bytes = 1;
		} else if (key_is(k, kl, "token") && t != JSCAN_NULL && !have_tok) {
			if (t != JSCAN_STR) {
				*what = "has a token that is not a string";
				return -1;
			}
			int s = jscan_str(j, tokbuf, tokbuf ? cap : 0, &tn);
			if (s == -1) {
				*what = "has a malformed token string";
				return -1;
			}
			tok_over = (s == -2 && tokbuf) || tn > cap;
			have_tok = 1;
		} else if ((key_is(k, kl, "prob") || key_is(k, kl, "probs") || key_is(k, kl, "top_probs") ||
		            key_is(k, kl, "tok_str") || key_is(k, kl, "content")) && t != JSCAN_NULL) {
			/* llama.cpp /completion fields: the reader would read them in
			 * place of missing ones; an OpenAI chunk has none */
			*what = "has a field of another shape (prob, probs, top_probs, tok_str, content)";
			return -1;
		} else if (key_is(k, kl, "logprob") && t != JSCAN_NULL && t != JSCAN_NUM) {
			*what = "has a logprob that is not a number";
			return -1;
		} else if (key_is(k, kl, "top_logprobs") && t != JSCAN_NULL && top) {
			if (t != JSCAN_ARR || jscan_arr_begin(j)) {
				*what = "has top_logprobs that is not an array";
				return -1;
			}
			int e;
			while ((e = jscan_arr_next(j)) == 1) {
				size_t an;
				int a = read_token_obj(j, NULL, NULL, cap, &an, 0, what);
				if (a == -1)
					return -1;
				alt_over |= a == -2;
			}
			if (e < 0) {
				*what = "has malformed top_logprobs";
				return -1;
			}
		} else if (jscan_skip(j, NULL, NULL)) {
			*what = "is malformed";
			return -1;
		}
	}
	if (r < 0) {
		*what = "is malformed";
		return -1;
	}
	if (!have_tok && !have_bytes) {
		*what = "has no token or bytes";
		return -1;
	}
	/* what the reader takes: bytes when present, else the token up to a
	 * NUL (cJSON ends a string at \u0000) */
	if (have_tok && tk)
		tn = strnlen(tk, tn < cap ? tn : cap); /* a cut token holds cap bytes */
	if (!have_bytes && buf)
		memcpy(buf, tk, tn);
	if (have_tok && tk && !tok_over &&
	    trace_step_text_unknown(tk, tn, have_bytes ? buf : NULL, have_bytes ? bn : 0)) {
		*what = "has a token_id:N placeholder without its bytes: the text is unknown "
		        "(return_tokens_as_token_ids)";
		return -1;
	}
	*n = have_bytes ? bn : tn;
	return (have_bytes ? bytes_over : tok_over) || alt_over ? -2 : 0;
}

/* Copies the member value of a string key into dst (cut to fit). */
static void read_small_str(jscan *j, char *dst, size_t cap)
{
	size_t n = 0;
	if (jscan_peek(j) == JSCAN_STR) {
		int s = jscan_str(j, dst, cap - 1, &n);
		if (s == -2)
			n = cap - 1;
		dst[s == -1 ? 0 : n] = '\0';
	} else {
		jscan_skip(j, NULL, NULL);
	}
}

static cap_ev malformed(cap_resp *r, ts_error *err, const char *what)
{
	ts_error_set(err, TS_ERR_FORMAT, "SSE event %zu %s", r->events, what);
	return CAP_EV_ERROR;
}

/* choices[0].logprobs: one step per "content" item, its JSON kept as sent. */
static cap_ev chunk_items(cap_resp *r, jscan *j, ts_error *err, int *saw_items)
{
	const char *k;
	size_t kl;
	jscan_obj_begin(j);
	while (jscan_obj_next(j, &k, &kl) == 1) {
		if (!key_is(k, kl, "content") || jscan_peek(j) == JSCAN_NULL) {
			if (jscan_skip(j, NULL, NULL))
				break;
			continue;
		}
		if (jscan_peek(j) != JSCAN_ARR || jscan_arr_begin(j))
			return malformed(r, err, ": logprobs.content is not an array");
		*saw_items = 1; /* even empty: the reader then takes no delta text */
		if (!r->tok || !r->tok2)
			return limit_cut(r, "out of memory");
		for (size_t i = 0; jscan_arr_next(j) == 1; i++) {
			const char *s0 = (jscan_peek(j), j->p), *what = "";
			size_t n = 0;
			int rt = read_token_obj(j, r->tok, r->tok2, r->tok_cap, &n, 1, &what);
			if (rt == -1) {
				char w[96];
				snprintf(w, sizeof w, ": logprobs.content[%zu] %s", i, what);
				return malformed(r, err, w);
			}
			if (rt == -2)
				return limit_cut(r, "a token longer than max_token_bytes");
			if (cap_resp_step(r, r->tok, n, s0, (size_t)(j->p - s0)) != CAP_EV_MORE)
				return CAP_EV_STOPPED;
		}
	}
	return CAP_EV_MORE;
}

/* What choices[0] said besides logprobs: delta.content and a completions
 * chunk's "text" (the reader's fallback when delta.content is absent), each
 * 0 absent or null, 1 a string, -1 something else; judged at the end of the
 * event, as the trace reader judges them (only without logprobs.content). */
typedef struct chunk_text_st {
	int items, content, text;
} chunk_text_st;

/* A string member into r->delta (when the slot is free); *state as above. */
static cap_ev chunk_text(cap_resp *r, jscan *j, ts_error *err, int *state)
{
	jscan_type t = jscan_peek(j);
	if (t != JSCAN_STR) {
		*state = t == JSCAN_NULL ? 0 : -1;
		return jscan_skip(j, NULL, NULL) ? malformed(r, err, "is not well-formed JSON") : CAP_EV_MORE;
	}
	size_t n = 0;
	char *dst = cap_buf_reserve(&r->delta, r->tok_cap);
	int s = dst ? jscan_str(j, dst, r->tok_cap, &n) : -1;
	if (s == -1)
		return malformed(r, err, ": delta.content is malformed");
	if (s == -2)
		return limit_cut(r, "a token longer than max_token_bytes");
	r->delta.len = n;
	*state = 1;
	return CAP_EV_MORE;
}

/* choices[0].delta: its "content" (the first member of that name). */
static cap_ev chunk_delta(cap_resp *r, jscan *j, ts_error *err, chunk_text_st *ts)
{
	const char *k;
	size_t kl;
	int seen = 0;
	jscan_obj_begin(j);
	while (jscan_obj_next(j, &k, &kl) == 1) {
		if (key_is(k, kl, "content") && !seen) {
			seen = 1;
			cap_ev ev = chunk_text(r, j, err, &ts->content);
			if (ev != CAP_EV_MORE)
				return ev;
		} else if (jscan_skip(j, NULL, NULL)) {
			break;
		}
	}
	return CAP_EV_MORE;
}

/* The choice index of the element at j as the trace reader counts it
 * (trace_choice_index: "index" a number in [0, 1e9), truncated, else the
 * position), read ahead on a copy of the scanner. */
static long choice_index(const jscan *j, long pos)
{
	jscan t = *j;
	const char *k;
	size_t kl;
	if (jscan_peek(&t) != JSCAN_OBJ || jscan_obj_begin(&t))
		return pos;
	while (jscan_obj_next(&t, &k, &kl) == 1) {
		if (key_is(k, kl, "index")) {
			double v;
			if (jscan_peek(&t) != JSCAN_NUM || jscan_num(&t, &v))
				return pos;
			return v >= 0 && v < 1e9 ? (long)v : pos;
		}
		if (jscan_skip(&t, NULL, NULL))
			return pos;
	}
	return pos;
}

/* "choices": the first element with choice index 0 (the one the trace reader
 * takes: its logprobs, delta and finish_reason); the others skipped. */
static cap_ev chunk_choices(cap_resp *r, jscan *j, ts_error *err, chunk_text_st *ts)
{
	const char *k;
	size_t kl;
	int taken = 0;
	if (jscan_peek(j) != JSCAN_ARR || jscan_arr_begin(j))
		return malformed(r, err, ": choices is not an array");
	for (long idx = 0; jscan_arr_next(j) == 1; idx++) {
		if (taken || choice_index(j, idx) != 0) {
			if (jscan_skip(j, NULL, NULL))
				break;
			continue;
		}
		taken = 1;
		if (jscan_peek(j) != JSCAN_OBJ)
			return malformed(r, err, ": choices[0] is not an object");
		jscan_obj_begin(j);
		while (jscan_obj_next(j, &k, &kl) == 1) {
			jscan_type t = jscan_peek(j);
			cap_ev ev = CAP_EV_MORE;
			if (key_is(k, kl, "logprobs") && t == JSCAN_OBJ)
				ev = chunk_items(r, j, err, &ts->items);
			else if (key_is(k, kl, "delta") && t == JSCAN_OBJ)
				ev = chunk_delta(r, j, err, ts);
			else if (key_is(k, kl, "text") && ts->content != 1)
				ev = chunk_text(r, j, err, &ts->text); /* a later delta.content overwrites it */
			else if (key_is(k, kl, "finish_reason") && t == JSCAN_STR)
				read_small_str(j, r->finish, sizeof r->finish);
			else if (jscan_skip(j, NULL, NULL))
				break;
			if (ev != CAP_EV_MORE)
				return ev;
		}
	}
	return CAP_EV_MORE;
}

/* An "error" member (vLLM sends one mid-stream): its message into err. */
static cap_ev chunk_error(jscan *j, ts_error *err)
{
	const char *k;
	size_t kl;
	char msg[320] = "(no message)";
	jscan_type t = jscan_peek(j);
	if (t == JSCAN_STR) {
		read_small_str(j, msg, sizeof msg);
	} else if (t == JSCAN_OBJ) {
		jscan_obj_begin(j);
		while (jscan_obj_next(j, &k, &kl) == 1) {
			if (key_is(k, kl, "message"))
				read_small_str(j, msg, sizeof msg);
			else if (jscan_skip(j, NULL, NULL))
				break;
		}
	}
	ts_error_set(err, TS_ERR_FORMAT, "server error in the stream: %s", msg);
	return CAP_EV_ERROR;
}

/* Why not trace.h's trace_append_chunk (the reader `tailscope` uses on a
 * recorded SSE file)?  The line keeps each logprobs.content item byte for
 * byte as the server sent it (no number re-formatted), which needs the
 * item's span in the event — this scanner's job whatever builds the steps;
 * trace_append_chunk parses the event again into a cJSON tree.  Measured
 * with build/bench/capture_bench (500 requests x 1,000 tokens, 5
 * alternatives, concurrency 8, median of 5, two runs): the capture client
 * 2.15-2.38 ms CPU per 1,000 tokens today, 9.45-9.88 ms when every event
 * also goes through trace_append_chunk — 4.1-4.4x the client CPU (with the
 * choice-index look-ahead below: 2.16-2.41 ms, no change).  So two
 * readers of one chunk->steps rule, and a differential test says they agree:
 * tests/fuzz/fuzz_capture.c (every event this scanner takes whole,
 * trace_append_chunk takes with the same steps; replayed over the seeds by
 * tests/unit/test_capture.c in `make test`).  Known differences, left out
 * there: a NUL in delta.content (kept here, cut by cJSON) and JSON with a
 * repeated member name.
 *
 * Appends the steps of one chat.completion.chunk's choices[0]: one step per
 * "logprobs"."content" item (its bytes, its JSON kept as sent), or, for a
 * server that sends no logprobs, the "delta"."content" text as one step.
 * Records finish_reason, id and model; an "error" member is the server's
 * error.  Stops at the step where the policy fires.  (The helpers above
 * walk the members; this is the one entry point.) */
static cap_ev chunk_steps(cap_resp *r, const char *data, size_t len, ts_error *err)
{
	jscan J, *j = &J;
	const char *k;
	size_t kl;
	int m, saw_choices = 0;
	chunk_text_st ts = { 0, 0, 0 };
	jscan_init(j, data, len);
	if (jscan_peek(j) != JSCAN_OBJ)
		return malformed(r, err, "is not a JSON object");
	jscan_obj_begin(j);
	cap_buf_reset(&r->delta);
	while ((m = jscan_obj_next(j, &k, &kl)) == 1) {
		jscan_type t = jscan_peek(j);
		cap_ev ev = CAP_EV_MORE;
		if (key_is(k, kl, "choices")) {
			saw_choices = 1;
			ev = chunk_choices(r, j, err, &ts);
		} else if (key_is(k, kl, "error") && t != JSCAN_NULL) {
			return chunk_error(j, err);
		} else if (key_is(k, kl, "id") && t == JSCAN_STR && !r->id[0]) {
			read_small_str(j, r->id, sizeof r->id);
		} else if (key_is(k, kl, "model") && t == JSCAN_STR && !r->model[0]) {
			read_small_str(j, r->model, sizeof r->model);
		} else if (jscan_skip(j, NULL, NULL)) {
			break;
		}
		if (ev != CAP_EV_MORE)
			return ev;
	}
	if (j->err || m < 0 || !jscan_end(j))
		return malformed(r, err, "is not well-formed JSON");
	if (!saw_choices)
		return malformed(r, err, ": no choices array");
	if (!ts.items && (ts.content < 0 || (!ts.content && ts.text < 0)))
		return malformed(r, err, ts.content < 0 ? ": delta.content is not a string" : ": text is not a string");
	if (!ts.items && r->delta.len &&
	    trace_step_text_unknown(r->delta.p, strnlen(r->delta.p, r->delta.len), NULL, 0))
		return malformed(r, err, ": delta.content is a token_id:N placeholder: the text is unknown "
		                 "(return_tokens_as_token_ids)");
	if (!ts.items && r->delta.len &&
	    cap_resp_step(r, r->delta.p, r->delta.len, NULL, 0) != CAP_EV_MORE)
		return CAP_EV_STOPPED;
	return CAP_EV_MORE;
}

cap_ev cap_resp_event(cap_resp *r, const char *data, size_t len, ts_error *err)
{
	r->events++;
	while (len && (data[len - 1] == ' ' || data[len - 1] == '\n'))
		len--;
	if (len == 6 && !memcmp(data, "[DONE]", 6)) {
		r->done = 1;
		return CAP_EV_DONE;
	}
	if (r->fired || r->limit_cut)
		return CAP_EV_STOPPED;
	return chunk_steps(r, data, len, err);
}

/* ---- the traces.jsonl line ---- */

int cap_resp_line(const cap_resp *r, const cap_ref *ref, const char *meta_json, cap_buf *o)
{
	int bad = cap_buf_add(o, "{", 1);
	if (ref->has_id)
		bad |= cap_buf_printf(o, "\"image_id\":%lld,", (long long)ref->image_id);
	if (ref->file_name)
		bad |= cap_buf_puts(o, "\"file_name\":") ||
		       cap_json_str(o, ref->file_name, strlen(ref->file_name)) ||
		       cap_buf_add(o, ",", 1);
	bad |= cap_buf_puts(o, "\"object\":\"chat.completion\"");
	if (r->id[0])
		bad |= cap_buf_puts(o, ",\"id\":") || cap_json_str(o, r->id, strlen(r->id));
	if (r->model[0])
		bad |= cap_buf_puts(o, ",\"model\":") || cap_json_str(o, r->model, strlen(r->model));
	bad |= cap_buf_puts(o, ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
	                       "\"content\":") ||
	       cap_json_str(o, r->text.p ? r->text.p : "", r->text.len) ||
	       cap_buf_puts(o, "},\"logprobs\":{\"content\":[");
	bad |= cap_buf_add(o, r->items.p ? r->items.p : "", r->items.len);
	bad |= cap_buf_add(o, "]},", 3);
	char pname[48];
	policy_name(&r->pol, pname, sizeof pname);
	if (r->fired)
		bad |= cap_buf_printf(o, "\"finish_reason\":\"stop\",\"stop_reason\":\"%s\"",
		                      policy_kind_name(r->pol.kind));
	else if (r->limit_cut)
		bad |= cap_buf_puts(o, "\"finish_reason\":\"length\",\"stop_reason\":\"tailscope_limit\"");
	else if (r->finish[0])
		bad |= cap_buf_puts(o, "\"finish_reason\":") ||
		       cap_json_str(o, r->finish, strlen(r->finish));
	else
		bad |= cap_buf_puts(o, "\"finish_reason\":null");
	bad |= cap_buf_puts(o, "}],\"capture\":{\"policy\":") ||
	       cap_json_str(o, pname, strlen(pname)) ||
	       cap_buf_printf(o, ",\"steps\":%zu", r->n_steps);
	if (r->fired)
		bad |= cap_buf_printf(o, ",\"stop_step\":%ld", r->stop_step);
	if (r->limit_cut)
		bad |= cap_buf_puts(o, ",\"cut\":") || cap_json_str(o, r->limit_what, strlen(r->limit_what));
	if (r->finish[0] && (r->fired || r->limit_cut))
		bad |= cap_buf_puts(o, ",\"server_finish_reason\":") ||
		       cap_json_str(o, r->finish, strlen(r->finish));
	if (meta_json && *meta_json)
		bad |= cap_buf_add(o, ",", 1) || cap_buf_puts(o, meta_json);
	bad |= cap_buf_add(o, "}}\n", 3);
	return bad || o->over ? -1 : 0;
}
