/* syntax_florence2.c — Florence-2 <OD> output:
 * label<loc_x1><loc_y1><loc_x2><loc_y2>, several boxes may follow one label;
 * 1000 bins 0-999, x first.
 *
 * The label is the text since the last box (or, for the first, since the
 * last tag or line end before the list), trimmed; other tags such as <s>,
 * </s> or <pad> are dropped from it.  A record completes at the ">" of its
 * fourth <loc_N>; its first step is its label's first byte (first box after
 * a label) or its first "<loc_" (later boxes of the same label).
 * Junk: a group of fewer than four <loc_N> before text or another tag, a
 * value above 999 or without digits, a box without a label, a label the
 * model ends without a box. */
#include "syntax.h"

#include <string.h>

enum { F_TEXT = 0, F_AFTER, F_TAG, F_NUM, F_NEXT };

#define HELD_MAX 32

typedef struct fl {
	int s, mode;           /* state; text mode under a tag (F_TEXT / F_AFTER) */
	unsigned char held[HELD_MAX];
	uint32_t held_step[HELD_MAX];
	size_t nheld;
	uint32_t lt_step, group_first;
	int nloc, digits, label_ready, drop;
	unsigned val;
	double v[4];
} fl;

_Static_assert(sizeof(fl) <= RECSYN_STATE_MAX, "florence state");

static const char LOC[] = "<loc_";

static void start(recparse *p, void *st)
{
	(void)p;
	fl *f = st;
	f->s = f->mode = F_TEXT; /* the pending label is in the label buffer */
}

static void junk(recparse *p, fl *f, uint32_t step)
{
	recsyn_junk(p, step);
	recsyn_lab_reset(p);
	f->s = f->mode = F_TEXT;
	f->nloc = 0;
	f->label_ready = 0;
}

static void text_byte(recparse *p, fl *f, unsigned char c, uint32_t step)
{
	if (f->mode == F_AFTER) {
		if (recsyn_is_ws(c))
			return;
		recsyn_lab_reset(p); /* a new label */
		f->mode = F_TEXT;
		f->label_ready = 0;
	}
	recsyn_lab_add_at(p, c, step);
}

static void tag_start(fl *f, unsigned char c, uint32_t step)
{
	f->held[0] = c;
	f->held_step[0] = step;
	f->nheld = 1;
	f->lt_step = step;
	f->s = F_TAG;
}

static void fl_byte(recparse *p, void *st, unsigned char c, uint32_t step);

/* "<loc_" complete: a value follows */
static void loc_open(recparse *p, fl *f, uint32_t step)
{
	if (f->nloc == 0) {
		f->drop = 0;
		if (!f->label_ready) {
			if (recsyn_lab_finish(p) < 0) {
				recsyn_junk(p, step); /* a box without a label: read, dropped */
				f->drop = 1;
			} else {
				f->label_ready = 1;
			}
			f->group_first = recsyn_lab_step(p);
		} else {
			f->group_first = f->lt_step;
		}
	}
	f->s = F_NUM;
	f->digits = 0;
	f->val = 0;
}

/* F_TAG: c after "<" (and what followed): "<loc_", another tag, or text. */
static void tag_byte(recparse *p, fl *f, unsigned char c, uint32_t step)
{
	size_t n = f->nheld + 1;
	int loc_prefix = n <= 5 && f->nheld < HELD_MAX && memcmp(f->held, LOC, f->nheld) == 0 &&
	                 c == (unsigned char)LOC[n - 1];
	if (f->nheld < HELD_MAX) {
		f->held[f->nheld] = c;
		f->held_step[f->nheld] = step;
	}
	f->nheld = n;
	if (loc_prefix) {
		if (n == 5)
			loc_open(p, f, step);
		return;
	}
	if (c == '>' && n > 2) { /* another tag (<s>, </s>, <pad>): dropped */
		if (f->nloc > 0)
			junk(p, f, step);
		f->s = f->mode;
		return;
	}
	if (recsyn_is_ws(c) || c == '<' || c == '>' || n >= HELD_MAX) {
		/* not a tag: text */
		if (f->nloc > 0) {
			junk(p, f, step);
		} else {
			f->s = f->mode;
			for (size_t i = 0; i + 1 < n && i < HELD_MAX; i++)
				text_byte(p, f, f->held[i], f->held_step[i]);
		}
		f->s = f->mode;
		fl_byte(p, f, c, step);
	}
}

/* F_NUM: the digits of a <loc_N> value and its ">"; the fourth closes a box. */
static void num_byte(recparse *p, fl *f, unsigned char c, uint32_t step)
{
	if (c >= '0' && c <= '9' && f->digits < 4) {
		f->val = f->val * 10 + (unsigned)(c - '0');
		f->digits++;
		return;
	}
	if (c == '>' && f->digits > 0 && f->val <= 999) {
		f->v[f->nloc++] = (double)f->val;
		if (f->nloc == 4) {
			if (!f->drop)
				recsyn_emit(p, REC_KEY_FLORENCE, f->v, f->group_first, step);
			f->nloc = 0;
			f->s = f->mode = f->drop ? F_TEXT : F_AFTER;
			f->drop = 0;
		} else {
			f->s = F_NEXT;
		}
		return;
	}
	junk(p, f, step);
	if (c != '>')
		fl_byte(p, f, c, step);
}

static void fl_byte(recparse *p, void *st, unsigned char c, uint32_t step)
{
	fl *f = st;
	switch (f->s) {
	case F_TEXT:
	case F_AFTER:
		if (c == '<')
			tag_start(f, c, step);
		else
			text_byte(p, f, c, step);
		return;
	case F_NEXT: /* inside a group: the next <loc_ */
		if (recsyn_is_ws(c))
			return;
		if (c == '<') {
			tag_start(f, c, step);
			return;
		}
		junk(p, f, step);
		text_byte(p, f, c, step);
		return;
	case F_TAG:
		tag_byte(p, f, c, step);
		return;
	case F_NUM:
		num_byte(p, f, c, step);
		return;
	default:
		return;
	}
}

static void fl_finish(recparse *p, void *st, uint32_t step, int stopped)
{
	fl *f = st;
	if (!stopped)
		return;
	if (f->nloc > 0 || f->s == F_NUM || f->s == F_NEXT) {
		recsyn_junk(p, step); /* the model stopped inside a group */
		return;
	}
	if (f->mode == F_TEXT && !f->label_ready && recsyn_lab_finish(p) == 0)
		recsyn_junk(p, step); /* a label without a box */
}

const rec_syntax recsyn_florence2 = {
	.key = REC_KEY_FLORENCE, .name = "florence2", .family = "Florence-2", .coords = "florence2",
	.n_values = 4, .marker = "<loc_", .state_size = sizeof(fl),
	.start = start, .byte = fl_byte, .finish = fl_finish,
};
