/* json_util.c — see json_util.h. */
#include "json_util.h"

#include <cJSON.h>
#include <string.h>

#include "jstream.h"

size_t json_util_string_end(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return len;
}

int json_util_too_deep(const char *s, size_t len, size_t at)
{
	if (at >= len || (s[at] != '[' && s[at] != '{'))
		return 0;
	size_t depth = 0;
	for (size_t i = 0; i < at; i++) {
		char ch = s[i];
		if (ch == '"') {
			i = json_util_string_end(s, at, i) - 1;
		} else if (ch == '[' || ch == '{') {
			depth++;
		} else if ((ch == ']' || ch == '}') && depth) {
			depth--;
		}
	}
	return depth >= CJSON_NESTING_LIMIT;
}

size_t json_util_count_values(const char *s, size_t len)
{
	size_t n = 1;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"') {
			/* to the closing quote: memchr, then step over escaped ones */
			for (;;) {
				const char *q = memchr(s + i + 1, '"', len - i - 1);
				if (!q)
					return n;
				size_t j = (size_t)(q - s), bs = 0;
				while (j - bs > i + 1 && s[j - bs - 1] == '\\')
					bs++;
				i = j;
				if (bs % 2 == 0)
					break;
			}
		} else if (c == ',' || c == '[' || c == '{') {
			n++;
		}
	}
	return n;
}

int json_util_valid(const char *s, size_t len)
{
	jstream js;
	js_init_buffer(&js, s, len);
	int ok = js_skip(&js, 0) && js_at_end(&js);
	js_free(&js);
	return ok;
}
