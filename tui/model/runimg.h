/* runimg.h — one sample of one run as `tailscope png` draws it, for the
 * debugger's views that show samples other than the one on screen (the
 * several-runs image, the gallery): the trace line, its analysis, the
 * image file (optional) and the export's boxes (render/overlay.h, policy
 * off, the record scores as png takes them).  The steps are png_job's
 * (tui/cli/png.c) on the session's already open run; no curses, errors are
 * values (a sanitized message in err). */
#ifndef TS_RUNIMG_H
#define TS_RUNIMG_H

#include <stddef.h>

#include "overlay.h"
#include "render.h"
#include "session.h"

typedef struct runimg {
	trace *t;
	sample *s;
	const gt_image *gimg;    /* NULL without ground truth / not in it */
	render_image *img;       /* the image file, NULL when none or not loaded */
	render_box *boxes;       /* the export's boxes (overlay.h), policy off */
	size_t n_boxes, cap_boxes;
	render_overlay_stats stats;
	double sx, sy;           /* box coordinates -> pixels of img (or of the
	                          * canvas w x h below when img is NULL) */
	uint32_t w, h;           /* the pixel space the boxes are placed in */
	char err[TS_ERROR_MSG_MAX]; /* sanitized, when runimg_load failed */
} runimg;

/* The sample of run r with the image reference `key` (slist_item.key:
 * the runs' matching rule, compare.h), or (size_t)-1. */
size_t runimg_find(const session_run *r, const char *key);

/* Loads sample idx of run r: with_image 1 also decodes its image file (lim:
 * the session's limits), N > 1 keeps it shrunk to N pixels on its longer
 * side (render_image_shrink; the boxes follow).  Returns 0, or -1 with err set (what loaded is
 * kept; runimg_free either way). */
int runimg_load(const session_run *r, size_t idx, int with_image, const render_limits *lim,
                runimg *o);
void runimg_free(runimg *o);

#endif
