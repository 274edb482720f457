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

#endif
