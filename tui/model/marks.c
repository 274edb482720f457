/* marks.c — marked samples to CSV/JSON and back (see marks.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cJSON.h>

#include "export.h"
#include "fsafe.h"
#include "marks.h"

#define MARKS_FILE_MAX (64u << 20)

/* a growing text buffer; failed sticks */
typedef struct tbuf {
	char *p;
	size_t len, cap;
	int failed;
} tbuf;

static void tb_put(tbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q) {
			b->failed = 1;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void tb_field(tbuf *b, const char *s)
{
	char stack[256];
	size_t need = export_csv_field(s, stack, sizeof stack);
	if (need + 1 <= sizeof stack) {
		tb_put(b, stack, need);
		return;
	}
	char *heap = malloc(need + 1);
	if (!heap) {
		b->failed = 1;
		return;
	}
	export_csv_field(s, heap, need + 1);
	tb_put(b, heap, need);
	free(heap);
}

char *marks_csv(const slist *l, const slist_item *items, const char *run, const trace_index *ix,
                size_t *len)
{
	tbuf b = { NULL, 0, 0, 0 };
	tb_put(&b, "run,line,image_id\r\n", 19);
	for (size_t i = 0; i < l->n_marks; i++) {
		if (!l->marks[i])
			continue;
		char num[64];
		tb_field(&b, run ? run : "");
		snprintf(num, sizeof num, ",%zu,", trace_index_lineno(ix, i));
		tb_put(&b, num, strlen(num));
		if (items[i].has_id) {
			snprintf(num, sizeof num, "%lld", items[i].id);
			tb_put(&b, num, strlen(num));
		}
		tb_put(&b, "\r\n", 2);
	}
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

char *marks_json(const slist *l, const slist_item *items, const char *run, const trace_index *ix,
                 size_t *len)
{
	cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	if (!root || !arr) {
		cJSON_Delete(root);
		cJSON_Delete(arr);
		return NULL;
	}
	cJSON_AddStringToObject(root, "run", run ? run : "");
	cJSON_AddItemToObject(root, "samples", arr);
	for (size_t i = 0; i < l->n_marks; i++) {
		if (!l->marks[i])
			continue;
		cJSON *o = cJSON_CreateObject();
		if (!o)
			break;
		cJSON_AddNumberToObject(o, "line", (double)trace_index_lineno(ix, i));
		if (items[i].has_id)
			cJSON_AddNumberToObject(o, "image_id", (double)items[i].id);
		else
			cJSON_AddNullToObject(o, "image_id");
		cJSON_AddItemToArray(arr, o);
	}
	char *txt = cJSON_Print(root);
	cJSON_Delete(root);
	if (!txt)
		return NULL;
	size_t n = strlen(txt);
	char *out = realloc(txt, n + 2); /* a final newline */
	if (!out) {
		free(txt);
		return NULL;
	}
	out[n] = '\n';
	out[n + 1] = 0;
	*len = n + 1;
	return out;
}

/* ---- reading ---- */

#define MAX_COLS 256

/* One CSV record (RFC 4180) from *p: fields into f (NUL-terminated in
 * place, quotes removed), at most MAX_COLS; returns the count (0 at end). */
static size_t csv_record(char **p, char *end, char *f[MAX_COLS])
{
	char *s = *p;
	size_t n = 0;
	if (s >= end)
		return 0;
	for (;;) {
		char *w = s, *start = s;
		if (s < end && *s == '"') {
			for (s++; s < end; s++) {
				if (*s == '"' && s + 1 < end && s[1] == '"')
					*w++ = '"', s++;
				else if (*s == '"')
					break;
				else
					*w++ = *s;
			}
			if (s < end)
				s++;
			while (s < end && *s != ',' && *s != '\n')
				s++;
		} else {
			while (s < end && *s != ',' && *s != '\n')
				s++;
			w = s;
		}
		char sep = s < end ? *s : '\n';
		if (w > start && w[-1] == '\r' && sep == '\n')
			w--;
		*w = 0; /* s >= w: the separator (or the NUL past end) is overwritten */
		if (n < MAX_COLS)
			f[n++] = start;
		if (s < end)
			s++;
		if (sep == '\n') {
			*p = s;
			return n;
		}
	}
}

static long col_of(char *const *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i], name))
			return (long)i;
	return -1;
}

/* (line, item) pairs sorted by line: a run read from several trace files
 * numbers each file's lines from 1, so lines need not follow item order */
typedef struct line_item { size_t line, item; } line_item;

static int cmp_line(const void *a, const void *b)
{
	const line_item *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->item < y->item ? -1 : x->item > y->item;
}

/* first item of 1-based line, or (size_t)-1 */
static size_t item_of_line(const line_item *li, size_t n, unsigned long line)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (li[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && li[lo].line == line ? li[lo].item : (size_t)-1;
}

/* 1 if some data row's run column is run */
static int run_named(char *text, char *end, long rc, const char *run)
{
	char *p = text, *f[MAX_COLS];
	size_t k;
	csv_record(&p, end, f); /* header */
	while ((k = csv_record(&p, end, f)) > 0)
		if ((size_t)rc < k && run && !strcmp(f[rc], run))
			return 1;
	return 0;
}

long marks_load(slist *l, size_t n, const trace_index *ix, const char *run, const char *text,
                size_t len, const char *file, size_t *unknown, char *msg, size_t msgsz)
{
	char *buf = malloc(len + 1), *f[MAX_COLS];
	if (!buf)
		return snprintf(msg, msgsz, "%s: out of memory", file), -1;
	memcpy(buf, text, len);
	buf[len] = 0;
	char *p = buf, *end = buf + len;
	size_t k = csv_record(&p, end, f);
	long lc = col_of(f, k, "line"), rc = col_of(f, k, "run");
	if (lc < 0) {
		free(buf);
		return snprintf(msg, msgsz, "%s:1: no \"line\" column in the header", file), -1;
	}
	char *copy = malloc(len + 1);
	int only_run = 0;
	if (copy && rc >= 0) {
		memcpy(copy, text, len);
		copy[len] = 0;
		only_run = run_named(copy, copy + len, rc, run);
	}
	free(copy);
	if (l->n_marks < n) {
		free(buf);
		return snprintf(msg, msgsz, "%s: the list is not ready", file), -1;
	}
	line_item *li = malloc((n ? n : 1) * sizeof *li);
	if (!li) {
		free(buf);
		return snprintf(msg, msgsz, "%s: out of memory", file), -1;
	}
	for (size_t i = 0; i < n; i++)
		li[i] = (line_item){ trace_index_lineno(ix, i), i };
	qsort(li, n, sizeof *li, cmp_line);
	long marked = 0;
	*unknown = 0;
	for (size_t row = 2; (k = csv_record(&p, end, f)) > 0; row++) {
		if (k == 1 && !f[0][0])
			continue; /* blank line */
		if (only_run && ((size_t)rc >= k || !run || strcmp(f[rc], run)))
			continue;
		char *e;
		errno = 0;
		unsigned long line = (size_t)lc < k ? strtoul(f[lc], &e, 10) : 0;
		if ((size_t)lc >= k || !f[lc][0] || *e || errno || f[lc][0] == '-') {
			free(buf);
			free(li);
			return snprintf(msg, msgsz, "%s:%zu: the line column is not a line number", file, row), -1;
		}
		size_t i = item_of_line(li, n, line);
		if (i == (size_t)-1)
			(*unknown)++;
		else if (!l->marks[i])
			l->marks[i] = 1, marked++;
	}
	free(buf);
	free(li);
	return marked;
}

long marks_load_file(slist *l, size_t n, const trace_index *ix, const char *run, const char *path,
                     size_t *unknown, char *msg, size_t msgsz)
{
	ts_error err;
	struct stat sb;
	FILE *fp = fsafe_fopen_input(path, &sb, &err);
	if (!fp)
		return snprintf(msg, msgsz, "%s", err.msg), -1;
	if ((unsigned long long)sb.st_size > MARKS_FILE_MAX) {
		fclose(fp);
		return snprintf(msg, msgsz, "%s: larger than 64 MiB: refused", path), -1;
	}
	size_t cap = (size_t)sb.st_size + 1, len = 0;
	char *text = malloc(cap);
	if (!text) {
		fclose(fp);
		return snprintf(msg, msgsz, "%s: out of memory", path), -1;
	}
	len = fread(text, 1, cap - 1, fp); /* a file that grew meanwhile: its first st_size bytes */
	int bad = ferror(fp);
	fclose(fp);
	long r = bad ? (snprintf(msg, msgsz, "%s: read error", path), -1)
	             : marks_load(l, n, ix, run, text, len, path, unknown, msg, msgsz);
	free(text);
	return r;
}
