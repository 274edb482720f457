/* overlay_sweep.c — the policy sweep of the current run (O): every policy of
 * the `o` cycle side by side, the run's numbers from session_run.m (the same
 * run_metrics report prints) and where each would stop on the sample on
 * screen (sample_outcome_for).  The timeline's sparkline marks those stops
 * with the policy's number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"

#define SW_HEAD "#  policy                       this sample  tokens_saved  F1@%-4g stopped false early  lost  unstopped"

/* One row of the table into buf. */
static void sweep_row(const ui_frame *f, size_t p, size_t j, char *buf, size_t sz)
{
	const session_run *r = f->run;
	const run_metrics *m = &r->m[p];
	char name[64], here[32] = "-", f1[16] = "-", lost[16] = "-";
	session_policy_name(f->s, p, name, sizeof name);
	if (f->ok) {
		/* the sample as the run's numbers count it (session_view.s_num) */
		const sample *sn = f->v->s_num ? f->v->s_num : f->v->s;
		sample_outcome oc = sample_outcome_for(sn, &f->s->pols[p]);
		if (oc.cut.fired)
			snprintf(here, sizeof here, "step %ld", oc.cut.stop_step + 1);
		else if (oc.cut.drop_dups)
			snprintf(here, sizeof here, "keeps %zu", oc.rep.records);
	}
	if (m->n_iou && r->g) {
		snprintf(f1, sizeof f1, "%.3f", m->prf[j].f1);
		snprintf(lost, sizeof lost, "%zu", m->tp_lost[j]);
	}
	snprintf(buf, sz, "%zu  %-28.28s %11s %13zu %7s %7zu %5zu %5zu %5s %10zu", p, name, here,
	         run_metrics_tokens_saved(m), f1, m->stopped, m->false_stops, m->early_stops, lost,
	         m->tails_unstopped);
}

static void sweep_draw(ui *u, const ui_frame *f)
{
	if (!f->run)
		return;
	const session_run *r = f->run;
	size_t j = r->hit_iou < r->m[0].n_iou ? r->hit_iou : 0;
	char head[160], line[200];
	snprintf(head, sizeof head, SW_HEAD, r->m[0].n_iou ? r->m[0].iou[j] : 0.5);
	int want = (int)strlen(head) + 4;
	WINDOW *o = draw_overlay_win(COMPARE_N_POL + 6, want < COLS - 2 ? want : COLS - 2);
	if (!o)
		return;
	int h, wd;
	getmaxyx(o, h, wd);
	draw_overlay_frame(u, o, " policy sweep: the o cycle on this run (O closes) ");
	attr_t a = draw_ca(u, CP_OVERLAY, 0, A_NORMAL);
	int y = 1;
	char sub[160];
	snprintf(sub, sizeof sub, "%zu of %zu samples counted%s", r->m[0].samples, r->n,
	         r->n_done < r->n ? " (computing)" : "");
	draw_put(o, y++, 2, wd - 4, sub, a);
	draw_put(o, y++, 2, wd - 4, head, a | A_BOLD);
	for (size_t p = 0; p < COMPARE_N_POL && y < h - 2; p++) {
		sweep_row(f, p, j, line, sizeof line);
		draw_put(o, y++, 2, wd - 4, line, (int)p == u->pol_idx ? (a | A_REVERSE) : a);
	}
	if (y < h - 1)
		draw_put(o, y, 2, wd - 4, wd - 4 < want - 4 ? "(cut: widen the terminal)"
		                                            : "the timeline marks each stop with its #",
		         a);
	wnoutrefresh(o);
	delwin(o);
}

const ui_view ui_overlay_sweep = {
	.name = "sweep", .id = UI_OV_SWEEP, .toggle = ACT_SWEEP, .win = -1, .rd = UI_RD_OVERLAY,
	.draw = sweep_draw, .requests = ui_overlay_requests,
};
