/* trace.h — one model generation, step by step, from any supported container.
 *
 * A trace is what the serving stack recorded for one image: the image
 * reference, why generation ended, and the generated tokens, each with its
 * exact bytes, its logprob and its top alternatives.  Containers detected per
 * JSONL line (see README "Trace formats"):
 *   native      {"image_id"|"file_name"|"image", "finish_reason", "tokens": [...]}
 *               or "text" instead of "tokens"; optional "prompt", "meta"
 *   openai      chat completion (vLLM, llama.cpp server, SGLang), inline or
 *               under "response" (completions API: choices[0].logprobs
 *               {"tokens", "token_logprobs", "top_logprobs": [{token: lp}]});
 *               OpenAI batch output line (vLLM run_batch)
 *               {"custom_id", "response": {"status_code", "body": {...}}, "error"}
 *   llamacpp    /completion: completion_probabilities with token/logprob/
 *               top_logprobs, prob/top_probs, or the old content/probs/tok_str
 *   sglang      native /generate: {"text", "meta_info": {"output_token_logprobs":
 *               [[logprob, id, text|null]], "output_top_logprobs", "finish_reason":
 *               {"type"}}}
 *   tgi         /generate: {"generated_text", "details": {"finish_reason",
 *               "tokens": [{id, text, logprob, special}], "top_tokens": [[...]]}}
 *   ollama      /api/generate ("response") or /api/chat ("message") with a
 *               top-level "logprobs" [{token, logprob, bytes, top_logprobs}]
 *               and "done_reason"
 *   ray-data    Ray Data LLM output row {"generated_text", "generated_tokens",
 *               "num_generated_tokens", "logprobs": [{id: {logprob, rank,
 *               decoded_token}}]} (trace_ray.c; finish inferred: trace_finish_how)
 *   vllm-offline vLLM RequestOutput dump {"request_id", "outputs": [{"text",
 *               "token_ids", "logprobs", "finish_reason"}]} (trace_vllm.c)
 *               Both are asked right after native "tokens".
 *   text        text only: split into pseudo-steps (runs of digits, letters,
 *               spaces, punctuation) so replay still works; no logprobs.
 * Streaming recordings (SSE, several lines per sample) are read by the file
 * reader and the index below: openai-sse, llamacpp-sse.
 * "bytes", when present, is the truth for a token's text: a token may end in
 * the middle of a UTF-8 sequence.  Token text is raw (untrusted) bytes.
 *
 * Rules (trace_parse_line):
 * - Detection looks at what a field holds.  Order: "tokens" holding steps
 *   (a non-empty array whose first element is an object or a string, or a
 *   non-array: TS_ERR_FIELD) (native); "meta_info" holding
 *   "output_token_logprobs" (sglang); "details" holding "tokens" (tgi);
 *   "logprobs" with an Ollama response (ollama); "text" (native text, or
 *   sglang text with "meta_info"); "choices" (chat completion inline),
 *   "completion_probabilities" (llama.cpp inline), a batch line ("response"
 *   holding "status_code"/"body", or "custom_id" with a non-null "error"),
 *   "response" holding "choices" or "completion_probabilities" (or a
 *   llama.cpp "content" without probs), an Ollama response without logprobs
 *   ("response" string or "message" object, with "done_reason", "done" or
 *   "created_at"), "response" as a plain string (text), an inline llama.cpp
 *   "content" with stop_type, stopped_eos/word/limit or tokens_predicted
 *   (text), TGI "generated_text" (text), "tokens": [] (native, no steps).
 *   A "tokens" array of token ids (llama.cpp return_tokens) is never steps;
 *   alone it is TS_ERR_FORMAT.  Otherwise TS_ERR_FORMAT "no tokens, text or
 *   completion in line".  null counts as absent.  Fields of no container
 *   (id_slot, generation_settings, timings, model, usage...) are ignored.
 * - A step/alternative object: text from "bytes" (array of integers 0-255;
 *   anything else is TS_ERR_FIELD) else "token", "tok_str", "content" or
 *   "text" (TGI) (string); logprob from "logprob", else "prob"/0..1 converted
 *   with log (prob 0 -> -9999), else NAN; alternatives from "top_logprobs",
 *   "top_probs" or (old llama.cpp) "probs", the first max_alts kept.  In the
 *   old llama.cpp shape the chosen token's logprob is that of the "probs"
 *   entry with the same text (NAN if none).  Native "tokens" may also be
 *   plain strings.  logprob -9999.0 is kept as is; below it (-inf, Python's
 *   -Infinity) it becomes -9999.0; +inf is TS_ERR_FIELD.  Python's bare
 *   -Infinity, Infinity and NaN (not JSON) are read as -inf, +inf and null.
 * - vLLM return_tokens_as_token_ids: a step whose token is "token_id:N" takes
 *   its text from "bytes"; without bytes, or with bytes that spell the
 *   placeholder itself, the text is unknown: TS_ERR_FIELD.  Alternatives
 *   keep whatever text they have (bytes, else the placeholder).
 * - SGLang: a step without text (return_text_in_logprobs off) makes the whole
 *   sample the top-level "text" as pseudo-steps (format text).  Alternatives
 *   without text are left out.
 * - UTF-8: a token without "bytes" whose string is not well-formed UTF-8 is
 *   rejected (TS_ERR_UTF8); with "bytes" any byte sequence is accepted.  A
 *   text-only body must be valid UTF-8 too.  (cJSON ends strings at an
 *   escaped \u0000: only "bytes" can carry a NUL.)
 * - finish: "finish_reason" (or TGI details.finish_reason, SGLang
 *   meta_info.finish_reason.type, Ollama "done_reason") "stop", "eos_token"
 *   or "stop_sequence" -> STOP, "length" -> LENGTH, else UNKNOWN; llama.cpp
 *   stop_type eos/word -> STOP, limit -> LENGTH, or the old
 *   stopped_eos/stopped_word/stopped_limit booleans; "stop": true alone ->
 *   UNKNOWN.  vLLM's "stop_reason" does not change it, except for the
 *   lines tailscope capture writes when a live policy closed the stream:
 *   finish_reason "stop", choices[0].stop_reason one of the stopping
 *   policies' names (policy_kind_name: "repeat_stop", "budget", "near_dup")
 *   AND a numeric top-level "capture"."stop_step" -> POLICY.  Either alone
 *   (a server's stop string that happens to read "budget") stays STOP.
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
 *   TRACE_FMT_TEXT (the finish still comes from the container;
 *   trace_get_container() still names it).
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
	TRACE_FINISH_POLICY, /* ended by a live stop policy (tailscope capture) */
} trace_finish;

/* Where the finish came from: the container's field, or inferred for a
 * container without one (trace_ray.c, trace_vllm.c): the last token is an
 * end-of-sequence token (</s>, <|im_end|>, <|endoftext|>, <eos>,
 * <end_of_turn>, <|eot_id|>, <|end|>...) -> STOP; else the sample has
 * infer_max_tokens tokens or more -> LENGTH; else, with infer_max_tokens
 * known, it ended before the limit -> STOP; else UNKNOWN. */
typedef enum {
	TRACE_FINISH_GIVEN = 0,
	TRACE_FINISH_INFERRED_EOS,
	TRACE_FINISH_INFERRED_MAX_TOKENS,
	TRACE_FINISH_INFERRED_BELOW_MAX,
	TRACE_FINISH_NOT_INFERRED,
} trace_finish_how;

typedef enum {
	TRACE_FMT_NATIVE = 0,
	TRACE_FMT_OPENAI_CHAT,
	TRACE_FMT_OPENAI_BATCH,
	TRACE_FMT_LLAMACPP,
	TRACE_FMT_TEXT, /* text only (native "text", or a response without logprobs) */
	TRACE_FMT_SGLANG,
	TRACE_FMT_TGI,
	TRACE_FMT_OLLAMA,
	TRACE_FMT_OPENAI_SSE,   /* data: {chat.completion.chunk} lines */
	TRACE_FMT_LLAMACPP_SSE, /* data: {"content", "stop", ...} lines */
	TRACE_FMT_OLLAMA_STREAM,/* NDJSON lines {"response"|"message", "done": false, ...} */
	TRACE_FMT_TGI_SSE,      /* data: {"token", "top_tokens", "generated_text"} lines */
	TRACE_FMT_RAY,          /* Ray Data LLM output row (analysis/trace_ray.c) */
	TRACE_FMT_VLLM_OFFLINE, /* vLLM offline RequestOutput dump (analysis/trace_vllm.c) */
	TRACE_FMT_COUNT         /* number of values (not a format) */
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
	/* compressed files (zfile.h): decompressed bytes (default 16 GiB) and
	 * expansion ratio past the first 64 MiB (default 200:1) */
	uint64_t max_decompressed_bytes;
	uint64_t max_decompress_ratio;
	/* containers without a finish reason (Ray Data rows, a vLLM dump with
	 * finish_reason null): the run's max_tokens (run.json max_new_tokens or
	 * --max-tokens), -1 unknown; see trace_get_finish_how */
	long infer_max_tokens;
	/* report --shard K/N: trace_file_open reads only block K (1-based) of N
	 * of the run's shards: shards [(K-1)*S/N, K*S/N) of S (shard_n 0: all) */
	size_t shard_k, shard_n;
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
trace_format       trace_get_format(const trace *t);    /* TRACE_FMT_TEXT for pseudo-steps */
trace_format       trace_get_container(const trace *t); /* what it was read from; never TEXT */
/* 1 when a step's text is unknown: its token is vLLM's "token_id:N"
 * placeholder (return_tokens_as_token_ids) and bytes (NULL: none) are absent
 * or the placeholder's own.  The reader refuses such a step; capture too. */
int trace_step_text_unknown(const char *tok, size_t tn, const char *bytes, size_t bn);
/* The i-th end-of-sequence text of the one list (README "EOS"); NULL past
 * the end. */
const char *trace_eos_text(size_t i);
const char *trace_eos_text_len(size_t i, size_t *len); /* the same, its length in *len */
/* The last byte of every end-of-sequence text of that list (test_trace
 * checks each): a text whose last byte differs ends in none of them. */
#define TRACE_EOS_LAST '>'
const char        *trace_format_name(trace_format f); /* "native", "openai", ... */
const char        *trace_finish_name(trace_finish f); /* "stop", "length", "policy", "unknown" */
trace_finish       trace_get_finish(const trace *t);
trace_finish_how   trace_get_finish_how(const trace *t);
const char        *trace_finish_how_name(trace_finish_how h);
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

/* ---- Building a trace from streaming chunks ---- */

/* An empty trace (no steps, finish unknown) of the given container, e.g.
 * TRACE_FMT_OPENAI_SSE; NULL when out of memory. */
trace    *trace_new(trace_format container);
/* Sets the image reference and prompt (each NULL: left as is); TS_ERR_NOMEM. */
ts_status trace_set_refs(trace *t, const int64_t *image_id, const char *file_name,
                         const char *custom_id, const char *prompt);
/* Appends one streaming chunk: json[0..len) is the text after "data: " of
 * one SSE event, either an OpenAI chat.completion.chunk (or text_completion
 * chunk) — the element of "choices" whose "index" is choice (its position
 * when it has no index) is taken: its logprobs.content steps, else its
 * delta.content (or text) as one step without logprob — or a llama.cpp
 * /completion stream chunk ("content", "completion_probabilities", "stop"),
 * a TGI /generate_stream event ("token", "top_tokens"; the one with a
 * non-null "generated_text" ends it, details.finish_reason) or an Ollama
 * stream line (t made with TRACE_FMT_OLLAMA_STREAM).
 * *done is set to 1 when the chunk ends the request (a non-null
 * finish_reason, which sets the finish; llama.cpp "stop": true).  image_id,
 * file_name, custom_id and prompt in the chunk fill the fields not set yet.
 * A chunk without the choice changes nothing.  "[DONE]" is not a chunk (the
 * caller stops there).  An {"error": ...} chunk is TS_ERR_FORMAT "stream
 * error: MESSAGE".  On any error t is left as it was. */
ts_status trace_append_chunk(trace *t, const char *json, size_t len, const trace_limits *lim,
                             long choice, int *done, ts_error *err);

/* ---- Streaming reader over a trace file (opened read-only). ---- */

typedef struct trace_file trace_file;

/* path: a traces file, or a set of shards read one after the other as one
 * stream (a directory or a glob pattern: shards.h).  Every file is plain,
 * gzip or zstd, told by its first bytes (zfile.h).  Messages and line
 * numbers are the shard's; trace_file_path() names the shard of the last
 * output.  A later shard that cannot be opened is an error output (its
 * message names it) and reading goes on with the next. */
ts_status trace_file_open(const char *path, const trace_limits *lim,
                          trace_file **out, ts_error *err);
const char *trace_file_path(const trace_file *f);

/* Reads the next sample.  TS_OK: *out is a new trace (caller frees).
 * TS_EOF: no more.  Any other status: that sample (or line) was bad and is
 * skipped; err names "path:LINE: what" and the next call continues after it.
 * *lineno (if not NULL) receives the sample's first line (for an error: the
 * line the message names).
 * Lines end in "\n" or "\r\n"; a last line without one is read; lines of only
 * spaces/tabs/CR are skipped.  A line longer than max_line_bytes is read and
 * discarded in chunks (memory stays bounded) and reported as TS_ERR_LIMIT.
 * After an I/O error (TS_ERR_IO) later calls return TS_EOF.
 * A line is a sample by itself (any container above) unless it is an SSE
 * line: "data: [DONE]", "event:", "id:", "retry:" and ":" comment lines are
 * skipped; "data: " followed by a streaming chunk (see trace_append_chunk)
 * adds to the open request of its key — OpenAI chunks: "id" and
 * choices[].index (each choice of an n > 1 request is its own sample);
 * llama.cpp: "id_slot" and "index"; TGI: none (one stream at a time) — and the request is returned when a
 * chunk ends it, else at the end of the file (finish unknown).  Samples come
 * out in the order they end.  "data: " followed by any other object is read
 * like a JSONL line.  A data line that is not valid JSON, or an {"error"}
 * event, while exactly one request is open skips that request with the
 * line's message; otherwise it is reported by itself.  A chunk that fails
 * (bad bytes...) skips its request, named by the first bad line.  At most
 * 1024 requests are open at once: opening one more skips the oldest
 * (TS_ERR_LIMIT).  Memory holds the open requests only.
 * Ollama streams NDJSON (no "data:"): a JSONL line {"model", "response" |
 * "message", "done": false, ...} opens or extends the stream of its "model"
 * (ollama-stream: each line's "logprobs", else its text as one step), and the
 * "done": true line ends it (done_reason); a "done": true line with no open
 * stream of its model is a whole Ollama response. */
ts_status trace_file_next(trace_file *f, trace **out, size_t *lineno, ts_error *err);

/* Lines of the sample (or error) the last call returned: the first and the
 * last line of its request (equal for a JSONL line). */
void trace_file_lines(const trace_file *f, size_t *first, size_t *last);

/* Bytes consumed so far and the file size (0 if unknown), for progress;
 * compressed files count their compressed bytes, shards add up. */
uint64_t trace_file_pos(const trace_file *f);
uint64_t trace_file_size(const trace_file *f);

void trace_file_close(trace_file *f);

/* Deferred parsing (report --jobs: lines parsed on worker threads).  After
 * trace_file_defer(f, 1), trace_file_next_raw gives what trace_file_next
 * would, in the same order, except that a JSONL line that is a sample by
 * itself comes out unparsed: TS_OK with *out NULL and raw->line set (the
 * caller owns it).  trace_raw_parse (thread-safe: it reads only raw) then
 * gives exactly trace_file_next's result for that line, message included,
 * and frees raw->line.  raw->path and raw->lim stay valid until close. */
typedef struct trace_raw {
	char *line;
	size_t len;
	const char *path;
	const trace_limits *lim;
	long choice;            /* the line's completion (a vLLM line with n > 1) */
} trace_raw;
void trace_file_defer(trace_file *f, int on);
ts_status trace_file_next_raw(trace_file *f, trace **out, trace_raw *raw, size_t *lineno,
                              ts_error *err);
ts_status trace_raw_parse(trace_raw *raw, size_t lineno, trace **out, ts_error *err);

/* ---- Index for lazy loading (TUI): where each sample is. ---- */

typedef struct trace_index trace_index;

typedef void (*trace_progress_fn)(void *ud, uint64_t done, uint64_t total);

/* Scans path once (a file, or shards as trace_file_open reads them).  Entry i is the i-th output trace_file_next would give
 * (sample or error), kept as its byte range, line range and request key; no
 * steps are built, and JSONL lines are not parsed (SSE data lines are, for
 * their keys).  Lines longer than lim->max_line_bytes are indexed too and
 * fail on load.  progress may be NULL. */
ts_status trace_index_build(const char *path, const trace_limits *lim,
                            trace_progress_fn progress, void *ud,
                            trace_index **out, ts_error *err);
/* The same in slices, for a caller that shows entries before the scan is
 * over (the debugger's first frame, png --sample): trace_index_open checks
 * the path and scans nothing; each trace_index_step reads about budget more
 * bytes (one line at least; a shard's open requests become entries at its
 * end) and sets *finished once everything is indexed.  Entries never change
 * once they exist, and trace_index_load works on them while the scan goes
 * on (a compressed file's cache included).  trace_index_build is open +
 * steps until finished.  An error ends the scan: the entries so far stay,
 * *finished is 1. */
ts_status trace_index_open(const char *path, const trace_limits *lim, trace_index **out,
                           ts_error *err);
ts_status trace_index_step(trace_index *ix, uint64_t budget, int *finished, ts_error *err);
int       trace_index_finished(const trace_index *ix);
/* Bytes scanned (compressed bytes for a compressed file) and the total (0
 * when unknown), for "indexing N%". */
uint64_t  trace_index_progress(const trace_index *ix, uint64_t *total);
/* Needles tested on each line while the scan has it in its buffer (before
 * the first step): trace_index_mentioned(ix, i) then answers what
 * trace_index_mentions(ix, i, needles, n) would, without reading the bytes
 * again for an entry that is one line (a request spread over lines, or an
 * over-long line, is read again). */
ts_status trace_index_watch(trace_index *ix, const char *const *needles, size_t n, ts_error *err);
int       trace_index_mentioned(trace_index *ix, size_t i);
size_t    trace_index_count(const trace_index *ix);
/* The shard entry i was read from (the file for a single file; NULL when
 * out of range), and how many shards the index covers. */
const char *trace_index_path(const trace_index *ix, size_t i);
size_t    trace_index_n_shards(const trace_index *ix);
size_t    trace_index_lineno(const trace_index *ix, size_t i); /* 1-based first line */
/* First line of entry i (0 when out of range); *last (nullable) its last line. */
size_t    trace_index_lines(const trace_index *ix, size_t i, size_t *last);
/* Parses entry i: exactly what trace_file_next gave for it (seeks and reads
 * only its byte range, streaming; for a request, only lines naming its key
 * are parsed; the file is opened on the first load and kept open).  Errors name "path:LINE: what"; i out of range
 * is TS_ERR_USAGE.  Not thread-safe: one loader per index.  progress is
 * called every 16 MiB scanned and once at the end (done == total). */
ts_status trace_index_load(trace_index *ix, size_t i, trace **out, ts_error *err);
/* 1 when the bytes of entry i contain one of needles[0..n) (a needle of
 * digits only: as a whole number, not inside 21000 or -0.1000), 0 when none,
 * -1 on an I/O error: a test before parsing an entry. */
int       trace_index_mentions(trace_index *ix, size_t i, const char *const *needles, size_t n);
void      trace_index_free(trace_index *ix);

#endif
