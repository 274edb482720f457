/* trace_int.h — what trace.c shares with trace_file.c (the SSE reader and
 * index); not part of the module's contract. */
#ifndef TS_TRACE_INT_H
#define TS_TRACE_INT_H

#include <cJSON.h>

#include "trace.h"

typedef enum {
	TRACE_CHUNK_NONE = 0, /* not a chunk: read like a whole JSONL line */
	TRACE_CHUNK_OPENAI,   /* {"choices": [{"index", "delta", "logprobs", "finish_reason"}]} */
	TRACE_CHUNK_LLAMACPP, /* {"content", "stop", "completion_probabilities"} */
	TRACE_CHUNK_ERROR,    /* {"error": ...} */
	TRACE_CHUNK_OLLAMA,   /* {"model", "response"|"message", "done": bool, "logprobs"} (NDJSON) */
	TRACE_CHUNK_TGI,      /* {"token": {id, text, logprob, special}, "generated_text", "details"} */
} trace_chunk_kind;

/* One JSON object, with trace_parse_line's messages and its reading of
 * Python's -Infinity/Infinity/NaN. */
ts_status trace_json_parse(const char *s, size_t len, const trace_limits *lim, cJSON **out,
                           ts_error *err);
/* trace_parse_line on a parsed object. */
ts_status trace_parse_object(const cJSON *root, const trace_limits *lim, trace **out,
                             ts_error *err);
/* The same for completion `choice` of a line holding several (a vLLM
 * RequestOutput with n > 1: outputs[choice]; 0 is what trace_parse_object
 * reads). */
ts_status trace_parse_object_choice(const cJSON *root, const trace_limits *lim, long choice,
                                    trace **out, ts_error *err);
ts_status trace_parse_line_choice(const char *line, size_t len, const trace_limits *lim,
                                  long choice, trace **out, ts_error *err);
/* How many samples a parsed JSONL line is: a vLLM RequestOutput's completions
 * (outputs[]; the reader takes the first TRACE_MAX_CHOICES and names the
 * line for the rest), 1 for any other line. */
#define TRACE_MAX_CHOICES 1024
size_t trace_line_choices(const cJSON *root);
trace_chunk_kind trace_chunk_classify(const cJSON *root);
/* A choice's "index" (0 .. 1e9), else its position pos in "choices". */
long trace_choice_index(const cJSON *choice, size_t pos);
/* Appends one chunk (choice: the element of "choices" for an OpenAI chunk,
 * pos its position; NULL for llama.cpp, Ollama and TGI, told apart by t's
 * container) to t.  On error t is unchanged. */
ts_status trace_chunk_apply(trace *t, const cJSON *root, const cJSON *choice, size_t pos,
                            const trace_limits *lim, int *done, ts_error *err);
/* "stream error: MESSAGE" for a TRACE_CHUNK_ERROR object. */
ts_status trace_chunk_error(const cJSON *root, ts_error *err);

/* ---- containers: one file each, trace_container.h ---- */

/* Builder.  str: a JSON string (UTF-8 checked, max_token_bytes); lp: a
 * JSON number or null/NULL (NAN) with trace_parse_line's logprob rules;
 * where[idx] names the step in messages.  An alternative goes to the last
 * step (the first max_alts kept).  On error nothing is added. */
ts_status trace_build_step(trace *t, const trace_limits *lim, const cJSON *str, const cJSON *lp,
                           const char *where, size_t idx, ts_error *err);
ts_status trace_build_alt(trace *t, const trace_limits *lim, const cJSON *str, const cJSON *lp,
                          const char *where, size_t idx, ts_error *err);
void      trace_build_container(trace *t, trace_format container);
/* Removes every step and alternative (a container falling back to text). */
void      trace_build_drop_steps(trace *t);
/* The string as pseudo-steps (format text), as for a text-only line. */
ts_status trace_build_text(trace *t, const trace_limits *lim, const cJSON *str, const char *where,
                           ts_error *err);
void      trace_build_finish(trace *t, trace_finish f, trace_finish_how how);
/* NUL-terminates the text buffers (every trace ends with it). */
ts_status trace_build_end(trace *t, ts_error *err);
/* trace_fast.c: the plain native line straight from the scanner (jscan.h).
 * 1: *out built, identical to the cJSON path's; 0: not taken (any doubt,
 * any error), parse the line with cJSON. */
int       trace_fast_parse_line(const char *line, size_t len, const trace_limits *lim, trace **out);
/* trace_fast.c: an OpenAI-compatible SSE chunk (a "data:" payload) straight
 * from the scanner: the keys the assembler needs and, with build, each
 * choice's steps (what trace_chunk_apply would add), held in a reusable
 * handle.  trace_sse_scan: 1 taken (choices 0 .. trace_sse_count-1 in
 * order); 0 not taken (any doubt): read the line with cJSON.
 * trace_sse_apply: choice k onto t as trace_chunk_apply(t, root, choice k)
 * would, 1; 0 when not applied (t unchanged: the caller applies it with
 * cJSON).  trace_sse_fast_enable(0): every scan not taken (tests). */
#define TRACE_SSE_MAX_CHOICES 16
typedef struct trace_sse trace_sse;
trace_sse  *trace_sse_new(void);
void        trace_sse_free(trace_sse *s);
int         trace_sse_scan(trace_sse *s, const char *line, size_t len, const trace_limits *lim,
                           int build);
size_t      trace_sse_count(const trace_sse *s);
const char *trace_sse_id(const trace_sse *s);
long        trace_sse_index(const trace_sse *s, size_t k);
int         trace_sse_done(const trace_sse *s, size_t k);
int         trace_sse_apply(const trace_sse *s, size_t k, trace *t, const trace_limits *lim);
void        trace_sse_fast_enable(int on);
/* "stop"/"eos_token"/"stop_sequence" -> STOP, "length" -> LENGTH, else UNKNOWN. */
trace_finish trace_map_finish_reason(const cJSON *f);
/* The inference of trace.h's trace_finish_how, n_generated the sample's
 * generated token count. */
void      trace_infer_finish(trace *t, const trace_limits *lim, size_t n_generated);
int       trace_is_eos_text(const char *s, size_t n);

/* vLLM's per-step logprobs, a list of {token_id: {logprob, rank,
 * decoded_token}} (RequestOutput, Ray Data rows), with the sampled token
 * ids alongside: one step per element, its text and logprob from the
 * sampled token's entry, the alternatives every entry by rank (the sampled
 * token left out when its rank is beyond them: vLLM adds it to the top-k),
 * entries without decoded_token left out.  *no_text is set (and nothing
 * added) when a sampled token has no decoded_token (detokenize off): the
 * caller reads the text instead.  trace_vllm.c. */
ts_status trace_vllm_steps(trace *t, const cJSON *logprobs, const cJSON *ids, const char *where,
                           const trace_limits *lim, int *no_text, ts_error *err);

#endif
