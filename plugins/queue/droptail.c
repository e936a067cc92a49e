/* Drop-tail FIFO: the plain router queue.
 *
 * Packets wait in arrival order in a FIFO linked through p->next (fifo.h),
 * so enqueue and dequeue are O(1) and the queue allocates nothing.  A
 * packet is refused when taking it would put more than `limit` packets or
 * (if `bytes` is set) more than `bytes` bytes of IPv4 datagrams in the
 * queue; what is already queued is never dropped. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "queue.h"

#include "fifo.h"

struct droptail {
	int64_t limit;      /* parameter: packets */
	int64_t bytes;      /* parameter: bytes; 0 = no byte limit */
	struct sy_fifo fifo;
};

static bool dt_enqueue(void *st, sy_packet *p, sy_time now)
{
	struct droptail *q = st;

	if (q->fifo.n + 1 > (uint64_t)q->limit)
		return false;
	if (q->bytes && q->fifo.bytes + p->len > (uint64_t)q->bytes)
		return false;
	p->stamp = now;
	sy_fifo_push(&q->fifo, p);
	SY_INVARIANT(q->fifo.n <= (uint64_t)q->limit &&
		     (!q->bytes || q->fifo.bytes <= (uint64_t)q->bytes));
	return true;
}

static sy_packet *dt_dequeue(void *st, sy_time now,
			     void (*drop)(void *ctx, sy_packet *p), void *ctx)
{
	struct droptail *q = st;

	return sy_fifo_pop(&q->fifo);
}

static size_t dt_packets(const void *st)
{
	const struct droptail *q = st;

	return q->fifo.n;
}

static size_t dt_bytes(const void *st)
{
	const struct droptail *q = st;

	return (size_t)q->fifo.bytes;
}

static void dt_flush(void *st, void (*drop)(void *ctx, sy_packet *p),
		     void *ctx)
{
	struct droptail *q = st;

	sy_fifo_flush(&q->fifo, drop, ctx);
}

static const sy_queue_ops ops = {
	SY_OPS_HEAD(SY_QUEUE_OPS_VERSION, sy_queue_ops),
	.seed = NULL, /* deterministic */
	.enqueue = dt_enqueue,
	.dequeue = dt_dequeue,
	.packets = dt_packets,
	.bytes = dt_bytes,
	.flush = dt_flush,
};

static const sy_param params[] = {
	{ .name = "limit", .type = SY_PT_INT,
	  .offset = offsetof(struct droptail, limit),
	  .def = "100", .min = "1", .max = "10000000",
	  .doc = "most packets queued; an arrival beyond it is dropped" },
	{ .name = "bytes", .type = SY_PT_SIZE,
	  .offset = offsetof(struct droptail, bytes),
	  .def = "0B", .min = "0B", .max = "1024GiB",
	  .doc = "most bytes (IPv4 total lengths) queued; 0B: no byte limit" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "queue",
	.name = "droptail",
	.summary = "FIFO that drops arrivals beyond a packet or byte limit",
	.state_size = sizeof(struct droptail),
	.params = params,
	.init = NULL,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
