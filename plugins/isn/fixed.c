/* The same ISN for every connection, whatever the 4-tuple and the time:
 * what ns-3's TCP does.  For teaching and for traces that are easy to read;
 * it is exactly the predictability RFC 6528 warns against. */
#include <stddef.h>
#include <stdint.h>

#include "isn.h"
#include "plugin.h"

struct fixed {
	int64_t value;  /* parameter; 0 .. 2^32 - 1 */
};

static void fixed_seed(void *st, const sy_rng *r)
{
}

static uint32_t fixed_isn(void *st, const sy_isn_ctx *c)
{
	const struct fixed *g = st;

	return (uint32_t)g->value;
}

static const sy_isn_ops ops = {
	SY_OPS_HEAD(SY_ISN_OPS_VERSION, sy_isn_ops),
	.seed = fixed_seed,
	.isn = fixed_isn,
};

static const sy_param params[] = {
	{ .name = "value", .type = SY_PT_INT,
	  .offset = offsetof(struct fixed, value),
	  .def = "0", .min = "0", .max = "4294967295",
	  .doc = "the ISN given to every connection" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "isn",
	.name = "fixed",
	.summary = "the same ISN for every connection (as ns-3 does)",
	.state_size = sizeof(struct fixed),
	.params = params,
	.init = NULL,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
