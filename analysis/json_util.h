/* json_util.h — small helpers shared by the cJSON-based readers (trace, gt). */
#ifndef TS_JSON_UTIL_H
#define TS_JSON_UTIL_H

#include <stddef.h>

/* cJSON refuses containers nested deeper than CJSON_NESTING_LIMIT and reports
 * it as a syntax error at the bracket that is one too deep.  Returns 1 when
 * the error position `at` in s[0..len) is such a bracket, so the message can
 * name the limit instead of "syntax error". */
int json_util_too_deep(const char *s, size_t len, size_t at);

/* Index just past the JSON string that opens at s[i] (a '"'); len when it
 * does not close. */
size_t json_util_string_end(const char *s, size_t len, size_t i);

/* An upper bound of the number of JSON values in s[0..len) (commas and
 * opening brackets outside strings, plus one; a member is one cJSON node
 * with its key), found without allocating: cJSON spends ~64 bytes per
 * value plus its key, so a reader can refuse a line that is too dense
 * before parsing it (JSON_UTIL_BYTES_PER_VALUE). */
size_t json_util_count_values(const char *s, size_t len);
/* Values allowed in a line of len bytes: one per 8 bytes (a real trace
 * line has 9 or more: a step {"token":"0","logprob":-1} is 3 values in 27
 * bytes), and at least 2,000,000 whatever the length (so a short dense line
 * still reaches the limits that name what is wrong, like max_steps): cJSON's
 * peak stays under ~14 times the line, or ~200 MB for a short line. */
#define JSON_UTIL_BYTES_PER_VALUE 8
#define JSON_UTIL_MIN_VALUES ((size_t)2000000)
#define JSON_UTIL_MAX_VALUES(len) \
	((len) / JSON_UTIL_BYTES_PER_VALUE > JSON_UTIL_MIN_VALUES ? (len) / JSON_UTIL_BYTES_PER_VALUE \
	                                                          : JSON_UTIL_MIN_VALUES)

/* 1 when s[0..len) is one JSON value (cJSON's grammar, jstream.h) followed
 * by white space only: after cJSON failed on it, the failure was memory. */
int json_util_valid(const char *s, size_t len);

#endif
