/* gt.h — COCO instances ground truth.
 *
 * images[] {id, file_name, width, height}, annotations[] {id, image_id,
 * category_id, bbox [x,y,w,h], iscrowd}, categories[] {id, name}.
 * Bad annotations (missing fields, unknown image or category, negative size)
 * are skipped and counted; the file as a whole fails only when it is not
 * JSON or has no images array (or "annotations"/"categories" is there but is
 * not an array).  Files over 1 GiB are refused.
 * Details: an image needs an integer id (a later duplicate id is skipped and
 * counted); an annotation's "id" is optional (default: its 1-based position
 * in the array); iscrowd is 0/1 or false/true (absent = 0); a category needs
 * an integer id and a string name; categories whose names are equal after
 * trimming and ASCII case folding are merged into the first one (its index,
 * id and name), so a label can match all their boxes.
 */
#ifndef TS_GT_H
#define TS_GT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct gt_image {
	int64_t id;
	const char *file_name; /* "" if absent */
	double width, height;  /* 0 if absent */
	size_t ann_first;      /* annotations of this image: gt_anns()[ann_first .. ann_first+n_ann) */
	size_t n_ann;
} gt_image;

typedef struct gt_ann {
	int64_t id;
	int64_t image_id;
	int cat;          /* category index (0..gt_n_categories-1) */
	double bbox[4];   /* x, y, w, h in pixels */
	int iscrowd;
} gt_ann;

typedef struct gt gt;

/* Loads a COCO file (read-only).  *skipped receives the number of
 * annotations/images ignored as malformed (may be NULL). */
ts_status gt_load(const char *path, gt **out, size_t *skipped, ts_error *err);
/* gt_load with jobs > 1 reads a file of 4 MiB or more with two threads
 * (the annotations' second half on a helper): the same results. */
ts_status gt_load_jobs(const char *path, size_t jobs, gt **out, size_t *skipped, ts_error *err);
/* For tests: the helper's search for an annotation's start begins at byte
 * from (any file size; 0 as 1); *split (may be NULL) 1 when its
 * annotations were taken. */
ts_status gt_load_split_at(const char *path, uint64_t from, int *split, gt **out, size_t *skipped,
                           ts_error *err);
/* Same from a memory buffer (tests, fuzzing). name is used in messages. */
ts_status gt_load_buffer(const char *json, size_t len, const char *name, gt **out,
                         size_t *skipped, ts_error *err);
void gt_free(gt *g);

/* gt_load on its own thread (on the calling one when no thread starts), so
 * a caller can go on meanwhile (the debugger's first frame, png's scan). */
typedef struct gt_async gt_async;
gt_async *gt_async_start(const char *path); /* NULL: out of memory */
/* Waits up to ms milliseconds (0: not at all, -1: until it ends); 1 once
 * the load is over. */
int gt_async_wait(gt_async *a, long ms);
/* Waits for the end, frees a and gives gt_load's results. */
ts_status gt_async_take(gt_async *a, gt **out, size_t *skipped, ts_error *err);
/* Gives a up before or after its end (NULL: nothing): the ground truth is
 * freed, by the thread if it still runs. */
void gt_async_abandon(gt_async *a);

/* "" or what a loaded file had twice, named: "duplicate image id 7,
 * duplicate category id 3, ..." (the first entry of each id is kept, the
 * later ones are skipped and counted).  Callers print it after the file's
 * name. */
#define GT_DUP_NOTE_MAX 256
const char *gt_duplicates_note(const gt *g);

size_t          gt_n_images(const gt *g);
const gt_image *gt_images(const gt *g);
const gt_ann   *gt_anns(const gt *g);
size_t          gt_n_categories(const gt *g);
const char     *gt_category_name(const gt *g, int cat);
int64_t         gt_category_id(const gt *g, int cat);

const gt_image *gt_find_image_id(const gt *g, int64_t id);
/* Matches the file name exactly, else by basename (both sides). */
const gt_image *gt_find_file_name(const gt *g, const char *name);
/* custom_id: matches an image whose file name (or basename without extension)
 * equals it, else the first run of digits in it as an image id
 * ("img-000139" -> 139). */
const gt_image *gt_find_custom_id(const gt *g, const char *custom_id);

/* Something built once from one image's annotations and kept with the
 * ground truth until gt_free (metrics.c keeps its matching index here, so
 * every sample of an image shares one).  anns/n_ann must be exactly one
 * image's annotations of a loaded gt (gt_anns(g) + ann_first, n_ann);
 * otherwise NULL is returned and nothing is kept.  build runs under a lock
 * (thread-safe); a NULL from it is returned and retried on the next call.
 * One kind of derived object per program: free_fn frees it. */
void *gt_derived(const gt_ann *anns, size_t n_ann, void *(*build)(const gt_ann *, size_t),
                 void (*free_fn)(void *));

/* Category index for a label: case-insensitive after trimming ASCII white
 * space; -1 when the label names no category. */
int gt_category_lookup(const gt *g, const char *label, size_t len);

#endif
