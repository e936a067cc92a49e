/* isn/counter: ISNs from a counter.
 *
 * The first connection an endpoint opens (or accepts) gets ISN start, the
 * next start + step, and so on, modulo 2^32, whatever the 4-tuple and the
 * time.  Predictable on purpose: traces are easy to read, and it shows
 * what RFC 6528 guards against.  The counter lives in the instance state:
 * each endpoint has its own instance, so its own counter.
 *
 * Parameters: start (default 1000), step (default 1000). */
#include <stddef.h>
#include <stdint.h>

#include "isn.h"
#include "plugin.h"

struct counter {
	int64_t start;   /* parameter */
	int64_t step;    /* parameter */
	uint32_t next;   /* the ISN the next connection gets */
};

/* Runs once the parameters are set: the place to derive state from them. */
static int counter_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct counter *c = st;

	c->next = (uint32_t)c->start;
	return 0;
}

static uint32_t counter_isn(void *st, const sy_isn_ctx *ctx)
{
	struct counter *c = st;
	uint32_t isn = c->next;

	c->next += (uint32_t)c->step;   /* unsigned: wraps modulo 2^32 */
	return isn;
}

static const sy_isn_ops ops = {
	SY_OPS_HEAD(SY_ISN_OPS_VERSION, sy_isn_ops),
	.seed = NULL,    /* draws nothing random */
	.isn = counter_isn,
};

static const sy_param params[] = {
	{ .name = "start", .type = SY_PT_INT,
	  .offset = offsetof(struct counter, start),
	  .def = "1000", .min = "0", .max = "4294967295",
	  .doc = "ISN of the first connection" },
	{ .name = "step", .type = SY_PT_INT,
	  .offset = offsetof(struct counter, step),
	  .def = "1000", .min = "0", .max = "4294967295",
	  .doc = "added to the ISN for each further connection (modulo 2^32)" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "isn",
	.name = "counter",
	.summary = "ISNs start, start + step, ... (example plugin)",
	.state_size = sizeof(struct counter),
	.params = params,
	.init = counter_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
