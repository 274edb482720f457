/* json_util.c — see json_util.h. */
#include "json_util.h"

#include <cJSON.h>

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
