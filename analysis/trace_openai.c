/* trace_openai.c — container: OpenAI-compatible responses (vLLM, SGLang's
 * and llama.cpp's /v1 endpoints...): a chat/completions body with
 * "choices", at the top or under "response"; logprobs as chat
 * logprobs.content steps or the completions API's legacy lists; without
 * logprobs the message content or text as pseudo-steps.  The batch
 * envelope is trace_batch.c.  Its stream form, chat.completion.chunk SSE
 * events: trace_openai_chunk below. */
#include "trace_container.h"
#include "policy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* tailscope capture's own stop: "stop" + stop_reason naming a stopping
 * policy + capture.stop_step (trace.h). */
static trace_finish capture_finish(trace_finish f, const cJSON *root, const cJSON *ch0)
{
	const cJSON *sr = trace_key(ch0, "stop_reason");
	if (f != TRACE_FINISH_STOP || !cJSON_IsString(sr) ||
	    !cJSON_IsNumber(trace_key(trace_key(root, "capture"), "stop_step")))
		return f;
	static const policy_kind stopping[] = { POLICY_REPEAT_STOP, POLICY_BUDGET, POLICY_NEAR_DUP };
	for (size_t i = 0; i < sizeof stopping / sizeof stopping[0]; i++)
		if (!strcmp(sr->valuestring, policy_kind_name(stopping[i])))
			return TRACE_FINISH_POLICY;
	return f;
}

/* One step's alternatives, a {token: logprob} object (or null), the first
 * max_alts kept; *na their number. */
static ts_status legacy_alts(trace_ctx *c, const cJSON *tp, size_t idx, const char *where,
                             size_t *na_out)
{
	trace *t = c->t;
	size_t na = 0;
	ts_status st;
	for (const cJSON *a = cJSON_IsObject(tp) ? tp->child : NULL; a && na < c->lim->max_alts;
	     a = a->next, na++) {
		if ((st = trace_ctx_alt_room(c)))
			return st;
		size_t kn = strlen(a->string);
		if (kn > c->lim->max_token_bytes)
			return ts_error_set(c->err, TS_ERR_LIMIT, "%s[%zu] alternative: token longer than "
			                    "max_token_bytes (%zu)", where, idx, c->lim->max_token_bytes);
		if (!trace_utf8_valid((const unsigned char *)a->string, kn))
			return ts_error_set(c->err, TS_ERR_UTF8, "%s[%zu] alternative: token is not valid "
			                    "UTF-8 and has no bytes", where, idx);
		trace_alt *al = &t->alts[t->n_alts];
		st = trace_ctx_logprob(c, a, idx, " alternative", &al->logprob);
		if (!st)
			st = trace_ctx_reserve(c, &t->alt_text, kn);
		if (st)
			return st;
		al->off = (uint32_t)t->alt_text.len;
		al->len = (uint32_t)kn;
		memcpy(t->alt_text.p + t->alt_text.len, a->string, kn);
		t->alt_text.len += kn;
		t->n_alts++;
	}
	*na_out = na;
	return TS_OK;
}

/* Completions API logprobs (OpenAI/vLLM /v1/completions, its stream):
 * {"tokens": [str], "token_logprobs": [number|null], "top_logprobs":
 * [{token: logprob} | null], "text_offset": [...]}.  No bytes: a token must
 * be valid UTF-8, and a "token_id:N" placeholder has no text. */
ts_status trace_openai_legacy(trace_ctx *c, const cJSON *lg, const char *where)
{
	trace *t = c->t;
	c->where = where;
	const cJSON *toks = trace_key(lg, "tokens"), *lps = trace_key(lg, "token_logprobs"),
	            *top = trace_key(lg, "top_logprobs");
	if (!cJSON_IsArray(toks) || (lps && !cJSON_IsArray(lps)) || (top && !cJSON_IsArray(top)))
		return ts_error_set(c->err, TS_ERR_FIELD,
		                    "%s: tokens, token_logprobs and top_logprobs must be arrays", where);
	const cJSON *l = lps ? lps->child : NULL, *tp = top ? top->child : NULL;
	size_t idx = 0;
	for (const cJSON *e = toks->child; e; e = e->next, idx++) {
		trace_step *step;
		ts_status st = trace_ctx_push_step(c, &step);
		if (st)
			return st;
		memset(step, 0, sizeof *step);
		step->off = (uint32_t)t->text.len;
		step->alt_first = (uint32_t)t->n_alts;
		size_t n = 0;
		double lp = NAN;
		st = trace_ctx_put_token(c, &t->text, e, NULL, idx, "", &n);
		if (!st)
			st = trace_ctx_logprob(c, l, idx, "", &lp);
		if (st)
			return st;
		step = &t->steps[t->n_steps - 1];
		step->len = (uint32_t)n;
		step->logprob = lp;
		if (!isnan(lp))
			t->has_lp = 1;
		size_t na = 0;
		if ((st = legacy_alts(c, tp, idx, where, &na)))
			return st;
		step->n_alt = (uint32_t)na;
		if (l)
			l = l->next;
		if (tp)
			tp = tp->next;
	}
	return TS_OK;
}

ts_status trace_openai_chat(trace_ctx *c, const cJSON *o, trace_format fmt, const char *prefix)
{
	/* prefix: "", "response." or "response.body." for messages */
	char where[64];
	const cJSON *choices = trace_key(o, "choices");
	if (!cJSON_IsArray(choices) || !choices->child)
		return ts_error_set(c->err, TS_ERR_FORMAT, "%schoices is not a non-empty array", prefix);
	const cJSON *ch0 = choices->child;
	if (!cJSON_IsObject(ch0))
		return ts_error_set(c->err, TS_ERR_FORMAT, "%schoices[0] is not an object", prefix);
	c->t->fmt = c->t->container = fmt;
	c->t->finish = capture_finish(trace_map_finish_reason(trace_key(ch0, "finish_reason")), o, ch0);
	const cJSON *content = trace_key(trace_key(ch0, "logprobs"), "content");
	if (content) {
		snprintf(where, sizeof where, "%schoices[0].logprobs.content", prefix);
		return trace_ctx_steps(c, content, where);
	}
	const cJSON *lg = trace_key(ch0, "logprobs");
	if (trace_key(lg, "tokens")) { /* completions API with logprobs */
		snprintf(where, sizeof where, "%schoices[0].logprobs", prefix);
		return trace_openai_legacy(c, lg, where);
	}
	const cJSON *mc = trace_key(trace_key(ch0, "message"), "content");
	if (cJSON_IsString(mc)) {
		snprintf(where, sizeof where, "%schoices[0].message.content", prefix);
		return trace_ctx_text(c, mc, where);
	}
	const cJSON *txt = trace_key(ch0, "text"); /* completions API */
	if (cJSON_IsString(txt)) {
		snprintf(where, sizeof where, "%schoices[0].text", prefix);
		return trace_ctx_text(c, txt, where);
	}
	return ts_error_set(c->err, TS_ERR_FORMAT,
	                    "%schoices[0] has no logprobs.content, message.content or text", prefix);
}

int trace_openai_detect(const cJSON *root)
{
	if (trace_key(root, "choices"))
		return TRACE_TIER_BODY;
	const cJSON *resp = trace_key(root, "response");
	if (cJSON_IsObject(resp) && trace_key(resp, "choices"))
		return TRACE_TIER_WRAPPED; /* after the batch envelope (trace_batch.c) */
	return TRACE_TIER_NONE;
}

ts_status trace_openai_read(trace_ctx *c, const cJSON *root, int tier)
{
	if (tier == TRACE_TIER_BODY)
		return trace_openai_chat(c, root, TRACE_FMT_OPENAI_CHAT, "");
	return trace_openai_chat(c, trace_key(root, "response"), TRACE_FMT_OPENAI_CHAT, "response.");
}

/* ---- its stream form (trace_chunk_apply) ---- */

/* One choice of a chat.completion.chunk (or text_completion chunk). */
ts_status trace_openai_chunk(trace_ctx *c, const cJSON *root, const cJSON *ch, size_t pos, int *done)
{
	(void)root;
	trace *t = c->t;
	char where[64];
	long idx = trace_choice_index(ch, pos);
	const cJSON *lp = trace_key(trace_key(ch, "logprobs"), "content");
	const cJSON *lg = trace_key(ch, "logprobs");
	if (lp) {
		snprintf(where, sizeof where, "choices[%ld].logprobs.content", idx);
		ts_status st = trace_ctx_steps(c, lp, where);
		if (st)
			return st;
	} else if (trace_key(lg, "tokens")) { /* completions stream with logprobs */
		snprintf(where, sizeof where, "choices[%ld].logprobs", idx);
		ts_status st = trace_openai_legacy(c, lg, where);
		if (st)
			return st;
	} else {
		const cJSON *d = trace_key(trace_key(ch, "delta"), "content");
		if (!d)
			d = trace_key(ch, "text"); /* completions stream */
		if (d) {
			snprintf(where, sizeof where, "choices[%ld].delta.content", idx);
			ts_status st = trace_ctx_delta(c, d, where);
			if (st)
				return st;
		}
	}
	const cJSON *fr = trace_key(ch, "finish_reason");
	if (fr) {
		t->finish = trace_map_finish_reason(fr);
		*done = 1;
	}
	return TS_OK;
}
