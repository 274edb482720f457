/* plot.c — charts into RGBA pixels or terminal cells (see plot.h). */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

/* ------------------------------------------------------------------ */
/* the 5x7 font: printable ASCII 0x20..0x7e, drawn for tailscope;       */
/* each row is 5 bits, bit 4 = leftmost column; g p q y are drawn two   */
/* rows lower (their tails hang below the baseline)                     */

static const uint8_t font5x7[95][7] = {
	{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 }, /* ' ' */
	{ 0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04 }, /* '!' */
	{ 0x0a, 0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00 }, /* '"' */
	{ 0x0a, 0x0a, 0x1f, 0x0a, 0x1f, 0x0a, 0x0a }, /* '#' */
	{ 0x04, 0x0f, 0x14, 0x0e, 0x05, 0x1e, 0x04 }, /* '$' */
	{ 0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03 }, /* '%' */
	{ 0x0c, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0d }, /* '&' */
	{ 0x04, 0x04, 0x04, 0x00, 0x00, 0x00, 0x00 }, /* ''' */
	{ 0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02 }, /* '(' */
	{ 0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08 }, /* ')' */
	{ 0x00, 0x04, 0x15, 0x0e, 0x15, 0x04, 0x00 }, /* '*' */
	{ 0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00 }, /* '+' */
	{ 0x00, 0x00, 0x00, 0x00, 0x0c, 0x04, 0x08 }, /* ',' */
	{ 0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00 }, /* '-' */
	{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c }, /* '.' */
	{ 0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00 }, /* '/' */
	{ 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e }, /* '0' */
	{ 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e }, /* '1' */
	{ 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f }, /* '2' */
	{ 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e }, /* '3' */
	{ 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 }, /* '4' */
	{ 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e }, /* '5' */
	{ 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e }, /* '6' */
	{ 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 }, /* '7' */
	{ 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e }, /* '8' */
	{ 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c }, /* '9' */
	{ 0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00 }, /* ':' */
	{ 0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x04, 0x08 }, /* ';' */
	{ 0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02 }, /* '<' */
	{ 0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00 }, /* '=' */
	{ 0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08 }, /* '>' */
	{ 0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04 }, /* '?' */
	{ 0x0e, 0x11, 0x17, 0x15, 0x17, 0x10, 0x0e }, /* '@' */
	{ 0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 }, /* 'A' */
	{ 0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e }, /* 'B' */
	{ 0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e }, /* 'C' */
	{ 0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c }, /* 'D' */
	{ 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f }, /* 'E' */
	{ 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10 }, /* 'F' */
	{ 0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f }, /* 'G' */
	{ 0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 }, /* 'H' */
	{ 0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e }, /* 'I' */
	{ 0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c }, /* 'J' */
	{ 0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11 }, /* 'K' */
	{ 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f }, /* 'L' */
	{ 0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11 }, /* 'M' */
	{ 0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11 }, /* 'N' */
	{ 0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e }, /* 'O' */
	{ 0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10 }, /* 'P' */
	{ 0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d }, /* 'Q' */
	{ 0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11 }, /* 'R' */
	{ 0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e }, /* 'S' */
	{ 0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04 }, /* 'T' */
	{ 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e }, /* 'U' */
	{ 0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04 }, /* 'V' */
	{ 0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a }, /* 'W' */
	{ 0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11 }, /* 'X' */
	{ 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04 }, /* 'Y' */
	{ 0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f }, /* 'Z' */
	{ 0x0e, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0e }, /* '[' */
	{ 0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00 }, /* backslash */
	{ 0x0e, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0e }, /* ']' */
	{ 0x04, 0x0a, 0x11, 0x00, 0x00, 0x00, 0x00 }, /* '^' */
	{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f }, /* '_' */
	{ 0x08, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00 }, /* '`' */
	{ 0x00, 0x00, 0x0e, 0x01, 0x0f, 0x11, 0x0f }, /* 'a' */
	{ 0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1e }, /* 'b' */
	{ 0x00, 0x00, 0x0e, 0x10, 0x10, 0x11, 0x0e }, /* 'c' */
	{ 0x01, 0x01, 0x0d, 0x13, 0x11, 0x11, 0x0f }, /* 'd' */
	{ 0x00, 0x00, 0x0e, 0x11, 0x1f, 0x10, 0x0e }, /* 'e' */
	{ 0x06, 0x09, 0x08, 0x1c, 0x08, 0x08, 0x08 }, /* 'f' */
	{ 0x0f, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e }, /* 'g' */
	{ 0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11 }, /* 'h' */
	{ 0x04, 0x00, 0x0c, 0x04, 0x04, 0x04, 0x0e }, /* 'i' */
	{ 0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0c }, /* 'j' */
	{ 0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12 }, /* 'k' */
	{ 0x0c, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e }, /* 'l' */
	{ 0x00, 0x00, 0x1a, 0x15, 0x15, 0x11, 0x11 }, /* 'm' */
	{ 0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11 }, /* 'n' */
	{ 0x00, 0x00, 0x0e, 0x11, 0x11, 0x11, 0x0e }, /* 'o' */
	{ 0x1e, 0x11, 0x11, 0x11, 0x1e, 0x10, 0x10 }, /* 'p' */
	{ 0x0f, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x01 }, /* 'q' */
	{ 0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10 }, /* 'r' */
	{ 0x00, 0x00, 0x0e, 0x10, 0x0e, 0x01, 0x1e }, /* 's' */
	{ 0x08, 0x08, 0x1c, 0x08, 0x08, 0x09, 0x06 }, /* 't' */
	{ 0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0d }, /* 'u' */
	{ 0x00, 0x00, 0x11, 0x11, 0x11, 0x0a, 0x04 }, /* 'v' */
	{ 0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0a }, /* 'w' */
	{ 0x00, 0x00, 0x11, 0x0a, 0x04, 0x0a, 0x11 }, /* 'x' */
	{ 0x11, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e }, /* 'y' */
	{ 0x00, 0x00, 0x1f, 0x02, 0x04, 0x08, 0x1f }, /* 'z' */
	{ 0x02, 0x04, 0x04, 0x08, 0x04, 0x04, 0x02 }, /* '{' */
	{ 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04 }, /* '|' */
	{ 0x08, 0x04, 0x04, 0x02, 0x04, 0x04, 0x08 }, /* '}' */
	{ 0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00 }, /* '~' */
};

int plot_font_descender(int c)
{
	return c == 'g' || c == 'p' || c == 'q' || c == 'y' ? 2 : 0;
}

int plot_font_glyph(int c, uint8_t rows[7])
{
	int ok = c >= 0x20 && c <= 0x7e;
	memcpy(rows, font5x7[(ok ? c : '?') - 0x20], 7);
	return ok;
}

/* ------------------------------------------------------------------ */
/* palette                                                             */

/* 16-colour indices: cyan, yellow, magenta, green, red, bright blue,
 * bright cyan, bright yellow, bright magenta, bright green, bright red, blue */
static const int pal16[] = { 6, 3, 5, 2, 1, 12, 14, 11, 13, 10, 9, 4 };
/* the same hues darkened for a white background */
static const uint32_t pal_rgb[] = { 0x008b9a, 0xb08800, 0xa0208c, 0x2e8b2e, 0xc62828, 0x3355cc,
                                    0x00a8b8, 0xc8a000, 0xc040b0, 0x40a840, 0xe04848, 0x1a2a88 };
#define N_PAL (sizeof pal16 / sizeof pal16[0])

int plot_series_color16(size_t i)
{
	return pal16[i % N_PAL];
}

uint32_t plot_series_rgb(size_t i)
{
	return pal_rgb[i % N_PAL];
}

void plot_spec_init(plot_spec *s, plot_kind kind)
{
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->x_min = s->x_max = s->y_min = s->y_max = NAN;
}

/* ------------------------------------------------------------------ */
/* shared helpers                                                      */

/* Sanitized, at most max_cols columns (0: no cap). */
static void clean(const char *in, char *out, size_t outsz, size_t max_cols)
{
	if (!in)
		in = "";
	sanitize(in, strlen(in), out, outsz, max_cols);
}

static ts_status check_spec(const plot_spec *s, ts_error *err)
{
	if (!s || (s->n_series && !s->series))
		return ts_error_set(err, TS_ERR_USAGE, "plot: no series");
	if (s->kind == PLOT_BARS) {
		if (s->n_groups && !s->group_labels)
			return ts_error_set(err, TS_ERR_USAGE, "plot: bars without group labels");
		for (size_t k = 0; k < s->n_series; k++)
			if (s->n_groups && !s->series[k].v)
				return ts_error_set(err, TS_ERR_USAGE, "plot: bar series %zu without values", k);
	} else if (s->kind == PLOT_SCATTER || s->kind == PLOT_LINES) {
		for (size_t k = 0; k < s->n_series; k++)
			if (s->series[k].n && (!s->series[k].x || !s->series[k].y))
				return ts_error_set(err, TS_ERR_USAGE, "plot: series %zu without points", k);
	} else {
		return ts_error_set(err, TS_ERR_USAGE, "plot: unknown kind");
	}
	return TS_OK;
}

static double bar_value(const plot_series *se, size_t g)
{
	double v = se->v[g];
	return isfinite(v) && v > 0 ? v : 0.0;
}

static double bars_max(const plot_spec *s)
{
	double m = 0;
	for (size_t k = 0; k < s->n_series; k++)
		for (size_t g = 0; g < s->n_groups; g++)
			m = fmax(m, bar_value(&s->series[k], g));
	return m;
}

static void bar_text(const plot_series *se, size_t g, char *out, size_t outsz)
{
	if (se->text && se->text[g]) {
		clean(se->text[g], out, outsz, 40);
		return;
	}
	double v = isfinite(se->v[g]) ? se->v[g] : 0.0;
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, outsz, "%.0f", v);
	else
		snprintf(out, outsz, "%.3g", v);
}

/* Axis range: the given limits, else the data's; an empty span is widened. */
static void axis_range(const plot_spec *s, int is_y, double *lo, double *hi)
{
	double a = is_y ? s->y_min : s->x_min, b = is_y ? s->y_max : s->x_max;
	double dmin = INFINITY, dmax = -INFINITY;
	for (size_t k = 0; k < s->n_series; k++) {
		const plot_series *se = &s->series[k];
		const double *v = is_y ? se->y : se->x;
		for (size_t i = 0; i < se->n; i++)
			if (isfinite(se->x[i]) && isfinite(se->y[i])) {
				dmin = fmin(dmin, v[i]);
				dmax = fmax(dmax, v[i]);
			}
	}
	if (!isfinite(dmin)) {
		dmin = 0;
		dmax = 1;
	}
	*lo = isfinite(a) ? a : dmin;
	*hi = isfinite(b) ? b : dmax;
	if (!(*hi > *lo)) {
		double c = *lo;
		*lo = c - 0.5;
		*hi = c + 0.5;
		if (c >= 0 && c <= 0.5) {
			*lo = 0;
			*hi = 1;
		}
	}
}

/* (x, y)'s place on the axes [x0, x1] x [y0, y1] as fractions of each; 0 when
 * it is not finite or outside them (the text and the image charts' rule). */
static int on_axes(double x0, double x1, double y0, double y1, double x, double y, double *fx,
                   double *fy)
{
	if (!isfinite(x) || !isfinite(y))
		return 0;
	*fx = (x - x0) / (x1 - x0);
	*fy = (y - y0) / (y1 - y0);
	return !(*fx < -1e-9 || *fx > 1 + 1e-9 || *fy < -1e-9 || *fy > 1 + 1e-9);
}

/* A step of 1, 2 or 5 x 10^k near span/4. */
static double nice_step(double span)
{
	double raw = span / 4.0;
	double p = pow(10.0, floor(log10(raw)));
	double m = raw / p;
	double step = m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10;
	return step * p;
}

static int step_decimals(double step)
{
	int d = (int)-floor(log10(step) + 1e-9);
	return d < 0 ? 0 : d > 6 ? 6 : d;
}

/* Ticks within [lo, hi]: multiples of a nice step. */
static size_t ticks(double lo, double hi, double *out, size_t max, int *decimals)
{
	double st = nice_step(hi - lo);
	*decimals = step_decimals(st);
	size_t n = 0;
	double first = ceil(lo / st - 1e-9) * st;
	for (double v = first; v <= hi + st * 1e-9 && n < max; v += st)
		out[n++] = fabs(v) < st * 1e-9 ? 0.0 : v;
	return n;
}

/* ------------------------------------------------------------------ */
/* terminal cells                                                      */

static plot_text *text_new(int cols, int rows)
{
	plot_text *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->cols = cols;
	t->rows = rows;
	size_t n = (size_t)cols * (size_t)rows;
	t->ch = malloc((n ? n : 1) * sizeof *t->ch);
	t->fg = malloc(n ? n : 1);
	if (!t->ch || !t->fg) {
		plot_text_free(t);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		t->ch[i] = ' ';
		t->fg[i] = -1;
	}
	return t;
}

void plot_text_free(plot_text *t)
{
	if (!t)
		return;
	free(t->ch);
	free(t->fg);
	free(t);
}

static void put(plot_text *t, int col, int row, uint32_t cp, int fg)
{
	if (col < 0 || row < 0 || col >= t->cols || row >= t->rows)
		return;
	size_t i = (size_t)row * (size_t)t->cols + (size_t)col;
	t->ch[i] = cp;
	t->fg[i] = (int8_t)fg;
}

/* Writes sanitized UTF-8 text from col, at most max_cols columns; wide
 * characters take two cells, zero-width ones are left out.  Returns the
 * columns used. */
static int put_str(plot_text *t, int col, int row, const char *s, int fg, int max_cols)
{
	int used = 0;
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	while (len > 0) {
		uint32_t cp;
		int n = sanitize_utf8_decode(p, len, &cp);
		if (n <= 0) {
			cp = '?';
			n = 1;
		}
		p += n;
		len -= (size_t)n;
		int w = sanitize_cp_width(cp);
		if (w <= 0)
			continue;
		if (used + w > max_cols)
			break;
		put(t, col + used, row, cp, fg);
		if (w == 2)
			put(t, col + used + 1, row, 0, fg);
		used += w;
	}
	return used;
}

static int str_cols(const char *s)
{
	return (int)sanitize_width(s, strlen(s));
}

static int cell_free(const plot_text *t, int col, int row, int n)
{
	for (int i = 0; i < n; i++) {
		if (col + i < 0 || col + i >= t->cols || row < 0 || row >= t->rows)
			return 0;
		uint32_t c = t->ch[(size_t)row * (size_t)t->cols + (size_t)(col + i)];
		if (c != ' ' && !(c >= 0x2800 && c <= 0x28ff))
			return 0;
	}
	return 1;
}

/* ASCII stand-in for a cell's character. */
static uint32_t ascii_of(uint32_t cp)
{
	if (cp < 0x80)
		return cp;
	if (cp >= 0x2800 && cp <= 0x28ff)
		return '.';
	if (cp >= 0x2589 && cp <= 0x258F)
		return cp <= 0x258C ? '#' : ' '; /* 7/8 .. 1/2 -> '#', less -> ' ' */
	switch (cp) {
	case 0x2588: return '#';
	case 0x2593: return '=';
	case 0x2592: return '+';
	case 0x2591: return ':';
	case 0x2580: return '^';
	case 0x2584: return '_';
	case 0x259A: return 'x';
	case 0x259E: return '%';
	case 0x25CF: return 'o';
	case 0x2502: return '|';
	case 0x2500: return '-';
	case 0x2524: case 0x252C: case 0x2514: return '+';
	default: return '?';
	}
}

char *plot_text_line(const plot_text *t, int row, int sgr)
{
	return plot_text_line_ex(t, row, sgr ? PLOT_LINE_SGR : 0);
}

char *plot_text_line_ex(const plot_text *t, int row, unsigned flags)
{
	int sgr = (flags & PLOT_LINE_SGR) != 0, ascii = (flags & PLOT_LINE_ASCII) != 0;
	if (!t || row < 0 || row >= t->rows)
		return NULL;
	/* worst case: 4 bytes a cell + an escape per cell */
	size_t cap = (size_t)t->cols * 16 + 16;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	size_t k = 0, keep = 0;
	int cur = -1;
	for (int c = 0; c < t->cols; c++) {
		size_t i = (size_t)row * (size_t)t->cols + (size_t)c;
		uint32_t cp = t->ch[i];
		if (cp == 0) {
			if (!ascii)
				continue;
			cp = '?'; /* right half of a wide character: one '?' each half */
		}
		if (ascii)
			cp = ascii_of(cp);
		int fg = cp == ' ' ? cur : t->fg[i];
		if (sgr && fg != cur) {
			if (fg < 0)
				k += (size_t)snprintf(out + k, cap - k, "\033[0m");
			else
				k += (size_t)snprintf(out + k, cap - k, "\033[%dm", fg < 8 ? 30 + fg : 90 + fg - 8);
			cur = fg;
		}
		if (cp < 0x80) {
			out[k++] = (char)cp;
		} else if (cp < 0x800) {
			out[k++] = (char)(0xc0 | (cp >> 6));
			out[k++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[k++] = (char)(0xe0 | (cp >> 12));
			out[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[k++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[k++] = (char)(0xf0 | (cp >> 18));
			out[k++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			out[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[k++] = (char)(0x80 | (cp & 0x3f));
		}
		if (cp != ' ')
			keep = k;
	}
	k = keep; /* trailing blanks go */
	if (sgr && cur >= 0)
		k += (size_t)snprintf(out + k, cap - k, "\033[0m");
	out[k] = '\0';
	return out;
}

/* Eighths of a block, left to right: U+258F (1/8) .. U+2589 (7/8), U+2588 full. */
static uint32_t eighth_block(int e)
{
	static const uint32_t b[8] = { ' ', 0x258F, 0x258E, 0x258D, 0x258C, 0x258B, 0x258A, 0x2589 };
	return e >= 8 ? 0x2588 : b[e < 0 ? 0 : e];
}

/* The fill of series k's bars when there are several: solid, dark, medium,
 * light shade, upper half, lower half, two diagonal quadrant checks, so up
 * to 8 runs stay apart without colour (in ASCII: # = + : ^ _ x %); a single
 * series is solid with eighth-block ends. */
#define N_FILLS 8
static uint32_t series_fill(size_t k, size_t n_series)
{
	static const uint32_t f[N_FILLS] = {0x2588, 0x2593, 0x2592, 0x2591,
	                                    0x2580, 0x2584, 0x259A, 0x259E};
	return n_series > 1 ? f[k % N_FILLS] : 0x2588;
}

static ts_status text_bars(const plot_spec *s, int cols, plot_text **out, ts_error *err)
{
	char buf[256];
	int lw = 0, tw = 0;
	for (size_t g = 0; g < s->n_groups; g++) {
		clean(s->group_labels[g], buf, sizeof buf, (size_t)(cols / 3));
		lw = str_cols(buf) > lw ? str_cols(buf) : lw;
		for (size_t k = 0; k < s->n_series; k++) {
			bar_text(&s->series[k], g, buf, sizeof buf);
			int w = str_cols(buf);
			tw = w > tw ? w : tw;
		}
	}
	if (tw > cols / 3)
		tw = cols / 3;
	int legend = s->n_series > 1;
	int per_group = (int)s->n_series + (s->n_series > 1 ? 1 : 0);
	int rows = 1 + (int)s->n_groups * per_group + (legend ? (int)s->n_series : 0) +
	           (s->xlabel ? 1 : 0);
	plot_text *t = text_new(cols, rows);
	if (!t)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	clean(s->title, buf, sizeof buf, (size_t)cols);
	put_str(t, 0, 0, buf, -1, cols);
	int bl = cols - lw - 2 - 1 - tw; /* bar cells */
	if (bl < 1)
		bl = 1;
	double vmax = bars_max(s);
	int row = 1;
	for (size_t g = 0; g < s->n_groups; g++) {
		clean(s->group_labels[g], buf, sizeof buf, (size_t)lw);
		put_str(t, lw - str_cols(buf), row, buf, -1, lw);
		for (size_t k = 0; k < s->n_series; k++, row++) {
			int fg = plot_series_color16(k);
			put(t, lw + 1, row, 0x2502, -1); /* │ */
			double v = bar_value(&s->series[k], g);
			long e = vmax > 0 ? lround(v / vmax * (double)bl * 8.0) : 0;
			int c = lw + 2;
			uint32_t fill = series_fill(k, s->n_series);
			for (; e >= 8; e -= 8)
				put(t, c++, row, fill, fg);
			if (e > 0 && fill == 0x2588)
				put(t, c++, row, eighth_block((int)e), fg);
			else if (e >= 4 || (e > 0 && c == lw + 2))
				put(t, c++, row, fill, fg); /* shades have no eighths: rounded, never hidden */
			if (v == 0 && s->n_series > 1)
				continue; /* an empty bar among several: no text */
			bar_text(&s->series[k], g, buf, sizeof buf);
			put_str(t, c + 1, row, buf, -1, cols - c - 1);
		}
		if (s->n_series > 1) {
			put(t, lw + 1, row, 0x2502, -1);
			row++;
		}
	}
	if (s->xlabel) {
		clean(s->xlabel, buf, sizeof buf, (size_t)(cols - lw - 2));
		put_str(t, lw + 2, row++, buf, -1, cols - lw - 2);
	}
	if (legend)
		for (size_t k = 0; k < s->n_series; k++, row++) {
			put(t, lw + 2, row, series_fill(k, s->n_series), plot_series_color16(k));
			clean(s->series[k].name, buf, sizeof buf, (size_t)(cols - lw - 4));
			put_str(t, lw + 4, row, buf, plot_series_color16(k), cols - lw - 4);
		}
	*out = t;
	return TS_OK;
}

/* Series number mark: 1-9, then a-z. */
static uint32_t series_mark(size_t k)
{
	return k < 9 ? (uint32_t)('1' + k) : k < 35 ? (uint32_t)('a' + k - 9) : '*';
}

/* One xy chart in terminal cells: the axes' ranges and ticks, and where the
 * canvas (braille dots, 2 x 4 a cell) sits. */
typedef struct txy {
	const plot_spec *s;
	plot_text *t;
	uint8_t *dots;   /* the canvas' braille bits, cw x height */
	int cols, height;
	double x0, x1, y0, y1;
	double xt[16], yt[16];
	int xd, yd;
	size_t nxt, nyt;
	char ylab[16][32];
	int gw;          /* widest y tick label */
	int ax;          /* axis column */
	int cw;          /* canvas cells */
	int top;         /* the canvas' first row */
	int W, H;        /* the canvas in dots */
} txy;

/* Ranges, ticks and columns (the y tick labels' width places the axis);
 * 0 when the canvas would be too narrow. */
static int txy_layout(txy *f, const plot_spec *s, int cols, int height)
{
	f->s = s;
	f->cols = cols;
	f->height = height;
	axis_range(s, 0, &f->x0, &f->x1);
	axis_range(s, 1, &f->y0, &f->y1);
	f->nxt = ticks(f->x0, f->x1, f->xt, 16, &f->xd);
	f->nyt = ticks(f->y0, f->y1, f->yt, 16, &f->yd);
	f->gw = 0;
	for (size_t i = 0; i < f->nyt; i++) {
		snprintf(f->ylab[i], sizeof f->ylab[i], "%.*f", f->yd, f->yt[i]);
		int w = (int)strlen(f->ylab[i]);
		f->gw = w > f->gw ? w : f->gw;
	}
	f->ax = f->gw + 1;
	f->cw = cols - f->ax - 2;
	f->top = 1 + (s->ylabel ? 1 : 0);
	f->W = f->cw * 2;
	f->H = height * 4;
	return f->cw >= 4;
}

/* A point's dot on the canvas; 0 when it is not finite or outside the axes. */
static int txy_dot(const txy *f, double x, double y, int *dx, int *dy)
{
	double fx, fy;
	if (!on_axes(f->x0, f->x1, f->y0, f->y1, x, y, &fx, &fy))
		return 0;
	*dx = (int)lround(fx * (f->W - 1));
	*dy = (int)lround((1.0 - fy) * (f->H - 1));
	return 1;
}

/* Title, y label and the two axis lines. */
static void txy_frame(txy *f)
{
	char buf[256];
	plot_text *t = f->t;
	clean(f->s->title, buf, sizeof buf, (size_t)f->cols);
	put_str(t, 0, 0, buf, -1, f->cols);
	if (f->s->ylabel) {
		clean(f->s->ylabel, buf, sizeof buf, (size_t)(f->cols - f->ax));
		put_str(t, f->ax, 1, buf, -1, f->cols - f->ax);
	}
	for (int r = 0; r < f->height; r++)
		put(t, f->ax, f->top + r, 0x2502, -1);
	put(t, f->ax, f->top + f->height, 0x2514, -1);
	for (int c = 0; c < f->cw + 1; c++)
		put(t, f->ax + 1 + c, f->top + f->height, 0x2500, -1);
}

/* y tick labels: one per row; the two end ticks first, then the others where
 * their row is still free.  x tick labels: left to right, none over another. */
static void txy_ticks(txy *f)
{
	plot_text *t = f->t;
	unsigned char *row_used = calloc((size_t)f->height, 1);
	for (size_t o = 0; o < f->nyt && row_used; o++) {
		size_t i = o == 0 ? 0 : o == 1 ? f->nyt - 1 : o - 1;
		int dy = (int)lround((1.0 - (f->yt[i] - f->y0) / (f->y1 - f->y0)) * (f->H - 1));
		int r = dy / 4;
		if (r < 0 || r >= f->height || row_used[r])
			continue;
		row_used[r] = 1;
		put(t, f->ax, f->top + r, 0x2524, -1);
		put_str(t, f->ax - (int)strlen(f->ylab[i]), f->top + r, f->ylab[i], -1, f->gw);
	}
	free(row_used);
	int last_end = -1;
	for (size_t i = 0; i < f->nxt; i++) {
		int dx = (int)lround((f->xt[i] - f->x0) / (f->x1 - f->x0) * (f->W - 1));
		int c = f->ax + 1 + dx / 2;
		put(t, c, f->top + f->height, 0x252C, -1);
		char lab[32];
		snprintf(lab, sizeof lab, "%.*f", f->xd, f->xt[i]);
		int w = (int)strlen(lab);
		int start = c - w / 2;
		if (start + w > f->cols)
			start = f->cols - w;
		if (start > last_end) {
			put_str(t, start, f->top + f->height + 1, lab, -1, w);
			last_end = start + w;
		}
	}
}

/* A line of dots from (x, y) to (dx, dy) (Bresenham); its cells take colour fg. */
static void txy_line(txy *f, int x, int y, int dx, int dy, int fg)
{
	static const uint8_t bit[4][2] = { { 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 } };
	int sx = dx > x ? 1 : -1, sy = dy > y ? 1 : -1;
	int ddx = abs(dx - x), ddy = -abs(dy - y), e = ddx + ddy;
	for (;;) {
		int cc = x / 2, cr = y / 4;
		f->dots[(size_t)cr * (size_t)f->cw + (size_t)cc] |= bit[y % 4][x % 2];
		f->t->fg[(size_t)(f->top + cr) * (size_t)f->cols + (size_t)(f->ax + 1 + cc)] = (int8_t)fg;
		if (x == dx && y == dy)
			break;
		int e2 = 2 * e;
		if (e2 >= ddy) { e += ddy; x += sx; }
		if (e2 <= ddx) { e += ddx; y += sy; }
	}
}

/* Series k's points: a marker each (scatter) or a line through them. */
static void txy_series(txy *f, size_t k)
{
	const plot_series *se = &f->s->series[k];
	int fg = plot_series_color16(k);
	int have_prev = 0, px = 0, py = 0;
	for (size_t i = 0; i < se->n; i++) {
		int dx, dy;
		if (!txy_dot(f, se->x[i], se->y[i], &dx, &dy))
			continue;
		if (f->s->kind == PLOT_SCATTER) {
			put(f->t, f->ax + 1 + dx / 2, f->top + dy / 4, 0x25CF, fg); /* ● */
			continue;
		}
		txy_line(f, have_prev ? px : dx, have_prev ? py : dy, dx, dy, fg);
		have_prev = 1;
		px = dx;
		py = dy;
	}
}

/* The canvas' dots into braille cells. */
static void txy_dots_to_cells(txy *f)
{
	for (int r = 0; r < f->height; r++)
		for (int c = 0; c < f->cw; c++) {
			uint8_t d = f->dots[(size_t)r * (size_t)f->cw + (size_t)c];
			if (d)
				f->t->ch[(size_t)(f->top + r) * (size_t)f->cols + (size_t)(f->ax + 1 + c)] = 0x2800u + d;
		}
}

/* A scatter point's name beside its marker at cell (c, r): the first free
 * place of eight, else after the marker where it fits. */
static void txy_scatter_label(txy *f, size_t k, int c, int r)
{
	char buf[256];
	int fg = plot_series_color16(k), cols = f->cols;
	clean(f->s->series[k].name, buf, sizeof buf, 24);
	int w = str_cols(buf);
	const int cand[8][2] = { { c + 2, r }, { c - 1 - w, r }, { c + 2, r - 1 }, { c + 2, r + 1 },
	                         { c - 1 - w, r - 1 }, { c - 1 - w, r + 1 }, { c + 2, r - 2 },
	                         { c + 2, r + 2 } };
	int placed = -1;
	for (int q = 0; q < 8 && placed < 0; q++) {
		int lc = cand[q][0], lr = cand[q][1];
		if (lr < f->top || lr >= f->top + f->height || lc <= f->ax || lc + w > cols)
			continue;
		if (cell_free(f->t, lc, lr, w))
			placed = q;
	}
	if (placed >= 0) {
		put_str(f->t, cand[placed][0], cand[placed][1], buf, fg, w);
	} else {
		/* crowded: the label goes where it fits, after the marker */
		int lc = c + 2 + w <= cols ? c + 2 : cols - w;
		if (lc > f->ax)
			put_str(f->t, lc, r, buf, fg, cols - lc);
	}
}

/* Series numbers at line ends (the last point on the axes); scatter labels
 * beside their markers, last point first. */
static void txy_point_labels(txy *f)
{
	for (size_t k = 0; k < f->s->n_series; k++) {
		const plot_series *se = &f->s->series[k];
		for (size_t ii = se->n; ii-- > 0;) {
			int dx, dy;
			if (!txy_dot(f, se->x[ii], se->y[ii], &dx, &dy))
				continue;
			int c = f->ax + 1 + dx / 2, r = f->top + dy / 4;
			if (f->s->kind == PLOT_LINES) {
				put(f->t, c, r, series_mark(k), plot_series_color16(k));
				break;
			}
			txy_scatter_label(f, k, c, r);
		}
	}
}

/* The x label under the ticks, then a legend row per series (lines). */
static void txy_footer(txy *f, int legend)
{
	char buf[256];
	plot_text *t = f->t;
	int ax = f->ax, cols = f->cols, cw = f->cw;
	int row = f->top + f->height + 2;
	if (f->s->xlabel) {
		clean(f->s->xlabel, buf, sizeof buf, (size_t)(cols - ax));
		int w = str_cols(buf);
		put_str(t, ax + 1 + (cw - w) / 2 > ax ? ax + 1 + (cw - w) / 2 : ax, row++, buf, -1, cols - ax);
	}
	for (int k = 0; k < legend; k++, row++) {
		int fg = plot_series_color16((size_t)k);
		put(t, ax + 1, row, series_mark((size_t)k), fg);
		put(t, ax + 3, row, 0x2500, fg);
		put(t, ax + 4, row, 0x2500, fg);
		clean(f->s->series[k].name, buf, sizeof buf, (size_t)(cols - ax - 6));
		put_str(t, ax + 6, row, buf, fg, cols - ax - 6);
	}
}

static ts_status text_xy(const plot_spec *s, int cols, int height, plot_text **out, ts_error *err)
{
	txy f;
	if (!txy_layout(&f, s, cols, height))
		return ts_error_set(err, TS_ERR_USAGE, "plot: %d columns are too few", cols);
	int legend = s->kind == PLOT_LINES ? (int)s->n_series : 0;
	int rows = f.top + height + 2 + (s->xlabel ? 1 : 0) + legend;
	f.t = text_new(cols, rows);
	f.dots = calloc((size_t)f.cw * (size_t)height, 1);
	if (!f.t || !f.dots) {
		plot_text_free(f.t);
		free(f.dots);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}
	txy_frame(&f);
	txy_ticks(&f);
	for (size_t k = 0; k < s->n_series; k++)
		txy_series(&f, k);
	txy_dots_to_cells(&f);
	txy_point_labels(&f);
	txy_footer(&f, legend);
	free(f.dots);
	*out = f.t;
	return TS_OK;
}

ts_status plot_text_render(const plot_spec *s, int cols, int height, plot_text **out, ts_error *err)
{
	*out = NULL;
	ts_status st = check_spec(s, err);
	if (st != TS_OK)
		return st;
	if (cols < 20)
		cols = 20;
	if (cols > 1000)
		cols = 1000;
	if (height < 4)
		height = 4;
	if (height > 500)
		height = 500;
	if (s->kind == PLOT_BARS)
		return text_bars(s, cols, out, err);
	return text_xy(s, cols, height, out, err);
}

/* ------------------------------------------------------------------ */
/* pixels                                                              */

static void px_set(render_image *img, int x, int y, uint32_t rgb)
{
	if (x < 0 || y < 0 || (uint32_t)x >= img->w || (uint32_t)y >= img->h)
		return;
	uint8_t *p = img->rgba + ((size_t)y * img->w + (size_t)x) * 4;
	p[0] = (uint8_t)(rgb >> 16);
	p[1] = (uint8_t)(rgb >> 8);
	p[2] = (uint8_t)rgb;
	p[3] = 255;
}

static void px_rect(render_image *img, int x0, int y0, int x1, int y1, uint32_t rgb)
{
	if (x0 < 0) x0 = 0;
	if (y0 < 0) y0 = 0;
	if (x1 > (int)img->w) x1 = (int)img->w;
	if (y1 > (int)img->h) y1 = (int)img->h;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++)
			px_set(img, x, y, rgb);
}

static void px_disc(render_image *img, int cx, int cy, int r, uint32_t rgb)
{
	for (int y = -r; y <= r; y++)
		for (int x = -r; x <= r; x++)
			if (x * x + y * y <= r * r)
				px_set(img, cx + x, cy + y, rgb);
}

static void px_line(render_image *img, int x0, int y0, int x1, int y1, int half, uint32_t rgb)
{
	int sx = x1 > x0 ? 1 : -1, sy = y1 > y0 ? 1 : -1;
	int dx = abs(x1 - x0), dy = -abs(y1 - y0), e = dx + dy;
	for (;;) {
		px_rect(img, x0 - half, y0 - half, x0 + half + 1, y0 + half + 1, rgb);
		if (x0 == x1 && y0 == y1)
			break;
		int e2 = 2 * e;
		if (e2 >= dy) { e += dy; x0 += sx; }
		if (e2 <= dx) { e += dx; y0 += sy; }
	}
}

/* Sanitized text with every non-ASCII character as '?'. */
static void ascii_text(const char *in, char *out, size_t outsz, size_t max_cols)
{
	char tmp[512];
	clean(in, tmp, sizeof tmp, max_cols);
	size_t k = 0;
	const unsigned char *p = (const unsigned char *)tmp;
	size_t len = strlen(tmp);
	while (len > 0 && k + 1 < outsz) {
		uint32_t cp;
		int n = sanitize_utf8_decode(p, len, &cp);
		if (n <= 0)
			n = 1;
		if (n == 1 && *p >= 0x20 && *p < 0x7f)
			out[k++] = (char)*p;
		else if (sanitize_cp_width(cp) > 0)
			out[k++] = '?';
		p += n;
		len -= (size_t)n;
	}
	out[k] = '\0';
}

int plot_draw_text(render_image *img, int x, int y, const char *text, int scale, uint32_t rgb)
{
	char buf[512];
	ascii_text(text, buf, sizeof buf, 0);
	if (scale < 1)
		scale = 1;
	int cx = x;
	for (const char *c = buf; *c; c++, cx += 6 * scale) {
		uint8_t rows[7];
		plot_font_glyph((unsigned char)*c, rows);
		int gy = y + plot_font_descender((unsigned char)*c) * scale;
		for (int r = 0; r < 7; r++)
			for (int b = 0; b < 5; b++)
				if (rows[r] & (0x10 >> b))
					px_rect(img, cx + b * scale, gy + r * scale, cx + (b + 1) * scale,
					        gy + (r + 1) * scale, rgb);
	}
	return cx - x;
}

static int text_px(const char *text, int scale)
{
	char buf[512];
	ascii_text(text, buf, sizeof buf, 0);
	return (int)strlen(buf) * 6 * scale;
}

/* Text that must fit in max_w pixels: scale 2, else 1, else cut with "..".
 * centre: x is the centre instead of the left edge. */
static void draw_fit(render_image *img, int x, int y, const char *text, int max_w, int centre,
                     uint32_t rgb)
{
	char buf[512];
	ascii_text(text, buf, sizeof buf, 0);
	int sc = 2;
	if ((int)strlen(buf) * 12 > max_w)
		sc = 1;
	size_t fit = max_w > 0 ? (size_t)max_w / (size_t)(6 * sc) : 0;
	if (strlen(buf) > fit) {
		if (fit < 3) {
			buf[fit] = '\0';
		} else {
			buf[fit - 2] = '.';
			buf[fit - 1] = '.';
			buf[fit] = '\0';
		}
	}
	int w = (int)strlen(buf) * 6 * sc;
	/* a smaller font sits in the middle of the line */
	plot_draw_text(img, centre ? x - w / 2 : x, y + (sc == 1 ? 4 : 0), buf, sc, rgb);
}

#define INK 0x202020u
#define GRID 0xdddddd
#define SCALE 2
#define LINE_H (9 * SCALE)

static void image_bars(const plot_spec *s, render_image *img)
{
	int W = (int)img->w, H = (int)img->h;
	char buf[256];
	int lw = 0, tw = 0;
	for (size_t g = 0; g < s->n_groups; g++) {
		ascii_text(s->group_labels[g], buf, sizeof buf, 30);
		lw = text_px(buf, SCALE) > lw ? text_px(buf, SCALE) : lw;
		for (size_t k = 0; k < s->n_series; k++) {
			bar_text(&s->series[k], g, buf, sizeof buf);
			tw = text_px(buf, SCALE) > tw ? text_px(buf, SCALE) : tw;
		}
	}
	if (lw > W / 3) lw = W / 3;
	if (tw > W / 3) tw = W / 3;
	int legend_rows = s->n_series > 1 ? (int)s->n_series : 0;
	int top = 14 + LINE_H + 10;
	int bottom = H - 14 - (legend_rows + (s->xlabel ? 1 : 0)) * LINE_H;
	int left = 14 + lw + 10, right = W - 14 - tw - 8;
	int slots = (int)(s->n_groups * s->n_series) + (s->n_series > 1 ? (int)s->n_groups - 1 : 0);
	if (slots < 1)
		slots = 1;
	/* the slots fill the plot area whatever the number of bars; a bar is
	 * 76% of its slot, at most 64 pixels thick, centred */
	double slot_h = (double)(bottom - top) / slots;
	double bar_h = slot_h * 0.76 > 64 ? 64 : slot_h * 0.76;
	double vmax = bars_max(s);
	/* bar texts at full size while a line of it fits the slot (readable at
	 * 100%), half size when the bars are thinner, none thinner still */
	int ts = slot_h >= 7 * SCALE + 2 ? SCALE : slot_h >= 8 ? 1 : 0;
	draw_fit(img, W / 2, 14, s->title ? s->title : "", W - 20, 1, INK);
	double y = top;
	for (size_t g = 0; g < s->n_groups; g++) {
		double gy = y;
		for (size_t k = 0; k < s->n_series; k++, y += slot_h) {
			double v = bar_value(&s->series[k], g);
			int len = vmax > 0 ? (int)lround(v / vmax * (right - left)) : 0;
			int y0 = (int)lround(y + (slot_h - bar_h) / 2), y1 = (int)lround(y + (slot_h + bar_h) / 2);
			px_rect(img, left, y0, left + len, y1, plot_series_rgb(k));
			if (ts && !(v == 0 && s->n_series > 1)) {
				bar_text(&s->series[k], g, buf, sizeof buf);
				plot_draw_text(img, left + len + 6, (y0 + y1) / 2 - 7 * ts / 2, buf, ts, INK);
			}
		}
		ascii_text(s->group_labels[g], buf, sizeof buf, 30);
		int lab_y = (int)lround((gy + y) / 2) - 7 * SCALE / 2;
		plot_draw_text(img, left - 10 - text_px(buf, SCALE), lab_y, buf, SCALE, INK);
		if (s->n_series > 1)
			y += slot_h;
	}
	px_rect(img, left - 2, top, left, (int)lround(y), INK);
	int ly = bottom + 8;
	if (s->xlabel) {
		draw_fit(img, left, ly, s->xlabel, W - left - 6, 0, INK);
		ly += LINE_H;
	}
	for (int k = 0; k < legend_rows; k++, ly += LINE_H) {
		px_rect(img, left, ly, left + 7 * SCALE, ly + 7 * SCALE, plot_series_rgb((size_t)k));
		draw_fit(img, left + 10 * SCALE, ly, s->series[k].name ? s->series[k].name : "",
		         W - left - 10 * SCALE - 6, 0, INK);
	}
}

typedef struct px_box {
	int x0, y0, x1, y1;
} px_box;

#define MAX_MARKS 512

/* One xy chart in pixels: the axes' ranges and ticks, the plot area, and the
 * boxes labels must not cover (markers, then the labels placed). */
typedef struct ixy {
	const plot_spec *s;
	render_image *img;
	int W, H;
	int left, right, top, bottom, legend_rows;
	double x0, x1, y0, y1;
	double xt[16], yt[16];
	int xd, yd;
	size_t nxt, nyt;
	px_box marks[2 * MAX_MARKS];
	size_t mark_series[MAX_MARKS];
	int mark_pt[MAX_MARKS][2];
	size_t n_marks;
} ixy;

/* Ranges, ticks and the plot area (left of it: the widest y tick label). */
static void ixy_layout(ixy *f, const plot_spec *s, render_image *img)
{
	char buf[256];
	f->s = s;
	f->img = img;
	f->W = (int)img->w;
	f->H = (int)img->h;
	f->n_marks = 0;
	axis_range(s, 0, &f->x0, &f->x1);
	axis_range(s, 1, &f->y0, &f->y1);
	f->nxt = ticks(f->x0, f->x1, f->xt, 16, &f->xd);
	f->nyt = ticks(f->y0, f->y1, f->yt, 16, &f->yd);
	int gw = 0;
	for (size_t i = 0; i < f->nyt; i++) {
		snprintf(buf, sizeof buf, "%.*f", f->yd, f->yt[i]);
		gw = text_px(buf, SCALE) > gw ? text_px(buf, SCALE) : gw;
	}
	f->legend_rows = s->kind == PLOT_LINES ? (int)s->n_series : 0;
	f->left = 14 + gw + 10;
	f->right = f->W - 24;
	f->top = 14 + LINE_H + (s->ylabel ? LINE_H : 0) + 8;
	f->bottom = f->H - 14 - LINE_H - 12 - (s->xlabel ? LINE_H : 0) - f->legend_rows * LINE_H;
	if (f->bottom < f->top + 20)
		f->bottom = f->top + 20;
}

static int ixy_mapx(const ixy *f, double v)
{
	return (int)lround(f->left + (v - f->x0) / (f->x1 - f->x0) * (f->right - f->left));
}

static int ixy_mapy(const ixy *f, double v)
{
	return (int)lround(f->bottom - (v - f->y0) / (f->y1 - f->y0) * (f->bottom - f->top));
}

/* Title, y label, the grid with its tick labels, and the two axes. */
static void ixy_frame(const ixy *f)
{
	char buf[256];
	render_image *img = f->img;
	int left = f->left, right = f->right, top = f->top, bottom = f->bottom;
	draw_fit(img, f->W / 2, 14, f->s->title ? f->s->title : "", f->W - 20, 1, INK);
	if (f->s->ylabel)
		draw_fit(img, left, 14 + LINE_H, f->s->ylabel, f->W - left - 10, 0, INK);
	for (size_t i = 0; i < f->nyt; i++) {
		int yy = ixy_mapy(f, f->yt[i]);
		px_rect(img, left, yy, right + 1, yy + 1, GRID);
		snprintf(buf, sizeof buf, "%.*f", f->yd, f->yt[i]);
		plot_draw_text(img, left - 8 - text_px(buf, SCALE), yy - 7 * SCALE / 2, buf, SCALE, INK);
	}
	for (size_t i = 0; i < f->nxt; i++) {
		int xx = ixy_mapx(f, f->xt[i]);
		px_rect(img, xx, top, xx + 1, bottom, GRID);
		snprintf(buf, sizeof buf, "%.*f", f->xd, f->xt[i]);
		plot_draw_text(img, xx - text_px(buf, SCALE) / 2, bottom + 12, buf, SCALE, INK);
	}
	px_rect(img, left - 2, top, left, bottom + 2, INK);
	px_rect(img, left - 2, bottom, right + 1, bottom + 2, INK);
}

/* A scatter marker at (xx, yy), remembered (the first MAX_MARKS) for the labels. */
static void ixy_marker(ixy *f, size_t k, int xx, int yy)
{
	px_disc(f->img, xx, yy, 7, INK);
	px_disc(f->img, xx, yy, 5, plot_series_rgb(k));
	if (f->n_marks >= MAX_MARKS)
		return;
	size_t m = f->n_marks++;
	f->marks[m] = (px_box){ xx - 7, yy - 7, xx + 8, yy + 8 };
	f->mark_series[m] = k;
	f->mark_pt[m][0] = xx;
	f->mark_pt[m][1] = yy;
}

/* Series k's points on the axes: a marker each (scatter) or a line through them. */
static void ixy_series(ixy *f, size_t k)
{
	const plot_series *se = &f->s->series[k];
	uint32_t rgb = plot_series_rgb(k);
	int have = 0, px = 0, py = 0;
	for (size_t i = 0; i < se->n; i++) {
		double fx, fy;
		if (!on_axes(f->x0, f->x1, f->y0, f->y1, se->x[i], se->y[i], &fx, &fy))
			continue;
		int xx = ixy_mapx(f, se->x[i]), yy = ixy_mapy(f, se->y[i]);
		if (f->s->kind == PLOT_SCATTER) {
			ixy_marker(f, k, xx, yy);
			continue;
		}
		if (have)
			px_line(f->img, px, py, xx, yy, 1, rgb);
		have = 1;
		px = xx;
		py = yy;
	}
}

/* Scatter labels: right of the marker, else left, above, below; never over
 * another label or marker (crowded: the first place inside the image, over
 * whatever is there; a label that fits nowhere is left out). */
static void ixy_scatter_labels(ixy *f)
{
	char buf[256];
	size_t n_boxes = f->n_marks;
	for (size_t m = 0; m < f->n_marks; m++) {
		size_t k = f->mark_series[m];
		int xx = f->mark_pt[m][0], yy = f->mark_pt[m][1];
		ascii_text(f->s->series[k].name, buf, sizeof buf, 40);
		int tw = text_px(buf, SCALE), th = 7 * SCALE;
		const int cand[10][2] = {
			{ xx + 12, yy - th / 2 }, { xx - 12 - tw, yy - th / 2 },
			{ xx - tw / 2, yy - 12 - th }, { xx - tw / 2, yy + 12 },
			{ xx + 10, yy - 10 - th }, { xx + 10, yy + 10 },
			{ xx - 10 - tw, yy - 10 - th }, { xx - 10 - tw, yy + 10 },
			{ xx - tw / 2, yy - 28 - th }, { xx - tw / 2, yy + 28 },
		};
		int placed = -1, first_in = -1;
		for (int q = 0; q < 10 && placed < 0; q++) {
			px_box b = { cand[q][0], cand[q][1], cand[q][0] + tw, cand[q][1] + th };
			if (b.x0 < 0 || b.y0 < 0 || b.x1 > f->W || b.y1 > f->H)
				continue;
			if (first_in < 0)
				first_in = q;
			int clash = 0;
			for (size_t o = 0; o < n_boxes && !clash; o++)
				clash = b.x0 < f->marks[o].x1 && f->marks[o].x0 < b.x1 && b.y0 < f->marks[o].y1 &&
				        f->marks[o].y0 < b.y1;
			if (!clash)
				placed = q;
		}
		if (placed < 0)
			placed = first_in; /* crowded: every point keeps its label, overlapping */
		if (placed < 0)
			continue;
		px_box b = { cand[placed][0], cand[placed][1], cand[placed][0] + tw, cand[placed][1] + th };
		plot_draw_text(f->img, b.x0, b.y0, buf, SCALE, plot_series_rgb(k));
		if (n_boxes < 2 * MAX_MARKS)
			f->marks[n_boxes++] = b;
	}
}

/* The x label under the tick labels, then a legend row per series (lines). */
static void ixy_footer(const ixy *f)
{
	const plot_spec *s = f->s;
	int left = f->left, ly = f->bottom + 12 + LINE_H;
	if (s->xlabel) {
		draw_fit(f->img, (left + f->right) / 2, ly, s->xlabel, f->right - left, 1, INK);
		ly += LINE_H;
	}
	for (int k = 0; k < f->legend_rows; k++, ly += LINE_H) {
		px_rect(f->img, left, ly + 3 * SCALE, left + 14 * SCALE, ly + 4 * SCALE + 1,
		        plot_series_rgb((size_t)k));
		draw_fit(f->img, left + 17 * SCALE, ly, s->series[k].name ? s->series[k].name : "",
		         f->W - left - 17 * SCALE - 6, 0, INK);
	}
}

static void image_xy(const plot_spec *s, render_image *img)
{
	ixy f;
	ixy_layout(&f, s, img);
	ixy_frame(&f);
	for (size_t k = 0; k < s->n_series; k++)
		ixy_series(&f, k);
	ixy_scatter_labels(&f);
	ixy_footer(&f);
}

ts_status plot_image_render(const plot_spec *s, uint32_t w, uint32_t h, render_image **out,
                            ts_error *err)
{
	*out = NULL;
	ts_status st = check_spec(s, err);
	if (st != TS_OK)
		return st;
	if (w < 200 || h < 200 || w > 8192 || h > 8192)
		return ts_error_set(err, TS_ERR_USAGE, "plot: image size %ux%u outside 200..8192",
		                    (unsigned)w, (unsigned)h);
	render_image *img = render_image_new(w, h);
	if (!img)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	memset(img->rgba, 255, (size_t)w * h * 4);
	if (s->kind == PLOT_BARS)
		image_bars(s, img);
	else
		image_xy(s, img);
	render_image_touch(img);
	*out = img;
	return TS_OK;
}
