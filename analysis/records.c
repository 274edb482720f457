/* records.c — incremental coordinate-list parser (see records.h).
 *
 * One byte-level state machine, fed step by step.  Nothing is ever re-read:
 * every byte is handled once (a byte may be re-dispatched to a new state right
 * after an error, never more than a bounded number of times), so the cost is
 * O(total bytes) and the result does not depend on how the text is split.
 *
 * Layers:
 *   top       where we are in the list: before it, between records, inside a
 *             record, resynchronising after junk, closed, or in a loc stream
 *   grammar   a strict JSON grammar inside a record, with a container stack
 *             bounded by max_depth
 *   lexer     strings (escapes, surrogates, UTF-8 validation), numbers (JSON
 *             grammar, length-capped) and the literals true/false/null
 *   semantics depth-1 keys "bbox_2d"/"box_2d"/"bbox" (array of exactly four
 *             numbers) and "label" (a string); everything else is skipped
 *
 * Any error inside a record makes it junk; the parser then tracks strings and
 * bracket depth only, and restarts at the next "{" at list level (a "]" there
 * closes the list).
 */
#include "jstream.h"
#include "records.h"
#include "syntax.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* limits */

#define DEF_MAX_RECORDS 100000
#define DEF_MAX_LABEL   4096
#define DEF_MAX_NUMBER  64
#define DEF_MAX_DEPTH   64

void recparse_limits_default(recparse_limits *lim)
{
	lim->max_records = DEF_MAX_RECORDS;
	lim->max_label_bytes = DEF_MAX_LABEL;
	lim->max_number_chars = DEF_MAX_NUMBER;
	lim->max_depth = DEF_MAX_DEPTH;
}

/* ------------------------------------------------------------------ */
/* state */

enum top_state {
	T_PRE = 0,      /* before the list: looking for "[", "{" or "<loc" */
	T_LIST_START,   /* after "[" */
	T_BETWEEN,      /* after a record's "}" */
	T_AFTER_COMMA,  /* after the "," that follows a record */
	T_RECORD,       /* inside a record object */
	T_RESYNC,       /* after junk: skipping to "{" at list level */
	T_CLOSED,       /* after "]": everything ignored */
	T_SYN,          /* a tag syntax (p->syn) owns the stream */
};

enum gram_state {
	G_OBJ_FIRST = 0, /* after "{": key or "}" */
	G_OBJ_KEY,       /* after "," in an object: key */
	G_COLON,         /* after a key */
	G_VALUE,         /* a value */
	G_ARR_FIRST,     /* after "[": value or "]" */
	G_AFTER,         /* after a value: "," or the closing bracket */
};

enum lex_state { LX_NONE = 0, LX_STRING, LX_NUMBER, LX_LITERAL };

enum num_state {
	N_START = 0, N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP,
};

enum str_sink { S_NONE = 0, S_KEY, S_LABEL };
enum str_role { R_KEY = 0, R_VALUE };
enum key_kind { K_OTHER = 0, K_LABEL, K_COORD, K_MINMAX, K_WRAP };


#define KEY_BUF 16

typedef struct chunk {
	struct chunk *next;
	size_t cap, used;
	char data[];
} chunk;

struct recparse {
	recparse_limits lim;
	ts_status status;  /* sticky: TS_ERR_LIMIT / TS_ERR_NOMEM */

	/* output */
	record *recs;
	size_t n, cap;
	chunk *arena;
	int opened, closed, junk, finished, bare;
	long close_step, junk_step;
	rec_key first_key;

	int top;
	uint32_t cur_step;   /* step being fed */

	/* T_PRE: bytes since a "<" that may begin a marker */
#define MK_MAX 40
	unsigned char mk_buf[MK_MAX];
	uint32_t mk_step[MK_MAX];
	size_t mk_len;

	/* T_SYN */
	const rec_syntax *syn;
	void *syn_st;

	/* grammar inside a record */
	unsigned char *stack; /* container types, stack[0] = '{' (the record) */
	size_t depth, max_stack;
	int g;

	/* lexer */
	int lx;
	/* strings */
	int esc;            /* 0, 1 after "\", 2..5 reading hex digit esc-2 */
	unsigned hexv;
	unsigned hi_sur;    /* pending high surrogate, 0 if none */
	int u8need;         /* continuation bytes still expected */
	unsigned char u8lo, u8hi; /* range of the next continuation byte */
	int sink, role;
	char key[KEY_BUF];
	size_t key_len;
	int key_over;
	/* numbers */
	int ns;
	size_t nlen;
	int n_store;
	char *numbuf;
	/* literals */
	const char *lit;
	int lit_i;

	/* record under construction */
	uint32_t rec_first;
	int cur_key;
	rec_key coord_key, cand_key;
	int seen_label, seen_coord, has_label, has_coords, in_coords;
	int minmax_i, minmax_seen; /* x_min.. key being read (0..3), keys seen (bits) */
	int nv;
	double v[4];
	/* label buffer */
	char *lab;
	size_t lab_len, lab_cap, cp_start;
	int lab_cut;
	uint32_t lab_step; /* step of the label's first byte (recsyn_lab_add) */

	/* resync */
	size_t rdepth;
	int r_str, r_esc;

};

/* ------------------------------------------------------------------ */
/* the syntaxes: one table owns what each key is */


/* JSON syntaxes: the depth-1 key (name) holding an array of n_values
 * numbers; only the naming fields of rec_syntax are used */
#define JSON_KEY(k, json, fam, conv, pt, nv) \
	{ .key = (k), .name = (json), .family = (fam), .coords = (conv), .point = (pt), .n_values = (nv) }
static const rec_syntax json_keys[] = {
	JSON_KEY(REC_KEY_BBOX_2D, "bbox_2d", "Qwen2.5/3-VL", "qwen3", 0, 4),
	JSON_KEY(REC_KEY_BOX_2D, "box_2d", "Gemini", "gemini", 0, 4),
	JSON_KEY(REC_KEY_BBOX, "bbox", "plain pixels", "xyxy", 0, 4),
	JSON_KEY(REC_KEY_POINT_2D, "point_2d", "Qwen2.5/3-VL points", "qwen3", 1, 2),
	JSON_KEY(REC_KEY_MINMAX, "x_min", "Moondream", "moondream", 0, 4), /* keys below */
};
static const char *const minmax_keys[4] = { "x_min", "y_min", "x_max", "y_max" };

/* tag syntaxes, tried by marker before the list */
static const rec_syntax *const tag_syntaxes[] = {
	&recsyn_paligemma, &recsyn_florence2, &recsyn_deepseek, &recsyn_qwen2vl,
	&recsyn_refbox, &recsyn_kosmos2, &recsyn_molmo,
};
#define N_TAG_SYNTAXES (sizeof tag_syntaxes / sizeof tag_syntaxes[0])

static const rec_syntax *tag_syntax_of(rec_key k)
{
	for (size_t i = 0; i < N_TAG_SYNTAXES; i++)
		if (tag_syntaxes[i]->key == k)
			return tag_syntaxes[i];
	return NULL;
}

/* The one lookup of what a key is: its JSON key's entry or its tag syntax
 * (NULL: neither, the callers' defaults answer). */
static const rec_syntax *key_syntax(rec_key k)
{
	for (size_t i = 0; i < sizeof json_keys / sizeof json_keys[0]; i++)
		if (json_keys[i].key == k)
			return &json_keys[i];
	return tag_syntax_of(k);
}

const char *rec_key_name(rec_key k)
{
	const rec_syntax *t = key_syntax(k);
	return k == REC_KEY_NONE ? "none" : t ? t->name : "unknown";
}

const char *rec_key_family(rec_key k)
{
	const rec_syntax *t = key_syntax(k);
	return t ? t->family : "none";
}

int rec_key_tagged(rec_key k)
{
	return tag_syntax_of(k) != NULL;
}

const char *rec_key_end_tag(rec_key k, const char **done_chars)
{
	const rec_syntax *t = tag_syntax_of(k);
	if (done_chars)
		*done_chars = t && t->done_chars ? t->done_chars : "";
	return t ? t->end_tag : NULL;
}

int rec_key_decides_at_completion(rec_key k)
{
	const rec_syntax *t = tag_syntax_of(k);
	return t ? t->decide_at_completion : 0;
}

int rec_key_point(rec_key k)
{
	const rec_syntax *t = key_syntax(k);
	return t ? t->point : 0;
}

int rec_key_n_values(rec_key k)
{
	const rec_syntax *t = key_syntax(k);
	return t ? t->n_values : 4;
}

const char *rec_key_coords(rec_key k)
{
	const rec_syntax *t = key_syntax(k);
	return t ? t->coords : "xyxy";
}

/* ------------------------------------------------------------------ */
/* allocation helpers */

static void set_status(recparse *p, ts_status st)
{
	if (p->status == TS_OK)
		p->status = st;
}

static char *arena_put(recparse *p, const char *s, size_t n)
{
	chunk *c = p->arena;
	if (!c || c->cap - c->used < n + 1) {
		size_t cap = 16384;
		if (cap < n + 1)
			cap = n + 1;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = p->arena;
		p->arena = c;
	}
	char *d = c->data + c->used;
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	c->used += n + 1;
	return d;
}

static void arena_free(recparse *p)
{
	chunk *c = p->arena;
	while (c) {
		chunk *nx = c->next;
		free(c);
		c = nx;
	}
	p->arena = NULL;
}

/* ------------------------------------------------------------------ */
/* lifecycle */

recparse *recparse_new(const recparse_limits *lim)
{
	recparse *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	recparse_limits_default(&p->lim);
	if (lim) {
		if (lim->max_records)
			p->lim.max_records = lim->max_records;
		if (lim->max_label_bytes)
			p->lim.max_label_bytes = lim->max_label_bytes;
		if (lim->max_number_chars)
			p->lim.max_number_chars = lim->max_number_chars;
		if (lim->max_depth)
			p->lim.max_depth = lim->max_depth;
	}
	/* the record object itself plus max_depth containers inside it */
	if (p->lim.max_depth > ((size_t)1 << 24))
		p->lim.max_depth = (size_t)1 << 24;
	if (p->lim.max_number_chars > ((size_t)1 << 20))
		p->lim.max_number_chars = (size_t)1 << 20;
	p->max_stack = p->lim.max_depth + 1;
	p->stack = malloc(p->max_stack);
	p->numbuf = malloc(p->lim.max_number_chars + 2);
	p->syn_st = malloc(RECSYN_STATE_MAX);
	if (!p->stack || !p->numbuf || !p->syn_st) {
		recparse_free(p);
		return NULL;
	}
	recparse_reset(p);
	return p;
}

void recparse_reset(recparse *p)
{
	if (!p)
		return;
	arena_free(p);
	p->n = 0;
	p->status = TS_OK;
	p->opened = p->closed = p->junk = p->finished = p->bare = 0;
	p->close_step = -1;
	p->junk_step = -1;
	p->first_key = REC_KEY_NONE;
	p->top = T_PRE;
	p->mk_len = 0;
	p->syn = NULL;
	p->depth = 0;
	p->lab_len = 0;
	p->lab_cut = 0;
	p->lx = LX_NONE;
}

void recparse_free(recparse *p)
{
	if (!p)
		return;
	arena_free(p);
	free(p->recs);
	free(p->stack);
	free(p->numbuf);
	free(p->syn_st);
	free(p->lab);
	free(p);
}

/* ------------------------------------------------------------------ */
/* records out */

static void set_junk(recparse *p, uint32_t step)
{
	if (!p->junk) {
		p->junk = 1;
		p->junk_step = (long)step;
	}
}

static void emit(recparse *p, rec_key key, const double v[4], uint32_t first,
                 uint32_t last)
{
	if (p->n >= p->lim.max_records) {
		set_status(p, TS_ERR_LIMIT);
		return;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		record *r = realloc(p->recs, cap * sizeof *r);
		if (!r) {
			set_status(p, TS_ERR_NOMEM);
			return;
		}
		p->recs = r;
		p->cap = cap;
	}
	char *lab = arena_put(p, p->lab ? p->lab : "", p->lab_len);
	if (!lab) {
		set_status(p, TS_ERR_NOMEM);
		return;
	}
	record *r = &p->recs[p->n++];
	r->label = lab;
	r->label_len = p->lab_len;
	memcpy(r->v, v, sizeof r->v);
	r->key = key;
	r->first_step = first;
	r->last_step = last;
	if (p->n == 1)
		p->first_key = key;
}

/* ------------------------------------------------------------------ */
/* label buffer: bytes appended one code point at a time, cut at a UTF-8
 * boundary once longer than max_label_bytes */

static void lab_reset(recparse *p)
{
	p->lab_len = 0;
	p->cp_start = 0;
	p->lab_cut = 0;
}

static int lab_byte(recparse *p, unsigned char c)
{
	if (p->lab_cut)
		return 0;
	if (p->lab_len + 1 > p->lab_cap) {
		size_t cap = p->lab_cap ? p->lab_cap * 2 : 64;
		char *b = realloc(p->lab, cap);
		if (!b) {
			set_status(p, TS_ERR_NOMEM);
			return -1;
		}
		p->lab = b;
		p->lab_cap = cap;
	}
	p->lab[p->lab_len++] = (char)c;
	return 0;
}

/* A code point has been completed. */
static void lab_cp_done(recparse *p)
{
	if (p->lab_cut)
		return;
	if (p->lab_len > p->lim.max_label_bytes) {
		p->lab_len = p->cp_start;
		p->lab_cut = 1;
	} else {
		p->cp_start = p->lab_len;
	}
}

static void sink_byte(recparse *p, unsigned char c)
{
	if (p->sink == S_LABEL) {
		lab_byte(p, c);
	} else if (p->sink == S_KEY) {
		if (p->key_len < KEY_BUF)
			p->key[p->key_len++] = (char)c;
		else
			p->key_over = 1;
	}
}

static void sink_cp(recparse *p, unsigned cp)
{
	if (p->sink == S_NONE)
		return;
	if (cp < 0x80) {
		sink_byte(p, (unsigned char)cp);
	} else if (cp < 0x800) {
		sink_byte(p, (unsigned char)(0xC0 | (cp >> 6)));
		sink_byte(p, (unsigned char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		sink_byte(p, (unsigned char)(0xE0 | (cp >> 12)));
		sink_byte(p, (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
		sink_byte(p, (unsigned char)(0x80 | (cp & 0x3F)));
	} else {
		sink_byte(p, (unsigned char)(0xF0 | (cp >> 18)));
		sink_byte(p, (unsigned char)(0x80 | ((cp >> 12) & 0x3F)));
		sink_byte(p, (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
		sink_byte(p, (unsigned char)(0x80 | (cp & 0x3F)));
	}
	if (p->sink == S_LABEL)
		lab_cp_done(p);
}

/* ------------------------------------------------------------------ */
/* UTF-8 validation, one byte at a time.
 * Returns 1 when c completes a code point, 0 when more bytes are needed,
 * -1 when the sequence is not well-formed UTF-8 (overlong, surrogate,
 * > U+10FFFF, stray or missing continuation byte). */

static int u8_step(recparse *p, unsigned char c)
{
	if (p->u8need) {
		if (c < p->u8lo || c > p->u8hi)
			return -1;
		p->u8lo = 0x80;
		p->u8hi = 0xBF;
		return --p->u8need == 0;
	}
	if (c < 0x80)
		return 1;
	p->u8lo = 0x80;
	p->u8hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		p->u8need = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		p->u8need = 2;
		if (c == 0xE0)
			p->u8lo = 0xA0;
		else if (c == 0xED)
			p->u8hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		p->u8need = 3;
		if (c == 0xF0)
			p->u8lo = 0x90;
		else if (c == 0xF4)
			p->u8hi = 0x8F;
	} else {
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* numbers */

static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Converts a JSON number (already validated by the grammar) to the correctly
 * rounded double.  Short numbers take an exact path (mantissa <= 2^53 and a
 * power of ten <= 10^22: one correctly rounded operation); the rest go to
 * strtod with the locale's decimal point.  Returns -1 when not finite. */
static int num_value(char *s, size_t n, double *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t m = 0;
	int sig = 0;
	long nfrac = 0, ex = 0;
	int eneg = 0;
	if (s[i] == '-') {
		neg = 1;
		i++;
	}
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (m || s[i] != '0')
			sig++;
		m = m * 10 + (uint64_t)(s[i] - '0');
		if (sig > 19)
			goto slow;
	}
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (m || s[i] != '0')
				sig++;
			if (sig > 19)
				goto slow;
			m = m * 10 + (uint64_t)(s[i] - '0');
			nfrac++;
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (s[i] == '+' || s[i] == '-')
			eneg = s[i++] == '-';
		for (; i < n; i++) {
			if (ex < 100000)
				ex = ex * 10 + (s[i] - '0');
		}
	}
	if (m == 0) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	{
		long e10 = (eneg ? -ex : ex) - nfrac;
		if (m <= ((uint64_t)1 << 53) && e10 >= -22 && e10 <= 22) {
			double d = (double)m;
			d = e10 >= 0 ? d * pow10_exact[e10] : d / pow10_exact[-e10];
			*out = neg ? -d : d;
			return 0;
		}
	}
slow:
	{
		const char *dp = localeconv()->decimal_point;
		if (dp && dp[0] && dp[0] != '.' && !dp[1]) {
			for (size_t k = 0; k < n; k++)
				if (s[k] == '.')
					s[k] = dp[0];
		}
		s[n] = '\0';
		double d = strtod(s, NULL);
		if (!isfinite(d))
			return -1;
		*out = d;
		return 0;
	}
}

/* Feeds one byte to the number lexer.  Returns 0 consumed, 1 the number
 * ended before c (c not consumed), -1 error. */
static int num_byte(recparse *p, unsigned char c)
{
	int d = c >= '0' && c <= '9';
	int ns = p->ns;
	switch (ns) {
	case N_START:
		ns = c == '-' ? N_MINUS : c == '0' ? N_ZERO : d ? N_INT : -1;
		break;
	case N_MINUS:
		ns = c == '0' ? N_ZERO : d ? N_INT : -1;
		break;
	case N_ZERO:
		if (d)
			return -1; /* leading zero */
		ns = c == '.' ? N_DOT : (c == 'e' || c == 'E') ? N_E : 100;
		break;
	case N_INT:
		ns = d ? N_INT : c == '.' ? N_DOT : (c == 'e' || c == 'E') ? N_E : 100;
		break;
	case N_DOT:
		ns = d ? N_FRAC : -1;
		break;
	case N_FRAC:
		ns = d ? N_FRAC : (c == 'e' || c == 'E') ? N_E : 100;
		break;
	case N_E:
		ns = (c == '+' || c == '-') ? N_ESIGN : d ? N_EXP : -1;
		break;
	case N_ESIGN:
		ns = d ? N_EXP : -1;
		break;
	case N_EXP:
		ns = d ? N_EXP : 100;
		break;
	default:
		return -1;
	}
	if (ns < 0)
		return -1;
	if (ns == 100)
		return 1;
	if (p->nlen >= p->lim.max_number_chars)
		return -1; /* degenerate "999999..." */
	if (p->n_store)
		p->numbuf[p->nlen] = (char)c;
	p->nlen++;
	p->ns = ns;
	return 0;
}

/* ------------------------------------------------------------------ */
/* JSON inside a record */

static void enter_resync(recparse *p, uint32_t step, size_t depth, int in_str,
                         int in_esc)
{
	set_junk(p, step);
	p->top = T_RESYNC;
	p->rdepth = depth;
	p->r_str = in_str;
	p->r_esc = in_esc;
	p->lx = LX_NONE;
}

static void start_record(recparse *p, uint32_t step)
{
	p->top = T_RECORD;
	p->opened = 1;
	p->stack[0] = '{';
	p->depth = 1;
	p->g = G_OBJ_FIRST;
	p->lx = LX_NONE;
	p->rec_first = step;
	p->cur_key = K_OTHER;
	p->coord_key = REC_KEY_NONE;
	p->seen_label = p->seen_coord = 0;
	p->has_label = p->has_coords = p->in_coords = 0;
	p->minmax_seen = 0;
	p->nv = 0;
	p->v[0] = p->v[1] = p->v[2] = p->v[3] = 0;
	lab_reset(p);
}

static void start_string(recparse *p, int role, int sink)
{
	p->lx = LX_STRING;
	p->esc = 0;
	p->hi_sur = 0;
	p->u8need = 0;
	p->role = role;
	p->sink = sink;
	if (sink == S_KEY) {
		p->key_len = 0;
		p->key_over = 0;
	} else if (sink == S_LABEL) {
		lab_reset(p);
	}
}

/* One byte inside a string.  Returns 0 consumed, 1 closing quote, -1 error. */
static int str_byte(recparse *p, unsigned char c)
{
	if (p->esc == 1) {
		unsigned cp;
		if (p->hi_sur && c != 'u')
			return -1; /* high surrogate not followed by \u */
		switch (c) {
		case '"': cp = '"'; break;
		case '\\': cp = '\\'; break;
		case '/': cp = '/'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			p->esc = 2;
			p->hexv = 0;
			return 0;
		default:
			return -1;
		}
		p->esc = 0;
		sink_cp(p, cp);
		return 0;
	}
	if (p->esc >= 2) {
		int h = js_hexval(c);
		if (h < 0)
			return -1;
		p->hexv = p->hexv * 16 + (unsigned)h;
		if (++p->esc < 6)
			return 0;
		p->esc = 0;
		unsigned cp = p->hexv;
		if (p->hi_sur) {
			if (cp < 0xDC00 || cp > 0xDFFF)
				return -1;
			cp = 0x10000 + ((p->hi_sur - 0xD800) << 10) + (cp - 0xDC00);
			p->hi_sur = 0;
		} else if (cp >= 0xD800 && cp <= 0xDBFF) {
			p->hi_sur = cp;
			return 0;
		} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
			return -1; /* lone low surrogate */
		}
		sink_cp(p, cp);
		return 0;
	}
	if (p->hi_sur) {
		if (c != '\\')
			return -1;
		p->esc = 1;
		return 0;
	}
	if (c == '"' || c == '\\') {
		if (p->u8need)
			return -1; /* truncated UTF-8 sequence */
		if (c == '"')
			return 1;
		p->esc = 1;
		return 0;
	}
	if (c < 0x20)
		return -1; /* raw control character */
	int r = u8_step(p, c);
	if (r < 0)
		return -1;
	sink_byte(p, c);
	if (r == 1 && p->sink == S_LABEL)
		lab_cp_done(p);
	return 0;
}

static int key_is(const recparse *p, const char *s)
{
	size_t n = strlen(s);
	return !p->key_over && p->key_len == n && memcmp(p->key, s, n) == 0;
}

/* A string has been closed. */
static int string_done(recparse *p)
{
	p->lx = LX_NONE;
	if (p->role == R_KEY) {
		p->g = G_COLON;
		if (p->depth != 1)
			return 0;
		p->cur_key = K_OTHER;
		rec_key ck = REC_KEY_NONE;
		if (key_is(p, "label")) {
			p->cur_key = K_LABEL;
		} else if (key_is(p, "objects") && p->bare && p->n == 0 && !p->seen_label &&
		           !p->seen_coord && !p->minmax_seen) {
			p->cur_key = K_WRAP; /* {"objects": [...]}: the list is inside */
		} else {
			for (size_t i = 0; i < sizeof json_keys / sizeof json_keys[0]; i++)
				if (json_keys[i].key != REC_KEY_MINMAX && key_is(p, json_keys[i].name)) {
					ck = json_keys[i].key;
					break;
				}
			for (int i = 0; i < 4 && ck == REC_KEY_NONE; i++)
				if (key_is(p, minmax_keys[i])) {
					p->cur_key = K_MINMAX;
					p->minmax_i = i;
				}
		}
		if (ck != REC_KEY_NONE) {
			p->cur_key = K_COORD;
			p->cand_key = ck;
		}
		/* a second label or coordinate key makes the record ambiguous, and
		 * so does an array of coordinates beside x_min.. keys */
		if (p->cur_key == K_LABEL) {
			if (p->seen_label)
				return -1;
			p->seen_label = 1;
		} else if (p->cur_key == K_COORD) {
			if (p->seen_coord || p->minmax_seen)
				return -1;
			p->seen_coord = 1;
		} else if (p->cur_key == K_MINMAX) {
			if (p->seen_coord || (p->minmax_seen & (1 << p->minmax_i)))
				return -1;
			p->minmax_seen |= 1 << p->minmax_i;
		}
		return 0;
	}
	if (p->sink == S_LABEL)
		p->has_label = 1;
	p->g = G_AFTER;
	return 0;
}

static int number_done(recparse *p)
{
	p->lx = LX_NONE;
	p->g = G_AFTER;
	if (p->ns != N_ZERO && p->ns != N_INT && p->ns != N_FRAC && p->ns != N_EXP)
		return -1; /* "-", "1.", "1e", "1e+" */
	if (!p->n_store)
		return 0;
	double d;
	if (num_value(p->numbuf, p->nlen, &d) < 0)
		return -1;
	if (p->n_store == 2) { /* "x_min": 0.25 */
		p->v[p->minmax_i] = d;
		return 0;
	}
	if (p->nv >= 4)
		return -1;
	p->v[p->nv++] = d;
	return 0;
}

/* Starts a value whose first byte is c.  Returns -1 on error. */
static int value_start(recparse *p, unsigned char c)
{
	int t; /* 's' string, 'n' number, 'l' literal, '{', '[' */
	if (c == '"')
		t = 's';
	else if (c == '-' || (c >= '0' && c <= '9'))
		t = 'n';
	else if (c == 't' || c == 'f' || c == 'n')
		t = 'l';
	else if (c == '{' || c == '[')
		t = c;
	else
		return -1;

	int sink = S_NONE, store = 0, coords = 0;
	if (p->depth == 1) {
		if (p->cur_key == K_LABEL) {
			if (t != 's')
				return -1;
			sink = S_LABEL;
		} else if (p->cur_key == K_COORD) {
			if (t != '[')
				return -1;
			coords = 1;
		} else if (p->cur_key == K_MINMAX) {
			if (t != 'n')
				return -1;
			store = 2;
		} else if (p->cur_key == K_WRAP && t == '[') {
			/* {"objects": [ : the records are the array's objects; what
			 * follows the array's "]" is ignored like text after a list */
			p->depth = 0;
			p->bare = 0;
			p->top = T_LIST_START;
			return 0;
		}
	} else if (p->depth == 2 && p->in_coords) {
		if (t != 'n')
			return -1;
		store = 1;
	}

	switch (t) {
	case 's':
		start_string(p, R_VALUE, sink);
		return 0;
	case 'n':
		p->lx = LX_NUMBER;
		p->ns = N_START;
		p->nlen = 0;
		p->n_store = store;
		return num_byte(p, c);
	case 'l':
		p->lx = LX_LITERAL;
		p->lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
		p->lit_i = 1;
		return 0;
	default:
		if (p->depth >= p->max_stack)
			return -1; /* nested deeper than max_depth */
		p->stack[p->depth++] = (unsigned char)t;
		p->g = t == '{' ? G_OBJ_FIRST : G_ARR_FIRST;
		if (coords) {
			p->in_coords = 1;
			p->coord_key = p->cand_key;
			p->nv = 0;
		}
		return 0;
	}
}

/* Closes the innermost container with bracket c.  Returns -1 on error. */
static int close_container(recparse *p, unsigned char c, uint32_t step)
{
	unsigned char open = p->stack[p->depth - 1];
	if ((c == '}' && open != '{') || (c == ']' && open != '['))
		return -1;
	if (p->depth == 2 && p->in_coords) {
		if (p->nv != rec_key_n_values(p->coord_key))
			return -1;
		p->has_coords = 1;
		p->in_coords = 0;
	}
	if (p->depth == 1) {
		p->depth = 0;
		if (p->minmax_seen == 15) /* Moondream: the label is optional */
			emit(p, REC_KEY_MINMAX, p->v, p->rec_first, step);
		else if (p->has_label && p->has_coords)
			emit(p, p->coord_key, p->v, p->rec_first, step);
		else
			set_junk(p, step); /* label or coordinates missing */
		p->top = T_BETWEEN;
		return 0;
	}
	p->depth--;
	p->g = G_AFTER;
	return 0;
}

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int gram_byte(recparse *p, unsigned char c, uint32_t step)
{
	if (is_ws(c))
		return 0;
	switch (p->g) {
	case G_OBJ_FIRST:
		if (c == '}')
			return close_container(p, c, step);
		/* fall through */
	case G_OBJ_KEY:
		if (c != '"')
			return -1;
		start_string(p, R_KEY, p->depth == 1 ? S_KEY : S_NONE);
		return 0;
	case G_COLON:
		if (c != ':')
			return -1;
		p->g = G_VALUE;
		return 0;
	case G_ARR_FIRST:
		if (c == ']')
			return close_container(p, c, step);
		/* fall through */
	case G_VALUE:
		return value_start(p, c);
	case G_AFTER:
		if (c == ',') {
			p->g = p->stack[p->depth - 1] == '{' ? G_OBJ_KEY : G_VALUE;
			return 0;
		}
		if (c == '}' || c == ']')
			return close_container(p, c, step);
		return -1;
	default:
		return -1;
	}
}

/* One byte inside a record.  Returns 1 when c must be dispatched again (the
 * record turned out to be junk and the parser now resynchronises). */
static inline int rec_byte(recparse *p, unsigned char c, uint32_t step)
{
	int was_str = p->lx == LX_STRING;
	int was_esc = was_str && p->esc == 1;
	size_t depth = p->depth;
	int r;
	switch (p->lx) {
	case LX_STRING:
		r = str_byte(p, c);
		if (r < 0)
			goto fail;
		if (r == 1 && string_done(p) < 0)
			goto fail;
		return 0;
	case LX_NUMBER:
		r = num_byte(p, c);
		if (r < 0)
			goto fail;
		if (r == 0)
			return 0;
		if (number_done(p) < 0)
			goto fail;
		break; /* c follows the number */
	case LX_LITERAL:
		if (c != (unsigned char)p->lit[p->lit_i])
			goto fail;
		if (p->lit[++p->lit_i] == '\0') {
			p->lx = LX_NONE;
			p->g = G_AFTER;
		}
		return 0;
	default:
		break;
	}
	if (gram_byte(p, c, step) < 0)
		goto fail;
	return 0;
fail:
	enter_resync(p, step, depth, was_str, was_esc);
	return 1;
}

/* ------------------------------------------------------------------ */
/* list level */

static void resync_byte(recparse *p, unsigned char c, uint32_t step)
{
	if (p->r_str) {
		if (p->r_esc)
			p->r_esc = 0;
		else if (c == '\\')
			p->r_esc = 1;
		else if (c == '"')
			p->r_str = 0;
		return;
	}
	switch (c) {
	case '"':
		p->r_str = 1;
		break;
	case '{':
		if (p->rdepth == 0)
			start_record(p, step);
		else
			p->rdepth++;
		break;
	case '[':
		p->rdepth++;
		break;
	case '}':
		if (p->rdepth)
			p->rdepth--;
		break;
	case ']':
		if (p->rdepth) {
			p->rdepth--;
		} else if (!p->bare) {
			p->closed = 1;
			p->close_step = (long)step;
			p->top = T_CLOSED;
		}
		break;
	default:
		break;
	}
}

/* "]" at list level: the list is closed at this step. */
static void close_list(recparse *p, uint32_t step)
{
	p->closed = 1;
	p->close_step = (long)step;
	p->top = T_CLOSED;
}

/* After "[", after a record, after its comma.  Returns 1 to re-dispatch.
 * "{" starts a record after "[" or a comma (and between bare objects:
 * {...}\n{...} needs no comma); "]" closes after "[" or a record (not in
 * bare mode); "," follows a record; anything else resyncs. */
static int list_byte(recparse *p, unsigned char c, uint32_t step)
{
	if (is_ws(c))
		return 0;
	int after_rec = p->top == T_BETWEEN, first = p->top == T_LIST_START;
	if (c == '{' && (first || p->top == T_AFTER_COMMA || (after_rec && p->bare))) {
		start_record(p, step);
		return 0;
	}
	if (c == ']' && (first || after_rec) && !p->bare) {
		close_list(p, step);
		return 0;
	}
	if (c == ',' && after_rec) {
		p->top = T_AFTER_COMMA;
		return 0;
	}
	enter_resync(p, step, 0, 0, 0);
	return 1;
}

/* ------------------------------------------------------------------ */
/* services for the syntax machines (syntax.h) */

static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t need;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else {
			return 0;
		}
		if (n - i - 1 < need)
			return 0;
		for (size_t k = 1; k <= need; k++) {
			unsigned char d = s[i + k];
			if (d < lo || d > hi)
				return 0;
			lo = 0x80;
			hi = 0xBF;
		}
		i += need + 1;
	}
	return 1;
}

static void lab_add_at(recparse *p, unsigned char c, uint32_t step)
{
	if (p->lab_len == 0 && is_ws(c))
		return;
	if (p->lab_len >= p->lim.max_label_bytes + 4)
		return;
	if (p->lab_len == 0)
		p->lab_step = step;
	p->lab_cut = 0;
	lab_byte(p, c);
}

void recsyn_emit(recparse *p, rec_key key, const double v[4], uint32_t first, uint32_t last)
{
	emit(p, key, v, first, last);
}

void recsyn_junk(recparse *p, uint32_t step) { set_junk(p, step); }
void recsyn_lab_reset(recparse *p) { lab_reset(p); }
void recsyn_lab_add(recparse *p, unsigned char c) { lab_add_at(p, c, p->cur_step); }
void recsyn_lab_add_at(recparse *p, unsigned char c, uint32_t step) { lab_add_at(p, c, step); }
int  recsyn_lab_cut(const recparse *p) { return p->lab_cut; }
void recsyn_u8_reset(recparse *p) { p->u8need = 0; }
int  recsyn_u8_pending(const recparse *p) { return p->u8need != 0; }

int recsyn_lab_u8(recparse *p, unsigned char c)
{
	int r = u8_step(p, c);
	if (r < 0)
		return -1;
	lab_byte(p, c);
	if (r == 1)
		lab_cp_done(p);
	return 0;
}
size_t recsyn_lab_len(const recparse *p) { return p->lab_len; }
uint32_t recsyn_lab_step(const recparse *p) { return p->lab_step; }
int recsyn_is_ws(unsigned char c) { return is_ws(c); }

int recsyn_lab_finish(recparse *p)
{
	size_t n = p->lab_len;
	if (n > p->lim.max_label_bytes) {
		n = p->lim.max_label_bytes;
		while (n > 0 && ((unsigned char)p->lab[n] & 0xC0) == 0x80)
			n--;
	}
	if (!utf8_valid((const unsigned char *)p->lab, n))
		return -1;
	while (n && is_ws((unsigned char)p->lab[n - 1]))
		n--;
	p->lab_len = n;
	return n ? 0 : -1;
}

void recsyn_num_start(recparse *p)
{
	p->ns = N_START;
	p->nlen = 0;
	p->n_store = 1;
}

int recsyn_num_byte(recparse *p, unsigned char c)
{
	return num_byte(p, c);
}

int recsyn_num_end(recparse *p, double *out)
{
	if (p->ns != N_ZERO && p->ns != N_INT && p->ns != N_FRAC && p->ns != N_EXP)
		return -1;
	return num_value(p->numbuf, p->nlen, out);
}

int recsyn_tag(const char *tag, unsigned *k, unsigned char c)
{
	char m = tag[*k];
	if (m && (m == '#' ? c >= '0' && c <= '9' : (unsigned char)m == c)) {
		if (tag[++*k] == '\0') {
			*k = 0;
			return 1;
		}
		return 0;
	}
	*k = c == '<' && tag[0] == '<';
	return -1;
}

int recsyn_text_until(recparse *p, const char *tag, unsigned *k, unsigned char c, int add)
{
	if (*k || c == '<') {
		unsigned old = *k;
		int q = recsyn_tag(tag, k, c);
		if (q >= 0)
			return q;
		for (unsigned i = 0; add && i < old; i++)
			lab_add_at(p, (unsigned char)tag[i], p->cur_step);
		if (*k)
			return 0; /* c is "<": held */
	}
	if (add)
		lab_add_at(p, c, p->cur_step);
	return 0;
}

/* ------------------------------------------------------------------ */
/* before the list */

/* 2 when b[0..n) is marker m, 1 when it is a proper prefix of it, else 0 */
static int marker_match(const char *m, const unsigned char *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (!m[i])
			return 0;
		if (m[i] == '#' ? !(b[i] >= '0' && b[i] <= '9') : (unsigned char)m[i] != b[i])
			return 0;
	}
	return m[i] ? 1 : 2;
}

static void select_syntax(recparse *p, const rec_syntax *t)
{
	p->top = T_SYN;
	p->syn = t;
	p->opened = 1;
	memset(p->syn_st, 0, RECSYN_STATE_MAX);
	t->start(p, p->syn_st);
	size_t n = p->mk_len;
	uint32_t keep = p->cur_step;
	p->mk_len = 0;
	for (size_t i = 0; i < n && p->status == TS_OK; i++) {
		p->cur_step = p->mk_step[i];
		t->byte(p, p->syn_st, p->mk_buf[i], p->mk_step[i]);
	}
	p->cur_step = keep;
}

/* Text before the list is ignored, but the text since the last tag, line
 * end or start is kept in the label buffer: Florence-2's first label. */
static int pre_byte(recparse *p, unsigned char c, uint32_t step)
{
	if (p->mk_len) {
		if (p->mk_len < MK_MAX) {
			p->mk_buf[p->mk_len] = c;
			p->mk_step[p->mk_len] = step;
			p->mk_len++;
		}
		int alive = 0;
		for (size_t i = 0; i < N_TAG_SYNTAXES; i++) {
			int r = marker_match(tag_syntaxes[i]->marker, p->mk_buf, p->mk_len);
			if (r == 2) {
				select_syntax(p, tag_syntaxes[i]);
				return 0;
			}
			alive |= r;
		}
		if (alive)
			return 0;
		/* not a marker: the held bytes were text, c is taken afresh */
		size_t n = p->mk_len - 1;
		p->mk_len = 0;
		for (size_t i = 0; i < n; i++)
			lab_add_at(p, p->mk_buf[i], p->mk_step[i]);
	}
	switch (c) {
	case '[':
		p->opened = 1;
		p->top = T_LIST_START;
		break;
	case '{':
		p->bare = 1;
		start_record(p, step);
		break;
	case '<':
		p->mk_buf[0] = c;
		p->mk_step[0] = step;
		p->mk_len = 1;
		break;
	case '>':
	case '\n':
	case '\r':
		lab_reset(p);
		break;
	default:
		lab_add_at(p, c, step);
		break;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* feeding */

/* Feeding position: step k (numbered step0 + k) of n_steps, whose bytes are
 * b[0..len), next byte b[i].  Step k's bytes are text[off, off + len) cut at
 * cut, off and len being the two uint32_t that begin steps' k-th element. */
typedef struct feedcur {
	const char *text;
	const unsigned char *steps;
	size_t stride, n_steps, cut, k;
	uint32_t step0;
	const unsigned char *b;
	size_t len, i;
} feedcur;

/* Step k's bytes (cut at fc->cut): their start, their count in *n. */
static inline const unsigned char *cur_span(const feedcur *fc, size_t k, size_t *n)
{
	const unsigned char *s = fc->steps + k * fc->stride;
	uint32_t off, len;
	memcpy(&off, s, sizeof off);
	memcpy(&len, s + sizeof off, sizeof len);
	if ((size_t)off + len <= fc->cut) {
		*n = len;
		return (const unsigned char *)fc->text + off;
	}
	*n = off >= fc->cut ? 0 : fc->cut - off;
	return (const unsigned char *)fc->text + (*n ? off : 0);
}

static inline void cur_load(feedcur *fc)
{
	fc->b = cur_span(fc, fc->k, &fc->len);
	fc->i = 0;
}

/* Inside a record: bytes that cannot change the state are taken inline,
 * with exactly the effect str_byte / num_byte / gram_byte would have — plain
 * printable ASCII in a string (no escape, surrogate or UTF-8 sequence
 * pending: a whole code point), a digit continuing a number's integer,
 * fraction or exponent part within max_number_chars, whitespace between
 * tokens; any other byte goes to rec_byte.  Runs on across steps (setting
 * cur_step, each byte is handled with its own step) and stops at the end of
 * the last step, after the byte that ended the record or made the status
 * bad, or before the byte that made it junk (to be dispatched again). */
static void rec_run(recparse *p, feedcur *fc)
{
	const unsigned char *b = fc->b;
	size_t i = fc->i, len = fc->len, k = fc->k;
	uint32_t step = fc->step0 + (uint32_t)k;
	for (;;) {
		for (; i < len; i++) {
			unsigned char c = b[i];
			if (p->lx == LX_STRING) {
				if (!(p->esc | p->hi_sur | (unsigned)p->u8need) && c >= 0x20 &&
				    c < 0x80 && c != '"' && c != '\\') {
					if (p->sink == S_LABEL) {
						lab_byte(p, c);
						lab_cp_done(p);
						if (p->status != TS_OK)
							goto out1;
					} else if (p->sink == S_KEY) {
						sink_byte(p, c);
					}
					continue;
				}
			} else if (p->lx == LX_NUMBER) {
				if (c >= '0' && c <= '9' && p->nlen < p->lim.max_number_chars &&
				    (p->ns == N_INT || p->ns == N_FRAC || p->ns == N_EXP)) {
					if (p->n_store)
						p->numbuf[p->nlen] = (char)c;
					p->nlen++;
					continue;
				}
			} else if (p->lx == LX_NONE && is_ws(c)) {
				continue;
			}
			if (rec_byte(p, c, step))
				goto out;
			if (p->top != T_RECORD || p->status != TS_OK)
				goto out1;
		}
		if (k + 1 >= fc->n_steps)
			goto out;
		b = cur_span(fc, ++k, &len); /* in locals: fc is brought up to date at out */
		i = 0;
		p->cur_step = ++step;
	}
out1:
	i++;
out:
	fc->k = k;
	fc->b = b;
	fc->len = len;
	fc->i = i;
}

/* One byte at top level; returns 1 to re-dispatch it. */
static int top_byte(recparse *p, unsigned char c, uint32_t step)
{
	switch (p->top) {
	case T_PRE:
		return pre_byte(p, c, step);
	case T_LIST_START:
	case T_BETWEEN:
	case T_AFTER_COMMA:
		return list_byte(p, c, step);
	case T_RECORD: { /* not reached from feed_cur, which runs records itself */
		uint32_t one[2] = { 0, 1 };
		feedcur fc = { .text = (const char *)&c, .steps = (const unsigned char *)one,
		               .stride = sizeof one, .n_steps = 1, .cut = 1, .step0 = step };
		cur_load(&fc);
		rec_run(p, &fc);
		return fc.i == 0; /* junk: c again */
	}
	case T_RESYNC:
		resync_byte(p, c, step);
		return 0;
	default: /* T_SYN */
		p->syn->byte(p, p->syn_st, c, step);
		return 0;
	}
}

/* The steps of fc from fc->k on, as recparse_feed per step would do them. */
static ts_status feed_cur(recparse *p, feedcur *fc)
{
	if (!p)
		return TS_ERR_USAGE;
	for (; fc->k < fc->n_steps; fc->k++) {
		if (p->status != TS_OK)
			return p->status;
		cur_load(fc);
		if (p->finished || fc->len == 0)
			continue;
		if (!fc->text)
			return TS_ERR_USAGE;
		uint32_t step = fc->step0 + (uint32_t)fc->k;
		p->cur_step = step;
		while (fc->i < fc->len) {
			if (p->top == T_RECORD) {
				rec_run(p, fc);
				if (p->status != TS_OK)
					return p->status;
				if (fc->i == fc->len)
					break;
				step = fc->step0 + (uint32_t)fc->k;
			}
			unsigned char c = fc->b[fc->i++];
			do {
				if (p->top == T_CLOSED)
					return TS_OK; /* and so for every later step */
			} while (top_byte(p, c, step));
			if (p->status != TS_OK)
				return p->status;
		}
	}
	return TS_OK;
}

ts_status recparse_feed(recparse *p, const char *bytes, size_t len, uint32_t step)
{
	if (!p)
		return TS_ERR_USAGE;
	if (p->status != TS_OK)
		return p->status;
	if (p->finished || len == 0)
		return TS_OK;
	if (!bytes)
		return TS_ERR_USAGE;
	/* one step, in pieces of < 2^32 bytes (a step's len is a uint32_t) */
	ts_status st = TS_OK;
	for (size_t done = 0; done < len && st == TS_OK && p->top != T_CLOSED;) {
		size_t n = len - done > UINT32_MAX ? UINT32_MAX : len - done;
		uint32_t one[2] = { 0, (uint32_t)n };
		feedcur fc = { .text = bytes + done, .steps = (const unsigned char *)one,
		               .stride = sizeof one, .n_steps = 1, .cut = n, .step0 = step };
		st = feed_cur(p, &fc);
		done += n;
	}
	return st;
}

ts_status recparse_feed_steps(recparse *p, const char *text, const void *steps,
                              size_t stride, size_t n_steps, size_t cut)
{
	feedcur fc = { .text = text, .steps = steps, .stride = stride, .n_steps = n_steps,
	               .cut = cut };
	return feed_cur(p, &fc);
}

ts_status recparse_feed_split(recparse *p, const char *text,
                              const size_t *steps_off, size_t n_steps)
{
	ts_status st = TS_OK;
	for (size_t i = 0; i < n_steps && st == TS_OK; i++) {
		if (steps_off[i + 1] < steps_off[i])
			return TS_ERR_USAGE;
		st = recparse_feed(p, text + steps_off[i], steps_off[i + 1] - steps_off[i],
		                   (uint32_t)i);
	}
	return st;
}

void recparse_finish(recparse *p, uint32_t last_step, int stopped_by_model)
{
	if (!p || p->finished)
		return;
	p->finished = 1;
	if (p->status != TS_OK || p->top != T_SYN || !stopped_by_model)
		return;
	p->cur_step = last_step;
	p->syn->finish(p, p->syn_st, last_step, 1);
	if (p->status == TS_OK) {
		p->closed = 1;
		p->close_step = (long)last_step;
	}
}

/* ------------------------------------------------------------------ */
/* accessors */

size_t        recparse_count(const recparse *p) { return p ? p->n : 0; }
const record *recparse_records(const recparse *p) { return p ? p->recs : NULL; }
rec_key       recparse_key(const recparse *p) { return p ? p->first_key : REC_KEY_NONE; }
int           recparse_opened(const recparse *p) { return p && p->opened; }
int           recparse_closed(const recparse *p) { return p && p->closed; }
int           recparse_junk(const recparse *p) { return p && p->junk; }
long          recparse_close_step(const recparse *p) { return p ? p->close_step : -1; }
long          recparse_junk_step(const recparse *p) { return p ? p->junk_step : -1; }
ts_status     recparse_status(const recparse *p) { return p ? p->status : TS_ERR_USAGE; }

/* ------------------------------------------------------------------ */
/* equality */

int record_equal(const record *a, const record *b)
{
	if (a->label_len != b->label_len || rec_key_point(a->key) != rec_key_point(b->key))
		return 0;
	for (int i = 0; i < 4; i++)
		if (a->v[i] != b->v[i])
			return 0;
	return a->label_len == 0 || memcmp(a->label, b->label, a->label_len) == 0;
}

uint64_t record_hash(const record *r)
{
	/* FNV-1a over the label bytes, then each double's bit pattern (-0.0
	 * taken as 0.0, since -0.0 == 0.0) mixed in a word at a time, then a
	 * final avalanche.  Only hash tables read it (no output depends on it). */
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *s = (const unsigned char *)r->label;
	for (size_t i = 0; i < r->label_len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	for (int i = 0; i < 4; i++) {
		double d = r->v[i] == 0.0 ? 0.0 : r->v[i];
		uint64_t bits;
		memcpy(&bits, &d, sizeof bits);
		h = (h ^ bits) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	h ^= r->label_len;
	if (rec_key_point(r->key))
		h ^= 0x9e3779b97f4a7c15ULL; /* a point never equals a box */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}
