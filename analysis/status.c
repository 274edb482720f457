#include "status.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const status_texts[] = {
#define TS_STATUS_TEXT(name, text) text,
	TS_STATUS_LIST(TS_STATUS_TEXT)
#undef TS_STATUS_TEXT
};

const char *ts_status_text(ts_status s)
{
	if ((unsigned)s >= TS_STATUS_COUNT)
		return "unknown status";
	return status_texts[s];
}

ts_status ts_error_set(ts_error *err, ts_status code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

void ts_error_clear(ts_error *err)
{
	if (err) {
		err->code = TS_OK;
		err->msg[0] = '\0';
	}
}
