/* Random Early Detection (Floyd and Jacobson, "Random Early Detection
 * Gateways for Congestion Avoidance", IEEE/ACM ToN 1(4), 1993), in packet
 * mode: queue lengths and thresholds count packets, whatever their size.
 *
 * On every arrival the average queue length is updated,
 *
 *	avg <- (1 - weight) * avg + weight * q
 *
 * where q is the instantaneous length before the arrival, and the arrival
 * is refused (an early drop) with a probability that grows with avg:
 *
 *	avg < min_th              never
 *	min_th <= avg < max_th    pb = max_p (avg - min_th)/(max_th - min_th)
 *	max_th <= avg < 2 max_th  pb = max_p + (1-max_p)(avg - max_th)/max_th
 *	                          ("gentle" RED; without it this range is a
 *	                          forced drop)
 *	beyond                    always
 *
 * Drops are spread out rather than clustered: with count the number of
 * arrivals accepted since the last drop while avg stayed at or above
 * min_th, the packet is dropped with pa = pb / (1 - count pb) (1 once
 * count pb reaches 1), which makes the gap between drops roughly uniform
 * on 1..1/pb instead of geometric.  count is -1 while avg is below min_th,
 * so that the first arrival above it sees pa = pb, as in the paper.
 *
 * While the queue is empty nothing updates avg, so an arrival to an empty
 * queue first decays it as if m packets had gone by with the queue empty:
 *
 *	avg <- (1 - weight)^m avg,  m = idle time / (mean_pktsize * 8 / rate)
 *
 * The queue does not know the rate of the link it feeds; `rate` is only
 * used here, to turn idle time into a number of small packets, and should
 * be set to the link's rate.  The idle period starts when a dequeue leaves
 * the queue empty (the link then still transmits that last packet, which
 * the paper's q_time also ignores) or, if the queue stays empty, at the
 * previous arrival (so that no idle period is counted twice).  m is a real
 * number, so the decay is continuous in the idle time.  As in ns-2, the
 * arrival then also makes one ordinary update with q = 0.
 *
 * The buffer holds at most `limit` packets; an arrival that avg lets in but
 * finds the queue full is refused too (and, as in ns-2, restarts count).
 * Packets wait in a FIFO list threaded through p->next.
 *
 * With `ecn` on (RFC 3168 7), an early drop of an ECN-capable packet (its
 * IPv4 ECN field ECT(0), ECT(1) or CE) becomes a CE mark: the packet is
 * marked and taken, if there is room (ecn.h).  Not-ECT packets are still
 * dropped, and so is every arrival to a full buffer, ECT or not.
 *
 * Invariants (checked): fifo.n <= limit; avg >= 0; count >= -1, and 0 or
 * more in the range where it is used. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "queue.h"

#include "ecn.h"
#include "fifo.h"

struct red {
	/* parameters */
	double weight;
	int64_t min_th, max_th;
	double max_p;
	int64_t limit;
	bool gentle;
	int64_t mean_pktsize;  /* bytes */
	int64_t rate;          /* bit/s */
	bool ecn;

	sy_rng rng;
	double avg;            /* average queue length, packets */
	int64_t count;         /* since the last drop; -1: avg below min_th */
	sy_time idle_since;    /* meaningful while n == 0 */
	double pkt_time;       /* ns to send a mean_pktsize packet at rate */

	struct sy_fifo fifo;
};

static int red_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct red *q = st;

	if (!(q->weight > 0))
		return sy_err_set(err, "parameter 'weight': must be above 0");
	if (q->min_th >= q->max_th)
		return sy_err_set(err, "parameter 'min_th' (%lld) must be "
				  "below 'max_th' (%lld)",
				  (long long)q->min_th, (long long)q->max_th);
	q->pkt_time = (double)q->mean_pktsize * 8.0 * 1e9 / (double)q->rate;
	q->avg = 0;
	q->count = -1;
	q->idle_since = 0;
	/* A usable stream until seed() gives the run's own. */
	sy_rng_stream(&q->rng, 0, "queue/red", 0);
	return 0;
}

static void red_seed(void *st, const sy_rng *r)
{
	struct red *q = st;

	q->rng = *r;
}

/* Updates avg for an arrival at now and decides whether RED drops it. */
static bool red_early_drop(struct red *q, sy_time now)
{
	double w = q->weight, pb, pa, hi;

	if (q->fifo.n == 0) {
		if (now > q->idle_since)
			q->avg *= pow(1.0 - w,
				      (double)(now - q->idle_since) /
				      q->pkt_time);
		q->idle_since = now;
	}
	q->avg = (1.0 - w) * q->avg + w * (double)q->fifo.n;

	if (q->avg < (double)q->min_th) {
		q->count = -1;
		return false;
	}
	hi = (double)q->max_th * (q->gentle ? 2.0 : 1.0);
	if (q->avg >= hi) {
		q->count = 0;
		return true;
	}
	q->count++;
	if (q->avg < (double)q->max_th)
		pb = q->max_p * (q->avg - (double)q->min_th) /
		     (double)(q->max_th - q->min_th);
	else
		pb = q->max_p + (1.0 - q->max_p) *
		     (q->avg - (double)q->max_th) / (double)q->max_th;
	SY_INVARIANT(q->avg >= 0 && q->count >= 0);
	pa = (double)q->count * pb >= 1.0 ? 1.0
		: pb / (1.0 - (double)q->count * pb);
	/* One draw per arrival in this range, whatever pa, so that the
	 * stream's use depends only on avg. */
	if (sy_rng_uniform(&q->rng) < pa) {
		q->count = 0;
		return true;
	}
	return false;
}

static bool red_enqueue(void *st, sy_packet *p, sy_time now)
{
	struct red *q = st;

	if (red_early_drop(q, now) && !(q->ecn && sy_ecn_mark(p)))
		return false;
	if (q->fifo.n >= (uint64_t)q->limit) {
		q->count = 0;
		return false;
	}
	p->stamp = now;
	sy_fifo_push(&q->fifo, p);
	SY_INVARIANT(q->fifo.n <= (uint64_t)q->limit);
	return true;
}

static sy_packet *red_dequeue(void *st, sy_time now,
			      void (*drop)(void *ctx, sy_packet *p), void *ctx)
{
	struct red *q = st;
	sy_packet *p = sy_fifo_pop(&q->fifo);

	if (p && !q->fifo.head)
		q->idle_since = now;
	return p;
}

static size_t red_packets(const void *st)
{
	const struct red *q = st;

	return q->fifo.n;
}

static size_t red_bytes(const void *st)
{
	const struct red *q = st;

	return (size_t)q->fifo.bytes;
}

static void red_flush(void *st, void (*drop)(void *ctx, sy_packet *p),
		      void *ctx)
{
	struct red *q = st;

	sy_fifo_flush(&q->fifo, drop, ctx);
}

static const sy_queue_ops ops = {
	SY_OPS_HEAD(SY_QUEUE_OPS_VERSION, sy_queue_ops),
	.seed = red_seed,
	.enqueue = red_enqueue,
	.dequeue = red_dequeue,
	.packets = red_packets,
	.bytes = red_bytes,
	.flush = red_flush,
};

static const sy_param params[] = {
	{ .name = "weight", .type = SY_PT_FLOAT,
	  .offset = offsetof(struct red, weight),
	  .def = "0.002", .min = "0", .max = "1",
	  .doc = "EWMA weight of each arrival's queue length in the average "
		 "(above 0)" },
	{ .name = "min_th", .type = SY_PT_INT,
	  .offset = offsetof(struct red, min_th),
	  .def = "5", .min = "0", .max = "10000000",
	  .doc = "average queue length (packets) where early drops start" },
	{ .name = "max_th", .type = SY_PT_INT,
	  .offset = offsetof(struct red, max_th),
	  .def = "15", .min = "1", .max = "10000000",
	  .doc = "average queue length (packets) where the drop probability "
		 "reaches max_p" },
	{ .name = "max_p", .type = SY_PT_FLOAT,
	  .offset = offsetof(struct red, max_p),
	  .def = "0.1", .min = "0", .max = "1",
	  .doc = "drop probability at max_th (before the count spacing)" },
	{ .name = "limit", .type = SY_PT_INT,
	  .offset = offsetof(struct red, limit),
	  .def = "100", .min = "1", .max = "10000000",
	  .doc = "buffer size in packets: arrivals to a full queue are "
		 "dropped" },
	{ .name = "gentle", .type = SY_PT_BOOL,
	  .offset = offsetof(struct red, gentle),
	  .def = "true",
	  .doc = "from max_th to 2*max_th raise the probability linearly "
		 "from max_p to 1 instead of dropping everything" },
	{ .name = "mean_pktsize", .type = SY_PT_SIZE,
	  .offset = offsetof(struct red, mean_pktsize),
	  .def = "1000B", .min = "1B", .max = "64KiB",
	  .doc = "packet size for the idle-time decay of the average" },
	{ .name = "rate", .type = SY_PT_RATE,
	  .offset = offsetof(struct red, rate),
	  .def = "10Mbps", .min = "1bps", .max = "10000Gbps",
	  .doc = "link rate, used only to count idle time in mean_pktsize "
		 "packets (set it to the link's rate)" },
	{ .name = "ecn", .type = SY_PT_BOOL,
	  .offset = offsetof(struct red, ecn),
	  .def = "false",
	  .doc = "mark ECN-capable packets CE instead of an early drop (a "
		 "full buffer still drops)" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "queue",
	.name = "red",
	.summary = "Random Early Detection (packet mode, gentle, idle decay)",
	.state_size = sizeof(struct red),
	.params = params,
	.init = red_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
