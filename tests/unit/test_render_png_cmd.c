/* test_render_png_cmd.c — `tailscope png` end to end (cmd_png in process).
 *
 * A run directory is written at run time:
 *   images/a.png  64x48 grey #404040
 *   gt.json       image 7 "a.png" 64x48; "cat" anns [10,8,20,12] (x1..x2 =
 *                 10..30, y 8..20) and [40,30,10,10] (40..50, 30..40)
 *   run.json      coords xyxy (boxes in plain pixels)
 *   traces.jsonl  image 7, cut at the token limit:
 *                   0 cat (10,8)-(30,20)   -> TP of ann 1 (IoU 1)
 *                   1 dog (2,30)-(20,44)   -> FP (no "dog" category)
 *                   2,3 the same dog       -> exact duplicates (x3 in all)
 *                   4 cat (45,2)-(60,12)   -> FP
 *                 ann 2 is matched by nothing -> missed (yellow)
 * At 64x48 render_stroke_for_size gives u = 1: 1 px lines, dashes 6, dots 2.
 * Box edges (render.h): L = floor(x1), R = ceil(x2) - 1, same for rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STBI_NO_STDIO
#include <stb_image.h>

#include "commands.h"
#include "render.h"

#define GREY 0x404040u
#define CYAN 0x00FFFFu
#define RED 0xFF0000u
#define GREEN 0x00FF00u
#define YELLOW 0xFFFF00u
#define MAGENTA 0xFF00FFu
#define DIM 0x808080u

static char dir[64];
static char path[512];

static const char *at(const char *name)
{
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static void write_text(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char gt_json[] =
	"{\"images\": [{\"id\": 7, \"file_name\": \"a.png\", \"width\": 64, \"height\": 48}],\n"
	" \"categories\": [{\"id\": 1, \"name\": \"cat\"}],\n"
	" \"annotations\": [\n"
	"  {\"id\": 1, \"image_id\": 7, \"category_id\": 1, \"bbox\": [10, 8, 20, 12], \"iscrowd\": 0},\n"
	"  {\"id\": 2, \"image_id\": 7, \"category_id\": 1, \"bbox\": [40, 30, 10, 10], \"iscrowd\": 0}]}\n";

static const char traces[] =
	"{\"image_id\": 7, \"finish_reason\": \"length\", \"text\": \"[{\\\"bbox_2d\\\": [10, 8, 30, 20], "
	"\\\"label\\\": \\\"cat\\\"}, {\\\"bbox_2d\\\": [2, 30, 20, 44], \\\"label\\\": \\\"dog\\\"}, "
	"{\\\"bbox_2d\\\": [2, 30, 20, 44], \\\"label\\\": \\\"dog\\\"}, {\\\"bbox_2d\\\": [2, 30, 20, 44], "
	"\\\"label\\\": \\\"dog\\\"}, {\\\"bbox_2d\\\": [45, 2, 60, 12], \\\"label\\\": \\\"cat\\\"}, {\\\"bb\"}\n"
	"{\"image_id\": 8, \"finish_reason\": \"stop\", \"text\": \"[]\"}\n";

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/ts_pngcmd_XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	char sub[600];
	snprintf(sub, sizeof sub, "%s/images", dir);
	if (mkdir(sub, 0777) != 0)
		return -1;
	render_image *img = render_image_new(64, 48);
	for (size_t i = 0; i < 64 * 48; i++) {
		img->rgba[i * 4 + 0] = img->rgba[i * 4 + 1] = img->rgba[i * 4 + 2] = 0x40;
		img->rgba[i * 4 + 3] = 255;
	}
	ts_error err;
	if (render_png_write(img, at("images/a.png"), &err) != TS_OK)
		return -1;
	render_image_free(img);
	write_text("gt.json", gt_json);
	write_text("run.json", "{\"name\": \"t\", \"coords\": \"xyxy\"}\n");
	write_text("traces.jsonl", traces);
	return 0;
}

static void rm_tree(const char *d)
{
	DIR *dd = opendir(d);
	if (!dd)
		return;
	struct dirent *e;
	char p[1024];
	while ((e = readdir(dd))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%s", d, e->d_name);
		struct stat sb;
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	closedir(dd);
	rmdir(d);
}

static int teardown(void **state)
{
	(void)state;
	rm_tree(dir);
	return 0;
}

/* Runs cmd_png with stderr captured into *errtext (static buffer). */
static char errtext[4096];

static int run_png(int argc, const char **argv)
{
	fflush(stderr);
	fflush(stdout);
	int saved_err = dup(2), saved_out = dup(1);
	int fd = open(at("stderr.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int null = open("/dev/null", O_WRONLY);
	assert_true(fd >= 0 && null >= 0);
	dup2(fd, 2);
	dup2(null, 1);
	int rc = cmd_png(argc, (char **)argv);
	fflush(stderr);
	fflush(stdout);
	dup2(saved_err, 2);
	dup2(saved_out, 1);
	close(saved_err);
	close(saved_out);
	close(fd);
	close(null);
	FILE *f = fopen(at("stderr.txt"), "r");
	size_t n = fread(errtext, 1, sizeof errtext - 1, f);
	errtext[n] = '\0';
	fclose(f);
	unlink(at("stderr.txt"));
	return rc;
}

static uint8_t *decode(const char *file, int *w, int *h)
{
	FILE *f = fopen(file, "rb");
	assert_non_null(f);
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	int c;
	uint8_t *px = stbi_load_from_memory(buf, (int)n, w, h, &c, 4);
	assert_non_null(px);
	return px;
}

static uint32_t pix(const uint8_t *rgba, int w, int x, int y)
{
	const uint8_t *p = rgba + ((size_t)y * w + x) * 4;
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static int exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

static void test_png_policy_off(void **state)
{
	(void)state;
	char out[600];
	snprintf(out, sizeof out, "%s/out.png", dir);
	const char *argv[] = {"png", dir, "--sample", "7", "-o", out};
	assert_int_equal(run_png(6, argv), 0);
	int w, h;
	uint8_t *p = decode(out, &w, &h);
	assert_int_equal(w, 64);
	assert_int_equal(h, 48);
	/* TP cat: L=10, R=29, T=8, B=19, cyan inside edges */
	assert_int_equal(pix(p, w, 10, 14), CYAN);
	assert_int_equal(pix(p, w, 29, 14), CYAN);
	assert_int_equal(pix(p, w, 20, 8), CYAN);
	assert_int_equal(pix(p, w, 20, 19), CYAN);
	assert_int_equal(pix(p, w, 11, 14), GREY);
	/* its ground truth, matched: green dashed one pixel outside; column 9 is
	 * on where y/6 is even (12..17), row 7 where x/6 is even (12..17) */
	assert_int_equal(pix(p, w, 9, 14), GREEN);
	assert_int_equal(pix(p, w, 9, 10), GREY);
	assert_int_equal(pix(p, w, 14, 7), GREEN);
	assert_int_equal(pix(p, w, 10, 7), GREY);
	/* the missed annotation (40,30)-(50,40): L=40, yellow at column 39 where
	 * y/6 is even: rows 36..40 */
	assert_int_equal(pix(p, w, 39, 37), YELLOW);
	assert_int_equal(pix(p, w, 39, 33), GREY);
	/* dog x3 (L=2, R=19, T=30): magenta, 2 px inside (columns 2,3; rows
	 * 30,31), stack copy 1 offset 2 (columns 4 and 21, rows 32..45), copy 2
	 * offset 4 (top row 34).  Row 33 crosses only vertical lines: */
	assert_int_equal(pix(p, w, 2, 33), MAGENTA);
	assert_int_equal(pix(p, w, 3, 33), MAGENTA);
	assert_int_equal(pix(p, w, 4, 33), MAGENTA);
	assert_int_equal(pix(p, w, 5, 33), GREY);
	assert_int_equal(pix(p, w, 19, 33), MAGENTA);
	assert_int_equal(pix(p, w, 20, 33), GREY);
	assert_int_equal(pix(p, w, 21, 33), MAGENTA);
	assert_int_equal(pix(p, w, 22, 33), GREY);
	assert_int_equal(pix(p, w, 20, 34), MAGENTA); /* copy 2's top edge */
	/* FP cat (45,2)-(60,12): L=45, R=59, T=2 */
	assert_int_equal(pix(p, w, 45, 6), RED);
	assert_int_equal(pix(p, w, 59, 6), RED);
	assert_int_equal(pix(p, w, 52, 2), RED);
	assert_int_equal(pix(p, w, 0, 0), GREY);
	stbi_image_free(p);
	unlink(out);
}

static void test_png_repeat_stop(void **state)
{
	(void)state;
	char out[600];
	snprintf(out, sizeof out, "%s/stop.png", dir);
	const char *argv[] = {"png", "--policy", "repeat_stop", dir, "--sample", "7", "-o", out};
	assert_int_equal(run_png(8, argv), 0);
	int w, h;
	uint8_t *p = decode(out, &w, &h);
	/* repeat_stop keeps records 0 and 1: the dog is a single FP now (red,
	 * 1 px); its two copies the stop cut (records 2, 3) are drawn over it as
	 * CUT x2: grey dots on its left column where y/2 is even (36 on, 38 off:
	 * red shows), one stack copy offset 2 px (column 4, same dots) */
	assert_int_equal(pix(p, w, 2, 36), DIM);
	assert_int_equal(pix(p, w, 2, 38), RED);
	assert_int_equal(pix(p, w, 3, 36), GREY);
	assert_int_equal(pix(p, w, 4, 36), DIM);
	assert_int_equal(pix(p, w, 4, 38), GREY);
	/* record 4 was cut: grey dotted, top row 2 on where x/2 is even (44,45),
	 * off at 46,47; left column 45 on where y/2 is even (4,5), off at 6 */
	assert_int_equal(pix(p, w, 45, 2), DIM);
	assert_int_equal(pix(p, w, 46, 2), GREY);
	assert_int_equal(pix(p, w, 48, 2), DIM);
	assert_int_equal(pix(p, w, 45, 4), DIM);
	assert_int_equal(pix(p, w, 45, 6), GREY);
	/* the TP is unchanged */
	assert_int_equal(pix(p, w, 10, 14), CYAN);
	stbi_image_free(p);
	unlink(out);
}

static void test_png_errors(void **state)
{
	(void)state;
	char out[600];
	snprintf(out, sizeof out, "%s/bad.png", dir);

	/* unknown sample */
	const char *a1[] = {"png", dir, "--sample", "99", "-o", out};
	assert_int_equal(run_png(6, a1), 2);
	assert_non_null(strstr(errtext, "sample '99' not found"));
	assert_false(exists(out));

	/* sample 8 has no file_name in gt (not in gt at all) and none in the
	 * trace: told to use --image */
	const char *a2[] = {"png", dir, "--sample", "8", "-o", out};
	assert_int_equal(run_png(6, a2), 2);
	assert_non_null(strstr(errtext, "--image"));
	assert_false(exists(out));

	/* bad usage */
	const char *a3[] = {"png", dir, "--sample", "7"};
	assert_int_equal(run_png(4, a3), 2);
	assert_non_null(strstr(errtext, "missing -o"));
	const char *a4[] = {"png", dir, "--policy", "sometimes", "--sample", "7", "-o", out};
	assert_int_equal(run_png(8, a4), 2);
	assert_false(exists(out));

	/* truncated image: message naming it, exit 2, no output file */
	char img[600], saved[600];
	snprintf(img, sizeof img, "%s/images/a.png", dir);
	snprintf(saved, sizeof saved, "%s/a.png.saved", dir);
	assert_int_equal(rename(img, saved), 0);
	{
		FILE *in = fopen(saved, "rb");
		FILE *o = fopen(img, "wb");
		char b[4096];
		size_t n = fread(b, 1, sizeof b, in);
		fwrite(b, 1, n / 2, o);
		fclose(in);
		fclose(o);
	}
	const char *a5[] = {"png", dir, "--sample", "7", "-o", out};
	assert_int_equal(run_png(6, a5), 2);
	assert_non_null(strstr(errtext, img));
	assert_non_null(strstr(errtext, "truncated"));
	assert_false(exists(out));

	/* corrupt: not an image at all */
	write_text("images/a.png", "GIF89a.....");
	assert_int_equal(run_png(6, a5), 2);
	assert_non_null(strstr(errtext, img));
	assert_non_null(strstr(errtext, "GIF"));
	assert_false(exists(out));

	/* missing */
	unlink(img);
	assert_int_equal(run_png(6, a5), 2);
	assert_non_null(strstr(errtext, img));
	assert_false(exists(out));

	/* --image points at the saved good copy: works again */
	const char *a6[] = {"png", dir, "--sample", "7", "--image", saved, "-o", out};
	assert_int_equal(run_png(8, a6), 0);
	assert_true(exists(out));
	unlink(out);
	assert_int_equal(rename(saved, img), 0);
}

static void test_png_scaled_gt_size(void **state)
{
	(void)state;
	/* The ground truth says 128x96 while the file is 64x48: boxes are in
	 * ground-truth pixels and are scaled by 0.5 onto the image, which is
	 * written at its own size.  TP (10,8)-(30,20) at 0.5 -> (5,4)-(15,10):
	 * L=5, R=14, T=4, B=9. */
	char big[sizeof gt_json + 16];
	const char *w64 = strstr(gt_json, "\"width\": 64, \"height\": 48");
	assert_non_null(w64);
	size_t pre = (size_t)(w64 - gt_json);
	memcpy(big, gt_json, pre);
	strcpy(big + pre, "\"width\": 128, \"height\": 96");
	strcat(big, w64 + strlen("\"width\": 64, \"height\": 48"));
	write_text("gt.json", big);
	char out[600];
	snprintf(out, sizeof out, "%s/half.png", dir);
	const char *argv[] = {"png", dir, "--sample", "7", "-o", out};
	assert_int_equal(run_png(6, argv), 0);
	int w, h;
	uint8_t *p = decode(out, &w, &h);
	assert_int_equal(w, 64);
	assert_int_equal(h, 48);
	assert_int_equal(pix(p, w, 5, 7), CYAN);
	assert_int_equal(pix(p, w, 14, 7), CYAN);
	assert_int_equal(pix(p, w, 10, 4), CYAN);
	assert_int_equal(pix(p, w, 6, 7), GREY);
	stbi_image_free(p);
	unlink(out);
	write_text("gt.json", gt_json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png_policy_off),
		cmocka_unit_test(test_png_repeat_stop),
		cmocka_unit_test(test_png_errors),
		cmocka_unit_test(test_png_scaled_gt_size),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
