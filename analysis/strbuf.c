/* strbuf.c — a growable text buffer (see strbuf.h). */
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void strbuf_put(strbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (n >= (size_t)-1 / 2 - b->len) {
		b->failed = 1;
		return;
	}
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
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void strbuf_puts(strbuf *b, const char *s)
{
	strbuf_put(b, s, strlen(s));
}

void strbuf_clear(strbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void strbuf_fail(strbuf *b)
{
	b->failed = 1;
}

char *strbuf_take(strbuf *b, size_t *len)
{
	if (!b->p)
		strbuf_put(b, "", 0); /* nothing appended: an empty text, not NULL */
	char *p = b->failed ? NULL : b->p;
	if (b->failed)
		free(b->p);
	if (len)
		*len = p ? b->len : 0;
	*b = (strbuf)STRBUF_INIT;
	return p;
}

void strbuf_free(strbuf *b)
{
	free(b->p);
	*b = (strbuf)STRBUF_INIT;
}
