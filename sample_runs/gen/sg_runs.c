/* sg_runs.c — the table of simulated runs and the writer of sample_runs/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simgen.h"

/* ---- the runs ----
 *
 * Tails: image and the occurrences of the repeated record when the token
 * limit cuts it (the study: 23 for the q/k/v/o adapter, 21-22 across the q/v
 * rank sweep).  Stress samples are listed in sample_runs/README.md. */

static const simgen_tail rn_tails_qkvo[] = {{4, 23}, {11, 5}};
static const simgen_stress_at rn_stress_qkvo[] = {
	{5, SIMGEN_STRESS_EMPTY},        {2, SIMGEN_STRESS_JUNK},
	{10, SIMGEN_STRESS_NEARDUP},     {7, SIMGEN_STRESS_HALLUCINATED},
	{12, SIMGEN_STRESS_NONASCII},
	{13, SIMGEN_STRESS_HOSTILE},
};
static const simgen_tail rn_tails_r4[] = {{19, 21}};
static const simgen_tail rn_tails_r16[] = {{4, 22}};
static const simgen_tail rn_tails_r64[] = {{19, 22}};
static const simgen_stress_at rn_stress_r64[] = {
	{11, SIMGEN_STRESS_MANY}, {17, SIMGEN_STRESS_HOSTILE},
};

#define RN_ARR(a) (a), (sizeof (a) / sizeof (a)[0])

/* The family runs (issue 12): three scenes each (a pole close-up, a
 * conductor bundle, a distant pole), the bundle falling into a repeated tail,
 * so each syntax shows a tail beside clean lists. */
static const int rn_family_images[] = {2, 3, 5};
static const simgen_tail rn_tails_family[] = {{3, 6}};
#define RN_FAMILY(nm, syn, sd)                                                              \
	{.name = nm, .checkpoint = "lora-qkvo-r16", .syntax = syn, .max_new_tokens = 256,     \
	 .seed = sd, .miss = 0.06, .small_miss = 0.25, .fp = 0.4, .jitter = 2.5, .loose = 0.1, \
	 .tails = RN_ARR(rn_tails_family), .images = RN_ARR(rn_family_images)}

static const simgen_run_cfg rn_runs[] = {
	{.name = "base", .checkpoint = "base", .syntax = SIMGEN_SYN_QWEN3, .max_new_tokens = 1024,
	 .seed = 0xba5e0001, .base = 1, .miss = 0.9, .jitter = 40},
	{.name = "lora-qkvo-r16", .checkpoint = "lora-qkvo-r16", .syntax = SIMGEN_SYN_QWEN3,
	 .max_new_tokens = 1024, .seed = 0x9c0016, .miss = 0.06, .small_miss = 0.25, .fp = 0.4,
	 .jitter = 2.5, .loose = 0.1, .tails = RN_ARR(rn_tails_qkvo), .stress = RN_ARR(rn_stress_qkvo),
	 .interleaved_dup_image = 24},
	{.name = "lora-qv-r4", .checkpoint = "lora-qv-r4", .syntax = SIMGEN_SYN_QWEN3, .label_first = 1,
	 .max_new_tokens = 1024, .seed = 0x9e0004, .miss = 0.1, .small_miss = 0.3, .fp = 0.5,
	 .jitter = 3.5, .loose = 0.14, .tails = RN_ARR(rn_tails_r4),
	 .early_stop_image = 11, .early_stop_n = 18},
	{.name = "lora-qv-r16", .checkpoint = "lora-qv-r16", .syntax = SIMGEN_SYN_GEMINI,
	 .max_new_tokens = 1024, .seed = 0x9e0016, .miss = 0.08, .small_miss = 0.28, .fp = 0.45,
	 .jitter = 3, .loose = 0.12, .tails = RN_ARR(rn_tails_r16),
	 .early_stop_image = 11, .early_stop_n = 25},
	{.name = "lora-qv-r64", .checkpoint = "lora-qv-r64", .syntax = SIMGEN_SYN_PALIGEMMA,
	 .max_new_tokens = 256, .seed = 0x9e0064, .miss = 0.07, .small_miss = 0.25, .fp = 0.4,
	 .jitter = 3, .loose = 0.12, .tails = RN_ARR(rn_tails_r64), .stress = RN_ARR(rn_stress_r64)},
	{.name = "lora-qkvo-r16-budget12", .checkpoint = "lora-qkvo-r16", .syntax = SIMGEN_SYN_QWEN3,
	 .max_new_tokens = 1024, .budget = 12, .seed = 0x9c0016b, .miss = 0.06, .small_miss = 0.25,
	 .fp = 0.4, .jitter = 2.5, .loose = 0.1, .budget_overshoot_image = 4},
	RN_FAMILY("family-florence2", SIMGEN_SYN_FLORENCE2, 0xf10001),
	RN_FAMILY("family-deepseek-vl2", SIMGEN_SYN_DEEPSEEK, 0xf10002),
	RN_FAMILY("family-qwen2-vl", SIMGEN_SYN_QWEN2VL, 0xf10003),
	RN_FAMILY("family-internvl", SIMGEN_SYN_INTERNVL, 0xf10004),
	RN_FAMILY("family-kosmos2", SIMGEN_SYN_KOSMOS2, 0xf10005),
	{.name = "family-moondream", .checkpoint = "lora-qkvo-r16", .syntax = SIMGEN_SYN_MOONDREAM,
	 .max_new_tokens = 256, .seed = 0xf10006, .miss = 0.06, .small_miss = 0.25, .fp = 0.4,
	 .jitter = 2.5, .loose = 0.1, .tails = RN_ARR(rn_tails_family),
	 .images = RN_ARR(rn_family_images), .per_class = 1},
	RN_FAMILY("family-qwen-points", SIMGEN_SYN_POINT2D, 0xf10007),
	RN_FAMILY("family-molmo-points", SIMGEN_SYN_MOLMO, 0xf10008),
	RN_FAMILY("family-gemini-extras", SIMGEN_SYN_GEMINI_EXTRAS, 0xf10009),
};

int simgen_run_has_image(const simgen_run_cfg *cfg, int id)
{
	if (!cfg->images)
		return 1;
	for (size_t i = 0; i < cfg->n_images; i++)
		if (cfg->images[i] == id)
			return 1;
	return 0;
}

size_t simgen_n_runs(void)
{
	return sizeof rn_runs / sizeof rn_runs[0];
}

const simgen_run_cfg *simgen_run(size_t i)
{
	return i < simgen_n_runs() ? &rn_runs[i] : NULL;
}

const simgen_run_cfg *simgen_run_find(const char *name)
{
	for (size_t i = 0; i < simgen_n_runs(); i++)
		if (!strcmp(rn_runs[i].name, name))
			return &rn_runs[i];
	return NULL;
}

static ts_status rn_write_buf(const char *dir, const char *name, simgen_buf *b, ts_error *err)
{
	if (b->oom)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	size_t n = strlen(dir) + strlen(name) + 2;
	char *path = malloc(n);
	if (!path)
		return ts_error_set(err, TS_ERR_NOMEM, "out of memory");
	snprintf(path, n, "%s/%s", dir, name);
	ts_status st = simgen_write_file(path, b->p ? b->p : "", b->len, err);
	free(path);
	return st;
}

static char *rn_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", a, b);
	return p;
}

ts_status simgen_write_all(const char *outdir, const char *only_run, int with_images,
                           ts_error *err)
{
	if (only_run && !simgen_run_find(only_run))
		return ts_error_set(err, TS_ERR_USAGE, "unknown run \"%s\"", only_run);
	simgen_sceneset set;
	ts_status st = simgen_scenes_build(&set, err);
	if (st != TS_OK)
		return st;
	char *scenes = rn_join(outdir, "scenes");
	char *images = scenes ? rn_join(scenes, "images") : NULL;
	simgen_buf b = {0};
	if (!scenes || !images) {
		st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((st = simgen_mkdirs(images, err)) != TS_OK)
		goto done;
	simgen_scenes_gt_json(&set, &b);
	if ((st = rn_write_buf(scenes, "gt.json", &b, err)) != TS_OK)
		goto done;
	for (size_t i = 0; with_images && i < set.n; i++) {
		const simgen_scene *sc = &set.scenes[i];
		unsigned char *rgb;
		if ((st = simgen_paint(sc, &rgb, err)) != TS_OK)
			goto done;
		b.len = 0;
		st = simgen_png(rgb, sc->w, sc->h, &b, err);
		free(rgb);
		if (st == TS_OK)
			st = rn_write_buf(images, sc->file_name, &b, err);
		if (st != TS_OK)
			goto done;
	}
	for (size_t r = 0; r < simgen_n_runs(); r++) {
		const simgen_run_cfg *cfg = &rn_runs[r];
		if (only_run && strcmp(only_run, cfg->name))
			continue;
		char *dir = rn_join(outdir, cfg->name);
		if (!dir) {
			st = ts_error_set(err, TS_ERR_NOMEM, "out of memory");
			goto done;
		}
		st = simgen_mkdirs(dir, err);
		b.len = 0;
		if (st == TS_OK) {
			simgen_run_json(cfg, &b);
			st = rn_write_buf(dir, "run.json", &b, err);
		}
		b.len = 0;
		for (size_t i = 0; st == TS_OK && i < set.n; i++) {
			if (!simgen_run_has_image(cfg, set.scenes[i].id))
				continue;
			int q0 = cfg->per_class ? 0 : -1, q1 = cfg->per_class ? SIMGEN_N_CATS : 0;
			for (int q = q0; st == TS_OK && q < q1; q++) { /* -1: no per-class request */
				st = simgen_trace_line_query(cfg, &set.scenes[i], q, &b, err);
				simgen_buf_putc(&b, '\n');
			}
		}
		if (st == TS_OK)
			st = rn_write_buf(dir, "traces.jsonl", &b, err);
		free(dir);
		if (st != TS_OK)
			goto done;
	}
done:
	simgen_buf_free(&b);
	free(scenes);
	free(images);
	simgen_scenes_free(&set);
	return st;
}
