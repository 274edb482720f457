/* shards.h — the trace files a run is made of (issue 23).
 *
 * A run's traces may be one file or many shards read as one run:
 *   - a regular file: itself;
 *   - a directory: its regular files named like trace shards — *.jsonl,
 *     *.ndjson, *.sse, part-*.json, traces*.json, Ray Data's write_json()
 *     files <uuid>_<block>_<task>.json, each optionally followed by
 *     .gz, .zst or .zstd (the content decides how it is read: zfile.h) —
 *     excluding run.json and gt.json;
 *   - a pattern with *, ? or [ (run.json "traces": "traces-*-of-00064.jsonl.gz"),
 *     expanded with glob(3); only regular files are kept.
 * The order is stable whatever the directory order or locale: names
 * compared byte by byte, except that runs of digits compare by value
 * ("part-2" before "part-10"; "traces-00002-of-00064" before "-00010-").
 * Dot files are never shards.
 */
#ifndef TS_SHARDS_H
#define TS_SHARDS_H

#include <stddef.h>

#include "status.h"

typedef struct shard_list {
	char **paths;
	size_t n;
} shard_list;

/* Expands path as above.  A path that is neither an existing file, a
 * directory nor a pattern is returned as is (opening it names the error).
 * No shard in a directory or for a pattern: TS_ERR_NOTFOUND. */
ts_status shards_expand(const char *path, shard_list *out, ts_error *err);
/* 1 when path would expand to something other than itself (a directory or
 * a pattern that is not an existing file). */
int       shards_is_set(const char *path);
/* Is this file name (no directory) a trace shard's name? */
int       shards_name_matches(const char *name);
/* The natural order above: <0, 0, >0. */
int       shards_name_cmp(const char *a, const char *b);
void      shard_list_free(shard_list *l);
/* The name shard goes by where a sample's location is shown (report's
 * "file" next to "line", the debugger's SHARD:LINE): for a directory set,
 * the file's name; for a pattern, its path after the pattern's fixed
 * leading directories ("out/r-*" + "/t.jsonl" gives "r-3/t.jsonl"), so two
 * shards never share a name.  Points into shard.  Only for runs whose
 * traces are a set (shards_is_set): a single file's samples show the line
 * alone. */
const char *shards_label(const char *set, const char *shard);
/* Keeps block k (1-based) of n: shards [(k-1)*S/n, k*S/n) of S, in order
 * (report --shard K/N; the blocks of 1..n cover every shard once, in
 * order).  k out of 1..n keeps none. */
void      shards_keep_block(shard_list *l, size_t k, size_t n);

#endif
