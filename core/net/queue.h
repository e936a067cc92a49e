/* Queue plugins: what waits in front of a link's transmitter.
 *
 * The link offers each packet to its queue when it cannot transmit at once
 * and takes the next one when the transmitter frees.  A queue that refuses
 * a packet leaves it with the caller, which counts a queue drop and frees
 * it; a queue never frees a packet itself.  Queues may also drop at
 * dequeue time (an AQM dropping on sojourn time): such packets are handed
 * back through `drop` so that the link counts them too. */
#ifndef SY_QUEUE_H
#define SY_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "packet.h"
#include "plugin.h"
#include "rng.h"
#include "vtime.h"

/* The version of the table below and of the types only it passes;
 * bumped by any change to them (plugin.h, "Versions"). */
#define SY_QUEUE_OPS_VERSION 1

typedef struct sy_queue_ops {
	sy_ops_head head; /* SY_OPS_HEAD(SY_QUEUE_OPS_VERSION, sy_queue_ops) */
	/* Gives the queue its own random stream (after init; optional). */
	void (*seed)(void *st, const sy_rng *r);
	/* Offers p at time now: true if the queue took it. */
	bool (*enqueue)(void *st, sy_packet *p, sy_time now);
	/* The next packet to transmit, or NULL if none.  Packets the queue
	 * decides to discard instead are passed to drop(ctx, p). */
	sy_packet *(*dequeue)(void *st, sy_time now,
			      void (*drop)(void *ctx, sy_packet *p), void *ctx);
	size_t (*packets)(const void *st);
	size_t (*bytes)(const void *st);
	/* Hands every queued packet to drop(ctx, p) and empties the queue
	 * (used when the link is destroyed). */
	void (*flush)(void *st, void (*drop)(void *ctx, sy_packet *p), void *ctx);
} sy_queue_ops;

#endif
