/* runs.c — several runs' boxes on one image (render.h: render_runs_boxes),
 * and thumbnails (render_image_shrink).
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

/* ---- thumbnails ---- */

render_image *render_image_shrink(const render_image *src, uint32_t max_side)
{
	if (!src || !src->rgba || src->w == 0 || src->h == 0)
		return NULL;
	uint32_t big = src->w > src->h ? src->w : src->h;
	if (max_side == 0 || big <= max_side)
		return render_image_copy(src);
	uint32_t w = (uint32_t)((uint64_t)src->w * max_side / big), h = (uint32_t)((uint64_t)src->h * max_side / big);
	render_image *o = render_image_new(w ? w : 1, h ? h : 1);
	if (!o)
		return NULL;
	/* each output pixel: the mean of the source pixels it covers */
	for (uint32_t y = 0; y < o->h; y++) {
		uint32_t y0 = (uint32_t)((uint64_t)y * src->h / o->h), y1 = (uint32_t)((uint64_t)(y + 1) * src->h / o->h);
		for (uint32_t x = 0; x < o->w; x++) {
			uint32_t x0 = (uint32_t)((uint64_t)x * src->w / o->w), x1 = (uint32_t)((uint64_t)(x + 1) * src->w / o->w);
			uint64_t sum[4] = {0, 0, 0, 0}, n = 0;
			for (uint32_t sy = y0; sy < (y1 > y0 ? y1 : y0 + 1); sy++)
				for (uint32_t sx = x0; sx < (x1 > x0 ? x1 : x0 + 1); sx++, n++)
					for (int c = 0; c < 4; c++)
						sum[c] += src->rgba[((size_t)sy * src->w + sx) * 4 + (size_t)c];
			for (int c = 0; c < 4; c++)
				o->rgba[((size_t)y * o->w + x) * 4 + (size_t)c] = (uint8_t)(sum[c] / n);
		}
	}
	render_image_touch(o);
	return o;
}
