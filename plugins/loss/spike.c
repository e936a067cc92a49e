/* Delay spikes: a link that stalls now and then and delivers what it
 * held once it resumes, in order (a radio handover, a route flap with
 * buffering), the cause of spurious retransmission timeouts that F-RTO
 * and Eifel detect.
 *
 * Spikes begin at `start` and then every `every` (0: only one), each
 * `length` long.  A packet that leaves the transmitter during a spike is
 * held until the spike ends: its extra delay is what is left of it, so
 * everything held arrives together, in the order sent, one propagation
 * delay after the end.  Outside the spikes packets pass untouched.
 * Nothing is drawn: the spikes are where the parameters put them. */
#include <stddef.h>
#include <stdint.h>

#include "loss.h"
#include "plugin.h"

struct spike {
	/* parameters */
	sy_time start;
	sy_time every;
	sy_time length;
};

static sy_loss_verdict spike_apply(void *st, sy_packet *p, sy_loss_ctx *ctx)
{
	const struct spike *s = st;
	sy_time from = s->start;

	if (ctx->now < from)
		return SY_LOSS_PASS;
	if (s->every > 0)
		from += (ctx->now - from) / s->every * s->every;
	if (ctx->now < from + s->length)
		ctx->delay = from + s->length - ctx->now;
	return SY_LOSS_PASS;
}

static const sy_loss_ops ops = {
	SY_OPS_HEAD(SY_LOSS_OPS_VERSION, sy_loss_ops),
	.seed = NULL,
	.apply = spike_apply,
};

/* Bounded so that start + length and the periods cannot overflow. */
static const sy_param params[] = {
	{ .name = "start", .type = SY_PT_DURATION,
	  .offset = offsetof(struct spike, start),
	  .def = "1s", .min = "0s", .max = "1000000s",
	  .doc = "when the first spike begins" },
	{ .name = "every", .type = SY_PT_DURATION,
	  .offset = offsetof(struct spike, every),
	  .def = "0s", .min = "0s", .max = "1000000s",
	  .doc = "the time from one spike's start to the next (0: one spike)" },
	{ .name = "length", .type = SY_PT_DURATION,
	  .offset = offsetof(struct spike, length),
	  .def = "500ms", .min = "0s", .max = "3600s",
	  .doc = "how long each spike holds the packets leaving in it" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "loss",
	.name = "spike",
	.summary = "delay spikes: packets sent during one are held until it ends",
	.state_size = sizeof(struct spike),
	.params = params,
	.init = NULL,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
