/* bench_yank.c — y's cost (issue 22): the `--per-sample` line of the sample
 * on screen, built from what the session holds (ui_yank ->
 * export_sample_text), against the baseline of the same run: the whole run
 * analysed again for that line (export_run_analyze with rows, as y did
 * before).  Median CPU time of 9 of each, interleaved; the two lines must be
 * equal.
 *   build/bench/bench_yank [RUN [SAMPLE]]   (default sample_runs/lora-qkvo-r16, 2) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "draw.h"
#include "export.h"
#include "session.h"
#include "ui.h"

static double cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The baseline: the run analysed whole, the row of line `line` formatted. */
static void baseline(const session *s, const session_run *r, size_t line, char *out, size_t outsz)
{
	export_opts o;
	export_opts_default(&o);
	o.an = r->an;
	o.rows = 1;
	o.confidence = 0;
	export_run *er = NULL;
	out[0] = '\0';
	(void)s;
	if (export_run_analyze(r->info->path, &o, NULL, NULL, NULL, &er) != TS_OK || !er)
		return;
	for (size_t i = 0; i < er->n_rows; i++)
		if (er->rows[i].line == line)
			export_row_text(&er->rows[i], er->gt_loaded, out, outsz);
	export_run_free(er);
}

int main(int argc, char **argv)
{
	char *path = argc > 1 ? argv[1] : "sample_runs/lora-qkvo-r16";
	size_t idx = argc > 2 ? strtoul(argv[2], NULL, 10) - 1 : 1;
	session s;
	session_opts so;
	session_opts_default(&so);
	ts_error e;
	if (session_open(&s, &path, 1, &so, NULL, NULL, &e) != TS_OK || idx >= s.runs[0].n) {
		fprintf(stderr, "bench_yank: cannot open %s sample %zu\n", path, idx + 1);
		return 2;
	}
	session_show(&s, 0, idx);
	ui u;
	memset(&u, 0, sizeof u);
	u.s = &s;
	double ty[9], tb[9];
	char base[512];
	for (int i = 0; i < 9; i++) {
		double t = cpu();
		ui_yank(&u);
		ty[i] = cpu() - t;
		t = cpu();
		baseline(&s, &s.runs[0], session_where(&s.runs[0], idx, NULL, 0), base, sizeof base);
		tb[i] = cpu() - t;
	}
	qsort(ty, 9, sizeof *ty, cmp_d);
	qsort(tb, 9, sizeof *tb, cmp_d);
	const char *got = strncmp(u.note, "copied (OSC 52): ", 17) ? u.note : u.note + 17;
	printf("y on %s sample %zu (%zu samples): %.6f s CPU, baseline (whole run) %.6f s, ratio %.4f; "
	       "lines %s\n", path, idx + 1, s.runs[0].n, ty[4], tb[4], tb[4] > 0 ? ty[4] / tb[4] : 0.0,
	       strcmp(got, base) ? "DIFFER" : "equal");
	session_free(&s);
	return strcmp(got, base) ? 1 : 0;
}
