/* overlay_help.c — the help overlay (?): every request of the key table
 * (keys.h) with its keys, in one or two columns, or one that scrolls (j/k, PgDn/PgUp) when
 * the terminal is too small; other keys close it. */
#include <stdio.h>
#include <string.h>

#include "draw.h"

/* The requests in key-table order, each once. */
static int help_actions(keys_action acts[ACT_COUNT])
{
	size_t nk;
	const keys_binding *tb = keys_table(&nk);
	int seen[ACT_COUNT] = {0}, n = 0;
	for (size_t i = 0; i < nk; i++)
		if (!seen[tb[i].act] && n < ACT_COUNT) {
			seen[tb[i].act] = 1;
			acts[n++] = tb[i].act;
		}
	return n;
}

/* private state: the first row shown */
typedef struct help_state {
	int scroll;
} help_state;

static help_state *st(const ui *u)
{
	return ui_private(u, &ui_overlay_help);
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

#define HELP_WRAP 4 /* rows one key's text may take */
#define HELP_MAX_LINES ((ACT_COUNT + 1) * HELP_WRAP)

/* One display line: the entry (a request, or the mouse after the last),
 * its row within the entry (0 shows the keys) and the text's bytes. */
typedef struct help_line {
	int entry, part;
	size_t off, len;
} help_line;

static const char *help_text(const keys_action *acts, int n, int k, char *names, size_t nsz)
{
	snprintf(names, nsz, "mouse");
	if (k >= n)
		return "click a sample, a record, a token, a run or a diff row; wheel scrolls";
	keys_names(acts[k], names, nsz);
	return keys_help(acts[k]);
}

/* Every entry's text wrapped at `cols` columns into lines[]; the count. */
static int help_lines(const keys_action *acts, int n, int cols, help_line *lines)
{
	int m = 0;
	char names[64];
	for (int k = 0; k <= n; k++) {
		const char *t = help_text(acts, n, k, names, sizeof names);
		size_t starts[HELP_WRAP], len = strlen(t);
		int r = draw_wrap(t, cols, starts, HELP_WRAP);
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

static void help_draw(ui *u, const ui_frame *f)
{
	keys_action acts[ACT_COUNT];
	help_line lines[HELP_MAX_LINES];
	int n = help_actions(acts);
	/* two columns side by side on wide terminals when one is too tall,
	 * else one; still too many lines: the one column scrolls */
	int two = COLS >= 120, ow = two ? (COLS - 2 < 200 ? COLS - 2 : 200) : 100;
	ow = ow > COLS - 2 ? COLS - 2 : ow;
	int cw = two ? (ow - 4) / 2 : ow - 4, nw = two ? 12 : 18;
	int m = help_lines(acts, n, cw - nw - 3, lines);
	if (two && m + 4 <= LINES - 2) {
		two = 0; /* one column fits: keep it */
		cw = ow = 100 > COLS - 2 ? COLS - 2 : 100;
		cw -= 4, nw = 18;
		m = help_lines(acts, n, cw - nw - 3, lines);
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
	draw_overlay_frame(u, o, " tailscope keys (j/k PgDn PgUp scroll, other keys close) ");
	attr_t a = draw_ca(u, CP_OVERLAY, 0, A_NORMAL), an = draw_ca(u, CP_OVERLAY, A_BOLD, A_BOLD);
	int rows = h - 3; /* frame and the boxes line */
	int first = two ? 0 : help_scroll(u, m, rows), shown = 0;
	for (int i = first; i < m; i++) {
		int col = two && i >= split, row = two ? (col ? i - split : i) : i - first;
		if (row >= rows)
			continue;
		int x = 2 + col * cw, y = 1 + row;
		char names[64], txt[512];
		const char *t = help_text(acts, n, lines[i].entry, names, sizeof names);
		snprintf(txt, sizeof txt, "%.*s", (int)lines[i].len, t + lines[i].off);
		if (lines[i].part == 0)
			draw_put(o, y, x, nw, names, an);
		draw_put(o, y, x + nw + 1, cw - nw - 3, txt, a);
		shown++;
	}
	if (shown < m) {
		char more[96];
		snprintf(more, sizeof more, "lines %d-%d of %d: j/k or PgDn/PgUp for more", first + 1,
		         first + shown, m);
		draw_put(o, h - 2, 2, w - 4, more, an);
	} else {
		draw_put(o, h - 2, 2, w - 4,
		         "boxes: gt green dashed, missed yellow, hit cyan, false red, duplicate magenta ×N, cut grey",
		         a);
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
