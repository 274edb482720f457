/* syntax_refbox.c — the label-then-box engine (syntax.h) and its use by
 * Qwen-VL / InternVL: <ref>label</ref><box>[[x1,y1,x2,y2],...]</box>
 * (Qwen-VL also writes <box>(x1,y1),(x2,y2)</box>), relative 0-1000. */
#include "syntax.h"

#include <string.h>

enum { S_OUT = 0, S_LABEL, S_GAP, S_BODY, S_SKIP };

enum {
	B_START = 0, B_L1, B_NUMX, B_NUM, B_AFTERNUM, B_AFTERBOX, B_NEXT, B_PSEP, B_POPEN,
	B_PAFTER, B_POPEN2, B_END, B_CLOSE,
	P_EXPECT, P_TAG,
};

typedef struct rb {
	const refbox_conf *cf;
	rec_key key;
	int s, b;
	unsigned k, k2, k3;   /* tag matches in progress */
	int dead1, dead2, dead3;
	uint32_t lt_step;     /* step of the last "<" */
	uint32_t first;       /* first step of the group (the open tag's "<") */
	uint32_t box_first;
	int nested, pairs, after;
	int nv, nbox;
	unsigned pv;
	double v[4];
} rb;

_Static_assert(sizeof(rb) <= REFBOX_STATE_SIZE, "refbox state");

void refbox_start(recparse *p, void *st, const refbox_conf *conf, rec_key key)
{
	(void)p;
	rb *r = st;
	memset(r, 0, sizeof *r);
	r->cf = conf;
	r->key = key;
}

static void to_out(rb *r)
{
	r->s = S_OUT;
	r->k = r->k2 = r->k3 = 0;
}

static void junk(recparse *p, rb *r, uint32_t step)
{
	recsyn_junk(p, step);
	r->s = S_SKIP;
	r->k = r->k2 = 0;
}

static void box_done(recparse *p, rb *r, uint32_t step)
{
	double v[4] = { r->v[0], r->v[1], r->v[2], r->v[3] };
	recsyn_emit(p, r->key, v, r->nbox ? r->box_first : r->first, step);
	r->nbox++;
	r->nv = 0;
	r->v[0] = r->v[1] = r->v[2] = r->v[3] = 0;
}

static int num_first(unsigned char c)
{
	return c == '-' || (c >= '0' && c <= '9');
}

static void box_start(rb *r, uint32_t step)
{
	r->nv = 0;
	r->box_first = step;
}

/* The steps of body_brackets: 0 c read, 1 dispatch c again, -1 junk. */
/* an opening bracket or parenthesis */
static int br_open(rb *r, unsigned char c, uint32_t step)
{
	switch (r->b) {
	case B_START:
		if (c == '[') {
			r->b = B_L1;
			r->box_first = step;
			return 0;
		}
		if (c == '(') {
			r->pairs = 1;
			box_start(r, step);
			r->b = B_NUMX;
			return 0;
		}
		return -1;
	case B_L1:
		if (c == '[') {
			r->nested = 1;
			box_start(r, step);
			r->b = B_NUMX;
			return 0;
		}
		if (num_first(c)) {
			r->nested = 0;
			r->nv = 0;
			r->b = B_NUMX;
			return 1;
		}
		return -1;
	case B_NEXT:
		if (c == '[') {
			box_start(r, step);
			r->b = B_NUMX;
			return 0;
		}
		return -1;
	case B_POPEN:
		if (c == '(') {
			r->b = B_NUMX;
			return 0;
		}
		return -1;
	case B_POPEN2:
		if (c == '(') {
			box_start(r, step);
			r->b = B_NUMX;
			return 0;
		}
		return -1;
	default:
		return -1;
	}
}

/* a number */
static int br_num(recparse *p, rb *r, unsigned char c)
{
	switch (r->b) {
	case B_NUMX:
		if (num_first(c)) {
			recsyn_num_start(p);
			if (recsyn_num_byte(p, c) != 0)
				return -1;
			r->b = B_NUM;
			return 0;
		}
		return -1;
	case B_NUM: {
		int q = recsyn_num_byte(p, c);
		if (q == 0)
			return 0;
		double d;
		if (q < 0 || r->nv >= 4 || recsyn_num_end(p, &d) < 0)
			return -1;
		r->v[r->nv++] = d;
		r->b = B_AFTERNUM;
		return 1;
	}
	default:
		return -1;
	}
}

/* after a number: its separator or the box's end */
static int br_afternum(recparse *p, rb *r, unsigned char c, uint32_t step)
{
	switch (r->b) {
	case B_AFTERNUM:
		if (!r->pairs) {
			if (c == ',' && r->nv < 4) {
				r->b = B_NUMX;
				return 0;
			}
			if (c == ']' && r->nv == 4) {
				box_done(p, r, step);
				r->b = r->nested ? B_AFTERBOX : B_END;
				return 0;
			}
			return -1;
		}
		if (c == ',' && (r->nv & 1)) {
			r->b = B_NUMX;
			return 0;
		}
		if (c == ')' && r->nv == 2) {
			r->b = B_PSEP;
			return 0;
		}
		if (c == ')' && r->nv == 4) {
			box_done(p, r, step);
			r->b = B_PAFTER;
			return 0;
		}
		return -1;
	default:
		return -1;
	}
}

/* after a box: the next one or the closing tag */
static int br_after(rb *r, unsigned char c)
{
	switch (r->b) {
	case B_AFTERBOX:
		if (c == ',') {
			r->b = B_NEXT;
			return 0;
		}
		if (c == ']') {
			r->b = B_END;
			return 0;
		}
		return -1;
	case B_PSEP:
		if (c == ',') {
			r->b = B_POPEN;
			return 0;
		}
		return -1;
	case B_PAFTER:
		if (c == ',') {
			r->b = B_POPEN2;
			return 0;
		}
		if (c == '<') {
			r->b = B_CLOSE;
			r->k = 0;
			return 1;
		}
		return -1;
	case B_END:
		if (c == '<') {
			r->b = B_CLOSE;
			r->k = 0;
			return 1;
		}
		return -1;
	case B_CLOSE: {
		int q = recsyn_tag(r->cf->box_close, &r->k, c);
		if (q == 1) {
			to_out(r);
			return 0;
		}
		if (q == 0)
			return 0;
		return -1;
	}
	default:
		return -1;
	}
}

/* brackets body; returns 1 to dispatch c again */
static int body_brackets(recparse *p, rb *r, unsigned char c, uint32_t step)
{
	if (r->b != B_NUM && r->b != B_CLOSE && recsyn_is_ws(c))
		return 0;
	int q;
	switch (r->b) {
	case B_START:
	case B_L1:
	case B_NEXT:
	case B_POPEN:
	case B_POPEN2:
		q = br_open(r, c, step);
		break;
	case B_NUMX:
	case B_NUM:
		q = br_num(p, r, c);
		break;
	case B_AFTERNUM:
		q = br_afternum(p, r, c, step);
		break;
	case B_AFTERBOX:
	case B_PSEP:
	case B_PAFTER:
	case B_END:
	case B_CLOSE:
		q = br_after(r, c);
		break;
	default:
		q = -1;
		break;
	}
	if (q >= 0)
		return q;
	junk(p, r, step);
	return 1;
}

/* Kosmos-2 patches body; returns 1 to dispatch c again */
static int body_patches(recparse *p, rb *r, unsigned char c, uint32_t step)
{
	const refbox_conf *cf = r->cf;
	if (r->b == P_EXPECT) {
		if (recsyn_is_ws(c))
			return 0;
		if (c != '<') {
			junk(p, r, step);
			return 1;
		}
		r->b = P_TAG;
		r->k = r->k2 = r->k3 = 0;
		r->dead1 = r->dead2 = r->dead3 = 0;
		r->pv = 0;
		r->lt_step = step;
	}
	/* P_TAG: the three tags that may follow, matched side by side */
	int done = 0;
	if (!r->dead1) {
		if (cf->patch[r->k] == '#' && c >= '0' && c <= '9')
			r->pv = r->pv * 10 + (unsigned)(c - '0');
		int q = recsyn_tag(cf->patch, &r->k, c);
		if (q == 1)
			done = 1;
		else if (q < 0)
			r->dead1 = 1;
	}
	if (!r->dead2) {
		int q = recsyn_tag(cf->delim, &r->k2, c);
		if (q == 1)
			done = 2;
		else if (q < 0)
			r->dead2 = 1;
	}
	if (!r->dead3) {
		int q = recsyn_tag(cf->box_close, &r->k3, c);
		if (q == 1)
			done = 3;
		else if (q < 0)
			r->dead3 = 1;
	}
	if (!done) {
		if (r->dead1 && r->dead2 && r->dead3) {
			junk(p, r, step);
			return c == '<';
		}
		return 0;
	}
	r->b = P_EXPECT;
	if (done == 1 && !r->after && r->pv <= 1023) {
		if (r->nv == 0)
			r->box_first = r->lt_step;
		r->v[r->nv++] = (double)r->pv;
		if (r->nv == 2) {
			box_done(p, r, step);
			r->after = 1;
		}
		return 0;
	}
	if (done == 2 && r->after) {
		r->after = 0;
		return 0;
	}
	if (done == 3 && r->after) {
		to_out(r);
		return 0;
	}
	junk(p, r, step);
	return 0;
}

static void rb_byte(recparse *p, rb *r, unsigned char c, uint32_t step)
{
	const refbox_conf *cf = r->cf;
	for (int again = 1; again && p && again < 4; again++) {
		switch (r->s) {
		case S_OUT:
			if (c == '<')
				r->lt_step = step;
			if (recsyn_tag(cf->open, &r->k, c) == 1) {
				r->s = S_LABEL;
				r->first = r->lt_step;
				r->k = 0;
				recsyn_lab_reset(p);
			}
			return;
		case S_LABEL:
			if (recsyn_text_until(p, cf->close, &r->k, c, 1)) {
				if (recsyn_lab_finish(p) < 0) {
					recsyn_junk(p, step); /* empty or not UTF-8 */
					to_out(r);
				} else {
					r->s = S_GAP;
					r->k = 0;
				}
			}
			return;
		case S_GAP: {
			if (r->k == 0 && recsyn_is_ws(c))
				return;
			int q = recsyn_tag(cf->box_open, &r->k, c);
			if (q == 1) {
				r->s = S_BODY;
				r->b = cf->body == RB_PATCHES ? P_EXPECT : B_START;
				r->nbox = r->nv = 0;
				r->nested = r->pairs = r->after = 0;
				r->v[0] = r->v[1] = r->v[2] = r->v[3] = 0;
				return;
			}
			if (q == 0)
				return;
			recsyn_junk(p, step); /* a label without a box */
			to_out(r);
			continue; /* c may open the next group */
		}
		case S_BODY: {
			int again2 = 1;
			for (int n = 0; again2 && r->s == S_BODY && n < 4; n++)
				again2 = cf->body == RB_PATCHES ? body_patches(p, r, c, step)
				                                 : body_brackets(p, r, c, step);
			if (again2 && r->s == S_SKIP)
				continue;
			return;
		}
		case S_SKIP: /* to BOX_CLOSE or the next OPEN */
			if (c == '<')
				r->lt_step = step;
			if (recsyn_tag(cf->box_close, &r->k2, c) == 1) {
				to_out(r);
				return;
			}
			if (recsyn_tag(cf->open, &r->k, c) == 1) {
				r->s = S_LABEL;
				r->first = r->lt_step;
				r->k = r->k2 = 0;
				recsyn_lab_reset(p);
			}
			return;
		default:
			return;
		}
	}
}

void refbox_byte(recparse *p, void *st, unsigned char c, uint32_t step)
{
	rb_byte(p, st, c, step);
}

void refbox_finish(recparse *p, void *st, uint32_t step, int stopped)
{
	rb *r = st;
	if (stopped && (r->s == S_LABEL || r->s == S_GAP || r->s == S_BODY))
		recsyn_junk(p, step); /* the model stopped inside a group */
}

static const refbox_conf refbox = { "<ref>", "</ref>", "<box>", "</box>", RB_BRACKETS, NULL, NULL };

static void refbox_start_qwenvl(recparse *p, void *st)
{
	refbox_start(p, st, &refbox, REC_KEY_REFBOX);
}

const rec_syntax recsyn_refbox = {
	.key = REC_KEY_REFBOX, .name = "ref-box", .family = "Qwen-VL / InternVL", .coords = "qwen3",
	.n_values = 4, .marker = "<ref>", .state_size = REFBOX_STATE_SIZE,
	.start = refbox_start_qwenvl, .byte = refbox_byte, .finish = refbox_finish,
	.end_tag = "</box>", .done_chars = "])",
};
