/* test_helpers.h — the small file helpers the unit tests share (include after
 * <cmocka.h>; each helper fails the test through cmocka's asserts). */
#ifndef TS_TEST_HELPERS_H
#define TS_TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>

/* Writes p[0..n) to path (created or truncated). */
static inline void th_write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* The whole file (at most 1 MiB - 1 bytes) as a NUL-terminated string to
 * free; NULL when it cannot be opened. */
static inline char *th_read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 20);
	size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}

#endif
