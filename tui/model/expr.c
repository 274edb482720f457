/* expr.c — filter expressions: a recursive-descent parser into a node array
 * and its evaluator (see expr.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expr.h"

#define EXPR_MAX_NODES 1024 /* bounds the evaluator's recursion too */

typedef enum { N_OR, N_AND, N_NOT, N_CMP, N_LABEL } node_kind;
typedef enum { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE } cmp_op;

typedef struct node {
	node_kind kind;
	size_t a, b;       /* children (N_OR/N_AND: a, b; N_NOT: a) */
	size_t field;      /* N_CMP */
	cmp_op op;
	double num;
	char str[EXPR_MAX_TEXT];
} node;

struct expr {
	const expr_ops *ops;
	node *n;
	size_t len, cap;
	size_t root;
};

typedef struct parser {
	const char *s;
	size_t p;
	int depth;
	expr *e;
	expr_err *err;
	int failed;
} parser;

static int fail(parser *ps, size_t pos, const char *msg)
{
	if (!ps->failed) {
		ps->failed = 1;
		ps->err->pos = pos;
		snprintf(ps->err->msg, sizeof ps->err->msg, "%.100s", msg);
	}
	return -1;
}

static void skip_blanks(parser *ps)
{
	while (ps->s[ps->p] == ' ' || ps->s[ps->p] == '\t')
		ps->p++;
}

/* a new node; its index, or -1 (err set) */
static long add_node(parser *ps, node_kind k)
{
	expr *e = ps->e;
	if (e->len >= EXPR_MAX_NODES)
		return fail(ps, ps->p, "expression too long");
	if (e->len == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 8;
		node *nn = realloc(e->n, cap * sizeof *nn);
		if (!nn)
			return fail(ps, ps->p, "out of memory");
		e->n = nn;
		e->cap = cap;
	}
	memset(&e->n[e->len], 0, sizeof e->n[0]);
	e->n[e->len].kind = k;
	return (long)e->len++;
}

static int is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' || c == '+' ||
	       (unsigned char)c >= 0x80;
}

/* a word or "quoted text" into out (lower-cased when lower); its length, -1 */
static int read_word(parser *ps, char *out, int lower, const char *what)
{
	size_t start = ps->p, n = 0;
	int quoted = ps->s[ps->p] == '"';
	if (quoted)
		ps->p++;
	while (ps->s[ps->p] && (quoted ? ps->s[ps->p] != '"' : is_word_char(ps->s[ps->p]))) {
		if (n + 1 >= EXPR_MAX_TEXT)
			return fail(ps, start, "word too long");
		char c = ps->s[ps->p++];
		out[n++] = lower ? (char)tolower((unsigned char)c) : c;
	}
	out[n] = 0;
	if (quoted) {
		if (ps->s[ps->p] != '"')
			return fail(ps, start, "unclosed quote");
		ps->p++;
	} else if (n == 0) {
		char msg[80];
		snprintf(msg, sizeof msg, "expected %s", what);
		return fail(ps, start, msg);
	}
	return (int)n;
}

static int read_op(parser *ps, cmp_op *op)
{
	const char *t = ps->s + ps->p;
	static const struct { const char *tok; cmp_op op; } ops[] = {
		{ "<=", OP_LE }, { ">=", OP_GE }, { "==", OP_EQ }, { "!=", OP_NE },
		{ "<", OP_LT },  { ">", OP_GT },  { "=", OP_EQ },
	};
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		size_t l = strlen(ops[i].tok);
		if (!strncmp(t, ops[i].tok, l)) {
			*op = ops[i].op;
			ps->p += l;
			return 0;
		}
	}
	return fail(ps, ps->p, "expected < <= > >= = or != after the field");
}

static long find_field(const expr_ops *ops, const char *name)
{
	for (size_t i = 0; i < ops->n_fields; i++) {
		const char *a = ops->fields[i].name, *b = name;
		while (*a && tolower((unsigned char)*a) == tolower((unsigned char)*b))
			a++, b++;
		if (!*a && !*b)
			return (long)i;
	}
	return -1;
}

/* label:WORD */
static long parse_label(parser *ps)
{
	ps->p += 6;
	skip_blanks(ps);
	char w[EXPR_MAX_TEXT];
	if (!ps->e->ops->has_label)
		return fail(ps, ps->p - 6, "label: is not available here");
	if (read_word(ps, w, 1, "a label after label:") < 0)
		return -1;
	long k = add_node(ps, N_LABEL);
	if (k >= 0)
		memcpy(ps->e->n[k].str, w, sizeof w);
	return k;
}

/* the operand of a comparison on field f */
static int parse_value(parser *ps, node *nd, expr_type t)
{
	size_t at = ps->p;
	if (t == EXPR_STR) {
		if (nd->op != OP_EQ && nd->op != OP_NE)
			return fail(ps, at, "a text field takes only = or !=");
		return read_word(ps, nd->str, 1, "a value") < 0 ? -1 : 0;
	}
	char w[EXPR_MAX_TEXT], *end;
	if (read_word(ps, w, 0, "a number") < 0)
		return -1;
	errno = 0;
	nd->num = strtod(w, &end);
	if (*end || errno || !isfinite(nd->num))
		return fail(ps, at, "expected a number");
	return 0;
}

/* FIELD OP VALUE */
static long parse_cmp(parser *ps)
{
	size_t at = ps->p;
	char name[EXPR_MAX_TEXT];
	if (read_word(ps, name, 0, "a field name, label:, ! or (") < 0)
		return -1;
	long f = find_field(ps->e->ops, name);
	if (f < 0) {
		char msg[80];
		snprintf(msg, sizeof msg, "unknown field '%.40s'", name);
		return fail(ps, at, msg);
	}
	skip_blanks(ps);
	node tmp;
	memset(&tmp, 0, sizeof tmp);
	if (read_op(ps, &tmp.op) < 0)
		return -1;
	skip_blanks(ps);
	if (parse_value(ps, &tmp, ps->e->ops->fields[f].type) < 0)
		return -1;
	long k = add_node(ps, N_CMP);
	if (k < 0)
		return -1;
	tmp.kind = N_CMP;
	tmp.field = (size_t)f;
	ps->e->n[k] = tmp;
	return k;
}

static long parse_or(parser *ps);

static long parse_not(parser *ps)
{
	skip_blanks(ps);
	if (++ps->depth > EXPR_MAX_DEPTH)
		return fail(ps, ps->p, "nested too deeply");
	long r;
	char c = ps->s[ps->p];
	if (c == '!' && ps->s[ps->p + 1] != '=') {
		ps->p++;
		long a = parse_not(ps);
		r = a < 0 ? -1 : add_node(ps, N_NOT);
		if (r >= 0)
			ps->e->n[r].a = (size_t)a;
	} else if (c == '(') {
		size_t open = ps->p++;
		r = parse_or(ps);
		skip_blanks(ps);
		if (r >= 0 && ps->s[ps->p] != ')')
			r = fail(ps, ps->s[ps->p] ? ps->p : open, "missing )");
		else if (r >= 0)
			ps->p++;
	} else if (!strncasecmp(ps->s + ps->p, "label:", 6)) {
		r = parse_label(ps);
	} else {
		r = parse_cmp(ps);
	}
	ps->depth--;
	return r;
}

/* left-assoc chain of sub separated by tok, as nodes of kind k */
static long parse_chain(parser *ps, const char *tok, node_kind k, long (*sub)(parser *))
{
	long l = sub(ps);
	for (;;) {
		if (l < 0)
			return -1;
		skip_blanks(ps);
		if (strncmp(ps->s + ps->p, tok, 2))
			return l;
		ps->p += 2;
		long r = sub(ps);
		if (r < 0)
			return -1;
		long n = add_node(ps, k);
		if (n < 0)
			return -1;
		ps->e->n[n].a = (size_t)l;
		ps->e->n[n].b = (size_t)r;
		l = n;
	}
}

static long parse_and(parser *ps) { return parse_chain(ps, "&&", N_AND, parse_not); }
static long parse_or(parser *ps) { return parse_chain(ps, "||", N_OR, parse_and); }

expr *expr_compile(const char *text, const expr_ops *ops, expr_err *err)
{
	expr_err dummy;
	if (!err)
		err = &dummy;
	memset(err, 0, sizeof *err);
	expr *e = calloc(1, sizeof *e);
	if (!e) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return NULL;
	}
	e->ops = ops;
	parser ps = { text ? text : "", 0, 0, e, err, 0 };
	long root = parse_or(&ps);
	skip_blanks(&ps);
	if (root >= 0 && ps.s[ps.p]) {
		const char *msg = ps.s[ps.p] == ')' ? "unmatched )"
		                : ps.s[ps.p] == '&' || ps.s[ps.p] == '|' ? "use && or ||"
		                : "expected && or || here";
		root = fail(&ps, ps.p, msg);
	}
	if (root < 0) {
		expr_free(e);
		return NULL;
	}
	e->root = (size_t)root;
	return e;
}

static int str_match(const char *have, const char *want)
{
	if (!have)
		return 0;
	if (want[0] && !want[1] && isalpha((unsigned char)want[0]))
		return tolower((unsigned char)have[0]) == want[0];
	return !strcasecmp(have, want);
}

static int eval_cmp(const expr *e, const node *nd, const void *row)
{
	expr_val v = e->ops->get(row, nd->field);
	if (!v.ok)
		return 0;
	if (e->ops->fields[nd->field].type == EXPR_STR) {
		int eq = str_match(v.str, nd->str);
		return nd->op == OP_EQ ? eq : !eq;
	}
	switch (nd->op) {
	case OP_LT: return v.num < nd->num;
	case OP_LE: return v.num <= nd->num;
	case OP_GT: return v.num > nd->num;
	case OP_GE: return v.num >= nd->num;
	case OP_EQ: return v.num == nd->num;
	case OP_NE: return v.num != nd->num;
	}
	return 0;
}

static int eval_node(const expr *e, size_t i, const void *row)
{
	const node *nd = &e->n[i];
	switch (nd->kind) {
	case N_OR: return eval_node(e, nd->a, row) || eval_node(e, nd->b, row);
	case N_AND: return eval_node(e, nd->a, row) && eval_node(e, nd->b, row);
	case N_NOT: return !eval_node(e, nd->a, row);
	case N_CMP: return eval_cmp(e, nd, row);
	case N_LABEL: return e->ops->has_label(row, nd->str);
	}
	return 0;
}

int expr_eval(const expr *e, const void *row)
{
	return e ? eval_node(e, e->root, row) : 1;
}

void expr_free(expr *e)
{
	if (!e)
		return;
	free(e->n);
	free(e);
}

int expr_looks_like(const char *text)
{
	return text && strpbrk(text, "<>=!&|()") != NULL;
}
