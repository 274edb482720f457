/* fuzz_sanitize — sanitize() on arbitrary bytes.
 *
 * Input: byte 0 picks the column cap (0 = none), byte 1 the output buffer
 * size, the rest is the untrusted string.  Oracles:
 *   - the output is well-formed UTF-8 with no control, C1, bidi or
 *     zero-width code point (fz_check_clean, an independent decoder);
 *   - the return value is the output's strlen and fits the buffer;
 *   - its width (sanitize_width) respects the cap;
 *   - undoing the escapes gives back the input exactly, or, when the output
 *     was cut (ends in "…"), a prefix of it: the rendering is unambiguous;
 *   - sanitize_dup gives the same text as sanitize into a big buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "sanitize.h"

static size_t put_utf8(uint32_t cp, unsigned char *o)
{
	if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
	if (cp < 0x800) { o[0] = (unsigned char)(0xC0 | cp >> 6); o[1] = (unsigned char)(0x80 | (cp & 0x3F)); return 2; }
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12); o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F)); return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18); o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Undoes sanitize's escapes; aborts on a backslash that starts no escape. */
static size_t unescape(const char *s, size_t n, unsigned char *o)
{
	size_t j = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] != '\\') {
			o[j++] = (unsigned char)s[i++];
			continue;
		}
		FZ_CHECK(i + 1 < n, "dangling backslash at the end");
		char e = s[i + 1];
		if (e == '\\' || e == 't' || e == 'n' || e == 'r') {
			o[j++] = e == '\\' ? '\\' : e == 't' ? '\t' : e == 'n' ? '\n' : '\r';
			i += 2;
		} else if (e == 'x') {
			FZ_CHECK(i + 3 < n && hexv(s[i + 2]) >= 0 && hexv(s[i + 3]) >= 0, "bad \\x escape");
			o[j++] = (unsigned char)(hexv(s[i + 2]) * 16 + hexv(s[i + 3]));
			i += 4;
		} else {
			FZ_CHECK(e == 'u' && i + 2 < n && s[i + 2] == '{', "unknown escape \\%c", e);
			uint32_t cp = 0;
			size_t k = i + 3;
			while (k < n && s[k] != '}') {
				FZ_CHECK(hexv(s[k]) >= 0 && k - i < 12, "bad \\u{} escape");
				cp = cp * 16 + (uint32_t)hexv(s[k]);
				k++;
			}
			FZ_CHECK(k < n, "unterminated \\u{");
			j += put_utf8(cp, o + j);
			i = k + 1;
		}
	}
	return j;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t max_cols = data[0] < 128 ? 0 : (size_t)(data[0] - 128);
	size_t outsz = data[1] == 255 ? size * 5 + 16 : (size_t)data[1] + 1;
	const char *in = (const char *)data + 2;
	size_t len = size - 2;

	char *out = malloc(outsz);
	FZ_CHECK(out, "oom");
	size_t n = sanitize(in, len, out, outsz, max_cols);
	FZ_CHECK(n < outsz && out[n] == '\0' && strlen(out) == n, "length %zu, buffer %zu", n, outsz);
	fz_check_clean("sanitize", out, n);
	if (max_cols)
		FZ_CHECK(sanitize_width(out, n) <= max_cols, "width %zu > cap %zu",
		         sanitize_width(out, n), max_cols);

	unsigned char *back = malloc(n + 1);
	FZ_CHECK(back, "oom");
	size_t bn = unescape(out, n, back);
	if (bn != len || memcmp(back, in, len) != 0) {
		/* must have been cut: "…" at the end, the rest a prefix of the input;
		 * a buffer too small for "…" (outsz < 4) gives "" */
		int ell = n >= 3 && memcmp(out + n - 3, "\xE2\x80\xA6", 3) == 0;
		FZ_CHECK(ell || (n == 0 && outsz < 4), "output differs from input but is not cut");
		bn = unescape(out, ell ? n - 3 : 0, back);
		FZ_CHECK(bn <= len && memcmp(back, in, bn) == 0, "cut output is not a prefix of the input");
	}
	free(back);

	char *d = sanitize_dup(in, len, max_cols);
	FZ_CHECK(d, "sanitize_dup failed");
	if (outsz >= len * 5 + 8)
		FZ_CHECK(strcmp(d, out) == 0, "sanitize_dup differs from sanitize");
	fz_check_clean("sanitize_dup", d, strlen(d));
	free(d);
	free(out);
	return 0;
}
