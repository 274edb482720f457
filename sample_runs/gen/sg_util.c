/* sg_util.c — PRNG, buffer, JSON writers and atomic files for tailscope-simgen. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "simgen.h"

/* ---- PRNG ---- */

uint64_t simgen_hash64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void simgen_rng_seed(simgen_rng *r, uint64_t seed, uint64_t k1, uint64_t k2)
{
	r->s = simgen_hash64(simgen_hash64(simgen_hash64(seed) ^ k1) ^ (k2 * 0x2545f4914f6cdd1dULL));
}

uint64_t simgen_rng_next(simgen_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	uint64_t z = r->s;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double simgen_rng_unif(simgen_rng *r)
{
	return (double)(simgen_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double simgen_rng_range(simgen_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * simgen_rng_unif(r);
}

long simgen_rng_int(simgen_rng *r, long lo, long hi)
{
	if (hi <= lo)
		return lo;
	uint64_t span = (uint64_t)(hi - lo) + 1;
	return lo + (long)(simgen_rng_next(r) % span);
}

double simgen_rng_normal(simgen_rng *r)
{
	double s = 0;
	for (int i = 0; i < 12; i++)
		s += simgen_rng_unif(r);
	return s - 6.0;
}

/* ---- buffer ---- */

void simgen_buf_free(simgen_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static int ut_reserve(simgen_buf *b, size_t extra)
{
	if (b->oom)
		return 0;
	if (b->len + extra + 1 <= b->cap)
		return 1;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1) {
		if (cap > SIZE_MAX / 2) {
			b->oom = 1;
			return 0;
		}
		cap *= 2;
	}
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return 0;
	}
	b->p = p;
	b->cap = cap;
	return 1;
}

void simgen_buf_put(simgen_buf *b, const void *p, size_t n)
{
	if (!ut_reserve(b, n))
		return;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void simgen_buf_puts(simgen_buf *b, const char *s)
{
	simgen_buf_put(b, s, strlen(s));
}

void simgen_buf_putc(simgen_buf *b, char c)
{
	simgen_buf_put(b, &c, 1);
}

void simgen_buf_printf(simgen_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !ut_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Decodes one well-formed UTF-8 sequence; returns its length or 0. */
static int ut_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	int len;
	uint32_t v, min;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2; v = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3; v = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4; v = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

int simgen_utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		int l = ut_utf8(u + i, n - i, &cp);
		if (!l)
			return 0;
		i += (size_t)l;
	}
	return 1;
}

static int ut_escape_cp(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c ||
	       cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0xfeff;
}

void simgen_buf_json_str(simgen_buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	simgen_buf_putc(b, '"');
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		int l = ut_utf8(u + i, n - i, &cp);
		if (!l) {
			simgen_buf_puts(b, "\\ufffd");
			i++;
			continue;
		}
		if (cp == '"') {
			simgen_buf_puts(b, "\\\"");
		} else if (cp == '\\') {
			simgen_buf_puts(b, "\\\\");
		} else if (cp == '\n') {
			simgen_buf_puts(b, "\\n");
		} else if (cp == '\r') {
			simgen_buf_puts(b, "\\r");
		} else if (cp == '\t') {
			simgen_buf_puts(b, "\\t");
		} else if (ut_escape_cp(cp)) {
			simgen_buf_printf(b, "\\u%04x", (unsigned)cp);
		} else {
			simgen_buf_put(b, u + i, (size_t)l);
		}
		i += (size_t)l;
	}
	simgen_buf_putc(b, '"');
}

void simgen_buf_fixed(simgen_buf *b, double v, int dec)
{
	long long scale = 1;
	for (int i = 0; i < dec; i++)
		scale *= 10;
	long long q = llround(v * (double)scale);
	if (q < 0) {
		simgen_buf_putc(b, '-');
		q = -q;
	}
	long long ip = q / scale, fp = q % scale;
	simgen_buf_printf(b, "%lld.", ip);
	char digs[24];
	int nd = 0;
	for (int i = 0; i < dec; i++) {
		scale /= 10;
		digs[nd++] = (char)('0' + (fp / scale) % 10);
	}
	while (nd > 1 && digs[nd - 1] == '0')
		nd--;
	if (nd == 0)
		digs[nd++] = '0';
	simgen_buf_put(b, digs, (size_t)nd);
}

void simgen_buf_logprob(simgen_buf *b, double lp)
{
	double a = fabs(lp);
	int dec = a < 0.99995 ? 4 : a < 9.9995 ? 3 : a < 99.995 ? 2 : 1;
	simgen_buf_fixed(b, lp, dec);
}

/* ---- files ---- */

ts_status simgen_mkdirs(const char *path, ts_error *err)
{
	size_t n = strlen(path);
	char *p = malloc(n + 1);
	if (!p)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	memcpy(p, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char c = p[i];
		p[i] = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			ts_status st = ts_error_set(err, TS_ERR_IO, "%s: mkdir: %s", p, strerror(errno));
			free(p);
			return st;
		}
		p[i] = c;
	}
	struct stat st;
	int ok = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	if (!ok)
		return ts_error_set(err, TS_ERR_IO, "%s: not a directory", path);
	return TS_OK;
}

ts_status simgen_write_file(const char *path, const void *data, size_t len, ts_error *err)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);
	if (!tmp)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	snprintf(tmp, n + 16, "%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (!f) {
		ts_status st = ts_error_set(err, TS_ERR_IO, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return st;
	}
	int ok = fwrite(data, 1, len, f) == len;
	ok = (fflush(f) == 0) && ok;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		ts_status st = ts_error_set(err, TS_ERR_IO, "%s: write failed: %s", path, strerror(errno));
		remove(tmp);
		free(tmp);
		return st;
	}
	free(tmp);
	return TS_OK;
}
