/* cap_sse.h — incremental Server-Sent Events reader (the framing only).
 *
 * Bytes arrive in any pieces; cap_sse_feed() calls on_event with the data of
 * every complete event (WHATWG EventSource rules, the subset the OpenAI
 * streaming API uses): lines end in LF, CRLF or CR; "data:" lines (one
 * optional space after the colon) are joined with "\n"; a blank line ends the
 * event; lines starting with ":" are comments; "event:", "id:", "retry:"
 * and other fields are ignored.  An event with no data line is not
 * dispatched.  Memory is bounded: an event whose data grows past max_event
 * bytes stops the reader (CAP_SSE_TOOBIG).  Bytes after a stop are ignored.
 */
#ifndef TS_CAP_SSE_H
#define TS_CAP_SSE_H

#include <stddef.h>

#include "cap_buf.h"

typedef enum {
	CAP_SSE_OK = 0,
	CAP_SSE_STOP,   /* on_event asked to stop */
	CAP_SSE_TOOBIG, /* an event over max_event bytes */
} cap_sse_status;

/* Returns 0 to go on, non-zero to stop the reader. */
typedef int (*cap_sse_fn)(void *ud, const char *data, size_t len);

typedef struct cap_sse {
	cap_buf line;   /* the current line, until its end is seen */
	cap_buf data;   /* the current event's data */
	int have_data;  /* a data line was seen in the current event */
	int last_cr;    /* the previous piece ended in CR (a following LF belongs to it) */
	cap_sse_status st;
	size_t events;  /* events dispatched */
} cap_sse;

void cap_sse_init(cap_sse *s, size_t max_event);
void cap_sse_free(cap_sse *s);
void cap_sse_reset(cap_sse *s);
cap_sse_status cap_sse_feed(cap_sse *s, const char *p, size_t n, cap_sse_fn fn, void *ud);
/* Bytes held that do not form a complete event yet (0: the stream ended at
 * an event boundary). */
size_t cap_sse_pending(const cap_sse *s);

#endif
