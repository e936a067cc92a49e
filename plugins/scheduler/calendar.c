/* Calendar queue scheduler (R. Brown, "Calendar queues: a fast O(1)
 * priority queue implementation for the simulation event set problem",
 * CACM 31(10), 1988).
 *
 * Time is cut into days of `width` nanoseconds; day d lives in bucket
 * d mod nbuckets, so a "year" is nbuckets * width.  Each bucket is sorted
 * by (time, seq).  The least entry is found by walking the days from the
 * current one and taking the first bucket whose least entry falls in the
 * day being looked at; if a whole year passes without one, a direct search
 * finds the minimum and the walk jumps to its day.
 *
 * An entry of a later year shares its bucket with the current year's and
 * sits behind them in the sorted list, where the walk steps over it and
 * where it defeats the O(1) append of a run of equal times.  One departure
 * from Brown bounds this: an entry inserted CQ_OVF_YEARS years or more
 * ahead of the current day goes into an overflow binary heap instead.
 * The walk treats the heap's top as one more candidate, so an overflow
 * entry leaves through the heap when its time comes: far timers
 * (retransmission, TIME_WAIT) cost O(log n) each and leave the buckets to
 * the near events.
 *
 * Layout, chosen for the cache: a bucket (one cache line) holds its least
 * entry inline and links the others, sorted, through nodes of one pool (an
 * array that grows geometrically and recycles nodes through a free list).
 * The walk over the days therefore reads the bucket array sequentially and
 * never follows a link, and an insertion into a bucket holding at most one
 * entry touches only that bucket.  A node's link is an index kept where the
 * entry would have its padding, so a node costs what an entry costs.
 * (Keeping the payloads apart, in arrays parallel to the buckets and the
 * pool or indexed by slot, halves the memory that insertions read at
 * random but adds a second line per event; it measured no faster.)
 * Both nbuckets and width are powers of two: the day of a time is a shift
 * and its bucket a mask.  Nothing is allocated per operation once the
 * pool, the bucket array and the overflow have reached their working
 * size.
 *
 * With `resize` on, the bucket count doubles when the size exceeds twice
 * the count and halves when it falls below half of it (as Brown does), and
 * each rebuild sets the width to about three times the mean spacing of the
 * earliest entries.  Because the spacing can drift while the size stays
 * put, the queue also counts the buckets it steps over and the nodes it
 * walks, and rebuilds with a fresh width when that work per operation
 * grows too large.
 *
 * Checked on every operation (SY_INVARIANT): the size never goes below
 * zero, a node index is below the pool's high-water mark, and the least
 * entry found is never on a day before cur_day.  Checked by a walk in
 * sanitizer builds (SY_DEEP_INVARIANT), where the operation is O(n)
 * anyway (rebuild, filter): each entry sits in its day's bucket with the
 * bucket's least inline and the rest sorted, rtail and ttime name the
 * last, the overflow is a heap, and the nodes in buckets and on the free
 * list are the pool's used nodes, each once. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "errors.h"
#include "param.h"
#include "plugin.h"
#include "scheduler.h"
#include "vtime.h"

#include "calendar.h"

/* ---------------------------------------------------------------- nodes */

int cq_pool_reserve(struct calendar *c, uint64_t cap)
{
	struct cq_node *p;

	if (cap <= c->ncap)
		return 0;
	if (cap > CQ_MAX_NODES)
		return -1;
	p = realloc(c->node, cap * sizeof *p);
	if (!p)
		return -1;
	c->node = p;
	c->ncap = (uint32_t)cap;
	return 0;
}

static uint32_t node_alloc(struct calendar *c)
{
	uint32_t n = c->free;

	if (n != CQ_NIL) {
		SY_INVARIANT(n < c->nused);
		c->free = c->node[n].next;
		return n;
	}
	if (c->nused == c->ncap) {
		uint64_t cap = c->ncap ? 2 * (uint64_t)c->ncap : 64;

		if (cap > CQ_MAX_NODES)
			cap = CQ_MAX_NODES;
		if (cap == c->ncap || cq_pool_reserve(c, cap) < 0)
			return CQ_NIL;
	}
	return c->nused++;
}

static inline void node_free(struct calendar *c, uint32_t n)
{
	SY_INVARIANT(n < c->nused);
	c->node[n].next = c->free;
	c->free = n;
}

/* ---------------------------------------------------------------- buckets */

/* Adds e to bucket bk, keeping it sorted.  Returns the nodes walked past
 * (for the work accounting), or -1 when no node could be had.
 *
 * Appending is tried before walking: entries of one day mostly arrive in
 * order (equal times always do, seq being increasing), so a run of equal
 * times costs O(1) per insertion and not the length of the run. */
long cq_bucket_put(struct calendar *c, struct cq_bucket *bk,
		   const sy_sched_entry *e)
{
	struct cq_node *node, *x;
	uint32_t n, p, q;
	long walked = 0;

	if (bk->rest == CQ_EMPTY) {
		bk->e = *e;
		bk->rest = bk->rtail = CQ_NIL;
		return 0;
	}
	n = node_alloc(c);
	if (n == CQ_NIL)
		return -1;
	node = c->node;
	x = &node[n];
	if (sy_entry_before(e, &bk->e)) {
		/* e becomes the inline entry; the old one heads the rest. */
		node_set(x, &bk->e);
		bk->e = *e;
		x->next = bk->rest;
		bk->rest = n;
		if (bk->rtail == CQ_NIL) {
			bk->rtail = n;
			bk->ttime = x->time;
		}
		return 0;
	}
	node_set(x, e);
	if (bk->rest == CQ_NIL) {
		x->next = CQ_NIL;
		bk->rest = bk->rtail = n;
		bk->ttime = x->time;
		return 0;
	}
	/* Not before the last node; the node itself is read only on a tie
	 * of times, and written without waiting for it. */
	if (x->time > bk->ttime ||
	    (x->time == bk->ttime && !node_before(x, &node[bk->rtail]))) {
		x->next = CQ_NIL;
		node[bk->rtail].next = n;
		bk->rtail = n;
		bk->ttime = x->time;
		return 0;
	}
	if (node_before(x, &node[bk->rest])) {
		x->next = bk->rest;
		bk->rest = n;
		return 0;
	}
	/* rest <= x < rtail: the walk stops before running off the end. */
	p = bk->rest;
	while (q = node[p].next, node_before(&node[q], x)) {
		p = q;
		walked++;
	}
	x->next = q;
	node[p].next = n;
	return walked + 1;
}

/* Removes the inline (least) entry of a non-empty bucket. */
static inline void bucket_shift(struct calendar *c, struct cq_bucket *bk)
{
	uint32_t n = bk->rest;

	if (n == CQ_NIL) {
		bk->rest = CQ_EMPTY;
		return;
	}
	node_get(&bk->e, &c->node[n]);
	bk->rest = c->node[n].next;
	if (bk->rest == CQ_NIL)
		bk->rtail = CQ_NIL;
	node_free(c, n);
}

/* ---------------------------------------------------------------- overflow */

int cq_ovf_reserve(struct calendar *c, size_t cap)
{
	sy_sched_entry *v;

	if (cap <= c->ovf_cap)
		return 0;
	if (cap > SIZE_MAX / sizeof *v)
		return -1;
	v = realloc(c->ovf, cap * sizeof *v);
	if (!v)
		return -1;
	c->ovf = v;
	c->ovf_cap = cap;
	return 0;
}

static void ovf_sift_down(sy_sched_entry *v, size_t n, size_t i,
			  sy_sched_entry e)
{
	size_t k;

	while ((k = 2 * i + 1) < n) {
		if (k + 1 < n && sy_entry_before(&v[k + 1], &v[k]))
			k++;
		if (!sy_entry_before(&v[k], &e))
			break;
		v[i] = v[k];
		i = k;
	}
	v[i] = e;
}

static int ovf_push(struct calendar *c, const sy_sched_entry *e)
{
	size_t i;

	if (c->novf == c->ovf_cap &&
	    cq_ovf_reserve(c, c->ovf_cap ? 2 * c->ovf_cap : 64) < 0)
		return -1;
	for (i = c->novf++; i > 0; i = (i - 1) / 2) {
		if (!sy_entry_before(e, &c->ovf[(i - 1) / 2]))
			break;
		c->ovf[i] = c->ovf[(i - 1) / 2];
	}
	c->ovf[i] = *e;
	return 0;
}

static void ovf_pop(struct calendar *c)
{
	SY_INVARIANT(c->novf > 0);
	if (--c->novf > 0)
		ovf_sift_down(c->ovf, c->novf, 0, c->ovf[c->novf]);
}

/* Floyd's bottom-up construction, O(n). */
void cq_ovf_heapify(struct calendar *c)
{
	for (size_t i = c->novf / 2; i-- > 0;)
		ovf_sift_down(c->ovf, c->novf, i, c->ovf[i]);
}

/* ---------------------------------------------------------------- search */

/* Finds the least entry (the queue is not empty), sets cur_day to its day
 * and caches it in top. */
static void cq_find(struct calendar *c)
{
	const struct cq_bucket *bucket = c->bucket, *bk, *best;
	uint64_t mask = c->mask, i;
	unsigned shift = c->shift;
	int64_t day = c->cur_day, oday = INT64_MAX;
	const sy_sched_entry *o = NULL;

	if (c->novf) {
		o = &c->ovf[0];
		oday = day_of(o->time, shift);
	}

	/* The first bucket whose least entry lies in the day looked at holds
	 * the least bucket entry: every entry is at day >= cur_day, and those
	 * of this day all sit at the front of this bucket.  The overflow's top
	 * competes once its day is reached.  day never overflows: it stays at
	 * or below the least entry's day. */
	for (i = 0; i <= mask; i++, day++) {
		bk = &bucket[(uint64_t)day & mask];
		if (bk->rest != CQ_EMPTY && day_of(bk->e.time, shift) == day) {
			if (o && day == oday && sy_entry_before(o, &bk->e))
				goto overflow;
			/* pop will move the bucket's next entry inline:
			 * start fetching it now. */
			if (bk->rest != CQ_NIL)
				__builtin_prefetch(&c->node[bk->rest]);
			c->work += i;
			goto found;
		}
		if (o && day == oday)
			goto overflow;
	}

	/* A year without an entry: search the buckets directly and jump. */
	best = NULL;
	for (i = 0; i <= mask; i++) {
		bk = &bucket[i];
		if (bk->rest != CQ_EMPTY &&
		    (!best || sy_entry_before(&bk->e, &best->e)))
			best = bk;
	}
	c->work += 2 * (mask + 1);
	if (!best || (o && sy_entry_before(o, &best->e)))
		goto overflow;
	bk = best;
	day = day_of(bk->e.time, shift);
	/* Every entry is at cur_day or later. */
	SY_INVARIANT(day >= c->cur_day);
found:
	c->cur_day = day;
	c->top = bk->e;
	c->top_in_ovf = false;
	c->top_valid = true;
	return;
overflow:
	SY_INVARIANT(o && oday >= c->cur_day);
	c->cur_day = oday;
	c->top = *o;
	c->top_in_ovf = true;
	c->top_valid = true;
}

/* ---------------------------------------------------------------- ops */

static int cq_insert(void *st, const sy_sched_entry *e)
{
	struct calendar *c = st;
	int64_t day = day_of(e->time, c->shift);
	bool least = c->size == 0 ||
		     (c->top_valid && sy_entry_before(e, &c->top));
	long walked;

	/* Keep the invariant on cur_day first, so that the year the entry
	 * is measured against starts at or before it.  An entry before the
	 * cached top is the new minimum (the inline entry of its bucket: it
	 * cannot be beyond the year); an entry before cur_day can only be
	 * that, or the top was not cached. */
	if (least || day < c->cur_day)
		c->cur_day = day;
	if (far_ahead(day, c->cur_day, c->mask + 1)) {
		if (ovf_push(c, e) < 0)
			goto fail;
	} else {
		walked = cq_bucket_put(c, &c->bucket[(uint64_t)day & c->mask], e);
		if (walked < 0)
			goto fail;
		c->work += (uint64_t)walked;
	}
	if (least) {
		c->top = *e;
		c->top_in_ovf = false;
		c->top_valid = true;
	}

	c->size++;
	if (c->size > c->grow_at)
		cq_rebuild(c, 2 * (c->mask + 1));
	else if (++c->ops >= c->check_every)
		cq_check(c);
	return 0;
fail:
	/* cur_day may have moved back past the cached top's day. */
	c->top_valid = false;
	return -1;
}

static const sy_sched_entry *cq_peek(void *st)
{
	struct calendar *c = st;

	if (c->top_valid)
		return &c->top;
	if (c->size == 0)
		return NULL;
	cq_find(c);
	return &c->top;
}

static void cq_pop(void *st)
{
	struct calendar *c = st;

	SY_INVARIANT(c->size > 0);
	if (!c->top_valid)
		cq_find(c);
	if (c->top_in_ovf)
		ovf_pop(c);
	else
		bucket_shift(c, &c->bucket[(uint64_t)c->cur_day & c->mask]);
	c->size--;
	c->top_valid = false;

	if (c->size < c->shrink_at)
		cq_rebuild(c, (c->mask + 1) / 2);
	else if (++c->ops >= c->check_every)
		cq_check(c);
}

static size_t cq_size(const void *st)
{
	const struct calendar *c = st;

	return c->size;
}

static void cq_filter(void *st, sy_sched_keep keep, void *ctx)
{
	struct calendar *c = st;
	size_t j = 0;

	for (uint64_t b = 0; b <= c->mask; b++) {
		struct cq_bucket *bk = &c->bucket[b];
		uint32_t prev = CQ_NIL, n;

		if (bk->rest == CQ_EMPTY)
			continue;
		for (n = bk->rest; n != CQ_NIL; ) {
			struct cq_node *x = &c->node[n];
			uint32_t next = x->next;
			sy_sched_entry e;

			node_get(&e, x);
			if (keep(ctx, &e)) {
				prev = n;
			} else {
				if (prev == CQ_NIL)
					bk->rest = next;
				else
					c->node[prev].next = next;
				node_free(c, n);
				SY_INVARIANT(c->size > 0);
				c->size--;
			}
			n = next;
		}
		bk->rtail = prev;
		if (prev != CQ_NIL)
			bk->ttime = c->node[prev].time;
		if (!keep(ctx, &bk->e)) {
			bucket_shift(c, bk);
			SY_INVARIANT(c->size > 0);
			c->size--;
		}
	}
	for (size_t i = 0; i < c->novf; i++) {
		if (keep(ctx, &c->ovf[i])) {
			c->ovf[j++] = c->ovf[i];
		} else {
			SY_INVARIANT(c->size > 0);
			c->size--;
		}
	}
	c->novf = j;
	cq_ovf_heapify(c);
	/* cur_day stays a lower bound; only the cached top may be gone. */
	c->top_valid = false;
	SY_DEEP_INVARIANT(cq_valid(c));
	if (c->size < c->shrink_at)
		cq_rebuild(c, cq_buckets_for(c));
}

static size_t cq_memory(const void *st)
{
	const struct calendar *c = st;

	return sizeof *c + (c->mask + 1) * sizeof *c->bucket +
	       (size_t)c->ncap * sizeof *c->node +
	       c->ovf_cap * sizeof *c->ovf;
}

static const sy_sched_ops ops = {
	SY_OPS_HEAD(SY_SCHED_OPS_VERSION, sy_sched_ops),
	.insert = cq_insert,
	.peek = cq_peek,
	.pop = cq_pop,
	.size = cq_size,
	.filter = cq_filter,
	.memory = cq_memory,
};

/* ---------------------------------------------------------------- plugin */

static int cq_init(void *state, struct sy_sim *sim, sy_err *err)
{
	struct calendar *c = state;
	uint64_t nb = (uint64_t)c->buckets;

	if (nb & (nb - 1))
		return sy_err_set(err, "scheduler/calendar: buckets must be a "
				  "power of two, not %lld",
				  (long long)c->buckets);
	c->bucket = buckets_alloc(nb);
	if (!c->bucket)
		return sy_err_set(err, "scheduler/calendar: out of memory for "
				  "%llu buckets", (unsigned long long)nb);
	buckets_clear(c->bucket, nb);
	c->mask = nb - 1;
	c->shift = shift_for((double)c->width);
	/* nb is in range: the parameter's maximum is far below this. */
	SY_INVARIANT(nb >= 2 && nb <= CQ_MAX_BUCKETS);
	c->cur_day = 0;
	c->top_valid = false;
	c->ovf = NULL;
	c->novf = c->ovf_cap = 0;
	c->node = NULL;
	c->ncap = c->nused = 0;
	c->free = CQ_NIL;
	c->size = 0;
	c->min_buckets = nb;
	c->ops = c->work = 0;
	/* With resize off the width is the user's and is never checked. */
	if (c->resize)
		c->check_every = nb > CQ_CHECK_MIN ? nb : CQ_CHECK_MIN;
	else
		c->check_every = UINT64_MAX;
	set_thresholds(c);
	return 0;
}

static void cq_fini(void *state)
{
	struct calendar *c = state;

	free(c->bucket);
	free(c->node);
	free(c->ovf);
	c->bucket = NULL;
	c->node = NULL;
	c->ovf = NULL;
}

static const sy_param params[] = {
	{
		.name = "buckets", .type = SY_PT_INT,
		.offset = offsetof(struct calendar, buckets),
		.def = "64", .min = "2", .max = "16777216",
		.doc = "initial number of buckets, a power of two up to 2^24 "
		       "(64 bytes each); with resize the count follows the "
		       "queue size but never drops below this",
	},
	{
		.name = "width", .type = SY_PT_DURATION,
		.offset = offsetof(struct calendar, width),
		.def = "1ms", .min = "1ns",
		.doc = "initial bucket width, rounded to the nearest power of two "
		       "of nanoseconds; with resize it is re-estimated from the "
		       "spacing of the earliest events",
	},
	{
		.name = "resize", .type = SY_PT_BOOL,
		.offset = offsetof(struct calendar, resize),
		.def = "true",
		.doc = "adapt the bucket count to the queue size and the width to "
		       "the event spacing; false keeps both fixed",
	},
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "scheduler",
	.name = "calendar",
	.summary = "calendar queue (Brown 1988), O(1) per event for "
		   "well-spread times",
	.state_size = sizeof(struct calendar),
	.params = params,
	.init = cq_init,
	.fini = cq_fini,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
