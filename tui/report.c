/* report.c — `tailscope report` (stub, being written). */
#include <stdio.h>

#include "commands.h"

int cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 2;
}
