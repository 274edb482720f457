/* jstream.c — the pull reader of jstream.h. */
#include "jstream.h"

#include "jscan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JS_WINDOW 65536

void js_init_buffer(jstream *s, const char *buf, size_t len)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->p = buf;
	s->end = buf + len;
	s->off_end = len;
	s->line = 1;
}

int js_init_fd(jstream *s, int fd, uint64_t limit)
{
	memset(s, 0, sizeof *s);
	s->fd = fd;
	s->limit = limit;
	s->line = 1;
	s->win = malloc(JS_WINDOW);
	s->p = s->end = s->win;
	return s->win ? 0 : -1;
}

int js_init_fd_at(jstream *s, int fd, uint64_t off, uint64_t limit)
{
	int r = js_init_fd(s, fd, limit);
	s->at = 1;
	s->off_end = s->line_off = off;
	return r;
}

void js_seek(jstream *s, uint64_t off, uint64_t line, uint64_t line_off)
{
	s->at = 1;
	s->p = s->end = s->win;
	s->off_end = off;
	s->line = line;
	s->line_off = line_off;
}

void js_free(jstream *s)
{
	free(s->win);
	free(s->cap);
	s->win = s->cap = NULL;
}

static uint64_t js_off(const jstream *s)
{
	return s->off_end - (uint64_t)(s->end - s->p);
}

uint64_t js_offset(const jstream *s) { return js_off(s); }

int js_fail(jstream *s, js_error e)
{
	if (s->err == JS_OK) {
		s->err = e;
		s->err_off = js_off(s);
		s->err_line = s->line;
		s->err_col = s->err_off - s->line_off + 1;
	}
	s->p = s->end; /* nothing more is read */
	s->fd = -1;
	return 0;
}

/* More bytes in the window; 0 at the end (or on an error). */
static int js_fill(jstream *s)
{
	if (s->err != JS_OK || s->fd < 0)
		return 0;
	for (;;) {
		ssize_t r = s->at ? pread(s->fd, s->win, JS_WINDOW, (off_t)s->off_end)
		                  : read(s->fd, s->win, JS_WINDOW);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			s->err_errno = errno;
			return js_fail(s, JS_IO);
		}
		if (r == 0) {
			s->fd = -1;
			return 0;
		}
		s->p = s->win;
		s->end = s->win + r;
		s->off_end += (uint64_t)r;
		if (s->limit && s->off_end > s->limit)
			return js_fail(s, JS_TOO_BIG);
		return 1;
	}
}

static void js_cap(jstream *s, int c)
{
	if (s->cap_len >= s->cap_max) {
		s->cap_over = 1;
		return;
	}
	if (s->cap_len + 1 >= s->cap_size) {
		size_t n = s->cap_size ? s->cap_size * 2 : 256;
		char *p = realloc(s->cap, n);
		if (!p) {
			js_fail(s, JS_NOMEM);
			return;
		}
		s->cap = p;
		s->cap_size = n;
	}
	s->cap[s->cap_len++] = (char)c;
}

static inline int js_raw_peek(jstream *s)
{
	if (s->p == s->end && !js_fill(s))
		return -1;
	return (unsigned char)*s->p;
}

static inline int js_getc(jstream *s)
{
	if (s->p == s->end && !js_fill(s))
		return -1;
	int c = (unsigned char)*s->p++;
	if (c == '\n') {
		s->line++;
		s->line_off = js_off(s);
	}
	if (s->capturing)
		js_cap(s, c);
	return c;
}

int js_peek_slow(jstream *s)
{
	if (!s->capturing) /* white space inside the window, counting lines */
		while (s->p < s->end && (unsigned char)*s->p <= ' ') {
			if (*s->p++ == '\n') {
				s->line++;
				s->line_off = js_off(s);
			}
		}
	for (;;) {
		int c = js_raw_peek(s);
		if (c < 0 || c > ' ')
			return c;
		js_getc(s);
	}
}

int js_expect_slow(jstream *s, int c)
{
	if (js_peek(s) != c)
		return js_fail(s, JS_SYNTAX);
	js_getc(s);
	return 1;
}

int js_next_or_close_slow(jstream *s, int close)
{
	int c = js_peek(s);
	if (c == ',' || c == close) {
		js_getc(s);
		return c == ',';
	}
	js_fail(s, JS_SYNTAX);
	return -1;
}

int js_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put(char *out, size_t max, size_t *n, unsigned c)
{
	if (out && *n + 1 < max)
		out[*n] = (char)c;
	(*n)++;
}

/* UTF-8 of code point cp into out */
static void put_cp(char *out, size_t max, size_t *n, unsigned long cp)
{
	if (cp < 0x80) {
		put(out, max, n, (unsigned)cp);
	} else if (cp < 0x800) {
		put(out, max, n, 0xC0 | (unsigned)(cp >> 6));
		put(out, max, n, 0x80 | (unsigned)(cp & 0x3F));
	} else if (cp < 0x10000) {
		put(out, max, n, 0xE0 | (unsigned)(cp >> 12));
		put(out, max, n, 0x80 | (unsigned)((cp >> 6) & 0x3F));
		put(out, max, n, 0x80 | (unsigned)(cp & 0x3F));
	} else {
		put(out, max, n, 0xF0 | (unsigned)(cp >> 18));
		put(out, max, n, 0x80 | (unsigned)((cp >> 12) & 0x3F));
		put(out, max, n, 0x80 | (unsigned)((cp >> 6) & 0x3F));
		put(out, max, n, 0x80 | (unsigned)(cp & 0x3F));
	}
}

/* Four hex digits; as cJSON, a non-hex byte makes the value 0 (the string
 * still goes on), a '"' ends the string too early. */
static int js_u4(jstream *s, unsigned long *v)
{
	int bad = 0;
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int c = js_getc(s);
		if (c < 0 || c == '"')
			return js_fail(s, JS_SYNTAX);
		int h = js_hexval(c);
		bad |= h < 0;
		*v = *v * 16 + (unsigned long)(h < 0 ? 0 : h);
	}
	if (bad)
		*v = 0;
	return 1;
}

/* \u escapes as cJSON decodes them: a high surrogate needs a low one */
static int js_unicode(jstream *s, char *out, size_t max, size_t *n)
{
	unsigned long cp, lo;
	if (!js_u4(s, &cp))
		return 0;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return js_fail(s, JS_SYNTAX);
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (js_getc(s) != '\\' || js_getc(s) != 'u' || !js_u4(s, &lo) || lo < 0xDC00 || lo > 0xDFFF)
			return js_fail(s, JS_SYNTAX);
		cp = 0x10000 + (((cp & 0x3FF) << 10) | (lo & 0x3FF));
	}
	put_cp(out, max, n, cp);
	return 1;
}

/* A short plain string whole in the window (an object key): its bytes
 * copied while looking for the closing quote.  1 done, 0 not (no byte
 * consumed: js_string's general loop reads it). */
static inline int js_string_short(jstream *s, char *out, size_t max, size_t *len)
{
	const char *q = s->p + 1, *lim = s->end - q > (ptrdiff_t)max - 1 ? q + max - 1 : s->end;
	size_t n = 0;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (max >= 16 && s->end - q >= 16) { /* two words: the lowest '"', '\\' or '\n' ends the run */
		const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
		uint64_t w[2], stop[2];
		memcpy(w, q, 16);
		for (int k = 0; k < 2; k++) {
			uint64_t a = w[k] ^ (ones * '"'), b = w[k] ^ (ones * '\\'), c = w[k] ^ (ones * '\n');
			stop[k] = (((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c)) & highs;
		}
		n = stop[0] ? (size_t)__builtin_ctzll(stop[0]) >> 3
		            : stop[1] ? 8 + ((size_t)__builtin_ctzll(stop[1]) >> 3) : 16;
		if (n == 16 || n >= max - 1 || q[n] != '"') /* q[16] may be past the end */
			return 0;
		memcpy(out, q, 16); /* max >= 16 */
		q += n;
	} else
#endif
	{
		for (; q < lim && *q != '"' && *q != '\\' && *q != '\n'; q++)
			out[n++] = *q;
		if (q == lim || *q != '"')
			return 0;
	}
	out[n] = '\0';
	if (len)
		*len = n;
	s->p = q + 1;
	return 1;
}

int js_string(jstream *s, char *out, size_t max, size_t *len)
{
	size_t n = 0;
	if (js_peek(s) != '"')
		return js_fail(s, JS_SYNTAX);
	if (out && max && !s->capturing && js_string_short(s, out, max, len))
		return 1;
	js_getc(s);
	for (;;) {
		if (!s->capturing) { /* plain bytes in the window: run to the next byte that matters */
			const char *q = s->p;
			while (q < s->end && *q != '"' && *q != '\\' && *q != '\n')
				q++;
			size_t k = (size_t)(q - s->p);
			if (out && n + 1 < max)
				memcpy(out + n, s->p, k < max - 1 - n ? k : max - 1 - n);
			s->p = q;
			n += k;
		}
		int c = js_getc(s);
		if (c < 0)
			return js_fail(s, JS_SYNTAX);
		if (c == '"')
			break;
		if (c != '\\') {
			put(out, max, &n, (unsigned)c);
			continue;
		}
		c = js_getc(s);
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *e = c > 0 ? strchr(from, c) : NULL;
		if (e && c)
			put(out, max, &n, (unsigned char)to[e - from]);
		else if (c == 'u') {
			if (!js_unicode(s, out, max, &n))
				return 0;
		} else
			return js_fail(s, JS_SYNTAX);
	}
	if (out && max)
		out[n < max ? n : max - 1] = '\0';
	if (len)
		*len = n;
	return 1;
}

/* The bytes of a number's run: digits, '+', '-', '.', 'e', 'E'. */
static const unsigned char num_chars[256] = {
	['0'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['e'] = 1, ['E'] = 1,
};

static inline int num_char(int c) /* c: a byte or -1 (no byte) */
{
	return c >= 0 && num_chars[c];
}

static int digits(const char *b, size_t n, size_t *i)
{
	size_t k = *i;
	while (*i < n && b[*i] >= '0' && b[*i] <= '9')
		(*i)++;
	return *i > k;
}

/* 1 when strtod reads all of b[0..n) (a run of num_char bytes):
 * [+-]? (D+ ('.' D*)? | '.' D+) ([eE] [+-]? D+)? */
static int strtod_whole(const char *b, size_t n)
{
	size_t i = 0;
	if (i < n && (b[i] == '+' || b[i] == '-'))
		i++;
	int m = digits(b, n, &i);
	if (i < n && b[i] == '.') {
		i++;
		m |= digits(b, n, &i);
	}
	if (!m)
		return 0;
	if (i < n && (b[i] == 'e' || b[i] == 'E')) {
		i++;
		if (i < n && (b[i] == '+' || b[i] == '-'))
			i++;
		if (!digits(b, n, &i))
			return 0;
	}
	return i == n;
}

/* The end of the longest prefix of [q, e) that matches strtod_whole's
 * grammar (greedy: an exponent without digits is not part of it). */
static const char *num_prefix(const char *q, const char *e)
{
	const char *p = q, *d;
	p += p < e && (*p == '+' || *p == '-');
	for (d = p; p < e && *p >= '0' && *p <= '9';)
		p++;
	int m = p > d;
	if (p < e && *p == '.') {
		for (d = ++p; p < e && *p >= '0' && *p <= '9';)
			p++;
		m |= p > d;
	}
	if (!m)
		return q;
	if (p < e && (*p == 'e' || *p == 'E')) {
		const char *x = p + 1;
		x += x < e && (*x == '+' || *x == '-');
		for (d = x; x < e && *x >= '0' && *x <= '9';)
			x++;
		if (x > d)
			p = x;
	}
	return p;
}

/* The common whole number (ids, pixel boxes): an optional '-', 1 to 15
 * digits, then a byte inside the window that is no num_char — its value
 * read as the digits go (below 2^53: exact, as strtod's), "-0" as -0.0.
 * 1 done (*ok 1), 0 anything else (js_number_fast's general pass decides). */
static inline int js_int_fast(jstream *s, double *v, int *ok)
{
	const char *r = s->p, *e = s->end;
	if (s->capturing || r == e)
		return 0;
	int neg = *r == '-';
	r += neg;
	const char *d = r, *lim = e - r > 15 ? r + 15 : e;
	uint64_t u = 0;
	while (r < lim && (unsigned char)(*r - '0') <= 9)
		u = u * 10 + (uint64_t)(*r++ - '0');
	if (r == d || r == e || num_char((unsigned char)*r))
		return 0;
	if (v)
		*v = neg ? -(double)u : (double)u;
	*ok = 1;
	s->p = r;
	return 1;
}

/* A number wholly inside the window, validated in place in one pass: the
 * run of num_char bytes is valid when the grammar's longest prefix is all of
 * it (the next byte is not a num_char).  A run that reaches the window's
 * end is left to the slow path.  1 done, 0 not (too near the
 * window's end: the slow path reads it). */
static int js_number_fast(jstream *s, double *v, int *ok)
{
	if (js_int_fast(s, v, ok))
		return 1;
	const char *q = s->p, *e = num_prefix(q, s->end - q > 64 ? q + 64 : s->end), *r = e;
	while (r < s->end && r - q < 64 && num_char((unsigned char)*r)) /* the run goes on: not valid */
		r++;
	if (r == s->end || s->capturing)
		return 0;
	size_t n = (size_t)(e - q);
	*ok = n > 0 && n < 64 && r == e;
	if (!*ok)
		return 1;
	if (v && !jscan_fast_double(q, n, v)) {
		char buf[64];
		memcpy(buf, q, n);
		buf[n] = '\0';
		*v = strtod(buf, NULL);
	}
	s->p = e;
	return 1;
}

int js_number(jstream *s, double *v)
{
	char buf[64];
	size_t n = 0;
	int ok;
	js_peek(s);
	if (js_number_fast(s, v, &ok))
		return ok ? 1 : js_fail(s, JS_SYNTAX);
	while (n < sizeof buf - 1 && num_char(js_raw_peek(s)))
		buf[n++] = (char)js_getc(s);
	buf[n] = '\0';
	if (n == 0 || num_char(js_raw_peek(s)) || !strtod_whole(buf, n))
		return js_fail(s, JS_SYNTAX);
	if (v)
		*v = strtod(buf, NULL);
	return 1;
}

int js_literal(jstream *s)
{
	static const char *const lit[] = { "false", "true", "null" };
	int c = js_peek(s);
	int k = c == 'f' ? 0 : c == 't' ? 1 : c == 'n' ? 2 : -1;
	if (k < 0)
		return js_fail(s, JS_SYNTAX) - 1;
	for (const char *p = lit[k]; *p; p++)
		if (js_getc(s) != *p)
			return js_fail(s, JS_SYNTAX) - 1;
	return k;
}

/* A number skipped in the window (the common element of long arrays such
 * as polygons): 1 done, 0 invalid (error recorded), -1 not handled here. */
static int js_skip_number_fast(jstream *s)
{
	int c = (unsigned char)*s->p, ok;
	if (c != '-' && !(c >= '0' && c <= '9'))
		return -1;
	if (!js_number_fast(s, NULL, &ok))
		return -1;
	return ok ? 1 : js_fail(s, JS_SYNTAX);
}

static const char *digit_run(const char *p, const char *e)
{
	while (p < e && (unsigned char)(*p - '0') <= 9)
		p++;
	return p;
}

/* The end of the valid number at q inside [q, e) — what js_number_fast
 * accepts: a '-' or digit first, then num_prefix's grammar up to a byte
 * that is no num_char (the run is all of the prefix), shorter than 64 bytes
 * and ending before e — else NULL (left to js_skip_number_fast, which
 * decides and reports alike). */
static const char *number_run(const char *q, const char *e)
{
	if (q == e || (*q != '-' && (unsigned char)(*q - '0') > 9))
		return NULL;
	const char *r = q + (*q == '-'), *d = r;
	r = digit_run(r, e);
	int m = r > d;
	if (r < e && *r == '.') {
		d = ++r;
		r = digit_run(r, e);
		m |= r > d;
	}
	if (!m)
		return NULL;
	if (r < e && (*r == 'e' || *r == 'E')) {
		r += 1 + (r + 1 < e && (r[1] == '+' || r[1] == '-'));
		d = r;
		r = digit_run(r, e);
		if (r == d)
			return NULL;
	}
	if (r >= e || num_char((unsigned char)*r) || r - q >= 64)
		return NULL;
	return r;
}

/* After one number skipped (js_skip_number_fast returned 1), the numbers
 * that follow it in the same array as ", number" inside the window (a
 * polygon's thousands), skipped in one loop without a call per byte or
 * element.  White space other than a newline (which counts lines) may sit
 * around the commas.  Stops after the last number it took: whatever comes
 * next is the general loop's. */
static void js_skip_number_run(jstream *s)
{
	const char *p = s->p, *e = s->end;
	for (;;) {
		const char *q = p;
		if (e - q > 2 && q[0] == ',' && q[1] == ' ' && q[2] > ' ') { /* the usual ", " */
			q += 2;
		} else {
			while (q < e && (unsigned char)*q <= ' ' && *q != '\n')
				q++;
			if (q == e || *q++ != ',')
				break;
			while (q < e && (unsigned char)*q <= ' ' && *q != '\n')
				q++;
		}
		const char *r = number_run(q, e);
		if (!r)
			break;
		p = r;
	}
	s->p = p;
}

static int js_skip_container(jstream *s, int depth, int close)
{
	if (depth > JSTREAM_DEPTH)
		return js_fail(s, JS_DEEP);
	js_getc(s);
	if (js_peek(s) == close) {
		js_getc(s);
		return 1;
	}
	for (;;) {
		if (close == '}' && (!js_string(s, NULL, 0, NULL) || !js_expect(s, ':')))
			return 0;
		int k = js_peek(s) >= 0 ? js_skip_number_fast(s) : -1;
		if (k == 0 || (k < 0 && !js_skip(s, depth)))
			return 0;
		if (k > 0 && close == ']')
			js_skip_number_run(s);
		if (s->p < s->end && *s->p == ',' && !s->capturing) { /* the usual separator */
			s->p++;
			continue;
		}
		int r = js_next_or_close(s, close);
		if (r < 0)
			return 0;
		if (r == 0)
			return 1;
	}
}

int js_skip(jstream *s, int depth)
{
	int c = js_peek(s);
	switch (c) {
	case '{':
		return js_skip_container(s, depth + 1, '}');
	case '[':
		return js_skip_container(s, depth + 1, ']');
	case '"':
		return js_string(s, NULL, 0, NULL);
	case 't':
	case 'f':
	case 'n':
		return js_literal(s) >= 0;
	default: /* cJSON: a number starts with '-' or a digit */
		if (c != '-' && !(c >= '0' && c <= '9'))
			return js_fail(s, JS_SYNTAX);
		return js_number(s, NULL);
	}
}

void js_capture_start(jstream *s, size_t max)
{
	s->cap_len = 0;
	s->cap_max = max;
	s->cap_over = 0;
	s->capturing = 1;
}

void js_capture_stop(jstream *s)
{
	s->capturing = 0;
	if (s->cap && s->cap_len < s->cap_size)
		s->cap[s->cap_len] = '\0';
}

int js_at_end(jstream *s)
{
	int c;
	/* after the value only isspace() white space, as the readers check it */
	while ((c = js_raw_peek(s)) == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r')
		js_getc(s);
	if (c >= 0)
		return js_fail(s, JS_SYNTAX);
	return s->err == JS_OK;
}
