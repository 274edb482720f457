/* test_keys_doc.c — one source for the debugger's keys: the key table
 * (tui/keys.c) is what the `?` help lists (overlay_help.c reads it), and the
 * README's key table ("#### Keys", first column) and the man page's KEYS
 * section (the key line after each .TP) name exactly its keys: every key of
 * the table appears in both, and every key they name is in the table.
 * Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

#define MAX_TOK 256

typedef struct toks {
	char t[MAX_TOK][24];
	int n;
} toks;


static void add(toks *k, const char *s, size_t len)
{
	if (len == 0 || len >= sizeof k->t[0] || k->n >= MAX_TOK)
		return;
	memcpy(k->t[k->n], s, len);
	k->t[k->n++][len] = 0;
}

static int has(const toks *k, const char *s)
{
	for (int i = 0; i < k->n; i++)
		if (!strcmp(k->t[i], s))
			return 1;
	return 0;
}

/* README: the backticked names in the first column of the table under
 * "#### Keys" (up to the first line that is not a table row). */
static void readme_keys(const char *doc, toks *k)
{
	const char *p = strstr(doc, "\n#### Keys\n");
	assert_non_null(p);
	p = strstr(p, "\n|");
	assert_non_null(p);
	for (p++; *p == '|'; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		const char *end = strchr(p + 1, '|');
		for (const char *q = p + 1; end && q < end; q++) {
			const char *c = *q == '`' ? memchr(q + 1, '`', (size_t)(end - q - 1)) : NULL;
			if (c) {
				add(k, q + 1, (size_t)(c - q - 1));
				q = c;
			}
		}
	}
}

/* The man page: the key line after each .TP of ".SH KEYS", font requests,
 * \f escapes and quotes dropped, \- read as -, split at spaces, / , ( ). */
static void man_keys(const char *doc, toks *k)
{
	const char *p = strstr(doc, "\n.SH KEYS");
	assert_non_null(p);
	const char *stop = strstr(p + 4, "\n.SH ");
	for (p = strstr(p, "\n.TP\n"); p && (!stop || p < stop); p = strstr(p + 1, "\n.TP\n")) {
		const char *l = p + 5, *e = strchr(l, '\n');
		char line[256], clean[256];
		size_t n = e ? (size_t)(e - l) : strlen(l), m = 0;
		if (n >= sizeof line)
			n = sizeof line - 1;
		memcpy(line, l, n);
		line[n] = 0;
		const char *s = line;
		if (s[0] == '.')
			s = strchr(s, ' ') ? strchr(s, ' ') + 1 : s + strlen(s);
		for (; *s; s++) {
			if (s[0] == '\\' && s[1] == 'f' && s[2]) {
				s += 2;
				continue;
			}
			if (s[0] == '\\' && s[1] == '-') {
				clean[m++] = '-';
				s++;
				continue;
			}
			clean[m++] = *s == '"' ? ' ' : *s;
		}
		clean[m] = 0;
		if (!strcmp(clean, "/")) /* the filter key itself */
			add(k, "/", 1);
		for (char *t = strtok(clean, " /,()"); t; t = strtok(NULL, " /,()"))
			add(k, t, strlen(t));
	}
}

static int in_table(const char *name)
{
	size_t n;
	const keys_binding *tb = keys_table(&n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(tb[i].name, name))
			return 1;
	return 0;
}

/* words of the documents' key columns that are not keys */
static int not_a_key(const char *s)
{
	return !strcmp(s, "mouse") || !strcmp(s, "wheel") || !strcmp(s, "or");
}

static void check_doc(const toks *k, const char *doc)
{
	size_t n;
	const keys_binding *tb = keys_table(&n);
	int missing = 0, extra = 0;
	for (size_t i = 0; i < n; i++)
		if (!has(k, tb[i].name)) {
			print_error("%s does not name key \"%s\" (%s)\n", doc, tb[i].name, keys_help(tb[i].act));
			missing++;
		}
	for (int i = 0; i < k->n; i++)
		if (!not_a_key(k->t[i]) && !in_table(k->t[i])) {
			print_error("%s names \"%s\", which the key table does not bind\n", doc, k->t[i]);
			extra++;
		}
	assert_int_equal(missing, 0);
	assert_int_equal(extra, 0);
}

/* the keys document path names, read by extract, checked both ways */
static void check_path(const char *path, void (*extract)(const char *, toks *), const char *what)
{
	char *doc = th_read_all(path);
	toks *k = calloc(1, sizeof *k);
	assert_non_null(doc);
	assert_non_null(k);
	extract(doc, k);
	assert_true(k->n > 20);
	check_doc(k, what);
	free(k);
	free(doc);
}

static void test_readme_keys(void **state)
{
	(void)state;
	check_path("README.md", readme_keys, "README.md (#### Keys)");
}

static void test_man_keys(void **state)
{
	(void)state;
	check_path("tui/tailscope.1", man_keys, "tui/tailscope.1 (.SH KEYS)");
}

/* every request of the table has its help line (what `?` shows) */
static void test_help_lines(void **state)
{
	(void)state;
	size_t n;
	const keys_binding *tb = keys_table(&n);
	for (size_t i = 0; i < n; i++) {
		assert_true(tb[i].act > ACT_NONE && tb[i].act < ACT_COUNT);
		assert_true(keys_help(tb[i].act)[0] != 0);
		assert_int_equal(keys_lookup(tb[i].key), tb[i].act);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readme_keys),
		cmocka_unit_test(test_man_keys),
		cmocka_unit_test(test_help_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
