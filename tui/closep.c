/* closep.c — probability of closing the list at a record boundary (see closep.h). */
#include <math.h>
#include <string.h>

#include "closep.h"

static const char *const eos_tokens[] = {
	"<|im_end|>", "<|endoftext|>", "</s>", "<eos>", "<end_of_turn>",
	"<|eot_id|>", "<|end|>", "<|end_of_text|>",
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int has_fence(const char *s, size_t len)
{
	for (size_t i = 0; i + 3 <= len; i++)
		if (s[i] == '`' && s[i + 1] == '`' && s[i + 2] == '`')
			return 1;
	return 0;
}

static int is_eos(const char *tok, size_t len)
{
	if (len == 0)
		return 1; /* servers report EOS as an empty token */
	for (size_t k = 0; k < sizeof eos_tokens / sizeof eos_tokens[0]; k++) {
		size_t el = strlen(eos_tokens[k]);
		if (len == el && !memcmp(tok, eos_tokens[k], el))
			return 1;
	}
	return 0;
}

int closep_is_close(const char *tok, size_t len)
{
	size_t i = 0;

	if (is_eos(tok, len))
		return 1;
	while (i < len && is_blank(tok[i]))
		i++;
	if (i < len && tok[i] == ']')
		return 1;
	return has_fence(tok, len);
}

/* Text after the last '}' of a token, if it holds non-blank bytes. */
static int tail_after_brace(const char *s, size_t len)
{
	size_t k = len;
	while (k > 0 && s[k - 1] != '}')
		k--;
	if (k == 0)
		return 0;
	for (size_t i = k; i < len; i++)
		if (!is_blank(s[i]))
			return 1;
	return 0;
}

/* An alternative at a merged step counts when what follows its first '}'
 * closes the list (or when it is itself EOS-like). */
static int alt_closes_after_brace(const char *s, size_t len)
{
	const char *b = memchr(s, '}', len);
	if (!b)
		return is_eos(s, len);
	size_t k = (size_t)(b - s) + 1;
	if (k == len)
		return 0;
	return closep_is_close(s + k, len - k);
}

double closep_at(const trace *t, long rec_last)
{
	size_t n = trace_n_steps(t);
	const trace_step *st = trace_steps(t);
	const char *text = trace_text(t);
	const trace_alt *alts = trace_alts(t);
	const char *atext = trace_alt_text(t);
	long d;
	int merged;

	if (rec_last < 0 || (size_t)rec_last >= n)
		return NAN;
	merged = tail_after_brace(text + st[rec_last].off, st[rec_last].len);
	d = merged ? rec_last : rec_last + 1;
	if ((size_t)d >= n || st[d].n_alt == 0)
		return NAN;

	double p = 0;
	int chosen_seen = 0;
	const char *ct = text + st[d].off;
	size_t cl = st[d].len;
	for (uint32_t k = 0; k < st[d].n_alt; k++) {
		const trace_alt *a = &alts[st[d].alt_first + k];
		const char *s = atext + a->off;
		int c = merged ? alt_closes_after_brace(s, a->len) : closep_is_close(s, a->len);
		if (a->len == cl && !memcmp(s, ct, cl))
			chosen_seen = 1;
		if (c && !isnan(a->logprob))
			p += exp(a->logprob);
	}
	/* the chosen token is not always among the listed alternatives */
	if (!chosen_seen && !isnan(st[d].logprob)) {
		int c = merged ? alt_closes_after_brace(ct, cl) : closep_is_close(ct, cl);
		if (c)
			p += exp(st[d].logprob);
	}
	if (p > 1)
		p = 1;
	return p;
}
