#include "config.h"

/* Congestion-control plugins (cc.h), loaded as modules: cc/newreno and
 * cc/cubic.
 *
 * The plugins are driven directly through their ops, as the endpoint
 * would: a test plays the endpoint, sets the fields of sy_cc_conn it owns
 * (mss, flight, now, srtt, min_rtt) and calls the hooks.  NewReno's rules
 * are integer rules, so its tests expect exact byte counts.  CUBIC's are
 * checked two ways: single ACKs at chosen times, whose result follows
 * from RFC 9438's formulas to within a byte or two (the plugin drops the
 * fractions of a byte only); and ACK clocking at a fixed RTT, each round
 * delivering cwnd/mss ACKs of one segment spread evenly over the RTT, for
 * the shape of the window over time, with a tolerance of 1% (the
 * window follows W_cubic(t) to within 0.1% in these runs: the target
 * W_cubic(t + RTT) is what the window reaches one RTT later). */

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
#include "testutil.h"

/* A failing check only, for loops. */
#define MUST(cond, ...)                                                 \
	do {                                                            \
		if (!(cond))                                            \
			ck_abort_msg(__VA_ARGS__);                      \
	} while (0)

#define MSS 1000u
#define INF UINT32_MAX

/* ---------------------------------------------------------------- harness */

/* One connection of a plugin instance of its own, and the state of the
 * ACK clock (clock_until). */
struct conn {
	sy_instance in;
	const sy_cc_ops *ops;
	const void *st;
	sy_cc_conn cc;
	uint32_t left;   /* ACKs left in the current round */
	sy_time step;    /* time between two ACKs of the round */
};

static int instance(sy_instance *in, const char *name,
		    const struct sy_test_setting *set, sy_err *err)
{
	if (sy_test_configure(in, "cc", name, set, err) < 0)
		return -1;
	return sy_instance_init(in, NULL, err);
}

/* Loads and configures (set ends at a NULL key; may be NULL), then opens
 * a connection with initial window iw and the given mss. */
static void conn_open(struct conn *k, const char *name,
		      const struct sy_test_setting *set, uint32_t mss,
		      uint32_t iw)
{
	sy_err err;

	memset(k, 0, sizeof *k);
	ck_assert_msg(instance(&k->in, name, set, &err) == 0, "%s", err.msg);
	k->ops = k->in.plugin->ops;
	k->st = k->in.state;
	ck_assert_ptr_nonnull(k->ops);
	ck_assert_ptr_nonnull(k->ops->init);
	ck_assert_ptr_nonnull(k->ops->ack);
	ck_assert_ptr_nonnull(k->ops->congestion);
	ck_assert_ptr_nonnull(k->ops->recovery_exit);
	ck_assert_ptr_nonnull(k->ops->idle_restart);
	k->cc.priv = calloc(1, k->ops->conn_size ? k->ops->conn_size : 1);
	ck_assert_ptr_nonnull(k->cc.priv);
	k->cc.cwnd = iw;
	k->cc.ssthresh = INF;
	k->cc.mss = mss;
	k->ops->init(k->st, &k->cc);
}

static void conn_close(struct conn *k)
{
	free(k->cc.priv);
	sy_instance_free(&k->in);
}

static void ack(struct conn *k, uint32_t bytes)
{
	k->ops->ack(k->st, &k->cc, bytes, -1);
}

static void congestion(struct conn *k, uint32_t flight, sy_cc_signal sig)
{
	k->cc.flight = flight;
	k->ops->congestion(k->st, &k->cc, sig);
	k->left = 0;
}

static void recovery_exit(struct conn *k)
{
	k->ops->recovery_exit(k->st, &k->cc);
}

static void idle_restart(struct conn *k, uint32_t rw)
{
	k->ops->idle_restart(k->st, &k->cc, rw);
	k->left = 0;
}

/* ACK clocking at a fixed RTT: a round delivers as many one-segment ACKs
 * as cwnd held segments when it began, spread evenly over the RTT.  Runs
 * until now reaches `until`, possibly in the middle of a round. */
static void clock_until(struct conn *k, sy_time rtt, sy_time until)
{
	uint32_t mss = k->cc.mss;

	k->cc.srtt = rtt;
	k->cc.min_rtt = rtt;
	while (k->cc.now < until) {
		if (k->left == 0) {
			k->left = k->cc.cwnd / mss ? k->cc.cwnd / mss : 1;
			k->step = rtt / k->left;
		}
		k->cc.now += k->step;
		ack(k, mss);
		k->left--;
	}
}

/* A configuration that must be refused, when set or at init. */
static void refused(const char *name, const char *key, const char *val)
{
	const struct sy_test_setting set[] = { { key, val }, { NULL, NULL } };
	sy_instance in;
	sy_err err;

	ck_assert_msg(instance(&in, name, set, &err) == -1,
		      "cc/%s accepted %s=\"%s\"", name, key, val);
	sy_instance_free(&in);
}

static double segs(const struct conn *k)
{
	return (double)k->cc.cwnd / (double)k->cc.mss;
}

/* ---------------------------------------------------------------- newreno */

static const uint32_t mss_values[] = { 1000, 536, 1460, 8960 };

/* init leaves the endpoint's initial window and ssthresh alone. */
START_TEST(newreno_init)
{
	struct conn k;

	conn_open(&k, "newreno", NULL, 1460, 14600);
	ck_assert_uint_eq(k.cc.cwnd, 14600);
	ck_assert_uint_eq(k.cc.ssthresh, INF);
	conn_close(&k);
}
END_TEST

/* Slow start: one round of one-segment ACKs, as many as cwnd holds
 * segments, doubles cwnd exactly, round after round. */
START_TEST(newreno_slow_start_doubles)
{
	uint32_t mss = mss_values[_i];
	struct conn k;

	conn_open(&k, "newreno", NULL, mss, 3 * mss);
	for (int r = 0; r < 8; r++) {
		uint32_t before = k.cc.cwnd, n = before / mss;

		for (uint32_t i = 0; i < n; i++) {
			ack(&k, mss);
			MUST(k.cc.cwnd == before + (i + 1) * mss,
			     "mss %u round %d ack %u: cwnd %u", mss, r, i,
			     k.cc.cwnd);
		}
		ck_assert_uint_eq(k.cc.cwnd, 2 * before);
	}
	ck_assert_uint_eq(k.cc.cwnd, 3 * mss << 8);
	ck_assert_uint_eq(k.cc.ssthresh, INF);
	conn_close(&k);
}
END_TEST

/* RFC 5681's L = 1 SMSS by default: an ACK of two segments (a delayed
 * ACK) adds one, and a round of them grows cwnd by half; with abc_limit =
 * 2 it adds two and the round doubles.  An ACK of less than a segment
 * adds what it acknowledges. */
START_TEST(newreno_abc_limit)
{
	static const struct sy_test_setting two[] = {
		{ "abc_limit", "2" }, { NULL, NULL }
	};
	struct conn k;

	conn_open(&k, "newreno", NULL, MSS, 10 * MSS);
	for (int i = 0; i < 5; i++)
		ack(&k, 2 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 15 * MSS);
	ack(&k, 3 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 16 * MSS);
	ack(&k, 300);
	ck_assert_uint_eq(k.cc.cwnd, 16 * MSS + 300);
	conn_close(&k);

	conn_open(&k, "newreno", two, MSS, 10 * MSS);
	for (int i = 0; i < 5; i++)
		ack(&k, 2 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 20 * MSS);
	ack(&k, 3 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 22 * MSS);
	ack(&k, 1500);
	ck_assert_uint_eq(k.cc.cwnd, 23 * MSS + 500);
	conn_close(&k);
}
END_TEST

/* The slow-start step that crosses ssthresh is taken whole (cwnd ends
 * above ssthresh by less than one step); the next ACK is in congestion
 * avoidance and adds nothing by itself. */
START_TEST(newreno_crossing)
{
	static const struct sy_test_setting two[] = {
		{ "abc_limit", "2" }, { NULL, NULL }
	};
	struct conn k;

	conn_open(&k, "newreno", NULL, MSS, 9 * MSS + 500);
	k.cc.ssthresh = 10 * MSS;
	ack(&k, MSS);
	ck_assert_uint_eq(k.cc.cwnd, 10 * MSS + 500);
	ck_assert_uint_le(k.cc.cwnd, k.cc.ssthresh + MSS);
	ack(&k, MSS);
	ck_assert_uint_eq(k.cc.cwnd, 10 * MSS + 500);
	conn_close(&k);

	conn_open(&k, "newreno", two, MSS, 9 * MSS + 500);
	k.cc.ssthresh = 10 * MSS;
	ack(&k, 4 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 11 * MSS + 500);
	ck_assert_uint_le(k.cc.cwnd, k.cc.ssthresh + 2 * MSS);
	ack(&k, 2 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 11 * MSS + 500);
	/* Exactly at ssthresh is congestion avoidance already. */
	k.cc.cwnd = k.cc.ssthresh;
	ack(&k, MSS);
	ck_assert_uint_eq(k.cc.cwnd, k.cc.ssthresh);
	conn_close(&k);
}
END_TEST

/* Congestion avoidance: one SMSS per cwnd of bytes acknowledged, no
 * sooner, no later, round after round. */
START_TEST(newreno_avoidance_rounds)
{
	uint32_t mss = mss_values[_i];
	struct conn k;

	conn_open(&k, "newreno", NULL, mss, 20 * mss);
	k.cc.ssthresh = 10 * mss;
	for (int r = 0; r < 60; r++) {
		uint32_t before = k.cc.cwnd, n = before / mss;

		for (uint32_t i = 0; i + 1 < n; i++) {
			ack(&k, mss);
			MUST(k.cc.cwnd == before, "mss %u round %d ack %u: "
			     "cwnd %u, want %u", mss, r, i, k.cc.cwnd, before);
		}
		ack(&k, mss);
		MUST(k.cc.cwnd == before + mss, "mss %u round %d: cwnd %u, "
		     "want %u", mss, r, k.cc.cwnd, before + mss);
	}
	ck_assert_uint_eq(k.cc.cwnd, 80 * mss);
	conn_close(&k);
}
END_TEST

/* ACKs of irregular sizes, most not a whole segment: cwnd grows by one
 * SMSS on the ACK that brings the bytes counted since the last growth to
 * cwnd, and the excess counts towards the next.  Nothing of the fractions
 * SMSS*SMSS/cwnd is lost: after acknowledging B bytes cwnd has grown by
 * the number of whole windows they make. */
START_TEST(newreno_avoidance_bytes)
{
	struct conn k;
	uint64_t since = 0, total = 0;
	uint32_t want = 20 * MSS;
	int grown = 0;

	conn_open(&k, "newreno", NULL, MSS, 20 * MSS);
	k.cc.ssthresh = 5 * MSS;
	for (uint32_t i = 0; i < 20000; i++) {
		uint32_t a = 1 + (i * 7919u) % (2 * MSS);  /* 1 .. 2 MSS */

		ack(&k, a);
		total += a;
		since += a;
		if (since >= want) {
			since -= want;
			want += MSS;
			grown++;
		}
		MUST(k.cc.cwnd == want, "ack %u (%u bytes, %llu in all): "
		     "cwnd %u, want %u", i, a, (unsigned long long)total,
		     k.cc.cwnd, want);
	}
	/* 20000 ACKs of 1000 bytes on average: about 20 MB, which at one
	 * MSS per window from 20 segments is about 180 growths. */
	ck_assert_int_gt(grown, 150);
	conn_close(&k);
}
END_TEST

/* A fast retransmit sets ssthresh to half the flight, at least two
 * segments, and cwnd to ssthresh; recovery ends at ssthresh. */
START_TEST(newreno_fast_retransmit)
{
	struct conn k;

	conn_open(&k, "newreno", NULL, MSS, 40 * MSS);
	congestion(&k, 30 * MSS, SY_CC_FAST_RETRANSMIT);
	ck_assert_uint_eq(k.cc.ssthresh, 15 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 15 * MSS);
	k.cc.cwnd = 3 * MSS;  /* whatever recovery left */
	recovery_exit(&k);
	ck_assert_uint_eq(k.cc.cwnd, 15 * MSS);

	/* FlightSize, not cwnd: half of 30001 bytes. */
	k.cc.cwnd = 60 * MSS;
	congestion(&k, 30001, SY_CC_FAST_RETRANSMIT);
	ck_assert_uint_eq(k.cc.ssthresh, 15000);
	ck_assert_uint_eq(k.cc.cwnd, 15000);

	/* The floor of two segments. */
	k.cc.cwnd = 40 * MSS;
	congestion(&k, 3 * MSS, SY_CC_FAST_RETRANSMIT);
	ck_assert_uint_eq(k.cc.ssthresh, 2 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 2 * MSS);
	congestion(&k, 0, SY_CC_FAST_RETRANSMIT);
	ck_assert_uint_eq(k.cc.ssthresh, 2 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 2 * MSS);
	conn_close(&k);
}
END_TEST

/* Bytes counted towards the next SMSS before a loss do not count after
 * it: the new window needs a whole window of ACKs to grow. */
START_TEST(newreno_count_restarts)
{
	struct conn k;

	conn_open(&k, "newreno", NULL, MSS, 20 * MSS);
	k.cc.ssthresh = 10 * MSS;
	for (int i = 0; i < 19; i++)
		ack(&k, MSS);
	ck_assert_uint_eq(k.cc.cwnd, 20 * MSS);
	congestion(&k, 40 * MSS, SY_CC_FAST_RETRANSMIT);
	recovery_exit(&k);
	ck_assert_uint_eq(k.cc.cwnd, 20 * MSS);
	for (int i = 0; i < 19; i++)
		ack(&k, MSS);
	ck_assert_uint_eq(k.cc.cwnd, 20 * MSS);
	ack(&k, MSS);
	ck_assert_uint_eq(k.cc.cwnd, 21 * MSS);
	conn_close(&k);
}
END_TEST

/* A timeout: ssthresh as for a fast retransmit, cwnd one segment; slow
 * start then takes it back to ssthresh, doubling per round. */
START_TEST(newreno_rto)
{
	struct conn k;

	conn_open(&k, "newreno", NULL, MSS, 40 * MSS);
	congestion(&k, 40 * MSS, SY_CC_RTO);
	ck_assert_uint_eq(k.cc.ssthresh, 20 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, MSS);
	for (uint32_t want = 2 * MSS; want <= 16 * MSS; want *= 2) {
		uint32_t n = k.cc.cwnd / MSS;

		for (uint32_t i = 0; i < n; i++)
			ack(&k, MSS);
		ck_assert_uint_eq(k.cc.cwnd, want);
	}
	for (int i = 0; i < 4; i++)
		ack(&k, MSS);
	ck_assert_uint_eq(k.cc.cwnd, 20 * MSS);
	ack(&k, MSS);  /* congestion avoidance now */
	ck_assert_uint_eq(k.cc.cwnd, 20 * MSS);

	/* Small flight: the floor. */
	congestion(&k, MSS, SY_CC_RTO);
	ck_assert_uint_eq(k.cc.ssthresh, 2 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, MSS);
	conn_close(&k);
}
END_TEST

/* Idle restart: cwnd at most the restart window; ssthresh unchanged. */
START_TEST(newreno_idle_restart)
{
	struct conn k;

	conn_open(&k, "newreno", NULL, MSS, 40 * MSS);
	k.cc.ssthresh = 30 * MSS;
	idle_restart(&k, 10 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 10 * MSS);
	ck_assert_uint_eq(k.cc.ssthresh, 30 * MSS);
	k.cc.cwnd = 4 * MSS;
	idle_restart(&k, 10 * MSS);
	ck_assert_uint_eq(k.cc.cwnd, 4 * MSS);
	ck_assert_uint_eq(k.cc.ssthresh, 30 * MSS);
	/* Back in slow start below ssthresh. */
	ack(&k, MSS);
	ck_assert_uint_eq(k.cc.cwnd, 5 * MSS);
	conn_close(&k);
}
END_TEST

START_TEST(newreno_bad_params)
{
	refused("newreno", "abc_limit", "0");
	refused("newreno", "abc_limit", "3");
	refused("newreno", "nonsense", "1");
}
END_TEST

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

static const char *const names[] = { "newreno", "cubic" };
static const char *const summaries[] = {
	"NewReno (RFC 5681, RFC 6582)", "CUBIC (RFC 9438)",
};

START_TEST(module_descriptor)
{
	const sy_plugin *p = sy_test_descriptor("cc", names[_i]);
	const sy_cc_ops *ops = p->ops;

	ck_assert_str_eq(p->summary, summaries[_i]);
	ck_assert_uint_gt(ops->conn_size, 0);
}
END_TEST

/* ---------------------------------------------------------------- main */

static Suite *cc_suite(void)
{
	Suite *s = suite_create("cc");
	TCase *tc[] = {
		tcase_create("newreno"), tcase_create("cubic"),
		tcase_create("modules"),
	};
	const int nmss = (int)(sizeof mss_values / sizeof mss_values[0]);

	tcase_add_test(tc[0], newreno_init);
	tcase_add_loop_test(tc[0], newreno_slow_start_doubles, 0, nmss);
	tcase_add_test(tc[0], newreno_abc_limit);
	tcase_add_test(tc[0], newreno_crossing);
	tcase_add_loop_test(tc[0], newreno_avoidance_rounds, 0, nmss);
	tcase_add_test(tc[0], newreno_avoidance_bytes);
	tcase_add_test(tc[0], newreno_fast_retransmit);
	tcase_add_test(tc[0], newreno_count_restarts);
	tcase_add_test(tc[0], newreno_rto);
	tcase_add_test(tc[0], newreno_idle_restart);
	tcase_add_test(tc[0], newreno_bad_params);
	tcase_add_test(tc[1], cubic_decrease);
	tcase_add_test(tc[1], cubic_slow_start);
	tcase_add_test(tc[1], cubic_formula);
	tcase_add_test(tc[1], cubic_small_acks);
	tcase_add_test(tc[1], cubic_target_rtt);
	tcase_add_test(tc[1], cubic_shape);
	tcase_add_test(tc[1], cubic_fast_convergence);
	tcase_add_test(tc[1], cubic_reno_friendly);
	tcase_add_test(tc[1], cubic_rto);
	tcase_add_test(tc[1], cubic_idle_restart);
	tcase_add_test(tc[1], cubic_bad_params);
	tcase_add_loop_test(tc[2], module_descriptor, 0,
			    (int)(sizeof names / sizeof names[0]));
	for (size_t i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		/* Generous: the sanitizer build is several times slower. */
		tcase_set_timeout(tc[i], 120);
		suite_add_tcase(s, tc[i]);
	}
	return s;
}

int main(void)
{
	return sy_test_main(cc_suite());
}
