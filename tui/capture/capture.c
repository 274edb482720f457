/* capture.c — the capture engine: images in, requests on a libcurl multi
 * handle, SSE through cap_resp, traces.jsonl lines out (see capture.h). */
#include "capture.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cap_buf.h"
#include "cap_redact.h"
#include "cap_resp.h"
#include "cap_sse.h"
#include "fdio.h"
#include "fsafe.h"
#include "gt.h"
#include "render.h"
#include "run.h"
#include "zfile.h"
#include "sanitize.h"
#include "trace.h"

#define ERR_BODY_MAX 4096      /* bytes of an HTTP error body kept for the message */
#define SSE_EVENT_MAX (4u << 20) /* one chat.completion.chunk; real ones are < 10 KiB */
#define MSG_COLS 300           /* columns of quoted server text in a message */

typedef struct cap_img {
	char *path;      /* file to send */
	char *file_name; /* name written in the trace (gt file_name or the directory entry) */
	int has_id;
	int64_t id;
	int done;        /* already in traces.jsonl (--resume) */
} cap_img;

typedef struct job {
	CURL *h;
	int busy;
	size_t img;
	int attempt;       /* 1-based */
	cap_buf body;
	cap_sse sse;
	cap_resp resp;
	cap_buf errbody;
	long http;
	int stop;          /* we stopped it: policy fired or a limit cut it */
	int fault;         /* malformed SSE / error event: err says what */
	int sse_done;      /* [DONE] seen */
	ts_error err;
	double t0;
	double last_rx;    /* last byte received (idle --timeout) */
	double win_t0;     /* start of the --min-rate window (0: no byte yet) */
	size_t win_bytes;  /* bytes received in it */
	int timed_out;     /* 1 idle --timeout, 2 --deadline, 3 under --min-rate */
	char curl_err[CURL_ERROR_SIZE];
} job;

typedef struct retry {
	size_t img;
	int attempt; /* the attempt to make */
	double due;
} retry;

typedef struct cap_state {
	const capture_opts *o;
	char url[2048];
	cap_img *imgs;
	size_t n_imgs, next_img;
	retry *retries;
	size_t n_retries, cap_retries;
	job *jobs;
	size_t n_jobs;
	CURLM *multi;
	int curl_inited;
	struct curl_slist *hdrs;
	int out_fd;
	zfile_kind out_kind; /* --resume on a compressed traces.jsonl: one member/frame a line */
	int dir_fd;          /* the run directory: every write is openat/renameat on it */
	dev_t out_dev;       /* traces.jsonl's device and inode (an image is never it) */
	ino_t out_ino;
	char *traces_path, *run_json_path;
	char started[32];
	char server_model[128];
	/* counts */
	size_t resumed, captured, failed, active;
	size_t tokens, records, duplicates, stops;
	double t0, last_progress;
	int bar, bar_shown;
	cap_buf line;
} cap_state;

void capture_opts_default(capture_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_tokens = 1024;
	o->top_logprobs = 5;
	o->concurrency = 4;
	o->retries = 2;
	o->temperature = 0.0;
	o->timeout = 120.0;
	o->deadline = 900.0;
	o->min_rate = 32.0;
	o->backoff = 1.0;
	o->pol.kind = POLICY_OFF;
	o->progress = -1;
	o->progress_every = 10.0;
	limits_set_default(&o->lim);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- messages ---- */

static void clear_bar(cap_state *s)
{
	if (s->bar_shown) {
		fputs("\r\033[K", stderr);
		s->bar_shown = 0;
	}
}

/* "tailscope capture: " + sanitized text. */
static void msg(cap_state *s, const char *text)
{
	char clean[2048], safe[2048];
	clear_bar(s);
	cap_redact(text, safe, sizeof safe); /* no credentials in any message */
	sanitize_cstr(safe, clean, sizeof clean, 0);
	fprintf(stderr, "tailscope capture: %s\n", clean);
}

static void msgf(cap_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void msgf(cap_state *s, const char *fmt, ...)
{
	char raw[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	msg(s, raw);
}

/* ---- images ---- */

/* dir/name (glib, already linked through chafa); free with g_free. */
static char *join(const char *dir, const char *name)
{
	return g_build_filename(dir, name, NULL);
}

static int has_image_ext(const char *n)
{
	const char *dot = strrchr(n, '.');
	return dot && (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") ||
	               !strcasecmp(dot, ".jpeg"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_img(cap_state *s, size_t *cap, const char *path, const char *name, int has_id,
                   int64_t id)
{
	if (s->n_imgs == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		cap_img *n = realloc(s->imgs, nc * sizeof *n);
		if (!n)
			return -1;
		s->imgs = n;
		*cap = nc;
	}
	cap_img *im = &s->imgs[s->n_imgs];
	memset(im, 0, sizeof *im);
	/* the viewer's rule (run.h): names from the data never leave --images */
	im->path = run_image_path(s->o->images, path);
	im->file_name = strdup(name);
	im->has_id = has_id;
	im->id = id;
	if (!im->path || !im->file_name) {
		free(im->path);
		free(im->file_name);
		return -1;
	}
	s->n_imgs++;
	return 0;
}

/* The images to capture: the ground truth's, in its order, or every PNG/JPEG
 * in the directory sorted by name.  Returns 0, or -1 after a message. */
static int list_images(cap_state *s)
{
	size_t cap = 0;
	if (s->o->gt) {
		gt *g = NULL;
		ts_error e;
		ts_error_clear(&e);
		if (gt_load(s->o->gt, &g, NULL, &e) != TS_OK) {
			msg(s, e.msg);
			return -1;
		}
		if (gt_duplicates_note(g)[0])
			msgf(s, "%s: %s (the first of each is captured)", s->o->gt, gt_duplicates_note(g));
		const gt_image *im = gt_images(g);
		for (size_t i = 0; i < gt_n_images(g); i++) {
			if (!im[i].file_name[0]) {
				msgf(s, "%s: image id %lld has no file_name: skipped", s->o->gt,
				     (long long)im[i].id);
				s->failed++;
				continue;
			}
			size_t bl;
			const char *b = run_path_base(im[i].file_name, &bl);
			if (!bl || (bl == 1 && b[0] == '.') || (bl == 2 && !memcmp(b, "..", 2))) {
				msgf(s, "%s: image id %lld: file_name '%s' names no file: skipped", s->o->gt,
				     (long long)im[i].id, im[i].file_name);
				s->failed++;
				continue;
			}
			if (add_img(s, &cap, im[i].file_name, im[i].file_name, 1, im[i].id)) {
				gt_free(g);
				msg(s, "out of memory");
				return -1;
			}
		}
		gt_free(g);
		return 0;
	}
	DIR *d = opendir(s->o->images);
	if (!d) {
		msgf(s, "%s: %s", s->o->images, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, ncap = 0;
	struct dirent *de;
	int bad = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !has_image_ext(de->d_name))
			continue;
		if (n == ncap) {
			ncap = ncap ? ncap * 2 : 64;
			char **nn = realloc(names, ncap * sizeof *nn);
			if (!nn) {
				bad = 1;
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name))) {
			bad = 1;
			break;
		}
		n++;
	}
	closedir(d);
	if (!bad && n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (!bad && add_img(s, &cap, names[i], names[i], 0, 0))
			bad = 1;
		free(names[i]);
	}
	free(names);
	if (bad) {
		msg(s, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- request body ---- */

/* Reads the image (the viewer's checks and caps: PNG/JPEG, dimensions,
 * pixels, file size) and builds the chat completion request into b. */
static int build_body(cap_state *s, const cap_img *im, cap_buf *b, ts_error *err)
{
	const capture_opts *o = s->o;
	const render_limits *rl = &o->lim.image;
	struct stat st;
	FILE *f = fsafe_fopen_input(im->path, &st, err); /* a regular file or refused */
	if (!f)
		return -1;
	if (st.st_dev == s->out_dev && st.st_ino == s->out_ino) {
		fclose(f);
		return ts_error_set(err, TS_ERR_USAGE, "%s: the same file as %s: refused", im->path,
		                    s->traces_path), -1;
	}
	uint64_t maxb = rl->max_file_bytes ? rl->max_file_bytes : ((uint64_t)64 << 20);
	if ((uint64_t)st.st_size > maxb) {
		fclose(f);
		return ts_error_set(err, TS_ERR_LIMIT, "%s: larger than image_bytes (%llu)", im->path,
		                    (unsigned long long)maxb),
		       -1;
	}
	size_t len = (size_t)st.st_size;
	uint8_t *data = malloc(len ? len : 1);
	size_t got = data ? fread(data, 1, len, f) : 0;
	fclose(f);
	if (!data || got != len) {
		free(data);
		return ts_error_set(err, TS_ERR_IO, "%s: read error", im->path), -1;
	}
	render_image *ri = NULL;
	if (render_image_load_mem(data, len, im->path, rl, &ri, err) != TS_OK) {
		free(data);
		return -1;
	}
	render_image_free(ri);
	const char *mime = len > 3 && data[0] == 0x89 && data[1] == 'P' ? "image/png" : "image/jpeg";

	cap_buf_reset(b);
	int bad = cap_buf_puts(b, "{");
	if (o->model)
		bad |= cap_buf_puts(b, "\"model\":") || cap_json_str(b, o->model, strlen(o->model)) ||
		       cap_buf_puts(b, ",");
	bad |= cap_buf_printf(b, "\"messages\":[{\"role\":\"user\",\"content\":["
	                         "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:%s;base64,",
	                      mime);
	/* base64 straight into the body (glib: 4 bytes per 3, plus the tail) */
	char *dst = bad ? NULL : cap_buf_reserve(b, (len / 3 + 1) * 4 + 4);
	if (dst) {
		gint state = 0, save = 0;
		gsize n = g_base64_encode_step(data, len, FALSE, dst, &state, &save);
		n += g_base64_encode_close(FALSE, dst + n, &state, &save);
		b->len += n;
	} else {
		bad = 1;
	}
	free(data);
	bad |= cap_buf_puts(b, "\"}},{\"type\":\"text\",\"text\":") ||
	       cap_json_str(b, o->prompt, strlen(o->prompt)) ||
	       cap_buf_printf(b, "}]}],\"max_tokens\":%ld,\"temperature\":", o->max_tokens) ||
	       cap_json_num(b, o->temperature) ||
	       cap_buf_printf(b, ",\"logprobs\":true,\"top_logprobs\":%ld,\"stream\":true}",
	                      o->top_logprobs) ||
	       cap_buf_terminate(b);
	if (bad)
		return ts_error_set(err, TS_ERR_NOMEM, "%s: out of memory building the request", im->path),
		       -1;
	return 0;
}

/* ---- curl callbacks ---- */

static int on_event(void *ud, const char *data, size_t len)
{
	job *j = ud;
	if (j->sse_done)
		return 0;
	ts_error e;
	ts_error_clear(&e);
	switch (cap_resp_event(&j->resp, data, len, &e)) {
	case CAP_EV_MORE:
		return 0;
	case CAP_EV_DONE:
		j->sse_done = 1;
		return 0;
	case CAP_EV_STOPPED:
		j->stop = 1;
		return 1;
	case CAP_EV_ERROR:
		j->fault = 1;
		j->err = e;
		return 1;
	}
	return 1;
}

static size_t on_data(char *p, size_t sz, size_t nm, void *ud)
{
	job *j = ud;
	size_t n = sz * nm;
	j->last_rx = now_s();
	if (!j->win_t0)
		j->win_t0 = j->last_rx;
	j->win_bytes += n;
	if (!j->http)
		curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &j->http);
	if (j->http < 200 || j->http >= 300) {
		size_t room = ERR_BODY_MAX - j->errbody.len;
		if (room)
			cap_buf_add(&j->errbody, p, n < room ? n : room);
		return n;
	}
	if (j->sse_done || j->stop || j->fault)
		return j->sse_done ? n : 0;
	cap_sse_status st = cap_sse_feed(&j->sse, p, n, on_event, j);
	if (st == CAP_SSE_TOOBIG) {
		j->fault = 1;
		ts_error_set(&j->err, TS_ERR_LIMIT, "an SSE event longer than %u bytes", SSE_EVENT_MAX);
	}
	if (j->stop || j->fault)
		return 0; /* aborts the transfer: curl closes the connection */
	return n;
}

/* ---- jobs ---- */

static int job_start(cap_state *s, job *j, size_t img, int attempt)
{
	const capture_opts *o = s->o;
	cap_img *im = &s->imgs[img];
	ts_error e;
	ts_error_clear(&e);
	if (build_body(s, im, &j->body, &e)) {
		msgf(s, "%s", e.msg);
		s->failed++;
		return -1;
	}
	cap_sse_reset(&j->sse);
	cap_resp_reset(&j->resp);
	cap_buf_reset(&j->errbody);
	j->http = 0;
	j->stop = j->fault = j->sse_done = 0;
	ts_error_clear(&j->err);
	j->img = img;
	j->attempt = attempt;
	j->t0 = j->last_rx = now_s();
	j->win_t0 = 0;
	j->win_bytes = 0;
	j->timed_out = 0;
	j->curl_err[0] = '\0';
	if (!j->h && !(j->h = curl_easy_init())) {
		msg(s, "curl_easy_init failed");
		s->failed++;
		return -1;
	}
	CURL *h = j->h;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, s->url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, j->body.p);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->body.len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, s->hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(h, CURLOPT_PRIVATE, j);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, j->curl_err);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "tailscope/" TS_VERSION);
	long to = o->timeout >= 1 ? (long)ceil(o->timeout) : 1;
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, to);
	/* the idle timeout is ours (main loop): curl's low-speed check averages
	 * over seconds that include the upload of the request */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (curl_multi_add_handle(s->multi, h) != CURLM_OK) {
		msg(s, "curl_multi_add_handle failed");
		s->failed++;
		return -1;
	}
	j->busy = 1;
	s->active++;
	return 0;
}

static int add_retry(cap_state *s, size_t img, int attempt, double due)
{
	if (s->n_retries == s->cap_retries) {
		size_t nc = s->cap_retries ? s->cap_retries * 2 : 16;
		retry *r = realloc(s->retries, nc * sizeof *r);
		if (!r)
			return -1;
		s->retries = r;
		s->cap_retries = nc;
	}
	s->retries[s->n_retries++] = (retry){ img, attempt, due };
	return 0;
}

/* Next work: a retry that is due, else a new image.  Returns 0 when none. */
static int next_work(cap_state *s, double now, size_t *img, int *attempt)
{
	for (size_t i = 0; i < s->n_retries; i++)
		if (s->retries[i].due <= now) {
			*img = s->retries[i].img;
			*attempt = s->retries[i].attempt;
			s->retries[i] = s->retries[--s->n_retries];
			return 1;
		}
	while (s->next_img < s->n_imgs) {
		size_t i = s->next_img++;
		if (!s->imgs[i].done) {
			*img = i;
			*attempt = 1;
			return 1;
		}
	}
	return 0;
}

/* Appends one line: one write(2) (O_APPEND), retried only when short.  A
 * compressed traces.jsonl (--resume) takes it as one whole gzip member /
 * zstd frame, written the same way: a crash leaves at most one partial
 * member at the end, which the next --resume cuts (resume_cut). */
static int append_line(cap_state *s, const char *p, size_t n)
{
	if (s->out_kind == ZFILE_PLAIN)
		return fdio_write_all(s->out_fd, p, n);
	unsigned char *z = NULL;
	size_t zn = 0;
	ts_error e;
	if (zfile_pack(s->out_kind, p, n, &z, &zn, &e) != TS_OK) {
		errno = ENOMEM;
		return -1;
	}
	int rc = fdio_write_all(s->out_fd, z, zn);
	free(z);
	return rc;
}

static int retryable_http(long code)
{
	return code == 408 || code == 429 || code >= 500;
}

/* What went wrong with a finished request, into why ("" when nothing did);
 * returns 0 when a retry cannot help (HTTP 4xx other than 408/429). */
static int job_fault(const cap_state *s, job *j, CURLcode rc, char *why, size_t whysz)
{
	const capture_opts *o = s->o;
	const cap_resp *r = &j->resp;
	long http = 0;
	curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &http);
	int retry_ok = 1;
	why[0] = '\0';
	if (j->stop) {
		/* ours: the policy fired or a limit cut the response */
	} else if (j->timed_out == 2) {
		snprintf(why, whysz, "over --deadline after %zu steps: %g s in all", r->n_steps,
		         o->deadline);
	} else if (j->timed_out == 3) {
		snprintf(why, whysz, "too slow after %zu steps: %zu bytes in %g s, under --min-rate "
		         "%g bytes/s", r->n_steps, j->win_bytes, CAPTURE_RATE_WINDOW, o->min_rate);
	} else if (j->timed_out) {
		snprintf(why, whysz, "timed out after %zu steps: no data for %g s", r->n_steps,
		         o->timeout);
	} else if (j->fault) {
		snprintf(why, whysz, "malformed stream after %zu steps: %s", r->n_steps, j->err.msg);
	} else if (http && (http < 200 || http >= 300)) {
		char body[ERR_BODY_MAX + 1];
		size_t n = j->errbody.len;
		memcpy(body, j->errbody.p ? j->errbody.p : "", n);
		body[n] = '\0';
		while (n && (body[n - 1] == '\n' || body[n - 1] == '\r'))
			body[--n] = '\0';
		snprintf(why, whysz, "HTTP %ld%s%.600s", http, n ? ": " : "", body);
		retry_ok = retryable_http(http);
	} else if (rc != CURLE_OK) {
		const char *what = rc == CURLE_OPERATION_TIMEDOUT ? "timed out"
		                   : rc == CURLE_COULDNT_CONNECT  ? "connection failed"
		                   : r->n_steps || r->events      ? "stream cut"
		                                                  : "request failed";
		snprintf(why, whysz, "%s after %zu steps: %s", what, r->n_steps,
		         j->curl_err[0] ? j->curl_err : curl_easy_strerror(rc));
	} else if (!r->events) {
		char *ct = NULL;
		curl_easy_getinfo(j->h, CURLINFO_CONTENT_TYPE, &ct);
		snprintf(why, whysz, "no SSE event in the response (Content-Type: %.100s): does the "
		         "server stream chat completions (\"stream\": true)?", ct ? ct : "none");
	} else if (!r->finish[0] && !j->sse_done) {
		snprintf(why, whysz, "stream cut after %zu steps (no finish_reason, no [DONE])",
		         r->n_steps);
	}
	return retry_ok;
}

static void job_done(cap_state *s, job *j, CURLcode rc)
{
	const capture_opts *o = s->o;
	cap_img *im = &s->imgs[j->img];
	curl_multi_remove_handle(s->multi, j->h);
	j->busy = 0;
	s->active--;
	char why[1024];
	cap_resp *r = &j->resp;
	int retry_ok = job_fault(s, j, rc, why, sizeof why);
	if (why[0]) {
		if (retry_ok && j->attempt <= o->retries) {
			double delay = o->backoff * pow(2.0, j->attempt - 1);
			if (delay > 60)
				delay = 60;
			if (!o->quiet)
				msgf(s, "%s: attempt %d of %ld: %s; retrying in %.1f s", im->file_name,
				     j->attempt, o->retries + 1, why, delay);
			if (add_retry(s, j->img, j->attempt + 1, now_s() + delay) == 0)
				return;
		}
		msgf(s, "%s: failed after %d attempt%s: %s%s", im->file_name, j->attempt,
		     j->attempt == 1 ? "" : "s", why, retry_ok ? "" : " (not retried)");
		s->failed++;
		return;
	}
	char meta[160];
	snprintf(meta, sizeof meta, "\"attempts\":%d,\"seconds\":%.3f", j->attempt, now_s() - j->t0);
	cap_ref ref = { im->has_id, im->id, im->file_name };
	cap_buf_reset(&s->line);
	if (cap_resp_line(r, &ref, meta, &s->line) || append_line(s, s->line.p, s->line.len)) {
		msgf(s, "%s: cannot write %s: %s", im->file_name, s->traces_path,
		     s->line.over ? "line over line_bytes or out of memory" : strerror(errno));
		s->failed++;
		return;
	}
	if (!s->server_model[0] && r->model[0])
		snprintf(s->server_model, sizeof s->server_model, "%s", r->model);
	s->captured++;
	s->tokens += r->n_steps;
	s->records += cap_resp_records(r);
	s->duplicates += cap_resp_duplicates(r);
	s->stops += (size_t)r->fired;
	if (r->limit_cut)
		msgf(s, "%s: response cut: %s (recorded with finish_reason \"length\")", im->file_name,
		     r->limit_what);
}

/* ---- progress ---- */

static void progress(cap_state *s, int final)
{
	const capture_opts *o = s->o;
	if (o->quiet && !final)
		return;
	double now = now_s();
	size_t total = s->n_imgs - s->resumed;
	size_t done = s->captured + s->failed;
	double el = now - s->t0;
	double rate = el > 0 ? (double)done / el : 0;
	double dup = s->records ? (double)s->duplicates / (double)s->records : 0;
	char stops[64] = "";
	if (o->pol.kind != POLICY_OFF)
		snprintf(stops, sizeof stops, "  stops %zu", s->stops);
	if (s->bar && !final) {
		if (now - s->last_progress < 0.1)
			return;
		s->last_progress = now;
		int w = 24, fill = total ? (int)((double)w * (double)done / (double)total) : w;
		char bar[32];
		for (int i = 0; i < w; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[w] = '\0';
		double eta = rate > 0 ? (double)(total - done) / rate : 0;
		fprintf(stderr, "\r\033[K[%s] %zu/%zu  %.1f req/s  ETA %d:%02d  dup %.3f%s%s", bar,
		        done, total, rate, (int)eta / 60, (int)eta % 60, dup, stops,
		        s->failed ? "  failed " : "");
		if (s->failed)
			fprintf(stderr, "%zu", s->failed);
		s->bar_shown = 1;
		return;
	}
	if (!final && now - s->last_progress < o->progress_every)
		return;
	s->last_progress = now;
	clear_bar(s);
	fprintf(stderr, "tailscope capture: %zu/%zu done, %zu failed, %.1f req/s, %zu tokens, "
	                "duplicate rate %.3f%s\n",
	        done, total, s->failed, rate, s->tokens, dup, stops);
}

/* ---- run directory ---- */

static char *abs_path(const char *p)
{
	char *r = p ? realpath(p, NULL) : NULL;
	return r ? r : (p ? strdup(p) : NULL);
}

/* name in the run directory gets p[0..n) atomically: a temp file created
 * there (O_EXCL | O_NOFOLLOW), written, fsync'd and renamed over name --
 * a symlink there is replaced, never followed.  0, or -1 with errno. */
static int write_in_run_dir(int dir_fd, const char *name, const char *p, size_t n)
{
	char tmp[64];
	snprintf(tmp, sizeof tmp, ".%s.tmp%ld", name, (long)getpid());
	int fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	int ok = fdio_write_all(fd, p, n) == 0 && fsync(fd) == 0;
	int e = errno;
	ok &= close(fd) == 0;
	if (ok && renameat(dir_fd, tmp, dir_fd, name) == 0)
		return 0;
	e = errno ? errno : e;
	unlinkat(dir_fd, tmp, 0);
	errno = e;
	return -1;
}

static int write_run_json(cap_state *s, int final)
{
	const capture_opts *o = s->o;
	cap_buf b;
	cap_buf_init(&b, 0);
	char pname[48], *imgs = abs_path(o->images), *gtp = abs_path(o->gt);
	policy_name(&o->pol, pname, sizeof pname);
	const char *base = strrchr(o->out, '/');
	base = base && base[1] ? base + 1 : o->out;
	const char *model = o->model ? o->model : s->server_model[0] ? s->server_model : NULL;
	int bad = cap_buf_puts(&b, "{\n  \"name\": ") || cap_json_str(&b, base, strlen(base));
	if (model)
		bad |= cap_buf_puts(&b, ",\n  \"model\": ") || cap_json_str(&b, model, strlen(model));
	if (o->coords)
		bad |= cap_buf_puts(&b, ",\n  \"coords\": ") || cap_json_str(&b, o->coords, strlen(o->coords));
	char url[sizeof s->url];
	cap_redact(s->url, url, sizeof url); /* userinfo and secret query keys: never on disk */
	bad |= cap_buf_puts(&b, ",\n  \"server\": ") || cap_json_str(&b, url, strlen(url)) ||
	       cap_buf_puts(&b, ",\n  \"prompt\": ") || cap_json_str(&b, o->prompt, strlen(o->prompt)) ||
	       cap_buf_printf(&b, ",\n  \"max_new_tokens\": %ld,\n  \"top_logprobs\": %ld,\n"
	                          "  \"temperature\": ",
	                      o->max_tokens, o->top_logprobs) ||
	       cap_json_num(&b, o->temperature) ||
	       cap_buf_puts(&b, ",\n  \"policy\": ") ||
	       cap_json_str(&b, pname, strlen(pname)) ||
	       cap_buf_printf(&b, ",\n  \"concurrency\": %ld,\n  \"retries\": %ld",
	                      o->concurrency, o->retries) ||
	       cap_buf_puts(&b, ",\n  \"tailscope_version\": \"" TS_VERSION "\",\n  \"started\": ") ||
	       cap_json_str(&b, s->started, strlen(s->started)) ||
	       cap_buf_puts(&b, ",\n  \"images\": ") || cap_json_str(&b, imgs, strlen(imgs));
	if (gtp)
		bad |= cap_buf_puts(&b, ",\n  \"gt\": ") || cap_json_str(&b, gtp, strlen(gtp));
	bad |= cap_buf_puts(&b, ",\n  \"traces\": \"traces.jsonl\"");
	if (final) {
		char fin[32];
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(fin, sizeof fin, "%Y-%m-%dT%H:%M:%SZ", &tm);
		bad |= cap_buf_printf(&b, ",\n  \"finished\": \"%s\",\n  \"captured\": %zu,\n"
		                          "  \"failed\": %zu,\n  \"resumed\": %zu,\n  \"stops\": %zu",
		                      fin, s->captured, s->failed, s->resumed, s->stops);
	}
	bad |= cap_buf_puts(&b, "\n}\n");
	free(imgs);
	free(gtp);
	if (bad) {
		cap_buf_free(&b);
		return -1;
	}
	int rc = write_in_run_dir(s->dir_fd, "run.json", b.p, b.len);
	cap_buf_free(&b);
	return rc;
}

static int same_ref(const cap_img *im, const trace *t)
{
	int64_t id;
	if (im->has_id && trace_image_id(t, &id))
		return id == im->id;
	const char *fn = trace_file_name(t);
	return fn && !strcmp(fn, im->file_name);
}

/* The kind of traces.jsonl (gzip/zstd by its magic, else plain). */
static zfile_kind traces_kind(cap_state *s)
{
	zfile *z = NULL;
	ts_error e;
	if (zfile_open(s->traces_path, NULL, &z, &e) != TS_OK)
		return ZFILE_PLAIN; /* the scan below names the problem */
	zfile_kind k = zfile_get_kind(z);
	zfile_close(z);
	return k;
}

/* A compressed traces.jsonl: keeps its whole members/frames, cuts a partial
 * last one (an interrupted append); new lines are appended as members. */
static int resume_cut(cap_state *s, int fd, off_t size)
{
	uint64_t keep = 0;
	ts_error e;
	if (zfile_whole_prefix(fd, s->out_kind, &keep, &e) != TS_OK) {
		msgf(s, "%s: cannot resume: %s; nothing cut", s->traces_path, e.msg);
		return -2;
	}
	if (keep < (uint64_t)size) {
		msgf(s, "%s: dropping a partial %s %s at the end (%lld bytes) left by an interrupted run",
		     s->traces_path, zfile_kind_name(s->out_kind),
		     s->out_kind == ZFILE_GZIP ? "member" : "frame", (long long)((uint64_t)size - keep));
		if (ftruncate(fd, (off_t)keep) != 0)
			return -1;
	}
	return 0;
}

/* --resume: drops a partial last line, marks the images already captured. */
static int resume_scan(cap_state *s)
{
	s->out_kind = traces_kind(s);
	int fd = openat(s->dir_fd, "traces.jsonl", O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	struct stat st;
	if (s->out_kind != ZFILE_PLAIN) {
		int rc = fstat(fd, &st) != 0 ? -1 : resume_cut(s, fd, st.st_size);
		if (rc) {
			close(fd);
			return rc;
		}
	} else if (fstat(fd, &st) == 0 && st.st_size > 0) {
		/* find the last newline */
		off_t end = st.st_size, keep = 0;
		char buf[4096];
		while (end > 0) {
			off_t from = end > (off_t)sizeof buf ? end - (off_t)sizeof buf : 0;
			ssize_t n = pread(fd, buf, (size_t)(end - from), from);
			if (n <= 0)
				break;
			ssize_t k = n - 1;
			while (k >= 0 && buf[k] != '\n')
				k--;
			if (k >= 0) {
				keep = from + k + 1;
				break;
			}
			end = from;
		}
		if (keep < st.st_size) {
			msgf(s, "%s: dropping a partial last line (%lld bytes) left by an interrupted run",
			     s->traces_path, (long long)(st.st_size - keep));
			if (ftruncate(fd, keep) != 0) {
				close(fd);
				return -1;
			}
		}
	}
	close(fd);
	trace_file *tf = NULL;
	ts_error e;
	ts_error_clear(&e);
	if (trace_file_open(s->traces_path, &s->o->lim.trace, &tf, &e) != TS_OK) {
		msg(s, e.msg);
		return -1;
	}
	/* index of images by id and by name would be faster; lines come in
	 * completion order, so look near the last match first */
	size_t hint = 0;
	for (;;) {
		trace *t = NULL;
		ts_status rc = trace_file_next(tf, &t, NULL, &e);
		if (rc == TS_EOF)
			break;
		if (rc != TS_OK)
			continue; /* a bad line: that image is captured again */
		for (size_t k = 0; k < s->n_imgs; k++) {
			size_t i = (hint + k) % s->n_imgs;
			if (!s->imgs[i].done && same_ref(&s->imgs[i], t)) {
				s->imgs[i].done = 1;
				s->resumed++;
				hint = i + 1;
				break;
			}
		}
		trace_free(t);
	}
	trace_file_close(tf);
	return 0;
}

static void make_url(cap_state *s)
{
	const char *u = s->o->server;
	size_t n = strcspn(u, "?#"), qn = strlen(u + n); /* the path, then ?query#fragment */
	while (n && u[n - 1] == '/')
		n--;
	const char *tail = "/v1/chat/completions";
	if (n >= 17 && !memcmp(u + n - 17, "/chat/completions", 17))
		tail = "";
	else if (n >= 3 && !memcmp(u + n - 3, "/v1", 3))
		tail = "/chat/completions";
	snprintf(s->url, sizeof s->url, "%.*s%s%.*s", (int)n, u, tail, (int)qn, u + strcspn(u, "?#"));
}

/* traces.jsonl before anything is written to it: absent, or (with
 * --resume) a regular file with one link that is no input of this capture.
 * A symlink is refused, dangling or not: capture never writes through one,
 * never outside the run directory.  0, or -1 after a message. */
static int check_traces_file(cap_state *s)
{
	struct stat st;
	if (fstatat(s->dir_fd, "traces.jsonl", &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : (msgf(s, "%s: %s", s->traces_path, strerror(errno)), -1);
	const char *in = NULL;
	if (S_ISLNK(st.st_mode))
		msgf(s, "%s is a symbolic link: refused (capture never writes through one)",
		     s->traces_path);
	else if (!S_ISREG(st.st_mode))
		msgf(s, "%s: %s, not a regular file: refused", s->traces_path,
		     fsafe_kind((unsigned)st.st_mode));
	else if ((in = fsafe_input_named(&st)))
		msgf(s, "refusing to write %s: it is the same file as the input %s", s->traces_path, in);
	else if (st.st_nlink > 1)
		msgf(s, "%s has %lu hard links: refused (appending would change another file)",
		     s->traces_path, (unsigned long)st.st_nlink);
	else if (!s->o->resume)
		msgf(s, "%s already exists: use --resume to continue it, or another -o", s->traces_path);
	else
		return 0;
	return -1;
}

/* mkdir -p for the components of path before its last one (like mkdir -p,
 * parents may be symbolic links to directories; the run directory itself is
 * opened without following one).  0, or -1 after a message. */
static int make_parents(cap_state *s, const char *path)
{
	char *p = strdup(path);
	if (!p) {
		msg(s, "out of memory");
		return -1;
	}
	size_t len = strlen(p);
	while (len > 1 && p[len - 1] == '/')
		p[--len] = 0; /* "runs/x/" names runs/x */
	int rc = 0;
	for (char *c = p + 1; *c && rc == 0; c++) {
		if (*c != '/' || c[-1] == '/')
			continue;
		*c = 0;
		struct stat st;
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			msgf(s, "%s: cannot create the directory: %s", p, strerror(errno));
			rc = -1;
		} else if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
			msgf(s, "%s: not a directory", p);
			rc = -1;
		}
		*c = '/';
	}
	free(p);
	return rc;
}

/* The run directory, the image list, --resume, traces.jsonl opened for
 * appending, the first run.json.  0, or -1 after a message. */
static int open_run(cap_state *s)
{
	const capture_opts *o = s->o;
	if (make_parents(s, o->out) != 0)
		return -1;
	if (mkdir(o->out, 0777) != 0 && errno != EEXIST) {
		msgf(s, "%s: %s", o->out, strerror(errno));
		return -1;
	}
	/* the run directory itself is never reached through a symbolic link
	 * ("link/" would follow one: trailing slashes are dropped first) */
	char *dir = strdup(o->out);
	if (!dir) {
		msg(s, "out of memory");
		return -1;
	}
	for (size_t k = strlen(dir); k > 1 && dir[k - 1] == '/'; k--)
		dir[k - 1] = 0;
	s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int open_errno = errno;
	struct stat ls;
	int is_link = s->dir_fd < 0 && lstat(dir, &ls) == 0 && S_ISLNK(ls.st_mode);
	free(dir);
	if (s->dir_fd < 0) {
		if (is_link)
			msgf(s, "%s is a symbolic link: refused (capture never writes through one)",
			     o->out);
		else
			msgf(s, "%s: %s", o->out, strerror(open_errno));
		return -1;
	}
	s->traces_path = join(o->out, "traces.jsonl");
	s->run_json_path = join(o->out, "run.json");
	if (!s->traces_path || !s->run_json_path || list_images(s))
		return -1;
	if (!s->n_imgs) {
		msgf(s, "%s: no PNG or JPEG images to capture", o->gt ? o->gt : o->images);
		return -1;
	}
	if (check_traces_file(s))
		return -1;
	int rs = o->resume ? resume_scan(s) : 0;
	if (rs) {
		if (rs == -1) /* -2: already said */
			msgf(s, "%s: cannot resume: %s", s->traces_path, strerror(errno));
		return -1;
	}
	s->out_fd = openat(s->dir_fd, "traces.jsonl",
	                   O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
	struct stat st;
	if (s->out_fd < 0 || fstat(s->out_fd, &st) != 0) {
		msgf(s, "%s: %s", s->traces_path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		msgf(s, "%s: %s, not a regular file: refused", s->traces_path,
		     fsafe_kind((unsigned)st.st_mode));
		return -1;
	}
	s->out_dev = st.st_dev;
	s->out_ino = st.st_ino;
	if (write_run_json(s, 0)) {
		msgf(s, "%s: cannot write: %s", s->run_json_path, strerror(errno));
		return -1;
	}
	if (s->resumed)
		msgf(s, "resuming: %zu of %zu images already in %s", s->resumed, s->n_imgs,
		     s->traces_path);
	return 0;
}

/* libcurl, the shared headers and one job per concurrent request. */
static int open_jobs(cap_state *s)
{
	const capture_opts *o = s->o;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		msg(s, "cannot initialise libcurl");
		return -1;
	}
	s->curl_inited = 1;
	if (!(s->multi = curl_multi_init())) {
		msg(s, "cannot initialise libcurl");
		return -1;
	}
	curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, o->concurrency);
	s->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	s->hdrs = curl_slist_append(s->hdrs, "Accept: text/event-stream");
	s->hdrs = curl_slist_append(s->hdrs, "Expect:");
	for (size_t i = 0; i < o->n_headers && s->hdrs; i++)
		s->hdrs = curl_slist_append(s->hdrs, o->headers[i]);
	s->n_jobs = (size_t)o->concurrency;
	s->jobs = calloc(s->n_jobs, sizeof *s->jobs);
	if (!s->hdrs || !s->jobs) {
		msg(s, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < s->n_jobs; i++) {
		job *j = &s->jobs[i];
		cap_buf_init(&j->body, 0);
		cap_buf_init(&j->errbody, ERR_BODY_MAX);
		cap_sse_init(&j->sse, SSE_EVENT_MAX);
		cap_resp_init(&j->resp, &o->lim.trace, &o->lim.rec, &o->pol);
		if (!j->resp.rp || !j->resp.tok) {
			msg(s, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Milliseconds to wait: up to 200 while requests run; with none running,
 * until the first retry is due (0 when new images are waiting). */
static int wait_ms(const cap_state *s)
{
	if (s->active || !s->n_retries || s->next_img < s->n_imgs)
		return s->active ? 200 : 0;
	double due = s->retries[0].due;
	for (size_t i = 1; i < s->n_retries; i++)
		if (s->retries[i].due < due)
			due = s->retries[i].due;
	double d = (due - now_s()) * 1000;
	return d < 0 ? 0 : d > 1000 ? 1000 : (int)d + 1;
}

/* 0, or why a running request is given up: 1 no data for --timeout, 2 over
 * --deadline in all, 3 fewer than --min-rate bytes/s over the last
 * CAPTURE_RATE_WINDOW seconds (a server that drips a byte or an SSE comment
 * now and then never trips the idle timeout).  Starts the next window. */
static int job_overdue(const capture_opts *o, job *j, double now)
{
	if (now - j->last_rx > o->timeout)
		return 1;
	if (now - j->t0 > o->deadline)
		return 2;
	if (o->min_rate > 0 && j->win_t0 && now - j->win_t0 >= CAPTURE_RATE_WINDOW) {
		if ((double)j->win_bytes < o->min_rate * CAPTURE_RATE_WINDOW)
			return 3;
		j->win_t0 = now;
		j->win_bytes = 0;
	}
	return 0;
}

/* Until every image is captured or given up. */
static void run_loop(cap_state *s)
{
	s->t0 = now_s();
	s->last_progress = s->bar ? 0 : s->t0;
	for (;;) {
		double now = now_s();
		for (size_t i = 0; i < s->n_jobs; i++) {
			job *j = &s->jobs[i];
			size_t img;
			int attempt;
			while (!j->busy && next_work(s, now, &img, &attempt))
				job_start(s, j, img, attempt);
		}
		if (!s->active && !s->n_retries)
			break;
		int running = 0;
		curl_multi_perform(s->multi, &running);
		CURLMsg *m;
		int left;
		while ((m = curl_multi_info_read(s->multi, &left))) {
			job *j = NULL;
			if (m->msg == CURLMSG_DONE &&
			    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j) == CURLE_OK && j)
				job_done(s, j, m->data.result);
		}
		now = now_s();
		for (size_t i = 0; i < s->n_jobs; i++) {
			job *j = &s->jobs[i];
			if (j->busy && (j->timed_out = job_overdue(s->o, j, now)))
				job_done(s, j, CURLE_OPERATION_TIMEDOUT);
		}
		progress(s, 0);
		int ms = wait_ms(s);
		if (s->active)
			curl_multi_poll(s->multi, NULL, 0, ms, NULL);
		else if (ms > 0)
			usleep((useconds_t)ms * 1000); /* only retries left, none due yet */
	}
}

static void close_run(cap_state *s)
{
	if (s->jobs) {
		for (size_t i = 0; i < s->n_jobs; i++) {
			job *j = &s->jobs[i];
			if (j->h) {
				if (j->busy)
					curl_multi_remove_handle(s->multi, j->h);
				curl_easy_cleanup(j->h);
			}
			cap_buf_free(&j->body);
			cap_buf_free(&j->errbody);
			cap_sse_free(&j->sse);
			cap_resp_free(&j->resp);
		}
		free(s->jobs);
	}
	if (s->multi)
		curl_multi_cleanup(s->multi);
	curl_slist_free_all(s->hdrs);
	if (s->curl_inited)
		curl_global_cleanup();
	if (s->out_fd >= 0)
		close(s->out_fd);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	for (size_t i = 0; i < s->n_imgs; i++) {
		free(s->imgs[i].path);
		free(s->imgs[i].file_name);
	}
	free(s->imgs);
	free(s->retries);
	g_free(s->traces_path);
	g_free(s->run_json_path);
	cap_buf_free(&s->line);
}

int capture_run(const capture_opts *o)
{
	cap_state S, *s = &S;
	memset(s, 0, sizeof *s);
	s->o = o;
	s->out_fd = -1;
	s->dir_fd = -1;
	s->bar = o->progress == 1 || (o->progress < 0 && isatty(2));
	make_url(s);
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(s->started, sizeof s->started, "%Y-%m-%dT%H:%M:%SZ", &tm);
	cap_buf_init(&s->line, o->lim.trace.max_line_bytes);
	int rc = 2;
	if (open_run(s) == 0 && open_jobs(s) == 0) {
		run_loop(s);
		progress(s, 1);
		if (write_run_json(s, 1))
			msgf(s, "%s: cannot write: %s", s->run_json_path, strerror(errno));
		char pname[48];
		msgf(s, "captured %zu of %zu images into %s (%zu resumed, %zu failed); policy %s: "
		        "%zu stops fired",
		     s->captured, s->n_imgs, o->out, s->resumed, s->failed,
		     policy_name(&o->pol, pname, sizeof pname), s->stops);
		rc = s->failed == 0 ? 0 : (s->captured + s->resumed) ? 1 : 2;
	}
	close_run(s);
	return rc;
}
