/* cmd_plot.c — `tailscope plot` (work in progress). */
#include <stdio.h>

#include "cmd_plot.h"

int cmd_plot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("tailscope plot: not implemented yet\n", stderr);
	return 2;
}
