/* partial.h — report's state per shard, and the merge of shards (issue 23).
 *
 * `tailscope report --json --partial --shard K/N RUN...` analyses block K of
 * N of each run's trace shards (trace.h: shard_k/shard_n) and writes, instead
 * of the report, the state the report is computed from:
 *   {"tailscope_partial": 1, "shard": [K, N], "options": [the report's
 *    options, as given], "runs": [{"name", "name_raw", "path", "traces",
 *    "opened", "simulated", "gt_loaded", "has_conf", "has_ap", "skipped",
 *    "skipped_run" (of skipped, the run-level ones: counted once by merge),
 *    "records_scored", "unlabeled", "query_unknown",
 *    "check": [coords_check counters], "metrics": [per policy: counters,
 *    [tp, fp, fn, tp_lost] per IoU, [tide_ok, TIDE counts]], "term":
 *    {"samples", "tails": [[max_before_tail, at_tail_start] per sample with
 *    a tail, null for undefined]}, "calib": [per policy: the (score, is_tp)
 *    pairs calib_add took, in order, flat],
 *    "ap": [per policy: {"dets": [[score (null: -inf), image_id, category,
 *    tp]...] in the order added, "npig": [boxes per category]}]}]}
 * `tailscope merge PARTIAL...` takes the N partials of one invocation (any
 * order: they are put in shard order), checks that they are shards 1..N of
 * the same options and runs, and rebuilds each run: counters added, the
 * tail values and AP detections replayed in shard order — the order one
 * report over every shard reads them — so every number, AP and the PR curve
 * included, is bit for bit what report computes: merge prints the same
 * --json.
 */
#ifndef TS_PARTIAL_H
#define TS_PARTIAL_H

#include <stddef.h>

#include "export.h"
#include "status.h"

struct cJSON;

/* The partial state of runs[0..n) (analysed with o, o->keep_state set) as
 * above; options[0..n_opt) are recorded as given.  NULL on OOM. */
struct cJSON *partial_json(const export_opts *o, export_run *const *runs, size_t n,
                           size_t shard_k, size_t shard_n, const char *const *options,
                           size_t n_opt);

/* Shard k, shard count n and the options of a parsed partial; TS_ERR_FORMAT
 * (err says why) when it is not one. */
ts_status partial_header(const struct cJSON *p, size_t *k, size_t *n,
                         const struct cJSON **options, ts_error *err);

/* Merges parts[0..n_parts) (already checked to be shards 1..N, given in
 * shard order) analysed with o: *out receives one export_run per run,
 * finished like export_run_analyze's (*n_out of them; export_run_free
 * each, free the array).  TS_ERR_FORMAT when the partials disagree (runs,
 * policies, IoU thresholds) or a field is malformed. */
ts_status partial_merge(const export_opts *o, const struct cJSON *const *parts, size_t n_parts,
                        export_run ***out, size_t *n_out, ts_error *err);

#endif
