/* keys.c — the key table.
 *
 * Keys of the interactive debugger (copied into the README and the man page):
 *
 *   q               quit
 *   ?               show/hide the help
 *   Tab, Shift-Tab  focus the next/previous pane (samples, records, timeline);
 *                   in the diff: switch the run Enter opens (A or B)
 *   j/k, Down/Up    move in the focused list (timeline: one step); in the
 *                   comparison view and the diff: the selected row
 *   PgDn/PgUp       one page down/up in the focused list
 *   g/G             first/last row of the focused list (timeline: start/end)
 *   n/p             next/previous sample
 *   Space           play/pause the replay; in the comparison view: mark/unmark
 *                   the selected run for d (two marked runs are diffed)
 *   l/h, Right/Left one step forward/back; in the diff: Enter opens in run
 *                   B / run A
 *   ] / [           next/previous record boundary
 *   Home/End        start/end of the trace
 *   e               jump to the termination point (where the list closed or
 *                   where the selected policy stops; the first tail record
 *                   when the list never closed)
 *   r               toggle repeat-stop (status bar: "repeat-stop: on/off"); from
 *                   any other policy it turns repeat-stop on
 *   o               cycle the stop policy: off, repeat_stop, budget:N (N from
 *                   the first run.json giving a budget, else 12), near_dup:0.9,
 *                   dedup (drops the exact duplicates wherever they are and
 *                   keeps decoding: an upper bound, not a replay).  It sets
 *                   the records pane's cut line and dropped records, the
 *                   image's dimmed boxes, the replay's end and the policy the
 *                   metrics and the comparison view put next to "off"; the
 *                   status bar shows "policy: NAME" for budget, near_dup and
 *                   dedup (repeat-stop: on/off as before)
 *   t               toggle ground-truth boxes
 *   s               cycle the sample sort: id, duplicates, max repeat, F1, length
 *   /               filter samples: "dup", "trunc", "label:TEXT" or any text
 *                   (Enter applies, Esc cancels, empty clears)
 *   m               metrics panel: sample and run, policy off vs the selected
 *                   one (repeat_stop unless o chose another)
 *   c               comparison view (shown first when several runs are given):
 *                   one row per run with F1@0.3, F1@0.5, duplicate rate, max
 *                   repeat, termination rate and tokens, each policy off and
 *                   on (the selected policy), the same numbers as `tailscope
 *                   report`; the worst value of each column is marked "*"
 *                   (and bold/red); runs still being analysed show "computing
 *                   k/n".  c or Esc returns to the debugger
 *   d               per-sample diff of two runs over the same images: the two
 *                   marked runs, else run 1 and the selected run (run 1 and 2
 *                   when run 1 is selected); samples that got worse (fewer
 *                   hits at IoU 0.3, more exact duplicates, lost termination,
 *                   a failing line) first, then better, unchanged, and those
 *                   in one run only; each row shows both runs' badges.  d or
 *                   Esc returns to the comparison view
 *   Enter           comparison view: open the selected run in the debugger;
 *                   diff: open the selected sample in run B (or A, see Tab)
 *   M               max-repeat histogram of the current run (policy off)
 *   P               pixel view: the image with its boxes in real pixels (sixel,
 *                   kitty or iTerm2 graphics, detected; TAILSCOPE_PIXELS=sixel|
 *                   kitty|iterm2|none overrides); any key returns
 *   x               export the current view as PNG (path shown in the status bar)
 *   z               the image over the samples and records (at any size; the
 *                   only way to see it below 100x24, the status bar says
 *                   "z image"); while it is: + / - zoom in/out, arrows and
 *                   h/j/k/l pan a zoomed image; z or Esc returns
 *   Z               crop the image to the selected record (again: the whole image)
 *   L               image labels: all, the selected record and duplicates
 *                   only, none
 *   + / -           faster/slower replay
 *   R               next run (when several runs are given)
 *   Ctrl-L          redraw the screen
 *   Esc             close the help, metrics panel, histogram or filter prompt;
 *                   leave the diff or the comparison view
 *   mouse           click a sample, a record, a token, a run (comparison) or
 *                   a row (diff) to select it
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
	{27, ACT_CLOSE, "Esc"},
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
