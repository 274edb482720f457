/* bench_tui — the debugger's latency as a terminal sees it (issue 21): the
 * debugger runs on a pseudo-terminal (forkpty, 160x50, xterm-256color) and
 * every byte it writes is timestamped here, so there is no polling cost.
 *   - `n` key-to-frame on the demo run (sample_runs/lora-qkvo-r16, or
 *     --run DIR): from the key's write until the last byte of the redraw
 *     (the output then stays quiet for --quiet ms; the first byte too), for
 *     --presses presses after the run has settled; medians.  Baseline: the
 *     same for `h` (one replay step back in the same sample).
 *     Goal: <= 30 ms.
 *   - --first-frame DIR: from exec until the status bar's "sample " has
 *     been written (the first whole screen), median of --rounds, against
 *     reading the run's trace lines once (cat).  Goal: <= 0.5 s on 1 GB.
 * Prints numbers and ROW lines for tests/bench/run.sh's table.
 *
 * usage: bench_tui [--bin PATH] [--run DIR] [--presses N] [--quiet MS]
 *                  [--first-frame DIR] [--rounds N]
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return v[n / 2];
}

typedef struct tty {
	pid_t pid;
	int fd;
	char tail[64]; /* the last bytes seen, for patterns across reads */
	size_t tail_n;
} tty;

static int tty_start(tty *t, const char *bin, const char *run)
{
	struct winsize ws = { 50, 160, 0, 0 };
	memset(t, 0, sizeof *t);
	t->pid = forkpty(&t->fd, NULL, NULL, &ws);
	if (t->pid < 0)
		return -1;
	if (t->pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		execl(bin, bin, run, (char *)NULL);
		_exit(127);
	}
	return 0;
}

static void tty_stop(tty *t)
{
	if (write(t->fd, "q", 1) < 0)
		kill(t->pid, SIGTERM);
	double t0 = now();
	int st;
	while (waitpid(t->pid, &st, WNOHANG) == 0) {
		char b[4096];
		struct pollfd p = { t->fd, POLLIN, 0 };
		if (poll(&p, 1, 50) > 0 && read(t->fd, b, sizeof b) <= 0)
			break;
		if (now() - t0 > 5) {
			kill(t->pid, SIGKILL);
			break;
		}
	}
	waitpid(t->pid, &st, 0);
	close(t->fd);
}

/* Reads until pat has been written (pat NULL: until quiet_ms without a
 * byte after the first one) or max_s.  *first / *last: when the first / last byte came (0: none).
 * Returns 1 when pat was seen (or quiet reached), 0 on timeout or EOF. */
static int tty_read(tty *t, const char *pat, double quiet_ms, double max_s, double *first, double *last)
{
	double t0 = now();
	*first = *last = 0;
	for (;;) {
		double left = max_s - (now() - t0);
		if (left <= 0)
			return 0;
		int wait = pat || !*first ? (int)(left * 1000) + 1 : (int)quiet_ms;
		struct pollfd p = { t->fd, POLLIN, 0 };
		int r = poll(&p, 1, wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return pat || !*first ? 0 : 1;
		char b[65536];
		ssize_t n = read(t->fd, b, sizeof b);
		if (n <= 0)
			return 0;
		*last = now();
		if (!*first)
			*first = *last;
		if (!pat)
			continue;
		/* pattern search over tail + b */
		size_t pl = strlen(pat), keep = pl - 1 < sizeof t->tail ? pl - 1 : sizeof t->tail - 1;
		char *all = malloc(t->tail_n + (size_t)n);
		if (!all)
			return 0;
		memcpy(all, t->tail, t->tail_n);
		memcpy(all + t->tail_n, b, (size_t)n);
		size_t an = t->tail_n + (size_t)n;
		int found = memmem(all, an, pat, pl) != NULL;
		t->tail_n = an < keep ? an : keep;
		memcpy(t->tail, all + an - t->tail_n, t->tail_n);
		free(all);
		if (found)
			return 1;
	}
}

/* Reads until nothing has come for quiet_ms. */
static void tty_settle(tty *t, int quiet_ms)
{
	char b[65536];
	struct pollfd p = { t->fd, POLLIN, 0 };
	while (poll(&p, 1, quiet_ms) > 0 && read(t->fd, b, sizeof b) > 0)
		;
}

static void key_rows(const char *bin, const char *run, int presses, double quiet)
{
	tty t;
	double f, l;
	if (tty_start(&t, bin, run) != 0 || !tty_read(&t, "sample ", 0, 30, &f, &l)) {
		printf("n key-to-frame: %s did not open %s\n", bin, run);
		return;
	}
	tty_settle(&t, 1000); /* badges done, image drawn */
	double *lastv = calloc((size_t)presses, sizeof *lastv), *firstv = calloc((size_t)presses, sizeof *firstv);
	double *basev = calloc((size_t)presses, sizeof *basev);
	if (!lastv || !firstv || !basev)
		exit(2);
	int n = 0;
	for (int i = 0; i < presses; i++) {
		double t0 = now();
		if (write(t.fd, "n", 1) != 1)
			break;
		if (!tty_read(&t, NULL, quiet, 10, &f, &l))
			break;
		firstv[n] = (f - t0) * 1e3;
		lastv[n] = (l - t0) * 1e3;
		t0 = now(); /* baseline: h, one replay step back in the same sample */
		if (write(t.fd, "h", 1) != 1)
			break;
		basev[n] = tty_read(&t, NULL, quiet, 10, &f, &l) ? (l - t0) * 1e3 : 0;
		n++;
	}
	tty_stop(&t);
	if (!n) {
		printf("n key-to-frame: no redraw seen\n");
		return;
	}
	double ml = median(lastv, n), mf = median(firstv, n), mb = median(basev, n);
	printf("n key-to-frame on %s, %d presses (medians, pty timestamps)\n", run, n);
	printf("  first byte of the redraw   %7.1f ms\n", mf);
	printf("  last byte of the redraw    %7.1f ms   (goal <= 30 ms)\n", ml);
	printf("  baseline: h (one step)     %7.1f ms   ratio %.2f\n", mb, mb > 0 ? ml / mb : 0);
	printf("ROW|n key-to-frame (demo run), ms|%.1f|h step %.1f|%.2f|<= 30 ms\n", ml, mb, mb > 0 ? ml / mb : 0);
	free(lastv);
	free(firstv);
	free(basev);
}

static double cat_time(const char *run)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/traces.jsonl", run);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	static char b[1 << 20];
	double t0 = now();
	while (read(fd, b, sizeof b) > 0)
		;
	close(fd);
	return now() - t0;
}

static void first_frame_rows(const char *bin, const char *run, int rounds)
{
	double ff[32], ct[32];
	int n = 0;
	for (int r = 0; r < rounds && r < 32; r++) {
		ct[n] = cat_time(run);
		tty t;
		double f, l, t0 = now();
		if (tty_start(&t, bin, run) != 0)
			break;
		int ok = tty_read(&t, "sample ", 0, 120, &f, &l);
		double dt = l - t0;
		tty_stop(&t);
		if (!ok || ct[n] < 0)
			break;
		ff[n++] = dt;
	}
	if (!n) {
		printf("first frame: %s did not open %s\n", bin, run);
		return;
	}
	double mf = median(ff, n), mc = median(ct, n);
	printf("first frame on %s, %d rounds (medians, page cache warm)\n", run, n);
	printf("  read the trace lines (cat) %7.3f s\n", mc);
	printf("  debugger first frame       %7.3f s   ratio %.2f (goal <= 0.5 s)\n", mf, mf / mc);
	printf("ROW|first frame, s|%.3f|cat %.3f|%.2f|<= 0.5 s\n", mf, mc, mf / mc);
}

int main(int argc, char **argv)
{
	const char *bin = "build/tailscope", *run = "sample_runs/lora-qkvo-r16", *ff = NULL;
	int presses = 11, rounds = 3;
	double quiet = 150;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--bin")) bin = argv[i + 1];
		else if (!strcmp(argv[i], "--run")) run = argv[i + 1];
		else if (!strcmp(argv[i], "--presses")) presses = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--quiet")) quiet = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--first-frame")) ff = argv[i + 1];
		else if (!strcmp(argv[i], "--rounds")) rounds = atoi(argv[i + 1]);
	}
	if (presses < 1 || rounds < 1 || quiet < 10)
		return 2;
	if (access(bin, X_OK) != 0) {
		printf("bench_tui: %s not built\n", bin);
		return 0;
	}
	if (ff) {
		first_frame_rows(bin, ff, rounds);
		return 0;
	}
	key_rows(bin, run, presses, quiet);
	return 0;
}
