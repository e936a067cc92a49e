#include "config.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "testutil.h"

/* Percentiles by linear interpolation between closest ranks, as NumPy's
 * default: for 1..10, p90 = 9.1 and p99 = 9.91. */
START_TEST(percentiles)
{
	double v[10] = { 7, 3, 10, 1, 5, 9, 2, 8, 4, 6 };
	sy_summary s;
	sy_err err;

	ck_assert_int_eq(sy_summarize(v, 10, &s, &err), 0);
	ck_assert_uint_eq(s.count, 10);
	ck_assert_double_eq_tol(s.mean, 5.5, 1e-12);
	ck_assert_double_eq_tol(s.sd, sqrt(55.0 / 6.0), 1e-12);
	ck_assert_double_eq(s.min, 1);
	ck_assert_double_eq(s.max, 10);
	ck_assert_double_eq_tol(s.p50, 5.5, 1e-12);
	ck_assert_double_eq_tol(s.p90, 9.1, 1e-12);
	ck_assert_double_eq_tol(s.p99, 9.91, 1e-12);
	/* the input is left as it was */
	ck_assert_double_eq(v[0], 7);
}
END_TEST

START_TEST(edges)
{
	double one = 4, sorted[3] = { 1, 2, 4 }, bad[2] = { 1, NAN };
	sy_summary s;
	sy_err err;

	ck_assert_int_eq(sy_summarize(&one, 1, &s, &err), 0);
	ck_assert_double_eq(s.sd, 0);
	ck_assert_double_eq(s.p99, 4);
	ck_assert_int_eq(sy_summarize(NULL, 0, &s, &err), 0);
	ck_assert_uint_eq(s.count, 0);
	ck_assert(isnan(s.mean));
	ck_assert_int_eq(sy_summarize(bad, 2, &s, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "value 2 is NaN"));
	ck_assert_double_eq(sy_percentile(sorted, 3, 0), 1);
	ck_assert_double_eq(sy_percentile(sorted, 3, 100), 4);
	ck_assert_double_eq_tol(sy_percentile(sorted, 3, 75), 3, 1e-12);
}
END_TEST

START_TEST(series)
{
	sy_series s;
	sy_err err;

	sy_series_init(&s);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(sy_series_add(&s, i * 0.5, i, &err), 0);
	ck_assert_uint_eq(s.n, 1000);
	ck_assert_double_eq(s.t[999], 499.5);
	ck_assert_double_eq(s.v[10], 10);
	sy_series_free(&s);
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("summary");

	tcase_add_test(tc, percentiles);
	tcase_add_test(tc, edges);
	tcase_add_test(tc, series);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sy_test_main(stats_suite());
}
