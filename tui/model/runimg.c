/* runimg.c — one sample of one run with png's boxes (runimg.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confidence.h"
#include "overlay.h"
#include "runimg.h"
#include "sanitize.h"

size_t runimg_find(const session_run *r, const char *key)
{
	if (!key)
		return (size_t)-1;
	for (size_t i = 0; i < r->n; i++)
		if (r->items[i].key && !strcmp(r->items[i].key, key))
			return i;
	return (size_t)-1;
}

static int fail(runimg *o, const char *msg)
{
	sanitize_cstr(msg, o->err, sizeof o->err, 200);
	return -1;
}

/* The image file as png finds it (run_image_path); NULL when none. */
static void load_image(const session_run *r, const render_limits *lim, runimg *o)
{
	const char *fname = o->gimg && o->gimg->file_name[0] ? o->gimg->file_name : trace_file_name(o->t);
	char *p = r->images_dir && fname ? run_image_path(r->images_dir, fname) : NULL;
	ts_error e;
	if (p && render_image_load(p, lim, &o->img, &e) != TS_OK)
		o->img = NULL;
	free(p);
}

/* The export's boxes, as png_job_prepare builds them (policy off). */
static int build_boxes(const session_run *r, runimg *o)
{
	static const policy off = {POLICY_OFF, 0};
	size_t nr = sample_n_records(o->s);
	double *score = malloc((nr ? nr : 1) * sizeof *score);
	for (size_t i = 0; score && i < nr; i++)
		score[i] = conf_record_score(o->t, &sample_records(o->s)[i], CONF_SCORE_MEAN);
	render_overlay_req rq;
	render_overlay_req_export(&rq, o->s, r->g, o->gimg, sample_outcome_for(o->s, &off).cut, score);
	ts_status st = render_overlay_boxes(&rq, &o->boxes, &o->cap_boxes, &o->n_boxes, &o->stats);
	free(score);
	return st == TS_OK ? 0 : fail(o, "out of memory");
}

/* Keeps the image at most side pixels on its longer side; the boxes'
 * scale follows (kept full size when out of memory). */
static void shrink(runimg *o, uint32_t side)
{
	render_image *t = render_image_shrink(o->img, side);
	if (!t)
		return;
	o->sx *= (double)t->w / o->img->w;
	o->sy *= (double)t->h / o->img->h;
	o->w = t->w;
	o->h = t->h;
	render_image_free(o->img);
	o->img = t;
}

int runimg_load(const session_run *r, size_t idx, int with_image, const render_limits *lim,
                runimg *o)
{
	ts_error e;
	memset(o, 0, sizeof *o);
	if (idx >= r->n)
		return fail(o, "no such sample");
	if (trace_index_load(r->ix, idx, &o->t, &e) != TS_OK) {
		o->t = NULL;
		return fail(o, e.msg);
	}
	o->gimg = r->g ? run_find_image(r->g, o->t) : NULL;
	if (with_image)
		load_image(r, lim, o);
	int gsize = o->gimg && o->gimg->width > 0 && o->gimg->height > 0;
	/* the pixel space: the image's, else the ground truth's, else the
	 * 1000x1000 canvas the debugger assumes */
	o->w = o->img ? o->img->w : gsize ? (uint32_t)o->gimg->width : 1000;
	o->h = o->img ? o->img->h : gsize ? (uint32_t)o->gimg->height : 1000;
	if (sample_analyze(o->t, r->g, o->gimg, o->w, o->h, &r->an, &o->s, &e) != TS_OK) {
		o->s = NULL;
		return fail(o, e.msg);
	}
	if (build_boxes(r, o) != 0)
		return -1;
	/* boxes are in the ground truth's pixel space when it gives a size */
	o->sx = o->sy = 1.0;
	if (gsize) {
		o->sx = o->w / o->gimg->width;
		o->sy = o->h / o->gimg->height;
	}
	if (with_image > 1 && o->img)
		shrink(o, (uint32_t)with_image);
	return 0;
}

void runimg_free(runimg *o)
{
	free(o->boxes);
	render_image_free(o->img);
	sample_free(o->s);
	trace_free(o->t);
	memset(o, 0, sizeof *o);
}
