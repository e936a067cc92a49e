/* RFC 6528 initial sequence numbers: ISN = M + F(localip, localport,
 * remoteip, remoteport, secretkey) (section 3).
 *
 * M is a clock ticking once per `tick` of virtual time (RFC 793's 4 us by
 * default), taken modulo 2^32: M = now / tick.  F is SipHash-2-4 under a
 * 128-bit secret key drawn from the stream given to seed(), so the key
 * follows from the run's seed and a run stays reproducible; F is truncated
 * to the low 32 bits of the hash.  The ISNs of one connection's successive
 * incarnations thus advance with the clock (the protection against old
 * duplicates RFC 793 wanted), while an off-path observer who does not know
 * the key cannot predict the offset of another 4-tuple.
 *
 * F hashes 12 bytes, in this order, every field big-endian (network byte
 * order, as the fields appear on the wire):
 *
 *   bytes 0..3    local address
 *   bytes 4..7    remote address
 *   bytes 8..9    local port
 *   bytes 10..11  remote port
 *
 * The tuple is ordered (local first), so the two ends of one connection,
 * which see each other's tuple swapped, get unrelated offsets. */
#include <stddef.h>
#include <stdint.h>

#include "isn.h"
#include "plugin.h"

struct rfc6528 {
	sy_time tick;     /* parameter; >= 1 ns */
	uint8_t key[16];  /* SipHash key; set at init, replaced by seed() */
};

/* Two draws of the stream, laid out little-endian: the byte order only has
 * to be fixed so that a seed means the same key on every host. */
static void draw_key(uint8_t key[16], sy_rng *r)
{
	for (int w = 0; w < 2; w++) {
		uint64_t x = sy_rng_next(r);

		for (int i = 0; i < 8; i++)
			key[8 * w + i] = (uint8_t)(x >> (8 * i));
	}
}

static int rfc6528_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct rfc6528 *g = st;
	sy_rng r;

	/* A usable key until seed() gives the run's own. */
	sy_rng_stream(&r, 0, "isn/rfc6528", 0);
	draw_key(g->key, &r);
	return 0;
}

static void rfc6528_seed(void *st, const sy_rng *r)
{
	struct rfc6528 *g = st;
	sy_rng copy;

	if (!r)
		return; /* keep the default key */
	copy = *r;
	draw_key(g->key, &copy);
}

static void put_be32(uint8_t *p, uint32_t x)
{
	p[0] = (uint8_t)(x >> 24);
	p[1] = (uint8_t)(x >> 16);
	p[2] = (uint8_t)(x >> 8);
	p[3] = (uint8_t)x;
}

static void put_be16(uint8_t *p, uint16_t x)
{
	p[0] = (uint8_t)(x >> 8);
	p[1] = (uint8_t)x;
}

static uint32_t rfc6528_isn(void *st, const sy_isn_ctx *c)
{
	const struct rfc6528 *g = st;
	uint8_t msg[12];
	uint32_t m, f;

	put_be32(msg, c->laddr);
	put_be32(msg + 4, c->raddr);
	put_be16(msg + 8, c->lport);
	put_be16(msg + 10, c->rport);
	f = (uint32_t)sy_siphash24(g->key, msg, sizeof msg);
	/* Conversion to unsigned is reduction modulo 2^32 (virtual time is
	 * never negative, so the quotient is the number of ticks). */
	m = (uint32_t)(uint64_t)(c->now / g->tick);
	return m + f;
}

static const sy_isn_ops ops = {
	SY_OPS_HEAD(SY_ISN_OPS_VERSION, sy_isn_ops),
	.seed = rfc6528_seed,
	.isn = rfc6528_isn,
};

static const sy_param params[] = {
	{ .name = "tick", .type = SY_PT_DURATION,
	  .offset = offsetof(struct rfc6528, tick),
	  .def = "4us", .min = "1ns",
	  .doc = "period of the clock M that the ISN follows" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "isn",
	.name = "rfc6528",
	.summary = "clock plus keyed SipHash of the 4-tuple (RFC 6528)",
	.state_size = sizeof(struct rfc6528),
	.params = params,
	.init = rfc6528_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
