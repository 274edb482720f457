/* closep.h — "did the model consider closing the list here?"
 *
 * At a record boundary the model chooses between another record and the end
 * of the list.  The probability it gave to ending is the summed probability
 * of the end-of-list alternatives at the decision step:
 *   - a token whose text (after leading blanks) starts with "]",
 *   - a token containing "```" (closing fence),
 *   - an EOS-like token: empty text, <|im_end|>, <|endoftext|>, </s>, <eos>,
 *     <end_of_turn>, <|eot_id|>, <|end|>, <|end_of_text|>.
 * The decision step is the step after the record's completion step, unless
 * the completing token already carries text after its closing "}" (a merged
 * "}," or "}]" token): then it is that step itself, and an alternative counts
 * when its text after the first "}" is an end-of-list token.
 * Pure C over the trace accessors; no curses. */
#ifndef TS_CLOSEP_H
#define TS_CLOSEP_H

#include <stddef.h>

#include "trace.h"

/* 1 when the token text ends the list (rules above). */
int    closep_is_close(const char *tok, size_t len);
/* P(close) for the record completing at step rec_last; NAN when the trace has
 * no alternatives at the decision step (or the trace ends there). */
double closep_at(const trace *t, long rec_last);

#endif
