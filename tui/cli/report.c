/* report.c — `tailscope report`: the study's table for each run, one column
 * per stop policy (default: off and repeat_stop), or the same as JSON, or one
 * CSV row per sample.  Several runs are analysed in parallel, one run per
 * worker thread (analysis/export.h is thread-safe on distinct runs). */
#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runs.h"
#include "commands.h"
#include "cli.h"
#include "export.h"
#include "metrics.h"
#include "partial.h"
#include "policy.h"
#include "run.h"
#include "sanitize.h"

#define MAX_RUNS 256

typedef struct report_opts {
	export_opts ex;
	int json, csv, per_sample, per_record, quiet;
	int partial;             /* --partial: partial_json instead of the report */
	size_t shard_k, shard_n;
	const char **options;    /* the options as given, for merge */
	size_t n_options;
	long jobs;
} report_opts;

/* ---- messages and progress, from the worker threads ---- */

typedef struct shared {
	pthread_mutex_t mu;
	int quiet;
	const char *const *runs;
	size_t n_runs, finished;
	int tty;             /* progress allowed */
	int shown;           /* a progress line is on screen */
	double t0, last;
	/* per run: active flag and progress */
	unsigned char *active;
	uint64_t *done, *total;
} shared;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Under sh->mu. */
static void progress_clear(shared *sh)
{
	if (sh->shown) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		sh->shown = 0;
	}
}

/* Under sh->mu.  Shown only on a terminal, after half a second, at most
 * four times a second. */
static void progress_draw(shared *sh, int force)
{
	if (!sh->tty)
		return;
	double t = now_s();
	if (t - sh->t0 < 0.5 || (!force && t - sh->last < 0.25))
		return;
	sh->last = t;
	char line[512];
	int k = snprintf(line, sizeof line, "report: %zu/%zu runs done", sh->finished, sh->n_runs);
	for (size_t i = 0; i < sh->n_runs && k > 0 && (size_t)k < sizeof line - 40; i++) {
		if (!sh->active[i])
			continue;
		/* the run's last path component */
		size_t len;
		const char *base = run_path_base(sh->runs[i], &len);
		char nm[64];
		sanitize(base, len, nm, sizeof nm, 24);
		double pct = sh->total[i] ? 100.0 * (double)sh->done[i] / (double)sh->total[i] : 0.0;
		k += snprintf(line + k, sizeof line - (size_t)k, "; %s %3.0f%%", nm, pct > 100 ? 100 : pct);
	}
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	sh->shown = 1;
}

static void say(shared *sh, const char *msg)
{
	if (sh->quiet)
		return;
	char buf[1400];
	sanitize(msg, strlen(msg), buf, sizeof buf, 0);
	pthread_mutex_lock(&sh->mu);
	progress_clear(sh);
	fprintf(stderr, "tailscope: %s\n", buf);
	pthread_mutex_unlock(&sh->mu);
}

static void cb_warn(void *ud, size_t run, const char *msg)
{
	(void)run;
	say(ud, msg);
}

static void cb_start(void *ud, size_t run)
{
	shared *sh = ud;
	pthread_mutex_lock(&sh->mu);
	sh->active[run] = 1;
	pthread_mutex_unlock(&sh->mu);
}

static void cb_progress(void *ud, size_t run, uint64_t done, uint64_t total)
{
	shared *sh = ud;
	if (!sh->tty)
		return;
	pthread_mutex_lock(&sh->mu);
	sh->done[run] = done;
	sh->total[run] = total;
	progress_draw(sh, 0);
	pthread_mutex_unlock(&sh->mu);
}

static void cb_done(void *ud, size_t run)
{
	shared *sh = ud;
	pthread_mutex_lock(&sh->mu);
	sh->active[run] = 0;
	sh->finished++;
	progress_draw(sh, 1);
	pthread_mutex_unlock(&sh->mu);
}

/* Analyses runs[0..n) with `jobs` workers, messages and progress on stderr.
 * res[i] (NULL only when out of memory).  Shared with `tailscope plot`. */
ts_status report_analyze_runs(const char *const *runs, size_t n, const export_opts *o,
                              long jobs, int quiet, export_run **res)
{
	shared sh;
	memset(&sh, 0, sizeof sh);
	pthread_mutex_init(&sh.mu, NULL);
	sh.quiet = quiet;
	sh.runs = runs;
	sh.n_runs = n;
	sh.tty = isatty(STDERR_FILENO);
	sh.t0 = now_s();
	sh.active = calloc(n ? n : 1, 1);
	sh.done = calloc(n ? n : 1, sizeof *sh.done);
	sh.total = calloc(n ? n : 1, sizeof *sh.total);
	ts_status st = TS_ERR_NOMEM;
	if (sh.active && sh.done && sh.total) {
		export_pool_cb cb = { cb_warn, cb_start, cb_progress, cb_done, &sh };
		/* jobs threads: one run per thread, and the threads left over
		 * parse the lines of each run (export_opts.line_jobs) */
		size_t nj = jobs > 0 ? (size_t)jobs : 1, at_once = n < nj ? (n ? n : 1) : nj;
		export_opts lo = *o;
		lo.line_jobs = nj / at_once;
		st = export_runs_analyze(runs, n, &lo, nj, &cb, res);
	}
	pthread_mutex_lock(&sh.mu);
	progress_clear(&sh);
	pthread_mutex_unlock(&sh.mu);
	free(sh.active);
	free(sh.done);
	free(sh.total);
	pthread_mutex_destroy(&sh.mu);
	return st;
}

/* Loads --gt once for every run (read-only, shared by the workers).
 * Returns the gt or NULL (o->shared_gt_failed set when it failed). */
gt *report_load_shared_gt(export_opts *o, int quiet)
{
	if (!o->gt_path)
		return NULL;
	ts_error err;
	gt *g = NULL;
	size_t gskip = 0;
	char msg[700];
	if (gt_load(o->gt_path, &g, &gskip, &err) != TS_OK) {
		if (!quiet) {
			sanitize(err.msg, strlen(err.msg), msg, sizeof msg, 0);
			fprintf(stderr, "tailscope: %s\n", msg);
		}
		o->shared_gt_failed = 1;
		g = NULL;
	} else if (gskip && !quiet) {
		char raw[700];
		snprintf(raw, sizeof raw, "%s: %zu malformed annotation(s) or image(s) ignored",
		         o->gt_path, gskip);
		sanitize(raw, strlen(raw), msg, sizeof msg, 0);
		fprintf(stderr, "tailscope: %s\n", msg);
	}
	if (g && !quiet && gt_duplicates_note(g)[0]) {
		char raw[700];
		snprintf(raw, sizeof raw, "%s: %s (the first of each kept)", o->gt_path,
		         gt_duplicates_note(g));
		sanitize(raw, strlen(raw), msg, sizeof msg, 0);
		fprintf(stderr, "tailscope: %s\n", msg);
	}
	o->shared_gt = g;
	return g;
}

/* ---- output ---- */

/* "run NAME", the traces and the policy names; returns the column width
 * (12, or the longest policy name) and whether a column is an upper bound. */
static int table_header(const export_run *rr, const export_opts *ex, int *upper)
{
	printf("run %s%s\n", rr->name, rr->simulated ? "  (simulated traces)" : "");
	printf("  traces %s\n", rr->traces ? rr->traces : "?");
	char syn[512];
	coords_check_summary(&rr->check, syn, sizeof syn);
	printf("  syntax %s\n", syn);
	printf("  %-24s", "");
	char pname[48];
	int cw = 12; /* column width: 12, or the longest policy name */
	for (size_t p = 0; p < ex->n_pol; p++) {
		int l = (int)strlen(policy_name(&ex->pol[p], pname, sizeof pname)) + 1;
		if (l > cw)
			cw = l;
	}
	/* policy off on traces a live stop policy already ended (tailscope
	 * capture --policy): the column is the run as captured, not a run
	 * without a stop */
	int live = 0;
	for (size_t p = 0; p < ex->n_pol; p++) {
		policy_name(&ex->pol[p], pname, sizeof pname);
		if (ex->pol[p].kind == POLICY_OFF && rr->m[p].stopped > 0) {
			snprintf(pname, sizeof pname, "as captured");
			live = 1;
		}
		if (!policy_is_truncation(&ex->pol[p])) {
			strcat(pname, "*");
			*upper = 1;
		}
		printf(" %*s", cw, pname);
	}
	printf("\n");
	if (live)
		printf("  (as captured = policy off on traces a live stop ended: each stopped one still holds\n"
		       "   the record that fired the stop, e.g. the first duplicate, so duplicates and\n"
		       "   max_repeat 2 there are the stop working; a policy column replays it on them)\n");
	return cw;
}

/* The study's rows: counts and rates per policy. */
static void table_counts(const export_run *rr, const export_opts *ex, int cw)
{
#define ROW_Z(label, field)                                              \
	do {                                                             \
		printf("  %-24s", label);                                \
		for (size_t p = 0; p < ex->n_pol; p++)                   \
			printf(" %*zu", cw, rr->m[p].field);                \
		printf("\n");                                            \
	} while (0)
#define ROW_F(label, field)                                              \
	do {                                                             \
		printf("  %-24s", label);                                \
		for (size_t p = 0; p < ex->n_pol; p++)                   \
			printf(" %*.3f", cw, rr->m[p].field);               \
		printf("\n");                                            \
	} while (0)
	ROW_Z("samples", samples);
	ROW_Z("records", records);
	ROW_Z("duplicates", duplicates);
	ROW_F("duplicate_rate", duplicate_rate);
	ROW_Z("max_repeat", max_repeat);
	ROW_Z("samples_with_duplicates", samples_with_duplicates);
	ROW_Z("closed", closed);
	ROW_Z("truncated", truncated);
	ROW_Z("malformed", malformed);
	ROW_Z("stopped", stopped);
	ROW_F("termination_rate", termination_rate);
	ROW_Z("tokens", tokens);
#undef ROW_Z
#undef ROW_F
}

static void table_f1(const export_run *rr, const export_opts *ex, int cw)
{
	if (rr->gt_loaded) {
		for (size_t j = 0; j < rr->m[0].n_iou; j++) {
			char lab[64];
			snprintf(lab, sizeof lab, "F1@%g", rr->m[0].iou[j]);
			printf("  %-24s", lab);
			for (size_t p = 0; p < ex->n_pol; p++)
				printf(" %*.3f", cw, rr->m[p].prf[j].f1);
			printf("\n  %-24s", "  precision / recall");
			for (size_t p = 0; p < ex->n_pol; p++) {
				char pr[32];
				snprintf(pr, sizeof pr, "%.3f/%.3f", rr->m[p].prf[j].precision,
				         rr->m[p].prf[j].recall);
				printf(" %*s", cw, pr);
			}
			printf("\n  %-24s", "  tp / fp / fn");
			for (size_t p = 0; p < ex->n_pol; p++) {
				char c[48];
				snprintf(c, sizeof c, "%zu/%zu/%zu", rr->m[p].counts[j].tp,
				         rr->m[p].counts[j].fp, rr->m[p].counts[j].fn);
				printf(" %*s", cw, c);
			}
			printf("\n");
		}
	} else {
		printf("  (no ground truth: F1 not computed; use --gt FILE)\n");
	}
}

static void table_ap(const export_run *rr, const export_opts *ex, int cw)
{
	if (rr->has_ap) {
		char lab[64];
		snprintf(lab, sizeof lab, "AP@%g (%s score)", ex->ap_iou, conf_score_name(ex->score));
		printf("  %-24s", lab);
		for (size_t p = 0; p < ex->n_pol; p++) {
			if (isfinite(rr->ap[p].ap))
				printf(" %*.3f", cw, rr->ap[p].ap);
			else
				printf(" %*s", cw, "-");
		}
		printf("\n  %-24s", "  pooled (unknown = FP)");
		for (size_t p = 0; p < ex->n_pol; p++) {
			if (isfinite(rr->ap[p].ap_pooled))
				printf(" %*.3f", cw, rr->ap[p].ap_pooled);
			else
				printf(" %*s", cw, "-");
		}
		printf("\n");
	}
}

/* The policy lab's rows: what each policy costs and saves. */
static void table_lab(const export_run *rr, const export_opts *ex, int cw)
{
	printf("  %-24s", "tokens_saved");
	for (size_t p = 0; p < ex->n_pol; p++)
		printf(" %*zu", cw, run_metrics_tokens_saved(&rr->m[p]));
	printf("\n  %-24s", "false_stops");
	for (size_t p = 0; p < ex->n_pol; p++)
		printf(" %*zu", cw, rr->m[p].false_stops);
	printf("\n  %-24s", "early_stops");
	for (size_t p = 0; p < ex->n_pol; p++)
		printf(" %*zu", cw, rr->m[p].early_stops);
	printf("\n  %-24s", "tails_unstopped");
	for (size_t p = 0; p < ex->n_pol; p++)
		printf(" %*zu", cw, rr->m[p].tails_unstopped);
	printf("\n");
	for (size_t j = 0; rr->gt_loaded && j < rr->m[0].n_iou; j++) {
		char lab[64];
		snprintf(lab, sizeof lab, "tp_lost@%g", rr->m[0].iou[j]);
		printf("  %-24s", lab);
		for (size_t p = 0; p < ex->n_pol; p++)
			printf(" %*zu", cw, rr->m[p].tp_lost[j]);
		printf("\n");
	}
}

/* TIDE error types at IoU 0.5 (tide.h): they sum to FP, missed = FN. */
static void table_tide(const export_run *rr, const export_opts *ex, int cw)
{
	if (!rr->gt_loaded)
		return;
	char lab[64];
	snprintf(lab, sizeof lab, "errors@%g (TIDE, bg %g)", TIDE_FG, TIDE_BG);
	printf("  %s\n", lab);
	for (int k = TIDE_CLS; k <= TIDE_KIND_COUNT; k++) {
		printf("    %-22s", k < TIDE_KIND_COUNT ? tide_kind_name((tide_kind)k) : "missed (= FN)");
		for (size_t p = 0; p < ex->n_pol; p++) {
			const run_metrics *m = &rr->m[p];
			if (!m->tide_ok)
				printf(" %*s", cw, "-");
			else
				printf(" %*zu", cw, k < TIDE_KIND_COUNT ? m->tide.err[k] : m->tide.missed);
		}
		printf("\n");
	}
}

/* ECE of the record scores against TP at 0.5 (calib.h). */
static void table_ece(const export_run *rr, const export_opts *ex, int cw)
{
	if (!rr->has_ap)
		return;
	printf("  %-24s", "ECE@0.5 (10 bins)");
	for (size_t p = 0; p < ex->n_pol; p++) {
		double e = calib_ece(&rr->calib[p]);
		if (isfinite(e))
			printf(" %*.3f", cw, e);
		else
			printf(" %*s", cw, "-");
	}
	printf("\n");
}

/* Three policies or more (a sweep): the trade-off, one row per policy, and
 * tokens saved against F1 as a terminal plot (the same spec as `plot
 * tradeoff`). */
static void table_tradeoff(const export_run *rr, const export_opts *ex)
{
	if (ex->n_pol < 3)
		return;
	size_t j = plot_tradeoff_iou(rr);
	char f1[32], lost[32], pname[48];
	snprintf(f1, sizeof f1, "F1@%g", rr->m[0].n_iou ? rr->m[0].iou[j] : 0.5);
	snprintf(lost, sizeof lost, "tp_lost@%g", rr->m[0].n_iou ? rr->m[0].iou[j] : 0.5);
	printf("\n  trade-off (one row per policy)\n");
	printf("  %-30s %12s %7s %8s %7s %11s %11s %11s %15s\n", "policy", "tokens_saved", "saved%",
	       f1, "stopped", "false_stops", "early_stops", lost, "tails_unstopped");
	for (size_t p = 0; p < ex->n_pol; p++) {
		const run_metrics *m = &rr->m[p];
		size_t saved = run_metrics_tokens_saved(m);
		char f[16] = "-";
		if (rr->gt_loaded)
			snprintf(f, sizeof f, "%.3f", m->prf[j].f1);
		char l[24] = "-";
		if (rr->gt_loaded)
			snprintf(l, sizeof l, "%zu", m->tp_lost[j]);
		printf("  %-30s %12zu %6.1f%% %8s %7zu %11zu %11zu %11s %15zu\n",
		       policy_name(&ex->pol[p], pname, sizeof pname), saved,
		       m->tokens_all ? 100.0 * (double)saved / (double)m->tokens_all : 0.0, f, m->stopped,
		       m->false_stops, m->early_stops, l, m->tails_unstopped);
	}
	if (!rr->gt_loaded)
		return;
	plot_tradeoff_data *d = malloc(sizeof *d);
	if (!d)
		return;
	plot_spec spec;
	plot_tradeoff_build(rr, ex, d, &spec);
	printf("\n");
	plot_print_text(&spec, 100, 12, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
	free(d);
}

static void table_confidence(const export_run *rr)
{
	if (rr->has_conf) {
		size_t total = rr->m[0].records;
		printf("  %-24s %zu of %zu\n", "records scored", rr->records_scored, total);
		if (rr->term.tails) {
			printf("  %-24s", "P(close) max before tail");
			if (rr->term.tails_max_defined)
				printf(" %12.3f  (max per sample, mean over %zu of %zu samples with a tail)\n",
				       rr->term.mean_max_before_tail, rr->term.tails_max_defined, rr->term.tails);
			else
				printf(" %12s  (no alternatives in the trace)\n", "-");
			printf("  %-24s", "P(close) at tail start");
			if (rr->term.tails_at_defined)
				printf(" %12.3f  (mean over %zu samples)\n", rr->term.mean_at_tail_start,
				       rr->term.tails_at_defined);
			else
				printf(" %12s\n", "-");
		}
	}
}

/* The width of the file:line column of a sharded run's --per-sample. */
static int where_width(const export_run *rr)
{
	size_t w = strlen("file:line");
	for (size_t i = 0; i < rr->n_rows; i++) {
		char n[32];
		size_t k = (rr->rows[i].file ? strlen(rr->rows[i].file) : 0) + 1 +
		           (size_t)snprintf(n, sizeof n, "%zu", rr->rows[i].line);
		if (k > w)
			w = k;
	}
	return w > 1000 ? 1000 : (int)w;
}

/* --per-sample under the table (policy off values). */
static void table_samples(const export_run *rr)
{
	/* tail_start, stop_step: the JSON fields, 0-based (the debugger shows
	 * them 1-based: record #tail_start+1, step stop_step+1) */
	/* a sharded run: first where each sample is, FILE:LINE (export_row.file
	 * and .line, as the CSV/JSON "file" and "line"), whole, padded */
	int ww = rr->sharded ? where_width(rr) : 0;
	printf("\n");
	if (ww)
		printf("  %-*s", ww, "file:line");
	printf("  %-10s %7s %5s %6s %-10s %10s %9s %6s", "image", "records", "dups", "maxrep",
	       "term", "tail_start", "stop_step", "steps");
	if (rr->gt_loaded)
		printf("  %s", "tp/fp/fn@first-iou");
	printf("\n");
	for (size_t i = 0; i < rr->n_rows; i++) {
		const export_row *r = &rr->rows[i];
		char line[512];
		if (ww)
			printf("  %s:%-*zu", r->file ? r->file : "",
			       ww - 1 - (int)strlen(r->file ? r->file : ""), r->line);
		export_row_text(r, rr->gt_loaded, line, sizeof line);
		printf("  %s\n", line);
	}
}

static void print_table(const export_run *rr, const report_opts *o)
{
	const export_opts *ex = &o->ex;
	int upper = 0;
	int cw = table_header(rr, ex, &upper);
	table_counts(rr, ex, cw);
	table_f1(rr, ex, cw);
	table_ap(rr, ex, cw);
	table_ece(rr, ex, cw);
	table_lab(rr, ex, cw);
	table_tide(rr, ex, cw);
	table_confidence(rr);
	if (upper)
		printf("  * dedup: exact duplicates dropped while decoding continues: an upper bound\n"
		       "    that a real decoder cannot reach (not a replay)\n");
	if (rr->skipped)
		printf("  skipped lines            %zu\n", rr->skipped);
	table_tradeoff(rr, ex);
	if (o->per_sample && rr->n_rows)
		table_samples(rr);
}

/* Several runs: one table first, a row per run, the headline numbers side
 * by side (F1 at the first IoU, duplicate_rate, max_repeat,
 * termination_rate, tokens), one cell per policy under each.  With the
 * default pair (off and one other) the cells are "off" and "on"; otherwise
 * numbered, with a legend. */
enum { G_F1, G_DUP, G_MAXREP, G_TERM, G_TOKENS, G_COUNT };
#define SUM_CW 7 /* a cell: "0.699", "12345" */

static int summary_pair(const export_opts *ex)
{
	return ex->n_pol == 2 && ex->pol[0].kind == POLICY_OFF;
}

/* the legend line and the two head lines */
static void summary_head(const export_opts *ex, size_t n, int nw)
{
	char pname[48], f1[32] = "F1", lab[8];
	const char *heads[G_COUNT] = {f1, "duplicate_rate", "max_repeat", "termination_rate", "tokens"};
	int pair = summary_pair(ex), gw = (int)ex->n_pol * (SUM_CW + 1); /* a group's width */
	if (ex->an.n_iou)
		snprintf(f1, sizeof f1, "F1@%g", ex->an.iou[0]);
	printf("summary: %zu runs, ", n);
	if (pair)
		printf("policy off vs on = %s\n", policy_name(&ex->pol[1], pname, sizeof pname));
	else
		for (size_t p = 0; p < ex->n_pol; p++)
			printf("%s#%zu %s%s", p ? ", " : "policies ", p + 1,
			       policy_name(&ex->pol[p], pname, sizeof pname), p + 1 < ex->n_pol ? "" : "\n");
	printf("  %-*s %7s", nw, "", "");
	for (int g = 0; g < G_COUNT; g++)
		printf(" │%-*.*s", g + 1 < G_COUNT ? gw : 0, gw, heads[g]);
	printf("\n  %-*s %7s", nw, "run", "samples");
	for (int g = 0; g < G_COUNT; g++) {
		printf(" │");
		for (size_t p = 0; p < ex->n_pol; p++) {
			snprintf(lab, sizeof lab, pair ? (p ? "on" : "off") : "#%zu", p + 1);
			if (!policy_is_truncation(&ex->pol[p]))
				strcat(lab, "*");
			printf(" %*s", SUM_CW, lab);
		}
	}
	printf("\n");
}

static void summary_cell(const export_run *r, const run_metrics *m, int g)
{
	switch (g) {
	case G_F1:
		if (r->gt_loaded && m->n_iou)
			printf(" %*.3f", SUM_CW, m->prf[0].f1);
		else
			printf(" %*s", SUM_CW, "-");
		break;
	case G_DUP: printf(" %*.3f", SUM_CW, m->duplicate_rate); break;
	case G_MAXREP: printf(" %*zu", SUM_CW, m->max_repeat); break;
	case G_TERM: printf(" %*.3f", SUM_CW, m->termination_rate); break;
	default: printf(" %*zu", SUM_CW, m->tokens); break;
	}
}

static void print_summary(export_run *const *rs, size_t n, const export_opts *ex)
{
	int nw = 3, upper = 0;
	for (size_t i = 0; i < n; i++) {
		int l = (int)sanitize_width(rs[i]->name, strlen(rs[i]->name));
		nw = l > nw ? l : nw;
	}
	nw = nw > 28 ? 28 : nw;
	summary_head(ex, n, nw);
	for (size_t i = 0; i < n; i++) {
		const export_run *r = rs[i];
		char nm[128];
		sanitize(r->name, strlen(r->name), nm, sizeof nm, (size_t)nw);
		int pad = nw - (int)sanitize_width(nm, strlen(nm));
		printf("  %s%*s %7zu", nm, pad > 0 ? pad : 0, "", r->m[0].samples);
		for (int g = 0; g < G_COUNT; g++) {
			printf(" │");
			for (size_t p = 0; p < ex->n_pol; p++)
				summary_cell(r, &r->m[p], g);
		}
		printf("\n");
	}
	for (size_t p = 0; p < ex->n_pol; p++)
		upper |= !policy_is_truncation(&ex->pol[p]);
	if (upper)
		printf("  * upper bound (see the run's table)\n");
	printf("\n");
}

static int write_stdout(void *ud, const char *buf, size_t len)
{
	(void)ud;
	return fwrite(buf, 1, len, stdout) == len ? 0 : -1;
}

/* What the runs came to: *partial (some input skipped or not read), *usable
 * (some run usable), *oom (a run or an image's matching ran out of memory). */
static void report_tally(export_run *const *res, size_t n_runs, int *partial, int *usable, int *oom)
{
	*partial = 0;
	*usable = 0;
	*oom = metrics_oom_events() > 0;
	if (*oom) /* the counts of some image are wrong: no table */
		fprintf(stderr, "tailscope report: out of memory while matching %zu image(s)\n", metrics_oom_events());
	for (size_t i = 0; i < n_runs; i++) {
		const export_run *r = res[i];
		if (!r) {
			*oom = 1;
			*partial = 1;
			continue;
		}
		/* a path that is no run (README.md or gen/ next to the runs) is
		 * named on stderr but is no skipped input */
		if ((!r->opened && !r->not_run) || (r->opened && (r->skipped || !r->usable)))
			*partial = 1;
		if (r->usable)
			*usable = 1;
	}
}

/* The JSON report (or with --partial the mergeable state); 0 when out of
 * memory (said). */
static int report_print_json(const report_opts *o, export_run *const *shown, size_t n_shown)
{
	cJSON *root = o->partial ? partial_json(&o->ex, shown, n_shown, o->shard_k, o->shard_n,
	                                        o->options, o->n_options)
	                         : export_json(&o->ex, shown, n_shown, o->per_sample);
	char *txt = root ? (o->partial ? cJSON_PrintUnformatted(root) : cJSON_Print(root)) : NULL;
	int ok = txt != NULL;
	if (txt) {
		fputs(txt, stdout);
		fputc('\n', stdout);
	} else {
		fputs("tailscope report: out of memory\n", stderr);
	}
	free(txt);
	cJSON_Delete(root);
	return ok;
}

/* CSV: a row per sample, or with --per-record a row per record (--csv or
 * not), with a "file" column when one of the runs is sharded; 0 when writing
 * failed (said). */
static int report_print_csv(report_opts *o, export_run *const *res, size_t n_runs)
{
	int pr = o->per_record;
	o->ex.file_col = export_any_sharded(res, n_runs);
	ts_status st = pr ? export_csv_records_header(&o->ex, write_stdout, NULL)
	                  : export_csv_header(&o->ex, write_stdout, NULL);
	for (size_t i = 0; i < n_runs && st == TS_OK; i++)
		st = pr ? export_csv_records(&o->ex, res[i], write_stdout, NULL)
		        : export_csv_rows(&o->ex, res[i], write_stdout, NULL);
	if (st != TS_OK) {
		fprintf(stderr, "tailscope report: writing CSV: %s\n", ts_status_text(st));
		return 0;
	}
	return 1;
}

/* The output for the runs that were read (a path that is not a run, its one
 * line on stderr, gets no table and no JSON entry): JSON, CSV or the tables.
 * Returns usable, or 0 when nothing was written (out of memory, nothing read:
 * the reasons are on stderr). */
static int report_output(report_opts *o, export_run *const *res, size_t n_runs, int oom, int usable)
{
	export_run **shown = oom ? NULL : calloc(n_runs, sizeof *shown);
	size_t n_shown = 0;
	if (!oom && !shown)
		oom = 1;
	for (size_t i = 0; !oom && i < n_runs; i++)
		if (res[i]->opened)
			shown[n_shown++] = res[i];
	if (oom) {
		fputs("tailscope report: out of memory\n", stderr);
		usable = 0;
	} else if (n_shown == 0) {
		usable = 0;
	} else if (o->json) {
		usable = report_print_json(o, shown, n_shown) ? usable : 0;
	} else if (o->csv || o->per_record) {
		usable = report_print_csv(o, res, n_runs) ? usable : 0;
	} else {
		if (n_shown > 1)
			print_summary(shown, n_shown, &o->ex);
		for (size_t i = 0; i < n_shown; i++) {
			if (i)
				printf("\n");
			print_table(shown[i], o);
		}
	}
	free(shown);
	return usable;
}

/* Analyses the runs and prints the table, JSON or CSV; returns the exit code. */
static int report_main(report_opts *o, const char *const *runs, size_t n_runs)
{
	o->ex.rows = o->per_sample || o->csv || o->per_record;
	o->ex.per_record = o->per_record;

	export_run **res = calloc(n_runs, sizeof *res);
	if (!res) {
		fputs("tailscope report: out of memory\n", stderr);
		return 2;
	}
	gt *shared_gt = report_load_shared_gt(&o->ex, o->quiet);
	report_analyze_runs(runs, n_runs, &o->ex, o->jobs, o->quiet, res);
	int partial, any_usable, oom;
	report_tally(res, n_runs, &partial, &any_usable, &oom);
	any_usable = report_output(o, res, n_runs, oom, any_usable);
	if (cli_flush_stdout() != 0)
		any_usable = 0; /* main says why (cli_finish_stdout) */
	for (size_t i = 0; i < n_runs; i++)
		export_run_free(res[i]);
	free(res);
	gt_free(shared_gt);
	if (!any_usable)
		return 2;
	return partial ? 1 : 0;
}

/* --partial: the state instead of the report, recording the options as
 * given (all but the runs, --partial and --shard) for merge; --shard K/N
 * selects the block of trace files.  -1 on OOM. */
static int report_partial_setup(report_opts *o, const cli_values *v, int argc, char **argv)
{
	o->partial = v->partial;
	o->shard_k = v->shard_n ? v->shard_k : 1;
	o->shard_n = v->shard_n ? v->shard_n : 1;
	o->ex.limits.shard_k = v->shard_k;
	o->ex.limits.shard_n = v->shard_n;
	o->ex.keep_state = v->partial;
	o->options = calloc((size_t)(argc > 0 ? argc : 1), sizeof *o->options);
	if (!o->options)
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int is_pos = 0;
		for (size_t k = 0; k < v->n_pos; k++)
			is_pos |= v->pos[k] == a;
		if (is_pos || !strcmp(a, "--") || !strcmp(a, "--partial") || !strncmp(a, "--shard=", 8))
			continue;
		if (!strcmp(a, "--shard")) {
			i++;
			continue;
		}
		o->options[o->n_options++] = a;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	const cli_command *cmd = cli_command_find("report");
	cli_values v;
	int pr = cli_parse(cmd, argc, argv, &v);
	if (pr != 0) {
		cli_values_free(&v);
		return pr == 1 ? 0 : 2;
	}
	report_opts o;
	memset(&o, 0, sizeof o);
	o.ex = v.ex;
	o.json = v.json;
	o.csv = v.csv;
	o.per_sample = v.per_sample;
	o.per_record = v.per_record;
	o.quiet = v.quiet;
	o.jobs = v.jobs;
	const char *const *runs = v.pos;
	size_t n_runs = v.n_pos;
	int rc = 2;
	if (n_runs == 0)
		rc = cli_usage_error(cmd, "no RUN given");
	else if (n_runs > MAX_RUNS)
		rc = cli_usage_error(cmd, "too many runs");
	else if (o.json && o.csv)
		rc = cli_usage_error(cmd, "--json and --csv exclude each other");
	else if (v.partial && (!o.json || o.per_sample))
		rc = cli_usage_error(cmd, "--partial needs --json (and no --per-sample)");
	else if (report_partial_setup(&o, &v, argc, argv))
		rc = cli_usage_error(cmd, "out of memory");
	else
		rc = report_main(&o, runs, n_runs);
	free(o.options);
	cli_values_free(&v);
	return rc;
}
