/* jscan.c — validating JSON pull scanner (see jscan.h). */
#include "jscan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

void jscan_init(jscan *j, const char *s, size_t n)
{
	j->p = s;
	j->end = s + n;
	j->depth = 0;
	j->err = 0;
	j->nul = 0;
}

static int fail(jscan *j)
{
	j->err = 1;
	return -1;
}

static inline void ws(jscan *j)
{
	if (j->p < j->end && (unsigned char)*j->p > ' ')
		return; /* compact JSON: the common case */
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

static int hex4(const char *p, unsigned *v)
{
	unsigned r = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		r <<= 4;
		if (c >= '0' && c <= '9')
			r |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			r |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			r |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*v = r;
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Bytes a string holds as they are: printable ASCII except '"' and '\\'. */
static const unsigned char plain[256] = {
#define R8(v) v, v, v, v, v, v, v, v
	R8(0), R8(0), R8(0), R8(0),                   /* 0x00-0x1f */
	1, 1, 0, 1, 1, 1, 1, 1, R8(1), R8(1), R8(1),   /* 0x20-0x3f: '"' is 0x22 */
	R8(1), R8(1), R8(1), 1, 1, 1, 1, 0, 1, 1, 1,   /* 0x40-0x5f: '\\' is 0x5c */
	R8(1), R8(1), R8(1), R8(1),                   /* 0x60-0x7f */
#undef R8
};

/* The high bit of each byte of w that ends a plain run, and perhaps of
 * bytes after the first such (a byte below 0x20, '"', '\\' or 0x80 and up;
 * borrows only carry upward, so the lowest flagged byte is exact). */
static inline uint64_t plain_stop(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
	return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b) | w) & highs;
}

/* The end of the run of plain bytes from p: a word at a time while 8 bytes
 * are left (a byte below 0x20, '"', '\\' or 0x80 and up ends it; on a
 * little-endian machine the word's lowest flagged byte is that end), then
 * byte by byte. */
static inline const char *plain_run(const char *p, const char *e)
{
	while (e - p >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		uint64_t stop = plain_stop(w);
		if (stop) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* the lowest flagged byte is the first stop (borrows only carry upward) */
			return p + (__builtin_ctzll(stop) >> 3);
#else
			break;
#endif
		}
		p += 8;
	}
	while (p < e && plain[(unsigned char)*p])
		p++;
	return p;
}

/* One escape at *pp (on its backslash) decoded into tmp (UTF-8, *tl bytes);
 * *pp moves past it.  A \\u escape of a lone surrogate is refused.
 * Returns 0, -1 malformed. */
static int scan_escape(const char **pp, const char *e, char tmp[4], size_t *tl)
{
	const char *p = *pp;
	if (e - p < 2)
		return -1;
	char x = p[1];
	p += 2;
	*tl = 1;
	switch (x) {
	case '"': tmp[0] = '"'; break;
	case '\\': tmp[0] = '\\'; break;
	case '/': tmp[0] = '/'; break;
	case 'b': tmp[0] = '\b'; break;
	case 'f': tmp[0] = '\f'; break;
	case 'n': tmp[0] = '\n'; break;
	case 'r': tmp[0] = '\r'; break;
	case 't': tmp[0] = '\t'; break;
	case 'u': {
		unsigned u;
		if (e - p < 4 || hex4(p, &u))
			return -1;
		p += 4;
		uint32_t cp = u;
		if (u >= 0xD800 && u <= 0xDBFF) {
			unsigned lo;
			if (e - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) || lo < 0xDC00 ||
			    lo > 0xDFFF)
				return -1;
			p += 6;
			cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
		} else if (u >= 0xDC00 && u <= 0xDFFF) {
			return -1;
		}
		*tl = put_utf8(tmp, cp);
		break;
	}
	default:
		return -1;
	}
	*pp = p;
	return 0;
}

/* One unit of a string that is not a plain byte, at *pp (its '"' and
 * control bytes are the caller's): an escape decoded, or one UTF-8
 * character copied, into dst (*tl bytes, at most 4); *pp moves past it and
 * a \u0000 sets j->nul.  Returns 0, -1 malformed. */
static int str_unit(jscan *j, const char **pp, const char *e, char *dst, size_t *tl)
{
	const char *p = *pp;
	if (*p == '\\') {
		if (scan_escape(pp, e, dst, tl))
			return -1;
		if (*tl == 1 && !dst[0])
			j->nul = 1;
		return 0;
	}
	uint32_t cp;
	int l = sanitize_utf8_decode((const unsigned char *)p, (size_t)(e - p), &cp);
	if (l <= 0)
		return -1;
	memcpy(dst, p, (size_t)l);
	*tl = (size_t)l;
	*pp = p + l;
	return 0;
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define JSCAN_ROOMY 1
/* The one-byte escapes (\" \\ \/ \b \f \n \r \t): the byte, 0 for others. */
static const unsigned char esc1[256] = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b',
	                                 ['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t' };

/* scan_str_slow when out holds at least the rest of the input (e - p
 * bytes): a string never decodes longer than it is written, so nothing
 * overflows, and plain bytes are stored a word at a time (a word stored
 * past a run's end is overwritten by what follows it). */
static int scan_str_roomy(jscan *j, char *out, size_t *n)
{
	const char *p = j->p + 1, *e = j->end;
	char *o = out;
	for (;;) {
		uint64_t w, stop = 0;
		while (e - p >= 8) {
			memcpy(&w, p, 8);
			memcpy(o, &w, 8); /* o + 8 <= out + (p + 8 - (j->p + 1)) */
			if ((stop = plain_stop(w)) != 0)
				break;
			p += 8;
			o += 8;
		}
		if (stop) {
			size_t m = (size_t)__builtin_ctzll(stop) >> 3;
			p += m;
			o += m;
		} else {
			while (p < e && plain[(unsigned char)*p])
				*o++ = *p++;
			if (p >= e)
				return fail(j);
		}
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(j);
		size_t tl = 0;
		if (c == '\\' && e - p >= 2 && esc1[(unsigned char)p[1]]) {
			*o++ = (char)esc1[(unsigned char)p[1]];
			p += 2;
			continue;
		} else if (str_unit(j, &p, e, o, &tl)) {
			return fail(j);
		}
		o += tl;
	}
	j->p = p + 1;
	if (n)
		*n = (size_t)(o - out);
	return 0;
}
#endif

/* scan_str past its first run of plain bytes (escapes, UTF-8, errors). */
static int scan_str_slow(jscan *j, char *out, size_t cap, size_t *n)
{
	const char *p = j->p + 1, *e = j->end;
#ifdef JSCAN_ROOMY
	if (out && cap >= (size_t)(e - p))
		return scan_str_roomy(j, out, n);
#endif
	size_t k = 0;
	int over = 0;
	for (;;) {
		/* fast path: plain ASCII, 8 bytes at a time */
		const char *q = plain_run(p, e);
		if (out && !over) {
			size_t m = (size_t)(q - p);
			if (m > cap - k)
				over = 1;
			else {
				memcpy(out + k, p, m);
				k += m;
			}
		} else {
			k += (size_t)(q - p);
		}
		p = q;
		if (p >= e)
			return fail(j);
		unsigned char c = (unsigned char)*p;
		char tmp[4];
		size_t tl = 0;
		if (c == '"') {
			p++;
			break;
		} else if (c < 0x20) {
			return fail(j);
		} else if (str_unit(j, &p, e, tmp, &tl)) {
			return fail(j);
		}
		if (out && !over) {
			if (tl > cap - k)
				over = 1;
			else
				memcpy(out + k, tmp, tl);
		}
		k += tl;
	}
	j->p = p;
	if (n)
		*n = k;
	return over ? -2 : 0;
}

/* Scans a string at j->p (on its opening quote).  out may be NULL (validate
 * only).  Returns 0, -1 syntax error, -2 did not fit.  Inline: printable
 * ASCII without escapes (keys, most values) ends here. */
static inline int scan_str(jscan *j, char *out, size_t cap, size_t *n)
{
	const char *p = j->p + 1, *e = j->end;
	const char *q = plain_run(p, e);
	if (q >= e || *q != '"')
		return scan_str_slow(j, out, cap, n);
	size_t m = (size_t)(q - p);
	int over = out && m > cap;
	if (out && !over)
		memcpy(out, p, m);
	j->p = q + 1;
	if (n)
		*n = m;
	return over ? -2 : 0;
}

static int scan_num(jscan *j)
{
	const char *p = j->p, *e = j->end;
	if (p < e && *p == '-')
		p++;
	if (p >= e)
		return fail(j);
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	else
		return fail(j);
	if (p < e && *p == '.') {
		p++;
		if (p >= e || *p < '0' || *p > '9')
			return fail(j);
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || *p < '0' || *p > '9')
			return fail(j);
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	j->p = p;
	return 0;
}

static int lit(jscan *j, const char *w, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return fail(j);
	j->p += n;
	return 0;
}

int jscan_obj_begin(jscan *j)
{
	if (jscan_peek(j) != JSCAN_OBJ || j->depth >= JSCAN_MAX_DEPTH)
		return fail(j);
	j->p++;
	j->depth++;
	j->first[j->depth] = 1;
	return 0;
}

/* 1: a member follows (key returned, ':' consumed); 0: '}' consumed. */
int jscan_obj_next(jscan *j, const char **key, size_t *klen)
{
	if (j->err)
		return -1;
	ws(j);
	if (j->p >= j->end)
		return fail(j);
	if (*j->p == '}') {
		j->p++;
		j->depth--;
		return 0;
	}
	if (j->first[j->depth]) {
		j->first[j->depth] = 0;
	} else {
		if (*j->p != ',')
			return fail(j);
		j->p++;
		ws(j);
	}
	if (j->p >= j->end || *j->p != '"')
		return fail(j);
	const char *k0 = j->p + 1;
	if (scan_str(j, NULL, 0, NULL))
		return -1;
	*key = k0;
	*klen = (size_t)(j->p - 1 - k0);
	ws(j);
	if (j->p >= j->end || *j->p != ':')
		return fail(j);
	j->p++;
	return 1;
}

int jscan_arr_begin(jscan *j)
{
	if (jscan_peek(j) != JSCAN_ARR || j->depth >= JSCAN_MAX_DEPTH)
		return fail(j);
	j->p++;
	j->depth++;
	j->first[j->depth] = 1;
	return 0;
}

int jscan_arr_next(jscan *j)
{
	if (j->err)
		return -1;
	ws(j);
	if (j->p >= j->end)
		return fail(j);
	if (*j->p == ']') {
		j->p++;
		j->depth--;
		return 0;
	}
	if (j->first[j->depth]) {
		j->first[j->depth] = 0;
		return 1;
	}
	if (*j->p != ',')
		return fail(j);
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == ']')
		return fail(j); /* trailing comma */
	return 1;
}

int jscan_skip(jscan *j, const char **s, size_t *n)
{
	jscan_type t = jscan_peek(j);
	const char *start = j->p;
	const char *k;
	size_t kl;
	int r;
	switch (t) {
	case JSCAN_OBJ:
		if (jscan_obj_begin(j))
			return -1;
		while ((r = jscan_obj_next(j, &k, &kl)) == 1)
			if (jscan_skip(j, NULL, NULL))
				return -1;
		if (r < 0)
			return -1;
		break;
	case JSCAN_ARR:
		if (jscan_arr_begin(j))
			return -1;
		while ((r = jscan_arr_next(j)) == 1)
			if (jscan_skip(j, NULL, NULL))
				return -1;
		if (r < 0)
			return -1;
		break;
	case JSCAN_STR:
		if (scan_str(j, NULL, 0, NULL))
			return -1;
		break;
	case JSCAN_NUM:
		if (scan_num(j))
			return -1;
		break;
	case JSCAN_TRUE:
		if (lit(j, "true", 4))
			return -1;
		break;
	case JSCAN_FALSE:
		if (lit(j, "false", 5))
			return -1;
		break;
	case JSCAN_NULL:
		if (lit(j, "null", 4))
			return -1;
		break;
	default:
		return fail(j);
	}
	if (s) {
		*s = start;
		*n = (size_t)(j->p - start);
	}
	return 0;
}

int jscan_str(jscan *j, char *out, size_t cap, size_t *n)
{
	if (jscan_peek(j) != JSCAN_STR)
		return fail(j);
	return scan_str(j, out, cap, n);
}

int jscan_small_uint(jscan *j, unsigned *v)
{
	if (j->err)
		return -1;
	ws(j);
	const char *p = j->p, *e = j->end;
	unsigned r = 0;
	int n = 0;
	while (p < e && *p >= '0' && *p <= '9' && n < 4) {
		r = r * 10 + (unsigned)(*p - '0');
		p++;
		n++;
	}
	/* no sign, fraction, exponent or leading zero ("007") */
	if (!n || n == 4 || (n > 1 && j->p[0] == '0') ||
	    (p < e && (*p == '.' || *p == 'e' || *p == 'E')))
		return fail(j);
	j->p = p;
	*v = r;
	return 0;
}

/* Clinger's fast path for a number already checked by scan_num: a mantissa
 * below 2^53 and a power of ten up to 22 are both exact doubles, so one
 * multiplication or division is correctly rounded — strtod's result, bit for
 * bit.  0 when the number is outside it (then strtod). */
static int fast_double(const char *s, size_t n, double *v)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	const char *p = s, *end = s + n;
	int neg = *p == '-', digits = 0, exp = 0;
	uint64_t m = 0;
	p += neg;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		if (m || *p != '0')
			m = m * 10 + (uint64_t)(*p - '0'), digits++;
	if (p < end && *p == '.')
		for (p++; p < end && *p >= '0' && *p <= '9'; p++, exp--)
			if (m || *p != '0')
				m = m * 10 + (uint64_t)(*p - '0'), digits++;
	if (p < end) { /* exponent: e, E, sign, digits */
		p++;
		int eneg = p < end && *p == '-', e = 0;
		p += p < end && (*p == '-' || *p == '+');
		for (; p < end; p++)
			if ((e = e * 10 + (*p - '0')) > 1000)
				return 0;
		exp += eneg ? -e : e;
	}
	if (digits > 15 || exp < -22 || exp > 22 || m > (1ull << 53))
		return 0;
	double d = (double)m;
	d = exp < 0 ? d / p10[-exp] : d * p10[exp];
	*v = neg ? -d : d;
	return 1;
}

int jscan_fast_double(const char *s, size_t n, double *v)
{
	return n > 0 && (*s == '-' || *s == '.' || (*s >= '0' && *s <= '9')) && fast_double(s, n, v);
}

/* The common number in one pass: [-] (0 | [1-9] D*) [. D+], at most 15
 * digits, no exponent, read and checked at once; its value m / 10^f is
 * Clinger's exact case (as fast_double), so strtod's bit for bit.  0 for
 * anything else (nothing moved): scan_num + fast_double/strtod. */
static inline int num_simple(jscan *j, double *v)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		                      1e12, 1e13, 1e14, 1e15 };
	const char *p = j->p, *e = j->end;
	int neg = *p == '-', nd = 0, fd = 0;
	uint64_t m = 0;
	p += neg;
	if (p >= e || *p < '0' || *p > '9')
		return 0;
	if (*p == '0')
		p++;
	else
		for (; p < e && *p >= '0' && *p <= '9' && nd < 16; p++, nd++)
			m = m * 10 + (uint64_t)(*p - '0');
	if (p < e && *p == '.') {
		p++;
		if (p >= e || *p < '0' || *p > '9')
			return 0;
		for (; p < e && *p >= '0' && *p <= '9' && nd < 16; p++, nd++, fd++)
			m = m * 10 + (uint64_t)(*p - '0');
	}
	if (nd > 15 || (p < e && ((*p >= '0' && *p <= '9') || *p == 'e' || *p == 'E' || *p == '.')))
		return 0;
	double d = (double)m / p10[fd];
	*v = neg ? -d : d;
	j->p = p;
	return 1;
}

int jscan_num(jscan *j, double *v)
{
	if (jscan_peek(j) != JSCAN_NUM)
		return fail(j);
	if (num_simple(j, v))
		return 0;
	const char *s = j->p;
	if (scan_num(j))
		return -1;
	size_t n = (size_t)(j->p - s);
	if (fast_double(s, n, v))
		return 0;
	char tmp[64];
	if (n >= sizeof tmp)
		return fail(j);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*v = strtod(tmp, NULL);
	return 0;
}

int jscan_end(jscan *j)
{
	if (j->err)
		return 0;
	ws(j);
	return j->p == j->end;
}
