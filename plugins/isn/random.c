/* Random initial sequence numbers: 32 fresh bits from the stream for every
 * connection, with no clock, so that successive incarnations of one 4-tuple
 * are unrelated (and may even repeat or go backwards, which RFC 793's
 * clock was there to prevent).  One draw per call: the n-th ISN of a run
 * depends only on the seed and n. */
#include <stddef.h>
#include <stdint.h>

#include "isn.h"
#include "plugin.h"

struct random_isn {
	sy_rng rng;
};

static int random_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct random_isn *g = st;

	/* A usable stream until seed() gives the run's own. */
	sy_rng_stream(&g->rng, 0, "isn/random", 0);
	return 0;
}

static void random_seed(void *st, const sy_rng *r)
{
	struct random_isn *g = st;

	if (r)
		g->rng = *r;
}

static uint32_t random_isn(void *st, const sy_isn_ctx *c)
{
	struct random_isn *g = st;

	/* The high half: the best bits of xoshiro256**, though all are good. */
	return (uint32_t)(sy_rng_next(&g->rng) >> 32);
}

static const sy_isn_ops ops = {
	SY_OPS_HEAD(SY_ISN_OPS_VERSION, sy_isn_ops),
	.seed = random_seed,
	.isn = random_isn,
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "isn",
	.name = "random",
	.summary = "32 random bits per connection, no clock",
	.state_size = sizeof(struct random_isn),
	.params = NULL,
	.init = random_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
