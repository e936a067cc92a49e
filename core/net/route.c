#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "net_priv.h"

/* ------------------------------------------------------------ routing */

/* Hop counts by breadth-first search from each destination, then for each
 * node the first interface (in link order) whose peer is one hop closer. */
static int compute_routes(sy_net *net)
{
	size_t n = net->nnodes;
	/* n * n entries: a count that overflows cannot be allocated */
	bool big = n && n > SIZE_MAX / n / sizeof(int32_t);
	int32_t *nh = big ? NULL : malloc(n * n * sizeof *nh);
	int16_t *hops = big ? NULL : malloc(n * n * sizeof *hops);
	size_t *fifo = malloc((n ? n : 1) * sizeof *fifo);

	if (!nh || !hops || !fifo) {
		free(nh);
		free(hops);
		free(fifo);
		return -1;
	}
	for (size_t t = 0; t < n; t++) {
		int16_t *dist = &hops[t * n]; /* dist[u]: hops from u to t */
		size_t head = 0, tail = 0;

		for (size_t u = 0; u < n; u++)
			dist[u] = -1;
		dist[t] = 0;
		fifo[tail++] = t;
		while (head < tail) {
			sy_node *v = net->nodes[fifo[head++]];

			for (size_t i = 0; i < v->nifs; i++) {
				sy_link *l = v->ifs[i].link;
				sy_node *w;

				if (!l)
					continue; /* a TUN interface */
				w = l->node[!v->ifs[i].side];
				if (dist[w->index] < 0) {
					dist[w->index] = (int16_t)(dist[v->index] + 1);
					fifo[tail++] = w->index;
				}
			}
		}
		for (size_t u = 0; u < n; u++) {
			sy_node *un = net->nodes[u];

			nh[u * n + t] = -1;
			if (u == t || dist[u] < 0)
				continue;
			for (size_t i = 0; i < un->nifs; i++) {
				sy_node *w;

				if (!un->ifs[i].link)
					continue;
				w = un->ifs[i].link->node[!un->ifs[i].side];
				if (dist[w->index] == dist[u] - 1) {
					nh[u * n + t] = (int32_t)i;
					break;
				}
			}
		}
	}
	free(fifo);
	free(net->nexthop);
	free(net->hops);
	net->nexthop = nh;
	net->hops = hops;
	net->routes_dirty = false;
	return 0;
}

int sy_net_hops(sy_net *net, const sy_node *a, const sy_node *b)
{
	if (net->routes_dirty && compute_routes(net) < 0)
		return -1;
	return net->hops[b->index * net->nnodes + a->index];
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
	if (owner && net->routes_dirty && compute_routes(net) < 0) {
		/* Dropping as unroutable would be a silent wrong result. */
		sy_sim_fail(net->sim, "out of memory computing the routes of %zu nodes",
			    net->nnodes);
		sy_packet_release(net->pool, p);
		return;
	}
	i = owner ? net->nexthop[n->index * net->nnodes + owner->index] : -1;
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
