#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "pool.h"

/* Classes: 16-byte steps up to 2 KiB, so that a connection record or a
 * plugin's per-connection state (fixed sizes, each its own list) wastes
 * nothing; then four steps per power of two up to 64 KiB (send and
 * receive chunks of real bytes: at most 1/4 wasted).  Class sizes count
 * the usable bytes; each block is preceded by its 16-byte header, the
 * same as malloc's own. */
#define SMALL_STEP 16
#define SMALL_MAX 2048
#define NSMALL (SMALL_MAX / SMALL_STEP)
#define LARGE_MAX (64 * 1024)
#define NCLASS (NSMALL + 4 * 5)  /* 2 KiB < size <= 64 KiB: 5 doublings */
#define SLAB_BYTES (16 * 1024)
#define MIN_BLOCKS 4
#define BIG NCLASS               /* the class of a block malloc'd alone */

#define MAGIC_LIVE 0x6c697665u
#define MAGIC_FREE 0x66726565u

/* 16 bytes, so that the block after it keeps max_align_t's alignment on
 * the usual ABIs (checked below). */
struct blk {
	union {
		struct {
			sy_pool *owner;
			uint16_t cls;
			uint32_t magic;
		};
		struct blk *next;  /* when free: the next on its list */
	};
} __attribute__((aligned(16)));

_Static_assert(sizeof(struct blk) % _Alignof(max_align_t) == 0,
	       "block headers must keep blocks aligned for any type");

struct slab {
	struct slab *next;
	max_align_t items[];
};

struct sy_pool {
	struct blk *free[NCLASS];
	struct slab *slabs;
	size_t live[NCLASS + 1];  /* per class, BIG last */
	size_t slab_bytes;
	size_t grows;
	unsigned nslabs[NCLASS];  /* slabs of each class so far */
};

/* above SMALL_MAX */
static const uint32_t csize_large[NCLASS - NSMALL] = {
	2560, 3072, 3584, 4096, 5120,
	6144, 7168, 8192, 10240, 12288,
	14336, 16384, 20480, 24576, 28672,
	32768, 40960, 49152, 57344, 65536,
};

static size_t csize(unsigned c)
{
	return c < NSMALL ? (size_t)(c + 1) * SMALL_STEP : csize_large[c - NSMALL];
}

/* The class of n bytes, or BIG. */
static unsigned cls_of(size_t n)
{
	unsigned lo = NSMALL, hi = NCLASS;

	if (n <= SMALL_MAX)
		return n ? (unsigned)((n - 1) / SMALL_STEP) : 0;
	if (n > LARGE_MAX)
		return BIG;
	while (lo < hi) {  /* the first class holding n */
		unsigned mid = (lo + hi) / 2;

		if (csize(mid) < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t sy_pool_class_size(size_t n)
{
	unsigned c = cls_of(n);

	return c == BIG ? n : csize(c);
}

sy_pool *sy_pool_new(void)
{
	return calloc(1, sizeof(sy_pool));
}

void sy_pool_destroy(sy_pool *pool)
{
	if (!pool)
		return;
	for (unsigned c = 0; c <= BIG; c++)
		SY_INVARIANT(pool->live[c] == 0);
	while (pool->slabs) {
		struct slab *s = pool->slabs;

		pool->slabs = s->next;
		free(s);
	}
	free(pool);
}

/* A slab of class c's blocks onto its free list, pushed in reverse so
 * that they come off in address order.  Not zeroed.  A class's first
 * slab has MIN_BLOCKS blocks and each next one twice as many up to
 * SLAB_BYTES (small slabs: a run has many endpoints, each with its own
 * pool, and the unused end of each class's last slab is memory no other
 * endpoint can use).  The deep-check builds, which give each block its
 * own malloc, have no slabs. */
#ifndef SY_DEEP_CHECKS
static int grow(sy_pool *pool, unsigned c)
{
	size_t stride = sizeof(struct blk) + csize(c);
	size_t n = SLAB_BYTES / stride;
	struct slab *s;
	unsigned char *base;

	if (n < 1)
		n = 1;  /* blocks larger than a slab: one each */
	if (pool->nslabs[c] < 16 && (size_t)MIN_BLOCKS << pool->nslabs[c] < n)
		n = (size_t)MIN_BLOCKS << pool->nslabs[c];
	s = malloc(sizeof *s + n * stride);
	if (!s)
		return -1;
	s->next = pool->slabs;
	pool->slabs = s;
	pool->slab_bytes += sizeof *s + n * stride;
	pool->grows++;
	pool->nslabs[c]++;
	base = (unsigned char *)s->items;
	for (size_t i = n; i-- > 0;) {
		struct blk *b = (struct blk *)(base + i * stride);

		b->next = pool->free[c];
		pool->free[c] = b;
	}
	return 0;
}
#endif

void *sy_pool_alloc(sy_pool *pool, size_t n)
{
	unsigned c = cls_of(n);
	struct blk *b;

#ifdef SY_DEEP_CHECKS
	/* every block on its own, so that the sanitizer sees it */
	b = malloc(sizeof *b + n);  /* exactly n: overflows show */
	if (!b)
		return NULL;
#else
	if (c == BIG) {
		b = malloc(sizeof *b + n);
		if (!b)
			return NULL;
	} else {
		if (!pool->free[c] && grow(pool, c) < 0)
			return NULL;
		b = pool->free[c];
		pool->free[c] = b->next;
	}
#endif
	b->owner = pool;
	b->cls = (uint16_t)c;
	b->magic = MAGIC_LIVE;
	pool->live[c]++;
	return b + 1;
}

void *sy_pool_zalloc(sy_pool *pool, size_t n)
{
	void *p = sy_pool_alloc(pool, n);

	if (p)
		memset(p, 0, n);
	return p;
}

void sy_pool_free(sy_pool *pool, void *p)
{
	struct blk *b;
	unsigned c;

	if (!p)
		return;
	b = (struct blk *)p - 1;
	/* a block of another pool, one freed twice, or no block at all */
	SY_INVARIANT(b->magic == MAGIC_LIVE && b->owner == pool);
	c = b->cls;
	SY_INVARIANT(c <= BIG && pool->live[c] > 0);
	pool->live[c]--;
#ifdef SY_DEEP_CHECKS
	b->magic = MAGIC_FREE;
	free(b);
#else
	if (c == BIG) {
		b->magic = MAGIC_FREE;
		free(b);
		return;
	}
	/* next overlays owner; magic stays readable for the check above */
	b->magic = MAGIC_FREE;
	b->next = pool->free[c];
	pool->free[c] = b;
#endif
}

void sy_pool_stats_get(const sy_pool *pool, sy_pool_stats *st)
{
	memset(st, 0, sizeof *st);
	for (unsigned c = 0; c <= BIG; c++)
		st->live += pool->live[c];
	st->large = pool->live[BIG];
	st->slab_bytes = pool->slab_bytes;
	st->grows = pool->grows;
}
