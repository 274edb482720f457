/* slist.h — the samples list: per-sample badges, filter, sort and the view
 * (the filtered, sorted order shown on screen).  Pure state, no curses.
 *
 * Badges are computed lazily (idle time), so an item may not be ready yet:
 * unready items sort after ready ones (in file order) and pass only the
 * free-text filter on their name. */
#ifndef TS_SLIST_H
#define TS_SLIST_H

#include <stddef.h>

#include "expr.h"
#include "listcur.h"

typedef enum {
	SLIST_TERM_UNKNOWN = -1,
	SLIST_TERM_CLOSED = 0,    /* same values as analysis' termination */
	SLIST_TERM_TRUNCATED = 1,
	SLIST_TERM_MALFORMED = 2,
	SLIST_TERM_STOPPED = 3,   /* a live stop policy ended it (capture) */
} slist_term;

typedef struct slist_item {
	int ready;          /* badges below are valid */
	int failed;         /* the trace could not be loaded or analysed */
	size_t records, dups, max_repeat, tokens;
	int term;           /* slist_term */
	int has_f1;
	double f1;          /* at the first IoU threshold, policy off */
	char *name;         /* display name, already sanitized (owned; may be NULL) */
	char *labels;       /* distinct labels, lower-cased, '\n'-separated, sanitized (owned; may be NULL) */
	size_t hits;        /* TP at the run's hit threshold (0.3 if given, else
	                     * the first), policy off; valid with has_f1 */
	char *key;          /* image reference for matching runs (raw, never
	                     * printed: "i:ID", "f:FILE", "c:CUSTOM" or "l:LINE";
	                     * owned; may be NULL) */
	int has_id;         /* the trace names a numeric image id */
	long long id;       /* ... which sort "id" orders by (ascending); items
	                     * without one follow, by file_name/custom id, then
	                     * unready ones; "file order" is the JSONL order */
} slist_item;

#define SLIST_SORT_LIST(X)                        \
	X(SLIST_SORT_ID,     "id")                \
	X(SLIST_SORT_DUPS,   "duplicates")        \
	X(SLIST_SORT_REPEAT, "max repeat")        \
	X(SLIST_SORT_F1,     "F1")                \
	X(SLIST_SORT_LENGTH, "length")            \
	X(SLIST_SORT_FILE,   "file order")        \
	X(SLIST_SORT_RECORDS, "records")          \
	X(SLIST_SORT_TERM,   "termination")

typedef enum {
#define SLIST_SORT_ENUM(name, text) name,
	SLIST_SORT_LIST(SLIST_SORT_ENUM)
#undef SLIST_SORT_ENUM
	SLIST_SORT_COUNT
} slist_sort;

const char *slist_sort_name(slist_sort s);

typedef enum {
	SLIST_FILTER_NONE = 0,
	SLIST_FILTER_DUP,   /* "dup": samples with duplicates */
	SLIST_FILTER_TRUNC, /* "trunc": truncated samples */
	SLIST_FILTER_LABEL, /* "label:xxx": a record label contains xxx */
	SLIST_FILTER_TEXT,  /* anything else: name or a label contains it */
	SLIST_FILTER_EXPR,  /* an expression (expr.h) over slist_fields */
} slist_filter_kind;

#define SLIST_FILTER_TEXT_MAX 128

typedef struct slist_filter {
	slist_filter_kind kind;
	char text[SLIST_FILTER_TEXT_MAX]; /* lower-cased needle (EXPR: as typed) */
	expr *ex;          /* SLIST_FILTER_EXPR: compiled (owned) */
} slist_filter;

/* The fields an expression filter may name: the samples list's own facts,
 * under the column names of `report --per-sample` where it has one
 * (records, duplicates, max_repeat, termination, image_id; tokens as the
 * policies' column) and f1 / hits (the run's hit threshold) besides. */
extern const expr_ops slist_expr_ops;

/* "" -> none; "dup"/"dups"/"duplicates"; "trunc"/"truncated"; "label:xxx";
 * text with one of < > = ! & | ( ) -> an expression (expr.h); else free
 * text.  Leading/trailing blanks are ignored, matching is case-insensitive
 * (ASCII).  Frees the expression out held.  Returns 0, or -1 when the
 * expression does not compile (err filled, out left as no filter). */
int slist_filter_set(const char *text, slist_filter *out, expr_err *err);
/* The same, errors dropped (a bad expression: no filter). */
void slist_filter_parse(const char *text, slist_filter *out);
void slist_filter_free(slist_filter *f);
int  slist_filter_match(const slist_filter *f, const slist_item *it);

typedef struct slist {
	size_t *view;   /* item indices in display order */
	size_t n_view;
	size_t cap;
	listcur cur;    /* cursor over view */
	slist_sort sort;
	slist_filter filter;
	int reverse;    /* the sort's order reversed (S); unready items stay last */
	unsigned char *marks; /* marks[i]: item i marked (b / B); n_marks entries,
	                       * grown by rebuild, kept across filters/sorts */
	size_t n_marks;
	int only_marked; /* the view keeps marked items only (--samples FILE) */
} slist;

void slist_init(slist *l);
void slist_free(slist *l);

/* Recomputes the view from items[0..n) with the current sort and filter and
 * keeps the selected item selected when it is still in the view (else the
 * nearest row).  Returns 0, or -1 on allocation failure (view unchanged). */
int slist_rebuild(slist *l, const slist_item *items, size_t n);

/* Marks: toggles the selected item's mark (returns its new state, -1 when
 * the view is empty); mark_shown marks every item in the view, or unmarks
 * them all when all are marked already (returns how many changed state). */
int slist_mark_toggle(slist *l);
size_t slist_mark_shown(slist *l);
size_t slist_marked_count(const slist *l);
int slist_is_marked(const slist *l, size_t idx);

/* Selected item index, or (size_t)-1 when the view is empty. */
size_t slist_selected(const slist *l);
/* Selects item idx if it is in the view; returns 1 if it is. */
int slist_select_item(slist *l, size_t idx);

#endif
