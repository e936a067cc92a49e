/* A bulk sender: at `start` it connects to target:port and sends `bytes`
 * virtual bytes, then closes (a FIN after the last byte).  With bytes = 0
 * it sends until the run ends: the send queue is kept topped up, so the
 * sender is never short of data (virtual bytes cost only a counter).
 *
 * Statistics: bytes_sent counts the bytes acknowledged; the transfer is
 * complete (completion) when its last byte is acknowledged; start is when
 * it connected.  A connection refused, reset or timed out before that
 * counts as failed. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "tcpapp.h"

/* Unlimited: every TOPUP_EVERY the queue is brought back to TOPUP_HIGH
 * bytes once it has fallen below TOPUP_LOW (1 GiB in 10 ms: enough for
 * links up to 800 Gbit/s). */
#define TOPUP_EVERY (10 * SY_MS)
#define TOPUP_LOW ((uint64_t)1 << 30)
#define TOPUP_HIGH ((uint64_t)1 << 31)

struct bulk {
	char *target;         /* parameter */
	int64_t port;         /* parameter */
	sy_time start;        /* parameter */
	int64_t bytes;        /* parameter: 0 = unlimited */
	int64_t sndbuf;       /* parameter: 0 = the endpoint's */
	bool nagle;           /* parameter */
	uint32_t dst;
	struct tapp app;
	struct tapp_conn k;   /* the one connection (c NULL: none yet, or freed) */
	sy_event_id topup;
};

static void topup(sy_sim *sim, void *arg, uint64_t data)
{
	struct bulk *b = arg;
	sy_tcb *c = b->k.c;
	uint64_t u;
	sy_err err;

	(void)data;
	if (!c || (sy_tcb_state(c) != SY_TCP_ESTABLISHED && sy_tcb_state(c) != SY_TCP_CLOSE_WAIT))
		return;
	u = sy_tcp_unacked(c);
	/* A sender that stopped topping up would look like a slow one. */
	if ((u < TOPUP_LOW && sy_tcp_send(c, NULL, TOPUP_HIGH - u, &err) < 0) ||
	    sy_sim_after(sim, TOPUP_EVERY, topup, b, 0, &b->topup, &err) < 0)
		sy_sim_fail(sim, "app/bulk: %s", err.msg);
}

static void on_sent(void *ctx, sy_tcb *c)
{
	struct bulk *b = ctx;

	if (b->bytes > 0 && sy_tcb_stats_get(c)->bytes_acked >= (uint64_t)b->bytes)
		tapp_done(&b->app, &b->k, tapp_now(&b->app));
}

static void on_event(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
		     sy_tcp_cause cause)
{
	struct bulk *b = ctx;

	if (tapp_event(&b->app, &b->k, from, to, cause)) {
		sy_sim_cancel(b->app.ctx.sim, b->topup);
		return;
	}
	if (from == to)
		return;
	if (to == SY_TCP_ESTABLISHED) {
		if (b->bytes > 0) {
			if (sy_tcp_send(c, NULL, (uint64_t)b->bytes, NULL) == 0)
				sy_tcp_close(c);
		} else {
			topup(b->app.ctx.sim, b, 0);
		}
	} else if (to == SY_TCP_CLOSED) {
		sy_sim_cancel(b->app.ctx.sim, b->topup);
	}
}

static const sy_tcp_cb callbacks = {
	.sent = on_sent,
	.event = on_event,
};

static void go(sy_sim *sim, void *arg, uint64_t data)
{
	struct bulk *b = arg;
	sy_tcb *c;

	(void)sim;
	(void)data;
	c = sy_tcp_connect(b->app.ep, b->dst, (uint16_t)b->port, NULL);
	if (!c) {
		b->app.st.failed++;
		return;
	}
	tapp_add(&b->app, &b->k, c, &callbacks, b);
	tapp_set_bufs(c, b->sndbuf, 0, b->nagle, -1, NULL);
}

static int bulk_start(void *st, const sy_app_ctx *ctx, sy_err *err)
{
	struct bulk *b = st;

	if (!b->target || sy_ipv4_parse(b->target, &b->dst) < 0)
		return sy_err_set(err, "parameter 'target': '%s' is not an IPv4 address",
				  b->target ? b->target : "");
	if (tapp_init(&b->app, ctx, err) < 0)
		return -1;
	b->topup = SY_EVENT_NONE;
	return sy_sim_at(ctx->sim, b->start > sy_sim_now(ctx->sim) ? b->start : sy_sim_now(ctx->sim),
			 go, b, 0, NULL, err);
}

static sy_app_stats bulk_stats(const void *st)
{
	return tapp_stats(&((const struct bulk *)st)->app);
}

static const sy_app_ops ops = {
	SY_OPS_HEAD(SY_APP_OPS_VERSION, sy_app_ops),
	.start = bulk_start,
	.stats = bulk_stats,
};

static const sy_param params[] = {
	{ .name = "target", .type = SY_PT_STRING, .offset = offsetof(struct bulk, target),
	  .doc = "the receiver's IPv4 address" },
	{ .name = "port", .type = SY_PT_INT, .offset = offsetof(struct bulk, port),
	  .def = "5001", .min = "1", .max = "65535", .doc = "the receiver's port" },
	{ .name = "start", .type = SY_PT_DURATION, .offset = offsetof(struct bulk, start),
	  .def = "0s", .doc = "when to connect" },
	{ .name = "bytes", .type = SY_PT_SIZE, .offset = offsetof(struct bulk, bytes),
	  .def = "1MB", .min = "0B", .doc = "bytes to send, then close; 0: send until the run ends" },
	{ .name = "sndbuf", .type = SY_PT_SIZE, .offset = offsetof(struct bulk, sndbuf),
	  .def = "0B", .min = "0B", .max = "1GiB", .doc = "send buffer (bounds the bytes in flight); 0: the endpoint's" },
	{ .name = "nagle", .type = SY_PT_BOOL, .offset = offsetof(struct bulk, nagle),
	  .def = "true", .doc = "Nagle's algorithm (RFC 896)" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "app",
	.name = "bulk",
	.summary = "connects and sends a number of bytes (or without end), then closes",
	.state_size = sizeof(struct bulk),
	.params = params,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
