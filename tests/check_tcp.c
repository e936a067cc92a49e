/* The TCP endpoint from C: malformed segments are dropped and counted,
 * ephemeral ports, listener errors, and a handshake through the API. */
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
	sy_test_tcp_pair(&sim, &net, &a, &b, &ea, &eb);
}

static void teardown(void)
{
	sy_sim_free(sim);
	sy_net_free(net);
	sy_plugin_unload_all();
}

/* A TCP segment from a to b whose header is then damaged by `how`. */
static void send_damaged(int how)
{
	sy_packet *p = sy_packet_new(sy_net_pool(net));
	sy_ipv4 ip = { .src = sy_node_addr(a, 0), .dst = sy_node_addr(b, 0),
		       .proto = SY_IPPROTO_TCP, .ttl = 64 };
	sy_tcp t = { .sport = 1000, .dport = 80, .seq = 1, .flags = SY_TCP_SYN };

	p->hdr_len = 40;
	ck_assert_int_eq(sy_packet_set_payload(sy_net_pool(net), p, NULL, 0, NULL), 0);
	sy_tcp_build(p, &ip, &t);
	if (how == 1) {
		/* data offset 15 words: longer than the segment */
		p->hdr[32] = 0xf0;
	} else if (how == 2) {
		/* data offset 4 words: shorter than a TCP header */
		p->hdr[32] = 0x40;
	}
	/* fix the TCP checksum so that only the header is wrong */
	p->hdr[36] = p->hdr[37] = 0;
	{
		unsigned char pseudo[12];
		uint32_t sum;
		uint16_t c;

		memcpy(pseudo, p->hdr + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = SY_IPPROTO_TCP;
		pseudo[10] = 0;
		pseudo[11] = 20;
		sum = sy_csum_add(0, pseudo, 12);
		sum = sy_csum_add(sum, p->hdr + 20, 20);
		c = sy_csum_fold(sum);
		p->hdr[36] = (uint8_t)(c >> 8);
		p->hdr[37] = (uint8_t)c;
	}
	sy_node_send(a, p);
}

START_TEST(malformed_segments_counted)
{
	send_damaged(1);
	send_damaged(2);
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_uint_eq(sy_tcp_ep_stats_get(eb)->bad_segments, 2);
	ck_assert_uint_eq(sy_tcp_ep_stats_get(eb)->segments_in, 0);
	ck_assert_uint_eq(sy_tcp_ep_stats_get(eb)->rst_out, 0);
	/* an intact one is answered (no listener: a reset) */
	send_damaged(0);
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_uint_eq(sy_tcp_ep_stats_get(eb)->segments_in, 1);
	ck_assert_uint_eq(sy_tcp_ep_stats_get(eb)->rst_out, 1);
	ck_assert_uint_eq(sy_tcp_ep_stats_get(ea)->rst_in, 1);
	ck_assert_uint_eq(sy_pktpool_live(sy_net_pool(net)), 0);
}
END_TEST

/* Options: SACK blocks written and read back; malformed SACK and
 * window-scale options skipped and counted; options that cannot be walked
 * fail the segment. */
START_TEST(options_sack_and_malformed)
{
	sy_tcp_opts o = { .has_ts = true, .tsval = 7, .tsecr = 9, .nsack = 4 }, r;
	uint8_t buf[40];
	unsigned n;

	for (int i = 0; i < 4; i++) {
		o.sack[i][0] = 1000u * (uint32_t)i + 4294966000u;
		o.sack[i][1] = o.sack[i][0] + 500;
	}
	/* with timestamps, only three blocks fit in 40 bytes */
	n = sy_tcp_write_options(&o, buf);
	ck_assert_uint_le(n, 40);
	ck_assert_uint_eq(n % 4, 0);
	ck_assert_int_eq(sy_tcp_parse_options(buf, n, &r), 0);
	ck_assert(r.has_ts);
	ck_assert_uint_eq(r.tsval, 7);
	ck_assert_uint_eq(r.tsecr, 9);
	ck_assert_uint_eq(r.nsack, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(r.sack[i][0], o.sack[i][0]);
		ck_assert_uint_eq(r.sack[i][1], o.sack[i][1]);
	}
	ck_assert_uint_eq(r.ignored, 0);
	/* without timestamps, four */
	o.has_ts = false;
	n = sy_tcp_write_options(&o, buf);
	ck_assert_int_eq(sy_tcp_parse_options(buf, n, &r), 0);
	ck_assert_uint_eq(r.nsack, 4);
	ck_assert_uint_eq(r.sack[3][1], o.sack[3][1]);
	{
		/* SACK of length 9 (not 2 + 8n), then a window scale of
		 * length 4: both skipped and counted; the MSS after them is
		 * still read */
		const uint8_t bad[] = { 5, 9, 0, 0, 0, 1, 0, 0, 0,
					3, 4, 7, 0, 2, 4, 5, 0xb4, 0, 0, 0 };

		ck_assert_int_eq(sy_tcp_parse_options(bad, sizeof bad, &r), 0);
		ck_assert_uint_eq(r.ignored, 2);
		ck_assert_uint_eq(r.nsack, 0);
		ck_assert(!r.has_ws);
		ck_assert(r.has_mss);
		ck_assert_uint_eq(r.mss, 1460);
	}
	{
		/* a length running past the options: the segment fails */
		const uint8_t bad[] = { 1, 1, 5, 18 };

		ck_assert_int_eq(sy_tcp_parse_options(bad, sizeof bad, &r), -1);
	}
	{
		/* an MSS of the wrong length fails too */
		const uint8_t bad[] = { 2, 3, 5, 0 };

		ck_assert_int_eq(sy_tcp_parse_options(bad, sizeof bad, &r), -1);
	}
}
END_TEST

/* The Fast Open option (RFC 7413, kind 34): written after the window
 * scale, two NOPs after it when its length leaves the options 2 bytes
 * past a word, read back; an empty one is a cookie request; a cookie of
 * an odd length or outside 4..16 is skipped and counted.  Without it the
 * layout is what it was. */
START_TEST(options_fastopen)
{
	sy_tcp_opts o = { .has_mss = true, .mss = 1460, .sack_ok = true,
			  .has_ts = true, .tsval = 1, .tsecr = 0,
			  .has_ws = true, .ws = 7 }, r;
	const uint8_t plain[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1,
				    0, 0, 0, 0, 1, 3, 3, 7 };
	uint8_t buf[40];
	unsigned n;

	n = sy_tcp_write_options(&o, buf);
	ck_assert_uint_eq(n, 20);
	ck_assert_mem_eq(buf, plain, 20);
	/* a request: kind 34, length 2, then the two NOPs */
	o.has_tfo = true;
	n = sy_tcp_write_options(&o, buf);
	ck_assert_uint_eq(n, 24);
	ck_assert_mem_eq(buf, plain, 20);
	ck_assert_uint_eq(buf[20], 34);
	ck_assert_uint_eq(buf[21], 2);
	ck_assert_uint_eq(buf[22], 1);
	ck_assert_uint_eq(buf[23], 1);
	ck_assert_int_eq(sy_tcp_parse_options(buf, n, &r), 0);
	ck_assert(r.has_tfo);
	ck_assert_uint_eq(r.tfo_len, 0);
	ck_assert(r.has_ws && r.has_ts && r.sack_ok && r.has_mss);
	/* the longest cookie still fits in 40 bytes */
	o.tfo_len = 16;
	for (int i = 0; i < 16; i++)
		o.tfo_cookie[i] = (uint8_t)(0xa0 + i);
	n = sy_tcp_write_options(&o, buf);
	ck_assert_uint_eq(n, 40);
	ck_assert_uint_eq(buf[21], 18);
	ck_assert_int_eq(sy_tcp_parse_options(buf, n, &r), 0);
	ck_assert(r.has_tfo);
	ck_assert_uint_eq(r.tfo_len, 16);
	ck_assert_mem_eq(r.tfo_cookie, o.tfo_cookie, 16);
	/* 8 bytes: 30, padded to 32 */
	o.tfo_len = 8;
	n = sy_tcp_write_options(&o, buf);
	ck_assert_uint_eq(n, 32);
	ck_assert_int_eq(sy_tcp_parse_options(buf, n, &r), 0);
	ck_assert_uint_eq(r.tfo_len, 8);
	ck_assert_mem_eq(r.tfo_cookie, o.tfo_cookie, 8);
	{
		/* cookies of 3 and 5 bytes: skipped and counted */
		const uint8_t bad[] = { 34, 5, 1, 2, 3, 34, 7, 1, 2, 3, 4, 5, 0 };

		ck_assert_int_eq(sy_tcp_parse_options(bad, sizeof bad, &r), 0);
		ck_assert(!r.has_tfo);
		ck_assert_uint_eq(r.ignored, 2);
	}
}
END_TEST

START_TEST(listen_errors)
{
	sy_err err;

	ck_assert_ptr_nonnull(sy_tcp_listen(eb, 80, 4, SY_SYNCOOKIES_OFF, &err));
	ck_assert_ptr_null(sy_tcp_listen(eb, 80, 4, SY_SYNCOOKIES_OFF, &err));
	ck_assert_msg(strstr(err.msg, "port 80 is in use"), "%s", err.msg);
	ck_assert_ptr_null(sy_tcp_listen(eb, 0, 4, SY_SYNCOOKIES_OFF, &err));
	ck_assert_ptr_null(sy_tcp_listen(eb, 81, 0, SY_SYNCOOKIES_OFF, &err));
	ck_assert_msg(strstr(err.msg, "backlog"), "%s", err.msg);
	ck_assert_ptr_null(sy_tcp_ep_new(net, b, NULL, &err));
	ck_assert_msg(strstr(err.msg, "already"), "%s", err.msg);
}
END_TEST

static int established;

static void count_established(void *ctx, sy_tcb *c, sy_tcp_state from,
			      sy_tcp_state to, sy_tcp_cause cause)
{
	if (to == SY_TCP_ESTABLISHED)
		established++;
}

/* Ephemeral ports: successive connects use successive ports; a closed
 * connection's port is used again once the range wraps (here: as soon
 * as its record is gone, since lookups find no conflict). */
static void nothing(sy_sim *s, void *arg, uint64_t data)
{
	(void)s, (void)arg, (void)data;
}

START_TEST(handshakes_and_ports)
{
	sy_err err;
	sy_tcb *c1, *c2;
	sy_event_id other;
	uint32_t low, slot1;

	ck_assert_ptr_nonnull(sy_tcp_listen(eb, 80, 16, SY_SYNCOOKIES_OFF, &err));
	sy_tcp_ep_observe(ea, count_established, NULL);
	c1 = sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err);
	c2 = sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err);
	ck_assert_ptr_nonnull(c1);
	ck_assert_ptr_nonnull(c2);
	ck_assert_uint_eq(c1->lport, 32768);
	ck_assert_uint_eq(c2->lport, 32769);
	ck_assert_int_eq(c1->state, SY_TCP_SYN_SENT);
	sy_sim_run(sim, SY_SEC);
	ck_assert_int_eq(established, 2);
	ck_assert_int_eq(c1->state, SY_TCP_ESTABLISHED);
	ck_assert_uint_eq(c1->snd_nxt, c1->iss + 1);
	ck_assert_uint_eq(c1->rcv_nxt, c1->irs + 1);
	/* established with nothing sent: no block of RACK's nor of loss
	 * recovery's (tcb.h) */
	ck_assert_ptr_null(c1->rk);
	ck_assert_ptr_null(c1->lr);
	/* ... no sender's block (so no SACK scoreboard) nor block of
	 * received data either */
	ck_assert_ptr_null(c1->tx);
	ck_assert_ptr_null(c1->rx);
	/* the record of an idle connection stays small (x86-64 and the
	 * like; core/tcp/endpoint.c asserts the same bound) */
	if (sizeof(void *) == 8)
		ck_assert_uint_le(sizeof(sy_tcb), 504);
	/* timers sharing a slot: the slot answers for the kind it holds
	 * only, and cancelling another kind leaves it be */
	ck_assert(!sy_sim_pending(sim, sy_tcb_timer_id(c1, SY_TCP_T_RETRANS)));
	sy_tcb_timer_set(c1, SY_TCP_T_PERSIST, 100 * SY_SEC);
	ck_assert(sy_sim_pending(sim, sy_tcb_timer_id(c1, SY_TCP_T_PERSIST)));
	ck_assert(!sy_sim_pending(sim, sy_tcb_timer_id(c1, SY_TCP_T_RETRANS)));
	sy_tcb_timer_cancel(c1, SY_TCP_T_RETRANS);
	ck_assert(sy_sim_pending(sim, sy_tcb_timer_id(c1, SY_TCP_T_PERSIST)));
	ck_assert_int_eq(sy_sim_due(sim, sy_tcb_timer_id(c1, SY_TCP_T_PERSIST)),
			 sy_sim_now(sim) + 100 * SY_SEC);
	/* the record keeps a pending event as its cancellation slot and
	 * the low half of its sequence number: once cancelled, another
	 * event in the same cancellation slot is not taken for it, even
	 * by a record that (wrongly) kept the old one */
	low = c1->tm.low[0];
	slot1 = c1->tm.slot1[0];
	ck_assert_uint_ne(slot1, 0);
	sy_tcb_timer_cancel(c1, SY_TCP_T_PERSIST);
	ck_assert(!sy_sim_pending(sim, sy_tcb_timer_id(c1, SY_TCP_T_PERSIST)));
	ck_assert_int_eq(sy_sim_after(sim, SY_SEC, nothing, NULL, 0, &other, &err), 0);
	ck_assert_uint_eq(other.slot + 1, slot1);
	c1->tm.low[0] = low;
	c1->tm.slot1[0] = slot1;
	ck_assert(!sy_sim_pending(sim, sy_tcb_timer_id(c1, SY_TCP_T_PERSIST)));
	ck_assert(sy_sim_pending(sim, other));
	c1->tm.slot1[0] = c1->tm.low[0] = 0;
	ck_assert(sy_sim_cancel(sim, other));
	/* ... and one that fired is forgotten */
	sy_tcb_timer_set(c1, SY_TCP_T_DELACK, SY_MS);
	ck_assert_uint_ne(c1->tm.slot1[sy_tcb_tslot(SY_TCP_T_DELACK)], 0);
	ck_assert(sy_sim_pending(sim, sy_tcb_timer_id(c1, SY_TCP_T_DELACK)));
	sy_sim_run(sim, sy_sim_now(sim) + 2 * SY_MS);
	ck_assert_uint_eq(c1->tm.slot1[sy_tcb_tslot(SY_TCP_T_DELACK)], 0);
	ck_assert(!sy_sim_pending(sim, sy_tcb_timer_id(c1, SY_TCP_T_DELACK)));
	ck_assert_ptr_null(sy_tcp_connect(ea, sy_node_addr(b, 0), 0, &err));
}
END_TEST

/* A connection from a to b's listener on port 80, ESTABLISHED once the
 * simulation has run to `by`. */
static sy_tcb *connect_established(sy_time by)
{
	sy_err err;
	sy_tcb *c;

	ck_assert_ptr_nonnull(sy_tcp_listen(eb, 80, 16, SY_SYNCOOKIES_OFF, &err));
	c = sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err);
	ck_assert_ptr_nonnull(c);
	sy_sim_run(sim, by);
	ck_assert_int_eq(c->state, SY_TCP_ESTABLISHED);
	return c;
}

/* The record holds the initial window in 16 bits: a larger one is refused
 * by name, the largest is taken whole. */
START_TEST(initial_window_bound)
{
	sy_err err;
	sy_tcb *c;
	sy_tcp_data_opts o;

	c = connect_established(SY_SEC);
	sy_tcp_get_data_opts(c, &o);
	ck_assert_uint_eq(o.initial_window, 10);
	o.initial_window = 65536;
	ck_assert_int_eq(sy_tcp_set_data_opts(c, &o, &err), -1);
	ck_assert_msg(strstr(err.msg, "initial_window must be at most 65535") != NULL, "%s", err.msg);
	sy_tcp_get_data_opts(c, &o);
	ck_assert_uint_eq(o.initial_window, 10);
	o.initial_window = 65535;
	ck_assert_int_eq(sy_tcp_set_data_opts(c, &o, &err), 0);
	sy_tcp_get_data_opts(c, &o);
	ck_assert_uint_eq(o.initial_window, 65535);
	ck_assert_uint_eq(c->cc.cwnd, 65535u * sy_tcb_smss(c));
}
END_TEST

/* The accept queue hands out the connections in the order their
 * handshakes completed: across the ring's wrap and growth, and with one
 * that ended (reset by its peer) taken out of the middle. */
START_TEST(accept_queue_order)
{
	sy_err err;
	sy_tcp_listener *l;
	sy_tcb *cl[14], *s;
	int want[] = { 4, 5, 6, 7, 9, 10, 11, 12, 13 };

	l = sy_tcp_listen(eb, 80, 64, SY_SYNCOOKIES_OFF, &err);
	ck_assert_ptr_nonnull(l);
	sy_tcp_listener_set_manual(l, true, 64);
	for (int i = 0; i < 6; i++)
		ck_assert_ptr_nonnull(cl[i] = sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err));
	sy_sim_run(sim, SY_SEC);
	ck_assert_int_eq(sy_tcp_listener_stats_get(l).accept_queue, 6);
	for (int i = 0; i < 4; i++) {
		ck_assert_ptr_nonnull(s = sy_tcp_accept(l));
		ck_assert_uint_eq(s->rport, cl[i]->lport);
	}
	for (int i = 6; i < 14; i++)
		ck_assert_ptr_nonnull(cl[i] = sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err));
	sy_sim_run(sim, 2 * SY_SEC);
	ck_assert_int_eq(sy_tcp_listener_stats_get(l).accept_queue, 10);
	sy_tcp_abort(cl[8]);
	sy_sim_run(sim, 3 * SY_SEC);
	ck_assert_int_eq(sy_tcp_listener_stats_get(l).accept_queue, 9);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		ck_assert_ptr_nonnull(s = sy_tcp_accept(l));
		ck_assert_uint_eq(s->rport, cl[want[i]]->lport);
		ck_assert_int_eq(s->state, SY_TCP_ESTABLISHED);
	}
	ck_assert_ptr_null(sy_tcp_accept(l));
	ck_assert_int_eq(sy_tcp_listener_stats_get(l).accept_queue, 0);
}
END_TEST

static int fw2_timeouts;

static void count_fw2_timeout(void *ctx, sy_tcb *c, sy_tcp_state from,
			      sy_tcp_state to, sy_tcp_cause cause)
{
	(void)ctx, (void)c, (void)to;
	if (from == SY_TCP_FIN_WAIT_2 && cause == SY_TCP_CAUSE_FIN_WAIT_2_TIMEOUT)
		fw2_timeouts++;
}

/* Keepalive and the state timeouts share a timer slot (tcb.h): the
 * FIN_WAIT_2 timeout of an orphan displaces the keepalive left pending
 * from ESTABLISHED, which does nothing in FIN_WAIT_2, and runs out as
 * it would alone. */
START_TEST(keepalive_displaced_by_fin_wait_2)
{
	static const struct sy_test_setting fw2[] = { { "fin_wait2", "30s" }, { NULL, NULL } };
	sy_sim *s2;
	sy_net *n2;
	sy_node *a2, *b2;
	sy_tcp_ep *ea2, *eb2;
	sy_tcp_ep_opts eo;
	sy_link_opts lo;
	sy_instance sch;
	sy_tcp_sock_opts so;
	sy_err err;
	sy_tcb *c;
	const sy_plugin *p = sy_plugin_load("scheduler", "heap", &err);

	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(sy_instance_new(&sch, p, &err), 0);
	ck_assert_ptr_nonnull(s2 = sy_sim_new(1, &sch, &err));
	ck_assert_ptr_nonnull(n2 = sy_net_new(s2, &err));
	a2 = sy_net_node(n2, "a", &err);
	b2 = sy_net_node(n2, "b", &err);
	ck_assert_msg(a2 && b2, "%s", err.msg);
	memset(&lo, 0, sizeof lo);
	for (int d = 0; d < 2; d++)
		lo.dir[d] = (sy_dir_opts){ .rate = 10000000, .delay = SY_MS, .mtu = 1500 };
	ck_assert_msg(sy_net_link(n2, a2, b2, &lo, &err) != NULL, "%s", err.msg);
	memset(&eo, 0, sizeof eo);
	ck_assert_int_eq(sy_test_configure(&eo.timers, "timers", "rfc", fw2, &err), 0);
	ck_assert_msg((ea2 = sy_tcp_ep_new(n2, a2, &eo, &err)) != NULL, "%s", err.msg);
	ck_assert_msg((eb2 = sy_tcp_ep_new(n2, b2, NULL, &err)) != NULL, "%s", err.msg);
	sy_tcp_ep_observe(ea2, count_fw2_timeout, NULL);
	ck_assert_ptr_nonnull(sy_tcp_listen(eb2, 80, 16, SY_SYNCOOKIES_OFF, &err));
	c = sy_tcp_connect(ea2, sy_node_addr(b2, 0), 80, &err);
	ck_assert_msg(c != NULL, "%s", err.msg);
	sy_sim_run(s2, SY_SEC);
	ck_assert_int_eq(c->state, SY_TCP_ESTABLISHED);
	sy_tcp_get_sock_opts(c, &so);
	so.keepalive = true;
	so.keepidle = 10 * SY_SEC;
	so.keepintvl = SY_SEC;
	so.keepcnt = 3;
	ck_assert_msg(sy_tcp_set_sock_opts(c, &so, &err) == 0, "%s", err.msg);
	ck_assert(sy_sim_pending(s2, sy_tcb_timer_id(c, SY_TCP_T_KEEPALIVE)));
	sy_tcp_close(c);
	sy_sim_run(s2, 2 * SY_SEC);
	ck_assert_int_eq(c->state, SY_TCP_FIN_WAIT_2);
	ck_assert(sy_sim_pending(s2, sy_tcb_timer_id(c, SY_TCP_T_FIN_WAIT_2)));
	ck_assert(!sy_sim_pending(s2, sy_tcb_timer_id(c, SY_TCP_T_KEEPALIVE)));
	/* past the keepalive's idle time: nothing happens */
	sy_sim_run(s2, 20 * SY_SEC);
	ck_assert_int_eq(c->state, SY_TCP_FIN_WAIT_2);
	ck_assert_int_eq(fw2_timeouts, 0);
	/* the FIN_WAIT_2 timeout, 30 s after the peer's ACK of our FIN */
	sy_sim_run(s2, 40 * SY_SEC);
	ck_assert_int_eq(fw2_timeouts, 1);
	sy_sim_free(s2);
	sy_net_free(n2);
}
END_TEST

/* Virtual bytes cost one chunk however many are queued: a count past
 * 2^32 (and up to 2^63 - 1 over the connection's life) stays one chunk
 * while it is sent and acknowledged; the count never wraps. */
START_TEST(virtual_bytes_constant_memory)
{
	sy_err err;
	sy_tcb *c;
	uint64_t big = (uint64_t)16 << 32, acked;

	c = connect_established(SY_SEC / 10);
	ck_assert_int_eq(sy_tcp_send(c, NULL, big, &err), 0);
	ck_assert_int_eq(sy_tcp_send(c, NULL, 5, &err), 0);
	ck_assert_ptr_nonnull(c->tx->sq);
	ck_assert_ptr_eq(sy_sq_head(c), c->tx->sq);
	ck_assert_ptr_eq(c->tx->sq->next, c->tx->sq);
	ck_assert_uint_eq(c->tx->sq->len, big + 5);
	sy_sim_run(sim, SY_SEC / 2);
	acked = c->st.bytes_acked;
	ck_assert_uint_gt(acked, 100000);
	ck_assert_ptr_eq(sy_sq_head(c), c->tx->sq);
	ck_assert_uint_eq(sy_tcp_unacked(c), big + 5 - acked);
	ck_assert_uint_eq(c->tx->sq->len - c->tx->sq->off, big + 5 - acked);
	/* real bytes after virtual ones are a chunk of their own, and
	 * virtual ones after those another */
	ck_assert_int_eq(sy_tcp_send(c, "abc", 3, &err), 0);
	ck_assert_int_eq(sy_tcp_send(c, NULL, INT64_MAX - sy_tcb_snd_queued(c), &err), 0);
	ck_assert_uint_eq(sy_tcb_snd_queued(c), INT64_MAX);
	/* three chunks in a ring: first, second, last, first */
	ck_assert_ptr_eq(sy_sq_next(c, sy_sq_next(c, sy_sq_head(c))), c->tx->sq);
	ck_assert_ptr_null(sy_sq_next(c, c->tx->sq));
	ck_assert_ptr_eq(c->tx->sq->next->next->next, c->tx->sq);
	ck_assert_ptr_eq(sy_sq_head(c)->bytes, NULL);
	ck_assert_ptr_nonnull(sy_sq_next(c, sy_sq_head(c))->bytes);
	/* one byte more would pass 2^63 - 1 */
	ck_assert_int_eq(sy_tcp_send(c, NULL, 1, &err), -1);
	ck_assert_msg(strstr(err.msg, "past 2^63 - 1") != NULL, "%s", err.msg);
	ck_assert_uint_eq(sy_tcb_snd_queued(c), INT64_MAX);
	sy_sim_run(sim, SY_SEC);
	ck_assert_uint_gt(c->st.bytes_acked, acked);
	ck_assert_uint_eq(sy_tcp_unacked(c), INT64_MAX - c->st.bytes_acked);
}
END_TEST

/* A segment from b's endpoint to connection c on a. */
static void send_to(sy_tcb *c, uint32_t seq, uint32_t ack, uint32_t len)
{
	sy_ipv4 ip = { .src = sy_node_addr(b, 0), .dst = sy_node_addr(a, 0),
		       .proto = SY_IPPROTO_TCP, .ttl = 64 };
	sy_tcp t = { .sport = 80, .dport = c->lport, .seq = seq, .ack = ack,
		     .flags = SY_TCP_ACK, .window = 1000 };
	sy_err err;

	ck_assert_int_eq(sy_tcp_ep_send(eb, &ip, &t, len, &err), 0);
}

/* RFC 5961 7: per connection, the ACKs answering unacceptable segments
 * without data go at most once per invalid_ack_ratelimit (500 ms by
 * default), the others are counted; a segment with data is always
 * answered. */
START_TEST(invalid_ack_ratelimit)
{
	sy_tcb *c;
	uint64_t out;

	c = connect_established(SY_SEC / 10);
	/* three ACKs of data never sent (RFC 5961 5.2): one answer */
	out = c->st.segments_out;
	for (int i = 0; i < 3; i++)
		send_to(c, c->rcv_nxt, c->snd_max + 1000, 0);
	sy_sim_run(sim, SY_SEC / 5);
	ck_assert_uint_eq(c->st.segments_out - out, 1);
	ck_assert_uint_eq(sy_rare_ro(c)->invalid_acks_suppressed, 2);
	/* three out-of-window segments without data (below RCV.NXT): none
	 * within the same 500 ms */
	for (int i = 0; i < 3; i++)
		send_to(c, c->rcv_nxt - 100, c->snd_una, 0);
	sy_sim_run(sim, SY_SEC * 3 / 10);
	ck_assert_uint_eq(c->st.segments_out - out, 1);
	ck_assert_uint_eq(sy_rare_ro(c)->invalid_acks_suppressed, 5);
	/* old data: every one answered */
	for (int i = 0; i < 3; i++)
		send_to(c, c->rcv_nxt - 100, c->snd_una, 50);
	sy_sim_run(sim, SY_SEC * 4 / 10);
	ck_assert_uint_eq(c->st.segments_out - out, 4);
	ck_assert_uint_eq(sy_rare_ro(c)->invalid_acks_suppressed, 5);
	/* 500 ms after the first answer, the next one goes */
	sy_sim_run(sim, SY_SEC * 7 / 10);
	ck_assert_uint_eq(c->st.segments_out - out, 4);
	send_to(c, c->rcv_nxt - 100, c->snd_una, 0);
	send_to(c, c->rcv_nxt - 100, c->snd_una, 0);
	sy_sim_run(sim, SY_SEC * 8 / 10);
	ck_assert_uint_eq(c->st.segments_out - out, 5);
	ck_assert_uint_eq(sy_rare_ro(c)->invalid_acks_suppressed, 6);
	ck_assert_int_eq(c->state, SY_TCP_ESTABLISHED);
}
END_TEST

/* A send buffer shorter than a segment holds the data back and arms the
 * persist timer (the window is not zero).  A larger buffer set then sends
 * at once, and the retransmission timer takes the persist timer's slot. */
START_TEST(persist_then_buffer_opens)
{
	sy_tcp_data_opts o;
	sy_err err;
	sy_tcb *c;
	uint32_t una;

	c = connect_established(SY_SEC / 10);
	sy_tcp_get_data_opts(c, &o);
	o.sndbuf = 257;
	ck_assert_int_eq(sy_tcp_set_data_opts(c, &o, &err), 0);
	ck_assert_int_eq(sy_tcp_send(c, NULL, 10000, &err), 0);
	sy_sim_run(sim, SY_SEC / 5);
	una = c->snd_una;
	ck_assert_uint_eq(c->snd_max, una);
	ck_assert(sy_sim_pending(sim, sy_tcb_timer_id(c, SY_TCP_T_PERSIST)));
	o.sndbuf = 100000;
	ck_assert_int_eq(sy_tcp_set_data_opts(c, &o, &err), 0);
	ck_assert_uint_gt(c->snd_max - una, 257);
	ck_assert(!sy_sim_pending(sim, sy_tcb_timer_id(c, SY_TCP_T_PERSIST)));
	ck_assert(sy_sim_pending(sim, sy_tcb_timer_id(c, SY_TCP_T_RETRANS)));
	sy_sim_run(sim, 2 * SY_SEC);
	ck_assert_uint_eq(c->st.bytes_acked, 10000);
	ck_assert_int_eq(c->state, SY_TCP_ESTABLISHED);
}
END_TEST

/* Nagle off sends what it held, there and then, corked or not (Linux's
 * TCP_NODELAY pushes pending data); a refused option changes nothing. */
START_TEST(nagle_off_pushes)
{
	sy_tcp_data_opts o, bad;
	sy_tcp_sock_opts so;
	sy_err err;
	sy_tcb *c;
	uint32_t held;

	c = connect_established(SY_SEC / 10);
	ck_assert_int_eq(sy_tcp_send(c, NULL, 100, &err), 0);
	ck_assert_int_eq(sy_tcp_send(c, NULL, 100, &err), 0);
	/* the second waits for the ACK of the first */
	held = c->snd_max;
	ck_assert_uint_eq(held - c->snd_una, 100);
	sy_tcp_get_data_opts(c, &o);
	bad = o;
	bad.nagle = false;
	bad.sndbuf = 1u << 30;
	bad.initial_window = 20;
	ck_assert_int_eq(sy_tcp_set_data_opts(c, &bad, &err), -1);
	ck_assert_msg(strstr(err.msg, "data has been sent already") != NULL, "%s", err.msg);
	sy_tcp_get_data_opts(c, &bad);
	ck_assert(bad.nagle);
	ck_assert_uint_eq(bad.sndbuf, o.sndbuf);
	ck_assert_uint_eq(c->snd_max, held);
	o.nagle = false;
	ck_assert_int_eq(sy_tcp_set_data_opts(c, &o, &err), 0);
	ck_assert_uint_eq(c->snd_max - held, 100);
	sy_sim_run(sim, SY_SEC);
	ck_assert_uint_eq(c->st.bytes_acked, 200);
	/* corked, Nagle on again: a short write waits; Nagle off sends it
	 * all the same, and the cork stays for the next one */
	sy_tcp_get_sock_opts(c, &so);
	so.cork = true;
	ck_assert_int_eq(sy_tcp_set_sock_opts(c, &so, &err), 0);
	o.nagle = true;
	ck_assert_int_eq(sy_tcp_set_data_opts(c, &o, &err), 0);
	ck_assert_int_eq(sy_tcp_send(c, NULL, 100, &err), 0);
	held = c->snd_max;
	ck_assert_uint_eq(held, c->snd_una);
	o.nagle = false;
	ck_assert_int_eq(sy_tcp_set_data_opts(c, &o, &err), 0);
	ck_assert_uint_eq(c->snd_max - held, 100);
	ck_assert_int_eq(sy_tcp_send(c, NULL, 100, &err), 0);
	ck_assert_uint_eq(c->snd_max - held, 100);
	sy_sim_run(sim, 2 * SY_SEC);
	ck_assert_uint_eq(c->st.bytes_acked, 300);
	/* ... for an RTO at most: then the persist timer sends it (the
	 * ceiling on a cork) */
	ck_assert(sy_sim_pending(sim, sy_tcb_timer_id(c, SY_TCP_T_PERSIST)));
	sy_sim_run(sim, 4 * SY_SEC);
	ck_assert_uint_eq(c->st.bytes_acked, 400);
	ck_assert(c->cork);
}
END_TEST

/* A fast retransmission sends again what was sent of the first segment,
 * not the bytes queued behind it since (here held by Nagle): those go
 * from SND.NXT, once, and count once as sent. */
START_TEST(fast_retransmit_sent_bytes)
{
	sy_err err;
	sy_tcb *c;
	uint32_t una;

	c = connect_established(SY_SEC / 10);
	una = c->snd_una;
	ck_assert_int_eq(sy_tcp_send(c, NULL, 500, &err), 0);
	ck_assert_int_eq(sy_tcp_send(c, NULL, 300, &err), 0);
	ck_assert_uint_eq(c->snd_max - una, 500);
	/* a window update, then three duplicate ACKs, before b's own ACK */
	for (int i = 0; i < 4; i++)
		send_to(c, c->rcv_nxt, una, 0);
	sy_sim_run(sim, SY_SEC / 10 + 5 * SY_MS);
	ck_assert_uint_eq(sy_rare_ro(c)->fast_retransmits, 1);
	ck_assert_uint_eq(sy_rare_ro(c)->bytes_retransmitted, 500);
	ck_assert_uint_eq(sy_tcb_snd_sent(c) - c->st.bytes_acked, c->snd_max - c->snd_una);
	sy_sim_run(sim, 3 * SY_SEC);
	ck_assert_uint_eq(c->st.bytes_acked, 800);
	ck_assert_uint_eq(sy_tcb_snd_sent(c), 800);
}
END_TEST

/* A segment from b's endpoint into connection c on a, whichever side
 * opened it, acknowledging what c sent. */
static void inject(sy_tcb *c, uint32_t seq, uint32_t len)
{
	sy_ipv4 ip = { .src = c->raddr, .dst = c->laddr,
		       .proto = SY_IPPROTO_TCP, .ttl = 64 };
	sy_tcp t = { .sport = c->rport, .dport = c->lport, .seq = seq,
		     .ack = c->snd_nxt, .flags = SY_TCP_ACK, .window = 65535 };
	sy_err err;

	ck_assert_int_eq(sy_tcp_ep_send(eb, &ip, &t, len, &err), 0);
}

/* The block of received data (tcb.h) exists only while segments wait
 * past a gap or bytes wait to be read, and goes as soon as neither. */
START_TEST(received_data_block)
{
	sy_tcp_listener *l;
	sy_tcb *c, *s;
	sy_err err;
	char buf[8];
	bool real;

	/* autoread on: the out-of-order queue alone */
	c = connect_established(SY_SEC / 10);
	ck_assert_ptr_null(c->rx);
	inject(c, c->rcv_nxt + 1000, 100);
	sy_sim_run(sim, SY_SEC / 5);
	ck_assert_ptr_nonnull(c->rx);
	ck_assert_ptr_nonnull(c->rx->ooo);
	ck_assert_ptr_null(c->rx->rq_head);
	inject(c, c->rcv_nxt, 1000);
	sy_sim_run(sim, SY_SEC * 3 / 10);
	ck_assert_uint_eq(c->rcv_nxt, c->irs + 1 + 1100);
	ck_assert_ptr_null(c->rx);
	/* a new gap: the SACK order starts afresh with it */
	inject(c, c->rcv_nxt + 500, 10);
	sy_sim_run(sim, SY_SEC * 4 / 10);
	ck_assert_ptr_nonnull(c->rx);
	ck_assert_uint_eq(c->rx->last_ooo, c->rcv_nxt + 500);
	ck_assert_uint_eq(c->rx->recent_ooo[0], c->rcv_nxt + 500);
	inject(c, c->rcv_nxt, 500);
	sy_sim_run(sim, SY_SEC / 2);
	ck_assert_ptr_null(c->rx);

	/* autoread off (manual accepting): unread real bytes keep the
	 * block after the out-of-order queue drained, until read */
	l = sy_tcp_listen(ea, 81, 16, SY_SYNCOOKIES_OFF, &err);
	ck_assert_ptr_nonnull(l);
	sy_tcp_listener_set_manual(l, true, 16);
	c = sy_tcp_connect(eb, sy_node_addr(a, 0), 81, &err);
	ck_assert_ptr_nonnull(c);
	sy_sim_run(sim, SY_SEC * 6 / 10);
	s = sy_tcp_accept(l);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(s->rx);
	ck_assert_int_eq(sy_tcp_send(c, "hello", 5, &err), 0);
	sy_sim_run(sim, SY_SEC * 7 / 10);
	ck_assert_uint_eq(sy_tcp_unread(s), 5);
	ck_assert_ptr_nonnull(s->rx);
	ck_assert_ptr_nonnull(s->rx->rq_head);
	ck_assert_ptr_null(s->rx->ooo);
	inject(s, s->rcv_nxt + 1000, 100);
	inject(s, s->rcv_nxt, 1000);
	sy_sim_run(sim, SY_SEC * 8 / 10);
	ck_assert_uint_eq(sy_tcp_unread(s), 1105);
	ck_assert_ptr_nonnull(s->rx);
	ck_assert_ptr_null(s->rx->ooo);
	ck_assert_uint_eq(sy_tcp_readable(s, &real), 5);
	ck_assert(real);
	ck_assert_uint_eq(sy_tcp_recv(s, buf, sizeof buf, &real), 5);
	ck_assert(real);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	ck_assert_ptr_nonnull(s->rx);
	ck_assert_uint_eq(sy_tcp_recv(s, NULL, 1000, &real), 1000);
	ck_assert(!real);
	ck_assert_ptr_nonnull(s->rx);
	ck_assert_uint_eq(sy_tcp_consume(s, 1000), 100);
	ck_assert_ptr_null(s->rx);
	ck_assert_uint_eq(sy_tcp_unread(s), 0);
}
END_TEST

/* The sender's block lives while something is queued or unacknowledged:
 * from the first byte queued, or a FIN alone, until all is acknowledged;
 * without it the totals read as the bytes acknowledged. */
START_TEST(sender_block)
{
	sy_tcb *c;
	sy_err err;

	c = connect_established(SY_SEC / 10);
	ck_assert_ptr_null(c->tx);
	ck_assert_int_eq(sy_tcp_send(c, NULL, 5000, &err), 0);
	ck_assert_ptr_nonnull(c->tx);
	ck_assert_uint_eq(c->tx->snd_queued, 5000);
	ck_assert_uint_gt(c->tx->snd_sent, 0);
	sy_sim_run(sim, 2 * SY_SEC);
	ck_assert_uint_eq(c->st.bytes_acked, 5000);
	ck_assert_ptr_null(c->tx);
	ck_assert_uint_eq(sy_tcb_snd_queued(c), 5000);
	ck_assert_uint_eq(sy_tcb_snd_sent(c), 5000);
	ck_assert_uint_eq(sy_tcp_unacked(c), 0);
	/* again, from the idle values */
	ck_assert_int_eq(sy_tcp_send(c, "abc", 3, &err), 0);
	ck_assert_ptr_nonnull(c->tx);
	ck_assert_uint_eq(c->tx->snd_queued, 5003);
	ck_assert_uint_eq(sy_tcp_unacked(c), 3);
	sy_sim_run(sim, 4 * SY_SEC);
	ck_assert_ptr_null(c->tx);
	ck_assert_uint_eq(sy_tcb_snd_queued(c), 5003);
	/* a FIN alone takes the block until it is acknowledged */
	sy_tcp_close(c);
	ck_assert_int_eq(c->state, SY_TCP_FIN_WAIT_1);
	ck_assert(c->fin_sent);
	ck_assert_ptr_nonnull(c->tx);
	ck_assert_ptr_null(c->tx->sq);
	sy_sim_run(sim, 6 * SY_SEC);
	ck_assert_int_eq(c->state, SY_TCP_FIN_WAIT_2);
	ck_assert_ptr_null(c->tx);
}
END_TEST

static Suite *tcp_suite(void)
{
	Suite *s = suite_create("tcp");
	TCase *t = tcase_create("endpoint");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, malformed_segments_counted);
	tcase_add_test(t, options_sack_and_malformed);
	tcase_add_test(t, options_fastopen);
	tcase_add_test(t, listen_errors);
	tcase_add_test(t, handshakes_and_ports);
	tcase_add_test(t, initial_window_bound);
	tcase_add_test(t, accept_queue_order);
	tcase_add_test(t, keepalive_displaced_by_fin_wait_2);
	tcase_add_test(t, virtual_bytes_constant_memory);
	tcase_add_test(t, invalid_ack_ratelimit);
	tcase_add_test(t, persist_then_buffer_opens);
	tcase_add_test(t, fast_retransmit_sent_bytes);
	tcase_add_test(t, nagle_off_pushes);
	tcase_add_test(t, received_data_block);
	tcase_add_test(t, sender_block);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return sy_test_main(tcp_suite());
}
