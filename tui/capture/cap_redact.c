/* cap_redact.c — credentials out of URLs in text (see cap_redact.h). */
#include "cap_redact.h"

#include <ctype.h>
#include <string.h>

int cap_redact_secret_key(const char *k, size_t n)
{
	static const char *const words[] = { "key", "token", "secret", "pass",
	                                     "auth", "sig", "cred", "session" };
	for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
		size_t m = strlen(words[w]);
		for (size_t i = 0; i + m <= n; i++)
			if (!strncasecmp(k + i, words[w], m))
				return 1;
	}
	return 0;
}

typedef struct outbuf {
	char *p;
	size_t len, cap;
} outbuf;

static void put(outbuf *o, const char *s, size_t n)
{
	while (n-- && o->len + 1 < o->cap)
		o->p[o->len++] = *s++;
	o->p[o->len] = '\0';
}

static int url_end_char(char c)
{
	return !c || isspace((unsigned char)c) || c == '"' || c == '\'' || c == '<' || c == '>';
}

/* One URL u[0..n) (after "scheme://"): authority, then path, query, fragment. */
static void put_url(outbuf *o, const char *u, size_t n)
{
	size_t a = 0;
	while (a < n && u[a] != '/' && u[a] != '?' && u[a] != '#')
		a++;
	const char *at = NULL;
	for (size_t i = 0; i < a; i++)
		if (u[i] == '@')
			at = u + i;
	if (at) {
		put(o, CAP_REDACTED, strlen(CAP_REDACTED));
		put(o, at, (size_t)(u + a - at));
	} else {
		put(o, u, a);
	}
	size_t i = a;
	while (i < n && u[i] != '?')
		i++;
	put(o, u + a, i - a);
	while (i < n && u[i] != '#') { /* u[i] is '?' or '&' or ';' */
		put(o, u + i, 1);
		size_t k = ++i;
		while (i < n && u[i] != '&' && u[i] != ';' && u[i] != '#' && u[i] != '=')
			i++;
		put(o, u + k, i - k);
		if (i < n && u[i] == '=') {
			size_t v = ++i;
			while (i < n && u[i] != '&' && u[i] != ';' && u[i] != '#')
				i++;
			put(o, "=", 1);
			if (cap_redact_secret_key(u + k, v - 1 - k))
				put(o, CAP_REDACTED, strlen(CAP_REDACTED));
			else
				put(o, u + v, i - v);
		}
	}
	put(o, u + i, n - i);
}

char *cap_redact(const char *text, char *out, size_t outsz)
{
	if (!outsz)
		return out;
	outbuf o = { out, 0, outsz };
	out[0] = '\0';
	const char *p = text;
	for (;;) {
		const char *m = strstr(p, "://");
		if (!m) {
			put(&o, p, strlen(p));
			break;
		}
		put(&o, p, (size_t)(m + 3 - p));
		const char *u = m + 3, *e = u;
		while (!url_end_char(*e))
			e++;
		put_url(&o, u, (size_t)(e - u));
		p = e;
	}
	return out;
}
