#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "net_priv.h"

size_t sy_link_index(const sy_link *l) { return l->index; }
sy_node *sy_link_node(const sy_link *l, int side) { return l->node[side]; }
uint32_t sy_link_addr(const sy_link *l, int side) { return l->addr[side]; }

static void drop_into_pool(void *ctx, sy_packet *p)
{
	sy_net *net = ctx;

	sy_packet_release(net->pool, p);
}

void sy_net_dir_free(sy_net *net, struct dir *dr)
{
	if (dr->q && dr->queue.state)
		dr->q->flush(dr->queue.state, drop_into_pool, net);
	sy_instance_free(&dr->queue);
	for (int i = 0; i < SY_LOSS_CHAIN_MAX; i++)
		sy_instance_free(&dr->loss[i]);
	free(dr->smp_t);
	free(dr->smp_q);
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

/* Link k's default addresses: 10.H.L.1 and .2 with H.L = k for the first
 * 65535 links; the 65535 after them take .3 and .4 of the same /24s, and
 * so on up to .253 and .254: each link a pair of its own in 10/8. */
#define LINKS_PER_ROUND 0xffffu
#define MAX_LINKS ((size_t)LINKS_PER_ROUND * 127)

static uint32_t default_addr(size_t index, int side)
{
	uint32_t hl = (uint32_t)((index - 1) % LINKS_PER_ROUND) + 1;
	uint32_t round = (uint32_t)((index - 1) / LINKS_PER_ROUND);

	SY_INVARIANT(index >= 1 && index <= MAX_LINKS);
	return (10u << 24) | (hl << 8) | (2 * round + (uint32_t)side + 1);
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
	if (net->nlinks >= MAX_LINKS) {
		sy_err_set(err, "too many links (at most %lu)", (unsigned long)MAX_LINKS);
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
		uint32_t x = o->addr[s] ? o->addr[s] : default_addr(l->index, s);

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
	if (sy_net_addr_put(net, l->addr[0], a) < 0 || sy_net_addr_put(net, l->addr[1], b) < 0 ||
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
		sy_net_dir_free(net, &l->dir[0]);
		sy_net_dir_free(net, &l->dir[1]);
		free(l);
	}
	opts_free(o);
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
