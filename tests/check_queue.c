#include "config.h"

/* Queue plugins (queue.h) through their ops table, loaded as modules.
 *
 * The contract tests (FIFO order, counts, flush, stamps) run over every
 * configuration in `confs`, RED included with thresholds it never reaches,
 * so that it must behave as a plain FIFO there.  The RED tests drive the
 * queue from a small model of a link: packets arrive at a constant rate,
 * the transmitter serves one every `svc` ns, an arrival that finds the
 * transmitter idle and the queue empty is sent at once (the queue never
 * sees it, as with a real link), and the queue is offered every other
 * arrival.  Alongside, the test keeps its own average queue length by the
 * formulas of red.c's comment, to say where the drops happened. */

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "packet.h"
#include "param.h"
#include "plugin.h"
#include "queue.h"
#include "rng.h"
#include "vtime.h"
#include "testutil.h"

/* A failing check only; ck_assert records every passing one, which in the
 * loops below would cost more than the queues. */
#define MUST(cond, ...)                                                 \
	do {                                                            \
		if (!(cond))                                            \
			ck_abort_msg(__VA_ARGS__);                      \
	} while (0)

/* ---------------------------------------------------------------- harness */

struct queue {
	sy_instance in;
	const sy_queue_ops *ops;
	void *st;
};

/* Loads, configures and initializes; set ends at a NULL key (may be NULL). */
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

	sy_rng_stream(&r, seed, "check_queue", 0);
	if (q->ops->seed)
		q->ops->seed(q->st, &r);
}

static void free_packet(void *ctx, sy_packet *p)
{
	size_t *n = ctx;

	if (n)
		(*n)++;
	free(p);
}

static void queue_close(struct queue *q)
{
	q->ops->flush(q->st, free_packet, NULL);
	sy_instance_free(&q->in);
}

/* A packet is a plain struct to a queue: only len, next and stamp matter. */
static sy_packet *mkpkt(uint32_t len, uint64_t uid)
{
	sy_packet *p = calloc(1, sizeof *p);

	ck_assert_ptr_nonnull(p);
	p->len = len;
	p->hdr_len = 20;
	p->ip_hlen = 20;
	p->payload_len = len >= 20 ? len - 20 : 0;
	p->uid = uid;
	return p;
}

static void never_drop(void *ctx, sy_packet *p)
{
	ck_abort_msg("queue dropped packet %llu at dequeue",
		     (unsigned long long)p->uid);
}

/* ---------------------------------------------------------------- configs */

struct conf {
	const char *plugin;
	const char *label;
	struct sy_test_setting set[6];
};

/* Limits of 1000 packets at least: the contract tests stay below them. */
static const struct conf confs[] = {
	{ "droptail", "droptail limit=1000",
	  { { "limit", "1000" }, { NULL } } },
	{ "droptail", "droptail limit=1000 bytes=100MB",
	  { { "limit", "1000" }, { "bytes", "100MB" }, { NULL } } },
	{ "red", "red never early",
	  { { "limit", "1000" }, { "min_th", "100000" },
	    { "max_th", "200000" }, { NULL } } },
};

#define NCONFS ((int)(sizeof confs / sizeof confs[0]))

/* ---------------------------------------------------------------- contract */

/* Random enqueues and dequeues against a reference FIFO. */
START_TEST(fifo_order_and_counts)
{
	const struct conf *c = &confs[_i];
	sy_packet *ref[1000];
	size_t head = 0, n = 0, bytes = 0;
	uint64_t uid = 0;
	struct queue q;
	sy_rng r;

	queue_open(&q, c->plugin, c->set);
	sy_rng_stream(&r, 1, "fifo", (uint64_t)_i);
	ck_assert_ptr_null(q.ops->dequeue(q.st, 0, never_drop, NULL));
	for (int step = 0; step < 100000; step++) {
		sy_time now = step * SY_US;

		/* Biased towards enqueues while short, so the queue both
		 * fills and empties repeatedly. */
		if (n < 1000 && sy_rng_below(&r, 100) < (n < 500 ? 60 : 40)) {
			uint32_t len = 40 + (uint32_t)sy_rng_below(&r, 1461);
			sy_packet *p = mkpkt(len, uid++);

			MUST(q.ops->enqueue(q.st, p, now), "%s: refused at %zu",
			     c->label, n);
			MUST(p->stamp == now, "%s: stamp not the arrival time",
			     c->label);
			ref[(head + n++) % 1000] = p;
			bytes += len;
		} else {
			sy_packet *p = q.ops->dequeue(q.st, now, never_drop,
						      NULL);

			if (!n) {
				MUST(!p, "%s: packet out of an empty queue",
				     c->label);
				continue;
			}
			MUST(p == ref[head], "%s: got uid %llu, expected %llu",
			     c->label, (unsigned long long)p->uid,
			     (unsigned long long)ref[head]->uid);
			head = (head + 1) % 1000;
			n--;
			bytes -= p->len;
			free(p);
		}
		MUST(q.ops->packets(q.st) == n, "%s: packets() %zu, expected "
		     "%zu", c->label, q.ops->packets(q.st), n);
		MUST(q.ops->bytes(q.st) == bytes, "%s: bytes() %zu, expected "
		     "%zu", c->label, q.ops->bytes(q.st), bytes);
	}
	queue_close(&q);
}
END_TEST

struct flushed {
	sy_packet *v[64];
	size_t n;
};

static void collect(void *ctx, sy_packet *p)
{
	struct flushed *f = ctx;

	ck_assert_uint_lt(f->n, 64);
	f->v[f->n++] = p;
}

START_TEST(flush_hands_back_everything)
{
	const struct conf *c = &confs[_i];
	struct flushed f = { .n = 0 };
	sy_packet *sent[50];
	struct queue q;

	queue_open(&q, c->plugin, c->set);
	for (int i = 0; i < 50; i++) {
		sent[i] = mkpkt(100 + (uint32_t)i, (uint64_t)i);
		ck_assert(q.ops->enqueue(q.st, sent[i], i));
	}
	q.ops->flush(q.st, collect, &f);
	ck_assert_uint_eq(f.n, 50);
	for (int i = 0; i < 50; i++)
		ck_assert_ptr_eq(f.v[i], sent[i]);
	ck_assert_uint_eq(q.ops->packets(q.st), 0);
	ck_assert_uint_eq(q.ops->bytes(q.st), 0);
	ck_assert_ptr_null(q.ops->dequeue(q.st, 100, never_drop, NULL));
	/* Usable again afterwards. */
	ck_assert(q.ops->enqueue(q.st, f.v[0], 200));
	ck_assert_ptr_eq(q.ops->dequeue(q.st, 300, never_drop, NULL), f.v[0]);
	for (size_t i = 0; i < f.n; i++)
		free(f.v[i]);
	f.n = 0;
	/* Flushing an empty queue calls nothing. */
	q.ops->flush(q.st, collect, &f);
	ck_assert_uint_eq(f.n, 0);
	queue_close(&q);
}
END_TEST

/* ---------------------------------------------------------------- droptail */

START_TEST(droptail_packet_limit)
{
	static const struct sy_test_setting set[] = { { "limit", "5" }, { NULL } };
	sy_packet *extra = mkpkt(1500, 99);
	struct queue q;

	queue_open(&q, "droptail", set);
	for (int i = 0; i < 5; i++)
		ck_assert(q.ops->enqueue(q.st, mkpkt(1500, (uint64_t)i), 0));
	ck_assert_uint_eq(q.ops->packets(q.st), 5);
	ck_assert_uint_eq(q.ops->bytes(q.st), 7500);
	/* Refusals leave the queue as it was, however many. */
	for (int i = 0; i < 10; i++)
		ck_assert(!q.ops->enqueue(q.st, extra, 1));
	ck_assert_uint_eq(q.ops->packets(q.st), 5);
	ck_assert_uint_eq(q.ops->bytes(q.st), 7500);
	/* One out makes room for exactly one. */
	free(q.ops->dequeue(q.st, 2, never_drop, NULL));
	ck_assert(q.ops->enqueue(q.st, extra, 3));
	extra = mkpkt(40, 100);
	ck_assert(!q.ops->enqueue(q.st, extra, 4));
	free(extra);
	queue_close(&q);
}
END_TEST

START_TEST(droptail_limit_one)
{
	static const struct sy_test_setting set[] = { { "limit", "1" }, { NULL } };
	sy_packet *a = mkpkt(100, 1), *b = mkpkt(100, 2);
	struct queue q;

	queue_open(&q, "droptail", set);
	ck_assert(q.ops->enqueue(q.st, a, 0));
	ck_assert(!q.ops->enqueue(q.st, b, 0));
	ck_assert_ptr_eq(q.ops->dequeue(q.st, 1, never_drop, NULL), a);
	ck_assert(q.ops->enqueue(q.st, b, 2));
	free(a);
	queue_close(&q);
}
END_TEST

START_TEST(droptail_byte_limit)
{
	static const struct sy_test_setting set[] = {
		{ "limit", "100" }, { "bytes", "2500B" }, { NULL }
	};
	sy_packet *big = mkpkt(1000, 9), *one = mkpkt(21, 10);
	struct queue q;

	queue_open(&q, "droptail", set);
	ck_assert(q.ops->enqueue(q.st, mkpkt(1000, 1), 0));
	ck_assert(q.ops->enqueue(q.st, mkpkt(1000, 2), 0));
	/* 3000 would exceed 2500 ... */
	ck_assert(!q.ops->enqueue(q.st, big, 0));
	/* ... while reaching it exactly does not. */
	ck_assert(q.ops->enqueue(q.st, mkpkt(500, 3), 0));
	ck_assert_uint_eq(q.ops->bytes(q.st), 2500);
	ck_assert(!q.ops->enqueue(q.st, one, 0));
	ck_assert_uint_eq(q.ops->packets(q.st), 3);
	free(q.ops->dequeue(q.st, 1, never_drop, NULL));
	ck_assert(q.ops->enqueue(q.st, big, 2));
	ck_assert_uint_eq(q.ops->bytes(q.st), 2500);
	free(one);
	queue_close(&q);
}
END_TEST

START_TEST(droptail_both_limits)
{
	static const struct sy_test_setting set[] = {
		{ "limit", "3" }, { "bytes", "10KB" }, { NULL }
	};
	sy_packet *x = mkpkt(40, 9);
	struct queue q;

	/* Small packets: the packet limit binds first. */
	queue_open(&q, "droptail", set);
	for (int i = 0; i < 3; i++)
		ck_assert(q.ops->enqueue(q.st, mkpkt(40, (uint64_t)i), 0));
	ck_assert(!q.ops->enqueue(q.st, x, 0));
	free(x);
	queue_close(&q);
}
END_TEST

START_TEST(droptail_bad_params)
{
	const sy_plugin *p;
	sy_instance in;
	sy_value v = { .type = SY_V_STRING, .u.s = "0" };
	sy_err err;

	p = sy_plugin_load("queue", "droptail", &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(sy_instance_new(&in, p, &err), 0);
	ck_assert_int_eq(sy_instance_set(&in, "limit", &v, "t", &err), -1);
	ck_assert_msg(strstr(err.msg, "limit") && strstr(err.msg, "minimum"),
		      "%s", err.msg);
	v.u.s = "1000";  /* a size needs its unit */
	ck_assert_int_eq(sy_instance_set(&in, "bytes", &v, "t", &err), -1);
	ck_assert_msg(strstr(err.msg, "bytes"), "%s", err.msg);
	sy_instance_free(&in);
}
END_TEST

/* ---------------------------------------------------------------- RED */

/* What the test knows of a RED configuration, for its own average. */
struct redpar {
	double weight;
	double min_th, max_th;
	double pkt_time;  /* ns per mean_pktsize packet at rate */
};

struct redsim {
	uint64_t offered;       /* arrivals offered to the queue */
	uint64_t refused;
	uint64_t early_below;   /* early drops with avg < min_th (must be 0) */
	uint64_t early_band;    /* early drops with min_th <= avg < max_th */
	uint64_t early_above;
	uint64_t full;          /* refusals with the queue at limit */
	size_t max_len;
	double avg_q2, avg_q3, avg_q4; /* mean avg over the last 3 quarters */
	unsigned char *verdicts; /* one per arrival: 1 refused; may be NULL */
};

/* Arrivals every ia ns, narr of them, into a link that sends one packet
 * every svc ns. */
static void red_run(struct queue *q, const struct redpar *rp, size_t limit,
		    sy_time ia, sy_time svc, uint64_t narr,
		    struct redsim *out)
{
	bool busy = false;
	sy_time busy_until = 0, idle_since = 0;
	double avg = 0, sum[4] = { 0 };
	uint64_t nsum[4] = { 0 };
	uint64_t k = 0;

	while (k < narr) {
		sy_time t_arr = (sy_time)k * ia;

		/* The transmitter frees first on a tie. */
		if (busy && busy_until <= t_arr) {
			sy_time now = busy_until;
			sy_packet *p = q->ops->dequeue(q->st, now, never_drop,
						       NULL);

			if (p) {
				free(p);
				busy_until = now + svc;
				if (q->ops->packets(q->st) == 0)
					idle_since = now;
			} else {
				busy = false;
			}
			continue;
		}
		if (!busy && q->ops->packets(q->st) == 0) {
			busy = true;
			busy_until = t_arr + svc;
			if (out->verdicts)
				out->verdicts[k] = 0;
			k++;
			continue;
		}

		size_t n = q->ops->packets(q->st);
		sy_packet *p = mkpkt(1000, k);
		bool took;

		if (n == 0) {
			avg *= pow(1 - rp->weight,
				   (double)(t_arr - idle_since) / rp->pkt_time);
			idle_since = t_arr;
		}
		avg = (1 - rp->weight) * avg + rp->weight * (double)n;
		took = q->ops->enqueue(q->st, p, t_arr);
		out->offered++;
		if (!took) {
			free(p);
			out->refused++;
			if (n >= limit)
				out->full++;
			else if (avg < rp->min_th - 1e-9)
				out->early_below++;
			else if (avg < rp->max_th)
				out->early_band++;
			else
				out->early_above++;
		}
		if (q->ops->packets(q->st) > out->max_len)
			out->max_len = q->ops->packets(q->st);
		sum[k * 4 / narr] += avg;
		nsum[k * 4 / narr]++;
		if (out->verdicts)
			out->verdicts[k] = !took;
		k++;
	}
	out->avg_q2 = nsum[1] ? sum[1] / (double)nsum[1] : 0;
	out->avg_q3 = nsum[2] ? sum[2] / (double)nsum[2] : 0;
	out->avg_q4 = nsum[3] ? sum[3] / (double)nsum[3] : 0;
}

/* Defaults: weight 0.002, min_th 5, max_th 15, 1000B at 10Mbps. */
static const struct redpar red_defaults = {
	.weight = 0.002, .min_th = 5, .max_th = 15, .pkt_time = 800000.0,
};

/* 1000 packets/s into a link that serves 950/s: 5% must go, and in the
 * steady state RED takes them early, with the average between the
 * thresholds rather than at the hard limit.  50000 arrivals are 100 time
 * constants of the average (1/weight = 500 arrivals). */
START_TEST(red_overload_converges)
{
	struct redsim s = { 0 };
	struct queue q;

	queue_open(&q, "red", NULL);
	queue_seed(&q, 42);
	red_run(&q, &red_defaults, 100, SY_MS, 1052632, 50000, &s);
	ck_assert_uint_eq(s.early_below, 0);
	ck_assert_uint_eq(s.full, 0);
	ck_assert_uint_gt(s.early_band, 0);
	/* Converged: the third and fourth quarters agree within half a
	 * packet, and both lie between the thresholds. */
	ck_assert_msg(fabs(s.avg_q3 - s.avg_q4) < 0.5, "avg %.3f then %.3f",
		      s.avg_q3, s.avg_q4);
	ck_assert_msg(s.avg_q4 > 5 && s.avg_q4 < 15, "avg %.3f", s.avg_q4);
	/* Throughput: what is let in equals what the link sends, so the
	 * drop fraction is 1 - 950/1000 (the first quarter's transient and
	 * the queue left at the end make up the slack). */
	ck_assert_msg(fabs((double)s.refused / 50000.0 - 0.05) < 0.005,
		      "%llu refused of 50000", (unsigned long long)s.refused);
	queue_close(&q);
}
END_TEST

/* A link that keeps up, and bursts that never lift the average to min_th
 * (5 packets at once, the last of which sees 4 queued, then the link
 * drains them): no drop ever. */
START_TEST(red_below_min_th_never_drops)
{
	/* weight 1 makes avg the instantaneous length: at most 4 < 5. */
	static const struct sy_test_setting w1[] = { { "weight", "1" }, { NULL } };
	struct redsim s = { 0 };
	struct queue q;
	sy_time now = 0;

	queue_open(&q, "red", NULL);
	queue_seed(&q, 1);
	red_run(&q, &red_defaults, 100, SY_MS, 900 * SY_US, 20000, &s);
	ck_assert_uint_eq(s.refused, 0);
	queue_close(&q);

	queue_open(&q, "red", w1);
	queue_seed(&q, 1);
	for (int burst = 0; burst < 10000; burst++) {
		for (int i = 0; i < 5; i++)
			MUST(q.ops->enqueue(q.st, mkpkt(1000, (uint64_t)i),
					    now), "burst %d: refused %d",
			     burst, i);
		while (q.ops->packets(q.st)) {
			now += 800 * SY_US;
			free(q.ops->dequeue(q.st, now, never_drop, NULL));
		}
	}
	queue_close(&q);
}
END_TEST

START_TEST(red_hard_limit)
{
	static const struct sy_test_setting set[] = {
		{ "limit", "10" }, { "weight", "0.0001" }, { NULL }
	};
	sy_packet *x = mkpkt(1000, 99);
	struct queue q;

	/* With so small a weight the average stays near 0 (below 0.005):
	 * only the buffer refuses. */
	queue_open(&q, "red", set);
	queue_seed(&q, 7);
	for (int i = 0; i < 10; i++)
		ck_assert(q.ops->enqueue(q.st, mkpkt(1000, (uint64_t)i), 0));
	for (int i = 0; i < 1000; i++)
		MUST(!q.ops->enqueue(q.st, x, i), "accepted beyond the limit");
	ck_assert_uint_eq(q.ops->packets(q.st), 10);
	free(q.ops->dequeue(q.st, 2000, never_drop, NULL));
	ck_assert(q.ops->enqueue(q.st, x, 2001));
	queue_close(&q);
}
END_TEST

/* weight 1: avg is the length seen by each arrival.  Without gentle, an
 * arrival that sees max_th packets is always dropped, so the queue never
 * grows beyond max_th; with gentle, beyond 2*max_th. */
START_TEST(red_forced_drops)
{
	static const struct sy_test_setting hard[] = {
		{ "weight", "1" }, { "gentle", "false" }, { NULL }
	};
	static const struct sy_test_setting gentle[] = { { "weight", "1" }, { NULL } };
	size_t maxlen_gentle = 0;
	struct queue q;

	for (uint64_t seed = 0; seed < 20; seed++) {
		queue_open(&q, "red", hard);
		queue_seed(&q, seed);
		for (int i = 0; i < 2000; i++) {
			sy_packet *p = mkpkt(1000, (uint64_t)i);
			size_t n = q.ops->packets(q.st);
			bool took = q.ops->enqueue(q.st, p, i);

			MUST(n >= 5 || took, "early drop below min_th");
			MUST(n < 15 || !took, "took a packet at max_th");
			if (!took)
				free(p);
		}
		ck_assert_uint_le(q.ops->packets(q.st), 15);
		queue_close(&q);

		queue_open(&q, "red", gentle);
		queue_seed(&q, seed);
		for (int i = 0; i < 2000; i++) {
			sy_packet *p = mkpkt(1000, (uint64_t)i);
			size_t n = q.ops->packets(q.st);
			bool took = q.ops->enqueue(q.st, p, i);

			MUST(n < 30 || !took, "took a packet at 2*max_th");
			if (!took)
				free(p);
		}
		if (q.ops->packets(q.st) > maxlen_gentle)
			maxlen_gentle = q.ops->packets(q.st);
		queue_close(&q);
	}
	/* 2000 arrivals each of 20 runs: gentle lets the queue past max_th. */
	ck_assert_uint_gt(maxlen_gentle, 15);
}
END_TEST

/* The count spacing of drops.  weight 1 and a queue held at 10 packets
 * (each accepted arrival lets one packet out) fix avg at 10, so pb =
 * 0.1 (10 - 5)/(15 - 5) = 0.05.  After a drop, the g-th arrival is
 * reached undropped with probability prod_{c<g} (1 - pb/(1 - c pb)) =
 * (1 - g pb)/(1 - pb): the gap between drops is uniform on 1..19 (mean
 * 10, standard deviation 5.48), never longer.  Independent drops would
 * give geometric gaps of mean 20.  50000 arrivals make about 5000 gaps:
 * standard error of the mean 0.078, tolerance 5 of them. */
START_TEST(red_drop_spacing)
{
	static const struct sy_test_setting set[] = {
		{ "weight", "1" }, { "gentle", "false" }, { NULL }
	};
	uint64_t last = 0, gaps = 0, sum = 0, longest = 0;
	bool first = true;
	struct queue q;
	double mean;

	queue_open(&q, "red", set);
	queue_seed(&q, 3);
	while (q.ops->packets(q.st) < 10) {
		sy_packet *p = mkpkt(1000, 0);

		if (!q.ops->enqueue(q.st, p, 0))
			free(p);
	}
	for (uint64_t i = 1; i <= 50000; i++) {
		sy_packet *p = mkpkt(1000, i);

		if (q.ops->enqueue(q.st, p, (sy_time)i)) {
			free(q.ops->dequeue(q.st, (sy_time)i, never_drop,
					    NULL));
			continue;
		}
		free(p);
		/* The first gap started before the queue reached 10. */
		if (!first) {
			gaps++;
			sum += i - last;
			if (i - last > longest)
				longest = i - last;
		}
		first = false;
		last = i;
	}
	mean = (double)sum / (double)gaps;
	ck_assert_msg(longest <= 19, "a gap of %llu arrivals between drops",
		      (unsigned long long)longest);
	ck_assert_msg(fabs(mean - 10) <= 5 * 5.48 / sqrt((double)gaps),
		      "mean gap %.3f over %llu gaps", mean,
		      (unsigned long long)gaps);
	queue_close(&q);
}
END_TEST

/* max_p 0 and no gentle range make RED deterministic: an arrival is
 * refused exactly when avg >= max_th.  Filled at one instant, the queue
 * stops when avg reaches 10; refused arrivals then pull avg towards the
 * length (about 19).  Drained, the next arrival sees avg decayed by
 * (1 - w)^m times one more update: m = 0 right away (still refused); after
 * 100 ms at 10Mbps, m = 125 packets of 1000B (0.9^126 * 19 < 1e-4: taken);
 * after 100 ms at 1bps, m = 0.1/8000 (refused). */
START_TEST(red_idle_decay)
{
	static const char *const rates[] = { "10Mbps", "10Mbps", "1bps" };
	static const sy_time idle[] = { 0, 100 * SY_MS, 100 * SY_MS };
	static const bool taken[] = { false, true, false };

	for (int c = 0; c < 3; c++) {
		const struct sy_test_setting set[] = {
			{ "weight", "0.1" }, { "min_th", "1" },
			{ "max_th", "10" }, { "max_p", "0" },
			{ "gentle", "false" }, { "rate", rates[c] }, { NULL }
		};
		struct queue q;
		size_t n;
		sy_packet *p;

		queue_open(&q, "red", set);
		for (int i = 0; i < 300; i++) {
			p = mkpkt(1000, (uint64_t)i);
			if (!q.ops->enqueue(q.st, p, 0))
				free(p);
		}
		n = q.ops->packets(q.st);
		ck_assert_msg(n >= 15 && n <= 25, "stopped at %zu", n);
		while ((p = q.ops->dequeue(q.st, SY_MS, never_drop, NULL)))
			free(p);
		p = mkpkt(1000, 1000);
		ck_assert_msg(q.ops->enqueue(q.st, p, SY_MS + idle[c]) ==
			      taken[c], "case %d: rate %s, idle %lld ns", c,
			      rates[c], (long long)idle[c]);
		if (!taken[c])
			free(p);
		queue_close(&q);
	}
}
END_TEST

/* The drop pattern is a function of the seed. */
START_TEST(red_reproducible)
{
	enum { N = 20000 };
	unsigned char *v[3];
	uint64_t seeds[3] = { 5, 5, 6 };

	for (int i = 0; i < 3; i++) {
		struct redsim s = { 0 };
		struct queue q;

		v[i] = calloc(N, 1);
		ck_assert_ptr_nonnull(v[i]);
		s.verdicts = v[i];
		queue_open(&q, "red", NULL);
		queue_seed(&q, seeds[i]);
		red_run(&q, &red_defaults, 100, SY_MS, 1052632, N, &s);
		ck_assert_uint_gt(s.early_band, 0);
		queue_close(&q);
	}
	ck_assert(memcmp(v[0], v[1], N) == 0);
	ck_assert(memcmp(v[0], v[2], N) != 0);
	for (int i = 0; i < 3; i++)
		free(v[i]);
}
END_TEST

static void red_init_fails(const struct sy_test_setting *set, const char *want)
{
	const sy_plugin *p;
	sy_instance in;
	sy_err err;

	p = sy_plugin_load("queue", "red", &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(sy_instance_new(&in, p, &err), 0);
	for (; set->key; set++) {
		sy_value v = { .type = SY_V_STRING, .u.s = set->val };

		ck_assert_msg(sy_instance_set(&in, set->key, &v, "t", &err) ==
			      0, "%s", err.msg);
	}
	ck_assert_int_eq(sy_instance_init(&in, NULL, &err), -1);
	ck_assert_msg(strstr(err.msg, "queue/red") && strstr(err.msg, want),
		      "%s", err.msg);
	sy_instance_free(&in);
}

START_TEST(red_bad_params)
{
	static const struct sy_test_setting eq[] = {
		{ "min_th", "15" }, { NULL }
	};
	static const struct sy_test_setting inv[] = {
		{ "min_th", "20" }, { "max_th", "10" }, { NULL }
	};
	static const struct sy_test_setting w0[] = { { "weight", "0" }, { NULL } };

	red_init_fails(eq, "min_th");
	red_init_fails(inv, "max_th");
	red_init_fails(w0, "weight");
}
END_TEST

/* ---------------------------------------------------------------- main */

static Suite *queue_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *contract = tcase_create("contract");
	TCase *droptail = tcase_create("droptail");
	TCase *red = tcase_create("red");

	/* Generous: the sanitizer build is several times slower. */
	tcase_set_timeout(contract, 120);
	tcase_set_timeout(red, 120);
	tcase_add_loop_test(contract, fifo_order_and_counts, 0, NCONFS);
	tcase_add_loop_test(contract, flush_hands_back_everything, 0, NCONFS);
	tcase_add_test(droptail, droptail_packet_limit);
	tcase_add_test(droptail, droptail_limit_one);
	tcase_add_test(droptail, droptail_byte_limit);
	tcase_add_test(droptail, droptail_both_limits);
	tcase_add_test(droptail, droptail_bad_params);
	tcase_add_test(red, red_overload_converges);
	tcase_add_test(red, red_below_min_th_never_drops);
	tcase_add_test(red, red_hard_limit);
	tcase_add_test(red, red_forced_drops);
	tcase_add_test(red, red_drop_spacing);
	tcase_add_test(red, red_idle_decay);
	tcase_add_test(red, red_reproducible);
	tcase_add_test(red, red_bad_params);
	suite_add_tcase(s, contract);
	suite_add_tcase(s, droptail);
	suite_add_tcase(s, red);
	return s;
}

int main(void)
{
	return sy_test_main(queue_suite());
}
