/* gt.c — COCO instances ground truth: loading, grouping and lookups.
 *
 * Images keep their file order.  Valid annotations are grouped by image
 * (counting sort: stable, file order kept within an image).  Lookups use
 * sorted index arrays and binary search (id, file name, basename, stem,
 * normalised category name).  Categories whose normalised names coincide are
 * merged into the first one: a label cannot tell them apart.
 */
#include "gt.h"
#include "json_util.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
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
	void **derived;   /* per image (gt_derived), NULL until used */
	void (*derived_free)(void *);
	gt *live_prev, *live_next; /* the loaded gts (gt_derived finds anns in them) */
};

/* Every loaded gt, for gt_derived; the lock also guards the derived slots. */
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static gt *live_head;

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
	if (!src || !ord || !tmp || !g->cats || !g->cat_ids || !g->cat_by_key) {
		st = ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading categories", name);
		goto out;
	}
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
		cat_src *e = &src[m];
		e->id = id;
		e->name = jn->valuestring;
		e->key = dup_n(s, len);
		if (!e->key) {
			st = ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading categories", name);
			goto out;
		}
		for (size_t i = 0; i < len; i++)
			e->key[i] = (char)ascii_lower((unsigned char)e->key[i]);
		e->key_len = len;
		e->pos = m;
		m++;
	}
	/* Duplicate ids: the first entry stands. */
	for (size_t i = 0; i < m; i++)
		ord[i] = &src[i];
	qsort(ord, m, sizeof *ord, cat_src_id_cmp);
	for (size_t i = 1; i < m; i++)
		if (ord[i]->id == ord[i - 1]->id) {
			ord[i]->drop = 1;
			(*skipped)++;
		}
	/* Same normalised name: later entries merge into the first. */
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
	/* In file order: new categories get the next index. */
	for (size_t i = 0; i < m; i++) {
		cat_src *e = &src[i];
		if (e->drop)
			continue;
		int cat;
		if (e->rep == e->pos) {
			gt_cat *nc = &g->cats[g->n_cats];
			nc->id = e->id;
			nc->name = dup_n(e->name, strlen(e->name));
			if (!nc->name) {
				st = ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading categories", name);
				goto out;
			}
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
	qsort(g->cat_ids, g->n_cat_ids, sizeof *g->cat_ids, cat_id_cmp);
	for (size_t i = 0; i < g->n_cats; i++)
		g->cat_by_key[i] = (int)i;
	sort_cats_by_key(g, g->cat_by_key, tmp, g->n_cats);
out:
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

static ts_status load_images(gt *g, const cJSON *arr, size_t *skipped, const char *name,
                             ts_error *err)
{
	size_t n = (size_t)cJSON_GetArraySize(arr);
	g->images = calloc(n ? n : 1, sizeof *g->images);
	id_key *keys = malloc((n ? n : 1) * sizeof *keys);
	if (!g->images || !keys) {
		free(keys);
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading images", name);
	}
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
		if (!gi->file_name) {
			free(keys);
			return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading images", name);
		}
		gi->width = json_size(im, "width");
		gi->height = json_size(im, "height");
		keys[g->n_images].id = id;
		keys[g->n_images].idx = g->n_images;
		g->n_images++;
	}
	qsort(keys, g->n_images, sizeof *keys, id_key_cmp);
	/* Duplicate ids: the first image stands, later ones are dropped. */
	char *drop = calloc(g->n_images ? g->n_images : 1, 1);
	if (!drop) {
		free(keys);
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading images", name);
	}
	for (size_t i = 1; i < g->n_images; i++)
		if (keys[i].id == keys[i - 1].id)
			drop[keys[i].idx] = 1;
	size_t w = 0;
	size_t *newpos = malloc((g->n_images ? g->n_images : 1) * sizeof *newpos);
	if (!newpos) {
		free(keys);
		free(drop);
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading images", name);
	}
	for (size_t i = 0; i < g->n_images; i++) {
		if (drop[i]) {
			free((char *)g->images[i].file_name);
			(*skipped)++;
			newpos[i] = (size_t)-1;
			continue;
		}
		newpos[i] = w;
		g->images[w++] = g->images[i];
	}
	g->by_id = malloc((w ? w : 1) * sizeof *g->by_id);
	if (!g->by_id) {
		g->n_images = w;
		free(keys);
		free(drop);
		free(newpos);
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading images", name);
	}
	size_t k = 0;
	for (size_t i = 0; i < g->n_images; i++)
		if (!drop[keys[i].idx])
			g->by_id[k++] = newpos[keys[i].idx];
	g->n_images = w;
	free(keys);
	free(drop);
	free(newpos);
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

static int parse_ann(const gt *g, const cJSON *a, size_t pos, gt_ann *out, size_t *img)
{
	if (!cJSON_IsObject(a))
		return 0;
	int64_t image_id, cat_id;
	if (!json_int64(cJSON_GetObjectItemCaseSensitive(a, "image_id"), &image_id) ||
	    !json_int64(cJSON_GetObjectItemCaseSensitive(a, "category_id"), &cat_id))
		return 0;
	/* id: optional (some COCO-style exports omit it); when present an integer */
	const cJSON *jid = cJSON_GetObjectItemCaseSensitive(a, "id");
	if (jid) {
		if (!json_int64(jid, &out->id))
			return 0;
	} else {
		out->id = (int64_t)pos + 1;
	}
	const cJSON *bb = cJSON_GetObjectItemCaseSensitive(a, "bbox");
	if (!cJSON_IsArray(bb) || cJSON_GetArraySize(bb) != 4)
		return 0;
	int i = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, bb)
	{
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
			return 0;
		out->bbox[i++] = v->valuedouble;
	}
	if (out->bbox[2] < 0 || out->bbox[3] < 0)
		return 0;
	const cJSON *cr = cJSON_GetObjectItemCaseSensitive(a, "iscrowd");
	if (!cr || cJSON_IsNull(cr) || cJSON_IsFalse(cr)) {
		out->iscrowd = 0;
	} else if (cJSON_IsTrue(cr)) {
		out->iscrowd = 1;
	} else if (cJSON_IsNumber(cr) && (cr->valuedouble == 0 || cr->valuedouble == 1)) {
		out->iscrowd = cr->valuedouble == 1;
	} else {
		return 0;
	}
	int cat = cat_index_of(g, cat_id);
	size_t ii = image_index_of(g, image_id);
	if (cat < 0 || ii == (size_t)-1)
		return 0;
	out->cat = cat;
	out->image_id = image_id;
	*img = ii;
	return 1;
}

static ts_status load_annotations(gt *g, const cJSON *arr, size_t *skipped, const char *name,
                                  ts_error *err)
{
	size_t n = arr ? (size_t)cJSON_GetArraySize(arr) : 0;
	gt_ann *tmp = malloc((n ? n : 1) * sizeof *tmp);
	size_t *img = malloc((n ? n : 1) * sizeof *img);
	g->anns = malloc((n ? n : 1) * sizeof *g->anns);
	if (!tmp || !img || !g->anns) {
		free(tmp);
		free(img);
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading annotations", name);
	}
	size_t m = 0, pos = 0;
	const cJSON *a;
	if (arr) {
		cJSON_ArrayForEach(a, arr)
		{
			if (parse_ann(g, a, pos, &tmp[m], &img[m]))
				m++;
			else
				(*skipped)++;
			pos++;
		}
	}
	/* counting sort by image index: stable */
	for (size_t i = 0; i < g->n_images; i++)
		g->images[i].n_ann = 0;
	for (size_t i = 0; i < m; i++)
		g->images[img[i]].n_ann++;
	size_t off = 0;
	for (size_t i = 0; i < g->n_images; i++) {
		g->images[i].ann_first = off;
		off += g->images[i].n_ann;
	}
	for (size_t i = 0; i < g->n_images; i++)
		g->images[i].n_ann = 0;
	for (size_t i = 0; i < m; i++) {
		gt_image *im = &g->images[img[i]];
		g->anns[im->ann_first + im->n_ann++] = tmp[i];
	}
	g->n_anns = m;
	free(tmp);
	free(img);
	return TS_OK;
}

/* 1-based line and column of byte offset pos. */
static void line_col(const char *s, size_t len, size_t pos, size_t *line, size_t *col)
{
	size_t l = 1, c = 1;
	if (pos > len)
		pos = len;
	for (size_t i = 0; i < pos; i++) {
		if (s[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}


ts_status gt_load_buffer(const char *json, size_t len, const char *name, gt **out,
                         size_t *skipped, ts_error *err)
{
	size_t skip_local = 0;
	if (!name)
		name = "ground truth";
	if (out)
		*out = NULL;
	if (skipped)
		*skipped = 0;
	if (!out || (!json && len))
		return ts_error_set(err, TS_ERR_USAGE, "%s: gt_load_buffer: bad arguments", name);
	if (len == 0)
		return ts_error_set(err, TS_ERR_JSON, "%s: not JSON: the file is empty", name);

	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (!root) {
		size_t pos = (end && end >= json && end <= json + len) ? (size_t)(end - json) : 0;
		size_t line, col;
		line_col(json, len, pos, &line, &col);
		if (json_util_too_deep(json, len, pos))
			return ts_error_set(err, TS_ERR_LIMIT,
			                    "%s: JSON nested deeper than %d levels (line %zu, column %zu)",
			                    name, CJSON_NESTING_LIMIT, line, col);
		return ts_error_set(err, TS_ERR_JSON,
		                    "%s: not JSON (syntax error at line %zu, column %zu)", name, line, col);
	}
	/* Only white space may follow the value. */
	if (end) {
		size_t pos = (size_t)(end - json);
		while (pos < len && is_space((unsigned char)json[pos]))
			pos++;
		if (pos < len) {
			size_t line, col;
			line_col(json, len, pos, &line, &col);
			cJSON_Delete(root);
			return ts_error_set(err, TS_ERR_JSON,
			                    "%s: not JSON (unexpected text after the value at line %zu, column %zu)",
			                    name, line, col);
		}
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return ts_error_set(err, TS_ERR_FORMAT,
		                    "%s: not a COCO file: the top level is not a JSON object", name);
	}
	const cJSON *images = cJSON_GetObjectItemCaseSensitive(root, "images");
	const cJSON *anns = cJSON_GetObjectItemCaseSensitive(root, "annotations");
	const cJSON *cats = cJSON_GetObjectItemCaseSensitive(root, "categories");
	const char *bad = NULL;
	if (!cJSON_IsArray(images))
		bad = images ? "\"images\" is not an array" : "no \"images\" array";
	else if (anns && !cJSON_IsArray(anns) && !cJSON_IsNull(anns))
		bad = "\"annotations\" is not an array";
	else if (cats && !cJSON_IsArray(cats) && !cJSON_IsNull(cats))
		bad = "\"categories\" is not an array";
	if (bad) {
		cJSON_Delete(root);
		return ts_error_set(err, TS_ERR_FORMAT, "%s: not a COCO file: %s", name, bad);
	}

	gt *g = calloc(1, sizeof *g);
	if (!g) {
		cJSON_Delete(root);
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory", name);
	}
	static const cJSON empty_array = {.type = cJSON_Array};
	ts_status st = load_categories(g, cJSON_IsArray(cats) ? cats : &empty_array, &skip_local, name, err);
	if (st == TS_OK)
		st = load_images(g, images, &skip_local, name, err);
	if (st == TS_OK)
		st = load_annotations(g, cJSON_IsArray(anns) ? anns : NULL, &skip_local, name, err);
	cJSON_Delete(root);
	if (st != TS_OK) {
		gt_free(g);
		return st;
	}
	if (skipped)
		*skipped = skip_local;
	live_add(g);
	*out = g;
	ts_error_clear(err);
	return TS_OK;
}

ts_status gt_load(const char *path, gt **out, size_t *skipped, ts_error *err)
{
	if (out)
		*out = NULL;
	if (skipped)
		*skipped = 0;
	if (!path || !out)
		return ts_error_set(err, TS_ERR_USAGE, "gt_load: bad arguments");
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ts_error_set(err, TS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) != 0) {
		int e = errno;
		close(fd);
		return ts_error_set(err, TS_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
	}
	if (S_ISDIR(sb.st_mode)) {
		close(fd);
		return ts_error_set(err, TS_ERR_IO, "%s: is a directory, not a COCO JSON file", path);
	}
	if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > GT_MAX_FILE_BYTES) {
		close(fd);
		return ts_error_set(err, TS_ERR_LIMIT, "%s: too large (%lld bytes; the limit is 1 GiB)",
		                    path, (long long)sb.st_size);
	}
	size_t cap = S_ISREG(sb.st_mode) ? (size_t)sb.st_size + 1 : 65536;
	char *buf = malloc(cap + 1);
	size_t len = 0;
	if (!buf) {
		close(fd);
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading the file", path);
	}
	for (;;) {
		if (len == cap) {
			if (cap > GT_MAX_FILE_BYTES) {
				free(buf);
				close(fd);
				return ts_error_set(err, TS_ERR_LIMIT, "%s: too large (the limit is 1 GiB)", path);
			}
			size_t ncap = cap * 2;
			if (ncap > GT_MAX_FILE_BYTES + 1)
				ncap = GT_MAX_FILE_BYTES + 1;
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				close(fd);
				return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading the file", path);
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			close(fd);
			return ts_error_set(err, TS_ERR_IO, "%s: read error: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len > GT_MAX_FILE_BYTES) {
		free(buf);
		return ts_error_set(err, TS_ERR_LIMIT, "%s: too large (the limit is 1 GiB)", path);
	}
	buf[len] = '\0';
	ts_status st = gt_load_buffer(buf, len, path, out, skipped, err);
	free(buf);
	return st;
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
