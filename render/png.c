/* png.c — PNG encoding (stb_image_write) and atomic file output. */
#include "render.h"
#include "fdio.h"
#include "fsafe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

typedef struct membuf {
	uint8_t *p;
	size_t len, cap;
	int failed;
} membuf;

static void membuf_put(void *ctx, void *data, int size)
{
	membuf *m = ctx;
	if (m->failed || size <= 0)
		return;
	if (m->len + (size_t)size > m->cap) {
		size_t cap = m->cap ? m->cap : 65536;
		while (cap < m->len + (size_t)size)
			cap *= 2;
		uint8_t *p = realloc(m->p, cap);
		if (!p) {
			m->failed = 1;
			return;
		}
		m->p = p;
		m->cap = cap;
	}
	memcpy(m->p + m->len, data, (size_t)size);
	m->len += (size_t)size;
}

ts_status render_png_encode(const render_image *img, uint8_t **buf, size_t *len, ts_error *err)
{
	if (!buf || !len)
		return ts_error_set(err, TS_ERR_USAGE, "png: no output buffer");
	*buf = NULL;
	*len = 0;
	if (!img || !img->rgba || img->w == 0 || img->h == 0)
		return ts_error_set(err, TS_ERR_USAGE, "png: no image");
	if (img->w > (uint32_t)INT_MAX / 4 || img->h > (uint32_t)INT_MAX ||
	    (uint64_t)img->w * 4 * img->h > (uint64_t)INT_MAX / 2)
		return ts_error_set(err, TS_ERR_LIMIT, "png: image %ux%u too large to encode",
		                    img->w, img->h);
	membuf m = {0};
	int ok = stbi_write_png_to_func(membuf_put, &m, (int)img->w, (int)img->h, 4, img->rgba,
	                                (int)img->w * 4);
	if (!ok || m.failed || m.len == 0) {
		free(m.p);
		return ts_error_set(err, TS_ERR_NOMEM, "png: encoding a %ux%u image failed (out of memory)",
		                    img->w, img->h);
	}
	*buf = m.p;
	*len = m.len;
	return TS_OK;
}

static void fsync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd); /* best effort: some file systems refuse */
		close(fd);
	}
	free(dir);
}

ts_status render_png_write(const render_image *img, const char *path, ts_error *err)
{
	if (!path || !path[0])
		return ts_error_set(err, TS_ERR_USAGE, "png: no output path");
	/* never onto an input of this command (traces, gt, run.json, the image) */
	if (fsafe_check_output(path, err) != TS_OK)
		return TS_ERR_USAGE;
	uint8_t *buf;
	size_t len;
	ts_status st = render_png_encode(img, &buf, &len, err);
	if (st != TS_OK)
		return st;

	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	if (!tmp) {
		free(buf);
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory", path);
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", 12);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		free(buf);
		return ts_error_set(err, TS_ERR_IO, "%s: cannot create a temporary file next to it: %s",
		                    path, strerror(e));
	}
	const char *what = NULL;
	int e = 0;
	mode_t um = umask(0); /* read the umask (tailscope is single-threaded) */
	umask(um);
	if (fchmod(fd, 0666 & ~um) != 0) {
		what = "chmod";
		e = errno;
	} else if (fdio_write_all(fd, buf, len) != 0) {
		what = "write";
		e = errno;
	} else if (fsync(fd) != 0) {
		what = "fsync";
		e = errno;
	}
	if (close(fd) != 0 && !what) {
		what = "close";
		e = errno;
	}
	if (!what && rename(tmp, path) != 0) {
		what = "rename";
		e = errno;
	}
	free(buf);
	if (what) {
		unlink(tmp);
		free(tmp);
		return ts_error_set(err, TS_ERR_IO, "%s: %s failed: %s", path, what, strerror(e));
	}
	free(tmp);
	fsync_dir_of(path);
	return TS_OK;
}

/* ---- caption and legend strip (exports for slides) ---- */

#include "plot.h"

/* what each style means, for the legend (render.h describes the looks) */
static const char *const legend_text[BOX_STYLE_COUNT] = {
	[BOX_GT] = "ground truth", [BOX_MISS] = "missed (FN)", [BOX_TP] = "TP", [BOX_FP] = "FP",
	[BOX_PRED] = "prediction", [BOX_DUP] = "duplicate xN", [BOX_CUT] = "cut by policy",
};

const char *render_style_meaning(box_style s)
{
	return (unsigned)s < BOX_STYLE_COUNT ? legend_text[s] : "?";
}

static void fill(render_image *img, uint32_t y0, uint32_t y1, uint32_t rgb)
{
	for (uint32_t y = y0; y < y1 && y < img->h; y++)
		for (uint32_t x = 0; x < img->w; x++) {
			uint8_t *p = img->rgba + ((size_t)y * img->w + x) * 4;
			p[0] = (uint8_t)(rgb >> 16);
			p[1] = (uint8_t)(rgb >> 8);
			p[2] = (uint8_t)rgb;
			p[3] = 255;
		}
}

/* Lines of caption that fit `per` characters (breaks at spaces when it can). */
static int wrap_lines(const char *s, size_t per, size_t starts[], size_t lens[], int max)
{
	size_t n = strlen(s), at = 0;
	int k = 0;
	while (at < n && k < max) {
		size_t len = n - at;
		if (len > per) {
			len = per;
			for (size_t b = per; b > per / 2; b--)
				if (s[at + b] == ' ') {
					len = b;
					break;
				}
		}
		starts[k] = at;
		lens[k++] = len;
		at += len;
		while (at < n && s[at] == ' ')
			at++;
	}
	return k;
}

/* A legend item's width: its swatch (sw), a gap, the text (adv a
 * character) and a gap of three characters. */
static int legend_item_w(const char *text, int sw, int sc, int adv)
{
	return sw + sc * 3 + (int)strlen(text) * adv + 3 * adv;
}

/* Legend items flow in rows: an item wdt wide starts a new row (at pad) when
 * it would pass the image's right edge and is not the row's first; its place
 * into *ix, *irow (0-based), *x and *rows move on. */
static void legend_flow(int wdt, int pad, uint32_t img_w, int *x, int *rows, int *ix, int *irow)
{
	if (*x > pad && *x + wdt > (int)img_w) {
		(*rows)++;
		*x = pad;
	}
	*ix = *x;
	*irow = *rows - 1;
	*x += wdt;
}

ts_status render_caption_add(const render_image *img, const char *caption, int legend,
                             render_image **out, ts_error *err)
{
	*out = NULL;
	if (!img || !img->rgba || img->w == 0 || img->h == 0)
		return ts_error_set(err, TS_ERR_USAGE, "caption: no image");
	/* text at 100%: 7-pixel glyphs scaled so a line is >= 14 pixels and
	 * about 1/60 of the width */
	int sc = (int)(img->w / 480);
	if (sc < 2)
		sc = 2;
	int adv = 6 * sc, lh = 9 * sc, pad = 2 * sc;
	size_t per = img->w > (uint32_t)(2 * pad + adv) ? (img->w - 2 * (uint32_t)pad) / (uint32_t)adv : 1;
	size_t st[8], ln[8];
	int nl = caption && caption[0] ? wrap_lines(caption, per, st, ln, 8) : 0;
	/* legend: items "[box] text" laid out in rows */
	int sw = 3 * lh, item_x[BOX_STYLE_COUNT], item_row[BOX_STYLE_COUNT], rows = 0, x = pad;
	if (legend) {
		rows = 1;
		for (int s = 0; s < BOX_STYLE_COUNT; s++)
			legend_flow(legend_item_w(legend_text[s], sw, sc, adv), pad, img->w, &x, &rows,
			            &item_x[s], &item_row[s]);
	}
	int legend_h = rows * (lh + 2 * sc);
	uint32_t strip = (uint32_t)(nl * lh + legend_h + 2 * pad);
	if (nl == 0 && rows == 0) {
		*out = render_image_copy(img);
		return *out ? TS_OK : ts_error_set(err, TS_ERR_NOMEM, "caption: out of memory");
	}
	if (img->h > 16384 - strip)
		return ts_error_set(err, TS_ERR_LIMIT, "caption: image too tall (%u)", img->h);
	render_image *o = render_image_new(img->w, img->h + strip);
	if (!o)
		return ts_error_set(err, TS_ERR_NOMEM, "caption: out of memory for %ux%u", img->w,
		                    img->h + strip);
	memcpy(o->rgba, img->rgba, (size_t)img->w * img->h * 4);
	fill(o, img->h, o->h, 0x101010);
	int y = (int)img->h + pad;
	for (int k = 0; k < nl; k++, y += lh) {
		char line[600];
		snprintf(line, sizeof line, "%.*s", (int)(ln[k] < 590 ? ln[k] : 590), caption + st[k]);
		plot_draw_text(o, pad, y + sc, line, sc, 0xFFFFFF);
	}
	render_stroke stk = {sc, sc, 3 * sc, 3 * sc, sc, sc, 0};
	for (int s = 0; s < BOX_STYLE_COUNT && legend; s++) {
		int ly = y + item_row[s] * (lh + 2 * sc) + sc;
		render_box b = {item_x[s] + 2.0 * sc, ly + 0.0, item_x[s] + sw - 2.0 * sc, ly + lh - 2.0 * sc,
		                (box_style)s, 0, s == BOX_DUP ? 2u : 1u, NULL, 0, 0, 0};
		render_draw_boxes_ex(o, &b, 1, 1.0, 1.0, &stk);
		plot_draw_text(o, item_x[s] + sw + 3 * sc, ly, legend_text[s], sc, 0xE0E0E0);
	}
	render_image_touch(o);
	*out = o;
	return TS_OK;
}

/* ---- several runs on one image: run -> style, and its legend ---- */

box_style render_run_style(size_t k)
{
	static const box_style run_styles[RENDER_RUN_STYLES] = {
		BOX_PRED, BOX_FP, BOX_TP, BOX_DUP, BOX_MISS, BOX_CUT,
	};
	return k < RENDER_RUN_STYLES ? run_styles[k] : BOX_STYLE_COUNT;
}

/* An ASCII copy of s in at most 40 characters ("~" marks a cut one). */
static void legend_name(const char *s, char *out, size_t sz)
{
	size_t k = 0, n = s ? strlen(s) : 0;
	for (size_t i = 0; i < n && k + 1 < sz; i++)
		out[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[k] = '\0';
	if (k > 40) {
		out[39] = '~';
		out[40] = '\0';
	}
}

ts_status render_runs_legend_add(const render_image *img, const char *const *names, size_t n,
                                 int with_gt, render_image **out, ts_error *err)
{
	*out = NULL;
	if (!img || !img->rgba || img->w == 0 || img->h == 0)
		return ts_error_set(err, TS_ERR_USAGE, "legend: no image");
	if (n > RENDER_RUN_STYLES)
		return ts_error_set(err, TS_ERR_USAGE, "legend: %zu runs (at most %d, one box style each)",
		                    n, RENDER_RUN_STYLES);
	int sc = (int)(img->w / 480);
	if (sc < 2)
		sc = 2;
	int adv = 6 * sc, lh = 9 * sc, pad = 2 * sc, sw = 3 * lh;
	size_t items = n + (with_gt ? 1 : 0);
	char text[RENDER_RUN_STYLES + 1][64];
	box_style st[RENDER_RUN_STYLES + 1];
	int ix[RENDER_RUN_STYLES + 1], irow[RENDER_RUN_STYLES + 1], rows = items ? 1 : 0, x = pad;
	for (size_t i = 0; i < items; i++) {
		size_t k = with_gt ? i - 1 : i;
		if (with_gt && i == 0) {
			snprintf(text[i], sizeof text[i], "ground truth");
			st[i] = BOX_GT;
		} else {
			legend_name(names ? names[k] : NULL, text[i], sizeof text[i]);
			st[i] = render_run_style(k);
		}
		int fit = ((int)img->w - pad - sw - 3 * sc) / adv; /* characters on a row of its own */
		if (fit < 1)
			fit = 1;
		if ((int)strlen(text[i]) > fit) { /* visibly cut */
			text[i][fit - 1] = '~';
			text[i][fit] = '\0';
		}
		legend_flow(legend_item_w(text[i], sw, sc, adv), pad, img->w, &x, &rows, &ix[i], &irow[i]);
	}
	uint32_t strip = (uint32_t)(rows * (lh + 2 * sc) + 2 * pad);
	if (img->h > 16384 - strip)
		return ts_error_set(err, TS_ERR_LIMIT, "legend: image too tall (%u)", img->h);
	render_image *o = render_image_new(img->w, img->h + strip);
	if (!o)
		return ts_error_set(err, TS_ERR_NOMEM, "legend: out of memory");
	memcpy(o->rgba, img->rgba, (size_t)img->w * img->h * 4);
	fill(o, img->h, o->h, 0x101010);
	render_stroke stk = {sc, sc, 3 * sc, 3 * sc, sc, sc, 0};
	for (size_t i = 0; i < items; i++) {
		int ly = (int)img->h + pad + irow[i] * (lh + 2 * sc) + sc;
		render_box b = {ix[i] + 2.0 * sc, ly + 0.0, ix[i] + sw - 2.0 * sc, ly + lh - 2.0 * sc,
		                st[i], 0, 1u, NULL, 0, 0, 0};
		render_draw_boxes_ex(o, &b, 1, 1.0, 1.0, &stk);
		plot_draw_text(o, ix[i] + sw + 3 * sc, ly, text[i], sc, 0xE0E0E0);
	}
	render_image_touch(o);
	*out = o;
	return TS_OK;
}
