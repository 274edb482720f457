/* capture.h — `tailscope capture`: record traces from an OpenAI-compatible
 * server, with a stop policy applied live.
 *
 * For every image (PNG/JPEG, the viewer's caps) it POSTs one chat completion
 * to SERVER/v1/chat/completions (the image as a base64 data: URL,
 * "logprobs": true, "top_logprobs": K, "stream": true), reads the SSE stream
 * step by step through the debugger's record parser (cap_resp.h) and, when
 * the policy fires, aborts the request there (the server frees the slot).
 * Requests run concurrently on one libcurl multi handle.  The run directory
 * it writes is one the viewer opens:
 *   run.json      server, model, prompt, parameters, policy, version, times,
 *                 absolute "images" and "gt" paths, "traces": "traces.jsonl"
 *   traces.jsonl  one chat.completion line per image, appended with a single
 *                 write(2) as each completes (a crash loses only requests in
 *                 flight; --resume drops a partial last line and skips the
 *                 images already there)
 * Faults (connection refused, HTTP errors, --timeout without data, a request
 * over --deadline in all or under --min-rate (a slow drip), a stream cut,
 * malformed SSE) get a message and --retries retries with exponential
 * backoff; HTTP 4xx other than 408/429 are not retried.  Exit status: 0 every
 * image captured, 1 some failed, 2 none captured or bad usage.
 *
 * This module links libcurl; analysis/ never does.
 */
#ifndef TS_CAPTURE_H
#define TS_CAPTURE_H

#include <stddef.h>

#include "policy.h"
#include "limits_opt.h"

#define CAPTURE_MAX_HEADERS 32
#define CAPTURE_RATE_WINDOW 10.0 /* seconds over which --min-rate is measured */

typedef struct capture_opts {
	const char *server;       /* base URL or a full .../chat/completions URL */
	const char *model;        /* NULL: the "model" field is left out */
	const char *images;       /* directory of PNG/JPEG files */
	const char *gt;           /* COCO file: its images, in order, with their ids; NULL: every image in the directory */
	const char *prompt;
	const char *out;          /* run directory */
	const char *coords;       /* written to run.json as "coords" (already checked); NULL: none */
	long max_tokens;          /* default 1024 */
	long top_logprobs;        /* default 5 */
	long concurrency;         /* default 4 */
	long retries;             /* default 2 */
	double temperature;       /* default 0 */
	double timeout;           /* seconds without data (and to connect); default 120 */
	double deadline;          /* seconds per request in all, however it trickles; default 900 */
	double min_rate;          /* bytes/s a request must receive over each CAPTURE_RATE_WINDOW
	                           * seconds once its first byte came; default 32, 0: none */
	double backoff;           /* first retry delay in seconds, doubled each time; default 1 */
	policy pol;               /* off, repeat_stop, budget:N, near_dup:IOU */
	const char *headers[CAPTURE_MAX_HEADERS];
	size_t n_headers;
	int resume;
	int quiet;                /* no per-image retry messages, no progress */
	int progress;             /* -1: bar when stderr is a terminal; 0: plain lines; 1: bar */
	double progress_every;    /* plain lines: seconds between them (default 10) */
	limits_set lim;
} capture_opts;

void capture_opts_default(capture_opts *o);

/* Runs the capture; prints progress and messages (sanitized) on stderr.
 * Returns the exit status. */
int capture_run(const capture_opts *o);

/* `tailscope capture ARGS` (argv[0] is "capture"). */
int cmd_capture(int argc, char **argv);

#endif
