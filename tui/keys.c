/* keys.c — the key table: the one source of the debugger's keys.
 *
 * The `?` help lists this table with the help texts of keys.h (overlay_help.c
 * reads it); the README's key table and the man page's KEYS section describe
 * the same keys at more length, and tests/unit/test_keys_doc.c checks that
 * they name exactly the keys bound here (a key added here without its
 * documentation, or documented without its binding, fails it).
 */
#include <ncurses.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"

#define CTRL_KEY(c) ((c) & 0x1f)

static const keys_binding table[] = {
	{'q', ACT_QUIT, "q", KEYS_SC_GLOBAL},
	{'?', ACT_HELP, "?", KEYS_SC_GLOBAL},
	{'\t', ACT_NEXT_PANE, "Tab", KEYS_SC_MAIN | KEYS_SC_DIFF},
	{KEY_BTAB, ACT_PREV_PANE, "Shift-Tab", KEYS_SC_MAIN | KEYS_SC_DIFF},
	{'j', ACT_DOWN, "j", KEYS_SC_LISTS | KEYS_SC_IMAGE},
	{KEY_DOWN, ACT_DOWN, "Down", KEYS_SC_LISTS | KEYS_SC_IMAGE},
	{'k', ACT_UP, "k", KEYS_SC_LISTS | KEYS_SC_IMAGE},
	{KEY_UP, ACT_UP, "Up", KEYS_SC_LISTS | KEYS_SC_IMAGE},
	{KEY_NPAGE, ACT_PAGE_DOWN, "PgDn", KEYS_SC_LISTS},
	{KEY_PPAGE, ACT_PAGE_UP, "PgUp", KEYS_SC_LISTS},
	{'g', ACT_TOP, "g", KEYS_SC_LISTS},
	{'G', ACT_BOTTOM, "G", KEYS_SC_LISTS},
	{'n', ACT_NEXT_SAMPLE, "n", KEYS_SC_MAIN},
	{'p', ACT_PREV_SAMPLE, "p", KEYS_SC_MAIN},
	{' ', ACT_PLAY, "Space", KEYS_SC_MAIN | KEYS_SC_COMPARE},
	{'l', ACT_STEP_FWD, "l", KEYS_SC_MAIN | KEYS_SC_IMAGE | KEYS_SC_COMPARE | KEYS_SC_DIFF},
	{KEY_RIGHT, ACT_STEP_FWD, "Right", KEYS_SC_MAIN | KEYS_SC_IMAGE | KEYS_SC_COMPARE | KEYS_SC_DIFF},
	{'h', ACT_STEP_BACK, "h", KEYS_SC_MAIN | KEYS_SC_IMAGE | KEYS_SC_COMPARE | KEYS_SC_DIFF},
	{KEY_LEFT, ACT_STEP_BACK, "Left", KEYS_SC_MAIN | KEYS_SC_IMAGE | KEYS_SC_COMPARE | KEYS_SC_DIFF},
	{']', ACT_NEXT_BOUNDARY, "]", KEYS_SC_MAIN},
	{'[', ACT_PREV_BOUNDARY, "[", KEYS_SC_MAIN},
	{KEY_HOME, ACT_TRACE_START, "Home", KEYS_SC_MAIN},
	{KEY_END, ACT_TRACE_END, "End", KEYS_SC_MAIN},
	{'e', ACT_TERMINATION, "e", KEYS_SC_MAIN},
	{'w', ACT_WORST, "w", KEYS_SC_MAIN},
	{'r', ACT_REPEAT_STOP, "r", KEYS_SC_GLOBAL},
	{'o', ACT_POLICY, "o", KEYS_SC_GLOBAL},
	{'t', ACT_GT, "t", KEYS_SC_MAIN},
	{'s', ACT_SORT, "s", KEYS_SC_MAIN | KEYS_SC_COMPARE},
	{'/', ACT_FILTER, "/", KEYS_SC_MAIN | KEYS_SC_COMPARE},
	{'m', ACT_METRICS, "m", KEYS_SC_GLOBAL | KEYS_SC_COMPARE},
	{'c', ACT_COMPARE, "c", KEYS_SC_GLOBAL},
	{'d', ACT_DIFF, "d", KEYS_SC_GLOBAL | KEYS_SC_COMPARE},
	{'\r', ACT_ENTER, "Enter", KEYS_SC_MAIN | KEYS_SC_COMPARE | KEYS_SC_DIFF},
	{'\n', ACT_ENTER, "Enter", KEYS_SC_MAIN | KEYS_SC_COMPARE | KEYS_SC_DIFF},
	{KEY_ENTER, ACT_ENTER, "Enter", KEYS_SC_MAIN | KEYS_SC_COMPARE | KEYS_SC_DIFF},
	{'M', ACT_HISTOGRAM, "M", KEYS_SC_GLOBAL | KEYS_SC_COMPARE},
	{'O', ACT_SWEEP, "O", KEYS_SC_GLOBAL | KEYS_SC_COMPARE},
	{'P', ACT_PIXEL, "P", KEYS_SC_MAIN},
	{'x', ACT_EXPORT, "x", KEYS_SC_MAIN},
	{'X', ACT_EXPORT_FRAME, "X", KEYS_SC_MAIN},
	{'z', ACT_IMAGE_ZOOM, "z", KEYS_SC_MAIN | KEYS_SC_IMAGE},
	{'Z', ACT_CROP, "Z", KEYS_SC_MAIN | KEYS_SC_IMAGE},
	{'L', ACT_LABELS, "L", KEYS_SC_MAIN | KEYS_SC_IMAGE},
	{'+', ACT_FASTER, "+", KEYS_SC_MAIN | KEYS_SC_IMAGE},
	{'=', ACT_FASTER, "=", KEYS_SC_MAIN | KEYS_SC_IMAGE},
	{'-', ACT_SLOWER, "-", KEYS_SC_MAIN | KEYS_SC_IMAGE},
	{'R', ACT_NEXT_RUN, "R", KEYS_SC_GLOBAL},
	{CTRL_KEY('l'), ACT_REDRAW, "Ctrl-L", KEYS_SC_GLOBAL},
	{'A', ACT_ABOUT, "A", KEYS_SC_GLOBAL},
	{27, ACT_CLOSE, "Esc", KEYS_SC_GLOBAL | KEYS_SC_OVERLAY | KEYS_SC_COMPARE | KEYS_SC_DIFF | KEYS_SC_IMAGE},
	{'S', ACT_SORT_REVERSE, "S", KEYS_SC_SAMPLES | KEYS_SC_COMPARE},
	{'b', ACT_MARK, "b", KEYS_SC_SAMPLES},
	{'B', ACT_MARK_SHOWN, "B", KEYS_SC_SAMPLES},
	{'W', ACT_WRITE_MARKS, "W", KEYS_SC_SAMPLES},
	{'y', ACT_YANK, "y", KEYS_SC_MAIN},
	{'I', ACT_INFO, "I", KEYS_SC_MAIN},
	{'i', ACT_RUNS_IMAGE, "i", KEYS_SC_MAIN | KEYS_SC_COMPARE},
	{'T', ACT_GALLERY, "T", KEYS_SC_MAIN},
};

static const char *const help_text[] = {
#define KEYS_ACTION_HELP(name, help) help,
	KEYS_ACTION_LIST(KEYS_ACTION_HELP)
#undef KEYS_ACTION_HELP
};

keys_action keys_lookup(int key)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].key == key)
			return table[i].act;
	return ACT_NONE;
}

const char *keys_help(keys_action a)
{
	if ((int)a < 0 || a >= ACT_COUNT)
		return "";
	return help_text[a];
}

const keys_binding *keys_table(size_t *n)
{
	*n = sizeof table / sizeof table[0];
	return table;
}

void keys_names(keys_action a, char *out, size_t outsz)
{
	size_t len = 0;
	if (outsz == 0)
		return;
	out[0] = 0;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (table[i].act != a)
			continue;
		int dup = 0; /* Enter is three codes: listed once */
		for (size_t k = 0; k < i && !dup; k++)
			dup = table[k].act == a && !strcmp(table[k].name, table[i].name);
		if (dup)
			continue;
		int n = snprintf(out + len, outsz - len, "%s%s", len ? ", " : "", table[i].name);
		if (n < 0 || (size_t)n >= outsz - len)
			break;
		len += (size_t)n;
	}
}
