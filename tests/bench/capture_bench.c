/* capture_bench — `tailscope capture` against a bare curl-and-discard client,
 * both talking to the loopback test server (tests/capture/sse_server.py
 * --synthetic N: every request streams the same N-token completion, one SSE
 * event per token, 5 alternatives each).
 *
 * Each round runs, as child processes measured with wait4(2):
 *   bare     libcurl multi, the same concurrency, the same request bodies
 *            (a base64 PNG in a chat completion), the response discarded
 *   parse    the same, but every SSE "data:" payload is parsed with cJSON
 *            and freed: the least any client that reads the tokens does
 *            (the analogue of report's "cJSON parse alone" baseline)
 *   capture  build/tailscope capture --policy off -q (a fresh run directory)
 * and prints requests/s (wall) and client CPU time (user + sys) per 1,000
 * tokens, medians over the rounds, and the CPU ratios capture / bare (issue
 * 15's goal: <= 1.3) and capture / parse.
 *
 * usage: capture_bench [--images N] [--tokens N] [--concurrency N] [--rounds N] [--bin PATH]
 */
#include <cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUNDS 9

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A valid 1x1 PNG (the viewer's checks run on it). */
static const unsigned char png1[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
	0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
	0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
	0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92, 0xef, 0x00, 0x00, 0x00,
	0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

static size_t discard(char *p, size_t sz, size_t nm, void *ud)
{
	(void)p;
	(void)ud;
	return sz * nm;
}

/* The parse client's per-request state: the SSE line being assembled. */
typedef struct sse_line {
	char buf[1 << 16];
	size_t n;
	int over; /* the line outgrew buf: skipped */
} sse_line;

static void parse_line(sse_line *l)
{
	if (!l->over && l->n > 6 && !memcmp(l->buf, "data: ", 6) &&
	    !(l->n >= 12 && !memcmp(l->buf + 6, "[DONE]", 6))) {
		cJSON *j = cJSON_ParseWithLength(l->buf + 6, l->n - 6);
		cJSON_Delete(j);
	}
	l->n = 0;
	l->over = 0;
}

static size_t parse_events(char *p, size_t sz, size_t nm, void *ud)
{
	sse_line *l = ud;
	size_t len = sz * nm;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n') {
			parse_line(l);
		} else if (l->n < sizeof l->buf) {
			l->buf[l->n++] = p[i];
		} else {
			l->over = 1;
		}
	}
	return len;
}

/* The bare client: n POSTs, c at a time, responses thrown away (parse:
 * each SSE event parsed with cJSON first). */
static int bare_client(const char *url, int n, int c, int parse)
{
	sse_line *lines = parse ? calloc((size_t)c, sizeof *lines) : NULL;
	if (parse && !lines)
		return 1;
	gchar *b64 = g_base64_encode(png1, sizeof png1);
	char body[4096];
	snprintf(body, sizeof body,
	         "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
	         "\"image_url\":{\"url\":\"data:image/png;base64,%s\"}},{\"type\":\"text\","
	         "\"text\":\"List every object.\"}]}],\"max_tokens\":1000,\"temperature\":0,"
	         "\"logprobs\":true,\"top_logprobs\":5,\"stream\":true}",
	         b64);
	g_free(b64);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURLM *m = curl_multi_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	CURL **e = calloc((size_t)c, sizeof *e);
	int started = 0, done = 0, failed = 0, running = 0;
	for (int i = 0; i < c && started < n; i++, started++) {
		e[i] = curl_easy_init();
		curl_easy_setopt(e[i], CURLOPT_URL, url);
		curl_easy_setopt(e[i], CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e[i], CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, parse ? parse_events : discard);
		if (parse)
			curl_easy_setopt(e[i], CURLOPT_WRITEDATA, &lines[i]);
		curl_multi_add_handle(m, e[i]);
	}
	while (done < n) {
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			CURL *x = msg->easy_handle;
			failed += msg->data.result != CURLE_OK;
			done++;
			curl_multi_remove_handle(m, x);
			if (started < n) {
				started++;
				curl_multi_add_handle(m, x); /* same options: the next request */
			}
		}
		if (done < n)
			curl_multi_poll(m, NULL, 0, 200, NULL);
	}
	for (int i = 0; i < c; i++)
		if (e[i])
			curl_easy_cleanup(e[i]);
	free(e);
	curl_slist_free_all(h);
	curl_multi_cleanup(m);
	free(lines);
	return failed ? 1 : 0;
}

typedef struct meas {
	double wall, cpu;
	int ok;
} meas;

static double tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec * 1e-6;
}

static meas wait_child(pid_t pid, double t0)
{
	meas r = { 0, 0, 0 };
	int st = 0;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) == pid) {
		r.wall = now() - t0;
		r.cpu = tv(ru.ru_utime) + tv(ru.ru_stime);
		r.ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	return r;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	int images = 500, tokens = 1000, conc = 8, rounds = 3;
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char bin[1024];
	snprintf(bin, sizeof bin, "%s/tailscope", build);
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--images"))
			images = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--tokens"))
			tokens = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--concurrency"))
			conc = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--rounds"))
			rounds = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--bin"))
			snprintf(bin, sizeof bin, "%s", argv[i + 1]);
	}
	if (images < 1 || tokens < 1 || conc < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "capture_bench: bad arguments\n");
		return 2;
	}
	char dir[] = "/tmp/tailscope-capbench.XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char path[1600], portf[1200], imgs[1200];
	snprintf(imgs, sizeof imgs, "%s/images", dir);
	mkdir(imgs, 0777);
	for (int i = 0; i < images; i++) {
		snprintf(path, sizeof path, "%s/img%05d.png", imgs, i);
		FILE *f = fopen(path, "wb");
		if (!f || fwrite(png1, 1, sizeof png1, f) != sizeof png1 || fclose(f)) {
			perror(path);
			return 1;
		}
	}
	snprintf(portf, sizeof portf, "%s/port", dir);
	char ntok[32];
	snprintf(ntok, sizeof ntok, "%d", tokens);
	pid_t srv = fork();
	if (srv == 0) {
		execlp("python3", "python3", "tests/capture/sse_server.py", "--synthetic", ntok,
		       "--port-file", portf, "--max-seconds", "900", (char *)NULL);
		_exit(127);
	}
	int port = 0;
	for (int i = 0; i < 200 && !port; i++) {
		FILE *f = fopen(portf, "r");
		if (f) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
		}
		if (!port)
			usleep(50000);
	}
	if (!port) {
		fprintf(stderr, "capture_bench: the test server did not start\n");
		kill(srv, SIGTERM);
		waitpid(srv, NULL, 0);
		return 1;
	}
	char url[160], server[128];
	snprintf(server, sizeof server, "http://127.0.0.1:%d", port);
	snprintf(url, sizeof url, "%s/v1/chat/completions", server);
	char cs[16];
	snprintf(cs, sizeof cs, "%d", conc);

	double bw[MAX_ROUNDS], bc[MAX_ROUNDS], pw[MAX_ROUNDS], pc[MAX_ROUNDS], cw[MAX_ROUNDS],
	       cc[MAX_ROUNDS];
	int bad = 0;
	for (int r = 0; r < rounds; r++) {
		double t0 = now();
		pid_t p = fork();
		if (p == 0)
			_exit(bare_client(url, images, conc, 0));
		meas b = wait_child(p, t0);
		t0 = now();
		p = fork();
		if (p == 0)
			_exit(bare_client(url, images, conc, 1));
		meas pm = wait_child(p, t0);
		char out[1300];
		snprintf(out, sizeof out, "%s/run%d", dir, r);
		t0 = now();
		p = fork();
		if (p == 0) {
			int null = open("/dev/null", 1);
			if (null >= 0)
				dup2(null, 2);
			execl(bin, bin, "capture", "--server", server, "--images", imgs, "--prompt",
			      "List every object.", "--max-tokens", ntok, "--policy", "off",
			      "--concurrency", cs, "-q", "-o", out, (char *)NULL);
			_exit(127);
		}
		meas c = wait_child(p, t0);
		if (!b.ok || !pm.ok || !c.ok)
			bad = 1;
		bw[r] = b.wall;
		bc[r] = b.cpu;
		pw[r] = pm.wall;
		pc[r] = pm.cpu;
		cw[r] = c.wall;
		cc[r] = c.cpu;
		snprintf(path, sizeof path, "rm -rf '%s'", out);
		if (system(path) != 0)
			bad = 1;
	}
	kill(srv, SIGTERM);
	waitpid(srv, NULL, 0);
	double k = (double)images * (double)tokens / 1000.0;
	double mbw = median(bw, rounds), mbc = median(bc, rounds);
	double mcw = median(cw, rounds), mcc = median(cc, rounds);
	double mpw = median(pw, rounds), mpc = median(pc, rounds);
	printf("capture: %d requests x %d tokens (5 alternatives), concurrency %d, loopback SSE, "
	       "median of %d\n", images, tokens, conc, rounds);
	printf("  bare curl client   %8.1f req/s   CPU %7.3f ms per 1,000 tokens\n",
	       (double)images / mbw, mbc * 1000.0 / k);
	printf("  curl + cJSON parse %8.1f req/s   CPU %7.3f ms per 1,000 tokens\n",
	       (double)images / mpw, mpc * 1000.0 / k);
	printf("  tailscope capture  %8.1f req/s   CPU %7.3f ms per 1,000 tokens\n",
	       (double)images / mcw, mcc * 1000.0 / k);
	printf("  client CPU ratio capture / bare: %.2fx (goal <= 1.3x)\n", mcc / mbc);
	printf("  client CPU ratio capture / (curl + cJSON parse): %.2fx%s\n", mcc / mpc,
	       bad ? "  (a run failed)" : "");
	printf("ROW|capture client CPU, ms/1k tokens|%.3f|bare curl %.3f|%.2f|<= 1.3\n", mcc * 1000.0 / k,
	       mbc * 1000.0 / k, mcc / mbc);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	return bad;
}
