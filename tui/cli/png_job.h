/* png_job.h — everything `tailscope png` does short of writing the file
 * (tui/cli/png.c): open the run and its ground truth, find the sample, find
 * and load its image, analyse it and build its boxes (render/overlay.h).
 * Exposed so that tests can compare png's boxes and image path with the
 * debugger's (tests/unit/test_differential.c). */
#ifndef TS_PNG_JOB_H
#define TS_PNG_JOB_H

#include <stddef.h>

#include "overlay.h"
#include "render.h"
#include "run.h"

typedef struct png_req {
	const char *traces;      /* the run (directory or JSONL) */
	const char *sample;      /* image id, else a file name / custom id */
	const char *gt_path;     /* --gt (NULL: the run's) */
	const char *images_dir;  /* --images (NULL: the run's) */
	const char *image;       /* --image (NULL: found in the images directory) */
	int coords_set;
	analysis_opts an;
	policy pol;
	trace_limits trace_lim;
	render_limits image_lim;
} png_req;

/* --sample ID, defaults: policy off, default limits. */
void png_req_default(png_req *r);

typedef struct png_job {
	run_info *ri;
	gt *g;
	trace *t;
	size_t line;             /* the sample's line in the traces file */
	const gt_image *gimg;    /* NULL: no ground truth or not in it */
	char *path;              /* the image file */
	render_image *img;
	sample *s;
	render_box *boxes;
	size_t n_boxes, cap_boxes;
	render_overlay_stats stats;
	double sx, sy;           /* box coordinates -> image pixels */
} png_job;

/* Returns 0 with *j filled, or -1 with the reason printed on stderr
 * ("tailscope png: ...", sanitized).  png_job_free either way. */
int  png_job_prepare(const png_req *r, png_job *j);
void png_job_free(png_job *j);

#endif
