/* test_runimg.c — the debugger's other-sample loader (tui/model/runimg.c,
 * the runs view and the gallery) and render_image_shrink (run from the
 * repository root).
 *
 *   - runimg's boxes are `tailscope png`'s (png_job_prepare, policy off)
 *     for every sample of the fixture runs with images: same count, same
 *     styles and counts, the same pixel rectangles once each side's scale
 *     is applied;
 *   - runimg_find matches run-a's and run-c's samples by image (run-c's
 *     traces name the same ids, line for line);
 *   - render_image_shrink: a 4x2 image to at most 2 pixels is 2x1, each
 *     pixel the mean of its 2x2 block (worked out by hand below); an image
 *     that fits is copied; a shrunk thumbnail keeps its boxes in place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "png_job.h"
#include "runimg.h"
#include "session.h"

static int png_quiet(const png_req *rq, png_job *j)
{
	fflush(stderr);
	int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
	if (devnull >= 0)
		dup2(devnull, 2);
	int rc = png_job_prepare(rq, j);
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	if (devnull >= 0)
		close(devnull);
	return rc;
}

static void open_session(session *s, const char *const *paths, size_t n)
{
	session_opts o;
	session_opts_default(&o);
	ts_error e;
	assert_int_equal(session_open(s, (char *const *)paths, n, &o, NULL, NULL, &e), TS_OK);
	while (session_idle(s, 64))
		;
}

static void test_boxes_are_pngs(void **st)
{
	(void)st;
	static const char *const runs[] = {"tests/data/tui/run-a", "sample_runs/lora-qv-r64"};
	size_t compared = 0;
	for (size_t k = 0; k < 2; k++) {
		session s;
		open_session(&s, &runs[k], 1);
		const session_run *r = &s.runs[0];
		for (size_t i = 0; i < r->n; i++) {
			runimg ri;
			int rc = runimg_load(r, i, 1, &s.rlim, &ri);
			char id[32];
			snprintf(id, sizeof id, "%zu", i + 1); /* both runs name images 1..n in order */
			png_req rq;
			png_req_default(&rq);
			rq.traces = runs[k];
			rq.sample = id;
			png_job j;
			int prc = png_quiet(&rq, &j);
			/* png also needs the image file; runimg draws on a canvas without one */
			if (prc == 0)
				assert_int_equal(rc, 0);
			if (rc == 0 && prc == 0) {
				assert_int_equal(ri.n_boxes, j.n_boxes);
				assert_int_equal(ri.img->w, j.img->w);
				for (size_t b = 0; b < ri.n_boxes; b++) {
					const render_box *x = &ri.boxes[b], *y = &j.boxes[b];
					assert_int_equal(x->style, y->style);
					assert_int_equal(x->count, y->count);
					assert_true(fabs(x->x1 * ri.sx - y->x1 * j.sx) < 1e-9);
					assert_true(fabs(x->y2 * ri.sy - y->y2 * j.sy) < 1e-9);
				}
				compared++;
			}
			png_job_free(&j);
			runimg_free(&ri);
		}
		session_free(&s);
	}
	printf("# %zu samples compared with png\n", compared);
	assert_true(compared >= 2 + 24);
}

static void test_find_across_runs(void **st)
{
	(void)st;
	static const char *const runs[] = {"tests/data/tui/run-a", "tests/data/tui/run-c"};
	session s;
	open_session(&s, runs, 2);
	for (size_t i = 0; i < 4; i++) /* line 5 is not JSON: no key */
		assert_int_equal(runimg_find(&s.runs[1], s.runs[0].items[i].key), i);
	assert_int_equal(runimg_find(&s.runs[1], NULL), (size_t)-1);
	session_free(&s);
}

static void test_shrink(void **st)
{
	(void)st;
	render_image *a = render_image_new(4, 2);
	assert_non_null(a);
	/* red channel: row 0: 0 10 20 30, row 1: 40 50 60 70; alpha 255 */
	for (int i = 0; i < 8; i++) {
		a->rgba[i * 4] = (uint8_t)(i * 10);
		a->rgba[i * 4 + 3] = 255;
	}
	render_image *b = render_image_shrink(a, 2);
	assert_non_null(b);
	assert_int_equal(b->w, 2);
	assert_int_equal(b->h, 1);
	assert_int_equal(b->rgba[0], (0 + 10 + 40 + 50) / 4);  /* 25 */
	assert_int_equal(b->rgba[4], (20 + 30 + 60 + 70) / 4); /* 45 */
	assert_int_equal(b->rgba[3], 255);
	render_image *c = render_image_shrink(a, 4);
	assert_non_null(c);
	assert_int_equal(c->w, 4);
	assert_memory_equal(c->rgba, a->rgba, 32);
	render_image_free(a);
	render_image_free(b);
	render_image_free(c);
}

/* The gallery's thumbnails (N > 1): image at most N pixels, the boxes
 * scaled with it (same place relative to the image). */
static void test_shrunk_thumbnail(void **st)
{
	(void)st;
	static const char *const runs[] = {"sample_runs/lora-qv-r64"};
	session s;
	open_session(&s, runs, 1);
	runimg full, th;
	assert_int_equal(runimg_load(&s.runs[0], 0, 1, &s.rlim, &full), 0);
	assert_int_equal(runimg_load(&s.runs[0], 0, 200, &s.rlim, &th), 0);
	assert_true(th.img->w <= 200 && th.img->h <= 200);
	assert_int_equal(th.img->w, 200); /* 800x600 -> 200x150 */
	assert_int_equal(th.img->h, 150);
	assert_int_equal(th.n_boxes, full.n_boxes);
	for (size_t b = 0; b < th.n_boxes; b++)
		assert_true(fabs(th.boxes[b].x2 * th.sx / th.w - full.boxes[b].x2 * full.sx / full.w) < 1e-9);
	runimg_free(&full);
	runimg_free(&th);
	session_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boxes_are_pngs), cmocka_unit_test(test_find_across_runs),
		cmocka_unit_test(test_shrink), cmocka_unit_test(test_shrunk_thumbnail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
