/* test_vllm_n.c — a vLLM offline RequestOutput with n > 1 (issue 23): each
 * completion is a sample of the same image, in outputs[] order, through the
 * reader, the deferred reader (report --jobs) and the debugger's index.
 * Expected values: tests/data/ingest/make_vllm_n.py's docstring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trace.h"

#define VN "tests/data/ingest/vllm_n2.jsonl"

/* what each sample must be: line, image id, request id, finish, text starts */
static const struct {
	size_t line;
	int64_t image;
	const char *rid;
	trace_finish fin;
	const char *text;
} want[] = {
	{ 1, 7, "r7", TRACE_FINISH_STOP, "[{\"bbox_2d\": [10, 20, 30, 40], \"label\": \"cat\"},{" },
	{ 1, 7, "r7", TRACE_FINISH_LENGTH, "[{\"bbox_2d\": [50, 60, 70, 80], \"label\": \"dog\"},{" },
	{ 2, 8, "r8", TRACE_FINISH_STOP, "[{\"bbox_2d\": [10, 20, 30, 40], \"label\": \"cat\"}]" },
};

static void check(const trace *t, size_t i)
{
	int64_t id = -1;
	assert_non_null(t);
	assert_int_equal(trace_get_container(t), TRACE_FMT_VLLM_OFFLINE);
	assert_true(trace_image_id(t, &id));
	assert_int_equal(id, want[i].image);
	assert_string_equal(trace_custom_id(t), want[i].rid);
	assert_int_equal(trace_get_finish(t), want[i].fin);
	assert_memory_equal(trace_text(t), want[i].text, strlen(want[i].text));
}

static void test_reader(void **state)
{
	(void)state;
	for (int defer = 0; defer < 2; defer++) {
		trace_file *f;
		ts_error e;
		assert_int_equal(trace_file_open(VN, NULL, &f, &e), TS_OK);
		trace_file_defer(f, defer);
		size_t n = 0, line = 0;
		trace *t = NULL;
		trace_raw raw;
		while (trace_file_next_raw(f, &t, &raw, &line, &e) == TS_OK) {
			assert_true(n < 3);
			if (raw.line)
				assert_int_equal(trace_raw_parse(&raw, line, &t, &e), TS_OK);
			assert_int_equal(line, want[n].line);
			check(t, n);
			trace_free(t);
			t = NULL;
			n++;
		}
		assert_int_equal(n, 3);
		trace_file_close(f);
	}
}

static void test_index(void **state)
{
	(void)state;
	trace_index *ix;
	ts_error e;
	assert_int_equal(trace_index_build(VN, NULL, NULL, NULL, &ix, &e), TS_OK);
	assert_int_equal(trace_index_count(ix), 3);
	for (size_t i = 3; i-- > 0;) { /* backwards: each load finds its own completion */
		trace *t = NULL;
		assert_int_equal(trace_index_load(ix, i, &t, &e), TS_OK);
		assert_int_equal(trace_index_lineno(ix, i), want[i].line);
		check(t, i);
		trace_free(t);
	}
	trace_index_free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
