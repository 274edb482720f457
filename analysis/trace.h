/* trace.h — one model generation, step by step, from any supported container.
 *
 * A trace is what the serving stack recorded for one image: the image
 * reference, why generation ended, and the generated tokens, each with its
 * exact bytes, its logprob and its top alternatives.  Containers detected per
 * JSONL line (see README "Trace formats"):
 *   native      {"image_id"|"file_name"|"image", "finish_reason", "tokens": [...]}
 *               or "text" instead of "tokens"; optional "prompt", "meta"
 *   openai      chat completion (vLLM, llama.cpp server, SGLang), inline or
 *               under "response"; OpenAI batch output line (vLLM run_batch)
 *               {"custom_id", "response": {"status_code", "body": {...}}, "error"}
 *   llamacpp    /completion: completion_probabilities with token/logprob/
 *               top_logprobs, prob/top_probs, or the old content/probs/tok_str
 *   text        text only: split into pseudo-steps (runs of digits, letters,
 *               spaces, punctuation) so replay still works; no logprobs.
 * "bytes", when present, is the truth for a token's text: a token may end in
 * the middle of a UTF-8 sequence.  Token text is raw (untrusted) bytes.
 *
 * Rules (trace_parse_line):
 * - Detection order: "tokens" (native), "text" (native text), "choices"
 *   (chat completion inline), "completion_probabilities" (llama.cpp inline),
 *   a batch line ("response" holding "status_code"/"body", or "custom_id"
 *   with a non-null "error"), "response" holding "choices" or
 *   "completion_probabilities" (or a llama.cpp "content" without probs),
 *   "response" as a plain string (text), an inline llama.cpp "content" with
 *   stop_type, stopped_eos/word/limit or tokens_predicted (text).  Otherwise TS_ERR_FORMAT
 *   "no tokens, text or completion in line".  null counts as absent.
 * - A step/alternative object: text from "bytes" (array of integers 0-255;
 *   anything else is TS_ERR_FIELD) else "token", "tok_str" or "content"
 *   (string); logprob from "logprob", else "prob"/0..1 converted with log
 *   (prob 0 -> -9999), else NAN; alternatives from "top_logprobs",
 *   "top_probs" or (old llama.cpp) "probs", the first max_alts kept.  In the
 *   old llama.cpp shape the chosen token's logprob is that of the "probs"
 *   entry with the same text (NAN if none).  Native "tokens" may also be
 *   plain strings.  logprob -9999.0 is kept as is.
 * - UTF-8: a token without "bytes" whose string is not well-formed UTF-8 is
 *   rejected (TS_ERR_UTF8); with "bytes" any byte sequence is accepted.  A
 *   text-only body must be valid UTF-8 too.  (cJSON ends strings at an
 *   escaped \u0000: only "bytes" can carry a NUL.)
 * - finish: "finish_reason" "stop" -> STOP, "length" -> LENGTH, else
 *   UNKNOWN; llama.cpp stop_type eos/word -> STOP, limit -> LENGTH, or the old
 *   stopped_eos/stopped_word/stopped_limit booleans; "stop": true alone ->
 *   UNKNOWN.
 * - Batch: "error" non-null or status_code != 200 -> TS_ERR_FORMAT "batch
 *   request failed ...".
 * - Image reference: "image_id" (integer, or a string of digits; any other
 *   non-null value is TS_ERR_FIELD), "file_name" (string, else TS_ERR_FIELD)
 *   or else "image" (used only when a string), "custom_id" (string).  None of
 *   them is required here.  "prompt" is kept when a string.
 * - Text only (native "text", a response without logprobs): pseudo-steps are
 *   a run of ASCII digits, a run of letters (ASCII letters and every non-ASCII
 *   character, kept whole), a run of whitespace (space, tab, CR, LF), up to 3
 *   ASCII punctuation bytes, or one control byte; runs are cut at
 *   max_token_bytes.  logprob NAN, no alternatives.  trace_get_format() is
 *   TRACE_FMT_TEXT (the finish still comes from the container).
 * - Limits: more than max_steps steps or a token over max_token_bytes ->
 *   TS_ERR_LIMIT; a line over max_line_bytes -> TS_ERR_LIMIT.  The JSON must
 *   be one object, with only whitespace after it.
 */
#ifndef TS_TRACE_H
#define TS_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef enum {
	TRACE_FINISH_UNKNOWN = 0,
	TRACE_FINISH_STOP,   /* model ended by itself (EOS, stop word) */
	TRACE_FINISH_LENGTH, /* hit the token limit */
} trace_finish;

typedef enum {
	TRACE_FMT_NATIVE = 0,
	TRACE_FMT_OPENAI_CHAT,
	TRACE_FMT_OPENAI_BATCH,
	TRACE_FMT_LLAMACPP,
	TRACE_FMT_TEXT, /* text only (native "text", or a response without logprobs) */
} trace_format;

/* An alternative token at a step. */
typedef struct trace_alt {
	uint32_t off, len; /* bytes in trace_alt_text() */
	double logprob;    /* natural log; probabilities are converted */
} trace_alt;

/* One generated token. */
typedef struct trace_step {
	uint32_t off, len;   /* bytes in trace_text() */
	double logprob;      /* NAN when the trace has none */
	uint32_t alt_first;  /* index into trace_alts() */
	uint32_t n_alt;
} trace_step;

typedef struct trace_limits {
	size_t max_line_bytes; /* longest JSONL line accepted (default 64 MiB) */
	size_t max_steps;      /* tokens per sample (default 1,000,000) */
	size_t max_alts;       /* alternatives kept per step (default 20; extra ignored) */
	size_t max_token_bytes;/* bytes per token (default 4096) */
} trace_limits;

void trace_limits_default(trace_limits *lim);

typedef struct trace trace;

void trace_free(trace *t);

/* Parses one JSONL line (any container).  On error returns the status, fills
 * err with what was wrong (without file/line: the reader adds them) and sets
 * *out to NULL. */
ts_status trace_parse_line(const char *line, size_t len, const trace_limits *lim,
                           trace **out, ts_error *err);

/* Accessors.  Pointers stay valid until trace_free. */
trace_format       trace_get_format(const trace *t);
const char        *trace_format_name(trace_format f); /* "native", "openai", ... */
const char        *trace_finish_name(trace_finish f); /* "stop", "length", "unknown" */
trace_finish       trace_get_finish(const trace *t);
size_t             trace_n_steps(const trace *t);
const trace_step  *trace_steps(const trace *t);
const char        *trace_text(const trace *t);      /* all step bytes concatenated; NUL after */
size_t             trace_text_len(const trace *t);
const trace_alt   *trace_alts(const trace *t);
size_t             trace_n_alts(const trace *t);    /* all alternatives of all steps */
const char        *trace_alt_text(const trace *t);
int                trace_has_logprobs(const trace *t);
int                trace_has_alts(const trace *t);
/* Image reference: image_id if the line had one (returns 1 and sets *id). */
int                trace_image_id(const trace *t, int64_t *id);
const char        *trace_file_name(const trace *t); /* "file_name" or "image"; NULL if none */
const char        *trace_custom_id(const trace *t); /* NULL if none */
const char        *trace_prompt(const trace *t);    /* NULL if none */

/* ---- Streaming reader over a JSONL file (opened read-only). ---- */

typedef struct trace_file trace_file;

ts_status trace_file_open(const char *path, const trace_limits *lim,
                          trace_file **out, ts_error *err);

/* Reads the next non-blank line.  TS_OK: *out is a new trace (caller frees).
 * TS_EOF: no more lines.  Any other status: that line was bad and is skipped;
 * err names "path:LINE: what" and the next call continues after it.
 * *lineno (if not NULL) receives the 1-based line number.
 * Lines end in "\n" or "\r\n"; a last line without one is read; lines of only
 * spaces/tabs/CR are skipped.  A line longer than max_line_bytes is read and
 * discarded in chunks (memory stays bounded) and reported as TS_ERR_LIMIT.
 * After an I/O error (TS_ERR_IO) later calls return TS_EOF. */
ts_status trace_file_next(trace_file *f, trace **out, size_t *lineno, ts_error *err);

/* Bytes consumed so far and the file size (0 if unknown), for progress. */
uint64_t trace_file_pos(const trace_file *f);
uint64_t trace_file_size(const trace_file *f);

void trace_file_close(trace_file *f);

/* ---- Line index for lazy loading (TUI): offsets of non-blank lines. ---- */

typedef struct trace_index trace_index;

typedef void (*trace_progress_fn)(void *ud, uint64_t done, uint64_t total);

/* Scans path once (no JSON parsing).  Lines longer than lim->max_line_bytes
 * are indexed too and fail on load. progress may be NULL. */
ts_status trace_index_build(const char *path, const trace_limits *lim,
                            trace_progress_fn progress, void *ud,
                            trace_index **out, ts_error *err);
size_t    trace_index_count(const trace_index *ix);
size_t    trace_index_lineno(const trace_index *ix, size_t i); /* 1-based line number */
/* Parses entry i (seeks and reads only that line; the file is opened on the
 * first load and kept open).  Errors name "path:LINE: what"; i out of range
 * is TS_ERR_USAGE.  Not thread-safe: one loader per index.  progress is
 * called every 16 MiB scanned and once at the end (done == total). */
ts_status trace_index_load(trace_index *ix, size_t i, trace **out, ts_error *err);
void      trace_index_free(trace_index *ix);

#endif
