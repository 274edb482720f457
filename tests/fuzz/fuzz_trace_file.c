/* fuzz_trace_file — the JSONL reader (trace_file_*) and the line index
 * (trace_index_*) over a file holding the input, differential.
 *
 * Input: byte 0 picks max_line_bytes (8..263, so over-long lines, CRLF at
 * the limit and refills are all reached by small inputs), the rest is the
 * file.  The expected result is worked out line by line from the rules in
 * trace.h: lines end in "\n" (a last line without one counts); the reader
 * reports a line whose raw length (with a trailing "\r") exceeds
 * max_line_bytes + 1 as TS_ERR_LIMIT "line of N bytes", skips lines of only
 * spaces/tabs/CR, and otherwise gives exactly what trace_parse_line gives
 * for the line without its "\r", with "path:LINE: " before an error
 * message.  (A blank line over the limit is skipped when it fits the
 * reader's buffer and reported when it doesn't: both are accepted.)  The index lists the non-blank lines (blank ones of any length are
 * not listed) and loading entry i gives what the reader gave for that line.
 * The reader's position ends at the file size. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "trace.h"

static char path[256];

static void remove_file(void)
{
	if (path[0])
		unlink(path);
}

static int blank(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static void same_trace(const trace *a, const trace *b, size_t lineno)
{
	FZ_CHECK(trace_text_len(a) == trace_text_len(b) && trace_n_steps(a) == trace_n_steps(b) &&
	         memcmp(trace_text(a), trace_text(b), trace_text_len(a)) == 0 &&
	         trace_get_finish(a) == trace_get_finish(b) && trace_get_format(a) == trace_get_format(b),
	         "line %zu: trace differs from trace_parse_line's", lineno);
}

/* What the reader must give for one line (raw: without "\n"). */
typedef struct expect {
	size_t lineno;
	ts_status st;
	trace *t;                   /* TS_OK */
	char msg[TS_ERROR_MSG_MAX]; /* otherwise */
	char msg2[TS_ERROR_MSG_MAX];/* also accepted (or "") */
	int indexed;
	int optional; /* blank and over-long: the reader may skip it or report it */
} expect;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 16)
		return 0;
	if (!path[0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(path, sizeof path, "%s/tsfuzz-trace-file-%ld.jsonl", dir && *dir ? dir : "/tmp",
		         (long)getpid());
		atexit(remove_file);
	}
	trace_limits lim;
	trace_limits_default(&lim);
	lim.max_line_bytes = 8 + data[0];
	lim.max_steps = 256;
	lim.max_token_bytes = 64;
	const uint8_t *file = data + 1;
	size_t flen = size - 1;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FZ_CHECK(fd >= 0, "cannot create %s", path);
	FZ_CHECK(flen == 0 || write(fd, file, flen) == (ssize_t)flen, "short write");
	close(fd);

	/* expected, line by line */
	size_t cap = 16, n_exp = 0;
	expect *exp = malloc(cap * sizeof *exp);
	FZ_CHECK(exp, "oom");
	size_t start = 0, lineno = 0;
	while (start < flen) {
		const uint8_t *nl = memchr(file + start, '\n', flen - start);
		size_t end = nl ? (size_t)(nl - file) : flen;
		size_t r = end - start, n = r;
		const uint8_t *line = file + start;
		lineno++;
		start = end + 1;
		if (n && line[n - 1] == '\r')
			n--;
		int is_blank = blank(line, r);
		if (r <= lim.max_line_bytes + 1 && is_blank)
			continue;
		if (n_exp == cap) {
			cap *= 2;
			exp = realloc(exp, cap * sizeof *exp);
			FZ_CHECK(exp, "oom");
		}
		expect *e = &exp[n_exp++];
		e->lineno = lineno;
		e->t = NULL;
		e->indexed = !is_blank;
		e->optional = is_blank;
		e->msg2[0] = '\0';
		if (r > lim.max_line_bytes + 1) {
			/* N counts a trailing "\r" when the line was too long to be held
			 * (reader: longer than its buffer; index: decided before reading)
			 * and not otherwise: either is accepted */
			e->st = TS_ERR_LIMIT;
			snprintf(e->msg, sizeof e->msg, "%s:%zu: line of %zu bytes is longer than max_line_bytes (%zu)",
			         path, lineno, r, lim.max_line_bytes);
			snprintf(e->msg2, sizeof e->msg2, "%s:%zu: line of %zu bytes is longer than max_line_bytes (%zu)",
			         path, lineno, n, lim.max_line_bytes);
			continue;
		}
		ts_error pe;
		e->st = trace_parse_line((const char *)line, n, &lim, &e->t, &pe);
		if (e->st != TS_OK) {
			char full[TS_ERROR_MSG_MAX];
			snprintf(full, sizeof full, "%s:%zu: %s", path, lineno, pe.msg);
			memcpy(e->msg, full, sizeof e->msg);
		}
	}

	/* the reader */
	trace_file *f;
	ts_error err;
	FZ_CHECK(trace_file_open(path, &lim, &f, &err) == TS_OK, "open: %s", err.msg);
	for (size_t k = 0;; k++) {
		trace *t = NULL;
		size_t ln = 0;
		ts_status st = trace_file_next(f, &t, &ln, &err);
		while (k < n_exp && exp[k].optional && (st == TS_EOF || exp[k].lineno < ln))
			k++;
		if (st == TS_EOF) {
			FZ_CHECK(k == n_exp, "reader ended after %zu of %zu lines", k, n_exp);
			break;
		}
		FZ_CHECK(k < n_exp, "reader gave more than %zu lines (line %zu)", n_exp, ln);
		FZ_CHECK(ln == exp[k].lineno, "entry %zu: reader line %zu, expected %zu", k, ln, exp[k].lineno);
		FZ_CHECK(st == exp[k].st, "line %zu: reader status %d, expected %d (%s)", ln, (int)st,
		         (int)exp[k].st, err.msg);
		if (st == TS_OK)
			same_trace(t, exp[k].t, ln);
		else
			FZ_CHECK(!strcmp(err.msg, exp[k].msg) || !strcmp(err.msg, exp[k].msg2),
			         "line %zu: reader said \"%s\", expected \"%s\"",
			         ln, err.msg, exp[k].msg);
		trace_free(t);
	}
	FZ_CHECK(trace_file_pos(f) == flen, "reader position %llu of %zu bytes",
	         (unsigned long long)trace_file_pos(f), flen);
	FZ_CHECK(trace_file_next(f, &(trace *){ NULL }, NULL, &err) == TS_EOF, "EOF is not sticky");
	trace_file_close(f);

	/* the index: non-blank lines only */
	trace_index *ix;
	FZ_CHECK(trace_index_build(path, &lim, NULL, NULL, &ix, &err) == TS_OK, "index: %s", err.msg);
	size_t i = 0;
	for (size_t k = 0; k < n_exp; k++) {
		if (!exp[k].indexed)
			continue;
		FZ_CHECK(i < trace_index_count(ix), "index has %zu entries, line %zu missing",
		         trace_index_count(ix), exp[k].lineno);
		FZ_CHECK(trace_index_lineno(ix, i) == exp[k].lineno, "index entry %zu: line %zu, expected %zu", i,
		         trace_index_lineno(ix, i), exp[k].lineno);
		trace *t = NULL;
		ts_status st = trace_index_load(ix, i, &t, &err);
		FZ_CHECK(st == exp[k].st, "index line %zu: status %d, expected %d (%s)", exp[k].lineno, (int)st,
		         (int)exp[k].st, err.msg);
		if (st == TS_OK)
			same_trace(t, exp[k].t, exp[k].lineno);
		else
			FZ_CHECK(!strcmp(err.msg, exp[k].msg) || !strcmp(err.msg, exp[k].msg2),
			         "index line %zu: said \"%s\", expected \"%s\"",
			         exp[k].lineno, err.msg, exp[k].msg);
		trace_free(t);
		i++;
	}
	FZ_CHECK(i == trace_index_count(ix), "index has %zu entries, expected %zu", trace_index_count(ix), i);
	trace *t = NULL;
	FZ_CHECK(trace_index_load(ix, i, &t, &err) == TS_ERR_USAGE && t == NULL, "load past the end");
	trace_index_free(ix);

	for (size_t k = 0; k < n_exp; k++)
		trace_free(exp[k].t);
	free(exp);
	return 0;
}
