/* fsafe.c — opening inputs, and outputs that never land on one (see fsafe.h). */
#include "fsafe.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *fsafe_kind(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	case S_IFLNK: return "a symbolic link";
	default: return "not a regular file";
	}
}

int fsafe_open_input(const char *path, struct stat *sb, ts_error *err)
{
	struct stat local;
	if (!sb)
		sb = &local;
	if (!path || !path[0]) {
		ts_error_set(err, TS_ERR_USAGE, "no input path");
		return -1;
	}
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		ts_error_set(err, e == ENOENT ? TS_ERR_NOTFOUND : TS_ERR_IO, "%s: cannot open: %s", path,
		             strerror(e));
		return -1;
	}
	if (fstat(fd, sb) != 0) {
		int e = errno;
		close(fd);
		ts_error_set(err, TS_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
		return -1;
	}
	if (!S_ISREG(sb->st_mode)) {
		close(fd);
		ts_error_set(err, TS_ERR_IO, "%s: %s, not a regular file: refused", path,
		             fsafe_kind((unsigned)sb->st_mode));
		return -1;
	}
	struct stat so; /* `formats F >> F` would read what it appends, for ever */
	if (fstat(STDOUT_FILENO, &so) == 0 && S_ISREG(so.st_mode) && so.st_dev == sb->st_dev &&
	    so.st_ino == sb->st_ino) {
		close(fd);
		ts_error_set(err, TS_ERR_USAGE, "%s: it is also the standard output: refused (the "
		             "output would overwrite the input)", path);
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	fsafe_note_input(sb, path);
	return fd;
}

FILE *fsafe_fopen_input(const char *path, struct stat *sb, ts_error *err)
{
	int fd = fsafe_open_input(path, sb, err);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		int e = errno;
		close(fd);
		ts_error_set(err, TS_ERR_NOMEM, "%s: cannot open: %s", path, strerror(e));
	}
	return f;
}

/* ---- the inputs of this process: open addressing on (dev, ino) ---- */

typedef struct seen {
	dev_t dev;
	ino_t ino;
	char *path; /* NULL: empty slot */
} seen;

static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static seen *seen_tab;
static size_t seen_cap, seen_n;

static size_t seen_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev * 0xC2B2AE3D27D4EB4Full;
	return (size_t)(h ^ (h >> 29));
}

/* The slot of (dev, ino), or the empty slot where it goes. */
static seen *seen_slot(seen *tab, size_t cap, dev_t dev, ino_t ino)
{
	size_t i = seen_hash(dev, ino) & (cap - 1);
	while (tab[i].path && !(tab[i].dev == dev && tab[i].ino == ino))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int seen_grow(void)
{
	size_t ncap = seen_cap ? seen_cap * 2 : 64;
	seen *nt = calloc(ncap, sizeof *nt);
	if (!nt)
		return -1;
	for (size_t i = 0; i < seen_cap; i++)
		if (seen_tab[i].path)
			*seen_slot(nt, ncap, seen_tab[i].dev, seen_tab[i].ino) = seen_tab[i];
	free(seen_tab);
	seen_tab = nt;
	seen_cap = ncap;
	return 0;
}

void fsafe_note_input(const struct stat *sb, const char *path)
{
	pthread_mutex_lock(&seen_mu);
	if ((seen_n + 1) * 2 <= seen_cap || seen_grow() == 0) {
		seen *s = seen_slot(seen_tab, seen_cap, sb->st_dev, sb->st_ino);
		if (!s->path && (s->path = strdup(path))) {
			s->dev = sb->st_dev;
			s->ino = sb->st_ino;
			seen_n++;
		}
	}
	pthread_mutex_unlock(&seen_mu);
}

const char *fsafe_input_named(const struct stat *sb)
{
	const char *name = NULL;
	pthread_mutex_lock(&seen_mu);
	if (seen_cap)
		name = seen_slot(seen_tab, seen_cap, sb->st_dev, sb->st_ino)->path;
	pthread_mutex_unlock(&seen_mu);
	return name;
}

ts_status fsafe_check_output(const char *path, ts_error *err)
{
	struct stat sb;
	if (!path || stat(path, &sb) != 0)
		return TS_OK;
	const char *in = fsafe_input_named(&sb);
	struct stat now; /* the input still there: not an inode reused after it was deleted */
	if (in && stat(in, &now) == 0 && now.st_dev == sb.st_dev && now.st_ino == sb.st_ino)
		return ts_error_set(err, TS_ERR_USAGE,
		                    "refusing to write %s: it is the same file as the input %s", path, in);
	return TS_OK;
}

ts_status fsafe_write_atomic(const char *path, const void *buf, size_t len, ts_error *err)
{
	if (!path || !path[0])
		return ts_error_set(err, TS_ERR_USAGE, "no output path");
	if (fsafe_check_output(path, err) != TS_OK)
		return TS_ERR_USAGE;
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	if (!tmp)
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory", path);
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", 12);
	int fd = mkstemp(tmp); /* O_EXCL: never through a link planted there */
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return ts_error_set(err, TS_ERR_IO, "%s: cannot create a temporary file next to it: %s",
		                    path, strerror(e));
	}
	const char *what = NULL;
	int e = 0;
	mode_t um = umask(0);
	umask(um);
	const char *p = buf;
	size_t left = len;
	if (fchmod(fd, 0666 & ~um) != 0)
		what = "chmod", e = errno;
	while (!what && left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			what = "write", e = w < 0 ? errno : EIO;
		else
			p += w, left -= (size_t)w;
	}
	if (!what && fsync(fd) != 0)
		what = "fsync", e = errno;
	if (close(fd) != 0 && !what)
		what = "close", e = errno;
	if (!what && rename(tmp, path) != 0) /* replaces a link itself, never its target */
		what = "rename", e = errno;
	if (what)
		unlink(tmp);
	free(tmp);
	if (what)
		return ts_error_set(err, TS_ERR_IO, "%s: %s failed: %s", path, what, strerror(e));
	return TS_OK;
}
