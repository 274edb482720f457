/* png.c — PNG encoding (stb_image_write) and atomic file output. */
#include "render.h"
#include "fdio.h"

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
