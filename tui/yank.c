/* yank.c — y: the selected sample's `report --per-sample` line to the
 * clipboard.  The line is report's own (export_run_analyze over the run with
 * report's default options and the debugger's --gt/--coords/--iou, then
 * export_row_text, the formatter report prints with), copied with OSC 52
 * (ESC ] 52 ; c ; BASE64 BEL: xterm's clipboard escape, which terminals
 * honour over SSH and tmux passes on with set-clipboard on) and shown in
 * the status message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "draw.h"
#include "export.h"

/* Standard base64 (RFC 4648, padded) of n bytes into out (4 * ceil(n/3) + 1). */
static void b64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
		             (i + 2 < n ? in[i + 2] : 0);
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

/* Writes the OSC 52 sequence for text to the terminal (not when the
 * debugger's output is no terminal: the headless tests). */
static int osc52(const char *text)
{
	size_t n = strlen(text);
	char *seq = malloc(4 * (n / 3 + 1) + 16);
	if (!seq)
		return -1;
	memcpy(seq, "\033]52;c;", 7);
	b64((const unsigned char *)text, n, seq + 7);
	strcat(seq, "\a");
	int rc = 0;
	if (isatty(STDOUT_FILENO)) {
		size_t len = strlen(seq), off = 0;
		while (off < len) {
			ssize_t w = write(STDOUT_FILENO, seq + off, len - off);
			if (w <= 0) {
				rc = -1;
				break;
			}
			off += (size_t)w;
		}
	}
	free(seq);
	return rc;
}

/* report --per-sample's line for sample idx of run r into out; 0, or -1
 * with the reason in out. */
static int per_sample_line(const session *s, const session_run *r, size_t idx, char *out, size_t outsz)
{
	export_opts o;
	export_opts_default(&o);
	o.an = s->opts.an;
	o.coords_set = s->opts.coords_set;
	o.gt_path = s->opts.gt_path;
	o.rows = 1;
	o.confidence = 0; /* the line holds no score */
	if (s->opts.trace_lim)
		o.limits = *s->opts.trace_lim;
	export_run *er = NULL;
	if (export_run_analyze(r->info->path, &o, NULL, NULL, NULL, &er) != TS_OK || !er) {
		snprintf(out, outsz, "out of memory");
		return -1;
	}
	size_t line = trace_index_lineno(r->ix, idx);
	int rc = -1;
	snprintf(out, outsz, "line %zu is not in report's rows (skipped: %zu bad lines)", line, er->skipped);
	for (size_t i = 0; i < er->n_rows; i++)
		if (er->rows[i].line == line) {
			export_row_text(&er->rows[i], er->gt_loaded, out, outsz);
			rc = 0;
			break;
		}
	export_run_free(er);
	return rc;
}

unsigned ui_yank(ui *u)
{
	session *s = u->s;
	const session_view *v = s ? &s->view : NULL;
	if (!v || !v->valid || v->run >= s->n_runs) {
		ui_note(u, "y: no sample selected");
		return UI_RD_STATUS;
	}
	char line[512];
	if (per_sample_line(s, &s->runs[v->run], v->idx, line, sizeof line) != 0) {
		ui_note(u, "y: %s", line);
		return UI_RD_STATUS;
	}
	if (osc52(line) != 0)
		ui_note(u, "y: could not write to the terminal: %s", line);
	else
		ui_note(u, "copied (OSC 52): %s", line);
	return UI_RD_STATUS;
}
