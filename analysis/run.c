/* run.c — run directories and aggregate metrics (see run.h). */
#include "run.h"
#include "fsafe.h"
#include "shards.h"
#include "zfile.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RUN_JSON_MAX (1u << 20) /* run.json is tiny; refuse anything over 1 MiB */

/* strdup that passes NULL through (optional run.json fields) */
static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* dir + "/" + name, whatever name looks like */
static char *join2(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	size_t k = a;
	if (k && p[k - 1] != '/')
		p[k++] = '/';
	memcpy(p + k, name, b + 1);
	return p;
}

static char *path_join(const char *dir, const char *name)
{
	if (name[0] == '/')
		return xstrdup(name);
	return join2(dir, name);
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Something is there (a FIFO or a device too: the reader refuses it, naming it). */
static int exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

const char *run_path_base(const char *path, size_t *len)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t b = n;
	while (b > 0 && path[b - 1] != '/')
		b--;
	*len = n - b;
	return path + b;
}

/* Base name without a trailing slash or a .jsonl extension. */
static char *base_name(const char *path)
{
	size_t len;
	const char *base = run_path_base(path, &len);
	if (len > 6 && !memcmp(base + len - 6, ".jsonl", 6))
		len -= 6;
	char *s = malloc(len + 1);
	if (s) {
		memcpy(s, base, len);
		s[len] = '\0';
	}
	return s;
}

void run_info_free(run_info *r)
{
	if (!r)
		return;
	free(r->path);
	free(r->name);
	free(r->model);
	free(r->checkpoint);
	free(r->prompt);
	free(r->object);
	free(r->traces_path);
	free(r->gt_path);
	free(r->images_dir);
	free(r->warnings);
	for (size_t i = 0; i < r->n_eos; i++)
		free(r->eos_tokens[i]);
	free(r->eos_tokens);
	free(r);
}

void run_apply_opts(const run_info *r, int coords_set, analysis_opts *an)
{
	if (!coords_set && r->coords != COORDS_AUTO)
		an->coords.kind = r->coords;
	an->object = r->object;
	an->eos.tok = (const char *const *)r->eos_tokens;
	an->eos.n = r->n_eos;
}

/* run.json "eos_tokens": the strings of the array (non-empty, at most
 * RUN_EOS_MAX of them, each under 256 bytes; anything else is left out). */
#define RUN_EOS_MAX 64
static void read_eos_tokens(run_info *r, const cJSON *j)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "eos_tokens"), *e;
	if (!cJSON_IsArray(a) || !(r->eos_tokens = calloc(RUN_EOS_MAX, sizeof *r->eos_tokens)))
		return;
	cJSON_ArrayForEach(e, a) {
		if (r->n_eos < RUN_EOS_MAX && cJSON_IsString(e) && e->valuestring[0] && strlen(e->valuestring) < 256)
			if ((r->eos_tokens[r->n_eos] = xstrdup(e->valuestring)))
				r->n_eos++;
	}
}

static char *read_small_file(const char *path, size_t max, size_t *len, ts_error *err)
{
	FILE *f = fsafe_fopen_input(path, NULL, err); /* a regular file or refused */
	if (!f)
		return NULL;
	char *buf = malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
	int bad = ferror(f);
	fclose(f);
	if (!buf) {
		ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory", path);
		return NULL;
	}
	if (bad) {
		free(buf);
		ts_error_set(err, TS_ERR_IO, "%s: read error", path);
		return NULL;
	}
	if (n > max) {
		free(buf);
		ts_error_set(err, TS_ERR_LIMIT, "%s: larger than %zu bytes", path, max);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long json_long(const cJSON *o, const char *key, long dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e15)
		return (long)v->valuedouble;
	return dflt;
}

static int hex4(const char *s, size_t avail)
{
	if (avail < 4)
		return -1;
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* In the JSON string opening at s[i] (a '"'): replaces every \u escape that
 * is a lone UTF-16 surrogate with \uFFFD (the same six bytes) -- cJSON
 * refuses a whole text for one.  Returns the index of the closing quote (or
 * len); *hit is set when something was replaced. */
static size_t mend_string(char *s, size_t len, size_t i, int *hit)
{
	for (i++; i < len && s[i] != '"'; i++) {
		if (s[i] != '\\')
			continue;
		if (i + 1 >= len || s[i + 1] != 'u') {
			i++;
			continue;
		}
		int u = hex4(s + i + 2, len - i - 2);
		if (u >= 0xD800 && u <= 0xDBFF && i + 11 < len && s[i + 6] == '\\' && s[i + 7] == 'u') {
			int lo = hex4(s + i + 8, len - i - 8);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				i += 11; /* a valid pair */
				continue;
			}
		}
		if (u >= 0xD800 && u <= 0xDFFF) {
			memcpy(s + i + 2, "FFFD", 4);
			*hit = 1;
		}
		if (u >= 0)
			i += 5;
	}
	return i;
}

#define RUN_BAD_FIELDS 8

/* Mends lone surrogates in txt (mend_string) and records, for each string
 * that held one, the top-level key it belongs to: keys[k] = [start, end) of
 * the key's JSON text (quotes included).  Returns how many keys. */
static size_t mend_surrogates(char *s, size_t len, size_t keys[][2])
{
	int depth = 0;
	size_t nk = 0, key0 = 0, key1 = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if (c == '"') {
			int hit = 0;
			size_t start = i;
			i = mend_string(s, len, i, &hit);
			size_t j = i + 1;
			while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r'))
				j++;
			if (depth == 1 && j < len && s[j] == ':') {
				key0 = start;
				key1 = i + 1 < len ? i + 1 : len;
			}
			if (hit && depth >= 1 && key1 > key0 && nk < RUN_BAD_FIELDS &&
			    (!nk || keys[nk - 1][0] != key0)) {
				keys[nk][0] = key0;
				keys[nk][1] = key1;
				nk++;
			}
		}
	}
	return nk;
}

/* Drops the fields mend_surrogates found from j, each named in r->warnings. */
static void drop_bad_fields(run_info *r, cJSON *j, const char *txt, size_t keys[][2], size_t nk,
                            const char *path)
{
	for (size_t k = 0; k < nk; k++) {
		cJSON *key = cJSON_ParseWithLength(txt + keys[k][0], keys[k][1] - keys[k][0]);
		const char *name = cJSON_IsString(key) ? key->valuestring : "?";
		cJSON_DeleteItemFromObjectCaseSensitive(j, name);
		char m[600];
		snprintf(m, sizeof m, "%s: field \"%.200s\": a lone UTF-16 surrogate escape "
		         "(U+D800..U+DFFF); the field is ignored", path, name);
		size_t old = r->warnings ? strlen(r->warnings) : 0, add = strlen(m);
		char *w = realloc(r->warnings, old + add + 2);
		if (w) {
			memcpy(w + old, m, add);
			w[old + add] = '\n';
			w[old + add + 1] = '\0';
			r->warnings = w;
		}
		cJSON_Delete(key);
	}
}

static ts_status read_run_json(run_info *r, const char *dir, ts_error *err)
{
	char *path = path_join(dir, "run.json");
	if (!path)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	if (!exists(path)) {
		free(path);
		return TS_OK; /* run.json is optional (a FIFO or a device is refused, named) */
	}
	size_t len;
	char *txt = read_small_file(path, RUN_JSON_MAX, &len, err);
	if (!txt) {
		free(path);
		return err ? err->code : TS_ERR_IO;
	}
	size_t bad[RUN_BAD_FIELDS][2];
	size_t nbad = mend_surrogates(txt, len, bad);
	cJSON *j = cJSON_ParseWithLength(txt, len);
	if (cJSON_IsObject(j))
		drop_bad_fields(r, j, txt, bad, nbad, path);
	free(txt);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		ts_status st = ts_error_set(err, TS_ERR_JSON, "%s: not a JSON object", path);
		free(path);
		return st;
	}
	ts_status st = TS_OK;
	const char *s;
	if ((s = json_str(j, "name")) && *s) {
		free(r->name);
		r->name = xstrdup(s);
	}
	r->model = xstrdup(json_str(j, "model"));
	r->checkpoint = xstrdup(json_str(j, "checkpoint"));
	r->prompt = xstrdup(json_str(j, "prompt"));
	if ((s = json_str(j, "object")) && *s)
		r->object = xstrdup(s);
	r->max_new_tokens = json_long(j, "max_new_tokens", -1);
	r->budget = json_long(j, "budget", -1);
	r->simulated = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "simulated"));
	read_eos_tokens(r, j);
	if ((s = json_str(j, "coords")) && coords_parse(s, &r->coords) != TS_OK)
		st = ts_error_set(err, TS_ERR_FIELD, "%s: unknown coords convention '%s'", path, s);
	if (st == TS_OK && (s = json_str(j, "traces"))) {
		free(r->traces_path);
		r->traces_path = path_join(dir, s);
		r->traces_named = 1;
	}
	if (st == TS_OK && (s = json_str(j, "gt")))
		r->gt_path = path_join(dir, s);
	if (st == TS_OK && (s = json_str(j, "images")))
		r->images_dir = path_join(dir, s);
	cJSON_Delete(j);
	free(path);
	return st;
}

#define SNIFF_BYTES 4096 /* the head of a traces file that run_open looks at */

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

/* Does line [p, e) (no newline) start the way trace_file.c's containers
 * start a line: a JSON object (JSONL, Ollama NDJSON, a whole sample in an
 * SSE data: line) or an SSE field (data:, event:, id:, retry:, ": comment")? */
static int traces_line(const char *p, const char *e)
{
	if (e - p >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3; /* UTF-8 byte order mark */
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	static const char *const sse[] = { "data:", "event:", "id:", "retry:" };
	if (p < e && (*p == '{' || *p == ':'))
		return 1;
	for (size_t i = 0; i < sizeof sse / sizeof *sse; i++) {
		size_t n = strlen(sse[i]);
		if ((size_t)(e - p) >= n && !memcmp(p, sse[i], n))
			return 1;
	}
	return 0;
}

/* A file given as a run: refused when it is empty (nothing but blanks) or
 * when its first non-blank line is neither JSON nor an SSE field -- a
 * README.md or an image among the runs a shell glob names.  A file named *.jsonl,
 * *.ndjson or *.sse is read whatever its first line is (the reader reports
 * a malformed line by FILE:LINE and goes on).  The one rule for every
 * command (report, plot, the debugger, png, formats) -- README.md in sample_runs. */
static ts_status sniff_file(const char *path, ts_error *err)
{
	zfile *f;
	zfile_limits zl = { SNIFF_BYTES * 2, 0 };
	ts_status zst = zfile_open(path, &zl, &f, err);
	if (zst)
		return zst;
	char buf[SNIFF_BYTES + 1];
	size_t n = 0, got;
	while (n < sizeof buf && (got = zfile_read(f, buf + n, sizeof buf - n)) > 0)
		n += got;
	ts_error ze;
	int bad = zfile_error(f, &ze) != TS_OK, more = n > SNIFF_BYTES;
	zfile_close(f);
	if (more)
		n = SNIFF_BYTES;
	if (bad && n == 0)
		return ts_error_set(err, TS_ERR_IO, "%s: %s", path, ze.msg);
	size_t line = 1;
	const char *p = buf, *end = buf + n;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		line += *p == '\n';
		p++;
	}
	if (p == end) {
		if (more)
			return TS_OK; /* 4 KiB of blanks: let the reader decide */
		return ts_error_set(err, TS_ERR_FORMAT, "%s: the file is empty (no traces); skipped",
		                    path);
	}
	if (has_suffix(path, ".jsonl") || has_suffix(path, ".ndjson") || has_suffix(path, ".sse"))
		return TS_OK;
	const char *e = memchr(p, '\n', (size_t)(end - p));
	if (traces_line(p, e ? e : end))
		return TS_OK;
	return ts_error_set(err, TS_ERR_FORMAT,
	                    "%s:%zu: not a traces file (neither JSON Lines nor an SSE recording); "
	                    "skipped",
	                    path, line);
}

/* sniff_file on a traces file, or on the first shard of a set (shards.h):
 * a set without any shard is TS_ERR_NOTFOUND. */
static ts_status sniff_traces(const char *path, ts_error *err)
{
	if (!shards_is_set(path))
		return sniff_file(path, err);
	shard_list l;
	ts_error e;
	ts_status st = shards_expand(path, &l, &e);
	if (st)
		return ts_error_set(err, st, "%s; skipped", e.msg);
	st = sniff_file(l.paths[0], err);
	shard_list_free(&l);
	return st;
}

/* A run directory without traces.jsonl whose run.json names no traces:
 * its shards, when it has any (traces-00001-of-00064.jsonl.gz, part-*.json,
 * *.jsonl...), are the run's traces. */
static int dir_has_shards(const char *dir)
{
	shard_list l;
	if (shards_expand(dir, &l, NULL) != TS_OK)
		return 0;
	shard_list_free(&l);
	return 1;
}

int run_not_a_run(const char *path)
{
	if (is_dir(path)) {
		char *t = path_join(path, "traces.jsonl"), *j = path_join(path, "run.json");
		int no = t && j && !exists(t) && !exists(j) && !dir_has_shards(path);
		free(t);
		free(j);
		return no;
	}
	struct stat sb;
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0)
		return 0;
	ts_error err;
	return sniff_traces(path, &err) == TS_ERR_FORMAT && strstr(err.msg, "not a traces file");
}

ts_status run_open(const char *path, run_info **out, ts_error *err)
{
	*out = NULL;
	run_info *r = calloc(1, sizeof *r);
	if (!r)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	r->coords = COORDS_AUTO;
	r->max_new_tokens = -1;
	r->budget = -1;
	r->path = xstrdup(path);
	r->name = base_name(path);
	ts_status st = TS_OK;
	if (is_dir(path)) {
		r->traces_path = path_join(path, "traces.jsonl");
		st = read_run_json(r, path, err);
		if (st == TS_OK && !r->gt_path) {
			char *g = path_join(path, "gt.json");
			if (g && exists(g))
				r->gt_path = g;
			else
				free(g);
		}
		if (st == TS_OK && !r->images_dir) {
			char *d = path_join(path, "images");
			if (d && is_dir(d))
				r->images_dir = d;
			else
				free(d);
		}
		if (st == TS_OK && !r->traces_named && !exists(r->traces_path) && dir_has_shards(path)) {
			free(r->traces_path);
			r->traces_path = xstrdup(path);
		}
		if (st == TS_OK && !exists(r->traces_path) && !shards_is_set(r->traces_path))
			st = ts_error_set(err, TS_ERR_NOTFOUND,
			                  "%s: not a run (no traces file %s); skipped", path,
			                  r->traces_path);
		if (st == TS_OK)
			st = sniff_traces(r->traces_path, err);
	} else if (exists(path)) { /* a FIFO or a device: refused by sniff_traces, named */
		r->traces_path = xstrdup(path);
		st = sniff_traces(path, err);
	} else {
		/* errno from is_dir/is_file may be stale (set by an earlier call
		 * elsewhere): ask again */
		struct stat sb;
		int e = stat(path, &sb) == 0 ? 0 : errno;
		st = ts_error_set(err, TS_ERR_NOTFOUND, "%s: %s", path,
		                  e ? strerror(e) : "not a regular file or directory");
	}
	if (st == TS_OK && (!r->path || !r->name || !r->traces_path))
		st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	if (st != TS_OK) {
		run_info_free(r);
		return st;
	}
	*out = r;
	return TS_OK;
}

void run_metrics_init(run_metrics *m, const analysis_opts *o)
{
	memset(m, 0, sizeof *m);
	m->n_iou = o->n_iou;
	memcpy(m->iou, o->iou, sizeof m->iou);
}

void run_metrics_add(run_metrics *m, const sample_outcome *o)
{
	m->samples++;
	m->records += o->rep.records;
	m->duplicates += o->rep.duplicates;
	if (o->rep.max_repeat > m->max_repeat)
		m->max_repeat = o->rep.max_repeat;
	m->samples_with_duplicates += o->rep.duplicates > 0;
	m->closed += o->term == TERM_CLOSED;
	m->truncated += o->term == TERM_TRUNCATED;
	m->malformed += o->term == TERM_MALFORMED;
	m->stopped += o->term == TERM_STOPPED;
	m->tokens += o->tokens;
	for (size_t j = 0; j < m->n_iou; j++) {
		m->counts[j].tp += o->counts[j].tp;
		m->counts[j].fp += o->counts[j].fp;
		m->counts[j].fn += o->counts[j].fn;
		m->tp_lost[j] += o->tp_lost[j];
	}
	m->tokens_all += o->steps_all;
	m->tails += o->has_tail != 0;
	m->false_stops += o->false_stop != 0;
	m->early_stops += o->early_stop != 0;
	m->tails_unstopped += o->tail_unstopped != 0;
	if (o->tide_ok) {
		tide_sum(&m->tide, &o->tide);
		m->tide_ok = 1;
	}
}

size_t run_metrics_tokens_saved(const run_metrics *m)
{
	return m->tokens_all > m->tokens ? m->tokens_all - m->tokens : 0;
}

void run_metrics_finish(run_metrics *m)
{
	m->duplicate_rate = m->records ? (double)m->duplicates / (double)m->records : 0.0;
	m->termination_rate = m->samples ? (double)(m->closed + m->stopped) / (double)m->samples : 0.0;
	for (size_t j = 0; j < m->n_iou; j++)
		m->prf[j] = metrics_prf_from(&m->counts[j]);
}

ts_status run_sample_analyze(const trace *t, const gt *g, const char *gt_name,
                             const analysis_opts *o, const gt_image **img, sample **out,
                             ts_error *err)
{
	*out = NULL;
	*img = g ? run_find_image(g, t) : NULL;
	ts_error aerr;
	ts_status st = sample_analyze(t, g, *img, 0, 0, o, out, &aerr);
	if (!g || *img) {
		if (st != TS_OK && err)
			*err = aerr;
		return st;
	}
	int64_t id;
	const char *gn = gt_name ? gt_name : "the ground truth";
	if (trace_image_id(t, &id))
		return ts_error_set(err, TS_ERR_NOTFOUND, "image_id %lld is not in %s", (long long)id, gn);
	const char *ref = trace_file_name(t);
	if (!ref)
		ref = trace_custom_id(t);
	return ts_error_set(err, TS_ERR_NOTFOUND, "%s%s%s not in %s",
	                    ref ? "image '" : "no image reference (image_id, file_name, custom_id)",
	                    ref ? ref : "", ref ? "'" : "", gn);
}

void run_metrics_add_sample(run_metrics *m, const policy *pols, size_t n_pol, const sample *s,
                            sample_outcome *oc)
{
	for (size_t p = 0; p < n_pol; p++) {
		sample_outcome o = sample_outcome_for(s, &pols[p]);
		run_metrics_add(&m[p], &o);
		run_metrics_finish(&m[p]);
		if (oc)
			oc[p] = o;
	}
}

const char *const run_maxrepeat_bin_labels[RUN_MAXREPEAT_BINS] = {
	"0", "1", "2", "3-4", "5-8", "9-16", "17-32", "33-64", "65+"
};

int run_maxrepeat_bin(size_t v)
{
	if (v <= 2)
		return (int)v;
	int b = 3;
	for (size_t hi = 4; hi < 64 && v > hi; hi *= 2)
		b++;
	return v > 64 ? RUN_MAXREPEAT_BINS - 1 : b;
}

const gt_image *run_find_image(const gt *g, const trace *t)
{
	int64_t id;
	if (trace_image_id(t, &id))
		return gt_find_image_id(g, id);
	const char *name = trace_file_name(t);
	if (name)
		return gt_find_file_name(g, name);
	const char *cid = trace_custom_id(t);
	if (cid)
		return gt_find_custom_id(g, cid);
	return NULL;
}

/* relative, and no ".." component */
static int safe_relative(const char *name)
{
	if (!name[0] || name[0] == '/')
		return 0;
	for (const char *p = name; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		if (!e)
			break;
		p = e + 1;
	}
	return 1;
}

char *run_image_path(const char *images_dir, const char *name)
{
	if (!images_dir || !images_dir[0] || !name || !name[0])
		return NULL;
	char *full = NULL;
	if (safe_relative(name)) {
		full = join2(images_dir, name);
		if (!full || is_file(full))
			return full;
	}
	const char *b = strrchr(name, '/');
	b = b ? b + 1 : name;
	if (!*b || !strcmp(b, ".") || !strcmp(b, ".."))
		return full;
	char *base = join2(images_dir, b);
	if (base && (is_file(base) || !full)) {
		free(full);
		return base; /* a missing file is reported by the loader, naming this path */
	}
	free(base);
	return full;
}

void run_trace_limits(const run_info *r, const trace_limits *in, trace_limits *out)
{
	if (in)
		*out = *in;
	else
		trace_limits_default(out);
	if (out->infer_max_tokens <= 0 && r && r->max_new_tokens > 0)
		out->infer_max_tokens = r->max_new_tokens;
}
