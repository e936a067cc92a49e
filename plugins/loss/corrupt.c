/* Bit errors: with probability p a packet has one random bit of its
 * transport segment flipped (sy_packet_corrupt: TCP header or payload,
 * never the IPv4 header) and is still delivered, so that the receiver's
 * checksum check, not the link, is what discards it.  The verdict is
 * always PASS; ctx->corrupted says whether bits were flipped.  A packet
 * with nothing after its IPv4 header cannot be corrupted and passes
 * unmarked.  One draw decides, then sy_packet_corrupt draws the bit from
 * the same stream. */
#include <stddef.h>

#include "loss.h"
#include "plugin.h"

struct corrupt {
	double p;   /* parameter */
	sy_rng rng;
};

static int corrupt_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct corrupt *c = st;

	/* A usable stream until seed() gives the run's own. */
	sy_rng_stream(&c->rng, 0, "loss/corrupt", 0);
	return 0;
}

static void corrupt_seed(void *st, const sy_rng *r)
{
	struct corrupt *c = st;

	c->rng = *r;
}

static sy_loss_verdict corrupt_apply(void *st, sy_packet *p, sy_loss_ctx *ctx)
{
	struct corrupt *c = st;

	if (!sy_rng_bernoulli(&c->rng, c->p))
		return SY_LOSS_PASS;
	if (p->hdr_len > p->ip_hlen || p->payload_len > 0) {
		sy_packet_corrupt(p, &c->rng);
		ctx->corrupted = true;
	}
	return SY_LOSS_PASS;
}

static const sy_loss_ops ops = {
	SY_OPS_HEAD(SY_LOSS_OPS_VERSION, sy_loss_ops),
	.seed = corrupt_seed,
	.apply = corrupt_apply,
};

static const sy_param params[] = {
	{ .name = "p", .type = SY_PT_FLOAT,
	  .offset = offsetof(struct corrupt, p),
	  .def = "0", .min = "0", .max = "1",
	  .doc = "probability that a packet has a bit flipped" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "loss",
	.name = "corrupt",
	.summary = "flips a random bit of the segment with probability p",
	.state_size = sizeof(struct corrupt),
	.params = params,
	.init = corrupt_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
