/* syntax_paligemma.c — PaliGemma detection output:
 *   <locY1><locX1><locY2><locX2> label ; <loc...>... label
 * 1024 bins 0-1023, y first (records.h describes the rules).  The text is
 * parsed, not token ids: "<loc0123>" may be split over several tokens.
 * A record completes at the ";" after its label, or at the last step of a
 * stream the model ended.  Junk (skipped to the next ";"): a group that is
 * not four <locNNNN> (exactly 4 digits, 0..1023) without gaps followed by a
 * label, a fifth <loc, text where a group should start, a label that is not
 * UTF-8 or empty, the model stopping inside a group. */
#include "syntax.h"

enum {
	L_EXPECT = 0, /* before a group: white space, then "<loc" */
	L_MATCH,      /* matching "<loc" (lk bytes matched) */
	L_DIGITS,     /* four digits */
	L_GT,         /* ">" */
	L_LABEL,      /* label up to ";" */
	L_SKIP,       /* after junk: skipping to ";" */
};

typedef struct pg {
	int ls, lk, ldig, nloc, lab_k;
	unsigned lval;
	uint32_t first;
	double v[4];
} pg;

static const char LOC_TAG[] = "<loc";

static void start(recparse *p, void *st)
{
	(void)p;
	((pg *)st)->ls = L_EXPECT;
}

static void start_group(pg *g, uint32_t step)
{
	g->first = step;
	g->nloc = 0;
	g->ls = L_MATCH;
	g->lk = 1; /* "<" seen */
}

/* "<", "<l", "<lo" that never became "<loc": label text */
static void flush_held(recparse *p, pg *g)
{
	for (int i = 0; i < g->lab_k; i++)
		recsyn_lab_u8(p, (unsigned char)LOC_TAG[i]);
	g->lab_k = 0;
}

/* Completes the record in L_LABEL at step; junk when the label is empty. */
static void complete(recparse *p, pg *g, uint32_t step)
{
	flush_held(p, g);
	if (recsyn_u8_pending(p) || recsyn_lab_finish(p) < 0) {
		recsyn_junk(p, step); /* ends inside a UTF-8 sequence, or empty */
		return;
	}
	recsyn_emit(p, REC_KEY_LOC, g->v, g->first, step);
}

/* Returns 1 to re-dispatch c. */
static int loc_byte(recparse *p, pg *g, unsigned char c, uint32_t step)
{
	switch (g->ls) {
	case L_EXPECT:
		if (recsyn_is_ws(c))
			return 0;
		if (c == '<') {
			start_group(g, step);
			return 0;
		}
		break;
	case L_MATCH:
		if (c == (unsigned char)LOC_TAG[g->lk]) {
			if (++g->lk == 4) {
				g->ls = L_DIGITS;
				g->ldig = 0;
				g->lval = 0;
			}
			return 0;
		}
		break;
	case L_DIGITS:
		if (c >= '0' && c <= '9') {
			g->lval = g->lval * 10 + (unsigned)(c - '0');
			if (++g->ldig == 4)
				g->ls = L_GT;
			return 0;
		}
		break;
	case L_GT:
		if (c == '>' && g->lval <= 1023) {
			g->v[g->nloc++] = (double)g->lval;
			if (g->nloc == 4) {
				g->ls = L_LABEL;
				g->lab_k = 0;
				recsyn_u8_reset(p);
				recsyn_lab_reset(p);
			} else {
				g->ls = L_MATCH;
				g->lk = 0;
			}
			return 0;
		}
		break;
	case L_LABEL:
		if (g->lab_k || (c == '<' && recsyn_lab_len(p) == 0)) {
			if (c == (unsigned char)LOC_TAG[g->lab_k]) {
				if (++g->lab_k == 4)
					break; /* a fifth <loc: malformed group */
				return 0;
			}
			flush_held(p, g); /* not "<loc": label text */
		}
		if (c == ';' && !recsyn_u8_pending(p)) {
			complete(p, g, step);
			g->ls = L_EXPECT;
			return 0;
		}
		if (recsyn_lab_len(p) == 0 && !recsyn_lab_cut(p) && recsyn_is_ws(c))
			return 0; /* leading white space */
		if (recsyn_lab_u8(p, c) < 0)
			break;
		return 0;
	case L_SKIP:
		if (c == ';')
			g->ls = L_EXPECT;
		return 0;
	default:
		break;
	}
	/* malformed group or label: junk up to the next ";" */
	recsyn_junk(p, step);
	g->ls = L_SKIP;
	return c == ';';
}

static void byte(recparse *p, void *st, unsigned char c, uint32_t step)
{
	while (loc_byte(p, st, c, step))
		;
}

static void finish(recparse *p, void *st, uint32_t step, int stopped)
{
	pg *g = st;
	if (!stopped)
		return;
	switch (g->ls) {
	case L_LABEL:
		complete(p, g, step);
		break;
	case L_MATCH:
	case L_DIGITS:
	case L_GT:
		recsyn_junk(p, step); /* the model stopped inside a loc group */
		break;
	default:
		break;
	}
}

const rec_syntax recsyn_paligemma = {
	.key = REC_KEY_LOC, .name = "loc", .family = "PaliGemma", .coords = "paligemma",
	.n_values = 4, .marker = "<loc#", .state_size = sizeof(pg),
	.start = start, .byte = byte, .finish = finish,
	.decide_at_completion = 1,
};
