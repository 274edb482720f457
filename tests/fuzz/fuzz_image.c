/* fuzz_image — render_image_load_mem on arbitrary bytes, then box drawing.
 *
 * Input: byte 0 is a control byte, the rest is the file.  Bit 0 set: before
 * loading, every PNG chunk's CRC is recomputed (so mutations get past the
 * CRC check into stb_image; bit 0 clear fuzzes the container checks
 * themselves).  Bits 1-7 seed the boxes drawn on a decoded image.
 * Caps are lowered (2048 px per side, 4 Mpixel) so decoding stays fast; the
 * cap logic is the same code whatever the values.
 * Oracles besides ASan/UBSan: an error leaves *out NULL with a message; an
 * image has 1..2048 x 1..2048 pixels within 4 Mpixel and w*h*4 readable
 * bytes (touched); drawing boxes with huge, negative, NaN and infinite
 * coordinates stays inside the buffer; for images up to 64x64 a frame
 * rendered through chafa with labels made of the input's last bytes has
 * only narrow, printable characters in its cells (no control, C1, bidi or
 * zero-width code point, nothing wide) and fits the area asked for. */
#include <chafa.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "render.h"
#include "sanitize.h"

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Rewrites each chunk's CRC in place, as far as the chunk lengths allow. */
static void fix_png_crcs(uint8_t *b, size_t n)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
	if (n < 8 || memcmp(b, sig, 8))
		return;
	size_t pos = 8;
	while (pos + 12 <= n) {
		uint32_t len = be32(b + pos);
		if (len > n - pos - 12)
			return;
		uint32_t c = crc32_of(b + pos + 4, (size_t)len + 4);
		uint8_t *q = b + pos + 8 + len;
		q[0] = (uint8_t)(c >> 24);
		q[1] = (uint8_t)(c >> 16);
		q[2] = (uint8_t)(c >> 8);
		q[3] = (uint8_t)c;
		pos += 12 + (size_t)len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	if (!inited) {
		crc_init();
		/* no worker threads: their thread-local glib data showed up as
		 * sporadic 2 KB "leaks" and made runs depend on timing */
		chafa_set_n_threads(1);
		inited = 1;
	}
	if (size < 1)
		return 0;
	uint8_t ctl = data[0];
	size_t n = size - 1;
	uint8_t *buf = malloc(n ? n : 1);
	FZ_CHECK(buf, "oom");
	memcpy(buf, data + 1, n);
	if (ctl & 1)
		fix_png_crcs(buf, n);

	render_limits lim = { 2048, 4u << 20, 1u << 20 };
	render_image *img = (render_image *)0x1;
	ts_error err;
	ts_status st = render_image_load_mem(buf, n, "fuzz.img", &lim, &img, &err);
	free(buf);
	if (st != TS_OK) {
		FZ_CHECK(img == NULL, "error %d but an image was returned", (int)st);
		FZ_CHECK(err.code == st && err.msg[0], "error %d without a message", (int)st);
		return 0;
	}
	FZ_CHECK(img && img->rgba, "TS_OK without pixels");
	FZ_CHECK(img->w >= 1 && img->h >= 1 && img->w <= 2048 && img->h <= 2048 &&
	         (uint64_t)img->w * img->h <= (4u << 20), "image %ux%u over the caps", img->w, img->h);
	size_t bytes = (size_t)img->w * img->h * 4;
	volatile uint8_t sink = img->rgba[0] ^ img->rgba[bytes - 1];
	(void)sink;

	fz_rng rng;
	fz_rng_seed(&rng, &ctl, 1);
	static const double special[] = { 0.0, -1.0, 1e300, -1e300, NAN, INFINITY, -INFINITY, 0.5, 3.0 };
	render_box boxes[6];
	for (int i = 0; i < 6; i++) {
		double v[4];
		for (int k = 0; k < 4; k++) {
			uint32_t r = fz_rng_next(&rng);
			v[k] = (r & 3) == 0 ? special[(r >> 2) % 9] : (double)((r >> 2) % (2 * img->w + 8)) - 4.0;
		}
		boxes[i] = (render_box){ v[0], v[1], v[2], v[3], (box_style)(i % BOX_STYLE_COUNT), i == 0,
		                         (uint32_t)i, "x\x1b]0;t\x07", -0.25 * (double)i, i & 1, i == 3 };
	}
	render_draw_boxes(img, boxes, 6, 1.0, 1.0);
	render_draw_boxes(img, boxes, 6, 0.37, 2.5);
	render_stroke st2;
	render_stroke_for_cells(img->w, img->h, 7, 3, &st2);
	render_draw_boxes_ex(img, boxes, 6, 1.0, 1.0, &st2);

	/* small images: a whole frame through chafa with labels taken from the
	 * input's last bytes; every cell must be a narrow printable character */
	if ((uint64_t)img->w * img->h <= 64 * 64) {
		static render_cache *cache;
		if (!cache)
			cache = render_cache_new(4);
		char label[33];
		size_t ln = n < 32 ? n : 32;
		memcpy(label, data + size - ln, ln);
		label[ln] = '\0';
		for (int i = 0; i < 6; i++)
			boxes[i].label = i % 2 ? label : boxes[i].label;
		render_opts o;
		render_opts_default(&o);
		o.max_cols = 1 + ctl % 40;
		o.max_rows = 1 + (ctl >> 2) % 16;
		o.mode = (render_color_mode)(ctl % 5);
		o.work_factor = 0.0;
		render_grid *g = NULL;
		ts_status fs = render_frame(cache, img, boxes, 6, &o, &g, &err);
		if (fs == TS_OK) {
			FZ_CHECK(g && g->cols >= 1 && g->rows >= 1 && g->cols <= o.max_cols && g->rows <= o.max_rows,
			         "grid %dx%d for %dx%d", g ? g->cols : -1, g ? g->rows : -1, o.max_cols, o.max_rows);
			for (int i = 0; i < g->cols * g->rows; i++) {
				uint32_t ch = g->cells[i].ch;
				FZ_CHECK(!fz_forbidden_cp(ch) && ch != 0 && ch <= 0x10FFFF && !(ch >= 0xD800 && ch <= 0xDFFF),
				         "cell %d holds U+%04X", i, (unsigned)ch);
				FZ_CHECK(sanitize_cp_width(ch) == 1, "cell %d holds U+%04X of width %d", i, (unsigned)ch,
				         sanitize_cp_width(ch));
			}
			render_grid_free(g);
		}
	}
	render_image_free(img);
	return 0;
}
