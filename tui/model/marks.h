/* marks.h — the samples marked in a list, written out and read back
 * (pure C, no curses).
 *
 * Written (W in the debugger): CSV with the header "run,line,image_id" —
 * the column names of `report --per-sample` — one row per marked sample in
 * file order, and JSON {"run": NAME, "samples": [{"line": N, "image_id": ID
 * or null}, ...]}.  Read back (`tailscope RUN --samples FILE`): a CSV whose
 * header has a "line" column (the marks file, or report --per-sample --csv
 * output filtered by any tool); when it has a "run" column and some rows
 * name this run, only those rows count.  Lines are the traces file's 1-based
 * line numbers, as the report prints them. */
#ifndef TS_MARKS_H
#define TS_MARKS_H

#include <stddef.h>

#include "slist.h"
#include "trace.h"

/* malloc'd text (NULL when out of memory); *len its length. */
char *marks_csv(const slist *l, const slist_item *items, const char *run, const trace_index *ix,
                size_t *len);
char *marks_json(const slist *l, const slist_item *items, const char *run, const trace_index *ix,
                 size_t *len);

/* Marks the samples text names (CSV as above) among the n samples of ix;
 * run: this run's name.  Returns how many it marked, or -1 with msg set
 * (no "line" column, a bad line number: "FILE:LINE: what" with file the
 * caller's name for it).  Rows naming lines not in ix are counted in
 * *unknown. */
long marks_load(slist *l, size_t n, const trace_index *ix, const char *run, const char *text,
                size_t len, const char *file, size_t *unknown, char *msg, size_t msgsz);

/* marks_load on a file opened with fsafe (a regular file, at most 64 MiB). */
long marks_load_file(slist *l, size_t n, const trace_index *ix, const char *run, const char *path,
                     size_t *unknown, char *msg, size_t msgsz);

#endif
