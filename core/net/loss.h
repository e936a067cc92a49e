/* Loss plugins: what happens to a packet on the wire.
 *
 * After a packet has been serialized onto a link direction, each loss model
 * of that direction (a chain, in order) sees it once.  A model may drop it,
 * corrupt it (flip bits: the packet is delivered and the receiver's
 * checksum check rejects it), deliver extra copies, or delay it beyond the
 * propagation delay (reordering, jitter).  Models draw only from the stream
 * given to them through seed(), so a run is reproducible and adding a model
 * elsewhere does not change this one's draws. */
#ifndef SY_LOSS_H
#define SY_LOSS_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"
#include "plugin.h"
#include "rng.h"
#include "vtime.h"

typedef enum sy_loss_verdict {
	SY_LOSS_PASS,    /* deliver (possibly modified, delayed, copied) */
	SY_LOSS_DROP,    /* lost: the link counts a loss drop and frees it */
} sy_loss_verdict;

/* What a model learns about the packet and may ask for besides its
 * verdict.  The link zeroes the outputs before each model. */
typedef struct sy_loss_ctx {
	sy_time now;          /* end of serialization */
	uint64_t index;       /* 0-based count of packets this model has seen */
	int direction;        /* 0: from the link's first node, 1: reverse */
	/* outputs */
	sy_time delay;        /* extra delay on top of propagation */
	unsigned copies;      /* extra copies to deliver (duplicates) */
	bool corrupted;       /* the model flipped bits in the packet */
} sy_loss_ctx;

/* The version of the table below and of the types only it passes;
 * bumped by any change to them (plugin.h, "Versions"). */
#define SY_LOSS_OPS_VERSION 1

typedef struct sy_loss_ops {
	sy_ops_head head; /* SY_OPS_HEAD(SY_LOSS_OPS_VERSION, sy_loss_ops) */
	/* Gives the model its own random stream (after init; may be NULL
	 * for a model that draws nothing). */
	void (*seed)(void *st, const sy_rng *r);
	sy_loss_verdict (*apply)(void *st, sy_packet *p, sy_loss_ctx *ctx);
} sy_loss_ops;

#endif
