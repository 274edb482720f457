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
	{'q', ACT_QUIT, "q"},
	{'?', ACT_HELP, "?"},
	{'\t', ACT_NEXT_PANE, "Tab"},
	{KEY_BTAB, ACT_PREV_PANE, "Shift-Tab"},
	{'j', ACT_DOWN, "j"},
	{KEY_DOWN, ACT_DOWN, "Down"},
	{'k', ACT_UP, "k"},
	{KEY_UP, ACT_UP, "Up"},
	{KEY_NPAGE, ACT_PAGE_DOWN, "PgDn"},
	{KEY_PPAGE, ACT_PAGE_UP, "PgUp"},
	{'g', ACT_TOP, "g"},
	{'G', ACT_BOTTOM, "G"},
	{'n', ACT_NEXT_SAMPLE, "n"},
	{'p', ACT_PREV_SAMPLE, "p"},
	{' ', ACT_PLAY, "Space"},
	{'l', ACT_STEP_FWD, "l"},
	{KEY_RIGHT, ACT_STEP_FWD, "Right"},
	{'h', ACT_STEP_BACK, "h"},
	{KEY_LEFT, ACT_STEP_BACK, "Left"},
	{']', ACT_NEXT_BOUNDARY, "]"},
	{'[', ACT_PREV_BOUNDARY, "["},
	{KEY_HOME, ACT_TRACE_START, "Home"},
	{KEY_END, ACT_TRACE_END, "End"},
	{'e', ACT_TERMINATION, "e"},
	{'w', ACT_WORST, "w"},
	{'r', ACT_REPEAT_STOP, "r"},
	{'o', ACT_POLICY, "o"},
	{'t', ACT_GT, "t"},
	{'s', ACT_SORT, "s"},
	{'/', ACT_FILTER, "/"},
	{'m', ACT_METRICS, "m"},
	{'c', ACT_COMPARE, "c"},
	{'d', ACT_DIFF, "d"},
	{'\r', ACT_ENTER, "Enter"},
	{'\n', ACT_ENTER, "Enter"},
	{KEY_ENTER, ACT_ENTER, "Enter"},
	{'M', ACT_HISTOGRAM, "M"},
	{'O', ACT_SWEEP, "O"},
	{'P', ACT_PIXEL, "P"},
	{'x', ACT_EXPORT, "x"},
	{'X', ACT_EXPORT_FRAME, "X"},
	{'z', ACT_IMAGE_ZOOM, "z"},
	{'Z', ACT_CROP, "Z"},
	{'L', ACT_LABELS, "L"},
	{'+', ACT_FASTER, "+"},
	{'=', ACT_FASTER, "="},
	{'-', ACT_SLOWER, "-"},
	{'R', ACT_NEXT_RUN, "R"},
	{CTRL_KEY('l'), ACT_REDRAW, "Ctrl-L"},
	{'A', ACT_ABOUT, "A"},
	{27, ACT_CLOSE, "Esc"},
	{'S', ACT_SORT_REVERSE, "S"},
	{'b', ACT_MARK, "b"},
	{'B', ACT_MARK_SHOWN, "B"},
	{'W', ACT_WRITE_MARKS, "W"},
	{'y', ACT_YANK, "y"},
	{'i', ACT_RUNS_IMAGE, "i"},
	{'T', ACT_GALLERY, "T"},
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
