/* strbuf.h — a growable text buffer (pure C): bytes appended, always
 * NUL-terminated, and a failed allocation that sticks, so a writer appends
 * without checking each call and asks once at the end.  One owner of the
 * buffer the CSV writers (export.c's lines, the debugger's marks) build
 * their text in. */
#ifndef TS_STRBUF_H
#define TS_STRBUF_H

#include <stddef.h>

typedef struct strbuf {
	char *p;        /* NULL until the first byte; then p[len] == '\0' */
	size_t len, cap;
	int failed;     /* an allocation failed: later appends do nothing */
} strbuf;

#define STRBUF_INIT { NULL, 0, 0, 0 }

/* Appends s[0..n) (capacity doubles from 256 bytes). */
void strbuf_put(strbuf *b, const char *s, size_t n);
/* Appends the C string s. */
void strbuf_puts(strbuf *b, const char *s);
/* Empties the text, keeping the memory (and a failure). */
void strbuf_clear(strbuf *b);
/* Marks the buffer failed (a writer's own allocation failed). */
void strbuf_fail(strbuf *b);
/* The text (malloc'd, the caller frees it) and its length; NULL when an
 * append failed (the buffer is freed then).  The buffer is left empty. */
char *strbuf_take(strbuf *b, size_t *len);
void strbuf_free(strbuf *b);

#endif
