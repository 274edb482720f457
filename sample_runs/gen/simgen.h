/* simgen.h — the seeded simulator behind sample_runs/ (tailscope-simgen).
 *
 * No model runs here: this program writes the demo data set of tailscope, a
 * deterministic simulation of a fine-tuned VLM decoding coordinate lists.
 * Everything is derived from fixed seeds with a PRNG of our own (splitmix64);
 * no clock, no rand(), no locale: the same binary writes the same bytes.
 *
 *   OUT/scenes/gt.json          COCO instances for the shared scene set
 *   OUT/scenes/images/NNN.png   the scenes (power-line inspection), via stb_image_write
 *   OUT/<run>/run.json          one per simulated checkpoint
 *   OUT/<run>/traces.jsonl      native trace format, 5 alternatives per step
 *
 * Module layout (one TU each, static helpers prefixed per file so the unit
 * test can include them all into one translation unit):
 *   sg_util.c   PRNG, growable buffer, JSON string/number writers, files
 *   sg_scene.c  scene layouts and their ground truth (geometry only)
 *   sg_paint.c  antialiased, textured rasterisation and PNG encoding
 *   sg_model.c  the simulated decoder: records, tokens, logprobs, traces
 *   sg_runs.c   the table of runs and simgen_write_all()
 *   main.c      command line
 */
#ifndef TS_SIMGEN_H
#define TS_SIMGEN_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* ---- PRNG (splitmix64) ---- */

typedef struct simgen_rng {
	uint64_t s;
} simgen_rng;

/* Seeds from a run seed and two stream keys (e.g. image id, purpose). */
void     simgen_rng_seed(simgen_rng *r, uint64_t seed, uint64_t k1, uint64_t k2);
uint64_t simgen_rng_next(simgen_rng *r);
double   simgen_rng_unif(simgen_rng *r);                  /* [0, 1) */
double   simgen_rng_range(simgen_rng *r, double lo, double hi);
long     simgen_rng_int(simgen_rng *r, long lo, long hi); /* [lo, hi] */
double   simgen_rng_normal(simgen_rng *r);                /* ~N(0,1), Irwin-Hall(12) */
uint64_t simgen_hash64(uint64_t x);

/* ---- growable byte buffer ---- */

typedef struct simgen_buf {
	char *p;
	size_t len, cap;
	int oom; /* sticky: an allocation failed */
} simgen_buf;

void simgen_buf_free(simgen_buf *b);
void simgen_buf_put(simgen_buf *b, const void *p, size_t n);
void simgen_buf_puts(simgen_buf *b, const char *s);
void simgen_buf_putc(simgen_buf *b, char c);
void simgen_buf_printf(simgen_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A JSON string literal (quotes included) for bytes s[0..n): C0, DEL, C1 and
 * bidi/format code points as \uXXXX; other valid UTF-8 raw.  Invalid UTF-8
 * bytes become U+FFFD (callers write "bytes" beside such text). */
void simgen_buf_json_str(simgen_buf *b, const char *s, size_t n);
/* A decimal with at most `dec` decimals, trailing zeros trimmed (one kept):
 * -0.0123, -7.5, 12.0.  Formatted with integer arithmetic (no locale). */
void simgen_buf_fixed(simgen_buf *b, double v, int dec);
/* A logprob: 4 decimals below 1 in magnitude, else 4 significant digits
 * (-0.0019, -0.5232, -7.567, -12.32), trailing zeros trimmed. */
void simgen_buf_logprob(simgen_buf *b, double lp);

/* 1 when s[0..n) is well-formed UTF-8. */
int simgen_utf8_valid(const char *s, size_t n);

/* ---- files ---- */

/* mkdir -p. */
ts_status simgen_mkdirs(const char *path, ts_error *err);
/* Writes data to path atomically (path.tmp, then rename). */
ts_status simgen_write_file(const char *path, const void *data, size_t len, ts_error *err);

/* ---- scenes (sg_scene.c) ---- */

enum {
	SIMGEN_CAT_INSULATOR = 0,
	SIMGEN_CAT_DAMPER,
	SIMGEN_CAT_SPACER,
	SIMGEN_CAT_POLE,
	SIMGEN_CAT_NEST,
	SIMGEN_N_CATS
};

extern const char *const simgen_cat_names[SIMGEN_N_CATS];

typedef enum {
	SIMGEN_SCENE_DISTRIBUTION = 0, /* wooden poles, cross-arms, pin insulators, wires */
	SIMGEN_SCENE_CLOSEUP,          /* one pole close up, two cross-arms */
	SIMGEN_SCENE_BUNDLE,           /* transmission conductor bundle with spacers */
	SIMGEN_SCENE_CORRIDOR,         /* a row of poles receding: dense lists */
	SIMGEN_SCENE_YARD,             /* substation rack: 200+ insulators */
	SIMGEN_SCENE_SPARSE,           /* one distant pole, few objects */
} simgen_scene_kind;

typedef struct simgen_obj {
	int cat;
	double x1, y1, x2, y2; /* pixels, continuous */
	int crowd;             /* COCO iscrowd */
} simgen_obj;

/* Drawing primitives recorded by the layout, replayed by the painter. */
typedef enum {
	SIMGEN_PRIM_POLE = 0,  /* wooden pole: x, y (top), w, h */
	SIMGEN_PRIM_STEEL,     /* steel beam (lattice arm / rack): box */
	SIMGEN_PRIM_ARM,       /* cross-arm: box */
	SIMGEN_PRIM_PIN_INS,   /* pin insulator: box (discs stacked) */
	SIMGEN_PRIM_STRING_INS,/* suspension string: box, vertical discs */
	SIMGEN_PRIM_WIRE,      /* catenary: x1,y1 -> x2,y2, sag, width */
	SIMGEN_PRIM_DAMPER,    /* Stockbridge damper: box */
	SIMGEN_PRIM_SPACER,    /* bundle spacer: box (frame) */
	SIMGEN_PRIM_NEST,      /* bird nest: box */
	SIMGEN_PRIM_TREE,      /* distant tree: box */
} simgen_prim_kind;

typedef struct simgen_prim {
	simgen_prim_kind kind;
	double a, b, c, d; /* box x1,y1,x2,y2; wire: x1,y1,x2,y2 */
	double sag, width;
	int variant;       /* colour / style */
} simgen_prim;

typedef struct simgen_scene {
	int id;                /* COCO image id (1-based) */
	char file_name[32];
	int w, h;
	simgen_scene_kind kind;
	uint64_t seed;
	int sky;               /* 0 clear, 1 hazy, 2 overcast, 3 evening */
	double horizon;        /* y of the horizon in pixels */
	simgen_obj *objs;
	size_t n_objs;
	simgen_prim *prims;
	size_t n_prims;
} simgen_scene;

typedef struct simgen_sceneset {
	simgen_scene *scenes;
	size_t n;
} simgen_sceneset;

/* y of a wire primitive (parabolic sag) at x. */
double    simgen_wire_y(const simgen_prim *p, double x);
/* Builds the fixed scene set (geometry and ground truth). */
ts_status simgen_scenes_build(simgen_sceneset *set, ts_error *err);
void      simgen_scenes_free(simgen_sceneset *set);
/* COCO instances JSON of the set. */
void      simgen_scenes_gt_json(const simgen_sceneset *set, simgen_buf *out);

/* ---- painting (sg_paint.c) ---- */

/* Renders a scene to 8-bit RGB (caller frees *rgb). */
ts_status simgen_paint(const simgen_scene *sc, unsigned char **rgb, ts_error *err);
/* Encodes RGB as PNG with stb_image_write (into out). */
ts_status simgen_png(const unsigned char *rgb, int w, int h, simgen_buf *out, ts_error *err);

/* ---- simulated decoding (sg_model.c) ---- */

typedef enum {
	SIMGEN_SYN_QWEN3 = 0, /* ```json [{"bbox_2d": [x1,y1,x2,y2], "label": ...}] ``` 0-1000 */
	SIMGEN_SYN_GEMINI,    /* ```json [{"box_2d": [ymin,xmin,ymax,xmax], "label": ...}] ``` */
	SIMGEN_SYN_PALIGEMMA, /* <locY1><locX1><locY2><locX2> label ; ... (1024 bins) */
	/* one small run per family (issue 12): */
	SIMGEN_SYN_FLORENCE2, /* label<loc_x1><loc_y1><loc_x2><loc_y2> (1000 bins) */
	SIMGEN_SYN_DEEPSEEK,  /* <|ref|>label<|/ref|><|det|>[[x1, y1, x2, y2]]<|/det|> (0-999) */
	SIMGEN_SYN_QWEN2VL,   /* <|object_ref_start|>..<|box_start|>(x1,y1),(x2,y2)<|box_end|> */
	SIMGEN_SYN_INTERNVL,  /* <ref>label</ref><box>[[x1, y1, x2, y2]]</box> (0-1000) */
	SIMGEN_SYN_KOSMOS2,   /* <phrase> label</phrase><object><patch_index_N><patch_index_M></object> */
	SIMGEN_SYN_MOONDREAM, /* {"objects": [{"x_min": .., "y_min": .., "x_max": .., "y_max": ..}]} 0-1 */
	SIMGEN_SYN_POINT2D,   /* ```json [{"point_2d": [x, y], "label": ...}] ``` 0-1000 */
	SIMGEN_SYN_MOLMO,     /* <point x="61.5" y="40.6" alt="label">label</point> (percent) */
	SIMGEN_SYN_GEMINI_EXTRAS, /* box_2d records that also carry "mask" and "confidence" */
	SIMGEN_N_SYN
} simgen_syntax;

/* What a sample should look like (beyond the run's behaviour). */
typedef enum {
	SIMGEN_STRESS_NONE = 0,
	SIMGEN_STRESS_EMPTY,       /* "[]" */
	SIMGEN_STRESS_JUNK,        /* prose between two records */
	SIMGEN_STRESS_NEARDUP,     /* same label, one number + 1 */
	SIMGEN_STRESS_HALLUCINATED,/* a label that names no category */
	SIMGEN_STRESS_MANY,        /* 200+ records (yard) */
	SIMGEN_STRESS_NONASCII,    /* non-ASCII label, a character split across tokens */
	SIMGEN_STRESS_HOSTILE,     /* control characters and U+202E inside a label */
} simgen_stress;

typedef struct simgen_tail {
	int image_id;      /* sample that falls into a repeated tail */
	int max_repeat;    /* occurrences of the repeated record when the limit hits */
} simgen_tail;

typedef struct simgen_stress_at {
	int image_id;
	simgen_stress kind;
} simgen_stress_at;

typedef struct simgen_run_cfg {
	const char *name;
	const char *checkpoint;
	simgen_syntax syntax;
	int label_first;       /* JSON key order: label before bbox */
	int max_new_tokens;
	int budget;            /* prompted budget, 0 = none */
	uint64_t seed;
	int base;              /* the un-tuned model: sparse, sloppy, early stop */
	double miss;           /* probability of skipping a ground-truth object */
	double small_miss;     /* extra miss probability for small objects */
	double fp;             /* expected false positives per sample */
	double jitter;         /* coordinate noise, units of 0-1000 */
	double loose;          /* probability of a loose box (IoU about 0.3-0.6) */
	const simgen_tail *tails;
	size_t n_tails;
	const simgen_stress_at *stress;
	size_t n_stress;
	int interleaved_dup_image; /* a sample that repeats an earlier record mid-list (0 none) */
	int budget_overshoot_image;/* budget run: a sample that repeats its last record then closes */
	int early_stop_image;      /* a dense scene the model gives up on ... */
	int early_stop_n;          /* ... after this many records */
	const int *images;         /* the scenes this run has a trace for (NULL: all) */
	size_t n_images;
	int per_class;             /* one trace per (scene, category): Moondream's requests */
} simgen_run_cfg;

/* 1 when run cfg writes a trace for scene id. */
int simgen_run_has_image(const simgen_run_cfg *cfg, int id);

extern const char simgen_model_name[];

/* Prompt text of a run. */
const char *simgen_prompt(const simgen_run_cfg *cfg);

/* One trace line (no newline) for scene sc under run cfg. */
ts_status simgen_trace_line(const simgen_run_cfg *cfg, const simgen_scene *sc,
                            simgen_buf *out, ts_error *err);
/* The same for a per-class request (Moondream: one request per class):
 * query is a category index, the model lists that category only and the
 * prompt is "Detect: <class>"; -1 = simgen_trace_line. */
ts_status simgen_trace_line_query(const simgen_run_cfg *cfg, const simgen_scene *sc, int query,
                                  simgen_buf *out, ts_error *err);
/* run.json of a run. */
void      simgen_run_json(const simgen_run_cfg *cfg, simgen_buf *out);

/* ---- runs (sg_runs.c) ---- */

size_t                simgen_n_runs(void);
const simgen_run_cfg *simgen_run(size_t i);
const simgen_run_cfg *simgen_run_find(const char *name);

/* Writes everything under outdir (created if missing).  only_run: NULL for
 * all, else one run's directory (scenes are always written).  with_images: 0
 * skips the PNGs (faster; used by tests that only compare traces). */
ts_status simgen_write_all(const char *outdir, const char *only_run, int with_images,
                           ts_error *err);

#endif
