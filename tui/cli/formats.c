/* formats.c — `tailscope formats [OPTIONS] FILE|RUN...`: which container
 * and which coordinate syntax each sample of a traces file was read as, with
 * counts — the first question when a number looks wrong.
 *
 * One line per sample (JSONL: one line; SSE: the request's first-last line):
 *   FILE:LINE[-LAST]  CONTAINER  STEPS  SYNTAX  RECORDS
 * STEPS is "logprobs" (tokens with logprobs), "tokens" (real tokens, no
 * logprobs: a stream without logprobs) or "text" (pseudo-steps from text).
 * SYNTAX is the record syntax seen first (bbox_2d, box_2d, bbox, loc, none)
 * and the coordinate convention --coords auto gives it.  Bad samples go to
 * stderr as FILE:LINE: what.  Then the counts per container and per syntax.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "coords.h"
#include "run.h"
#include "sample.h"
#include "sanitize.h"
#include "trace.h"

/* counts: container x steps kind, and syntax */
#define N_FMT TRACE_FMT_COUNT
#define N_KEY REC_KEY_COUNT

static const char *steps_kind(const trace *t)
{
	if (trace_get_format(t) == TRACE_FMT_TEXT)
		return "text";
	return trace_has_logprobs(t) ? "logprobs" : "tokens";
}

typedef struct counts {
	size_t fmt[N_FMT][3]; /* [container][logprobs, tokens, text] */
	size_t key[N_KEY];
	size_t samples, bad;
} counts;

static int steps_index(const char *k)
{
	return !strcmp(k, "logprobs") ? 0 : !strcmp(k, "tokens") ? 1 : 2;
}

static void print_counts(const char *name, const counts *c)
{
	static const char *const sk[3] = { "logprobs", "tokens", "text" };
	printf("%s: %zu sample%s read, %zu skipped\n", name, c->samples, c->samples == 1 ? "" : "s",
	       c->bad);
	for (int f = 0; f < N_FMT; f++)
		for (int k = 0; k < 3; k++)
			if (c->fmt[f][k])
				printf("  container %-13s %-8s %zu\n", trace_format_name((trace_format)f), sk[k],
				       c->fmt[f][k]);
	for (int k = 0; k < N_KEY; k++)
		if (c->key[k]) {
			coords_kind ck = coords_resolve(COORDS_AUTO, (rec_key)k);
			printf("  syntax    %-13s %-8s %zu\n", rec_key_name((rec_key)k),
			       k == REC_KEY_NONE ? "-" : coords_name(ck), c->key[k]);
		}
}

/* A message to stderr, sanitized, after prefix. */
static void say(const char *prefix, const char *msg)
{
	char m[TS_ERROR_MSG_MAX + 64];
	fprintf(stderr, "%s%s\n", prefix, sanitize_cstr(msg, m, sizeof m, 400));
}

/* The traces file arg names (a run's traces, else arg itself) and its limits
 * into *tlim, the run's warnings said; NULL when arg is not a traces file
 * (said) or out of memory. */
static char *traces_path(const char *arg, const trace_limits *lim, trace_limits *tlim)
{
	ts_error err;
	run_info *ri = NULL;
	ts_status ost = run_open(arg, &ri, &err);
	if (ost == TS_ERR_FORMAT) { /* empty, or not a traces file (analysis/run.c) */
		say("tailscope formats: ", err.msg);
		return NULL;
	}
	for (const char *l = ost == TS_OK ? ri->warnings : NULL; l && *l; l += strcspn(l, "\n") + 1) {
		char one[TS_ERROR_MSG_MAX + 64];
		snprintf(one, sizeof one, "%.*s", (int)strcspn(l, "\n"), l);
		say("tailscope formats: ", one);
	}
	char *path = strdup(ost == TS_OK && ri->traces_path ? ri->traces_path : arg);
	run_trace_limits(ost == TS_OK ? ri : NULL, lim, tlim);
	run_info_free(ri);
	return path;
}

/* One sample's line: FILE:LINE[-LAST]  CONTAINER  STEPS  SYNTAX  RECORDS
 * (and how it finished when the trace does not say). */
static void print_sample(const trace_file *f, const trace *t, size_t first, size_t last,
                         rec_key key, size_t nrec)
{
	char lines[48];
	if (last > first)
		snprintf(lines, sizeof lines, "%zu-%zu", first, last);
	else
		snprintf(lines, sizeof lines, "%zu", first);
	char shard[512]; /* the shard a sharded run's sample is in */
	sanitize_cstr(trace_file_path(f), shard, sizeof shard, 200);
	trace_finish_how how = trace_get_finish_how(t);
	printf("%s:%s  %s  %s  %s  %zu record%s", shard, lines,
	       trace_format_name(trace_get_container(t)), steps_kind(t), rec_key_name(key), nrec,
	       nrec == 1 ? "" : "s");
	if (how != TRACE_FINISH_GIVEN) /* Ray Data rows: no finish_reason */
		printf("  finish %s (%s)", trace_finish_name(trace_get_finish(t)),
		       trace_finish_how_name(how));
	putchar('\n');
}

/* One sample counted (its container, steps kind and record syntax), and its
 * line unless summary. */
static void one_sample(const trace_file *f, const trace *t, const analysis_opts *o, int summary,
                       counts *c)
{
	ts_error err;
	size_t first, last;
	trace_file_lines(f, &first, &last);
	sample *s = NULL;
	rec_key key = REC_KEY_NONE;
	size_t nrec = 0;
	if (sample_analyze(t, NULL, NULL, 0, 0, o, &s, &err) == TS_OK) {
		key = sample_key(s);
		nrec = sample_n_records(s);
		sample_free(s);
	}
	trace_format cont = trace_get_container(t);
	if ((unsigned)cont < N_FMT)
		c->fmt[cont][steps_index(steps_kind(t))]++;
	if ((unsigned)key < N_KEY)
		c->key[key]++;
	c->samples++;
	if (!summary)
		print_sample(f, t, first, last, key, nrec);
}

static void add_counts(counts *total, const counts *c)
{
	for (int i = 0; i < N_FMT; i++)
		for (int k = 0; k < 3; k++)
			total->fmt[i][k] += c->fmt[i][k];
	for (int k = 0; k < N_KEY; k++)
		total->key[k] += c->key[k];
	total->samples += c->samples;
	total->bad += c->bad;
}

/* Reads one traces file; returns 0 ok, 1 some skipped, 2 nothing read. */
static int one_file(const char *arg, int summary, const trace_limits *lim, counts *total)
{
	ts_error err;
	trace_limits tlim;
	char *path = traces_path(arg, lim, &tlim);
	if (!path)
		return 2;
	char shown[512];
	sanitize_cstr(path, shown, sizeof shown, 200);
	trace_file *f;
	if (trace_file_open(path, &tlim, &f, &err) != TS_OK) {
		say("tailscope formats: ", err.msg);
		free(path);
		return 2;
	}
	analysis_opts o;
	analysis_opts_default(&o);
	counts c;
	memset(&c, 0, sizeof c);
	for (;;) {
		trace *t = NULL;
		ts_status st = trace_file_next(f, &t, NULL, &err);
		if (st == TS_EOF)
			break;
		if (st != TS_OK) {
			say("", err.msg);
			c.bad++;
			continue;
		}
		one_sample(f, t, &o, summary, &c);
		trace_free(t);
	}
	trace_file_close(f);
	print_counts(shown, &c);
	add_counts(total, &c);
	free(path);
	return c.samples == 0 ? 2 : c.bad ? 1 : 0;
}

int cmd_formats(int argc, char **argv)
{
	const cli_command *cmd = cli_command_find("formats");
	cli_values v;
	int rc = cli_parse(cmd, argc, argv, &v);
	if (rc) {
		cli_values_free(&v);
		return rc == 1 ? 0 : 2;
	}
	if (v.n_pos == 0) {
		cli_values_free(&v);
		return cli_usage_error(cmd, "missing FILE or RUN");
	}
	int worst = 0, any_ok = 0;
	counts total;
	memset(&total, 0, sizeof total);
	for (size_t i = 0; i < v.n_pos; i++) {
		int r = one_file(v.pos[i], v.summary, &v.lim.trace, &total);
		any_ok |= r < 2;
		if (r > worst)
			worst = r;
	}
	if (v.n_pos > 1)
		print_counts("all files", &total);
	cli_values_free(&v);
	if (!any_ok)
		return 2;
	return worst ? 1 : 0;
}
