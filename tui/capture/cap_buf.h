/* cap_buf.h — growable byte buffer with a hard cap, and the JSON writers the
 * capture module uses to build request bodies and trace lines without a
 * cJSON tree (one pass, no allocation per token). */
#ifndef TS_CAP_BUF_H
#define TS_CAP_BUF_H

#include <stddef.h>

typedef struct cap_buf {
	char *p;
	size_t len, cap;
	size_t max;   /* hard cap on len (0 = none); an append past it fails */
	int over;     /* sticky: an append failed (cap reached or out of memory) */
} cap_buf;

void cap_buf_init(cap_buf *b, size_t max);
void cap_buf_free(cap_buf *b);
void cap_buf_reset(cap_buf *b); /* len = 0, over = 0; keeps the memory */
/* Each returns 0, or -1 (and sets over) when the cap is reached or memory
 * runs out; nothing is appended then. */
int cap_buf_add(cap_buf *b, const void *s, size_t n);
int cap_buf_puts(cap_buf *b, const char *s);
int cap_buf_printf(cap_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Makes room for n more bytes and returns where they go (the caller writes
 * them and adds n to len), or NULL (over set). */
char *cap_buf_reserve(cap_buf *b, size_t n);
/* NUL after the bytes (not counted in len). */
int cap_buf_terminate(cap_buf *b);

/* A JSON string literal with quotes.  Well-formed UTF-8 is copied; ", \ and
 * control characters are escaped; a byte that is not part of well-formed
 * UTF-8 becomes \ufffd (so the output is always valid JSON text). */
int cap_json_str(cap_buf *b, const char *s, size_t n);
/* A finite double as the shortest of %.15g/%.16g/%.17g that reads back
 * exactly; NaN and infinities as null. */
int cap_json_num(cap_buf *b, double v);

#endif
