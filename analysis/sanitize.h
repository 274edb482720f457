/* sanitize.h — the one gate between untrusted bytes and a terminal.
 *
 * Every string that came from a trace, a ground-truth file, a file name or a
 * user argument passes through sanitize() before it reaches curses, stdout or
 * stderr.  Output is valid UTF-8 made only of printable characters:
 *
 *   "\\"                  backslash is doubled so escapes are unambiguous
 *   "\t" "\n" "\r"        TAB, LF, CR
 *   "\xHH"                other C0 bytes, DEL (7f), and every byte that is not
 *                         part of well-formed UTF-8 (invalid, overlong,
 *                         surrogate, > U+10FFFF, truncated sequences)
 *   "\u{HHHH}"            C1 controls U+0080–U+009F, bidi controls
 *                         (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069),
 *                         zero-width / format characters (U+00AD, U+200B–U+200D,
 *                         U+2060–U+2064, U+FEFF), line/paragraph separators
 *                         (U+2028, U+2029) and noncharacters U+FFFE/U+FFFF
 *
 * Width is counted in terminal columns (East Asian wide = 2, combining = 0);
 * when max_cols is reached the output ends with "…" (which fits in max_cols).
 */
#ifndef TS_SANITIZE_H
#define TS_SANITIZE_H

#include <stddef.h>
#include <stdint.h>

/* Writes the sanitized rendering of in[0..len) into out (always NUL-terminated
 * when outsz > 0, never splitting a character or an escape).  max_cols == 0
 * means no column cap.  Returns the number of bytes written (without NUL). */
size_t sanitize(const char *in, size_t len, char *out, size_t outsz, size_t max_cols);

/* Same, into a malloc'd string (NULL only on allocation failure). */
char *sanitize_dup(const char *in, size_t len, size_t max_cols);

/* Convenience for NUL-terminated input into a caller buffer. */
const char *sanitize_cstr(const char *in, char *out, size_t outsz, size_t max_cols);

/* ASCII rendering of already-sanitized UTF-8 text, for terminals without a
 * UTF-8 locale: the interface glyphs tailscope draws get ASCII look-alikes
 * (box lines | - +, "…" "...", "×" x, "·" ., "▸" >, "●" *, "→" ->, "←" <-,
 * "—" --, block heights _.,-~=*#, "✂" %), every other non-ASCII code point
 * becomes "\u{HHHH}" like the sanitizer's own escapes.  Bytes that are not
 * well-formed UTF-8 (impossible for sanitized text) become "\xHH".  Never
 * splits a replacement; NUL-terminated when outsz > 0; returns bytes written. */
size_t sanitize_ascii(const char *safe, size_t len, char *out, size_t outsz);

/* Terminal columns taken by already-sanitized UTF-8 text. */
size_t sanitize_width(const char *s, size_t len);

/* Columns of one code point: 0 (combining), 1, or 2 (East Asian wide). */
int sanitize_cp_width(uint32_t cp);

/* Decodes one well-formed UTF-8 code point at s[0..len).  Returns its length
 * (1–4) and sets *cp, or 0 when the bytes are not well-formed UTF-8. */
int sanitize_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

#endif
