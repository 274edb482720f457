/* test_tui_screens.c — the golden screens, headless (issue 20).
 *
 * Every dump of tests/tui/golden/NAME-COLSxROWS.txt that shows text only is
 * made here in-process: the debugger's own code (app_ui_open, app_key, the
 * panes) draws into a curses screen made by newterm() on /dev/null with the
 * fixed terminfo xterm-256color at the given size; the cells of curscr (what
 * the terminal would show after doupdate) are written as text the way
 * `tmux capture-pane -p` writes them (UTF-8, trailing blanks cut), with the
 * repository and temp paths masked as <ROOT> and <TMP>.  The expected values
 * are the golden files themselves, which tmux took through the real terminal
 * (tests/tui/test_golden.sh keeps the colour dumps and the too-small screen).
 *
 *   build/tests/test_tui_screens                 compare (make test)
 *   TS_GOLDEN_UPDATE=1 build/tests/test_tui_screens   rewrite (make golden)
 *
 * Each step settles first (every badge, the image decode: what the tmux
 * test waits for), as the loop would in idle time.  Run from the repository
 * root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "tcurses.h"
#include "app.h"
#include "charset.h"
#include "session.h"
#include "term.h"
#include "ui.h"

static char root[PATH_MAX];
static char tmpd[PATH_MAX];
static int update;

/* One scenario: the runs, then steps "KEYS=NAME" (keys as tmux names them,
 * space-separated; NAME empty: no dump). */
typedef struct scenario {
	const char *runs[3];
	int first_note_gone; /* run without TAILSCOPE_NOTE_SECONDS=0, which
	                      * tmux dumps after the opening analysis: the
	                      * worst-sample note has had its 5 s by then (the
	                      * notes of later keys have not) */
	const char *steps[48];
} scenario;

static const scenario sc_main = {
	{"tests/data/tui/run-a"}, 0,
	{"=main-sample1", "n=main-sample2-tail", "r=policy-repeat-stop", "o=policy-budget",
	 "o=policy-near-dup", "o=policy-dedup", "o=policy-repetition-detection", "o=policy-ladder",
	 "o=policy-close-prob", "o=policy-off", "Home=timeline-start", "] ] l=timeline-step",
	 "Tab=records-focus", "k k=records-select", "Tab=timeline-focus", "Tab End=samples-focus",
	 "?=overlay-help", "?=", "m=overlay-metrics", "m=", "M=overlay-histogram", "M=",
	 "O=overlay-sweep", "O=", "A=overlay-about", "A=", "/ d u p=filter-prompt",
	 "Enter=filter-dup", "/ C-u Enter=", "s=sort-dups", "s s s s s=", "n n=main-hostile",
	 "x=export-note", "G=main-error", "g t=gt-hidden", NULL}};
static const scenario sc_cmp = {
	{"tests/data/tui/run-a", "tests/data/tui/run-c"}, 0,
	{"=compare", "j Space=compare-marked", "o o=compare-budget", "o o=", "d=diff",
	 "j Left=diff-side-a", "?=diff-help", "?=", "Enter=diff-opened", NULL}};
static const scenario sc_zoom = {
	{"sample_runs/lora-qv-r64"}, 1,
	{"=image-hint", "z=image-zoom", "n n n n n n n n n n=image-dense", "L=image-labels-key",
	 "L=image-labels-none", "L Tab k Z=image-crop", NULL}};

/* tmux's key names -> (is_key, ch) as get_wch gives them */
static void key_of(const char *k, int *is_key, unsigned *ch)
{
	static const struct { const char *name; int key; unsigned ch; } names[] = {
		{"Home", 1, KEY_HOME}, {"End", 1, KEY_END},   {"Left", 1, KEY_LEFT},
		{"Right", 1, KEY_RIGHT}, {"Up", 1, KEY_UP},   {"Down", 1, KEY_DOWN},
		{"Tab", 0, '\t'},      {"Enter", 0, '\r'},    {"Space", 0, ' '},
		{"C-u", 0, 0x15},      {"Escape", 0, 27},     {"BSpace", 1, KEY_BACKSPACE},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(k, names[i].name)) {
			*is_key = names[i].key;
			*ch = names[i].ch;
			return;
		}
	*is_key = 0;
	*ch = (unsigned char)k[0];
}

/* s with every occurrence of from replaced by to, into out */
static void mask(const char *s, const char *from, const char *to, char *out, size_t outsz)
{
	size_t fl = strlen(from), o = 0;
	while (*s && o + 1 < outsz) {
		if (fl && !strncmp(s, from, fl) && o + strlen(to) + 1 < outsz) {
			memcpy(out + o, to, strlen(to));
			o += strlen(to);
			s += fl;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
}

/* The screen as `tmux capture-pane -p` shows it: one line per row, UTF-8,
 * trailing blanks cut; the second column of a wide character is skipped. */
static char *screen_text(void)
{
	size_t cap = (size_t)LINES * ((size_t)COLS * 8 + 2) + 1, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	for (int y = 0; y < LINES; y++) {
		size_t line0 = n, keep = n;
		for (int x = 0; x < COLS; x++) {
			cchar_t c;
			wchar_t wc[CCHARW_MAX + 1] = {0};
			attr_t a;
			short pair;
			if (mvwin_wch(curscr, y, x, &c) == ERR || getcchar(&c, wc, &a, &pair, NULL) == ERR)
				wc[0] = L' ';
			if (!wc[0])
				wc[0] = L' ';
			for (int i = 0; wc[i]; i++) {
				mbstate_t st = {0};
				size_t l = wcrtomb(buf + n, wc[i], &st);
				n += l == (size_t)-1 ? 0 : l;
			}
			if (wc[0] != L' ')
				keep = n;
			if (wcwidth(wc[0]) == 2)
				x++;
		}
		(void)line0;
		n = keep;
		buf[n++] = '\n';
	}
	buf[n] = '\0';
	char *m1 = malloc(cap * 2), *m2 = malloc(cap * 2);
	assert_true(m1 && m2);
	mask(buf, tmpd, "<TMP>", m1, cap * 2);
	mask(m1, root, "<ROOT>", m2, cap * 2);
	free(buf);
	free(m1);
	return m2;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)len + 1);
	size_t got = b ? fread(b, 1, (size_t)len, f) : 0;
	fclose(f);
	if (b)
		b[got] = '\0';
	return b;
}

/* Compares (or writes) the screen with tests/tui/golden/NAME-COLSxROWS.txt;
 * returns 1 when it matches. */
static int dump(const char *name, int cols, int rows)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/tests/tui/golden/%s-%dx%d.txt", root, name, cols, rows);
	char *got = screen_text();
	int okk = 1;
	if (update) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
		printf("# written %s\n", path);
	} else {
		char *want = slurp(path);
		okk = want && !strcmp(want, got);
		if (!okk)
			printf("# %s-%dx%d differs from the golden file; the screen:\n%s", name, cols, rows, got);
		free(want);
	}
	free(got);
	return okk;
}

/* Runs one scenario at cols x rows; returns how many dumps differed. */
static int run_scenario(const scenario *sc, int cols, int rows)
{
	char *paths[3];
	size_t np = 0;
	char abs[3][PATH_MAX + 64];
	for (; np < 3 && sc->runs[np]; np++) {
		snprintf(abs[np], sizeof abs[np], "%s/%s", root, sc->runs[np]);
		paths[np] = abs[np];
	}
	char num[16];
	snprintf(num, sizeof num, "%d", rows);
	setenv("LINES", num, 1);
	snprintf(num, sizeof num, "%d", cols);
	setenv("COLUMNS", num, 1);
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	assert_true(out && in);
	assert_int_equal(term_start_file("xterm-256color", out, in), 0);

	session_opts o;
	session_opts_default(&o);
	session s;
	ts_error err;
	assert_int_equal(session_open(&s, paths, np, &o, NULL, NULL, &err), TS_OK);
	ui u;
	app_ui_open(&u, &s);
	int worst_told = 0, bad = 0;
	for (size_t i = 0; sc->steps[i]; i++) {
		char keys[128];
		snprintf(keys, sizeof keys, "%s", sc->steps[i]);
		char *name = strchr(keys, '=');
		*name++ = '\0';
		unsigned rd = app_settle(&u, &s, &worst_told) | (i == 0 ? UI_RD_ALL : 0);
		ui_draw(&u, rd);
		for (char *k = strtok(keys, " "); k; k = strtok(NULL, " ")) {
			int is_key;
			unsigned ch;
			key_of(k, &is_key, &ch);
			rd = app_key(&u, is_key, ch);
			rd |= app_settle(&u, &s, &worst_told);
			ui_draw(&u, rd);
		}
		if (sc->first_note_gone && i == 0 && u.note[0])
			ui_draw(&u, ui_note_clear(&u));
		if (*name)
			bad += !dump(name, cols, rows);
	}
	ui_free(&u);
	term_stop();
	fclose(out);
	fclose(in);
	session_free(&s);
	return bad;
}

static void test_main_80(void **st) { (void)st; assert_int_equal(run_scenario(&sc_main, 80, 24), 0); }
static void test_main_160(void **st) { (void)st; assert_int_equal(run_scenario(&sc_main, 160, 50), 0); }
static void test_cmp_80(void **st) { (void)st; assert_int_equal(run_scenario(&sc_cmp, 80, 24), 0); }
static void test_cmp_160(void **st) { (void)st; assert_int_equal(run_scenario(&sc_cmp, 160, 50), 0); }
static void test_zoom_80(void **st) { (void)st; assert_int_equal(run_scenario(&sc_zoom, 80, 24), 0); }

int main(void)
{
	unsetenv("COLORTERM"); /* the terminfo is xterm-256color, as in the tmux test */
	unsetenv("NO_COLOR");
	setlocale(LC_ALL, "");
	charset_setup();
	update = getenv("TS_GOLDEN_UPDATE") && !strcmp(getenv("TS_GOLDEN_UPDATE"), "1");
	if (!getcwd(root, sizeof root))
		return 1;
	/* the debugger writes exports into its working directory */
	/* named as tests/tui/lib.sh names its own: the status bar pads the
	 * message by its (masked) length */
	snprintf(tmpd, sizeof tmpd, "%s/tailscope-golden.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpd) || chdir(tmpd) != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_80), cmocka_unit_test(test_main_160),
		cmocka_unit_test(test_cmp_80),  cmocka_unit_test(test_cmp_160),
		cmocka_unit_test(test_zoom_80),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpd);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
