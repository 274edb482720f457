/* tbuf.h — a growable text buffer (pure C): bytes appended, always
 * NUL-terminated, and a failed allocation that sticks, so a writer appends
 * without checking each call and asks once at the end.  One owner of the
 * buffer the CSV writers (export.c's lines, the debugger's marks) build
 * their text in. */
#ifndef TS_TBUF_H
#define TS_TBUF_H

#include <stddef.h>

typedef struct tbuf {
	char *p;        /* NULL until the first byte; then p[len] == '\0' */
	size_t len, cap;
	int failed;     /* an allocation failed: later appends do nothing */
} tbuf;

#define TBUF_INIT { NULL, 0, 0, 0 }

/* Appends s[0..n) (capacity doubles from 256 bytes). */
void tbuf_put(tbuf *b, const char *s, size_t n);
/* Appends the C string s. */
void tbuf_puts(tbuf *b, const char *s);
/* Empties the text, keeping the memory (and a failure). */
void tbuf_clear(tbuf *b);
/* Marks the buffer failed (a writer's own allocation failed). */
void tbuf_fail(tbuf *b);
/* The text (malloc'd, the caller frees it) and its length; NULL when an
 * append failed (the buffer is freed then).  The buffer is left empty. */
char *tbuf_take(tbuf *b, size_t *len);
void tbuf_free(tbuf *b);

#endif
