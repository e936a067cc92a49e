/* The network model: serialization and propagation to the nanosecond,
 * queueing at the transmitter, MTU, routing on standard topologies, TTL
 * expiry, drop accounting, and the queueing models of
 * M/D/1 and M/M/1/K (Pollaczek-Khinchine and the finite-buffer formula). */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "plugin.h"
#include "sim.h"
#include "testutil.h"

#define PROTO_TEST 253 /* RFC 3692 experimental protocol number */

static sy_sim *sim;
static sy_net *net;
static long hot_failures;

static void setup(void)
{
	const sy_plugin *p;
	sy_instance in;
	sy_err err;

	p = sy_plugin_load("scheduler", "heap", &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(sy_instance_new(&in, p, &err), 0);
	sim = sy_sim_new(1, &in, &err);
	ck_assert_msg(sim != NULL, "%s", err.msg);
	net = sy_net_new(sim, &err);
	ck_assert_msg(net != NULL, "%s", err.msg);
}

static void teardown(void)
{
	sy_sim_free(sim);
	sy_net_free(net);
	sy_plugin_unload_all();
	ck_assert_int_eq(hot_failures, 0);
}

static sy_node *node(const char *name)
{
	sy_err err;
	sy_node *n = sy_net_node(net, name, &err);

	ck_assert_msg(n != NULL, "%s", err.msg);
	return n;
}

/* A queue instance of droptail with `limit` packets (0: default). */
static void droptail(sy_instance *q, int64_t limit)
{
	sy_err err;
	const sy_plugin *p = sy_plugin_load("queue", "droptail", &err);

	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(sy_instance_new(q, p, &err), 0);
	if (limit) {
		sy_value v = { .type = SY_V_INT, .u.i = limit };

		ck_assert_msg(sy_instance_set(q, "limit", &v, "test", &err) == 0, "%s", err.msg);
	}
}

static sy_link *link2(sy_node *a, sy_node *b, int64_t rate, sy_time delay,
		      uint32_t mtu, int64_t qlimit)
{
	sy_link_opts o;
	sy_err err;
	sy_link *l;

	memset(&o, 0, sizeof o);
	for (int d = 0; d < 2; d++) {
		o.dir[d].rate = rate;
		o.dir[d].delay = delay;
		o.dir[d].mtu = mtu;
		droptail(&o.dir[d].queue, qlimit);
	}
	l = sy_net_link(net, a, b, &o, &err);
	ck_assert_msg(l != NULL, "%s", err.msg);
	return l;
}

static sy_link *plain(sy_node *a, sy_node *b)
{
	return link2(a, b, 10000000, SY_MS, 1500, 0);
}

/* Failures inside per-packet code are counted, not asserted: in Check's
 * forking mode every assertion costs a write to a file, which would
 * dominate the queueing tests.  Each test checks the count at its end. */

/* A raw IPv4 packet of `bytes` bytes in all, virtual payload. */
static sy_packet *raw(sy_node *from, sy_node *to, uint32_t bytes, uint8_t ttl)
{
	sy_packet *p = sy_packet_new(sy_net_pool(net));
	sy_ipv4 ip = {
		.src = sy_node_addr(from, 0), .dst = sy_node_addr(to, 0),
		.proto = PROTO_TEST, .ttl = ttl, .id = sy_node_next_ip_id(from),
	};

	if (!p)
		abort();
	p->hdr_len = 20;
	if (sy_packet_set_payload(sy_net_pool(net), p, NULL, bytes - 20, NULL) < 0)
		hot_failures++;
	sy_ipv4_write(p, &ip);
	hot_failures += p->len != bytes;
	return p;
}

/* A sink recording arrival times and TTLs. */
struct sink {
	int n;
	sy_time t[4096];
	uint8_t ttl[4096];
	uint64_t uid[4096];
	int bad_header;
};

static void sink_rx(void *ctx, sy_node *at, sy_packet *p)
{
	struct sink *s = ctx;
	sy_ipv4 ip;

	if (sy_ipv4_read(p, &ip, NULL) < 0)
		s->bad_header++;
	if (s->n < 4096) {
		s->t[s->n] = sy_sim_now(sim);
		s->ttl[s->n] = ip.ttl;
		s->uid[s->n] = p->uid;
	}
	s->n++;
	sy_net_release(net, p);
}

static struct sink *sink_on(sy_node *n)
{
	struct sink *s = calloc(1, sizeof *s);

	sy_node_set_proto(n, PROTO_TEST, sink_rx, s);
	return s;
}

START_TEST(tx_time_exact)
{
	uint64_t carry = 0, total = 0;

	ck_assert_int_eq(sy_tx_time(1500, 10000000, &carry), 1200000);
	ck_assert_uint_eq(carry, 0);
	ck_assert_int_eq(sy_tx_time(1500, 1000000000, &carry), 12000);
	/* 1 B at 3 bit/s: 8/3 s, the remainder carried so that n packets
	 * take exactly floor(n * 8e9 / 3) ns. */
	for (int i = 1; i <= 1000; i++) {
		total += (uint64_t)sy_tx_time(1, 3, &carry);
		ck_assert_uint_eq(total, (uint64_t)i * 8000000000ULL / 3);
	}
	/* Large values do not overflow. */
	carry = 0;
	ck_assert_int_eq(sy_tx_time(65535, 1, &carry), (sy_time)65535 * 8 * 1000000000);
}
END_TEST

START_TEST(one_link_timing)
{
	sy_node *a = node("a"), *b = node("b");
	struct sink *s = sink_on(b);

	link2(a, b, 1000000, 10 * SY_MS, 1500, 0);
	/* 1000 B at 1 Mbit/s: 8 ms; plus 10 ms of propagation. Three
	 * back-to-back packets leave 8 ms apart. */
	for (int i = 0; i < 3; i++)
		sy_node_send(a, raw(a, b, 1000, 64));
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_int_eq(s->n, 3);
	ck_assert_int_eq(s->t[0], 18 * SY_MS);
	ck_assert_int_eq(s->t[1], 26 * SY_MS);
	ck_assert_int_eq(s->t[2], 34 * SY_MS);
	ck_assert_int_eq(s->ttl[0], 64); /* delivered, not forwarded */
	ck_assert_int_eq(s->bad_header, 0);
	ck_assert_uint_eq(sy_pktpool_live(sy_net_pool(net)), 0);
	free(s);
}
END_TEST

START_TEST(stats_and_utilization)
{
	sy_node *a = node("a"), *b = node("b");
	struct sink *s = sink_on(b);
	sy_link *l = link2(a, b, 1000000, SY_MS, 1500, 1000);
	sy_dir_stats st;

	/* 125 packets of 1000 B: exactly 1 s of transmission. */
	for (int i = 0; i < 125; i++)
		sy_node_send(a, raw(a, b, 1000, 64));
	sy_sim_run(sim, 2 * SY_SEC);
	st = sy_link_stats(l, 0);
	ck_assert_uint_eq(st.sent_packets, 125);
	ck_assert_uint_eq(st.sent_bytes, 125000);
	ck_assert_uint_eq(st.delivered_packets, 125);
	ck_assert_uint_eq(st.delivered_bytes, 125000);
	ck_assert_int_eq(st.busy, SY_SEC);
	ck_assert_uint_eq(st.queue_max, 124);
	/* Queue drains linearly from 124 to 0 over 1 s: area 124*1/2 ... in
	 * steps of 8 ms: sum_{k=0}^{123} (124-k) * 0.008 = 62.0 packet*s. */
	ck_assert_double_eq_tol(st.queue_area, 0.008 * 124 * 125 / 2, 1e-9);
	ck_assert_uint_eq(sy_link_stats(l, 1).sent_packets, 0);
	ck_assert_uint_eq(sy_node_stats_get(a)->sent, 125);
	ck_assert_uint_eq(sy_node_stats_get(b)->received, 125);
	ck_assert_int_eq(s->n, 125);
	free(s);
}
END_TEST

START_TEST(mtu_drop)
{
	sy_node *a = node("a"), *b = node("b");
	struct sink *s = sink_on(b);
	sy_link *l = link2(a, b, 1000000, SY_MS, 576, 0);

	sy_node_send(a, raw(a, b, 577, 64));
	sy_node_send(a, raw(a, b, 576, 64));
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_int_eq(s->n, 1);
	ck_assert_uint_eq(sy_link_stats(l, 0).drops[SY_DROP_MTU], 1);
	ck_assert_uint_eq(sy_link_stats(l, 0).sent_packets, 2);
	free(s);
}
END_TEST

START_TEST(droptail_overflow)
{
	sy_node *a = node("a"), *b = node("b");
	struct sink *s = sink_on(b);
	sy_link *l = link2(a, b, 1000000, SY_MS, 1500, 5);

	/* One goes straight to the transmitter, five wait, four are refused. */
	for (int i = 0; i < 10; i++)
		sy_node_send(a, raw(a, b, 1000, 64));
	ck_assert_uint_eq(sy_link_queue_packets(l, 0), 5);
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_int_eq(s->n, 6);
	ck_assert_uint_eq(sy_link_stats(l, 0).drops[SY_DROP_QUEUE], 4);
	ck_assert_uint_eq(sy_pktpool_live(sy_net_pool(net)), 0);
	free(s);
}
END_TEST

START_TEST(route_chain_ttl)
{
	sy_node *n[5];
	struct sink *s;

	for (int i = 0; i < 5; i++) {
		char name[8];

		snprintf(name, sizeof name, "n%d", i);
		n[i] = node(name);
		if (i)
			plain(n[i - 1], n[i]);
	}
	s = sink_on(n[4]);
	ck_assert_int_eq(sy_net_hops(net, n[0], n[4]), 4);
	ck_assert_int_eq(sy_net_hops(net, n[4], n[0]), 4);
	ck_assert_int_eq(sy_net_hops(net, n[2], n[2]), 0);
	/* Three routers decrement the TTL; the header stays valid. */
	sy_node_send(n[0], raw(n[0], n[4], 100, 64));
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_int_eq(s->n, 1);
	ck_assert_int_eq(s->ttl[0], 61);
	ck_assert_int_eq(s->bad_header, 0);
	ck_assert_uint_eq(sy_node_stats_get(n[2])->forwarded, 1);
	/* TTL 2: n1 forwards with 1, n2 drops. */
	sy_node_send(n[0], raw(n[0], n[4], 100, 2));
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_int_eq(s->n, 1);
	ck_assert_uint_eq(sy_node_stats_get(n[2])->drops[SY_DROP_TTL], 1);
	free(s);
}
END_TEST

START_TEST(route_star_dumbbell_ring)
{
	sy_node *hub = node("hub"), *leaf[4], *l[3], *r[3], *r1, *r2, *ring[6];
	char name[16];

	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof name, "leaf%d", i);
		leaf[i] = node(name);
		plain(hub, leaf[i]);
	}
	ck_assert_int_eq(sy_net_hops(net, leaf[0], leaf[3]), 2);
	ck_assert_int_eq(sy_net_hops(net, hub, leaf[2]), 1);

	r1 = node("r1");
	r2 = node("r2");
	plain(r1, r2);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "left%d", i);
		l[i] = node(name);
		plain(l[i], r1);
		snprintf(name, sizeof name, "right%d", i);
		r[i] = node(name);
		plain(r2, r[i]);
	}
	ck_assert_int_eq(sy_net_hops(net, l[0], r[2]), 3);
	ck_assert_int_eq(sy_net_hops(net, l[0], l[1]), 2);
	ck_assert_int_eq(sy_net_hops(net, leaf[0], r[0]), -1); /* disconnected */

	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof name, "ring%d", i);
		ring[i] = node(name);
		if (i)
			plain(ring[i - 1], ring[i]);
	}
	plain(ring[5], ring[0]);
	ck_assert_int_eq(sy_net_hops(net, ring[0], ring[3]), 3);
	ck_assert_int_eq(sy_net_hops(net, ring[0], ring[5]), 1);
	ck_assert_int_eq(sy_net_hops(net, ring[1], ring[4]), 3);
}
END_TEST

/* Of two equal paths the one through the lower-numbered link is used. */
START_TEST(route_tie_break)
{
	sy_node *a = node("a"), *b = node("b"), *c = node("c"), *d = node("d");
	sy_link *ab = plain(a, b), *ac, *bd, *cd;
	struct sink *s = sink_on(d);

	ac = plain(a, c);
	bd = plain(b, d);
	cd = plain(c, d);
	sy_node_send(a, raw(a, d, 100, 64));
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_int_eq(s->n, 1);
	ck_assert_uint_eq(sy_link_stats(ab, 0).sent_packets, 1);
	ck_assert_uint_eq(sy_link_stats(bd, 0).sent_packets, 1);
	ck_assert_uint_eq(sy_link_stats(ac, 0).sent_packets, 0);
	ck_assert_uint_eq(sy_link_stats(cd, 0).sent_packets, 0);
	free(s);
}
END_TEST

START_TEST(noroute_noproto)
{
	sy_node *a = node("a"), *b = node("b"), *c = node("c"), *d = node("d");

	plain(a, b);
	plain(c, d);
	sy_node_send(a, raw(a, d, 100, 64));
	ck_assert_uint_eq(sy_node_stats_get(a)->drops[SY_DROP_NOROUTE], 1);
	sy_node_send(a, raw(a, b, 100, 64)); /* b has no handler */
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_uint_eq(sy_node_stats_get(b)->drops[SY_DROP_NOPROTO], 1);
	ck_assert_uint_eq(sy_pktpool_live(sy_net_pool(net)), 0);
}
END_TEST

START_TEST(bad_links)
{
	sy_node *a = node("a"), *b = node("b");
	sy_link_opts o;
	sy_err err;

	memset(&o, 0, sizeof o);
	o.dir[0] = (sy_dir_opts){ .rate = 0, .delay = 0, .mtu = 1500 };
	o.dir[1] = (sy_dir_opts){ .rate = 1000, .delay = 0, .mtu = 1500 };
	ck_assert_ptr_null(sy_net_link(net, a, b, &o, &err));
	ck_assert_msg(strstr(err.msg, "link a -> b: rate must be positive"), "%s", err.msg);
	o.dir[0].rate = 1000;
	o.dir[1].delay = -1;
	ck_assert_ptr_null(sy_net_link(net, a, b, &o, &err));
	ck_assert_msg(strstr(err.msg, "link b -> a: delay"), "%s", err.msg);
	o.dir[1].delay = 0;
	o.dir[1].mtu = 39;
	ck_assert_ptr_null(sy_net_link(net, a, b, &o, &err));
	ck_assert_msg(strstr(err.msg, "MTU 39 B"), "%s", err.msg);
	o.dir[1].mtu = 1500;
	ck_assert_ptr_null(sy_net_link(net, a, a, &o, &err));
	ck_assert_msg(strstr(err.msg, "two different nodes"), "%s", err.msg);
	ck_assert_ptr_null(sy_net_node(net, "a", &err));
	ck_assert_msg(strstr(err.msg, "'a' already exists"), "%s", err.msg);
	ck_assert_ptr_nonnull(sy_net_link(net, a, b, &o, &err));
	/* An address already in use. */
	memset(&o, 0, sizeof o);
	o.dir[0] = o.dir[1] = (sy_dir_opts){ .rate = 1000, .delay = 0, .mtu = 1500 };
	o.addr[1] = sy_node_addr(a, 0);
	ck_assert_ptr_null(sy_net_link(net, a, b, &o, &err));
	ck_assert_msg(strstr(err.msg, "address 10.0.1.1 is already in use"), "%s", err.msg);
}
END_TEST

/* ------------------------------------------------------------ queueing */

/* A Poisson source from a to b of fixed-size or exponentially sized
 * packets.  The wait of a packet is its arrival at b minus its sending
 * time, its transmission time and the propagation delay; send times are
 * kept by packet uid (uids are handed out in order from 1). */
struct source {
	sy_node *a, *b;
	sy_rng r;
	double lambda;     /* packets per second */
	double mean_bytes; /* > 0: exponential sizes with this mean */
	uint32_t bytes;    /* fixed size otherwise */
	int64_t rate;
	sy_time prop;
	long left;
	sy_time *sent_at;
	long cap;
	double wait_sum;
	long received;
};

static void source_rx(void *ctx, sy_node *at, sy_packet *p)
{
	struct source *s = ctx;
	uint64_t carry = 0;
	sy_time service = sy_tx_time(p->len, s->rate, &carry);

	if ((long)p->uid >= s->cap)
		abort();
	s->wait_sum += (double)(sy_sim_now(sim) - s->sent_at[p->uid] - service - s->prop);
	s->received++;
	sy_net_release(net, p);
}

static void source_tick(sy_sim *sm, void *arg, uint64_t data)
{
	struct source *s = arg;
	uint32_t bytes = s->bytes;
	sy_packet *p;

	if (s->mean_bytes > 0) {
		double x = sy_rng_exponential(&s->r, s->mean_bytes);

		bytes = x < 20 ? 20 : x > 65535 ? 65535 : (uint32_t)llround(x);
	}
	p = raw(s->a, s->b, bytes, 64);
	if ((long)p->uid >= s->cap)
		abort();
	s->sent_at[p->uid] = sy_sim_now(sm);
	sy_node_send(s->a, p);
	if (--s->left > 0)
		sy_sim_after(sm, (sy_time)llround(sy_rng_exponential(&s->r, 1e9 / s->lambda)),
			     source_tick, s, 0, NULL, NULL);
}

static struct source *source_run(double lambda, uint32_t bytes, double mean_bytes,
				 int64_t rate, int64_t qlimit, long n, sy_link **lout)
{
	struct source *s = calloc(1, sizeof *s);
	sy_node *a = node("a"), *b = node("b");

	s->a = a;
	s->b = b;
	s->lambda = lambda;
	s->bytes = bytes;
	s->mean_bytes = mean_bytes;
	s->rate = rate;
	s->prop = 5 * SY_MS;
	s->left = n;
	s->cap = n + 2;
	s->sent_at = calloc((size_t)s->cap, sizeof *s->sent_at);
	sy_sim_stream(sim, &s->r, "poisson", 0);
	*lout = link2(a, b, rate, s->prop, 65535, qlimit);
	sy_node_set_proto(b, PROTO_TEST, source_rx, s);
	sy_sim_at(sim, 0, source_tick, s, 0, NULL, NULL);
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_int_eq(hot_failures, 0);
	return s;
}

/* M/D/1 at rho = 0.8: C = 10 Mbit/s, 1500 B packets (S = 1.2 ms),
 * lambda = rho / S.  Pollaczek-Khinchine: Wq = rho S / (2 (1 - rho)) =
 * 2.4 ms.  With 4e5 packets the mean wait of nine other seeds spread with
 * a standard deviation of 1.0 % (waits are strongly correlated at this
 * load); the test allows 4 %, four standard deviations. */
START_TEST(md1_waiting_time)
{
	const double S = 1500 * 8 / 10e6, rho = 0.8;
	const double wq = rho * S / (2 * (1 - rho));
	sy_link *l;
	struct source *s = source_run(rho / S, 1500, 0, 10000000, 1000000, 400000, &l);
	double mean = s->wait_sum / (double)s->received / 1e9;

	ck_assert_int_eq(s->received, 400000);
	ck_assert_uint_eq(sy_link_stats(l, 0).drops[SY_DROP_QUEUE], 0);
	ck_assert_msg(fabs(mean - wq) / wq < 0.04, "M/D/1 mean wait %.6f s, expected %.6f s",
		      mean, wq);
	free(s->sent_at);
	free(s);
}
END_TEST

/* M/M/1/K at rho = 0.8, K = 10 (a droptail limit of 9 waiting plus the one
 * in transmission): P_drop = (1 - rho) rho^K / (1 - rho^(K+1)) = 0.02361.
 * Exponential sizes with a mean of 6000 B at 40 Mbit/s (S = 1.2 ms), clipped
 * to [20, 65535] B (0.3 % of the mass, a model error far below the
 * tolerance).  With 10^6 packets the drop fraction of nine other seeds
 * spread with a standard deviation of 1.1 %; the test allows 5 %. */
START_TEST(mm1k_drop_probability)
{
	const double rho = 0.8, S = 6000 * 8 / 40e6;
	const int K = 10;
	const double pk = (1 - rho) * pow(rho, K) / (1 - pow(rho, K + 1));
	sy_link *l;
	struct source *s = source_run(rho / S, 0, 6000, 40000000, K - 1, 1000000, &l);
	sy_dir_stats st = sy_link_stats(l, 0);
	double pdrop = (double)st.drops[SY_DROP_QUEUE] / (double)st.sent_packets;

	ck_assert_uint_eq(st.sent_packets, 1000000);
	ck_assert_msg(fabs(pdrop - pk) / pk < 0.05, "M/M/1/K drop probability %.5f, expected %.5f",
		      pdrop, pk);
	ck_assert_uint_eq((uint64_t)s->received + st.drops[SY_DROP_QUEUE], 1000000);
	free(s->sent_at);
	free(s);
}
END_TEST

static Suite *net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *t = tcase_create("model");
	TCase *q = tcase_create("queueing");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, tx_time_exact);
	tcase_add_test(t, one_link_timing);
	tcase_add_test(t, stats_and_utilization);
	tcase_add_test(t, mtu_drop);
	tcase_add_test(t, droptail_overflow);
	tcase_add_test(t, route_chain_ttl);
	tcase_add_test(t, route_star_dumbbell_ring);
	tcase_add_test(t, route_tie_break);
	tcase_add_test(t, noroute_noproto);
	tcase_add_test(t, bad_links);
	suite_add_tcase(s, t);
	tcase_add_checked_fixture(q, setup, teardown);
	tcase_set_timeout(q, 120);
	tcase_add_test(q, md1_waiting_time);
	tcase_add_test(q, mm1k_drop_probability);
	suite_add_tcase(s, q);
	return s;
}

int main(void)
{
	return sy_test_main(net_suite());
}
