#include "config.h"

/* Congestion-control plugins (cc.h): cc/newreno and the library's NewReno
 * rules it is made of, and what every cc module must be (cubic has its
 * own check_cubic).
 *
 * The plugins are driven directly through their ops, as the endpoint
 * would: a test plays the endpoint, sets the fields of sy_cc_conn it owns
 * (mss, flight, now, srtt, min_rtt) and calls the hooks (cc_util.h).
 * NewReno's rules are integer rules, so its tests expect exact byte
 * counts. */

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


/* ---------------------------------------------------------------- signals */

#define NNAMES ((int)(sizeof names / sizeof names[0]))

/* Duplicate and partial ACKs change neither window: recovery sends by
 * pipe (cc.h).  Both in slow start and in congestion avoidance. */
START_TEST(ack_types_leave_window)
{
	struct conn k;

	conn_open(&k, names[_i], NULL, MSS, 10 * MSS);
	for (int phase = 0; phase < 2; phase++) {
		uint32_t cwnd = k.cc.cwnd, ssthresh = k.cc.ssthresh;

		for (int j = 0; j < 5; j++) {
			ack_typed(&k, SY_CC_ACK_DUP, 0);
			ack_typed(&k, SY_CC_ACK_PARTIAL, MSS);
		}
		ck_assert_uint_eq(k.cc.cwnd, cwnd);
		ck_assert_uint_eq(k.cc.ssthresh, ssthresh);
		/* new ACKs do grow it (two windows' worth, in congestion
		 * avoidance) */
		for (uint32_t j = 0; j < 2 * cwnd / MSS; j++) {
			k.cc.now += 10 * SY_MS;
			ack(&k, MSS);
		}
		ck_assert_uint_gt(k.cc.cwnd, cwnd);
		congestion(&k, 20 * MSS, SY_CC_FAST_RETRANSMIT);
		recovery_exit(&k);
	}
	conn_close(&k);
}
END_TEST

/* An ECN-Echo reduces the window as a loss found by duplicate ACKs does
 * (RFC 3168 6.1.2), and leaves cwnd at ssthresh, not one segment. */
START_TEST(ecn_halves)
{
	struct conn a, b;

	conn_open(&a, names[_i], NULL, MSS, 40 * MSS);
	conn_open(&b, names[_i], NULL, MSS, 40 * MSS);
	congestion(&a, 40 * MSS, SY_CC_FAST_RETRANSMIT);
	congestion(&b, 40 * MSS, SY_CC_ECN);
	ck_assert_uint_lt(b.cc.ssthresh, 40 * MSS);
	ck_assert_uint_eq(b.cc.ssthresh, a.cc.ssthresh);
	ck_assert_uint_eq(b.cc.cwnd, a.cc.cwnd);
	ck_assert_uint_eq(b.cc.cwnd, b.cc.ssthresh);
	conn_close(&a);
	conn_close(&b);
}
END_TEST

/* A timeout found spurious is undone: cwnd and ssthresh come back to what
 * they were before it, and growth goes on from there as if it had not
 * happened (the next ACKs grow the window exactly as on a connection
 * that never timed out). */
START_TEST(spurious_rto_undone)
{
	struct conn k, ref;

	conn_open(&k, names[_i], NULL, MSS, 10 * MSS);
	conn_open(&ref, names[_i], NULL, MSS, 10 * MSS);
	/* both in congestion avoidance at 20 segments */
	congestion(&k, 40 * MSS, SY_CC_FAST_RETRANSMIT);
	recovery_exit(&k);
	congestion(&ref, 40 * MSS, SY_CC_FAST_RETRANSMIT);
	recovery_exit(&ref);
	ck_assert_uint_eq(k.cc.cwnd, ref.cc.cwnd);
	congestion(&k, k.cc.cwnd, SY_CC_RTO);
	ck_assert_uint_eq(k.cc.cwnd, MSS);
	congestion(&k, k.cc.cwnd, SY_CC_RTO_SPURIOUS);
	ck_assert_uint_eq(k.cc.cwnd, ref.cc.cwnd);
	ck_assert_uint_eq(k.cc.ssthresh, ref.cc.ssthresh);
	if (strcmp(names[_i], "newreno") == 0) {
		for (int j = 0; j < 100; j++) {
			ack(&k, MSS);
			ack(&ref, MSS);
		}
		ck_assert_uint_eq(k.cc.cwnd, ref.cc.cwnd);
	}
	conn_close(&k);
	conn_close(&ref);
}
END_TEST

/* The library's NewReno rules, called as another plugin would. */
START_TEST(library_rules)
{
	sy_cc_conn cc = { .cwnd = 10 * MSS, .ssthresh = INF, .mss = MSS };
	uint64_t counter = 0;

	/* slow start: at most L segments per ACK */
	sy_cc_slow_start(&cc, 3 * MSS, 2);
	ck_assert_uint_eq(cc.cwnd, 12 * MSS);
	sy_cc_slow_start(&cc, 500, 2);
	ck_assert_uint_eq(cc.cwnd, 12 * MSS + 500);
	cc.cwnd = UINT32_MAX - 10;
	sy_cc_slow_start(&cc, MSS, 1);
	ck_assert_uint_eq(cc.cwnd, UINT32_MAX);
	/* congestion avoidance: one segment per cwnd of bytes */
	cc.cwnd = 4 * MSS;
	for (int j = 0; j < 7; j++)
		sy_cc_congestion_avoidance(&cc, &counter, 500);
	ck_assert_uint_eq(cc.cwnd, 4 * MSS);
	ck_assert_uint_eq(counter, 3500);
	sy_cc_congestion_avoidance(&cc, &counter, 500);
	ck_assert_uint_eq(cc.cwnd, 5 * MSS);
	ck_assert_uint_eq(counter, 0);
	/* the responses */
	cc.flight = 30 * MSS;
	cc.prior_cwnd = cc.cwnd = 30 * MSS;
	cc.prior_ssthresh = cc.ssthresh = INF;
	sy_cc_newreno_congestion(&cc, SY_CC_FAST_RETRANSMIT);
	ck_assert_uint_eq(cc.ssthresh, 15 * MSS);
	ck_assert_uint_eq(cc.cwnd, 15 * MSS);
	cc.flight = 3 * MSS;
	sy_cc_newreno_congestion(&cc, SY_CC_ECN);
	ck_assert_uint_eq(cc.ssthresh, 2 * MSS);
	sy_cc_newreno_congestion(&cc, SY_CC_RTO);
	ck_assert_uint_eq(cc.cwnd, MSS);
	sy_cc_newreno_congestion(&cc, SY_CC_RTO_SPURIOUS);
	ck_assert_uint_eq(cc.cwnd, 30 * MSS);
	ck_assert_uint_eq(cc.ssthresh, INF);
	sy_cc_idle_restart(&cc, 10 * MSS);
	ck_assert_uint_eq(cc.cwnd, 10 * MSS);
	sy_cc_idle_restart(&cc, 20 * MSS);
	ck_assert_uint_eq(cc.cwnd, 10 * MSS);
	cc.ssthresh = 7 * MSS;
	sy_cc_recovery_exit(&cc);
	ck_assert_uint_eq(cc.cwnd, 7 * MSS);
}
END_TEST

/* ---------------------------------------------------------------- main */

static Suite *cc_suite(void)
{
	Suite *s = suite_create("cc");
	TCase *tc[] = {
		tcase_create("newreno"), tcase_create("signals"),
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
	tcase_add_loop_test(tc[1], ack_types_leave_window, 0, NNAMES);
	tcase_add_loop_test(tc[1], ecn_halves, 0, NNAMES);
	tcase_add_loop_test(tc[1], spurious_rto_undone, 0, NNAMES);
	tcase_add_test(tc[1], library_rules);
	tcase_add_loop_test(tc[2], module_descriptor, 0, NNAMES);
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
