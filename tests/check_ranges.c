/* The range set behind reassembly and the SACK scoreboard (core/tcp/
 * ranges.c, compiled in: its functions are internal to the library),
 * against a plain model: a byte map of a window of sequence space that
 * straddles the 2^32 wrap.  And the SACK blocks a receiver reports for
 * random out-of-order arrivals, against RFC 2018's order computed from
 * the same kind of map. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "packet.h"
#include "plugin.h"
#include "ranges.h"
#include "sim.h"
#include "tcb.h"
#include "tcp.h"
#include "testutil.h"

#define SPAN 4096
#define ORIGIN 0xfffff800u      /* the window wraps halfway */

/* a small fixed-seed generator (xorshift32): the same runs everywhere */
static uint32_t rnd_state;

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state % n;
}

/* The model: held[i] for sequence number ORIGIN + i, and each held
 * byte's tag (the tag of the add that reached the end of its run). */
static bool held[SPAN];

/* The maximal runs of the map from `from` on: [l, r) offsets. */
static unsigned model_runs(uint32_t (*out)[2], unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < SPAN;) {
		unsigned j;

		if (!held[i]) {
			i++;
			continue;
		}
		for (j = i; j < SPAN && held[j]; j++)
			;
		ck_assert_uint_lt(n, max);
		out[n][0] = i;
		out[n][1] = j;
		n++;
		i = j;
	}
	return n;
}

/* The set equals the model: the same ranges and total, and (every
 * point when full, else every 61st from a random start) the bytes below
 * a point and the lookups. */
static void compare(const sy_ranges *s, bool full)
{
	static uint32_t runs[SPAN][2];
	unsigned n = model_runs(runs, SPAN), k = 0;
	uint64_t total = 0, below = 0;
	uint32_t stride = full ? 1 : 61;

	ck_assert(sy_ranges_valid(s));
	ck_assert_uint_eq(sy_ranges_count(s), n);
	for (unsigned i = 0; i < n; i++) {
		const sy_range *g = sy_ranges_at(s, i);

		ck_assert_uint_eq(g->l, ORIGIN + runs[i][0]);
		ck_assert_uint_eq(g->r, ORIGIN + runs[i][1]);
		total += runs[i][1] - runs[i][0];
	}
	ck_assert_uint_eq(sy_ranges_total(s), total);
	for (uint32_t x = 0, next = full ? 0 : rnd(stride); x < SPAN; x++) {
		uint32_t seq = ORIGIN + x;

		/* k: the first run ending after x */
		while (k < n && runs[k][1] <= x)
			k++;
		if (x == next) {
			ck_assert_uint_eq(sy_ranges_below(s, seq), below);
			ck_assert_uint_eq(sy_ranges_upper(s, seq), k);
			ck_assert_uint_eq(sy_ranges_after(s, seq),
					  k < n && runs[k][0] <= x ? k + 1 : k);
			next += stride;
		}
		if (held[x])
			below++;
	}
}

/* Random adds (merging what they overlap or touch), trims from below as
 * an acknowledgment moves up, the highest range dropped now and then,
 * and the set cleared when the floor is high: after each, the set equals
 * the model. */
START_TEST(ranges_random)
{
	sy_ranges s = { 0 };
	uint32_t floor = 0;

	rnd_state = 2463534242u;
	memset(held, 0, sizeof held);
	for (int step = 0; step < 3000; step++) {
		uint32_t op = rnd(100);

		if (op < 80) {
			uint32_t l = floor + rnd(SPAN - floor), len = 1 + rnd(64);
			bool touch = false;

			if (l + len > SPAN)
				len = SPAN - l;
			for (uint32_t i = l ? l - 1 : 0; i < l + len + 1 && i < SPAN; i++)
				touch = touch || held[i];
			ck_assert(sy_ranges_touches(&s, ORIGIN + l, ORIGIN + l + len) == touch);
			if (!touch)
				ck_assert(sy_ranges_reserve(&s, 0));
			sy_ranges_add(&s, ORIGIN + l, ORIGIN + l + len, NULL);
			memset(held + l, 1, len);
		} else if (op < 95) {
			/* the floor moves up a little, or (rarely) far */
			floor += rnd(op < 94 ? 8 : SPAN / 8);
			sy_ranges_trim(&s, ORIGIN + floor);
			memset(held, 0, floor);
		} else if (op < 99) {
			unsigned n = sy_ranges_count(&s);

			if (n) {
				const sy_range *g = sy_ranges_at(&s, n - 1);

				memset(held + (g->l - ORIGIN), 0, g->r - g->l);
				sy_ranges_drop_last(&s);
			}
		}
		if (floor > SPAN * 3 / 4) {
			/* all over again, the set empty */
			sy_ranges_clear(&s);
			memset(held, 0, sizeof held);
			floor = 0;
		}
		compare(&s, step % 50 == 0);
	}
	sy_ranges_free(&s);
}
END_TEST

/* A merge keeps the tag of the range that reaches the new right end:
 * the receiver's blocks keep their last segment that way. */
START_TEST(ranges_tags)
{
	sy_ranges s = { 0 };
	int t[5];

	ck_assert(sy_ranges_reserve(&s, 0));
	sy_ranges_add(&s, 100, 200, &t[0]);
	ck_assert(sy_ranges_reserve(&s, 0));
	sy_ranges_add(&s, 300, 400, &t[1]);
	/* extends the first to the right: the new piece ends the range */
	ck_assert_uint_eq(sy_ranges_add(&s, 200, 250, &t[2]), 0);
	ck_assert_ptr_eq(sy_ranges_at(&s, 0)->tag, &t[2]);
	/* extends the second to the left: its end, its tag */
	ck_assert_uint_eq(sy_ranges_add(&s, 280, 300, &t[3]), 1);
	ck_assert_ptr_eq(sy_ranges_at(&s, 1)->tag, &t[1]);
	/* fills the gap: one range, ending with the second's tag */
	ck_assert_uint_eq(sy_ranges_add(&s, 250, 280, &t[4]), 0);
	ck_assert_uint_eq(sy_ranges_count(&s), 1);
	ck_assert_ptr_eq(sy_ranges_at(&s, 0)->tag, &t[1]);
	ck_assert_uint_eq(sy_ranges_total(&s), 300);
	/* a cap: no room for a new range past max */
	ck_assert(!sy_ranges_reserve(&s, 1));
	sy_ranges_free(&s);
}
END_TEST

/* ------------------------------------------------------------ SACK blocks */

static sy_sim *sim;
static sy_net *net;
static sy_node *a, *b;
static sy_tcp_ep *ea, *eb;
static sy_tcp last;             /* the latest segment a sent */
static int nlast;

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

static void watch(void *ctx, char ev, const sy_link *l, int dir,
		  const sy_packet *p, sy_drop reason)
{
	sy_ipv4 ip;
	sy_err err;

	if (ev != '+' || sy_ipv4_read(p, &ip, &err) < 0 || ip.src != sy_node_addr(a, 0))
		return;
	ck_assert_int_eq(sy_tcp_read(p, &last, &err), 0);
	nlast++;
}

/* A segment of len virtual bytes from b's endpoint to connection c. */
static void send_to(sy_tcb *c, uint32_t seq, uint32_t len)
{
	sy_ipv4 ip = { .src = sy_node_addr(b, 0), .dst = sy_node_addr(a, 0),
		       .proto = SY_IPPROTO_TCP, .ttl = 64 };
	sy_tcp t = { .sport = 80, .dport = c->lport, .seq = seq, .ack = c->snd_una,
		     .flags = SY_TCP_ACK, .window = 65535 };
	sy_tcp_opts o = { .has_ts = c->ts_ok, .tsval = c->ts_recent, .tsecr = 0 };
	sy_err err;

	t.optlen = (uint8_t)sy_tcp_write_options(&o, t.opt);
	ck_assert_int_eq(sy_tcp_ep_send(eb, &ip, &t, len, &err), 0);
}

/* Random segments past a gap that never fills: after each, the ACK it
 * draws reports the block holding it first, then the blocks holding the
 * two arrivals before it that started elsewhere (RFC 2018 4), then the
 * others in sequence order, as many as fit, each block once. */
START_TEST(sack_block_order)
{
	sy_err err;
	sy_tcb *c;
	uint32_t base, recent[3] = { 0 };
	static uint32_t runs[SPAN][2];

	ck_assert_ptr_nonnull(sy_tcp_listen(eb, 80, 16, SY_SYNCOOKIES_OFF, &err));
	c = sy_tcp_connect(ea, sy_node_addr(b, 0), 80, &err);
	ck_assert_msg(c != NULL, "%s", err.msg);
	ck_assert_int_ne(sy_sim_run(sim, SY_SEC / 10), SY_RUN_FAILED);
	ck_assert_int_eq(c->state, SY_TCP_ESTABLISHED);
	ck_assert(c->sack_ok);
	ck_assert_int_eq(sy_net_observe(net, watch, NULL), 0);
	base = c->rcv_nxt;
	rnd_state = 88172645u;
	memset(held, 0, sizeof held);
	for (int step = 0; step < 400; step++) {
		/* offsets from 1 on: byte 0 (RCV.NXT) never comes */
		uint32_t off = 1 + rnd(SPAN - 200), len = 1 + rnd(120);
		unsigned n, max = c->ts_ok ? 3 : 4, k = 0;
		uint32_t want[3][2];
		sy_tcp_opts o;

		if (off != recent[0]) {
			recent[2] = recent[1];
			recent[1] = recent[0];
		}
		recent[0] = off;
		memset(held + off, 1, len);
		nlast = 0;
		send_to(c, base + off, len);
		sy_sim_run(sim, sy_sim_now(sim) + SY_SEC / 100);
		ck_assert_int_ge(nlast, 1);
		ck_assert_int_eq(sy_tcp_parse_options(last.opt, last.optlen, &o), 0);
		ck_assert_uint_eq(last.ack, base);

		/* the model's blocks, in RFC 2018's order; recent[1] and [2]
		 * are 0 (byte 0: never held) until there were such arrivals */
		n = model_runs(runs, SPAN);
		for (int w = 0; w < 3 && k < max; w++) {
			for (unsigned i = 0; i < n; i++) {
				bool dup = false;

				if (runs[i][0] > recent[w] || recent[w] >= runs[i][1])
					continue;
				for (unsigned j = 0; j < k; j++)
					dup = dup || want[j][0] == runs[i][0];
				if (!dup) {
					want[k][0] = runs[i][0];
					want[k][1] = runs[i][1];
					k++;
				}
			}
		}
		for (unsigned i = 0; i < n && k < max; i++) {
			bool dup = false;

			for (unsigned j = 0; j < k; j++)
				dup = dup || want[j][0] == runs[i][0];
			if (!dup) {
				want[k][0] = runs[i][0];
				want[k][1] = runs[i][1];
				k++;
			}
		}
		ck_assert_uint_eq(o.nsack, k);
		for (unsigned j = 0; j < k; j++) {
			ck_assert_uint_eq(o.sack[j][0], base + want[j][0]);
			ck_assert_uint_eq(o.sack[j][1], base + want[j][1]);
		}
	}
	sy_net_unobserve(net, watch, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ranges");
	TCase *t = tcase_create("ranges");
	TCase *k = tcase_create("sack");

	tcase_add_test(t, ranges_random);
	tcase_add_test(t, ranges_tags);
	suite_add_tcase(s, t);
	tcase_add_checked_fixture(k, setup, teardown);
	tcase_add_test(k, sack_block_order);
	suite_add_tcase(s, k);
	return sy_test_main(s);
}
