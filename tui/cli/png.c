/* png.c — `tailscope png`: one sample's image with its boxes, as a PNG at
 * the image's own size, for bug reports and slides.
 *
 *   tailscope png [OPTIONS] TRACES --sample IMAGE_ID -o out.png
 *   (options: tui/cli/cli.c)
 *
 * Boxes: render/overlay.h, the builder the debugger uses too.  The image:
 * analysis/run.h run_image_path (the ground truth's file_name, else the
 * trace's file_name/image, in the images directory); --image overrides.
 * Exit: 0 written; 2 bad usage, sample or image not found, image corrupt,
 * truncated or too large (message naming it; no output file is created).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "confidence.h"
#include "png_job.h"
#include "policy.h"
#include "overlay.h"
#include "render.h"
#include "run.h"
#include "sanitize.h"

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

void png_req_default(png_req *r)
{
	memset(r, 0, sizeof *r);
	analysis_opts_default(&r->an);
	r->pol.kind = POLICY_OFF;
	trace_limits_default(&r->trace_lim);
	render_limits_default(&r->image_lim);
}

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

/* The needles for a sample reference: the argument, the id in decimal, the
 * ground-truth file name's base and stem for an id. */
static void ref_needles(const gt *g, int is_id, int64_t want_id, char idbuf[32], char base[256],
                        char stem[256])
{
	idbuf[0] = base[0] = stem[0] = '\0';
	if (!is_id)
		return;
	snprintf(idbuf, 32, "%lld", (long long)want_id);
	const gt_image *im = g ? gt_find_image_id(g, want_id) : NULL;
	if (im && im->file_name[0]) {
		snprintf(base, 256, "%s", base_of(im->file_name));
		snprintf(stem, 256, "%s", base);
		char *dot = strrchr(stem, '.');
		if (dot && dot != stem)
			*dot = '\0';
	}
}

/* The ground truth, loaded on a thread (gt_async) while the traces are
 * scanned; taken once. */
typedef struct gt_bg {
	const char *path;  /* NULL: none */
	gt_async *a;       /* NULL once taken (or none) */
	gt *g;
	ts_error err;
	ts_status st;
} gt_bg;

/* 0 on out of memory (then nothing runs: the load is said failed). */
static int gt_bg_start(gt_bg *b, const char *path)
{
	memset(b, 0, sizeof *b);
	b->path = path;
	if (path && !(b->a = gt_async_start(path))) {
		b->st = ts_error_set(&b->err, TS_ERR_NOMEM, "%s: out of memory", path);
		return 0;
	}
	return 1;
}

static int gt_bg_done(gt_bg *b)
{
	return !b->a || gt_async_wait(b->a, 0);
}

/* Waits for the load; the ground truth (NULL: none or failed). */
static const gt *gt_bg_join(gt_bg *b)
{
	if (b->a) {
		b->st = gt_async_take(b->a, &b->g, NULL, &b->err);
		b->a = NULL;
	}
	return b->g;
}

/* Entry i of the scan worth parsing?  Entries flagged while the ground
 * truth was loading (i < n_early: their lines were tested for the argument,
 * the id, a file name key or an escape) get the exact test now. */
static int worth_parsing(trace_index *ix, size_t i, size_t n_early, const char *const *needles)
{
	int m = trace_index_mentioned(ix, i);
	if (i < n_early && m != 0)
		m = trace_index_mentions(ix, i, needles, 4);
	return m != 0;
}

/* Through the line index, in one pass: the scan tests the needles
 * (ref_needles) on each line while it has it, and only the entries that
 * mention one are parsed, in file order, as soon as they are indexed; the
 * scan stops at the first that matches.  For an id the ground truth's file
 * name is a needle too: while it loads (bg, on its thread) the scan goes on
 * with the needles it has plus "file_name", "image" and escapes (only a
 * line naming a file can match by one); those entries get the exact test
 * when it is in.  1 found, 0 not (the caller then reads every sample: a
 * reference written with escapes or as 1.25e3 still matches there).  The
 * ground truth is joined before it returns. */
static int find_by_index(const png_req *o, const run_info *ri, gt_bg *bg, int is_id,
                         int64_t want_id, trace **out, size_t *line)
{
	trace_index *ix;
	ts_error err;
	if (trace_index_open(ri->traces_path, &o->trace_lim, &ix, &err) != TS_OK) {
		gt_bg_join(bg);
		return 0; /* the full read says what is wrong */
	}
	char idbuf[32], base[256], stem[256];
	ref_needles(NULL, is_id, want_id, idbuf, base, stem);
	const char *needles[4] = { o->sample, idbuf, base, stem };
	const char *early[5] = { o->sample, idbuf, "file_name", "\"image\"", "\\u" };
	const gt *g = NULL;
	int gt_in = 0, found = 0, finished = 0, wait = is_id && bg->path;
	size_t i = 0, n_early = 0;
	if (trace_index_watch(ix, wait ? early : needles, wait ? 5 : 4, &err) != TS_OK)
		finished = 1;
	while (!found) {
		if (!gt_in && (finished || gt_bg_done(bg))) {
			g = gt_bg_join(bg);
			gt_in = 1;
			if (wait) { /* the rest with the exact needles */
				n_early = trace_index_count(ix);
				ref_needles(g, is_id, want_id, idbuf, base, stem);
				if (trace_index_watch(ix, needles, 4, &err) != TS_OK)
					n_early = SIZE_MAX;
			}
		}
		for (; (gt_in || !wait) && i < trace_index_count(ix) && !found; i++) {
			if (!worth_parsing(ix, i, n_early, needles))
				continue;
			trace *t = NULL;
			if (trace_index_load(ix, i, &t, &err) != TS_OK)
				continue;
			if (trace_matches(t, g, o->sample, is_id, want_id)) {
				*out = t;
				*line = trace_index_lineno(ix, i);
				found = 1;
			} else {
				trace_free(t);
			}
		}
		if (found || (finished && gt_in) ||
		    (!finished && trace_index_step(ix, (uint64_t)8 << 20, &finished, &err) != TS_OK))
			break;
	}
	gt_bg_join(bg);
	trace_index_free(ix);
	return found;
}

/* Reads the traces until the sample; *out NULL when absent.  Bad lines are
 * skipped (they cannot be the sample we are asked for with certainty). */
static int find_trace(const png_req *o, const run_info *ri, const gt *g, trace **out, size_t *line)
{
	*out = NULL;
	int64_t want_id = 0;
	int is_id = parse_id(o->sample, &want_id);
	trace_file *tf;
	ts_error err;
	trace_limits tlim;
	run_trace_limits(ri, &o->trace_lim, &tlim);
	if (trace_file_open(ri->traces_path, &tlim, &tf, &err) != TS_OK) {
		say(err.msg);
		return -1;
	}
	size_t skipped = 0;
	for (;;) {
		trace *t = NULL;
		ts_status st = trace_file_next(tf, &t, line, &err);
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
static char *image_path(const png_req *o, const run_info *ri, const gt_image *gimg,
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
	const char *dir = o->images_dir ? o->images_dir : ri->images_dir;
	if (!dir) {
		sayf("sample '%s' shows '%s' but %s has no images/ directory; use --image FILE",
		     o->sample, name, ri->path);
		return NULL;
	}
	char *p = run_image_path(dir, name);
	if (!p)
		sayf("sample '%s': no usable image file name in '%s'; use --image FILE", o->sample, name);
	return p;
}

/* ---- the job ---- */

int png_job_prepare(const png_req *o, png_job *j)
{
	memset(j, 0, sizeof *j);
	ts_error err;
	analysis_opts an = o->an;
	if (run_open(o->traces, &j->ri, &err) != TS_OK) {
		say(err.msg);
		return -1;
	}
	for (const char *l = j->ri->warnings; l && *l; l += strcspn(l, "\n") + 1)
		sayf("%.*s", (int)strcspn(l, "\n"), l); /* run.json fields ignored */
	run_apply_opts(j->ri, o->coords_set, &an);
	const char *gt_path = o->gt_path ? o->gt_path : j->ri->gt_path;
	gt_bg bg; /* loads while the index scan looks for the sample */
	int64_t want_id = 0;
	int is_id = parse_id(o->sample, &want_id);
	int found = gt_bg_start(&bg, gt_path) &&
	            find_by_index(o, j->ri, &bg, is_id, want_id, &j->t, &j->line) == 1;
	j->g = bg.g;
	if (gt_path && bg.st != TS_OK) {
		say(bg.err.msg);
		if (o->gt_path) /* asked for explicitly: nothing sensible to draw */
			return -1;
		say("continuing without ground truth");
	}
	if (!found && find_trace(o, j->ri, j->g, &j->t, &j->line) != 0)
		return -1;
	j->gimg = j->g ? run_find_image(j->g, j->t) : NULL;
	if (j->g && !j->gimg)
		sayf("sample '%s' is not in %s: drawing predictions only", o->sample, gt_path);
	j->path = image_path(o, j->ri, j->gimg, j->t);
	if (!j->path)
		return -1;
	if (render_image_load(j->path, &o->image_lim, &j->img, &err) != TS_OK) {
		say(err.msg);
		return -1;
	}
	if (sample_analyze(j->t, j->g, j->gimg, j->img->w, j->img->h, &an, &j->s, &err) != TS_OK) {
		sayf("sample '%s': %s", o->sample, err.msg);
		return -1;
	}
	/* the export: the whole list, cut copies drawn as cut, the tail flagged,
	 * each record's score (the trace's logprobs, as report's AP uses) */
	size_t nr = sample_n_records(j->s);
	double *score = malloc((nr ? nr : 1) * sizeof *score);
	for (size_t i = 0; score && i < nr; i++)
		score[i] = conf_record_score(j->t, &sample_records(j->s)[i], CONF_SCORE_MEAN);
	render_overlay_req rq;
	render_overlay_req_export(&rq, j->s, j->g, j->gimg, sample_outcome_for(j->s, &o->pol).cut,
	                          score);
	ts_status bst = render_overlay_boxes(&rq, &j->boxes, &j->cap_boxes, &j->n_boxes, &j->stats);
	free(score); /* the boxes keep copies of the scores */
	if (bst != TS_OK) {
		say("out of memory");
		return -1;
	}
	/* boxes are in the ground truth's pixel space when it gives a size */
	j->sx = j->sy = 1.0;
	if (j->gimg && j->gimg->width > 0 && j->gimg->height > 0) {
		j->sx = j->img->w / j->gimg->width;
		j->sy = j->img->h / j->gimg->height;
	}
	return 0;
}

void png_job_free(png_job *j)
{
	free(j->boxes);
	free(j->path);
	render_image_free(j->img);
	sample_free(j->s);
	trace_free(j->t);
	gt_free(j->g);
	run_info_free(j->ri);
	memset(j, 0, sizeof *j);
}

/* ---- the command ---- */

/* The options into a request; 0 ok, else the exit code (usage said). */
static int to_request(const cli_command *cmd, const cli_values *v, png_req *r)
{
	png_req_default(r);
	if (v->n_pos == 0)
		return cli_usage_error(cmd, "missing TRACES");
	if (v->n_pos > RENDER_RUN_STYLES) {
		char m[300];
		snprintf(m, sizeof m, "at most %d TRACES (one box style each; '%.200s' is extra)",
		         RENDER_RUN_STYLES, v->pos[RENDER_RUN_STYLES]);
		return cli_usage_error(cmd, m);
	}
	if (v->n_pos > 1 && v->caption)
		return cli_usage_error(cmd, "--caption takes one TRACES (several runs get a run legend)");
	if (!v->sample)
		return cli_usage_error(cmd, "missing --sample IMAGE_ID");
	if (!v->out)
		return cli_usage_error(cmd, "missing -o FILE.png");
	if (v->pol_set && v->ex.n_pol != 1)
		return cli_usage_error(cmd, "--policy takes one policy here");
	r->traces = v->pos[0];
	r->sample = v->sample;
	r->gt_path = v->ex.gt_path;
	r->images_dir = v->images_dir;
	r->image = v->image;
	r->coords_set = v->ex.coords_set;
	r->an = v->ex.an;
	if (v->pol_set)
		r->pol = v->ex.pol[0];
	r->trace_lim = v->lim.trace;
	r->image_lim = v->lim.image;
	return 0;
}

/* ---- several runs on one image ---- */

/* `tailscope png RUN1 RUN2 ... --sample N -o f.png`: the first run's image,
 * its ground truth once, each run's predictions in its run style, and the
 * run legend below (render_runs_legend_add).  Exit 0 written, 2 otherwise. */
static int png_runs(const png_req *rq0, const cli_values *v)
{
	png_job j[RENDER_RUN_STYLES];
	const char *names[RENDER_RUN_STYLES];
	render_run_boxes rb[RENDER_RUN_STYLES];
	size_t nj = 0, n = 0;
	render_box *all = NULL;
	render_image *out = NULL;
	ts_error err;
	int rc = 2;
	for (; nj < v->n_pos; nj++) {
		png_req rq = *rq0;
		rq.traces = v->pos[nj];
		if (png_job_prepare(&rq, &j[nj]) != 0) {
			png_job_free(&j[nj]);
			goto done;
		}
		names[nj] = j[nj].ri && j[nj].ri->name ? j[nj].ri->name : v->pos[nj];
		/* into the first run's image pixels (its image may differ in size) */
		double fx = (double)j[0].img->w / j[nj].img->w, fy = (double)j[0].img->h / j[nj].img->h;
		rb[nj] = (render_run_boxes){j[nj].boxes, j[nj].n_boxes, j[nj].sx * fx, j[nj].sy * fy};
	}
	int with_gt = j[0].g && j[0].gimg;
	if (render_runs_boxes(rb, nj, ~0u, with_gt, &all, &n, &err) != TS_OK) {
		say(err.msg);
		goto done;
	}
	render_draw_boxes(j[0].img, all, n, 1.0, 1.0);
	if (render_runs_legend_add(j[0].img, names, nj, with_gt, &out, &err) != TS_OK ||
	    render_png_write(out, v->out, &err) != TS_OK) {
		say(err.msg);
		goto done;
	}
	char out_s[600];
	sanitize_cstr(v->out, out_s, sizeof out_s, 0);
	printf("%s: %ux%u, %zu runs on one image\n", out_s, out->w, out->h, nj);
	for (size_t k = 0; k < nj; k++) {
		char nm[200];
		sanitize_cstr(names[k], nm, sizeof nm, 60);
		printf("  run %zu %s: %s, %zu predicted box(es)\n", k + 1, nm,
		       render_style_name(render_run_style(k)), j[k].stats.pred);
	}
	rc = 0;
done:
	render_image_free(out);
	free(all);
	for (size_t k = 0; k < nj; k++)
		png_job_free(&j[k]);
	return rc;
}

int cmd_png(int argc, char **argv)
{
	const cli_command *cmd = cli_command_find("png");
	cli_values v;
	png_req rq;
	int rc = cli_parse(cmd, argc, argv, &v);
	if (rc == 0)
		rc = to_request(cmd, &v, &rq);
	if (rc != 0) {
		cli_values_free(&v);
		return rc == 1 ? 0 : 2;
	}
	if (v.n_pos > 1) {
		rc = png_runs(&rq, &v);
		cli_values_free(&v);
		return rc;
	}
	png_job j;
	rc = 2;
	ts_error err;
	if (png_job_prepare(&rq, &j) != 0)
		goto done;
	render_draw_boxes(j.img, j.boxes, j.n_boxes, j.sx, j.sy);
	if (v.caption) { /* for slides: run, sample, step, policy and the legend */
		char cap[600], pn[64], rn[200], sn[200];
		render_image *c = NULL;
		sanitize_cstr(j.ri && j.ri->name ? j.ri->name : rq.traces, rn, sizeof rn, 60);
		sanitize_cstr(rq.sample, sn, sizeof sn, 60);
		size_t n = trace_n_steps(j.t);
		snprintf(cap, sizeof cap, "%s  sample %s  step %zu/%zu  policy %s", rn, sn, n, n,
		         policy_name(&rq.pol, pn, sizeof pn));
		if (render_caption_add(j.img, cap, 1, &c, &err) != TS_OK) {
			say(err.msg);
			goto done;
		}
		render_image_free(j.img);
		j.img = c;
	}
	if (render_png_write(j.img, v.out, &err) != TS_OK) {
		say(err.msg);
		goto done;
	}
	char out_s[600], img_s[600];
	sanitize_cstr(v.out, out_s, sizeof out_s, 0);
	sanitize_cstr(j.path, img_s, sizeof img_s, 0);
	int with_gt = j.g && j.gimg;
	printf("%s: %ux%u from %s, %zu predicted box(es)%s", out_s, j.img->w, j.img->h, img_s,
	       j.stats.pred, with_gt ? "" : "\n");
	if (with_gt)
		printf(", %zu ground truth\n", j.stats.gt);
	if (j.stats.cut)
		printf("  %zu value(s) with copies cut by the policy (grey, dotted)\n", j.stats.cut);
	rc = 0;
done:
	png_job_free(&j);
	cli_values_free(&v);
	return rc;
}
