/* cap_resp.c — a streamed chat completion into steps, live policy, and the
 * traces.jsonl line (see cap_resp.h). */
#include "cap_resp.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"


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
	cap_buf_init(&r->text, 0);
	cap_buf_init(&r->alt_text, 0);
	r->first_dup = -1;
	r->stop_step = -1;
}

void cap_resp_free(cap_resp *r)
{
	recparse_free(r->rp);
	free(r->steps);
	free(r->alts);
	free(r->dup_tab);
	free(r->tok);
	cap_buf_free(&r->text);
	cap_buf_free(&r->alt_text);
	memset(r, 0, sizeof *r);
}

void cap_resp_reset(cap_resp *r)
{
	if (r->rp)
		recparse_reset(r->rp);
	r->n_steps = r->n_alts = 0;
	cap_buf_reset(&r->text);
	cap_buf_reset(&r->alt_text);
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

cap_ev cap_resp_step_begin(cap_resp *r, const char *bytes, size_t len, double logprob)
{
	if (r->fired || r->limit_cut)
		return CAP_EV_STOPPED;
	if (r->n_steps >= r->lim.max_steps)
		return limit_cut(r, "more than max_steps steps");
	if (len > r->lim.max_token_bytes)
		return limit_cut(r, "a token longer than max_token_bytes");
	if (r->text.len + len > UINT32_MAX)
		return limit_cut(r, "more than 4 GiB of token text");
	if (r->n_steps == r->cap_steps) {
		size_t cap = r->cap_steps ? r->cap_steps * 2 : 256;
		trace_step *s = realloc(r->steps, cap * sizeof *s);
		if (!s)
			return limit_cut(r, "out of memory");
		r->steps = s;
		r->cap_steps = cap;
	}
	trace_step *s = &r->steps[r->n_steps];
	s->off = (uint32_t)r->text.len;
	s->len = (uint32_t)len;
	s->logprob = logprob;
	s->alt_first = (uint32_t)r->n_alts;
	s->n_alt = 0;
	if (cap_buf_add(&r->text, bytes, len))
		return limit_cut(r, "out of memory");
	r->n_steps++;
	return CAP_EV_MORE;
}

void cap_resp_alt(cap_resp *r, const char *bytes, size_t len, double logprob)
{
	if (!r->n_steps || r->fired || r->limit_cut)
		return;
	trace_step *s = &r->steps[r->n_steps - 1];
	if (s->n_alt >= r->lim.max_alts || len > r->lim.max_token_bytes ||
	    r->alt_text.len + len > UINT32_MAX)
		return;
	if (r->n_alts == r->cap_alts) {
		size_t cap = r->cap_alts ? r->cap_alts * 2 : 1024;
		trace_alt *a = realloc(r->alts, cap * sizeof *a);
		if (!a)
			return;
		r->alts = a;
		r->cap_alts = cap;
	}
	trace_alt *a = &r->alts[r->n_alts];
	a->off = (uint32_t)r->alt_text.len;
	a->len = (uint32_t)len;
	a->logprob = logprob;
	if (cap_buf_add(&r->alt_text, bytes, len))
		return;
	r->n_alts++;
	s->n_alt++;
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


cap_ev cap_resp_step_end(cap_resp *r)
{
	if (r->fired || r->limit_cut || !r->n_steps)
		return CAP_EV_STOPPED;
	size_t k = r->n_steps - 1;
	const trace_step *s = &r->steps[k];
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

static const cJSON *get(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
	return cJSON_IsNull(j) ? NULL : j;
}

/* A token's bytes: "bytes" (integers 0-255) when present, else "token".
 * Returns the length, or -1 when neither is usable. */
static long token_bytes(const cJSON *it, char *buf, size_t cap, const char **out)
{
	const cJSON *b = get(it, "bytes");
	if (cJSON_IsArray(b)) {
		size_t n = 0;
		for (const cJSON *e = b->child; e; e = e->next) {
			double v = e->valuedouble;
			if (!cJSON_IsNumber(e) || !(v >= 0 && v <= 255) || v != (double)(int)v)
				return -1;
			if (n == cap)
				return -2; /* over the token limit */
			buf[n++] = (char)(unsigned char)(int)v;
		}
		*out = buf;
		return (long)n;
	}
	const cJSON *t = get(it, "token");
	if (!cJSON_IsString(t))
		return -1;
	*out = t->valuestring;
	return (long)strlen(t->valuestring);
}

static double item_logprob(const cJSON *it)
{
	const cJSON *lp = get(it, "logprob");
	return cJSON_IsNumber(lp) ? lp->valuedouble : NAN;
}

/* TODO(merge): replace with trace.h chunk API from issue 11 */
/* Appends the steps of one chat.completion.chunk's choices[0]: one step per
 * "logprobs"."content" item (bytes, logprob, top_logprobs), or, for a server
 * that sends no logprobs, the "delta"."content" text as one step.  Records
 * finish_reason, id and model.  Stops early when the policy fires. */
static cap_ev chunk_steps(cap_resp *r, const cJSON *chunk, ts_error *err)
{
	const cJSON *e = get(chunk, "error");
	if (e) {
		const cJSON *m = get(e, "message");
		return ts_error_set(err, TS_ERR_FORMAT, "server error in the stream: %.300s",
		                    cJSON_IsString(m) ? m->valuestring
		                    : cJSON_IsString(e) ? e->valuestring : "(no message)"),
		       CAP_EV_ERROR;
	}
	if (!r->id[0]) {
		const cJSON *id = get(chunk, "id");
		if (cJSON_IsString(id))
			snprintf(r->id, sizeof r->id, "%s", id->valuestring);
		const cJSON *md = get(chunk, "model");
		if (cJSON_IsString(md))
			snprintf(r->model, sizeof r->model, "%s", md->valuestring);
	}
	const cJSON *choices = get(chunk, "choices");
	if (!cJSON_IsArray(choices)) {
		ts_error_set(err, TS_ERR_FORMAT, "SSE event %zu: no choices array", r->events);
		return CAP_EV_ERROR;
	}
	const cJSON *ch = choices->child; /* a usage-only chunk has none */
	if (!ch)
		return CAP_EV_MORE;
	if (!cJSON_IsObject(ch)) {
		ts_error_set(err, TS_ERR_FORMAT, "SSE event %zu: choices[0] is not an object",
		             r->events);
		return CAP_EV_ERROR;
	}
	char *tok = r->tok;
	size_t tokcap = r->tok_cap;
	const cJSON *content = get(get(ch, "logprobs"), "content");
	if (cJSON_IsArray(content)) {
		size_t i = 0;
		for (const cJSON *it = content->child; it; it = it->next, i++) {
			const char *bytes;
			long n = token_bytes(it, tok, tokcap, &bytes);
			if (n == -2)
				return limit_cut(r, "a token longer than max_token_bytes");
			if (n < 0) {
				ts_error_set(err, TS_ERR_FORMAT,
				             "SSE event %zu: logprobs.content[%zu] has no token or bytes",
				             r->events, i);
				return CAP_EV_ERROR;
			}
			if (cap_resp_step_begin(r, bytes, (size_t)n, item_logprob(it)) != CAP_EV_MORE)
				return CAP_EV_STOPPED;
			const cJSON *top = get(it, "top_logprobs");
			if (cJSON_IsArray(top))
				for (const cJSON *a = top->child; a; a = a->next) {
					const char *ab;
					long an = token_bytes(a, tok, tokcap, &ab);
					if (an >= 0)
						cap_resp_alt(r, ab, (size_t)an, item_logprob(a));
				}
			if (cap_resp_step_end(r) != CAP_EV_MORE)
				return CAP_EV_STOPPED;
		}
	} else {
		const cJSON *dc = get(get(ch, "delta"), "content");
		if (cJSON_IsString(dc) && dc->valuestring[0]) {
			if (cap_resp_step_begin(r, dc->valuestring, strlen(dc->valuestring), NAN) !=
			    CAP_EV_MORE)
				return CAP_EV_STOPPED;
			if (cap_resp_step_end(r) != CAP_EV_MORE)
				return CAP_EV_STOPPED;
		}
	}
	const cJSON *fr = get(ch, "finish_reason");
	if (cJSON_IsString(fr))
		snprintf(r->finish, sizeof r->finish, "%s", fr->valuestring);
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
	cJSON *j = cJSON_ParseWithLength(data, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		ts_error_set(err, TS_ERR_JSON, "SSE event %zu is not a JSON object", r->events);
		return CAP_EV_ERROR;
	}
	cap_ev ev = chunk_steps(r, j, err);
	cJSON_Delete(j);
	return ev;
}

/* ---- the traces.jsonl line ---- */

static int put_token(cap_buf *o, const char *p, size_t n, double lp)
{
	int bad = cap_buf_add(o, "{\"token\":", 9) || cap_json_str(o, p, n);
	/* bytes only when the text is not well-formed UTF-8 on its own */
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		int k = (unsigned char)p[i] < 0x80 ? 1 : sanitize_utf8_decode((const unsigned char *)p + i, n - i, &cp);
		if (k <= 0)
			break;
		i += (size_t)k;
	}
	if (i < n || memchr(p, '\0', n)) {
		bad |= cap_buf_add(o, ",\"bytes\":[", 10);
		for (size_t k = 0; k < n; k++)
			bad |= cap_buf_printf(o, k ? ",%u" : "%u", (unsigned)(unsigned char)p[k]);
		bad |= cap_buf_add(o, "]", 1);
	}
	bad |= cap_buf_add(o, ",\"logprob\":", 11) || cap_json_num(o, lp);
	return bad ? -1 : 0;
}

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
	for (size_t i = 0; i < r->n_steps && !bad; i++) {
		const trace_step *s = &r->steps[i];
		if (i)
			bad |= cap_buf_add(o, ",", 1);
		bad |= put_token(o, r->text.p + s->off, s->len, s->logprob);
		bad |= cap_buf_puts(o, ",\"top_logprobs\":[");
		for (uint32_t k = 0; k < s->n_alt; k++) {
			const trace_alt *a = &r->alts[s->alt_first + k];
			if (k)
				bad |= cap_buf_add(o, ",", 1);
			bad |= put_token(o, r->alt_text.p + a->off, a->len, a->logprob);
			bad |= cap_buf_add(o, "}", 1);
		}
		bad |= cap_buf_add(o, "]}", 2);
	}
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
