/* A memory pool for one owner (a TCP endpoint): blocks of any size come
 * from free lists by size class, carved from slabs, so that a connection
 * set-up or a segment costs no call to malloc once the pool has grown;
 * a freed block goes back on its class's list and the slabs are released
 * only when the pool is.  Blocks are not zeroed unless asked for
 * (sy_pool_zalloc): bytes that are overwritten anyway cost nothing.
 *
 * Blocks larger than the largest class are malloc'd one by one.  In
 * builds with SY_DEEP_CHECKS (sanitizers, fuzzing) every block is, and
 * sy_pool_free frees it, so that AddressSanitizer still sees a use after
 * free or an overflow; the checks below run in both builds.
 *
 * Invariants, checked always (SY_INVARIANT, O(1)): a block is freed into
 * the pool that gave it, once, in the class it came from; a pool is
 * destroyed with no block live. */
#ifndef SY_POOL_H
#define SY_POOL_H

#include <stddef.h>

typedef struct sy_pool sy_pool;

/* Statistics of a pool, for tests and benchmarks. */
typedef struct sy_pool_stats {
	size_t live;        /* blocks handed out and not freed */
	size_t slab_bytes;  /* bytes held in slabs */
	size_t large;       /* blocks malloc'd on their own, live */
	size_t grows;       /* slabs allocated so far */
} sy_pool_stats;

sy_pool *sy_pool_new(void);
/* Frees every slab.  Aborts (invariant) if a block is still live. */
void sy_pool_destroy(sy_pool *pool);

/* At least n bytes, aligned for any type, contents undefined; NULL when
 * memory runs out. */
void *sy_pool_alloc(sy_pool *pool, size_t n);
/* The same, zeroed. */
void *sy_pool_zalloc(sy_pool *pool, size_t n);
/* Returns p (NULL does nothing) to pool, which must be the one that gave it. */
void sy_pool_free(sy_pool *pool, void *p);

/* The usable size of the class n falls in (n itself above the classes). */
size_t sy_pool_class_size(size_t n);
void sy_pool_stats_get(const sy_pool *pool, sy_pool_stats *st);

#endif
