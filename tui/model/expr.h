/* expr.h — filter expressions over rows of named fields (pure C, no curses).
 *
 * Grammar (blanks ignored between tokens):
 *   or   := and ( "||" and )*
 *   and  := not ( "&&" not )*
 *   not  := "!" not | "(" or ")" | "label:" WORD | FIELD OP VALUE
 *   OP   := "<" | "<=" | ">" | ">=" | "=" | "==" | "!="
 * FIELD is a name from the caller's field table (case-insensitive).  A
 * numeric field takes a number; a text field takes a word or "quoted text"
 * and only = / != : equal ignoring ASCII case, or a single letter equal to
 * the text's first letter (termination=T means "truncated").  A row whose
 * field has no value (no ground truth, not analysed yet) fails every
 * comparison on it (so "!(f1<0.5)" keeps it).  Nesting is bounded
 * (EXPR_MAX_DEPTH) so hostile input cannot exhaust the stack.
 *
 * Errors are values: expr_compile returns NULL and fills expr_err with the
 * 0-based byte offset of the offending token and a short message. */
#ifndef TS_EXPR_H
#define TS_EXPR_H

#include <stddef.h>

#define EXPR_MAX_DEPTH 32
#define EXPR_MAX_TEXT 128 /* longest word/label operand, bytes */

typedef enum { EXPR_NUM, EXPR_STR } expr_type;

typedef struct expr_field {
	const char *name;
	expr_type type;
} expr_field;

/* A field's value for one row: ok = 0 when it has none. */
typedef struct expr_val {
	int ok;
	double num;
	const char *str;
} expr_val;

typedef struct expr_ops {
	const expr_field *fields;
	size_t n_fields;
	expr_val (*get)(const void *row, size_t field);
	/* label:WORD (WORD lower-cased); NULL: label: is refused */
	int (*has_label)(const void *row, const char *word);
} expr_ops;

typedef struct expr_err {
	size_t pos;
	char msg[120];
} expr_err;

typedef struct expr expr;

/* Compiles text; NULL with err filled on a bad expression or no memory.
 * ops must outlive the expression. */
expr *expr_compile(const char *text, const expr_ops *ops, expr_err *err);
/* 1 if row matches. */
int expr_eval(const expr *e, const void *row);
void expr_free(expr *e);

/* 1 if text looks like an expression (has one of < > = ! & | ( ) ); callers
 * keep their simpler filters for anything else. */
int expr_looks_like(const char *text);

#endif
