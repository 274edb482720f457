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

#endif
