/* Routes: which links a packet takes on stars, a host on one link, hosts on
 * two links, chains and rings of routers, including which of two equal
 * paths is taken (the one leaving through the lower interface, i.e. the
 * link the node got first), and a star large enough that a table of every
 * node toward every node would not fit in the memory the test allows. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "net.h"
#include "plugin.h"
#include "sim.h"
#include "testutil.h"

#define PROTO_TEST 253 /* RFC 3692 experimental protocol number */

static sy_sim *sim;
static sy_net *net;
static int received;

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
	received = 0;
}

static void teardown(void)
{
	sy_sim_free(sim);
	sy_net_free(net);
	sy_plugin_unload_all();
}

static void sink_rx(void *ctx, sy_node *at, sy_packet *p)
{
	received++;
	sy_net_release(net, p);
}

static sy_node *node(const char *name)
{
	sy_err err;
	sy_node *n = sy_net_node(net, name, &err);

	ck_assert_msg(n != NULL, "%s", err.msg);
	sy_node_set_proto(n, PROTO_TEST, sink_rx, NULL);
	return n;
}

static sy_link *plain(sy_node *a, sy_node *b)
{
	sy_link_opts o;
	sy_err err;
	sy_link *l;

	memset(&o, 0, sizeof o);
	for (int d = 0; d < 2; d++) {
		o.dir[d].rate = 10000000;
		o.dir[d].delay = SY_MS;
		o.dir[d].mtu = 1500;
	}
	l = sy_net_link(net, a, b, &o, &err);
	ck_assert_msg(l != NULL, "%s", err.msg);
	return l;
}

/* Sends one packet from `from` to `to` and runs until it is delivered or
 * dropped; returns how many packets were delivered (0 or 1).  A node with
 * no interface sends from 192.0.2.1, an address no node has. */
static int send1(sy_node *from, sy_node *to)
{
	sy_packet *p = sy_packet_new(sy_net_pool(net));
	sy_ipv4 ip = {
		.src = sy_node_ifaces(from) ? sy_node_addr(from, 0) : 0xc0000201u, .dst = sy_node_addr(to, 0),
		.proto = PROTO_TEST, .ttl = 64, .id = sy_node_next_ip_id(from),
	};
	int before = received;

	ck_assert_ptr_nonnull(p);
	p->hdr_len = 20;
	ck_assert_int_eq(sy_packet_set_payload(sy_net_pool(net), p, NULL, 80, NULL), 0);
	sy_ipv4_write(p, &ip);
	sy_node_send(from, p);
	ck_assert_int_eq(sy_sim_run(sim, SY_TIME_NEVER), 0);
	return received - before;
}

/* Packets l carried away from node `from`. */
static uint64_t from_over(sy_link *l, sy_node *from)
{
	return sy_link_stats(l, sy_link_node(l, 1) == from).delivered_packets;
}

static uint64_t forwarded(sy_node *n)
{
	return sy_node_stats_get(n)->forwarded;
}

START_TEST(star_paths)
{
	sy_node *hub = node("hub"), *leaf[5];
	sy_link *l[5];
	char name[16];

	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof name, "leaf%d", i);
		leaf[i] = node(name);
		l[i] = plain(hub, leaf[i]);
	}
	/* Every leaf pair: two hops through the hub, whatever the order. */
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 5; j++)
			if (i != j)
				ck_assert_int_eq(sy_net_hops(net, leaf[i], leaf[j]), 2);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(sy_net_hops(net, hub, leaf[i]), 1);
		ck_assert_int_eq(sy_net_hops(net, leaf[i], hub), 1);
		ck_assert_int_eq(sy_net_hops(net, leaf[i], leaf[i]), 0);
	}
	ck_assert_int_eq(send1(leaf[3], leaf[1]), 1);
	ck_assert_uint_eq(from_over(l[3], leaf[3]), 1);
	ck_assert_uint_eq(from_over(l[1], hub), 1);
	ck_assert_uint_eq(forwarded(hub), 1);
	for (int i = 0; i < 5; i++)
		if (i != 1 && i != 3)
			ck_assert_uint_eq(from_over(l[i], hub) + from_over(l[i], leaf[i]), 0);
	ck_assert_int_eq(send1(hub, leaf[4]), 1);
	ck_assert_uint_eq(from_over(l[4], hub), 1);
	ck_assert_int_eq(send1(leaf[0], hub), 1);
	ck_assert_uint_eq(from_over(l[0], leaf[0]), 1);
	/* A leaf added later is reached at once. */
	leaf[0] = node("late");
	l[0] = plain(hub, leaf[0]);
	ck_assert_int_eq(send1(leaf[2], leaf[0]), 1);
	ck_assert_uint_eq(from_over(l[0], hub), 1);
}
END_TEST

/* h - r1 - r2 - r3, a lone pair a - b, and a node with no link. */
START_TEST(single_link_hosts)
{
	sy_node *h = node("h"), *r1 = node("r1"), *r2 = node("r2"), *r3 = node("r3");
	sy_node *a = node("a"), *b = node("b"), *lone = node("lone");
	sy_link *hr1 = plain(h, r1), *r1r2 = plain(r1, r2), *r2r3 = plain(r2, r3);
	sy_link *ab = plain(a, b);

	ck_assert_int_eq(sy_net_hops(net, h, r3), 3);
	ck_assert_int_eq(sy_net_hops(net, r3, h), 3);
	ck_assert_int_eq(sy_net_hops(net, h, r1), 1);
	ck_assert_int_eq(sy_net_hops(net, a, b), 1);
	ck_assert_int_eq(sy_net_hops(net, b, a), 1);
	ck_assert_int_eq(sy_net_hops(net, a, h), -1);
	ck_assert_int_eq(sy_net_hops(net, h, a), -1);
	ck_assert_int_eq(sy_net_hops(net, a, r2), -1);
	ck_assert_int_eq(sy_net_hops(net, r2, b), -1);
	ck_assert_int_eq(sy_net_hops(net, lone, h), -1);
	ck_assert_int_eq(sy_net_hops(net, h, lone), -1);
	ck_assert_int_eq(sy_net_hops(net, lone, lone), 0);

	ck_assert_int_eq(send1(h, r3), 1);
	ck_assert_uint_eq(from_over(hr1, h), 1);
	ck_assert_uint_eq(from_over(r1r2, r1), 1);
	ck_assert_uint_eq(from_over(r2r3, r2), 1);
	ck_assert_int_eq(send1(r3, h), 1);
	ck_assert_uint_eq(from_over(hr1, r1), 1);
	ck_assert_int_eq(send1(b, a), 1);
	ck_assert_uint_eq(from_over(ab, b), 1);
	/* No route: dropped where it starts, nothing leaves. */
	ck_assert_int_eq(send1(a, h), 0);
	ck_assert_uint_eq(sy_node_stats_get(a)->drops[SY_DROP_NOROUTE], 1);
	ck_assert_uint_eq(from_over(ab, a), 0);
	ck_assert_int_eq(send1(h, b), 0);
	ck_assert_uint_eq(sy_node_stats_get(h)->drops[SY_DROP_NOROUTE], 1);
	ck_assert_int_eq(send1(lone, r2), 0);
	ck_assert_uint_eq(sy_node_stats_get(lone)->drops[SY_DROP_NOROUTE], 1);
}
END_TEST

/* m is on r1 (its first link) and on r2; both routers reach x, with x's
 * link to r2 made before its link to r1; d is a host on x:
 *
 *        r1
 *       /  \
 *      m    x - d
 *       \  /
 *        r2
 *
 * m -> d: two paths of three hops, m takes its first link (r1).  d -> m:
 * x takes its first link, to r2.  r1 -> r2: through m (r1's first link)
 * or x, both two hops: through m, which forwards. */
START_TEST(multi_homed)
{
	sy_node *m = node("m"), *r1 = node("r1"), *r2 = node("r2"), *x = node("x");
	sy_node *d = node("d");
	sy_link *mr1 = plain(m, r1), *mr2 = plain(m, r2), *r2x = plain(r2, x);
	sy_link *r1x = plain(r1, x), *xd = plain(x, d);

	ck_assert_int_eq(sy_net_hops(net, m, d), 3);
	ck_assert_int_eq(sy_net_hops(net, d, m), 3);
	ck_assert_int_eq(sy_net_hops(net, r1, r2), 2);
	ck_assert_int_eq(sy_net_hops(net, m, x), 2);

	ck_assert_int_eq(send1(m, d), 1);
	ck_assert_uint_eq(from_over(mr1, m), 1);
	ck_assert_uint_eq(from_over(mr2, m), 0);
	ck_assert_uint_eq(from_over(r1x, r1), 1);
	ck_assert_uint_eq(from_over(xd, x), 1);

	ck_assert_int_eq(send1(d, m), 1);
	ck_assert_uint_eq(from_over(r2x, x), 1);
	ck_assert_uint_eq(from_over(r1x, x), 0);
	ck_assert_uint_eq(from_over(mr2, r2), 1);

	ck_assert_int_eq(send1(r1, r2), 1);
	ck_assert_uint_eq(from_over(mr1, r1), 1);
	ck_assert_uint_eq(forwarded(m), 1);
	ck_assert_uint_eq(from_over(mr2, m), 1);
	ck_assert_uint_eq(from_over(r1x, r1), 1); /* still only m -> d's */
}
END_TEST

/* Two links between the same host and router: the host is not on a single
 * link, and of the two the first made is used both ways. */
START_TEST(parallel_links)
{
	sy_node *h = node("h"), *r = node("r"), *g = node("g");
	sy_link *one = plain(h, r), *two = plain(r, h), *rg = plain(r, g);

	ck_assert_int_eq(sy_net_hops(net, h, g), 2);
	ck_assert_int_eq(send1(h, g), 1);
	ck_assert_uint_eq(from_over(one, h), 1);
	ck_assert_uint_eq(from_over(two, h), 0);
	ck_assert_uint_eq(from_over(rg, r), 1);
	ck_assert_int_eq(send1(g, h), 1);
	ck_assert_uint_eq(from_over(one, r), 1);
	ck_assert_uint_eq(from_over(two, r), 0);
}
END_TEST

/* Hosts a and b at the ends of a chain of four routers, a host on each
 * router, and a ring of four routers r0 - r1 - r2 - r3 - r0 made in the
 * order r0-r1, r2-r3, r1-r2, r3-r0, with g on r0 and k on r2: g -> k has
 * two paths of four hops and r0's first link goes to r1; k -> g too, and
 * r2's first link goes to r3. */
START_TEST(router_chain_and_ring)
{
	sy_node *a = node("a"), *b = node("b"), *c[4], *host[4];
	sy_node *r[4], *g, *k;
	sy_link *cl[3], *hl[4], *r01, *r23, *r12, *r30, *gl, *kl;
	char name[16];

	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof name, "c%d", i);
		c[i] = node(name);
		if (i)
			cl[i - 1] = plain(c[i - 1], c[i]);
	}
	plain(a, c[0]);
	plain(c[3], b);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof name, "host%d", i);
		host[i] = node(name);
		hl[i] = plain(c[i], host[i]);
	}
	ck_assert_int_eq(sy_net_hops(net, a, b), 5);
	ck_assert_int_eq(sy_net_hops(net, host[0], host[3]), 5);
	ck_assert_int_eq(sy_net_hops(net, host[1], host[2]), 3);
	ck_assert_int_eq(sy_net_hops(net, a, host[0]), 2);
	ck_assert_int_eq(sy_net_hops(net, c[2], a), 3);
	ck_assert_int_eq(send1(a, b), 1);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(forwarded(c[i]), 1);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(from_over(cl[i], c[i]), 1);
	ck_assert_int_eq(send1(host[3], host[1]), 1);
	ck_assert_uint_eq(from_over(hl[3], host[3]), 1);
	ck_assert_uint_eq(from_over(cl[2], c[3]), 1);
	ck_assert_uint_eq(from_over(cl[1], c[2]), 1);
	ck_assert_uint_eq(from_over(hl[1], c[1]), 1);
	ck_assert_uint_eq(from_over(cl[0], c[1]), 0);

	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof name, "r%d", i);
		r[i] = node(name);
	}
	r01 = plain(r[0], r[1]);
	r23 = plain(r[2], r[3]);
	r12 = plain(r[1], r[2]);
	r30 = plain(r[3], r[0]);
	g = node("g");
	gl = plain(r[0], g);
	k = node("k");
	kl = plain(k, r[2]);
	ck_assert_int_eq(sy_net_hops(net, g, k), 4);
	ck_assert_int_eq(sy_net_hops(net, r[1], r[3]), 2);
	ck_assert_int_eq(sy_net_hops(net, g, a), -1);
	ck_assert_int_eq(send1(g, k), 1);
	ck_assert_uint_eq(from_over(gl, g), 1);
	ck_assert_uint_eq(from_over(r01, r[0]), 1);
	ck_assert_uint_eq(from_over(r12, r[1]), 1);
	ck_assert_uint_eq(from_over(kl, r[2]), 1);
	ck_assert_uint_eq(from_over(r30, r[0]), 0);
	ck_assert_int_eq(send1(k, g), 1);
	ck_assert_uint_eq(from_over(r23, r[2]), 1);
	ck_assert_uint_eq(from_over(r30, r[3]), 1);
	ck_assert_uint_eq(from_over(gl, r[0]), 1);
	ck_assert_uint_eq(from_over(r12, r[2]), 0);
	/* r1 -> r3: through r0 (r1's first link) or r2, both two hops. */
	ck_assert_int_eq(send1(r[1], r[3]), 1);
	ck_assert_uint_eq(from_over(r01, r[1]), 1);
	ck_assert_uint_eq(from_over(r30, r[0]), 1);
	ck_assert_uint_eq(from_over(r12, r[1]), 1); /* still only g -> k's */
}
END_TEST

/* A star of 6000 hosts under an address-space limit of 64 MiB more than the
 * test already uses: a table of every node toward every node would take
 * 6001^2 entries, more than 100 MB, and fail the run; the routes of a star
 * need next to nothing.  (Without the limit under the address sanitizer,
 * which reserves far more address space than it uses.) */
START_TEST(big_star)
{
	enum { LEAVES = 6000 };
	sy_node *hub = node("hub"), **leaf = malloc(LEAVES * sizeof *leaf);
	sy_link *first, *last = NULL;
	char name[16];

	ck_assert_ptr_nonnull(leaf);
	for (int i = 0; i < LEAVES; i++) {
		snprintf(name, sizeof name, "leaf%d", i);
		leaf[i] = node(name);
		last = plain(hub, leaf[i]);
		if (!i)
			first = last;
	}
#if !defined(__SANITIZE_ADDRESS__)
	{
		FILE *f = fopen("/proc/self/statm", "r");
		unsigned long pages = 0;
		struct rlimit rl;

		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(fscanf(f, "%lu", &pages), 1);
		fclose(f);
		rl.rlim_cur = rl.rlim_max = pages * 4096ul + (64ul << 20);
		ck_assert_int_eq(setrlimit(RLIMIT_AS, &rl), 0);
	}
#endif
	ck_assert_int_eq(send1(leaf[0], leaf[LEAVES - 1]), 1);
	ck_assert_uint_eq(from_over(first, leaf[0]), 1);
	ck_assert_uint_eq(from_over(last, hub), 1);
	ck_assert_int_eq(send1(leaf[LEAVES - 1], hub), 1);
	ck_assert_int_eq(sy_net_hops(net, leaf[17], leaf[4242]), 2);
	free(leaf);
}
END_TEST

static Suite *route_suite(void)
{
	Suite *s = suite_create("route");
	TCase *t = tcase_create("paths");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, star_paths);
	tcase_add_test(t, single_link_hosts);
	tcase_add_test(t, multi_homed);
	tcase_add_test(t, parallel_links);
	tcase_add_test(t, router_chain_and_ring);
	tcase_add_test(t, big_star);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return sy_test_main(route_suite());
}
