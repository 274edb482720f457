/* test_shards.c — a run's trace shards (analysis/shards.h, issue 23): which
 * names are shards, the stable order (digit runs by value), a glob, and the
 * reader going through every shard with errors named by shard and line.
 * Expected orders are written out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shards.h"
#include "trace.h"

static void test_names(void **state)
{
	(void)state;
	const char *yes[] = { "traces.jsonl", "traces-00001-of-00064.jsonl.gz", "part-00003.json",
	                      "part-1.json.zst", "out.ndjson", "rec.sse.zstd", "traces_0.json",
	                      "5f2b9c0e1d7a4e3b_000001_000000.json" };
	const char *no[] = { "run.json", "gt.json", "README.md", "images", ".hidden.jsonl",
	                     "stats.json", "traces.jsonl.bz2", "part-1.csv", "_000_000.json",
	                     "x_1.json", "x__1.json" };
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		assert_true(shards_name_matches(yes[i]));
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		assert_false(shards_name_matches(no[i]));
}

static void test_order(void **state)
{
	(void)state;
	assert_true(shards_name_cmp("part-2.json", "part-10.json") < 0);
	assert_true(shards_name_cmp("traces-00002-of-00064", "traces-00010-of-00064") < 0);
	assert_true(shards_name_cmp("a", "b") < 0);
	assert_true(shards_name_cmp("part-9", "part-09") < 0); /* same value: fewer zeros first */
	assert_int_equal(shards_name_cmp("x1y", "x1y"), 0);
	assert_true(shards_name_cmp("x1", "x1a") < 0);
}

static char dir[64];

static void put(const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#define LINE(id) "{\"image_id\": " #id ", \"finish_reason\": \"stop\", \"text\": \"[]\"}\n"

static void test_reader_over_shards(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/ts_shards_XXXXXX");
	assert_non_null(mkdtemp(dir));
	put("part-10.jsonl", LINE(5));
	put("part-2.jsonl", LINE(3) "oops\n" LINE(4));
	put("part-1.jsonl", LINE(1) LINE(2));
	put("run.json", "{}");
	put("notes.txt", "x");
	char sub[128];
	snprintf(sub, sizeof sub, "%s/sub.jsonl", dir); /* a directory with a shard's name */
	assert_int_equal(mkdir(sub, 0700), 0);

	shard_list l;
	ts_error e;
	assert_int_equal(shards_expand(dir, &l, &e), TS_OK);
	assert_int_equal(l.n, 3);
	assert_non_null(strstr(l.paths[0], "/part-1.jsonl"));
	assert_non_null(strstr(l.paths[1], "/part-2.jsonl"));
	assert_non_null(strstr(l.paths[2], "/part-10.jsonl"));
	shard_list_free(&l);

	char pat[128];
	snprintf(pat, sizeof pat, "%s/part-1*.jsonl", dir);
	assert_int_equal(shards_expand(pat, &l, &e), TS_OK);
	assert_int_equal(l.n, 2); /* part-1, part-10 */
	assert_non_null(strstr(l.paths[1], "/part-10.jsonl"));
	shard_list_free(&l);

	trace_file *f;
	assert_int_equal(trace_file_open(dir, NULL, &f, &e), TS_OK);
	int64_t want[] = { 1, 2, 3, -1, 4, 5 };
	for (size_t k = 0; k < 6; k++) {
		trace *t;
		size_t ln;
		ts_status st = trace_file_next(f, &t, &ln, &e);
		if (want[k] < 0) {
			assert_int_not_equal(st, TS_OK);
			char m[128];
			snprintf(m, sizeof m, "%s/part-2.jsonl:2:", dir);
			assert_non_null(strstr(e.msg, m));
			assert_int_equal(ln, 2);
			continue;
		}
		assert_int_equal(st, TS_OK);
		int64_t id;
		assert_true(trace_image_id(t, &id));
		assert_int_equal(id, want[k]);
		trace_free(t);
	}
	trace *t;
	assert_int_equal(trace_file_next(f, &t, NULL, &e), TS_EOF);
	trace_file_close(f);

	/* the index: same entries, each naming its shard */
	trace_index *ix;
	assert_int_equal(trace_index_build(dir, NULL, NULL, NULL, &ix, &e), TS_OK);
	assert_int_equal(trace_index_count(ix), 6);
	assert_int_equal(trace_index_n_shards(ix), 3);
	assert_non_null(strstr(trace_index_path(ix, 5), "/part-10.jsonl"));
	assert_int_equal(trace_index_lineno(ix, 4), 3);
	assert_int_equal(trace_index_load(ix, 4, &t, &e), TS_OK);
	int64_t id;
	assert_true(trace_image_id(t, &id));
	assert_int_equal(id, 4);
	trace_free(t);
	trace_index_free(ix);

	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_reader_over_shards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
