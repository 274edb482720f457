/* shards.c — the trace files of a run (see shards.h). */
#include "shards.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SHARDS 1000000

static int has_suffix_n(const char *s, size_t n, const char *suf)
{
	size_t b = strlen(suf);
	return n >= b && !memcmp(s + n - b, suf, b);
}

/* Ray Data's write_json() names: <dataset uuid>_<block>_<task> (digits). */
static int ray_block_name(const char *s, size_t n)
{
	int groups = 0;
	size_t digits = 0;
	while (n > 0 && groups < 2) {
		char ch = s[--n];
		if (ch >= '0' && ch <= '9') {
			digits++;
		} else if (ch == '_' && digits > 0) {
			groups++;
			digits = 0;
		} else {
			return 0;
		}
	}
	return groups == 2 && n > 0;
}

int shards_name_matches(const char *name)
{
	if (name[0] == '.' || !strcmp(name, "run.json") || !strcmp(name, "gt.json"))
		return 0;
	size_t n = strlen(name);
	static const char *const comp[] = { ".gz", ".zst", ".zstd" };
	for (size_t i = 0; i < sizeof comp / sizeof *comp; i++)
		if (has_suffix_n(name, n, comp[i])) {
			n -= strlen(comp[i]);
			break;
		}
	if (has_suffix_n(name, n, ".jsonl") || has_suffix_n(name, n, ".ndjson") ||
	    has_suffix_n(name, n, ".sse"))
		return 1;
	if (!has_suffix_n(name, n, ".json"))
		return 0;
	return !strncmp(name, "part-", 5) || !strncmp(name, "traces", 6) ||
	       ray_block_name(name, n - 5);
}

int shards_name_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			const char *za = a, *zb = b;
			while (*za == '0')
				za++;
			while (*zb == '0')
				zb++;
			size_t la = 0, lb = 0;
			while (za[la] >= '0' && za[la] <= '9')
				la++;
			while (zb[lb] >= '0' && zb[lb] <= '9')
				lb++;
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = memcmp(za, zb, la);
			if (c)
				return c;
			size_t ra = (size_t)(za - a) + la, rb = (size_t)(zb - b) + lb;
			if (ra != rb) /* same value: fewer leading zeros first */
				return ra < rb ? -1 : 1;
			a += ra;
			b += rb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int cmp_paths(const void *x, const void *y)
{
	return shards_name_cmp(*(char *const *)x, *(char *const *)y);
}

static int is_reg(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int has_magic(const char *p)
{
	return strpbrk(p, "*?[") != NULL;
}

int shards_is_set(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) == 0)
		return S_ISDIR(sb.st_mode);
	return has_magic(path);
}

const char *shards_label(const char *set, const char *shard)
{
	size_t n = strlen(set);
	while (n > 1 && set[n - 1] == '/')
		n--;
	if (strncmp(shard, set, n) == 0 && shard[n] == '/' && shard[n + 1] &&
	    !strchr(shard + n + 1, '/'))
		return shard + n + 1; /* a directory's file */
	const char *m = strpbrk(set, "*?[");
	if (m) {
		size_t k = (size_t)(m - set);
		while (k > 0 && set[k - 1] != '/')
			k--;
		if (strncmp(shard, set, k) == 0 && shard[k])
			return shard + k;
	}
	const char *b = strrchr(shard, '/');
	return b && b[1] ? b + 1 : shard;
}

void shard_list_free(shard_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	l->paths = NULL;
	l->n = 0;
}

static int push(shard_list *l, size_t *cap, const char *a, const char *b)
{
	if (l->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		char **v = realloc(l->paths, nc * sizeof *v);
		if (!v)
			return -1;
		l->paths = v;
		*cap = nc;
	}
	size_t la = strlen(a), lb = b ? strlen(b) : 0;
	char *p = malloc(la + lb + 2);
	if (!p)
		return -1;
	memcpy(p, a, la);
	if (b) {
		p[la] = '/';
		memcpy(p + la + 1, b, lb + 1);
	} else {
		p[la] = '\0';
	}
	l->paths[l->n++] = p;
	return 0;
}

static ts_status from_dir(const char *dir, shard_list *l, ts_error *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return ts_error_set(err, TS_ERR_IO, "%s: %s", dir, strerror(errno));
	size_t cap = 0, dl = strlen(dir);
	char *base = strdup(dir);
	if (base && dl > 1 && base[dl - 1] == '/')
		base[dl - 1] = '\0';
	ts_status st = base ? TS_OK : ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	struct dirent *de;
	while (!st && (de = readdir(d)) != NULL) {
		if (!shards_name_matches(de->d_name))
			continue;
		if (l->n >= MAX_SHARDS)
			st = ts_error_set(err, TS_ERR_LIMIT, "%s: more than %d trace shards", dir,
			                  MAX_SHARDS);
		else if (push(l, &cap, base, de->d_name))
			st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		else if (!is_reg(l->paths[l->n - 1]))
			free(l->paths[--l->n]);
	}
	closedir(d);
	free(base);
	return st;
}

static ts_status from_glob(const char *pat, shard_list *l, ts_error *err)
{
	glob_t g;
	memset(&g, 0, sizeof g);
	int r = glob(pat, GLOB_NOSORT, NULL, &g);
	ts_status st = TS_OK;
	size_t cap = 0;
	if (r == GLOB_NOSPACE)
		st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	for (size_t i = 0; !st && r == 0 && i < g.gl_pathc; i++) {
		if (!is_reg(g.gl_pathv[i]))
			continue;
		if (l->n >= MAX_SHARDS)
			st = ts_error_set(err, TS_ERR_LIMIT, "%s: more than %d trace shards", pat,
			                  MAX_SHARDS);
		else if (push(l, &cap, g.gl_pathv[i], NULL))
			st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}
	globfree(&g);
	return st;
}

ts_status shards_expand(const char *path, shard_list *out, ts_error *err)
{
	memset(out, 0, sizeof *out);
	struct stat sb;
	int exists = stat(path, &sb) == 0;
	ts_status st;
	if (exists && S_ISDIR(sb.st_mode))
		st = from_dir(path, out, err);
	else if (!exists && has_magic(path))
		st = from_glob(path, out, err);
	else {
		size_t cap = 0;
		return push(out, &cap, path, NULL) ? ts_error_set(err, TS_ERR_NOMEM, "out of memory")
		                                   : TS_OK;
	}
	if (!st && out->n == 0)
		st = ts_error_set(err, TS_ERR_NOTFOUND,
		                  "%s: no trace files (*.jsonl, *.ndjson, *.sse, part-*.json, "
		                  "traces*.json, each optionally .gz/.zst)",
		                  path);
	if (st) {
		shard_list_free(out);
		return st;
	}
	qsort(out->paths, out->n, sizeof *out->paths, cmp_paths);
	return TS_OK;
}

void shards_keep_block(shard_list *l, size_t k, size_t n)
{
	if (n == 0 || k == 0 || k > n) {
		shard_list_free(l);
		return;
	}
	size_t s = l->n, lo = (size_t)((unsigned long long)(k - 1) * s / n),
	       hi = (size_t)((unsigned long long)k * s / n);
	for (size_t i = 0; i < s; i++)
		if (i < lo || i >= hi)
			free(l->paths[i]);
	memmove(l->paths, l->paths + lo, (hi - lo) * sizeof *l->paths);
	l->n = hi - lo;
}
