/* CoDel, "Controlled Delay Active Queue Management" (RFC 8289): a FIFO
 * that drops at dequeue, on the time packets spent in the queue rather
 * than its length.
 *
 * Each packet is stamped with its arrival time (p->stamp, RFC 8289 4.1),
 * so its sojourn time is known when it leaves.  A queue that is only
 * passing a burst sees sojourn times fall below `target` within an
 * `interval` (about a worst-case RTT); a standing queue does not.  So
 * (4.2, 5.4): when a departing packet's sojourn time is at or above target
 * and more than one MTU (`mtu`, the RFC's maxpacket) stays queued behind
 * it, and this has lasted without a break for interval, the queue enters
 * the dropping state and drops that packet.  A sojourn time below target,
 * or too few bytes left, ends the stretch (and the dropping state).
 *
 * In the dropping state (4.3, 5.5, 5.6) drops follow the control law:
 * the k-th drop after entering comes interval/sqrt(k) after the previous
 * one, so the drop rate grows as sqrt of time until the sojourn time falls
 * below target (TCP's throughput varies as 1/sqrt of the drop rate, so
 * this makes the rate fall linearly).  Drops happen at dequeue: a packet
 * due for a drop is handed back through the link's drop callback, and the
 * next one considered in its place.
 *
 * Re-entering the dropping state soon after leaving it (5.6, as in Linux):
 * if the last episode made more than one drop beyond its first (delta =
 * count - lastcount > 1) and its last scheduled drop is less than 16
 * intervals ago, the new episode starts at count = delta, the rate that
 * controlled the queue then, instead of 1.
 *
 * With `ecn` on, a packet due for a drop whose IPv4 ECN field says ECT(0)
 * or ECT(1) (or already CE) is marked CE and sent instead (RFC 8289 5,
 * RFC 3168 5); the schedule advances as for a drop.  Not-ECT packets are
 * dropped as before.
 *
 * The buffer holds at most `limit` packets: an arrival to a full queue is
 * refused (tail drop), which with CoDel only happens under overload.
 *
 * Invariants (checked): fifo.n <= limit; count >= 1 in the dropping
 * state (codel.h). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "queue.h"

#include "codel.h"
#include "fifo.h"

struct codel {
	/* parameters */
	sy_time target, interval;
	int64_t mtu;           /* bytes */
	int64_t limit;         /* packets */
	bool ecn;

	struct sy_codel_params cp;
	struct sy_codel_vars v;
	struct sy_fifo fifo;
};

static int codel_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct codel *q = st;

	if (q->target >= q->interval)
		return sy_err_set(err, "parameter 'target' (%lld ns) must be "
				  "below 'interval' (%lld ns)",
				  (long long)q->target, (long long)q->interval);
	q->cp.target = q->target;
	q->cp.interval = q->interval;
	q->cp.mtu = (uint64_t)q->mtu;
	q->cp.ecn = q->ecn;
	return 0;
}

static bool codel_enqueue(void *st, sy_packet *p, sy_time now)
{
	struct codel *q = st;

	if (q->fifo.n >= (uint64_t)q->limit)
		return false;
	p->stamp = now;
	sy_fifo_push(&q->fifo, p);
	SY_INVARIANT(q->fifo.n <= (uint64_t)q->limit);
	return true;
}

static sy_packet *codel_dequeue(void *st, sy_time now,
				void (*drop)(void *ctx, sy_packet *p),
				void *ctx)
{
	struct codel *q = st;

	return sy_codel_dequeue(&q->cp, &q->v, &q->fifo, now, drop, ctx);
}

static size_t codel_packets(const void *st)
{
	const struct codel *q = st;

	return q->fifo.n;
}

static size_t codel_bytes(const void *st)
{
	const struct codel *q = st;

	return (size_t)q->fifo.bytes;
}

static void codel_flush(void *st, void (*drop)(void *ctx, sy_packet *p),
			void *ctx)
{
	struct codel *q = st;

	sy_fifo_flush(&q->fifo, drop, ctx);
}

static const sy_queue_ops ops = {
	SY_OPS_HEAD(SY_QUEUE_OPS_VERSION, sy_queue_ops),
	.seed = NULL, /* deterministic */
	.enqueue = codel_enqueue,
	.dequeue = codel_dequeue,
	.packets = codel_packets,
	.bytes = codel_bytes,
	.flush = codel_flush,
};

static const sy_param params[] = {
	{ .name = "target", .type = SY_PT_DURATION,
	  .offset = offsetof(struct codel, target),
	  .def = "5ms", .min = "1us", .max = "10s",
	  .doc = "acceptable standing queue delay (below interval)" },
	{ .name = "interval", .type = SY_PT_DURATION,
	  .offset = offsetof(struct codel, interval),
	  .def = "100ms", .min = "1us", .max = "100s",
	  .doc = "how long the delay must stay above target before a drop, "
		 "and the control law's base interval (about a worst-case "
		 "RTT)" },
	{ .name = "mtu", .type = SY_PT_SIZE,
	  .offset = offsetof(struct codel, mtu),
	  .def = "1514B", .min = "0B", .max = "64KiB",
	  .doc = "maxpacket: no drop while at most this many bytes stay "
		 "queued" },
	{ .name = "limit", .type = SY_PT_INT,
	  .offset = offsetof(struct codel, limit),
	  .def = "1000", .min = "1", .max = "10000000",
	  .doc = "buffer size in packets: arrivals to a full queue are "
		 "dropped" },
	{ .name = "ecn", .type = SY_PT_BOOL,
	  .offset = offsetof(struct codel, ecn),
	  .def = "false",
	  .doc = "mark ECN-capable packets CE instead of dropping them" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "queue",
	.name = "codel",
	.summary = "CoDel, RFC 8289 (sojourn-time AQM, optional ECN marking)",
	.state_size = sizeof(struct codel),
	.params = params,
	.init = codel_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
