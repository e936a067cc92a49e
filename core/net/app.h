/* Application plugins: traffic sources and sinks that run on a node.
 *
 * An application is started on a node with its parameters set; it
 * schedules its own events on the simulator and sends through the node or
 * its TCP endpoint.  Its random stream comes from the context, derived
 * from the run seed, the node and the application's number on it. */
#ifndef SY_APP_H
#define SY_APP_H

#include "errors.h"
#include "vtime.h"
#include "net.h"
#include "plugin.h"
#include "rng.h"

typedef struct sy_app_ctx {
	sy_sim *sim;
	sy_net *net;
	sy_node *node;
	sy_rng rng;          /* the application's own stream */
} sy_app_ctx;

/* An application's counters.  A packet source counts the packets it sent
 * and their bytes.  A TCP application (bulk, sink, reqresp, echo) counts
 * over all its connections, open and finished: packets are segments,
 * bytes_sent is payload acknowledged by the peer, bytes_received payload
 * delivered in order. */
typedef struct sy_app_stats {
	uint64_t packets_sent, bytes_sent;
	uint64_t packets_received, bytes_received;
	/* TCP applications */
	uint64_t connections;     /* opened or accepted */
	uint64_t completed;       /* transfers or exchanges finished */
	uint64_t failed;          /* connections closed before finishing */
	sy_time start;            /* work began (first connect or accept); -1: not yet */
	sy_time completion;       /* last byte acknowledged or received; -1: not complete */
	/* (bytes_sent + bytes_received) / (completion - start), bytes per
	 * second; up to now while not complete; 0 before the start */
	double goodput;
	/* the time each exchange took (reqresp clients: request sent to
	 * whole response received); sum over `completed` */
	sy_time latency_min, latency_max, latency_sum;
} sy_app_stats;

/* The version of the table below and of the types only it passes;
 * bumped by any change to them (plugin.h, "Versions"). */
#define SY_APP_OPS_VERSION 1

typedef struct sy_app_ops {
	sy_ops_head head; /* SY_OPS_HEAD(SY_APP_OPS_VERSION, sy_app_ops) */
	/* Starts the application (ctx stays valid while it runs). */
	int (*start)(void *st, const sy_app_ctx *ctx, sy_err *err);
	/* Its counters. */
	sy_app_stats (*stats)(const void *st);
} sy_app_ops;

#endif
