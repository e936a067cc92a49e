/* Compact TIME_WAIT (core/tcp/tw.c): after a storm of connections that
 * nobody holds, only compact records remain; a segment to one gets the
 * same answer a full record gives (a retransmitted FIN is acknowledged
 * and the wait restarts); the timer's expiry frees it. */
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
#include "timers.h"
#include "tw.h"

#define N 50

static sy_sim *sim;
static sy_net *net;
static sy_node *a, *b;
static sy_tcp_ep *ea, *eb;

static void setup(void)
{
	unsetenv("SYNACK_TW_COMPACT");
	sy_test_tcp_pair(&sim, &net, &a, &b, &ea, &eb);
}

static void teardown(void)
{
	sy_sim_free(sim);
	sy_net_free(net);
	sy_plugin_unload_all();
}

/* N connections from a to b, each sending 1000 bytes and closing first:
 * a's ends go to TIME_WAIT. */
static void storm(void)
{
	sy_tcb *all[N];
	sy_err err;

	ck_assert_ptr_nonnull(sy_tcp_listen(eb, 80, N, SY_SYNCOOKIES_OFF, &err));
	for (int i = 0; i < N; i++)
		ck_assert_ptr_nonnull(sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err));
	sy_sim_run(sim, 5 * SY_SEC);
	ck_assert_uint_eq(sy_tcp_ep_connections(ea, all, N), N);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(all[i]->state, SY_TCP_ESTABLISHED);
		ck_assert_int_eq(sy_tcp_send(all[i], NULL, 1000, &err), 0);
		sy_tcp_close(all[i]);
	}
	/* b closes its ends once a's FINs are in (CLOSE_WAIT) */
	sy_sim_run(sim, 7 * SY_SEC);
	ck_assert_uint_eq(sy_tcp_ep_connections(eb, all, N), N);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(all[i]->state, SY_TCP_CLOSE_WAIT);
		sy_tcp_close(all[i]);
	}
	sy_sim_run(sim, 10 * SY_SEC);
}

static sy_time time_wait(void)
{
	const sy_timers_ops *o;
	const void *st;
	sy_tcb *c;

	/* a rebuilt record reads the profile like any */
	sy_tcb *all[1];

	ck_assert_uint_ge(sy_tcp_ep_connections(ea, all, 1), 1);
	c = all[0];
	o = sy_tcb_timers(c, &st);
	return o->limits(st)->time_wait;
}

START_TEST(storm_leaves_compact_records)
{
	size_t n, bytes;

	storm();
	ck_assert_uint_eq(sy_tcp_ep_tw_full(ea), 0);
	sy_tcp_ep_tw_usage(ea, &n, &bytes);
	ck_assert_uint_eq(n, N);
	ck_assert_uint_le(sy_tcp_tw_record_size(), 128);
	/* the records and their table: well under a full record each
	 * (under a third of one as the full record shrinks) */
	ck_assert_uint_le(bytes, (size_t)N * 160);
	ck_assert_uint_lt(bytes, (size_t)N * sizeof(sy_tcb) / 3);
	/* nothing is left on b: the server's ends are gone */
	ck_assert_uint_eq(sy_tcp_ep_connections(eb, NULL, 0), 0);
	/* the records' timers: one event in the scheduler, not one each */
	ck_assert_uint_eq(sy_sim_size(sim), 1);
}
END_TEST

/* The timer's expiry frees the compact records: nothing is left. */
START_TEST(expiry_frees)
{
	size_t n, bytes;
	sy_time tw;

	storm();
	sy_tcp_ep_tw_usage(ea, &n, &bytes);
	ck_assert_uint_eq(n, N);
	tw = time_wait();   /* rebuilds all: compacted again after the event */
	sy_sim_run(sim, sy_sim_now(sim) + 1);
	sy_tcp_ep_tw_usage(ea, &n, &bytes);
	ck_assert_uint_eq(n, N);
	sy_sim_run(sim, sy_sim_now(sim) + tw + SY_SEC);
	sy_tcp_ep_tw_usage(ea, &n, &bytes);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(sy_tcp_ep_connections(ea, NULL, 0), 0);
}
END_TEST

/* A retransmitted FIN to a's first TIME_WAIT, from b (which has no
 * connection left and resets the ACK that answers it): what a sent and
 * received for it, and the records left on a after 1 s. */
struct fin_result {
	uint64_t out, rst_in;
	size_t compact, full, tw_full;
	uint32_t rcv_nxt;
};

static struct fin_result fin_scenario(void)
{
	struct fin_result r;
	sy_tcb *all[N], *c;
	uint32_t snd_nxt;
	uint16_t lport;
	uint64_t out, rst;
	size_t bytes;
	sy_err err;

	storm();
	ck_assert_uint_eq(sy_tcp_ep_connections(ea, all, N), N);
	c = all[0];
	ck_assert_int_eq(c->state, SY_TCP_TIME_WAIT);
	lport = c->lport;
	r.rcv_nxt = c->rcv_nxt;
	snd_nxt = c->snd_nxt;
	sy_sim_run(sim, sy_sim_now(sim) + SY_SEC);
	out = sy_tcp_ep_stats_get(ea)->segments_out;
	rst = sy_tcp_ep_stats_get(ea)->rst_in;
	{
		sy_ipv4 ip = { .src = sy_node_addr(b, 0), .dst = sy_node_addr(a, 0),
			       .proto = SY_IPPROTO_TCP, .ttl = 64 };
		sy_tcp t = { .sport = 80, .dport = lport, .seq = r.rcv_nxt - 1,
			     .ack = snd_nxt, .flags = SY_TCP_ACK | SY_TCP_FIN,
			     .window = 1000 };

		ck_assert_int_eq(sy_tcp_ep_send(eb, &ip, &t, 0, &err), 0);
	}
	sy_sim_run(sim, sy_sim_now(sim) + SY_SEC);
	r.out = sy_tcp_ep_stats_get(ea)->segments_out - out;
	r.rst_in = sy_tcp_ep_stats_get(ea)->rst_in - rst;
	sy_tcp_ep_tw_usage(ea, &r.compact, &bytes);
	r.tw_full = sy_tcp_ep_tw_full(ea);
	r.full = sy_tcp_ep_connections(ea, NULL, 0);
	return r;
}

/* The FIN to a compact TIME_WAIT is acknowledged (one segment out), and
 * b's reset of that ACK ends the TIME_WAIT: the same as with full
 * records (compaction off); the others stay compact. */
START_TEST(fin_to_compact_time_wait)
{
	struct fin_result on, off;

	on = fin_scenario();
	ck_assert_uint_eq(on.out, 1);
	ck_assert_uint_eq(on.rst_in, 1);
	ck_assert_uint_eq(on.compact, N - 1);
	ck_assert_uint_eq(on.tw_full, 0);
	sy_sim_free(sim);
	sy_net_free(net);
	setenv("SYNACK_TW_COMPACT", "0", 1);
	sy_test_tcp_pair(&sim, &net, &a, &b, &ea, &eb);
	unsetenv("SYNACK_TW_COMPACT");
	off = fin_scenario();
	ck_assert_uint_eq(off.out, on.out);
	ck_assert_uint_eq(off.rst_in, on.rst_in);
	ck_assert_uint_eq(off.rcv_nxt, on.rcv_nxt);
	ck_assert_uint_eq(off.compact, 0);
	/* a listing rebuilds the compact records: the same connections */
	ck_assert_uint_eq(off.full, on.full);
	ck_assert_uint_eq(on.full, N - 1);
}
END_TEST

/* With compaction off, the same storm keeps full records. */
START_TEST(off_keeps_full)
{
	size_t n, bytes;

	sy_sim_free(sim);
	sy_net_free(net);
	setenv("SYNACK_TW_COMPACT", "0", 1);
	sy_test_tcp_pair(&sim, &net, &a, &b, &ea, &eb);
	unsetenv("SYNACK_TW_COMPACT");
	storm();
	sy_tcp_ep_tw_usage(ea, &n, &bytes);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(sy_tcp_ep_tw_full(ea), N);
}
END_TEST

/* Under SYNACK_TW_COMPACT=force a record with an option of its own
 * (here SO_LINGER, which lives in the block of loss recovery) makes the
 * round trip through the compact form in place: the option comes back,
 * though the block is freed and made anew on the way. */
START_TEST(force_round_trip_keeps_linger)
{
	sy_tcp_sock_opts o;
	sy_tcb *c, *s;
	sy_err err;

	sy_sim_free(sim);
	sy_net_free(net);
	setenv("SYNACK_TW_COMPACT", "force", 1);
	sy_test_tcp_pair(&sim, &net, &a, &b, &ea, &eb);
	unsetenv("SYNACK_TW_COMPACT");
	ck_assert_ptr_nonnull(sy_tcp_listen(eb, 80, 1, SY_SYNCOOKIES_OFF, &err));
	c = sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err);
	ck_assert_ptr_nonnull(c);
	sy_sim_run(sim, SY_SEC);
	ck_assert_int_eq(c->state, SY_TCP_ESTABLISHED);
	/* the options as they are: linger off needs no block */
	sy_tcp_get_sock_opts(c, &o);
	ck_assert_int_eq(o.linger, -1);
	ck_assert_int_eq(sy_tcp_set_sock_opts(c, &o, &err), 0);
	ck_assert_ptr_null(c->lr);
	o.linger = 5 * SY_SEC;
	ck_assert_int_eq(sy_tcp_set_sock_opts(c, &o, &err), 0);
	ck_assert_ptr_nonnull(c->lr);
	sy_tcp_close(c);
	sy_sim_run(sim, 2 * SY_SEC);
	ck_assert_uint_eq(sy_tcp_ep_connections(eb, &s, 1), 1);
	ck_assert_int_eq(s->state, SY_TCP_CLOSE_WAIT);
	sy_tcp_close(s);
	sy_sim_run(sim, 3 * SY_SEC);
	ck_assert_int_eq(c->state, SY_TCP_TIME_WAIT);
	ck_assert_uint_eq(sy_tcp_ep_tw_full(ea), 1);
	sy_tcp_get_sock_opts(c, &o);
	ck_assert_int_eq(o.linger, 5 * SY_SEC);
	/* and back to off */
	o.linger = -1;
	ck_assert_int_eq(sy_tcp_set_sock_opts(c, &o, &err), 0);
	sy_tcp_get_sock_opts(c, &o);
	ck_assert_int_eq(o.linger, -1);
}
END_TEST

static Suite *tw_suite(void)
{
	Suite *s = suite_create("tw");
	TCase *t = tcase_create("compact");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, storm_leaves_compact_records);
	tcase_add_test(t, expiry_frees);
	tcase_add_test(t, fin_to_compact_time_wait);
	tcase_add_test(t, off_keeps_full);
	tcase_add_test(t, force_round_trip_keeps_linger);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return sy_test_main(tw_suite());
}
