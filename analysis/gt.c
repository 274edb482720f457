/* gt.c — COCO instances ground truth: loading, grouping and lookups.
 *
 * Images keep their file order.  Valid annotations are grouped by image
 * (counting sort: stable, file order kept within an image).  Lookups use
 * sorted index arrays and binary search (id, file name, basename, stem,
 * normalised category name).  Categories whose normalised names coincide are
 * merged into the first one: a label cannot tell them apart.
 */
#include "gt.h"
#include "fsafe.h"
#include "json_util.h"
#include "jstream.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GT_MAX_FILE_BYTES ((size_t)1 << 30) /* 1 GiB */

typedef struct gt_cat {
	int64_t id;
	char *name; /* as in the file */
	char *key;  /* trimmed, ASCII lower case */
	size_t key_len;
} gt_cat;

typedef struct cat_id_ent {
	int64_t id;
	int cat; /* index into cats (after merging) */
} cat_id_ent;

struct gt {
	gt_image *images;
	size_t n_images;
	gt_ann *anns;
	size_t n_anns;
	gt_cat *cats;
	size_t n_cats;
	cat_id_ent *cat_ids; /* sorted by id */
	size_t n_cat_ids;
	size_t *by_id;    /* image indices sorted by id */
	size_t *by_name;  /* image indices sorted by file_name (then index) */
	size_t *by_base;  /* by basename (then index) */
	size_t *by_stem;  /* by basename without extension (then index) */
	int *cat_by_key;  /* category indices sorted by key */
	struct name_parts { size_t len, base, stem_len; } *parts; /* per image */
	char dup_note[GT_DUP_NOTE_MAX]; /* gt_duplicates_note */
	void **derived;   /* per image (gt_derived), NULL until used */
	void (*derived_free)(void *);
	gt *live_prev, *live_next; /* the loaded gts (gt_derived finds anns in them) */
};

/* Every loaded gt, for gt_derived; the lock also guards the derived slots. */
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static gt *live_head;

const char *gt_duplicates_note(const gt *g)
{
	return g ? g->dup_note : "";
}

/* Adds "what ID" to the note (the first few; then "..."). */
static void dup_note_add(gt *g, const char *what, int64_t id)
{
	size_t n = strlen(g->dup_note);
	if (n + 48 >= sizeof g->dup_note) {
		if (n + 4 < sizeof g->dup_note && strcmp(g->dup_note + n - 3, "..."))
			memcpy(g->dup_note + n, "...", 4);
		return;
	}
	snprintf(g->dup_note + n, sizeof g->dup_note - n, "%sduplicate %s id %lld", n ? ", " : "",
	         what, (long long)id);
}

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static unsigned char ascii_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static void trim(const char **s, size_t *len)
{
	const char *p = *s;
	size_t n = *len;
	while (n > 0 && is_space((unsigned char)p[0])) {
		p++;
		n--;
	}
	while (n > 0 && is_space((unsigned char)p[n - 1]))
		n--;
	*s = p;
	*len = n;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Byte-wise comparison of two counted strings (shorter first on a tie). */
static int cmp_counted(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0;
	if (c)
		return c;
	return (alen > blen) - (alen < blen);
}

/* Like cmp_counted, with a folded to ASCII lower case (b is already folded). */
static int cmp_folded(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	for (size_t i = 0; i < n; i++) {
		unsigned char x = ascii_lower((unsigned char)a[i]);
		unsigned char y = (unsigned char)b[i];
		if (x != y)
			return x < y ? -1 : 1;
	}
	return (alen > blen) - (alen < blen);
}

static const char *base_of(const char *s, size_t len, size_t *blen)
{
	size_t i = len;
	while (i > 0 && s[i - 1] != '/' && s[i - 1] != '\\')
		i--;
	*blen = len - i;
	return s + i;
}

static size_t stem_len(const char *b, size_t blen)
{
	/* Last '.' that is not the first character ("." files keep their name). */
	for (size_t i = blen; i > 1; i--)
		if (b[i - 1] == '.')
			return i - 1;
	return blen;
}

/* Integral JSON number in int64 range. */
static int json_int64(const cJSON *v, int64_t *out)
{
	if (!cJSON_IsNumber(v))
		return 0;
	double d = v->valuedouble;
	if (!isfinite(d) || d != floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
		return 0;
	*out = (int64_t)d;
	return 1;
}

/* ------------------------------------------------------------------ */
/* sorting keys (qsort with a context through a file-static pointer is
 * not re-entrant; use small key structs instead)                      */

typedef struct str_key {
	const char *s;
	size_t len;
	size_t idx;
} str_key;

static int str_key_cmp(const void *pa, const void *pb)
{
	const str_key *a = pa, *b = pb;
	int c = cmp_counted(a->s, a->len, b->s, b->len);
	if (c)
		return c;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

typedef struct id_key {
	int64_t id;
	size_t idx;
} id_key;

static int id_key_cmp(const void *pa, const void *pb)
{
	const id_key *a = pa, *b = pb;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

static int cat_id_cmp(const void *pa, const void *pb)
{
	const cat_id_ent *a = pa, *b = pb;
	return (a->id > b->id) - (a->id < b->id);
}

/* which: 0 = full name, 1 = basename, 2 = stem */
static const char *image_key(const gt *g, size_t i, int which, size_t *len)
{
	const struct name_parts *p = &g->parts[i];
	const char *s = g->images[i].file_name;
	if (which == 0) {
		*len = p->len;
		return s;
	}
	*len = which == 1 ? p->len - p->base : p->stem_len;
	return s + p->base;
}

static size_t *build_name_index(const gt *g, int which)
{
	size_t n = g->n_images;
	str_key *keys = malloc((n ? n : 1) * sizeof *keys);
	size_t *out = malloc((n ? n : 1) * sizeof *out);
	if (!keys || !out) {
		free(keys);
		free(out);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		keys[i].s = image_key(g, i, which, &keys[i].len);
		keys[i].idx = i;
	}
	qsort(keys, n, sizeof *keys, str_key_cmp);
	for (size_t i = 0; i < n; i++)
		out[i] = keys[i].idx;
	free(keys);
	return out;
}

/* First image (lowest index) whose key equals s[0..len), or NULL. */
static const gt_image *find_by_key(const gt *g, const size_t *index, int which,
                                   const char *s, size_t len)
{
	size_t lo = 0, hi = g->n_images;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t kl;
		const char *k = image_key(g, index[mid], which, &kl);
		if (cmp_counted(k, kl, s, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->n_images) {
		size_t kl;
		const char *k = image_key(g, index[lo], which, &kl);
		if (cmp_counted(k, kl, s, len) == 0)
			return &g->images[index[lo]];
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* loading                                                             */

static void live_add(gt *g)
{
	pthread_mutex_lock(&live_mu);
	g->live_next = live_head;
	if (live_head)
		live_head->live_prev = g;
	live_head = g;
	pthread_mutex_unlock(&live_mu);
}

static void live_remove(gt *g)
{
	pthread_mutex_lock(&live_mu);
	if (g->live_prev)
		g->live_prev->live_next = g->live_next;
	else if (live_head == g)
		live_head = g->live_next;
	if (g->live_next)
		g->live_next->live_prev = g->live_prev;
	pthread_mutex_unlock(&live_mu);
	if (g->derived) {
		for (size_t i = 0; i < g->n_images; i++)
			if (g->derived[i] && g->derived_free)
				g->derived_free(g->derived[i]);
		free(g->derived);
	}
}

/* The image whose annotations are exactly anns[0..n), or -1 (lock held). */
static size_t derived_image(const gt *g, const gt_ann *anns, size_t n)
{
	if (!g->anns || anns < g->anns || anns >= g->anns + g->n_anns)
		return (size_t)-1;
	size_t first = (size_t)(anns - g->anns);
	size_t lo = 0, hi = g->n_images; /* ann_first grows with the image index */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->images[mid].ann_first < first || (g->images[mid].ann_first == first && g->images[mid].n_ann == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->n_images && g->images[lo].ann_first == first && g->images[lo].n_ann == n)
		return lo;
	return (size_t)-1;
}

void *gt_derived(const gt_ann *anns, size_t n_ann, void *(*build)(const gt_ann *, size_t),
                 void (*free_fn)(void *))
{
	void *r = NULL;
	if (!anns || !n_ann || !build)
		return NULL;
	pthread_mutex_lock(&live_mu);
	for (gt *g = live_head; g; g = g->live_next) {
		size_t i = derived_image(g, anns, n_ann);
		if (i == (size_t)-1)
			continue;
		if (!g->derived)
			g->derived = calloc(g->n_images, sizeof *g->derived);
		if (!g->derived)
			break;
		if (!g->derived[i] && (!g->derived_free || g->derived_free == free_fn)) {
			g->derived[i] = build(anns, n_ann);
			g->derived_free = free_fn;
		}
		if (g->derived_free == free_fn)
			r = g->derived[i];
		break;
	}
	pthread_mutex_unlock(&live_mu);
	return r;
}

void gt_free(gt *g)
{
	if (!g)
		return;
	live_remove(g);
	for (size_t i = 0; i < g->n_images; i++)
		free((char *)g->images[i].file_name);
	for (size_t i = 0; i < g->n_cats; i++) {
		free(g->cats[i].name);
		free(g->cats[i].key);
	}
	free(g->images);
	free(g->anns);
	free(g->cats);
	free(g->cat_ids);
	free(g->by_id);
	free(g->by_name);
	free(g->by_base);
	free(g->by_stem);
	free(g->cat_by_key);
	free(g->parts);
	free(g);
}

static int cat_key_cmp_idx(const gt *g, int a, int b)
{
	int c = cmp_counted(g->cats[a].key, g->cats[a].key_len, g->cats[b].key, g->cats[b].key_len);
	return c ? c : (a > b) - (a < b);
}

/* Insertion-free: build cat_by_key with a simple merge sort on indices. */
static void sort_cats_by_key(gt *g, int *idx, int *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	sort_cats_by_key(g, idx, tmp, h);
	sort_cats_by_key(g, idx + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cat_key_cmp_idx(g, idx[i], idx[j]) <= 0 ? idx[i++] : idx[j++];
	while (i < h)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof *idx);
}

static int find_cat_key(const gt *g, const char *s, size_t len)
{
	size_t lo = 0, hi = g->n_cats;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const gt_cat *c = &g->cats[g->cat_by_key[mid]];
		if (cmp_folded(s, len, c->key, c->key_len) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->n_cats) {
		const gt_cat *c = &g->cats[g->cat_by_key[lo]];
		if (cmp_folded(s, len, c->key, c->key_len) == 0)
			return g->cat_by_key[lo];
	}
	return -1;
}

typedef struct cat_src {
	int64_t id;
	const char *name; /* as in the file (owned by cJSON) */
	char *key;        /* trimmed, folded copy */
	size_t key_len;
	size_t pos;       /* position among valid entries */
	int drop;         /* duplicate id */
	size_t rep;       /* first entry with the same key */
} cat_src;

static int cat_src_id_cmp(const void *pa, const void *pb)
{
	const cat_src *a = *(const cat_src *const *)pa, *b = *(const cat_src *const *)pb;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

static int cat_src_key_cmp(const void *pa, const void *pb)
{
	const cat_src *a = *(const cat_src *const *)pa, *b = *(const cat_src *const *)pb;
	int c = cmp_counted(a->key, a->key_len, b->key, b->key_len);
	if (c)
		return c;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

#define CATS_NOMEM(name, err) ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading categories", name)

/* The valid entries (an object with an integer id and a string name) into
 * src[0..*m), with their trimmed, folded keys. */
static ts_status cats_read(const cJSON *arr, cat_src *src, size_t *m, size_t *skipped, const char *name,
                           ts_error *err)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, arr)
	{
		int64_t id;
		const cJSON *jn = cJSON_GetObjectItemCaseSensitive(c, "name");
		if (!cJSON_IsObject(c) || !json_int64(cJSON_GetObjectItemCaseSensitive(c, "id"), &id) ||
		    !cJSON_IsString(jn)) {
			(*skipped)++;
			continue;
		}
		const char *s = jn->valuestring;
		size_t len = strlen(s);
		trim(&s, &len);
		cat_src *e = &src[*m];
		e->id = id;
		e->name = jn->valuestring;
		e->key = dup_n(s, len);
		if (!e->key)
			return CATS_NOMEM(name, err);
		for (size_t i = 0; i < len; i++)
			e->key[i] = (char)ascii_lower((unsigned char)e->key[i]);
		e->key_len = len;
		e->pos = (*m)++;
	}
	return TS_OK;
}

/* Duplicate ids: the first entry stands (drop); the same normalised name:
 * later entries merge into the first (rep). */
static void cats_dedupe(gt *g, cat_src *src, size_t m, cat_src **ord, size_t *skipped)
{
	for (size_t i = 0; i < m; i++)
		ord[i] = &src[i];
	qsort(ord, m, sizeof *ord, cat_src_id_cmp);
	for (size_t i = 1; i < m; i++)
		if (ord[i]->id == ord[i - 1]->id) {
			ord[i]->drop = 1;
			(*skipped)++;
			if (i == 1 || ord[i - 2]->id != ord[i]->id)
				dup_note_add(g, "category", ord[i]->id); /* named once */
		}
	size_t k = 0;
	for (size_t i = 0; i < m; i++)
		if (!src[i].drop)
			ord[k++] = &src[i];
	qsort(ord, k, sizeof *ord, cat_src_key_cmp);
	for (size_t i = 0; i < k; i++) {
		if (i > 0 && cmp_counted(ord[i]->key, ord[i]->key_len, ord[i - 1]->key, ord[i - 1]->key_len) == 0)
			ord[i]->rep = ord[i - 1]->rep;
		else
			ord[i]->rep = ord[i]->pos;
	}
}

/* In file order: new categories get the next index (tmp: pos -> index). */
static ts_status cats_place(gt *g, cat_src *src, size_t m, int *tmp, const char *name, ts_error *err)
{
	for (size_t i = 0; i < m; i++) {
		cat_src *e = &src[i];
		if (e->drop)
			continue;
		int cat;
		if (e->rep == e->pos) {
			gt_cat *nc = &g->cats[g->n_cats];
			nc->id = e->id;
			nc->name = dup_n(e->name, strlen(e->name));
			if (!nc->name)
				return CATS_NOMEM(name, err);
			nc->key = e->key;
			nc->key_len = e->key_len;
			e->key = NULL; /* owned by the category now */
			cat = (int)g->n_cats++;
			tmp[e->pos] = cat;
		} else {
			cat = tmp[e->rep]; /* rep comes earlier in file order */
		}
		g->cat_ids[g->n_cat_ids].id = e->id;
		g->cat_ids[g->n_cat_ids].cat = cat;
		g->n_cat_ids++;
	}
	return TS_OK;
}

static ts_status load_categories(gt *g, const cJSON *arr, size_t *skipped, const char *name,
                                 ts_error *err)
{
	size_t n = (size_t)cJSON_GetArraySize(arr);
	size_t n1 = n ? n : 1;
	cat_src *src = calloc(n1, sizeof *src);
	cat_src **ord = calloc(n1, sizeof *ord);
	int *tmp = calloc(n1, sizeof *tmp);
	g->cats = calloc(n1, sizeof *g->cats);
	g->cat_ids = calloc(n1, sizeof *g->cat_ids);
	g->cat_by_key = calloc(n1, sizeof *g->cat_by_key);
	ts_status st = TS_OK;
	size_t m = 0;
	if (!src || !ord || !tmp || !g->cats || !g->cat_ids || !g->cat_by_key)
		st = CATS_NOMEM(name, err);
	if (st == TS_OK)
		st = cats_read(arr, src, &m, skipped, name, err);
	if (st == TS_OK) {
		cats_dedupe(g, src, m, ord, skipped);
		st = cats_place(g, src, m, tmp, name, err);
	}
	if (st == TS_OK) {
		qsort(g->cat_ids, g->n_cat_ids, sizeof *g->cat_ids, cat_id_cmp);
		for (size_t i = 0; i < g->n_cats; i++)
			g->cat_by_key[i] = (int)i;
		sort_cats_by_key(g, g->cat_by_key, tmp, g->n_cats);
	}
	if (src)
		for (size_t i = 0; i < m; i++)
			free(src[i].key);
	free(src);
	free(ord);
	free(tmp);
	return st;
}

static int cat_index_of(const gt *g, int64_t id)
{
	size_t lo = 0, hi = g->n_cat_ids;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->cat_ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->n_cat_ids && g->cat_ids[lo].id == id)
		return g->cat_ids[lo].cat;
	return -1;
}

static double json_size(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble > 0)
		return v->valuedouble;
	return 0;
}

#define IMAGES_NOMEM(name, err) ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading images", name)

/* The valid entries (an object with an integer id) into g->images, with
 * their ids and places in keys. */
static ts_status images_read(gt *g, const cJSON *arr, id_key *keys, size_t *skipped, const char *name,
                             ts_error *err)
{
	const cJSON *im;
	cJSON_ArrayForEach(im, arr)
	{
		int64_t id;
		if (!cJSON_IsObject(im) || !json_int64(cJSON_GetObjectItemCaseSensitive(im, "id"), &id)) {
			(*skipped)++;
			continue;
		}
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(im, "file_name");
		const char *s = cJSON_IsString(fn) ? fn->valuestring : "";
		gt_image *gi = &g->images[g->n_images];
		gi->id = id;
		gi->file_name = dup_n(s, strlen(s));
		if (!gi->file_name)
			return IMAGES_NOMEM(name, err);
		gi->width = json_size(im, "width");
		gi->height = json_size(im, "height");
		keys[g->n_images].id = id;
		keys[g->n_images].idx = g->n_images;
		g->n_images++;
	}
	return TS_OK;
}

/* Duplicate ids (keys sorted by id): the first image stands, later ones are
 * dropped; g->by_id, the kept images in id order. */
static ts_status images_dedupe(gt *g, const id_key *keys, size_t *skipped, const char *name, ts_error *err)
{
	size_t n = g->n_images, w = 0, k = 0;
	char *drop = calloc(n ? n : 1, 1);
	size_t *newpos = malloc((n ? n : 1) * sizeof *newpos);
	if (!drop || !newpos) {
		free(drop);
		free(newpos);
		return IMAGES_NOMEM(name, err);
	}
	for (size_t i = 1; i < n; i++)
		if (keys[i].id == keys[i - 1].id) {
			drop[keys[i].idx] = 1;
			if (i == 1 || keys[i - 2].id != keys[i].id)
				dup_note_add(g, "image", keys[i].id); /* named once */
		}
	for (size_t i = 0; i < n; i++) {
		if (drop[i]) {
			free((char *)g->images[i].file_name);
			(*skipped)++;
			newpos[i] = (size_t)-1;
			continue;
		}
		newpos[i] = w;
		g->images[w++] = g->images[i];
	}
	g->n_images = w;
	g->by_id = malloc((w ? w : 1) * sizeof *g->by_id);
	if (g->by_id)
		for (size_t i = 0; i < n; i++)
			if (!drop[keys[i].idx])
				g->by_id[k++] = newpos[keys[i].idx];
	free(drop);
	free(newpos);
	return g->by_id ? TS_OK : IMAGES_NOMEM(name, err);
}

/* The name parts of every image and the three name indexes. */
static ts_status images_index(gt *g, const char *name, ts_error *err)
{
	size_t w = g->n_images;
	g->parts = malloc((w ? w : 1) * sizeof *g->parts);
	if (!g->parts)
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory indexing images", name);
	for (size_t i = 0; i < w; i++) {
		struct name_parts *p = &g->parts[i];
		size_t bl;
		p->len = strlen(g->images[i].file_name);
		const char *b = base_of(g->images[i].file_name, p->len, &bl);
		p->base = p->len - bl;
		p->stem_len = stem_len(b, bl);
	}
	g->by_name = build_name_index(g, 0);
	g->by_base = build_name_index(g, 1);
	g->by_stem = build_name_index(g, 2);
	if (!g->by_name || !g->by_base || !g->by_stem)
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory indexing images", name);
	return TS_OK;
}

static ts_status load_images(gt *g, const cJSON *arr, size_t *skipped, const char *name,
                             ts_error *err)
{
	size_t n = (size_t)cJSON_GetArraySize(arr);
	g->images = calloc(n ? n : 1, sizeof *g->images);
	id_key *keys = malloc((n ? n : 1) * sizeof *keys);
	ts_status st = g->images && keys ? images_read(g, arr, keys, skipped, name, err) : IMAGES_NOMEM(name, err);
	if (st == TS_OK) {
		qsort(keys, g->n_images, sizeof *keys, id_key_cmp);
		st = images_dedupe(g, keys, skipped, name, err);
	}
	free(keys);
	return st == TS_OK ? images_index(g, name, err) : st;
}

static size_t image_index_of(const gt *g, int64_t id)
{
	size_t lo = 0, hi = g->n_images;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->images[g->by_id[mid]].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->n_images && g->images[g->by_id[lo]].id == id)
		return g->by_id[lo];
	return (size_t)-1;
}

/* ------------------------------------------------------------------ */
/* streaming load (jstream.h): images and categories are kept as small
 * cJSON objects of the fields used (one element parsed at a time);
 * annotations are read field by field into gt_ann, nothing else kept. */

#define GT_MAX_ANNS ((size_t)10000000)    /* annotations kept: 72 bytes each at peak */
#define GT_MAX_ELEMENT ((size_t)1 << 20)  /* one image or category entry (bytes) */

typedef struct ann_vec {
	gt_ann *a;
	int64_t *side; /* category id while reading; then the image index; then the place */
	size_t n, cap, pos;
} ann_vec;

typedef struct gt_half gt_half;

typedef struct gt_reader {
	jstream *js;
	const char *name;
	ts_error *err;
	size_t skipped;
	ts_status st;  /* a non-JSON failure (memory, limit) */
	int trailing;  /* the error is text after the value */
	gt_half *half; /* the annotations' second half read on a thread, NULL none */
	int half_used; /* its annotations were taken */
	int no_id;     /* an annotation without "id" was read */
	const atomic_int *cancel; /* the half's own reader: stop when set */
} gt_reader;

static int nomem(gt_reader *r, const char *what)
{
	r->st = ts_error_set(r->err, TS_ERR_NOMEM, "%s: out of memory reading %s", r->name, what);
	js_fail(r->js, JS_NOMEM);
	return 0;
}

/* A number that is an integer in int64 range (json_int64's rule). */
static int int64_of(double d, int64_t *out)
{
	if (!isfinite(d) || d != floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
		return 0;
	*out = (int64_t)d;
	return 1;
}

static int number_starts(int c)
{
	return c == '-' || (c >= '0' && c <= '9');
}

/* An id-like field: 1 read (*ok: an integer), 0 on a JSON error. */
static int read_int_field(jstream *js, int64_t *v, int *ok)
{
	double d;
	if (!number_starts(js_peek(js))) {
		*ok = 0;
		return js_skip(js, 3);
	}
	if (!js_number(js, &d))
		return 0;
	*ok = int64_of(d, v);
	return 1;
}

static int read_bbox(jstream *js, double b[4], int *ok)
{
	size_t n = 0;
	*ok = 1;
	if (js_peek(js) != '[') {
		*ok = 0;
		return js_skip(js, 3);
	}
	js_expect(js, '[');
	if (js_peek(js) == ']')
		return js_expect(js, ']') && (*ok = 0, 1);
	for (;;) {
		double d = 0;
		if (number_starts(js_peek(js))) {
			if (!js_number(js, &d))
				return 0;
			if (!isfinite(d))
				*ok = 0;
			if (n < 4)
				b[n] = d;
		} else {
			*ok = 0;
			if (!js_skip(js, 4))
				return 0;
		}
		n++;
		int r = js_next_or_close(js, ']');
		if (r < 0)
			return 0;
		if (r == 0)
			break;
	}
	if (n != 4 || b[2] < 0 || b[3] < 0)
		*ok = 0;
	return 1;
}

static int read_crowd(jstream *js, int *crowd, int *ok)
{
	int c = js_peek(js);
	*ok = 1;
	if (c == 't' || c == 'f' || c == 'n') {
		int k = js_literal(js);
		*crowd = k == 1;
		return k >= 0;
	}
	double d;
	if (!number_starts(c)) {
		*ok = 0;
		return js_skip(js, 3);
	}
	if (!js_number(js, &d))
		return 0;
	*ok = d == 0 || d == 1;
	*crowd = d == 1;
	return 1;
}

enum { F_ID, F_IMAGE, F_CAT, F_BBOX, F_CROWD, F_N };

static int field_of(const char *k, size_t len)
{
	switch (len) {
	case 2: return memcmp(k, "id", 2) ? -1 : F_ID;
	case 4: return memcmp(k, "bbox", 4) ? -1 : F_BBOX;
	case 7: return memcmp(k, "iscrowd", 7) ? -1 : F_CROWD;
	case 8: return memcmp(k, "image_id", 8) ? -1 : F_IMAGE;
	case 11: return memcmp(k, "category_id", 11) ? -1 : F_CAT;
	default: return -1;
	}
}

static int read_ann_field(jstream *js, int f, gt_ann *a, int64_t *cat_id, int *ok)
{
	switch (f) {
	case F_ID:
		return read_int_field(js, &a->id, ok);
	case F_IMAGE:
		return read_int_field(js, &a->image_id, ok);
	case F_CAT:
		return read_int_field(js, cat_id, ok);
	case F_BBOX:
		return read_bbox(js, a->bbox, ok);
	default:
		return read_crowd(js, &a->iscrowd, ok);
	}
}

/* One annotation: 1 kept, 0 malformed (skipped), -1 JSON error.  As
 * cJSON_GetObjectItemCaseSensitive, the first of repeated keys counts. */
static int read_ann(jstream *js, gt_ann *a, int64_t *cat_id, size_t pos, int *no_id)
{
	if (js_peek(js) != '{')
		return js_skip(js, 2) ? 0 : -1;
	int seen[F_N] = { 0 }, good = 1;
	memset(a, 0, sizeof *a);
	js_expect(js, '{');
	if (js_peek(js) == '}')
		return js_expect(js, '}') ? 0 : -1;
	for (;;) {
		char key[16];
		size_t kl;
		if (!js_string(js, key, sizeof key, &kl) || !js_expect(js, ':'))
			return -1;
		size_t z = 0; /* a \u0000 ends the key, as in cJSON */
		while (z < kl && z < sizeof key && key[z])
			z++;
		int f = kl < sizeof key ? field_of(key, z) : -1;
		int ok = 1, rd;
		if (f >= 0 && !seen[f]) {
			seen[f] = 1;
			rd = read_ann_field(js, f, a, cat_id, &ok);
		} else {
			rd = js_skip(js, 3);
		}
		if (!rd)
			return -1;
		good &= ok;
		int r = js_next_or_close(js, '}');
		if (r < 0)
			return -1;
		if (r == 0)
			break;
	}
	if (!seen[F_ID]) {
		a->id = (int64_t)pos + 1;
		*no_id = 1;
	}
	return good && seen[F_IMAGE] && seen[F_CAT] && seen[F_BBOX];
}

static int ann_vec_grow(gt_reader *r, ann_vec *v)
{
	if (v->n < v->cap)
		return 1;
	if (v->n >= GT_MAX_ANNS) {
		r->st = ts_error_set(r->err, TS_ERR_LIMIT, "%s: more than %zu annotations (the limit)",
		                     r->name, GT_MAX_ANNS);
		return js_fail(r->js, JS_TOO_BIG);
	}
	size_t cap = v->cap ? v->cap + v->cap / 2 : 1024;
	if (cap > GT_MAX_ANNS)
		cap = GT_MAX_ANNS;
	gt_ann *a = realloc(v->a, cap * sizeof *a);
	if (a)
		v->a = a;
	int64_t *s = a ? realloc(v->side, cap * sizeof *s) : NULL;
	if (s)
		v->side = s;
	if (!a || !s)
		return nomem(r, "annotations");
	v->cap = cap;
	return 1;
}

static int half_take(gt_reader *r, ann_vec *v);

/* The annotations from an element's start to the array's end (the ']'
 * consumed): 1, or 0 on an error (or cancelled). */
static int ann_elements(gt_reader *r, ann_vec *v)
{
	jstream *js = r->js;
	for (;;) {
		if (r->half && half_take(r, v))
			return 1;
		if (r->cancel && (v->pos & 1023) == 0 && atomic_load(r->cancel))
			return js_fail(js, JS_SYNTAX);
		if (!ann_vec_grow(r, v))
			return 0;
		int k = read_ann(js, &v->a[v->n], &v->side[v->n], v->pos++, &r->no_id);
		if (k < 0)
			return 0;
		if (k)
			v->n++;
		else
			r->skipped++;
		int c = js_next_or_close(js, ']');
		if (c < 0)
			return 0;
		if (c == 0)
			return 1;
	}
}

static int read_annotations(gt_reader *r, ann_vec *v)
{
	jstream *js = r->js;
	js_expect(js, '[');
	if (js_peek(js) == ']')
		return js_expect(js, ']');
	return ann_elements(r, v);
}

/* One kept value: its bytes captured and parsed by cJSON (NULL: out of memory). */
static cJSON *small_value(gt_reader *r)
{
	jstream *js = r->js;
	js_peek(js);
	js_capture_start(js, GT_MAX_ELEMENT);
	int ok = js_skip(js, 3);
	js_capture_stop(js);
	if (!ok || js->cap_over) /* an error (js->err), or too large */
		return NULL;
	cJSON *v = cJSON_ParseWithLength(js->cap, js->cap_len);
	if (!v)
		nomem(r, "images and categories");
	return v;
}

/* A kept number (an id, a size) read in place: the cJSON number its text
 * parses to (js_number's value is strtod's, as cJSON's); NULL on an error. */
static cJSON *small_number(gt_reader *r)
{
	double d;
	if (!js_number(r->js, &d))
		return NULL;
	cJSON *v = cJSON_CreateNumber(d);
	if (!v)
		nomem(r, "images and categories");
	return v;
}

/* The members of an object entry: the first of each kept key into o, the
 * rest validated and skipped (*over: a kept value over GT_MAX_ELEMENT).
 * 1, or 0 on an error. */
static int small_members(gt_reader *r, cJSON *o, const char *const *keep, int *over)
{
	jstream *js = r->js;
	js_expect(js, '{');
	if (js_peek(js) == '}')
		return js_expect(js, '}');
	for (;;) {
		char key[32];
		size_t kl;
		if (!js_string(js, key, sizeof key, &kl) || !js_expect(js, ':'))
			return 0;
		const char *const *k = keep; /* a \u0000 ends the key, as in cJSON */
		while (*k && (kl >= sizeof key || strcmp(*k, key) || cJSON_GetObjectItemCaseSensitive(o, *k)))
			k++;
		if (*k) {
			cJSON *v = number_starts(js_peek(js)) ? small_number(r) : small_value(r);
			if (!v && js->err != JS_OK)
				return 0;
			if (v)
				cJSON_AddItemToObject(o, *k, v);
			else
				*over = 1; /* read whole, not kept: the entry is too large */
		} else if (!js_skip(js, 3)) {
			return 0;
		}
		int c = js_next_or_close(js, '}');
		if (c <= 0)
			return c == 0;
	}
}

/* One image or category entry as a cJSON object of the keys kept, read
 * member by member (a JSON null when it is not an object or is larger than
 * GT_MAX_ELEMENT: skipped later). */
static cJSON *small_element(gt_reader *r, const char *const *keep)
{
	jstream *js = r->js;
	int obj = js_peek(js) == '{', over = 0;
	uint64_t off0 = js->off_end - (uint64_t)(js->end - js->p);
	cJSON *o = obj ? cJSON_CreateObject() : cJSON_CreateNull();
	if (!o) {
		nomem(r, "images and categories");
		return NULL;
	}
	int ok = obj ? small_members(r, o, keep, &over) : js_skip(js, 2);
	uint64_t off1 = js->off_end - (uint64_t)(js->end - js->p);
	if (ok && obj && (over || off1 - off0 > GT_MAX_ELEMENT)) {
		cJSON_Delete(o);
		o = cJSON_CreateNull();
		if (!o)
			nomem(r, "images and categories");
	}
	if (!ok || !o) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int read_small_array(gt_reader *r, cJSON *arr, const char *const *keep)
{
	jstream *js = r->js;
	js_expect(js, '[');
	if (js_peek(js) == ']')
		return js_expect(js, ']');
	for (;;) {
		cJSON *o = small_element(r, keep);
		if (!o)
			return 0;
		cJSON_AddItemToArray(arr, o);
		int c = js_next_or_close(js, ']');
		if (c < 0)
			return 0;
		if (c == 0)
			return 1;
	}
}

typedef struct gt_doc {
	cJSON *images, *cats;  /* NULL: absent */
	ann_vec anns;
	int has_anns;
	const char *bad;       /* the first wrong type, in old precedence order */
	int bad_images, bad_anns, bad_cats;
} gt_doc;

/* The value of a top-level key. */
static int read_top_value(gt_reader *r, gt_doc *d, const char *key, size_t kl)
{
	static const char *const img_keys[] = { "id", "file_name", "width", "height", NULL };
	static const char *const cat_keys[] = { "id", "name", NULL };
	jstream *js = r->js;
	int c = js_peek(js);
	if (kl == 6 && !memcmp(key, "images", 6) && !d->images && !d->bad_images) {
		if (c != '[') {
			d->bad_images = 1;
			return js_skip(js, 1);
		}
		return (d->images = cJSON_CreateArray()) ? read_small_array(r, d->images, img_keys) : nomem(r, "images");
	}
	if (kl == 10 && !memcmp(key, "categories", 10) && !d->cats && !d->bad_cats) {
		if (c != '[') {
			d->bad_cats = c != 'n';
			return js_skip(js, 1) && (d->cats = cJSON_CreateArray()) != NULL;
		}
		return (d->cats = cJSON_CreateArray()) ? read_small_array(r, d->cats, cat_keys) : nomem(r, "categories");
	}
	if (kl == 11 && !memcmp(key, "annotations", 11) && !d->has_anns && !d->bad_anns) {
		if (c != '[') {
			d->bad_anns = c != 'n';
			d->has_anns = 1;
			return js_skip(js, 1);
		}
		d->has_anns = 1;
		return read_annotations(r, &d->anns);
	}
	return js_skip(js, 1);
}

static int at_end(gt_reader *r)
{
	if (js_at_end(r->js))
		return 1;
	r->trailing = r->js->err == JS_SYNTAX;
	return 0;
}

/* The whole document: 1, or 0 (js->err / r->st say why); *top_object 0
 * when the top level is valid JSON but not an object. */
static int read_doc(gt_reader *r, gt_doc *d, int *top_object)
{
	jstream *js = r->js;
	*top_object = js_peek(js) == '{';
	if (!*top_object)
		return js_skip(js, 0) && at_end(r);
	js_expect(js, '{');
	if (js_peek(js) == '}')
		return js_expect(js, '}') && at_end(r);
	for (;;) {
		char key[16];
		size_t kl;
		if (!js_string(js, key, sizeof key, &kl) || !js_expect(js, ':'))
			return 0;
		if (!read_top_value(r, d, key, kl < sizeof key ? strlen(key) : 0))
			return 0;
		int c = js_next_or_close(js, '}');
		if (c < 0)
			return 0;
		if (c == 0)
			return at_end(r);
	}
}

/* Valid annotations to their images (stable: file order within an image),
 * in place; the malformed ones are dropped. */
static void place_annotations(gt *g, ann_vec *v, size_t *skipped)
{
	size_t n = v->n, m = 0;
	for (size_t i = 0; i < g->n_images; i++)
		g->images[i].n_ann = 0;
	size_t ii = (size_t)-1;
	int cat = -1;
	int64_t cat_id = 0;
	for (size_t i = 0; i < n; i++) { /* files often group an image's annotations: the last lookup first */
		if (i == 0 || v->side[i] != cat_id)
			cat = cat_index_of(g, cat_id = v->side[i]);
		if (i == 0 || v->a[i].image_id != v->a[i - 1].image_id)
			ii = image_index_of(g, v->a[i].image_id);
		if (cat < 0 || ii == (size_t)-1) {
			v->side[i] = -1;
			(*skipped)++;
			continue;
		}
		v->a[i].cat = cat;
		v->side[i] = (int64_t)ii;
		g->images[ii].n_ann++;
		m++;
	}
	size_t off = 0;
	for (size_t i = 0; i < g->n_images; i++) {
		g->images[i].ann_first = off;
		off += g->images[i].n_ann;
		g->images[i].n_ann = 0;
	}
	size_t drop = m;
	for (size_t i = 0; i < n; i++) {
		if (v->side[i] < 0) {
			v->side[i] = (int64_t)drop++;
		} else {
			gt_image *im = &g->images[v->side[i]];
			v->side[i] = (int64_t)(im->ann_first + im->n_ann++);
		}
	}
	for (size_t i = 0; i < n; i++) /* follow each cycle of the permutation */
		while ((size_t)v->side[i] != i) {
			size_t j = (size_t)v->side[i];
			gt_ann t = v->a[i];
			v->a[i] = v->a[j];
			v->a[j] = t;
			int64_t s = v->side[i];
			v->side[i] = v->side[j];
			v->side[j] = s;
		}
	free(v->side);
	v->side = NULL;
	gt_ann *a = realloc(v->a, (m ? m : 1) * sizeof *a);
	g->anns = a ? a : v->a;
	g->n_anns = m;
	v->a = NULL;
}

static ts_status reader_status(const gt_reader *r, int trailing)
{
	const jstream *js = r->js;
	size_t line = (size_t)js->err_line, col = (size_t)js->err_col;
	if (r->st != TS_OK)
		return r->st;
	switch (js->err) {
	case JS_DEEP:
		return ts_error_set(r->err, TS_ERR_LIMIT, "%s: JSON nested deeper than %d levels (line %zu, column %zu)",
		                    r->name, JSTREAM_DEPTH, line, col);
	case JS_IO:
		return ts_error_set(r->err, TS_ERR_IO, "%s: read error: %s", r->name, strerror(js->err_errno));
	case JS_TOO_BIG:
		return ts_error_set(r->err, TS_ERR_LIMIT, "%s: too large (the limit is 1 GiB)", r->name);
	case JS_NOMEM:
		return ts_error_set(r->err, TS_ERR_NOMEM, "%s: out of memory", r->name);
	default:
		if (trailing)
			return ts_error_set(r->err, TS_ERR_JSON,
			                    "%s: not JSON (unexpected text after the value at line %zu, column %zu)",
			                    r->name, line, col);
		return ts_error_set(r->err, TS_ERR_JSON, "%s: not JSON (syntax error at line %zu, column %zu)",
		                    r->name, line, col);
	}
}

static ts_status doc_format(const gt_reader *r, const gt_doc *d, int top_object)
{
	const char *bad = NULL;
	if (!top_object)
		return ts_error_set(r->err, TS_ERR_FORMAT, "%s: not a COCO file: the top level is not a JSON object",
		                    r->name);
	if (!d->images)
		bad = d->bad_images ? "\"images\" is not an array" : "no \"images\" array";
	else if (d->bad_anns)
		bad = "\"annotations\" is not an array";
	else if (d->bad_cats)
		bad = "\"categories\" is not an array";
	if (bad)
		return ts_error_set(r->err, TS_ERR_FORMAT, "%s: not a COCO file: %s", r->name, bad);
	return TS_OK;
}

/* ---- the annotations' second half on a thread ----
 * A large gt.json is read by two threads: the caller's from the start, a
 * helper from the first "," "{" after byte `from` (X, the '{'), taking
 * annotations up to the array's ']' as if X were an element's start.  When
 * the caller's reader meets an annotation's start exactly at X, the
 * helper's annotations are the ones it would read next: it takes them and
 * goes on after the ']'.  Otherwise (X inside a string, a nested array or
 * the images; the helper failed, met an annotation without "id", whose
 * default counts elements from the array's start, or found no candidate)
 * the helper is stopped and its work dropped: the result is the same. */

#define GT_SPLIT_MIN ((uint64_t)4 << 20) /* gt_load_jobs splits files from 4 MiB */
#define HALF_NONE UINT64_MAX
#define HALF_SEARCH ((uint64_t)1 << 20)  /* bytes searched for a candidate */

struct gt_half {
	int fd;
	uint64_t from;
	const char *name;
	pthread_t th;
	int joined;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int have_x;        /* x is known (under mu) */
	uint64_t x;        /* the candidate '{', HALF_NONE: none */
	atomic_int cancel;
	/* the helper's results, read after the join */
	ann_vec v;
	size_t skipped;
	int ok;            /* read up to the ']' without an error, every id given */
	uint64_t end, lines, line_off; /* after the ']'; newlines in [x, end); the last line's start */
};

/* The first '{' after a ',' (white space between) from byte from on. */
static uint64_t half_find(int fd, uint64_t from)
{
	char buf[4096];
	int comma = 0;
	for (uint64_t off = from; off - from < HALF_SEARCH;) {
		ssize_t n = pread(fd, buf, sizeof buf, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return HALF_NONE;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)buf[i];
			if (comma && c == '{')
				return off + (uint64_t)i;
			if (c > ' ')
				comma = c == ',';
		}
		off += (uint64_t)n;
	}
	return HALF_NONE;
}

static void *half_run(void *p)
{
	gt_half *h = p;
	uint64_t x = half_find(h->fd, h->from);
	pthread_mutex_lock(&h->mu);
	h->x = x;
	h->have_x = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	jstream js;
	ts_error e;
	if (x == HALF_NONE || js_init_fd_at(&js, h->fd, x, GT_MAX_FILE_BYTES) != 0) {
		if (x != HALF_NONE)
			js_free(&js);
		return NULL;
	}
	gt_reader r = { &js, h->name, &e, 0, TS_OK, 0, NULL, 0, 0, &h->cancel };
	if (ann_elements(&r, &h->v) && !r.no_id && js.err == JS_OK) {
		h->ok = 1;
		h->skipped = r.skipped;
		h->end = js_offset(&js);
		h->lines = js.line - 1;
		h->line_off = js.line_off;
	}
	js_free(&js);
	return NULL;
}

/* The helper started on fd, NULL when it cannot (read alone). */
static gt_half *half_start(int fd, uint64_t from, const char *name)
{
	gt_half *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->fd = fd;
	h->from = from;
	h->name = name;
	atomic_init(&h->cancel, 0);
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (pthread_create(&h->th, NULL, half_run, h) != 0) {
		pthread_cond_destroy(&h->cv);
		pthread_mutex_destroy(&h->mu);
		free(h);
		return NULL;
	}
	return h;
}

/* Stops the helper (when still running), waits for it and frees h. */
static void half_stop(gt_half *h)
{
	atomic_store(&h->cancel, 1);
	if (!h->joined)
		pthread_join(h->th, NULL);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h->v.a);
	free(h->v.side);
	free(h);
}

/* The helper's annotations after v's, and the reader moved after the ']':
 * 1, or 0 (nothing changed) when they would pass GT_MAX_ANNS (the caller's
 * reader then meets that limit as it would alone) or memory runs out. */
static int half_merge(gt_reader *r, ann_vec *v, const gt_half *h)
{
	size_t need = v->n + h->v.n;
	if (v->pos + h->v.pos >= GT_MAX_ANNS)
		return 0;
	if (need > v->cap) {
		gt_ann *a = realloc(v->a, need * sizeof *a);
		if (a)
			v->a = a;
		int64_t *sd = a ? realloc(v->side, need * sizeof *sd) : NULL;
		if (!sd)
			return 0;
		v->side = sd;
		v->cap = need;
	}
	if (h->v.n) {
		memcpy(v->a + v->n, h->v.a, h->v.n * sizeof *v->a);
		memcpy(v->side + v->n, h->v.side, h->v.n * sizeof *v->side);
	}
	v->n = need;
	v->pos += h->v.pos;
	r->skipped += h->skipped;
	jstream *js = r->js;
	js_seek(js, h->end, js->line + h->lines, h->lines ? h->line_off : js->line_off);
	return 1;
}

/* At an annotation's start: 1 when the helper's half was taken (the array
 * is read), 0 read on (the helper is stopped once X is behind). */
static int half_take(gt_reader *r, ann_vec *v)
{
	jstream *js = r->js;
	gt_half *h = r->half;
	if (js_peek(js) < 0 || js_offset(js) < h->from)
		return 0;
	pthread_mutex_lock(&h->mu);
	while (!h->have_x)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
	uint64_t off = js_offset(js);
	if (h->x != HALF_NONE && off < h->x)
		return 0;
	int took = 0;
	if (off == h->x) {
		pthread_join(h->th, NULL);
		h->joined = 1;
		took = h->ok && half_merge(r, v, h);
	}
	r->half = NULL;
	r->half_used = took;
	half_stop(h);
	return took;
}

/* h: the helper reading the annotations' second half (NULL none), stopped
 * here; *split (may be NULL) 1 when its annotations were taken. */
static ts_status gt_read(jstream *js, const char *name, gt_half *h, int *split, gt **out,
                         size_t *skipped, ts_error *err)
{
	gt_reader r = { js, name, err, 0, TS_OK, 0, h, 0, 0, NULL };
	gt_doc d;
	memset(&d, 0, sizeof d);
	int top_object = 0, ok = 0, empty = js_peek(js) < 0 && js->err == JS_OK && js->off_end == 0;
	if (!empty)
		ok = read_doc(&r, &d, &top_object);
	if (r.half)
		half_stop(r.half);
	if (split)
		*split = r.half_used;
	if (empty)
		return ts_error_set(err, TS_ERR_JSON, "%s: not JSON: the file is empty", name);
	ts_status st = ok ? doc_format(&r, &d, top_object) : reader_status(&r, js->err == JS_SYNTAX && r.trailing);
	gt *g = NULL;
	if (st == TS_OK && !(g = calloc(1, sizeof *g)))
		st = ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory", name);
	static const cJSON empty_array = {.type = cJSON_Array};
	if (st == TS_OK)
		st = load_categories(g, d.cats ? d.cats : &empty_array, &r.skipped, name, err);
	cJSON_Delete(d.cats);
	if (st == TS_OK)
		st = load_images(g, d.images, &r.skipped, name, err);
	cJSON_Delete(d.images);
	if (st == TS_OK)
		place_annotations(g, &d.anns, &r.skipped);
	free(d.anns.a);
	free(d.anns.side);
	if (st != TS_OK) {
		gt_free(g);
		return st;
	}
	if (skipped)
		*skipped = r.skipped;
	live_add(g);
	*out = g;
	ts_error_clear(err);
	return TS_OK;
}

ts_status gt_load_buffer(const char *json, size_t len, const char *name, gt **out,
                         size_t *skipped, ts_error *err)
{
	if (!name)
		name = "ground truth";
	if (out)
		*out = NULL;
	if (skipped)
		*skipped = 0;
	if (!out || (!json && len))
		return ts_error_set(err, TS_ERR_USAGE, "%s: gt_load_buffer: bad arguments", name);
	jstream js;
	js_init_buffer(&js, json ? json : "", len);
	ts_status st = gt_read(&js, name, NULL, NULL, out, skipped, err);
	js_free(&js);
	return st;
}

/* from: where the helper's search starts (0: no helper; SPLIT_AUTO: the
 * middle of a file of GT_SPLIT_MIN bytes or more). */
#define SPLIT_AUTO UINT64_MAX

static ts_status load_path(const char *path, uint64_t from, int *split, gt **out, size_t *skipped,
                           ts_error *err)
{
	if (split)
		*split = 0;
	if (out)
		*out = NULL;
	if (skipped)
		*skipped = 0;
	if (!path || !out)
		return ts_error_set(err, TS_ERR_USAGE, "gt_load: bad arguments");
	struct stat sb;
	int fd = fsafe_open_input(path, &sb, err); /* a regular file or refused */
	if (fd < 0)
		return err ? err->code : TS_ERR_IO;
	if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > GT_MAX_FILE_BYTES) {
		close(fd);
		return ts_error_set(err, TS_ERR_LIMIT, "%s: too large (%lld bytes; the limit is 1 GiB)",
		                    path, (long long)sb.st_size);
	}
	if (from == SPLIT_AUTO)
		from = S_ISREG(sb.st_mode) && (uint64_t)sb.st_size >= GT_SPLIT_MIN ? (uint64_t)sb.st_size / 2 : 0;
	jstream js;
	ts_status st;
	if (js_init_fd(&js, fd, GT_MAX_FILE_BYTES) != 0) {
		st = ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading the file", path);
	} else {
		gt_half *h = from && S_ISREG(sb.st_mode) ? half_start(fd, from, path) : NULL;
		st = gt_read(&js, path, h, split, out, skipped, err);
	}
	js_free(&js);
	close(fd);
	return st;
}

ts_status gt_load(const char *path, gt **out, size_t *skipped, ts_error *err)
{
	return load_path(path, 0, NULL, out, skipped, err);
}

ts_status gt_load_jobs(const char *path, size_t jobs, gt **out, size_t *skipped, ts_error *err)
{
	return load_path(path, jobs > 1 ? SPLIT_AUTO : 0, NULL, out, skipped, err);
}

ts_status gt_load_split_at(const char *path, uint64_t from, int *split, gt **out, size_t *skipped,
                           ts_error *err)
{
	return load_path(path, from ? from : 1, split, out, skipped, err);
}

/* ------------------------------------------------------------------ */
/* accessors and lookups                                               */

size_t gt_n_images(const gt *g) { return g ? g->n_images : 0; }
const gt_image *gt_images(const gt *g) { return g ? g->images : NULL; }
const gt_ann *gt_anns(const gt *g) { return g ? g->anns : NULL; }
size_t gt_n_categories(const gt *g) { return g ? g->n_cats : 0; }

const char *gt_category_name(const gt *g, int cat)
{
	if (!g || cat < 0 || (size_t)cat >= g->n_cats)
		return NULL;
	return g->cats[cat].name;
}

int64_t gt_category_id(const gt *g, int cat)
{
	if (!g || cat < 0 || (size_t)cat >= g->n_cats)
		return -1;
	return g->cats[cat].id;
}

const gt_image *gt_find_image_id(const gt *g, int64_t id)
{
	if (!g)
		return NULL;
	size_t i = image_index_of(g, id);
	return i == (size_t)-1 ? NULL : &g->images[i];
}

const gt_image *gt_find_file_name(const gt *g, const char *name)
{
	if (!g || !name || !*name)
		return NULL;
	size_t len = strlen(name);
	const gt_image *im = find_by_key(g, g->by_name, 0, name, len);
	if (im)
		return im;
	size_t bl;
	const char *b = base_of(name, len, &bl);
	if (bl == 0)
		return NULL;
	return find_by_key(g, g->by_base, 1, b, bl);
}

const gt_image *gt_find_custom_id(const gt *g, const char *custom_id)
{
	if (!g || !custom_id || !*custom_id)
		return NULL;
	const gt_image *im = gt_find_file_name(g, custom_id);
	if (im)
		return im;
	im = find_by_key(g, g->by_stem, 2, custom_id, strlen(custom_id));
	if (im)
		return im;
	const char *p = custom_id;
	while (*p && !(*p >= '0' && *p <= '9'))
		p++;
	if (!*p)
		return NULL;
	int64_t id = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		int d = *p - '0';
		if (id > (INT64_MAX - d) / 10)
			return NULL; /* too many digits for an id */
		id = id * 10 + d;
	}
	return gt_find_image_id(g, id);
}

int gt_category_lookup(const gt *g, const char *label, size_t len)
{
	if (!g || !label)
		return -1;
	trim(&label, &len);
	if (len == 0)
		return -1;
	return find_cat_key(g, label, len);
}

/* ---- loading on a thread ---- */

struct gt_async {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, abandoned, threaded;
	pthread_t th;
	char *path;
	gt *g;
	size_t skipped;
	ts_error err;
	ts_status st;
};

static void async_free(gt_async *a)
{
	gt_free(a->g);
	free(a->path);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

/* The thread touches only a; its owner (the caller, or the thread itself
 * once abandoned) frees it. */
static void *async_run(void *p)
{
	gt_async *a = p;
	gt *g = NULL;
	size_t skipped = 0;
	ts_error e;
	ts_error_clear(&e);
	ts_status st = gt_load(a->path, &g, &skipped, &e);
	pthread_mutex_lock(&a->mu);
	a->g = g;
	a->skipped = skipped;
	a->err = e;
	a->st = st;
	a->done = 1;
	int gone = a->abandoned;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	if (gone)
		async_free(a);
	return NULL;
}

gt_async *gt_async_start(const char *path)
{
	gt_async *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	if (!(a->path = strdup(path))) {
		async_free(a);
		return NULL;
	}
	a->threaded = pthread_create(&a->th, NULL, async_run, a) == 0;
	if (!a->threaded)
		async_run(a);
	return a;
}

int gt_async_wait(gt_async *a, long ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&a->mu);
	while (!a->done && ms != 0)
		if ((ms < 0 ? pthread_cond_wait(&a->cv, &a->mu)
		            : pthread_cond_timedwait(&a->cv, &a->mu, &until)) != 0 && ms >= 0)
			break;
	int done = a->done;
	pthread_mutex_unlock(&a->mu);
	return done;
}

ts_status gt_async_take(gt_async *a, gt **out, size_t *skipped, ts_error *err)
{
	gt_async_wait(a, -1);
	if (a->threaded)
		pthread_join(a->th, NULL);
	*out = a->g;
	a->g = NULL;
	if (skipped)
		*skipped = a->skipped;
	if (err)
		*err = a->err;
	ts_status st = a->st;
	async_free(a);
	return st;
}

void gt_async_abandon(gt_async *a)
{
	if (!a)
		return;
	/* read a before the unlock: a thread not done frees it once it sees abandoned */
	pthread_mutex_lock(&a->mu);
	int done = a->done, threaded = a->threaded;
	pthread_t th = a->th;
	a->abandoned = 1;
	pthread_mutex_unlock(&a->mu);
	if (threaded)
		pthread_detach(th);
	if (done)
		async_free(a);
}
