/* test_zfile.c — compressed trace files (analysis/zfile.h, issue 23):
 * gzip and zstd read by their magic bytes, the caps on decompressed bytes
 * (a gzip bomb refused, not expanded), truncation named, and the index's
 * loads from a compressed file equal to the reader's samples.  The
 * compressed bytes are made here with zlib/zstd directly, from plain text
 * written in the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "trace.h"
#include "zfile.h"

static const char plain[] =
	"{\"image_id\": 1, \"finish_reason\": \"stop\", \"tokens\": [{\"token\": \"a\", \"logprob\": -0.5}]}\n"
	"{\"image_id\": 2, \"finish_reason\": \"length\", \"text\": \"[1, 2]\"}\n"
	"not json\n"
	"{\"image_id\": 3, \"finish_reason\": \"stop\", \"tokens\": [{\"token\": \"b\", \"logprob\": -1}]}\n";

static char *tmp_path(const char *tag)
{
	static char buf[4][256];
	static int k;
	char *p = buf[k++ % 4];
	snprintf(p, 256, "%s/ts_zfile_%ld_%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
	         (long)getpid(), tag);
	return p;
}


/* One gzip member of p[0..n) appended to f. */
static void gz_member(FILE *f, const void *p, size_t n)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&zs, (uLong)n);
	unsigned char *out = malloc(cap);
	zs.next_in = (unsigned char *)(uintptr_t)p;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	fwrite(out, 1, cap - zs.avail_out, f);
	deflateEnd(&zs);
	free(out);
}

static void write_zstd(const char *path, const void *p, size_t n)
{
	size_t cap = ZSTD_compressBound(n);
	void *out = malloc(cap);
	size_t m = ZSTD_compress(out, cap, p, n, 3);
	assert_false(ZSTD_isError(m));
	th_write_file(path, out, m);
	free(out);
}

/* Everything zfile gives for path, as a string (caller frees). */
static char *slurp(const char *path, ts_status *st)
{
	zfile *z;
	ts_error err;
	assert_int_equal(zfile_open(path, NULL, &z, &err), TS_OK);
	size_t cap = 1 << 16, n = 0, got;
	char *s = malloc(cap);
	while ((got = zfile_read(z, s + n, cap - 1 - n)) > 0) {
		n += got;
		if (cap - 1 - n == 0)
			s = realloc(s, cap *= 2);
	}
	s[n] = '\0';
	*st = zfile_error(z, &err);
	zfile_close(z);
	return s;
}

static void test_kinds_by_magic(void **state)
{
	(void)state;
	/* names that lie: a gzip called .jsonl, zstd called .gz */
	char *g = tmp_path("g.jsonl"), *z = tmp_path("z.gz"), *p = tmp_path("p.gz");
	FILE *f = fopen(g, "wb");
	gz_member(f, plain, 40); /* two members, as pigz/bgzip write */
	gz_member(f, plain + 40, sizeof plain - 1 - 40);
	fclose(f);
	write_zstd(z, plain, sizeof plain - 1);
	th_write_file(p, plain, sizeof plain - 1);
	const char *paths[] = { g, z, p };
	zfile_kind want[] = { ZFILE_GZIP, ZFILE_ZSTD, ZFILE_PLAIN };
	for (int i = 0; i < 3; i++) {
		zfile *zf;
		ts_error err;
		assert_int_equal(zfile_open(paths[i], NULL, &zf, &err), TS_OK);
		assert_int_equal(zfile_get_kind(zf), want[i]);
		zfile_close(zf);
		ts_status st;
		char *s = slurp(paths[i], &st);
		assert_int_equal(st, TS_OK);
		assert_string_equal(s, plain);
		free(s);
		unlink(paths[i]);
	}
}

static void test_truncated_named(void **state)
{
	(void)state;
	char *g = tmp_path("trunc.gz");
	FILE *f = fopen(g, "wb");
	gz_member(f, plain, sizeof plain - 1);
	long len = ftell(f);
	fclose(f);
	assert_int_equal(truncate(g, len - 12), 0); /* the trailer and some data gone */
	trace_limits lim;
	trace_limits_default(&lim);
	trace_file *tf;
	ts_error err;
	assert_int_equal(trace_file_open(g, &lim, &tf, &err), TS_OK);
	trace *t;
	size_t ok = 0;
	ts_status st;
	int saw_trunc = 0;
	while ((st = trace_file_next(tf, &t, NULL, &err)) != TS_EOF) {
		if (st == TS_OK) {
			ok++;
			trace_free(t);
		} else if (strstr(err.msg, "gzip data corrupt or truncated")) {
			saw_trunc = 1;
			assert_int_equal(st, TS_ERR_IO);
			assert_non_null(strstr(err.msg, g));
		}
	}
	trace_file_close(tf);
	assert_true(saw_trunc);
	assert_true(ok >= 1); /* the lines before the cut still count */
	unlink(g);
}

/* 100 MiB of zeros after one good line: ~100 KiB of gzip, a ratio of ~1000:1.
 * Refused at the 64 MiB where the ratio cap starts, never expanded further. */
static void test_gzip_bomb_refused(void **state)
{
	(void)state;
	char *g = tmp_path("bomb.gz");
	FILE *f = fopen(g, "wb");
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	static unsigned char zeros[1 << 20], out[1 << 16];
	const char *head = "{\"image_id\": 1, \"finish_reason\": \"stop\", \"text\": \"[]\"}\n";
	for (int i = 0; i <= 100; i++) {
		zs.next_in = i == 0 ? (unsigned char *)(uintptr_t)head : zeros;
		zs.avail_in = i == 0 ? (uInt)strlen(head) : (uInt)sizeof zeros;
		do {
			zs.next_out = out;
			zs.avail_out = sizeof out;
			deflate(&zs, i == 100 ? Z_FINISH : Z_NO_FLUSH);
			fwrite(out, 1, sizeof out - zs.avail_out, f);
		} while (zs.avail_out == 0);
	}
	deflateEnd(&zs);
	long clen = ftell(f);
	fclose(f);
	assert_true(clen < (1 << 20));

	trace_limits lim;
	trace_limits_default(&lim);
	trace_file *tf;
	ts_error err;
	assert_int_equal(trace_file_open(g, &lim, &tf, &err), TS_OK);
	trace *t;
	assert_int_equal(trace_file_next(tf, &t, NULL, &err), TS_OK); /* the good line */
	trace_free(t);
	ts_status st = trace_file_next(tf, &t, NULL, &err);
	assert_int_equal(st, TS_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "decompression bomb"));
	assert_non_null(strstr(err.msg, "refused"));
	assert_int_equal(trace_file_next(tf, &t, NULL, &err), TS_EOF);
	trace_file_close(tf);

	/* the absolute cap, below the ratio's free 64 MiB */
	zfile *z;
	zfile_limits zl = { (uint64_t)1 << 20, 0 };
	assert_int_equal(zfile_open(g, &zl, &z, &err), TS_OK);
	static char buf[1 << 16];
	uint64_t total = 0;
	size_t got;
	while ((got = zfile_read(z, buf, sizeof buf)) > 0)
		total += got;
	assert_true(total <= ((uint64_t)1 << 20));
	assert_int_equal(zfile_error(z, &err), TS_ERR_LIMIT);
	zfile_close(z);

	/* the index refuses it too */
	trace_index *ix;
	assert_int_equal(trace_index_build(g, &lim, NULL, NULL, &ix, &err), TS_ERR_LIMIT);
	unlink(g);
}

/* The index over a compressed file gives, entry by entry, exactly what the
 * reader gives (loads seek in the decompressed cache). */
static void test_index_compressed(void **state)
{
	(void)state;
	char *z = tmp_path("ix.zst");
	write_zstd(z, plain, sizeof plain - 1);
	trace_limits lim;
	trace_limits_default(&lim);
	trace_index *ix;
	ts_error err;
	assert_int_equal(trace_index_build(z, &lim, NULL, NULL, &ix, &err), TS_OK);
	assert_int_equal(trace_index_count(ix), 4);
	int64_t want_id[] = { 1, 2, -1, 3 };
	/* backwards: every load seeks */
	for (size_t k = 4; k-- > 0;) {
		trace *t;
		ts_status st = trace_index_load(ix, k, &t, &err);
		if (want_id[k] < 0) {
			assert_int_not_equal(st, TS_OK);
			assert_non_null(strstr(err.msg, ":3:"));
			continue;
		}
		assert_int_equal(st, TS_OK);
		int64_t id;
		assert_true(trace_image_id(t, &id));
		assert_int_equal(id, want_id[k]);
		trace_free(t);
	}
	trace_index_free(ix);
	unlink(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_by_magic),
		cmocka_unit_test(test_truncated_named),
		cmocka_unit_test(test_gzip_bomb_refused),
		cmocka_unit_test(test_index_compressed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
