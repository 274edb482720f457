/* commands.h — the subcommands main() dispatches to.  Each returns the exit
 * code: 0 ok, 1 partly failed (some input skipped), 2 nothing usable. */
#ifndef TS_COMMANDS_H
#define TS_COMMANDS_H

int cmd_report(int argc, char **argv); /* tui/cli/report.c */
int cmd_png(int argc, char **argv);    /* tui/cli/png.c */
int cmd_tui(int argc, char **argv);    /* tui/app.c: the interactive debugger */
int cmd_plot(int argc, char **argv);   /* tui/cli/plot.c (declared with its helpers in cli/runs.h) */
int cmd_formats(int argc, char **argv); /* tui/cli/formats.c */
int cmd_merge(int argc, char **argv);   /* tui/cli/merge.c: report --partial states into the report */

#endif
