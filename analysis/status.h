/* status.h — errors are values.
 *
 * Every fallible function in tailscope returns a ts_status and, when given a
 * ts_error, fills it with a one-line human message.  Messages may quote untrusted
 * input verbatim: whoever prints them must pass them through sanitize (see
 * sanitize.h).  Nothing in analysis/ or render/ prints or exits.
 */
#ifndef TS_STATUS_H
#define TS_STATUS_H

#include <stddef.h>

#define TS_STATUS_LIST(X)                                   \
	X(TS_OK,           "ok")                            \
	X(TS_EOF,          "end of input")                  \
	X(TS_ERR_IO,       "I/O error")                     \
	X(TS_ERR_NOMEM,    "out of memory")                 \
	X(TS_ERR_JSON,     "malformed JSON")                \
	X(TS_ERR_FORMAT,   "unrecognised format")           \
	X(TS_ERR_FIELD,    "missing or invalid field")      \
	X(TS_ERR_LIMIT,    "limit exceeded")                \
	X(TS_ERR_UTF8,     "invalid UTF-8")                 \
	X(TS_ERR_IMAGE,    "bad image")                     \
	X(TS_ERR_NOTFOUND, "not found")                     \
	X(TS_ERR_USAGE,    "bad usage")

typedef enum {
#define TS_STATUS_ENUM(name, text) name,
	TS_STATUS_LIST(TS_STATUS_ENUM)
#undef TS_STATUS_ENUM
	TS_STATUS_COUNT
} ts_status;

#define TS_ERROR_MSG_MAX 512

typedef struct ts_error {
	ts_status code;
	char msg[TS_ERROR_MSG_MAX];
} ts_error;

/* Short text for a status ("malformed JSON"). Never NULL. */
const char *ts_status_text(ts_status s);

/* Fills err (if not NULL) with code and a printf-formatted message; returns code.
 * The message is truncated to fit. */
ts_status ts_error_set(ts_error *err, ts_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Resets err to TS_OK with an empty message. */
void ts_error_clear(ts_error *err);

#endif
