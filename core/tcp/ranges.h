/* A set of sequence-number ranges, the shape both ends of a SACK
 * connection keep: the receiver's out-of-order data (input.c, the blocks
 * it reports, options.c) and the sender's scoreboard (recovery.c).
 * Internal, not installed.
 *
 * The ranges [l, r) are sorted, disjoint and never touch: adding one
 * merges it with every range it overlaps or touches.  They live in an
 * array searched by bisection, so a lookup costs O(log n); new data
 * usually arrives at the top, where an insertion or an extension moves
 * nothing, and ranges leave from the bottom (trim) without moving the
 * others either.  Each range carries the running count of the bytes
 * held up to its end, so the total and the bytes below any point are
 * O(log n) too, and an opaque tag that a merge keeps from the range
 * reaching the new right end (the receiver's last queued segment).
 *
 * All ranges must lie within 2^31 of each other (the sequence window),
 * where the sy_seq_* comparisons order them. */
#ifndef SY_RANGES_H
#define SY_RANGES_H

#include <stdbool.h>
#include <stdint.h>

#ifndef SY_HIDDEN
#define SY_HIDDEN __attribute__((visibility("hidden")))
#endif

typedef struct sy_range {
	uint32_t l, r;
	uint64_t sum;           /* bytes of this range and those below it,
				 * counted from the set's origin */
	void *tag;
} sy_range;

/* The ranges and their counts, in one allocation: a set that never held
 * a range costs a pointer. */
typedef struct sy_ranges_mem {
	uint32_t off, n, cap;   /* the ranges are v[off .. off + n) */
	uint64_t base;          /* the count below the lowest range */
	sy_range v[];
} sy_ranges_mem;

typedef struct sy_ranges {
	sy_ranges_mem *m;       /* NULL: none yet (empty) */
} sy_ranges;

static inline unsigned sy_ranges_count(const sy_ranges *s) { return s->m ? s->m->n : 0; }

/* The i-th range from the bottom, i < count. */
static inline const sy_range *sy_ranges_at(const sy_ranges *s, unsigned i)
{
	return &s->m->v[s->m->off + i];
}

/* Whether adding a range needs the array to grow or move
 * (sy_ranges_reserve). */
static inline bool sy_ranges_full(const sy_ranges *s)
{
	return !s->m || s->m->off + s->m->n == s->m->cap;
}

/* Bytes held. */
static inline uint64_t sy_ranges_total(const sy_ranges *s)
{
	const sy_ranges_mem *m = s->m;

	return m && m->n ? m->v[m->off + m->n - 1].sum - m->base : 0;
}

/* Room for one more range, growing the array up to max ranges (0: no
 * limit); false if the allocation failed or max is reached.  The caller
 * decides what a failure means (an out-of-memory failure, or the
 * sender's cap). */
SY_HIDDEN bool sy_ranges_reserve(sy_ranges *s, unsigned max);
/* Adds [l, r) (l before r), merged with what it overlaps or touches;
 * needs room for one range (sy_ranges_reserve) unless it merges.  The
 * merged range keeps the tag of the old range that reaches its right
 * end, or else takes tag.  Returns the range's index. */
SY_HIDDEN unsigned sy_ranges_add(sy_ranges *s, uint32_t l, uint32_t r, void *tag);
/* Whether adding [l, r) would merge with a range (and so needs no room). */
SY_HIDDEN bool sy_ranges_touches(const sy_ranges *s, uint32_t l, uint32_t r);
/* The index of the first range ending after x (the range holding x if
 * there is one), or count. */
SY_HIDDEN unsigned sy_ranges_upper(const sy_ranges *s, uint32_t x);
/* The index of the first range starting after x, or count. */
SY_HIDDEN unsigned sy_ranges_after(const sy_ranges *s, uint32_t x);
/* Bytes held below x. */
SY_HIDDEN uint64_t sy_ranges_below(const sy_ranges *s, uint32_t x);
/* Drops everything at or below x. */
SY_HIDDEN void sy_ranges_trim(sy_ranges *s, uint32_t x);
/* Drops the highest range. */
SY_HIDDEN void sy_ranges_drop_last(sy_ranges *s);
SY_HIDDEN void sy_ranges_clear(sy_ranges *s);
SY_HIDDEN void sy_ranges_free(sy_ranges *s);
/* Sorted, disjoint, not touching, non-empty, counts consistent: O(n),
 * for SY_DEEP_INVARIANT and tests. */
SY_HIDDEN bool sy_ranges_valid(const sy_ranges *s);

#endif
