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
	char s[FAST_STR_CAP + 1];
} fast;

static int key_is(const char *k, size_t kl, const char *w)
{
	return strlen(w) == kl && !memcmp(k, w, kl);
}

/* A string into f->s as a cJSON string node; 0 when not taken. */
static int fast_str(fast *f, cJSON *node)
{
	size_t n = 0;
	if (jscan_peek(&f->j) != JSCAN_STR || jscan_str(&f->j, f->s, FAST_STR_CAP, &n))
		return 0;
	if (memchr(f->s, '\0', n)) /* cJSON ends a string at \u0000 */
		return 0;
	f->s[n] = '\0';
	memset(node, 0, sizeof *node);
	node->type = cJSON_String;
	node->valuestring = f->s;
	return 1;
}

static int fast_num(fast *f, cJSON *node)
{
	double v;
	if (jscan_peek(&f->j) != JSCAN_NUM || jscan_num(&f->j, &v))
		return 0;
	memset(node, 0, sizeof *node);
	node->type = cJSON_Number;
	node->valuedouble = v;
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

/* {"token", "logprob"} (is_alt) or {"token", "logprob", "top_logprobs"}. */
static int fast_item(fast *f, size_t idx, int is_alt)
{
	char tok[FAST_STR_CAP + 1];
	cJSON str, lp;
	int have = 0, built = 0; /* have bits: 1 token, 2 logprob, 4 top_logprobs */
	const char *k;
	size_t kl;
	int r;
	if (jscan_peek(&f->j) != JSCAN_OBJ || jscan_obj_begin(&f->j))
		return 0;
	const char *top_at = NULL;
	jscan top_j;
	while ((r = jscan_obj_next(&f->j, &k, &kl)) == 1) {
		int bit = key_is(k, kl, "token") ? 1 : key_is(k, kl, "logprob") ? 2
		        : !is_alt && key_is(k, kl, "top_logprobs") ? 4 : 0;
		if (!bit || (have & bit))
			return 0;
		have |= bit;
		if (bit == 1) {
			if (!fast_str(f, &str))
				return 0;
			memcpy(tok, f->s, strlen(f->s) + 1);
			str.valuestring = tok;
		} else if (bit == 2) {
			if (!fast_num(f, &lp))
				return 0;
		} else if (have == 7) { /* token and logprob first (the usual order): build now */
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
	K_CHOICES = 128, K_SKIP = 256
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
		                           : fast_tokens(f);
		if (!ok)
			return 0;
	}
	int native = (have & K_TOKENS) && !(have & K_CHOICES);
	int chat = (have & K_CHOICES) && !(have & (K_TOKENS | K_FINISH));
	return r == 0 && (native || chat) && jscan_end(&f->j) ? have : 0;
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
