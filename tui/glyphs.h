/* glyphs.h — the one table of the glyphs and badges the debugger draws
 * (the samples list's termination badges, the tail bar, the marks, the
 * timeline's end and stop marks, the cut mark...): the panes draw glyph(g)
 * and the `?` legend lists the same table, so a glyph changed here changes
 * both.  Each has its ASCII form (what a terminal without UTF-8 shows:
 * sanitize_ascii's look-alike, or the table's own), where it appears, what
 * it means and the UI palette pair it is drawn in (draw.h CP_*; 0: the
 * text's own).  No curses here. */
#ifndef TS_GLYPHS_H
#define TS_GLYPHS_H

#include <stddef.h>

typedef enum {
	GL_CLOSED = 0, /* samples T column: the list closed */
	GL_TRUNC,      /* truncated at the token limit */
	GL_MALFORMED,  /* malformed output */
	GL_STOPPED,    /* stopped by the stop policy */
	GL_WORSE,      /* diff: the sample got worse */
	GL_SIDE,       /* the selected run (comparison, diff: the one Enter opens) */
	GL_WORST,      /* comparison: the worst value of a column */
	GL_PENDING,    /* not analysed yet */
	GL_MARK,       /* a marked sample (b) / a run marked for the diff */
	GL_REPEAT,     /* ×N: a value repeated N times */
	GL_TAIL,       /* records: in the repeated tail */
	GL_BOUNDARY,   /* timeline: a record boundary */
	GL_END,        /* timeline: where the list ended */
	GL_STOP,       /* timeline: where the stop policy cut */
	GL_PCLOSE,     /* timeline: the P(close) row */
	GL_CUT,        /* text cut to fit */
	GL_COUNT
} glyph_id;

typedef struct glyph_def {
	const char *text;    /* UTF-8, as drawn */
	const char *ascii;   /* its ASCII form when it is not sanitize_ascii's (NULL: that) */
	const char *suffix;  /* what follows it in the legend ("N" of ×N), or "" */
	const char *meaning; /* where it appears and what it says */
	int cp;              /* draw.h CP_* it is drawn in; 0: the text's own */
} glyph_def;

/* The UTF-8 text of g ("" for an unknown id). */
const char *glyph(glyph_id g);
/* The whole entry (NULL for an unknown id). */
const glyph_def *glyph_def_of(glyph_id g);
/* g as a terminal without UTF-8 shows it, into out; returns out. */
const char *glyph_ascii(glyph_id g, char *out, size_t outsz);

#endif
