/* merge.c — `tailscope merge PARTIAL...`: the report of every shard together
 * from the states `report --json --partial --shard K/N` wrote (partial.h). */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "export.h"
#include "fsafe.h"
#include "partial.h"
#include "sanitize.h"

#define PARTIAL_MAX ((size_t)1 << 32) /* bytes of one partial state */

static void say(const char *path, const char *msg)
{
	char p[600], m[TS_ERROR_MSG_MAX + 64];
	fprintf(stderr, "tailscope merge: %s: %s\n", sanitize_cstr(path, p, sizeof p, 300),
	        sanitize_cstr(msg, m, sizeof m, 400));
}

/* The parsed partial at path, NULL (said why) when unreadable. */
static cJSON *load(const char *path)
{
	struct stat sb;
	ts_error e;
	int fd = fsafe_open_input(path, &sb, &e); /* a regular file or refused */
	if (fd < 0 || (size_t)sb.st_size > PARTIAL_MAX) {
		if (fd < 0)
			fprintf(stderr, "tailscope merge: %s\n", sanitize_cstr(e.msg, (char[600]){0}, 600, 400));
		else
			say(path, "larger than 4 GiB");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	size_t n = (size_t)sb.st_size, got = 0;
	char *buf = malloc(n + 1);
	while (buf && got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	cJSON *j = buf && got == n ? cJSON_ParseWithLength(buf, n) : NULL;
	free(buf);
	if (!j)
		say(path, "cannot read it as JSON");
	return j;
}

/* Checks the partials are shards 1..N of one invocation and orders them;
 * -1 (said why) when not. */
static int order_shards(cJSON **parts, char **paths, size_t n, const cJSON **options)
{
	cJSON **by_k = calloc(n, sizeof *by_k);
	char *first_opts = NULL;
	int bad = !by_k;
	for (size_t i = 0; !bad && i < n; i++) {
		size_t k, total;
		const cJSON *op;
		ts_error e;
		if (partial_header(parts[i], &k, &total, &op, &e) != TS_OK) {
			say(paths[i], e.msg);
			bad = 1;
		} else if (total != n) {
			char m[160];
			snprintf(m, sizeof m, "shard %zu of %zu, but %zu partial states were given", k, total, n);
			say(paths[i], m);
			bad = 1;
		} else if (by_k[k - 1]) {
			say(paths[i], "the same shard as another partial state given");
			bad = 1;
		} else {
			by_k[k - 1] = parts[i];
			char *txt = cJSON_PrintUnformatted(op);
			if (!first_opts) {
				first_opts = txt;
				*options = op;
			} else {
				if (!txt || strcmp(txt, first_opts)) {
					say(paths[i], "written with other report options than the first");
					bad = 1;
				}
				free(txt);
			}
		}
	}
	if (!bad)
		memcpy(parts, by_k, n * sizeof *parts);
	free(by_k);
	free(first_opts);
	return bad ? -1 : 0;
}

/* The report options the partials were written with, parsed as report
 * parses them. */
static int report_opts_of(const cJSON *options, cli_values *v)
{
	int n = cJSON_GetArraySize(options);
	char **argv = calloc((size_t)n + 2, sizeof *argv);
	if (!argv)
		return -1;
	argv[0] = "report";
	int i = 1;
	for (const cJSON *o = options->child; o; o = o->next)
		argv[i++] = o->valuestring;
	int pr = cli_parse(cli_command_find("report"), i, argv, v);
	free(argv);
	return pr != 0 || v->n_pos ? -1 : 0;
}

static int print_merged(const cli_values *v, cJSON *const *parts, size_t n)
{
	export_run **runs = NULL;
	size_t n_runs = 0;
	ts_error e;
	if (partial_merge(&v->ex, (const cJSON *const *)parts, n, &runs, &n_runs, &e) != TS_OK) {
		say("merge", e.msg);
		return 2;
	}
	export_run **shown = calloc(n_runs ? n_runs : 1, sizeof *shown);
	size_t n_shown = 0;
	int partial = 0, usable = 0;
	for (size_t i = 0; shown && i < n_runs; i++) {
		if (runs[i]->opened)
			shown[n_shown++] = runs[i];
		partial |= !runs[i]->opened || runs[i]->skipped || !runs[i]->usable;
		usable |= runs[i]->usable;
	}
	cJSON *root = shown && n_shown ? export_json(&v->ex, shown, n_shown, 0) : NULL;
	char *txt = root ? cJSON_Print(root) : NULL;
	if (txt) {
		fputs(txt, stdout);
		fputc('\n', stdout);
	}
	free(txt);
	cJSON_Delete(root);
	free(shown);
	for (size_t i = 0; i < n_runs; i++)
		export_run_free(runs[i]);
	free(runs);
	if (fflush(stdout) != 0 || !usable || !n_shown)
		return 2;
	return partial ? 1 : 0;
}

int cmd_merge(int argc, char **argv)
{
	const cli_command *cmd = cli_command_find("merge");
	cli_values v;
	int pr = cli_parse(cmd, argc, argv, &v);
	if (pr != 0) {
		cli_values_free(&v);
		return pr == 1 ? 0 : 2;
	}
	size_t n = v.n_pos;
	int rc = 2;
	cJSON **parts = calloc(n ? n : 1, sizeof *parts);
	char **paths = calloc(n ? n : 1, sizeof *paths);
	const cJSON *options = NULL;
	int ok = n > 0 && parts && paths;
	if (n == 0)
		cli_usage_error(cmd, "no PARTIAL given");
	for (size_t i = 0; ok && i < n; i++) {
		paths[i] = (char *)v.pos[i];
		ok = (parts[i] = load(paths[i])) != NULL;
	}
	cli_values rv;
	int have_rv = 0;
	if (ok && order_shards(parts, paths, n, &options) == 0) {
		int r = report_opts_of(options, &rv);
		have_rv = 1;
		if (r == 0) {
			rc = print_merged(&rv, parts, n);
		} else {
			say(paths[0], "its report options do not parse");
		}
	}
	if (have_rv)
		cli_values_free(&rv);
	for (size_t i = 0; parts && i < n; i++)
		cJSON_Delete(parts[i]);
	free(parts);
	free(paths);
	cli_values_free(&v);
	return rc;
}
