/* Independent losses: each packet is dropped with probability p, whatever
 * happened to the others (losses come singly; bursts only by chance, with
 * mean run length 1/(1-p)).  One draw per packet, so the verdict of packet
 * i depends only on the seed and i. */
#include <stddef.h>

#include "loss.h"
#include "plugin.h"

struct bernoulli {
	double p;   /* parameter */
	sy_rng rng;
};

static int bernoulli_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct bernoulli *b = st;

	/* A usable stream until seed() gives the run's own. */
	sy_rng_stream(&b->rng, 0, "loss/bernoulli", 0);
	return 0;
}

static void bernoulli_seed(void *st, const sy_rng *r)
{
	struct bernoulli *b = st;

	b->rng = *r;
}

static sy_loss_verdict bernoulli_apply(void *st, sy_packet *p,
				       sy_loss_ctx *ctx)
{
	struct bernoulli *b = st;

	return sy_rng_bernoulli(&b->rng, b->p) ? SY_LOSS_DROP : SY_LOSS_PASS;
}

static const sy_loss_ops ops = {
	SY_OPS_HEAD(SY_LOSS_OPS_VERSION, sy_loss_ops),
	.seed = bernoulli_seed,
	.apply = bernoulli_apply,
};

static const sy_param params[] = {
	{ .name = "p", .type = SY_PT_FLOAT,
	  .offset = offsetof(struct bernoulli, p),
	  .def = "0", .min = "0", .max = "1",
	  .doc = "probability that a packet is lost" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "loss",
	.name = "bernoulli",
	.summary = "independent loss of each packet with probability p",
	.state_size = sizeof(struct bernoulli),
	.params = params,
	.init = bernoulli_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
