#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"

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
int lq_rung_prepare(struct ladder *q, unsigned slot, sy_time min,
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
int lq_bottom_reserve(struct ladder *q, size_t n, bool keys)
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

/* ---------------------------------------------------------------- refill */

/* Top becomes rung 0 (no rung left, Bottom empty, Top not empty), or goes
 * straight into Bottom when it is small or one single time. */
static void take_top(struct ladder *q)
{
	struct lq_bucket *top = &q->top;
	sy_time min = q->top_min, max = q->top_max;
	struct lq_rung *g = &q->rung[0];

	if ((top->n <= q->thr || min == max) &&
	    lq_bottom_reserve(q, top->n, true) == 0) {
		bottom_fill(q, top);
	} else {
		/* Cannot fail: all segments but Top's are free (no rung, an
		 * empty Bottom), and LQ_SPARE of them were kept beyond Top's
		 * when it took its last one; slot 0 has 2 buckets. */
		lq_rung_prepare(q, 0, min, max, top->n, 0);
		rung_fill_chain(q, g, top);
		q->nr = 1;
	}
	q->top_last = max;
	q->top_min = INT64_MAX;
	q->top_max = INT64_MIN;
	SY_DEEP_INVARIANT(q->nr == 0 ? lq_bottom_sorted(q) : lq_rung_valid(q, 0));
}

/* The times bucket b of rung g can hold, within [g->lo, last]. */
static void bucket_bounds(const struct lq_rung *g, size_t b, sy_time last,
			  sy_time *min, sy_time *max)
{
	uint64_t off = (uint64_t)b << g->shift;
	uint64_t end = off + (((uint64_t)1 << g->shift) - 1);
	uint64_t to_last = (uint64_t)last - (uint64_t)g->start;
	sy_time lo = (sy_time)((uint64_t)g->start + off);

	*min = lo > g->lo ? lo : g->lo;
	*max = end >= off && end < to_last ?
	       (sy_time)((uint64_t)g->start + end) : last;
}

/* Takes bucket b of the lowest rung g, whose range ends at last: into a
 * new rung, into Bottom, or (short of memory) its least entry into
 * Bottom. */
static void take_bucket(struct ladder *q, struct lq_rung *g, size_t b,
			sy_time last)
{
	struct lq_bucket *bk = &g->b[b];
	size_t k = bk->n;
	sy_time max;

	if (k > q->thr) {
		const struct lq_seg *tl = bk->tail;
		sy_time min;
		bool replace;

		/* The new rung spans the bucket's own range, which takes no
		 * pass over its entries.  A bucket whose first and last
		 * entries share a time is likely one time throughout, which
		 * would need a rung per halving of the width before it
		 * reached Bottom: there a pass finds out. */
		if (bk->head->e[0].time != tl->e[(k - 1) & (LQ_SEG - 1)].time) {
			bucket_bounds(g, b, last, &min, &max);
		} else {
			min = INT64_MAX;
			max = INT64_MIN;
			for (const struct lq_seg *s = bk->head; s; s = s->next) {
				size_t m = seg_count(bk, s);

				for (size_t i = 0; i < m; i++) {
					sy_time x = s->e[i].time;

					min = x < min ? x : min;
					max = x > max ? x : max;
				}
			}
		}
		/* The bucket ends the rung: the child replaces it. */
		replace = max == last;
		if (min < max && (replace || q->nr < q->maxr) &&
		    lq_rung_prepare(q, q->nr, min, max, k, 0) == 0) {
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
			SY_DEEP_INVARIANT(lq_rung_valid(q, q->nr - 1));
			return;
		}
	}
	if (lq_bottom_reserve(q, k, true) < 0) {
		bottom_take_least(q, bk);
		SY_INVARIANT(g->n > 0);
		g->n--;
		return;
	}
	max = bottom_fill(q, bk);
	SY_DEEP_INVARIANT(lq_bottom_sorted(q));
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
void lq_refill(struct ladder *q)
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
		take_bucket(q, g, b, last);
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
bool lq_rung_valid(const struct ladder *q, unsigned r)
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

bool lq_bottom_sorted(const struct ladder *q)
{
	for (size_t i = q->bh + 1; i < q->bh + q->bn; i++)
		if (sy_entry_before(&q->bot[i], &q->bot[i - 1]))
			return false;
	return q->bh + q->bn <= q->bcap;
}

/* Everything: tier counts adding up to the size, each rung, Top after
 * top_last, Bottom sorted, and the pool's free list as long as it says. */
bool lq_valid(const struct ladder *q)
{
	size_t n = q->top.n + q->bn, nfree = 0;

	if (q->nr > q->maxr || !bucket_count_ok(&q->top) || !lq_bottom_sorted(q))
		return false;
	for (const struct lq_seg *s = q->top.head; s; s = s->next) {
		size_t m = seg_count(&q->top, s);

		for (size_t i = 0; i < m; i++)
			if (s->e[i].time <= q->top_last)
				return false;
	}
	for (unsigned r = 0; r < q->nr; r++) {
		if (!lq_rung_valid(q, r))
			return false;
		n += q->rung[r].n;
	}
	for (const struct lq_seg *s = q->free; s; s = s->next)
		nfree++;
	return n == q->size && nfree == q->nfree;
}
#endif
