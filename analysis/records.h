/* records.h — incremental parser for coordinate lists, fed token by token.
 *
 * The parser sees the stream as a decoder does: recparse_feed() takes one
 * step's bytes at a time, so each record knows the exact step that completed
 * it and a stop policy can fire there.  Token boundaries are irrelevant to
 * the result: numbers, keys, labels and UTF-8 sequences may be split anywhere.
 *
 * Syntaxes (auto-detected from the text; the table in records.c owns the
 * facts about each key, asked with rec_key_* below; tag syntaxes live in
 * analysis/syntax_*.c):
 *   JSON list of objects with "bbox_2d" (Qwen), "box_2d" (Gemini) or "bbox"
 *   (plain pixels) holding 4 numbers, "point_2d" (Qwen points) holding 2,
 *   or the four scalar keys "x_min", "y_min", "x_max", "y_max" (Moondream,
 *   label optional: "" without one), and "label" (any key order, extra keys
 *   such as Gemini's "mask" and "confidence" skipped, fenced in ```json ...
 *   ``` or bare; a bare {"objects": [...]} holds the list).  Text before the
 *   "[" is ignored; text after the closing "]" is ignored.
 *   PaliGemma: "<locYYYY><locXXXX><locYYYY><locXXXX> label ; ..." (text is
 *   parsed, not token ids: "<loc0123>" may be split over several tokens).
 *   Tag streams selected by their marker: Florence-2 (<loc_), DeepSeek-VL2
 *   (<|ref|>), Qwen2-VL (<|object_ref_start|>), Qwen-VL/InternVL (<ref>),
 *   Kosmos-2 (<phrase>), Molmo (<point): grammar, junk and completion step
 *   of each at the top of its syntax_*.c file.
 * Junk (recparse_junk): a record object without a label string or without a
 * coordinate array of exactly four JSON numbers, a second label or coordinate
 * key, an invalid escape, a lone surrogate, invalid UTF-8 or a raw control
 * character in a string, a number longer than max_number_chars or not finite,
 * nesting deeper than max_depth, any JSON syntax error; between records,
 * anything but white space and exactly one comma (a missing or trailing comma
 * is junk; in a bare object stream without "[" the comma is optional).  After
 * junk the parser skips (tracking strings and brackets) to the next "{" at
 * list level; a "]" at list level still closes the list.
 * Syntax: decided by the first of "[", "{" (bare objects: opened, never
 * closed) or a tag syntax's marker ("<loc" + digit for PaliGemma) in the text.
 * Loc labels: the text after the fourth <loc> up to ";" (or the end of a
 * stream the model ended), trimmed of white space (space, tab, CR, LF); must
 * be non-empty and valid UTF-8.  Junk: a group that is not four <locNNNN>
 * (exactly 4 digits, 0..1023) without gaps followed by a label, a fifth
 * <loc, text where a group should start, a model stopping inside a group;
 * skipped up to the next ";".
 * Numbers are converted exactly (correctly rounded, independent of the C
 * locale's decimal point), so 12, 12.0 and 1.2e1 give the same double.
 * Labels are cut at a UTF-8 boundary to at most max_label_bytes.
 *
 * Completion step of a record (record.last_step):
 *   JSON: the step holding the record's closing "}".
 *   tag streams: see each syntax_*.c (e.g. the box's "]" for DeepSeek-VL2).
 *   loc:  the step holding the ";" after its label; the last record of a
 *         stream that ended by itself (recparse_finish(p, step, 1)) completes
 *         at that final step.  An incomplete trailing record is not a record.
 */
#ifndef TS_RECORDS_H
#define TS_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef enum {
	REC_KEY_NONE = 0,
	REC_KEY_BBOX_2D, /* {"bbox_2d": [x1,y1,x2,y2]} */
	REC_KEY_BOX_2D,  /* {"box_2d": [ymin,xmin,ymax,xmax]} */
	REC_KEY_BBOX,    /* {"bbox": [x1,y1,x2,y2]} */
	REC_KEY_LOC,     /* <locY1><locX1><locY2><locX2> label */
	REC_KEY_POINT_2D,/* {"point_2d": [x,y]} (Qwen2.5/3-VL points) */
	REC_KEY_MINMAX,  /* {"x_min","y_min","x_max","y_max"} (Moondream) */
	REC_KEY_FLORENCE,/* label<loc_X1><loc_Y1><loc_X2><loc_Y2> (Florence-2) */
	REC_KEY_DEEPSEEK,/* <|ref|>label<|/ref|><|det|>[[x1,y1,x2,y2]]<|/det|> */
	REC_KEY_QWEN2VL, /* <|object_ref_start|>..<|box_start|>(x1,y1),(x2,y2)<|box_end|> */
	REC_KEY_REFBOX,  /* <ref>label</ref><box>[[x1,y1,x2,y2]]</box> (Qwen-VL, InternVL) */
	REC_KEY_KOSMOS,  /* <phrase>..</phrase><object><patch_index_UL><patch_index_LR></object> */
	REC_KEY_MOLMO,   /* <point x=".." y=".." alt="label">label</point> (Molmo points) */
	REC_KEY_COUNT
} rec_key;

/* What a syntax is, asked of its key (one table in records.c owns these
 * facts; nothing outside the parser tests for particular keys):
 *   rec_key_name      short name ("bbox_2d", "florence2", ...), "none" for
 *                     REC_KEY_NONE, "unknown" out of range
 *   rec_key_family    who writes it ("Qwen2.5/3-VL", "Florence-2", ...)
 *   rec_key_tagged    1 when the list is a stream of tags that only the end
 *                     of the text ends (loc, Florence-2, DeepSeek, Qwen2-VL,
 *                     Qwen-VL, Kosmos-2, Molmo): no "]" closes it
 *   rec_key_point     1 when a record is a point: v[0], v[1] in emitted
 *                     order, v[2] = v[3] = 0
 *   rec_key_n_values  numbers a record carries (4, or 2 for points and
 *                     Kosmos-2 patch pairs)
 *   rec_key_coords    name of the default coordinate convention (coords.h)
 *   rec_key_end_tag   the closing tag a tag record's box ends with after
 *                     its completing byte ("</box>", "<|/det|>",
 *                     "<|box_end|>", "</object>"), NULL when the completing
 *                     byte ends the record; *done_chars (may be NULL) gets
 *                     the bytes that complete a record ("])", ">" or "")
 *   rec_key_decides_at_completion  1 when the step completing a record is
 *                     itself the list-closing decision (PaliGemma: the
 *                     separator " ;" step, or the final EOS step) */
const char *rec_key_name(rec_key k);
const char *rec_key_family(rec_key k);
int         rec_key_tagged(rec_key k);
int         rec_key_point(rec_key k);
int         rec_key_n_values(rec_key k);
const char *rec_key_coords(rec_key k);
const char *rec_key_end_tag(rec_key k, const char **done_chars);
int         rec_key_decides_at_completion(rec_key k);

typedef struct record {
	char    *label;      /* unescaped UTF-8 bytes, NUL-terminated (may hold NUL via \u0000: use label_len) */
	size_t   label_len;
	double   v[4];       /* the numbers as emitted, in emitted order (unused ones 0:
	                      * see rec_key_n_values) */
	rec_key  key;
	uint32_t first_step; /* step holding the record's first byte ("{" or "<loc") */
	uint32_t last_step;  /* completion step (see above) */
} record;

typedef struct recparse_limits {
	size_t max_records;     /* per sample (default 100,000); more -> TS_ERR_LIMIT */
	size_t max_label_bytes; /* default 4096; longer labels are cut (record still counts) */
	size_t max_number_chars;/* default 64; a longer number is junk ("9999999...") */
	size_t max_depth;       /* containers nested inside a record object (default 64;
	                         * the coordinate array is at depth 1) */
} recparse_limits;
/* A zero field in the limits given to recparse_new means its default. */

void recparse_limits_default(recparse_limits *lim);

typedef struct recparse recparse;

recparse *recparse_new(const recparse_limits *lim); /* NULL lim = defaults */
void      recparse_free(recparse *p);

/* Feeds the bytes of step `step` (steps must be non-decreasing).  Returns
 * TS_OK, or TS_ERR_LIMIT when max_records is exceeded (further input ignored),
 * TS_ERR_NOMEM when out of memory (likewise sticky), TS_ERR_USAGE for a NULL
 * parser or bytes. */
ts_status recparse_feed(recparse *p, const char *bytes, size_t len, uint32_t step);

/* End of stream at step last_step.  stopped_by_model = 1 when the model ended
 * by itself (completes a trailing loc record), 0 when it was cut off. */
void      recparse_finish(recparse *p, uint32_t last_step, int stopped_by_model);

size_t        recparse_count(const recparse *p);
const record *recparse_records(const recparse *p);
rec_key       recparse_key(const recparse *p);    /* syntax seen (first record's), NONE if none */
int           recparse_opened(const recparse *p); /* a list started ("[", "{" or a tag marker) */
int           recparse_closed(const recparse *p); /* JSON "]" seen / tag stream finished by model */
int           recparse_junk(const recparse *p);   /* junk between or inside records */
long          recparse_close_step(const recparse *p); /* step holding "]"; loc: the final
                                                        step given to finish(…, 1); else -1 */

/* True when a and b are exact duplicates: same unescaped label bytes and the
 * same emitted numbers (a point never equals a box). */
int  record_equal(const record *a, const record *b);
/* Hash consistent with record_equal. */
uint64_t record_hash(const record *r);

/* Convenience: feeds text as n_steps steps, step i (0-based) holding the
 * bytes [steps_off[i], steps_off[i+1]) (used by tests and tools).  steps_off
 * has n_steps+1 non-decreasing entries.  Does not call recparse_finish. */
ts_status recparse_feed_split(recparse *p, const char *text,
                              const size_t *steps_off, size_t n_steps);

/* Feeds steps 0..n_steps-1 in one call, as recparse_feed per step would
 * (stopping at the first status that is not TS_OK): step i is the bytes
 * text[off, off + len) cut at cut, where off and len are the two uint32_t at
 * the start of steps' i-th element (stride bytes each: trace_step's layout). */
ts_status recparse_feed_steps(recparse *p, const char *text, const void *steps,
                              size_t stride, size_t n_steps, size_t cut);

/* Forgets all records and state (keeps the buffers): ready for a new sample.
 * Pointers from recparse_records() become invalid. */
void      recparse_reset(recparse *p);

long      recparse_junk_step(const recparse *p); /* step where junk was first seen, -1 */
/* TS_OK, or the sticky error that stopped the parser (TS_ERR_LIMIT, TS_ERR_NOMEM). */
ts_status recparse_status(const recparse *p);

#endif
