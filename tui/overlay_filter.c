/* overlay_filter.c — the filter prompt (/) in the status bar: edits the
 * filter text (UTF-8, Backspace removes a whole character, Ctrl-U clears),
 * Enter applies it, Esc cancels and shows the filter in force again. */
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "sanitize.h"

/* private state: the text being typed */
typedef struct filter_state {
	char text[SLIST_FILTER_TEXT_MAX];
	size_t len;
	int bad;          /* Enter found a bad expression: err below */
	expr_err err;
} filter_state;

static filter_state *st(const ui *u)
{
	return ui_private(u, &ui_overlay_filter);
}

const char *ui_filter_prompt(const ui *u, size_t *len)
{
	filter_state *f = st(u);
	if (len)
		*len = f ? f->len : 0;
	return f ? f->text : "";
}

/* opens empty; the filter in force is shown in it */
static void filter_clear(ui *u)
{
	st(u)->len = 0;
	st(u)->text[0] = 0;
	st(u)->bad = 0;
}

static void filter_in_force(const ui *u, char *out, size_t outsz);

static void filter_draw(ui *u, const ui_frame *f)
{
	WINDOW *w = WIN(u, W_STATUS);
	attr_t base = draw_ca(u, CP_STATUS, 0, A_REVERSE);
	char safe[SLIST_FILTER_TEXT_MAX * 4], buf[SLIST_FILTER_TEXT_MAX * 8 + 160];
	(void)f;
	if (!w)
		return;
	werase(w);
	draw_fill_row(w, 0, 0, u->lay.status.w, base);
	char now[SLIST_FILTER_TEXT_MAX + 8], now_safe[sizeof now * 4];
	sanitize(st(u)->text, st(u)->len, safe, sizeof safe, 0);
	filter_in_force(u, now, sizeof now);
	sanitize(now, strlen(now), now_safe, sizeof now_safe, 40);
	if (st(u)->bad) {
		char msg[sizeof st(u)->err.msg * 4];
		sanitize(st(u)->err.msg, strlen(st(u)->err.msg), msg, sizeof msg, 0);
		snprintf(buf, sizeof buf, " /%s█   error at column %zu: %s", safe, st(u)->err.pos + 1,
		         msg);
	} else if (now[0])
		snprintf(buf, sizeof buf, " /%s█   now: %s · Enter apply (empty clears) · Esc keep", safe,
		         now_safe);
	else
		snprintf(buf, sizeof buf, " /%s█   Enter · Esc · dup, trunc, label:X, text, max_repeat>5 && f1<0.5",
		         safe);
	draw_put(w, 0, 0, u->lay.status.w, buf, base | A_BOLD);
	wnoutrefresh(w);
}

/* The filter in force as typed ("dup", "label:cat", "text"); "" for none. */
static void filter_in_force(const ui *u, char *out, size_t outsz)
{
	const session_run *r = session_cur(u->s);
	out[0] = 0;
	if (!r || r->list.filter.kind == SLIST_FILTER_NONE)
		return;
	if (r->list.filter.kind == SLIST_FILTER_EXPR) {
		snprintf(out, outsz, "%s", r->list.filter.text);
		return;
	}
	const char *pre = r->list.filter.kind == SLIST_FILTER_LABEL ? "label:"
	                : r->list.filter.kind == SLIST_FILTER_DUP ? "dup"
	                : r->list.filter.kind == SLIST_FILTER_TRUNC ? "trunc" : "";
	snprintf(out, outsz, "%s%s", pre, r->list.filter.text);
}

/* Esc: the prompt closes; the filter in force stays */
static unsigned cancel(ui *u)
{
	u->overlay = UI_OV_NONE;
	filter_clear(u);
	return UI_RD_STATUS;
}

static unsigned backspace(ui *u)
{
	filter_state *f = st(u);
	while (f->len > 0) {
		unsigned char c = (unsigned char)f->text[--f->len];
		if ((c & 0xC0) != 0x80)
			break; /* removed a whole UTF-8 character */
	}
	f->text[f->len] = 0;
	return UI_RD_STATUS;
}

/* UTF-8 of code point ch into enc; its length */
static size_t utf8_encode(unsigned ch, char enc[4])
{
	if (ch < 0x80) {
		enc[0] = (char)ch;
		return 1;
	}
	if (ch < 0x800) {
		enc[0] = (char)(0xC0 | (ch >> 6));
		enc[1] = (char)(0x80 | (ch & 0x3F));
		return 2;
	}
	if (ch < 0x10000) {
		enc[0] = (char)(0xE0 | (ch >> 12));
		enc[1] = (char)(0x80 | ((ch >> 6) & 0x3F));
		enc[2] = (char)(0x80 | (ch & 0x3F));
		return 3;
	}
	enc[0] = (char)(0xF0 | (ch >> 18));
	enc[1] = (char)(0x80 | ((ch >> 12) & 0x3F));
	enc[2] = (char)(0x80 | ((ch >> 6) & 0x3F));
	enc[3] = (char)(0x80 | (ch & 0x3F));
	return 4;
}

/* the comparison view: the filter on every run's samples list (its
 * "filter" column shows what each keeps) */
static unsigned apply_all_runs(ui *u)
{
	session *s = u->s;
	const char *text = st(u)->text;
	for (size_t k = 0; s && k < s->n_runs; k++) {
		session_run *r = &s->runs[k];
		slist_filter_set(text, &r->list.filter, NULL); /* checked on Enter */
		slist_rebuild(&r->list, r->items, r->n);
	}
	if (!text[0])
		ui_note(u, "filter cleared on every run");
	else
		ui_note(u, "filter on every run: the filter column counts the samples it keeps");
	return UI_RD_ALL;
}

static unsigned filter_input(ui *u, int is_key, unsigned ch)
{
	if ((!is_key && (ch == '\r' || ch == '\n')) || (is_key && ch == KEY_ENTER)) {
		filter_state *f = st(u);
		slist_filter probe;
		memset(&probe, 0, sizeof probe);
		f->bad = slist_filter_set(f->text, &probe, &f->err) < 0;
		slist_filter_free(&probe);
		if (f->bad)
			return UI_RD_STATUS; /* the prompt stays open, the error in it */
		u->overlay = UI_OV_NONE;
		return u->screen == UI_SCREEN_COMPARE ? apply_all_runs(u) : ui_apply_filter(u);
	}
	if (!is_key && ch == 27)
		return cancel(u);
	st(u)->bad = 0; /* editing: the error goes until the next Enter */
	if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8)))
		return backspace(u);
	if (!is_key && ch == 21) { /* Ctrl-U */
		filter_clear(u);
		return UI_RD_STATUS;
	}
	if (is_key || ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0) || ch > 0x10FFFF ||
	    (ch >= 0xD800 && ch <= 0xDFFF))
		return 0;
	char enc[4];
	size_t n = utf8_encode(ch, enc);
	filter_state *f = st(u);
	if (f->len + n + 1 > sizeof f->text)
		return 0;
	memcpy(f->text + f->len, enc, n);
	f->len += n;
	f->text[f->len] = 0;
	return UI_RD_STATUS;
}

const ui_view ui_overlay_filter = {
	.name = "filter", .id = UI_OV_FILTER, .win = W_STATUS, .rd = UI_RD_STATUS | UI_RD_OVERLAY,
	.draw = filter_draw, .input = filter_input,
	.private_size = sizeof(filter_state), .open = filter_clear,
};
