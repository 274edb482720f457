/* yank.c — y: the selected sample's `report --per-sample` line to the
 * clipboard.  The line is report's own (export_sample_text: the row report
 * builds for the sample, from the sample the view already holds, and
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

/* report --per-sample's line for the sample on screen into out, from what
 * the view already holds (its trace, the sample as report analyses it, its
 * ground-truth image): export_sample_text, report's own row and formatter,
 * with report's default policies and the debugger's --gt/--coords/--iou.  No
 * other sample is read.  0, or -1 with the reason in out. */
static int per_sample_line(const session *s, const session_run *r, char *out, size_t outsz)
{
	const session_view *v = &s->view;
	const sample *num = v->s_num ? v->s_num : v->s; /* session_view.s_num's rule */
	char shard[256];
	size_t line = session_where(r, v->idx, shard, sizeof shard);
	if (v->failed || !v->t || !num || r->items[v->idx].failed) {
		snprintf(out, outsz, "line %zu is not in report's rows (it does not analyse: %.200s)",
		         line, v->failed ? v->error : "see I");
		return -1;
	}
	if (r->gj) { /* lazy open: report's line has the ground truth's numbers */
		snprintf(out, outsz, "the ground truth is still loading: try again in a moment");
		return -1;
	}
	if (r->g && !v->gimg) {
		snprintf(out, outsz, "line %zu is not in report's rows (its image is not in the ground truth)",
		         line);
		return -1;
	}
	export_opts o;
	export_opts_default(&o);
	o.an = r->an;
	if (export_sample_text(&o, v->t, num, v->gimg, r->g != NULL, line, shard[0] ? shard : NULL,
	                       out, outsz, NULL) != TS_OK) {
		snprintf(out, outsz, "out of memory");
		return -1;
	}
	return 0;
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
	if (per_sample_line(s, &s->runs[v->run], line, sizeof line) != 0) {
		ui_note(u, "y: %s", line);
		return UI_RD_STATUS;
	}
	if (osc52(line) != 0)
		ui_note(u, "y: could not write to the terminal: %s", line);
	else
		ui_note(u, "copied (OSC 52): %s", line);
	return UI_RD_STATUS;
}
