/* overlay_hist.c — the max-repeat histogram of the current run (M), policy
 * off, drawn by render/plot. */
#include <stdio.h>
#include <stdlib.h>

#include "draw.h"
#include "plot.h"
#include "run.h"

/* The histogram as text, cols wide (NULL on error: noted). */
static plot_text *hist_text(ui *u, const session_run *r, int cols)
{
	double counts[RUN_MAXREPEAT_BINS] = {0};
	size_t used = 0;
	for (size_t i = 0; i < r->n; i++) {
		const slist_item *it = &r->items[i];
		if (!it->ready || it->failed)
			continue;
		counts[run_maxrepeat_bin(it->max_repeat)] += 1;
		used++;
	}
	char ttl[256];
	snprintf(ttl, sizeof ttl, "max repeat per sample, policy off (%zu of %zu samples%s)", used, r->n,
	         r->n_done < r->n ? ", computing" : "");
	plot_series ser = {0};
	ser.name = r->info->name;
	ser.v = counts;
	plot_spec spec;
	plot_spec_init(&spec, PLOT_BARS);
	spec.title = ttl;
	spec.series = &ser;
	spec.n_series = 1;
	spec.n_groups = RUN_MAXREPEAT_BINS;
	spec.group_labels = run_maxrepeat_bin_labels;
	plot_text *pt = NULL;
	ts_error e;
	if (plot_text_render(&spec, cols, 8, &pt, &e) != TS_OK || !pt) {
		ui_note(u, "histogram: %s", e.msg);
		return NULL;
	}
	return pt;
}

static void hist_draw(ui *u, const ui_frame *f)
{
	int cols = COLS - 8 < 90 ? COLS - 8 : 90;
	if (!f->run || cols < 20)
		return;
	plot_text *pt = hist_text(u, f->run, cols);
	if (!pt)
		return;
	WINDOW *o = draw_overlay_win(pt->rows + 3, pt->cols + 4);
	if (!o) {
		plot_text_free(pt);
		return;
	}
	int h, wd;
	getmaxyx(o, h, wd);
	draw_overlay_frame(u, o, " max-repeat histogram (M closes) ");
	attr_t a = draw_ca(u, CP_OVERLAY, 0, A_NORMAL);
	for (int row = 0; row < pt->rows && row + 1 < h - 1; row++) {
		char *line = plot_text_line(pt, row, 0);
		if (line) {
			draw_put(o, row + 1, 2, wd - 4, line, a);
			free(line);
		}
	}
	plot_text_free(pt);
	wnoutrefresh(o);
	delwin(o);
}

const ui_view ui_overlay_histogram = {
	.name = "histogram", .id = UI_OV_HISTOGRAM, .toggle = ACT_HISTOGRAM, .win = -1, .rd = UI_RD_OVERLAY,
	.draw = hist_draw, .requests = ui_overlay_requests,
};
