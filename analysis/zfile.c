/* zfile.c — plain, gzip and zstd files as one byte stream (see zfile.h). */
#include "zfile.h"
#include "fsafe.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define IN_CHUNK ((size_t)1 << 17)

struct zfile {
	int fd;
	zfile_kind kind;
	zfile_limits lim;
	unsigned char *in;   /* compressed input buffer */
	size_t in_len, in_off;
	uint64_t in_pos, in_size, out_pos;
	int in_eof;
	z_stream zs;
	int zs_live;         /* inflateInit2 done */
	int member_done;     /* gzip: the last member ended at in_off */
	ZSTD_DStream *zd;
	size_t zd_last;      /* last ZSTD_decompressStream return (0: frame complete) */
	ts_status st;
	char msg[200];
};

static ts_status fail(zfile *z, ts_status st, const char *what)
{
	if (!z->st) {
		z->st = st;
		snprintf(z->msg, sizeof z->msg, "%s", what);
	}
	return st;
}

static ssize_t read_all(int fd, void *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return got ? (ssize_t)got : -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Refills the input buffer when it is empty; 0 at the end, -1 on error. */
static int fill(zfile *z)
{
	if (z->in_off < z->in_len)
		return 1;
	if (z->in_eof)
		return 0;
	ssize_t r = read_all(z->fd, z->in, IN_CHUNK);
	if (r < 0) {
		char m[160];
		snprintf(m, sizeof m, "read error: %s", strerror(errno));
		fail(z, TS_ERR_IO, m);
		return -1;
	}
	z->in_len = (size_t)r;
	z->in_off = 0;
	z->in_pos += (uint64_t)r;
	if (r == 0)
		z->in_eof = 1;
	return r > 0;
}

zfile *zfile_fdopen(int fd)
{
	zfile *z = calloc(1, sizeof *z);
	if (!z)
		return NULL;
	z->fd = fd;
	z->kind = ZFILE_PLAIN;
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		z->in_size = (uint64_t)sb.st_size;
	return z;
}

static ts_status start_codec(zfile *z, ts_error *err)
{
	if (z->kind == ZFILE_GZIP) {
		if (inflateInit2(&z->zs, 15 + 16) != Z_OK)
			return ts_error_set(err, TS_ERR_NOMEM, "out of memory (zlib)");
		z->zs_live = 1;
	} else if (z->kind == ZFILE_ZSTD) {
		z->zd = ZSTD_createDStream();
		if (!z->zd || ZSTD_isError(ZSTD_initDStream(z->zd)))
			return ts_error_set(err, TS_ERR_NOMEM, "out of memory (zstd)");
		z->zd_last = 1;
	}
	return TS_OK;
}

ts_status zfile_open(const char *path, const zfile_limits *lim, zfile **out, ts_error *err)
{
	*out = NULL;
	int fd = fsafe_open_input(path, NULL, err); /* a regular file or refused (fsafe.h) */
	if (fd < 0)
		return err ? err->code : TS_ERR_IO;
	zfile *z = zfile_fdopen(fd);
	if (!z || !(z->in = malloc(IN_CHUNK))) {
		zfile_close(z);
		if (!z)
			close(fd);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}
	if (lim)
		z->lim = *lim;
	if (fill(z) < 0) {
		ts_status st = ts_error_set(err, TS_ERR_IO, "%s: %s", path, z->msg);
		zfile_close(z);
		return st;
	}
	const unsigned char *b = z->in;
	if (z->in_len >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		z->kind = ZFILE_GZIP;
	else if (z->in_len >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
		z->kind = ZFILE_ZSTD;
	ts_status st = start_codec(z, err);
	if (st) {
		zfile_close(z);
		return st;
	}
	*out = z;
	return TS_OK;
}

/* The caps on n more decompressed bytes: 0 when within them. */
static int over_cap(zfile *z, size_t n)
{
	uint64_t o = z->out_pos + n;
	char m[200];
	if (z->lim.max_out && o > z->lim.max_out) {
		snprintf(m, sizeof m,
		         "decompressed size over %llu bytes (--limit decompressed_bytes): refused",
		         (unsigned long long)z->lim.max_out);
		fail(z, TS_ERR_LIMIT, m);
		return 1;
	}
	uint64_t in = z->in_pos - (z->in_len - z->in_off);
	if (z->lim.max_ratio && o > ZFILE_RATIO_FREE && in > 0 && o / in > z->lim.max_ratio) {
		snprintf(m, sizeof m,
		         "%s stream expands more than %llu:1 (a decompression bomb? "
		         "--limit decompress_ratio): refused after %llu bytes",
		         zfile_kind_name(z->kind), (unsigned long long)z->lim.max_ratio,
		         (unsigned long long)z->out_pos);
		fail(z, TS_ERR_LIMIT, m);
		return 1;
	}
	return 0;
}

static size_t read_plain(zfile *z, void *p, size_t n)
{
	size_t got = 0;
	if (z->in_off < z->in_len) { /* what zfile_open looked at */
		got = z->in_len - z->in_off < n ? z->in_len - z->in_off : n;
		memcpy(p, z->in + z->in_off, got);
		z->in_off += got;
	}
	if (got < n && !z->in_eof) {
		ssize_t r = read_all(z->fd, (char *)p + got, n - got);
		if (r < 0) {
			char m[160];
			snprintf(m, sizeof m, "read error: %s", strerror(errno));
			fail(z, TS_ERR_IO, m);
			return got;
		}
		z->in_pos += (uint64_t)r;
		got += (size_t)r;
	}
	return got;
}

static void corrupt(zfile *z, const char *what)
{
	char m[200];
	uint64_t at = z->in_pos - (z->in_len - z->in_off);
	snprintf(m, sizeof m, "%s data corrupt or truncated at compressed byte %llu: %s",
	         zfile_kind_name(z->kind), (unsigned long long)at, what);
	fail(z, TS_ERR_IO, m);
}

/* gzip: one inflate step over what fill() holds into p[0..n); returns the
 * bytes made. */
static size_t step_gzip(zfile *z, unsigned char *p, size_t n)
{
	if (z->member_done) { /* another member follows */
		if (inflateReset(&z->zs) != Z_OK) {
			corrupt(z, "cannot restart");
			return 0;
		}
		z->member_done = 0;
	}
	z->zs.next_in = z->in + z->in_off;
	z->zs.avail_in = (uInt)(z->in_len - z->in_off);
	z->zs.next_out = p;
	z->zs.avail_out = (uInt)n;
	int r = inflate(&z->zs, Z_NO_FLUSH);
	z->in_off = z->in_len - z->zs.avail_in;
	size_t made = n - z->zs.avail_out;
	if (r == Z_STREAM_END)
		z->member_done = 1;
	else if (r != Z_OK && !(r == Z_BUF_ERROR && made))
		corrupt(z, z->zs.msg ? z->zs.msg : "inflate failed");
	return made;
}

/* zstd: the same with one ZSTD_decompressStream step. */
static size_t step_zstd(zfile *z, unsigned char *p, size_t n)
{
	ZSTD_inBuffer ib = { z->in + z->in_off, z->in_len - z->in_off, 0 };
	ZSTD_outBuffer ob = { p, n, 0 };
	size_t r = ZSTD_decompressStream(z->zd, &ob, &ib);
	z->in_off += ib.pos;
	if (ZSTD_isError(r))
		corrupt(z, ZSTD_getErrorName(r));
	else
		z->zd_last = r;
	return ob.pos;
}

/* A compressed file: decoder steps until some bytes are made, the input
 * ends (mid-member or mid-frame: truncated) or an error. */
static size_t read_codec(zfile *z, unsigned char *p, size_t n)
{
	int gz = z->kind == ZFILE_GZIP;
	size_t made = 0;
	while (made == 0 && !z->st) {
		int f = fill(z);
		if (f < 0)
			break;
		if (f == 0) {
			if (gz ? !z->member_done : z->zd_last != 0)
				corrupt(z, "unexpected end of file");
			break;
		}
		made = gz ? step_gzip(z, p, n) : step_zstd(z, p, n);
	}
	return made;
}

size_t zfile_read(zfile *z, void *p, size_t n)
{
	if (z->st || n == 0)
		return 0;
	if (z->kind == ZFILE_PLAIN) {
		size_t got = read_plain(z, p, n);
		z->out_pos += got;
		return got;
	}
	if (n > ((size_t)1 << 30))
		n = (size_t)1 << 30; /* uInt for zlib */
	size_t got = read_codec(z, p, n);
	if (got && over_cap(z, got))
		return 0;
	z->out_pos += got;
	return got;
}

ts_status zfile_error(const zfile *z, ts_error *err)
{
	if (!z->st)
		return TS_OK;
	return ts_error_set(err, z->st, "%s", z->msg);
}

int zfile_seek(zfile *z, uint64_t off)
{
	if (z->kind != ZFILE_PLAIN || (uint64_t)(off_t)off != off)
		return -1;
	if (lseek(z->fd, (off_t)off, SEEK_SET) < 0)
		return -1;
	z->in_len = z->in_off = 0;
	z->in_eof = 0;
	z->st = TS_OK;
	z->in_pos = z->out_pos = off;
	return 0;
}

zfile_kind zfile_get_kind(const zfile *z) { return z->kind; }

const char *zfile_kind_name(zfile_kind k)
{
	return k == ZFILE_GZIP ? "gzip" : k == ZFILE_ZSTD ? "zstd" : "plain";
}

uint64_t zfile_in_pos(const zfile *z) { return z->in_pos - (z->in_len - z->in_off); }
uint64_t zfile_in_size(const zfile *z) { return z->in_size; }
uint64_t zfile_out_pos(const zfile *z) { return z->out_pos; }

void zfile_close(zfile *z)
{
	if (!z)
		return;
	if (z->zs_live)
		inflateEnd(&z->zs);
	if (z->zd)
		ZSTD_freeDStream(z->zd);
	if (z->fd >= 0)
		close(z->fd);
	free(z->in);
	free(z);
}


ts_status zfile_pack(zfile_kind k, const void *src, size_t n, unsigned char **out,
                     size_t *out_n, ts_error *err)
{
	*out = NULL;
	*out_n = 0;
	if (k == ZFILE_ZSTD) {
		size_t cap = ZSTD_compressBound(n);
		unsigned char *b = malloc(cap ? cap : 1);
		if (!b)
			return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		size_t r = ZSTD_compress(b, cap, src, n, 3);
		if (ZSTD_isError(r)) {
			free(b);
			return ts_error_set(err, TS_ERR_IO, "zstd: %s", ZSTD_getErrorName(r));
		}
		*out = b;
		*out_n = r;
		return TS_OK;
	}
	if (k != ZFILE_GZIP || n > UINT32_MAX / 2)
		return ts_error_set(err, TS_ERR_USAGE, "cannot pack as %s", zfile_kind_name(k));
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	uLong cap = deflateBound(&zs, (uLong)n) + 32; /* + the gzip header and trailer */
	unsigned char *b = malloc(cap);
	int r = Z_MEM_ERROR;
	if (b) {
		zs.next_in = (Bytef *)(uintptr_t)src;
		zs.avail_in = (uInt)n;
		zs.next_out = b;
		zs.avail_out = (uInt)cap;
		r = deflate(&zs, Z_FINISH);
	}
	*out_n = zs.total_out;
	deflateEnd(&zs);
	if (r != Z_STREAM_END) {
		free(b);
		*out_n = 0;
		return ts_error_set(err, TS_ERR_NOMEM, "gzip: cannot compress a line");
	}
	*out = b;
	return TS_OK;
}

/* Feeds in[0..n) to the decoder; *done set at each member/frame end with
 * the offset (relative to in) just after it.  -1 on a corrupt stream. */
static int walk_chunk(zfile_kind k, z_stream *zs, ZSTD_DStream *zd, const unsigned char *in,
                      size_t n, size_t *ends_at, int *ended)
{
	unsigned char sink[16384];
	*ended = 0;
	size_t pos = 0;
	while (pos < n) {
		if (k == ZFILE_GZIP) {
			zs->next_in = (Bytef *)(uintptr_t)(in + pos);
			zs->avail_in = (uInt)(n - pos);
			zs->next_out = sink;
			zs->avail_out = sizeof sink;
			int r = inflate(zs, Z_NO_FLUSH);
			pos = n - zs->avail_in;
			if (r == Z_STREAM_END) {
				*ends_at = pos, *ended = 1;
				if (inflateReset(zs) != Z_OK)
					return -1;
			} else if (r != Z_OK && r != Z_BUF_ERROR) {
				return -1;
			} else if (r == Z_BUF_ERROR && zs->avail_in) {
				return -1;
			}
		} else {
			ZSTD_inBuffer ib = { in, n, pos };
			ZSTD_outBuffer ob = { sink, sizeof sink, 0 };
			size_t r = ZSTD_decompressStream(zd, &ob, &ib);
			if (ZSTD_isError(r))
				return -1;
			pos = ib.pos;
			if (r == 0)
				*ends_at = pos, *ended = 1;
		}
	}
	return 0;
}

ts_status zfile_whole_prefix(int fd, zfile_kind k, uint64_t *len, ts_error *err)
{
	*len = 0;
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	ZSTD_DStream *zd = NULL;
	if (k == ZFILE_GZIP ? inflateInit2(&zs, 15 + 16) != Z_OK
	                    : (k != ZFILE_ZSTD || !(zd = ZSTD_createDStream())))
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	enum { CHUNK = 65536 };
	unsigned char *in = malloc(CHUNK);
	uint64_t off = 0;
	ts_status st = in ? TS_OK : ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	while (in) {
		ssize_t n = pread(fd, in, CHUNK, (off_t)off);
		if (n < 0)
			st = ts_error_set(err, TS_ERR_IO, "%s", strerror(errno));
		if (n <= 0)
			break;
		size_t at = 0;
		int ended = 0;
		int bad = walk_chunk(k, &zs, zd, in, (size_t)n, &at, &ended);
		if (ended)
			*len = off + at;
		if (bad) { /* no half-written member: corrupt, never cut */
			st = ts_error_set(err, TS_ERR_FORMAT, "corrupt %s data after byte %" PRIu64
			                  " (not a member an interrupted run left half written)",
			                  zfile_kind_name(k), *len);
			break;
		}
		off += (uint64_t)n;
	}
	free(in);
	if (k == ZFILE_GZIP)
		inflateEnd(&zs);
	ZSTD_freeDStream(zd);
	return st;
}
