/* Hostile strings and their expected visible renderings (worked out by hand
 * from the rules in sanitize.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* ---- the hostile-string table: input bytes -> exact rendering ---- */

typedef struct hcase {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want;
} hcase;

#define H(lit, want) { lit, sizeof(lit) - 1, want }

static const hcase hostile[] = {
	/* terminal control sequences seen in advisories (kubectl, git, less, nginx logs) */
	H("\x1b]52;c;SE9TVElMRTUy\x07", "\\x1b]52;c;SE9TVElMRTUy\\x07"),               /* OSC 52 clipboard */
	H("\x1b]52;c;?\x1b\\", "\\x1b]52;c;?\\x1b\\\\"),                               /* OSC 52 read, ST */
	H("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
	  "\\x1b]8;;https://evil.example/\\x1b\\\\click\\x1b]8;;\\x1b\\\\"),           /* OSC 8 link */
	H("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),                                          /* clear, home */
	H("\x1b[4242;4242H\x1b[4242A", "\\x1b[4242;4242H\\x1b[4242A"),                  /* cursor moves */
	H("\x1b[1A\x1b[2K", "\\x1b[1A\\x1b[2K"),                                        /* up, erase line */
	H("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),                                   /* title */
	H("\x1b]2;pwned\x1b\\", "\\x1b]2;pwned\\x1b\\\\"),                               /* title, ST */
	H("\x1b]1337;File=name=cHduZWQ=:SE9TVElMRQ==\x07",
	  "\\x1b]1337;File=name=cHduZWQ=:SE9TVElMRQ==\\x07"),                          /* iTerm2 file */
	H("\x1bP+q544e\x1b\\", "\\x1bP+q544e\\x1b\\\\"),                                 /* DCS XTGETTCAP */
	H("\x1b_Gf=100;AAAA\x1b\\", "\\x1b_Gf=100;AAAA\\x1b\\\\"),                       /* APC kitty graphics */
	H("\x1b^pm\x1b\\", "\\x1b^pm\\x1b\\\\"),                                         /* PM */
	H("\x1bXsos\x1b\\", "\\x1bXsos\\x1b\\\\"),                                       /* SOS */
	H("\x1b[6n", "\\x1b[6n"),                                                       /* cursor report request */
	H("\x1b[21t", "\\x1b[21t"),                                                     /* title report request */
	H("\x1b" "c", "\\x1bc"),                                                           /* full reset */
	H("\x1b(0lqk\x1b(B", "\\x1b(0lqk\\x1b(B"),                                      /* line drawing charset */
	H("\x1b#8", "\\x1b#8"),                                                         /* DECALN fills the screen */
	H("ok\x1b", "ok\\x1b"),                                                         /* ESC last */
	/* CR/LF/TAB/BS tricks */
	H("cat\rEVILCR", "cat\\rEVILCR"),                                               /* CR overwrite */
	H("safe\x08\x08\x08\x08" "evil", "safe\\x08\\x08\\x08\\x08evil"),                  /* backspaces */
	H("a\nFAKE: ok", "a\\nFAKE: ok"),                                               /* forged line */
	H("\x0b\x0c\x85", "\\x0b\\x0c\\x85"),                                           /* VT, FF, raw NEL byte */
	H("\x07\x07", "\\x07\\x07"),                                                    /* bells */
	H("\x0e\x0f", "\\x0e\\x0f"),                                                    /* SO/SI charset shifts */
	/* 8-bit C1: raw bytes (not UTF-8) and as code points */
	H("\x9b" "4242A", "\\x9b4242A"),
	H("\xc2\x9b" "4242B", "\\u{009B}4242B"),
	H("\xc2\x9d" "0;pwned\xc2\x9c", "\\u{009D}0;pwned\\u{009C}"),                   /* 8-bit OSC .. ST */
	H("\xc2\x90" "+q\xc2\x9c", "\\u{0090}+q\\u{009C}"),                             /* 8-bit DCS */
	/* bidi (Trojan Source) and invisible characters */
	H("access\xe2\x80\xae \xe2\x81\xa6// admin\xe2\x81\xa9 \xe2\x81\xa6",
	  "access\\u{202E} \\u{2066}// admin\\u{2069} \\u{2066}"),
	H("gpj\xe2\x80\xae" "exe.png", "gpj\\u{202E}exe.png"),
	H("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "\\u{202A}\\u{202B}\\u{202C}\\u{202D}"),
	H("\xe2\x81\xa7\xe2\x81\xa8", "\\u{2067}\\u{2068}"),
	H("a\xe2\x80\x8b" "b\xe2\x80\x8c" "c\xe2\x80\x8d" "d", "a\\u{200B}b\\u{200C}c\\u{200D}d"),
	H("\xe2\x81\xa1\xe2\x81\xa2\xe2\x81\xa3\xe2\x81\xa4", "\\u{2061}\\u{2062}\\u{2063}\\u{2064}"),
	H("soft\xc2\xadhyphen", "soft\\u{00AD}hyphen"),
	H("mongolian\xe1\xa0\x8e", "mongolian\\u{180E}"),
	H("line\xe2\x80\xa8para\xe2\x80\xa9", "line\\u{2028}para\\u{2029}"),
	H("\xef\xbf\xbe\xef\xbf\xbf", "\\u{FFFE}\\u{FFFF}"),                           /* noncharacters */
	H("\xef\xbf\xb9\xef\xbf\xba\xef\xbf\xbb", "\\u{FFF9}\\u{FFFA}\\u{FFFB}"),       /* interlinear */
	H("tag\xf3\xa0\x80\x81\xf3\xa0\x81\xbf", "tag\\u{E0001}\\u{E007F}"),           /* tag characters */
	H("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", "\xf0\x9f\x91\xa8\\u{200D}\xf0\x9f\x91\xa9"), /* ZWJ emoji */
	/* invalid UTF-8 */
	H("\x80\xbf", "\\x80\\xbf"),                                                    /* lone continuations */
	H("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf"),                                  /* overlong 4-byte "/" */
	H("\xc1\xbf", "\\xc1\\xbf"),                                                    /* overlong 2-byte */
	H("\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80"),                         /* 5-byte form */
	H("\xfc\x84\x80\x80\x80\x80", "\\xfc\\x84\\x80\\x80\\x80\\x80"),                 /* 6-byte form */
	H("\xe2\x80" "A", "\\xe2\\x80A"),                                               /* truncated, then ASCII */
	H("\xed\xa0\xbd\xed\xb8\x80", "\\xed\\xa0\\xbd\\xed\\xb8\\x80"),                 /* CESU-8 surrogate pair */
	H("\xc3\x28", "\\xc3("),                                                        /* bad continuation */
	H("\xe2\x82", "\\xe2\\x82"),                                                    /* truncated at end */
	/* unambiguous: literal backslash escapes in the input stay distinguishable */
	H("\\x1b]0;x", "\\\\x1b]0;x"),
	H("\\u{202E}", "\\\\u{202E}"),
	/* fine as they are */
	H("\xf4\x8f\xbf\xbd", "\xf4\x8f\xbf\xbd"),                                      /* U+10FFFD */
	H("e\xcc\x81t\xc3\xa9", "e\xcc\x81t\xc3\xa9"),                                  /* combining acute */
	H("\xe7\xbb\x9d\xe7\xbc\x98\xe5\xad\x90 \xf0\x9f\x98\x80", "\xe7\xbb\x9d\xe7\xbc\x98\xe5\xad\x90 \xf0\x9f\x98\x80"),
};

static void test_hostile_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		char out[512];
		size_t n = sanitize(hostile[i].in, hostile[i].len, out, sizeof out, 0);
		if (strcmp(out, hostile[i].want) != 0)
			fail_msg("hostile case %zu: got \"%s\", want \"%s\"", i, out, hostile[i].want);
		assert_int_equal(n, strlen(hostile[i].want));
	}
}

/* Every single byte: printable ASCII (but backslash) stays, everything else
 * is an escape; no output byte is a control. */
static void test_every_byte(void **state)
{
	(void)state;
	for (int b = 0; b < 256; b++) {
		char in = (char)b, out[16], want[16];
		sanitize(&in, 1, out, sizeof out, 0);
		if (b == '\t')
			strcpy(want, "\\t");
		else if (b == '\n')
			strcpy(want, "\\n");
		else if (b == '\r')
			strcpy(want, "\\r");
		else if (b == '\\')
			strcpy(want, "\\\\");
		else if (b >= 0x20 && b < 0x7F)
			snprintf(want, sizeof want, "%c", b);
		else
			snprintf(want, sizeof want, "\\x%02x", b);
		assert_string_equal(out, want);
		for (const char *p = out; *p; p++)
			assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7F);
	}
}

/* Every C1 code point U+0080..U+009F (C2 80 .. C2 9F) becomes \u{00XX}. */
static void test_every_c1_code_point(void **state)
{
	(void)state;
	for (unsigned cp = 0x80; cp <= 0x9F; cp++) {
		char in[2] = { (char)0xC2, (char)cp }, out[16], want[16];
		sanitize(in, 2, out, sizeof out, 0);
		snprintf(want, sizeof want, "\\u{%04X}", cp);
		assert_string_equal(out, want);
	}
}

/* Escapes count as their visible width; caps of 1 and exact fits. */
static void test_width_cap_hostile(void **state)
{
	(void)state;
	char in[1000];
	memset(in, 0x1b, sizeof in);
	/* each "\x1b" is 4 columns: cap 10 -> two (8) + "…" (9) */
	expect(in, sizeof in, 10, "\\x1b\\x1b\xe2\x80\xa6");
	expect("ab", 2, 1, "\xe2\x80\xa6"); /* "a" + "…" would be 2 columns */
	expect("a", 1, 1, "a");
	/* bidi escape (8 columns) does not fit in 7 after "x": "x…" */
	expect("x\xe2\x80\xae", 4, 7, "x\xe2\x80\xa6");
	/* a wide character never straddles the cap: 3 columns -> 1 wide + "…" */
	expect("\xe7\xbb\x9d\xe7\xbb\x9d\xe7\xbb\x9d", 9, 3, "\xe7\xbb\x9d\xe2\x80\xa6");
}

static void test_dup_and_cstr_hostile(void **state)
{
	(void)state;
	const char in[] = "\x1b]52;c;SE9TVElMRTUy\x07\xe2\x80\xae\xc2\x9b\xff";
	char *d = sanitize_dup(in, sizeof in - 1, 0);
	assert_non_null(d);
	assert_string_equal(d, "\\x1b]52;c;SE9TVElMRTUy\\x07\\u{202E}\\u{009B}\\xff");
	free(d);
	char out[32];
	assert_string_equal(sanitize_cstr(NULL, out, sizeof out, 0), "");
	assert_string_equal(sanitize_cstr("\x1b[2J", out, sizeof out, 0), "\\x1b[2J");
	/* a tiny buffer still never ends inside an escape */
	char small[9];
	sanitize("\x1b\x1b\x1b", 3, small, sizeof small, 0);
	assert_string_equal(small, "\\x1b\xe2\x80\xa6");
}

/* ASCII renderings for a terminal without a UTF-8 locale (sanitize.h's table,
 * byte by byte). */
static void expect_ascii(const char *in, const char *want)
{
	char out[128];
	size_t n = sanitize_ascii(in, strlen(in), out, sizeof out);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_ascii_rendering(void **state)
{
	(void)state;
	expect_ascii("plain ascii 123", "plain ascii 123");
	/* the status bar and the panes' glyphs */
	expect_ascii("run \xe2\x94\x82 sample 1/5", "run | sample 1/5");
	expect_ascii("\xc3\x97" "23 \xe2\x96\xb8 \xe2\x97\x8f \xc2\xb7 \xe2\x80\xa6", "x23 > * . ...");
	expect_ascii("A \xe2\x86\x92 B \xe2\x86\x90 \xe2\x80\x94", "A -> B <- --");
	expect_ascii("\xe2\x94\x8c\xe2\x94\x80\xe2\x94\x90\xe2\x94\x94\xe2\x94\x98", "+-+++");
	/* sparkline heights U+2581..U+2588 */
	expect_ascii("\xe2\x96\x81\xe2\x96\x82\xe2\x96\x83\xe2\x96\x84"
	             "\xe2\x96\x85\xe2\x96\x86\xe2\x96\x87\xe2\x96\x88",
	             "_.,-~=*#");
	/* anything else: an escape in the sanitizer's own style */
	expect_ascii("tremp\xc3\xa9", "tremp\\u{00E9}");
	expect_ascii("\xe7\xbb\x9d", "\\u{7EDD}");
	expect_ascii("\xf0\x9f\x98\x80", "\\u{1F600}");
	/* not UTF-8 (cannot come out of sanitize(), still never raw) */
	expect_ascii("a\xff" "b", "a\\xffb");
	/* a small buffer never splits a replacement */
	char small[5]; /* "ab..." needs 6 bytes with its NUL */
	assert_int_equal(sanitize_ascii("ab\xe2\x80\xa6", 5, small, sizeof small), 2);
	assert_string_equal(small, "ab");
	assert_int_equal(sanitize_ascii("abc", 3, small, 0), 0);
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
		cmocka_unit_test(test_hostile_table),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_every_c1_code_point),
		cmocka_unit_test(test_width_cap_hostile),
		cmocka_unit_test(test_dup_and_cstr_hostile),
		cmocka_unit_test(test_ascii_rendering),
	};
	return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
