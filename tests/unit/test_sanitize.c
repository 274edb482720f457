/* Hostile strings and their expected visible renderings (worked out by hand
 * from the rules in sanitize.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sanitize.h"

static void expect(const char *in, size_t len, size_t max_cols, const char *want)
{
	char out[256];
	size_t n = sanitize(in, len, out, sizeof out, max_cols);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}
#define EXPECT(lit, want) expect(lit, sizeof(lit) - 1, 0, want)

static void test_plain_text_unchanged(void **state)
{
	(void)state;
	EXPECT("insulator", "insulator");
	EXPECT("", "");
	EXPECT("trempé 绝缘子", "trempé 绝缘子");
}

static void test_c0_controls(void **state)
{
	(void)state;
	EXPECT("a\tb\nc\rd", "a\\tb\\nc\\rd");
	EXPECT("\x1b[2J", "\\x1b[2J");                 /* CSI clear screen */
	EXPECT("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"); /* OSC title + BEL */
	EXPECT("x\x7fy", "x\\x7fy");                   /* DEL */
	expect("a\0b", 3, 0, "a\\x00b");               /* NUL inside */
	EXPECT("back\\slash", "back\\\\slash");        /* backslash doubled */
}

static void test_osc52_and_osc8(void **state)
{
	(void)state;
	EXPECT("\x1b]52;c;ZWNobyBoaQ==\x07", "\\x1b]52;c;ZWNobyBoaQ==\\x07");
	EXPECT("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
	       "\\x1b]8;;http://x\\x1b\\\\link\\x1b]8;;\\x1b\\\\");
}

static void test_c1_controls(void **state)
{
	(void)state;
	/* U+009B (8-bit CSI) encoded as UTF-8 C2 9B */
	EXPECT("\xc2\x9b" "31m", "\\u{009B}31m");
	/* a raw 0x9B byte is not UTF-8 */
	EXPECT("\x9b" "31m", "\\x9b31m");
	EXPECT("\xc2\x85", "\\u{0085}"); /* NEL */
}

static void test_bidi_and_zero_width(void **state)
{
	(void)state;
	EXPECT("abc\xe2\x80\xae" "def", "abc\\u{202E}def");   /* RLO */
	EXPECT("\xe2\x81\xa6x\xe2\x81\xa9", "\\u{2066}x\\u{2069}"); /* LRI..PDI */
	EXPECT("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\u{200E}\\u{200F}\\u{061C}");
	EXPECT("a\xe2\x80\x8b" "b", "a\\u{200B}b");            /* ZWSP */
	EXPECT("\xef\xbb\xbfx", "\\u{FEFF}x");                 /* BOM */
	EXPECT("\xe2\x81\xa0", "\\u{2060}");                   /* word joiner */
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	EXPECT("\xc0\xaf", "\\xc0\\xaf");             /* overlong "/" */
	EXPECT("\xe0\x80\xaf", "\\xe0\\x80\\xaf");     /* overlong 3-byte */
	EXPECT("\xed\xa0\x80", "\\xed\\xa0\\x80");     /* surrogate U+D800 */
	EXPECT("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	EXPECT("ab\xc3", "ab\\xc3");                  /* truncated sequence at end */
	EXPECT("\xff\xfe", "\\xff\\xfe");
}

static void test_width_cap(void **state)
{
	(void)state;
	/* 10 ASCII columns into 6: five characters and the ellipsis */
	expect("abcdefghij", 10, 6, "abcde\xe2\x80\xa6");
	/* exactly fitting: no ellipsis */
	expect("abcdef", 6, 6, "abcdef");
	/* wide CJK (2 columns each): cap 5 -> two chars (4 cols) + … (1 col) */
	expect("绝缘子绝缘子", strlen("绝缘子绝缘子"), 5, "绝缘\xe2\x80\xa6");
	/* an escape is never split: "\x1b" is 4 columns; cap 4 -> "ab" can't be
	 * followed by the escape, so "ab…" */
	expect("ab\x1b", 3, 4, "ab\xe2\x80\xa6");
}

static void test_buffer_cap_never_splits(void **state)
{
	(void)state;
	char out[8];
	/* "é" is 2 bytes; 8-byte buffer holds 7 bytes + NUL; with the 3-byte
	 * ellipsis reserved, at most 4 bytes of text: "éé" then "…". */
	sanitize("ééééé", strlen("ééééé"), out, sizeof out, 0);
	assert_string_equal(out, "éé\xe2\x80\xa6");
	char tiny[1];
	assert_int_equal(sanitize("abc", 3, tiny, 1, 0), 0);
	assert_string_equal(tiny, "");
}

static void test_width_function(void **state)
{
	(void)state;
	assert_int_equal(sanitize_width("abc", 3), 3);
	assert_int_equal(sanitize_width("绝缘", strlen("绝缘")), 4);
	assert_int_equal(sanitize_width("e\xcc\x81", 3), 1); /* e + combining acute */
	assert_int_equal(sanitize_cp_width(0x4E00), 2);
	assert_int_equal(sanitize_cp_width(0x0301), 0);
	assert_int_equal(sanitize_cp_width('a'), 1);
}

static void test_dup_worst_case(void **state)
{
	(void)state;
	char in[64];
	memset(in, 0x01, sizeof in);
	char *s = sanitize_dup(in, sizeof in, 0);
	assert_non_null(s);
	assert_int_equal(strlen(s), 64 * 4);
	assert_memory_equal(s, "\\x01\\x01", 8);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_c0_controls),
		cmocka_unit_test(test_osc52_and_osc8),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_bidi_and_zero_width),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_width_cap),
		cmocka_unit_test(test_buffer_cap_never_splits),
		cmocka_unit_test(test_width_function),
		cmocka_unit_test(test_dup_worst_case),
	};
	return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
