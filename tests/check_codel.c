#include "config.h"

/* queue/codel (RFC 8289), queue/fq_codel (RFC 8290) and RED's ECN marking,
 * driven through their ops tables with synthetic packets and times.
 *
 * Packets are real IPv4/TCP datagrams (sy_tcp_build) with a virtual
 * payload, so that ECN marks can be read back and the flow hash has
 * 5-tuples to work on.  A "standing queue" is a backlog filled at one
 * instant, after which every `SVC` one packet arrives and one is asked for:
 * the length stays put (less the drops) and the sojourn time stays well
 * above target.  Expected drop instants are computed here from the RFC's
 * formulas: entering the dropping state one interval after the sojourn
 * time first reached target, then drop k at the first dequeue at or after
 * D_k = D_(k-1) + interval/sqrt(k). */

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "packet.h"
#include "plugin.h"
#include "queue.h"
#include "rng.h"
#include "vtime.h"
#include "testutil.h"

#define MUST(cond, ...)                                                 \
	do {                                                            \
		if (!(cond))                                            \
			ck_abort_msg(__VA_ARGS__);                      \
	} while (0)

/* RFC 8289's defaults, which the plugins must have too. */
#define TARGET (5 * SY_MS)
#define INTERVAL (100 * SY_MS)
#define SVC (100 * SY_US)

/* ---------------------------------------------------------------- harness */

struct queue {
	sy_instance in;
	const sy_queue_ops *ops;
	void *st;
};

static void queue_open(struct queue *q, const char *name,
		       const struct sy_test_setting *set)
{
	sy_err err;

	ck_assert_msg(sy_test_configure(&q->in, "queue", name, set, &err) == 0,
		      "%s", err.msg);
	ck_assert_msg(sy_instance_init(&q->in, NULL, &err) == 0, "%s", err.msg);
	q->ops = q->in.plugin->ops;
	q->st = q->in.state;
}

static void queue_seed(struct queue *q, uint64_t seed)
{
	sy_rng r;

	sy_rng_stream(&r, seed, "check_codel", 0);
	if (q->ops->seed)
		q->ops->seed(q->st, &r);
}

static void free_packet(void *ctx, sy_packet *p)
{
	free(p);
}

static void queue_close(struct queue *q)
{
	q->ops->flush(q->st, free_packet, NULL);
	sy_instance_free(&q->in);
}

/* A TCP segment of len bytes in all from 10.0.0.src:sport to 10.0.1.1:80
 * with the given TOS byte; uid says which it is. */
static sy_packet *mkpkt(uint32_t len, uint64_t uid, uint32_t src,
			uint16_t sport, uint8_t tos)
{
	sy_packet *p = calloc(1, sizeof *p);
	sy_ipv4 ip = { .src = 0x0a000000 + src, .dst = 0x0a000101,
		       .ttl = 64, .tos = tos };
	sy_tcp tcp = { .sport = sport, .dport = 80, .flags = SY_TCP_ACK,
		       .window = 1000 };

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_ge(len, 40);
	p->payload_len = len - 40;
	p->hdr_len = 40;
	sy_tcp_build(p, &ip, &tcp);
	ck_assert_uint_eq(p->len, len);
	p->uid = uid;
	return p;
}

static uint8_t tos_of(const sy_packet *p)
{
	sy_ipv4 ip;
	sy_err err;

	MUST(sy_ipv4_read(p, &ip, &err) == 0, "packet %llu: %s",
	     (unsigned long long)p->uid, err.msg);
	MUST(sy_tcp_checksum_ok(p), "packet %llu: bad TCP checksum",
	     (unsigned long long)p->uid);
	return ip.tos;
}

/* What a queue did: drops (through the callback) and CE marks (on the
 * packets it sent), each with the time of the dequeue. */
#define EVMAX 4096
struct log {
	sy_time now;
	sy_time drop_t[EVMAX], mark_t[EVMAX];
	uint64_t drop_uid[EVMAX];
	size_t drops, marks, sent;
	uint8_t sent_tos;       /* ECN bits packets are sent with */
};

static void log_drop(void *ctx, sy_packet *p)
{
	struct log *l = ctx;

	MUST(l->drops < EVMAX, "too many drops");
	l->drop_uid[l->drops] = p->uid;
	l->drop_t[l->drops++] = l->now;
	free(p);
}

/* One dequeue at now; returns the packet (the caller frees it). */
static sy_packet *deq(struct queue *q, struct log *l, sy_time now)
{
	sy_packet *p;

	l->now = now;
	p = q->ops->dequeue(q->st, now, log_drop, l);
	if (p) {
		uint8_t ecn = tos_of(p) & 3;

		l->sent++;
		if (ecn == 3 && l->sent_tos != 3) {
			MUST(l->marks < EVMAX, "too many marks");
			l->mark_t[l->marks++] = now;
		} else {
			MUST(ecn == l->sent_tos, "ECN bits %u changed to %u",
			     l->sent_tos, ecn);
		}
	}
	return p;
}

/* A standing queue from t0 for steps * SVC: backlog packets arrive at t0,
 * then one arrives and one is asked for at each t0 + k SVC.  Returns the
 * last step's time. */
static sy_time standing(struct queue *q, struct log *l, sy_time t0,
			int backlog, int steps, uint8_t tos, uint64_t *uid)
{
	sy_time t = t0;

	for (int i = 0; i < backlog; i++)
		MUST(q->ops->enqueue(q->st, mkpkt(1000, (*uid)++, 1, 1000, tos),
				     t0), "backlog refused at %d", i);
	for (int k = 1; k <= steps; k++) {
		t = t0 + k * SVC;
		MUST(q->ops->enqueue(q->st, mkpkt(1000, (*uid)++, 1, 1000, tos),
				     t), "refused at step %d", k);
		free(deq(q, l, t));
	}
	return t;
}

/* The first step at or after x (steps at t0 + k SVC). */
static sy_time step_at(sy_time t0, double x)
{
	return t0 + (sy_time)ceil((x - (double)t0) / (double)SVC) * SVC;
}

/* Checks the events ev[0..n) of a standing queue started at t0 with an
 * empty CoDel state (count c0 at entry) against the control law, up to
 * the time end. */
static void check_law(const sy_time *ev, size_t n, sy_time t0, sy_time end,
		      uint32_t c0, const char *what)
{
	/* The sojourn time of the backlog's packets reaches target at the
	 * first step >= t0 + TARGET; the first drop is an interval later. */
	sy_time first = step_at(t0, (double)(step_at(t0, (double)(t0 + TARGET)) +
					   INTERVAL));
	double d = (double)first; /* D_k, the time of the k-th drop due */
	size_t k = 0;

	MUST(n > 0, "%s: nothing dropped or marked", what);
	for (;; k++) {
		sy_time want = step_at(t0, d);

		if (want > end)
			break;
		MUST(k < n, "%s: %zu events, expected one more at %lld ns",
		     what, n, (long long)want);
		MUST(ev[k] == want, "%s: event %zu at %lld ns, expected %lld "
		     "(count %u)", what, k, (long long)ev[k], (long long)want,
		     (unsigned)(c0 + k));
		/* After event k the count is c0 + k. */
		d += (double)INTERVAL / sqrt((double)(c0 + k));
	}
	MUST(k == n, "%s: %zu events, expected %zu", what, n, k);
}

/* ---------------------------------------------------------------- codel */

static const char *const aqms[] = { "codel", "fq_codel" };
#define NAQMS ((int)(sizeof aqms / sizeof aqms[0]))

/* A standing queue of 2 s (900 packets, 90 ms): drops exactly at the
 * control law's instants, for every queue that runs CoDel (fq_codel with
 * a single flow is CoDel alone). */
START_TEST(control_law_drop_times)
{
	struct log *l = calloc(1, sizeof *l);
	uint64_t uid = 0;
	struct queue q;
	sy_time end;

	queue_open(&q, aqms[_i], NULL);
	queue_seed(&q, 1);
	end = standing(&q, l, 0, 900, 20000, 0, &uid);
	ck_assert_uint_eq(l->marks, 0);
	check_law(l->drop_t, l->drops, 0, end, 1, aqms[_i]);
	/* sqrt growth: about (2 s / (2 interval))^2 drops, not 20. */
	ck_assert_msg(l->drops >= 60, "%zu drops", l->drops);
	queue_close(&q);
	free(l);
}
END_TEST

/* Sojourn time 4 ms forever: no drop.  5 ms (the target itself is not
 * below target): one drop, an interval after the first 5 ms, which leaves
 * 4.9 ms: no more. */
START_TEST(no_drop_below_target)
{
	for (int backlog = 40; backlog <= 50; backlog += 10) {
		struct log *l = calloc(1, sizeof *l);
		uint64_t uid = 0;
		struct queue q;
		sy_time end;

		queue_open(&q, aqms[_i], NULL);
		end = standing(&q, l, 0, backlog, 20000, 0, &uid);
		if (backlog == 40)
			ck_assert_msg(l->drops == 0, "%s: %zu drops at 4 ms",
				      aqms[_i], l->drops);
		else
			ck_assert_msg(l->drops == 1 &&
				      l->drop_t[0] == TARGET + INTERVAL,
				      "%s: %zu drops, the first at %lld ns",
				      aqms[_i], l->drops,
				      (long long)l->drop_t[0]);
		ck_assert_int_eq(end, 20000 * SVC);
		queue_close(&q);
		free(l);
	}
}
END_TEST

/* One 1000-byte packet left behind the departing one, sojourn time 10 ms
 * for 10 s: at most an MTU stays, so no drop.  With mtu = 500B the same
 * queue is dropped from. */
START_TEST(no_drop_at_one_mtu)
{
	static const struct sy_test_setting small[] = {
		{ "mtu", "500B" }, { NULL }
	};

	for (int c = 0; c < 2; c++) {
		struct log *l = calloc(1, sizeof *l);
		struct queue q;

		queue_open(&q, aqms[_i], c ? small : NULL);
		for (int k = 0; k < 1000; k++) {
			sy_time t = k * 10 * SY_MS;

			ck_assert(q.ops->enqueue(q.st, mkpkt(1000, (uint64_t)k,
							     1, 1000, 0), t));
			if (q.ops->packets(q.st) >= 2)
				free(deq(&q, l, t));
		}
		if (c == 0)
			ck_assert_msg(l->drops == 0, "%s: %zu drops with one "
				      "MTU queued", aqms[_i], l->drops);
		else
			ck_assert_msg(l->drops > 10, "%s, mtu 500B: %zu drops",
				      aqms[_i], l->drops);
		queue_close(&q);
		free(l);
	}
}
END_TEST

/* Count reuse (RFC 8289 5.6): a 1 s episode of n drops, the queue drained
 * (which leaves the dropping state), and a standing queue again.  Back
 * 50 ms later, the new episode starts at count n - 1 (its second drop
 * interval/sqrt(n - 1) after the first); 2 s later (more than 16
 * intervals) at count 1. */
START_TEST(count_reuse_on_reentry)
{
	static const sy_time gap[] = { 50 * SY_MS, 2000 * SY_MS };

	for (int c = 0; c < 2; c++) {
		struct log *l = calloc(1, sizeof *l);
		uint64_t uid = 0;
		struct queue q;
		sy_time t1, t2, end;
		sy_packet *p;
		size_t n1;

		queue_open(&q, aqms[_i], NULL);
		t1 = standing(&q, l, 0, 900, 10000, 0, &uid);
		while ((p = deq(&q, l, t1)))
			free(p);
		n1 = l->drops;
		ck_assert_msg(n1 > 10, "%zu drops in the first episode", n1);
		t2 = t1 + gap[c];
		end = standing(&q, l, t2, 900, 10000, 0, &uid);
		check_law(l->drop_t + n1, l->drops - n1, t2, end,
			  c == 0 ? (uint32_t)(n1 - 1) : 1, aqms[_i]);
		queue_close(&q);
		free(l);
	}
}
END_TEST

/* ECN: with ecn on, ECT(0) and ECT(1) packets are marked CE at the
 * law's instants (valid header checksum, nothing dropped); Not-ECT ones
 * are dropped; with ecn off ECT ones are dropped. */
START_TEST(ecn_marks_instead_of_drops)
{
	static const struct sy_test_setting on[] = {
		{ "ecn", "true" }, { NULL }
	};
	static const struct {
		bool ecn;
		uint8_t tos;
		bool marks;
	} cases[] = {
		{ true, 0x02, true }, { true, 0x01, true }, { true, 0xb9, true },
		{ true, 0x00, false }, { true, 0xb8, false },
		{ false, 0x02, false },
	};

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct log *l = calloc(1, sizeof *l);
		uint64_t uid = 0;
		struct queue q;
		sy_time end;
		char what[64];

		snprintf(what, sizeof what, "%s ecn=%d tos=0x%02x", aqms[_i],
			 cases[c].ecn, cases[c].tos);
		queue_open(&q, aqms[_i], cases[c].ecn ? on : NULL);
		l->sent_tos = cases[c].tos & 3;
		end = standing(&q, l, 0, 900, 20000, cases[c].tos, &uid);
		if (cases[c].marks) {
			ck_assert_msg(l->drops == 0, "%s: %zu drops", what,
				      l->drops);
			check_law(l->mark_t, l->marks, 0, end, 1, what);
		} else {
			ck_assert_msg(l->marks == 0, "%s: %zu marks", what,
				      l->marks);
			check_law(l->drop_t, l->drops, 0, end, 1, what);
		}
		queue_close(&q);
		free(l);
	}
}
END_TEST

/* The packet limit is a tail drop at enqueue. */
START_TEST(codel_packet_limit)
{
	static const struct sy_test_setting set[] = {
		{ "limit", "5" }, { NULL }
	};
	sy_packet *extra = mkpkt(100, 99, 1, 1000, 0);
	struct queue q;

	queue_open(&q, "codel", set);
	for (int i = 0; i < 5; i++)
		ck_assert(q.ops->enqueue(q.st, mkpkt(100, (uint64_t)i, 1,
						     1000, 0), 0));
	ck_assert(!q.ops->enqueue(q.st, extra, 0));
	ck_assert_uint_eq(q.ops->packets(q.st), 5);
	ck_assert_uint_eq(q.ops->bytes(q.st), 500);
	free(extra);
	queue_close(&q);
}
END_TEST

static void init_fails(const char *name, const struct sy_test_setting *set,
		       const char *want)
{
	sy_instance in;
	sy_err err;

	ck_assert_msg(sy_test_configure(&in, "queue", name, set, &err) == 0,
		      "%s", err.msg);
	ck_assert_int_eq(sy_instance_init(&in, NULL, &err), -1);
	ck_assert_msg(strstr(err.msg, name) && strstr(err.msg, want),
		      "%s", err.msg);
	sy_instance_free(&in);
}

START_TEST(bad_params_and_descriptors)
{
	static const struct sy_test_setting eq[] = {
		{ "target", "100ms" }, { NULL }
	};

	sy_test_descriptor("queue", aqms[_i]);
	init_fails(aqms[_i], eq, "'target'");
}
END_TEST

/* ---------------------------------------------------------------- red */

/* RED made deterministic (max_p 0, no gentle range: an early drop exactly
 * when avg >= max_th) and offered 300 packets at one instant.  Without
 * marking it stops near 20 packets; with ecn on, ECT packets are marked
 * from there on and taken until the buffer (100) is full, after which
 * they are refused all the same. */
START_TEST(red_ecn)
{
	static const struct {
		const char *ecn;
		uint8_t tos;
		bool marks;
	} cases[] = {
		{ "true", 0x02, true }, { "true", 0x01, true },
		{ "true", 0x00, false }, { "false", 0x02, false },
	};

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const struct sy_test_setting set[] = {
			{ "weight", "0.1" }, { "min_th", "1" },
			{ "max_th", "10" }, { "max_p", "0" },
			{ "gentle", "false" }, { "limit", "100" },
			{ "ecn", cases[c].ecn }, { NULL }
		};
		size_t taken = 0, marked = 0, first_mark = 0;
		struct queue q;
		sy_packet *p;

		queue_open(&q, "red", set);
		for (int i = 0; i < 300; i++) {
			p = mkpkt(1000, (uint64_t)i, 1, 1000, cases[c].tos);
			if (q.ops->enqueue(q.st, p, 0))
				taken++;
			else
				free(p);
		}
		for (size_t i = 0; (p = q.ops->dequeue(q.st, SY_MS, free_packet,
						       NULL)); i++) {
			if ((tos_of(p) & 3) == 3 && !marked++)
				first_mark = i;
			free(p);
		}
		if (cases[c].marks) {
			ck_assert_uint_eq(taken, 100);
			ck_assert_msg(first_mark >= 10 && first_mark <= 25 &&
				      marked == 100 - first_mark,
				      "case %zu: first mark %zu, %zu marked",
				      c, first_mark, marked);
		} else {
			ck_assert_msg(taken >= 15 && taken <= 25 && !marked,
				      "case %zu: took %zu, marked %zu", c,
				      taken, marked);
		}
		queue_close(&q);
	}
}
END_TEST

/* ---------------------------------------------------------------- fq_codel */

/* Flow f's packets come from 10.0.0.(f+1):(1000+f). */
static sy_packet *fpkt(int f, uint32_t len, uint64_t uid)
{
	return mkpkt(len, uid, (uint32_t)f + 1, (uint16_t)(1000 + f), 0);
}

#define FLOW_OF(p) ((int)((p)->uid >> 32))
#define UID(f, i) (((uint64_t)(f) << 32) | (uint64_t)(i))

/* Two backlogged flows, 1500-byte and 500-byte packets, 450 kB each, all
 * queued at t = 0 (flow 0 first): deficit round robin gives them equal
 * bytes, the difference never above one quantum plus a packet. */
START_TEST(fq_drr_fairness)
{
	uint64_t sent[2] = { 0, 0 };
	struct log *l = calloc(1, sizeof *l);
	struct queue q;
	sy_packet *p;
	size_t n = 0;

	queue_open(&q, "fq_codel", NULL);
	queue_seed(&q, 1);
	for (int i = 0; i < 300; i++)
		ck_assert(q.ops->enqueue(q.st, fpkt(0, 1500, UID(0, i)), 0));
	for (int i = 0; i < 900; i++)
		ck_assert(q.ops->enqueue(q.st, fpkt(1, 500, UID(1, i)), 0));
	while ((p = deq(&q, l, 0))) {
		sent[FLOW_OF(p)] += p->len;
		n++;
		free(p);
		if (sent[0] < 450000 && sent[1] < 450000)
			MUST(llabs((long long)sent[0] - (long long)sent[1]) <=
			     1514 + 1500, "after %zu packets: %llu and %llu "
			     "bytes", n, (unsigned long long)sent[0],
			     (unsigned long long)sent[1]);
	}
	ck_assert_uint_eq(n, 1200);
	ck_assert_uint_eq(l->drops, 0);
	queue_close(&q);
	free(l);
}
END_TEST

/* Sections 4.2 and 4.3 with quantum 15000B (ten 1500-byte packets a
 * round).  Flows 0 and 1 backlogged; after 25 packets (10 of each, then 5
 * of flow 0 on the old list) a sparse flow 2 sends one packet: it goes
 * first (new list).  Its queue then empties and, being on the new list,
 * moves to the old list's tail instead of leaving the lists: so its next
 * packet, sent right after, waits for flow 0's remaining 4 packets of
 * its round and flow 1's 10. */
START_TEST(fq_new_flow_priority)
{
	static const struct sy_test_setting set[] = {
		{ "quantum", "15000B" }, { NULL }
	};
	struct log *l = calloc(1, sizeof *l);
	int want[25 + 1 + 1 + 14 + 1], nw = 0;
	struct queue q;
	sy_packet *p;

	queue_open(&q, "fq_codel", set);
	queue_seed(&q, 1);
	for (int i = 0; i < 100; i++) {
		ck_assert(q.ops->enqueue(q.st, fpkt(0, 1500, UID(0, i)), 0));
		ck_assert(q.ops->enqueue(q.st, fpkt(1, 1500, UID(1, i)), 0));
	}
	for (int i = 0; i < 10; i++)
		want[nw++] = 0;
	for (int i = 0; i < 10; i++)
		want[nw++] = 1;
	for (int i = 0; i < 5; i++)
		want[nw++] = 0;
	for (int i = 0; i < 25; i++) {
		p = deq(&q, l, 0);
		ck_assert_int_eq(FLOW_OF(p), want[i]);
		free(p);
	}
	ck_assert(q.ops->enqueue(q.st, fpkt(2, 100, UID(2, 0)), 0));
	p = deq(&q, l, 0);
	ck_assert_msg(p->uid == UID(2, 0), "sparse flow not first: flow %d",
		      FLOW_OF(p));
	free(p);
	/* Finds flow 2 empty (to the old list), serves flow 0. */
	p = deq(&q, l, 0);
	ck_assert_int_eq(FLOW_OF(p), 0);
	free(p);
	ck_assert(q.ops->enqueue(q.st, fpkt(2, 100, UID(2, 1)), 0));
	nw = 0;
	for (int i = 0; i < 4; i++)
		want[nw++] = 0;
	for (int i = 0; i < 10; i++)
		want[nw++] = 1;
	want[nw++] = 2;
	for (int i = 0; i < nw; i++) {
		p = deq(&q, l, 0);
		ck_assert_msg(FLOW_OF(p) == want[i], "packet %d after the "
			      "sparse flow's second: flow %d, expected %d", i,
			      FLOW_OF(p), want[i]);
		free(p);
	}
	ck_assert_uint_eq(l->drops, 0);
	queue_close(&q);
	free(l);
}
END_TEST

/* limit 20: flow 0 holds 8 packets of 1500 B, flow 1 12 of 100 B.  One
 * more arrival (flow 1) drops flow 0's head, the most bytes though the
 * fewest packets; the link hears of it at the next dequeue. */
START_TEST(fq_fattest_flow_drop)
{
	static const struct sy_test_setting set[] = {
		{ "limit", "20" }, { NULL }
	};
	struct log *l = calloc(1, sizeof *l);
	struct queue q;
	sy_packet *p;
	size_t n = 0;

	queue_open(&q, "fq_codel", set);
	queue_seed(&q, 1);
	for (int i = 0; i < 8; i++)
		ck_assert(q.ops->enqueue(q.st, fpkt(0, 1500, UID(0, i)), 0));
	for (int i = 0; i < 12; i++)
		ck_assert(q.ops->enqueue(q.st, fpkt(1, 100, UID(1, i)), 0));
	ck_assert_uint_eq(q.ops->packets(q.st), 20);
	ck_assert(q.ops->enqueue(q.st, fpkt(1, 100, UID(1, 12)), 0));
	ck_assert_uint_eq(q.ops->packets(q.st), 20);
	ck_assert_uint_eq(q.ops->bytes(q.st), 7 * 1500 + 13 * 100);
	p = deq(&q, l, 0);
	ck_assert_uint_eq(l->drops, 1);
	ck_assert_uint_eq(l->drop_uid[0], UID(0, 0));
	ck_assert_uint_eq(p->uid, UID(0, 1));
	free(p);
	while ((p = deq(&q, l, 0))) {
		n++;
		free(p);
	}
	ck_assert_uint_eq(n, 19);
	ck_assert_uint_eq(l->drops, 1);
	queue_close(&q);
	free(l);
}
END_TEST

/* 16 sources hashed into 4 queues, random sizes and arrivals, a
 * dequeue every 200 us: the order of departures and drops is a function
 * of the seed. */
static void fq_trace(uint64_t seed, uint64_t *out, size_t n)
{
	static const struct sy_test_setting set[] = {
		{ "flows", "4" }, { "limit", "200" }, { NULL }
	};
	struct log *l = calloc(1, sizeof *l);
	struct queue q;
	size_t k = 0;
	sy_rng r;

	queue_open(&q, "fq_codel", set);
	queue_seed(&q, seed);
	sy_rng_stream(&r, 7, "fq_trace", 0);
	for (int i = 0; k < n; i++) {
		sy_time t = i * 100 * SY_US;
		int f = (int)sy_rng_below(&r, 16);
		size_t d0 = l->drops;

		ck_assert(q.ops->enqueue(q.st, fpkt(f, 40 + (uint32_t)
						    sy_rng_below(&r, 1461),
						    UID(f, i)), t));
		if (i % 2) {
			sy_packet *p = deq(&q, l, t);

			for (size_t d = d0; d < l->drops && k < n; d++)
				out[k++] = l->drop_uid[d] | 1ull << 63;
			if (p && k < n)
				out[k++] = p->uid;
			free(p);
		}
		ck_assert_uint_lt(l->drops, EVMAX - 10);
	}
	queue_close(&q);
	free(l);
}

START_TEST(fq_deterministic)
{
	enum { N = 3000 };
	uint64_t *a = calloc(N, 8), *b = calloc(N, 8), *c = calloc(N, 8);
	size_t drops = 0;

	fq_trace(5, a, N);
	fq_trace(5, b, N);
	fq_trace(6, c, N);
	ck_assert(memcmp(a, b, N * 8) == 0);
	ck_assert(memcmp(a, c, N * 8) != 0);
	for (size_t i = 0; i < N; i++)
		drops += a[i] >> 63;
	/* Overloaded two to one: the trace has drops as well. */
	ck_assert_uint_gt(drops, 0);
	free(a);
	free(b);
	free(c);
}
END_TEST

/* ---------------------------------------------------------------- main */

static Suite *codel_suite(void)
{
	Suite *s = suite_create("codel");
	TCase *codel = tcase_create("codel");
	TCase *fq = tcase_create("fq_codel");
	TCase *red = tcase_create("red");

	/* Generous: the sanitizer build is several times slower. */
	tcase_set_timeout(codel, 120);
	tcase_set_timeout(fq, 120);
	tcase_add_loop_test(codel, control_law_drop_times, 0, NAQMS);
	tcase_add_loop_test(codel, no_drop_below_target, 0, NAQMS);
	tcase_add_loop_test(codel, no_drop_at_one_mtu, 0, NAQMS);
	tcase_add_loop_test(codel, count_reuse_on_reentry, 0, NAQMS);
	tcase_add_loop_test(codel, ecn_marks_instead_of_drops, 0, NAQMS);
	tcase_add_loop_test(codel, bad_params_and_descriptors, 0, NAQMS);
	tcase_add_test(codel, codel_packet_limit);
	tcase_add_test(fq, fq_drr_fairness);
	tcase_add_test(fq, fq_new_flow_priority);
	tcase_add_test(fq, fq_fattest_flow_drop);
	tcase_add_test(fq, fq_deterministic);
	tcase_add_test(red, red_ecn);
	suite_add_tcase(s, codel);
	suite_add_tcase(s, fq);
	suite_add_tcase(s, red);
	return s;
}

int main(void)
{
	return sy_test_main(codel_suite());
}
