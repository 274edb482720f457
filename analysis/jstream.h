/* jstream.h — a pull reader of one JSON document from a file descriptor or a
 * buffer, in a fixed window (64 KiB): what it reads is validated and, unless
 * the caller keeps it, forgotten, so memory does not grow with the input.
 * The grammar accepted is cJSON's (the rest of the project parses with it):
 * white space is any byte <= 0x20, numbers are a run of at most 63 of
 * "0-9+-.eE" that strtod reads entirely, strings are not checked for UTF-8
 * and may hold raw control bytes; containers nest at most JSTREAM_DEPTH deep.
 * The first error stops the reader (every call then fails) and records where
 * (byte offset, line, column) and what. */
#ifndef TS_JSTREAM_H
#define TS_JSTREAM_H

#include <stddef.h>
#include <stdint.h>

#define JSTREAM_DEPTH 1000 /* as CJSON_NESTING_LIMIT */

typedef enum {
	JS_OK = 0,
	JS_SYNTAX,   /* not JSON */
	JS_DEEP,     /* nested deeper than JSTREAM_DEPTH */
	JS_IO,       /* read error (err_errno) */
	JS_TOO_BIG,  /* more bytes than the limit */
	JS_NOMEM,    /* out of memory */
} js_error;

typedef struct jstream {
	int fd;                  /* -1: the whole input is [p, end) */
	const char *p, *end;     /* unread bytes of the window */
	char *win;               /* the window (fd) */
	uint64_t off_end;        /* input offset of end */
	uint64_t limit;          /* most bytes read from fd */
	uint64_t line, line_off; /* current line (1-based) and the offset it starts at */
	js_error err;
	int err_errno;
	uint64_t err_off, err_line, err_col;
	int at;                  /* reads with pread at off_end (js_init_fd_at, js_seek) */
	char *cap;               /* captured bytes (js_capture_start) */
	size_t cap_len, cap_size, cap_max;
	int capturing, cap_over;
} jstream;

void js_init_buffer(jstream *s, const char *buf, size_t len);
/* Returns 0, or -1 when the window cannot be allocated. */
int js_init_fd(jstream *s, int fd, uint64_t limit);
void js_free(jstream *s);
/* As js_init_fd, reading fd (a regular file) with pread from byte off on:
 * other readers of fd are not disturbed.  Offsets stay the file's; lines
 * count from 1 at off. */
int js_init_fd_at(jstream *s, int fd, uint64_t off, uint64_t limit);
/* The file offset of the next unread byte. */
uint64_t js_offset(const jstream *s);
/* Continues an fd stream at byte off (with pread from then on), on line
 * `line`, which starts at byte line_off: for a reader that takes over from
 * another one that read up to off.  The window is dropped. */
void js_seek(jstream *s, uint64_t off, uint64_t line, uint64_t line_off);

/* The next byte that is not white space, not consumed; -1 at the end or on
 * error.  Inline when that byte is already in the window (the usual case). */
int js_peek_slow(jstream *s);
static inline int js_peek(jstream *s)
{
	if (s->p < s->end && (unsigned char)*s->p > ' ')
		return (unsigned char)*s->p;
	if (s->end - s->p > 1 && s->p[0] == ' ' && (unsigned char)s->p[1] > ' ' && !s->capturing)
		return (unsigned char)*++s->p; /* one space, as after ", " */
	return js_peek_slow(s);
}
/* Consumes the next non-blank byte when it is c (1), else records a syntax
 * error (0). */
int js_expect_slow(jstream *s, int c);
static inline int js_expect(jstream *s, int c)
{
	if (s->p < s->end && *s->p == c && c != '\n' && !s->capturing) { /* at once, as after a key */
		s->p++;
		return 1;
	}
	return js_expect_slow(s, c);
}
/* Consumes ',' (1) or the closing byte close (0); anything else: error (-1). */
int js_next_or_close_slow(jstream *s, int close);
static inline int js_next_or_close(jstream *s, int close)
{
	if (s->p < s->end && !s->capturing) { /* right after the value (the usual case) */
		if (*s->p == ',') {
			s->p++;
			return 1;
		}
		if (*s->p == close) {
			s->p++;
			return 0;
		}
	}
	return js_next_or_close_slow(s, close);
}
/* Reads and validates any value. */
int js_skip(jstream *s, int depth);
/* Reads a string (at a '"'), decoded into out (at most max-1 bytes kept,
 * NUL-terminated; *len the full decoded length).  Returns 1, or 0 on error. */
int js_string(jstream *s, char *out, size_t max, size_t *len);
/* Reads a number (cJSON's rules).  Returns 1, or 0 on error. */
int js_number(jstream *s, double *v);
/* Reads true/false/null: returns 1/0/2, or -1 on error. */
int js_literal(jstream *s);
/* The value of hex digit c (0-9, a-f, A-F), else -1: the one reader of a
 * \uXXXX escape's digits (here and the record parser's strings). */
int js_hexval(int c);
/* Records a syntax error at the current position (0). */
int js_fail(jstream *s, js_error e);

/* Keeps a copy of every byte read from now on (at most max: then cap_over). */
void js_capture_start(jstream *s, size_t max);
void js_capture_stop(jstream *s);

/* 1 when every byte after the value is space, \t, \n, \v, \f or \r (else a syntax error is
 * recorded at the first other byte). */
int js_at_end(jstream *s);

#endif
