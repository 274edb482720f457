/* test_lazy_open.c — the debugger's lazy opening (session_opts.lazy_open,
 * issue 21): the first frame comes before the index and the ground truth
 * are complete, and nothing analysed before the ground truth came keeps
 * gt-less numbers.  A run written here, big enough for both to be
 * unfinished at the first frame (6 MB of traces: more than the 4 MiB
 * indexed before it; 300,000 annotations: longer to load than the 100 ms
 * the first frame waits, on any machine this runs on — said, not assumed).
 * After the idle work the badges and run metrics must equal `tailscope
 * report --json --per-sample` (export_run_analyze + export_json) on the
 * same run, and the view's sample must have its ground truth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "session.h"

#define N_IMG 3000
#define N_ANN 100 /* per image */
#define N_REC 40  /* records per sample */

static char dir[64];

static FILE *open_in(const char *name)
{
	char p[128];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	return f;
}

/* Image i (1-based): gt boxes on a 10x10 grid of 100x100 cells, x from 2
 * (i % 7); sample i: N_REC records, the first 30 on the grid's first 30
 * cells (x from 0: IoU with the gt box 0.96 / 0.82 / ... as i % 7 moves it),
 * then record 30 repeated 10 times (a repeated tail) on even i; odd i stop
 * after 30 records.  Every number below is what report computes: the test
 * compares the two, it does not hard-code either. */
static void write_run(void)
{
	FILE *f = open_in("run.json");
	fprintf(f, "{\"name\": \"lazy\", \"coords\": \"xyxy\"}\n");
	fclose(f);
	f = open_in("gt.json");
	fprintf(f, "{\"images\": [");
	for (int i = 1; i <= N_IMG; i++)
		fprintf(f, "%s{\"id\": %d, \"file_name\": \"img%d.png\", \"width\": 1000, \"height\": 1000}",
		        i > 1 ? "," : "", i, i);
	fprintf(f, "],\n\"categories\": [{\"id\": 1, \"name\": \"cat\"}],\n\"annotations\": [\n");
	long id = 1;
	for (int i = 1; i <= N_IMG; i++)
		for (int k = 0; k < N_ANN; k++, id++)
			fprintf(f, "%s{\"id\": %ld, \"image_id\": %d, \"category_id\": 1, \"bbox\": [%d, %d, 90, 90], "
			        "\"iscrowd\": 0}\n", id > 1 ? "," : "", id, i, (k % 10) * 100 + 2 + i % 7,
			        (k / 10) * 100);
	fprintf(f, "]}\n");
	fclose(f);
	f = open_in("traces.jsonl");
	for (int i = 1; i <= N_IMG; i++) {
		fprintf(f, "{\"image_id\": %d, \"finish_reason\": \"%s\", \"text\": \"[", i, i % 2 ? "stop" : "length");
		int n = i % 2 ? 30 : N_REC;
		for (int r = 0; r < n; r++) {
			int c = r < 30 ? r : 30;
			fprintf(f, "%s{\\\"bbox_2d\\\": [%d, %d, %d, %d], \\\"label\\\": \\\"cat\\\"}", r ? ", " : "",
			        (c % 10) * 100, (c / 10) * 100, (c % 10) * 100 + 90, (c / 10) * 100 + 90);
		}
		fprintf(f, "%s\"}\n", i % 2 ? "]" : ", {\\\"bbox_2d\\\": [0, 0"); /* even: cut by the limit */
	}
	fclose(f);
}

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

static void assert_run_equal(const session_run *r, const policy *pols, const cJSON *jr)
{
	char pname[48], k[40];
	for (size_t p = 0; p < COMPARE_N_POL; p++) {
		const run_metrics *m = &r->m[p];
		const cJSON *jm = obj(jr, policy_name(&pols[p], pname, sizeof pname));
		assert_int_equal(m->samples, (size_t)num(jm, "samples"));
		assert_int_equal(m->records, (size_t)num(jm, "records"));
		assert_int_equal(m->duplicates, (size_t)num(jm, "duplicates"));
		assert_int_equal(m->max_repeat, (size_t)num(jm, "max_repeat"));
		assert_int_equal(m->truncated, (size_t)num(jm, "truncated"));
		assert_int_equal(m->tokens, (size_t)num(jm, "tokens"));
		for (size_t j = 0; j < m->n_iou; j++) {
			snprintf(k, sizeof k, "%g", m->iou[j]);
			const cJSON *c = obj(obj(jm, "f1"), k);
			assert_int_equal(m->counts[j].tp, (size_t)num(c, "tp"));
			assert_int_equal(m->counts[j].fp, (size_t)num(c, "fp"));
			assert_int_equal(m->counts[j].fn, (size_t)num(c, "fn"));
		}
	}
	/* every badge: records, duplicates, max repeat, F1 at the first threshold */
	const cJSON *js = obj(jr, "samples"), *it;
	size_t i = 0;
	cJSON_ArrayForEach(it, js) {
		const slist_item *bi = &r->items[i];
		assert_int_equal(trace_index_lineno(r->ix, i), (size_t)num(it, "line"));
		assert_true(bi->ready && !bi->failed && bi->has_f1);
		assert_int_equal(bi->records, (size_t)num(it, "records"));
		assert_int_equal(bi->dups, (size_t)num(it, "duplicates"));
		assert_int_equal(bi->max_repeat, (size_t)num(it, "max_repeat"));
		snprintf(k, sizeof k, "%g", r->an.iou[0]);
		const cJSON *c = obj(obj(obj(obj(it, "policies"), "off"), "counts"), k);
		metrics_counts mc = {(size_t)num(c, "tp"), (size_t)num(c, "fp"), (size_t)num(c, "fn")};
		assert_true(bi->f1 == metrics_prf_from(&mc).f1);
		i++;
	}
	assert_int_equal(i, r->n);
}

static void test_lazy_numbers_equal_report(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/ts_lazy_XXXXXX");
	assert_non_null(mkdtemp(dir));
	write_run();

	session s;
	session_opts so;
	ts_error err;
	char *paths[] = {dir};
	session_opts_default(&so);
	so.lazy_open = 1;
	assert_int_equal(session_open(&s, paths, 1, &so, NULL, NULL, &err), TS_OK);
	session_run *r = &s.runs[0];
	/* the first frame: sample 1 indexed, not the whole file */
	assert_true(r->n >= 1 && r->n < N_IMG);
	unsigned pct = 0;
	assert_int_equal(session_indexing(&s, &pct), 1);
	assert_true(pct < 100);
	session_show(&s, 0, 0);
	assert_true(s.view.valid && !s.view.failed);
	int gt_late = session_gt_loading(&s);
	print_message("ground truth %s at the first frame\n", gt_late ? "still loading" : "already in");
	unsigned vs = s.view_serial;
	if (gt_late) {
		assert_null(r->g);
		assert_null(s.view.gimg);
		assert_int_equal(r->n_done, 0); /* the gt-less view is not kept */
	}
	while (!session_idle_done(&s)) {
		/* the comparison's "done" (numbers shown) never before the index and gt */
		if (!trace_index_finished(r->ix) || session_gt_loading(&s))
			assert_false(session_run_done(r));
		session_idle(&s, 64);
	}
	assert_true(session_run_done(r));
	assert_false(session_indexing(&s, NULL));
	assert_false(session_gt_loading(&s));
	assert_int_equal(r->n, N_IMG);
	assert_non_null(r->g);
	/* the view was shown again with its ground truth */
	assert_true(s.view.valid && s.view.idx == 0 && s.view.gimg != NULL);
	if (gt_late)
		assert_int_equal(s.view_serial, vs + 1);

	export_opts eo;
	export_opts_default(&eo);
	eo.n_pol = COMPARE_N_POL;
	memcpy(eo.pol, s.pols, sizeof s.pols);
	eo.rows = 1;
	export_run *er = NULL;
	assert_int_equal(export_run_analyze(dir, &eo, NULL, NULL, NULL, &er), TS_OK);
	assert_true(er->gt_loaded);
	cJSON *root = export_json(&eo, &er, 1, 1);
	assert_non_null(root);
	const cJSON *jr = cJSON_GetArrayItem(obj(root, "runs"), 0);
	assert_run_equal(r, s.pols, jr);
	/* the view's sample 1 as report counts it */
	const cJSON *j1 = cJSON_GetArrayItem(obj(jr, "samples"), 0);
	char k[40];
	snprintf(k, sizeof k, "%g", r->an.iou[0]);
	const cJSON *c = obj(obj(obj(obj(j1, "policies"), "off"), "counts"), k);
	assert_int_equal(s.view.off.counts[0].tp, (size_t)num(c, "tp"));
	assert_int_equal(s.view.off.counts[0].fn, (size_t)num(c, "fn"));
	assert_true(s.view.off.counts[0].fn < N_ANN); /* with gt: matches found */
	cJSON_Delete(root);
	export_run_free(er);
	session_free(&s);

	const char *files[] = {"run.json", "gt.json", "traces.jsonl"};
	char p[128];
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lazy_numbers_equal_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
