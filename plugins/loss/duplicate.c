/* Duplication: with probability p the link delivers one extra copy of the
 * packet (ctx->copies = 1), as a misbehaving link layer or a routing
 * change can.  The verdict is always PASS.  One draw per packet. */
#include <stddef.h>

#include "loss.h"
#include "plugin.h"

struct duplicate {
	double p;   /* parameter */
	sy_rng rng;
};

static int duplicate_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct duplicate *d = st;

	/* A usable stream until seed() gives the run's own. */
	sy_rng_stream(&d->rng, 0, "loss/duplicate", 0);
	return 0;
}

static void duplicate_seed(void *st, const sy_rng *r)
{
	struct duplicate *d = st;

	d->rng = *r;
}

static sy_loss_verdict duplicate_apply(void *st, sy_packet *p,
				       sy_loss_ctx *ctx)
{
	struct duplicate *d = st;

	if (sy_rng_bernoulli(&d->rng, d->p))
		ctx->copies = 1;
	return SY_LOSS_PASS;
}

static const sy_loss_ops ops = {
	SY_OPS_HEAD(SY_LOSS_OPS_VERSION, sy_loss_ops),
	.seed = duplicate_seed,
	.apply = duplicate_apply,
};

static const sy_param params[] = {
	{ .name = "p", .type = SY_PT_FLOAT,
	  .offset = offsetof(struct duplicate, p),
	  .def = "0", .min = "0", .max = "1",
	  .doc = "probability that a packet is delivered twice" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "loss",
	.name = "duplicate",
	.summary = "delivers an extra copy of a packet with probability p",
	.state_size = sizeof(struct duplicate),
	.params = params,
	.init = duplicate_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
