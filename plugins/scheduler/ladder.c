#include "config.h"

/* Ladder queue scheduler (W. T. Tang, R. S. M. Goh and I. L.-J. Thng,
 * "Ladder Queue: an O(1) priority queue structure for large-scale discrete
 * event simulation", ACM TOMACS 15(3), 2005).
 *
 * Three tiers, each holding a range of times, every entry of a tier
 * ordered after every entry of the tiers below it:
 *
 *   Top     the entries after top_last, unsorted, in arrival order;
 *   rungs   rung 0 (the top-most) .. rung nr-1 (the lowest); rung r holds
 *           the entries from its `lo` up to the time before its parent's
 *           `lo` (rung 0: up to top_last), in buckets 2^shift ns wide
 *           counted from `start`, unsorted within a bucket;
 *   Bottom  the entries before the lowest rung's `lo` (with no rung: up to
 *           top_last), sorted by (time, seq); peek and pop read its front.
 *
 * An insertion goes to the first tier whose range holds its time: an
 * append to Top or to a bucket, or a sorted insertion into Bottom, which
 * holds few entries.  When Bottom runs empty, the first non-empty bucket
 * of the lowest rung is taken: with at most `threshold` entries it is
 * sorted into Bottom, with more it becomes a new, finer rung; when no rung
 * is left, Top becomes rung 0.  An entry thus moves a few times (Top, a
 * rung or two, Bottom), each time read sequentially and appended to one
 * of few buckets, whose tails stay in the cache.  A heap or a calendar
 * instead writes every insertion at a random place of a structure as
 * large as the pending set, which past 10^5 events no longer fits in the
 * caches.
 *
 * Invariants.  Top's entries are after top_last.  Rung r's entries lie in
 * [lo_r, lo_{r-1} - 1] (rung 0: [lo_0, top_last]), lower rungs holding
 * earlier times; each is in bucket (time - start_r) >> shift_r, at or
 * after cur_r, the bucket of lo_r (lo_r >= start_r); the buckets before
 * cur_r are empty.  Bottom's entries are before the lowest lo (but see
 * Memory below).  Ranges are cut by time alone, so equal times always
 * share a tier and their order is Bottom's sort by seq.  A rung with a
 * rung below it has lo > INT64_MIN (Bottom's entries are before the lower
 * rung's lo), so lo - 1 never overflows; max + 1 is taken only when max is
 * below some later time.  The bucket arrays of unused rung slots are all
 * empty.  When the queue runs empty the next insertion starts afresh.
 *
 * Departures from the paper:
 *
 * - A rung covers the measured span [min, max] of what it is made of (a
 *   bucket, Top, or Bottom) in power-of-two widths.  A rung made from a
 *   bucket or from Bottom has about LQ_SPLIT * count / threshold buckets,
 *   at most LQ_MAX_BUCKETS (the paper: `threshold` buckets, each the
 *   parent's width divided by `threshold`), so that the buckets sorted
 *   into Bottom hold a handful of entries.  Taking a bucket whose entries
 *   end at max sets the rung's lo to max + 1, not to the next bucket's
 *   start: entries inserted later between max and the bucket's end go to
 *   the same bucket, taken again later, rather than to Bottom, where an
 *   insertion moves entries.
 *
 * - Rung 0 has about count / threshold buckets (the paper: count), and at
 *   most LQ_MAX_TOP, so that the bucket tails that most insertions write
 *   stay in the cache.  Its buckets keep filling until they are taken (in
 *   the hold model with 10^5 events, to some 1500 entries each) and each
 *   then becomes a short-lived second rung: two sequential passes over an
 *   entry cost less than one insertion at a random place.
 *
 * - Spawning is bounded.  A bucket whose entries share one time, or that
 *   would need more than `rungs` rungs, is sorted into Bottom whatever its
 *   size (the paper would spawn rungs forever on equal times), and Bottom
 *   then exceeds `threshold`.  Bottom growing past `threshold` by
 *   insertions becomes the lowest rung (as in the paper) only when its
 *   times differ and a rung is left.
 *
 * - Buckets and Top are chains of segments of LQ_SEG entries from one pool
 *   with a LIFO free list, rather than linked lists of events or arrays
 *   per bucket: entries are held by value (48 bytes, payload included), a
 *   segment just read by a transfer is the next one written, and all
 *   buckets share the memory (an array per bucket would keep every
 *   bucket's peak size, some ten times the pending set).
 *
 * - Bottom is an array; an insertion moves the shorter side.  A bucket of
 *   up to LQ_RANK_MAX entries is sorted into it by counting each entry's
 *   rank, which mispredicts no branch, and each entry is copied once to
 *   its place; larger ones sort keys by insertion and merging.
 *
 * Memory.  The pool grows geometrically and keeps what it grew, as do the
 * bucket arrays and Bottom, so the steady state allocates nothing.  Only
 * insert can fail.  Taking a bucket (in peek or pop) reserves what it
 * needs first; short of memory it makes a rung of 2 buckets (every slot
 * has an array of 2, and LQ_SPARE free segments are kept after every
 * insertion that takes one, which is what making rung 0 from Top can
 * need), and failing that moves only the bucket's least entry into
 * Bottom, found by a scan.  That entry may be at or after the rung's lo,
 * which keeps the order (it precedes everything left) but stops Bottom
 * from becoming a rung until it has emptied.
 *
 * Checks.  Every operation checks in O(1) (SY_INVARIANT) that no count
 * goes below zero, that Bottom is not empty when read and that what is
 * popped is not after the next entry of Bottom.  Sanitizer builds walk
 * (SY_DEEP_INVARIANT) what an operation has just walked anyway: a bucket
 * sorted into Bottom is sorted, a new rung holds its entries in the right
 * buckets of its range, and a filter, which visits everything, checks the
 * whole ladder: tier counts, ranges, bucket placement, Bottom's order and
 * the pool's free count. */

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

#ifdef SY_DEEP_CHECKS
static bool bucket_count_ok(const struct lq_bucket *bk);
static bool rung_valid(const struct ladder *q, unsigned r);
static bool bottom_sorted(const struct ladder *q);
static bool lq_valid(const struct ladder *q);
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

/* ---------------------------------------------------------------- pool */

static int pool_grow(struct ladder *q)
{
	size_t m = q->nseg < 64 ? 64 : q->nseg / 2;
	struct lq_chunk *c;

	c = malloc(sizeof *c + m * sizeof(struct lq_seg));
	if (!c)
		return -1;
	c->next = q->chunks;
	c->nseg = m;
	q->chunks = c;
	for (size_t i = m; i-- > 0;) {
		c->seg[i].next = q->free;
		q->free = &c->seg[i];
	}
	q->nfree += m;
	q->nseg += m;
	return 0;
}

/* Makes at least m segments free. */
static int pool_reserve(struct ladder *q, size_t m)
{
	while (q->nfree < m)
		if (pool_grow(q) < 0)
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
static void chain_give(struct ladder *q, struct lq_bucket *bk)
{
	if (bk->n) {
		bk->tail->next = q->free;
		q->free = bk->head;
		q->nfree += (bk->n + LQ_SEG - 1) / LQ_SEG;
	}
	bk->head = bk->tail = NULL;
	bk->n = 0;
}

/* ---------------------------------------------------------------- buckets */

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
	    pool_grow(q) < 0)
		return -1;
	entry_copy_in(bucket_slot(q, bk), e);
	return 0;
}

/* Keeps the entries for which keep() is true, in order, compacting the
 * chain; returns how many were removed. */
static size_t bucket_filter(struct ladder *q, struct lq_bucket *bk,
			    sy_sched_keep keep, void *ctx)
{
	struct lq_seg *w = bk->head, *s, *next;
	size_t wi = 0, kept = 0, n = bk->n;

	if (n == 0)
		return 0;
	/* The write position never passes the read position, and links are
	 * left alone until the end. */
	for (s = bk->head; s; s = s->next) {
		size_t m = seg_count(bk, s);

		for (size_t i = 0; i < m; i++) {
			if (!keep(ctx, &s->e[i]))
				continue;
			if (wi == LQ_SEG) {
				w = w->next;
				wi = 0;
			}
			w->e[wi++] = s->e[i];
			kept++;
		}
	}
	if (kept == 0) {
		chain_give(q, bk);
		return n;
	}
	for (s = w->next; s; s = next) {
		next = s->next;
		seg_give(q, s);
	}
	w->next = NULL;
	bk->tail = w;
	bk->n = kept;
	return n - kept;
}

/* ---------------------------------------------------------------- rungs */

/* Makes rung g able to hold nb buckets (all empty). */
static int rung_reserve(struct lq_rung *g, size_t nb)
{
	struct lq_bucket *b;
	size_t cap = g->cap;

	if (nb <= cap)
		return 0;
	while (cap < nb)
		cap *= 2;
	b = realloc(g->b, cap * sizeof *b);
	if (!b)
		return -1;
	memset(b + g->cap, 0, (cap - g->cap) * sizeof *b);
	g->b = b;
	g->cap = cap;
	return 0;
}

static size_t pow2_at_least(size_t x)
{
	size_t p = 1;

	while (p < x)
		p *= 2;
	return p;
}

/* Buckets wanted for a rung of k entries: about split * k / thr, a power
 * of two in [2, max]. */
static size_t buckets_for(const struct ladder *q, size_t k, size_t split,
			  size_t max)
{
	size_t want = k / q->thr * split + 1;

	if (want > max)
		want = max;
	return want < 2 ? 2 : pow2_at_least(want);
}

/* The shape of a rung over [min, max] with at most nb buckets (a power of
 * two): the least shift that fits the span, and the buckets used. */
static unsigned shape(sy_time min, sy_time max, size_t nb, size_t *used)
{
	uint64_t d = (uint64_t)max - (uint64_t)min;
	unsigned lg = (unsigned)__builtin_ctzll(nb), len, s;

	len = d ? 64 - (unsigned)__builtin_clzll(d) : 0;
	s = len > lg ? len - lg : 0;
	*used = (size_t)(d >> s) + 1;
	return s;
}

/* Prepares slot `slot` as a rung over [min, max] for k entries (slot 0, a
 * rung made from Top, gets fewer buckets), reserving
 * the bucket array and the segments that distributing them may need
 * (`extra` more when the source is not freed as it is read).  Tries the
 * wanted size, then 2 buckets, whose array is always there.  Returns 0, or
 * -1 with nothing changed. */
static int rung_prepare(struct ladder *q, unsigned slot, sy_time min,
			sy_time max, size_t k, size_t extra)
{
	struct lq_rung *g = &q->rung[slot];
	size_t used;
	unsigned s = slot == 0 ?
		shape(min, max, buckets_for(q, k, 1, LQ_MAX_TOP), &used) :
		shape(min, max, buckets_for(q, k, LQ_SPLIT, LQ_MAX_BUCKETS),
		      &used);

	if (rung_reserve(g, used) < 0 || pool_reserve(q, used + 2 + extra) < 0) {
		s = shape(min, max, 2, &used);
		if (pool_reserve(q, used + 2 + extra) < 0)
			return -1;
	}
	g->lo = min;
	g->start = min;
	g->shift = s;
	g->cur = 0;
	g->n = 0;
	return 0;
}

/* Moves the chain bk into rung g (prepared), freeing each segment once
 * read so that the next bucket_slot reuses it while it is in the cache. */
static void rung_fill_chain(struct ladder *q, struct lq_rung *g,
			    struct lq_bucket *bk)
{
	struct lq_bucket *b = g->b;
	uint64_t start = (uint64_t)g->start;
	unsigned shift = g->shift;
	struct lq_seg *s = bk->head, *next;

	while (s) {
		size_t m = seg_count(bk, s);

		next = s->next;
		for (size_t i = 0; i < m; i++) {
			const sy_sched_entry *x = &s->e[i];

			*bucket_slot(q, &b[((uint64_t)x->time - start) >> shift]) =
				*x;
		}
		seg_give(q, s);
		s = next;
	}
	g->n += bk->n;
	bk->head = bk->tail = NULL;
	bk->n = 0;
}

/* ---------------------------------------------------------------- bottom */

/* Makes room for n entries in Bottom and, with keys, for sorting n. */
static int bottom_reserve(struct ladder *q, size_t n, bool keys)
{
	size_t cap;

	if (n > q->bcap) {
		sy_sched_entry *b;

		for (cap = q->bcap; cap < n; cap *= 2)
			;
		b = realloc(q->bot, cap * sizeof *b);
		if (!b)
			return -1;
		q->bot = b;
		q->bcap = cap;
	}
	if (keys && n > q->kcap) {
		struct lq_key *k;

		for (cap = q->kcap; cap < n; cap *= 2)
			;
		k = realloc(q->keys, cap * sizeof *k);
		if (!k)
			return -1;
		q->keys = k;
		k = realloc(q->keys2, cap * sizeof *k);
		if (!k)
			return -1;
		q->keys2 = k;
		q->kcap = cap;
	}
	return 0;
}

static void sort_keys(struct lq_key *k, struct lq_key *tmp, size_t n)
{
	size_t i, j, w;

	/* Insertion sort in runs of LQ_INSERTION_SORT, O(n) on sorted input
	 * (a bucket filled in seq order with equal times). */
	for (size_t base = 0; base < n; base += LQ_INSERTION_SORT) {
		size_t end = base + LQ_INSERTION_SORT < n ?
			     base + LQ_INSERTION_SORT : n;

		for (i = base + 1; i < end; i++) {
			struct lq_key x = k[i];

			for (j = i; j > base && key_before(&x, &k[j - 1]); j--)
				k[j] = k[j - 1];
			k[j] = x;
		}
	}
	/* Then bottom-up merges, skipping pairs already in order. */
	for (w = LQ_INSERTION_SORT; w < n; w *= 2) {
		for (size_t lo = 0; lo + w < n; lo += 2 * w) {
			size_t mid = lo + w, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t a = lo, b = mid, o = 0;

			if (!key_before(&k[mid], &k[mid - 1]))
				continue;
			while (a < mid && b < hi)
				tmp[o++] = key_before(&k[b], &k[a]) ? k[b++] :
								      k[a++];
			while (a < mid)
				tmp[o++] = k[a++];
			/* What is left of the right run is in place. */
			memcpy(&k[lo], tmp, o * sizeof *k);
		}
	}
}

/* Sorts the chain bk (Bottom empty, with room for it) into Bottom and
 * returns the chain to the pool.  Returns the greatest time. */
static sy_time bottom_fill(struct ladder *q, struct lq_bucket *bk)
{
	struct lq_key *key = q->keys;
	sy_time max = INT64_MIN;
	size_t n = 0;

	if (bk->n <= LQ_RANK_MAX) {
		uint64_t key64[LQ_RANK_MAX + 3];
		const sy_sched_entry *p[LQ_RANK_MAX];
		sy_sched_entry *bot = q->bot;
		sy_time min = INT64_MAX;

		for (const struct lq_seg *s = bk->head; s; s = s->next) {
			size_t m = seg_count(bk, s);

			for (size_t i = 0; i < m; i++, n++) {
				sy_time t = s->e[i].time;

				p[n] = &s->e[i];
				min = t < min ? t : min;
				max = t > max ? t : max;
			}
		}
		if (((uint64_t)max - (uint64_t)min) >> (64 - LQ_RANK_BITS))
			goto keys;
		/* Each entry goes straight to its place, its rank among keys
		 * that pack the time (as an offset) above the position in
		 * the bucket: counting costs n^2 comparisons but no
		 * mispredicted branch, less than sorting for a few dozen. */
		for (size_t i = 0; i < n; i++)
			key64[i] = ((uint64_t)p[i]->time - (uint64_t)min)
				   << LQ_RANK_BITS | i;
		/* Padding that counts for nothing, for a loop by fours. */
		for (size_t i = n; i & 3; i++)
			key64[i] = UINT64_MAX;
		for (size_t i = 0; i < n; i++) {
			uint64_t ki = key64[i];
			size_t r = 0;

			for (size_t j = 0; j < n; j += 4)
				r += (size_t)(key64[j] < ki) +
				     (key64[j + 1] < ki) +
				     (key64[j + 2] < ki) + (key64[j + 3] < ki);
			bot[r] = *p[i];
		}
		/* Equal times are in bucket order: put them in seq order
		 * (nothing to do unless a bucket got them out of order). */
		for (size_t i = 1; i < n; i++) {
			sy_sched_entry x;
			size_t j;

			if (!sy_entry_before(&bot[i], &bot[i - 1]))
				continue;
			x = bot[i];
			for (j = i; j > 0 && sy_entry_before(&x, &bot[j - 1]); j--)
				bot[j] = bot[j - 1];
			bot[j] = x;
		}
		q->bh = 0;
		q->bn = n;
		chain_give(q, bk);
		return max;
	}
keys:
	n = 0;
	max = INT64_MIN;
	for (const struct lq_seg *s = bk->head; s; s = s->next) {
		size_t m = seg_count(bk, s);

		for (size_t i = 0; i < m; i++, n++) {
			key[n].time = s->e[i].time;
			key[n].e = &s->e[i];
			if (s->e[i].time > max)
				max = s->e[i].time;
		}
	}
	sort_keys(key, q->keys2, n);
	for (size_t i = 0; i < n; i++)
		q->bot[i] = *key[i].e;
	q->bh = 0;
	q->bn = n;
	chain_give(q, bk);
	return max;
}

/* The memory fallback: moves the least entry of the non-empty chain bk
 * into Bottom (empty, bcap >= 1), putting the last entry in its place. */
static void bottom_take_least(struct ladder *q, struct lq_bucket *bk)
{
	sy_sched_entry *least = NULL, *last;
	struct lq_seg *s, *prev = NULL;

	for (s = bk->head; s; s = s->next) {
		size_t m = seg_count(bk, s);

		for (size_t i = 0; i < m; i++)
			if (!least || sy_entry_before(&s->e[i], least))
				least = &s->e[i];
		if (s != bk->tail)
			prev = s;
	}
	q->bot[0] = *least;
	q->bh = 0;
	q->bn = 1;
	last = &bk->tail->e[(bk->n - 1) & (LQ_SEG - 1)];
	*least = *last;
	if (--bk->n == 0) {
		seg_give(q, bk->tail);
		bk->head = bk->tail = NULL;
	} else if ((bk->n & (LQ_SEG - 1)) == 0) {
		seg_give(q, bk->tail);
		prev->next = NULL;
		bk->tail = prev;
	}
}

/* Bottom holds more than thr entries after an insertion: makes it the
 * lowest rung, over [its least time, the end of its range], if its times
 * differ, a rung is allowed and memory can be had. */
static void bottom_spill(struct ladder *q)
{
	sy_sched_entry *b = &q->bot[q->bh];
	sy_time min = b[0].time, max = b[q->bn - 1].time, bound;
	struct lq_rung *g;

	if (q->nr >= q->maxr || min == max)
		return;
	bound = q->nr ? q->rung[q->nr - 1].lo - 1 : q->top_last;
	/* After the memory fallback Bottom may reach past its range. */
	if (max > bound)
		return;
	if (rung_prepare(q, q->nr, min, bound, q->bn,
			 q->bn / LQ_SEG + 1) < 0)
		return;
	g = &q->rung[q->nr];
	for (size_t i = 0; i < q->bn; i++)
		*bucket_slot(q, &g->b[bucket_of(g, b[i].time)]) = b[i];
	g->n = q->bn;
	q->nr++;
	q->bh = q->bn = 0;
	SY_DEEP_INVARIANT(rung_valid(q, q->nr - 1));
}

/* Sorted insertion by binary search, moving the shorter side. */
static int bottom_put(struct ladder *q, const sy_sched_entry *e)
{
	sy_sched_entry *b = q->bot;
	size_t lo = q->bh, hi = q->bh + q->bn, p;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sy_entry_before(e, &b[mid]))
			hi = mid;
		else
			lo = mid + 1;
	}
	p = lo;
	if (q->bh > 0 && p - q->bh <= q->bh + q->bn - p) {
		memmove(&b[q->bh - 1], &b[q->bh], (p - q->bh) * sizeof *b);
		q->bh--;
		entry_copy_in(&b[p - 1], e);
	} else {
		if (q->bh + q->bn == q->bcap) {
			if (q->bn >= q->bcap / 2) {
				if (bottom_reserve(q, 2 * q->bcap, false) < 0)
					return -1;
				b = q->bot;
			} else {
				memmove(b, &b[q->bh], q->bn * sizeof *b);
				p -= q->bh;
				q->bh = 0;
			}
		}
		memmove(&b[p + 1], &b[p], (q->bh + q->bn - p) * sizeof *b);
		entry_copy_in(&b[p], e);
	}
	q->bn++;
	q->size++;
	if (q->bn > q->thr)
		bottom_spill(q);
	return 0;
}

/* ---------------------------------------------------------------- refill */

/* Top becomes rung 0 (no rung left, Bottom empty, Top not empty), or goes
 * straight into Bottom when it is small or one single time. */
static void take_top(struct ladder *q)
{
	struct lq_bucket *top = &q->top;
	sy_time min = q->top_min, max = q->top_max;
	struct lq_rung *g = &q->rung[0];

	if ((top->n <= q->thr || min == max) &&
	    bottom_reserve(q, top->n, true) == 0) {
		bottom_fill(q, top);
	} else {
		/* Cannot fail: all segments but Top's are free (no rung, an
		 * empty Bottom), and LQ_SPARE of them were kept beyond Top's
		 * when it took its last one; slot 0 has 2 buckets. */
		rung_prepare(q, 0, min, max, top->n, 0);
		rung_fill_chain(q, g, top);
		q->nr = 1;
	}
	q->top_last = max;
	q->top_min = INT64_MAX;
	q->top_max = INT64_MIN;
	SY_DEEP_INVARIANT(q->nr == 0 ? bottom_sorted(q) : rung_valid(q, 0));
}

/* Takes bucket bk of the lowest rung g, whose range ends at last: into a
 * new rung, into Bottom, or (short of memory) its least entry into
 * Bottom. */
static void take_bucket(struct ladder *q, struct lq_rung *g,
			struct lq_bucket *bk, sy_time last)
{
	size_t k = bk->n;
	sy_time max;

	if (k > q->thr) {
		sy_time min = INT64_MAX;
		bool replace;

		max = INT64_MIN;
		for (const struct lq_seg *s = bk->head; s; s = s->next) {
			size_t m = seg_count(bk, s);

			for (size_t i = 0; i < m; i++) {
				sy_time t = s->e[i].time;

				min = t < min ? t : min;
				max = t > max ? t : max;
			}
		}
		/* The bucket ends the rung: the child replaces it. */
		replace = max == last;
		if (min < max && (replace || q->nr < q->maxr) &&
		    rung_prepare(q, q->nr, min, max, k, 0) == 0) {
			struct lq_rung *c = &q->rung[q->nr];

			rung_fill_chain(q, c, bk);
			SY_INVARIANT(g->n >= k);
			g->n -= k;
			if (replace) {
				struct lq_rung t = *g;

				*g = *c;
				*c = t;
			} else {
				g->lo = max + 1;
				g->cur = (uint32_t)bucket_of(g, g->lo);
				q->nr++;
			}
			SY_INVARIANT(q->nr <= q->maxr);
			SY_DEEP_INVARIANT(rung_valid(q, q->nr - 1));
			return;
		}
	}
	if (bottom_reserve(q, k, true) < 0) {
		bottom_take_least(q, bk);
		SY_INVARIANT(g->n > 0);
		g->n--;
		return;
	}
	max = bottom_fill(q, bk);
	SY_DEEP_INVARIANT(bottom_sorted(q));
	SY_INVARIANT(g->n >= k);
	g->n -= k;
	if (max == last) {
		q->nr--;
	} else {
		g->lo = max + 1;
		g->cur = (uint32_t)bucket_of(g, g->lo);
	}
}

/* Fills Bottom (empty) from the lowest rung or from Top; the queue is not
 * empty. */
static void refill(struct ladder *q)
{
	while (q->bn == 0) {
		struct lq_rung *g;
		sy_time last;
		size_t b;

		if (q->nr == 0) {
			take_top(q);
			continue;
		}
		g = &q->rung[q->nr - 1];
		/* An empty rung goes, its range joining Bottom's. */
		if (g->n == 0) {
			q->nr--;
			continue;
		}
		last = q->nr == 1 ? q->top_last : q->rung[q->nr - 2].lo - 1;
		for (b = g->cur; g->b[b].n == 0; b++)
			;
		g->cur = (uint32_t)b;
		take_bucket(q, g, &g->b[b], last);
	}
}

/* ---------------------------------------------------------------- checks */

#ifdef SY_DEEP_CHECKS
/* A chain's count matches its segments: all full but the last. */
static bool bucket_count_ok(const struct lq_bucket *bk)
{
	size_t segs = 0;

	if (bk->n == 0)
		return !bk->head && !bk->tail;
	for (const struct lq_seg *s = bk->head; s; s = s->next) {
		segs++;
		if (!s->next && s != bk->tail)
			return false;
	}
	return segs == (bk->n + LQ_SEG - 1) / LQ_SEG;
}

/* The end of rung r's range. */
static sy_time rung_end(const struct ladder *q, unsigned r)
{
	return r == 0 ? q->top_last : q->rung[r - 1].lo - 1;
}

/* Rung r: its count, each entry in its own bucket from cur on and within
 * [lo, end], the buckets before cur empty. */
static bool rung_valid(const struct ladder *q, unsigned r)
{
	const struct lq_rung *g = &q->rung[r];
	sy_time end = rung_end(q, r);
	size_t n = 0, used;

	if (g->lo < g->start || end < g->lo ||
	    g->cur != bucket_of(g, g->lo))
		return false;
	/* The buckets up to end's; those beyond stay empty. */
	used = bucket_of(g, end) + 1;
	for (size_t b = 0; b < used && b < g->cap; b++) {
		const struct lq_bucket *bk = &g->b[b];

		if (!bk->n)
			continue;
		if (b < g->cur || !bucket_count_ok(bk))
			return false;
		for (const struct lq_seg *s = bk->head; s; s = s->next) {
			size_t m = seg_count(bk, s);

			for (size_t i = 0; i < m; i++) {
				sy_time t = s->e[i].time;

				if (t < g->lo || t > end || bucket_of(g, t) != b)
					return false;
			}
		}
		n += bk->n;
	}
	return n == g->n;
}

static bool bottom_sorted(const struct ladder *q)
{
	for (size_t i = q->bh + 1; i < q->bh + q->bn; i++)
		if (sy_entry_before(&q->bot[i], &q->bot[i - 1]))
			return false;
	return q->bh + q->bn <= q->bcap;
}

/* Everything: tier counts adding up to the size, each rung, Top after
 * top_last, Bottom sorted, and the pool's free list as long as it says. */
static bool lq_valid(const struct ladder *q)
{
	size_t n = q->top.n + q->bn, nfree = 0;

	if (q->nr > q->maxr || !bucket_count_ok(&q->top) || !bottom_sorted(q))
		return false;
	for (const struct lq_seg *s = q->top.head; s; s = s->next) {
		size_t m = seg_count(&q->top, s);

		for (size_t i = 0; i < m; i++)
			if (s->e[i].time <= q->top_last)
				return false;
	}
	for (unsigned r = 0; r < q->nr; r++) {
		if (!rung_valid(q, r))
			return false;
		n += q->rung[r].n;
	}
	for (const struct lq_seg *s = q->free; s; s = s->next)
		nfree++;
	return n == q->size && nfree == q->nfree;
}
#endif

/* ---------------------------------------------------------------- ops */

/* Every insertion that the fast path below does not take: the first after
 * the queue ran empty, one that needs a segment, one below rung 0. */
static __attribute__((noinline)) int insert_slow(struct ladder *q,
						 const sy_sched_entry *e)
{
	sy_time t = e->time;

	if (q->size == 0) {
		/* Start afresh, so that a new first entry goes to Top
		 * whatever the old ranges were (empty rungs are all empty). */
		q->nr = 0;
		q->bh = 0;
		q->top_last = INT64_MIN;
		q->top_min = INT64_MAX;
		q->top_max = INT64_MIN;
	}
	if (t > q->top_last) {
		if (bucket_put(q, &q->top, e) < 0)
			return -1;
		q->top_min = t < q->top_min ? t : q->top_min;
		q->top_max = t > q->top_max ? t : q->top_max;
		q->size++;
		return 0;
	}
	for (unsigned r = 0; r < q->nr; r++) {
		struct lq_rung *g = &q->rung[r];

		if (t >= g->lo) {
			if (bucket_put(q, &g->b[bucket_of(g, t)], e) < 0)
				return -1;
			g->n++;
			q->size++;
			return 0;
		}
	}
	return bottom_put(q, e);
}

/* The common insertion, into Top or rung 0 where the tail has room, kept
 * small: it is most of what an insertion costs. */
static int lq_insert(void *st, const sy_sched_entry *e)
{
	struct ladder *q = st;
	sy_time t = e->time;
	struct lq_bucket *bk;
	size_t i;

	if (t > q->top_last) {
		bk = &q->top;
		i = bk->n & (LQ_SEG - 1);
		if (i == 0 || q->size == 0)
			return insert_slow(q, e);
		q->top_min = t < q->top_min ? t : q->top_min;
		q->top_max = t > q->top_max ? t : q->top_max;
	} else if (q->nr > 0 && t >= q->rung[0].lo) {
		struct lq_rung *g = &q->rung[0];

		bk = &g->b[bucket_of(g, t)];
		i = bk->n & (LQ_SEG - 1);
		if (i == 0)
			return insert_slow(q, e);
		g->n++;
	} else {
		return insert_slow(q, e);
	}
	entry_copy_in(&bk->tail->e[i], e);
	bk->n++;
	q->size++;
	return 0;
}

static const sy_sched_entry *lq_peek(void *st)
{
	struct ladder *q = st;

	if (__builtin_expect(q->bn == 0, 0)) {
		if (q->size == 0)
			return NULL;
		refill(q);
	}
	SY_INVARIANT(q->bn > 0);
	return &q->bot[q->bh];
}

static void lq_pop(void *st)
{
	struct ladder *q = st;

	SY_INVARIANT(q->size > 0);
	if (__builtin_expect(q->bn == 0, 0))
		refill(q);
	SY_INVARIANT(q->bn > 0 && q->bn <= q->size);
	q->bh++;
	q->size--;
	if (--q->bn == 0)
		q->bh = 0;
	else	/* What leaves is never after what stays. */
		SY_INVARIANT(!sy_entry_before(&q->bot[q->bh],
					      &q->bot[q->bh - 1]));
}

static size_t lq_size(const void *st)
{
	const struct ladder *q = st;

	return q->size;
}

static void lq_filter(void *st, sy_sched_keep keep, void *ctx)
{
	struct ladder *q = st;
	size_t j = q->bh;

	/* Top's bounds may be loose afterwards; they stay bounds. */
	q->size -= bucket_filter(q, &q->top, keep, ctx);
	if (q->top.n == 0) {
		q->top_min = INT64_MAX;
		q->top_max = INT64_MIN;
	}
	for (unsigned r = 0; r < q->nr; r++) {
		struct lq_rung *g = &q->rung[r];
		size_t seen = 0, gone = 0;

		/* Every entry is in a bucket from cur on. */
		for (size_t b = g->cur; seen < g->n; b++) {
			if (g->b[b].n) {
				seen += g->b[b].n;
				gone += bucket_filter(q, &g->b[b], keep, ctx);
			}
		}
		SY_INVARIANT(g->n >= gone && q->size >= gone);
		g->n -= gone;
		q->size -= gone;
	}
	for (size_t i = q->bh; i < q->bh + q->bn; i++)
		if (keep(ctx, &q->bot[i]))
			q->bot[j++] = q->bot[i];
	SY_INVARIANT(q->size >= q->bh + q->bn - j);
	q->size -= q->bh + q->bn - j;
	q->bn = j - q->bh;
	if (q->bn == 0)
		q->bh = 0;
	SY_DEEP_INVARIANT(lq_valid(q));
}

static size_t lq_memory(const void *st)
{
	const struct ladder *q = st;
	size_t m = sizeof *q;

	for (const struct lq_chunk *c = q->chunks; c; c = c->next)
		m += sizeof *c + c->nseg * sizeof(struct lq_seg);
	for (unsigned r = 0; r <= q->maxr; r++)
		m += q->rung[r].cap * sizeof(struct lq_bucket);
	m += q->bcap * sizeof *q->bot;
	m += 2 * q->kcap * sizeof(struct lq_key);
	return m;
}

static const sy_sched_ops ops = {
	SY_OPS_HEAD(SY_SCHED_OPS_VERSION, sy_sched_ops),
	.insert = lq_insert,
	.peek = lq_peek,
	.pop = lq_pop,
	.size = lq_size,
	.filter = lq_filter,
	.memory = lq_memory,
};

/* ---------------------------------------------------------------- plugin */

static void lq_fini(void *state)
{
	struct ladder *q = state;
	struct lq_chunk *c, *next;

	for (c = q->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	q->chunks = NULL;
	for (unsigned r = 0; r <= LQ_MAX_RUNGS; r++) {
		free(q->rung[r].b);
		q->rung[r].b = NULL;
	}
	free(q->bot);
	free(q->keys);
	free(q->keys2);
	q->bot = NULL;
	q->keys = q->keys2 = NULL;
}

static int lq_init(void *state, struct sy_sim *sim, sy_err *err)
{
	struct ladder *q = state;

	q->thr = (size_t)q->threshold;
	q->maxr = (unsigned)q->rungs;
	q->size = 0;
	q->top = (struct lq_bucket){ NULL, NULL, 0 };
	q->top_min = INT64_MAX;
	q->top_max = INT64_MIN;
	q->top_last = INT64_MIN;
	q->nr = 0;
	q->free = NULL;
	q->nfree = q->nseg = 0;
	q->chunks = NULL;
	q->bot = NULL;
	q->keys = q->keys2 = NULL;
	q->bh = q->bn = q->bcap = q->kcap = 0;
	for (unsigned r = 0; r <= LQ_MAX_RUNGS; r++)
		q->rung[r] = (struct lq_rung){ .b = NULL, .cap = 0 };
	/* What taking a bucket of up to thr entries or a 2-bucket rung
	 * needs, so that those never fail. */
	for (unsigned r = 0; r <= q->maxr; r++) {
		q->rung[r].b = calloc(2, sizeof(struct lq_bucket));
		if (!q->rung[r].b)
			goto oom;
		q->rung[r].cap = 2;
	}
	q->bot = malloc((q->thr + 1) * sizeof *q->bot);
	q->keys = malloc((q->thr + 1) * sizeof *q->keys);
	q->keys2 = malloc((q->thr + 1) * sizeof *q->keys2);
	if (!q->bot || !q->keys || !q->keys2 || pool_grow(q) < 0)
		goto oom;
	q->bcap = q->kcap = q->thr + 1;
	return 0;
oom:
	lq_fini(q);
	return sy_err_set(err, "scheduler/ladder: out of memory");
}

static const sy_param params[] = {
	{
		.name = "threshold", .type = SY_PT_INT,
		.offset = offsetof(struct ladder, threshold),
		.def = "50", .min = "2", .max = "100000",
		.doc = "largest bucket sorted into the bottom list; a bigger "
		       "one becomes a new rung, and a bottom list that grows "
		       "past it on insertion becomes a rung too (unless its "
		       "times are all equal or no rung is left)",
	},
	{
		.name = "rungs", .type = SY_PT_INT,
		.offset = offsetof(struct ladder, rungs),
		.def = "8", .min = "1", .max = "64",
		.doc = "most rungs at once; a bucket that would need one more "
		       "is sorted into the bottom list whatever its size",
	},
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "scheduler",
	.name = "ladder",
	.summary = "ladder queue (Tang, Goh and Thng 2005), O(1) amortized "
		   "with mostly sequential memory access",
	.state_size = sizeof(struct ladder),
	.params = params,
	.init = lq_init,
	.fini = lq_fini,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
