/* syntax_deepseek.c — DeepSeek-VL2 grounding:
 * <|ref|>label<|/ref|><|det|>[[x1,y1,x2,y2],[...]]<|/det|>, 0-999, x first. */
#include "syntax.h"

static const refbox_conf conf = { "<|ref|>", "<|/ref|>", "<|det|>", "<|/det|>", RB_BRACKETS, NULL, NULL };

static void start(recparse *p, void *st)
{
	refbox_start(p, st, &conf, REC_KEY_DEEPSEEK);
}

const rec_syntax recsyn_deepseek = {
	.key = REC_KEY_DEEPSEEK, .name = "deepseek", .family = "DeepSeek-VL2", .coords = "deepseek",
	.n_values = 4, .marker = "<|ref|>", .state_size = REFBOX_STATE_SIZE,
	.start = start, .byte = refbox_byte, .finish = refbox_finish,
	.end_tag = "<|/det|>", .done_chars = "])",
};
