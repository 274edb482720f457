/* test_render_image.c — image loading (caps, corrupt, truncated, wrong type,
 * oversized) and PNG output (round trip, atomic write).
 *
 * Fixtures are made at run time: PNGs with render_png_encode, JPEGs with a
 * tiny DC-only encoder below, broken ones by cutting or patching those bytes (with the
 * PNG CRC recomputed where a test wants the damage to get past the CRC).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STBI_NO_STDIO
#include <stb_image.h>

#include "render.h"

/* ---- fixtures ---- */

typedef struct buf {
	uint8_t *p;
	size_t len;
} buf;

static void buf_put(void *ctx, void *data, int size)
{
	buf *b = ctx;
	b->p = realloc(b->p, b->len + (size_t)size);
	assert_non_null(b->p);
	memcpy(b->p + b->len, data, (size_t)size);
	b->len += (size_t)size;
}

/* w x h gradient: R = x*4, G = y*4, B = 100, opaque */
static render_image *gradient(uint32_t w, uint32_t h)
{
	render_image *img = render_image_new(w, h);
	assert_non_null(img);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint8_t *p = img->rgba + ((size_t)y * w + x) * 4;
			p[0] = (uint8_t)(x * 4);
			p[1] = (uint8_t)(y * 4);
			p[2] = 100;
			p[3] = 255;
		}
	return img;
}

static buf make_png(uint32_t w, uint32_t h)
{
	render_image *img = gradient(w, h);
	buf b = {0};
	assert_int_equal(render_png_encode(img, &b.p, &b.len, NULL), TS_OK);
	render_image_free(img);
	return b;
}

/* A baseline greyscale JPEG written here (stb_image_write's JPEG encoder
 * shifts signed ints, which UBSan rejects).  Each 8x8 block is flat at
 * level(bx, by), so it only needs DC coefficients: quantisation 1, a DC
 * Huffman table giving category c the 4-bit code c (c = 0..11), an AC table
 * with just EOB = "0".  A flat block of level v has DC = 8 * (v - 128) and
 * decodes back to v exactly. */
static int jpeg_level(int bx, int by)
{
	return 10 + 40 * bx + 20 * by;
}

typedef struct bits {
	buf *b;
	uint32_t acc;
	int n;
} bits;

static void put_byte(buf *b, uint8_t v)
{
	buf_put(b, &v, 1);
}

static void put_bits(bits *w, uint32_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		w->acc = (w->acc << 1) | ((v >> i) & 1);
		if (++w->n == 8) {
			put_byte(w->b, (uint8_t)w->acc);
			if ((uint8_t)w->acc == 0xFF)
				put_byte(w->b, 0x00); /* byte stuffing */
			w->acc = 0;
			w->n = 0;
		}
	}
}

static buf make_jpeg(uint32_t w, uint32_t h)
{
	buf b = {0};
	static const uint8_t soi[] = {0xFF, 0xD8};
	buf_put(&b, (void *)soi, 2);
	uint8_t dqt[69] = {0xFF, 0xDB, 0x00, 67, 0x00};
	memset(dqt + 5, 1, 64);
	buf_put(&b, dqt, sizeof dqt);
	uint8_t sof[] = {0xFF, 0xC0, 0x00, 11, 8, (uint8_t)(h >> 8), (uint8_t)h,
	                 (uint8_t)(w >> 8), (uint8_t)w, 1, 1, 0x11, 0};
	buf_put(&b, sof, sizeof sof);
	/* DC: 12 codes of length 4, symbols 0..11 */
	uint8_t dht_dc[2 + 2 + 1 + 16 + 12] = {0xFF, 0xC4, 0x00, 2 + 1 + 16 + 12, 0x00};
	dht_dc[5 + 3] = 12;
	for (int i = 0; i < 12; i++)
		dht_dc[5 + 16 + i] = (uint8_t)i;
	buf_put(&b, dht_dc, sizeof dht_dc);
	/* AC: one code of length 1, symbol 0x00 (EOB) */
	uint8_t dht_ac[2 + 2 + 1 + 16 + 1] = {0xFF, 0xC4, 0x00, 2 + 1 + 16 + 1, 0x10};
	dht_ac[5 + 0] = 1;
	dht_ac[5 + 16] = 0x00;
	buf_put(&b, dht_ac, sizeof dht_ac);
	static const uint8_t sos[] = {0xFF, 0xDA, 0x00, 8, 1, 1, 0x00, 0, 63, 0};
	buf_put(&b, (void *)sos, sizeof sos);
	bits bw = {&b, 0, 0};
	int prev = 0;
	for (uint32_t by = 0; by < (h + 7) / 8; by++)
		for (uint32_t bx = 0; bx < (w + 7) / 8; bx++) {
			int dc = 8 * (jpeg_level((int)bx, (int)by) - 128);
			int diff = dc - prev;
			prev = dc;
			int mag = diff < 0 ? -diff : diff, cat = 0;
			while (mag >> cat)
				cat++;
			put_bits(&bw, (uint32_t)cat, 4);
			if (cat)
				put_bits(&bw, (uint32_t)(diff > 0 ? diff : diff + (1 << cat) - 1), cat);
			put_bits(&bw, 0, 1); /* EOB */
		}
	if (bw.n)
		put_bits(&bw, 0x7F, 8 - bw.n); /* pad with ones */
	static const uint8_t eoi[] = {0xFF, 0xD9};
	buf_put(&b, (void *)eoi, 2);
	return b;
}

static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
	/* bitwise CRC-32 (ISO-HDLC), as PNG uses */
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Offset of the first chunk of the given type (at its length field). */
static size_t png_chunk(const buf *b, const char *type)
{
	size_t pos = 8;
	while (pos + 8 <= b->len) {
		if (!memcmp(b->p + pos + 4, type, 4))
			return pos;
		pos += get_be32(b->p + pos) + 12;
	}
	fail_msg("no %s chunk", type);
	return 0;
}

static void png_fix_crc(buf *b, size_t chunk)
{
	uint32_t len = get_be32(b->p + chunk);
	put_be32(b->p + chunk + 8 + len, crc32_ref(b->p + chunk + 4, len + 4));
}

static ts_status load(const buf *b, const char *name, const render_limits *lim,
                      render_image **img, ts_error *err)
{
	return render_image_load_mem(b->p, b->len, name, lim, img, err);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* ---- loading good files ---- */

static void test_load_png_roundtrip(void **state)
{
	(void)state;
	buf b = make_png(37, 23);
	render_image *img = NULL;
	ts_error err;
	assert_int_equal(load(&b, "ok.png", NULL, &img, &err), TS_OK);
	assert_int_equal(img->w, 37);
	assert_int_equal(img->h, 23);
	assert_true(img->serial != 0);
	render_image *want = gradient(37, 23);
	assert_memory_equal(img->rgba, want->rgba, 37 * 23 * 4);
	render_image_free(want);
	render_image_free(img);
	free(b.p);
}

static void test_load_jpeg(void **state)
{
	(void)state;
	buf b = make_jpeg(40, 30);
	render_image *img = NULL;
	ts_error err;
	assert_int_equal(load(&b, "ok.jpg", NULL, &img, &err), TS_OK);
	assert_int_equal(img->w, 40);
	assert_int_equal(img->h, 30);
	/* flat blocks decode to their level (grey, opaque), +-1 for rounding:
	 * pixel (20,10) is in block (2,1): 10 + 80 + 20 = 110; (39,29) in
	 * block (4,3): 10 + 160 + 60 = 230; (0,0): 10 */
	static const int probe[3][3] = {{20, 10, 110}, {39, 29, 230}, {0, 0, 10}};
	for (int i = 0; i < 3; i++) {
		const uint8_t *p = img->rgba + (probe[i][1] * 40 + probe[i][0]) * 4;
		assert_in_range(p[0], probe[i][2] - 1, probe[i][2] + 1);
		assert_int_equal(p[0], p[1]);
		assert_int_equal(p[0], p[2]);
		assert_int_equal(p[3], 255);
	}
	render_image_free(img);

	/* trailing bytes after EOI are tolerated */
	b.p = realloc(b.p, b.len + 5);
	memcpy(b.p + b.len, "junk!", 5);
	b.len += 5;
	assert_int_equal(load(&b, "tail.jpg", NULL, &img, &err), TS_OK);
	render_image_free(img);
	free(b.p);
}

/* ---- bad files ---- */

static void test_wrong_type(void **state)
{
	(void)state;
	static const struct {
		const char *bytes;
		size_t len;
		const char *says;
	} t[] = {
		{"GIF89a\x01\x00\x01\x00\x00\x00\x00", 13, "GIF"},
		{"BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00", 12, "BMP"},
		{"RIFF\x10\x00\x00\x00WEBPVP8 ", 16, "WebP"},
		{"hello, world", 12, "not a PNG or JPEG"},
		{"\x89PNG\r\n", 6, "not a PNG or JPEG"}, /* too short for the signature */
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf b = {(uint8_t *)t[i].bytes, t[i].len};
		render_image *img = (render_image *)1;
		ts_error err;
		assert_int_equal(load(&b, "pics/x.img", NULL, &img, &err), TS_ERR_FORMAT);
		assert_null(img);
		assert_int_equal(err.code, TS_ERR_FORMAT);
		assert_contains(err.msg, "pics/x.img");
		assert_contains(err.msg, t[i].says);
	}
	ts_error err;
	render_image *img;
	buf empty = {(uint8_t *)"", 0};
	assert_int_equal(load(&empty, "empty.png", NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "empty.png");
}

static void test_png_truncated(void **state)
{
	(void)state;
	buf b = make_png(32, 32);
	size_t full = b.len;
	/* every cut, from inside the IHDR to just before the end of IEND */
	for (size_t cut = 9; cut < full; cut += (cut < 64 ? 1 : 7)) {
		b.len = cut;
		render_image *img = (render_image *)1;
		ts_error err;
		ts_status st = load(&b, "cut.png", NULL, &img, &err);
		assert_int_equal(st, TS_ERR_IMAGE);
		assert_null(img);
		assert_contains(err.msg, "cut.png");
	}
	b.len = full - 1;
	ts_error err;
	render_image *img;
	assert_int_equal(load(&b, "cut.png", NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "truncated PNG");
	free(b.p);
}

static void test_png_corrupt(void **state)
{
	(void)state;
	ts_error err;
	render_image *img;

	/* a flipped byte in the compressed data: the IDAT CRC no longer matches */
	buf b = make_png(32, 32);
	size_t idat = png_chunk(&b, "IDAT");
	b.p[idat + 8 + 10] ^= 0x55;
	assert_int_equal(load(&b, "flip.png", NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "flip.png");
	assert_contains(err.msg, "CRC mismatch in chunk IDAT");

	/* the same damage with the CRC fixed: the decoder itself must refuse
	 * (the message carries stb's reason in parentheses) -- the zlib stream is
	 * made invalid by setting its header to a reserved compression method */
	free(b.p);
	b = make_png(32, 32);
	idat = png_chunk(&b, "IDAT");
	b.p[idat + 8] = 0x0F; /* CMF: method 15 (reserved) */
	png_fix_crc(&b, idat);
	assert_int_equal(load(&b, "zlib.png", NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "zlib.png");
	assert_contains(err.msg, "cannot decode PNG (");

	/* first chunk not IHDR */
	free(b.p);
	b = make_png(8, 8);
	memcpy(b.p + 12, "IHDX", 4);
	assert_int_equal(load(&b, "hdr.png", NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "IHDR");

	/* a chunk length beyond the file */
	free(b.p);
	b = make_png(8, 8);
	idat = png_chunk(&b, "IDAT");
	put_be32(b.p + idat, 0x7FFFFF00u);
	assert_int_equal(load(&b, "len.png", NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "len.png");
	free(b.p);
}

/* A valid PNG whose IHDR claims w x h (CRC fixed, data for 1x1). */
static buf png_claiming(uint32_t w, uint32_t h)
{
	buf b = make_png(1, 1);
	put_be32(b.p + 16, w);
	put_be32(b.p + 20, h);
	png_fix_crc(&b, 8);
	return b;
}

static void test_png_oversized(void **state)
{
	(void)state;
	ts_error err;
	render_image *img = (render_image *)1;
	buf b = png_claiming(20000, 20000);
	assert_int_equal(load(&b, "huge.png", NULL, &img, &err), TS_ERR_LIMIT);
	assert_null(img);
	assert_contains(err.msg, "huge.png");
	assert_contains(err.msg, "20000x20000");
	assert_contains(err.msg, "8192"); /* default per-side limit */

	/* a caller's limit above stb's compiled-in 16384 is clamped to it */
	render_limits lim = {30000, 1ull << 40, 0};
	assert_int_equal(load(&b, "huge.png", &lim, &img, &err), TS_ERR_LIMIT);
	assert_contains(err.msg, "16384");
	free(b.p);

	/* within the side limit but over the pixel budget: 8000x8000 = 64 M > 40 M */
	b = png_claiming(8000, 8000);
	assert_int_equal(load(&b, "big.png", NULL, &img, &err), TS_ERR_LIMIT);
	assert_contains(err.msg, "64000000 pixels");
	assert_contains(err.msg, "40000000");
	free(b.p);

	/* caller caps on a real image: 16x16 = 256 pixels */
	b = make_png(16, 16);
	render_limits small = {0, 255, 0};
	assert_int_equal(load(&b, "s.png", &small, &img, &err), TS_ERR_LIMIT);
	small.max_pixels = 256;
	assert_int_equal(load(&b, "s.png", &small, &img, &err), TS_OK);
	render_image_free(img);
	render_limits side = {15, 0, 0};
	assert_int_equal(load(&b, "s.png", &side, &img, &err), TS_ERR_LIMIT);
	assert_contains(err.msg, "15 pixels per side");
	render_limits bytes = {0, 0, 10};
	assert_int_equal(load(&b, "s.png", &bytes, &img, &err), TS_ERR_LIMIT);
	assert_contains(err.msg, "limit of 10 bytes");
	/* zero size in the header */
	free(b.p);
	b = png_claiming(0, 5);
	assert_int_equal(load(&b, "zero.png", NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "zero.png");
	free(b.p);
}

/* Offset of the first SOF0/SOF2 segment (at its FF). */
static size_t jpeg_sof(const buf *b)
{
	for (size_t i = 2; i + 1 < b->len; i++)
		if (b->p[i] == 0xFF && (b->p[i + 1] == 0xC0 || b->p[i + 1] == 0xC2))
			return i;
	fail_msg("no SOF");
	return 0;
}

/* A scan bomb: the one scan of a 64x48 JPEG (SOS segment and its entropy
 * data) repeated until EOI.  101 scans: over the cap of 100, refused before
 * decoding; 40 scans of 64x48 are far under both caps and pass the check. */
static buf jpeg_with_scans(unsigned scans)
{
	buf one = make_jpeg(64, 48), b = {0};
	size_t sos = 0;
	for (size_t i = 2; i + 1 < one.len; i++)
		if (one.p[i] == 0xFF && one.p[i + 1] == 0xDA) {
			sos = i;
			break;
		}
	size_t eoi = one.len - 2;
	buf_put(&b, one.p, (int)sos);
	for (unsigned k = 0; k < scans; k++)
		buf_put(&b, one.p + sos, (int)(eoi - sos));
	buf_put(&b, one.p + eoi, 2);
	free(one.p);
	return b;
}

static void test_jpeg_scan_cap(void **state)
{
	(void)state;
	ts_error err;
	render_image *img = NULL;
	buf b = jpeg_with_scans(101);
	assert_int_equal(load(&b, "bomb.jpg", NULL, &img, &err), TS_ERR_LIMIT);
	assert_null(img);
	assert_contains(err.msg, "bomb.jpg: JPEG of 64x48 in 101 scans");
	assert_contains(err.msg, "refused before decoding");
	free(b.p);
	b = jpeg_with_scans(40);
	ts_status st = load(&b, "many.jpg", NULL, &img, &err);
	if (st != TS_OK)
		assert_null(strstr(err.msg, "scans")); /* whatever stb makes of it, not the cap */
	render_image_free(img);
	free(b.p);
}

static void test_jpeg_bad(void **state)
{
	(void)state;
	ts_error err;
	render_image *img = (render_image *)1;
	buf b = make_jpeg(64, 48);
	size_t full = b.len;

	/* truncated anywhere: no EOI, or a segment cut short */
	for (size_t cut = 3; cut < full; cut += (cut < 200 ? 1 : 13)) {
		b.len = cut;
		assert_int_equal(load(&b, "cut.jpg", NULL, &img, &err), TS_ERR_IMAGE);
		assert_null(img);
		assert_contains(err.msg, "cut.jpg");
	}
	b.len = full - 2; /* just the EOI missing */
	assert_int_equal(load(&b, "cut.jpg", NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "truncated JPEG");
	b.len = full;

	/* header claiming 20000x20000 */
	size_t sof = jpeg_sof(&b);
	uint8_t save[4];
	memcpy(save, b.p + sof + 5, 4);
	b.p[sof + 5] = 20000 >> 8; /* height */
	b.p[sof + 6] = 20000 & 0xFF;
	b.p[sof + 7] = 20000 >> 8; /* width */
	b.p[sof + 8] = 20000 & 0xFF;
	assert_int_equal(load(&b, "huge.jpg", NULL, &img, &err), TS_ERR_LIMIT);
	assert_contains(err.msg, "huge.jpg");
	assert_contains(err.msg, "20000x20000");
	memcpy(b.p + sof + 5, save, 4);

	/* a segment length of 1 (< 2) */
	b.p[sof + 2] = 0;
	b.p[sof + 3] = 1;
	assert_int_equal(load(&b, "seg.jpg", NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "seg.jpg");
	free(b.p);

	/* a scan that uses a Huffman table nobody defined (stb 2.27 would read
	 * uninitialised tables out of bounds; found by fuzzing): our encoder's
	 * AC table is class 1 id 0 (byte 0x10); relabel it id 1 */
	b = make_jpeg(16, 16);
	size_t k;
	for (k = 2; k + 4 < b.len; k++)
		if (b.p[k] == 0xFF && b.p[k + 1] == 0xC4 && b.p[k + 4] == 0x10)
			break;
	assert_true(k + 4 < b.len);
	b.p[k + 4] = 0x11;
	assert_int_equal(load(&b, "huff.jpg", NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "huff.jpg");
	assert_contains(err.msg, "Huffman table that is not defined");
	/* ...also when the scan claims to be DC-only (Se = 0): a sequential
	 * frame decodes whole blocks anyway (second libFuzzer find) */
	size_t sos;
	for (sos = 2; sos + 1 < b.len; sos++)
		if (b.p[sos] == 0xFF && b.p[sos + 1] == 0xDA)
			break;
	assert_int_equal(b.p[sos + 2 + 2 + 4], 63); /* Se of our one-component scan */
	b.p[sos + 2 + 2 + 4] = 0;
	assert_int_equal(load(&b, "huff.jpg", NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "Huffman table that is not defined");
	b.p[sos + 2 + 2 + 4] = 63;
	b.p[k + 4] = 0x10;
	assert_int_equal(load(&b, "huff.jpg", NULL, &img, &err), TS_OK);
	render_image_free(img);
	/* a quantisation table that is never defined */
	for (k = 2; k + 4 < b.len; k++)
		if (b.p[k] == 0xFF && b.p[k + 1] == 0xDB)
			break;
	b.p[k + 4] = 0x02; /* DQT now defines table 2; the frame uses table 0 */
	assert_int_equal(load(&b, "dqt.jpg", NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "quantisation table 0");
	free(b.p);

	/* SOI then garbage */
	static const uint8_t garbage[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 'a', 'b', 'x', 'y', 'z'};
	buf g = {(uint8_t *)garbage, sizeof garbage};
	assert_int_equal(load(&g, "garbage.jpg", NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "garbage.jpg");
}

/* ---- files ---- */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/ts_render_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	(void)state;
	DIR *d = opendir(tmpdir);
	if (d) {
		struct dirent *e;
		char p[512];
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(tmpdir);
	return 0;
}

static size_t count_files(void)
{
	size_t n = 0;
	DIR *d = opendir(tmpdir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}


static uint8_t *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = malloc((size_t)sz);
	assert_int_equal(fread(p, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	*n = (size_t)sz;
	return p;
}

static void test_load_files(void **state)
{
	(void)state;
	char path[256];
	ts_error err;
	render_image *img = (render_image *)1;

	snprintf(path, sizeof path, "%s/missing.png", tmpdir);
	assert_int_equal(render_image_load(path, NULL, &img, &err), TS_ERR_NOTFOUND);
	assert_null(img);
	assert_contains(err.msg, path);

	assert_int_equal(render_image_load(tmpdir, NULL, &img, &err), TS_ERR_IO);
	assert_contains(err.msg, "not a regular file");

	/* a FIFO must not hang the loader */
	snprintf(path, sizeof path, "%s/fifo.png", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(render_image_load(path, NULL, &img, &err), TS_ERR_IO);
	assert_contains(err.msg, "not a regular file");
	unlink(path);

	snprintf(path, sizeof path, "%s/empty.png", tmpdir);
	th_write_file(path, "", 0);
	assert_int_equal(render_image_load(path, NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, "empty.png");
	unlink(path);

	buf b = make_png(9, 7);
	snprintf(path, sizeof path, "%s/ok.png", tmpdir);
	th_write_file(path, b.p, b.len);
	assert_int_equal(render_image_load(path, NULL, &img, &err), TS_OK);
	assert_int_equal(img->w, 9);
	render_image_free(img);
	render_limits lim = {0, 0, (uint64_t)b.len - 1};
	assert_int_equal(render_image_load(path, &lim, &img, &err), TS_ERR_LIMIT);
	assert_contains(err.msg, path);
	unlink(path);

	snprintf(path, sizeof path, "%s/cut.png", tmpdir);
	th_write_file(path, b.p, b.len / 2);
	assert_int_equal(render_image_load(path, NULL, &img, &err), TS_ERR_IMAGE);
	assert_contains(err.msg, path);
	assert_contains(err.msg, "truncated");
	unlink(path);
	free(b.p);
}

static uint32_t pix(const uint8_t *rgba, int w, int x, int y)
{
	const uint8_t *p = rgba + ((size_t)y * w + x) * 4;
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static void test_png_write_roundtrip(void **state)
{
	(void)state;
	/* 64x48 grey, FP box (10,8)-(30,20) drawn at its own size: u = max(1,
	 * round(48/320)) = 1, so edges are 1 px: L=10, R=29, T=8, B=19. */
	render_image *img = render_image_new(64, 48);
	for (size_t i = 0; i < 64 * 48; i++) {
		img->rgba[i * 4 + 0] = img->rgba[i * 4 + 1] = img->rgba[i * 4 + 2] = 0x40;
		img->rgba[i * 4 + 3] = 255;
	}
	render_box b = {10, 8, 30, 20, BOX_FP, 0, 0, "cat", 0, 0, 0};
	render_draw_boxes(img, &b, 1, 1.0, 1.0);
	char path[256];
	snprintf(path, sizeof path, "%s/out.png", tmpdir);
	ts_error err;
	assert_int_equal(render_png_write(img, path, &err), TS_OK);
	assert_int_equal(count_files(), 1); /* no temp file left */

	size_t n;
	uint8_t *file = read_file(path, &n);
	int w, h, c;
	uint8_t *dec = stbi_load_from_memory(file, (int)n, &w, &h, &c, 4);
	assert_non_null(dec);
	assert_int_equal(w, 64);
	assert_int_equal(h, 48);
	assert_int_equal(pix(dec, w, 10, 8), 0xFF0000);
	assert_int_equal(pix(dec, w, 29, 19), 0xFF0000);
	assert_int_equal(pix(dec, w, 10, 15), 0xFF0000);
	assert_int_equal(pix(dec, w, 20, 19), 0xFF0000);
	assert_int_equal(pix(dec, w, 9, 15), 0x404040);
	assert_int_equal(pix(dec, w, 11, 15), 0x404040);
	assert_int_equal(pix(dec, w, 30, 15), 0x404040);
	assert_int_equal(pix(dec, w, 20, 20), 0x404040);
	assert_memory_equal(dec, img->rgba, 64 * 48 * 4);
	stbi_image_free(dec);
	free(file);

	/* overwrite in place (atomic rename over the old file) */
	assert_int_equal(render_png_write(img, path, &err), TS_OK);
	assert_int_equal(count_files(), 1);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));

	/* missing directory: error naming the path, nothing created */
	char bad[512];
	snprintf(bad, sizeof bad, "%s/nodir/out.png", tmpdir);
	assert_int_equal(render_png_write(img, bad, &err), TS_ERR_IO);
	assert_contains(err.msg, bad);
	assert_int_equal(count_files(), 1);
	unlink(path);

	/* count digits land in the pixels for PNGs: a DUP with count 7 (u = 1,
	 * 2 widths, 2 stack copies offset 2 and 4) keeps its lines; inside them,
	 * inner = max(2, 2*2+1) = 5, a black plate from (L+6, T+6) = (16, 14),
	 * glyphs of pixel size 2 from (18, 16): 'x' row 1 is 101, so pixels
	 * x = 18,19 and 22,23 at y = 18,19 are magenta, 20,21 black. */
	render_image *d = render_image_new(64, 48);
	render_box dup = {10, 8, 50, 40, BOX_DUP, 0, 7, NULL, 0, 0, 0};
	render_draw_boxes(d, &dup, 1, 1.0, 1.0);
	assert_int_equal(pix(d->rgba, 64, 16, 14), 0x000000);
	assert_int_equal(d->rgba[(14 * 64 + 16) * 4 + 3], 255); /* opaque plate */
	assert_int_equal(d->rgba[(13 * 64 + 16) * 4 + 3], 0);   /* above it: untouched */
	assert_int_equal(pix(d->rgba, 64, 18, 18), 0xFF00FF);
	assert_int_equal(pix(d->rgba, 64, 23, 19), 0xFF00FF);
	assert_int_equal(pix(d->rgba, 64, 20, 18), 0x000000);
	/* stroke and stack lines are not covered: columns 10,11 (main), 12
	 * (copy 1), 14 (copy 2) at row 20 */
	assert_int_equal(pix(d->rgba, 64, 11, 20), 0xFF00FF);
	assert_int_equal(pix(d->rgba, 64, 12, 20), 0xFF00FF);
	assert_int_equal(pix(d->rgba, 64, 14, 20), 0xFF00FF);
	assert_int_equal(d->rgba[(20 * 64 + 13) * 4 + 3], 0);
	render_image_free(d);
	render_image_free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_png_roundtrip),
		cmocka_unit_test(test_load_jpeg),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_png_truncated),
		cmocka_unit_test(test_png_corrupt),
		cmocka_unit_test(test_png_oversized),
		cmocka_unit_test(test_jpeg_bad),
		cmocka_unit_test(test_jpeg_scan_cap),
		cmocka_unit_test_setup_teardown(test_load_files, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_png_write_roundtrip, make_tmpdir, remove_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
