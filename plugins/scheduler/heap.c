/* A d-ary min-heap of scheduler entries, kept by value in one array.
 *
 * Entries are ordered by (time, seq).  Keeping them by value (24 bytes)
 * means a comparison never leaves the array, and with the default arity of
 * 4 the children of a node share one or two cache lines.  The array grows
 * by doubling and never shrinks below what a run needed, so the steady
 * state allocates nothing. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "scheduler.h"

struct heap {
	int64_t arity;    /* parameter */
	int64_t capacity; /* parameter: initial capacity in entries */
	sy_sched_entry *v;
	size_t n, cap;
	unsigned d;
};

static int heap_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct heap *h = st;

	h->d = (unsigned)h->arity;
	h->cap = (size_t)h->capacity;
	h->v = malloc(h->cap * sizeof *h->v);
	if (!h->v)
		return sy_err_set(err, "out of memory");
	return 0;
}

static void heap_fini(void *st)
{
	struct heap *h = st;

	free(h->v);
}

static void sift_up(struct heap *h, size_t i, sy_sched_entry e)
{
	while (i > 0) {
		size_t parent = (i - 1) / h->d;

		if (!sy_entry_before(&e, &h->v[parent]))
			break;
		h->v[i] = h->v[parent];
		i = parent;
	}
	h->v[i] = e;
}

static void sift_down(struct heap *h, size_t i, sy_sched_entry e)
{
	size_t n = h->n, d = h->d;

	for (;;) {
		size_t first = i * d + 1, best, end;

		if (first >= n)
			break;
		end = first + d < n ? first + d : n;
		best = first;
		for (size_t c = first + 1; c < end; c++)
			if (sy_entry_before(&h->v[c], &h->v[best]))
				best = c;
		if (!sy_entry_before(&h->v[best], &e))
			break;
		h->v[i] = h->v[best];
		i = best;
	}
	h->v[i] = e;
}

static int heap_insert(void *st, const sy_sched_entry *e)
{
	struct heap *h = st;

	if (h->n == h->cap) {
		size_t cap = h->cap * 2;
		sy_sched_entry *v = realloc(h->v, cap * sizeof *v);

		if (!v)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	sift_up(h, h->n++, *e);
	return 0;
}

static const sy_sched_entry *heap_peek(void *st)
{
	struct heap *h = st;

	return h->n ? &h->v[0] : NULL;
}

static void heap_pop(void *st)
{
	struct heap *h = st;

	if (--h->n > 0)
		sift_down(h, 0, h->v[h->n]);
}

static size_t heap_size(const void *st)
{
	const struct heap *h = st;

	return h->n;
}

static void heap_filter(void *st, sy_sched_keep keep, void *ctx)
{
	struct heap *h = st;
	size_t j = 0;

	for (size_t i = 0; i < h->n; i++)
		if (keep(ctx, &h->v[i]))
			h->v[j++] = h->v[i];
	h->n = j;
	/* Floyd's bottom-up construction: O(n). */
	for (size_t i = h->n / h->d + 1; i-- > 0;)
		if (i < h->n)
			sift_down(h, i, h->v[i]);
}

static size_t heap_memory(const void *st)
{
	const struct heap *h = st;

	return sizeof *h + h->cap * sizeof *h->v;
}

static const sy_sched_ops ops = {
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
	  .def = "1024", .min = "1", .max = "1000000000",
	  .doc = "entries allocated up front; the array doubles when full" },
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
