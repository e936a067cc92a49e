/* The network model: nodes, interfaces, point-to-point duplex links,
 * static routing and forwarding.
 *
 * A network belongs to one simulator and schedules all its work there.
 * Each link direction has a rate, a propagation delay, an MTU, a queue
 * plugin (queue.h) and a chain of loss plugins (loss.h).  A packet sent on
 * a direction waits in the queue while the transmitter is busy, takes
 * size/rate to serialize, passes the loss chain, and arrives at the peer
 * after the propagation delay.  Serialization keeps the remainder of the
 * division, so a busy link runs at exactly its rate over any length of
 * time.
 *
 * Addresses: link k (numbered from 1 in creation order) gives its two
 * interfaces 10.H.L.1 and 10.H.L.2 (H.L = k as 16 bits) unless the caller
 * chooses them.  Routes are shortest paths by hop count, ties broken by
 * the lower link number, computed for the whole topology before the first
 * packet after any change.  A node delivers a packet addressed to any of
 * its interfaces to the handler registered for its protocol (a TCP segment
 * only if its checksum verifies: otherwise it is dropped as corrupt);
 * otherwise it forwards it, decrementing the TTL and dropping at zero. */
#ifndef SY_NET_H
#define SY_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "errors.h"
#include "packet.h"
#include "plugin.h"
#include "sim.h"

typedef struct sy_net sy_net;
typedef struct sy_node sy_node;
typedef struct sy_link sy_link;

/* Why a packet was dropped; per link direction and per node. */
typedef enum sy_drop {
	SY_DROP_QUEUE,    /* refused by the queue */
	SY_DROP_LOSS,     /* lost by a loss model */
	SY_DROP_CORRUPT,  /* failed a checksum at the receiver */
	SY_DROP_TTL,      /* TTL reached zero */
	SY_DROP_NOROUTE,  /* no route to the destination */
	SY_DROP_MTU,      /* larger than the link's MTU */
	SY_DROP_NOPROTO,  /* no handler for its protocol at the destination */
	SY_DROP_REASONS
} sy_drop;

const char *sy_drop_name(sy_drop r); /* "queue", "loss", ... */

#define SY_LOSS_CHAIN_MAX 8

/* One direction of a link.  Instances are moved into the link (and freed
 * with it, also on failure); a missing queue gets droptail. */
typedef struct sy_dir_opts {
	int64_t rate;     /* bit/s, > 0 */
	sy_time delay;    /* >= 0 */
	uint32_t mtu;     /* bytes, >= 68 */
	sy_instance queue;
	sy_instance loss[SY_LOSS_CHAIN_MAX];
	int nloss;
} sy_dir_opts;

typedef struct sy_link_opts {
	sy_dir_opts dir[2];   /* 0: a -> b, 1: b -> a */
	uint32_t addr[2];     /* interface addresses on a and b; 0: automatic */
} sy_link_opts;

typedef struct sy_dir_stats {
	uint64_t sent_packets, sent_bytes;           /* offered to the direction */
	uint64_t delivered_packets, delivered_bytes; /* arrived at the peer */
	uint64_t drops[SY_DROP_REASONS];
	uint64_t corrupted;      /* packets a loss model corrupted */
	uint64_t duplicated;     /* extra copies delivered */
	sy_time busy;            /* time spent transmitting */
	size_t queue_max;        /* packets */
	double queue_area;       /* integral of queue length (packets) over time, in packet*s */
	sy_time since;           /* start of the statistics */
} sy_dir_stats;

typedef struct sy_node_stats {
	uint64_t sent;           /* packets originated */
	uint64_t received;       /* packets delivered to a local handler */
	uint64_t forwarded;
	uint64_t drops[SY_DROP_REASONS];
} sy_node_stats;

/* Receives packets addressed to a node for one protocol.  The handler
 * owns the packet and must release it (sy_net_release). */
typedef void (*sy_proto_fn)(void *ctx, sy_node *node, sy_packet *p);

sy_net *sy_net_new(sy_sim *sim, sy_err *err);
/* Frees nodes, links and every packet.  Call after the simulator stopped
 * running (events still pending in it must never fire afterwards: free
 * the simulator first, or do not run it again). */
void sy_net_free(sy_net *net);

sy_sim *sy_net_sim(const sy_net *net);
sy_pktpool *sy_net_pool(sy_net *net);

/* A new node; names are unique. */
sy_node *sy_net_node(sy_net *net, const char *name, sy_err *err);
sy_node *sy_net_find(const sy_net *net, const char *name);
size_t sy_net_nodes(const sy_net *net);
sy_node *sy_net_node_at(const sy_net *net, size_t i);

const char *sy_node_name(const sy_node *n);
size_t sy_node_ifaces(const sy_node *n);
uint32_t sy_node_addr(const sy_node *n, size_t iface);
const sy_node_stats *sy_node_stats_get(const sy_node *n);

/* Connects a and b.  Checks every option (rate > 0, delay >= 0, MTU large
 * enough for IPv4 and TCP headers, addresses unused) and names the bad one. */
sy_link *sy_net_link(sy_net *net, sy_node *a, sy_node *b, sy_link_opts *o,
		     sy_err *err);
size_t sy_net_links(const sy_net *net);
sy_link *sy_net_link_at(const sy_net *net, size_t i);
size_t sy_link_index(const sy_link *l); /* from 1, in creation order */
size_t sy_node_index(const sy_node *n); /* from 0, in creation order */
sy_node *sy_link_node(const sy_link *l, int side);
uint32_t sy_link_addr(const sy_link *l, int side);
/* Statistics of direction d (0: a -> b); queue_area accounted to now. */
sy_dir_stats sy_link_stats(const sy_link *l, int d);
size_t sy_link_queue_packets(const sy_link *l, int d);

/* Samples the queue length (packets) of both directions of l every
 * `interval`, starting now, for as long as any other event is pending (a
 * sampler alone does not keep a run going).  A second call changes the
 * interval and keeps the samples taken. */
int sy_link_sample(sy_link *l, sy_time interval, sy_err *err);
/* The samples of direction d: *n of them, times in t, lengths in q
 * (pointers valid until the next sample is taken). */
void sy_link_samples(const sy_link *l, int d, size_t *n, const sy_time **t,
		     const uint32_t **q);

/* Registers the handler for protocol proto on node n (NULL removes). */
void sy_node_set_proto(sy_node *n, uint8_t proto, sy_proto_fn fn, void *ctx);
/* The same, and the network owns ctx: it calls dtor(ctx) when it is freed
 * (not when the handler is replaced or removed). */
void sy_node_set_proto_owned(sy_node *n, uint8_t proto, sy_proto_fn fn,
			     void *ctx, void (*dtor)(void *ctx));
/* The ctx registered for proto on n, if fn is its handler; else NULL. */
void *sy_node_proto_ctx(const sy_node *n, uint8_t proto, sy_proto_fn fn);

/* Sends a complete IPv4 packet from n (headers written by the caller, its
 * destination address in the header).  The network owns p from here: it
 * is delivered, or dropped with a counted reason. */
void sy_node_send(sy_node *n, sy_packet *p);

/* The node owning address a, or NULL. */
sy_node *sy_net_owner(const sy_net *net, uint32_t a);

/* For a handler that rejects a delivered packet (a bad checksum): counts
 * the drop on the node and on the link direction it arrived by, and
 * releases it. */
void sy_net_drop(sy_net *net, sy_node *at, sy_packet *p, sy_drop reason);
void sy_net_release(sy_net *net, sy_packet *p);

/* Next IPv4 identification for packets originated by n. */
uint16_t sy_node_next_ip_id(sy_node *n);

/* Forces route computation now (it otherwise happens before the first
 * packet after a change).  Returns the hop count from a to b, or -1. */
int sy_net_hops(sy_net *net, const sy_node *a, const sy_node *b);

/* Serialization time of `bytes` at `rate` bit/s, rounded down, and the
 * remainder (in units of 1/rate ns) to carry to the next packet. */
sy_time sy_tx_time(uint64_t bytes, int64_t rate, uint64_t *carry);

/* ------------------------------------------------------------ TUN
 *
 * A TUN interface joins a node to the Linux kernel: the node's packets
 * routed to it are written to a TUN device (IFF_TUN | IFF_NO_PI, raw
 * IPv4, with the wire bytes of sy_packet_wire), and the packets the kernel
 * routes into the device arrive at the node, as real-payload packets, at
 * the time they are read.  It needs a real-time simulator (sim.h): the
 * device is a watched descriptor that does not hold the run.
 *
 * The interface has the node's address on it (an address of the node
 * like a link's) and routes: its prefix, any extra prefixes, and, if
 * asked, the default route.  A packet whose destination no node owns
 * goes to the TUN interface with the longest matching route: written to
 * the device by that node, or forwarded there through the simulated
 * network by any other node.  Packets from the kernel for another node
 * are forwarded as on a link (TTL decremented).  Link statistics and
 * link traces do not see the device; sy_tun_stats_get counts its
 * traffic, sy_tun_opts.pcap captures it (nanosecond pcap, as link
 * captures), and network observers (a recorder) see each datagram leave
 * and arrive at once, with no link. */
typedef struct sy_tun sy_tun;

#define SY_TUN_ROUTES 8

typedef struct sy_tun_route {
	uint32_t net;   /* host order */
	int len;        /* prefix length, 0..32 */
} sy_tun_route;

typedef struct sy_tun_opts {
	const char *name;  /* the device; NULL or "": one the kernel names */
	uint32_t addr;     /* the node's address on the interface */
	int prefix;        /* its prefix length (1..32) */
	uint32_t peer;     /* the kernel's address: when non-zero, synack sets
			    * the device up itself (peer/prefix, MTU, up);
			    * 0 leaves that to `ip` commands */
	uint32_t mtu;      /* 0: 1500 */
	bool default_route;
	sy_tun_route routes[SY_TUN_ROUTES];
	int nroutes;
	const char *pcap;  /* a capture of the device's traffic, or NULL */
} sy_tun_opts;

typedef struct sy_tun_stats {
	uint64_t rx_packets, rx_bytes; /* read from the device */
	uint64_t tx_packets, tx_bytes; /* written to the device */
	uint64_t rx_dropped;  /* not IPv4 without options, or malformed */
	uint64_t tx_dropped;  /* over the MTU, or the write failed */
} sy_tun_stats;

/* Opens (creating if need be) the TUN device and adds the interface to n.
 * Errors say what is missing: a simulator that is not real-time, no
 * /dev/net/tun, no permission (CAP_NET_ADMIN), a device in use, an
 * address in use. */
sy_tun *sy_net_tun(sy_net *net, sy_node *n, const sy_tun_opts *o, sy_err *err);
const char *sy_tun_name(const sy_tun *t);
sy_node *sy_tun_node(const sy_tun *t);
int sy_tun_fd(const sy_tun *t);
sy_tun_stats sy_tun_stats_get(const sy_tun *t);
/* Writes out what the TUN captures buffered; -1 naming the first capture
 * a write to which failed (since it was opened).  Call it before
 * sy_net_free, which cannot report. */
int sy_net_flush(sy_net *net, sy_err *err);

/* Observes packets as they pass, for traces and recorders: ev is '+'
 * (enqueued or transmitted at once), '-' (starts transmission), 'r'
 * (received by the peer), 'd' (dropped, with reason).  At most
 * SY_NET_OBSERVERS per network, called in the order they were added;
 * sy_net_observe fails (-1) when they are all taken. */
#define SY_NET_OBSERVERS 4
typedef void (*sy_net_observer)(void *ctx, char ev, const sy_link *l, int dir,
				const sy_packet *p, sy_drop reason);
int sy_net_observe(sy_net *net, sy_net_observer fn, void *ctx);
void sy_net_unobserve(sy_net *net, sy_net_observer fn, void *ctx);
/* A slot for the TCP endpoints' network-wide observers (tcp.h), owned by
 * core/tcp/endpoint.c and freed with the network's endpoints. */
void **sy_net_tcp_observers(sy_net *net);

#endif
