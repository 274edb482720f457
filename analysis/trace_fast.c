/* trace_fast.c — the native trace line read straight from the scanner
 * (jscan.h), without a cJSON tree: the hot path of the reader.
 *
 * It takes only the plain native shape, every field at most once and never
 * null: {"image_id": integer, "file_name", "custom_id", "prompt": strings,
 * "finish_reason": string, "meta": anything (not read), "tokens": [ {"token":
 * string, "logprob": number, "top_logprobs": [{"token", "logprob"}...]}...]}
 * (tokens non-empty).  The values go through trace.c's builder (the same
 * put_token/logprob rules as the cJSON path).  Anything else — another key,
 * a duplicate, null, bytes, an escaped NUL, Python's NaN, a builder error,
 * a string longer than the buffer — is "not taken" and the caller parses the
 * line with cJSON, so a result or an error is always the cJSON path's.
 *
 * The native text line takes the same refs, finish_reason and meta with a
 * "text" string instead of "tokens" (trace_native_read's text tier: the
 * string as pseudo-steps, trace_build_text); none of the skipped chat keys
 * below, no "tokens" or "choices" beside it, and a text past FAST_STR_CAP
 * bytes goes to cJSON.
 *
 * It also takes the OpenAI-compatible chat completion as vLLM serves it (the
 * shape real traces mostly come in): the same refs, "choices" whose first
 * element has "logprobs": {"content": [steps as above]} (non-empty) and a
 * string "finish_reason" ("index", "message", "stop_reason" not read, as in
 * trace_openai.c when logprobs.content is there), later choices skipped,
 * and the body keys no container reads (id, object, created, model, usage,
 * prompt_logprobs, system_fingerprint, service_tier, kv_transfer_params)
 * skipped.  Anything else (bytes, a "capture" stop, a top-level
 * finish_reason or tokens beside choices) goes to cJSON. */
#include "jscan.h"
#include "json_util.h"
#include "trace_container.h" /* struct trace: the chat form sets its format */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FAST_STR_CAP 4096 /* longer strings: not taken */

typedef struct fast {
	jscan j;
	trace *t;
	const trace_limits *lim;
	ts_error err; /* builder errors, never shown: the line goes to cJSON */
	size_t slen;  /* strlen(s) */
	char s[FAST_STR_CAP + 1];
} fast;

static int key_is(const char *k, size_t kl, const char *w)
{
	return strlen(w) == kl && !memcmp(k, w, kl);
}

/* A string into buf (FAST_STR_CAP + 1 bytes) as a cJSON string node; 0
 * when not taken.  Its length in f->slen. */
static int fast_str_to(fast *f, char *buf, cJSON *node)
{
	size_t n = 0;
	f->j.nul = 0;
	if (jscan_peek(&f->j) != JSCAN_STR || jscan_str(&f->j, buf, FAST_STR_CAP, &n))
		return 0;
	if (f->j.nul) /* cJSON ends a string at \u0000 */
		return 0;
	buf[n] = '\0';
	f->slen = n;
	*node = (cJSON){ .type = cJSON_String, .valuestring = buf };
	return 1;
}

static int fast_str(fast *f, cJSON *node)
{
	return fast_str_to(f, f->s, node);
}

static int fast_num(fast *f, cJSON *node)
{
	double v;
	if (jscan_peek(&f->j) != JSCAN_NUM || jscan_num(&f->j, &v))
		return 0;
	*node = (cJSON){ .type = cJSON_Number, .valuedouble = v };
	return 1;
}

static int fast_build(fast *f, const cJSON *str, const cJSON *lp, size_t idx, int is_alt)
{
	ts_status st = is_alt ? trace_build_alt(f->t, f->lim, str, lp, "tokens", idx, &f->err)
	                      : trace_build_step(f->t, f->lim, str, lp, "tokens", idx, &f->err);
	return st == TS_OK;
}

static int fast_item(fast *f, size_t idx, int is_alt);

/* The step's "top_logprobs": each an alternative of the last step. */
static int fast_alts(fast *f, size_t idx)
{
	int r;
	if (jscan_peek(&f->j) != JSCAN_ARR || jscan_arr_begin(&f->j))
		return 0;
	while ((r = jscan_arr_next(&f->j)) == 1)
		if (!fast_item(f, idx, 1))
			return 0;
	return r == 0;
}

/* "bytes": [1..255, ...] into out (NUL-terminated; a 0 byte, more than
 * FAST_STR_CAP bytes or anything but small whole numbers: not taken). */
static int fast_bytes(fast *f, char *out)
{
	int r;
	size_t k = 0;
	unsigned v;
	if (jscan_peek(&f->j) != JSCAN_ARR || jscan_arr_begin(&f->j))
		return 0;
	while ((r = jscan_arr_next(&f->j)) == 1) {
		if (k == FAST_STR_CAP || jscan_peek(&f->j) != JSCAN_NUM || jscan_small_uint(&f->j, &v) ||
		    v == 0 || v > 255)
			return 0;
		out[k++] = (char)v;
	}
	out[k] = '\0';
	return r == 0;
}

/* The compact form servers write, {"token":S,"logprob":N} then optionally
 * ,"bytes":[...] and (a step) ,"top_logprobs":[...], then "}", read without
 * the object machinery (the same values as fast_item's reading).  -1: not
 * that form, nothing read or built (the caller reads the item as any
 * object); 0 not taken; 1 read. */
static int fast_item_compact(fast *f, size_t idx, int is_alt)
{
	jscan save = f->j;
	char tok[FAST_STR_CAP + 1], byt[FAST_STR_CAP + 1];
	cJSON str, lp;
	if (f->j.depth + 3 >= JSCAN_MAX_DEPTH || jscan_peek(&f->j) != JSCAN_OBJ ||
	    !jscan_lit(&f->j, "{\"token\":", 9) || !fast_str_to(f, tok, &str) ||
	    !jscan_lit(&f->j, ",\"logprob\":", 11) || !fast_num(f, &lp))
		goto soft;
	if (jscan_lit(&f->j, ",\"bytes\":", 9)) {
		if (!fast_bytes(f, byt))
			goto soft;
		str.valuestring = byt;
	}
	int top = !is_alt && jscan_lit(&f->j, ",\"top_logprobs\":", 16);
	if (!top && !jscan_lit(&f->j, "}", 1))
		goto soft;
	if (!fast_build(f, &str, &lp, idx, is_alt))
		return 0;
	if (!top)
		return 1;
	f->j.depth++; /* the item's own level, as jscan_obj_begin counts it */
	if (!fast_alts(f, idx))
		return 0;
	f->j.depth--;
	return jscan_lit(&f->j, "}", 1);
soft:
	f->j = save;
	return -1;
}

/* {"token", "logprob", "bytes"} (is_alt) or with "top_logprobs" too.  The
 * bytes, when given, are the token's text (trace.c put_token: they win over
 * the string); handed to the builder as that string, so bytes that are not
 * UTF-8 are a builder error (not taken) and the cJSON path reads them. */
static int fast_item(fast *f, size_t idx, int is_alt)
{
	char tok[FAST_STR_CAP + 1], byt[FAST_STR_CAP + 1];
	cJSON str, lp;
	int have = 0, built = 0; /* have bits: 1 token, 2 logprob, 4 top_logprobs, 8 bytes */
	const char *k;
	size_t kl;
	int r = fast_item_compact(f, idx, is_alt);
	if (r >= 0)
		return r;
	if (jscan_peek(&f->j) != JSCAN_OBJ || jscan_obj_begin(&f->j))
		return 0;
	const char *top_at = NULL;
	jscan top_j;
	while ((r = jscan_obj_next(&f->j, &k, &kl)) == 1) {
		int bit = key_is(k, kl, "token") ? 1 : key_is(k, kl, "logprob") ? 2
		        : !is_alt && key_is(k, kl, "top_logprobs") ? 4 : key_is(k, kl, "bytes") ? 8 : 0;
		if (!bit || (have & bit) || (bit == 8 && built))
			return 0;
		have |= bit;
		if (bit == 1) {
			if (!fast_str_to(f, tok, &str))
				return 0;
		} else if (bit == 8) {
			if (!fast_bytes(f, byt))
				return 0;
		} else if (bit == 2) {
			if (!fast_num(f, &lp))
				return 0;
		} else if ((have & 3) == 3) { /* token and logprob first (the usual order): build now */
			if (have & 8)
				str.valuestring = byt;
			if (!fast_build(f, &str, &lp, idx, 0) || !fast_alts(f, idx))
				return 0;
			built = 1;
		} else { /* alternatives after the step is built: remember where */
			if (jscan_peek(&f->j) != JSCAN_ARR)
				return 0;
			top_j = f->j;
			top_at = f->j.p;
			if (jscan_skip(&f->j, NULL, NULL))
				return 0;
		}
	}
	if (r < 0 || !(have & 1))
		return 0;
	if (built)
		return 1;
	if (have & 8)
		str.valuestring = byt;
	if (!fast_build(f, &str, (have & 2) ? &lp : NULL, idx, is_alt))
		return 0;
	if (!top_at)
		return 1;
	jscan after = f->j; /* read the alternatives, then continue after the object */
	f->j = top_j;
	if (!fast_alts(f, idx))
		return 0;
	f->j = after;
	return 1;
}

static int fast_tokens(fast *f)
{
	int r;
	size_t idx = 0;
	if (jscan_peek(&f->j) != JSCAN_ARR || jscan_arr_begin(&f->j))
		return 0;
	while ((r = jscan_arr_next(&f->j)) == 1)
		if (!fast_item(f, idx++, 0))
			return 0;
	return r == 0 && idx > 0;
}

/* image_id: a JSON number that is a whole int64 (trace.c parse_image_id). */
static int fast_image_id(fast *f, int64_t *id)
{
	cJSON n;
	if (!fast_num(f, &n))
		return 0;
	double v = n.valuedouble;
	if (!(v >= -9.2e18 && v <= 9.2e18) || v != floor(v))
		return 0;
	*id = (int64_t)v;
	return 1;
}

enum {
	K_ID = 1, K_FILE = 2, K_CID = 4, K_PROMPT = 8, K_FINISH = 16, K_META = 32, K_TOKENS = 64,
	K_CHOICES = 128, K_SKIP = 256, K_TEXT = 512
};

static int fast_key(const char *k, size_t kl)
{
	static const char *const names[] = { "image_id", "file_name", "custom_id", "prompt",
		                             "finish_reason", "meta", "tokens", "choices" };
	/* keys of a chat completion body that no container's detect or read
	 * looks at (trace_container.h): skipped, any value */
	static const char *const skipped[] = { "id", "object", "created", "model", "usage",
		                               "prompt_logprobs", "system_fingerprint",
		                               "service_tier", "kv_transfer_params" };
	for (int i = 0; i < 8; i++)
		if (key_is(k, kl, names[i]))
			return 1 << i;
	if (key_is(k, kl, "text"))
		return K_TEXT;
	for (size_t i = 0; i < sizeof skipped / sizeof *skipped; i++)
		if (key_is(k, kl, skipped[i]))
			return K_SKIP;
	return 0;
}

static int fast_skip(fast *f)
{
	return !jscan_skip(&f->j, NULL, NULL);
}

/* choices[0].logprobs: {"content": [steps]} ("refusal" not read). */
static int fast_chat_logprobs(fast *f)
{
	const char *k;
	size_t kl;
	int r, have = 0;
	if (jscan_peek(&f->j) != JSCAN_OBJ || jscan_obj_begin(&f->j))
		return 0;
	while ((r = jscan_obj_next(&f->j, &k, &kl)) == 1) {
		int content = key_is(k, kl, "content");
		if (content ? have || !fast_tokens(f) : !key_is(k, kl, "refusal") || !fast_skip(f))
			return 0;
		have |= content;
	}
	return r == 0 && have;
}

/* choices[0]: logprobs.content and finish_reason (trace_openai.c's reading
 * when logprobs.content is there). */
static int fast_choice0(fast *f, trace_finish *fin)
{
	const char *k;
	size_t kl;
	int r, have = 0; /* 1 logprobs, 2 finish_reason */
	cJSON s;
	if (jscan_peek(&f->j) != JSCAN_OBJ || jscan_obj_begin(&f->j))
		return 0;
	while ((r = jscan_obj_next(&f->j, &k, &kl)) == 1) {
		int bit = key_is(k, kl, "logprobs") ? 1 : key_is(k, kl, "finish_reason") ? 2 : 0;
		if (bit & have)
			return 0;
		have |= bit;
		int ok = bit == 1 ? fast_chat_logprobs(f)
		       : bit == 2 ? fast_str(f, &s) && ((*fin = trace_map_finish_reason(&s)), 1)
		       : (key_is(k, kl, "index") || key_is(k, kl, "message") ||
		          key_is(k, kl, "stop_reason")) && fast_skip(f);
		if (!ok)
			return 0;
	}
	return r == 0 && (have & 1);
}

static int fast_choices(fast *f, trace_finish *fin)
{
	int r;
	if (jscan_peek(&f->j) != JSCAN_ARR || jscan_arr_begin(&f->j) || jscan_arr_next(&f->j) != 1 ||
	    !fast_choice0(f, fin))
		return 0;
	while ((r = jscan_arr_next(&f->j)) == 1) /* only the first choice is read */
		if (!fast_skip(f))
			return 0;
	return r == 0;
}

/* A native text line's "text": pseudo-steps through trace.c's builder
 * (trace_native_read's TRACE_TIER_TEXT reading: parse_text). */
static int fast_text(fast *f)
{
	cJSON s;
	return fast_str(f, &s) && trace_build_text(f->t, f->lim, &s, "text", &f->err) == TS_OK;
}

/* A top-level string field into its own strdup. */
static int fast_dup(fast *f, char **out)
{
	cJSON s;
	if (!fast_str(f, &s))
		return 0;
	free(*out);
	*out = strdup(s.valuestring);
	return *out != NULL;
}

static int fast_body(fast *f, char **refs, int64_t *id, trace_finish *fin)
{
	const char *k;
	size_t kl;
	int r, have = 0;
	cJSON s;
	if (jscan_peek(&f->j) != JSCAN_OBJ || jscan_obj_begin(&f->j))
		return 0;
	while ((r = jscan_obj_next(&f->j, &k, &kl)) == 1) {
		int bit = fast_key(k, kl);
		if (!bit || (have & bit & ~K_SKIP))
			return 0;
		have |= bit;
		int ok = bit == K_ID       ? fast_image_id(f, id)
		       : bit == K_FILE     ? fast_dup(f, &refs[0])
		       : bit == K_CID      ? fast_dup(f, &refs[1])
		       : bit == K_PROMPT   ? fast_dup(f, &refs[2])
		       : bit == K_FINISH   ? fast_str(f, &s) && ((*fin = trace_map_finish_reason(&s)), 1)
		       : bit == K_META     ? jscan_peek(&f->j) != JSCAN_NULL && fast_skip(f)
		       : bit == K_CHOICES  ? fast_choices(f, fin)
		       : bit == K_SKIP     ? fast_skip(f)
		       : bit == K_TEXT     ? fast_text(f)
		                           : fast_tokens(f);
		if (!ok)
			return 0;
	}
	int native = (have & K_TOKENS) && !(have & (K_CHOICES | K_TEXT));
	int text = (have & K_TEXT) && !(have & (K_CHOICES | K_TOKENS | K_SKIP));
	int chat = (have & K_CHOICES) && !(have & (K_TOKENS | K_FINISH | K_TEXT));
	return r == 0 && (native || text || chat) && jscan_end(&f->j) ? have : 0;
}

int trace_fast_parse_line(const char *line, size_t len, const trace_limits *lim, trace **out)
{
	*out = NULL;
	/* the cJSON path's value-count refusal cannot fire below this length */
	if (len > lim->max_line_bytes || len > JSON_UTIL_MIN_VALUES)
		return 0;
	fast *f = malloc(sizeof *f);
	trace *t = trace_new(TRACE_FMT_NATIVE);
	char *refs[3] = { NULL, NULL, NULL };
	int64_t id = 0;
	trace_finish fin = TRACE_FINISH_UNKNOWN;
	int have = 0;
	if (f && t) {
		jscan_init(&f->j, line, len);
		f->t = t;
		f->lim = lim;
		ts_error_clear(&f->err);
		have = fast_body(f, refs, &id, &fin);
	}
	int ok = have && !trace_set_refs(t, (have & K_ID) ? &id : NULL, refs[0], refs[1], refs[2]) &&
	         !trace_build_end(t, &f->err);
	for (int i = 0; i < 3; i++)
		free(refs[i]);
	free(f);
	if (!ok) {
		trace_free(t);
		return 0;
	}
	trace_build_finish(t, fin, TRACE_FINISH_GIVEN);
	if (have & K_CHOICES)
		t->fmt = t->container = TRACE_FMT_OPENAI_CHAT;
	*out = t;
	return 1;
}

/* ---- SSE chunks (trace_int.h trace_sse_*) ----
 *
 * An OpenAI-compatible stream chunk (chat.completion.chunk, the completions
 * stream's text chunks) read in one pass: the keys the assembler needs (id,
 * each choice's index and finish_reason) and, when building, each choice's
 * steps into a scratch trace, through the same builder as the cJSON path
 * (trace_openai_chunk's reading).  Taken only when "choices" is an array of
 * objects without "message" (trace_chunk_classify: TRACE_CHUNK_OPENAI);
 * the top-level keys read are id, choices and the image reference
 * (image_id a whole number, file_name, custom_id, prompt strings: parse_refs
 * without its errors), every other top-level key skipped (no container reads
 * one when choices is there); in a choice: index (a number), delta (null or
 * an object: its content a string or null), text, logprobs (null or an
 * object: content an array of steps or null; "tokens", the completions
 * API's lists: not taken), finish_reason (null or a string), any other key
 * skipped.  Anything else — a duplicate of a key read, null where a value
 * is read, Python's NaN, a builder error, a string past FAST_STR_CAP, more
 * than TRACE_SSE_MAX_CHOICES choices — and the line is not taken: the
 * caller reads it with cJSON. */

#define SSE_ID_CAP 255

typedef struct sse_choice {
	long index;
	int done;            /* finish_reason not null: the chunk ends the request */
	trace_finish finish;
	size_t n0, n1, a0, a1, l0, l1, al0, al1; /* its steps, alternatives, text in the scratch */
} sse_choice;

struct trace_sse {
	fast f;              /* f.t: the scratch trace */
	char id[SSE_ID_CAP + 1];
	int has_image_id;
	int64_t image_id;
	char *refs[3];       /* file_name, custom_id, prompt */
	size_t n;
	sse_choice ch[TRACE_SSE_MAX_CHOICES];
};

static int sse_fast_off;

void trace_sse_fast_enable(int on) { sse_fast_off = !on; }

trace_sse *trace_sse_new(void)
{
	trace_sse *s = calloc(1, sizeof *s);
	if (s && !(s->f.t = trace_new(TRACE_FMT_OPENAI_SSE))) {
		free(s);
		return NULL;
	}
	return s;
}

void trace_sse_free(trace_sse *s)
{
	if (!s)
		return;
	trace_free(s->f.t);
	for (int i = 0; i < 3; i++)
		free(s->refs[i]);
	free(s);
}

/* A streamed delta (a string) into the scratch as trace_openai_chunk adds
 * it (trace_ctx_delta); at: the scanner on the string. */
static int sse_delta(trace_sse *s, const jscan *at)
{
	fast *f = &s->f;
	cJSON str;
	jscan keep = f->j;
	f->j = *at;
	int ok = fast_str(f, &str);
	f->j = keep;
	trace_ctx c = { f->t, f->lim, &f->err, "", 0 };
	return ok && trace_ctx_delta(&c, &str, "delta.content") == TS_OK;
}

/* A string value that is read later: its scanner position in *at, skipped now. */
static int sse_later(fast *f, jscan *at, int *have)
{
	jscan_type ty = jscan_peek(&f->j);
	if (ty != JSCAN_STR && ty != JSCAN_NULL)
		return 0;
	if (ty == JSCAN_STR) {
		*at = f->j;
		*have = 1;
	}
	return fast_skip(f);
}

/* delta: null or {"content": string | null, anything else skipped}. */
static int sse_delta_obj(fast *f, jscan *at, int *have)
{
	const char *k;
	size_t kl;
	int r, seen = 0;
	if (jscan_peek(&f->j) == JSCAN_NULL)
		return fast_skip(f);
	if (jscan_peek(&f->j) != JSCAN_OBJ || jscan_obj_begin(&f->j))
		return 0;
	while ((r = jscan_obj_next(&f->j, &k, &kl)) == 1) {
		int content = key_is(k, kl, "content");
		if (content ? seen++ || !sse_later(f, at, have) : !fast_skip(f))
			return 0;
	}
	return r == 0;
}

/* logprobs: null or {"content": [steps] | null, anything but "tokens" skipped}. */
static int sse_logprobs(fast *f, int build, int *has_lp)
{
	const char *k;
	size_t kl;
	int r, seen = 0;
	if (jscan_peek(&f->j) == JSCAN_NULL)
		return fast_skip(f);
	if (jscan_peek(&f->j) != JSCAN_OBJ || jscan_obj_begin(&f->j))
		return 0;
	while ((r = jscan_obj_next(&f->j, &k, &kl)) == 1) {
		if (key_is(k, kl, "tokens"))
			return 0; /* the completions API's lists: cJSON */
		if (!key_is(k, kl, "content")) {
			if (!fast_skip(f))
				return 0;
			continue;
		}
		if (seen++)
			return 0;
		jscan_type ty = jscan_peek(&f->j);
		if (ty == JSCAN_NULL) {
			if (!fast_skip(f))
				return 0;
			continue;
		}
		if (ty != JSCAN_ARR)
			return 0;
		*has_lp = 1;
		if (!build) {
			if (!fast_skip(f))
				return 0;
			continue;
		}
		int rr;
		size_t idx = 0;
		if (jscan_arr_begin(&f->j))
			return 0;
		while ((rr = jscan_arr_next(&f->j)) == 1)
			if (!fast_item(f, idx++, 0))
				return 0;
		if (rr)
			return 0;
	}
	return r == 0;
}

/* index: a number (trace_choice_index: 0 .. 1e9, else the position). */
static int sse_index(fast *f, long *index)
{
	cJSON n;
	if (!fast_num(f, &n))
		return 0;
	if (n.valuedouble >= 0 && n.valuedouble < 1e9)
		*index = (long)n.valuedouble;
	return 1;
}

/* finish_reason: null or a string. */
static int sse_finish(fast *f, sse_choice *c)
{
	cJSON s;
	if (jscan_peek(&f->j) == JSCAN_NULL)
		return fast_skip(f);
	if (!fast_str(f, &s))
		return 0;
	c->done = 1;
	c->finish = trace_map_finish_reason(&s);
	return 1;
}

/* One element of choices, at position pos. */
static int sse_choice_read(trace_sse *s, size_t pos, int build)
{
	fast *f = &s->f;
	trace *t = f->t;
	sse_choice *c = &s->ch[s->n];
	const char *k;
	size_t kl;
	int r, have = 0, has_lp = 0, has_delta = 0, has_text = 0; /* have: 1 index 2 delta 4 logprobs 8 finish 16 text */
	jscan delta_at, text_at;
	memset(c, 0, sizeof *c);
	c->index = (long)pos;
	c->n0 = t->n_steps, c->a0 = t->n_alts, c->l0 = t->text.len, c->al0 = t->alt_text.len;
	if (jscan_peek(&f->j) != JSCAN_OBJ || jscan_obj_begin(&f->j))
		return 0;
	while ((r = jscan_obj_next(&f->j, &k, &kl)) == 1) {
		int bit = key_is(k, kl, "index") ? 1 : key_is(k, kl, "delta") ? 2 : key_is(k, kl, "logprobs") ? 4
		        : key_is(k, kl, "finish_reason") ? 8 : key_is(k, kl, "text") ? 16
		        : key_is(k, kl, "message") ? -1 : 0;
		if (bit < 0 || (have & bit))
			return 0; /* "message": a whole completion (cJSON) */
		have |= bit;
		int ok = bit == 1 ? sse_index(f, &c->index)
		       : bit == 2 ? sse_delta_obj(f, &delta_at, &has_delta)
		       : bit == 4 ? sse_logprobs(f, build, &has_lp)
		       : bit == 8 ? sse_finish(f, c)
		       : bit == 16 ? sse_later(f, &text_at, &has_text)
		                   : fast_skip(f);
		if (!ok)
			return 0;
	}
	if (r || (build && !has_lp && (has_delta || has_text) &&
	          !sse_delta(s, has_delta ? &delta_at : &text_at)))
		return 0;
	c->n1 = t->n_steps, c->a1 = t->n_alts, c->l1 = t->text.len, c->al1 = t->alt_text.len;
	s->n++;
	return 1;
}

static int sse_choices(trace_sse *s, int build)
{
	fast *f = &s->f;
	int r;
	size_t pos = 0;
	if (jscan_peek(&f->j) != JSCAN_ARR || jscan_arr_begin(&f->j))
		return 0;
	while ((r = jscan_arr_next(&f->j)) == 1)
		if (s->n == TRACE_SSE_MAX_CHOICES || !sse_choice_read(s, pos++, build))
			return 0;
	return r == 0;
}

/* id: a string without NUL (SSE_ID_CAP bytes at most) or null (""). */
static int sse_id(fast *f, char *id)
{
	cJSON str;
	if (jscan_peek(&f->j) == JSCAN_NULL)
		return fast_skip(f);
	if (!fast_str(f, &str) || strlen(str.valuestring) > SSE_ID_CAP)
		return 0;
	memcpy(id, str.valuestring, strlen(str.valuestring) + 1);
	return 1;
}

static int sse_body(trace_sse *s, int build)
{
	fast *f = &s->f;
	const char *k;
	size_t kl;
	int r, have = 0; /* 1 id 2 choices 4 image_id 8.. refs */
	if (jscan_peek(&f->j) != JSCAN_OBJ || jscan_obj_begin(&f->j))
		return 0;
	while ((r = jscan_obj_next(&f->j, &k, &kl)) == 1) {
		int bit = key_is(k, kl, "id") ? 1 : key_is(k, kl, "choices") ? 2 : key_is(k, kl, "image_id") ? 4
		        : key_is(k, kl, "file_name") ? 8 : key_is(k, kl, "custom_id") ? 16
		        : key_is(k, kl, "prompt") ? 32 : key_is(k, kl, "image") ? -1 : 0;
		if (bit < 0 || (have & bit))
			return 0;
		have |= bit;
		int ok = bit == 1 ? sse_id(f, s->id)
		       : bit == 2 ? sse_choices(s, build)
		       : bit == 4 ? (s->has_image_id = fast_image_id(f, &s->image_id))
		       : bit == 8 ? fast_dup(f, &s->refs[0])
		       : bit == 16 ? fast_dup(f, &s->refs[1])
		       : bit == 32 ? fast_dup(f, &s->refs[2])
		                   : fast_skip(f);
		if (!ok)
			return 0;
	}
	return r == 0 && (have & 2) && jscan_end(&f->j);
}

int trace_sse_scan(trace_sse *s, const char *line, size_t len, const trace_limits *lim, int build)
{
	if (sse_fast_off || len > lim->max_line_bytes || len > JSON_UTIL_MIN_VALUES)
		return 0;
	fast *f = &s->f;
	trace_build_drop_steps(f->t);
	s->id[0] = '\0';
	s->has_image_id = 0;
	for (int i = 0; i < 3; i++) {
		free(s->refs[i]);
		s->refs[i] = NULL;
	}
	s->n = 0;
	jscan_init(&f->j, line, len);
	f->lim = lim;
	ts_error_clear(&f->err);
	return sse_body(s, build);
}

size_t trace_sse_count(const trace_sse *s) { return s->n; }
const char *trace_sse_id(const trace_sse *s) { return s->id; }
long trace_sse_index(const trace_sse *s, size_t k) { return s->ch[k].index; }
int trace_sse_done(const trace_sse *s, size_t k) { return s->ch[k].done; }

/* Image reference and prompt for the fields t has not set (trace.c
 * merge_refs); 0 out of memory (t keeps what it had). */
static int sse_refs(const trace_sse *s, trace *t)
{
	char **dst[3] = { &t->file_name, &t->custom_id, &t->prompt };
	char *d[3] = { NULL, NULL, NULL };
	for (int i = 0; i < 3; i++)
		if (s->refs[i] && !*dst[i] && !(d[i] = strdup(s->refs[i]))) {
			free(d[0]), free(d[1]);
			return 0;
		}
	for (int i = 0; i < 3; i++)
		if (d[i])
			*dst[i] = d[i];
	if (s->has_image_id && !t->has_id) {
		t->has_id = 1;
		t->image_id = s->image_id;
	}
	return 1;
}

/* Room for n more steps and m more alternatives in t. */
static int sse_room(trace *t, size_t n, size_t m)
{
	if (t->cap_steps - t->n_steps < n) {
		size_t cap = t->cap_steps * 2 > t->n_steps + n ? t->cap_steps * 2 : t->n_steps + n;
		trace_step *v = realloc(t->steps, cap * sizeof *v);
		if (!v)
			return 0;
		t->steps = v;
		t->cap_steps = cap;
	}
	if (t->cap_alts - t->n_alts < m) {
		size_t cap = t->cap_alts * 2 > t->n_alts + m ? t->cap_alts * 2 : t->n_alts + m;
		trace_alt *v = realloc(t->alts, cap * sizeof *v);
		if (!v)
			return 0;
		t->alts = v;
		t->cap_alts = cap;
	}
	return 1;
}

int trace_sse_apply(const trace_sse *s, size_t k, trace *t, const trace_limits *lim)
{
	const sse_choice *c = &s->ch[k];
	const trace *src = s->f.t;
	size_t n = c->n1 - c->n0, m = c->a1 - c->a0, tl = c->l1 - c->l0, al = c->al1 - c->al0;
	ts_error e;
	trace_ctx x = { t, lim, &e, "", 0 };
	/* the cJSON path's max_steps check is on t's steps and the chunk's */
	if (n > lim->max_steps || t->n_steps > lim->max_steps - n || !sse_room(t, n, m) ||
	    trace_ctx_reserve(&x, &t->text, tl + 1) || trace_ctx_reserve(&x, &t->alt_text, al + 1) ||
	    !sse_refs(s, t))
		return 0;
	uint32_t doff = (uint32_t)(t->text.len - c->l0), aoff = (uint32_t)(t->n_alts - c->a0),
	         atoff = (uint32_t)(t->alt_text.len - c->al0);
	for (size_t i = 0; i < n; i++) {
		trace_step st = src->steps[c->n0 + i];
		st.off += doff;
		st.alt_first += aoff;
		if (!isnan(st.logprob))
			t->has_lp = 1;
		t->steps[t->n_steps++] = st;
	}
	for (size_t i = 0; i < m; i++) {
		trace_alt a = src->alts[c->a0 + i];
		a.off += atoff;
		t->alts[t->n_alts++] = a;
	}
	memcpy(t->text.p + t->text.len, src->text.p + c->l0, tl);
	t->text.len += tl;
	memcpy(t->alt_text.p + t->alt_text.len, src->alt_text.p + c->al0, al);
	t->alt_text.len += al;
	t->text.p[t->text.len] = '\0';
	t->alt_text.p[t->alt_text.len] = '\0';
	if (c->done)
		t->finish = c->finish;
	return 1;
}
