/* test_gt.c — COCO ground truth loading and lookups.
 *
 * Fixture tests/data/gt/tiny.json (paths are relative to the repository
 * root, where `make check` runs the tests).  What the fixture holds and what
 * the loader must make of it:
 *
 *   images      139 "img-000139.jpg" 640x480      kept (index 0)
 *               7   "train/pole_7.png" 100x50     kept (index 1)
 *               42  "a.jpg" (no size)             kept (index 2), size 0x0
 *               no id                             skipped (1)
 *               7 again "dup.jpg"                 skipped: duplicate id (2)
 *   categories  1 "Insulator"  -> index 0
 *               2 "damper"     -> index 1
 *               5 "ÉCLAIR"     -> index 2
 *               9 " insulator " -> same name as 1 after trim + case fold:
 *                                 merged into index 0 (first wins), not skipped
 *   annotations id 1  img 7   cat 1  [0,0,10,10]          kept
 *               id 2  img 139 cat 2  [1,2,3,4] crowd      kept
 *               id 3  img 7   cat 2  [5,5,5,5]            kept
 *               id 4  unknown category 3                  skipped (3)
 *               id 5  unknown image 999                   skipped (4)
 *               id 6  negative width                      skipped (5)
 *               id 7  bbox of 3 numbers                   skipped (6)
 *               id 8  iscrowd 2                           skipped (7)
 *               id 9  img 7   cat 9 (-> index 0) [1.5,1,2.25,1]   kept
 *               id 10 bbox with a string                  skipped (8)
 *               (no id) img 42 cat 5 [0,0,0,0]            kept, id = position 11
 *   => 3 images, 3 categories, 5 annotations, 8 skipped.
 *   Grouped by image in image file order, file order within an image:
 *     anns[0] = id 2 (img 139); anns[1..3] = ids 1, 3, 9 (img 7); anns[4] = id 11 (img 42).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gt.h"

#define TINY "tests/data/gt/tiny.json"
#define NOT_JSON "tests/data/gt/not_json.json"

static int load_tiny(void **state)
{
	gt *g = NULL;
	size_t skipped = 99;
	ts_error err;
	ts_status st = gt_load(TINY, &g, &skipped, &err);
	if (st != TS_OK) {
		fprintf(stderr, "load failed: %s\n", err.msg);
		return -1;
	}
	if (skipped != 8) {
		fprintf(stderr, "skipped = %zu, expected 8\n", skipped);
		gt_free(g);
		return -1;
	}
	*state = g;
	return 0;
}

static int free_tiny(void **state)
{
	gt_free(*state);
	return 0;
}

static void test_counts_and_skipped(void **state)
{
	gt *g = NULL;
	size_t skipped = 0;
	ts_error err;
	(void)state;
	assert_int_equal(gt_load(TINY, &g, &skipped, &err), TS_OK);
	assert_int_equal(err.code, TS_OK);
	assert_int_equal(skipped, 8); /* 2 images + 6 annotations, see the header */
	assert_int_equal(gt_n_images(g), 3);
	assert_int_equal(gt_n_categories(g), 3);
	gt_free(g);

	/* skipped may be NULL */
	assert_int_equal(gt_load(TINY, &g, NULL, NULL), TS_OK);
	gt_free(g);
}

static void test_images_and_grouping(void **state)
{
	const gt *g = *state;
	const gt_image *im = gt_images(g);
	const gt_ann *a = gt_anns(g);

	/* images in file order, the duplicate id 7 ("dup.jpg") dropped */
	assert_int_equal(im[0].id, 139);
	assert_string_equal(im[0].file_name, "img-000139.jpg");
	assert_true(im[0].width == 640 && im[0].height == 480);
	assert_int_equal(im[1].id, 7);
	assert_string_equal(im[1].file_name, "train/pole_7.png");
	assert_int_equal(im[2].id, 42);
	assert_true(im[2].width == 0 && im[2].height == 0); /* absent */

	assert_int_equal(im[0].ann_first, 0);
	assert_int_equal(im[0].n_ann, 1);
	assert_int_equal(im[1].ann_first, 1);
	assert_int_equal(im[1].n_ann, 3);
	assert_int_equal(im[2].ann_first, 4);
	assert_int_equal(im[2].n_ann, 1);

	assert_int_equal(a[0].id, 2);
	assert_int_equal(a[0].image_id, 139);
	assert_int_equal(a[0].cat, 1);
	assert_int_equal(a[0].iscrowd, 1);
	assert_true(a[0].bbox[0] == 1 && a[0].bbox[1] == 2 && a[0].bbox[2] == 3 && a[0].bbox[3] == 4);

	/* image 7 keeps file order: ids 1, 3, 9 */
	assert_int_equal(a[1].id, 1);
	assert_int_equal(a[1].cat, 0);
	assert_int_equal(a[1].iscrowd, 0);
	assert_int_equal(a[2].id, 3);
	assert_int_equal(a[2].cat, 1);
	assert_int_equal(a[3].id, 9);
	assert_int_equal(a[3].cat, 0); /* category 9 " insulator " merged into 1 "Insulator" */
	assert_true(a[3].bbox[0] == 1.5 && a[3].bbox[2] == 2.25);

	/* missing id: its 1-based position in the annotations array */
	assert_int_equal(a[4].id, 11);
	assert_int_equal(a[4].image_id, 42);
	assert_int_equal(a[4].cat, 2);
}

static void test_categories(void **state)
{
	const gt *g = *state;
	assert_string_equal(gt_category_name(g, 0), "Insulator");
	assert_string_equal(gt_category_name(g, 1), "damper");
	assert_string_equal(gt_category_name(g, 2), "ÉCLAIR");
	assert_null(gt_category_name(g, 3));
	assert_null(gt_category_name(g, -1));
	assert_int_equal(gt_category_id(g, 0), 1);
	assert_int_equal(gt_category_id(g, 2), 5);
	assert_int_equal(gt_category_id(g, 3), -1);

#define LK(s) gt_category_lookup(g, s, strlen(s))
	assert_int_equal(LK(" Insulator "), 0);
	assert_int_equal(LK("insulator"), 0);
	assert_int_equal(LK("\tINSULATOR\r\n"), 0);
	assert_int_equal(LK("DAMPER"), 1);
	assert_int_equal(LK("ÉCLAIR"), 2);
	/* ASCII letters fold, the UTF-8 bytes of É (C3 89) compare as they are */
	assert_int_equal(LK("Éclair"), 2);
	assert_int_equal(LK("éclair"), -1); /* é is C3 A9: no Unicode folding */
	assert_int_equal(LK("cat"), -1);
	assert_int_equal(LK("insulators"), -1);
	assert_int_equal(LK("insulato"), -1);
	assert_int_equal(LK(""), -1);
	assert_int_equal(LK("   "), -1);
#undef LK
	/* counted: only the first len bytes count; an embedded NUL is a byte */
	assert_int_equal(gt_category_lookup(g, "damper-x", 6), 1);
	assert_int_equal(gt_category_lookup(g, "damper\0x", 8), -1);
	assert_int_equal(gt_category_lookup(NULL, "damper", 6), -1);
	assert_int_equal(gt_category_lookup(g, NULL, 0), -1);
}

static void test_lookup_id(void **state)
{
	const gt *g = *state;
	const gt_image *im = gt_images(g);
	assert_ptr_equal(gt_find_image_id(g, 139), &im[0]);
	assert_ptr_equal(gt_find_image_id(g, 7), &im[1]);
	assert_string_equal(gt_find_image_id(g, 7)->file_name, "train/pole_7.png"); /* first of the two 7s */
	assert_ptr_equal(gt_find_image_id(g, 42), &im[2]);
	assert_null(gt_find_image_id(g, 8));
	assert_null(gt_find_image_id(g, -1));
	assert_null(gt_find_image_id(NULL, 7));
}

static void test_lookup_file_name(void **state)
{
	const gt *g = *state;
	const gt_image *im = gt_images(g);
	assert_ptr_equal(gt_find_file_name(g, "train/pole_7.png"), &im[1]); /* exact */
	assert_ptr_equal(gt_find_file_name(g, "pole_7.png"), &im[1]);       /* basename of the gt side */
	assert_ptr_equal(gt_find_file_name(g, "/data/x/pole_7.png"), &im[1]); /* basename of both */
	assert_ptr_equal(gt_find_file_name(g, "images/img-000139.jpg"), &im[0]);
	assert_ptr_equal(gt_find_file_name(g, "a.jpg"), &im[2]);
	assert_null(gt_find_file_name(g, "dup.jpg"));     /* its image was dropped */
	assert_null(gt_find_file_name(g, "pole_7.PNG")); /* file names are case-sensitive */
	assert_null(gt_find_file_name(g, "pole_7"));
	assert_null(gt_find_file_name(g, "train/"));     /* empty basename */
	assert_null(gt_find_file_name(g, ""));
	assert_null(gt_find_file_name(g, NULL));
}

static void test_lookup_custom_id(void **state)
{
	const gt *g = *state;
	const gt_image *im = gt_images(g);
	/* stem (basename without extension) of "img-000139.jpg" */
	assert_ptr_equal(gt_find_custom_id(g, "img-000139"), &im[0]);
	/* exact file name, and by basename */
	assert_ptr_equal(gt_find_custom_id(g, "a.jpg"), &im[2]);
	assert_ptr_equal(gt_find_custom_id(g, "x/a.jpg"), &im[2]);
	/* stem of "train/pole_7.png" */
	assert_ptr_equal(gt_find_custom_id(g, "pole_7"), &im[1]);
	/* first run of digits as an id: "req-0042-b9" -> 42 */
	assert_ptr_equal(gt_find_custom_id(g, "req-0042-b9"), &im[2]);
	assert_ptr_equal(gt_find_custom_id(g, "7"), &im[1]);
	assert_null(gt_find_custom_id(g, "req-0043"));  /* no image 43 */
	assert_null(gt_find_custom_id(g, "nodigits"));
	assert_null(gt_find_custom_id(g, "n-99999999999999999999999")); /* overflows int64 */
	assert_null(gt_find_custom_id(g, ""));
	assert_null(gt_find_custom_id(g, NULL));
}

static void test_missing_file(void **state)
{
	gt *g = (gt *)1;
	size_t skipped = 5;
	ts_error err;
	(void)state;
	assert_int_equal(gt_load("tests/data/gt/does-not-exist.json", &g, &skipped, &err),
	                 TS_ERR_NOTFOUND); /* analysis/fsafe.h: ENOENT is "not found" */
	assert_null(g);
	assert_int_equal(skipped, 0);
	assert_int_equal(err.code, TS_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "tests/data/gt/does-not-exist.json"));
	assert_non_null(strstr(err.msg, "No such file"));

	assert_int_equal(gt_load("tests/data/gt", &g, NULL, &err), TS_ERR_IO);
	assert_non_null(strstr(err.msg, "tests/data/gt"));
	assert_non_null(strstr(err.msg, "directory"));
}

/* A sparse file of 1 GiB + 1 byte is refused from its size, before reading. */
static void test_too_large(void **state)
{
	(void)state;
	char path[] = "/tmp/ts_gt_big_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	if (ftruncate(fd, ((off_t)1 << 30) + 1) != 0) {
		close(fd);
		unlink(path);
		skip();
	}
	close(fd);
	gt *g = (gt *)1;
	ts_error err;
	ts_status st = gt_load(path, &g, NULL, &err);
	unlink(path);
	assert_int_equal(st, TS_ERR_LIMIT);
	assert_null(g);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "too large"));
	assert_non_null(strstr(err.msg, "1 GiB"));
}

static void test_not_json(void **state)
{
	gt *g = (gt *)1;
	ts_error err;
	(void)state;
	/* "images: [oops]": the parser stops at line 1, the 'i' in column 1 */
	assert_int_equal(gt_load(NOT_JSON, &g, NULL, &err), TS_ERR_JSON);
	assert_null(g);
	assert_non_null(strstr(err.msg, NOT_JSON));
	assert_non_null(strstr(err.msg, "not JSON"));
	assert_non_null(strstr(err.msg, "line 1"));
}

static void test_buffer_errors(void **state)
{
	gt *g = NULL;
	ts_error err;
	(void)state;
	static const struct {
		const char *json;
		ts_status st;
		const char *needle;
	} cases[] = {
		{ "", TS_ERR_JSON, "empty" },
		{ "{\"images\": []", TS_ERR_JSON, "not JSON" },
		/* the error sits on line 2 */
		{ "{\"images\": [],\n \"x\": tru}", TS_ERR_JSON, "line 2" },
		{ "{\"images\": []} trailing", TS_ERR_JSON, "after the value" },
		{ "[]", TS_ERR_FORMAT, "top level" },
		{ "{}", TS_ERR_FORMAT, "no \"images\" array" },
		{ "{\"images\": 3}", TS_ERR_FORMAT, "\"images\" is not an array" },
		{ "{\"images\": [], \"annotations\": {}}", TS_ERR_FORMAT, "\"annotations\"" },
		{ "{\"images\": [], \"categories\": \"x\"}", TS_ERR_FORMAT, "\"categories\"" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ts_status st = gt_load_buffer(cases[i].json, strlen(cases[i].json), "mem.json", &g, NULL, &err);
		if (st != cases[i].st || !strstr(err.msg, cases[i].needle) || !strstr(err.msg, "mem.json"))
			fail_msg("case %zu: status %d, message \"%s\"", i, (int)st, err.msg);
		assert_null(g);
	}
}

static void test_buffer_minimal(void **state)
{
	gt *g = NULL;
	size_t skipped = 9;
	ts_error err;
	(void)state;
	/* no annotations, no categories: valid, empty */
	const char *j = "{\"images\": [{\"id\": 1}], \"annotations\": null}\n";
	assert_int_equal(gt_load_buffer(j, strlen(j), "m", &g, &skipped, &err), TS_OK);
	assert_int_equal(skipped, 0);
	assert_int_equal(gt_n_images(g), 1);
	assert_string_equal(gt_images(g)[0].file_name, "");
	assert_int_equal(gt_images(g)[0].n_ann, 0);
	assert_int_equal(gt_n_categories(g), 0);
	assert_int_equal(gt_category_lookup(g, "x", 1), -1);
	assert_null(gt_find_file_name(g, "x.jpg"));
	gt_free(g);

	/* non-integer and out-of-range ids, bad category entries:
	 * image 1.5 (skip), image 1e30 (skip), image 2 (kept),
	 * category without name (skip), category "x" id 3 (kept), category id 3 again (skip),
	 * annotation iscrowd true (kept, crowd), annotation with NaN-free but w=0 h=0 (kept),
	 * annotation category_id 4 (unknown: skip)
	 * => 1 image, 1 category, 2 annotations, 2 + 2 + 1 = 5 skipped. */
	const char *j2 =
		"{\"images\": [{\"id\": 1.5}, {\"id\": 1e30}, {\"id\": 2, \"width\": -5, \"height\": \"7\"}],"
		" \"categories\": [{\"id\": 4}, {\"id\": 3, \"name\": \"x\"}, {\"id\": 3, \"name\": \"y\"}],"
		" \"annotations\": [{\"id\": 1, \"image_id\": 2, \"category_id\": 3, \"bbox\": [1,1,1,1], \"iscrowd\": true},"
		"                   {\"id\": 2, \"image_id\": 2, \"category_id\": 3, \"bbox\": [1,1,0,0]},"
		"                   {\"id\": 3, \"image_id\": 2, \"category_id\": 4, \"bbox\": [1,1,1,1]}]}";
	assert_int_equal(gt_load_buffer(j2, strlen(j2), "m", &g, &skipped, &err), TS_OK);
	assert_int_equal(skipped, 5);
	assert_int_equal(gt_n_images(g), 1);
	assert_int_equal(gt_images(g)[0].id, 2);
	assert_true(gt_images(g)[0].width == 0 && gt_images(g)[0].height == 0); /* invalid sizes -> 0 */
	assert_int_equal(gt_n_categories(g), 1);
	assert_int_equal(gt_category_lookup(g, "Y", 1), -1); /* the duplicate id was dropped */
	assert_int_equal(gt_images(g)[0].n_ann, 2);
	assert_int_equal(gt_anns(g)[0].iscrowd, 1);
	assert_int_equal(gt_anns(g)[1].iscrowd, 0);
	gt_free(g);
}

/* Image and category entries read member by member keep cJSON's rules
 * (worked out by hand): the first of repeated keys counts, a \u0000 ends a
 * key, other members (nested, any type) are validated and skipped, a
 * non-object entry is skipped, an entry over 1 MiB is skipped whole; the
 * annotations of interleaved images still go to their image. */
static void test_entries_member_by_member(void **state)
{
	(void)state;
	size_t big = ((size_t)1 << 20) + 16;
	char *huge = malloc(big + 256);
	assert_non_null(huge);
	int n = snprintf(huge, 256, "{\"images\": [{\"id\": 9, \"file_name\": \"");
	memset(huge + n, 'a', big);
	snprintf(huge + n + big, 256 - 64,
	         "\"}, 5, {\"id\": 1, \"id\": 2, \"meta\": {\"x\": [1, {\"y\": null}]}, \"file_name\": \"a.jpg\","
	         " \"file_name\": \"b.jpg\"}, {\"id\\u0000z\": 3, \"file_name\": \"c.jpg\"}],");
	const char *rest =
		" \"categories\": [{\"name\": \"cat\", \"extra\": [[]], \"id\": 7, \"name\": \"dog\"}, []],"
		" \"annotations\": [{\"image_id\": 3, \"category_id\": 7, \"bbox\": [0, 0, 1, 1]},"
		" {\"image_id\": 1, \"category_id\": 7, \"bbox\": [0, 0, 2, 2]},"
		" {\"image_id\": 3, \"category_id\": 7, \"bbox\": [0, 0, 3, 3]}]}";
	size_t len = strlen(huge);
	char *doc = malloc(len + strlen(rest) + 1);
	assert_non_null(doc);
	memcpy(doc, huge, len);
	strcpy(doc + len, rest);
	gt *g = NULL;
	size_t skipped = 0;
	ts_error err;
	assert_int_equal(gt_load_buffer(doc, strlen(doc), "m", &g, &skipped, &err), TS_OK);
	assert_int_equal(skipped, 3); /* the 1 MiB image, the 5, the [] category */
	assert_int_equal(gt_n_images(g), 2);
	assert_int_equal(gt_images(g)[0].id, 1);
	assert_string_equal(gt_images(g)[0].file_name, "a.jpg");
	assert_int_equal(gt_images(g)[1].id, 3);
	assert_string_equal(gt_images(g)[1].file_name, "c.jpg");
	assert_int_equal(gt_n_categories(g), 1);
	assert_string_equal(gt_category_name(g, 0), "cat");
	assert_int_equal(gt_images(g)[0].n_ann, 1);
	assert_true(gt_anns(g)[gt_images(g)[0].ann_first].bbox[2] == 2);
	assert_int_equal(gt_images(g)[1].n_ann, 2);
	assert_true(gt_anns(g)[gt_images(g)[1].ann_first].bbox[2] == 1);
	assert_true(gt_anns(g)[gt_images(g)[1].ann_first + 1].bbox[2] == 3);
	gt_free(g);
	free(doc);
	free(huge);
}

/* an image's numbers in any JSON form: read as cJSON reads them */
static void test_image_numbers(void **state)
{
	(void)state;
	const char *doc = "{\"images\": [{\"id\": 1e2, \"width\": 6.4e2, \"height\": 4.8E+2},"
	                  " {\"id\": -0, \"width\": 0.5, \"height\": 1000000000000000000000},"
	                  " {\"id\": 7.5, \"width\": 3}, {\"id\": 9, \"id\": 10, \"width\": \"9\"}],"
	                  " \"annotations\": [], \"categories\": [{\"id\": 2E0, \"name\": \"c\"}]}";
	gt *g = NULL;
	size_t skipped = 0;
	ts_error err;
	assert_int_equal(gt_load_buffer(doc, strlen(doc), "n", &g, &skipped, &err), TS_OK);
	assert_int_equal(skipped, 1); /* id 7.5 is no integer */
	assert_int_equal(gt_n_images(g), 3);
	const gt_image *a = gt_find_image_id(g, 100), *b = gt_find_image_id(g, 0), *c = gt_find_image_id(g, 9);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_true(a->width == 640 && a->height == 480);
	assert_true(b->width == 0.5 && b->height == 1e21);
	assert_true(c->width == 0); /* the first id counts; a string size is no size */
	assert_int_equal(gt_category_id(g, 0), 2);
	gt_free(g);
}

/* 100,000 images (ids 3*i+1 in descending file order, names "d/i<i>.jpg"),
 * 2 annotations each for every 10th image; every lookup must find its image. */
static void test_large(void **state)
{
	(void)state;
	const size_t n = 100000;
	size_t cap = n * 96 + 256, len = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	len += (size_t)snprintf(buf + len, cap - len, "{\"categories\": [{\"id\": 1, \"name\": \"c\"}], \"images\": [");
	for (size_t k = 0; k < n; k++) {
		size_t i = n - 1 - k;
		len += (size_t)snprintf(buf + len, cap - len, "%s{\"id\": %zu, \"file_name\": \"d/i%zu.jpg\"}",
		                        k ? "," : "", 3 * i + 1, i);
	}
	len += (size_t)snprintf(buf + len, cap - len, "], \"annotations\": [");
	for (size_t i = 0; i < n; i += 10)
		len += (size_t)snprintf(buf + len, cap - len,
		                        "%s{\"id\": %zu, \"image_id\": %zu, \"category_id\": 1, \"bbox\": [0,0,1,1]},"
		                        "{\"id\": %zu, \"image_id\": %zu, \"category_id\": 1, \"bbox\": [0,0,2,2]}",
		                        i ? "," : "", 2 * i, 3 * i + 1, 2 * i + 1, 3 * i + 1);
	len += (size_t)snprintf(buf + len, cap - len, "]}");
	assert_true(len < cap);

	gt *g = NULL;
	size_t skipped = 1;
	ts_error err;
	struct timespec t0, t1, t2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(gt_load_buffer(buf, len, "big", &g, &skipped, &err), TS_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(skipped, 0);
	assert_int_equal(gt_n_images(g), n);
	char name[64];
	for (size_t i = 0; i < n; i++) {
		const gt_image *im = gt_find_image_id(g, (int64_t)(3 * i + 1));
		assert_non_null(im);
		assert_int_equal(im - gt_images(g), (ptrdiff_t)(n - 1 - i));
		snprintf(name, sizeof name, "i%zu.jpg", i);
		assert_ptr_equal(gt_find_file_name(g, name), im);
		snprintf(name, sizeof name, "i%zu", i);
		assert_ptr_equal(gt_find_custom_id(g, name), im); /* by stem */
		assert_int_equal(im->n_ann, i % 10 == 0 ? 2 : 0);
		if (im->n_ann)
			assert_int_equal(gt_anns(g)[im->ann_first].id, 2 * i); /* file order kept */
		assert_null(gt_find_image_id(g, (int64_t)(3 * i + 2)));
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	fprintf(stderr, "# 100k images: load %.1f ms, 300k lookups %.1f ms\n",
	        (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
	        (double)(t2.tv_sec - t1.tv_sec) * 1e3 + (double)(t2.tv_nsec - t1.tv_nsec) / 1e6);
	gt_free(g);
	free(buf);
}

/* gt_async: the same results as gt_load (sample_runs/scenes/gt.json: 24
 * images and 472 annotations, counted by python's json), its error for a
 * missing file, and an abandoned load freed (ASan and valgrind see leaks). */
static void test_async(void **st)
{
	(void)st;
	gt *g = NULL;
	ts_error err;
	gt_async *a = gt_async_start("sample_runs/scenes/gt.json");
	assert_non_null(a);
	assert_int_equal(gt_async_wait(a, -1), 1);
	assert_int_equal(gt_async_wait(a, 0), 1);
	size_t skipped = 99;
	assert_int_equal(gt_async_take(a, &g, &skipped, &err), TS_OK);
	assert_non_null(g);
	assert_int_equal(gt_n_images(g), 24);
	size_t anns = 0;
	for (size_t i = 0; i < gt_n_images(g); i++)
		anns += gt_images(g)[i].n_ann;
	assert_int_equal(anns, 472);
	assert_int_equal(skipped, 0);
	gt_free(g);
	ts_error e2;
	gt *g2 = NULL;
	a = gt_async_start("tests/data/gt/does-not-exist.json");
	assert_int_equal(gt_async_take(a, &g, NULL, &err), TS_ERR_NOTFOUND);
	assert_null(g);
	assert_int_equal(gt_load("tests/data/gt/does-not-exist.json", &g2, NULL, &e2), TS_ERR_NOTFOUND);
	assert_string_equal(err.msg, e2.msg);
	gt_async_abandon(gt_async_start("sample_runs/scenes/gt.json")); /* at once */
	a = gt_async_start("sample_runs/scenes/gt.json");
	gt_async_wait(a, -1);
	gt_async_abandon(a); /* after its end */
	gt_async_abandon(NULL);
}


/* ---- gt_load_split_at: the second half read on a helper thread ---- */

/* a and b hold the same images, categories, annotations and notes */
static void same_gt(const gt *a, const gt *b, const char *what)
{
	if (gt_n_images(a) != gt_n_images(b) || gt_n_categories(a) != gt_n_categories(b))
		fail_msg("%s: %zu/%zu images, %zu/%zu categories", what, gt_n_images(a), gt_n_images(b),
		         gt_n_categories(a), gt_n_categories(b));
	size_t anns = 0;
	for (size_t i = 0; i < gt_n_images(a); i++) {
		const gt_image *x = &gt_images(a)[i], *y = &gt_images(b)[i];
		if (x->id != y->id || strcmp(x->file_name, y->file_name) || x->width != y->width ||
		    x->height != y->height || x->ann_first != y->ann_first || x->n_ann != y->n_ann)
			fail_msg("%s: image %zu differs", what, i);
		anns += x->n_ann;
	}
	for (size_t k = 0; k < anns; k++) {
		const gt_ann *x = &gt_anns(a)[k], *y = &gt_anns(b)[k];
		if (x->id != y->id || x->image_id != y->image_id || x->cat != y->cat ||
		    x->iscrowd != y->iscrowd || memcmp(x->bbox, y->bbox, sizeof x->bbox))
			fail_msg("%s: annotation %zu differs (id %lld / %lld)", what, k, (long long)x->id,
			         (long long)y->id);
	}
	for (size_t c = 0; c < gt_n_categories(a); c++)
		if (gt_category_id(a, (int)c) != gt_category_id(b, (int)c) ||
		    strcmp(gt_category_name(a, (int)c), gt_category_name(b, (int)c)))
			fail_msg("%s: category %zu differs", what, c);
	if (strcmp(gt_duplicates_note(a), gt_duplicates_note(b)))
		fail_msg("%s: notes differ", what);
}

/* doc written to a file; gt_load_split_at from every byte gives gt_load's
 * result (status, message, skipped, contents).  Returns how many froms
 * had the helper's annotations taken; taken[from] says which when given. */
static size_t split_everywhere(const char *doc, unsigned char *taken)
{
	char path[] = "/tmp/tailscope-gt-split.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t len = strlen(doc);
	assert_int_equal(write(fd, doc, len), (ssize_t)len);
	close(fd);
	gt *want = NULL;
	size_t wskip = 0, n_taken = 0;
	ts_error werr;
	ts_status wst = gt_load(path, &want, &wskip, &werr);
	for (size_t from = 1; from <= len; from++) {
		gt *g = NULL;
		size_t skip = 0;
		int split = -1;
		ts_error err;
		char what[64];
		snprintf(what, sizeof what, "from byte %zu", from);
		ts_status st = gt_load_split_at(path, from, &split, &g, &skip, &err);
		if (st != wst || skip != wskip || (st != TS_OK && strcmp(err.msg, werr.msg)))
			fail_msg("%s: status %d '%s' (skipped %zu), alone %d '%s' (%zu)", what, st,
			         st ? err.msg : "", skip, wst, wst ? werr.msg : "", wskip);
		if (st == TS_OK)
			same_gt(want, g, what);
		assert_true(split == 0 || split == 1);
		n_taken += (size_t)split;
		if (taken)
			taken[from] = (unsigned char)split;
		gt_free(g);
	}
	gt_free(want);
	unlink(path);
	return n_taken;
}

/* A clean file: 3 images, 9 annotations with polygons (CRLF and LF lines,
 * ", " and "," separators), categories after them.  The helper's half is
 * taken exactly when the first "," "{" at or after `from` is an
 * annotation's start other than the first (known here as the document is
 * written), and nowhere else. */
static void test_split_clean(void **state)
{
	(void)state;
	char doc[8192];
	size_t starts[16], ns = 0, n = 0;
	n += (size_t)snprintf(doc + n, sizeof doc - n,
	                      "{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\", \"width\": 64, \"height\": 48},\n"
	                      " {\"id\": 2, \"file_name\": \"b,{c}.jpg\"}, {\"id\": 3}],\r\n \"annotations\": [");
	for (int i = 0; i < 9; i++) {
		n += (size_t)snprintf(doc + n, sizeof doc - n, "%s", i == 0 ? "" : i % 3 ? ", " : ",\r\n  ");
		starts[ns++] = n;
		n += (size_t)snprintf(doc + n, sizeof doc - n,
		                      "{\"id\": %d, \"image_id\": %d, \"category_id\": %d, \"segmentation\": "
		                      "[[%d.5, 1.25,2, 3e1, 4.0]], \"area\": 12.5, \"bbox\": [%d, %d.5, 10, 20], "
		                      "\"iscrowd\": %d}",
		                      100 + i, 1 + i % 3, 1 + i % 2, i, i, i, i == 4);
	}
	n += (size_t)snprintf(doc + n, sizeof doc - n,
	                      "],\n \"categories\": [{\"id\": 1, \"name\": \"pole\"}, {\"id\": 2, \"name\": \"nest\"}]}\n");
	assert_true(n < sizeof doc);
	unsigned char *taken = calloc(n + 1, 1);
	assert_non_null(taken);
	size_t got = split_everywhere(doc, taken), want = 0;
	for (size_t from = 1; from <= n; from++) {
		/* the rule, by hand: the first '{' after a ',' (white space between) */
		size_t x = 0;
		int comma = 0;
		for (size_t k = from; k < n && !x; k++) {
			if (comma && doc[k] == '{')
				x = k;
			else if ((unsigned char)doc[k] > ' ')
				comma = doc[k] == ',';
		}
		int expect = 0;
		for (size_t i = 1; i < ns; i++)
			expect |= x == starts[i];
		if (taken[from] != expect)
			fail_msg("from byte %zu: taken %d, expected %d (candidate %zu)", from, taken[from], expect, x);
		want += (size_t)expect;
	}
	assert_int_equal(got, want);
	assert_true(want > 0);
	free(taken);
}

/* Files the helper must not change: strings holding ",{", objects in
 * nested arrays, an annotation without "id" (its default id counts from
 * the array's start), malformed ones, images after the annotations, and
 * JSON errors before, in and after the second half. */
static void test_split_hard(void **state)
{
	(void)state;
	static const char *const docs[] = {
		"{\"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1],"
		" \"note\": \"x, {\\\"id\\\": 5}, {\"}, {\"id\": 2, \"image_id\": 1, \"category_id\": 1,"
		" \"attrs\": [{\"a\": 1}, {\"b\": [1, {\"c\": 2}]}], \"bbox\": [1, 1, 2, 2]},\n"
		" {\"image_id\": 1, \"category_id\": 1, \"bbox\": [2, 2, 3, 3]}, {\"id\": 4, \"image_id\": 1},"
		" {\"id\": 5, \"image_id\": 1, \"category_id\": 1, \"bbox\": [3, 3, 4, 4]}],"
		" \"images\": [{\"id\": 1}, {\"id\": 2}], \"categories\": [{\"id\": 1, \"name\": \"c\"}]}",
		"{\"images\": [{\"id\": 1}], \"categories\": [{\"id\": 1, \"name\": \"c\"}], \"annotations\": ["
		"{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]},\n"
		"{\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]},\n"
		"{\"id\": 3, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0,, 1]},\n"
		"{\"id\": 4, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]}]}",
		"{\"images\": [{\"id\": 1}], \"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1,"
		" \"bbox\": [0, 0, 1, 1]},\n {\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0,\n 0, 1,\r\n 1]}],\n"
		" \"categories\": [{\"id\": 1, \"name\": \"c\"}]}\n  x", /* an error's line after the helper's lines */
		"{\"images\": [{\"id\": 1}], \"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1,"
		" \"bbox\": [0, 0, 1, 1]},\n {\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0,\n 0, 1, 1]}],"
		" \"categories\": [] x}", /* and its column, on the helper's last line */
		"{\"images\": [{\"id\": 1}], \"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1,"
		" \"bbox\": [0, 0, 1, 1]},\n {\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]}],\n"
		" \"categories\": [{\"id\": 1, \"name\": \"c\"}, {\"id\": 1, \"name\": \"d\"}, 7]}",
		"{\"images\": [{\"id\": 1}], \"annotations\": [], \"categories\": [{\"id\": 1, \"name\": \"c\"}]}",
		"{\"images\": [{\"id\": 1}, {\"id\": 2}], \"annotations\": {\"a\": [{\"b\": 1}, {\"c\": 2}]}}",
		"{\"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]},"
		" {\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]}, [1, {\"x\": 1}],"
		" {\"id\": 3, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]}, 5]",
	};
	size_t taken = 0;
	for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
		taken += split_everywhere(docs[i], NULL);
	assert_true(taken > 0); /* the helper's half is used on some of them */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_skipped),
		cmocka_unit_test_setup_teardown(test_images_and_grouping, load_tiny, free_tiny),
		cmocka_unit_test_setup_teardown(test_categories, load_tiny, free_tiny),
		cmocka_unit_test_setup_teardown(test_lookup_id, load_tiny, free_tiny),
		cmocka_unit_test_setup_teardown(test_lookup_file_name, load_tiny, free_tiny),
		cmocka_unit_test_setup_teardown(test_lookup_custom_id, load_tiny, free_tiny),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_buffer_errors),
		cmocka_unit_test(test_buffer_minimal),
		cmocka_unit_test(test_entries_member_by_member),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_async),
		cmocka_unit_test(test_image_numbers),
		cmocka_unit_test(test_split_clean),
		cmocka_unit_test(test_split_hard),
	};
	return cmocka_run_group_tests_name("gt", tests, NULL, NULL);
}
