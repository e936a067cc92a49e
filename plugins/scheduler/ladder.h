/* The ladder queue's private parts (ladder.c describes the structure and
 * its invariants), shared by ladder.c (the pool, insertion, the operations
 * and the plugin) and ladder_rungs.c (rungs, sorting a bucket into Bottom,
 * refilling Bottom, the deep checks).  What the hot paths of both files
 * use is here as static inline. */
#ifndef SY_SCHEDULER_LADDER_H
#define SY_SCHEDULER_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "param.h"
#include "plugin.h"
#include "scheduler.h"
#include "vtime.h"

/* Entries per segment, a power of two: a segment is 784 bytes, small
 * enough that the part-filled tails of a few thousand buckets cost little
 * next to the entries, large enough to amortize the links. */
#define LQ_SEG 16
/* Most buckets of rung 0, and of the other rungs.  Measured in the hold
 * model at 10^5 events: 512 to 1024 for rung 0 fared best, 4096 was about
 * 10 % slower. */
#define LQ_MAX_TOP 1024
#define LQ_MAX_BUCKETS 4096
/* Buckets per threshold's worth of entries in rungs other than rung 0. */
#define LQ_SPLIT 4
/* Segments kept free after every insertion that takes one. */
#define LQ_SPARE 4
/* Largest `rungs`; the rung array has one more slot for a replacement. */
#define LQ_MAX_RUNGS 64
/* Buckets up to this size are sorted into Bottom by counting ranks, with
 * keys of 64 - LQ_RANK_BITS bits of time and LQ_RANK_BITS of position. */
#define LQ_RANK_MAX 32
#define LQ_RANK_BITS 6
_Static_assert(LQ_RANK_MAX <= 1 << LQ_RANK_BITS, "positions must fit");
/* Larger buckets sort 16-byte keys: by insertion in runs of this length,
 * then by merging. */
#define LQ_INSERTION_SORT 24

struct lq_seg {
	struct lq_seg *next;
	uint64_t pad;           /* keeps the entries 16-byte aligned */
	sy_sched_entry e[LQ_SEG];
};

/* A chain of segments; all but the last are full, so n alone says where
 * the next entry goes.  Empty: n == 0, head and tail NULL. */
struct lq_bucket {
	struct lq_seg *head, *tail;
	size_t n;
};

struct lq_rung {
	sy_time lo;             /* no entry before this */
	sy_time start;          /* time of bucket 0 */
	unsigned shift;         /* bucket width 2^shift ns */
	uint32_t cur;           /* bucket of lo */
	size_t n;               /* entries in the rung */
	struct lq_bucket *b;
	size_t cap;             /* buckets allocated, all empty beyond use */
};

struct lq_chunk {
	struct lq_chunk *next;
	size_t nseg;
	struct lq_seg seg[];
};

/* A sort key: the entry's time, and the entry for ties and the copy. */
struct lq_key {
	sy_time time;
	const sy_sched_entry *e;
};

struct ladder {
	/* Parameters, set before init. */
	int64_t threshold;
	int64_t rungs;

	size_t thr;
	unsigned maxr;
	size_t size;

	struct lq_bucket top;
	sy_time top_min, top_max;       /* bounds of Top's times */
	sy_time top_last;               /* Top holds what is after this */

	unsigned nr;                    /* rungs in use: rung[0 .. nr-1] */
	struct lq_rung rung[LQ_MAX_RUNGS + 1];

	/* Bottom: bot[bh .. bh+bn-1], sorted. */
	sy_sched_entry *bot;
	size_t bh, bn, bcap;

	struct lq_key *keys, *keys2;    /* sort scratch, kcap each */
	size_t kcap;

	struct lq_seg *free;            /* pool free list */
	size_t nfree, nseg;             /* free, allocated */
	struct lq_chunk *chunks;
};

static inline bool key_before(const struct lq_key *a, const struct lq_key *b)
{
	return a->time < b->time ||
	       (a->time == b->time && a->e->seq < b->e->seq);
}

/* Shared by the module's files only: hidden, so that the compiler knows
 * the calls stay within the module, as when these were static. */
#define LQ_LOCAL __attribute__((visibility("hidden")))

#ifdef SY_DEEP_CHECKS
LQ_LOCAL bool lq_rung_valid(const struct ladder *q, unsigned r);
LQ_LOCAL bool lq_bottom_sorted(const struct ladder *q);
LQ_LOCAL bool lq_valid(const struct ladder *q);
#endif

/* Bucket of time t in rung g: t >= g->start, so the unsigned difference is
 * exact. */
static inline size_t bucket_of(const struct lq_rung *g, sy_time t)
{
	return (size_t)(((uint64_t)t - (uint64_t)g->start) >> g->shift);
}

/* Entries in the segment s of bucket bk. */
static inline size_t seg_count(const struct lq_bucket *bk,
			       const struct lq_seg *s)
{
	return s == bk->tail ? ((bk->n - 1) & (LQ_SEG - 1)) + 1 : LQ_SEG;
}

/* ladder.c */
LQ_LOCAL int lq_pool_grow(struct ladder *q);

/* ladder_rungs.c */
LQ_LOCAL int lq_rung_prepare(struct ladder *q, unsigned slot, sy_time min,
			     sy_time max, size_t k, size_t extra);
LQ_LOCAL int lq_bottom_reserve(struct ladder *q, size_t n, bool keys);
LQ_LOCAL void lq_refill(struct ladder *q);

/* Makes at least m segments free. */
static inline int pool_reserve(struct ladder *q, size_t m)
{
	while (q->nfree < m)
		if (lq_pool_grow(q) < 0)
			return -1;
	return 0;
}

/* A free segment; the caller has made sure there is one. */
static inline struct lq_seg *seg_take(struct ladder *q)
{
	struct lq_seg *s = q->free;

	q->free = s->next;
	q->nfree--;
	return s;
}

static inline void seg_give(struct ladder *q, struct lq_seg *s)
{
	s->next = q->free;
	q->free = s;
	q->nfree++;
}

/* Returns a whole chain to the pool. */
static inline void chain_give(struct ladder *q, struct lq_bucket *bk)
{
	if (bk->n) {
		bk->tail->next = q->free;
		q->free = bk->head;
		q->nfree += (bk->n + LQ_SEG - 1) / LQ_SEG;
	}
	bk->head = bk->tail = NULL;
	bk->n = 0;
}

/* Copies an entry field by field.  The simulator builds the entry it
 * inserts with one store per field, and reading it back in 16-byte pieces
 * (as a struct copy does) spans two stores, which the store buffer cannot
 * forward: each insertion would wait for them to reach the cache. */
static inline void entry_copy_in(sy_sched_entry *d, const sy_sched_entry *s)
{
	sy_time t = s->time;
	uint64_t seq = s->seq;
	uint32_t slot = s->slot;
	sy_event_fn fn = s->fn;
	void *arg = s->arg;
	uint64_t data = s->data;

	d->time = t;
	d->seq = seq;
	d->slot = slot;
	d->fn = fn;
	d->arg = arg;
	d->data = data;
}

/* Room for one more entry at the end of bk, counted in; a segment must be
 * free when the tail is full. */
static inline sy_sched_entry *bucket_slot(struct ladder *q,
					  struct lq_bucket *bk)
{
	size_t i = bk->n & (LQ_SEG - 1);

	if (i == 0) {
		struct lq_seg *s = seg_take(q);

		s->next = NULL;
		if (bk->n == 0)
			bk->head = s;
		else
			bk->tail->next = s;
		bk->tail = s;
	}
	bk->n++;
	return &bk->tail->e[i];
}

/* Appends e for an insertion: keeps LQ_SPARE segments free afterwards. */
static inline int bucket_put(struct ladder *q, struct lq_bucket *bk,
			     const sy_sched_entry *e)
{
	if ((bk->n & (LQ_SEG - 1)) == 0 && q->nfree <= LQ_SPARE &&
	    lq_pool_grow(q) < 0)
		return -1;
	entry_copy_in(bucket_slot(q, bk), e);
	return 0;
}

#endif
