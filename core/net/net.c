#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loss.h"
#include <pcap/pcap.h>

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

/* A TUN interface: the device's descriptor, a buffer for one datagram
 * and the routes to it. */
struct sy_tun {
	sy_net *net;
	sy_node *node;
	int fd;
	char name[IFNAMSIZ];
	uint32_t mtu;
	sy_tun_route routes[SY_TUN_ROUTES + 2];
	int nroutes;
	sy_tun_stats st;
	pcap_t *dead;          /* for the capture: NULL without one */
	pcap_dumper_t *dump;
	char *pcap_path;
	int pcap_errno;        /* a write failed: the capture stopped */
	unsigned char buf[SY_IP_MAXLEN];
};

static void tun_capture_close(sy_tun *t);

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
	sy_link **links;
	size_t nlinks, caplinks;
	/* address -> node: open addressing, power-of-two size, 0 = empty */
	uint32_t *akeys;
	sy_node **avals;
	size_t asize, acount;
	/* nexthop[u * nnodes + t]: interface of u toward node t, -1 none */
	int32_t *nexthop;
	int16_t *hops;
	bool routes_dirty;
	struct { sy_net_observer fn; void *ctx; } obs[SY_NET_OBSERVERS];
	int nobs;
	void *tcp_obs;  /* the TCP endpoints' network-wide observers (tcp.c) */
	sy_tun **tuns;
	size_t ntuns, captuns;
};

static const char *const drop_names[SY_DROP_REASONS] = {
	"queue", "loss", "corrupt", "ttl", "noroute", "mtu", "noproto",
};

const char *sy_drop_name(sy_drop r)
{
	return (unsigned)r < SY_DROP_REASONS ? drop_names[r] : "?";
}

/* ------------------------------------------------------------ basics */

sy_net *sy_net_new(sy_sim *sim, sy_err *err)
{
	sy_net *net = calloc(1, sizeof *net);

	if (!net || !(net->pool = sy_pktpool_new())) {
		free(net);
		sy_err_set(err, "out of memory creating the network");
		return NULL;
	}
	net->sim = sim;
	return net;
}

static void drop_into_pool(void *ctx, sy_packet *p)
{
	sy_net *net = ctx;

	sy_packet_release(net->pool, p);
}

static void dir_free(sy_net *net, struct dir *dr)
{
	if (dr->q && dr->queue.state)
		dr->q->flush(dr->queue.state, drop_into_pool, net);
	sy_instance_free(&dr->queue);
	for (int i = 0; i < SY_LOSS_CHAIN_MAX; i++)
		sy_instance_free(&dr->loss[i]);
	free(dr->smp_t);
	free(dr->smp_q);
}

void sy_net_free(sy_net *net)
{
	if (!net)
		return;
	for (size_t i = 0; i < net->nlinks; i++) {
		dir_free(net, &net->links[i]->dir[0]);
		dir_free(net, &net->links[i]->dir[1]);
		free(net->links[i]);
	}
	for (size_t i = 0; i < net->nnodes; i++) {
		sy_node *n = net->nodes[i];

		for (int k = 0; k < n->nprotos; k++)
			if (n->protos[k].dtor)
				n->protos[k].dtor(n->protos[k].ctx);
		free(net->nodes[i]->name);
		free(net->nodes[i]->ifs);
		free(net->nodes[i]);
	}
	/* The simulator holds watches of these descriptors: it is freed
	 * (or never runs again) before the network, see net.h. */
	for (size_t i = 0; i < net->ntuns; i++) {
		close(net->tuns[i]->fd);
		tun_capture_close(net->tuns[i]);
		free(net->tuns[i]);
	}
	free(net->tuns);
	free(net->links);
	free(net->nodes);
	free(net->akeys);
	free(net->avals);
	free(net->nexthop);
	free(net->hops);
	sy_pktpool_free(net->pool);
	free(net->tcp_obs);
	free(net);
}

sy_sim *sy_net_sim(const sy_net *net) { return net->sim; }
sy_pktpool *sy_net_pool(sy_net *net) { return net->pool; }
size_t sy_net_nodes(const sy_net *net) { return net->nnodes; }
size_t sy_net_links(const sy_net *net) { return net->nlinks; }
sy_node *sy_net_node_at(const sy_net *net, size_t i) { return net->nodes[i]; }
sy_link *sy_net_link_at(const sy_net *net, size_t i) { return net->links[i]; }
size_t sy_link_index(const sy_link *l) { return l->index; }
size_t sy_node_index(const sy_node *n) { return n->index; }
const char *sy_node_name(const sy_node *n) { return n->name; }
size_t sy_node_ifaces(const sy_node *n) { return n->nifs; }
uint32_t sy_node_addr(const sy_node *n, size_t i) { return n->ifs[i].addr; }
const sy_node_stats *sy_node_stats_get(const sy_node *n) { return &n->st; }
sy_node *sy_link_node(const sy_link *l, int side) { return l->node[side]; }
uint32_t sy_link_addr(const sy_link *l, int side) { return l->addr[side]; }
uint16_t sy_node_next_ip_id(sy_node *n) { return n->ip_id++; }

int sy_net_observe(sy_net *net, sy_net_observer fn, void *ctx)
{
	if (net->nobs == SY_NET_OBSERVERS)
		return -1;
	net->obs[net->nobs].fn = fn;
	net->obs[net->nobs].ctx = ctx;
	net->nobs++;
	return 0;
}

void sy_net_unobserve(sy_net *net, sy_net_observer fn, void *ctx)
{
	for (int i = 0; i < net->nobs; i++)
		if (net->obs[i].fn == fn && net->obs[i].ctx == ctx) {
			memmove(net->obs + i, net->obs + i + 1,
				(size_t)(net->nobs - i - 1) * sizeof net->obs[0]);
			net->nobs--;
			return;
		}
}

void **sy_net_tcp_observers(sy_net *net)
{
	return &net->tcp_obs;
}

static void observe(sy_net *net, char ev, const struct dir *dr,
		    const sy_packet *p, sy_drop reason)
{
	for (int i = 0; i < net->nobs; i++)
		net->obs[i].fn(net->obs[i].ctx, ev, dr ? dr->link : NULL,
			       dr ? dr->d : 0, p, reason);
}

sy_node *sy_net_find(const sy_net *net, const char *name)
{
	for (size_t i = 0; i < net->nnodes; i++)
		if (strcmp(net->nodes[i]->name, name) == 0)
			return net->nodes[i];
	return NULL;
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
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

sy_node *sy_net_node(sy_net *net, const char *name, sy_err *err)
{
	sy_node *n = NULL;

	if (!name || !*name)
		return sy_err_set(err, "a node needs a non-empty name"), NULL;
	if (sy_net_find(net, name))
		return sy_err_set(err, "a node named '%s' already exists", name), NULL;
	if (grow((void **)&net->nodes, &net->capnodes, net->nnodes, sizeof *net->nodes) < 0 ||
	    !(n = calloc(1, sizeof *n)) || !(n->name = strdup(name))) {
		if (n)
			free(n);
		return sy_err_set(err, "out of memory creating node '%s'", name), NULL;
	}
	n->net = net;
	n->index = net->nnodes;
	net->nodes[net->nnodes++] = n;
	net->routes_dirty = true;
	return n;
}

/* ------------------------------------------------------------ addresses */

static size_t ahash(uint32_t a, size_t mask)
{
	return (size_t)((a * 0x9e3779b1u) >> 7) & mask;
}

sy_node *sy_net_owner(const sy_net *net, uint32_t a)
{
	size_t mask = net->asize - 1;

	if (!net->asize || a == 0)
		return NULL;
	for (size_t i = ahash(a, mask);; i = (i + 1) & mask) {
		if (net->akeys[i] == a)
			return net->avals[i];
		if (net->akeys[i] == 0)
			return NULL;
	}
}

static int addr_put(sy_net *net, uint32_t a, sy_node *n)
{
	if (2 * (net->acount + 1) > net->asize) {
		size_t size = net->asize ? 2 * net->asize : 64;
		uint32_t *k = calloc(size, sizeof *k);
		sy_node **v = calloc(size, sizeof *v);

		if (!k || !v) {
			free(k);
			free(v);
			return -1;
		}
		for (size_t i = 0; i < net->asize; i++) {
			size_t j;

			if (!net->akeys[i])
				continue;
			for (j = ahash(net->akeys[i], size - 1); k[j]; j = (j + 1) & (size - 1))
				;
			k[j] = net->akeys[i];
			v[j] = net->avals[i];
		}
		free(net->akeys);
		free(net->avals);
		net->akeys = k;
		net->avals = v;
		net->asize = size;
	}
	for (size_t i = ahash(a, net->asize - 1);; i = (i + 1) & (net->asize - 1)) {
		if (net->akeys[i] == 0) {
			net->akeys[i] = a;
			net->avals[i] = n;
			net->acount++;
			return 0;
		}
	}
}

/* ------------------------------------------------------------ links */

sy_time sy_tx_time(uint64_t bytes, int64_t rate, uint64_t *carry)
{
	/* bits * 1e9 / rate ns, exactly: the remainder is kept in *carry (in
	 * units of 1/rate ns) and added to the next packet's numerator. */
	unsigned __int128 num = (unsigned __int128)bytes * 8 * 1000000000u + *carry;
	unsigned __int128 q = num / (uint64_t)rate;

	*carry = (uint64_t)(num - q * (uint64_t)rate);
	return (sy_time)q;
}

static int check_dir(const sy_node *a, const sy_node *b, int d,
		     const sy_dir_opts *o, sy_err *err)
{
	const char *from = d ? b->name : a->name, *to = d ? a->name : b->name;

	if (o->rate <= 0)
		return sy_err_set(err, "link %s -> %s: rate must be positive, got %lld bit/s",
				  from, to, (long long)o->rate);
	if (o->delay < 0)
		return sy_err_set(err, "link %s -> %s: delay must not be negative", from, to);
	if (o->mtu < 40 || o->mtu > SY_IP_MAXLEN)
		return sy_err_set(err, "link %s -> %s: MTU %u B cannot carry IPv4 and TCP headers (40 B) or exceeds %u B",
				  from, to, (unsigned)o->mtu, (unsigned)SY_IP_MAXLEN);
	if (o->nloss < 0 || o->nloss > SY_LOSS_CHAIN_MAX)
		return sy_err_set(err, "link %s -> %s: at most %d loss models per direction",
				  from, to, SY_LOSS_CHAIN_MAX);
	if (o->queue.plugin && strcmp(o->queue.plugin->kind, "queue") != 0)
		return sy_err_set(err, "link %s -> %s: %s/%s is not a queue plugin",
				  from, to, o->queue.plugin->kind, o->queue.plugin->name);
	for (int i = 0; i < o->nloss; i++)
		if (!o->loss[i].plugin || strcmp(o->loss[i].plugin->kind, "loss") != 0)
			return sy_err_set(err, "link %s -> %s: loss model %d is not a loss plugin",
					  from, to, i + 1);
	return 0;
}

static void opts_free(sy_link_opts *o)
{
	for (int d = 0; d < 2; d++) {
		sy_instance_free(&o->dir[d].queue);
		for (int i = 0; i < SY_LOSS_CHAIN_MAX; i++)
			sy_instance_free(&o->dir[d].loss[i]);
	}
}

/* Moves the options' instances into the direction and starts them, each
 * with its own random stream. */
static int dir_setup(sy_net *net, sy_link *l, int d, sy_dir_opts *o, sy_err *err)
{
	struct dir *dr = &l->dir[d];
	uint64_t base = ((uint64_t)l->index << 8) | ((uint64_t)d << 7);
	sy_rng r;

	dr->link = l;
	dr->d = d;
	dr->to = l->node[!d];
	dr->rate = o->rate;
	dr->delay = o->delay;
	dr->mtu = o->mtu;
	dr->queue = o->queue;
	memset(&o->queue, 0, sizeof o->queue);
	if (!dr->queue.plugin) {
		const sy_plugin *p = sy_plugin_load("queue", "droptail", err);

		if (!p || sy_instance_new(&dr->queue, p, err) < 0)
			return -1;
	}
	dr->q = dr->queue.plugin->ops;
	if (sy_instance_init(&dr->queue, net->sim, err) < 0)
		return -1;
	if (dr->q->seed) {
		sy_sim_stream(net->sim, &r, "link-queue", base);
		dr->q->seed(dr->queue.state, &r);
	}
	dr->nloss = o->nloss;
	for (int i = 0; i < o->nloss; i++) {
		const sy_loss_ops *ops;

		dr->loss[i] = o->loss[i];
		memset(&o->loss[i], 0, sizeof o->loss[i]);
		if (sy_instance_init(&dr->loss[i], net->sim, err) < 0)
			return -1;
		ops = dr->loss[i].plugin->ops;
		if (ops->seed) {
			sy_sim_stream(net->sim, &r, "link-loss", base | (uint64_t)i);
			ops->seed(dr->loss[i].state, &r);
		}
	}
	dr->st.since = sy_sim_now(net->sim);
	dr->qlast = dr->st.since;
	return 0;
}

static int add_iface(sy_node *n, sy_link *l, int side)
{
	if (grow((void **)&n->ifs, &n->capifs, n->nifs, sizeof *n->ifs) < 0)
		return -1;
	n->ifs[n->nifs++] = (struct iface){ l->addr[side], l, side, NULL };
	return 0;
}

sy_link *sy_net_link(sy_net *net, sy_node *a, sy_node *b, sy_link_opts *o,
		     sy_err *err)
{
	sy_link *l = NULL;
	char ab[16];

	if (a == b) {
		sy_err_set(err, "a link needs two different nodes, got '%s' twice", a->name);
		goto fail;
	}
	if (check_dir(a, b, 0, &o->dir[0], err) < 0 ||
	    check_dir(a, b, 1, &o->dir[1], err) < 0)
		goto fail;
	if (net->nlinks >= 0xffff) {
		sy_err_set(err, "too many links (at most 65535)");
		goto fail;
	}
	l = calloc(1, sizeof *l);
	if (!l || grow((void **)&net->links, &net->caplinks, net->nlinks, sizeof *net->links) < 0) {
		sy_err_set(err, "out of memory creating a link");
		goto fail;
	}
	l->net = net;
	l->index = net->nlinks + 1;
	l->node[0] = a;
	l->node[1] = b;
	for (int s = 0; s < 2; s++) {
		uint32_t x = o->addr[s] ? o->addr[s] :
			(10u << 24) | ((uint32_t)l->index << 8) | (uint32_t)(s + 1);

		if (sy_net_owner(net, x) || (s == 1 && x == l->addr[0])) {
			sy_ipv4_format(x, ab);
			sy_err_set(err, "address %s is already in use", ab);
			goto fail;
		}
		l->addr[s] = x;
	}
	if (dir_setup(net, l, 0, &o->dir[0], err) < 0 ||
	    dir_setup(net, l, 1, &o->dir[1], err) < 0) {
		sy_err_prefix(err, "link %s - %s", a->name, b->name);
		goto fail;
	}
	if (addr_put(net, l->addr[0], a) < 0 || addr_put(net, l->addr[1], b) < 0 ||
	    add_iface(a, l, 0) < 0 || add_iface(b, l, 1) < 0) {
		/* Not undone: out of memory leaves the network unusable. */
		sy_err_set(err, "out of memory creating a link");
		return NULL;
	}
	net->links[net->nlinks++] = l;
	net->routes_dirty = true;
	return l;
fail:
	if (l) {
		dir_free(net, &l->dir[0]);
		dir_free(net, &l->dir[1]);
		free(l);
	}
	opts_free(o);
	return NULL;
}

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

static sy_tun *tun_route(const sy_net *net, uint32_t dst);
static void tun_write(sy_tun *t, sy_packet *p);

/* Routes p from n: local delivery, or out of the next-hop interface; for
 * an address no node owns, toward the TUN interface routing it. */
static void route(sy_node *n, sy_packet *p)
{
	sy_net *net = n->net;
	sy_node *owner = sy_net_owner(net, dst_of(p));
	int32_t i;

	if (!owner && net->ntuns) {
		sy_tun *t = tun_route(net, dst_of(p));

		if (t && t->node == n) {
			tun_write(t, p);
			return;
		}
		if (t)
			owner = t->node;
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

void sy_node_set_proto_owned(sy_node *n, uint8_t proto, sy_proto_fn fn,
			     void *ctx, void (*dtor)(void *ctx))
{
	for (int i = 0; i < n->nprotos; i++) {
		if (n->protos[i].proto != proto)
			continue;
		if (fn)
			n->protos[i] = (struct proto){ proto, fn, ctx, dtor };
		else
			n->protos[i] = n->protos[--n->nprotos];
		return;
	}
	if (fn && n->nprotos < MAX_PROTOS)
		n->protos[n->nprotos++] = (struct proto){ proto, fn, ctx, dtor };
}

void sy_node_set_proto(sy_node *n, uint8_t proto, sy_proto_fn fn, void *ctx)
{
	sy_node_set_proto_owned(n, proto, fn, ctx, NULL);
}

void *sy_node_proto_ctx(const sy_node *n, uint8_t proto, sy_proto_fn fn)
{
	for (int i = 0; i < n->nprotos; i++)
		if (n->protos[i].proto == proto && n->protos[i].fn == fn)
			return n->protos[i].ctx;
	return NULL;
}

/* ------------------------------------------------------------ statistics */

sy_dir_stats sy_link_stats(const sy_link *l, int d)
{
	const struct dir *dr = &l->dir[d];
	sy_dir_stats s = dr->st;
	sy_time now = sy_sim_now(l->net->sim);

	s.queue_area += (double)dr->q->packets(dr->queue.state) *
			(double)(now - dr->qlast) / 1e9;
	if (dr->busy)
		s.busy += now - dr->busy_since;
	return s;
}

static void sample_tick(sy_sim *sim, void *arg, uint64_t data)
{
	sy_link *l = arg;
	sy_time now = sy_sim_now(sim);

	l->sampling = false;
	for (int d = 0; d < 2; d++) {
		struct dir *dr = &l->dir[d];

		if (dr->nsmp == dr->capsmp) {
			size_t cap = dr->capsmp ? 2 * dr->capsmp : 256;
			sy_time *t = SY_FAULT(SY_FAULT_SAMPLE) ? NULL :
				     realloc(dr->smp_t, cap * sizeof *t);
			uint32_t *q;

			if (!t)
				goto oom;
			dr->smp_t = t;
			q = realloc(dr->smp_q, cap * sizeof *q);
			if (!q)
				goto oom;
			dr->smp_q = q;
			dr->capsmp = cap;
		}
		dr->smp_t[dr->nsmp] = now;
		dr->smp_q[dr->nsmp] = (uint32_t)dr->q->packets(dr->queue.state);
		dr->nsmp++;
	}
	/* Only while something else is pending: a sampler must not keep an
	 * otherwise finished run alive. */
	if (sy_sim_size(sim) > 0) {
		if (sy_sim_after(sim, l->sample_every, sample_tick, l, 0, NULL, NULL) < 0)
			goto oom;
		l->sampling = true;
	}
	return;
oom:
	/* A series with a silent end would read as an idle queue. */
	sy_sim_fail(sim, "out of memory storing a queue-length sample of link %s - %s",
		    sy_node_name(l->node[0]), sy_node_name(l->node[1]));
}

int sy_link_sample(sy_link *l, sy_time interval, sy_err *err)
{
	if (interval <= 0)
		return sy_err_set(err, "the sampling interval must be positive");
	l->sample_every = interval;
	if (l->sampling)
		return 0;
	if (sy_sim_after(l->net->sim, 0, sample_tick, l, 0, NULL, err) < 0)
		return -1;
	l->sampling = true;
	return 0;
}

void sy_link_samples(const sy_link *l, int d, size_t *n, const sy_time **t,
		     const uint32_t **q)
{
	*n = l->dir[d].nsmp;
	*t = l->dir[d].smp_t;
	*q = l->dir[d].smp_q;
}

size_t sy_link_queue_packets(const sy_link *l, int d)
{
	return l->dir[d].q->packets(l->dir[d].queue.state);
}

/* ------------------------------------------------------------ TUN */

const char *sy_tun_name(const sy_tun *t) { return t->name; }
sy_node *sy_tun_node(const sy_tun *t) { return t->node; }
int sy_tun_fd(const sy_tun *t) { return t->fd; }
sy_tun_stats sy_tun_stats_get(const sy_tun *t) { return t->st; }

static uint32_t prefix_mask(int len)
{
	return len <= 0 ? 0 : len >= 32 ? 0xffffffffu : ~(0xffffffffu >> len);
}

/* The TUN interface whose route matches dst longest; ties: the first. */
static sy_tun *tun_route(const sy_net *net, uint32_t dst)
{
	sy_tun *best = NULL;
	int best_len = -1;

	for (size_t i = 0; i < net->ntuns; i++) {
		sy_tun *t = net->tuns[i];

		for (int k = 0; k < t->nroutes; k++) {
			uint32_t m = prefix_mask(t->routes[k].len);

			if ((dst & m) == t->routes[k].net && t->routes[k].len > best_len) {
				best = t;
				best_len = t->routes[k].len;
			}
		}
	}
	return best;
}

/* The capture of the device (sy_tun_opts.pcap): the datagrams as they
 * cross it, both ways, at the virtual time they did. */
static void tun_capture(sy_tun *t, const unsigned char *b, size_t n)
{
	struct pcap_pkthdr h;
	sy_time now = sy_sim_now(t->net->sim);

	if (!t->dump || t->pcap_errno)
		return;
	h.ts.tv_sec = (time_t)(now / SY_SEC);
	/* a nanosecond-precision capture keeps nanoseconds in tv_usec */
	h.ts.tv_usec = (suseconds_t)(now % SY_SEC);
	h.caplen = h.len = (bpf_u_int32)n;
	pcap_dump((u_char *)t->dump, &h, b);
	/* pcap_dump returns nothing: its stream's error flag tells */
	if (ferror(pcap_dump_file(t->dump)))
		t->pcap_errno = errno ? errno : EIO;
}

/* Writes out the capture's buffer; the first failure stays. */
static int tun_capture_flush(sy_tun *t, sy_err *err)
{
	if (t->dump && !t->pcap_errno) {
		errno = 0;
		if (pcap_dump_flush(t->dump) != 0 || ferror(pcap_dump_file(t->dump)))
			t->pcap_errno = errno ? errno : EIO;
	}
	if (t->pcap_errno)
		return sy_err_set(err, "TUN capture: cannot write %s: %s", t->pcap_path,
				  strerror(t->pcap_errno));
	return 0;
}

/* pcap_dump_close reports nothing: sy_net_flush reports what it would
 * lose, before the network is freed. */
static void tun_capture_close(sy_tun *t)
{
	if (t->dump)
		pcap_dump_close(t->dump);
	if (t->dead)
		pcap_close(t->dead);
	free(t->pcap_path);
	t->dump = NULL;
	t->dead = NULL;
	t->pcap_path = NULL;
}

int sy_net_flush(sy_net *net, sy_err *err)
{
	int rc = 0;

	if (!net)
		return 0;
	for (size_t i = 0; i < net->ntuns; i++)
		if (tun_capture_flush(net->tuns[i], rc < 0 ? NULL : err) < 0)
			rc = -1;
	return rc;
}

static int tun_capture_open(sy_tun *t, const char *path, sy_err *err)
{
	/* nanosecond time stamps, as the link captures */
	t->dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, SY_IP_MAXLEN,
						       PCAP_TSTAMP_PRECISION_NANO);
	if (!t->dead)
		return sy_err_set(err, "libpcap cannot create a raw IPv4 capture");
	if (!(t->pcap_path = strdup(path))) {
		pcap_close(t->dead);
		t->dead = NULL;
		return sy_err_set(err, "TUN capture: out of memory");
	}
	errno = 0;
	t->dump = pcap_dump_open(t->dead, path);
	if (!t->dump) {
		/* libpcap's message repeats the path */
		sy_err_set(err, "TUN capture: cannot write %s: %s", path,
			   errno ? strerror(errno) : pcap_geterr(t->dead));
		pcap_close(t->dead);
		t->dead = NULL;
		return -1;
	}
	return 0;
}

static void tun_write(sy_tun *t, sy_packet *p)
{
	size_t n;

	if (p->len > t->mtu) {
		t->st.tx_dropped++;
		sy_net_drop(t->net, t->node, p, SY_DROP_MTU);
		return;
	}
	n = sy_packet_wire(p, t->buf, sizeof t->buf);
	/* Observers (a recorder) see it leave the node and arrive at the
	 * device's far end at once: the kernel's side has no clock here. */
	observe(t->net, '-', NULL, p, 0);
	observe(t->net, 'r', NULL, p, 0);
	tun_capture(t, t->buf, n);
	sy_packet_release(t->net->pool, p);
	/* A TUN device does not block a writer: it drops when its queue
	 * is full, as a link's queue would. */
	if (write(t->fd, t->buf, n) != (ssize_t)n) {
		t->st.tx_dropped++;
		return;
	}
	t->st.tx_packets++;
	t->st.tx_bytes += n;
}

/* A datagram read from the device as a packet: an IPv4 header without
 * options, the TCP header (if TCP) in hdr[], the rest as real payload. */
static sy_packet *tun_packet(sy_tun *t, const unsigned char *b, size_t n)
{
	size_t hlen = 20;
	sy_packet *p;

	if (n < 20 || b[0] != 0x45 || ((size_t)b[2] << 8 | b[3]) != n)
		return NULL;
	if (b[9] == SY_IPPROTO_TCP) {
		size_t doff;

		if (n < 40)
			return NULL;
		doff = (size_t)(b[32] >> 4) * 4;
		if (doff < 20 || 20 + doff > n)
			return NULL;
		hlen = 20 + doff;
	}
	p = sy_packet_new(t->net->pool);
	if (!p)
		return NULL;
	p->hdr_len = (uint16_t)hlen;
	if (sy_packet_set_payload(t->net->pool, p, b + hlen, (uint32_t)(n - hlen), NULL) < 0) {
		sy_packet_release(t->net->pool, p);
		return NULL;
	}
	memcpy(p->hdr, b, hlen);
	p->ip_hlen = 20;
	return p;
}

/* The device is readable: every datagram waiting (at most a batch, so
 * that timers due meanwhile are not held up) arrives now. */
#define TUN_BATCH 256

static void tun_input(sy_sim *sim, void *arg, int fd)
{
	sy_tun *t = arg;

	for (int k = 0; k < TUN_BATCH; k++) {
		ssize_t n = read(fd, t->buf, sizeof t->buf);
		sy_packet *p;

		if (n <= 0)
			return; /* EAGAIN: drained */
		t->st.rx_packets++;
		t->st.rx_bytes += (uint64_t)n;
		tun_capture(t, t->buf, (size_t)n);
		p = tun_packet(t, t->buf, (size_t)n);
		if (!p) {
			t->st.rx_dropped++;
			continue;
		}
		/* for observers: sent by the kernel and arrived, now */
		observe(t->net, '+', NULL, p, 0);
		observe(t->net, 'r', NULL, p, 0);
		node_input(t->node, p, NULL);
	}
}

/* Gives the kernel's end of the device its address, prefix and MTU, and
 * brings it up (what `ip addr add PEER/LEN dev NAME; ip link set NAME mtu
 * MTU up` does). */
static int tun_configure(sy_tun *t, const sy_tun_opts *o, sy_err *err)
{
	struct ifreq ifr;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	const char *step;

	if (s < 0)
		return sy_err_set(err, "TUN device '%s': socket: %s", t->name, strerror(errno));
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, t->name, IFNAMSIZ);
	step = "setting its address";
	sin.sin_addr.s_addr = htonl(o->peer);
	memcpy(&ifr.ifr_addr, &sin, sizeof sin);
	if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
		goto fail;
	step = "setting its netmask";
	sin.sin_addr.s_addr = htonl(prefix_mask(o->prefix));
	memcpy(&ifr.ifr_netmask, &sin, sizeof sin);
	if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
		goto fail;
	if (o->prefix == 32) {
		/* No subnet: the node is the point-to-point peer. */
		step = "setting its peer address";
		sin.sin_addr.s_addr = htonl(o->addr);
		memcpy(&ifr.ifr_dstaddr, &sin, sizeof sin);
		if (ioctl(s, SIOCSIFDSTADDR, &ifr) < 0)
			goto fail;
	}
	step = "setting its MTU";
	ifr.ifr_mtu = (int)t->mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0)
		goto fail;
	step = "bringing it up";
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto fail;
	close(s);
	return 0;
fail:
	sy_err_set(err, "TUN device '%s': %s: %s%s", t->name, step, strerror(errno),
		   errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
	close(s);
	return -1;
}

static int tun_open(sy_tun *t, const char *name, sy_err *err)
{
	struct ifreq ifr;
	int e;

	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		e = errno;
		if (e == ENOENT || e == ENODEV || e == ENXIO)
			return sy_err_set(err, "TUN interface: no /dev/net/tun (%s): the kernel's tun driver is missing or the device node is not there",
					  strerror(e));
		return sy_err_set(err, "TUN interface: cannot open /dev/net/tun: %s%s", strerror(e),
				  e == EACCES || e == EPERM ? " (needs root or CAP_NET_ADMIN)" : "");
	}
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (name)
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(t->fd);
		t->fd = -1;
		return sy_err_set(err, "TUN device '%s': %s%s", name ? name : "tun%d", strerror(e),
				  e == EPERM ? " (creating or attaching a TUN device needs CAP_NET_ADMIN)" :
				  e == EBUSY ? " (another program has it open)" : "");
	}
	memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
	t->name[IFNAMSIZ - 1] = 0;
	return 0;
}

sy_tun *sy_net_tun(sy_net *net, sy_node *n, const sy_tun_opts *o, sy_err *err)
{
	uint32_t mask = prefix_mask(o->prefix);
	const char *name = o->name && *o->name ? o->name : NULL;
	char ab[16];
	sy_tun *t;

	if (!sy_sim_realtime(net->sim))
		return sy_err_set(err, "a TUN interface needs a real-time simulator (realtime = true, or --realtime)"), NULL;
	if (name && strlen(name) >= IFNAMSIZ)
		return sy_err_set(err, "TUN device name '%s' is longer than %d characters", name, IFNAMSIZ - 1), NULL;
	if (o->prefix < 1 || o->prefix > 32)
		return sy_err_set(err, "TUN interface: prefix length must be 1..32, got %d", o->prefix), NULL;
	if (o->addr == 0 || sy_net_owner(net, o->addr)) {
		sy_ipv4_format(o->addr, ab);
		return sy_err_set(err, "TUN interface: address %s is %s", ab,
				  o->addr ? "already in use" : "not valid"), NULL;
	}
	if (o->peer && (o->peer == o->addr ||
			(o->prefix < 32 && (o->peer & mask) != (o->addr & mask)))) {
		sy_ipv4_format(o->peer, ab);
		return sy_err_set(err, "TUN interface: peer %s must differ from the address and lie in its prefix", ab), NULL;
	}
	if (o->mtu && (o->mtu < 68 || o->mtu > SY_IP_MAXLEN))
		return sy_err_set(err, "TUN interface: MTU %u B out of range (68..65535)", (unsigned)o->mtu), NULL;
	if (o->nroutes < 0 || o->nroutes > SY_TUN_ROUTES)
		return sy_err_set(err, "TUN interface: at most %d routes", SY_TUN_ROUTES), NULL;
	t = calloc(1, sizeof *t);
	if (!t || grow((void **)&net->tuns, &net->captuns, net->ntuns, sizeof *net->tuns) < 0 ||
	    grow((void **)&n->ifs, &n->capifs, n->nifs, sizeof *n->ifs) < 0) {
		free(t);
		return sy_err_set(err, "out of memory creating a TUN interface"), NULL;
	}
	t->net = net;
	t->node = n;
	t->fd = -1;
	t->mtu = o->mtu ? o->mtu : 1500;
	t->routes[t->nroutes++] = (sy_tun_route){ o->addr & mask, o->prefix };
	for (int k = 0; k < o->nroutes; k++) {
		uint32_t m = prefix_mask(o->routes[k].len);

		t->routes[t->nroutes++] = (sy_tun_route){ o->routes[k].net & m, o->routes[k].len };
	}
	if (o->default_route)
		t->routes[t->nroutes++] = (sy_tun_route){ 0, 0 };
	if (tun_open(t, name, err) < 0 ||
	    (o->peer && tun_configure(t, o, err) < 0) ||
	    (o->pcap && tun_capture_open(t, o->pcap, err) < 0) ||
	    sy_sim_watch(net->sim, t->fd, false, tun_input, t, err) < 0) {
		if (t->fd >= 0)
			close(t->fd);
		tun_capture_close(t);
		free(t);
		return NULL;
	}
	if (addr_put(net, o->addr, n) < 0) {
		sy_sim_unwatch(net->sim, t->fd);
		close(t->fd);
		tun_capture_close(t);
		free(t);
		return sy_err_set(err, "out of memory creating a TUN interface"), NULL;
	}
	n->ifs[n->nifs++] = (struct iface){ o->addr, NULL, 0, t };
	net->tuns[net->ntuns++] = t;
	net->routes_dirty = true;
	return t;
}
