/* cli.h — the one option table of every subcommand (report, png, plot,
 * formats, capture, the debugger): each option's name, argument, help and handler is written once,
 * in CLI_OPTIONS below; a command is a list of the options it takes.  The
 * parser, every command's --help and the top-level usage are generated from
 * these tables, and tests/unit/test_cli.c checks the man page's option
 * lists (tui/tailscope.1) against them.
 *
 * A new subcommand: its cli_command entry in cli_commands (cli.c: name,
 * synopsis, option list, entry point) — the parser, --help and main()'s
 * dispatch follow.  A new option: one CLI_OPTIONS row and its handler. */
#ifndef TS_CLI_H
#define TS_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "../capture/capture.h"
#include "export.h"
#include "limits_opt.h"
#include "policy.h"

/* X(id, long name, short letter or 0, argument or NULL, help) — help lines
 * after the first are separated by '\n'.  Handlers: h_<id> in cli.c for the
 * common rows, cap_opt_<id> in tui/cli/cap_cli.c for capture's. */
#define CLI_OPTIONS(X) CLI_COMMON_OPTIONS(X) CLI_CAPTURE_OPTIONS(X)

#define CLI_COMMON_OPTIONS(X)                                                                 \
	X(GT, "gt", 0, "FILE", "COCO instances ground truth (default: the run's gt.json)")        \
	X(IMAGES, "images", 0, "DIR", "directory holding the images named in the ground truth\n"  \
	  "(default: the run's images/)")                                                         \
	X(COORDS, "coords", 0, "NAME", "coordinate convention: a name listed below\n"              \
	  "(default: run.json, else auto)")                                                       \
	X(MIN_PIXELS, "min-pixels", 0, "N", "qwen25 smart_resize min_pixels (default 3136)")     \
	X(MAX_PIXELS, "max-pixels", 0, "N", "qwen25 smart_resize max_pixels (default 12845056)") \
	X(IOU, "iou", 0, "LIST", "IoU thresholds (default 0.3,0.5); the first decides hits,\n"   \
	  "box colours and the interference plot")                                                \
	X(POLICY, "policy", 0, "LIST", "stop policies: off | repeat_stop | budget:N (stop after N records) |\n" \
	  "near_dup:IOU (stop at a record with the same label and IoU >= IOU\n"                   \
	  "with an earlier one) | dedup (drop exact duplicates, keep decoding:\n"                 \
	  "an upper bound no real decoder reaches) | repetition_detection:MAX:MIN:COUNT\n"       \
	  "(vLLM's token-repetition check) | ladder[:N] (Docling's: N same-label\n"             \
	  "records, boxes repeated or evenly stepped) | close_prob:P (stop where\n"            \
	  "P(close) >= P).  KIND:A..B/STEP sweeps a parameter (one policy per value).\n"        \
	  "report: the table's columns (default off,repeat_stop); png, plot pr: one\n"          \
	  "policy (default off); plot tradeoff: any number")                                     \
	X(SCORE, "score", 0, "mean|min", "record confidence: mean or min logprob of its tokens\n" \
	  "(default mean); gives AP@0.5 and its PR curve (with ground truth)")                    \
	X(NO_CONFIDENCE, "no-confidence", 0, NULL, "skip scores, AP and the termination probability") \
	X(JSON, "json", 0, NULL, "print JSON instead of tables")                                  \
	X(CSV, "csv", 0, NULL, "print one CSV row per sample per run (header line first, RFC 4180)") \
	X(PER_SAMPLE, "per-sample", 0, NULL, "also list every sample (policy off values)")        \
	X(PARTIAL, "partial", 0, NULL, "with --json: write the mergeable state of this shard instead of\n" \
	  "the report ('tailscope merge' of every shard prints the report)")                     \
	X(SHARD, "shard", 0, "K/N", "read only block K of N of each run's trace files (default 1/1)") \
	X(PER_RECORD, "per-record", 0, NULL, "one CSV row per record (with --json: each run's\n"   \
	  "\"records\"): sample, index, label, box in pixels, score, match per IoU,\n"             \
	  "duplicate of, in tail, cut by each policy")                                           \
	X(SAMPLE, "sample", 0, "ID", "the sample: an image id, else a file name / custom id as in the trace") \
	X(OUTPUT, "output", 'o', "FILE", "write a PNG (atomically: temp file + rename)")          \
	X(IMAGE, "image", 0, "FILE", "the image file (default: found in the images directory)")  \
	X(SIZE, "size", 0, "WxH", "PNG size in pixels (default 960x600)")                         \
	X(CAPTION, "caption", 0, NULL, "add a caption (run, sample, step, policy) and a legend of the\n" \
	  "box styles under the image (the debugger's x always does)")                            \
	X(WIDTH, "width", 0, "N", "terminal columns (default: the terminal's, else $COLUMNS, else 80)") \
	X(HEIGHT, "height", 0, "N", "rows of the plot area in the terminal (default 16)")        \
	X(COLOR, "color", 0, "WHEN", "auto | always | never (auto: stdout is a terminal and NO_COLOR is unset)") \
	X(JOBS, "jobs", 0, "N", "threads: runs analysed at once, left-over threads parse one run's lines (default: online CPUs)")              \
	X(QUIET, "quiet", 'q', NULL, "don't print skipped-line messages (they are still counted)") \
	X(LIMIT, "limit", 0, "NAME=N", "change a limit on untrusted input (repeatable; see below)") \
	X(SUMMARY, "summary", 's', NULL, "counts only (no line per sample)")                       \
	X(HELP, "help", 'h', NULL, "this help")                                                    \
	X(FILTER, "filter", 0, "EXPR", "show only the samples EXPR keeps: the / prompt's language, e.g.\n" \
	  "'max_repeat>5 && f1<0.5', 'termination=T', 'label:pole', dup, trunc")                 \
	X(SUBSET, "samples", 0, "FILE", "open only the samples a CSV names by its \"line\" column (the\n" \
	  "debugger's W file, or report --per-sample --csv rows), marked")

/* capture's rows (tui/cli/cap_cli.c reads them).  Where a name is also a
 * viewer option (--gt, --images, --coords, --policy, -q) the meaning differs
 * (what to send / write, not what to read), so the row is capture's own; the
 * parser looks a name up among the command's options only.  --limit and
 * --help are the shared rows. */
#define CLI_CAPTURE_OPTIONS(X)                                                                \
	X(SERVER, "server", 0, "URL", "base URL (http://127.0.0.1:8000), or a full .../chat/completions URL") \
	X(MODEL, "model", 0, "NAME", "the \"model\" field (vLLM, SGLang, Ollama want the served name)") \
	X(CAP_IMAGES, "images", 0, "DIR", "PNG/JPEG images to send")                              \
	X(CAP_GT, "gt", 0, "FILE", "COCO instances: capture its images in its order, with their ids\n" \
	  "(default: every PNG/JPEG in DIR, by name)")                                            \
	X(PROMPT, "prompt", 0, "TEXT", "the text sent after the image")                           \
	X(PROMPT_FILE, "prompt-file", 0, "F", "the same, read from a file (at most 1 MiB)")      \
	X(CAP_OUT, "out", 'o', "RUN_DIR", "run directory to write (run.json, traces.jsonl)")      \
	X(CAP_COORDS, "coords", 0, "NAME", "write \"coords\" into run.json: a name listed below\n" \
	  "(default: none written; auto: none)")                                                  \
	X(MAX_TOKENS, "max-tokens", 0, "N", "max_tokens per request (default 1024)")             \
	X(TOP_LOGPROBS, "top-logprobs", 0, "K", "alternatives per token (default 5; 0 = chosen token's logprob only)") \
	X(TEMPERATURE, "temperature", 0, "T", "default 0 (greedy)")                               \
	X(CAP_POLICY, "policy", 0, "P", "live stop policy: off | repeat_stop | budget:N | near_dup:IOU\n" \
	  "(default off); when it fires the request is aborted there and the\n"                   \
	  "trace says finish_reason \"stop\", stop_reason \"<policy>\"")                          \
	X(CONCURRENCY, "concurrency", 0, "N", "requests at once (default 4)")                     \
	X(RETRIES, "retries", 0, "N", "retries per image after a fault (default 2)")              \
	X(BACKOFF, "backoff", 0, "S", "first retry delay in seconds, doubled each retry (default 1)") \
	X(TIMEOUT, "timeout", 0, "S", "give up on a request after S seconds without data (default 120)") \
	X(DEADLINE, "deadline", 0, "S", "give up on a request after S seconds in all, however it\n" \
	  "trickles (default 900)")                                                              \
	X(MIN_RATE, "min-rate", 0, "B", "give up on a request that, once data flows, receives fewer\n" \
	  "than B bytes/s over 10 s (default 32; 0: no minimum)")                                 \
	X(HEADER, "header", 0, "'K: V'", "extra HTTP header (repeatable)")                        \
	X(API_KEY_ENV, "api-key-env", 0, "VAR", "send 'Authorization: Bearer $VAR'")              \
	X(RESUME, "resume", 0, NULL, "continue RUN_DIR: skip images already in traces.jsonl")     \
	X(PROGRESS, "progress", 0, "MODE", "auto | bar | plain (default auto: a bar when stderr is a terminal)") \
	X(PROGRESS_EVERY, "progress-every", 0, "S", "seconds between plain progress lines (default 10)") \
	X(CAP_QUIET, "quiet", 'q', NULL, "no progress and no retry messages")

typedef enum {
#define CLI_OPT_ENUM(id, name, sh, arg, help) CLI_##id,
	CLI_OPTIONS(CLI_OPT_ENUM)
#undef CLI_OPT_ENUM
	CLI_OPT_COUNT
} cli_opt;

typedef struct cli_option {
	const char *name;   /* long name without "--" */
	char short_name;    /* 0: none */
	const char *arg;    /* NULL: a flag */
	const char *help;
} cli_option;

extern const cli_option cli_options[CLI_OPT_COUNT];

/* What the options of any command set (each command reads what it takes). */
typedef struct cli_values cli_values;
struct cli_values {
	export_opts ex;         /* gt, coords, pixels, iou, policies, score, confidence,
	                         * trace and record limits */
	limits_set lim;         /* --limit (also the image limits) */
	int pol_set;            /* --policy given */
	const char *images_dir, *sample, *out, *image;
	const char *filter, *subset; /* the debugger's --filter, --samples */
	int json, csv, per_sample, per_record, quiet, summary, caption;
	int partial;            /* report --partial */
	size_t shard_k, shard_n; /* report --shard K/N (0/0: every shard) */
	long jobs;              /* default: online CPUs (1..64) */
	long png_w, png_h;      /* default 960x600 */
	long width, height;     /* default 0 (the terminal's), 16 */
	int color;              /* -1 auto, 0 never, 1 always */
	capture_opts cap;       /* capture's rows (and --limit, copied by cmd_capture) */
	char *cap_prompt_buf;   /* --prompt-file's text (freed by cli_values_free) */
	char *cap_auth;         /* --api-key-env's header (likewise) */
	const char **pos;       /* positional arguments (after "--" too) */
	size_t n_pos;
};

/* capture's handlers (cap_cli.c): 0 ok, -1 with err set */
#define CLI_CAP_HANDLER_DECL(id, nm, sh, ar, hl) int cap_opt_##id(cli_values *v, const char *arg, ts_error *err);
CLI_CAPTURE_OPTIONS(CLI_CAP_HANDLER_DECL)
#undef CLI_CAP_HANDLER_DECL

typedef struct cli_command {
	const char *name;       /* "report"; "tui" for the debugger */
	const char *synopsis;   /* after "tailscope NAME " */
	const char *about;      /* paragraph after the usage line */
	const char *footer;     /* after the options (exit status) */
	const cli_opt *opts;    /* the options it takes, in --help order */
	size_t n_opts;
	int (*main)(int argc, char **argv); /* argv[0] is the command name */
} cli_command;

extern const cli_command cli_commands[];
extern const size_t cli_n_commands;

/* The command named name, or NULL. */
const cli_command *cli_command_find(const char *name);

/* Parses argv[1..argc) for cmd into v (positionals in v->pos).  Returns 0
 * ok, 1 --help printed on stdout (exit 0), 2 a usage error printed on stderr
 * ("tailscope NAME: what" + "try ..."; exit 2).  cli_values_free either way. */
int  cli_parse(const cli_command *cmd, int argc, char **argv, cli_values *v);
void cli_values_free(cli_values *v);

/* Writes cmd's --help (usage, about, options from the table, limits when it
 * takes --limit, footer). */
void cli_help(const cli_command *cmd, FILE *out);
/* main()'s usage: one line per command. */
void cli_usage(FILE *out);

/* A whole number in [lo, hi] (the options' and $COLUMNS' rule): 0 ok, -1. */
int  cli_parse_long(const char *s, long lo, long hi, long *out);

/* Prints "tailscope NAME: msg" (sanitized) and "try 'tailscope NAME --help'"
 * on stderr; returns 2. */
int  cli_usage_error(const cli_command *cmd, const char *msg);

/* Every command's last step (main): flushes and closes stdout and checks
 * that every write to it succeeded.  On a failure (a full disk, /dev/full, a
 * closed pipe's EPIPE) prints "tailscope[ NAME]: error writing standard
 * output: why" on stderr and returns 2; otherwise returns rc. */
int  cli_finish_stdout(const char *name, int rc);
/* fflush(stdout) that remembers why it failed for cli_finish_stdout's
 * message: 0 ok, -1. */
int  cli_flush_stdout(void);

#endif
