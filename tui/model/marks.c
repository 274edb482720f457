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
#define SHARD_MAX 512 /* session_where's shard name */

/* run,[file,]line,image_id of sample i: the cells report's CSV writes */
static void csv_row(strbuf *b, const session_run *r, size_t i)
{
	char shard[SHARD_MAX], num[64];
	size_t line = session_where(r, i, shard, sizeof shard);
	export_csv_put_text(b, r->name);
	if (r->sharded) {
		strbuf_put(b, ",", 1);
		export_csv_put_text(b, shard);
	}
	snprintf(num, sizeof num, ",%zu,", line);
	strbuf_puts(b, num);
	if (r->items[i].has_id) {
		snprintf(num, sizeof num, "%lld", r->items[i].id);
		strbuf_puts(b, num);
	}
	strbuf_put(b, "\r\n", 2);
}

char *marks_csv(const session_run *r, size_t *len)
{
	strbuf b = STRBUF_INIT;
	strbuf_puts(&b, r->sharded ? "run,file,line,image_id\r\n" : "run,line,image_id\r\n");
	for (size_t i = 0; i < r->list.n_marks; i++)
		if (r->list.marks[i])
			csv_row(&b, r, i);
	return strbuf_take(&b, len);
}

char *marks_json(const session_run *r, size_t *len)
{
	cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	if (!root || !arr) {
		cJSON_Delete(root);
		cJSON_Delete(arr);
		return NULL;
	}
	cJSON_AddStringToObject(root, "run", r->name);
	cJSON_AddItemToObject(root, "samples", arr);
	for (size_t i = 0; i < r->list.n_marks; i++) {
		if (!r->list.marks[i])
			continue;
		cJSON *o = cJSON_CreateObject();
		if (!o)
			break;
		char shard[SHARD_MAX];
		size_t line = session_where(r, i, shard, sizeof shard);
		if (r->sharded)
			cJSON_AddStringToObject(o, "file", shard);
		cJSON_AddNumberToObject(o, "line", (double)line);
		if (r->items[i].has_id)
			cJSON_AddNumberToObject(o, "image_id", (double)r->items[i].id);
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

/* A cell names `name` when it is name, or name with report's formula
 * guard (export_csv_put_text: a leading ' before = + - @ TAB CR). */
static int cell_is(const char *cell, const char *name)
{
	if (!strcmp(cell, name))
		return 1;
	return cell[0] == '\'' && export_csv_guarded(name) && !strcmp(cell + 1, name);
}

/* (shard, line, item) sorted by shard name then line: a sharded run numbers
 * each shard's lines from 1, so lines need not follow item order.  shard:
 * session_where's name ("" for a single traces file), in a pool of names. */
typedef struct line_item {
	const char *shard;
	size_t line, item;
} line_item;

static int cmp_line(const void *a, const void *b)
{
	const line_item *x = a, *y = b;
	int c = strcmp(x->shard, y->shard);
	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->item < y->item ? -1 : x->item > y->item;
}

/* first item of (shard cell, 1-based line), or (size_t)-1 */
static size_t item_of_line(const line_item *li, size_t n, const char *cell, unsigned long line)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(li[mid].shard, cell);
		if (c < 0 || (c == 0 && li[mid].line < line))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !strcmp(li[lo].shard, cell) && li[lo].line == line ? li[lo].item
	                                                                     : (size_t)-1;
}

/* The run's samples as line_items sorted; *pool keeps the shard names
 * (one per change of shard along the index).  NULL when out of memory. */
static line_item *line_items(const session_run *r, strbuf *pool)
{
	line_item *li = malloc((r->n ? r->n : 1) * sizeof *li);
	size_t *at = malloc((r->n ? r->n : 1) * sizeof *at);
	char shard[SHARD_MAX];
	size_t last = (size_t)-1;
	for (size_t i = 0; li && at && !pool->failed && i < r->n; i++) {
		li[i] = (line_item){ "", session_where(r, i, shard, sizeof shard), i };
		if (last == (size_t)-1 || strcmp(pool->p + last, shard)) {
			last = pool->len;
			strbuf_put(pool, shard, strlen(shard) + 1); /* with its NUL */
		}
		at[i] = last;
	}
	if (!li || !at || pool->failed) {
		free(li);
		free(at);
		return NULL;
	}
	for (size_t i = 0; i < r->n; i++) /* the pool moved while it grew */
		li[i].shard = pool->p ? pool->p + at[i] : "";
	free(at);
	qsort(li, r->n, sizeof *li, cmp_line);
	return li;
}

/* 1 if some data row's run column is run */
static int run_named(char *text, char *end, long rc, const char *run)
{
	char *p = text, *f[MAX_COLS];
	size_t k;
	csv_record(&p, end, f); /* header */
	while ((k = csv_record(&p, end, f)) > 0)
		if ((size_t)rc < k && cell_is(f[rc], run))
			return 1;
	return 0;
}

/* the header's columns and whether only the rows naming this run count;
 * 0, or -1 with msg set */
typedef struct cols { long line, run, file; int only_run; } cols;

static int read_header(const session_run *r, const char *text, size_t len, char **p, char *end,
                       cols *c, const char *file, char *msg, size_t msgsz)
{
	char *f[MAX_COLS];
	size_t k = csv_record(p, end, f);
	c->line = col_of(f, k, "line");
	c->run = col_of(f, k, "run");
	c->file = r->sharded ? col_of(f, k, "file") : -1;
	c->only_run = 0;
	if (c->line < 0)
		return snprintf(msg, msgsz, "%s:1: no \"line\" column in the header", file), -1;
	if (r->sharded && c->file < 0)
		return snprintf(msg, msgsz,
		                "%s:1: no \"file\" column in the header: run %s is made of %zu "
		                "shards, a line number alone names no sample",
		                file, r->name, trace_index_n_shards(r->ix)), -1;
	char *copy = c->run >= 0 ? malloc(len + 1) : NULL;
	if (copy) {
		memcpy(copy, text, len);
		copy[len] = 0;
		c->only_run = run_named(copy, copy + len, c->run, r->name);
	}
	free(copy);
	return 0;
}

/* The rows after the header: marks their samples; returns how many it
 * marked, or -1 with msg set. */
static long mark_rows(session_run *r, const line_item *li, char *p, char *end, const cols *c,
                      size_t *unknown, const char *file, char *msg, size_t msgsz)
{
	char *f[MAX_COLS];
	size_t k;
	long marked = 0;
	for (size_t row = 2; (k = csv_record(&p, end, f)) > 0; row++) {
		if (k == 1 && !f[0][0])
			continue; /* blank line */
		if (c->only_run && ((size_t)c->run >= k || !cell_is(f[c->run], r->name)))
			continue;
		char *e;
		errno = 0;
		unsigned long line = (size_t)c->line < k ? strtoul(f[c->line], &e, 10) : 0;
		if ((size_t)c->line >= k || !f[c->line][0] || *e || errno || f[c->line][0] == '-')
			return snprintf(msg, msgsz, "%s:%zu: the line column is not a line number", file,
			                row), -1;
		const char *cell = c->file >= 0 && (size_t)c->file < k ? f[c->file] : "";
		size_t i = item_of_line(li, r->n, cell, line);
		if (i == (size_t)-1 && cell[0] == '\'' && export_csv_guarded(cell + 1))
			i = item_of_line(li, r->n, cell + 1, line); /* report's formula guard */
		if (i == (size_t)-1)
			(*unknown)++;
		else if (!r->list.marks[i])
			r->list.marks[i] = 1, marked++;
	}
	return marked;
}

long marks_load(session_run *r, const char *text, size_t len, const char *file, size_t *unknown,
                char *msg, size_t msgsz)
{
	*unknown = 0;
	if (r->list.n_marks < r->n)
		return snprintf(msg, msgsz, "%s: the list is not ready", file), -1;
	char *buf = malloc(len + 1);
	if (!buf)
		return snprintf(msg, msgsz, "%s: out of memory", file), -1;
	memcpy(buf, text, len);
	buf[len] = 0;
	char *p = buf, *end = buf + len;
	cols c;
	long marked = read_header(r, text, len, &p, end, &c, file, msg, msgsz);
	strbuf pool = STRBUF_INIT;
	line_item *li = marked < 0 ? NULL : line_items(r, &pool);
	if (marked == 0 && !li)
		marked = (snprintf(msg, msgsz, "%s: out of memory", file), -1);
	if (marked == 0)
		marked = mark_rows(r, li, p, end, &c, unknown, file, msg, msgsz);
	free(buf);
	free(li);
	strbuf_free(&pool);
	return marked;
}

long marks_load_file(session_run *r, const char *path, size_t *unknown, char *msg, size_t msgsz)
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
	long got = bad ? (snprintf(msg, msgsz, "%s: read error", path), -1)
	               : marks_load(r, text, len, path, unknown, msg, msgsz);
	free(text);
	return got;
}
