/* A set of sequence-number ranges (ranges.h). */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "ranges.h"
#include "tcp.h"

#define R(s, i) ((s)->v[(s)->off + (i)])

/* The count below range i. */
static uint64_t below_idx(const sy_ranges *s, unsigned i)
{
	return i ? R(s, i - 1).sum : s->base;
}

bool sy_ranges_reserve(sy_ranges *s, unsigned max)
{
	sy_range *v;
	uint32_t cap;

	if (max && s->n >= max)
		return false;
	if (s->off + s->n < s->cap)
		return true;
	/* slide down when half the array or more is free below the
	 * ranges (or it may not grow): each slide is paid for by the
	 * removals that freed the room */
	if (s->off && (2 * s->n <= s->cap || (max && s->cap >= max))) {
		memmove(s->v, s->v + s->off, (size_t)s->n * sizeof *s->v);
		s->off = 0;
		return true;
	}
	cap = s->cap ? 2 * s->cap : 8;
	if (max && cap > max)
		cap = max;
	v = realloc(s->v, (size_t)cap * sizeof *v);
	if (!v)
		return false;
	s->v = v;
	s->cap = cap;
	return true;
}

unsigned sy_ranges_upper(const sy_ranges *s, uint32_t x)
{
	unsigned lo = 0, hi = s->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (sy_seq_gt(R(s, mid).r, x))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

unsigned sy_ranges_after(const sy_ranges *s, uint32_t x)
{
	unsigned lo = 0, hi = s->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (sy_seq_gt(R(s, mid).l, x))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The first range ending at or after x: the first one [l, r) may touch. */
static unsigned first_touching(const sy_ranges *s, uint32_t x)
{
	return sy_ranges_upper(s, x - 1);
}

bool sy_ranges_touches(const sy_ranges *s, uint32_t l, uint32_t r)
{
	unsigned i = first_touching(s, l);

	return i < s->n && sy_seq_le(R(s, i).l, r);
}

unsigned sy_ranges_add(sy_ranges *s, uint32_t l, uint32_t r, void *tag)
{
	unsigned i = first_touching(s, l), j;
	uint64_t merged = 0, before = below_idx(s, i), added;

	SY_INVARIANT(sy_seq_lt(l, r));
	for (j = i; j < s->n && sy_seq_le(R(s, j).l, r); j++) {
		merged += R(s, j).r - R(s, j).l;
		if (sy_seq_lt(R(s, j).l, l))
			l = R(s, j).l;
		if (sy_seq_ge(R(s, j).r, r)) {
			r = R(s, j).r;
			tag = R(s, j).tag;
		}
	}
	added = (r - l) - merged;
	if (j == i) {
		SY_INVARIANT(s->off + s->n < s->cap);
		memmove(&R(s, i + 1), &R(s, i), (size_t)(s->n - i) * sizeof *s->v);
		s->n++;
	} else if (j > i + 1) {
		memmove(&R(s, i + 1), &R(s, j), (size_t)(s->n - j) * sizeof *s->v);
		s->n -= j - i - 1;
	}
	R(s, i).l = l;
	R(s, i).r = r;
	R(s, i).tag = tag;
	R(s, i).sum = before + (r - l);
	/* the ranges above count the new bytes too: nothing to do for an
	 * arrival at the top */
	for (j = i + 1; j < s->n; j++)
		R(s, j).sum += added;
	SY_DEEP_INVARIANT(sy_ranges_valid(s));
	return i;
}

uint64_t sy_ranges_below(const sy_ranges *s, uint32_t x)
{
	unsigned i = sy_ranges_upper(s, x);
	uint64_t n = below_idx(s, i) - s->base;

	if (i < s->n && sy_seq_lt(R(s, i).l, x))
		n += x - R(s, i).l;
	return n;
}

void sy_ranges_trim(sy_ranges *s, uint32_t x)
{
	while (s->n && sy_seq_le(R(s, 0).r, x)) {
		s->base = R(s, 0).sum;
		s->off++;
		s->n--;
	}
	if (!s->n) {
		sy_ranges_clear(s);
		return;
	}
	if (sy_seq_lt(R(s, 0).l, x)) {
		s->base += x - R(s, 0).l;
		R(s, 0).l = x;
	}
}

void sy_ranges_drop_last(sy_ranges *s)
{
	if (s->n && !--s->n)
		sy_ranges_clear(s);
}

void sy_ranges_clear(sy_ranges *s)
{
	s->n = 0;
	s->off = 0;
	s->base = 0;
}

void sy_ranges_free(sy_ranges *s)
{
	free(s->v);
	*s = (sy_ranges){ 0 };
}

bool sy_ranges_valid(const sy_ranges *s)
{
	if (s->off + s->n > s->cap || (s->n && !s->v))
		return false;
	for (unsigned i = 0; i < s->n; i++) {
		const sy_range *g = &R(s, i);

		if (!sy_seq_lt(g->l, g->r))
			return false;
		if (i && !sy_seq_lt(R(s, i - 1).r, g->l))
			return false;
		if (g->sum != below_idx(s, i) + (g->r - g->l))
			return false;
		/* all within one sequence window */
		if (i && g->r - R(s, 0).l >= 0x80000000u)
			return false;
	}
	return true;
}
