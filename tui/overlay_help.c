/* overlay_help.c — the help overlay (?): the requests of the key table
 * (keys.h) that act on the screen or pane on show (the bindings' scope),
 * then the global ones, then the other screens', then the legend of every
 * glyph the screens draw (glyphs.h) and every box style (render.h); in one
 * or two columns, or one that scrolls (j/k, PgDn/PgUp) when the terminal
 * is too small; other keys close it. */
#include <stdio.h>
#include <string.h>

#include "charset.h"
#include "draw.h"
#include "glyphs.h"

/* One entry of the help: a section heading, a key request, the mouse, a
 * glyph of the legend or a box style; names (bold, or in the glyph's
 * colour) and text. */
typedef struct help_entry {
	char name[48];
	char text[160];
	int heading; /* a section title: text only, bold */
	int cp;      /* draw.h CP_* of the name (0: bold) */
} help_entry;

#define HELP_MAX_ENTRIES (ACT_COUNT + GL_COUNT + BOX_STYLE_COUNT + 8)

/* private state: the first row shown */
typedef struct help_state {
	int scroll;
} help_state;

static help_state *st(const ui *u)
{
	return ui_private(u, &ui_overlay_help);
}

/* The key scope (keys.h KEYS_SC_*) of the screen and pane on show, its name in *what. */
static unsigned help_context(const ui *u, const char **what)
{
	const ui_view *s = ui_screen_view(u);
	if (s == &ui_screen_compare)
		return *what = "comparison view", KEYS_SC_COMPARE;
	if (s == &ui_screen_diff)
		return *what = "diff view", KEYS_SC_DIFF;
	if (ui_img(u)->zoom)
		return *what = "debugger, image zoomed", KEYS_SC_MAIN | KEYS_SC_IMAGE;
	const ui_view *p = ui_focused_pane(u);
	*what = p == &ui_pane_records ? "debugger, records pane"
	      : p == &ui_pane_timeline ? "debugger, timeline" : "debugger, samples pane";
	return KEYS_SC_MAIN | (p == &ui_pane_records ? KEYS_SC_RECORDS
	                     : p == &ui_pane_timeline ? KEYS_SC_TIMELINE : KEYS_SC_SAMPLES);
}

/* Every request's scope: the union of its bindings' (0 counts as global). */
static void help_scopes(unsigned sc[ACT_COUNT])
{
	size_t nk;
	const keys_binding *tb = keys_table(&nk);
	memset(sc, 0, ACT_COUNT * sizeof *sc);
	for (size_t i = 0; i < nk; i++)
		if ((unsigned)tb[i].act < ACT_COUNT)
			sc[tb[i].act] |= tb[i].scope ? tb[i].scope : KEYS_SC_GLOBAL;
}

static help_entry *help_add(help_entry *e, int *n, int heading, const char *name, const char *text)
{
	if (*n >= HELP_MAX_ENTRIES)
		return NULL;
	help_entry *x = &e[(*n)++];
	memset(x, 0, sizeof *x);
	x->heading = heading;
	snprintf(x->name, sizeof x->name, "%s", name);
	snprintf(x->text, sizeof x->text, "%s", text);
	return x;
}

/* The requests whose scope meets `want` (in key-table order), not yet done. */
static void help_keys(help_entry *e, int *n, const unsigned sc[ACT_COUNT], unsigned want,
                      int done[ACT_COUNT])
{
	size_t nk;
	const keys_binding *tb = keys_table(&nk);
	for (size_t i = 0; i < nk; i++) {
		keys_action a = tb[i].act;
		if ((unsigned)a >= ACT_COUNT || done[a] || !(sc[a] & want))
			continue;
		char names[48];
		keys_names(a, names, sizeof names);
		done[a] = 1;
		help_add(e, n, 0, names, keys_help(a));
	}
}

/* The legend: every glyph of the glyph table, then every box style. */
static void help_legend(help_entry *e, int *n)
{
	help_add(e, n, 1, "", "Legend (glyph, or as an ASCII terminal shows it)");
	for (int g = 0; g < GL_COUNT; g++) {
		const glyph_def *d = glyph_def_of((glyph_id)g);
		char asc[32], name[48];
		glyph_ascii((glyph_id)g, asc, sizeof asc);
		if (charset_ascii() || !strcmp(asc, d->text))
			snprintf(name, sizeof name, "%s%s", d->text, d->suffix);
		else
			snprintf(name, sizeof name, "%s%s or %s%s", d->text, d->suffix, asc, d->suffix);
		help_entry *x = help_add(e, n, 0, name, d->meaning);
		if (x)
			x->cp = d->cp;
	}
	for (int s = 0; s < BOX_STYLE_COUNT; s++) {
		char look[64];
		render_style_look((box_style)s, look, sizeof look);
		help_add(e, n, 0, render_style_meaning((box_style)s), look);
	}
}

/* The help's entries: this screen's keys, the global ones, the other
 * screens' keys, the mouse, the legend; the count. */
static int help_entries(const ui *u, help_entry *e)
{
	unsigned sc[ACT_COUNT];
	int done[ACT_COUNT] = {0}, n = 0;
	const char *what;
	unsigned ctx = help_context(u, &what);
	char head[96];
	help_scopes(sc);
	done[ACT_NONE] = 1;
	snprintf(head, sizeof head, "Keys here (%s)", what);
	help_add(e, &n, 1, "", head);
	help_keys(e, &n, sc, ctx & ~KEYS_SC_MAIN, done); /* the pane's own first */
	help_keys(e, &n, sc, ctx, done);
	help_add(e, &n, 1, "", "Keys everywhere");
	help_keys(e, &n, sc, KEYS_SC_GLOBAL, done);
	help_add(e, &n, 0, "mouse",
	         "click a sample, a record, a token, a run or a diff row; wheel scrolls");
	int before = n;
	help_add(e, &n, 1, "", "Keys of the other screens");
	help_keys(e, &n, sc, ~0u, done);
	if (n == before + 1)
		n = before; /* none left */
	help_legend(e, &n);
	return n;
}

/* The first row shown, clamped to [0, lines - rows]. */
static int help_scroll(ui *u, int lines, int rows)
{
	int max = lines > rows ? lines - rows : 0;
	if (st(u)->scroll > max)
		st(u)->scroll = max;
	if (st(u)->scroll < 0)
		st(u)->scroll = 0;
	return st(u)->scroll;
}

/* every opening starts at the top */
static void help_open(ui *u)
{
	st(u)->scroll = 0;
}

#define HELP_WRAP 4 /* rows one entry's text may take */
#define HELP_MAX_LINES (HELP_MAX_ENTRIES * HELP_WRAP)

/* One display line: the entry, its row within the entry (0 shows the
 * names) and the text's bytes. */
typedef struct help_line {
	int entry, part;
	size_t off, len;
} help_line;

/* Every entry's text wrapped into lines[] (headings: cols + nw + 1
 * columns, the others: cols); the count. */
static int help_lines(const help_entry *e, int n, int cols, int nw, help_line *lines)
{
	int m = 0;
	for (int k = 0; k < n; k++) {
		const char *t = e[k].text;
		size_t starts[HELP_WRAP], len = strlen(t);
		int r = draw_wrap(t, e[k].heading ? cols + nw + 1 : cols, starts, HELP_WRAP);
		if (r > HELP_WRAP)
			r = HELP_WRAP;
		if (r == 0)
			starts[0] = 0, r = 1;
		for (int i = 0; i < r && m < HELP_MAX_LINES; i++, m++) {
			size_t end = i + 1 < r ? starts[i + 1] : len;
			lines[m] = (help_line){k, i, starts[i], end - starts[i]};
		}
	}
	return m;
}

/* One line of the help at (y, x) in a column cw wide, names nw wide. */
static void help_put(ui *u, WINDOW *o, int y, int x, int cw, int nw, const help_entry *e,
                     const help_line *l)
{
	attr_t a = draw_ca(u, CP_OVERLAY, 0, A_NORMAL), an = draw_ca(u, CP_OVERLAY, A_BOLD, A_BOLD);
	char txt[192];
	snprintf(txt, sizeof txt, "%.*s", (int)l->len, e->text + l->off);
	if (e->heading) {
		draw_put(o, y, x, cw - 2, txt, an | A_UNDERLINE);
		return;
	}
	if (l->part == 0)
		draw_put(o, y, x, nw, e->name, e->cp ? draw_ca(u, e->cp, A_BOLD, A_BOLD) : an);
	draw_put(o, y, x + nw + 1, cw - nw - 3, txt, a);
}

static void help_draw(ui *u, const ui_frame *f)
{
	static help_entry ents[HELP_MAX_ENTRIES];
	static help_line lines[HELP_MAX_LINES];
	int n = help_entries(u, ents);
	/* two columns side by side on wide terminals when one is too tall,
	 * else one; still too many lines: the one column scrolls */
	int two = COLS >= 120, ow = two ? (COLS - 2 < 200 ? COLS - 2 : 200) : 100;
	ow = ow > COLS - 2 ? COLS - 2 : ow;
	int cw = two ? (ow - 4) / 2 : ow - 4, nw = two ? 14 : COLS < 70 ? 12 : 18;
	int m = help_lines(ents, n, cw - nw - 3, nw, lines);
	if (two && m + 4 <= LINES - 2) {
		two = 0; /* one column fits: keep it */
		cw = ow = 100 > COLS - 2 ? COLS - 2 : 100;
		cw -= 4, nw = 18;
		m = help_lines(ents, n, cw - nw - 3, nw, lines);
	}
	int split = m; /* two columns: the first line of the second, at an entry */
	for (int i = (m + 1) / 2; two && i < m; i++)
		if (lines[i].part == 0) {
			split = i;
			break;
		}
	if (two && (split + 4 > LINES - 2 || m - split + 4 > LINES - 2))
		two = 0, split = m; /* even two columns are too tall: one that scrolls */
	int per_col = two ? (split > m - split ? split : m - split) : m;
	WINDOW *o = draw_overlay_win(per_col + 4, ow);
	(void)f;
	if (!o)
		return;
	int h, w;
	getmaxyx(o, h, w);
	draw_overlay_frame(u, o, w >= 64 ? " tailscope keys (j/k PgDn PgUp scroll, other keys close) "
	                                  : " keys (j/k scroll, other keys close) ");
	int rows = h - 3; /* frame and the scroll line */
	int first = two ? 0 : help_scroll(u, m, rows), shown = 0;
	for (int i = first; i < m; i++) {
		int col = two && i >= split, row = two ? (col ? i - split : i) : i - first;
		if (row >= rows)
			continue;
		help_put(u, o, 1 + row, 2 + col * cw, cw, nw, &ents[lines[i].entry], &lines[i]);
		shown++;
	}
	if (shown < m) {
		char more[96];
		snprintf(more, sizeof more, "lines %d-%d of %d: j/k or PgDn/PgUp for more", first + 1,
		         first + shown, m);
		draw_put(o, h - 2, 2, w - 4, more, draw_ca(u, CP_OVERLAY, A_BOLD, A_BOLD));
	}
	wnoutrefresh(o);
	delwin(o);
}

int ui_overlay_scroll(int *scroll, keys_action a)
{
	long delta;
	int end;
	if (!ui_list_motion(a, LINES > 8 ? LINES - 8 : 1, &delta, &end))
		return 0;
	*scroll = end < 0 ? 0 : end > 0 ? 1 << 20 /* clamped when drawn */ : *scroll + (int)delta;
	return 1;
}

/* j/k, arrows, PgDn/PgUp, g/G scroll the help; ?, Esc and q only close it;
 * any other key closes it and does what it does */
static unsigned help_input(ui *u, int is_key, unsigned ch)
{
	(void)is_key;
	keys_action a = keys_lookup((int)ch);
	if (ui_overlay_scroll(&st(u)->scroll, a))
		return UI_RD_OVERLAY;
	u->overlay = UI_OV_NONE;
	if (a == ACT_HELP || a == ACT_CLOSE || a == ACT_QUIT)
		return UI_RD_ALL;
	return UI_RD_ALL | ui_action(u, a);
}

const ui_view ui_overlay_help = {
	.name = "help", .id = UI_OV_HELP, .win = -1, .rd = UI_RD_OVERLAY,
	.draw = help_draw, .requests = ui_overlay_requests, .input = help_input,
	.toggle = ACT_HELP, .private_size = sizeof(help_state), .open = help_open,
};
