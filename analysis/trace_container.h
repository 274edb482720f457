/* trace_container.h — the container interface: how trace.c reads one
 * parsed JSONL line through the server format ("container") it came from.
 * Internal to analysis/ (not part of trace.h's contract).
 *
 * A container is one file analysis/trace_<name>.c with two functions:
 *   int       trace_<name>_detect(const cJSON *root);
 *       the tier (below) at which the line is this container's, 0 if not;
 *   ts_status trace_<name>_read(trace_ctx *c, const cJSON *root, int tier);
 *       fills c->t (which already holds the line's image reference and
 *       prompt) with the shared builder below, for the tier detect gave;
 * and, when it has a stream form (SSE events, NDJSON lines), a third:
 *   ts_status trace_<name>_chunk(trace_ctx *c, const cJSON *root,
 *                                const cJSON *choice, size_t pos, int *done);
 *       appends one chunk of that stream (choice, pos: the element of an
 *       OpenAI chunk's "choices" and its position, else NULL, 0); *done = 1
 *       when the chunk ends the request.  trace.c classifies a chunk
 *       (trace_chunk_classify), merges its image reference and prompt, and
 *       undoes a chunk that fails.
 * and one line in trace_containers.def.  The dispatcher (trace.c) asks
 * every container and reads the line with the one of lowest tier; among
 * equal tiers the earlier line of trace_containers.def wins.  So the order
 * of that file and the tiers are the whole dispatch rule.
 *
 * Adding a server format: a trace_format value (trace.h) and its name in
 * trace_format_name, a file trace_<name>.c, and a line in
 * trace_containers.def.  tests/unit/test_trace.c checks that every format
 * is a container's (or its stream form) and named. */
#ifndef TS_TRACE_CONTAINER_H
#define TS_TRACE_CONTAINER_H

#include <cJSON.h>
#include <stdint.h>

#include "trace.h"
#include "trace_int.h"

/* Tiers, most certain first: a line may carry the keys of several servers
 * (a "text" next to "choices", a "response" string next to Ollama's keys);
 * the tier says which reading wins. */
typedef enum {
	TRACE_TIER_NONE = 0,
	TRACE_TIER_STEPS,     /* token steps under a key only this container writes */
	TRACE_TIER_TEXT,      /* a top-level "text" */
	TRACE_TIER_BODY,      /* a completion body at the top: choices, completion_probabilities, a batch envelope */
	TRACE_TIER_WRAPPED,   /* a completion body under "response" */
	TRACE_TIER_MARKERS,   /* Ollama's own keys, without logprobs */
	TRACE_TIER_RESPONSE,  /* a "response" string */
	TRACE_TIER_CONTENT,   /* llama.cpp "content" with its stop keys */
	TRACE_TIER_GENERATED, /* a TGI "generated_text" */
	TRACE_TIER_LAST,      /* whatever is left (native: empty "tokens", the messages) */
} trace_tier;

typedef struct trace_tbuf {
	char *p;
	size_t len, cap;
} trace_tbuf;

struct trace {
	trace_format fmt;       /* TRACE_FMT_TEXT when the steps are pseudo-steps */
	trace_format container; /* what the line was read as (never TRACE_FMT_TEXT) */
	trace_finish finish;
	trace_step *steps;
	size_t n_steps, cap_steps;
	trace_alt *alts;
	size_t n_alts, cap_alts;
	trace_tbuf text, alt_text;
	int has_lp;
	int has_id;
	trace_finish_how finish_how; /* given, or how it was inferred */
	int64_t image_id;
	char *file_name, *custom_id, *prompt;
};

/* One line being read. */
typedef struct trace_ctx {
	trace *t;
	const trace_limits *lim;
	ts_error *err;
	const char *where; /* JSON path of the step array, for messages */
	long choice;       /* the completion read of a line holding several
	                    * (trace_line_choices; vLLM outputs[choice]) */
} trace_ctx;

typedef struct trace_container {
	const char *name;   /* file trace_<name>.c */
	trace_format fmt;   /* the container it sets */
	trace_format stream;/* its stream form (trace_chunk_apply), TRACE_FMT_COUNT if none */
	int (*detect)(const cJSON *root);
	ts_status (*read)(trace_ctx *c, const cJSON *root, int tier);
	/* one chunk of its stream form; NULL without one */
	ts_status (*chunk)(trace_ctx *c, const cJSON *root, const cJSON *choice, size_t pos, int *done);
} trace_container;

#define TRACE_CONTAINER(name, fmt, stream)                                                        \
	int       trace_##name##_detect(const cJSON *root);                                          \
	ts_status trace_##name##_read(trace_ctx *c, const cJSON *root, int tier);                    \
	ts_status trace_##name##_chunk(trace_ctx *c, const cJSON *root, const cJSON *choice,         \
	                               size_t pos, int *done); /* defined with a stream form */
#include "trace_containers.def"
#undef TRACE_CONTAINER

/* The table, in trace_containers.def's order. */
const trace_container *trace_containers(size_t *n);

/* A member of an object, NULL when absent, null or obj is not an object. */
static inline const cJSON *trace_key(const cJSON *obj, const char *key)
{
	if (!cJSON_IsObject(obj))
		return NULL;
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	return !j || cJSON_IsNull(j) ? NULL : j;
}

/* ---- the shared layer (trace.c), on the line being read ---- */
ts_status trace_ctx_nomem(trace_ctx *c);
/* Room for extra more bytes in b (never past 4 GiB). */
ts_status trace_ctx_reserve(trace_ctx *c, trace_tbuf *b, size_t extra);
int       trace_utf8_valid(const unsigned char *s, size_t n);
/* A new step at the end (max_steps checked); its fields unset. */
ts_status trace_ctx_push_step(trace_ctx *c, trace_step **out);
/* Room for one more alternative in c->t->alts. */
ts_status trace_ctx_alt_room(trace_ctx *c);
/* A token string (bytes: its byte list or NULL) appended to b; *n its length. */
ts_status trace_ctx_put_token(trace_ctx *c, trace_tbuf *b, const cJSON *str, const cJSON *bytes,
                              size_t idx, const char *what, size_t *n);
/* A logprob value: NULL/null -> NAN; below -9999 (and -inf) -> -9999. */
ts_status trace_ctx_logprob(trace_ctx *c, const cJSON *v, size_t idx, const char *what,
                            double *lp);
/* An array of step objects (top: a parallel array of alternative lists, nullable). */
ts_status trace_ctx_steps(trace_ctx *c, const cJSON *arr, const char *where);
ts_status trace_ctx_steps_top(trace_ctx *c, const cJSON *arr, const char *where,
                              const cJSON *top);
/* A string as pseudo-steps (format text). */
ts_status trace_ctx_text(trace_ctx *c, const cJSON *str, const char *where);
/* A streamed delta (a JSON string: one token's text, or a few the server
 * merged) appended as one pseudo-step when it fits max_token_bytes. */
ts_status trace_ctx_delta(trace_ctx *c, const cJSON *str, const char *where);
/* One step object (it; top: its alternatives in a parallel list, nullable). */
ts_status trace_ctx_step(trace_ctx *c, const cJSON *it, size_t idx, const cJSON *top);

/* ---- what containers share with the stream reader (trace.c) ---- */
/* OpenAI completions-API logprobs {"tokens", "token_logprobs", "top_logprobs"}. */
ts_status trace_openai_legacy(trace_ctx *c, const cJSON *lg, const char *where);
/* A chat/completions body (prefix: "", "response." or "response.body."). */
ts_status trace_openai_chat(trace_ctx *c, const cJSON *o, trace_format fmt, const char *prefix);
trace_finish trace_llamacpp_finish(const cJSON *o);

#endif
