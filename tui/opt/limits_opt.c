/* limits_opt.c — `--limit NAME=VALUE` (see limits_opt.h). */
#include "limits_opt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char limits_help[] =
	"limits (--limit NAME=VALUE, repeatable; k/M/G = *1024):\n"
	"  line_bytes    64M    longest JSONL line\n"
	"  steps         1000000 tokens per sample\n"
	"  alts          20     alternatives kept per step (more are ignored)\n"
	"  token_bytes   4096   bytes per token\n"
	"  decompressed_bytes 16G bytes a compressed traces file may expand to\n"
	"  decompress_ratio 200 expansion ratio past its first 64M (bomb guard)\n"
	"  max_tokens    -      the run's max_tokens, to infer how samples without a\n"
	"                       finish reason ended (Ray Data rows; default: run.json\n"
	"                       max_new_tokens)\n"
	"  records       100000 records per sample\n"
	"  label_bytes   4096   bytes of a label (longer labels are cut)\n"
	"  number_chars  64     characters of a number (longer: junk)\n"
	"  depth         64     JSON nesting inside a record\n"
	"  image_dim     8192   image width or height (at most 16384)\n"
	"  image_pixels  40000000 image pixels (decoded as RGBA: 4 bytes each)\n"
	"  image_bytes   64M    image file size\n";

void limits_set_default(limits_set *l)
{
	trace_limits_default(&l->trace);
	recparse_limits_default(&l->rec);
	render_limits_default(&l->image);
}

ts_status limits_set_parse(limits_set *l, const char *spec, ts_error *err)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec)
		return ts_error_set(err, TS_ERR_USAGE, "--limit '%s': expected NAME=VALUE", spec);
	size_t nl = (size_t)(eq - spec);
	char *end;
	errno = 0;
	unsigned long long v = strtoull(eq + 1, &end, 10);
	unsigned long long mul = 1;
	if (*end == 'k' || *end == 'K')
		mul = 1ull << 10, end++;
	else if (*end == 'M')
		mul = 1ull << 20, end++;
	else if (*end == 'G')
		mul = 1ull << 30, end++;
	if (errno || end == eq + 1 || *end || eq[1] == '-' || v == 0 || v > (1ull << 40) / mul)
		return ts_error_set(err, TS_ERR_USAGE,
		                    "--limit '%s': the value must be a positive whole number (k/M/G allowed)", spec);
	v *= mul;
#define IS(name) (nl == sizeof(name) - 1 && !memcmp(spec, name, nl))
	if (IS("line_bytes"))
		l->trace.max_line_bytes = (size_t)v;
	else if (IS("steps"))
		l->trace.max_steps = (size_t)v;
	else if (IS("alts"))
		l->trace.max_alts = (size_t)v;
	else if (IS("token_bytes"))
		l->trace.max_token_bytes = (size_t)v;
	else if (IS("decompressed_bytes"))
		l->trace.max_decompressed_bytes = v;
	else if (IS("decompress_ratio"))
		l->trace.max_decompress_ratio = v;
	else if (IS("max_tokens"))
		l->trace.infer_max_tokens = v > 0x7fffffffull ? 0x7fffffffL : (long)v;
	else if (IS("records"))
		l->rec.max_records = (size_t)v;
	else if (IS("label_bytes"))
		l->rec.max_label_bytes = (size_t)v;
	else if (IS("number_chars"))
		l->rec.max_number_chars = (size_t)v;
	else if (IS("depth"))
		l->rec.max_depth = (size_t)v;
	else if (IS("image_dim"))
		l->image.max_dim = v > 16384 ? 16384 : (uint32_t)v;
	else if (IS("image_pixels"))
		l->image.max_pixels = v;
	else if (IS("image_bytes"))
		l->image.max_file_bytes = v > 0x7fffffffull ? 0x7fffffffull : v;
	else
		return ts_error_set(err, TS_ERR_USAGE,
		                    "--limit: unknown limit '%.*s' (see --help for the list)",
		                    (int)(nl > 64 ? 64 : nl), spec);
#undef IS
	return TS_OK;
}
