/* cmd_plot.h — `tailscope plot`, and the run analysis it shares with
 * `tailscope report` (tui/report.c). */
#ifndef TS_CMD_PLOT_H
#define TS_CMD_PLOT_H

#include "export.h"

/* tailscope plot KIND [OPTIONS] RUN... (tui/cmd_plot.c); returns the exit
 * code: 0 ok, 1 some input skipped, 2 nothing usable or bad usage. */
int cmd_plot(int argc, char **argv);

/* tui/report.c: analyses runs[0..n) with `jobs` worker threads (one run per
 * worker), skipped-line messages (unless quiet) and, on a terminal,
 * progress on stderr.  res[i] is NULL only when out of memory. */
ts_status report_analyze_runs(const char *const *runs, size_t n, const export_opts *o,
                              long jobs, int quiet, export_run **res);

/* tui/report.c: loads o->gt_path once for every run (sets o->shared_gt, or
 * o->shared_gt_failed with a message on stderr).  The caller frees it. */
gt *report_load_shared_gt(export_opts *o, int quiet);

#endif
