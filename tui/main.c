/* main.c — tailscope entry point: dispatches subcommands.
 *
 *   tailscope [OPTIONS] RUN...         interactive debugger (tui/app.c)
 *   tailscope report [OPTIONS] RUN...  the study's table, policy off vs repeat_stop
 *   tailscope png [OPTIONS] RUN --sample ID -o out.png
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "capture/capture.h"

static const char usage_text[] =
	"usage: tailscope [OPTIONS] RUN...            open the interactive debugger\n"
	"       tailscope report [OPTIONS] RUN...     print duplicate/termination/F1 tables\n"
	"       tailscope png [OPTIONS] RUN --sample ID -o FILE.png\n"
	"       tailscope plot KIND [OPTIONS] RUN... [-o FILE.png]   (maxrepeat|interference|saved|pr)\n"
	"       tailscope capture --server URL --images DIR --prompt TEXT -o RUN_DIR   (record traces)\n"
	"       tailscope --help | --version\n"
	"\n"
	"RUN is a run directory (run.json, gt.json, images/, traces.jsonl) or a\n"
	"traces JSONL file.  'tailscope COMMAND --help' lists a command's options;\n"
	"'man tailscope' (tui/tailscope.1) has the details.\n"
	"\n"
	"exit status: 0 ok, 1 some input skipped, 2 nothing usable or bad usage\n";

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (argc >= 2) {
		const char *a = argv[1];
		if (!strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "help")) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			printf("tailscope %s\n", TS_VERSION);
			return 0;
		}
		if (!strcmp(a, "report"))
			return cmd_report(argc - 1, argv + 1);
		if (!strcmp(a, "png"))
			return cmd_png(argc - 1, argv + 1);
		if (!strcmp(a, "plot"))
			return cmd_plot(argc - 1, argv + 1);
		if (!strcmp(a, "capture"))
			return cmd_capture(argc - 1, argv + 1);
		if (!strcmp(a, "tui"))
			return cmd_tui(argc - 1, argv + 1);
	}
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	return cmd_tui(argc, argv);
}
