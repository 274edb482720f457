/* bench_report — `tailscope report` against bare cJSON parsing of the same lines.
 *
 * Generates (once, cached under $BUILD/bench-data) a run of 5,000 samples x
 * 1,500 steps with 5 alternatives per step plus a COCO gt.json, then times,
 * alternating, N rounds of:
 *   baseline  read every line (getline) + cJSON_ParseWithLength + cJSON_Delete
 *   report    build/tailscope report --json RUN  (stdout to /dev/null)
 * and prints the medians and their ratio.  Goal (issue 2): ratio <= 1.5.
 * Per core (issue 21): CPU seconds of the cJSON parse, `report --jobs 1` and
 * a bench-only simdjson on-demand program (tests/bench/simdjson/, when
 * libsimdjson-dev is installed), interleaved; goals report1/cJSON <= 0.5 and
 * report1/simdjson <= 4.
 *
 * SSE case (issue 11): the first --sse-samples completions of the same run
 * rewritten as an SSE recording (one chat.completion.chunk per token, four
 * requests interleaved, data: [DONE] after each group), then, alternating:
 *   baseline  read every line + cJSON parse of each data: payload
 *   report    build/tailscope report --json FILE.sse
 * wall and CPU seconds.  Goal (issue 21: the SSE path on the scanner): ratio
 * <= 0.5.
 *
 * Scaling (issue 21): runs of 500, 5,000 and 20,000 samples x 100 steps
 * (--scale LIST, --scale-steps N), one report each, print the time and the
 * peak memory per sample, so a superlinear step shows as a number.
 *
 * bench_report --generate DIR N STEPS writes such a run (N samples) into DIR
 * and exits (tests/bench/bench_debugger.sh uses it).
 *
 * usage: bench_report [--samples N] [--steps N] [--rounds N] [--sse-samples N]
 *                     [--scale N,N,...] [--scale-steps N] [--bin PATH] [--dir DIR]
 * (defaults: 1,000 x 1,500, 3 rounds, 1,000 SSE samples, 500,5000,20000 x 100;
 * `make bench` stays within ~5 minutes on 2 cores)
 */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

static const char *labels[] = { "insulator", "damper", "spacer", "pole", "bird nest" };

/* Writes one token object. */
static void tok(FILE *f, const char *t, int first)
{
	double lp = -(double)rnd(3000) / 1000.0;
	fprintf(f, "%s{\"token\":\"%s\",\"logprob\":%.4f,\"top_logprobs\":[", first ? "" : ",", t, lp);
	static const char *alts[] = { "0", "1", "]", "\\\"}", ", " };
	fprintf(f, "{\"token\":\"%s\",\"logprob\":%.4f}", t, lp);
	for (int a = 0; a < 4; a++)
		fprintf(f, ",{\"token\":\"%s\",\"logprob\":%.4f}", alts[a], lp - 1.0 - a);
	fprintf(f, "]}");
}

static int generate(const char *dir, int samples, int steps)
{
	char path[1400];
	mkdir(dir, 0777);
	snprintf(path, sizeof path, "%s/gt.json", dir);
	FILE *g = fopen(path, "w");
	if (!g)
		return -1;
	fprintf(g, "{\"images\":[");
	for (int i = 0; i < samples; i++)
		fprintf(g, "%s{\"id\":%d,\"file_name\":\"b%05d.png\",\"width\":1280,\"height\":960}", i ? "," : "", i + 1, i + 1);
	fprintf(g, "],\"categories\":[");
	for (int c = 0; c < 5; c++)
		fprintf(g, "%s{\"id\":%d,\"name\":\"%s\"}", c ? "," : "", c + 1, labels[c]);
	fprintf(g, "],\"annotations\":[");
	int aid = 1;
	for (int i = 0; i < samples; i++)
		for (int k = 0; k < 20; k++, aid++)
			fprintf(g, "%s{\"id\":%d,\"image_id\":%d,\"category_id\":%d,\"bbox\":[%d,%d,%d,%d],\"iscrowd\":0}",
			        aid > 1 ? "," : "", aid, i + 1, 1 + (k % 5), 50 * k % 1200, 40 * k % 900, 40, 30);
	fprintf(g, "]}\n");
	fclose(g);

	snprintf(path, sizeof path, "%s/traces.jsonl", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	for (int i = 0; i < samples; i++) {
		fprintf(f, "{\"image_id\":%d,\"finish_reason\":\"length\",\"tokens\":[", i + 1);
		int n = 0;
		tok(f, "```", 1); n++;
		tok(f, "json", 0); n++;
		tok(f, "\\n[{\\\"", 0); n++;
		int rec = 0;
		int repeat_from = 10 + (int)rnd(10);
		char num[4][8];
		const char *lab = labels[0];
		while (n < steps) {
			if (rec < repeat_from) {
				lab = labels[rnd(5)];
				for (int k = 0; k < 4; k++)
					snprintf(num[k], sizeof num[k], "%u", rnd(1000));
			}
			/* {"bbox_2d": [x, y, x, y], "label": "lab"}, {" */
			const char *pre[] = { "bbox", "_", "2", "d", "\\\":", " [" };
			for (size_t k = 0; k < 6 && n < steps; k++, n++)
				tok(f, pre[k], 0);
			for (int k = 0; k < 4 && n < steps; k++) {
				for (const char *d = num[k]; *d && n < steps; d++, n++) {
					char one[2] = { *d, 0 };
					tok(f, one, 0);
				}
				if (n < steps) {
					tok(f, k < 3 ? ", " : "],", 0);
					n++;
				}
			}
			const char *post[] = { " \\\"", "label", "\\\":", " \\\"", lab, "\\\"}, {\\\"" };
			for (size_t k = 0; k < 6 && n < steps; k++, n++)
				tok(f, post[k], 0);
			rec++;
		}
		fprintf(f, "]}\n");
	}
	if (fclose(f))
		return -1;
	return 0;
}

/* Reads every line and parses it with cJSON (sse: only the payload of
 * "data: " lines, not [DONE]). */
static double run_baseline(const char *traces, int sse)
{
	double t0 = now();
	FILE *f = fopen(traces, "rb");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	size_t ok = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		size_t skip = 0;
		if (sse) {
			if (n < 12 || memcmp(line, "data: ", 6) || !memcmp(line + 6, "[DONE]", 6))
				continue;
			skip = 6;
		}
		cJSON *j = cJSON_ParseWithLength(line + skip, (size_t)n - skip);
		ok += j != NULL;
		cJSON_Delete(j);
	}
	free(line);
	fclose(f);
	double t = now() - t0;
	if (ok == 0)
		return -1;
	return t;
}

/* The completions of traces (native JSONL) as an SSE recording: one chunk
 * per token, `group` requests interleaved round-robin. */
static int write_sse(const char *traces, const char *out, int max_samples, int group)
{
	FILE *in = fopen(traces, "rb"), *f = fopen(out, "w");
	if (!in || !f) {
		if (in)
			fclose(in);
		if (f)
			fclose(f);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	int done = 0;
	while (done < max_samples) {
		cJSON *g[8];
		int n = 0;
		while (n < group && done + n < max_samples && getline(&line, &cap, in) > 0) {
			g[n] = cJSON_Parse(line);
			if (g[n])
				n++;
		}
		if (n == 0)
			break;
		const cJSON *tok[8];
		int id[8];
		for (int k = 0; k < n; k++) {
			tok[k] = cJSON_GetObjectItem(g[k], "tokens")->child;
			id[k] = cJSON_GetObjectItem(g[k], "image_id")->valueint;
		}
		for (int left = n; left > 0;) {
			left = 0;
			for (int k = 0; k < n; k++) {
				if (!tok[k])
					continue;
				char *t = cJSON_PrintUnformatted(tok[k]);
				const cJSON *txt = cJSON_GetObjectItem(tok[k], "token");
				char *content = cJSON_PrintUnformatted(txt);
				int last = tok[k]->next == NULL;
				char ref[40] = ""; /* a recorder's image reference, on the first chunk */
				if (tok[k] == cJSON_GetObjectItem(g[k], "tokens")->child)
					snprintf(ref, sizeof ref, "\"image_id\":%d,", id[k]);
				fprintf(f, "data: {\"id\":\"chatcmpl-%d\",\"object\":\"chat.completion.chunk\","
				        "\"created\":1733000000,\"model\":\"qwen3-vl\",%s\"choices\":[{\"index\":0,"
				        "\"delta\":{\"content\":%s},\"logprobs\":{\"content\":[%s]},"
				        "\"finish_reason\":%s}]}\n\n",
				        id[k], ref, content, t, last ? "\"length\"" : "null");
				free(t);
				free(content);
				tok[k] = tok[k]->next;
				left += tok[k] != NULL;
			}
		}
		fputs("data: [DONE]\n\n", f);
		for (int k = 0; k < n; k++)
			cJSON_Delete(g[k]);
		done += n;
	}
	free(line);
	fclose(in);
	return fclose(f) ? -1 : 0;
}

/* One report of dir (jobs: --jobs, 0 the default); *kb its peak RSS.
 * Returns the wall time or -1. */
static double run_report_rss(const char *bin, const char *dir, int jobs, long *kb)
{
	double t0 = now();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			close(fd);
		}
		char j[16];
		snprintf(j, sizeof j, "%d", jobs);
		if (jobs > 0)
			execl(bin, bin, "report", "--json", "-q", "--jobs", j, dir, (char *)NULL);
		else
			execl(bin, bin, "report", "--json", "-q", dir, (char *)NULL);
		_exit(127);
	}
	int st;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) > 1)
		return -1;
	*kb = ru.ru_maxrss;
	return now() - t0;
}

static double run_report(const char *bin, const char *dir, int jobs)
{
	long kb;
	double t = run_report_rss(bin, dir, jobs, &kb);
	if (t < 0)
		fprintf(stderr, "bench_report: %s report %s failed\n", bin, dir);
	return t;
}

static int cmp_d(const void *a, const void *b);

static double tv_s(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6; }

/* CPU seconds (user + sys) of this process so far. */
static double self_cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
}

/* CPU seconds (user + sys) of one child run of argv (stdout to /dev/null). */
static double run_cpu(char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	int st;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) > 1) {
		fprintf(stderr, "bench_report: %s failed\n", argv[0]);
		return -1;
	}
	return tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
}

/* Issue 21, per core: CPU seconds of the cJSON parse alone, of
 * `report --jobs 1` and (when built: make bench builds it if libsimdjson-dev
 * is installed) of simdjson on-demand over the same lines, interleaved. */
static int cpu_rows(const char *bin, const char *run_dir, const char *traces, const char *build,
                    int rounds)
{
	char tool[1100];
	snprintf(tool, sizeof tool, "%s/bench-tools/simdjson_lines", build);
	int have_sj = access(tool, X_OK) == 0;
	double cj[99], rep[99], sj[99];
	for (int r = 0; r < rounds; r++) {
		double c0 = self_cpu();
		if (run_baseline(traces, 0) < 0)
			return -1;
		cj[r] = self_cpu() - c0;
		char *ra[] = { (char *)bin, "report", "--json", "-q", "--jobs", "1", (char *)run_dir, NULL };
		char *sa[] = { tool, (char *)traces, NULL };
		if ((rep[r] = run_cpu(ra)) < 0 || (have_sj && (sj[r] = run_cpu(sa)) < 0))
			return -1;
	}
	qsort(cj, (size_t)rounds, sizeof cj[0], cmp_d);
	qsort(rep, (size_t)rounds, sizeof rep[0], cmp_d);
	double mc = cj[rounds / 2], mr = rep[rounds / 2];
	printf("report per core: CPU seconds (user+sys), one thread, %d interleaved rounds (medians)\n", rounds);
	printf("  cJSON parse alone      %8.3f s\n", mc);
	printf("  report --jobs 1        %8.3f s\n", mr);
	printf("  ratio report1/cJSON    %8.2f   (goal <= 0.50)\n", mr / mc);
	printf("ROW|report --jobs 1, CPU s|%.3f|cJSON parse %.3f|%.2f|<= 0.5\n", mr, mc, mr / mc);
	if (!have_sj) {
		printf("  simdjson on-demand     (skipped: libsimdjson-dev not installed, %s not built)\n", tool);
		return 0;
	}
	qsort(sj, (size_t)rounds, sizeof sj[0], cmp_d);
	double ms = sj[rounds / 2];
	printf("  simdjson on-demand     %8.3f s\n", ms);
	printf("  ratio report1/simdjson %8.2f   (goal <= 4.00)\n", mr / ms);
	printf("ROW|report --jobs 1, CPU s|%.3f|simdjson %.3f|%.2f|<= 4\n", mr, ms, mr / ms);
	return 0;
}

/* The scaling rows: time and peak memory per sample at each size. */
static int scale_rows(const char *bin, const char *dir, const char *list, int steps)
{
	printf("scaling: report --json, %d steps per sample (one run each)\n", steps);
	printf("  %8s %10s %14s %12s %14s\n", "samples", "time s", "ms/sample", "peak MB", "KB/sample");
	int base_n = 0;
	double base_ms = 0;
	for (const char *p = list; *p;) {
		int n = atoi(p);
		char run_dir[1200], stamp[1300];
		snprintf(run_dir, sizeof run_dir, "%s/scale-%dx%d", dir, n, steps);
		snprintf(stamp, sizeof stamp, "%s/.complete", run_dir);
		struct stat sb;
		if (n > 0 && stat(stamp, &sb) != 0) {
			if (generate(run_dir, n, steps) != 0)
				return -1;
			FILE *s = fopen(stamp, "w");
			if (s)
				fclose(s);
		}
		long kb = 0;
		double t = n > 0 ? run_report_rss(bin, run_dir, 0, &kb) : -1;
		if (t < 0)
			return -1;
		printf("  %8d %10.3f %14.3f %12.1f %14.2f\n", n, t, t * 1e3 / n, kb / 1024.0, (double)kb / n);
		if (base_n == 0)
			base_n = n, base_ms = t * 1e3 / n;
		else
			printf("ROW|scaling %d samples, ms/sample|%.3f|%d samples %.3f|%.2f|~1 (linear)\n", n, t * 1e3 / n,
			       base_n, base_ms, t * 1e3 / n / base_ms);
		p = strchr(p, ',');
		p = p ? p + 1 : "";
	}
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int samples = 1000, steps = 1500, rounds = 3, sse_samples = 1000, scale_steps = 100;
	const char *scale = "500,5000,20000";
	const char *bin = "build/tailscope";
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/bench-data", build);
	if (argc == 5 && !strcmp(argv[1], "--generate"))
		return generate(argv[2], atoi(argv[3]), atoi(argv[4])) ? 2 : 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--samples")) samples = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--steps")) steps = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--rounds")) rounds = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--sse-samples")) sse_samples = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--scale")) scale = argv[i + 1];
		else if (!strcmp(argv[i], "--scale-steps")) scale_steps = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--bin")) bin = argv[i + 1];
		else if (!strcmp(argv[i], "--dir")) snprintf(dir, sizeof dir, "%s", argv[i + 1]);
	}
	if (rounds < 1 || rounds > 99 || samples < 1 || steps < 10)
		return 2;
	char run_dir[1100], traces[1200], stamp[1200], want[64];
	snprintf(run_dir, sizeof run_dir, "%s/report-%dx%d", dir, samples, steps);
	snprintf(traces, sizeof traces, "%s/traces.jsonl", run_dir);
	snprintf(stamp, sizeof stamp, "%s/.complete", run_dir);
	snprintf(want, sizeof want, "%d %d v1", samples, steps);
	mkdir(dir, 0777);
	struct stat sb;
	if (stat(stamp, &sb) != 0) {
		fprintf(stderr, "bench_report: generating %d samples x %d steps in %s ...\n", samples, steps, run_dir);
		if (generate(run_dir, samples, steps) != 0) {
			fprintf(stderr, "bench_report: cannot write %s: %s\n", run_dir, strerror(errno));
			return 2;
		}
		FILE *s = fopen(stamp, "w");
		if (s) {
			fputs(want, s);
			fclose(s);
		}
	}
	stat(traces, &sb);
	double base[99], rep[99], rep2[99];
	for (int r = 0; r < rounds; r++) {
		base[r] = run_baseline(traces, 0);
		rep[r] = run_report(bin, run_dir, 1);
		rep2[r] = run_report(bin, run_dir, 2);
		if (base[r] < 0 || rep[r] < 0 || rep2[r] < 0)
			return 1;
	}
	qsort(base, (size_t)rounds, sizeof base[0], cmp_d);
	qsort(rep, (size_t)rounds, sizeof rep[0], cmp_d);
	qsort(rep2, (size_t)rounds, sizeof rep2[0], cmp_d);
	double mb = base[rounds / 2], mr = rep[rounds / 2], mr2 = rep2[rounds / 2];
	printf("report: %d samples x %d steps x 5 alternatives, %.0f MB, %d rounds (medians, wall)\n",
	       samples, steps, (double)sb.st_size / 1e6, rounds);
	printf("  cJSON parse alone      %8.3f s  (%.0f MB/s)\n", mb, (double)sb.st_size / 1e6 / mb);
	printf("  report --jobs 1        %8.3f s\n", mr);
	printf("  report --jobs 2        %8.3f s\n", mr2);
	printf("  ratio report1/cJSON    %8.2f   (goal <= 1.50)\n", mr / mb);
	printf("  ratio report2/cJSON    %8.2f\n", mr2 / mb);
	printf("ROW|report --jobs 1 %.0f MB, wall s|%.3f|cJSON parse %.3f|%.2f|<= 1.5\n", (double)sb.st_size / 1e6, mr,
	       mb, mr / mb);
	printf("ROW|report --jobs 2 %.0f MB, wall s|%.3f|cJSON parse %.3f|%.2f|\n", (double)sb.st_size / 1e6, mr2, mb,
	       mr2 / mb);
	if (cpu_rows(bin, run_dir, traces, build, rounds) != 0)
		return 1;

	if (*scale && scale_rows(bin, dir, scale, scale_steps < 10 ? 10 : scale_steps) != 0) {
		fprintf(stderr, "bench_report: scaling rows failed\n");
		return 1;
	}

	/* SSE: the same completions streamed */
	if (sse_samples < 1)
		return 0;
	if (sse_samples > samples)
		sse_samples = samples;
	char sse[1300], sse_stamp[1320];
	snprintf(sse, sizeof sse, "%s/stream-%d.sse", run_dir, sse_samples);
	snprintf(sse_stamp, sizeof sse_stamp, "%s.complete", sse);
	if (stat(sse_stamp, &sb) != 0) {
		fprintf(stderr, "bench_report: writing %d samples as SSE to %s ...\n", sse_samples, sse);
		if (write_sse(traces, sse, sse_samples, 4) != 0) {
			fprintf(stderr, "bench_report: cannot write %s: %s\n", sse, strerror(errno));
			return 2;
		}
		FILE *s = fopen(sse_stamp, "w");
		if (s)
			fclose(s);
	}
	stat(sse, &sb);
	double cb[99], cr[99]; /* CPU seconds of the same runs */
	for (int r = 0; r < rounds; r++) {
		double c0 = self_cpu();
		base[r] = run_baseline(sse, 1);
		cb[r] = self_cpu() - c0;
		char *ra[] = { (char *)bin, "report", "--json", "-q", "--jobs", "1", sse, NULL };
		double t0 = now();
		cr[r] = run_cpu(ra);
		rep[r] = cr[r] < 0 ? -1 : now() - t0;
		if (base[r] < 0 || rep[r] < 0)
			return 1;
	}
	qsort(base, (size_t)rounds, sizeof base[0], cmp_d);
	qsort(rep, (size_t)rounds, sizeof rep[0], cmp_d);
	qsort(cb, (size_t)rounds, sizeof cb[0], cmp_d);
	qsort(cr, (size_t)rounds, sizeof cr[0], cmp_d);
	mb = base[rounds / 2];
	mr = rep[rounds / 2];
	printf("report SSE: %d samples x %d steps streamed (one chunk per token, 4 interleaved), %.0f MB, %d rounds (medians)\n",
	       sse_samples, steps, (double)sb.st_size / 1e6, rounds);
	printf("  cJSON parse alone      %8.3f s  (%.0f MB/s)\n", mb, (double)sb.st_size / 1e6 / mb);
	printf("  report --jobs 1        %8.3f s\n", mr);
	printf("  ratio report/cJSON     %8.2f   (goal <= 0.50)\n", mr / mb);
	printf("  CPU: cJSON %.3f s, report %.3f s, ratio %.2f\n", cb[rounds / 2], cr[rounds / 2],
	       cr[rounds / 2] / cb[rounds / 2]);
	printf("ROW|report SSE %.0f MB, wall s|%.3f|cJSON parse %.3f|%.2f|<= 0.5\n", (double)sb.st_size / 1e6, mr, mb,
	       mr / mb);
	printf("ROW|report SSE, CPU s|%.3f|cJSON parse %.3f|%.2f|<= 0.5\n", cr[rounds / 2], cb[rounds / 2],
	       cr[rounds / 2] / cb[rounds / 2]);
	return 0;
}
