/* syntax_molmo.c — Molmo pointing:
 *   <point x="61.5" y="40.6" alt="cat">cat</point>
 *   <points x1="10" y1="20" x2="30.5" y2="40" alt="cats">cats</points>
 * percent 0-100, x first.  Each point is a record (v[0] = x, v[1] = y), in
 * attribute index order ("x"/"y" first, then x1/y1, x2/y2, ...), all
 * completing at the ">" that ends the element (or "/>" of an empty one).
 * Label: the alt attribute, else the element's text, trimmed.  Attribute
 * values are quoted ("" or ''); other attributes are skipped.  Junk: a value
 * of x/y that is not one JSON number, an x without its y (or the reverse), a
 * repeated attribute, no point, an empty label, more than MOLMO_MAX_POINTS
 * points, a malformed tag; the element is then skipped as text. */
#include "syntax.h"

#include <string.h>

#define MOLMO_MAX_POINTS 100
#define NAME_MAX_LEN 15

enum {
	M_OUT = 0, M_NAME0, M_ATTRS, M_ANAME, M_AEQ, M_AQ, M_AVAL, M_SLASH, M_CONTENT, M_CLOSE,
};

typedef struct mo {
	int s;
	unsigned k;
	uint32_t lt_step, first;
	int plural;
	char name[NAME_MAX_LEN + 1];
	size_t nlen;
	unsigned char quote;
	int attr;              /* 0 other, 1 alt, 2 x, 3 y */
	int idx;               /* point index of an x/y attribute */
	int in_num, num_bad;
	int alt_seen;
	int max_idx;           /* highest index seen, -1 none */
	unsigned char have[MOLMO_MAX_POINTS + 1]; /* bit 1 x, bit 2 y */
	double x[MOLMO_MAX_POINTS + 1], y[MOLMO_MAX_POINTS + 1];
} mo;

_Static_assert(sizeof(mo) <= RECSYN_STATE_MAX, "molmo state");

static const char OPEN[] = "<point";
static const char CLOSE[] = "</point";

static void start(recparse *p, void *st)
{
	(void)p;
	memset(st, 0, sizeof(mo));
}

static void junk(recparse *p, mo *m, uint32_t step)
{
	recsyn_junk(p, step);
	m->s = M_OUT;
	m->k = 0;
}

static void element_start(recparse *p, mo *m)
{
	m->s = M_NAME0;
	m->first = m->lt_step;
	m->plural = 0;
	m->alt_seen = 0;
	m->max_idx = -1;
	memset(m->have, 0, sizeof m->have);
	recsyn_lab_reset(p);
}

/* the attribute name just read: what its value is */
static int attr_kind(mo *m)
{
	m->name[m->nlen] = '\0';
	if (!strcmp(m->name, "alt"))
		return 1;
	if ((m->name[0] == 'x' || m->name[0] == 'y') && m->nlen <= 4) {
		int idx = 0;
		for (size_t i = 1; i < m->nlen; i++) {
			if (m->name[i] < '0' || m->name[i] > '9')
				return 0;
			idx = idx * 10 + (m->name[i] - '0');
		}
		if (m->nlen > 1 && (idx == 0 || m->name[1] == '0'))
			return 0;
		if (idx > MOLMO_MAX_POINTS)
			return -1;
		m->idx = idx;
		return m->name[0] == 'x' ? 2 : 3;
	}
	return 0;
}

static void complete(recparse *p, mo *m, uint32_t step)
{
	if (m->max_idx < 0 || recsyn_lab_finish(p) < 0) {
		junk(p, m, step);
		return;
	}
	for (int i = 0; i <= m->max_idx; i++)
		if (m->have[i] && m->have[i] != 3) {
			junk(p, m, step);
			return;
		}
	for (int i = 0; i <= m->max_idx; i++)
		if (m->have[i]) {
			double v[4] = { m->x[i], m->y[i], 0, 0 };
			recsyn_emit(p, REC_KEY_MOLMO, v, m->first, step);
		}
	m->s = M_OUT;
	m->k = 0;
}

static int name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == ':';
}

static void mo_byte(recparse *p, void *st, unsigned char c, uint32_t step);

/* M_NAME0: after "<point": "s", the attributes, or not Molmo's tag. */
static void name0_byte(recparse *p, mo *m, unsigned char c, uint32_t step)
{
	if (c == 's' && !m->plural) {
		m->plural = 1;
		return;
	}
	if (recsyn_is_ws(c)) {
		m->s = M_ATTRS;
		return;
	}
	if (c == '>' || c == '/') {
		m->s = M_ATTRS;
		mo_byte(p, m, c, step);
		return;
	}
	m->s = M_OUT; /* <pointer ...: not Molmo's tag */
	m->k = 0;
	mo_byte(p, m, c, step);
}

/* The steps below: 1 when c is read, 0 when it breaks the element (junk). */

/* M_ATTRS, M_ANAME, M_AEQ: between attributes, an attribute's name, "=". */
static int attr_name_byte(mo *m, unsigned char c)
{
	switch (m->s) {
	case M_ATTRS:
		if (recsyn_is_ws(c))
			return 1;
		if (c == '>') {
			m->s = M_CONTENT;
			m->k = 0;
			return 1;
		}
		if (c == '/') {
			m->s = M_SLASH;
			return 1;
		}
		if (name_char(c)) {
			m->s = M_ANAME;
			m->nlen = 0;
			m->name[m->nlen++] = (char)c;
			return 1;
		}
		return 0;
	case M_ANAME:
		if (name_char(c)) {
			if (m->nlen < NAME_MAX_LEN)
				m->name[m->nlen++] = (char)c;
			else
				m->name[0] = '#'; /* too long: an other attribute */
			return 1;
		}
		if (recsyn_is_ws(c)) {
			m->s = M_AEQ;
			return 1;
		}
		if (c == '=') {
			m->s = M_AQ;
			return 1;
		}
		return 0;
	default: /* M_AEQ */
		if (recsyn_is_ws(c))
			return 1;
		if (c == '=') {
			m->s = M_AQ;
			return 1;
		}
		return 0;
	}
}

/* M_AQ: the opening quote of an attribute's value. */
static int aq_byte(recparse *p, mo *m, unsigned char c)
{
	if (recsyn_is_ws(c))
		return 1;
	if (c == '"' || c == '\'') {
		m->quote = c;
		m->attr = attr_kind(m);
		if (m->attr < 0)
			return 0; /* too many points */
		if (m->attr == 1) {
			if (m->alt_seen)
				return 0;
			m->alt_seen = 1;
			recsyn_lab_reset(p);
		} else if (m->attr >= 2) {
			int bit = m->attr == 2 ? 1 : 2;
			if (m->have[m->idx] & bit)
				return 0;
			m->have[m->idx] |= (unsigned char)bit;
			if (m->idx > m->max_idx)
				m->max_idx = m->idx;
			recsyn_num_start(p);
			m->in_num = 0;
		}
		m->s = M_AVAL;
		return 1;
	}
	return 0;
}

/* M_AVAL: an attribute's value up to its closing quote. */
static int aval_byte(recparse *p, mo *m, unsigned char c)
{
	if (c == m->quote) {
		if (m->attr >= 2) {
			double d;
			if (!m->in_num || recsyn_num_byte(p, ' ') != 1 || recsyn_num_end(p, &d) < 0)
				return 0;
			if (m->attr == 2)
				m->x[m->idx] = d;
			else
				m->y[m->idx] = d;
		}
		m->s = M_ATTRS;
		return 1;
	}
	if (m->attr == 1) {
		recsyn_lab_add(p, c);
	} else if (m->attr >= 2) {
		if (recsyn_num_byte(p, c) != 0)
			return 0;
		m->in_num = 1;
	}
	return 1;
}

/* M_SLASH, M_CLOSE: the end of an empty element or of the closing tag. */
static int end_byte(recparse *p, mo *m, unsigned char c, uint32_t step)
{
	if (m->s == M_SLASH) {
		if (c == '>') {
			complete(p, m, step);
			return 1;
		}
		return 0;
	}
	if (c == 's' && m->plural == 1) {
		m->plural = 2;
		return 1;
	}
	if (c == '>' && m->plural != 1) {
		complete(p, m, step);
		return 1;
	}
	return 0;
}

static void mo_byte(recparse *p, void *st, unsigned char c, uint32_t step)
{
	mo *m = st;
	int ok;
	switch (m->s) {
	case M_OUT:
		if (c == '<')
			m->lt_step = step;
		if (recsyn_tag(OPEN, &m->k, c) == 1)
			element_start(p, m);
		return;
	case M_NAME0:
		name0_byte(p, m, c, step);
		return;
	case M_ATTRS:
	case M_ANAME:
	case M_AEQ:
		ok = attr_name_byte(m, c);
		break;
	case M_AQ:
		ok = aq_byte(p, m, c);
		break;
	case M_AVAL:
		ok = aval_byte(p, m, c);
		break;
	case M_SLASH:
	case M_CLOSE:
		ok = end_byte(p, m, c, step);
		break;
	case M_CONTENT:
		if (recsyn_text_until(p, CLOSE, &m->k, c, !m->alt_seen))
			m->s = M_CLOSE;
		return;
	default:
		return;
	}
	if (ok)
		return;
	junk(p, m, step);
	if (c == '<')
		mo_byte(p, m, c, step);
}

static void mo_finish(recparse *p, void *st, uint32_t step, int stopped)
{
	mo *m = st;
	if (stopped && m->s != M_OUT)
		recsyn_junk(p, step); /* the model stopped inside an element */
}

const rec_syntax recsyn_molmo = {
	.key = REC_KEY_MOLMO, .name = "molmo", .family = "Molmo", .coords = "molmo", .point = 1,
	.n_values = 2, .marker = "<point", .state_size = sizeof(mo),
	.start = start, .byte = mo_byte, .finish = mo_finish,
};
