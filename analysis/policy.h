/* policy.h — stop policies replayed on a recorded trace.
 *
 * Every policy only truncates, so replaying a recorded trace under it is exact:
 * the kept prefix is what the model would have produced.
 *   off          keep everything
 *   repeat_stop  stop at the step that completes the first record that exactly
 *                duplicates an earlier one; that record and all after it are
 *                dropped, and the sample counts as closed
 *   budget:N     stop at the step that completes record N (1-based); records
 *                after it are dropped; closed (prompt-level budget replayed)
 */
#ifndef TS_POLICY_H
#define TS_POLICY_H

#include <stddef.h>

#include "records.h"
#include "status.h"

#define POLICY_KIND_LIST(X)              \
	X(POLICY_OFF,         "off")         \
	X(POLICY_REPEAT_STOP, "repeat_stop") \
	X(POLICY_BUDGET,      "budget")

typedef enum {
#define POLICY_KIND_ENUM(name, text) name,
	POLICY_KIND_LIST(POLICY_KIND_ENUM)
#undef POLICY_KIND_ENUM
	POLICY_KIND_COUNT
} policy_kind;

typedef struct policy {
	policy_kind kind;
	long n; /* budget */
} policy;

/* "off", "repeat_stop", "budget:12".  The canonical name is written into
 * name (at least 32 bytes) by policy_name. */
ts_status   policy_parse(const char *text, policy *out, ts_error *err);
const char *policy_name(const policy *p, char *buf, size_t bufsz);

typedef struct policy_cut {
	int fired;       /* the policy stopped decoding */
	size_t kept;     /* records kept */
	long stop_step;  /* step where it fired, -1 when it did not */
} policy_cut;

/* first_dup: from repeat_analyze (-1 none). */
policy_cut policy_apply(const policy *p, const record *recs, size_t n, long first_dup);

#endif
