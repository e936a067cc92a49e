#include "config.h"

/* What the endpoint tells a congestion-control plugin (cc.h), seen by
 * tests/plugins/spycc.so, a NewReno that counts every call: a transfer
 * without loss, and one that loses two segments of its first window. */

#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "cc.h"
#include "net.h"
#include "plugin.h"
#include "sim.h"
#include "tcp.h"
#include "testutil.h"
#include "plugins/spycc.h"

#define TEST_MODULES SY_ABS_BUILDDIR "/tests/plugins/.libs"
#define BYTES 200000u

struct seen {
	sy_tcb_stats st;
	int freed;
};

static void on_event(void *ctx, sy_tcb *c, sy_tcp_state from,
		     sy_tcp_state to, sy_tcp_cause cause)
{
	struct seen *s = ctx;

	/* (a close in SYN_SENT would end the connection at once) */
	if (to == SY_TCP_ESTABLISHED && from != to)
		sy_tcp_close(c);
	if (from == to && cause == SY_TCP_CAUSE_FREED) {
		s->st = *sy_tcb_stats_get(c);
		s->freed++;
	}
}

/* b closes when a has. */
static void close_on_fin(void *ctx, sy_tcb *c, sy_tcp_state from,
			 sy_tcp_state to, sy_tcp_cause cause)
{
	if (to == SY_TCP_CLOSE_WAIT && from != to)
		sy_tcp_close(c);
}

/* a -> b: BYTES of data over 10 Mbit/s and 10 ms, the packets a sends
 * numbered `drop` (loss/list) lost, a's congestion control the spy; a
 * closes once established and the run goes past TIME_WAIT.  *spy is the spy's counters. */
static void transfer(const char *drop, struct spycc *spy, struct seen *seen)
{
	const struct sy_test_setting lost[] = { { "drop", drop }, { NULL, NULL } };
	const sy_plugin *p;
	sy_instance sched;
	sy_tcp_ep_opts eo;
	sy_link_opts lo;
	sy_sim *sim;
	sy_net *net;
	sy_node *a, *b;
	sy_tcp_ep *ea, *eb;
	sy_tcb *c;
	sy_err err;

	p = sy_plugin_load("scheduler", "heap", &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(sy_instance_new(&sched, p, &err), 0);
	sim = sy_sim_new(1, &sched, &err);
	ck_assert_msg(sim != NULL, "%s", err.msg);
	net = sy_net_new(sim, &err);
	ck_assert_msg(net != NULL, "%s", err.msg);
	a = sy_net_node(net, "a", &err);
	b = sy_net_node(net, "b", &err);
	ck_assert_msg(a && b, "%s", err.msg);
	memset(&lo, 0, sizeof lo);
	for (int d = 0; d < 2; d++)
		lo.dir[d] = (sy_dir_opts){ .rate = 10000000, .delay = 10 * SY_MS,
					   .mtu = 1500 };
	ck_assert_msg(sy_test_configure(&lo.dir[0].loss[0], "loss", "list",
					lost, &err) == 0, "%s", err.msg);
	lo.dir[0].nloss = 1;
	ck_assert_msg(sy_net_link(net, a, b, &lo, &err) != NULL, "%s", err.msg);

	memset(&eo, 0, sizeof eo);
	p = sy_plugin_load_file(TEST_MODULES "/spycc.so", &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(sy_instance_new(&eo.cc, p, &err), 0);
	{
		struct spycc *live = eo.cc.state;

		ea = sy_tcp_ep_new(net, a, &eo, &err);
		ck_assert_msg(ea != NULL, "%s", err.msg);
		eb = sy_tcp_ep_new(net, b, NULL, &err);
		ck_assert_msg(eb != NULL, "%s", err.msg);
		sy_tcp_ep_observe(ea, on_event, seen);
		sy_tcp_ep_observe(eb, close_on_fin, NULL);
		ck_assert_ptr_nonnull(sy_tcp_listen(eb, 80, 16, SY_SYNCOOKIES_OFF, &err));
		c = sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err);
		ck_assert_msg(c != NULL, "%s", err.msg);
		ck_assert_msg(sy_tcp_send(c, NULL, BYTES, &err) == 0, "%s", err.msg);
		ck_assert_int_eq(sy_sim_run(sim, 1000 * SY_SEC), 0);
		*spy = *live;
	}
	ck_assert_int_eq(seen->freed, 1);
	ck_assert_uint_eq(seen->st.bytes_acked, BYTES);
	sy_net_free(net);
	sy_sim_free(sim);
}

/* Without loss every ACK is new data outside recovery, and all of it is
 * reported; one connection, inited and destroyed once. */
START_TEST(lossless)
{
	struct spycc s;
	struct seen seen = { .freed = 0 };

	transfer("", &s, &seen);
	ck_assert_uint_eq(s.inits, 1);
	ck_assert_uint_eq(s.destroys, 1);
	ck_assert_uint_eq(s.priv_mismatch, 0);
	ck_assert_uint_gt(s.acks[SY_CC_ACK_NEW], 0);
	ck_assert_uint_eq(s.acks[SY_CC_ACK_DUP], 0);
	ck_assert_uint_eq(s.acks[SY_CC_ACK_PARTIAL], 0);
	ck_assert_uint_eq(s.acked[SY_CC_ACK_NEW], BYTES);
	ck_assert_uint_eq(s.max_delivered, BYTES);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(s.signals[i], 0);
	ck_assert_uint_gt(s.rtt_samples, 0);
	ck_assert_int_gt(s.latest_rtt, 20 * SY_MS);
	ck_assert_uint_eq(s.ece, 0);
}
END_TEST

/* Two segments of the first window lost (packets 6 and 8: the SYN and
 * the handshake's ACK are 0 and 1): duplicate ACKs, one per duplicate
 * the endpoint counts; a fast retransmit per recovery; a partial ACK
 * while the second loss is outstanding, only inside recovery; every
 * recovery ends. */
START_TEST(two_losses)
{
	struct spycc s;
	struct seen seen = { .freed = 0 };

	transfer("6,8", &s, &seen);
	ck_assert_uint_eq(s.inits, 1);
	ck_assert_uint_eq(s.destroys, 1);
	ck_assert_uint_eq(s.priv_mismatch, 0);
	ck_assert_uint_gt(seen.st.dupacks_in, 0);
	ck_assert_uint_eq(s.acks[SY_CC_ACK_DUP], seen.st.dupacks_in);
	ck_assert_uint_ge(seen.st.fast_retransmits, 1);
	ck_assert_uint_eq(s.signals[SY_CC_FAST_RETRANSMIT], seen.st.fast_retransmits);
	ck_assert_uint_le(s.signals[SY_CC_RTO], seen.st.timeouts);
	ck_assert_uint_eq(s.signals[SY_CC_ECN], 0);
	ck_assert_uint_eq(s.signals[SY_CC_RTO_SPURIOUS], 0);
	ck_assert_uint_ge(s.acks[SY_CC_ACK_PARTIAL], 1);
	ck_assert_uint_gt(s.acked[SY_CC_ACK_PARTIAL], 0);
	ck_assert_uint_eq(s.partial_outside, 0);
	ck_assert_uint_eq(s.new_inside, 0);
	ck_assert_uint_eq(s.recovery_exits, seen.st.fast_retransmits);
	ck_assert_uint_le(s.acked[SY_CC_ACK_NEW] + s.acked[SY_CC_ACK_PARTIAL], BYTES);
	ck_assert_uint_eq(s.max_delivered, BYTES);
}
END_TEST

static Suite *cc_endpoint_suite(void)
{
	Suite *s = suite_create("cc_endpoint");
	TCase *t = tcase_create("calls");

	tcase_add_test(t, lossless);
	tcase_add_test(t, two_losses);
	/* Generous: the sanitizer build is several times slower. */
	tcase_set_timeout(t, 120);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return sy_test_main(cc_endpoint_suite());
}
