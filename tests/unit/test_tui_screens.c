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
#include "glyphs.h"
#include "runimg.h"
#include "session.h"
#include "term.h"
#include "ui.h"
#include "view.h"

static char root[PATH_MAX];
static const char *term_name = "xterm-256color"; /* the terminfo headless_open uses */
static char tmpd[PATH_MAX];
static int update;

/* One scenario: the runs, then steps "KEYS=NAME" (keys as tmux names them,
 * space-separated; NAME empty: no dump). */
typedef struct scenario {
	const char *runs[9];      /* NULL-terminated, at most 8 */
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
	 "Enter=filter-dup", "/ C-u Enter=", "s=sort-dups", "s s s s s s s=", "n n=main-hostile",
	 "x=export-note", "G=main-error", "g t=gt-hidden", NULL}};
static const scenario sc_cmp = {
	{"tests/data/tui/run-a", "tests/data/tui/run-c"}, 0,
	{"=compare", "j Space=compare-marked", "o o=compare-budget", "o o=", "d=diff",
	 "j Left=diff-side-a", "?=diff-help", "?=", "Enter=diff-opened", NULL}};
static const scenario sc_zoom = {
	{"sample_runs/lora-qv-r64"}, 1,
	{"=image-hint", "z=image-zoom", "n n n n n n n n n n=image-dense", "L=image-labels-key",
	 "L=image-labels-none", "L Tab k Z=image-crop", NULL}};

static const scenario sc_small = {{"tests/data/tui/run-a"}, 0, {"=too-small", NULL}};
/* `?` on three screens (issue 22 item 5): its keys first, then the global
 * ones, the other screens' and the legend (G: the end of the help) */
static const scenario sc_help = {
	{"tests/data/tui/run-a", "tests/data/tui/run-c"}, 0,
	{"?=help-compare", "?=", "Enter=", "?=help-main", "G=help-legend", "?=", "Tab ?=help-records",
	 "?=", "c d=", "?=help-diff", NULL}};
/* several runs on one image (i), a run toggled off and back, the next
 * sample; the gallery (T) and a move in it */
static const scenario sc_runs = {
	{"tests/data/tui/run-a", "tests/data/tui/run-c"}, 0,
	{"Enter=", "i=runs-image", "2=runs-image-run2-off", "2 n=runs-image-sample2", NULL}};
static const scenario sc_gallery = {
	{"tests/data/tui/run-a"}, 0, {"T=gallery", "l j=gallery-moved", NULL}};

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

/* A debugger on the runs (relative to the root) in a headless cols x rows
 * terminal, settled and drawn; close with headless_close. */
typedef struct headless {
	FILE *out, *in;
	session s;
	ui u;
	int worst_told;
} headless;

static void headless_open(headless *h, const char *const *runs, int cols, int rows)
{
	char *paths[8];
	char abs[8][PATH_MAX + 64];
	size_t np = 0;
	for (; np < 8 && runs[np]; np++) {
		snprintf(abs[np], sizeof abs[np], "%s/%s", root, runs[np]);
		paths[np] = abs[np];
	}
	char num[16];
	snprintf(num, sizeof num, "%d", rows);
	setenv("LINES", num, 1);
	snprintf(num, sizeof num, "%d", cols);
	setenv("COLUMNS", num, 1);
	h->out = fopen("/dev/null", "w");
	h->in = fopen("/dev/null", "r");
	assert_true(h->out && h->in);
	assert_int_equal(term_start_file(term_name, h->out, h->in), 0);
	assert_int_equal(LINES, rows);
	assert_int_equal(COLS, cols);
	session_opts o;
	session_opts_default(&o);
	ts_error err;
	assert_int_equal(session_open(&h->s, paths, np, &o, NULL, NULL, &err), TS_OK);
	app_ui_open(&h->u, &h->s);
	h->worst_told = 0;
	ui_draw(&h->u, app_settle(&h->u, &h->s, &h->worst_told) | UI_RD_ALL);
}

/* One key (tmux's name for it), as the loop takes it, then settled and drawn. */
static void headless_key(headless *h, const char *k)
{
	int is_key;
	unsigned ch;
	key_of(k, &is_key, &ch);
	unsigned rd = app_key(&h->u, is_key, ch);
	rd |= app_settle(&h->u, &h->s, &h->worst_told);
	ui_draw(&h->u, rd);
}

static void headless_close(headless *h)
{
	ui_free(&h->u);
	term_stop();
	fclose(h->out);
	fclose(h->in);
	session_free(&h->s);
}

/* Runs one scenario at cols x rows; returns how many dumps differed. */
static int run_scenario(const scenario *sc, int cols, int rows)
{
	headless h;
	headless_open(&h, sc->runs, cols, rows);
	int bad = 0;
	for (size_t i = 0; sc->steps[i]; i++) {
		char keys[128];
		snprintf(keys, sizeof keys, "%s", sc->steps[i]);
		char *name = strchr(keys, '=');
		*name++ = '\0';
		for (char *k = strtok(keys, " "); k; k = strtok(NULL, " "))
			headless_key(&h, k);
		if (sc->first_note_gone && i == 0 && h.u.note[0])
			ui_draw(&h.u, ui_note_clear(&h.u));
		if (*name)
			bad += !dump(name, cols, rows);
	}
	headless_close(&h);
	return bad;
}

static void test_main_80(void **st) { (void)st; assert_int_equal(run_scenario(&sc_main, 80, 24), 0); }
static void test_main_160(void **st) { (void)st; assert_int_equal(run_scenario(&sc_main, 160, 50), 0); }
static void test_cmp_80(void **st) { (void)st; assert_int_equal(run_scenario(&sc_cmp, 80, 24), 0); }
static void test_cmp_160(void **st) { (void)st; assert_int_equal(run_scenario(&sc_cmp, 160, 50), 0); }
static void test_zoom_80(void **st) { (void)st; assert_int_equal(run_scenario(&sc_zoom, 80, 24), 0); }
static void test_help_80(void **st) { (void)st; assert_int_equal(run_scenario(&sc_help, 80, 24), 0); }
static void test_help_50(void **st) { (void)st; assert_int_equal(run_scenario(&sc_help, 50, 20), 0); }
static void test_small_40(void **st) { (void)st; assert_int_equal(run_scenario(&sc_small, 40, 10), 0); }
static void test_runs_80(void **st) { (void)st; assert_int_equal(run_scenario(&sc_runs, 80, 24), 0); }
static void test_runs_120(void **st) { (void)st; assert_int_equal(run_scenario(&sc_runs, 120, 40), 0); }
static void test_gallery_120(void **st) { (void)st; assert_int_equal(run_scenario(&sc_gallery, 120, 40), 0); }

/* Every cell's character.  Not its colours: in the palette modes the
 * cells' colours carry the quantization error on to their neighbours
 * (render/cells.c, quantize_cells: Floyd-Steinberg across cells), so a
 * stroke changes colours far from it; the symbols chafa picks are the
 * cell's own pixels. */
static long *screen_cells(void)
{
	long *c = malloc((size_t)LINES * (size_t)COLS * sizeof *c);
	assert_non_null(c);
	for (int y = 0; y < LINES; y++)
		for (int x = 0; x < COLS; x++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1] = {0};
			attr_t a;
			short pair;
			if (mvwin_wch(curscr, y, x, &cc) == ERR || getcchar(&cc, wc, &a, &pair, NULL) == ERR)
				wc[0] = L' ';
			c[(size_t)y * (size_t)COLS + (size_t)x] = (long)wc[0];
		}
	return c;
}

/* Marks in mask (LINES x COLS) the cells within one cell of run 2's box
 * edges as the runs view lays the image out (render_grid_size in the area
 * above the legend, centred; run 2's boxes scaled into run 1's image as
 * render_runs_boxes does; a repeated box's stacked copies): where run 2
 * draws.  Returns how many boxes. */
static size_t run2_mask(headless *h, int area_rows, unsigned char *mask)
{
	const session_view *v = &h->s.view;
	runimg a, b;
	assert_int_equal(runimg_load(&h->s.runs[0], v->idx, 1, &h->s.rlim, &a), 0);
	size_t idx = runimg_find(&h->s.runs[1], h->s.runs[0].items[v->idx].key);
	assert_true(idx != (size_t)-1);
	assert_int_equal(runimg_load(&h->s.runs[1], idx, 0, &h->s.rlim, &b), 0);
	render_opts o;
	render_opts_default(&o);
	o.max_cols = COLS;
	o.max_rows = area_rows;
	int gc, gr;
	render_grid_size(a.w, a.h, &o, &gc, &gr);
	int x0 = (COLS - gc) / 2, y0 = 1 + (area_rows - gr) / 2;
	size_t n = 0;
	for (size_t i = 0; i < b.n_boxes; i++) {
		const render_box *bx = &b.boxes[i];
		if (bx->style == BOX_GT || bx->style == BOX_MISS)
			continue;
		n++;
		double fx = b.sx * a.w / b.w / a.w * gc, fy = b.sy * a.h / b.h / a.h * gr;
		int cx1 = x0 + (int)(bx->x1 * fx), cx2 = x0 + (int)(bx->x2 * fx);
		int cy1 = y0 + (int)(bx->y1 * fy), cy2 = y0 + (int)(bx->y2 * fy);
		/* a repeated box's stroke is stacked: one copy per extra
		 * occurrence (up to 2), 2 line widths down-right each, a line
		 * 3/8 of a cell (render.h): up to 1.5 cells more */
		int extra = bx->count >= 2 ? (bx->count >= 3 ? 2 : 1) : 0;
		for (int y = cy1 - 1; y <= cy2 + 1 + extra; y++)
			for (int x = cx1 - 1; x <= cx2 + 1 + extra; x++) {
				int edge = y <= cy1 + 1 + extra || y >= cy2 - 1 || x <= cx1 + 1 + extra || x >= cx2 - 1;
				if (edge && y >= 0 && y < LINES && x >= 0 && x < COLS)
					mask[(size_t)y * (size_t)COLS + (size_t)x] = 1;
			}
	}
	runimg_free(&a);
	runimg_free(&b);
	return n;
}

/* Toggling run 2 off removes exactly its boxes: over the image rows, the
 * cells that change are cells where run 2's box edges lie (run2_mask),
 * and some change. */
static void test_runs_toggle(void **st)
{
	(void)st;
	static const char *const two[3] = {"tests/data/tui/run-a", "tests/data/tui/run-c"};
	headless h;
	headless_open(&h, two, 120, 40);
	headless_key(&h, "Enter");
	headless_key(&h, "i");
	assert_int_equal(h.u.overlay, UI_OV_RUNS);
	long *both = screen_cells();
	headless_key(&h, "2");
	long *one = screen_cells();
	int area = LINES - 1 - 1 - 3; /* below the title, above the legend (ground truth, 2 runs) */
	unsigned char *mask = calloc((size_t)LINES * (size_t)COLS, 1);
	assert_non_null(mask);
	assert_true(run2_mask(&h, area, mask) > 0);
	size_t changed = 0, outside = 0;
	for (int y = 1; y < 1 + area; y++)
		for (int x = 0; x < COLS; x++) {
			size_t i = (size_t)y * (size_t)COLS + (size_t)x;
			if (both[i] != one[i]) {
				changed++;
				outside += !mask[i];
				if (!mask[i])
					printf("# changed outside run 2's edges: row %d column %d\n", y, x);
			}
		}
	printf("# toggling run 2 changes %zu cells, %zu outside its box edges\n", changed, outside);
	assert_true(changed > 0);
	assert_int_equal(outside, 0);
	free(both);
	free(one);
	free(mask);
	headless_close(&h);
}

/* The key bound to an action in the one key table (tui/keys.c), as a name
 * key_of takes; "" when none. */
static const char *key_for(keys_action a, char *buf, size_t bufsz)
{
	size_t n;
	const keys_binding *t = keys_table(&n);
	for (size_t i = 0; i < n; i++)
		if (t[i].act == a && t[i].key > ' ' && t[i].key < 127) {
			snprintf(buf, bufsz, "%c", t[i].key);
			return buf;
		}
	buf[0] = '\0';
	return buf;
}

/* Every view of tui/views.def, opened the way a user opens it (its toggle's
 * key; the comparison: two runs; the diff: d there), at the smallest full
 * layout's neighbours 80x24 and the reduced 50x20: it draws without a crash
 * and the status bar ends in "? help" — or, at 50 columns where the bar's
 * essentials (sample, step, repeat-stop, termination) leave it no room
 * (pane_status.c), in a visible cut mark "…" (nothing cut silently). */
static void every_view_at(int cols, int rows)
{
	static const char *const one[3] = {"tests/data/tui/run-a"};
	static const char *const two[3] = {"tests/data/tui/run-a", "tests/data/tui/run-c"};
	for (int id = UI_OV_NONE + 1; id < UI_V_COUNT; id++) {
		const ui_view *v = ui_view_by_id(id);
		assert_non_null(v);
		int cmp = id == UI_V_COMPARE || id == UI_V_DIFF;
		headless h;
		headless_open(&h, cmp ? two : one, cols, rows);
		char k[8];
		if (id == UI_V_DIFF)
			headless_key(&h, "d");
		else if (v->toggle != ACT_NONE && key_for(v->toggle, k, sizeof k)[0])
			headless_key(&h, k);
		if (v->toggle != ACT_NONE)
			assert_int_equal(h.u.overlay, id);
		if (cmp)
			assert_int_equal(h.u.screen, id == UI_V_DIFF ? UI_SCREEN_DIFF : UI_SCREEN_COMPARE);
		char *txt = screen_text();
		const char *last = txt + strlen(txt) - 1; /* the final newline */
		while (last > txt && last[-1] != '\n')
			last--;
		/* "? help" is drawn when the essentials leave room for it; when
		 * they don't (the reduced 50-column bar), they are visibly cut */
		size_t ll = strlen(last) - 1;
		int cut = ll >= 3 && !strncmp(last + ll - 3, "\xe2\x80\xa6", 3); /* … */
		printf("# view %s at %dx%d: %.*s\n", v->name, cols, rows, (int)ll, last);
		assert_true(strstr(last, "? help") || (cols < 80 && cut));
		free(txt);
		headless_close(&h);
	}
}

/* The sample info overlay (I, overlay_info.c) on run-a's sample 2, whose
 * values are worked out from tests/data/tui/run-a/traces.jsonl: line 2,
 * 91 tokens, finish_reason "length" (truncated); 8 records, 6 of them
 * copies of one record repeated 7 times (test_tui_session's badges). */
static void test_info_overlay(void **st)
{
	(void)st;
	static const char *const one[3] = {"tests/data/tui/run-a"};
	headless h;
	headless_open(&h, one, 80, 24);
	headless_key(&h, "n");
	headless_key(&h, "I");
	assert_int_equal(h.u.overlay, UI_OV_INFO);
	char *txt = screen_text();
	printf("%s", txt);
	assert_non_null(strstr(txt, "file         traces.jsonl, line 2 "));
	assert_non_null(strstr(txt, "in           <ROOT>/tests/data/tui/run-a "));
	assert_non_null(strstr(txt, "tokens       91 "));
	assert_non_null(strstr(txt, "termination  truncated "));
	assert_non_null(strstr(txt, "records      8 "));
	assert_non_null(strstr(txt, "duplicates   6 (max repeat ×7) "));
	free(txt);
	headless_key(&h, "I");
	assert_int_equal(h.u.overlay, UI_OV_NONE);
	headless_close(&h);
}

/* The cells of rect r of the screen as UTF-8 text, rows joined by '\n'. */
static char *region_text(const ui_rect *r)
{
	size_t cap = (size_t)(r->h > 0 ? r->h : 1) * ((size_t)(r->w > 0 ? r->w : 1) * 8 + 2) + 1, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	for (int y = r->y; y < r->y + r->h; y++) {
		for (int x = r->x; x < r->x + r->w; x++) {
			cchar_t c;
			wchar_t wc[CCHARW_MAX + 1] = {0};
			attr_t a;
			short pair;
			if (mvwin_wch(curscr, y, x, &c) == ERR || getcchar(&c, wc, &a, &pair, NULL) == ERR)
				wc[0] = L' ';
			mbstate_t mb = {0};
			size_t l = wcrtomb(buf + n, wc[0] ? wc[0] : L' ', &mb);
			n += l == (size_t)-1 ? 0 : l;
		}
		buf[n++] = '\n';
	}
	buf[n] = '\0';
	return buf;
}

/* Glyph g (glyphs.h) is what rect r of the screen shows somewhere. */
static void expect_glyph(const ui_rect *r, glyph_id g, const char *where)
{
	char *t = region_text(r);
	int found = strstr(t, glyph(g)) != NULL;
	if (!found)
		printf("# glyph %s (%s) not drawn in the %s:\n%s", glyph(g), glyph_def_of(g)->meaning, where, t);
	free(t);
	assert_true(found);
}

/* Every glyph of the legend (the glyph table) is the one its view draws
 * (issue 22 item 5): each is looked for where the table says it appears,
 * on run-a (tests/data/tui: sample 2 truncated with a repeated tail,
 * sample 4 malformed, sample 1 closed) and run-c; and the legend lists
 * every glyph and every box style.  GL_PENDING is not asserted on a
 * screen: it shows only while the analysis runs (settled screens have
 * none). */
static void test_glyphs_drawn(void **st)
{
	(void)st;
	static const char *const two[3] = {"tests/data/tui/run-a", "tests/data/tui/run-c"};
	headless h;
	headless_open(&h, two, 160, 50);
	const ui_rect whole = {0, 0, 50, 160};
	/* the comparison screen: the selected run, the worst of a column, a mark */
	expect_glyph(&whole, GL_SIDE, "comparison");
	expect_glyph(&whole, GL_WORST, "comparison");
	headless_key(&h, "j");
	headless_key(&h, "Space");
	expect_glyph(&whole, GL_MARK, "comparison");
	headless_key(&h, "Space");
	headless_key(&h, "k");
	headless_key(&h, "d");
	expect_glyph(&whole, GL_WORSE, "diff");
	expect_glyph(&whole, GL_SIDE, "diff");
	expect_glyph(&whole, GL_REPEAT, "diff");
	headless_key(&h, "Escape");
	headless_key(&h, "Enter"); /* run-a in the debugger */
	assert_int_equal(h.u.screen, UI_SCREEN_MAIN);
	const ui_layout *L = &h.u.lay;
	expect_glyph(&L->samples, GL_CLOSED, "samples pane");
	expect_glyph(&L->samples, GL_TRUNC, "samples pane");
	expect_glyph(&L->samples, GL_MALFORMED, "samples pane");
	expect_glyph(&L->samples, GL_REPEAT, "samples pane");
	headless_key(&h, "n"); /* sample 2: the repeated tail */
	expect_glyph(&L->records, GL_TAIL, "records pane");
	expect_glyph(&L->records, GL_REPEAT, "records pane");
	expect_glyph(&L->timeline, GL_END, "timeline");
	expect_glyph(&L->timeline, GL_BOUNDARY, "timeline");
	expect_glyph(&L->timeline, GL_PCLOSE, "timeline");
	headless_key(&h, "r");
	expect_glyph(&L->timeline, GL_STOP, "timeline");
	expect_glyph(&L->samples, GL_STOPPED, "samples pane");
	headless_key(&h, "r");
	headless_key(&h, "b");
	expect_glyph(&L->samples, GL_MARK, "samples pane");
	/* the legend: every glyph and every box style's meaning, through the
	 * help's pages */
	headless_key(&h, "?");
	char *seen = screen_text();
	for (int k = 0; k < 3; k++) {
		headless_key(&h, "f" /* unbound: closes */);
		headless_key(&h, "?");
		for (int p = 0; p <= k; p++)
			headless_key(&h, "G");
		char *more = screen_text();
		size_t a = strlen(seen), b = strlen(more);
		seen = realloc(seen, a + b + 1);
		assert_non_null(seen);
		memcpy(seen + a, more, b + 1);
		free(more);
	}
	for (int g = 0; g < GL_COUNT; g++) {
		char want[64];
		snprintf(want, sizeof want, "%s%s", glyph((glyph_id)g), glyph_def_of((glyph_id)g)->suffix);
		if (!strstr(seen, want) || !strstr(seen, glyph_def_of((glyph_id)g)->meaning))
			printf("# legend lacks %s (%s)\n", want, glyph_def_of((glyph_id)g)->meaning);
		assert_non_null(strstr(seen, want));
		assert_non_null(strstr(seen, glyph_def_of((glyph_id)g)->meaning));
	}
	for (int s = 0; s < BOX_STYLE_COUNT; s++)
		assert_non_null(strstr(seen, render_style_meaning((box_style)s)));
	free(seen);
	headless_close(&h);
}

/* The image at 8 colours (TERM=xterm, issue 22 item 7): the image in
 * grayscale, the boxes in their colours.  Every cell of the zoomed image
 * pane is either a shade of white on black (palette 7 on 0, nothing else)
 * or uses a box style's 8-colour index (render.h's table: the only other
 * colours allowed); there are box cells, in at least 2 colours (the first
 * sample of lora-qv-r64 has TP and ground-truth boxes); the title says
 * "grayscale: 8-colour terminal" in words, so does the opening note, and no
 * note speaks of pairs or of nearest colours (every cell got its own
 * colours). */
static void test_image_8_colours(void **st)
{
	(void)st;
	static const char *const runs[3] = {"sample_runs/lora-qv-r64"};
	term_name = "xterm";
	headless h;
	headless_open(&h, runs, 80, 24);
	term_name = "xterm-256color";
	assert_int_equal(COLORS, 8);
	printf("# 8 colours, opening note: \"%s\"\n", h.u.note);
	assert_non_null(strstr(h.u.note, "8-colour terminal: image in grayscale"));
	headless_key(&h, "z");
	int allowed[8] = {1, 0, 0, 0, 0, 0, 0, 1}, seen[8] = {0};
	for (int s = 0; s < BOX_STYLE_COUNT; s++)
		allowed[render_style_color_of((box_style)s).idx8] = 1;
	const ui_rect *r = &h.u.lay.image;
	int box_cells = 0, shade_cells = 0;
	for (int y = r->y + 1; y < r->y + r->h; y++)
		for (int x = r->x; x < r->x + r->w - 1; x++) {
			cchar_t c;
			wchar_t wc[CCHARW_MAX + 1] = {0};
			attr_t a;
			short sp;
			int pair = 0, fg = -1, bg = -1;
			assert_int_not_equal(mvwin_wch(curscr, y, x, &c), ERR);
			getcchar(&c, wc, &a, &sp, &pair);
			if (pair <= 0)
				continue; /* outside the image: default colours */
			assert_int_equal(extended_pair_content(pair, &fg, &bg), OK);
			if (fg < 0 || bg < 0 || fg > 7 || bg > 7)
				continue;
			assert_true(allowed[fg] && allowed[bg]);
			if ((fg == 7 || fg == 0) && (bg == 0 || bg == 7)) {
				shade_cells++;
				continue;
			}
			box_cells++;
			seen[fg == 0 || fg == 7 ? bg : fg] = 1;
		}
	int colours = 0;
	for (int i = 1; i < 7; i++)
		colours += seen[i];
	char *txt = screen_text();
	printf("# 8 colours: %d shade cells, %d box cells in %d colours; note \"%s\"\n", shade_cells,
	       box_cells, colours, h.u.note);
	assert_true(shade_cells > box_cells);
	assert_true(box_cells >= 10);
	assert_true(colours >= 2);
	assert_non_null(strstr(txt, "grayscale: 8-colour terminal"));
	assert_null(strstr(txt, "pairs"));
	assert_null(strstr(h.u.note, "pairs"));
	assert_null(strstr(h.u.note, "nearest"));
	free(txt);
	headless_close(&h);
}

/* The line of the screen text holding s (a copy, "" when none). */
static void line_with(const char *txt, const char *s, char *out, size_t outsz)
{
	const char *p = strstr(txt, s);
	out[0] = '\0';
	if (!p)
		return;
	while (p > txt && p[-1] != '\n')
		p--;
	size_t n = strcspn(p, "\n");
	snprintf(out, outsz, "%.*s", (int)(n < outsz ? n : outsz - 1), p);
}

/* Eight runs on one image (issue 22: the runs view drew the first 6 and
 * said nothing of the rest).  The legend lists all 8: the first 6 drawn
 * with their digit and run style (render_run_style: 1 blue, 2 red), runs 7
 * and 8 as hidden; Space on run 7 with 6 drawn is refused with a note; j
 * then Space hides run 2 (5 of 8 drawn, its style free), j x5 then Space
 * draws run 7 in the free style 2 (red).  Names are the runs' run.json
 * names. */
static void test_runs_eight(void **st)
{
	(void)st;
	static const char *const eight[9] = {
		"tests/data/tui/run-a", "tests/data/tui/run-b", "tests/data/tui/run-c",
		"sample_runs/lora-qkvo-r16", "sample_runs/lora-qkvo-r16-budget12",
		"sample_runs/lora-qv-r16", "sample_runs/lora-qv-r4", "sample_runs/lora-qv-r64"};
	static const char *const names[8] = {
		"tui-fixture", "tui-fixture-b", "tui-fixture-c", "lora-qkvo-r16", "lora-qkvo-r16-budget12",
		"lora-qv-r16", "lora-qv-r4", "lora-qv-r64"};
	static const char *const colour[6] = {"(blue)", "(red)", "(cyan)", "(magenta, thick)",
	                                      "(yellow, dashed)", "(grey, dotted)"};
	headless h;
	headless_open(&h, eight, 160, 50);
	assert_int_equal(h.s.n_runs, 8);
	headless_key(&h, "Enter");
	headless_key(&h, "i");
	assert_int_equal(h.u.overlay, UI_OV_RUNS);
	char *txt = screen_text();
	char line[512], want[64];
	assert_non_null(strstr(txt, "6 of 8 runs drawn (at most 6), list 1-8"));
	for (size_t j = 0; j < 8; j++) {
		snprintf(want, sizeof want, j < 6 ? " %s (" : " %s: hidden", names[j]);
		line_with(txt, want, line, sizeof line);
		printf("# run %zu: %s\n", j + 1, line);
		assert_true(line[0]);
		if (j < 6) {
			snprintf(want, sizeof want, "%zu ", j + 1);
			assert_non_null(strstr(line, want));
			assert_non_null(strstr(line, colour[j]));
		}
	}
	free(txt);
	for (int i = 0; i < 6; i++)
		headless_key(&h, "j");
	headless_key(&h, "Space");
	assert_non_null(strstr(h.u.note, "6 runs are drawn at most"));
	for (int i = 0; i < 5; i++)
		headless_key(&h, "k");
	headless_key(&h, "Space"); /* run 2 hidden */
	txt = screen_text();
	assert_non_null(strstr(txt, "5 of 8 runs drawn"));
	assert_non_null(strstr(txt, "tui-fixture-b: hidden"));
	free(txt);
	for (int i = 0; i < 5; i++)
		headless_key(&h, "j");
	headless_key(&h, "Space"); /* run 7 drawn in style 2 */
	txt = screen_text();
	assert_non_null(strstr(txt, "6 of 8 runs drawn"));
	line_with(txt, " lora-qv-r4 (", line, sizeof line);
	printf("# run 7 drawn: %s\n", line);
	assert_non_null(strstr(line, "2 "));
	assert_non_null(strstr(line, "(red)"));
	free(txt);
	headless_close(&h);
}

static void test_every_view_80(void **st) { (void)st; every_view_at(80, 24); }
static void test_every_view_50(void **st) { (void)st; every_view_at(50, 20); }

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
		cmocka_unit_test(test_zoom_80),  cmocka_unit_test(test_small_40),
		cmocka_unit_test(test_help_80),  cmocka_unit_test(test_help_50),
		cmocka_unit_test(test_glyphs_drawn),   cmocka_unit_test(test_image_8_colours),
		cmocka_unit_test(test_every_view_80), cmocka_unit_test(test_every_view_50),
		cmocka_unit_test(test_info_overlay),
		cmocka_unit_test(test_runs_80), cmocka_unit_test(test_runs_120),
		cmocka_unit_test(test_gallery_120), cmocka_unit_test(test_runs_toggle),
		cmocka_unit_test(test_runs_eight),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpd);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
