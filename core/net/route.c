#include "config.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net_priv.h"

/* ------------------------------------------------------------ routing */

/* The route from u toward t is the first interface of u (in interface
 * order; TUN interfaces aside) whose peer is one hop closer to t.
 *
 * Most nodes of a large network are hosts on a single link (stubs): a stub
 * needs no table, since every node it can reach is reached through its one
 * link, and no shortest path between two other nodes passes through it.
 * So only the other nodes (the core: routers, multi-homed hosts, nodes
 * with no link) get a table, indexed by core node, filled by a
 * breadth-first search of the core graph when the node first needs it.
 * Toward a stub t a core node u goes toward t's peer r, or straight to t
 * when u is r: every path to t ends with r's link to t.
 *
 * The search keeps the tie-break: with u's neighbours queued in interface
 * order and every node reached first from the earliest queued node one
 * level up, each level of the queue is in order of first hop, so each node
 * inherits the smallest first hop among its shortest paths, which is the
 * first interface whose peer is one hop closer. */

struct rnode {
	int32_t core;    /* index among the core nodes; -1: a stub */
	int32_t up;      /* a stub: its link's interface */
	int32_t peer_if; /* a stub: that link's interface at the peer */
	uint32_t peer;   /* a stub: the node at the link's other end */
};

struct radj {
	int32_t ifx;     /* the interface */
	uint32_t peer;   /* the core node behind it (core index) */
};

/* A core node's table: nh[c], its interface toward core node c (-1: none
 * or itself), and dist[c], the hops to it (-1: unreachable). */
struct rrow {
	int32_t *nh;
	int32_t *dist;
};

struct sy_routes {
	size_t ncore;
	struct rnode *rn;     /* per node */
	uint32_t *core_node;  /* core index -> node index */
	size_t *adj_off;      /* core c's neighbours: adj[adj_off[c] .. adj_off[c + 1]) */
	struct radj *adj;
	struct rrow *rows;    /* per core node; nh NULL until first needed */
	uint32_t *fifo;
};

void sy_net_routes_free(struct sy_routes *rt)
{
	if (!rt)
		return;
	for (size_t c = 0; rt->rows && c < rt->ncore; c++)
		free(rt->rows[c].nh);
	free(rt->rows);
	free(rt->rn);
	free(rt->core_node);
	free(rt->adj_off);
	free(rt->adj);
	free(rt->fifo);
	free(rt);
}

static size_t link_ifaces(const sy_node *v)
{
	size_t k = 0;

	for (size_t i = 0; i < v->nifs; i++)
		k += v->ifs[i].link != NULL;
	return k;
}

static sy_node *peer_of(const sy_node *v, size_t i)
{
	return v->ifs[i].link->node[!v->ifs[i].side];
}

/* The stubs, the core and the core graph: O(nodes + links). */
static struct sy_routes *routes_build(sy_net *net)
{
	size_t n = net->nnodes, ncore = 0, nadj = 0;
	struct sy_routes *rt = calloc(1, sizeof *rt);

	if (!rt || n > INT32_MAX || !(rt->rn = calloc(n ? n : 1, sizeof *rt->rn)))
		goto fail;
	for (size_t u = 0; u < n; u++) {
		sy_node *v = net->nodes[u];

		rt->rn[u].core = -1;
		if (link_ifaces(v) != 1) {
			rt->rn[u].core = (int32_t)ncore++;
			continue;
		}
		for (size_t i = 0; i < v->nifs; i++)
			if (v->ifs[i].link) {
				rt->rn[u].up = (int32_t)i;
				rt->rn[u].peer = (uint32_t)peer_of(v, i)->index;
			}
	}
	rt->ncore = ncore;
	rt->core_node = malloc((ncore ? ncore : 1) * sizeof *rt->core_node);
	rt->adj_off = malloc((ncore + 1) * sizeof *rt->adj_off);
	rt->rows = calloc(ncore ? ncore : 1, sizeof *rt->rows);
	rt->fifo = malloc((ncore ? ncore : 1) * sizeof *rt->fifo);
	if (!rt->core_node || !rt->adj_off || !rt->rows || !rt->fifo)
		goto fail;
	for (size_t u = 0; u < n; u++) {
		sy_node *v = net->nodes[u];

		if (rt->rn[u].core < 0)
			continue;
		rt->core_node[rt->rn[u].core] = (uint32_t)u;
		for (size_t i = 0; i < v->nifs; i++) {
			size_t w;

			if (!v->ifs[i].link)
				continue;
			w = peer_of(v, i)->index;
			if (rt->rn[w].core >= 0)
				nadj++;
			else
				rt->rn[w].peer_if = (int32_t)i; /* w's only link */
		}
	}
	rt->adj = malloc((nadj ? nadj : 1) * sizeof *rt->adj);
	if (!rt->adj)
		goto fail;
	nadj = 0;
	for (size_t c = 0; c < ncore; c++) {
		sy_node *v = net->nodes[rt->core_node[c]];

		rt->adj_off[c] = nadj;
		for (size_t i = 0; i < v->nifs; i++) {
			int32_t wc;

			if (!v->ifs[i].link || (wc = rt->rn[peer_of(v, i)->index].core) < 0)
				continue;
			rt->adj[nadj].ifx = (int32_t)i;
			rt->adj[nadj++].peer = (uint32_t)wc;
		}
	}
	rt->adj_off[ncore] = nadj;
	return rt;
fail:
	sy_net_routes_free(rt);
	return NULL;
}

static int routes_fresh(sy_net *net)
{
	struct sy_routes *rt;

	if (!net->routes_dirty)
		return 0;
	if (!(rt = routes_build(net)))
		return -1;
	sy_net_routes_free(net->routes);
	net->routes = rt;
	net->routes_dirty = false;
	return 0;
}

/* Core node s's table: a breadth-first search of the core graph from s,
 * O(core nodes + their links). */
static struct rrow *routes_row(struct sy_routes *rt, uint32_t s)
{
	struct rrow *r = &rt->rows[s];
	size_t head = 0, tail = 0;

	if (r->nh)
		return r;
	if (!(r->nh = malloc(2 * (rt->ncore ? rt->ncore : 1) * sizeof *r->nh)))
		return NULL;
	r->dist = r->nh + rt->ncore;
	for (size_t c = 0; c < rt->ncore; c++)
		r->nh[c] = r->dist[c] = -1;
	r->dist[s] = 0;
	rt->fifo[tail++] = s;
	while (head < tail) {
		uint32_t v = rt->fifo[head++];

		for (size_t k = rt->adj_off[v]; k < rt->adj_off[v + 1]; k++) {
			uint32_t w = rt->adj[k].peer;

			if (r->dist[w] >= 0)
				continue;
			r->dist[w] = r->dist[v] + 1;
			r->nh[w] = v == s ? rt->adj[k].ifx : r->nh[v];
			rt->fifo[tail++] = w;
		}
	}
	return r;
}

/* Hops from a to b (node indices), -1 if b cannot be reached, through *ifx
 * (when not NULL) a's interface toward b.  -2: out of memory. */
static int64_t routes_lookup(struct sy_routes *rt, size_t a, size_t b, int32_t *ifx)
{
	const struct rnode *ra = &rt->rn[a], *rb = &rt->rn[b];
	int64_t d = 0;
	int32_t first = -1;
	struct rrow *r;

	if (ifx)
		*ifx = -1;
	if (a == b)
		return 0;
	if (ra->core < 0) { /* a stub: out of its link, if b is reachable */
		first = ra->up;
		d = 1;
		if (ra->peer == b)
			goto found;
		a = ra->peer;
		ra = &rt->rn[a];
		if (ra->core < 0)
			return -1; /* two stubs on one link: b is neither */
	}
	if (rb->core < 0) { /* toward b's peer, or straight to b */
		if (rb->peer == a) {
			if (first < 0)
				first = rb->peer_if;
			d++;
			goto found;
		}
		b = rb->peer;
		rb = &rt->rn[b];
		d++;
		if (rb->core < 0)
			return -1;
	}
	if (ra->core != rb->core) {
		if (!(r = routes_row(rt, (uint32_t)ra->core)))
			return -2;
		if (r->dist[rb->core] < 0)
			return -1;
		d += r->dist[rb->core];
		if (first < 0)
			first = r->nh[rb->core];
	}
found:
	if (ifx)
		*ifx = first;
	return d;
}

int sy_net_hops(sy_net *net, const sy_node *a, const sy_node *b)
{
	int64_t d;

	if (routes_fresh(net) < 0)
		return -1;
	/* Every table now, as before a first packet: what this forces is
	 * the whole computation, not only a's. */
	for (uint32_t c = 0; c < net->routes->ncore; c++)
		if (!routes_row(net->routes, c))
			return -1;
	d = routes_lookup(net->routes, a->index, b->index, NULL);
	return d < 0 ? -1 : d > INT_MAX ? INT_MAX : (int)d;
}

/* ------------------------------------------------------------ data path */

static void account_queue(struct dir *dr, sy_time now)
{
	size_t q = dr->q->packets(dr->queue.state);

	dr->st.queue_area += (double)q * (double)(now - dr->qlast) / 1e9;
	dr->qlast = now;
}

void sy_net_release(sy_net *net, sy_packet *p)
{
	sy_packet_release(net->pool, p);
}

static void dir_drop(sy_net *net, struct dir *dr, sy_packet *p, sy_drop why)
{
	dr->st.drops[why]++;
	observe(net, 'd', dr, p, why);
	sy_packet_release(net->pool, p);
}

void sy_net_drop(sy_net *net, sy_node *at, sy_packet *p, sy_drop reason)
{
	struct dir *dr = p->meta;

	if (at)
		at->st.drops[reason]++;
	if (dr)
		dr->st.drops[reason]++;
	observe(net, 'd', dr, p, reason);
	sy_packet_release(net->pool, p);
}

static void node_input(sy_node *n, sy_packet *p, struct dir *from);

static void arrive(sy_sim *sim, void *arg, uint64_t data)
{
	struct dir *dr = arg;
	sy_packet *p = (sy_packet *)(uintptr_t)data;

	dr->st.delivered_packets++;
	dr->st.delivered_bytes += p->len;
	observe(dr->link->net, 'r', dr, p, 0);
	node_input(dr->to, p, dr);
}

static void start_tx(struct dir *dr, sy_packet *p, sy_time now);

static void queue_drop(void *ctx, sy_packet *p)
{
	struct dir *dr = ctx;

	dir_drop(dr->link->net, dr, p, SY_DROP_QUEUE);
}

static void schedule_arrival(sy_net *net, struct dir *dr, sy_packet *p, sy_time when)
{
	if (sy_sim_at(net->sim, when, arrive, dr, (uint64_t)(uintptr_t)p, NULL, NULL) < 0) {
		sy_sim_fail(net->sim, "out of memory scheduling a packet's arrival at node %s",
			    sy_node_name(dr->to));
		sy_packet_release(net->pool, p);
	}
}

static void tx_end(sy_sim *sim, void *arg, uint64_t data)
{
	struct dir *dr = arg;
	sy_net *net = dr->link->net;
	sy_packet *p = (sy_packet *)(uintptr_t)data, *next;
	sy_time now = sy_sim_now(sim), extra = 0;
	unsigned copies = 0;
	bool lost = false;

	dr->st.busy += now - dr->busy_since;
	for (int i = 0; i < dr->nloss && !lost; i++) {
		const sy_loss_ops *ops = dr->loss[i].plugin->ops;
		sy_loss_ctx c = { .now = now, .index = dr->seen[i]++, .direction = dr->d };

		lost = ops->apply(dr->loss[i].state, p, &c) == SY_LOSS_DROP;
		extra += c.delay;
		copies += c.copies;
		dr->st.corrupted += c.corrupted;
	}
	if (lost) {
		dir_drop(net, dr, p, SY_DROP_LOSS);
	} else {
		/* The original first, its copies (cloned before anything can
		 * change it) right behind it. */
		sy_packet *dup[SY_LOSS_CHAIN_MAX];
		unsigned n = 0;

		while (n < copies && n < SY_LOSS_CHAIN_MAX &&
		       (dup[n] = sy_packet_clone(net->pool, p)))
			n++;
		schedule_arrival(net, dr, p, now + dr->delay + extra);
		for (unsigned k = 0; k < n; k++)
			schedule_arrival(net, dr, dup[k], now + dr->delay + extra);
		dr->st.duplicated += n;
	}
	account_queue(dr, now);
	next = dr->q->dequeue(dr->queue.state, now, queue_drop, dr);
	if (next) {
		start_tx(dr, next, now);
	} else {
		dr->busy = false;
		dr->carry = 0; /* an idle gap absorbs the remainder */
	}
}

static void start_tx(struct dir *dr, sy_packet *p, sy_time now)
{
	sy_net *net = dr->link->net;
	sy_time t = sy_tx_time(p->len, dr->rate, &dr->carry);

	observe(net, '-', dr, p, 0);
	dr->busy = true;
	dr->busy_since = now;
	if (sy_sim_at(net->sim, now + t, tx_end, dr, (uint64_t)(uintptr_t)p, NULL, NULL) < 0) {
		sy_sim_fail(net->sim, "out of memory scheduling a transmission to node %s",
			    sy_node_name(dr->to));
		dr->busy = false;
		sy_packet_release(net->pool, p);
	}
}

static void dir_send(struct dir *dr, sy_packet *p)
{
	sy_net *net = dr->link->net;
	sy_time now = sy_sim_now(net->sim);
	size_t qsize;

	dr->st.sent_packets++;
	dr->st.sent_bytes += p->len;
	if (p->len > dr->mtu) {
		dir_drop(net, dr, p, SY_DROP_MTU);
		return;
	}
	if (!dr->busy && dr->q->packets(dr->queue.state) == 0) {
		observe(net, '+', dr, p, 0);
		start_tx(dr, p, now);
		return;
	}
	account_queue(dr, now);
	if (!dr->q->enqueue(dr->queue.state, p, now)) {
		dir_drop(net, dr, p, SY_DROP_QUEUE);
		return;
	}
	observe(net, '+', dr, p, 0);
	qsize = dr->q->packets(dr->queue.state);
	if (qsize > dr->st.queue_max)
		dr->st.queue_max = qsize;
	if (!dr->busy) {
		sy_packet *next = dr->q->dequeue(dr->queue.state, now, queue_drop, dr);

		if (next)
			start_tx(dr, next, now);
	}
}

static uint32_t dst_of(const sy_packet *p)
{
	uint32_t a;

	memcpy(&a, p->hdr + 16, 4);
	return ntohl(a);
}

static void deliver(sy_node *n, sy_packet *p)
{
	uint8_t proto = p->hdr[9];

	/* The receiving host's checksum check, done here once for every TCP
	 * handler: a segment a loss model corrupted never reaches TCP. */
	if (proto == SY_IPPROTO_TCP && !sy_tcp_checksum_ok(p)) {
		sy_net_drop(n->net, n, p, SY_DROP_CORRUPT);
		return;
	}

	for (int i = 0; i < n->nprotos; i++) {
		if (n->protos[i].proto == proto) {
			n->st.received++;
			n->protos[i].fn(n->protos[i].ctx, n, p);
			return;
		}
	}
	sy_net_drop(n->net, n, p, SY_DROP_NOPROTO);
}

static void loopback(sy_sim *sim, void *arg, uint64_t data)
{
	deliver(arg, (sy_packet *)(uintptr_t)data);
}

/* Routes p from n: local delivery, or out of the next-hop interface; for
 * an address no node owns, toward the TUN interface routing it. */
static void route(sy_node *n, sy_packet *p)
{
	sy_net *net = n->net;
	sy_node *owner = sy_net_owner(net, dst_of(p));
	int32_t i;

	if (!owner && net->ntuns) {
		sy_tun *t = sy_net_tun_route(net, dst_of(p));

		if (t && sy_tun_node(t) == n) {
			sy_net_tun_write(t, p);
			return;
		}
		if (t)
			owner = sy_tun_node(t);
	}

	if (owner == n) {
		p->meta = NULL;
		if (sy_sim_after(net->sim, 0, loopback, n, (uint64_t)(uintptr_t)p, NULL, NULL) < 0) {
			sy_sim_fail(net->sim, "out of memory scheduling a packet to node %s itself",
				    sy_node_name(n));
			sy_packet_release(net->pool, p);
		}
		return;
	}
	i = -1;
	if (owner && (routes_fresh(net) < 0 ||
		      routes_lookup(net->routes, n->index, owner->index, &i) == -2)) {
		/* Dropping as unroutable would be a silent wrong result. */
		sy_sim_fail(net->sim, "out of memory computing the routes of %zu nodes",
			    net->nnodes);
		sy_packet_release(net->pool, p);
		return;
	}
	if (i < 0) {
		sy_net_drop(net, n, p, SY_DROP_NOROUTE);
		return;
	}
	dir_send(&n->ifs[i].link->dir[n->ifs[i].side], p);
}

static void node_input(sy_node *n, sy_packet *p, struct dir *from)
{
	p->meta = from;
	if (sy_net_owner(n->net, dst_of(p)) == n) {
		deliver(n, p);
		return;
	}
	if (sy_ipv4_dec_ttl(p) == 0) {
		sy_net_drop(n->net, n, p, SY_DROP_TTL);
		return;
	}
	n->st.forwarded++;
	route(n, p); /* p->meta still names the way in: a drop is charged to it */
}

void sy_node_send(sy_node *n, sy_packet *p)
{
	n->st.sent++;
	p->meta = NULL;
	route(n, p);
}

void sy_net_node_input(sy_node *n, sy_packet *p)
{
	node_input(n, p, NULL);
}
