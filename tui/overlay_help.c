/* overlay_help.c — the help overlay (?): every request of the key table
 * (keys.h) with its keys, in one or two columns, or one that scrolls (j/k, PgDn/PgUp) when
 * the terminal is too small; other keys close it. */
#include <stdio.h>

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

/* The first row shown, clamped to [0, entries - rows]; 0 for another overlay. */
static int help_scroll(ui *u, int entries, int rows)
{
	if (u->ov_scroll_for != UI_OV_HELP) {
		u->ov_scroll_for = UI_OV_HELP;
		u->ov_scroll = 0;
	}
	int max = entries > rows ? entries - rows : 0;
	if (u->ov_scroll > max)
		u->ov_scroll = max;
	if (u->ov_scroll < 0)
		u->ov_scroll = 0;
	return u->ov_scroll;
}

static void help_draw(ui *u, const ui_frame *f)
{
	keys_action acts[ACT_COUNT];
	int n = help_actions(acts), entries = n + 1; /* + mouse */
	/* one column when it fits, else two side by side (wide terminals);
	 * still too many: one column that scrolls */
	int two = entries + 4 > LINES - 2 && COLS >= 120;
	int per_col = two ? (entries + 1) / 2 : entries;
	if (two && per_col + 4 > LINES - 2) {
		two = 0;
		per_col = entries;
	}
	WINDOW *o = draw_overlay_win(per_col + 4, two ? (COLS - 2 < 200 ? COLS - 2 : 200) : 100);
	(void)f;
	if (!o)
		return;
	int h, w;
	getmaxyx(o, h, w);
	draw_overlay_frame(u, o, " tailscope keys (j/k PgDn PgUp scroll, other keys close) ");
	attr_t a = draw_ca(u, CP_OVERLAY, 0, A_NORMAL), an = draw_ca(u, CP_OVERLAY, A_BOLD, A_BOLD);
	int cw = two ? (w - 4) / 2 : w - 4, nw = two ? 12 : 18;
	int rows = h - 3; /* frame and the boxes line */
	int first = two ? 0 : help_scroll(u, entries, rows);
	int shown = 0;
	for (int k = first; k < entries; k++) {
		int col = two ? k / per_col : 0, row = two ? k % per_col : k - first;
		if (row >= rows)
			continue;
		int x = 2 + col * cw, y = 1 + row;
		char names[64];
		const char *help = "click a sample, a record, a token, a run or a diff row; wheel scrolls";
		snprintf(names, sizeof names, "mouse");
		if (k < n) {
			keys_names(acts[k], names, sizeof names);
			help = keys_help(acts[k]);
		}
		draw_put(o, y, x, nw, names, an);
		draw_put(o, y, x + nw + 1, cw - nw - 3, help, a);
		shown++;
	}
	if (shown < entries) {
		char more[96];
		snprintf(more, sizeof more, "keys %d-%d of %d: j/k or PgDn/PgUp for more", first + 1,
		         first + shown, entries);
		draw_put(o, h - 2, 2, w - 4, more, an);
	} else {
		draw_put(o, h - 2, 2, w - 4,
		         "boxes: gt green dashed, missed yellow, hit cyan, false red, duplicate magenta ×N, cut grey",
		         a);
	}
	wnoutrefresh(o);
	delwin(o);
}

int ui_overlay_scroll(ui *u, keys_action a)
{
	int page = LINES > 8 ? LINES - 8 : 1;
	switch (a) {
	case ACT_DOWN: u->ov_scroll += 1; return 1;
	case ACT_UP: u->ov_scroll -= 1; return 1;
	case ACT_PAGE_DOWN: u->ov_scroll += page; return 1;
	case ACT_PAGE_UP: u->ov_scroll -= page; return 1;
	case ACT_TOP: u->ov_scroll = 0; return 1;
	case ACT_BOTTOM: u->ov_scroll = 1 << 20; return 1; /* clamped when drawn */
	default: return 0;
	}
}

/* j/k, arrows, PgDn/PgUp, g/G scroll the help; ?, Esc and q only close it;
 * any other key closes it and does what it does */
static unsigned help_input(ui *u, int is_key, unsigned ch)
{
	(void)is_key;
	keys_action a = keys_lookup((int)ch);
	if (ui_overlay_scroll(u, a))
		return UI_RD_OVERLAY;
	u->overlay = UI_OV_NONE;
	u->ov_scroll_for = UI_OV_NONE;
	if (a == ACT_HELP || a == ACT_CLOSE || a == ACT_QUIT)
		return UI_RD_ALL;
	return UI_RD_ALL | ui_action(u, a);
}

const ui_view ui_overlay_help = {
	.name = "help", .win = -1, .rd = UI_RD_OVERLAY,
	.draw = help_draw, .key = ui_overlay_key, .input = help_input,
};
