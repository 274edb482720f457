/* main.c — tailscope entry point: dispatches subcommands.
 *
 *   tailscope [OPTIONS] RUN...         interactive debugger (tui/app.c)
 *   tailscope report [OPTIONS] RUN...  the study's table, policy off vs repeat_stop
 *   tailscope png [OPTIONS] RUN --sample ID -o out.png
 *   tailscope plot KIND [OPTIONS] RUN...
 * The commands, their options and the usage text come from tui/cli/cli.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "charset.h"
#include "cli.h"
#include "commands.h"
#include "capture/capture.h"

/* A closed stdin, stdout or stderr (`tailscope formats F >&-`) gets
 * /dev/null, so no file opened later takes its number (a trace opened as fd 1
 * would receive the output).  stdout's is read-only: a write to it still
 * fails and cli_finish_stdout says so. */
static void keep_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
			int n = open("/dev/null", fd == 2 ? O_WRONLY : O_RDONLY);
			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
}

int main(int argc, char **argv)
{
	keep_std_fds();
	charset_setup();
	if (argc >= 2) {
		const char *a = argv[1];
		if (!strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "help")) {
			cli_usage(stdout);
			return cli_finish_stdout(NULL, 0);
		}
		if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			printf("tailscope %s\n", TS_VERSION);
			return cli_finish_stdout(NULL, 0);
		}
		const cli_command *cmd = cli_command_find(a);
		if (cmd) /* every write to stdout checked: a message and exit 2 on failure */
			return cli_finish_stdout(cmd->name, cmd->main(argc - 1, argv + 1));
	}
	if (argc < 2) {
		cli_usage(stderr);
		return 2;
	}
	return cmd_tui(argc, argv);
}
