/* The endpoint's memory pool (core/engine/pool.h): size classes, reuse of
 * freed blocks, zeroing on request only, the counts, and the invariants
 * that abort on a block freed into the wrong pool, freed twice, or still
 * live when the pool is destroyed. */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "testutil.h"

START_TEST(classes)
{
	static const size_t in[] =   { 0,  1,  16, 17, 1136, 1137, 2048, 2049, 2560, 2561, 65536, 65537 };
	static const size_t want[] = { 16, 16, 16, 32, 1136, 1152, 2048, 2560, 2560, 3072, 65536, 65537 };

	for (size_t i = 0; i < sizeof in / sizeof *in; i++)
		ck_assert_uint_eq(sy_pool_class_size(in[i]), want[i]);
	/* every size fits its class, and the classes grow by at most 1/4
	 * above 2 KiB */
	for (size_t n = 1; n <= 70000; n += 7) {
		size_t c = sy_pool_class_size(n);

		ck_assert_uint_ge(c, n);
		if (n > 2048)
			ck_assert_uint_le(c, n + n / 4);
		else
			ck_assert_uint_lt(c, n + 16);
	}
}
END_TEST

/* Blocks of many sizes, each filled to its size, are aligned, disjoint
 * and keep their bytes while others are allocated and freed. */
START_TEST(blocks_disjoint)
{
	enum { N = 600 };
	static unsigned char want[70000];
	sy_pool *pool = sy_pool_new();
	unsigned char *b[N];
	size_t len[N];
	sy_pool_stats st;

	ck_assert_ptr_nonnull(pool);
	for (int i = 0; i < N; i++) {
		len[i] = (size_t)(i * 131) % 70000 + 1;
		b[i] = sy_pool_alloc(pool, len[i]);
		ck_assert_ptr_nonnull(b[i]);
		ck_assert_uint_eq((uintptr_t)b[i] % _Alignof(max_align_t), 0);
		memset(b[i], i & 0xff, len[i]);
		if (i % 3 == 2) {  /* free one behind, to mix reuse in */
			sy_pool_free(pool, b[i - 1]);
			b[i - 1] = NULL;
		}
	}
	for (int i = 0; i < N; i++) {
		if (!b[i])
			continue;
		memset(want, i & 0xff, len[i]);
		ck_assert_int_eq(memcmp(b[i], want, len[i]), 0);
	}
	sy_pool_stats_get(pool, &st);
	ck_assert_uint_eq(st.live, N - N / 3);
	ck_assert_uint_gt(st.large, 0);  /* sizes above 64 KiB */
	for (int i = 0; i < N; i++)
		sy_pool_free(pool, b[i]);
	sy_pool_stats_get(pool, &st);
	ck_assert_uint_eq(st.live, 0);
	ck_assert_uint_eq(st.large, 0);
	sy_pool_free(pool, NULL);
	sy_pool_destroy(pool);
	sy_pool_destroy(NULL);
}
END_TEST

/* A freed block is reused by its class, and cycles of the same
 * allocations grow no slab after the first. */
START_TEST(reuse)
{
	enum { N = 1000 };
	sy_pool *pool = sy_pool_new();
	void *v[N];
	sy_pool_stats st;
	size_t grows = 0, bytes = 0;

	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < N; i++)
			ck_assert_ptr_nonnull(v[i] = sy_pool_alloc(pool, 40 + (size_t)(i % 3) * 1100));
		for (int i = 0; i < N; i++)
			sy_pool_free(pool, v[i]);
		sy_pool_stats_get(pool, &st);
		ck_assert_uint_eq(st.live, 0);
		if (round == 0) {
			grows = st.grows;
			bytes = st.slab_bytes;
		}
		ck_assert_uint_eq(st.grows, grows);
		ck_assert_uint_eq(st.slab_bytes, bytes);
	}
#ifndef SY_DEEP_CHECKS
	/* slabs, not one allocation per block; the last freed comes first */
	ck_assert_uint_gt(grows, 0);
	ck_assert_uint_lt(grows, N / 10);
	{
		void *a = sy_pool_alloc(pool, 1136);

		sy_pool_free(pool, a);
		ck_assert_ptr_eq(sy_pool_alloc(pool, 1130), a);
		sy_pool_free(pool, a);
	}
#else
	/* every block on its own, for the sanitizer */
	ck_assert_uint_eq(grows, 0);
#endif
	sy_pool_destroy(pool);
}
END_TEST

START_TEST(zalloc_zeroes_reused)
{
	sy_pool *pool = sy_pool_new();

	for (int i = 0; i < 50; i++) {
		unsigned char *a = sy_pool_alloc(pool, 1136);

		memset(a, 0xa5, 1136);
		sy_pool_free(pool, a);
		a = sy_pool_zalloc(pool, 1136);
		for (int k = 0; k < 1136; k++)
			ck_assert_int_eq(a[k], 0);
		sy_pool_free(pool, a);
	}
	sy_pool_destroy(pool);
}
END_TEST

START_TEST(destroy_with_live_aborts)
{
	sy_pool *pool = sy_pool_new();

	sy_pool_alloc(pool, 100);
	sy_pool_destroy(pool);
}
END_TEST

START_TEST(free_into_other_pool_aborts)
{
	sy_pool *a = sy_pool_new(), *b = sy_pool_new();
	void *p = sy_pool_alloc(a, 100);

	sy_pool_free(b, p);
}
END_TEST

#ifndef SY_DEEP_CHECKS
/* (with SY_DEEP_CHECKS the block is freed at once and the sanitizer
 * reports the second free) */
START_TEST(double_free_aborts)
{
	sy_pool *a = sy_pool_new();
	void *p = sy_pool_alloc(a, 100);

	sy_pool_alloc(a, 100);  /* the class stays in use */
	sy_pool_free(a, p);
	sy_pool_free(a, p);
}
END_TEST
#endif

static Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *k = tcase_create("pool");

	tcase_set_timeout(k, 60);
	tcase_add_test(k, classes);
	tcase_add_test(k, blocks_disjoint);
	tcase_add_test(k, reuse);
	tcase_add_test(k, zalloc_zeroes_reused);
	tcase_add_test_raise_signal(k, destroy_with_live_aborts, SIGABRT);
	tcase_add_test_raise_signal(k, free_into_other_pool_aborts, SIGABRT);
#ifndef SY_DEEP_CHECKS
	tcase_add_test_raise_signal(k, double_free_aborts, SIGABRT);
#endif
	suite_add_tcase(s, k);
	return s;
}

int main(void)
{
	return sy_test_main(pool_suite());
}
