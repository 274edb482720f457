/* keys.h — actions of the debugger and the key table that maps keys to them.
 * The help screen, the README and the man page list the same table (see the
 * comment at the top of keys.c).  No drawing here. */
#ifndef TS_KEYS_H
#define TS_KEYS_H

#include <stddef.h>

/* action, help text */
#define KEYS_ACTION_LIST(X)                                                        \
	X(ACT_NONE,          "")                                                   \
	X(ACT_QUIT,          "quit")                                               \
	X(ACT_HELP,          "show/hide this help")                                \
	X(ACT_NEXT_PANE,     "focus the next pane (samples, records, timeline); diff: run A/B") \
	X(ACT_PREV_PANE,     "focus the previous pane")                            \
	X(ACT_DOWN,          "move down in the focused list (timeline: one step)") \
	X(ACT_UP,            "move up in the focused list (timeline: one step)")   \
	X(ACT_PAGE_DOWN,     "one page down in the focused list")                  \
	X(ACT_PAGE_UP,       "one page up in the focused list")                    \
	X(ACT_TOP,           "first row of the focused list (timeline: start)")    \
	X(ACT_BOTTOM,        "last row of the focused list (timeline: end)")       \
	X(ACT_NEXT_SAMPLE,   "next sample")                                        \
	X(ACT_PREV_SAMPLE,   "previous sample")                                    \
	X(ACT_PLAY,          "play/pause the replay (comparison view: mark a run for d)") \
	X(ACT_STEP_FWD,      "one step forward (comparison view: next column; diff: run B)") \
	X(ACT_STEP_BACK,     "one step back (comparison view: previous column; diff: run A)") \
	X(ACT_NEXT_BOUNDARY, "next record boundary")                               \
	X(ACT_PREV_BOUNDARY, "previous record boundary")                           \
	X(ACT_TRACE_START,   "start of the trace")                                 \
	X(ACT_TRACE_END,     "end of the trace")                                   \
	X(ACT_TERMINATION,   "termination point (or first tail record)")           \
	X(ACT_WORST,         "worst sample of the run (highest max repeat, then most duplicates)") \
	X(ACT_REPEAT_STOP,   "toggle repeat-stop")                                 \
	X(ACT_POLICY,        "cycle the stop policy: off, repeat_stop, budget:N, near_dup:0.9, dedup, " \
	                     "repetition_detection:64:8:3, ladder:3, close_prob:0.5") \
	X(ACT_GT,            "toggle ground-truth boxes")                          \
	X(ACT_SORT,          "cycle the sample sort (id, duplicates, max repeat, F1, length); " \
	                     "comparison view: sort by the focused column") \
	X(ACT_FILTER,        "filter samples: dup, trunc, label:TEXT, or any text") \
	X(ACT_METRICS,       "metrics: sample and run, policy off vs the selected one") \
	X(ACT_COMPARE,       "comparison view: every run, policy off vs the selected one") \
	X(ACT_DIFF,          "per-sample diff of two runs, samples that got worse first") \
	X(ACT_ENTER,         "comparison view: open the run; diff: open the sample") \
	X(ACT_HISTOGRAM,     "max-repeat histogram of the current run")            \
	X(ACT_SWEEP,         "policy sweep: the o cycle's policies on the current run") \
	X(ACT_PIXEL,         "pixel view (sixel, kitty or iTerm2 terminals)")      \
	X(ACT_EXPORT,        "export the whole list as PNG (tail marked, cut copies shown)") \
	X(ACT_EXPORT_FRAME,  "export the current frame (replay cursor) as PNG")    \
	X(ACT_IMAGE_ZOOM,    "image over the lists (any size); again: back")       \
	X(ACT_CROP,          "crop the image to the selected record; again: whole image") \
	X(ACT_LABELS,        "image labels: all, selected + duplicates, none")     \
	X(ACT_FASTER,        "faster replay")                                      \
	X(ACT_SLOWER,        "slower replay")                                      \
	X(ACT_NEXT_RUN,      "next run (several runs given)")                      \
	X(ACT_REDRAW,        "redraw the screen")                                  \
	X(ACT_ABOUT,         "about tailscope: version, what it reads")            \
	X(ACT_CLOSE,         "close the help, metrics, filter prompt, diff or comparison view") \
	X(ACT_SORT_REVERSE,  "reverse the sort order (samples list; comparison view: its column)") \
	X(ACT_MARK,          "mark/unmark the selected sample (● in the list)") \
	X(ACT_MARK_SHOWN,    "mark every sample shown (all marked already: unmark them)") \
	X(ACT_WRITE_MARKS,   "write the marked samples to tailscope-marks-RUN.csv and .json") \
	X(ACT_YANK,          "copy the sample's report --per-sample line (OSC 52 clipboard)") \
	X(ACT_INFO,          "sample info: run, file and line, tokens, termination, records, duplicates") \
	X(ACT_RUNS_IMAGE,    "several runs on one image: every run's boxes, 1-6 toggle a run") \
	X(ACT_GALLERY,       "gallery: thumbnails worst first (120+ columns); Enter opens one")

typedef enum {
#define KEYS_ACTION_ENUM(name, help) name,
	KEYS_ACTION_LIST(KEYS_ACTION_ENUM)
#undef KEYS_ACTION_ENUM
	ACT_COUNT
} keys_action;

/* Where a key acts (keys_binding.scope, a mask): the `?` help lists the
 * keys of the screen or pane on show first, then the global ones. */
enum {
	KEYS_SC_GLOBAL   = 1u << 0, /* on every screen (quit, policy, views) */
	KEYS_SC_MAIN     = 1u << 1, /* the debugger, whichever pane has the focus */
	KEYS_SC_SAMPLES  = 1u << 2, /* the debugger's samples pane focused */
	KEYS_SC_RECORDS  = 1u << 3, /* its records pane focused */
	KEYS_SC_TIMELINE = 1u << 4, /* its timeline focused */
	KEYS_SC_IMAGE    = 1u << 5, /* the image zoomed (z) */
	KEYS_SC_COMPARE  = 1u << 6, /* the comparison view (c) */
	KEYS_SC_DIFF     = 1u << 7, /* the diff view (d) */
	KEYS_SC_OVERLAY  = 1u << 8, /* an overlay (help, metrics, ...) open */
};
#define KEYS_SC_LISTS (KEYS_SC_SAMPLES | KEYS_SC_RECORDS | KEYS_SC_TIMELINE | KEYS_SC_COMPARE | \
                       KEYS_SC_DIFF | KEYS_SC_OVERLAY)

typedef struct keys_binding {
	int key;           /* curses key code or character */
	keys_action act;
	const char *name;  /* as shown in help ("j", "Down", "PgDn") */
	unsigned scope;    /* KEYS_SC_* where it acts (0: treated as global) */
} keys_binding;

/* The action bound to a key (ACT_NONE when unbound). */
keys_action keys_lookup(int key);
const char *keys_help(keys_action a);
/* The binding table (in help order), n entries. */
const keys_binding *keys_table(size_t *n);
/* "j, Down" for an action: names of all its keys, comma-separated. */
void keys_names(keys_action a, char *out, size_t outsz);

#endif
