/* Random streams: the generators against published vectors, stream
 * derivation, reproducibility and independence, and the distributions. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "rng.h"
#include "testutil.h"

/* splitmix64 from seed 1234567, the sequence widely used to check
 * implementations of Vigna's reference code. */
START_TEST(splitmix64_vector)
{
	static const uint64_t want[] = {
		6457827717110365317ULL, 3203168211198807973ULL,
		9817491932198370423ULL, 4593380528125082431ULL,
		16408922859458223821ULL,
	};
	uint64_t s = 1234567;

	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		ck_assert_uint_eq(sy_splitmix64(&s), want[i]);
	s = 0;
	ck_assert_uint_eq(sy_splitmix64(&s), 0xe220a8397b1dcdafULL);
}
END_TEST

/* xoshiro256** from the state {1, 2, 3, 4}: the reference code's output. */
START_TEST(xoshiro_vector)
{
	static const uint64_t want[] = {
		11520ULL, 0ULL, 1509978240ULL, 1215971899390074240ULL,
		1216172134540287360ULL, 607988272756665600ULL,
		16172922978634559625ULL, 8476171486693032832ULL,
		10595114339597558777ULL, 2904607092377533576ULL,
	};
	static const uint64_t st[4] = { 1, 2, 3, 4 };
	sy_rng r;

	sy_rng_set_state(&r, st);
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		ck_assert_uint_eq(sy_rng_next(&r), want[i]);
}
END_TEST

static int same_draws(sy_rng *a, sy_rng *b, int n)
{
	int same = 0;

	for (int i = 0; i < n; i++)
		same += sy_rng_next(a) == sy_rng_next(b);
	return same;
}

START_TEST(stream_reproducible)
{
	sy_rng a, b;

	sy_rng_stream(&a, 42, "loss", 3);
	sy_rng_stream(&b, 42, "loss", 3);
	ck_assert_int_eq(same_draws(&a, &b, 1000), 1000);
}
END_TEST

START_TEST(streams_differ)
{
	sy_rng a, b;

	/* Different seed, name or index: no draw in common. */
	sy_rng_stream(&a, 42, "loss", 3);
	sy_rng_stream(&b, 43, "loss", 3);
	ck_assert_int_eq(same_draws(&a, &b, 1000), 0);
	sy_rng_stream(&a, 42, "loss", 3);
	sy_rng_stream(&b, 42, "lost", 3);
	ck_assert_int_eq(same_draws(&a, &b, 1000), 0);
	sy_rng_stream(&a, 42, "loss", 3);
	sy_rng_stream(&b, 42, "loss", 4);
	ck_assert_int_eq(same_draws(&a, &b, 1000), 0);
	/* The empty name and NULL are the same stream. */
	sy_rng_stream(&a, 42, "", 0);
	sy_rng_stream(&b, 42, NULL, 0);
	ck_assert_int_eq(same_draws(&a, &b, 10), 10);
}
END_TEST

/* A stream's draws depend on nothing but (seed, name, index): creating
 * and using other streams in between changes nothing. */
START_TEST(streams_independent_of_others)
{
	uint64_t alone[100], mixed[100];
	sy_rng a, other;

	sy_rng_stream(&a, 7, "isn", 0);
	for (int i = 0; i < 100; i++)
		alone[i] = sy_rng_next(&a);
	sy_rng_stream(&a, 7, "isn", 0);
	for (int i = 0; i < 100; i++) {
		sy_rng_stream(&other, 7, "queue", (uint64_t)i);
		sy_rng_next(&other);
		mixed[i] = sy_rng_next(&a);
	}
	for (int i = 0; i < 100; i++)
		ck_assert_uint_eq(alone[i], mixed[i]);
}
END_TEST

/* Consecutive indices of one name must not give correlated streams: the
 * fraction of equal low bits between streams i and i+1 stays near 1/2. */
START_TEST(adjacent_streams_uncorrelated)
{
	long agree = 0, total = 0;

	for (uint64_t i = 0; i < 64; i++) {
		sy_rng a, b;

		sy_rng_stream(&a, 1, "flow", i);
		sy_rng_stream(&b, 1, "flow", i + 1);
		for (int k = 0; k < 256; k++) {
			uint64_t x = ~(sy_rng_next(&a) ^ sy_rng_next(&b));

			agree += __builtin_popcountll(x);
			total += 64;
		}
	}
	/* 1,048,576 bits: the standard deviation of the fraction is 0.0005. */
	ck_assert_double_lt(fabs((double)agree / (double)total - 0.5), 0.003);
}
END_TEST

START_TEST(uniform_range_and_mean)
{
	sy_rng r;
	double sum = 0;
	int n = 200000;

	sy_rng_stream(&r, 9, "u", 0);
	for (int i = 0; i < n; i++) {
		double u = sy_rng_uniform(&r);

		ck_assert(u >= 0.0 && u < 1.0);
		sum += u;
	}
	/* mean 1/2, sd of the mean sqrt(1/12/n) = 0.00065 */
	ck_assert_double_lt(fabs(sum / n - 0.5), 0.004);
}
END_TEST

START_TEST(below_uniform)
{
	int counts[7] = { 0 };
	int n = 70000;
	sy_rng r;

	sy_rng_stream(&r, 9, "below", 0);
	for (int i = 0; i < n; i++) {
		uint64_t v = sy_rng_below(&r, 7);

		ck_assert_uint_lt(v, 7);
		counts[v]++;
	}
	/* each count ~ Binomial(70000, 1/7): mean 10000, sd 92.6 */
	for (int i = 0; i < 7; i++)
		ck_assert_int_lt(abs(counts[i] - 10000), 500);
	ck_assert_uint_eq(sy_rng_below(&r, 1), 0);
}
END_TEST

START_TEST(exponential_mean)
{
	double sum = 0, sq = 0, mean = 0.25;
	int n = 200000;
	sy_rng r;

	sy_rng_stream(&r, 3, "exp", 0);
	for (int i = 0; i < n; i++) {
		double x = sy_rng_exponential(&r, mean);

		ck_assert(x >= 0 && isfinite(x));
		sum += x;
		sq += x * x;
	}
	/* sd of the mean: 0.25 / sqrt(n) = 0.00056 */
	ck_assert_double_lt(fabs(sum / n - mean), 0.003);
	/* variance = mean^2 */
	ck_assert_double_lt(fabs(sq / n - (sum / n) * (sum / n) - mean * mean), 0.003);
}
END_TEST

START_TEST(bernoulli_frequency)
{
	int hits = 0, n = 100000;
	sy_rng r;

	sy_rng_stream(&r, 3, "coin", 0);
	for (int i = 0; i < n; i++)
		hits += sy_rng_bernoulli(&r, 0.1);
	/* mean 10000, sd 94.9 */
	ck_assert_int_lt(abs(hits - 10000), 500);
	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(sy_rng_bernoulli(&r, 0.0), 0);
		ck_assert_int_eq(sy_rng_bernoulli(&r, 1.0), 1);
	}
}
END_TEST

static Suite *rng_suite(void)
{
	Suite *s = suite_create("rng");
	TCase *t = tcase_create("core");

	tcase_add_test(t, splitmix64_vector);
	tcase_add_test(t, xoshiro_vector);
	tcase_add_test(t, stream_reproducible);
	tcase_add_test(t, streams_differ);
	tcase_add_test(t, streams_independent_of_others);
	tcase_add_test(t, adjacent_streams_uncorrelated);
	tcase_add_test(t, uniform_range_and_mean);
	tcase_add_test(t, below_uniform);
	tcase_add_test(t, exponential_mean);
	tcase_add_test(t, bernoulli_frequency);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return sy_test_main(rng_suite());
}
