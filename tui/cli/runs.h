/* runs.h — the run analysis `tailscope plot` shares with `tailscope report`
 * (tui/cli/report.c), and cmd_plot (tui/cli/plot.c). */
#ifndef TS_CLI_RUNS_H
#define TS_CLI_RUNS_H

#include "export.h"

/* tailscope plot KIND [OPTIONS] RUN... (tui/cli/plot.c); returns the exit
 * code: 0 ok, 1 some input skipped, 2 nothing usable or bad usage. */
int cmd_plot(int argc, char **argv);

/* tui/cli/report.c: analyses runs[0..n) with `jobs` worker threads (one run per
 * worker), skipped-line messages (unless quiet) and, on a terminal,
 * progress on stderr.  res[i] is NULL only when out of memory. */
ts_status report_analyze_runs(const char *const *runs, size_t n, const export_opts *o,
                              long jobs, int quiet, export_run **res);

/* tui/cli/report.c: loads o->gt_path once for every run (sets o->shared_gt, or
 * o->shared_gt_failed with a message on stderr).  The caller frees it. */
gt *report_load_shared_gt(export_opts *o, int quiet);

/* ---- the policy lab's plots (tui/cli/plot.c), shared by report ---- */

#include "plot.h"

/* Tokens saved (x) against F1 (y) for each policy of run r: one labelled
 * point per policy.  F1 at IoU 0.5 when it is one of the thresholds, else
 * the first (plot_tradeoff_iou gives the index). */
typedef struct plot_tradeoff_data {
	plot_series series[EXPORT_MAX_POLICIES];
	double x[EXPORT_MAX_POLICIES], y[EXPORT_MAX_POLICIES];
	char names[EXPORT_MAX_POLICIES][48];
	char title[300], ylabel[32];
} plot_tradeoff_data;

size_t plot_tradeoff_iou(const export_run *r);
void   plot_tradeoff_build(const export_run *r, const export_opts *ex, plot_tradeoff_data *d,
                           plot_spec *spec);
/* Prints spec as terminal text (cols wide, height rows of plot area;
 * sgr: colours).  0 ok, -1 (said on stderr). */
int    plot_print_text(const plot_spec *spec, int cols, int height, int sgr);

#endif
