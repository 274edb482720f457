/* trace_file.c — streaming reader and index over trace files: JSONL (one
 * sample a line) and SSE recordings (one sample per request, its chunks
 * spread over many lines and interleaved with other requests').
 *
 * Three layers, shared by the reader, the index and the index's loads:
 * - linesrc: one buffer holding whole lines, refilled with large fread()s;
 *   a line longer than max_line_bytes is never held (read and discarded);
 *   optionally limited to a byte range (index loads).
 * - the assembler (asmb): takes lines one at a time.  A JSONL line is a
 *   sample by itself.  A "data:" line holding a streaming chunk goes to the
 *   open request its key names (chunk "id" + choices[].index; llama.cpp:
 *   "id_slot" + "index"); the request becomes a sample when a chunk ends it
 *   (finish_reason / "stop": true), or at the end of the input.  Samples
 *   come out in the order they end.  A line that cannot be read as a chunk
 *   (malformed JSON, an {"error"} event) while exactly one request is open
 *   belongs to that request: the request is skipped with that line's
 *   message; otherwise the line is reported by itself.
 * - outputs: the reader builds traces; the index keeps each output's byte
 *   range, line range and key (no steps built), and a load replays the
 *   range with a filter on the key.  Both run the same assembler, so the
 *   index gives exactly what the reader gives (tests/fuzz/fuzz_trace_file.c).
 */
#define _GNU_SOURCE /* memmem */
#include "fsafe.h"
#include "trace.h"
#include "trace_int.h"
#include "shards.h"
#include "zfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <fcntl.h>
#include <unistd.h>

#ifdef TS_FUZZ_SMALL_BUFFERS /* tests/fuzz builds: refills, growth and discards on small inputs */
#define READ_CHUNK ((size_t)16)
#define MAX_OPEN ((size_t)3)
#else
#define READ_CHUNK ((size_t)1 << 20) /* minimum buffer */
#define MAX_OPEN ((size_t)1024)      /* requests open at once in a stream */
#endif
#define PROGRESS_EVERY ((uint64_t)16 << 20)

/* Opens path read-only through zfile (plain, gzip or zstd by its first
 * bytes) with the limits' caps on decompressed bytes; *size is the file's
 * size (0 when not a regular file). */
static ts_status open_ro(const char *path, const trace_limits *lim, zfile **zf, uint64_t *size,
                         ts_error *err)
{
	zfile_limits zl = { lim->max_decompressed_bytes, lim->max_decompress_ratio };
	ts_status st = zfile_open(path, &zl, zf, err);
	if (st)
		return st;
	*size = zfile_in_size(*zf);
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

static char *dup_msg(const char *s)
{
	return strdup(s);
}

/* ---- line source ---- */

typedef struct linesrc {
	zfile *zf;
	int tee_fd;                   /* >= 0: every byte read is also written there (index cache) */
	int tee_failed;
	uint64_t tee_off;             /* next byte of the cache (pwrite: loads may seek the same fd) */
	size_t max;
	char *buf;
	size_t cap, start, end, scan; /* buf[start, end) is unconsumed; no '\n' in [start, scan) */
	uint64_t buf_off;             /* file offset of buf[0] (relative to where reading began) */
	uint64_t base;                /* file offset where reading began */
	uint64_t remain;              /* bytes still to read */
	int eof;
} linesrc;

enum { RL_EOF, RL_LINE, RL_TOOLONG, RL_IOERR, RL_NOMEM };

static uint64_t ls_pos(const linesrc *ls) { return ls->base + ls->buf_off + ls->start; }

static int ls_failed(const linesrc *ls)
{
	return ls->tee_failed || zfile_error(ls->zf, NULL) != TS_OK;
}

/* After RL_IOERR: what went wrong reading (decompression included), and its
 * status (TS_ERR_LIMIT for a decompression cap). */
static ts_status ls_error(const linesrc *ls, const char *path, size_t lineno, ts_error *err)
{
	ts_error ze;
	ts_error_clear(&ze);
	if (ls->tee_failed)
		return ts_error_set(err, TS_ERR_IO, "%s:%zu: cannot cache the decompressed file: %s",
		                    path, lineno, strerror(ls->tee_failed));
	ts_status st = zfile_error(ls->zf, &ze);
	if (!st)
		return ts_error_set(err, TS_ERR_IO, "%s:%zu: read error", path, lineno);
	return ts_error_set(err, st, "%s:%zu: %s", path, lineno, ze.msg);
}

static size_t ls_fread(linesrc *ls, char *p, size_t n)
{
	if ((uint64_t)n > ls->remain)
		n = (size_t)ls->remain;
	if (n == 0)
		return 0;
	size_t got = zfile_read(ls->zf, p, n);
	ls->remain -= got;
	if (got && ls->tee_fd >= 0 && !ls->tee_failed) {
		for (size_t w = 0; w < got;) {
			ssize_t r = pwrite(ls->tee_fd, p + w, got - w, (off_t)ls->tee_off);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				ls->tee_failed = errno ? errno : EIO;
				return 0;
			}
			w += (size_t)r;
			ls->tee_off += (uint64_t)r;
		}
	}
	return got;
}

/* Reads and drops the rest of an over-long line (the buffer contents are
 * part of it).  *total receives the line's full length. */
static int discard_line(linesrc *ls, uint64_t *total)
{
	uint64_t n_line = ls->end - ls->start;
	ls->buf_off += ls->end;
	ls->start = ls->end = ls->scan = 0;
	for (;;) {
		size_t n = ls_fread(ls, ls->buf, ls->cap);
		if (n == 0) {
			ls->eof = 1;
			*total = n_line;
			return ls_failed(ls) ? RL_IOERR : RL_TOOLONG;
		}
		char *nl = memchr(ls->buf, '\n', n);
		if (nl) {
			size_t k = (size_t)(nl - ls->buf);
			n_line += k;
			ls->start = ls->scan = k + 1;
			ls->end = n;
			*total = n_line;
			return RL_TOOLONG;
		}
		n_line += n;
		ls->buf_off += n;
	}
}

/* Next raw line (without "\n").  RL_TOOLONG: the line was skipped, *len is
 * its length. */
static int read_line(linesrc *ls, const char **line, uint64_t *len)
{
	size_t max = ls->max;
	for (;;) {
		if (ls->scan < ls->end) {
			char *nl = memchr(ls->buf + ls->scan, '\n', ls->end - ls->scan);
			if (nl) {
				size_t k = (size_t)(nl - ls->buf);
				*line = ls->buf + ls->start;
				*len = k - ls->start;
				ls->start = ls->scan = k + 1;
				/* over the limit whether or not it had to be discarded: the
				 * same answer for any buffer state (reader and index agree) */
				return *len > max + 1 ? RL_TOOLONG : RL_LINE;
			}
			ls->scan = ls->end;
		}
		size_t pending = ls->end - ls->start;
		/* +1: the line may still end in "\r\n" */
		if (pending > max + 1)
			return discard_line(ls, len);
		if (ls->eof) {
			if (pending == 0)
				return RL_EOF;
			*line = ls->buf + ls->start;
			*len = pending;
			ls->start = ls->scan = ls->end;
			return pending > max + 1 ? RL_TOOLONG : RL_LINE;
		}
		if (ls->start > 0) {
			memmove(ls->buf, ls->buf + ls->start, pending);
			ls->buf_off += ls->start;
			ls->scan -= ls->start;
			ls->end = pending;
			ls->start = 0;
		}
		if (ls->end == ls->cap) {
			/* the buffer holds at most max + 2 bytes of one line */
			size_t ncap = ls->cap > SIZE_MAX / 2 ? SIZE_MAX : ls->cap * 2;
			if (ncap > max + 2)
				ncap = max + 2;
			char *nb = realloc(ls->buf, ncap);
			if (!nb)
				return RL_NOMEM;
			ls->buf = nb;
			ls->cap = ncap;
		}
		size_t n = ls_fread(ls, ls->buf + ls->end, ls->cap - ls->end);
		if (n == 0) {
			if (ls_failed(ls))
				return RL_IOERR;
			ls->eof = 1;
		}
		ls->end += n;
	}
}

/* A line source reading to the end of fp (set later) with the limits' line
 * cap; -1 when out of memory. */
static int ls_init(linesrc *ls, const trace_limits *lim)
{
	memset(ls, 0, sizeof *ls);
	ls->cap = READ_CHUNK;
	ls->max = line_limit(lim);
	ls->remain = UINT64_MAX;
	ls->tee_fd = -1;
	ls->buf = malloc(ls->cap);
	return ls->buf ? 0 : -1;
}

/* ls_init's state again, keeping buf[0..cap) (the next shard). */
static void ls_init_keep(linesrc *ls, char *buf, size_t cap)
{
	size_t max = ls->max;
	memset(ls, 0, sizeof *ls);
	ls->buf = buf;
	ls->cap = cap;
	ls->max = max;
	ls->remain = UINT64_MAX;
	ls->tee_fd = -1;
}

/* ---- assembler ---- */

enum { KIND_LINE = 0, KIND_REQ = 1 };

/* An open request, and any output (sample or error) waiting to be taken. */
typedef struct item {
	int kind;
	char *id;          /* KIND_REQ: chunk "id" ("slot:N" for llama.cpp) */
	long index;        /* choices[].index (llama.cpp "index") */
	trace *t;          /* reader: the sample (NULL once bad, and in the index) */
	trace_format container;
	size_t line0, line1;
	uint64_t off0, off1; /* bytes [off0, off1) hold every line of it */
	ts_status bad;       /* first error (0: none) */
	size_t bad_line;
	char *bad_msg;       /* "path:LINE: what" */
	size_t attr_line;    /* first line attributed to it that was not its chunk */
	int evicted;
	char *raw;           /* deferred reader: the JSONL line, not parsed yet */
	size_t raw_len;
} item;

typedef struct itemq {
	item *v;
	size_t n, cap, head;
} itemq;

typedef struct asmb {
	const char *path;
	const trace_limits *lim;
	int build;            /* reader: build traces; index: ranges only */
	itemq open;           /* open requests, oldest first (head == 0) */
	itemq out;            /* finished, oldest first */
	/* index load of one request: only its chunks */
	int filter;
	const char *want_id;
	long want_index;
	trace_format want_container;
	size_t want_attr;
	int want_safe_id;     /* want_id appears verbatim in its lines */
	int defer;            /* reader: JSONL lines come out raw (trace_file_next_raw) */
	int nomem;            /* an output could not be kept (reported as out of memory) */
	long fan;             /* the completion out_line/defer_line give (fan_line) */
	trace_sse *sse;       /* the scanner's reading of a data: line (trace_fast.c) */
} asmb;

static void item_free(item *it)
{
	free(it->id);
	trace_free(it->t);
	free(it->bad_msg);
	free(it->raw);
	memset(it, 0, sizeof *it);
}

static int q_push(itemq *q, const item *it)
{
	if (q->head && q->head == q->n) {
		q->head = q->n = 0;
	}
	if (q->n == q->cap) {
		if (q->head) {
			memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof *q->v);
			q->n -= q->head;
			q->head = 0;
		}
		if (q->n == q->cap) {
			size_t cap = q->cap ? q->cap * 2 : 8;
			item *v = realloc(q->v, cap * sizeof *v);
			if (!v)
				return -1;
			q->v = v;
			q->cap = cap;
		}
	}
	q->v[q->n++] = *it;
	return 0;
}

static size_t q_len(const itemq *q) { return q->n - q->head; }

static void q_free(itemq *q)
{
	for (size_t i = q->head; i < q->n; i++)
		item_free(&q->v[i]);
	free(q->v);
	memset(q, 0, sizeof *q);
}

static void push_out(asmb *a, item *it)
{
	if (q_push(&a->out, it)) {
		item_free(it);
		a->nomem = 1;
	}
}

static void set_bad(asmb *a, item *it, ts_status st, size_t lineno, const char *what)
{
	if (it->bad)
		return;
	ts_error m;
	ts_error_set(&m, st, "%s:%zu: %s", a->path, lineno, what);
	it->bad = st;
	it->bad_line = lineno;
	it->bad_msg = dup_msg(m.msg);
	trace_free(it->t);
	it->t = NULL;
}

/* A line that is an output by itself. */
static void out_line(asmb *a, trace *t, ts_status st, const char *what, size_t lineno,
                     uint64_t off0, uint64_t off1)
{
	item it;
	memset(&it, 0, sizeof it);
	it.kind = KIND_LINE;
	it.t = t;
	it.index = a->fan;
	it.line0 = it.line1 = lineno;
	it.off0 = off0;
	it.off1 = off1;
	if (st)
		set_bad(a, &it, st, lineno, what);
	push_out(a, &it);
}

/* Deferred reader: a JSONL line as an output, unparsed (a copy). */
static void defer_line(asmb *a, const char *line, size_t n, size_t lineno, uint64_t off0,
                       uint64_t off1)
{
	item it;
	memset(&it, 0, sizeof it);
	it.kind = KIND_LINE;
	it.index = a->fan;
	it.line0 = it.line1 = lineno;
	it.off0 = off0;
	it.off1 = off1;
	it.raw = malloc(n + 1);
	if (!it.raw) {
		a->nomem = 1;
		return;
	}
	memcpy(it.raw, line, n);
	it.raw[n] = '\0';
	it.raw_len = n;
	push_out(a, &it);
}

/* Moves open request i to the outputs. */
static void finish_open(asmb *a, size_t i)
{
	item it = a->open.v[i];
	memmove(a->open.v + i, a->open.v + i + 1, (a->open.n - i - 1) * sizeof *a->open.v);
	a->open.n--;
	push_out(a, &it);
}

static void evict_msg(char *m, size_t n, const item *it)
{
	snprintf(m, n, "request \"%.60s\" choice %ld never finished while more than %zu requests "
	         "were open at once: skipped", it->id ? it->id : "", it->index, MAX_OPEN);
}

static item *find_open(asmb *a, const char *id, long index, trace_format container)
{
	for (size_t i = a->open.n; i-- > 0;) {
		item *it = &a->open.v[i];
		if (it->index == index && it->container == container && !strcmp(it->id, id))
			return it;
	}
	return NULL;
}

static item *find_or_open(asmb *a, const char *id, long index, trace_format container,
                          size_t lineno, uint64_t off0)
{
	item *found = find_open(a, id, index, container);
	if (found)
		return found;
	if (a->open.n >= MAX_OPEN) {
		item *old = &a->open.v[0];
		char m[200];
		evict_msg(m, sizeof m, old);
		set_bad(a, old, TS_ERR_LIMIT, old->line0, m);
		old->evicted = 1;
		finish_open(a, 0);
	}
	item it;
	memset(&it, 0, sizeof it);
	it.kind = KIND_REQ;
	it.id = strdup(id);
	it.index = index;
	it.container = container;
	it.line0 = it.line1 = lineno;
	it.off0 = off0;
	it.off1 = off0;
	if (it.id && a->build)
		it.t = trace_new(container);
	if (!it.id || (a->build && !it.t) || q_push(&a->open, &it)) {
		item_free(&it);
		a->nomem = 1;
		return NULL;
	}
	return &a->open.v[a->open.n - 1];
}

/* A line that is not a chunk of any request (malformed JSON, an error
 * event): the open request's when exactly one is open. */
static void attribute(asmb *a, ts_status st, const char *what, size_t lineno, uint64_t off0,
                      uint64_t off1)
{
	if (a->filter) {
		if (lineno == a->want_attr && a->open.n == 1) {
			item *it = &a->open.v[0];
			set_bad(a, it, st, lineno, what);
			it->line1 = lineno;
			it->off1 = off1;
		}
		return;
	}
	if (a->open.n == 1) {
		item *it = &a->open.v[0];
		set_bad(a, it, st, lineno, what);
		if (!it->attr_line)
			it->attr_line = lineno;
		it->line1 = lineno;
		it->off1 = off1;
		return;
	}
	out_line(a, NULL, st, what, lineno, off0, off1);
}

static const cJSON *jget(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
	return j && !cJSON_IsNull(j) ? j : NULL;
}

/* The open request a chunk for (id, index) belongs to, opened if new and
 * its range extended to this line; NULL when an index load filters it out
 * (or out of memory). */
static item *chunk_item(asmb *a, const char *id, long index, trace_format container,
                        size_t lineno, uint64_t off0, uint64_t off1)
{
	if (a->filter && (index != a->want_index || container != a->want_container ||
	                  strcmp(id, a->want_id)))
		return NULL;
	item *it = find_or_open(a, id, index, container, lineno, off0);
	if (!it)
		return NULL;
	it->line1 = lineno;
	it->off1 = off1;
	return it;
}

static void chunk_apply(asmb *a, item *it, const cJSON *root, const cJSON *choice, size_t pos,
                        size_t lineno)
{
	if (a->build && !it->bad) {
		ts_error e;
		int applied_done;
		ts_status st = trace_chunk_apply(it->t, root, choice, pos, a->lim, &applied_done, &e);
		if (st)
			set_bad(a, it, st, lineno, e.msg);
	}
}

/* One chunk for the request (id, index); choice NULL for llama.cpp and
 * Ollama; done: the chunk ends the request. */
static void take_chunk(asmb *a, const cJSON *root, const cJSON *choice, size_t pos, const char *id,
                       long index, trace_format container, int done, size_t lineno, uint64_t off0,
                       uint64_t off1)
{
	item *it = chunk_item(a, id, index, container, lineno, off0, off1);
	if (!it)
		return;
	chunk_apply(a, it, root, choice, pos, lineno);
	if (done)
		finish_open(a, (size_t)(it - a->open.v));
}

static const cJSON *jget(const cJSON *o, const char *k);

/* Choice k of a line the scanner took but could not apply (max_steps on
 * the request's trace, out of memory): trace_chunk_apply on the line
 * parsed with cJSON (*root, parsed once per line). */
static void sse_fallback(asmb *a, item *it, cJSON **root, const char *p, size_t pn, size_t k,
                         size_t lineno)
{
	ts_error e;
	if (!*root) {
		ts_status st = trace_json_parse(p, pn, a->lim, root, &e);
		if (st) {
			set_bad(a, it, st, lineno, e.msg);
			return;
		}
	}
	const cJSON *ch = jget(*root, "choices")->child;
	for (size_t i = 0; i < k && ch; i++)
		ch = ch->next;
	chunk_apply(a, it, *root, ch, k, lineno);
}

/* An OpenAI-compatible chunk read by the scanner (trace_fast.c trace_sse_*):
 * the same requests, ranges and samples as the cJSON path below; 0 when
 * the scanner did not take the line. */
static int sse_line(asmb *a, const char *p, size_t pn, size_t lineno, uint64_t off0, uint64_t off1)
{
	if (!a->sse && !(a->sse = trace_sse_new()))
		return 0;
	if (!trace_sse_scan(a->sse, p, pn, a->lim, a->build))
		return 0;
	cJSON *root = NULL;
	const char *id = trace_sse_id(a->sse);
	for (size_t k = 0; k < trace_sse_count(a->sse); k++) {
		item *it = chunk_item(a, id, trace_sse_index(a->sse, k), TRACE_FMT_OPENAI_SSE, lineno,
		                      off0, off1);
		if (!it)
			continue;
		if (a->build && !it->bad && !trace_sse_apply(a->sse, k, it->t, a->lim))
			sse_fallback(a, it, &root, p, pn, k, lineno);
		if (trace_sse_done(a->sse, k))
			finish_open(a, (size_t)(it - a->open.v));
	}
	cJSON_Delete(root);
	return 1;
}

static int starts(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);
	return n >= k && !memcmp(s, p, k);
}

static int id_is_safe(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == ':' || *s == '.'))
			return 0;
	return 1;
}

static int contains(const char *s, size_t n, const char *w)
{
	return memmem(s, n, w, strlen(w)) != NULL;
}

/* w appears at least twice in s[0..n). */
static int twice(const char *s, size_t n, const char *w)
{
	const char *p = memmem(s, n, w, strlen(w));
	return p && contains(p + 1, n - (size_t)(p + 1 - s), w);
}

/* May the line hold several vLLM completions?  Each CompletionOutput has
 * its "index", "text" and "token_ids": a line naming each once at most is
 * one sample, read without the extra parse of fan_line. */
static int maybe_fan(const char *s, size_t n)
{
	return contains(s, n, "\"outputs\"") &&
	       (twice(s, n, "\"index\"") || twice(s, n, "\"text\"") || twice(s, n, "\"token_ids\""));
}

/* A JSONL line naming "done": an Ollama streaming line ("done": false, or
 * the "done": true that ends an open stream of the same model) joins the
 * stream keyed by "model" (Ollama names no request: concurrent streams of
 * one model cannot be told apart); anything else is a sample by itself. */
static void jsonl_done_line(asmb *a, const char *line, size_t n, size_t lineno, uint64_t off0,
                            uint64_t off1)
{
	cJSON *root = NULL;
	ts_error e;
	ts_status st = trace_json_parse(line, n, a->lim, &root, &e);
	if (!st && trace_chunk_classify(root) == TRACE_CHUNK_OLLAMA) {
		const cJSON *m = jget(root, "model");
		const char *id = cJSON_IsString(m) ? m->valuestring : "";
		int done = cJSON_IsTrue(jget(root, "done"));
		if (!done || find_open(a, id, 0, TRACE_FMT_OLLAMA_STREAM)) {
			take_chunk(a, root, NULL, 0, id, 0, TRACE_FMT_OLLAMA_STREAM, done, lineno, off0, off1);
			cJSON_Delete(root);
			return;
		}
	}
	if (!a->filter) {
		trace *t = NULL;
		if (!st && a->build)
			st = trace_parse_object(root, a->lim, &t, &e);
		out_line(a, t, st, e.msg, lineno, off0, off1);
	}
	cJSON_Delete(root);
}

/* A line holding several completions (a vLLM RequestOutput with n > 1:
 * trace_line_choices): one output per completion, in order, each with its
 * index (as an OpenAI stream's choices[] each are a sample).  0 when the
 * line is one sample: the caller reads it as any line. */
static int fan_line(asmb *a, const char *line, size_t n, size_t lineno, uint64_t off0,
                    uint64_t off1)
{
	cJSON *root = NULL;
	ts_error e;
	if (trace_json_parse(line, n, a->lim, &root, &e) != TS_OK)
		return 0; /* the usual path names the error */
	size_t all = trace_line_choices(root), k = all > TRACE_MAX_CHOICES ? TRACE_MAX_CHOICES : all;
	for (size_t j = 0; k > 1 && j < k; j++) {
		a->fan = (long)j;
		if (!a->build) {
			out_line(a, NULL, TS_OK, NULL, lineno, off0, off1);
		} else if (a->defer) {
			defer_line(a, line, n, lineno, off0, off1);
		} else {
			trace *t = NULL;
			ts_status st = trace_parse_object_choice(root, a->lim, (long)j, &t, &e);
			out_line(a, t, st, e.msg, lineno, off0, off1);
		}
	}
	if (all > k) { /* never cut silently: the rest is a bad output of its own */
		char m[120];
		snprintf(m, sizeof m, "outputs holds %zu completions: only the first %d are read", all,
		         TRACE_MAX_CHOICES);
		a->fan = (long)k;
		out_line(a, NULL, TS_ERR_LIMIT, m, lineno, off0, off1);
	}
	a->fan = 0;
	cJSON_Delete(root);
	return k > 1;
}

/* A line that is not an SSE "data:" line: an SSE field to skip, or a JSONL
 * sample (one naming "done" may be an Ollama stream line). */
static void asm_plain_line(asmb *a, const char *line, size_t n, size_t lineno, uint64_t off0,
                           uint64_t off1)
{
	if (line[0] == ':' || starts(line, n, "event:") || starts(line, n, "id:") ||
	    starts(line, n, "retry:"))
		return; /* SSE fields tailscope does not need */
	if (contains(line, n, "\"done\"")) {
		jsonl_done_line(a, line, n, lineno, off0, off1);
		return;
	}
	if (a->filter)
		return;
	if (maybe_fan(line, n) && fan_line(a, line, n, lineno, off0, off1))
		return;
	if (!a->build) {
		out_line(a, NULL, TS_OK, NULL, lineno, off0, off1);
		return;
	}
	if (a->defer) { /* the caller parses it (trace_raw_parse) */
		defer_line(a, line, n, lineno, off0, off1);
		return;
	}
	trace *t = NULL;
	ts_error e;
	ts_status st = trace_parse_line(line, n, a->lim, &t, &e);
	out_line(a, t, st, e.msg, lineno, off0, off1);
}

/* One raw line (without "\n"), bytes [off0, off1) of the file. */
static void asm_line(asmb *a, const char *line, size_t n, size_t lineno, uint64_t off0,
                     uint64_t off1)
{
	if (n && line[n - 1] == '\r')
		n--;
	if (is_blank(line, n))
		return;
	if (!starts(line, n, "data:")) {
		asm_plain_line(a, line, n, lineno, off0, off1);
		return;
	}
	const char *p = line + 5, *end = line + n;
	if (p < end && *p == ' ')
		p++;
	size_t pn = (size_t)(end - p);
	while (pn && (p[pn - 1] == ' ' || p[pn - 1] == '\t'))
		pn--;
	if (pn == 6 && !memcmp(p, "[DONE]", 6))
		return;
	if (a->filter && a->want_safe_id && lineno != a->want_attr && !contains(p, pn, a->want_id))
		return; /* cannot be the wanted request's chunk */
	if (sse_line(a, p, pn, lineno, off0, off1))
		return;
	cJSON *root = NULL;
	ts_error e;
	ts_status st = trace_json_parse(p, pn, a->lim, &root, &e);
	if (st) {
		attribute(a, st, e.msg, lineno, off0, off1);
		return;
	}
	switch (trace_chunk_classify(root)) {
	case TRACE_CHUNK_NONE: /* a whole sample in a data: line */
	case TRACE_CHUNK_OLLAMA: /* (Ollama streams NDJSON, not SSE) */
		if (!a->filter) {
			trace *t = NULL;
			if (a->build)
				st = trace_parse_object(root, a->lim, &t, &e);
			out_line(a, t, st, e.msg, lineno, off0, off1);
		}
		break;
	case TRACE_CHUNK_ERROR:
		st = trace_chunk_error(root, &e);
		attribute(a, st, e.msg, lineno, off0, off1);
		break;
	case TRACE_CHUNK_OPENAI: {
		const cJSON *idj = jget(root, "id");
		const char *id = cJSON_IsString(idj) ? idj->valuestring : "";
		size_t pos = 0;
		for (const cJSON *ch = jget(root, "choices")->child; ch; ch = ch->next, pos++) {
			long index = trace_choice_index(ch, pos);
			take_chunk(a, root, ch, pos, id, index, TRACE_FMT_OPENAI_SSE,
			           jget(ch, "finish_reason") != NULL, lineno, off0, off1);
		}
		break;
	}
	case TRACE_CHUNK_TGI: /* no request id: one stream at a time */
		take_chunk(a, root, NULL, 0, "", 0, TRACE_FMT_TGI_SSE, jget(root, "generated_text") != NULL,
		           lineno, off0, off1);
		break;
	case TRACE_CHUNK_LLAMACPP: {
		char id[40] = "";
		const cJSON *slot = jget(root, "id_slot");
		if (cJSON_IsNumber(slot) && slot->valuedouble >= -1e9 && slot->valuedouble < 1e9)
			snprintf(id, sizeof id, "slot:%ld", (long)slot->valuedouble);
		long index = trace_choice_index(root, 0); /* "index": which prompt */
		take_chunk(a, root, NULL, 0, id, index, TRACE_FMT_LLAMACPP_SSE,
		           cJSON_IsTrue(jget(root, "stop")), lineno, off0, off1);
		break;
	}
	}
	cJSON_Delete(root);
}

/* End of input: every open request is a sample as it stands. */
static void asm_eof(asmb *a)
{
	while (a->open.n)
		finish_open(a, 0);
}

static void asm_free(asmb *a)
{
	q_free(&a->open);
	q_free(&a->out);
	trace_sse_free(a->sse);
	a->sse = NULL;
}

/* ---- streaming reader ---- */

struct trace_file {
	char *path;          /* the shard being read (messages name it) */
	shard_list sh;       /* every shard of the run (one for a plain file) */
	size_t cur;
	uint64_t done_bytes; /* sizes of the shards already read, for progress */
	uint64_t total_size;
	trace_limits lim;
	linesrc ls;
	asmb a;
	uint64_t size;
	size_t lineno;
	size_t first, last; /* lines of the last output */
	int eof, failed;    /* of the current shard */
};

/* Starts reading shard f->cur: TS_OK, or the shard's error (f->eof set so
 * that the next call goes on with the next shard). */
static ts_status shard_start(trace_file *f, ts_error *err)
{
	zfile_close(f->ls.zf);
	f->ls.zf = NULL;
	f->path = f->sh.paths[f->cur];
	f->a.path = f->path;
	f->ls.start = f->ls.end = f->ls.scan = 0;
	f->ls.buf_off = f->ls.base = 0;
	f->ls.remain = UINT64_MAX;
	f->ls.eof = 0;
	f->lineno = 0;
	f->first = f->last = 0;
	f->eof = f->failed = 0;
	ts_status st = open_ro(f->path, &f->lim, &f->ls.zf, &f->size, err);
	if (st)
		f->eof = 1;
	return st;
}

/* The current shard is done: on to the next.  TS_EOF after the last. */
static ts_status shard_next(trace_file *f, ts_error *err)
{
	q_free(&f->a.open); /* requests never span shards (already flushed) */
	f->done_bytes += f->size;
	f->size = 0;
	if (f->cur + 1 >= f->sh.n) {
		f->cur = f->sh.n;
		return TS_EOF;
	}
	f->cur++;
	return shard_start(f, err);
}

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
	if (ls_init(&f->ls, &f->lim)) {
		trace_file_close(f);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}
	ts_status st = shards_expand(path, &f->sh, err);
	if (st) {
		trace_file_close(f);
		return st;
	}
	if (f->lim.shard_n)
		shards_keep_block(&f->sh, f->lim.shard_k, f->lim.shard_n);
	for (size_t i = 0; i < f->sh.n; i++) {
		struct stat sb;
		if (stat(f->sh.paths[i], &sb) == 0 && S_ISREG(sb.st_mode))
			f->total_size += (uint64_t)sb.st_size;
	}
	f->a.lim = &f->lim;
	f->a.build = 1;
	if (f->sh.n == 0) { /* an empty block of shards: no samples */
		f->eof = 1;
		*out = f;
		return TS_OK;
	}
	st = shard_start(f, err);
	if (st) {
		trace_file_close(f);
		return st;
	}
	*out = f;
	return TS_OK;
}

const char *trace_file_path(const trace_file *f) { return f->path ? f->path : ""; }

void trace_file_close(trace_file *f)
{
	if (!f)
		return;
	zfile_close(f->ls.zf);
	asm_free(&f->a);
	free(f->ls.buf);
	shard_list_free(&f->sh);
	free(f);
}

uint64_t trace_file_pos(const trace_file *f)
{
	if (!f->ls.zf || f->cur >= f->sh.n)
		return f->done_bytes;
	if (zfile_get_kind(f->ls.zf) != ZFILE_PLAIN) /* compressed bytes: against the file size */
		return f->done_bytes + zfile_in_pos(f->ls.zf);
	return f->done_bytes + ls_pos(&f->ls);
}
uint64_t trace_file_size(const trace_file *f) { return f->total_size; }

void trace_file_lines(const trace_file *f, size_t *first, size_t *last)
{
	if (first)
		*first = f->first;
	if (last)
		*last = f->last;
}

/* Takes the oldest output: TS_OK with *out (or, deferred, *raw), or its
 * error. */
static ts_status take_out(asmb *a, trace **out, trace_raw *raw, size_t *lineno, size_t *first,
                          size_t *last, ts_error *err)
{
	item *it = &a->out.v[a->out.head++];
	if (it->raw && raw) {
		raw->line = it->raw;
		raw->len = it->raw_len;
		raw->path = a->path;
		raw->lim = a->lim;
		raw->choice = it->index;
		it->raw = NULL;
	}
	*first = it->line0;
	*last = it->line1;
	ts_status st = TS_OK;
	if (it->bad) {
		st = it->bad;
		if (lineno)
			*lineno = it->bad_line;
		ts_error_set(err, st, "%s", it->bad_msg ? it->bad_msg : "out of memory");
	} else {
		*out = it->t;
		it->t = NULL;
		if (lineno)
			*lineno = it->line0;
		ts_error_clear(err);
	}
	item_free(it);
	return st;
}

static ts_status next_out(trace_file *f, trace **out, trace_raw *raw, size_t *lineno,
                          ts_error *err);

ts_status trace_file_next(trace_file *f, trace **out, size_t *lineno, ts_error *err)
{
	return next_out(f, out, NULL, lineno, err);
}

void trace_file_defer(trace_file *f, int on) { f->a.defer = on; }

ts_status trace_file_next_raw(trace_file *f, trace **out, trace_raw *raw, size_t *lineno,
                              ts_error *err)
{
	memset(raw, 0, sizeof *raw);
	return next_out(f, out, raw, lineno, err);
}

ts_status trace_raw_parse(trace_raw *raw, size_t lineno, trace **out, ts_error *err)
{
	*out = NULL;
	ts_error e;
	ts_status st = trace_parse_line_choice(raw->line, raw->len, raw->lim, raw->choice, out, &e);
	free(raw->line);
	raw->line = NULL;
	if (st) /* the message trace_file_next gives (set_bad) */
		ts_error_set(err, st, "%s:%zu: %s", raw->path, lineno, e.msg);
	else
		ts_error_clear(err);
	return st;
}

static ts_status next_out(trace_file *f, trace **out, trace_raw *raw, size_t *lineno,
                          ts_error *err)
{
	*out = NULL;
	for (;;) {
		if (f->a.nomem) {
			f->a.nomem = 0;
			return ts_error_set(err, TS_ERR_NOMEM, "%s:%zu: out of memory", f->path, f->lineno);
		}
		if (q_len(&f->a.out))
			return take_out(&f->a, out, raw, lineno, &f->first, &f->last, err);
		if (f->eof || f->failed) {
			if (f->cur >= f->sh.n)
				return TS_EOF;
			ts_status st = shard_next(f, err);
			if (st && lineno)
				*lineno = 0;
			if (st)
				return st;
			continue;
		}
		const char *line = NULL;
		uint64_t len = 0;
		uint64_t off0 = ls_pos(&f->ls);
		int r = read_line(&f->ls, &line, &len);
		if (r == RL_EOF) {
			asm_eof(&f->a);
			f->eof = 1;
			continue;
		}
		f->lineno++;
		if (r == RL_IOERR || r == RL_NOMEM) {
			f->failed = 1; /* later calls return TS_EOF: no endless error loop */
			if (lineno)
				*lineno = f->lineno;
			f->first = f->last = f->lineno;
			if (r == RL_NOMEM)
				return ts_error_set(err, TS_ERR_NOMEM, "%s:%zu: out of memory", f->path,
				                    f->lineno);
			return ls_error(&f->ls, f->path, f->lineno, err);
		}
		if (r == RL_TOOLONG) {
			char m[200];
			snprintf(m, sizeof m, "line of %llu bytes is longer than max_line_bytes (%zu)",
			         (unsigned long long)len, f->lim.max_line_bytes);
			out_line(&f->a, NULL, TS_ERR_LIMIT, m, f->lineno, off0, ls_pos(&f->ls));
			continue;
		}
		asm_line(&f->a, line, (size_t)len, f->lineno, off0, ls_pos(&f->ls));
	}
}

/* ---- index ---- */

typedef struct ix_entry {
	uint64_t off0, off1;
	size_t line0, line1;
	char *id;         /* KIND_REQ */
	long index;
	size_t attr_line;
	trace_format container;
	unsigned char kind, evicted;
	signed char mention; /* trace_index_watch: its line holds a needle (1), not (0), unknown (-1) */
	size_t shard;     /* index into the index's shard list */
} ix_entry;

/* One shard's stream for loads. */
typedef struct ix_shard {
	zfile *zf;    /* opened on first load (plain file, or the cache) */
	int cache_fd; /* compressed file: its decompressed bytes (unlinked temp file), else -1 */
} ix_shard;

typedef struct ix_progress {
	trace_progress_fn fn;
	void *ud;
	uint64_t done, total, last_report;
} ix_progress;

struct trace_index {
	char *path;   /* as given (a file, a directory or a pattern) */
	shard_list sh;
	ix_shard *shs;
	trace_limits lim;
	ix_entry *e;
	size_t n, cap;
	char *buf;
	size_t bufcap;
	/* the scan (trace_index_step): shard k, its line source and assembler */
	linesrc ls;           /* ls.buf freed once finished */
	asmb a;
	size_t k, lineno;
	int in_shard, finished;
	ix_progress pg;
	/* trace_index_watch: the needles, tested on each line while it is read */
	char **needles;
	size_t n_needles, needle_max;
	int needle_nl;        /* a needle holds '\n': lines cannot tell */
	size_t *anchor;       /* per needle: its byte rarest in the first line (memchr on it) */
	int anchored;
	signed char line_mention;
	size_t mention_line;
};

void trace_index_free(trace_index *ix)
{
	if (!ix)
		return;
	if (ix->in_shard)
		zfile_close(ix->ls.zf);
	asm_free(&ix->a);
	free(ix->ls.buf);
	for (size_t k = 0; ix->shs && k < ix->sh.n; k++) {
		zfile_close(ix->shs[k].zf);
		if (ix->shs[k].cache_fd >= 0)
			close(ix->shs[k].cache_fd);
	}
	free(ix->shs);
	shard_list_free(&ix->sh);
	for (size_t i = 0; i < ix->n; i++)
		free(ix->e[i].id);
	free(ix->e);
	free(ix->buf);
	for (size_t i = 0; i < ix->n_needles; i++)
		free(ix->needles[i]);
	free(ix->needles);
	free(ix->anchor);
	free(ix->path);
	free(ix);
}

/* Moves the assembler's outputs into entries of shard k.  A line's own
 * outputs take the needle test of that line (trace_index_watch). */
static int ix_take(trace_index *ix, asmb *a, size_t k)
{
	while (q_len(&a->out)) {
		item *it = &a->out.v[a->out.head++];
		if (ix->n == ix->cap) {
			size_t cap = ix->cap ? ix->cap * 2 : 1024;
			ix_entry *e = realloc(ix->e, cap * sizeof *e);
			if (!e) {
				item_free(it);
				return -1;
			}
			ix->e = e;
			ix->cap = cap;
		}
		ix_entry *e = &ix->e[ix->n++];
		memset(e, 0, sizeof *e);
		e->off0 = it->off0;
		e->off1 = it->off1;
		e->line0 = it->line0;
		e->line1 = it->line1;
		e->kind = (unsigned char)it->kind;
		e->index = it->index;
		e->id = it->id;
		it->id = NULL;
		e->attr_line = it->attr_line;
		e->container = it->container;
		e->evicted = (unsigned char)it->evicted;
		e->shard = k;
		e->mention = it->kind == KIND_LINE && it->line0 == ix->mention_line ? ix->line_mention : -1;
		item_free(it);
	}
	return 0;
}

/* Progress position: compressed bytes for a compressed file (the total is
 * the file's size), else the bytes consumed. */
static uint64_t ix_pos(const linesrc *ls)
{
	return zfile_get_kind(ls->zf) != ZFILE_PLAIN ? zfile_in_pos(ls->zf) : ls_pos(ls);
}

/* A compressed file is decompressed once, while indexing, into an unlinked
 * temporary file ($TMPDIR, else /tmp): loads then seek in it like in a plain
 * file (README "Compressed and sharded runs" has the figures that chose this
 * over restart points). */
static ts_status ix_cache_open(ix_shard *sh, const char *path, linesrc *ls, ts_error *err)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	char tmpl[4096];
	if ((size_t)snprintf(tmpl, sizeof tmpl, "%s/tailscope-cache-XXXXXX", dir) >= sizeof tmpl)
		return ts_error_set(err, TS_ERR_IO, "%s: TMPDIR is too long", path);
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return ts_error_set(err, TS_ERR_IO, "%s: cannot create a decompression cache in %s: %s",
		                    path, dir, strerror(errno));
	unlink(tmpl);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	sh->cache_fd = fd;
	ls->tee_fd = fd;
	ls->tee_off = 0;
	return TS_OK;
}

static int numchar(char c);

/* needle in b[0..n), found by memchr on needle[j] (a byte that is rare in
 * the data: glibc's memmem slows down 30-fold on "48000" among logprobs),
 * then the whole needle; a needle of digits only must stand alone as a
 * number (not inside -0.1000 or 21000). */
static int mentions_at(const char *b, size_t n, const char *needle, size_t j)
{
	size_t k = strlen(needle), digits = strspn(needle, "0123456789") == k;
	const char *p = b, *end = b + n;
	while (k && (size_t)(end - p) >= k) {
		const char *q = memchr(p + j, needle[j], (size_t)(end - p) - (k - 1));
		if (!q)
			return 0;
		const char *h = q - j;
		if (!memcmp(h, needle, k) &&
		    (!digits || ((h == b || !numchar(h[-1])) && (h + k == end || !numchar(h[k])))))
			return 1;
		p = h + 1;
	}
	return 0;
}

/* Each needle's anchor: its byte least frequent in line (the first one
 * watched stands for the data). */
static void ix_anchors(trace_index *ix, const char *line, size_t n)
{
	size_t freq[256] = { 0 };
	for (size_t i = 0; i < n && i < ((size_t)1 << 18); i++)
		freq[(unsigned char)line[i]]++;
	for (size_t k = 0; k < ix->n_needles; k++) {
		const char *nd = ix->needles[k];
		size_t best = 0;
		for (size_t j = 1; nd[j]; j++)
			if (freq[(unsigned char)nd[j]] < freq[(unsigned char)nd[best]])
				best = j;
		ix->anchor[k] = best;
	}
	ix->anchored = 1;
}

/* The needle test of the line just read (trace_index_watch). */
static void ix_watch_line(trace_index *ix, const char *line, size_t n)
{
	ix->mention_line = ix->lineno;
	ix->line_mention = -1;
	if (!ix->n_needles || ix->needle_nl)
		return;
	if (ix->needle_max == 0 || ix->needle_max >= READ_CHUNK / 2) {
		ix->line_mention = 1; /* as trace_index_mentions: nothing to look for */
		return;
	}
	ix->line_mention = 0;
	if (!ix->anchored)
		ix_anchors(ix, line, n);
	for (size_t k = 0; k < ix->n_needles; k++)
		if (mentions_at(line, n, ix->needles[k], ix->anchor[k])) {
			ix->line_mention = 1;
			return;
		}
}

/* Starts scanning shard ix->k (the line source keeps its buffer). */
static ts_status ix_shard_begin(trace_index *ix, ts_error *err)
{
	const char *path = ix->sh.paths[ix->k];
	ls_init_keep(&ix->ls, ix->ls.buf, ix->ls.cap);
	memset(&ix->a, 0, sizeof ix->a);
	ix->a.path = path;
	ix->a.lim = &ix->lim;
	ix->lineno = 0;
	ix->in_shard = 1;
	uint64_t size;
	ts_status st = open_ro(path, &ix->lim, &ix->ls.zf, &size, err);
	if (!st && zfile_get_kind(ix->ls.zf) != ZFILE_PLAIN)
		st = ix_cache_open(&ix->shs[ix->k], path, &ix->ls, err);
	return st;
}

/* Ends shard ix->k (st: how its scan went; at its end, the open requests
 * become entries) and moves on to the next. */
static ts_status ix_shard_end(trace_index *ix, ts_status st, ts_error *err)
{
	linesrc *ls = &ix->ls;
	if (!st) {
		asm_eof(&ix->a);
		ix->line_mention = -1;
		if (ix->a.nomem || ix_take(ix, &ix->a, ix->k))
			st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}
	if (ls->zf)
		ix->pg.done += ix_pos(ls);
	zfile_close(ls->zf);
	ls->zf = NULL;
	ls->tee_fd = -1;
	asm_free(&ix->a);
	ix->in_shard = 0;
	ix->k++;
	return st;
}

/* Lines of the current shard until about budget bytes were read (one line
 * at least) or its end (*eof). */
static ts_status ix_lines(trace_index *ix, uint64_t budget, int *eof, ts_error *err)
{
	linesrc *ls = &ix->ls;
	asmb *a = &ix->a;
	const char *path = ix->sh.paths[ix->k];
	uint64_t start = ls_pos(ls);
	ts_status st = TS_OK;
	*eof = 0;
	while (!st) {
		const char *line;
		uint64_t len = 0, off0 = ls_pos(ls);
		if (off0 != start && off0 - start >= budget)
			break;
		int r = read_line(ls, &line, &len);
		if (r == RL_EOF) {
			*eof = 1;
			break;
		}
		ix->lineno++;
		ix->line_mention = -1;
		if (r == RL_IOERR)
			st = ls_error(ls, path, ix->lineno, err);
		else if (r == RL_NOMEM)
			st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		else if (r == RL_TOOLONG)
			out_line(a, NULL, TS_OK, NULL, ix->lineno, off0, ls_pos(ls)); /* fails on load */
		else {
			ix_watch_line(ix, line, (size_t)len);
			asm_line(a, line, (size_t)len, ix->lineno, off0, ls_pos(ls));
		}
		if (!st && (a->nomem || ix_take(ix, a, ix->k)))
			st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		uint64_t pos = ix->pg.done + ix_pos(ls);
		if (!st && ix->pg.fn && pos - ix->pg.last_report >= PROGRESS_EVERY) {
			ix->pg.last_report = pos;
			ix->pg.fn(ix->pg.ud, pos, ix->pg.total);
		}
	}
	return st;
}

ts_status trace_index_open(const char *path, const trace_limits *lim, trace_index **out,
                           ts_error *err)
{
	*out = NULL;
	trace_index *ix = calloc(1, sizeof *ix);
	if (!ix)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	if (lim)
		ix->lim = *lim;
	else
		trace_limits_default(&ix->lim);
	ix->line_mention = -1;
	ix->path = strdup(path);
	ts_status st = ix->path ? shards_expand(path, &ix->sh, err)
	                        : ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	if (!st && !(ix->shs = calloc(ix->sh.n ? ix->sh.n : 1, sizeof *ix->shs)))
		st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	for (size_t k = 0; !st && k < ix->sh.n; k++) {
		struct stat sb;
		ix->shs[k].cache_fd = -1;
		if (stat(ix->sh.paths[k], &sb) == 0 && S_ISREG(sb.st_mode))
			ix->pg.total += (uint64_t)sb.st_size;
	}
	if (!st && ls_init(&ix->ls, &ix->lim))
		st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	if (st) {
		trace_index_free(ix);
		return st;
	}
	*out = ix;
	return TS_OK;
}

/* The scan is over (the end, or an error): its buffer goes. */
static void ix_finish(trace_index *ix)
{
	ix->finished = 1;
	free(ix->ls.buf);
	ix->ls.buf = NULL;
	ix->ls.cap = 0;
}

ts_status trace_index_step(trace_index *ix, uint64_t budget, int *finished, ts_error *err)
{
	uint64_t spent = 0;
	ts_status st = TS_OK;
	while (!ix->finished && !st && (spent == 0 || spent < budget)) {
		if (!ix->in_shard) {
			if (ix->k >= ix->sh.n) {
				ix_finish(ix);
				break;
			}
			st = ix_shard_begin(ix, err);
			if (st)
				break;
		}
		int eof = 0;
		uint64_t p0 = ls_pos(&ix->ls);
		st = ix_lines(ix, budget - spent, &eof, err);
		spent += ls_pos(&ix->ls) - p0 + 1;
		if (st || eof)
			st = ix_shard_end(ix, st, err);
	}
	if (st) {
		if (ix->in_shard)
			ix_shard_end(ix, st, err);
		ix_finish(ix);
	}
	if (finished)
		*finished = ix->finished;
	return st;
}

int trace_index_finished(const trace_index *ix) { return ix->finished; }

uint64_t trace_index_progress(const trace_index *ix, uint64_t *total)
{
	if (total)
		*total = ix->pg.total;
	return ix->pg.done + (ix->in_shard && ix->ls.zf ? ix_pos(&ix->ls) : 0);
}

ts_status trace_index_build(const char *path, const trace_limits *lim, trace_progress_fn progress,
                            void *ud, trace_index **out, ts_error *err)
{
	trace_index *ix;
	ts_status st = trace_index_open(path, lim, &ix, err);
	if (st)
		return st;
	ix->pg.fn = progress;
	ix->pg.ud = ud;
	int finished = 0;
	while (!st && !finished)
		st = trace_index_step(ix, UINT64_MAX, &finished, err);
	if (st) {
		trace_index_free(ix);
		return st;
	}
	if (progress)
		progress(ud, ix->pg.done, ix->pg.total ? ix->pg.total : ix->pg.done);
	*out = ix;
	return TS_OK;
}

size_t trace_index_count(const trace_index *ix) { return ix->n; }

size_t trace_index_lineno(const trace_index *ix, size_t i)
{
	return i < ix->n ? ix->e[i].line0 : 0;
}

size_t trace_index_lines(const trace_index *ix, size_t i, size_t *last)
{
	if (i >= ix->n) {
		if (last)
			*last = 0;
		return 0;
	}
	if (last)
		*last = ix->e[i].line1;
	return ix->e[i].line0;
}

/* The stream loads of shard k read: the cache of a compressed file, else
 * the file. */
static ts_status ix_load_open(trace_index *ix, size_t k, ts_error *err)
{
	ix_shard *sh = &ix->shs[k];
	if (sh->zf)
		return TS_OK;
	if (sh->cache_fd >= 0) {
		sh->zf = zfile_fdopen(sh->cache_fd);
		if (!sh->zf)
			return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		sh->cache_fd = -1; /* the stream owns it now */
		return TS_OK;
	}
	uint64_t size;
	return open_ro(ix->sh.paths[k], &ix->lim, &sh->zf, &size, err);
}

const char *trace_index_path(const trace_index *ix, size_t i)
{
	return i < ix->n ? ix->sh.paths[ix->e[i].shard] : NULL;
}

size_t trace_index_n_shards(const trace_index *ix) { return ix->sh.n; }

/* A line of several completions (fan_line) gave them all: drops those
 * before completion `index`, the entry's (a request's load gives just it). */
static void take_choice(asmb *a, long index)
{
	while (q_len(&a->out) > 1 && a->out.v[a->out.head].index != index)
		item_free(&a->out.v[a->out.head++]);
}

/* The line source over entry e's byte range (seeked, sharing the index's
 * read buffer). */
static ts_status ix_load_src(trace_index *ix, const ix_entry *e, const char *path, linesrc *ls,
                             ts_error *err)
{
	ts_status st = ix_load_open(ix, e->shard, err);
	if (st)
		return st;
	zfile *zf = ix->shs[e->shard].zf;
	if (zfile_seek(zf, e->off0) != 0)
		return ts_error_set(err, TS_ERR_IO, "%s:%zu: seek failed: %s", path, e->line0,
		                    errno ? strerror(errno) : "the file is now compressed");
	memset(ls, 0, sizeof *ls);
	ls->zf = zf;
	ls->tee_fd = -1;
	ls->max = line_limit(&ix->lim);
	ls->base = e->off0;
	ls->remain = e->off1 - e->off0;
	if (!ix->buf) {
		ix->buf = malloc(READ_CHUNK);
		if (!ix->buf)
			return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		ix->bufcap = READ_CHUNK;
	}
	ls->buf = ix->buf;
	ls->cap = ix->bufcap;
	return TS_OK;
}

/* The assembler for entry e: a request's lines are picked out by its id,
 * index and container. */
static void ix_load_asm(asmb *a, const trace_index *ix, const ix_entry *e, const char *path)
{
	memset(a, 0, sizeof *a);
	a->path = path;
	a->lim = &ix->lim;
	a->build = 1;
	if (e->kind == KIND_REQ) {
		a->filter = 1;
		a->want_id = e->id ? e->id : "";
		a->want_index = e->index;
		a->want_attr = e->attr_line;
		a->want_container = e->container;
		/* an OpenAI chunk names its id verbatim (llama.cpp's "slot:N" is not
		 * in the line as such) */
		a->want_safe_id = e->container == TRACE_FMT_OPENAI_SSE && id_is_safe(a->want_id);
	}
}

/* Feeds the lines from line line0 on to the assembler until it has a trace
 * (or the range ends). */
static ts_status ix_load_lines(asmb *a, linesrc *ls, const trace_index *ix, const char *path,
                               size_t line0, ts_error *err)
{
	size_t lineno = line0 - 1;
	while (!q_len(&a->out)) {
		const char *line;
		uint64_t len = 0, off0 = ls_pos(ls);
		int r = read_line(ls, &line, &len);
		if (r == RL_EOF)
			break;
		lineno++;
		if (r == RL_IOERR || r == RL_NOMEM)
			return r == RL_NOMEM ? ts_error_set(err, TS_ERR_NOMEM, "out of memory")
			                     : ls_error(ls, path, lineno, err);
		if (r == RL_TOOLONG) {
			if (a->filter)
				continue;
			char m[200];
			snprintf(m, sizeof m, "line of %llu bytes is longer than max_line_bytes (%zu)",
			         (unsigned long long)len, ix->lim.max_line_bytes);
			out_line(a, NULL, TS_ERR_LIMIT, m, lineno, off0, ls_pos(ls));
			break;
		}
		asm_line(a, line, (size_t)len, lineno, off0, ls_pos(ls));
	}
	return TS_OK;
}

/* The assembled trace into *out; refused when the reader met it unfinished
 * when too many were open (evicted). */
static ts_status ix_load_take(asmb *a, const ix_entry *e, const char *path, trace **out,
                              ts_error *err)
{
	if (!q_len(&a->out))
		asm_eof(a);
	if (a->nomem)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	if (!q_len(&a->out))
		return ts_error_set(err, TS_ERR_IO,
		                    "%s:%zu: nothing to read (file changed since indexing?)", path, e->line0);
	size_t first, last;
	take_choice(a, e->index);
	ts_status st = take_out(a, out, NULL, NULL, &first, &last, err);
	if (st || !e->evicted)
		return st;
	char m[200];
	item tmp;
	memset(&tmp, 0, sizeof tmp);
	tmp.id = e->id;
	tmp.index = e->index;
	evict_msg(m, sizeof m, &tmp);
	trace_free(*out);
	*out = NULL;
	return ts_error_set(err, TS_ERR_LIMIT, "%s:%zu: %s", path, e->line0, m);
}

ts_status trace_index_load(trace_index *ix, size_t i, trace **out, ts_error *err)
{
	*out = NULL;
	if (i >= ix->n)
		return ts_error_set(err, TS_ERR_USAGE, "%s: no entry %zu (index has %zu)", ix->path, i,
		                    ix->n);
	const ix_entry *e = &ix->e[i];
	const char *path = ix->sh.paths[e->shard];
	linesrc ls;
	ts_status st = ix_load_src(ix, e, path, &ls, err);
	if (st)
		return st;
	asmb a;
	ix_load_asm(&a, ix, e, path);
	st = ix_load_lines(&a, &ls, ix, path, e->line0, err);
	ix->buf = ls.buf;
	ix->bufcap = ls.cap;
	if (!st)
		st = ix_load_take(&a, e, path, out, err);
	asm_free(&a);
	return st;
}

static int numchar(char c)
{
	return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+';
}

/* needle in b[0..n); a needle of digits only must stand alone as a number
 * (not inside -0.1000 or 21000): mentions_at anchored on its first byte */
static int mentions(const char *b, size_t n, const char *needle)
{
	return mentions_at(b, n, needle, 0);
}

/* Whether entry i's bytes contain any of the needles (a cheap test before
 * parsing: png --sample looks for its sample this way).  Reads the range in
 * chunks that overlap by the longest needle. */
int trace_index_mentions(trace_index *ix, size_t i, const char *const *needles, size_t n)
{
	if (i >= ix->n)
		return -1;
	const ix_entry *e = &ix->e[i];
	ts_error err;
	if (ix_load_open(ix, e->shard, &err) != TS_OK)
		return -1;
	zfile *zf = ix->shs[e->shard].zf;
	size_t keep = 0;
	for (size_t k = 0; k < n; k++)
		if (strlen(needles[k]) > keep)
			keep = strlen(needles[k]);
	if (keep == 0 || keep >= READ_CHUNK / 2)
		return 1; /* nothing to look for: let the parser decide */
	if (!ix->buf && !(ix->buf = malloc(READ_CHUNK)))
		return -1;
	ix->bufcap = ix->bufcap ? ix->bufcap : READ_CHUNK;
	if (zfile_seek(zf, e->off0) != 0)
		return -1;
	uint64_t left = e->off1 - e->off0;
	size_t have = 0;
	while (left > 0) {
		size_t want = READ_CHUNK - have;
		if (want > left)
			want = (size_t)left;
		size_t got = zfile_read(zf, ix->buf + have, want);
		if (got == 0)
			return -1;
		left -= got;
		have += got;
		for (size_t k = 0; k < n; k++)
			if (mentions(ix->buf, have, needles[k]))
				return 1;
		if (have > keep) { /* keep the tail: a needle may cross the chunk edge */
			memmove(ix->buf, ix->buf + have - keep, keep);
			have = keep;
		}
	}
	return 0;
}

/* Needle i adds nothing to the test: an earlier one is the same, or another
 * one (not of digits only: no boundary rule) is inside it, so wherever i is
 * that one is too. */
static int needle_redundant(const char *const *needles, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++) {
		size_t k = strlen(needles[j]);
		if (j == i || !k)
			continue;
		if (!strcmp(needles[j], needles[i])) {
			if (j < i)
				return 1;
		} else if (strspn(needles[j], "0123456789") != k && strstr(needles[i], needles[j])) {
			return 1;
		}
	}
	return 0;
}

ts_status trace_index_watch(trace_index *ix, const char *const *needles, size_t n, ts_error *err)
{
	char **v = calloc(n ? n : 1, sizeof *v);
	size_t *anchor = calloc(n ? n : 1, sizeof *anchor);
	if (!v || !anchor) {
		free(v);
		free(anchor);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}
	free(ix->anchor);
	ix->anchor = anchor;
	ix->anchored = 0;
	for (size_t i = 0; i < ix->n_needles; i++)
		free(ix->needles[i]);
	free(ix->needles);
	ix->needles = v;
	ix->n_needles = 0;
	ix->needle_max = 0;
	ix->needle_nl = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(needles[i]);
		if (k > ix->needle_max)
			ix->needle_max = k;
		if (strchr(needles[i], '\n'))
			ix->needle_nl = 1;
		if (!k || needle_redundant(needles, n, i))
			continue; /* the answer stays the same without it */
		if (!(v[ix->n_needles] = strdup(needles[i])))
			return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		ix->n_needles++;
	}
	return TS_OK;
}

int trace_index_mentioned(trace_index *ix, size_t i)
{
	if (i >= ix->n)
		return -1;
	if (ix->e[i].mention >= 0)
		return ix->e[i].mention;
	if (!ix->n_needles)
		return 1;
	return trace_index_mentions(ix, i, (const char *const *)ix->needles, ix->n_needles);
}
