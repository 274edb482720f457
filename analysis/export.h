/* export.h — one run analysed in full under several stop policies, and the
 * results written as CSV (RFC 4180) or as the report's JSON.
 *
 * export_run_analyze streams a run's traces one line at a time and keeps, per
 * policy, the run's aggregate (run_metrics), and optionally:
 *   - confidence: record scores (mean/min logprob), AP at ap_iou per policy
 *     (confidence.h) with the pooled PR curve, the termination probability
 *     summary (policy independent);
 *   - rows: one export_row per sample (the --per-sample / --csv fields);
 *   - the per-sample max_repeat values (always: plots use them).
 *
 * Policies: all but dedup are truncations and come from sample_outcome_for.
 * For dedup (drop_dups), the repeat stats and the TP/FP/FN of the kept
 * records (first occurrences) are recomputed here with policy_dedup_stats and
 * policy_dedup_counts, because the dropped duplicates may have taken ground-
 * truth boxes that later records get once they are gone.
 *
 * Thread safety: no static mutable state; several runs may be analysed at
 * once on different threads (each with its own export_run), sharing one
 * read-only gt and export_opts.  The callbacks are called from the analysing
 * thread.  (cJSON's parser records the position of its last failure in a
 * static variable, cJSON's own race on bad lines; nothing here reads it.)
 */
#ifndef TS_EXPORT_H
#define TS_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "calib.h"
#include "confidence.h"
#include "gt.h"
#include "policy.h"
#include "run.h"
#include "sample.h"
#include "status.h"
#include "strbuf.h"

#define EXPORT_MAX_POLICIES 32

typedef struct export_opts {
	analysis_opts an;
	int coords_set;          /* an.coords.kind was given (else run.json's) */
	const char *gt_path;     /* ground truth for every run (else the run's gt.json) */
	const gt *shared_gt;     /* gt_path already loaded (read-only), or NULL */
	int shared_gt_failed;    /* gt_path given but could not be loaded */
	policy pol[EXPORT_MAX_POLICIES];
	size_t n_pol;            /* >= 1 */
	int rows;                /* keep one row per sample */
	int per_record;          /* keep one export_rec per record (needs rows) */
	int confidence;          /* scores, AP, termination probability */
	conf_score_kind score;
	double ap_iou;           /* default 0.5 */
	trace_limits limits;
	int keep_state;          /* keep what report --partial writes (partial.h) */
	size_t line_jobs;        /* threads parsing one run's lines (0, 1: none; see
	                          * export_run_analyze) */
	int file_col;            /* CSV: a "file" column before "line" (report sets it
	                          * when a run is sharded: export_any_sharded) */
} export_opts;

/* off, repeat_stop; confidence on (mean score, AP@0.5); no rows. */
void export_opts_default(export_opts *o);

/* A policy's outcome on one sample (CSV columns <policy>_...). */
typedef struct export_pol_row {
	size_t records, duplicates, max_repeat, tokens;
	long stop_step;          /* -1 when the policy did not fire */
	termination term;
} export_pol_row;

typedef struct export_row {
	size_t line;             /* 1-based line in the traces file (in its shard) */
	char *file;              /* sharded run: the shard (sanitized shards_label),
	                          * else NULL — "file" next to "line" */
	int has_id;
	int64_t image_id;
	char *image;             /* sanitized file_name/image/custom_id, or NULL */
	size_t records, duplicates, max_repeat, steps;
	long tail_start;         /* -1: none */
	long stop_step;          /* repeat_stop's stop step, -1: never fires */
	termination term;
	double score;            /* mean of the record scores (NAN: none) */
	double p_close_max;      /* termination probability before the tail (NAN) */
	double p_close_at_tail;  /* ... at the tail start (NAN) */
	export_pol_row *pol;     /* n_pol entries */
	metrics_counts *counts;  /* (1 + n_pol) * n_iou, valid with gt:
	                          * counts[j] policy off (always), counts[(1 + p) *
	                          * n_iou + j] policy p, at threshold j */
} export_row;

/* One record (report --per-record): the sample's own facts, from the owners
 * the report uses (sample_rec, conf_record_score, sample_outcome_for's cut). */
typedef struct export_rec {
	size_t row;              /* its sample's row in rows[] */
	size_t index;            /* 0-based position in the sample's list */
	char *label;             /* sanitized sample_rec_label, NULL when none */
	int box_ok;
	double box[4];           /* x1, y1, x2, y2 in image pixels (sample_rec.box) */
	double score;            /* the record's score (NAN: none, or confidence off) */
	match_state match[TS_MAX_IOU]; /* policy off, per threshold (valid with gt) */
	long dup_of;             /* first occurrence, -1 when this is it */
	int in_tail;
	uint32_t cut;            /* bit p: policy p drops it (a truncation: index >=
	                          * cut.kept when it fired; dedup: a repeated copy) */
} export_rec;

typedef struct export_run {
	char *name;              /* sanitized */
	char *name_raw;          /* as in run.json / the path: untrusted, for callers
	                          * that sanitize themselves (plot labels) */
	char *path;              /* sanitized, as given */
	char *traces;            /* sanitized traces path, NULL if the run did not open */
	int opened;              /* run and traces file opened */
	int sharded;             /* its traces are a set of shards (shards_is_set):
	                          * rows name their shard (export_row.file) */
	int not_run;             /* not opened: the path is no run (run_not_a_run) */
	int simulated;
	int gt_loaded;
	int usable;              /* at least one sample */
	size_t skipped;          /* bad lines (and a missing ground truth) */
	size_t skipped_run;      /* of which run-level (run.json warnings, missing
	                          * ground truth): the same in every shard, counted
	                          * once by merge (partial.h) */
	size_t n_pol, n_iou;
	run_metrics m[EXPORT_MAX_POLICIES];
	/* confidence */
	int has_conf;            /* confidence computed (opts.confidence) */
	int has_ap;              /* ... and ground truth: ap[] is filled */
	conf_ap_result ap[EXPORT_MAX_POLICIES];
	calib calib[EXPORT_MAX_POLICIES]; /* record scores vs TP at 0.5 (with ap; dedup: empty) */
	conf_term_run term;
	size_t records_scored;   /* records with a finite score */
	coords_check check;      /* syntaxes, conventions and their fit (coords.h) */
	size_t unlabeled;        /* records without a label in samples without a
	                          * query (sample_query): they match no category */
	size_t query_unknown;    /* samples whose query names no category */
	/* per sample */
	uint32_t *max_repeat;    /* n_samples values (policy off) */
	size_t n_samples;
	export_row *rows;        /* when opts.rows */
	size_t n_rows;
	export_pol_row *pol_all; /* owns the rows' pol arrays */
	metrics_counts *counts_all; /* owns the rows' counts arrays */
	/* opts.keep_state: the AP accumulators (has_ap) and, per sample with a
	 * repeated tail in order, its (max_before_tail, at_tail_start) pair */
	conf_ap *ap_state[EXPORT_MAX_POLICIES];
	double *tail_vals;       /* 2 * n_tail_vals */
	size_t n_tail_vals, cap_tail_vals;
	/* ... and each calib_add of policy p, in order: (score, is_tp) pairs */
	double *calib_vals[EXPORT_MAX_POLICIES]; /* 2 * n_calib_vals[p] */
	size_t n_calib_vals[EXPORT_MAX_POLICIES], cap_calib_vals[EXPORT_MAX_POLICIES];
	export_rec *recs;        /* when opts.per_record, in row order */
	size_t n_recs, cap_recs;
} export_run;

/* msg is raw (may quote untrusted input): sanitize before printing. */
typedef void (*export_warn_fn)(void *ud, const char *msg);
/* Called every few lines: bytes read so far and the file size. */
typedef void (*export_progress_fn)(void *ud, uint64_t done, uint64_t total);

/* Analyses the run at path (run directory or JSONL file).  With
 * o->line_jobs > 1, that many worker threads parse and analyse the lines
 * (trace_raw_parse, run_sample_analyze) while the calling thread reads them
 * and adds each result to the run in file order: the result, the warnings
 * and their order are those of line_jobs 1, byte for byte.  At most
 * 2 * line_jobs + 1 batches (32 samples or 4 MB of lines each) are in flight.  Always returns a
 * result in *out (unless out of memory: TS_ERR_NOMEM and *out NULL); a run
 * that could not be opened has opened = 0 and the reason went to warn.
 * Bad lines are skipped, counted and reported through warn ("file:LINE:
 * what").  warn and progress may be NULL. */
ts_status export_run_analyze(const char *path, const export_opts *o,
                             export_warn_fn warn, export_progress_fn progress, void *ud,
                             export_run **out);
void export_run_free(export_run *r);

/* ---- several runs, one per worker thread ---- */

/* Called from the worker threads (the caller serialises what it shares):
 * start/done bracket run i; progress as in export_progress_fn. */
typedef struct export_pool_cb {
	void (*warn)(void *ud, size_t run, const char *msg);
	void (*start)(void *ud, size_t run);
	void (*progress)(void *ud, size_t run, uint64_t done, uint64_t total);
	void (*done)(void *ud, size_t run);
	void *ud;
} export_pool_cb;

/* Analyses paths[0..n) with up to `jobs` threads (each takes the next run
 * not yet started; jobs <= 1 or a failing pthread_create: in the calling
 * thread).  out[i] receives run i's result (NULL only when out of memory).
 * Returns TS_ERR_NOMEM if any run ran out of memory, else TS_OK. */
ts_status export_runs_analyze(const char *const *paths, size_t n, const export_opts *o,
                              size_t jobs, const export_pool_cb *cb, export_run **out);

/* ---- JSON (the report's shape, see tui/cli/report.c --help) ---- */

/* Builds {"policies": [...], "runs": [...]} for runs[0..n) analysed with o;
 * per_sample adds each run's "samples".  NULL on OOM. */
struct cJSON *export_json(const export_opts *o, export_run *const *runs, size_t n,
                          int per_sample);

/* ---- CSV ---- */

/* Output sink: returns 0 on success, -1 to stop. */
typedef int (*export_write_fn)(void *ud, const char *buf, size_t len);

/* The CSV columns and the JSON "samples" entries come from one field list
 * (EXPORT_SAMPLE_FIELDS and EXPORT_POL_FIELDS in export.c), in the same
 * order: JSON has the same keys without "run", with the TP/FP/FN grouped as
 * "counts" under each policy.
 * Column names for these options, in order (CSV header):
 *   run, [file,] line, image_id, image, records, duplicates, max_repeat, termination,
 *   tail_start, stop_step, steps, tp_T/fp_T/fn_T for each IoU threshold T
 *   (digits of T without the dot: 0.3 -> tp_03, 0.75 -> tp_075), score,
 *   p_close_max_before_tail, p_close_at_tail_start, then for each policy P
 *   (name with ':' and '.' as '_': budget_12, near_dup_0_9) P_records,
 *   P_duplicates, P_max_repeat, P_termination, P_stop_step, P_tokens and
 *   P_tp_T/P_fp_T/P_fn_T.
 * "file" (the shard a sample's line is in) only with o->file_col; in JSON
 * it is left out for a run that is not sharded.
 * Returns the number of columns written into names (at most max). Each name
 * is at most 95 bytes. */
size_t export_csv_columns(const export_opts *o, char (*names)[96], size_t max);

/* 1 when one of the runs is sharded: report sets o->file_col from it. */
int export_any_sharded(export_run *const *runs, size_t n);

/* Writes the header line. */
ts_status export_csv_header(const export_opts *o, export_write_fn w, void *ud);
/* Writes one line per row of r (r must have been analysed with o and rows).
 * RFC 4180: fields separated by ",", lines ended by CRLF, a field holding
 * '"', ',', CR, LF or leading/trailing space is quoted with '"' doubled;
 * empty field = missing (null) value; numbers in C locale, doubles in the
 * shortest form that reads back to the same double.  A text field (run,
 * image, termination) starting with = + - @ TAB or CR gets a leading '
 * (OWASP's advice against CSV injection). */
ts_status export_csv_rows(const export_opts *o, const export_run *r, export_write_fn w,
                          void *ud);

/* report --per-record: the header, then one line per record of r (analysed
 * with rows and per_record).  Columns: run, [file,] line, image_id, image, record,
 * label, x1, y1, x2, y2, score, match_T for each IoU threshold T (tp, fp,
 * ignored; empty without ground truth), dup_of (empty for a first
 * occurrence), in_tail (0/1), then cut_P (0/1) for each policy P but off.
 * Text cells as in export_csv_rows (CSV injection neutralised). */
ts_status export_csv_records_header(const export_opts *o, export_write_fn w, void *ud);
ts_status export_csv_records(const export_opts *o, const export_run *r, export_write_fn w,
                             void *ud);
/* The same fields as a JSON array (keys as the CSV columns without run, the
 * matches as "match": {"0.5": "tp", ...}, the cuts as "cut": {"P": bool},
 * box as [x1, y1, x2, y2] or null); export_json adds it to each run as
 * "records" when o->per_record. */
struct cJSON *export_json_records(const export_opts *o, const export_run *r);

/* "tp", "fp", "ignored". */
const char *export_match_name(match_state m);

/* Appends field to a line buffer with RFC 4180 quoting (exposed for tests).
 * Returns bytes written (without NUL) or the size needed when buf is too
 * small (like snprintf). */
size_t export_csv_field(const char *field, char *buf, size_t bufsz);
/* Appends field to b with that quoting (the one CSV cell writer of
 * report's CSV and the debugger's marks file). */
void export_csv_put(strbuf *b, const char *field);
/* A text cell from the data (run, file, image, label): as export_csv_put,
 * after a leading ' when export_csv_guarded (a spreadsheet would run it as a
 * formula: OWASP's CSV injection rule). */
void export_csv_put_text(strbuf *b, const char *s);
/* 1 when s starts with = + - @ TAB or CR (export_csv_put_text guards it). */
int export_csv_guarded(const char *s);

/* report --per-sample's line for one row (text table, without its 2-space
 * indent): image, records, dups, maxrep, term, tail_start, stop_step, steps
 * and, with ground truth, tp/fp/fn at the first IoU threshold.  The one
 * formatter: report prints it, the debugger's y copies it.  Returns the
 * length it needed (snprintf's rule). */
size_t export_row_text(const export_row *r, int gt_loaded, char *out, size_t outsz);

/* The same line for one sample already analysed (the debugger's y: no other
 * sample is read): the row export_run_analyze adds for trace t analysed as
 * s (run_sample_analyze's sample, matched to img) at lineno of shard file
 * (NULL: single traces file), with o's policies and IoU thresholds
 * (confidence is not used), formatted by export_row_text.  TS_ERR_NOMEM or
 * TS_OK; *need as export_row_text's return (may be NULL). */
ts_status export_sample_text(const export_opts *o, const trace *t, const sample *s,
                             const gt_image *img, int gt_loaded, size_t lineno, const char *file,
                             char *out, size_t outsz, size_t *need);

#endif
