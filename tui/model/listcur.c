/* listcur.c — list cursor arithmetic (see listcur.h). */
#include "listcur.h"

void listcur_set(listcur *c, size_t row, size_t n)
{
	if (n == 0) {
		c->sel = 0;
		c->top = 0;
		return;
	}
	c->sel = row < n ? row : n - 1;
}

void listcur_move(listcur *c, long delta, size_t n)
{
	size_t row;

	if (delta < 0) {
		size_t d = (size_t)(-(delta + 1)) + 1; /* no overflow on LONG_MIN */
		row = d > c->sel ? 0 : c->sel - d;
	} else {
		size_t d = (size_t)delta;
		row = d > (size_t)-1 - c->sel ? (size_t)-1 : c->sel + d;
	}
	listcur_set(c, row, n);
}

void listcur_scroll(listcur *c, size_t n, size_t rows)
{
	listcur_set(c, c->sel, n);
	if (n == 0)
		return;
	if (rows == 0) {
		c->top = c->sel;
		return;
	}
	if (c->sel < c->top)
		c->top = c->sel;
	if (c->sel >= c->top + rows)
		c->top = c->sel - rows + 1;
	/* no empty space below the last row when the list is long enough */
	if (n >= rows && c->top > n - rows)
		c->top = n - rows;
	if (n < rows)
		c->top = 0;
}
