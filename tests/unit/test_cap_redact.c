/* test_cap_redact.c — credentials never leave capture (tui/capture/cap_redact.h):
 * the expected strings are written out by hand from RFC 3986's URL parts
 * (userinfo before '@' in the authority; key=value pairs after '?'). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "capture/cap_redact.h"

static void expect(const char *in, const char *want)
{
	char out[512];
	cap_redact(in, out, sizeof out);
	assert_string_equal(out, want);
}

static void test_userinfo(void **st)
{
	(void)st;
	expect("http://user:PASSWORD@host:8000/v1", "http://REDACTED@host:8000/v1");
	expect("https://TOKEN@host", "https://REDACTED@host");
	expect("http://host/a@b", "http://host/a@b"); /* '@' in the path is no userinfo */
	expect("http://127.0.0.1:8000/v1/chat/completions", "http://127.0.0.1:8000/v1/chat/completions");
}

static void test_query(void **st)
{
	(void)st;
	expect("http://h/v1?api_key=S1&x=1&access_token=S2#frag",
	       "http://h/v1?api_key=REDACTED&x=1&access_token=REDACTED#frag");
	expect("http://h/?key=S&Token=T&page=2&X-Amz-Signature=Z&flag",
	       "http://h/?key=REDACTED&Token=REDACTED&page=2&X-Amz-Signature=REDACTED&flag");
	expect("http://h/?model=qwen", "http://h/?model=qwen");
}

static void test_in_text(void **st)
{
	(void)st;
	expect("cannot reach 'http://u:pw@h/?token=t' now: http://a:b@c",
	       "cannot reach 'http://REDACTED@h/?token=REDACTED' now: http://REDACTED@c");
	expect("no url here", "no url here");
	char small[8];
	cap_redact("http://u:p@h", small, sizeof small);
	assert_int_equal(strlen(small), 7); /* cut, terminated */
	assert_false(strstr(small, ":p@"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_userinfo),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_in_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
