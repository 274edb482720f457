/* png.c — `tailscope png`: one sample's image with its boxes, as a PNG at
 * the image's own size, for bug reports and slides.
 *
 *   tailscope png [--gt GT] [--coords NAME] [--policy P] [--iou LIST]
 *                 [--image FILE] TRACES --sample IMAGE_ID -o out.png
 *
 * Boxes (render.h styles): ground truth dashed green outside the box (yellow
 * when no kept prediction matched it at the first IoU threshold); each
 * distinct predicted value once: cyan (no ground truth or TP), red (FP),
 * magenta with a stack and "xN" when it was emitted N >= 2 times in the kept
 * records; values that only occur in records the policy cut are grey dotted.
 *
 * The image is <images dir>/<file name> (the ground truth's file_name, else
 * the trace's file_name/image), else <images dir>/<its base name>; names
 * from the data never leave the images directory.  --image overrides.
 * Exit: 0 written; 2 bad usage, sample or image not found, image corrupt,
 * truncated or too large (message naming it; no output file is created).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "policy.h"
#include "overlay.h"
#include "render.h"
#include "run.h"
#include "sanitize.h"

static const char png_usage[] =
	"usage: tailscope png [OPTIONS] TRACES --sample IMAGE_ID -o FILE.png\n"
	"\n"
	"Writes one sample's image at its own size with the predicted boxes and,\n"
	"when ground truth is loaded, the ground-truth boxes.\n"
	"TRACES: a run directory (run.json, gt.json, images/, traces.jsonl) or a traces JSONL file.\n"
	"\n"
	"  --sample ID       the sample: an image id, else a file name / custom id as in the trace\n"
	"  -o, --output FILE the PNG to write (atomically: temp file + rename)\n"
	"  --gt FILE         COCO instances ground truth (default: the run's gt.json)\n"
	"  --coords NAME     qwen3 | qwen25 | gemini | paligemma | xyxy | auto (default: run.json, else auto)\n"
	"  --policy P        off | repeat_stop | budget:N (default off); records the policy\n"
	"                    drops are drawn grey and dotted\n"
	"  --iou LIST        IoU thresholds; the first decides TP/FP colours (default 0.3,0.5)\n"
	"  --image FILE      the image file (default: found in the run's images/ directory)\n"
	"  -h, --help        this help\n"
	"\n"
	"Box styles: ground truth green dashed (yellow: missed), prediction cyan (TP),\n"
	"red (FP), magenta thick with a stack and xN (exact duplicates), grey dotted (cut).\n"
	"\n"
	"exit status: 0 written, 2 bad usage or nothing written\n";

/* Prints "tailscope png: MSG" with MSG sanitized (it may quote input). */
static void say(const char *msg)
{
	char buf[1200];
	sanitize(msg, strlen(msg), buf, sizeof buf, 0);
	fprintf(stderr, "tailscope png: %s\n", buf);
}

static void sayf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sayf(const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	say(msg);
}

typedef struct png_opts {
	const char *traces, *gt_path, *sample, *out, *image;
	int coords_set;
	analysis_opts an;
	policy pol;
} png_opts;

/* ---- finding the sample ---- */

static int parse_id(const char *s, int64_t *id)
{
	if (!s || !*s)
		return 0;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return 0;
	*id = (int64_t)v;
	return 1;
}

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int trace_matches(const trace *t, const gt *g, const char *want, int want_is_id,
                         int64_t want_id)
{
	int64_t id;
	if (want_is_id) {
		if (trace_image_id(t, &id))
			return id == want_id;
		if (g) {
			const gt_image *im = run_find_image(g, t);
			if (im && im->id == want_id)
				return 1;
		}
	}
	const char *fn = trace_file_name(t);
	if (fn && (!strcmp(fn, want) || !strcmp(base_of(fn), want)))
		return 1;
	const char *cid = trace_custom_id(t);
	if (cid && !strcmp(cid, want))
		return 1;
	return 0;
}

/* Reads the traces until the sample; *out NULL when absent.  Bad lines are
 * skipped (they cannot be the sample we are asked for with certainty). */
static int find_trace(const png_opts *o, const run_info *ri, const gt *g, trace **out)
{
	*out = NULL;
	int64_t want_id = 0;
	int is_id = parse_id(o->sample, &want_id);
	trace_limits lim;
	trace_limits_default(&lim);
	trace_file *tf;
	ts_error err;
	if (trace_file_open(ri->traces_path, &lim, &tf, &err) != TS_OK) {
		say(err.msg);
		return -1;
	}
	size_t skipped = 0;
	for (;;) {
		trace *t = NULL;
		ts_status st = trace_file_next(tf, &t, NULL, &err);
		if (st == TS_EOF)
			break;
		if (st != TS_OK) {
			skipped++;
			continue;
		}
		if (trace_matches(t, g, o->sample, is_id, want_id)) {
			*out = t;
			break;
		}
		trace_free(t);
	}
	trace_file_close(tf);
	if (!*out) {
		sayf("sample '%s' not found in %s%s", o->sample, ri->traces_path,
		     skipped ? " (some lines could not be read)" : "");
		return -1;
	}
	return 0;
}

/* ---- finding the image file ---- */

/* Returns a malloc'd path, or NULL with the reason said. */
static char *image_path(const png_opts *o, const run_info *ri, const gt_image *gimg,
                        const trace *t)
{
	if (o->image)
		return strdup(o->image);
	const char *name = NULL;
	if (gimg && gimg->file_name && gimg->file_name[0])
		name = gimg->file_name;
	else
		name = trace_file_name(t);
	if (!name || !name[0]) {
		sayf("sample '%s': no image file name (no ground truth entry and no file_name in the "
		     "trace); use --image FILE", o->sample);
		return NULL;
	}
	if (!ri->images_dir) {
		sayf("sample '%s' shows '%s' but %s has no images/ directory; use --image FILE",
		     o->sample, name, ri->path);
		return NULL;
	}
	char *p = run_image_path(ri->images_dir, name);
	if (!p)
		sayf("sample '%s': no usable image file name in '%s'; use --image FILE", o->sample, name);
	return p;
}

/* ---- the command ---- */

static int parse_args(int argc, char **argv, png_opts *o)
{
	memset(o, 0, sizeof *o);
	analysis_opts_default(&o->an);
	o->pol.kind = POLICY_OFF;
	ts_error err;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(png_usage, stdout);
			return 1;
		} else if (!strcmp(a, "--sample") && more) {
			o->sample = argv[++i];
		} else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && more) {
			o->out = argv[++i];
		} else if (!strcmp(a, "--gt") && more) {
			o->gt_path = argv[++i];
		} else if (!strcmp(a, "--image") && more) {
			o->image = argv[++i];
		} else if (!strcmp(a, "--coords") && more) {
			if (coords_parse(argv[++i], &o->an.coords.kind) != TS_OK) {
				sayf("unknown --coords '%s' (qwen3, qwen25, gemini, paligemma, xyxy, auto)",
				     argv[i]);
				return -1;
			}
			o->coords_set = 1;
		} else if (!strcmp(a, "--policy") && more) {
			if (policy_parse(argv[++i], &o->pol, &err) != TS_OK) {
				say(err.msg);
				return -1;
			}
		} else if (!strcmp(a, "--iou") && more) {
			if (analysis_parse_iou(argv[++i], &o->an, &err) != TS_OK) {
				say(err.msg);
				return -1;
			}
		} else if (a[0] == '-' && a[1]) {
			sayf("unknown or incomplete option '%s'", a);
			return -1;
		} else if (!o->traces) {
			o->traces = a;
		} else {
			sayf("one TRACES argument only ('%s' is extra)", a);
			return -1;
		}
	}
	if (!o->traces || !o->sample || !o->out) {
		say(!o->traces ? "missing TRACES" : !o->sample ? "missing --sample IMAGE_ID"
		                                               : "missing -o FILE.png");
		return -1;
	}
	return 0;
}

int cmd_png(int argc, char **argv)
{
	png_opts o;
	int pa = parse_args(argc, argv, &o);
	if (pa > 0)
		return 0;
	if (pa < 0) {
		fputs("usage: tailscope png [OPTIONS] TRACES --sample IMAGE_ID -o FILE.png "
		      "(--help for more)\n", stderr);
		return 2;
	}

	int rc = 2;
	ts_error err;
	run_info *ri = NULL;
	gt *g = NULL;
	trace *t = NULL;
	sample *s = NULL;
	render_image *img = NULL;
	char *path = NULL;
	render_box *bx = NULL;
	size_t bx_cap = 0, bx_n = 0;

	if (run_open(o.traces, &ri, &err) != TS_OK) {
		say(err.msg);
		goto done;
	}
	if (!o.coords_set && ri->coords != COORDS_AUTO)
		o.an.coords.kind = ri->coords;
	const char *gt_path = o.gt_path ? o.gt_path : ri->gt_path;
	if (gt_path) {
		size_t skipped = 0;
		if (gt_load(gt_path, &g, &skipped, &err) != TS_OK) {
			say(err.msg);
			if (o.gt_path)
				goto done; /* asked for explicitly: nothing sensible to draw */
			say("continuing without ground truth");
			g = NULL;
		}
	}
	if (find_trace(&o, ri, g, &t) != 0)
		goto done;
	const gt_image *gimg = g ? run_find_image(g, t) : NULL;
	if (g && !gimg)
		sayf("sample '%s' is not in %s: drawing predictions only", o.sample, gt_path);

	path = image_path(&o, ri, gimg, t);
	if (!path)
		goto done;
	if (render_image_load(path, NULL, &img, &err) != TS_OK) {
		say(err.msg);
		goto done;
	}

	if (sample_analyze(t, g, gimg, img->w, img->h, &o.an, &s, &err) != TS_OK) {
		sayf("sample '%s': %s", o.sample, err.msg);
		goto done;
	}
	render_overlay_req rq;
	render_overlay_req_full(&rq, s, g, gimg, sample_outcome_for(s, &o.pol).cut);
	render_overlay_stats ns;
	if (render_overlay_boxes(&rq, &bx, &bx_cap, &bx_n, &ns) != TS_OK) {
		say("out of memory");
		goto done;
	}
	/* boxes are in the ground truth's pixel space when it gives a size */
	double sx = 1.0, sy = 1.0;
	if (gimg && gimg->width > 0 && gimg->height > 0) {
		sx = img->w / gimg->width;
		sy = img->h / gimg->height;
	}
	render_draw_boxes(img, bx, bx_n, sx, sy);
	if (render_png_write(img, o.out, &err) != TS_OK) {
		say(err.msg);
		goto done;
	}
	char out_s[600], img_s[600];
	sanitize_cstr(o.out, out_s, sizeof out_s, 0);
	sanitize_cstr(path, img_s, sizeof img_s, 0);
	printf("%s: %ux%u from %s, %zu predicted box(es)%s", out_s, img->w, img->h, img_s, ns.pred,
	       g && gimg ? "" : "\n");
	if (g && gimg)
		printf(", %zu ground truth\n", ns.gt);
	if (ns.cut)
		printf("  %zu value(s) only in records cut by the policy (grey, dotted)\n", ns.cut);
	rc = 0;
done:
	free(bx);
	free(path);
	render_image_free(img);
	sample_free(s);
	trace_free(t);
	gt_free(g);
	run_info_free(ri);
	return rc;
}
