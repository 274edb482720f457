/* sg_model.c — the simulated decoder behind sample_runs/ traces.
 *
 * For one scene and one run ("checkpoint") it decides what the model lists
 * (misses, false positives, coordinate noise), how the sample behaves (clean
 * list, repeated tail until the token limit, budget, stress case), and then
 * emits the text token by token like a BPE vocabulary would cut it: digits
 * one per token, punctuation runs merged, label words whole.  Every step gets
 * a logprob and 5 alternatives (the chosen token first: decoding is greedy),
 * with probabilities that sum to at most 1.  At each record boundary the
 * alternatives hold the end-of-list token; in a repeated tail its probability
 * starts high (the termination point the model missed) and then falls.
 *
 * Nothing here is a real model: README.md says so, run.json says
 * "simulated": true, and every trace line carries meta.simulator.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simgen.h"

const char simgen_model_name[] = "simulated Gemma-style VLM (tailscope simulator)";

/* ---- records the model means to write ---- */

typedef struct md_rec {
	int cat;                      /* category index, -1 for a non-category label */
	const char *const *ltoks;     /* label tokens (NULL-terminated) */
	int v[4];                     /* numbers as emitted, in emitted order */
	int small;                    /* small object: less confident numbers */
} md_rec;

typedef struct md_list {
	md_rec *r;
	size_t n, cap;
} md_list;

static int md_list_push(md_list *l, const md_rec *r)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		md_rec *p = realloc(l->r, cap * sizeof *p);
		if (!p)
			return 0;
		l->r = p;
		l->cap = cap;
	}
	l->r[l->n++] = *r;
	return 1;
}

static int md_list_insert(md_list *l, size_t at, const md_rec *r)
{
	if (!md_list_push(l, r))
		return 0;
	if (at < l->n - 1) {
		memmove(&l->r[at + 1], &l->r[at], (l->n - 1 - at) * sizeof *l->r);
		l->r[at] = *r;
	}
	return 1;
}

/* Label tokens.  JSON syntaxes write the word bare inside the string; the loc
 * syntax puts a space before the label. */
static const char *const md_lab_json[SIMGEN_N_CATS][3] = {
	{"insulator", NULL, NULL}, {"damper", NULL, NULL}, {"spacer", NULL, NULL},
	{"pole", NULL, NULL}, {"bird", " nest", NULL},
};
static const char *const md_lab_loc[SIMGEN_N_CATS][3] = {
	{" insulator", NULL, NULL}, {" damper", NULL, NULL}, {" spacer", NULL, NULL},
	{" pole", NULL, NULL}, {" bird", " nest", NULL},
};
/* Labels of the sloppy base model (some name no category). */
static const char *const md_lab_base_json[][3] = {
	{"power", " line", NULL}, {"wire", NULL, NULL}, {"electric", " pole", NULL},
	{"insulator", NULL, NULL}, {"pole", NULL, NULL}, {"cable", NULL, NULL},
};
/* Stress labels (model text: JSON-escaped where JSON needs it). */
static const char *const md_lab_halluc[] = {"transformer", NULL};
static const char *const md_lab_french[] = {"isolateur", " en", " verre", " tremp\xc3", "\xa9", NULL};
static const char *const md_lab_cjk[] = {"\xe7\xbb\x9d\xe7\xbc\x98", "\xe5\xad\x90", NULL};
static const char *const md_lab_hostile[] = {
	"\\u001b", "[", "2", "J", "\\u001b", "]", "0", ";", "owned", "\\u0007", "insulator",
	"\\r", "\xe2\x80\xae", "rotaluz", "ni", NULL,
};
static const char *const md_lab_hostile_raw[] = {
	" \x1b", "[", "2", "J", "\x1b", "]", "0", "owned", "\x07", "insulator", "\r",
	"\xe2\x80\xae", "rotaluz", "ni", NULL,
};

/* ---- token emission ---- */

typedef struct md_gen {
	const simgen_run_cfg *cfg;
	simgen_rng rng;
	simgen_buf *out;   /* body of the "tokens" array */
	size_t steps, limit;
	int full;          /* the token limit was reached */
	double conf;       /* 0 normal .. 1 certain (deep in a repeated tail) */
	double end_alt;    /* > 0: the next label's first token has "</s>" at this probability */
	char scratch[16][24];
	int si;
} md_gen;

static double md_u(md_gen *g, double lo, double hi)
{
	return simgen_rng_range(&g->rng, lo, hi);
}

/* Probability of a chosen token given its "natural" value p and the current
 * sharpening (repeated tails become near-certain). */
static double md_sharp(const md_gen *g, double p)
{
	p = 1 - (1 - p) * (1 - g->conf);
	if (p > 0.99994)
		p = 0.99994;
	return p;
}

/* A "very confident" probability: 1 - 10^U(lo, hi). */
static double md_conf(md_gen *g, double lo, double hi)
{
	double e = md_u(g, lo, hi);
	/* 10^e without pow(): e in [-5, 0]. */
	double v = exp(e * 2.302585092994046);
	return md_sharp(g, 1 - v);
}

static const char *md_tmp(md_gen *g, const char *fmt, int v)
{
	char *s = g->scratch[g->si++ & 15];
	snprintf(s, sizeof g->scratch[0], fmt, v);
	return s;
}

static void md_write_tok(simgen_buf *b, const char *t, size_t n)
{
	simgen_buf_puts(b, "{\"token\":");
	simgen_buf_json_str(b, t, n);
	if (!simgen_utf8_valid(t, n)) {
		simgen_buf_puts(b, ",\"bytes\":[");
		for (size_t i = 0; i < n; i++)
			simgen_buf_printf(b, "%s%u", i ? "," : "", (unsigned)(unsigned char)t[i]);
		simgen_buf_putc(b, ']');
	}
}

/* Emits one step.  cands: NULL-terminated alternatives (the chosen text is
 * skipped if present; the first 4 others are used).  fixed: probabilities
 * for the first cands (< 0: drawn), or NULL. */
static void md_emit_p(md_gen *g, const char *tok, double pc, const char *const *cands,
                      const double *fixed)
{
	if (g->full)
		return;
	size_t tn = strlen(tok);
	const char *alt[4];
	double ap[4];
	int na = 0;
	double rem = 1 - pc;
	for (int i = 0; cands && cands[i] && na < 4; i++) {
		if (!strcmp(cands[i], tok))
			continue;
		int dup = 0;
		for (int j = 0; j < na; j++)
			dup |= !strcmp(alt[j], cands[i]);
		if (dup)
			continue;
		alt[na] = cands[i];
		ap[na] = fixed && fixed[i] >= 0 ? fixed[i] : -1;
		if (ap[na] >= 0)
			rem -= ap[na];
		na++;
	}
	for (const char *fill[] = {" ", "\n", ",", "\"", ".", " the", NULL}, **f = fill; na < 4 && *f;
	     f++) {
		int dup = !strcmp(*f, tok);
		for (int j = 0; j < na; j++)
			dup |= !strcmp(alt[j], *f);
		if (!dup) {
			alt[na] = *f;
			ap[na++] = -1;
		}
	}
	/* Fixed probabilities never push the total past 1. */
	if (rem < 1e-6) {
		double fsum = (1 - pc) - rem, room = (1 - pc) * 0.9;
		for (int i = 0; i < na && fsum > 0; i++)
			if (ap[i] >= 0)
				ap[i] *= room / fsum;
		rem = (1 - pc) * 0.1;
	}
	/* Drawn probabilities: a decaying share of what is left, each below the
	 * chosen one (greedy decoding picks the most likely token). */
	if (rem < 1e-7)
		rem = 1e-7;
	double prev = pc;
	for (int i = 0; i < na; i++) {
		if (ap[i] >= 0) {
			prev = ap[i];
			continue;
		}
		double p = rem * md_u(g, 0.25, 0.6);
		if (p > prev * 0.9)
			p = prev * md_u(g, 0.3, 0.9);
		if (p < 2e-9)
			p = 2e-9;
		ap[i] = p;
		rem -= p;
		prev = p;
	}
	/* Order by probability (insertion sort, stable). */
	for (int i = 1; i < na; i++) {
		for (int j = i; j > 0 && ap[j] > ap[j - 1]; j--) {
			double tp = ap[j];
			ap[j] = ap[j - 1];
			ap[j - 1] = tp;
			const char *ts = alt[j];
			alt[j] = alt[j - 1];
			alt[j - 1] = ts;
		}
	}
	simgen_buf *b = g->out;
	double lpc = log(pc);
	if (g->steps)
		simgen_buf_putc(b, ',');
	md_write_tok(b, tok, tn);
	simgen_buf_puts(b, ",\"logprob\":");
	simgen_buf_logprob(b, lpc);
	simgen_buf_puts(b, ",\"top_logprobs\":[");
	/* chosen first unless an alternative is more likely (never for greedy) */
	int wrote_chosen = 0;
	for (int i = 0; i <= na; i++) {
		if (!wrote_chosen && (i == na || ap[i] <= pc)) {
			if (i)
				simgen_buf_putc(b, ',');
			md_write_tok(b, tok, tn);
			simgen_buf_puts(b, ",\"logprob\":");
			simgen_buf_logprob(b, lpc);
			simgen_buf_putc(b, '}');
			wrote_chosen = 1;
		}
		if (i == na)
			break;
		simgen_buf_putc(b, ',');
		md_write_tok(b, alt[i], strlen(alt[i]));
		simgen_buf_puts(b, ",\"logprob\":");
		simgen_buf_logprob(b, log(ap[i]));
		simgen_buf_putc(b, '}');
	}
	simgen_buf_puts(b, "]}");
	g->steps++;
	if (g->limit && g->steps >= g->limit)
		g->full = 1;
}

/* A structural token: near-certain. */
static void md_emit(md_gen *g, const char *tok, const char *const *cands)
{
	md_emit_p(g, tok, md_conf(g, -4.2, -1.6), cands, NULL);
}

/* ---- pieces of the JSON syntaxes ---- */

static const char *const md_c_fence[] = {"[", "```\n", "Here", "{\"", NULL};
static const char *const md_c_json[] = {"\n", "JSON", "js", " json", NULL};
static const char *const md_c_nl[] = {"\n\n", " ", "\n[", "\r\n", NULL};
static const char *const md_c_open[] = {"[", "[]", "[{", "{\"", NULL};
static const char *const md_c_first[] = {" {\"", "  {", "    {\"", "\t{\"", NULL};
static const char *const md_c_bbox[] = {"bbox", "box_2d", "label", "bb", NULL};
static const char *const md_c_box[] = {"box", "bbox_2d", "label", "box_", NULL};
static const char *const md_c_arr[] = {"\":", ":", "\"", " [", NULL};
static const char *const md_c_sep[] = {",", " ,", ",  ", "0", NULL};
static const char *const md_c_arr_end_l[] = {"],", "]", "] ", "]}", NULL};
static const char *const md_c_arr_end_r[] = {"],", "]", "] ", "}", NULL};
static const char *const md_c_labkey[] = {"class", "name", "lab", "type", NULL};
static const char *const md_c_colon_q[] = {"\":", ":", "\"", " \"", NULL};
static const char *const md_c_rec_end[] = {"\",", "\"", "}", "s", NULL};
static const char *const md_c_lab_end[] = {"\",", "\"", ",", "s", NULL};
static const char *const md_c_close[] = {"```", "\n", "\n\n", "\n```\n", NULL};
static const char *const md_c_label[] = {"insulator", "damper", "spacer", "pole", "bird", "wire",
                                         "ins", NULL};
static const char *const md_c_label_loc[] = {" insulator", " damper", " spacer", " pole",
                                             " bird", " wire", NULL};

static void md_digits(md_gen *g, int v, int small, int last_num)
{
	char s[16];
	int n = snprintf(s, sizeof s, "%d", v);
	static const char *const dig[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
	for (int i = 0; i < n; i++) {
		int c = s[i] - '0', e = n - 1 - i;
		double pc;
		if (g->cfg->base)
			pc = e == 0 ? md_u(g, 0.2, 0.55) : (e == 1 ? md_u(g, 0.35, 0.8) : md_u(g, 0.6, 0.95));
		else if (e == 0)
			pc = small ? md_u(g, 0.3, 0.65) : md_u(g, 0.4, 0.85);
		else if (e == 1)
			pc = small ? md_u(g, 0.75, 0.97) : md_u(g, 0.85, 0.995);
		else
			pc = md_u(g, 0.97, 0.9995);
		pc = md_sharp(g, pc);
		const char *cands[8];
		int k = 0;
		for (int d = 1; d <= 3 && k < 6; d++) {
			if (c + d <= 9)
				cands[k++] = dig[c + d];
			if (c - d >= 0)
				cands[k++] = dig[c - d];
		}
		if (e == 0 && i > 0)
			cands[1] = last_num ? "]" : ",";
		cands[k] = NULL;
		md_emit_p(g, dig[c], pc, cands, NULL);
	}
}

static void md_label(md_gen *g, const md_rec *r, int loc)
{
	for (int i = 0; r->ltoks[i]; i++) {
		const char *t = r->ltoks[i];
		if (i == 0 && g->end_alt > 0) { /* Florence-2: the label is where the list may end */
			static const char *const c[] = {"</s>", "insulator", "damper", "pole", NULL};
			double fixed[4] = {g->end_alt, -1, -1, -1};
			double pc = md_sharp(g, (1 - g->end_alt) * md_u(g, 0.9, 0.99));
			if (pc + g->end_alt > 0.9999)
				pc = 0.9999 - g->end_alt;
			md_emit_p(g, t, pc, c, fixed);
			g->end_alt = 0;
		} else if (i == 0) {
			double pc = g->cfg->base ? md_u(g, 0.3, 0.8)
			                         : (r->small ? md_u(g, 0.6, 0.93) : md_u(g, 0.88, 0.995));
			md_emit_p(g, t, md_sharp(g, pc), loc ? md_c_label_loc : md_c_label, NULL);
		} else {
			static const char *const more[] = {" ", "s", "-", " n", NULL};
			md_emit(g, t, more);
		}
	}
}

static void md_bbox_key(md_gen *g)
{
	if (g->cfg->syntax == SIMGEN_SYN_GEMINI)
		md_emit(g, "box_2d", md_c_box);
	else
		md_emit(g, "bbox_2d", md_c_bbox);
	md_emit(g, "\": [", md_c_arr);
}

static void md_numbers(md_gen *g, const md_rec *r, int label_first)
{
	for (int k = 0; k < 4; k++) {
		md_digits(g, r->v[k], r->small, k == 3);
		if (k < 3)
			md_emit(g, ", ", md_c_sep);
	}
	(void)label_first;
}

/* One JSON record after its opening token ("  {\"" or the boundary): keys,
 * numbers, label and the closing token, which completes the record. */
static void md_json_body(md_gen *g, const md_rec *r)
{
	if (g->cfg->label_first) {
		md_emit(g, "label", md_c_labkey);
		md_emit(g, "\": \"", md_c_colon_q);
		md_label(g, r, 0);
		md_emit(g, "\", \"", md_c_lab_end);
		md_bbox_key(g);
		md_numbers(g, r, 1);
		md_emit(g, "]}", md_c_arr_end_r);
	} else {
		md_bbox_key(g);
		md_numbers(g, r, 0);
		md_emit(g, "], \"", md_c_arr_end_l);
		md_emit(g, "label", md_c_labkey);
		md_emit(g, "\": \"", md_c_colon_q);
		md_label(g, r, 0);
		md_emit(g, "\"}", md_c_rec_end);
	}
}

/* The step after a record's closing token: continue (",\n  {\"") or end the
 * list ("\n]").  p_end is the end-of-list probability. */
static void md_json_boundary(md_gen *g, int end, double p_end)
{
	static const char *const cands[] = {",\n  {\"", "\n]", ",\n", ",", "]", NULL};
	double fixed[5] = {-1, -1, -1, -1, -1};
	if (end) {
		double pc = p_end;
		fixed[0] = (1 - pc) * md_u(g, 0.5, 0.85); /* continuing */
		md_emit_p(g, "\n]", pc, cands, fixed);
	} else {
		double pc = md_sharp(g, (1 - p_end) * md_u(g, 0.97, 0.999));
		if (pc + p_end > 0.9999)
			pc = 0.9999 - p_end;
		fixed[1] = p_end;
		md_emit_p(g, ",\n  {\"", pc, cands, fixed);
	}
}

/* ---- the PaliGemma loc syntax ---- */

static void md_loc_record(md_gen *g, const md_rec *r)
{
	for (int k = 0; k < 4; k++) {
		int v = r->v[k];
		double pc = g->cfg->base ? md_u(g, 0.15, 0.5)
		                         : (r->small ? md_u(g, 0.3, 0.7) : md_u(g, 0.45, 0.92));
		pc = md_sharp(g, pc);
		const char *cands[5];
		int n = 0;
		for (int d = 1; d <= 2; d++) {
			if (v + d <= 1023)
				cands[n++] = md_tmp(g, "<loc%04d>", v + d);
			if (v - d >= 0)
				cands[n++] = md_tmp(g, "<loc%04d>", v - d);
		}
		cands[n] = NULL;
		md_emit_p(g, md_tmp(g, "<loc%04d>", v), pc, cands, NULL);
	}
	md_label(g, r, 1);
}

static void md_loc_sep(md_gen *g, double p_end)
{
	static const char *const cands[] = {"<eos>", " ;", ";", " and", NULL};
	double fixed[4] = {p_end, -1, -1, -1};
	double pc = md_sharp(g, (1 - p_end) * md_u(g, 0.97, 0.999));
	if (pc + p_end > 0.9999)
		pc = 0.9999 - p_end;
	md_emit_p(g, " ; ", pc, cands, fixed);
}

/* ---- planning a sample ---- */

typedef enum {
	MD_NORMAL = 0,
	MD_TAIL,        /* repeat the last listed record until the limit */
	MD_OVERSHOOT,   /* budget run: repeat the last record twice, then close */
} md_mode;

typedef struct md_plan {
	md_mode mode;
	simgen_stress stress;
	size_t k;          /* MD_TAIL: records listed before the loop */
	int dup_at;        /* interleaved duplicate: list index of the copy (-1 none) */
	int dup_of;
	size_t limit;
	size_t cap;        /* stops early after this many records (0: no cap) */
} md_plan;

static int md_is_small(const simgen_scene *sc, const simgen_obj *o)
{
	double w = o->x2 - o->x1, h = o->y2 - o->y1;
	return w < 10 || h < 10 || w * h < 0.0004 * sc->w * sc->h;
}

static int md_clampi(double v, int lo, int hi)
{
	double r = floor(v + 0.5);
	if (r < lo)
		return lo;
	if (r > hi)
		return hi;
	return (int)r;
}

/* Emitted numbers for a pixel box. */
static void md_encode(const simgen_run_cfg *cfg, const simgen_scene *sc, double x1, double y1,
                      double x2, double y2, simgen_rng *rng, double jitter, int v[4])
{
	double W = sc->w, H = sc->h;
	int full = cfg->syntax == SIMGEN_SYN_PALIGEMMA ? 1024 : 1000;
	int top = cfg->syntax == SIMGEN_SYN_PALIGEMMA ? 1023 : 1000;
	double ux1 = x1 / W * full, ux2 = x2 / W * full, uy1 = y1 / H * full, uy2 = y2 / H * full;
	double jx = fmin(jitter, 0.07 * (ux2 - ux1)), jy = fmin(jitter, 0.07 * (uy2 - uy1));
	int a = md_clampi(ux1 + jx * simgen_rng_normal(rng), 0, top);
	int b = md_clampi(uy1 + jy * simgen_rng_normal(rng), 0, top);
	int c = md_clampi(ux2 + jx * simgen_rng_normal(rng), 0, top);
	int d = md_clampi(uy2 + jy * simgen_rng_normal(rng), 0, top);
	if (c <= a)
		c = a + 1 > top ? top : a + 1;
	if (d <= b)
		d = b + 1 > top ? top : b + 1;
	switch (cfg->syntax) {
	case SIMGEN_SYN_QWEN3:
	case SIMGEN_SYN_QWEN2VL:
	case SIMGEN_SYN_INTERNVL:
	case SIMGEN_SYN_MOONDREAM: /* thousandths, written as 0.123 */
		v[0] = a; v[1] = b; v[2] = c; v[3] = d;
		break;
	case SIMGEN_SYN_FLORENCE2: /* bins 0-999 */
		v[0] = a > 999 ? 999 : a; v[1] = b > 999 ? 999 : b;
		v[2] = c > 999 ? 999 : c; v[3] = d > 999 ? 999 : d;
		break;
	case SIMGEN_SYN_DEEPSEEK: /* 0-999 */
		v[0] = (a * 999 + 500) / 1000; v[1] = (b * 999 + 500) / 1000;
		v[2] = (c * 999 + 500) / 1000; v[3] = (d * 999 + 500) / 1000;
		break;
	case SIMGEN_SYN_KOSMOS2: { /* top-left and bottom-right patches of 32x32 */
		int ux = a * 32 / 1000, uy = b * 32 / 1000;
		int lx = (c * 32 + 999) / 1000 - 1, ly = (d * 32 + 999) / 1000 - 1;
		ux = ux > 31 ? 31 : ux; uy = uy > 31 ? 31 : uy;
		lx = lx < ux ? ux : lx > 31 ? 31 : lx; ly = ly < uy ? uy : ly > 31 ? 31 : ly;
		v[0] = uy * 32 + ux; v[1] = ly * 32 + lx; v[2] = v[3] = 0;
		break;
	}
	case SIMGEN_SYN_POINT2D: /* the box centre, 0-1000 */
	case SIMGEN_SYN_MOLMO:   /* the box centre, tenths of a percent */
		v[0] = (a + c) / 2; v[1] = (b + d) / 2; v[2] = v[3] = 0;
		break;
	default:
		v[0] = b; v[1] = a; v[2] = d; v[3] = c; /* y first */
		break;
	}
}

static const char *const *md_cat_label(const simgen_run_cfg *cfg, int cat)
{
	return cfg->syntax == SIMGEN_SYN_PALIGEMMA || cfg->syntax == SIMGEN_SYN_KOSMOS2 ? md_lab_loc[cat]
	                                                                              : md_lab_json[cat];
}

static const int md_cat_order[SIMGEN_N_CATS] = {
	/* listing order of a fine-tuned model: insulators, dampers, spacers, poles, nests */
	0, 1, 2, 3, 4,
};

typedef struct md_sortkey {
	const simgen_obj *o;
	size_t idx;
} md_sortkey;

static int md_cmp(const void *pa, const void *pb)
{
	const md_sortkey *a = pa, *b = pb;
	int ca = md_cat_order[a->o->cat], cb = md_cat_order[b->o->cat];
	if (ca != cb)
		return ca < cb ? -1 : 1;
	if (a->o->x1 != b->o->x1)
		return a->o->x1 < b->o->x1 ? -1 : 1;
	if (a->o->y1 != b->o->y1)
		return a->o->y1 < b->o->y1 ? -1 : 1;
	return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

/* What the model means to list (before behaviour: tails, budgets...). */
static int md_intended(const simgen_run_cfg *cfg, const simgen_scene *sc, simgen_stress stress,
                       simgen_rng *rng, md_list *out)
{
	size_t n = sc->n_objs;
	md_sortkey *keys = calloc(n ? n : 1, sizeof *keys);
	if (!keys)
		return 0;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!sc->objs[i].crowd)
			keys[m++] = (md_sortkey){&sc->objs[i], i};
	qsort(keys, m, sizeof *keys, md_cmp);
	int ok = 1;
	if (cfg->base) {
		/* Sparse and sloppy: 0-3 boxes around something, often mislabelled. */
		long nb = simgen_rng_int(rng, 0, 3);
		for (long i = 0; i < nb && m; i++) {
			const simgen_obj *o = keys[simgen_rng_int(rng, 0, (long)m - 1)].o;
			double w = o->x2 - o->x1, h = o->y2 - o->y1;
			double cx = (o->x1 + o->x2) / 2 + simgen_rng_normal(rng) * w * 0.8;
			double cy = (o->y1 + o->y2) / 2 + simgen_rng_normal(rng) * h * 0.8;
			double sw = w * simgen_rng_range(rng, 0.3, 3.5), sh = h * simgen_rng_range(rng, 0.3, 3.0);
			md_rec r = {0};
			long li = simgen_rng_int(rng, 0, 5);
			r.ltoks = md_lab_base_json[li];
			r.cat = li == 3 ? SIMGEN_CAT_INSULATOR : (li == 4 ? SIMGEN_CAT_POLE : -1);
			if (cfg->syntax == SIMGEN_SYN_PALIGEMMA)
				r.ltoks = md_cat_label(cfg, o->cat);
			md_encode(cfg, sc, cx - sw / 2, cy - sh / 2, cx + sw / 2, cy + sh / 2, rng, 0, r.v);
			ok &= md_list_push(out, &r);
		}
		free(keys);
		return ok;
	}
	double miss = stress == SIMGEN_STRESS_MANY ? 0.01 : cfg->miss;
	for (size_t i = 0; i < m; i++) {
		const simgen_obj *o = keys[i].o;
		int small = md_is_small(sc, o);
		double pm = miss + (small && stress != SIMGEN_STRESS_MANY ? cfg->small_miss : 0);
		if (simgen_rng_unif(rng) < pm)
			continue;
		md_rec r = {o->cat, md_cat_label(cfg, o->cat), {0, 0, 0, 0}, small};
		double x1 = o->x1, y1 = o->y1, x2 = o->x2, y2 = o->y2;
		if (simgen_rng_unif(rng) < cfg->loose) {
			/* a loose box: one corner pulled out (IoU about 0.3-0.6) */
			double fx = simgen_rng_range(rng, 0.3, 0.8), fy = simgen_rng_range(rng, 0.3, 0.8);
			if (simgen_rng_unif(rng) < 0.5)
				x1 -= fx * (x2 - x1);
			else
				x2 += fx * (x2 - x1);
			if (simgen_rng_unif(rng) < 0.5)
				y1 -= fy * (y2 - y1);
			else
				y2 += fy * (y2 - y1);
		}
		md_encode(cfg, sc, x1, y1, x2, y2, rng, cfg->jitter, r.v);
		ok &= md_list_push(out, &r);
	}
	/* False positives: a box shifted off its object, or on empty sky. */
	double fpx = stress == SIMGEN_STRESS_MANY ? 0 : cfg->fp;
	long nfp = (long)floor(fpx + simgen_rng_unif(rng));
	for (long i = 0; i < nfp && m; i++) {
		const simgen_obj *o = keys[simgen_rng_int(rng, 0, (long)m - 1)].o;
		double w = o->x2 - o->x1, h = o->y2 - o->y1;
		double dx = (simgen_rng_unif(rng) < 0.5 ? -1 : 1) * w * simgen_rng_range(rng, 1.2, 2.5);
		md_rec r = {o->cat, md_cat_label(cfg, o->cat), {0, 0, 0, 0}, md_is_small(sc, o)};
		md_encode(cfg, sc, o->x1 + dx, o->y1 + h * 0.1, o->x2 + dx, o->y2 + h * 0.1, rng,
		          cfg->jitter, r.v);
		size_t at = (size_t)simgen_rng_int(rng, 0, (long)out->n);
		ok &= md_list_insert(out, at, &r);
	}
	free(keys);
	return ok;
}

/* Adds what a stress case needs to the intended list. */
static int md_stress_edit(const simgen_run_cfg *cfg, const simgen_scene *sc, simgen_stress s,
                          simgen_rng *rng, md_list *l)
{
	md_rec r = {0};
	switch (s) {
	case SIMGEN_STRESS_NEARDUP:
		if (l->n < 2)
			return 1;
		r = l->r[1];
		r.v[2] += 1; /* same label, one number + 1 */
		return md_list_insert(l, 2, &r);
	case SIMGEN_STRESS_HALLUCINATED: {
		/* "transformer" on the upper part of the first pole (or mid-image). */
		double x1 = sc->w * 0.45, y1 = sc->h * 0.2, x2 = sc->w * 0.52, y2 = sc->h * 0.3;
		for (size_t i = 0; i < sc->n_objs; i++) {
			const simgen_obj *o = &sc->objs[i];
			if (o->cat == SIMGEN_CAT_POLE) {
				double w = o->x2 - o->x1;
				x1 = o->x1 - w * 0.8;
				x2 = o->x2 + w * 0.8;
				y1 = o->y1 + (o->y2 - o->y1) * 0.18;
				y2 = y1 + w * 2.6;
				break;
			}
		}
		r.cat = -1;
		r.ltoks = md_lab_halluc;
		md_encode(cfg, sc, x1, y1, x2, y2, rng, 0, r.v);
		return md_list_insert(l, l->n > 3 ? 3 : l->n, &r);
	}
	case SIMGEN_STRESS_NONASCII:
		if (l->n < 3)
			return 1;
		l->r[1].ltoks = md_lab_french;
		l->r[1].cat = -1;
		l->r[2].ltoks = md_lab_cjk;
		l->r[2].cat = -1;
		return 1;
	case SIMGEN_STRESS_HOSTILE:
		if (l->n < 2)
			return 1;
		l->r[1].ltoks = cfg->syntax == SIMGEN_SYN_PALIGEMMA ? md_lab_hostile_raw : md_lab_hostile;
		l->r[1].cat = -1;
		return 1;
	default:
		return 1;
	}
}

typedef struct md_stats {
	size_t steps;
	size_t max_repeat;
	size_t records;
	int finish_length;
} md_stats;

/* ---- the family runs (issue 12): one emitter per syntax ---- */

static int md_is_family(const simgen_run_cfg *cfg)
{
	return cfg->syntax >= SIMGEN_SYN_FLORENCE2;
}

static int md_family_json(const simgen_run_cfg *cfg)
{
	return cfg->syntax == SIMGEN_SYN_POINT2D || cfg->syntax == SIMGEN_SYN_GEMINI_EXTRAS;
}

/* A number token with neighbours as alternatives; fmt prints v. */
static void md_num_tok(md_gen *g, const char *fmt, int v, int lo, int hi, const md_rec *r)
{
	double pc = r->small ? md_u(g, 0.3, 0.7) : md_u(g, 0.45, 0.92);
	pc = md_sharp(g, pc);
	const char *cands[5];
	int n = 0;
	for (int d = 1; d <= 2; d++) {
		if (v + d <= hi)
			cands[n++] = md_tmp(g, fmt, v + d);
		if (v - d >= lo)
			cands[n++] = md_tmp(g, fmt, v - d);
	}
	cands[n] = NULL;
	md_emit_p(g, md_tmp(g, fmt, v), pc, cands, NULL);
}

/* 0.123 / 12.3: a number with a fraction, one token */
static void md_frac_tok(md_gen *g, int v, int scale, const md_rec *r)
{
	char s[24];
	if (scale == 1000)
		snprintf(s, sizeof s, "%d.%03d", v / 1000, v % 1000);
	else
		snprintf(s, sizeof s, "%d.%d", v / 10, v % 10);
	static const char *const c[] = {"0", "1", ".", "5", NULL};
	double pc = md_sharp(g, r->small ? md_u(g, 0.3, 0.7) : md_u(g, 0.45, 0.92));
	md_emit_p(g, s, pc, c, NULL);
}

static const char *const md_c_tag[] = {"<", " ", "\n", "[", NULL};

static void md_family_record(md_gen *g, const md_rec *r)
{
	const simgen_run_cfg *cfg = g->cfg;
	switch (cfg->syntax) {
	case SIMGEN_SYN_FLORENCE2:
		md_label(g, r, 0);
		for (int k = 0; k < 4; k++)
			md_num_tok(g, "<loc_%d>", r->v[k], 0, 999, r);
		break;
	case SIMGEN_SYN_DEEPSEEK:
	case SIMGEN_SYN_INTERNVL: {
		int ds = cfg->syntax == SIMGEN_SYN_DEEPSEEK;
		md_emit(g, ds ? "<|ref|>" : "<ref>", md_c_tag);
		md_label(g, r, 0);
		md_emit(g, ds ? "<|/ref|>" : "</ref>", md_c_tag);
		md_emit(g, ds ? "<|det|>" : "<box>", md_c_tag);
		md_emit(g, "[[", md_c_open);
		for (int k = 0; k < 4; k++) {
			md_digits(g, r->v[k], r->small, k == 3);
			if (k < 3)
				md_emit(g, ", ", md_c_sep);
		}
		md_emit(g, "]]", md_c_arr_end_l);
		md_emit(g, ds ? "<|/det|>" : "</box>", md_c_tag);
		break;
	}
	case SIMGEN_SYN_QWEN2VL:
		md_emit(g, "<|object_ref_start|>", md_c_tag);
		md_label(g, r, 0);
		md_emit(g, "<|object_ref_end|>", md_c_tag);
		md_emit(g, "<|box_start|>", md_c_tag);
		md_emit(g, "(", md_c_tag);
		md_digits(g, r->v[0], r->small, 0);
		md_emit(g, ",", md_c_sep);
		md_digits(g, r->v[1], r->small, 0);
		md_emit(g, "),(", md_c_sep);
		md_digits(g, r->v[2], r->small, 0);
		md_emit(g, ",", md_c_sep);
		md_digits(g, r->v[3], r->small, 0);
		md_emit(g, ")", md_c_sep);
		md_emit(g, "<|box_end|>", md_c_tag);
		break;
	case SIMGEN_SYN_KOSMOS2:
		md_emit(g, "<phrase>", md_c_tag);
		md_label(g, r, 1);
		md_emit(g, "</phrase>", md_c_tag);
		md_emit(g, "<object>", md_c_tag);
		md_num_tok(g, "<patch_index_%04d>", r->v[0], 0, 1023, r);
		md_num_tok(g, "<patch_index_%04d>", r->v[1], 0, 1023, r);
		md_emit(g, "</object>", md_c_tag);
		break;
	case SIMGEN_SYN_MOONDREAM: {
		static const char *const keys[4] = {"x_min", "y_min", "x_max", "y_max"};
		for (int k = 0; k < 4; k++) {
			md_emit(g, keys[k], md_c_bbox);
			md_emit(g, "\": ", md_c_arr);
			md_frac_tok(g, r->v[k], 1000, r);
			md_emit(g, k < 3 ? ", \"" : "}", md_c_sep);
		}
		break;
	}
	case SIMGEN_SYN_POINT2D:
		md_emit(g, "point_2d", md_c_bbox);
		md_emit(g, "\": [", md_c_arr);
		md_digits(g, r->v[0], r->small, 0);
		md_emit(g, ", ", md_c_sep);
		md_digits(g, r->v[1], r->small, 1);
		md_emit(g, "], \"", md_c_arr_end_l);
		md_emit(g, "label", md_c_labkey);
		md_emit(g, "\": \"", md_c_colon_q);
		md_label(g, r, 0);
		md_emit(g, "\"}", md_c_rec_end);
		break;
	case SIMGEN_SYN_MOLMO:
		md_emit(g, "<point", md_c_tag);
		md_emit(g, " x=\"", md_c_sep);
		md_frac_tok(g, r->v[0], 10, r);
		md_emit(g, "\" y=\"", md_c_sep);
		md_frac_tok(g, r->v[1], 10, r);
		md_emit(g, "\" alt=\"", md_c_sep);
		md_label(g, r, 0);
		md_emit(g, "\">", md_c_sep);
		md_label(g, r, 0);
		md_emit(g, "</point>", md_c_tag);
		break;
	case SIMGEN_SYN_GEMINI_EXTRAS:
	default:
		md_emit(g, "box_2d", md_c_box);
		md_emit(g, "\": [", md_c_arr);
		md_numbers(g, r, 0);
		md_emit(g, "], \"", md_c_arr_end_l);
		md_emit(g, "label", md_c_labkey);
		md_emit(g, "\": \"", md_c_colon_q);
		md_label(g, r, 0);
		md_emit(g, "\", \"", md_c_lab_end);
		md_emit(g, "mask", md_c_labkey);
		md_emit(g, "\": \"", md_c_colon_q);
		md_emit(g, "data:image/png;base64,", NULL);
		md_emit(g, "iVBORw0KGgo", NULL);
		md_emit(g, "AAAANSUhEUgAA", NULL);
		md_emit(g, "\", \"", md_c_lab_end);
		md_emit(g, "confidence", md_c_labkey);
		md_emit(g, "\": ", md_c_arr);
		md_emit_p(g, md_tmp(g, "0.%02d", 60 + (r->v[0] + r->v[1]) % 39), md_u(g, 0.3, 0.7), NULL, NULL);
		md_emit(g, "}", md_c_rec_end);
		break;
	}
}

/* Between two records of a family run: the token that continues the list,
 * with the end of the list (EOS for tag streams, "]" for JSON) as the
 * alternative of probability p_end. */
static void md_family_boundary(md_gen *g, double p_end)
{
	const simgen_run_cfg *cfg = g->cfg;
	if (md_family_json(cfg)) {
		md_json_boundary(g, 0, p_end);
		return;
	}
	const char *tok, *end = "<|im_end|>";
	switch (cfg->syntax) {
	case SIMGEN_SYN_MOONDREAM: tok = ", {\""; end = "]}"; break;
	case SIMGEN_SYN_FLORENCE2: tok = ""; end = "</s>"; break;
	case SIMGEN_SYN_KOSMOS2: tok = " and"; end = "</s>"; break;
	case SIMGEN_SYN_DEEPSEEK: tok = "\n"; end = ""; break; /* EOS as servers report it */
	default: tok = " "; break;
	}
	if (!*tok) {
		g->end_alt = p_end; /* Florence-2 writes the next label at once */
		return;
	}
	const char *cands[] = {end, ",", "\n\n", ".", NULL};
	double fixed[4] = {p_end, -1, -1, -1};
	double pc = md_sharp(g, (1 - p_end) * md_u(g, 0.97, 0.999));
	if (pc + p_end > 0.9999)
		pc = 0.9999 - p_end;
	md_emit_p(g, tok, pc, cands, fixed);
}

static void md_run_family(const simgen_run_cfg *cfg, md_gen *g, const md_rec *const *seq,
                          size_t total, const md_plan *pl, md_stats *st)
{
	size_t recs = 0, rep = total ? 1 : 0;
	int json = md_family_json(cfg), moon = cfg->syntax == SIMGEN_SYN_MOONDREAM;
	double p_end_final = md_u(g, 0.75, 0.97);
	if (json) {
		md_emit(g, "```", md_c_fence);
		md_emit(g, "json", md_c_json);
		md_emit(g, "\n", md_c_nl);
		md_emit(g, total ? "[\n" : "[]", md_c_open);
		if (total)
			md_emit(g, "  {\"", md_c_first);
	} else if (moon) {
		md_emit(g, "{\"", md_c_fence);
		md_emit(g, "objects", md_c_json);
		md_emit(g, total ? "\": [{\"" : "\": []}", md_c_arr);
	}
	for (size_t i = 0; i < total && !g->full; i++) {
		md_family_record(g, seq[i]);
		if (g->full)
			break;
		recs++;
		if (i + 1 == total)
			break;
		double frac = total > 1 ? (double)i / (double)(total - 1) : 1;
		md_family_boundary(g, 0.002 + 0.05 * frac * frac * frac);
	}
	if (!g->full && pl->mode == MD_TAIL && total) {
		const md_rec *r = seq[total - 1];
		double p_end = md_u(g, 0.3, 0.45);
		for (int j = 0; !g->full; j++) {
			md_family_boundary(g, p_end);
			g->conf = 1 - 0.55 / (1.0 + j);
			md_family_record(g, r);
			if (g->full)
				break;
			recs++;
			rep++;
			p_end *= md_u(g, 0.45, 0.65);
		}
		g->conf = 0;
	} else if (!g->full && total) {
		if (json) {
			md_json_boundary(g, 1, p_end_final);
		} else if (moon) {
			static const char *const c[] = {", {\"", "]", "}", "\n", NULL};
			double fixed[] = {(1 - p_end_final) * md_u(g, 0.5, 0.85), -1, -1, -1};
			md_emit_p(g, "]}", p_end_final, c, fixed);
		}
		/* tag streams: the model ends with EOS (not a step) */
	}
	if (json && !g->full)
		md_emit(g, "\n```", md_c_close);
	st->steps = g->steps;
	st->records = recs;
	st->max_repeat = rep > 1 ? rep : (total ? 1 : 0);
	st->finish_length = g->full;
}

/* Emits the sample's tokens into out (array body) following plan. */
static void md_run(const simgen_run_cfg *cfg, const md_list *l, const md_plan *pl,
                   uint64_t seed, simgen_buf *out, md_stats *st)
{
	md_gen g;
	memset(&g, 0, sizeof g);
	g.cfg = cfg;
	g.out = out;
	g.limit = pl->limit;
	simgen_rng_seed(&g.rng, seed, 7, 0);
	size_t n = l->n;
	if (pl->mode == MD_TAIL && pl->k < n)
		n = pl->k;
	if (cfg->budget > 0 && pl->mode != MD_TAIL && n > (size_t)cfg->budget)
		n = (size_t)cfg->budget;
	if (pl->cap && n > pl->cap)
		n = pl->cap;
	if (pl->stress == SIMGEN_STRESS_EMPTY)
		n = 0;
	/* Emission order: the intended list, with an interleaved copy. */
	size_t total = n + (pl->dup_at >= 0 && (size_t)pl->dup_at <= n ? 1 : 0);
	const md_rec **seq = calloc(total ? total : 1, sizeof *seq);
	if (!seq) {
		out->oom = 1;
		return;
	}
	for (size_t i = 0, j = 0; i < total; i++) {
		if (pl->dup_at >= 0 && i == (size_t)pl->dup_at)
			seq[i] = &l->r[pl->dup_of];
		else
			seq[i] = &l->r[j++];
	}
	if (md_is_family(cfg)) {
		md_run_family(cfg, &g, seq, total, pl, st);
		free(seq);
		return;
	}
	size_t recs = 0, rep = total ? 1 : 0;
	int loc = cfg->syntax == SIMGEN_SYN_PALIGEMMA;
	double p_end_final = cfg->base ? md_u(&g, 0.55, 0.9) : md_u(&g, 0.75, 0.97);
	if (!loc) {
		md_emit(&g, "```", md_c_fence);
		md_emit(&g, "json", md_c_json);
		md_emit(&g, "\n", md_c_nl);
		if (total == 0) {
			static const char *const c_empty[] = {"[\n", "[", "[{", "{\"", NULL};
			double pc = md_u(&g, 0.5, 0.75);
			double fixed[] = {(1 - pc) * md_u(&g, 0.6, 0.9), -1, -1, -1};
			md_emit_p(&g, "[]", pc, c_empty, fixed);
			md_emit(&g, "\n```", md_c_close);
			goto done;
		}
		md_emit(&g, "[\n", md_c_open);
		md_emit(&g, "  {\"", md_c_first);
	}
	for (size_t i = 0; i < total && !g.full; i++) {
		const md_rec *r = seq[i];
		if (loc)
			md_loc_record(&g, r);
		else
			md_json_body(&g, r);
		if (g.full)
			break;
		recs++;
		int last = i + 1 == total;
		/* End-of-list probability at this boundary. */
		double frac = total > 1 ? (double)i / (double)(total - 1) : 1;
		double p_end = (cfg->base ? 0.08 : 0.002) + 0.05 * frac * frac * frac;
		if (pl->stress == SIMGEN_STRESS_JUNK && i == 1) {
			/* prose between two records */
			static const char *const junk[] = {"(", "note", ":", " the", " left", " insulator",
			                                   " is", " partly", " hidden", ")", NULL};
			md_emit(&g, ",\n  ", NULL);
			for (int k = 0; junk[k]; k++)
				md_emit_p(&g, junk[k], md_sharp(&g, md_u(&g, 0.3, 0.9)), NULL, NULL);
			md_emit(&g, "\n  {\"", md_c_first);
			continue;
		}
		if (last && pl->mode == MD_NORMAL) {
			if (loc)
				goto done; /* the model ends the stream (EOS is not a step) */
			md_json_boundary(&g, 1, p_end_final);
			break;
		}
		if (last)
			break;
		if (loc)
			md_loc_sep(&g, p_end);
		else
			md_json_boundary(&g, 0, p_end);
	}
	if (!g.full && (pl->mode == MD_TAIL || pl->mode == MD_OVERSHOOT) && total) {
		/* The missed termination point: ending was likely, the model went on
		 * and repeats its last record; ending then grows less likely. */
		const md_rec *r = seq[total - 1];
		double p_end = md_u(&g, 0.3, 0.45);
		int reps = pl->mode == MD_OVERSHOOT ? 2 : 1 << 30;
		for (int j = 0; j < reps && !g.full; j++) {
			if (loc)
				md_loc_sep(&g, p_end);
			else
				md_json_boundary(&g, 0, p_end);
			g.conf = 1 - 0.55 / (1.0 + j);
			if (loc)
				md_loc_record(&g, r);
			else
				md_json_body(&g, r);
			if (g.full)
				break;
			recs++;
			rep++;
			p_end *= md_u(&g, 0.45, 0.65);
		}
		g.conf = 0;
		if (!g.full && pl->mode == MD_OVERSHOOT && !loc)
			md_json_boundary(&g, 1, md_u(&g, 0.5, 0.7));
	}
	if (!loc && !g.full)
		md_emit(&g, "\n```", md_c_close);
	if (!loc && !g.full && cfg->base && simgen_rng_unif(&g.rng) < 0.25) {
		static const char *const prose[] = {"\n", "The", " image", " shows", " a", " utility",
		                                    " pole", " with", " power", " lines", ".", NULL};
		for (int k = 0; prose[k]; k++)
			md_emit_p(&g, prose[k], md_u(&g, 0.4, 0.95), NULL, NULL);
	}
done:
	st->steps = g.steps;
	st->records = recs;
	st->max_repeat = rep > 1 ? rep : (total ? 1 : 0);
	if (pl->dup_at >= 0 && st->max_repeat < 2 && recs > (size_t)pl->dup_at)
		st->max_repeat = 2;
	st->finish_length = g.full;
	free(seq);
}

static const simgen_tail *md_find_tail(const simgen_run_cfg *cfg, int image_id)
{
	for (size_t i = 0; i < cfg->n_tails; i++)
		if (cfg->tails[i].image_id == image_id)
			return &cfg->tails[i];
	return NULL;
}

static simgen_stress md_find_stress(const simgen_run_cfg *cfg, int image_id)
{
	for (size_t i = 0; i < cfg->n_stress; i++)
		if (cfg->stress[i].image_id == image_id)
			return cfg->stress[i].kind;
	return SIMGEN_STRESS_NONE;
}

static const char *md_stress_name(simgen_stress s)
{
	switch (s) {
	case SIMGEN_STRESS_EMPTY: return "stress:empty_list";
	case SIMGEN_STRESS_JUNK: return "stress:junk_between_records";
	case SIMGEN_STRESS_NEARDUP: return "stress:near_duplicate";
	case SIMGEN_STRESS_HALLUCINATED: return "stress:hallucinated_label";
	case SIMGEN_STRESS_MANY: return "stress:200_plus_records";
	case SIMGEN_STRESS_NONASCII: return "stress:non_ascii_label";
	case SIMGEN_STRESS_HOSTILE: return "stress:control_chars_in_label";
	default: return "normal";
	}
}

const char *simgen_prompt(const simgen_run_cfg *cfg)
{
	switch (cfg->syntax) {
	case SIMGEN_SYN_FLORENCE2:
		return "<OD>";
	case SIMGEN_SYN_DEEPSEEK:
		return "<image>\n<|grounding|>Locate every insulator, damper, spacer, pole and bird nest.";
	case SIMGEN_SYN_QWEN2VL:
		return "Find every insulator, damper, spacer, pole and bird nest and output their bounding "
		       "boxes.";
	case SIMGEN_SYN_INTERNVL:
		return "<image>\nPlease detect every insulator, damper, spacer, pole and bird nest and "
		       "give their bounding boxes.";
	case SIMGEN_SYN_KOSMOS2:
		return "<grounding>An image of";
	case SIMGEN_SYN_MOONDREAM: /* each trace line holds its own "Detect: <class>" */
		return "Detect: <class>, one request per class (insulator, damper, spacer, pole, "
		       "bird nest)";
	case SIMGEN_SYN_POINT2D:
		return "Point to every insulator, damper, spacer, pole and bird nest. Output a JSON list "
		       "of {\"point_2d\": [x, y], \"label\": \"...\"} with coordinates in 0-1000.";
	case SIMGEN_SYN_MOLMO:
		return "Point to every insulator, damper, spacer, pole and bird nest.";
	case SIMGEN_SYN_GEMINI_EXTRAS:
		return "Give the segmentation masks for every insulator, damper, spacer, pole and bird "
		       "nest. Output a JSON list where each entry has \"box_2d\", \"mask\", \"label\" "
		       "and \"confidence\".";
	case SIMGEN_SYN_PALIGEMMA:
		return "detect insulator ; damper ; spacer ; pole ; bird nest";
	case SIMGEN_SYN_GEMINI:
		return "Detect every insulator, damper, spacer, pole and bird nest in the image. "
		       "Return a JSON list where each entry has \"box_2d\" as [ymin, xmin, ymax, xmax] "
		       "normalized to 0-1000 and \"label\".";
	default:
		if (cfg->budget > 0)
			return "Locate the insulators, dampers, spacers, poles and bird nests in the image, "
			       "at most 12 objects. Output a JSON list of {\"bbox_2d\": [x1, y1, x2, y2], "
			       "\"label\": \"...\"} with coordinates in 0-1000.";
		return "Locate every insulator, damper, spacer, pole and bird nest in the image. "
		       "Output a JSON list of {\"bbox_2d\": [x1, y1, x2, y2], \"label\": \"...\"} "
		       "with coordinates in 0-1000.";
	}
}

/* The category a scene has most boxes of (ties: the lower index), -1 none. */
static int md_main_cat(const simgen_scene *sc)
{
	size_t n[SIMGEN_N_CATS] = {0};
	for (size_t i = 0; i < sc->n_objs; i++)
		if (!sc->objs[i].crowd && sc->objs[i].cat >= 0 && sc->objs[i].cat < SIMGEN_N_CATS)
			n[sc->objs[i].cat]++;
	int best = -1;
	for (int c = 0; c < SIMGEN_N_CATS; c++)
		if (n[c] && (best < 0 || n[c] > n[best]))
			best = c;
	return best;
}

ts_status simgen_trace_line(const simgen_run_cfg *cfg, const simgen_scene *sc, simgen_buf *out,
                            ts_error *err)
{
	return simgen_trace_line_query(cfg, sc, -1, out, err);
}

ts_status simgen_trace_line_query(const simgen_run_cfg *cfg, const simgen_scene *sc, int query,
                                  simgen_buf *out, ts_error *err)
{
	uint64_t seed = simgen_hash64(cfg->seed ^ ((uint64_t)sc->id << 20) ^
	                              (query >= 0 ? (uint64_t)(query + 1) << 8 : 0));
	simgen_rng rng;
	simgen_rng_seed(&rng, seed, 1, 0);
	simgen_stress stress = md_find_stress(cfg, sc->id);
	md_list l = {0};
	if (!md_intended(cfg, sc, stress, &rng, &l) || !md_stress_edit(cfg, sc, stress, &rng, &l)) {
		free(l.r);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}
	if (query >= 0) { /* one class asked for: the model lists that class only */
		size_t k = 0;
		for (size_t i = 0; i < l.n; i++)
			if (l.r[i].cat == query)
				l.r[k++] = l.r[i];
		l.n = k;
	}
	md_plan pl = {MD_NORMAL, stress, 0, -1, -1, (size_t)cfg->max_new_tokens, 0};
	if (cfg->early_stop_image == sc->id)
		pl.cap = (size_t)cfg->early_stop_n;
	if (stress == SIMGEN_STRESS_MANY)
		pl.limit = 8192;
	if (cfg->interleaved_dup_image == sc->id && l.n >= 6) {
		pl.dup_at = (int)(l.n * 2 / 3);
		pl.dup_of = 1;
	}
	if (cfg->budget_overshoot_image == sc->id)
		pl.mode = MD_OVERSHOOT;
	const simgen_tail *tail = md_find_tail(cfg, sc->id);
	if (query >= 0 && query != md_main_cat(sc))
		tail = NULL; /* per-class requests: the scene's main class loops */
	simgen_buf toks = {0};
	md_stats st;
	if (tail && l.n) {
		/* Pick how many records come before the loop so that the limit cuts
		 * the tail at the configured number of occurrences. */
		pl.mode = MD_TAIL;
		size_t best_k = l.n;
		long best_d = -1;
		for (size_t k = l.n; k >= 1; k--) {
			pl.k = k;
			toks.len = 0;
			md_run(cfg, &l, &pl, seed, &toks, &st);
			long d = labs((long)st.max_repeat - tail->max_repeat);
			if (best_d < 0 || d < best_d) {
				best_d = d;
				best_k = k;
			}
			if ((long)st.max_repeat > tail->max_repeat)
				break;
		}
		pl.k = best_k;
	}
	toks.len = 0;
	md_run(cfg, &l, &pl, seed, &toks, &st);
	free(l.r);
	if (toks.oom) {
		simgen_buf_free(&toks);
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	}
	simgen_buf_printf(out, "{\"image_id\":%d,\"file_name\":\"%s\",\"finish_reason\":\"%s\",\"prompt\":",
	                  sc->id, sc->file_name, st.finish_length ? "length" : "stop");
	char qprompt[64];
	const char *prompt = simgen_prompt(cfg);
	if (query >= 0) { /* Moondream 2's detect template, trimmed */
		snprintf(qprompt, sizeof qprompt, "Detect: %s", simgen_cat_names[query]);
		prompt = qprompt;
	}
	simgen_buf_json_str(out, prompt, strlen(prompt));
	simgen_buf_puts(out, ",\"tokens\":[");
	simgen_buf_put(out, toks.p ? toks.p : "", toks.len);
	simgen_buf_printf(out, "],\"meta\":{\"simulator\":\"tailscope-simgen\",\"seed\":%llu,"
	                       "\"scenario\":\"%s\"",
	                  (unsigned long long)(seed >> 12),
	                  pl.mode == MD_TAIL ? "repeated_tail"
	                  : pl.cap ? "early_stop_dense_scene"
	                  : pl.mode == MD_OVERSHOOT ? "budget_overshoot_repeat"
	                  : pl.dup_at >= 0 ? "interleaved_duplicate"
	                                   : md_stress_name(stress));
	if (pl.limit != (size_t)cfg->max_new_tokens)
		simgen_buf_printf(out, ",\"max_new_tokens\":%zu", pl.limit);
	simgen_buf_puts(out, "}}");
	simgen_buf_free(&toks);
	return out->oom ? ts_error_set(err, TS_ERR_NOMEM, "out of memory") : TS_OK;
}

void simgen_run_json(const simgen_run_cfg *cfg, simgen_buf *out)
{
	static const char *const coords[SIMGEN_N_SYN] = {
		"qwen3", "gemini", "paligemma", "florence2", "deepseek", "qwen3", "qwen3",
		"kosmos2", "moondream", "qwen3", "molmo", "gemini",
	};
	simgen_buf_printf(out, "{\"name\":\"%s\",\"model\":\"%s\",\"simulated\":true,\"checkpoint\":\"%s\","
	                       "\"coords\":\"%s\",\"max_new_tokens\":%d,\"prompt\":",
	                  cfg->name, simgen_model_name, cfg->checkpoint, coords[cfg->syntax],
	                  cfg->max_new_tokens);
	const char *prompt = simgen_prompt(cfg);
	simgen_buf_json_str(out, prompt, strlen(prompt));
	if (cfg->budget > 0)
		simgen_buf_printf(out, ",\"budget\":%d", cfg->budget);
	else
		simgen_buf_puts(out, ",\"budget\":null");
	simgen_buf_printf(out, ",\"gt\":\"../scenes/gt.json\",\"images\":\"../scenes/images\","
	                       "\"traces\":\"traces.jsonl\",\"seed\":%llu}\n",
	                  (unsigned long long)cfg->seed);
}
