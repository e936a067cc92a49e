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
 * - A rung made from Top or Bottom covers the measured span [min, max]
 *   of its entries, one made from a bucket the bucket's own range (within
 *   the parent's), which takes no pass over the entries; both in
 *   power-of-two widths.  A bucket whose first and last entries share a
 *   time is measured instead, as it likely holds one time only.  A rung
 *   made from a bucket or from Bottom has about LQ_SPLIT * count /
 *   threshold buckets, at most LQ_MAX_BUCKETS (the paper: `threshold`
 *   buckets, each the parent's width divided by `threshold`), so that the
 *   buckets sorted into Bottom hold a handful of entries.  Sorting a
 *   bucket whose entries end at max into Bottom sets the rung's lo to
 *   max + 1, not to the next bucket's start: entries inserted later
 *   between max and the bucket's end go to the same bucket, taken again
 *   later, rather than to Bottom, where an insertion moves entries.
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

#include "ladder.h"

/* ---------------------------------------------------------------- pool */

int lq_pool_grow(struct ladder *q)
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

/* ---------------------------------------------------------------- buckets */

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

/* ---------------------------------------------------------------- bottom */

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
	if (lq_rung_prepare(q, q->nr, min, bound, q->bn,
			    q->bn / LQ_SEG + 1) < 0)
		return;
	g = &q->rung[q->nr];
	for (size_t i = 0; i < q->bn; i++)
		*bucket_slot(q, &g->b[bucket_of(g, b[i].time)]) = b[i];
	g->n = q->bn;
	q->nr++;
	q->bh = q->bn = 0;
	SY_DEEP_INVARIANT(lq_rung_valid(q, q->nr - 1));
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
				if (lq_bottom_reserve(q, 2 * q->bcap, false) < 0)
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
		lq_refill(q);
	}
	SY_INVARIANT(q->bn > 0);
	return &q->bot[q->bh];
}

static void lq_pop(void *st)
{
	struct ladder *q = st;

	SY_INVARIANT(q->size > 0);
	if (__builtin_expect(q->bn == 0, 0))
		lq_refill(q);
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
	if (!q->bot || !q->keys || !q->keys2 || lq_pool_grow(q) < 0)
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
