/* cap_cli.c — `tailscope capture` options (see capture.h and the man page). */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "coords.h"
#include "sanitize.h"

#define PROMPT_FILE_MAX (1u << 20)

static const char capture_usage[] =
	"usage: tailscope capture --server URL --images DIR (--prompt TEXT | --prompt-file F)\n"
	"                         -o RUN_DIR [OPTIONS]\n"
	"\n"
	"Sends every image to an OpenAI-compatible server (POST URL/v1/chat/completions,\n"
	"stream, logprobs) and writes a run directory the viewer and 'report' open.\n"
	"\n"
	"  --server URL        base URL (http://127.0.0.1:8000), or a full .../chat/completions URL\n"
	"  --model NAME        the \"model\" field (vLLM, SGLang, Ollama want the served name)\n"
	"  --images DIR        PNG/JPEG images\n"
	"  --gt FILE           COCO instances: capture its images in its order, with their ids\n"
	"                      (default: every PNG/JPEG in DIR, by name)\n"
	"  --prompt TEXT       the text sent after the image\n"
	"  --prompt-file F     the same, read from a file\n"
	"  -o, --out RUN_DIR   run directory to write (run.json, traces.jsonl)\n"
	"  --coords NAME       write \"coords\" into run.json: qwen3 | qwen25 | gemini | paligemma | xyxy\n"
	"  --max-tokens N      max_tokens per request (default 1024)\n"
	"  --top-logprobs K    alternatives per token (default 5; 0 = chosen token's logprob only)\n"
	"  --temperature T     default 0 (greedy)\n"
	"  --policy P          live stop policy: off | repeat_stop | budget:N | near_dup:IOU\n"
	"                      (default off); when it fires the request is aborted there and the\n"
	"                      trace says finish_reason \"stop\", stop_reason \"<policy>\"\n"
	"  --concurrency N     requests at once (default 4)\n"
	"  --retries N         retries per image after a fault (default 2)\n"
	"  --backoff S         first retry delay in seconds, doubled each retry (default 1)\n"
	"  --timeout S         give up on a request after S seconds without data (default 120)\n"
	"  --header 'K: V'     extra HTTP header (repeatable)\n"
	"  --api-key-env VAR   send 'Authorization: Bearer $VAR'\n"
	"  --resume            continue RUN_DIR: skip images already in traces.jsonl\n"
	"  --progress MODE     auto | bar | plain (default auto: a bar when stderr is a terminal)\n"
	"  -q, --quiet         no progress and no retry messages\n"
	"  --limit NAME=N      a limit on what the server sends (see 'tailscope report --help')\n"
	"  -h, --help          this help\n"
	"\n"
	"exit status: 0 every image captured, 1 some failed, 2 none captured or bad usage\n";

static int usage_err(const char *fmt, const char *arg)
{
	char clean[512];
	sanitize_cstr(arg ? arg : "", clean, sizeof clean, 120);
	fputs("tailscope capture: ", stderr);
	fprintf(stderr, fmt, clean);
	fputs("\n(tailscope capture --help lists the options)\n", stderr);
	return 2;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
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

static char *read_prompt(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(PROMPT_FILE_MAX + 1);
	size_t n = buf ? fread(buf, 1, PROMPT_FILE_MAX + 1, f) : 0;
	int bad = ferror(f) || n > PROMPT_FILE_MAX;
	fclose(f);
	if (!buf || bad) {
		free(buf);
		errno = bad ? EFBIG : ENOMEM;
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

int cmd_capture(int argc, char **argv)
{
	/* numbers in requests and traces are written with "." whatever the locale */
	setlocale(LC_NUMERIC, "C");
	capture_opts o;
	capture_opts_default(&o);
	char *prompt_buf = NULL, *auth = NULL;
	int rc = 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		ts_error e;
		ts_error_clear(&e);
#define NEED()                                                     \
	do {                                                       \
		if (!v) {                                          \
			rc = usage_err("%s needs a value", a);     \
			goto out;                                  \
		}                                                  \
		i++;                                               \
	} while (0)
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(capture_usage, stdout);
			rc = 0;
			goto out;
		} else if (!strcmp(a, "--server")) {
			NEED();
			o.server = v;
		} else if (!strcmp(a, "--model")) {
			NEED();
			o.model = v;
		} else if (!strcmp(a, "--images")) {
			NEED();
			o.images = v;
		} else if (!strcmp(a, "--gt")) {
			NEED();
			o.gt = v;
		} else if (!strcmp(a, "--prompt")) {
			NEED();
			o.prompt = v;
		} else if (!strcmp(a, "--prompt-file")) {
			NEED();
			free(prompt_buf);
			if (!(prompt_buf = read_prompt(v))) {
				char m[512];
				snprintf(m, sizeof m, "%%s: %s", strerror(errno));
				rc = usage_err(m, v);
				goto out;
			}
			o.prompt = prompt_buf;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
			NEED();
			o.out = v;
		} else if (!strcmp(a, "--coords")) {
			NEED();
			coords_kind ck;
			if (coords_parse(v, &ck) != TS_OK) {
				rc = usage_err("--coords takes qwen3, qwen25, gemini, paligemma, xyxy or auto, not '%s'", v);
				goto out;
			}
			o.coords = ck == COORDS_AUTO ? NULL : coords_name(ck);
		} else if (!strcmp(a, "--max-tokens")) {
			NEED();
			if (parse_long(v, 1, 10000000, &o.max_tokens)) {
				rc = usage_err("--max-tokens takes a whole number >= 1, not '%s'", v);
				goto out;
			}
		} else if (!strcmp(a, "--top-logprobs")) {
			NEED();
			if (parse_long(v, 0, 100, &o.top_logprobs)) {
				rc = usage_err("--top-logprobs takes 0..100, not '%s'", v);
				goto out;
			}
		} else if (!strcmp(a, "--temperature")) {
			NEED();
			if (parse_double(v, 0, 100, &o.temperature)) {
				rc = usage_err("--temperature takes a number >= 0, not '%s'", v);
				goto out;
			}
		} else if (!strcmp(a, "--policy")) {
			NEED();
			if (policy_parse(v, &o.pol, &e) != TS_OK) {
				rc = usage_err("%s", e.msg);
				goto out;
			}
			if (!policy_is_truncation(&o.pol)) {
				rc = usage_err("--policy %s is not a truncation: no live decoder can "
				               "apply it (use it in 'report')", v);
				goto out;
			}
		} else if (!strcmp(a, "--concurrency")) {
			NEED();
			if (parse_long(v, 1, 256, &o.concurrency)) {
				rc = usage_err("--concurrency takes 1..256, not '%s'", v);
				goto out;
			}
		} else if (!strcmp(a, "--retries")) {
			NEED();
			if (parse_long(v, 0, 100, &o.retries)) {
				rc = usage_err("--retries takes 0..100, not '%s'", v);
				goto out;
			}
		} else if (!strcmp(a, "--backoff")) {
			NEED();
			if (parse_double(v, 0, 3600, &o.backoff)) {
				rc = usage_err("--backoff takes seconds (0..3600), not '%s'", v);
				goto out;
			}
		} else if (!strcmp(a, "--timeout")) {
			NEED();
			if (parse_double(v, 1, 86400, &o.timeout)) {
				rc = usage_err("--timeout takes seconds (1..86400), not '%s'", v);
				goto out;
			}
		} else if (!strcmp(a, "--header")) {
			NEED();
			if (o.n_headers == CAPTURE_MAX_HEADERS || !strchr(v, ':') || strpbrk(v, "\r\n")) {
				rc = usage_err("--header takes 'Name: value' (one line; at most 32), "
				               "not '%s'", v);
				goto out;
			}
			o.headers[o.n_headers++] = v;
		} else if (!strcmp(a, "--api-key-env")) {
			NEED();
			const char *key = getenv(v);
			if (!key || !*key || strpbrk(key, "\r\n")) {
				rc = usage_err("--api-key-env: environment variable %s is unset or empty", v);
				goto out;
			}
			if (o.n_headers == CAPTURE_MAX_HEADERS) {
				rc = usage_err("too many headers%s", "");
				goto out;
			}
			size_t n = strlen(key) + 32;
			free(auth);
			if (!(auth = malloc(n)))
				goto out;
			snprintf(auth, n, "Authorization: Bearer %s", key);
			o.headers[o.n_headers++] = auth;
		} else if (!strcmp(a, "--resume")) {
			o.resume = 1;
		} else if (!strcmp(a, "--progress")) {
			NEED();
			if (!strcmp(v, "auto"))
				o.progress = -1;
			else if (!strcmp(v, "bar"))
				o.progress = 1;
			else if (!strcmp(v, "plain"))
				o.progress = 0;
			else {
				rc = usage_err("--progress takes auto, bar or plain, not '%s'", v);
				goto out;
			}
		} else if (!strcmp(a, "--progress-every")) { /* tests: seconds between plain lines */
			NEED();
			if (parse_double(v, 0, 3600, &o.progress_every)) {
				rc = usage_err("--progress-every takes seconds, not '%s'", v);
				goto out;
			}
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o.quiet = 1;
		} else if (!strcmp(a, "--limit")) {
			NEED();
			if (limits_set_parse(&o.lim, v, &e) != TS_OK) {
				rc = usage_err("%s", e.msg);
				goto out;
			}
		} else {
			rc = usage_err("unknown option '%s'", a);
			goto out;
		}
#undef NEED
	}
	if (!o.server || !o.images || !o.prompt || !o.out) {
		rc = usage_err("%s", !o.server ? "--server URL is required"
		                     : !o.images ? "--images DIR is required"
		                     : !o.prompt ? "--prompt TEXT or --prompt-file F is required"
		                                 : "-o RUN_DIR is required");
		goto out;
	}
	if (strncmp(o.server, "http://", 7) && strncmp(o.server, "https://", 8)) {
		rc = usage_err("--server takes an http:// or https:// URL, not '%s'", o.server);
		goto out;
	}
	rc = capture_run(&o);
out:
	free(prompt_buf);
	free(auth);
	return rc;
}
