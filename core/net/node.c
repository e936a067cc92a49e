#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net_priv.h"

/* ------------------------------------------------------------ nodes */

size_t sy_node_index(const sy_node *n) { return n->index; }
const char *sy_node_name(const sy_node *n) { return n->name; }
size_t sy_node_ifaces(const sy_node *n) { return n->nifs; }
uint32_t sy_node_addr(const sy_node *n, size_t i) { return n->ifs[i].addr; }
const sy_node_stats *sy_node_stats_get(const sy_node *n) { return &n->st; }
uint16_t sy_node_next_ip_id(sy_node *n) { return n->ip_id++; }

/* Names -> nodes: open addressing, power-of-two size, NULL = empty, so that
 * creating n nodes is O(n), not n^2 / 2 name comparisons. */
static size_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return (size_t)(h ^ (h >> 29));
}

sy_node *sy_net_find(const sy_net *net, const char *name)
{
	size_t mask = net->nsize - 1;

	if (!net->nsize)
		return NULL;
	for (size_t i = name_hash(name) & mask; net->names[i]; i = (i + 1) & mask)
		if (strcmp(net->names[i]->name, name) == 0)
			return net->names[i];
	return NULL;
}

static int name_put(sy_net *net, sy_node *n)
{
	size_t mask;

	if (2 * (net->nnodes + 1) > net->nsize) {
		size_t size = net->nsize ? 2 * net->nsize : 64;
		sy_node **t = calloc(size, sizeof *t);

		if (!t)
			return -1;
		for (size_t k = 0; k < net->nnodes; k++) {
			size_t i = name_hash(net->nodes[k]->name) & (size - 1);

			while (t[i])
				i = (i + 1) & (size - 1);
			t[i] = net->nodes[k];
		}
		free(net->names);
		net->names = t;
		net->nsize = size;
	}
	mask = net->nsize - 1;
	for (size_t i = name_hash(n->name) & mask;; i = (i + 1) & mask)
		if (!net->names[i]) {
			net->names[i] = n;
			return 0;
		}
}

sy_node *sy_net_node(sy_net *net, const char *name, sy_err *err)
{
	sy_node *n = NULL;

	if (!name || !*name)
		return sy_err_set(err, "a node needs a non-empty name"), NULL;
	if (sy_net_find(net, name))
		return sy_err_set(err, "a node named '%s' already exists", name), NULL;
	if (grow((void **)&net->nodes, &net->capnodes, net->nnodes, sizeof *net->nodes) < 0 ||
	    !(n = calloc(1, sizeof *n)) || !(n->name = strdup(name)) ||
	    name_put(net, n) < 0) {
		if (n)
			free(n->name);
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

int sy_net_addr_put(sy_net *net, uint32_t a, sy_node *n)
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

/* ------------------------------------------------------------ protocol handlers */

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
