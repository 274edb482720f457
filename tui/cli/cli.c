/* cli.c — the option table, its parser and generated help (see cli.h). */
#include "cli.h"
#include "capture/capture.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "sanitize.h"

const cli_option cli_options[CLI_OPT_COUNT] = {
#define CLI_OPT_ROW(id, nm, sh, ar, hl) [CLI_##id] = {nm, sh, ar, hl},
	CLI_OPTIONS(CLI_OPT_ROW)
#undef CLI_OPT_ROW
};

/* ---- handlers: one per option, CLI_OPTIONS order ---- */

typedef int (*cli_handler)(cli_values *v, const char *arg, ts_error *err);

static int bad(ts_error *err, const char *fmt, const char *arg)
{
	ts_error_set(err, TS_ERR_USAGE, fmt, arg);
	return -1;
}

int cli_parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int h_GT(cli_values *v, const char *a, ts_error *e) { (void)e; v->ex.gt_path = a; return 0; }
static int h_IMAGES(cli_values *v, const char *a, ts_error *e) { (void)e; v->images_dir = a; return 0; }

static int h_COORDS(cli_values *v, const char *a, ts_error *e)
{
	if (coords_parse(a, &v->ex.an.coords.kind) != TS_OK) {
		char fmt[256];
		snprintf(fmt, sizeof fmt, "unknown --coords '%%.200s' (%s)", coords_names());
		return bad(e, fmt, a);
	}
	v->ex.coords_set = 1;
	return 0;
}

static int h_MIN_PIXELS(cli_values *v, const char *a, ts_error *e)
{
	if (cli_parse_long(a, 1, 1L << 40, &v->ex.an.coords.min_pixels))
		return bad(e, "--min-pixels takes a positive whole number, not '%.200s'", a);
	return 0;
}

static int h_MAX_PIXELS(cli_values *v, const char *a, ts_error *e)
{
	if (cli_parse_long(a, 1, 1L << 40, &v->ex.an.coords.max_pixels))
		return bad(e, "--max-pixels takes a positive whole number, not '%.200s'", a);
	return 0;
}

static int h_IOU(cli_values *v, const char *a, ts_error *e)
{
	return analysis_parse_iou(a, &v->ex.an, e) == TS_OK ? 0 : -1;
}

static int h_POLICY(cli_values *v, const char *list, ts_error *err)
{
	char buf[512];
	if (strlen(list) >= sizeof buf)
		return bad(err, "--policy: list too long%s", "");
	snprintf(buf, sizeof buf, "%s", list);
	export_opts *o = &v->ex;
	o->n_pol = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		policy ps[EXPORT_MAX_POLICIES];
		size_t np = 0;
		if (policy_parse_sweep(tok, ps, EXPORT_MAX_POLICIES, &np, err) != TS_OK)
			return -1;
		if (o->n_pol + np > EXPORT_MAX_POLICIES) {
			ts_error_set(err, TS_ERR_USAGE, "--policy: at most %d policies", EXPORT_MAX_POLICIES);
			return -1;
		}
		char a[48], b[48];
		for (size_t q = 0; q < np; q++) {
			for (size_t k = 0; k < o->n_pol; k++)
				if (!strcmp(policy_name(&o->pol[k], a, sizeof a), policy_name(&ps[q], b, sizeof b)))
					return bad(err, "--policy: '%s' given twice", b);
			o->pol[o->n_pol++] = ps[q];
		}
	}
	if (o->n_pol == 0)
		return bad(err, "--policy: empty list%s", "");
	v->pol_set = 1;
	return 0;
}

static int h_SCORE(cli_values *v, const char *a, ts_error *e)
{
	return conf_score_parse(a, &v->ex.score, e) == TS_OK ? 0 : -1;
}

static int h_NO_CONFIDENCE(cli_values *v, const char *a, ts_error *e) { (void)a; (void)e; v->ex.confidence = 0; return 0; }
static int h_JSON(cli_values *v, const char *a, ts_error *e) { (void)a; (void)e; v->json = 1; return 0; }
static int h_CSV(cli_values *v, const char *a, ts_error *e) { (void)a; (void)e; v->csv = 1; return 0; }
static int h_PER_SAMPLE(cli_values *v, const char *a, ts_error *e) { (void)a; (void)e; v->per_sample = 1; return 0; }
static int h_PARTIAL(cli_values *v, const char *a, ts_error *e) { (void)a; (void)e; v->partial = 1; return 0; }

static int h_SHARD(cli_values *v, const char *a, ts_error *e)
{
	char *end;
	errno = 0;
	unsigned long k = strtoul(a, &end, 10), n = 0;
	if (end != a && *end == '/' && a[0] != '-' && end[1] != '-' && end[1])
		n = strtoul(end + 1, &end, 10);
	if (errno || *end || n == 0 || k == 0 || k > n || n > 1000000)
		return bad(e, "--shard takes K/N with 1 <= K <= N <= 1000000, not '%.200s'", a);
	v->shard_k = k;
	v->shard_n = n;
	return 0;
}

static int h_PER_RECORD(cli_values *v, const char *a, ts_error *e) { (void)a; (void)e; v->per_record = 1; return 0; }
static int h_SAMPLE(cli_values *v, const char *a, ts_error *e) { (void)e; v->sample = a; return 0; }
static int h_OUTPUT(cli_values *v, const char *a, ts_error *e) { (void)e; v->out = a; return 0; }
static int h_IMAGE(cli_values *v, const char *a, ts_error *e) { (void)e; v->image = a; return 0; }
static int h_CAPTION(cli_values *v, const char *a, ts_error *e) { (void)a; (void)e; v->caption = 1; return 0; }
static int h_FILTER(cli_values *v, const char *a, ts_error *e) { (void)e; v->filter = a; return 0; }
static int h_SUBSET(cli_values *v, const char *a, ts_error *e) { (void)e; v->subset = a; return 0; }

static int h_SIZE(cli_values *v, const char *a, ts_error *e)
{
	char wbuf[16];
	const char *x = strchr(a, 'x');
	if (!x || (size_t)(x - a) >= sizeof wbuf)
		return bad(e, "--size takes WxH, e.g. 960x600, not '%.200s'", a);
	memcpy(wbuf, a, (size_t)(x - a));
	wbuf[x - a] = '\0';
	if (cli_parse_long(wbuf, 200, 8192, &v->png_w) || cli_parse_long(x + 1, 200, 8192, &v->png_h))
		return bad(e, "--size: width and height from 200 to 8192, not '%.200s'", a);
	return 0;
}

static int h_WIDTH(cli_values *v, const char *a, ts_error *e)
{
	return cli_parse_long(a, 20, 1000, &v->width) ? bad(e, "--width takes 20 to 1000 columns, not '%.200s'", a) : 0;
}

static int h_HEIGHT(cli_values *v, const char *a, ts_error *e)
{
	return cli_parse_long(a, 4, 500, &v->height) ? bad(e, "--height takes 4 to 500 rows, not '%.200s'", a) : 0;
}

static int h_COLOR(cli_values *v, const char *a, ts_error *e)
{
	if (!strcmp(a, "auto"))
		v->color = -1;
	else if (!strcmp(a, "always"))
		v->color = 1;
	else if (!strcmp(a, "never"))
		v->color = 0;
	else
		return bad(e, "--color takes auto, always or never, not '%.200s'", a);
	return 0;
}

static int h_JOBS(cli_values *v, const char *a, ts_error *e)
{
	return cli_parse_long(a, 1, 64, &v->jobs) ? bad(e, "--jobs takes a whole number from 1 to 64, not '%.200s'", a) : 0;
}

static int h_QUIET(cli_values *v, const char *a, ts_error *e) { (void)a; (void)e; v->quiet = 1; return 0; }
static int h_SUMMARY(cli_values *v, const char *a, ts_error *e) { (void)a; (void)e; v->summary = 1; return 0; }

static int h_LIMIT(cli_values *v, const char *a, ts_error *e)
{
	if (limits_set_parse(&v->lim, a, e) != TS_OK)
		return -1;
	v->ex.limits = v->lim.trace;
	v->ex.an.rec_limits = v->lim.rec;
	return 0;
}

static int h_HELP(cli_values *v, const char *a, ts_error *e) { (void)v; (void)a; (void)e; return 0; }

static const cli_handler handlers[CLI_OPT_COUNT] = {
#define CLI_OPT_HANDLER(id, nm, sh, ar, hl) [CLI_##id] = h_##id,
#define CLI_CAP_HANDLER(id, nm, sh, ar, hl) [CLI_##id] = cap_opt_##id,
	CLI_COMMON_OPTIONS(CLI_OPT_HANDLER)
	CLI_CAPTURE_OPTIONS(CLI_CAP_HANDLER)
#undef CLI_OPT_HANDLER
#undef CLI_CAP_HANDLER
};

/* ---- the commands ---- */

#define OPTS(...) (const cli_opt[]){__VA_ARGS__}, sizeof((const cli_opt[]){__VA_ARGS__}) / sizeof(cli_opt)

static const char exit_text[] = "exit status: 0 ok, 1 some input skipped, 2 nothing usable or bad usage\n";

const cli_command cli_commands[] = {
	{"tui", "[OPTIONS] RUN...",
	 "Opens the interactive debugger on one or more runs.  RUN is a run\n"
	 "directory (run.json, gt.json, images/, traces.jsonl) or a traces JSONL file.\n"
	 "'tailscope RUN...' is the same as 'tailscope tui RUN...'.\n",
	 "Press ? inside for the keys.  Needs a terminal; 'tailscope report' prints\n"
	 "the same numbers without one.\n",
	 OPTS(CLI_GT, CLI_IMAGES, CLI_COORDS, CLI_MIN_PIXELS, CLI_MAX_PIXELS, CLI_IOU, CLI_LIMIT,
	      CLI_FILTER, CLI_SUBSET, CLI_HELP),
	 cmd_tui},
	{"report", "[OPTIONS] RUN...",
	 "The study's table for each run, one column per stop policy.\n"
	 "RUN: a run directory (run.json, gt.json, images/, traces.jsonl) or a traces JSONL file.\n",
	 "Progress goes to stderr when stderr is a terminal.\n"
	 "exit status: 0 all lines used, 1 some lines skipped, 2 nothing usable\n",
	 OPTS(CLI_GT, CLI_COORDS, CLI_MIN_PIXELS, CLI_MAX_PIXELS, CLI_IOU, CLI_POLICY, CLI_SCORE,
	      CLI_NO_CONFIDENCE, CLI_JSON, CLI_CSV, CLI_PER_SAMPLE, CLI_PER_RECORD, CLI_PARTIAL, CLI_SHARD,
	      CLI_JOBS, CLI_QUIET, CLI_LIMIT, CLI_HELP),
	 cmd_report},
	{"merge", "PARTIAL...",
	 "Prints the report of every shard together from the states that\n"
	 "'tailscope report --json --partial --shard K/N RUN...' wrote for K = 1..N\n"
	 "(any order; the same options and runs): the same JSON, byte for byte, as\n"
	 "'tailscope report --json' with those options on all the shards at once.\n",
	 "exit status: 0 all lines used, 1 some lines skipped, 2 nothing usable,\n"
	 "missing or mismatched shards, or bad usage\n",
	 OPTS(CLI_HELP),
	 cmd_merge},
	{"png", "[OPTIONS] TRACES... --sample IMAGE_ID -o FILE.png",
	 "Writes one sample's image at its own size with the predicted boxes and,\n"
	 "when ground truth is loaded, the ground-truth boxes.\n"
	 "TRACES: a run directory (run.json, gt.json, images/, traces.jsonl) or a traces JSONL file.\n"
	 "\n"
	 "Box styles: ground truth green dashed (yellow: missed), prediction cyan (TP),\n"
	 "red (FP), blue (no ground truth), magenta thick with a stack and xN (exact\n"
	 "duplicates), grey dotted over a box (its copies the policy cuts); on images of\n"
	 "160x160 pixels or more each box has a label plate (label score xN tail).\n"
	 "Several TRACES (up to 6, same --sample): each run's predictions in its own\n"
	 "style (run 1 blue, 2 red, 3 cyan, 4 magenta thick, 5 yellow dashed, 6 grey\n"
	 "dotted), the first run's image and ground truth, and a run legend below.\n",
	 "exit status: 0 written, 2 bad usage or nothing written\n",
	 OPTS(CLI_SAMPLE, CLI_OUTPUT, CLI_GT, CLI_IMAGES, CLI_IMAGE, CLI_COORDS, CLI_MIN_PIXELS,
	      CLI_MAX_PIXELS, CLI_IOU, CLI_POLICY, CLI_CAPTION, CLI_LIMIT, CLI_HELP),
	 cmd_png},
	{"plot", "KIND [OPTIONS] RUN... [-o FILE.png]",
	 "KIND:\n"
	 "  maxrepeat     histogram of the per-sample max repeat (policy off), a bar per run per bin\n"
	 "  interference  duplicate rate (x) against F1 at the first --iou (y), one labelled point per run\n"
	 "  saved         tokens saved by repeat_stop per run (tokens off - tokens repeat_stop)\n"
	 "  pr            precision-recall curve from the record scores (AP@0.5), one per run\n"
	 "  tradeoff      tokens saved (x) against F1@0.5 (y), a point per --policy (default\n"
	 "                repeat_stop,close_prob:0.1..0.9/0.1), a plot per run (PNG: the first)\n"
	 "  reliability   TP fraction at IoU 0.5 against exp(record score) in 10 equal-width\n"
	 "                bins (ECE in the legend), one line per run\n"
	 "RUN: a run directory (run.json, gt.json, images/, traces.jsonl) or a traces JSONL file.\n",
	 "exit status: 0 ok, 1 some lines skipped (or a run without what the plot needs),\n"
	 "2 nothing to plot, bad usage or the PNG could not be written\n",
	 OPTS(CLI_GT, CLI_COORDS, CLI_MIN_PIXELS, CLI_MAX_PIXELS, CLI_IOU, CLI_SCORE, CLI_POLICY,
	      CLI_OUTPUT, CLI_SIZE, CLI_WIDTH, CLI_HEIGHT, CLI_COLOR, CLI_JOBS, CLI_QUIET, CLI_LIMIT,
	      CLI_HELP),
	 cmd_plot},
	{"formats", "[OPTIONS] FILE|RUN...",
	 "Tells, for each sample of a traces file (JSONL or an SSE recording), which\n"
	 "container it was read as and which coordinate syntax its records use, then\n"
	 "the counts.  RUN is a run directory (its traces file is read).\n",
	 "exit status: 0 ok, 1 some samples skipped, 2 nothing readable\n",
	 OPTS(CLI_SUMMARY, CLI_LIMIT, CLI_HELP),
	 cmd_formats},
	{"capture", "--server URL --images DIR (--prompt TEXT | --prompt-file F) -o RUN_DIR [OPTIONS]",
	 "Sends every image to an OpenAI-compatible server (POST URL/v1/chat/completions,\n"
	 "stream, logprobs) and writes a run directory the viewer and 'report' open,\n"
	 "with a stop policy applied live.\n",
	 "exit status: 0 every image captured, 1 some failed, 2 none captured or bad usage\n",
	 OPTS(CLI_SERVER, CLI_MODEL, CLI_CAP_IMAGES, CLI_CAP_GT, CLI_PROMPT, CLI_PROMPT_FILE,
	      CLI_CAP_OUT, CLI_CAP_COORDS, CLI_MAX_TOKENS, CLI_TOP_LOGPROBS, CLI_TEMPERATURE,
	      CLI_CAP_POLICY, CLI_CONCURRENCY, CLI_RETRIES, CLI_BACKOFF, CLI_TIMEOUT, CLI_DEADLINE,
	      CLI_MIN_RATE, CLI_HEADER, CLI_API_KEY_ENV, CLI_RESUME, CLI_PROGRESS, CLI_PROGRESS_EVERY, CLI_CAP_QUIET, CLI_LIMIT,
	      CLI_HELP),
	 cmd_capture},
};
const size_t cli_n_commands = sizeof cli_commands / sizeof cli_commands[0];

const cli_command *cli_command_find(const char *name)
{
	for (size_t i = 0; name && i < cli_n_commands; i++)
		if (!strcmp(cli_commands[i].name, name))
			return &cli_commands[i];
	return NULL;
}

/* ---- help ---- */

static void option_help(const cli_option *o, FILE *out)
{
	char col[64];
	int k = o->short_name ? snprintf(col, sizeof col, "  -%c, --%s", o->short_name, o->name)
	                      : snprintf(col, sizeof col, "  --%s", o->name);
	if (o->arg && k > 0 && (size_t)k < sizeof col)
		snprintf(col + k, sizeof col - (size_t)k, " %s", o->arg);
	fprintf(out, "%-20s", col);
	if (strlen(col) >= 20)
		fprintf(out, "\n%-20s", "");
	for (const char *p = o->help; *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		fprintf(out, " %.*s\n", (int)n, p);
		if (!e)
			break;
		p = e + 1;
		fprintf(out, "%-20s", "");
	}
}

void cli_help(const cli_command *cmd, FILE *out)
{
	int tui = !strcmp(cmd->name, "tui");
	fprintf(out, "usage: tailscope %s%s%s\n\n%s\n", tui ? "" : cmd->name, tui ? "" : " ",
	        cmd->synopsis, cmd->about);
	int limit = 0, coords = 0;
	for (size_t i = 0; i < cmd->n_opts; i++) {
		option_help(&cli_options[cmd->opts[i]], out);
		limit |= cmd->opts[i] == CLI_LIMIT;
		coords |= cmd->opts[i] == CLI_COORDS || cmd->opts[i] == CLI_CAP_COORDS;
	}
	if (coords)
		fprintf(out, "\n--coords: %s\n", coords_names());
	if (limit)
		fprintf(out, "\n%s", limits_help);
	fprintf(out, "\n%s", cmd->footer);
}

void cli_usage(FILE *out)
{
	for (size_t i = 0; i < cli_n_commands; i++) {
		const cli_command *c = &cli_commands[i];
		int tui = !strcmp(c->name, "tui");
		fprintf(out, "%s tailscope %s%s%s\n", i ? "      " : "usage:", tui ? "" : c->name,
		        tui ? "" : " ", c->synopsis);
	}
	fprintf(out, "       tailscope --help | --version\n\n"
	             "RUN is a run directory (run.json, gt.json, images/, traces.jsonl) or a\n"
	             "traces file (JSON Lines, an SSE recording, Ollama NDJSON).\n\n"
	             "The debugger (tailscope [OPTIONS] RUN...; ? inside lists the keys):\n");
	/* the debugger's options, from the one table */
	const cli_command *tui = cli_command_find("tui");
	for (size_t i = 0; tui && i < tui->n_opts; i++)
		if (tui->opts[i] != CLI_HELP)
			option_help(&cli_options[tui->opts[i]], out);
	fprintf(out, "\n--coords: %s\n"
	             "environment: NO_COLOR (no colours), TAILSCOPE_PIXELS=sixel|kitty|iterm2\n"
	             "(force the pixel view P; any other value turns it off),\n"
	             "TAILSCOPE_NOTE_SECONDS (how long a status message stays; default 5, 0: until\n"
	             "the next key)\n",
	        coords_names());
	fprintf(out, "\n'tailscope COMMAND --help' lists a command's options ('tailscope tui\n"
	             "--help' the debugger's, with --coords names and limits); 'man tailscope'\n"
	             "has the details.\n\n%s", exit_text);
}

int cli_usage_error(const cli_command *cmd, const char *msg)
{
	char buf[512];
	fprintf(stderr, "tailscope %s: %s\n", cmd->name, sanitize_cstr(msg, buf, sizeof buf, 200));
	fprintf(stderr, "try 'tailscope %s --help'\n", cmd->name);
	return 2;
}

/* ---- parsing ---- */

static void values_default(cli_values *v)
{
	memset(v, 0, sizeof *v);
	export_opts_default(&v->ex);
	limits_set_default(&v->lim);
	v->ex.limits = v->lim.trace;
	v->ex.an.rec_limits = v->lim.rec;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN); /* --jobs default: the online CPUs */
	v->jobs = ncpu < 1 ? 1 : ncpu > 64 ? 64 : ncpu;
	v->png_w = 960;
	v->png_h = 600;
	v->height = 16;
	v->color = -1;
	capture_opts_default(&v->cap);
}

void cli_values_free(cli_values *v)
{
	free(v->pos);
	v->pos = NULL;
	free(v->cap_prompt_buf);
	free(v->cap_auth);
	v->cap_prompt_buf = v->cap_auth = NULL;
	v->n_pos = 0;
}

/* The option cmd takes that argument a names ("--gt", "-o"), else -1. */
static int find_option(const cli_command *cmd, const char *a)
{
	for (size_t i = 0; i < cmd->n_opts; i++) {
		const cli_option *o = &cli_options[cmd->opts[i]];
		if ((a[1] == '-' && !strcmp(a + 2, o->name)) ||
		    (o->short_name && a[1] == o->short_name && !a[2]))
			return (int)cmd->opts[i];
	}
	return -1;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_values *v)
{
	values_default(v);
	v->pos = calloc((size_t)(argc > 0 ? argc : 1), sizeof *v->pos);
	if (!v->pos)
		return cli_usage_error(cmd, "out of memory");
	int only_pos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_pos || a[0] != '-' || !a[1]) {
			v->pos[v->n_pos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = 1;
			continue;
		}
		int id = find_option(cmd, a);
		if (id < 0 || (cli_options[id].arg && i + 1 >= argc)) {
			char m[300];
			snprintf(m, sizeof m, "unknown or incomplete option '%.200s'", a);
			return cli_usage_error(cmd, m);
		}
		if (id == CLI_HELP) {
			cli_help(cmd, stdout);
			return 1;
		}
		const char *arg = cli_options[id].arg ? argv[++i] : NULL;
		ts_error err;
		ts_error_clear(&err);
		if (handlers[id](v, arg, &err) != 0)
			return cli_usage_error(cmd, err.msg);
	}
	return 0;
}

static int stdout_errno; /* why an earlier flush of stdout failed */

int cli_flush_stdout(void)
{
	errno = 0;
	if (fflush(stdout) == 0)
		return 0;
	if (!stdout_errno)
		stdout_errno = errno ? errno : EIO;
	return -1;
}

int cli_finish_stdout(const char *name, int rc)
{
	int bad = ferror(stdout), e = bad ? (stdout_errno ? stdout_errno : EIO) : 0;
	errno = 0;
	if (fflush(stdout) != 0) {
		bad = 1;
		e = errno ? errno : EIO;
	}
	if (fclose(stdout) != 0 && !bad && errno != EBADF) {
		bad = 1; /* EBADF: stdout was closed (>&-) and nothing was written */
		e = errno ? errno : EIO;
	}
	if (!bad)
		return rc;
	fprintf(stderr, "tailscope%s%s: error writing standard output: %s\n", name ? " " : "",
	        name ? name : "", strerror(e));
	return 2;
}
