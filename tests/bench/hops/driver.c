/* driver.c — stands in for app.c's loop (tests/bench/hops/hops.sh): per key,
 * app_key then ui_draw, as the loop does; the keys are its arguments. */
#include <stdio.h>
#include <stdlib.h>
#include "tcurses.h"
#include "app.h"
#include "session.h"
#include "term.h"
#include "ui.h"
#include "view.h"

int tracing;
__attribute__((noinline)) void loop_key(ui *u, unsigned ch)
{
	tracing = 1;
	unsigned rd = app_key(u, 0, ch);
	ui_draw(u, rd);
	tracing = 0;
}

int main(int argc, char **argv)
{
	setenv("LINES", "24", 1);
	setenv("COLUMNS", "100", 1);
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	if (term_start_file("xterm-256color", out, in))
		return 1;
	session s;
	session_opts o;
	session_opts_default(&o);
	ts_error err;
	char *paths[1] = {argv[1]};
	if (session_open(&s, paths, 1, &o, NULL, NULL, &err) != TS_OK)
		return 2;
	ui u;
	app_ui_open(&u, &s);
	int wt = 0;
	ui_draw(&u, app_settle(&u, &s, &wt) | UI_RD_ALL);
	for (int i = 2; i < argc; i++)
		loop_key(&u, (unsigned char)argv[i][0]);
	ui_free(&u);
	term_stop();
	session_free(&s);
	return 0;
}
