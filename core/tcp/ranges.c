/* A set of sequence-number ranges (ranges.h). */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "ranges.h"
#include "tcp.h"

#define R(m, i) ((m)->v[(m)->off + (i)])

/* The count below range i (m not NULL). */
static uint64_t below_idx(const sy_ranges_mem *m, unsigned i)
{
	return i ? R(m, i - 1).sum : m->base;
}

bool sy_ranges_reserve(sy_ranges *s, unsigned max)
{
	sy_ranges_mem *m = s->m;
	uint32_t n = m ? m->n : 0, cap = m ? m->cap : 0;

	if (max && n >= max)
		return false;
	if (m && m->off + n < cap)
		return true;
	/* slide down when half the array or more is free below the
	 * ranges (or it may not grow): each slide is paid for by the
	 * removals that freed the room */
	if (m && m->off && (2 * n <= cap || (max && cap >= max))) {
		memmove(m->v, m->v + m->off, (size_t)n * sizeof *m->v);
		m->off = 0;
		return true;
	}
	cap = cap ? 2 * cap : 8;
	if (max && cap > max)
		cap = max;
	m = realloc(m, sizeof *m + (size_t)cap * sizeof *m->v);
	if (!m)
		return false;
	if (!s->m)
		m->off = m->n = 0, m->base = 0;
	m->cap = cap;
	s->m = m;
	return true;
}

unsigned sy_ranges_upper(const sy_ranges *s, uint32_t x)
{
	const sy_ranges_mem *m = s->m;
	unsigned lo = 0, hi = sy_ranges_count(s);

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (sy_seq_gt(R(m, mid).r, x))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

unsigned sy_ranges_after(const sy_ranges *s, uint32_t x)
{
	const sy_ranges_mem *m = s->m;
	unsigned lo = 0, hi = sy_ranges_count(s);

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (sy_seq_gt(R(m, mid).l, x))
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

	return i < sy_ranges_count(s) && sy_seq_le(R(s->m, i).l, r);
}

unsigned sy_ranges_add(sy_ranges *s, uint32_t l, uint32_t r, void *tag)
{
	unsigned i = first_touching(s, l), j;
	sy_ranges_mem *m = s->m;
	uint64_t merged = 0, before, added;

	SY_INVARIANT(sy_seq_lt(l, r));
	/* room was reserved, or [l, r) merges with a range: m is there */
	SY_INVARIANT(m != NULL);
	before = below_idx(m, i);
	for (j = i; j < m->n && sy_seq_le(R(m, j).l, r); j++) {
		merged += R(m, j).r - R(m, j).l;
		if (sy_seq_lt(R(m, j).l, l))
			l = R(m, j).l;
		if (sy_seq_ge(R(m, j).r, r)) {
			r = R(m, j).r;
			tag = R(m, j).tag;
		}
	}
	added = (r - l) - merged;
	if (j == i) {
		SY_INVARIANT(m->off + m->n < m->cap);
		memmove(&R(m, i + 1), &R(m, i), (size_t)(m->n - i) * sizeof *m->v);
		m->n++;
	} else if (j > i + 1) {
		memmove(&R(m, i + 1), &R(m, j), (size_t)(m->n - j) * sizeof *m->v);
		m->n -= j - i - 1;
	}
	R(m, i).l = l;
	R(m, i).r = r;
	R(m, i).tag = tag;
	R(m, i).sum = before + (r - l);
	/* the ranges above count the new bytes too: nothing to do for an
	 * arrival at the top */
	for (j = i + 1; j < m->n; j++)
		R(m, j).sum += added;
	SY_DEEP_INVARIANT(sy_ranges_valid(s));
	return i;
}

uint64_t sy_ranges_below(const sy_ranges *s, uint32_t x)
{
	const sy_ranges_mem *m = s->m;
	unsigned i;
	uint64_t n;

	if (!m)
		return 0;
	i = sy_ranges_upper(s, x);
	n = below_idx(m, i) - m->base;
	if (i < m->n && sy_seq_lt(R(m, i).l, x))
		n += x - R(m, i).l;
	return n;
}

void sy_ranges_trim(sy_ranges *s, uint32_t x)
{
	sy_ranges_mem *m = s->m;

	if (!m)
		return;
	while (m->n && sy_seq_le(R(m, 0).r, x)) {
		m->base = R(m, 0).sum;
		m->off++;
		m->n--;
	}
	if (!m->n) {
		sy_ranges_clear(s);
		return;
	}
	if (sy_seq_lt(R(m, 0).l, x)) {
		m->base += x - R(m, 0).l;
		R(m, 0).l = x;
	}
}

void sy_ranges_drop_last(sy_ranges *s)
{
	if (s->m && s->m->n && !--s->m->n)
		sy_ranges_clear(s);
}

void sy_ranges_clear(sy_ranges *s)
{
	if (!s->m)
		return;
	s->m->n = 0;
	s->m->off = 0;
	s->m->base = 0;
}

void sy_ranges_free(sy_ranges *s)
{
	free(s->m);
	s->m = NULL;
}

bool sy_ranges_valid(const sy_ranges *s)
{
	const sy_ranges_mem *m = s->m;

	if (!m)
		return true;
	if (m->off + m->n > m->cap || (!m->n && m->base))
		return false;
	for (unsigned i = 0; i < m->n; i++) {
		const sy_range *g = &R(m, i);

		if (!sy_seq_lt(g->l, g->r))
			return false;
		if (i && !sy_seq_lt(R(m, i - 1).r, g->l))
			return false;
		if (g->sum != below_idx(m, i) + (g->r - g->l))
			return false;
		/* all within one sequence window */
		if (i && g->r - R(m, 0).l >= 0x80000000u)
			return false;
	}
	return true;
}
