/* limits_opt.h — `--limit NAME=VALUE`: one parser for every limit on
 * untrusted input, shared by the commands (report, the debugger). */
#ifndef TS_LIMITS_OPT_H
#define TS_LIMITS_OPT_H

#include "records.h"
#include "render.h"
#include "status.h"
#include "trace.h"

typedef struct limits_set {
	trace_limits trace;  /* line_bytes, steps, alts, token_bytes */
	recparse_limits rec; /* records, label_bytes, number_chars, depth */
	render_limits image; /* image_dim, image_pixels, image_bytes */
} limits_set;

void limits_set_default(limits_set *l);

/* Parses "NAME=VALUE" (VALUE a positive whole number, with an optional
 * k/M/G suffix: powers of 1024) into l.  Unknown names and bad values are
 * TS_ERR_USAGE naming them. */
ts_status limits_set_parse(limits_set *l, const char *spec, ts_error *err);

/* One line per limit: name, default, meaning (for --help). */
extern const char limits_help[];

#endif
