/* A d-ary min-heap of scheduler entries.
 *
 * The heap orders keys (time, seq, pidx) of 24 bytes held by value, so a
 * comparison never leaves the array and with the default arity of 4 the
 * children of a node share one or two cache lines.  The rest of an entry
 * (slot, fn, arg, data) does not move with its key: it waits in a side
 * table at index pidx, taken from a free stack at insertion and returned
 * at removal.  Arrays grow by doubling and never shrink, so the steady
 * state allocates nothing.
 *
 * Invariants: every pidx is either held by a key or on the free stack
 * (n + nfree == npay), and below npay; no key is before its parent, so a
 * popped key is never after the next top.  The first two are checked on
 * every operation, the heap order in sanitizer builds where a walk costs
 * no more than the operation (growth, filter). */
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "plugin.h"
#include "scheduler.h"

struct key {
	sy_time time;
	uint64_t seq;
	uint32_t pidx;
};

struct payload {
	sy_event_fn fn;
	void *arg;
	uint64_t data;
	uint32_t slot;
};

struct heap {
	int64_t arity;    /* parameter */
	int64_t capacity; /* parameter: initial capacity in entries */
	struct key *v;
	size_t n, cap;
	unsigned d;
	struct payload *pay; /* indexed by pidx */
	uint32_t *free;      /* stack of unused pidx */
	size_t npay, nfree;
	sy_sched_entry top;  /* what peek returns */
};

static inline bool key_before(const struct key *a, const struct key *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

#ifdef SY_DEEP_CHECKS
/* The whole structure: heap order, and each pidx used exactly once by a
 * key or the free stack. */
static bool heap_valid(const struct heap *h)
{
	size_t seen = 0;
	bool ok = h->n + h->nfree == h->npay && h->n <= h->cap;
	unsigned char *used = calloc(h->npay ? h->npay : 1, 1);

	if (!used)
		return ok; /* nothing to walk with: the counts must do */
	for (size_t i = 0; ok && i < h->n; i++) {
		uint32_t k = h->v[i].pidx;

		if (i > 0 && key_before(&h->v[i], &h->v[(i - 1) / h->d]))
			ok = false;
		else if (k >= h->npay || used[k]++)
			ok = false;
		seen++;
	}
	for (size_t i = 0; ok && i < h->nfree; i++) {
		uint32_t k = h->free[i];

		if (k >= h->npay || used[k]++)
			ok = false;
		seen++;
	}
	free(used);
	return ok && seen == h->npay;
}
#endif

static void heap_fini(void *st);

static int heap_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct heap *h = st;

	h->d = (unsigned)h->arity;
	h->cap = (size_t)h->capacity;
	h->v = malloc(h->cap * sizeof *h->v);
	h->npay = h->cap;
	h->pay = malloc(h->npay * sizeof *h->pay);
	h->free = malloc(h->npay * sizeof *h->free);
	if (!h->v || !h->pay || !h->free) {
		/* fini is not called when init fails. */
		heap_fini(h);
		return sy_err_set(err, "out of memory for %zu entries",
				  h->cap);
	}
	/* Lowest index on top, so a fresh heap fills the table in order. */
	for (size_t i = h->npay; i-- > 0;)
		h->free[h->nfree++] = (uint32_t)i;
	SY_DEEP_INVARIANT(heap_valid(h));
	return 0;
}

static void heap_fini(void *st)
{
	struct heap *h = st;

	free(h->v);
	free(h->pay);
	free(h->free);
	h->v = NULL;
	h->pay = NULL;
	h->free = NULL;
}

static void sift_up(struct heap *h, size_t i, struct key e)
{
	while (i > 0) {
		size_t parent = (i - 1) / h->d;

		if (!key_before(&e, &h->v[parent]))
			break;
		h->v[i] = h->v[parent];
		i = parent;
	}
	h->v[i] = e;
}

static void sift_down(struct heap *h, size_t i, struct key e)
{
	size_t n = h->n, d = h->d;

	for (;;) {
		size_t first = i * d + 1, best, end;

		if (first >= n)
			break;
		end = first + d < n ? first + d : n;
		best = first;
		for (size_t c = first + 1; c < end; c++)
			if (key_before(&h->v[c], &h->v[best]))
				best = c;
		if (!key_before(&h->v[best], &e))
			break;
		h->v[i] = h->v[best];
		i = best;
	}
	h->v[i] = e;
}

static int heap_insert(void *st, const sy_sched_entry *e)
{
	struct heap *h = st;
	uint32_t pidx;

	if (h->n == h->cap) {
		size_t cap = h->cap * 2;
		struct key *v = realloc(h->v, cap * sizeof *v);

		if (!v)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	if (!h->nfree) {
		size_t n = h->npay * 2;
		struct payload *p;
		uint32_t *f;

		/* A pidx is 32 bits. */
		if (n > (size_t)UINT32_MAX + 1)
			return -1;
		p = realloc(h->pay, n * sizeof *p);
		if (!p)
			return -1;
		h->pay = p;
		f = realloc(h->free, n * sizeof *f);
		if (!f)
			return -1;
		h->free = f;
		for (size_t i = n; i-- > h->npay;)
			h->free[h->nfree++] = (uint32_t)i;
		h->npay = n;
		/* Grown by doubling: the walk costs no more than the copy. */
		SY_DEEP_INVARIANT(heap_valid(h));
	}
	pidx = h->free[--h->nfree];
	SY_INVARIANT(pidx < h->npay);
	h->pay[pidx] = (struct payload){ e->fn, e->arg, e->data, e->slot };
	sift_up(h, h->n++, (struct key){ e->time, e->seq, pidx });
	SY_INVARIANT(h->n + h->nfree == h->npay);
	return 0;
}

static const sy_sched_entry *heap_peek(void *st)
{
	struct heap *h = st;
	const struct payload *p;

	if (!h->n)
		return NULL;
	SY_INVARIANT(h->v[0].pidx < h->npay);
	p = &h->pay[h->v[0].pidx];
	h->top = (sy_sched_entry){
		.time = h->v[0].time, .seq = h->v[0].seq, .slot = p->slot,
		.fn = p->fn, .arg = p->arg, .data = p->data,
	};
	return &h->top;
}

static void heap_pop(void *st)
{
	struct heap *h = st;
	struct key top;

	SY_INVARIANT(h->n > 0 && h->nfree < h->npay);
	top = h->v[0];
	h->free[h->nfree++] = top.pidx;
	if (--h->n > 0) {
		sift_down(h, 0, h->v[h->n]);
		/* What leaves is never after what stays. */
		SY_INVARIANT(!key_before(&h->v[0], &top));
	}
}

static size_t heap_size(const void *st)
{
	const struct heap *h = st;

	return h->n;
}

/* filter() hands keep() whole entries, so each kept key is joined with
 * its payload for the question. */
static void heap_filter(void *st, sy_sched_keep keep, void *ctx)
{
	struct heap *h = st;
	size_t j = 0;

	for (size_t i = 0; i < h->n; i++) {
		const struct key *k = &h->v[i];
		const struct payload *p = &h->pay[k->pidx];
		sy_sched_entry e = {
			.time = k->time, .seq = k->seq, .slot = p->slot,
			.fn = p->fn, .arg = p->arg, .data = p->data,
		};

		if (keep(ctx, &e))
			h->v[j++] = *k;
		else
			h->free[h->nfree++] = k->pidx;
	}
	h->n = j;
	/* Floyd's bottom-up construction: O(n). */
	for (size_t i = h->n / h->d + 1; i-- > 0;)
		if (i < h->n)
			sift_down(h, i, h->v[i]);
	SY_INVARIANT(h->n + h->nfree == h->npay);
	SY_DEEP_INVARIANT(heap_valid(h));
}

static size_t heap_memory(const void *st)
{
	const struct heap *h = st;

	return sizeof *h + h->cap * sizeof *h->v +
	       h->npay * (sizeof *h->pay + sizeof *h->free);
}

static const sy_sched_ops ops = {
	SY_OPS_HEAD(SY_SCHED_OPS_VERSION, sy_sched_ops),
	.insert = heap_insert,
	.peek = heap_peek,
	.pop = heap_pop,
	.size = heap_size,
	.filter = heap_filter,
	.memory = heap_memory,
};

static const sy_param params[] = {
	{ .name = "arity", .type = SY_PT_INT,
	  .offset = offsetof(struct heap, arity),
	  .def = "4", .min = "2", .max = "16",
	  .doc = "children per node (2 is a binary heap)" },
	{ .name = "capacity", .type = SY_PT_INT,
	  .offset = offsetof(struct heap, capacity),
	  .def = "1024", .min = "1", .max = "16777216",
	  .doc = "entries allocated up front (60 bytes each, at most 2^24); "
		 "the arrays double when full" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "scheduler",
	.name = "heap",
	.summary = "d-ary min-heap of (time, seq) entries held by value",
	.state_size = sizeof(struct heap),
	.params = params,
	.init = heap_init,
	.fini = heap_fini,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
