/* syntax_qwen2vl.c — Qwen2-VL grounding:
 * <|object_ref_start|>label<|object_ref_end|><|box_start|>(x1,y1),(x2,y2)<|box_end|>,
 * relative 0-1000, x first. */
#include "syntax.h"

static const refbox_conf conf = { "<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>",
                                  "<|box_end|>", RB_BRACKETS, NULL, NULL };

static void start(recparse *p, void *st)
{
	refbox_start(p, st, &conf, REC_KEY_QWEN2VL);
}

const rec_syntax recsyn_qwen2vl = {
	.key = REC_KEY_QWEN2VL, .name = "qwen2vl", .family = "Qwen2-VL", .coords = "qwen3",
	.n_values = 4, .marker = "<|object_ref_start|>", .state_size = REFBOX_STATE_SIZE,
	.start = start, .byte = refbox_byte, .finish = refbox_finish,
	.end_tag = "<|box_end|>", .done_chars = "])",
};
