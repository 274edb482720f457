/* calib.h — calibration of the record scores against TP at IoU 0.5.
 *
 * A record's score (confidence.h: mean or min logprob, <= 0) is mapped to
 * [0,1] by p = exp(score) (the geometric mean, or the least, of its tokens'
 * probabilities).  Binning: CALIB_BINS = 10 equal-width bins over [0,1],
 * bin b holds b/10 <= p < (b+1)/10, the last bin also p = 1.  Records without
 * a score (NAN) are left out, and so are records absorbed by a crowd box.
 *   ECE = sum over bins of (n_b / N) * |acc_b - conf_b|
 * with acc_b = TP fraction of the bin, conf_b = mean p of the bin, N = all
 * binned records (NAN when N = 0).  The reliability diagram is acc_b against
 * conf_b per non-empty bin.
 */
#ifndef TS_CALIB_H
#define TS_CALIB_H

#include <stddef.h>

#define CALIB_BINS 10
#define CALIB_IOU 0.5

typedef struct calib {
	size_t n[CALIB_BINS], tp[CALIB_BINS];
	double sum_p[CALIB_BINS];
} calib;

void   calib_init(calib *c);
/* score: a logprob score (NAN: ignored); is_tp at CALIB_IOU. */
void   calib_add(calib *c, double score, int is_tp);
int    calib_bin(double p);            /* bin of p in [0,1] */
size_t calib_total(const calib *c);
double calib_ece(const calib *c);      /* NAN when empty */
/* Bin b's mean p and TP fraction (NAN when empty). */
double calib_conf(const calib *c, int b);
double calib_acc(const calib *c, int b);

#endif
