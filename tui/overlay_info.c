/* overlay_info.c — the sample on screen in a few lines (i): its run, the
 * file and lines it was read from, and the numbers the run counts for it
 * (the samples list's badges: tokens, termination, records, duplicates, max
 * repeat).  Every value comes from its owner (session_run, the trace index,
 * slist_item, termination_name); nothing is computed here.
 *
 * It is the proof of view.h's promise: this file plus its line in
 * views.def (and, for its new key, keys.h, keys.c, the README's and the man
 * page's key lists). */
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "sanitize.h"

#define INFO_ROWS 9
#define INFO_COLS 640 /* bytes: a row is never cut here (draw_put marks a cut on screen) */

/* The overlay's rows into row[INFO_ROWS][INFO_COLS]; returns how many. */
static int info_rows(const ui_frame *f, char row[INFO_ROWS][INFO_COLS])
{
	const session_view *v = f->v;
	if (!f->run || !v || !v->valid || v->run >= f->s->n_runs)
		return snprintf(row[0], INFO_COLS, "no sample shown"), 1;
	const session_run *r = &f->s->runs[v->run];
	const slist_item *it = &r->items[v->idx];
	char file[96], dir[INFO_COLS - 16];
	size_t last = 0, first = trace_index_lines(r->ix, v->idx, &last);
	const char *p = trace_index_path(r->ix, v->idx), *base = p ? strrchr(p, '/') : NULL;
	sanitize_cstr(base ? base + 1 : p ? p : "?", file, sizeof file, 60);
	sanitize(p ? p : "", base ? (size_t)(base - p) : 0, dir, sizeof dir, 300);
	int n = 0;
	snprintf(row[n++], INFO_COLS, "run          %s", r->name);
	snprintf(row[n++], INFO_COLS, "sample       %s", v->image_id);
	if (last > first)
		snprintf(row[n++], INFO_COLS, "file         %s, lines %zu-%zu", file, first, last);
	else
		snprintf(row[n++], INFO_COLS, "file         %s, line %zu", file, first);
	if (dir[0])
		snprintf(row[n++], INFO_COLS, "in           %s", dir);
	if (v->failed || it->failed) {
		snprintf(row[n++], INFO_COLS, "error        %s", v->error[0] ? v->error : "not analysed");
		return n;
	}
	if (!it->ready)
		return snprintf(row[n++], INFO_COLS, "badges       not computed yet"), n;
	snprintf(row[n++], INFO_COLS, "tokens       %zu", it->tokens);
	snprintf(row[n++], INFO_COLS, "termination  %s",
	         it->term >= 0 ? termination_name((termination)it->term) : "?");
	snprintf(row[n++], INFO_COLS, "records      %zu", it->records);
	snprintf(row[n++], INFO_COLS, "duplicates   %zu (max repeat ×%zu)", it->dups, it->max_repeat);
	return n;
}

static void info_draw(ui *u, const ui_frame *f)
{
	char row[INFO_ROWS][INFO_COLS];
	int n = info_rows(f, row);
	WINDOW *o = draw_overlay_win(n + 2, 70);
	if (!o)
		return;
	int h, w;
	getmaxyx(o, h, w);
	draw_overlay_frame(u, o, " sample info (I closes) ");
	attr_t a = draw_ca(u, CP_OVERLAY, 0, A_NORMAL);
	for (int i = 0; i < n && i + 1 < h - 1; i++)
		draw_put(o, i + 1, 2, w - 4, row[i], a);
	wnoutrefresh(o);
	delwin(o);
}

const ui_view ui_overlay_info = {
	.name = "info", .id = UI_OV_INFO, .toggle = ACT_INFO, .win = -1, .rd = UI_RD_OVERLAY,
	.draw = info_draw, .requests = ui_overlay_requests,
};
