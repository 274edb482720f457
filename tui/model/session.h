/* session.h — what the debugger has open: runs, their samples' badges
 * (computed lazily in idle time), the run metrics under every policy of the
 * `o` cycle (compare.h: off, repeat_stop, budget:N, near_dup:0.9, dedup;
 * the same numbers as `tailscope report --policy ...`) and the one sample on
 * screen.  No curses; errors are values;
 * messages for the user are queued (session_msg) and never printed here.
 *
 * Opening is cheap: run.json, gt.json and a line index of traces.jsonl (no
 * JSON parsed).  A sample's trace is parsed only when it is shown or when
 * session_idle() reaches it. */
#ifndef TS_SESSION_H
#define TS_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "compare.h"
#include "confidence.h"
#include "render.h"
#include "replay.h"
#include "run.h"
#include "sample.h"
#include "slist.h"
#include "status.h"
#include "trace.h"

typedef struct session_opts {
	const char *gt_path;     /* --gt, overrides run.json/gt.json (NULL: none) */
	const char *images_dir;  /* --images (NULL: none) */
	int coords_set;          /* --coords given */
	analysis_opts an;        /* coords kind, IoU thresholds, record limits */
	const trace_limits *trace_lim;  /* --limit (NULL: defaults) */
	const render_limits *image_lim; /* --limit (NULL: defaults) */
	int lazy_open;           /* the debugger: session_open indexes until sample
	                          * 1 exists and waits for the ground truth a
	                          * moment only; session_idle does the rest (see
	                          * session_indexing, session_gt_loading) */
} session_opts;

typedef struct session_run {
	run_info *info;
	char name[128];          /* sanitized run name */
	const char *gt_path, *images_dir; /* effective (pointers into info or opts) */
	analysis_opts an;
	gt *g;                   /* NULL without ground truth */
	trace_index *ix;
	size_t n;                /* samples (indexed lines) */
	slist_item *items;       /* badges, n entries */
	uint8_t *done;           /* badges computed (ok or failed), n entries */
	size_t n_done, next_idle;
	run_metrics m[COMPARE_N_POL]; /* per policy of the cycle (session.pols), over
	                          * the analysed samples that match gt */
	policy pols[COMPARE_N_POL]; /* copy of session.pols */
	size_t hit_iou;          /* index into an.iou of the hits threshold (0.3 if
	                          * given, else 0) */
	size_t metrics_skipped;  /* samples left out (failed / image not in gt) */
	coords_check check;      /* convention check over the counted samples, as
	                          * `report` does it; its warning becomes one
	                          * session message when every sample is analysed */
	int check_said;
	slist list;              /* the samples pane of this run */
	int list_stale;          /* badges changed since list was rebuilt
	                          * (session_idle_quiet; session_idle_sync) */
	int sharded;             /* traces are a set of shards (shards_is_set) */
	gt_async *gj;            /* the ground truth still loading (lazy_open): no
	                          * badges or metrics until it is in (NULL: none) */
	size_t cap;              /* items/done allocated (n grows while indexing) */
} session_run;

/* The sample on screen. */
typedef struct session_view {
	int valid;               /* a sample is loaded (even if it failed) */
	size_t run, idx;
	int failed;
	char error[TS_ERROR_MSG_MAX]; /* sanitized, when failed */
	trace *t;
	sample *s;               /* what is shown: boxes placed with the image
	                          * file's size when the ground truth gives none */
	sample *s_num;           /* NULL, or (when s used the file's size) the
	                          * sample as `report` analyses it: off and on
	                          * come from it, so the numbers always agree */
	const gt_image *gimg;    /* NULL without gt / not found */
	char image_id[96];       /* sanitized image reference for the status bar */
	char image_path[1024];   /* image file, "" when none */
	render_image *img;       /* loaded on demand by session_view_image */
	struct img_job *img_job; /* the image being decoded off the input thread */
	int img_tried;
	int size_assumed;        /* no image size known: boxes on a 1000x1000 canvas */
	char img_error[TS_ERROR_MSG_MAX]; /* sanitized */
	sample_outcome off, on;  /* policy off / the compared policy (session.pol) */
	uint32_t *rec_first, *rec_last;
	uint8_t *dup;            /* per record: exact duplicate of an earlier one */
	match_state *dd_match;   /* dedup: per record, the kept records matched
	                          * again at the first threshold (NULL: not dedup
	                          * or no ground truth) */
	long *dd_gt;             /* ... the matched annotation or -1 */
	double *closep;          /* per record, NAN when unknown */
	conf_term term;          /* P(close) summary (valid once closep[0] is set) */
	replay rp;
} session_view;

#define SESSION_MSG_MAX 64

typedef struct session {
	session_run *runs;
	size_t n_runs, cur;
	policy pols[COMPARE_N_POL]; /* the `o` cycle; budget:N from the first run
	                          * whose run.json gives a budget, else 12 */
	size_t pol;              /* the policy compared with off (1..4; default
	                          * repeat_stop) */
	session_opts opts;
	trace_limits lim;
	render_limits rlim;
	session_view view;
	/* user-facing messages (already sanitized), oldest first */
	char *msgs[SESSION_MSG_MAX];
	size_t n_msgs, msgs_dropped;
	unsigned msg_serial;     /* bumps on every new message */
	unsigned view_serial;    /* bumps when session_idle shows the view's
	                          * sample again (its ground truth came in) */
} session;

typedef void (*session_progress_fn)(void *ud, const char *what, uint64_t done, uint64_t total);

void session_opts_default(session_opts *o);

/* Opens every path (run dir or JSONL).  Runs that fail are reported as
 * messages and left out; TS_OK when at least one run opened, else the last
 * error.  The session must be freed with session_free either way. */
ts_status session_open(session *s, char *const *paths, size_t n_paths, const session_opts *o,
                       session_progress_fn progress, void *ud, ts_error *err);
void session_free(session *s);

/* Adds a message (formatted text is sanitized here). */
void session_msg(session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *session_last_msg(const session *s);

session_run *session_cur(session *s);

/* Computes badges for up to max_samples not-yet-analysed samples of the
 * current run first, then other runs.  Returns how many were analysed (0 when
 * everything is done). Rebuilds the affected lists' views. */
size_t session_idle(session *s, size_t max_samples);
/* The same without rebuilding the lists: the runs it touched are marked
 * stale and session_idle_sync() rebuilds them once (the debugger does it
 * when it draws, so badges cost a sort per frame, not per sample). */
size_t session_idle_quiet(session *s, size_t max_samples);
void session_idle_sync(session *s);
/* 1 when every sample of every run has its badges (every run indexed and
 * its ground truth in). */
int session_idle_done(const session *s);
/* The same for one run: every sample indexed, its ground truth in, badges
 * computed (what the comparison view waits for before showing numbers). */
int session_run_done(const session_run *r);
/* lazy_open: 1 while a run is being indexed (*pct: how far, over all runs);
 * session_idle indexes a slice at a time (the lists grow) before any badge. */
int session_indexing(const session *s, unsigned *pct);
/* 1 while a run's ground truth is still loading: the view's sample is shown
 * without it and shown again (view_serial) when it comes in; no badge or
 * metric counts before. */
int session_gt_loading(const session *s);
/* Indexes every run to its end and waits for the ground truth (what
 * --samples FILE needs before it can name lines). */
void session_finish_loading(session *s);

/* Loads sample idx of run r into the view (parses the trace, analyses it).
 * The replay cursor starts at the end (everything decoded).  A sample that
 * fails to load still becomes the view with failed = 1 and the error. */
void session_show(session *s, size_t r, size_t idx);
/* Loads the view's image once (NULL if none or it failed: see img_error). */
const render_image *session_view_image(session *s);
/* 1 while the view's image is being decoded in the background (the
 * debugger keeps answering keys; session_view_image gives it when done). */
int session_view_image_pending(const session *s);
/* Shows the compared policy on/off in the view (kept across samples by the
 * caller). */
void session_view_policy(session *s, int on);
/* Selects the policy compared with off (index into pols, 1..4; others keep
 * the current one), shows it on/off, and recomputes the view's outcome and
 * replay cut.  A replay cursor at the end stays at the (new) end. */
void session_set_policy(session *s, size_t pol, int on);
/* Canonical name of pols[i] ("repeat_stop", "budget:12", ...) into buf. */
const char *session_policy_name(const session *s, size_t i, char *buf, size_t bufsz);
/* Where sample idx of run r is: returns its 1-based line; shard receives
 * the sanitized name of its shard in a sharded run (shards_label: report's
 * "file" next to "line"), "" for a single traces file. */
size_t session_where(const session_run *r, size_t idx, char *shard, size_t shardsz);
/* The same as text: "SHARD:LINE" in a sharded run, else "line LINE". */
void session_where_text(const session_run *r, size_t idx, char *out, size_t outsz);

/* P(close) after record i (NAN if unknown). */
double session_view_closep(session *s, size_t i);
/* The view's P(close) at the tail start and its max before the tail
 * (conf_termination, as report's p_close_* fields); 0 when the trace has no
 * alternatives or no sample is shown. */
int session_view_close_term(session *s, conf_term *out);
/* The view's run's extra EOS texts (run.json "eos_tokens") for conf_close_*. */
conf_eos session_view_eos(const session *s);

#endif
