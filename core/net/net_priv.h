/* The network's private parts, shared by its files: net.c (the network
 * and its observers), node.c (nodes, addresses, protocol handlers),
 * link.c (links, their set-up and statistics), route.c (the routes and
 * the data path: queueing, transmission, arrival, forwarding, delivery)
 * and tun.c (TUN interfaces). */
#ifndef SY_NET_PRIV_H
#define SY_NET_PRIV_H

#include <stdlib.h>

#include "loss.h"
#include "net.h"
#include "queue.h"

/* An interface: one end of a link, seen from its node, or a TUN device
 * (link NULL). */
struct iface {
	uint32_t addr;
	sy_link *link;
	int side; /* which end of link: the node is link->node[side] */
	sy_tun *tun;
};

/* A protocol handler slot; nodes rarely have more than two. */
struct proto {
	uint8_t proto;
	sy_proto_fn fn;
	void *ctx;
	void (*dtor)(void *ctx);
};

#define MAX_PROTOS 8

struct sy_node {
	sy_net *net;
	char *name;
	size_t index;
	struct iface *ifs;
	size_t nifs, capifs;
	struct proto protos[MAX_PROTOS];
	int nprotos;
	uint16_t ip_id;
	sy_node_stats st;
};

/* One direction of a link: transmitter, queue, loss chain, wire. */
struct dir {
	sy_link *link;
	int d;
	sy_node *to;
	int64_t rate;
	sy_time delay;
	uint32_t mtu;
	sy_instance queue;
	const sy_queue_ops *q;
	sy_instance loss[SY_LOSS_CHAIN_MAX];
	uint64_t seen[SY_LOSS_CHAIN_MAX];
	int nloss;
	bool busy;
	uint64_t carry;       /* serialization remainder, see sy_tx_time */
	sy_time busy_since;
	sy_time qlast;        /* last time queue_area was brought up to date */
	sy_dir_stats st;
	/* queue-length samples (sy_link_sample) */
	sy_time *smp_t;
	uint32_t *smp_q;
	size_t nsmp, capsmp;
};

struct sy_link {
	sy_net *net;
	size_t index;         /* from 1 */
	sy_time sample_every; /* 0: not sampling */
	bool sampling;        /* a sampling event is pending */
	sy_node *node[2];
	uint32_t addr[2];
	struct dir dir[2];
};

struct sy_net {
	sy_sim *sim;
	sy_pktpool *pool;
	sy_node **nodes;
	size_t nnodes, capnodes;
	sy_node **names;      /* name -> node, see node.c */
	size_t nsize;
	sy_link **links;
	size_t nlinks, caplinks;
	/* address -> node: open addressing, power-of-two size, 0 = empty */
	uint32_t *akeys;
	sy_node **avals;
	size_t asize, acount;
	struct sy_routes *routes; /* route.c; rebuilt when routes_dirty */
	bool routes_dirty;
	struct { sy_net_observer fn; void *ctx; } obs[SY_NET_OBSERVERS];
	int nobs;
	void *tcp_obs;  /* the TCP endpoints' network-wide observers (core/tcp/endpoint.c) */
	sy_tun **tuns;
	size_t ntuns, captuns;
};

/* Static inline: every packet event tells the observers. */
static inline void observe(sy_net *net, char ev, const struct dir *dr,
			   const sy_packet *p, sy_drop reason)
{
	for (int i = 0; i < net->nobs; i++)
		net->obs[i].fn(net->obs[i].ctx, ev, dr ? dr->link : NULL,
			       dr ? dr->d : 0, p, reason);
}

static inline int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap * 2 : 8;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, c * size);
	if (!p)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

/* node.c */
int sy_net_addr_put(sy_net *net, uint32_t a, sy_node *n);

/* link.c */
void sy_net_dir_free(sy_net *net, struct dir *dr);

/* route.c */
void sy_net_routes_free(struct sy_routes *rt);
void sy_net_node_input(sy_node *n, sy_packet *p); /* a datagram from a TUN device */

/* tun.c */
sy_tun *sy_net_tun_route(const sy_net *net, uint32_t dst);
void sy_net_tun_write(sy_tun *t, sy_packet *p);
void sy_net_tun_free(sy_tun *t);

#endif
