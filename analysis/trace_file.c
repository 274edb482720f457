/* trace_file.c — streaming JSONL reader and line index over trace files.
 *
 * The reader keeps one buffer that holds whole lines between reads and is
 * refilled with large fread()s; a line is parsed in place.  A line longer than
 * max_line_bytes is never held in memory: once the buffer holds more than the
 * limit without a newline, the rest of that line is read and discarded.
 * The index scans the file once with memchr and records where each non-blank
 * line starts; loading an entry seeks there and parses it.
 */
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef TS_FUZZ_SMALL_BUFFERS /* tests/fuzz builds: refills, growth and discards on small inputs */
#define READ_CHUNK ((size_t)16)
#define INDEX_CHUNK ((size_t)7)
#else
#define READ_CHUNK ((size_t)1 << 20)       /* reader: minimum buffer */
#define INDEX_CHUNK ((size_t)4 << 20)      /* index: read size */
#endif
#define PROGRESS_EVERY ((uint64_t)16 << 20)

/* Opens path read-only and finds its size (0 when not a regular file). */
static ts_status open_ro(const char *path, FILE **fp, uint64_t *size, ts_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ts_error_set(err, errno == ENOENT ? TS_ERR_NOTFOUND : TS_ERR_IO, "%s: %s",
		                    path, strerror(errno));
	struct stat sb;
	*size = 0;
	if (fstat(fileno(f), &sb) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			fclose(f);
			return ts_error_set(err, TS_ERR_IO, "%s: is a directory", path);
		}
		if (S_ISREG(sb.st_mode) && sb.st_size > 0)
			*size = (uint64_t)sb.st_size;
	}
	*fp = f;
	return TS_OK;
}

/* max_line_bytes, clamped so that limit + 2 cannot overflow. */
static size_t line_limit(const trace_limits *lim)
{
	return lim->max_line_bytes > SIZE_MAX - 2 ? SIZE_MAX - 2 : lim->max_line_bytes;
}

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* ---- streaming reader ---- */

struct trace_file {
	FILE *fp;
	char *path;
	trace_limits lim;
	char *buf;
	size_t cap, start, end, scan; /* buf[start, end) is unconsumed; no '\n' in [start, scan) */
	uint64_t buf_off;             /* file offset of buf[0] */
	uint64_t size;
	size_t lineno;
	int eof, failed;
};

ts_status trace_file_open(const char *path, const trace_limits *lim, trace_file **out,
                          ts_error *err)
{
	*out = NULL;
	trace_file *f = calloc(1, sizeof *f);
	if (!f)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	if (lim)
		f->lim = *lim;
	else
		trace_limits_default(&f->lim);
	f->cap = READ_CHUNK;
	f->path = strdup(path);
	f->buf = malloc(f->cap);
	if (!f->path || !f->buf) {
		trace_file_close(f);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}
	ts_status st = open_ro(path, &f->fp, &f->size, err);
	if (st) {
		trace_file_close(f);
		return st;
	}
	*out = f;
	return TS_OK;
}

void trace_file_close(trace_file *f)
{
	if (!f)
		return;
	if (f->fp)
		fclose(f->fp);
	free(f->buf);
	free(f->path);
	free(f);
}

uint64_t trace_file_pos(const trace_file *f) { return f->buf_off + f->start; }
uint64_t trace_file_size(const trace_file *f) { return f->size; }

enum { RL_EOF, RL_LINE, RL_TOOLONG, RL_IOERR, RL_NOMEM };

/* Reads and drops the rest of an over-long line (the buffer contents are
 * part of it).  *total receives the line's full length. */
static int discard_line(trace_file *f, uint64_t *total)
{
	uint64_t n_line = f->end - f->start;
	f->buf_off += f->end;
	f->start = f->end = f->scan = 0;
	for (;;) {
		size_t n = fread(f->buf, 1, f->cap, f->fp);
		if (n == 0) {
			f->eof = 1;
			*total = n_line;
			return ferror(f->fp) ? RL_IOERR : RL_TOOLONG;
		}
		char *nl = memchr(f->buf, '\n', n);
		if (nl) {
			size_t k = (size_t)(nl - f->buf);
			n_line += k;
			f->start = f->scan = k + 1;
			f->end = n;
			*total = n_line;
			return RL_TOOLONG;
		}
		n_line += n;
		f->buf_off += n;
	}
}

/* Next raw line (without "\n").  RL_TOOLONG: the line was skipped, *len is
 * its length. */
static int read_line(trace_file *f, const char **line, uint64_t *len)
{
	size_t max = line_limit(&f->lim);
	for (;;) {
		if (f->scan < f->end) {
			char *nl = memchr(f->buf + f->scan, '\n', f->end - f->scan);
			if (nl) {
				size_t k = (size_t)(nl - f->buf);
				*line = f->buf + f->start;
				*len = k - f->start;
				f->start = f->scan = k + 1;
				return RL_LINE;
			}
			f->scan = f->end;
		}
		size_t pending = f->end - f->start;
		/* +1: the line may still end in "\r\n" */
		if (pending > max + 1)
			return discard_line(f, len);
		if (f->eof) {
			if (pending == 0)
				return RL_EOF;
			*line = f->buf + f->start;
			*len = pending;
			f->start = f->scan = f->end;
			return RL_LINE;
		}
		if (f->start > 0) {
			memmove(f->buf, f->buf + f->start, pending);
			f->buf_off += f->start;
			f->scan -= f->start;
			f->end = pending;
			f->start = 0;
		}
		if (f->end == f->cap) {
			/* the buffer holds at most max + 2 bytes of one line */
			/* here pending == cap <= max + 1, so ncap > cap */
			size_t ncap = f->cap > SIZE_MAX / 2 ? SIZE_MAX : f->cap * 2;
			if (ncap > max + 2)
				ncap = max + 2;
			char *nb = realloc(f->buf, ncap);
			if (!nb)
				return RL_NOMEM;
			f->buf = nb;
			f->cap = ncap;
		}
		size_t n = fread(f->buf + f->end, 1, f->cap - f->end, f->fp);
		if (n == 0) {
			if (ferror(f->fp))
				return RL_IOERR;
			f->eof = 1;
		}
		f->end += n;
	}
}

ts_status trace_file_next(trace_file *f, trace **out, size_t *lineno, ts_error *err)
{
	*out = NULL;
	if (f->failed)
		return TS_EOF;
	for (;;) {
		const char *line = NULL;
		uint64_t len = 0;
		int r = read_line(f, &line, &len);
		if (r == RL_EOF)
			return TS_EOF;
		f->lineno++;
		if (lineno)
			*lineno = f->lineno;
		if (r == RL_IOERR || r == RL_NOMEM) {
			f->failed = 1; /* later calls return TS_EOF: no endless error loop */
			if (r == RL_NOMEM)
				return ts_error_set(err, TS_ERR_NOMEM, "%s:%zu: out of memory", f->path,
				                    f->lineno);
			return ts_error_set(err, TS_ERR_IO, "%s:%zu: read error: %s", f->path, f->lineno,
			                    strerror(errno));
		}
		if (r == RL_TOOLONG)
			return ts_error_set(err, TS_ERR_LIMIT,
			                    "%s:%zu: line of %llu bytes is longer than max_line_bytes (%zu)",
			                    f->path, f->lineno, (unsigned long long)len,
			                    f->lim.max_line_bytes);
		size_t n = (size_t)len;
		if (n && line[n - 1] == '\r')
			n--;
		if (is_blank(line, n))
			continue;
		ts_error e;
		ts_error_clear(&e);
		ts_status st = trace_parse_line(line, n, &f->lim, out, &e);
		if (st)
			return ts_error_set(err, st, "%s:%zu: %s", f->path, f->lineno, e.msg);
		ts_error_clear(err);
		return TS_OK;
	}
}

/* ---- line index ---- */

typedef struct ix_entry {
	uint64_t off, len; /* len may include a trailing '\r' */
	size_t lineno;
} ix_entry;

struct trace_index {
	char *path;
	trace_limits lim;
	ix_entry *e;
	size_t n, cap;
	FILE *fp; /* opened on first load */
	char *buf;
	size_t bufcap;
};

void trace_index_free(trace_index *ix)
{
	if (!ix)
		return;
	if (ix->fp)
		fclose(ix->fp);
	free(ix->e);
	free(ix->buf);
	free(ix->path);
	free(ix);
}

static int ix_add(trace_index *ix, uint64_t off, uint64_t len, size_t lineno)
{
	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 1024;
		ix_entry *e = realloc(ix->e, cap * sizeof *e);
		if (!e)
			return -1;
		ix->e = e;
		ix->cap = cap;
	}
	ix->e[ix->n++] = (ix_entry){ off, len, lineno };
	return 0;
}

ts_status trace_index_build(const char *path, const trace_limits *lim, trace_progress_fn progress,
                            void *ud, trace_index **out, ts_error *err)
{
	*out = NULL;
	trace_index *ix = calloc(1, sizeof *ix);
	if (!ix)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	if (lim)
		ix->lim = *lim;
	else
		trace_limits_default(&ix->lim);
	ix->path = strdup(path);
	char *buf = malloc(INDEX_CHUNK);
	FILE *fp = NULL;
	uint64_t total = 0;
	ts_status st;
	if (!ix->path || !buf) {
		st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		goto fail;
	}
	st = open_ro(path, &fp, &total, err);
	if (st)
		goto fail;

	uint64_t base = 0, line_start = 0, last_report = 0;
	size_t lineno = 1;
	int nonblank = 0;
	for (;;) {
		size_t n = fread(buf, 1, INDEX_CHUNK, fp);
		if (n == 0) {
			if (ferror(fp)) {
				st = ts_error_set(err, TS_ERR_IO, "%s:%zu: read error: %s", path, lineno,
				                  strerror(errno));
				goto fail;
			}
			break;
		}
		size_t i = 0;
		while (i < n) {
			if (!nonblank) {
				while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r'))
					i++;
				if (i == n)
					break;
				if (buf[i] != '\n')
					nonblank = 1;
			}
			char *nl = memchr(buf + i, '\n', n - i);
			if (!nl)
				break;
			size_t k = (size_t)(nl - buf);
			uint64_t lend = base + k;
			if (nonblank && ix_add(ix, line_start, lend - line_start, lineno)) {
				st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
				goto fail;
			}
			lineno++;
			line_start = lend + 1;
			nonblank = 0;
			i = k + 1;
		}
		base += n;
		if (progress && base - last_report >= PROGRESS_EVERY) {
			last_report = base;
			progress(ud, base, total);
		}
	}
	if (nonblank && ix_add(ix, line_start, base - line_start, lineno)) {
		st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (progress)
		progress(ud, base, total ? total : base);
	fclose(fp);
	free(buf);
	*out = ix;
	return TS_OK;
fail:
	if (fp)
		fclose(fp);
	free(buf);
	trace_index_free(ix);
	return st;
}

size_t trace_index_count(const trace_index *ix) { return ix->n; }

size_t trace_index_lineno(const trace_index *ix, size_t i)
{
	return i < ix->n ? ix->e[i].lineno : 0;
}

ts_status trace_index_load(trace_index *ix, size_t i, trace **out, ts_error *err)
{
	*out = NULL;
	if (i >= ix->n)
		return ts_error_set(err, TS_ERR_USAGE, "%s: no entry %zu (index has %zu)", ix->path, i,
		                    ix->n);
	const ix_entry *e = &ix->e[i];
	size_t max = line_limit(&ix->lim);
	if (e->len > (uint64_t)max + 1) {
		/* decided without reading: even without a trailing '\r' it is too long */
		return ts_error_set(err, TS_ERR_LIMIT,
		                    "%s:%zu: line of %llu bytes is longer than max_line_bytes (%zu)",
		                    ix->path, e->lineno, (unsigned long long)e->len, max);
	}
	size_t len = (size_t)e->len;
	if (!ix->fp) {
		uint64_t size;
		ts_status st = open_ro(ix->path, &ix->fp, &size, err);
		if (st)
			return st;
	}
	if (len + 1 > ix->bufcap) {
		char *nb = realloc(ix->buf, len + 1);
		if (!nb)
			return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		ix->buf = nb;
		ix->bufcap = len + 1;
	}
	if ((uint64_t)(off_t)e->off != e->off || fseeko(ix->fp, (off_t)e->off, SEEK_SET) != 0)
		return ts_error_set(err, TS_ERR_IO, "%s:%zu: seek failed: %s", ix->path, e->lineno,
		                    strerror(errno));
	if (fread(ix->buf, 1, len, ix->fp) != len) {
		clearerr(ix->fp);
		return ts_error_set(err, TS_ERR_IO, "%s:%zu: short read (file changed since indexing?)",
		                    ix->path, e->lineno);
	}
	if (len && ix->buf[len - 1] == '\r')
		len--;
	if (len > max)
		return ts_error_set(err, TS_ERR_LIMIT,
		                    "%s:%zu: line of %zu bytes is longer than max_line_bytes (%zu)",
		                    ix->path, e->lineno, len, max);
	ts_error pe;
	ts_error_clear(&pe);
	ts_status st = trace_parse_line(ix->buf, len, &ix->lim, out, &pe);
	if (st)
		return ts_error_set(err, st, "%s:%zu: %s", ix->path, e->lineno, pe.msg);
	ts_error_clear(err);
	return TS_OK;
}
