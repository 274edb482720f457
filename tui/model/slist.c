/* slist.c — samples list filter/sort/view (see slist.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"
#include "slist.h"

static const char *const sort_names[] = {
#define SLIST_SORT_NAME(name, text) text,
	SLIST_SORT_LIST(SLIST_SORT_NAME)
#undef SLIST_SORT_NAME
};

const char *slist_sort_name(slist_sort s)
{
	if ((int)s < 0 || s >= SLIST_SORT_COUNT)
		return "?";
	return sort_names[s];
}

void slist_filter_free(slist_filter *f)
{
	expr_free(f->ex);
	memset(f, 0, sizeof *f);
}

/* the legacy filters: dup, trunc, label:xxx, free text (low: lower-cased) */
static void filter_simple(const char *low, size_t n, slist_filter *out)
{
	if (!strcmp(low, "dup") || !strcmp(low, "dups") || !strcmp(low, "duplicates")) {
		out->kind = SLIST_FILTER_DUP;
	} else if (!strcmp(low, "trunc") || !strcmp(low, "truncated")) {
		out->kind = SLIST_FILTER_TRUNC;
	} else if (!strncmp(low, "label:", 6) && !expr_looks_like(low)) {
		const char *p = low + 6;
		while (*p == ' ')
			p++;
		out->kind = SLIST_FILTER_LABEL;
		memcpy(out->text, p, strlen(p) + 1);
	} else {
		out->kind = SLIST_FILTER_TEXT;
		memcpy(out->text, low, n + 1);
	}
}

int slist_filter_set(const char *text, slist_filter *out, expr_err *err)
{
	size_t a = 0, b, n = 0;
	char low[SLIST_FILTER_TEXT_MAX], raw[SLIST_FILTER_TEXT_MAX];

	slist_filter_free(out);
	if (err)
		memset(err, 0, sizeof *err);
	if (!text)
		return 0;
	b = strlen(text);
	while (a < b && isspace((unsigned char)text[a]))
		a++;
	while (b > a && isspace((unsigned char)text[b - 1]))
		b--;
	if (a == b)
		return 0;
	for (size_t i = a; i < b && n + 1 < sizeof low; i++, n++) {
		raw[n] = text[i];
		low[n] = (char)tolower((unsigned char)text[i]);
	}
	low[n] = raw[n] = 0;
	if (!expr_looks_like(low)) {
		filter_simple(low, n, out);
		return 0;
	}
	expr_err e2;
	expr *ex = expr_compile(raw, &slist_expr_ops, &e2);
	if (!ex) {
		if (err) {
			*err = e2;
			err->pos += a; /* an offset in text as given */
		}
		return -1;
	}
	out->kind = SLIST_FILTER_EXPR;
	out->ex = ex;
	memcpy(out->text, raw, n + 1);
	return 0;
}

void slist_filter_parse(const char *text, slist_filter *out)
{
	(void)slist_filter_set(text, out, NULL);
}

/* Case-insensitive (ASCII) substring search; needle already lower-case. */
static int contains_ci(const char *hay, const char *needle)
{
	size_t nl = strlen(needle);
	if (nl == 0)
		return 1;
	if (!hay)
		return 0;
	for (const char *h = hay; *h; h++) {
		size_t i = 0;
		while (i < nl && h[i] && tolower((unsigned char)h[i]) == (unsigned char)needle[i])
			i++;
		if (i == nl)
			return 1;
	}
	return 0;
}

/* ---- expression fields ---- */

typedef enum {
	SF_RECORDS, SF_DUPLICATES, SF_MAX_REPEAT, SF_TERMINATION, SF_IMAGE_ID,
	SF_TOKENS, SF_F1, SF_HITS, SF_N
} slist_field;

static const expr_field fields[SF_N] = {
	[SF_RECORDS] = { "records", EXPR_NUM },
	[SF_DUPLICATES] = { "duplicates", EXPR_NUM },
	[SF_MAX_REPEAT] = { "max_repeat", EXPR_NUM },
	[SF_TERMINATION] = { "termination", EXPR_STR },
	[SF_IMAGE_ID] = { "image_id", EXPR_NUM },
	[SF_TOKENS] = { "tokens", EXPR_NUM },
	[SF_F1] = { "f1", EXPR_NUM },
	[SF_HITS] = { "hits", EXPR_NUM },
};

static expr_val num(double v) { expr_val x = { 1, v, NULL }; return x; }

static expr_val field_get(const void *row, size_t f)
{
	const slist_item *it = row;
	expr_val none = { 0, 0, NULL };
	if (!it->ready || it->failed)
		return none;
	switch ((slist_field)f) {
	case SF_RECORDS: return num((double)it->records);
	case SF_DUPLICATES: return num((double)it->dups);
	case SF_MAX_REPEAT: return num((double)it->max_repeat);
	case SF_TERMINATION: {
		expr_val v = { it->term >= 0, 0,
		               it->term >= 0 ? termination_name((termination)it->term) : NULL };
		return v;
	}
	case SF_IMAGE_ID: return it->has_id ? num((double)it->id) : none;
	case SF_TOKENS: return num((double)it->tokens);
	case SF_F1: return it->has_f1 ? num(it->f1) : none;
	case SF_HITS: return it->has_f1 ? num((double)it->hits) : none;
	case SF_N: break;
	}
	return none;
}

static int field_label(const void *row, const char *word)
{
	const slist_item *it = row;
	return it->ready && contains_ci(it->labels, word);
}

const expr_ops slist_expr_ops = { fields, SF_N, field_get, field_label };

int slist_filter_match(const slist_filter *f, const slist_item *it)
{
	switch (f->kind) {
	case SLIST_FILTER_NONE:
		return 1;
	case SLIST_FILTER_DUP:
		return it->ready && !it->failed && it->dups > 0;
	case SLIST_FILTER_TRUNC:
		return it->ready && !it->failed && it->term == SLIST_TERM_TRUNCATED;
	case SLIST_FILTER_LABEL:
		return it->ready && contains_ci(it->labels, f->text);
	case SLIST_FILTER_TEXT:
		return contains_ci(it->name, f->text) || (it->ready && contains_ci(it->labels, f->text));
	case SLIST_FILTER_EXPR:
		return expr_eval(f->ex, it);
	}
	return 0;
}

void slist_init(slist *l)
{
	memset(l, 0, sizeof *l);
	l->sort = SLIST_SORT_ID;
}

void slist_free(slist *l)
{
	free(l->view);
	free(l->marks);
	slist_filter_free(&l->filter);
	memset(l, 0, sizeof *l);
}

/* qsort has no context argument in C11: the comparison reads these. */
static const slist_item *cmp_items;
static slist_sort cmp_sort;
static int cmp_reverse;

/* the sort key's order of two ready items: < 0 when x comes first */
static int cmp_key(const slist_item *x, const slist_item *y)
{
#define DESC(a, b) ((a) != (b) ? ((a) > (b) ? -1 : 1) : 0)
	switch (cmp_sort) {
	case SLIST_SORT_ID:
		if (x->has_id != y->has_id)
			return x->has_id ? -1 : 1;
		if (x->has_id && x->id != y->id)
			return x->id < y->id ? -1 : 1;
		if (!x->has_id && x->key && y->key && strcmp(x->key, y->key))
			return strcmp(x->key, y->key) < 0 ? -1 : 1;
		return 0;
	case SLIST_SORT_DUPS: return DESC(x->dups, y->dups);
	case SLIST_SORT_REPEAT: return DESC(x->max_repeat, y->max_repeat);
	case SLIST_SORT_F1:
		if (x->has_f1 != y->has_f1)
			return x->has_f1 ? -1 : 1;
		return x->has_f1 ? -DESC(x->f1, y->f1) : 0;
	case SLIST_SORT_LENGTH: return DESC(x->tokens, y->tokens);
	case SLIST_SORT_RECORDS: return DESC(x->records, y->records);
	case SLIST_SORT_TERM: /* truncated, malformed, stopped, closed */
		return DESC(x->term == SLIST_TERM_CLOSED ? -1 : x->term == SLIST_TERM_TRUNCATED ? 9 : x->term,
		            y->term == SLIST_TERM_CLOSED ? -1 : y->term == SLIST_TERM_TRUNCATED ? 9 : y->term);
	default:
		return 0;
	}
#undef DESC
}

/* Larger first for the "trouble" orders, F1 lowest first (reversed with
 * S); unready last; ties in file order (so the sort is deterministic). */
static int cmp_view(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const slist_item *x = &cmp_items[a], *y = &cmp_items[b];
	int rx = x->ready && !x->failed, ry = y->ready && !y->failed;

	if (rx != ry)
		return rx ? -1 : 1;
	if (rx) {
		int c = cmp_key(x, y);
		if (c)
			return cmp_reverse ? -c : c;
	}
	if (cmp_reverse && cmp_sort == SLIST_SORT_FILE && rx)
		return a > b ? -1 : a < b ? 1 : 0;
	return a < b ? -1 : a > b ? 1 : 0;
}

int slist_rebuild(slist *l, const slist_item *items, size_t n)
{
	size_t keep = slist_selected(l);
	size_t old_row = l->cur.sel;

	if (n > l->n_marks) {
		unsigned char *mk = realloc(l->marks, n);
		if (!mk)
			return -1;
		memset(mk + l->n_marks, 0, n - l->n_marks);
		l->marks = mk;
		l->n_marks = n;
	}
	if (n > l->cap) {
		size_t *v = realloc(l->view, n * sizeof *v);
		if (!v)
			return -1;
		l->view = v;
		l->cap = n;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if ((!l->only_marked || l->marks[i]) && slist_filter_match(&l->filter, &items[i]))
			l->view[m++] = i;
	l->n_view = m;
	if ((l->sort != SLIST_SORT_FILE || l->reverse) && m > 1) {
		cmp_items = items;
		cmp_sort = l->sort;
		cmp_reverse = l->reverse;
		qsort(l->view, m, sizeof *l->view, cmp_view);
	}
	if (keep == (size_t)-1 || !slist_select_item(l, keep))
		listcur_set(&l->cur, old_row, m);
	return 0;
}

size_t slist_selected(const slist *l)
{
	if (l->n_view == 0 || l->cur.sel >= l->n_view)
		return (size_t)-1;
	return l->view[l->cur.sel];
}

int slist_select_item(slist *l, size_t idx)
{
	for (size_t i = 0; i < l->n_view; i++)
		if (l->view[i] == idx) {
			l->cur.sel = i;
			return 1;
		}
	return 0;
}

int slist_mark_toggle(slist *l)
{
	size_t i = slist_selected(l);
	if (i == (size_t)-1 || i >= l->n_marks)
		return -1;
	l->marks[i] = !l->marks[i];
	return l->marks[i];
}

size_t slist_mark_shown(slist *l)
{
	size_t unmarked = 0, changed = 0;
	for (size_t k = 0; k < l->n_view; k++)
		unmarked += l->view[k] < l->n_marks && !l->marks[l->view[k]];
	unsigned char to = unmarked > 0;
	for (size_t k = 0; k < l->n_view; k++)
		if (l->view[k] < l->n_marks && l->marks[l->view[k]] != to) {
			l->marks[l->view[k]] = to;
			changed++;
		}
	return changed;
}

size_t slist_marked_count(const slist *l)
{
	size_t c = 0;
	for (size_t i = 0; i < l->n_marks; i++)
		c += l->marks[i] != 0;
	return c;
}

int slist_is_marked(const slist *l, size_t idx)
{
	return idx < l->n_marks && l->marks[idx];
}
