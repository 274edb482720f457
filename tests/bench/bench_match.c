/* bench_match — ground truth loading and detection matching at scale.
 *
 * 1. Loading: a COCO file of --images images x --per-image annotations,
 *    each with a 16-point polygon (as real instances files have), is
 *    loaded in a fresh process (this binary re-run with --child) that
 *    reports its peak RSS before and after: the peak bytes per annotation,
 *    against cJSON parsing the same file (what gt.c did before).  Median
 *    load time of --rounds, against reading + cJSON-parsing the same file
 *    (interleaved, 3 rounds of it: it takes seconds).
 * 2. Matching, the COCO-like set: 100k detections over the images against
 *    their boxes, metrics_match_image against the O(D*G) loop
 *    (metrics_match_image_brute): TP/FP/FN must be identical.
 * 3. Matching, the hostile set: --big boxes on one image, --big-dets
 *    detections: the index against the plain loop on the first
 *    --brute-dets detections (the plain loop on all of them would take
 *    hours), per detection.
 *
 * usage: bench_match [--images N] [--per-image N] [--rounds N] [--big N]
 *                    [--big-dets N] [--brute-dets N] [--dir DIR]
 */
#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gt.h"
#include "metrics.h"

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

static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void write_gt(const char *path, size_t n_img, size_t per)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fprintf(f, "{\"info\": {\"description\": \"bench\"}, \"images\": [");
	for (size_t i = 0; i < n_img; i++)
		fprintf(f, "%s{\"id\": %zu, \"file_name\": \"%012zu.jpg\", \"width\": 640, \"height\": 480}",
		        i ? ", " : "", i + 1, i + 1);
	fprintf(f, "], \"categories\": [");
	for (int c = 0; c < 80; c++)
		fprintf(f, "%s{\"id\": %d, \"name\": \"class%d\", \"supercategory\": \"x\"}", c ? ", " : "", c + 1, c);
	fprintf(f, "], \"annotations\": [");
	size_t id = 1;
	rng = 12345;
	for (size_t i = 0; i < n_img; i++)
		for (size_t k = 0; k < per; k++, id++) {
			double x = rnd(560), y = rnd(400), w = 8 + rnd(72), h = 8 + rnd(72);
			fprintf(f, "%s{\"segmentation\": [[", id > 1 ? ", " : "");
			for (int p = 0; p < 16; p++)
				fprintf(f, "%s%.2f, %.2f", p ? ", " : "", x + rnd((uint32_t)w), y + rnd((uint32_t)h));
			fprintf(f, "]], \"area\": %.1f, \"iscrowd\": 0, \"image_id\": %zu, \"bbox\": [%.1f, %.1f, %.1f, %.1f], "
			           "\"category_id\": %u, \"id\": %zu}",
			        w * h * 0.7, i + 1, x, y, w, h, 1 + rnd(10), id);
		}
	fprintf(f, "]}\n");
	fclose(f);
}

/* --child MODE FILE: load, print "KB_BEFORE KB_AFTER N" */
static int child(const char *mode, const char *path)
{
	long before = maxrss_kb();
	size_t n = 0;
	if (!strcmp(mode, "gt")) {
		gt *g;
		ts_error e;
		if (gt_load(path, &g, NULL, &e) != TS_OK) {
			fprintf(stderr, "%s\n", e.msg);
			return 2;
		}
		n = gt_images(g)[gt_n_images(g) - 1].ann_first + gt_images(g)[gt_n_images(g) - 1].n_ann;
		printf("%ld %ld %zu\n", before, maxrss_kb(), n);
		gt_free(g);
		return 0;
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		return 2;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		return 2;
	fclose(f);
	cJSON *root = cJSON_ParseWithLength(buf, (size_t)len);
	n = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(root, "annotations"));
	printf("%ld %ld %zu\n", before, maxrss_kb(), n);
	cJSON_Delete(root);
	free(buf);
	return 0;
}

static double peak_per_ann(const char *self, const char *mode, const char *path)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' --child %s '%s'", self, mode, path);
	FILE *p = popen(cmd, "r");
	long a = 0, b = 0;
	size_t n = 0;
	if (!p || fscanf(p, "%ld %ld %zu", &a, &b, &n) != 3 || n == 0) {
		if (p)
			pclose(p);
		return -1;
	}
	pclose(p);
	return (double)(b - a) * 1024.0 / (double)n;
}

/* the old loader's way: the whole file read, then one cJSON tree */
static double cjson_load_once(const char *path)
{
	double t0 = now();
	FILE *f = fopen(path, "rb");
	if (!f)
		exit(2);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		exit(2);
	fclose(f);
	cJSON *root = cJSON_ParseWithLength(buf, (size_t)len);
	cJSON_Delete(root);
	free(buf);
	return now() - t0;
}

static void bench_load(const char *self, const char *path, int rounds, size_t n_ann)
{
	double t[32], t2[32], tc[32];
	int rc = rounds < 3 ? rounds : 3; /* the baseline takes seconds a round: 3 rounds of it */
	for (int r = 0; r < rounds; r++) { /* interleaved with the baseline */
		gt *g;
		ts_error e;
		double t0 = now();
		if (gt_load(path, &g, NULL, &e) != TS_OK) {
			fprintf(stderr, "%s\n", e.msg);
			exit(2);
		}
		t[r] = now() - t0;
		gt_free(g);
		t0 = now();
		if (gt_load_jobs(path, 2, &g, NULL, &e) != TS_OK) { /* the annotations' second half on a thread */
			fprintf(stderr, "%s\n", e.msg);
			exit(2);
		}
		t2[r] = now() - t0;
		gt_free(g);
		if (r < rc)
			tc[r] = cjson_load_once(path);
	}
	qsort(t, (size_t)rounds, sizeof *t, cmp_dbl);
	qsort(t2, (size_t)rounds, sizeof *t2, cmp_dbl);
	qsort(tc, (size_t)rc, sizeof *tc, cmp_dbl);
	double ours = peak_per_ann(self, "gt", path), cj = peak_per_ann(self, "cjson", path);
	printf("  gt load %zu annotations: median %.3f s (%.0f ns/annotation; goal <= 0.1 s); "
	       "cJSON tree of the file %.3f s (ratio %.2f)\n",
	       n_ann, t[rounds / 2], t[rounds / 2] * 1e9 / (double)n_ann, tc[rc / 2], t[rounds / 2] / tc[rc / 2]);
	printf("  gt peak memory per annotation: gt_load %.0f B (goal <= 150 B); cJSON tree of the file %.0f B (ratio %.2f)\n",
	       ours, cj, ours / cj);
	printf("ROW|gt load %zuk annotations, s|%.3f|cJSON tree %.3f|%.2f|<= 0.1 s\n", n_ann / 1000, t[rounds / 2],
	       tc[rc / 2], t[rounds / 2] / tc[rc / 2]);
	printf("ROW|gt peak memory, B/annotation|%.0f|cJSON tree %.0f|%.2f|<= 150 B\n", ours, cj, ours / cj);
	printf("  gt load with 2 threads (gt_load_jobs; files of 4 MiB and up): median %.3f s (ratio %.2f to one)\n",
	       t2[rounds / 2], t2[rounds / 2] / t[rounds / 2]);
	printf("ROW|gt load %zuk annotations, 2 threads, s|%.3f|one thread %.3f|%.2f|\n", n_ann / 1000,
	       t2[rounds / 2], t[rounds / 2], t2[rounds / 2] / t[rounds / 2]);
}

/* detections for every image: jittered copies of its boxes, duplicates, noise */
static size_t make_dets(const gt *g, const gt_image *im, metrics_det *d, size_t max)
{
	size_t n = 0;
	for (size_t k = 0; k < im->n_ann && n < max; k++) {
		const gt_ann *a = &gt_anns(g)[im->ann_first + k];
		double j = rnd(8);
		d[n].cat = rnd(4) ? a->cat : (int)rnd(10);
		d[n].point = 0;
		d[n].box[0] = a->bbox[0] + j;
		d[n].box[1] = a->bbox[1];
		d[n].box[2] = a->bbox[0] + a->bbox[2] + j;
		d[n].box[3] = a->bbox[1] + a->bbox[3];
		n++;
		if (rnd(3) == 0 && n < max) {
			d[n] = d[n - 1];
			n++;
		}
	}
	while (n < max) {
		double x = rnd(600), y = rnd(440);
		metrics_det e = { { x, y, x + 10 + rnd(60), y + 10 + rnd(60) }, (int)rnd(10), 0 };
		d[n++] = e;
	}
	return n;
}

static void bench_coco_match(const char *path, size_t per_image_dets)
{
	gt *g;
	ts_error e;
	if (gt_load(path, &g, NULL, &e) != TS_OK)
		exit(2);
	size_t ni = gt_n_images(g), nd = 0;
	metrics_det *d = malloc(per_image_dets * sizeof *d);
	metrics_counts ci = { 0, 0, 0 }, cb = { 0, 0, 0 };
	double ti = 0, tb = 0;
	rng = 777;
	for (size_t i = 0; i < ni; i++) {
		const gt_image *im = &gt_images(g)[i];
		size_t n = make_dets(g, im, d, per_image_dets);
		const gt_ann *an = gt_anns(g) + im->ann_first;
		for (int th = 0; th < 2; th++) {
			double t = th ? 0.5 : 0.3, t0 = now();
			metrics_match_image(d, n, an, im->n_ann, t, NULL, NULL, &ci);
			double t1 = now();
			metrics_match_image_brute(d, n, an, im->n_ann, t, NULL, NULL, &cb);
			ti += t1 - t0;
			tb += now() - t1;
		}
		nd += n;
	}
	printf("  match %zu detections / %zu images, IoU 0.3+0.5: %.3f s; O(D*G) loop %.3f s (ratio %.2f); "
	       "TP/FP/FN %zu/%zu/%zu %s\n",
	       nd, ni, ti, tb, ti / tb, ci.tp, ci.fp, ci.fn,
	       ci.tp == cb.tp && ci.fp == cb.fp && ci.fn == cb.fn ? "identical" : "DIFFERENT");
	printf("ROW|match %zuk detections, s|%.3f|O(D*G) loop %.3f|%.2f|\n", nd / 1000, ti, tb, ti / tb);
	free(d);
	gt_free(g);
}

static void bench_big(size_t ng, size_t nd, size_t nb)
{
	gt_ann *g = malloc(ng * sizeof *g);
	metrics_det *d = malloc(nd * sizeof *d);
	rng = 99;
	for (size_t i = 0; i < ng; i++) {
		gt_ann a = { (int64_t)i + 1, 1, 0, { 20.0 * (double)(i % 1000), 20.0 * (double)(i / 1000), 10, 10 }, 0 };
		g[i] = a;
	}
	for (size_t i = 0; i < nd; i++) {
		size_t c = rnd((uint32_t)ng);
		double x = 20.0 * (double)(c % 1000) + rnd(3), y = 20.0 * (double)(c / 1000) + rnd(3);
		metrics_det e = { { x, y, x + 10, y + 10 }, 0, 0 };
		d[i] = e;
	}
	metrics_counts ci = { 0, 0, 0 }, cb = { 0, 0, 0 }, cp = { 0, 0, 0 };
	double t0 = now();
	metrics_match_image(d, nd, g, ng, 0.5, NULL, NULL, &ci);
	double t1 = now();
	metrics_match_image(d, nb, g, ng, 0.5, NULL, NULL, &cp);
	double t2 = now();
	metrics_match_image_brute(d, nb, g, ng, 0.5, NULL, NULL, &cb);
	double t3 = now();
	double per_i = (t1 - t0) / (double)nd, per_b = (t3 - t2) / (double)nb;
	printf("  %zu boxes on one image, %zu detections: index %.3f s whole (%.2f us/detection); "
	       "O(D*G) loop %.1f us/detection (first %zu: counts %s) -> ratio %.5f; the loop on all would take ~%.0f s\n",
	       ng, nd, t1 - t0, per_i * 1e6, per_b * 1e6, nb,
	       cp.tp == cb.tp && cp.fp == cb.fp && cp.fn == cb.fn ? "identical" : "DIFFERENT", per_i / per_b,
	       per_b * (double)nd);
	printf("ROW|match, %zu boxes on one image, us/det|%.2f|O(D*G) loop %.1f|%.5f|\n", ng, per_i * 1e6, per_b * 1e6,
	       per_i / per_b);
	free(g);
	free(d);
}

int main(int argc, char **argv)
{
	size_t n_img = 5000, per = 15, big = 1000000, big_dets = 100000, brute_dets = 200;
	int rounds = 5;
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (argc == 4 && !strcmp(argv[1], "--child"))
		return child(argv[2], argv[3]);
	for (int i = 1; i + 1 < argc; i += 2) {
		size_t v = strtoul(argv[i + 1], NULL, 10);
		if (!strcmp(argv[i], "--images")) n_img = v;
		else if (!strcmp(argv[i], "--per-image")) per = v;
		else if (!strcmp(argv[i], "--rounds")) rounds = (int)(v < 1 ? 1 : v > 31 ? 31 : v);
		else if (!strcmp(argv[i], "--big")) big = v;
		else if (!strcmp(argv[i], "--big-dets")) big_dets = v;
		else if (!strcmp(argv[i], "--brute-dets")) brute_dets = v;
		else if (!strcmp(argv[i], "--dir")) dir = argv[i + 1];
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/bench_match_gt_%d.json", dir, (int)getpid());
	write_gt(path, n_img, per);
	printf("ground truth %zu images x %zu annotations (polygons):\n", n_img, per);
	bench_load(argv[0], path, rounds, n_img * per);
	bench_coco_match(path, 20);
	unlink(path);
	printf("hostile matching:\n");
	bench_big(big, big_dets, brute_dets < big_dets ? brute_dets : big_dets);
	return 0;
}
