/* trace.c — one JSONL line (any supported container) into a trace.
 *
 * Layout: one growing byte buffer for step text, one for alternative text,
 * and flat arrays of steps and alternatives; nothing is allocated per token.
 * The cJSON tree is walked once with ->child/->next and freed before
 * returning.  See trace.h for the accepted containers and the rules.
 */
#include "trace.h"
#include "json_util.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tbuf {
	char *p;
	size_t len, cap;
} tbuf;

struct trace {
	trace_format fmt;
	trace_finish finish;
	trace_step *steps;
	size_t n_steps, cap_steps;
	trace_alt *alts;
	size_t n_alts, cap_alts;
	tbuf text, alt_text;
	int has_lp;
	int has_id;
	int64_t image_id;
	char *file_name, *custom_id, *prompt;
};

void trace_limits_default(trace_limits *lim)
{
	lim->max_line_bytes = (size_t)64 << 20;
	lim->max_steps = 1000000;
	lim->max_alts = 20;
	lim->max_token_bytes = 4096;
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
trace_finish trace_get_finish(const trace *t) { return t->finish; }
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
	}
	return "unknown";
}

const char *trace_finish_name(trace_finish f)
{
	switch (f) {
	case TRACE_FINISH_STOP: return "stop";
	case TRACE_FINISH_LENGTH: return "length";
	case TRACE_FINISH_UNKNOWN: break;
	}
	return "unknown";
}

/* ---- parse context ---- */

typedef struct pctx {
	trace *t;
	const trace_limits *lim;
	ts_error *err;
	const char *where; /* JSON path of the step array, for messages */
} pctx;

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

/* Appends the text of one token (step or alternative) to b.  bytes wins over
 * the string when present and not null.  *n_out receives the length. */
static ts_status put_token(pctx *c, tbuf *b, const cJSON *str, const cJSON *bytes,
                           size_t idx, const char *what, size_t *n_out)
{
	size_t maxb = c->lim->max_token_bytes;
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
	const cJSON *token, *tok_str, *content, *bytes, *logprob, *prob, *top, *top_probs, *probs;
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

/* logprob from "logprob" or "prob"; NAN when neither. */
static ts_status item_logprob(pctx *c, const item_keys *k, size_t idx, const char *what,
                              double *lp)
{
	*lp = NAN;
	if (k->logprob) {
		if (!cJSON_IsNumber(k->logprob))
			return ts_error_set(c->err, TS_ERR_FIELD, "%s[%zu]%s: logprob is not a number",
			                    c->where, idx, what);
		*lp = k->logprob->valuedouble;
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
	return k->token ? k->token : k->tok_str ? k->tok_str : k->content;
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

static ts_status parse_step(pctx *c, const cJSON *it, size_t idx)
{
	trace *t = c->t;
	trace_step *step;
	ts_status st = push_step(c, &step);
	if (st)
		return st;
	step->off = (uint32_t)t->text.len;
	step->len = 0;
	step->logprob = NAN;
	step->alt_first = (uint32_t)t->n_alts;
	step->n_alt = 0;

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

	const cJSON *alts = k.top ? k.top : k.top_probs ? k.top_probs : k.probs;
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

static ts_status parse_steps(pctx *c, const cJSON *arr, const char *where)
{
	trace *t = c->t;
	c->where = where;
	if (!cJSON_IsArray(arr))
		return ts_error_set(c->err, TS_ERR_FIELD, "%s is not an array", where);
	size_t n = count_items(arr);
	if (n > c->lim->max_steps)
		return ts_error_set(c->err, TS_ERR_LIMIT, "%s: %zu steps, more than max_steps (%zu)",
		                    where, n, c->lim->max_steps);
	if (n) {
		/* size the arrays once; the buffers still grow when needed */
		t->steps = malloc(n * sizeof *t->steps);
		if (!t->steps)
			return nomem(c);
		t->cap_steps = n;
		ts_status st = tbuf_reserve(c, &t->text, n * 4);
		if (st)
			return st;
	}
	size_t idx = 0;
	for (const cJSON *e = arr->child; e; e = e->next, idx++) {
		ts_status st = parse_step(c, e, idx);
		if (st)
			return st;
	}
	return TS_OK;
}

/* ---- text only: pseudo-steps ---- */

enum { CL_DIGIT, CL_ALPHA, CL_SPACE, CL_PUNCT, CL_CTRL };

static int byte_class(unsigned char b)
{
	if (b >= '0' && b <= '9')
		return CL_DIGIT;
	if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b >= 0x80)
		return CL_ALPHA;
	if (b == ' ' || b == '\t' || b == '\n' || b == '\r')
		return CL_SPACE;
	if (b > 0x20 && b < 0x7f)
		return CL_PUNCT;
	return CL_CTRL;
}

static size_t utf8_seq_len(unsigned char b)
{
	return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

#define TEXT_PUNCT_RUN 3

/* End of the pseudo-step that starts at u[i] (u is valid UTF-8): a run of
 * ASCII digits, a run of letters (ASCII letters and any non-ASCII character),
 * a run of whitespace, up to TEXT_PUNCT_RUN ASCII punctuation bytes, or one
 * control byte.  Runs are cut at max_step_bytes, never inside a character. */
static size_t text_step_end(const unsigned char *u, size_t n, size_t i, size_t max_step_bytes)
{
	int cl = byte_class(u[i]);
	size_t j = i + utf8_seq_len(u[i]);
	if (j > n)
		j = n;
	if (cl == CL_DIGIT || cl == CL_ALPHA || cl == CL_SPACE) {
		while (j < n && byte_class(u[j]) == cl) {
			size_t l = utf8_seq_len(u[j]);
			if (j + l > n || j + l - i > max_step_bytes)
				break;
			j += l;
		}
	} else if (cl == CL_PUNCT) {
		while (j < n && j - i < TEXT_PUNCT_RUN && byte_class(u[j]) == CL_PUNCT)
			j++;
	}
	return j;
}

static ts_status parse_text(pctx *c, const cJSON *str, const char *where)
{
	trace *t = c->t;
	c->where = where;
	if (!cJSON_IsString(str))
		return ts_error_set(c->err, TS_ERR_FIELD, "%s is not a string", where);
	const char *s = str->valuestring;
	size_t n = strlen(s);
	if (!utf8_valid((const unsigned char *)s, n))
		return ts_error_set(c->err, TS_ERR_UTF8, "%s is not valid UTF-8", where);
	ts_status st = tbuf_reserve(c, &t->text, n);
	if (st)
		return st;
	if (n)
		memcpy(t->text.p, s, n);
	t->text.len = n;
	const unsigned char *u = (const unsigned char *)s;
	size_t maxb = c->lim->max_token_bytes < 4 ? 4 : c->lim->max_token_bytes;
	for (size_t i = 0, j; i < n; i = j) {
		j = text_step_end(u, n, i, maxb);
		trace_step *step;
		st = push_step(c, &step);
		if (st)
			return st;
		step->off = (uint32_t)i;
		step->len = (uint32_t)(j - i);
		step->logprob = NAN;
		step->alt_first = (uint32_t)t->n_alts;
		step->n_alt = 0;
	}
	t->fmt = TRACE_FMT_TEXT;
	return TS_OK;
}

/* ---- containers ---- */

static trace_finish map_finish_reason(const cJSON *f)
{
	if (cJSON_IsString(f)) {
		if (!strcmp(f->valuestring, "stop"))
			return TRACE_FINISH_STOP;
		if (!strcmp(f->valuestring, "length"))
			return TRACE_FINISH_LENGTH;
	}
	return TRACE_FINISH_UNKNOWN;
}

static trace_finish llamacpp_finish(const cJSON *o)
{
	const cJSON *st = get(o, "stop_type");
	if (cJSON_IsString(st)) {
		const char *s = st->valuestring;
		if (!strcmp(s, "eos") || !strcmp(s, "word"))
			return TRACE_FINISH_STOP;
		if (!strcmp(s, "limit"))
			return TRACE_FINISH_LENGTH;
		return TRACE_FINISH_UNKNOWN;
	}
	if (cJSON_IsTrue(get(o, "stopped_limit")))
		return TRACE_FINISH_LENGTH;
	if (cJSON_IsTrue(get(o, "stopped_eos")) || cJSON_IsTrue(get(o, "stopped_word")))
		return TRACE_FINISH_STOP;
	return TRACE_FINISH_UNKNOWN; /* "stop": true alone does not say why */
}

/* A llama.cpp /completion response without probabilities: "content" plus
 * one of the keys only that server writes. */
static int is_llamacpp_text(const cJSON *o)
{
	return cJSON_IsString(get(o, "content")) &&
	       (get(o, "stop_type") || get(o, "stopped_eos") || get(o, "stopped_limit") ||
	        get(o, "stopped_word") || get(o, "tokens_predicted"));
}

static ts_status parse_llamacpp(pctx *c, const cJSON *o, int under_response)
{
	c->t->finish = llamacpp_finish(o);
	c->t->fmt = TRACE_FMT_LLAMACPP;
	const cJSON *cp = get(o, "completion_probabilities");
	if (cp)
		return parse_steps(c, cp, under_response ? "response.completion_probabilities"
		                                         : "completion_probabilities");
	return parse_text(c, get(o, "content"), under_response ? "response.content" : "content");
}

static ts_status parse_chat(pctx *c, const cJSON *o, trace_format fmt, const char *prefix)
{
	/* prefix: "", "response." or "response.body." for messages */
	char where[64];
	const cJSON *choices = get(o, "choices");
	if (!cJSON_IsArray(choices) || !choices->child)
		return ts_error_set(c->err, TS_ERR_FORMAT, "%schoices is not a non-empty array", prefix);
	const cJSON *ch0 = choices->child;
	if (!cJSON_IsObject(ch0))
		return ts_error_set(c->err, TS_ERR_FORMAT, "%schoices[0] is not an object", prefix);
	c->t->fmt = fmt;
	c->t->finish = map_finish_reason(get(ch0, "finish_reason"));
	const cJSON *content = get(get(ch0, "logprobs"), "content");
	if (content) {
		snprintf(where, sizeof where, "%schoices[0].logprobs.content", prefix);
		return parse_steps(c, content, where);
	}
	const cJSON *mc = get(get(ch0, "message"), "content");
	if (cJSON_IsString(mc)) {
		snprintf(where, sizeof where, "%schoices[0].message.content", prefix);
		return parse_text(c, mc, where);
	}
	const cJSON *txt = get(ch0, "text"); /* completions API */
	if (cJSON_IsString(txt)) {
		snprintf(where, sizeof where, "%schoices[0].text", prefix);
		return parse_text(c, txt, where);
	}
	return ts_error_set(c->err, TS_ERR_FORMAT,
	                    "%schoices[0] has no logprobs.content, message.content or text", prefix);
}

static ts_status parse_batch(pctx *c, const cJSON *root, const cJSON *resp)
{
	const cJSON *e = get(root, "error");
	if (e) {
		const cJSON *m = get(e, "message");
		if (cJSON_IsString(m))
			return ts_error_set(c->err, TS_ERR_FORMAT, "batch request failed: %.200s",
			                    m->valuestring);
		if (cJSON_IsString(e))
			return ts_error_set(c->err, TS_ERR_FORMAT, "batch request failed: %.200s",
			                    e->valuestring);
		return ts_error_set(c->err, TS_ERR_FORMAT, "batch request failed (error is set)");
	}
	if (!cJSON_IsObject(resp))
		return ts_error_set(c->err, TS_ERR_FORMAT, "batch line has no response");
	const cJSON *sc = get(resp, "status_code");
	if (sc && (!cJSON_IsNumber(sc) || sc->valuedouble != 200.0)) {
		if (cJSON_IsNumber(sc))
			return ts_error_set(c->err, TS_ERR_FORMAT,
			                    "batch request failed with status_code %.0f", sc->valuedouble);
		return ts_error_set(c->err, TS_ERR_FORMAT, "batch response status_code is not 200");
	}
	const cJSON *body = get(resp, "body");
	if (!cJSON_IsObject(body))
		return ts_error_set(c->err, TS_ERR_FORMAT, "batch response has no body");
	return parse_chat(c, body, TRACE_FMT_OPENAI_BATCH, "response.body.");
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

static ts_status parse_body(pctx *c, const cJSON *root)
{
	trace *t = c->t;
	const cJSON *v;
	if ((v = get(root, "tokens"))) {
		t->fmt = TRACE_FMT_NATIVE;
		t->finish = map_finish_reason(get(root, "finish_reason"));
		return parse_steps(c, v, "tokens");
	}
	if ((v = get(root, "text"))) {
		t->finish = map_finish_reason(get(root, "finish_reason"));
		return parse_text(c, v, "text");
	}
	if (get(root, "choices"))
		return parse_chat(c, root, TRACE_FMT_OPENAI_CHAT, "");
	if (get(root, "completion_probabilities"))
		return parse_llamacpp(c, root, 0);
	const cJSON *resp = get(root, "response");
	if ((cJSON_IsObject(resp) && (get(resp, "status_code") || get(resp, "body"))) ||
	    (get(root, "custom_id") && get(root, "error")))
		return parse_batch(c, root, resp);
	if (cJSON_IsObject(resp)) {
		if (get(resp, "choices"))
			return parse_chat(c, resp, TRACE_FMT_OPENAI_CHAT, "response.");
		if (get(resp, "completion_probabilities") || is_llamacpp_text(resp))
			return parse_llamacpp(c, resp, 1);
	}
	if (cJSON_IsString(resp)) {
		t->finish = map_finish_reason(get(root, "finish_reason"));
		return parse_text(c, resp, "response");
	}
	if (is_llamacpp_text(root))
		return parse_llamacpp(c, root, 0);
	return ts_error_set(c->err, TS_ERR_FORMAT, "no tokens, text or completion in line");
}


static int is_json_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
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
	if (len > lim->max_line_bytes)
		return ts_error_set(err, TS_ERR_LIMIT, "line of %zu bytes is longer than max_line_bytes (%zu)",
		                    len, lim->max_line_bytes);
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (!root) {
		size_t at = (end && end >= line && end <= line + len) ? (size_t)(end - line) : 0;
		if (json_util_too_deep(line, len, at))
			return ts_error_set(err, TS_ERR_LIMIT, "JSON nested deeper than %d levels at byte %zu",
			                    CJSON_NESTING_LIMIT, at);
		return ts_error_set(err, TS_ERR_JSON, "malformed JSON near byte %zu", at);
	}
	ts_status st = TS_OK;
	if (end) {
		const char *e = end, *lend = line + len;
		while (e < lend && is_json_space(*e))
			e++;
		if (e < lend) {
			st = ts_error_set(err, TS_ERR_JSON, "unexpected text after the JSON value at byte %zu",
			                  (size_t)(e - line));
			goto out_tree;
		}
	}
	if (!cJSON_IsObject(root)) {
		st = ts_error_set(err, TS_ERR_FORMAT, "line is not a JSON object");
		goto out_tree;
	}
	trace *t = calloc(1, sizeof *t);
	if (!t) {
		st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		goto out_tree;
	}
	pctx c = { t, lim, err, "" };
	st = parse_refs(&c, root);
	if (!st)
		st = parse_body(&c, root);
	if (!st) {
		/* text buffers are always NUL-terminated (not counted in len) */
		c.where = "trace";
		st = tbuf_reserve(&c, &t->text, 1);
		if (!st)
			st = tbuf_reserve(&c, &t->alt_text, 1);
		if (!st) {
			t->text.p[t->text.len] = '\0';
			t->alt_text.p[t->alt_text.len] = '\0';
		}
	}
	if (st) {
		trace_free(t);
	} else {
		*out = t;
		ts_error_clear(err);
	}
out_tree:
	cJSON_Delete(root);
	return st;
}
