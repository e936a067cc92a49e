#include "config.h"

/* cc/cubic's slow-start exits (its parameter hystart): RFC 9406's
 * HyStart++ and Linux's HyStart, its restart after idle and its growth
 * only while cwnd-limited, driven through the plugin's ops with
 * constructed ACK clocks (cc_util.h).  A round is cwnd/MSS one-segment
 * ACKs; after each ACK the sender has sent up to delivered + cwnd (it is
 * cwnd-limited), so a round ends after the ACK of the window that was out
 * when it began.  Each ACK carries the RTT sample the test chooses, and the
 * clock moves by a chosen spacing per ACK.  What the plugin decides shows
 * in cwnd and ssthresh: slow start adds one MSS per ACK, HyStart++'s CSS a
 * quarter of one, and an exit sets ssthresh. */

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cc.h"
#include "plugin.h"
#include "vtime.h"
#include "cc_util.h"

/* The RTT sample of ACK i (0-based) of round r. */
typedef sy_time (*rtt_fn)(void *ctx, int r, uint32_t i);

struct clock {
	struct conn k;
	int round;          /* rounds begun */
	sy_time spacing;    /* between two ACKs; 0: RTT / ACKs of the round */
	uint64_t end;       /* the current round ends with delivered here */
	sy_time gap;        /* its spacing */
	bool mid;           /* in the middle of it */
};

static void hs_open(struct clock *c, const char *mode, const char *timers,
		    const struct sy_test_setting *more, uint32_t iw)
{
	struct sy_test_setting set[8];
	int n = 0;

	if (mode) {
		set[n].key = "hystart";
		set[n++].val = mode;
	}
	for (; more && more->key && n < 7; more++)
		set[n++] = *more;
	set[n].key = set[n].val = NULL;
	memset(c, 0, sizeof *c);
	conn_open_profile(&c->k, "cubic", set, MSS, iw * MSS,
			  timers ? timers : "rfc");
	c->k.cc.now = SY_SEC;
	c->k.cc.sent = c->k.cc.cwnd;
}

/* One ACK of one segment with the given sample, then the sender fills
 * the window again. */
static void hs_ack(struct clock *c, sy_time rtt, sy_time gap)
{
	sy_cc_conn *cc = &c->k.cc;
	sy_cc_ack a = { .type = SY_CC_ACK_NEW, .acked = MSS, .rtt = rtt };

	cc->now += gap;
	cc->delivered += MSS;
	cc->latest_rtt = rtt;
	if (!cc->min_rtt || rtt < cc->min_rtt)
		cc->min_rtt = rtt;
	cc->srtt = cc->srtt ? (7 * cc->srtt + rtt) / 8 : rtt;
	cc->flight = (uint32_t)(cc->sent - cc->delivered);
	cc->cwnd_limited = true;
	c->k.ops->ack(c->k.st, cc, &a);
	if (cc->sent < cc->delivered + cc->cwnd)
		cc->sent = cc->delivered + cc->cwnd;
}

/* One round at a constant sample: the ACKs of what was out when it began
 * (the plugin's round, as the ACK beyond that starts the next); stops
 * after `stop` ACKs (0: none), and the next call goes on with the same
 * round.  Returns the ACKs given. */
static uint32_t hs_round(struct clock *c, sy_time rtt, uint32_t stop)
{
	uint32_t i = 0;

	if (!c->mid) {
		uint32_t n = (uint32_t)((c->k.cc.sent - c->k.cc.delivered) / MSS);

		c->end = c->k.cc.sent;
		c->gap = c->spacing ? c->spacing : rtt / (n ? n : 1);
		c->round++;
	}
	/* an ACK that takes delivered beyond end is the next round's */
	for (; c->k.cc.delivered + MSS <= c->end && (!stop || i < stop); i++)
		hs_ack(c, rtt, c->gap);
	c->mid = c->k.cc.delivered + MSS <= c->end;
	return i;
}

#define RTT0 (100 * SY_MS)

/* ------------------------------------------------------------ RFC 9406 */

/* Three rounds at RTT0 (cwnd 10 -> 80 segments), then a round at `high`:
 * does it end slow start? */
static bool hspp_exits(sy_time base, sy_time high)
{
	struct clock c;
	bool exit;

	hs_open(&c, "rfc9406", NULL, NULL, 10);
	for (int r = 0; r < 3; r++)
		hs_round(&c, base, 0);
	ck_assert_uint_eq(c.k.cc.cwnd, 80 * MSS);
	hs_round(&c, high, 0);
	/* a whole round of slow start doubles cwnd; CSS after 8 samples
	 * gives 88 + 72 / 4 */
	exit = c.k.cc.cwnd != 160 * MSS;
	if (exit)
		ck_assert_uint_eq(c.k.cc.cwnd, 88 * MSS + 72 * MSS / 4);
	ck_assert_uint_eq(c.k.cc.ssthresh, INF);
	conn_close(&c.k);
	return exit;
}

/* RttThresh = clamp(lastRoundMinRTT / 8, 4 ms, 16 ms): a rise of
 * RttThresh exits, a rise just below does not. */
START_TEST(hspp_threshold)
{
	/* 100 ms: 12.5 ms */
	ck_assert(hspp_exits(RTT0, RTT0 + 12500 * SY_US));
	ck_assert(!hspp_exits(RTT0, RTT0 + 12499 * SY_US));
	/* 20 ms: 2.5 ms, clamped to 4 */
	ck_assert(hspp_exits(20 * SY_MS, 24 * SY_MS));
	ck_assert(!hspp_exits(20 * SY_MS, 24 * SY_MS - 1));
	/* 400 ms: 50 ms, clamped to 16 */
	ck_assert(hspp_exits(400 * SY_MS, 416 * SY_MS));
	ck_assert(!hspp_exits(400 * SY_MS, 416 * SY_MS - 1));
	/* off: slow start goes on whatever the delay */
	{
		struct clock c;

		hs_open(&c, "off", NULL, NULL, 10);
		for (int r = 0; r < 3; r++)
			hs_round(&c, RTT0, 0);
		hs_round(&c, 2 * RTT0, 0);
		ck_assert_uint_eq(c.k.cc.cwnd, 160 * MSS);
		conn_close(&c.k);
	}
}
END_TEST

/* The exit waits for N_RTT_SAMPLE samples of the round: the 8th ACK with
 * the higher RTT switches growth to a quarter; ACKs without a sample do not
 * count. */
START_TEST(hspp_samples)
{
	struct clock c;
	sy_time high = RTT0 + 20 * SY_MS;

	hs_open(&c, "rfc9406", NULL, NULL, 10);
	for (int r = 0; r < 3; r++)
		hs_round(&c, RTT0, 0);
	c.round++;
	for (int i = 0; i < 7; i++)
		hs_ack(&c, high, SY_MS);
	for (int i = 0; i < 20; i++)
		hs_ack(&c, -1, SY_MS);   /* no sample: slow start */
	ck_assert_uint_eq(c.k.cc.cwnd, 107 * MSS);
	hs_ack(&c, high, SY_MS);         /* the 8th sample: CSS */
	ck_assert_uint_eq(c.k.cc.cwnd, 108 * MSS);
	for (int i = 0; i < 8; i++)
		hs_ack(&c, high, SY_MS);
	ck_assert_uint_eq(c.k.cc.cwnd, 110 * MSS);
	ck_assert_uint_eq(c.k.cc.ssthresh, INF);
	conn_close(&c.k);
}
END_TEST

/* CSS lasts CSS_ROUNDS = 5 rounds, the partial round of the entry one of
 * them; then ssthresh = cwnd and congestion avoidance. */
START_TEST(hspp_css_rounds)
{
	struct clock c;
	sy_time high = RTT0 + 20 * SY_MS;
	uint32_t before;

	hs_open(&c, "rfc9406", NULL, NULL, 10);
	for (int r = 0; r < 3; r++)
		hs_round(&c, RTT0, 0);
	hs_round(&c, high, 0);           /* entry: the partial round */
	for (int r = 1; r <= 4; r++) {
		uint32_t n;

		before = c.k.cc.cwnd;
		n = hs_round(&c, high, 0);
		/* a quarter segment per segment acked */
		MUST(c.k.cc.cwnd == before + n * MSS / 4,
		     "CSS round %d: %u -> %u in %u ACKs", r, before,
		     c.k.cc.cwnd, n);
		MUST(c.k.cc.ssthresh == INF, "CSS round %d: ssthresh %u", r,
		     c.k.cc.ssthresh);
	}
	/* the first ACK of the next round ends CSS */
	before = c.k.cc.cwnd;
	hs_round(&c, high, 1);
	ck_assert_uint_eq(c.k.cc.ssthresh, before);
	ck_assert_uint_eq(c.k.cc.cwnd, before);
	/* congestion avoidance: much less than a quarter per ACK */
	hs_round(&c, high, 0);
	ck_assert_msg(c.k.cc.cwnd < before + before / 10, "%u -> %u", before,
		      c.k.cc.cwnd);
	conn_close(&c.k);
}
END_TEST

/* In CSS, a round whose minimum RTT (after 8 samples) is below the
 * baseline resumes slow start, with HyStart++ still on: a later rise
 * enters CSS again. */
START_TEST(hspp_resume)
{
	struct clock c;
	sy_time high = RTT0 + 20 * SY_MS;
	uint32_t before, n;

	hs_open(&c, "rfc9406", NULL, NULL, 10);
	for (int r = 0; r < 3; r++)
		hs_round(&c, RTT0, 0);
	hs_round(&c, high, 0);                   /* CSS, baseline 120 ms */
	hs_round(&c, high, 0);
	before = c.k.cc.cwnd;
	hs_round(&c, high - 1, 8);               /* 8 samples below it */
	ck_assert_uint_eq(c.k.cc.cwnd, before + 2 * MSS);  /* 8 quarters */
	hs_round(&c, high - 1, 1);               /* slow start again */
	ck_assert_uint_eq(c.k.cc.cwnd, before + 3 * MSS);
	hs_round(&c, high - 1, 0);
	before = c.k.cc.cwnd;
	n = hs_round(&c, high - 1, 0);           /* slow start: doubles */
	ck_assert_uint_eq(c.k.cc.cwnd, before + n * MSS);
	/* a rise over the last round's minimum (119 ms + 14.875 ms) */
	before = c.k.cc.cwnd;
	n = hs_round(&c, high + 15 * SY_MS, 0);
	ck_assert_uint_eq(c.k.cc.cwnd, before + 8 * MSS + (n - 8) * MSS / 4);
	ck_assert_uint_eq(c.k.cc.ssthresh, INF);
	conn_close(&c.k);
}
END_TEST

/* A loss in CSS: cubic's reduction (ssthresh = beta cwnd) and congestion
 * avoidance; the slow start after a timeout is RFC 5681's (HyStart++ for
 * the initial slow start only), up to ssthresh whatever the delay. */
START_TEST(hspp_loss)
{
	struct clock c;
	sy_time high = RTT0 + 20 * SY_MS;
	uint32_t w;

	hs_open(&c, "rfc9406", NULL, NULL, 10);
	for (int r = 0; r < 3; r++)
		hs_round(&c, RTT0, 0);
	hs_round(&c, high, 0);                   /* CSS */
	w = c.k.cc.cwnd;
	congestion(&c.k, w, SY_CC_FAST_RETRANSMIT);
	ck_assert_uint_eq(c.k.cc.ssthresh, (uint32_t)(w * 0.7));
	recovery_exit(&c.k);
	w = c.k.cc.cwnd;
	c.k.cc.sent = c.k.cc.delivered + w;
	hs_round(&c, high, 0);
	ck_assert_msg(c.k.cc.cwnd < w + w / 10, "%u -> %u", w, c.k.cc.cwnd);

	congestion(&c.k, c.k.cc.cwnd, SY_CC_RTO);
	ck_assert_uint_eq(c.k.cc.cwnd, MSS);
	c.k.cc.sent = c.k.cc.delivered + MSS;
	for (sy_time r = high; c.k.cc.cwnd < c.k.cc.ssthresh; r += 20 * SY_MS) {
		uint32_t b = c.k.cc.cwnd, n = hs_round(&c, r, 0);

		MUST(c.k.cc.cwnd == b + n * MSS ||
		     c.k.cc.cwnd >= c.k.cc.ssthresh,
		     "after the timeout: %u -> %u in %u ACKs", b,
		     c.k.cc.cwnd, n);
	}
	conn_close(&c.k);
}
END_TEST

/* ------------------------------------------------------------ Linux */

/* Delay: the smallest of a round's first 8 samples above delay_min +
 * clamp(delay_min / 8, 4 ms, 16 ms) ends slow start at the next sample,
 * ssthresh = cwnd.  ACKs 3.1 ms apart: no ACK train. */
START_TEST(linux_delay)
{
	struct clock c;

	/* 100 ms: 112.5 ms is the limit */
	for (int up = 0; up < 2; up++) {
		sy_time high = RTT0 + (up ? 12501 : 12500) * SY_US;

		hs_open(&c, "linux", NULL, NULL, 16);
		hs_round(&c, RTT0, 0);                  /* cwnd 32 */
		hs_round(&c, high, 0);
		if (up) {
			/* 8 ACKs (8 segments more), the exit at the 9th */
			ck_assert_uint_eq(c.k.cc.ssthresh, 40 * MSS);
			ck_assert_uint_lt(c.k.cc.cwnd, 45 * MSS);
		} else {
			ck_assert_uint_eq(c.k.cc.cwnd, 64 * MSS);
			ck_assert_uint_eq(c.k.cc.ssthresh, INF);
		}
		conn_close(&c.k);
	}
	/* off under the rfc profile, linux under linux's (auto) */
	hs_open(&c, NULL, "rfc", NULL, 16);
	hs_round(&c, RTT0, 0);
	hs_round(&c, 2 * RTT0, 0);
	ck_assert_uint_eq(c.k.cc.ssthresh, INF);
	conn_close(&c.k);
	hs_open(&c, NULL, "linux", NULL, 16);
	hs_round(&c, RTT0, 0);
	hs_round(&c, 2 * RTT0, 0);
	ck_assert_uint_eq(c.k.cc.ssthresh, 40 * MSS);
	conn_close(&c.k);
}
END_TEST

/* Nothing is detected below hystart_low_window (16) segments.  From 6
 * segments, a round at RTT0 (cwnd 12), then the delay doubled: in the
 * round of 12 ACKs only the 8 from cwnd 16 on count, too few; the next
 * round exits at its 9th ACK, cwnd 24 + 8.  With a low window of 2 the
 * first round at the higher delay exits at its 9th ACK, cwnd 12 + 8. */
START_TEST(linux_low_window)
{
	static const struct sy_test_setting low2[] = {
		{ "hystart_low_window", "2" }, { NULL, NULL }
	};
	struct clock c;

	hs_open(&c, "linux", NULL, NULL, 6);
	hs_round(&c, RTT0, 0);
	hs_round(&c, 2 * RTT0, 0);
	ck_assert_uint_eq(c.k.cc.cwnd, 24 * MSS);
	ck_assert_uint_eq(c.k.cc.ssthresh, INF);
	hs_round(&c, 2 * RTT0, 0);
	ck_assert_uint_eq(c.k.cc.ssthresh, 32 * MSS);
	conn_close(&c.k);

	hs_open(&c, "linux", NULL, low2, 6);
	hs_round(&c, RTT0, 0);
	hs_round(&c, 2 * RTT0, 0);
	ck_assert_uint_eq(c.k.cc.ssthresh, 20 * MSS);
	conn_close(&c.k);
}
END_TEST

/* ACK train: ACKs 1 ms apart (within hystart_ack_delta) at a constant
 * RTT; the train ends slow start once it lasts more than (delay_min +
 * ack_delay) / 2 = (100 + 1) / 2 ms from the round's start: at the 52nd
 * ACK of the round of 64, cwnd 64 + 51.  The delay detector alone does
 * not, nor does a train of ACKs 3 ms apart. */
START_TEST(linux_ack_train)
{
	static const struct sy_test_setting delay_only[] = {
		{ "hystart_detect", "2" }, { NULL, NULL }
	};
	struct clock c;

	hs_open(&c, "linux", NULL, NULL, 16);
	c.spacing = SY_MS;
	for (int r = 0; r < 3; r++)
		hs_round(&c, RTT0, 0);
	ck_assert_uint_eq(c.k.cc.ssthresh, 115 * MSS);
	conn_close(&c.k);

	hs_open(&c, "linux", NULL, delay_only, 16);
	c.spacing = SY_MS;
	for (int r = 0; r < 3; r++)
		hs_round(&c, RTT0, 0);
	ck_assert_uint_eq(c.k.cc.ssthresh, INF);
	ck_assert_uint_eq(c.k.cc.cwnd, 128 * MSS);
	conn_close(&c.k);

	hs_open(&c, "linux", NULL, NULL, 16);
	c.spacing = 3 * SY_MS;
	for (int r = 0; r < 3; r++)
		hs_round(&c, RTT0, 0);
	ck_assert_uint_eq(c.k.cc.ssthresh, INF);
	conn_close(&c.k);
}
END_TEST

/* After a timeout Linux searches again, from a new delay_min. */
START_TEST(linux_rto)
{
	struct clock c;

	hs_open(&c, "linux", NULL, NULL, 16);
	hs_round(&c, RTT0, 0);
	hs_round(&c, 2 * RTT0, 0);
	ck_assert_uint_eq(c.k.cc.ssthresh, 40 * MSS);
	congestion(&c.k, c.k.cc.cwnd, SY_CC_RTO);
	c.k.cc.ssthresh = INF;     /* as if found no ssthresh (a test) */
	c.k.cc.cwnd = 16 * MSS;
	c.k.cc.sent = c.k.cc.delivered + c.k.cc.cwnd;
	/* delay_min is now 200 ms: 212 ms is no rise, 225.1 ms is, at the
	 * 9th ACK of the round of 64 */
	hs_round(&c, 2 * RTT0, 0);
	hs_round(&c, 2 * RTT0 + 12 * SY_MS, 0);
	ck_assert_uint_eq(c.k.cc.ssthresh, INF);
	hs_round(&c, 2 * RTT0 + 25100 * SY_US, 0);
	ck_assert_uint_eq(c.k.cc.ssthresh, 72 * MSS);
	conn_close(&c.k);
}
END_TEST

/* ------------------------------------------------------------ idle */

/* cwnd 100 segments, ssthresh 50, then idle_restart with the restart
 * window 10 segments after `idle` at an RTO of 1 s. */
static void idled(struct conn *k, const char *mode, const char *timers,
		  sy_time idle)
{
	const struct sy_test_setting set[] = {
		{ "idle_restart", mode }, { NULL, NULL }
	};

	conn_open_profile(k, "cubic", mode ? set : NULL, MSS, 100 * MSS,
			  timers);
	k->cc.ssthresh = 50 * MSS;
	k->cc.idle = idle;
	k->cc.rto = SY_SEC;
	idle_restart(k, 10 * MSS);
}

/* RFC 5681 4.1: cwnd = min(cwnd, restart window), ssthresh kept.  Linux
 * 6.18 (tcp_cwnd_restart): ssthresh = max(ssthresh, 3/4 cwnd); cwnd halved
 * once per whole RTO after the first, not below the restart window. */
START_TEST(idle_restart_modes)
{
	struct conn k;

	idled(&k, "rfc5681", "rfc", 3500 * SY_MS);
	ck_assert_uint_eq(k.cc.cwnd, 10 * MSS);
	ck_assert_uint_eq(k.cc.ssthresh, 50 * MSS);
	conn_close(&k);

	idled(&k, "linux", "rfc", 3500 * SY_MS);  /* 100 -> 50 -> 25 -> 12.5 */
	ck_assert_uint_eq(k.cc.cwnd, 12500);
	ck_assert_uint_eq(k.cc.ssthresh, 75 * MSS);
	conn_close(&k);

	idled(&k, "linux", "rfc", 1200 * SY_MS);  /* one halving */
	ck_assert_uint_eq(k.cc.cwnd, 50 * MSS);
	conn_close(&k);

	idled(&k, "linux", "rfc", 100 * SY_SEC);  /* down to the floor */
	ck_assert_uint_eq(k.cc.cwnd, 10 * MSS);
	ck_assert_uint_eq(k.cc.ssthresh, 75 * MSS);
	conn_close(&k);

	/* auto: the timer profile's */
	idled(&k, NULL, "linux", 1200 * SY_MS);
	ck_assert_uint_eq(k.cc.cwnd, 50 * MSS);
	conn_close(&k);
	idled(&k, NULL, "rfc", 1200 * SY_MS);
	ck_assert_uint_eq(k.cc.cwnd, 10 * MSS);
	conn_close(&k);
}
END_TEST

/* ------------------------------------------------------------ cwnd use */

/* cwnd_limited = linux: an ACK grows cwnd only when the endpoint says cwnd
 * limited the sender, in slow start and in congestion avoidance; off grows
 * it on every ACK; auto follows the timer profile. */
START_TEST(cwnd_limited_growth)
{
	static const struct sy_test_setting lx[] = {
		{ "cwnd_limited", "linux" }, { NULL, NULL }
	};
	static const struct sy_test_setting off[] = {
		{ "cwnd_limited", "off" }, { NULL, NULL }
	};
	const struct { const struct sy_test_setting *set; const char *timers;
		       bool held; } cases[] = {
		{ lx, "rfc", true }, { off, "linux", false },
		{ NULL, "linux", true }, { NULL, "rfc", false },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct conn k;
		uint32_t w;

		conn_open_profile(&k, "cubic", cases[i].set, MSS, 10 * MSS,
				  cases[i].timers);
		k.cc.cwnd_limited = false;
		ack(&k, MSS);                        /* slow start */
		ck_assert_uint_eq(k.cc.cwnd, cases[i].held ? 10 * MSS : 11 * MSS);
		k.cc.cwnd_limited = true;
		ack(&k, MSS);
		ck_assert_uint_eq(k.cc.cwnd, cases[i].held ? 11 * MSS : 12 * MSS);
		congestion(&k, k.cc.cwnd, SY_CC_FAST_RETRANSMIT);
		recovery_exit(&k);
		k.cc.srtt = k.cc.min_rtt = 100 * SY_MS;
		w = k.cc.cwnd;
		k.cc.cwnd_limited = false;
		for (int n = 0; n < 50; n++) {       /* congestion avoidance */
			k.cc.now += 10 * SY_MS;
			ack(&k, MSS);
		}
		if (cases[i].held)
			ck_assert_uint_eq(k.cc.cwnd, w);
		else
			ck_assert_uint_gt(k.cc.cwnd, w);
		conn_close(&k);
	}
}
END_TEST

START_TEST(hystart_bad_params)
{
	refused("cubic", "hystart", "on");
	refused("cubic", "hystart_detect", "0");
	refused("cubic", "hystart_detect", "4");
	refused("cubic", "hystart_low_window", "1");
	refused("cubic", "hystart_ack_delta", "0s");
	refused("cubic", "idle_restart", "on");
	refused("cubic", "cwnd_limited", "on");
}
END_TEST

static Suite *hystart_suite(void)
{
	Suite *s = suite_create("hystart");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, hspp_threshold);
	tcase_add_test(tc, hspp_samples);
	tcase_add_test(tc, hspp_css_rounds);
	tcase_add_test(tc, hspp_resume);
	tcase_add_test(tc, hspp_loss);
	tcase_add_test(tc, linux_delay);
	tcase_add_test(tc, linux_low_window);
	tcase_add_test(tc, linux_ack_train);
	tcase_add_test(tc, linux_rto);
	tcase_add_test(tc, idle_restart_modes);
	tcase_add_test(tc, cwnd_limited_growth);
	tcase_add_test(tc, hystart_bad_params);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sy_test_main(hystart_suite());
}
