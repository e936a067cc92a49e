#include "config.h"

/* The RTO estimators of the timer profiles (timers.h), loaded as
 * modules: RFC 6298's of timers/rfc, the kernel's tcp_rtt_estimator of
 * timers/linux, and the two compared.
 *
 * Expected values are written out by hand from the rules they come from,
 * in exact nanoseconds; the derivation of each is next to it.  One test
 * also runs the RFC estimator against an independent floating-point
 * computation, with tolerances derived from the single rounding per
 * update that the plugin documents. */

#include <check.h>
#include <math.h>
#include <stdint.h>

#include "timers.h"
#include "vtime.h"
#include "testutil.h"
#include "timers_util.h"

/* ---------------------------------------------------------------- rfc */

START_TEST(rfc_first_samples)
{
	const struct sy_test_setting min0[] = { { "rto_min", "0s" }, { NULL } };
	struct prof t;
	sy_rtt r;

	/* Before a sample: RTO = rto_initial. */
	prof_open(&t, "rfc", NULL);
	t.ops->rtt_init(t.st, &r);
	ck_assert_int_eq(r.samples, 0);
	ck_assert_int_eq(r.backoff, 0);
	ck_assert_int_eq(r.rto, 1 * SEC);
	ck_assert_int_eq(rto(&t, &r), 1 * SEC);
	/* R = 100 ms: SRTT = 100 ms, RTTVAR = 50 ms,
	 * RTO = max(1 s, 100 + 4*50 ms) = 1 s. */
	sample(&t, &r, 100 * MS);
	ck_assert_int_eq(r.samples, 1);
	ck_assert_int_eq(r.srtt, 100 * MS);
	ck_assert_int_eq(r.rttvar, 50 * MS);
	ck_assert_int_eq(r.rto, 1 * SEC);
	ck_assert_int_eq(rto(&t, &r), 1 * SEC);
	prof_close(&t);

	prof_open(&t, "rfc", min0);
	t.ops->rtt_init(t.st, &r);
	/* Without the floor: 100 + 200 = 300 ms. */
	sample(&t, &r, 100 * MS);
	ck_assert_int_eq(r.rto, 300 * MS);
	/* R' = 200 ms: RTTVAR = 3/4*50 + 1/4*|100 - 200| = 62.5 ms (with
	 * the SRTT before the update), SRTT = 7/8*100 + 1/8*200 = 112.5 ms,
	 * RTO = 112.5 + 4*62.5 = 362.5 ms. */
	sample(&t, &r, 200 * MS);
	ck_assert_int_eq(r.samples, 2);
	ck_assert_int_eq(r.rttvar, 62500000);
	ck_assert_int_eq(r.srtt, 112500000);
	ck_assert_int_eq(r.rto, 362500000);
	ck_assert_int_eq(rto(&t, &r), 362500000);
	/* Had SRTT been updated first, RTTVAR would be 3/4*50 +
	 * 1/4*87.5 = 59.375 ms; the order matters and is RFC 6298's. */
	prof_close(&t);
}
END_TEST

/* The clock-granularity term and the ceiling. */
START_TEST(rfc_granularity_and_max)
{
	const struct sy_test_setting g[] = {
		{ "rto_min", "0s" }, { "granularity", "500ms" }, { NULL },
	};
	const struct sy_test_setting min0[] = { { "rto_min", "0s" }, { NULL } };
	struct prof t;
	sy_rtt r;

	/* RTO = 100 + max(500, 4*50) = 600 ms. */
	prof_open(&t, "rfc", g);
	t.ops->rtt_init(t.st, &r);
	sample(&t, &r, 100 * MS);
	ck_assert_int_eq(r.rto, 600 * MS);
	prof_close(&t);

	/* A zero RTT: RTTVAR = 0 and RTO = 0 + max(G, 0) = G = 1 ns by
	 * default, never 0. */
	prof_open(&t, "rfc", min0);
	t.ops->rtt_init(t.st, &r);
	sample(&t, &r, 0);
	ck_assert_int_eq(r.rttvar, 0);
	ck_assert_int_eq(r.rto, 1);
	/* A jitter-free path: RTTVAR decays geometrically; rounded to the
	 * nearest nanosecond it settles at 1 ns (3/4 of 1 ns rounds to 1),
	 * and RTO at SRTT + 4 ns. */
	t.ops->rtt_init(t.st, &r);
	for (int i = 0; i < 200; i++)
		sample(&t, &r, 100 * MS);
	ck_assert_int_eq(r.srtt, 100 * MS);
	ck_assert_int_eq(r.rttvar, 1);
	ck_assert_int_eq(r.rto, 100 * MS + 4);
	/* 400 s: SRTT = 0.1 + 399.9/8 s = 50.0875 s, RTTVAR about 100 s:
	 * RTO is rto_max = 60 s. */
	sample(&t, &r, 400 * SEC);
	ck_assert_int_eq(r.srtt, 50087500000);
	ck_assert_int_eq(r.rto, 60 * SEC);
	/* No overflow from absurd samples: the RTO saturates at rto_max. */
	sample(&t, &r, INT64_MAX);
	ck_assert_int_eq(r.rto, 60 * SEC);
	ck_assert_int_ge(r.srtt, 0);
	ck_assert_int_ge(r.rttvar, 0);
	prof_close(&t);
}
END_TEST

/* A deterministic sequence of samples (1 ms to about 2 s, odd
 * nanoseconds included) against double-precision RFC 6298.
 *   Per step: from the plugin's own SRTT and RTTVAR, the exact update is
 *   within 1 ns of the plugin's (it rounds once, to half a nanosecond),
 *   and RTO is exactly SRTT + max(G, 4*RTTVAR) of its integers, clamped.
 *   Free-running: the rounding errors are forgotten geometrically: for
 *   SRTT e' = 7/8 e + 1/2 gives |e| <= 4 ns, for RTTVAR
 *   e' = 3/4 e + 1/4 * 4 + 1/2 gives |e| <= 6 ns, and RTO, SRTT + 4*RTTVAR,
 *   is within 4 + 24 = 28 ns.  (Double precision at 2e9 ns is far below
 *   1e-6 ns.) */
START_TEST(rfc_against_float)
{
	const struct sy_test_setting min0[] = { { "rto_min", "0s" }, { NULL } };
	uint64_t x = 0x9e3779b97f4a7c15u;
	double fs = 0, fv = 0;
	struct prof t;
	sy_rtt r;

	prof_open(&t, "rfc", min0);
	t.ops->rtt_init(t.st, &r);
	for (int i = 0; i < 5000; i++) {
		double ps = (double)r.srtt, pv = (double)r.rttvar, es, ev;
		sy_time rtt, want;

		x = x * 6364136223846793005u + 1442695040888963407u;
		rtt = 1 * MS + (sy_time)((x >> 33) % (2 * SEC));
		if (i % 500 == 250)  /* a plateau, then a spike */
			rtt = 5 * SEC;
		sample(&t, &r, rtt);
		if (i == 0) {
			es = (double)rtt;
			ev = (double)rtt / 2;
			fs = es;
			fv = ev;
		} else {
			ev = 0.75 * pv + 0.25 * fabs(ps - (double)rtt);
			es = 0.875 * ps + 0.125 * (double)rtt;
			fv = 0.75 * fv + 0.25 * fabs(fs - (double)rtt);
			fs = 0.875 * fs + 0.125 * (double)rtt;
		}
		MUST(fabs((double)r.srtt - es) <= 1.0,
		     "step %d: SRTT %lld, exact %.3f", i, (long long)r.srtt,
		     es);
		MUST(fabs((double)r.rttvar - ev) <= 1.0,
		     "step %d: RTTVAR %lld, exact %.3f", i,
		     (long long)r.rttvar, ev);
		want = r.srtt + (4 * r.rttvar > 1 ? 4 * r.rttvar : 1);
		if (want > 60 * SEC)
			want = 60 * SEC;
		MUST(r.rto == want, "step %d: RTO %lld, want %lld", i,
		     (long long)r.rto, (long long)want);
		MUST(fabs((double)r.srtt - fs) <= 4.0,
		     "step %d: SRTT %lld drifted from %.3f", i,
		     (long long)r.srtt, fs);
		MUST(fabs((double)r.rttvar - fv) <= 6.0,
		     "step %d: RTTVAR %lld drifted from %.3f", i,
		     (long long)r.rttvar, fv);
		MUST(fabs((double)r.rto - fmin(fs + fmax(1.0, 4 * fv), 60e9))
		     <= 28.0, "step %d: RTO %lld drifted", i,
		     (long long)r.rto);
	}
	prof_close(&t);
}
END_TEST

/* ---------------------------------------------------------------- linux */

/* The kernel's rules (linux.c, top comment), by hand, with rto_min 200 ms:
 *
 *   R      SRTT         MDEV            rttvar            RTO
 *   100    100          50              max(200, 200)=200 300
 *   100    100          50-50/4=37.5    M=max(150,200)=200; 200 >= 200,
 *                                       no decay: 200     300
 *   300    100+200/8    37.5+(200-37.5)/4
 *          =125         =78.125         M=312.5 > 200: 312.5
 *                                                         437.5
 *   50     125-75/8     |err| 75 < MDEV 78.125: d = -3.125, gain 1/4
 *          =115.625     =77.34375       M=309.375 < 312.5:
 *                                       312.5-3.125/4=311.71875
 *                                                         427.34375
 *   10     115.625-105.625/8            |err| 105.625 > MDEV, falling:
 *          =102.421875  gain 1/32: 77.34375+28.28125/32
 *                       =78.2275390625 -> 78.227539 (ns)
 *                                       M=312.910156 > rttvar: M
 *                                                         415.332031
 *          (with the RFC's gain 1/4, MDEV would be 84.41 ms and RTO
 *          about 440 ms)
 *   100    102.421875-2.421875/8        |err| 2.421875 < MDEV, gain 1/4:
 *          =102.1191406 -> 102.119141   78.227539-75.805664/4
 *                       =59.276123      M=237.104492 < 312.910156:
 *                                       312.910156-75.805664/4
 *                                       =293.958740       396.077881
 * (ms; the last digits are nanoseconds, rounded once per update). */
START_TEST(linux_estimator_by_hand)
{
	static const struct {
		sy_time r, srtt, mdev, rto;
	} step[] = {
		{ 100 * MS, 100000000, 50000000, 300000000 },
		{ 100 * MS, 100000000, 37500000, 300000000 },
		{ 300 * MS, 125000000, 78125000, 437500000 },
		{ 50 * MS, 115625000, 77343750, 427343750 },
		{ 10 * MS, 102421875, 78227539, 415332031 },
		{ 100 * MS, 102119141, 59276123, 396077881 },
	};
	struct prof t;
	sy_rtt r;

	prof_open(&t, "linux", NULL);
	t.ops->rtt_init(t.st, &r);
	ck_assert_int_eq(rto(&t, &r), 1 * SEC);
	for (size_t i = 0; i < sizeof step / sizeof step[0]; i++) {
		sample(&t, &r, step[i].r);
		ck_assert_msg(r.srtt == step[i].srtt, "%zu: SRTT %lld", i,
			      (long long)r.srtt);
		ck_assert_msg(r.rttvar == step[i].mdev, "%zu: MDEV %lld", i,
			      (long long)r.rttvar);
		ck_assert_msg(r.rto == step[i].rto, "%zu: RTO %lld", i,
			      (long long)r.rto);
		ck_assert_int_eq(rto(&t, &r), step[i].rto);
	}
	ck_assert_uint_eq(r.samples, 6);
	prof_close(&t);
}
END_TEST

/* RTO >= SRTT + rto_min: a LAN's RTO is about 200 ms; and the ceiling. */
START_TEST(linux_floor_and_ceiling)
{
	const struct sy_test_setting min0[] = { { "rto_min", "0s" }, { NULL } };
	struct prof t;
	sy_rtt r;

	prof_open(&t, "linux", NULL);
	t.ops->rtt_init(t.st, &r);
	/* 1 ms: rttvar = max(2 ms, 200 ms): RTO = 201 ms. */
	sample(&t, &r, 1 * MS);
	ck_assert_int_eq(r.rto, 201 * MS);
	/* a steady path keeps it there (MDEV decays, rttvar stays at
	 * rto_min). */
	for (int i = 0; i < 100; i++)
		sample(&t, &r, 1 * MS);
	ck_assert_int_eq(r.rto, 201 * MS);
	/* 1000 s: SRTT alone passes 120 s. */
	sample(&t, &r, 1000 * SEC);
	ck_assert_int_gt(r.srtt, 120 * SEC);
	ck_assert_int_eq(r.rto, 120 * SEC);
	/* back to 1 ms: RTO follows down but stays >= SRTT + rto_min. */
	for (int i = 0; i < 200; i++) {
		sample(&t, &r, 1 * MS);
		MUST(r.rto >= r.srtt + 200 * MS && r.rto <= 120 * SEC,
		     "step %d: RTO %lld, SRTT %lld", i, (long long)r.rto,
		     (long long)r.srtt);
	}
	sample(&t, &r, INT64_MAX);
	ck_assert_int_eq(r.rto, 120 * SEC);
	prof_close(&t);

	/* rto_min 0 and a zero RTT: RTO 3R = 0 would fire for ever in the
	 * same instant; it is 1 ns. */
	prof_open(&t, "linux", min0);
	t.ops->rtt_init(t.st, &r);
	sample(&t, &r, 0);
	ck_assert_int_eq(r.rto, 1);
	/* Without a floor, 3R exactly. */
	t.ops->rtt_init(t.st, &r);
	sample(&t, &r, 30 * MS);
	ck_assert_int_eq(r.rto, 90 * MS);
	prof_close(&t);
}
END_TEST

/* The two profiles agree on a first sample whose 2R passes both floors,
 * and differ afterwards exactly where the kernel differs from the RFC. */
START_TEST(profiles_compared)
{
	const struct sy_test_setting min0[] = { { "rto_min", "0s" }, { NULL } };
	struct prof a, b;
	sy_rtt ra, rb;

	prof_open(&a, "rfc", min0);
	prof_open(&b, "linux", min0);
	a.ops->rtt_init(a.st, &ra);
	b.ops->rtt_init(b.st, &rb);
	sample(&a, &ra, 400 * MS);
	sample(&b, &rb, 400 * MS);
	ck_assert_int_eq(ra.rto, rb.rto);  /* 3R = 1.2 s */
	ck_assert_int_eq(ra.rto, 1200 * MS);
	/* A rising sample: same gains, same MDEV and SRTT; RTO the same
	 * since rttvar rises at once to 4*MDEV. */
	sample(&a, &ra, 800 * MS);
	sample(&b, &rb, 800 * MS);
	ck_assert_int_eq(ra.srtt, rb.srtt);
	ck_assert_int_eq(ra.rttvar, rb.rttvar);
	ck_assert_int_eq(ra.rto, rb.rto);
	/* A falling one: RFC MDEV gain 1/4, Linux 1/32 when |err| > MDEV. */
	sample(&a, &ra, 10 * MS);
	sample(&b, &rb, 10 * MS);
	ck_assert_int_eq(ra.srtt, rb.srtt);
	ck_assert_int_gt(ra.rttvar, rb.rttvar);
	prof_close(&a);
	prof_close(&b);
}
END_TEST

static Suite *timers_rtt_suite(void)
{
	Suite *s = suite_create("timers_rtt");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rfc_first_samples);
	tcase_add_test(tc, rfc_granularity_and_max);
	tcase_add_test(tc, rfc_against_float);
	tcase_add_test(tc, linux_estimator_by_hand);
	tcase_add_test(tc, linux_floor_and_ceiling);
	tcase_add_test(tc, profiles_compared);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sy_test_main(timers_rtt_suite());
}
