/* replay.c — replay cursor (see replay.h). */
#include "replay.h"

long replay_last(const replay *r)
{
	if (r->n_steps <= 0)
		return -1;
	if (r->policy_on && r->fired && r->stop_step >= 0 && r->stop_step < r->n_steps)
		return r->stop_step;
	return r->n_steps - 1;
}

long replay_len(const replay *r)
{
	return replay_last(r) + 1;
}

void replay_set(replay *r, long step)
{
	long last = replay_last(r);
	if (last < 0) {
		r->cursor = -1;
		return;
	}
	if (step < 0)
		step = 0;
	if (step > last)
		step = last;
	r->cursor = step;
}

void replay_step(replay *r, long delta)
{
	long c = r->cursor;
	/* saturating add */
	if (delta > 0 && c > (long)((~0UL) >> 1) - delta)
		c = (long)((~0UL) >> 1);
	else
		c += delta;
	replay_set(r, c);
}

void replay_home(replay *r)
{
	replay_set(r, 0);
}

void replay_end(replay *r)
{
	replay_set(r, replay_last(r));
}

long replay_next_boundary(replay *r)
{
	for (size_t i = 0; i < r->n_rec; i++)
		if ((long)r->rec_last[i] > r->cursor && (long)r->rec_last[i] <= replay_last(r)) {
			replay_set(r, (long)r->rec_last[i]);
			return r->cursor;
		}
	replay_end(r);
	return r->cursor;
}

long replay_prev_boundary(replay *r)
{
	for (size_t i = r->n_rec; i-- > 0;)
		if ((long)r->rec_last[i] < r->cursor) {
			replay_set(r, (long)r->rec_last[i]);
			return r->cursor;
		}
	replay_home(r);
	return r->cursor;
}

long replay_termination_point(const replay *r)
{
	long p;

	if (r->n_steps <= 0)
		return -1;
	if (r->policy_on && r->fired && r->stop_step >= 0)
		p = r->stop_step;
	else if (r->closed && r->term_step >= 0)
		p = r->term_step;
	else if (r->tail_first >= 0 && (size_t)r->tail_first < r->n_rec)
		p = (long)r->rec_first[r->tail_first];
	else
		p = r->n_steps - 1;
	if (p > replay_last(r))
		p = replay_last(r);
	return p;
}

size_t replay_records_upto(const replay *r, long step)
{
	/* rec_last is non-decreasing: binary search for the first > step */
	size_t lo = 0, hi = r->n_rec;
	if (step < 0)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((long)r->rec_last[mid] <= step)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t replay_visible(const replay *r)
{
	size_t n = replay_records_upto(r, r->cursor);
	if (r->policy_on && r->fired && n > r->kept)
		n = r->kept;
	return n;
}

void replay_set_policy(replay *r, int on)
{
	int at_end = r->cursor == replay_last(r);
	r->policy_on = on ? 1 : 0;
	if (at_end)
		replay_end(r);
	else
		replay_set(r, r->cursor);
}

long replay_record_at(const replay *r, long step)
{
	for (size_t i = 0; i < r->n_rec; i++) {
		if ((long)r->rec_first[i] > step)
			break;
		if ((long)r->rec_last[i] >= step)
			return (long)i;
	}
	return -1;
}

int replay_dropped(const replay *r, size_t rec)
{
	if (!r->policy_on)
		return 0;
	if (r->fired && rec >= r->kept)
		return 1;
	return r->drop_dups && r->dup && rec < r->n_rec && r->dup[rec];
}
