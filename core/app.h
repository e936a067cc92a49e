/* Application plugins: traffic sources and sinks that run on a node.
 *
 * An application is started on a node with its parameters set; it
 * schedules its own events on the simulator and sends through the node or
 * its TCP endpoint.  Its random stream comes from the context, derived
 * from the run seed, the node and the application's number on it. */
#ifndef SY_APP_H
#define SY_APP_H

#include "errors.h"
#include "net.h"
#include "rng.h"

typedef struct sy_app_ctx {
	sy_sim *sim;
	sy_net *net;
	sy_node *node;
	sy_rng rng;          /* the application's own stream */
} sy_app_ctx;

typedef struct sy_app_stats {
	uint64_t packets_sent, bytes_sent;
	uint64_t packets_received, bytes_received;
} sy_app_stats;

typedef struct sy_app_ops {
	/* Starts the application (ctx stays valid while it runs). */
	int (*start)(void *st, const sy_app_ctx *ctx, sy_err *err);
	/* Its counters. */
	sy_app_stats (*stats)(const void *st);
} sy_app_ops;

#endif
