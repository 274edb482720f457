/* json_util.c — see json_util.h. */
#include "json_util.h"

#include <cJSON.h>

int json_util_too_deep(const char *s, size_t len, size_t at)
{
	if (at >= len || (s[at] != '[' && s[at] != '{'))
		return 0;
	size_t depth = 0;
	int in_str = 0;
	for (size_t i = 0; i < at; i++) {
		char ch = s[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == '[' || ch == '{') {
			depth++;
		} else if ((ch == ']' || ch == '}') && depth) {
			depth--;
		}
	}
	return depth >= CJSON_NESTING_LIMIT;
}
