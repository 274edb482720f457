/* test_tui_yank.c — y (tui/yank.c) copies, for every sample, the line
 * `tailscope report --per-sample` prints for it (issue 22: y builds it from
 * the sample on screen, no longer by re-analysing the run).
 *
 * For each run below, the debugger's session shows each sample in turn
 * (session_show, as a key press does) and ui_yank runs; its note "copied
 * (OSC 52): LINE" must hold report's row for that sample: the k-th copied
 * line equals the k-th row of the report's per-sample table (rows are in
 * file order, bad lines skipped: the samples y refuses are exactly the ones
 * report leaves out, so the counts agree too).  The table comes from the
 * built binary ($BUILD/tailscope, run from the repository root), its
 * 2-space indent and, for a sharded run, its file:line column removed.
 * The runs cover ground truth with a malformed line (run-a), shards, sizes
 * from the ground truth, and families whose boxes need the image size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "draw.h"
#include "ui.h"

#define MAX_ROWS 512

/* report --per-sample's table rows for run (malloc'd lines, indent cut). */
static size_t report_rows(const char *run, char **rows)
{
	const char *b = getenv("BUILD");
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s/tailscope report --per-sample '%s' 2>/dev/null",
	         b && *b ? b : "build", run);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char line[1024];
	size_t n = 0;
	int in_table = 0;
	while (fgets(line, sizeof line, p)) {
		line[strcspn(line, "\n")] = '\0';
		if (strstr(line, " records  dups maxrep term")) {
			in_table = 1;
			continue;
		}
		if (!in_table || strncmp(line, "  ", 2) != 0 || n >= MAX_ROWS)
			continue;
		rows[n++] = strdup(line + 2);
	}
	pclose(p);
	return n;
}

/* s ends with t */
static int ends_with(const char *s, const char *t)
{
	size_t a = strlen(s), b = strlen(t);
	return a >= b && !strcmp(s + a - b, t);
}

static void yank_run(const char *run)
{
	char *rows[MAX_ROWS];
	size_t n_rows = report_rows(run, rows);
	assert_true(n_rows > 0);
	char *paths[1] = {(char *)run};
	session s;
	session_opts o;
	session_opts_default(&o);
	ts_error err;
	assert_int_equal(session_open(&s, paths, 1, &o, NULL, NULL, &err), TS_OK);
	ui u;
	memset(&u, 0, sizeof u);
	u.s = &s;
	static const char head[] = "copied (OSC 52): ";
	size_t k = 0;
	session_run *r = session_cur(&s);
	for (size_t idx = 0; idx < r->n; idx++) {
		session_show(&s, s.cur, idx);
		u.note[0] = '\0';
		ui_yank(&u);
		if (strncmp(u.note, head, sizeof head - 1) != 0) {
			printf("# %s sample %zu: %s\n", run, idx + 1, u.note);
			continue;
		}
		const char *got = u.note + sizeof head - 1;
		assert_true(k < n_rows);
		if (!ends_with(rows[k], got) ||
		    (strlen(rows[k]) != strlen(got) && rows[k][strlen(rows[k]) - strlen(got) - 1] != ' '))
			printf("# %s sample %zu:\n#  report: '%s'\n#  y:      '%s'\n", run, idx + 1, rows[k], got);
		assert_true(ends_with(rows[k], got));
		k++;
	}
	printf("# %s: %zu lines copied, %zu report rows\n", run, k, n_rows);
	assert_int_equal(k, n_rows);
	for (size_t i = 0; i < n_rows; i++)
		free(rows[i]);
	session_free(&s);
}

static void test_yank_run_a(void **st) { (void)st; yank_run("tests/data/tui/run-a"); }

/* While a lazily opened run's ground truth loads (session_run.gj set), the
 * sample on screen has no gt numbers yet: y refuses rather than copy a line
 * that differs from report's.  gj is stood in for by a dummy pointer (only
 * its being set is read) and cleared before session_free. */
static void test_yank_gt_loading(void **st)
{
	(void)st;
	char *paths[1] = {(char *)"tests/data/tui/run-a"};
	session s;
	session_opts o;
	session_opts_default(&o);
	ts_error err;
	assert_int_equal(session_open(&s, paths, 1, &o, NULL, NULL, &err), TS_OK);
	ui u;
	memset(&u, 0, sizeof u);
	u.s = &s;
	session_show(&s, s.cur, 0);
	session_run *r = session_cur(&s);
	static char dummy;
	r->gj = (gt_async *)(void *)&dummy;
	ui_yank(&u);
	r->gj = NULL;
	assert_non_null(strstr(u.note, "ground truth is still loading"));
	u.note[0] = '\0';
	ui_yank(&u);
	assert_non_null(strstr(u.note, "copied (OSC 52): "));
	session_free(&s);
}
static void test_yank_shards(void **st) { (void)st; yank_run("tests/data/shards-lines"); }
static void test_yank_lora(void **st) { (void)st; yank_run("sample_runs/lora-qkvo-r16"); }
static void test_yank_families(void **st)
{
	(void)st;
	static const char *const fam[] = {
		"sample_runs/family-florence2", "sample_runs/family-moondream", "sample_runs/family-kosmos2",
		"sample_runs/family-qwen-points", "sample_runs/family-deepseek-vl2",
	};
	for (size_t i = 0; i < sizeof fam / sizeof fam[0]; i++)
		yank_run(fam[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yank_run_a),
		cmocka_unit_test(test_yank_gt_loading),
		cmocka_unit_test(test_yank_shards),
		cmocka_unit_test(test_yank_lora),
		cmocka_unit_test(test_yank_families),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
