/* run.h — a run (one checkpoint's traces) and its aggregate metrics.
 *
 * A run is either a JSONL traces file or a run directory:
 *   run.json       {"name", "model", "checkpoint", "coords", "max_new_tokens",
 *                   "prompt"?, "budget"?, "simulated"?, "object"?,
 *                   "eos_tokens"? [strings: EOS texts of a custom vocabulary]}
 *   gt.json        COCO instances (optional)
 *   images/        PNG/JPEG files named as in gt.json (optional)
 *   traces.jsonl   traces (plain, gzip or zstd: zfile.h); without it, and
 *                  without "traces" in run.json, the directory's trace shards
 *                  (traces-00001-of-00064.jsonl.gz, part-*.json, *.jsonl:
 *                  shards.h) read as one run; run.json "traces" may be a
 *                  pattern ("traces-*.jsonl.gz")
 */
#ifndef TS_RUN_H
#define TS_RUN_H

#include <stddef.h>

#include "coords.h"
#include "gt.h"
#include "metrics.h"
#include "sample.h"
#include "status.h"
#include "trace.h"

typedef struct run_info {
	char *path;        /* as given */
	char *name;        /* run.json name, else the directory/file base name */
	char *model;       /* NULL if absent */
	char *checkpoint;  /* NULL if absent */
	char *prompt;      /* NULL if absent */
	char *object;      /* "object": the class every trace requested (Moondream's
	                    * detect parameter; sample.h: sample_query), NULL if absent */
	coords_kind coords;/* COORDS_AUTO if absent */
	long max_new_tokens; /* -1 if absent */
	long budget;       /* -1 if absent */
	int simulated;     /* run.json says the traces come from a simulator */
	char **eos_tokens; /* run.json "eos_tokens": extra EOS texts for P(close) */
	size_t n_eos;
	char *traces_path; /* a file, or shards (shards.h): the directory itself when it
	                    * has no traces.jsonl, or run.json's "traces" pattern */
	int traces_named;  /* run.json named the traces */
	char *gt_path;     /* NULL if none */
	char *images_dir;  /* NULL if none */
	char *warnings;    /* NULL, or one line per run.json field ignored ("FILE: field
	                    * \"NAME\": why"; a lone surrogate escape drops only its
	                    * field): callers print them */
} run_info;

/* path: a directory holding traces.jsonl, or a JSONL file. */
ts_status run_open(const char *path, run_info **out, ts_error *err);
/* 1 when path is not a run at all rather than a run that cannot be read: a
 * directory with neither traces.jsonl nor run.json (sample_runs/gen), or a
 * regular file without a .jsonl/.ndjson/.sse name whose first line is no
 * traces line (README.md).  report names it and does not count it as
 * skipped input (README "Exit status"). */
int       run_not_a_run(const char *path);
void      run_info_free(run_info *r);
/* What run.json says about reading its records, applied to an: its coords
 * (unless coords_set: the user chose), "object" and "eos_tokens" (borrowed:
 * r must outlive every sample analysed with an).  The one place every
 * command and the debugger take these from. */
void      run_apply_opts(const run_info *r, int coords_set, analysis_opts *an);

/* The trace limits to read r's traces with: in (NULL: the defaults), and
 * run.json's max_new_tokens as infer_max_tokens unless in sets it
 * (--limit max_tokens=N): how samples without a finish reason ended
 * (trace.h: trace_finish_how). */
void run_trace_limits(const run_info *r, const trace_limits *in, trace_limits *out);

/* The study's aggregate ("M" in report --json). */
typedef struct run_metrics {
	size_t samples, records, duplicates, max_repeat, samples_with_duplicates;
	size_t closed, truncated, malformed, stopped, tokens;
	/* filled by run_metrics_finish; termination_rate = (closed + stopped) /
	 * samples (termination_ended) */
	double duplicate_rate, termination_rate;
	size_t n_iou;
	double iou[TS_MAX_IOU];
	metrics_counts counts[TS_MAX_IOU];
	metrics_prf prf[TS_MAX_IOU]; /* filled by run_metrics_finish */
	/* comparing policies (sample_outcome's facts summed): tokens_all = the
	 * traces' steps (tokens saved = tokens_all - tokens), tails = samples
	 * with a repeated tail */
	size_t tokens_all, tails, false_stops, early_stops, tails_unstopped;
	size_t tp_lost[TS_MAX_IOU];
	tide_counts tide;  /* at TIDE_FG; valid when tide_ok (gt, not dedup) */
	int tide_ok;
} run_metrics;

void run_metrics_init(run_metrics *m, const analysis_opts *o);
void run_metrics_add(run_metrics *m, const sample_outcome *o);
void run_metrics_finish(run_metrics *m);
/* tokens_all - tokens: what the policy saved (the one place it is computed). */
size_t run_metrics_tokens_saved(const run_metrics *m);

/* ---- the run accumulator: one rule for report, plot, the debugger ---- */

/* Analyses one trace of a run as every command counts it: the image it
 * refers to in g (nullable), no image size but the ground truth's (the
 * numbers never depend on an image file being there).  *img receives the
 * ground-truth image (NULL without g or when not found).
 *   TS_OK           the sample counts in the run's numbers (*out set)
 *   TS_ERR_NOTFOUND g is loaded and the image is not in it: the sample does
 *                   not count; *out is still the sample analysed without
 *                   ground truth (for display) or NULL; err says
 *                   "image_id N is not in GT_NAME" / "image 'NAME' not in ..."
 *   other           the analysis failed (*out NULL, err says why) */
ts_status run_sample_analyze(const trace *t, const gt *g, const char *gt_name,
                             const analysis_opts *o, const gt_image **img, sample **out,
                             ts_error *err);

/* Adds a counted sample to m[0..n_pol): its outcome under pols[p] (the one
 * owner: sample_outcome_for) into m[p], finished so the rates are current.
 * oc (nullable) receives the n_pol outcomes. */
void run_metrics_add_sample(run_metrics *m, const policy *pols, size_t n_pol, const sample *s,
                            sample_outcome *oc);

/* Max-repeat histogram bins (plot maxrepeat, the debugger's M):
 * 0, 1, 2, 3-4, 5-8, 9-16, 17-32, 33-64, 65+. */
#define RUN_MAXREPEAT_BINS 9
extern const char *const run_maxrepeat_bin_labels[RUN_MAXREPEAT_BINS];
int run_maxrepeat_bin(size_t max_repeat);

/* The image file of a sample, the one rule for every command (the debugger,
 * its `x` export, `tailscope png`): the name is the ground truth's
 * file_name, else the trace's file_name/image (pass it as name).  A
 * relative name without ".." components is looked up as images_dir/name;
 * when that is not a regular file (or the name is absolute or climbs out
 * with ".."), images_dir/<base name> is used, so names from the data never
 * leave the images directory and COCO-style prefixes ("train2017/a.png"
 * with the file at images/a.png) still resolve.  When neither exists the
 * images_dir/name form is returned (images_dir/<base name> for an unsafe
 * name), so the loader's message names the path that was tried.
 * Returns a malloc'd path, or NULL when images_dir or name is NULL/empty,
 * the base name is empty, "." or "..", or out of memory. */
char *run_image_path(const char *images_dir, const char *name);

/* The last component of a path (trailing slashes left out): a pointer into
 * path and its length. */
const char *run_path_base(const char *path, size_t *len);

/* Finds the ground-truth image a trace refers to: image_id, else
 * file_name/image, else custom_id.  NULL when none matches. */
const gt_image *run_find_image(const gt *g, const trace *t);

#endif
