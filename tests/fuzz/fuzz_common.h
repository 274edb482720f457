/* fuzz_common.h — helpers shared by the libFuzzer harnesses (tests/fuzz/).
 *
 * FZ_CHECK aborts with a message: libFuzzer records the input as a crash.
 * fz_check_clean is an oracle for sanitized text written independently of
 * analysis/sanitize.c (its own UTF-8 decoder and its own list of code points
 * that must never reach a terminal raw). */
#ifndef TS_FUZZ_COMMON_H
#define TS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(cond, ...)                                                    \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz check failed at %s:%d: %s: ",    \
			        __FILE__, __LINE__, #cond);                   \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

/* xorshift64*: deterministic choices derived from the input's first bytes */
typedef struct fz_rng { uint64_t s; } fz_rng;

static inline void fz_rng_seed(fz_rng *r, const uint8_t *d, size_t n)
{
	uint64_t s = 0x9E3779B97F4A7C15ull;
	for (size_t i = 0; i < n; i++)
		s = (s ^ d[i]) * 0x100000001B3ull;
	r->s = s ? s : 1;
}

static inline uint32_t fz_rng_next(fz_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 0x2545F4914F6CDD1Dull) >> 32);
}

/* Decodes one well-formed UTF-8 sequence; 0 if not well-formed. */
static inline int fz_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	int len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
	if (len == 0 || (size_t)len > n || s[0] > 0xF4)
		return 0;
	uint32_t v = s[0] & (0x7F >> len);
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* Code points that must never be written raw to a terminal. */
static inline int fz_forbidden_cp(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
	       cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x00AD;
}

/* Aborts unless s[0..n) is well-formed UTF-8 without forbidden code points. */
static inline void fz_check_clean(const char *what, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		int l = fz_utf8(u + i, n - i, &cp);
		FZ_CHECK(l > 0, "%s: ill-formed UTF-8 at byte %zu (0x%02x)", what, i, u[i]);
		FZ_CHECK(!fz_forbidden_cp(cp), "%s: raw U+%04X at byte %zu", what, (unsigned)cp, i);
		i += (size_t)l;
	}
}

#endif
