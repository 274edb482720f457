/* overlay_help.c — the help overlay (?): every request of the key table
 * (keys.h) with its keys, in one or two columns; any key closes it. */
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

static void help_draw(ui *u, const ui_frame *f)
{
	keys_action acts[ACT_COUNT];
	int n = help_actions(acts), entries = n + 1; /* + mouse */
	/* one column when it fits, else two side by side (wide terminals) */
	int two = entries + 4 > LINES - 2 && COLS >= 120;
	int per_col = two ? (entries + 1) / 2 : entries;
	WINDOW *o = draw_overlay_win(per_col + 4, two ? (COLS - 2 < 200 ? COLS - 2 : 200) : 100);
	(void)f;
	if (!o)
		return;
	int h, w;
	getmaxyx(o, h, w);
	draw_overlay_frame(u, o, " tailscope keys (any key closes) ");
	attr_t a = draw_ca(u, CP_OVERLAY, 0, A_NORMAL), an = draw_ca(u, CP_OVERLAY, A_BOLD, A_BOLD);
	int cw = two ? (w - 4) / 2 : w - 4, nw = two ? 12 : 18;
	int rows = h - 3; /* frame and the boxes line */
	int shown = 0;
	for (int k = 0; k < entries; k++) {
		int col = two ? k / per_col : 0, row = two ? k % per_col : k;
		if (row >= rows)
			continue;
		int x = 2 + col * cw, y = 1 + row;
		char names[64];
		const char *help = "click a sample, a record, a token, a run or a diff row";
		snprintf(names, sizeof names, "mouse");
		if (k < n) {
			keys_names(acts[k], names, sizeof names);
			help = keys_help(acts[k]);
		}
		draw_put(o, y, x, nw, names, an);
		draw_put(o, y, x + nw + 1, cw - nw - 3, help, a);
		shown++;
	}
	if (shown < entries)
		draw_put(o, h - 2, 2, w - 4, "(more keys: make the terminal taller or wider)", an);
	else
		draw_put(o, h - 2, 2, w - 4,
		         "boxes: gt green dashed, missed yellow, hit cyan, false red, duplicate magenta ×N, cut grey",
		         a);
	wnoutrefresh(o);
	delwin(o);
}

/* any key closes the help; ?, Esc and q only close it */
static unsigned help_input(ui *u, int is_key, unsigned ch)
{
	(void)is_key;
	u->overlay = UI_OV_NONE;
	keys_action a = keys_lookup((int)ch);
	if (a == ACT_HELP || a == ACT_CLOSE || a == ACT_QUIT)
		return UI_RD_ALL;
	return UI_RD_ALL | ui_action(u, a);
}

const ui_view ui_overlay_help = {
	.name = "help", .win = -1, .rd = UI_RD_OVERLAY,
	.draw = help_draw, .key = ui_overlay_key, .input = help_input,
};
