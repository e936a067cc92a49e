/* The TCP endpoint of a node.
 *
 * An endpoint receives every TCP segment addressed to its node (after the
 * node's checksum check), validates it, and finds the socket it belongs
 * to.  What exists so far is the part that needs no connection state: the
 * validation of segments and the answer to a segment for which no socket
 * exists (RFC 9293 section 3.10.7.1), so that a connection attempt to a
 * closed port is refused with a reset in one round trip.  Listeners and
 * connections, run by a state-machine plugin, come on top of this. */
#ifndef SY_TCP_H
#define SY_TCP_H

#include <stdint.h>

#include "errors.h"
#include "net.h"

typedef struct sy_tcp_ep sy_tcp_ep;

typedef struct sy_tcp_ep_stats {
	uint64_t segments_in;   /* valid segments received */
	uint64_t segments_out;  /* segments sent */
	uint64_t bad_segments;  /* dropped: truncated, bad data offset */
	uint64_t no_socket;     /* segments for which no socket exists */
	uint64_t rst_out;       /* resets sent */
	uint64_t rst_in;        /* resets received */
} sy_tcp_ep_stats;

/* Creates the endpoint of node n and registers it for protocol 6.  A node
 * has at most one; the network owns it and frees it with itself. */
sy_tcp_ep *sy_tcp_ep_new(sy_net *net, sy_node *n, sy_err *err);
/* The endpoint of n, or NULL. */
sy_tcp_ep *sy_tcp_ep_of(const sy_node *n);

const sy_tcp_ep_stats *sy_tcp_ep_stats_get(const sy_tcp_ep *ep);

/* Sends one segment from ep's node: the headers are built from ip (source
 * and destination) and t, with a virtual payload of len bytes. */
int sy_tcp_ep_send(sy_tcp_ep *ep, const sy_ipv4 *ip, const sy_tcp *t,
		   uint32_t len, sy_err *err);

#endif
