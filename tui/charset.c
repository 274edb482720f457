/* charset.c — UTF-8 or ASCII output, decided once from the locale.  See charset.h. */
#include "charset.h"
#include "sanitize.h"

#include <ctype.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ascii_only;
static char note[160];

/* The LC_CTYPE the caller asked for: LC_ALL, else LC_CTYPE, else LANG ("" if none). */
static const char *asked_ctype(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
		const char *v = getenv(vars[i]);
		if (v && v[0])
			return v;
	}
	return "";
}

/* "en_GB.UTF-8", "C.utf8", "xx.Utf-8": the codeset part names UTF-8 */
static int names_utf8(const char *name)
{
	char low[128];
	size_t i = 0;
	for (; name[i] && i < sizeof low - 1; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[i] = 0;
	return strstr(low, "utf-8") || strstr(low, "utf8");
}

static int codeset_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8") || !strcmp(cs, "utf-8"));
}

void charset_setup(void)
{
	static const char *const utf8_locales[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8"};
	setlocale(LC_ALL, "");
	ascii_only = 0;
	note[0] = 0;
	if (codeset_utf8())
		return;
	/* no locale at all, or a UTF-8 one that is not installed here (an SSH
	 * client's LANG=en_GB.UTF-8 on a server without it): a UTF-8 terminal */
	const char *asked = asked_ctype();
	if (!asked[0] || names_utf8(asked)) {
		for (size_t i = 0; i < sizeof utf8_locales / sizeof *utf8_locales; i++)
			if (setlocale(LC_CTYPE, utf8_locales[i]) && codeset_utf8())
				return;
		setlocale(LC_CTYPE, "");
		snprintf(note, sizeof note, "ASCII only: no UTF-8 locale installed");
	} else {
		char name[64];
		sanitize_cstr(asked, name, sizeof name, 24);
		snprintf(note, sizeof note, "ASCII only: locale %s is not UTF-8", name);
	}
	ascii_only = 1;
}

int charset_ascii(void)
{
	return ascii_only;
}

const char *charset_note(void)
{
	return note;
}
