/* main.c — tailscope-simgen: writes the simulated demo runs of sample_runs/.
 *
 *   tailscope-simgen [--run NAME] [--no-images] OUTDIR
 *
 * Deterministic: the same binary writes the same bytes on every run.
 */
#include <stdio.h>
#include <string.h>

#include "sanitize.h"
#include "simgen.h"

static const char usage_text[] =
	"usage: tailscope-simgen [--run NAME] [--no-images] OUTDIR\n"
	"Writes the simulated demo runs (no model involved): OUTDIR/scenes/gt.json,\n"
	"OUTDIR/scenes/images/*.png and OUTDIR/<run>/{run.json,traces.jsonl}.\n";

int main(int argc, char **argv)
{
	const char *out = NULL, *only = NULL;
	int images = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--run") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "--no-images")) {
			images = 0;
		} else if (argv[i][0] == '-' || out) {
			fputs(usage_text, stderr);
			return 2;
		} else {
			out = argv[i];
		}
	}
	if (!out) {
		fputs(usage_text, stderr);
		return 2;
	}
	ts_error err;
	ts_error_clear(&err);
	if (simgen_write_all(out, only, images, &err) != TS_OK) {
		char safe[TS_ERROR_MSG_MAX * 4];
		fprintf(stderr, "tailscope-simgen: %s\n",
		        sanitize_cstr(err.msg, safe, sizeof safe, 0));
		return 1;
	}
	return 0;
}
