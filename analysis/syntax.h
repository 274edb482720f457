/* syntax.h — the records module's inside: how one tag syntax plugs into the
 * incremental parser (records.c).  Not a public contract: only records.c and
 * analysis/syntax_*.c include it.
 *
 * A tag syntax is selected before the list by its marker (the first marker
 * completed in the text wins, as "[" / "{" select JSON).  Every marker starts
 * with "<" and holds no other "<"; '#' in a marker matches any digit.  Once
 * selected, the machine gets start(), then every byte of the marker again
 * (with the step that held it), then every later byte, and finish() at the
 * end of the stream.  It emits records through recsyn_emit with the label
 * built in the parser's label buffer (recsyn_lab_*), numbers lexed with the
 * parser's JSON number lexer (recsyn_num_*), and reports junk with
 * recsyn_junk.  Its state is a zeroed block of state_size bytes that the
 * parser owns (at most RECSYN_STATE_MAX).
 *
 * Adding a syntax: a rec_key value in records.h, one syntax_NAME.c defining
 * a const rec_syntax, one line in records.c's table. */
#ifndef TS_SYNTAX_H
#define TS_SYNTAX_H

#include <stddef.h>
#include <stdint.h>

#include "records.h"

#define RECSYN_STATE_MAX 2048

typedef struct rec_syntax {
	rec_key key;
	const char *name;    /* rec_key_name */
	const char *family;  /* rec_key_family */
	const char *coords;  /* default convention (coords.h name) */
	int point;           /* records are points */
	int n_values;        /* numbers per record */
	const char *marker;  /* NULL: no marker of its own */
	size_t state_size;
	void (*start)(recparse *p, void *st);
	void (*byte)(recparse *p, void *st, unsigned char c, uint32_t step);
	/* end of stream: stopped = the model ended by itself */
	void (*finish)(recparse *p, void *st, uint32_t step, int stopped);
	const void *conf;    /* the syntax's own constants (shared engines) */
	/* the close decision (confidence.h): the record's last piece is the
	 * last of done_chars in its completion step, then end_tag (NULL: none)
	 * after "]"s and blanks; decide_at_completion: the completion step
	 * itself is the decision (PaliGemma's " ;") */
	const char *end_tag;
	const char *done_chars;
	int decide_at_completion;
} rec_syntax;

/* ---- services of the parser (records.c) ---- */
void   recsyn_emit(recparse *p, rec_key key, const double v[4], uint32_t first, uint32_t last);
void   recsyn_junk(recparse *p, uint32_t step);
/* label buffer: add raw bytes (leading white space dropped; bytes past
 * max_label_bytes + 4 dropped); finish = cut at a UTF-8 boundary to
 * max_label_bytes, trim white space, check UTF-8: 0 when non-empty and
 * valid, else -1 */
void   recsyn_lab_reset(recparse *p);
void   recsyn_lab_add(recparse *p, unsigned char c);
void   recsyn_lab_add_at(recparse *p, unsigned char c, uint32_t step); /* a byte held since step */
/* streaming UTF-8 label (PaliGemma): add c checking the sequence as it
 * comes (-1: not UTF-8), cut at a code point once past max_label_bytes */
int    recsyn_lab_u8(recparse *p, unsigned char c);
int    recsyn_lab_cut(const recparse *p);     /* the label has been cut */
void   recsyn_u8_reset(recparse *p);
int    recsyn_u8_pending(const recparse *p);  /* inside a UTF-8 sequence */
size_t recsyn_lab_len(const recparse *p);
uint32_t recsyn_lab_step(const recparse *p); /* step of the label's first byte */
int    recsyn_lab_finish(recparse *p);
/* numbers (JSON grammar, max_number_chars): byte returns 0 consumed, 1 the
 * number ended before c (c not consumed), -1 error; end gives the value (0)
 * or -1 when the number is incomplete or not finite */
void   recsyn_num_start(recparse *p);
int    recsyn_num_byte(recparse *p, unsigned char c);
int    recsyn_num_end(recparse *p, double *out);
int    recsyn_is_ws(unsigned char c);

/* Tag matching: *k bytes of tag matched so far.  Returns 1 when c completes
 * tag, 0 when it extends the match, -1 when it breaks it (*k reset to 0, or
 * to 1 when c is "<"). '#' in tag matches a digit. */
int    recsyn_tag(const char *tag, unsigned *k, unsigned char c);
/* Label text that ends at tag (a closing tag): returns 1 when c completes
 * tag, else 0; bytes that turn out not to be the tag are label text, added
 * to the label buffer when add is set. */
int    recsyn_text_until(recparse *p, const char *tag, unsigned *k, unsigned char c, int add);

/* ---- the label-then-box engine (syntax_refbox.c) ----
 * OPEN label CLOSE, white space, BOX_OPEN body BOX_CLOSE; text between
 * such groups is ignored.  body (RB_BRACKETS): [[x1,y1,x2,y2],...],
 * [x1,y1,x2,y2] or (x1,y1),(x2,y2),... (two pairs a box); each box completes
 * at its closing "]" / second ")".  body (RB_PATCHES, Kosmos-2):
 * <patch_index_NNNN><patch_index_NNNN> pairs joined by delim; a box
 * completes at its second patch's ">".  Junk skips to BOX_CLOSE or the next
 * OPEN. */
enum { RB_BRACKETS = 0, RB_PATCHES };
typedef struct refbox_conf {
	const char *open, *close, *box_open, *box_close;
	int body;
	const char *patch, *delim; /* RB_PATCHES */
} refbox_conf;
void refbox_start(recparse *p, void *st, const refbox_conf *conf, rec_key key);
void refbox_byte(recparse *p, void *st, unsigned char c, uint32_t step);
void refbox_finish(recparse *p, void *st, uint32_t step, int stopped);
#define REFBOX_STATE_SIZE 128

/* ---- the syntaxes ---- */
extern const rec_syntax recsyn_paligemma;
extern const rec_syntax recsyn_florence2;
extern const rec_syntax recsyn_deepseek;
extern const rec_syntax recsyn_qwen2vl;
extern const rec_syntax recsyn_refbox;
extern const rec_syntax recsyn_kosmos2;
extern const rec_syntax recsyn_molmo;

#endif
