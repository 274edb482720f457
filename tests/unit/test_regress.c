/* Regression tests for what fuzzing and the hostile-input tests found.
 * Each input is the minimized one; the comment says what went wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gt.h"
#include "render.h"
#include "sanitize.h"
#include "trace.h"

/* fuzz_image: a JPEG whose DHT segment has length 3 (one byte of table
 * data).  stb_image 2.27 reads the 16 code counts past the segment
 * (FF DA 00 02 FF D9, then zeros), sums 947 codes and writes past its
 * 257-entry size table (memory corruption; UBSan: index 257 out of bounds in
 * stbi__build_huffman).  The loader must refuse it before stb sees it. */
static void test_jpeg_short_dht(void **state)
{
	(void)state;
	static const uint8_t jpg[] = {
		0xff, 0xd8,                                     /* SOI */
		0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x05, 0x00, /* SOF0 5x33, 3 components */
		0x21, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
		0xff, 0xc4, 0x00, 0x03, 0x00,                   /* DHT, 1 byte of data */
		0xff, 0xda, 0x00, 0x02,                         /* SOS (empty) */
		0xff, 0xd9,                                     /* EOI */
	};
	render_image *img = (render_image *)0x1;
	ts_error err;
	ts_status st = render_image_load_mem(jpg, sizeof jpg, "dht.jpg", NULL, &img, &err);
	assert_int_equal(st, TS_ERR_IMAGE);
	assert_null(img);
	assert_non_null(strstr(err.msg, "dht.jpg"));
	assert_non_null(strstr(err.msg, "Huffman"));
}

/* The same table with more than 256 codes inside a long enough segment:
 * 16 counts of 17 = 272 codes (> 256). */
static void test_jpeg_dht_too_many_codes(void **state)
{
	(void)state;
	uint8_t jpg[2 + 19 + 4 + 17 + 272 + 4 + 2];
	size_t k = 0;
	static const uint8_t head[] = { 0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x05, 0x00,
		                        0x21, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01 };
	memcpy(jpg, head, sizeof head);
	k = sizeof head;
	size_t seg = 2 + 17 + 272;
	jpg[k++] = 0xff;
	jpg[k++] = 0xc4;
	jpg[k++] = (uint8_t)(seg >> 8);
	jpg[k++] = (uint8_t)seg;
	jpg[k++] = 0x00; /* DC table 0 */
	for (int i = 0; i < 16; i++)
		jpg[k++] = 17;
	memset(jpg + k, 0, 272);
	k += 272;
	jpg[k++] = 0xff;
	jpg[k++] = 0xda;
	jpg[k++] = 0x00;
	jpg[k++] = 0x02;
	jpg[k++] = 0xff;
	jpg[k++] = 0xd9;
	assert_int_equal(k, sizeof jpg);
	render_image *img;
	ts_error err;
	assert_int_equal(render_image_load_mem(jpg, sizeof jpg, "codes.jpg", NULL, &img, &err),
	                 TS_ERR_IMAGE);
	assert_non_null(strstr(err.msg, "Huffman"));
}

/* test_hostile_report.sh: report --per-sample cut an already sanitized
 * reference at 60 bytes with "%.60s", splitting a UTF-8 sequence ("é" + 30
 * CJK characters: 2 + 19*3 = 59 bytes, the 20th character's first byte is
 * byte 60).  The same cut rule, written as the report does it now, must end
 * on a character boundary: 59 bytes here. */
static void test_cut_on_character_boundary(void **state)
{
	(void)state;
	char name[128] = "\xc3\xa9";
	for (int i = 0; i < 30; i++)
		strcat(name, "\xe7\xbb\x9d");
	char *s = sanitize_dup(name, strlen(name), 0);
	assert_non_null(s);
	assert_string_equal(s, name); /* nothing to escape */
	size_t k = strlen(s);
	if (k > 60)
		for (k = 60; k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80; k--)
			;
	assert_int_equal(k, 59);
	uint32_t cp;
	for (size_t i = 0; i < k;) {
		int l = sanitize_utf8_decode((const unsigned char *)s + i, k - i, &cp);
		assert_true(l > 0);
		i += (size_t)l;
	}
	free(s);
}

/* fuzz_trace/test_limits: 1000 nested arrays in a trace line or a COCO file
 * were reported as a syntax error; they are the nesting limit. */
static void test_nesting_is_a_limit(void **state)
{
	(void)state;
	char line[2100];
	size_t k = 0;
	k += (size_t)sprintf(line, "{\"a\":");
	memset(line + k, '[', 1000);
	k += 1000;
	memset(line + k, ']', 1000);
	k += 1000;
	line[k++] = '}';
	trace *t;
	ts_error err;
	assert_int_equal(trace_parse_line(line, k, NULL, &t, &err), TS_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "nested deeper than 1000"));
	/* the same depth inside a string is not nesting: a format error */
	char str[2100];
	k = (size_t)sprintf(str, "{\"a\":\"");
	memset(str + k, '[', 1000);
	k += 1000;
	str[k++] = '"';
	str[k++] = '}';
	assert_int_equal(trace_parse_line(str, k, NULL, &t, &err), TS_ERR_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jpeg_short_dht),
		cmocka_unit_test(test_jpeg_dht_too_many_codes),
		cmocka_unit_test(test_cut_on_character_boundary),
		cmocka_unit_test(test_nesting_is_a_limit),
	};
	return cmocka_run_group_tests_name("regress", tests, NULL, NULL);
}
