/* glyphs.c — the glyph table (see glyphs.h). */
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "glyphs.h"
#include "sanitize.h"

static const glyph_def table[GL_COUNT] = {
	[GL_CLOSED] = {"C", NULL, "", "samples, T column: the list closed", CP_CLOSED},
	[GL_TRUNC] = {"T", NULL, "", "samples: truncated at the token limit", CP_TRUNC},
	[GL_MALFORMED] = {"M", NULL, "", "samples: malformed output", CP_MALFORMED},
	[GL_STOPPED] = {"S", NULL, "", "samples: stopped by the stop policy", CP_CLOSED},
	[GL_WORSE] = {"!", NULL, "", "diff: the sample got worse", CP_FP},
	[GL_SIDE] = {"▸", NULL, "", "comparison: the selected run; diff: the run Enter opens", 0},
	[GL_WORST] = {"*", NULL, "", "comparison: the worst value of its column", CP_WORST},
	[GL_PENDING] = {"…", NULL, "", "samples, comparison: not analysed yet", CP_DIM},
	[GL_MARK] = {"●", NULL, "", "samples: marked (b); comparison: run marked for d", CP_DUP},
	[GL_REPEAT] = {"×", NULL, "N", "a value repeated N times (records, samples, image labels)", CP_DUP},
	[GL_TAIL] = {"▐", NULL, "", "records: in the repeated tail", CP_TAIL},
	[GL_BOUNDARY] = {"│", NULL, "", "timeline: a record ends here", CP_BOUNDARY},
	[GL_END] = {"■", NULL, "", "timeline: the list ended (green closed, red truncated)", CP_TERM},
	[GL_STOP] = {"✂", NULL, "", "timeline: where the stop policy cuts", CP_STOP},
	[GL_PCLOSE] = {"P(close)", NULL, "", "timeline: chance of closing the list after each record", 0},
	[GL_CUT] = {"…", "~", "", "text cut to fit (never cut silently)", 0},
};

const char *glyph(glyph_id g)
{
	return (unsigned)g < GL_COUNT ? table[g].text : "";
}

const glyph_def *glyph_def_of(glyph_id g)
{
	return (unsigned)g < GL_COUNT ? &table[g] : NULL;
}

const char *glyph_ascii(glyph_id g, char *out, size_t outsz)
{
	if (!outsz)
		return out;
	if ((unsigned)g >= GL_COUNT)
		out[0] = 0;
	else if (table[g].ascii)
		snprintf(out, outsz, "%s", table[g].ascii);
	else
		sanitize_ascii(table[g].text, strlen(table[g].text), out, outsz);
	return out;
}
