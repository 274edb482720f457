/* test_records.c — the incremental coordinate-list parser.
 *
 * Expected values are read off the input texts by hand (each test says how).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "records.h"

/* ------------------------------------------------------------------ */
/* helpers */

/* Whole text as step 0, then finish(0, stopped). */
static recparse *parse_whole(const char *text, size_t len, int stopped)
{
	recparse *p = recparse_new(NULL);
	assert_non_null(p);
	recparse_feed(p, text, len, 0);
	recparse_finish(p, 0, stopped);
	return p;
}

static recparse *parse_str(const char *text, int stopped)
{
	return parse_whole(text, strlen(text), stopped);
}

/* One byte per step. */
static recparse *parse_bytes(const char *text, size_t len, int stopped)
{
	recparse *p = recparse_new(NULL);
	assert_non_null(p);
	for (size_t i = 0; i < len; i++)
		recparse_feed(p, text + i, 1, (uint32_t)i);
	recparse_finish(p, len ? (uint32_t)(len - 1) : 0, stopped);
	return p;
}

/* Random pieces of 1..9 bytes (deterministic LCG), with some empty steps. */
static recparse *parse_random(const char *text, size_t len, int stopped, uint32_t seed)
{
	recparse *p = recparse_new(NULL);
	assert_non_null(p);
	uint32_t s = seed * 2654435761u + 1;
	size_t i = 0;
	uint32_t step = 0;
	while (i < len) {
		s = s * 1664525u + 1013904223u;
		size_t n = (s >> 24) % 10; /* 0..9: 0 is an empty step */
		if (n > len - i)
			n = len - i;
		recparse_feed(p, text + i, n, step++);
		i += n;
	}
	recparse_finish(p, step ? step - 1 : 0, stopped);
	return p;
}

/* Same records (label bytes, bit-identical numbers, key) and flags. */
static void assert_same(const recparse *a, const recparse *b)
{
	assert_int_equal(recparse_count(a), recparse_count(b));
	assert_int_equal(recparse_opened(a), recparse_opened(b));
	assert_int_equal(recparse_closed(a), recparse_closed(b));
	assert_int_equal(recparse_junk(a), recparse_junk(b));
	assert_int_equal(recparse_key(a), recparse_key(b));
	const record *ra = recparse_records(a), *rb = recparse_records(b);
	for (size_t i = 0; i < recparse_count(a); i++) {
		assert_int_equal(ra[i].label_len, rb[i].label_len);
		assert_memory_equal(ra[i].label, rb[i].label, ra[i].label_len + 1);
		assert_memory_equal(ra[i].v, rb[i].v, sizeof ra[i].v);
		assert_int_equal(ra[i].key, rb[i].key);
		assert_true(ra[i].first_step <= ra[i].last_step);
		assert_true(rb[i].first_step <= rb[i].last_step);
	}
}

/* Whole text vs one byte per step vs 300 random splits. */
static void check_splits(const char *text, size_t len, int stopped)
{
	recparse *w = parse_whole(text, len, stopped);
	recparse *b = parse_bytes(text, len, stopped);
	assert_same(w, b);
	for (uint32_t seed = 1; seed <= 300; seed++) {
		recparse *r = parse_random(text, len, stopped, seed);
		assert_same(w, r);
		recparse_free(r);
	}
	recparse_free(w);
	recparse_free(b);
}

static void assert_rec(const record *r, const char *label, double a, double b,
                       double c, double d, rec_key key)
{
	assert_int_equal(r->label_len, strlen(label));
	assert_memory_equal(r->label, label, r->label_len);
	assert_int_equal(r->label[r->label_len], '\0');
	assert_true(r->v[0] == a);
	assert_true(r->v[1] == b);
	assert_true(r->v[2] == c);
	assert_true(r->v[3] == d);
	assert_int_equal(r->key, key);
}

/* ------------------------------------------------------------------ */
/* JSON syntaxes */

static void test_qwen_fenced(void **state)
{
	(void)state;
	/* Two records between a ```json fence; prose before and after. */
	recparse *p = parse_str("Sure.\n```json\n[\n"
	                        "  {\"bbox_2d\": [12, 34, 56, 78], \"label\": \"cat\"},\n"
	                        "  {\"bbox_2d\": [100, 200, 300, 400], \"label\": \"dog\"}\n"
	                        "]\n```\nHope this helps.", 1);
	assert_int_equal(recparse_count(p), 2);
	const record *r = recparse_records(p);
	assert_rec(&r[0], "cat", 12, 34, 56, 78, REC_KEY_BBOX_2D);
	assert_rec(&r[1], "dog", 100, 200, 300, 400, REC_KEY_BBOX_2D);
	assert_int_equal(recparse_key(p), REC_KEY_BBOX_2D);
	assert_true(recparse_opened(p));
	assert_true(recparse_closed(p));
	assert_false(recparse_junk(p));
	assert_int_equal(recparse_close_step(p), 0);
	assert_int_equal(recparse_junk_step(p), -1);
	assert_int_equal(recparse_status(p), TS_OK);
	recparse_free(p);
}

static void test_bare_label_first(void **state)
{
	(void)state;
	/* No fence, label before the coordinates, no white space at all. */
	recparse *p = parse_str("[{\"label\":\"cat\",\"bbox_2d\":[1,2,3,4]},"
	                        "{\"label\":\"\",\"bbox_2d\":[5,6,7,8]}]", 1);
	assert_int_equal(recparse_count(p), 2);
	assert_rec(&recparse_records(p)[0], "cat", 1, 2, 3, 4, REC_KEY_BBOX_2D);
	/* an empty label string is still a label */
	assert_rec(&recparse_records(p)[1], "", 5, 6, 7, 8, REC_KEY_BBOX_2D);
	assert_true(recparse_closed(p));
	assert_false(recparse_junk(p));
	recparse_free(p);
}

static void test_gemini_and_bbox(void **state)
{
	(void)state;
	/* box_2d keeps the emitted order (ymin, xmin, ymax, xmax). */
	recparse *p = parse_str("```json\n[{\"box_2d\": [100, 200, 300, 400], \"label\": \"person\"}]\n```", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "person", 100, 200, 300, 400, REC_KEY_BOX_2D);
	assert_int_equal(recparse_key(p), REC_KEY_BOX_2D);
	recparse_free(p);

	/* bbox with decimals and exponents: 10.5, 20.25, 3e1 = 30, 40.0 */
	p = parse_str("[{\"bbox\": [10.5, 20.25, 3e1, 40.0], \"label\": \"x\"}]", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "x", 10.5, 20.25, 30, 40, REC_KEY_BBOX);
	assert_int_equal(recparse_key(p), REC_KEY_BBOX);
	recparse_free(p);

	/* key of the first record is the list's key; each record keeps its own */
	p = parse_str("[{\"bbox\": [1,2,3,4], \"label\": \"a\"}, {\"box_2d\": [1,2,3,4], \"label\": \"a\"}]", 1);
	assert_int_equal(recparse_count(p), 2);
	assert_int_equal(recparse_key(p), REC_KEY_BBOX);
	assert_int_equal(recparse_records(p)[1].key, REC_KEY_BOX_2D);
	recparse_free(p);
}

static void test_extra_keys(void **state)
{
	(void)state;
	/* Extra keys of every JSON type, a nested "label"/"bbox" that must not
	 * count, brackets inside strings, a key with an escape. */
	const char *t =
		"[{\"id\": 1, \"bbox_2d\": [1, 2, 3, 4], "
		"\"attrs\": {\"label\": \"nested\", \"bbox\": [9, 9, 9], "
		"\"deep\": [[1, {\"a\": null}], true, false, -0.5e-3, \"]}\"]}, "
		"\"lab\\u0065l\": \"cat\", \"score\": -1.5E+2, \"note\": \"x}]{[\", \"e\": {}, \"f\": []}]";
	recparse *p = parse_str(t, 1);
	/* "lab\u0065l" unescapes to "label" */
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "cat", 1, 2, 3, 4, REC_KEY_BBOX_2D);
	assert_false(recparse_junk(p));
	assert_true(recparse_closed(p));
	recparse_free(p);
	check_splits(t, strlen(t), 1);
}

static void test_empty_and_no_list(void **state)
{
	(void)state;
	recparse *p = parse_str("```json\n[]\n```", 1);
	assert_int_equal(recparse_count(p), 0);
	assert_true(recparse_opened(p));
	assert_true(recparse_closed(p));
	assert_false(recparse_junk(p));
	assert_int_equal(recparse_key(p), REC_KEY_NONE);
	recparse_free(p);

	p = parse_str("I cannot find any objects in this image.", 1);
	assert_int_equal(recparse_count(p), 0);
	assert_false(recparse_opened(p));
	assert_false(recparse_closed(p));
	assert_false(recparse_junk(p));
	recparse_free(p);

	p = parse_str("", 1);
	assert_false(recparse_opened(p));
	recparse_free(p);
}

static void test_bare_objects(void **state)
{
	(void)state;
	/* Objects without "[": accepted, opened, never closed. */
	recparse *p = parse_str("{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}\n"
	                        "{\"bbox_2d\": [5, 6, 7, 8], \"label\": \"b\"},\n"
	                        "{\"bbox_2d\": [9, 10, 11, 12], \"label\": \"c\"}", 1);
	assert_int_equal(recparse_count(p), 3);
	assert_rec(&recparse_records(p)[1], "b", 5, 6, 7, 8, REC_KEY_BBOX_2D);
	assert_rec(&recparse_records(p)[2], "c", 9, 10, 11, 12, REC_KEY_BBOX_2D);
	assert_true(recparse_opened(p));
	assert_false(recparse_closed(p));
	assert_false(recparse_junk(p));
	assert_int_equal(recparse_close_step(p), -1);
	recparse_free(p);

	/* fenced bare object: the closing fence is junk after the records */
	p = parse_str("```json\n{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}\n```", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_false(recparse_closed(p));
	assert_true(recparse_junk(p));
	recparse_free(p);
}

/* ------------------------------------------------------------------ */
/* steps */

static void test_qwen_step_numbers(void **state)
{
	(void)state;
	/* A Qwen-style tokenization (one digit per token); index: token. */
	static const char *const tok[] = {
		"```",     /*  0 */
		"json",    /*  1 */
		"\n",      /*  2 */
		"[\n",     /*  3 */
		"  ",      /*  4 */
		"{\"",     /*  5  "{" of record 0 */
		"bbox",    /*  6 */
		"_",       /*  7 */
		"2",       /*  8 */
		"d",       /*  9 */
		"\":",     /* 10 */
		" [",      /* 11 */
		"1", "2",  /* 12 13 */
		",", " ",  /* 14 15 */
		"3", "4",  /* 16 17 */
		",", " ",  /* 18 19 */
		"5", "6",  /* 20 21 */
		",", " ",  /* 22 23 */
		"7", "8",  /* 24 25 */
		"],",      /* 26 */
		" \"",     /* 27 */
		"label",   /* 28 */
		"\":",     /* 29 */
		" \"",     /* 30 */
		"cat",     /* 31 */
		"\"}",     /* 32  "}" of record 0 */
		",\n",     /* 33 */
		"  ",      /* 34 */
		"{\"",     /* 35  "{" of record 1 */
		"label",   /* 36 */
		"\":",     /* 37 */
		" \"",     /* 38 */
		"d",       /* 39 */
		"og",      /* 40 */
		"\",",     /* 41 */
		" \"",     /* 42 */
		"bbox",    /* 43 */
		"_",       /* 44 */
		"2",       /* 45 */
		"d",       /* 46 */
		"\":",     /* 47 */
		" [",      /* 48 */
		"1", "2",  /* 49 50 */
		",", " ",  /* 51 52 */
		"3", "4",  /* 53 54 */
		",", " ",  /* 55 56 */
		"5", "6",  /* 57 58 */
		",", " ",  /* 59 60 */
		"7", "8",  /* 61 62 */
		"]}\n",    /* 63  "}" of record 1 */
		"]",       /* 64  "]" closes the list */
		"\n",      /* 65 */
		"```",     /* 66 */
	};
	size_t n = sizeof tok / sizeof tok[0];
	assert_int_equal(n, 67);
	recparse *p = recparse_new(NULL);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(recparse_feed(p, tok[i], strlen(tok[i]), (uint32_t)i), TS_OK);
		/* record 0 exists from step 32 on, record 1 from step 63 on */
		assert_int_equal(recparse_count(p), i < 32 ? 0 : i < 63 ? 1 : 2);
	}
	recparse_finish(p, (uint32_t)(n - 1), 1);
	assert_int_equal(recparse_count(p), 2);
	const record *r = recparse_records(p);
	assert_rec(&r[0], "cat", 12, 34, 56, 78, REC_KEY_BBOX_2D);
	assert_int_equal(r[0].first_step, 5);
	assert_int_equal(r[0].last_step, 32);
	assert_rec(&r[1], "dog", 12, 34, 56, 78, REC_KEY_BBOX_2D);
	assert_int_equal(r[1].first_step, 35);
	assert_int_equal(r[1].last_step, 63);
	assert_int_equal(recparse_close_step(p), 64);
	assert_true(recparse_closed(p));
	assert_false(recparse_junk(p));
	recparse_free(p);
}

static void test_feed_split_helper(void **state)
{
	(void)state;
	/* steps: "[{" | "\"bbox\":[1,2,3,4]," | "\"label\":\"a\"}" | "]" */
	const char *t = "[{\"bbox\":[1,2,3,4],\"label\":\"a\"}]";
	size_t off[] = { 0, 2, 19, 31, 32 };
	assert_int_equal(strlen(t), 32);
	recparse *p = recparse_new(NULL);
	assert_int_equal(recparse_feed_split(p, t, off, 4), TS_OK);
	recparse_finish(p, 3, 1);
	assert_int_equal(recparse_count(p), 1);
	assert_int_equal(recparse_records(p)[0].first_step, 0);
	assert_int_equal(recparse_records(p)[0].last_step, 2);
	assert_int_equal(recparse_close_step(p), 3);
	/* reset: ready for another sample */
	recparse_reset(p);
	assert_int_equal(recparse_count(p), 0);
	assert_false(recparse_opened(p));
	assert_int_equal(recparse_feed(p, t, strlen(t), 7), TS_OK);
	assert_int_equal(recparse_count(p), 1);
	assert_int_equal(recparse_records(p)[0].first_step, 7);
	assert_int_equal(recparse_close_step(p), 7);
	recparse_free(p);
}

/* ------------------------------------------------------------------ */
/* splitting anywhere gives the same records */

static void test_splits_json(void **state)
{
	(void)state;
	/* Expected, read off the text: 5 records (r0 caf..., r1 Chinese, r2 g,
	 * r3 tab, r4 last); junk ("junk here", the 3-number record, the
	 * 77-digit number); closed; the list after "Done." ignored. */
	const char *t =
		"Here are the objects:\n```json\n[\n"
		" {\"bbox_2d\": [12, 34.5, -0.25e1, 1E+2], \"label\": \"caf\\u00e9 \\\"x\\\" \\ud83d\\ude00\"},\n"
		" {\"label\": \"\xe4\xb8\xad\xe6\x96\x87 \xc3\xa9 \xf0\x9f\x98\x80\", \"id\": 7, "
		"\"extra\": {\"a\": [1, {\"b\": \"}]\"}], \"t\": true, \"f\": false, \"n\": null}, "
		"\"bbox_2d\": [0, 0.0, 1000, 999]},\n"
		" {\"box_2d\": [1,2,3,4], \"label\": \"g\"},\n"
		" junk here,\n"
		" {\"bbox_2d\": [1,2,3], \"label\": \"short\"},\n"
		" {\"bbox\": [5, 6, 7, 8], \"label\": \"tab\\there\"},\n"
		" {\"bbox_2d\": [1, 2, 3, 99999999999999999999999999999999999999999999999999999999999999999999999999999], \"label\": \"long\"},\n"
		" {\"bbox_2d\": [9, 9, 9, 9], \"label\": \"last\"}\n"
		"]\n```\nDone. [{\"bbox_2d\":[1,1,1,1],\"label\":\"after\"}]";
	recparse *p = parse_str(t, 1);
	assert_int_equal(recparse_count(p), 5);
	const record *r = recparse_records(p);
	assert_rec(&r[0], "caf\xc3\xa9 \"x\" \xf0\x9f\x98\x80", 12, 34.5, -2.5, 100, REC_KEY_BBOX_2D);
	assert_rec(&r[1], "\xe4\xb8\xad\xe6\x96\x87 \xc3\xa9 \xf0\x9f\x98\x80", 0, 0, 1000, 999, REC_KEY_BBOX_2D);
	assert_rec(&r[2], "g", 1, 2, 3, 4, REC_KEY_BOX_2D);
	assert_rec(&r[3], "tab\there", 5, 6, 7, 8, REC_KEY_BBOX);
	assert_rec(&r[4], "last", 9, 9, 9, 9, REC_KEY_BBOX_2D);
	assert_true(recparse_junk(p));
	assert_true(recparse_closed(p));
	recparse_free(p);
	check_splits(t, strlen(t), 1);
	check_splits(t, strlen(t), 0);
}

static void test_splits_loc(void **state)
{
	(void)state;
	/* 3 records: caf\xc3\xa9, "big dog", the emoji (completed by finish);
	 * the 2-loc group is junk. */
	const char *t =
		"Detected: <loc0100><loc0200><loc0300><loc0400> caf\xc3\xa9 ; "
		"<loc0001><loc0002> bad ; "
		"<loc1023><loc0000><loc0512><loc0256>  big dog  ; "
		"<loc0005><loc0006><loc0007><loc0008> \xf0\x9f\x98\x80\n";
	recparse *p = parse_str(t, 1);
	assert_int_equal(recparse_count(p), 3);
	const record *r = recparse_records(p);
	assert_rec(&r[0], "caf\xc3\xa9", 100, 200, 300, 400, REC_KEY_LOC);
	assert_rec(&r[1], "big dog", 1023, 0, 512, 256, REC_KEY_LOC);
	assert_rec(&r[2], "\xf0\x9f\x98\x80", 5, 6, 7, 8, REC_KEY_LOC);
	assert_true(recparse_junk(p));
	assert_true(recparse_closed(p));
	assert_int_equal(recparse_key(p), REC_KEY_LOC);
	recparse_free(p);
	check_splits(t, strlen(t), 1);
	check_splits(t, strlen(t), 0);
}

/* ------------------------------------------------------------------ */
/* truncation, junk, text after the list */

static void test_truncated(void **state)
{
	(void)state;
	const char *cut[] = {
		/* inside the numbers */
		"[{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}, {\"bbox_2d\": [5, 6, 7",
		/* inside the label */
		"[{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}, {\"bbox_2d\": [5, 6, 7, 8], \"label\": \"do",
		/* complete but for its "}" */
		"[{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}, {\"bbox_2d\": [5, 6, 7, 8], \"label\": \"dog\"",
		/* after the comma */
		"[{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"},",
		/* inside an escape */
		"[{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}, {\"bbox_2d\": [5, 6, 7, 8], \"label\": \"d\\u00",
	};
	for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		recparse *p = parse_str(cut[i], 0);
		assert_int_equal(recparse_count(p), 1); /* only "a" */
		assert_rec(&recparse_records(p)[0], "a", 1, 2, 3, 4, REC_KEY_BBOX_2D);
		assert_true(recparse_opened(p));
		assert_false(recparse_closed(p));
		assert_false(recparse_junk(p));
		recparse_free(p);
	}
}

static void test_junk_between(void **state)
{
	(void)state;
	static const char *const bad[] = {
		/* prose between records */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"} xyz {\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* missing comma */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"}{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* two commas */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},,{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* a string holding braces between records */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"}, \"not {a} record\", {\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* a nested list holding a record-like object: not at list level */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"}, [{\"bbox_2d\":[9,9,9,9],\"label\":\"in\"}], {\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* a record with 3 numbers */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[1,2,3],\"label\":\"x\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* a record with 5 numbers */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[1,2,3,4,5],\"label\":\"x\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* missing label */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[1,2,3,4]},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* missing coordinates */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"label\":\"x\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* label not a string */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[1,2,3,4],\"label\":7},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* numbers as strings */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[\"1\",\"2\",\"3\",\"4\"],\"label\":\"x\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* a second label */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[1,2,3,4],\"label\":\"x\",\"label\":\"y\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* a second coordinate key */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[1,2,3,4],\"bbox\":[1,2,3,4],\"label\":\"x\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* broken structure inside a record (missing comma) */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[1,2,3,4] \"label\":\"x\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* mismatched bracket inside a record */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[1,2,3,4},\"label\":\"x\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* bad literal, leading zero, bare "-", "1." */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"x\":tru,\"bbox_2d\":[1,2,3,4],\"label\":\"x\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[01,2,3,4],\"label\":\"x\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[-,2,3,4],\"label\":\"x\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[1.,2,3,4],\"label\":\"x\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* a number that overflows a double */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[1e400,2,3,4],\"label\":\"x\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		/* invalid escape in a skipped string, raw newline in a label */
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"n\":\"\\x\",\"bbox_2d\":[1,2,3,4],\"label\":\"x\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
		"[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},{\"bbox_2d\":[1,2,3,4],\"label\":\"x\ny\"},{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		recparse *p = parse_str(bad[i], 1);
		/* always exactly "a" and "b", junk, and still closed */
		assert_int_equal(recparse_count(p), 2);
		assert_rec(&recparse_records(p)[0], "a", 1, 2, 3, 4, REC_KEY_BBOX_2D);
		assert_rec(&recparse_records(p)[1], "b", 5, 6, 7, 8, REC_KEY_BBOX_2D);
		assert_true(recparse_junk(p));
		assert_true(recparse_closed(p));
		recparse_free(p);
		check_splits(bad[i], strlen(bad[i]), 1);
	}

	/* trailing comma: junk, still closed */
	recparse *p = parse_str("[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"},]", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_true(recparse_junk(p));
	assert_true(recparse_closed(p));
	recparse_free(p);

	/* junk right after "[": skipped to the record */
	p = parse_str("[ 42, {\"bbox_2d\":[1,2,3,4],\"label\":\"a\"}]", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_true(recparse_junk(p));
	assert_true(recparse_closed(p));
	recparse_free(p);

	/* junk step: the step where junk was first seen */
	p = recparse_new(NULL);
	const char *first = "[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"}";
	recparse_feed(p, first, strlen(first), 0);
	recparse_feed(p, " ", 1, 1);
	recparse_feed(p, "x", 1, 2);
	recparse_feed(p, "y", 1, 3);
	assert_int_equal(recparse_junk_step(p), 2);
	recparse_free(p);
}

static void test_text_after_list(void **state)
{
	(void)state;
	/* everything after "]" is ignored, including another list and junk */
	recparse *p = parse_str("[{\"bbox_2d\":[1,2,3,4],\"label\":\"a\"}]\n```\n"
	                        "Also: [{\"bbox_2d\":[5,6,7,8],\"label\":\"b\"}] {{{ \"", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_true(recparse_closed(p));
	assert_false(recparse_junk(p));
	recparse_free(p);

	/* feeding after the close is accepted and changes nothing */
	p = recparse_new(NULL);
	recparse_feed(p, "[]", 2, 0);
	const char *more = "{\"bbox\":[1,2,3,4],\"label\":\"a\"}";
	assert_int_equal(recparse_feed(p, more, strlen(more), 1), TS_OK);
	assert_int_equal(recparse_count(p), 0);
	assert_int_equal(recparse_close_step(p), 0);
	recparse_free(p);
}

/* ------------------------------------------------------------------ */
/* labels */

static void test_label_escapes(void **state)
{
	(void)state;
	/* \" \\ \/ \b \f \n \r \t, \u00e9 = C3 A9, \ud83d\ude00 = U+1F600 =
	 * F0 9F 98 80, \u4e2d = E4 B8 AD, \u0041 = "A" */
	const char *t = "[{\"label\": \"a \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t caf\\u00e9 \\ud83d\\ude00 \\u4e2d\\u0041\", "
	                "\"bbox_2d\": [1, 2, 3, 4]}]";
	recparse *p = parse_str(t, 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0],
	           "a \"q\" \\ / \b\f\n\r\t caf\xc3\xa9 \xf0\x9f\x98\x80 \xe4\xb8\xad" "A",
	           1, 2, 3, 4, REC_KEY_BBOX_2D);
	recparse_free(p);
	check_splits(t, strlen(t), 1);

	/* \u0000 keeps a NUL byte inside: label_len 3 */
	p = parse_str("[{\"label\": \"a\\u0000b\", \"bbox_2d\": [1, 2, 3, 4]}]", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_int_equal(recparse_records(p)[0].label_len, 3);
	assert_memory_equal(recparse_records(p)[0].label, "a\0b", 4);
	recparse_free(p);

	/* invalid escapes: each record is junk */
	static const char *const bad[] = {
		"\\x41",          /* unknown escape */
		"\\u12g4",        /* bad hex digit */
		"\\ud83d",        /* high surrogate then the closing quote */
		"\\ud83dx",       /* high surrogate then a plain char */
		"\\ud83d\\n",     /* high surrogate then another escape */
		"\\ud83d\\u0041", /* high surrogate then a non-surrogate */
		"\\ude00",        /* lone low surrogate */
		"\xc3",           /* truncated UTF-8 before the quote */
		"\xc0\xaf",       /* overlong "/" */
		"\xed\xa0\x80",   /* UTF-8 encoded surrogate */
		"\xf4\x90\x80\x80", /* > U+10FFFF */
		"\x80",           /* stray continuation byte */
		"\xff",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char buf[256];
		snprintf(buf, sizeof buf,
		         "[{\"label\": \"x%sy\", \"bbox_2d\": [1, 2, 3, 4]}, "
		         "{\"label\": \"ok\", \"bbox_2d\": [5, 6, 7, 8]}]", bad[i]);
		p = parse_str(buf, 1);
		assert_int_equal(recparse_count(p), 1);
		assert_rec(&recparse_records(p)[0], "ok", 5, 6, 7, 8, REC_KEY_BBOX_2D);
		assert_true(recparse_junk(p));
		assert_true(recparse_closed(p));
		recparse_free(p);
		check_splits(buf, strlen(buf), 1);
	}
}

static void test_label_split_utf8(void **state)
{
	(void)state;
	/* "é" (C3 A9) split between steps 1 and 2; "😀" (F0 9F 98 80) over
	 * four steps; \u00e9 split as "\u0" "0e9". */
	static const char *const tok[] = {
		"[{\"label\": \"caf\xc3", /* 0  "{" */
		"\xa9 \xf0",              /* 1 */
		"\x9f",                   /* 2 */
		"\x98",                   /* 3 */
		"\x80 \\u0",              /* 4 */
		"0e9\"",                  /* 5 */
		", \"bbox_2d\": [1, 2, 3, 4]", /* 6 */
		"}]",                     /* 7  "}" */
	};
	recparse *p = recparse_new(NULL);
	for (size_t i = 0; i < 8; i++)
		recparse_feed(p, tok[i], strlen(tok[i]), (uint32_t)i);
	recparse_finish(p, 7, 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "caf\xc3\xa9 \xf0\x9f\x98\x80 \xc3\xa9", 1, 2, 3, 4, REC_KEY_BBOX_2D);
	assert_int_equal(recparse_records(p)[0].first_step, 0);
	assert_int_equal(recparse_records(p)[0].last_step, 7);
	assert_false(recparse_junk(p));
	recparse_free(p);
}

static void test_label_cut(void **state)
{
	(void)state;
	recparse_limits lim;
	recparse_limits_default(&lim);
	lim.max_label_bytes = 5;
	/* "abcdéf": a b c d are 4 bytes, é would make 6 > 5: cut to "abcd" */
	recparse *p = recparse_new(&lim);
	const char *t = "[{\"label\": \"abcd\xc3\xa9" "f\", \"bbox_2d\": [1, 2, 3, 4]},"
	                "{\"label\": \"abcde\", \"bbox_2d\": [1, 2, 3, 4]},"
	                "{\"label\": \"abcdef\", \"bbox_2d\": [1, 2, 3, 4]},"
	                "{\"label\": \"abc\\u00e9\", \"bbox_2d\": [1, 2, 3, 4]}]";
	recparse_feed(p, t, strlen(t), 0);
	assert_int_equal(recparse_count(p), 4);
	const record *r = recparse_records(p);
	assert_rec(&r[0], "abcd", 1, 2, 3, 4, REC_KEY_BBOX_2D);
	assert_rec(&r[1], "abcde", 1, 2, 3, 4, REC_KEY_BBOX_2D);  /* exactly 5: kept */
	assert_rec(&r[2], "abcde", 1, 2, 3, 4, REC_KEY_BBOX_2D);  /* 6 bytes: cut to 5 */
	assert_rec(&r[3], "abc\xc3\xa9", 1, 2, 3, 4, REC_KEY_BBOX_2D); /* 3+2 = 5: kept */
	assert_false(recparse_junk(p));
	recparse_free(p);

	/* a 1 MB label with the default 4096 cap: 4096 bytes of "x" */
	size_t n = 1 << 20;
	char *big = malloc(n + 64);
	assert_non_null(big);
	memcpy(big, "[{\"label\": \"", 12);
	memset(big + 12, 'x', n);
	memcpy(big + 12 + n, "\", \"bbox\": [1,2,3,4]}]", 23);
	p = parse_str(big, 1);
	assert_int_equal(recparse_count(p), 1);
	assert_int_equal(recparse_records(p)[0].label_len, 4096);
	recparse_free(p);
	free(big);
}

/* ------------------------------------------------------------------ */
/* numbers */

static void test_numbers(void **state)
{
	(void)state;
	/* values by hand: 1E+2 = 100, -0.5e-1 = -0.05, 0.1 is the double nearest
	 * 0.1 (same as the C literal), 25e-1 = 2.5 */
	recparse *p = parse_str("[{\"bbox\": [1E+2, -0.5e-1, 0.1, 25e-1], \"label\": \"a\"},"
	                        /* 21 digits and an exponent beyond 10^22: the strtod path */
	                        "{\"bbox\": [123456789012345678901, 1e-30, 4.5e30, 0.30000000000000000000001], \"label\": \"b\"}]", 1);
	assert_int_equal(recparse_count(p), 2);
	const record *r = recparse_records(p);
	assert_rec(&r[0], "a", 100, -0.05, 0.1, 2.5, REC_KEY_BBOX);
	assert_rec(&r[1], "b", 123456789012345678901.0, 1e-30, 4.5e30, 0.3, REC_KEY_BBOX);
	recparse_free(p);

	/* 64 characters is the limit: "1" and 63 zeros is 1e63 and accepted */
	char buf[256];
	char num[80];
	memset(num, '0', sizeof num);
	num[0] = '1';
	num[64] = '\0';
	snprintf(buf, sizeof buf, "[{\"bbox\": [%s, 0, 0, 0], \"label\": \"a\"}]", num);
	p = parse_str(buf, 1);
	assert_int_equal(recparse_count(p), 1);
	assert_true(recparse_records(p)[0].v[0] == 1e63);
	recparse_free(p);
	/* 65 characters: junk */
	num[64] = '0';
	num[65] = '\0';
	snprintf(buf, sizeof buf, "[{\"bbox\": [%s, 0, 0, 0], \"label\": \"a\"}]", num);
	p = parse_str(buf, 1);
	assert_int_equal(recparse_count(p), 0);
	assert_true(recparse_junk(p));
	assert_true(recparse_closed(p));
	recparse_free(p);
}

static void test_degenerate_number(void **state)
{
	(void)state;
	/* 4 MB of "9" inside the coordinates, then the rest of a list. */
	size_t n = 4u << 20;
	const char *head = "[{\"bbox_2d\": [1, 2, 3, 9";
	const char *tail = "], \"label\": \"x\"}, {\"bbox_2d\": [5, 6, 7, 8], \"label\": \"b\"}]";
	size_t hl = strlen(head), tl = strlen(tail);
	char *t = malloc(hl + n + tl + 1);
	assert_non_null(t);
	memcpy(t, head, hl);
	memset(t + hl, '9', n);
	memcpy(t + hl + n, tail, tl + 1);

	recparse *p = parse_str(t, 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "b", 5, 6, 7, 8, REC_KEY_BBOX_2D);
	assert_true(recparse_junk(p));
	assert_true(recparse_closed(p));
	recparse_free(p);

	/* the same, one "9" per step (as a degenerate decoder emits it) and cut
	 * off inside the number: no record, junk (the number is too long), and
	 * every step is O(1) */
	p = recparse_new(NULL);
	recparse_feed(p, head, hl, 0);
	for (uint32_t i = 1; i <= 200000; i++)
		assert_int_equal(recparse_feed(p, "9", 1, i), TS_OK);
	recparse_finish(p, 200000, 0);
	assert_int_equal(recparse_count(p), 0);
	assert_true(recparse_junk(p));
	assert_false(recparse_closed(p));
	recparse_free(p);
	free(t);
}

/* ------------------------------------------------------------------ */
/* PaliGemma */

static void test_loc_tokens(void **state)
{
	(void)state;
	static const char *const tok[] = {
		"<lo",        /* 0  first byte of record 0 */
		"c0100>",     /* 1 */
		"<loc",       /* 2 */
		"02",         /* 3 */
		"00><loc0300",/* 4 */
		"><loc0400>", /* 5 */
		" cat",       /* 6 */
		" ;",         /* 7  ";" completes record 0 */
		" <",         /* 8  first byte of record 1 */
		"loc0010><loc0020><loc0030><loc0040>", /* 9 */
		" dog",       /* 10 last token: completes record 1 when stopped */
	};
	for (int stopped = 0; stopped <= 1; stopped++) {
		recparse *p = recparse_new(NULL);
		for (size_t i = 0; i < 11; i++)
			assert_int_equal(recparse_feed(p, tok[i], strlen(tok[i]), (uint32_t)i), TS_OK);
		assert_int_equal(recparse_count(p), 1); /* dog not complete yet */
		assert_true(recparse_opened(p));
		recparse_finish(p, 10, stopped);
		const record *r = recparse_records(p);
		assert_rec(&r[0], "cat", 100, 200, 300, 400, REC_KEY_LOC);
		assert_int_equal(r[0].first_step, 0);
		assert_int_equal(r[0].last_step, 7);
		if (stopped) {
			assert_int_equal(recparse_count(p), 2);
			assert_rec(&r[1], "dog", 10, 20, 30, 40, REC_KEY_LOC);
			assert_int_equal(r[1].first_step, 8);
			assert_int_equal(r[1].last_step, 10);
			assert_true(recparse_closed(p));
			assert_int_equal(recparse_close_step(p), 10);
		} else {
			/* cut off: the unterminated record is dropped, not closed */
			assert_int_equal(recparse_count(p), 1);
			assert_false(recparse_closed(p));
			assert_int_equal(recparse_close_step(p), -1);
		}
		assert_false(recparse_junk(p));
		assert_int_equal(recparse_key(p), REC_KEY_LOC);
		recparse_free(p);
	}
}

static void test_loc_rules(void **state)
{
	(void)state;
	/* ";" without spaces; a label with inner spaces; trailing ";" then end */
	recparse *p = parse_str("<loc0000><loc0001><loc1023><loc0999>a b c;"
	                        "<loc0002><loc0003><loc0004><loc0005>dog ; ", 1);
	assert_int_equal(recparse_count(p), 2);
	assert_rec(&recparse_records(p)[0], "a b c", 0, 1, 1023, 999, REC_KEY_LOC);
	assert_rec(&recparse_records(p)[1], "dog", 2, 3, 4, 5, REC_KEY_LOC);
	assert_false(recparse_junk(p));
	assert_true(recparse_closed(p));
	recparse_free(p);

	/* label text that starts with "<" but is not "<loc" */
	p = parse_str("<loc0001><loc0002><loc0003><loc0004> <b>x ; "
	              "<loc0001><loc0002><loc0003><loc0004><lo", 1);
	assert_int_equal(recparse_count(p), 2);
	assert_rec(&recparse_records(p)[0], "<b>x", 1, 2, 3, 4, REC_KEY_LOC);
	assert_rec(&recparse_records(p)[1], "<lo", 1, 2, 3, 4, REC_KEY_LOC);
	recparse_free(p);

	/* malformed groups; each is junk, "ok" survives */
	static const char *const bad[] = {
		"<loc0001><loc0002> cat ; ",                         /* 2 locs then text */
		"<loc0001><loc0002><loc0003><loc1024> cat ; ",       /* bin 1024 */
		"<loc0001><loc0002><loc0003><loc12> cat ; ",         /* 2 digits */
		"<loc0001><loc0002><loc0003><loc00001> cat ; ",      /* 5 digits */
		"<loc0001><loc0002><loc0003><loc0004><loc0005> cat ; ", /* fifth loc */
		"<loc0001><loc0002><loc0003><loc0004> ; ",           /* empty label */
		"<loc0001> <loc0002><loc0003><loc0004> cat ; ",      /* space inside a group */
		"cat ; ",                                            /* label without locs */
		"<loc0001><loc0002><loc0003><loc0004> ca\xc3; ",     /* truncated UTF-8 */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char buf[256];
		snprintf(buf, sizeof buf, "<loc0010><loc0020><loc0030><loc0040> first ; %s"
		         "<loc0100><loc0200><loc0300><loc0400> ok", bad[i]);
		p = parse_str(buf, 1);
		assert_int_equal(recparse_count(p), 2);
		assert_rec(&recparse_records(p)[0], "first", 10, 20, 30, 40, REC_KEY_LOC);
		assert_rec(&recparse_records(p)[1], "ok", 100, 200, 300, 400, REC_KEY_LOC);
		assert_true(recparse_junk(p));
		recparse_free(p);
		check_splits(buf, strlen(buf), 1);
	}

	/* prose before the first <loc, "<" in prose */
	p = parse_str("I see a <b>cat</b>: <loc0001><loc0002><loc0003><loc0004> cat", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "cat", 1, 2, 3, 4, REC_KEY_LOC);
	assert_false(recparse_junk(p));
	recparse_free(p);

	/* the model stops inside a group: junk, closed */
	p = parse_str("<loc0001><loc0002><loc0003><loc0004> cat ; <loc0005><loc00", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_true(recparse_junk(p));
	assert_true(recparse_closed(p));
	recparse_free(p);
	/* ... cut off there instead: not junk, not closed */
	p = parse_str("<loc0001><loc0002><loc0003><loc0004> cat ; <loc0005><loc00", 0);
	assert_int_equal(recparse_count(p), 1);
	assert_false(recparse_junk(p));
	assert_false(recparse_closed(p));
	recparse_free(p);

	/* "[" first decides JSON: a later <loc is not parsed */
	p = parse_str("[] <loc0001><loc0002><loc0003><loc0004> cat", 1);
	assert_int_equal(recparse_count(p), 0);
	assert_true(recparse_closed(p));
	recparse_free(p);
	/* "<loc" first decides loc: a later JSON list is label text */
	p = parse_str("<loc0001><loc0002><loc0003><loc0004> [{\"a\": 1}]", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "[{\"a\": 1}]", 1, 2, 3, 4, REC_KEY_LOC);
	recparse_free(p);
}

/* ------------------------------------------------------------------ */
/* equality and hashing */

static void test_record_equal(void **state)
{
	(void)state;
	recparse *p = parse_str("[{\"bbox_2d\": [12, 34, 56, 78], \"label\": \"cat\"},"
	                        /* same numbers written differently: 12.0, 34.00, 5.6e1, 780e-1 */
	                        "{\"bbox_2d\": [12.0, 34.00, 5.6e1, 780e-1], \"label\": \"cat\"},"
	                        "{\"bbox_2d\": [12, 34, 56, 78], \"label\": \"Cat\"},"
	                        "{\"bbox_2d\": [12, 34, 56, 79], \"label\": \"cat\"},"
	                        "{\"bbox_2d\": [-0, 0, 0, 0], \"label\": \"z\"},"
	                        "{\"bbox_2d\": [0, 0.0, 0, 0], \"label\": \"z\"},"
	                        "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\\u0000b\"},"
	                        "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\\u0000c\"},"
	                        "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"},"
	                        "{\"box_2d\": [12, 34, 56, 78], \"label\": \"c\\u0061t\"}]", 1);
	assert_int_equal(recparse_count(p), 10);
	const record *r = recparse_records(p);
	assert_true(record_equal(&r[0], &r[1]));          /* 12 vs 12.0 */
	assert_true(record_hash(&r[0]) == record_hash(&r[1]));
	assert_false(record_equal(&r[0], &r[2]));         /* "cat" vs "Cat" */
	assert_false(record_equal(&r[0], &r[3]));         /* 78 vs 79 */
	assert_true(record_equal(&r[4], &r[5]));          /* -0 == 0 */
	assert_true(record_hash(&r[4]) == record_hash(&r[5]));
	assert_false(record_equal(&r[6], &r[7]));         /* differ after the NUL */
	assert_false(record_equal(&r[6], &r[8]));         /* "a\0b" vs "a" */
	/* the key does not matter, only label bytes and numbers; \u0061 = "a" */
	assert_true(record_equal(&r[0], &r[9]));
	assert_true(record_hash(&r[0]) == record_hash(&r[9]));
	/* distinct values hash apart here (not guaranteed in general, but a
	 * hash that ignored the label or the numbers would fail) */
	assert_true(record_hash(&r[0]) != record_hash(&r[2]));
	assert_true(record_hash(&r[0]) != record_hash(&r[3]));
	assert_true(record_hash(&r[6]) != record_hash(&r[7]));
	recparse_free(p);
}

/* ------------------------------------------------------------------ */
/* limits */

static void test_limits(void **state)
{
	(void)state;
	recparse_limits lim;
	recparse_limits_default(&lim);
	assert_int_equal(lim.max_records, 100000);
	assert_int_equal(lim.max_label_bytes, 4096);
	assert_int_equal(lim.max_number_chars, 64);
	assert_int_equal(lim.max_depth, 64);

	lim.max_records = 2;
	recparse *p = recparse_new(&lim);
	const char *rec = "{\"bbox\":[1,2,3,4],\"label\":\"a\"},";
	assert_int_equal(recparse_feed(p, "[", 1, 0), TS_OK);
	assert_int_equal(recparse_feed(p, rec, strlen(rec), 1), TS_OK);
	assert_int_equal(recparse_feed(p, rec, strlen(rec), 2), TS_OK);
	assert_int_equal(recparse_feed(p, rec, strlen(rec), 3), TS_ERR_LIMIT);
	assert_int_equal(recparse_feed(p, rec, strlen(rec), 4), TS_ERR_LIMIT);
	assert_int_equal(recparse_count(p), 2);
	assert_int_equal(recparse_status(p), TS_ERR_LIMIT);
	recparse_free(p);

	/* max_depth 2: containers nested two deep inside a record are fine
	 * ("x": [[1]]), three deep ("x": [[[1]]]) is junk */
	recparse_limits_default(&lim);
	lim.max_depth = 2;
	p = recparse_new(&lim);
	const char *t = "[{\"x\": [[1]], \"bbox\": [1,2,3,4], \"label\": \"ok\"},"
	                "{\"x\": [[[1]]], \"bbox\": [1,2,3,4], \"label\": \"deep\"}]";
	recparse_feed(p, t, strlen(t), 0);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "ok", 1, 2, 3, 4, REC_KEY_BBOX);
	assert_true(recparse_junk(p));
	assert_true(recparse_closed(p));
	recparse_free(p);

	/* 100,000 nested "[" inside a record: junk, no crash, list still closes */
	size_t n = 100000;
	char *deep = malloc(2 * n + 128);
	assert_non_null(deep);
	size_t k = 0;
	k += (size_t)sprintf(deep, "[{\"x\": ");
	memset(deep + k, '[', n);
	k += n;
	memset(deep + k, ']', n);
	k += n;
	strcpy(deep + k, "}, {\"bbox\": [1,2,3,4], \"label\": \"b\"}]");
	p = parse_str(deep, 1);
	assert_int_equal(recparse_count(p), 1);
	assert_true(recparse_junk(p));
	assert_true(recparse_closed(p));
	recparse_free(p);
	free(deep);

	/* zero fields mean defaults */
	recparse_limits zero = { 0, 0, 0, 0 };
	p = recparse_new(&zero);
	assert_non_null(p);
	assert_int_equal(recparse_feed(p, "[{\"bbox\":[1,2,3,4],\"label\":\"a\"}]", 32, 0), TS_OK);
	assert_int_equal(recparse_count(p), 1);
	recparse_free(p);

	/* NULL parser / bytes */
	assert_int_equal(recparse_feed(NULL, "x", 1, 0), TS_ERR_USAGE);
	p = recparse_new(NULL);
	assert_int_equal(recparse_feed(p, NULL, 1, 0), TS_ERR_USAGE);
	assert_int_equal(recparse_feed(p, NULL, 0, 0), TS_OK);
	recparse_free(p);
	recparse_free(NULL);
}


/* ------------------------------------------------------------------ */
/* tag syntaxes and the newer JSON keys (issue 12)
 *
 * Expected values are read off the texts; completion steps are checked with
 * one byte per step (step = byte offset), the offsets found with strstr. */

/* offset of the k-th (0-based) occurrence of needle in t, plus add */
static uint32_t off(const char *t, const char *needle, int k, int add)
{
	const char *q = t;
	for (;;) {
		const char *h = strstr(q, needle);
		assert_non_null(h);
		if (k-- == 0)
			return (uint32_t)(h - t + add);
		q = h + 1;
	}
}

static recparse *bytes_str(const char *t, int stopped)
{
	return parse_bytes(t, strlen(t), stopped);
}

static void test_florence2(void **state)
{
	(void)state;
	/* Florence-2 <OD>: special tokens kept in the text, two boxes after "dog" */
	const char *t = "</s><s>car<loc_52><loc_333><loc_932><loc_774>dog<loc_1><loc_2><loc_3><loc_4>"
	                "<loc_10><loc_20><loc_30><loc_40></s>";
	recparse *p = bytes_str(t, 1);
	assert_int_equal(recparse_count(p), 3);
	const record *r = recparse_records(p);
	assert_rec(&r[0], "car", 52, 333, 932, 774, REC_KEY_FLORENCE);
	assert_rec(&r[1], "dog", 1, 2, 3, 4, REC_KEY_FLORENCE);
	assert_rec(&r[2], "dog", 10, 20, 30, 40, REC_KEY_FLORENCE);
	assert_int_equal(r[0].first_step, off(t, "car", 0, 0));
	assert_int_equal(r[0].last_step, off(t, "<loc_774>", 0, 8));
	assert_int_equal(r[1].first_step, off(t, "dog", 0, 0));
	assert_int_equal(r[2].first_step, off(t, "<loc_10>", 0, 0));
	assert_int_equal(r[2].last_step, off(t, "<loc_40>", 0, 7));
	assert_int_equal(recparse_key(p), REC_KEY_FLORENCE);
	assert_true(recparse_opened(p));
	assert_true(recparse_closed(p));
	assert_false(recparse_junk(p));
	assert_int_equal(recparse_close_step(p), (long)strlen(t) - 1);
	recparse_free(p);
	check_splits(t, strlen(t), 1);
	check_splits(t, strlen(t), 0);

	/* junk: a short group before text, a box without a label, a value of
	 * 1000, the model stopping inside a group; the good records stay */
	static const struct { const char *t; size_t n; long junk_at_byte; } bad[] = {
		{ "car<loc_1><loc_2>dog<loc_5><loc_6><loc_7><loc_8>", 1, 17 },
		{ "<loc_1><loc_2><loc_3><loc_4>dog<loc_5><loc_6><loc_7><loc_8>", 1, 4 },
		{ "car<loc_1000><loc_2><loc_3><loc_4>dog<loc_5><loc_6><loc_7><loc_8>", 1, 12 },
		{ "dog<loc_5><loc_6><loc_7><loc_8>car<loc_1><loc_2", 1, 46 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p = bytes_str(bad[i].t, 1);
		assert_int_equal(recparse_count(p), bad[i].n);
		assert_rec(&recparse_records(p)[0], "dog", 5, 6, 7, 8, REC_KEY_FLORENCE);
		assert_true(recparse_junk(p));
		assert_int_equal(recparse_junk_step(p), bad[i].junk_at_byte);
		recparse_free(p);
		check_splits(bad[i].t, strlen(bad[i].t), 1);
	}
	/* cut off inside a group: no junk, the partial record is not one */
	p = parse_str("dog<loc_5><loc_6><loc_7><loc_8>car<loc_1><loc_2", 0);
	assert_int_equal(recparse_count(p), 1);
	assert_false(recparse_junk(p));
	assert_false(recparse_closed(p));
	recparse_free(p);
	/* a label the model ends without a box is junk */
	p = parse_str("dog<loc_5><loc_6><loc_7><loc_8>cat", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_true(recparse_junk(p));
	recparse_free(p);
}

static void test_deepseek(void **state)
{
	(void)state;
	const char *t = "<|grounding|>Here: <|ref|>cat<|/ref|><|det|>[[12, 34, 56, 78], [100,200,300,400]]"
	                "<|/det|> and the <|ref|>dog<|/ref|><|det|>[[1,2,3,4]]<|/det|>";
	recparse *p = bytes_str(t, 1);
	assert_int_equal(recparse_count(p), 3);
	const record *r = recparse_records(p);
	assert_rec(&r[0], "cat", 12, 34, 56, 78, REC_KEY_DEEPSEEK);
	assert_rec(&r[1], "cat", 100, 200, 300, 400, REC_KEY_DEEPSEEK);
	assert_rec(&r[2], "dog", 1, 2, 3, 4, REC_KEY_DEEPSEEK);
	assert_int_equal(r[0].first_step, off(t, "<|ref|>", 0, 0));
	assert_int_equal(r[0].last_step, off(t, "78]", 0, 2));
	assert_int_equal(r[1].first_step, off(t, "[100", 0, 0));
	assert_int_equal(r[1].last_step, off(t, "400]", 0, 3));
	assert_int_equal(r[2].first_step, off(t, "<|ref|>", 1, 0));
	assert_int_equal(r[2].last_step, off(t, "4]]", 0, 1));
	assert_false(recparse_junk(p));
	assert_true(recparse_closed(p));
	recparse_free(p);
	check_splits(t, strlen(t), 1);
	check_splits(t, strlen(t), 0);

	/* a label without its box, a box of three numbers: junk, skipped */
	const char *b = "<|ref|>cat<|/ref|> sits. <|ref|>x<|/ref|><|det|>[[1,2,3]]<|/det|>"
	                "<|ref|>dog<|/ref|><|det|>[[1,2,3,4]]<|/det|>";
	p = bytes_str(b, 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "dog", 1, 2, 3, 4, REC_KEY_DEEPSEEK);
	assert_true(recparse_junk(p));
	assert_int_equal(recparse_junk_step(p), off(b, " sits", 0, 1));
	recparse_free(p);
	check_splits(b, strlen(b), 1);
	/* stopped inside a box: junk; cut off there: not */
	p = parse_str("<|ref|>dog<|/ref|><|det|>[[1,2,3,4]]<|/det|><|ref|>cat<|/ref|><|det|>[[5,", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_true(recparse_junk(p));
	recparse_free(p);
	p = parse_str("<|ref|>dog<|/ref|><|det|>[[1,2,3,4]]<|/det|><|ref|>cat<|/ref|><|det|>[[5,", 0);
	assert_false(recparse_junk(p));
	recparse_free(p);
}

static void test_qwen2vl_and_refbox(void **state)
{
	(void)state;
	const char *t = "<|object_ref_start|>the car<|object_ref_end|><|box_start|>(123,456),(789,1000)"
	                "<|box_end|><|im_end|>";
	recparse *p = bytes_str(t, 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "the car", 123, 456, 789, 1000, REC_KEY_QWEN2VL);
	assert_int_equal(recparse_records(p)[0].last_step, off(t, "1000)", 0, 4));
	assert_false(recparse_junk(p));
	recparse_free(p);
	check_splits(t, strlen(t), 1);

	/* Qwen-VL pairs and InternVL's list of boxes under one label */
	const char *u = "<ref>cat</ref><box>(1,2),(3,4)</box> and <ref>insulator</ref>"
	                "<box>[[10, 20, 30, 40], [50, 60, 70, 80]]</box>";
	p = bytes_str(u, 1);
	assert_int_equal(recparse_count(p), 3);
	const record *r = recparse_records(p);
	assert_rec(&r[0], "cat", 1, 2, 3, 4, REC_KEY_REFBOX);
	assert_rec(&r[1], "insulator", 10, 20, 30, 40, REC_KEY_REFBOX);
	assert_rec(&r[2], "insulator", 50, 60, 70, 80, REC_KEY_REFBOX);
	assert_int_equal(r[0].last_step, off(u, "4)", 0, 1));
	assert_int_equal(r[2].first_step, off(u, "[50", 0, 0));
	assert_false(recparse_junk(p));
	recparse_free(p);
	check_splits(u, strlen(u), 1);
	check_splits(u, strlen(u), 0);
	/* a single [x1,y1,x2,y2] in <box> is one box too */
	p = parse_str("<ref>a</ref><box>[5, 6, 7, 8]</box>", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "a", 5, 6, 7, 8, REC_KEY_REFBOX);
	assert_false(recparse_junk(p));
	recparse_free(p);
}

static void test_kosmos2(void **state)
{
	(void)state;
	const char *t = "<grounding> An image of<phrase> a snowman</phrase><object><patch_index_0044>"
	                "<patch_index_0863></object> warming himself by<phrase> a fire</phrase><object>"
	                "<patch_index_0005><patch_index_0911></delimiter_of_multi_objects/>"
	                "<patch_index_0100><patch_index_0200></object>";
	recparse *p = bytes_str(t, 1);
	assert_int_equal(recparse_count(p), 3);
	const record *r = recparse_records(p);
	assert_rec(&r[0], "a snowman", 44, 863, 0, 0, REC_KEY_KOSMOS);
	assert_rec(&r[1], "a fire", 5, 911, 0, 0, REC_KEY_KOSMOS);
	assert_rec(&r[2], "a fire", 100, 200, 0, 0, REC_KEY_KOSMOS);
	assert_int_equal(r[0].first_step, off(t, "<phrase>", 0, 0));
	assert_int_equal(r[0].last_step, off(t, "0863>", 0, 4));
	assert_int_equal(r[2].first_step, off(t, "<patch_index_0100>", 0, 0));
	assert_int_equal(r[2].last_step, off(t, "0200>", 0, 4));
	assert_false(recparse_junk(p));
	assert_false(rec_key_point(REC_KEY_KOSMOS));
	assert_int_equal(rec_key_n_values(REC_KEY_KOSMOS), 2);
	recparse_free(p);
	check_splits(t, strlen(t), 1);
	check_splits(t, strlen(t), 0);
	/* one patch only, an index above 1023: junk */
	const char *b = "<phrase>a</phrase><object><patch_index_0044></object>"
	                "<phrase>b</phrase><object><patch_index_0044><patch_index_2000></object>"
	                "<phrase>c</phrase><object><patch_index_0001><patch_index_0002></object>";
	p = bytes_str(b, 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "c", 1, 2, 0, 0, REC_KEY_KOSMOS);
	assert_true(recparse_junk(p));
	recparse_free(p);
	check_splits(b, strlen(b), 1);
}

static void test_molmo(void **state)
{
	(void)state;
	const char *t = "<point x=\"61.5\" y=\"40.6\" alt=\"cat\">cat</point> and "
	                "<points x1=\"10\" y1=\"20\" x2=\"30.5\" y2=\"40\" alt=\"dogs\">dogs</points>"
	                " <point x='1' y='2'>bird nest</point>";
	recparse *p = bytes_str(t, 1);
	assert_int_equal(recparse_count(p), 4);
	const record *r = recparse_records(p);
	assert_rec(&r[0], "cat", 61.5, 40.6, 0, 0, REC_KEY_MOLMO);
	assert_rec(&r[1], "dogs", 10, 20, 0, 0, REC_KEY_MOLMO);
	assert_rec(&r[2], "dogs", 30.5, 40, 0, 0, REC_KEY_MOLMO);
	assert_rec(&r[3], "bird nest", 1, 2, 0, 0, REC_KEY_MOLMO);
	assert_int_equal(r[0].first_step, 0);
	assert_int_equal(r[0].last_step, off(t, "</point>", 0, 7));
	assert_int_equal(r[1].first_step, off(t, "<points", 0, 0));
	assert_int_equal(r[1].last_step, off(t, "</points>", 0, 8));
	assert_int_equal(r[2].last_step, r[1].last_step);
	assert_true(rec_key_point(REC_KEY_MOLMO));
	assert_false(recparse_junk(p));
	assert_true(recparse_closed(p));
	recparse_free(p);
	check_splits(t, strlen(t), 1);
	check_splits(t, strlen(t), 0);
	/* x without y, a value that is not a number, a repeated attribute: junk */
	const char *b = "<point x=\"1\">a</point><point x=\"1a\" y=\"2\">b</point>"
	                "<point x=\"1\" x=\"2\" y=\"3\">c</point><point x=\"7\" y=\"8\">ok</point>";
	p = bytes_str(b, 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "ok", 7, 8, 0, 0, REC_KEY_MOLMO);
	assert_true(recparse_junk(p));
	assert_int_equal(recparse_junk_step(p), off(b, "</point>", 0, 7));
	recparse_free(p);
	check_splits(b, strlen(b), 1);
}

static void test_json_points_moondream_gemini_extras(void **state)
{
	(void)state;
	/* Qwen2.5/3-VL points */
	const char *t = "```json\n[{\"point_2d\": [120, 340], \"label\": \"insulator\"},"
	                " {\"label\": \"pole\", \"point_2d\": [5.5, 6]}]\n```";
	recparse *p = bytes_str(t, 1);
	assert_int_equal(recparse_count(p), 2);
	const record *r = recparse_records(p);
	assert_rec(&r[0], "insulator", 120, 340, 0, 0, REC_KEY_POINT_2D);
	assert_rec(&r[1], "pole", 5.5, 6, 0, 0, REC_KEY_POINT_2D);
	assert_int_equal(r[0].last_step, off(t, "}", 0, 0));
	assert_true(recparse_closed(p));
	assert_false(recparse_junk(p));
	recparse_free(p);
	check_splits(t, strlen(t), 1);
	/* a point_2d of three numbers is junk */
	p = parse_str("[{\"point_2d\": [1, 2, 3], \"label\": \"a\"}, {\"point_2d\": [1, 2], \"label\": \"b\"}]", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_true(recparse_junk(p));
	recparse_free(p);

	/* Moondream detect: the list inside {"objects": ...}, no labels */
	const char *m = "{\"objects\": [{\"x_min\": 0.1, \"y_min\": 0.2, \"x_max\": 0.3, \"y_max\": 0.45},"
	                " {\"y_max\": 1, \"x_min\": 0, \"y_min\": 0.5, \"x_max\": 0.25}]}";
	p = bytes_str(m, 1);
	assert_int_equal(recparse_count(p), 2);
	r = recparse_records(p);
	assert_rec(&r[0], "", 0.1, 0.2, 0.3, 0.45, REC_KEY_MINMAX);
	assert_rec(&r[1], "", 0, 0.5, 0.25, 1, REC_KEY_MINMAX);
	assert_int_equal(r[1].last_step, off(m, "}", 1, 0));
	assert_true(recparse_closed(p));
	assert_int_equal(recparse_close_step(p), off(m, "]", 0, 0));
	assert_false(recparse_junk(p));
	recparse_free(p);
	check_splits(m, strlen(m), 1);
	/* three of the four keys, or x_min beside a bbox: junk */
	p = parse_str("[{\"x_min\": 1, \"y_min\": 2, \"x_max\": 3}, {\"x_min\": 1, \"bbox\": [1,2,3,4], "
	              "\"label\": \"a\"}, {\"x_min\": 1, \"y_min\": 2, \"x_max\": 3, \"y_max\": 4, \"label\": \"b\"}]", 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "b", 1, 2, 3, 4, REC_KEY_MINMAX);
	assert_true(recparse_junk(p));
	recparse_free(p);

	/* Gemini records with a mask and a confidence: kept, never junk */
	const char *g = "[{\"box_2d\": [10, 20, 30, 40], \"mask\": \"data:image/png;base64,iVBORw0KGgo"
	                "AAAANSUhEUgAA+/=\", \"label\": \"cat\", \"confidence\": 0.93}]";
	p = bytes_str(g, 1);
	assert_int_equal(recparse_count(p), 1);
	assert_rec(&recparse_records(p)[0], "cat", 10, 20, 30, 40, REC_KEY_BOX_2D);
	assert_false(recparse_junk(p));
	recparse_free(p);
	check_splits(g, strlen(g), 1);
}

static void test_key_queries(void **state)
{
	(void)state;
	/* which syntaxes are tag streams (only EOS ends them) */
	static const rec_key tagged[] = { REC_KEY_LOC, REC_KEY_FLORENCE, REC_KEY_DEEPSEEK,
	                                  REC_KEY_QWEN2VL, REC_KEY_REFBOX, REC_KEY_KOSMOS, REC_KEY_MOLMO };
	static const rec_key json[] = { REC_KEY_BBOX_2D, REC_KEY_BOX_2D, REC_KEY_BBOX,
	                                REC_KEY_POINT_2D, REC_KEY_MINMAX };
	for (size_t i = 0; i < sizeof tagged / sizeof tagged[0]; i++)
		assert_true(rec_key_tagged(tagged[i]));
	for (size_t i = 0; i < sizeof json / sizeof json[0]; i++)
		assert_false(rec_key_tagged(json[i]));
	assert_false(rec_key_tagged(REC_KEY_NONE));
	assert_string_equal(rec_key_name(REC_KEY_FLORENCE), "florence2");
	assert_string_equal(rec_key_name(REC_KEY_BBOX_2D), "bbox_2d");
	assert_string_equal(rec_key_name(REC_KEY_NONE), "none");
	assert_string_equal(rec_key_name((rec_key)99), "unknown");
	assert_string_equal(rec_key_coords(REC_KEY_DEEPSEEK), "deepseek");
	assert_string_equal(rec_key_coords(REC_KEY_POINT_2D), "qwen3");
	assert_int_equal(rec_key_n_values(REC_KEY_POINT_2D), 2);
	assert_int_equal(rec_key_n_values(REC_KEY_BBOX), 4);
	/* every key but NONE has a name, family and convention */
	for (int k = 1; k < REC_KEY_COUNT; k++) {
		assert_string_not_equal(rec_key_name((rec_key)k), "unknown");
		assert_string_not_equal(rec_key_family((rec_key)k), "none");
	}
	/* a point never equals a box with the same numbers */
	record a = { "a", 1, { 1, 2, 0, 0 }, REC_KEY_POINT_2D, 0, 0 };
	record b = { "a", 1, { 1, 2, 0, 0 }, REC_KEY_BBOX_2D, 0, 0 };
	record c = { "a", 1, { 1, 2, 0, 0 }, REC_KEY_MOLMO, 3, 4 };
	assert_false(record_equal(&a, &b));
	assert_true(record_equal(&a, &c));
	assert_true(record_hash(&a) == record_hash(&c));
	assert_true(record_hash(&a) != record_hash(&b));
}

/* ------------------------------------------------------------------ */
/* property: mutated texts give the same result however they are split */

static void test_mutations_split_invariant(void **state)
{
	(void)state;
	static const char *const base[] = {
		"```json\n[{\"bbox_2d\": [12, 34.5, 5e1, 78], \"label\": \"caf\\u00e9 \\\"x\\\"\"}, "
		"{\"label\": \"d\xc3\xa9\", \"x\": {\"y\": [true, null]}, \"box_2d\": [1, 2, 3, 4]}]\n```",
		"<loc0100><loc0200><loc0300><loc0400> cat ; <loc0001><loc0002><loc0003><loc0004> d\xc3\xa9g",
		"{\"bbox\": [1, 2, 3, 4], \"label\": \"\\ud83d\\ude00\"}\n{\"bbox\": [5, 6, 7, 8], \"label\": \"b\"}",
		"</s><s>car<loc_52><loc_333><loc_932><loc_774>d\xc3\xa9g<loc_1><loc_2><loc_3><loc_4></s>",
		"<|ref|>cat<|/ref|><|det|>[[12, 34, 56, 78], [1,2,3,4]]<|/det|> <|ref|>d<|/ref|><|det|>[[1,2,3,4]]<|/det|>",
		"<|object_ref_start|>car<|object_ref_end|><|box_start|>(1,2),(3,4)<|box_end|>",
		"<ref>cat</ref><box>(1,2),(3,4)</box><ref>i</ref><box>[[10, 20, 30, 40], [5, 6, 7, 8]]</box>",
		"<phrase> a</phrase><object><patch_index_0044><patch_index_0863></delimiter_of_multi_objects/>"
		"<patch_index_0001><patch_index_0002></object>",
		"<point x=\"61.5\" y=\"40.6\" alt=\"cat\">cat</point><points x1=\"1\" y1=\"2\" x2='3' y2='4'>b</points>",
		"[{\"point_2d\": [120, 340], \"label\": \"a\"}, {\"box_2d\": [1,2,3,4], \"mask\": \"x\", \"label\": \"b\"}]",
		"{\"objects\": [{\"x_min\": 0.1, \"y_min\": 0.2, \"x_max\": 0.3, \"y_max\": 0.45}]}",
	};
	static const char alphabet[] = "[]{}\",:\\u0123456789.eE+-abel_ <loc>;\xc3\xa9\xf0\x9f\n|/()=_'px";
	const size_t n_base = sizeof base / sizeof base[0];
	char buf[512];
	uint32_t s = 12345;
	for (int iter = 0; iter < 6000; iter++) {
		const char *b = base[(size_t)iter % n_base];
		size_t n = strlen(b);
		memcpy(buf, b, n);
		int muts = 1 + iter % 4;
		for (int m = 0; m < muts; m++) {
			s = s * 1664525u + 1013904223u;
			size_t pos = (s >> 8) % (n + 1);
			s = s * 1664525u + 1013904223u;
			char ch = alphabet[(s >> 8) % (sizeof alphabet - 1)];
			s = s * 1664525u + 1013904223u;
			switch ((s >> 8) % 3) {
			case 0: /* insert */
				if (n + 1 < sizeof buf) {
					memmove(buf + pos + 1, buf + pos, n - pos);
					buf[pos] = ch;
					n++;
				}
				break;
			case 1: /* delete */
				if (pos < n) {
					memmove(buf + pos, buf + pos + 1, n - pos - 1);
					n--;
				}
				break;
			default: /* replace */
				if (pos < n)
					buf[pos] = ch;
				break;
			}
		}
		/* also cut it short sometimes */
		s = s * 1664525u + 1013904223u;
		if ((s >> 8) % 4 == 0)
			n = (s >> 12) % (n + 1);
		int stopped = (int)((s >> 20) & 1);
		recparse *w = parse_whole(buf, n, stopped);
		recparse *by = parse_bytes(buf, n, stopped);
		assert_same(w, by);
		for (uint32_t seed = 1; seed <= 5; seed++) {
			recparse *r = parse_random(buf, n, stopped, seed + (uint32_t)iter * 7);
			assert_same(w, r);
			recparse_free(r);
		}
		recparse_free(w);
		recparse_free(by);
	}
}

/* ------------------------------------------------------------------ */
/* differential: steps fed whole (recparse_feed_steps, recparse_feed) give
 * what one call per byte gives, each byte carrying its step */

typedef struct { uint32_t off, len; double pad; } dstep; /* trace_step's head */

/* Everything, steps included, is the same. */
static void assert_same_exact(const recparse *a, const recparse *b)
{
	assert_same(a, b);
	assert_int_equal(recparse_status(a), recparse_status(b));
	assert_int_equal(recparse_close_step(a), recparse_close_step(b));
	assert_int_equal(recparse_junk_step(a), recparse_junk_step(b));
	const record *ra = recparse_records(a), *rb = recparse_records(b);
	for (size_t i = 0; i < recparse_count(a); i++) {
		assert_int_equal(ra[i].first_step, rb[i].first_step);
		assert_int_equal(ra[i].last_step, rb[i].last_step);
	}
}

/* text cut at cut, in random steps of 0..maxn bytes (seed), three ways */
static void diff_one(const char *text, size_t len, size_t cut, uint32_t seed, size_t maxn,
                     const recparse_limits *lim)
{
	static dstep st[4096];
	size_t n = 0, i = 0;
	uint32_t s = seed * 2654435761u + 7;
	while (i < len && n < sizeof st / sizeof st[0]) {
		s = s * 1664525u + 1013904223u;
		size_t k = (s >> 20) % (maxn + 1);
		if (k > len - i || n + 1 == sizeof st / sizeof st[0])
			k = len - i;
		st[n].off = (uint32_t)i;
		st[n++].len = (uint32_t)k;
		i += k;
	}
	recparse *a = recparse_new(lim), *b = recparse_new(lim), *c = recparse_new(lim);
	assert_true(a && b && c);
	ts_status sa = recparse_feed_steps(a, text, st, sizeof st[0], n, cut);
	ts_status sb = TS_OK, sc = TS_OK;
	for (size_t j = 0; j < n; j++) {
		size_t e = st[j].off + st[j].len;
		size_t l = st[j].off >= cut ? 0 : e > cut ? cut - st[j].off : st[j].len;
		if (sc == TS_OK)
			sc = recparse_feed(c, text + st[j].off, l, (uint32_t)j);
		for (size_t q = 0; q < l && sb == TS_OK; q++)
			sb = recparse_feed(b, text + st[j].off + q, 1, (uint32_t)j);
	}
	assert_int_equal(sa, sb);
	assert_int_equal(sc, sb);
	uint32_t last = n ? (uint32_t)(n - 1) : 0;
	int stopped = (int)(seed & 1);
	recparse_finish(a, last, stopped);
	recparse_finish(b, last, stopped);
	recparse_finish(c, last, stopped);
	assert_same_exact(a, b);
	assert_same_exact(c, b);
	recparse_free(a);
	recparse_free(b);
	recparse_free(c);
}

static void diff_text(const char *text, size_t len, int rounds)
{
	recparse_limits small;
	recparse_limits_default(&small);
	small.max_number_chars = 4;
	small.max_label_bytes = 5;
	small.max_depth = 3;
	small.max_records = 2;
	for (int r = 0; r < rounds; r++) {
		uint32_t seed = (uint32_t)r + 1;
		size_t cut = r % 3 == 2 ? (size_t)(seed * 40503u) % (len + 1) : len;
		diff_one(text, len, cut, seed, (size_t)(1 + r % 9), NULL);
		diff_one(text, len, cut, seed, 3, &small);
	}
}

/* the model outputs in tests/data/realmodel (choices[0].message.content) */
static void diff_fixture(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char line[1 << 20];
	int seen = 0;
	while (fgets(line, sizeof line, f)) {
		cJSON *j = cJSON_Parse(line);
		assert_non_null(j);
		cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "choices"), 0);
		cJSON *msg = cJSON_GetObjectItem(ch, "message");
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(msg, "content"));
		assert_non_null(t);
		diff_text(t, strlen(t), 60);
		seen++;
		cJSON_Delete(j);
	}
	fclose(f);
	assert_true(seen > 0);
}

static void test_steps_vs_bytes(void **state)
{
	(void)state;
	static const char *const hostile[] = {
		"[{\"bbox_2d\": [12, 34.5, 5e1, 78], \"label\": \"caf\\u00e9 \\\"x\\\" d\xc3\xa9\"}, "
		"{\"label\": \"a b c d e f g\", \"x\": {\"y\": [true, null, \"s\\\\\"]}, \"box_2d\": [1, 2, 3, 4]}]",
		"[{\"bbox_2d\": [00, 1, 2, 3], \"label\": \"a\"}, {\"bbox_2d\": [123456789, 1e+5, -0.25, 3E-2], \"label\": \"b\"}]",
		"[{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\"}, {\"bbox_2d\": [1,2,3,4],\"label\":\"\xc3(\"}]",
		"[{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"\\ud83d\\ude00 x\"}, {\"label\": \"\x01\", \"bbox_2d\": [1, 2, 3, 4]}, "
		"{\"bbox_2d\" :[ 1 , 2 ,\t3 ,\r\n4 ] , \"label\" : \"ok\" } ]  trailing {\"bbox_2d\": [1,2,3,4]}",
		"{\"bbox\": [1, 2, 3, 4], \"label\": \"\\ud83d\"}\n{\"bbox\": [5, 6, 7, 8], \"label\": \"b\"}\n{\"x_min\": 0.1, "
		"\"y_min\": 0.2, \"x_max\": 0.3, \"y_max\": 0.45}",
		"[{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}, {\"bbox_2d\": [1, 2, 3, 4], \"label\": \"b\"}, "
		"{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"c\"}]",
		"[{\"a_very_long_key_name_here\": 1, \"bbox_2d\": [1.5, 2.25, 1234567.125, 4], \"label\": \"long label text\"}",
		"{\"objects\": [{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"w\"}, {\"bbox_2d\": [1, 2, 3, 4], \"label\": \"v\"}]} x",
	};
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++)
		diff_text(hostile[i], strlen(hostile[i]), 200);
	diff_fixture("tests/data/realmodel/dense2-early/traces.jsonl");
	diff_fixture("tests/data/realmodel/dense2-final/traces.jsonl");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qwen_fenced),
		cmocka_unit_test(test_bare_label_first),
		cmocka_unit_test(test_gemini_and_bbox),
		cmocka_unit_test(test_extra_keys),
		cmocka_unit_test(test_empty_and_no_list),
		cmocka_unit_test(test_bare_objects),
		cmocka_unit_test(test_qwen_step_numbers),
		cmocka_unit_test(test_feed_split_helper),
		cmocka_unit_test(test_splits_json),
		cmocka_unit_test(test_splits_loc),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_junk_between),
		cmocka_unit_test(test_text_after_list),
		cmocka_unit_test(test_label_escapes),
		cmocka_unit_test(test_label_split_utf8),
		cmocka_unit_test(test_label_cut),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_degenerate_number),
		cmocka_unit_test(test_loc_tokens),
		cmocka_unit_test(test_loc_rules),
		cmocka_unit_test(test_record_equal),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_florence2),
		cmocka_unit_test(test_deepseek),
		cmocka_unit_test(test_qwen2vl_and_refbox),
		cmocka_unit_test(test_kosmos2),
		cmocka_unit_test(test_molmo),
		cmocka_unit_test(test_json_points_moondream_gemini_extras),
		cmocka_unit_test(test_key_queries),
		cmocka_unit_test(test_mutations_split_invariant),
		cmocka_unit_test(test_steps_vs_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
