/* The filter expression language (tui/model/expr.h) and its use by the
 * samples list (slist_expr_ops).  Rows are built by hand; every expected
 * match set below is worked out by hand from the tables in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "expr.h"
#include "slist.h"

/* ---- a toy schema: rows of (a: number, t: text), a may be missing ---- */
typedef struct row { int has_a; double a; const char *t; const char *labels; } row;

static const expr_field toy_fields[] = { { "a", EXPR_NUM }, { "kind", EXPR_STR } };

static expr_val toy_get(const void *r, size_t f)
{
	const row *x = r;
	expr_val v = { 0, 0, NULL };
	if (f == 0 && x->has_a) {
		v.ok = 1;
		v.num = x->a;
	} else if (f == 1 && x->t) {
		v.ok = 1;
		v.str = x->t;
	}
	return v;
}

static int toy_label(const void *r, const char *w)
{
	const row *x = r;
	return x->labels && strstr(x->labels, w) != NULL;
}

static const expr_ops toy = { toy_fields, 2, toy_get, toy_label };

/*  i  a     kind        labels
 *  0  1     truncated   pole,car
 *  1  5     closed      car
 *  2  5.5   Truncated   -
 *  3  (none) closed     pole        */
static const row rows[4] = {
	{ 1, 1, "truncated", "pole,car" },
	{ 1, 5, "closed", "car" },
	{ 1, 5.5, "Truncated", NULL },
	{ 0, 0, "closed", "pole" },
};

/* bit i set when row i matches */
static unsigned matches(const char *text)
{
	expr_err err;
	expr *e = expr_compile(text, &toy, &err);
	if (!e)
		fail_msg("'%s' did not compile: %zu %s", text, err.pos, err.msg);
	unsigned m = 0;
	for (unsigned i = 0; i < 4; i++)
		m |= (unsigned)expr_eval(e, &rows[i]) << i;
	expr_free(e);
	return m;
}

static void test_expr_comparisons(void **state)
{
	(void)state;
	assert_int_equal(matches("a>1"), 0x6);      /* 5, 5.5 */
	assert_int_equal(matches("a>=1"), 0x7);
	assert_int_equal(matches("a<5"), 0x1);
	assert_int_equal(matches("a<=5"), 0x3);
	assert_int_equal(matches("a=5"), 0x2);
	assert_int_equal(matches("a==5.5"), 0x4);
	assert_int_equal(matches("a!=5"), 0x5);     /* row 3 has no a: false */
	assert_int_equal(matches("A > 1e0"), 0x6);  /* names ignore case; 1e0 */
	assert_int_equal(matches("kind=truncated"), 0x5); /* case-insensitive */
	assert_int_equal(matches("kind=T"), 0x5);   /* one letter: the first */
	assert_int_equal(matches("kind!=t"), 0xA);
	assert_int_equal(matches("kind=\"closed\""), 0xA);
	assert_int_equal(matches("label:pole"), 0x9);
	assert_int_equal(matches("label:CAR"), 0x3); /* lower-cased */
}

static void test_expr_logic(void **state)
{
	(void)state;
	assert_int_equal(matches("a>1 && kind=T"), 0x4);
	assert_int_equal(matches("a<2 || label:pole"), 0x9);
	assert_int_equal(matches("!(a<2)"), 0xE);   /* row 3: a<2 false -> kept */
	assert_int_equal(matches("!a<2"), 0xE);     /* ! binds to the comparison */
	assert_int_equal(matches("!!label:car"), 0x3);
	/* && binds tighter than ||: a=1 || (a=5 && kind=T) */
	assert_int_equal(matches("a=1 || a=5 && kind=T"), 0x1);
	assert_int_equal(matches("(a=1 || a=5) && kind=T"), 0x1);
	assert_int_equal(matches("(a=1 || a=5) && kind=C"), 0x2);
	assert_int_equal(matches("  ( ( a > 5 ) )  "), 0x4);
}

static void expect_error(const char *text, size_t pos, const char *msg_part)
{
	expr_err err;
	expr *e = expr_compile(text, &toy, &err);
	if (e)
		fail_msg("'%s' compiled", text);
	if (err.pos != pos || !strstr(err.msg, msg_part))
		fail_msg("'%s': got %zu '%s', want %zu '%s'", text, err.pos, err.msg, pos, msg_part);
}

static void test_expr_errors(void **state)
{
	(void)state;
	expect_error("", 0, "expected a field");
	expect_error("b>1", 0, "unknown field 'b'");
	expect_error("a>", 2, "expected a number");
	expect_error("a>x", 2, "expected a number");
	expect_error("a 5", 2, "expected <");
	expect_error("a>1 &&", 6, "expected a field");
	expect_error("a>1 & a<2", 4, "use && or ||");
	expect_error("(a>1", 0, "missing )");
	expect_error("a>1)", 3, "unmatched )");
	expect_error("kind<3", 5, "only = or !=");
	expect_error("kind=\"abc", 5, "unclosed quote");
	expect_error("label:", 6, "expected a label");
	/* hostile: deep nesting and very long chains are refused, not crashed */
	char deep[200];
	memset(deep, '(', sizeof deep - 1);
	deep[sizeof deep - 1] = 0;
	expr_err err;
	assert_null(expr_compile(deep, &toy, &err));
	assert_non_null(strstr(err.msg, "nested too deeply"));
	size_t n = 3000 * 6;
	char *chain = malloc(n + 1);
	assert_non_null(chain);
	for (size_t i = 0; i < 3000; i++)
		memcpy(chain + i * 6, "a>1&& ", 6);
	memcpy(chain + n - 6, "a>1   ", 6);
	chain[n] = 0;
	assert_null(expr_compile(chain, &toy, &err));
	assert_non_null(strstr(err.msg, "too long"));
	free(chain);
	assert_true(expr_looks_like("a<1"));
	assert_false(expr_looks_like("label:pole"));
	assert_false(expr_looks_like("dup"));
}

/* ---- the samples list's fields ----
 * item ready dups max_rep tokens term       f1   hits records labels  id
 * 0    yes   0    1       100    closed     0.8  4    4       cat,dog 5
 * 1    yes   5    6       2048   truncated  0.3  1    11      person  7
 * 2    no
 * 3    yes   2    3       500    closed     -    -    6       pole    -   */
static char l0[] = "cat\ndog", l1[] = "person", l3[] = "pole";

static void fill(slist_item it[4])
{
	memset(it, 0, 4 * sizeof *it);
	it[0] = (slist_item){1, 0, 4, 0, 1, 100, SLIST_TERM_CLOSED, 1, 0.8, NULL, l0, 4, NULL, 1, 5};
	it[1] = (slist_item){1, 0, 11, 5, 6, 2048, SLIST_TERM_TRUNCATED, 1, 0.3, NULL, l1, 1, NULL, 1, 7};
	it[2] = (slist_item){0, 0, 0, 0, 0, 0, SLIST_TERM_UNKNOWN, 0, 0, NULL, NULL, 0, NULL, 0, 0};
	it[3] = (slist_item){1, 0, 6, 2, 3, 500, SLIST_TERM_CLOSED, 0, 0, NULL, l3, 0, NULL, 0, 0};
}

static unsigned view_bits(const char *text)
{
	slist_item it[4];
	slist l;
	expr_err err;
	fill(it);
	slist_init(&l);
	l.sort = SLIST_SORT_FILE;
	if (slist_filter_set(text, &l.filter, &err) < 0)
		fail_msg("'%s': %zu %s", text, err.pos, err.msg);
	slist_rebuild(&l, it, 4);
	unsigned m = 0;
	for (size_t i = 0; i < l.n_view; i++)
		m |= 1u << l.view[i];
	slist_free(&l);
	return m;
}

static void test_slist_expressions(void **state)
{
	(void)state;
	assert_int_equal(view_bits("max_repeat>5"), 0x2);
	assert_int_equal(view_bits("max_repeat>2 && f1<0.5"), 0x2); /* 3 has no F1 */
	assert_int_equal(view_bits("termination=T"), 0x2);
	assert_int_equal(view_bits("termination=closed"), 0x9);
	assert_int_equal(view_bits("label:pole || duplicates=0"), 0x9);
	assert_int_equal(view_bits("!(tokens>=500)"), 0x5); /* unready 2: no value */
	assert_int_equal(view_bits("records<=6 && image_id>=5"), 0x1);
	assert_int_equal(view_bits("hits>=1"), 0x3);
	assert_int_equal(view_bits("label:pole"), 0x8); /* the simple filter still */

	/* a bad expression: error offset in the text as typed, no filter */
	slist l;
	expr_err err;
	slist_init(&l);
	assert_int_equal(slist_filter_set("  max_repeat>>5", &l.filter, &err), -1);
	assert_int_equal(err.pos, 13);
	assert_int_equal(l.filter.kind, SLIST_FILTER_NONE);
	assert_int_equal(slist_filter_set("maxrepeat>5", &l.filter, &err), -1);
	assert_non_null(strstr(err.msg, "unknown field 'maxrepeat'"));
	slist_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expr_comparisons),
		cmocka_unit_test(test_expr_logic),
		cmocka_unit_test(test_expr_errors),
		cmocka_unit_test(test_slist_expressions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
