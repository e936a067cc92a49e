/* RFC 793's ISN generator: a 32-bit clock whose low bit ticks every 4
 * microseconds (by default), ISN = (now / tick + offset) mod 2^32, the
 * same for every 4-tuple.
 *
 * Predictable by design, which is the teaching point: anyone who knows the
 * time knows the ISN, and a connection reopened soon after its previous
 * incarnation starts close to where that one's sequence numbers were, so an
 * old delayed segment may fall into the new window.  No randomness: the
 * stream is ignored. */
#include <stddef.h>
#include <stdint.h>

#include "isn.h"
#include "plugin.h"

struct rfc793 {
	sy_time tick;    /* parameter; >= 1 ns */
	int64_t offset;  /* parameter; 0 .. 2^32 - 1 */
};

static void rfc793_seed(void *st, const sy_rng *r)
{
}

static uint32_t rfc793_isn(void *st, const sy_isn_ctx *c)
{
	const struct rfc793 *g = st;

	/* Unsigned arithmetic wraps, which is the modulo 2^32 wanted
	 * (virtual time is never negative). */
	return (uint32_t)((uint64_t)(c->now / g->tick) + (uint64_t)g->offset);
}

static const sy_isn_ops ops = {
	SY_OPS_HEAD(SY_ISN_OPS_VERSION, sy_isn_ops),
	.seed = rfc793_seed,
	.isn = rfc793_isn,
};

static const sy_param params[] = {
	{ .name = "tick", .type = SY_PT_DURATION,
	  .offset = offsetof(struct rfc793, tick),
	  .def = "4us", .min = "1ns",
	  .doc = "period of the ISN clock (RFC 793: 4 microseconds)" },
	{ .name = "offset", .type = SY_PT_INT,
	  .offset = offsetof(struct rfc793, offset),
	  .def = "0", .min = "0", .max = "4294967295",
	  .doc = "value of the clock at time 0" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "isn",
	.name = "rfc793",
	.summary = "a global clock ticking every 4us, predictable (RFC 793)",
	.state_size = sizeof(struct rfc793),
	.params = params,
	.init = NULL,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
