/* cap_resp.h — one streamed chat completion, assembled step by step.
 *
 * Each SSE event (a chat.completion.chunk) is turned into steps, every step
 * is fed to the same incremental record parser the debugger uses
 * (records.h), and after a step that completes a record the stop policy
 * (policy.h) is asked whether it fires.  When it does, the response is over
 * at that step (later steps of the same chunk are ignored) and the caller
 * aborts the HTTP request.  The trace keeps every step up to the one where the
 * policy fired, so replaying the policy on it gives the same cut: for
 * repeat_stop and near_dup that is the stop step itself; budget:N fires only
 * once record N+1 completes (policy.h), and "stop_step" says record N's step.  At the end cap_resp_line() writes one traces.jsonl line in the
 * OpenAI chat.completion shape trace.h reads ("choices"[0] "logprobs"
 * "content"), with "finish_reason" "stop" and "stop_reason" set to the
 * policy's kind when the client stopped it.
 *
 * Each logprobs.content item is checked against the rules the trace reader
 * applies (trace.h: an object with "bytes" (integers 0-255) or a "token"
 * string, "logprob" a number or null, "top_logprobs" an array of such
 * objects) and then copied into the line byte for byte, as the server sent
 * it: no number is re-formatted.  A chunk without logprobs gives one step,
 * its delta.content, written as {"token": TEXT, "logprob": null}.
 *
 * Memory is bounded by the trace limits: more than max_steps steps, or a
 * token (chosen or alternative) over max_token_bytes, cuts the response
 * (recorded as finish_reason "length", stop_reason "tailscope_limit").
 */
#ifndef TS_CAP_RESP_H
#define TS_CAP_RESP_H

#include <stddef.h>
#include <stdint.h>

#include "cap_buf.h"
#include "policy.h"
#include "records.h"
#include "trace.h"

typedef enum {
	CAP_EV_MORE = 0, /* go on reading */
	CAP_EV_DONE,     /* "[DONE]": the server ended the stream */
	CAP_EV_STOPPED,  /* the policy fired (or a limit cut the response): abort the request */
	CAP_EV_ERROR,    /* malformed event or an error object: see err */
} cap_ev;

typedef struct cap_resp {
	trace_limits lim;
	policy pol;
	recparse *rp;
	/* steps: bytes [off, off+len) of text; their items, comma separated, in items */
	struct cap_step { uint32_t off, len; } *steps;
	size_t n_steps, cap_steps;
	cap_buf text, items;
	cap_buf delta;      /* scratch: a chunk's delta.content */
	/* first-duplicate search (repeat.h semantics, incrementally) */
	uint32_t *dup_tab;  /* record index + 1, 0 = empty; open addressing on record_hash */
	size_t dup_cap;
	size_t recs_seen;
	size_t distinct;    /* distinct records among them */
	long first_dup;
	/* outcome */
	int fired;          /* the policy stopped the response */
	long stop_step;
	int limit_cut;      /* a trace limit cut it */
	char limit_what[96];
	int done;           /* [DONE] seen */
	char finish[24];    /* the server's finish_reason, "" if none yet */
	char id[96];        /* the server's completion id */
	char model[128];    /* the server's model name */
	size_t events;
	char *tok;          /* scratch for a token's "bytes" */
	char *tok2;         /* scratch for a step's "token" string */
	size_t tok_cap;
} cap_resp;

void cap_resp_init(cap_resp *r, const trace_limits *lim, const recparse_limits *rl,
                   const policy *pol);
void cap_resp_free(cap_resp *r);
void cap_resp_reset(cap_resp *r); /* for a retry */

/* One SSE event's data. */
cap_ev cap_resp_event(cap_resp *r, const char *data, size_t len, ts_error *err);

/* Appends one step: its bytes and the item's JSON text (NULL: written as
 * {"token": TEXT, "logprob": null}); feeds it to the record parser and asks
 * the policy.  CAP_EV_STOPPED when the policy fired or a limit cut it. */
cap_ev cap_resp_step(cap_resp *r, const char *bytes, size_t len, const char *item, size_t item_len);

/* Records parsed so far (up to the stop). */
size_t cap_resp_records(const cap_resp *r);
/* Duplicates among them (records - distinct), for the progress line. */
size_t cap_resp_duplicates(const cap_resp *r);

/* Image reference for the line. */
typedef struct cap_ref {
	int has_id;
	int64_t image_id;
	const char *file_name;
} cap_ref;

/* The traces.jsonl line (with its "\n") into out.  meta_json: extra members
 * of the "capture" object (without braces), may be NULL. */
int cap_resp_line(const cap_resp *r, const cap_ref *ref, const char *meta_json, cap_buf *out);

#endif
