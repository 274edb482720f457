/* cmd_png.c — `tailscope png`: stub until the render module lands. */
#include <stdio.h>

#include "commands.h"

int cmd_png(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("tailscope png: not implemented yet\n", stderr);
	return 2;
}
