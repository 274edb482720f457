/* run.h — a run (one checkpoint's traces) and its aggregate metrics.
 *
 * A run is either a JSONL traces file or a run directory:
 *   run.json       {"name", "model", "checkpoint", "coords", "max_new_tokens",
 *                   "prompt"?, "budget"?, "simulated"?}
 *   gt.json        COCO instances (optional)
 *   images/        PNG/JPEG files named as in gt.json (optional)
 *   traces.jsonl   traces
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
	coords_kind coords;/* COORDS_AUTO if absent */
	long max_new_tokens; /* -1 if absent */
	long budget;       /* -1 if absent */
	int simulated;     /* run.json says the traces come from a simulator */
	char *traces_path;
	char *gt_path;     /* NULL if none */
	char *images_dir;  /* NULL if none */
} run_info;

/* path: a directory holding traces.jsonl, or a JSONL file. */
ts_status run_open(const char *path, run_info **out, ts_error *err);
void      run_info_free(run_info *r);

/* The study's aggregate ("M" in report --json). */
typedef struct run_metrics {
	size_t samples, records, duplicates, max_repeat, samples_with_duplicates;
	size_t closed, truncated, malformed, tokens;
	double duplicate_rate, termination_rate; /* filled by run_metrics_finish */
	size_t n_iou;
	double iou[TS_MAX_IOU];
	metrics_counts counts[TS_MAX_IOU];
	metrics_prf prf[TS_MAX_IOU]; /* filled by run_metrics_finish */
} run_metrics;

void run_metrics_init(run_metrics *m, const analysis_opts *o);
void run_metrics_add(run_metrics *m, const sample_outcome *o);
void run_metrics_finish(run_metrics *m);

/* Finds the ground-truth image a trace refers to: image_id, else
 * file_name/image, else custom_id.  NULL when none matches. */
const gt_image *run_find_image(const gt *g, const trace *t);

#endif
