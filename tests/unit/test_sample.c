/* sample_analyze on hand-tokenized traces: termination, stop steps, replay
 * cursor helpers and policy outcomes.  Expected values worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cJSON.h>

#include "sample.h"

/* Builds a native trace line from tokens and parses it (prompt: NULL none). */
static trace *mk_p(const char *finish, const char *prompt, const char *const *toks, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "image_id", 1);
	if (prompt)
		cJSON_AddStringToObject(o, "prompt", prompt);
	cJSON_AddStringToObject(o, "finish_reason", finish);
	cJSON *a = cJSON_AddArrayToObject(o, "tokens");
	for (size_t i = 0; i < n; i++) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "token", toks[i]);
		cJSON_AddNumberToObject(t, "logprob", -0.5);
		cJSON_AddItemToArray(a, t);
	}
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	trace_limits lim;
	trace_limits_default(&lim);
	trace *t = NULL;
	ts_error err;
	assert_int_equal(trace_parse_line(s, strlen(s), &lim, &t, &err), TS_OK);
	free(s);
	return t;
}

static trace *mk(const char *finish, const char *const *toks, size_t n)
{
	return mk_p(finish, NULL, toks, n);
}

static sample *analyze(const trace *t, double w, double h)
{
	analysis_opts o;
	analysis_opts_default(&o);
	sample *s = NULL;
	ts_error err;
	assert_int_equal(sample_analyze(t, NULL, NULL, w, h, &o, &s, &err), TS_OK);
	return s;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* An OpenAI chat line as tailscope capture writes it after a live stop:
 * finish_reason "stop", stop_reason <reason>, capture.stop_step. */
static trace *mk_live(const char *reason, long stop_step, const char *const *toks, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *ch = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "choices"), ch);
	cJSON *c = cJSON_AddArrayToObject(cJSON_AddObjectToObject(ch, "logprobs"), "content");
	for (size_t i = 0; i < n; i++) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "token", toks[i]);
		cJSON_AddNumberToObject(t, "logprob", -0.5);
		cJSON_AddArrayToObject(t, "top_logprobs");
		cJSON_AddItemToArray(c, t);
	}
	cJSON_AddStringToObject(ch, "finish_reason", "stop");
	cJSON_AddStringToObject(ch, "stop_reason", reason);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(o, "capture"), "stop_step", (double)stop_step);
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	trace *t = NULL;
	ts_error err;
	assert_int_equal(trace_parse_line(s, strlen(s), NULL, &t, &err), TS_OK);
	free(s);
	return t;
}

/* A live repeat_stop capture of the list of test_closed_list_with_duplicate
 * (steps 0..4, the duplicate completes at 4): "stopped", not "malformed"
 * (the list never closed) — and its policy-off outcome is the outcome of
 * repeat_stop replayed on the full recording (termination, tokens, records,
 * duplicates). */
static void test_live_stop_is_stopped(void **state)
{
	(void)state;
	const char *toks[] = { "```json\n[", "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"", "}", ", ",
	                       "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}", "]", "\n```" };
	trace *full = mk("stop", toks, N(toks));
	trace *live = mk_live("repeat_stop", 4, toks, 5);
	assert_int_equal(trace_get_finish(live), TRACE_FINISH_POLICY);
	sample *sf = analyze(full, 1000, 1000), *sl = analyze(live, 1000, 1000);
	assert_int_equal(sample_termination(sl), TERM_STOPPED);
	assert_string_equal(termination_name(sample_termination(sl)), "stopped");
	assert_true(termination_ended(TERM_STOPPED) && termination_ended(TERM_CLOSED));
	assert_false(termination_ended(TERM_TRUNCATED) || termination_ended(TERM_MALFORMED));
	policy off = { POLICY_OFF, 0 }, rs = { POLICY_REPEAT_STOP, 0 };
	sample_outcome a = sample_outcome_for(sl, &off), b = sample_outcome_for(sf, &rs);
	assert_int_equal(a.term, TERM_STOPPED);
	assert_int_equal(b.term, TERM_STOPPED);
	assert_int_equal(a.tokens, 5);
	assert_int_equal(b.tokens, 5);
	assert_int_equal(a.rep.records, 2); /* the live trace keeps the duplicate that fired */
	assert_int_equal(a.rep.records, b.rep.records + 1);
	/* the same line without capture.stop_step is an ordinary stop: malformed */
	sample_free(sl);
	trace_free(live);
	const char *line = "{\"choices\": [{\"logprobs\": {\"content\": [{\"token\": \"[\", \"logprob\": -1}]},"
	                   " \"finish_reason\": \"stop\", \"stop_reason\": \"repeat_stop\"}]}";
	assert_int_equal(trace_parse_line(line, strlen(line), NULL, &live, &(ts_error){0}), TS_OK);
	sl = analyze(live, 0, 0);
	assert_int_equal(sample_termination(sl), TERM_MALFORMED);
	sample_free(sl);
	sample_free(sf);
	trace_free(live);
	trace_free(full);
}

/* A PaliGemma loc stream stopped live after the second (duplicate) record:
 * the end of the stream does not complete a trailing record (the model did
 * not stop by itself). */
static void test_live_stop_loc(void **state)
{
	(void)state;
	const char *toks[] = { "<loc0001><loc0002><loc0003><loc0004> a", ";", " <loc0001><loc0002><loc0003><loc0004> a",
	                       ";", " <loc0005><loc0006><loc0007><loc0008> b" };
	trace *live = mk_live("budget", 3, toks, N(toks));
	sample *s = analyze(live, 1024, 1024);
	assert_int_equal(sample_termination(s), TERM_STOPPED);
	assert_int_equal(sample_n_records(s), 2);
	sample_free(s);
	trace_free(live);
	/* the same steps ending by themselves: three records, closed */
	trace *t = mk("stop", toks, N(toks));
	s = analyze(t, 1024, 1024);
	assert_int_equal(sample_termination(s), TERM_CLOSED);
	assert_int_equal(sample_n_records(s), 3);
	sample_free(s);
	trace_free(t);
}

/* steps: 0 "```json\n[" 1 "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"" 2 "}" 3 ", "
 *        4 "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}" 5 "]" 6 "\n```"
 * Two identical records completing at steps 2 and 4; "]" at 5; stop. */
static void test_closed_list_with_duplicate(void **state)
{
	(void)state;
	const char *toks[] = { "```json\n[", "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"", "}", ", ",
	                       "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}", "]", "\n```" };
	trace *t = mk("stop", toks, N(toks));
	sample *s = analyze(t, 1000, 1000);
	assert_int_equal(sample_n_records(s), 2);
	assert_int_equal(sample_termination(s), TERM_CLOSED);
	assert_int_equal(sample_termination_step(s), 5);
	assert_int_equal(sample_records(s)[0].last_step, 2);
	assert_int_equal(sample_records(s)[1].last_step, 4);
	assert_int_equal(sample_repeat(s)->duplicates, 1);
	assert_int_equal(sample_repeat(s)->tail_start, 1);
	const sample_rec *ri = sample_rec_info(s);
	assert_int_equal(ri[1].dup_of, 0);
	assert_int_equal(ri[1].occurrence, 2);
	assert_int_equal(ri[0].total, 2);
	assert_true(ri[1].in_tail);
	assert_false(ri[0].in_tail);
	/* qwen3 on 1000x1000: numbers are pixels */
	assert_true(ri[0].box_ok);
	assert_true(ri[0].box[0] == 1.0 && ri[0].box[3] == 4.0);
	/* replay cursor: records completed at or before a step */
	assert_int_equal(sample_records_upto(s, -1), 0);
	assert_int_equal(sample_records_upto(s, 1), 0);
	assert_int_equal(sample_records_upto(s, 2), 1);
	assert_int_equal(sample_records_upto(s, 3), 1);
	assert_int_equal(sample_records_upto(s, 4), 2);
	assert_int_equal(sample_records_upto(s, 99), 2);

	policy rs = { POLICY_REPEAT_STOP, 0 };
	sample_outcome oc = sample_outcome_for(s, &rs);
	assert_true(oc.cut.fired);
	assert_int_equal(oc.cut.stop_step, 4);
	assert_int_equal(oc.cut.kept, 1);
	assert_int_equal(oc.tokens, 5);
	assert_int_equal(oc.term, TERM_STOPPED);
	assert_int_equal(oc.rep.duplicates, 0);
	assert_int_equal(oc.rep.max_repeat, 1);
	policy off = { POLICY_OFF, 0 };
	oc = sample_outcome_for(s, &off);
	assert_false(oc.cut.fired);
	assert_int_equal(oc.tokens, 7);
	assert_int_equal(oc.rep.max_repeat, 2);
	/* dedup keeps decoding (all 7 tokens) and drops the exact duplicate:
	 * 1 record left, no duplicates, termination unchanged (closed) */
	policy dd;
	ts_error err;
	assert_int_equal(policy_parse("dedup", &dd, &err), TS_OK);
	oc = sample_outcome_for(s, &dd);
	assert_int_equal(oc.tokens, 7);
	assert_int_equal(oc.rep.records, 1);
	assert_int_equal(oc.rep.duplicates, 0);
	assert_int_equal(oc.rep.max_repeat, 1);
	assert_int_equal(oc.term, TERM_CLOSED);
	sample_free(s);
	trace_free(t);
}

/* Model stopped but the list never closed: malformed. */
static void test_stop_without_close_is_malformed(void **state)
{
	(void)state;
	const char *toks[] = { "[", "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}" };
	trace *t = mk("stop", toks, N(toks));
	sample *s = analyze(t, 0, 0);
	assert_int_equal(sample_n_records(s), 1);
	assert_int_equal(sample_termination(s), TERM_MALFORMED);
	assert_int_equal(sample_termination_step(s), 1); /* last step */
	assert_false(sample_rec_info(s)[0].box_ok);       /* qwen3 needs the image size */
	sample_free(s);
	trace_free(t);
}

/* Junk between records: malformed even though "]" closed the list. */
static void test_junk_is_malformed(void **state)
{
	(void)state;
	const char *toks[] = { "[", "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}", " oops ",
	                       ", {\"bbox_2d\": [5, 6, 7, 8], \"label\": \"b\"}", "]" };
	trace *t = mk("stop", toks, N(toks));
	sample *s = analyze(t, 0, 0);
	assert_int_equal(sample_n_records(s), 2);
	assert_int_equal(sample_termination(s), TERM_MALFORMED);
	sample_free(s);
	trace_free(t);
}

/* Token limit mid-record: truncated; the partial record is not a record;
 * repeat_stop fires at the second record's "}" (step 3): stopped. */
static void test_truncated_mid_record(void **state)
{
	(void)state;
	const char *toks[] = { "[", "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}", ", ",
	                       "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"a\"}", ", ", "{\"bbox_2d\": [1, 2" };
	trace *t = mk("length", toks, N(toks));
	sample *s = analyze(t, 0, 0);
	assert_int_equal(sample_n_records(s), 2);
	assert_int_equal(sample_termination(s), TERM_TRUNCATED);
	assert_int_equal(sample_termination_step(s), 5);
	policy rs = { POLICY_REPEAT_STOP, 0 };
	sample_outcome oc = sample_outcome_for(s, &rs);
	assert_int_equal(oc.cut.stop_step, 3);
	assert_int_equal(oc.term, TERM_STOPPED);
	assert_int_equal(oc.tokens, 4);
	sample_free(s);
	trace_free(t);
}

/* PaliGemma loc list: the duplicate's ";" completes it at step 3; the final
 * record completes at the last step when the model stopped. */
static void test_loc_list(void **state)
{
	(void)state;
	const char *toks[] = { "<loc0100><loc0200><loc0300><loc0400> cat", " ;",
	                       " <loc0100><loc0200><loc0300><loc0400> cat", " ;",
	                       " <loc0010><loc0020><loc0030><loc0040> dog" };
	trace *t = mk("stop", toks, N(toks));
	sample *s = analyze(t, 1024, 512);
	assert_int_equal(sample_n_records(s), 3);
	assert_int_equal(sample_key(s), REC_KEY_LOC);
	assert_int_equal(sample_termination(s), TERM_CLOSED);
	assert_int_equal(sample_records(s)[0].last_step, 1);
	assert_int_equal(sample_records(s)[1].last_step, 3);
	assert_int_equal(sample_records(s)[2].last_step, 4);
	/* paligemma: y1 = 100/1024*512 = 50, x1 = 200/1024*1024 = 200,
	 * y2 = 300/1024*512 = 150, x2 = 400 */
	const sample_rec *ri = sample_rec_info(s);
	assert_true(ri[0].box_ok);
	assert_true(ri[0].box[0] == 200.0 && ri[0].box[1] == 50.0 && ri[0].box[2] == 400.0 &&
	            ri[0].box[3] == 150.0);
	policy rs = { POLICY_REPEAT_STOP, 0 };
	sample_outcome oc = sample_outcome_for(s, &rs);
	assert_int_equal(oc.cut.stop_step, 3);
	assert_int_equal(oc.cut.kept, 1);
	sample_free(s);
	trace_free(t);
}

/* sample_size_placed (the debugger analyses a sample once when the size
 * changed nothing): paligemma's loc tokens are relative, so a size places
 * them (1) and without one none is placed (0); "bbox" lists are xyxy pixels,
 * placed the same with or without a size (0). */
static void test_size_placed(void **state)
{
	(void)state;
	const char *loc[] = { "<loc0100><loc0200><loc0300><loc0400> cat" };
	const char *pix[] = { "[{\"bbox\": [1, 2, 3, 4], \"label\": \"a\"}]" };
	trace *tl = mk("stop", loc, N(loc)), *tp = mk("stop", pix, N(pix));
	sample *ls = analyze(tl, 1024, 512), *l0 = analyze(tl, 0, 0);
	sample *ps = analyze(tp, 1024, 512), *p0 = analyze(tp, 0, 0);
	assert_int_equal(sample_n_records(ls), 1);
	assert_int_equal(sample_n_records(ps), 1);
	assert_int_equal(sample_size_placed(ls), 1);
	assert_int_equal(sample_size_placed(l0), 0);
	assert_false(sample_rec_info(l0)[0].box_ok);
	assert_int_equal(sample_size_placed(ps), 0);
	assert_int_equal(sample_size_placed(p0), 0);
	assert_true(sample_rec_info(p0)[0].box_ok && sample_rec_info(ps)[0].box_ok);
	assert_true(sample_rec_info(p0)[0].box[2] == 3.0 && sample_rec_info(ps)[0].box[2] == 3.0);
	sample_free(ls);
	sample_free(l0);
	sample_free(ps);
	sample_free(p0);
	trace_free(tl);
	trace_free(tp);
}

/* Cut off by the token limit inside the last loc record's label: that record
 * is not complete. */
static void test_loc_truncated(void **state)
{
	(void)state;
	const char *toks[] = { "<loc0100><loc0200><loc0300><loc0400> cat ;", " <loc0010><loc0020><loc0030><loc0040> do" };
	trace *t = mk("length", toks, N(toks));
	sample *s = analyze(t, 1024, 1024);
	assert_int_equal(sample_n_records(s), 1);
	assert_int_equal(sample_termination(s), TERM_TRUNCATED);
	sample_free(s);
	trace_free(t);
}

/* Moondream's prompt grammar: "Detect: X" / "Point: X", the word in any
 * case, white space around trimmed, one line. */
static void test_prompt_query(void **state)
{
	(void)state;
	const char *q;
	size_t n;
	assert_true(sample_prompt_query("\n\nDetect: bird nest\n\n", &q, &n));
	assert_int_equal(n, 9);
	assert_memory_equal(q, "bird nest", 9);
	assert_true(sample_prompt_query("point:insulator", &q, &n));
	assert_int_equal(n, 9);
	assert_memory_equal(q, "insulator", 9);
	assert_false(sample_prompt_query("Detect:   ", &q, &n));          /* no object */
	assert_false(sample_prompt_query("Detect: a\nOutput JSON", &q, &n)); /* two lines */
	assert_false(sample_prompt_query("Detect every insulator.", &q, &n)); /* no colon */
	assert_false(sample_prompt_query("Please detect: a", &q, &n));     /* not at the start */
	assert_false(sample_prompt_query(NULL, &q, &n));
}

/* A Moondream answer to "Detect: insulator" on a 100x100 image whose ground
 * truth holds insulators A [10,10,20,20] and B [50,50,60,60] (COCO x,y,w,h)
 * and damper C [80,80,10,10].  Records (0-1, x first): r0 0.10,0.10,0.30,0.30
 * = A exactly (TP), r1 0.80,0.80,0.90,0.90 = C's box but the request asked
 * for insulators (FP: C is a damper), r2 = r0 again (a duplicate: FP).
 * Counted per class: TP 1, FP 2, FN 1 (B; C is not an insulator and does not
 * count).  Without the query the labels are "" and match nothing: TP 0, FP 3,
 * FN 3. */
static void test_moondream_query(void **state)
{
	(void)state;
	static const char gtj[] =
		"{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 100, \"height\": 100}],"
		" \"categories\": [{\"id\": 1, \"name\": \"insulator\"}, {\"id\": 2, \"name\": \"damper\"}],"
		" \"annotations\": ["
		"{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [10, 10, 20, 20]},"
		"{\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"bbox\": [50, 50, 10, 10]},"
		"{\"id\": 3, \"image_id\": 1, \"category_id\": 2, \"bbox\": [80, 80, 10, 10]}]}";
	gt *g = NULL;
	ts_error err;
	assert_int_equal(gt_load_buffer(gtj, strlen(gtj), "gt.json", &g, NULL, &err), TS_OK);
	const gt_image *img = gt_find_image_id(g, 1);
	assert_non_null(img);
	const char *toks[] = { "{\"objects\": [",
	                       "{\"x_min\": 0.1, \"y_min\": 0.1, \"x_max\": 0.3, \"y_max\": 0.3}", ", ",
	                       "{\"x_min\": 0.8, \"y_min\": 0.8, \"x_max\": 0.9, \"y_max\": 0.9}", ", ",
	                       "{\"x_min\": 0.1, \"y_min\": 0.1, \"x_max\": 0.3, \"y_max\": 0.3}", "]}" };
	analysis_opts o;
	analysis_opts_default(&o);
	policy off;
	assert_int_equal(policy_parse("off", &off, &err), TS_OK);
	for (int with = 0; with < 2; with++) {
		trace *t = mk_p("stop", with ? "Detect: insulator" : "Find the insulators.", toks, N(toks));
		sample *s = NULL;
		assert_int_equal(sample_analyze(t, g, img, 0, 0, &o, &s, &err), TS_OK);
		assert_int_equal(sample_n_records(s), 3);
		assert_int_equal(sample_records(s)[0].label_len, 0); /* the model wrote no label */
		size_t ql;
		int fq;
		if (with) {
			assert_string_equal(sample_query(s, &ql), "insulator");
			assert_int_equal(ql, 9);
			assert_int_equal(sample_gt_cat(s), 0);
			assert_string_equal(sample_rec_label(s, 1, &fq), "insulator");
			assert_int_equal(fq, 1);
			assert_int_equal(sample_rec_label_len(s, 1), 9);
		} else {
			assert_null(sample_query(s, &ql));
			assert_int_equal(sample_gt_cat(s), -1);
			assert_string_equal(sample_rec_label(s, 1, &fq), "");
			assert_int_equal(fq, 0);
		}
		const sample_rec *ri = sample_rec_info(s);
		assert_int_equal(ri[0].cat, with ? 0 : -1);
		assert_int_equal(ri[0].match[0], with ? MATCH_TP : MATCH_FP);
		assert_int_equal(ri[1].match[0], MATCH_FP);
		sample_outcome oc = sample_outcome_for(s, &off);
		assert_int_equal(oc.counts[0].tp, with ? 1 : 0);
		assert_int_equal(oc.counts[0].fp, with ? 2 : 3);
		assert_int_equal(oc.counts[0].fn, with ? 1 : 3);
		/* dedup drops r2 and matches again: per class TP 1, FP 1, FN 1 */
		policy dd;
		assert_int_equal(policy_parse("dedup", &dd, &err), TS_OK);
		oc = sample_outcome_for(s, &dd);
		assert_int_equal(oc.counts[0].tp, with ? 1 : 0);
		assert_int_equal(oc.counts[0].fp, with ? 1 : 2);
		assert_int_equal(oc.counts[0].fn, with ? 1 : 3);
		sample_free(s);
		trace_free(t);
	}
	/* the run's request (run.json "object") when the prompt is none; a
	 * prompt's own request wins: "Detect: damper" -> r1 = C is the TP, only C
	 * counts: TP 1, FP 2, FN 0 */
	o.object = "insulator";
	for (int own = 0; own < 2; own++) {
		trace *t = mk_p("stop", own ? "Detect: damper" : NULL, toks, N(toks));
		sample *s = NULL;
		assert_int_equal(sample_analyze(t, g, img, 0, 0, &o, &s, &err), TS_OK);
		assert_string_equal(sample_query(s, NULL), own ? "damper" : "insulator");
		assert_int_equal(sample_gt_cat(s), own ? 1 : 0);
		sample_outcome oc = sample_outcome_for(s, &off);
		assert_int_equal(oc.counts[0].tp, 1);
		assert_int_equal(oc.counts[0].fp, 2);
		assert_int_equal(oc.counts[0].fn, own ? 0 : 1);
		assert_int_equal(sample_rec_info(s)[1].match[0], own ? MATCH_TP : MATCH_FP);
		sample_free(s);
		trace_free(t);
	}
	gt_free(g);
}

static void test_iou_list(void **state)
{
	(void)state;
	analysis_opts o;
	analysis_opts_default(&o);
	ts_error err;
	assert_int_equal(analysis_parse_iou("0.3,0.5,0.75", &o, &err), TS_OK);
	assert_int_equal(o.n_iou, 3);
	assert_true(o.iou[2] == 0.75);
	assert_int_equal(analysis_parse_iou("0.3,,0.5", &o, &err), TS_ERR_USAGE);
	assert_int_equal(analysis_parse_iou("1.5", &o, &err), TS_ERR_USAGE);
	assert_int_equal(analysis_parse_iou("abc", &o, &err), TS_ERR_USAGE);
	assert_int_equal(o.n_iou, 3); /* unchanged after errors */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closed_list_with_duplicate),
		cmocka_unit_test(test_stop_without_close_is_malformed),
		cmocka_unit_test(test_junk_is_malformed),
		cmocka_unit_test(test_truncated_mid_record),
		cmocka_unit_test(test_loc_list),
		cmocka_unit_test(test_loc_truncated),
		cmocka_unit_test(test_size_placed),
		cmocka_unit_test(test_iou_list),
		cmocka_unit_test(test_prompt_query),
		cmocka_unit_test(test_moondream_query),
		cmocka_unit_test(test_live_stop_is_stopped),
		cmocka_unit_test(test_live_stop_loc),
	};
	return cmocka_run_group_tests_name("sample", tests, NULL, NULL);
}
