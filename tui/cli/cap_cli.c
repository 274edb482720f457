/* cap_cli.c — `tailscope capture` options: the handlers of capture's rows in
 * the one option table (tui/cli/cli.h, CLI_CAPTURE_OPTIONS) and the command,
 * which checks what is required and runs the capture (capture.h). */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/cap_redact.h"
#include "capture/capture.h"
#include "cli.h"
#include "coords.h"
#include "fsafe.h"

#define PROMPT_FILE_MAX (1u << 20)

static int bad(ts_error *err, const char *fmt, const char *arg)
{
	ts_error_set(err, TS_ERR_USAGE, fmt, arg);
	return -1;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

/* NULL with err set (a FIFO or a device is refused, named: fsafe.h). */
static char *read_prompt(const char *path, ts_error *e)
{
	FILE *f = fsafe_fopen_input(path, NULL, e);
	if (!f)
		return NULL;
	char *buf = malloc(PROMPT_FILE_MAX + 1);
	size_t n = buf ? fread(buf, 1, PROMPT_FILE_MAX + 1, f) : 0;
	int rd = ferror(f);
	fclose(f);
	const char *why = !buf ? "out of memory" : rd ? "read error"
	                  : n > PROMPT_FILE_MAX ? "larger than 1 MiB (--prompt-file's limit)" : NULL;
	if (why) {
		free(buf);
		ts_error_set(e, TS_ERR_IO, "%s: %s", path, why);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

#define CAP_STR(id, field)                                                   \
	int cap_opt_##id(cli_values *v, const char *a, ts_error *e)          \
	{                                                                    \
		(void)e;                                                     \
		v->cap.field = a;                                            \
		return 0;                                                    \
	}
CAP_STR(SERVER, server)
CAP_STR(MODEL, model)
CAP_STR(CAP_IMAGES, images)
CAP_STR(CAP_GT, gt)
CAP_STR(PROMPT, prompt)
CAP_STR(CAP_OUT, out)
#undef CAP_STR

#define CAP_LONG(id, field, lo, hi, msg)                                     \
	int cap_opt_##id(cli_values *v, const char *a, ts_error *e)          \
	{                                                                    \
		return cli_parse_long(a, lo, hi, &v->cap.field) ? bad(e, msg, a) : 0; \
	}
#define CAP_DOUBLE(id, field, lo, hi, msg)                                   \
	int cap_opt_##id(cli_values *v, const char *a, ts_error *e)          \
	{                                                                    \
		return parse_double(a, lo, hi, &v->cap.field) ? bad(e, msg, a) : 0; \
	}
CAP_LONG(MAX_TOKENS, max_tokens, 1, 10000000, "--max-tokens takes a whole number >= 1, not '%.200s'")
CAP_LONG(TOP_LOGPROBS, top_logprobs, 0, 100, "--top-logprobs takes 0..100, not '%.200s'")
CAP_LONG(CONCURRENCY, concurrency, 1, 256, "--concurrency takes 1..256, not '%.200s'")
CAP_LONG(RETRIES, retries, 0, 100, "--retries takes 0..100, not '%.200s'")
CAP_DOUBLE(TEMPERATURE, temperature, 0, 100, "--temperature takes a number >= 0, not '%.200s'")
CAP_DOUBLE(BACKOFF, backoff, 0, 3600, "--backoff takes seconds (0..3600), not '%.200s'")
CAP_DOUBLE(TIMEOUT, timeout, 1, 86400, "--timeout takes seconds (1..86400), not '%.200s'")
CAP_DOUBLE(DEADLINE, deadline, 1, 604800, "--deadline takes seconds (1..604800), not '%.200s'")
CAP_DOUBLE(MIN_RATE, min_rate, 0, 1e9, "--min-rate takes bytes per second (0..1e9), not '%.200s'")
CAP_DOUBLE(PROGRESS_EVERY, progress_every, 0, 3600, "--progress-every takes seconds (0..3600), not '%.200s'")
#undef CAP_LONG
#undef CAP_DOUBLE

int cap_opt_PROMPT_FILE(cli_values *v, const char *a, ts_error *e)
{
	free(v->cap_prompt_buf);
	if (!(v->cap_prompt_buf = read_prompt(a, e)))
		return -1;
	v->cap.prompt = v->cap_prompt_buf;
	return 0;
}

int cap_opt_CAP_COORDS(cli_values *v, const char *a, ts_error *e)
{
	coords_kind ck;
	if (coords_parse(a, &ck) != TS_OK) {
		char fmt[256];
		snprintf(fmt, sizeof fmt, "unknown --coords '%%.200s' (%s)", coords_names());
		return bad(e, fmt, a);
	}
	v->cap.coords = ck == COORDS_AUTO ? NULL : coords_name(ck);
	return 0;
}

int cap_opt_CAP_POLICY(cli_values *v, const char *a, ts_error *e)
{
	if (policy_parse(a, &v->cap.pol, e) != TS_OK)
		return -1;
	if (!policy_is_truncation(&v->cap.pol))
		return bad(e, "--policy %.200s is not a truncation: no live decoder can apply it "
		              "(use it in 'report')", a);
	if (v->cap.pol.kind == POLICY_REP_DETECT || v->cap.pol.kind == POLICY_LADDER ||
	    v->cap.pol.kind == POLICY_CLOSE_PROB)
		return bad(e, "--policy %.200s is replayed by 'report' and the debugger only, not "
		              "applied live", a);
	return 0;
}

int cap_opt_HEADER(cli_values *v, const char *a, ts_error *e)
{
	if (v->cap.n_headers == CAPTURE_MAX_HEADERS || !strchr(a, ':') || strpbrk(a, "\r\n"))
		return bad(e, "--header takes 'Name: value' (one line; at most 32), not '%.200s'", a);
	v->cap.headers[v->cap.n_headers++] = a;
	return 0;
}

int cap_opt_API_KEY_ENV(cli_values *v, const char *a, ts_error *e)
{
	const char *key = getenv(a);
	if (v->cap_auth)
		return bad(e, "--api-key-env given twice%s", "");
	if (!key || !*key || strpbrk(key, "\r\n"))
		return bad(e, "--api-key-env: environment variable %.200s is unset or empty", a);
	if (v->cap.n_headers == CAPTURE_MAX_HEADERS)
		return bad(e, "too many headers%s", "");
	size_t n = strlen(key) + 32;
	if (!(v->cap_auth = malloc(n)))
		return bad(e, "out of memory%s", "");
	snprintf(v->cap_auth, n, "Authorization: Bearer %s", key);
	v->cap.headers[v->cap.n_headers++] = v->cap_auth;
	return 0;
}

int cap_opt_RESUME(cli_values *v, const char *a, ts_error *e)
{
	(void)a;
	(void)e;
	v->cap.resume = 1;
	return 0;
}

int cap_opt_PROGRESS(cli_values *v, const char *a, ts_error *e)
{
	if (!strcmp(a, "auto"))
		v->cap.progress = -1;
	else if (!strcmp(a, "bar"))
		v->cap.progress = 1;
	else if (!strcmp(a, "plain"))
		v->cap.progress = 0;
	else
		return bad(e, "--progress takes auto, bar or plain, not '%.200s'", a);
	return 0;
}

int cap_opt_CAP_QUIET(cli_values *v, const char *a, ts_error *e)
{
	(void)a;
	(void)e;
	v->cap.quiet = 1;
	return 0;
}

int cmd_capture(int argc, char **argv)
{
	/* numbers in requests and traces are written with "." whatever the locale */
	setlocale(LC_NUMERIC, "C");
	const cli_command *cmd = cli_command_find("capture");
	cli_values v;
	int rc = cli_parse(cmd, argc, argv, &v);
	if (rc) {
		cli_values_free(&v);
		return rc == 1 ? 0 : 2;
	}
	capture_opts *o = &v.cap;
	o->lim = v.lim;
	char m[600];
	if (v.n_pos) {
		snprintf(m, sizeof m, "unexpected argument '%.200s'", v.pos[0]);
		rc = cli_usage_error(cmd, m);
	} else if (!o->server || !o->images || !o->prompt || !o->out) {
		rc = cli_usage_error(cmd, !o->server   ? "--server URL is required"
		                          : !o->images ? "--images DIR is required"
		                          : !o->prompt ? "--prompt TEXT or --prompt-file F is required"
		                                       : "-o RUN_DIR is required");
	} else if (strncmp(o->server, "http://", 7) && strncmp(o->server, "https://", 8)) {
		char safe[256];
		cap_redact(o->server, safe, sizeof safe);
		snprintf(m, sizeof m, "--server takes an http:// or https:// URL, not '%.200s'", safe);
		rc = cli_usage_error(cmd, m);
	} else {
		rc = capture_run(o);
	}
	cli_values_free(&v);
	return rc;
}
