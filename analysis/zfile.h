/* zfile.h — a read-only byte stream over a plain, gzip or zstd file.
 *
 * The kind is told by the first bytes, never by the name: 1f 8b is gzip
 * (zlib; concatenated members, as pigz/bgzip write, are read one after the
 * other), 28 b5 2f fd is zstd (libzstd; every frame, skippable ones
 * skipped), anything else is read as is.  Every trace reader (trace_file,
 * the index, run_open's sniffing) reads through it, so a compressed run is
 * read the same way by every command.
 *
 * Caps apply to the decompressed bytes, checked as they come out, so a
 * decompression bomb is refused after at most a few MiB more than the cap,
 * never expanded: more than max_out bytes, or (past the first
 * ZFILE_RATIO_FREE bytes) more than max_ratio times the compressed bytes
 * consumed so far, is TS_ERR_LIMIT.  A truncated or corrupt stream is
 * TS_ERR_IO naming the compressed offset.  Bytes read before the error are
 * kept (lines read until then still count).
 */
#ifndef TS_ZFILE_H
#define TS_ZFILE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef enum { ZFILE_PLAIN = 0, ZFILE_GZIP, ZFILE_ZSTD } zfile_kind;

#define ZFILE_RATIO_FREE ((uint64_t)64 << 20) /* decompressed bytes before the ratio cap */

typedef struct zfile_limits {
	uint64_t max_out;   /* decompressed bytes (0: no cap) */
	uint64_t max_ratio; /* decompressed / compressed (0: no cap) */
} zfile_limits;

typedef struct zfile zfile;

/* Opens path with fsafe_open_input (a regular file, else refused with its
 * message) and looks at its first bytes.  lim may be NULL (no caps). */
ts_status zfile_open(const char *path, const zfile_limits *lim, zfile **out, ts_error *err);
/* A plain stream over an open descriptor (taken over; closed by zfile_close). */
zfile    *zfile_fdopen(int fd);
/* Up to n decompressed bytes; 0 at the end or after an error (zfile_error). */
size_t     zfile_read(zfile *z, void *p, size_t n);
/* TS_OK, or the error that stopped reading (err filled, without the path). */
ts_status  zfile_error(const zfile *z, ts_error *err);
/* Plain files only: the next read starts at decompressed offset off; -1
 * when the stream is compressed or the seek failed. */
int        zfile_seek(zfile *z, uint64_t off);
zfile_kind zfile_get_kind(const zfile *z);
const char *zfile_kind_name(zfile_kind k); /* "plain", "gzip", "zstd" */
/* The file's bytes consumed so far and its size (0 if not a regular file),
 * for progress over a compressed file. */
uint64_t   zfile_in_pos(const zfile *z);
uint64_t   zfile_in_size(const zfile *z);
uint64_t   zfile_out_pos(const zfile *z); /* decompressed bytes given so far */
void       zfile_close(zfile *z);

/* Writing (capture --resume on a compressed traces file): src[0..n) as one
 * whole gzip member (k ZFILE_GZIP) or zstd frame (ZFILE_ZSTD) in *out
 * (malloc'd, *out_n bytes).  Appended to a file, it is read after what was
 * there (concatenated members and frames are read one after the other). */
ts_status  zfile_pack(zfile_kind k, const void *src, size_t n, unsigned char **out,
                      size_t *out_n, ts_error *err);
/* The length of the longest prefix of fd (read with pread) made of whole
 * gzip members / zstd frames: what follows is the start of a member a crash
 * left half written, which capture --resume cuts off.  Bytes that are no
 * such start (corrupt data, trailing garbage) are TS_ERR_FORMAT: the caller
 * must not cut then. */
ts_status  zfile_whole_prefix(int fd, zfile_kind k, uint64_t *len, ts_error *err);

#endif
