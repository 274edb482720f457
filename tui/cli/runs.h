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

#endif
