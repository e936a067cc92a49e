/* A SYN flood: SYNs to one address and port from spoofed source addresses
 * and ports, at a constant or Poisson rate, for the SYN-flood experiment
 * (RFC 4987).  The spoofed addresses are drawn from a range nobody owns
 * (by default 198.18.0.0/15, the benchmarking range), so the victim's
 * SYN-ACKs go nowhere and each SYN holds a SYN_RECEIVED slot until the
 * victim gives up on it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "plugin.h"
#include "tcp.h"

struct flood {
	char *target;        /* parameter: victim's address */
	int64_t port;        /* parameter */
	double rate;         /* parameter: SYNs per second */
	sy_time start, stop; /* parameters */
	bool poisson;        /* parameter */
	char *spoof;         /* parameter: CIDR of source addresses */
	uint32_t dst, net, mask;
	sy_app_ctx ctx;
	sy_app_stats st;
};

static int parse_cidr(const char *s, uint32_t *net, uint32_t *mask)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	char *end;
	long bits;

	if (!slash || (size_t)(slash - s) >= sizeof buf)
		return -1;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	bits = strtol(slash + 1, &end, 10);
	if (*end || bits < 1 || bits > 32 || sy_ipv4_parse(buf, net) < 0)
		return -1;
	*mask = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
	*net &= *mask;
	return 0;
}

static sy_time gap(struct flood *f)
{
	double mean = 1e9 / f->rate;

	return (sy_time)(f->poisson ? sy_rng_exponential(&f->ctx.rng, mean) : mean);
}

static void fire(sy_sim *sim, void *arg, uint64_t data)
{
	struct flood *f = arg;
	sy_packet *p = sy_packet_new(sy_net_pool(f->ctx.net));
	uint32_t src = f->net | ((uint32_t)sy_rng_next(&f->ctx.rng) & ~f->mask);
	sy_ipv4 ip = {
		.src = src, .dst = f->dst, .proto = SY_IPPROTO_TCP, .ttl = 64,
		.id = (uint16_t)sy_rng_next(&f->ctx.rng), .df = true,
	};
	sy_tcp t = {
		.sport = (uint16_t)(1024 + sy_rng_below(&f->ctx.rng, 64512)),
		.dport = (uint16_t)f->port, .seq = (uint32_t)sy_rng_next(&f->ctx.rng),
		.flags = SY_TCP_SYN, .window = 65535,
	};
	sy_time next;

	if (p) {
		p->hdr_len = 40;
		sy_packet_set_payload(sy_net_pool(f->ctx.net), p, NULL, 0, NULL);
		sy_tcp_build(p, &ip, &t);
		f->st.packets_sent++;
		f->st.bytes_sent += p->len;
		sy_node_send(f->ctx.node, p);
	}
	next = sy_sim_now(sim) + gap(f);
	if (next < f->stop && sy_sim_at(sim, next, fire, f, 0, NULL, NULL) < 0)
		sy_sim_fail(sim, "app/synflood: out of memory scheduling the next SYN");
}

static int flood_start(void *st, const sy_app_ctx *ctx, sy_err *err)
{
	struct flood *f = st;
	sy_time first;

	f->ctx = *ctx;
	if (!f->target || sy_ipv4_parse(f->target, &f->dst) < 0)
		return sy_err_set(err, "parameter 'target': '%s' is not an IPv4 address",
				  f->target ? f->target : "");
	if (parse_cidr(f->spoof, &f->net, &f->mask) < 0)
		return sy_err_set(err, "parameter 'spoof': '%s' is not an address range like 198.18.0.0/15",
				  f->spoof);
	if (f->stop <= f->start)
		return sy_err_set(err, "parameter 'stop' must come after 'start'");
	if (!sy_node_ifaces(ctx->node))
		return sy_err_set(err, "node '%s' has no link", sy_node_name(ctx->node));
	first = sy_sim_now(ctx->sim) > f->start ? sy_sim_now(ctx->sim) : f->start;
	f->st.start = first;
	f->st.completion = -1;
	return sy_sim_at(ctx->sim, first, fire, f, 0, NULL, err);
}

static sy_app_stats flood_stats(const void *st)
{
	const struct flood *f = st;

	return f->st;
}

static const sy_app_ops ops = {
	SY_OPS_HEAD(SY_APP_OPS_VERSION, sy_app_ops),
	.start = flood_start,
	.stats = flood_stats,
};

static const sy_param params[] = {
	{ .name = "target", .type = SY_PT_STRING, .offset = offsetof(struct flood, target),
	  .doc = "the victim's IPv4 address" },
	{ .name = "port", .type = SY_PT_INT, .offset = offsetof(struct flood, port),
	  .def = "80", .min = "1", .max = "65535", .doc = "the victim's port" },
	{ .name = "rate", .type = SY_PT_FLOAT, .offset = offsetof(struct flood, rate),
	  .def = "100", .min = "0.000001", .max = "1e9", .doc = "SYNs per second" },
	{ .name = "start", .type = SY_PT_DURATION, .offset = offsetof(struct flood, start),
	  .def = "0s", .doc = "when the flood begins" },
	{ .name = "stop", .type = SY_PT_DURATION, .offset = offsetof(struct flood, stop),
	  .def = "10s", .doc = "when it ends" },
	{ .name = "poisson", .type = SY_PT_BOOL, .offset = offsetof(struct flood, poisson),
	  .def = "true", .doc = "exponential gaps (else constant)" },
	{ .name = "spoof", .type = SY_PT_STRING, .offset = offsetof(struct flood, spoof),
	  .def = "198.18.0.0/15", .doc = "range the source addresses are drawn from" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "app",
	.name = "synflood",
	.summary = "SYNs from spoofed addresses at a given rate (RFC 4987 attacker)",
	.state_size = sizeof(struct flood),
	.params = params,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
