/* cap_sse.c — SSE framing (see cap_sse.h). */
#include "cap_sse.h"

#include <string.h>

void cap_sse_init(cap_sse *s, size_t max_event)
{
	memset(s, 0, sizeof *s);
	cap_buf_init(&s->line, max_event + 16);
	cap_buf_init(&s->data, max_event);
}

void cap_sse_free(cap_sse *s)
{
	cap_buf_free(&s->line);
	cap_buf_free(&s->data);
}

void cap_sse_reset(cap_sse *s)
{
	cap_buf_reset(&s->line);
	cap_buf_reset(&s->data);
	s->have_data = 0;
	s->last_cr = 0;
	s->st = CAP_SSE_OK;
	s->events = 0;
}

size_t cap_sse_pending(const cap_sse *s)
{
	return s->line.len + (s->have_data ? s->data.len + 1 : 0);
}

/* One complete line (without its end). */
static void on_line(cap_sse *s, const char *l, size_t n, cap_sse_fn fn, void *ud)
{
	if (n == 0) {
		if (s->have_data) {
			s->events++;
			if (cap_buf_terminate(&s->data) || fn(ud, s->data.p, s->data.len))
				s->st = s->data.over ? CAP_SSE_TOOBIG : CAP_SSE_STOP;
		}
		cap_buf_reset(&s->data);
		s->have_data = 0;
		return;
	}
	if (l[0] == ':')
		return;
	if (n < 5 || memcmp(l, "data", 4) != 0 || (n > 4 && l[4] != ':')) {
		/* another field ("event", "id", "retry", unknown), or "data" alone */
		if (n == 4 && !memcmp(l, "data", 4)) {
			if (s->have_data && cap_buf_add(&s->data, "\n", 1))
				s->st = CAP_SSE_TOOBIG;
			s->have_data = 1;
		}
		return;
	}
	const char *v = l + 5;
	size_t vn = n - 5;
	if (vn && *v == ' ') {
		v++;
		vn--;
	}
	if ((s->have_data && cap_buf_add(&s->data, "\n", 1)) || cap_buf_add(&s->data, v, vn))
		s->st = CAP_SSE_TOOBIG;
	s->have_data = 1;
}

cap_sse_status cap_sse_feed(cap_sse *s, const char *p, size_t n, cap_sse_fn fn, void *ud)
{
	size_t i = 0;
	if (s->last_cr && n && p[0] == '\n')
		i = 1;
	s->last_cr = 0;
	while (i < n && s->st == CAP_SSE_OK) {
		/* find the next CR or LF */
		const char *lf = memchr(p + i, '\n', n - i);
		size_t end = lf ? (size_t)(lf - p) : n;
		const char *cr = memchr(p + i, '\r', end - i);
		if (cr)
			end = (size_t)(cr - p);
		if (end == n) { /* no line end in this piece: keep the bytes */
			if (cap_buf_add(&s->line, p + i, n - i))
				s->st = CAP_SSE_TOOBIG;
			break;
		}
		size_t next = end + 1;
		if (p[end] == '\r') {
			if (next < n && p[next] == '\n')
				next++;
			else if (next == n)
				s->last_cr = 1;
		}
		if (s->line.len) {
			if (cap_buf_add(&s->line, p + i, end - i)) {
				s->st = CAP_SSE_TOOBIG;
				break;
			}
			on_line(s, s->line.p, s->line.len, fn, ud);
			cap_buf_reset(&s->line);
		} else {
			on_line(s, p + i, end - i, fn, ud);
		}
		i = next;
	}
	return s->st;
}
