/* The lossless wire: every packet passes untouched.  Useful as an explicit
 * "no loss" in a configuration and as the baseline of the loss tests. */
#include "loss.h"
#include "plugin.h"

/* Draws nothing, but a link may seed every model alike. */
static void none_seed(void *st, const sy_rng *r)
{
}

static sy_loss_verdict none_apply(void *st, sy_packet *p, sy_loss_ctx *ctx)
{
	return SY_LOSS_PASS;
}

static const sy_loss_ops ops = {
	SY_OPS_HEAD(SY_LOSS_OPS_VERSION, sy_loss_ops),
	.seed = none_seed,
	.apply = none_apply,
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "loss",
	.name = "none",
	.summary = "no loss: every packet passes",
	.state_size = 0,
	.params = NULL,
	.init = NULL,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
