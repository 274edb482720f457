/* bench_zindex — the debugger's index over a compressed traces file (issue 23).
 *
 * Generates (once, cached under $BUILD/bench-data) a JSONL of 1,500 samples x
 * 800 steps with 5 alternatives, and gzip and zstd copies of it (zlib/zstd
 * here), then times, alternating over N rounds:
 *   index build   trace_index_build on the plain / gzip / zstd file
 *   random loads  200 trace_index_load at random entries (seeded)
 * and prints the medians and the ratios against the plain file in the same
 * run.  The compressed index decompresses once into an unlinked temporary
 * file and loads seek there (analysis/trace_file.c), so loads should cost
 * about what they cost on the plain file (ratio ~1) and only the build pays
 * the decompression.
 *
 * usage: bench_zindex [--rounds N] [--dir DIR]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>

#include "trace.h"

#define SAMPLES 1500
#define STEPS 800
#define LOADS 200

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && sb.st_size > 0;
}

static int gen_plain(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	static const char *pieces[] = { "[", "{\\\"", "bbox", "_2d", "\\\":", " [", "12", ",", " ",
	                                "340", "],", " \\\"", "label", "\\\"}", "insulator" };
	unsigned r = 12345;
	for (int s = 0; s < SAMPLES; s++) {
		fprintf(f, "{\"image_id\":%d,\"finish_reason\":\"length\",\"tokens\":[", s + 1);
		for (int t = 0; t < STEPS; t++) {
			r = r * 1103515245u + 12345u;
			const char *p = pieces[(r >> 16) % 15];
			double lp = -(double)((r >> 8) % 3000) / 1000.0;
			fprintf(f, "%s{\"token\":\"%s\",\"logprob\":%.4f,\"top_logprobs\":[", t ? "," : "", p, lp);
			for (int a = 0; a < 5; a++)
				fprintf(f, "%s{\"token\":\"%s\",\"logprob\":%.4f}", a ? "," : "", pieces[a], lp - a);
			fputs("]}", f);
		}
		fputs("]}\n", f);
	}
	return fclose(f);
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *b = malloc(*n ? *n : 1);
	if (b && fread(b, 1, *n, f) != *n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static int gen_compressed(const char *plain, const char *gz, const char *zst)
{
	size_t n;
	unsigned char *b = slurp(plain, &n);
	if (!b)
		return -1;
	gzFile g = gzopen(gz, "wb6");
	int bad = !g || gzwrite(g, b, (unsigned)n) != (int)n || gzclose(g) != Z_OK;
	size_t cap = ZSTD_compressBound(n);
	void *z = malloc(cap);
	size_t zn = z ? ZSTD_compress(z, cap, b, n, 3) : 0;
	FILE *f = fopen(zst, "wb");
	bad |= !z || ZSTD_isError(zn) || !f || fwrite(z, 1, zn, f) != zn;
	if (f)
		bad |= fclose(f) != 0;
	free(z);
	free(b);
	return bad ? -1 : 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One round on path: build seconds and mean load seconds. */
static int round_on(const char *path, double *build, double *load)
{
	trace_limits lim;
	trace_limits_default(&lim);
	ts_error e;
	trace_index *ix;
	double t0 = now();
	if (trace_index_build(path, &lim, NULL, NULL, &ix, &e) != TS_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	double t1 = now();
	unsigned r = 777;
	size_t n = trace_index_count(ix);
	for (int i = 0; i < LOADS; i++) {
		r = r * 1103515245u + 12345u;
		trace *t;
		if (trace_index_load(ix, (r >> 8) % n, &t, &e) == TS_OK)
			trace_free(t);
	}
	double t2 = now();
	trace_index_free(ix);
	*build = t1 - t0;
	*load = (t2 - t1) / LOADS;
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = 5;
	const char *dir = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--rounds"))
			rounds = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
	}
	if (rounds < 1 || rounds > 99)
		rounds = 5;
	char d[512], p[3][600];
	snprintf(d, sizeof d, "%s", dir ? dir : getenv("BUILD") ? getenv("BUILD") : "build");
	if (!dir)
		strncat(d, "/bench-data", sizeof d - strlen(d) - 1);
	mkdir(d, 0755);
	const char *names[3] = { "zindex.jsonl", "zindex.jsonl.gz", "zindex.jsonl.zst" };
	for (int k = 0; k < 3; k++)
		snprintf(p[k], sizeof p[k], "%s/%s", d, names[k]);
	if ((!exists(p[0]) && gen_plain(p[0])) ||
	    ((!exists(p[1]) || !exists(p[2])) && gen_compressed(p[0], p[1], p[2]))) {
		fprintf(stderr, "bench_zindex: cannot write the data under %s\n", d);
		return 1;
	}
	double b[3][99], l[3][99];
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < 3; k++)
			if (round_on(p[k], &b[k][r], &l[k][r]))
				return 1;
	double mb[3], ml[3];
	for (int k = 0; k < 3; k++) {
		qsort(b[k], (size_t)rounds, sizeof(double), cmp_d);
		qsort(l[k], (size_t)rounds, sizeof(double), cmp_d);
		mb[k] = b[k][rounds / 2];
		ml[k] = l[k][rounds / 2];
	}
	printf("index over %d samples x %d steps, medians of %d rounds (%d random loads each)\n",
	       SAMPLES, STEPS, rounds, LOADS);
	static const char *kind[3] = { "plain", "gzip", "zstd" };
	for (int k = 0; k < 3; k++)
		printf("  %-5s build %.3f s (x%.2f plain)   load %.3f ms (x%.2f plain)\n", kind[k], mb[k],
		       mb[k] / mb[0], ml[k] * 1e3, ml[k] / ml[0]);
	for (int k = 1; k < 3; k++)
		printf("ROW|index build, %s, s|%.3f|plain %.3f|%.2f|\n", kind[k], mb[k], mb[0], mb[k] / mb[0]);
	return 0;
}
