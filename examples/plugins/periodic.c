/* loss/periodic: drops every Nth packet, deterministically.
 *
 * Packet i (counted from 0 by this model, on its own link direction) is
 * dropped when i >= first and (i - first) is a multiple of every.  With
 * every = 4 and first = 1 it drops packets 1, 5, 9, ...  It draws nothing
 * random, so it needs no seed op; a loss model that does draw takes its
 * stream in seed() (see plugins/loss/bernoulli.c in synack's sources).
 *
 * Parameters: every (>= 1, default 10), first (>= 0, default 9). */
#include <stddef.h>
#include <stdint.h>

#include "loss.h"
#include "plugin.h"

/* The per-instance state: parameters are fields of it, found by offset. */
struct periodic {
	int64_t every;
	int64_t first;
};

static sy_loss_verdict periodic_apply(void *st, sy_packet *pkt,
				      sy_loss_ctx *ctx)
{
	const struct periodic *p = st;
	uint64_t i = ctx->index;

	if (i < (uint64_t)p->first)
		return SY_LOSS_PASS;
	return (i - (uint64_t)p->first) % (uint64_t)p->every == 0 ?
		SY_LOSS_DROP : SY_LOSS_PASS;
}

static const sy_loss_ops ops = {
	SY_OPS_HEAD(SY_LOSS_OPS_VERSION, sy_loss_ops),
	.seed = NULL,
	.apply = periodic_apply,
};

static const sy_param params[] = {
	{ .name = "every", .type = SY_PT_INT,
	  .offset = offsetof(struct periodic, every),
	  .def = "10", .min = "1", .max = "1000000000",
	  .doc = "drop one packet in every this many" },
	{ .name = "first", .type = SY_PT_INT,
	  .offset = offsetof(struct periodic, first),
	  .def = "9", .min = "0", .max = "1000000000",
	  .doc = "index (from 0) of the first packet dropped" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "loss",
	.name = "periodic",
	.summary = "drops every Nth packet (example plugin)",
	.state_size = sizeof(struct periodic),
	.params = params,
	.init = NULL,       /* nothing to prepare */
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
