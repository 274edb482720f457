/* calib.c — ECE and the reliability bins (see calib.h). */
#include "calib.h"

#include <math.h>
#include <string.h>

void calib_init(calib *c) { memset(c, 0, sizeof *c); }

int calib_bin(double p)
{
	int b = (int)floor(p * CALIB_BINS);
	if (b < 0)
		b = 0;
	if (b >= CALIB_BINS)
		b = CALIB_BINS - 1;
	return b;
}

void calib_add(calib *c, double score, int is_tp)
{
	if (isnan(score))
		return;
	double p = exp(score);
	if (!(p >= 0))
		return;
	if (p > 1)
		p = 1;
	int b = calib_bin(p);
	c->n[b]++;
	c->tp[b] += is_tp != 0;
	c->sum_p[b] += p;
}

size_t calib_total(const calib *c)
{
	size_t t = 0;
	for (int b = 0; b < CALIB_BINS; b++)
		t += c->n[b];
	return t;
}

double calib_conf(const calib *c, int b)
{
	return c->n[b] ? c->sum_p[b] / (double)c->n[b] : NAN;
}

double calib_acc(const calib *c, int b)
{
	return c->n[b] ? (double)c->tp[b] / (double)c->n[b] : NAN;
}

double calib_ece(const calib *c)
{
	size_t total = calib_total(c);
	if (!total)
		return NAN;
	double e = 0;
	for (int b = 0; b < CALIB_BINS; b++)
		if (c->n[b])
			e += (double)c->n[b] / (double)total * fabs(calib_acc(c, b) - calib_conf(c, b));
	return e;
}
