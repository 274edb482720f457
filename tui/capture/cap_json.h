/* cap_json.h — an allocation-free, validating pull scanner over one JSON
 * text (an SSE event's data), for the capture hot path: one pass, spans into
 * the input instead of a tree.
 *
 * Strict RFC 8259: strings must be well-formed UTF-8 with valid escapes (a
 * \u escape of a lone surrogate is an error), numbers follow the grammar,
 * nesting is capped at CAP_JSON_MAX_DEPTH.  After an error every call fails
 * (err is sticky).
 */
#ifndef TS_CAP_JSON_H
#define TS_CAP_JSON_H

#include <stddef.h>

#define CAP_JSON_MAX_DEPTH 64

typedef enum {
	CJ_NONE = 0, CJ_OBJ, CJ_ARR, CJ_STR, CJ_NUM, CJ_TRUE, CJ_FALSE, CJ_NULL,
} cj_type;

typedef struct cj {
	const char *p, *end;
	int depth;
	int err;
	unsigned char first[CAP_JSON_MAX_DEPTH + 1]; /* no member/element read yet at this level */
} cj;

void    cj_init(cj *j, const char *s, size_t n);
cj_type cj_peek(cj *j);               /* type of the next value (skips white space) */
/* Skips one value (validating it); its span (without white space) in *s, *n. */
int     cj_skip(cj *j, const char **s, size_t *n);
/* Objects: cj_obj_begin, then cj_obj_next until it returns 0 (end).  After
 * a 1 the member's value is next: read it or cj_skip it. */
int     cj_obj_begin(cj *j);
int     cj_obj_next(cj *j, const char **key, size_t *klen); /* raw key bytes (no escapes decoded) */
int     cj_arr_begin(cj *j);
int     cj_arr_next(cj *j);            /* 1: an element is next; 0: end */
/* A string, decoded (UTF-8) into out[0..cap); *n its length.  Returns -1
 * on a syntax error, -2 when it does not fit (the scanner still moves past it). */
int     cj_str(cj *j, char *out, size_t cap, size_t *n);
int     cj_num(cj *j, double *v);
/* A whole number of 1-3 digits without sign, fraction or exponent. */
int     cj_small_uint(cj *j, unsigned *v);
int     cj_end(cj *j);                 /* only white space left */

#endif
