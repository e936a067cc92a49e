#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "net_priv.h"

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

void sy_net_free(sy_net *net)
{
	if (!net)
		return;
	for (size_t i = 0; i < net->nlinks; i++) {
		sy_net_dir_free(net, &net->links[i]->dir[0]);
		sy_net_dir_free(net, &net->links[i]->dir[1]);
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
	for (size_t i = 0; i < net->ntuns; i++)
		sy_net_tun_free(net->tuns[i]);
	free(net->tuns);
	free(net->links);
	free(net->nodes);
	free(net->names);
	free(net->akeys);
	free(net->avals);
	sy_net_routes_free(net->routes);
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
