/* tbuf.c — a growable text buffer (see tbuf.h). */
#include <stdlib.h>
#include <string.h>

#include "tbuf.h"

void tbuf_put(tbuf *b, const char *s, size_t n)
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

void tbuf_puts(tbuf *b, const char *s)
{
	tbuf_put(b, s, strlen(s));
}

void tbuf_clear(tbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void tbuf_fail(tbuf *b)
{
	b->failed = 1;
}

char *tbuf_take(tbuf *b, size_t *len)
{
	if (!b->p)
		tbuf_put(b, "", 0); /* nothing appended: an empty text, not NULL */
	char *p = b->failed ? NULL : b->p;
	if (b->failed)
		free(b->p);
	if (len)
		*len = p ? b->len : 0;
	*b = (tbuf)TBUF_INIT;
	return p;
}

void tbuf_free(tbuf *b)
{
	free(b->p);
	*b = (tbuf)TBUF_INIT;
}
