/* jscan.h — the one allocation-free, validating pull scanner over one JSON
 * text (an SSE event's data, a trace line), for the hot paths (capture, the
 * trace reader, the index): one pass, spans into the input instead of a tree.
 * cJSON stays for everything that is not a hot path.
 *
 * Strict RFC 8259: strings must be well-formed UTF-8 with valid escapes (a
 * \u escape of a lone surrogate is an error), numbers follow the grammar,
 * nesting is capped at JSCAN_MAX_DEPTH.  After an error every call fails
 * (err is sticky).
 */
#ifndef TS_JSCAN_H
#define TS_JSCAN_H

#include <stddef.h>
#include <string.h>

#define JSCAN_MAX_DEPTH 64

typedef enum {
	JSCAN_NONE = 0, JSCAN_OBJ, JSCAN_ARR, JSCAN_STR, JSCAN_NUM, JSCAN_TRUE, JSCAN_FALSE, JSCAN_NULL,
} jscan_type;

typedef struct jscan {
	const char *p, *end;
	int depth;
	int err;
	int nul;   /* jscan_str decoded a \u0000 (set, never cleared by the scanner) */
	unsigned char first[JSCAN_MAX_DEPTH + 1]; /* no member/element read yet at this level */
} jscan;

void    jscan_init(jscan *j, const char *s, size_t n);
/* type of the next value (skips white space); inline: the hot paths call it
 * before every value */
static inline jscan_type jscan_peek(jscan *j)
{
	if (j->err)
		return JSCAN_NONE;
	while (j->p < j->end && (unsigned char)*j->p <= ' ' &&
	       (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
		j->p++;
	if (j->p >= j->end)
		return JSCAN_NONE;
	switch (*j->p) {
	case '{': return JSCAN_OBJ;
	case '[': return JSCAN_ARR;
	case '"': return JSCAN_STR;
	case 't': return JSCAN_TRUE;
	case 'f': return JSCAN_FALSE;
	case 'n': return JSCAN_NULL;
	default:
		return (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) ? JSCAN_NUM : JSCAN_NONE;
	}
}
/* Skips one value (validating it); its span (without white space) in *s, *n. */
int     jscan_skip(jscan *j, const char **s, size_t *n);
/* Objects: jscan_obj_begin, then jscan_obj_next until it returns 0 (end).  After
 * a 1 the member's value is next: read it or jscan_skip it. */
int     jscan_obj_begin(jscan *j);
int     jscan_obj_next(jscan *j, const char **key, size_t *klen); /* raw key bytes (no escapes decoded) */
int     jscan_arr_begin(jscan *j);
int     jscan_arr_next(jscan *j);            /* 1: an element is next; 0: end */
/* A string, decoded (UTF-8) into out[0..cap); *n its length.  Returns -1
 * on a syntax error, -2 when it does not fit (the scanner still moves past it). */
int     jscan_str(jscan *j, char *out, size_t cap, size_t *n);
int     jscan_num(jscan *j, double *v);
/* Clinger's exact fast path for a number text already checked against
 * [-]? (D+ ('.' D*)? | '.' D+) ([eE] [+-]? D+)?: 1 with strtod's value, bit for
 * bit, or 0 when it is outside the path (the caller then uses strtod). */
int     jscan_fast_double(const char *s, size_t n, double *v);
/* A whole number of 1-3 digits without sign, fraction or exponent. */
int     jscan_small_uint(jscan *j, unsigned *v);
int     jscan_end(jscan *j);                 /* only white space left */
/* The bytes w[0..n) next, exactly (no white space skipped): 1 and past
 * them; else 0 and nothing moved (no error).  For readers of one compact
 * shape (keys, ':' and ',' written without spaces), which then read the
 * values with the calls above; the bytes must be JSON structure only. */
static inline int jscan_lit(jscan *j, const char *w, size_t n)
{
	if (j->err || (size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return 0;
	j->p += n;
	return 1;
}

#endif
