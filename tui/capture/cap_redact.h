/* cap_redact.h — credentials out of everything capture writes or prints.
 *
 * A --server URL may carry secrets: userinfo (http://user:PASSWORD@host) and
 * query-string keys (?api_key=..., &token=...).  run.json's "server" and every
 * message get the URL with both redacted; the request itself uses the URL as
 * given.  Headers (--header, --api-key-env) are never written anywhere. */
#ifndef TS_CAP_REDACT_H
#define TS_CAP_REDACT_H

#include <stddef.h>

#define CAP_REDACTED "REDACTED"

/* Is a query-string key one that holds a secret?  Case-insensitive: a key
 * containing "key", "token", "secret", "pass", "auth", "sig", "cred" or
 * "session" (api_key, key, token, access_token, password, X-Amz-Signature...). */
int cap_redact_secret_key(const char *k, size_t n);

/* Copies text into out[0..outsz) (always NUL-terminated when outsz > 0),
 * redacting in every URL it contains (each "scheme://" up to the next space,
 * quote or angle bracket) the userinfo (-> REDACTED@) and the value of every
 * secret query key (-> key=REDACTED).  Returns out. */
char *cap_redact(const char *text, char *out, size_t outsz);

#endif
