/* app.c — the interactive debugger: stub until the TUI lands. */
#include <stdio.h>

#include "commands.h"

int cmd_tui(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("tailscope: the interactive view is not implemented yet; try 'tailscope report RUN'\n", stderr);
	return 2;
}
