/* charset.h — which characters tailscope writes to the terminal: UTF-8 or ASCII.
 *
 * charset_setup() runs once, first thing in main (it calls setlocale itself):
 *   - the caller's locale has a UTF-8 LC_CTYPE: UTF-8;
 *   - the caller has NO locale (LC_ALL, LC_CTYPE and LANG all unset or empty,
 *     as an SSH session without AcceptEnv or a bare container arrives): LC_CTYPE
 *     switches to the first UTF-8 locale that loads (C.UTF-8, C.utf8,
 *     en_US.UTF-8), quietly: UTF-8;
 *   - otherwise (a locale chosen explicitly with another charset, e.g. LC_ALL=C,
 *     or no UTF-8 locale installed): ASCII.  Every glyph of the interface gets
 *     an ASCII look-alike (sanitize_ascii), the image uses chafa's ASCII symbols,
 *     and charset_note() says so (the debugger shows it once, in its status line).
 * Other categories (numbers, messages) stay as the caller set them.
 */
#ifndef TS_CHARSET_H
#define TS_CHARSET_H

void charset_setup(void);
int charset_ascii(void);          /* 1 when output must be ASCII only */
const char *charset_note(void);   /* why output is ASCII, or "" */

#endif
