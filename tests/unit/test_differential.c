/* test_differential.c — the debugger's numbers and boxes against the other
 * commands', over every fixture run and sample run (run from the repository
 * root; make check does).
 *
 * For each run:
 *   - the session (tui/model/session.c, headless, as the debugger computes them:
 *     badges in idle time, the view's outcome for every policy of the `o`
 *     cycle, the run metrics) against `tailscope report --json --per-sample
 *     --policy <the cycle>` (export_json over export_run_analyze): every run
 *     number per policy, and per sample records, duplicates, max repeat,
 *     termination, stop step, tokens and TP/FP/FN at every threshold;
 *   - the debugger's export box list (ui_export_boxes, what x draws; nothing
 *     selected, ground truth shown) against `tailscope png`'s
 *     (png_job_prepare) for every policy, with the same image file.
 * And two cases that used to disagree, written at run time:
 *   - a crowd ground-truth box is never "missed" (report never counts it as
 *     FN; the TUI drew it yellow);
 *   - a ground-truth file_name "train2017/img1.png" with the file at
 *     images/img1.png: png found it, the debugger said "cannot open".
 * Expected values for the written run are worked out by hand (below). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_helpers.h"

#include <cJSON.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "png_job.h"
#include "session.h"
#include "ui.h"
#include "view.h"

static const char *const fixture_runs[] = {
	"tests/data/tui/run-a", "tests/data/tui/run-b", "tests/data/tui/run-c",
	"tests/data/tui/edge.jsonl", "tests/data/report/mini", "tests/data/report/nosize",
	"tests/data/report/policies", "tests/data/report/bad_lines.jsonl",
	"tests/data/hostile/run", "tests/data/hostile/badcoords", "tests/data/hostile/nogt.jsonl",
	"tests/data/traces/containers.jsonl", "sample_runs/base", "sample_runs/lora-qkvo-r16",
	"sample_runs/lora-qkvo-r16-budget12", "sample_runs/lora-qv-r16", "sample_runs/lora-qv-r4",
	"sample_runs/lora-qv-r64", "sample_runs/family-deepseek-vl2", "sample_runs/family-florence2",
	"sample_runs/family-gemini-extras", "sample_runs/family-internvl", "sample_runs/family-kosmos2",
	"sample_runs/family-molmo-points", "sample_runs/family-moondream", "sample_runs/family-qwen-points",
	"sample_runs/family-qwen2-vl", "tests/data/realmodel/dense2-final", "tests/data/realmodel/dense2-early",
	"tests/data/syntaxes/pclose",
};

/* what was compared, over all runs (asserted at the end: the test cannot
 * pass by comparing nothing) */
static size_t n_runs_cmp, n_samples_cmp, n_outcomes_cmp, n_box_lists_cmp, n_pclose_cmp;

/* A P(close) of the debugger (session) against report --json's field:
 * both null, or the same double. */
static void assert_pclose(double v, const cJSON *j)
{
	if (isnan(v)) {
		assert_true(cJSON_IsNull(j));
		return;
	}
	assert_true(cJSON_IsNumber(j));
	assert_true(v == j->valuedouble);
}

/* ---- helpers ---- */

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(v))
		fail_msg("JSON key '%s' missing or not a number", key);
	return v->valuedouble;
}

static const cJSON *obj(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v)
		fail_msg("JSON key '%s' missing", key);
	return v;
}

static void iou_key(double t, char *buf, size_t n)
{
	snprintf(buf, n, "%g", t);
}

/* Runs png_job_prepare with stderr silenced (runs without images say why). */
static int png_quiet(const png_req *rq, png_job *j)
{
	fflush(stderr);
	int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
	if (devnull >= 0)
		dup2(devnull, 2);
	int rc = png_job_prepare(rq, j);
	fflush(stderr);
	if (saved >= 0)
		dup2(saved, 2);
	if (devnull >= 0)
		close(devnull);
	if (saved >= 0)
		close(saved);
	return rc;
}

/* The trace's image reference as `png --sample` takes it. */
static int sample_ref(const trace *t, char *buf, size_t n)
{
	int64_t id;
	const char *p;
	if (trace_image_id(t, &id))
		snprintf(buf, n, "%lld", (long long)id);
	else if ((p = trace_file_name(t)) || (p = trace_custom_id(t)))
		snprintf(buf, n, "%s", p);
	else
		return 0;
	return 1;
}

static void assert_metrics_equal(const run_metrics *m, const cJSON *jm, int with_f1, const char *what)
{
	(void)what;
	assert_int_equal(m->samples, (size_t)num(jm, "samples"));
	assert_int_equal(m->records, (size_t)num(jm, "records"));
	assert_int_equal(m->duplicates, (size_t)num(jm, "duplicates"));
	assert_int_equal(m->max_repeat, (size_t)num(jm, "max_repeat"));
	assert_int_equal(m->samples_with_duplicates, (size_t)num(jm, "samples_with_duplicates"));
	assert_int_equal(m->closed, (size_t)num(jm, "closed"));
	assert_int_equal(m->truncated, (size_t)num(jm, "truncated"));
	assert_int_equal(m->malformed, (size_t)num(jm, "malformed"));
	assert_int_equal(m->tokens, (size_t)num(jm, "tokens"));
	assert_true(m->duplicate_rate == num(jm, "duplicate_rate"));
	assert_true(m->termination_rate == num(jm, "termination_rate"));
	if (!with_f1)
		return;
	const cJSON *f1 = obj(jm, "f1");
	for (size_t j = 0; j < m->n_iou; j++) {
		char k[40];
		iou_key(m->iou[j], k, sizeof k);
		const cJSON *c = obj(f1, k);
		assert_int_equal(m->counts[j].tp, (size_t)num(c, "tp"));
		assert_int_equal(m->counts[j].fp, (size_t)num(c, "fp"));
		assert_int_equal(m->counts[j].fn, (size_t)num(c, "fn"));
		assert_true(m->prf[j].f1 == num(c, "f1"));
	}
}

static void assert_outcome_equal(const sample_outcome *oc, const cJSON *jp, const analysis_opts *an,
                                 int with_gt)
{
	assert_int_equal(oc->rep.records, (size_t)num(jp, "records"));
	assert_int_equal(oc->rep.duplicates, (size_t)num(jp, "duplicates"));
	assert_int_equal(oc->rep.max_repeat, (size_t)num(jp, "max_repeat"));
	assert_string_equal(termination_name(oc->term), obj(jp, "termination")->valuestring);
	const cJSON *ss = obj(jp, "stop_step");
	if (oc->cut.stop_step >= 0)
		assert_int_equal(oc->cut.stop_step, (long)ss->valuedouble);
	else
		assert_true(cJSON_IsNull(ss));
	assert_int_equal(oc->tokens, (size_t)num(jp, "tokens"));
	if (!with_gt)
		return;
	const cJSON *cs = obj(jp, "counts");
	for (size_t j = 0; j < an->n_iou; j++) {
		char k[40];
		iou_key(an->iou[j], k, sizeof k);
		const cJSON *c = obj(cs, k);
		assert_int_equal(oc->counts[j].tp, (size_t)num(c, "tp"));
		assert_int_equal(oc->counts[j].fp, (size_t)num(c, "fp"));
		assert_int_equal(oc->counts[j].fn, (size_t)num(c, "fn"));
	}
	n_outcomes_cmp++;
}

static void assert_boxes_equal(const render_box *a, size_t na, const render_box *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_true(a[i].x1 == b[i].x1 && a[i].y1 == b[i].y1);
		assert_true(a[i].x2 == b[i].x2 && a[i].y2 == b[i].y2);
		assert_int_equal(a[i].style, b[i].style);
		assert_int_equal(a[i].count, b[i].count);
		assert_int_equal(a[i].selected, b[i].selected);
		assert_string_equal(a[i].label ? a[i].label : "", b[i].label ? b[i].label : "");
		assert_int_equal(a[i].tail, b[i].tail);
		assert_int_equal(a[i].has_score, b[i].has_score);
		assert_true(!a[i].has_score || a[i].score == b[i].score);
	}
}

/* The debugger's box list for the view under policy p at the end, against
 * png's for the same sample and policy. */
static void compare_boxes(session *s, ui *u, const char *run, size_t idx, size_t p)
{
	session_view *v = &s->view;
	char ref[512];
	if (!v->t || !sample_ref(v->t, ref, sizeof ref))
		return;
	png_req rq;
	png_req_default(&rq);
	rq.traces = run;
	rq.sample = ref;
	rq.pol = s->pols[p];
	png_job j;
	if (png_quiet(&rq, &j) == 0 && j.line == trace_index_lineno(s->runs[0].ix, idx)) {
		/* the same image file, the same boxes */
		assert_string_equal(v->image_path, j.path);
		session_set_policy(s, p ? p : COMPARE_POL_REPEAT_STOP, p != 0);
		replay_end(&v->rp);
		ui_img(u)->show_gt = 1;
		u->rec.sel = (size_t)-1;
		const render_box *b;
		size_t n = ui_export_boxes(u, &b); /* x and png: one export */
		assert_boxes_equal(b, n, j.boxes, j.n_boxes);
		n_box_lists_cmp++;
	}
	png_job_free(&j);
}

/* ---- one run ---- */

static void compare_run(const char *run)
{
	session s;
	session_opts so;
	ts_error err;
	char *paths[] = {(char *)run};
	session_opts_default(&so);
	if (session_open(&s, paths, 1, &so, NULL, NULL, &err) != TS_OK) {
		/* the debugger cannot open it: report cannot either */
		session_free(&s);
		export_opts eo;
		export_opts_default(&eo);
		export_run *er = NULL;
		assert_int_equal(export_run_analyze(run, &eo, NULL, NULL, NULL, &er), TS_OK);
		assert_false(er->opened);
		export_run_free(er);
		n_runs_cmp++;
		return;
	}
	while (session_idle(&s, 64) > 0)
		;
	session_run *r = &s.runs[0];

	export_opts eo;
	export_opts_default(&eo);
	eo.n_pol = COMPARE_N_POL;
	memcpy(eo.pol, s.pols, sizeof s.pols);
	eo.rows = 1;
	export_run *er = NULL;
	assert_int_equal(export_run_analyze(run, &eo, NULL, NULL, NULL, &er), TS_OK);
	cJSON *root = export_json(&eo, &er, 1, 1);
	assert_non_null(root);
	const cJSON *jr = cJSON_GetArrayItem(obj(root, "runs"), 0);
	int with_gt = er->gt_loaded;
	assert_int_equal(with_gt, r->g != NULL);

	/* run numbers, every policy */
	char pname[48];
	for (size_t p = 0; p < COMPARE_N_POL; p++)
		assert_metrics_equal(&r->m[p], obj(jr, policy_name(&s.pols[p], pname, sizeof pname)),
		                     with_gt, run);

	/* per sample */
	ui u;
	ui_init(&u, &s, 1);
	ui_layout_compute(50, 160, &u.lay);
	const cJSON *js = obj(jr, "samples");
	size_t counted = 0;
	for (size_t idx = 0; idx < r->n; idx++) {
		size_t line = trace_index_lineno(r->ix, idx);
		const cJSON *jsm = NULL, *it;
		cJSON_ArrayForEach(it, js) {
			if ((size_t)num(it, "line") == line)
				jsm = it;
		}
		session_show(&s, 0, idx);
		session_view *v = &s.view;
		int counts = !v->failed && v->s && (!r->g || v->gimg);
		/* the same samples count */
		assert_int_equal(counts, jsm != NULL);
		if (!counts)
			continue;
		counted++;
		const slist_item *bi = &r->items[idx];
		assert_true(bi->ready && !bi->failed);
		assert_int_equal(bi->records, (size_t)num(jsm, "records"));
		assert_int_equal(bi->dups, (size_t)num(jsm, "duplicates"));
		assert_int_equal(bi->max_repeat, (size_t)num(jsm, "max_repeat"));
		assert_int_equal(bi->tokens, (size_t)num(jsm, "steps"));
		assert_string_equal(termination_name((termination)bi->term),
		                    obj(jsm, "termination")->valuestring);
		const cJSON *jpol = obj(jsm, "policies");
		if (with_gt) {
			char k[40];
			iou_key(r->an.iou[0], k, sizeof k);
			const cJSON *c = obj(obj(obj(jpol, "off"), "counts"), k);
			metrics_counts mc = {(size_t)num(c, "tp"), (size_t)num(c, "fp"), (size_t)num(c, "fn")};
			assert_true(bi->has_f1);
			assert_true(bi->f1 == metrics_prf_from(&mc).f1);
		}
		/* the view's outcomes: off, then each policy of the cycle */
		assert_outcome_equal(&v->off, obj(jpol, "off"), &r->an, with_gt);
		for (size_t p = 1; p < COMPARE_N_POL; p++) {
			session_set_policy(&s, p, 1);
			assert_outcome_equal(&v->on, obj(jpol, policy_name(&s.pols[p], pname, sizeof pname)),
			                     &r->an, with_gt);
		}
		for (size_t p = 0; p < COMPARE_N_POL; p++)
			compare_boxes(&s, &u, run, idx, p);
		/* P(close): the debugger's P(close) row and metrics panel values */
		conf_term ct;
		if (session_view_close_term(&s, &ct)) {
			assert_pclose(ct.at_tail_start, obj(jsm, "p_close_at_tail_start"));
			assert_pclose(ct.max_before_tail, obj(jsm, "p_close_max_before_tail"));
			long tail = v->rp.tail_first;
			if (tail >= 1) /* the row's "at tail start (after #tail)" value */
				assert_true(isnan(ct.at_tail_start) ? isnan(session_view_closep(&s, (size_t)tail - 1))
				            : session_view_closep(&s, (size_t)tail - 1) == ct.at_tail_start);
			n_pclose_cmp += !isnan(ct.at_tail_start) || !isnan(ct.max_before_tail);
		}
		n_samples_cmp++;
	}
	assert_int_equal(counted, (size_t)cJSON_GetArraySize(js));
	n_runs_cmp++;
	ui_free(&u);
	cJSON_Delete(root);
	export_run_free(er);
	session_free(&s);
}

static void test_every_fixture_and_sample_run(void **state)
{
	(void)state;
	n_runs_cmp = n_samples_cmp = n_outcomes_cmp = n_box_lists_cmp = n_pclose_cmp = 0;
	for (size_t i = 0; i < sizeof fixture_runs / sizeof fixture_runs[0]; i++) {
		size_t before = n_runs_cmp;
		compare_run(fixture_runs[i]);
		if (n_runs_cmp == before)
			print_message("not opened by the debugger: %s\n", fixture_runs[i]);
	}
	print_message("compared: %zu runs, %zu samples, %zu outcomes, %zu box lists, %zu P(close)\n",
	              n_runs_cmp, n_samples_cmp, n_outcomes_cmp, n_box_lists_cmp, n_pclose_cmp);
	/* every run compared (badcoords: neither opens it); the sample runs alone
	 * have 6 x 24 samples with images */
	assert_int_equal(n_runs_cmp, sizeof fixture_runs / sizeof fixture_runs[0]);
	assert_true(n_samples_cmp >= 144);
	assert_true(n_box_lists_cmp >= 144 * COMPARE_N_POL);
	assert_true(n_outcomes_cmp >= 144 * COMPARE_N_POL);
	/* P(close) defined on the 24-sample runs with alternatives and the
	 * real-model ones */
	assert_true(n_pclose_cmp >= 100);
}

/* ---- the two bugs, on a run written here ----
 *   images/img1.png   100x100;  images/img2.png 100x100
 *   gt.json           image 1 file_name "train2017/img1.png" 100x100;
 *                     ann 1 "cat" [2,2,10,10] (x 2..12), ann 2 "person"
 *                     [20,5,10,10] iscrowd 1;
 *                     image 2 "img2.png" WITHOUT width/height, ann 3 "cat"
 *                     [0,0,100,100]
 *   run.json          coords qwen3 (0-1000 of the image size)
 *   traces.jsonl      image 1: cat [20,20,120,120] = (2,2)-(12,12) -> TP
 *                     image 2: cat [0,0,1000,1000]
 * Expected (both commands): gt cat BOX_GT (matched), gt person BOX_GT (a
 * crowd box is never missed; the TUI drew BOX_MISS), the cat record BOX_TP;
 * the image is images/img1.png (the TUI tried images/train2017/img1.png).
 * Image 2: the box is drawn with the file's size, (0,0)-(100,100), but the
 * numbers are report's: without a size the relative box cannot be placed,
 * so TP 0, FP 1, FN 1 (the TUI's view said TP 1). */

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	th_write_file(p, text, strlen(text));
}

static void test_crowd_and_coco_prefix(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/ts_diff_XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	char p[256];
	snprintf(p, sizeof p, "%s/images", tmpdir);
	assert_int_equal(mkdir(p, 0700), 0);
	render_image *img = render_image_new(100, 100);
	assert_non_null(img);
	ts_error err;
	snprintf(p, sizeof p, "%s/images/img1.png", tmpdir);
	assert_int_equal(render_png_write(img, p, &err), TS_OK);
	snprintf(p, sizeof p, "%s/images/img2.png", tmpdir);
	assert_int_equal(render_png_write(img, p, &err), TS_OK);
	render_image_free(img);
	write_file("gt.json",
	           "{\"images\": [{\"id\": 1, \"file_name\": \"train2017/img1.png\", \"width\": 100, \"height\": 100},\n"
	           "  {\"id\": 2, \"file_name\": \"img2.png\"}],\n"
	           " \"categories\": [{\"id\": 1, \"name\": \"cat\"}, {\"id\": 2, \"name\": \"person\"}],\n"
	           " \"annotations\": [\n"
	           "  {\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [2, 2, 10, 10], \"iscrowd\": 0},\n"
	           "  {\"id\": 2, \"image_id\": 1, \"category_id\": 2, \"bbox\": [20, 5, 10, 10], \"iscrowd\": 1},\n"
	           "  {\"id\": 3, \"image_id\": 2, \"category_id\": 1, \"bbox\": [0, 0, 100, 100], \"iscrowd\": 0}]}\n");
	write_file("run.json", "{\"name\": \"crowd\", \"coords\": \"qwen3\"}\n");
	write_file("traces.jsonl",
	           "{\"image_id\": 1, \"finish_reason\": \"stop\", \"text\": \"[{\\\"bbox_2d\\\": [20, 20, 120, 120], "
	           "\\\"label\\\": \\\"cat\\\"}]\"}\n"
	           "{\"image_id\": 2, \"finish_reason\": \"stop\", \"text\": \"[{\\\"bbox_2d\\\": [0, 0, 1000, 1000], "
	           "\\\"label\\\": \\\"cat\\\"}]\"}\n");

	session s;
	session_opts so;
	char *paths[] = {tmpdir};
	session_opts_default(&so);
	assert_int_equal(session_open(&s, paths, 1, &so, NULL, NULL, &err), TS_OK);
	ui u;
	ui_init(&u, &s, 1);
	ui_layout_compute(50, 160, &u.lay);
	session_show(&s, 0, 0);
	char want[256];
	snprintf(want, sizeof want, "%s/images/img1.png", tmpdir);
	assert_string_equal(s.view.image_path, want);
	assert_non_null(session_view_image(&s));      /* the debugger opens it */
	u.rec.sel = (size_t)-1;
	const render_box *b;
	size_t n = ui_boxes(&u, &b);
	assert_int_equal(n, 3);
	assert_int_equal(b[0].style, BOX_GT);          /* cat: matched */
	assert_int_equal(b[1].style, BOX_GT);          /* person: crowd, never missed */
	assert_string_equal(b[1].label, "person");
	assert_int_equal(b[2].style, BOX_TP);
	/* FN counts no crowd box: TP 1, FN 0 */
	assert_int_equal(s.view.off.counts[0].tp, 1);
	assert_int_equal(s.view.off.counts[0].fn, 0);

	session_show(&s, 0, 1);                        /* image 2: no size in the gt */
	n = ui_boxes(&u, &b);
	assert_int_equal(n, 2);
	assert_int_equal(b[1].style, BOX_TP);          /* drawn with the file's size */
	assert_true(b[1].x1 == 0 && b[1].y1 == 0 && b[1].x2 == 100 && b[1].y2 == 100);
	assert_int_equal(s.view.off.counts[0].tp, 0);  /* counted as report counts it */
	assert_int_equal(s.view.off.counts[0].fp, 1);
	assert_int_equal(s.view.off.counts[0].fn, 1);

	compare_run(tmpdir);                           /* report and png agree too */
	ui_free(&u);
	session_free(&s);
	const char *files[] = {"images/img1.png", "images/img2.png", "gt.json", "run.json",
	                       "traces.jsonl", "images", ""};
	for (size_t i = 0; i < 7; i++) {
		snprintf(p, sizeof p, "%s/%s", tmpdir, files[i]);
		remove(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crowd_and_coco_prefix),
		cmocka_unit_test(test_every_fixture_and_sample_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
