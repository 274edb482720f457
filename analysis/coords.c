/* coords.c — coordinate conventions (see coords.h). */
#include "coords.h"

#include <math.h>
#include <string.h>

void coords_opts_default(coords_opts *o)
{
	o->kind = COORDS_AUTO;
	o->factor = 28;
	o->min_pixels = 56 * 56;
	o->max_pixels = 28L * 28 * 16384;
}

static const struct {
	coords_kind k;
	const char *name;
} kinds[] = {
	{ COORDS_AUTO, "auto" },
	{ COORDS_QWEN3, "qwen3" },
	{ COORDS_QWEN25, "qwen25" },
	{ COORDS_GEMINI, "gemini" },
	{ COORDS_PALIGEMMA, "paligemma" },
	{ COORDS_XYXY, "xyxy" },
};

ts_status coords_parse(const char *name, coords_kind *out)
{
	if (!name)
		return TS_ERR_USAGE;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
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
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].k == k)
			return kinds[i].name;
	return "unknown";
}

coords_kind coords_resolve(coords_kind kind, rec_key key)
{
	if (kind != COORDS_AUTO)
		return kind;
	switch (key) {
	case REC_KEY_BBOX_2D: return COORDS_QWEN3;
	case REC_KEY_BOX_2D:  return COORDS_GEMINI;
	case REC_KEY_LOC:     return COORDS_PALIGEMMA;
	case REC_KEY_BBOX:    return COORDS_XYXY;
	default:              return COORDS_XYXY;
	}
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

static void order(double box[4])
{
	double t;
	if (box[0] > box[2]) {
		t = box[0];
		box[0] = box[2];
		box[2] = t;
	}
	if (box[1] > box[3]) {
		t = box[1];
		box[1] = box[3];
		box[3] = t;
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
	const double *v = r->v;
	coords_kind k = coords_resolve(o->kind, r->key);
	if (k != COORDS_XYXY && !(img_w > 0 && img_h > 0 && isfinite(img_w) && isfinite(img_h)))
		return TS_ERR_FIELD; /* relative conventions need the image size */
	switch (k) {
	case COORDS_QWEN3:
		box[0] = v[0] / 1000.0 * img_w;
		box[1] = v[1] / 1000.0 * img_h;
		box[2] = v[2] / 1000.0 * img_w;
		box[3] = v[3] / 1000.0 * img_h;
		break;
	case COORDS_QWEN25: {
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
	case COORDS_GEMINI: /* ymin, xmin, ymax, xmax */
		box[0] = v[1] / 1000.0 * img_w;
		box[1] = v[0] / 1000.0 * img_h;
		box[2] = v[3] / 1000.0 * img_w;
		box[3] = v[2] / 1000.0 * img_h;
		break;
	case COORDS_PALIGEMMA: /* y1, x1, y2, x2 in 1024 bins */
		box[0] = v[1] / 1024.0 * img_w;
		box[1] = v[0] / 1024.0 * img_h;
		box[2] = v[3] / 1024.0 * img_w;
		box[3] = v[2] / 1024.0 * img_h;
		break;
	case COORDS_XYXY:
	default:
		box[0] = v[0];
		box[1] = v[1];
		box[2] = v[2];
		box[3] = v[3];
		break;
	}
	order(box);
	return TS_OK;
}
