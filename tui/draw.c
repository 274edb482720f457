/* draw.c — the drawing helpers of the panes (see draw.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "draw.h"
#include "glyphs.h"
#include "sanitize.h"

attr_t draw_ca(const ui *u, int cp, attr_t extra, attr_t mono)
{
	if (u->term.color)
		return COLOR_PAIR(cp) | extra;
	return mono;
}
/* Bytes of safe UTF-8 s that fit in maxw columns; *cols receives the width. */
size_t draw_fit(const char *s, int maxw, int *cols)
{
	size_t i = 0, n = strlen(s);
	int w = 0;
	while (i < n) {
		uint32_t cp;
		int l = sanitize_utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (l <= 0)
			break; /* cannot happen for sanitized text */
		int cw = sanitize_cp_width(cp);
		if (w + cw > maxw)
			break;
		w += cw;
		i += (size_t)l;
	}
	if (cols)
		*cols = w;
	return i;
}
/* Draws safe text at (y, x) within maxw columns; returns columns used.
 * Without a UTF-8 locale the text is drawn as its ASCII rendering. */
int draw_wrap(const char *s, int cols, size_t *starts, int max)
{
	int rows = 0;
	size_t len = strlen(s), at = 0;
	if (cols < 1)
		return 0;
	while (at < len) {
		while (s[at] == ' ')
			at++;
		if (at >= len)
			break;
		if (starts && rows < max)
			starts[rows] = at;
		rows++;
		int used;
		size_t n = draw_fit(s + at, cols, &used);
		if (n == 0) /* a character wider than the row: skip it whole */
			for (n = 1; at + n < len && ((unsigned char)s[at + n] & 0xC0) == 0x80; n++)
				;
		if (at + n < len && s[at + n] != ' ') {
			size_t k = n;
			while (k > 0 && s[at + k - 1] != ' ')
				k--;
			if (k > 0)
				n = k;
		}
		at += n;
	}
	return rows;
}

int draw_put(WINDOW *w, int y, int x, int maxw, const char *s, attr_t a)
{
	int cols, room = getmaxx(w) - x;
	char ascii[1024];
	if (charset_ascii()) {
		sanitize_ascii(s, strlen(s), ascii, sizeof ascii);
		s = ascii;
	}
	if (maxw > room)
		maxw = room; /* never past the window's edge (it would wrap) */
	if (maxw <= 0)
		return 0;
	size_t b = draw_fit(s, maxw, &cols);
	int cut = s[b] && strspn(s + b, " ") < strlen(s + b); /* more than blanks left */
	if (cut && maxw >= 1) /* nothing cut silently: the last column says so */
		b = draw_fit(s, maxw - 1, &cols);
	wattrset(w, a);
	if (b)
		mvwaddnstr(w, y, x, s, (int)b);
	if (cut && maxw >= 1) {
		char cm[8];
		mvwaddstr(w, y, x + cols, charset_ascii() ? glyph_ascii(GL_CUT, cm, sizeof cm) : glyph(GL_CUT));
		cols++;
	}
	wattrset(w, A_NORMAL);
	return cols;
}
/* Untrusted bytes: sanitized, then drawn. */
int draw_putu(WINDOW *w, int y, int x, int maxw, const char *raw, size_t len, attr_t a)
{
	char buf[512];
	if (maxw <= 0)
		return 0;
	sanitize(raw, len, buf, sizeof buf, (size_t)maxw);
	return draw_put(w, y, x, maxw, buf, a);
}
void draw_fill_row(WINDOW *w, int y, int x, int n, attr_t a)
{
	wattrset(w, a);
	for (int i = 0; i < n; i++)
		mvwaddch(w, y, x + i, ' ');
	wattrset(w, A_NORMAL);
}
void draw_title(const ui *u, WINDOW *w, int width, int focused, const char *text)
{
	attr_t a = focused ? draw_ca(u, CP_TITLE_FOCUS, A_BOLD, A_REVERSE | A_BOLD)
	                   : draw_ca(u, CP_TITLE, 0, A_REVERSE);
	draw_fill_row(w, 0, 0, width, a);
	draw_put(w, 0, 0, width, text, a);
}
/* Box lines as Unicode text, not the alternate character set (no SO/SI
 * shifts on the wire, same look in every UTF-8 terminal). */
void draw_vsep(WINDOW *w, int x, int h)
{
	for (int y = 0; y < h; y++)
		draw_put(w, y, x, 1, "│", A_NORMAL);
}
WINDOW *draw_overlay_win(int h, int w)
{
	if (h > LINES - 2)
		h = LINES - 2;
	if (w > COLS - 2)
		w = COLS - 2;
	if (h < 3 || w < 10)
		return NULL;
	WINDOW *o = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2);
	return o;
}
void draw_overlay_frame(const ui *u, WINDOW *o, const char *ttl)
{
	int h, w;
	getmaxyx(o, h, w);
	wbkgdset(o, ' ' | draw_ca(u, CP_OVERLAY, 0, A_NORMAL));
	werase(o);
	attr_t fa = draw_ca(u, CP_OVERLAY, A_BOLD, A_BOLD);
	for (int x = 1; x < w - 1; x++) {
		draw_put(o, 0, x, 1, "─", fa);
		draw_put(o, h - 1, x, 1, "─", fa);
	}
	for (int y = 1; y < h - 1; y++) {
		draw_put(o, y, 0, 1, "│", fa);
		draw_put(o, y, w - 1, 1, "│", fa);
	}
	draw_put(o, 0, 0, 1, "┌", fa);
	draw_put(o, 0, w - 1, 1, "┐", fa);
	draw_put(o, h - 1, 0, 1, "└", fa);
	draw_put(o, h - 1, w - 1, 1, "┘", fa);
	draw_put(o, 0, 2, w - 4, ttl, draw_ca(u, CP_OVERLAY, A_BOLD, A_BOLD));
}
void draw_hits_clear(ui *u, const ui_view *v)
{
	size_t k = 0;
	for (size_t i = 0; i < u->term.n_hits; i++)
		if (u->term.hits[i].view != v)
			u->term.hits[k++] = u->term.hits[i];
	u->term.n_hits = k;
}
void draw_hit_add(ui *u, int y, int x0, int x1, const ui_view *v, long value)
{
	if (u->term.n_hits == u->term.cap_hits) {
		size_t nc = u->term.cap_hits ? 2 * u->term.cap_hits : 256;
		ui_hit *nh = realloc(u->term.hits, nc * sizeof *nh);
		if (!nh)
			return;
		u->term.hits = nh;
		u->term.cap_hits = nc;
	}
	u->term.hits[u->term.n_hits++] = (ui_hit){y, x0, x1, v, value};
}

WINDOW *draw_begin(ui *u, const ui_view *v)
{
	WINDOW *w = WIN(u, v->win);
	werase(w);
	draw_hits_clear(u, v);
	return w;
}
