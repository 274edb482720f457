/* marks.h — the samples marked in a list, written out and read back
 * (pure C, no curses).
 *
 * Written (W in the debugger): CSV with the header "run,line,image_id" —
 * the column names of `report --per-sample --csv` — one row per marked
 * sample in file order, and JSON {"run": NAME, "samples": [{"line": N,
 * "image_id": ID or null}, ...]}.  A sharded run (traces read from several
 * files) names each sample's shard as report does: CSV
 * "run,file,line,image_id", JSON "file" before "line" — the shard's name
 * from session_where (shards_label) and the line in that shard.  Text
 * cells are written by export_csv_put_text, report's CSV cell rule.
 *
 * Read back (`tailscope RUN --samples FILE`): a CSV whose header has a
 * "line" column (the marks file, or report --per-sample --csv output
 * filtered by any tool); when it has a "run" column and some rows name this
 * run, only those rows count.  For a sharded run the header must also have
 * a "file" column (a line number alone is in every shard): rows match on
 * (file, line).  Lines are 1-based line numbers, as the report prints them. */
#ifndef TS_MARKS_H
#define TS_MARKS_H

#include <stddef.h>

#include "session.h"

/* malloc'd text (NULL when out of memory); *len its length: the marked
 * samples of r's list. */
char *marks_csv(const session_run *r, size_t *len);
char *marks_json(const session_run *r, size_t *len);

/* Marks the samples text names (CSV as above) in r's list (r->list ready
 * for r->n samples).  Returns how many it marked, or -1 with msg set (no
 * "line" column, no "file" column for a sharded run, a bad line number:
 * "FILE:LINE: what" with file the caller's name for it).  Rows naming
 * samples not in the run are counted in *unknown. */
long marks_load(session_run *r, const char *text, size_t len, const char *file, size_t *unknown,
                char *msg, size_t msgsz);

/* marks_load on a file opened with fsafe (a regular file, at most 64 MiB). */
long marks_load_file(session_run *r, const char *path, size_t *unknown, char *msg, size_t msgsz);

#endif
