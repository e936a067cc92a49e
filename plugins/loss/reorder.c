/* Reordering and jitter through extra delay (ctx->delay, on top of the
 * link's propagation delay).
 *
 * With probability p a packet is held back by `delay`, so that packets
 * sent up to `delay` after it overtake it.  Independently, every packet
 * gets a uniform random extra delay in [0, jitter] (whole nanoseconds,
 * both ends included).  Jitter alone also reorders: two packets that leave
 * less than `jitter` apart swap whenever the first draws enough more delay
 * than the second to make up the gap; packets spaced by jitter or more
 * never swap on its account.  The verdict is always PASS.
 *
 * Draws per packet: one for p, then one for the jitter when jitter > 0. */
#include <stddef.h>
#include <stdint.h>

#include "loss.h"
#include "plugin.h"

struct reorder {
	/* parameters */
	double p;
	sy_time delay;
	sy_time jitter;
	sy_rng rng;
};

static int reorder_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct reorder *r = st;

	/* A usable stream until seed() gives the run's own. */
	sy_rng_stream(&r->rng, 0, "loss/reorder", 0);
	return 0;
}

static void reorder_seed(void *st, const sy_rng *rng)
{
	struct reorder *r = st;

	r->rng = *rng;
}

static sy_loss_verdict reorder_apply(void *st, sy_packet *p, sy_loss_ctx *ctx)
{
	struct reorder *r = st;
	sy_time extra = 0;

	if (sy_rng_bernoulli(&r->rng, r->p))
		extra = r->delay;
	if (r->jitter > 0)
		extra += (sy_time)sy_rng_below(&r->rng,
					       (uint64_t)r->jitter + 1);
	ctx->delay = extra;
	return SY_LOSS_PASS;
}

static const sy_loss_ops ops = {
	SY_OPS_HEAD(SY_LOSS_OPS_VERSION, sy_loss_ops),
	.seed = reorder_seed,
	.apply = reorder_apply,
};

/* Bounded at an hour each, so that delay + jitter cannot overflow. */
static const sy_param params[] = {
	{ .name = "p", .type = SY_PT_FLOAT,
	  .offset = offsetof(struct reorder, p),
	  .def = "0", .min = "0", .max = "1",
	  .doc = "probability that a packet is held back by delay" },
	{ .name = "delay", .type = SY_PT_DURATION,
	  .offset = offsetof(struct reorder, delay),
	  .def = "10ms", .min = "0s", .max = "3600s",
	  .doc = "extra delay of a held-back packet" },
	{ .name = "jitter", .type = SY_PT_DURATION,
	  .offset = offsetof(struct reorder, jitter),
	  .def = "0s", .min = "0s", .max = "3600s",
	  .doc = "every packet is delayed by a uniform extra in [0, jitter] "
		 "(reorders packets sent closer together than this)" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "loss",
	.name = "reorder",
	.summary = "holds packets back with probability p, plus uniform jitter",
	.state_size = sizeof(struct reorder),
	.params = params,
	.init = reorder_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
