/* test_index_step.c — the index in slices (trace_index_open / step) and the
 * needles tested while the scan has the line (trace_index_watch /
 * mentioned), issue 21.  Expected values are worked out by hand from the
 * data written here, or are what the sequential reader (trace_file_next)
 * gives for the same file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "trace.h"

static char *tmp_file(const char *data, size_t len, int gzip)
{
	char tmpl[] = "/tmp/test_index_step_XXXXXX";
	int fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	if (gzip) {
		gzFile g = gzdopen(fd, "wb");
		assert_non_null(g);
		assert_int_equal(gzwrite(g, data, (unsigned)len), (int)len);
		assert_int_equal(gzclose(g), Z_OK);
	} else {
		assert_int_equal(write(fd, data, len), (ssize_t)len);
		close(fd);
	}
	return strdup(tmpl);
}

/* Lines: 1 JSONL image 1; 2-3 an SSE request "r1" (ends on 3); 4 blank;
 * 5 malformed; 6 JSONL image 2; 7 an SSE request "r2" never finished (an
 * entry at the end of the file). */
static const char mixed[] =
	"{\"image_id\": 1, \"text\": \"a\"}\n"
	"data: {\"id\":\"r1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n"
	"data: {\"id\":\"r1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"y\"},\"finish_reason\":\"stop\"}]}\n"
	"\n"
	"{oops\n"
	"{\"image_id\": 2, \"text\": \"b\"}\n"
	"data: {\"id\":\"r2\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"z\"}}]}\n";

/* Stepping one line at a time gives build's entries: (first line, last
 * line) = (1,1) (2,3) (5,5) (6,6) (7,7), in that order, growing one at a
 * time and never changing once there. */
static void test_steps_equal_build(void **state)
{
	(void)state;
	char *path = tmp_file(mixed, sizeof mixed - 1, 0);
	trace_index *ix;
	ts_error e;
	assert_int_equal(trace_index_open(path, NULL, &ix, &e), TS_OK);
	assert_int_equal(trace_index_count(ix), 0);
	assert_int_equal(trace_index_finished(ix), 0);
	int finished = 0, steps = 0;
	size_t prev = 0;
	while (!finished) {
		assert_int_equal(trace_index_step(ix, 1, &finished, &e), TS_OK);
		assert_true(trace_index_count(ix) >= prev);
		assert_true(trace_index_count(ix) <= prev + 1);
		prev = trace_index_count(ix);
		steps++;
	}
	assert_true(steps >= 7); /* one line a step */
	static const size_t want[5][2] = { { 1, 1 }, { 2, 3 }, { 5, 5 }, { 6, 6 }, { 7, 7 } };
	assert_int_equal(trace_index_count(ix), 5);
	for (size_t i = 0; i < 5; i++) {
		size_t last;
		assert_int_equal(trace_index_lines(ix, i, &last), want[i][0]);
		assert_int_equal(last, want[i][1]);
	}
	uint64_t total;
	assert_int_equal(trace_index_progress(ix, &total), sizeof mixed - 1);
	assert_int_equal(total, sizeof mixed - 1);
	trace *t;
	assert_int_equal(trace_index_load(ix, 1, &t, &e), TS_OK);
	assert_int_equal(trace_text_len(t), 2); /* "x" "y" */
	assert_memory_equal(trace_text(t), "xy", 2);
	trace_free(t);
	assert_int_equal(trace_index_load(ix, 2, &t, &e), TS_ERR_JSON);
	/* a finished index stays finished */
	assert_int_equal(trace_index_step(ix, 1, &finished, &e), TS_OK);
	assert_int_equal(finished, 1);
	trace_index_free(ix);

	/* the first entry exists after the first step of any budget */
	assert_int_equal(trace_index_open(path, NULL, &ix, &e), TS_OK);
	assert_int_equal(trace_index_step(ix, 1, &finished, &e), TS_OK);
	assert_int_equal(trace_index_count(ix), 1);
	assert_int_equal(finished, 0);
	trace_index_free(ix); /* freed in the middle of the scan */
	unlink(path);
	free(path);
}

/* A gzip file of 4,000 lines (~3 MB decompressed: several reads through
 * the decompression cache): each entry loaded as soon as it exists, while
 * the scan goes on writing the cache, is what the sequential reader gives
 * for that sample. */
static void test_compressed_loads_during_scan(void **state)
{
	(void)state;
	size_t n = 4000, cap = n * 1200, len = 0;
	char *data = malloc(cap);
	assert_non_null(data);
	char pad[1001];
	memset(pad, 'p', 1000);
	pad[1000] = 0;
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(data + len, cap - len, "{\"image_id\": %zu, \"text\": \"%zu %s\"}\n",
		                        i + 1, i * 7, pad + (i % 500));
	char *path = tmp_file(data, len, 1);
	free(data);
	trace_file *f;
	trace_index *ix;
	ts_error e;
	assert_int_equal(trace_file_open(path, NULL, &f, &e), TS_OK);
	assert_int_equal(trace_index_open(path, NULL, &ix, &e), TS_OK);
	int finished = 0;
	size_t i = 0;
	while (!finished) {
		assert_int_equal(trace_index_step(ix, 64 << 10, &finished, &e), TS_OK);
		for (; i < trace_index_count(ix); i++) {
			trace *a, *b;
			assert_int_equal(trace_index_load(ix, i, &a, &e), TS_OK);
			assert_int_equal(trace_file_next(f, &b, NULL, &e), TS_OK);
			int64_t ia, ib;
			assert_int_equal(trace_image_id(a, &ia), 1);
			assert_int_equal(trace_image_id(b, &ib), 1);
			assert_int_equal(ia, (int64_t)i + 1);
			assert_int_equal(ib, ia);
			assert_int_equal(trace_text_len(a), trace_text_len(b));
			assert_memory_equal(trace_text(a), trace_text(b), trace_text_len(a));
			trace_free(a);
			trace_free(b);
		}
	}
	assert_int_equal(i, n);
	trace *t;
	assert_int_equal(trace_file_next(f, &t, NULL, &e), TS_EOF);
	trace_file_close(f);
	trace_index_free(ix);
	unlink(path);
	free(path);
}

/* trace_index_mentioned answers what trace_index_mentions does.  Entry 0
 * has 1000 only inside 21000 and -0.1000; entry 1 is image 1000; entry 2
 * names b/pic.png; entry 3 is an SSE request over lines 4-5 naming pic
 * (read again: not one line). */
static const char ment[] =
	"{\"image_id\": 21000, \"text\": \"-0.1000\"}\n"
	"{\"image_id\": 1000, \"text\": \"x\"}\n"
	"{\"file_name\": \"b/pic.png\", \"text\": \"y\"}\n"
	"data: {\"id\":\"pic\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n"
	"data: {\"id\":\"pic\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n";

static void watch_case(const char *path, const char *const *needles, size_t n, const int *want)
{
	trace_index *ix, *ref;
	ts_error e;
	assert_int_equal(trace_index_open(path, NULL, &ix, &e), TS_OK);
	assert_int_equal(trace_index_watch(ix, needles, n, &e), TS_OK);
	int finished = 0;
	while (!finished)
		assert_int_equal(trace_index_step(ix, 1, &finished, &e), TS_OK);
	assert_int_equal(trace_index_build(path, NULL, NULL, NULL, &ref, &e), TS_OK);
	assert_int_equal(trace_index_count(ix), 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(trace_index_mentioned(ix, i), want[i]);
		assert_int_equal(trace_index_mentions(ref, i, needles, n), want[i]);
	}
	assert_int_equal(trace_index_mentioned(ix, 4), -1);
	trace_index_free(ix);
	trace_index_free(ref);
}

static void test_watch(void **state)
{
	(void)state;
	char *path = tmp_file(ment, sizeof ment - 1, 0);
	const char *id[] = { "1000" }, *id2[] = { "1000", "", "1000" };
	const char *pic[] = { "pic.png", "pic" }; /* "pic.png" adds nothing to "pic" */
	const char *none[] = { "nothing" }, *empty[] = { "", "" }, *nl[] = { "pic\n" };
	static const int w_id[] = { 0, 1, 0, 0 }, w_pic[] = { 0, 0, 1, 1 }, w_none[] = { 0, 0, 0, 0 };
	static const int w_all[] = { 1, 1, 1, 1 };
	watch_case(path, id, 1, w_id);
	watch_case(path, id2, 3, w_id);
	watch_case(path, pic, 2, w_pic);
	watch_case(path, none, 1, w_none);
	watch_case(path, empty, 2, w_all); /* nothing to look for: let the parser decide */
	watch_case(path, nl, 1, w_none);   /* lines cannot tell: every entry read again */
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps_equal_build),
		cmocka_unit_test(test_compressed_loads_during_scan),
		cmocka_unit_test(test_watch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
