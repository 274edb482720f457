/* test_strbuf.c — the growable text buffer (analysis/strbuf.h) and the CSV
 * cells written into it (export_csv_put/_put_text, the one cell writer of
 * report's CSV and the debugger's marks), plus js_hexval (the one reader
 * of \uXXXX digits).  Expected bytes are worked out by hand from RFC 4180
 * (a field with " , CR or LF, or a leading/trailing space, is quoted and
 * its quotes doubled) and OWASP's CSV-injection rule (a text cell starting
 * with = + - @ TAB or CR gets a leading '). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "jstream.h"
#include "strbuf.h"

static void test_grows_and_terminates(void **state)
{
	(void)state;
	strbuf b = STRBUF_INIT;
	for (int i = 0; i < 1000; i++)
		strbuf_put(&b, "abc", 3);
	assert_int_equal(b.len, 3000);
	assert_int_equal(strlen(b.p), 3000);
	assert_memory_equal(b.p + 2997, "abc", 4);
	strbuf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	strbuf_puts(&b, "x,y");
	size_t len = 99;
	char *t = strbuf_take(&b, &len);
	assert_string_equal(t, "x,y");
	assert_int_equal(len, 3);
	assert_null(b.p);
	free(t);
}

static void test_empty_and_failed(void **state)
{
	(void)state;
	strbuf b = STRBUF_INIT;
	size_t len = 99;
	char *t = strbuf_take(&b, &len); /* nothing appended: "" */
	assert_non_null(t);
	assert_string_equal(t, "");
	assert_int_equal(len, 0);
	free(t);
	strbuf_puts(&b, "kept");
	strbuf_fail(&b);
	strbuf_puts(&b, "more"); /* ignored: the failure sticks */
	assert_int_equal(b.len, 4);
	assert_null(strbuf_take(&b, &len));
	assert_int_equal(len, 0);
	strbuf_free(&b);
}

static void cell(const char *in, int text, const char *want)
{
	strbuf b = STRBUF_INIT;
	if (text)
		export_csv_put_text(&b, in);
	else
		export_csv_put(&b, in);
	assert_false(b.failed);
	assert_string_equal(b.p, want);
	strbuf_free(&b);
}

static void test_csv_cells(void **state)
{
	(void)state;
	cell("plain", 0, "plain");
	cell("a,b", 0, "\"a,b\"");
	cell("say \"hi\"", 0, "\"say \"\"hi\"\"\"");
	cell(" pad", 0, "\" pad\"");
	cell("", 0, "");
	cell("=cmd", 0, "=cmd");
	cell("=cmd", 1, "'=cmd");
	cell("-1,2", 1, "\"'-1,2\"");
	cell("@x", 1, "'@x");
	cell("a=b", 1, "a=b");
	cell("", 1, "");
	/* longer than the writer's 256-byte stack buffer */
	char big[600], want[604];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	big[10] = ',';
	snprintf(want, sizeof want, "\"%s\"", big);
	cell(big, 1, want);
	assert_true(export_csv_guarded("+1"));
	assert_true(export_csv_guarded("\tx"));
	assert_false(export_csv_guarded("'=x"));
	assert_false(export_csv_guarded(""));
}

static void test_hexval(void **state)
{
	(void)state;
	const char *digits = "0123456789abcdef";
	for (int i = 0; i < 16; i++) {
		assert_int_equal(js_hexval(digits[i]), i);
		if (i >= 10)
			assert_int_equal(js_hexval(digits[i] - 'a' + 'A'), i);
	}
	assert_int_equal(js_hexval('g'), -1);
	assert_int_equal(js_hexval('G'), -1);
	assert_int_equal(js_hexval('/'), -1);
	assert_int_equal(js_hexval(':'), -1);
	assert_int_equal(js_hexval(0xC3), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_and_terminates),
		cmocka_unit_test(test_empty_and_failed),
		cmocka_unit_test(test_csv_cells),
		cmocka_unit_test(test_hexval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
