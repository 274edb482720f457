/* pairs.c — colour pair cache (see pairs.h). */
#include <stdlib.h>
#include <string.h>

#include "pairs.h"

typedef struct slot {
	int fg, bg, pair; /* pair 0 = empty */
} slot;

struct pairs {
	int first, limit, next;
	slot *tab;
	size_t cap; /* power of two, >= 2 * budget */
	size_t used;
	unsigned gen;
	pairs_init_fn init;
	void *ud;
};

pairs *pairs_new(int first, int limit, pairs_init_fn init, void *ud)
{
	pairs *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	if (first < 1)
		first = 1;
	if (limit < first)
		limit = first;
	p->first = first;
	p->limit = limit;
	p->next = first;
	p->init = init;
	p->ud = ud;
	size_t budget = (size_t)(limit - first);
	p->cap = 16;
	while (p->cap < 2 * budget)
		p->cap *= 2;
	p->tab = calloc(p->cap, sizeof *p->tab);
	if (!p->tab) {
		free(p);
		return NULL;
	}
	return p;
}

void pairs_free(pairs *p)
{
	if (!p)
		return;
	free(p->tab);
	free(p);
}

static size_t hash2(int fg, int bg)
{
	uint64_t h = (uint64_t)(uint32_t)fg * 0x9E3779B97F4A7C15ull;
	h ^= (uint64_t)(uint32_t)bg + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
	h ^= h >> 31;
	return (size_t)h;
}

int pairs_get(pairs *p, int fg, int bg)
{
	size_t mask = p->cap - 1;
	size_t i = hash2(fg, bg) & mask;
	while (p->tab[i].pair) {
		if (p->tab[i].fg == fg && p->tab[i].bg == bg)
			return p->tab[i].pair;
		i = (i + 1) & mask;
	}
	if (p->next >= p->limit)
		return -1;
	if (p->init && p->init(p->ud, p->next, fg, bg) != 0)
		return -1;
	p->tab[i].fg = fg;
	p->tab[i].bg = bg;
	p->tab[i].pair = p->next++;
	p->used++;
	return p->tab[i].pair;
}

int pairs_near(const pairs *p, int fg, int bg)
{
	int best = -1, score = 0;
	for (size_t i = 0; i < p->cap; i++) {
		const slot *t = &p->tab[i];
		if (!t->pair)
			continue;
		/* the background fills most of a cell: it matters most */
		int sc = (t->bg == bg) * 2 + (t->fg == fg);
		if (sc > score || (sc == score && sc > 0 && t->pair < best)) {
			score = sc;
			best = t->pair;
		}
	}
	return best;
}

void pairs_reset(pairs *p)
{
	memset(p->tab, 0, p->cap * sizeof *p->tab);
	p->next = p->first;
	p->used = 0;
	p->gen++;
}

size_t pairs_used(const pairs *p) { return p->used; }
size_t pairs_budget(const pairs *p) { return (size_t)(p->limit - p->first); }
unsigned pairs_generation(const pairs *p) { return p->gen; }

int pairs_direct_color(int32_t rgb)
{
	if (rgb < 0)
		return -1;
	rgb &= 0xFFFFFF;
	return rgb < 8 ? 8 : (int)rgb;
}
