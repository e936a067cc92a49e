/* The calendar queue's private parts (calendar.c describes the structure
 * and its invariants), shared by calendar.c (nodes, buckets, the overflow,
 * the search, the operations and the plugin) and calendar_rebuild.c
 * (rebuilding with a new bucket count and width, the deep checks). */
#ifndef SY_SCHEDULER_CALENDAR_H
#define SY_SCHEDULER_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "errors.h"
#include "param.h"
#include "plugin.h"
#include "scheduler.h"
#include "vtime.h"

#define CQ_LINE 64

/* Link values: CQ_NIL ends a list; CQ_EMPTY in a bucket's `rest` marks the
 * bucket empty.  Pool indices stay below both. */
#define CQ_NIL UINT32_MAX
#define CQ_EMPTY (UINT32_MAX - 1)
#define CQ_MAX_NODES ((uint64_t)UINT32_MAX - 1)
/* Entries that the width is estimated from (Brown uses up to 25). */
#define CQ_SAMPLE 25
/* Largest shift: with days of 2^62 ns every sy_time still has a day. */
#define CQ_MAX_SHIFT 62
/* Entries this many years or more ahead of the current day go to the
 * overflow heap.  Nearer ones share buckets with those of the current year:
 * in the hold model with exponential increments about one in ten inserts
 * lands in the next year, and the heap would cost them O(log n); beyond
 * four years they are rare enough for the heap to be the cheaper home. */
#define CQ_OVF_YEARS 4
/* Largest bucket count a rebuild picks. */
#define CQ_MAX_BUCKETS ((uint64_t)1 << 31)
/* Rebuild with a fresh width when the search and the sorted insertion do
 * more than this many steps per operation on average, checked every
 * check_every operations (starting at least CQ_CHECK_MIN apart). */
#define CQ_WORK_LIMIT 6
#define CQ_CHECK_MIN 4096
#define CQ_CHECK_MAX ((uint64_t)1 << 26)

/* An entry that is not the least of its bucket.  `next` is the following
 * node of the same bucket, or of the free list; CQ_NIL ends either. */
struct cq_node {
	sy_time time;
	uint64_t seq;
	uint32_t slot;
	uint32_t next;
	sy_event_fn fn;
	void *arg;
	uint64_t data;
};

_Static_assert(sizeof(struct cq_node) == sizeof(sy_sched_entry),
	       "a node should cost no more than the entry it holds");

/* When rest != CQ_EMPTY: e is the least entry of the bucket, rest the list
 * of the others (CQ_NIL if none), sorted, rtail its last node and ttime
 * that node's time.  One bucket per cache line: popping the inline entry
 * reads nothing else, and an insertion that lands in an empty bucket,
 * before its inline entry or (by ttime) after its last one reads nothing
 * else either. */
struct cq_bucket {
	sy_sched_entry e;
	uint32_t rest;
	uint32_t rtail;
	sy_time ttime;
} __attribute__((aligned(CQ_LINE)));

_Static_assert(sizeof(struct cq_bucket) == CQ_LINE,
	       "a bucket should fill one cache line");

struct calendar {
	/* Parameters, set before init. */
	int64_t buckets;
	sy_time width;
	bool resize;

	struct cq_bucket *bucket;
	uint64_t mask;          /* nbuckets - 1 */
	unsigned shift;         /* width == 1 << shift */
	/* Invariant: every entry's day (time >> shift), in a bucket or in
	 * the overflow, is >= cur_day.  When top_valid, top is a copy of the
	 * least entry, whose day is cur_day: the overflow's top when
	 * top_in_ovf, else the inline entry of bucket cur_day & mask. */
	int64_t cur_day;
	bool top_valid;
	bool top_in_ovf;
	sy_sched_entry top;

	/* Entries inserted CQ_OVF_YEARS or more ahead: a binary min-heap. */
	sy_sched_entry *ovf;
	size_t novf, ovf_cap;

	struct cq_node *node;   /* pool */
	uint32_t ncap;          /* nodes allocated */
	uint32_t nused;         /* nodes ever handed out (high-water mark) */
	uint32_t free;          /* free list */
	size_t size;

	/* Resizing; both thresholds are out of reach when resize is off. */
	uint64_t min_buckets;
	size_t grow_at;         /* grow when size > grow_at */
	size_t shrink_at;       /* shrink when size < shrink_at */

	/* Work accounting for the width check (see the top of the file). */
	uint64_t ops, work;
	uint64_t check_every;
};

static inline bool node_before(const struct cq_node *a,
			       const struct cq_node *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline int64_t day_of(sy_time t, unsigned shift)
{
	/* Arithmetic shift: floor division, so negative times work too. */
	return t >> shift;
}

/* The shift whose power of two is nearest to w (in ratio), w >= 0. */
static inline unsigned shift_for(double w)
{
	unsigned s = 0;

	while (s < CQ_MAX_SHIFT && (double)((uint64_t)1 << s) * 1.41421356 < w)
		s++;
	return s;
}

static inline void set_thresholds(struct calendar *c)
{
	uint64_t nb = c->mask + 1;

	if (!c->resize) {
		c->grow_at = SIZE_MAX;
		c->shrink_at = 0;
		return;
	}
	c->grow_at = nb < CQ_MAX_BUCKETS ? 2 * nb : SIZE_MAX;
	c->shrink_at = nb > c->min_buckets ? nb / 2 : 0;
}

/* Field by field: `next` lives where the entry has padding. */
static inline void node_set(struct cq_node *x, const sy_sched_entry *e)
{
	x->time = e->time;
	x->seq = e->seq;
	x->slot = e->slot;
	x->fn = e->fn;
	x->arg = e->arg;
	x->data = e->data;
}

static inline void node_get(sy_sched_entry *e, const struct cq_node *x)
{
	e->time = x->time;
	e->seq = x->seq;
	e->slot = x->slot;
	e->fn = x->fn;
	e->arg = x->arg;
	e->data = x->data;
}

/* Aligned so that each bucket is exactly one cache line. */
static inline struct cq_bucket *buckets_alloc(uint64_t nb)
{
	if (nb > SIZE_MAX / sizeof(struct cq_bucket))
		return NULL;
	return aligned_alloc(CQ_LINE, nb * sizeof(struct cq_bucket));
}

static inline void buckets_clear(struct cq_bucket *b, uint64_t nb)
{
	for (uint64_t i = 0; i < nb; i++)
		b[i].rest = CQ_EMPTY;
}

/* Whether an entry of this day belongs in the overflow: CQ_OVF_YEARS or
 * more past cur_day.  Unsigned arithmetic: the distance always fits. */
static inline bool far_ahead(int64_t day, int64_t cur_day, uint64_t nb)
{
	return day > cur_day &&
	       (uint64_t)day - (uint64_t)cur_day >= CQ_OVF_YEARS * nb;
}

/* Shared by the module's files only: hidden, so that the compiler knows
 * the calls stay within the module, as when these were static. */
#define CQ_LOCAL __attribute__((visibility("hidden")))

/* calendar.c */
CQ_LOCAL int cq_pool_reserve(struct calendar *c, uint64_t cap);
CQ_LOCAL long cq_bucket_put(struct calendar *c, struct cq_bucket *bk,
			    const sy_sched_entry *e);
CQ_LOCAL int cq_ovf_reserve(struct calendar *c, size_t cap);
CQ_LOCAL void cq_ovf_heapify(struct calendar *c);

/* calendar_rebuild.c */
#ifdef SY_DEEP_CHECKS
CQ_LOCAL bool cq_valid(const struct calendar *c);
#endif
CQ_LOCAL int cq_rebuild(struct calendar *c, uint64_t nb);
CQ_LOCAL uint64_t cq_buckets_for(const struct calendar *c);
CQ_LOCAL void cq_check(struct calendar *c);

#endif
