/* test_jstream.c — the pull reader (analysis/jstream.c) against cJSON, the
 * parser whose grammar it promises (jstream.h): the same texts accepted and
 * the same numbers, bit for bit (cJSON's valuedouble is strtod's value).
 * The oracle is cJSON itself, never jstream's own output:
 *   - number texts at the edges of the grammar ("1.", "-.5", "1e", "+1",
 *     64-digit runs, 1e400, halfway cases), inside arrays and objects, read
 *     from memory and from a file with the number placed across every
 *     offset of the 64 KiB window boundary (the fast and the slow path);
 *   - strings (escapes, surrogate pairs, raw newlines) decoded whole and
 *     cut to small buffers, against cJSON's valuestring;
 *   - random short texts over the JSON punctuation and number bytes.
 * One documented difference (jstream.h): a number of 64 bytes or more is
 * refused (Debian's cJSON 1.7.15 takes any length). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jstream.h"

/* cJSON's verdict on a whole text: a value, then only isspace() bytes */
static int cjson_accepts(const char *t, size_t n)
{
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithLengthOpts(t, n, &end, 0);
	if (!v)
		return 0;
	cJSON_Delete(v);
	for (const char *p = end; p < t + n; p++)
		if (!strchr(" \t\n\v\f\r", *p) || !*p)
			return 0;
	return 1;
}

static int js_accepts(jstream *s)
{
	int ok = js_skip(s, 0) && js_at_end(s);
	js_free(s);
	return ok;
}

static int js_accepts_buffer(const char *t, size_t n)
{
	jstream s;
	js_init_buffer(&s, t, n);
	return js_accepts(&s);
}

/* the text from a file, after pad blanks (so a byte lands on the window's edge) */
static int js_accepts_file(const char *t, size_t n, size_t pad)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	for (size_t i = 0; i < pad; i++)
		fputc(' ', f);
	assert_int_equal(fwrite(t, 1, n, f), n);
	fflush(f);
	rewind(f);
	jstream s;
	assert_int_equal(js_init_fd(&s, fileno(f), 0), 0);
	int ok = js_accepts(&s);
	fclose(f);
	return ok;
}

static const char *const numbers[] = {
	"0", "-0", "7", "1.5", "-1.5", "1.", "-.5", "1e5", "1E-3", "1e+2", "123.456e-7", "0.1",
	"2.2250738585072014e-308", "9007199254740993", "1e400", "-1e400", "00012", "1e23",
	"8.98846567431158e307", "0.30000000000000004", "123456789012345678901234567890",
	/* whole numbers at the 15-digit edge of the integer fast path */
	"999999999999999", "-999999999999999", "1000000000000000", "9007199254740992", "-00", "0-",
	"1e", "1e+", "1e-", "-", "--1", "-+1", "1.2.3", "1e5.5", "1ee5", "0x10", "1-2", "1+", ".", "-.",
	"1111111111111111111111111111111111111111111111111111111111111", /* 61 digits */
	"11111111111111111111111111111111111111111111111111111111111111", /* 62 */
	"111111111111111111111111111111111111111111111111111111111111111", /* 63 */
	"1111111111111111111111111111111111111111111111111111111111111111", /* 64 */
	"11111111111111111111111111111111111111111111111111111111111111111111111", /* 71 */
};

static void test_numbers_as_cjson(void **state)
{
	(void)state;
	/* after an array's first number the rest go through one loop (polygons):
	 * a number later in a run, with white space around the commas */
	static const char *const wraps[] = { "%s", "[%s]", "[%s, 1]", "[1,%s ]", "{\"a\": %s}", "{\"a\":%s,\"b\":2}",
		                             "[[%s],[%s]]", "[1, 2,%s, 3]", "[0,\t%s\r, 1e5]", "[-1 ,%s]",
		                             "[0,\n%s,%s]", "[[0,%s,%s],[1.5,%s]]", "[1,  %s, %s]",
		                             "[2, \n%s]", "[3, %s ,%s]" };
	char t[512];
	for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++)
		for (size_t w = 0; w < sizeof wraps / sizeof *wraps; w++) {
			int n = snprintf(t, sizeof t, wraps[w], numbers[i], numbers[i], numbers[i]);
			int want = strlen(numbers[i]) < 64 && cjson_accepts(t, (size_t)n);
			if (js_accepts_buffer(t, (size_t)n) != want)
				fail_msg("buffer %s: jstream %s, cJSON %s", t, want ? "refuses" : "accepts",
				         want ? "accepts" : "refuses");
		}
}

/* every number across the window's edge: the last byte in the first window
 * moves from before the '[' to after the ']' */
static void test_window_edge(void **state)
{
	(void)state;
	char t[256];
	for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++) {
		int n = snprintf(t, sizeof t, "[%s,%s, 0,%s]", numbers[i], numbers[i], numbers[i]);
		int want = strlen(numbers[i]) < 64 && cjson_accepts(t, (size_t)n);
		for (int k = 0; k <= n; k++)
			if (js_accepts_file(t, (size_t)n, 65536 - (size_t)k) != want)
				fail_msg("file %s, window edge after byte %d: cJSON %s", t, k, want ? "accepts" : "refuses");
	}
}

/* the values kept: what cJSON's strtod gives, bit for bit */
static void test_values_bit_for_bit(void **state)
{
	(void)state;
	char t[256];
	for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++) {
		int n = snprintf(t, sizeof t, "[%s ]", numbers[i]);
		cJSON *c = strlen(numbers[i]) < 64 ? cJSON_ParseWithLength(t, (size_t)n) : NULL;
		if (!c)
			continue;
		double want = cJSON_GetArrayItem(c, 0)->valuedouble, got = 0;
		cJSON_Delete(c);
		for (int path = 0; path < 2; path++) { /* window: whole (fast), then a number at the end (slow) */
			jstream s;
			js_init_buffer(&s, t + 1, path ? strlen(numbers[i]) : (size_t)n - 1);
			if (js_number(&s, &got) != 1)
				fail_msg("%s (path %d): jstream refuses, cJSON accepts", numbers[i], path);
			js_free(&s);
			if (memcmp(&got, &want, sizeof got))
				fail_msg("%s: jstream %.17g, cJSON %.17g", numbers[i], got, want);
		}
	}
}

/* strings decoded as cJSON decodes them, whole or cut to the buffer */
static void test_strings_as_cjson(void **state)
{
	(void)state;
	static const char *const strs[] = {
		"\"\"", "\"a\"", "\"plain text\"", "\"tab\\tand\\nnewline\"", "\"quote \\\" and \\\\ \"",
		"\"\\u00e9t\\u00e9 \\ud83d\\ude00 \\/\"", "\"0123456789abcdefghijklmnopqrstuvwxyz\"",
		"\"raw\nline\"", "\"\\b\\f\\r\"", "\"abcdef\"", "\"abcdefg\"", "\"ab\\\"cd\"", /* 6, 7 bytes: a key whole in 8 or not */
		"\"abcdefghijklm\"", "\"abcdefghijklmn\"", "\"abcdefghijklmno\"", "\"abcdefghijklmnop\"", /* 13-16 */
		"\"category_id\"", "\"abcdefgh\\\\\"", "\"abcdefg\nhij\"", "\"a\\u00e9bcdefghij\"",
	};
	for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) {
		cJSON *c = cJSON_Parse(strs[i]);
		assert_non_null(c);
		const char *want = c->valuestring;
		size_t wl = strlen(want);
		static const size_t caps[] = { 1, 2, 8, 15, 16, 17, 256 };
		char padded[320]; /* the string with 24 bytes after it: the word-at-a-time path */
		snprintf(padded, sizeof padded, "%s%24s", strs[i], "");
		for (size_t k = 0; k < 2 * sizeof caps / sizeof *caps; k++) {
			char out[256];
			size_t len = 0, cap = caps[k / 2];
			const char *in = k % 2 ? padded : strs[i];
			jstream s;
			js_init_buffer(&s, in, strlen(in));
			assert_int_equal(js_string(&s, out, cap, &len), 1);
			size_t nl = 0; /* raw newlines in the string: counted as lines */
			for (const char *ch = strs[i]; *ch; ch++)
				nl += *ch == '\n';
			if (s.line != 1 + nl)
				fail_msg("%s into %zu bytes: line %llu after it, want %zu", in, cap,
				         (unsigned long long)s.line, 1 + nl);
			js_free(&s);
			size_t keep = wl < cap - 1 ? wl : cap - 1;
			if (len != wl || strlen(out) != keep || memcmp(out, want, keep))
				fail_msg("%s into %zu bytes: \"%s\" (%zu), cJSON \"%s\"", in, cap, out, len, want);
		}
		cJSON_Delete(c);
	}
}

/* a string cut at the input's end, 16 or more bytes after its quote
 * (the word-at-a-time path reads 16 bytes, never the 17th): refused, and
 * under ASan no byte past the end is read */
static void test_string_cut(void **state)
{
	(void)state;
	for (size_t n = 14; n <= 18; n++) {
		char *t = malloc(n + 1); /* exactly the input: ASan sees a read past it */
		assert_non_null(t);
		t[0] = '"';
		memset(t + 1, 'k', n);
		char out[32];
		size_t len;
		for (size_t cap = 15; cap <= 32; cap++) {
			jstream s;
			js_init_buffer(&s, t, n + 1);
			assert_int_equal(js_string(&s, out, cap, &len), 0);
			js_free(&s);
		}
		free(t);
	}
}

static void test_random_texts(void **state)
{
	(void)state;
	static const char alpha[] = "0123456789-+.eE ,:[]{}\"a\n";
	uint32_t x = 2463534242u;
	char t[16];
	for (int r = 0; r < 200000; r++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		size_t n = 1 + x % 12;
		for (size_t k = 0; k < n; k++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			t[k] = alpha[x % (sizeof alpha - 1)];
		}
		int want = cjson_accepts(t, n);
		if (js_accepts_buffer(t, n) != want)
			fail_msg("%.*s: cJSON %s", (int)n, t, want ? "accepts" : "refuses");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_as_cjson),
		cmocka_unit_test(test_window_edge),
		cmocka_unit_test(test_values_bit_for_bit),
		cmocka_unit_test(test_strings_as_cjson),
		cmocka_unit_test(test_string_cut),
		cmocka_unit_test(test_random_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
