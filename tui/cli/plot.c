/* plot.c — `tailscope plot KIND [OPTIONS] RUN...`: the triage plots in
 * the terminal (braille / block characters, 16 colours) or as a PNG. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "runs.h"
#include "plot.h"
#include "render.h"
#include "cli.h"
#include "charset.h"
#include "sanitize.h"

#define MAX_RUNS 256

typedef enum { K_MAXREPEAT, K_INTERFERENCE, K_SAVED, K_PR, K_TRADEOFF, K_RELIABILITY } plot_which;

static void say(const char *msg)
{
	char buf[1024];
	fprintf(stderr, "tailscope plot: %s\n", sanitize_cstr(msg, buf, sizeof buf, 0));
}

#define N_BINS RUN_MAXREPEAT_BINS

static int term_cols(void)
{
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	long v;
	if (c && cli_parse_long(c, 20, 1000, &v) == 0)
		return (int)v;
	return 80;
}

/* What the plot draws, kept alive until drawn: one series (or bar) per run. */
typedef struct plot_data {
	int which;
	size_t n_ok;
	int partial, top_bin;
	double iou;
	plot_series *series, one;
	double *xs, *ys, *vals;
	char (*names)[160];
	char (*texts)[64];
	const char **text_ptr, **group_ptr;
	char title[200];
} plot_data;

static int data_alloc(plot_data *d, int which, size_t n_runs, double iou)
{
	memset(d, 0, sizeof *d);
	d->which = which;
	d->top_bin = 2;
	d->iou = iou;
	d->series = calloc(n_runs + 1, sizeof *d->series);
	d->xs = calloc(n_runs * CONF_N_RECALL + 1, sizeof *d->xs);
	d->ys = calloc(n_runs * CONF_N_RECALL + 1, sizeof *d->ys);
	d->vals = calloc(n_runs * N_BINS + 1, sizeof *d->vals);
	d->names = calloc(n_runs + 1, sizeof *d->names);
	d->texts = calloc(n_runs * N_BINS + 1, sizeof *d->texts);
	d->text_ptr = calloc(n_runs * N_BINS + 1, sizeof *d->text_ptr);
	d->group_ptr = calloc(n_runs + 1, sizeof *d->group_ptr);
	return d->series && d->xs && d->ys && d->vals && d->names && d->texts && d->text_ptr &&
	       d->group_ptr ? 0 : -1;
}

static void data_free(plot_data *d)
{
	free(d->series);
	free(d->xs);
	free(d->ys);
	free(d->vals);
	free(d->names);
	free(d->texts);
	free(d->text_ptr);
	free(d->group_ptr);
}

/* maxrepeat: the run's samples per bin, labelled "N (P%)". */
static void add_maxrepeat(plot_data *d, const export_run *r, plot_series *se)
{
	size_t n_ok = d->n_ok;
	double *v = &d->vals[n_ok * N_BINS];
	for (size_t k = 0; k < r->n_samples; k++) {
		int b = run_maxrepeat_bin(r->max_repeat[k]);
		v[b] += 1;
		if (b > d->top_bin)
			d->top_bin = b;
	}
	for (int b = 0; b < N_BINS; b++) {
		char *t = d->texts[n_ok * N_BINS + (size_t)b];
		snprintf(t, 64, "%.0f (%.1f%%)", v[b],
		         r->n_samples ? 100.0 * v[b] / (double)r->n_samples : 0.0);
		d->text_ptr[n_ok * N_BINS + (size_t)b] = t;
	}
	se->v = v;
	se->text = &d->text_ptr[n_ok * N_BINS];
}

/* pr: the interpolated curve up to the highest recall reached. */
static void add_pr(plot_data *d, const export_run *r, plot_series *se)
{
	size_t n_ok = d->n_ok;
	const conf_ap_result *ap = &r->ap[0];
	double *x = &d->xs[n_ok * CONF_N_RECALL], *y = &d->ys[n_ok * CONF_N_RECALL];
	size_t k = 0;
	for (int j = 0; j < CONF_N_RECALL; j++) {
		if (!(ap->recall[j] <= ap->recall_max + 1e-12) || !isfinite(ap->precision[j]))
			break;
		x[k] = ap->recall[j];
		y[k] = ap->precision[j];
		k++;
	}
	se->x = x;
	se->y = y;
	se->n = k;
	char nm[160];
	snprintf(nm, sizeof nm, "%s (AP %.3f, pooled %.3f)", r->name_raw,
	         isfinite(ap->ap) ? ap->ap : 0.0, isfinite(ap->ap_pooled) ? ap->ap_pooled : 0.0);
	snprintf(d->names[n_ok], sizeof d->names[n_ok], "%s", nm);
}

static void add_reliability(plot_data *d, const export_run *r, plot_series *se);

/* Adds run r's series (or says why it is left out). */
static void add_run(plot_data *d, const export_run *r)
{
	size_t n_ok = d->n_ok;
	if (!r || !r->usable) {
		d->partial = 1;
		return;
	}
	if (r->skipped)
		d->partial = 1;
	if ((d->which == K_INTERFERENCE || d->which == K_PR || d->which == K_RELIABILITY) &&
	    !r->gt_loaded) {
		char m[400];
		snprintf(m, sizeof m, "%s: no ground truth, not plotted (use --gt FILE)", r->name_raw);
		say(m);
		d->partial = 1;
		return;
	}
	snprintf(d->names[n_ok], sizeof d->names[n_ok], "%s", r->name_raw); /* plot sanitizes */
	plot_series *se = &d->series[n_ok];
	se->name = d->names[n_ok];
	if (d->which == K_MAXREPEAT) {
		add_maxrepeat(d, r, se);
	} else if (d->which == K_INTERFERENCE) {
		d->xs[n_ok] = r->m[0].duplicate_rate;
		d->ys[n_ok] = r->m[0].prf[0].f1;
		se->x = &d->xs[n_ok];
		se->y = &d->ys[n_ok];
		se->n = 1;
	} else if (d->which == K_SAVED) {
		double off = (double)r->m[0].tokens, on = (double)r->m[1].tokens;
		d->vals[n_ok] = off - on;
		snprintf(d->texts[n_ok], 64, "%.0f (%.1f%%)", off - on,
		         off > 0 ? 100.0 * (off - on) / off : 0.0);
		d->text_ptr[n_ok] = d->texts[n_ok];
		d->group_ptr[n_ok] = d->names[n_ok];
	} else if (d->which == K_RELIABILITY) {
		add_reliability(d, r, se);
	} else {
		add_pr(d, r, se);
	}
	d->n_ok++;
}

/* Both axes from 0 to 1. */
static void unit_axes(plot_spec *spec)
{
	spec->x_min = 0;
	spec->x_max = 1;
	spec->y_min = 0;
	spec->y_max = 1;
}

/* Duplicate rate (x, from 0 to a round step past the largest) against F1 at
 * the first IoU (y, 0 to 1): one point per run. */
static void spec_interference(plot_data *d, size_t n_runs, plot_spec *spec)
{
	plot_spec_init(spec, PLOT_SCATTER);
	snprintf(d->title, sizeof d->title, "duplicate rate against F1@%g (policy off), one point per run", d->iou);
	spec->title = d->title;
	spec->xlabel = "duplicate rate";
	snprintf(d->names[n_runs], sizeof d->names[n_runs], "F1@%g", d->iou);
	spec->ylabel = d->names[n_runs];
	double xmax = 0;
	for (size_t i = 0; i < d->n_ok; i++)
		xmax = fmax(xmax, d->xs[i]);
	unit_axes(spec);
	spec->x_max = xmax < 0.1 ? 0.1 : ceil(xmax * 1.15 * 20.0) / 20.0;
	if (spec->x_max > 1)
		spec->x_max = 1;
	spec->series = d->series;
	spec->n_series = d->n_ok;
}

static void spec_pr(plot_data *d, const export_opts *ex, plot_spec *spec)
{
	char pn[48];
	plot_spec_init(spec, PLOT_LINES);
	snprintf(d->title, sizeof d->title, "precision-recall at IoU 0.5 (%s score, policy %s, all categories pooled)",
	         conf_score_name(ex->score), policy_name(&ex->pol[0], pn, sizeof pn));
	spec->title = d->title;
	spec->xlabel = "recall";
	spec->ylabel = "precision (interpolated, 101 points)";
	unit_axes(spec);
	spec->series = d->series;
	spec->n_series = d->n_ok;
}

/* A line per run, then the diagonal (perfect calibration). */
static void spec_reliability(plot_data *d, const export_opts *ex, plot_spec *spec)
{
	plot_spec_init(spec, PLOT_LINES);
	snprintf(d->title, sizeof d->title, "reliability: TP fraction at IoU %g against exp(%s score), "
	         "%d equal-width bins", CALIB_IOU, conf_score_name(ex->score), CALIB_BINS);
	spec->title = d->title;
	spec->xlabel = "confidence exp(score), bin mean";
	spec->ylabel = "TP fraction of the bin";
	unit_axes(spec);
	static const double diag[2] = { 0, 1 };
	d->series[d->n_ok] = (plot_series){ .name = "perfect calibration", .x = diag, .y = diag, .n = 2 };
	spec->series = d->series;
	spec->n_series = d->n_ok + 1;
}

/* The plot's spec from the collected data. */
static int make_spec(plot_data *d, const export_opts *ex, size_t n_runs, plot_spec *spec)
{
	switch (d->which) {
	case K_MAXREPEAT:
		plot_spec_init(spec, PLOT_BARS);
		spec->title = "max repeat per sample (policy off): samples per bin";
		spec->n_groups = (size_t)d->top_bin + 1;
		spec->group_labels = run_maxrepeat_bin_labels;
		spec->series = d->series;
		spec->n_series = d->n_ok;
		return 0;
	case K_INTERFERENCE:
		spec_interference(d, n_runs, spec);
		return 0;
	case K_SAVED:
		plot_spec_init(spec, PLOT_BARS);
		spec->title = "tokens saved by repeat_stop (tokens off - tokens repeat_stop)";
		d->one.name = "tokens saved";
		d->one.v = d->vals;
		d->one.text = d->text_ptr;
		spec->series = &d->one;
		spec->n_series = 1;
		spec->n_groups = d->n_ok;
		spec->group_labels = d->group_ptr;
		return 0;
	case K_PR:
		spec_pr(d, ex, spec);
		return 0;
	case K_RELIABILITY:
		spec_reliability(d, ex, spec);
		return 0;
	default:
		return -1;
	}
}

size_t plot_tradeoff_iou(const export_run *r)
{
	for (size_t j = 0; j < r->m[0].n_iou; j++)
		if (r->m[0].iou[j] == 0.5)
			return j;
	return 0;
}

void plot_tradeoff_build(const export_run *r, const export_opts *ex, plot_tradeoff_data *d,
                         plot_spec *spec)
{
	size_t j = plot_tradeoff_iou(r);
	double xmax = 1;
	for (size_t p = 0; p < ex->n_pol && p < EXPORT_MAX_POLICIES; p++) {
		d->x[p] = (double)run_metrics_tokens_saved(&r->m[p]);
		d->y[p] = r->gt_loaded ? r->m[p].prf[j].f1 : NAN;
		xmax = fmax(xmax, d->x[p]);
		policy_name(&ex->pol[p], d->names[p], sizeof d->names[p]);
		d->series[p] = (plot_series){ .name = d->names[p], .x = &d->x[p], .y = &d->y[p], .n = 1 };
	}
	plot_spec_init(spec, PLOT_SCATTER);
	snprintf(d->title, sizeof d->title, "%.200s: tokens saved against F1@%g, one point per policy",
	         r->name_raw ? r->name_raw : "run", r->m[0].n_iou ? r->m[0].iou[j] : 0.5);
	snprintf(d->ylabel, sizeof d->ylabel, "F1@%g", r->m[0].n_iou ? r->m[0].iou[j] : 0.5);
	spec->title = d->title;
	spec->xlabel = "tokens saved (tokens off - tokens under the policy)";
	spec->ylabel = d->ylabel;
	spec->x_min = 0;
	spec->x_max = ceil(xmax * 1.1);
	spec->y_min = 0;
	spec->y_max = 1;
	spec->series = d->series;
	spec->n_series = ex->n_pol < EXPORT_MAX_POLICIES ? ex->n_pol : EXPORT_MAX_POLICIES;
}

int plot_print_text(const plot_spec *spec, int cols, int height, int sgr)
{
	ts_error err;
	plot_text *t = NULL;
	if (plot_text_render(spec, cols, height, &t, &err) != TS_OK) {
		say(err.msg);
		return -1;
	}
	unsigned flags = (sgr ? PLOT_LINE_SGR : 0) | (charset_ascii() ? PLOT_LINE_ASCII : 0);
	for (int r = 0; r < t->rows; r++) {
		char *line = plot_text_line_ex(t, r, flags);
		if (line) {
			fputs(line, stdout);
			fputc('\n', stdout);
		}
		free(line);
	}
	plot_text_free(t);
	return cli_flush_stdout() != 0 ? -1 : 0;
}

/* reliability: each run's non-empty bins (mean p, TP fraction), and the
 * diagonal of perfect calibration. */
static void add_reliability(plot_data *d, const export_run *r, plot_series *se)
{
	size_t n_ok = d->n_ok;
	const calib *c = &r->calib[0];
	double *x = &d->xs[n_ok * CONF_N_RECALL], *y = &d->ys[n_ok * CONF_N_RECALL];
	size_t k = 0;
	for (int b = 0; b < CALIB_BINS; b++)
		if (c->n[b]) {
			x[k] = calib_conf(c, b);
			y[k] = calib_acc(c, b);
			k++;
		}
	se->x = x;
	se->y = y;
	se->n = k;
	double e = calib_ece(c);
	snprintf(d->names[n_ok], sizeof d->names[n_ok], "%.100s (ECE %.3f, %zu records)", r->name_raw,
	         isfinite(e) ? e : 0.0, calib_total(c));
}

/* Writes the PNG (-o) or prints the plot; 0 ok, -1 (said). */
static int emit(const plot_spec *spec, const cli_values *cv)
{
	ts_error err;
	if (cv->out) {
		render_image *img = NULL;
		if (plot_image_render(spec, (uint32_t)cv->png_w, (uint32_t)cv->png_h, &img, &err) != TS_OK ||
		    render_png_write(img, cv->out, &err) != TS_OK) {
			say(err.msg);
			render_image_free(img);
			return -1;
		}
		render_image_free(img);
	} else {
		int cols = cv->width ? (int)cv->width : term_cols();
		int sgr = cv->color == 1 || (cv->color < 0 && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
		return plot_print_text(spec, cols, (int)cv->height, sgr);
	}
	return 0;
}

/* tradeoff: one plot per run (the PNG: the first usable run). */
static int tradeoff_main(const cli_values *cv, export_opts *ex, const char *const *runs,
                         size_t n_runs)
{
	export_run **res = calloc(n_runs, sizeof *res);
	if (!res) {
		say("out of memory");
		return 2;
	}
	gt *shared_gt = report_load_shared_gt(ex, cv->quiet);
	report_analyze_runs(runs, n_runs, ex, cv->jobs, cv->quiet, res);
	int rc = 2, partial = 0;
	plot_tradeoff_data *d = malloc(sizeof *d);
	for (size_t i = 0; d && i < n_runs; i++) {
		if (!res[i] || !res[i]->usable || !res[i]->gt_loaded) {
			char m[400];
			snprintf(m, sizeof m, "%s: %s, not plotted", res[i] ? res[i]->name_raw : runs[i],
			         res[i] && res[i]->usable ? "no ground truth (use --gt FILE)" : "not usable");
			say(m);
			partial = 1;
			continue;
		}
		partial |= res[i]->skipped != 0;
		plot_spec spec;
		plot_tradeoff_build(res[i], ex, d, &spec);
		if (emit(&spec, cv) != 0) {
			rc = 2;
			break;
		}
		rc = 0;
		if (cv->out)
			break;
	}
	if (rc == 0 && partial)
		rc = 1;
	free(d);
	gt_free(shared_gt);
	for (size_t i = 0; i < n_runs; i++)
		export_run_free(res[i]);
	free(res);
	return rc;
}

/* Analyses the runs and draws plot `which`; returns the exit code. */
static int plot_main(int which, const cli_values *cv, const char *const *runs, size_t n_runs)
{
	/* what each plot needs from the analysis */
	export_opts ex = cv->ex;
	ex.confidence = 0;
	ex.n_pol = 1;
	ex.pol[0] = (policy){ POLICY_OFF, 0 };
	if (which == K_SAVED) {
		ex.pol[1] = (policy){ POLICY_REPEAT_STOP, 0 };
		ex.n_pol = 2;
	} else if (which == K_PR) {
		if (cv->pol_set)
			ex.pol[0] = cv->ex.pol[0];
		ex.confidence = 1;
	} else if (which == K_INTERFERENCE) {
		ex.an.n_iou = 1; /* the first threshold */
	} else if (which == K_RELIABILITY) {
		if (cv->pol_set)
			ex.pol[0] = cv->ex.pol[0];
		ex.confidence = 1;
	} else if (which == K_TRADEOFF) {
		ex = cv->ex;
		ex.confidence = 0;
		if (!cv->pol_set) {
			ts_error e;
			size_t np = 0;
			policy_parse_sweep("close_prob:0.1..0.9/0.1", ex.pol + 1, EXPORT_MAX_POLICIES - 1, &np, &e);
			ex.pol[0] = (policy){ POLICY_REPEAT_STOP, 0 };
			ex.n_pol = 1 + np;
		}
		return tradeoff_main(cv, &ex, runs, n_runs);
	}
	export_run **res = calloc(n_runs, sizeof *res);
	plot_data d;
	int rc = 2;
	if (data_alloc(&d, which, n_runs, ex.an.iou[0]) != 0 || !res) {
		say("out of memory");
		goto done;
	}
	gt *shared_gt = report_load_shared_gt(&ex, cv->quiet);
	report_analyze_runs(runs, n_runs, &ex, cv->jobs, cv->quiet, res);
	for (size_t i = 0; i < n_runs; i++)
		add_run(&d, res[i]);
	plot_spec spec;
	if (d.n_ok == 0)
		say("nothing to plot");
	else if (make_spec(&d, &ex, n_runs, &spec) == 0 && emit(&spec, cv) == 0)
		rc = d.partial ? 1 : 0;
	gt_free(shared_gt);
done:
	for (size_t i = 0; res && i < n_runs; i++)
		export_run_free(res[i]);
	free(res);
	data_free(&d);
	return rc;
}

/* The plot KIND from the first positional argument; -1 (usage said) when
 * missing or unknown. */
static int which_plot(const cli_command *cmd, const cli_values *v)
{
	static const char *const kinds[] = {"maxrepeat", "interference", "saved", "pr", "tradeoff",
	                                    "reliability"};
	if (v->n_pos == 0) {
		cli_usage_error(cmd, "no KIND given (maxrepeat, interference, saved, pr, tradeoff, reliability)");
		return -1;
	}
	for (int k = 0; k < 6; k++)
		if (!strcmp(v->pos[0], kinds[k]))
			return k;
	char m[300];
	snprintf(m, sizeof m, "unknown plot '%.200s' (maxrepeat, interference, saved, pr, tradeoff, "
	         "reliability)", v->pos[0]);
	cli_usage_error(cmd, m);
	return -1;
}

int cmd_plot(int argc, char **argv)
{
	const cli_command *cmd = cli_command_find("plot");
	cli_values v;
	int pr = cli_parse(cmd, argc, argv, &v);
	int which = pr == 0 ? which_plot(cmd, &v) : -1;
	if (pr == 0 && which >= 0 && v.n_pos < 2)
		pr = cli_usage_error(cmd, "no RUN given");
	else if (pr == 0 && which >= 0 && v.n_pos - 1 > MAX_RUNS)
		pr = cli_usage_error(cmd, "too many runs");
	else if (pr == 0 && which >= 0 && which != K_TRADEOFF && v.pol_set && v.ex.n_pol != 1)
		pr = cli_usage_error(cmd, "--policy takes one policy here");
	if (pr != 0 || which < 0) {
		cli_values_free(&v);
		return pr == 1 ? 0 : 2;
	}
	int rc = plot_main(which, &v, v.pos + 1, v.n_pos - 1);
	cli_values_free(&v);
	return rc;
}
