/* trace.c — one JSONL line (any supported container) into a trace.
 *
 * Layout: one growing byte buffer for step text, one for alternative text,
 * and flat arrays of steps and alternatives; nothing is allocated per token.
 * The cJSON tree is walked once with ->child/->next and freed before
 * returning.  See trace.h for the accepted containers and the rules.
 */
#include "trace.h"
#include "trace_int.h"
#include "json_util.h"
#include "policy.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_container.h"

typedef trace_tbuf tbuf;

void trace_limits_default(trace_limits *lim)
{
	lim->max_line_bytes = (size_t)64 << 20;
	lim->max_steps = 1000000;
	lim->max_alts = 20;
	lim->max_token_bytes = 4096;
	lim->max_decompressed_bytes = (uint64_t)16 << 30;
	lim->max_decompress_ratio = 200;
	lim->infer_max_tokens = -1;
	lim->shard_k = lim->shard_n = 0;
}

void trace_free(trace *t)
{
	if (!t)
		return;
	free(t->steps);
	free(t->alts);
	free(t->text.p);
	free(t->alt_text.p);
	free(t->file_name);
	free(t->custom_id);
	free(t->prompt);
	free(t);
}

/* ---- accessors ---- */

trace_format trace_get_format(const trace *t) { return t->fmt; }
trace_format trace_get_container(const trace *t) { return t->container; }
trace_finish trace_get_finish(const trace *t) { return t->finish; }
trace_finish_how trace_get_finish_how(const trace *t) { return t->finish_how; }

const char *trace_finish_how_name(trace_finish_how h)
{
	switch (h) {
	case TRACE_FINISH_GIVEN: return "given";
	case TRACE_FINISH_INFERRED_EOS: return "inferred from an end-of-sequence token";
	case TRACE_FINISH_INFERRED_MAX_TOKENS: return "inferred: reached max_tokens";
	case TRACE_FINISH_INFERRED_BELOW_MAX: return "inferred: ended before max_tokens";
	case TRACE_FINISH_NOT_INFERRED: return "unknown: no finish_reason and no max_tokens";
	}
	return "given";
}
size_t trace_n_steps(const trace *t) { return t->n_steps; }
const trace_step *trace_steps(const trace *t) { return t->steps; }
const char *trace_text(const trace *t) { return t->text.p; }
size_t trace_text_len(const trace *t) { return t->text.len; }
const trace_alt *trace_alts(const trace *t) { return t->alts; }
const char *trace_alt_text(const trace *t) { return t->alt_text.p; }
size_t trace_n_alts(const trace *t) { return t->n_alts; }
int trace_has_logprobs(const trace *t) { return t->has_lp; }
int trace_has_alts(const trace *t) { return t->n_alts > 0; }
const char *trace_file_name(const trace *t) { return t->file_name; }
const char *trace_custom_id(const trace *t) { return t->custom_id; }
const char *trace_prompt(const trace *t) { return t->prompt; }

int trace_image_id(const trace *t, int64_t *id)
{
	if (!t->has_id)
		return 0;
	if (id)
		*id = t->image_id;
	return 1;
}

const char *trace_format_name(trace_format f)
{
	switch (f) {
	case TRACE_FMT_NATIVE: return "native";
	case TRACE_FMT_OPENAI_CHAT: return "openai";
	case TRACE_FMT_OPENAI_BATCH: return "openai-batch";
	case TRACE_FMT_LLAMACPP: return "llamacpp";
	case TRACE_FMT_TEXT: return "text";
	case TRACE_FMT_SGLANG: return "sglang";
	case TRACE_FMT_TGI: return "tgi";
	case TRACE_FMT_OLLAMA: return "ollama";
	case TRACE_FMT_OPENAI_SSE: return "openai-sse";
	case TRACE_FMT_LLAMACPP_SSE: return "llamacpp-sse";
	case TRACE_FMT_OLLAMA_STREAM: return "ollama-stream";
	case TRACE_FMT_TGI_SSE: return "tgi-sse";
	case TRACE_FMT_RAY: return "ray-data";
	case TRACE_FMT_VLLM_OFFLINE: return "vllm-offline";
	case TRACE_FMT_COUNT: break;
	}
	return "unknown";
}

const char *trace_finish_name(trace_finish f)
{
	switch (f) {
	case TRACE_FINISH_STOP: return "stop";
	case TRACE_FINISH_LENGTH: return "length";
	case TRACE_FINISH_POLICY: return "policy";
	case TRACE_FINISH_UNKNOWN: break;
	}
	return "unknown";
}

/* ---- parse context ---- */

typedef trace_ctx pctx;

static ts_status nomem(pctx *c)
{
	return ts_error_set(c->err, TS_ERR_NOMEM, "out of memory");
}

/* Makes room for extra more bytes; offsets are uint32, so a buffer never
 * grows past UINT32_MAX bytes. */
static ts_status tbuf_grow(pctx *c, tbuf *b, size_t extra)
{
	if (extra > (size_t)UINT32_MAX - b->len)
		return ts_error_set(c->err, TS_ERR_LIMIT, "%s: more than 4 GiB of token text", c->where);
	size_t need = b->len + extra;
	if (need <= b->cap)
		return TS_OK;
	size_t cap = b->cap ? b->cap * 2 : 256;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return nomem(c);
	b->p = p;
	b->cap = cap;
	return TS_OK;
}

static inline ts_status tbuf_reserve(pctx *c, tbuf *b, size_t extra)
{
	if (b->cap - b->len >= extra)
		return TS_OK;
	return tbuf_grow(c, b, extra);
}

static int is_null(const cJSON *j)
{
	return !j || cJSON_IsNull(j);
}

static const cJSON *get(const cJSON *obj, const char *key)
{
	if (!cJSON_IsObject(obj))
		return NULL;
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	return is_null(j) ? NULL : j;
}

/* Well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			uint64_t w; /* eight ASCII bytes at a time */
			while (n - i >= 8 && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080u)))
				i += 8;
			if (i < n && s[i] < 0x80)
				i++;
			continue;
		}
		size_t k;
		unsigned lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			k = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else
			return 0;
		if (n - i <= k)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (size_t j = 2; j <= k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

/* vLLM's return_tokens_as_token_ids placeholder: "token_id:" and digits. */
static int is_id_placeholder(const char *s, size_t n)
{
	if (n < 10 || memcmp(s, "token_id:", 9) != 0)
		return 0;
	for (size_t i = 9; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int trace_step_text_unknown(const char *tok, size_t tn, const char *bytes, size_t bn)
{
	return is_id_placeholder(tok, tn) && (!bytes || (bn == tn && !memcmp(bytes, tok, tn)));
}

/* Appends the text of one token (step or alternative) to b.  bytes wins over
 * the string when present and not null.  *n_out receives the length.  A step
 * whose token is a "token_id:N" placeholder needs bytes other than the
 * placeholder's own (vLLM writes those when it has no decoded text). */
static ts_status put_token(pctx *c, tbuf *b, const cJSON *str, const cJSON *bytes,
                           size_t idx, const char *what, size_t *n_out)
{
	size_t maxb = c->lim->max_token_bytes;
	int is_step = what[0] == '\0';
	if (is_step && cJSON_IsString(str) &&
	    is_id_placeholder(str->valuestring, strlen(str->valuestring))) {
		size_t pn = strlen(str->valuestring), start = b->len;
		ts_status st = TS_OK;
		if (bytes)
			st = put_token(c, b, NULL, bytes, idx, " (bytes)", n_out);
		if (st)
			return st;
		if (trace_step_text_unknown(str->valuestring, pn, bytes ? b->p + start : NULL,
		                            bytes ? *n_out : 0)) {
			b->len = start;
			return ts_error_set(c->err, TS_ERR_FIELD,
			                    "%s[%zu]: token \"%.40s\" without its bytes: the text is unknown "
			                    "(return_tokens_as_token_ids)", c->where, idx, str->valuestring);
		}
		return TS_OK;
	}
	if (bytes) {
		if (!cJSON_IsArray(bytes))
			return ts_error_set(c->err, TS_ERR_FIELD, "%s[%zu]%s: bytes is not an array",
			                    c->where, idx, what);
		size_t n = 0;
		for (const cJSON *e = bytes->child; e; e = e->next, n++) {
			if (n >= maxb)
				return ts_error_set(c->err, TS_ERR_LIMIT,
				                    "%s[%zu]%s: token longer than max_token_bytes (%zu)",
				                    c->where, idx, what, maxb);
			double v = e->valuedouble;
			if (!cJSON_IsNumber(e) || !(v >= 0.0 && v <= 255.0) || v != (double)(int)v)
				return ts_error_set(c->err, TS_ERR_FIELD,
				                    "%s[%zu]%s: bytes[%zu] is not a byte (0-255)",
				                    c->where, idx, what, n);
			if (b->len == b->cap) {
				ts_status st = tbuf_grow(c, b, 1);
				if (st)
					return st;
			}
			b->p[b->len++] = (char)(unsigned char)(int)v;
		}
		*n_out = n;
		return TS_OK;
	}
	if (!str)
		return ts_error_set(c->err, TS_ERR_FIELD, "%s[%zu]%s: no token text or bytes",
		                    c->where, idx, what);
	if (!cJSON_IsString(str))
		return ts_error_set(c->err, TS_ERR_FIELD, "%s[%zu]%s: token is not a string",
		                    c->where, idx, what);
	const char *s = str->valuestring;
	size_t n = strlen(s);
	if (n > maxb)
		return ts_error_set(c->err, TS_ERR_LIMIT,
		                    "%s[%zu]%s: token longer than max_token_bytes (%zu)",
		                    c->where, idx, what, maxb);
	if (!utf8_valid((const unsigned char *)s, n))
		return ts_error_set(c->err, TS_ERR_UTF8,
		                    "%s[%zu]%s: token is not valid UTF-8 and has no bytes",
		                    c->where, idx, what);
	ts_status st = tbuf_reserve(c, b, n);
	if (st)
		return st;
	if (n) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
	*n_out = n;
	return TS_OK;
}

/* A probability into a natural-log logprob: 0 -> -9999 (the servers'
 * "very unlikely"), values a hair above 1 (rounding) -> 0. */
static int prob_to_logprob(double p, double *lp)
{
	if (!(p >= 0.0) || p > 1.001)
		return -1;
	if (p == 0.0)
		*lp = -9999.0;
	else if (p >= 1.0)
		*lp = 0.0;
	else
		*lp = log(p);
	return 0;
}

/* Fields of one step or alternative object, found in one pass. */
typedef struct item_keys {
	const cJSON *token, *tok_str, *content, *text, *bytes, *logprob, *prob, *top, *top_probs, *probs;
} item_keys;

static void scan_item(const cJSON *it, item_keys *k)
{
	memset(k, 0, sizeof *k);
	for (const cJSON *ch = it->child; ch; ch = ch->next) {
		const char *s = ch->string;
		if (!s)
			continue;
		const cJSON **slot = NULL;
		switch (s[0]) {
		case 't':
			if (!strcmp(s, "token"))
				slot = &k->token;
			else if (!strcmp(s, "top_logprobs"))
				slot = &k->top;
			else if (!strcmp(s, "top_probs"))
				slot = &k->top_probs;
			else if (!strcmp(s, "tok_str"))
				slot = &k->tok_str;
			else if (!strcmp(s, "text"))
				slot = &k->text; /* TGI */
			break;
		case 'l':
			if (!strcmp(s, "logprob"))
				slot = &k->logprob;
			break;
		case 'b':
			if (!strcmp(s, "bytes"))
				slot = &k->bytes;
			break;
		case 'p':
			if (!strcmp(s, "prob"))
				slot = &k->prob;
			else if (!strcmp(s, "probs"))
				slot = &k->probs;
			break;
		case 'c':
			if (!strcmp(s, "content"))
				slot = &k->content;
			break;
		default:
			break;
		}
		/* first occurrence wins; null counts as absent */
		if (slot && !*slot && !cJSON_IsNull(ch))
			*slot = ch;
	}
}

/* A logprob value: NULL/null -> NAN; below -9999 (and -inf) -> -9999. */
static ts_status plain_logprob(pctx *c, const cJSON *v, size_t idx, const char *what, double *lp)
{
	*lp = NAN;
	if (!v || cJSON_IsNull(v))
		return TS_OK;
	if (!cJSON_IsNumber(v))
		return ts_error_set(c->err, TS_ERR_FIELD, "%s[%zu]%s: logprob is not a number", c->where,
		                    idx, what);
	*lp = v->valuedouble < -9999.0 ? -9999.0 : v->valuedouble;
	if (!isfinite(*lp))
		return ts_error_set(c->err, TS_ERR_FIELD, "%s[%zu]%s: logprob is not finite", c->where,
		                    idx, what);
	return TS_OK;
}

/* logprob from "logprob" or "prob"; NAN when neither. */
static ts_status item_logprob(pctx *c, const item_keys *k, size_t idx, const char *what,
                              double *lp)
{
	*lp = NAN;
	if (k->logprob) {
		/* -inf (Python's -Infinity) and below: the servers' floor -9999 */
		return plain_logprob(c, k->logprob, idx, what, lp);
	} else if (k->prob) {
		if (!cJSON_IsNumber(k->prob) || prob_to_logprob(k->prob->valuedouble, lp))
			return ts_error_set(c->err, TS_ERR_FIELD,
			                    "%s[%zu]%s: prob is not a number in 0..1",
			                    c->where, idx, what);
	}
	return TS_OK;
}

static const cJSON *item_str(const item_keys *k)
{
	return k->token ? k->token : k->tok_str ? k->tok_str : k->content ? k->content : k->text;
}

static ts_status parse_alt(pctx *c, const cJSON *it, size_t idx)
{
	trace *t = c->t;
	if (!cJSON_IsObject(it))
		return ts_error_set(c->err, TS_ERR_FIELD, "%s[%zu]: alternative is not an object",
		                    c->where, idx);
	item_keys k;
	scan_item(it, &k);
	if (t->n_alts == t->cap_alts) {
		size_t cap = t->cap_alts ? t->cap_alts * 2 : 64;
		if (cap > UINT32_MAX)
			return ts_error_set(c->err, TS_ERR_LIMIT, "%s: too many alternatives", c->where);
		trace_alt *a = realloc(t->alts, cap * sizeof *a);
		if (!a)
			return nomem(c);
		t->alts = a;
		t->cap_alts = cap;
	}
	trace_alt *a = &t->alts[t->n_alts];
	size_t off = t->alt_text.len, n = 0;
	ts_status st = put_token(c, &t->alt_text, item_str(&k), k.bytes, idx, " alternative", &n);
	if (st)
		return st;
	st = item_logprob(c, &k, idx, " alternative", &a->logprob);
	if (st)
		return st;
	a->off = (uint32_t)off;
	a->len = (uint32_t)n;
	t->n_alts++;
	return TS_OK;
}

static ts_status push_step(pctx *c, trace_step **out)
{
	trace *t = c->t;
	if (t->n_steps >= c->lim->max_steps)
		return ts_error_set(c->err, TS_ERR_LIMIT, "%s: more than max_steps (%zu) steps",
		                    c->where, c->lim->max_steps);
	if (t->n_steps == t->cap_steps) {
		size_t cap = t->cap_steps ? t->cap_steps * 2 : 64;
		trace_step *s = realloc(t->steps, cap * sizeof *s);
		if (!s)
			return nomem(c);
		t->steps = s;
		t->cap_steps = cap;
	}
	*out = &t->steps[t->n_steps++];
	return TS_OK;
}

/* A new empty step at the end of the text, without logprob or alternatives. */
static ts_status new_step(pctx *c, trace_step **out)
{
	trace *t = c->t;
	ts_status st = push_step(c, out);
	if (st)
		return st;
	trace_step *step = *out;
	step->off = (uint32_t)t->text.len;
	step->len = 0;
	step->logprob = NAN;
	step->alt_first = (uint32_t)t->n_alts;
	step->n_alt = 0;
	return TS_OK;
}

/* One step; top (nullable) is the step's alternatives when they sit in a
 * parallel array (TGI details.top_tokens[idx]) rather than in the step. */
static ts_status parse_step(pctx *c, const cJSON *it, size_t idx, const cJSON *top)
{
	trace *t = c->t;
	trace_step *step;
	ts_status st = new_step(c, &step);
	if (st)
		return st;

	if (cJSON_IsString(it)) { /* native shorthand: "tokens": ["a", "b"] */
		size_t n = 0;
		st = put_token(c, &t->text, it, NULL, idx, "", &n);
		step->len = (uint32_t)n;
		return st;
	}
	if (!cJSON_IsObject(it))
		return ts_error_set(c->err, TS_ERR_FIELD, "%s[%zu] is not an object", c->where, idx);

	item_keys k;
	scan_item(it, &k);
	size_t n = 0;
	st = put_token(c, &t->text, item_str(&k), k.bytes, idx, "", &n);
	if (st)
		return st;
	step->len = (uint32_t)n;
	st = item_logprob(c, &k, idx, "", &step->logprob);
	if (st)
		return st;

	const cJSON *alts = top ? top : k.top ? k.top : k.top_probs ? k.top_probs : k.probs;
	if (!alts)
		goto done;
	if (!cJSON_IsArray(alts))
		return ts_error_set(c->err, TS_ERR_FIELD, "%s[%zu]: %s is not an array", c->where,
		                    idx, alts->string ? alts->string : "alternatives");
	size_t na = 0;
	for (const cJSON *a = alts->child; a && na < c->lim->max_alts; a = a->next, na++) {
		st = parse_alt(c, a, idx);
		if (st)
			return st;
	}
	step = &t->steps[t->n_steps - 1]; /* unchanged pointer, but be explicit */
	step->n_alt = (uint32_t)na;

	/* old llama.cpp: {"content", "probs": [{"tok_str", "prob"}]} carries the
	 * chosen token's probability only among its alternatives */
	if (isnan(step->logprob) && alts == k.probs) {
		for (size_t i = 0; i < na; i++) {
			const trace_alt *a = &t->alts[step->alt_first + i];
			if (a->len == step->len &&
			    (a->len == 0 ||
			     !memcmp(t->alt_text.p + a->off, t->text.p + step->off, a->len))) {
				step->logprob = a->logprob;
				break;
			}
		}
	}
done:
	if (!isnan(step->logprob))
		t->has_lp = 1;
	return TS_OK;
}

static size_t count_items(const cJSON *arr)
{
	size_t n = 0;
	for (const cJSON *e = arr->child; e; e = e->next)
		n++;
	return n;
}

/* top (nullable): a parallel array of per-step alternative lists. */
static ts_status parse_steps_top(pctx *c, const cJSON *arr, const char *where, const cJSON *top)
{
	trace *t = c->t;
	c->where = where;
	if (!cJSON_IsArray(arr))
		return ts_error_set(c->err, TS_ERR_FIELD, "%s is not an array", where);
	size_t n = count_items(arr);
	if (n > c->lim->max_steps - t->n_steps && t->n_steps <= c->lim->max_steps)
		return ts_error_set(c->err, TS_ERR_LIMIT, "%s: %zu steps, more than max_steps (%zu)",
		                    where, t->n_steps + n, c->lim->max_steps);
	if (n && t->cap_steps - t->n_steps < n) {
		/* size the arrays once per array (a stream appends several); the
		 * buffers still grow when needed */
		size_t cap = t->n_steps + n;
		if (t->n_steps && cap < t->cap_steps * 2)
			cap = t->cap_steps * 2;
		trace_step *ns = realloc(t->steps, cap * sizeof *ns);
		if (!ns)
			return nomem(c);
		t->steps = ns;
		t->cap_steps = cap;
	}
	if (n) {
		ts_status st = tbuf_reserve(c, &t->text, n * 4);
		if (st)
			return st;
	}
	if (top && !cJSON_IsArray(top))
		return ts_error_set(c->err, TS_ERR_FIELD, "%s: top_tokens is not an array", where);
	const cJSON *tp = top ? top->child : NULL;
	size_t idx = 0;
	for (const cJSON *e = arr->child; e; e = e->next, idx++) {
		ts_status st = parse_step(c, e, idx, tp && !cJSON_IsNull(tp) ? tp : NULL);
		if (st)
			return st;
		if (tp)
			tp = tp->next;
	}
	return TS_OK;
}

static ts_status parse_steps(pctx *c, const cJSON *arr, const char *where)
{
	return parse_steps_top(c, arr, where, NULL);
}

/* ---- text only: pseudo-steps ---- */

enum { CL_DIGIT, CL_ALPHA, CL_SPACE, CL_PUNCT, CL_CTRL };

/* byte -> class, worked out at compile time (a constant table: no
 * initialisation, safe from any thread). */
#define BC(b) ((b) >= '0' && (b) <= '9' ? CL_DIGIT                                       \
	: ((b) >= 'a' && (b) <= 'z') || ((b) >= 'A' && (b) <= 'Z') || (b) >= 0x80 ? CL_ALPHA \
	: (b) == ' ' || (b) == '\t' || (b) == '\n' || (b) == '\r' ? CL_SPACE               \
	: (b) > 0x20 && (b) < 0x7f ? CL_PUNCT : CL_CTRL)
#define BC4(b) BC(b), BC((b) + 1), BC((b) + 2), BC((b) + 3)
#define BC16(b) BC4(b), BC4((b) + 4), BC4((b) + 8), BC4((b) + 12)
#define BC64(b) BC16(b), BC16((b) + 16), BC16((b) + 32), BC16((b) + 48)
static const unsigned char byte_cls[256] = { BC64(0), BC64(64), BC64(128), BC64(192) };
#undef BC64
#undef BC16
#undef BC4
#undef BC

static size_t utf8_seq_len(unsigned char b)
{
	return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

#define TEXT_PUNCT_RUN 3

/* End of the pseudo-step that starts at u[i] (u is valid UTF-8 and u[n] is
 * NUL, a control byte that ends every run): a run of ASCII digits, a run of
 * letters (ASCII letters and any non-ASCII character), a run of whitespace,
 * up to TEXT_PUNCT_RUN ASCII punctuation bytes, or one control byte.  Runs
 * are cut at max_step_bytes (>= 4), never inside a character. */
static inline size_t text_step_end(const unsigned char *u, size_t n, size_t i,
                                   size_t max_step_bytes)
{
	int cl = byte_cls[u[i]];
	size_t j = i + 1;
	if (cl == CL_PUNCT) { /* TEXT_PUNCT_RUN == 3; the NUL at u[n] stops it */
		if (byte_cls[u[j]] == CL_PUNCT && byte_cls[u[++j]] == CL_PUNCT)
			j++;
		return j;
	}
	if (cl == CL_DIGIT || cl == CL_SPACE) { /* ASCII: the NUL stops it */
		size_t lim = i + max_step_bytes;
		while (byte_cls[u[j]] == cl && j < lim)
			j++;
		return j;
	}
	if (cl != CL_ALPHA)
		return j;
	j = i + utf8_seq_len(u[i]);
	if (j > n)
		j = n;
	size_t lim = n - i > max_step_bytes ? i + max_step_bytes : n;
	while (j < lim && byte_cls[u[j]] == CL_ALPHA) {
		size_t l = u[j] < 0x80 ? 1 : utf8_seq_len(u[j]);
		if (j + l > lim)
			break;
		j += l;
	}
	return j;
}

_Static_assert(TEXT_PUNCT_RUN == 3, "text_step_end reads up to 3 punctuation bytes");

/* Appends s[0..n) (valid UTF-8) to the text as pseudo-steps; one_step: as a
 * single step when it fits max_token_bytes (a streamed delta is one token's
 * text, or a few tokens the server merged). */
static ts_status append_text(pctx *c, const char *s, size_t n, int one_step)
{
	trace *t = c->t;
	ts_status st = tbuf_reserve(c, &t->text, n + 1);
	if (st)
		return st;
	size_t base = t->text.len;
	if (n)
		memcpy(t->text.p + base, s, n);
	t->text.len = base + n;
	t->text.p[t->text.len] = '\0';
	/* at most one step per byte, and never past max_steps: the steps array
	 * is sized once here, the loop only checks the limit */
	size_t maxs = c->lim->max_steps, room = maxs > t->n_steps ? maxs - t->n_steps : 0;
	size_t want = t->n_steps + (n < room ? n : room);
	if (want > t->cap_steps) {
		size_t cap = t->cap_steps * 2 > want ? t->cap_steps * 2 : want;
		trace_step *ns = realloc(t->steps, cap * sizeof *ns);
		if (!ns)
			return nomem(c);
		t->steps = ns;
		t->cap_steps = cap;
	}
	/* the steps are cut in the copy, whose NUL ends every run */
	const unsigned char *u = (const unsigned char *)t->text.p + base;
	size_t maxb = c->lim->max_token_bytes < 4 ? 4 : c->lim->max_token_bytes;
	int whole = one_step && n <= c->lim->max_token_bytes;
	const trace_step tmpl = { .logprob = NAN, .alt_first = (uint32_t)t->n_alts };
	trace_step *steps = t->steps;
	size_t k = t->n_steps;
	for (size_t i = 0, j; i < n; i = j) {
		j = whole ? n : text_step_end(u, n, i, maxb);
		if (k >= maxs) {
			trace_step *step;
			t->n_steps = k;
			return push_step(c, &step); /* the max_steps error, as for any step */
		}
		trace_step *step = &steps[k++];
		*step = tmpl;
		step->off = (uint32_t)(base + i);
		step->len = (uint32_t)(j - i);
	}
	t->n_steps = k;
	return TS_OK;
}

static ts_status check_text(pctx *c, const cJSON *str, const char *where)
{
	c->where = where;
	if (!cJSON_IsString(str))
		return ts_error_set(c->err, TS_ERR_FIELD, "%s is not a string", where);
	if (!utf8_valid((const unsigned char *)str->valuestring, strlen(str->valuestring)))
		return ts_error_set(c->err, TS_ERR_UTF8, "%s is not valid UTF-8", where);
	return TS_OK;
}

static ts_status parse_text(pctx *c, const cJSON *str, const char *where)
{
	ts_status st = check_text(c, str, where);
	if (st)
		return st;
	st = append_text(c, str->valuestring, strlen(str->valuestring), 0);
	if (st)
		return st;
	c->t->fmt = TRACE_FMT_TEXT;
	return TS_OK;
}

/* ---- builder for containers kept in their own files (trace_int.h) ---- */

static trace_finish map_finish_reason(const cJSON *f);
static ts_status terminate(pctx *c);

ts_status trace_build_step(trace *t, const trace_limits *lim, const cJSON *str, const cJSON *lp,
                           const char *where, size_t idx, ts_error *err)
{
	pctx c = { t, lim, err, where, 0 };
	trace_step *step;
	ts_status st = new_step(&c, &step);
	if (st)
		return st;
	size_t n = 0;
	st = put_token(&c, &t->text, str, NULL, idx, "", &n);
	if (!st)
		st = plain_logprob(&c, lp, idx, "", &t->steps[t->n_steps - 1].logprob);
	if (st) {
		t->n_steps--;
		return st;
	}
	t->steps[t->n_steps - 1].len = (uint32_t)n;
	if (!isnan(t->steps[t->n_steps - 1].logprob))
		t->has_lp = 1;
	return TS_OK;
}

ts_status trace_build_alt(trace *t, const trace_limits *lim, const cJSON *str, const cJSON *lp,
                          const char *where, size_t idx, ts_error *err)
{
	pctx c = { t, lim, err, where, 0 };
	if (!t->n_steps)
		return ts_error_set(err, TS_ERR_USAGE, "%s: an alternative before any step", where);
	trace_step *step = &t->steps[t->n_steps - 1];
	if (step->n_alt >= lim->max_alts)
		return TS_OK; /* the first max_alts are kept */
	if (t->n_alts == t->cap_alts) {
		size_t cap = t->cap_alts ? t->cap_alts * 2 : 64;
		if (cap > UINT32_MAX)
			return ts_error_set(err, TS_ERR_LIMIT, "%s: too many alternatives", where);
		trace_alt *a = realloc(t->alts, cap * sizeof *a);
		if (!a)
			return nomem(&c);
		t->alts = a;
		t->cap_alts = cap;
	}
	trace_alt *a = &t->alts[t->n_alts];
	size_t off = t->alt_text.len, n = 0;
	ts_status st = put_token(&c, &t->alt_text, str, NULL, idx, " alternative", &n);
	if (!st)
		st = plain_logprob(&c, lp, idx, " alternative", &a->logprob);
	if (st) {
		t->alt_text.len = off;
		return st;
	}
	a->off = (uint32_t)off;
	a->len = (uint32_t)n;
	t->n_alts++;
	step->n_alt++;
	return TS_OK;
}

void trace_build_container(trace *t, trace_format container)
{
	t->fmt = t->container = container;
}

void trace_build_drop_steps(trace *t)
{
	t->n_steps = t->n_alts = 0;
	t->text.len = t->alt_text.len = 0;
	t->has_lp = 0;
}

ts_status trace_build_text(trace *t, const trace_limits *lim, const cJSON *str, const char *where,
                           ts_error *err)
{
	pctx c = { t, lim, err, where, 0 };
	return parse_text(&c, str, where);
}

void trace_build_finish(trace *t, trace_finish f, trace_finish_how how)
{
	t->finish = f;
	t->finish_how = how;
}

ts_status trace_build_end(trace *t, ts_error *err)
{
	pctx c = { t, NULL, err, "trace", 0 };
	return terminate(&c);
}

trace_finish trace_map_finish_reason(const cJSON *f)
{
	return map_finish_reason(f);
}

/* The end-of-sequence texts (README "EOS"): one list, read by the finish
 * inference here and by confidence.c's close decision and EOS cuts. */
#define EOS_TEXTS(X) X("<eos>") X("<end_of_turn>") X("<|im_end|>") X("<|endoftext|>") X("</s>") \
	X("<\xef\xbd\x9c" "end\xe2\x96\x81" "of\xe2\x96\x81" "sentence\xef\xbd\x9c>") \
	X("<|eot_id|>") X("<|end_of_text|>") X("<|end|>")
#define EOS_TEXT(s) s,
#define EOS_LEN(s) sizeof s - 1,
static const char *const eos_texts[] = { EOS_TEXTS(EOS_TEXT) };
static const size_t eos_lens[] = { EOS_TEXTS(EOS_LEN) };

const char *trace_eos_text(size_t i)
{
	return trace_eos_text_len(i, NULL);
}

const char *trace_eos_text_len(size_t i, size_t *len)
{
	if (i >= sizeof eos_texts / sizeof *eos_texts)
		return NULL;
	if (len)
		*len = eos_lens[i];
	return eos_texts[i];
}

int trace_is_eos_text(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof eos_texts / sizeof *eos_texts; i++)
		if (eos_lens[i] == n && !memcmp(eos_texts[i], s, n))
			return 1;
	return 0;
}

void trace_infer_finish(trace *t, const trace_limits *lim, size_t n_generated)
{
	const trace_step *last = t->n_steps ? &t->steps[t->n_steps - 1] : NULL;
	long max = lim->infer_max_tokens;
	if (last && t->fmt != TRACE_FMT_TEXT && trace_is_eos_text(t->text.p + last->off, last->len))
		trace_build_finish(t, TRACE_FINISH_STOP, TRACE_FINISH_INFERRED_EOS);
	else if (max > 0 && n_generated >= (size_t)max)
		trace_build_finish(t, TRACE_FINISH_LENGTH, TRACE_FINISH_INFERRED_MAX_TOKENS);
	else if (max > 0)
		trace_build_finish(t, TRACE_FINISH_STOP, TRACE_FINISH_INFERRED_BELOW_MAX);
	else
		trace_build_finish(t, TRACE_FINISH_UNKNOWN, TRACE_FINISH_NOT_INFERRED);
}

/* ---- containers ---- */

static trace_finish map_finish_reason(const cJSON *f)
{
	if (cJSON_IsString(f)) {
		const char *v = f->valuestring;
		/* TGI: eos_token, stop_sequence; SGLang's finish_reason.type: stop */
		if (!strcmp(v, "stop") || !strcmp(v, "eos_token") || !strcmp(v, "stop_sequence"))
			return TRACE_FINISH_STOP;
		if (!strcmp(f->valuestring, "length"))
			return TRACE_FINISH_LENGTH;
	}
	return TRACE_FINISH_UNKNOWN;
}

/* image_id: an integer, or a string of decimal digits. */
static int parse_image_id(const cJSON *j, int64_t *out)
{
	if (cJSON_IsNumber(j)) {
		double v = j->valuedouble;
		if (!(v >= -9.2e18 && v <= 9.2e18) || v != floor(v))
			return -1;
		*out = (int64_t)v;
		return 0;
	}
	if (cJSON_IsString(j)) {
		const char *s = j->valuestring;
		if (!*s)
			return -1;
		uint64_t v = 0;
		for (; *s; s++) {
			if (*s < '0' || *s > '9')
				return -1;
			if (v > (uint64_t)(INT64_MAX - 9) / 10)
				return -1;
			v = v * 10 + (uint64_t)(*s - '0');
		}
		*out = (int64_t)v;
		return 0;
	}
	return -1;
}

static ts_status parse_refs(pctx *c, const cJSON *root)
{
	trace *t = c->t;
	const cJSON *id = get(root, "image_id");
	if (id) {
		if (parse_image_id(id, &t->image_id)) {
			if (cJSON_IsString(id))
				return ts_error_set(c->err, TS_ERR_FIELD,
				                    "image_id \"%.60s\" is not an integer", id->valuestring);
			return ts_error_set(c->err, TS_ERR_FIELD, "image_id is not an integer");
		}
		t->has_id = 1;
	}
	const cJSON *fn = get(root, "file_name");
	if (fn && !cJSON_IsString(fn))
		return ts_error_set(c->err, TS_ERR_FIELD, "file_name is not a string");
	if (!fn) {
		fn = get(root, "image"); /* "image" may also hold non-string data: ignored */
		if (!cJSON_IsString(fn))
			fn = NULL;
	}
	if (fn && !(t->file_name = strdup(fn->valuestring)))
		return nomem(c);
	const cJSON *cid = get(root, "custom_id");
	if (cid && !cJSON_IsString(cid))
		return ts_error_set(c->err, TS_ERR_FIELD, "custom_id is not a string");
	if (cid && !(t->custom_id = strdup(cid->valuestring)))
		return nomem(c);
	const cJSON *pr = get(root, "prompt");
	if (cJSON_IsString(pr) && !(t->prompt = strdup(pr->valuestring)))
		return nomem(c);
	return TS_OK;
}
/* ---- the shared layer, for the containers (trace_container.h) ---- */

ts_status trace_ctx_nomem(trace_ctx *c) { return nomem(c); }
ts_status trace_ctx_reserve(trace_ctx *c, tbuf *b, size_t extra) { return tbuf_reserve(c, b, extra); }
int trace_utf8_valid(const unsigned char *s, size_t n) { return utf8_valid(s, n); }
ts_status trace_ctx_push_step(trace_ctx *c, trace_step **out) { return push_step(c, out); }

ts_status trace_ctx_alt_room(trace_ctx *c)
{
	trace *t = c->t;
	if (t->n_alts == t->cap_alts) {
		size_t cap = t->cap_alts ? t->cap_alts * 2 : 64;
		trace_alt *v = realloc(t->alts, cap * sizeof *v);
		if (!v)
			return nomem(c);
		t->alts = v;
		t->cap_alts = cap;
	}
	return TS_OK;
}

ts_status trace_ctx_put_token(trace_ctx *c, tbuf *b, const cJSON *str, const cJSON *bytes,
                              size_t idx, const char *what, size_t *n)
{
	return put_token(c, b, str, bytes, idx, what, n);
}

ts_status trace_ctx_logprob(trace_ctx *c, const cJSON *v, size_t idx, const char *what, double *lp)
{
	return plain_logprob(c, v, idx, what, lp);
}

ts_status trace_ctx_steps(trace_ctx *c, const cJSON *arr, const char *where)
{
	return parse_steps(c, arr, where);
}

ts_status trace_ctx_steps_top(trace_ctx *c, const cJSON *arr, const char *where, const cJSON *top)
{
	return parse_steps_top(c, arr, where, top);
}

ts_status trace_ctx_text(trace_ctx *c, const cJSON *str, const char *where)
{
	return parse_text(c, str, where);
}

ts_status trace_ctx_delta(trace_ctx *c, const cJSON *str, const char *where)
{
	ts_status st = check_text(c, str, where);
	return st ? st : append_text(c, str->valuestring, strlen(str->valuestring), 1);
}

ts_status trace_ctx_step(trace_ctx *c, const cJSON *it, size_t idx, const cJSON *top)
{
	return parse_step(c, it, idx, top);
}

/* ---- the dispatcher ---- */

static const trace_container containers[] = {
#define TRACE_CONTAINER(name, fmt, stream) \
	{ #name, fmt, stream, trace_##name##_detect, trace_##name##_read, \
	  (stream) == TRACE_FMT_COUNT ? NULL : trace_##name##_chunk },
#include "trace_containers.def"
#undef TRACE_CONTAINER
};

const trace_container *trace_containers(size_t *n)
{
	*n = sizeof containers / sizeof containers[0];
	return containers;
}

/* The container of lowest tier reads the line; the table's order breaks
 * ties (trace_container.h).  Native always detects (TRACE_TIER_LAST). */
static ts_status parse_body(pctx *c, const cJSON *root)
{
	const trace_container *best = NULL;
	int best_tier = 0;
	for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++) {
		int tier = containers[i].detect(root);
		if (tier && (!best || tier < best_tier)) {
			best = &containers[i];
			best_tier = tier;
			if (tier == TRACE_TIER_STEPS)
				break; /* nothing comes before */
		}
	}
	return best->read(c, root, best_tier);
}


static int is_json_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Python's json.dumps writes -Infinity, Infinity and NaN, which are not JSON.
 * A copy of s with those bare words (outside strings) made into -1e999 /
 * 1e999 (cJSON reads them as infinities) and null; NULL when s has none. */
static char *python_floats_fixed(const char *s, size_t len, size_t *out_len)
{
	static const struct { const char *w; size_t n; const char *r; } words[] = {
		{ "-Infinity", 9, "-1e999" }, { "Infinity", 8, "1e999" }, { "NaN", 3, "null" },
	};
	char *d = NULL;
	size_t dn = 0, from = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"') {
			i = json_util_string_end(s, len, i) - 1;
			continue;
		}
		for (size_t w = 0; w < 3; w++) {
			if (len - i < words[w].n || memcmp(s + i, words[w].w, words[w].n))
				continue;
			if (!d && !(d = malloc(len + len / 3 + 2))) /* "NaN" -> "null" grows by 1 */
				return NULL;
			memcpy(d + dn, s + from, i - from);
			dn += i - from;
			size_t rn = strlen(words[w].r);
			memcpy(d + dn, words[w].r, rn);
			dn += rn;
			from = i + words[w].n;
			i = from - 1;
			break;
		}
	}
	if (!d)
		return NULL;
	memcpy(d + dn, s + from, len - from);
	dn += len - from;
	*out_len = dn;
	return d;
}

/* Parses s[0..len) as one JSON object (whitespace after it allowed). */
static ts_status parse_object(const char *line, size_t len, const trace_limits *lim, cJSON **out,
                              ts_error *err)
{
	*out = NULL;
	if (len > lim->max_line_bytes)
		return ts_error_set(err, TS_ERR_LIMIT, "line of %zu bytes is longer than max_line_bytes (%zu)",
		                    len, lim->max_line_bytes);
	size_t nv = json_util_count_values(line, len);
	if (nv > JSON_UTIL_MAX_VALUES(len))
		return ts_error_set(err, TS_ERR_LIMIT,
		                    "line of %zu bytes holds ~%zu JSON values, more than one per %d bytes "
		                    "and more than %zu (refused before parsing: it would need ~%zu MB)",
		                    len, nv, JSON_UTIL_BYTES_PER_VALUE, JSON_UTIL_MIN_VALUES, nv / 16384);
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (!root && json_util_valid(line, len))
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory parsing a line of %zu bytes", len);
	if (!root) {
		size_t at = (end && end >= line && end <= line + len) ? (size_t)(end - line) : 0;
		if (json_util_too_deep(line, len, at))
			return ts_error_set(err, TS_ERR_LIMIT, "JSON nested deeper than %d levels at byte %zu",
			                    CJSON_NESTING_LIMIT, at);
		size_t fl = 0;
		char *fixed = at < len && (line[at] == '-' || line[at] == 'I' || line[at] == 'N')
		                  ? python_floats_fixed(line, len, &fl) : NULL;
		if (fixed) {
			const char *fend = NULL;
			root = cJSON_ParseWithLengthOpts(fixed, fl, &fend, 0);
			int trailing = 0;
			if (root && fend)
				for (const char *e = fend; e < fixed + fl; e++)
					trailing |= !is_json_space(*e);
			free(fixed);
			if (root && !trailing && cJSON_IsObject(root)) {
				*out = root;
				return TS_OK;
			}
			cJSON_Delete(root);
		}
		return ts_error_set(err, TS_ERR_JSON, "malformed JSON near byte %zu", at);
	}
	if (end) {
		const char *e = end, *lend = line + len;
		while (e < lend && is_json_space(*e))
			e++;
		if (e < lend) {
			cJSON_Delete(root);
			return ts_error_set(err, TS_ERR_JSON, "unexpected text after the JSON value at byte %zu",
			                    (size_t)(e - line));
		}
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return ts_error_set(err, TS_ERR_FORMAT, "line is not a JSON object");
	}
	*out = root;
	return TS_OK;
}

/* Text buffers are always NUL-terminated (not counted in len). */
static ts_status terminate(pctx *c)
{
	c->where = "trace";
	ts_status st = tbuf_reserve(c, &c->t->text, 1);
	if (!st)
		st = tbuf_reserve(c, &c->t->alt_text, 1);
	if (!st) {
		c->t->text.p[c->t->text.len] = '\0';
		c->t->alt_text.p[c->t->alt_text.len] = '\0';
	}
	return st;
}

ts_status trace_parse_object(const cJSON *root, const trace_limits *lim, trace **out, ts_error *err)
{
	return trace_parse_object_choice(root, lim, 0, out, err);
}

size_t trace_line_choices(const cJSON *root)
{
	const cJSON *o = trace_vllm_detect(root) ? get(root, "outputs") : NULL;
	int n = cJSON_IsArray(o) ? cJSON_GetArraySize(o) : 1;
	return n < 1 ? 1 : (size_t)n;
}

ts_status trace_parse_line_choice(const char *line, size_t len, const trace_limits *lim,
                                  long choice, trace **out, ts_error *err)
{
	if (choice == 0)
		return trace_parse_line(line, len, lim, out, err);
	trace_limits dl;
	if (!lim) {
		trace_limits_default(&dl);
		lim = &dl;
	}
	*out = NULL;
	cJSON *root;
	ts_status st = parse_object(line, len, lim, &root, err);
	if (st)
		return st;
	st = trace_parse_object_choice(root, lim, choice, out, err);
	cJSON_Delete(root);
	return st;
}

ts_status trace_parse_object_choice(const cJSON *root, const trace_limits *lim, long choice,
                                    trace **out, ts_error *err)
{
	*out = NULL;
	trace *t = calloc(1, sizeof *t);
	if (!t)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	pctx c = { t, lim, err, "", choice };
	ts_status st = parse_refs(&c, root);
	if (!st)
		st = parse_body(&c, root);
	if (!st)
		st = terminate(&c);
	if (st) {
		trace_free(t);
		return st;
	}
	*out = t;
	ts_error_clear(err);
	return TS_OK;
}

ts_status trace_parse_line(const char *line, size_t len, const trace_limits *lim,
                           trace **out, ts_error *err)
{
	trace_limits dl;
	*out = NULL;
	if (!lim) {
		trace_limits_default(&dl);
		lim = &dl;
	}
	if (trace_fast_parse_line(line, len, lim, out)) { /* trace_fast.c; else cJSON */
		ts_error_clear(err);
		return TS_OK;
	}
	cJSON *root;
	ts_status st = parse_object(line, len, lim, &root, err);
	if (st)
		return st;
	st = trace_parse_object(root, lim, out, err);
	cJSON_Delete(root);
	return st;
}

ts_status trace_json_parse(const char *s, size_t len, const trace_limits *lim, cJSON **out,
                           ts_error *err)
{
	return parse_object(s, len, lim, out, err);
}

/* ---- streaming chunks ---- */

trace *trace_new(trace_format container)
{
	trace *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->fmt = t->container = container;
	t->text.p = calloc(1, 16);
	t->alt_text.p = calloc(1, 16);
	if (!t->text.p || !t->alt_text.p) {
		trace_free(t);
		return NULL;
	}
	t->text.cap = t->alt_text.cap = 16;
	return t;
}

ts_status trace_set_refs(trace *t, const int64_t *image_id, const char *file_name,
                         const char *custom_id, const char *prompt)
{
	const char *src[3] = { file_name, custom_id, prompt };
	char **dst[3] = { &t->file_name, &t->custom_id, &t->prompt };
	for (int i = 0; i < 3; i++) {
		if (!src[i])
			continue;
		char *d = strdup(src[i]);
		if (!d)
			return TS_ERR_NOMEM;
		free(*dst[i]);
		*dst[i] = d;
	}
	if (image_id) {
		t->has_id = 1;
		t->image_id = *image_id;
	}
	return TS_OK;
}

/* Image reference and prompt from a chunk, for the fields not set yet. */
static ts_status merge_refs(pctx *c, const cJSON *root)
{
	trace *t = c->t;
	trace tmp;
	memset(&tmp, 0, sizeof tmp);
	pctx c2 = *c;
	c2.t = &tmp;
	ts_status st = parse_refs(&c2, root);
	if (!st) {
		if (!t->has_id && tmp.has_id) {
			t->has_id = 1;
			t->image_id = tmp.image_id;
		}
		char **src[3] = { &tmp.file_name, &tmp.custom_id, &tmp.prompt };
		char **dst[3] = { &t->file_name, &t->custom_id, &t->prompt };
		for (int i = 0; i < 3; i++)
			if (!*dst[i]) {
				*dst[i] = *src[i];
				*src[i] = NULL;
			}
	}
	free(tmp.file_name);
	free(tmp.custom_id);
	free(tmp.prompt);
	return st;
}

trace_chunk_kind trace_chunk_classify(const cJSON *root)
{
	const cJSON *choices = get(root, "choices");
	if (cJSON_IsArray(choices)) {
		const cJSON *ch0 = choices->child;
		if (ch0 && get(ch0, "message"))
			return TRACE_CHUNK_NONE; /* a whole chat completion */
		return TRACE_CHUNK_OPENAI;
	}
	if (get(root, "error"))
		return TRACE_CHUNK_ERROR;
	if (cJSON_IsObject(get(root, "token")) && cJSON_GetObjectItemCaseSensitive(root, "generated_text"))
		return TRACE_CHUNK_TGI;
	if (cJSON_IsBool(get(root, "done")) &&
	    (cJSON_IsString(get(root, "response")) || cJSON_IsObject(get(root, "message"))))
		return TRACE_CHUNK_OLLAMA;
	const cJSON *stop = get(root, "stop");
	if (cJSON_IsBool(stop) && (cJSON_IsString(get(root, "content")) || get(root, "completion_probabilities")))
		return TRACE_CHUNK_LLAMACPP;
	return TRACE_CHUNK_NONE;
}

long trace_choice_index(const cJSON *choice, size_t pos)
{
	const cJSON *ix = get(choice, "index");
	if (cJSON_IsNumber(ix) && ix->valuedouble >= 0 && ix->valuedouble < 1e9)
		return (long)ix->valuedouble;
	return (long)pos;
}

/* The container of a chunk's stream form (trace_container.chunk): OpenAI's
 * for a choice, else the one of the trace's stream form; llama.cpp's for any
 * other (a llama.cpp or TGI chunk on a trace of another form). */
static const trace_container *container_of_stream(trace_format stream)
{
	for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++)
		if (containers[i].chunk && containers[i].stream == stream)
			return &containers[i];
	return NULL;
}

static const trace_container *chunk_reader(const trace *t, const cJSON *choice)
{
	if (choice)
		return container_of_stream(TRACE_FMT_OPENAI_SSE);
	const trace_container *k = container_of_stream(t->container);
	return k && k->stream != TRACE_FMT_OPENAI_SSE ? k : container_of_stream(TRACE_FMT_LLAMACPP_SSE);
}

ts_status trace_chunk_apply(trace *t, const cJSON *root, const cJSON *choice, size_t pos,
                            const trace_limits *lim, int *done, ts_error *err)
{
	trace_limits dl;
	if (!lim) {
		trace_limits_default(&dl);
		lim = &dl;
	}
	*done = 0;
	pctx c = { t, lim, err, "", 0 };
	size_t n0 = t->n_steps, a0 = t->n_alts, l0 = t->text.len, al0 = t->alt_text.len;
	ts_status st = merge_refs(&c, root);
	if (!st)
		st = chunk_reader(t, choice)->chunk(&c, root, choice, pos, done);
	if (st) {
		/* leave the trace as it was before this chunk */
		t->n_steps = n0;
		t->n_alts = a0;
		t->text.len = l0;
		t->alt_text.len = al0;
		*done = 0;
	}
	ts_status st2 = terminate(&c);
	if (!st && st2)
		return st2;
	if (!st)
		ts_error_clear(err);
	return st;
}

ts_status trace_append_chunk(trace *t, const char *json, size_t len, const trace_limits *lim,
                             long choice, int *done, ts_error *err)
{
	trace_limits dl;
	if (!lim) {
		trace_limits_default(&dl);
		lim = &dl;
	}
	*done = 0;
	cJSON *root;
	ts_status st = parse_object(json, len, lim, &root, err);
	if (st)
		return st;
	switch (trace_chunk_classify(root)) {
	case TRACE_CHUNK_OPENAI: {
		size_t pos = 0;
		for (const cJSON *ch = get(root, "choices")->child; ch; ch = ch->next, pos++) {
			long idx = trace_choice_index(ch, pos);
			if (idx != choice)
				continue;
			st = trace_chunk_apply(t, root, ch, pos, lim, done, err);
			break;
		}
		break;
	}
	case TRACE_CHUNK_LLAMACPP:
	case TRACE_CHUNK_TGI:
		st = trace_chunk_apply(t, root, NULL, 0, lim, done, err);
		break;
	case TRACE_CHUNK_ERROR:
		st = trace_chunk_error(root, err);
		break;
	case TRACE_CHUNK_OLLAMA:
		if (t->container != TRACE_FMT_OLLAMA_STREAM) {
			st = ts_error_set(err, TS_ERR_FORMAT, "an Ollama line needs a trace_new(TRACE_FMT_OLLAMA_STREAM)");
			break;
		}
		st = trace_chunk_apply(t, root, NULL, 0, lim, done, err);
		break;
	case TRACE_CHUNK_NONE:
		st = ts_error_set(err, TS_ERR_FORMAT, "not a streaming chunk (chat.completion.chunk or "
		                  "llama.cpp /completion stream)");
		break;
	}
	cJSON_Delete(root);
	return st;
}

ts_status trace_chunk_error(const cJSON *root, ts_error *err)
{
	const cJSON *e = get(root, "error");
	const cJSON *m = cJSON_IsObject(e) ? get(e, "message") : e;
	if (cJSON_IsString(m))
		return ts_error_set(err, TS_ERR_FORMAT, "stream error: %.200s", m->valuestring);
	return ts_error_set(err, TS_ERR_FORMAT, "stream error (error is set)");
}
