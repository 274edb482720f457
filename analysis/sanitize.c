/* sanitize.c — untrusted bytes to printable, unambiguous UTF-8. See sanitize.h. */
#include "sanitize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sanitize_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	if (len == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	int n;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2; v = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3; v = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4; v = c & 0x07; min = 0x10000;
	} else {
		return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
	}
	if (len < (size_t)n)
		return 0;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

/* Code points shown as \u{...}: C1, bidi, zero-width/format, separators. */
static int must_escape_cp(uint32_t cp)
{
	if (cp >= 0x80 && cp <= 0x9F)
		return 1;
	switch (cp) {
	case 0x00AD: case 0x061C: case 0x180E:
	case 0x200B: case 0x200C: case 0x200D: case 0x200E: case 0x200F:
	case 0x2028: case 0x2029:
	case 0xFEFF: case 0xFFFE: case 0xFFFF:
		return 1;
	default:
		break;
	}
	if (cp >= 0x202A && cp <= 0x202E)
		return 1;
	if (cp >= 0x2060 && cp <= 0x206F) /* word joiner, invisible ops, bidi isolates, deprecated format */
		return 1;
	if (cp >= 0xFFF9 && cp <= 0xFFFB) /* interlinear annotation controls */
		return 1;
	if (cp >= 0xE0000 && cp <= 0xE007F) /* tag characters */
		return 1;
	return 0;
}

int sanitize_cp_width(uint32_t cp)
{
	/* combining marks and other zero-width code points (approximation of wcwidth) */
	if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x0483 && cp <= 0x0489) ||
	    (cp >= 0x0591 && cp <= 0x05BD) || (cp >= 0x0610 && cp <= 0x061A) ||
	    (cp >= 0x064B && cp <= 0x065F) || (cp >= 0x0E31 && cp <= 0x0E3A && cp != 0x0E32 && cp != 0x0E33) ||
	    (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
	    (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
	    (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0x0900 && cp <= 0x0902) ||
	    (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0100 && cp <= 0xE01EF))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115F) || cp == 0x2329 || cp == 0x232A ||
	    (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0x33FF) ||
	    (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
	    (cp >= 0xA000 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
	    (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
	    (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) ||
	    (cp >= 0x1F300 && cp <= 0x1F64F) || (cp >= 0x1F900 && cp <= 0x1F9FF) ||
	    (cp >= 0x1FA70 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD))
		return 2;
	return 1;
}

/* Renders one unit (a character or an escape) starting at s[0..len):
 * its bytes go to *u (pointing into s or into esc), returns input bytes used. */
static size_t next_unit(const unsigned char *s, size_t len, char esc[16],
                        const char **u, size_t *ulen, size_t *ucols)
{
	uint32_t cp;
	int n = sanitize_utf8_decode(s, len, &cp);
	if (n == 0) {
		snprintf(esc, 16, "\\x%02x", s[0]);
		*u = esc;
		*ulen = *ucols = 4;
		return 1;
	}
	if (cp < 0x20 || cp == 0x7F) {
		if (cp == '\t')
			*u = "\\t";
		else if (cp == '\n')
			*u = "\\n";
		else if (cp == '\r')
			*u = "\\r";
		else {
			snprintf(esc, 16, "\\x%02x", (unsigned)cp);
			*u = esc;
		}
		*ulen = *ucols = strlen(*u);
	} else if (cp == '\\') {
		*u = "\\\\";
		*ulen = *ucols = 2;
	} else if (must_escape_cp(cp)) {
		snprintf(esc, 16, "\\u{%04X}", (unsigned)cp);
		*u = esc;
		*ulen = *ucols = strlen(esc);
	} else {
		*u = (const char *)s;
		*ulen = (size_t)n;
		*ucols = (size_t)sanitize_cp_width(cp);
	}
	return (size_t)n;
}

size_t sanitize(const char *in, size_t len, char *out, size_t outsz, size_t max_cols)
{
	static const char ell[] = "\xE2\x80\xA6"; /* "…": 3 bytes, 1 column */
	if (outsz == 0)
		return 0;
	const unsigned char *s = (const unsigned char *)in;
	size_t olen = 0, cols = 0, i = 0;
	size_t mark = 0; /* longest output after which "…" still fits */
	char esc[16];
	while (i < len) {
		const char *u;
		size_t ulen, ucols;
		size_t used = next_unit(s + i, len - i, esc, &u, &ulen, &ucols);
		if (olen + ulen + 1 > outsz || (max_cols && cols + ucols > max_cols)) {
			olen = mark;
			if (olen + sizeof ell <= outsz) {
				memcpy(out + olen, ell, 3);
				olen += 3;
			}
			break;
		}
		memcpy(out + olen, u, ulen);
		olen += ulen;
		cols += ucols;
		i += used;
		if (olen + sizeof ell <= outsz && (!max_cols || cols + 1 <= max_cols))
			mark = olen;
	}
	out[olen] = '\0';
	return olen;
}

char *sanitize_dup(const char *in, size_t len, size_t max_cols)
{
	/* Worst case: every byte becomes "\xHH" (4 bytes); code points become at
	 * most "\u{10FFFF}" (10 bytes) from 2–4 bytes of input. */
	size_t cap = len * 5 + 8;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	sanitize(in, len, out, cap, max_cols);
	return out;
}

const char *sanitize_cstr(const char *in, char *out, size_t outsz, size_t max_cols)
{
	if (!in)
		in = "";
	sanitize(in, strlen(in), out, outsz, max_cols);
	return out;
}

size_t sanitize_width(const char *s, size_t len)
{
	size_t w = 0, i = 0;
	while (i < len) {
		uint32_t cp;
		int n = sanitize_utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (n == 0) {
			w += 1;
			i += 1;
		} else {
			w += (size_t)sanitize_cp_width(cp);
			i += (size_t)n;
		}
	}
	return w;
}

/* ASCII look-alikes of the glyphs the interface draws (sanitize.h). */
static const char *ascii_lookalike(uint32_t cp)
{
	switch (cp) {
	case 0x2502: case 0x2503: case 0x2551: case 0x2506: case 0x250A: case 0x258F: case 0x2595:
		return "|";
	case 0x2500: case 0x2501: case 0x2550: case 0x2504: case 0x2508: case 0x2013:
		return "-";
	case 0x250C: case 0x2510: case 0x2514: case 0x2518: case 0x251C: case 0x2524:
	case 0x252C: case 0x2534: case 0x253C:
		return "+";
	case 0x2014: return "--";
	case 0x2026: return "...";
	case 0x00D7: return "x";
	case 0x00B7: case 0x2022: return ".";
	case 0x25B8: case 0x25B6: case 0x25BA: return ">";
	case 0x25C2: case 0x25C0: case 0x25C4: return "<";
	case 0x25CF: case 0x25A0: return "*";
	case 0x2192: return "->";
	case 0x2190: return "<-";
	case 0x2191: return "^";
	case 0x2193: return "v";
	case 0x2260: return "!=";
	case 0x2264: return "<=";
	case 0x2265: return ">=";
	case 0x2248: return "~";
	case 0x2205: return "0";
	case 0x2702: return "%";
	case 0x2581: return "_";
	case 0x2582: return ".";
	case 0x2583: return ",";
	case 0x2584: return "-";
	case 0x2585: return "~";
	case 0x2586: return "=";
	case 0x2587: return "*";
	case 0x2588: case 0x2590: case 0x258C: return "#";
	default: return NULL;
	}
}

size_t sanitize_ascii(const char *safe, size_t len, char *out, size_t outsz)
{
	size_t o = 0, i = 0;
	if (outsz == 0)
		return 0;
	while (i < len) {
		char esc[16];
		const char *rep;
		uint32_t cp;
		int n = sanitize_utf8_decode((const unsigned char *)safe + i, len - i, &cp);
		if (n == 0) {
			snprintf(esc, sizeof esc, "\\x%02x", (unsigned char)safe[i]);
			rep = esc;
			n = 1;
		} else if (cp < 0x80) {
			esc[0] = (char)cp;
			esc[1] = 0;
			rep = esc;
		} else if (!(rep = ascii_lookalike(cp))) {
			snprintf(esc, sizeof esc, "\\u{%04X}", (unsigned)cp);
			rep = esc;
		}
		size_t rl = strlen(rep);
		if (o + rl >= outsz)
			break;
		memcpy(out + o, rep, rl);
		o += rl;
		i += (size_t)n;
	}
	out[o] = 0;
	return o;
}
