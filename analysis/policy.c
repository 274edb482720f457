/* policy.c — stop policies as truncations of a recorded trace. */
#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
#define POLICY_KIND_NAME(name, text) text,
	POLICY_KIND_LIST(POLICY_KIND_NAME)
#undef POLICY_KIND_NAME
};

ts_status policy_parse(const char *text, policy *out, ts_error *err)
{
	policy p = { POLICY_OFF, 0 };
	if (!strcmp(text, "off") || !strcmp(text, "none")) {
		p.kind = POLICY_OFF;
	} else if (!strcmp(text, "repeat_stop") || !strcmp(text, "repeat-stop")) {
		p.kind = POLICY_REPEAT_STOP;
	} else if (!strncmp(text, "budget:", 7)) {
		char *end;
		errno = 0;
		long n = strtol(text + 7, &end, 10);
		if (errno || end == text + 7 || *end || n < 1)
			return ts_error_set(err, TS_ERR_USAGE,
			                    "policy '%s': budget takes a whole number >= 1", text);
		p.kind = POLICY_BUDGET;
		p.n = n;
	} else {
		return ts_error_set(err, TS_ERR_USAGE,
		                    "unknown policy '%s' (off, repeat_stop, budget:N)", text);
	}
	*out = p;
	return TS_OK;
}

const char *policy_name(const policy *p, char *buf, size_t bufsz)
{
	if (p->kind == POLICY_BUDGET)
		snprintf(buf, bufsz, "budget:%ld", p->n);
	else
		snprintf(buf, bufsz, "%s", (unsigned)p->kind < POLICY_KIND_COUNT ? kind_names[p->kind] : "?");
	return buf;
}

policy_cut policy_apply(const policy *p, const record *recs, size_t n, long first_dup)
{
	policy_cut c = { 0, n, -1 };
	switch (p->kind) {
	case POLICY_REPEAT_STOP:
		if (first_dup >= 0 && (size_t)first_dup < n) {
			c.fired = 1;
			c.kept = (size_t)first_dup;
			c.stop_step = recs[first_dup].last_step;
		}
		break;
	case POLICY_BUDGET:
		if (p->n >= 1 && (size_t)p->n < n) {
			c.fired = 1;
			c.kept = (size_t)p->n;
			c.stop_step = recs[p->n - 1].last_step;
		}
		break;
	case POLICY_OFF:
	default:
		break;
	}
	return c;
}
