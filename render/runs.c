/* runs.c — several runs' boxes on one image (render.h: render_runs_boxes).
 * The run -> style table and the run legend live in png.c with the other
 * legend. */
#include <stdlib.h>

#include "render.h"

static int is_gt_style(box_style s)
{
	return s == BOX_GT || s == BOX_MISS;
}

/* How many boxes the merge keeps. */
static size_t runs_count(const render_run_boxes *runs, size_t n, unsigned shown, int with_gt)
{
	size_t total = 0;
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < runs[k].n; i++) {
			int g = is_gt_style(runs[k].boxes[i].style);
			total += g ? (k == 0 && with_gt) : ((shown >> k) & 1u);
		}
	return total;
}

ts_status render_runs_boxes(const render_run_boxes *runs, size_t n, unsigned shown, int with_gt,
                            render_box **out, size_t *n_out, ts_error *err)
{
	*out = NULL;
	*n_out = 0;
	if (n > RENDER_RUN_STYLES)
		return ts_error_set(err, TS_ERR_USAGE, "%zu runs on one image (at most %d)", n,
		                    RENDER_RUN_STYLES);
	size_t total = runs_count(runs, n, shown, with_gt);
	if (total == 0)
		return TS_OK;
	render_box *b = malloc(total * sizeof *b);
	if (!b)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory for %zu boxes", total);
	size_t m = 0;
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < runs[k].n; i++) {
			render_box x = runs[k].boxes[i];
			int g = is_gt_style(x.style);
			if (g ? !(k == 0 && with_gt) : !((shown >> k) & 1u))
				continue;
			x.style = g ? BOX_GT : render_run_style(k);
			x.x1 *= runs[k].sx, x.x2 *= runs[k].sx;
			x.y1 *= runs[k].sy, x.y2 *= runs[k].sy;
			b[m++] = x;
		}
	*out = b;
	*n_out = m;
	return TS_OK;
}
