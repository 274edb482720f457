/* coords.c — coordinate conventions (see coords.h). */
#include "coords.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void coords_opts_default(coords_opts *o)
{
	o->kind = COORDS_AUTO;
	o->factor = 28;
	o->min_pixels = 56 * 56;
	o->max_pixels = 28L * 28 * 16384;
}

/* One row per convention: how a record's numbers become pixels.
 *   T_REL     (v + offset) / scale * side, x first or y first
 *   T_PIX     as is
 *   T_QWEN25  v * side / side_in, side_in from smart_resize
 *   T_KOSMOS  two patch indices of a 32x32 grid (see coords.h) */
enum { T_REL = 0, T_PIX, T_QWEN25, T_KOSMOS };

static const struct conv {
	coords_kind k;
	const char *name, *desc;
	int type;
	double scale, offset;
	int yfirst;
	double vmax; /* emitted values above this do not fit (0: no bound) */
} kinds[] = {
	{ COORDS_AUTO, "auto", "from the syntax", T_PIX, 1, 0, 0, 0 },
	{ COORDS_QWEN3, "qwen3", "relative 0-1000, x first", T_REL, 1000, 0, 0, 1000 },
	{ COORDS_QWEN25, "qwen25", "pixels of the resized model input, x first", T_QWEN25, 1, 0, 0, 0 },
	{ COORDS_GEMINI, "gemini", "relative 0-1000, y first", T_REL, 1000, 0, 1, 1000 },
	{ COORDS_PALIGEMMA, "paligemma", "1024 bins, y first", T_REL, 1024, 0, 1, 1023 },
	{ COORDS_XYXY, "xyxy", "pixels, x first", T_PIX, 1, 0, 0, 0 },
	{ COORDS_FLORENCE2, "florence2", "1000 bins (bin centre), x first", T_REL, 1000, 0.5, 0, 999 },
	{ COORDS_DEEPSEEK, "deepseek", "relative 0-999, x first", T_REL, 999, 0, 0, 999 },
	{ COORDS_KOSMOS2, "kosmos2", "32x32 patch indices", T_KOSMOS, 32, 0, 0, 1023 },
	{ COORDS_MOONDREAM, "moondream", "relative 0-1, x first", T_REL, 1, 0, 0, 1 },
	{ COORDS_MOLMO, "molmo", "percent 0-100, x first", T_REL, 100, 0, 0, 100 },
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

static const struct conv *conv_of(coords_kind k)
{
	for (size_t i = 0; i < N_KINDS; i++)
		if (kinds[i].k == k)
			return &kinds[i];
	return NULL;
}

ts_status coords_parse(const char *name, coords_kind *out)
{
	if (!name)
		return TS_ERR_USAGE;
	for (size_t i = 0; i < N_KINDS; i++) {
		if (strcmp(name, kinds[i].name) == 0) {
			if (out)
				*out = kinds[i].k;
			return TS_OK;
		}
	}
	return TS_ERR_USAGE;
}

const char *coords_name(coords_kind k)
{
	const struct conv *c = conv_of(k);
	return c ? c->name : "unknown";
}

const char *coords_describe(coords_kind k)
{
	const struct conv *c = conv_of(k);
	return c ? c->desc : "unknown";
}

const char *coords_names(void)
{
	return "qwen3 | qwen25 | gemini | paligemma | xyxy | florence2 | deepseek | kosmos2 | "
	       "moondream | molmo | auto";
}

coords_kind coords_resolve(coords_kind kind, rec_key key)
{
	if (kind != COORDS_AUTO)
		return kind;
	coords_kind k = COORDS_XYXY;
	if (coords_parse(rec_key_coords(key), &k) != TS_OK || k == COORDS_AUTO)
		return COORDS_XYXY;
	return k;
}

/* Python 3 round() of a non-negative double: nearest integer, ties to even.
 * q - floor(q) is exact for doubles, so the tie test is exact. */
static double round_half_even(double q)
{
	double f = floor(q);
	double d = q - f;
	if (d > 0.5)
		return f + 1.0;
	if (d < 0.5)
		return f;
	return fmod(f, 2.0) == 0.0 ? f : f + 1.0;
}

/* Sides above this are refused: h*w must stay exact in a double (2^52). */
#define SIDE_MAX (1L << 26)

ts_status coords_smart_resize(long h, long w, long factor, long min_pixels,
                              long max_pixels, long *h_out, long *w_out)
{
	if (h <= 0 || w <= 0 || factor <= 0 || h > SIDE_MAX || w > SIDE_MAX ||
	    factor > SIDE_MAX || min_pixels < 0 || max_pixels <= 0)
		return TS_ERR_FIELD;
	/* As qwen_vl_utils.smart_resize (Qwen2.5-VL):
	 *   h_bar = max(factor, round(h / factor) * factor)      (Python round)
	 *   if h_bar*w_bar > max_pixels: beta = sqrt(h*w / max_pixels),
	 *       h_bar = max(factor, floor(h / beta / factor) * factor)
	 *   elif h_bar*w_bar < min_pixels: beta = sqrt(min_pixels / (h*w)),
	 *       h_bar = ceil(h * beta / factor) * factor
	 * (the area tests use the rounded sizes, beta the original ones). */
	double f = (double)factor;
	double hb = round_half_even((double)h / f) * f;
	double wb = round_half_even((double)w / f) * f;
	if (hb < f)
		hb = f;
	if (wb < f)
		wb = f;
	double area = (double)h * (double)w; /* exact: both < 2^26 */
	if (hb * wb > (double)max_pixels) {
		double beta = sqrt(area / (double)max_pixels);
		hb = floor((double)h / beta / f) * f;
		wb = floor((double)w / beta / f) * f;
		if (hb < f)
			hb = f;
		if (wb < f)
			wb = f;
	} else if (hb * wb < (double)min_pixels) {
		double beta = sqrt((double)min_pixels / area);
		hb = ceil((double)h * beta / f) * f;
		wb = ceil((double)w * beta / f) * f;
	}
	if (hb > 9.0e15 || wb > 9.0e15)
		return TS_ERR_FIELD;
	if (h_out)
		*h_out = (long)hb;
	if (w_out)
		*w_out = (long)wb;
	return TS_OK;
}

/* Kosmos-2 patch pair to relative 0-1 corners, as transformers' Kosmos-2
 * processor (patch_index_to_coordinate): cell edges when the two patches
 * share a row or a column (or are one patch), cell centres otherwise. */
static void kosmos_box(double ul, double lr, double n, double out[4])
{
	double cell = 1.0 / n;
	double ulx = fmod(floor(ul), n), uly = floor(floor(ul) / n);
	double lrx = fmod(floor(lr), n), lry = floor(floor(lr) / n);
	if (ul == lr || ulx == lrx || uly == lry) {
		out[0] = ulx * cell;
		out[1] = uly * cell;
		out[2] = lrx * cell + cell;
		out[3] = lry * cell + cell;
	} else {
		out[0] = ulx * cell + cell / 2;
		out[1] = uly * cell + cell / 2;
		out[2] = lrx * cell + cell / 2;
		out[3] = lry * cell + cell / 2;
	}
}

ts_status coords_to_box(const record *r, const coords_opts *o, double img_w,
                        double img_h, double box[4])
{
	coords_opts def;
	if (!o) {
		coords_opts_default(&def);
		o = &def;
	}
	if (!r || !box)
		return TS_ERR_USAGE;
	coords_kind k = coords_resolve(o->kind, r->key);
	const struct conv *c = conv_of(k);
	if (!c)
		return TS_ERR_USAGE;
	if (c->type != T_PIX && !(img_w > 0 && img_h > 0 && isfinite(img_w) && isfinite(img_h)))
		return TS_ERR_FIELD; /* relative conventions need the image size */
	int point = rec_key_point(r->key);
	/* emitted order -> x1, y1, x2, y2 (a point: x, y, x, y) */
	double v[4] = { r->v[0], r->v[1], point ? r->v[0] : r->v[2], point ? r->v[1] : r->v[3] };
	if (c->yfirst) {
		double t = v[0];
		v[0] = v[1];
		v[1] = t;
		t = v[2];
		v[2] = v[3];
		v[3] = t;
	}
	switch (c->type) {
	case T_REL:
		box[0] = (v[0] + c->offset) / c->scale * img_w;
		box[1] = (v[1] + c->offset) / c->scale * img_h;
		box[2] = (v[2] + c->offset) / c->scale * img_w;
		box[3] = (v[3] + c->offset) / c->scale * img_h;
		break;
	case T_QWEN25: {
		long h_in, w_in;
		ts_status st = coords_smart_resize(lround(img_h), lround(img_w), o->factor,
		                                   o->min_pixels, o->max_pixels, &h_in, &w_in);
		if (st != TS_OK)
			return st;
		box[0] = v[0] * img_w / (double)w_in;
		box[1] = v[1] * img_h / (double)h_in;
		box[2] = v[2] * img_w / (double)w_in;
		box[3] = v[3] * img_h / (double)h_in;
		break;
	}
	case T_KOSMOS: {
		double rel[4];
		if (!(isfinite(r->v[0]) && isfinite(r->v[1])))
			return TS_ERR_FIELD;
		kosmos_box(r->v[0], r->v[1], c->scale, rel);
		box[0] = rel[0] * img_w;
		box[1] = rel[1] * img_h;
		box[2] = rel[2] * img_w;
		box[3] = rel[3] * img_h;
		break;
	}
	default:
		memcpy(box, v, sizeof v);
		break;
	}
	return TS_OK; /* corners as written: a reversed box keeps w or h < 0 */
}

/* ------------------------------------------------------------------ */
/* convention check */

void coords_check_init(coords_check *c)
{
	memset(c, 0, sizeof *c);
}

void coords_check_add(coords_check *c, const record *r, const coords_opts *o, double img_w,
                      double img_h)
{
	coords_kind k = coords_resolve(o ? o->kind : COORDS_AUTO, r->key);
	const struct conv *cv = conv_of(k);
	if (!cv)
		return;
	c->records++;
	if ((size_t)r->key < REC_KEY_COUNT)
		c->by_key[r->key]++;
	if ((size_t)k < sizeof c->by_kind / sizeof c->by_kind[0])
		c->by_kind[k]++;
	int nv = rec_key_n_values(r->key);
	int point = rec_key_point(r->key);
	int above = 0, le1 = 1, nonzero = 0;
	for (int i = 0; i < nv; i++) {
		double x = r->v[i];
		if (cv->vmax > 0 && x > cv->vmax)
			above = 1;
		if (!(x >= 0 && x <= 1))
			le1 = 0;
		if (x != 0)
			nonzero = 1;
	}
	c->above += above;
	c->above_qwen3 += above && k == COORDS_QWEN3;
	c->nonzero += nonzero;
	if (cv->type != T_KOSMOS && (cv->vmax == 0 || cv->vmax > 1)) {
		c->le1 += le1;
		c->le1_of++;
	}
	if (!point && nv == 4 && cv->type != T_KOSMOS) {
		double a = r->v[0], b = r->v[1], d = r->v[2], e = r->v[3];
		if (cv->yfirst) {
			double t = a; a = b; b = t;
			t = d; d = e; e = t;
		}
		if (d < a || e < b)
			c->reversed++;
	}
	double box[4];
	if (img_w > 0 && img_h > 0 && coords_to_box(r, o, img_w, img_h, box) == TS_OK) {
		c->sized++;
		double mx = img_w * 0.01, my = img_h * 0.01;
		if (box[2] - box[0] > img_w + mx || box[3] - box[1] > img_h + my || box[0] < -mx ||
		    box[1] < -my || box[2] > img_w + mx || box[3] > img_h + my)
			c->outside++;
	}
}

static size_t most(const size_t *a, size_t n)
{
	size_t best = 0;
	for (size_t i = 1; i < n; i++)
		if (a[i] > a[best])
			best = i;
	return best;
}

static void app(char *buf, size_t n, size_t *used, const char *fmt, ...)
{
	if (*used + 1 >= n)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf + *used, n - *used, fmt, ap);
	va_end(ap);
	if (w > 0)
		*used += (size_t)w < n - *used ? (size_t)w : n - *used - 1;
}
#define APPEND(...) app(buf, n, &used, __VA_ARGS__)

void coords_check_summary(const coords_check *c, char *buf, size_t n)
{
	size_t used = 0;
	if (!buf || !n)
		return;
	buf[0] = '\0';
	if (!c->records) {
		APPEND("no records");
		return;
	}
	int any = 0;
	for (size_t k = 1; k < REC_KEY_COUNT; k++) {
		if (!c->by_key[k])
			continue;
		APPEND("%s%s (%s) %zu record%s", any ? ", " : "", rec_key_name((rec_key)k),
		       rec_key_family((rec_key)k), c->by_key[k], c->by_key[k] == 1 ? "" : "s");
		any = 1;
	}
	size_t nk = sizeof c->by_kind / sizeof c->by_kind[0];
	any = 0;
	APPEND("; convention ");
	for (size_t k = 0; k < nk; k++) {
		if (!c->by_kind[k])
			continue;
		APPEND("%s%s (%s)", any ? ", " : "", coords_name((coords_kind)k),
		       coords_describe((coords_kind)k));
		any = 1;
	}
}

/* A hint (a guessed cause, "try --coords X") needs evidence: at least
 * COORDS_HINT_SHARE percent of the records behind it. */
#define COORDS_HINT_SHARE 10
static int evidence(size_t k, size_t of)
{
	return k > 0 && of > 0 && k * 100 >= of * COORDS_HINT_SHARE;
}

static double pct(size_t k, size_t of)
{
	return of ? 100.0 * (double)k / (double)of : 0;
}

int coords_check_warning(const coords_check *c, char *buf, size_t n)
{
	size_t used = 0;
	if (!buf || !n)
		return 0;
	buf[0] = '\0';
	if (!c->records)
		return 0;
	size_t nk = sizeof c->by_kind / sizeof c->by_kind[0], n_conv = 0;
	for (size_t i = 0; i < nk; i++)
		n_conv += c->by_kind[i] > 0;
	coords_kind k = (coords_kind)most(c->by_kind, nk);
	const struct conv *cv = conv_of(k);
	int all_le1 = c->le1_of > 0 && c->le1 == c->le1_of && c->nonzero > 0;
	if (!cv || (!c->above && !c->reversed && !c->outside && !all_le1))
		return 0;
	if (n_conv > 1) {
		APPEND("coordinates may not fit conventions");
		const char *s = " ";
		for (size_t i = 0; i < nk; i++)
			if (c->by_kind[i]) {
				APPEND("%s%s", s, coords_name((coords_kind)i));
				s = ", ";
			}
		APPEND(" (each record in its syntax's):");
	} else {
		APPEND("coordinates may not fit convention %s (%s):", cv->name, cv->desc);
	}
	const char *sep = " ";
	if (c->above) {
		if (n_conv > 1)
			APPEND("%s%zu of %zu records (%.1f%%) have values above their convention's range", sep,
			       c->above, c->records, pct(c->above, c->records));
		else
			APPEND("%s%zu of %zu records (%.1f%%) have values above %g", sep, c->above, c->records,
			       pct(c->above, c->records), cv->vmax);
		if (c->above_qwen3 && evidence(c->above_qwen3, c->records))
			APPEND(" (Qwen2.5-VL absolute pixels? try --coords qwen25)");
		sep = "; ";
	}
	if (c->reversed) {
		APPEND("%s%zu of %zu boxes (%.1f%%) have x2 < x1 or y2 < y1, counted as written (IoU 0)%s",
		       sep, c->reversed, c->records, pct(c->reversed, c->records),
		       evidence(c->reversed, c->records) ? " (a y-first list read x-first, or x,y,w,h?)" : "");
		sep = "; ";
	}
	if (c->outside) {
		int ev = !c->above && evidence(c->outside, c->sized);
		APPEND("%s%zu of %zu boxes (%.1f%%) reach outside the image%s", sep, c->outside, c->sized,
		       pct(c->outside, c->sized),
		       !ev ? "" /* no hint without evidence; values above the range say why */
		       : cv->type == T_PIX || cv->type == T_QWEN25
		           ? " (relative 0-1000 read as pixels? try --coords qwen3; or y first read x first?)"
		           : cv->yfirst ? "" : " (a y-first list read x-first? try --coords gemini)");
		sep = "; ";
	}
	if (all_le1)
		APPEND("%sall %zu records%s have every value <= 1 (a 0-1 convention? try --coords "
		       "moondream)", sep, c->le1_of,
		       c->le1_of < c->records ? " under conventions wider than 0-1" : "");
	return 1;
}
