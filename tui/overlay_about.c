/* overlay_about.c — what tailscope is (A): its version, what it reads and
 * where the keys are.  The smallest overlay: it shows how a view is added
 * (this file, its line in views.def, its key in keys.h/keys.c). */
#include "draw.h"

static const char *const about_lines[] = {
	"tailscope " TS_VERSION,
	"a terminal debugger for the coordinate lists",
	"vision-language models emit, and their repeated tails",
	"",
	"? keys · man tailscope · tailscope --help",
};

static void about_draw(ui *u, const ui_frame *f)
{
	int n = (int)(sizeof about_lines / sizeof about_lines[0]);
	WINDOW *o = draw_overlay_win(n + 2, 60);
	(void)f;
	if (!o)
		return;
	draw_overlay_frame(u, o, " about (A closes) ");
	attr_t a = draw_ca(u, CP_OVERLAY, 0, A_NORMAL);
	for (int i = 0; i < n; i++)
		draw_put(o, i + 1, 2, 56, about_lines[i], i == 0 ? a | A_BOLD : a);
	wnoutrefresh(o);
	delwin(o);
}

const ui_view ui_overlay_about = {
	.name = "about", .id = UI_OV_ABOUT, .toggle = ACT_ABOUT, .win = -1, .rd = UI_RD_OVERLAY,
	.draw = about_draw, .requests = ui_overlay_requests,
};
