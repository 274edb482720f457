/* test_cli.c — the one option table (tui/cli/cli.h): the man page's option
 * list of every command (tui/tailscope.1, ".SH <COMMAND> OPTIONS") names
 * exactly the options the table gives that command, each with its argument;
 * --help prints exactly them; the parser takes what the table says (the
 * options that had drifted: --min-pixels/--max-pixels for png and the
 * debugger, --limit for png and plot).  Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_helpers.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAN "tui/tailscope.1"


/* "min-pixels" -> "min\-pixels" (roff) */
static void roff(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (; *s && k + 3 < n; s++) {
		if (*s == '-')
			out[k++] = '\\';
		out[k++] = *s;
	}
	out[k] = 0;
}

static int cmd_has(const cli_command *c, cli_opt id)
{
	for (size_t i = 0; i < c->n_opts; i++)
		if (c->opts[i] == id)
			return 1;
	return 0;
}

/* The option of cmd named by "--NAME" (NAME up to the first char not in
 * [a-z-]), else the first row of that name (not cmd's: the caller fails),
 * else -1.  A name may have two rows (capture's --gt is not report's). */
static int option_named(const cli_command *cmd, const char *p, size_t *len)
{
	size_t n = 0;
	while (islower((unsigned char)p[n]) || p[n] == '-' || (n && p[n] == '\\' && p[n + 1] == '-')) {
		if (p[n] == '\\')
			n++;
		n++;
	}
	*len = n;
	char name[64];
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < sizeof name; i++)
		if (p[i] != '\\')
			name[k++] = p[i];
	name[k] = 0;
	for (size_t i = 0; i < cmd->n_opts; i++)
		if (!strcmp(cli_options[cmd->opts[i]].name, name))
			return (int)cmd->opts[i];
	for (int o = 0; o < CLI_OPT_COUNT; o++)
		if (!strcmp(cli_options[o].name, name))
			return o;
	return -1;
}

static void test_man_page_matches_the_table(void **state)
{
	(void)state;
	char *man = th_read_all(MAN);
	assert_non_null(man);
	for (size_t c = 0; c < cli_n_commands; c++) {
		const cli_command *cmd = &cli_commands[c];
		char title[64];
		snprintf(title, sizeof title, "\n.SH %s OPTIONS\n",
		         !strcmp(cmd->name, "tui") ? "DEBUGGER" : cmd->name);
		for (char *t = title + 5; *t != ' '; t++)
			*t = (char)toupper((unsigned char)*t);
		char *sec = strstr(man, title);
		if (!sec)
			fail_msg("%s: no '%s' section", MAN, title + 1);
		sec += strlen(title);
		char *end = strstr(sec, "\n.SH ");
		assert_non_null(end);
		int seen[CLI_OPT_COUNT] = {0};
		/* every tag line (after .TP) names options of this command, with
		 * their argument */
		for (char *p = sec; p < end; p = strchr(p, '\n') + 1) {
			if (strncmp(p, ".TP\n", 4))
				continue;
			char *tag = p + 4, *eol = strchr(tag, '\n');
			for (char *q = tag; q < eol; q++) {
				if (strncmp(q, "\\-\\-", 4))
					continue;
				size_t len;
				int id = option_named(cmd, q + 4, &len);
				if (id < 0 || !cmd_has(cmd, (cli_opt)id))
					fail_msg("%s: %s lists '%.*s', not an option of '%s'", MAN, title + 5,
					         (int)(eol - tag), tag, cmd->name);
				seen[id] = 1;
				if (cli_options[id].arg) {
					char a[64];
					roff(cli_options[id].arg, a, sizeof a);
					char *hit = strstr(tag, a);
					if (!hit || hit > eol)
						fail_msg("%s: --%s without its argument %s", MAN, cli_options[id].name,
						         cli_options[id].arg);
				}
				q += 3 + len;
			}
		}
		for (size_t i = 0; i < cmd->n_opts; i++)
			if (!seen[cmd->opts[i]])
				fail_msg("%s: %s does not list --%s", MAN, title + 5,
				         cli_options[cmd->opts[i]].name);
	}
	free(man);
}

static void test_help_lists_exactly_the_table(void **state)
{
	(void)state;
	int used[CLI_OPT_COUNT] = {0};
	for (size_t c = 0; c < cli_n_commands; c++) {
		const cli_command *cmd = &cli_commands[c];
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		assert_non_null(f);
		cli_help(cmd, f);
		fclose(f);
		int seen[CLI_OPT_COUNT] = {0};
		for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
			char *q = p;
			while (*q == ' ')
				q++;
			if (q == p || q[0] != '-')
				continue;
			if (q[1] != '-')
				q += 4; /* "-q, --quiet" */
			if (strncmp(q, "--", 2))
				continue;
			size_t l;
			int id = option_named(cmd, q + 2, &l);
			if (id < 0 || !cmd_has(cmd, (cli_opt)id))
				fail_msg("%s --help lists '%.20s'", cmd->name, q);
			if (cli_options[id].arg)
				assert_memory_equal(q + 2 + l + 1, cli_options[id].arg, strlen(cli_options[id].arg));
			seen[id] = 1;
		}
		for (size_t i = 0; i < cmd->n_opts; i++) {
			assert_true(seen[cmd->opts[i]]);
			used[cmd->opts[i]] = 1;
		}
		free(buf);
	}
	for (int o = 0; o < CLI_OPT_COUNT; o++)
		if (!used[o])
			fail_msg("--%s is in the table but no command takes it", cli_options[o].name);
	/* --coords' help (coords_names(), printed under every command that takes
	 * --coords) names every convention coords.c knows, and only those */
	const char *h = coords_names();
	size_t names = 0;
	for (coords_kind k = COORDS_AUTO; k < COORDS_COUNT; k++) {
		assert_non_null(strstr(h, coords_name(k)));
		names++;
	}
	size_t bars = 0;
	for (const char *p = h; *p && *p != '\n'; p++)
		bars += *p == '|';
	assert_int_equal(bars + 1, names);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	cli_help(cli_command_find("report"), f);
	fclose(f);
	assert_non_null(strstr(buf, h));
	free(buf);
}

static int parse(const char *name, cli_values *v, ...)
{
	char *argv[64];
	int argc = 0;
	argv[argc++] = (char *)name;
	va_list ap;
	va_start(ap, v);
	for (char *a; argc < 63 && (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	/* help and usage errors go to stdout/stderr: keep the test log clean */
	int o1 = dup(1), o2 = dup(2);
	FILE *nul = fopen("/dev/null", "w");
	dup2(fileno(nul), 1);
	dup2(fileno(nul), 2);
	int rc = cli_parse(cli_command_find(name), argc, argv, v);
	fflush(stdout);
	fflush(stderr);
	dup2(o1, 1);
	dup2(o2, 2);
	close(o1);
	close(o2);
	fclose(nul);
	return rc;
}

static void test_parser(void **state)
{
	(void)state;
	cli_values v;
	/* the options that had drifted now reach every command the table says */
	assert_int_equal(parse("png", &v, "--min-pixels", "100", "--max-pixels", "2000", "--limit",
	                       "records=5", "RUN", NULL), 0);
	assert_int_equal(v.ex.an.coords.min_pixels, 100);
	assert_int_equal(v.ex.an.coords.max_pixels, 2000);
	assert_int_equal(v.lim.rec.max_records, 5);
	assert_int_equal(v.ex.an.rec_limits.max_records, 5);
	assert_int_equal(v.n_pos, 1);
	assert_string_equal(v.pos[0], "RUN");
	cli_values_free(&v);
	assert_int_equal(parse("tui", &v, "--min-pixels", "7", "--", "--gt", NULL), 0);
	assert_int_equal(v.ex.an.coords.min_pixels, 7);
	assert_int_equal(v.n_pos, 1);               /* after "--": a run named "--gt" */
	assert_string_equal(v.pos[0], "--gt");
	cli_values_free(&v);
	assert_int_equal(parse("plot", &v, "pr", "--limit", "steps=2k", "-o", "x.png", "R", NULL), 0);
	assert_int_equal(v.lim.trace.max_steps, 2048);
	assert_int_equal(v.ex.limits.max_steps, 2048);
	assert_string_equal(v.out, "x.png");
	assert_int_equal(v.n_pos, 2);
	cli_values_free(&v);
	assert_int_equal(parse("report", &v, "--policy", "off,budget:3", "-q", "--jobs", "3", NULL), 0);
	assert_int_equal(v.ex.n_pol, 2);
	assert_int_equal(v.ex.pol[1].kind, POLICY_BUDGET);
	assert_int_equal(v.ex.pol[1].n, 3);
	assert_true(v.pol_set && v.quiet);
	assert_int_equal(v.jobs, 3);
	cli_values_free(&v);
	/* what a command does not take is refused, as are bad values */
	assert_int_equal(parse("report", &v, "--images", "d", NULL), 2);
	cli_values_free(&v);
	assert_int_equal(parse("png", &v, "--json", NULL), 2);
	cli_values_free(&v);
	assert_int_equal(parse("report", &v, "--gt", NULL), 2);   /* no value */
	cli_values_free(&v);
	assert_int_equal(parse("report", &v, "--coords", "qwen4", NULL), 2);
	cli_values_free(&v);
	assert_int_equal(parse("plot", &v, "--jobs", "65", NULL), 2);
	cli_values_free(&v);
	assert_int_equal(parse("report", &v, "--policy", "off,off", NULL), 2);
	cli_values_free(&v);
	assert_int_equal(parse("png", &v, "-h", NULL), 1);
	cli_values_free(&v);
	/* capture: its own rows where the name is shared (-o is a directory,
	 * --gt/--images what to send, --policy one truncation), the shared
	 * --limit */
	setenv("TS_TEST_KEY", "k1", 1);
	assert_int_equal(parse("capture", &v, "--server", "http://h:1", "--images", "I", "--gt", "G.json",
	                       "--prompt", "p", "-o", "RUN", "--coords", "qwen3", "--policy", "budget:3",
	                       "--max-tokens", "9", "--top-logprobs", "0", "--temperature", "0.5",
	                       "--concurrency", "8", "--retries", "0", "--backoff", "0.25", "--timeout", "2",
	                       "--header", "X-A: 1", "--api-key-env", "TS_TEST_KEY", "--resume",
	                       "--progress", "plain", "--progress-every", "0", "-q", "--limit", "steps=7", NULL), 0);
	assert_string_equal(v.cap.server, "http://h:1");
	assert_string_equal(v.cap.images, "I");
	assert_string_equal(v.cap.gt, "G.json");
	assert_null(v.ex.gt_path);            /* not report's --gt */
	assert_null(v.images_dir);
	assert_string_equal(v.cap.out, "RUN");
	assert_null(v.out);                   /* not png's -o FILE */
	assert_string_equal(v.cap.coords, "qwen3");
	assert_int_equal(v.cap.pol.kind, POLICY_BUDGET);
	assert_int_equal(v.cap.pol.n, 3);
	assert_int_equal(v.cap.max_tokens, 9);
	assert_int_equal(v.cap.top_logprobs, 0);
	assert_true(v.cap.temperature == 0.5 && v.cap.backoff == 0.25 && v.cap.timeout == 2);
	assert_int_equal(v.cap.concurrency, 8);
	assert_int_equal(v.cap.retries, 0);
	assert_int_equal(v.cap.n_headers, 2);
	assert_string_equal(v.cap.headers[0], "X-A: 1");
	assert_string_equal(v.cap.headers[1], "Authorization: Bearer k1");
	assert_true(v.cap.resume && v.cap.quiet && v.cap.progress == 0 && v.cap.progress_every == 0);
	assert_false(v.quiet);                /* not report's -q */
	assert_int_equal(v.lim.trace.max_steps, 7);
	cli_values_free(&v);
	/* capture's defaults (capture_opts_default) and refusals */
	assert_int_equal(parse("capture", &v, "--coords", "auto", NULL), 0);
	assert_null(v.cap.coords);
	assert_int_equal(v.cap.max_tokens, 1024);
	assert_int_equal(v.cap.top_logprobs, 5);
	assert_int_equal(v.cap.concurrency, 4);
	assert_int_equal(v.cap.pol.kind, POLICY_OFF);
	cli_values_free(&v);
	assert_int_equal(parse("capture", &v, "--policy", "dedup", NULL), 2);  /* not a truncation */
	cli_values_free(&v);
	assert_int_equal(parse("capture", &v, "--policy", "off,repeat_stop", NULL), 2); /* one policy */
	cli_values_free(&v);
	assert_int_equal(parse("capture", &v, "--header", "no colon", NULL), 2);
	cli_values_free(&v);
	assert_int_equal(parse("capture", &v, "--api-key-env", "TS_TEST_KEY", "--api-key-env", "TS_TEST_KEY", NULL), 2);
	cli_values_free(&v);
	assert_int_equal(parse("capture", &v, "--concurrency", "0", NULL), 2);
	cli_values_free(&v);
	assert_int_equal(parse("capture", &v, "--prompt-file", "/nonexistent/p.txt", NULL), 2);
	cli_values_free(&v);
	assert_int_equal(parse("capture", &v, "--json", NULL), 2);    /* report's */
	cli_values_free(&v);
	assert_int_equal(parse("report", &v, "--server", "http://h", NULL), 2); /* capture's */
	cli_values_free(&v);
	/* defaults */
	assert_int_equal(parse("plot", &v, NULL), 0);
	assert_int_equal(v.jobs, 2);
	assert_int_equal(v.png_w, 960);
	assert_int_equal(v.png_h, 600);
	assert_int_equal(v.height, 16);
	assert_int_equal(v.color, -1);
	assert_int_equal(v.ex.n_pol, 2);
	assert_false(v.pol_set);
	cli_values_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_man_page_matches_the_table),
		cmocka_unit_test(test_help_lists_exactly_the_table),
		cmocka_unit_test(test_parser),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
