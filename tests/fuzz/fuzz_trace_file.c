/* fuzz_trace_file — the trace-file reader (trace_file_*) and the index
 * (trace_index_*) over a file holding the input, differential.
 *
 * Input: byte 0 picks max_line_bytes (8..263, so over-long lines, CRLF at
 * the limit and refills are all reached by small inputs), the rest is the
 * file.  Oracles:
 * - A file without stream lines (no line starting with "data:", "event:",
 *   "id:", "retry:" or ":", none naming "done"): the expected result is worked out line by line
 *   from the rules in trace.h: lines end in "\n" (a last line without one
 *   counts); the reader reports a line whose raw length (with a trailing
 *   "\r") exceeds max_line_bytes + 1 as TS_ERR_LIMIT "line of N bytes",
 *   skips lines of only spaces/tabs/CR, and otherwise gives exactly what
 *   trace_parse_line gives for the line without its "\r", with "path:LINE: "
 *   before an error message.  (A blank line over the limit may be skipped or
 *   reported.)
 * - Any file (SSE recordings included, built with small buffers and at most
 *   3 open requests): every output names lines first <= last within the
 *   file, an error's line lies in that range and its message starts with
 *   "path:LINE: "; the index lists exactly the reader's outputs (same line
 *   ranges) and loading entry i gives what the reader gave (same status and
 *   message, or the same steps, text, alternatives, finish and container).
 * - Differential (issue 21): the reader with the scanner's SSE path turned
 *   off (trace_sse_fast_enable(0): every data: line through cJSON) gives the
 *   same outputs — status, message, line range and the whole trace (steps'
 *   offsets, lengths, logprob bits, alternatives and their text).
 * The reader's position ends at the file size. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "trace.h"
#include "trace_int.h"

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
	         trace_n_alts(a) == trace_n_alts(b) &&
	         trace_get_finish(a) == trace_get_finish(b) && trace_get_format(a) == trace_get_format(b) &&
	         trace_get_container(a) == trace_get_container(b),
	         "line %zu: trace differs from trace_parse_line's", lineno);
}

/* Every byte and bit of two traces (the scanner's SSE path against cJSON's). */
static void same_trace_bits(const trace *a, const trace *b, size_t lineno)
{
	same_trace(a, b, lineno);
	int64_t ia = -1, ib = -1;
	FZ_CHECK(trace_image_id(a, &ia) == trace_image_id(b, &ib) && ia == ib &&
	         trace_has_logprobs(a) == trace_has_logprobs(b) &&
	         trace_get_finish_how(a) == trace_get_finish_how(b),
	         "line %zu: image id, logprobs or finish differ without the scanner", lineno);
	const char *sa[3] = { trace_file_name(a), trace_custom_id(a), trace_prompt(a) };
	const char *sb[3] = { trace_file_name(b), trace_custom_id(b), trace_prompt(b) };
	for (int i = 0; i < 3; i++)
		FZ_CHECK(!sa[i] == !sb[i] && (!sa[i] || !strcmp(sa[i], sb[i])),
		         "line %zu: reference %d differs without the scanner", lineno, i);
	const trace_step *pa = trace_steps(a), *pb = trace_steps(b);
	for (size_t i = 0; i < trace_n_steps(a); i++)
		FZ_CHECK(pa[i].off == pb[i].off && pa[i].len == pb[i].len && pa[i].alt_first == pb[i].alt_first &&
		         pa[i].n_alt == pb[i].n_alt && !memcmp(&pa[i].logprob, &pb[i].logprob, sizeof(double)),
		         "line %zu: step %zu differs without the scanner", lineno, i);
	const trace_alt *aa = trace_alts(a), *ab = trace_alts(b);
	for (size_t i = 0; i < trace_n_alts(a); i++)
		FZ_CHECK(aa[i].len == ab[i].len && !memcmp(&aa[i].logprob, &ab[i].logprob, sizeof(double)) &&
		         !memcmp(trace_alt_text(a) + aa[i].off, trace_alt_text(b) + ab[i].off, aa[i].len),
		         "line %zu: alternative %zu differs without the scanner", lineno, i);
}

/* One output of the reader. */
typedef struct output {
	ts_status st;
	trace *t;
	size_t lineno, first, last;
	char msg[TS_ERROR_MSG_MAX];
} output;

static int sse_line(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i + 6 <= n; i++) /* a possible Ollama stream line */
		if (!memcmp(s + i, "\"done\"", 6))
			return 1;
	static const char *const pre[] = { "data:", "event:", "id:", "retry:", ":" };
	for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++) {
		size_t k = strlen(pre[i]);
		if (n >= k && !memcmp(s, pre[i], k))
			return 1;
	}
	return 0;
}

/* What the reader must give for one line (raw: without "\n"). */
typedef struct expect {
	size_t lineno;
	ts_status st;
	trace *t;                   /* TS_OK */
	char msg[TS_ERROR_MSG_MAX]; /* otherwise */
	char msg2[TS_ERROR_MSG_MAX];/* also accepted (or "") */

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
	int sse = 0;
	while (start < flen) {
		const uint8_t *nl = memchr(file + start, '\n', flen - start);
		size_t end = nl ? (size_t)(nl - file) : flen;
		size_t r = end - start, n = r;
		const uint8_t *line = file + start;
		lineno++;
		start = end + 1;
		if (n && line[n - 1] == '\r')
			n--;
		sse |= sse_line(line, n);
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

	/* the reader: every output */
	size_t ocap = 16, n_out = 0;
	output *out = malloc(ocap * sizeof *out);
	FZ_CHECK(out, "oom");
	trace_file *f;
	ts_error err;
	FZ_CHECK(trace_file_open(path, &lim, &f, &err) == TS_OK, "open: %s", err.msg);
	for (;;) {
		trace *t = NULL;
		size_t ln = 0;
		ts_status st = trace_file_next(f, &t, &ln, &err);
		if (st == TS_EOF)
			break;
		if (n_out == ocap) {
			ocap *= 2;
			out = realloc(out, ocap * sizeof *out);
			FZ_CHECK(out, "oom");
		}
		output *o = &out[n_out++];
		o->st = st;
		o->t = t;
		o->lineno = ln;
		trace_file_lines(f, &o->first, &o->last);
		snprintf(o->msg, sizeof o->msg, "%s", st ? err.msg : "");
		FZ_CHECK(o->first >= 1 && o->first <= o->last && o->last <= lineno,
		         "output %zu: lines %zu-%zu of %zu", n_out - 1, o->first, o->last, lineno);
		FZ_CHECK((st == TS_OK) == (t != NULL), "output %zu: status %d with trace %p", n_out - 1,
		         (int)st, (void *)t);
		if (st != TS_OK) {
			FZ_CHECK(ln >= o->first && ln <= o->last, "error line %zu outside %zu-%zu", ln,
			         o->first, o->last);
			char pre[300];
			snprintf(pre, sizeof pre, "%s:%zu: ", path, ln);
			FZ_CHECK(!strncmp(o->msg, pre, strlen(pre)), "message \"%s\" does not start with \"%s\"",
			         o->msg, pre);
		} else {
			FZ_CHECK(ln == o->first, "sample line %zu, first %zu", ln, o->first);
		}
	}
	FZ_CHECK(trace_file_pos(f) == flen, "reader position %llu of %zu bytes",
	         (unsigned long long)trace_file_pos(f), flen);
	FZ_CHECK(trace_file_next(f, &(trace *){ NULL }, NULL, &err) == TS_EOF, "EOF is not sticky");
	trace_file_close(f);

	/* without SSE lines: line by line, as worked out above */
	if (!sse) {
		size_t k = 0;
		for (size_t i = 0; i < n_out; i++) {
			const output *o = &out[i];
			while (k < n_exp && exp[k].optional && exp[k].lineno < o->lineno)
				k++;
			FZ_CHECK(k < n_exp, "reader gave more than %zu lines (line %zu)", n_exp, o->lineno);
			FZ_CHECK(o->lineno == exp[k].lineno, "entry %zu: reader line %zu, expected %zu", k,
			         o->lineno, exp[k].lineno);
			FZ_CHECK(o->st == exp[k].st, "line %zu: reader status %d, expected %d (%s)", o->lineno,
			         (int)o->st, (int)exp[k].st, o->msg);
			if (o->st == TS_OK)
				same_trace(o->t, exp[k].t, o->lineno);
			else
				FZ_CHECK(!strcmp(o->msg, exp[k].msg) || !strcmp(o->msg, exp[k].msg2),
				         "line %zu: reader said \"%s\", expected \"%s\"", o->lineno, o->msg,
				         exp[k].msg);
			k++;
		}
		while (k < n_exp && exp[k].optional)
			k++;
		FZ_CHECK(k == n_exp, "reader ended after %zu of %zu lines", k, n_exp);
	}

	/* the index: exactly the reader's outputs */
	trace_index *ix;
	FZ_CHECK(trace_index_build(path, &lim, NULL, NULL, &ix, &err) == TS_OK, "index: %s", err.msg);
	FZ_CHECK(trace_index_count(ix) == n_out, "index has %zu entries, the reader gave %zu",
	         trace_index_count(ix), n_out);
	for (size_t i = 0; i < n_out; i++) {
		const output *o = &out[i];
		size_t last = 0;
		FZ_CHECK(trace_index_lines(ix, i, &last) == o->first && last == o->last &&
		         trace_index_lineno(ix, i) == o->first,
		         "index entry %zu: lines %zu-%zu, the reader's %zu-%zu", i, trace_index_lineno(ix, i),
		         last, o->first, o->last);
		trace *t = NULL;
		ts_status st = trace_index_load(ix, i, &t, &err);
		FZ_CHECK(st == o->st, "index entry %zu (line %zu): status %d, the reader's %d (%s)", i,
		         o->first, (int)st, (int)o->st, err.msg);
		if (st == TS_OK)
			same_trace(t, o->t, o->first);
		else
			FZ_CHECK(!strcmp(err.msg, o->msg), "index entry %zu: said \"%s\", the reader \"%s\"", i,
			         err.msg, o->msg);
		trace_free(t);
	}
	trace *t = NULL;
	FZ_CHECK(trace_index_load(ix, n_out, &t, &err) == TS_ERR_USAGE && t == NULL, "load past the end");
	trace_index_free(ix);

	/* differential: the same outputs without the scanner's SSE path */
	if (sse) {
		trace_sse_fast_enable(0);
		FZ_CHECK(trace_file_open(path, &lim, &f, &err) == TS_OK, "open: %s", err.msg);
		size_t i = 0;
		for (;; i++) {
			trace *c = NULL;
			size_t ln = 0, first = 0, last = 0;
			ts_status st = trace_file_next(f, &c, &ln, &err);
			if (st == TS_EOF)
				break;
			trace_file_lines(f, &first, &last);
			FZ_CHECK(i < n_out, "without the scanner: more than %zu outputs", n_out);
			const output *o = &out[i];
			FZ_CHECK(st == o->st && ln == o->lineno && first == o->first && last == o->last &&
			         !strcmp(st ? err.msg : "", o->msg),
			         "output %zu: without the scanner %d lines %zu-%zu \"%s\", with it %d lines %zu-%zu \"%s\"",
			         i, (int)st, first, last, st ? err.msg : "", (int)o->st, o->first, o->last, o->msg);
			if (st == TS_OK)
				same_trace_bits(c, o->t, ln);
			trace_free(c);
		}
		FZ_CHECK(i == n_out, "without the scanner: %zu outputs, with it %zu", i, n_out);
		trace_file_close(f);
		trace_sse_fast_enable(1);
	}

	for (size_t i = 0; i < n_out; i++)
		trace_free(out[i].t);
	free(out);
	for (size_t k = 0; k < n_exp; k++)
		trace_free(exp[k].t);
	free(exp);
	return 0;
}
