/* Allocation failures during a run: the run fails (SY_RUN_FAILED) with a
 * message naming what could not be allocated, and nothing more runs,
 * instead of carrying on with silently wrong state.  The failures are
 * made deterministic with the simulator's fault sites (sy_fault_set). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "plugin.h"
#include "sim.h"
#include "tcb.h"
#include "tcp.h"
#include "testutil.h"

static sy_sim *sim;
static sy_net *net;
static sy_node *a, *b;
static sy_tcp_ep *ea, *eb;

static void setup(void)
{
	sy_fault_sites = 0;
	sy_test_tcp_pair(&sim, &net, &a, &b, &ea, &eb);
}

static void teardown(void)
{
	sy_fault_sites = 0;
	sy_sim_free(sim);
	sy_net_free(net);
	sy_plugin_unload_all();
}

static void fault(const char *sites)
{
	sy_err err;

	ck_assert_msg(sy_fault_set(sites, &err) == 0, "%s", err.msg);
}

/* A connection from a to b's listener, established. */
static sy_tcb *open_conn(void)
{
	sy_err err;
	sy_tcb *c;

	ck_assert_ptr_nonnull(sy_tcp_listen(eb, 80, 16, SY_SYNCOOKIES_OFF, &err));
	c = sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err);
	ck_assert_msg(c != NULL, "%s", err.msg);
	ck_assert_int_ne(sy_sim_run(sim, SY_SEC / 10), SY_RUN_FAILED);
	ck_assert_int_eq(c->state, SY_TCP_ESTABLISHED);
	return c;
}

/* A segment from b's endpoint to connection c on a, with options. */
static void send_to(sy_tcb *c, uint32_t seq, uint32_t ack, uint32_t len,
		    const sy_tcp_opts *opts)
{
	sy_ipv4 ip = { .src = sy_node_addr(b, 0), .dst = sy_node_addr(a, 0),
		       .proto = SY_IPPROTO_TCP, .ttl = 64 };
	sy_tcp t = { .sport = 80, .dport = c->lport, .seq = seq, .ack = ack,
		     .flags = SY_TCP_ACK, .window = 65535 };
	sy_err err;

	if (opts)
		t.optlen = (uint8_t)sy_tcp_write_options(opts, t.opt);
	ck_assert_int_eq(sy_tcp_ep_send(eb, &ip, &t, len, &err), 0);
}

/* The run ended by a failure whose message names `what` and the time. */
static void assert_failed(sy_run_end end, const char *what)
{
	const char *msg = sy_sim_failure(sim);

	ck_assert_int_eq(end, SY_RUN_FAILED);
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strstr(msg, what) != NULL, "'%s' does not name %s", msg, what);
	ck_assert_msg(strstr(msg, " at virtual time ") != NULL, "%s", msg);
}

static int fired;

static void count(sy_sim *s, void *arg, uint64_t data)
{
	fired++;
}

static void fail_twice(sy_sim *s, void *arg, uint64_t data)
{
	fired++;
	sy_sim_fail(s, "out of memory doing %s", "something");
	sy_sim_fail(s, "a second failure");
}

/* The first failure is kept with its time; the run ends after the event
 * that failed, and a failed simulator runs nothing more. */
START_TEST(fail_is_sticky)
{
	ck_assert_ptr_null(sy_sim_failure(sim));
	ck_assert_int_eq(sy_sim_at(sim, SY_SEC + SY_SEC / 4, fail_twice, NULL, 0, NULL, NULL), 0);
	ck_assert_int_eq(sy_sim_at(sim, 2 * SY_SEC, count, NULL, 0, NULL, NULL), 0);
	assert_failed(sy_sim_run(sim, SY_TIME_NEVER), "out of memory doing something");
	ck_assert_str_eq(sy_sim_failure(sim),
			 "out of memory doing something at virtual time 1.250000000 s");
	ck_assert_int_eq(fired, 1);
	ck_assert_int_eq(sy_sim_now(sim), SY_SEC + SY_SEC / 4);
	ck_assert_int_eq(sy_sim_run(sim, SY_TIME_NEVER), SY_RUN_FAILED);
	ck_assert_int_eq(fired, 1);
}
END_TEST

/* Segment past a gap that cannot be queued: before, it was dropped
 * silently and the run went on. */
START_TEST(ooo_segment)
{
	sy_tcb *c = open_conn();

	fault("ooo");
	send_to(c, c->rcv_nxt + 1000, c->snd_una, 100, NULL);
	assert_failed(sy_sim_run(sim, SY_SEC), "out-of-order segment");
}
END_TEST

/* ... and when the block holding the queue exists already, the piece
 * itself: past a second gap, touching nothing queued. */
START_TEST(ooo_second_segment)
{
	sy_tcb *c = open_conn();

	send_to(c, c->rcv_nxt + 1000, c->snd_una, 100, NULL);
	ck_assert_int_ne(sy_sim_run(sim, SY_SEC / 5), SY_RUN_FAILED);
	ck_assert_ptr_nonnull(c->rx);
	fault("ooo");
	send_to(c, c->rcv_nxt + 2000, c->snd_una, 100, NULL);
	assert_failed(sy_sim_run(sim, SY_SEC), "out-of-order segment");
}
END_TEST

/* Real bytes that must wait to be read (autoread off: manual
 * accepting) with no block to keep them in. */
START_TEST(unread_bytes)
{
	sy_tcp_listener *l;
	sy_err err;
	sy_tcb *c;

	l = sy_tcp_listen(eb, 80, 16, SY_SYNCOOKIES_OFF, &err);
	ck_assert_ptr_nonnull(l);
	sy_tcp_listener_set_manual(l, true, 16);
	c = sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err);
	ck_assert_msg(c != NULL, "%s", err.msg);
	ck_assert_int_ne(sy_sim_run(sim, SY_SEC / 10), SY_RUN_FAILED);
	ck_assert_int_eq(c->state, SY_TCP_ESTABLISHED);
	fault("ooo");
	ck_assert_int_eq(sy_tcp_send(c, "hello", 5, &err), 0);
	assert_failed(sy_sim_run(sim, SY_SEC), "keeping received bytes");
}
END_TEST

/* A SACK block that cannot be recorded: before, the scoreboard silently
 * stayed empty. */
START_TEST(sack_scoreboard)
{
	sy_tcb *c = open_conn();
	sy_tcp_opts o = { .nsack = 1 };
	sy_err err;

	ck_assert(c->sack_ok);
	ck_assert_int_eq(sy_tcp_send(c, NULL, 20000, &err), 0);
	ck_assert_uint_gt(c->snd_max - c->snd_una, 3000);
	fault("sack");
	o.sack[0][0] = c->snd_una + 1460;
	o.sack[0][1] = c->snd_una + 2920;
	send_to(c, c->rcv_nxt, c->snd_una, 0, &o);
	assert_failed(sy_sim_run(sim, SY_SEC), "SACK scoreboard");
}
END_TEST

/* Congestion-control state that cannot be allocated: before, the
 * connection silently ran with a fixed window. */
START_TEST(cc_state)
{
	sy_err err;

	fault("cc");
	ck_assert_ptr_nonnull(sy_tcp_listen(eb, 80, 16, SY_SYNCOOKIES_OFF, &err));
	ck_assert_ptr_nonnull(sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err));
	assert_failed(sy_sim_run(sim, SY_SEC), "congestion-control state");
}
END_TEST

/* A listener's accept queue that cannot grow: the first eight fit in
 * the room it starts with, the ninth needs more. */
START_TEST(accept_queue)
{
	sy_err err;
	sy_tcp_listener *l;

	l = sy_tcp_listen(eb, 80, 16, SY_SYNCOOKIES_OFF, &err);
	ck_assert_ptr_nonnull(l);
	sy_tcp_listener_set_manual(l, true, 16);
	for (int i = 0; i < 8; i++)
		ck_assert_ptr_nonnull(sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err));
	ck_assert_int_ne(sy_sim_run(sim, SY_SEC), SY_RUN_FAILED);
	fault("accept");
	ck_assert_ptr_nonnull(sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err));
	assert_failed(sy_sim_run(sim, 2 * SY_SEC), "growing the listener's accept queue");
}
END_TEST

static size_t got;
static unsigned char seen[16];

static void on_data(void *ctx, sy_tcb *c, uint32_t len, const unsigned char *bytes)
{
	for (uint32_t i = 0; i < len && got < sizeof seen; i++)
		seen[got++] = bytes ? bytes[i] : 0;
}

static void want_data(void *ctx, sy_tcb *c, sy_tcp_state from,
		      sy_tcp_state to, sy_tcp_cause cause)
{
	c->want_data = true;
}

/* Real bytes whose segment cannot be gathered: before, they went out as
 * zeros. */
START_TEST(payload_scratch)
{
	sy_tcb *c;
	sy_err err;

	sy_tcp_ep_observe(eb, want_data, NULL);
	sy_tcp_ep_observe_data(eb, on_data);
	c = open_conn();
	fault("scratch");
	ck_assert_int_eq(sy_tcp_send(c, "abc", 3, &err), 0);
	assert_failed(sy_sim_run(sim, SY_SEC), "payload");
	ck_assert_int_eq(got, 0);
}
END_TEST

/* Queue samples that cannot be stored: before, sampling stopped
 * silently. */
START_TEST(link_samples)
{
	sy_err err;

	ck_assert_int_eq(sy_link_sample(sy_net_link_at(net, 0), SY_MS, &err), 0);
	fault("sample");
	ck_assert_int_eq(sy_sim_at(sim, SY_SEC, count, NULL, 0, NULL, NULL), 0);
	assert_failed(sy_sim_run(sim, SY_TIME_NEVER), "queue-length sample");
	ck_assert_int_eq(fired, 0);
}
END_TEST

static Suite *oom_suite(void)
{
	Suite *s = suite_create("oom");
	TCase *t = tcase_create("run");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, fail_is_sticky);
	tcase_add_test(t, ooo_segment);
	tcase_add_test(t, ooo_second_segment);
	tcase_add_test(t, unread_bytes);
	tcase_add_test(t, sack_scoreboard);
	tcase_add_test(t, cc_state);
	tcase_add_test(t, accept_queue);
	tcase_add_test(t, payload_scratch);
	tcase_add_test(t, link_samples);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return sy_test_main(oom_suite());
}
