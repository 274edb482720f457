/* syntax_kosmos2.c — Kosmos-2 grounding:
 * <phrase>label</phrase><object><patch_index_0044><patch_index_0863></object>,
 * several boxes joined by </delimiter_of_multi_objects/>.  A record's two
 * numbers are the top-left and bottom-right patch indices (0-1023) of the
 * 32x32 grid, as emitted. */
#include "syntax.h"

static const refbox_conf conf = { "<phrase>", "</phrase>", "<object>", "</object>", RB_PATCHES,
                                  "<patch_index_####>", "</delimiter_of_multi_objects/>" };

static void start(recparse *p, void *st)
{
	refbox_start(p, st, &conf, REC_KEY_KOSMOS);
}

const rec_syntax recsyn_kosmos2 = {
	.key = REC_KEY_KOSMOS, .name = "kosmos2", .family = "Kosmos-2", .coords = "kosmos2",
	.n_values = 2, .marker = "<phrase>", .state_size = REFBOX_STATE_SIZE,
	.start = start, .byte = refbox_byte, .finish = refbox_finish,
	.end_tag = "</object>", .done_chars = ">",
};
