/* image.c — loading PNG/JPEG files defensively, and image buffers.
 *
 * stb_image (Debian 12: v2.27) is not hardened against hostile files, so
 * before it sees a byte we check: regular file, size cap, magic bytes, the
 * container structure (PNG chunk lengths, critical-chunk CRCs and IEND;
 * JPEG marker segments and EOI) and the dimensions in the header.  stb's own
 * stbi_info runs next, and only then the decoder.
 */
#include "render.h"
#include "fsafe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STBI_NO_STDIO
#include <stb_image.h>

#define STB_HARD_MAX_DIM 16384u /* STBI_MAX_DIMENSIONS in stb_impl.c */

void render_limits_default(render_limits *lim)
{
	lim->max_dim = 8192;
	lim->max_pixels = 40ull * 1000 * 1000;
	lim->max_file_bytes = 64ull << 20;
}

static void limits_effective(const render_limits *in, render_limits *out)
{
	render_limits_default(out);
	if (in) {
		if (in->max_dim)
			out->max_dim = in->max_dim;
		if (in->max_pixels)
			out->max_pixels = in->max_pixels;
		if (in->max_file_bytes)
			out->max_file_bytes = in->max_file_bytes;
	}
	if (out->max_dim > STB_HARD_MAX_DIM)
		out->max_dim = STB_HARD_MAX_DIM;
	if (out->max_file_bytes > INT_MAX)
		out->max_file_bytes = INT_MAX;
}

/* ---- image buffers ---- */

static atomic_uint_fast64_t serial_counter = 1;

static uint64_t next_serial(void)
{
	return (uint64_t)atomic_fetch_add(&serial_counter, 1);
}

static render_image *image_wrap(uint32_t w, uint32_t h, uint8_t *rgba)
{
	render_image *img = malloc(sizeof *img);
	if (!img)
		return NULL;
	img->w = w;
	img->h = h;
	img->rgba = rgba;
	img->serial = next_serial();
	return img;
}

render_image *render_image_new(uint32_t w, uint32_t h)
{
	if (w == 0 || h == 0 || (uint64_t)w * h > SIZE_MAX / 4)
		return NULL;
	uint8_t *px = calloc((size_t)w * h, 4);
	if (!px)
		return NULL;
	render_image *img = image_wrap(w, h, px);
	if (!img)
		free(px);
	return img;
}

render_image *render_image_copy(const render_image *src)
{
	if (!src || !src->rgba)
		return NULL;
	render_image *img = render_image_new(src->w, src->h);
	if (img)
		memcpy(img->rgba, src->rgba, (size_t)src->w * src->h * 4);
	return img;
}

void render_image_touch(render_image *img)
{
	if (img)
		img->serial = next_serial();
}

void render_image_free(render_image *img)
{
	if (!img)
		return;
	free(img->rgba); /* stb's buffers too: STBI_MALLOC/STBI_FREE are malloc/free */
	free(img);
}

/* ---- container checks ---- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t crc_table[256];
static int crc_ready;

static void crc_init(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
	crc_ready = 1;
}

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
	if (!crc_ready)
		crc_init();
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

static int is_alpha(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Walks the chunks; sets *w, *h from IHDR. */
static ts_status png_check(const uint8_t *b, size_t len, const char *name,
                           uint32_t *w, uint32_t *h, ts_error *err)
{
	size_t pos = 8;
	int seen_ihdr = 0, seen_idat = 0;
	for (;;) {
		if (len - pos < 12)
			return ts_error_set(err, TS_ERR_IMAGE,
			                    "%s: truncated PNG (ends at byte %zu without an IEND chunk)",
			                    name, len);
		uint32_t clen = be32(b + pos);
		const uint8_t *type = b + pos + 4;
		char tname[5];
		for (int i = 0; i < 4; i++)
			tname[i] = is_alpha(type[i]) ? (char)type[i] : '?';
		tname[4] = '\0';
		if (!is_alpha(type[0]) || !is_alpha(type[1]) || !is_alpha(type[2]) || !is_alpha(type[3]))
			return ts_error_set(err, TS_ERR_IMAGE,
			                    "%s: corrupt PNG (bad chunk type at byte %zu)", name, pos + 4);
		if (clen > 0x7FFFFFFFu)
			return ts_error_set(err, TS_ERR_IMAGE,
			                    "%s: corrupt PNG (chunk %s at byte %zu has length %u)",
			                    name, tname, pos, clen);
		if ((size_t)clen > len - pos - 12)
			return ts_error_set(err, TS_ERR_IMAGE,
			                    "%s: truncated PNG (chunk %s at byte %zu needs %u bytes, file ends at %zu)",
			                    name, tname, pos, clen + 12, len);
		if (!seen_ihdr) {
			if (memcmp(type, "IHDR", 4) != 0 || clen != 13)
				return ts_error_set(err, TS_ERR_IMAGE,
				                    "%s: corrupt PNG (first chunk is not a valid IHDR)", name);
			*w = be32(b + pos + 8);
			*h = be32(b + pos + 12);
			seen_ihdr = 1;
		}
		int critical = type[0] >= 'A' && type[0] <= 'Z';
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
		critical = 0; /* let a fuzzer reach the decoder without forging CRCs */
#endif
		if (critical) {
			uint32_t want = be32(b + pos + 8 + clen);
			uint32_t got = crc32_png(type, (size_t)clen + 4);
			if (want != got)
				return ts_error_set(err, TS_ERR_IMAGE,
				                    "%s: corrupt PNG (CRC mismatch in chunk %s at byte %zu)",
				                    name, tname, pos);
		}
		if (!memcmp(type, "IDAT", 4))
			seen_idat = 1;
		pos += (size_t)clen + 12;
		if (!memcmp(type, "IEND", 4))
			break;
	}
	if (!seen_idat)
		return ts_error_set(err, TS_ERR_IMAGE, "%s: corrupt PNG (no IDAT chunk)", name);
	return TS_OK;
}

/* Table bookkeeping for jpeg_check: which Huffman (DC/AC) and quantisation
 * tables a scan may use.  stb_image 2.27 decodes with whatever memory an
 * undefined Huffman table holds (an out-of-bounds read found by fuzzing), so
 * every scan must only name tables defined before it. */
typedef struct jpeg_tables {
	uint8_t dc[4], ac[4], q[4];
	int progressive; /* SOF2: scans use DC or AC tables; else both, always */
	int n_comp;
	uint8_t comp_id[4], comp_q[4];
} jpeg_tables;

static ts_status jpeg_dht(const uint8_t *p, size_t n, jpeg_tables *t, const char *name,
                          ts_error *err)
{
	size_t q = 0;
	while (q < n) {
		if (n - q < 17)
			return ts_error_set(err, TS_ERR_IMAGE, "%s: corrupt JPEG (short Huffman table)", name);
		unsigned tc = p[q] >> 4, th = p[q] & 15;
		size_t total = 0;
		for (int i = 1; i <= 16; i++)
			total += p[q + i];
		if (tc > 1 || th > 3 || total > 256 || total > n - q - 17)
			return ts_error_set(err, TS_ERR_IMAGE, "%s: corrupt JPEG (bad Huffman table %02X)",
			                    name, p[q]);
		if (tc == 0)
			t->dc[th] = 1;
		else
			t->ac[th] = 1;
		q += 17 + total;
	}
	return TS_OK;
}

static ts_status jpeg_dqt(const uint8_t *p, size_t n, jpeg_tables *t, const char *name,
                          ts_error *err)
{
	size_t q = 0;
	while (q < n) {
		unsigned pq = p[q] >> 4, tq = p[q] & 15;
		size_t sz = pq ? 128 : 64;
		if (pq > 1 || tq > 3 || n - q - 1 < sz)
			return ts_error_set(err, TS_ERR_IMAGE,
			                    "%s: corrupt JPEG (bad quantisation table %02X)", name, p[q]);
		t->q[tq] = 1;
		q += 1 + sz;
	}
	return TS_OK;
}

static ts_status jpeg_sof(const uint8_t *p, size_t n, jpeg_tables *t, const char *name,
                          ts_error *err)
{
	/* P, Y(2), X(2), Nf, Nf x (C, HV, Tq) */
	if (n < 6 || p[5] < 1 || p[5] > 4 || n < 6 + 3u * p[5])
		return ts_error_set(err, TS_ERR_IMAGE, "%s: corrupt JPEG (bad frame header)", name);
	t->n_comp = p[5];
	for (int i = 0; i < t->n_comp; i++) {
		t->comp_id[i] = p[6 + 3 * i];
		t->comp_q[i] = p[6 + 3 * i + 2];
		if (t->comp_q[i] > 3)
			return ts_error_set(err, TS_ERR_IMAGE,
			                    "%s: corrupt JPEG (component %u uses quantisation table %u)",
			                    name, t->comp_id[i], t->comp_q[i]);
	}
	return TS_OK;
}

static ts_status jpeg_sos(const uint8_t *p, size_t n, const jpeg_tables *t, const char *name,
                          ts_error *err)
{
	/* Ns, Ns x (Cs, Td<<4 | Ta), Ss, Se, Ah<<4 | Al */
	if (n < 1 || p[0] < 1 || p[0] > 4 || n != 4 + 2u * p[0])
		return ts_error_set(err, TS_ERR_IMAGE, "%s: corrupt JPEG (bad scan header)", name);
	unsigned ns = p[0], ss = p[1 + 2 * ns], se = p[2 + 2 * ns], ah = p[3 + 2 * ns] >> 4;
	for (unsigned i = 0; i < ns; i++) {
		unsigned cs = p[1 + 2 * i], td = p[2 + 2 * i] >> 4, ta = p[2 + 2 * i] & 15;
		int k = -1;
		for (int c = 0; c < t->n_comp; c++)
			if (t->comp_id[c] == cs)
				k = c;
		if (k < 0)
			return ts_error_set(err, TS_ERR_IMAGE,
			                    "%s: corrupt JPEG (scan names unknown component %u)", name, cs);
		if (!t->q[t->comp_q[k]])
			return ts_error_set(err, TS_ERR_IMAGE,
			                    "%s: corrupt JPEG (quantisation table %u used before it is defined)",
			                    name, t->comp_q[k]);
		/* sequential frames decode whole blocks (stb ignores Ss/Se there) */
		int need_dc = !t->progressive || (ss == 0 && ah == 0);
		int need_ac = !t->progressive || se > 0;
		if ((need_dc && (td > 3 || !t->dc[td])) || (need_ac && (ta > 3 || !t->ac[ta])))
			return ts_error_set(err, TS_ERR_IMAGE,
			                    "%s: corrupt JPEG (scan uses a Huffman table that is not defined)",
			                    name);
	}
	return TS_OK;
}

/* jpeg_check's walk through the marker segments. */
typedef struct jpeg_walk {
	const uint8_t *b;
	size_t len, pos;
	const char *name;
	jpeg_tables tab;
	int seen_sof, seen_sos;
	uint32_t *w, *h;
	unsigned *scans;
} jpeg_walk;

/* The next marker (after its fill bytes) into *m. */
static ts_status jpeg_marker(jpeg_walk *j, uint8_t *m, ts_error *err)
{
	for (;;) {
		if (j->pos >= j->len)
			return ts_error_set(err, TS_ERR_IMAGE,
			                    "%s: truncated JPEG (ends at byte %zu without an end-of-image marker)",
			                    j->name, j->len);
		if (j->b[j->pos] != 0xFF)
			return ts_error_set(err, TS_ERR_IMAGE,
			                    "%s: corrupt JPEG (no marker at byte %zu)", j->name, j->pos);
		while (j->pos < j->len && j->b[j->pos] == 0xFF) /* fill bytes */
			j->pos++;
		if (j->pos < j->len) {
			*m = j->b[j->pos++];
			return TS_OK;
		}
	}
}

/* The length of marker m's segment at j->pos (2 bytes, counting themselves),
 * checked against the file's end. */
static ts_status jpeg_segment_len(const jpeg_walk *j, uint8_t m, uint32_t *slen, ts_error *err)
{
	if (j->len - j->pos < 2)
		return ts_error_set(err, TS_ERR_IMAGE,
		                    "%s: truncated JPEG (segment %02X at byte %zu cut short)",
		                    j->name, m, j->pos - 2);
	*slen = be16(j->b + j->pos);
	if (*slen < 2)
		return ts_error_set(err, TS_ERR_IMAGE,
		                    "%s: corrupt JPEG (segment %02X at byte %zu has length %u)",
		                    j->name, m, j->pos - 2, *slen);
	if (*slen > j->len - j->pos)
		return ts_error_set(err, TS_ERR_IMAGE,
		                    "%s: truncated JPEG (segment %02X at byte %zu needs %u bytes, file ends at %zu)",
		                    j->name, m, j->pos - 2, *slen, j->len);
	return TS_OK;
}

/* A frame header (the first sets the size and the components), Huffman or
 * quantisation tables; other segments are passed over. */
static ts_status jpeg_segment(jpeg_walk *j, uint8_t m, const uint8_t *seg, size_t n,
                              ts_error *err)
{
	int is_sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
	if (is_sof) {
		if (n < 6)
			return ts_error_set(err, TS_ERR_IMAGE, "%s: corrupt JPEG (short frame header)", j->name);
		if (!j->seen_sof) {
			*j->h = be16(seg + 1);
			*j->w = be16(seg + 3);
			j->tab.progressive = m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE;
			ts_status st = jpeg_sof(seg, n, &j->tab, j->name, err);
			if (st != TS_OK)
				return st;
		}
		j->seen_sof = 1;
	} else if (m == 0xC4) {
		return jpeg_dht(seg, n, &j->tab, j->name, err);
	} else if (m == 0xDB) {
		return jpeg_dqt(seg, n, &j->tab, j->name, err);
	}
	return TS_OK;
}

/* A scan (its header seg, n bytes, already passed): checked against the
 * frame and tables, counted, and its entropy-coded data passed over up to
 * the next marker (or the file's end). */
static ts_status jpeg_scan(jpeg_walk *j, const uint8_t *seg, size_t n, ts_error *err)
{
	if (!j->seen_sof)
		return ts_error_set(err, TS_ERR_IMAGE, "%s: corrupt JPEG (scan before the frame header)",
		                    j->name);
	ts_status st = jpeg_sos(seg, n, &j->tab, j->name, err);
	if (st != TS_OK)
		return st;
	j->seen_sos = 1;
	++*j->scans;
	const uint8_t *b = j->b;
	for (;;) {
		if (j->len - j->pos < 2) {
			j->pos = j->len;
			break;
		}
		if (b[j->pos] != 0xFF) {
			j->pos++;
			continue;
		}
		uint8_t nx = b[j->pos + 1];
		if (nx == 0x00 || (nx >= 0xD0 && nx <= 0xD7))
			j->pos += 2; /* stuffed byte, restart marker */
		else if (nx == 0xFF)
			j->pos++;
		else
			break; /* a marker: back to segment parsing */
	}
	return TS_OK;
}

/* Walks the marker segments through to EOI; sets *w, *h from the SOF and
 * *scans to the number of scans. */
static ts_status jpeg_check(const uint8_t *b, size_t len, const char *name,
                            uint32_t *w, uint32_t *h, unsigned *scans, ts_error *err)
{
	jpeg_walk j;
	memset(&j, 0, sizeof j);
	j.b = b;
	j.len = len;
	j.pos = 2; /* after SOI */
	j.name = name;
	j.w = w;
	j.h = h;
	j.scans = scans;
	*scans = 0;
	for (;;) {
		uint8_t m = 0;
		ts_status st = jpeg_marker(&j, &m, err);
		if (st != TS_OK)
			return st;
		if (m == 0xD9) { /* EOI */
			if (!j.seen_sof || !j.seen_sos)
				return ts_error_set(err, TS_ERR_IMAGE,
				                    "%s: corrupt JPEG (end-of-image before any scan)", name);
			return TS_OK;
		}
		if (m == 0x00 || m == 0xD8)
			return ts_error_set(err, TS_ERR_IMAGE,
			                    "%s: corrupt JPEG (unexpected marker %02X at byte %zu)",
			                    name, m, j.pos - 1);
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue; /* standalone markers */
		uint32_t slen = 0;
		if ((st = jpeg_segment_len(&j, m, &slen, err)) != TS_OK)
			return st;
		const uint8_t *seg = b + j.pos + 2;
		size_t n = slen - 2;
		if ((st = jpeg_segment(&j, m, seg, n, err)) != TS_OK)
			return st;
		j.pos += slen;
		if (m == 0xDA && (st = jpeg_scan(&j, seg, n, err)) != TS_OK) /* SOS */
			return st;
	}
}

static const char *other_format(const uint8_t *b, size_t len)
{
	if (len >= 4 && !memcmp(b, "GIF8", 4))
		return "a GIF image";
	if (len >= 2 && b[0] == 'B' && b[1] == 'M')
		return "a BMP image";
	if (len >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "WEBP", 4))
		return "a WebP image";
	if (len >= 4 && (!memcmp(b, "II*\0", 4) || !memcmp(b, "MM\0*", 4)))
		return "a TIFF image";
	if (len >= 12 && !memcmp(b + 4, "ftyp", 4))
		return "an ISO media file (HEIF/AVIF/MP4)";
	if (len >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '7')
		return "a PNM image";
	if (len >= 5 && !memcmp(b, "<?xml", 5))
		return "an XML/SVG file";
	return NULL;
}

static ts_status check_dims(const char *name, uint32_t w, uint32_t h,
                            const render_limits *lim, ts_error *err)
{
	if (w == 0 || h == 0)
		return ts_error_set(err, TS_ERR_IMAGE, "%s: corrupt image (size %ux%u)", name, w, h);
	if (w > lim->max_dim || h > lim->max_dim)
		return ts_error_set(err, TS_ERR_LIMIT,
		                    "%s: image is %ux%u, over the limit of %u pixels per side",
		                    name, w, h, lim->max_dim);
	if ((uint64_t)w * h > lim->max_pixels)
		return ts_error_set(err, TS_ERR_LIMIT,
		                    "%s: image is %ux%u = %llu pixels, over the limit of %llu pixels",
		                    name, w, h, (unsigned long long)w * h,
		                    (unsigned long long)lim->max_pixels);
	return TS_OK;
}

/* Decoding work of a JPEG: every scan is a pass over the whole image (a
 * progressive "scan bomb" of many empty scans took 25 s at 8192x4880).  Real
 * progressive files have about 10 scans. */
#define JPEG_MAX_SCANS 100
#define JPEG_MAX_SCAN_PIXELS 1200000000ull /* scans x pixels: 30 scans at 40 Mpx */

static ts_status check_scans(const char *name, uint32_t w, uint32_t h, unsigned scans, ts_error *err)
{
	uint64_t work = (uint64_t)scans * w * h;
	if (scans > JPEG_MAX_SCANS || work > JPEG_MAX_SCAN_PIXELS)
		return ts_error_set(err, TS_ERR_LIMIT,
		                    "%s: JPEG of %ux%u in %u scans: more decoding work than the cap "
		                    "(%d scans, %llu scan pixels); refused before decoding",
		                    name, w, h, scans, JPEG_MAX_SCANS, JPEG_MAX_SCAN_PIXELS);
	return TS_OK;
}

ts_status render_image_load_mem(const uint8_t *buf, size_t len, const char *name,
                                const render_limits *lim_in, render_image **out,
                                ts_error *err)
{
	render_limits lim;
	limits_effective(lim_in, &lim);
	if (out)
		*out = NULL;
	if (!name)
		name = "(image)";
	if (!buf || !out)
		return ts_error_set(err, TS_ERR_USAGE, "%s: no image data", name);
	if (len == 0)
		return ts_error_set(err, TS_ERR_IMAGE, "%s: empty file", name);
	if (len > lim.max_file_bytes)
		return ts_error_set(err, TS_ERR_LIMIT,
		                    "%s: file is %zu bytes, over the limit of %llu bytes", name,
		                    len, (unsigned long long)lim.max_file_bytes);

	uint32_t hw = 0, hh = 0;
	unsigned scans = 0;
	const char *kind;
	ts_status st;
	if (len >= 8 && !memcmp(buf, png_sig, 8)) {
		kind = "PNG";
		st = png_check(buf, len, name, &hw, &hh, err);
	} else if (len >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF) {
		kind = "JPEG";
		st = jpeg_check(buf, len, name, &hw, &hh, &scans, err);
	} else {
		const char *other = other_format(buf, len);
		if (other)
			return ts_error_set(err, TS_ERR_FORMAT,
			                    "%s: %s; only PNG and JPEG are supported", name, other);
		return ts_error_set(err, TS_ERR_FORMAT,
		                    "%s: not a PNG or JPEG file (unknown magic bytes)", name);
	}
	if (st != TS_OK)
		return st;
	if ((st = check_dims(name, hw, hh, &lim, err)) != TS_OK)
		return st;
	if ((st = check_scans(name, hw, hh, scans, err)) != TS_OK)
		return st;

	int w = 0, h = 0, comp = 0;
	if (!stbi_info_from_memory(buf, (int)len, &w, &h, &comp)) {
		const char *why = stbi_failure_reason();
		return ts_error_set(err, TS_ERR_IMAGE, "%s: corrupt %s (%s)", name, kind,
		                    why ? why : "unreadable header");
	}
	if (w <= 0 || h <= 0)
		return ts_error_set(err, TS_ERR_IMAGE, "%s: corrupt %s (size %dx%d)", name, kind, w, h);
	if ((st = check_dims(name, (uint32_t)w, (uint32_t)h, &lim, err)) != TS_OK)
		return st;

	int dw = 0, dh = 0, dc = 0;
	uint8_t *px = stbi_load_from_memory(buf, (int)len, &dw, &dh, &dc, 4);
	if (!px) {
		const char *why = stbi_failure_reason();
		if (why && !strcmp(why, "outofmem"))
			return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory decoding %dx%d %s",
			                    name, w, h, kind);
		return ts_error_set(err, TS_ERR_IMAGE, "%s: cannot decode %s (%s)", name, kind,
		                    why ? why : "unknown error");
	}
	if (dw != w || dh != h) {
		stbi_image_free(px);
		return ts_error_set(err, TS_ERR_IMAGE, "%s: corrupt %s (size changed while decoding)",
		                    name, kind);
	}
	render_image *img = image_wrap((uint32_t)w, (uint32_t)h, px);
	if (!img) {
		stbi_image_free(px);
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory", name);
	}
	*out = img;
	return TS_OK;
}

ts_status render_image_load(const char *path, const render_limits *lim_in,
                            render_image **out, ts_error *err)
{
	render_limits lim;
	limits_effective(lim_in, &lim);
	if (out)
		*out = NULL;
	if (!path || !out)
		return ts_error_set(err, TS_ERR_USAGE, "no image path");
	struct stat sb;
	int fd = fsafe_open_input(path, &sb, err); /* a regular file or refused, never a hang */
	if (fd < 0)
		return err ? err->code : TS_ERR_IO;
	if (sb.st_size <= 0) {
		close(fd);
		return ts_error_set(err, TS_ERR_IMAGE, "%s: empty file", path);
	}
	if ((uint64_t)sb.st_size > lim.max_file_bytes) {
		close(fd);
		return ts_error_set(err, TS_ERR_LIMIT,
		                    "%s: file is %lld bytes, over the limit of %llu bytes", path,
		                    (long long)sb.st_size, (unsigned long long)lim.max_file_bytes);
	}
	size_t size = (size_t)sb.st_size;
	uint8_t *buf = malloc(size);
	if (!buf) {
		close(fd);
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory reading %zu bytes", path, size);
	}
	size_t got = 0;
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			close(fd);
			return ts_error_set(err, TS_ERR_IO, "%s: read error: %s", path, strerror(e));
		}
		if (r == 0)
			break; /* shrank while reading: judged as truncated below */
		got += (size_t)r;
	}
	close(fd);
	ts_status st = render_image_load_mem(buf, got, path, &lim, out, err);
	free(buf);
	return st;
}
