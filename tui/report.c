/* report.c — `tailscope report`: the study's table for each run, one column
 * per stop policy (default: off and repeat_stop), or the same as JSON. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "policy.h"
#include "run.h"
#include "sanitize.h"

#define MAX_POLICIES 8
#define MAX_RUNS 256

static const char report_usage[] =
	"usage: tailscope report [OPTIONS] RUN...\n"
	"\n"
	"RUN: a run directory (run.json, gt.json, images/, traces.jsonl) or a traces JSONL file.\n"
	"\n"
	"  --gt FILE         COCO instances ground truth (default: the run's gt.json)\n"
	"  --coords NAME     qwen3 | qwen25 | gemini | paligemma | xyxy | auto (default: run.json, else auto)\n"
	"  --min-pixels N    qwen25 smart_resize min_pixels (default 3136)\n"
	"  --max-pixels N    qwen25 smart_resize max_pixels (default 12845056)\n"
	"  --iou LIST        IoU thresholds for F1 (default 0.3,0.5)\n"
	"  --policy LIST     stop policies, columns of the table (default off,repeat_stop;\n"
	"                    also budget:N)\n"
	"  --json            print JSON instead of tables\n"
	"  --per-sample      also list every sample (policy off values)\n"
	"  -q, --quiet       don't print skipped-line messages (they are still counted)\n"
	"  -h, --help        this help\n"
	"\n"
	"exit status: 0 all lines used, 1 some lines skipped, 2 nothing usable\n";

typedef struct report_opts {
	const char *gt_path;
	int coords_set;
	analysis_opts an;
	policy pol[MAX_POLICIES];
	size_t n_pol;
	int json, per_sample, quiet;
} report_opts;

/* One sample's policy-off facts for --per-sample. */
typedef struct sample_row {
	int has_id;
	int64_t image_id;
	char *image;        /* sanitized reference when there is no id */
	size_t records, duplicates, max_repeat, steps;
	long tail_start, stop_step;
	termination term;
	metrics_counts counts[TS_MAX_IOU];
} sample_row;

typedef struct run_result {
	char *name;          /* sanitized */
	char *traces;        /* sanitized */
	int simulated;
	int gt_loaded;
	size_t skipped;
	int usable;          /* opened and produced at least one sample */
	run_metrics m[MAX_POLICIES];
	sample_row *rows;
	size_t n_rows, cap_rows;
} run_result;

static void warn(const report_opts *o, const char *msg)
{
	if (o->quiet)
		return;
	char buf[1024];
	sanitize(msg, strlen(msg), buf, sizeof buf, 0);
	fprintf(stderr, "tailscope: %s\n", buf);
}

static char *sdup(const char *s)
{
	return sanitize_dup(s ? s : "", s ? strlen(s) : 0, 0);
}

static int add_row(run_result *rr, const trace *t, const sample *s, const report_opts *o)
{
	if (rr->n_rows == rr->cap_rows) {
		size_t cap = rr->cap_rows ? rr->cap_rows * 2 : 64;
		sample_row *r = realloc(rr->rows, cap * sizeof *r);
		if (!r)
			return -1;
		rr->rows = r;
		rr->cap_rows = cap;
	}
	sample_row *row = &rr->rows[rr->n_rows++];
	memset(row, 0, sizeof *row);
	row->has_id = trace_image_id(t, &row->image_id);
	if (!row->has_id) {
		const char *ref = trace_file_name(t);
		if (!ref)
			ref = trace_custom_id(t);
		row->image = ref ? sdup(ref) : NULL;
	}
	const repeat_stats *rep = sample_repeat(s);
	row->records = rep->records;
	row->duplicates = rep->duplicates;
	row->max_repeat = rep->max_repeat;
	row->tail_start = rep->tail_start;
	row->term = sample_termination(s);
	row->steps = sample_n_steps(s);
	policy rs = { POLICY_REPEAT_STOP, 0 };
	sample_outcome so = sample_outcome_for(s, &rs);
	row->stop_step = so.cut.stop_step;
	policy off = { POLICY_OFF, 0 };
	sample_outcome oo = sample_outcome_for(s, &off);
	memcpy(row->counts, oo.counts, sizeof row->counts);
	(void)o;
	return 0;
}

/* Analyses one run.  Returns 0, or -1 when the run could not be opened. */
static int process_run(const char *path, const report_opts *o, run_result *rr)
{
	ts_error err;
	run_info *ri;
	rr->name = sdup(path);
	if (run_open(path, &ri, &err) != TS_OK) {
		warn(o, err.msg);
		return -1;
	}
	free(rr->name);
	rr->name = sdup(ri->name);
	rr->traces = sdup(ri->traces_path);
	rr->simulated = ri->simulated;

	analysis_opts an = o->an;
	if (!o->coords_set && ri->coords != COORDS_AUTO)
		an.coords.kind = ri->coords;
	gt *g = NULL;
	const char *gt_path = o->gt_path ? o->gt_path : ri->gt_path;
	if (gt_path) {
		size_t gskip = 0;
		if (gt_load(gt_path, &g, &gskip, &err) != TS_OK) {
			warn(o, err.msg);
			rr->skipped++; /* the ground truth itself is missing: partial result */
			g = NULL;
		} else if (gskip) {
			char msg[600];
			snprintf(msg, sizeof msg, "%s: %zu malformed annotation(s) or image(s) ignored",
			         gt_path, gskip);
			warn(o, msg);
		}
	}
	rr->gt_loaded = g != NULL;
	for (size_t p = 0; p < o->n_pol; p++)
		run_metrics_init(&rr->m[p], &an);

	trace_limits lim;
	trace_limits_default(&lim);
	trace_file *tf;
	if (trace_file_open(ri->traces_path, &lim, &tf, &err) != TS_OK) {
		warn(o, err.msg);
		gt_free(g);
		run_info_free(ri);
		return -1;
	}
	int progress = isatty(STDERR_FILENO) && !o->json && trace_file_size(tf) > (64u << 20);
	uint64_t next_progress = 0;
	for (;;) {
		trace *t = NULL;
		size_t lineno = 0;
		ts_status st = trace_file_next(tf, &t, &lineno, &err);
		if (st == TS_EOF)
			break;
		if (st != TS_OK) {
			warn(o, err.msg);
			rr->skipped++;
			continue;
		}
		const gt_image *img = NULL;
		if (g) {
			img = run_find_image(g, t);
			if (!img) {
				int64_t id;
				char msg[900];
				if (trace_image_id(t, &id))
					snprintf(msg, sizeof msg, "%s:%zu: image_id %lld is not in %s",
					         ri->traces_path, lineno, (long long)id, gt_path);
				else {
					const char *ref = trace_file_name(t);
					if (!ref)
						ref = trace_custom_id(t);
					snprintf(msg, sizeof msg, "%s:%zu: %s%s%s not in %s", ri->traces_path, lineno,
					         ref ? "image '" : "no image reference (image_id, file_name, custom_id)",
					         ref ? ref : "", ref ? "'" : "", gt_path);
				}
				warn(o, msg);
				rr->skipped++;
				trace_free(t);
				continue;
			}
		}
		sample *s;
		st = sample_analyze(t, g, img, 0, 0, &an, &s, &err);
		if (st != TS_OK) {
			char msg[900];
			snprintf(msg, sizeof msg, "%s:%zu: %s", ri->traces_path, lineno, err.msg);
			warn(o, msg);
			rr->skipped++;
			trace_free(t);
			continue;
		}
		for (size_t p = 0; p < o->n_pol; p++) {
			sample_outcome oc = sample_outcome_for(s, &o->pol[p]);
			run_metrics_add(&rr->m[p], &oc);
		}
		if (o->per_sample && add_row(rr, t, s, o) != 0) {
			warn(o, "out of memory");
			rr->skipped++;
		}
		sample_free(s);
		trace_free(t);
		if (progress && trace_file_pos(tf) >= next_progress) {
			fprintf(stderr, "\r%s: %3.0f%%", rr->name,
			        100.0 * (double)trace_file_pos(tf) / (double)trace_file_size(tf));
			next_progress = trace_file_pos(tf) + (16u << 20);
		}
	}
	if (progress)
		fprintf(stderr, "\r%*s\r", 40, "");
	trace_file_close(tf);
	for (size_t p = 0; p < o->n_pol; p++)
		run_metrics_finish(&rr->m[p]);
	rr->usable = rr->m[0].samples > 0;
	gt_free(g);
	run_info_free(ri);
	return 0;
}

static void print_table(const run_result *rr, const report_opts *o)
{
	printf("run %s%s\n", rr->name, rr->simulated ? "  (simulated traces)" : "");
	printf("  traces %s\n", rr->traces ? rr->traces : "?");
	printf("  %-24s", "");
	char pname[40];
	for (size_t p = 0; p < o->n_pol; p++)
		printf(" %12s", policy_name(&o->pol[p], pname, sizeof pname));
	printf("\n");
#define ROW_Z(label, field)                                              \
	do {                                                             \
		printf("  %-24s", label);                                \
		for (size_t p = 0; p < o->n_pol; p++)                    \
			printf(" %12zu", rr->m[p].field);                \
		printf("\n");                                            \
	} while (0)
#define ROW_F(label, field)                                              \
	do {                                                             \
		printf("  %-24s", label);                                \
		for (size_t p = 0; p < o->n_pol; p++)                    \
			printf(" %12.3f", rr->m[p].field);               \
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
	ROW_F("termination_rate", termination_rate);
	ROW_Z("tokens", tokens);
#undef ROW_Z
#undef ROW_F
	if (rr->gt_loaded) {
		for (size_t j = 0; j < rr->m[0].n_iou; j++) {
			char lab[64];
			snprintf(lab, sizeof lab, "F1@%g", rr->m[0].iou[j]);
			printf("  %-24s", lab);
			for (size_t p = 0; p < o->n_pol; p++)
				printf(" %12.3f", rr->m[p].prf[j].f1);
			printf("\n  %-24s", "  precision / recall");
			for (size_t p = 0; p < o->n_pol; p++) {
				char pr[32];
				snprintf(pr, sizeof pr, "%.3f/%.3f", rr->m[p].prf[j].precision,
				         rr->m[p].prf[j].recall);
				printf(" %12s", pr);
			}
			printf("\n  %-24s", "  tp / fp / fn");
			for (size_t p = 0; p < o->n_pol; p++) {
				char c[48];
				snprintf(c, sizeof c, "%zu/%zu/%zu", rr->m[p].counts[j].tp,
				         rr->m[p].counts[j].fp, rr->m[p].counts[j].fn);
				printf(" %12s", c);
			}
			printf("\n");
		}
	} else {
		printf("  (no ground truth: F1 not computed; use --gt FILE)\n");
	}
	if (rr->skipped)
		printf("  skipped lines            %zu\n", rr->skipped);
	if (o->per_sample && rr->n_rows) {
		printf("\n  %-10s %7s %5s %6s %-10s %6s %6s %6s", "image", "records", "dups", "maxrep",
		       "term", "tail", "stop", "steps");
		if (rr->gt_loaded)
			printf("  %s", "tp/fp/fn@first-iou");
		printf("\n");
		for (size_t i = 0; i < rr->n_rows; i++) {
			const sample_row *r = &rr->rows[i];
			char id[64], tail[24], stop[24];
			if (r->has_id)
				snprintf(id, sizeof id, "%lld", (long long)r->image_id);
			else
				snprintf(id, sizeof id, "%.60s", r->image ? r->image : "?");
			snprintf(tail, sizeof tail, r->tail_start >= 0 ? "%ld" : "-", r->tail_start);
			snprintf(stop, sizeof stop, r->stop_step >= 0 ? "%ld" : "-", r->stop_step);
			printf("  %-10s %7zu %5zu %6zu %-10s %6s %6s %6zu", id, r->records, r->duplicates,
			       r->max_repeat, termination_name(r->term), tail, stop, r->steps);
			if (rr->gt_loaded)
				printf("  %zu/%zu/%zu", r->counts[0].tp, r->counts[0].fp, r->counts[0].fn);
			printf("\n");
		}
	}
}

static cJSON *metrics_json(const run_metrics *m, int with_f1)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "samples", (double)m->samples);
	cJSON_AddNumberToObject(o, "records", (double)m->records);
	cJSON_AddNumberToObject(o, "duplicates", (double)m->duplicates);
	cJSON_AddNumberToObject(o, "duplicate_rate", m->duplicate_rate);
	cJSON_AddNumberToObject(o, "max_repeat", (double)m->max_repeat);
	cJSON_AddNumberToObject(o, "samples_with_duplicates", (double)m->samples_with_duplicates);
	cJSON_AddNumberToObject(o, "closed", (double)m->closed);
	cJSON_AddNumberToObject(o, "truncated", (double)m->truncated);
	cJSON_AddNumberToObject(o, "malformed", (double)m->malformed);
	cJSON_AddNumberToObject(o, "termination_rate", m->termination_rate);
	cJSON_AddNumberToObject(o, "tokens", (double)m->tokens);
	if (with_f1) {
		cJSON *f1 = cJSON_AddObjectToObject(o, "f1");
		for (size_t j = 0; j < m->n_iou; j++) {
			char key[32];
			snprintf(key, sizeof key, "%g", m->iou[j]);
			cJSON *t = cJSON_AddObjectToObject(f1, key);
			cJSON_AddNumberToObject(t, "tp", (double)m->counts[j].tp);
			cJSON_AddNumberToObject(t, "fp", (double)m->counts[j].fp);
			cJSON_AddNumberToObject(t, "fn", (double)m->counts[j].fn);
			cJSON_AddNumberToObject(t, "precision", m->prf[j].precision);
			cJSON_AddNumberToObject(t, "recall", m->prf[j].recall);
			cJSON_AddNumberToObject(t, "f1", m->prf[j].f1);
		}
	}
	return o;
}

static void print_json(run_result *rrs, size_t n, const report_opts *o)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *runs = cJSON_AddArrayToObject(root, "runs");
	char pname[40];
	for (size_t i = 0; i < n; i++) {
		const run_result *rr = &rrs[i];
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", rr->name ? rr->name : "");
		cJSON_AddNumberToObject(r, "skipped", (double)rr->skipped);
		cJSON_AddBoolToObject(r, "simulated", rr->simulated);
		for (size_t p = 0; p < o->n_pol; p++)
			cJSON_AddItemToObject(r, policy_name(&o->pol[p], pname, sizeof pname),
			                      metrics_json(&rr->m[p], rr->gt_loaded));
		if (o->per_sample) {
			cJSON *ss = cJSON_AddArrayToObject(r, "samples");
			for (size_t k = 0; k < rr->n_rows; k++) {
				const sample_row *row = &rr->rows[k];
				cJSON *s = cJSON_CreateObject();
				if (row->has_id)
					cJSON_AddNumberToObject(s, "image_id", (double)row->image_id);
				else
					cJSON_AddNullToObject(s, "image_id");
				if (row->image)
					cJSON_AddStringToObject(s, "image", row->image);
				cJSON_AddNumberToObject(s, "records", (double)row->records);
				cJSON_AddNumberToObject(s, "duplicates", (double)row->duplicates);
				cJSON_AddNumberToObject(s, "max_repeat", (double)row->max_repeat);
				cJSON_AddStringToObject(s, "termination", termination_name(row->term));
				if (row->tail_start >= 0)
					cJSON_AddNumberToObject(s, "tail_start", (double)row->tail_start);
				else
					cJSON_AddNullToObject(s, "tail_start");
				if (row->stop_step >= 0)
					cJSON_AddNumberToObject(s, "stop_step", (double)row->stop_step);
				else
					cJSON_AddNullToObject(s, "stop_step");
				cJSON_AddNumberToObject(s, "steps", (double)row->steps);
				cJSON_AddItemToArray(ss, s);
			}
		}
		cJSON_AddItemToArray(runs, r);
	}
	char *txt = cJSON_Print(root);
	if (txt) {
		fputs(txt, stdout);
		fputc('\n', stdout);
		free(txt);
	}
	cJSON_Delete(root);
}

static int parse_long_arg(const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end || v <= 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_policies(const char *list, report_opts *o, ts_error *err)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", list);
	o->n_pol = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->n_pol == MAX_POLICIES) {
			ts_error_set(err, TS_ERR_USAGE, "--policy: at most %d policies", MAX_POLICIES);
			return -1;
		}
		if (policy_parse(tok, &o->pol[o->n_pol], err) != TS_OK)
			return -1;
		o->n_pol++;
	}
	if (o->n_pol == 0) {
		ts_error_set(err, TS_ERR_USAGE, "--policy: empty list");
		return -1;
	}
	return 0;
}

static int usage_error(const char *msg)
{
	char buf[512];
	fprintf(stderr, "tailscope report: %s\n", sanitize_cstr(msg, buf, sizeof buf, 200));
	fputs("try 'tailscope report --help'\n", stderr);
	return 2;
}

int cmd_report(int argc, char **argv)
{
	report_opts o;
	memset(&o, 0, sizeof o);
	analysis_opts_default(&o.an);
	o.pol[0] = (policy){ POLICY_OFF, 0 };
	o.pol[1] = (policy){ POLICY_REPEAT_STOP, 0 };
	o.n_pol = 2;
	const char *runs[MAX_RUNS];
	size_t n_runs = 0;
	ts_error err;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(report_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			o.json = 1;
		} else if (!strcmp(a, "--per-sample")) {
			o.per_sample = 1;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o.quiet = 1;
		} else if (!strcmp(a, "--gt") && more) {
			o.gt_path = argv[++i];
		} else if (!strcmp(a, "--coords") && more) {
			if (coords_parse(argv[++i], &o.an.coords.kind) != TS_OK) {
				char m[300];
				snprintf(m, sizeof m, "unknown --coords '%.200s' (qwen3, qwen25, gemini, paligemma, xyxy, auto)", argv[i]);
				return usage_error(m);
			}
			o.coords_set = 1;
		} else if (!strcmp(a, "--min-pixels") && more) {
			if (parse_long_arg(argv[++i], &o.an.coords.min_pixels))
				return usage_error("--min-pixels takes a positive whole number");
		} else if (!strcmp(a, "--max-pixels") && more) {
			if (parse_long_arg(argv[++i], &o.an.coords.max_pixels))
				return usage_error("--max-pixels takes a positive whole number");
		} else if (!strcmp(a, "--iou") && more) {
			if (analysis_parse_iou(argv[++i], &o.an, &err) != TS_OK)
				return usage_error(err.msg);
		} else if (!strcmp(a, "--policy") && more) {
			if (parse_policies(argv[++i], &o, &err))
				return usage_error(err.msg);
		} else if (a[0] == '-' && a[1]) {
			char m[300];
			snprintf(m, sizeof m, "unknown or incomplete option '%.200s'", a);
			return usage_error(m);
		} else {
			if (n_runs == MAX_RUNS)
				return usage_error("too many runs");
			runs[n_runs++] = a;
		}
	}
	if (n_runs == 0)
		return usage_error("no RUN given");

	run_result *rrs = calloc(n_runs, sizeof *rrs);
	if (!rrs)
		return 2;
	int partial = 0, any_usable = 0;
	for (size_t i = 0; i < n_runs; i++) {
		if (process_run(runs[i], &o, &rrs[i]) != 0)
			partial = 1;
		if (rrs[i].skipped)
			partial = 1;
		if (rrs[i].usable)
			any_usable = 1;
		else
			partial = 1;
	}
	if (o.json) {
		print_json(rrs, n_runs, &o);
	} else {
		for (size_t i = 0; i < n_runs; i++) {
			if (i)
				printf("\n");
			print_table(&rrs[i], &o);
		}
	}
	for (size_t i = 0; i < n_runs; i++) {
		for (size_t k = 0; k < rrs[i].n_rows; k++)
			free(rrs[i].rows[k].image);
		free(rrs[i].rows);
		free(rrs[i].name);
		free(rrs[i].traces);
	}
	free(rrs);
	if (!any_usable)
		return 2;
	return partial ? 1 : 0;
}
