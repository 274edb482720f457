/* cap_buf.c — bounded byte buffer and JSON writers (see cap_buf.h). */
#include "cap_buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

void cap_buf_init(cap_buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

void cap_buf_free(cap_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void cap_buf_reset(cap_buf *b)
{
	b->len = 0;
	b->over = 0;
}

static int grow(cap_buf *b, size_t n)
{
	if (b->over)
		return -1;
	if (n > (size_t)-1 / 2 - b->len - 1 || (b->max && b->len + n > b->max)) {
		b->over = 1;
		return -1;
	}
	size_t need = b->len + n + 1; /* room for a NUL */
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->over = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

int cap_buf_add(cap_buf *b, const void *s, size_t n)
{
	if (grow(b, n))
		return -1;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

char *cap_buf_reserve(cap_buf *b, size_t n)
{
	return grow(b, n) ? NULL : b->p + b->len;
}

int cap_buf_puts(cap_buf *b, const char *s)
{
	return cap_buf_add(b, s, strlen(s));
}

int cap_buf_printf(cap_buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof tmp)
		return cap_buf_add(b, tmp, (size_t)n);
	if (grow(b, (size_t)n))
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int cap_buf_terminate(cap_buf *b)
{
	if (grow(b, 0))
		return -1;
	b->p[b->len] = '\0';
	return 0;
}

int cap_json_str(cap_buf *b, const char *s, size_t n)
{
	/* worst case 6 output bytes per input byte, plus quotes */
	if (n > ((size_t)-1 - 2) / 6 || grow(b, n * 6 + 2))
		return -1;
	char *o = b->p + b->len;
	*o++ = '"';
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned char c = u[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			*o++ = (char)c;
			i++;
			continue;
		}
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			static const char hex[] = "0123456789abcdef";
			switch (c) {
			case '\n': *o++ = '\\'; *o++ = 'n'; break;
			case '\t': *o++ = '\\'; *o++ = 't'; break;
			case '\r': *o++ = '\\'; *o++ = 'r'; break;
			default:
				memcpy(o, "\\u00", 4);
				o += 4;
				*o++ = hex[c >> 4];
				*o++ = hex[c & 15];
			}
			i++;
			continue;
		}
		uint32_t cp;
		int k = sanitize_utf8_decode(u + i, n - i, &cp);
		if (k > 0) {
			memcpy(o, u + i, (size_t)k);
			o += k;
			i += (size_t)k;
		} else {
			memcpy(o, "\\ufffd", 6);
			o += 6;
			i++;
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->p);
	return 0;
}

int cap_json_num(cap_buf *b, double v)
{
	if (!isfinite(v))
		return cap_buf_add(b, "null", 4);
	char tmp[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (prec == 17 || strtod(tmp, NULL) == v)
			break;
	}
	/* %g never prints a locale decimal comma here: capture runs under the
	 * C numeric locale (setlocale(LC_ALL, "") leaves LC_NUMERIC alone only
	 * if the caller resets it; cmd_capture does) */
	return cap_buf_puts(b, tmp);
}
