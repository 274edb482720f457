/* fuzz_gt — COCO ground truth from memory (gt_load_buffer), then lookups.
 *
 * Oracles besides ASan/UBSan: an error leaves *out NULL with a message; a
 * loaded gt has every image's annotation range inside gt_anns(), every
 * annotation's category in range and belonging to that image, category names
 * that are NUL-terminated, lookups that return an image of the table (or
 * NULL) and find every image by its own id, and category lookups by each
 * category's own name that give a category with an equal name.  And the
 * same bytes as a file read by two threads (gt_load_split_at, the helper's
 * search starting at a byte the input picks) give gt_load's result:
 * status, message, skipped, images and annotations. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "gt.h"

static void check_in_table(const gt *g, const gt_image *im, const char *what)
{
	if (!im)
		return;
	const gt_image *first = gt_images(g);
	FZ_CHECK(im >= first && im < first + gt_n_images(g), "%s returned a pointer outside the table", what);
}

static char split_path[64];

static void split_unlink(void)
{
	unlink(split_path);
}

static void split_check(const uint8_t *data, size_t size)
{
	if (!split_path[0]) {
		snprintf(split_path, sizeof split_path, "/tmp/fuzz_gt_split.%d", (int)getpid());
		atexit(split_unlink);
	}
	FILE *f = fopen(split_path, "wb");
	if (!f)
		return;
	size_t w = fwrite(data, 1, size, f);
	if (fclose(f) != 0 || w != size)
		return;
	gt *a = NULL, *b = NULL;
	size_t sa = 0, sb = 0;
	ts_error ea, eb;
	int split = 0;
	fz_rng r;
	fz_rng_seed(&r, data, size < 8 ? size : 8);
	uint64_t from = 1 + fz_rng_next(&r) % (size ? size : 1);
	ts_status x = gt_load(split_path, &a, &sa, &ea), y = gt_load_split_at(split_path, from, &split, &b, &sb, &eb);
	FZ_CHECK(x == y, "split at %llu: status %d, alone %d", (unsigned long long)from, (int)y, (int)x);
	if (x != TS_OK) {
		FZ_CHECK(!strcmp(ea.msg, eb.msg), "split at %llu: '%s', alone '%s'", (unsigned long long)from, eb.msg, ea.msg);
		return;
	}
	FZ_CHECK(sa == sb && gt_n_images(a) == gt_n_images(b) && gt_n_categories(a) == gt_n_categories(b),
	         "split at %llu: counts differ", (unsigned long long)from);
	for (size_t i = 0; i < gt_n_images(a); i++) {
		const gt_image *p = &gt_images(a)[i], *q = &gt_images(b)[i];
		FZ_CHECK(p->id == q->id && p->n_ann == q->n_ann && p->ann_first == q->ann_first,
		         "split at %llu: image %zu differs", (unsigned long long)from, i);
		for (size_t k = 0; k < p->n_ann; k++) {
			const gt_ann *u = &gt_anns(a)[p->ann_first + k], *v = &gt_anns(b)[q->ann_first + k];
			FZ_CHECK(u->id == v->id && u->cat == v->cat && u->iscrowd == v->iscrowd &&
			         !memcmp(u->bbox, v->bbox, sizeof u->bbox),
			         "split at %llu: annotation differs", (unsigned long long)from);
		}
	}
	gt_free(a);
	gt_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gt *g = (gt *)0x1;
	size_t skipped = 0;
	ts_error err;
	split_check(data, size);
	ts_status st = gt_load_buffer((const char *)data, size, "fuzz.json", &g, &skipped, &err);
	if (st != TS_OK) {
		FZ_CHECK(g == NULL, "error %d but a gt was returned", (int)st);
		FZ_CHECK(err.code == st && err.msg[0], "error %d without a message", (int)st);
		return 0;
	}
	size_t ni = gt_n_images(g), nc = gt_n_categories(g), total = 0;
	const gt_image *im = gt_images(g);
	const gt_ann *an = gt_anns(g);
	for (size_t i = 0; i < ni; i++) {
		FZ_CHECK(im[i].file_name != NULL, "image %zu has a NULL file name", i);
		total += im[i].n_ann;
		for (size_t k = 0; k < im[i].n_ann; k++) {
			const gt_ann *a = &an[im[i].ann_first + k];
			FZ_CHECK(a->cat >= 0 && (size_t)a->cat < nc, "annotation category %d of %zu", a->cat, nc);
			FZ_CHECK(a->image_id == im[i].id, "annotation of image %lld filed under %lld",
			         (long long)a->image_id, (long long)im[i].id);
		}
		const gt_image *f = gt_find_image_id(g, im[i].id);
		FZ_CHECK(f && f->id == im[i].id, "image id %lld not found", (long long)im[i].id);
		check_in_table(g, f, "gt_find_image_id");
		check_in_table(g, gt_find_file_name(g, im[i].file_name), "gt_find_file_name");
		check_in_table(g, gt_find_custom_id(g, im[i].file_name), "gt_find_custom_id");
	}
	for (size_t c = 0; c < nc; c++) {
		const char *name = gt_category_name(g, (int)c);
		FZ_CHECK(name != NULL, "category %zu has no name", c);
		int k = gt_category_lookup(g, name, strlen(name));
		size_t sp = strspn(name, " \t\n\v\f\r");
		if (name[sp] != '\0') /* a blank name is never looked up */
			FZ_CHECK(k >= 0 && (size_t)k < nc, "category '%s' not found by its own name", name);
		else
			FZ_CHECK(k == -1, "blank category name found");
		(void)gt_category_id(g, (int)c);
	}
	/* lookups with pieces of the input itself */
	size_t n = size < 40 ? size : 40;
	char key[41];
	memcpy(key, data, n);
	key[n] = '\0';
	(void)gt_category_lookup(g, (const char *)data, n);
	check_in_table(g, gt_find_file_name(g, key), "gt_find_file_name");
	check_in_table(g, gt_find_custom_id(g, key), "gt_find_custom_id");
	(void)total;
	gt_free(g);
	return 0;
}
