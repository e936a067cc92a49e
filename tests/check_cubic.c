#include "config.h"

/* cc/cubic (RFC 9438), loaded as a module and driven through its ops as
 * the endpoint would (cc_util.h).  CUBIC's rules are checked two ways:
 * single ACKs at chosen times, whose result follows from RFC 9438's
 * formulas to within a byte or two (the plugin drops the fractions of a
 * byte only); and ACK clocking at a fixed RTT, each round delivering
 * cwnd/mss ACKs of one segment spread evenly over the RTT, for the shape
 * of the window over time, with a tolerance of 1% (the window follows
 * W_cubic(t) to within 0.1% in these runs: the target W_cubic(t + RTT) is
 * what the window reaches one RTT later). */

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "errors.h"
#include "param.h"
#include "plugin.h"
#include "vtime.h"
#include "cc_util.h"

/* ---------------------------------------------------------------- cubic */

#define C_DEF 0.4
#define BETA_DEF 0.7

/* W_cubic(t) of RFC 9438 4.2, in segments. */
static double w_cubic(double c, double wmax, double k, double t)
{
	return c * (t - k) * (t - k) * (t - k) + wmax;
}

/* A connection in congestion avoidance just after a fast retransmit at a
 * window of wmax segments, and its recovery. */
static void cubic_after_loss(struct conn *k, const struct sy_test_setting *set,
			     uint32_t wmax)
{
	conn_open(k, "cubic", set, MSS, wmax * MSS);
	congestion(k, wmax * MSS, SY_CC_FAST_RETRANSMIT);
	recovery_exit(k);
}

/* ssthresh = beta * cwnd, cwnd = ssthresh; at least two segments. */
START_TEST(cubic_decrease)
{
	static const struct sy_test_setting half[] = {
		{ "beta", "0.5" }, { NULL, NULL }
	};
	struct conn k;

	cubic_after_loss(&k, NULL, 100);
	ck_assert_uint_eq(k.cc.ssthresh, 70 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 70 * MSS);
	conn_close(&k);

	cubic_after_loss(&k, half, 100);
	ck_assert_uint_eq(k.cc.ssthresh, 50 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 50 * MSS);
	conn_close(&k);

	/* From cwnd, not the flight. */
	conn_open(&k, "cubic", NULL, MSS, 100 * MSS);
	congestion(&k, 10 * MSS, SY_CC_FAST_RETRANSMIT);
	ck_assert_uint_eq(k.cc.ssthresh, 70 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 70 * MSS);
	conn_close(&k);

	conn_open(&k, "cubic", NULL, MSS, 2 * MSS);
	congestion(&k, 2 * MSS, SY_CC_FAST_RETRANSMIT);
	ck_assert_uint_eq(k.cc.ssthresh, 2 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 2 * MSS);
	conn_close(&k);
}
END_TEST

/* Below ssthresh, RFC 5681 slow start: at most one segment per ACK; a
 * round of one-segment ACKs doubles cwnd. */
START_TEST(cubic_slow_start)
{
	struct conn k;

	conn_open(&k, "cubic", NULL, MSS, 10 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 10 * MSS);
	ck_assert_uint_eq(k.cc.ssthresh, INF);
	ack(&k, 2 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 11 * MSS);
	ack(&k, 300);
	ck_assert_uint_eq(k.cc.cwnd, 11 * MSS + 300);
	k.cc.cwnd = 10 * MSS;
	for (int r = 0; r < 5; r++) {
		uint32_t before = k.cc.cwnd, n = before / MSS;

		for (uint32_t i = 0; i < n; i++)
			ack(&k, MSS);
		ck_assert_uint_eq(k.cc.cwnd, 2 * before);
	}
	conn_close(&k);
}
END_TEST

/* Single ACKs at chosen times follow W_cubic exactly.  With an RTT of 1 ns
 * the target is W_cubic(t); an ACK of a whole window moves cwnd all the
 * way to the target (increase (target - cwnd)/cwnd per segment acked), so
 * after each such ACK cwnd is W_cubic(t) segments, to a byte or two. */
START_TEST(cubic_formula)
{
	static const struct sy_test_setting noreno[] = {
		{ "tcp_friendliness", "false" }, { NULL, NULL }
	};
	const double K = cbrt(100 * (1 - BETA_DEF) / C_DEF);  /* 4.217 s */
	const double at[] = { K / 2, K, K + 1, K + 2, K + 2.5 };
	const sy_time t0 = 1000 * SY_SEC;
	struct conn k;

	cubic_after_loss(&k, noreno, 100);
	k.cc.srtt = 1;
	k.cc.min_rtt = 1;
	k.cc.now = t0;
	ack(&k, 1);  /* starts the epoch; W_cubic(1 ns) is 70 */
	ck_assert_uint_eq(k.cc.cwnd, 70 * MSS);
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		double want = w_cubic(C_DEF, 100, K, at[i]) * MSS;

		k.cc.now = t0 + (sy_time)(at[i] * 1e9);
		ack(&k, k.cc.cwnd);
		ck_assert_msg(fabs((double)k.cc.cwnd - want) <= 2,
			      "at t = %.3f s: cwnd %u, want %.1f", at[i],
			      k.cc.cwnd, want);
	}
	/* At K + 10 s, W_cubic is 500 segments: the target is clamped to
	 * 1.5 cwnd. */
	{
		double before = k.cc.cwnd;

		k.cc.now = t0 + (sy_time)((K + 10) * 1e9);
		ack(&k, k.cc.cwnd);
		ck_assert_msg(fabs((double)k.cc.cwnd - 1.5 * before) <= 2,
			      "cwnd %u, want 1.5 * %.0f", k.cc.cwnd, before);
	}
	conn_close(&k);
}
END_TEST

/* Fractions of a byte are not lost: near the plateau an ACK of 100 bytes
 * earns 0.4 bytes of growth, and a thousand of them still move cwnd
 * towards the target as the per-ACK rule says (by 1 - 1/e of the way,
 * for one window of ACKs), computed here in real numbers. */
START_TEST(cubic_small_acks)
{
	static const struct sy_test_setting noreno[] = {
		{ "tcp_friendliness", "false" }, { NULL, NULL }
	};
	const double K = cbrt(100 * (1 - BETA_DEF) / C_DEF);
	const sy_time t0 = SY_SEC;
	double target, m;
	struct conn k;

	cubic_after_loss(&k, noreno, 100);
	k.cc.srtt = k.cc.min_rtt = 1;
	k.cc.now = t0;
	ack(&k, 1);
	k.cc.now = t0 + (sy_time)(K * 1e9);
	ack(&k, k.cc.cwnd);
	ck_assert_msg(labs((long)k.cc.cwnd - 100 * (long)MSS) <= 2, "cwnd %u",
		      k.cc.cwnd);
	k.cc.now = t0 + (sy_time)((K + 1) * 1e9);
	target = w_cubic(C_DEF, 100, K, K + 1) * MSS;  /* 100400 bytes */
	m = k.cc.cwnd;
	for (int i = 0; i < 1000; i++) {
		ack(&k, 100);
		m += (target - m) / m * 100;
	}
	ck_assert_msg(m - 100 * MSS > 240, "model: %.1f", m);
	ck_assert_msg(fabs((double)k.cc.cwnd - m) <= 2, "cwnd %u, want %.1f",
		      k.cc.cwnd, m);
	conn_close(&k);
}
END_TEST

/* The target is W_cubic(t + RTT): the smoothed RTT, else the smallest
 * sample, else 100 ms.  An ACK of a whole window at t = 1 s - RTT takes
 * cwnd to W_cubic(1 s) = 86.68 segments, where W_cubic climbs by 12
 * segments a second: another RTT would be hundreds of bytes off. */
START_TEST(cubic_target_rtt)
{
	static const struct sy_test_setting noreno[] = {
		{ "tcp_friendliness", "false" }, { NULL, NULL }
	};
	const double K = cbrt(100 * (1 - BETA_DEF) / C_DEF);
	const struct { sy_time srtt, min_rtt, used; } r[] = {
		{ 300 * SY_MS, 10 * SY_MS, 300 * SY_MS },
		{ 0, 50 * SY_MS, 50 * SY_MS },
		{ 0, 0, 100 * SY_MS },
	};
	const double want = w_cubic(C_DEF, 100, K, 1) * MSS;

	for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
		struct conn k;

		cubic_after_loss(&k, noreno, 100);
		k.cc.srtt = r[i].srtt;
		k.cc.min_rtt = r[i].min_rtt;
		k.cc.now = SY_SEC;
		ack(&k, 1);
		k.cc.now = 2 * SY_SEC - r[i].used;
		ack(&k, k.cc.cwnd);
		ck_assert_msg(fabs((double)k.cc.cwnd - want) <= 2,
			      "srtt %lld, min_rtt %lld: cwnd %u, want %.1f",
			      (long long)r[i].srtt, (long long)r[i].min_rtt,
			      k.cc.cwnd, want);
		conn_close(&k);
	}
}
END_TEST

/* ACK clocking at 100 ms after a loss at W_max = 100 segments: the window
 * climbs back to the plateau in K = cbrt(W_max (1 - beta) / C) = 4.22 s,
 * concave (the growth of each second smaller than the last), stays near
 * W_max around K, then grows convexly (each second more than the last).
 * It follows W_cubic(t) within 1% all along.  Without the
 * Reno-friendly region: at this RTT Reno's window would overtake the
 * cubic one about 3 s after K. */
START_TEST(cubic_shape)
{
	static const struct sy_test_setting noreno[] = {
		{ "tcp_friendliness", "false" }, { NULL, NULL }
	};
	const double K = cbrt(100 * (1 - BETA_DEF) / C_DEF);
	const sy_time rtt = 100 * SY_MS;
	double w[5], before;
	struct conn k;

	cubic_after_loss(&k, noreno, 100);
	ck_assert_uint_eq(k.cc.cwnd, 70 * MSS);
	/* t = 0 .. 4 s. */
	for (int s = 0; s <= 4; s++) {
		clock_until(&k, rtt, s * SY_SEC);
		w[s] = segs(&k);
	}
	for (int s = 1; s <= 4; s++) {
		double want = w_cubic(C_DEF, 100, K, s);

		ck_assert_msg(fabs(w[s] - want) <= 0.01 * want,
			      "t = %d s: %.2f segments, want about %.2f", s,
			      w[s], want);
		ck_assert_msg(w[s] >= w[s - 1], "t = %d s: shrank", s);
		if (s >= 2)
			ck_assert_msg(w[s] - w[s - 1] < w[s - 1] - w[s - 2],
				      "not concave: %.2f then %.2f",
				      w[s - 1] - w[s - 2], w[s] - w[s - 1]);
	}
	/* The plateau: at K within 1% of W_max. */
	clock_until(&k, rtt, (sy_time)(K * 1e9));
	ck_assert_msg(fabs(segs(&k) - 100) <= 1, "at K = %.3f s: %.2f "
		      "segments, want about 100", K, segs(&k));
	/* After K: samples at K + 1 .. K + 4 s; convex. */
	w[0] = segs(&k);
	for (int s = 1; s <= 4; s++) {
		double want = w_cubic(C_DEF, 100, K, K + s);

		clock_until(&k, rtt, (sy_time)((K + s) * 1e9));
		w[s] = segs(&k);
		ck_assert_msg(fabs(w[s] - want) <= 0.01 * want,
			      "t = K + %d s: %.2f segments, want about %.2f",
			      s, w[s], want);
		if (s >= 2)
			ck_assert_msg(w[s] - w[s - 1] > w[s - 1] - w[s - 2],
				      "not convex: %.2f then %.2f",
				      w[s - 1] - w[s - 2], w[s] - w[s - 1]);
	}
	/* Never below what it was. */
	before = segs(&k);
	clock_until(&k, rtt, (sy_time)((K + 5) * 1e9));
	ck_assert(segs(&k) >= before);
	conn_close(&k);
}
END_TEST

/* The window at t = K of the epoch after a second loss, at w1 segments,
 * that comes before the window is back to W_max = 100: with fast
 * convergence the plateau is at w1 (1 + beta) / 2, without it at w1. */
static double second_plateau(const char *fc, double *w1, double *k2)
{
	const struct sy_test_setting set[] = {
		{ "fast_convergence", fc }, { "tcp_friendliness", "false" },
		{ NULL, NULL }
	};
	const sy_time rtt = 100 * SY_MS;
	double w;
	sy_time t1;
	struct conn k;

	cubic_after_loss(&k, set, 100);
	clock_until(&k, rtt, 2 * SY_SEC);
	*w1 = segs(&k);
	ck_assert_msg(*w1 > 85 && *w1 < 99, "at 2 s: %.2f segments", *w1);
	congestion(&k, k.cc.cwnd, SY_CC_FAST_RETRANSMIT);
	recovery_exit(&k);
	ck_assert_msg(fabs(segs(&k) - BETA_DEF * *w1) < 0.01,
		      "after the second loss: %.2f segments, want %.2f",
		      segs(&k), BETA_DEF * *w1);
	t1 = k.cc.now;
	{
		double wmax = strcmp(fc, "true") == 0 ?
			      *w1 * (1 + BETA_DEF) / 2 : *w1;

		*k2 = cbrt((wmax - segs(&k)) / C_DEF);
		/* K from the window the epoch starts at (RFC 9438
		 * Figure 2), which fast convergence makes differ from
		 * beta * W_max. */
		clock_until(&k, rtt, t1 + SY_SEC);
		ck_assert_msg(fabs(segs(&k) - w_cubic(C_DEF, wmax, *k2, 1)) <=
			      0.01 * wmax, "fast_convergence %s: %.2f "
			      "segments 1 s after the second loss, want "
			      "about %.2f", fc, segs(&k),
			      w_cubic(C_DEF, wmax, *k2, 1));
	}
	clock_until(&k, rtt, t1 + (sy_time)(*k2 * 1e9));
	w = segs(&k);
	conn_close(&k);
	return w;
}

START_TEST(cubic_fast_convergence)
{
	double w1, k2, w;

	w = second_plateau("true", &w1, &k2);
	ck_assert_msg(fabs(w - w1 * 0.85) <= 0.01 * w1 * 0.85,
		      "fast convergence: plateau %.2f segments at %.2f s, "
		      "want about %.2f (loss at %.2f)", w, k2, w1 * 0.85, w1);
	w = second_plateau("false", &w1, &k2);
	ck_assert_msg(fabs(w - w1) <= 0.01 * w1,
		      "no fast convergence: plateau %.2f segments at %.2f s, "
		      "want about %.2f", w, k2, w1);
}
END_TEST

/* Reno-friendly region: at an RTT of 1 ms the cubic function barely moves
 * in 100 RTTs, while Reno's window W_est grows by alpha = 3 (1 - beta) /
 * (1 + beta) = 0.53 segments per RTT, then by 1 once it has passed the
 * window before the loss.  With one ACK of a whole window per RTT, cwnd
 * is W_est after each.  Without tcp_friendliness cwnd stays near
 * W_cubic. */
START_TEST(cubic_reno_friendly)
{
	static const struct sy_test_setting off[] = {
		{ "tcp_friendliness", "false" }, { NULL, NULL }
	};
	const double alpha = 3 * (1 - BETA_DEF) / (1 + BETA_DEF);
	double west = 70;
	struct conn k;

	cubic_after_loss(&k, NULL, 100);
	k.cc.srtt = k.cc.min_rtt = SY_MS;
	k.cc.now = SY_SEC;
	ack(&k, 1);
	for (int r = 1; r <= 100; r++) {
		west += west >= 100 ? 1 : alpha;
		k.cc.now = SY_SEC + r * SY_MS;
		ack(&k, k.cc.cwnd);
		MUST(fabs(segs(&k) - west) < 0.01, "RTT %d: %.3f segments, "
		     "want %.3f", r, segs(&k), west);
	}
	ck_assert(segs(&k) > 140);
	conn_close(&k);

	cubic_after_loss(&k, off, 100);
	clock_until(&k, SY_MS, SY_MS * 100);
	ck_assert_msg(segs(&k) < 73, "%.2f segments", segs(&k));
	conn_close(&k);

	/* ACK clocked, friendliness on: Reno's pace. */
	cubic_after_loss(&k, NULL, 100);
	clock_until(&k, SY_MS, SY_MS * 20);
	ck_assert_msg(fabs(segs(&k) - (70 + 20 * alpha)) < 1.5,
		      "after 20 RTTs: %.2f segments, want about %.2f",
		      segs(&k), 70 + 20 * alpha);
	conn_close(&k);
}
END_TEST

/* A timeout: ssthresh = beta cwnd, cwnd one segment; slow start back to
 * ssthresh; then the first epoch after a timeout has K = 0 and W_max =
 * its starting window (RFC 9438 4.8): convex growth at once, where after
 * a fast retransmit it would be concave. */
START_TEST(cubic_rto)
{
	static const struct sy_test_setting noreno[] = {
		{ "tcp_friendliness", "false" }, { NULL, NULL }
	};
	const sy_time rtt = 100 * SY_MS;
	double w[4], w0;
	sy_time t;
	struct conn k;

	conn_open(&k, "cubic", noreno, MSS, 100 * MSS);
	congestion(&k, 100 * MSS, SY_CC_RTO);
	ck_assert_uint_eq(k.cc.ssthresh, 70 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, MSS);
	/* Slow start: 1, 2, 4, ... 64, then 70 segments after 7 rounds. */
	for (int r = 0; r < 6; r++) {
		uint32_t before = k.cc.cwnd;

		clock_until(&k, rtt, (r + 1) * rtt);
		ck_assert_uint_eq(k.cc.cwnd, 2 * before);
	}
	ck_assert_uint_eq(k.cc.cwnd, 64 * MSS);
	while (k.cc.cwnd < k.cc.ssthresh)
		clock_until(&k, rtt, k.cc.now + 1);
	w0 = segs(&k);
	ck_assert(w0 >= 70 && w0 < 71);
	t = k.cc.now;
	w[0] = w0;
	for (int s = 1; s <= 3; s++) {
		double want = w_cubic(C_DEF, w0, 0, s);

		clock_until(&k, rtt, t + s * SY_SEC);
		w[s] = segs(&k);
		ck_assert_msg(fabs(w[s] - want) <= 0.01 * want,
			      "%d s after slow start: %.2f segments, want "
			      "about %.2f", s, w[s], want);
		if (s >= 2)
			ck_assert_msg(w[s] - w[s - 1] > w[s - 1] - w[s - 2],
				      "not convex: %.2f then %.2f",
				      w[s - 1] - w[s - 2], w[s] - w[s - 1]);
	}
	conn_close(&k);
}
END_TEST

/* Idle restart clamps cwnd to the restart window and starts a new epoch:
 * the window then grows from where it is, not by the old curve. */
START_TEST(cubic_idle_restart)
{
	struct conn k;

	cubic_after_loss(&k, NULL, 100);
	clock_until(&k, 100 * SY_MS, 3 * SY_SEC);
	ck_assert(segs(&k) > 90);
	idle_restart(&k, 10 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 10 * MSS);
	ck_assert_uint_eq(k.cc.ssthresh, 70 * MSS);
	/* Slow start below ssthresh. */
	ack(&k, MSS);
	ck_assert_uint_eq(k.cc.cwnd, 11 * MSS);
	k.cc.cwnd = 5 * MSS;
	idle_restart(&k, 10 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 5 * MSS);
	conn_close(&k);

	/* In congestion avoidance at 70 segments after a long idle: a new
	 * epoch from 70 towards W_max = 100, so an ACK of a whole window one
	 * nanosecond-RTT after the epoch starts changes little. */
	cubic_after_loss(&k, NULL, 100);
	k.cc.srtt = k.cc.min_rtt = 1;
	k.cc.now = SY_SEC;
	ack(&k, 1);
	k.cc.now = 100 * SY_SEC;
	idle_restart(&k, 80 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 70 * MSS);
	ack(&k, 1);
	k.cc.now += SY_MS;
	ack(&k, k.cc.cwnd);
	ck_assert_msg(segs(&k) < 71, "%.2f segments", segs(&k));
	conn_close(&k);
}
END_TEST

START_TEST(cubic_bad_params)
{
	refused("cubic", "beta", "1.5");
	refused("cubic", "beta", "0");
	refused("cubic", "c", "0");
	refused("cubic", "fast_convergence", "maybe");
	refused("cubic", "nonsense", "1");
}
END_TEST

/* ---------------------------------------------------------------- modules */

/* ---------------------------------------------------------------- main */

static Suite *cubic_suite(void)
{
	Suite *s = suite_create("cubic");
	TCase *tc = tcase_create("cubic");

	tcase_add_test(tc, cubic_decrease);
	tcase_add_test(tc, cubic_slow_start);
	tcase_add_test(tc, cubic_formula);
	tcase_add_test(tc, cubic_small_acks);
	tcase_add_test(tc, cubic_target_rtt);
	tcase_add_test(tc, cubic_shape);
	tcase_add_test(tc, cubic_fast_convergence);
	tcase_add_test(tc, cubic_reno_friendly);
	tcase_add_test(tc, cubic_rto);
	tcase_add_test(tc, cubic_idle_restart);
	tcase_add_test(tc, cubic_bad_params);
	/* Generous: the sanitizer build is several times slower. */
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sy_test_main(cubic_suite());
}
